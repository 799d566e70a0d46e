-- pgTAP contract of typo-tolerant search (0.4.0, issue #14): the search
-- dictionary's shape, privileges and tenant boundary; the matching rules
-- (one typo for 5+ letters, two for 9+, exact and prefix above typos); the
-- plan of search_clients() pinned (generic, never parallel); the fragment
-- step's name-order index, candidates and kinds of match.
--
-- Roles (created in this transaction, removed by the ROLLBACK):
--   tap_sw_app   the application's grants (tables, search_clients)
-- Tenants: 9141, 9142.
BEGIN;
SET search_path = client_registry, public;

SELECT plan(52);

-------------------------------------------------------------------------------
-- Shapes
-------------------------------------------------------------------------------
SELECT has_table('client_registry', 'search_word', 'search_word exists');
SELECT columns_are('client_registry', 'search_word', ARRAY['tenant_id', 'id', 'word', 'key'], 'search_word has its columns');
SELECT col_is_pk('client_registry', 'search_word', ARRAY['tenant_id', 'id']::name[], 'search_word: primary key (tenant_id, id)');
SELECT fk_ok('client_registry', 'search_word', ARRAY['tenant_id']::name[], 'client_registry', 'tenant', ARRAY['id']::name[],
             'search_word(tenant_id) references tenant(id)');
SELECT has_index('client_registry', 'search_word', 'search_word_key_idx', 'search_word: b-tree of the keys');
SELECT index_is_unique('client_registry', 'search_word', 'search_word_word_key', 'search_word: a word once per tenant (unique)');
SELECT hasnt_index('client_registry', 'search_word', 'search_word_trgm_idx', 'search_word: no trigram index (two typos are found in the session''s copy of the words)');
SELECT has_index('client_registry', 'client', 'client_search_words_idx', 'client: GIN index of the words of the card');
SELECT policies_are('client_registry', 'search_word', ARRAY['tenant_isolation'], 'search_word: the tenant policy');
SELECT ok((SELECT extconfig @> ARRAY['client_registry.search_word'::regclass::oid] FROM pg_extension WHERE extname = 'client_registry'),
          'search_word is dumped');
SELECT triggers_are('client_registry', 'client',
                    ARRAY(SELECT tgname::text FROM pg_trigger WHERE tgrelid = 'client_registry.client'::regclass AND NOT tgisinternal
                           AND tgname NOT LIKE '%search_words%')
                    || ARRAY['client_92_search_words_insert', 'client_92_search_words_update', 'client_93_search_words_forget'],
                    'client keeps the dictionary by three triggers');
SELECT has_trigger('client_registry', 'client_contact', t, 'client_contact: ' || t)
  FROM unnest(ARRAY['client_contact_92_search_words_insert', 'client_contact_92_search_words_update',
                    'client_contact_93_search_words_forget']) AS t;

-------------------------------------------------------------------------------
-- Privileges: the pure functions are PUBLIC's (index expressions), the
-- dictionary's writers are not
-------------------------------------------------------------------------------
SELECT function_privs_are('client_registry', f, args, 'public', ARRAY[]::text[], format('PUBLIC cannot execute %s', f))
  FROM (VALUES ('rebuild_search_words', ARRAY[]::text[]), ('search_words_after_write', ARRAY[]::text[]),
               ('search_words_forget', ARRAY[]::text[])) v(f, args);
SELECT is(p.provolatile::text, 'i', p.proname || ' is IMMUTABLE')
  FROM pg_proc p
 WHERE p.pronamespace = 'client_registry'::regnamespace
   AND p.proname IN ('search_words', 'search_dictionary_words', 'search_word_keys', 'search_query_words',
                     'search_query_keys', 'search_word_matches', 'search_word_score')
 ORDER BY p.proname;
SELECT ok(has_function_privilege('public', 'client_registry.search_words(text, text, text, text)', 'EXECUTE'),
          'PUBLIC can execute search_words (an INSERT evaluates the index expression as the writer)');
SELECT is((SELECT provolatile::text FROM pg_proc WHERE oid = 'client_registry.search_typo_words(text[])'::regprocedure), 's',
          'search_typo_words is STABLE (it reads the dictionary, with the caller''s rights)');

-------------------------------------------------------------------------------
-- Matching rules
-------------------------------------------------------------------------------
SELECT is(search_word_matches('prekiba', '{prekyba}', true), '{prekyba}', 'one typo in 5+ letters');
SELECT is(search_word_matches('nams', '{namas}', true), '{}', 'no typo under 5 letters');
SELECT is(search_word_matches('wrablevski', '{wroblewski}', true), '{wroblewski}', 'two typos in 9+ letters');
SELECT is(search_word_matches('prakkiba', '{prekyba}', true), '{}', 'two typos not in 8 letters');
SELECT is(search_word_matches('prkeyba', '{prekyba}', true), '{prekyba}', 'a swap of neighbours is one typo');
SELECT is(search_word_matches('lt1234', '{lt1235}', true), '{}', 'no typos in words with digits');
SELECT ok(search_word_score('{prekyba}', '{prekyba}') > search_word_score('{prek}', '{prekyba}')
          AND search_word_score('{prek}', '{prekyba}') > search_word_score('{prekiba}', '{prekyba}'),
          'exact above prefix above typo');

-------------------------------------------------------------------------------
-- Tenant boundary and the application role
-------------------------------------------------------------------------------
INSERT INTO tenant (id, name) VALUES (9141, 'TAP search 1'), (9142, 'TAP search 2');
SET LOCAL client_registry.tenant = 9141;
INSERT INTO client (id, kind, name, company_code) VALUES (914100, 'own_company', 'UAB Paieška', '110003978');
INSERT INTO client (id, kind, name) VALUES (914101, 'buyer', 'UAB Žalgirio prekyba');
SET LOCAL client_registry.tenant = 9142;
INSERT INTO client (id, kind, name, company_code) VALUES (914200, 'own_company', 'UAB Kita', '110003978');
INSERT INTO client (id, kind, name) VALUES (914201, 'buyer', 'UAB Kauno prekyba');

CREATE ROLE tap_sw_app NOLOGIN;
GRANT USAGE ON SCHEMA client_registry TO tap_sw_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA client_registry TO tap_sw_app;
GRANT EXECUTE ON FUNCTION search_clients(text, boolean, integer) TO tap_sw_app;
SELECT grant_tenant(9141, 'tap_sw_app');
SET LOCAL ROLE tap_sw_app;
SET LOCAL client_registry.tenant = 9141;
SELECT results_eq($$SELECT client_id, matched_on, score FROM search_clients('zalgiro prekiba')$$,
                  $$VALUES (914101::bigint, 'card'::text, 0.6::real)$$,
                  'the application finds a card with two typos');
SELECT is_empty($$SELECT 1 FROM search_clients('kauno')$$, 'another tenant''s card is not found');
SELECT is((SELECT count(*) FROM search_word WHERE tenant_id <> 9141), 0::bigint, 'another tenant''s words are not read');
SELECT lives_ok($$INSERT INTO client (id, kind, name) VALUES (914102, 'buyer', 'UAB Debesynas')$$,
                'the application adds a card: its words join the dictionary as the owner');
SELECT is((SELECT count(*) FROM search_word WHERE word = 'debesynas' AND key = word), 1::bigint, 'the new word is in the dictionary');
SELECT throws_ok($$SELECT rebuild_search_words()$$, '42501', NULL, 'the application cannot rebuild the dictionary unless granted');
SELECT throws_ok($$INSERT INTO search_word (tenant_id, word, key) VALUES (9142, 'x', 'x')$$, '42501', NULL,
                 'the application cannot write another tenant''s words');
RESET ROLE;

-------------------------------------------------------------------------------
-- search_clients keeps its plan settings (issue #14: never parallel)
-------------------------------------------------------------------------------
SELECT ok((SELECT proconfig @> ARRAY['plan_cache_mode=force_generic_plan', 'max_parallel_workers_per_gather=0']
             FROM pg_proc WHERE oid = 'client_registry.search_clients(text, boolean, integer)'::regprocedure),
          'search_clients: generic plans, no parallel workers');

-------------------------------------------------------------------------------
-- The fragment step in name order (src/search_fragment.c)
-------------------------------------------------------------------------------
SELECT has_index('client_registry', 'client', 'client_name_order_idx', ARRAY['tenant_id', 'name', 'id'],
                 'client: b-tree of the cards in name order (tenant_id, name, id)');
SELECT is((SELECT provolatile::text FROM pg_proc WHERE oid = 'client_registry.search_name_order_candidates(text[], integer)'::regprocedure),
          's', 'search_name_order_candidates is STABLE');
SELECT ok(has_function_privilege('public', 'client_registry.search_name_order_candidates(text[], integer)', 'EXECUTE'),
          'PUBLIC can execute search_name_order_candidates (the current tenant''s cards, only for a role that may SELECT them)');
SELECT is((SELECT provolatile::text FROM pg_proc
            WHERE oid = 'client_registry.search_fragment_score(text, boolean, text, text, text)'::regprocedure),
          'i', 'search_fragment_score is IMMUTABLE');
SELECT is(search_fragment_score('uab auzitas', false, '%auzit%', '% auzit%', NULL), 0.9::real, 'the query at the start of a word: 0.9');
SELECT is(search_fragment_score('uab kauzitas', false, '%auzit%', '% auzit%', NULL), 0.8::real, 'inside a word: 0.8');
SELECT is(search_fragment_score('uab kauzitas', true, '%auzit%', '% auzit%', NULL), 1.0::real, 'the card''s code: 1');
SELECT is(search_fragment_score('uab kitas', false, '%auzit%', '% auzit%', NULL), 0::real, 'no match: 0');
SELECT is(current_setting('client_registry.search_name_walk_min'), '500', 'search_name_walk_min: 500 by default');
SET LOCAL client_registry.tenant = 9141;
SET LOCAL client_registry.search_name_walk_min = 0;
SELECT results_eq($$SELECT client_ids, complete FROM search_name_order_candidates(ARRAY['%prekyb%'], 5)$$,
                  $$VALUES ('{914101}'::bigint[], true)$$,
                  'the candidates of the current tenant only');
SELECT results_eq($$SELECT client_id, matched_on, score FROM search_clients('lgiri')$$, $$VALUES (914101::bigint, 'card'::text, 0.8::real)$$,
                  'a fragment inside a word: 0.8');

SELECT * FROM finish();
ROLLBACK;
