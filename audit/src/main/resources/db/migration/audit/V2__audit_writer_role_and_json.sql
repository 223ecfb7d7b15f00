-- Audit, second step (decision 0010): the payload as JSON, old and new values, every actor type
-- an envelope can carry, and the role the service writes and reads the log as.

-- Derived from the hashed payload (sensitive fields already cleared), for people and queries.
-- old_values / new_values: what the event says changed (previous_* fields, changed_fields
-- masks); null when the event carries no such thing.
alter table audit_records
  add column payload_json jsonb,
  add column old_values   jsonb,
  add column new_values   jsonb;

-- The log records what the envelope says, also an actor without a type.
alter table audit_records drop constraint audit_records_actor_type_check;
alter table audit_records add constraint audit_records_actor_type_check
  check (actor_type in ('UNSPECIFIED', 'USER', 'SERVICE', 'SYSTEM', 'EXTERNAL'));

-- The role the service switches to (SET LOCAL ROLE) for every statement on the log: it may read
-- and append records and move chain heads, never update, delete or truncate a record. Roles are
-- cluster-wide, so several audit databases on one server share it; creating it twice is fine.
do $$
begin
  create role lattice_audit_writer nologin;
exception when duplicate_object or unique_violation then
  null;
end
$$;

do $$
begin
  execute format('grant lattice_audit_writer to %I', current_user);
exception when duplicate_object or unique_violation then
  null;
end
$$;

revoke all on audit_records, audit_chain_heads from public;
grant usage on schema public to lattice_audit_writer;
grant select, insert on audit_records to lattice_audit_writer;
grant select, insert, update on audit_chain_heads to lattice_audit_writer;
