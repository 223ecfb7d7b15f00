-- Row-level security (decision 0018): PostgreSQL itself keeps each tenant's recipients, templates,
-- preferences, inbox and deliveries apart, a second wall behind every query's own tenant_id
-- filter. FORCE makes the policies hold the tables' owner too; the service works as a role that
-- owns nothing and cannot bypass them.
--
-- A transaction sees and writes the rows of the tenant in lattice.tenant_id (TenantScope: the
-- caller's token, the event's envelope, the claimed delivery's tenant); with none set it sees no
-- row and can write none. lattice.all_tenants = 'on' admits every tenant's rows for the named
-- cross-tenant work of decision 0018: the dispatcher's claim of due deliveries, and the insert of
-- the deliveries a batch of events planned. A setting that was set and ended reads as ''.

alter table recipients enable row level security;
alter table recipients force row level security;
create policy tenant_isolation on recipients
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');

alter table templates enable row level security;
alter table templates force row level security;
create policy tenant_isolation on templates
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');

alter table template_revisions enable row level security;
alter table template_revisions force row level security;
create policy tenant_isolation on template_revisions
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');

alter table preference_sets enable row level security;
alter table preference_sets force row level security;
create policy tenant_isolation on preference_sets
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');

alter table preferences enable row level security;
alter table preferences force row level security;
create policy tenant_isolation on preferences
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');

alter table notifications enable row level security;
alter table notifications force row level security;
create policy tenant_isolation on notifications
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');

alter table deliveries enable row level security;
alter table deliveries force row level security;
create policy tenant_isolation on deliveries
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');

alter table delivery_attempts enable row level security;
alter table delivery_attempts force row level security;
create policy tenant_isolation on delivery_attempts
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');
