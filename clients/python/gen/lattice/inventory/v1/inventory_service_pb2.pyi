from buf.validate import validate_pb2 as _validate_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from lattice.inventory.v1 import media_pb2 as _media_pb2
from lattice.inventory.v1 import product_pb2 as _product_pb2
from lattice.inventory.v1 import stock_pb2 as _stock_pb2
from lattice.options.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
PRODUCT_SEARCH_SORT_NEWEST: ProductSearchSort
PRODUCT_SEARCH_SORT_PRICE_ASCENDING: ProductSearchSort
PRODUCT_SEARCH_SORT_PRICE_DESCENDING: ProductSearchSort
PRODUCT_SEARCH_SORT_RELEVANCE: ProductSearchSort
PRODUCT_SEARCH_SORT_UNSPECIFIED: ProductSearchSort

class AdjustStockRequest(_message.Message):
    __slots__ = ["delta", "product_id", "reason", "version"]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    delta: int
    product_id: str
    reason: str
    version: int
    def __init__(self, product_id: _Optional[str] = ..., version: _Optional[int] = ..., delta: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class AdjustStockResponse(_message.Message):
    __slots__ = ["stock"]
    STOCK_FIELD_NUMBER: _ClassVar[int]
    stock: _stock_pb2.Stock
    def __init__(self, stock: _Optional[_Union[_stock_pb2.Stock, _Mapping]] = ...) -> None: ...

class BatchGetProductsRequest(_message.Message):
    __slots__ = ["product_ids"]
    PRODUCT_IDS_FIELD_NUMBER: _ClassVar[int]
    product_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, product_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class BatchGetProductsResponse(_message.Message):
    __slots__ = ["products"]
    PRODUCTS_FIELD_NUMBER: _ClassVar[int]
    products: _containers.RepeatedCompositeFieldContainer[_product_pb2.Product]
    def __init__(self, products: _Optional[_Iterable[_Union[_product_pb2.Product, _Mapping]]] = ...) -> None: ...

class CompleteUploadRequest(_message.Message):
    __slots__ = ["media_id", "product_id"]
    MEDIA_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    media_id: str
    product_id: str
    def __init__(self, product_id: _Optional[str] = ..., media_id: _Optional[str] = ...) -> None: ...

class CompleteUploadResponse(_message.Message):
    __slots__ = ["media"]
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    media: _media_pb2.Media
    def __init__(self, media: _Optional[_Union[_media_pb2.Media, _Mapping]] = ...) -> None: ...

class CreateProductRequest(_message.Message):
    __slots__ = ["currency", "description", "initial_stock", "name", "price_amount_minor", "sku"]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    INITIAL_STOCK_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PRICE_AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    currency: str
    description: str
    initial_stock: int
    name: str
    price_amount_minor: int
    sku: str
    def __init__(self, sku: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., price_amount_minor: _Optional[int] = ..., currency: _Optional[str] = ..., initial_stock: _Optional[int] = ...) -> None: ...

class CreateProductResponse(_message.Message):
    __slots__ = ["product", "stock"]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    STOCK_FIELD_NUMBER: _ClassVar[int]
    product: _product_pb2.Product
    stock: _stock_pb2.Stock
    def __init__(self, product: _Optional[_Union[_product_pb2.Product, _Mapping]] = ..., stock: _Optional[_Union[_stock_pb2.Stock, _Mapping]] = ...) -> None: ...

class CreateUploadRequest(_message.Message):
    __slots__ = ["content_type", "file_name", "product_id", "sha256", "size_bytes", "visibility"]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_FIELD_NUMBER: _ClassVar[int]
    content_type: str
    file_name: str
    product_id: str
    sha256: str
    size_bytes: int
    visibility: _media_pb2.MediaVisibility
    def __init__(self, product_id: _Optional[str] = ..., file_name: _Optional[str] = ..., content_type: _Optional[str] = ..., size_bytes: _Optional[int] = ..., sha256: _Optional[str] = ..., visibility: _Optional[_Union[_media_pb2.MediaVisibility, str]] = ...) -> None: ...

class CreateUploadResponse(_message.Message):
    __slots__ = ["media", "upload"]
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_FIELD_NUMBER: _ClassVar[int]
    media: _media_pb2.Media
    upload: _media_pb2.UploadTarget
    def __init__(self, media: _Optional[_Union[_media_pb2.Media, _Mapping]] = ..., upload: _Optional[_Union[_media_pb2.UploadTarget, _Mapping]] = ...) -> None: ...

class DeleteMediaRequest(_message.Message):
    __slots__ = ["media_id", "product_id", "version"]
    MEDIA_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    media_id: str
    product_id: str
    version: int
    def __init__(self, product_id: _Optional[str] = ..., media_id: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class DeleteMediaResponse(_message.Message):
    __slots__ = ["media"]
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    media: _media_pb2.Media
    def __init__(self, media: _Optional[_Union[_media_pb2.Media, _Mapping]] = ...) -> None: ...

class DeleteProductRequest(_message.Message):
    __slots__ = ["product_id", "version"]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    version: int
    def __init__(self, product_id: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class DeleteProductResponse(_message.Message):
    __slots__ = ["product"]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    product: _product_pb2.Product
    def __init__(self, product: _Optional[_Union[_product_pb2.Product, _Mapping]] = ...) -> None: ...

class GetMediaRequest(_message.Message):
    __slots__ = ["media_id", "product_id"]
    MEDIA_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    media_id: str
    product_id: str
    def __init__(self, product_id: _Optional[str] = ..., media_id: _Optional[str] = ...) -> None: ...

class GetMediaResponse(_message.Message):
    __slots__ = ["media"]
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    media: _media_pb2.Media
    def __init__(self, media: _Optional[_Union[_media_pb2.Media, _Mapping]] = ...) -> None: ...

class GetProductRequest(_message.Message):
    __slots__ = ["product_id"]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    def __init__(self, product_id: _Optional[str] = ...) -> None: ...

class GetProductResponse(_message.Message):
    __slots__ = ["product"]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    product: _product_pb2.Product
    def __init__(self, product: _Optional[_Union[_product_pb2.Product, _Mapping]] = ...) -> None: ...

class GetStockRequest(_message.Message):
    __slots__ = ["product_id"]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    def __init__(self, product_id: _Optional[str] = ...) -> None: ...

class GetStockResponse(_message.Message):
    __slots__ = ["stock"]
    STOCK_FIELD_NUMBER: _ClassVar[int]
    stock: _stock_pb2.Stock
    def __init__(self, stock: _Optional[_Union[_stock_pb2.Stock, _Mapping]] = ...) -> None: ...

class HighlightedText(_message.Message):
    __slots__ = ["highlights", "text"]
    class Range(_message.Message):
        __slots__ = ["end", "start"]
        END_FIELD_NUMBER: _ClassVar[int]
        START_FIELD_NUMBER: _ClassVar[int]
        end: int
        start: int
        def __init__(self, start: _Optional[int] = ..., end: _Optional[int] = ...) -> None: ...
    HIGHLIGHTS_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    highlights: _containers.RepeatedCompositeFieldContainer[HighlightedText.Range]
    text: str
    def __init__(self, text: _Optional[str] = ..., highlights: _Optional[_Iterable[_Union[HighlightedText.Range, _Mapping]]] = ...) -> None: ...

class ListMediaRequest(_message.Message):
    __slots__ = ["page_size", "page_token", "product_id", "show_deleted"]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    SHOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    product_id: str
    show_deleted: bool
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., product_id: _Optional[str] = ..., show_deleted: bool = ...) -> None: ...

class ListMediaResponse(_message.Message):
    __slots__ = ["media", "next_page_token"]
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    media: _containers.RepeatedCompositeFieldContainer[_media_pb2.Media]
    next_page_token: str
    def __init__(self, media: _Optional[_Iterable[_Union[_media_pb2.Media, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListProductsRequest(_message.Message):
    __slots__ = ["name_contains", "page_size", "page_token", "show_deleted", "sku_prefix"]
    NAME_CONTAINS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SHOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    SKU_PREFIX_FIELD_NUMBER: _ClassVar[int]
    name_contains: str
    page_size: int
    page_token: str
    show_deleted: bool
    sku_prefix: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., sku_prefix: _Optional[str] = ..., name_contains: _Optional[str] = ..., show_deleted: bool = ...) -> None: ...

class ListProductsResponse(_message.Message):
    __slots__ = ["next_page_token", "products"]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PRODUCTS_FIELD_NUMBER: _ClassVar[int]
    next_page_token: str
    products: _containers.RepeatedCompositeFieldContainer[_product_pb2.Product]
    def __init__(self, products: _Optional[_Iterable[_Union[_product_pb2.Product, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ProductSearchFacets(_message.Message):
    __slots__ = ["currencies", "in_stock", "out_of_stock", "price_bands"]
    class CurrencyCount(_message.Message):
        __slots__ = ["count", "currency"]
        COUNT_FIELD_NUMBER: _ClassVar[int]
        CURRENCY_FIELD_NUMBER: _ClassVar[int]
        count: int
        currency: str
        def __init__(self, currency: _Optional[str] = ..., count: _Optional[int] = ...) -> None: ...
    class PriceBandCount(_message.Message):
        __slots__ = ["count", "max_amount_minor", "min_amount_minor"]
        COUNT_FIELD_NUMBER: _ClassVar[int]
        MAX_AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
        MIN_AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
        count: int
        max_amount_minor: int
        min_amount_minor: int
        def __init__(self, min_amount_minor: _Optional[int] = ..., max_amount_minor: _Optional[int] = ..., count: _Optional[int] = ...) -> None: ...
    CURRENCIES_FIELD_NUMBER: _ClassVar[int]
    IN_STOCK_FIELD_NUMBER: _ClassVar[int]
    OUT_OF_STOCK_FIELD_NUMBER: _ClassVar[int]
    PRICE_BANDS_FIELD_NUMBER: _ClassVar[int]
    currencies: _containers.RepeatedCompositeFieldContainer[ProductSearchFacets.CurrencyCount]
    in_stock: int
    out_of_stock: int
    price_bands: _containers.RepeatedCompositeFieldContainer[ProductSearchFacets.PriceBandCount]
    def __init__(self, currencies: _Optional[_Iterable[_Union[ProductSearchFacets.CurrencyCount, _Mapping]]] = ..., price_bands: _Optional[_Iterable[_Union[ProductSearchFacets.PriceBandCount, _Mapping]]] = ..., in_stock: _Optional[int] = ..., out_of_stock: _Optional[int] = ...) -> None: ...

class ProductSearchHit(_message.Message):
    __slots__ = ["available", "description_snippet", "name", "product", "score"]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_SNIPPET_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    available: int
    description_snippet: HighlightedText
    name: HighlightedText
    product: _product_pb2.Product
    score: float
    def __init__(self, product: _Optional[_Union[_product_pb2.Product, _Mapping]] = ..., available: _Optional[int] = ..., score: _Optional[float] = ..., name: _Optional[_Union[HighlightedText, _Mapping]] = ..., description_snippet: _Optional[_Union[HighlightedText, _Mapping]] = ...) -> None: ...

class SearchProductsRequest(_message.Message):
    __slots__ = ["currency", "in_stock_only", "max_price_amount_minor", "min_price_amount_minor", "page_size", "page_token", "query", "sort"]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    IN_STOCK_ONLY_FIELD_NUMBER: _ClassVar[int]
    MAX_PRICE_AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    MIN_PRICE_AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    currency: str
    in_stock_only: bool
    max_price_amount_minor: int
    min_price_amount_minor: int
    page_size: int
    page_token: str
    query: str
    sort: ProductSearchSort
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., query: _Optional[str] = ..., min_price_amount_minor: _Optional[int] = ..., max_price_amount_minor: _Optional[int] = ..., currency: _Optional[str] = ..., in_stock_only: bool = ..., sort: _Optional[_Union[ProductSearchSort, str]] = ...) -> None: ...

class SearchProductsResponse(_message.Message):
    __slots__ = ["facets", "hits", "next_page_token", "total_size"]
    FACETS_FIELD_NUMBER: _ClassVar[int]
    HITS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    facets: ProductSearchFacets
    hits: _containers.RepeatedCompositeFieldContainer[ProductSearchHit]
    next_page_token: str
    total_size: int
    def __init__(self, hits: _Optional[_Iterable[_Union[ProductSearchHit, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ..., facets: _Optional[_Union[ProductSearchFacets, _Mapping]] = ...) -> None: ...

class UpdateProductRequest(_message.Message):
    __slots__ = ["product", "product_id", "update_mask", "version"]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    product: _product_pb2.Product
    product_id: str
    update_mask: _field_mask_pb2.FieldMask
    version: int
    def __init__(self, product_id: _Optional[str] = ..., version: _Optional[int] = ..., product: _Optional[_Union[_product_pb2.Product, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateProductResponse(_message.Message):
    __slots__ = ["product"]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    product: _product_pb2.Product
    def __init__(self, product: _Optional[_Union[_product_pb2.Product, _Mapping]] = ...) -> None: ...

class ProductSearchSort(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
