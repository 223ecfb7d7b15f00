package dev.lattice.platform.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lattice.platform.errors.UnauthenticatedException;
import io.grpc.Context;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PrincipalTest {

  private final Principal alice =
      new Principal(
          "0190a5e4-0000-7000-8000-000000000001",
          "0190a5e4-0000-7000-8000-0000000000aa",
          Set.of("staff"),
          Set.of("orders.read"),
          "jti-1",
          Instant.parse("2030-01-01T00:15:00Z"),
          java.util.Optional.of("0190a5e4-0000-7000-8000-0000000000ff"));

  @Test
  void outsideACall_thereIsNoPrincipal() {
    assertThat(Principal.current()).isEmpty();

    UnauthenticatedException e =
        catchThrowableOfType(UnauthenticatedException.class, Principal::require);
    assertThat(e.reason()).isEqualTo(AuthErrors.TOKEN_MISSING);
  }

  @Test
  void bind_makesThePrincipalCurrentInThatContext() throws Exception {
    Principal seen = alice.bind(Context.current()).call(Principal::require);

    assertThat(seen).isSameAs(alice);
    assertThat(Principal.current()).isEmpty();
  }

  @Test
  void setsAreCopied_soThePrincipalIsImmutable() {
    Set<String> permissions = new HashSet<>(Set.of("orders.read"));
    Principal principal =
        new Principal(
            "s", "t", Set.of(), permissions, "j", Instant.EPOCH, java.util.Optional.empty());
    permissions.add("orders.manage");

    assertThat(principal.hasPermission("orders.manage")).isFalse();
  }
}
