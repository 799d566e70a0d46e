-- pgTAP contract: tenant isolation (row-level security) and privileges.
--
-- A real application role is created inside this transaction (roles are
-- cluster-wide, but CREATE ROLE is transactional, so the ROLLBACK at the end
-- removes it).  It gets USAGE on the schema, SELECT on tenant and the views,
-- and SELECT/INSERT/UPDATE/DELETE on the other tables.
--
-- Tenants used (all created and rolled back here): 9101, 9102, 9103.
BEGIN;
SET search_path = client_registry, public;

SELECT plan(70);

-------------------------------------------------------------------------------
-- Policies and row security
-------------------------------------------------------------------------------
SELECT policies_are('client_registry', 'tenant', ARRAY['tenant_isolation'], 'tenant has policy tenant_isolation');
SELECT policies_are('client_registry', 'client', ARRAY['tenant_isolation'], 'client has policy tenant_isolation');
SELECT policies_are('client_registry', 'client_address', ARRAY['tenant_isolation'], 'client_address has policy tenant_isolation');
SELECT policies_are('client_registry', 'client_bank_account', ARRAY['tenant_isolation'], 'client_bank_account has policy tenant_isolation');
SELECT policies_are('client_registry', 'client_contact', ARRAY['tenant_isolation'], 'client_contact has policy tenant_isolation');
SELECT policies_are('client_registry', 'client_group', ARRAY['tenant_isolation'], 'client_group has policy tenant_isolation');
SELECT policies_are('client_registry', 'client_group_member', ARRAY['tenant_isolation'], 'client_group_member has policy tenant_isolation');
SELECT policies_are('client_registry', 'label', ARRAY['tenant_isolation'], 'label has policy tenant_isolation');
SELECT policies_are('client_registry', 'client_label', ARRAY['tenant_isolation'], 'client_label has policy tenant_isolation');

SELECT set_eq(
    $$ SELECT relname::text FROM pg_class
        WHERE relnamespace = 'client_registry'::regnamespace AND relkind IN ('r', 'p') AND relrowsecurity $$,
    ARRAY['tenant', 'client', 'client_address', 'client_bank_account', 'client_contact',
          'client_group', 'client_group_member', 'label', 'client_label',
          -- 0.2.0
          'client_balance', 'invoice', 'invoice_vat_line', 'payment', 'settlement',
          'contract', 'invoice_instalment',
          -- 0.3.0
          'client_merge', 'client_merge_step',
          'bank_statement', 'bank_entry', 'legal_register', 'legal_register_import', 'client_register_fill',
          'crm_department', 'crm_user', 'crm_status', 'crm_interaction', 'crm_task', 'crm_event', 'crm_comment',
          'crm_opportunity', 'crm_order', 'crm_order_line', 'crm_document', 'activity_feed',
          -- 0.4.0
          'tenant_access', 'client_private_note', 'invoice_reference',
                    -- 0.4.0 personal data, VIES, registers of LV and EE
          'consent', 'legal_hold', 'personal_data_erasure', 'vat_number_check',
          'legal_register_import_lv', 'legal_register_import_ee',
                    -- 0.4.0 CRM (issue #19)
          'crm_link', 'crm_product', 'crm_document_type',
                    -- 0.4.0 debts (issue #16)
          'account_entry', 'debt_offset', 'debt_offset_line', 'reminder_level', 'payment_reminder',
                    -- 0.4.0 import (issue #15)
          'import_run', 'import_credit_override',
                    -- 0.4.0 search dictionary (issue #14)
          'search_word',
                    -- 0.4.0 duplicates (issue #14)
          'client_not_duplicate',
                    -- 0.4.0 Citus (issue #17)
          'citus_secret'],
    'row security is enabled on every table');
SELECT is_empty($$
    SELECT relname FROM pg_class
     WHERE relnamespace = 'client_registry'::regnamespace AND relkind IN ('r', 'p') AND NOT relrowsecurity
$$, 'no table of the schema is without row security');
SELECT is_empty($$
    SELECT tablename FROM pg_policies
     WHERE schemaname = 'client_registry'
       AND policyname <> 'crm_visibility'   -- 0.3.0: restrictive visibility on top (08_crm.sql)
       AND policyname <> 'tenant_access_own_rows'   -- 0.4.0: memberships (09_tenant_boundary.sql)
       AND policyname <> 'owner_only'   -- 0.4.0: citus_secret, no role but the owner (issue #17)
       AND (cmd <> 'ALL' OR roles <> '{public}' OR qual IS NULL OR with_check IS NULL
            OR qual !~ 'current_tenant\(\)' OR with_check !~ 'current_tenant\(\)'
            OR permissive <> 'PERMISSIVE')
$$, 'every policy is a permissive FOR ALL TO PUBLIC policy on current_tenant(), with USING and WITH CHECK');

-------------------------------------------------------------------------------
-- Function privileges: trigger functions are not callable, the rest are
-------------------------------------------------------------------------------
SELECT function_privs_are('client_registry', 'tenant_before_write', ARRAY[]::name[], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute tenant_before_write()');
SELECT function_privs_are('client_registry', 'ensure_tenant', ARRAY[]::name[], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute ensure_tenant()');
SELECT function_privs_are('client_registry', 'client_before_write', ARRAY[]::name[], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute client_before_write()');
SELECT function_privs_are('client_registry', 'client_before_delete', ARRAY[]::name[], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute client_before_delete()');
SELECT function_privs_are('client_registry', 'client_after_insert_statement', ARRAY[]::name[], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute client_after_insert_statement()');
SELECT function_privs_are('client_registry', 'child_before_write', ARRAY[]::name[], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute child_before_write()');
SELECT function_privs_are('client_registry', 'primary_before_write', ARRAY[]::name[], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute primary_before_write()');
SELECT function_privs_are('client_registry', 'primary_after_remove', ARRAY[]::name[], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute primary_after_remove()');
SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_proc p
     WHERE p.pronamespace = 'client_registry'::regnamespace AND p.prorettype = 'trigger'::regtype
       AND has_function_privilege('public', p.oid, 'EXECUTE')
$$, 'no trigger function of the schema is executable by PUBLIC');

SELECT function_privs_are('client_registry', 'iban_valid', ARRAY['text'], 'public', ARRAY['EXECUTE'],
                          'PUBLIC can execute iban_valid(text)');
SELECT function_privs_are('client_registry', 'bic_valid', ARRAY['text'], 'public', ARRAY['EXECUTE'],
                          'PUBLIC can execute bic_valid(text)');
SELECT function_privs_are('client_registry', 'email_valid', ARRAY['text'], 'public', ARRAY['EXECUTE'],
                          'PUBLIC can execute email_valid(text)');
SELECT function_privs_are('client_registry', 'country_code_valid', ARRAY['text'], 'public', ARRAY['EXECUTE'],
                          'PUBLIC can execute country_code_valid(text)');
SELECT function_privs_are('client_registry', 'company_code_valid', ARRAY['text', 'text'], 'public', ARRAY['EXECUTE'],
                          'PUBLIC can execute company_code_valid(text, text)');
SELECT function_privs_are('client_registry', 'vat_code_valid', ARRAY['text', 'text'], 'public', ARRAY['EXECUTE'],
                          'PUBLIC can execute vat_code_valid(text, text)');
SELECT function_privs_are('client_registry', 'format_iban', ARRAY['text'], 'public', ARRAY['EXECUTE'],
                          'PUBLIC can execute format_iban(text)');
SELECT function_privs_are('client_registry', 'current_tenant', ARRAY[]::name[], 'public', ARRAY['EXECUTE'],
                          'PUBLIC can execute current_tenant()');
SELECT function_privs_are('client_registry', 'default_country', ARRAY[]::name[], 'public', ARRAY['EXECUTE'],
                          'PUBLIC can execute default_country()');
-- 0.4.0 (issue #11): only validators stay executable by PUBLIC
SELECT function_privs_are('client_registry', 'assert_client_role', ARRAY['bigint', 'text'], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute assert_client_role(bigint, text)');
SELECT function_privs_are('client_registry', 'define_custom_field',
                          ARRAY['text', 'client_registry.custom_field_type', 'text'], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute define_custom_field(text, custom_field_type, text)');
SELECT function_privs_are('client_registry', 'drop_custom_field', ARRAY['text'], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute drop_custom_field(text)');
SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_proc p
     WHERE p.pronamespace = 'client_registry'::regnamespace AND p.prosecdef
$$, 'no function of the schema is SECURITY DEFINER');

-------------------------------------------------------------------------------
-- Data of two tenants, written by the owner
-------------------------------------------------------------------------------
SELECT lives_ok($$
    INSERT INTO client (tenant_id, kind, name, company_code) VALUES (9101, 'own_company', 'UAB Pirma', '110003978');
    INSERT INTO client (tenant_id, kind, name, company_code) VALUES (9101, 'buyer', 'UAB Pirmos pirkejas', '188772433');
    INSERT INTO client (tenant_id, kind, name, company_code) VALUES (9102, 'own_company', 'UAB Antra', '110443493');
    INSERT INTO client (tenant_id, kind, name, company_code) VALUES (9102, 'buyer', 'UAB Antros pirkejas', '124110246');
    INSERT INTO client_address (tenant_id, client_id, city)
         SELECT tenant_id, id, 'Kaunas' FROM client WHERE tenant_id = 9102 AND kind = 'buyer';
    INSERT INTO client_bank_account (tenant_id, client_id, iban)
         SELECT tenant_id, id, 'LT121000011101001000' FROM client WHERE tenant_id = 9102 AND kind = 'buyer'
$$, 'the owner writes clients of tenants 9101 and 9102');

-- sqlstate_of(sql): the SQLSTATE the statement fails with, NULL when it succeeds.
CREATE FUNCTION pg_temp.sqlstate_of(text) RETURNS text LANGUAGE plpgsql AS $f$
BEGIN
    EXECUTE $1;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END
$f$;

-- Ids the application role needs (it cannot look into tenant 9102 itself).
CREATE TEMP TABLE tap_ids AS
    SELECT tenant_id, kind::text AS kind, id FROM client WHERE tenant_id IN (9101, 9102);

-------------------------------------------------------------------------------
-- The application role
-------------------------------------------------------------------------------
CREATE ROLE tap_cr_app NOLOGIN;
DO $$ BEGIN PERFORM client_registry.grant_all_tenants('tap_cr_app'); END $$;   -- 0.4.0: a member of every tenant it sets
GRANT EXECUTE ON FUNCTION client_registry.assert_client_role(bigint, text) TO tap_cr_app;
GRANT USAGE ON SCHEMA client_registry TO tap_cr_app;
GRANT SELECT ON client_registry.tenant TO tap_cr_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON client_registry.client, client_registry.client_address,
    client_registry.client_bank_account, client_registry.client_contact, client_registry.client_group,
    client_registry.client_group_member, client_registry.label, client_registry.client_label TO tap_cr_app;
-- 0.4.0: the card shows the latest VIES check
GRANT SELECT ON client_registry.vat_number_check TO tap_cr_app;
GRANT SELECT ON client_registry.client_card, client_registry.client_address_list,
    client_registry.client_bank_account_list, client_registry.client_contact_list,
    client_registry.custom_field TO tap_cr_app;
GRANT SELECT ON tap_ids TO tap_cr_app;

SET LOCAL client_registry.tenant = 9101;
SET ROLE tap_cr_app;

SELECT is(current_user::text, 'tap_cr_app', 'running as the application role');
SELECT is(current_tenant(), 9101, 'current_tenant() follows client_registry.tenant');
SELECT results_eq(
    $$ SELECT name FROM client ORDER BY name $$,
    ARRAY['UAB Pirma', 'UAB Pirmos pirkejas'],
    'with client_registry.tenant = 9101 the role sees only tenant 9101''s clients');
SELECT is((SELECT count(*)::int FROM client WHERE tenant_id = 9102), 0,
          'tenant 9102''s clients are invisible, even when asked for by tenant_id');
SELECT results_eq($$ SELECT id FROM tenant $$, ARRAY[9101], 'the role sees only its own tenant row');
SELECT results_eq(
    $$ SELECT DISTINCT tenant_id FROM client_card $$, ARRAY[9101],
    'client_card (security_invoker) shows only the current tenant');
SELECT is_empty($$ SELECT 1 FROM client_address_list $$,
                'client_address_list (security_invoker) hides the other tenant''s addresses');
SELECT is_empty($$ SELECT 1 FROM client_bank_account_list $$,
                'client_bank_account_list (security_invoker) hides the other tenant''s bank accounts');
SELECT is_empty($$ SELECT 1 FROM client_address WHERE tenant_id = 9102 $$,
                'client_address rows of the other tenant are invisible');

SELECT throws_ok(
    $$ INSERT INTO client (tenant_id, kind, name) VALUES (9102, 'buyer', 'UAB Isibrovelis') $$,
    '42501', NULL, 'inserting a client with tenant_id = 9102 under tenant 9101 fails (42501)');
-- The primary-flag trigger may refuse first (23503: the role cannot see the
-- client); row security (42501) otherwise.  Either way the row is refused.
SELECT ok(pg_temp.sqlstate_of(
    $$ INSERT INTO client_address (tenant_id, client_id, city)
       SELECT 9102, id, 'Klaipeda' FROM tap_ids WHERE tenant_id = 9102 AND kind = 'buyer' $$)
          IN ('42501', '23503'),
    'inserting an address into the other tenant fails (42501 or 23503)');
SELECT throws_ok(
    $$ INSERT INTO client_address (client_id, city)
       SELECT id, 'Klaipeda' FROM tap_ids WHERE tenant_id = 9102 AND kind = 'buyer' $$,
    '23503', NULL, 'an address of the own tenant cannot point at the other tenant''s client (23503)');
SELECT throws_ok(
    $$ INSERT INTO tenant (id) VALUES (9109) $$,
    '42501', NULL, 'the role has no INSERT right on tenant (42501)');
SELECT lives_ok(
    $$ UPDATE client SET notes = 'changed by tenant 9101' WHERE tenant_id = 9102;
       UPDATE client SET notes = 'changed by tenant 9101' WHERE id IN (SELECT id FROM tap_ids WHERE tenant_id = 9102);
       DELETE FROM client_address WHERE tenant_id = 9102;
       DELETE FROM client WHERE id IN (SELECT id FROM tap_ids WHERE tenant_id = 9102 AND kind = 'buyer') $$,
    'UPDATE and DELETE aimed at the other tenant run (and touch nothing)');
SELECT throws_ok(
    $$ UPDATE client SET tenant_id = 9102 WHERE name = 'UAB Pirmos pirkejas' $$,
    '42501', NULL, 'the role cannot move its client to the other tenant (42501, before any rule runs)');

SELECT lives_ok(
    $$ INSERT INTO client (kind, name, company_code, vat_code) VALUES ('buyer', 'UAB Naujas', '112029651', 'LT119511515');
       INSERT INTO client_address (client_id, city) SELECT id, 'Vilnius' FROM client WHERE name = 'UAB Naujas';
       INSERT INTO client_bank_account (client_id, iban) SELECT id, 'LT927300010177178794' FROM client WHERE name = 'UAB Naujas';
       INSERT INTO client_contact (client_id, first_name) SELECT id, 'Ona' FROM client WHERE name = 'UAB Naujas' $$,
    'the role writes a client with an address, a bank account and a contact in its tenant');
SELECT results_eq(
    $$ SELECT address_city, iban COLLATE "default", contact_name FROM client_card WHERE name = 'UAB Naujas' $$,
    $$ VALUES ('Vilnius'::text, 'LT927300010177178794'::text, 'Ona'::text) $$,
    'the role''s new card shows its primary address, bank account and contact');
SELECT throws_ok(
    $$ INSERT INTO client (kind, name, company_code) VALUES ('buyer', 'UAB Dublikatas', '110003978') $$,
    '23505', NULL, 'the duplicate company code rule holds for the role (23505)');
SELECT lives_ok(
    $$ INSERT INTO client (kind, name, company_code) VALUES ('buyer', 'UAB Kodas is 9102', '124110246') $$,
    'a company code used only in another tenant is free in this one');
SELECT throws_ok(
    $$ SELECT assert_client_role((SELECT id FROM client WHERE name = 'UAB Pirmos pirkejas'), 'purchase') $$,
    '23514', NULL, 'assert_client_role runs for the role: a buyer is refused in a purchase (23514)');
SELECT throws_ok(
    $$ SELECT assert_client_role((SELECT id FROM tap_ids WHERE tenant_id = 9102 AND kind = 'buyer'), 'sale') $$,
    '23503', NULL, 'assert_client_role does not find the other tenant''s client (23503)');
SELECT throws_ok(
    $$ SELECT client_registry.ensure_tenant() $$,
    '42501', NULL, 'the role cannot call a trigger function (42501)');
SELECT is(iban_valid('LT121000011101001000'), true, 'the role can call the validators');

-- The same role, another tenant.
SET LOCAL client_registry.tenant = 9102;
SELECT results_eq(
    $$ SELECT name FROM client ORDER BY name $$,
    ARRAY['UAB Antra', 'UAB Antros pirkejas'],
    'with client_registry.tenant = 9102 the role sees only tenant 9102''s clients');
SELECT results_eq(
    $$ SELECT city FROM client_address $$, ARRAY['Kaunas'],
    'and only tenant 9102''s addresses');

-- A brand-new tenant: the tenant row is created for the role.
SET LOCAL client_registry.tenant = 9103;
SELECT lives_ok(
    $$ INSERT INTO client (kind, name, company_code) VALUES ('own_company', 'UAB Trecia', '188710823') $$,
    'the role starts a new tenant with its own company (no INSERT right on tenant needed)');
SELECT results_eq($$ SELECT id FROM tenant $$, ARRAY[9103], 'the new tenant row exists and is visible');
SELECT lives_ok(
    $$ INSERT INTO label (name) VALUES ('VIP'); INSERT INTO client_group (name) VALUES ('Didmena') $$,
    'the role adds a label and a group to its tenant');
SELECT throws_ok(
    $$ INSERT INTO client (kind, name) VALUES ('buyer', 'Be savininko') ; DELETE FROM client WHERE kind = 'own_company' $$,
    '55000', NULL, 'the role cannot delete its own company while other clients exist (55000)');

RESET ROLE;

-------------------------------------------------------------------------------
-- The owner sees everything
-------------------------------------------------------------------------------
SET LOCAL client_registry.tenant = 9101;
SELECT is(current_user::text, session_user::text, 'back to the owner');
SELECT results_eq(
    $$ SELECT tenant_id, count(*)::int FROM client WHERE tenant_id IN (9101, 9102, 9103) GROUP BY 1 ORDER BY 1 $$,
    $$ VALUES (9101, 4), (9102, 2), (9103, 1) $$,
    'the owner sees the clients of every tenant');
SELECT is((SELECT count(*)::int FROM client WHERE tenant_id = 9102 AND notes IS NOT NULL), 0,
          'the other tenant''s clients were not changed by the role');
SELECT is((SELECT count(*)::int FROM client_address WHERE tenant_id = 9102), 1,
          'the other tenant''s address was not deleted by the role');
SELECT results_eq(
    $$ SELECT id FROM tenant WHERE id IN (9101, 9102, 9103) ORDER BY id $$,
    ARRAY[9101, 9102, 9103], 'the owner sees every tenant row');
SELECT is((SELECT count(*)::int FROM client_card WHERE tenant_id IN (9101, 9102, 9103)), 7,
          'client_card shows the owner every tenant');

SELECT * FROM finish();
ROLLBACK;
