-- pgTAP contract of 0.3.0 bank statement import (R3.4) and the register of
-- legal entities (R1.8): shapes, keys, row security, dump registration,
-- privileges with a real role, SQLSTATE contracts, idempotent import.
--
-- Tenants used (created and rolled back here):
--   9501  the main tenant (the owner writes it; later the role tap_cr_bank)
--   9502  a second tenant (its entries the role must not see)
BEGIN;
SET search_path = client_registry, public;

SELECT plan(61);

-------------------------------------------------------------------------------
-- Shapes
-------------------------------------------------------------------------------
SELECT has_table('client_registry', 'bank_statement', 'table bank_statement exists');
SELECT has_table('client_registry', 'bank_entry', 'table bank_entry exists');
SELECT has_table('client_registry', 'legal_register', 'table legal_register exists');
SELECT has_table('client_registry', 'legal_register_import', 'table legal_register_import exists');
SELECT has_table('client_registry', 'client_register_fill', 'table client_register_fill exists');
SELECT has_view('client_registry', 'bank_entry_queue', 'view bank_entry_queue exists');
SELECT enum_has_labels('client_registry', 'bank_match_reason', ARRAY['iban', 'invoice_number', 'company_code', 'manual'],
                       'bank_match_reason is iban, invoice_number, company_code, manual');
SELECT has_column('client_registry', 'client', 'legal_form_name', 'client.legal_form_name exists');
SELECT has_column('client_registry', 'client', 'register_status', 'client.register_status exists');
SELECT col_type_is('client_registry', 'bank_entry', 'amount', 'numeric(15,2)', 'bank_entry.amount is numeric(15,2)');
SELECT col_not_null('client_registry', 'bank_entry', 'entry_key', 'bank_entry.entry_key is NOT NULL');
SELECT col_is_unique('client_registry', 'bank_entry', ARRAY['tenant_id', 'own_account_id', 'entry_key']::name[],
                     'bank_entry is unique on (tenant_id, own_account_id, entry_key)');
SELECT col_is_unique('client_registry', 'bank_statement', ARRAY['tenant_id', 'own_account_id', 'statement_ref']::name[],
                     'bank_statement is unique on (tenant_id, own_account_id, statement_ref)');
SELECT col_is_pk('client_registry', 'bank_entry', ARRAY['tenant_id', 'id']::name[], 'bank_entry: primary key (tenant_id, id) (0.4.0, #17)');
SELECT col_is_pk('client_registry', 'bank_statement', ARRAY['tenant_id', 'id']::name[], 'bank_statement: primary key (tenant_id, id) (0.4.0, #17)');
SELECT col_is_pk('client_registry', 'legal_register', ARRAY['tenant_id', 'country', 'company_code']::name[],
                 'legal_register: primary key (tenant_id, country, company_code) (0.4.0: LT, LV, EE)');
SELECT fk_ok('client_registry', 'bank_entry', ARRAY['tenant_id', 'client_id']::name[],
             'client_registry', 'client', ARRAY['tenant_id', 'id']::name[], 'bank_entry(tenant_id, client_id) references client');
SELECT fk_ok('client_registry', 'bank_entry', ARRAY['tenant_id', 'payment_id']::name[],
             'client_registry', 'payment', ARRAY['tenant_id', 'id']::name[], 'bank_entry(tenant_id, payment_id) references payment');
SELECT fk_ok('client_registry', 'bank_statement', ARRAY['tenant_id', 'own_account_id']::name[],
             'client_registry', 'client_bank_account', ARRAY['tenant_id', 'id']::name[],
             'bank_statement(tenant_id, own_account_id) references client_bank_account');
SELECT fk_ok('client_registry', 'client_register_fill', ARRAY['tenant_id', 'client_id']::name[],
             'client_registry', 'client', ARRAY['tenant_id', 'id']::name[], 'client_register_fill references client');
SELECT ok(EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'payment_25_detach_bank_entries'
                     AND tgfoid = 'client_registry.detach_bank_entries'::regproc),
          'deleting a payment puts its bank entry back in the queue (trigger detach_bank_entries; 0.4.0: no ON DELETE SET NULL, #17)');
SELECT is((SELECT reloptions FROM pg_class WHERE oid = 'client_registry.bank_entry_queue'::regclass),
          ARRAY['security_invoker=true'], 'bank_entry_queue is security_invoker');
SELECT is_empty($$ SELECT a.attname FROM pg_attribute a WHERE a.attrelid = 'client_registry.bank_entry_queue'::regclass
                      AND a.attnum > 0 AND col_description(a.attrelid, a.attnum) IS NULL $$,
                'every column of bank_entry_queue has a comment');
SELECT ok((SELECT array['client_registry.bank_statement', 'client_registry.bank_entry', 'client_registry.legal_register',
                        'client_registry.legal_register_import', 'client_registry.client_register_fill']::regclass[]
                  <@ extconfig::regclass[] FROM pg_extension WHERE extname = 'client_registry'),
          'the new tables are registered with pg_extension_config_dump');
SELECT policies_are('client_registry', 'bank_statement', ARRAY['tenant_isolation'], 'bank_statement has policy tenant_isolation');
SELECT policies_are('client_registry', 'bank_entry', ARRAY['tenant_isolation'], 'bank_entry has policy tenant_isolation');
SELECT policies_are('client_registry', 'legal_register', ARRAY['tenant_isolation'], 'legal_register has policy tenant_isolation');
SELECT function_returns('client_registry', 'import_camt053', ARRAY['text'], 'setof record', 'import_camt053(text) returns a set of rows');
SELECT function_lang_is('client_registry', 'import_camt053', ARRAY['text'], 'c', 'import_camt053 is written in C');
SELECT function_privs_are('client_registry', 'import_camt053', ARRAY['text'], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute import_camt053()');
SELECT function_privs_are('client_registry', 'assign_bank_entry', ARRAY['bigint', 'bigint', 'bigint', 'boolean'], 'public',
                          ARRAY[]::name[], 'PUBLIC cannot execute assign_bank_entry()');
SELECT function_privs_are('client_registry', 'merge_legal_register', ARRAY[]::name[], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute merge_legal_register()');
SELECT function_privs_are('client_registry', 'fill_client_from_register', ARRAY['bigint', 'boolean'], 'public',
                          ARRAY[]::name[], 'PUBLIC cannot execute fill_client_from_register()');

-------------------------------------------------------------------------------
-- Data of tenants 9501 and 9502
-------------------------------------------------------------------------------
SET client_registry.tenant = 9501;
INSERT INTO client (id, kind, name, company_code) VALUES (950101, 'own_company', 'UAB Savi', '110003978');
INSERT INTO client (id, name, company_code, sales_tax_category, settlement_mode)
VALUES (950102, 'UAB Pirkėjas', '304110002', 'PVM1', 'all_documents');
INSERT INTO client_bank_account (client_id, iban, ledger_account) VALUES (950101, 'LT817044000000000001', '2711');
INSERT INTO client_bank_account (client_id, iban) VALUES (950102, 'LT277044000000000003');
SET client_registry.tenant = 9502;
INSERT INTO client (id, kind, name, company_code) VALUES (950201, 'own_company', 'UAB Kiti', '110003978');
INSERT INTO client_bank_account (client_id, iban) VALUES (950201, 'LT817044000000000001');
CREATE TEMP TABLE tap_camt (doc text);
INSERT INTO tap_camt VALUES ('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.04"><BkToCstmrStmt>
  <GrpHdr><MsgId>TAP</MsgId></GrpHdr><Stmt><Id>TAP-1</Id><Acct><Id><IBAN>LT817044000000000001</IBAN></Id></Acct>
  <Ntry><Amt Ccy="EUR">10.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-11-20</Dt></BookgDt>
    <AcctSvcrRef>TAP-R-1</AcctSvcrRef><NtryDtls><TxDtls><RltdPties>
    <DbtrAcct><Id><IBAN>LT277044000000000003</IBAN></Id></DbtrAcct></RltdPties></TxDtls></NtryDtls></Ntry>
  <Ntry><Amt Ccy="EUR">2.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-11-20</Dt></BookgDt>
    <AcctSvcrRef>TAP-R-2</AcctSvcrRef></Ntry>
  </Stmt></BkToCstmrStmt></Document>');
SELECT is((SELECT row(entries, matched, queued, payments)::text FROM import_camt053((SELECT doc FROM tap_camt))),
          '(2,0,2,0)', 'tenant 9502 imports the statement into its own account; nothing matches there');

-------------------------------------------------------------------------------
-- SQLSTATE contracts
-------------------------------------------------------------------------------
SET client_registry.tenant = 9501;
SELECT throws_ok($$ SELECT * FROM client_registry.import_camt053('<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>') $$,
                 '2200M', NULL, 'a DTD / external entity is refused with 2200M');
SELECT throws_ok($$ SELECT * FROM client_registry.import_camt053('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>') $$,
                 '2200M', NULL, 'a truncated document is refused with 2200M');
SELECT throws_ok($$ SELECT * FROM client_registry.import_camt053('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"/>') $$,
                 '2200N', NULL, 'another message type is refused with 2200N');
SELECT throws_ok($$ SELECT * FROM client_registry.import_camt053(replace((SELECT doc FROM tap_camt), '>10.00<', '>10000000000000.00<')) $$,
                 '22003', NULL, 'an amount beyond numeric(15,2) is refused with 22003');
SELECT throws_ok($$ SELECT * FROM client_registry.import_camt053(replace((SELECT doc FROM tap_camt), 'LT817044000000000001', 'LT277044000000000003')) $$,
                 'R3401', NULL, 'a statement of an account that is not the own company''s is refused with R3401');
SELECT is((SELECT count(*) FROM bank_entry WHERE tenant_id = 9501), 0::bigint, 'nothing of a refused file is kept');

SELECT is((SELECT count(*) FROM read_camt053((SELECT doc FROM tap_camt))), 2::bigint,
          'read_camt053 previews the entries without importing anything');
-- the import, then again
SELECT is((SELECT row(entries, duplicates, matched, queued, payments, settlements)::text
             FROM import_camt053((SELECT doc FROM tap_camt))),
          '(2,0,1,1,1,0)', 'the import records both entries, matches one by IBAN, queues the other');
SELECT is((SELECT row(entries, duplicates, matched, queued, payments)::text FROM import_camt053((SELECT doc FROM tap_camt))),
          '(2,2,0,0,0)', 'importing the same statement again creates nothing');
SELECT is((SELECT row(c.name, p.direction, p.amount, p.reference)::text FROM payment p JOIN client c ON c.id = p.client_id
            WHERE p.tenant_id = 9501),
          '("UAB Pirkėjas",in,10.00,TAP-R-1)', 'the matched credit became a payment received, referenced by AcctSvcrRef');
SELECT is((SELECT match_reason::text FROM bank_entry WHERE tenant_id = 9501 AND entry_key = 'TAP-R-1'), 'iban',
          'the match records its reason');
SELECT throws_ok($$ SELECT client_registry.assign_bank_entry((SELECT id FROM client_registry.bank_entry WHERE tenant_id = 9501 AND entry_key = 'TAP-R-1'), 950102) $$,
                 '55000', NULL, 'assigning an entry that already has a payment: 55000');
SELECT throws_ok($$ SELECT client_registry.assign_bank_entry(-5, 950102) $$, '22023', NULL, 'assigning an unknown entry: 22023');
SELECT throws_ok($$ SELECT client_registry.assign_bank_entry((SELECT id FROM client_registry.bank_entry WHERE tenant_id = 9501 AND entry_key = 'TAP-R-2'), 950201) $$,
                 '23503', NULL, 'assigning to a client of another tenant: 23503');

-- register
INSERT INTO legal_register_import (ja_kodas, ja_pavadinimas, adresas, ja_reg_data, form_kodas, form_pavadinimas, isreg_data, formavimo_data)
VALUES ('304110002', 'UAB "Pirkėjas"', 'Vilnius, Gedimino pr. 1, LT-01103', '2016-01-01', '310', 'Uždaroji akcinė bendrovė', '2025-01-01', '2026-05-27');
SELECT is((SELECT row(inserted, updated, unchanged, rejected)::text FROM merge_legal_register()), '(1,0,0,0)', 'merge_legal_register loads a row');
SELECT is((SELECT row(inserted, updated, unchanged, rejected)::text FROM merge_legal_register()), '(0,0,0,0)', 'the staging rows are consumed');
SELECT throws_ok($$ SELECT client_registry.fill_client_from_register(950101) $$, 'R3402', NULL,
                 'a code that is not in the register: R3402');
SET client_min_messages = error;
SELECT is(fill_client_from_register(950102, true), ARRAY['name', 'legal_form_name', 'register_status', 'registration_address'],
          'filling with overwrite sets name, legal form, status and the registration address');
RESET client_min_messages;

-------------------------------------------------------------------------------
-- A real role: row security and privileges
-------------------------------------------------------------------------------
CREATE ROLE tap_cr_bank NOLOGIN;
DO $$ BEGIN PERFORM client_registry.grant_all_tenants('tap_cr_bank'); END $$;   -- 0.4.0: a member of every tenant it sets
GRANT USAGE ON SCHEMA client_registry TO tap_cr_bank;
GRANT SELECT ON ALL TABLES IN SCHEMA client_registry TO tap_cr_bank;
GRANT INSERT, UPDATE ON client_registry.bank_statement, client_registry.bank_entry, client_registry.payment,
    client_registry.settlement, client_registry.client, client_registry.invoice TO tap_cr_bank;
GRANT SELECT ON tap_camt TO tap_cr_bank;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA client_registry TO tap_cr_bank;
SET ROLE tap_cr_bank;
SELECT throws_ok($$ SELECT * FROM client_registry.import_camt053('<x/>') $$, '42501', NULL,
                 'a role without EXECUTE cannot import');
RESET ROLE;
GRANT EXECUTE ON FUNCTION client_registry.import_camt053(text), client_registry.assign_bank_entry(bigint, bigint, bigint, boolean),
    client_registry.settle_automatically(bigint) TO tap_cr_bank;
SET ROLE tap_cr_bank;
SELECT is((SELECT count(*) FROM client_registry.bank_entry), 2::bigint, 'the role sees only its tenant''s entries');
SELECT is((SELECT row(entries, duplicates)::text FROM client_registry.import_camt053((SELECT doc FROM tap_camt))), '(2,2)',
          'the role imports under row security; nothing doubled');
SELECT is((SELECT count(*) FROM client_registry.bank_entry_queue), 1::bigint, 'the queue shows the tenant''s waiting entry');
SELECT ok(client_registry.assign_bank_entry((SELECT entry_id FROM client_registry.bank_entry_queue), 950102) > 0,
          'the role assigns the queued entry to a client');
SELECT is((SELECT count(*) FROM client_registry.bank_entry_queue), 0::bigint, 'the queue is empty');
SELECT is((SELECT count(*) FROM client_registry.payment), 2::bigint, 'two payments in the role''s tenant');
SET client_registry.tenant = 9502;
SELECT is((SELECT count(*) FROM client_registry.bank_entry_queue), 2::bigint, 'tenant 9502 sees its own queue only');
SELECT throws_ok($$ SELECT client_registry.assign_bank_entry((SELECT id FROM client_registry.bank_entry WHERE entry_key = 'TAP-R-1'), 950102) $$,
                 '23503', NULL, 'a client of another tenant cannot be assigned');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
