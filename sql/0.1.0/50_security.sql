
-------------------------------------------------------------------------------
-- Tenant isolation (row-level security for every role but the owner)
-------------------------------------------------------------------------------

ALTER TABLE tenant ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant
    USING (id OPERATOR(pg_catalog.=) client_registry.current_tenant())
    WITH CHECK (id OPERATOR(pg_catalog.=) client_registry.current_tenant());

DO $do$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['client', 'client_address', 'client_bank_account', 'client_contact',
                             'client_group', 'client_group_member', 'label', 'client_label']
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE client_registry.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE pg_catalog.format(
            'CREATE POLICY tenant_isolation ON client_registry.%I'
            ' USING (tenant_id OPERATOR(pg_catalog.=) client_registry.current_tenant())'
            ' WITH CHECK (tenant_id OPERATOR(pg_catalog.=) client_registry.current_tenant())', t);
    END LOOP;
END
$do$;

-------------------------------------------------------------------------------
-- Nothing lost: every table and sequence with user data is dumped
-------------------------------------------------------------------------------

SELECT pg_catalog.pg_extension_config_dump('tenant', '');
SELECT pg_catalog.pg_extension_config_dump('client', '');
SELECT pg_catalog.pg_extension_config_dump('client_address', '');
SELECT pg_catalog.pg_extension_config_dump('client_bank_account', '');
SELECT pg_catalog.pg_extension_config_dump('client_contact', '');
SELECT pg_catalog.pg_extension_config_dump('client_group', '');
SELECT pg_catalog.pg_extension_config_dump('client_group_member', '');
SELECT pg_catalog.pg_extension_config_dump('label', '');
SELECT pg_catalog.pg_extension_config_dump('client_label', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('client_registry.client', 'id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('client_registry.client_address', 'id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('client_registry.client_bank_account', 'id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('client_registry.client_contact', 'id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('client_registry.client_group', 'id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('client_registry.label', 'id'), '');

-------------------------------------------------------------------------------
-- Privileges.  No role is created here; the README has the GRANT recipe.
-- Trigger functions are not meant to be called directly.
-------------------------------------------------------------------------------

REVOKE ALL ON FUNCTION tenant_before_write(), ensure_tenant(), client_before_write(), client_before_delete(),
    client_after_insert_statement(), client_after_delete_statement(), child_before_write(), primary_before_write(), primary_after_remove()
    FROM PUBLIC;
