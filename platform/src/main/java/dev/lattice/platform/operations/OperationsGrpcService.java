package dev.lattice.platform.operations;

import dev.lattice.operations.v1.OperationsServiceGrpc;

/**
 * The operations service every Lattice server exposes: dead letters and outbox status. Its RPCs
 * are built with the events backbone (issue #3); until then the generated base answers {@code
 * UNIMPLEMENTED}, the one placeholder the foundation issue allows.
 */
public final class OperationsGrpcService extends OperationsServiceGrpc.OperationsServiceImplBase {}
