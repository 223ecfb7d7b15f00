-- The charge and refund workers (decision 0008): the provider is called with no transaction
-- open, so a payment or refund due for a provider call is claimed with a lease, and an attempt
-- that failed transiently waits until next_attempt_time (exponential backoff with jitter).

-- next_attempt_time: when the worker may call the provider next; null once settled.
-- attempts: provider calls started so far (claims).
-- lease_until / lease_token: the claim of the worker calling the provider now; a lease that ran
-- out (the worker died) lets another worker repeat the call with the same idempotency key.
-- cancel_requested: the order was cancelled while the charge was pending. The worker then only
-- looks the charge up (it never starts one); a capture found later is refunded at once.
alter table payments
  add column next_attempt_time timestamptz,
  add column attempts          integer     not null default 0,
  add column lease_until       timestamptz,
  add column lease_token       uuid,
  add column cancel_requested  boolean     not null default false,
  add constraint payments_attempts_check check (attempts >= 0);

create index payments_due_idx on payments (next_attempt_time) where status = 'PENDING';

alter table refunds
  add column next_attempt_time timestamptz,
  add column attempts          integer     not null default 0,
  add column lease_until       timestamptz,
  add column lease_token       uuid,
  add constraint refunds_attempts_check check (attempts >= 0);

create index refunds_due_idx on refunds (next_attempt_time) where status = 'PENDING';

-- Orders payments will never charge: StockRejected, or OrderCancelled before any payment
-- existed. Consumers of different streams see an order's events in any order, so a late
-- OrderCreated or StockReserved of a closed order must find this row and do nothing.
create table closed_orders (
  tenant_id  uuid        not null,
  order_id   uuid        not null,
  -- "stock_rejected" or "order_cancelled"
  reason     text        not null,
  close_time timestamptz not null default now(),
  primary key (tenant_id, order_id)
);
