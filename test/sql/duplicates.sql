-- 0.4.0 (issue #14): finding the same client -- the duplicate queue
-- (duplicate_clusters), the per-card checks (client_duplicates,
-- card_duplicates), "not duplicates" marks, the name rules.
-- Tenants 186, 187; clients 18600-18799.
SET search_path = client_registry, public;
\set VERBOSITY default
\set SHOW_CONTEXT never

-- The name rules
SELECT n AS name, p.legal_form, p.core, p.sound
  FROM unnest(ARRAY['UAB „Žalias namas“', 'Zaliasnamas, UAB', 'Uždaroji akcinė bendrovė "Žalias namas"',
                    'MB Žalias namas', 'UAB Sanitex', 'Sanitecs', 'SIA "Rīgas Ūdens"', 'Sp. z o.o. Kowalski',
                    'IĮ Jono Philipo', 'AB', 'Jonas Jonaitis']) AS n,
       LATERAL client_name_parts(n) AS p;
SELECT phone_key('+370 600 12345') AS intl, phone_key('8 600 12345') AS national,
       phone_key('860012345') AS digits, phone_key('12 34') AS too_short;
-- the name keys of the per-card checks (client_name_keys_idx): core, sound,
-- sorted words; for a core of 8+ letters each one-letter deletion too
SELECT n AS name, client_name_keys(n) AS keys
  FROM unnest(ARRAY['UAB Sanitex', 'Sanitecs, UAB', 'Darbai Medzio, UAB', 'UAB Žaliasnamas', 'AB Xy', '„“']) AS n;

SET client_registry.tenant = 186;
INSERT INTO client (id, kind, name, company_code, vat_code) VALUES (18600, 'own_company', 'UAB Dublis', '110003978', 'LT100001919017');
INSERT INTO client (id, kind, name, company_code, vat_code, email, phone, sales_tax_category) VALUES
    -- one party entered three times: VAT code on one copy, e-mail on another, glued name
    (18601, 'buyer', 'UAB „Žalias namas“', '188772433', 'LT119511515', 'info@zalias.lt', NULL, 'PVM1'),
    (18602, 'buyer', 'Zaliasnamas, UAB', NULL, 'LT119511515', NULL, NULL, 'PVM1'),
    (18603, 'buyer', 'UAB Zaliasnamas', NULL, NULL, 'INFO@zalias.lt ', NULL, 'PVM1'),
    -- one letter apart, same sound
    (18604, 'buyer', 'UAB Sanitex', NULL, NULL, NULL, '+370 611 22334', 'PVM1'),
    (18605, 'buyer', 'UAB Sanitecs', NULL, NULL, NULL, NULL, 'PVM1'),
    -- another legal form: another company (nothing else links them)
    (18606, 'buyer', 'MB Sanitex', NULL, NULL, NULL, NULL, 'PVM1'),
    -- two different valid company codes: never duplicates, whatever the name
    (18607, 'buyer', 'UAB Baltas', '300000107', NULL, NULL, NULL, 'PVM1'),
    (18608, 'buyer', 'UAB Baltas', '241102419', NULL, NULL, NULL, 'PVM1'),
    -- the same phone and a similar name, written with swapped words
    (18609, 'buyer', 'UAB Medžio Darbai', NULL, NULL, NULL, '8 685 55555', 'PVM1'),
    (18610, 'buyer', 'Darbai Medzio, UAB', NULL, NULL, NULL, '+370 685 55555', 'PVM1');
-- persons: namesakes without codes are not duplicates (R2.2); the same
-- e-mail links them
INSERT INTO client (id, kind, name, legal_form, first_name, last_name, email, sales_tax_category) VALUES
    (18611, 'buyer', 'Jonas Jonaitis', 'natural_person', 'Jonas', 'Jonaitis', NULL, 'PVM1'),
    (18612, 'buyer', 'Jonas Jonaitis', 'natural_person', 'Jonas', 'Jonaitis', NULL, 'PVM1'),
    (18613, 'buyer', 'Ona Onaitė', 'natural_person', 'Ona', 'Onaitė', 'ona@gmail.com', 'PVM1'),
    (18614, 'buyer', 'ONA ONAITE', 'natural_person', 'Ona', 'Onaitė', 'ona@gmail.com', 'PVM1');
-- the same IBAN links two spellings
INSERT INTO client (id, kind, name, sales_tax_category) VALUES
    (18615, 'supplier', 'UAB Vėjo jėga', 'PVM1'), (18616, 'supplier', 'Vejo Jega', 'PVM1');
INSERT INTO client_bank_account (client_id, iban, bank_name) VALUES
    (18615, 'LT92 7300 0101 7717 8794', 'Swedbank'), (18616, 'LT927300010177178794', 'Swedbank');

-- The queue: one row per group, best first, with the evidence of each link
SELECT cluster, score, strength, client_ids, names, suggested_survivor, evidence
  FROM duplicate_clusters() ORDER BY cluster;
SELECT l->>'a' AS a, l->>'b' AS b, l->'evidence' AS evidence, l->>'name_similarity' AS name_similarity
  FROM duplicate_clusters(), jsonb_array_elements(links) AS l
 WHERE 18601 = ANY (client_ids) ORDER BY 1, 2;
-- strong links only
SELECT client_ids, strength FROM duplicate_clusters(0.8) ORDER BY cluster;

-- One card: an existing client, or one being typed
SELECT duplicate_id, duplicate_name, score, strength, evidence, name_similarity FROM client_duplicates(18601);
SELECT duplicate_id, duplicate_name, strength, evidence FROM client_duplicates(18611);
SELECT duplicate_id, duplicate_name, strength, evidence FROM card_duplicates('Žalias Namas UAB');
SELECT duplicate_id, duplicate_name, strength, evidence FROM card_duplicates('UAB Sanitecs');
-- one letter replaced in a long name, nothing else: found by a deletion key
SELECT duplicate_id, duplicate_name, strength, evidence, name_similarity FROM card_duplicates('UAB Medžio Derbai');
SELECT duplicate_id, duplicate_name, strength, evidence FROM card_duplicates('Kitas pavadinimas', vat_code => 'lt119511515');
SELECT duplicate_id, duplicate_name, strength, evidence FROM card_duplicates('Nauja įmonė', phone => '00370 685 55555');
SELECT duplicate_id, duplicate_name, strength, evidence FROM card_duplicates('Nauja įmonė', iban => 'lt92 7300 0101 7717 8794');
SELECT duplicate_id FROM card_duplicates('UAB Baltas', company_code => '110003978');
SELECT duplicate_id FROM card_duplicates('Jonas Jonaitis', legal_form => 'natural_person');

-- Refusals
SELECT * FROM client_duplicates(18699);
\echo :SQLSTATE
SELECT * FROM client_duplicates(NULL);
\echo :SQLSTATE
SELECT * FROM card_duplicates('  ');
\echo :SQLSTATE
SELECT * FROM duplicate_clusters(1.5);
\echo :SQLSTATE

-- "Not duplicates": the group never comes back, whatever evidence appears
SELECT mark_not_duplicates(ARRAY[18604, 18605], 'two shops of different owners') AS mark \gset
SELECT count(*) AS sanitex_clusters FROM duplicate_clusters() WHERE 18604 = ANY (client_ids);
SELECT count(*) AS sanitex_duplicates FROM client_duplicates(18604) WHERE duplicate_id = 18605;
UPDATE client SET phone = '+370 611 22334' WHERE id = 18605;
SELECT count(*) AS still_none FROM duplicate_clusters() WHERE 18604 = ANY (client_ids);
SELECT client_ids, note, marked_by = session_user AS by_me FROM client_not_duplicate WHERE id = :mark;
-- a mark follows a client merged into another: the survivor inherits it
INSERT INTO client (id, kind, name, sales_tax_category) VALUES (18617, 'buyer', 'UAB Sanitecs', 'PVM1');
SELECT merge_clients(18617, 18605) > 0 AS merged;
SELECT count(*) AS survivor_not_proposed FROM client_duplicates(18604) WHERE duplicate_id = 18617;
SELECT unmark_not_duplicates(:mark);
SELECT duplicate_id, strength FROM client_duplicates(18604) WHERE duplicate_id = 18617;
SELECT mark_not_duplicates(ARRAY[18604]);
\echo :SQLSTATE
SELECT mark_not_duplicates(ARRAY[18604, 18604, NULL]);
\echo :SQLSTATE
SELECT mark_not_duplicates(ARRAY[18604, 18698]);
\echo :SQLSTATE
SELECT unmark_not_duplicates(:mark);
\echo :SQLSTATE

-- Another tenant sees none of it
SET client_registry.tenant = 187;
INSERT INTO client (id, kind, name, company_code) VALUES (18700, 'own_company', 'UAB Kitas dublis', '110003978');
SELECT count(*) AS clusters_of_187 FROM duplicate_clusters();
SELECT count(*) AS card_of_186 FROM card_duplicates('UAB Žalias namas', vat_code => 'LT119511515');
SELECT * FROM client_duplicates(18601);
\echo :SQLSTATE
SELECT count(*) AS marks_of_187 FROM client_not_duplicate;
