-- Payments: charges of orders, their status history and refunds, provider webhooks.

-- What payments needs from OrderCreated until StockReserved arrives and it can charge
-- (the order total, and the customer's payment method token, which no event after
-- OrderCreated carries). The token is sensitive: the row is deleted as soon as the charge
-- has been attempted or the order can no longer be paid, and a sweeper deletes rows past
-- expire_time. The token is never copied into payments.
create table charge_requests (
  id                   uuid        primary key,
  tenant_id            uuid        not null,
  order_id             uuid        not null,
  customer_id          uuid        not null,
  amount_minor         bigint      not null,
  currency             char(3)     not null,
  payment_method_token text        not null,
  create_time          timestamptz not null default now(),
  expire_time          timestamptz not null,
  constraint charge_requests_tenant_order_key unique (tenant_id, order_id),
  constraint charge_requests_amount_check check (amount_minor >= 0),
  constraint charge_requests_currency_check check (currency ~ '^[A-Z]{3}$'),
  constraint charge_requests_expiry_order check (expire_time > create_time)
);

create index charge_requests_expire_idx on charge_requests (expire_time);

--   PENDING -> AUTHORIZED -> CAPTURED -> PARTIALLY_REFUNDED -> REFUNDED
--   PENDING | AUTHORIZED -> FAILED;  CAPTURED -> REFUNDED
create table payments (
  id                    uuid        primary key,
  tenant_id             uuid        not null,
  -- One payment per order. The order id is also the provider's idempotency key, so a
  -- redelivered StockReserved or a retried charge never charges twice.
  order_id              uuid        not null,
  customer_id           uuid        not null,
  amount_minor          bigint      not null,
  refunded_amount_minor bigint      not null default 0,
  currency              char(3)     not null,
  status                text        not null default 'PENDING',
  provider              text        not null,
  provider_charge_id    text,
  failure_code          text,
  failure_message       text,
  create_time           timestamptz not null default now(),
  update_time           timestamptz not null default now(),
  version               bigint      not null default 1,
  constraint payments_tenant_order_key unique (tenant_id, order_id),
  constraint payments_amount_check check (amount_minor >= 0),
  constraint payments_refunded_amount_check
    check (refunded_amount_minor between 0 and amount_minor),
  constraint payments_currency_check check (currency ~ '^[A-Z]{3}$'),
  constraint payments_status_check
    check (status in ('PENDING', 'AUTHORIZED', 'CAPTURED', 'FAILED', 'PARTIALLY_REFUNDED',
                      'REFUNDED')),
  constraint payments_failure_code_status check ((status = 'FAILED') = (failure_code is not null)),
  constraint payments_version_check check (version >= 1)
);

-- Webhooks carry no token: the tenant and payment are found from the provider's charge id,
-- so it is unique per provider across tenants.
create unique index payments_provider_charge_key
  on payments (provider, provider_charge_id) where provider_charge_id is not null;
-- ListPayments: newest first, keyset (create_time, id) descending, optionally by status.
create index payments_tenant_create_idx on payments (tenant_id, create_time desc, id desc);
create index payments_tenant_status_create_idx
  on payments (tenant_id, status, create_time desc, id desc);
-- Charges left unanswered (e.g. a crash after calling the provider), for reconciliation.
create index payments_unsettled_idx
  on payments (update_time) where status in ('PENDING', 'AUTHORIZED');

create table payment_status_history (
  id          uuid        primary key,
  tenant_id   uuid        not null,
  payment_id  uuid        not null references payments (id),
  status      text        not null,
  -- "charge", "webhook:<provider event id>", "refund:<refund id>", ...
  cause       text        not null,
  change_time timestamptz not null default now(),
  constraint payment_status_history_status_check
    check (status in ('PENDING', 'AUTHORIZED', 'CAPTURED', 'FAILED', 'PARTIALLY_REFUNDED',
                      'REFUNDED'))
);

create index payment_status_history_payment_idx
  on payment_status_history (payment_id, change_time, id);

-- The refund id is the provider's idempotency key for the refund.
create table refunds (
  id                 uuid        primary key,
  tenant_id          uuid        not null,
  payment_id         uuid        not null references payments (id),
  -- In the payment's currency, repeated so every amount names its currency.
  amount_minor       bigint      not null,
  currency           char(3)     not null,
  reason             text        not null,
  status             text        not null default 'PENDING',
  provider           text        not null,
  provider_refund_id text,
  failure_code       text,
  failure_message    text,
  create_time        timestamptz not null default now(),
  update_time        timestamptz not null default now(),
  complete_time      timestamptz,
  version            bigint      not null default 1,
  constraint refunds_amount_check check (amount_minor > 0),
  constraint refunds_currency_check check (currency ~ '^[A-Z]{3}$'),
  constraint refunds_reason_length check (char_length(reason) between 1 and 500),
  constraint refunds_status_check check (status in ('PENDING', 'SUCCEEDED', 'FAILED')),
  constraint refunds_complete_time_status
    check ((status = 'SUCCEEDED') = (complete_time is not null)),
  constraint refunds_failure_code_status check ((status = 'FAILED') = (failure_code is not null)),
  constraint refunds_version_check check (version >= 1)
);

create index refunds_payment_idx on refunds (payment_id, create_time, id);
-- Refund webhooks find the refund from the provider's refund id, before the tenant is known.
create unique index refunds_provider_refund_key
  on refunds (provider, provider_refund_id) where provider_refund_id is not null;

-- Every accepted provider webhook, for replay protection: a redelivered event id is
-- answered 200 with no second effect. Unique per provider across tenants because the
-- duplicate is recognised before the tenant is resolved.
create table provider_webhook_events (
  id                uuid        primary key,
  tenant_id         uuid        not null,
  provider          text        not null,
  provider_event_id text        not null,
  event_type        text        not null,
  payment_id        uuid        references payments (id),
  refund_id         uuid        references refunds (id),
  -- The signed `t=` timestamp of the lattice-signature header.
  sign_time         timestamptz not null,
  receive_time      timestamptz not null default now(),
  payload           jsonb       not null,
  constraint provider_webhook_events_provider_event_key unique (provider, provider_event_id)
);

create index provider_webhook_events_payment_idx
  on provider_webhook_events (payment_id) where payment_id is not null;
