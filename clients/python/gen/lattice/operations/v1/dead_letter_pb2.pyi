from google.protobuf import timestamp_pb2 as _timestamp_pb2
from lattice.events.v1 import envelope_pb2 as _envelope_pb2
from lattice.options.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Mapping as _Mapping, Optional as _Optional, Union as _Union

DEAD_LETTER_REASON_MAX_DELIVERIES_EXCEEDED: DeadLetterReason
DEAD_LETTER_REASON_PERMANENT_FAILURE: DeadLetterReason
DEAD_LETTER_REASON_UNPARSEABLE: DeadLetterReason
DEAD_LETTER_REASON_UNSPECIFIED: DeadLetterReason
DEAD_LETTER_STATUS_PENDING: DeadLetterStatus
DEAD_LETTER_STATUS_REPLAYED: DeadLetterStatus
DEAD_LETTER_STATUS_UNSPECIFIED: DeadLetterStatus
DESCRIPTOR: _descriptor.FileDescriptor

class DeadLetter(_message.Message):
    __slots__ = ["consumer", "delivery_count", "envelope", "error_message", "event_id", "fail_time", "first_delivery_time", "headers", "id", "last_replay_time", "payload", "reason", "replay_count", "service", "status", "stream", "subject", "type"]
    class HeadersEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    CONSUMER_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_COUNT_FIELD_NUMBER: _ClassVar[int]
    ENVELOPE_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    FAIL_TIME_FIELD_NUMBER: _ClassVar[int]
    FIRST_DELIVERY_TIME_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    LAST_REPLAY_TIME_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REPLAY_COUNT_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STREAM_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    consumer: str
    delivery_count: int
    envelope: _envelope_pb2.Envelope
    error_message: str
    event_id: str
    fail_time: _timestamp_pb2.Timestamp
    first_delivery_time: _timestamp_pb2.Timestamp
    headers: _containers.ScalarMap[str, str]
    id: str
    last_replay_time: _timestamp_pb2.Timestamp
    payload: bytes
    reason: DeadLetterReason
    replay_count: int
    service: str
    status: DeadLetterStatus
    stream: str
    subject: str
    type: str
    def __init__(self, id: _Optional[str] = ..., service: _Optional[str] = ..., stream: _Optional[str] = ..., subject: _Optional[str] = ..., consumer: _Optional[str] = ..., event_id: _Optional[str] = ..., type: _Optional[str] = ..., reason: _Optional[_Union[DeadLetterReason, str]] = ..., error_message: _Optional[str] = ..., delivery_count: _Optional[int] = ..., first_delivery_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., fail_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., envelope: _Optional[_Union[_envelope_pb2.Envelope, _Mapping]] = ..., payload: _Optional[bytes] = ..., headers: _Optional[_Mapping[str, str]] = ..., status: _Optional[_Union[DeadLetterStatus, str]] = ..., replay_count: _Optional[int] = ..., last_replay_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DeadLetterReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class DeadLetterStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
