-- Inventory: the product catalog, stock counters and per-order reservations.
-- Invariant (DESIGN.md §6): available + reserved + sold of a product changes only through
-- AdjustStock; reservations, commits, releases and returns move units between counters.

create table products (
  id                 uuid        primary key,
  tenant_id          uuid        not null,
  -- "C" collation: ListProducts orders by SKU bytewise (stable page tokens on every
  -- server) and its sku_prefix filter (case-sensitive LIKE 'x%') can use the index.
  sku                text        collate "C" not null,
  name               text        not null,
  description        text        not null default '',
  price_amount_minor bigint      not null,
  currency           char(3)     not null,
  create_time        timestamptz not null default now(),
  update_time        timestamptz not null default now(),
  delete_time        timestamptz,
  version            bigint      not null default 1,
  constraint products_sku_format check (sku ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  constraint products_name_length check (char_length(name) between 1 and 200),
  constraint products_description_length check (char_length(description) <= 5000),
  constraint products_price_check check (price_amount_minor between 0 and 100000000000),
  constraint products_currency_check check (currency ~ '^[A-Z]{3}$'),
  constraint products_version_check check (version >= 1)
);

-- A SKU is unique among live products; a deleted product frees it (SKU_TAKEN otherwise).
-- Also serves ListProducts of live products, keyset (sku, id).
create unique index products_tenant_sku_live_key
  on products (tenant_id, sku) where delete_time is null;
-- ListProducts with show_deleted: every product, keyset (sku, id).
create index products_tenant_sku_idx on products (tenant_id, sku, id);

-- Counters are bigint like the proto's int64: AdjustStock may add up to 1e9 units per call.
create table stock (
  product_id  uuid        primary key references products (id),
  tenant_id   uuid        not null,
  available   bigint      not null default 0,
  reserved    bigint      not null default 0,
  sold        bigint      not null default 0,
  update_time timestamptz not null default now(),
  version     bigint      not null default 1,
  constraint stock_available_check check (available >= 0),
  constraint stock_reserved_check check (reserved >= 0),
  constraint stock_sold_check check (sold >= 0),
  constraint stock_version_check check (version >= 1)
);

-- One reservation per order, all lines or none, for 15 minutes unless the order is paid.
--   ACTIVE -> COMMITTED (order paid) -> RETURNED (order refunded, units back on sale)
--   ACTIVE -> RELEASED (order cancelled) | EXPIRED (expire_time passed)
create table reservations (
  id          uuid        primary key,
  tenant_id   uuid        not null,
  order_id    uuid        not null,
  status      text        not null default 'ACTIVE',
  expire_time timestamptz not null,
  create_time timestamptz not null default now(),
  update_time timestamptz not null default now(),
  version     bigint      not null default 1,
  constraint reservations_tenant_order_key unique (tenant_id, order_id),
  constraint reservations_status_check
    check (status in ('ACTIVE', 'COMMITTED', 'RELEASED', 'EXPIRED', 'RETURNED')),
  constraint reservations_expiry_order check (expire_time > create_time),
  constraint reservations_version_check check (version >= 1)
);

-- The expiry job scans open reservations across tenants by due time.
create index reservations_active_expire_idx on reservations (expire_time) where status = 'ACTIVE';

create table reservation_lines (
  reservation_id uuid   not null references reservations (id),
  product_id     uuid   not null references products (id),
  tenant_id      uuid   not null,
  quantity       bigint not null,
  primary key (reservation_id, product_id),
  constraint reservation_lines_quantity_check check (quantity > 0)
);
