-- bench/crm_search/gen.sql -- N clients for the search benchmark.
-- psql variable n.  Loaded into the extension's tables as the superuser with
-- session_replication_role = replica (setup, not measured: the generated
-- values are already normalised and valid; the CHECK constraints still run).
-- The search indexes are dropped before the load and rebuilt after it (their
-- build time is printed).
--
-- Client n (id n + 1): a Lithuanian-looking company name of two generated
-- words (syllables with diacritics, 64,000 distinct words, so names are
-- nearly unique), a valid LT company code and VAT code, an e-mail, a phone,
-- one bank account (valid IBAN); every 10th client is inactive.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET search_path = client_registry, public;

CREATE FUNCTION pg_temp.lt_mod11_digit(body text) RETURNS int
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT CASE WHEN s1 % 11 < 10 THEN s1 % 11 WHEN s2 % 11 < 10 THEN s2 % 11 ELSE 0 END
      FROM (SELECT sum(d * ((i - 1) % 9 + 1)) AS s1, sum(d * ((i + 1) % 9 + 1)) AS s2
              FROM (SELECT i, substr(body, i, 1)::int AS d FROM generate_series(1, length(body)) AS i) AS digits) AS sums
$$;

CREATE FUNCTION pg_temp.word(k bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT initcap(a[k % 40 + 1] || a[(k / 40) % 40 + 1] || a[(k / 1600) % 40 + 1])
      FROM (SELECT ARRAY['ša', 'žu', 'čė', 'ką', 'lį', 'mū', 'rų', 'bal', 'tik', 'ver', 'gin', 'dar', 'nos', 'pel', 'jo', 'ry', 'fe', 'hu',
                         'kal', 'vil', 'rot', 'sau', 'mė', 'žel', 'ąž', 'tar', 'vėj', 'ruo', 'lau', 'kie', 'mis',
                         'gai', 'dų', 'šil', 'bė', 'gro', 'ūk', 'zit', 'pra', 'eit'] AS a) AS s
$$;

INSERT INTO client (id, kind, name, company_code) VALUES (1, 'own_company', 'UAB Bench', '110003978');

DROP INDEX client_search_idx;
DROP INDEX client_contact_search_idx;
ALTER TABLE client DISABLE TRIGGER client_90_feed_insert;
ALTER TABLE client_bank_account DISABLE TRIGGER client_bank_account_90_feed_insert;
SET session_replication_role = replica;

INSERT INTO client (id, kind, name, company_code, vat_code, email, phone, country, is_active, sales_tax_category)
SELECT n + 1, 'buyer',
       (ARRAY['UAB', 'MB', 'AB', 'IĮ'])[n % 4 + 1] || ' „' || pg_temp.word(n::bigint * 7919 % 64000) || ' '
           || pg_temp.word((n::bigint * 104729 + n / 64000) % 64000) || '"',
       cc || pg_temp.lt_mod11_digit(cc), 'LT' || vb || pg_temp.lt_mod11_digit(vb),
       'info' || n || '@imone' || (n % 1000) || '.lt', '+370 6' || lpad((n % 10000000)::text, 7, '0'),
       'LT', n % 10 <> 0, 'PVM1'
  FROM generate_series(1, :n) AS n,
       LATERAL (SELECT '3' || lpad(n::text, 7, '0') AS cc, lpad(n::text, 7, '0') || '1' AS vb) AS x;

INSERT INTO client_bank_account (id, client_id, iban, is_primary)
SELECT n, n + 1, 'LT' || lpad((98 - ((bban || '212900')::numeric % 97))::int::text, 2, '0') || bban, true
  FROM generate_series(1, :n) AS n, LATERAL (SELECT '70440' || lpad(n::text, 11, '0') AS bban) AS x;

RESET session_replication_role;
ALTER TABLE client ENABLE TRIGGER client_90_feed_insert;
ALTER TABLE client_bank_account ENABLE TRIGGER client_bank_account_90_feed_insert;
SELECT setval(pg_get_serial_sequence('client_registry.client', 'id'), :n + 1);
SELECT setval(pg_get_serial_sequence('client_registry.client_bank_account', 'id'), :n);

\timing on
CREATE INDEX client_search_idx ON client USING gin
    (client_search_text(name, short_name, first_name, last_name, company_code, vat_code, email, phone) gin_trgm_ops);
CREATE INDEX client_contact_search_idx ON client_contact USING gin
    (contact_search_text(first_name, last_name, email, phone) gin_trgm_ops);
\timing off
VACUUM ANALYZE client;
VACUUM ANALYZE client_bank_account;
