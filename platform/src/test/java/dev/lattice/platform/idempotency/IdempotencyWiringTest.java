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
        .containsExactly(IdempotentNotesServiceGrpc.getPostNoteMethod().getFullMethodName());
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
