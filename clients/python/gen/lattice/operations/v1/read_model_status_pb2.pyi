from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReadModelRebuild(_message.Message):
    __slots__ = ["documents", "done", "finish_time", "generation", "start_time"]
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    FINISH_TIME_FIELD_NUMBER: _ClassVar[int]
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    documents: int
    done: bool
    finish_time: _timestamp_pb2.Timestamp
    generation: int
    start_time: _timestamp_pb2.Timestamp
    def __init__(self, generation: _Optional[int] = ..., done: bool = ..., documents: _Optional[int] = ..., start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., finish_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ReadModelStatus(_message.Message):
    __slots__ = ["changes_last_minute", "consumers", "documents", "generation", "lag_max", "lag_p50", "lag_p99", "last_rebuild", "name", "newest_event_time"]
    CHANGES_LAST_MINUTE_FIELD_NUMBER: _ClassVar[int]
    CONSUMERS_FIELD_NUMBER: _ClassVar[int]
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    LAG_MAX_FIELD_NUMBER: _ClassVar[int]
    LAG_P50_FIELD_NUMBER: _ClassVar[int]
    LAG_P99_FIELD_NUMBER: _ClassVar[int]
    LAST_REBUILD_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NEWEST_EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    changes_last_minute: int
    consumers: _containers.RepeatedScalarFieldContainer[str]
    documents: int
    generation: int
    lag_max: _duration_pb2.Duration
    lag_p50: _duration_pb2.Duration
    lag_p99: _duration_pb2.Duration
    last_rebuild: ReadModelRebuild
    name: str
    newest_event_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., consumers: _Optional[_Iterable[str]] = ..., documents: _Optional[int] = ..., newest_event_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., changes_last_minute: _Optional[int] = ..., lag_p50: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., lag_p99: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., lag_max: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., generation: _Optional[int] = ..., last_rebuild: _Optional[_Union[ReadModelRebuild, _Mapping]] = ...) -> None: ...
