-- pgTAP contract of personal data (0.4.0, issue #18): who may erase, record
-- consent and VIES results; erasure runs with the registry's rights within
-- the caller's tenant only; shapes of the new objects.
--
-- Roles (created in this transaction, removed by the ROLLBACK):
--   tap_gdpr_app   the application's grants (tables), no erasure
--   tap_gdpr_dpo   the data protection role: EXECUTE on the erasure
--                  functions and SELECT on client, nothing else
--   tap_gdpr_sales a CRM user whose private task the DPO cannot see
-- Tenants: 9901, 9902.
BEGIN;
SET search_path = client_registry, public;

SELECT plan(52);

-------------------------------------------------------------------------------
-- Shapes
-------------------------------------------------------------------------------
SELECT has_table('client_registry', t, t || ' exists')
  FROM unnest(ARRAY['consent', 'legal_hold', 'personal_data_erasure', 'vat_number_check',
                    'legal_register_import_lv', 'legal_register_import_ee']) AS t;
SELECT col_is_pk('client_registry', t, ARRAY['tenant_id', 'id']::name[], t || ': primary key (tenant_id, id)')
  FROM unnest(ARRAY['consent', 'legal_hold', 'personal_data_erasure', 'vat_number_check']) AS t;
SELECT col_is_pk('client_registry', 'legal_register', ARRAY['tenant_id', 'country', 'company_code']::name[],
                 'legal_register: primary key (tenant_id, country, company_code)');
SELECT has_view('client_registry', v, v || ' exists')
  FROM unnest(ARRAY['consent_current', 'marketing_contacts', 'personal_data_map', 'retained_personal_data',
                    'client_vat_check_latest', 'vies_checks_due']) AS v;
SELECT is_empty($$
    SELECT c.relname FROM pg_class c
     WHERE c.relnamespace = 'client_registry'::regnamespace AND c.relkind = 'v'
       AND c.relname IN ('consent_current', 'marketing_contacts', 'personal_data_map', 'retained_personal_data',
                         'client_vat_check_latest', 'vies_checks_due', 'client_card')
       AND NOT coalesce(c.reloptions @> ARRAY['security_invoker=true'], false)
$$, 'the new views are security_invoker');
SELECT set_has($$ SELECT table_name || '.' || column_name FROM client_registry.personal_data_map $$,
               $$ VALUES ('client.name'), ('client.personal_code'), ('client.email'), ('client.phone'),
                         ('client_contact.email'), ('client_bank_account.iban'), ('invoice.counterparty_name'),
                         ('activity_feed.old_values'), ('client_merge_step.row_images'),
                         ('vat_number_check.returned_name') $$,
               'personal_data_map names the personal columns (only columns this database has)');

-------------------------------------------------------------------------------
-- Function privileges: erasure, holds and the writers of history are granted
-------------------------------------------------------------------------------
SELECT function_privs_are('client_registry', f, args, 'public', ARRAY[]::name[], 'PUBLIC cannot execute ' || f)
  FROM (VALUES ('erase_personal_data', ARRAY['bigint', 'boolean']),
               ('erase_contact_personal_data', ARRAY['bigint', 'boolean']),
               ('run_deferred_erasures', ARRAY[]::text[]),
               ('erasure_run', ARRAY['integer', 'bigint', 'bigint', 'boolean', 'name', 'bigint']),
               ('erasure_in_progress', ARRAY[]::text[]),
               ('place_legal_hold', ARRAY['bigint', 'text']),
               ('release_legal_hold', ARRAY['bigint']),
               ('record_consent', ARRAY['bigint', 'consent_purpose', 'boolean', 'text', 'bigint', 'timestamp with time zone']),
               ('record_vat_number_check', ARRAY['bigint', 'boolean', 'text', 'text', 'text', 'text', 'timestamp with time zone']),
               ('legal_register_lookup', ARRAY['text', 'text']),
               ('consent_before_change', ARRAY[]::text[]),
               ('consent_before_insert', ARRAY[]::text[]),
               ('vat_number_check_before_write', ARRAY[]::text[])) AS f(f, args);

-------------------------------------------------------------------------------
-- Data: tenant 9901 (a person with a private task of another user), 9902
-------------------------------------------------------------------------------
SET client_registry.tenant = 9901;
INSERT INTO client (id, kind, name, company_code) VALUES (99010001, 'own_company', 'UAB Savi', '110003978');
INSERT INTO client (id, kind, legal_form, name, email, phone) VALUES
    (99010002, 'buyer', 'natural_person', 'Petras Slaptasis', 'petras@slaptas.lt', '+370 600 99999');
INSERT INTO crm_user (id, login, full_name) VALUES (99010101, 'tap_gdpr_sales', 'Sales user');
INSERT INTO crm_task (client_id, title, visibility, owner_user_id, assigned_user_id)
VALUES (99010002, 'Privati užduotis: Petras Slaptasis', 'user', 99010101, 99010101);
SET client_registry.tenant = 9902;
INSERT INTO client (id, kind, name, company_code) VALUES (99020001, 'own_company', 'UAB Kiti', '188772433');
INSERT INTO client (id, kind, legal_form, name) VALUES (99020002, 'buyer', 'natural_person', 'Ona Kitoje');

CREATE ROLE tap_gdpr_app NOLOGIN;
CREATE ROLE tap_gdpr_dpo NOLOGIN;
CREATE ROLE tap_gdpr_sales NOLOGIN;
GRANT USAGE ON SCHEMA client_registry TO tap_gdpr_app, tap_gdpr_dpo, tap_gdpr_sales;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA client_registry TO tap_gdpr_app, tap_gdpr_sales;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA client_registry TO tap_gdpr_app;
GRANT SELECT ON client_registry.client, client_registry.personal_data_erasure TO tap_gdpr_dpo;
DO $$ BEGIN
    PERFORM client_registry.grant_tenant(9901, r::regrole) FROM unnest(ARRAY['tap_gdpr_app', 'tap_gdpr_dpo', 'tap_gdpr_sales']) r;
END $$;
GRANT EXECUTE ON FUNCTION client_registry.erase_personal_data(bigint, boolean),
    client_registry.erase_contact_personal_data(bigint, boolean), client_registry.run_deferred_erasures(),
    client_registry.place_legal_hold(bigint, text), client_registry.release_legal_hold(bigint) TO tap_gdpr_dpo;
GRANT EXECUTE ON FUNCTION client_registry.record_consent(bigint, consent_purpose, boolean, text, bigint, timestamptz),
    client_registry.record_vat_number_check(bigint, boolean, text, text, text, text, timestamptz) TO tap_gdpr_app;

-------------------------------------------------------------------------------
-- The application: records consent and VIES results, cannot erase
-------------------------------------------------------------------------------
SET client_registry.tenant = 9901;
SET ROLE tap_gdpr_app;
SELECT lives_ok($$ SELECT client_registry.record_consent(99010002, 'marketing_email', true, 'web form') $$,
                'the application records consent');
SELECT throws_ok($$ SELECT * FROM client_registry.erase_personal_data(99010002) $$, '42501', NULL,
                 'the application cannot erase (EXECUTE not granted)');
SELECT throws_ok($$ SELECT * FROM client_registry.erasure_run(9901, 99010002, NULL, false, 'x', NULL) $$, '42501', NULL,
                 'nor call the erasure''s inside');
SELECT throws_ok($$ SELECT client_registry.place_legal_hold(99010002, 'x') $$, '42501', NULL,
                 'nor place a legal hold');
SELECT throws_ok($$ DELETE FROM client_registry.consent WHERE client_id = 99010002 $$, 'R1801', NULL,
                 'nor delete consent history');
SELECT is((SELECT count(*)::int FROM client_registry.crm_task WHERE client_id = 99010002), 0,
          'another user''s private task is invisible to the application role');
RESET ROLE;

-------------------------------------------------------------------------------
-- The data protection role: EXECUTE is the privilege
-------------------------------------------------------------------------------
SET ROLE tap_gdpr_dpo;
SELECT throws_ok($$ UPDATE client_registry.client SET email = NULL WHERE id = 99010002 $$, '42501', NULL,
                 'the DPO role has no UPDATE on client');
SELECT throws_ok($$ SELECT * FROM client_registry.erasure_run(9901, 99010002, NULL, false, 'x', NULL) $$, '42501', NULL,
                 'the DPO role cannot call the erasure''s inside either');
SET client_registry.tenant = 9902;
SELECT throws_ok($$ SELECT * FROM client_registry.erase_personal_data(99020002) $$, '42501', NULL,
                 'a tenant the role is not a member of: 42501 before anything runs');
SET client_registry.tenant = 9901;
SELECT throws_ok($$ SELECT * FROM client_registry.erase_personal_data(99020002) $$, '23503',
                 'client 99020002 does not exist in tenant 9901',
                 'a client of another tenant is not found');
SELECT ok((SELECT count(*) > 0 FROM client_registry.erase_personal_data(99010002)),
          'the DPO role erases a person of its tenant');
SELECT is((SELECT erased_by::text FROM client_registry.personal_data_erasure WHERE client_id = 99010002),
          'tap_gdpr_dpo', 'the journal names the role that erased');
RESET ROLE;

SELECT is((SELECT name FROM client WHERE id = 99010002), 'Erased person 99010002', 'the card is anonymised');
SELECT is((SELECT title FROM crm_task WHERE client_id = 99010002), '[erased]',
          'the private task the DPO could not see is anonymised too (the erasure runs with the registry''s rights)');
SELECT is((SELECT count(*)::int FROM activity_feed WHERE tenant_id = 9901 AND client_id = 99010002
             AND (old_values::text || new_values::text) LIKE '%Slaptasis%'), 0, 'no feed entry keeps the name');
SELECT is((SELECT count(*)::int FROM activity_feed WHERE tenant_id = 9901 AND client_id = 99010002
             AND new_values::text LIKE '%Erased person%'), 0, 'the erasure itself writes nothing to the activity feed');
SELECT is((SELECT name FROM client WHERE id = 99020002), 'Ona Kitoje', 'tenant 9902 is untouched');
SELECT ok(NOT erasure_in_progress(), 'the erasure flag is down after the call');

-- the owner cannot call the inside directly either
SELECT throws_ok($$ SELECT * FROM client_registry.erasure_run(9902, 99020002, NULL, false, 'postgres', NULL) $$,
                 'R1804', NULL, 'erasure_run() refuses outside the erasure functions (R1804)');

-- a role with the application's rights but no EXECUTE on record_consent
SET ROLE tap_gdpr_sales;
SELECT throws_ok($$ SELECT client_registry.record_consent(99010002, 'marketing_email', true, 'x') $$, '42501', NULL,
                 'record_consent is granted, not public');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
