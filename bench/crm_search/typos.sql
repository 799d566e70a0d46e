-- bench/crm_search/typos.sql -- section 3 of bench/crm_search.sh: the typo
-- query set of bench/search_typos/queries.sql (k queries per case, each with
-- its expected card), run through search_clients() and through a pg_trgm
-- baseline in the same run, alternating query by query.  Latency (median,
-- p95) and recall (the expected card among the results) of both.
--
-- The baseline is a plain pg_trgm search as one would write it without the
-- extension's search dictionary (what 0.3.0's typo step did): the cards whose
-- folded search text has a word similar to the folded query
-- (client_search_text(...) %> query, word_similarity >= 0.6, served by
-- client_search_idx), the best max_results = 20 by word_similarity.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET search_path = client_registry, public;
SET pg_trgm.word_similarity_threshold = 0.6;

\ir ../search_typos/queries.sql

CREATE FUNCTION pg_temp.trgm_search(query text) RETURNS SETOF bigint
LANGUAGE sql STABLE AS $$
    SELECT c.id
      FROM client_registry.client c
     WHERE c.is_active
       AND client_registry.client_search_text(c.name, c.short_name, c.first_name, c.last_name,
               c.company_code, c.vat_code, c.email, c.phone) %> client_registry.search_fold(query)
     ORDER BY word_similarity(client_registry.search_fold(query),
               client_registry.client_search_text(c.name, c.short_name, c.first_name, c.last_name,
               c.company_code, c.vat_code, c.email, c.phone)) DESC, c.id
     LIMIT 20
$$;

CREATE TEMP TABLE lat (kase text, o int, method text, ms float8, found bool, rows int);
DO $$
DECLARE
    r record;
    t0 timestamptz;
    hit bool;
    n int;
    m text;
    i int := 0;
BEGIN
    FOR r IN SELECT * FROM q ORDER BY o LIMIT 30 LOOP       -- warm-up
        PERFORM * FROM client_registry.search_clients(r.query);
        PERFORM * FROM pg_temp.trgm_search(r.query);
    END LOOP;
    FOR r IN SELECT * FROM q ORDER BY hashtext(query) LOOP
        i := i + 1;
        -- alternate which method runs first, so both see the same caches
        FOREACH m IN ARRAY CASE WHEN i % 2 = 0 THEN ARRAY['search_clients', 'pg_trgm']
                                ELSE ARRAY['pg_trgm', 'search_clients'] END LOOP
            t0 := clock_timestamp();
            IF m = 'search_clients' THEN
                SELECT coalesce(bool_or(s.client_id = r.id), false), count(*) INTO hit, n
                  FROM client_registry.search_clients(r.query) s;
            ELSE
                SELECT coalesce(bool_or(s = r.id), false), count(*) INTO hit, n
                  FROM pg_temp.trgm_search(r.query) s;
            END IF;
            INSERT INTO lat VALUES (r.kase, r.o, m, extract(epoch FROM clock_timestamp() - t0) * 1000, hit, n);
        END LOOP;
    END LOOP;
END
$$;

\pset footer off
WITH a AS (
    SELECT kase, o, method, count(*) AS queries,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS med,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY ms) AS p95,
           100.0 * avg(found::int) AS recall
      FROM lat GROUP BY 1, 2, 3)
SELECT s.kase AS "case", s.queries,
       round(s.med::numeric, 2) AS "search median", round(s.p95::numeric, 2) AS "search p95",
       round(s.recall, 0) AS "search recall %",
       round(t.med::numeric, 2) AS "pg_trgm median", round(t.p95::numeric, 2) AS "pg_trgm p95",
       round(t.recall, 0) AS "pg_trgm recall %",
       round((t.med / s.med)::numeric, 1) AS "pg_trgm / search (medians)"
  FROM a s JOIN a t ON t.kase = s.kase AND t.method = 'pg_trgm'
 WHERE s.method = 'search_clients'
 ORDER BY s.o;
SELECT kase AS "case", query AS "example query" FROM (SELECT DISTINCT ON (o) o, kase, query FROM q ORDER BY o, id) x ORDER BY o;
