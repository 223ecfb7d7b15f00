package dev.lattice.examples.checkout;

import static dev.lattice.examples.checkout.Checks.check;
import static dev.lattice.examples.checkout.Checks.failure;
import static dev.lattice.examples.checkout.Checks.log;
import static dev.lattice.examples.checkout.Checks.map;

import dev.lattice.examples.client.BearerCredentials;
import dev.lattice.examples.client.IdempotencyKey;
import dev.lattice.examples.client.LatticeError;
import dev.lattice.examples.client.Session;
import dev.lattice.orders.v1.GetOrderRequest;
import dev.lattice.orders.v1.OrdersServiceGrpc;
import dev.lattice.orders.v1.OrdersServiceGrpc.OrdersServiceBlockingStub;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Step 6 of the checkout: the typed errors, decoded from the status details: an invalid order
 * (field violations), an idempotency key reused with another request, and a forged token.
 * Stateless.
 */
final class TypedErrors {

  private TypedErrors() {}

  /**
   * Meets the three errors as the customer.
   *
   * @param orders orders as the customer
   * @param ordersChannel the channel to orders, for a stub with the forged token
   * @param customer the customer's session, whose access token is forged
   * @param firstKey the key the first order was created with
   * @return the summary entries {@code invalid}, {@code reused} and {@code forged}
   */
  static Map<String, Object> meet(
      OrdersServiceBlockingStub orders,
      ManagedChannel ordersChannel,
      Session customer,
      String productId,
      IdempotencyKey firstKey,
      String firstOrderId) {
    Map<String, Object> summary = new LinkedHashMap<>();
    log("6. errors");
    LatticeError invalid =
        failure(
            () ->
                IdempotencyKey.random()
                    .attach(orders)
                    .createOrder(Checkout.orderOf(productId, 0, "")));
    check(invalid.code() == Status.Code.INVALID_ARGUMENT, "an invalid order gave %s", invalid);
    check(
        !invalid.violations("lines[0].quantity").isEmpty(),
        "no violation of lines[0].quantity: %s",
        invalid);
    check(
        !invalid.violations("payment_method_token").isEmpty(),
        "no violation of payment_method_token: %s",
        invalid);
    log(
        "   invalid: %s %s, %d field violations",
        invalid.code(), invalid.reason(), invalid.fieldViolations().size());
    List<Object> violations = new ArrayList<>();
    invalid
        .fieldViolations()
        .forEach(
            v -> violations.add(map("field", v.getField(), "description", v.getDescription())));
    summary.put(
        "invalid",
        map(
            "code",
            invalid.code().name(),
            "reason",
            invalid.reason(),
            "fieldViolations",
            violations));

    LatticeError reused =
        failure(
            () -> firstKey.attach(orders).createOrder(Checkout.orderOf(productId, 2, "tok_visa")));
    check(
        reused.is(Status.Code.ALREADY_EXISTS, "IDEMPOTENCY_KEY_REUSED")
            && reused.domain().equals(LatticeError.DOMAIN),
        "the first key with another request gave %s",
        reused);
    log("   reused key: %s %s (%s)", reused.code(), reused.reason(), reused.domain());
    summary.put(
        "reused",
        map("code", reused.code().name(), "reason", reused.reason(), "domain", reused.domain()));

    String forgedToken = forge(customer.accessToken());
    var forgedOrders =
        OrdersServiceGrpc.newBlockingStub(ordersChannel)
            .withCallCredentials(BearerCredentials.of(forgedToken));
    LatticeError forged =
        failure(
            () ->
                forgedOrders.getOrder(
                    GetOrderRequest.newBuilder().setOrderId(firstOrderId).build()));
    check(
        forged.is(Status.Code.UNAUTHENTICATED, "TOKEN_INVALID"), "a forged token gave %s", forged);
    log("   forged token: %s %s", forged.code(), forged.reason());
    summary.put("forged", map("code", forged.code().name(), "reason", forged.reason()));
    return summary;
  }

  /**
   * A well-formed ES256 JWT that Lattice never signed: the header and claims of a real access
   * token, and 64 random bytes where the signature goes.
   */
  private static String forge(String accessToken) {
    String[] parts = accessToken.split("\\.");
    check(parts.length == 3, "the access token is not a JWT");
    String header = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
    check(
        header.replace(" ", "").contains("\"alg\":\"ES256\""),
        "the access token is not ES256: %s",
        header);
    byte[] signature = new byte[64];
    new SecureRandom().nextBytes(signature);
    return parts[0]
        + "."
        + parts[1]
        + "."
        + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
  }
}
