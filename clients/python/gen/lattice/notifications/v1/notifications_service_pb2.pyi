from buf.validate import validate_pb2 as _validate_pb2
from google.api import annotations_pb2 as _annotations_pb2
from lattice.notifications.v1 import delivery_pb2 as _delivery_pb2
from lattice.notifications.v1 import notification_pb2 as _notification_pb2
from lattice.notifications.v1 import preference_pb2 as _preference_pb2
from lattice.notifications.v1 import template_pb2 as _template_pb2
from lattice.options.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetPreferencesRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class GetPreferencesResponse(_message.Message):
    __slots__ = ["preferences"]
    PREFERENCES_FIELD_NUMBER: _ClassVar[int]
    preferences: _preference_pb2.NotificationPreferences
    def __init__(self, preferences: _Optional[_Union[_preference_pb2.NotificationPreferences, _Mapping]] = ...) -> None: ...

class ListDeliveriesRequest(_message.Message):
    __slots__ = ["channel", "page_size", "page_token", "recipient_id", "source_event_id", "status"]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    channel: _notification_pb2.Channel
    page_size: int
    page_token: str
    recipient_id: str
    source_event_id: str
    status: _delivery_pb2.DeliveryStatus
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., status: _Optional[_Union[_delivery_pb2.DeliveryStatus, str]] = ..., recipient_id: _Optional[str] = ..., channel: _Optional[_Union[_notification_pb2.Channel, str]] = ..., source_event_id: _Optional[str] = ...) -> None: ...

class ListDeliveriesResponse(_message.Message):
    __slots__ = ["deliveries", "next_page_token"]
    DELIVERIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    deliveries: _containers.RepeatedCompositeFieldContainer[_delivery_pb2.Delivery]
    next_page_token: str
    def __init__(self, deliveries: _Optional[_Iterable[_Union[_delivery_pb2.Delivery, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListNotificationsRequest(_message.Message):
    __slots__ = ["page_size", "page_token", "unread_only"]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    UNREAD_ONLY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    unread_only: bool
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., unread_only: bool = ...) -> None: ...

class ListNotificationsResponse(_message.Message):
    __slots__ = ["next_page_token", "notifications", "unread_count"]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    NOTIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    UNREAD_COUNT_FIELD_NUMBER: _ClassVar[int]
    next_page_token: str
    notifications: _containers.RepeatedCompositeFieldContainer[_notification_pb2.Notification]
    unread_count: int
    def __init__(self, notifications: _Optional[_Iterable[_Union[_notification_pb2.Notification, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., unread_count: _Optional[int] = ...) -> None: ...

class ListTemplatesRequest(_message.Message):
    __slots__ = ["channel", "key", "locale", "page_size", "page_token"]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    channel: _notification_pb2.Channel
    key: str
    locale: str
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., key: _Optional[str] = ..., locale: _Optional[str] = ..., channel: _Optional[_Union[_notification_pb2.Channel, str]] = ...) -> None: ...

class ListTemplatesResponse(_message.Message):
    __slots__ = ["next_page_token", "templates"]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TEMPLATES_FIELD_NUMBER: _ClassVar[int]
    next_page_token: str
    templates: _containers.RepeatedCompositeFieldContainer[_template_pb2.Template]
    def __init__(self, templates: _Optional[_Iterable[_Union[_template_pb2.Template, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class MarkReadRequest(_message.Message):
    __slots__ = ["all", "notification_ids"]
    ALL_FIELD_NUMBER: _ClassVar[int]
    NOTIFICATION_IDS_FIELD_NUMBER: _ClassVar[int]
    all: bool
    notification_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, notification_ids: _Optional[_Iterable[str]] = ..., all: bool = ...) -> None: ...

class MarkReadResponse(_message.Message):
    __slots__ = ["marked_count", "unread_count"]
    MARKED_COUNT_FIELD_NUMBER: _ClassVar[int]
    UNREAD_COUNT_FIELD_NUMBER: _ClassVar[int]
    marked_count: int
    unread_count: int
    def __init__(self, marked_count: _Optional[int] = ..., unread_count: _Optional[int] = ...) -> None: ...

class UpdatePreferencesRequest(_message.Message):
    __slots__ = ["entries", "version"]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[_preference_pb2.ChannelPreference]
    version: int
    def __init__(self, version: _Optional[int] = ..., entries: _Optional[_Iterable[_Union[_preference_pb2.ChannelPreference, _Mapping]]] = ...) -> None: ...

class UpdatePreferencesResponse(_message.Message):
    __slots__ = ["preferences"]
    PREFERENCES_FIELD_NUMBER: _ClassVar[int]
    preferences: _preference_pb2.NotificationPreferences
    def __init__(self, preferences: _Optional[_Union[_preference_pb2.NotificationPreferences, _Mapping]] = ...) -> None: ...

class UpsertTemplateRequest(_message.Message):
    __slots__ = ["body", "channel", "key", "locale", "subject", "version"]
    BODY_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    body: str
    channel: _notification_pb2.Channel
    key: str
    locale: str
    subject: str
    version: int
    def __init__(self, key: _Optional[str] = ..., locale: _Optional[str] = ..., channel: _Optional[_Union[_notification_pb2.Channel, str]] = ..., subject: _Optional[str] = ..., body: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class UpsertTemplateResponse(_message.Message):
    __slots__ = ["created", "template"]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    created: bool
    template: _template_pb2.Template
    def __init__(self, template: _Optional[_Union[_template_pb2.Template, _Mapping]] = ..., created: bool = ...) -> None: ...
