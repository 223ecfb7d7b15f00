-- CreateOrder, the inventory database's part: the price lookup orders asks inventory for over gRPC
-- (InventoryPrices -> inventory.BatchGetProducts -> ProductStore): the caller's tenant setting and
-- one select as one multi-statement in one round trip, autocommit (RenderedStatement.readAsTenant,
-- decision 0018), as inventory sends it for ONE CreateOrder (pgbench script, run by
-- dev.lattice.bench.ceiling.PgbenchCeiling beside create_order_orders.sql, which has the orders
-- database's part).
--
-- Taken 2026-12-06 from ProductStore.FIND_LIVE's rendered SQL, which RenderedStatement sends to
-- the driver as it is (before that, inventory built the select per call with an IN list of the
-- ids; that statement was captured from a running mesh's postgres.log with log_statement = all, the
-- "execute" line of the inventory service's connection between orders' idempotency claim and its
-- BEGIN). The tenant setting before it was added 2026-12-07 at 17b3772 from a running mesh's
-- postgres.log (log_statement = all): inventory has sent it since decision 0018, and pgbench now
-- runs as the services' runtime role, under the policies. Re-take it when the SQL changes;
-- CeilingScriptsIT fails when this no longer fits the migrated schema.
--
-- What differs from the service: the multi-statement is a pipeline here (\startpipeline: both
-- statements, then one Sync, as pgjdbc sends a multi-statement), and the ids. The service binds them as one uuid[] parameter; pgbench
-- cannot pass an array of variables, so this builds it from the order's 1 to 4 product ids
-- ("array[:p1_id, ...]"), the same "= any" over the same primary-key index. A connection that was
-- idle for more than half a second is first checked by HikariCP (an empty query); under load that
-- does not happen and it is left out here, as is the per-caller rate-limit lease (an upsert of
-- rate_limit_buckets once a minute per caller, decision 0019).
--
-- Variables (-D): tenant_id, lines (1 to 4: as many product ids as the order has lines),
-- p1_id .. p4_id.

\startpipeline
select set_config('lattice.tenant_id', :tenant_id, true), set_config('lattice.all_tenants', '', true);
\if :lines = 1
select public.products.id, public.products.tenant_id, public.products.sku, public.products.name, public.products.description, public.products.price_amount_minor, public.products.currency, public.products.create_time, public.products.update_time, public.products.delete_time, public.products.version from public.products where (public.products.tenant_id = cast(:tenant_id as uuid) and public.products.id = any (cast(array[:p1_id] as uuid[])) and public.products.delete_time is null);
\elif :lines = 2
select public.products.id, public.products.tenant_id, public.products.sku, public.products.name, public.products.description, public.products.price_amount_minor, public.products.currency, public.products.create_time, public.products.update_time, public.products.delete_time, public.products.version from public.products where (public.products.tenant_id = cast(:tenant_id as uuid) and public.products.id = any (cast(array[:p1_id, :p2_id] as uuid[])) and public.products.delete_time is null);
\elif :lines = 3
select public.products.id, public.products.tenant_id, public.products.sku, public.products.name, public.products.description, public.products.price_amount_minor, public.products.currency, public.products.create_time, public.products.update_time, public.products.delete_time, public.products.version from public.products where (public.products.tenant_id = cast(:tenant_id as uuid) and public.products.id = any (cast(array[:p1_id, :p2_id, :p3_id] as uuid[])) and public.products.delete_time is null);
\else
select public.products.id, public.products.tenant_id, public.products.sku, public.products.name, public.products.description, public.products.price_amount_minor, public.products.currency, public.products.create_time, public.products.update_time, public.products.delete_time, public.products.version from public.products where (public.products.tenant_id = cast(:tenant_id as uuid) and public.products.id = any (cast(array[:p1_id, :p2_id, :p3_id, :p4_id] as uuid[])) and public.products.delete_time is null);
\endif
\endpipeline
