-- issue #17: the tenant reaches the workers only with SET LOCAL and
-- citus.propagate_set_commands = 'local'.  Every other way of setting it is
-- refused where the statement starts, before a worker works in another
-- tenant or in none (tenants 370-371).
\set SHOW_CONTEXT never
\set VERBOSITY default
SET client_min_messages = warning;
CREATE ROLE cr_citus_setting LOGIN;
GRANT USAGE ON SCHEMA client_registry TO cr_citus_setting;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA client_registry TO cr_citus_setting;
GRANT EXECUTE ON FUNCTION client_registry.open_items(date, bigint) TO cr_citus_setting;
SELECT client_registry.grant_tenant(t, 'cr_citus_setting') FROM generate_series(370, 371) t;
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 370;
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (370001, 'own_company', 'UAB Septyni', '110003978');
INSERT INTO client_registry.client (id, kind, name) VALUES (370002, 'buyer', 'UAB Pirmas');
SET LOCAL client_registry.tenant = 371;
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (371001, 'own_company', 'UAB Kitas', '110003978');
COMMIT;
SET ROLE cr_citus_setting;

-- the safe way
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 370;
SELECT id, name FROM client_registry.client ORDER BY id;
COMMIT;
-- a session SET, before the transaction: refused
SET client_registry.tenant = 370;
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SELECT id, name FROM client_registry.client ORDER BY id;
ROLLBACK;
RESET client_registry.tenant;
-- a SET inside the transaction (it stays on the coordinator): refused
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET client_registry.tenant = 370;
SELECT id, name FROM client_registry.client ORDER BY id;
ROLLBACK;
RESET client_registry.tenant;
-- ... also after a SET LOCAL that reached the workers: the coordinator would
-- work in tenant 371 and the workers in 370
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 370;
SELECT count(*) AS clients_370 FROM client_registry.client;
SET client_registry.tenant = 371;
SELECT id, name FROM client_registry.client ORDER BY id;
ROLLBACK;
RESET client_registry.tenant;
-- ... and set_config(..., false), which is a SET
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SELECT set_config('client_registry.tenant', '370', false) IS NOT NULL AS set;
INSERT INTO client_registry.client (id, kind, name) VALUES (370009, 'buyer', 'UAB Niekieno');
ROLLBACK;
RESET client_registry.tenant;
-- a SET LOCAL that Citus does not carry (propagate_set_commands 'none'):
-- refused, for reads, writes and the registry's functions alike
BEGIN;
SET LOCAL citus.propagate_set_commands = 'none';
SET LOCAL client_registry.tenant = 370;
SELECT id, name FROM client_registry.client ORDER BY id;
ROLLBACK;
BEGIN;
SET LOCAL citus.propagate_set_commands = 'none';
SET LOCAL client_registry.tenant = 370;
INSERT INTO client_registry.client (id, kind, name) VALUES (370009, 'buyer', 'UAB Niekieno');
ROLLBACK;
BEGIN;
SET LOCAL citus.propagate_set_commands = 'none';
SET LOCAL client_registry.tenant = 370;
SELECT count(*) FROM client_registry.open_items();
ROLLBACK;
-- ... also when the tenant changes after propagation was switched off
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 370;
SELECT count(*) AS clients_370 FROM client_registry.client;
SET LOCAL citus.propagate_set_commands = 'none';
SET LOCAL client_registry.tenant = 371;
SELECT id, name FROM client_registry.client ORDER BY id;
ROLLBACK;
-- SET LOCAL inside a savepoint is carried (and undone with it)
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 370;
SAVEPOINT s;
SET LOCAL client_registry.tenant = 371;
SELECT id, name FROM client_registry.client ORDER BY id;
ROLLBACK TO s;
SELECT id, name FROM client_registry.client ORDER BY id;
COMMIT;
RESET ROLE;

DROP OWNED BY cr_citus_setting;
DROP ROLE cr_citus_setting;
SELECT client_registry.tenant_access_forget_stale() IS NOT NULL AS forgotten;
