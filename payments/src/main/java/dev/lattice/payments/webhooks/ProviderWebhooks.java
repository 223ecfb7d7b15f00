package dev.lattice.payments.webhooks;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.lattice.events.v1.Actor;
import dev.lattice.payments.events.PaymentsEvents;
import dev.lattice.payments.ledger.PaymentRow;
import dev.lattice.payments.ledger.PaymentStatus;
import dev.lattice.payments.ledger.PaymentStore;
import dev.lattice.payments.ledger.RefundRow;
import dev.lattice.payments.ledger.RefundStore;
import dev.lattice.payments.ledger.Settlements;
import dev.lattice.payments.provider.PaymentProvider;
import dev.lattice.payments.provider.PermanentProviderException;
import dev.lattice.payments.provider.ProviderCharge;
import dev.lattice.payments.provider.ProviderRefund;
import dev.lattice.payments.provider.TransientProviderException;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.errors.InvalidArgumentException;
import dev.lattice.platform.errors.UnauthenticatedException;
import dev.lattice.platform.errors.UnavailableException;
import dev.lattice.platform.events.TraceHeaders;
import dev.lattice.platform.telemetry.Telemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider's webhooks, shared by the HTTP intake and the gRPC HandleProviderWebhook (decision
 * 0008). In order: the signature over the raw body (constant time, at most 5 minutes off), the
 * event's shape, the replay check on the provider event id, then the charge or refund <em>retrieved
 * from the provider</em> — a webhook is a hint, the provider's API is the truth — and finally, in
 * one transaction, the event id recorded in {@code provider_webhook_events} and the retrieved state
 * applied through {@link Settlements}. Nothing is written for a refused webhook.
 *
 * <p>The state is applied in a span {@code webhook <type>} under the trace context stored with the
 * payment or refund (linked to the webhook call's own span, when it has one), so the event it
 * records stays in the order's trace. Thread-safe.
 */
public final class ProviderWebhooks {

  /** ErrorInfo reason of a missing, wrong or stale signature (UNAUTHENTICATED). */
  public static final String SIGNATURE_INVALID = "WEBHOOK_SIGNATURE_INVALID";

  /** ErrorInfo reason of an unparseable webhook or an unknown event type (INVALID_ARGUMENT). */
  public static final String PAYLOAD_INVALID = "WEBHOOK_PAYLOAD_INVALID";

  /**
   * ErrorInfo reason when the provider cannot be asked about the webhook's object (UNAVAILABLE).
   */
  public static final String PROVIDER_UNAVAILABLE = "PROVIDER_UNAVAILABLE";

  private static final Set<String> CHARGE_EVENTS = Set.of("charge.succeeded", "charge.failed");
  private static final String REFUND_EVENT = "refund.succeeded";
  private static final Logger log = LoggerFactory.getLogger(ProviderWebhooks.class);

  private final DSLContext dsl;
  private final PaymentProvider provider;
  private final Settlements settlements;
  private final WebhookSignature signature;
  private final Clock clock;
  private final Tracer tracer;
  private final TraceHeaders traceHeaders;

  public ProviderWebhooks(
      DSLContext dsl,
      PaymentProvider provider,
      Settlements settlements,
      WebhookSignature signature,
      Clock clock,
      Telemetry telemetry) {
    this.dsl = dsl;
    this.provider = provider;
    this.settlements = settlements;
    this.signature = signature;
    this.clock = clock;
    this.tracer = telemetry.tracer("dev.lattice.payments.webhooks");
    this.traceHeaders = TraceHeaders.of(telemetry);
  }

  /** What became of an accepted webhook. */
  public enum Outcome {
    /** The event was recorded and what the provider reports applied (possibly no change). */
    APPLIED,
    /** The event id was seen before: nothing done. */
    DUPLICATE
  }

  /**
   * Handles one webhook.
   *
   * @param rawBody the body exactly as received
   * @param signatureHeader the {@code Lattice-Signature} value, or null
   * @throws UnauthenticatedException {@value #SIGNATURE_INVALID}
   * @throws InvalidArgumentException {@value #PAYLOAD_INVALID}
   * @throws dev.lattice.platform.errors.NotFoundException PAYMENT_NOT_FOUND: no payment (or refund)
   *     matches the provider's object; the provider redelivers later
   * @throws UnavailableException {@value #PROVIDER_UNAVAILABLE} when the provider cannot be asked
   */
  public Outcome handle(byte[] rawBody, String signatureHeader) {
    Instant signed =
        signature
            .verify(signatureHeader, rawBody, clock.instant())
            .orElseThrow(
                () ->
                    new UnauthenticatedException(
                        SIGNATURE_INVALID,
                        "the webhook signature is missing, wrong or outside the 5-minute window"));
    JsonObject event = parse(rawBody);
    String eventId = string(event, "id");
    String type = string(event, "type");
    JsonObject object =
        event.has("data") && event.get("data").isJsonObject()
            ? event.getAsJsonObject("data").getAsJsonObject("object")
            : null;
    String objectId = object == null ? null : string(object, "id");
    if (eventId == null
        || type == null
        || objectId == null
        || !(CHARGE_EVENTS.contains(type) || REFUND_EVENT.equals(type))) {
      throw new InvalidArgumentException(PAYLOAD_INVALID, "not a known provider event", List.of());
    }
    // A webhook names the provider's ids, not a tenant: its look-ups and its transaction run across
    // tenants, the tenant found from the payment or refund it names (decision 0018).
    if (Transactions.acrossTenants(
        dsl, tx -> WebhookEventStore.seen(tx, provider.name(), eventId))) {
      return Outcome.DUPLICATE;
    }
    Actor actor = PaymentsEvents.provider(provider.name());
    String cause = "webhook:" + eventId;
    String payload = new String(rawBody, StandardCharsets.UTF_8);
    try {
      if (REFUND_EVENT.equals(type)) {
        ProviderRefund refund = provider.retrieveRefund(objectId);
        return Transactions.acrossTenants(
            dsl, tx -> applyRefund(tx, refund, eventId, type, signed, payload, actor));
      }
      ProviderCharge charge = provider.retrieveCharge(objectId);
      return Transactions.acrossTenants(
          dsl, tx -> applyCharge(tx, charge, eventId, type, signed, payload, cause, actor));
    } catch (TransientProviderException e) {
      throw new UnavailableException(
          PROVIDER_UNAVAILABLE,
          "cannot confirm the webhook with the provider; deliver it again later",
          Duration.ofSeconds(5));
    } catch (PermanentProviderException e) {
      log.warn(
          "webhook {} names {} the provider does not know: {}", eventId, objectId, e.getMessage());
      throw PaymentStore.notFound();
    }
  }

  private Outcome applyCharge(
      DSLContext tx,
      ProviderCharge charge,
      String eventId,
      String type,
      Instant signed,
      String payload,
      String cause,
      Actor actor) {
    PaymentRow payment =
        PaymentStore.lockByCharge(tx, provider.name(), charge.id())
            .or(() -> byMetadata(tx, charge))
            .orElseThrow(PaymentStore::notFound);
    if (!record(tx, payment.tenantId(), eventId, type, signed, payload, payment.id(), null)) {
      return Outcome.DUPLICATE;
    }
    inTraceOf(
        payment.traceHeaders(),
        type,
        eventId,
        () -> {
          switch (charge.outcome()) {
            case SUCCEEDED -> settlements.capture(tx, payment, charge.id(), cause, actor);
            case DECLINED ->
                settlements.fail(
                    tx,
                    payment,
                    charge.id(),
                    charge.failureCode(),
                    charge.failureMessage(),
                    false,
                    cause,
                    actor);
            case PENDING -> {
              if (payment.providerChargeId() == null
                  && PaymentStatus.PENDING.equals(payment.status())) {
                PaymentStore.recordChargeId(tx, payment.id(), charge.id());
              }
            }
          }
        });
    return Outcome.APPLIED;
  }

  private Outcome applyRefund(
      DSLContext tx,
      ProviderRefund answer,
      String eventId,
      String type,
      Instant signed,
      String payload,
      Actor actor) {
    RefundRow found =
        RefundStore.findByProviderRefund(tx, provider.name(), answer.id())
            .or(
                () ->
                    uuid(answer.idempotencyKey())
                        .flatMap(id -> RefundStore.find(tx, provider.name(), id)))
            .orElseThrow(PaymentStore::notFound);
    // Locks in the order the refund worker takes them: the payment, then the refund.
    PaymentRow payment = PaymentStore.lock(tx, found.tenantId(), found.paymentId()).orElseThrow();
    RefundRow refund = RefundStore.lock(tx, found.id());
    if (!record(
        tx, payment.tenantId(), eventId, type, signed, payload, payment.id(), refund.id())) {
      return Outcome.DUPLICATE;
    }
    inTraceOf(
        refund.traceHeaders(),
        type,
        eventId,
        () -> {
          switch (answer.outcome()) {
            case SUCCEEDED -> settlements.refundSucceeded(tx, payment, refund, answer.id(), actor);
            case DECLINED ->
                settlements.refundFailed(
                    tx, refund, "refund_declined", "the provider declined the refund");
            case PENDING -> {}
          }
        });
    return Outcome.APPLIED;
  }

  /**
   * Runs {@code apply} in a span {@code webhook <type>} whose parent is the trace context {@code
   * stored} with the payment or refund, linked to the current (the webhook call's) span.
   */
  private void inTraceOf(Map<String, String> stored, String type, String eventId, Runnable apply) {
    SpanBuilder builder =
        tracer
            .spanBuilder("webhook " + type)
            .setParent(traceHeaders.restore(stored))
            .setAttribute("lattice.webhook.event_id", eventId);
    SpanContext call = Span.current().getSpanContext();
    if (call.isValid()) {
      builder.addLink(call);
    }
    Span span = builder.startSpan();
    try (Scope ignored = span.makeCurrent()) {
      apply.run();
    } finally {
      span.end();
    }
  }

  /**
   * The payment named by the charge's metadata as the provider stored it (a charge whose answer we
   * missed).
   */
  private Optional<PaymentRow> byMetadata(DSLContext tx, ProviderCharge charge) {
    Optional<UUID> tenant = uuid(charge.metadata().get("tenant_id"));
    Optional<UUID> order = uuid(charge.idempotencyKey());
    if (tenant.isEmpty() || order.isEmpty()) {
      return Optional.empty();
    }
    return PaymentStore.lockByOrder(tx, tenant.get(), order.get())
        .filter(p -> p.provider().equals(provider.name()))
        .filter(p -> p.providerChargeId() == null || p.providerChargeId().equals(charge.id()));
  }

  private boolean record(
      DSLContext tx,
      UUID tenantId,
      String eventId,
      String type,
      Instant signed,
      String payload,
      UUID paymentId,
      UUID refundId) {
    return WebhookEventStore.insertIfNew(
        tx,
        new ReceivedWebhook(
            settlements.newId(),
            tenantId,
            provider.name(),
            eventId,
            type,
            paymentId,
            refundId,
            PaymentStore.utc(signed),
            settlements.now(),
            payload));
  }

  private static JsonObject parse(byte[] rawBody) {
    try {
      JsonElement parsed = JsonParser.parseString(new String(rawBody, StandardCharsets.UTF_8));
      if (parsed.isJsonObject()) {
        return parsed.getAsJsonObject();
      }
    } catch (JsonParseException | IllegalStateException e) {
      // answered below
    }
    throw new InvalidArgumentException(
        PAYLOAD_INVALID, "the webhook body is not a JSON object", List.of());
  }

  private static String string(JsonObject json, String name) {
    JsonElement value = json.get(name);
    return value != null && value.isJsonPrimitive() ? value.getAsString() : null;
  }

  private static Optional<UUID> uuid(String value) {
    try {
      return value == null ? Optional.empty() : Optional.of(UUID.fromString(value));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
