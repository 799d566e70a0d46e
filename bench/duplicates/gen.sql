-- bench/duplicates/gen.sql -- a generated registry with planted duplicates.
-- psql variable n: parties.  Tenant 1; every client row carries its party in
-- bench_truth (clients of one party are duplicates, any other two are not).
--
-- Parties: 90 % companies (names of one or two generated words, a legal form
-- UAB/AB/MB/IĮ/SIA/Sp. z o.o., a valid company code for 80 %, a VAT code for
-- 40 %, a company e-mail for 50 %, a phone for 60 %, an IBAN for 30 %),
-- 10 % persons (first and last name from short lists: many namesakes, no
-- codes -- R2.2 says namesakes are not duplicates).  A company of every 200
-- has a namesake company with another code (different parties).
-- Every 80th party is entered again once, every 240th twice, each copy
-- spelled differently: a one-letter typo or y/i, the legal form written out
-- or at the end, quotes, words glued or swapped, and sharing the party's
-- company code, VAT code, phone, e-mail or IBAN (or nothing but the name).
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SELECT setseed(0.14);
CREATE FUNCTION pg_temp.mod11(body text) RETURNS int LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT CASE WHEN s1 % 11 < 10 THEN s1 % 11 WHEN s2 % 11 < 10 THEN s2 % 11 ELSE 0 END
      FROM (SELECT sum(d * ((i - 1) % 9 + 1)) AS s1, sum(d * ((i + 1) % 9 + 1)) AS s2
              FROM (SELECT i, substr(body, i, 1)::int AS d FROM generate_series(1, length(body)) AS i) x) s
$$;
CREATE FUNCTION pg_temp.word(h bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT initcap(s[1 + (h % 31)] || s[1 + (h / 31 % 31)] || s[1 + (h / 961 % 31)]
                   || CASE WHEN h / 29791 % 2 = 0 THEN s[1 + (h / 59582 % 31)] ELSE '' END)
      FROM (SELECT ARRAY['ka','la','ma','na','ra','sa','ta','va','bo','do','go','lo','mo','no','ro',
                         'to','vi','ri','li','ni','ku','mu','ru','tu','zal','ber','gir','ner','dan',
                         'tex','kas'] AS s) a
$$;
CREATE FUNCTION pg_temp.typo(s text, h bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN s ~ 'y' THEN regexp_replace(s, 'y', 'i')
                WHEN s ~ 'i' AND h % 2 = 0 THEN regexp_replace(s, 'i', 'y')
                ELSE overlay(s placing (CASE WHEN substr(s, p, 1) = 'a' THEN 'o' ELSE 'a' END) from p for 1) END
      FROM (SELECT 4 + (h % greatest(length(s) - 5, 1))::int AS p) x
$$;

CREATE TABLE bench_party AS
SELECT p, p % 10 = 0 AS person,
       CASE WHEN p % 10 = 0 THEN
                (ARRAY['Jonas','Petras','Ona','Rūta','Tomas','Asta','Marius','Eglė','Darius','Inga',
                       'Paulius','Lina','Andrius','Jurga','Mindaugas','Greta','Vytautas','Aušra','Karolis','Neringa'])[1 + p / 10 % 20]
                || ' ' ||
                (ARRAY['Kazlauskas','Jankauskas','Petrauskas','Stankevičius','Vasiliauskas','Žukauskas','Butkus',
                       'Paulauskas','Urbonas','Kavaliauskas','Navickas','Ramanauskas','Savickas','Rimkus','Baranauskas',
                       'Šimkus','Sakalauskas','Mažeika','Ivanauskas','Kazakevičius'])[1 + (p * 7919) % 20]
            ELSE pg_temp.word((random() * 1e12)::bigint) || CASE WHEN random() < 0.85 THEN ' ' || pg_temp.word((random() * 1e12)::bigint) ELSE '' END
       END AS core,
       (ARRAY['UAB','UAB','UAB','UAB','AB','MB','MB','IĮ','SIA','Sp. z o.o.'])[1 + floor(random() * 10)::int] AS form,
       random() < 0.8 AS has_code, random() < 0.4 AS has_vat, random() < 0.5 AS has_email,
       (random() < 0.6 OR p % 10 = 0) AS has_phone, random() < 0.3 AS has_iban
  FROM generate_series(1, :n) AS p;

-- the rows of every client: id = 1000 * copy + party ... kept simple: a sequence
CREATE TABLE bench_row (id bigint, party int, copy int, name text, legal_form text, company_code text,
                        vat_code text, email text, phone text, iban text);
INSERT INTO bench_row
SELECT p + 1, p, 0,
       CASE WHEN person THEN core WHEN form = 'SIA' THEN 'SIA "' || core || '"' ELSE form || ' ' || core END,
       CASE WHEN person THEN 'natural_person' ELSE 'legal_entity' END,
       CASE WHEN NOT person AND has_code THEN cc || pg_temp.mod11(cc) END,
       CASE WHEN NOT person AND has_vat THEN 'LT' || vb || pg_temp.mod11(vb) END,
       CASE WHEN has_email THEN CASE WHEN person THEN 'p' || p || '@gmail.com'
                                     ELSE 'info@' || lower(replace(core, ' ', '')) || p || '.lt' END END,
       CASE WHEN has_phone THEN '+370 6' || lpad(p::text, 7, '0') END,
       CASE WHEN has_iban THEN 'LT' || lpad((98 - ((bban || '212900')::numeric % 97))::int::text, 2, '0') || bban END
  FROM bench_party, LATERAL (SELECT '3' || lpad(p::text, 7, '0') AS cc, lpad(p::text, 7, '0') || '1' AS vb,
                                    '70440' || lpad(p::text, 11, '0') AS bban) x;
-- namesake companies (another party: another code)
INSERT INTO bench_row
SELECT :n + 1 + p, -p, 0, r.name, r.legal_form,
       cc || pg_temp.mod11(cc), NULL, NULL, NULL, NULL
  FROM bench_party b JOIN bench_row r ON r.party = b.p,
       LATERAL (SELECT '4' || lpad(p::text, 7, '0') AS cc) x
 WHERE p % 200 = 7 AND NOT person AND r.company_code IS NOT NULL;
-- the duplicates
INSERT INTO bench_row
SELECT 2 * :n + 10 * p + c, p, c,
       CASE WHEN b.person THEN (CASE v WHEN 0 THEN pg_temp.typo(b.core, p) WHEN 3 THEN split_part(b.core, ' ', 2) || ' ' || split_part(b.core, ' ', 1)
                                       ELSE upper(b.core) END)
            ELSE CASE v
                 WHEN 0 THEN b.form || ' ' || pg_temp.typo(b.core, p)
                 WHEN 1 THEN replace(b.core, ' ', '') || ', ' || b.form
                 WHEN 2 THEN CASE b.form WHEN 'UAB' THEN 'Uždaroji akcinė bendrovė „' || b.core || '“'
                                         WHEN 'MB' THEN 'Mažoji bendrija "' || b.core || '"'
                                         ELSE b.form || ' „' || b.core || '“' END
                 WHEN 3 THEN b.form || ' ' || CASE WHEN b.core ~ ' ' THEN split_part(b.core, ' ', 2) || ' ' || split_part(b.core, ' ', 1)
                                                   ELSE lower(b.core) END
                 WHEN 4 THEN pg_temp.typo(b.core, p + 1) || ' ' || b.form
                 ELSE upper(b.form || ' ' || b.core) END
       END,
       r.legal_form,
       CASE WHEN v = 2 THEN r.company_code END,
       CASE WHEN v IN (1, 5) THEN r.vat_code END,
       CASE WHEN v IN (0, 1) OR (c = 2) THEN coalesce(r.email, CASE WHEN b.person THEN 'p' || p || '@gmail.com' END) END,
       CASE WHEN v = 3 OR b.person THEN coalesce(r.phone, '+370 6' || lpad(p::text, 7, '0')) END,
       CASE WHEN v = 5 THEN r.iban END
  FROM bench_party b JOIN bench_row r ON r.party = b.p AND r.copy = 0,
       generate_series(1, 2) AS c,
       LATERAL (SELECT ((p / 80) + c * 3) % 6 AS v) x
 WHERE p % 80 = 0 AND (c = 1 OR p % 240 = 0);

INSERT INTO client_registry.client (id, kind, name, company_code, vat_code) VALUES (1, 'own_company', 'UAB Bandymas', '110003978', 'LT100001919017');
INSERT INTO client_registry.client (id, kind, name, legal_form, first_name, last_name, company_code, vat_code, email, phone)
SELECT id, 'buyer', name, legal_form::client_registry.legal_form,
       CASE WHEN legal_form = 'natural_person' THEN split_part(name, ' ', 1) END,
       CASE WHEN legal_form = 'natural_person' THEN split_part(name, ' ', 2) END,
       company_code, vat_code, email, phone
  FROM bench_row ORDER BY id;
INSERT INTO client_registry.client_bank_account (client_id, iban, bank_name)
SELECT id, iban, 'AB SEB bankas' FROM bench_row WHERE iban IS NOT NULL;
CREATE TABLE bench_truth AS SELECT id, party FROM bench_row;
ANALYZE;
