-- Per-caller rate limits (decision 0019). Shipped by the platform and applied to every service
-- database; used by dev.lattice.platform.ratelimit.CallerRateLimits, whose replicas of one service
-- share each caller's bucket here.
--
-- One token bucket per caller (tenant and subject of the verified token): tokens refill at the
-- service's rate up to its burst. A replica takes a lease of several tokens in one statement and
-- spends them locally, so a call pays a round trip only once per lease.
create table rate_limit_buckets (
  -- tenant_id/subject of the caller's token.
  caller      text             not null primary key,
  -- Tokens left in the shared bucket after the last lease, fractional while refilling.
  tokens      double precision not null,
  -- When tokens was computed; the refill since is (now - refill_time) * rate.
  refill_time timestamptz      not null,
  -- The tokens the last lease granted (read back by the statement that took it).
  granted     integer          not null
);
