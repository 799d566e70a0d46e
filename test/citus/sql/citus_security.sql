-- issue #17 with #11: two tenants, real login roles; a member of one tenant
-- reads nothing of the other, writes nothing there, merges and marks only in
-- its own (tenants 214-215).  Citus creates the roles on every node.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
CREATE ROLE cr_citus_sec_a LOGIN;
CREATE ROLE cr_citus_sec_b LOGIN;
GRANT USAGE ON SCHEMA client_registry TO cr_citus_sec_a, cr_citus_sec_b;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA client_registry TO cr_citus_sec_a, cr_citus_sec_b;
-- the GRANT recipe of merging on Citus: the functions and their twins
GRANT EXECUTE ON FUNCTION client_registry.merge_clients(bigint, bigint[]),
    client_registry.merge_clients_at(integer, bigint, bigint[], boolean),
    client_registry.unmerge(bigint), client_registry.unmerge_at(integer, bigint),
    client_registry.mark_not_duplicates(bigint[], text) TO cr_citus_sec_a, cr_citus_sec_b;
SELECT client_registry.grant_tenant(214, 'cr_citus_sec_a'), client_registry.grant_tenant(215, 'cr_citus_sec_b');
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 214;
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (214001, 'own_company', 'UAB A', '300000003');
INSERT INTO client_registry.client (id, kind, name) VALUES (214002, 'buyer', 'UAB Alfa'), (214003, 'buyer', 'Alfa UAB');
SET LOCAL client_registry.tenant = 215;
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (215001, 'own_company', 'UAB B', '300000028');
INSERT INTO client_registry.client (id, kind, name) VALUES (215002, 'buyer', 'UAB Beta'), (215003, 'buyer', 'Beta UAB');
COMMIT;
-- a member reads its own tenant only, whatever it asks for
SET ROLE cr_citus_sec_a;
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 214;
SELECT id, name FROM client_registry.client ORDER BY id;
SELECT count(*) AS rows_of_215 FROM client_registry.client WHERE tenant_id = 215;
SELECT count(*) AS feed_of_215 FROM client_registry.activity_feed WHERE tenant_id = 215;
COMMIT;
-- switching to the other tenant: 42501 before anything is read or written
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 215;
SELECT count(*) FROM client_registry.client;
\echo :SQLSTATE
ROLLBACK;
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 215;
UPDATE client_registry.client SET phone = '+370 hacked' WHERE id = 215002;
\echo :SQLSTATE
ROLLBACK;
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 215;
SELECT client_registry.merge_clients(215002, 215003);
\echo :SQLSTATE
ROLLBACK;
-- nor through the twin, naming the other tenant from its own
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 214;
SELECT client_registry.merge_clients_at(215, 215002, ARRAY[215003]::bigint[], false);
\echo :SQLSTATE
ROLLBACK;
-- in its own tenant, a write to another tenant's row changes nothing
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 214;
UPDATE client_registry.client SET phone = '+370 hacked' WHERE id = 215002;
INSERT INTO client_registry.client (tenant_id, id, kind, name) VALUES (215, 215009, 'buyer', 'Įsibrovėlis');
\echo :SQLSTATE
ROLLBACK;
-- a merge, an unmerge and a "not duplicates" mark in its own tenant
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 214;
SELECT client_registry.merge_clients(214002, 214003) AS merge_id \gset
SELECT id, name FROM client_registry.client ORDER BY id;
SELECT client_registry.unmerge(:merge_id) > 0 AS undone;
SELECT client_registry.mark_not_duplicates(ARRAY[214002, 214003]::bigint[], 'two shops') > 0 AS marked;
SELECT client_registry.mark_not_duplicates(ARRAY[214002, 215002]::bigint[]);
\echo :SQLSTATE
ROLLBACK;
RESET ROLE;
-- tenant 215 is as it was
SET ROLE cr_citus_sec_b;
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 215;
SELECT id, name, phone FROM client_registry.client ORDER BY id;
SELECT count(*) AS merges FROM client_registry.client_merge;
COMMIT;
RESET ROLE;
