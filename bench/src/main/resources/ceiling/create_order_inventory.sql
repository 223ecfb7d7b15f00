-- CreateOrder, the inventory database's part: the price lookup orders asks inventory for over gRPC
-- (InventoryPrices -> inventory.BatchGetProducts -> ProductStore), one statement in autocommit, as
-- inventory sends it for ONE CreateOrder (pgbench script, run by
-- dev.lattice.bench.ceiling.PgbenchCeiling beside create_order_orders.sql, which has the orders
-- database's part).
--
-- Captured 2026-12-04 at commit 23a71a1 (main) from a running mesh (java -jar
-- launcher/target/lattice-mesh.jar up), with log_statement = all set on its PostgreSQL (ALTER
-- SYSTEM, then pg_reload_conf()), placing orders of 1, 3 and 4 lines as a customer over gRPC, and
-- reading .lattice/logs/postgres.log: the "execute" line of the inventory service's connection
-- that comes between orders' idempotency claim and its BEGIN. Re-capture the same way when the SQL
-- changes; CeilingScriptsIT fails when this no longer fits the migrated schema.
--
-- What differs from the service: nothing but the variables. A connection that was idle for more
-- than half a second is first checked by HikariCP (an empty query); under load that does not
-- happen and it is left out here.
--
-- Variables (-D): tenant_id, lines (1 to 4: as many product ids in the IN list as the order has
-- lines), p1_id .. p4_id.

\if :lines = 1
select public.products.id, public.products.tenant_id, public.products.sku, public.products.name, public.products.description, public.products.price_amount_minor, public.products.currency, public.products.create_time, public.products.update_time, public.products.delete_time, public.products.version from public.products where (public.products.tenant_id = cast(:tenant_id as uuid) and public.products.id in (cast(:p1_id as uuid)) and public.products.delete_time is null);
\elif :lines = 2
select public.products.id, public.products.tenant_id, public.products.sku, public.products.name, public.products.description, public.products.price_amount_minor, public.products.currency, public.products.create_time, public.products.update_time, public.products.delete_time, public.products.version from public.products where (public.products.tenant_id = cast(:tenant_id as uuid) and public.products.id in (cast(:p1_id as uuid), cast(:p2_id as uuid)) and public.products.delete_time is null);
\elif :lines = 3
select public.products.id, public.products.tenant_id, public.products.sku, public.products.name, public.products.description, public.products.price_amount_minor, public.products.currency, public.products.create_time, public.products.update_time, public.products.delete_time, public.products.version from public.products where (public.products.tenant_id = cast(:tenant_id as uuid) and public.products.id in (cast(:p1_id as uuid), cast(:p2_id as uuid), cast(:p3_id as uuid)) and public.products.delete_time is null);
\else
select public.products.id, public.products.tenant_id, public.products.sku, public.products.name, public.products.description, public.products.price_amount_minor, public.products.currency, public.products.create_time, public.products.update_time, public.products.delete_time, public.products.version from public.products where (public.products.tenant_id = cast(:tenant_id as uuid) and public.products.id in (cast(:p1_id as uuid), cast(:p2_id as uuid), cast(:p3_id as uuid), cast(:p4_id as uuid)) and public.products.delete_time is null);
\endif
