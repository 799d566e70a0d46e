-- R2.3: a client that other rows reference cannot be deleted; the card's own
-- rows cascade; references are found in the catalog (any schema, composite
-- keys, several keys per table).
SET search_path = client_registry, public;
SET client_registry.tenant = 30;
\set VERBOSITY default
INSERT INTO client (id, kind, name, company_code) VALUES (3001, 'own_company', 'UAB Savi', '110003978');
INSERT INTO client (id, name, company_code) VALUES (3002, 'UAB Pirkėjas', '188772433'),
                                                   (3003, 'UAB Tiekėjas', '301692533'),
                                                   (3004, 'UAB Laikinas', '110443493');

-- A user table in another schema with a composite key, and a table with two keys.
CREATE SCHEMA acct;
CREATE TABLE acct.invoice (
    id serial PRIMARY KEY,
    tenant_id integer NOT NULL,
    client_id bigint NOT NULL,
    FOREIGN KEY (tenant_id, client_id) REFERENCES client_registry.client (tenant_id, id)
);
CREATE TABLE public.transfer (
    id serial PRIMARY KEY,
    payer_id bigint REFERENCES client_registry.client (id),
    payee_id bigint REFERENCES client_registry.client (id) ON DELETE SET NULL
);
INSERT INTO acct.invoice (tenant_id, client_id) VALUES (30, 3002);
INSERT INTO public.transfer (payer_id, payee_id) VALUES (3003, 3004);

-- Referenced: refused with the table and constraint named.
DELETE FROM client WHERE id = 3002;
\echo :SQLSTATE
DELETE FROM client WHERE id = 3003;
\echo :SQLSTATE
-- ON DELETE SET NULL references do not protect the client (the user chose so).
DELETE FROM client WHERE id = 3004;
SELECT payer_id, payee_id FROM public.transfer;
-- The card's own rows do not count: they go with the client.
INSERT INTO client (id, name) VALUES (3005, 'UAB Be operacijų');
INSERT INTO client_address (client_id, city) VALUES (3005, 'Vilnius');
INSERT INTO client_bank_account (client_id, iban) VALUES (3005, 'LT121000011101001000');
INSERT INTO client_contact (client_id, first_name) VALUES (3005, 'Ona');
INSERT INTO client_group (id, name) VALUES (31, 'Didmena');
INSERT INTO client_group_member (client_id, group_id) VALUES (3005, 31);
DELETE FROM client WHERE id = 3005;
SELECT count(*) FROM client WHERE id = 3005;
-- Deactivating is the way out.
UPDATE client SET is_active = false WHERE id = 3002;
SELECT id, is_active FROM client WHERE id = 3002;
-- After the reference is gone the client can be deleted.
DELETE FROM acct.invoice WHERE client_id = 3002;
DELETE FROM client WHERE id = 3002;
SELECT count(*) FROM client WHERE id = 3002;

-- A foreign key checked at commit (DEFERRABLE INITIALLY DEFERRED) is left to
-- PostgreSQL: the referencing rows may be gone by then.
CREATE TABLE public.deferred_ref (client_id bigint REFERENCES client_registry.client (id)
    DEFERRABLE INITIALLY DEFERRED);
INSERT INTO client (id, name) VALUES (3006, 'UAB Atidėtas');
BEGIN;
INSERT INTO public.deferred_ref VALUES (3006);
DELETE FROM client WHERE id = 3006;
DELETE FROM public.deferred_ref;
COMMIT;
SELECT count(*) FROM client WHERE id = 3006;
INSERT INTO client (id, name) VALUES (3007, 'UAB Atidėtas 2');
INSERT INTO public.deferred_ref VALUES (3007);
DELETE FROM client WHERE id = 3007;
\echo :SQLSTATE
DROP TABLE public.deferred_ref;

-- The own company goes only as the last client of its tenant.
DELETE FROM client WHERE id = 3001;
\echo :SQLSTATE
DELETE FROM public.transfer;
-- a whole tenant in one statement, whatever the row order
UPDATE client SET notes = 'moved to the end of the table' WHERE id = 3001;
DELETE FROM client WHERE tenant_id = 30;
SELECT count(*) FROM client WHERE tenant_id = 30;

DROP TABLE acct.invoice, public.transfer;
DROP SCHEMA acct;
