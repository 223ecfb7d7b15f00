from lattice.options.v1 import options_pb2 as _options_pb2
from lattice.orders.v1 import order_pb2 as _order_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OrderCancelled(_message.Message):
    __slots__ = ["customer_id", "note", "order_id", "previous_status", "reason"]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    note: str
    order_id: str
    previous_status: _order_pb2.OrderStatus
    reason: _order_pb2.CancellationReason
    def __init__(self, order_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., reason: _Optional[_Union[_order_pb2.CancellationReason, str]] = ..., note: _Optional[str] = ..., previous_status: _Optional[_Union[_order_pb2.OrderStatus, str]] = ...) -> None: ...

class OrderCreated(_message.Message):
    __slots__ = ["currency", "customer_id", "lines", "order_id", "payment_method_token", "total_amount_minor"]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_METHOD_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    currency: str
    customer_id: str
    lines: _containers.RepeatedCompositeFieldContainer[_order_pb2.OrderLine]
    order_id: str
    payment_method_token: str
    total_amount_minor: int
    def __init__(self, order_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[_order_pb2.OrderLine, _Mapping]]] = ..., currency: _Optional[str] = ..., total_amount_minor: _Optional[int] = ..., payment_method_token: _Optional[str] = ...) -> None: ...

class OrderDelivered(_message.Message):
    __slots__ = ["customer_id", "order_id"]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    order_id: str
    def __init__(self, order_id: _Optional[str] = ..., customer_id: _Optional[str] = ...) -> None: ...

class OrderPacked(_message.Message):
    __slots__ = ["customer_id", "order_id"]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    order_id: str
    def __init__(self, order_id: _Optional[str] = ..., customer_id: _Optional[str] = ...) -> None: ...

class OrderPaid(_message.Message):
    __slots__ = ["currency", "customer_id", "order_id", "payment_id", "total_amount_minor"]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    TOTAL_AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    currency: str
    customer_id: str
    order_id: str
    payment_id: str
    total_amount_minor: int
    def __init__(self, order_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., payment_id: _Optional[str] = ..., total_amount_minor: _Optional[int] = ..., currency: _Optional[str] = ...) -> None: ...

class OrderRefunded(_message.Message):
    __slots__ = ["amount_minor", "cancellation_reason", "currency", "customer_id", "lines", "note", "order_id", "payment_id", "previous_status", "refund_id"]
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    CANCELLATION_REASON_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_STATUS_FIELD_NUMBER: _ClassVar[int]
    REFUND_ID_FIELD_NUMBER: _ClassVar[int]
    amount_minor: int
    cancellation_reason: _order_pb2.CancellationReason
    currency: str
    customer_id: str
    lines: _containers.RepeatedCompositeFieldContainer[_order_pb2.OrderLine]
    note: str
    order_id: str
    payment_id: str
    previous_status: _order_pb2.OrderStatus
    refund_id: str
    def __init__(self, order_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., payment_id: _Optional[str] = ..., refund_id: _Optional[str] = ..., amount_minor: _Optional[int] = ..., currency: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[_order_pb2.OrderLine, _Mapping]]] = ..., previous_status: _Optional[_Union[_order_pb2.OrderStatus, str]] = ..., cancellation_reason: _Optional[_Union[_order_pb2.CancellationReason, str]] = ..., note: _Optional[str] = ...) -> None: ...

class OrderShipped(_message.Message):
    __slots__ = ["carrier", "customer_id", "order_id", "tracking_number"]
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    TRACKING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    carrier: str
    customer_id: str
    order_id: str
    tracking_number: str
    def __init__(self, order_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., carrier: _Optional[str] = ..., tracking_number: _Optional[str] = ...) -> None: ...
