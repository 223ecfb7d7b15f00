-- Product media (decision 0023): a file's metadata here, its bytes in object storage under
-- storage_key in the bucket of storage_area. The life of a file:
--   AWAITING_UPLOAD -> SCANNING (CompleteUpload found the bytes as declared)
--                   -> REJECTED (they were not: deleted at once) | EXPIRED (never completed)
--   SCANNING -> CLEAN (moved to the public bucket when PUBLIC) | QUARANTINED (moved to quarantine)
--   any but EXPIRED -> DELETED (bytes removed after the retention period: purge_time)
create table product_media (
  id                   uuid        primary key,
  tenant_id            uuid        not null,
  product_id           uuid        not null references products (id),
  file_name            text        not null,
  content_type         text        not null,
  sniffed_content_type text        not null default '',
  size_bytes           bigint      not null,
  sha256               char(64)    not null,
  visibility           text        not null,
  status               text        not null default 'AWAITING_UPLOAD',
  rejection_reason     text        not null default '',
  storage_area         text        not null default 'PRIVATE',
  storage_key          text        not null,
  uploaded_by          text        not null,
  upload_expire_time   timestamptz not null,
  -- The scan queue: due SCANNING files by next_scan_time; a scanner outage pushes it back.
  scan_attempts        integer     not null default 0,
  next_scan_time       timestamptz,
  create_time          timestamptz not null default now(),
  update_time          timestamptz not null default now(),
  delete_time          timestamptz,
  purge_time           timestamptz,
  version              bigint      not null default 1,
  constraint product_media_file_name check (char_length(file_name) between 1 and 255),
  constraint product_media_size check (size_bytes > 0),
  constraint product_media_sha256 check (sha256 ~ '^[0-9a-f]{64}$'),
  constraint product_media_visibility check (visibility in ('PUBLIC', 'PRIVATE')),
  constraint product_media_status check (status in ('AWAITING_UPLOAD', 'SCANNING', 'CLEAN',
    'QUARANTINED', 'REJECTED', 'EXPIRED', 'DELETED')),
  constraint product_media_area check (storage_area in ('PRIVATE', 'PUBLIC', 'QUARANTINE')),
  constraint product_media_version check (version >= 1),
  constraint product_media_key unique (storage_key)
);

-- ListMedia: a product's files, oldest first (ids are UUIDv7).
create index product_media_product on product_media (tenant_id, product_id, id);
-- The scan job's queue.
create index product_media_scan_due on product_media (next_scan_time)
  where status = 'SCANNING';
-- The cleanup job: uploads never completed, deleted files past retention.
create index product_media_upload_due on product_media (upload_expire_time)
  where status = 'AWAITING_UPLOAD';
create index product_media_purge_due on product_media (delete_time)
  where status = 'DELETED' and purge_time is null;

alter table product_media enable row level security;
alter table product_media force row level security;
create policy tenant_isolation on product_media
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');
