package dev.lattice.platform.operations;

import dev.lattice.operations.v1.ReadModelStatus;

/**
 * A read model a service keeps from events (docs/architecture.md §6), as {@code
 * OperationsService.GetReadModelStatus} reports it and {@code RebuildReadModel} rebuilds it.
 * Implementations read their status from their own store when asked; thread-safe.
 */
public interface ReadModel {

  /** Its name, as {@link #status} reports it (e.g. {@code catalog-search}). */
  String name();

  /** Its size and freshness now. */
  ReadModelStatus status();

  /**
   * Starts rebuilding it from scratch while the current generation keeps serving, or joins the
   * rebuild already running; returns at once with the status, {@code last_rebuild} naming the
   * generation being filled.
   */
  ReadModelStatus rebuild();
}
