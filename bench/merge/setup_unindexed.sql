-- bench/merge/setup_unindexed.sql -- data of case (c): a big user table whose
-- column referencing clients has NO index.  psql variables: big (rows),
-- clients (how many clients share them).
--
-- Tenant 1: 1 the own company, 2 .. 1 + :clients buyers with one address
-- each; public.ledger_entry, :big rows spread evenly over the buyers, with a
-- composite foreign key (tenant_id, client_id) and no index on it.  The
-- benchmark merges client 3 into client 2 (each has :big / :clients rows),
-- once as is and once after CREATE INDEX ON public.ledger_entry (tenant_id, client_id).
\set ON_ERROR_STOP 1
SET client_registry.tenant = 1;
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (1, 'own_company', 'UAB Bench', '110003978');
INSERT INTO client_registry.client (id, kind, name, sales_tax_category)
SELECT 1 + g, 'buyer', 'UAB Klientas ' || g, 'PVM1' FROM generate_series(1, :clients) g;
SELECT setval(pg_get_serial_sequence('client_registry.client', 'id'), 1000000) AS client_seq \gset
INSERT INTO client_registry.client_address (client_id, street, city, postal_code)
SELECT 1 + g, 'Gedimino pr. ' || g, 'Vilnius', 'LT-01103' FROM generate_series(1, :clients) g;

CREATE TABLE public.ledger_entry (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id integer NOT NULL,
    client_id bigint NOT NULL,
    booked_on date NOT NULL,
    amount    numeric(15, 2) NOT NULL,
    account   text NOT NULL,
    FOREIGN KEY (tenant_id, client_id) REFERENCES client_registry.client (tenant_id, id)
);
INSERT INTO public.ledger_entry (tenant_id, client_id, booked_on, amount, account)
SELECT 1, 2 + g % :clients, date '2016-01-01' + g % 3650, (g % 100000) / 100.0, '2410'
  FROM generate_series(0, :big - 1) g;
