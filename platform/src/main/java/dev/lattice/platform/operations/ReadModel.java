package dev.lattice.platform.operations;

import dev.lattice.operations.v1.ReadModelStatus;

/**
 * A read model a service keeps from events (docs/architecture.md §6), as {@code
 * OperationsService.GetReadModelStatus} reports it. Implementations read their status from their
 * own store when asked; thread-safe.
 */
public interface ReadModel {

  /** Its size and freshness now. */
  ReadModelStatus status();
}
