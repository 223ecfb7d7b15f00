package dev.lattice.platform.auth;

import dev.lattice.options.v1.Access;
import java.util.Objects;
import java.util.Optional;

/**
 * Who may call an RPC: the {@code (lattice.options.v1.access)} option of its proto method. Exactly
 * one of {@link Public}, {@link Authenticated} or {@link RequiresPermission}.
 */
public sealed interface AccessRule
    permits AccessRule.Public, AccessRule.Authenticated, AccessRule.RequiresPermission {

  /** No token needed; any {@code authorization} metadata is ignored. */
  record Public() implements AccessRule {}

  /** Any caller with a valid token. */
  record Authenticated() implements AccessRule {}

  /**
   * A caller whose token carries {@code permission}.
   *
   * @param permission such as {@code orders.read}
   */
  record RequiresPermission(String permission) implements AccessRule {

    /** Checks the permission is not blank. */
    public RequiresPermission {
      if (Objects.requireNonNull(permission, "permission").isBlank()) {
        throw new IllegalArgumentException("permission must not be blank");
      }
    }
  }

  /**
   * The rule an {@code Access} option states; empty when it states none that makes sense: no rule
   * set, {@code public: false}, {@code authenticated: false} or a blank permission.
   */
  static Optional<AccessRule> of(Access access) {
    return switch (access.getRuleCase()) {
      case PUBLIC -> access.getPublic() ? Optional.of(new Public()) : Optional.empty();
      case AUTHENTICATED ->
          access.getAuthenticated() ? Optional.of(new Authenticated()) : Optional.empty();
      case PERMISSION ->
          access.getPermission().isBlank()
              ? Optional.empty()
              : Optional.of(new RequiresPermission(access.getPermission()));
      case RULE_NOT_SET -> Optional.empty();
    };
  }
}
