-- Stands in for tables the platform may ship later (outbox, inbox, idempotency keys).
create table platform_probe (
  id int primary key
);
