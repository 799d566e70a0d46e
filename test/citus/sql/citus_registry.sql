-- issue #17 part A: primaries, custom fields and the CRM (catalogue, links,
-- visibility) through the coordinator (tenants 340-341).  Tenants 340 and 341
-- use the same client ids: on Citus ids are unique per tenant only.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
SET citus.propagate_set_commands = 'local';
CREATE ROLE cr_citus_crm NOLOGIN;
GRANT USAGE ON SCHEMA client_registry TO cr_citus_crm;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA client_registry TO cr_citus_crm;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA client_registry TO cr_citus_crm;
GRANT EXECUTE ON FUNCTION client_registry.define_custom_field(text, client_registry.custom_field_type, text),
    client_registry.drop_custom_field(text) TO cr_citus_crm;
CREATE ROLE cr_citus_ona LOGIN IN ROLE cr_citus_crm;     -- owner of the items, Sales
CREATE ROLE cr_citus_jonas LOGIN IN ROLE cr_citus_crm;   -- Sales
CREATE ROLE cr_citus_rasa LOGIN IN ROLE cr_citus_crm;    -- Accounting
SELECT client_registry.grant_tenant(t, 'cr_citus_crm') FROM (VALUES (340), (341)) v(t);
SET ROLE cr_citus_ona;
BEGIN;
SET LOCAL client_registry.tenant = 340;
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (340001, 'own_company', 'UAB Savi', '110003978');
INSERT INTO client_registry.client (id, kind, name, sales_tax_category) VALUES (340002, 'buyer', 'UAB Pirkėjas', 'PVM1');
COMMIT;
BEGIN;
SET LOCAL client_registry.tenant = 341;
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (340001, 'own_company', 'UAB Kiti', '300000010');
INSERT INTO client_registry.client (id, kind, name, sales_tax_category) VALUES (340002, 'buyer', 'UAB Kito pirkėjas', 'PVM1');
COMMIT;

-- Primaries: one primary address, bank account and contact per client; the
-- same client id in the other tenant keeps its own (340 and 341 share a
-- shard, so the primary-flag statements must name the tenant).
SELECT pg_catalog.get_shard_id_for_distribution_column('client_registry.client', 340)
     = pg_catalog.get_shard_id_for_distribution_column('client_registry.client', 341) AS same_shard;
BEGIN;
SET LOCAL client_registry.tenant = 340;
INSERT INTO client_registry.client_address (id, client_id, street, city, country) VALUES (3401, 340002, 'Gedimino pr. 1', 'Vilnius', 'LT');
INSERT INTO client_registry.client_address (id, client_id, street, city, country, is_primary) VALUES (3402, 340002, 'Laisvės al. 2', 'Kaunas', 'LT', true);
INSERT INTO client_registry.client_bank_account (id, client_id, iban) VALUES (3401, 340002, 'LT601010012345678901');
INSERT INTO client_registry.client_contact (id, client_id, first_name, last_name, email) VALUES (3401, 340002, 'Ona', 'Onaitė', 'ona@example.lt');
COMMIT;
BEGIN;
SET LOCAL client_registry.tenant = 341;
INSERT INTO client_registry.client_address (id, client_id, street, city, country) VALUES (3411, 340002, 'Tilžės g. 3', 'Šiauliai', 'LT');
INSERT INTO client_registry.client_address (id, client_id, street, city, country, is_primary) VALUES (3412, 340002, 'Tiltų g. 4', 'Klaipėda', 'LT', true);
COMMIT;
BEGIN;
SET LOCAL client_registry.tenant = 340;
SELECT city, is_primary FROM client_registry.client_address WHERE client_id = 340002 ORDER BY city;
SELECT name, address_city, iban, contact_name FROM client_registry.client_card WHERE id = 340002;
-- the primary cannot be unset; deleting it promotes the other one
UPDATE client_registry.client_address SET is_primary = false WHERE client_id = 340002 AND city = 'Kaunas';
ROLLBACK;
BEGIN;
SET LOCAL client_registry.tenant = 340;
DELETE FROM client_registry.client_address WHERE client_id = 340002 AND city = 'Kaunas';
SELECT city, is_primary FROM client_registry.client_address WHERE client_id = 340002 ORDER BY city;
COMMIT;
BEGIN;
SET LOCAL client_registry.tenant = 341;
SELECT city, is_primary FROM client_registry.client_address WHERE client_id = 340002 ORDER BY city;
COMMIT;

-- Custom fields: the definitions are on the tenant (a reference table), the
-- check reads its placement on the worker.
BEGIN;
SET LOCAL client_registry.tenant = 340;
SELECT client_registry.define_custom_field('loyalty_card', 'text', 'Loyalty card number');
SELECT client_registry.define_custom_field('visits', 'integer');
COMMIT;
BEGIN;
SET LOCAL client_registry.tenant = 340;
UPDATE client_registry.client SET custom_fields = '{"loyalty_card": "LC-1", "visits": 3}' WHERE id = 340002;
SELECT custom_fields FROM client_registry.client WHERE id = 340002;
COMMIT;
BEGIN;
SET LOCAL client_registry.tenant = 340;
UPDATE client_registry.client SET custom_fields = '{"visits": "many"}' WHERE id = 340002;
ROLLBACK;
-- tenant 341 has no such field
BEGIN;
SET LOCAL client_registry.tenant = 341;
UPDATE client_registry.client SET custom_fields = '{"visits": 3}' WHERE id = 340002;
ROLLBACK;
-- a field in use is not dropped (checked on the worker that holds the tenant's clients)
BEGIN;
SET LOCAL client_registry.tenant = 340;
SELECT client_registry.drop_custom_field('visits');
ROLLBACK;
BEGIN;
SET LOCAL client_registry.tenant = 340;
UPDATE client_registry.client SET custom_fields = custom_fields - 'loyalty_card' WHERE id = 340002;
COMMIT;
BEGIN;
SET LOCAL client_registry.tenant = 340;
SELECT client_registry.drop_custom_field('loyalty_card');
SELECT custom_fields FROM client_registry.tenant WHERE id = 340;
COMMIT;

-- CRM: departments, users, items with visibility (row-level security on the
-- workers reads the tenant's crm_user shard), the product catalogue and links.
BEGIN;
SET LOCAL client_registry.tenant = 340;
INSERT INTO client_registry.crm_department (id, name) VALUES (3401, 'Pardavimai'), (3402, 'Buhalterija');
INSERT INTO client_registry.crm_user (id, login, full_name, department_id) VALUES
    (3401, 'cr_citus_ona', 'Ona', 3401), (3402, 'cr_citus_jonas', 'Jonas', 3401), (3403, 'cr_citus_rasa', 'Rasa', 3402);
INSERT INTO client_registry.crm_task (id, client_id, title, owner_user_id, assigned_user_id, department_id, visibility) VALUES
    (3401, 340002, 'ona user', 3401, 3401, 3401, 'user'),
    (3402, 340002, 'ona department', 3401, 3401, 3401, 'department'),
    (3403, 340002, 'ona everyone', 3401, 3401, 3401, 'everyone');
INSERT INTO client_registry.crm_event (id, client_id, title, starts_at, owner_user_id, department_id, visibility) VALUES
    (3401, 340002, 'ona user', '2026-12-10 10:00', 3401, 3401, 'user');
INSERT INTO client_registry.crm_order (id, client_id, number) VALUES (3401, 340002, 'U-340-1');
INSERT INTO client_registry.crm_product (id, code, name, unit, price, vat_rate) VALUES
    (3401, 'KAV-1', 'Kava, 1 kg', 'kg', 14.50, 21), (3402, 'KNY-1', 'Knyga', 'vnt.', 9.99, 9);
INSERT INTO client_registry.crm_order_line (order_id, client_id, line_no, product_id, quantity) VALUES (3401, 340002, 1, 3401, 2);
SELECT line_no, product_id, item, unit, unit_price, vat_rate, net_amount FROM client_registry.crm_order_line
 WHERE order_id = 3401 ORDER BY line_no;
-- links: the ends must be visible items, a related link is stored in a fixed order
INSERT INTO client_registry.crm_link (id, kind, from_type, from_id, to_type, to_id) VALUES
    (3401, 'follows_up', 'event', 3401, 'task', 3401),
    (3402, 'related', 'task', 3403, 'order', 3401);
SELECT id, kind, from_type, from_id, to_type, to_id FROM client_registry.crm_link WHERE tenant_id = 340 ORDER BY id;
SELECT client_id, row_id, action FROM client_registry.activity_feed
 WHERE tenant_id = 340 AND table_name = 'crm_link' ORDER BY row_id;
COMMIT;
BEGIN;
SET LOCAL client_registry.tenant = 340;
INSERT INTO client_registry.crm_link (kind, from_type, from_id, to_type, to_id) VALUES ('related', 'task', 3401, 'task', 999);
ROLLBACK;
-- an inactive product cannot be picked again
BEGIN;
SET LOCAL client_registry.tenant = 340;
UPDATE client_registry.crm_product SET is_active = false WHERE id = 3402;
INSERT INTO client_registry.crm_order_line (order_id, client_id, line_no, product_id, quantity) VALUES (3401, 340002, 2, 3402, 1);
ROLLBACK;
RESET ROLE;
-- who sees what: the owner all three tasks, a user of the same department two,
-- a user of another department one; a link shows when both ends do
SET ROLE cr_citus_jonas;
BEGIN;
SET LOCAL client_registry.tenant = 340;
SELECT title FROM client_registry.crm_task ORDER BY id;
SELECT id FROM client_registry.crm_link ORDER BY id;
COMMIT;
RESET ROLE;
SET ROLE cr_citus_rasa;
BEGIN;
SET LOCAL client_registry.tenant = 340;
SELECT title FROM client_registry.crm_task ORDER BY id;
SELECT count(*) AS events FROM client_registry.crm_event;
COMMIT;
RESET ROLE;
SET ROLE cr_citus_ona;
BEGIN;
SET LOCAL client_registry.tenant = 340;
SELECT title FROM client_registry.crm_task ORDER BY id;
SELECT id FROM client_registry.crm_link ORDER BY id;
COMMIT;
-- the other tenant sees none of them
BEGIN;
SET LOCAL client_registry.tenant = 341;
SELECT count(*) AS tasks_of_340 FROM client_registry.crm_task;
COMMIT;
RESET ROLE;
