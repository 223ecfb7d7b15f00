package dev.lattice.notifications.api;

import dev.lattice.notifications.v1.NotificationsServiceGrpc;

/**
 * The gRPC face of the notifications service. Requests reach it only after the platform's interceptors
 * (telemetry, error mapping, protovalidate), so every request here is already valid by its
 * contract. The RPCs are built by issue #6; until then the generated base answers
 * {@code UNIMPLEMENTED}, the one placeholder the foundation issue allows.
 */
public final class NotificationsGrpcService extends NotificationsServiceGrpc.NotificationsServiceImplBase {}
