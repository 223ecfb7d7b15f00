from google.protobuf import any_pb2 as _any_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Mapping as _Mapping, Optional as _Optional, Union as _Union

ACTOR_TYPE_EXTERNAL: ActorType
ACTOR_TYPE_SERVICE: ActorType
ACTOR_TYPE_SYSTEM: ActorType
ACTOR_TYPE_UNSPECIFIED: ActorType
ACTOR_TYPE_USER: ActorType
DESCRIPTOR: _descriptor.FileDescriptor

class Actor(_message.Message):
    __slots__ = ["client_address", "subject_id", "type", "user_agent"]
    CLIENT_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    USER_AGENT_FIELD_NUMBER: _ClassVar[int]
    client_address: str
    subject_id: str
    type: ActorType
    user_agent: str
    def __init__(self, type: _Optional[_Union[ActorType, str]] = ..., subject_id: _Optional[str] = ..., client_address: _Optional[str] = ..., user_agent: _Optional[str] = ...) -> None: ...

class Envelope(_message.Message):
    __slots__ = ["actor", "aggregate_id", "aggregate_type", "aggregate_version", "causation_id", "event_id", "occurred_at", "payload", "source", "tenant_id", "type"]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    AGGREGATE_ID_FIELD_NUMBER: _ClassVar[int]
    AGGREGATE_TYPE_FIELD_NUMBER: _ClassVar[int]
    AGGREGATE_VERSION_FIELD_NUMBER: _ClassVar[int]
    CAUSATION_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    actor: Actor
    aggregate_id: str
    aggregate_type: str
    aggregate_version: int
    causation_id: str
    event_id: str
    occurred_at: _timestamp_pb2.Timestamp
    payload: _any_pb2.Any
    source: str
    tenant_id: str
    type: str
    def __init__(self, event_id: _Optional[str] = ..., type: _Optional[str] = ..., source: _Optional[str] = ..., tenant_id: _Optional[str] = ..., aggregate_type: _Optional[str] = ..., aggregate_id: _Optional[str] = ..., aggregate_version: _Optional[int] = ..., actor: _Optional[_Union[Actor, _Mapping]] = ..., occurred_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., payload: _Optional[_Union[_any_pb2.Any, _Mapping]] = ..., causation_id: _Optional[str] = ...) -> None: ...

class ActorType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
