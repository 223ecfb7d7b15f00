package dev.lattice.platform.db;

import org.jooq.DSLContext;

/**
 * Work done inside one database transaction.
 *
 * <p>It may run more than once (see {@link Transactions}): it must use only the {@code tx} context
 * it is given and have no effect outside the database (no messages sent, no in-memory state
 * changed) that a retry would repeat.
 *
 * @param <T> the result type
 */
@FunctionalInterface
public interface TransactionalCallable<T> {

  /**
   * Does the work; an exception rolls the transaction back.
   *
   * @param tx the context bound to the transaction
   */
  T run(DSLContext tx) throws Exception;
}
