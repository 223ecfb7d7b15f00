"""Channels to Lattice services: bearer token, deadline and retry policy on every call."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any, Callable, NamedTuple, Optional, Sequence, Tuple

import grpc

from .errors import error_details
from .retry import service_config
from .session import Session

#: The deadline of a call whose caller gives none, in seconds.
DEFAULT_TIMEOUT = 10.0

Metadata = Tuple[Tuple[str, str], ...]


def channel(
    target: str,
    session: Optional[Session] = None,
    *,
    credentials: Optional[grpc.ChannelCredentials] = None,
    timeout: float = DEFAULT_TIMEOUT,
    options: Sequence[Tuple[str, Any]] = (),
) -> grpc.Channel:
    """A channel to a Lattice service (``host:port``) for the generated stubs.

    Every call through it:

    * carries ``authorization: Bearer <token>`` from ``session`` (when given), and is repeated
      once with a refreshed token if it fails with ``UNAUTHENTICATED`` reason ``TOKEN_EXPIRED``;
      a call whose own metadata already has ``authorization`` is left alone;
    * has a deadline, ``timeout`` seconds unless the call passes its own ``timeout=``;
    * is retried by gRPC itself when the contracts mark it ``NO_SIDE_EFFECTS`` or ``IDEMPOTENT``
      and it fails ``UNAVAILABLE`` (see :mod:`lattice_client.retry`).

    The channel is plaintext unless ``credentials`` (e.g. ``grpc.ssl_channel_credentials()``)
    are given. The token travels through a client interceptor rather than
    ``grpc.metadata_call_credentials``: gRPC core refuses call credentials on a plaintext
    channel ("does not have a sufficient security level"), ``grpc.local_channel_credentials()``
    admits them only towards loopback addresses, and the Lattice mesh speaks plaintext gRPC
    behind its edge. The interceptor also lets a call be repeated after a refresh.
    """
    channel_options = [
        ("grpc.enable_retries", 1),
        ("grpc.service_config", json.dumps(service_config())),
        *options,
    ]
    if credentials is None:
        raw = grpc.insecure_channel(target, options=channel_options)
    else:
        raw = grpc.secure_channel(target, credentials, options=channel_options)
    return grpc.intercept_channel(raw, _LatticeInterceptor(session, timeout))


def new_idempotency_key() -> str:
    """A fresh random idempotency key (a UUID), one per logical operation."""
    return str(uuid.uuid4())


def idempotency_metadata(key: str) -> Metadata:
    """Call metadata sending ``key`` as ``idempotency-key``.

    Use a new key (:func:`new_idempotency_key`) for each operation and the same key to repeat
    one: the server returns the stored result instead of acting twice::

        key = new_idempotency_key()
        orders.CreateOrder(request, metadata=idempotency_metadata(key))
    """
    return (("idempotency-key", key),)


class _CallDetails(NamedTuple):
    method: str
    timeout: Optional[float]
    metadata: Optional[Sequence[Tuple[str, Any]]]
    credentials: Optional[grpc.CallCredentials]
    wait_for_ready: Optional[bool]
    compression: Any


class _ClientCallDetails(_CallDetails, grpc.ClientCallDetails):
    """grpc.ClientCallDetails with values (gRPC only defines the abstract attributes)."""


class _LatticeInterceptor(grpc.UnaryUnaryClientInterceptor):
    """Adds the deadline and the session's token; refreshes once on TOKEN_EXPIRED.

    Every Lattice RPC is unary, so only unary calls are intercepted. To be able to repeat a
    call, the interceptor waits for its outcome, also for ``stub.Method.future(...)``.
    """

    def __init__(self, session: Optional[Session], timeout: float) -> None:
        self._session = session
        self._timeout = timeout

    def intercept_unary_unary(
        self,
        continuation: Callable[[grpc.ClientCallDetails, Any], Any],
        client_call_details: grpc.ClientCallDetails,
        request: Any,
    ) -> Any:
        timeout = client_call_details.timeout
        deadline = time.monotonic() + (self._timeout if timeout is None else timeout)
        metadata = tuple(client_call_details.metadata or ())
        if self._session is None or any(key == "authorization" for key, _ in metadata):
            return continuation(_details(client_call_details, deadline, metadata), request)

        token = self._session.access_token()
        outcome = continuation(
            _details(client_call_details, deadline, metadata, token), request
        )
        if outcome.code() == grpc.StatusCode.UNAUTHENTICATED:
            if error_details(outcome).reason == "TOKEN_EXPIRED":
                token = self._session.refresh(stale=token)
                outcome = continuation(
                    _details(client_call_details, deadline, metadata, token), request
                )
        return outcome


def _details(
    details: grpc.ClientCallDetails,
    deadline: float,
    metadata: Sequence[Tuple[str, Any]],
    token: Optional[str] = None,
) -> grpc.ClientCallDetails:
    if token is not None:
        metadata = (*metadata, ("authorization", f"Bearer {token}"))
    return _ClientCallDetails(
        method=details.method,
        timeout=max(deadline - time.monotonic(), 0.0),
        metadata=metadata,
        credentials=details.credentials,
        wait_for_ready=getattr(details, "wait_for_ready", None),
        compression=getattr(details, "compression", None),
    )
