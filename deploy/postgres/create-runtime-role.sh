#!/bin/sh
# The role the services work as (decision 0018): it owns nothing and cannot bypass row-level
# security; the services migrate as postgres, which owns the tables, and grant it what it needs at
# every start. Run once by the image's entrypoint, on an empty data volume.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v password="$LATTICE_DB_RUNTIME_PASSWORD" <<'SQL'
create role lattice_service login nosuperuser nobypassrls password :'password';
SQL
