-- pgTAP contract of 0.3.0: client merge (R2.3, R2.4; issue #4).
--
-- The shape of merge_clients, merge_preview, unmerge and client_name_key
-- (signatures, return types, VARIADIC, STRICT, volatility, invoker rights),
-- the journal tables and views (columns, keys, row security, comments, dump
-- registration, security_invoker), the privileges (nothing for PUBLIC; a role
-- granted EXECUTE per the recipe merges; a role without it cannot), tenant
-- isolation of the journal for a non-owner role, every SQLSTATE of the
-- contract, a preview that changes nothing, and a merge + unmerge that leaves
-- every row exactly as it was (md5 of the rows).
--
-- Tenants used (all created and rolled back here):
--   9301  the main tenant: a survivor, duplicates, a client with another
--         company code; later also the role tap_cr_merger
--   9302  a second tenant, with a merge of its own (the role must not see it)
BEGIN;
SET search_path = client_registry, public;

SELECT plan(133);

-------------------------------------------------------------------------------
-- Functions: signatures, return types, properties
-------------------------------------------------------------------------------
SELECT has_function('client_registry', 'merge_clients', ARRAY['bigint', 'bigint[]'],
                    'merge_clients(bigint, VARIADIC bigint[]) exists');
SELECT has_function('client_registry', 'merge_clients', ARRAY['bigint', 'bigint[]', 'boolean'],
                    'merge_clients(bigint, bigint[], boolean) exists');
SELECT has_function('client_registry', 'merge_preview', ARRAY['bigint', 'bigint[]'],
                    'merge_preview(bigint, VARIADIC bigint[]) exists');
SELECT has_function('client_registry', 'merge_preview', ARRAY['bigint', 'bigint[]', 'boolean'],
                    'merge_preview(bigint, bigint[], boolean) exists');
SELECT has_function('client_registry', 'unmerge', ARRAY['bigint'], 'unmerge(bigint) exists');
SELECT has_function('client_registry', 'client_name_key', ARRAY['text'], 'client_name_key(text) exists');

SELECT function_returns('client_registry', 'merge_clients', ARRAY['bigint', 'bigint[]'], 'bigint',
                        'merge_clients(bigint, VARIADIC bigint[]) returns bigint (the merge id)');
SELECT function_returns('client_registry', 'merge_clients', ARRAY['bigint', 'bigint[]', 'boolean'], 'bigint',
                        'merge_clients(bigint, bigint[], boolean) returns bigint');
SELECT function_returns('client_registry', 'merge_preview', ARRAY['bigint', 'bigint[]'], 'setof record',
                        'merge_preview(bigint, VARIADIC bigint[]) returns a set');
SELECT function_returns('client_registry', 'merge_preview', ARRAY['bigint', 'bigint[]', 'boolean'], 'setof record',
                        'merge_preview(bigint, bigint[], boolean) returns a set');
SELECT function_returns('client_registry', 'unmerge', ARRAY['bigint'], 'integer',
                        'unmerge(bigint) returns integer (rows put back)');
SELECT function_returns('client_registry', 'client_name_key', ARRAY['text'], 'text', 'client_name_key(text) returns text');

SELECT results_eq($$
    SELECT (p.proname || '(' || oidvectortypes(p.proargtypes) || ')') COLLATE "default", pg_get_function_arguments(p.oid), pg_get_function_result(p.oid)
      FROM pg_proc p
     WHERE p.pronamespace = 'client_registry'::regnamespace
       AND p.proname IN ('merge_clients', 'merge_preview', 'unmerge', 'client_name_key')
     ORDER BY 1 $$,
    $$ VALUES
    ('client_name_key(text)', 'name text', 'text'),
    ('merge_clients(bigint, bigint[])', 'keep bigint, VARIADIC merged bigint[]', 'bigint'),
    ('merge_clients(bigint, bigint[], boolean)', 'keep bigint, merged bigint[], force boolean', 'bigint'),
    ('merge_preview(bigint, bigint[])', 'keep bigint, VARIADIC merged bigint[]',
     'TABLE(step integer, action text, table_name text, constraint_name text, from_client bigint, row_count bigint, detail text)'),
    ('merge_preview(bigint, bigint[], boolean)', 'keep bigint, merged bigint[], force boolean',
     'TABLE(step integer, action text, table_name text, constraint_name text, from_client bigint, row_count bigint, detail text)'),
    ('unmerge(bigint)', 'merge_id bigint', 'integer') $$,
    'argument names, VARIADIC and result columns of the merge functions');

SELECT is_strict('client_registry', 'merge_clients', ARRAY['bigint', 'bigint[]'], 'merge_clients(keep, VARIADIC merged) is STRICT');
SELECT is_strict('client_registry', 'merge_clients', ARRAY['bigint', 'bigint[]', 'boolean'], 'merge_clients(keep, merged, force) is STRICT');
SELECT is_strict('client_registry', 'merge_preview', ARRAY['bigint', 'bigint[]'], 'merge_preview(keep, VARIADIC merged) is STRICT');
SELECT is_strict('client_registry', 'unmerge', ARRAY['bigint'], 'unmerge is STRICT');
SELECT volatility_is('client_registry', 'merge_clients', ARRAY['bigint', 'bigint[]'], 'volatile', 'merge_clients is VOLATILE');
SELECT volatility_is('client_registry', 'merge_preview', ARRAY['bigint', 'bigint[]'], 'volatile', 'merge_preview is VOLATILE');
SELECT volatility_is('client_registry', 'unmerge', ARRAY['bigint'], 'volatile', 'unmerge is VOLATILE');
SELECT volatility_is('client_registry', 'client_name_key', ARRAY['text'], 'immutable', 'client_name_key is IMMUTABLE');
SELECT is_empty($$
    SELECT p.oid::regprocedure FROM pg_proc p
     WHERE p.pronamespace = 'client_registry'::regnamespace
       AND p.proname IN ('merge_clients', 'merge_preview', 'unmerge') AND p.prosecdef
$$, 'the merge functions run with the caller''s rights (not SECURITY DEFINER)');
SELECT is_empty($$
    SELECT p.oid::regprocedure FROM pg_proc p
     WHERE p.pronamespace = 'client_registry'::regnamespace
       AND p.proname IN ('merge_clients', 'merge_preview', 'unmerge', 'client_name_key')
       AND obj_description(p.oid, 'pg_proc') IS NULL
$$, 'every merge function has a comment');
SELECT is(client_registry.client_name_key('UAB „Žalias Namas“'), client_registry.client_name_key('Zalias namas, UAB'),
          'client_name_key: legal form, letters and punctuation folded');

-------------------------------------------------------------------------------
-- Privileges: nothing for PUBLIC
-------------------------------------------------------------------------------
SELECT function_privs_are('client_registry', 'merge_clients', ARRAY['bigint', 'bigint[]'], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute merge_clients(bigint, VARIADIC bigint[])');
SELECT function_privs_are('client_registry', 'merge_clients', ARRAY['bigint', 'bigint[]', 'boolean'], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute merge_clients(bigint, bigint[], boolean)');
SELECT function_privs_are('client_registry', 'merge_preview', ARRAY['bigint', 'bigint[]'], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute merge_preview(bigint, VARIADIC bigint[])');
SELECT function_privs_are('client_registry', 'merge_preview', ARRAY['bigint', 'bigint[]', 'boolean'], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute merge_preview(bigint, bigint[], boolean)');
SELECT function_privs_are('client_registry', 'unmerge', ARRAY['bigint'], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute unmerge(bigint)');
SELECT function_privs_are('client_registry', 'client_name_key', ARRAY['text'], 'public', ARRAY['EXECUTE'],
                          'PUBLIC can execute client_name_key(text)');
-- issue #17: the twins that run on the Citus worker holding the tenant
SELECT has_function('client_registry', 'merge_clients_at', ARRAY['integer', 'bigint', 'bigint[]', 'boolean'],
                    'merge_clients_at(integer, bigint, bigint[], boolean) exists (Citus twin)');
SELECT has_function('client_registry', 'merge_preview_at', ARRAY['integer', 'bigint', 'bigint[]', 'boolean'],
                    'merge_preview_at(integer, bigint, bigint[], boolean) exists (Citus twin)');
SELECT has_function('client_registry', 'unmerge_at', ARRAY['integer', 'bigint'],
                    'unmerge_at(integer, bigint) exists (Citus twin)');
SELECT function_privs_are('client_registry', 'merge_clients_at', ARRAY['integer', 'bigint', 'bigint[]', 'boolean'],
                          'public', ARRAY[]::name[], 'PUBLIC cannot execute merge_clients_at');
SELECT function_privs_are('client_registry', 'merge_preview_at', ARRAY['integer', 'bigint', 'bigint[]', 'boolean'],
                          'public', ARRAY[]::name[], 'PUBLIC cannot execute merge_preview_at');
SELECT function_privs_are('client_registry', 'unmerge_at', ARRAY['integer', 'bigint'],
                          'public', ARRAY[]::name[], 'PUBLIC cannot execute unmerge_at');
SELECT function_privs_are('client_registry', 'citus_delegate_merge', ARRAY[]::text[],
                          'public', ARRAY[]::name[], 'PUBLIC cannot execute citus_delegate_merge');
SELECT function_privs_are('client_registry', 'citus_port_reports', ARRAY[]::text[],
                          'public', ARRAY[]::name[], 'PUBLIC cannot execute citus_port_reports');
SELECT function_privs_are('client_registry', 'citus_inline_report_calls', ARRAY['text', 'integer'],
                          'public', ARRAY[]::name[], 'PUBLIC cannot execute citus_inline_report_calls');

-------------------------------------------------------------------------------
-- The journal tables
-------------------------------------------------------------------------------
SELECT has_table('client_registry', 'client_merge', 'table client_merge exists');
SELECT has_table('client_registry', 'client_merge_step', 'table client_merge_step exists');
SELECT columns_are('client_registry', 'client_merge',
    ARRAY['id', 'tenant_id', 'survivor_id', 'merged_ids', 'forced', 'merged_at', 'merged_by', 'merged_role',
          'undone_at', 'undone_by',
          -- 0.4.0: an erasure of personal data emptied the journal (unmerge refused)
          'erased_at'],
    'client_merge has the journal columns');
SELECT columns_are('client_registry', 'client_merge_step',
    ARRAY['tenant_id', 'merge_id', 'step', 'action', 'reason', 'table_schema', 'table_name', 'constraint_name',
          'from_client', 'row_count', 'row_keys', 'row_hashes', 'old_values', 'new_values', 'row_images',
          -- 0.4.0 (issue #14)
          'row_hashes_before', 'row_columns'],
    'client_merge_step has the step columns');
SELECT results_eq($$
    SELECT a.attname::text COLLATE "default", format_type(a.atttypid, a.atttypmod), a.attnotnull
      FROM pg_attribute a
     WHERE a.attrelid = 'client_registry.client_merge'::regclass AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attnum $$,
    $$ VALUES ('id', 'bigint', true), ('tenant_id', 'integer', true), ('survivor_id', 'bigint', true),
              ('merged_ids', 'bigint[]', true), ('forced', 'boolean', true),
              ('merged_at', 'timestamp with time zone', true), ('merged_by', 'text', true),
              ('merged_role', 'text', true), ('undone_at', 'timestamp with time zone', false),
              ('undone_by', 'text', false), ('erased_at', 'timestamp with time zone', false) $$,
    'client_merge: column types and NOT NULL');
SELECT results_eq($$
    SELECT a.attname::text COLLATE "default", format_type(a.atttypid, a.atttypmod), a.attnotnull
      FROM pg_attribute a
     WHERE a.attrelid = 'client_registry.client_merge_step'::regclass AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attnum $$,
    $$ VALUES ('tenant_id', 'integer', true), ('merge_id', 'bigint', true), ('step', 'integer', true),
              ('action', 'text', true), ('reason', 'text', true), ('table_schema', 'text', true),
              ('table_name', 'text', true), ('constraint_name', 'text', false), ('from_client', 'bigint', false),
              ('row_count', 'bigint', true), ('row_keys', 'jsonb', false), ('row_hashes', 'text[]', false),
              ('old_values', 'jsonb', false), ('new_values', 'jsonb', false), ('row_images', 'jsonb', false),
              ('row_hashes_before', 'text[]', false), ('row_columns', 'smallint', false) $$,
    'client_merge_step: column types and NOT NULL');
SELECT col_is_pk('client_registry', 'client_merge', ARRAY['tenant_id', 'id'], 'client_merge: primary key (tenant_id, id) (0.4.0, #17)');
SELECT col_is_pk('client_registry', 'client_merge_step', ARRAY['tenant_id', 'merge_id', 'step'],
                 'client_merge_step: primary key (tenant_id, merge_id, step)');
SELECT col_is_unique('client_registry', 'client_merge', ARRAY['id'], 'client_merge: UNIQUE (id), kept on one node (0.4.0, #17)');
SELECT fk_ok('client_registry', 'client_merge_step', ARRAY['tenant_id', 'merge_id']::name[],
             'client_registry', 'client_merge', ARRAY['tenant_id', 'id']::name[],
             'client_merge_step (tenant_id, merge_id) references client_merge (tenant_id, id)');
SELECT fk_ok('client_registry', 'client_merge', 'tenant_id', 'client_registry', 'tenant', 'id',
             'client_merge (tenant_id) references tenant (id)');
SELECT is_empty($$
    SELECT conname FROM pg_constraint
     WHERE contype = 'f' AND conrelid IN ('client_registry.client_merge'::regclass, 'client_registry.client_merge_step'::regclass)
       AND confrelid = 'client_registry.client'::regclass
$$, 'the journal does not reference client: it outlives the merged clients');
SELECT has_index('client_registry', 'client_merge', 'client_merge_survivor_idx', ARRAY['tenant_id', 'survivor_id'],
                 'client_merge_survivor_idx is on (tenant_id, survivor_id)');

SELECT policies_are('client_registry', 'client_merge', ARRAY['tenant_isolation'], 'client_merge has policy tenant_isolation');
SELECT policies_are('client_registry', 'client_merge_step', ARRAY['tenant_isolation'], 'client_merge_step has policy tenant_isolation');
SELECT results_eq($$
    SELECT relname::text COLLATE "default", relrowsecurity FROM pg_class
     WHERE oid IN ('client_registry.client_merge'::regclass, 'client_registry.client_merge_step'::regclass) ORDER BY 1 $$,
    $$ VALUES ('client_merge', true), ('client_merge_step', true) $$,
    'row security is enabled on both journal tables');

SELECT ok((SELECT 'client_registry.client_merge'::regclass::oid = ANY (extconfig) FROM pg_extension WHERE extname = 'client_registry'),
          'client_merge is registered with pg_extension_config_dump');
SELECT ok((SELECT 'client_registry.client_merge_step'::regclass::oid = ANY (extconfig) FROM pg_extension WHERE extname = 'client_registry'),
          'client_merge_step is registered with pg_extension_config_dump');
SELECT ok((SELECT pg_get_serial_sequence('client_registry.client_merge', 'id')::regclass::oid = ANY (extconfig)
             FROM pg_extension WHERE extname = 'client_registry'),
          'the identity sequence of client_merge is registered with pg_extension_config_dump');
SELECT is((SELECT extcondition[array_position(extconfig, 'client_registry.client_merge'::regclass::oid)]
             FROM pg_extension WHERE extname = 'client_registry'), '',
          'client_merge is dumped whole (no condition)');

-------------------------------------------------------------------------------
-- Views; comments everywhere
-------------------------------------------------------------------------------
SELECT has_view('client_registry', 'client_merge_history', 'view client_merge_history exists');
SELECT has_view('client_registry', 'duplicate_candidates', 'view duplicate_candidates exists');
SELECT columns_are('client_registry', 'client_merge_history',
    ARRAY['tenant_id', 'merge_id', 'survivor_id', 'survivor_name', 'merged_ids', 'merged_names', 'forced',
          'merged_at', 'merged_by', 'rows_changed', 'undone_at', 'undone_by'],
    'client_merge_history columns');
SELECT columns_are('client_registry', 'duplicate_candidates',
    ARRAY['tenant_id', 'reason', 'match_key', 'clients', 'client_ids', 'names'],
    'duplicate_candidates columns');
SELECT results_eq($$
    SELECT relname::text COLLATE "default", 'security_invoker=true' = ANY (reloptions) FROM pg_class
     WHERE oid IN ('client_registry.client_merge_history'::regclass, 'client_registry.duplicate_candidates'::regclass)
     ORDER BY 1 $$,
    $$ VALUES ('client_merge_history', true), ('duplicate_candidates', true) $$,
    'both views are security_invoker');
SELECT is_empty($$
    SELECT c.relname FROM pg_class c
     WHERE c.oid IN ('client_registry.client_merge'::regclass, 'client_registry.client_merge_step'::regclass,
                     'client_registry.client_merge_history'::regclass, 'client_registry.duplicate_candidates'::regclass)
       AND obj_description(c.oid, 'pg_class') IS NULL
$$, 'the journal tables and the views have comments');
SELECT is_empty($$
    SELECT c.relname, a.attname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
     WHERE c.oid IN ('client_registry.client_merge'::regclass, 'client_registry.client_merge_step'::regclass,
                     'client_registry.client_merge_history'::regclass, 'client_registry.duplicate_candidates'::regclass)
       AND a.attnum > 0 AND NOT a.attisdropped AND col_description(c.oid, a.attnum) IS NULL
$$, 'every column of the journal tables and the views has a comment');

-------------------------------------------------------------------------------
-- Data: tenant 9301 (the owner writes it), tenant 9302
-------------------------------------------------------------------------------
SET LOCAL client_registry.tenant = 9301;
SELECT lives_ok($$
    INSERT INTO client (id, kind, name, company_code) VALUES (93010001, 'own_company', 'UAB Savas 9301', '110003978');
    INSERT INTO client (id, kind, name, company_code, sales_tax_category)
    VALUES (93010002, 'buyer', 'UAB „Tapas“', '188772433', 'PVM1');
    INSERT INTO client (id, kind, name, email, phone, sales_tax_category, notes)
    VALUES (93010003, 'buyer', 'Tapas, UAB', 'info@tapas.lt', '+370 600 93003', 'PVM1', 'duplicate A'),
           (93010004, 'supplier', 'TAPAS', NULL, '+370 600 93004', NULL, 'duplicate B');
    INSERT INTO client (id, kind, name, company_code, sales_tax_category)
    VALUES (93010005, 'buyer', 'UAB Kitas kodas', '301692533', 'PVM1');
    INSERT INTO client_address (id, client_id, street, city, postal_code) VALUES
        (93011001, 93010002, 'Gedimino pr. 9', 'Vilnius', 'LT-01103'),
        (93011002, 93010003, 'GEDIMINO PR. 9', 'Vilnius', 'LT 01103'),
        (93011003, 93010003, 'Taikos pr. 1', 'Klaipėda', 'LT-91214'),
        (93011004, 93010004, 'Laisvės al. 3', 'Kaunas', 'LT-44001');
    INSERT INTO client_bank_account (id, client_id, iban, bank_name) VALUES
        (93012001, 93010002, 'LT121000011101001000', 'Swedbank'),
        (93012002, 93010003, 'LT12 1000 0111 0100 1000', 'Swedbank'),
        (93012003, 93010004, 'LT92 7300 0101 7717 8794', 'SEB');
    INSERT INTO client_contact (id, client_id, first_name, last_name, email) VALUES
        (93013001, 93010003, 'Ona', 'Onaitė', 'ona@tapas.lt'),
        (93013002, 93010004, 'Ona', 'Onaitė', 'ONA@tapas.lt');
    INSERT INTO label (id, name) VALUES (93014001, 'VIP 9301'), (93014002, 'Statyba 9301');
    INSERT INTO client_label (client_id, label_id) VALUES (93010002, 93014001), (93010003, 93014001), (93010004, 93014002);
    INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES (93015001, 93010003, 'sale', 'TAP-1', '2026-11-02');
    INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (93015001, 100, 21);
    UPDATE invoice SET status = 'posted' WHERE id = 93015001;
    INSERT INTO payment (id, client_id, direction, amount, payment_date, reference)
    VALUES (93016001, 93010004, 'out', 50, '2026-11-03', 'TAP-PAY-1')
$$, 'tenant 9301: own company, a survivor, two duplicates with children, documents, a client with another code');

-- a user table outside the extension: composite key to clients, a unique key per client
CREATE TABLE public.tap_merge_card (
    id integer PRIMARY KEY,
    tenant_id integer NOT NULL,
    client_id bigint NOT NULL,
    card_no text NOT NULL,
    points integer NOT NULL,
    FOREIGN KEY (tenant_id, client_id) REFERENCES client_registry.client (tenant_id, id),
    UNIQUE (client_id, card_no)
);
CREATE INDEX ON public.tap_merge_card (client_id);
INSERT INTO public.tap_merge_card VALUES
    (1, 9301, 93010002, 'C-1', 10), (2, 9301, 93010003, 'C-1', 11), (3, 9301, 93010004, 'C-2', 5);

SET LOCAL client_registry.tenant = 9302;
SELECT lives_ok($$
    INSERT INTO client (id, kind, name, company_code) VALUES (93020001, 'own_company', 'UAB Savas 9302', '110003978');
    INSERT INTO client (id, kind, name) VALUES (93020002, 'buyer', 'UAB „Tapas“ kitur'), (93020003, 'buyer', 'Tapas kitur')
$$, 'tenant 9302: own company and two clients');
SELECT lives_ok($$ SELECT merge_clients(93020002, 93020003) $$, 'tenant 9302 merges its own duplicate (as the owner)');
SET LOCAL client_registry.tenant = 9301;

-- md5 of every row of tenant 9301 that a merge may touch
CREATE FUNCTION pg_temp.rows_md5() RETURNS TABLE (tab text, h text) LANGUAGE sql AS $$
    SELECT 'client', md5(string_agg(t::text, '|' ORDER BY id)) FROM client_registry.client t WHERE tenant_id = 9301
    UNION ALL SELECT 'client_address', md5(string_agg(t::text, '|' ORDER BY id)) FROM client_registry.client_address t WHERE tenant_id = 9301
    UNION ALL SELECT 'client_bank_account', md5(string_agg(t::text, '|' ORDER BY id)) FROM client_registry.client_bank_account t WHERE tenant_id = 9301
    UNION ALL SELECT 'client_contact', md5(string_agg(t::text, '|' ORDER BY id)) FROM client_registry.client_contact t WHERE tenant_id = 9301
    UNION ALL SELECT 'client_label', md5(string_agg(t::text, '|' ORDER BY client_id, label_id)) FROM client_registry.client_label t WHERE tenant_id = 9301
    UNION ALL SELECT 'invoice', md5(string_agg(t::text, '|' ORDER BY id)) FROM client_registry.invoice t WHERE tenant_id = 9301
    UNION ALL SELECT 'payment', md5(string_agg(t::text, '|' ORDER BY id)) FROM client_registry.payment t WHERE tenant_id = 9301
    UNION ALL SELECT 'tap_merge_card', md5(string_agg(t::text, '|' ORDER BY id)) FROM public.tap_merge_card t WHERE tenant_id = 9301
    UNION ALL SELECT 'client_balance (non-zero)', md5(string_agg(t::text, '|' ORDER BY client_id)) FROM client_registry.client_balance t
     WHERE tenant_id = 9301 AND (receivable <> 0 OR payable <> 0)
    UNION ALL SELECT 'client_merge', count(*)::text FROM client_registry.client_merge WHERE tenant_id = 9301
$$;
CREATE TEMP TABLE tap_before AS SELECT * FROM pg_temp.rows_md5();
CREATE TEMP TABLE tap_merge_ids (what text PRIMARY KEY, id bigint);

-------------------------------------------------------------------------------
-- SQLSTATE contracts
-------------------------------------------------------------------------------
SELECT throws_ok($$ SELECT merge_clients(93010002, 93019999) $$, 'R2400', NULL,
                 'an unknown merged client: R2400');
SELECT throws_ok($$ SELECT merge_clients(93019999, 93010003) $$, 'R2400', NULL,
                 'an unknown survivor: R2400');
SELECT throws_ok($$ SELECT unmerge(93019999) $$, 'R2400', NULL, 'an unknown merge: R2400');
SELECT throws_ok($$ SELECT merge_clients(93010002, 93020002) $$, 'R2402', NULL,
                 'a client of another tenant (the owner sees both): R2402');
SELECT throws_ok($$ SELECT merge_clients(93010002, 93010001) $$, 'R2403', NULL,
                 'merging the own company away: R2403');
SELECT throws_ok($$ SELECT merge_clients(93010002, 93010002) $$, 'R2404', NULL,
                 'a client merged into itself: R2404');
SELECT throws_ok($$ SELECT merge_clients(93010002, 93010003, 93010003) $$, 'R2404', NULL,
                 'a client listed twice: R2404');
SELECT throws_ok($$ SELECT merge_clients(93010002, 93010005) $$, 'R2405', NULL,
                 'two different valid company codes without force: R2405');
SELECT throws_ok($$ SELECT merge_clients(93010002, ARRAY[93010005], false) $$, 'R2405', NULL,
                 'force => false is the same: R2405');
SELECT throws_ok($$ SELECT merge_clients(93010002, VARIADIC ARRAY[]::bigint[]) $$, '22023', NULL,
                 'an empty list of clients to merge: 22023');
SELECT throws_ok($$ SELECT merge_clients(93010002, ARRAY[93010003, NULL], false) $$, '22004', NULL,
                 'a NULL in the list: 22004');
SELECT is(merge_clients(NULL, 93010003), NULL, 'merge_clients is STRICT: a NULL survivor merges nothing');
SELECT throws_ok($$ SELECT merge_clients(93010002, 93010003, 93010004) $$, 'R2401',
                 'client 93010003 cannot be merged into client 93010002: a row of public.tap_merge_card would clash on tap_merge_card_client_id_card_no_key',
                 'two differing rows under a unique key of a user table: R2401, naming the table and the constraint');
SELECT results_eq($$ SELECT tab, h FROM pg_temp.rows_md5() ORDER BY 1 $$, $$ SELECT tab, h FROM tap_before ORDER BY 1 $$,
                  'the refused merges changed nothing');

-------------------------------------------------------------------------------
-- merge_preview changes nothing
-------------------------------------------------------------------------------
SELECT results_eq($$
    SELECT action, table_name, constraint_name, from_client FROM merge_preview(93010002, 93010003, 93010004)
     WHERE action = 'conflict' $$,
    $$ VALUES ('conflict'::text, 'public.tap_merge_card'::text, 'tap_merge_card_client_id_card_no_key'::text, 93010003::bigint) $$,
    'merge_preview lists the conflict with table, constraint and client instead of raising');
SELECT results_eq($$ SELECT action, from_client FROM merge_preview(93010002, 93010001)
                      WHERE action = 'obstacle' AND detail LIKE '%own company%' $$,
                  $$ VALUES ('obstacle'::text, 93010001::bigint) $$,
                  'merge_preview lists an obstacle (the own company) instead of raising');
SELECT results_eq($$ SELECT tab, h FROM pg_temp.rows_md5() ORDER BY 1 $$, $$ SELECT tab, h FROM tap_before ORDER BY 1 $$,
                  'merge_preview changed nothing (every row of the tenant, no journal row)');

UPDATE public.tap_merge_card SET points = 10 WHERE id = 2;    -- now the same card: folded
DELETE FROM tap_before;
INSERT INTO tap_before SELECT * FROM pg_temp.rows_md5();

SELECT ok((SELECT count(*) FROM merge_preview(93010002, 93010003, 93010004)) > 0, 'merge_preview lists the steps');
SELECT results_eq($$ SELECT action, count(*) FROM merge_preview(93010002, 93010003, 93010004)
                      WHERE action IN ('conflict', 'obstacle') GROUP BY 1 $$,
                  $$ SELECT NULL::text, NULL::bigint WHERE false $$,
                  'merge_preview: no conflict and no obstacle once the cards are the same');
SELECT results_eq($$ SELECT tab, h FROM pg_temp.rows_md5() ORDER BY 1 $$, $$ SELECT tab, h FROM tap_before ORDER BY 1 $$,
                  'merge_preview of a merge that would succeed changed nothing');

-------------------------------------------------------------------------------
-- merge, then unmerge: every row as before
-------------------------------------------------------------------------------
SELECT lives_ok($$ INSERT INTO tap_merge_ids SELECT 'first', merge_clients(93010002, 93010003, 93010004) $$,
                'merge_clients(93010002, 93010003, 93010004) succeeds');
SELECT is((SELECT count(*)::int FROM client WHERE id IN (93010003, 93010004)), 0, 'the merged clients are gone');
SELECT results_eq($$ SELECT survivor_id, merged_ids, forced, merged_names, undone_at IS NULL
                       FROM client_merge_history WHERE merge_id = (SELECT id FROM tap_merge_ids WHERE what = 'first') $$,
                  $$ VALUES (93010002::bigint, ARRAY[93010003, 93010004]::bigint[], false, ARRAY['Tapas, UAB', 'TAPAS'], true) $$,
                  'client_merge_history: survivor, merged ids and their names, not forced, standing');
SELECT results_eq($$ SELECT DISTINCT tenant_id, merged_by, merged_role FROM client_merge
                      WHERE id = (SELECT id FROM tap_merge_ids WHERE what = 'first') $$,
                  $$ VALUES (9301, session_user::text COLLATE "default", current_user::text COLLATE "default") $$,
                  'the journal records tenant, session user and role');
SELECT is((SELECT count(*)::int FROM client_merge_step WHERE merge_id = (SELECT id FROM tap_merge_ids WHERE what = 'first')
             AND reason = 'merged client' AND action = 'delete' AND jsonb_array_length(row_images) = 1),
          2, 'the journal keeps the full row of each merged client');
SELECT results_eq($$ SELECT id, client_id FROM public.tap_merge_card ORDER BY id $$,
                  $$ VALUES (1, 93010002::bigint), (3, 93010002::bigint) $$,
                  'the user table: the identical card folded into the survivor''s, the other re-pointed');
SELECT results_eq($$ SELECT tab, h FROM pg_temp.rows_md5() WHERE tab = 'client_merge' $$,
                  $$ SELECT tab, (h::int + 1)::text FROM tap_before WHERE tab = 'client_merge' $$,
                  'one journal row more');

SELECT ok((SELECT unmerge(id) FROM tap_merge_ids WHERE what = 'first') > 0, 'unmerge puts the rows back');
SELECT is((SELECT h FROM pg_temp.rows_md5() WHERE tab = 'client'), (SELECT h FROM tap_before WHERE tab = 'client'),
          'after unmerge: every client row is exactly as before (md5)');
SELECT is((SELECT h FROM pg_temp.rows_md5() WHERE tab = 'client_address'), (SELECT h FROM tap_before WHERE tab = 'client_address'),
          'after unmerge: client_address as before (md5; folded address and primaries included)');
SELECT is((SELECT h FROM pg_temp.rows_md5() WHERE tab = 'client_bank_account'), (SELECT h FROM tap_before WHERE tab = 'client_bank_account'),
          'after unmerge: client_bank_account as before (md5; the folded IBAN back)');
SELECT is((SELECT h FROM pg_temp.rows_md5() WHERE tab = 'client_contact'), (SELECT h FROM tap_before WHERE tab = 'client_contact'),
          'after unmerge: client_contact as before (md5)');
SELECT is((SELECT h FROM pg_temp.rows_md5() WHERE tab = 'client_label'), (SELECT h FROM tap_before WHERE tab = 'client_label'),
          'after unmerge: client_label as before (md5)');
SELECT is((SELECT h FROM pg_temp.rows_md5() WHERE tab = 'invoice'), (SELECT h FROM tap_before WHERE tab = 'invoice'),
          'after unmerge: invoices as before (md5; the posted invoice back on its client)');
SELECT is((SELECT h FROM pg_temp.rows_md5() WHERE tab = 'payment'), (SELECT h FROM tap_before WHERE tab = 'payment'),
          'after unmerge: payments as before (md5)');
SELECT is((SELECT h FROM pg_temp.rows_md5() WHERE tab = 'tap_merge_card'), (SELECT h FROM tap_before WHERE tab = 'tap_merge_card'),
          'after unmerge: the user table as before (md5; the folded card back)');
SELECT is((SELECT h FROM pg_temp.rows_md5() WHERE tab = 'client_balance (non-zero)'),
          (SELECT h FROM tap_before WHERE tab = 'client_balance (non-zero)'),
          'after unmerge: the balances as before');
SELECT is_empty($$ SELECT * FROM balance_discrepancies() $$, 'balance_discrepancies() finds nothing after unmerge');
SELECT ok((SELECT undone_at IS NOT NULL AND undone_by = session_user FROM client_merge
            WHERE id = (SELECT id FROM tap_merge_ids WHERE what = 'first')), 'the journal says the merge was undone, and by whom');
SELECT throws_ok($$ SELECT unmerge(id) FROM tap_merge_ids WHERE what = 'first' $$, '55000', NULL,
                 'unmerge of a merge already undone: 55000');

-- unmerge refuses once a row the merge moved has changed
SELECT lives_ok($$ INSERT INTO tap_merge_ids SELECT 'second', merge_clients(93010002, 93010004) $$,
                'merge_clients(93010002, 93010004) succeeds');
UPDATE client_address SET city = 'Kaunas m.' WHERE id = 93011004;
SELECT throws_ok($$ SELECT unmerge(id) FROM tap_merge_ids WHERE what = 'second' $$, 'R2406', NULL,
                 'unmerge after a change to a moved row: R2406');
SELECT is((SELECT count(*)::int FROM client WHERE id = 93010004), 0, 'the refused unmerge changed nothing');

-- force
SELECT lives_ok($$ INSERT INTO tap_merge_ids SELECT 'forced', merge_clients(93010002, ARRAY[93010005], force => true) $$,
                'merge_clients(..., force => true) merges two different valid company codes');
SELECT results_eq($$ SELECT c.company_code COLLATE "default", m.forced FROM client c, client_merge m
                      WHERE c.id = 93010002 AND m.id = (SELECT id FROM tap_merge_ids WHERE what = 'forced') $$,
                  $$ VALUES ('188772433'::text, true) $$,
                  'the survivor keeps its code; the journal says forced');

-------------------------------------------------------------------------------
-- Roles: per the recipe a DBA role gets EXECUTE; RLS keeps it in its tenant
-------------------------------------------------------------------------------
CREATE ROLE tap_cr_merger NOLOGIN;
CREATE ROLE tap_cr_plain NOLOGIN;
DO $$ BEGIN PERFORM client_registry.grant_all_tenants('tap_cr_merger'); END $$;   -- 0.4.0: a member of every tenant it sets
DO $$ BEGIN PERFORM client_registry.grant_all_tenants('tap_cr_plain'); END $$;   -- 0.4.0: a member of every tenant it sets
GRANT USAGE ON SCHEMA client_registry TO tap_cr_merger, tap_cr_plain;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA client_registry TO tap_cr_merger, tap_cr_plain;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA client_registry TO tap_cr_merger, tap_cr_plain;
GRANT EXECUTE ON FUNCTION client_registry.merge_clients(bigint, bigint[]),
    client_registry.merge_clients(bigint, bigint[], boolean),
    client_registry.merge_preview(bigint, bigint[]), client_registry.merge_preview(bigint, bigint[], boolean),
    client_registry.unmerge(bigint) TO tap_cr_merger;
-- a merge re-points the user's tables too: the role needs rights on them
GRANT SELECT, UPDATE, DELETE, INSERT ON public.tap_merge_card TO tap_cr_merger;
GRANT SELECT, INSERT ON tap_merge_ids TO tap_cr_merger;
INSERT INTO tap_merge_ids SELECT 'tenant 9302', id FROM client_merge WHERE tenant_id = 9302;

SET LOCAL client_registry.tenant = 9301;
SET ROLE tap_cr_plain;
SELECT throws_ok($$ SELECT client_registry.merge_clients(93010002, 93010003) $$, '42501', NULL,
                 'a role with the application''s table rights but no EXECUTE grant cannot merge (42501)');
SELECT throws_ok($$ SELECT * FROM client_registry.merge_preview(93010002, 93010003) $$, '42501', NULL,
                 'nor preview (42501)');
SELECT throws_ok($$ SELECT client_registry.unmerge(1) $$, '42501', NULL, 'nor unmerge (42501)');
RESET ROLE;

SET ROLE tap_cr_merger;
SELECT is(current_user::text, 'tap_cr_merger', 'running as the merging role');
SELECT results_eq($$ SELECT DISTINCT tenant_id FROM client_registry.client_merge $$, ARRAY[9301],
                  'the role sees only its tenant''s merges');
SELECT results_eq($$ SELECT DISTINCT tenant_id FROM client_registry.client_merge_step $$, ARRAY[9301],
                  'the role sees only its tenant''s journal steps');
SELECT results_eq($$ SELECT DISTINCT tenant_id FROM client_registry.client_merge_history $$, ARRAY[9301],
                  'client_merge_history (security_invoker) shows only the role''s tenant');
SELECT is_empty($$ SELECT 1 FROM client_registry.duplicate_candidates WHERE tenant_id <> 9301 $$,
                'duplicate_candidates (security_invoker) shows only the role''s tenant');
SELECT throws_ok($$ SELECT client_registry.merge_clients(93010002, 93020002) $$, 'R2400', NULL,
                 'the role cannot merge a client of another tenant: it is invisible (R2400)');
SELECT throws_ok($$ SELECT client_registry.merge_clients(93020002, 93010002) $$, 'R2400', NULL,
                 'nor merge into a client of another tenant (R2400)');
SELECT throws_ok($$ SELECT client_registry.unmerge(id) FROM tap_merge_ids WHERE what = 'tenant 9302' $$, 'R2400', NULL,
                 'the role cannot undo another tenant''s merge: it is invisible (R2400)');
SELECT lives_ok($$
    INSERT INTO client_registry.client (id, kind, name, sales_tax_category) VALUES (93010006, 'buyer', 'Tapas (importas)', 'PVM1');
    INSERT INTO client_registry.client_address (client_id, street, city) VALUES (93010006, 'Pylimo g. 4', 'Vilnius');
    INSERT INTO public.tap_merge_card VALUES (4, 9301, 93010006, 'C-9', 1)
$$, 'the role adds a duplicate with an address and a card');
SELECT results_eq($$ SELECT action, table_name, row_count FROM client_registry.merge_preview(93010002, 93010006)
                      WHERE action = 're-point' ORDER BY table_name $$,
                  $$ VALUES ('re-point'::text, 'client_registry.client_address'::text, 1::bigint),
                            ('re-point', 'public.tap_merge_card', 1) $$,
                  'the role can preview: one address and one card to re-point');
SELECT lives_ok($$ INSERT INTO tap_merge_ids SELECT 'by role', client_registry.merge_clients(93010002, 93010006) $$,
                'the role granted EXECUTE merges a duplicate of its tenant');
SELECT results_eq($$ SELECT merged_by, merged_role FROM client_registry.client_merge
                      WHERE id = (SELECT id FROM tap_merge_ids WHERE what = 'by role') $$,
                  $$ VALUES (session_user::text COLLATE "default", 'tap_cr_merger'::text) $$,
                  'the journal records the role that merged');
SELECT ok((SELECT client_registry.unmerge(id) FROM tap_merge_ids WHERE what = 'by role') > 0,
          'the role can undo its merge');
SELECT is((SELECT client_id FROM public.tap_merge_card WHERE id = 4), 93010006::bigint,
          'after the role''s unmerge the card is back on the duplicate');
RESET ROLE;

SET LOCAL client_registry.tenant = 9302;
SELECT results_eq($$ SELECT count(*)::int, bool_and(undone_at IS NULL) FROM client_merge WHERE tenant_id = 9302 $$,
                  $$ VALUES (1, true) $$, 'tenant 9302''s merge was not touched by the role');
SELECT is((SELECT count(*)::int FROM client WHERE tenant_id = 9302), 2, 'tenant 9302 still has its two clients');

SELECT * FROM finish();
ROLLBACK;
