-- One database per service, owned by that service's migrations (docs/architecture.md §5).
CREATE DATABASE lattice_identity;
CREATE DATABASE lattice_orders;
CREATE DATABASE lattice_inventory;
CREATE DATABASE lattice_payments;
CREATE DATABASE lattice_notifications;
CREATE DATABASE lattice_audit;
