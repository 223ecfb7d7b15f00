-- The per-user rate limit reads a user's latest non-urgent attempts. It used to reach them through
-- the user's deliveries touched in the window (deliveries_tenant_recipient_update_idx) and join each
-- to its attempts; but every deferral moves a delivery's update_time, so for a busy user it read
-- every delivery waiting for the limit, once per check: 20,000 attempt-index probes and 29,000
-- delivery rows a second under the saga load of ./mesh bench, for 66 attempts a second. An attempt
-- now carries its recipient and whether it counts toward the limit (not HIGH, not IN_APP), and
-- this partial index hands the check the user's latest such attempts, newest first: reading stops
-- after the limit's count.
alter table delivery_attempts add column recipient_id uuid;
alter table delivery_attempts add column counts_toward_limit boolean not null default false;

update delivery_attempts a
   set recipient_id = d.recipient_id,
       counts_toward_limit = (d.priority <> 'HIGH' and d.channel <> 'IN_APP')
  from deliveries d
 where d.id = a.delivery_id;

alter table delivery_attempts alter column recipient_id set not null;
alter table delivery_attempts alter column counts_toward_limit drop default;

create index delivery_attempts_limit_idx
  on delivery_attempts (tenant_id, recipient_id, start_time desc)
  where counts_toward_limit;

-- Nothing else reads deliveries by update time, and every change of a delivery moved its entry.
drop index deliveries_tenant_recipient_update_idx;
