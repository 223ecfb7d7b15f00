package dev.lattice.platform.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.platform.auth.AuthConfig;
import dev.lattice.platform.auth.TestTokens;
import dev.lattice.platform.auth.TokenVerifier;
import dev.lattice.platform.grpc.LatticeServer;
import dev.lattice.platform.testsupport.EchoServiceImpl;
import dev.lattice.platform.testsupport.IdempotentNotesServiceImpl;
import dev.lattice.testing.v1.IdempotentNotesServiceGrpc;
import io.grpc.inprocess.InProcessServerBuilder;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

class IdempotencyWiringTest {

  @Test
  void methodsRequiringKey_listsOnlyTheRpcsDeclaringTheOption() {
    assertThat(
            IdempotencyInterceptor.methodsRequiringKey(
                List.of(
                    new IdempotentNotesServiceImpl(null).bindService(),
                    new EchoServiceImpl(null).bindService())))
        .containsExactlyInAnyOrder(
            IdempotentNotesServiceGrpc.getPostNoteMethod().getFullMethodName(),
            IdempotentNotesServiceGrpc.getPostNoteInTransactionMethod().getFullMethodName());
  }

  @Test
  void methodsClaimingInTransaction_listsOnlyTheRpcsDeclaringThatOption() {
    assertThat(
            IdempotencyInterceptor.methodsClaimingInTransaction(
                List.of(
                    new IdempotentNotesServiceImpl(null).bindService(),
                    new EchoServiceImpl(null).bindService())))
        .containsExactly(
            IdempotentNotesServiceGrpc.getPostNoteInTransactionMethod().getFullMethodName());
  }

  @Test
  void interceptor_claimInTransactionWithoutAKey_isRefused() {
    IdempotencyStore store = new IdempotencyStore(DSL.using(SQLDialect.POSTGRES));

    assertThatThrownBy(
            () -> new IdempotencyInterceptor(store, Set.of("a/Keyed"), Set.of("a/Unkeyed")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a/Unkeyed");
  }

  @Test
  void build_keyedRpcWithoutStore_isRefused() {
    LatticeServer.Builder builder =
        LatticeServer.builder("notes", InProcessServerBuilder.forName("unused"))
            .addService(new IdempotentNotesServiceImpl(null))
            .auth(verifier());

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("PostNote");
  }

  @Test
  void build_keyedRpcWithoutAuth_isRefused() {
    LatticeServer.Builder builder =
        LatticeServer.builder("notes", InProcessServerBuilder.forName("unused"))
            .addService(new IdempotentNotesServiceImpl(null))
            .idempotency(new IdempotencyStore(DSL.using(SQLDialect.POSTGRES)));

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("PostNote");
  }

  private static TokenVerifier verifier() {
    return new TokenVerifier(
        AuthConfig.defaults(), TestTokens.generate().keySource(), Clock.systemUTC());
  }
}
