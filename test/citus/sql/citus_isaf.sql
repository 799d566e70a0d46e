-- issue #17 part A: the i.SAF export of one tenant on Citus (tenant 100, the
-- data of tenant 100 in test/sql/isaf.sql).  The file is read through the
-- coordinator (every statement names the tenant, so it is routed to the
-- tenant's shards), validated against the schema by test/isaf_validate.sh
-- (prints nothing for a valid file), and byte for byte the one-node file:
-- its checksum (FileDateCreated masked) is the one test/expected/isaf.out
-- shows for the same data on one node.
SET search_path = client_registry, public;
\set SHOW_CONTEXT never
SET client_min_messages = warning;
SET citus.propagate_set_commands = 'local';
\! mkdir -p results/citus_isaf && rm -f results/citus_isaf/*.xml
SELECT client_registry.grant_tenant(t, 'postgres') FROM (VALUES (100), (101)) v(t);
BEGIN;
SET LOCAL client_registry.tenant = 100;
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
COMMIT;

BEGIN;
SET LOCAL client_registry.tenant = 100;
-- the reconciliation view through the coordinator
SELECT register, tax_code, vat_rate, sum(taxable_value) AS taxable_value, sum(vat_amount) AS vat_amount
  FROM isaf_register WHERE tenant_id = 100 AND register_date BETWEEN '2026-11-01' AND '2026-11-30'
 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
\copy (SELECT isaf_file('2026-11-01', '2026-11-30', 'F')) TO 'results/citus_isaf/t100_f.xml' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
\copy (SELECT isaf_file('2026-11-01', '2026-11-30', 'S')) TO 'results/citus_isaf/t100_s.xml' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
\copy (SELECT isaf_file('2026-11-01', '2026-11-30', 'P')) TO 'results/citus_isaf/t100_p.xml' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
\! test/isaf_validate.sh results/citus_isaf/t100_f.xml results/citus_isaf/t100_s.xml results/citus_isaf/t100_p.xml
-- byte for byte the one-node file: the checksum test/expected/isaf.out shows
-- as one_node_md5 for the same data
SELECT m AS citus_md5, m = '6a49d871322bf063dcbb75c96557bcd7' AS same_as_one_node
  FROM md5(regexp_replace(isaf_file('2026-11-01', '2026-11-30', 'F'), '<FileDateCreated>[^<]*<', '<FileDateCreated><')) m;
-- split into parts as on one node
SELECT part, part_id, number_of_parts, sales_invoices, purchase_invoices
  FROM isaf_files('2026-11-01', '2026-11-30', 'F', max_invoices => 3);
COMMIT;
-- a tenant without invoices gets no registers, never another tenant's invoices
BEGIN;
SET LOCAL client_registry.tenant = 101;
INSERT INTO client (id, kind, name, company_code, vat_code) VALUES (10001, 'own_company', 'UAB Kita', '300000010', 'LT100001354118');
SELECT position('SourceDocuments' IN isaf_file('2026-11-01', '2026-11-30')) AS source_documents;
ROLLBACK;
