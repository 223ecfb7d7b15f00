-- Notifications: templates, user preferences, the in-app inbox and deliveries.

-- Who can be reached, projected from identity's user events (UserRegistered,
-- EmailVerified, PasswordResetRequested, UserDeleted, ...), since services never read each
-- other's tables. Events of other services name only the user id.
create table recipients (
  user_id      uuid        primary key,
  tenant_id    uuid        not null,
  email        text        not null,
  display_name text        not null,
  locale       text        not null default 'en',
  verify_time  timestamptz,
  delete_time  timestamptz,
  -- aggregate_version of the last identity event applied; older events are ignored.
  user_version bigint      not null,
  update_time  timestamptz not null default now()
);

-- The current template per (key, locale, channel); UpsertTemplate replaces it in place.
-- "C" collation: ListTemplates orders by key, locale, channel bytewise (stable page tokens).
create table templates (
  id          uuid        primary key,
  tenant_id   uuid        not null,
  key         text        collate "C" not null,
  locale      text        collate "C" not null,
  channel     text        collate "C" not null,
  -- Empty for SMS.
  subject     text        not null default '',
  body        text        not null,
  create_time timestamptz not null default now(),
  update_time timestamptz not null default now(),
  version     bigint      not null default 1,
  constraint templates_tenant_key_locale_channel_key unique (tenant_id, key, locale, channel),
  constraint templates_key_format check (key ~ '^[a-z][a-z0-9_]{0,63}$'),
  constraint templates_locale_format check (locale ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$'),
  constraint templates_channel_check check (channel in ('EMAIL', 'IN_APP', 'SMS', 'PUSH')),
  constraint templates_subject_check
    check (char_length(subject) <= 200 and (channel = 'SMS' or subject <> '')),
  constraint templates_body_length check (char_length(body) between 1 and 50000),
  constraint templates_version_check check (version >= 1)
);

-- Every version a template ever had, immutable, so a delivery can name exactly what it
-- rendered (deliveries.template_version) after the template changed.
create table template_revisions (
  id          uuid        primary key,
  tenant_id   uuid        not null,
  template_id uuid        not null references templates (id),
  key         text        collate "C" not null,
  locale      text        collate "C" not null,
  channel     text        collate "C" not null,
  version     bigint      not null,
  subject     text        not null,
  body        text        not null,
  create_time timestamptz not null default now(),
  constraint template_revisions_version_key unique (tenant_id, key, locale, channel, version),
  constraint template_revisions_channel_check
    check (channel in ('EMAIL', 'IN_APP', 'SMS', 'PUSH')),
  constraint template_revisions_version_check check (version >= 1)
);

-- A user's saved preferences (the aggregate that carries the version). No row means never
-- saved: version 0 and the defaults (EMAIL and IN_APP on, SMS and PUSH off).
create table preference_sets (
  user_id     uuid        primary key,
  tenant_id   uuid        not null,
  update_time timestamptz not null default now(),
  version     bigint      not null default 1,
  constraint preference_sets_version_check check (version >= 1)
);

-- One explicit choice per (type, channel); type "*" covers every type not listed. Security
-- messages go by email whatever these say (the service enforces PREFERENCE_LOCKED).
create table preferences (
  user_id   uuid    not null references preference_sets (user_id),
  type      text    collate "C" not null,
  channel   text    collate "C" not null,
  tenant_id uuid    not null,
  enabled   boolean not null,
  primary key (user_id, type, channel),
  constraint preferences_type_format check (type ~ '^(\*|[a-z][a-z0-9_]{0,63})$'),
  constraint preferences_channel_check check (channel in ('EMAIL', 'IN_APP', 'SMS', 'PUSH'))
);

-- The in-app inbox. Immutable apart from read_time.
create table notifications (
  id           uuid        primary key,
  tenant_id    uuid        not null,
  recipient_id uuid        not null,
  type         text        not null,
  title        text        not null,
  body         text        not null,
  data         jsonb       not null default '{}',
  create_time  timestamptz not null default now(),
  read_time    timestamptz,
  constraint notifications_title_length check (char_length(title) <= 200),
  constraint notifications_body_length check (char_length(body) <= 5000),
  constraint notifications_data_object check (jsonb_typeof(data) = 'object')
);

-- ListNotifications: newest first, keyset on the UUIDv7 id; the partial index serves
-- unread_only and the unread badge count.
create index notifications_recipient_idx on notifications (tenant_id, recipient_id, id desc);
create index notifications_recipient_unread_idx
  on notifications (tenant_id, recipient_id, id desc) where read_time is null;

create table deliveries (
  id                  uuid        primary key,
  tenant_id           uuid        not null,
  recipient_id        uuid        not null,
  channel             text        not null,
  template_key        text        not null,
  locale              text        not null,
  template_version    bigint,
  -- recipient + channel + notification type + the object concerned (e.g. the order id),
  -- composed by the service: one message per fact even if several events report it.
  dedupe_key          text        not null,
  -- HIGH: a user is waiting (verification, password reset); NORMAL: order updates;
  -- LOW: anything that may wait. Each lane is dispatched separately.
  priority            text        not null default 'NORMAL',
  -- The real address and the rendered message, kept so that retries send exactly the same
  -- thing. They may carry personal data and single-use links: the service clears them when
  -- the delivery reaches a terminal state.
  destination         text,
  destination_hint    text        not null default '',
  rendered_subject    text,
  rendered_body       text,
  source_event_id     uuid        not null,
  source_event_type   text        not null,
  status              text        not null default 'PENDING',
  attempt_count       integer     not null default 0,
  last_error_code     text        not null default '',
  last_error_message  text        not null default '',
  provider            text,
  provider_message_id text,
  notification_id     uuid        references notifications (id),
  create_time         timestamptz not null default now(),
  update_time         timestamptz not null default now(),
  sent_time           timestamptz,
  -- When the dispatcher picks it up next; set while PENDING (its first attempt) as well as
  -- RETRYING, though the API shows it only for RETRYING. Claiming a delivery pushes it out
  -- by a lease, so a crashed dispatcher's delivery is picked up again.
  next_attempt_time   timestamptz,
  version             bigint      not null default 1,
  constraint deliveries_tenant_dedupe_key unique (tenant_id, dedupe_key),
  constraint deliveries_channel_check check (channel in ('EMAIL', 'IN_APP', 'SMS', 'PUSH')),
  constraint deliveries_priority_check check (priority in ('HIGH', 'NORMAL', 'LOW')),
  constraint deliveries_status_check
    check (status in ('PENDING', 'RETRYING', 'SENT', 'FAILED', 'SKIPPED')),
  constraint deliveries_attempt_count_check check (attempt_count >= 0),
  constraint deliveries_next_attempt_open
    check ((status in ('PENDING', 'RETRYING')) = (next_attempt_time is not null)),
  constraint deliveries_sent_time_status check ((status = 'SENT') = (sent_time is not null)),
  constraint deliveries_version_check check (version >= 1)
);

-- The dispatcher: due deliveries of one lane, across tenants.
create index deliveries_due_idx
  on deliveries (priority, next_attempt_time) where status in ('PENDING', 'RETRYING');
-- ListDeliveries: newest first, keyset (create_time, id) descending, with its filters.
create index deliveries_tenant_create_idx on deliveries (tenant_id, create_time desc, id desc);
create index deliveries_tenant_recipient_create_idx
  on deliveries (tenant_id, recipient_id, create_time desc, id desc);
create index deliveries_tenant_status_create_idx
  on deliveries (tenant_id, status, create_time desc, id desc);
create index deliveries_tenant_source_event_idx on deliveries (tenant_id, source_event_id);

create table delivery_attempts (
  delivery_id         uuid        not null references deliveries (id),
  attempt_number      integer     not null,
  tenant_id           uuid        not null,
  provider            text        not null,
  start_time          timestamptz not null default now(),
  finish_time         timestamptz,
  -- Null while the attempt runs.
  outcome             text,
  error_code          text        not null default '',
  error_message       text        not null default '',
  provider_message_id text,
  primary key (delivery_id, attempt_number),
  constraint delivery_attempts_attempt_number_check check (attempt_number >= 1),
  constraint delivery_attempts_outcome_check
    check (outcome in ('SENT', 'TRANSIENT_ERROR', 'PERMANENT_ERROR'))
);
