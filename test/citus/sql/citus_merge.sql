-- issue #17: merge_clients, merge_preview and unmerge through the coordinator
-- run on the worker that holds the tenant (tenants 210-211).
\set SHOW_CONTEXT never
SET client_min_messages = warning;
SELECT client_registry.grant_tenant(t, 'postgres') FROM generate_series(210, 211) t;
-- a user table distributed by tenant_id, co-located: the merge re-points it
CREATE TABLE public.citus_loyalty (
    tenant_id integer NOT NULL,
    id bigint NOT NULL,
    client_id bigint NOT NULL,
    card_no text NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES client_registry.client (tenant_id, id)
);
CREATE INDEX ON public.citus_loyalty (tenant_id, client_id);
SELECT create_distributed_table('public.citus_loyalty', 'tenant_id', colocate_with => 'client_registry.client');
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 210;
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (210001, 'own_company', 'UAB Savas', '110003978');
INSERT INTO client_registry.client (id, kind, name, company_code, email, sales_tax_category) VALUES
    (210002, 'buyer', 'UAB Žalias', '300000010', NULL, 'PVM1'),
    (210003, 'buyer', 'Žalias UAB', NULL, 'info@zalias.lt', 'PVM1'),
    (210004, 'buyer', 'ŽALIAS', NULL, NULL, 'PVM1'),
    (210005, 'buyer', 'UAB Kitas kodas', '300000028', NULL, 'PVM1');
INSERT INTO client_registry.client_address (id, client_id, street, city) VALUES
    (210101, 210002, 'Gedimino pr. 1', 'Vilnius'),
    (210102, 210003, 'Gedimino pr. 1', 'Vilnius'),
    (210103, 210004, 'Pylimo g. 4', 'Vilnius');
INSERT INTO client_registry.client_bank_account (id, client_id, iban) VALUES
    (210201, 210002, 'LT121000011101001000'),
    (210202, 210004, 'LT121000011101001000');
INSERT INTO client_registry.client_contact (id, client_id, first_name, last_name, email) VALUES
    (210301, 210003, 'Ona', 'Onaitė', 'ona@zalias.lt');
INSERT INTO client_registry.label (id, name) VALUES (210401, 'VIP');
INSERT INTO client_registry.client_label (client_id, label_id) VALUES (210002, 210401), (210003, 210401);
INSERT INTO public.citus_loyalty VALUES (210, 1, 210003, 'LC-1'), (210, 2, 210004, 'LC-2');
COMMIT;
-- another tenant with the same ids' neighbours: never touched
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 211;
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (211001, 'own_company', 'UAB Kitas', '110003978');
INSERT INTO client_registry.client (id, kind, name) VALUES (211002, 'buyer', 'UAB Žalias');
COMMIT;
-- the preview changes nothing and names the logical tables and constraints
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 210;
SELECT step, action, table_name, constraint_name, from_client, row_count
  FROM client_registry.merge_preview(210002, 210003, 210004) ORDER BY step, table_name;
SELECT count(*) AS clients_still FROM client_registry.client WHERE tenant_id = 210;
COMMIT;
-- obstacles come back from the worker with their SQLSTATE
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 210;
SELECT client_registry.merge_clients(210002, 210005);
\echo :SQLSTATE
ROLLBACK;
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 210;
SELECT client_registry.merge_clients(210002, 211002);
\echo :SQLSTATE
ROLLBACK;
-- the merge: references re-pointed (the user's co-located table too),
-- duplicates folded, the card filled
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 210;
SELECT client_registry.merge_clients(210002, 210003, 210004) AS merge_id \gset
SELECT id, name, email FROM client_registry.client WHERE tenant_id = 210 ORDER BY id;
SELECT id, client_id FROM client_registry.client_address WHERE tenant_id = 210 ORDER BY id;
SELECT id, client_id, is_primary FROM client_registry.client_bank_account WHERE tenant_id = 210 ORDER BY id;
SELECT id, client_id FROM client_registry.client_contact WHERE tenant_id = 210 ORDER BY id;
SELECT client_id, label_id FROM client_registry.client_label WHERE tenant_id = 210 ORDER BY client_id;
SELECT id, client_id FROM public.citus_loyalty WHERE tenant_id = 210 ORDER BY id;
SELECT table_schema, table_name, constraint_name, reason FROM client_registry.client_merge_step
 WHERE tenant_id = 210 AND merge_id = :merge_id ORDER BY step;
COMMIT;
-- unmerge, in another transaction, puts every row back
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 210;
SELECT client_registry.unmerge(:merge_id) > 0 AS undone;
SELECT id, name, email FROM client_registry.client WHERE tenant_id = 210 ORDER BY id;
SELECT id, client_id FROM client_registry.client_address WHERE tenant_id = 210 ORDER BY id;
SELECT id, client_id FROM public.citus_loyalty WHERE tenant_id = 210 ORDER BY id;
SELECT id, client_id, is_primary FROM client_registry.client_bank_account WHERE tenant_id = 210 ORDER BY id;
SELECT client_id, label_id FROM client_registry.client_label WHERE tenant_id = 210 ORDER BY client_id;
SELECT action, new_values ? 'undone_merge_id' AS undo FROM client_registry.activity_feed
 WHERE tenant_id = 210 AND action = 'merge' ORDER BY id;
COMMIT;
-- tenant 211 untouched
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 211;
SELECT id, name FROM client_registry.client WHERE tenant_id = 211 ORDER BY id;
COMMIT;
-- the twins serve the session's tenant only
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 211;
SELECT client_registry.merge_clients_at(210, 210002, ARRAY[210003]::bigint[], false);
\echo :SQLSTATE
ROLLBACK;
-- a session-level tenant is refused, never run in another tenant
SET client_registry.tenant = 210;
SELECT client_registry.merge_clients(210002, 210003);
\echo :SQLSTATE
RESET client_registry.tenant;
DROP TABLE public.citus_loyalty;
