-- pgTAP contract (0.4.0, issue #11): tenants as a security boundary, least
-- privilege, and a camt.053 reader that hostile input cannot pin.
--
-- Roles are created inside this transaction and rolled back at the end.
-- Tenant used: 9301 (created and rolled back here).
BEGIN;
SET search_path = client_registry, public;
SELECT * FROM no_plan();

-------------------------------------------------------------------------------
-- The membership table and its functions
-------------------------------------------------------------------------------
SELECT has_table('client_registry', 'tenant_access', 'table tenant_access exists');
SELECT columns_are('client_registry', 'tenant_access', ARRAY['member', 'member_name', 'tenant_id', 'granted_by', 'granted_at'],
                   'tenant_access has its columns');
SELECT col_type_is('client_registry', 'tenant_access', 'member', 'regrole', 'tenant_access.member is a regrole');
SELECT col_is_null('client_registry', 'tenant_access', 'tenant_id', 'tenant_access.tenant_id may be NULL (every tenant)');
SELECT policies_are('client_registry', 'tenant_access', ARRAY['tenant_access_own_rows'], 'tenant_access: a role reads its own rows only');
SELECT triggers_are('client_registry', 'tenant_access',
                    ARRAY['tenant_access_before_write', 'tenant_access_changed', 'tenant_access_write_guard'],
                    'tenant_access has its triggers');
SELECT ok((SELECT extconfig @> ARRAY['client_registry.tenant_access'::regclass::oid] FROM pg_extension WHERE extname = 'client_registry'),
          'tenant_access is dumped');
SELECT ok((SELECT extconfig @> ARRAY['client_registry.client_private_note'::regclass::oid] FROM pg_extension WHERE extname = 'client_registry'),
          'client_private_note is dumped');
SELECT hasnt_column('client_registry', 'client', 'private_notes', 'private notes are no longer a column of the card');

SELECT has_function('client_registry', f, args, format('function %s exists', f))
  FROM (VALUES ('grant_tenant', ARRAY['integer', 'regrole']), ('grant_all_tenants', ARRAY['regrole']),
               ('revoke_tenant', ARRAY['integer', 'regrole']), ('revoke_all_tenants', ARRAY['regrole']),
               ('tenant_member', ARRAY['integer', 'regrole']), ('my_tenants', ARRAY[]::text[]),
               ('tenant_access_lookups', ARRAY[]::text[])) v(f, args);
SELECT function_privs_are('client_registry', f, args, 'public', ARRAY[]::text[], format('PUBLIC cannot execute %s', f))
  FROM (VALUES ('grant_tenant', ARRAY['integer', 'regrole']), ('grant_all_tenants', ARRAY['regrole']),
               ('revoke_tenant', ARRAY['integer', 'regrole']), ('revoke_all_tenants', ARRAY['regrole']),
               ('tenant_member', ARRAY['integer', 'regrole']), ('tenant_access_lookups', ARRAY[]::text[]),
               ('settle_automatically', ARRAY['bigint']), ('define_custom_field', ARRAY['text', 'client_registry.custom_field_type', 'text']),
               ('drop_custom_field', ARRAY['text']), ('balance_discrepancies', ARRAY[]::text[]),
               ('read_camt053', ARRAY['text']), ('assert_client_role', ARRAY['bigint', 'text']),
               ('search_clients', ARRAY['text', 'boolean', 'integer']),
               -- 0.4.0 import (issue #15): the import right is granted one by one
               ('import_begin', ARRAY[]::text[]), ('import_apply', ARRAY['text', 'integer'])) v(f, args);
SELECT function_privs_are('client_registry', f, args, 'public', ARRAY['EXECUTE'], format('PUBLIC can execute %s (policies call it)', f))
  FROM (VALUES ('current_tenant', ARRAY[]::text[]), ('my_tenants', ARRAY[]::text[])) v(f, args);

-- Only pure validators, text transforms of index expressions and the
-- functions policies and column defaults call are executable by PUBLIC.
SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_proc p
     WHERE p.pronamespace = 'client_registry'::regnamespace
       AND has_function_privilege('public', p.oid, 'EXECUTE')
       AND p.proname NOT IN (
           -- validators and normalisers of identifiers (IMMUTABLE, touch no table)
           'iban_valid', 'normalize_iban', 'format_iban', 'iban_bank_code', 'bic_valid', 'normalize_bic',
           'vat_code_valid', 'normalize_vat_code', 'eu_vat_code_valid', 'lt_vat_code_valid', 'lv_pvn_valid',
           'ee_kmkr_valid', 'pl_nip_valid', 'company_code_valid', 'normalize_company_code', 'lt_company_code_valid',
           'ee_registrikood_valid', 'lt_personal_code_valid', 'ee_personal_code_valid', 'normalize_personal_code',
           'email_valid', 'normalize_email', 'country_code_valid', 'normalize_country',
           -- text transforms used in index expressions (an INSERT evaluates them as the writer)
           'search_fold', 'client_search_text', 'contact_search_text', 'search_like_pattern', 'search_compact',
           'client_name_key',
           -- i.SAF (0.4.0): a pure rule of the VAT classifier, and the text transform the view
           -- isaf_shortened_value shows (IMMUTABLE, touch no table)
           'tax_code_takes_rate', 'isaf_written_text',
           -- 0.4.0 (issue #18): pure date and country rules the views use
           'document_retained_until', 'eu_member_state',
           -- called by row-level security policies and column defaults as the querying role
           'current_tenant', 'default_country', 'current_crm_user_id', 'current_crm_department_id',
           'my_tenants', 'crm_visible', 'crm_row_visible', 'crm_item_visible',
           -- text of a view column (crm_item_link, security_invoker)
           'crm_link_label',
           -- the steps of import_camt053 (SQL, caller's rights, tenant policies apply: nothing a
           -- role could not do with plain SQL on the same tables; import_camt053 itself is granted)
           'bank_import_own_account', 'bank_import_statement', 'bank_import_entries', 'bank_import_match',
           -- 0.4.0 (issue #14): the words of a card (an index expression) and the
           -- matching rules search_clients() calls as the searching role (pure, but
           -- search_typo_words, which reads the dictionary under its tenant policy)
           'search_words', 'search_dictionary_words', 'search_word_keys', 'search_query_words',
           'search_query_keys', 'search_typo_words', 'search_word_matches', 'search_word_score',
           -- 0.4.0 (issue #14): the duplicate rules' pure transforms (phone_key and
           -- client_name_keys are index expressions)
           'client_name_parts', 'phone_key', 'client_name_keys',
           -- 0.4.0 (issue #14): the fragment step of search_clients(): the kind of a
           -- match (pure), and the walk of the cards in name order, which answers only a
           -- member of the tenant holding SELECT on client under no policy but the
           -- tenant's, with that tenant's visible cards (NULL to anyone else)
           'search_fragment_score', 'search_name_order_candidates')
$$, 'nothing but validators, index-expression transforms and policy helpers is executable by PUBLIC');

-- Every table under row-level security carries the tenant write guard.
SELECT is_empty($$
    SELECT c.relname FROM pg_class c
     WHERE c.relnamespace = 'client_registry'::regnamespace AND c.relkind IN ('r', 'p') AND c.relrowsecurity
       AND c.relname <> 'tenant_access'
       AND NOT EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
                        WHERE t.tgrelid = c.oid AND p.proname = 'tenant_write_guard' AND t.tgenabled = 'O')
$$, 'every tenant table has the tenant_write_guard trigger');

-------------------------------------------------------------------------------
-- A non-member sees nothing in any table or view, and every write is 42501
-------------------------------------------------------------------------------
SET client_registry.tenant = 9301;
INSERT INTO client (id, kind, name, company_code) VALUES (930101, 'own_company', 'UAB Devyni', '110003978');
INSERT INTO client (id, kind, name, sales_tax_category) VALUES (930102, 'buyer', 'UAB Devynių pirkėjas', 'PVM1');
INSERT INTO client_private_note (client_id, note) VALUES (930102, 'private');
CREATE ROLE cr_tap_outsider NOLOGIN;
GRANT USAGE ON SCHEMA client_registry TO cr_tap_outsider;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA client_registry TO cr_tap_outsider;
CREATE ROLE cr_tap_member NOLOGIN IN ROLE cr_tap_outsider;
SELECT grant_tenant(9301, 'cr_tap_member');
CREATE TEMP TABLE tap_tables AS
SELECT c.relname::text AS t,
       (SELECT quote_ident(a.attname) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY a.attnum LIMIT 1) AS first_col
  FROM pg_class c
 WHERE c.relnamespace = 'client_registry'::regnamespace AND c.relkind IN ('r', 'p') AND c.relrowsecurity
   AND c.relname <> 'tenant_access';
CREATE TEMP TABLE tap_views AS
SELECT c.relname::text AS v FROM pg_class c
 WHERE c.relnamespace = 'client_registry'::regnamespace AND c.relkind = 'v';
GRANT SELECT ON tap_tables, tap_views TO cr_tap_outsider;

SET ROLE cr_tap_outsider;
SELECT is(current_tenant(), NULL, 'current_tenant() is NULL for a role that is not a member');
SELECT is_empty(format('SELECT 1 FROM client_registry.%I', t), format('a non-member reads nothing from %s', t))
  FROM tap_tables ORDER BY t;
SELECT is_empty(format('SELECT 1 FROM client_registry.%I', v), format('a non-member reads nothing from view %s', v))
  FROM tap_views ORDER BY v;
SELECT throws_ok(format('INSERT INTO client_registry.%I DEFAULT VALUES', t), '42501', NULL,
                 format('a non-member''s INSERT into %s fails with 42501', t))
  FROM tap_tables ORDER BY t;
SELECT throws_ok(format('UPDATE client_registry.%I SET %s = %s', t, first_col, first_col), '42501', NULL,
                 format('a non-member''s UPDATE of %s fails with 42501', t))
  FROM tap_tables ORDER BY t;
SELECT throws_ok(format('DELETE FROM client_registry.%I', t), '42501', NULL,
                 format('a non-member''s DELETE from %s fails with 42501', t))
  FROM tap_tables ORDER BY t;
SELECT throws_ok($$INSERT INTO client_registry.tenant_access (member, tenant_id) VALUES ('cr_tap_outsider', 9301)$$,
                 '42501', 'permission denied to change tenant memberships', 'a role cannot make itself a member');
RESET ROLE;

-- ... while a member of the same tenant sees the rows (the private note too,
-- having been granted the table here).
SET ROLE cr_tap_member;
SELECT is(current_tenant(), 9301, 'current_tenant() is the setting for a member');
SELECT is((SELECT count(*)::int FROM client), 2, 'a member reads its tenant');
SELECT is((SELECT count(*)::int FROM client_private_note), 1, 'a role granted client_private_note reads the notes');
SELECT lives_ok($$UPDATE client_registry.client SET phone = '+370 600 00000' WHERE id = 930102$$, 'a member writes');
RESET ROLE;

-------------------------------------------------------------------------------
-- Hostile camt.053 documents are refused fast; long reads are interruptible
-------------------------------------------------------------------------------
CREATE FUNCTION pg_temp.timed_read(doc text, OUT state text, OUT message text, OUT seconds float8)
LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz := clock_timestamp();
BEGIN
    PERFORM count(*) FROM client_registry.read_camt053(doc);
    state := '00000';
    seconds := extract(epoch FROM clock_timestamp() - t0);
EXCEPTION
    WHEN query_canceled OR others THEN
        GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
        seconds := extract(epoch FROM clock_timestamp() - t0);
END
$$;

-- 1 MB with 100,000 attributes on one element: libxml2 alone needs tens of
-- seconds and cannot be cancelled; the shape check refuses it at once.
CREATE TEMP TABLE bomb AS
SELECT '<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr '
       || string_agg(format('a%s="x"', i), ' ') || '/></BkToCstmrStmt></Document>' AS doc
  FROM generate_series(1, 100000) i;
SELECT is((SELECT state FROM pg_temp.timed_read((SELECT doc FROM bomb))), '54000', 'the attribute bomb is refused with 54000');
SELECT ok((SELECT seconds < 2 FROM pg_temp.timed_read((SELECT doc FROM bomb))), 'the attribute bomb is refused in under 2 s');
SELECT matches((SELECT message FROM pg_temp.timed_read((SELECT doc FROM bomb))), 'too many attributes \(33, at most 32\)',
               'the message says which limit and where');
-- namespace declarations are attributes too
SELECT is((SELECT state FROM pg_temp.timed_read(
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02" '
    || (SELECT string_agg(format('xmlns:p%s="urn:x:%s"', i, i), ' ') FROM generate_series(1, 40) i) || '/>')),
    '54000', 'forty namespace declarations on one element are refused');
-- nesting 10,000 deep
SELECT is((SELECT state FROM pg_temp.timed_read(
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">' || repeat('<a>', 10000) || repeat('</a>', 10000) || '</Document>')),
    '54000', 'deep nesting is refused');
-- a name of 100,000 characters
SELECT is((SELECT state FROM pg_temp.timed_read(
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><' || repeat('n', 100000) || '/></Document>')),
    '54000', 'an over-long element name is refused');
-- a text of 2 MB
SELECT is((SELECT state FROM pg_temp.timed_read(
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>'
    || repeat('x', 2 * 1024 * 1024) || '</MsgId></GrpHdr></BkToCstmrStmt></Document>')),
    '54000', 'a 2 MB text is refused');
-- the size limit is the superuser's
SET client_registry.camt053_max_size = '1MB';
SELECT is((SELECT state FROM pg_temp.timed_read((SELECT doc FROM bomb))), '54000', 'a document over camt053_max_size is refused');
SELECT matches((SELECT message FROM pg_temp.timed_read((SELECT doc FROM bomb))), 'larger than client_registry.camt053_max_size',
               'the size refusal names the setting');
RESET client_registry.camt053_max_size;
SET ROLE cr_tap_member;
SELECT throws_ok($$SET client_registry.camt053_max_size = '1GB'$$, '42501', NULL, 'an ordinary role cannot raise camt053_max_size');
RESET ROLE;

-- Over-long ISO 20022 identifiers: 2200N naming the field, not an index error.
CREATE TEMP TABLE stmt_tpl AS SELECT $x$<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
<GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2026-11-20T18:00:00</CreDtTm></GrpHdr>
<Stmt><Id>@STMT@</Id><CreDtTm>2026-11-20T18:00:00</CreDtTm>
<Acct><Id><IBAN>LT817044000000000001</IBAN></Id></Acct>
<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>2026-11-20</Dt></BookgDt><AcctSvcrRef>@REF@</AcctSvcrRef></Ntry>
</Stmt></BkToCstmrStmt></Document>$x$ AS doc;
SELECT is((SELECT r.state FROM stmt_tpl, pg_temp.timed_read(replace(replace(doc, '@STMT@', 'S-1'), '@REF@', repeat('R', 36))) r),
          '2200N', 'an AcctSvcrRef of 36 characters is refused with 2200N');
SELECT matches((SELECT r.message FROM stmt_tpl, pg_temp.timed_read(replace(replace(doc, '@STMT@', 'S-1'), '@REF@', repeat('R', 3000))) r),
               '^camt.053 AcctSvcrRef of entry 1 is 3000 characters long', 'the message names the field and the entry');
SELECT is((SELECT r.state FROM stmt_tpl, pg_temp.timed_read(replace(replace(doc, '@STMT@', repeat('S', 36)), '@REF@', 'R-1')) r),
          '2200N', 'a Stmt/Id of 36 characters is refused with 2200N');
SELECT is((SELECT r.state FROM stmt_tpl, pg_temp.timed_read(replace(replace(doc, '@STMT@', repeat('Š', 35)), '@REF@', repeat('Ž', 35))) r),
          '00000', 'identifiers of 35 characters (multibyte too) are read');

-- A long, valid statement (200,000 entries) read under statement_timeout is
-- cancelled promptly: the reader checks for interrupts.
CREATE TEMP TABLE big AS
SELECT '<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
       || '<GrpHdr><MsgId>BIG</MsgId></GrpHdr><Stmt><Id>BIG-1</Id><Acct><Id><IBAN>LT817044000000000001</IBAN></Id></Acct>'
       || string_agg(format('<Ntry><Amt Ccy="EUR">%s.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
                            '<BookgDt><Dt>2026-11-20</Dt></BookgDt><AcctSvcrRef>BIG-%s</AcctSvcrRef></Ntry>', i, i), '')
       || '</Stmt></BkToCstmrStmt></Document>' AS doc
  FROM generate_series(1, 200000) i;
SET statement_timeout = '300ms';
CREATE TEMP TABLE big_result AS SELECT * FROM pg_temp.timed_read((SELECT doc FROM big));
RESET statement_timeout;
SELECT is((SELECT state FROM big_result), '57014', 'a long read is cancelled by statement_timeout');
SELECT ok((SELECT seconds < 2 FROM big_result), 'and stops within 2 s of a 300 ms timeout');

-- Two <Stmt> with the same Id in one document are one statement: each is
-- reported; an entry of the second that the first already holds (the same
-- bank reference, or without one the same content) is counted as a
-- duplicate, never dropped silently; its other entries are imported.
INSERT INTO client_bank_account (client_id, iban, ledger_account) VALUES (930101, 'LT817044000000000001', '2710');
CREATE TEMP TABLE twin AS SELECT $x$<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>TWIN</MsgId></GrpHdr>
<Stmt><Id>TWIN-1</Id><Acct><Id><IBAN>LT817044000000000001</IBAN></Id></Acct>
<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-11-20</Dt></BookgDt><AcctSvcrRef>TW-1</AcctSvcrRef></Ntry>
<Ntry><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-11-20</Dt></BookgDt></Ntry></Stmt>
<Stmt><Id>TWIN-1</Id><Acct><Id><IBAN>LT817044000000000001</IBAN></Id></Acct>
<Ntry><Amt Ccy="EUR">2.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-11-21</Dt></BookgDt><AcctSvcrRef>TW-2</AcctSvcrRef></Ntry>
<Ntry><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-11-20</Dt></BookgDt></Ntry></Stmt>
</BkToCstmrStmt></Document>$x$ AS doc;
SELECT results_eq($$ SELECT statement_ref, entries, duplicates FROM client_registry.import_camt053((SELECT doc FROM twin)) $$,
                  $$ VALUES ('TWIN-1'::text, 2, 0), ('TWIN-1'::text, 2, 1) $$,
                  'two Stmt with the same Id: both reported, the repeated entry counted as a duplicate');
SELECT is((SELECT count(*)::int FROM bank_entry WHERE tenant_id = 9301), 3,
          'three distinct entries are stored');
SELECT results_eq($$ SELECT statement_ref, entries, duplicates FROM client_registry.import_camt053((SELECT doc FROM twin)) $$,
                  $$ VALUES ('TWIN-1'::text, 2, 2), ('TWIN-1'::text, 2, 2) $$,
                  'the same document again: every entry is counted as a duplicate');

SELECT * FROM finish();
ROLLBACK;
