-- bench/search_typos/measure.sql -- typo search latency and recall, run in
-- both databases of bench/search_typos.sh (0.4.0 and the 0.3.0 baseline) with
-- the same queries (bench/search_typos/queries.sql).  psql variable k: probes
-- per case.  Leaves the rows in the table lat_out for the script to compare.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET search_path = client_registry, public;
SELECT setseed(0.42);

-- The query set (probes, cases, expected hits): queries.sql, shared with
-- bench/crm_search.sh.
\ir queries.sql

CREATE TEMP TABLE lat (kase text, o int, ms float8, found bool, rows int);
DO $$
DECLARE
    r record;
    t0 timestamptz;
    hit bool;
    n int;
BEGIN
    FOR r IN SELECT * FROM q ORDER BY o LIMIT 30 LOOP       -- warm-up
        PERFORM * FROM client_registry.search_clients(r.query);
    END LOOP;
    FOR r IN SELECT * FROM q ORDER BY hashtext(query) LOOP
        t0 := clock_timestamp();
        SELECT coalesce(bool_or(s.client_id = r.id), false), count(*) INTO hit, n
          FROM client_registry.search_clients(r.query) s;
        INSERT INTO lat VALUES (r.kase, r.o, extract(epoch FROM clock_timestamp() - t0) * 1000, hit, n);
    END LOOP;
END
$$;
DROP TABLE IF EXISTS public.lat_out;
CREATE TABLE public.lat_out AS
SELECT kase, o, count(*) AS queries,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS median_ms,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY ms) AS p95_ms,
       100.0 * avg(found::int) AS recall, avg(rows) AS avg_rows
  FROM lat GROUP BY kase, o;
SELECT kase, query FROM (SELECT DISTINCT ON (o) o, kase, query FROM q ORDER BY o, id) x ORDER BY o;
