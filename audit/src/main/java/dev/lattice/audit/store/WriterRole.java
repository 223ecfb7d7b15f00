package dev.lattice.audit.store;

import org.jooq.DSLContext;

/**
 * The database role the service uses for the log: {@value #NAME}, created by migration V2 with
 * SELECT and INSERT on the records (no UPDATE, DELETE or TRUNCATE) and SELECT, INSERT and UPDATE
 * on the chain heads. The pool's login role (the migration owner) is a member; every audit
 * transaction switches to it with {@code SET LOCAL ROLE}, which lasts until the transaction ends.
 */
final class WriterRole {

  /** The role's name (cluster-wide). */
  static final String NAME = "lattice_audit_writer";

  private WriterRole() {}

  /**
   * Switches the current transaction of {@code tx} to the writer role.
   *
   * @throws org.jooq.exception.DataAccessException when the login role is not a member
   */
  static void assume(DSLContext tx) {
    tx.execute("set local role " + NAME);
  }
}
