-- bench/duplicates/measure.sql -- quality of duplicate_clusters() and of the
-- 0.3.0 view duplicate_candidates against bench_truth (tenant 1).
\set ON_ERROR_STOP on
SET client_registry.tenant = 1;
CREATE TEMP TABLE truth_pairs AS
SELECT a.id AS a, b.id AS b FROM bench_truth a JOIN bench_truth b ON a.party = b.party AND a.id < b.id;
CREATE TEMP TABLE ours AS SELECT * FROM client_registry.duplicate_clusters();
CREATE TEMP TABLE our_pairs AS
SELECT DISTINCT x AS a, y AS b, o.strength FROM ours o, unnest(o.client_ids) x, unnest(o.client_ids) y WHERE x < y;
CREATE TEMP TABLE old_pairs AS
SELECT DISTINCT x AS a, y AS b FROM client_registry.duplicate_candidates d, unnest(d.client_ids) x, unnest(d.client_ids) y
 WHERE d.tenant_id = 1 AND x < y;
SELECT 'new' AS what,
       (SELECT count(*) FROM ours) AS clusters,
       (SELECT max(cardinality(client_ids)) FROM ours) AS largest,
       (SELECT count(*) FROM our_pairs) AS pairs,
       round(100.0 * (SELECT count(*) FROM our_pairs p JOIN truth_pairs t USING (a, b) WHERE p.strength = 'strong')
             / nullif((SELECT count(*) FROM our_pairs WHERE strength = 'strong'), 0), 1) AS strong_precision,
       round(100.0 * (SELECT count(*) FROM our_pairs p JOIN truth_pairs t USING (a, b))
             / nullif((SELECT count(*) FROM our_pairs), 0), 1) AS precision,
       round(100.0 * (SELECT count(*) FROM our_pairs p JOIN truth_pairs t USING (a, b))
             / (SELECT count(*) FROM truth_pairs), 1) AS recall
UNION ALL
SELECT '0.3.0', (SELECT count(*) FROM client_registry.duplicate_candidates WHERE tenant_id = 1),
       (SELECT max(clients) FROM client_registry.duplicate_candidates WHERE tenant_id = 1),
       (SELECT count(*) FROM old_pairs), NULL,
       round(100.0 * (SELECT count(*) FROM old_pairs p JOIN truth_pairs t USING (a, b)) / nullif((SELECT count(*) FROM old_pairs), 0), 1),
       round(100.0 * (SELECT count(*) FROM old_pairs p JOIN truth_pairs t USING (a, b)) / (SELECT count(*) FROM truth_pairs), 1);
-- planted pairs missed (first 10, for the log)
SELECT t.a, ca.name AS name_a, t.b, cb.name AS name_b
  FROM truth_pairs t JOIN client_registry.client ca ON ca.id = t.a JOIN client_registry.client cb ON cb.id = t.b
 WHERE NOT EXISTS (SELECT 1 FROM our_pairs p WHERE p.a = t.a AND p.b = t.b) ORDER BY t.a LIMIT 10;
-- wrong pairs (first 10)
SELECT p.a, ca.name AS name_a, p.b, cb.name AS name_b, p.strength
  FROM our_pairs p JOIN client_registry.client ca ON ca.id = p.a JOIN client_registry.client cb ON cb.id = p.b
 WHERE NOT EXISTS (SELECT 1 FROM truth_pairs t WHERE p.a = t.a AND p.b = t.b) ORDER BY p.a LIMIT 10;
