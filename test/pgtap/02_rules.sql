-- pgTAP contract: the rules the C triggers enforce, with their SQLSTATEs,
-- and the happy paths (normalisation, primary flags, custom fields,
-- assert_client_role).
--
-- Tenants used (all created and rolled back here):
--   9001  the main tenant of this file
--   9002  a tenant that never gets an own company
--   9003  a second tenant (own company inserted after a buyer in one statement)
--   9004  a tenant whose only client, the own company, is deleted
BEGIN;
SET search_path = client_registry, public;
SET LOCAL client_registry.tenant = 9001;

SELECT plan(101);

-- cid(name): id of a client of tenant 9001 by name.
CREATE FUNCTION pg_temp.cid(text) RETURNS bigint LANGUAGE sql STABLE
    AS $$ SELECT id FROM client_registry.client WHERE tenant_id = 9001 AND name = $1 $$;

-------------------------------------------------------------------------------
-- Tenants start with their own company (R1.5)
-------------------------------------------------------------------------------
SELECT throws_ok(
    $$ INSERT INTO client (tenant_id, kind, name, company_code) VALUES (9002, 'buyer', 'UAB Be savininko', '188710823') $$,
    '23514', NULL, 'a buyer in a tenant without own company is refused (23514)');
SELECT throws_like(
    $$ INSERT INTO client (tenant_id, kind, name) VALUES (9002, 'supplier', 'UAB Be savininko') $$,
    'tenant 9002 has no own company%', 'the refusal names the tenant');

SELECT lives_ok(
    $$ INSERT INTO client (kind, name, company_code, vat_code)
       VALUES ('own_company', '  UAB Testas  ', ' 110003978 ', 'LT100001919017') $$,
    'the own company is inserted as the tenant''s first client');
SELECT is((SELECT company_code FROM client WHERE id = currval(pg_get_serial_sequence('client_registry.client', 'id'))),
          '110003978', 'company code '' 110003978 '' is stored trimmed');
SELECT is((SELECT name FROM client WHERE id = currval(pg_get_serial_sequence('client_registry.client', 'id'))),
          'UAB Testas', 'the name is stored trimmed');
SELECT is((SELECT tenant_id FROM client WHERE id = currval(pg_get_serial_sequence('client_registry.client', 'id'))),
          9001, 'tenant_id defaults to client_registry.tenant');
SELECT is((SELECT country FROM client WHERE id = currval(pg_get_serial_sequence('client_registry.client', 'id'))),
          'LT', 'country defaults to client_registry.default_country (LT)');
SELECT ok(EXISTS (SELECT 1 FROM tenant WHERE id = 9001), 'the tenant row is created by the first client');

SELECT throws_ok(
    $$ INSERT INTO client (kind, name, company_code) VALUES ('own_company', 'UAB Antra savininke', '188710823') $$,
    '23505', NULL, 'a second own company in the tenant is refused (23505)');
SELECT throws_like(
    $$ INSERT INTO client (kind, name, company_code) VALUES ('own_company', 'UAB Antra savininke', '188710823') $$,
    'tenant 9001 already has an own company: client % "UAB Testas"',
    'the refusal names the existing own company');

SELECT lives_ok(
    $$ INSERT INTO client (tenant_id, kind, name, company_code)
       VALUES (9003, 'buyer', 'UAB Kitas pirkejas', '110443493'),
              (9003, 'own_company', 'UAB Kita savininke', '124110246') $$,
    'one statement may insert the own company after other clients (checked per statement)');

-------------------------------------------------------------------------------
-- Company codes unique per tenant and country (R2.1)
-------------------------------------------------------------------------------
SELECT lives_ok(
    $$ INSERT INTO client (kind, name, company_code, vat_code, sales_tax_category)
       VALUES ('buyer', 'UAB Pirkejas', '188772433', 'LT119511515', 'PVM1') $$,
    'a buyer with a valid company and VAT code is accepted');
SELECT throws_ok(
    $$ INSERT INTO client (kind, name, company_code) VALUES ('buyer', 'UAB Dublikatas', '110003978') $$,
    '23505', NULL, 'a duplicate company code is refused (23505)');
SELECT throws_like(
    $$ INSERT INTO client (kind, name, company_code) VALUES ('buyer', 'UAB Dublikatas', ' 110003978 ') $$,
    'company code "110003978" is already used by client % "UAB Testas"',
    'the duplicate message names the code and the existing client');
SELECT throws_ok(
    $$ UPDATE client SET company_code = '110003978' WHERE id = pg_temp.cid('UAB Pirkejas') $$,
    '23505', NULL, 'taking another client''s company code by UPDATE is refused (23505)');
SELECT lives_ok(
    $$ UPDATE client SET name = 'UAB Pirkejas', company_code = '188772433' WHERE id = pg_temp.cid('UAB Pirkejas') $$,
    'a client keeps its own company code on UPDATE');
SELECT lives_ok(
    $$ INSERT INTO client (tenant_id, kind, name, company_code) VALUES (9003, 'supplier', 'UAB Testas kitur', '110003978') $$,
    'the same company code is accepted in another tenant');
SELECT lives_ok(
    $$ INSERT INTO client (kind, legal_form, name, company_code) VALUES ('buyer', 'natural_person', 'Ind. veikla', '110003978') $$,
    'a natural person may share a legal entity''s company code');

-------------------------------------------------------------------------------
-- Identifiers and the name (23514 / 23502)
-------------------------------------------------------------------------------
SELECT throws_ok(
    $$ INSERT INTO client (kind, name, company_code) VALUES ('buyer', 'UAB Blogas kodas', '110003979') $$,
    '23514', NULL, 'an invalid company code is refused (23514)');
SELECT throws_ok(
    $$ UPDATE client SET company_code = '110003979' WHERE id = pg_temp.cid('UAB Pirkejas') $$,
    '23514', NULL, 'an invalid company code is refused on UPDATE (23514)');
SELECT throws_ok(
    $$ INSERT INTO client (kind, name, vat_code) VALUES ('buyer', 'UAB Blogas PVM', 'LT119511516') $$,
    '23514', NULL, 'an invalid VAT code is refused (23514)');
SELECT throws_ok(
    $$ INSERT INTO client (kind, name, email) VALUES ('buyer', 'UAB Blogas pastas', 'not-an-email') $$,
    '23514', NULL, 'an invalid e-mail is refused (23514)');
SELECT throws_ok(
    $$ INSERT INTO client (kind, name, country) VALUES ('buyer', 'UAB Bloga salis', 'XX') $$,
    '23514', NULL, 'an invalid country is refused (23514)');
SELECT throws_ok(
    $$ INSERT INTO client (kind, name) VALUES ('buyer', '   ') $$,
    '23514', NULL, 'a blank name is refused (23514)');
SELECT throws_ok(
    $$ UPDATE client SET name = '' WHERE id = pg_temp.cid('UAB Pirkejas') $$,
    '23514', NULL, 'blanking the name by UPDATE is refused (23514)');
SELECT throws_ok(
    $$ INSERT INTO client (kind, name) VALUES ('buyer', NULL) $$,
    '23502', NULL, 'a NULL name is refused (23502)');
SELECT lives_ok(
    $$ INSERT INTO client (kind, legal_form, name, first_name, last_name)
       VALUES ('buyer', 'natural_person', NULL, ' Jonas ', 'Jonaitis') $$,
    'a natural person may give first and last name instead of a name');
SELECT is((SELECT name FROM client WHERE id = currval(pg_get_serial_sequence('client_registry.client', 'id'))),
          'Jonas Jonaitis', 'the name of a natural person is built from first and last name');
SELECT is((SELECT vat_code FROM client WHERE id = pg_temp.cid('UAB Pirkejas')),
          'LT119511515', 'the VAT code is stored as given when already normal');
SELECT lives_ok(
    $$ INSERT INTO client (kind, name, company_code, vat_code, email)
       VALUES ('supplier', 'UAB Tiekejas', '112029651', ' LT241102419 ', 'info@example.lt') $$,
    'a supplier with valid codes and e-mail is accepted');
SELECT is((SELECT vat_code FROM client WHERE id = pg_temp.cid('UAB Tiekejas')),
          'LT241102419', 'the VAT code is stored trimmed');

-------------------------------------------------------------------------------
-- The own company stays the own company; clients stay in their tenant
-------------------------------------------------------------------------------
SELECT throws_ok(
    $$ UPDATE client SET kind = 'buyer' WHERE id = pg_temp.cid('UAB Testas') $$,
    '23514', NULL, 'changing the own company''s kind is refused (23514)');
SELECT throws_ok(
    $$ UPDATE client SET kind = 'own_company' WHERE id = pg_temp.cid('UAB Pirkejas') $$,
    '23505', NULL, 'making a second own company by UPDATE is refused (23505)');
SELECT throws_ok(
    $$ UPDATE client SET tenant_id = 9003 WHERE id = pg_temp.cid('UAB Pirkejas') $$,
    '23000', NULL, 'moving a client to another tenant is refused (23000)');
SELECT throws_ok(
    $$ DELETE FROM client WHERE id = pg_temp.cid('UAB Testas') $$,
    '55000', NULL, 'deleting the own company while other clients exist is refused (55000)');
SELECT lives_ok(
    $$ INSERT INTO client (tenant_id, kind, name, company_code) VALUES (9004, 'own_company', 'UAB Vieniša', '301692533') $$,
    'an own company of another tenant is inserted');
SELECT lives_ok(
    $$ DELETE FROM client WHERE tenant_id = 9004 AND kind = 'own_company' $$,
    'the own company can be deleted as the last client of its tenant');

-------------------------------------------------------------------------------
-- Delete guard (R2.3): a client referenced by other rows is kept
-------------------------------------------------------------------------------
CREATE TABLE public.tap_cr_invoice (   -- rolled back with the test
    id        int PRIMARY KEY,
    tenant_id integer NOT NULL,
    client_id bigint NOT NULL,
    FOREIGN KEY (tenant_id, client_id) REFERENCES client_registry.client (tenant_id, id)
);
INSERT INTO public.tap_cr_invoice VALUES (1, 9001, pg_temp.cid('UAB Tiekejas'));
SELECT throws_ok(
    $$ DELETE FROM client WHERE id = pg_temp.cid('UAB Tiekejas') $$,
    '23503', NULL, 'deleting a client another table references is refused (23503)');
SELECT throws_like(
    $$ DELETE FROM client WHERE id = pg_temp.cid('UAB Tiekejas') $$,
    '%"UAB Tiekejas" cannot be deleted: rows of %tap_cr_invoice still reference it',
    'the refusal names the client and the referencing table');
SELECT lives_ok(
    $$ INSERT INTO client (kind, name) VALUES ('contact', 'VMI');
       INSERT INTO client_address (client_id, city) VALUES (pg_temp.cid('VMI'), 'Vilnius');
       INSERT INTO client_contact (client_id, first_name) VALUES (pg_temp.cid('VMI'), 'Ona') $$,
    'a contact client with an address and a contact person is added');
SELECT lives_ok(
    $$ DELETE FROM client WHERE id = pg_temp.cid('VMI') $$,
    'a client whose only rows are its own card rows can be deleted');
SELECT is((SELECT count(*)::int FROM client_address WHERE tenant_id = 9001 AND city = 'Vilnius')
          + (SELECT count(*)::int FROM client_contact WHERE tenant_id = 9001 AND first_name = 'Ona'),
          0, 'its address and contact person were deleted with it (cascade)');

-------------------------------------------------------------------------------
-- Bank accounts: IBAN normalisation and the primary flag
-------------------------------------------------------------------------------
SELECT lives_ok(
    $$ INSERT INTO client_bank_account (client_id, iban) VALUES (pg_temp.cid('UAB Pirkejas'), 'lt12 1000 0111 0100 1000') $$,
    'a bank account with a spaced lower-case IBAN is accepted');
SELECT is((SELECT iban FROM client_bank_account WHERE client_id = pg_temp.cid('UAB Pirkejas')),
          'LT121000011101001000', 'the IBAN is stored compact and upper-case');
SELECT is((SELECT bank_code FROM client_bank_account WHERE client_id = pg_temp.cid('UAB Pirkejas')),
          '10000', 'the bank code is derived from a Lithuanian IBAN');
SELECT is((SELECT is_primary FROM client_bank_account WHERE client_id = pg_temp.cid('UAB Pirkejas')),
          true, 'the first bank account becomes primary');
SELECT is((SELECT tenant_id FROM client_bank_account WHERE client_id = pg_temp.cid('UAB Pirkejas')),
          9001, 'the bank account''s tenant_id defaults to client_registry.tenant');
SELECT throws_ok(
    $$ INSERT INTO client_bank_account (client_id, iban) VALUES (pg_temp.cid('UAB Pirkejas'), 'LT121000011101001001') $$,
    '23514', NULL, 'an invalid IBAN is refused (23514)');
SELECT lives_ok(
    $$ INSERT INTO client_bank_account (client_id, iban) VALUES (pg_temp.cid('UAB Pirkejas'), 'LT927300010177178794') $$,
    'a second bank account is accepted');
SELECT is((SELECT is_primary FROM client_bank_account WHERE iban = 'LT927300010177178794' AND client_id = pg_temp.cid('UAB Pirkejas')),
          false, 'the second bank account is not primary');
SELECT lives_ok(
    $$ INSERT INTO client_bank_account (client_id, iban, is_primary)
       VALUES (pg_temp.cid('UAB Pirkejas'), 'LT057300010009757487', true) $$,
    'a third bank account inserted as primary is accepted');
SELECT results_eq(
    $$ SELECT iban COLLATE "default" FROM client_bank_account WHERE client_id = pg_temp.cid('UAB Pirkejas') AND is_primary $$,
    ARRAY['LT057300010009757487'], 'the new primary bank account demoted the old one');
SELECT throws_ok(
    $$ UPDATE client_bank_account SET is_primary = false
        WHERE client_id = pg_temp.cid('UAB Pirkejas') AND iban = 'LT057300010009757487' $$,
    '23514', NULL, 'unsetting the primary bank account directly is refused (23514)');
SELECT is((SELECT iban FROM client_card WHERE id = pg_temp.cid('UAB Pirkejas')),
          'LT057300010009757487', 'client_card shows the primary bank account');

-------------------------------------------------------------------------------
-- Addresses: first is primary, promoting demotes, deleting promotes the oldest
-------------------------------------------------------------------------------
SELECT lives_ok(
    $$ INSERT INTO client_address (client_id, city, is_primary) VALUES (pg_temp.cid('UAB Pirkejas'), 'Pirmas', false) $$,
    'a first address is accepted');
SELECT is((SELECT is_primary FROM client_address WHERE client_id = pg_temp.cid('UAB Pirkejas') AND city = 'Pirmas'),
          true, 'the first address becomes primary even when inserted with is_primary = false');
SELECT lives_ok(
    $$ INSERT INTO client_address (client_id, city) VALUES (pg_temp.cid('UAB Pirkejas'), 'Antras');
       INSERT INTO client_address (client_id, city) VALUES (pg_temp.cid('UAB Pirkejas'), 'Trecias') $$,
    'two more addresses are accepted');
SELECT results_eq(
    $$ SELECT city FROM client_address WHERE client_id = pg_temp.cid('UAB Pirkejas') AND is_primary $$,
    ARRAY['Pirmas'], 'later addresses do not take the primary flag');
SELECT lives_ok(
    $$ UPDATE client_address SET is_primary = true WHERE client_id = pg_temp.cid('UAB Pirkejas') AND city = 'Trecias' $$,
    'another address is promoted to primary');
SELECT results_eq(
    $$ SELECT city FROM client_address WHERE client_id = pg_temp.cid('UAB Pirkejas') AND is_primary $$,
    ARRAY['Trecias'], 'promoting an address demotes the old primary');
SELECT throws_ok(
    $$ UPDATE client_address SET is_primary = false WHERE client_id = pg_temp.cid('UAB Pirkejas') AND city = 'Trecias' $$,
    '23514', NULL, 'unsetting the primary address directly is refused (23514)');
SELECT lives_ok(
    $$ DELETE FROM client_address WHERE client_id = pg_temp.cid('UAB Pirkejas') AND city = 'Trecias' $$,
    'the primary address is deleted');
SELECT results_eq(
    $$ SELECT city FROM client_address WHERE client_id = pg_temp.cid('UAB Pirkejas') AND is_primary $$,
    ARRAY['Pirmas'], 'deleting the primary address promotes the oldest remaining one');
SELECT is((SELECT address_city FROM client_card WHERE id = pg_temp.cid('UAB Pirkejas')),
          'Pirmas', 'client_card shows the primary address');
SELECT lives_ok(
    $$ UPDATE client_address SET client_id = pg_temp.cid('UAB Tiekejas')
        WHERE client_id = pg_temp.cid('UAB Pirkejas') AND city = 'Pirmas' $$,
    'the primary address is moved to a client without addresses');
SELECT results_eq(
    $$ SELECT city, is_primary FROM client_address
        WHERE client_id IN (pg_temp.cid('UAB Pirkejas'), pg_temp.cid('UAB Tiekejas')) ORDER BY city $$,
    $$ VALUES ('Antras'::text, true), ('Pirmas'::text, true) $$,
    'the moved address is primary at its new client, and the old client''s remaining address is promoted');
SELECT throws_ok(
    $$ INSERT INTO client_address (client_id, street, city, postal_code) VALUES (pg_temp.cid('UAB Pirkejas'), ' ', '', NULL) $$,
    '23514', NULL, 'an address without street, city or postal code is refused (23514)');
SELECT throws_ok(
    $$ INSERT INTO client_address (client_id, city, country) VALUES (pg_temp.cid('UAB Pirkejas'), 'Niekur', 'XX') $$,
    '23514', NULL, 'an address with an invalid country is refused (23514)');

-------------------------------------------------------------------------------
-- Contacts
-------------------------------------------------------------------------------
SELECT throws_ok(
    $$ INSERT INTO client_contact (client_id, position) VALUES (pg_temp.cid('UAB Pirkejas'), 'Director') $$,
    '23514', NULL, 'a contact person without a name is refused (23514)');
SELECT throws_ok(
    $$ INSERT INTO client_contact (client_id, first_name, email) VALUES (pg_temp.cid('UAB Pirkejas'), 'Petras', 'petras') $$,
    '23514', NULL, 'a contact person with an invalid e-mail is refused (23514)');
SELECT lives_ok(
    $$ INSERT INTO client_contact (client_id, first_name, last_name, email)
       VALUES (pg_temp.cid('UAB Pirkejas'), 'Petras', 'Petraitis', 'petras@example.lt') $$,
    'a contact person is accepted');
SELECT is((SELECT is_primary FROM client_contact WHERE client_id = pg_temp.cid('UAB Pirkejas')),
          true, 'the first contact person becomes primary');
SELECT throws_ok(
    $$ UPDATE client_contact SET is_primary = false WHERE client_id = pg_temp.cid('UAB Pirkejas') $$,
    '23514', NULL, 'unsetting the primary contact directly is refused (23514)');
SELECT is((SELECT contact_name FROM client_card WHERE id = pg_temp.cid('UAB Pirkejas')),
          'Petras Petraitis', 'client_card shows the primary contact');

-------------------------------------------------------------------------------
-- Custom fields
-------------------------------------------------------------------------------
SELECT throws_ok(
    $$ UPDATE client SET custom_fields = '{"loyalty_card": "K-1"}' WHERE id = pg_temp.cid('UAB Pirkejas') $$,
    '23514', NULL, 'an undefined custom field is refused (23514)');
SELECT lives_ok(
    $$ SELECT define_custom_field('loyalty_card', 'text', 'Loyalty card number') $$,
    'define_custom_field defines a text field');
SELECT results_eq(
    $$ SELECT name, data_type::text, description FROM custom_field WHERE tenant_id = 9001 $$,
    $$ VALUES ('loyalty_card'::text, 'text'::text, 'Loyalty card number'::text) $$,
    'the custom_field view lists the definition');
SELECT lives_ok(
    $$ UPDATE client SET custom_fields = '{"loyalty_card": "K-1"}' WHERE id = pg_temp.cid('UAB Pirkejas') $$,
    'a defined custom field of the right type is accepted');
SELECT lives_ok(
    $$ SELECT define_custom_field('visits', 'integer') $$,
    'define_custom_field defines an integer field');
SELECT throws_ok(
    $$ UPDATE client SET custom_fields = '{"visits": "many"}' WHERE id = pg_temp.cid('UAB Tiekejas') $$,
    '23514', NULL, 'a custom field value of the wrong type is refused (23514)');
SELECT lives_ok(
    $$ UPDATE client SET custom_fields = '{"visits": 3}' WHERE id = pg_temp.cid('UAB Tiekejas') $$,
    'an integer custom field value is accepted');
SELECT throws_ok(
    $$ SELECT drop_custom_field('loyalty_card') $$,
    '2BP01', NULL, 'dropping a custom field in use is refused (2BP01)');
SELECT throws_ok(
    $$ SELECT define_custom_field('visits', 'date') $$,
    '2BP01', NULL, 'retyping a custom field in use is refused (2BP01)');
SELECT throws_ok(
    $$ SELECT define_custom_field('Bad Name', 'text') $$,
    '23514', NULL, 'an invalid custom field name is refused (23514)');
SELECT lives_ok(
    $$ UPDATE client SET custom_fields = custom_fields - 'loyalty_card' WHERE tenant_id = 9001;
       SELECT drop_custom_field('loyalty_card') $$,
    'a custom field no client uses can be dropped');
SELECT is_empty(
    $$ SELECT 1 FROM custom_field WHERE tenant_id = 9001 AND name = 'loyalty_card' $$,
    'the dropped field is gone from custom_field');

-------------------------------------------------------------------------------
-- assert_client_role (R1.3)
-------------------------------------------------------------------------------
SELECT lives_ok(
    $$ SELECT assert_client_role(pg_temp.cid('UAB Pirkejas'), 'sale') $$,
    'a buyer with a sales tax category may be used in a sale');
SELECT throws_ok(
    $$ SELECT assert_client_role(pg_temp.cid('UAB Pirkejas'), 'purchase') $$,
    '23514', NULL, 'a buyer cannot be used in a purchase (23514)');
SELECT throws_ok(
    $$ SELECT assert_client_role(pg_temp.cid('UAB Testas'), 'sale') $$,
    '23514', NULL, 'the own company cannot be used in a sale (23514)');
SELECT throws_ok(
    $$ SELECT assert_client_role(pg_temp.cid('UAB Tiekejas'), 'purchase') $$,
    '23514', NULL, 'a supplier without a purchase tax category is refused (23514)');
SELECT lives_ok(
    $$ UPDATE client SET purchase_tax_category = 'PVM1' WHERE id = pg_temp.cid('UAB Tiekejas');
       SELECT assert_client_role(pg_temp.cid('UAB Tiekejas'), 'purchase') $$,
    'a supplier with a purchase tax category may be used in a purchase');
SELECT throws_ok(
    $$ UPDATE client SET is_active = false WHERE id = pg_temp.cid('UAB Tiekejas');
       SELECT assert_client_role(pg_temp.cid('UAB Tiekejas'), 'purchase') $$,
    '23514', NULL, 'an inactive client is refused (23514)');
SELECT throws_ok(
    $$ SELECT assert_client_role(-1, 'sale') $$,
    '23503', NULL, 'an unknown client is refused (23503)');
SELECT throws_ok(
    $$ SELECT assert_client_role((SELECT id FROM client WHERE tenant_id = 9003 AND name = 'UAB Kitas pirkejas'), 'sale') $$,
    '23503', NULL, 'a client of another tenant is unknown (23503)');
SELECT throws_ok(
    $$ SELECT assert_client_role(pg_temp.cid('UAB Pirkejas'), 'rent') $$,
    '22023', NULL, 'an unknown document role is refused (22023)');
SELECT is(assert_client_role(NULL, 'sale')::text, NULL, 'assert_client_role is STRICT (NULL in, NULL out)');

-------------------------------------------------------------------------------
-- Groups and labels create their tenant too
-------------------------------------------------------------------------------
SELECT lives_ok(
    $$ INSERT INTO label (name) VALUES ('VIP');
       INSERT INTO client_label (client_id, label_id)
       VALUES (pg_temp.cid('UAB Pirkejas'), (SELECT id FROM label WHERE tenant_id = 9001 AND name = 'VIP'));
       INSERT INTO client_group (name) VALUES ('Didmena');
       INSERT INTO client_group_member (client_id, group_id)
       VALUES (pg_temp.cid('UAB Pirkejas'), (SELECT id FROM client_group WHERE tenant_id = 9001 AND name = 'Didmena')) $$,
    'a label and a group are attached to a client');
SELECT results_eq(
    $$ SELECT groups, labels FROM client_card WHERE id = pg_temp.cid('UAB Pirkejas') $$,
    $$ VALUES (ARRAY['Didmena']::text[], ARRAY['VIP']::text[]) $$,
    'client_card shows the groups and labels');

-------------------------------------------------------------------------------
-- The tenant row survives savepoints.  A tenant created by this (uncommitted)
-- transaction must not be remembered by the backend as existing once a
-- rollback to a savepoint removes it again; otherwise the next first client
-- of that tenant fails on client_tenant_fkey (23503).
-------------------------------------------------------------------------------
SAVEPOINT tap_tenant_a;
INSERT INTO client (tenant_id, kind, name) VALUES (9005, 'own_company', 'UAB Penkta');
SAVEPOINT tap_tenant_b;
ROLLBACK TO SAVEPOINT tap_tenant_b;
INSERT INTO client (tenant_id, kind, name) VALUES (9005, 'buyer', 'UAB Penktos pirkejas');
ROLLBACK TO SAVEPOINT tap_tenant_a;
SELECT is_empty($$ SELECT 1 FROM tenant WHERE id = 9005 $$,
                'the rollback to the savepoint removed tenant 9005');
SELECT lives_ok(
    $$ INSERT INTO client (tenant_id, kind, name) VALUES (9005, 'own_company', 'UAB Penkta') $$,
    'the tenant is created again after a rollback to a savepoint removed it');
SELECT ok(EXISTS (SELECT 1 FROM tenant WHERE id = 9005), 'tenant 9005 exists again');

SELECT * FROM finish();
ROLLBACK;
