-- The trace context of the work that made a payment or refund due (W3C traceparent, tracestate,
-- baggage as a flat JSON object of strings, '{}' when there was none): the charge and refund
-- workers run outside any request or event, so they start their spans under it, and the events
-- they write (PaymentCaptured, PaymentFailed, PaymentRefunded) continue the order's trace instead
-- of each starting one of its own.
alter table payments
  add column trace_headers jsonb not null default '{}';

alter table refunds
  add column trace_headers jsonb not null default '{}';
