-- Catalog search rebuilds (decision 0022): the index is kept in generations. Queries read the
-- ACTIVE one; a rebuild fills a BUILDING one from the catalog while the indexer applies every
-- event to both (newest version wins in each), then makes it ACTIVE in one transaction and
-- deletes the RETIRED one's documents. At most one generation is ACTIVE and one BUILDING.
create table search_generations (
  generation  integer     primary key,
  state       text        not null,
  -- Documents the rebuild copied into it.
  documents   bigint      not null default 0,
  start_time  timestamptz not null default now(),
  finish_time timestamptz,
  constraint search_generations_state check (state in ('ACTIVE', 'BUILDING', 'RETIRED'))
);
create unique index search_generations_one_per_state on search_generations (state)
  where state <> 'RETIRED';
insert into search_generations (generation, state, finish_time) values (1, 'ACTIVE', now());

alter table search_documents add column generation integer not null default 1;
alter table search_documents drop constraint search_documents_pkey;
alter table search_documents add primary key (generation, tenant_id, product_id);
