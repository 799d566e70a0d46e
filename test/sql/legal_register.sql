-- 0.3.0: register of legal entities (JAR open data) and the card auto-fill
-- (R1.8).  Tenant 113.  Files: test/data/register/ (made for these tests).
SET search_path = client_registry, public;
SET client_registry.tenant = 113;
\set VERBOSITY default
\set SHOW_CONTEXT never
INSERT INTO client (id, kind, name, company_code) VALUES (11301, 'own_company', 'UAB Savi', '304110041');

-- Loading: COPY each file into the staging table, then merge.
\copy legal_register_import (ja_kodas, ja_pavadinimas, adresas, ja_reg_data, form_kodas, form_pavadinimas, stat_kodas, stat_pavadinimas, stat_data_nuo, formavimo_data) FROM 'test/data/register/JAR_IREGISTRUOTI.csv' WITH (FORMAT csv, DELIMITER '|', HEADER true)
\copy legal_register_import (ja_kodas, ja_pavadinimas, adresas, ja_reg_data, form_kodas, form_pavadinimas, isreg_data, formavimo_data) FROM 'test/data/register/JAR_ISREGISTRUOTI.csv' WITH (FORMAT csv, DELIMITER '|', HEADER true)
SELECT * FROM merge_legal_register();
SELECT company_code, name, address, registered_on, form_code, form_name, status_code, status_name, status_since,
       deregistered_on, extract_date
  FROM legal_register WHERE tenant_id = 113 ORDER BY company_code;
SELECT count(*) AS staging_left FROM legal_register_import WHERE tenant_id = 113;
-- loading the same files again changes nothing (no duplicates)
\copy legal_register_import (ja_kodas, ja_pavadinimas, adresas, ja_reg_data, form_kodas, form_pavadinimas, stat_kodas, stat_pavadinimas, stat_data_nuo, formavimo_data) FROM 'test/data/register/JAR_IREGISTRUOTI.csv' WITH (FORMAT csv, DELIMITER '|', HEADER true)
\copy legal_register_import (ja_kodas, ja_pavadinimas, adresas, ja_reg_data, form_kodas, form_pavadinimas, isreg_data, formavimo_data) FROM 'test/data/register/JAR_ISREGISTRUOTI.csv' WITH (FORMAT csv, DELIMITER '|', HEADER true)
SELECT * FROM merge_legal_register();
SELECT count(*) AS companies FROM legal_register WHERE tenant_id = 113;

-- The "i" button on a new card: only the code was typed (the name is a placeholder).
INSERT INTO client (id, name, company_code) VALUES (11302, '110003978', '110003978');
SELECT fill_client_from_register(11302);
SELECT name, legal_form_name, register_status FROM client WHERE id = 11302;
SELECT street, city, postal_code, country, is_registration, is_primary FROM client_address WHERE client_id = 11302;
-- pressed again: nothing to change
SELECT fill_client_from_register(11302);
-- the user's own edits are kept ...
UPDATE client SET name = 'Lietkompexim (sandėlis)' WHERE id = 11302;
UPDATE client_address SET street = 'Sandėlio g. 1' WHERE client_id = 11302;
-- ... while a newer extract moves the registered address
\copy legal_register_import (ja_kodas, ja_pavadinimas, adresas, ja_reg_data, form_kodas, form_pavadinimas, stat_kodas, stat_pavadinimas, stat_data_nuo, formavimo_data) FROM 'test/data/register/JAR_IREGISTRUOTI_next.csv' WITH (FORMAT csv, DELIMITER '|', HEADER true)
SELECT * FROM merge_legal_register();
SELECT fill_client_from_register(11302);
SELECT c.name, a.street, a.city FROM client c JOIN client_address a ON a.client_id = c.id WHERE c.id = 11302;
-- unless asked to overwrite
SELECT fill_client_from_register(11302, overwrite => true);
SELECT c.name, a.street, a.city, a.postal_code FROM client c JOIN client_address a ON a.client_id = c.id WHERE c.id = 11302;
-- a field the register filled and the user did not touch follows the register
UPDATE legal_register SET form_name = 'UAB' WHERE tenant_id = 113 AND company_code = '110003978';
SELECT fill_client_from_register(11302);
SELECT legal_form_name FROM client WHERE id = 11302;

-- WARNINGs: a company in bankruptcy, a deregistered company
INSERT INTO client (id, name, company_code) VALUES (11303, 'Bankrutuojanti', '304110010'),
    (11304, 'Buvusi', '304110034');
SELECT fill_client_from_register(11303);
SELECT fill_client_from_register(11304, true);
SELECT name, legal_form_name, register_status FROM client WHERE id IN (11303, 11304) ORDER BY id;
-- the address without a postal code
INSERT INTO client (id, name, company_code) VALUES (11305, '304110027', '304110027');
SELECT fill_client_from_register(11305);
SELECT c.name, a.street, a.city, a.postal_code FROM client c JOIN client_address a ON a.client_id = c.id WHERE c.id = 11305;

-- Errors
INSERT INTO client (id, name, company_code) VALUES (11306, 'Nežinoma', '304110059');
SELECT fill_client_from_register(11306);
\echo :SQLSTATE
INSERT INTO client (id, name) VALUES (11307, 'Be kodo');
SELECT fill_client_from_register(11307);
\echo :SQLSTATE
SELECT fill_client_from_register(999999);
\echo :SQLSTATE
-- the register of one tenant is not another's
SET client_registry.tenant = 114;
INSERT INTO client (id, kind, name, company_code) VALUES (11401, 'own_company', 'Kitas', '110003978');
SELECT fill_client_from_register(11401);
\echo :SQLSTATE
SELECT count(*) FROM legal_register;
SET client_registry.tenant = 113;
