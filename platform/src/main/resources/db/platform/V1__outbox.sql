-- Transactional outbox (DESIGN.md §5, decision 0004). Shipped by the platform and applied to every
-- service database (history table platform_schema_history).
--
-- A service writes its state change and one row here per event in the same transaction
-- (OutboxWriter). Relays (OutboxRelay, one per replica) publish pending rows to JetStream with
-- Nats-Msg-Id = event_id and DELETE each row once JetStream has acknowledged it, so the table only
-- holds what is still pending and stays small. Published history lives in the stream; per-relay
-- figures (last publish time, counts) live in outbox_relays.

create table outbox_events (
  -- Publish order. Per aggregate, ids ascend with aggregate_version because a later version is
  -- only written after the earlier one committed (optimistic locking on the aggregate).
  id                bigint generated always as identity primary key,
  -- The envelope's event_id (UUIDv7) and the Nats-Msg-Id.
  event_id          uuid        not null unique,
  tenant_id         uuid        not null,
  aggregate_type    text        not null,
  aggregate_id      text        not null,
  aggregate_version bigint      not null,
  -- lattice.<service>.<event_name>
  subject           text        not null,
  -- Full protobuf name of the payload, e.g. lattice.orders.v1.OrderCreated.
  event_type        text        not null,
  -- The serialized lattice.events.v1.Envelope: the message body, byte for byte.
  envelope          bytea       not null,
  -- Headers captured at write time (traceparent, tracestate, baggage) as a flat string object.
  headers           jsonb       not null default '{}'::jsonb,
  create_time       timestamptz not null default now(),
  -- Failed publish attempts so far, the last failure, and when the row may be tried again.
  attempts          integer     not null default 0,
  last_error        text,
  next_attempt_time timestamptz not null default now()
);

-- Rows are deleted when published, so every row is pending and the primary key already serves
-- "pending rows in id order". This index answers the relay's per-aggregate check: "is there an
-- earlier pending row of the same aggregate?"
create index outbox_events_aggregate_idx on outbox_events (aggregate_type, aggregate_id, id);

-- Wakes listening relays once per inserting statement. NOTIFY is transactional: it is delivered at
-- commit, and identical notifications of one transaction are folded into one.
create function outbox_events_notify() returns trigger
  language plpgsql as $$
begin
  perform pg_notify('lattice_outbox', '');
  return null;
end;
$$;

create trigger outbox_events_notify
  after insert on outbox_events
  for each statement execute function outbox_events_notify();

-- One row per relay instance, upserted by the relay every couple of seconds; read by
-- GetOutboxStatus (relays seen in the last 5 minutes). Rows of relays gone for a week are removed
-- by the relays themselves.
create table outbox_relays (
  instance_id           text        primary key,
  start_time            timestamptz not null,
  heartbeat_time        timestamptz not null,
  last_poll_time        timestamptz,
  last_publish_time     timestamptz,
  -- Rows this instance published since it started.
  published_count       bigint      not null default 0,
  -- Rows this instance published in the minute before heartbeat_time.
  published_last_minute bigint      not null default 0,
  in_flight             integer     not null default 0,
  -- The last publish error; null once a later publish succeeded.
  last_error            text
);
