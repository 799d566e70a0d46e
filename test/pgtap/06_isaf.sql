-- pgTAP contract of the i.SAF export (0.3.0, R6): the functions' shapes,
-- volatility and privileges, the register views (security_invoker,
-- comments), the SQLSTATE contract, and row-level security with a real
-- role: a reporting role exports its own tenant only.
--
-- Tenants used (all created and rolled back here):
--   9401  a tenant with a sale, a purchase and an unreported client
--   9402  a second tenant (must stay invisible to the role)
BEGIN;
SET search_path = client_registry, public;

SELECT plan(40);

-- Shapes
SELECT has_function('client_registry', 'isaf_file', ARRAY['date', 'date', 'text', 'integer', 'integer', 'integer'],
                    'isaf_file(date, date, text, integer, integer, integer) exists');
SELECT function_returns('client_registry', 'isaf_file', ARRAY['date', 'date', 'text', 'integer', 'integer', 'integer'],
                        'text', 'isaf_file returns text (UTF-8 XML with its declaration)');
SELECT function_lang_is('client_registry', 'isaf_file', ARRAY['date', 'date', 'text', 'integer', 'integer', 'integer'],
                        'c', 'isaf_file is written in C');
SELECT volatility_is('client_registry', 'isaf_file', ARRAY['date', 'date', 'text', 'integer', 'integer', 'integer'],
                     'stable', 'isaf_file is STABLE');
SELECT has_function('client_registry', 'isaf_files', ARRAY['date', 'date', 'text', 'integer', 'integer'],
                    'isaf_files(date, date, text, integer, integer) exists');
SELECT function_returns('client_registry', 'isaf_files', ARRAY['date', 'date', 'text', 'integer', 'integer'],
                        'setof record', 'isaf_files returns a set of rows');
SELECT isnt_strict('client_registry', 'isaf_file', ARRAY['date', 'date', 'text', 'integer', 'integer', 'integer'],
                   'isaf_file is not STRICT (NULL arguments are refused with 22004)');
SELECT is((SELECT pg_get_function_result('client_registry.isaf_files(date, date, text, integer, integer)'::regprocedure)),
          'SETOF record', 'isaf_files result');
SELECT is((SELECT array_agg(a ORDER BY n) FROM (SELECT unnest(proargnames) a, generate_subscripts(proargnames, 1) n
                                                 FROM pg_proc WHERE oid = 'client_registry.isaf_files(date, date, text, integer, integer)'::regprocedure) s),
          ARRAY['period_start', 'period_end', 'data_type', 'max_invoices', 'tenant_id',
                'part', 'part_id', 'number_of_parts', 'sales_invoices', 'purchase_invoices', 'file_name', 'xml']::text[],
          'isaf_files arguments and columns');
SELECT has_view('client_registry', 'isaf_register_invoice', 'view isaf_register_invoice exists');
SELECT has_view('client_registry', 'isaf_register', 'view isaf_register exists');
SELECT ok((SELECT 'security_invoker=true' = ANY (reloptions) FROM pg_class WHERE oid = 'client_registry.isaf_register_invoice'::regclass),
          'isaf_register_invoice is security_invoker');
SELECT ok((SELECT 'security_invoker=true' = ANY (reloptions) FROM pg_class WHERE oid = 'client_registry.isaf_register'::regclass),
          'isaf_register is security_invoker');
SELECT ok(obj_description('client_registry.isaf_register_invoice'::regclass, 'pg_class') IS NOT NULL, 'isaf_register_invoice has a comment');
SELECT ok(obj_description('client_registry.isaf_register'::regclass, 'pg_class') IS NOT NULL, 'isaf_register has a comment');
SELECT is_empty($$ SELECT a.attname FROM pg_attribute a WHERE a.attrelid IN ('client_registry.isaf_register_invoice'::regclass, 'client_registry.isaf_register'::regclass)
                    AND a.attnum > 0 AND col_description(a.attrelid, a.attnum) IS NULL $$,
                'every column of the register views has a comment');
SELECT has_index('client_registry', 'invoice', 'invoice_isaf_register_idx', 'invoice_isaf_register_idx: register order');
SELECT ok(obj_description('client_registry.isaf_file(date, date, text, integer, integer, integer)'::regprocedure, 'pg_proc') IS NOT NULL,
          'isaf_file has a comment');
SELECT ok(obj_description('client_registry.isaf_files(date, date, text, integer, integer)'::regprocedure, 'pg_proc') IS NOT NULL,
          'isaf_files has a comment');

-- Privileges: not for PUBLIC; granted explicitly
SELECT function_privs_are('client_registry', 'isaf_file', ARRAY['date', 'date', 'text', 'integer', 'integer', 'integer'],
                          'public', ARRAY[]::name[], 'isaf_file is revoked from PUBLIC');
SELECT function_privs_are('client_registry', 'isaf_files', ARRAY['date', 'date', 'text', 'integer', 'integer'],
                          'public', ARRAY[]::name[], 'isaf_files is revoked from PUBLIC');

-- Data: tenant 9401 (sale, purchase, a client left out), tenant 9402
SET LOCAL client_registry.tenant = 9401;
INSERT INTO client (id, kind, name, company_code, vat_code) VALUES (940101, 'own_company', 'UAB Tap', '110003978', 'LT100001919017');
INSERT INTO client (id, kind, name, company_code, vat_code, sales_tax_category, purchase_tax_category) VALUES
    (940102, 'buyer_supplier', 'UAB Abu', '188772433', 'LT119511515', 'PVM1', 'PVM1'),
    (940103, 'buyer', 'UAB Be PVM', '301692533', NULL, 'PVM1', NULL);
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES
    (940111, 940102, 'sale', 'TAP-1', '2026-11-02'), (940112, 940102, 'purchase', 'P-1', '2026-11-03'),
    (940113, 940103, 'sale', 'TAP-2', '2026-11-04');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount)
VALUES (940111, 100, 'PVM1', 21, 21), (940112, 50, 'PVM1', 21, 10.5), (940113, 10, 'PVM1', 21, 2.1);
UPDATE invoice SET status = 'posted' WHERE id IN (940111, 940112, 940113);
SET LOCAL client_registry.tenant = 9402;
INSERT INTO client (id, kind, name, company_code) VALUES (940201, 'own_company', 'UAB Kitas', '110003978');
INSERT INTO client (id, kind, name, company_code, vat_code, sales_tax_category)
VALUES (940202, 'buyer', 'UAB Svetimas', '188772433', 'LT119511515', 'PVM1');
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES (940211, 940202, 'sale', 'OTHER-1', '2026-11-02');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount) VALUES (940211, 1, 'PVM1', 21, 0.21);
UPDATE invoice SET status = 'posted' WHERE id = 940211;
SET LOCAL client_registry.tenant = 9401;

-- The contract as the owner
SELECT is((SELECT count(*)::int FROM isaf_register_invoice WHERE tenant_id = 9401), 2, 'two invoices of 9401 are reported, the client without a VAT code is not');
SELECT is((SELECT count(*)::int FROM isaf_files('2026-11-01', '2026-11-30')), 1, 'one part');
SELECT is((SELECT sales_invoices || '/' || purchase_invoices FROM isaf_files('2026-11-01', '2026-11-30')), '1/1', 'one sale, one purchase');
SELECT ok(isaf_file('2026-11-01', '2026-11-30')::xml IS DOCUMENT, 'the file is a well-formed XML document');
SELECT ok(isaf_file('2026-11-01', '2026-11-30') LIKE '<?xml version="1.0" encoding="UTF-8"?><iSAFFile xmlns="http://www.vmi.lt/cms/imas/isaf"%',
          'declaration, root and namespace');
SELECT is(isaf_file('2026-11-01', '2026-11-30', 'F', 1, 500000, 9402) LIKE '%OTHER-1%', true,
          'the owner (no row-level security) exports another tenant by tenant_id');
SELECT throws_ok($$ SELECT isaf_file('2026-11-30', '2026-11-01') $$, '22023', NULL, 'start after end: 22023');
SELECT throws_ok($$ SELECT isaf_file('2015-01-01', '2026-11-01') $$, '22008', NULL, 'start before 2016-07-01: 22008');
SELECT throws_ok($$ SELECT isaf_file('2026-11-01', '2026-11-30', 'Q') $$, '22023', NULL, 'unknown data type: 22023');
SELECT throws_ok($$ SELECT isaf_file(NULL, '2026-11-30') $$, '22004', NULL, 'NULL period: 22004');
SELECT throws_ok($$ SELECT isaf_file('2026-11-01', '2026-11-30', 'F', 1, 1, 9499) $$, '55000', NULL, 'tenant without own company: 55000');

-- A reporting role: SELECT on the tables, EXECUTE granted
CREATE ROLE tap_cr_isaf NOLOGIN;
DO $$ BEGIN PERFORM client_registry.grant_all_tenants('tap_cr_isaf'); END $$;   -- 0.4.0: a member of every tenant it sets
GRANT USAGE ON SCHEMA client_registry TO tap_cr_isaf;
GRANT SELECT ON ALL TABLES IN SCHEMA client_registry TO tap_cr_isaf;
SET ROLE tap_cr_isaf;
SELECT throws_ok($$ SELECT isaf_file('2026-11-01', '2026-11-30') $$, '42501', NULL, 'without EXECUTE: 42501');
RESET ROLE;
GRANT EXECUTE ON FUNCTION isaf_file(date, date, text, integer, integer, integer),
                          isaf_files(date, date, text, integer, integer) TO tap_cr_isaf;
SET ROLE tap_cr_isaf;
SELECT ok(isaf_file('2026-11-01', '2026-11-30') LIKE '%TAP-1%', 'the role exports its tenant');
SELECT ok(isaf_file('2026-11-01', '2026-11-30') NOT LIKE '%OTHER-1%', 'nothing of another tenant');
SELECT is((SELECT count(*)::int FROM isaf_register), 2, 'the register view shows only its tenant (row-level security)');
SELECT throws_ok($$ SELECT isaf_file('2026-11-01', '2026-11-30', 'F', 1, 500000, 9402) $$, '42501', NULL,
                 'another tenant than the session''s: 42501');
SELECT throws_ok($$ SELECT * FROM isaf_files('2026-11-01', '2026-11-30', 'F', 500000, 9402) $$, '42501', NULL,
                 'isaf_files of another tenant: 42501');
SET LOCAL client_registry.tenant = 9402;
SELECT ok(isaf_file('2026-11-01', '2026-11-30') LIKE '%OTHER-1%', 'after switching the session tenant, that tenant');
SELECT throws_ok($$ SELECT isaf_file('2026-11-01', '2026-11-30', 'F', 1, 1, 9401) $$, '42501', NULL, 'and not the first one');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
