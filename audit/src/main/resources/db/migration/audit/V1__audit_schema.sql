-- Audit: the append-only, hash-chained log of every event of every stream (DESIGN.md §6,
-- lattice/audit/v1/audit_record.proto). Per tenant, sequence counts 1, 2, 3, ... without
-- gaps and hash = SHA-256(previous_hash || deterministic serialization of the record with
-- hash cleared); the first previous_hash is 32 zero bytes.

create table audit_records (
  id                uuid        primary key,
  tenant_id         uuid        not null,
  sequence          bigint      not null,
  -- Generated so the chain link below can be a foreign key; null for the first record.
  previous_sequence bigint      generated always as (nullif(sequence - 1, 0)) stored,
  -- Envelope.event_id; one record per event across the whole log, so a redelivered event
  -- is never recorded twice.
  event_id          uuid        not null,
  event_type        text        not null,
  action            text        not null,
  source            text        not null,
  entity_type       text        not null,
  -- Text, not uuid: the log must record whatever the envelope says.
  entity_id         text        not null,
  entity_version    bigint      not null,
  actor_type        text        not null,
  actor_subject_id  text        not null,
  client_address    inet,
  user_agent        text,
  occur_time        timestamptz not null,
  record_time       timestamptz not null default now(),
  -- The event payload (google.protobuf.Any) with sensitive fields cleared, kept as the
  -- exact bytes that were hashed so VerifyChain can recompute the hash.
  payload_type_url  text        not null,
  payload           bytea       not null,
  previous_hash     bytea       not null,
  hash              bytea       not null,
  constraint audit_records_tenant_sequence_key unique (tenant_id, sequence),
  constraint audit_records_tenant_sequence_hash_key unique (tenant_id, sequence, hash),
  constraint audit_records_event_id_key unique (event_id),
  -- Each record links to the existing record before it, by sequence and hash: no gap and
  -- no fork can be written, whatever the application does.
  constraint audit_records_chain_link
    foreign key (tenant_id, previous_sequence, previous_hash)
    references audit_records (tenant_id, sequence, hash),
  constraint audit_records_sequence_check check (sequence >= 1),
  constraint audit_records_first_previous_hash
    check (sequence > 1 or previous_hash = decode(repeat('00', 32), 'hex')),
  constraint audit_records_previous_hash_length check (octet_length(previous_hash) = 32),
  constraint audit_records_hash_length check (octet_length(hash) = 32),
  constraint audit_records_actor_type_check
    check (actor_type in ('USER', 'SERVICE', 'SYSTEM', 'EXTERNAL')),
  constraint audit_records_user_agent_length check (char_length(user_agent) <= 256)
);

-- QueryAuditLog: newest first, keyset on sequence descending (the unique (tenant_id,
-- sequence) index serves the unfiltered case), with its filters.
create index audit_records_actor_idx
  on audit_records (tenant_id, actor_subject_id, sequence desc);
create index audit_records_entity_idx
  on audit_records (tenant_id, entity_type, entity_id, sequence desc);
create index audit_records_action_idx on audit_records (tenant_id, action, sequence desc);
create index audit_records_occur_time_idx on audit_records (tenant_id, occur_time, sequence);

-- The head of each tenant's chain. Appending locks this row (SELECT ... FOR UPDATE), so
-- concurrent consumers take sequences one after another; VerifyChain reads the head here.
create table audit_chain_heads (
  tenant_id   uuid        primary key,
  sequence    bigint      not null,
  hash        bytea       not null,
  update_time timestamptz not null default now(),
  constraint audit_chain_heads_record
    foreign key (tenant_id, sequence, hash) references audit_records (tenant_id, sequence, hash)
);

-- Records are never updated or deleted, by anyone: a statement-level trigger refuses
-- UPDATE, DELETE and TRUNCATE even when no row matches, for the owner and superusers too.
-- ENABLE ALWAYS keeps it firing under session_replication_role = replica. (An owner can
-- still drop or disable the trigger; VerifyChain detects what such a change would do.)
create function audit_records_refuse_change() returns trigger
  language plpgsql
as $$
begin
  raise exception 'audit_records is append-only: % refused', tg_op
    using errcode = 'insufficient_privilege',
          hint = 'Audit records are never updated or deleted.';
end
$$;

create trigger audit_records_append_only
  before update or delete or truncate on audit_records
  for each statement execute function audit_records_refuse_change();

alter table audit_records enable always trigger audit_records_append_only;
