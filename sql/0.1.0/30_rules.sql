
-------------------------------------------------------------------------------
-- Rules enforced in C, whatever client writes (triggers)
-------------------------------------------------------------------------------

CREATE FUNCTION tenant_before_write() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_tenant_before_write' LANGUAGE C;
COMMENT ON FUNCTION tenant_before_write() IS 'Trigger: checks custom field definitions and refuses to drop or retype a field in use.';
CREATE TRIGGER tenant_10_before_write BEFORE INSERT OR UPDATE ON tenant
    FOR EACH ROW EXECUTE FUNCTION tenant_before_write();

CREATE FUNCTION ensure_tenant() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_ensure_tenant' LANGUAGE C;
COMMENT ON FUNCTION ensure_tenant() IS 'Trigger: creates the tenant row on the tenant''s first write.';

CREATE FUNCTION client_before_write() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_client_before_write' LANGUAGE C;
COMMENT ON FUNCTION client_before_write() IS
    'Trigger: normalises and validates the client card (name, country, company/personal/VAT codes, e-mail, custom fields), enforces unique company codes with a named duplicate, keeps tenant and own company fixed, stamps updated_at.';
CREATE TRIGGER client_10_before_write BEFORE INSERT OR UPDATE ON client
    FOR EACH ROW EXECUTE FUNCTION client_before_write();

CREATE FUNCTION client_before_delete() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_client_before_delete' LANGUAGE C;
COMMENT ON FUNCTION client_before_delete() IS
    'Trigger: refuses to delete a client that other rows reference (R2.3).';
CREATE TRIGGER client_20_before_delete BEFORE DELETE ON client
    FOR EACH ROW EXECUTE FUNCTION client_before_delete();

CREATE FUNCTION client_after_insert_statement() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_client_after_insert_statement' LANGUAGE C;
COMMENT ON FUNCTION client_after_insert_statement() IS
    'Trigger: a tenant''s clients start with its own company (R1.5); checked once per statement.';
CREATE TRIGGER client_30_own_company_first AFTER INSERT ON client
    REFERENCING NEW TABLE AS cr_new_clients
    FOR EACH STATEMENT EXECUTE FUNCTION client_after_insert_statement();

CREATE FUNCTION client_after_delete_statement() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_client_after_delete_statement' LANGUAGE C;
COMMENT ON FUNCTION client_after_delete_statement() IS
    'Trigger: the own company is deleted only together with or after the last other client of its tenant; checked once per statement with the tenant row locked.';
CREATE TRIGGER client_31_own_company_last AFTER DELETE ON client
    REFERENCING OLD TABLE AS cr_old_clients
    FOR EACH STATEMENT EXECUTE FUNCTION client_after_delete_statement();

CREATE TRIGGER client_group_10_ensure_tenant BEFORE INSERT ON client_group
    FOR EACH ROW EXECUTE FUNCTION ensure_tenant();
CREATE TRIGGER label_10_ensure_tenant BEFORE INSERT ON label
    FOR EACH ROW EXECUTE FUNCTION ensure_tenant();

CREATE FUNCTION child_before_write() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_child_before_write' LANGUAGE C;
COMMENT ON FUNCTION child_before_write() IS
    'Trigger: normalises and validates addresses (country), bank accounts (IBAN, BIC, currency, bank code) and contacts (e-mail); stamps updated_at.';

CREATE FUNCTION primary_before_write() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_primary_before_write' LANGUAGE C;
COMMENT ON FUNCTION primary_before_write() IS
    'Trigger: one primary per client: the first row becomes primary, a new primary demotes the old one (client row locked), the primary flag cannot be switched off directly.';

CREATE FUNCTION primary_after_remove() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_primary_after_remove' LANGUAGE C;
COMMENT ON FUNCTION primary_after_remove() IS
    'Trigger: when the primary row is deleted or moved to another client, the oldest remaining row becomes primary.';

CREATE TRIGGER client_address_10_normalize BEFORE INSERT OR UPDATE ON client_address
    FOR EACH ROW EXECUTE FUNCTION child_before_write('address');
CREATE TRIGGER client_address_20_primary BEFORE INSERT OR UPDATE OF is_primary, client_id ON client_address
    FOR EACH ROW EXECUTE FUNCTION primary_before_write('address');
CREATE TRIGGER client_address_30_successor_on_delete AFTER DELETE ON client_address
    FOR EACH ROW WHEN (OLD.is_primary) EXECUTE FUNCTION primary_after_remove();
CREATE TRIGGER client_address_31_successor_on_move AFTER UPDATE OF client_id ON client_address
    FOR EACH ROW WHEN (OLD.is_primary AND OLD.client_id IS DISTINCT FROM NEW.client_id)
    EXECUTE FUNCTION primary_after_remove();

CREATE TRIGGER client_bank_account_10_normalize BEFORE INSERT OR UPDATE ON client_bank_account
    FOR EACH ROW EXECUTE FUNCTION child_before_write('bank_account');
CREATE TRIGGER client_bank_account_20_primary BEFORE INSERT OR UPDATE OF is_primary, client_id ON client_bank_account
    FOR EACH ROW EXECUTE FUNCTION primary_before_write('bank account');
CREATE TRIGGER client_bank_account_30_successor_on_delete AFTER DELETE ON client_bank_account
    FOR EACH ROW WHEN (OLD.is_primary) EXECUTE FUNCTION primary_after_remove();
CREATE TRIGGER client_bank_account_31_successor_on_move AFTER UPDATE OF client_id ON client_bank_account
    FOR EACH ROW WHEN (OLD.is_primary AND OLD.client_id IS DISTINCT FROM NEW.client_id)
    EXECUTE FUNCTION primary_after_remove();

CREATE TRIGGER client_contact_10_normalize BEFORE INSERT OR UPDATE ON client_contact
    FOR EACH ROW EXECUTE FUNCTION child_before_write('contact');
CREATE TRIGGER client_contact_20_primary BEFORE INSERT OR UPDATE OF is_primary, client_id ON client_contact
    FOR EACH ROW EXECUTE FUNCTION primary_before_write('contact');
CREATE TRIGGER client_contact_30_successor_on_delete AFTER DELETE ON client_contact
    FOR EACH ROW WHEN (OLD.is_primary) EXECUTE FUNCTION primary_after_remove();
CREATE TRIGGER client_contact_31_successor_on_move AFTER UPDATE OF client_id ON client_contact
    FOR EACH ROW WHEN (OLD.is_primary AND OLD.client_id IS DISTINCT FROM NEW.client_id)
    EXECUTE FUNCTION primary_after_remove();

-------------------------------------------------------------------------------
-- Functions for applications and later document tables
-------------------------------------------------------------------------------

CREATE FUNCTION assert_client_role(client_id bigint, role text) RETURNS void
    AS 'MODULE_PATHNAME', 'cr_assert_client_role' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION assert_client_role(bigint, text) IS
    'R1.3 for documents: raises 23514 unless the client of the current tenant may be used in a ''sale'' (buyer or buyer_supplier with a sales tax category) or a ''purchase'' (supplier or buyer_supplier with a purchase tax category); inactive clients are refused; 23503 for an unknown client.';

CREATE FUNCTION define_custom_field(name text, data_type custom_field_type, description text DEFAULT NULL)
RETURNS void LANGUAGE sql
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    INSERT INTO client_registry.tenant (id) VALUES (client_registry.current_tenant()) ON CONFLICT DO NOTHING;
    UPDATE client_registry.tenant
       SET custom_fields = custom_fields
           || jsonb_build_object(define_custom_field.name,
                                 jsonb_strip_nulls(jsonb_build_object('type', define_custom_field.data_type::text,
                                                                      'description', define_custom_field.description)))
     WHERE id = client_registry.current_tenant();
END;
COMMENT ON FUNCTION define_custom_field(text, custom_field_type, text) IS
    'Defines (or redefines the description/type of an unused) user-defined client field for the current tenant.';

CREATE FUNCTION drop_custom_field(name text) RETURNS void LANGUAGE sql
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    UPDATE client_registry.tenant SET custom_fields = custom_fields - drop_custom_field.name
     WHERE id = client_registry.current_tenant();
END;
COMMENT ON FUNCTION drop_custom_field(text) IS
    'Drops a user-defined client field of the current tenant; refused (2BP01) while a client has a value for it.';

CREATE VIEW custom_field WITH (security_invoker = true) AS
SELECT t.id AS tenant_id, d.key AS name, (d.value ->> 'type')::client_registry.custom_field_type AS data_type,
       d.value ->> 'description' AS description
  FROM client_registry.tenant t, LATERAL jsonb_each(t.custom_fields) d;
COMMENT ON VIEW custom_field IS 'The user-defined client fields of each tenant (from tenant.custom_fields).';
COMMENT ON COLUMN custom_field.tenant_id IS 'Tenant.';
COMMENT ON COLUMN custom_field.name IS 'Key in client.custom_fields.';
COMMENT ON COLUMN custom_field.data_type IS 'text, integer, numeric, boolean or date.';
COMMENT ON COLUMN custom_field.description IS 'What the field is for.';
