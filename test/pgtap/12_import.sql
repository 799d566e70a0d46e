-- pgTAP contract of moving in (0.4.0, issue #15): external ids, the import
-- API and its privileges (the import right is EXECUTE on import_begin and
-- import_apply, and import_apply_at on Citus, granted one by one), the record of imports, history over a
-- strict credit limit.
--
-- Roles (created in this transaction, removed by the ROLLBACK):
--   tap_imp_app     the application's table grants, no import right
--   tap_imp_loader  the same with the import right
-- Tenant: 197.
BEGIN;
SET search_path = client_registry, public;

SELECT plan(55);

-------------------------------------------------------------------------------
-- Shapes
-------------------------------------------------------------------------------
SELECT has_column('client_registry', t, c, format('%s.%s exists', t, c))
  FROM unnest(ARRAY['client', 'invoice', 'payment']) t, unnest(ARRAY['source', 'external_id']) c;
SELECT has_index('client_registry', t, t || '_external_id_key', format('%s has its external id index', t))
  FROM unnest(ARRAY['client', 'invoice', 'payment']) t;
SELECT is((SELECT indisunique FROM pg_index WHERE indexrelid = 'client_registry.client_external_id_key'::regclass),
          true, 'client_external_id_key is unique');
SELECT has_table('client_registry', t, t || ' exists') FROM unnest(ARRAY['import_run', 'import_credit_override']) t;
SELECT policies_are('client_registry', t, ARRAY['tenant_isolation'], t || ' has the tenant policy')
  FROM unnest(ARRAY['import_run', 'import_credit_override']) t;
SELECT ok((SELECT extconfig @> ARRAY['client_registry.import_run'::regclass::oid,
                                     'client_registry.import_credit_override'::regclass::oid]
             FROM pg_extension WHERE extname = 'client_registry'),
          'import_run and import_credit_override are dumped');
SELECT has_view('client_registry', 'import_column', 'view import_column exists');
SELECT ok((SELECT 'security_invoker=true' = ANY (reloptions) FROM pg_class
            WHERE oid = 'client_registry.import_column'::regclass), 'import_column is security_invoker');
SELECT has_function('client_registry', 'import_begin', ARRAY[]::text[], 'import_begin() exists');
SELECT has_function('client_registry', 'import_apply', ARRAY['text', 'integer'], 'import_apply(text, integer) exists');
SELECT is_strict('client_registry', 'import_apply', ARRAY['text', 'integer'], 'import_apply is STRICT');
SELECT volatility_is('client_registry', 'import_apply', ARRAY['text', 'integer'], 'volatile', 'import_apply is VOLATILE');
SELECT isnt_definer('client_registry', f, args, f || ' is not SECURITY DEFINER')
  FROM (VALUES ('import_begin', ARRAY[]::text[]), ('import_apply', ARRAY['text', 'integer'])) v(f, args);
SELECT ok((SELECT proconfig @> ARRAY['search_path=pg_catalog, pg_temp'] FROM pg_proc
            WHERE oid = 'client_registry.import_apply(text, integer)'::regprocedure),
          'import_apply fixes its search_path');
SELECT function_privs_are('client_registry', f, args, 'public', ARRAY[]::text[], format('PUBLIC cannot execute %s', f))
  FROM (VALUES ('import_begin', ARRAY[]::text[]), ('import_apply', ARRAY['text', 'integer'])) v(f, args);
-- issue #17: the twin that runs an import on the Citus worker holding the
-- tenant, and what makes it a distributed function
SELECT has_function('client_registry', 'import_apply_at', ARRAY['integer', 'text', 'integer', 'jsonb'],
                    'import_apply_at(integer, text, integer, jsonb) exists (Citus twin)');
SELECT ok((SELECT proconfig @> ARRAY['search_path=pg_catalog, pg_temp'] FROM pg_proc
            WHERE oid = 'client_registry.import_apply_at(integer, text, integer, jsonb)'::regprocedure),
          'import_apply_at fixes its search_path');
SELECT function_privs_are('client_registry', f, args, 'public', ARRAY[]::text[], format('PUBLIC cannot execute %s', f))
  FROM (VALUES ('import_apply_at', ARRAY['integer', 'text', 'integer', 'jsonb']),
               ('citus_delegate_import', ARRAY[]::text[])) v(f, args);

-------------------------------------------------------------------------------
-- External ids: with their source, not blank, unique per tenant and source
-------------------------------------------------------------------------------
SET client_registry.tenant = 197;
INSERT INTO client (id, kind, name, company_code) VALUES (19701, 'own_company', 'UAB Kraustymasis', '110003978');
INSERT INTO client (id, kind, name, sales_tax_category, credit_control, credit_limit, source, external_id)
    VALUES (19702, 'buyer', 'UAB Skolininkas', 'PVM1', 'strict', 100, 'erp', 'K-1');
SELECT throws_ok($$ INSERT INTO client (kind, name, external_id) VALUES ('buyer', 'Be šaltinio', 'K-2') $$,
                 '23514', NULL, 'an external id needs its source');
SELECT throws_ok($$ INSERT INTO client (kind, name, source, external_id) VALUES ('buyer', 'Tuščias', 'erp', ' ') $$,
                 '23514', NULL, 'an external id is not blank');
SELECT throws_ok($$ INSERT INTO client (kind, name, source, external_id) VALUES ('buyer', 'Antras K-1', 'erp', 'K-1') $$,
                 '23505', NULL, 'an external id is unique per tenant and source');
SELECT lives_ok($$ INSERT INTO client (id, kind, name, source, external_id) VALUES (19703, 'buyer', 'Kitas K-1', 'b1', 'K-1') $$,
                'the same external id from another source is another client');

-------------------------------------------------------------------------------
-- The import right
-------------------------------------------------------------------------------
CREATE ROLE tap_imp_app NOLOGIN;
CREATE ROLE tap_imp_loader NOLOGIN;
GRANT USAGE ON SCHEMA client_registry TO tap_imp_app, tap_imp_loader;
GRANT SELECT, INSERT, UPDATE ON client, client_address, client_bank_account, client_contact,
    invoice, invoice_vat_line, payment TO tap_imp_app, tap_imp_loader;
GRANT SELECT ON import_column, import_run, import_credit_override, client_balance TO tap_imp_app, tap_imp_loader;
GRANT EXECUTE ON FUNCTION import_begin(), import_apply(text, integer) TO tap_imp_loader;
SELECT grant_tenant(197, 'tap_imp_app');
SELECT grant_tenant(197, 'tap_imp_loader');

SET ROLE tap_imp_app;
SELECT throws_ok($$ SELECT * FROM client_registry.import_begin() $$, '42501', NULL,
                 'a role without the import right cannot begin an import');
SELECT throws_ok($$ SELECT * FROM client_registry.import_apply('erp') $$, '42501', NULL,
                 'a role without the import right cannot apply one');
SELECT throws_ok($$ INSERT INTO client_registry.import_run (source) VALUES ('erp') $$, '42501', NULL,
                 'nobody but the import writes import_run');
RESET ROLE;

SET ROLE tap_imp_loader;
SELECT is((SELECT pg_catalog.count(*)::int FROM client_registry.import_begin()), 7,
          'import_begin creates the seven staging tables');
SELECT is((SELECT pg_catalog.count(*)::int FROM pg_class
            WHERE relnamespace = pg_my_temp_schema() AND relname LIKE 'import\_%' AND relkind = 'r'
              AND relowner = 'tap_imp_loader'::regrole), 7,
          'the staging tables are the session''s TEMP tables, owned by the importing role');
INSERT INTO import_client (external_id, kind, name, sales_tax_category)
    VALUES ('K-1', 'buyer', 'UAB Skolininkas', 'PVM1'), ('K-3', 'buyer', 'UAB Naujas', 'PVM1');
INSERT INTO import_invoice (external_id, client_external_id, direction, number, invoice_date, status)
    VALUES ('S-1', 'K-1', 'sale', 'T-1', '2024-01-10', 'posted');
INSERT INTO import_vat_line (invoice_external_id, taxable_value, vat_rate, vat_amount) VALUES ('S-1', 1000, 21, 210);
SET client_min_messages = error;
SELECT results_eq($$ SELECT kind, external_id, status FROM client_registry.import_apply('erp') $$,
                  $$ VALUES ('client', 'K-1', 'unchanged'), ('client', 'K-3', 'created'),
                            ('invoice', 'S-1', 'created'), ('vat_line', 'S-1', 'created') $$,
                  'a granted role imports: upserts by external id, history over a strict limit recorded');
RESET client_min_messages;
SELECT is((SELECT pg_catalog.count(*)::int FROM pg_temp.import_result), 4, 'the results stay in pg_temp.import_result');
SELECT results_eq($$ SELECT source, run_by::text COLLATE "default", (counts -> 'client' ->> 'created')::int FROM client_registry.import_run $$,
                  $$ VALUES ('erp', 'tap_imp_loader', 1) $$, 'the import is recorded in import_run (written with the owner''s rights)');
SELECT results_eq($$ SELECT client_id, invoice_numbers, credit_limit, debt_before, amount, debt_after
                       FROM client_registry.import_credit_override $$,
                  $$ VALUES (19702::bigint, 'T-1', 100.00::numeric, 0.00::numeric, 1210.00::numeric, 1210.00::numeric) $$,
                  'the strict limit exceeded by history is recorded');
SELECT throws_ok($$ INSERT INTO client_registry.import_credit_override
                        (import_run_id, client_id, credit_limit, debt_before, amount, debt_after)
                    SELECT id, 19702, 0, 0, 0, 0 FROM client_registry.import_run $$, '42501', NULL,
                 'nobody but the credit check writes import_credit_override');
-- outside an import the same limit refuses a sale, for the loader as for anyone
INSERT INTO client_registry.invoice (id, client_id, direction, number, invoice_date)
    VALUES (19701, 19702, 'sale', 'T-2', '2026-12-01');
INSERT INTO client_registry.invoice_vat_line (invoice_id, taxable_value, vat_rate, vat_amount) VALUES (19701, 10, 21, 2.10);
SELECT throws_ok($$ UPDATE client_registry.invoice SET status = 'posted' WHERE id = 19701 $$, 'R4001', NULL,
                 'outside an import a sale over a strict limit is refused');
SELECT is((SELECT pg_catalog.count(*)::int FROM client_registry.import_credit_override), 1,
          'and nothing is recorded');
-- running it again changes nothing
SELECT is((SELECT pg_catalog.count(*)::int FROM client_registry.import_apply('erp') WHERE status <> 'unchanged'), 0,
          'running the same import again changes nothing');
RESET ROLE;

SELECT is((SELECT pg_catalog.count(*)::int FROM client WHERE tenant_id = 197 AND source = 'erp'), 2,
          'one card per external id');

-- The record tables are written by the import only, whatever the grants:
-- a statement trigger refuses a tenant's role (42501).
SELECT has_trigger('client_registry', t, t || '_01_record_guard', t || ' has the import record guard')
  FROM unnest(ARRAY['import_run', 'import_credit_override']) t;
SELECT function_privs_are('client_registry', 'import_record_guard', ARRAY[]::name[], 'public', ARRAY[]::text[],
                          'import_record_guard is not executable by PUBLIC');
GRANT INSERT, UPDATE, DELETE ON import_run, import_credit_override TO tap_imp_app;
SET ROLE tap_imp_app;
SELECT throws_ok($$ INSERT INTO client_registry.import_run (source) VALUES ('forged') $$, '42501', NULL,
                 'a tenant role with INSERT on import_run still cannot write it');
SELECT throws_ok($$ UPDATE client_registry.import_run SET counts = NULL $$, '42501', NULL,
                 'nor update it');
SELECT throws_ok($$ DELETE FROM client_registry.import_credit_override $$, '42501', NULL,
                 'nor delete from import_credit_override');
RESET ROLE;
SELECT lives_ok($$ UPDATE client_registry.import_run SET counts = counts WHERE tenant_id = 197 $$,
                'the owner is not a tenant role');

SELECT * FROM finish();
ROLLBACK;
