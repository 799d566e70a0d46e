-- bench/merge/setup_pair.sql -- data of case (a): two clients, the merged one
-- referenced by :rows rows across seven tables, one of them a user table.
-- psql variables: rows (rows referencing the merged client), fill (rows of
-- other clients per table, so the tables are not only the two clients').
--
-- Tenant 1.  Clients:
--   1           the own company
--   keep        'UAB Lieka'              buyer_supplier, 5 addresses, 2 bank accounts, 2 contacts
--   merged      'UAB Lieka (dublikatas)' buyer_supplier, the rows below
--   others      'UAB Kitas N'            :fill / 50 buyers sharing the filler rows
-- Rows of the merged client (share of :rows):
--   client_registry.invoice              30 %  draft sales invoices (an application may
--                                              re-point drafts; posted ones only a merge can move)
--   client_registry.payment              20 %  incoming payments (move the balance)
--   client_registry.client_address       10 %
--   client_registry.client_bank_account  10 %
--   client_registry.client_contact       10 %
--   client_registry.client_label          1 %  (as many labels)
--   public.delivery                      19 %  user table, FK (tenant_id, client_id), indexed
-- No row of the merged client duplicates one of the survivor (nothing to
-- fold), so the bare UPDATEs of the baseline do exactly what the merge does.
\set ON_ERROR_STOP 1
SET client_registry.tenant = 1;
SET bench.rows = :'rows';
SET bench.fill = :'fill';

INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (1, 'own_company', 'UAB Bench', '110003978');
INSERT INTO client_registry.client (id, kind, name, company_code, vat_code, sales_tax_category, purchase_tax_category, email)
VALUES (2, 'buyer_supplier', 'UAB Lieka', '188772433', 'LT119511515', 'PVM1', 'PVM1', 'info@lieka.lt');
INSERT INTO client_registry.client (id, kind, name, sales_tax_category, purchase_tax_category, phone, notes)
VALUES (3, 'buyer_supplier', 'UAB Lieka (dublikatas)', 'PVM1', 'PVM1', '+370 600 00003', 'created by an import');
INSERT INTO client_registry.client (id, kind, name, sales_tax_category)
SELECT 100 + g, 'buyer', 'UAB Kitas ' || g, 'PVM1' FROM generate_series(1, greatest(current_setting('bench.fill')::int / 50, 1)) g;
SELECT setval(pg_get_serial_sequence('client_registry.client', 'id'), 1000000) AS client_seq \gset

CREATE TABLE public.delivery (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id    integer NOT NULL,
    client_id    bigint NOT NULL,
    address      text NOT NULL,
    delivered_on date NOT NULL,
    weight_kg    numeric(10, 2),
    FOREIGN KEY (tenant_id, client_id) REFERENCES client_registry.client (tenant_id, id)
);
CREATE INDEX delivery_client_idx ON public.delivery (tenant_id, client_id);

-- the survivor's own children
INSERT INTO client_registry.client_address (client_id, street, city, postal_code)
SELECT 2, 'Konstitucijos pr. ' || g, 'Vilnius', 'LT-09308' FROM generate_series(1, 5) g;
INSERT INTO client_registry.client_bank_account (client_id, iban, bank_name)
SELECT 2, 'LT' || lpad((98 - ((bban || '212900')::numeric % 97))::int::text, 2, '0') || bban, 'Swedbank'
  FROM generate_series(1, 2) g, LATERAL (SELECT '73000' || lpad(g::text, 11, '0') AS bban) x;
INSERT INTO client_registry.client_contact (client_id, first_name, last_name, email)
VALUES (2, 'Jonas', 'Jonaitis', 'jonas@lieka.lt'), (2, 'Asta', 'Astaitė', 'asta@lieka.lt');
INSERT INTO client_registry.invoice (client_id, direction, number, invoice_date)
SELECT 2, 'sale', 'K-' || g, date '2026-01-01' + g % 300 FROM generate_series(1, 100) g;

-- the merged client's rows
SELECT (current_setting('bench.rows')::int * 30 / 100) AS n_inv,
       (current_setting('bench.rows')::int * 20 / 100) AS n_pay,
       (current_setting('bench.rows')::int * 10 / 100) AS n_child,
       (current_setting('bench.rows')::int / 100) AS n_label \gset
\set n_delivery (:rows - :n_inv - :n_pay - 3 * :n_child - :n_label)
INSERT INTO client_registry.invoice (client_id, direction, number, invoice_date, due_date)
SELECT 3, 'sale', 'M-' || g, date '2016-01-01' + g % 3650, date '2016-01-31' + g % 3650
  FROM generate_series(1, :n_inv) g;
INSERT INTO client_registry.payment (client_id, direction, payment_date, amount)
SELECT 3, 'in', date '2016-01-01' + g % 3650, 10 + g % 990 FROM generate_series(1, :n_pay) g;
INSERT INTO client_registry.client_address (client_id, street, city, postal_code, address_type)
SELECT 3, 'Savanorių pr. ' || g, 'Kaunas', 'LT-' || lpad((g % 99999 + 1)::text, 5, '0'), 'delivery'
  FROM generate_series(1, :n_child) g;
INSERT INTO client_registry.client_bank_account (client_id, iban, bank_name)
SELECT 3, 'LT' || lpad((98 - ((bban || '212900')::numeric % 97))::int::text, 2, '0') || bban, 'SEB'
  FROM generate_series(1, :n_child) g, LATERAL (SELECT '70440' || lpad(g::text, 11, '0') AS bban) x;
INSERT INTO client_registry.client_contact (client_id, first_name, last_name, email)
SELECT 3, 'Vardas' || g, 'Pavardenis', 'kontaktas' || g || '@dublikatas.lt' FROM generate_series(1, :n_child) g;
INSERT INTO client_registry.label (id, name) SELECT g, 'Žyma ' || g FROM generate_series(1, :n_label) g;
INSERT INTO client_registry.client_label (client_id, label_id) SELECT 3, g FROM generate_series(1, :n_label) g;
INSERT INTO public.delivery (tenant_id, client_id, address, delivered_on, weight_kg)
SELECT 1, 3, 'Savanorių pr. ' || (g % 1000 + 1) || ', Kaunas', date '2016-01-01' + g % 3650, g % 500
  FROM generate_series(1, :n_delivery) g;

-- other clients' rows (the tables hold more than the merged client's rows)
INSERT INTO client_registry.invoice (client_id, direction, number, invoice_date)
SELECT 101 + g % greatest(:fill / 50, 1), 'sale', 'O-' || g, date '2016-01-01' + g % 3650 FROM generate_series(1, :fill) g;
INSERT INTO client_registry.payment (client_id, direction, payment_date, amount)
SELECT 101 + g % greatest(:fill / 50, 1), 'in', date '2016-01-01' + g % 3650, 10 + g % 990 FROM generate_series(1, :fill) g;
INSERT INTO client_registry.client_address (client_id, street, city, postal_code)
SELECT 101 + g % greatest(:fill / 50, 1), 'Laisvės al. ' || g, 'Kaunas', 'LT-44001' FROM generate_series(1, :fill / 10) g;
INSERT INTO public.delivery (tenant_id, client_id, address, delivered_on)
SELECT 1, 101 + g % greatest(:fill / 50, 1), 'Laisvės al. ' || g, date '2016-01-01' + g % 3650 FROM generate_series(1, :fill) g;
