-- The client card (R1, R2.1, R2.2, R1.5): normalisation, validation, unique
-- company codes, the own company.  Every error shows its SQLSTATE.
SET search_path = client_registry, public;
SET client_registry.tenant = 10;
\set VERBOSITY default

-- R1.5: the first client of a tenant is its own company.
INSERT INTO client (name, company_code) VALUES ('UAB Pirmas', '188772433');
\echo :SQLSTATE
INSERT INTO client (id, kind, name, company_code, vat_code, email)
VALUES (1001, 'own_company', '  UAB Mano įmonė  ', ' 1100 03978 ', 'lt 100001919017', ' Buhalterija@Mano.LT ');
SELECT id > 0 AS has_id, tenant_id, kind, name, company_code, vat_code, email, country FROM client;
SELECT id, name IS NULL AS no_name FROM tenant WHERE id = 10;

-- A second own company is refused, naming the first.
INSERT INTO client (kind, name) VALUES ('own_company', 'UAB Antra');
\echo :SQLSTATE

-- Normalisation of a buyer.
INSERT INTO client (id, name, company_code, vat_code, email, phone, website, country, intrastat_delivery_terms)
VALUES (1002, 'UAB Sanitex', '110443493', 'LT119511515', 'Info@Sanitex.LT', ' +370 5 123 4567 ', ' sanitex.lt ', ' lt ', 'fca');
SELECT name, company_code, vat_code, email, phone, website, country, intrastat_delivery_terms
  FROM client WHERE name = 'UAB Sanitex';

-- R2.1: a duplicate company code is refused with the existing client's id and name.
INSERT INTO client (name, company_code) VALUES ('Sanitex dublikatas', '110443493');
\echo :SQLSTATE
-- ... also when the code is written differently.
INSERT INTO client (name, company_code) VALUES ('Sanitex dublikatas', ' 110 443 493 ');
\echo :SQLSTATE
-- INSERT ... ON CONFLICT: switch the named-duplicate probe off for the
-- statement, and the unique index reports the conflict that ON CONFLICT handles.
INSERT INTO client (name, company_code) VALUES ('Sanitex upsert', '110443493') ON CONFLICT DO NOTHING;
\echo :SQLSTATE
BEGIN;
SET LOCAL client_registry.explain_duplicates = off;
INSERT INTO client (name, company_code) VALUES ('Sanitex upsert', '110443493') ON CONFLICT DO NOTHING;
INSERT INTO client (name, company_code, phone) VALUES ('Sanitex upsert', '110443493', '+370 5 000 0000')
    ON CONFLICT (tenant_id, country, company_code) WHERE legal_form = 'legal_entity' AND company_code IS NOT NULL
    DO UPDATE SET phone = EXCLUDED.phone;
INSERT INTO client (name, company_code) VALUES ('Sanitex dublikatas', '110443493');
\echo :SQLSTATE
ROLLBACK;
-- ... and on UPDATE.
INSERT INTO client (id, name, company_code) VALUES (1003, 'UAB Kitas', '301692533');
UPDATE client SET company_code = '110443493' WHERE name = 'UAB Kitas';
\echo :SQLSTATE
-- Updating other fields of a client keeps its own code.
UPDATE client SET phone = '+370 600 00000' WHERE name = 'UAB Sanitex';
SELECT name, phone, updated_at >= created_at AS stamped FROM client WHERE name = 'UAB Sanitex';
-- The same code in another country is another company.
INSERT INTO client (id, name, company_code, country) VALUES (1004, 'Sanitex Latvija', '40003521600', 'LV');
-- A natural person may carry a code already used by a legal entity (not a legal entity itself).
INSERT INTO client (name, legal_form, company_code) VALUES ('Ponas Sanitex', 'natural_person', '110443493');
-- The same code in another tenant is fine.
SET client_registry.tenant = 11;
INSERT INTO client (kind, name, company_code) VALUES ('own_company', 'UAB Sanitex (kitas nuomininkas)', '110443493');
SET client_registry.tenant = 10;

-- R2.2: clients without a company code may share a name.
INSERT INTO client (name) VALUES ('Jonas'), ('Jonas');
SELECT count(*) FROM client WHERE name = 'Jonas';

-- Name: required, never blank; a natural person's name from first and last name.
INSERT INTO client (name) VALUES ('   ');
\echo :SQLSTATE
INSERT INTO client (name) VALUES (NULL);
\echo :SQLSTATE
INSERT INTO client (legal_form, first_name, last_name) VALUES ('natural_person', ' Ona ', 'Onaitė');
SELECT name, first_name, last_name FROM client WHERE last_name = 'Onaitė';
-- (a natural person's blank name is derived again from first and last name)
UPDATE client SET name = '' WHERE last_name = 'Onaitė';
SELECT name FROM client WHERE last_name = 'Onaitė';
UPDATE client SET name = ' ' WHERE id = 1003;
\echo :SQLSTATE

-- Codes checked by the client's country (each names the field and the value).
INSERT INTO client (name, company_code) VALUES ('UAB Blogas kodas', '110003979');
\echo :SQLSTATE
INSERT INTO client (name, company_code) VALUES ('UAB Trumpas kodas', '12345678');
\echo :SQLSTATE
INSERT INTO client (name, vat_code) VALUES ('UAB Blogas PVM', 'LT100001919018');
\echo :SQLSTATE
INSERT INTO client (name, vat_code) VALUES ('UAB Nežinoma šalis', 'QQ124567');
\echo :SQLSTATE
INSERT INTO client (name, email) VALUES ('UAB Be pašto', 'info.example.lt');
\echo :SQLSTATE
INSERT INTO client (name, country) VALUES ('Niekur UAB', 'XX');
\echo :SQLSTATE
INSERT INTO client (name, legal_form, personal_code) VALUES ('Petras Petraitis', 'natural_person', '33309240164');
\echo :SQLSTATE
INSERT INTO client (name, intrastat_delivery_terms) VALUES ('UAB Incoterms', 'FOBX');
\echo :SQLSTATE
-- ND: reported in i.SAF without a VAT code.
INSERT INTO client (name, vat_code) VALUES ('Ūkininkas be PVM', 'nd');
SELECT name, vat_code FROM client WHERE name = 'Ūkininkas be PVM';
-- A VAT code without prefix takes the client's country.
INSERT INTO client (name, vat_code, company_code) VALUES ('AB Registrų centras', '241102419', '124110246');
\echo :SQLSTATE
INSERT INTO client (name, vat_code, company_code) VALUES ('VĮ Registrų centras', '241102419', '188710823');
SELECT name, vat_code FROM client WHERE name = 'VĮ Registrų centras';
-- Foreign clients: VAT codes of other EU countries, their own company codes.
INSERT INTO client (name, country, vat_code, company_code)
VALUES ('SIA Latvija', 'LV', 'LV 4000 3189 718', '40003189718'),
       ('Polska Sp. z o.o.', 'PL', 'PL 856-734-62-15', '8567346215'),
       ('Eesti OÜ', 'EE', 'EE 100 931 558', '10000024');
SELECT name, country, vat_code, company_code FROM client WHERE country <> 'LT' AND tenant_id = 10 ORDER BY name;
-- Default VAT rate and payment terms are range-checked.
INSERT INTO client (name, default_vat_rate) VALUES ('UAB Per didelis PVM', 121);
\echo :SQLSTATE
INSERT INTO client (name, sales_payment_term_days) VALUES ('UAB Neigiami terminai', -5);
\echo :SQLSTATE
INSERT INTO client (name, custom_fields) VALUES ('UAB Masyvas', '[1]');
\echo :SQLSTATE

-- A client stays in its tenant; the own company stays the own company.
UPDATE client SET tenant_id = 11 WHERE name = 'UAB Sanitex';
\echo :SQLSTATE
UPDATE client SET kind = 'buyer' WHERE kind = 'own_company';
\echo :SQLSTATE
UPDATE client SET kind = 'own_company' WHERE name = 'UAB Sanitex';
\echo :SQLSTATE

-- R1.3 kind rules for documents.
SELECT assert_client_role(id, 'sale') FROM client WHERE name = 'UAB Sanitex';
\echo :SQLSTATE
UPDATE client SET sales_tax_category = 'PVM1' WHERE name = 'UAB Sanitex';
SELECT assert_client_role(id, 'sale') FROM client WHERE name = 'UAB Sanitex';
SELECT assert_client_role(id, 'purchase') FROM client WHERE name = 'UAB Sanitex';
\echo :SQLSTATE
UPDATE client SET kind = 'buyer_supplier', purchase_tax_category = 'PVM1' WHERE name = 'UAB Sanitex';
SELECT assert_client_role(id, 'purchase') FROM client WHERE name = 'UAB Sanitex';
UPDATE client SET is_active = false WHERE name = 'UAB Sanitex';
SELECT assert_client_role(id, 'sale') FROM client WHERE name = 'UAB Sanitex';
\echo :SQLSTATE
SELECT assert_client_role(-1, 'sale');
\echo :SQLSTATE
SELECT assert_client_role(id, 'gift') FROM client WHERE name = 'UAB Sanitex';
\echo :SQLSTATE
