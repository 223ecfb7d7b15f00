package dev.lattice.payments.provider;

/** Where a charge or refund stands at the provider. */
public enum ProviderOutcome {
  /** Money moved (captured, or refunded). */
  SUCCEEDED,
  /** Accepted, not settled yet; a webhook (or a later retrieve) tells how it ended. */
  PENDING,
  /** Refused for good (card declined, insufficient funds); the failure code says why. */
  DECLINED
}
