-- issue #17 with #11: row-level security between tenants on the workers, with
-- real login roles (tenants 208-209).  Citus creates the roles on every node.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
CREATE ROLE cr_citus_a LOGIN;
CREATE ROLE cr_citus_b LOGIN;
GRANT USAGE ON SCHEMA client_registry TO cr_citus_a, cr_citus_b;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA client_registry TO cr_citus_a, cr_citus_b;
SELECT client_registry.grant_tenant(208, 'cr_citus_a'), client_registry.grant_tenant(209, 'cr_citus_b');
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 208;
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (208001, 'own_company', 'UAB A', '300000003');
SET LOCAL client_registry.tenant = 209;
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (209001, 'own_company', 'UAB B', '300000028');
COMMIT;
SET ROLE cr_citus_a;
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 208;
SELECT id, name FROM client_registry.client ORDER BY id;
COMMIT;
-- a role switching to a tenant it is not a member of reads nothing ...
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 209;
SELECT count(*) AS rows_of_209 FROM client_registry.client;
SELECT count(*) AS feed_of_209 FROM client_registry.activity_feed;
COMMIT;
-- ... and writes nothing
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 209;
UPDATE client_registry.client SET phone = '+370 hacked' WHERE kind = 'own_company';
INSERT INTO client_registry.client (id, kind, name) VALUES (209002, 'buyer', 'Įsibrovėlis');
ROLLBACK;
RESET ROLE;
SET ROLE cr_citus_b;
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 209;
SELECT id, name, phone FROM client_registry.client ORDER BY id;
COMMIT;
RESET ROLE;
