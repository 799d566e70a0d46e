
-------------------------------------------------------------------------------
-- 0.4.0: tenants as a security boundary (issue #11).
--
-- A role works in the tenant it sets (client_registry.tenant) only if it is
-- a member of that tenant: a row of tenant_access for the role or for a role
-- whose privileges it has.  current_tenant() -- the expression of every
-- row-level security policy -- is NULL for a non-member, so it reads nothing;
-- every write of a non-member fails with 42501 (tenant_write_guard, below in
-- 95_tenant_guard.sql, and the row triggers).  The owner, superusers and
-- BYPASSRLS roles work across tenants as before.  src/tenant_access.c.
-------------------------------------------------------------------------------

CREATE TABLE tenant_access (
    member      regrole NOT NULL,
    member_name name NOT NULL,
    tenant_id   integer REFERENCES tenant (id) ON DELETE CASCADE,
    granted_by  name NOT NULL DEFAULT current_user,
    granted_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT tenant_access_key UNIQUE NULLS NOT DISTINCT (member, tenant_id)
);
CREATE INDEX tenant_access_tenant_idx ON tenant_access (tenant_id);
COMMENT ON TABLE tenant_access IS
    'Which roles may work in which tenant (issue #11). A row for a group role counts for every role that has its privileges. tenant_id NULL: every tenant (a pooled application role that sets the tenant per transaction). Written with grant_tenant(), grant_all_tenants(), revoke_tenant(), revoke_all_tenants(); readable only by the owner.';
COMMENT ON COLUMN tenant_access.member IS 'The role (login role or group role) that is a member.';
COMMENT ON COLUMN tenant_access.member_name IS 'The role''s name when the membership was granted (set by a trigger). A row grants nothing once the role of that OID no longer has this name: a dropped role''s OID reused by a new role, or a renamed role (grant it again). grant and revoke functions remove such rows.';
COMMENT ON COLUMN tenant_access.tenant_id IS 'The tenant; NULL means every tenant.';
COMMENT ON COLUMN tenant_access.granted_by IS 'Who granted the membership.';
COMMENT ON COLUMN tenant_access.granted_at IS 'When the membership was granted.';

SELECT pg_catalog.pg_extension_config_dump('tenant_access', '');

CREATE FUNCTION tenant_access_before_write() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_tenant_access_before_write' LANGUAGE C;
COMMENT ON FUNCTION tenant_access_before_write() IS 'Trigger: records the member role''s name with its OID.';
CREATE TRIGGER tenant_access_before_write BEFORE INSERT OR UPDATE ON tenant_access
    FOR EACH ROW EXECUTE FUNCTION tenant_access_before_write();

-- Rows of roles that were dropped (or renamed) since they were granted.
-- On Citus tenant_access is a reference table whose placements hold each
-- node's own role OIDs (a role is written by name and each node resolves
-- it), so there the rows are matched by name: a row whose recorded name is
-- no role any more goes (a row whose OID died grants nothing anyway).
CREATE FUNCTION tenant_access_forget_stale() RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    distributed boolean := false;
    roles name[];
BEGIN
    IF pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
        EXECUTE 'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition p'
                '  WHERE p.logicalrelid OPERATOR(pg_catalog.=) ''client_registry.tenant_access''::pg_catalog.regclass)'
           INTO distributed;
    END IF;
    IF distributed THEN
        roles := ARRAY(SELECT r.rolname FROM pg_catalog.pg_roles r);
        DELETE FROM client_registry.tenant_access a
         WHERE a.member_name OPERATOR(pg_catalog.<>) ALL (roles);
    ELSE
        DELETE FROM client_registry.tenant_access a
         WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
                            WHERE r.oid OPERATOR(pg_catalog.=) a.member AND r.rolname OPERATOR(pg_catalog.=) a.member_name);
    END IF;
END
$fn$;
COMMENT ON FUNCTION tenant_access_forget_stale() IS
    'Removes memberships whose role was dropped or renamed since (they grant nothing); run by every grant and revoke function.';

CREATE FUNCTION tenant_access_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_tenant_access_changed' LANGUAGE C;
COMMENT ON FUNCTION tenant_access_changed() IS
    'Trigger: a change of tenant_access makes this session look memberships up again.';
CREATE TRIGGER tenant_access_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tenant_access
    FOR EACH STATEMENT EXECUTE FUNCTION tenant_access_changed();

COMMENT ON FUNCTION current_tenant() IS
    'The tenant this statement works in: the setting client_registry.tenant (default 1) when the current role is a member of that tenant (tenant_access, or the owner, a superuser, a BYPASSRLS role), NULL otherwise -- every row-level security policy is tenant_id = current_tenant(), so a non-member reads nothing. Looked up once per statement. On a server with Citus loaded the tenant must be set in the current transaction (SET LOCAL).';

CREATE FUNCTION tenant_member(tenant integer, member regrole) RETURNS boolean
    AS 'MODULE_PATHNAME', 'cr_tenant_member' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION tenant_member(integer, regrole) IS
    'Whether the role may work in the tenant: a tenant_access row for it or for a role whose privileges it has (tenant or every tenant), or a role that row-level security does not apply to (owner, superuser, BYPASSRLS).';

CREATE FUNCTION my_tenants(OUT tenant_id integer, OUT all_tenants boolean) RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'cr_my_tenants' LANGUAGE C STABLE;
COMMENT ON FUNCTION my_tenants() IS
    'The tenants the current role is a member of (one row each); a membership of every tenant is one row with tenant_id NULL and all_tenants true. Roles that row-level security does not apply to get one all_tenants row.';

CREATE FUNCTION tenant_access_lookups() RETURNS bigint
    AS 'MODULE_PATHNAME', 'cr_tenant_access_lookups' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION tenant_access_lookups() IS
    'How many times this backend has read tenant_access (once per statement that needs it, not per row); for tests and diagnostics.';

CREATE FUNCTION grant_tenant(tenant integer, member regrole) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF tenant IS NULL OR member IS NULL THEN
        RAISE EXCEPTION 'grant_tenant needs a tenant and a role'
            USING ERRCODE = '22004',
                  HINT = 'A role that serves every tenant (a pooled application role) is granted with grant_all_tenants(role).';
    END IF;
    IF tenant OPERATOR(pg_catalog.<=) 0 THEN
        RAISE EXCEPTION 'invalid tenant %', tenant
            USING ERRCODE = '22023', HINT = 'Tenants are positive integers.';
    END IF;
    PERFORM client_registry.tenant_access_forget_stale();
    INSERT INTO client_registry.tenant (id) VALUES (tenant) ON CONFLICT DO NOTHING;
    INSERT INTO client_registry.tenant_access (member, tenant_id) VALUES (member, tenant)
        ON CONFLICT ON CONSTRAINT tenant_access_key DO NOTHING;
END
$$;
COMMENT ON FUNCTION grant_tenant(integer, regrole) IS
    'Makes the role (and every role that has its privileges) a member of the tenant; creates the tenant if needed. Idempotent. Owner only (revoked from PUBLIC).';

CREATE FUNCTION grant_all_tenants(member regrole) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF member IS NULL THEN
        RAISE EXCEPTION 'grant_all_tenants needs a role' USING ERRCODE = '22004';
    END IF;
    PERFORM client_registry.tenant_access_forget_stale();
    INSERT INTO client_registry.tenant_access (member, tenant_id) VALUES (member, NULL)
        ON CONFLICT ON CONSTRAINT tenant_access_key DO NOTHING;
END
$$;
COMMENT ON FUNCTION grant_all_tenants(regrole) IS
    'Makes the role a member of every tenant, present and future: a pooled application role that sets the tenant per transaction (SET LOCAL client_registry.tenant). Idempotent. Owner only.';

CREATE FUNCTION revoke_tenant(tenant integer, member regrole) RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    removed boolean;
    via text;
BEGIN
    PERFORM client_registry.tenant_access_forget_stale();
    DELETE FROM client_registry.tenant_access a
     WHERE a.member OPERATOR(pg_catalog.=) revoke_tenant.member
       AND a.tenant_id OPERATOR(pg_catalog.=) revoke_tenant.tenant;
    removed := FOUND;
    SELECT pg_catalog.string_agg(
               CASE WHEN a.member OPERATOR(pg_catalog.=) revoke_tenant.member THEN 'its own membership of every tenant'
                    WHEN a.tenant_id IS NULL THEN pg_catalog.format('the membership of %s (every tenant)', a.member)
                    ELSE pg_catalog.format('the membership of %s', a.member) END,
               ', ' ORDER BY a.member::text) INTO via
      FROM client_registry.tenant_access a
     WHERE (a.tenant_id OPERATOR(pg_catalog.=) revoke_tenant.tenant OR a.tenant_id IS NULL)
       AND pg_catalog.pg_has_role(revoke_tenant.member, a.member, 'USAGE');
    IF via IS NOT NULL THEN
        RAISE WARNING 'role % still works in tenant % through %', member, tenant, via
            USING HINT = 'Revoke that membership too, or the role''s membership of that role.';
    END IF;
    RETURN removed;
END
$$;
COMMENT ON FUNCTION revoke_tenant(integer, regrole) IS
    'Removes the role''s own membership of the tenant; the next statement of every session of the role is refused (writes 42501) or sees nothing. Returns whether a membership was removed; WARNING when the role still works in the tenant through another role. Owner only.';

CREATE FUNCTION revoke_all_tenants(member regrole) RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM client_registry.tenant_access_forget_stale();
    DELETE FROM client_registry.tenant_access a
     WHERE a.member OPERATOR(pg_catalog.=) revoke_all_tenants.member AND a.tenant_id IS NULL;
    RETURN FOUND;
END
$$;
COMMENT ON FUNCTION revoke_all_tenants(regrole) IS
    'Removes the role''s membership of every tenant (its memberships of single tenants stay). Owner only.';

REVOKE ALL ON FUNCTION tenant_access_changed(), tenant_access_before_write(), tenant_access_forget_stale(), grant_tenant(integer, regrole), grant_all_tenants(regrole),
    revoke_tenant(integer, regrole), revoke_all_tenants(regrole), tenant_access_lookups() FROM PUBLIC;

-- Upgrading from 0.3.0: roles that had the registry's tables granted worked in
-- any tenant they SET.  From 0.4.0 on they need a membership; name them.
DO $do$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT DISTINCT g.grantee
          FROM information_schema.role_table_grants g
         WHERE g.table_schema = 'client_registry' AND g.table_name = 'client'
           AND g.grantee NOT IN ('PUBLIC', (SELECT c.relowner::regrole::text FROM pg_catalog.pg_class c
                                             WHERE c.oid = 'client_registry.client'::regclass))
         ORDER BY 1
    LOOP
        RAISE NOTICE 'role % has privileges on client_registry.client but no tenant membership yet', r.grantee
            USING HINT = pg_catalog.format('From 0.4.0 a role works only in tenants it is a member of: SELECT client_registry.grant_tenant(1, %L); (or grant_all_tenants for a pooled role).', r.grantee);
    END LOOP;
END
$do$;

-- tenant_access is the boundary itself: even a role granted every table of the
-- schema (GRANT ... ON ALL TABLES) can only read its own memberships, and
-- nobody but the owner writes it.
ALTER TABLE tenant_access ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_access_own_rows ON tenant_access FOR SELECT
    USING (pg_catalog.pg_has_role(member, 'USAGE'));

CREATE FUNCTION tenant_access_write_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_tenant_access_write_guard' LANGUAGE C;
COMMENT ON FUNCTION tenant_access_write_guard() IS
    'Trigger: only the registry''s owner (or a superuser) writes tenant_access; anyone else gets 42501.';
CREATE TRIGGER tenant_access_write_guard BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON tenant_access
    FOR EACH STATEMENT EXECUTE FUNCTION tenant_access_write_guard();
REVOKE ALL ON FUNCTION tenant_access_write_guard() FROM PUBLIC;
