-- pgTAP contract of duplicate detection (0.4.0, issue #14): shapes of the
-- queue and the per-card checks, who may call them (granted one by one),
-- the "not duplicates" table (tenant policy, dumped, at least two clients),
-- the rules' pure functions, and what a role granted the queue sees.
--
-- Roles (created in this transaction, removed by the ROLLBACK):
--   tap_dup_dba   member of tenant 9941, granted the queue and the marks
--   tap_dup_app   member of tenant 9941, the tables only: no queue
-- Tenants: 9941, 9942.
BEGIN;
SET search_path = client_registry, public;

SELECT plan(34);

-------------------------------------------------------------------------------
-- Shapes
-------------------------------------------------------------------------------
SELECT has_table('client_registry', 'client_not_duplicate', 'client_not_duplicate exists');
SELECT columns_are('client_registry', 'client_not_duplicate',
                   ARRAY['tenant_id', 'id', 'client_ids', 'note', 'marked_at', 'marked_by'],
                   'client_not_duplicate has its columns');
SELECT col_is_pk('client_registry', 'client_not_duplicate', ARRAY['tenant_id', 'id']::name[],
                 'client_not_duplicate: primary key (tenant_id, id)');
SELECT policies_are('client_registry', 'client_not_duplicate', ARRAY['tenant_isolation'],
                    'client_not_duplicate: the tenant policy');
SELECT ok((SELECT extconfig @> ARRAY['client_registry.client_not_duplicate'::regclass::oid]
             FROM pg_extension WHERE extname = 'client_registry'), 'client_not_duplicate is dumped');
SELECT has_function('client_registry', f, args, format('function %s exists', f))
  FROM (VALUES ('duplicate_clusters', ARRAY['real']), ('client_duplicates', ARRAY['bigint', 'real']),
               ('card_duplicates', ARRAY['text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'real']),
               ('client_name_keys', ARRAY['text']),
               ('mark_not_duplicates', ARRAY['bigint[]', 'text']), ('unmark_not_duplicates', ARRAY['bigint']),
               ('client_name_parts', ARRAY['text']), ('phone_key', ARRAY['text'])) v(f, args);
SELECT volatility_is('client_registry', f, ARRAY['text'], 'immutable', f || ' is IMMUTABLE (an index expression)')
  FROM unnest(ARRAY['client_name_parts', 'phone_key', 'client_name_keys']) f;
SELECT has_index('client_registry', 'client', 'client_phone_key_idx', 'phone numbers are indexed by phone_key');
SELECT has_index('client_registry', 'client', 'client_name_keys_idx', 'names are indexed by client_name_keys');
SELECT has_index('client_registry', 'client', 'client_email_key_idx', 'e-mail addresses are indexed for the per-card check');
SELECT is((SELECT array_agg(DISTINCT c ORDER BY c) FROM pg_proc p, unnest(p.proconfig) c
            WHERE p.oid IN ('client_registry.client_duplicates(bigint, real)'::regprocedure,
                            'client_registry.card_duplicates(text, text, text, text, text, text, text, text, text, real)'::regprocedure)),
          ARRAY['max_parallel_workers_per_gather=0'], 'the per-card checks never start parallel workers');

-------------------------------------------------------------------------------
-- Privileges: the queue and the checks read every card of the tenant
-------------------------------------------------------------------------------
SELECT function_privs_are('client_registry', f, args, 'public', ARRAY[]::text[], format('PUBLIC cannot execute %s', f))
  FROM (VALUES ('duplicate_clusters', ARRAY['real']), ('client_duplicates', ARRAY['bigint', 'real']),
               ('card_duplicates', ARRAY['text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'real']),
               ('mark_not_duplicates', ARRAY['bigint[]', 'text']), ('unmark_not_duplicates', ARRAY['bigint'])) v(f, args);

-------------------------------------------------------------------------------
-- Behaviour
-------------------------------------------------------------------------------
CREATE ROLE tap_dup_dba;
CREATE ROLE tap_dup_app;
DO $$ BEGIN
    PERFORM client_registry.grant_tenant(9941, 'tap_dup_dba');
    PERFORM client_registry.grant_tenant(9941, 'tap_dup_app');
END $$;
GRANT USAGE ON SCHEMA client_registry TO tap_dup_dba, tap_dup_app;
GRANT SELECT ON client_registry.client, client_registry.client_bank_account TO tap_dup_dba, tap_dup_app;
GRANT SELECT, INSERT, DELETE ON client_registry.client_not_duplicate TO tap_dup_dba;
GRANT SELECT ON client_registry.client_merge TO tap_dup_dba;
GRANT EXECUTE ON FUNCTION client_registry.duplicate_clusters(real), client_registry.client_duplicates(bigint, real),
    client_registry.card_duplicates(text, text, text, text, text, text, text, text, text, real),
    client_registry.mark_not_duplicates(bigint[], text), client_registry.unmark_not_duplicates(bigint) TO tap_dup_dba;

SET client_registry.tenant = 9941;
INSERT INTO client (id, kind, name, company_code) VALUES (994100, 'own_company', 'UAB Tapas', '110003978');
INSERT INTO client (id, kind, name, vat_code, sales_tax_category) VALUES
    (994101, 'buyer', 'UAB Dvynys', 'LT119511515', 'PVM1'), (994102, 'buyer', 'Dvynys, UAB', 'LT119511515', 'PVM1');
SET client_registry.tenant = 9942;
INSERT INTO client (id, kind, name, company_code) VALUES (994200, 'own_company', 'UAB Tapas kitas', '110003978');
INSERT INTO client (id, kind, name, vat_code, sales_tax_category) VALUES
    (994201, 'buyer', 'UAB Dvynys', 'LT119511515', 'PVM1');

SET ROLE tap_dup_dba;
SET client_registry.tenant = 9941;
SELECT results_eq($$ SELECT client_ids, strength FROM client_registry.duplicate_clusters() $$,
                  $$ VALUES (ARRAY[994101, 994102]::bigint[], 'strong'::text) $$,
                  'the queue of a granted member: its tenant''s group');
SELECT results_eq($$ SELECT duplicate_id FROM client_registry.client_duplicates(994101) $$,
                  $$ VALUES (994102::bigint) $$, 'client_duplicates of a granted member');
SELECT results_eq($$ SELECT duplicate_id FROM client_registry.card_duplicates('UAB Dvynys', vat_code => 'LT119511515') ORDER BY 1 $$,
                  $$ VALUES (994101::bigint), (994102::bigint) $$, 'card_duplicates sees only the member''s tenant');
SELECT lives_ok($$ SELECT client_registry.mark_not_duplicates(ARRAY[994102, 994101]) $$, 'a granted member marks');
SELECT is((SELECT client_ids FROM client_registry.client_not_duplicate), ARRAY[994101, 994102]::bigint[],
          'a mark keeps its clients lowest id first');
SELECT is_empty($$ SELECT * FROM client_registry.duplicate_clusters() $$, 'a marked group is not proposed again');
SELECT throws_ok($$ SELECT * FROM client_registry.client_duplicates(994201) $$, 'R2400', NULL,
                 'another tenant''s client is not visible');
RESET ROLE;

SET ROLE tap_dup_app;
SELECT throws_ok($$ SELECT * FROM client_registry.duplicate_clusters() $$, '42501', NULL,
                 'a role without the grant cannot read the queue');
RESET ROLE;
SELECT throws_ok($$ INSERT INTO client_registry.client_not_duplicate (tenant_id, client_ids) VALUES (9941, ARRAY[994101]) $$,
                 '23514', NULL, 'a mark needs at least two clients');

SELECT * FROM finish();
ROLLBACK;
