package dev.lattice.identity.api;

import dev.lattice.identity.v1.IdentityServiceGrpc;

/**
 * The gRPC face of the identity service. Requests reach it only after the platform's interceptors
 * (telemetry, error mapping, protovalidate), so every request here is already valid by its
 * contract. The RPCs are built by issue #4; until then the generated base answers
 * {@code UNIMPLEMENTED}, the one placeholder the foundation issue allows.
 */
public final class IdentityGrpcService extends IdentityServiceGrpc.IdentityServiceImplBase {}
