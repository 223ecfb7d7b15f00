-- Orders: orders with their price-snapshot lines and status history (saga of DESIGN.md §6).
--
-- The payment method token of CreateOrder is deliberately not stored here: orders needs it
-- only to put it into the OrderCreated event, which is written in the same transaction as
-- the order; payments keeps it until it charges. Nothing in this schema holds it.

create table orders (
  id                       uuid        primary key,
  tenant_id                uuid        not null,
  customer_id              uuid        not null,
  status                   text        not null default 'CREATED',
  currency                 char(3)     not null,
  total_amount_minor       bigint      not null,
  -- Null while not cancelled (CancellationReason UNSPECIFIED).
  cancellation_reason      text,
  cancellation_note        text        not null default '',
  payment_id               uuid,
  refund_id                uuid,
  shipment_carrier         text,
  shipment_tracking_number text,
  ship_time                timestamptz,
  create_time              timestamptz not null default now(),
  update_time              timestamptz not null default now(),
  pay_time                 timestamptz,
  pack_time                timestamptz,
  deliver_time             timestamptz,
  cancel_time              timestamptz,
  refund_time              timestamptz,
  version                  bigint      not null default 1,
  constraint orders_status_check
    check (status in ('CREATED', 'PAID', 'PACKED', 'SHIPPED', 'DELIVERED', 'CANCELLED',
                      'REFUNDED')),
  constraint orders_currency_check check (currency ~ '^[A-Z]{3}$'),
  constraint orders_total_amount_check check (total_amount_minor >= 0),
  constraint orders_cancellation_reason_check
    check (cancellation_reason in ('STOCK_REJECTED', 'PAYMENT_FAILED', 'RESERVATION_EXPIRED',
                                   'CUSTOMER_REQUEST', 'STAFF_REQUEST')),
  constraint orders_cancellation_reason_status
    check (cancellation_reason is null or status in ('CANCELLED', 'REFUNDED')),
  constraint orders_cancellation_note_length check (char_length(cancellation_note) <= 500),
  constraint orders_shipment_complete
    check ((shipment_carrier is null) = (shipment_tracking_number is null)
           and (shipment_carrier is null) = (ship_time is null)),
  constraint orders_version_check check (version >= 1)
);

-- ListOrders: newest first, keyset (create_time, id) descending; by customer (a customer's
-- own orders, or staff filtering) and by status.
create index orders_tenant_create_idx on orders (tenant_id, create_time desc, id desc);
create index orders_tenant_customer_create_idx
  on orders (tenant_id, customer_id, create_time desc, id desc);
create index orders_tenant_status_create_idx
  on orders (tenant_id, status, create_time desc, id desc);
-- Orders still waiting for the saga, for a watchdog that finds ones stuck in CREATED.
create index orders_created_waiting_idx on orders (create_time) where status = 'CREATED';

-- Prices captured at CreateOrder; amounts are in the order's currency. Lines never change.
create table order_lines (
  order_id                uuid    not null references orders (id),
  line_number             integer not null,
  tenant_id               uuid    not null,
  product_id              uuid    not null,
  sku                     text    not null,
  name                    text    not null,
  quantity                integer not null,
  unit_price_amount_minor bigint  not null,
  line_total_amount_minor bigint  not null,
  primary key (order_id, line_number),
  constraint order_lines_product_once unique (order_id, product_id),
  constraint order_lines_line_number_check check (line_number between 1 and 100),
  constraint order_lines_quantity_check check (quantity between 1 and 1000),
  constraint order_lines_unit_price_check check (unit_price_amount_minor >= 0),
  constraint order_lines_total_check
    check (line_total_amount_minor = unit_price_amount_minor * quantity)
);

create table order_status_history (
  id               uuid        primary key,
  tenant_id        uuid        not null,
  order_id         uuid        not null references orders (id),
  -- Null for the order's creation.
  from_status      text,
  to_status        text        not null,
  -- The cancellation reason, or what caused the change (e.g. "payment_captured").
  reason           text        not null default '',
  note             text        not null default '',
  actor_type       text        not null,
  actor_subject_id text        not null,
  -- The event (Envelope.event_id) that caused it; null when an RPC did.
  cause_event_id   uuid,
  change_time      timestamptz not null default now(),
  constraint order_status_history_from_check
    check (from_status in ('CREATED', 'PAID', 'PACKED', 'SHIPPED', 'DELIVERED', 'CANCELLED',
                           'REFUNDED')),
  constraint order_status_history_to_check
    check (to_status in ('CREATED', 'PAID', 'PACKED', 'SHIPPED', 'DELIVERED', 'CANCELLED',
                         'REFUNDED')),
  constraint order_status_history_actor_type_check
    check (actor_type in ('USER', 'SERVICE', 'SYSTEM', 'EXTERNAL'))
);

create index order_status_history_order_idx on order_status_history (order_id, change_time, id);
