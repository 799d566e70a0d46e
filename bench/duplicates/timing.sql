-- bench/duplicates/timing.sql -- per-call times (ms) of the queue, the 0.3.0
-- view, card_duplicates() and client_duplicates(), each in the same run.
\set ON_ERROR_STOP on
SET client_registry.tenant = 1;
CREATE TEMP TABLE t (what text, ms float8);
-- the backend's own CPU time (user + system, ms; Linux, clock ticks of 10 ms): what the
-- machine's load does not inflate as much as the wall clock
CREATE FUNCTION pg_temp.cpu_ms() RETURNS float8 LANGUAGE sql AS $f$
    SELECT (split_part(s, ' ', 12)::float8 + split_part(s, ' ', 13)::float8) * 10  -- utime, stime
      FROM (SELECT split_part(pg_read_file('/proc/self/stat'), ') ', 2) AS s) x $f$;
SELECT set_config('bench.reps', :'reps', false), set_config('bench.n', :'n', false) \gset
DO $$
DECLARE
    t0 timestamptz; c0 float8; n bigint; r record;
BEGIN
    FOR i IN 1 .. current_setting('bench.reps')::int LOOP
        t0 := clock_timestamp();
        c0 := pg_temp.cpu_ms();
        SELECT count(*) INTO n FROM client_registry.duplicate_clusters();
        INSERT INTO t VALUES ('duplicate_clusters()', 1000 * extract(epoch FROM clock_timestamp() - t0)),
                             ('duplicate_clusters(), backend CPU', pg_temp.cpu_ms() - c0);
        t0 := clock_timestamp();
        SELECT count(*) INTO n FROM client_registry.duplicate_candidates WHERE tenant_id = 1;
        INSERT INTO t VALUES ('0.3.0 duplicate_candidates', 1000 * extract(epoch FROM clock_timestamp() - t0));
    END LOOP;
    -- a card being typed: the planted copies' spelling, with what the copy carries
    FOR r IN SELECT c.* FROM client_registry.client c JOIN bench_truth b ON b.id = c.id
              WHERE c.id > 2 * current_setting('bench.n')::int ORDER BY c.id LIMIT 300 LOOP
        t0 := clock_timestamp();
        SELECT count(*) INTO n FROM client_registry.card_duplicates(r.name, company_code => r.company_code,
               vat_code => r.vat_code, email => r.email, phone => r.phone, legal_form => r.legal_form::text);
        INSERT INTO t VALUES ('card_duplicates()', 1000 * extract(epoch FROM clock_timestamp() - t0));
        t0 := clock_timestamp();
        SELECT count(*) INTO n FROM client_registry.client_duplicates(r.id);
        INSERT INTO t VALUES ('client_duplicates()', 1000 * extract(epoch FROM clock_timestamp() - t0));
    END LOOP;
END
$$;
SELECT what, count(*) AS calls,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1) AS median_ms,
       round(percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)::numeric, 1) AS p95_ms
  FROM t GROUP BY what ORDER BY what;
SELECT round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE what LIKE '0.3.0%')
            / percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE what = 'duplicate_clusters()'))::numeric, 2)
       AS "queue speed-up vs 0.3.0 view (x)"
  FROM t;
-- card_duplicates() finds the copy's party among its answers
SELECT round(100.0 * avg(found::int), 1) AS "card_duplicates finds the party (%)"
  FROM (SELECT c.id, EXISTS (SELECT 1 FROM client_registry.card_duplicates(c.name, company_code => c.company_code,
               vat_code => c.vat_code, email => c.email, phone => c.phone, legal_form => c.legal_form::text) d
                JOIN bench_truth bt ON bt.id = d.duplicate_id WHERE bt.party = b.party AND d.duplicate_id <> c.id) AS found
          FROM client_registry.client c JOIN bench_truth b ON b.id = c.id
         WHERE c.id > 2 * :n ORDER BY c.id LIMIT 300) x;
