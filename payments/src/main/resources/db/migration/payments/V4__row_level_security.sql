-- Row-level security (decision 0018): PostgreSQL itself keeps each tenant's payments apart, a
-- second wall behind every query's own tenant_id filter. FORCE makes the policies hold the tables'
-- owner too; the service works as a role that owns nothing and cannot bypass them.
--
-- A transaction sees and writes the rows of the tenant in lattice.tenant_id (TenantScope: the
-- caller's token, the event's envelope, the claimed payment's or refund's tenant); with none set
-- it sees no row and can write none. lattice.all_tenants = 'on' admits every tenant's rows for the
-- named cross-tenant work of decision 0018: the workers' claims, the charge request sweeper,
-- provider webhooks (which find the tenant from the provider's id), a batch's locks. A setting
-- that was set and ended reads as ''.

alter table charge_requests enable row level security;
alter table charge_requests force row level security;
create policy tenant_isolation on charge_requests
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');

alter table payments enable row level security;
alter table payments force row level security;
create policy tenant_isolation on payments
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');

alter table payment_status_history enable row level security;
alter table payment_status_history force row level security;
create policy tenant_isolation on payment_status_history
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');

alter table refunds enable row level security;
alter table refunds force row level security;
create policy tenant_isolation on refunds
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');

alter table provider_webhook_events enable row level security;
alter table provider_webhook_events force row level security;
create policy tenant_isolation on provider_webhook_events
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');

alter table closed_orders enable row level security;
alter table closed_orders force row level security;
create policy tenant_isolation on closed_orders
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');
