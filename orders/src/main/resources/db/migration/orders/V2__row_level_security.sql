-- Row-level security (decision 0018): PostgreSQL itself keeps each tenant's orders apart, a second
-- wall behind every query's own tenant_id filter. FORCE makes the policies hold the tables' owner
-- too; the service works as a role of its own that owns nothing and cannot bypass them.
--
-- A transaction sees and writes the rows of the tenant in lattice.tenant_id, which the platform
-- sets transaction-locally from the caller's token or the event's envelope (TenantScope); with no
-- tenant set it sees no row and can write none. lattice.all_tenants = 'on' admits every tenant's
-- rows, for the named cross-tenant work of decision 0018 (a saga batch's locks). A setting that was
-- set and ended reads as '', hence nullif.

alter table orders enable row level security;
alter table orders force row level security;
create policy tenant_isolation on orders
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');

alter table order_lines enable row level security;
alter table order_lines force row level security;
create policy tenant_isolation on order_lines
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');

alter table order_status_history enable row level security;
alter table order_status_history force row level security;
create policy tenant_isolation on order_status_history
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');
