-- 0.4.0: tenants as a security boundary (issue #11).  A role works only in
-- the tenants it is a member of (tenant_access); setting another tenant
-- reveals nothing and every write fails with 42501.  Real login roles
-- connect here with \c (the test cluster trusts local connections).
SET search_path = client_registry, public;
\set VERBOSITY default
\set SHOW_CONTEXT never

-- Two companies' registries, set up by the owner.
SET client_registry.tenant = 8101;
INSERT INTO client (id, kind, name, company_code, vat_code) VALUES (810101, 'own_company', 'UAB Pirma įmonė', '110003978', 'LT100001919017');
INSERT INTO client (id, kind, name, company_code, sales_tax_category, credit_control, credit_limit)
VALUES (810102, 'buyer', 'UAB Pirmos pirkėjas', '188772433', 'PVM1', 'strict', 1000);
INSERT INTO client_address (client_id, city, street) VALUES (810102, 'Vilnius', 'Gedimino pr. 1');
INSERT INTO client_private_note (client_id, note) VALUES (810102, 'Slow payer; call before shipping.');
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES (81011, 810102, 'sale', 'P-1', '2026-11-02');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (81011, 100, 21);
UPDATE invoice SET status = 'posted' WHERE id = 81011;
SET client_registry.tenant = 8102;
INSERT INTO client (id, kind, name, company_code) VALUES (810201, 'own_company', 'UAB Antra įmonė', '110443493');
INSERT INTO client (id, kind, name, company_code, sales_tax_category) VALUES (810202, 'buyer', 'UAB Antros pirkėjas', '301692533', 'PVM1');
RESET client_registry.tenant;

-- The GRANT recipe (docs/security.md): the application's rights, and one
-- statement per tenant membership.  A group role's membership counts for
-- its members.
CREATE ROLE cr_tb_app NOLOGIN;
GRANT USAGE ON SCHEMA client_registry TO cr_tb_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA client_registry TO cr_tb_app;
REVOKE ALL ON client_registry.client_private_note FROM cr_tb_app;
GRANT EXECUTE ON FUNCTION merge_clients(bigint, bigint[]), merge_preview(bigint, bigint[]), unmerge(bigint),
    isaf_file(date, date, text, integer, integer, integer), search_clients(text, boolean, integer),
    search_hits_exact(text), search_hits_matching(text), search_hits_similar(text),
    settle_automatically(bigint), balance_discrepancies(), tenant_access_lookups() TO cr_tb_app;
CREATE ROLE cr_tb_staff1 NOLOGIN IN ROLE cr_tb_app;               -- the staff of company 8101
CREATE ROLE cr_tb_one LOGIN IN ROLE cr_tb_staff1;                 -- a user of 8101 only
CREATE ROLE cr_tb_both LOGIN IN ROLE cr_tb_app;                   -- an accountant of both companies
CREATE ROLE cr_tb_pool LOGIN IN ROLE cr_tb_app;                   -- a pooled application login
CREATE ROLE cr_tb_nobody LOGIN IN ROLE cr_tb_app;                 -- table privileges, no membership
CREATE ROLE cr_tb_reader LOGIN;                                   -- a reporting tool of 8101
GRANT USAGE ON SCHEMA client_registry TO cr_tb_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA client_registry TO cr_tb_reader;
REVOKE ALL ON client_registry.client_private_note FROM cr_tb_reader;
SELECT grant_tenant(8101, 'cr_tb_staff1');
SELECT grant_tenant(8101, 'cr_tb_both'), grant_tenant(8102, 'cr_tb_both');
SELECT grant_all_tenants('cr_tb_pool');
SELECT grant_tenant(8101, 'cr_tb_reader');
SELECT member, member_name, tenant_id FROM tenant_access WHERE member_name LIKE 'cr_tb_%' ORDER BY 2, 3;
-- Arguments are checked; granting is idempotent.
SELECT grant_tenant(NULL, 'cr_tb_one');
SELECT grant_tenant(-1, 'cr_tb_one');
SELECT grant_tenant(8101, 'cr_tb_staff1');
SELECT grant_tenant(8101, 'cr_tb_nosuchrole');
SELECT tenant_member(8101, 'cr_tb_one') AS one_in_8101, tenant_member(8102, 'cr_tb_one') AS one_in_8102,
       tenant_member(8102, 'cr_tb_pool') AS pool_in_8102, tenant_member(8101, 'cr_tb_nobody') AS nobody_in_8101;

-------------------------------------------------------------------------------
-- A role with table privileges and no membership sees no tenant, writes none.
-------------------------------------------------------------------------------
\c - cr_tb_nobody
SET search_path = client_registry, public;
SELECT current_tenant();
SHOW client_registry.tenant;
SELECT count(*) FROM client;
SET client_registry.tenant = 8101;
SELECT current_tenant();
SELECT count(*) AS clients, (SELECT count(*) FROM invoice) AS invoices, (SELECT count(*) FROM client_address) AS addresses,
       (SELECT count(*) FROM client_balance) AS balances, (SELECT count(*) FROM tenant) AS tenants FROM client;
SELECT count(*) FROM client_card;
SELECT count(*) FROM client_debt;
SELECT * FROM search_clients('Pirmos');
SELECT * FROM my_tenants();
SELECT * FROM tenant_access;
COPY client (id, name) TO STDOUT;
-- every write: 42501 before any rule runs, and no word about the tenant's data
UPDATE client SET phone = '+370 hacked' WHERE kind = 'own_company';
DELETE FROM client_address;
INSERT INTO client (name) VALUES ('Įsibrovėlis');
INSERT INTO client (tenant_id, name, company_code) VALUES (8101, 'Zondas', '188772433');
INSERT INTO client_address (client_id, city) VALUES (810102, 'Kaunas');
COPY client (name) FROM STDIN;
Įsibrovėlis
\.
SELECT merge_clients(810101, 810102);
SELECT unmerge(1);
SELECT count(*) FROM duplicate_candidates;
SELECT isaf_file('2026-11-01', '2026-11-30');
SELECT settle_automatically(810102);
-- nor can it make itself a member
INSERT INTO tenant_access (member, tenant_id) VALUES ('cr_tb_nobody', 8101);
SELECT grant_tenant(8101, 'cr_tb_nobody');
-- sequences: identity columns need no sequence privilege, and the shared
-- sequences' positions are not readable
SELECT pg_sequence_last_value('client_registry.client_id_seq');
SELECT last_value FROM client_registry.client_id_seq;

-------------------------------------------------------------------------------
-- A member of 8101 (through its group role) works there and nowhere else.
-------------------------------------------------------------------------------
\c - cr_tb_one
SET search_path = client_registry, public;
SET client_registry.tenant = 8101;
SELECT id, name FROM client ORDER BY id;
INSERT INTO client (id, kind, name, company_code, sales_tax_category) VALUES (810103, 'buyer', 'UAB Naujas pirkėjas', '124110246', 'PVM1');
UPDATE client SET phone = '+370 600 00001' WHERE id = 810103;
SELECT * FROM my_tenants();
SELECT member, tenant_id FROM tenant_access;
-- once per statement: a query over many rows reads the memberships once
SELECT tenant_access_lookups() AS before \gset
SELECT count(*) FROM client, generate_series(1, 2000);
SELECT tenant_access_lookups() - :before AS lookups_for_one_statement;
EXPLAIN (COSTS OFF) SELECT id FROM client WHERE company_code = '124110246';
-- a parallel query checks the membership in the leader and in its workers
-- (with the statement's snapshot: no new snapshot can be taken there)
SET force_parallel_mode = on;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SELECT count(*) AS clients_in_parallel FROM client;
SELECT count(*) AS invoices_in_parallel FROM invoice WHERE client_id IN (SELECT id FROM client);
RESET force_parallel_mode;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
-- private notes are not the application's
SELECT count(*) FROM client_private_note;
-- the other company: invisible, and no write
SET client_registry.tenant = 8102;
SELECT count(*) FROM client;
UPDATE client SET phone = '+370 hacked' WHERE kind = 'own_company';
INSERT INTO invoice (client_id, direction, number, invoice_date) VALUES (810202, 'sale', 'X-1', '2026-11-02');
SELECT merge_preview(810201, 810202);
SELECT * FROM search_clients('Antros');
-- back in its own tenant; a row for another tenant is refused without naming it
SET client_registry.tenant = 8101;
INSERT INTO client (tenant_id, name) VALUES (8102, 'Kitur');

-------------------------------------------------------------------------------
-- A member of both works in each, one at a time.
-------------------------------------------------------------------------------
\c - cr_tb_both
SET search_path = client_registry, public;
SELECT * FROM my_tenants();
SET client_registry.tenant = 8101;
SELECT count(*) FROM client;
SET client_registry.tenant = 8102;
SELECT count(*) FROM client;
INSERT INTO client (tenant_id, name) VALUES (8101, 'Ne ten');

-------------------------------------------------------------------------------
-- A pooled login serves every tenant, one transaction at a time.
-------------------------------------------------------------------------------
\c - cr_tb_pool
SET search_path = client_registry, public;
SELECT * FROM my_tenants();
BEGIN;
SET LOCAL client_registry.tenant = 8102;
INSERT INTO client (id, kind, name, sales_tax_category) VALUES (810203, 'buyer', 'Per telkinį', 'PVM1');
SELECT count(*) FROM client;
COMMIT;
BEGIN;
SET LOCAL client_registry.tenant = 8101;
SELECT count(*) FROM client;
COMMIT;

-------------------------------------------------------------------------------
-- A reporting role reads its tenant and writes nothing.
-------------------------------------------------------------------------------
\c - cr_tb_reader
SET search_path = client_registry, public;
SET client_registry.tenant = 8101;
SELECT count(*) FROM client_card;
SELECT client_id, receivable FROM client_debt ORDER BY client_id;
UPDATE client SET phone = NULL;
SELECT count(*) FROM client_private_note;
SET client_registry.tenant = 8102;
SELECT count(*) FROM client_card;

-------------------------------------------------------------------------------
-- Revoking: the role's next statement is refused.
-------------------------------------------------------------------------------
\c - postgres
SET search_path = client_registry, public;
SELECT revoke_tenant(8101, 'cr_tb_both');
SELECT revoke_tenant(8101, 'cr_tb_both');
SELECT revoke_tenant(8101, 'cr_tb_one');      -- its membership is its group's: still in
\c - cr_tb_both
SET search_path = client_registry, public;
SET client_registry.tenant = 8101;
SELECT count(*) FROM client;
INSERT INTO client (name) VALUES ('Po atšaukimo');
\c - postgres
SET search_path = client_registry, public;
SELECT revoke_all_tenants('cr_tb_pool');

-------------------------------------------------------------------------------
-- The owner cannot switch the document rules off with row_security = off:
-- only a COPY with row security off (what pg_dump's scripts and pg_restore
-- do) is a restore.
-------------------------------------------------------------------------------
SET client_registry.tenant = 8101;
SET row_security = off;
INSERT INTO client (id, kind, name, company_code, purchase_tax_category) VALUES (810104, 'supplier', 'UAB Tiekėjas', '110443493', 'PVM1');
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES (81012, 810104, 'sale', 'P-2', '2026-11-03');
INSERT INTO invoice (id, client_id, direction, number, invoice_date, status) VALUES (81013, 810102, 'sale', 'P-3', '2026-11-03', 'cancelled');
UPDATE invoice SET total_net = 1 WHERE id = 81011;
-- a restore loads rows as they were dumped: a posted invoice and its lines
COPY invoice (id, tenant_id, client_id, direction, number, invoice_date, status, total_net, total_vat, total_gross, total_base, currency) FROM STDIN;
81014	8101	810102	sale	P-4	2026-11-04	posted	10.00	2.10	12.10	12.10	EUR
\.
SELECT number, status, total_gross FROM invoice WHERE id = 81014;
RESET row_security;

-- Cleaning up.
RESET client_registry.tenant;
DROP OWNED BY cr_tb_app, cr_tb_staff1, cr_tb_one, cr_tb_both, cr_tb_pool, cr_tb_nobody, cr_tb_reader;
DROP ROLE cr_tb_one, cr_tb_both, cr_tb_pool, cr_tb_nobody, cr_tb_reader, cr_tb_staff1, cr_tb_app;
-- a dropped role's memberships grant nothing; the next grant or revoke removes them
SELECT count(*) AS inert_rows FROM tenant_access WHERE member_name LIKE 'cr_tb_%';
SELECT tenant_access_forget_stale();
SELECT count(*) AS memberships_left FROM tenant_access WHERE member_name LIKE 'cr_tb_%';
