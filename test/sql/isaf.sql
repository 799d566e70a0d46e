-- 0.3.0: the i.SAF 1.2 export (R6).  Every file written here is validated
-- against the official schema by test/isaf_validate.sh (xmllint) inside the
-- run: it prints nothing for a valid file.  Tenants 100-109.
SET search_path = client_registry, public;
\set VERBOSITY default
\set SHOW_CONTEXT never
\! mkdir -p results/isaf && rm -f results/isaf/*.xml

-- Tenant 100: a Lithuanian company with every kind of counterparty.
SET client_registry.tenant = 100;
INSERT INTO client (id, kind, name, company_code, vat_code) VALUES (10001, 'own_company', 'UAB Savi', '110003978', 'LT100001919017');
INSERT INTO client (id, kind, name, company_code, vat_code, country, sales_tax_category) VALUES
    (10002, 'buyer', 'UAB „Pirkėjas" & Co <Vilnius>', '188772433', 'LT119511515', 'LT', 'PVM1'),
    (10003, 'buyer', 'Jonas Jonaitis', NULL, 'ND', 'LT', 'PVM1'),
    (10004, 'buyer', 'Müller GmbH', 'HRB12345', 'DE136695976', 'DE', 'PVM13'),
    (10005, 'buyer', 'John''s Shop', '12-3456789', 'ND', 'US', 'PVM12'),
    (10006, 'buyer', 'UAB Nedeklaruojamas', '301692533', NULL, 'LT', 'PVM1'),
    (10007, 'buyer', E'UAB Valdymo\u0001simboliai\tir\nnauja eilutė', '124110246', 'LT100001354118', 'LT', 'PVM1');
INSERT INTO client (id, kind, name, company_code, vat_code, purchase_tax_category) VALUES
    (10011, 'supplier', 'Ūkininkas Petras Žemaitis', '110443493', 'ND', 'PVM1'),
    (10012, 'supplier', 'UAB Tiekėjas', '111111120', 'LT111111113', 'PVM1');

-- Sales of November 2026
INSERT INTO invoice (id, client_id, direction, number, invoice_date, vat_point_date) VALUES
    (10101, 10002, 'sale', 'SF-1', '2026-11-02', NULL),
    (10102, 10003, 'sale', 'SF-2', '2026-11-03', '2026-10-30'),
    (10103, 10004, 'sale', 'SF-3', '2026-11-04', NULL),
    (10104, 10005, 'sale', 'SF-4', '2026-11-05', NULL),
    (10105, 10006, 'sale', 'SF-5', '2026-11-06', NULL),
    (10106, 10007, 'sale', 'SF-6', '2026-11-07', NULL),
    (10107, 10002, 'sale', 'SF-7', '2026-11-08', NULL),
    (10108, 10002, 'sale', 'SF-8', '2026-11-09', NULL);
INSERT INTO invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount) VALUES
    (10101, 500, 'PVM1', 21, 105), (10101, 100, 'PVM1', 21, 21), (10101, 200, 'PVM2', 9, 18),
    (10102, 50.5, 'PVM1', 21, 10.61),
    (10103, 1000, 'PVM13', 0, 0),
    (10104, 300, 'PVM12', 0, 0),
    (10105, 10, 'PVM1', 21, 2.10),
    (10106, 20, 'PVM1', 21, 4.20),
    (10107, 40, 'PVM1', 21, 8.40),
    (10108, 60, 'PVM1', 21, 12.60);
UPDATE invoice SET status = 'posted' WHERE id BETWEEN 10101 AND 10108;
-- a credit note of SF-1, a cancelled sale (AN), a draft (not reported)
INSERT INTO invoice (id, client_id, direction, number, invoice_date, isaf_type, corrected_invoice_id)
VALUES (10109, 10002, 'sale', 'KS-1', '2026-11-20', 'KS', 10101);
INSERT INTO invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount) VALUES (10109, -100, 'PVM1', 21, -21);
UPDATE invoice SET status = 'posted' WHERE id = 10109;
UPDATE invoice SET status = 'cancelled' WHERE id = 10108;
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES (10110, 10002, 'sale', 'SF-9', '2026-11-21');
-- a sale in another currency, and one of October (another period)
INSERT INTO invoice (id, client_id, direction, number, invoice_date, currency, currency_rate)
VALUES (10111, 10004, 'sale', 'SF-10', '2026-11-22', 'USD', 0.9);
INSERT INTO invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount) VALUES (10111, 1000.01, 'PVM13', 0, 0);
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES (10112, 10002, 'sale', 'SF-0', '2026-10-31');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount) VALUES (10112, 1, 'PVM1', 21, 0.21);
UPDATE invoice SET status = 'posted' WHERE id IN (10111, 10112);

-- Purchases: a farmer's invoice (special taxation "T", ND with a company
-- code), one received in November for an October invoice (registration date
-- in the period), one registered in December (next period).
INSERT INTO invoice (id, client_id, direction, number, invoice_date, registration_date, special_taxation) VALUES
    (10201, 10011, 'purchase', 'ŪK-77', '2026-11-10', NULL, true),
    (10202, 10012, 'purchase', 'TK 1/2026', '2026-10-28', '2026-11-03', false),
    (10203, 10012, 'purchase', 'TK 2/2026', '2026-11-29', '2026-12-01', false);
INSERT INTO invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount) VALUES
    (10201, 1000, 'PVM1', 6, 60), (10202, 80, 'PVM1', 21, 16.80), (10202, 20, NULL, 0, 0),
    (10203, 10, 'PVM1', 21, 2.10);
UPDATE invoice SET status = 'posted' WHERE id BETWEEN 10201 AND 10203;

-- What goes into the November registers (reconciliation view): the draft,
-- the client without a VAT code (R6.1), October and December are left out.
SELECT register, invoice_no, invoice_type, special_taxation, reference_no, party_vat_code,
       party_registration_number, party_country, party_name, tax_code, vat_rate, taxable_value, vat_amount
  FROM isaf_register WHERE tenant_id = current_tenant() AND register_date BETWEEN '2026-11-01' AND '2026-11-30'
 ORDER BY register, register_date, invoice_id, tax_code, vat_rate;
-- the VAT return per register and tax code (the owner running this test sees
-- every tenant, so the tenant is named; other roles see only theirs)
SELECT register, tax_code, vat_rate, sum(taxable_value) AS taxable_value, sum(vat_amount) AS vat_amount
  FROM isaf_register WHERE tenant_id = current_tenant() AND register_date BETWEEN '2026-11-01' AND '2026-11-30'
 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;

-- The files: F, S and P; written with \copy as the README shows.
\copy (SELECT isaf_file('2026-11-01', '2026-11-30', 'F')) TO 'results/isaf/t100_f.xml' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
\copy (SELECT isaf_file('2026-11-01', '2026-11-30', 'S')) TO 'results/isaf/t100_s.xml' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
\copy (SELECT isaf_file('2026-11-01', '2026-11-30', 'p')) TO 'results/isaf/t100_p.xml' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
\! test/isaf_validate.sh results/isaf/t100_f.xml results/isaf/t100_s.xml results/isaf/t100_p.xml
-- The full file (FileDateCreated masked):
\! xmllint --format results/isaf/t100_f.xml | sed -E 's|<FileDateCreated>[^<]*<|<FileDateCreated>(now)<|'
-- S and P hold one register each, the same invoices
SELECT (xpath('count(//i:SalesInvoices/i:Invoice)', f::xml, '{{i,http://www.vmi.lt/cms/imas/isaf}}'))[1]::text AS sales,
       (xpath('count(//i:PurchaseInvoices/i:Invoice)', f::xml, '{{i,http://www.vmi.lt/cms/imas/isaf}}'))[1]::text AS purchases,
       (xpath('//i:DataType/text()', f::xml, '{{i,http://www.vmi.lt/cms/imas/isaf}}'))[1]::text AS data_type,
       (xpath('//i:PartNumber/text()', f::xml, '{{i,http://www.vmi.lt/cms/imas/isaf}}'))[1]::text AS part_number
  FROM (VALUES (isaf_file('2026-11-01', '2026-11-30', 'S')), (isaf_file('2026-11-01', '2026-11-30', 'P'))) v(f);
-- one line, UTF-8, declaration first, nothing outside the root
SELECT position(E'\n' IN f) AS line_breaks, left(f, 38) AS declaration, right(f, 11) AS tail
  FROM isaf_file('2026-11-01', '2026-11-30') f;

-- Clients without a VAT code are left out (R6.1) until they get one or ND:
-- the same invoice is reported after the card and the snapshot say ND.
SELECT count(*) FROM isaf_register_invoice WHERE invoice_id = 10105;
SET row_security = off;   -- (only to correct the snapshot of a posted invoice in this test)
UPDATE invoice SET counterparty_vat_code = 'ND' WHERE id = 10105;
RESET row_security;
SELECT invoice_no, party_vat_code, party_registration_number, party_country FROM isaf_register_invoice WHERE invoice_id = 10105;
\copy (SELECT isaf_file('2026-11-01', '2026-11-30', 'S')) TO 'results/isaf/t100_s_nd.xml' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
\! test/isaf_validate.sh results/isaf/t100_s_nd.xml
SET row_security = off;
UPDATE invoice SET counterparty_vat_code = NULL WHERE id = 10105;
RESET row_security;

-- Split into parts: at most 3 invoices per register (sales 10, purchases 2)
SELECT part, part_id, number_of_parts, sales_invoices, purchase_invoices, file_name,
       (xpath('//i:PartNumber/text()', xml::xml, '{{i,http://www.vmi.lt/cms/imas/isaf}}'))[1]::text AS part_number,
       (xpath('//i:NumberOfParts/text()', xml::xml, '{{i,http://www.vmi.lt/cms/imas/isaf}}'))[1]::text AS number_of_parts_in_file,
       (xpath('count(//i:Invoice)', xml::xml, '{{i,http://www.vmi.lt/cms/imas/isaf}}'))[1]::text AS invoices
  FROM isaf_files('2026-11-01', '2026-11-30', 'F', max_invoices => 3);
-- every invoice in exactly one part, in the same order as the single file
SELECT (SELECT string_agg(n::text, ',') FROM isaf_files('2026-11-01', '2026-11-30', 'F', 3) p,
                unnest(xpath('//i:InvoiceNo/text()', p.xml::xml, '{{i,http://www.vmi.lt/cms/imas/isaf}}')) n)
     = (SELECT string_agg(n::text, ',') FROM
                unnest(xpath('//i:InvoiceNo/text()', isaf_file('2026-11-01', '2026-11-30', 'F')::xml,
                             '{{i,http://www.vmi.lt/cms/imas/isaf}}')) n) AS same_invoices;
-- isaf_file(part => k) gives the same part as isaf_files
SELECT p.part, p.xml = isaf_file('2026-11-01', '2026-11-30', 'F', p.part, 3) AS same
  FROM isaf_files('2026-11-01', '2026-11-30', 'F', 3) p;
\copy (SELECT isaf_file('2026-11-01', '2026-11-30', 'F', 1, 3)) TO 'results/isaf/t100_f_part1.xml' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
\copy (SELECT isaf_file('2026-11-01', '2026-11-30', 'F', 2, 3)) TO 'results/isaf/t100_f_part2.xml' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
\copy (SELECT isaf_file('2026-11-01', '2026-11-30', 'F', 3, 3)) TO 'results/isaf/t100_f_part3.xml' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
\! test/isaf_validate.sh results/isaf/t100_f_part1.xml results/isaf/t100_f_part2.xml results/isaf/t100_f_part3.xml

-- An empty period: a header-only file (no SourceDocuments), one part.
SELECT part, part_id, number_of_parts, sales_invoices, purchase_invoices FROM isaf_files('2026-09-01', '2026-09-30');
SELECT position('SourceDocuments' IN isaf_file('2026-09-01', '2026-09-30')) AS source_documents;
\copy (SELECT isaf_file('2026-09-01', '2026-09-30')) TO 'results/isaf/t100_empty.xml' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
\! test/isaf_validate.sh results/isaf/t100_empty.xml
-- a period with sales only: F has SalesInvoices and no PurchaseInvoices element
SELECT position('PurchaseInvoices' IN f) AS purchases, position('SalesInvoices' IN f) > 0 AS sales
  FROM isaf_file('2026-10-01', '2026-10-31') f;
\copy (SELECT isaf_file('2026-10-01', '2026-10-31')) TO 'results/isaf/t100_october.xml' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
\! test/isaf_validate.sh results/isaf/t100_october.xml

-- Errors: the arguments
SELECT isaf_file('2026-11-30', '2026-11-01');
\echo :SQLSTATE
SELECT isaf_file('2016-06-30', '2016-11-30');
\echo :SQLSTATE
SELECT isaf_file('2016-07-01', '2016-09-30');
\echo :SQLSTATE
SELECT isaf_file('2099-12-01', '2100-01-02');
\echo :SQLSTATE
SELECT isaf_file('2026-11-01', 'infinity');
\echo :SQLSTATE
SELECT isaf_file('2026-11-01', '2026-11-30', 'X');
\echo :SQLSTATE
SELECT isaf_file('2026-11-01', '2026-11-30', 'FS');
\echo :SQLSTATE
SELECT isaf_file(NULL, '2026-11-30');
\echo :SQLSTATE
SELECT isaf_file('2026-11-01', '2026-11-30', NULL);
\echo :SQLSTATE
SELECT isaf_file('2026-11-01', '2026-11-30', 'F', NULL);
\echo :SQLSTATE
SELECT isaf_file('2026-11-01', '2026-11-30', 'F', 1, 0);
\echo :SQLSTATE
SELECT * FROM isaf_files('2026-11-01', '2026-11-30', 'F', 500001);
\echo :SQLSTATE
SELECT isaf_file('2026-11-01', '2026-11-30', 'F', 0);
\echo :SQLSTATE
SELECT isaf_file('2026-11-01', '2026-11-30', 'F', 5, 3);
\echo :SQLSTATE
SELECT isaf_file('2026-09-01', '2026-09-30', 'F', 2);
\echo :SQLSTATE

-- Errors: the own company
SET client_registry.tenant = 101;
SELECT isaf_file('2026-11-01', '2026-11-30');
\echo :SQLSTATE
SELECT * FROM isaf_files('2026-11-01', '2026-11-30');
\echo :SQLSTATE
INSERT INTO client (kind, name) VALUES ('own_company', 'UAB Be kodo');
SELECT isaf_file('2026-11-01', '2026-11-30');
\echo :SQLSTATE
SET client_registry.tenant = 102;
INSERT INTO client (kind, name, company_code, country) VALUES ('own_company', 'Firma GmbH', 'HRB99', 'DE');
SELECT isaf_file('2026-11-01', '2026-11-30');
\echo :SQLSTATE
-- a numeric code works (here an 11-digit Latvian one), and the file is valid
SET client_registry.tenant = 103;
INSERT INTO client (kind, name, company_code, country) VALUES ('own_company', 'SIA Latvija', '40003032949', 'LV');
SELECT (xpath('//i:RegistrationNumber/text()', isaf_file('2026-11-01', '2026-11-30')::xml,
              '{{i,http://www.vmi.lt/cms/imas/isaf}}'))[1]::text AS registration_number;
\copy (SELECT isaf_file('2026-11-01', '2026-11-30')) TO 'results/isaf/t103_empty.xml' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
\! test/isaf_validate.sh results/isaf/t103_empty.xml

-- Errors: invoices whose data the schema cannot carry (R6001), each in its
-- own tenant; the message names the invoice and the field.
SET client_registry.tenant = 104;
INSERT INTO client (id, kind, name, company_code, vat_code) VALUES (10401, 'own_company', 'UAB Keturi', '110003978', NULL);
INSERT INTO client (id, kind, name, company_code, vat_code, sales_tax_category)
VALUES (10402, 'buyer', 'UAB Pirkėjas', '188772433', 'LT119511515', 'PVM1');
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES (10411, 10402, 'sale', 'SF-1', '2026-11-02');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount) VALUES (10411, 100, 'VAT21', 21, 21);
UPDATE invoice SET status = 'posted' WHERE id = 10411;
SELECT isaf_file('2026-11-01', '2026-11-30');
\echo :SQLSTATE
SELECT isaf_file('2026-11-01', '2026-11-30', 'P') IS NOT NULL AS purchases_only_still_work;

SET client_registry.tenant = 105;
INSERT INTO client (id, kind, name, company_code) VALUES (10501, 'own_company', 'UAB Penki', '110003978');
INSERT INTO client (id, kind, name, company_code, vat_code, sales_tax_category)
VALUES (10502, 'buyer', repeat('Labai ilgas pavadinimas ', 11), '188772433', 'LT119511515', 'PVM1');
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES (10511, 10502, 'sale', 'SF-1', '2026-11-02');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount) VALUES (10511, 100, 'PVM1', 21, 21);
UPDATE invoice SET status = 'posted' WHERE id = 10511;
SELECT isaf_file('2026-11-01', '2026-11-30');
\echo :SQLSTATE

SET client_registry.tenant = 106;
INSERT INTO client (id, kind, name, company_code) VALUES (10601, 'own_company', 'UAB Šeši', '110003978');
INSERT INTO client (id, kind, name, company_code, vat_code, sales_tax_category)
VALUES (10602, 'buyer', 'UAB Pirkėjas', '188772433', 'LT119511515', 'PVM1');
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES (10611, 10602, 'sale', 'SF-' || repeat('9', 70), '2026-11-02');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount) VALUES (10611, 100, 'PVM1', 21, 21);
UPDATE invoice SET status = 'posted' WHERE id = 10611;
SELECT isaf_file('2026-11-01', '2026-11-30');
\echo :SQLSTATE

SET client_registry.tenant = 107;
INSERT INTO client (id, kind, name, company_code) VALUES (10701, 'own_company', 'UAB Septyni', '110003978');
INSERT INTO client (id, kind, name, company_code, vat_code, sales_tax_category)
VALUES (10702, 'buyer', 'UAB Pirkėjas', '188772433', 'LT119511515', 'PVM1');
INSERT INTO invoice (id, client_id, direction, number, invoice_date, vat_point_date) VALUES (10711, 10702, 'sale', 'SF-1', '2026-11-02', '2015-01-01');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount) VALUES (10711, 100, 'PVM1', 21, 21);
UPDATE invoice SET status = 'posted' WHERE id = 10711;
SELECT isaf_file('2026-11-01', '2026-11-30');
\echo :SQLSTATE
-- a credit note of an invoice from before 1990
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES (10712, 10702, 'sale', 'SF-OLD', '1989-12-31');
INSERT INTO invoice (id, client_id, direction, number, invoice_date, isaf_type, corrected_invoice_id)
VALUES (10713, 10702, 'sale', 'KS-1', '2026-12-02', 'KS', 10712);
INSERT INTO invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount) VALUES (10713, -10, 'PVM1', 21, -2.1);
UPDATE invoice SET status = 'posted' WHERE id = 10713;
SELECT isaf_file('2026-12-01', '2026-12-31');
\echo :SQLSTATE
-- more than 100 tax code / rate pairs on one invoice (101 rates 0..100 %)
SET client_registry.tenant = 109;
INSERT INTO client (id, kind, name, company_code) VALUES (10901, 'own_company', 'UAB Devyni', '110003978');
INSERT INTO client (id, kind, name, company_code, vat_code, sales_tax_category)
VALUES (10902, 'buyer', 'UAB Pirkėjas', '188772433', 'LT119511515', 'PVM1');
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES (10911, 10902, 'sale', 'SF-100', '2026-11-02');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount)
SELECT 10911, 1, 'PVM1', r, r / 100.0 FROM generate_series(0, 100) r;
UPDATE invoice SET status = 'posted' WHERE id = 10911;
SELECT isaf_file('2026-11-01', '2026-11-30');
\echo :SQLSTATE
-- 100 pairs are fine
DELETE FROM invoice_vat_line WHERE invoice_id = 10911 AND vat_rate = 100;
SELECT (length(f) - length(replace(f, '<DocumentTotal>', ''))) / 15 AS document_totals
  FROM isaf_file('2026-11-01', '2026-11-30') f;
\copy (SELECT isaf_file('2026-11-01', '2026-11-30')) TO 'results/isaf/t109_100_totals.xml' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
\! test/isaf_validate.sh results/isaf/t109_100_totals.xml

-- Whatever the server encoding: a WIN1257 database gives the same UTF-8 file
-- to a UTF-8 client.
SELECT current_database() AS regression_db \gset
CREATE DATABASE isaf_win1257 ENCODING 'WIN1257' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
\c isaf_win1257
SET client_encoding = 'UTF8';
CREATE EXTENSION client_registry CASCADE;
SET search_path = client_registry, public;
SET client_registry.tenant = 108;
INSERT INTO client (id, kind, name, company_code) VALUES (10801, 'own_company', 'UAB Aštuoni', '110003978');
INSERT INTO client (id, kind, name, company_code, vat_code, sales_tax_category)
VALUES (10802, 'buyer', 'UAB „Žąsų ūkis" & Čiužiniai <LT>', '188772433', 'LT119511515', 'PVM1');
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES (10811, 10802, 'sale', 'SF-Ž1', '2026-11-02');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount) VALUES (10811, 100, 'PVM1', 21, 21);
UPDATE invoice SET status = 'posted' WHERE id = 10811;
\copy (SELECT isaf_file('2026-11-01', '2026-11-30')) TO 'results/isaf/t108_win1257.xml' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
\! test/isaf_validate.sh results/isaf/t108_win1257.xml
\! grep -o '<InvoiceNo>[^<]*</InvoiceNo>.*<Name>[^<]*</Name>' results/isaf/t108_win1257.xml
\c :regression_db
DROP DATABASE isaf_win1257;
