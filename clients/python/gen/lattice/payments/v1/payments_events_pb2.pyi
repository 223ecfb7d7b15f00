from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class PaymentCaptured(_message.Message):
    __slots__ = ["amount_minor", "currency", "customer_id", "order_id", "payment_id", "provider", "provider_charge_id"]
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_CHARGE_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    amount_minor: int
    currency: str
    customer_id: str
    order_id: str
    payment_id: str
    provider: str
    provider_charge_id: str
    def __init__(self, payment_id: _Optional[str] = ..., order_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., amount_minor: _Optional[int] = ..., currency: _Optional[str] = ..., provider: _Optional[str] = ..., provider_charge_id: _Optional[str] = ...) -> None: ...

class PaymentFailed(_message.Message):
    __slots__ = ["customer_id", "failure_code", "failure_message", "order_id", "payment_id", "retryable"]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    FAILURE_CODE_FIELD_NUMBER: _ClassVar[int]
    FAILURE_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    RETRYABLE_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    failure_code: str
    failure_message: str
    order_id: str
    payment_id: str
    retryable: bool
    def __init__(self, payment_id: _Optional[str] = ..., order_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., failure_code: _Optional[str] = ..., failure_message: _Optional[str] = ..., retryable: bool = ...) -> None: ...

class PaymentRefunded(_message.Message):
    __slots__ = ["amount_minor", "currency", "customer_id", "fully_refunded", "order_id", "payment_id", "reason", "refund_id", "refunded_amount_minor"]
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    FULLY_REFUNDED_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    REFUND_ID_FIELD_NUMBER: _ClassVar[int]
    amount_minor: int
    currency: str
    customer_id: str
    fully_refunded: bool
    order_id: str
    payment_id: str
    reason: str
    refund_id: str
    refunded_amount_minor: int
    def __init__(self, payment_id: _Optional[str] = ..., order_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., refund_id: _Optional[str] = ..., amount_minor: _Optional[int] = ..., currency: _Optional[str] = ..., refunded_amount_minor: _Optional[int] = ..., fully_refunded: bool = ..., reason: _Optional[str] = ...) -> None: ...
