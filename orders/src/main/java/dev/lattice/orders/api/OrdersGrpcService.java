package dev.lattice.orders.api;

import dev.lattice.orders.v1.OrdersServiceGrpc;

/**
 * The gRPC face of the orders service. Requests reach it only after the platform's interceptors
 * (telemetry, error mapping, protovalidate), so every request here is already valid by its
 * contract. The RPCs are built by issue #5; until then the generated base answers
 * {@code UNIMPLEMENTED}, the one placeholder the foundation issue allows.
 */
public final class OrdersGrpcService extends OrdersServiceGrpc.OrdersServiceImplBase {}
