"""error_details decodes the google.rpc.Status that a real server sends."""

from __future__ import annotations

import datetime
import unittest

import grpc

import lattice_client
from fakes import FakeServerTestCase, status_details
from lattice.orders.v1 import orders_service_pb2 as orders_pb
from lattice.orders.v1 import orders_service_pb2_grpc as orders_grpc


class _Failed:
    """A failed call with given trailers (what grpc.RpcError offers)."""

    def __init__(self, code: grpc.StatusCode, trailers: tuple) -> None:
        self._code, self._trailers = code, trailers

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return "from the call"

    def trailing_metadata(self) -> tuple:
        return self._trailers


class ErrorDetailsTest(FakeServerTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.orders = orders_grpc.OrdersServiceStub(lattice_client.channel(self.server.target))

    def test_field_violations_over_the_wire(self) -> None:
        request = orders_pb.CreateOrderRequest(
            lines=[
                orders_pb.CreateOrderRequest.Line(product_id="a", quantity=1),
                orders_pb.CreateOrderRequest.Line(product_id="b", quantity=0),
            ]
        )
        with self.assertRaises(grpc.RpcError) as raised:
            self.orders.CreateOrder(request)
        details = lattice_client.error_details(raised.exception)  # type: ignore[arg-type]
        self.assertEqual(details.code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertEqual(details.code.name, "INVALID_ARGUMENT")
        self.assertEqual(details.reason, "INVALID_ARGUMENT")
        self.assertEqual(details.domain, "lattice.dev")
        self.assertEqual(
            dict(details.field_violations),
            {"lines[1].quantity": ("must be greater than or equal to 1",)},
        )
        self.assertIsNone(details.retry_delay)

    def test_retry_info_over_the_wire(self) -> None:
        self.server.state.unavailable_attempts = 1
        self.server.state.pushback_ms = 1500
        with self.assertRaises(grpc.RpcError) as raised:
            self.orders.CancelOrder(orders_pb.CancelOrderRequest(order_id="o", version=1))
        details = lattice_client.error_details(raised.exception)  # type: ignore[arg-type]
        self.assertEqual(details.code, grpc.StatusCode.UNAVAILABLE)
        self.assertEqual(details.reason, "UPSTREAM_RESTARTING")
        self.assertEqual(details.retry_delay, datetime.timedelta(milliseconds=1500))
        self.assertEqual(details.message, "upstream restarting")

    def test_every_detail_of_a_serialized_status(self) -> None:
        blob = status_details(
            grpc.StatusCode.ABORTED,
            "stale",
            "VERSION_MISMATCH",
            metadata={"current_version": "7"},
            violations=[("version", "too old"), ("version", "really"), ("note", "long")],
            retry_ms=250,
        )
        details = lattice_client.error_details(
            _Failed(grpc.StatusCode.ABORTED, (("other", "x"), ("grpc-status-details-bin", blob)))
        )
        self.assertEqual(details.reason, "VERSION_MISMATCH")
        self.assertEqual(dict(details.metadata), {"current_version": "7"})
        self.assertEqual(
            dict(details.field_violations), {"version": ("too old", "really"), "note": ("long",)}
        )
        self.assertEqual(details.retry_delay, datetime.timedelta(milliseconds=250))
        self.assertEqual(details.message, "from the call")

    def test_an_error_without_details(self) -> None:
        details = lattice_client.error_details(_Failed(grpc.StatusCode.INTERNAL, ()))
        self.assertEqual(details.code, grpc.StatusCode.INTERNAL)
        self.assertEqual((details.reason, details.domain), ("", ""))
        self.assertEqual(dict(details.field_violations), {})
        self.assertIsNone(details.retry_delay)


if __name__ == "__main__":
    unittest.main()
