from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
MEDIA_STATUS_AWAITING_UPLOAD: MediaStatus
MEDIA_STATUS_CLEAN: MediaStatus
MEDIA_STATUS_DELETED: MediaStatus
MEDIA_STATUS_EXPIRED: MediaStatus
MEDIA_STATUS_QUARANTINED: MediaStatus
MEDIA_STATUS_REJECTED: MediaStatus
MEDIA_STATUS_SCANNING: MediaStatus
MEDIA_STATUS_UNSPECIFIED: MediaStatus
MEDIA_VISIBILITY_PRIVATE: MediaVisibility
MEDIA_VISIBILITY_PUBLIC: MediaVisibility
MEDIA_VISIBILITY_UNSPECIFIED: MediaVisibility

class Media(_message.Message):
    __slots__ = ["content_type", "create_time", "delete_time", "file_name", "id", "product_id", "rejection_reason", "sha256", "size_bytes", "sniffed_content_type", "status", "update_time", "uploaded_by", "url", "url_expire_time", "version", "visibility"]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    DELETE_TIME_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    REJECTION_REASON_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    SNIFFED_CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPLOADED_BY_FIELD_NUMBER: _ClassVar[int]
    URL_EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_FIELD_NUMBER: _ClassVar[int]
    content_type: str
    create_time: _timestamp_pb2.Timestamp
    delete_time: _timestamp_pb2.Timestamp
    file_name: str
    id: str
    product_id: str
    rejection_reason: str
    sha256: str
    size_bytes: int
    sniffed_content_type: str
    status: MediaStatus
    update_time: _timestamp_pb2.Timestamp
    uploaded_by: str
    url: str
    url_expire_time: _timestamp_pb2.Timestamp
    version: int
    visibility: MediaVisibility
    def __init__(self, id: _Optional[str] = ..., product_id: _Optional[str] = ..., file_name: _Optional[str] = ..., content_type: _Optional[str] = ..., sniffed_content_type: _Optional[str] = ..., size_bytes: _Optional[int] = ..., sha256: _Optional[str] = ..., visibility: _Optional[_Union[MediaVisibility, str]] = ..., status: _Optional[_Union[MediaStatus, str]] = ..., url: _Optional[str] = ..., url_expire_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., uploaded_by: _Optional[str] = ..., rejection_reason: _Optional[str] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., delete_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., version: _Optional[int] = ...) -> None: ...

class UploadTarget(_message.Message):
    __slots__ = ["expire_time", "headers", "method", "url"]
    class HeadersEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    expire_time: _timestamp_pb2.Timestamp
    headers: _containers.ScalarMap[str, str]
    method: str
    url: str
    def __init__(self, url: _Optional[str] = ..., method: _Optional[str] = ..., headers: _Optional[_Mapping[str, str]] = ..., expire_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class MediaVisibility(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class MediaStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
