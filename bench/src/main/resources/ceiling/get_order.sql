-- GetOrder: the statements orders sends for ONE GetOrder (OrderQueries through OrderStore): the
-- caller's tenant setting and one select of the order with its lines joined, as one multi-statement
-- in one round trip, autocommit (RenderedStatement.readAsTenant, decision 0018; pgbench script, run
-- by dev.lattice.bench.ceiling.PgbenchCeiling against the orders database).
--
-- Taken 2026-12-06 at commit 63f5d37 (main) from OrderStore.FIND's rendered SQL, which
-- RenderedStatement sends to the driver as it is (the two statements before that commit were
-- captured from a running mesh's postgres.log with log_statement = all; GetOrder as the order's
-- customer and as staff send the same SQL: access is checked in Java on the row read). The tenant
-- setting before it, which row-level security reads, was added 2026-12-07 at 17b3772 from a
-- running mesh's postgres.log (log_statement = all): GetOrder has sent it since decision 0018, and
-- pgbench now runs as the services' runtime role, under the policies. Re-take it when the SQL
-- changes; CeilingScriptsIT fails when this no longer fits the migrated schema.
--
-- What differs from the service: the multi-statement is a pipeline here (\startpipeline: both
-- statements, then one Sync, as pgjdbc sends a multi-statement), and the order id. pgbench cannot keep a list of UUIDs, so
-- PgbenchCeiling passes existing order ids of the tenant as one uuid[] (-D order_ids={...},
-- order_count) and each transaction picks one at random: where the service binds
-- "cast($1 as uuid)" this reads "(cast(:order_ids as uuid[]))[:k]", a parameter-only expression
-- that PostgreSQL evaluates once, so the plan is the same primary-key index scan.
--
-- Variables (-D): tenant_id, order_ids, order_count.

\set k random(1, :order_count)

\startpipeline
select set_config('lattice.tenant_id', :tenant_id, true), set_config('lattice.all_tenants', '', true);
select public.orders.id, public.orders.tenant_id, public.orders.customer_id, public.orders.status, public.orders.currency, public.orders.total_amount_minor, public.orders.cancellation_reason, public.orders.cancellation_note, public.orders.payment_id, public.orders.refund_id, public.orders.shipment_carrier, public.orders.shipment_tracking_number, public.orders.create_time, public.orders.update_time, public.orders.pay_time, public.orders.pack_time, public.orders.ship_time, public.orders.deliver_time, public.orders.cancel_time, public.orders.refund_time, public.orders.version, public.order_lines.product_id, public.order_lines.sku, public.order_lines.name, public.order_lines.quantity, public.order_lines.unit_price_amount_minor, public.order_lines.line_total_amount_minor from public.orders left outer join public.order_lines on (public.order_lines.order_id = public.orders.id and public.order_lines.tenant_id = public.orders.tenant_id) where (public.orders.id = (cast(:order_ids as uuid[]))[:k] and public.orders.tenant_id = cast(:tenant_id as uuid)) order by public.order_lines.line_number;
\endpipeline
