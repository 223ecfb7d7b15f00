-- Catalog search (decision 0022): a read model of the catalog that inventory's own product and
-- stock events keep current, queried by SearchProducts. It is never written from products or
-- stock: only the search indexer (a consumer of the INVENTORY stream) writes it, so it can be
-- rebuilt from the stream and could move to a search engine behind the same interface.
--
-- pg_trgm is a trusted extension: a database owner may create it without being a superuser.
create extension if not exists pg_trgm;

-- The text search configuration of a tenant's catalog (a name from pg_ts_config, such as
-- 'english' or 'german'), from the tenant's creation; 'english' for a tenant without a row.
create table search_languages (
  tenant_id   uuid        primary key,
  config      text        not null,
  update_time timestamptz not null default now()
);

-- One document per product. The product's fields come from its newest product event (null
-- until the first arrives: a stock event may overtake the product's creation), its stock from
-- the newest stock snapshot; each side keeps the version it was at, and an older event than
-- what a side holds changes nothing. A deleted product keeps its row (a later, older event
-- must not bring it back) and is never found.
create table search_documents (
  tenant_id          uuid        not null,
  product_id         uuid        not null,
  sku                text,
  name               text,
  description        text,
  price_amount_minor bigint,
  currency           char(3),
  create_time        timestamptz,
  update_time        timestamptz,
  deleted            boolean     not null default false,
  product_version    bigint      not null default 0,
  available          bigint      not null default 0,
  stock_version      bigint      not null default 0,
  -- The weighted words of SKU and name (A) and description (C) in the tenant's configuration.
  document           tsvector    not null default ''::tsvector,
  -- When the newest event applied to the row happened, and when it was applied: the index lag.
  event_time         timestamptz not null,
  index_time         timestamptz not null,
  primary key (tenant_id, product_id)
);

create index search_documents_document_idx on search_documents using gin (document);
create index search_documents_name_trgm_idx on search_documents using gin (name gin_trgm_ops);
create index search_documents_newest_idx
  on search_documents (tenant_id, create_time desc, product_id desc) where not deleted;
create index search_documents_price_idx
  on search_documents (tenant_id, price_amount_minor, product_id) where not deleted;

alter table search_languages enable row level security;
alter table search_languages force row level security;
create policy tenant_isolation on search_languages
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');

alter table search_documents enable row level security;
alter table search_documents force row level security;
create policy tenant_isolation on search_documents
  using (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
         or current_setting('lattice.all_tenants', true) = 'on')
  with check (tenant_id = nullif(current_setting('lattice.tenant_id', true), '')::uuid
              or current_setting('lattice.all_tenants', true) = 'on');
