from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

CANCELLATION_REASON_CUSTOMER_REQUEST: CancellationReason
CANCELLATION_REASON_PAYMENT_FAILED: CancellationReason
CANCELLATION_REASON_RESERVATION_EXPIRED: CancellationReason
CANCELLATION_REASON_STAFF_REQUEST: CancellationReason
CANCELLATION_REASON_STOCK_REJECTED: CancellationReason
CANCELLATION_REASON_UNSPECIFIED: CancellationReason
DESCRIPTOR: _descriptor.FileDescriptor
ORDER_STATUS_CANCELLED: OrderStatus
ORDER_STATUS_CREATED: OrderStatus
ORDER_STATUS_DELIVERED: OrderStatus
ORDER_STATUS_PACKED: OrderStatus
ORDER_STATUS_PAID: OrderStatus
ORDER_STATUS_REFUNDED: OrderStatus
ORDER_STATUS_SHIPPED: OrderStatus
ORDER_STATUS_UNSPECIFIED: OrderStatus

class Order(_message.Message):
    __slots__ = ["cancel_time", "cancellation_note", "cancellation_reason", "create_time", "currency", "customer_id", "deliver_time", "id", "lines", "pack_time", "pay_time", "payment_id", "refund_time", "shipment", "status", "tenant_id", "total_amount_minor", "update_time", "version"]
    CANCELLATION_NOTE_FIELD_NUMBER: _ClassVar[int]
    CANCELLATION_REASON_FIELD_NUMBER: _ClassVar[int]
    CANCEL_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    DELIVER_TIME_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    PACK_TIME_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PAY_TIME_FIELD_NUMBER: _ClassVar[int]
    REFUND_TIME_FIELD_NUMBER: _ClassVar[int]
    SHIPMENT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    TOTAL_AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    cancel_time: _timestamp_pb2.Timestamp
    cancellation_note: str
    cancellation_reason: CancellationReason
    create_time: _timestamp_pb2.Timestamp
    currency: str
    customer_id: str
    deliver_time: _timestamp_pb2.Timestamp
    id: str
    lines: _containers.RepeatedCompositeFieldContainer[OrderLine]
    pack_time: _timestamp_pb2.Timestamp
    pay_time: _timestamp_pb2.Timestamp
    payment_id: str
    refund_time: _timestamp_pb2.Timestamp
    shipment: Shipment
    status: OrderStatus
    tenant_id: str
    total_amount_minor: int
    update_time: _timestamp_pb2.Timestamp
    version: int
    def __init__(self, id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., status: _Optional[_Union[OrderStatus, str]] = ..., lines: _Optional[_Iterable[_Union[OrderLine, _Mapping]]] = ..., currency: _Optional[str] = ..., total_amount_minor: _Optional[int] = ..., cancellation_reason: _Optional[_Union[CancellationReason, str]] = ..., cancellation_note: _Optional[str] = ..., payment_id: _Optional[str] = ..., shipment: _Optional[_Union[Shipment, _Mapping]] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., pay_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., pack_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., deliver_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., cancel_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., refund_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., version: _Optional[int] = ...) -> None: ...

class OrderLine(_message.Message):
    __slots__ = ["line_total_amount_minor", "name", "product_id", "quantity", "sku", "unit_price_amount_minor"]
    LINE_TOTAL_AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    line_total_amount_minor: int
    name: str
    product_id: str
    quantity: int
    sku: str
    unit_price_amount_minor: int
    def __init__(self, product_id: _Optional[str] = ..., sku: _Optional[str] = ..., name: _Optional[str] = ..., quantity: _Optional[int] = ..., unit_price_amount_minor: _Optional[int] = ..., line_total_amount_minor: _Optional[int] = ...) -> None: ...

class Shipment(_message.Message):
    __slots__ = ["carrier", "ship_time", "tracking_number"]
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    SHIP_TIME_FIELD_NUMBER: _ClassVar[int]
    TRACKING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    carrier: str
    ship_time: _timestamp_pb2.Timestamp
    tracking_number: str
    def __init__(self, carrier: _Optional[str] = ..., tracking_number: _Optional[str] = ..., ship_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OrderStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class CancellationReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
