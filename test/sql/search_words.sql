-- 0.4.0 (issue #14): typo-tolerant search.  Each query word matched on its
-- own: exactly, as a prefix, or with one typo (5+ letters) or two (9+);
-- exact and prefix matches rank above typo matches; the tenant's dictionary
-- of words (search_word) kept by triggers.  Tenants 183 and 184 (180-182 are
-- personal_data's, register_countries' and vies'), clients 18400-18499.
SET search_path = client_registry, public;
\set VERBOSITY terse
\set SHOW_CONTEXT never

-- The words of a card: folded (Lithuanian, Latvian, Polish letters), split
-- on everything but letters and digits, neighbours glued.
SELECT search_words('UAB „Žalgirio prekyba“', 'Žalgiris', NULL, NULL);
SELECT search_words('SIA "Rīgas Ūdens"', NULL, 'Ģirts', 'Ķēniņš');
SELECT search_words('Łukasz Wróblewski sp. z o.o.', NULL, NULL, NULL);
SELECT search_dictionary_words('UAB „Žalgirio prekyba“', 'Žalgiris', NULL, NULL);
SELECT search_words(NULL, NULL, NULL, NULL), search_dictionary_words('', '--', NULL, NULL);
-- the query: legal-form words left out when there are others, at most 6 words
SELECT search_query_words('UAB Žalgirio prekyba'), search_query_words('UAB'), search_query_words('a b c d e f g h');
-- deletion keys: the word, and for 5+ letters each letter left out; none
-- for short words or words with digits
SELECT search_word_keys('namas'), search_word_keys('nam'), search_word_keys('lt123');
SELECT cardinality(search_query_keys('{wroblewski}')) AS keys_of_10_letters,
       search_query_keys('{prekiba,uab,a1234}');
-- matching: exact or prefix (typos false), typos only (typos true)
SELECT search_word_matches('prek', '{prekyba,prekybos,prakyba}', false),
       search_word_matches('prekiba', '{prekyba,prekybos,prakyba,prekba,perkyba,prekybaa}', true),
       search_word_matches('namaz', '{namas}', true) AS five_letters_one_typo,
       search_word_matches('nams', '{namas}', true) AS four_letters_none,
       search_word_matches('wrablevski', '{wroblewski}', true) AS nine_letters_two,
       search_word_matches('wrablevsky', '{wroblewski}', true) AS three_never,
       search_word_matches('lt1234', '{lt1235}', true) AS digits_never,
       search_word_matches(NULL, '{a}', true) AS null_word, search_word_matches('a', NULL, false) AS null_candidates;
-- scores: 0.95 exact, 0.9 prefix, 0.65 one typo, 0.05 less per typo, at least 0.5, 0 unmatched
SELECT search_word_score('{zalgirio,prekyba}', '{uab,zalgirio,prekyba}') AS exact,
       search_word_score('{zalg,prekyba}', '{uab,zalgirio,prekyba}') AS prefix,
       search_word_score('{zalgirio,prekiba}', '{uab,zalgirio,prekyba}') AS one_typo,
       search_word_score('{zalgiro,prekiba}', '{uab,zalgirio,prekyba}') AS two_typos,
       search_word_score('{wrablevski,zalgiro,prekiba}', '{wroblewski,zalgirio,prekyba}') AS four_typos,
       search_word_score('{zalgirio,vilnius}', '{uab,zalgirio,prekyba}') AS unmatched,
       search_word_score(NULL, '{a}') AS null_query;

-- A registry: Lithuanian, Latvian and Polish names, a contact person, an
-- inactive client.
SET client_registry.tenant = 183;
INSERT INTO client (id, kind, name, company_code) VALUES (18400, 'own_company', 'UAB Paieškos bandymas', '110003978');
INSERT INTO client (id, kind, name) VALUES
    (18401, 'buyer', 'UAB „Žalgirio prekyba“'),
    (18402, 'buyer', 'UAB Prekybos namai'),
    (18403, 'buyer', 'SIA "Rīgas Ūdens"'),
    (18404, 'buyer', 'Zaliasnamas UAB'),
    (18405, 'buyer', 'Łukasz Wróblewski sp. z o.o.'),
    (18406, 'buyer', 'UAB Šiaulių plentas'),
    (18407, 'buyer', 'MB Prekiba'),
    (18408, 'supplier', 'UAB Senas tiekėjas');
INSERT INTO client (id, kind, name, first_name, last_name) VALUES
    (18409, 'buyer', 'Jonas Petrauskas', 'Jonas', 'Petrauskas');
INSERT INTO client_contact (client_id, first_name, last_name) VALUES (18406, 'Gintarė', 'Mickevičiūtė');
UPDATE client SET is_active = false WHERE id = 18408;

-- the dictionary: one row per deletion key, the word itself once
SELECT word, count(*) AS keys FROM search_word WHERE tenant_id = 183 GROUP BY word ORDER BY word;

-- the issue's cases: y -> i, two words each with a typo, a missing letter;
-- typos are looked for only when no card has the words exactly or as
-- prefixes ("MB Prekiba" has the word: the typo matches are not shown)
SELECT client_id, name, matched_on, score FROM search_clients('prekiba');
SELECT client_id, name, matched_on, score FROM search_clients('prekiiba');
SELECT client_id, name, matched_on, score FROM search_clients('zalgiro prekiba');
SELECT client_id, name, matched_on, score FROM search_clients('zalgiro');
-- exact words and prefixes rank above typos, in any order of the words
SELECT client_id, name, matched_on, score FROM search_clients('prekyba');
SELECT client_id, name, matched_on, score FROM search_clients('prek');
SELECT client_id, name, matched_on, score FROM search_clients('prekyba zalgirio');
-- diacritics folded in the card and the query (Latvian, Polish, Lithuanian)
SELECT client_id, name, matched_on, score FROM search_clients('rigas udens');
SELECT client_id, name, matched_on, score FROM search_clients('Rīgas ūdenss');
SELECT client_id, name, matched_on, score FROM search_clients('wroblewski');
SELECT client_id, name, matched_on, score FROM search_clients('Wrublewski');
SELECT client_id, name, matched_on, score FROM search_clients('siauliu plentas');
SELECT client_id, name, matched_on, score FROM search_clients('Šiaulų plentaas');
-- swap of neighbours, insertion, deletion, substitution
SELECT client_id, name, matched_on, score FROM search_clients('petrasukas');
SELECT client_id, name, matched_on, score FROM search_clients('petrauskass');
SELECT client_id, name, matched_on, score FROM search_clients('petruskas');
SELECT client_id, name, matched_on, score FROM search_clients('petraukas jonas');
-- two typos in a word of 9+ letters (two substitutions: found in the
-- session's copy of the dictionary, search_typo_words)
SELECT search_typo_words('{wrablevski}') AS two_substitutions, search_typo_words('{wroblewskiii}') AS two_insertions,
       search_typo_words('{prekiba}') AS none_under_9, search_typo_words('{wrablevsky}') AS three_never,
       search_typo_words('{wrabl3vski}') AS digits_never;
SELECT client_id, name, matched_on, score FROM search_clients('wrablevski');
SELECT client_id, name, matched_on, score FROM search_clients('zaliasnamos');
-- a word added later in the session: the copy is loaded again
INSERT INTO client (id, kind, name) VALUES (18410, 'buyer', 'UAB Konstantinopolis');
SELECT search_typo_words('{konstantinapolas}') AS new_word_found;
SELECT client_id, name, matched_on, score FROM search_clients('konstantinapolas');
DELETE FROM client WHERE id = 18410;
-- glued words: the card's glued neighbours, and a glued card word
SELECT client_id, name, matched_on, score FROM search_clients('zalgirioprekyba');
SELECT client_id, name, matched_on, score FROM search_clients('zaliasnamas');
-- no typos for short words, too many typos find nothing
SELECT count(*) FROM search_clients('jnas');
SELECT count(*) FROM search_clients('sia rygaz');
SELECT count(*) FROM search_clients('prakkibba');
-- a contact person with a typo (0.1 below the card)
SELECT client_id, name, matched_on, score FROM search_clients('mickeviciute');
SELECT client_id, name, matched_on, score FROM search_clients('mickevicute');
-- inactive clients only with include_inactive
SELECT client_id, name, matched_on, score FROM search_clients('tiekejs');
SELECT client_id, name, is_active, matched_on, score FROM search_clients('tiekejs', include_inactive => true);
-- max_results
SELECT client_id, name, matched_on, score FROM search_clients('prekiba', max_results => 1);
SELECT count(*) FROM search_clients('prekiba', max_results => 0);

-- Tenant separation: another tenant's words and cards are not found, and
-- its dictionary is its own.
SET client_registry.tenant = 184;
INSERT INTO client (id, kind, name, company_code) VALUES (18450, 'own_company', 'UAB Kitas nuomininkas', '110003978');
INSERT INTO client (id, kind, name) VALUES (18451, 'buyer', 'UAB Kauno prekyba');
SELECT client_id, name, matched_on, score FROM search_clients('prekiba');
SELECT count(*) FROM search_clients('zalgiro');
SELECT word FROM search_word WHERE tenant_id = 184 AND key = word ORDER BY word;
SELECT search_typo_words('{wrablevski}') AS other_tenants_copy;
SET client_registry.tenant = 183;
SELECT client_id, name, matched_on, score FROM search_clients('kauno');

-- The dictionary follows the cards: a renamed card's old word leaves, a
-- word another card still has stays, a deleted card's words leave.
UPDATE client SET name = 'UAB „Žalgirio prekyba ir servisas“' WHERE id = 18401;
SELECT word FROM search_word WHERE tenant_id = 183 AND key = word AND word IN ('servisas', 'prekyba', 'zalgirio') ORDER BY word;
UPDATE client SET name = 'UAB Plentų prekyba' WHERE id = 18401;
SELECT word FROM search_word WHERE tenant_id = 183 AND key = word AND word IN ('servisas', 'prekyba', 'zalgirio', 'plentu') ORDER BY word;
SELECT count(*) FROM search_clients('zalgiro');
DELETE FROM client_contact WHERE client_id = 18406;
SELECT count(*) FROM search_word WHERE tenant_id = 183 AND word = 'mickeviciute';
DELETE FROM client WHERE id = 18409;
SELECT count(*) FROM search_word WHERE tenant_id = 183 AND word IN ('jonas', 'petrauskas');
-- words of a multi-row insert are added once
INSERT INTO client (id, kind, name) VALUES (18410, 'buyer', 'Ąžuolų giria'), (18411, 'buyer', 'Ąžuolų giria 2');
SELECT word, count(*) FROM search_word WHERE tenant_id = 183 AND key = word AND word IN ('azuolu', 'giria') GROUP BY word ORDER BY word;
SELECT client_id, name, matched_on, score FROM search_clients('azuolo');
-- numbers of 5+ digits are card words but not dictionary words (never
-- matched with typos, mostly unique): found exactly, and as the start of a
-- longer number by the substring step; numbers of up to 4 digits are
-- dictionary words (prefixes: 'giria 2' also lists 'giria 20')
SELECT search_words('Statyba 2000 123456', NULL, NULL, NULL), search_dictionary_words('Statyba 2000 123456', 'A1 2', NULL, NULL);
SELECT count(*) FROM search_word WHERE tenant_id = 183 AND word = '2';
SELECT client_id, name, matched_on, score FROM search_clients('giria 2');
INSERT INTO client (id, kind, name) VALUES (18412, 'buyer', 'Ąžuolų giria 20417');
SELECT client_id, name, matched_on, score FROM search_clients('giria 204');
DELETE FROM client WHERE id = 18412;
-- rebuild: the same dictionary, the number of words
SELECT md5(string_agg(word || '/' || key, ',' ORDER BY word, key)) AS before FROM search_word WHERE tenant_id = 183 \gset
SELECT rebuild_search_words();
SELECT md5(string_agg(word || '/' || key, ',' ORDER BY word, key)) = :'before' AS same_dictionary FROM search_word WHERE tenant_id = 183;
-- a word missing from the dictionary (removed by a race, or a load with
-- the triggers off) is still found exactly and as a prefix
DELETE FROM search_word WHERE tenant_id = 183 AND word = 'giria';
SELECT client_id, name, matched_on, score FROM search_clients('giria');
SELECT count(*) FROM search_clients('girria');
SELECT rebuild_search_words() > 0 AS rebuilt;
SELECT count(*) FROM search_clients('girria');

-- The search steps of 0.3.0, kept for their callers (PL/pgSQL since 0.4.0,
-- issue #17): a code; a fragment at the start of a word, inside a word, in
-- a contact person; a code typed in groups
SELECT client_id, name, matched_on, score FROM search_hits_exact('110 003 978');
SELECT client_id, name, matched_on, score FROM search_hits_matching('prekyb') ORDER BY score DESC, client_id;
SELECT client_id, name, matched_on, score FROM search_hits_matching('kyb') ORDER BY score DESC, client_id;
INSERT INTO client_contact (client_id, first_name, last_name) VALUES (18406, 'Gintarė', 'Mickevičiūtė');
SELECT client_id, name, matched_on, score FROM search_hits_matching('mickeviciute');
DELETE FROM client_contact WHERE client_id = 18406;
SELECT client_id, name, matched_on, score FROM search_hits_matching('110 003') ORDER BY score DESC, client_id;
SELECT count(*) AS hits FROM search_hits_matching('');

-- Errors.
-- the trigger functions outside the trigger manager, or fired wrongly
SELECT search_words_after_write();
\echo :SQLSTATE
SELECT search_words_forget();
\echo :SQLSTATE
CREATE TABLE public.sw18_names (tenant_id integer, name text);
CREATE TRIGGER sw18_before BEFORE INSERT ON public.sw18_names
    FOR EACH ROW EXECUTE FUNCTION search_words_after_write('name');
INSERT INTO public.sw18_names VALUES (183, 'x');
\echo :SQLSTATE
DROP TRIGGER sw18_before ON public.sw18_names;
CREATE TRIGGER sw18_no_table AFTER INSERT ON public.sw18_names
    FOR EACH STATEMENT EXECUTE FUNCTION search_words_after_write('name');
INSERT INTO public.sw18_names VALUES (183, 'x');
\echo :SQLSTATE
DROP TRIGGER sw18_no_table ON public.sw18_names;
CREATE TRIGGER sw18_forget_insert AFTER INSERT ON public.sw18_names
    FOR EACH ROW EXECUTE FUNCTION search_words_forget('name');
INSERT INTO public.sw18_names VALUES (183, 'x');
\echo :SQLSTATE
DROP TABLE public.sw18_names;
-- the dictionary's writers are not PUBLIC's
CREATE ROLE sw18_user NOLOGIN;
SELECT grant_tenant(183, 'sw18_user');
GRANT USAGE ON SCHEMA client_registry TO sw18_user;
GRANT SELECT ON ALL TABLES IN SCHEMA client_registry TO sw18_user;
SET ROLE sw18_user;
SELECT rebuild_search_words();
\echo :SQLSTATE
SELECT count(*) > 0 AS reads_own_tenant, count(*) FILTER (WHERE tenant_id <> 183) AS other_tenants FROM search_word;
INSERT INTO search_word (word, key) VALUES ('x', 'x');
\echo :SQLSTATE
RESET ROLE;
SELECT revoke_tenant(183, 'sw18_user');
REVOKE ALL ON ALL TABLES IN SCHEMA client_registry FROM sw18_user;
REVOKE USAGE ON SCHEMA client_registry FROM sw18_user;
DROP ROLE sw18_user;
RESET client_registry.tenant;
