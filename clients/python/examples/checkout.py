"""The checkout of clients/README.md, run with the Python helper against a running mesh.

Reads the LATTICE_* environment variables, prints progress to stderr and, as its last stdout
line, one JSON summary. Exits non-zero when any step does not behave as the README says.
Run it through ``clients/python/checkout`` (which sets PYTHONPATH).
"""

from __future__ import annotations

import base64
import json
import os
import sys
import time
from typing import Any, Callable

import grpc

import lattice_client
from lattice.inventory.v1 import inventory_service_pb2 as inventory_pb
from lattice.inventory.v1 import inventory_service_pb2_grpc as inventory_grpc
from lattice.orders.v1 import order_pb2
from lattice.orders.v1 import orders_service_pb2 as orders_pb
from lattice.orders.v1 import orders_service_pb2_grpc as orders_grpc

LANGUAGE = "python"
PAID_WITHIN = 90.0


class CheckoutFailed(Exception):
    """A step did not behave as clients/README.md says."""


def log(message: str) -> None:
    print(f"[{LANGUAGE}] {message}", file=sys.stderr, flush=True)


def check(condition: bool, message: str) -> None:
    if not condition:
        raise CheckoutFailed(message)


def env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise CheckoutFailed(f"environment variable {name} is not set")
    return value


def failure(call: Callable[[], Any]) -> lattice_client.ErrorDetails:
    """Runs a call that must fail and returns its decoded error."""
    try:
        call()
    except grpc.RpcError as error:
        return lattice_client.error_details(error)  # type: ignore[arg-type]
    raise CheckoutFailed("the call succeeded but should have failed")


def forged_token(real: str) -> str:
    """A well-formed ES256 JWT (the real token's header and claims) signed with random bytes."""
    header, claims, _ = real.split(".")
    signature = base64.urlsafe_b64encode(os.urandom(64)).rstrip(b"=").decode()
    return f"{header}.{claims}.{signature}"


def status_name(status: int) -> str:
    return order_pb2.OrderStatus.Name(status)  # type: ignore[arg-type]


def checkout() -> dict[str, Any]:
    tenant = env("LATTICE_TENANT")
    run = env("LATTICE_RUN")
    identity = lattice_client.channel(env("LATTICE_IDENTITY_TARGET"))

    # 1. Staff: a product with 5 units, then 5 more.
    staff = lattice_client.Session.login(
        identity, tenant, env("LATTICE_STAFF_EMAIL"), env("LATTICE_STAFF_PASSWORD")
    )
    inventory = inventory_grpc.InventoryServiceStub(
        lattice_client.channel(env("LATTICE_INVENTORY_TARGET"), staff)
    )
    sku = f"{LANGUAGE.upper()}-{run}"
    created = inventory.CreateProduct(
        inventory_pb.CreateProductRequest(
            sku=sku,
            name=f"Python checkout {run}",
            price_amount_minor=1999,
            currency="EUR",
            initial_stock=5,
        )
    )
    product_id = created.product.id
    check(created.stock.available == 5, f"new product has {created.stock.available} units, not 5")
    adjusted = inventory.AdjustStock(
        inventory_pb.AdjustStockRequest(
            product_id=product_id,
            version=created.stock.version,
            delta=5,
            reason=f"python checkout {run}",
        )
    ).stock
    check(adjusted.available == 10, f"stock after +5 is {adjusted.available}, not 10")
    log(f"staff created {sku} ({product_id}), stock {adjusted.available}")

    # 2. Customer: log in, refresh once explicitly.
    customer = lattice_client.Session.login(
        identity, tenant, env("LATTICE_CUSTOMER_EMAIL"), env("LATTICE_CUSTOMER_PASSWORD")
    )
    before = customer.access_token()
    after = customer.refresh()
    refreshed = bool(after) and after != before
    check(refreshed, "the refreshed access token equals the old one")
    log("customer logged in and refreshed the session")

    # 3. CreateOrder with a key, the same again (same order), a second with a new key.
    orders = orders_grpc.OrdersServiceStub(
        lattice_client.channel(env("LATTICE_ORDERS_TARGET"), customer)
    )

    def order_request(quantity: int, token: str = "tok_visa") -> orders_pb.CreateOrderRequest:
        return orders_pb.CreateOrderRequest(
            lines=[orders_pb.CreateOrderRequest.Line(product_id=product_id, quantity=quantity)],
            currency="EUR",
            payment_method_token=token,
        )

    first_key = lattice_client.new_idempotency_key()
    first = orders.CreateOrder(
        order_request(1), metadata=lattice_client.idempotency_metadata(first_key)
    ).order
    replay = orders.CreateOrder(
        order_request(1), metadata=lattice_client.idempotency_metadata(first_key)
    ).order
    check(replay.id == first.id, f"replay returned order {replay.id}, not {first.id}")
    second = orders.CreateOrder(
        order_request(1),
        metadata=lattice_client.idempotency_metadata(lattice_client.new_idempotency_key()),
    ).order
    check(second.id != first.id, "a new idempotency key returned the same order")
    log(f"orders {first.id} (replayed) and {second.id}")

    # 4. Wait until the first order is paid.
    give_up = time.monotonic() + PAID_WITHIN
    while True:
        order = orders.GetOrder(orders_pb.GetOrderRequest(order_id=first.id)).order
        if order.status == order_pb2.ORDER_STATUS_PAID:
            break
        check(
            order.status == order_pb2.ORDER_STATUS_CREATED,
            f"order {first.id} became {status_name(order.status)} "
            f"({order_pb2.CancellationReason.Name(order.cancellation_reason)})",
        )
        check(time.monotonic() < give_up, f"order {first.id} not paid within {PAID_WITHIN:.0f} s")
        time.sleep(0.25)
    final_status = status_name(order.status)
    log(f"order {first.id} is {final_status}")

    # 5. ListOrders one per page until next_page_token is empty.
    listed: list[str] = []
    pages = 0
    page_token = ""
    seen_tokens: set[str] = set()
    while True:
        page = orders.ListOrders(orders_pb.ListOrdersRequest(page_size=1, page_token=page_token))
        pages += 1
        check(len(page.orders) <= 1, f"page {pages} has {len(page.orders)} orders for page_size 1")
        listed.extend(o.id for o in page.orders)
        page_token = page.next_page_token
        if not page_token:
            break
        check(page_token not in seen_tokens, "ListOrders returned a page token twice")
        seen_tokens.add(page_token)
    check(len(set(listed)) == len(listed), "ListOrders listed an order twice")
    check(
        first.id in listed and second.id in listed,
        f"ListOrders did not list both orders: {listed}",
    )
    log(f"listed {len(listed)} orders in {pages} pages")

    # 6. Errors, decoded from the status details.
    invalid = failure(
        lambda: orders.CreateOrder(
            order_request(0, token=""),
            metadata=lattice_client.idempotency_metadata(lattice_client.new_idempotency_key()),
        )
    )
    check(invalid.code == grpc.StatusCode.INVALID_ARGUMENT, f"invalid order: {invalid.code.name}")
    for field in ("lines[0].quantity", "payment_method_token"):
        check(field in invalid.field_violations, f"no field violation for {field}: {invalid}")

    reused = failure(
        lambda: orders.CreateOrder(
            order_request(2), metadata=lattice_client.idempotency_metadata(first_key)
        )
    )
    check(
        reused.code == grpc.StatusCode.ALREADY_EXISTS
        and reused.reason == "IDEMPOTENCY_KEY_REUSED"
        and reused.domain == "lattice.dev",
        f"reused key: {reused}",
    )

    anonymous_orders = orders_grpc.OrdersServiceStub(
        lattice_client.channel(env("LATTICE_ORDERS_TARGET"))
    )
    forged = failure(
        lambda: anonymous_orders.GetOrder(
            orders_pb.GetOrderRequest(order_id=first.id),
            metadata=(("authorization", f"Bearer {forged_token(customer.access_token())}"),),
        )
    )
    check(
        forged.code == grpc.StatusCode.UNAUTHENTICATED and forged.reason == "TOKEN_INVALID",
        f"forged token: {forged}",
    )
    log(
        f"errors: {invalid.code.name} {sorted(invalid.field_violations)}, "
        f"{reused.code.name} {reused.reason}, {forged.code.name} {forged.reason}"
    )

    # 7. Through the faulty proxy: the channel retries GetOrder (twice, after the pushback)
    # and does not retry CancelOrder.
    faulty = orders_grpc.OrdersServiceStub(
        lattice_client.channel(env("LATTICE_ORDERS_FAULTY_TARGET"), customer)
    )
    started = time.monotonic()
    retried = faulty.GetOrder(orders_pb.GetOrderRequest(order_id=first.id)).order
    elapsed_ms = round((time.monotonic() - started) * 1000)
    check(retried.id == first.id, f"the retried GetOrder returned {retried.id}")
    check(retried.status == order_pb2.ORDER_STATUS_PAID, "the retried GetOrder is not PAID")

    version = orders.GetOrder(orders_pb.GetOrderRequest(order_id=second.id)).order.version
    not_retried = failure(
        lambda: faulty.CancelOrder(
            orders_pb.CancelOrderRequest(order_id=second.id, version=version, note="checkout")
        )
    )
    check(
        not_retried.code == grpc.StatusCode.UNAVAILABLE
        and not_retried.reason == "UPSTREAM_RESTARTING"
        and not_retried.retry_delay is not None,
        f"CancelOrder through the proxy: {not_retried}",
    )
    assert not_retried.retry_delay is not None
    retry_delay_ms = round(not_retried.retry_delay.total_seconds() * 1000)
    check(
        elapsed_ms >= 2 * retry_delay_ms,
        f"GetOrder through the proxy took {elapsed_ms} ms, less than two pushbacks of "
        f"{retry_delay_ms} ms",
    )
    log(
        f"GetOrder retried by the channel in {elapsed_ms} ms; CancelOrder not retried: "
        f"{not_retried.code.name} {not_retried.reason} {retry_delay_ms} ms"
    )

    return {
        "language": LANGUAGE,
        "productId": product_id,
        "sku": sku,
        "stockAfterAdjust": adjusted.available,
        "refreshed": refreshed,
        "orderId": first.id,
        "replayOrderId": replay.id,
        "secondOrderId": second.id,
        "finalStatus": final_status,
        "listedOrderIds": listed,
        "pages": pages,
        "invalid": {
            "code": invalid.code.name,
            "reason": invalid.reason,
            "fieldViolations": [
                {"field": field, "description": description}
                for field, descriptions in invalid.field_violations.items()
                for description in descriptions
            ],
        },
        "reused": {"code": reused.code.name, "reason": reused.reason, "domain": reused.domain},
        "forged": {"code": forged.code.name, "reason": forged.reason},
        "retried": {
            "orderId": retried.id,
            "status": status_name(retried.status),
            "elapsedMs": elapsed_ms,
        },
        "notRetried": {
            "code": not_retried.code.name,
            "reason": not_retried.reason,
            "retryDelayMs": retry_delay_ms,
        },
    }


def main() -> int:
    try:
        summary = checkout()
    except CheckoutFailed as failed:
        log(f"FAILED: {failed}")
        return 1
    except grpc.RpcError as error:
        details = lattice_client.error_details(error)  # type: ignore[arg-type]
        log(f"FAILED: unexpected {details.code.name} {details.reason}: {details.message}")
        return 1
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
