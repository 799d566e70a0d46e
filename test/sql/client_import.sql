-- 0.4.0 (issue #15): moving in.  import_begin() creates the session's
-- staging tables, COPY fills them, import_apply(source) writes them into the
-- registry with every rule on and returns one result per row.
-- Tenants 194, 195 (190-193 are the CRM tests'); ids are the registry's own
-- (an import gives no ids), so results show whether there is one.
SET search_path = client_registry, public;
\set VERBOSITY terse
\set SHOW_CONTEXT never
SET client_registry.tenant = 194;

-- Before import_begin there is nothing to apply.  (The errors of the API
-- itself are shown with their detail and hint.)
\set VERBOSITY default
SELECT * FROM import_apply('rivile');
-- The source names the system the data comes from.
SELECT * FROM import_apply('  ');
SELECT * FROM import_apply('rivile', 0);
SELECT * FROM import_apply('rivile', 1000001);
\set VERBOSITY terse

-- The staging tables and their columns (all text).
SELECT staging_table, pg_catalog.split_part(columns, ', ', 1) AS first_column,
       pg_catalog.array_length(pg_catalog.string_to_array(columns, ', '), 1) > 1 AS more
  FROM import_begin();
SELECT staging_table, column_name, data_type, is_reference FROM import_column
 WHERE staging_table IN ('import_vat_line', 'import_payment') ORDER BY table_order, position;

-- A tenant with no own company: the import must bring one.
SET client_registry.tenant = 195;
SELECT pg_catalog.count(*) AS staging_tables FROM import_begin();
COPY import_client (external_id, kind, name) FROM STDIN (FORMAT csv);
B1,buyer,UAB Be namų
\.
\set VERBOSITY default
SELECT * FROM import_apply('rivile');
\set VERBOSITY terse
SET client_registry.tenant = 194;

-- A good import: the own company, two buyers (one with a strict credit
-- limit), their addresses, bank accounts and contacts, invoices with VAT
-- lines (one of them a credit note), payments.
SELECT pg_catalog.count(*) AS staging_tables FROM import_begin();
COPY import_client (external_id, kind, name, company_code, vat_code, sales_tax_category, credit_control, credit_limit, country) FROM STDIN (FORMAT csv, HEADER);
external_id,kind,name,company_code,vat_code,sales_tax_category,credit_control,credit_limit,country
R-1,own_company,UAB Persikraustymas,110003978,LT100001919017,,,,
R-2,buyer,UAB Alfa,188772433,,PVM1,strict,1000,
R-3,buyer,UAB Beta,110443493,,PVM1,,,lt
\.
COPY import_address (client_external_id, street, city, postal_code, is_primary) FROM STDIN (FORMAT csv);
R-2,Gedimino pr. 1,Vilnius,LT-01103,true
R-2,Laisvės al. 2,Kaunas,,
R-3,Vilniaus g. 3,Klaipėda,,t
\.
COPY import_bank_account (client_external_id, iban, currency) FROM STDIN (FORMAT csv);
R-2,LT12 1000 0111 0100 1000,
R-3,LT647044001231465456,eur
\.
COPY import_contact (client_external_id, first_name, last_name, email) FROM STDIN (FORMAT csv);
R-2,Ona,Onaitė,Ona@Alfa.lt
\.
COPY import_invoice (external_id, client_external_id, direction, number, invoice_date, status, corrected_external_id, isaf_type) FROM STDIN (FORMAT csv);
F-1,R-2,sale,IMP-1,2024-03-01,posted,,
F-2,R-3,sale,IMP-2,2024-03-02,posted,,
F-3,R-3,sale,IMP-3,2024-03-03,posted,F-2,KS
\.
COPY import_vat_line (invoice_external_id, taxable_value, vat_rate, vat_amount) FROM STDIN (FORMAT csv);
F-1,500,21,105
F-2,100,21,21
F-3,-100,21,-21
\.
COPY import_payment (external_id, client_external_id, direction, payment_date, amount) FROM STDIN (FORMAT csv);
M-1,R-2,in,2024-03-10,605
\.
SELECT kind, line, external_id, status, id IS NOT NULL AS has_id, sqlstate, field, message
  FROM import_apply('rivile');
-- the same rows in import_result
SELECT status, pg_catalog.count(*) FROM import_result GROUP BY status ORDER BY status;
SELECT source, external_id, kind, name, country, credit_limit FROM client WHERE tenant_id = 194 ORDER BY external_id;
SELECT c.external_id, a.street, a.is_primary FROM client_address a JOIN client c ON c.id = a.client_id
 WHERE a.tenant_id = 194 ORDER BY a.id;
SELECT c.external_id, b.iban, b.currency FROM client_bank_account b JOIN client c ON c.id = b.client_id
 WHERE b.tenant_id = 194 ORDER BY b.id;
SELECT i.external_id, i.number, i.status, i.total_gross, (x.external_id) AS corrects
  FROM invoice i LEFT JOIN invoice x ON x.id = i.corrected_invoice_id WHERE i.tenant_id = 194 ORDER BY i.number;
SELECT c.external_id, b.receivable FROM client_balance b JOIN client c ON c.id = b.client_id
 WHERE b.tenant_id = 194 ORDER BY 1;
SELECT source, run_by = CURRENT_USER AS by_me, finished_at IS NOT NULL AS finished, counts -> 'client' AS clients
  FROM import_run WHERE tenant_id = 194 ORDER BY id;

-- Running the same import again changes nothing.
SELECT status, pg_catalog.count(*) FROM import_apply('rivile') GROUP BY status ORDER BY status;
SELECT pg_catalog.count(*) AS clients FROM client WHERE tenant_id = 194;

-- The same external ids from another source are other clients: the
-- company code makes them duplicates here.
SELECT kind, line, external_id, status, sqlstate, field,
       pg_catalog.regexp_replace(message, 'client \d+', 'client N', 'g') AS message
  FROM import_apply('b1') WHERE kind = 'client' AND line <= 3;

-- An update: a changed value updates the card, an empty value keeps it.
SELECT pg_catalog.count(*) AS staging_tables FROM import_begin();
COPY import_client (external_id, kind, name, credit_limit) FROM STDIN (FORMAT csv);
R-2,buyer,UAB Alfa (nauja),
R-3,buyer,UAB Beta,
\.
COPY import_address (client_external_id, street, city, postal_code, is_primary) FROM STDIN (FORMAT csv);
R-2,Laisvės al. 2,Kaunas,,true
R-3,Naujoji g. 9,Klaipėda,,
\.
SELECT kind, line, external_id, status, id IS NOT NULL AS has_id FROM import_apply('rivile');
SELECT name, credit_limit FROM client WHERE tenant_id = 194 AND external_id = 'R-2' AND source = 'rivile';
SELECT c.external_id, a.street, a.is_primary FROM client_address a JOIN client c ON c.id = a.client_id
 WHERE a.tenant_id = 194 ORDER BY a.id;

-- Bad rows: each rejected with its SQLSTATE, field and message; a rejected
-- card takes its children with it and never stops the good ones.
SELECT pg_catalog.count(*) AS staging_tables FROM import_begin();
COPY import_client (external_id, kind, name, company_code, credit_limit, birth_date, is_active, sales_tax_category) FROM STDIN (FORMAT csv);
N-1,buyer,UAB Gera,301692533,,,,PVM1
,buyer,UAB Be id,,,,,
N-1,buyer,UAB Antras N-1,,,,,
N-2,buyer,,,,,,
N-3,buyer,UAB Bloga kodas,123,,,,
N-4,buyer,UAB Blogas limitas,,daug,,,
N-5,buyer,UAB Blogas vaikas,,,,,
N-6,buyer,UAB Bloga data,,,2024-13-45,,
N-7,buyer,UAB Blogas taip,,,,gal,
N-8,buyer,UAB Alfa kopija,188772433,,,,
\.
COPY import_address (client_external_id, street, city) FROM STDIN (FORMAT csv);
N-1,Gera g. 1,Vilnius
N-2,Be vardo g. 2,Vilnius
,Niekieno g. 3,Vilnius
X-9,Nežinoma g. 4,Vilnius
\.
COPY import_bank_account (client_external_id, iban) FROM STDIN (FORMAT csv);
N-5,LT121000011101001000
N-5,LT00 BLOGAS
R-3,LT00 IR CIA BLOGAS
R-3,LT647044001231465456
\.
COPY import_invoice (external_id, client_external_id, direction, number, invoice_date, status, corrected_external_id) FROM STDIN (FORMAT csv);
G-1,N-1,sale,IMP-10,2024-04-01,posted,
G-2,,sale,IMP-11,2024-04-01,posted,
G-3,N-2,sale,IMP-12,2024-04-01,posted,
G-4,X-9,sale,IMP-13,2024-04-01,posted,
G-5,N-1,sale,IMP-14,kovo 1,posted,
G-6,N-1,sale,IMP-15,2024-04-02,posted,G-5
G-7,N-1,sale,IMP-16,2024-04-02,posted,G-99
,N-1,sale,IMP-17,2024-04-02,posted,
G-8,N-1,sale,IMP-1,2024-04-03,posted,
\.
COPY import_vat_line (invoice_external_id, taxable_value, vat_rate, vat_amount) FROM STDIN (FORMAT csv);
G-1,100,21,21
G-5,100,21,21
,100,21,21
G-8,10,21,2.10
G-1,10,150,1
\.
COPY import_payment (external_id, client_external_id, direction, payment_date, amount) FROM STDIN (FORMAT csv);
P-1,N-1,in,2024-04-05,1
P-2,N-1,sideways,2024-04-05,1
P-3,,in,2024-04-05,1
\.
SELECT kind, line, external_id, status, id IS NOT NULL AS has_id, sqlstate, field,
       pg_catalog.regexp_replace(message, 'client \d+', 'client N', 'g') AS message
  FROM import_apply('rivile', 4);
-- nothing of a rejected card was written; the good card and its address were
SELECT external_id, name FROM client WHERE tenant_id = 194 AND external_id LIKE 'N-%' ORDER BY 1;
SELECT pg_catalog.count(*) AS r3_accounts FROM client_bank_account b JOIN client c ON c.id = b.client_id
 WHERE c.external_id = 'R-3' AND c.tenant_id = 194;
SELECT counts -> 'client' AS clients, counts -> 'invoice' AS invoices FROM import_run WHERE tenant_id = 194 ORDER BY id DESC LIMIT 1;

-- History: past sales of a buyer over its strict limit are recorded, with
-- a warning, in import_credit_override; outside an import they are refused.
SELECT pg_catalog.count(*) AS staging_tables FROM import_begin();
COPY import_invoice (external_id, client_external_id, direction, number, invoice_date, status) FROM STDIN (FORMAT csv);
H-1,R-2,sale,IMP-20,2024-05-01,posted
H-2,R-2,sale,IMP-21,2024-05-02,posted
\.
COPY import_vat_line (invoice_external_id, taxable_value, vat_rate, vat_amount) FROM STDIN (FORMAT csv);
H-1,800,21,168
H-2,200,21,42
\.
SET client_min_messages = error;
SELECT kind, external_id, status FROM import_apply('rivile') WHERE kind IN ('invoice', 'vat_line');
RESET client_min_messages;
SELECT o.invoice_numbers, o.credit_limit, o.debt_before, o.amount, o.debt_after, r.source
  FROM import_credit_override o JOIN import_run r ON r.tenant_id = o.tenant_id AND r.id = o.import_run_id
 WHERE o.tenant_id = 194;
SELECT b.receivable FROM client_balance b JOIN client c ON c.id = b.client_id
 WHERE c.tenant_id = 194 AND c.external_id = 'R-2';
-- the same sale outside an import
WITH i AS (
    INSERT INTO invoice (client_id, direction, number, invoice_date)
    SELECT id, 'sale', 'NEW-1', '2026-12-01' FROM client WHERE tenant_id = 194 AND external_id = 'R-2'
    RETURNING id)
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_rate, vat_amount) SELECT id, 10, 21, 2.10 FROM i;
DO $$
BEGIN
    UPDATE client_registry.invoice SET status = 'posted' WHERE tenant_id = 194 AND number = 'NEW-1';
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'refused: %', SQLSTATE;
END
$$;
-- an inactive buyer's history is accepted too
UPDATE client SET is_active = false WHERE tenant_id = 194 AND external_id = 'R-3';
SELECT pg_catalog.count(*) AS staging_tables FROM import_begin();
COPY import_invoice (external_id, client_external_id, direction, number, invoice_date) FROM STDIN (FORMAT csv);
H-3,R-3,sale,IMP-22,2024-05-03
\.
SELECT kind, external_id, status FROM import_apply('rivile');
UPDATE client SET is_active = true WHERE tenant_id = 194 AND external_id = 'R-3';

-- A card merged into another since it was imported: the import follows the
-- merge to the survivor (never re-creates the card): the survivor's card
-- is kept as the merge left it, the row's result names the survivor, its
-- children and documents go to the survivor -- through later merges too.
-- (A survivor without an external id takes the merged card's in the merge,
-- like any empty field; here both came from the source.)
SELECT pg_catalog.count(*) AS staging_tables FROM import_begin();
COPY import_client (external_id, kind, name) FROM STDIN (FORMAT csv);
R-5,buyer,UAB Gama
\.
SELECT kind, external_id, status FROM import_apply('rivile');
SELECT id AS gama FROM client WHERE tenant_id = 194 AND external_id = 'R-5' \gset
SELECT id AS beta FROM client WHERE tenant_id = 194 AND external_id = 'R-3' \gset
SELECT merge_clients(:gama, :beta) IS NOT NULL AS merged;
SELECT pg_catalog.count(*) AS staging_tables FROM import_begin();
COPY import_client (external_id, kind, name) FROM STDIN (FORMAT csv);
R-3,buyer,UAB Beta (sena)
\.
COPY import_address (client_external_id, street, city) FROM STDIN (FORMAT csv);
R-3,Sujungimo g. 5,Klaipėda
\.
COPY import_invoice (external_id, client_external_id, direction, number, invoice_date) FROM STDIN (FORMAT csv);
H-4,R-3,sale,IMP-23,2024-05-04
\.
SELECT kind, external_id, status, id = :gama AS survivor, replace(message, :'gama', 'GAMA') AS message
  FROM import_apply('rivile');
SELECT name, external_id FROM client WHERE tenant_id = 194 AND id = :gama;
SELECT pg_catalog.count(*) AS beta_again FROM client WHERE tenant_id = 194 AND name LIKE 'UAB Beta%';
SELECT a.street FROM client_address a WHERE a.tenant_id = 194 AND a.client_id = :gama ORDER BY a.id;
-- the survivor merged in turn: the import follows both merges
INSERT INTO client (tenant_id, kind, name) VALUES (194, 'buyer', 'UAB Delta');
SELECT id AS delta FROM client WHERE tenant_id = 194 AND name = 'UAB Delta' \gset
SELECT merge_clients(:delta, :gama) IS NOT NULL AS merged;
SELECT pg_catalog.count(*) AS staging_tables FROM import_begin();
COPY import_bank_account (client_external_id, iban) FROM STDIN (FORMAT csv);
R-3,LT601010012345678901
\.
SELECT kind, external_id, status, id IS NOT NULL AS has_id FROM import_apply('rivile');
SELECT b.client_id = :delta AS on_the_last_survivor FROM client_bank_account b
 WHERE b.tenant_id = 194 AND b.iban = 'LT601010012345678901';

-- Any role granted the import right can import (COPY FROM into the
-- registry's tables is refused under row-level security).
CREATE ROLE cr_imp_app NOLOGIN;
GRANT USAGE ON SCHEMA client_registry TO cr_imp_app;
GRANT SELECT, INSERT, UPDATE ON client, client_address, client_bank_account, client_contact,
    invoice, invoice_vat_line, payment TO cr_imp_app;
GRANT SELECT ON import_column, import_run, client_balance TO cr_imp_app;
SELECT grant_tenant(194, 'cr_imp_app');
-- (the superuser's staging tables of this session go first)
DISCARD TEMP;
SET ROLE cr_imp_app;
-- without the import right
SELECT * FROM import_begin();
RESET ROLE;
GRANT EXECUTE ON FUNCTION import_begin(), import_apply(text, integer) TO cr_imp_app;
SET ROLE cr_imp_app;
COPY client (name) FROM STDIN;
UAB Tiesiai
\.
SELECT pg_catalog.count(*) AS staging_tables FROM import_begin();
COPY import_client (external_id, kind, name, sales_tax_category) FROM STDIN (FORMAT csv);
A-1,buyer,UAB Programos klientas,PVM1
\.
COPY import_address (client_external_id, street, city) FROM STDIN (FORMAT csv);
A-1,Programos g. 1,Vilnius
\.
SELECT kind, external_id, status FROM import_apply('app');
SELECT source, run_by FROM import_run WHERE source = 'app';
RESET ROLE;
-- a column the role may not write: the whole import is refused up front
REVOKE INSERT ON client FROM cr_imp_app;
GRANT INSERT (source, external_id, name, kind) ON client TO cr_imp_app;
REVOKE INSERT, UPDATE ON client_address FROM cr_imp_app;
SET ROLE cr_imp_app;
SELECT pg_catalog.count(*) AS staging_tables FROM import_begin();
COPY import_client (external_id, kind, name, credit_limit) FROM STDIN (FORMAT csv);
A-2,buyer,UAB Be teisių,100
\.
COPY import_address (client_external_id, street) FROM STDIN (FORMAT csv);
A-2,Teisių g. 1
\.
\set VERBOSITY default
SELECT * FROM import_apply('app');
\set VERBOSITY terse
RESET ROLE;

-- The record tables are written by the import only: a tenant's role gets
-- 42501 on a direct write whatever its table privileges; the UPDATE of a
-- merge re-pointing its clients is let through.
GRANT INSERT, UPDATE, DELETE ON import_run, import_credit_override TO cr_imp_app;
SET ROLE cr_imp_app;
\set VERBOSITY default
INSERT INTO import_run (source) VALUES ('forged');
UPDATE import_run SET counts = NULL WHERE source = 'app';
DELETE FROM import_credit_override;
\set VERBOSITY terse
RESET ROLE;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA client_registry TO cr_imp_app;
GRANT EXECUTE ON FUNCTION merge_clients(bigint, bigint[]) TO cr_imp_app;
SELECT id AS alfa FROM client WHERE tenant_id = 194 AND external_id = 'R-2' \gset
INSERT INTO client (tenant_id, kind, name) VALUES (194, 'buyer', 'UAB Epsilon');
SELECT id AS epsilon FROM client WHERE tenant_id = 194 AND name = 'UAB Epsilon' \gset
SET ROLE cr_imp_app;
SELECT merge_clients(:epsilon, :alfa) IS NOT NULL AS merged_by_the_role;
SELECT pg_catalog.count(*) AS overrides_moved FROM import_credit_override WHERE client_id = :epsilon;
RESET ROLE;

-- Cleaning up.
DROP OWNED BY cr_imp_app;
DROP ROLE cr_imp_app;
SELECT tenant_access_forget_stale() IS NOT NULL AS forgotten;
RESET client_registry.tenant;
