-- Audit's consumers record the events of one pull in one transaction (batch transactions,
-- decision 0016): after the first event has switched the transaction to the writer role
-- (SET LOCAL ROLE), the inbox rows of the next events are written as that role too.
-- processed_events comes from the platform's migrations, which the service applies before its
-- own; jOOQ's code generation applies the service's alone, without an inbox to grant on.
do $$
begin
  if to_regclass('processed_events') is not null then
    grant select, insert on processed_events to lattice_audit_writer;
  end if;
end
$$;
