"""A tiny in-process Lattice server (identity and orders) on a loopback port, for the tests.

It speaks real gRPC with the generated servicers, records what each call carried, and fails
the way Lattice does: a google.rpc.Status in grpc-status-details-bin, with RetryInfo repeated
as grpc-retry-pushback-ms.
"""

from __future__ import annotations

import threading
import unittest
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

import grpc
from google.protobuf import any_pb2, duration_pb2

from google.rpc import error_details_pb2, status_pb2
from lattice.identity.v1 import identity_service_pb2 as identity_pb
from lattice.identity.v1 import identity_service_pb2_grpc as identity_grpc
from lattice.orders.v1 import order_pb2
from lattice.orders.v1 import orders_service_pb2 as orders_pb
from lattice.orders.v1 import orders_service_pb2_grpc as orders_grpc


def status_details(
    code: grpc.StatusCode,
    message: str,
    reason: str,
    *,
    metadata: Optional[dict[str, str]] = None,
    violations: Iterable[tuple[str, str]] = (),
    retry_ms: Optional[int] = None,
) -> bytes:
    """A serialized google.rpc.Status as Lattice sends it."""
    details = []
    info = any_pb2.Any()
    info.Pack(error_details_pb2.ErrorInfo(reason=reason, domain="lattice.dev", metadata=metadata))
    details.append(info)
    violations = list(violations)
    if violations:
        bad = any_pb2.Any()
        bad.Pack(
            error_details_pb2.BadRequest(
                field_violations=[
                    error_details_pb2.BadRequest.FieldViolation(field=f, description=d)
                    for f, d in violations
                ]
            )
        )
        details.append(bad)
    if retry_ms is not None:
        retry = any_pb2.Any()
        delay = duration_pb2.Duration()
        delay.FromMilliseconds(retry_ms)
        retry.Pack(error_details_pb2.RetryInfo(retry_delay=delay))
        details.append(retry)
    debug = any_pb2.Any()  # a detail type the helper does not decode: ignored
    debug.Pack(error_details_pb2.DebugInfo(detail="trace 42"))
    details.append(debug)
    return status_pb2.Status(code=code.value[0], message=message, details=details).SerializeToString()


def abort(context: grpc.ServicerContext, code: grpc.StatusCode, message: str, reason: str, **kw: Any) -> None:
    trailers = [("grpc-status-details-bin", status_details(code, message, reason, **kw))]
    if kw.get("retry_ms") is not None:
        trailers.append(("grpc-retry-pushback-ms", str(kw["retry_ms"])))
    context.set_trailing_metadata(tuple(trailers))
    context.abort(code, message)


@dataclass
class Seen:
    """What one call carried."""

    method: str
    metadata: dict[str, str]
    time_remaining: Optional[float]


@dataclass
class State:
    """Knobs and records of the fake server; reset by each test."""

    expires_in: int = 900
    refresh_generation: int = 1
    refreshes: int = 0
    expired_tokens: set[str] = field(default_factory=set)
    unavailable_attempts: int = 0  # GetOrder/CancelOrder fail this many attempts first
    pushback_ms: Optional[int] = 200
    fail_code: grpc.StatusCode = grpc.StatusCode.UNAVAILABLE
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def calls(self, method: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.method == method]


class FakeIdentity(identity_grpc.IdentityServiceServicer):
    def __init__(self, server: "FakeServer") -> None:
        self.server = server

    @property
    def state(self) -> State:
        return self.server.state

    def _tokens(self) -> dict[str, Any]:
        n = self.state.refresh_generation
        return dict(
            access_token=f"access-{n}",
            token_type="Bearer",
            expires_in=self.state.expires_in,
            refresh_token=f"refresh-{n}",
        )

    def Login(self, request: identity_pb.LoginRequest, context: grpc.ServicerContext) -> identity_pb.LoginResponse:
        if request.password != "secret":
            abort(context, grpc.StatusCode.UNAUTHENTICATED, "invalid credentials", "INVALID_CREDENTIALS")
        return identity_pb.LoginResponse(**self._tokens())

    def RefreshToken(
        self, request: identity_pb.RefreshTokenRequest, context: grpc.ServicerContext
    ) -> identity_pb.RefreshTokenResponse:
        with self.state.lock:
            if request.refresh_token != f"refresh-{self.state.refresh_generation}":
                abort(context, grpc.StatusCode.UNAUTHENTICATED, "spent", "REFRESH_TOKEN_REUSED")
            self.state.refresh_generation += 1
            self.state.refreshes += 1
            return identity_pb.RefreshTokenResponse(**self._tokens())


class FakeOrders(orders_grpc.OrdersServiceServicer):
    def __init__(self, server: "FakeServer") -> None:
        self.server = server

    @property
    def state(self) -> State:
        return self.server.state

    def _record(self, method: str, context: grpc.ServicerContext) -> Seen:
        seen = Seen(method, dict(context.invocation_metadata()), context.time_remaining())
        with self.state.lock:
            self.state.seen.append(seen)
        token = seen.metadata.get("authorization", "").removeprefix("Bearer ")
        if token in self.state.expired_tokens:
            abort(context, grpc.StatusCode.UNAUTHENTICATED, "token expired", "TOKEN_EXPIRED")
        return seen

    def _maybe_fail(self, method: str, context: grpc.ServicerContext) -> None:
        attempt = len(self.state.calls(method)) - 1
        if attempt < self.state.unavailable_attempts:
            abort(
                context,
                self.state.fail_code,
                "upstream restarting",
                "UPSTREAM_RESTARTING",
                retry_ms=self.state.pushback_ms,
            )

    def GetOrder(self, request: orders_pb.GetOrderRequest, context: grpc.ServicerContext) -> orders_pb.GetOrderResponse:
        self._record("GetOrder", context)
        self._maybe_fail("GetOrder", context)
        return orders_pb.GetOrderResponse(
            order=order_pb2.Order(id=request.order_id, status=order_pb2.ORDER_STATUS_PAID)
        )

    def CancelOrder(
        self, request: orders_pb.CancelOrderRequest, context: grpc.ServicerContext
    ) -> orders_pb.CancelOrderResponse:
        self._record("CancelOrder", context)
        self._maybe_fail("CancelOrder", context)
        return orders_pb.CancelOrderResponse(
            order=order_pb2.Order(id=request.order_id, status=order_pb2.ORDER_STATUS_CANCELLED)
        )

    def CreateOrder(
        self, request: orders_pb.CreateOrderRequest, context: grpc.ServicerContext
    ) -> orders_pb.CreateOrderResponse:
        seen = self._record("CreateOrder", context)
        violations = [
            (f"lines[{i}].quantity", "must be greater than or equal to 1")
            for i, line in enumerate(request.lines)
            if line.quantity < 1
        ]
        if violations:
            abort(
                context,
                grpc.StatusCode.INVALID_ARGUMENT,
                "invalid request",
                "INVALID_ARGUMENT",
                violations=violations,
            )
        return orders_pb.CreateOrderResponse(
            order=order_pb2.Order(id=seen.metadata.get("idempotency-key", "no key"))
        )


class FakeServer:
    """Identity and orders on one loopback port."""

    def __init__(self) -> None:
        self.state = State()
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        identity_grpc.add_IdentityServiceServicer_to_server(FakeIdentity(self), self._server)
        orders_grpc.add_OrdersServiceServicer_to_server(FakeOrders(self), self._server)
        self.target = f"127.0.0.1:{self._server.add_insecure_port('127.0.0.1:0')}"
        self._server.start()

    def reset(self) -> None:
        self.state = State()

    def stop(self) -> None:
        self._server.stop(grace=None)


class FakeServerTestCase(unittest.TestCase):
    """A test case with one FakeServer for the whole class, reset before each test."""

    server: FakeServer

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = FakeServer()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.server.stop()

    def setUp(self) -> None:
        self.server.reset()
