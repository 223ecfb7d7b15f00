-- Row-level security on the platform's tenant-scoped tables (decision 0018), in every service
-- database: PostgreSQL itself keeps each tenant's pending events and idempotency keys apart, behind
-- the services' own filters. FORCE makes the policies hold the tables' owner too.
--
-- A transaction sees and writes the rows of the tenant in lattice.tenant_id (TenantScope): a call's
-- transaction that appends an event or claims or stores a key names its caller's tenant, an event
-- handler its envelope's. lattice.all_tenants = 'on' admits every tenant's rows for the named
-- cross-tenant pieces: the outbox relay's rounds and the pending summary (its gauges, the
-- operators' GetOutboxStatus, the drain's flush), and the purge of expired keys. A setting that was
-- set and ended reads as ''.
--
-- outbox_relays, processed_events and rate_limit_buckets carry no tenant and have no policy: a
-- relay's figures and an inbox row belong to the service, and a bucket's caller names its tenant
-- in its key (decision 0019).

alter table outbox_events enable row level security;
alter table outbox_events force row level security;
create policy tenant_isolation on outbox_events
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');

alter table idempotency_keys enable row level security;
alter table idempotency_keys force row level security;
create policy tenant_isolation on idempotency_keys
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');
