-- issue #17: the core rules through the coordinator, in tenants 206-207.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
SELECT client_registry.grant_tenant(t, 'postgres') FROM generate_series(206, 207) t;
-- the first client of a tenant must be its own company (the check runs on the worker's shard)
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 206;
INSERT INTO client_registry.client (id, kind, name) VALUES (206901, 'buyer', 'UAB Be savos');
ROLLBACK;
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 206;
INSERT INTO client_registry.client (id, kind, name, company_code, vat_code)
VALUES (206001, 'own_company', 'UAB Mano įmonė', '110003978', 'LT100001919017');
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (206002, 'buyer', 'UAB Pirkėjas', '300000010');
COMMIT;
-- unique company code in the tenant, with the friendly message naming the other client
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 206;
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (206003, 'buyer', 'UAB Dublis', '300000010');
ROLLBACK;
-- the same code in another tenant is fine
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 207;
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (207001, 'own_company', 'UAB Kita', '300000010');
COMMIT;
-- the activity feed names the logical table, never a shard
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 206;
SELECT table_name, row_id, action FROM client_registry.activity_feed WHERE tenant_id = 206 ORDER BY row_id;
COMMIT;
