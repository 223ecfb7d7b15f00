-- Throttles of the public flows, one table for every scope (decision 0005).
--
-- V1 counted per (tenant, email) and per client address. A per-account counter that any
-- address can fill lets an attacker lock a user out, so sign-in failures are now counted per
-- (account, client address) and, for credential spraying, per client address; the per-account
-- scope remains only for message flows (one verification mail per minute, reset mails per
-- hour). Keys are SHA-256 digests of the scope's canonical text (normalized email, tenant id,
-- client address), so addresses that never registered are not stored in clear.
drop table email_throttles;
drop table client_address_throttles;

create table throttles (
  action            text        not null,
  scope             text        not null,
  key_hash          bytea       not null,
  attempt_count     integer     not null,
  window_start_time timestamptz not null,
  last_attempt_time timestamptz not null,
  primary key (action, scope, key_hash),
  constraint throttles_action_check
    check (action in ('LOGIN', 'REGISTER', 'RESEND_VERIFICATION', 'REQUEST_PASSWORD_RESET',
                      'RESET_PASSWORD', 'VERIFY_EMAIL')),
  constraint throttles_scope_check check (scope in ('ACCOUNT', 'ACCOUNT_ADDRESS', 'ADDRESS')),
  constraint throttles_key_hash_length check (octet_length(key_hash) = 32),
  constraint throttles_attempt_count_check check (attempt_count >= 1)
);

-- Expired windows are deleted by identity's housekeeping in last_attempt_time order.
create index throttles_last_attempt_idx on throttles (last_attempt_time);
