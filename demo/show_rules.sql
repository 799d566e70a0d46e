-- What scripts/demo.sh shows after loading demo/sample_data.sql.
\set VERBOSITY default
\pset footer off
SET search_path = client_registry, public;
\echo
\echo '=== The registry of tenant 1 (view client_card) ==='
SELECT id, kind, name, company_code, vat_code, country, address_city, iban, contact_name, groups, labels
  FROM client_card WHERE tenant_id = 1 ORDER BY id;

\echo '=== Codes are normalised: what was typed vs what is stored ==='
INSERT INTO client (name, company_code, vat_code, email, country)
VALUES ('  UAB „Naujas pirkėjas"  ', ' 188 772 433 ', 'lt 100 001 354 118', 'Info@Naujas.LT', 'lt')
RETURNING id, name, company_code, vat_code, email, country;
INSERT INTO client_bank_account (client_id, iban, bic)
SELECT id, 'lt92 7300 0101 7717 8794', 'habalt22' FROM client WHERE company_code = '188772433'
RETURNING iban, bic, bank_code, is_primary;

\echo '=== R2.1: a second client with the same company code is refused, naming the first ==='
INSERT INTO client (name, company_code) VALUES ('Sanitex, UAB (dublikatas)', '110 443 493');
\echo SQLSTATE :SQLSTATE

\echo '=== Invalid codes name the field and the value ==='
INSERT INTO client (name, company_code) VALUES ('UAB Klaida', '110443494');
\echo SQLSTATE :SQLSTATE
INSERT INTO client (name, vat_code) VALUES ('UAB Klaida', 'LT100001919018');
\echo SQLSTATE :SQLSTATE
INSERT INTO client_bank_account (client_id, iban)
SELECT id, 'LT12 1000 0111 0100 1001' FROM client WHERE company_code = '110443493';
\echo SQLSTATE :SQLSTATE
INSERT INTO client (name, email) VALUES ('UAB Klaida', 'pirkimai.sanitex.lt');
\echo SQLSTATE :SQLSTATE

\echo '=== R3: exactly one primary address; marking another one demotes the old one ==='
SELECT id, city, is_primary FROM client_address
 WHERE client_id = (SELECT id FROM client WHERE company_code = '110443493' AND tenant_id = 1) ORDER BY id;
UPDATE client_address SET is_primary = true
 WHERE city = 'Vilnius' AND client_id = (SELECT id FROM client WHERE company_code = '110443493' AND tenant_id = 1);
SELECT id, city, is_primary FROM client_address
 WHERE client_id = (SELECT id FROM client WHERE company_code = '110443493' AND tenant_id = 1) ORDER BY id;
UPDATE client_address SET is_primary = false
 WHERE city = 'Vilnius' AND client_id = (SELECT id FROM client WHERE company_code = '110443493' AND tenant_id = 1);
\echo SQLSTATE :SQLSTATE

\echo '=== R2.3: a client with operations cannot be deleted ==='
CREATE TABLE public.sales_invoice (id serial PRIMARY KEY, tenant_id int NOT NULL, client_id bigint NOT NULL,
    FOREIGN KEY (tenant_id, client_id) REFERENCES client_registry.client (tenant_id, id));
INSERT INTO public.sales_invoice (tenant_id, client_id) SELECT 1, id FROM client WHERE company_code = '110443493' AND tenant_id = 1;
DELETE FROM client WHERE company_code = '110443493' AND tenant_id = 1;
\echo SQLSTATE :SQLSTATE

\echo '=== R1.3: kind rules for documents ==='
SELECT assert_client_role(id, 'purchase') FROM client WHERE company_code = '110443493' AND tenant_id = 1;
\echo SQLSTATE :SQLSTATE

\echo '=== R1.5: every tenant starts with its own company ==='
SET client_registry.tenant = 3;
INSERT INTO client (name) VALUES ('UAB Be savininko');
\echo SQLSTATE :SQLSTATE
RESET client_registry.tenant;

\echo '=== Tenants are kept apart: tenant 2 sees its own Sanitex only ==='
SET client_registry.tenant = 2;
SELECT tenant_id, id, kind, name, company_code FROM client WHERE tenant_id = current_tenant() ORDER BY id;
RESET client_registry.tenant;

\echo '=== R4.1: credit control refuses a sale over the limit (SQLSTATE R4001) ==='
UPDATE client SET credit_control = 'strict', credit_limit = 1000, sales_tax_category = 'PVM1'
 WHERE company_code = '188772433' AND tenant_id = 1;
INSERT INTO invoice (id, client_id, direction, number, invoice_date)
SELECT 1, id, 'sale', 'SF-2026-001', '2026-11-02' FROM client WHERE company_code = '188772433' AND tenant_id = 1;
INSERT INTO invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount) VALUES (1, 600, 'PVM1', 21, 126);
UPDATE invoice SET status = 'posted' WHERE id = 1;
INSERT INTO invoice (id, client_id, direction, number, invoice_date)
SELECT 2, id, 'sale', 'SF-2026-002', '2026-11-03' FROM client WHERE company_code = '188772433' AND tenant_id = 1;
INSERT INTO invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount) VALUES (2, 400, 'PVM1', 21, 84);
UPDATE invoice SET status = 'posted' WHERE id = 2;
\echo SQLSTATE :SQLSTATE
SELECT name, credit_control, credit_limit, receivable, credit_available FROM client_debt
 WHERE client_id = (SELECT id FROM client WHERE company_code = '188772433' AND tenant_id = 1);
\echo '=== A payment and its settlement ==='
INSERT INTO payment (client_id, direction, payment_date, amount, reference, description)
SELECT id, 'in', '2026-11-20', 500, 'SWED-2026-11-20-001', 'apmokejimas uz SF-2026-001'
  FROM client WHERE company_code = '188772433' AND tenant_id = 1;
UPDATE client SET settlement_mode = 'selected_documents' WHERE company_code = '188772433' AND tenant_id = 1;
SELECT settle_automatically() AS settlements_made;
SELECT number, total_gross, open_amount FROM invoice_list WHERE tenant_id = 1 ORDER BY id;

\echo '=== R2.4: duplicates found, previewed, merged with everything they own, and undone ==='
SET client_registry.tenant = 1;
INSERT INTO client (id, kind, name, email, phone, sales_tax_category) VALUES
    (501, 'buyer', 'Sanitex, UAB', 'uzsakymai@sanitex.lt', '+370 5 123 4567', 'PVM1');
INSERT INTO client_address (client_id, street, city, postal_code) VALUES (501, 'j. jasinskio g. 16', 'VILNIUS', 'LT 03163');
INSERT INTO client_bank_account (client_id, iban) VALUES (501, 'LT05 7300 0100 0975 7487');
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES (501, 501, 'sale', 'SF-2026-501', '2026-11-10');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount) VALUES (501, 100, 'PVM1', 21, 21);
UPDATE invoice SET status = 'posted' WHERE id = 501;
SELECT reason, match_key, client_ids, names FROM duplicate_candidates WHERE tenant_id = 1 ORDER BY reason;
\echo '--- merge_preview: what the merge would do (nothing is changed) ---'
SELECT step, action, table_name, from_client, row_count, detail
  FROM merge_preview((SELECT id FROM client WHERE company_code = '110443493' AND tenant_id = 1), 501);
\echo '--- merge_clients: the duplicate is gone, its invoice, address and IBAN are on the survivor ---'
SELECT merge_clients((SELECT id FROM client WHERE company_code = '110443493' AND tenant_id = 1), 501) AS merge_id \gset
SELECT id, name, email, phone FROM client WHERE id IN (501, (SELECT id FROM client WHERE company_code = '110443493' AND tenant_id = 1));
SELECT i.number, c.name AS client_now, i.counterparty_name AS name_on_the_invoice
  FROM invoice i JOIN client c ON c.id = i.client_id WHERE i.id = 501;
SELECT merge_id, survivor_name, merged_ids, merged_names, rows_changed, merged_by FROM client_merge_history;
\echo '--- unmerge: every row back where it was ---'
SELECT unmerge(:merge_id) AS rows_put_back;
SELECT i.number, c.name AS client_now FROM invoice i JOIN client c ON c.id = i.client_id WHERE i.id = 501;
\echo '--- two real companies are not merged without force (SQLSTATE R2405) ---'
SELECT merge_clients((SELECT id FROM client WHERE company_code = '110443493' AND tenant_id = 1),
                     (SELECT id FROM client WHERE company_code = '188772433' AND tenant_id = 1));
\echo SQLSTATE :SQLSTATE
\echo '=== R6: the i.SAF register of November 2026 (scripts/demo.sh then writes the file and validates it) ==='
SELECT register, invoice_no, invoice_type, party_vat_code, party_name, tax_code, vat_rate, taxable_value, vat_amount
  FROM isaf_register WHERE tenant_id = 1 AND register_date BETWEEN '2026-11-01' AND '2026-11-30'
 ORDER BY register, register_date, invoice_id;
