from buf.validate import validate_pb2 as _validate_pb2
from google.api import annotations_pb2 as _annotations_pb2
from lattice.operations.v1 import consumer_pb2 as _consumer_pb2
from lattice.operations.v1 import dead_letter_pb2 as _dead_letter_pb2
from lattice.operations.v1 import outbox_status_pb2 as _outbox_status_pb2
from lattice.operations.v1 import read_model_status_pb2 as _read_model_status_pb2
from lattice.options.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetOutboxStatusRequest(_message.Message):
    __slots__ = ["service"]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    service: str
    def __init__(self, service: _Optional[str] = ...) -> None: ...

class GetOutboxStatusResponse(_message.Message):
    __slots__ = ["status"]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: _outbox_status_pb2.OutboxStatus
    def __init__(self, status: _Optional[_Union[_outbox_status_pb2.OutboxStatus, _Mapping]] = ...) -> None: ...

class GetReadModelStatusRequest(_message.Message):
    __slots__ = ["service"]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    service: str
    def __init__(self, service: _Optional[str] = ...) -> None: ...

class GetReadModelStatusResponse(_message.Message):
    __slots__ = ["read_models"]
    READ_MODELS_FIELD_NUMBER: _ClassVar[int]
    read_models: _containers.RepeatedCompositeFieldContainer[_read_model_status_pb2.ReadModelStatus]
    def __init__(self, read_models: _Optional[_Iterable[_Union[_read_model_status_pb2.ReadModelStatus, _Mapping]]] = ...) -> None: ...

class ListConsumersRequest(_message.Message):
    __slots__ = ["page_size", "page_token", "service"]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    service: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., service: _Optional[str] = ...) -> None: ...

class ListConsumersResponse(_message.Message):
    __slots__ = ["consumers", "next_page_token"]
    CONSUMERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    consumers: _containers.RepeatedCompositeFieldContainer[_consumer_pb2.Consumer]
    next_page_token: str
    def __init__(self, consumers: _Optional[_Iterable[_Union[_consumer_pb2.Consumer, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListDeadLettersRequest(_message.Message):
    __slots__ = ["consumer", "page_size", "page_token", "service", "status", "type"]
    CONSUMER_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    consumer: str
    page_size: int
    page_token: str
    service: str
    status: _dead_letter_pb2.DeadLetterStatus
    type: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., service: _Optional[str] = ..., consumer: _Optional[str] = ..., type: _Optional[str] = ..., status: _Optional[_Union[_dead_letter_pb2.DeadLetterStatus, str]] = ...) -> None: ...

class ListDeadLettersResponse(_message.Message):
    __slots__ = ["dead_letters", "next_page_token"]
    DEAD_LETTERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    dead_letters: _containers.RepeatedCompositeFieldContainer[_dead_letter_pb2.DeadLetter]
    next_page_token: str
    def __init__(self, dead_letters: _Optional[_Iterable[_Union[_dead_letter_pb2.DeadLetter, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class PauseConsumersRequest(_message.Message):
    __slots__ = ["consumer", "service"]
    CONSUMER_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    consumer: str
    service: str
    def __init__(self, service: _Optional[str] = ..., consumer: _Optional[str] = ...) -> None: ...

class PauseConsumersResponse(_message.Message):
    __slots__ = ["consumers"]
    CONSUMERS_FIELD_NUMBER: _ClassVar[int]
    consumers: _containers.RepeatedCompositeFieldContainer[_consumer_pb2.Consumer]
    def __init__(self, consumers: _Optional[_Iterable[_Union[_consumer_pb2.Consumer, _Mapping]]] = ...) -> None: ...

class RebuildReadModelRequest(_message.Message):
    __slots__ = ["read_model", "service"]
    READ_MODEL_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    read_model: str
    service: str
    def __init__(self, service: _Optional[str] = ..., read_model: _Optional[str] = ...) -> None: ...

class RebuildReadModelResponse(_message.Message):
    __slots__ = ["read_model"]
    READ_MODEL_FIELD_NUMBER: _ClassVar[int]
    read_model: _read_model_status_pb2.ReadModelStatus
    def __init__(self, read_model: _Optional[_Union[_read_model_status_pb2.ReadModelStatus, _Mapping]] = ...) -> None: ...

class ReplayDeadLetterRequest(_message.Message):
    __slots__ = ["dead_letter_id", "service"]
    DEAD_LETTER_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    dead_letter_id: str
    service: str
    def __init__(self, service: _Optional[str] = ..., dead_letter_id: _Optional[str] = ...) -> None: ...

class ReplayDeadLetterResponse(_message.Message):
    __slots__ = ["dead_letter"]
    DEAD_LETTER_FIELD_NUMBER: _ClassVar[int]
    dead_letter: _dead_letter_pb2.DeadLetter
    def __init__(self, dead_letter: _Optional[_Union[_dead_letter_pb2.DeadLetter, _Mapping]] = ...) -> None: ...

class ResumeConsumersRequest(_message.Message):
    __slots__ = ["consumer", "service"]
    CONSUMER_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    consumer: str
    service: str
    def __init__(self, service: _Optional[str] = ..., consumer: _Optional[str] = ...) -> None: ...

class ResumeConsumersResponse(_message.Message):
    __slots__ = ["consumers"]
    CONSUMERS_FIELD_NUMBER: _ClassVar[int]
    consumers: _containers.RepeatedCompositeFieldContainer[_consumer_pb2.Consumer]
    def __init__(self, consumers: _Optional[_Iterable[_Union[_consumer_pb2.Consumer, _Mapping]]] = ...) -> None: ...
