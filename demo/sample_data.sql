-- Sample data: a Lithuanian company's client registry (tenant 1) and a second
-- tenant, with addresses, bank accounts, contacts, groups, labels and
-- custom fields.  Used by scripts/demo.sh and test/dump_restore.sh.
SET search_path = client_registry, public;
SET client_registry.tenant = 1;

INSERT INTO client (kind, name, short_name, company_code, vat_code, email, phone, website)
VALUES ('own_company', 'UAB „Baltijos apskaita"', 'Baltijos apskaita', '304166570', 'LT100001919017',
        'buhalterija@baltijos-apskaita.lt', '+370 5 210 0000', 'baltijos-apskaita.lt');

SELECT define_custom_field('loyalty_card', 'text', 'Loyalty card number printed on invoices');
SELECT define_custom_field('credit_days_extra', 'integer', 'Extra days agreed on top of payment terms');
SELECT define_custom_field('contract_signed_on', 'date', 'Framework contract signature date');

INSERT INTO client (kind, name, company_code, vat_code, email, sales_tax_category, sales_payment_term_days, custom_fields)
VALUES ('buyer', 'UAB „Sanitex"', '110443493', 'LT119511515', 'Pirkimai@Sanitex.LT', 'PVM1', 30,
        '{"loyalty_card": "LC-0001", "contract_signed_on": "2025-01-15"}'),
       ('buyer_supplier', 'AB „Swedbank"', '112029651', 'LT120296515', 'info@swedbank.lt', 'PVM1', 14, '{}'),
       ('supplier', 'VĮ Registrų centras', '124110246', 'LT241102419', 'info@registrucentras.lt', NULL, NULL, '{}'),
       ('contact', 'Valstybinė mokesčių inspekcija', '188659752', NULL, 'info@vmi.lt', NULL, NULL, '{}'),
       ('buyer', 'UAB „Lietkompexim"', '110003978', 'ND', NULL, 'PVM1', 30, '{"credit_days_extra": 5}');
UPDATE client SET purchase_tax_category = 'PVM1', purchase_payment_term_days = 10
 WHERE company_code IN ('112029651', '124110246');
INSERT INTO client (kind, name, country, company_code, vat_code, email, sales_tax_category)
VALUES ('buyer', 'SIA „Rīgas Tirdzniecība"', 'LV', '40003521600', 'LV40003521600', 'info@rigas.lv', 'PVM12'),
       ('buyer', 'Polskie Hurtownie Sp. z o.o.', 'PL', '8567346215', 'PL8567346215', 'biuro@hurtownie.pl', 'PVM12');
INSERT INTO client (kind, legal_form, first_name, last_name, personal_code, email, sales_tax_category)
VALUES ('buyer', 'natural_person', 'Jonas', 'Jonaitis', '33309240064', 'jonas.jonaitis@gmail.com', 'PVM1');

INSERT INTO client_address (client_id, street, city, postal_code, is_registration, is_correspondence, address_type)
SELECT id, 'Gedimino pr. 1', 'Vilnius', 'LT-01103', true, true, 'invoice' FROM client WHERE company_code = '304166570';
INSERT INTO client_address (client_id, street, city, postal_code, is_registration, address_type)
SELECT id, 'J. Jasinskio g. 16', 'Vilnius', 'LT-03163', true, 'invoice' FROM client WHERE company_code = '110443493';
INSERT INTO client_address (client_id, label, street, city, postal_code, is_branch, address_type)
SELECT id, 'Kauno sandėlis', 'Pramonės pr. 12', 'Kaunas', 'LT-51329', true, 'delivery' FROM client WHERE company_code = '110443493';
INSERT INTO client_address (client_id, street, city, postal_code, is_registration, address_type, country)
SELECT id, 'Brīvības iela 21', 'Rīga', 'LV-1010', true, 'invoice', 'LV' FROM client WHERE company_code = '40003521600';
INSERT INTO client_address (client_id, street, city, postal_code, is_registration, address_type, country)
SELECT id, 'ul. Marszałkowska 10', 'Warszawa', '00-590', true, 'invoice', 'PL' FROM client WHERE company_code = '8567346215';
-- A later, primary address: the invoice address moves to Klaipėda.
INSERT INTO client_address (client_id, street, city, postal_code, is_primary, is_correspondence, address_type)
SELECT id, 'Taikos pr. 3', 'Klaipėda', 'LT-91214', true, true, 'invoice' FROM client WHERE company_code = '110443493';

INSERT INTO client_bank_account (client_id, iban, bic, bank_name, ledger_account)
SELECT id, 'LT12 1000 0111 0100 1000', 'HABALT22', 'Swedbank', '2710' FROM client WHERE company_code = '304166570';
INSERT INTO client_bank_account (client_id, iban, bic, bank_name, currency, ledger_account)
SELECT id, 'LT92 7300 0101 7717 8794', 'HABALT22', 'Swedbank', 'USD', '2711' FROM client WHERE company_code = '304166570';
INSERT INTO client_bank_account (client_id, iban, bic, bank_name)
SELECT id, 'LT05 7300 0100 0975 7487', 'HABALT22', 'Swedbank' FROM client WHERE company_code = '110443493';
INSERT INTO client_bank_account (client_id, iban, bank_name, is_primary)
SELECT id, 'LT64 7044 0012 3146 5456', 'SEB', true FROM client WHERE company_code = '110443493';
INSERT INTO client_bank_account (client_id, iban, bank_name)
SELECT id, 'LV80 BANK 0000 4351 9500 1', 'Bank' FROM client WHERE company_code = '40003521600';
INSERT INTO client_bank_account (client_id, iban, bank_name)
SELECT id, 'PL61 1090 1014 0000 0712 1981 2874', 'Santander' FROM client WHERE company_code = '8567346215';

INSERT INTO client_contact (client_id, first_name, last_name, position, email, phone)
SELECT id, 'Ona', 'Onaitė', 'Vyr. buhalterė', 'ona.onaite@sanitex.lt', '+370 600 11111' FROM client WHERE company_code = '110443493';
INSERT INTO client_contact (client_id, first_name, last_name, position, email, is_primary)
SELECT id, 'Petras', 'Petraitis', 'Pirkimų vadovas', 'petras@sanitex.lt', true FROM client WHERE company_code = '110443493';

INSERT INTO client_group (name, description) VALUES ('Didmena', 'Wholesale buyers'), ('Užsienis', 'Foreign clients');
INSERT INTO label (name) VALUES ('VIP'), ('Akcija 2026');
INSERT INTO client_group_member (client_id, group_id)
SELECT c.id, g.id FROM client c, client_group g
 WHERE (g.name = 'Didmena' AND c.company_code IN ('110443493', '110003978'))
    OR (g.name = 'Užsienis' AND c.country <> 'LT');
INSERT INTO client_label (client_id, label_id)
SELECT c.id, l.id FROM client c, label l WHERE l.name = 'VIP' AND c.company_code = '110443493';

-- The own company edited after the others exist (its row moves to the end of the table).
UPDATE client SET phone = '+370 5 210 0001' WHERE kind = 'own_company';

-- A second tenant in the same database.
SET client_registry.tenant = 2;
INSERT INTO client (kind, name, company_code, vat_code) VALUES ('own_company', 'MB „Antras"', '301692533', NULL);
INSERT INTO client (kind, name, company_code) VALUES ('buyer', 'UAB „Sanitex"', '110443493');
RESET client_registry.tenant;
