"""Typed details of a failed Lattice call.

Every Lattice error is a ``google.rpc.Status`` sent in the ``grpc-status-details-bin`` trailer;
its details hold a ``google.rpc.ErrorInfo`` (reason, domain ``lattice.dev``, metadata), with
``INVALID_ARGUMENT`` a ``google.rpc.BadRequest`` (one violation per field path) and, when waiting
helps, a ``google.rpc.RetryInfo``. :func:`error_details` decodes them with the generated
``google.rpc`` messages; nothing is matched in message strings.
"""

from __future__ import annotations

import dataclasses
import datetime
from types import MappingProxyType
from typing import Mapping, Optional, Protocol, Sequence, Tuple, Union

import grpc

from google.rpc import error_details_pb2, status_pb2

STATUS_DETAILS_KEY = "grpc-status-details-bin"

_MetadataValue = Union[str, bytes]


class FailedCall(Protocol):
    """What a failed call offers: the ``grpc.RpcError`` raised by a stub is one."""

    def code(self) -> grpc.StatusCode: ...

    def details(self) -> Optional[str]: ...

    def trailing_metadata(self) -> Optional[Sequence[Tuple[str, _MetadataValue]]]: ...


@dataclasses.dataclass(frozen=True)
class ErrorDetails:
    """The gRPC code and the decoded details of one failed call."""

    code: grpc.StatusCode
    """The gRPC status code; ``code.name`` is the canonical upper-case name."""
    message: str = ""
    """The status message (for people; never parse it)."""
    reason: str = ""
    """``ErrorInfo.reason``, e.g. ``IDEMPOTENCY_KEY_REUSED``; empty without an ErrorInfo."""
    domain: str = ""
    """``ErrorInfo.domain``: ``lattice.dev`` for Lattice's own errors."""
    metadata: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """``ErrorInfo.metadata``, e.g. the permission a caller lacks."""
    field_violations: Mapping[str, Sequence[str]] = dataclasses.field(default_factory=dict)
    """``BadRequest`` violations: field path (``lines[0].quantity``) -> descriptions."""
    retry_delay: Optional[datetime.timedelta] = None
    """``RetryInfo.retry_delay``: how long to wait before trying again, when the server says."""


def error_details(error: FailedCall) -> ErrorDetails:
    """Decodes the ``google.rpc.Status`` details of a failed call (a ``grpc.RpcError``)."""
    status = status_pb2.Status()
    for key, value in error.trailing_metadata() or ():
        if key == STATUS_DETAILS_KEY and isinstance(value, bytes):
            status.ParseFromString(value)

    info = error_details_pb2.ErrorInfo()
    bad_request = error_details_pb2.BadRequest()
    retry_info: Optional[error_details_pb2.RetryInfo] = None
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            detail.Unpack(info)
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            detail.Unpack(bad_request)
        elif detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            retry_info = error_details_pb2.RetryInfo()
            detail.Unpack(retry_info)

    violations: dict[str, list[str]] = {}
    for violation in bad_request.field_violations:
        violations.setdefault(violation.field, []).append(violation.description)

    return ErrorDetails(
        code=error.code(),
        message=error.details() or status.message,
        reason=info.reason,
        domain=info.domain,
        metadata=MappingProxyType(dict(info.metadata)),
        field_violations=MappingProxyType({k: tuple(v) for k, v in violations.items()}),
        retry_delay=retry_info.retry_delay.ToTimedelta() if retry_info is not None else None,
    )
