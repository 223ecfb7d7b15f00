-- Row-level security (decision 0018): PostgreSQL itself keeps each tenant's users, roles, grants
-- and tokens apart, a second wall behind every query's own tenant_id filter. FORCE makes the
-- policies hold the tables' owner too; the service works as a role that owns nothing and cannot
-- bypass them.
--
-- A transaction sees and writes the rows of the tenant in lattice.tenant_id (TenantScope: the
-- caller's token, the tenant a sign-in or registration names, the event's envelope); with none set
-- it sees no row and can write none. lattice.all_tenants = 'on' admits every tenant's rows for the
-- named cross-tenant work of decision 0018: RefreshToken, VerifyEmail and ResetPassword find their
-- token by its hash alone and then work as its tenant; housekeeping deletes expired tokens. A
-- setting that was set and ended reads as ''.
--
-- The built-in roles and their permissions are global rows (tenant_id null): every tenant reads
-- them, no transaction writes them (WITH CHECK admits no null tenant). tenants, permissions,
-- signing_keys and throttles carry no tenant and have no policy: a tenant row is looked up by slug
-- before a caller has a tenant, keys sign every tenant's tokens, a throttle's key is a hash.

alter table users enable row level security;
alter table users force row level security;
create policy tenant_isolation on users
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');

alter table roles enable row level security;
alter table roles force row level security;
create policy tenant_isolation on roles
  using (tenant_id is null
         or tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');

alter table role_permissions enable row level security;
alter table role_permissions force row level security;
create policy tenant_isolation on role_permissions
  using (tenant_id is null
         or tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');

alter table user_roles enable row level security;
alter table user_roles force row level security;
create policy tenant_isolation on user_roles
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');

alter table refresh_tokens enable row level security;
alter table refresh_tokens force row level security;
create policy tenant_isolation on refresh_tokens
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');

alter table one_time_tokens enable row level security;
alter table one_time_tokens force row level security;
create policy tenant_isolation on one_time_tokens
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');
