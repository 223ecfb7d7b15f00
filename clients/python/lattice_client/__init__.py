"""A thin helper over the generated Lattice stubs (grpcio).

The generated code (``lattice.*``, from ``clients/python/gen``) is the API; this package only
configures what every call needs::

    import grpc
    import lattice_client
    from lattice.orders.v1 import orders_service_pb2 as orders_pb, orders_service_pb2_grpc

    identity = lattice_client.channel("127.0.0.1:12101")
    session = lattice_client.Session.login(identity, "platform", email, password)
    orders = orders_service_pb2_grpc.OrdersServiceStub(
        lattice_client.channel("127.0.0.1:12102", session))
    key = lattice_client.new_idempotency_key()
    try:
        order = orders.CreateOrder(request, metadata=lattice_client.idempotency_metadata(key)).order
    except grpc.RpcError as error:
        details = lattice_client.error_details(error)  # code, reason, field_violations, ...

* :func:`channel`: bearer token from a :class:`Session`, a 10 s default deadline, and gRPC
  retries of the RPCs the contracts mark ``NO_SIDE_EFFECTS``/``IDEMPOTENT`` (only
  ``UNAVAILABLE``, at most 5 attempts, backoff 100 ms to 2 s, server pushback honoured);
* :class:`Session`: logs in, refreshes the access token before it expires and once on
  ``UNAUTHENTICATED``/``TOKEN_EXPIRED``;
* :func:`new_idempotency_key`, :func:`idempotency_metadata`: the ``idempotency-key`` metadata;
* :func:`error_details`: the ``google.rpc.Status`` details of a failed call, typed.
"""

from .channel import DEFAULT_TIMEOUT, channel, idempotency_metadata, new_idempotency_key
from .errors import ErrorDetails, error_details
from .retry import RETRY_POLICY, retryable_methods, service_config
from .session import Session

__all__ = [
    "DEFAULT_TIMEOUT",
    "RETRY_POLICY",
    "ErrorDetails",
    "Session",
    "channel",
    "error_details",
    "idempotency_metadata",
    "new_idempotency_key",
    "retryable_methods",
    "service_config",
]
