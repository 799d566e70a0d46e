-- bench/merge/repro_small_merge.sql -- reproducer: merging two SMALL clients
-- in a BIG registry costs time proportional to the size of the tables.
-- psql variables: n (clients, each with one address, one contact and two
-- draft invoices).  Run in an empty database:
--   psql -v n=200000 -f bench/merge/repro_small_merge.sql
--
-- The merge's generated statements filter on the referencing column alone
-- (UPDATE ... WHERE t.client_id = $10, FoldPairs' WHERE m.client_id = $1,
-- DemotePrimary's WHERE t.client_id = $9 ...), while every table of the
-- extension, and the composite-key user tables the README recommends, are
-- indexed on (tenant_id, client_id, ...): those indexes cannot be searched
-- by client_id alone, so each statement scans the whole table (or the whole
-- index).  MergeWarnUnindexed accepts such an index as "indexed", so no
-- warning says so.  The bare statements with tenant_id = ... are index lookups.
\set ON_ERROR_STOP 1
\timing off
CREATE EXTENSION IF NOT EXISTS client_registry CASCADE;
SET client_registry.tenant = 1;
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (1, 'own_company', 'UAB Bench', '110003978');
INSERT INTO client_registry.client (id, kind, name, sales_tax_category)
SELECT 1 + g, 'buyer', 'UAB Klientas ' || g, 'PVM1' FROM generate_series(1, :n) g;
INSERT INTO client_registry.client_address (client_id, street, city, postal_code)
SELECT 1 + g, 'Gedimino pr. ' || g, 'Vilnius', 'LT-01103' FROM generate_series(1, :n) g;
INSERT INTO client_registry.client_contact (client_id, first_name, last_name)
SELECT 1 + g, 'Vardas', 'Pavarde ' || g FROM generate_series(1, :n) g;
INSERT INTO client_registry.invoice (client_id, direction, number, invoice_date)
SELECT 1 + g % :n + 1, 'sale', 'R-' || g, date '2026-01-01' + g % 300 FROM generate_series(1, 2 * :n) g;
VACUUM ANALYZE;
SELECT (SELECT count(*) FROM client_registry.client) AS clients,
       (SELECT count(*) FROM client_registry.client_address) AS addresses,
       (SELECT count(*) FROM client_registry.invoice) AS invoices,
       (SELECT count(*) FROM client_registry.invoice WHERE client_id IN (2, 3)) AS invoices_of_2_and_3;

\echo '== the form the merge generates, and the form with the tenant:'
EXPLAIN (COSTS OFF) UPDATE client_registry.invoice t SET client_id = 2 WHERE t.client_id = 3;
EXPLAIN (COSTS OFF) UPDATE client_registry.invoice t SET client_id = 2 WHERE t.tenant_id = 1 AND t.client_id = 3;
EXPLAIN (COSTS OFF) SELECT m.id FROM client_registry.client_address m WHERE m.client_id = 3;
EXPLAIN (COSTS OFF) SELECT m.id FROM client_registry.client_address m WHERE m.tenant_id = 1 AND m.client_id = 3;

\echo '== the bare statements (index lookups), rolled back:'
\timing on
BEGIN;
UPDATE client_registry.invoice SET client_id = 2 WHERE tenant_id = 1 AND client_id = 3;
UPDATE client_registry.client_address SET client_id = 2 WHERE tenant_id = 1 AND client_id = 3;
UPDATE client_registry.client_contact SET client_id = 2 WHERE tenant_id = 1 AND client_id = 3;
DELETE FROM client_registry.client WHERE id = 3;
ROLLBACK;
\echo '== merge_clients(2, 3): 2 invoices, 1 address, 1 contact to move'
SELECT client_registry.merge_clients(2, 3);
\timing off
\echo '== where its time goes (auto_explain, nested statements, merge_clients(4, 5)):'
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 5;
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_analyze = on;
SET auto_explain.log_timing = off;
SET auto_explain.log_level = notice;
SELECT client_registry.merge_clients(4, 5);
