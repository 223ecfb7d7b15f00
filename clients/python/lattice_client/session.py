"""A signed-in user: the access token every call carries, refreshed before it expires."""

from __future__ import annotations

import threading
import time
from typing import Optional, Union

import grpc

from lattice.identity.v1 import identity_service_pb2 as identity_pb
from lattice.identity.v1 import identity_service_pb2_grpc as identity_grpc
from lattice.identity.v1 import user_pb2

_Tokens = Union[identity_pb.LoginResponse, identity_pb.RefreshTokenResponse]

#: How long before the access token expires the session refreshes it (tokens live 15 minutes).
DEFAULT_REFRESH_MARGIN = 60.0


class Session:
    """Holds one user's tokens and hands a valid access token to every call.

    Create it with :meth:`login`; give it to :func:`lattice_client.channel`, whose calls then
    carry ``authorization: Bearer <access token>``. The access token is refreshed (through
    ``IdentityService.RefreshToken``, which spends the single-use refresh token and returns new
    ones) when less than ``refresh_margin`` seconds of its life remain, and once more when a call
    fails with ``UNAUTHENTICATED`` reason ``TOKEN_EXPIRED``. A session is thread-safe: concurrent
    calls never spend the same refresh token twice (a reused refresh token revokes the session).
    """

    def __init__(
        self,
        identity: grpc.Channel,
        tokens: _Tokens,
        *,
        user: Optional[user_pb2.User] = None,
        refresh_margin: float = DEFAULT_REFRESH_MARGIN,
    ) -> None:
        """Wraps tokens from Login or RefreshToken; ``identity`` is a channel to IdentityService."""
        self._identity = identity_grpc.IdentityServiceStub(identity)
        self._refresh_margin = refresh_margin
        self._lock = threading.Lock()
        self.user = user
        """The signed-in user as Login returned it."""
        self._store(tokens)

    @classmethod
    def login(
        cls,
        identity: grpc.Channel,
        tenant: str,
        email: str,
        password: str,
        *,
        refresh_margin: float = DEFAULT_REFRESH_MARGIN,
    ) -> "Session":
        """Signs in with ``IdentityService.Login`` (tenant slug, email, password).

        ``identity`` is a channel to IdentityService, normally ``lattice_client.channel(target)``
        (Login is public, no session needed). Raises ``grpc.RpcError`` as Login fails, e.g.
        ``UNAUTHENTICATED`` reason ``INVALID_CREDENTIALS``.
        """
        response = identity_grpc.IdentityServiceStub(identity).Login(
            identity_pb.LoginRequest(tenant_slug=tenant, email=email, password=password)
        )
        return cls(identity, response, user=response.user, refresh_margin=refresh_margin)

    def access_token(self) -> str:
        """A valid access token, refreshed first when it is about to expire."""
        with self._lock:
            if time.monotonic() < self._expires_at - self._refresh_margin:
                return self._access_token
            return self._refresh_locked()

    def refresh(self, stale: Optional[str] = None) -> str:
        """Exchanges the refresh token for new tokens and returns the new access token.

        With ``stale``, refreshes only while that is still the current access token (another
        call may have refreshed meanwhile), so that calls failing together refresh once.
        """
        with self._lock:
            if stale is not None and stale != self._access_token:
                return self._access_token
            return self._refresh_locked()

    def _refresh_locked(self) -> str:
        response = self._identity.RefreshToken(
            identity_pb.RefreshTokenRequest(refresh_token=self._refresh_token)
        )
        self._store(response)
        return self._access_token

    def _store(self, tokens: _Tokens) -> None:
        # The lifetime counts from receipt on the local monotonic clock, immune to clock skew.
        self._access_token = tokens.access_token
        self._refresh_token = tokens.refresh_token
        self._expires_at = time.monotonic() + tokens.expires_in
