-- issue #17 with #18: erasure of a natural person's data through the
-- coordinator (tenant 218): the card, its addresses and bank accounts, a
-- contact, the activity feed and the journal of a merge; unmerge of that
-- merge is refused afterwards; another tenant's person is untouched (219).
\set SHOW_CONTEXT never
SET client_min_messages = warning;
SELECT client_registry.grant_tenant(t, 'postgres') FROM generate_series(218, 219) t;
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 218;
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (218001, 'own_company', 'UAB Savas', '110003978');
INSERT INTO client_registry.client (id, kind, legal_form, name, first_name, last_name, email, phone) VALUES
    (218002, 'buyer', 'natural_person', 'Jonas Jonaitis', 'Jonas', 'Jonaitis', 'jonas@example.lt', '+37060000000'),
    (218003, 'buyer', 'natural_person', 'Jonaitis Jonas', 'Jonas', 'Jonaitis', NULL, '+37060000001');
INSERT INTO client_registry.client_address (id, client_id, street, city) VALUES (218101, 218002, 'Pylimo g. 4-2', 'Vilnius');
INSERT INTO client_registry.client_bank_account (id, client_id, iban) VALUES (218201, 218003, 'LT121000011101001000');
INSERT INTO client_registry.client_contact (id, client_id, first_name, last_name, email) VALUES (218301, 218001, 'Ona', 'Onaitė', 'ona@savas.lt');
SET LOCAL client_registry.tenant = 219;
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (219001, 'own_company', 'UAB Kitas', '110003978');
INSERT INTO client_registry.client (id, kind, legal_form, name, first_name, last_name, email) VALUES
    (219002, 'buyer', 'natural_person', 'Jonas Jonaitis', 'Jonas', 'Jonaitis', 'jonas@example.lt');
COMMIT;
-- the duplicate merged first: its card is in the merge journal
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 218;
SELECT client_registry.merge_clients(218002, 218003) AS merge_id \gset
COMMIT;
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 218;
SELECT table_name, action, row_count FROM client_registry.erase_personal_data(218002) ORDER BY table_name, action;
SELECT id, name, first_name, last_name, email, phone, erased_at IS NOT NULL AS erased
  FROM client_registry.client WHERE tenant_id = 218 ORDER BY id;
SELECT count(*) AS addresses_left FROM client_registry.client_address WHERE tenant_id = 218 AND street LIKE 'Pylimo%';
SELECT count(*) AS journal_rows_naming_him FROM client_registry.client_merge_step
 WHERE tenant_id = 218 AND (row_images::text LIKE '%Jonaitis%' OR old_values::text LIKE '%Jonaitis%');
SELECT count(*) AS feed_rows_naming_him FROM client_registry.activity_feed
 WHERE tenant_id = 218 AND (old_values::text LIKE '%Jonaitis%' OR new_values::text LIKE '%Jonaitis%');
COMMIT;
-- the merge cannot be undone any more
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 218;
\set VERBOSITY sqlstate
SELECT client_registry.unmerge(:merge_id);
\set VERBOSITY default
ROLLBACK;
-- a contact person of the own company
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 218;
SELECT table_name, action, row_count FROM client_registry.erase_contact_personal_data(218301) ORDER BY table_name, action;
SELECT id, first_name, last_name, email FROM client_registry.client_contact WHERE tenant_id = 218 ORDER BY id;
COMMIT;
-- tenant 219's Jonas Jonaitis is untouched
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 219;
SELECT id, name, email, erased_at FROM client_registry.client WHERE tenant_id = 219 ORDER BY id;
COMMIT;
