-- Idempotency keys (DESIGN.md section 7, decision 0007). Shipped by the platform and applied to
-- every service database (history table platform_schema_history); used by
-- dev.lattice.platform.idempotency.IdempotencyStore for RPCs declaring
-- (lattice.options.v1.requires_idempotency_key) = true.
--
-- A call claims its key in a short transaction of its own (a row IN_PROGRESS, with a lease); the
-- handler completes it (state COMPLETED, the serialized response) in the same transaction as its
-- business effect, so the effect and the stored response commit together. A call that fails
-- deletes its IN_PROGRESS row; a crashed owner's row is taken over by a retry once lease_until has
-- passed, and the new owner's claim_token makes the old owner's late completion a no-op.
--
-- Retention: 24 h from first use (expire_time). IdempotencyStore.purgeExpired() deletes older
-- rows in batches; idempotency_keys_expire_time_idx serves it.
create table idempotency_keys (
  -- The caller's tenant (token tenant_id) and subject (token sub): keys of different callers
  -- never collide.
  tenant_id       uuid        not null,
  caller          text        not null,
  -- The full gRPC method name, e.g. lattice.orders.v1.OrdersService/CreateOrder.
  method          text        not null,
  -- The idempotency-key metadata: 1 to 255 printable ASCII characters.
  idempotency_key text        not null,
  -- SHA-256 of the request message's deterministic protobuf serialization.
  request_hash    bytea       not null,
  state           text        not null,
  -- Identifies the call that owns an IN_PROGRESS row; replaced when a retry takes the row over.
  claim_token     uuid        not null,
  -- Until when the owner is presumed alive; after that a retry may take the row over.
  lease_until     timestamptz not null,
  -- The serialized response message of a COMPLETED row, byte for byte.
  response        bytea,
  create_time     timestamptz not null default now(),
  complete_time   timestamptz,
  expire_time     timestamptz not null,
  primary key (tenant_id, caller, method, idempotency_key),
  constraint idempotency_keys_key_check
    check (length(idempotency_key) between 1 and 255 and idempotency_key !~ '[^ -~]'),
  constraint idempotency_keys_hash_check check (octet_length(request_hash) = 32),
  constraint idempotency_keys_state_check check (state in ('IN_PROGRESS', 'COMPLETED')),
  constraint idempotency_keys_completed_check check (
    (state = 'COMPLETED') = (response is not null and complete_time is not null)),
  constraint idempotency_keys_expire_check check (expire_time > create_time)
);

create index idempotency_keys_expire_time_idx on idempotency_keys (expire_time);
