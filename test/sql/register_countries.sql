-- 0.4.0 (issue #18): the register with VAT codes (LT: the VMI register of VAT
-- payers joined by company code), look-up by VAT code, Latvian and Estonian
-- open-data files.
SET search_path = client_registry, public;
SET client_registry.tenant = 181;
\set VERBOSITY default
\set SHOW_CONTEXT never
INSERT INTO client (id, kind, name, company_code) VALUES (18101, 'own_company', 'UAB Savi', '110443493');

-- Lithuania: the JAR file, then the VAT payers (company code | VAT code)
\copy legal_register_import (ja_kodas, ja_pavadinimas, adresas, ja_reg_data, form_kodas, form_pavadinimas, stat_kodas, stat_pavadinimas, stat_data_nuo, formavimo_data) FROM 'test/data/register/JAR_IREGISTRUOTI.csv' WITH (FORMAT csv, DELIMITER '|', HEADER true)
\copy legal_register_import (ja_kodas, pvm_kodas) FROM 'test/data/register/VMI_PVM.csv' WITH (FORMAT csv, DELIMITER '|', HEADER true)
SELECT * FROM merge_legal_register();
SELECT country, company_code, name, vat_code FROM legal_register WHERE tenant_id = 181 ORDER BY country, company_code;
-- a JAR file without VAT codes keeps them; the VAT file alone sets them
\copy legal_register_import (ja_kodas, ja_pavadinimas, adresas, ja_reg_data, form_kodas, form_pavadinimas, stat_kodas, stat_pavadinimas, stat_data_nuo, formavimo_data) FROM 'test/data/register/JAR_IREGISTRUOTI_next.csv' WITH (FORMAT csv, DELIMITER '|', HEADER true)
SELECT * FROM merge_legal_register();
\copy legal_register_import (ja_kodas, pvm_kodas) FROM 'test/data/register/VMI_PVM.csv' WITH (FORMAT csv, DELIMITER '|', HEADER true)
SELECT * FROM merge_legal_register();
SELECT company_code, vat_code FROM legal_register WHERE tenant_id = 181 AND vat_code IS NOT NULL ORDER BY company_code;

-- look up by company code or VAT code (with or without the prefix)
SELECT country, company_code, name FROM legal_register_lookup('110003978');
SELECT country, company_code, name FROM legal_register_lookup('LT 119511515');
SELECT country, company_code, name FROM legal_register_lookup('100001919017', 'LT');
SELECT count(*) FROM legal_register_lookup('100001919017');

-- the "i" button fills the VAT code; a card with only a VAT code is found by it
INSERT INTO client (id, name, company_code) VALUES (18102, '110003978', '110003978');
SELECT fill_client_from_register(18102);
SELECT name, company_code, vat_code FROM client WHERE id = 18102;
INSERT INTO client (id, name, vat_code) VALUES (18103, 'LT100001919017', 'LT100001919017');
SELECT fill_client_from_register(18103);
SELECT name, company_code, vat_code, register_status FROM client WHERE id = 18103;
-- a VAT code the user set is kept unless overwrite
INSERT INTO client (id, name, company_code, vat_code) VALUES (18104, 'Mano MB', '304110027', 'LT235449811');
UPDATE legal_register SET vat_code = 'LT250266219' WHERE tenant_id = 181 AND company_code = '304110027';
SELECT fill_client_from_register(18104);
SELECT vat_code FROM client WHERE id = 18104;
SELECT fill_client_from_register(18104, overwrite => true);
SELECT vat_code FROM client WHERE id = 18104;
INSERT INTO client (id, name, vat_code) VALUES (18105, 'Nežinomas', 'LT757118413');
SELECT fill_client_from_register(18105);
\echo :SQLSTATE

-- Latvia: register.csv
\copy legal_register_import_lv (regcode, sepa, name, name_before_quotes, name_in_quotes, name_after_quotes, without_quotes, regtype, regtype_text, type, type_text, registered, terminated, closed, address, index, addressid, region, city, atvk, reregistration_term) FROM 'test/data/register/LV_register.csv' WITH (FORMAT csv, DELIMITER ';', HEADER true)
SELECT * FROM merge_legal_register();
SELECT country, company_code, name, address, form_name, status_code, status_name, deregistered_on, vat_code
  FROM legal_register WHERE tenant_id = 181 AND country = 'LV' ORDER BY company_code;
INSERT INTO client (id, name, company_code, country) VALUES (18106, '40003521600', '40003521600', 'LV'),
                                                            (18107, 'Slēgtā', '40103077610', 'LV');
SELECT fill_client_from_register(18106);
SELECT c.name, c.company_code, c.vat_code, c.legal_form_name, a.street, a.city, a.postal_code, a.country
  FROM client c JOIN client_address a ON a.client_id = c.id WHERE c.id = 18106;
SELECT fill_client_from_register(18107);

-- Estonia: ettevotja_rekvisiidid__lihtandmed.csv (with the VAT number)
\copy legal_register_import_ee (nimi, ariregistri_kood, ettevotja_oiguslik_vorm, ettevotja_oigusliku_vormi_alaliik, kmkr_nr, ettevotja_staatus, ettevotja_staatus_tekstina, ettevotja_esmakande_kpv, ettevotja_aadress, asukoht_ettevotja_aadressis, asukoha_ehak_kood, asukoha_ehak_tekstina) FROM 'test/data/register/EE_lihtandmed.csv' WITH (FORMAT csv, DELIMITER ';', HEADER true)
SELECT * FROM merge_legal_register();
SELECT country, company_code, name, registered_on, form_name, status_code, status_name, vat_code
  FROM legal_register WHERE tenant_id = 181 AND country = 'EE' ORDER BY company_code;
INSERT INTO client (id, name, vat_code, country) VALUES (18108, 'EE100594102', 'EE100594102', 'EE');
SELECT fill_client_from_register(18108);
SELECT name, company_code, vat_code, legal_form_name, register_status FROM client WHERE id = 18108;
SELECT country, company_code FROM legal_register_lookup('100594102', 'EE');
-- loading the same files again changes nothing
\copy legal_register_import_ee (nimi, ariregistri_kood, ettevotja_oiguslik_vorm, ettevotja_oigusliku_vormi_alaliik, kmkr_nr, ettevotja_staatus, ettevotja_staatus_tekstina, ettevotja_esmakande_kpv, ettevotja_aadress, asukoht_ettevotja_aadressis, asukoha_ehak_kood, asukoha_ehak_tekstina) FROM 'test/data/register/EE_lihtandmed.csv' WITH (FORMAT csv, DELIMITER ';', HEADER true)
\copy legal_register_import_lv (regcode, sepa, name, name_before_quotes, name_in_quotes, name_after_quotes, without_quotes, regtype, regtype_text, type, type_text, registered, terminated, closed, address, index, addressid, region, city, atvk, reregistration_term) FROM 'test/data/register/LV_register.csv' WITH (FORMAT csv, DELIMITER ';', HEADER true)
SELECT * FROM merge_legal_register();
SELECT (SELECT count(*) FROM legal_register_import_lv) AS lv_staging, (SELECT count(*) FROM legal_register_import_ee) AS ee_staging;

-- other countries are not loaded
INSERT INTO client (id, name, company_code, country) VALUES (18109, 'Polska', '1234563218', 'PL');
SELECT fill_client_from_register(18109);
\echo :SQLSTATE
