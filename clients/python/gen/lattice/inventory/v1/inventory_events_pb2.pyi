from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from lattice.inventory.v1 import media_pb2 as _media_pb2
from lattice.inventory.v1 import product_pb2 as _product_pb2
from lattice.inventory.v1 import stock_pb2 as _stock_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
STOCK_REJECTION_REASON_INSUFFICIENT_STOCK: StockRejectionReason
STOCK_REJECTION_REASON_PRODUCT_UNAVAILABLE: StockRejectionReason
STOCK_REJECTION_REASON_UNSPECIFIED: StockRejectionReason

class MediaDeleted(_message.Message):
    __slots__ = ["media"]
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    media: _media_pb2.Media
    def __init__(self, media: _Optional[_Union[_media_pb2.Media, _Mapping]] = ...) -> None: ...

class MediaQuarantined(_message.Message):
    __slots__ = ["media"]
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    media: _media_pb2.Media
    def __init__(self, media: _Optional[_Union[_media_pb2.Media, _Mapping]] = ...) -> None: ...

class MediaScanned(_message.Message):
    __slots__ = ["media"]
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    media: _media_pb2.Media
    def __init__(self, media: _Optional[_Union[_media_pb2.Media, _Mapping]] = ...) -> None: ...

class MediaUploaded(_message.Message):
    __slots__ = ["media"]
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    media: _media_pb2.Media
    def __init__(self, media: _Optional[_Union[_media_pb2.Media, _Mapping]] = ...) -> None: ...

class ProductCreated(_message.Message):
    __slots__ = ["initial_stock", "product"]
    INITIAL_STOCK_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    initial_stock: int
    product: _product_pb2.Product
    def __init__(self, product: _Optional[_Union[_product_pb2.Product, _Mapping]] = ..., initial_stock: _Optional[int] = ...) -> None: ...

class ProductDeleted(_message.Message):
    __slots__ = ["delete_time", "product_id", "sku"]
    DELETE_TIME_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    delete_time: _timestamp_pb2.Timestamp
    product_id: str
    sku: str
    def __init__(self, product_id: _Optional[str] = ..., sku: _Optional[str] = ..., delete_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ProductUpdated(_message.Message):
    __slots__ = ["changed_fields", "product"]
    CHANGED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    changed_fields: _field_mask_pb2.FieldMask
    product: _product_pb2.Product
    def __init__(self, product: _Optional[_Union[_product_pb2.Product, _Mapping]] = ..., changed_fields: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class ReservationExpired(_message.Message):
    __slots__ = ["lines", "order_id", "reservation_id", "stock"]
    LINES_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    STOCK_FIELD_NUMBER: _ClassVar[int]
    lines: _containers.RepeatedCompositeFieldContainer[_stock_pb2.StockLine]
    order_id: str
    reservation_id: str
    stock: _containers.RepeatedCompositeFieldContainer[_stock_pb2.Stock]
    def __init__(self, reservation_id: _Optional[str] = ..., order_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[_stock_pb2.StockLine, _Mapping]]] = ..., stock: _Optional[_Iterable[_Union[_stock_pb2.Stock, _Mapping]]] = ...) -> None: ...

class StockAdjusted(_message.Message):
    __slots__ = ["delta", "product_id", "reason", "stock"]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    STOCK_FIELD_NUMBER: _ClassVar[int]
    delta: int
    product_id: str
    reason: str
    stock: _stock_pb2.Stock
    def __init__(self, product_id: _Optional[str] = ..., delta: _Optional[int] = ..., reason: _Optional[str] = ..., stock: _Optional[_Union[_stock_pb2.Stock, _Mapping]] = ...) -> None: ...

class StockCommitted(_message.Message):
    __slots__ = ["lines", "order_id", "reservation_id", "stock"]
    LINES_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    STOCK_FIELD_NUMBER: _ClassVar[int]
    lines: _containers.RepeatedCompositeFieldContainer[_stock_pb2.StockLine]
    order_id: str
    reservation_id: str
    stock: _containers.RepeatedCompositeFieldContainer[_stock_pb2.Stock]
    def __init__(self, reservation_id: _Optional[str] = ..., order_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[_stock_pb2.StockLine, _Mapping]]] = ..., stock: _Optional[_Iterable[_Union[_stock_pb2.Stock, _Mapping]]] = ...) -> None: ...

class StockRejected(_message.Message):
    __slots__ = ["order_id", "reason", "short_lines"]
    class ShortLine(_message.Message):
        __slots__ = ["available", "product_id", "requested"]
        AVAILABLE_FIELD_NUMBER: _ClassVar[int]
        PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
        REQUESTED_FIELD_NUMBER: _ClassVar[int]
        available: int
        product_id: str
        requested: int
        def __init__(self, product_id: _Optional[str] = ..., requested: _Optional[int] = ..., available: _Optional[int] = ...) -> None: ...
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SHORT_LINES_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    reason: StockRejectionReason
    short_lines: _containers.RepeatedCompositeFieldContainer[StockRejected.ShortLine]
    def __init__(self, order_id: _Optional[str] = ..., reason: _Optional[_Union[StockRejectionReason, str]] = ..., short_lines: _Optional[_Iterable[_Union[StockRejected.ShortLine, _Mapping]]] = ...) -> None: ...

class StockReleased(_message.Message):
    __slots__ = ["lines", "order_id", "reservation_id", "stock"]
    LINES_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    STOCK_FIELD_NUMBER: _ClassVar[int]
    lines: _containers.RepeatedCompositeFieldContainer[_stock_pb2.StockLine]
    order_id: str
    reservation_id: str
    stock: _containers.RepeatedCompositeFieldContainer[_stock_pb2.Stock]
    def __init__(self, reservation_id: _Optional[str] = ..., order_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[_stock_pb2.StockLine, _Mapping]]] = ..., stock: _Optional[_Iterable[_Union[_stock_pb2.Stock, _Mapping]]] = ...) -> None: ...

class StockReserved(_message.Message):
    __slots__ = ["expire_time", "lines", "order_id", "reservation_id", "stock"]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    STOCK_FIELD_NUMBER: _ClassVar[int]
    expire_time: _timestamp_pb2.Timestamp
    lines: _containers.RepeatedCompositeFieldContainer[_stock_pb2.StockLine]
    order_id: str
    reservation_id: str
    stock: _containers.RepeatedCompositeFieldContainer[_stock_pb2.Stock]
    def __init__(self, reservation_id: _Optional[str] = ..., order_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[_stock_pb2.StockLine, _Mapping]]] = ..., expire_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., stock: _Optional[_Iterable[_Union[_stock_pb2.Stock, _Mapping]]] = ...) -> None: ...

class StockReturned(_message.Message):
    __slots__ = ["lines", "order_id", "reservation_id", "stock"]
    LINES_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    STOCK_FIELD_NUMBER: _ClassVar[int]
    lines: _containers.RepeatedCompositeFieldContainer[_stock_pb2.StockLine]
    order_id: str
    reservation_id: str
    stock: _containers.RepeatedCompositeFieldContainer[_stock_pb2.Stock]
    def __init__(self, reservation_id: _Optional[str] = ..., order_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[_stock_pb2.StockLine, _Mapping]]] = ..., stock: _Optional[_Iterable[_Union[_stock_pb2.Stock, _Mapping]]] = ...) -> None: ...

class StockRejectionReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
