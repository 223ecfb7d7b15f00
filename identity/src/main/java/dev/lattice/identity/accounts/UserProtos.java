package dev.lattice.identity.accounts;

import dev.lattice.identity.shared.Times;
import dev.lattice.identity.store.StoredUser;
import dev.lattice.identity.store.UserRoleStore;
import dev.lattice.identity.v1.User;
import dev.lattice.identity.v1.UserStatus;
import java.util.List;
import org.jooq.DSLContext;

/**
 * The proto form of a stored user, which every flow that answers with a user gives. Stateless and
 * thread-safe.
 */
public final class UserProtos {

  private UserProtos() {}

  /** The proto form of a user with its roles. */
  public static User toProto(StoredUser row, List<String> roles) {
    User.Builder user =
        User.newBuilder()
            .setId(row.id().toString())
            .setTenantId(row.tenantId().toString())
            .setEmail(row.email())
            .setDisplayName(row.displayName())
            .setLocale(row.locale())
            .setStatus(UserStatus.valueOf("USER_STATUS_" + row.status()))
            .addAllRoles(roles)
            .setCreateTime(Times.timestamp(row.createTime()))
            .setUpdateTime(Times.timestamp(row.updateTime()))
            .setVersion(row.version());
    if (row.deleteTime() != null) {
      user.setDeleteTime(Times.timestamp(row.deleteTime()));
    }
    if (row.verifyTime() != null) {
      user.setVerifyTime(Times.timestamp(row.verifyTime()));
    }
    return user.build();
  }

  /** The proto form of a user, reading its roles in {@code ctx}. */
  public static User toProto(DSLContext ctx, StoredUser row) {
    return toProto(row, UserRoleStore.roles(ctx, row.id()));
  }
}
