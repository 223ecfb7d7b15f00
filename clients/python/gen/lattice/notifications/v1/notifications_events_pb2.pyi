from lattice.notifications.v1 import notification_pb2 as _notification_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class NotificationFailed(_message.Message):
    __slots__ = ["attempt_count", "channel", "delivery_id", "error_code", "error_message", "recipient_id", "source_event_id", "template_key"]
    ATTEMPT_COUNT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_ID_FIELD_NUMBER: _ClassVar[int]
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_KEY_FIELD_NUMBER: _ClassVar[int]
    attempt_count: int
    channel: _notification_pb2.Channel
    delivery_id: str
    error_code: str
    error_message: str
    recipient_id: str
    source_event_id: str
    template_key: str
    def __init__(self, delivery_id: _Optional[str] = ..., recipient_id: _Optional[str] = ..., channel: _Optional[_Union[_notification_pb2.Channel, str]] = ..., template_key: _Optional[str] = ..., source_event_id: _Optional[str] = ..., error_code: _Optional[str] = ..., error_message: _Optional[str] = ..., attempt_count: _Optional[int] = ...) -> None: ...

class NotificationSent(_message.Message):
    __slots__ = ["attempt_count", "channel", "delivery_id", "provider_message_id", "recipient_id", "source_event_id", "template_key"]
    ATTEMPT_COUNT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_KEY_FIELD_NUMBER: _ClassVar[int]
    attempt_count: int
    channel: _notification_pb2.Channel
    delivery_id: str
    provider_message_id: str
    recipient_id: str
    source_event_id: str
    template_key: str
    def __init__(self, delivery_id: _Optional[str] = ..., recipient_id: _Optional[str] = ..., channel: _Optional[_Union[_notification_pb2.Channel, str]] = ..., template_key: _Optional[str] = ..., source_event_id: _Optional[str] = ..., provider_message_id: _Optional[str] = ..., attempt_count: _Optional[int] = ...) -> None: ...
