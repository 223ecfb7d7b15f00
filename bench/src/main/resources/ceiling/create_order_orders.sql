-- CreateOrder, the orders database's part: the statements orders sends for ONE CreateOrder, in the
-- order and with the transaction boundaries it sends them (pgbench script, run by
-- dev.lattice.bench.ceiling.PgbenchCeiling beside create_order_inventory.sql).
--
-- Captured 2026-12-07 at commit 17b3772 (main) from a running mesh (java -jar
-- launcher/target/lattice-mesh.jar up, LATTICE_POSTGRES_SETTINGS=log_statement=all), placing
-- orders of 1, 3 and 4 lines as a customer over gRPC with an idempotency-key, its consumers paused,
-- and reading .lattice/logs/postgres.log (the first capture, 2026-12-04 at 23a71a1, predated the
-- idempotency claim's move into the order's transaction and row-level security: the claim was an
-- insert of its own, and no statement set a tenant). To re-capture after the SQL changed, do the
-- same and compare the "execute" lines of the orders service's connection with the statements
-- below; CeilingScriptsIT fails when these no longer fit the migrated schema or its policies.
--
-- What differs from the service, and why:
--  * pgbench runs as the services' runtime role (lattice_service), under row-level security, as
--    the services do (PgbenchCeiling.Settings.role).
--  * A tenant setting the service sends with the next statement as one multi-statement, in one
--    round trip (RenderedStatement), is sent here with it in a pipeline (\startpipeline: the two
--    statements, then one Sync), which is what pgjdbc sends for a multi-statement.
--  * Values the service binds as parameters are pgbench variables where they vary (tenant, customer,
--    products, quantities, payloads: PgbenchCeiling passes them with -D), and literals where the
--    service always binds the same constant ('CREATED', the method name, ...).
--  * pgbench has no UUID type and allows no \gset in a pipeline, so the ids two statements share
--    are made from one random number drawn per order (:r): the order id and the idempotency key
--    are md5(:r, a suffix) read as a UUID, random where the service's order ids are time-ordered
--    (UUIDv7); the tables a run writes stay small enough for their indexes to stay in shared
--    buffers either way. The ids no other statement uses are made in SQL as UUIDv7, as the
--    service's UuidV7Generator makes them (gen_random_uuid() with the first 48 bits replaced by the
--    Unix time in ms and the version nibble set to 7), the claim token with gen_random_uuid().
--  * The outbox row is inserted with next_attempt_time = 'infinity' (the service leaves the column
--    to its default, now), so that a running mesh's relay never publishes these rows;
--    PgbenchCeiling deletes every row the run inserted afterwards.
--  * create_time and update_time are now() where the service binds its clock's instant.
--  * Not here: the per-caller rate-limit lease (an upsert of rate_limit_buckets once a minute per
--    caller and service, decision 0019) and the saga admission count (off in ./mesh bench).
--
-- Variables (-D): tenant_id, customer_id (also the idempotency caller), currency, lines (1 to 4:
-- jOOQ's batch of order lines reaches PostgreSQL as pgjdbc rewrites it, reWriteBatchedInserts:
-- 1 -> one row, 2 -> one insert of 2 rows, 3 -> 2 rows then 1, 4 -> one insert of 4 rows),
-- p1_id .. p4_id, p1_sku .., p1_name .., p1_price .. (the products of the lines, as inventory
-- priced them), request_hash, response, envelope (bytea in hex, \x...: the SHA-256 of the request,
-- the stored CreateOrderResponse and the OrderCreated Envelope, of the sizes the service writes)
-- and headers (the outbox row's headers, {"traceparent": ...}).

\set q1 random(1, 3)
\set q2 random(1, 3)
\set q3 random(1, 3)
\set q4 random(1, 3)
\set t1 :p1_price * :q1
\set t2 :p2_price * :q2
\set t3 :p3_price * :q3
\set t4 :p4_price * :q4
\if :lines = 1
\set total :t1
\elif :lines = 2
\set total :t1 + :t2
\elif :lines = 3
\set total :t1 + :t2 + :t3
\else
\set total :t1 + :t2 + :t3 + :t4
\endif

\set r random(1, 9000000000000000000)

-- IdempotencyStore: the key's state before the order is placed, read as the caller's tenant
-- (RenderedStatement.readAsTenant), autocommit.
\startpipeline
select set_config('lattice.tenant_id', :tenant_id, true), set_config('lattice.all_tenants', '', true);
select idempotency_keys.request_hash, idempotency_keys.state, idempotency_keys.response, (idempotency_keys.lease_until < cast(current_timestamp as timestamp with time zone)), (idempotency_keys.expire_time < cast(current_timestamp as timestamp with time zone)) from idempotency_keys where (idempotency_keys.tenant_id = cast(:tenant_id as uuid) and idempotency_keys.caller = :customer_id and idempotency_keys.method = 'lattice.orders.v1.OrdersService/CreateOrder' and idempotency_keys.idempotency_key = cast(cast(md5(cast(:r as text) || 'key') as uuid) as text));
\endpipeline

-- OrderPlacement.place: Transactions.inTransaction (pgjdbc sends BEGIN as a simple query).
BEGIN;

-- OrderStore.insert: the order, with the transaction's tenant setting in its round trip.
\startpipeline
select set_config('lattice.tenant_id', :tenant_id, true), set_config('lattice.all_tenants', '', true);
insert into public.orders (id, tenant_id, customer_id, status, currency, total_amount_minor, cancellation_note, create_time, update_time, version) values (cast(md5(cast(:r as text) || 'order') as uuid), cast(:tenant_id as uuid), cast(:customer_id as uuid), 'CREATED', :currency, :total, '', cast(now() as timestamp(6) with time zone), cast(now() as timestamp(6) with time zone), 1);
\endpipeline

-- OrderStore.insert: the lines, one batch as pgjdbc rewrites it.
\if :lines = 1
insert into public.order_lines (order_id, line_number, tenant_id, product_id, sku, name, quantity, unit_price_amount_minor, line_total_amount_minor) values (cast(md5(cast(:r as text) || 'order') as uuid), 1, cast(:tenant_id as uuid), cast(:p1_id as uuid), :p1_sku, :p1_name, :q1, :p1_price, :t1);
\elif :lines = 2
insert into public.order_lines (order_id, line_number, tenant_id, product_id, sku, name, quantity, unit_price_amount_minor, line_total_amount_minor) values (cast(md5(cast(:r as text) || 'order') as uuid), 1, cast(:tenant_id as uuid), cast(:p1_id as uuid), :p1_sku, :p1_name, :q1, :p1_price, :t1),(cast(md5(cast(:r as text) || 'order') as uuid), 2, cast(:tenant_id as uuid), cast(:p2_id as uuid), :p2_sku, :p2_name, :q2, :p2_price, :t2);
\elif :lines = 3
insert into public.order_lines (order_id, line_number, tenant_id, product_id, sku, name, quantity, unit_price_amount_minor, line_total_amount_minor) values (cast(md5(cast(:r as text) || 'order') as uuid), 1, cast(:tenant_id as uuid), cast(:p1_id as uuid), :p1_sku, :p1_name, :q1, :p1_price, :t1),(cast(md5(cast(:r as text) || 'order') as uuid), 2, cast(:tenant_id as uuid), cast(:p2_id as uuid), :p2_sku, :p2_name, :q2, :p2_price, :t2);
insert into public.order_lines (order_id, line_number, tenant_id, product_id, sku, name, quantity, unit_price_amount_minor, line_total_amount_minor) values (cast(md5(cast(:r as text) || 'order') as uuid), 3, cast(:tenant_id as uuid), cast(:p3_id as uuid), :p3_sku, :p3_name, :q3, :p3_price, :t3);
\else
insert into public.order_lines (order_id, line_number, tenant_id, product_id, sku, name, quantity, unit_price_amount_minor, line_total_amount_minor) values (cast(md5(cast(:r as text) || 'order') as uuid), 1, cast(:tenant_id as uuid), cast(:p1_id as uuid), :p1_sku, :p1_name, :q1, :p1_price, :t1),(cast(md5(cast(:r as text) || 'order') as uuid), 2, cast(:tenant_id as uuid), cast(:p2_id as uuid), :p2_sku, :p2_name, :q2, :p2_price, :t2),(cast(md5(cast(:r as text) || 'order') as uuid), 3, cast(:tenant_id as uuid), cast(:p3_id as uuid), :p3_sku, :p3_name, :q3, :p3_price, :t3),(cast(md5(cast(:r as text) || 'order') as uuid), 4, cast(:tenant_id as uuid), cast(:p4_id as uuid), :p4_sku, :p4_name, :q4, :p4_price, :t4);
\endif

-- OrderHistoryStore.append: the first status history row.
insert into public.order_status_history (id, tenant_id, order_id, from_status, to_status, reason, note, actor_type, actor_subject_id, cause_event_id, change_time) values (cast(encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3) from 1 for 6), 52, 1), 53, 1), 'hex') as uuid), cast(:tenant_id as uuid), cast(md5(cast(:r as text) || 'order') as uuid), NULL, 'CREATED', 'order_created', '', 'USER', :customer_id, cast(NULL as uuid), cast(now() as timestamp(6) with time zone));

-- OrderEvents.created through OutboxWriter: OrderCreated in the outbox.
insert into outbox_events (event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version, subject, event_type, envelope, headers, next_attempt_time) values (cast(encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3) from 1 for 6), 52, 1), 53, 1), 'hex') as uuid), cast(:tenant_id as uuid), 'order', cast(cast(md5(cast(:r as text) || 'order') as uuid) as text), 1, 'lattice.orders.order_created', 'lattice.orders.v1.OrderCreated', cast(:envelope as bytea), cast(:headers as jsonb), 'infinity') returning outbox_events.id;

-- IdempotencyStore: the key completed with the stored response, in the order's transaction.
insert into idempotency_keys (tenant_id, caller, method, idempotency_key, request_hash, state, claim_token, lease_until, response, create_time, complete_time, expire_time) values (cast(:tenant_id as uuid), :customer_id, 'lattice.orders.v1.OrdersService/CreateOrder', cast(cast(md5(cast(:r as text) || 'key') as uuid) as text), cast(:request_hash as bytea), 'COMPLETED', gen_random_uuid(), cast(current_timestamp as timestamp with time zone), cast(:response as bytea), cast(current_timestamp as timestamp with time zone), cast(current_timestamp as timestamp with time zone), now() + 86400000 * interval '1 millisecond') on conflict (tenant_id, caller, method, idempotency_key) do update set request_hash = excluded.request_hash, state = excluded.state, claim_token = excluded.claim_token, lease_until = excluded.lease_until, response = excluded.response, create_time = excluded.create_time, complete_time = excluded.complete_time, expire_time = excluded.expire_time where (idempotency_keys.expire_time < cast(current_timestamp as timestamp with time zone) or (idempotency_keys.state = 'IN_PROGRESS' and idempotency_keys.lease_until < cast(current_timestamp as timestamp with time zone)));

COMMIT;
