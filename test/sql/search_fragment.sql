-- 0.4.0 (issue #14): the fragment step of search_clients() (the query inside
-- a card).  When the trigram index proposes many cards, the tenant's cards
-- are walked in name order (client_name_order_idx) and only the first
-- matches are read; few candidates are read from the heap; the plain plan
-- reads every candidate.  The three give the same results, whatever the
-- cards: two tenants with the same names, inactive cards, renamed cards
-- (index entries of older versions), cards updated in place (HOT), deleted
-- cards, codes, contact persons and labels.  Tenants 198 and 199, clients
-- 1980001-1982400 and 1990001-1990600.
SET search_path = client_registry, public;
\set VERBOSITY terse
\set SHOW_CONTEXT never

-- Names made of syllables (deterministic): fragments such as "auzit" inside
-- hundreds of names, others in a few; diacritics folded by the search.
CREATE TEMP TABLE syllable (n int, s text);
INSERT INTO syllable VALUES (0, 'ba'), (1, 'rė'), (2, 'kau'), (3, 'zit'), (4, 'mo'), (5, 'šal'), (6, 'ga'), (7, 'tie'),
                            (8, 'lū'), (9, 'pra');
CREATE TEMP VIEW generated_name AS
SELECT g, (SELECT string_agg(s.s, '' ORDER BY k.k) FROM generate_series(0, 3) k(k)
             JOIN syllable s ON s.n = (g / (7 ^ k.k)::int + k.k * 3) % 10) AS word1,
          (SELECT string_agg(s.s, '' ORDER BY k.k) FROM generate_series(0, 2) k(k)
             JOIN syllable s ON s.n = (g * 3 / (5 ^ k.k)::int + k.k) % 10) AS word2
  FROM generate_series(1, 2400) g;

SET client_registry.tenant = 198;
INSERT INTO client (id, kind, name, company_code) VALUES (1980000, 'own_company', 'UAB Paieškos bandymas', '110003978');
INSERT INTO client (id, kind, name, email, phone, is_active)
SELECT 1980000 + g, 'buyer',
       (ARRAY['UAB ', 'MB ', 'AB „', ''])[g % 4 + 1] || initcap(word1) || ' ' || word2 || CASE WHEN g % 4 = 2 THEN '“' ELSE '' END,
       'info' || g || '@imone' || (g % 13) || '.lt', '+370 6' || lpad(g::text, 7, '0'), g % 7 <> 0
  FROM generated_name;
SET client_registry.tenant = 199;
INSERT INTO client (id, kind, name, company_code) VALUES (1990000, 'own_company', 'UAB Kitas tenantas', '110003978');
INSERT INTO client (id, kind, name, email)
SELECT 1990000 + g, 'buyer', 'UAB ' || initcap(word1) || ' ' || word2, 'pardavimai' || g || '@imone.lt'
  FROM generated_name WHERE g <= 600;
SET client_registry.tenant = 198;
INSERT INTO client_contact (client_id, first_name, last_name) VALUES (1980005, 'Auzitas', 'Kontaktinis'), (1980006, 'Rėkau', 'Zitienė');
INSERT INTO label (name) VALUES ('auzitai');
INSERT INTO client_label (client_id, label_id) SELECT 1980008, id FROM label WHERE name = 'auzitai';
-- renamed cards: the old versions' index entries stay until VACUUM
UPDATE client SET name = 'UAB Zzz ' || name WHERE id BETWEEN 1980010 AND 1980060;
UPDATE client SET name = 'AAA Kauzitas ' || id WHERE id BETWEEN 1980100 AND 1980110;
-- cards updated in place (no indexed column changes)
UPDATE client SET notes = 'updated in place' WHERE id BETWEEN 1980200 AND 1980400;
-- deleted cards
DELETE FROM client WHERE id BETWEEN 1980500 AND 1980520;

-- a rolled back insert leaves index entries of rows no one sees
BEGIN;
INSERT INTO client (id, kind, name) SELECT 1982400 + g, 'buyer', 'AAA Auzitas rolled back ' || g FROM generate_series(1, 50) g;
ROLLBACK;

-- The function itself: all candidates (complete) when few, the first ones
-- by name when many (walk), NULL when nothing is asked.
SET client_registry.search_name_walk_min = 0;
SELECT cardinality(client_ids) AS n, complete, candidates > 100 AS many,
       names[1:3] AS first_names
  FROM search_name_order_candidates(ARRAY['%auzit%'], 5);
SELECT n = (SELECT min(name) FROM client WHERE tenant_id = 198 AND client_search_text(name, short_name, first_name, last_name,
                                               company_code, vat_code, email, phone) LIKE '%auzit%') AS first_is_the_first_match
  FROM (SELECT names[1] AS n FROM search_name_order_candidates(ARRAY['%auzit%'], 5)) x;
RESET client_registry.search_name_walk_min;
SELECT cardinality(client_ids) AS n, complete, candidates
  FROM search_name_order_candidates(ARRAY['%pragazitbalu%'], 5);
SELECT client_ids, names, complete, candidates FROM search_name_order_candidates(ARRAY['%qqqqq%'], 5);
SELECT client_ids IS NULL AS no_answer FROM search_name_order_candidates(NULL, 5)
UNION ALL SELECT client_ids IS NULL FROM search_name_order_candidates(ARRAY['%auzit%'], 0);
-- the kind of match
SELECT search_fragment_score('uab kauzitas', false, '%auzit%', '% auzit%', NULL) AS inside,
       search_fragment_score('uab auzitas', false, '%auzit%', '% auzit%', NULL) AS word_start,
       search_fragment_score('auzitas uab', false, '%auzit%', '% auzit%', NULL) AS first_word,
       search_fragment_score('uab auzitas', true, '%auzit%', '% auzit%', NULL) AS code,
       search_fragment_score('tel 370600', false, '%370 600%', '% 370 600%', '%370600%') AS compact,
       search_fragment_score('uab kitas', false, '%auzit%', '% auzit%', NULL) AS none,
       search_fragment_score(NULL, false, '%a%', '% a%', NULL) AS null_text;

-- The same results three ways, for fragments common and rare, short
-- queries, e-mail and phone fragments, with and without inactive cards,
-- 5, 20 and 100 results.
CREATE TEMP TABLE probe (q text);
INSERT INTO probe VALUES ('auzit'), ('kauzi'), ('zitmo'), ('šalga'), ('salga'), ('ėkau'), ('rekau'), ('tiel'), ('lūpra'),
    ('zitba'), ('gatie'), ('pragazit'), ('zzz'), ('kauzitas'), ('aaa kau'), ('uzitas 19801'), ('imone3'), ('@imone'),
    ('info12'), ('370 600'), ('6000123'), ('ba'), ('x'), ('„'), ('zi t'), ('auzitai'), ('kontaktinis'), ('zitienė'),
    ('pardavimai'), ('qqqqq'), ('ėk'), ('alg'), ('mo b');
CREATE TEMP TABLE outcome (mode text, q text, inactive boolean, max_results int, answer text[]);
CREATE FUNCTION pg_temp.run_probes(p_mode text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT p.q, i.inactive, m.max_results FROM probe p, (VALUES (false), (true)) i(inactive),
                    (VALUES (5), (20), (100)) m(max_results) LOOP
        INSERT INTO outcome
        SELECT p_mode, r.q, r.inactive, r.max_results, coalesce(array_agg(s::text ORDER BY o), '{}')
          FROM search_clients(r.q, r.inactive, r.max_results) WITH ORDINALITY AS s(client_id, name, company_code, vat_code,
                                                                                     email, is_active, matched_on, score, o);
    END LOOP;
END
$$;
SET client_registry.search_name_walk_min = 0;
SELECT pg_temp.run_probes('walk');
SET client_registry.search_name_walk_min = 1000000;
SELECT pg_temp.run_probes('read');
RESET client_registry.search_name_walk_min;
SELECT pg_temp.run_probes('default');
-- without the index, the plain plan
ALTER INDEX client_name_order_idx RENAME TO client_name_order_idx_away;
SELECT client_ids IS NULL AS plain_plan FROM search_name_order_candidates(ARRAY['%auzit%'], 5);
SELECT pg_temp.run_probes('plain');
ALTER INDEX client_name_order_idx_away RENAME TO client_name_order_idx;
SELECT mode, count(*) AS probes, count(*) FILTER (WHERE cardinality(answer) > 0) AS answered,
       count(*) FILTER (WHERE answer IS DISTINCT FROM (SELECT p.answer FROM outcome p
                                                        WHERE p.mode = 'plain' AND p.q = o.q AND p.inactive = o.inactive
                                                          AND p.max_results = o.max_results)) AS differ_from_plain
  FROM outcome o GROUP BY mode ORDER BY mode;
-- what they answer: the start of a word first, then inside a word, by name;
-- a contact person and a label below every card
SELECT client_id, name, matched_on, score FROM search_clients('auzit', false, 8);
SELECT client_id, name, matched_on, score FROM search_clients('zitienė');
SELECT client_id, name, matched_on, score FROM search_clients('auzitai', false, 3);
-- the renamed cards at the place of their new names, once
SELECT client_id, name, matched_on, score FROM search_clients('aaa kauzitas', false, 4);
SELECT count(*) AS found, count(DISTINCT client_id) AS distinct_cards FROM search_clients('zzz', true, 100);

-- Another tenant's cards are never candidates, even when the trigram index
-- proposes only theirs (the walk reads this tenant's names only).
SET client_registry.search_name_walk_min = 0;
SELECT cardinality(client_ids) AS n, complete FROM search_name_order_candidates(ARRAY['%pardavimai%'], 5);
SELECT count(*) AS found FROM search_clients('pardavimai');
SET client_registry.tenant = 199;
SELECT cardinality(client_ids) AS n, complete FROM search_name_order_candidates(ARRAY['%pardavimai%'], 5);
SELECT client_id, name FROM search_clients('pardavimai', false, 3);
SET client_registry.tenant = 198;
RESET client_registry.search_name_walk_min;

-- Roles: a member with SELECT gets the candidates; without SELECT on client,
-- or under a policy of its own, NULL (the plain plan applies the
-- privileges and policies); a non-member gets NULL too, and its search finds
-- nothing, as every read of a non-member.
CREATE ROLE regress_sf_app;
CREATE ROLE regress_sf_stranger;
GRANT USAGE ON SCHEMA client_registry TO regress_sf_app, regress_sf_stranger;
GRANT SELECT ON ALL TABLES IN SCHEMA client_registry TO regress_sf_app;
GRANT EXECUTE ON FUNCTION search_clients(text, boolean, integer) TO regress_sf_app;
SELECT grant_tenant(198, 'regress_sf_app');
SET client_registry.search_name_walk_min = 0;
SET ROLE regress_sf_app;
SELECT cardinality(client_ids) AS n, complete FROM search_name_order_candidates(ARRAY['%auzit%'], 5);
SELECT client_id, name, score FROM search_clients('auzit', false, 3);
RESET ROLE;
BEGIN;
CREATE POLICY regress_sf_only_active ON client AS RESTRICTIVE USING (is_active);
SET LOCAL ROLE regress_sf_app;
SELECT client_ids IS NULL AS plain_plan FROM search_name_order_candidates(ARRAY['%auzit%'], 5);
SELECT client_id, name, score FROM search_clients('auzit', true, 3);
ROLLBACK;
BEGIN;
REVOKE SELECT ON client FROM regress_sf_app;
SET LOCAL ROLE regress_sf_app;
SELECT client_ids IS NULL AS plain_plan FROM search_name_order_candidates(ARRAY['%auzit%'], 5);
ROLLBACK;
GRANT EXECUTE ON FUNCTION search_clients(text, boolean, integer) TO regress_sf_stranger;
GRANT SELECT ON ALL TABLES IN SCHEMA client_registry TO regress_sf_stranger;
SET ROLE regress_sf_stranger;
SELECT client_ids IS NULL AS plain_plan FROM search_name_order_candidates(ARRAY['%auzit%'], 5);
SELECT count(*) AS found FROM search_clients('auzit');
RESET ROLE;
REVOKE ALL ON ALL TABLES IN SCHEMA client_registry FROM regress_sf_stranger;
REVOKE ALL ON FUNCTION search_clients(text, boolean, integer) FROM regress_sf_stranger;
RESET client_registry.search_name_walk_min;
SELECT revoke_tenant(198, 'regress_sf_app');
REVOKE ALL ON ALL TABLES IN SCHEMA client_registry FROM regress_sf_app;
REVOKE ALL ON FUNCTION search_clients(text, boolean, integer) FROM regress_sf_app;
REVOKE USAGE ON SCHEMA client_registry FROM regress_sf_app, regress_sf_stranger;
DROP ROLE regress_sf_app;
DROP ROLE regress_sf_stranger;
