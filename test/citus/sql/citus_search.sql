-- issue #17 with #14: search and duplicate detection per tenant through the
-- coordinator (tenants 520-521, clients 520001-521099).  The two tenants
-- hold cards with the same names: neither ever sees the other's hits,
-- typo candidates or duplicates.  The dictionary (search_word) is kept on
-- the tenant's shard by the triggers on the workers.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
SELECT client_registry.grant_tenant(t, 'postgres') FROM generate_series(520, 521) t;
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 520;
INSERT INTO client_registry.client (id, kind, name, company_code, vat_code)
VALUES (520001, 'own_company', 'UAB Paieška', '110003978', 'LT100001919017');
INSERT INTO client_registry.client (id, kind, name, company_code, vat_code, email, phone) VALUES
    (520002, 'buyer', 'UAB „Žalgirio prekyba“', '188772433', 'LT119511515', NULL, NULL),
    (520003, 'buyer', 'UAB Prekybos namai', NULL, NULL, NULL, NULL),
    (520004, 'buyer', 'Vilniaus statybininkai', NULL, NULL, NULL, NULL),
    (520005, 'buyer', 'UAB Sanitex', NULL, NULL, 'info@sanitex.lt', '+370 611 22334'),
    (520006, 'buyer', 'UAB Sanitecs', NULL, NULL, 'INFO@sanitex.lt ', NULL),
    (520007, 'buyer', 'MB Sanitex', NULL, NULL, NULL, NULL),
    (520008, 'supplier', 'UAB Vėjo jėga', NULL, NULL, NULL, NULL),
    (520009, 'supplier', 'Vejo Jega', NULL, NULL, NULL, NULL);
INSERT INTO client_registry.client (id, kind, name, legal_form, first_name, last_name) VALUES
    (520010, 'buyer', 'Jonas Petrauskas', 'natural_person', 'Jonas', 'Petrauskas');
INSERT INTO client_registry.client_contact (client_id, first_name, last_name) VALUES (520004, 'Gintarė', 'Mickevičiūtė');
INSERT INTO client_registry.client_bank_account (client_id, iban) VALUES
    (520008, 'LT92 7300 0101 7717 8794'), (520009, 'LT927300010177178794');
INSERT INTO client_registry.label (id, name) VALUES (520001, 'Statybos');
INSERT INTO client_registry.client_label (client_id, label_id) VALUES (520003, 520001);
COMMIT;
-- tenant 521: the same names (other ids), and one name of its own
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 521;
INSERT INTO client_registry.client (id, kind, name, company_code, vat_code)
VALUES (521001, 'own_company', 'UAB Paieška', '110003978', 'LT100001919017');
INSERT INTO client_registry.client (id, kind, name, company_code, vat_code, email) VALUES
    (521002, 'buyer', 'UAB „Žalgirio prekyba“', '188772433', 'LT119511515', NULL),
    (521004, 'buyer', 'Vilniaus statybininkai', NULL, NULL, NULL),
    (521005, 'buyer', 'UAB Sanitex', NULL, NULL, 'info@sanitex.lt'),
    (521006, 'buyer', 'UAB Sanitecs', NULL, NULL, 'info@sanitex.lt'),
    (521011, 'buyer', 'UAB Kauno energija', NULL, NULL, NULL);
INSERT INTO client_registry.client_bank_account (client_id, iban) VALUES (521005, 'LT927300010177178794');
COMMIT;

-- The dictionary: kept by the triggers on the workers, one row per
-- deletion key, the word itself once; each tenant's own words
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 520;
SELECT word, count(*) AS keys FROM client_registry.search_word WHERE tenant_id = 520 GROUP BY word ORDER BY word;
COMMIT;
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 521;
SELECT array_agg(word ORDER BY word) AS words_521 FROM client_registry.search_word WHERE tenant_id = 521 AND key = word;
COMMIT;

-- Search in tenant 520: exact words (0.95), prefixes (0.9), one typo
-- (0.65), two typos (0.6), a long word with two substitutions (the
-- session's copy of the dictionary, on the coordinator), a code, an IBAN,
-- a contact person, a label; the hits of tenant 520 only
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 520;
SELECT client_id, name, matched_on, score FROM client_registry.search_clients('zalgirio prekyba');
SELECT client_id, name, matched_on, score FROM client_registry.search_clients('prek');
SELECT client_id, name, matched_on, score FROM client_registry.search_clients('prekiba');
SELECT client_id, name, matched_on, score FROM client_registry.search_clients('zalgiro prekiba');
SELECT client_id, name, matched_on, score FROM client_registry.search_clients('statybinenkei');
SELECT client_id, name, matched_on, score FROM client_registry.search_clients('sanitex');
SELECT client_id, name, matched_on, score FROM client_registry.search_clients('188772433');
SELECT client_id, name, matched_on, score FROM client_registry.search_clients('LT92 7300 0101 7717 8794');
SELECT client_id, name, matched_on, score FROM client_registry.search_clients('mickeviciute');
SELECT client_id, name, matched_on, score FROM client_registry.search_clients('mickevicuite');
SELECT client_id, name, matched_on, score FROM client_registry.search_clients('statybos');
SELECT client_id, name, matched_on, score FROM client_registry.search_clients('petrausks jonas');
-- the search steps of 0.3.0, kept for their callers
SELECT client_id, name, matched_on, score FROM client_registry.search_hits_exact('188 772 433');
SELECT client_id, name, matched_on, score FROM client_registry.search_hits_matching('prekyb') ORDER BY score DESC, client_id;
SELECT client_id, name, matched_on, score FROM client_registry.search_hits_matching('mickeviciute');
SELECT client_id, name, matched_on, score FROM client_registry.search_hits_similar('zalgirio prekiba');
-- a name only tenant 521 has: nothing, exactly, by prefix or with a typo
SELECT count(*) AS hits FROM client_registry.search_clients('kauno energija');
SELECT count(*) AS hits FROM client_registry.search_clients('energiia');
SELECT count(*) AS hits FROM client_registry.search_clients('energ');
-- the same search many times in one session: the same hits every time
SELECT count(*) AS calls, count(DISTINCT s.client_id) AS clients, min(s.score) AS score
  FROM generate_series(1, 8) i, client_registry.search_clients('statybinenkei') s;
COMMIT;
-- the same searches in tenant 521, in the same session (the session's copy
-- of the dictionary follows the tenant)
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 521;
SELECT client_id, name, matched_on, score FROM client_registry.search_clients('zalgirio prekyba');
SELECT client_id, name, matched_on, score FROM client_registry.search_clients('prekiba');
SELECT client_id, name, matched_on, score FROM client_registry.search_clients('statybinenkei');
SELECT client_id, name, matched_on, score FROM client_registry.search_clients('sanitex');
SELECT client_id, name, matched_on, score FROM client_registry.search_clients('energiia');
SELECT count(*) AS hits FROM client_registry.search_clients('mickeviciute');
COMMIT;

-- The dictionary follows inserts, updates and deletes on the workers
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 520;
INSERT INTO client_registry.client (id, kind, name) VALUES (520020, 'buyer', 'UAB Marijampolės vandenys');
SELECT array_agg(word ORDER BY word) AS added FROM client_registry.search_word
 WHERE tenant_id = 520 AND key = word AND word IN ('marijampoles', 'vandenys');
SELECT client_id, name, matched_on, score FROM client_registry.search_clients('vandenis');
UPDATE client_registry.client SET name = 'UAB Alytaus vandenys' WHERE tenant_id = 520 AND id = 520020;
SELECT array_agg(word ORDER BY word) AS after_update FROM client_registry.search_word
 WHERE tenant_id = 520 AND key = word AND word IN ('marijampoles', 'alytaus', 'vandenys');
SELECT client_id, name, matched_on, score FROM client_registry.search_clients('alitaus');
SELECT count(*) AS hits FROM client_registry.search_clients('marijampoles');
-- a contact person's name
INSERT INTO client_registry.client_contact (client_id, first_name, last_name) VALUES (520020, 'Rūta', 'Žemaitytė');
SELECT client_id, name, matched_on, score FROM client_registry.search_clients('zemaitite');
-- deleted: its words leave, words other cards still have stay
DELETE FROM client_registry.client_contact WHERE tenant_id = 520 AND client_id = 520020;
DELETE FROM client_registry.client WHERE tenant_id = 520 AND id = 520020;
SELECT array_agg(word ORDER BY word) AS after_delete FROM client_registry.search_word
 WHERE tenant_id = 520 AND key = word AND word IN ('alytaus', 'vandenys', 'zemaityte', 'ruta', 'uab');
SELECT count(*) AS hits FROM client_registry.search_clients('alitaus');
COMMIT;
-- tenant 521's dictionary did not change
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 521;
SELECT count(*) AS words_521 FROM client_registry.search_word WHERE tenant_id = 521 AND key = word;
COMMIT;
-- rebuild_search_words() finds what the triggers kept
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 520;
CREATE TEMP TABLE kept_520 ON COMMIT DROP AS
    SELECT word, key FROM client_registry.search_word WHERE tenant_id = 520;
SELECT client_registry.rebuild_search_words() AS words_520;
SELECT count(*) AS keys_differing
  FROM ((SELECT word, key FROM kept_520 EXCEPT ALL SELECT word, key FROM client_registry.search_word WHERE tenant_id = 520)
        UNION ALL
        (SELECT word, key FROM client_registry.search_word WHERE tenant_id = 520 EXCEPT ALL SELECT word, key FROM kept_520)) d;
SELECT client_id, name, matched_on, score FROM client_registry.search_clients('statybinenkei');
COMMIT;
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 521;
SELECT count(*) AS words_521 FROM client_registry.search_word WHERE tenant_id = 521 AND key = word;
COMMIT;

-- The duplicate queue and the per-card checks, per tenant
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 520;
SELECT cluster, score, strength, client_ids, names, suggested_survivor, evidence
  FROM client_registry.duplicate_clusters() ORDER BY cluster;
SELECT duplicate_id, duplicate_name, score, strength, evidence FROM client_registry.client_duplicates(520005);
SELECT duplicate_id, duplicate_name, score, strength, evidence
  FROM client_registry.card_duplicates('Sanitex, UAB', phone => '8 611 22334');
SELECT duplicate_id, duplicate_name, score, strength, evidence
  FROM client_registry.card_duplicates('Vėjo jėgos', iban => 'LT927300010177178794');
-- many checks in one session (plans kept for the session): the same answer
SELECT count(*) AS calls, count(DISTINCT d.duplicate_id) AS clients
  FROM generate_series(1, 8) i, client_registry.client_duplicates(520005) d;
-- another tenant's client is not visible
SELECT * FROM client_registry.client_duplicates(521005);
\echo :SQLSTATE
COMMIT;
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 521;
SELECT cluster, score, strength, client_ids, names, suggested_survivor, evidence
  FROM client_registry.duplicate_clusters() ORDER BY cluster;
SELECT duplicate_id, duplicate_name, score, strength, evidence
  FROM client_registry.card_duplicates('Vėjo jėgos', iban => 'LT927300010177178794');
COMMIT;
-- marked "not duplicates": the group leaves the queue of its tenant only
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 520;
SELECT client_registry.mark_not_duplicates(ARRAY[520005, 520006]::bigint[], 'two shops') > 0 AS marked;
SELECT client_ids, evidence FROM client_registry.duplicate_clusters() ORDER BY cluster;
SELECT duplicate_id FROM client_registry.client_duplicates(520005);
COMMIT;
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 521;
SELECT client_ids FROM client_registry.duplicate_clusters() ORDER BY cluster;
COMMIT;

-- A member of tenant 520 (row-level security on the workers): the same
-- hits, the typo candidates from its tenant's dictionary, no word of 521;
-- in tenant 521 its search finds nothing and the queue is refused (as on
-- one node)
CREATE ROLE cr_citus_search LOGIN;
GRANT USAGE ON SCHEMA client_registry TO cr_citus_search;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA client_registry TO cr_citus_search;
GRANT EXECUTE ON FUNCTION client_registry.search_clients(text, boolean, integer),
    client_registry.duplicate_clusters(real), client_registry.client_duplicates(bigint, real)
    TO cr_citus_search;
SELECT client_registry.grant_tenant(520, 'cr_citus_search');
SET ROLE cr_citus_search;
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 520;
SELECT client_id, name, matched_on, score FROM client_registry.search_clients('prekiba');
SELECT client_id, name, matched_on, score FROM client_registry.search_clients('statybinenkei');
SELECT client_ids FROM client_registry.duplicate_clusters() ORDER BY cluster;
SELECT count(*) AS words_of_521 FROM client_registry.search_word WHERE tenant_id = 521;
COMMIT;
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 521;
SELECT count(*) FROM client_registry.search_clients('prekiba');
\echo :SQLSTATE
ROLLBACK;
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 521;
SELECT count(*) FROM client_registry.duplicate_clusters();
\echo :SQLSTATE
ROLLBACK;
RESET ROLE;
