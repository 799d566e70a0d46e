-- bench/search_typos/queries.sql -- THE typo query set (issue #14), defined
-- once and included (\ir) by bench/search_typos/measure.sql and
-- bench/crm_search/typos.sql.  psql variable k: queries per case.
--
-- Probes: active buyers of the generated data (bench/crm_search/gen.sql),
-- taken in the order of hashint4(id) -- a fixed pseudo-random order, the same
-- in every run and every database of the same N -- and their two name words
-- (folded).  Each case derives its query from a probe deterministically; the
-- expected hit is the probe's card (column id).  Creates the temp tables
-- probe and q (kase, o: the case and its order; id: expected client; query).
SET search_path = client_registry, public;

CREATE TEMP TABLE probe AS
SELECT row_number() OVER () AS i, c.id, w.w1, w.w2
  FROM (SELECT * FROM client WHERE is_active AND kind = 'buyer' ORDER BY hashint4(id::int) LIMIT :k * 20) AS c,
       LATERAL (SELECT (regexp_split_to_array(search_fold(c.name), '[^a-z0-9]+'))[2] AS w1,
                       (regexp_split_to_array(search_fold(c.name), '[^a-z0-9]+'))[3] AS w2) AS w;

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
UNION ALL   -- y/i: the first y of the first word typed as i
SELECT 'y typed as i', 8, id, overlay(w1 placing 'i' from strpos(w1, 'y') for 1) || ' ' || w2
  FROM (SELECT * FROM probe WHERE w1 LIKE '%y%' ORDER BY i LIMIT :k) p
UNION ALL   -- step 3 of 0.4.0 (unchanged from 0.3.0): 5 letters inside a word
SELECT 'name fragment', 9, id, substr(w1, 2, 5) FROM probe WHERE i <= :k AND length(w1) >= 6;
