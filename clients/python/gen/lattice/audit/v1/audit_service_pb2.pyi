from buf.validate import validate_pb2 as _validate_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from lattice.audit.v1 import audit_record_pb2 as _audit_record_pb2
from lattice.options.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

CHAIN_BREAK_HASH_MISMATCH: ChainBreak
CHAIN_BREAK_PREVIOUS_HASH_MISMATCH: ChainBreak
CHAIN_BREAK_SEQUENCE_GAP: ChainBreak
CHAIN_BREAK_UNSPECIFIED: ChainBreak
DESCRIPTOR: _descriptor.FileDescriptor

class GetAuditRecordRequest(_message.Message):
    __slots__ = ["record_id"]
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    record_id: str
    def __init__(self, record_id: _Optional[str] = ...) -> None: ...

class GetAuditRecordResponse(_message.Message):
    __slots__ = ["record"]
    RECORD_FIELD_NUMBER: _ClassVar[int]
    record: _audit_record_pb2.AuditRecord
    def __init__(self, record: _Optional[_Union[_audit_record_pb2.AuditRecord, _Mapping]] = ...) -> None: ...

class QueryAuditLogRequest(_message.Message):
    __slots__ = ["action", "actor_subject_id", "end_time", "entity_id", "entity_type", "page_size", "page_token", "start_time"]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    ACTOR_SUBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    ENTITY_ID_FIELD_NUMBER: _ClassVar[int]
    ENTITY_TYPE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    action: str
    actor_subject_id: str
    end_time: _timestamp_pb2.Timestamp
    entity_id: str
    entity_type: str
    page_size: int
    page_token: str
    start_time: _timestamp_pb2.Timestamp
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., actor_subject_id: _Optional[str] = ..., entity_type: _Optional[str] = ..., entity_id: _Optional[str] = ..., action: _Optional[str] = ..., start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class QueryAuditLogResponse(_message.Message):
    __slots__ = ["next_page_token", "records"]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    next_page_token: str
    records: _containers.RepeatedCompositeFieldContainer[_audit_record_pb2.AuditRecord]
    def __init__(self, records: _Optional[_Iterable[_Union[_audit_record_pb2.AuditRecord, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class VerifyChainRequest(_message.Message):
    __slots__ = ["from_sequence", "max_records", "to_sequence"]
    FROM_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    MAX_RECORDS_FIELD_NUMBER: _ClassVar[int]
    TO_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    from_sequence: int
    max_records: int
    to_sequence: int
    def __init__(self, from_sequence: _Optional[int] = ..., to_sequence: _Optional[int] = ..., max_records: _Optional[int] = ...) -> None: ...

class VerifyChainResponse(_message.Message):
    __slots__ = ["break_kind", "first_broken_record_id", "first_broken_sequence", "head_hash", "head_sequence", "last_checked_sequence", "next_sequence", "ok", "records_checked"]
    BREAK_KIND_FIELD_NUMBER: _ClassVar[int]
    FIRST_BROKEN_RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    FIRST_BROKEN_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    HEAD_HASH_FIELD_NUMBER: _ClassVar[int]
    HEAD_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    LAST_CHECKED_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    NEXT_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    OK_FIELD_NUMBER: _ClassVar[int]
    RECORDS_CHECKED_FIELD_NUMBER: _ClassVar[int]
    break_kind: ChainBreak
    first_broken_record_id: str
    first_broken_sequence: int
    head_hash: bytes
    head_sequence: int
    last_checked_sequence: int
    next_sequence: int
    ok: bool
    records_checked: int
    def __init__(self, ok: bool = ..., records_checked: _Optional[int] = ..., first_broken_record_id: _Optional[str] = ..., first_broken_sequence: _Optional[int] = ..., break_kind: _Optional[_Union[ChainBreak, str]] = ..., last_checked_sequence: _Optional[int] = ..., next_sequence: _Optional[int] = ..., head_sequence: _Optional[int] = ..., head_hash: _Optional[bytes] = ...) -> None: ...

class ChainBreak(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
