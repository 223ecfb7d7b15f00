from google.protobuf import timestamp_pb2 as _timestamp_pb2
from lattice.notifications.v1 import notification_pb2 as _notification_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Template(_message.Message):
    __slots__ = ["body", "channel", "create_time", "key", "locale", "subject", "update_time", "version"]
    BODY_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    body: str
    channel: _notification_pb2.Channel
    create_time: _timestamp_pb2.Timestamp
    key: str
    locale: str
    subject: str
    update_time: _timestamp_pb2.Timestamp
    version: int
    def __init__(self, key: _Optional[str] = ..., locale: _Optional[str] = ..., channel: _Optional[_Union[_notification_pb2.Channel, str]] = ..., subject: _Optional[str] = ..., body: _Optional[str] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., version: _Optional[int] = ...) -> None: ...
