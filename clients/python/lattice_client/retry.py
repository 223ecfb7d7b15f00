"""The retry policy of every Lattice channel, built from the contracts.

The contracts mark the RPCs that are safe to repeat: reads with
``option idempotency_level = NO_SIDE_EFFECTS`` and keyed writes (``idempotency-key`` metadata)
with ``IDEMPOTENT``. This module reads those options from the generated descriptors (every
``*_pb2`` module of the ``lattice`` package) and turns them into a gRPC service config, so that
gRPC itself retries them on ``UNAVAILABLE`` and honours the server's ``grpc-retry-pushback-ms``.
Nothing here is a hand-kept list of methods.
"""

from __future__ import annotations

import functools
import importlib
from pathlib import Path
from typing import Any, Iterator

from google.protobuf import descriptor_pb2
from google.protobuf.descriptor import FileDescriptor, MethodDescriptor

#: The idempotency levels gRPC may retry.
RETRYABLE_LEVELS = frozenset(
    {
        descriptor_pb2.MethodOptions.NO_SIDE_EFFECTS,
        descriptor_pb2.MethodOptions.IDEMPOTENT,
    }
)

#: gRPC's retry policy for those methods: only UNAVAILABLE, at most 5 attempts (the first
#: included), exponential backoff 100 ms, 200 ms, ... up to 2 s (gRPC jitters each delay; a
#: server's pushback replaces it).
RETRY_POLICY: dict[str, Any] = {
    "maxAttempts": 5,
    "initialBackoff": "0.1s",
    "maxBackoff": "2s",
    "backoffMultiplier": 2,
    "retryableStatusCodes": ["UNAVAILABLE"],
}


def _generated_files() -> Iterator[FileDescriptor]:
    """Imports every generated ``lattice.*_pb2`` module and yields its file descriptor."""
    import lattice  # the generated code's namespace package

    for root in map(Path, lattice.__path__):
        for path in sorted(root.rglob("*_pb2.py")):
            parts = path.relative_to(root.parent).with_suffix("").parts
            yield importlib.import_module(".".join(parts)).DESCRIPTOR


@functools.cache
def retryable_methods() -> tuple[MethodDescriptor, ...]:
    """Every RPC of the contracts marked ``NO_SIDE_EFFECTS`` or ``IDEMPOTENT``."""
    return tuple(
        method
        for file in _generated_files()
        for service in file.services_by_name.values()
        for method in service.methods
        if method.GetOptions().idempotency_level in RETRYABLE_LEVELS
    )


def service_config() -> dict[str, Any]:
    """The gRPC service config (as a JSON-ready dict) that retries exactly the retryable RPCs."""
    return {
        "methodConfig": [
            {
                "name": [
                    {"service": method.containing_service.full_name, "method": method.name}
                    for method in retryable_methods()
                ],
                "retryPolicy": RETRY_POLICY,
            }
        ]
    }
