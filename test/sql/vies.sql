-- 0.4.0 (issue #18): VIES check results, the latest on the card, the clients
-- with 0 % EU sales that need a (re)check; VIES results of an erased person.
SET search_path = client_registry, public;
SET client_registry.tenant = 182;
\set VERBOSITY default
\set SHOW_CONTEXT never
INSERT INTO client (id, kind, name, company_code) VALUES (18201, 'own_company', 'UAB Savi', '110443493');
INSERT INTO client (id, kind, name, country, company_code, vat_code, sales_tax_category) VALUES
    (18202, 'buyer', 'SIA Baltijas Testi', 'LV', '40003521600', 'LV40003521600', 'PVM12'),
    (18203, 'buyer', 'Testfirma OÜ', 'EE', '10000024', 'EE100594102', 'PVM12'),
    (18204, 'buyer', 'Muster GmbH', 'DE', 'HRB 1234', 'DE136695976', 'PVM1'),
    (18205, 'buyer', 'UAB Vietinis', 'LT', '110003978', 'LT119511515', 'PVM1'),
    (18206, 'buyer', 'Norsk AS', 'NO', '123456785', NULL, 'PVM12');
-- sales: 0 % to LV, EE, LT (domestic reverse charge) and NO; 21 % to DE
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES
    (18701, 18202, 'sale', 'V-1', '2026-10-01'), (18702, 18203, 'sale', 'V-2', '2026-10-02'),
    (18703, 18204, 'sale', 'V-3', '2026-10-03'), (18704, 18205, 'sale', 'V-4', '2026-10-04'),
    (18705, 18206, 'sale', 'V-5', '2026-10-05'), (18706, 18202, 'sale', 'V-6', '2026-11-01');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_rate, vat_amount) VALUES
    (18701, 1000, 0, 0), (18702, 500, 0, 0), (18703, 100, 21, 21), (18704, 100, 0, 0), (18705, 100, 0, 0),
    (18706, 200, 0, 0);
UPDATE invoice SET status = 'posted' WHERE id BETWEEN 18701 AND 18705;

SELECT client_id, name, country, vat_code, zero_rated_sales, last_sale_date, last_checked_at, reason
  FROM vies_checks_due WHERE tenant_id = 182 ORDER BY client_id;

-- the application records what VIES answered
SELECT record_vat_number_check(18202, true, returned_name => 'SIA "BALTIJAS TESTI"',
                               returned_address => 'BRĪVĪBAS IELA 1, RĪGA, LV-1010',
                               consultation_number => 'WAPIAAAAY1a2b3c4', checked_at => now() - interval '1 day') > 0 AS recorded;
SELECT record_vat_number_check(18203, true, vat_code => 'ee 100 594 102', returned_name => '---',
                               consultation_number => 'WAPIAAAAY9z8y7x6', checked_at => now() - interval '200 days') > 0 AS recorded;
SELECT vat_code, valid, returned_name, returned_address, consultation_number, checked_by = current_user AS by_me
  FROM vat_number_check WHERE tenant_id = 182 ORDER BY id;
SELECT client_id, reason FROM vies_checks_due WHERE tenant_id = 182 ORDER BY client_id;
-- the maximum age is a tenant setting
UPDATE tenant SET vies_check_max_age = '1 year' WHERE id = 182;
SELECT client_id, reason FROM vies_checks_due WHERE tenant_id = 182 ORDER BY client_id;
\set VERBOSITY terse
UPDATE tenant SET vies_check_max_age = '0 days' WHERE id = 182;
\set VERBOSITY default
\echo :SQLSTATE

-- an invalid answer is listed (and warned about); so is a changed VAT code
SELECT record_vat_number_check(18203, false) > 0 AS recorded;
UPDATE client SET vat_code = 'LV40103077610' WHERE id = 18202;
SELECT client_id, reason FROM vies_checks_due WHERE tenant_id = 182 ORDER BY client_id;

-- the latest check on the card
SELECT id, vat_code, vies_checked_at IS NOT NULL AS checked, vies_vat_code, vies_valid, vies_name, vies_address,
       vies_consultation_number
  FROM client_card WHERE tenant_id = 182 AND id IN (18202, 18203, 18204) ORDER BY id;

-- refusals
SELECT record_vat_number_check(18206, true, vat_code => 'NO123456785MVA');
\echo :SQLSTATE
SELECT record_vat_number_check(18206, true);
\echo :SQLSTATE
SELECT record_vat_number_check(999999, true);
\echo :SQLSTATE
\set VERBOSITY terse
SELECT record_vat_number_check(18202, true, consultation_number => 'not a number!');
\set VERBOSITY default
\echo :SQLSTATE

-- a merge moves the checks to the survivor
INSERT INTO client (id, kind, name, country, vat_code, sales_tax_category) VALUES
    (18207, 'buyer', 'Baltijas Testi (dublikatas)', 'LV', 'LV40003521600', 'PVM12');
SELECT record_vat_number_check(18207, true, consultation_number => 'WAPIAAAAY0000001') > 0 AS recorded;
SELECT merge_clients(18202, 18207) > 0 AS merged;
SELECT client_id, consultation_number FROM vat_number_check WHERE tenant_id = 182 AND client_id IN (18202, 18207)
 ORDER BY id;

-- VIES results of an erased person: kept with the retained 0 % sale, deleted otherwise
INSERT INTO client (id, kind, legal_form, name, country, vat_code, sales_tax_category) VALUES
    (18208, 'buyer', 'natural_person', 'Jānis Bērziņš', 'LV', 'LV16117519997', 'PVM12'),
    (18209, 'buyer', 'natural_person', 'Anna Kalniņa', 'LV', 'LV32867300679', 'PVM12');
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES (18707, 18208, 'sale', 'V-7', '2026-11-10');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_rate, vat_amount) VALUES (18707, 300, 0, 0);
UPDATE invoice SET status = 'posted' WHERE id = 18707;
SELECT record_vat_number_check(18208, true, returned_name => 'JĀNIS BĒRZIŅŠ', consultation_number => 'WAPIAAAAY0000002') > 0 AS recorded;
SELECT record_vat_number_check(18209, true, returned_name => 'ANNA KALNIŅA', consultation_number => 'WAPIAAAAY0000003') > 0 AS recorded;
SELECT table_name, action, row_count, retained_until FROM erase_personal_data(18208)
 WHERE table_name IN ('invoice', 'vat_number_check') ORDER BY table_name, action;
SELECT table_name, action, row_count, retained_until FROM erase_personal_data(18209)
 WHERE table_name IN ('invoice', 'vat_number_check') ORDER BY table_name, action;
SELECT client_id, returned_name FROM vat_number_check WHERE client_id IN (18208, 18209);
SELECT client_id, retained_documents, retained_until, may_be_erased_now FROM retained_personal_data
 WHERE tenant_id = 182 ORDER BY client_id;
