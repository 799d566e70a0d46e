-- bench/crm_search/measure.sql -- search latency, search_clients() vs a plain
-- ILIKE '%...%' scan, in the same run.  psql variables: k (search queries per
-- case), s (scan queries per case).  Prints one row per case and method.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET search_path = client_registry, public;
SELECT setseed(0.42);

-- Probes: random active clients; for each the query text of every case.
CREATE TEMP TABLE probe AS
SELECT row_number() OVER () AS i, c.id, c.company_code, b.iban, w.w1, w.w2,
       substr(w.w1, 2, 5) AS fragment,
       overlay(w.w1 placing 'x' from 3 for 1) || ' ' || w.w2 AS misspelt
  FROM (SELECT id FROM client WHERE is_active AND kind = 'buyer' ORDER BY random() LIMIT :k) AS r
  JOIN client c ON c.id = r.id
  JOIN client_bank_account b ON b.client_id = c.id,
       LATERAL (SELECT (regexp_split_to_array(search_fold(c.name), ' '))[2] AS w1,
                       (regexp_split_to_array(search_fold(c.name), ' '))[3] AS w2) AS w;
CREATE TEMP TABLE lat (kase text, method text, ms float8, found bool);

DO $$
DECLARE
    p record;
    t0 timestamptz;
    q text;
    hit bool;
    k int := current_setting('bench.scans')::int;
BEGIN
    -- warm-up
    FOR p IN SELECT * FROM probe LIMIT 20 LOOP
        PERFORM * FROM client_registry.search_clients(p.fragment);
    END LOOP;
    FOR p IN SELECT * FROM probe LOOP
        FOREACH q IN ARRAY ARRAY['exact code', 'IBAN', 'name fragment', 'misspelt name'] LOOP
            t0 := clock_timestamp();
            SELECT EXISTS (SELECT 1 FROM client_registry.search_clients(
                CASE q WHEN 'exact code' THEN p.company_code
                       WHEN 'IBAN' THEN client_registry.format_iban(p.iban)
                       WHEN 'name fragment' THEN p.fragment
                       ELSE p.misspelt END) s WHERE s.client_id = p.id) INTO hit;
            INSERT INTO lat VALUES (q, 'search_clients', extract(epoch FROM clock_timestamp() - t0) * 1000, hit);
        END LOOP;
        IF p.i <= k THEN
            t0 := clock_timestamp();
            PERFORM id FROM client_registry.client WHERE company_code ILIKE '%' || p.company_code || '%';
            INSERT INTO lat VALUES ('exact code', 'ILIKE scan', extract(epoch FROM clock_timestamp() - t0) * 1000, true);
            t0 := clock_timestamp();
            PERFORM client_id FROM client_registry.client_bank_account WHERE iban ILIKE '%' || p.iban || '%';
            INSERT INTO lat VALUES ('IBAN', 'ILIKE scan', extract(epoch FROM clock_timestamp() - t0) * 1000, true);
            t0 := clock_timestamp();
            PERFORM id FROM client_registry.client WHERE name ILIKE '%' || p.fragment || '%';
            INSERT INTO lat VALUES ('name fragment', 'ILIKE scan', extract(epoch FROM clock_timestamp() - t0) * 1000, true);
            t0 := clock_timestamp();
            PERFORM id FROM client_registry.client WHERE name ILIKE '%' || p.misspelt || '%';
            INSERT INTO lat VALUES ('misspelt name', 'ILIKE scan', extract(epoch FROM clock_timestamp() - t0) * 1000, false);
        END IF;
    END LOOP;
END
$$;

\pset footer off
SELECT l.kase AS "case", l.method, count(*) AS queries,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 2) AS median_ms,
       round(percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)::numeric, 2) AS p95_ms,
       round(100.0 * avg(found::int), 1) AS "found %"
  FROM lat l GROUP BY 1, 2
 ORDER BY array_position(ARRAY['exact code', 'IBAN', 'name fragment', 'misspelt name'], l.kase), 2 DESC;
SELECT s.kase AS "case",
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY c.ms) / percentile_cont(0.5) WITHIN GROUP (ORDER BY s.ms))::numeric, 1)
           AS "scan / search (medians)"
  FROM lat s JOIN (SELECT kase, ms FROM lat WHERE method = 'ILIKE scan') c ON c.kase = s.kase
 WHERE s.method = 'search_clients' GROUP BY 1
 ORDER BY array_position(ARRAY['exact code', 'IBAN', 'name fragment', 'misspelt name'], s.kase);
SELECT company_code, format_iban(iban) AS iban, fragment, misspelt FROM probe WHERE i <= 3;
