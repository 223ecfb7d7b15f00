-- The consumers' inbox (DESIGN.md section 5, decision 0004): one row per event a durable
-- consumer has processed. dev.lattice.platform.consumer.EventConsumer inserts the row and runs
-- the handler in the same transaction, so a redelivered or replayed event finds its row and
-- has no second effect.
--
-- Retention. A row may be purged only when its event can no longer reach the consumer again:
-- not before the consumer's redelivery horizon (max_deliver x (ack wait + longest backoff),
-- minutes), nor the DEAD_LETTERS max age (30 days by default: a replayed dead letter carries
-- the same event_id to every consumer of its subject, and those that processed it must still
-- find their row), nor the source stream's max age when relays may re-publish after their
-- duplicate window. Keep at least 35 days, e.g.
--   delete from processed_events where process_time < now() - interval '35 days';
-- in batches; processed_events_process_time_idx serves that delete.
create table processed_events (
  -- The durable consumer name (ConsumerSpec.durableName); consumers deduplicate independently.
  consumer     text        not null,
  -- Envelope.event_id.
  event_id     uuid        not null,
  -- The NATS subject the event was received on, for operators.
  subject      text        not null,
  -- When the handler's transaction ran.
  process_time timestamptz not null default now(),
  primary key (consumer, event_id)
);

create index processed_events_process_time_idx on processed_events (process_time);
