package dev.lattice.identity.throttle;

/** What a throttle counts per (the {@code scope} column of {@code throttles}). */
public enum ThrottleScope {
  /** One mailbox of one tenant, whichever address asks. */
  ACCOUNT,
  /** One mailbox of one tenant asked from one client address. */
  ACCOUNT_ADDRESS,
  /** One client address, across tenants and accounts. */
  ADDRESS
}
