-- Row-level security (decision 0018): PostgreSQL itself keeps each tenant's audit chain apart, a
-- second wall behind every query's own tenant_id filter. FORCE makes the policies hold the tables'
-- owner too; the service works as a role that owns nothing and cannot bypass them, and so does
-- the writer role it switches to (a policy with no role named holds every role).
--
-- A transaction sees and writes the rows of the tenant in lattice.tenant_id (TenantScope: the
-- caller's token); with none set it sees no row and can write none. lattice.all_tenants = 'on'
-- admits every tenant's rows for the named cross-tenant work of decision 0018: a batch of events
-- locks the chains of all its tenants at once and appends their records before the commit. A
-- setting that was set and ended reads as ''.

alter table audit_records enable row level security;
alter table audit_records force row level security;
create policy tenant_isolation on audit_records
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');

alter table audit_chain_heads enable row level security;
alter table audit_chain_heads force row level security;
create policy tenant_isolation on audit_chain_heads
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');
