package dev.lattice.inventory.api;

import dev.lattice.inventory.v1.InventoryServiceGrpc;

/**
 * The gRPC face of the inventory service. Requests reach it only after the platform's interceptors
 * (telemetry, error mapping, protovalidate), so every request here is already valid by its
 * contract. The RPCs are built by issue #5; until then the generated base answers
 * {@code UNIMPLEMENTED}, the one placeholder the foundation issue allows.
 */
public final class InventoryGrpcService extends InventoryServiceGrpc.InventoryServiceImplBase {}
