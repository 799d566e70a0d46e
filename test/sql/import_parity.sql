-- Issue #17 and #15: the import API gives the same results on one node and
-- on Citus for the same data.  This file runs in both suites unchanged:
-- test/citus/sql/citus_import.sql and its expected output are links to this
-- file and to test/expected/import_parity.out.  On Citus import_apply runs
-- on the worker that holds the tenant (import_apply_at).  An application
-- role with the import right imports; the tenant is set per transaction
-- (SET LOCAL, its own statement); ids the sequences hand out are never
-- printed.  Tenants 360-361.
\set SHOW_CONTEXT never
\set VERBOSITY terse
SET client_min_messages = warning;
SET citus.propagate_set_commands = 'local';
CREATE ROLE cr_imp_parity LOGIN;
GRANT USAGE ON SCHEMA client_registry TO cr_imp_parity;
GRANT SELECT, INSERT, UPDATE ON client_registry.client, client_registry.client_address,
    client_registry.client_bank_account, client_registry.client_contact, client_registry.invoice,
    client_registry.invoice_vat_line, client_registry.payment TO cr_imp_parity;
GRANT SELECT ON client_registry.import_column, client_registry.import_run, client_registry.client_balance,
    client_registry.import_credit_override TO cr_imp_parity;
GRANT EXECUTE ON FUNCTION client_registry.import_begin(), client_registry.import_apply(text, integer),
    client_registry.import_apply_at(integer, text, integer, jsonb) TO cr_imp_parity;
-- on Citus rows inserted on a worker take their ids from the worker's
-- sequences, whose grants Citus does not propagate (docs/citus.md)
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        PERFORM run_command_on_workers('GRANT USAGE ON ALL SEQUENCES IN SCHEMA client_registry TO cr_imp_parity');
    END IF;
END
$$;
SELECT client_registry.grant_tenant(t, 'cr_imp_parity') FROM generate_series(360, 361) t;
SET ROLE cr_imp_parity;

-- A good import: the own company, buyers with addresses, bank accounts and
-- contacts, invoices with VAT lines (a credit note correcting one),
-- payments.
BEGIN;
SET LOCAL client_registry.tenant = 360;
SELECT count(*) AS staging_tables FROM client_registry.import_begin();
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
  FROM client_registry.import_apply('rivile');
-- the same rows in the session's import_result
SELECT status, count(*) FROM import_result GROUP BY status ORDER BY status;
COMMIT;
BEGIN;
SET LOCAL client_registry.tenant = 360;
SELECT source, external_id, kind, name, country, credit_limit FROM client_registry.client
 WHERE tenant_id = 360 ORDER BY external_id;
SELECT c.external_id, a.street, a.is_primary FROM client_registry.client_address a
  JOIN client_registry.client c ON c.tenant_id = a.tenant_id AND c.id = a.client_id
 WHERE a.tenant_id = 360 ORDER BY c.external_id, a.street;
SELECT c.external_id, b.iban, b.currency FROM client_registry.client_bank_account b
  JOIN client_registry.client c ON c.tenant_id = b.tenant_id AND c.id = b.client_id
 WHERE b.tenant_id = 360 ORDER BY c.external_id;
SELECT c.external_id, k.first_name, k.email FROM client_registry.client_contact k
  JOIN client_registry.client c ON c.tenant_id = k.tenant_id AND c.id = k.client_id
 WHERE k.tenant_id = 360 ORDER BY c.external_id;
SELECT i.external_id, i.number, i.status, i.total_gross, x.external_id AS corrects
  FROM client_registry.invoice i
  LEFT JOIN client_registry.invoice x ON x.tenant_id = i.tenant_id AND x.id = i.corrected_invoice_id
 WHERE i.tenant_id = 360 ORDER BY i.number;
SELECT c.external_id, b.receivable FROM client_registry.client_balance b
  JOIN client_registry.client c ON c.tenant_id = b.tenant_id AND c.id = b.client_id
 WHERE b.tenant_id = 360 ORDER BY 1;
SELECT source, run_by, finished_at IS NOT NULL AS finished, counts -> 'client' AS clients, counts -> 'invoice' AS invoices
  FROM client_registry.import_run WHERE tenant_id = 360 ORDER BY started_at, id;
COMMIT;

-- Running the same import again changes nothing (the staging tables stay
-- the session's until import_begin is called again).
BEGIN;
SET LOCAL client_registry.tenant = 360;
SELECT status, count(*) FROM client_registry.import_apply('rivile') GROUP BY status ORDER BY status;
SELECT count(*) AS clients FROM client_registry.client WHERE tenant_id = 360;
COMMIT;

-- Bad rows: each rejected with its SQLSTATE, field and message; a rejected
-- card takes its children with it and never stops the good ones (batches
-- of 2 cards, split until the bad card is alone).
BEGIN;
SET LOCAL client_registry.tenant = 360;
SELECT count(*) AS staging_tables FROM client_registry.import_begin();
COPY import_client (external_id, kind, name, company_code, credit_limit, birth_date, sales_tax_category) FROM STDIN (FORMAT csv);
N-1,buyer,UAB Gera,301692533,,,PVM1
,buyer,UAB Be id,,,,
N-1,buyer,UAB Antras N-1,,,,
N-2,buyer,,,,,
N-3,buyer,UAB Bloga kodas,123,,,
N-4,buyer,UAB Blogas limitas,,daug,,
N-5,buyer,UAB Blogas vaikas,,,,
N-6,buyer,UAB Bloga data,,,2024-13-45,
\.
COPY import_address (client_external_id, street, city) FROM STDIN (FORMAT csv);
N-1,Gera g. 1,Vilnius
N-2,Be vardo g. 2,Vilnius
X-9,Nežinoma g. 4,Vilnius
\.
COPY import_bank_account (client_external_id, iban) FROM STDIN (FORMAT csv);
N-5,LT121000011101001000
N-5,LT00 BLOGAS
\.
COPY import_invoice (external_id, client_external_id, direction, number, invoice_date, status, corrected_external_id) FROM STDIN (FORMAT csv);
G-1,N-1,sale,IMP-10,2024-04-01,posted,
G-4,X-9,sale,IMP-13,2024-04-01,posted,
G-5,N-1,sale,IMP-14,kovo 1,posted,
G-7,N-1,sale,IMP-16,2024-04-02,posted,G-99
G-8,N-1,sale,IMP-1,2024-04-03,posted,
G-9,N-1,sale,IMP-17,2024-04-03,posted,
\.
COPY import_vat_line (invoice_external_id, taxable_value, vat_rate, vat_amount) FROM STDIN (FORMAT csv);
G-1,100,21,21
G-8,10,21,2.10
G-1,10,150,1
G-9,10,21,2.10
\.
COPY import_payment (external_id, client_external_id, direction, payment_date, amount) FROM STDIN (FORMAT csv);
P-1,N-1,in,2024-04-05,1
P-2,N-1,sideways,2024-04-05,1
\.
SELECT kind, line, external_id, status, id IS NOT NULL AS has_id, sqlstate, field,
       regexp_replace(message, 'client \d+', 'client N', 'g') AS message
  FROM client_registry.import_apply('rivile', 2);
COMMIT;
BEGIN;
SET LOCAL client_registry.tenant = 360;
-- nothing of a rejected card was written; the good card and its address were
SELECT external_id, name FROM client_registry.client WHERE tenant_id = 360 AND external_id LIKE 'N-%' ORDER BY 1;
SELECT count(*) AS n1_addresses FROM client_registry.client_address a
  JOIN client_registry.client c ON c.tenant_id = a.tenant_id AND c.id = a.client_id
 WHERE a.tenant_id = 360 AND c.external_id = 'N-1';
SELECT number, total_gross FROM client_registry.invoice WHERE tenant_id = 360 AND external_id LIKE 'G-%' ORDER BY 1;
SELECT counts -> 'client' AS clients, counts -> 'invoice' AS invoices FROM client_registry.import_run
 WHERE tenant_id = 360 ORDER BY started_at DESC, id DESC LIMIT 1;
COMMIT;

-- History: past sales of a buyer over its strict limit are recorded, with
-- a warning, in import_credit_override; outside an import they are refused.
BEGIN;
SET LOCAL client_registry.tenant = 360;
SELECT count(*) AS staging_tables FROM client_registry.import_begin();
COPY import_invoice (external_id, client_external_id, direction, number, invoice_date, status) FROM STDIN (FORMAT csv);
H-1,R-2,sale,IMP-20,2024-05-01,posted
H-2,R-2,sale,IMP-21,2024-05-02,posted
\.
COPY import_vat_line (invoice_external_id, taxable_value, vat_rate, vat_amount) FROM STDIN (FORMAT csv);
H-1,800,21,168
H-2,200,21,42
\.
SET LOCAL client_min_messages = error;
SELECT kind, external_id, status FROM client_registry.import_apply('rivile');
COMMIT;
BEGIN;
SET LOCAL client_registry.tenant = 360;
SELECT o.invoice_numbers, o.credit_limit, o.debt_before, o.amount, o.debt_after, r.source
  FROM client_registry.import_credit_override o
  JOIN client_registry.import_run r ON r.tenant_id = o.tenant_id AND r.id = o.import_run_id
 WHERE o.tenant_id = 360 ORDER BY o.invoice_numbers;
SELECT b.receivable FROM client_registry.client_balance b
  JOIN client_registry.client c ON c.tenant_id = b.tenant_id AND c.id = b.client_id
 WHERE c.tenant_id = 360 AND c.external_id = 'R-2';
COMMIT;
-- the same sale outside an import
BEGIN;
SET LOCAL client_registry.tenant = 360;
SELECT id AS alfa FROM client_registry.client WHERE tenant_id = 360 AND source = 'rivile' AND external_id = 'R-2' \gset
INSERT INTO client_registry.invoice (client_id, direction, number, invoice_date) VALUES (:alfa, 'sale', 'NEW-1', '2026-12-01');
SELECT id AS new1 FROM client_registry.invoice WHERE tenant_id = 360 AND number = 'NEW-1' \gset
INSERT INTO client_registry.invoice_vat_line (invoice_id, taxable_value, vat_rate, vat_amount) VALUES (:new1, 10, 21, 2.10);
\set VERBOSITY sqlstate
UPDATE client_registry.invoice SET status = 'posted' WHERE tenant_id = 360 AND id = :new1;
\set VERBOSITY terse
ROLLBACK;

-- Another tenant: the same source and external ids are other cards; tenant
-- 360's are untouched.  A tenant with no own company must import one.
BEGIN;
SET LOCAL client_registry.tenant = 361;
SELECT count(*) AS staging_tables FROM client_registry.import_begin();
COPY import_client (external_id, kind, name, company_code, sales_tax_category) FROM STDIN (FORMAT csv);
R-2,buyer,UAB Kito Alfa,188772433,PVM1
\.
SELECT kind, line, external_id, status FROM client_registry.import_apply('rivile');
ROLLBACK;
BEGIN;
SET LOCAL client_registry.tenant = 361;
SELECT count(*) AS staging_tables FROM client_registry.import_begin();
COPY import_client (external_id, kind, name, company_code, sales_tax_category) FROM STDIN (FORMAT csv);
R-1,own_company,UAB Kitas savininkas,110003978,
R-2,buyer,UAB Kito Alfa,188772433,PVM1
\.
COPY import_address (client_external_id, street, city) FROM STDIN (FORMAT csv);
R-2,Kita g. 1,Vilnius
\.
SELECT kind, line, external_id, status, id IS NOT NULL AS has_id FROM client_registry.import_apply('rivile');
COMMIT;
BEGIN;
SET LOCAL client_registry.tenant = 361;
SELECT tenant_id, external_id, name FROM client_registry.client WHERE tenant_id = 361 ORDER BY external_id;
COMMIT;
BEGIN;
SET LOCAL client_registry.tenant = 360;
SELECT tenant_id, external_id, name FROM client_registry.client WHERE tenant_id = 360 AND external_id LIKE 'R-%' ORDER BY external_id;
-- the twin serves the session's tenant only, and is import_apply's own
SELECT * FROM client_registry.import_apply_at(361, 'rivile', 1000, '{}');
ROLLBACK;
BEGIN;
SET LOCAL client_registry.tenant = 360;
SAVEPOINT s;
SELECT * FROM client_registry.import_apply_at(360, ' ', 0, '{}');
ROLLBACK TO s;
SELECT * FROM client_registry.import_apply_at(360, 'rivile', 1000, '{"import_client": {"rows": []}}');
ROLLBACK;

RESET ROLE;
-- the staging tables are the role's: a new session has none (Citus
-- prepares DROP OWNED on every node, which a session with TEMP objects
-- cannot)
\c -
DROP OWNED BY cr_imp_parity;
DROP ROLE cr_imp_parity;
SELECT client_registry.tenant_access_forget_stale() IS NOT NULL AS forgotten;
RESET citus.propagate_set_commands;
