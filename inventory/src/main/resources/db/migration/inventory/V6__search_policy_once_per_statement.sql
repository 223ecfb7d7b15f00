-- Catalog search under row-level security (decision 0022). PostgreSQL evaluates a policy's
-- condition before any condition of the query that is not leakproof, and uses neither as an index
-- condition then: `document @@ query` and `word <% name` (ts_match_vq and word_similarity_op, not
-- leakproof, and only a superuser may mark a function so) are filters on each of the tenant's rows,
-- and the GIN indexes V3 created for them serve no search the services make. They only cost the
-- indexer's writes, so they go.
drop index search_documents_document_idx;
drop index search_documents_name_trgm_idx;

-- The policy's own condition is then paid on each of those rows too; as V3 wrote it, it read both
-- settings and parsed the tenant id once per row. Here each setting is read once per statement (a
-- scalar subquery is an InitPlan), with the same meaning.
alter policy tenant_isolation on search_documents
  using (tenant_id = (select nullif(current_setting('lattice.tenant_id', true), '')::uuid)
         or (select current_setting('lattice.all_tenants', true)) = 'on')
  with check (tenant_id = (select nullif(current_setting('lattice.tenant_id', true), '')::uuid)
              or (select current_setting('lattice.all_tenants', true)) = 'on');

alter policy tenant_isolation on search_languages
  using (tenant_id = (select nullif(current_setting('lattice.tenant_id', true), '')::uuid)
         or (select current_setting('lattice.all_tenants', true)) = 'on')
  with check (tenant_id = (select nullif(current_setting('lattice.tenant_id', true), '')::uuid)
              or (select current_setting('lattice.all_tenants', true)) = 'on');
