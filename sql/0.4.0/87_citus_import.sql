-------------------------------------------------------------------------------
-- 0.4.0: the import API on a Citus cluster (issue #17).  import_apply() has
-- a twin taking the tenant first and the staging rows as one jsonb value;
-- citus_distribute() makes it a distributed function (by tenant, co-located
-- with client, force-delegated) so that the import runs on the worker that
-- holds the tenant, against its shards (src/import_delegation.c).  On one
-- node the twin is never called.
-------------------------------------------------------------------------------

CREATE FUNCTION import_apply_at(tenant integer, source text, batch_size integer, staging jsonb)
RETURNS TABLE (kind text, line bigint, external_id text, status text, id bigint,
               sqlstate text, field text, message text, detail text)
    AS 'MODULE_PATHNAME', 'cr_import_apply_at' LANGUAGE C VOLATILE STRICT
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION import_apply_at(integer, text, integer, jsonb) IS
    'Citus only: import_apply(source, batch_size) run on the worker that holds the tenant, with the rows of the caller''s staging tables (import_apply calls it there). The tenant must be the session''s (42501 otherwise). Not for direct use.';
-- like the function it serves: the import right grants both (docs/security.md)
REVOKE ALL ON FUNCTION import_apply_at(integer, text, integer, jsonb) FROM PUBLIC;

CREATE FUNCTION citus_delegate_import() RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension e WHERE e.extname = 'citus') THEN
        RAISE EXCEPTION 'Citus is not installed in this database'
            USING ERRCODE = '55000', HINT = 'client_registry.citus_distribute() calls it on a Citus coordinator.';
    END IF;
    PERFORM pg_catalog.create_distributed_function(
        'client_registry.import_apply_at(integer, text, integer, jsonb)'::pg_catalog.regprocedure, 'tenant',
        colocate_with => 'client_registry.client', force_delegation => true);
END
$fn$;
COMMENT ON FUNCTION citus_delegate_import() IS
    'Issue #17, called by citus_distribute(): makes import_apply_at a distributed function (by its tenant argument, co-located with client, force_delegation) so that an import runs on the worker that holds the tenant.';
REVOKE ALL ON FUNCTION citus_delegate_import() FROM PUBLIC;
