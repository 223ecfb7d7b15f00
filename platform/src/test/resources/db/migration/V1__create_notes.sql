create table notes (
  id bigint generated always as identity primary key,
  title text not null,
  created_at timestamptz not null default now()
);

create table counters (
  id text primary key,
  value bigint not null
);
