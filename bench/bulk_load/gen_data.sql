-- bench/bulk_load/gen_data.sql
-- Generates the bench data once per run into CSV files (server-side COPY TO).
-- psql variables: n (number of clients), csvdir (directory the server can
-- write).  Run in a scratch database that has the extension installed (to
-- cross-check the generated codes with its validators).
--
-- client n (1..N) gets id n+1 (id 1 is the tenant's own company, inserted
-- before the COPY) and:
--   company code  3 + n as 7 digits + LT-mod11 check digit   (docs/identifiers.md 1, 2.1)
--   VAT code      LT + n as 7 digits + 1 + LT-mod11 digit    (docs/identifiers.md 2.3)
--   e-mail        client<n>@example.lt
--   address       one, in Vilnius
--   bank account  LT + check digits + 70440 + n as 11 digits (docs/identifiers.md 8.1: 98 - (rearranged mod 97))
\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE SCHEMA bench;
SET search_path = bench, public, pg_catalog;
\ir checkers.sql

-- Check digit generator, written set-based in SQL (independent of the
-- PL/pgSQL checker lt_mod11_ok, which verifies its output below).
CREATE FUNCTION lt_mod11_digit(body text) RETURNS int
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT CASE WHEN s1 % 11 < 10 THEN s1 % 11
                WHEN s2 % 11 < 10 THEN s2 % 11
                ELSE 0 END
      FROM (SELECT sum(d * ((i - 1) % 9 + 1)) AS s1,
                   sum(d * ((i + 1) % 9 + 1)) AS s2
              FROM (SELECT i, substr(body, i, 1)::int AS d
                      FROM generate_series(1, length(body)) AS i) AS digits) AS sums
$$;

-- Self-test of both against the reference vectors.
DO $$
BEGIN
    IF lt_mod11_digit('11000397') <> 8 OR lt_mod11_digit('30000005') <> 3
       OR lt_mod11_digit('24110241') <> 9 OR lt_mod11_digit('10000480161') <> 0
       OR NOT lt_mod11_ok('110003978') OR lt_mod11_ok('110003979')
       OR NOT lt_mod11_ok('300000107') OR NOT lt_mod11_ok('241102419')
       OR NOT lt_mod11_ok('100004801610') OR lt_mod11_ok('100001919018')
       OR iban_mod97('LT121000011101001000') <> 1 OR iban_mod97('LT121000011101001001') = 1
       OR iban_mod97('GB82WEST12345698765432') <> 1 THEN
        RAISE EXCEPTION 'generator self-test failed';
    END IF;
END
$$;

CREATE UNLOGGED TABLE gen_client AS
SELECT n + 1 AS id, 1 AS tenant_id,
       (ARRAY['buyer', 'supplier', 'buyer_supplier'])[n % 3 + 1] AS kind,
       'UAB Klientas ' || n AS name,
       cc || lt_mod11_digit(cc) AS company_code,
       'LT' || vb || lt_mod11_digit(vb) AS vat_code,
       'client' || n || '@example.lt' AS email,
       'LT' AS country
  FROM generate_series(1, :n) AS n,
       LATERAL (SELECT '3' || lpad(n::text, 7, '0') AS cc,
                       lpad(n::text, 7, '0') || '1' AS vb) AS x;

CREATE UNLOGGED TABLE gen_address AS
SELECT n AS id, 1 AS tenant_id, n + 1 AS client_id, 'invoice' AS address_type,
       'Gedimino pr. ' || (n % 250 + 1) || '-' || (n % 97 + 1) AS street,
       (ARRAY['Vilnius', 'Kaunas', 'Klaipėda', 'Šiauliai', 'Panevėžys'])[n % 5 + 1] AS city,
       'LT-' || lpad((n % 99999 + 1)::text, 5, '0') AS postal_code,
       'LT' AS country
  FROM generate_series(1, :n) AS n;

CREATE UNLOGGED TABLE gen_bank_account AS
SELECT n AS id, 1 AS tenant_id, n + 1 AS client_id,
       'LT' || lpad((98 - ((bban || '212900')::numeric % 97))::int::text, 2, '0') || bban AS iban,
       'AB SEB bankas' AS bank_name, '70440' AS bank_code, 'EUR' AS currency
  FROM generate_series(1, :n) AS n,
       LATERAL (SELECT '70440' || lpad(n::text, 11, '0') AS bban) AS x;

-- Verify every generated value with the independent PL/pgSQL checker.
DO $$
DECLARE
    bad bigint;
BEGIN
    SELECT count(*) INTO bad FROM gen_client
     WHERE NOT lt_mod11_ok(company_code) OR length(company_code) <> 9
        OR NOT lt_mod11_ok(substr(vat_code, 3)) OR substr(vat_code, 10, 1) <> '1';
    IF bad > 0 THEN RAISE EXCEPTION '% generated company/VAT codes fail LT-mod11', bad; END IF;
    SELECT count(*) INTO bad FROM gen_bank_account WHERE length(iban) <> 20 OR iban_mod97(iban) <> 1;
    IF bad > 0 THEN RAISE EXCEPTION '% generated IBANs fail mod 97', bad; END IF;
    IF EXISTS (SELECT FROM gen_client WHERE company_code = '110003978') THEN
        RAISE EXCEPTION 'a generated company code collides with the own company';
    END IF;
END
$$;

-- Cross-check a sample with the extension's own validators (whichever exist).
DO $$
DECLARE
    bad     bigint;
    checked text := '';
    sample  text := '(SELECT * FROM bench.gen_client WHERE id % 997 = 0 OR id < 200) s';
    bsample text := '(SELECT * FROM bench.gen_bank_account WHERE id % 997 = 0 OR id < 200) s';
BEGIN
    IF to_regprocedure('client_registry.lt_company_code_valid(text)') IS NOT NULL THEN
        EXECUTE 'SELECT count(*) FROM ' || sample || ' WHERE NOT client_registry.lt_company_code_valid(company_code)' INTO bad;
        IF bad > 0 THEN RAISE EXCEPTION 'lt_company_code_valid rejects % generated codes', bad; END IF;
        checked := checked || ' lt_company_code_valid';
    END IF;
    IF to_regprocedure('client_registry.company_code_valid(text,text)') IS NOT NULL THEN
        EXECUTE 'SELECT count(*) FROM ' || sample || ' WHERE NOT client_registry.company_code_valid(company_code, country)' INTO bad;
        IF bad > 0 THEN RAISE EXCEPTION 'company_code_valid rejects % generated codes', bad; END IF;
        checked := checked || ' company_code_valid';
    END IF;
    IF to_regprocedure('client_registry.lt_vat_code_valid(text)') IS NOT NULL THEN
        EXECUTE 'SELECT count(*) FROM ' || sample || ' WHERE NOT client_registry.lt_vat_code_valid(vat_code)' INTO bad;
        IF bad > 0 THEN RAISE EXCEPTION 'lt_vat_code_valid rejects % generated VAT codes', bad; END IF;
        checked := checked || ' lt_vat_code_valid';
    END IF;
    IF to_regprocedure('client_registry.vat_code_valid(text,text)') IS NOT NULL THEN
        EXECUTE 'SELECT count(*) FROM ' || sample || ' WHERE NOT client_registry.vat_code_valid(vat_code, country)' INTO bad;
        IF bad > 0 THEN RAISE EXCEPTION 'vat_code_valid rejects % generated VAT codes', bad; END IF;
        checked := checked || ' vat_code_valid';
    END IF;
    IF to_regprocedure('client_registry.email_valid(text)') IS NOT NULL THEN
        EXECUTE 'SELECT count(*) FROM ' || sample || ' WHERE NOT client_registry.email_valid(email)' INTO bad;
        IF bad > 0 THEN RAISE EXCEPTION 'email_valid rejects % generated e-mails', bad; END IF;
        checked := checked || ' email_valid';
    END IF;
    IF to_regprocedure('client_registry.iban_valid(text)') IS NOT NULL THEN
        EXECUTE 'SELECT count(*) FROM ' || bsample || ' WHERE NOT client_registry.iban_valid(iban)' INTO bad;
        IF bad > 0 THEN RAISE EXCEPTION 'iban_valid rejects % generated IBANs', bad; END IF;
        checked := checked || ' iban_valid';
    END IF;
    RAISE WARNING 'generated data verified with lt_mod11_ok/iban_mod97 (all rows) and the extension''s%',
        CASE WHEN checked = '' THEN ' (no validators found)' ELSE checked END;
END
$$;

SELECT format('COPY bench.gen_client TO %L WITH (FORMAT csv)', :'csvdir' || '/client.csv') \gexec
SELECT format('COPY bench.gen_address TO %L WITH (FORMAT csv)', :'csvdir' || '/client_address.csv') \gexec
SELECT format('COPY bench.gen_bank_account TO %L WITH (FORMAT csv)', :'csvdir' || '/client_bank_account.csv') \gexec
