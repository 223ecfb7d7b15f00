"""The channel's token, deadline, idempotency key and gRPC retries, against a real server."""

from __future__ import annotations

import time
import unittest

import grpc

import lattice_client
from fakes import FakeServerTestCase
from lattice.orders.v1 import orders_service_pb2 as orders_pb
from lattice.orders.v1 import orders_service_pb2_grpc as orders_grpc


class ChannelTest(FakeServerTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.identity = lattice_client.channel(self.server.target)
        self.addCleanup(self.identity.close)

    def orders(self, session: lattice_client.Session | None = None, **kw: float) -> orders_grpc.OrdersServiceStub:
        channel = lattice_client.channel(self.server.target, session, **kw)
        self.addCleanup(channel.close)
        return orders_grpc.OrdersServiceStub(channel)

    def login(self, **kw: float) -> lattice_client.Session:
        return lattice_client.Session.login(self.identity, "acme", "a@b.test", "secret", **kw)

    def get(self, orders: orders_grpc.OrdersServiceStub, **kw: float) -> orders_pb.GetOrderResponse:
        return orders.GetOrder(orders_pb.GetOrderRequest(order_id="o1"), **kw)

    def assertDeadline(self, remaining: float | None, timeout: float) -> None:
        """The server saw about ``timeout`` seconds (gRPC rounds the grpc-timeout header up)."""
        assert remaining is not None
        self.assertTrue(timeout - 1.0 < remaining <= timeout * 1.02, remaining)

    # Token and deadline.

    def test_calls_carry_the_bearer_token_and_the_default_deadline(self) -> None:
        self.get(self.orders(self.login()))
        (seen,) = self.server.state.calls("GetOrder")
        self.assertEqual(seen.metadata["authorization"], "Bearer access-1")
        self.assertDeadline(seen.time_remaining, 10.0)

    def test_the_callers_timeout_wins(self) -> None:
        self.get(self.orders(self.login()), timeout=3)
        self.get(self.orders(timeout=2))
        first, second = self.server.state.calls("GetOrder")
        self.assertDeadline(first.time_remaining, 3.0)
        self.assertDeadline(second.time_remaining, 2.0)

    def test_without_a_session_no_token(self) -> None:
        self.get(self.orders())
        (seen,) = self.server.state.calls("GetOrder")
        self.assertNotIn("authorization", seen.metadata)

    def test_an_explicit_authorization_is_left_alone(self) -> None:
        self.get(self.orders(self.login()), metadata=(("authorization", "Bearer mine"),))
        (seen,) = self.server.state.calls("GetOrder")
        self.assertEqual(seen.metadata["authorization"], "Bearer mine")

    def test_idempotency_key(self) -> None:
        orders = self.orders(self.login())
        key = lattice_client.new_idempotency_key()
        self.assertNotEqual(key, lattice_client.new_idempotency_key())
        request = orders_pb.CreateOrderRequest(
            lines=[orders_pb.CreateOrderRequest.Line(product_id="p", quantity=1)]
        )
        first = orders.CreateOrder(request, metadata=lattice_client.idempotency_metadata(key))
        again = orders.CreateOrder(request, metadata=lattice_client.idempotency_metadata(key))
        self.assertEqual(first.order.id, key)
        self.assertEqual(again.order.id, key)
        for seen in self.server.state.calls("CreateOrder"):
            self.assertEqual(seen.metadata["idempotency-key"], key)
            self.assertEqual(seen.metadata["authorization"], "Bearer access-1")

    # Session.

    def test_refresh_gives_a_new_token_and_spends_the_refresh_token_once(self) -> None:
        session = self.login()
        old = session.access_token()
        new = session.refresh()
        self.assertEqual((old, new), ("access-1", "access-2"))
        self.assertEqual(session.refresh(stale=old), "access-2")  # already refreshed
        self.assertEqual(self.server.state.refreshes, 1)

    def test_refreshes_before_expiry(self) -> None:
        self.server.state.expires_in = 30
        orders = self.orders(self.login(refresh_margin=60))
        self.get(orders)
        self.get(orders)
        self.assertEqual(
            [s.metadata["authorization"] for s in self.server.state.calls("GetOrder")],
            ["Bearer access-2", "Bearer access-3"],
        )

    def test_no_refresh_while_the_token_is_fresh(self) -> None:
        orders = self.orders(self.login())
        self.get(orders)
        self.get(orders)
        self.assertEqual(self.server.state.refreshes, 0)

    def test_refreshes_once_on_token_expired(self) -> None:
        self.server.state.expired_tokens = {"access-1"}
        self.assertEqual(self.get(self.orders(self.login())).order.id, "o1")
        self.assertEqual(
            [s.metadata["authorization"] for s in self.server.state.calls("GetOrder")],
            ["Bearer access-1", "Bearer access-2"],
        )
        self.assertEqual(self.server.state.refreshes, 1)

    def test_gives_up_after_one_refresh(self) -> None:
        self.server.state.expired_tokens = {"access-1", "access-2"}
        with self.assertRaises(grpc.RpcError) as raised:
            self.get(self.orders(self.login()))
        details = lattice_client.error_details(raised.exception)  # type: ignore[arg-type]
        self.assertEqual(details.reason, "TOKEN_EXPIRED")
        self.assertEqual(len(self.server.state.calls("GetOrder")), 2)
        self.assertEqual(self.server.state.refreshes, 1)

    # Retries (gRPC's own, configured from the descriptors).

    def test_retries_a_read_after_the_pushback(self) -> None:
        self.server.state.unavailable_attempts = 2
        self.server.state.pushback_ms = 300
        orders = self.orders(self.login())
        started = time.monotonic()
        self.assertEqual(self.get(orders).order.id, "o1")
        elapsed = time.monotonic() - started
        calls = self.server.state.calls("GetOrder")
        self.assertEqual(len(calls), 3)
        self.assertEqual(
            [c.metadata.get("grpc-previous-rpc-attempts") for c in calls], [None, "1", "2"]
        )
        # Backoff alone would wait at most 0.1 s + 0.2 s; the pushback makes it 2 x 0.3 s.
        self.assertGreaterEqual(elapsed, 0.6)
        self.assertLess(elapsed, 3.0)

    def test_at_most_five_attempts(self) -> None:
        self.server.state.unavailable_attempts = 100
        self.server.state.pushback_ms = 10
        with self.assertRaises(grpc.RpcError) as raised:
            self.get(self.orders(self.login()))
        self.assertEqual(raised.exception.code(), grpc.StatusCode.UNAVAILABLE)  # type: ignore[attr-defined]
        self.assertEqual(len(self.server.state.calls("GetOrder")), 5)

    def test_only_unavailable_is_retried(self) -> None:
        self.server.state.unavailable_attempts = 1
        self.server.state.fail_code = grpc.StatusCode.INTERNAL
        with self.assertRaises(grpc.RpcError):
            self.get(self.orders(self.login()))
        self.assertEqual(len(self.server.state.calls("GetOrder")), 1)

    def test_a_method_without_idempotency_level_is_not_retried(self) -> None:
        self.server.state.unavailable_attempts = 1
        with self.assertRaises(grpc.RpcError) as raised:
            self.orders(self.login()).CancelOrder(
                orders_pb.CancelOrderRequest(order_id="o1", version=1)
            )
        self.assertEqual(raised.exception.code(), grpc.StatusCode.UNAVAILABLE)  # type: ignore[attr-defined]
        self.assertEqual(len(self.server.state.calls("CancelOrder")), 1)


if __name__ == "__main__":
    unittest.main()
