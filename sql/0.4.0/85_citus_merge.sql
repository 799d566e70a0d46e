-------------------------------------------------------------------------------
-- 0.4.0: merge, preview and unmerge on a Citus cluster (issue #17).  Each has
-- a twin taking the tenant first; citus_distribute() makes the twins
-- distributed functions (by tenant, co-located with client, force-delegated)
-- so that the operation runs on the worker that holds the tenant, against
-- its shards (src/merge_delegation.c).  On one node the twins are never
-- called: merge_clients() and friends run as before.
-------------------------------------------------------------------------------

CREATE FUNCTION merge_clients_at(tenant integer, keep bigint, merged bigint[], force boolean)
RETURNS bigint
    AS 'MODULE_PATHNAME', 'cr_merge_clients_at' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION merge_clients_at(integer, bigint, bigint[], boolean) IS
    'Citus only: merge_clients(keep, merged, force) run on the worker that holds the tenant (merge_clients calls it there). The tenant must be the session''s (42501 otherwise). Not for direct use.';

CREATE FUNCTION merge_preview_at(tenant integer, keep bigint, merged bigint[], force boolean)
RETURNS TABLE (step integer, action text, table_name text, constraint_name text,
               from_client bigint, row_count bigint, detail text)
    AS 'MODULE_PATHNAME', 'cr_merge_preview_at' LANGUAGE C VOLATILE STRICT ROWS 20;
COMMENT ON FUNCTION merge_preview_at(integer, bigint, bigint[], boolean) IS
    'Citus only: merge_preview(keep, merged, force) run on the worker that holds the tenant (merge_preview calls it there). The tenant must be the session''s (42501 otherwise). Not for direct use.';

CREATE FUNCTION unmerge_at(tenant integer, merge_id bigint) RETURNS integer
    AS 'MODULE_PATHNAME', 'cr_unmerge_at' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION unmerge_at(integer, bigint) IS
    'Citus only: unmerge(merge_id) run on the worker that holds the tenant (unmerge calls it there). The tenant must be the session''s (42501 otherwise). Not for direct use.';

-- like the functions they serve: the GRANT recipe of docs/security.md grants both
REVOKE ALL ON FUNCTION merge_clients_at(integer, bigint, bigint[], boolean),
    merge_preview_at(integer, bigint, bigint[], boolean), unmerge_at(integer, bigint) FROM PUBLIC;

CREATE FUNCTION citus_delegate_merge() RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension e WHERE e.extname = 'citus') THEN
        RAISE EXCEPTION 'Citus is not installed in this database'
            USING ERRCODE = '55000', HINT = 'client_registry.citus_distribute() calls it on a Citus coordinator.';
    END IF;
    PERFORM pg_catalog.create_distributed_function(f::pg_catalog.regprocedure, 'tenant',
                                                   colocate_with => 'client_registry.client',
                                                   force_delegation => true)
       FROM pg_catalog.unnest(ARRAY['client_registry.merge_clients_at(integer, bigint, bigint[], boolean)',
                                    'client_registry.merge_preview_at(integer, bigint, bigint[], boolean)',
                                    'client_registry.unmerge_at(integer, bigint)']) AS f;
END
$fn$;
COMMENT ON FUNCTION citus_delegate_merge() IS
    'Issue #17, called by citus_distribute(): makes merge_clients_at, merge_preview_at and unmerge_at distributed functions (by their tenant argument, co-located with client, force_delegation) so that a merge runs on the worker that holds the tenant.';
REVOKE ALL ON FUNCTION citus_delegate_merge() FROM PUBLIC;
