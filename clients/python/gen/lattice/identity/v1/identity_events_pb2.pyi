from google.protobuf import timestamp_pb2 as _timestamp_pb2
from lattice.identity.v1 import user_pb2 as _user_pb2
from lattice.options.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

ACCOUNT_MAIL_KIND_PASSWORD_RESET: AccountMailKind
ACCOUNT_MAIL_KIND_UNSPECIFIED: AccountMailKind
ACCOUNT_MAIL_KIND_VERIFICATION: AccountMailKind
DESCRIPTOR: _descriptor.FileDescriptor
PASSWORD_CHANGE_METHOD_CHANGE: PasswordChangeMethod
PASSWORD_CHANGE_METHOD_RESET: PasswordChangeMethod
PASSWORD_CHANGE_METHOD_UNSPECIFIED: PasswordChangeMethod
PASSWORD_RESET_PURPOSE_ACCOUNT_SETUP: PasswordResetPurpose
PASSWORD_RESET_PURPOSE_FORGOTTEN_PASSWORD: PasswordResetPurpose
PASSWORD_RESET_PURPOSE_UNSPECIFIED: PasswordResetPurpose

class AccountExistsNotified(_message.Message):
    __slots__ = ["display_name", "email", "locale", "user_id"]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    display_name: str
    email: str
    locale: str
    user_id: str
    def __init__(self, user_id: _Optional[str] = ..., email: _Optional[str] = ..., display_name: _Optional[str] = ..., locale: _Optional[str] = ...) -> None: ...

class AccountMailRequested(_message.Message):
    __slots__ = ["email", "kind"]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    email: str
    kind: AccountMailKind
    def __init__(self, email: _Optional[str] = ..., kind: _Optional[_Union[AccountMailKind, str]] = ...) -> None: ...

class EmailVerificationRequested(_message.Message):
    __slots__ = ["display_name", "email", "expire_time", "locale", "token", "user_id"]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    display_name: str
    email: str
    expire_time: _timestamp_pb2.Timestamp
    locale: str
    token: str
    user_id: str
    def __init__(self, user_id: _Optional[str] = ..., email: _Optional[str] = ..., display_name: _Optional[str] = ..., locale: _Optional[str] = ..., token: _Optional[str] = ..., expire_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class EmailVerified(_message.Message):
    __slots__ = ["email", "user_id"]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    email: str
    user_id: str
    def __init__(self, user_id: _Optional[str] = ..., email: _Optional[str] = ...) -> None: ...

class PasswordChanged(_message.Message):
    __slots__ = ["email", "method", "user_id"]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    email: str
    method: PasswordChangeMethod
    user_id: str
    def __init__(self, user_id: _Optional[str] = ..., email: _Optional[str] = ..., method: _Optional[_Union[PasswordChangeMethod, str]] = ...) -> None: ...

class PasswordResetRequested(_message.Message):
    __slots__ = ["display_name", "email", "expire_time", "locale", "purpose", "token", "user_id"]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    display_name: str
    email: str
    expire_time: _timestamp_pb2.Timestamp
    locale: str
    purpose: PasswordResetPurpose
    token: str
    user_id: str
    def __init__(self, user_id: _Optional[str] = ..., email: _Optional[str] = ..., display_name: _Optional[str] = ..., locale: _Optional[str] = ..., token: _Optional[str] = ..., expire_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., purpose: _Optional[_Union[PasswordResetPurpose, str]] = ...) -> None: ...

class RoleAssigned(_message.Message):
    __slots__ = ["role", "user_id"]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    role: str
    user_id: str
    def __init__(self, user_id: _Optional[str] = ..., role: _Optional[str] = ...) -> None: ...

class RoleCreated(_message.Message):
    __slots__ = ["name", "permissions"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PERMISSIONS_FIELD_NUMBER: _ClassVar[int]
    name: str
    permissions: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., permissions: _Optional[_Iterable[str]] = ...) -> None: ...

class RoleRevoked(_message.Message):
    __slots__ = ["role", "user_id"]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    role: str
    user_id: str
    def __init__(self, user_id: _Optional[str] = ..., role: _Optional[str] = ...) -> None: ...

class SigningKeyRotated(_message.Message):
    __slots__ = ["activate_time", "kid", "previous_key_retire_time", "previous_kid", "revoked_previous"]
    ACTIVATE_TIME_FIELD_NUMBER: _ClassVar[int]
    KID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_KEY_RETIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_KID_FIELD_NUMBER: _ClassVar[int]
    REVOKED_PREVIOUS_FIELD_NUMBER: _ClassVar[int]
    activate_time: _timestamp_pb2.Timestamp
    kid: str
    previous_key_retire_time: _timestamp_pb2.Timestamp
    previous_kid: str
    revoked_previous: bool
    def __init__(self, kid: _Optional[str] = ..., activate_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., previous_kid: _Optional[str] = ..., previous_key_retire_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., revoked_previous: bool = ...) -> None: ...

class TenantCreated(_message.Message):
    __slots__ = ["display_name", "initial_admin_display_name", "initial_admin_email", "initial_admin_locale", "initial_admin_user_id", "slug", "tenant_id"]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    INITIAL_ADMIN_DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    INITIAL_ADMIN_EMAIL_FIELD_NUMBER: _ClassVar[int]
    INITIAL_ADMIN_LOCALE_FIELD_NUMBER: _ClassVar[int]
    INITIAL_ADMIN_USER_ID_FIELD_NUMBER: _ClassVar[int]
    SLUG_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    display_name: str
    initial_admin_display_name: str
    initial_admin_email: str
    initial_admin_locale: str
    initial_admin_user_id: str
    slug: str
    tenant_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., slug: _Optional[str] = ..., display_name: _Optional[str] = ..., initial_admin_user_id: _Optional[str] = ..., initial_admin_email: _Optional[str] = ..., initial_admin_display_name: _Optional[str] = ..., initial_admin_locale: _Optional[str] = ...) -> None: ...

class UserDeleted(_message.Message):
    __slots__ = ["email", "user_id"]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    email: str
    user_id: str
    def __init__(self, user_id: _Optional[str] = ..., email: _Optional[str] = ...) -> None: ...

class UserRegistered(_message.Message):
    __slots__ = ["display_name", "email", "locale", "roles", "user_id"]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    display_name: str
    email: str
    locale: str
    roles: _containers.RepeatedScalarFieldContainer[str]
    user_id: str
    def __init__(self, user_id: _Optional[str] = ..., email: _Optional[str] = ..., display_name: _Optional[str] = ..., locale: _Optional[str] = ..., roles: _Optional[_Iterable[str]] = ...) -> None: ...

class UserRestored(_message.Message):
    __slots__ = ["email", "status", "user_id"]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    email: str
    status: _user_pb2.UserStatus
    user_id: str
    def __init__(self, user_id: _Optional[str] = ..., email: _Optional[str] = ..., status: _Optional[_Union[_user_pb2.UserStatus, str]] = ...) -> None: ...

class AccountMailKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class PasswordResetPurpose(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class PasswordChangeMethod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
