package dev.lattice.audit.api;

import dev.lattice.audit.v1.AuditServiceGrpc;

/**
 * The gRPC face of the audit service. Requests reach it only after the platform's interceptors
 * (telemetry, error mapping, protovalidate), so every request here is already valid by its
 * contract. The RPCs are built by issue #6; until then the generated base answers
 * {@code UNIMPLEMENTED}, the one placeholder the foundation issue allows.
 */
public final class AuditGrpcService extends AuditServiceGrpc.AuditServiceImplBase {}
