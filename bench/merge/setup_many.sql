-- bench/merge/setup_many.sql -- data of case (b): :dups duplicates of one
-- client, merged into it at once.  psql variables: dups, fill.
--
-- Tenant 1.  Clients: 1 the own company, 2 'UAB Daug' (the survivor: 2
-- addresses, 1 bank account, 1 contact), 11 .. 10 + :dups the duplicates
-- ('UAB Daug (import N)'), each with 3 addresses, 2 bank accounts, 2
-- contacts, 20 draft sales invoices, 10 payments, 2 labels and 10 rows of
-- the user table public.delivery; other clients hold :fill filler rows.
-- Nothing of a duplicate duplicates a row of the survivor (nothing to fold),
-- so the bare UPDATEs of the baseline do what the merge does.
\set ON_ERROR_STOP 1
SET client_registry.tenant = 1;
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (1, 'own_company', 'UAB Bench', '110003978');
INSERT INTO client_registry.client (id, kind, name, company_code, sales_tax_category)
VALUES (2, 'buyer', 'UAB Daug', '188772433', 'PVM1');
INSERT INTO client_registry.client (id, kind, name, sales_tax_category, email, phone)
SELECT 10 + d, 'buyer', 'UAB Daug (import ' || d || ')', 'PVM1', 'import' || d || '@daug.lt', '+370 600 ' || lpad(d::text, 5, '0')
  FROM generate_series(1, :dups) d;
INSERT INTO client_registry.client (id, kind, name, sales_tax_category)
SELECT 100000 + g, 'buyer', 'UAB Kitas ' || g, 'PVM1' FROM generate_series(1, greatest(:fill / 50, 1)) g;
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

INSERT INTO client_registry.client_address (client_id, street, city, postal_code)
VALUES (2, 'Konstitucijos pr. 1', 'Vilnius', 'LT-09308'), (2, 'Ukmergės g. 5', 'Vilnius', 'LT-08101');
INSERT INTO client_registry.client_bank_account (client_id, iban, bank_name) VALUES (2, 'LT121000011101001000', 'Swedbank');
INSERT INTO client_registry.client_contact (client_id, first_name, last_name) VALUES (2, 'Jonas', 'Jonaitis');
INSERT INTO client_registry.label (id, name) SELECT g, 'Žyma ' || g FROM generate_series(1, 2 * :dups) g;

INSERT INTO client_registry.client_address (client_id, street, city, postal_code)
SELECT 10 + d, 'Savanorių pr. ' || (d * 10 + a), 'Kaunas', 'LT-44' || lpad((d * 3 + a)::text, 3, '0')
  FROM generate_series(1, :dups) d, generate_series(1, 3) a;
INSERT INTO client_registry.client_bank_account (client_id, iban, bank_name)
SELECT 10 + d, 'LT' || lpad((98 - ((bban || '212900')::numeric % 97))::int::text, 2, '0') || bban, 'SEB'
  FROM generate_series(1, :dups) d, generate_series(1, 2) b,
       LATERAL (SELECT '70440' || lpad((d * 10 + b)::text, 11, '0') AS bban) x;
INSERT INTO client_registry.client_contact (client_id, first_name, last_name, email)
SELECT 10 + d, 'Vardas' || c, 'Importas' || d, 'k' || c || '.' || d || '@daug.lt'
  FROM generate_series(1, :dups) d, generate_series(1, 2) c;
INSERT INTO client_registry.invoice (client_id, direction, number, invoice_date)
SELECT 10 + d, 'sale', 'D' || d || '-' || i, date '2026-01-01' + i FROM generate_series(1, :dups) d, generate_series(1, 20) i;
INSERT INTO client_registry.payment (client_id, direction, payment_date, amount)
SELECT 10 + d, 'in', date '2026-01-01' + p, 10 * p FROM generate_series(1, :dups) d, generate_series(1, 10) p;
INSERT INTO client_registry.client_label (client_id, label_id)
SELECT 10 + d, 2 * d - 1 + l FROM generate_series(1, :dups) d, generate_series(0, 1) l;
INSERT INTO public.delivery (tenant_id, client_id, address, delivered_on)
SELECT 1, 10 + d, 'Savanorių pr. ' || d, date '2026-01-01' + r FROM generate_series(1, :dups) d, generate_series(1, 10) r;

INSERT INTO client_registry.invoice (client_id, direction, number, invoice_date)
SELECT 100001 + g % greatest(:fill / 50, 1), 'sale', 'O-' || g, date '2016-01-01' + g % 3650 FROM generate_series(1, :fill) g;
INSERT INTO client_registry.payment (client_id, direction, payment_date, amount)
SELECT 100001 + g % greatest(:fill / 50, 1), 'in', date '2016-01-01' + g % 3650, 10 + g % 990 FROM generate_series(1, :fill) g;
INSERT INTO public.delivery (tenant_id, client_id, address, delivered_on)
SELECT 1, 100001 + g % greatest(:fill / 50, 1), 'Laisvės al. ' || g, date '2016-01-01' + g % 3650 FROM generate_series(1, :fill) g;
