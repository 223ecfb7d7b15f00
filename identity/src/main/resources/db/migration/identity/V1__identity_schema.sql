-- Identity: tenants, users, roles and permissions, sessions (refresh tokens), one-time
-- tokens, signing keys and sign-in throttles. Ids are UUIDv7 chosen by the application.
-- Secrets are stored only as hashes (Argon2id for passwords, SHA-256 for tokens).

create table tenants (
  id           uuid        primary key,
  slug         text        collate "C" not null,
  display_name text        not null,
  status       text        not null default 'ACTIVE',
  create_time  timestamptz not null default now(),
  update_time  timestamptz not null default now(),
  version      bigint      not null default 1,
  constraint tenants_slug_key unique (slug),
  constraint tenants_slug_format check (slug ~ '^[a-z][a-z0-9-]{1,62}$'),
  constraint tenants_display_name_length check (char_length(display_name) between 1 and 100),
  constraint tenants_status_check check (status in ('ACTIVE', 'SUSPENDED')),
  constraint tenants_version_check check (version >= 1)
);

create table users (
  id                 uuid        primary key,
  tenant_id          uuid        not null references tenants (id),
  -- Stored as given; uniqueness and look-ups use the lower-cased copy (case-insensitive).
  email              text        not null,
  email_normalized   text        collate "C" generated always as (lower(email)) stored,
  -- Null for a tenant's initial admin until the account-setup reset sets a password.
  password_hash      text,
  display_name       text        not null,
  locale             text        not null default 'en',
  status             text        not null default 'PENDING_VERIFICATION',
  -- The status RestoreUser returns to; set only while DELETED.
  pre_delete_status  text,
  create_time        timestamptz not null default now(),
  update_time        timestamptz not null default now(),
  delete_time        timestamptz,
  verify_time        timestamptz,
  version            bigint      not null default 1,
  constraint users_email_length check (char_length(email) between 3 and 254),
  constraint users_display_name_length check (char_length(display_name) between 1 and 100),
  constraint users_locale_format check (locale ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$'),
  constraint users_status_check
    check (status in ('PENDING_VERIFICATION', 'ACTIVE', 'DISABLED', 'DELETED')),
  constraint users_pre_delete_status_check
    check (pre_delete_status in ('PENDING_VERIFICATION', 'ACTIVE', 'DISABLED')),
  constraint users_deleted_consistent
    check ((status = 'DELETED') = (delete_time is not null)
           and (status = 'DELETED') = (pre_delete_status is not null)),
  constraint users_version_check check (version >= 1)
);

-- One live account per address and tenant; a deleted user frees the address. The "C"
-- collation also lets ListUsers' email_prefix filter use this index (LIKE 'x%').
create unique index users_tenant_email_live_key
  on users (tenant_id, email_normalized) where delete_time is null;
-- ListUsers: newest first, keyset (create_time, id) descending, optionally by status.
create index users_tenant_create_idx on users (tenant_id, create_time desc, id desc);
create index users_tenant_status_create_idx
  on users (tenant_id, status, create_time desc, id desc);

-- The permission vocabulary of lattice/options/v1/options.proto. Global: tenants build
-- custom roles from these permissions and can never add new ones.
create table permissions (
  name        text collate "C" primary key,
  description text not null,
  constraint permissions_name_format check (name ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$')
);

-- Built-in roles (customer, staff, admin, platform-admin) are global rows with tenant_id
-- null and fixed ids, seeded below: they exist identically in every tenant, cannot be
-- changed by tenants, and a new tenant needs no per-tenant seeding. Custom roles always
-- carry their tenant_id. A custom role may not take a built-in name (ROLE_EXISTS).
create table roles (
  id          uuid        primary key,
  tenant_id   uuid        references tenants (id),
  name        text        collate "C" not null,
  description text        not null default '',
  built_in    boolean     not null default false,
  -- Null for built-in roles (Role.create_time is unset for them).
  create_time timestamptz,
  constraint roles_tenant_name_key unique nulls not distinct (tenant_id, name),
  constraint roles_name_format check (name ~ '^[a-z][a-z0-9-]{1,62}$'),
  constraint roles_description_length check (char_length(description) <= 500),
  constraint roles_built_in_global check (built_in = (tenant_id is null)),
  constraint roles_custom_create_time check (built_in or create_time is not null),
  constraint roles_builtin_names_reserved
    check (built_in or name not in ('customer', 'staff', 'admin', 'platform-admin'))
);

-- tenant_id mirrors the role's: null for the permissions of built-in roles.
create table role_permissions (
  role_id    uuid not null references roles (id),
  tenant_id  uuid references tenants (id),
  permission text collate "C" not null references permissions (name),
  primary key (role_id, permission)
);

create table user_roles (
  user_id    uuid        not null references users (id),
  role_id    uuid        not null references roles (id),
  tenant_id  uuid        not null references tenants (id),
  grant_time timestamptz not null default now(),
  primary key (user_id, role_id)
);

-- ListUsers' role filter and the LAST_ADMIN check of RevokeRole.
create index user_roles_tenant_role_idx on user_roles (tenant_id, role_id, user_id);

-- Rotating refresh tokens. Each RefreshToken spends a token and issues its child in the
-- same family; presenting a spent token revokes the whole family.
create table refresh_tokens (
  id               uuid        primary key,
  tenant_id        uuid        not null references tenants (id),
  user_id          uuid        not null references users (id),
  family_id        uuid        not null,
  parent_id        uuid        references refresh_tokens (id),
  -- SHA-256 of the raw token. Globally unique: RefreshToken presents only the token, the
  -- tenant is known only after the look-up.
  token_hash       bytea       not null,
  issue_time       timestamptz not null default now(),
  expire_time      timestamptz not null,
  idle_expire_time timestamptz not null,
  use_time         timestamptz,
  revoke_time      timestamptz,
  revoke_reason    text,
  client_address   inet,
  user_agent       text,
  constraint refresh_tokens_token_hash_key unique (token_hash),
  -- A token is spent at most once: two concurrent refreshes of it cannot both issue a child.
  constraint refresh_tokens_parent_key unique (parent_id),
  constraint refresh_tokens_token_hash_length check (octet_length(token_hash) = 32),
  constraint refresh_tokens_expiry_order
    check (expire_time > issue_time and idle_expire_time > issue_time)
);

create index refresh_tokens_family_idx on refresh_tokens (family_id);
-- Logout (all sessions), password change and user deletion revoke a user's live tokens.
create index refresh_tokens_user_live_idx on refresh_tokens (user_id) where revoke_time is null;
create index refresh_tokens_expire_idx on refresh_tokens (expire_time);

-- Single-use email verification, password reset and account-setup tokens.
create table one_time_tokens (
  id          uuid        primary key,
  tenant_id   uuid        not null references tenants (id),
  user_id     uuid        not null references users (id),
  purpose     text        not null,
  -- SHA-256 of the raw token; globally unique because VerifyEmail and ResetPassword
  -- present only the token.
  token_hash  bytea       not null,
  create_time timestamptz not null default now(),
  expire_time timestamptz not null,
  use_time    timestamptz,
  -- Set when a newer token of the same purpose supersedes it, or the user is deleted.
  revoke_time timestamptz,
  constraint one_time_tokens_token_hash_key unique (token_hash),
  constraint one_time_tokens_purpose_check
    check (purpose in ('VERIFY_EMAIL', 'RESET_PASSWORD', 'ACCOUNT_SETUP')),
  constraint one_time_tokens_token_hash_length check (octet_length(token_hash) = 32),
  constraint one_time_tokens_expiry_order check (expire_time > create_time)
);

-- Issuing a token makes earlier ones stop working: at most one open token per purpose.
create unique index one_time_tokens_user_purpose_open_key
  on one_time_tokens (user_id, purpose) where use_time is null and revoke_time is null;
create index one_time_tokens_expire_idx on one_time_tokens (expire_time);

-- Keys that sign access tokens. Platform-wide, not per tenant: one JWKS verifies the tokens
-- of every tenant, so this table has no tenant_id.
create table signing_keys (
  id                    uuid        primary key,
  kid                   text        not null,
  algorithm             text        not null,
  public_jwk            jsonb       not null,
  -- Encrypted with a key-encryption key from configuration; never stored in plain text.
  private_key_encrypted bytea       not null,
  create_time           timestamptz not null default now(),
  -- Signs from activate_time (after the 5 min JWKS cache lifetime) until its successor
  -- activates; stays in the JWKS until retire_time (its last token has expired).
  activate_time         timestamptz not null,
  retire_time           timestamptz,
  -- Set when RotateSigningKey(revoke_previous) retired it at once after a compromise.
  revoke_time           timestamptz,
  constraint signing_keys_kid_key unique (kid),
  constraint signing_keys_algorithm_check check (algorithm in ('ES256', 'RS256')),
  constraint signing_keys_public_jwk_object check (jsonb_typeof(public_jwk) = 'object'),
  constraint signing_keys_activate_order check (activate_time >= create_time)
);

-- Throttles of the public flows (brute force, enumeration, mail bombing), counted per
-- tenant and email and per client address in fixed windows. Email is kept only as the
-- SHA-256 of its normalized form: addresses that never registered must not be stored.
create table email_throttles (
  tenant_id         uuid        not null references tenants (id),
  email_hash        bytea       not null,
  action            text        not null,
  attempt_count     integer     not null default 0,
  window_start_time timestamptz not null default now(),
  last_attempt_time timestamptz not null default now(),
  block_until_time  timestamptz,
  primary key (tenant_id, email_hash, action),
  constraint email_throttles_email_hash_length check (octet_length(email_hash) = 32),
  constraint email_throttles_action_check
    check (action in ('LOGIN', 'REGISTER', 'RESEND_VERIFICATION', 'REQUEST_PASSWORD_RESET',
                      'RESET_PASSWORD', 'VERIFY_EMAIL', 'REFRESH_TOKEN')),
  constraint email_throttles_attempt_count_check check (attempt_count >= 0)
);

create index email_throttles_last_attempt_idx on email_throttles (last_attempt_time);

-- Per client address across tenants, with no tenant_id: one address spraying many
-- tenants is throttled as one caller.
create table client_address_throttles (
  client_address    inet        not null,
  action            text        not null,
  attempt_count     integer     not null default 0,
  window_start_time timestamptz not null default now(),
  last_attempt_time timestamptz not null default now(),
  block_until_time  timestamptz,
  primary key (client_address, action),
  constraint client_address_throttles_action_check
    check (action in ('LOGIN', 'REGISTER', 'RESEND_VERIFICATION', 'REQUEST_PASSWORD_RESET',
                      'RESET_PASSWORD', 'VERIFY_EMAIL', 'REFRESH_TOKEN')),
  constraint client_address_throttles_attempt_count_check check (attempt_count >= 0)
);

create index client_address_throttles_last_attempt_idx
  on client_address_throttles (last_attempt_time);

-- Seed: the permission table and the built-in roles of lattice/options/v1/options.proto.
-- Changing a built-in role's permissions is a new migration, never an edit of this one.
insert into permissions (name, description) values
  ('orders.read',                    'GetOrder, ListOrders (own orders only without orders.manage)'),
  ('orders.write',                   'CreateOrder, CancelOrder (own orders)'),
  ('orders.manage',                  'any customer''s orders; Pack/Ship/Deliver/RefundOrder'),
  ('inventory.read',                 'GetProduct, BatchGetProducts, ListProducts, GetStock'),
  ('inventory.write',                'Create/Update/DeleteProduct, AdjustStock, show_deleted'),
  ('payments.read',                  'GetPayment, ListPayments'),
  ('payments.refund',                'RefundPayment'),
  ('notifications.read',             'ListDeliveries, ListTemplates'),
  ('notifications.templates.manage', 'UpsertTemplate'),
  ('identity.users.read',            'GetUser, ListUsers'),
  ('identity.users.manage',          'DeleteUser, RestoreUser'),
  ('identity.roles.read',            'ListRoles'),
  ('identity.roles.manage',          'CreateRole, AssignRole, RevokeRole'),
  ('identity.tenants.create',        'CreateTenant'),
  ('identity.keys.manage',           'RotateSigningKey'),
  ('audit.read',                     'QueryAuditLog, GetAuditRecord'),
  ('audit.verify',                   'VerifyChain'),
  ('operations.read',                'ListDeadLetters, GetOutboxStatus (every service)'),
  ('operations.manage',              'ReplayDeadLetter (every service)');

insert into roles (id, tenant_id, name, description, built_in, create_time) values
  ('00000000-0000-7000-8000-000000000001', null, 'customer',
   'Shops: places and follows own orders, reads the catalog.', true, null),
  ('00000000-0000-7000-8000-000000000002', null, 'staff',
   'Runs the shop: manages orders, products and stock; reads payments, deliveries, users.', true, null),
  ('00000000-0000-7000-8000-000000000003', null, 'admin',
   'Administers the tenant: staff rights plus refunds, templates, users, roles and audit.', true, null),
  ('00000000-0000-7000-8000-000000000004', null, 'platform-admin',
   'Operates the platform: admin rights plus tenants, signing keys and operations.', true, null);

insert into role_permissions (role_id, tenant_id, permission)
select r.id, null, g.permission
from (values
  ('customer', 'orders.read'),
  ('customer', 'orders.write'),
  ('customer', 'inventory.read'),

  ('staff', 'orders.read'),
  ('staff', 'orders.write'),
  ('staff', 'orders.manage'),
  ('staff', 'inventory.read'),
  ('staff', 'inventory.write'),
  ('staff', 'payments.read'),
  ('staff', 'notifications.read'),
  ('staff', 'identity.users.read'),
  ('staff', 'identity.roles.read'),

  ('admin', 'orders.read'),
  ('admin', 'orders.write'),
  ('admin', 'orders.manage'),
  ('admin', 'inventory.read'),
  ('admin', 'inventory.write'),
  ('admin', 'payments.read'),
  ('admin', 'payments.refund'),
  ('admin', 'notifications.read'),
  ('admin', 'notifications.templates.manage'),
  ('admin', 'identity.users.read'),
  ('admin', 'identity.users.manage'),
  ('admin', 'identity.roles.read'),
  ('admin', 'identity.roles.manage'),
  ('admin', 'audit.read'),
  ('admin', 'audit.verify'),

  ('platform-admin', 'orders.read'),
  ('platform-admin', 'orders.write'),
  ('platform-admin', 'orders.manage'),
  ('platform-admin', 'inventory.read'),
  ('platform-admin', 'inventory.write'),
  ('platform-admin', 'payments.read'),
  ('platform-admin', 'payments.refund'),
  ('platform-admin', 'notifications.read'),
  ('platform-admin', 'notifications.templates.manage'),
  ('platform-admin', 'identity.users.read'),
  ('platform-admin', 'identity.users.manage'),
  ('platform-admin', 'identity.roles.read'),
  ('platform-admin', 'identity.roles.manage'),
  ('platform-admin', 'identity.tenants.create'),
  ('platform-admin', 'identity.keys.manage'),
  ('platform-admin', 'audit.read'),
  ('platform-admin', 'audit.verify'),
  ('platform-admin', 'operations.read'),
  ('platform-admin', 'operations.manage')
) as g (role_name, permission)
join roles r on r.name = g.role_name and r.built_in;
