package dev.lattice.payments.api;

import dev.lattice.payments.v1.PaymentsServiceGrpc;

/**
 * The gRPC face of the payments service. Requests reach it only after the platform's interceptors
 * (telemetry, error mapping, protovalidate), so every request here is already valid by its
 * contract. The RPCs are built by issue #5; until then the generated base answers
 * {@code UNIMPLEMENTED}, the one placeholder the foundation issue allows.
 */
public final class PaymentsGrpcService extends PaymentsServiceGrpc.PaymentsServiceImplBase {}
