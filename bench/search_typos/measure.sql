-- bench/search_typos/measure.sql -- typo search latency and recall, run in
-- both databases of bench/search_typos.sh (0.4.0 and the 0.3.0 baseline) with
-- the same probes (setseed).  psql variable k: probes per case.  Leaves the
-- rows in the table lat_out for the script to compare.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET search_path = client_registry, public;
SELECT setseed(0.42);

-- Probes: random active clients and their two name words (folded).
CREATE TEMP TABLE probe AS
SELECT row_number() OVER () AS i, c.id, w.w1, w.w2
  FROM (SELECT * FROM client WHERE is_active AND kind = 'buyer' ORDER BY hashint4(id::int) LIMIT :k * 20) AS c,
       LATERAL (SELECT (regexp_split_to_array(search_fold(c.name), '[^a-z0-9]+'))[2] AS w1,
                       (regexp_split_to_array(search_fold(c.name), '[^a-z0-9]+'))[3] AS w2) AS w;

-- The query set: each case with the probes it applies to (its expected hit
-- is the probe's card).
CREATE TEMP TABLE q AS
SELECT 'exact words' AS kase, 1 AS o, id, w1 || ' ' || w2 AS query FROM probe WHERE i <= :k
UNION ALL
SELECT 'prefix of a word', 2, id, left(w1, 4) || ' ' || w2 FROM probe WHERE i <= :k
UNION ALL   -- the commonest Lithuanian typo: a letter replaced (y -> i, here the 3rd by x)
SELECT 'one typo (replaced)', 3, id, overlay(w1 placing 'x' from 3 for 1) || ' ' || w2
  FROM (SELECT * FROM probe WHERE length(w1) >= 5 ORDER BY i LIMIT :k) p
UNION ALL
SELECT 'one typo (swapped)', 4, id, overlay(w1 placing substr(w1, 3, 1) || substr(w1, 2, 1) from 2 for 2) || ' ' || w2
  FROM (SELECT * FROM probe WHERE length(w1) >= 5 AND substr(w1, 2, 1) <> substr(w1, 3, 1) ORDER BY i LIMIT :k) p
UNION ALL
SELECT 'one typo (letter left out)', 5, id, w2 || ' ' || overlay(w1 placing '' from 4 for 1)
  FROM (SELECT * FROM probe WHERE length(w1) >= 6 ORDER BY i LIMIT :k) p
UNION ALL
SELECT 'a typo in each word', 6, id, overlay(w1 placing 'x' from 3 for 1) || ' ' || overlay(w2 placing 'q' from 2 for 1)
  FROM (SELECT * FROM probe WHERE length(w1) >= 5 AND length(w2) >= 5 ORDER BY i LIMIT :k) p
UNION ALL
SELECT 'two typos in 9+ letters', 7, id, overlay(overlay(w1 placing 'x' from 2 for 1) placing 'q' from 7 for 1) || ' ' || w2
  FROM (SELECT * FROM probe WHERE length(w1) >= 9 ORDER BY i LIMIT :k) p
UNION ALL   -- step 3 of 0.4.0 (unchanged from 0.3.0): 5 letters inside a word
SELECT 'name fragment', 8, id, substr(w1, 2, 5) FROM probe WHERE i <= :k AND length(w1) >= 6;

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
