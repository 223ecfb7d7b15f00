from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OutboxStatus(_message.Message):
    __slots__ = ["last_publish_time", "oldest_pending_age", "oldest_pending_create_time", "pending_count", "published_last_minute", "relays", "service"]
    LAST_PUBLISH_TIME_FIELD_NUMBER: _ClassVar[int]
    OLDEST_PENDING_AGE_FIELD_NUMBER: _ClassVar[int]
    OLDEST_PENDING_CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    PENDING_COUNT_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_LAST_MINUTE_FIELD_NUMBER: _ClassVar[int]
    RELAYS_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    last_publish_time: _timestamp_pb2.Timestamp
    oldest_pending_age: _duration_pb2.Duration
    oldest_pending_create_time: _timestamp_pb2.Timestamp
    pending_count: int
    published_last_minute: int
    relays: _containers.RepeatedCompositeFieldContainer[RelayStatus]
    service: str
    def __init__(self, service: _Optional[str] = ..., pending_count: _Optional[int] = ..., oldest_pending_create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., oldest_pending_age: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., last_publish_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., published_last_minute: _Optional[int] = ..., relays: _Optional[_Iterable[_Union[RelayStatus, _Mapping]]] = ...) -> None: ...

class RelayStatus(_message.Message):
    __slots__ = ["in_flight", "instance_id", "last_error", "last_poll_time", "last_publish_time", "published_count"]
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    IN_FLIGHT_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    LAST_POLL_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_PUBLISH_TIME_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_COUNT_FIELD_NUMBER: _ClassVar[int]
    in_flight: int
    instance_id: str
    last_error: str
    last_poll_time: _timestamp_pb2.Timestamp
    last_publish_time: _timestamp_pb2.Timestamp
    published_count: int
    def __init__(self, instance_id: _Optional[str] = ..., last_poll_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., last_publish_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., published_count: _Optional[int] = ..., in_flight: _Optional[int] = ..., last_error: _Optional[str] = ...) -> None: ...
