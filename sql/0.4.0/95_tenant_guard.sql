
-------------------------------------------------------------------------------
-- 0.4.0: the tenant boundary on every table, and least privilege (issue #11).
-- This part runs last in 0.4.0 so that it covers every table of the version.
-------------------------------------------------------------------------------

CREATE FUNCTION tenant_write_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_tenant_write_guard' LANGUAGE C;
COMMENT ON FUNCTION tenant_write_guard() IS
    'Trigger (BEFORE INSERT OR UPDATE OR DELETE, per statement) of every tenant table: a role that row-level security applies to and that is not a member of the session''s tenant gets 42501 before any row is touched.';

-- every table under row-level security except tenant_access (its own guard)
DO $do$
DECLARE
    t text;
BEGIN
    FOR t IN
        SELECT c.relname::text FROM pg_catalog.pg_class c
         WHERE c.relnamespace OPERATOR(pg_catalog.=) 'client_registry'::regnamespace
           AND c.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'p']::"char"[]) AND c.relrowsecurity
           AND c.relname OPERATOR(pg_catalog.<>) 'tenant_access'
         ORDER BY 1
    LOOP
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER %I BEFORE INSERT OR UPDATE OR DELETE ON client_registry.%I'
            ' FOR EACH STATEMENT EXECUTE FUNCTION client_registry.tenant_write_guard()',
            t || '_00_tenant_guard', t);
    END LOOP;
END
$do$;

-- Least privilege: only pure validators and the functions row-level
-- security policies and index expressions call stay executable by PUBLIC.
-- docs/security.md has the GRANT recipe for the rest.
REVOKE ALL ON FUNCTION tenant_write_guard() FROM PUBLIC;
REVOKE ALL ON FUNCTION settle_automatically(bigint), define_custom_field(text, custom_field_type, text),
    drop_custom_field(text), balance_discrepancies(), read_camt053(text), assert_client_role(bigint, text),
    search_clients(text, boolean, integer), search_hits_exact(text), search_hits_matching(text),
    search_hits_similar(text), tenant_member(integer, regrole)
    FROM PUBLIC;
