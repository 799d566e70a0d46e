-- issue #17: the registry distributed on a coordinator + 2 workers.
-- Tenants 205-209.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
-- one call distributes every table: reference tables first, then every
-- tenant-scoped table by tenant_id, co-located
SELECT split_part(distribution, ',', 1) AS distribution, count(*)
  FROM client_registry.citus_distribute() GROUP BY 1 ORDER BY 1;
-- a second call (after ALTER EXTENSION UPDATE, or to fix the shards' policies) changes nothing
SELECT count(*) AS tables FROM client_registry.citus_distribute();
SELECT count(*) AS tables_not_distributed
  FROM pg_class c JOIN pg_depend d ON d.objid = c.oid AND d.deptype = 'e'
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'client_registry')
   AND c.relkind = 'r'
   AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid);
-- every distributed table is co-located with client
SELECT count(DISTINCT colocationid) AS colocation_groups
  FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid
 WHERE c.relnamespace = 'client_registry'::regnamespace AND p.partmethod = 'h';
-- no unique key without tenant_id is left on a distributed table
SELECT count(*) AS keys_without_tenant
  FROM pg_constraint k JOIN pg_dist_partition p ON p.logicalrelid = k.conrelid AND p.partmethod = 'h'
 WHERE k.contype IN ('p', 'u')
   AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = k.conrelid AND a.attname = 'tenant_id'
                                                 AND a.attnum = ANY (k.conkey));
-- the restrictive policies are restrictive on the shards too (Citus 13.2 makes them permissive)
SELECT DISTINCT result AS shard_policies
  FROM run_command_on_workers($$SELECT string_agg(DISTINCT polpermissive::text, ',') FROM pg_policy p
                                  JOIN pg_class c ON c.oid = p.polrelid
                                 WHERE c.relname LIKE 'crm\_document\_%' AND p.polname = 'crm_visibility'$$);
-- the key of the internal-change token: made once, on every node, hidden from other roles
SELECT count(*) AS keys, bool_and(length(secret) >= 16) AS long_enough FROM client_registry.citus_secret;
SELECT DISTINCT result AS keys_on_workers
  FROM run_command_on_workers('SELECT count(*) FROM client_registry.citus_secret');
-- errors
SELECT client_registry.citus_distribute(0);
\echo :SQLSTATE
-- tenants are reference rows, created from the coordinator
SELECT client_registry.grant_tenant(t, 'postgres') FROM generate_series(205, 209) t;
SELECT count(*) AS tenants FROM client_registry.tenant WHERE id BETWEEN 205 AND 209;
-- a session-level tenant does not reach the workers: they read nothing (never another tenant)
SET client_registry.tenant = 205;
SELECT count(*) FROM client_registry.client;
\echo :SQLSTATE
RESET client_registry.tenant;
-- set in the transaction it reaches every shard
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 205;
SELECT count(*) AS clients_of_205 FROM client_registry.client;
COMMIT;
