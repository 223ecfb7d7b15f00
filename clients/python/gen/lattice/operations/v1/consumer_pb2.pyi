from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

CONSUMER_STATE_PAUSED: ConsumerState
CONSUMER_STATE_PAUSING: ConsumerState
CONSUMER_STATE_RUNNING: ConsumerState
CONSUMER_STATE_UNSPECIFIED: ConsumerState
DESCRIPTOR: _descriptor.FileDescriptor

class Consumer(_message.Message):
    __slots__ = ["ack_pending_count", "filter_subjects", "name", "pending_count", "state", "state_change_time", "stream"]
    ACK_PENDING_COUNT_FIELD_NUMBER: _ClassVar[int]
    FILTER_SUBJECTS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PENDING_COUNT_FIELD_NUMBER: _ClassVar[int]
    STATE_CHANGE_TIME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STREAM_FIELD_NUMBER: _ClassVar[int]
    ack_pending_count: int
    filter_subjects: _containers.RepeatedScalarFieldContainer[str]
    name: str
    pending_count: int
    state: ConsumerState
    state_change_time: _timestamp_pb2.Timestamp
    stream: str
    def __init__(self, name: _Optional[str] = ..., stream: _Optional[str] = ..., filter_subjects: _Optional[_Iterable[str]] = ..., state: _Optional[_Union[ConsumerState, str]] = ..., state_change_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., pending_count: _Optional[int] = ..., ack_pending_count: _Optional[int] = ...) -> None: ...

class ConsumerState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
