package dev.lattice.payments.provider;

import java.util.Optional;

/**
 * A card processor as payments sees it. Every method makes one call to the provider and may block
 * up to the adapter's per-call timeout; none may be called inside a database transaction (decision
 * 0008). Charges and refunds are idempotent by their command's key: repeating a command returns the
 * first result and never charges or refunds twice.
 *
 * <p>Failures: {@link TransientProviderException} (outage, 5xx, timeout, a concurrent request with
 * the same key, an open circuit) means "try again later with the same key"; {@link
 * PermanentProviderException} means the request itself is wrong and repeating it cannot help. A
 * card decline is not an exception: it is a result with outcome {@link ProviderOutcome#DECLINED}.
 * Implementations are thread-safe.
 */
public interface PaymentProvider {

  /** The adapter's name, stored with payments and refunds, e.g. {@code sandbox}. */
  String name();

  /** Charges (or replays the charge of) {@code command.idempotencyKey()}. */
  ProviderCharge charge(ChargeCommand command);

  /** The charge {@code chargeId} as the provider knows it now. */
  ProviderCharge retrieveCharge(String chargeId);

  /** The charge made with {@code idempotencyKey}, if any; never creates one. */
  Optional<ProviderCharge> findCharge(String idempotencyKey);

  /** Refunds (or replays the refund of) {@code command.idempotencyKey()}. */
  ProviderRefund refund(RefundCommand command);

  /** The refund {@code refundId} as the provider knows it now. */
  ProviderRefund retrieveRefund(String refundId);
}
