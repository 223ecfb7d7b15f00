package dev.lattice.identity.store;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A row of {@code users} as identity's flows see it. Statuses are the column's text ({@code
 * PENDING_VERIFICATION}, {@code ACTIVE}, {@code DISABLED}, {@code DELETED}); a time that is not set
 * is {@code null}. Immutable: {@link UserStore}'s changes return the user as it now is.
 *
 * @param passwordHash the Argon2id hash; {@code null} until an initial admin sets a password
 * @param preDeleteStatus the status RestoreUser returns to; set only while deleted
 */
public record StoredUser(
    UUID id,
    UUID tenantId,
    String email,
    String emailNormalized,
    String passwordHash,
    String displayName,
    String locale,
    String status,
    String preDeleteStatus,
    OffsetDateTime createTime,
    OffsetDateTime updateTime,
    OffsetDateTime deleteTime,
    OffsetDateTime verifyTime,
    long version) {

  /** True once soft-deleted. */
  public boolean deleted() {
    return deleteTime != null;
  }

  StoredUser withPassword(String hash, OffsetDateTime at) {
    return new StoredUser(
        id,
        tenantId,
        email,
        emailNormalized,
        hash,
        displayName,
        locale,
        status,
        preDeleteStatus,
        createTime,
        at,
        deleteTime,
        verifyTime,
        version + 1);
  }

  StoredUser withStatus(
      String newStatus,
      String newPreDeleteStatus,
      OffsetDateTime newDeleteTime,
      OffsetDateTime newVerifyTime,
      OffsetDateTime at) {
    return new StoredUser(
        id,
        tenantId,
        email,
        emailNormalized,
        passwordHash,
        displayName,
        locale,
        newStatus,
        newPreDeleteStatus,
        createTime,
        at,
        newDeleteTime,
        newVerifyTime,
        version + 1);
  }

  StoredUser touched(OffsetDateTime at) {
    return new StoredUser(
        id,
        tenantId,
        email,
        emailNormalized,
        passwordHash,
        displayName,
        locale,
        status,
        preDeleteStatus,
        createTime,
        at,
        deleteTime,
        verifyTime,
        version + 1);
  }

  @Override
  public String toString() {
    return "StoredUser[id="
        + id
        + ", tenantId="
        + tenantId
        + ", status="
        + status
        + ", version="
        + version
        + "]";
  }
}
