-- The per-user rate limit counts a user's non-urgent attempts in the last window. An attempt
-- stamps its delivery's update_time when it starts (and later changes only move it forward), so
-- the deliveries touched since the window began are the only ones that can hold such an attempt:
-- this index finds them without reading the user's whole history, which grows with every order.
-- (Not partial on priority/channel: the query binds those values, and a generic plan could not
-- prove a partial index's predicate.)
create index deliveries_tenant_recipient_update_idx
  on deliveries (tenant_id, recipient_id, update_time);

-- A message over the limit is scheduled after the user's messages already waiting for it: their
-- latest due times, read from this index's end.
create index deliveries_tenant_recipient_due_idx
  on deliveries (tenant_id, recipient_id, next_attempt_time);
