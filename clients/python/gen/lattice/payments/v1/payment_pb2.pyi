from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
PAYMENT_STATUS_AUTHORIZED: PaymentStatus
PAYMENT_STATUS_CAPTURED: PaymentStatus
PAYMENT_STATUS_FAILED: PaymentStatus
PAYMENT_STATUS_PARTIALLY_REFUNDED: PaymentStatus
PAYMENT_STATUS_PENDING: PaymentStatus
PAYMENT_STATUS_REFUNDED: PaymentStatus
PAYMENT_STATUS_UNSPECIFIED: PaymentStatus
REFUND_STATUS_FAILED: RefundStatus
REFUND_STATUS_PENDING: RefundStatus
REFUND_STATUS_SUCCEEDED: RefundStatus
REFUND_STATUS_UNSPECIFIED: RefundStatus

class Payment(_message.Message):
    __slots__ = ["amount_minor", "create_time", "currency", "customer_id", "failure_code", "failure_message", "id", "order_id", "provider", "provider_charge_id", "refunded_amount_minor", "refunds", "status", "status_history", "tenant_id", "update_time", "version"]
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    FAILURE_CODE_FIELD_NUMBER: _ClassVar[int]
    FAILURE_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_CHARGE_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    REFUNDS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STATUS_HISTORY_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    amount_minor: int
    create_time: _timestamp_pb2.Timestamp
    currency: str
    customer_id: str
    failure_code: str
    failure_message: str
    id: str
    order_id: str
    provider: str
    provider_charge_id: str
    refunded_amount_minor: int
    refunds: _containers.RepeatedCompositeFieldContainer[Refund]
    status: PaymentStatus
    status_history: _containers.RepeatedCompositeFieldContainer[PaymentStatusChange]
    tenant_id: str
    update_time: _timestamp_pb2.Timestamp
    version: int
    def __init__(self, id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., order_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., amount_minor: _Optional[int] = ..., refunded_amount_minor: _Optional[int] = ..., currency: _Optional[str] = ..., status: _Optional[_Union[PaymentStatus, str]] = ..., provider: _Optional[str] = ..., provider_charge_id: _Optional[str] = ..., failure_code: _Optional[str] = ..., failure_message: _Optional[str] = ..., status_history: _Optional[_Iterable[_Union[PaymentStatusChange, _Mapping]]] = ..., refunds: _Optional[_Iterable[_Union[Refund, _Mapping]]] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., version: _Optional[int] = ...) -> None: ...

class PaymentStatusChange(_message.Message):
    __slots__ = ["cause", "change_time", "status"]
    CAUSE_FIELD_NUMBER: _ClassVar[int]
    CHANGE_TIME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    cause: str
    change_time: _timestamp_pb2.Timestamp
    status: PaymentStatus
    def __init__(self, status: _Optional[_Union[PaymentStatus, str]] = ..., change_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., cause: _Optional[str] = ...) -> None: ...

class Refund(_message.Message):
    __slots__ = ["amount_minor", "complete_time", "create_time", "failure_code", "id", "provider_refund_id", "reason", "status"]
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    FAILURE_CODE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_REFUND_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    amount_minor: int
    complete_time: _timestamp_pb2.Timestamp
    create_time: _timestamp_pb2.Timestamp
    failure_code: str
    id: str
    provider_refund_id: str
    reason: str
    status: RefundStatus
    def __init__(self, id: _Optional[str] = ..., amount_minor: _Optional[int] = ..., reason: _Optional[str] = ..., status: _Optional[_Union[RefundStatus, str]] = ..., provider_refund_id: _Optional[str] = ..., failure_code: _Optional[str] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., complete_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PaymentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class RefundStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
