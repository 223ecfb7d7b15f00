from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReadModelStatus(_message.Message):
    __slots__ = ["changes_last_minute", "consumers", "documents", "lag_max", "lag_p50", "lag_p99", "name", "newest_event_time"]
    CHANGES_LAST_MINUTE_FIELD_NUMBER: _ClassVar[int]
    CONSUMERS_FIELD_NUMBER: _ClassVar[int]
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    LAG_MAX_FIELD_NUMBER: _ClassVar[int]
    LAG_P50_FIELD_NUMBER: _ClassVar[int]
    LAG_P99_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NEWEST_EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    changes_last_minute: int
    consumers: _containers.RepeatedScalarFieldContainer[str]
    documents: int
    lag_max: _duration_pb2.Duration
    lag_p50: _duration_pb2.Duration
    lag_p99: _duration_pb2.Duration
    name: str
    newest_event_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., consumers: _Optional[_Iterable[str]] = ..., documents: _Optional[int] = ..., newest_event_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., changes_last_minute: _Optional[int] = ..., lag_p50: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., lag_p99: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., lag_max: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ...) -> None: ...
