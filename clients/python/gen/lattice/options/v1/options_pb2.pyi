from google.protobuf import descriptor_pb2 as _descriptor_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

ACCESS_FIELD_NUMBER: _ClassVar[int]
DESCRIPTOR: _descriptor.FileDescriptor
IDEMPOTENCY_CLAIM_IN_TRANSACTION_FIELD_NUMBER: _ClassVar[int]
REQUIRES_IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
SENSITIVE_FIELD_NUMBER: _ClassVar[int]
access: _descriptor.FieldDescriptor
idempotency_claim_in_transaction: _descriptor.FieldDescriptor
requires_idempotency_key: _descriptor.FieldDescriptor
sensitive: _descriptor.FieldDescriptor

class Access(_message.Message):
    __slots__ = ["authenticated", "permission", "public"]
    AUTHENTICATED_FIELD_NUMBER: _ClassVar[int]
    PERMISSION_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_FIELD_NUMBER: _ClassVar[int]
    authenticated: bool
    permission: str
    public: bool
    def __init__(self, permission: _Optional[str] = ..., public: bool = ..., authenticated: bool = ...) -> None: ...
