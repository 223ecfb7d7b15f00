package dev.lattice.platform.grpc;

import dev.lattice.platform.auth.AccessPolicy;
import dev.lattice.platform.auth.AccessRule;
import dev.lattice.platform.auth.AuthInterceptor;
import dev.lattice.platform.auth.TokenVerifier;
import dev.lattice.platform.errors.ErrorInterceptor;
import dev.lattice.platform.idempotency.IdempotencyInterceptor;
import dev.lattice.platform.idempotency.IdempotencyStore;
import dev.lattice.platform.telemetry.Telemetry;
import dev.lattice.platform.validation.ValidationInterceptor;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The interceptor chain of a {@link LatticeServer}'s application services, as its class comment
 * lists it (telemetry → errors → caller → auth → malformed requests → extra → validation →
 * idempotency → handler), and the checks that the services' access and idempotency options can be
 * honoured. An immutable value; thread-safe.
 *
 * @param services the application services (their protos' options decide auth and idempotency)
 * @param extra the extra interceptors, in registration order
 * @param validation the validation interceptor; null for the default one
 * @param verifier the token verifier; null for no authentication
 * @param idempotency the idempotency store; null for no idempotency keys
 */
record InterceptorChain(
    List<ServerServiceDefinition> services,
    List<ServerInterceptor> extra,
    Telemetry telemetry,
    ValidationInterceptor validation,
    TokenVerifier verifier,
    IdempotencyStore idempotency,
    Set<String> trustedProxies) {

  InterceptorChain {
    services = List.copyOf(services);
    extra = List.copyOf(extra);
  }

  /**
   * The chain, innermost first, as {@code ServerInterceptors.intercept} takes it (it runs the last
   * interceptor of the list first).
   *
   * @throws IllegalStateException if an RPC requires an idempotency key but idempotency or auth is
   *     not configured, or is public; with auth, if an RPC declares no valid access rule
   */
  List<ServerInterceptor> innermostFirst() {
    Set<String> keyed = IdempotencyInterceptor.methodsRequiringKey(services);
    if (!keyed.isEmpty() && (idempotency == null || verifier == null)) {
      throw new IllegalStateException(
          "RPCs requiring an idempotency key need .idempotency(store) and .auth(verifier): "
              + String.join(", ", new TreeSet<>(keyed)));
    }
    AccessPolicy policy = verifier != null ? AccessPolicy.of(services) : null;
    if (policy != null) {
      requireNoPublicKeyed(policy, keyed);
    }
    List<ServerInterceptor> innermostFirst = new ArrayList<>();
    if (idempotency != null) {
      innermostFirst.add(
          new IdempotencyInterceptor(
              idempotency, keyed, IdempotencyInterceptor.methodsClaimingInTransaction(services)));
    }
    innermostFirst.add(validation != null ? validation : new ValidationInterceptor());
    innermostFirst.addAll(extra.reversed());
    innermostFirst.add(MalformedRequests.interceptor());
    if (policy != null) {
      innermostFirst.add(new AuthInterceptor(policy, verifier));
    }
    innermostFirst.add(Caller.interceptor(trustedProxies));
    innermostFirst.add(new ErrorInterceptor());
    innermostFirst.add(telemetry.serverInterceptor());
    return innermostFirst;
  }

  /** Keys are scoped by the caller, so a keyed RPC cannot be public. */
  private static void requireNoPublicKeyed(AccessPolicy policy, Set<String> keyed) {
    List<String> publicKeyed =
        keyed.stream()
            .filter(m -> policy.ruleFor(m).orElse(null) instanceof AccessRule.Public)
            .sorted()
            .toList();
    if (!publicKeyed.isEmpty()) {
      throw new IllegalStateException(
          "public RPCs cannot require an idempotency key: " + String.join(", ", publicKeyed));
    }
  }
}
