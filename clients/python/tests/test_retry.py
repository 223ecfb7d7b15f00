"""The retry service config comes from the contracts' idempotency levels."""

from __future__ import annotations

import importlib
import json
import os
import unittest

from google.protobuf import descriptor_pb2

import lattice_client

# The service modules of the contracts, named here only to check the helper's discovery.
SERVICE_MODULES = [
    "lattice.audit.v1.audit_service_pb2",
    "lattice.identity.v1.identity_service_pb2",
    "lattice.inventory.v1.inventory_service_pb2",
    "lattice.notifications.v1.notifications_service_pb2",
    "lattice.operations.v1.operations_service_pb2",
    "lattice.orders.v1.orders_service_pb2",
    "lattice.payments.v1.payments_service_pb2",
]


def configured() -> set[str]:
    (method_config,) = lattice_client.service_config()["methodConfig"]
    return {f"{n['service']}/{n['method']}" for n in method_config["name"]}


class ServiceConfigTest(unittest.TestCase):
    def test_names_exactly_the_methods_marked_in_the_descriptors(self) -> None:
        expected: set[str] = set()
        services = 0
        for name in SERVICE_MODULES:
            # Read the options from the serialized FileDescriptorProto, not the helper's route.
            file = descriptor_pb2.FileDescriptorProto.FromString(
                importlib.import_module(name).DESCRIPTOR.serialized_pb
            )
            for service in file.service:
                services += 1
                for method in service.method:
                    if method.options.idempotency_level in (
                        descriptor_pb2.MethodOptions.NO_SIDE_EFFECTS,
                        descriptor_pb2.MethodOptions.IDEMPOTENT,
                    ):
                        expected.add(f"{file.package}.{service.name}/{method.name}")
        self.assertEqual(services, 7)
        self.assertEqual(configured(), expected)

    def test_finds_every_service_file_of_the_generated_code(self) -> None:
        import lattice

        found = set()
        for root in lattice.__path__:
            for folder, _, files in os.walk(root):
                found.update(f for f in files if f.endswith("_service_pb2.py"))
        self.assertEqual(found, {m.rsplit(".", 1)[1] + ".py" for m in SERVICE_MODULES})

    def test_spot_checks(self) -> None:
        names = configured()
        for retried in [
            "lattice.orders.v1.OrdersService/GetOrder",
            "lattice.orders.v1.OrdersService/ListOrders",
            "lattice.orders.v1.OrdersService/CreateOrder",
            "lattice.orders.v1.OrdersService/RefundOrder",
            "lattice.payments.v1.PaymentsService/RefundPayment",
            "lattice.identity.v1.IdentityService/GetJwks",
            "lattice.inventory.v1.InventoryService/GetStock",
        ]:
            self.assertIn(retried, names)
        for not_retried in [
            "lattice.orders.v1.OrdersService/CancelOrder",
            "lattice.orders.v1.OrdersService/PackOrder",
            "lattice.identity.v1.IdentityService/Login",
            "lattice.identity.v1.IdentityService/RefreshToken",
            "lattice.inventory.v1.InventoryService/CreateProduct",
            "lattice.inventory.v1.InventoryService/AdjustStock",
        ]:
            self.assertNotIn(not_retried, names)

    def test_policy(self) -> None:
        (method_config,) = lattice_client.service_config()["methodConfig"]
        self.assertEqual(
            method_config["retryPolicy"],
            {
                "maxAttempts": 5,
                "initialBackoff": "0.1s",
                "maxBackoff": "2s",
                "backoffMultiplier": 2,
                "retryableStatusCodes": ["UNAVAILABLE"],
            },
        )
        self.assertNotIn("timeout", method_config)
        json.dumps(lattice_client.service_config())  # what the channel option carries


if __name__ == "__main__":
    unittest.main()
