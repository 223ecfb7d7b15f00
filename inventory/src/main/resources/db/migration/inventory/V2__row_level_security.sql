-- Row-level security (decision 0018): PostgreSQL itself keeps each tenant's catalog, stock and
-- reservations apart, a second wall behind every query's own tenant_id filter. FORCE makes the
-- policies hold the tables' owner too; the service works as a role that owns nothing and cannot
-- bypass them.
--
-- A transaction sees and writes the rows of the tenant in lattice.tenant_id (TenantScope: the
-- caller's token, the event's envelope); with none set it sees no row and can write none.
-- lattice.all_tenants = 'on' admits every tenant's rows for the named cross-tenant work of decision
-- 0018: reservation expiry, a batch's locks. A setting that was set and ended reads as ''.

alter table products enable row level security;
alter table products force row level security;
create policy tenant_isolation on products
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');

alter table stock enable row level security;
alter table stock force row level security;
create policy tenant_isolation on stock
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');

alter table reservations enable row level security;
alter table reservations force row level security;
create policy tenant_isolation on reservations
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');

alter table reservation_lines enable row level security;
alter table reservation_lines force row level security;
create policy tenant_isolation on reservation_lines
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');
