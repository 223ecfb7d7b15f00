from google.protobuf import timestamp_pb2 as _timestamp_pb2
from lattice.notifications.v1 import notification_pb2 as _notification_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ChannelPreference(_message.Message):
    __slots__ = ["channel", "enabled", "type"]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    channel: _notification_pb2.Channel
    enabled: bool
    type: str
    def __init__(self, type: _Optional[str] = ..., channel: _Optional[_Union[_notification_pb2.Channel, str]] = ..., enabled: bool = ...) -> None: ...

class NotificationPreferences(_message.Message):
    __slots__ = ["entries", "update_time", "user_id", "version"]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[ChannelPreference]
    update_time: _timestamp_pb2.Timestamp
    user_id: str
    version: int
    def __init__(self, user_id: _Optional[str] = ..., entries: _Optional[_Iterable[_Union[ChannelPreference, _Mapping]]] = ..., update_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., version: _Optional[int] = ...) -> None: ...
