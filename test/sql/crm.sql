-- 0.3.0: CRM on the client card (R5): users and departments, statuses and
-- their history, interactions, tasks with optimistic locking, events,
-- comments, opportunities, orders with lines, documents, the card summary,
-- the activity feed and search.  Tenants 120-129.  (Row-level visibility
-- with real roles: test/pgtap/08_crm.sql.)
SET search_path = client_registry, public;
SET client_registry.tenant = 120;
-- terse: constraint failures print the failing row with timestamps;
-- the registry's own messages are shown in full (VERBOSITY default).
\set VERBOSITY terse
\set SHOW_CONTEXT never
INSERT INTO client (id, kind, name, company_code) VALUES (120001, 'own_company', 'UAB Savas CRM', '110003978');
INSERT INTO client (id, kind, name, company_code, vat_code, email, phone, sales_tax_category)
VALUES (120002, 'buyer', 'UAB „Šiaulių žalgiris"', '188772433', 'LT119511515', 'info@zalgiris.lt', '+370 41 123456', 'PVM1'),
       (120003, 'buyer', 'Ąžuolynas ir partneriai', '110443493', NULL, NULL, NULL, 'PVM1');
INSERT INTO client (id, kind, legal_form, name, first_name, last_name, is_active)
VALUES (120004, 'buyer', 'natural_person', 'Jonas Petraitis', 'Jonas', 'Petraitis', false);

-- Users and departments: the current role (here the test's superuser) is a user.
INSERT INTO crm_department (id, name) VALUES (12001, 'Pardavimai'), (12002, 'Buhalterija');
INSERT INTO crm_user (id, login, full_name, department_id) VALUES (12001, CURRENT_USER, 'Testas Testauskas', 12001);
INSERT INTO crm_user (id, login, full_name, department_id, email) VALUES (12002, 'ona', 'Ona Onaitė', 12002, 'ona@savas.lt');
SELECT current_crm_user_id(), current_crm_department_id();
INSERT INTO crm_user (login, full_name) VALUES (CURRENT_USER, 'Dublikatas');
\echo :SQLSTATE
INSERT INTO crm_user (login, full_name) VALUES ('tuscias', '  ');
\echo :SQLSTATE
INSERT INTO crm_user (login, full_name, email) VALUES ('blogas', 'Blogas', 'be-eta');
\echo :SQLSTATE
INSERT INTO crm_department (name) VALUES ('Pardavimai');
\echo :SQLSTATE

-- Statuses, assignment, and the status history (who, when) from the feed.
INSERT INTO crm_status (id, name, sort_order) VALUES (12001, 'Potencialus', 1), (12002, 'Aktyvus', 2), (12003, 'Nekontaktuoti', 3);
UPDATE client SET crm_status_id = 12001, assigned_user_id = 12002 WHERE id = 120002;
UPDATE client SET crm_status_id = 12002 WHERE id = 120002;
UPDATE client SET crm_status_id = NULL WHERE id = 120002;
SELECT client_id, changed_by = CURRENT_USER AS by_me, changed_at <= now() AS at, old_status, new_status
  FROM client_status_history WHERE client_id = 120002 ORDER BY feed_id;
UPDATE client SET assigned_user_id = 99999 WHERE id = 120002;
\echo :SQLSTATE
UPDATE client SET crm_status_id = 99999 WHERE id = 120002;
\echo :SQLSTATE
SELECT id, name FROM client WHERE tenant_id = 120 AND assigned_user_id = 12002;

-- Inquiries, calls, comments.
INSERT INTO crm_interaction (id, client_id, kind, subject, body, is_open)
VALUES (12001, 120002, 'inquiry', 'Kaina 100 vnt.?', 'Prašo pasiūlymo', true),
       (12002, 120002, 'call', 'Paskambinta', NULL, false);
SELECT id, kind, subject, user_id, is_open FROM crm_interaction WHERE tenant_id = 120 ORDER BY id;
INSERT INTO crm_interaction (client_id, kind, subject) VALUES (120002, 'call', ' ');
\echo :SQLSTATE
INSERT INTO crm_interaction (client_id, kind, subject) VALUES (120002, 'letter', 'Laiškas');
\echo :SQLSTATE
INSERT INTO crm_interaction (client_id, kind, subject) VALUES (129999, 'call', 'Niekam');
\echo :SQLSTATE

-- Tasks: defaults from the current user; every update raises version;
-- an update naming a stale version is refused (40001).
INSERT INTO crm_task (id, client_id, title, due_date) VALUES (12001, 120002, 'Paruošti pasiūlymą', '2026-12-01');
SELECT id, status, assigned_user_id, owner_user_id, department_id, visibility, version FROM crm_task WHERE id = 12001;
UPDATE crm_task SET status = 'in_progress' WHERE id = 12001;
UPDATE crm_task SET description = 'Su nuolaida', version = 3 WHERE id = 12001;
SELECT status, description, version FROM crm_task WHERE id = 12001;
\set VERBOSITY default
UPDATE crm_task SET status = 'done', version = 3 WHERE id = 12001;
\echo :SQLSTATE
UPDATE crm_task SET status = 'done', version = NULL WHERE id = 12001;
\echo :SQLSTATE
\set VERBOSITY terse
SELECT status, version FROM crm_task WHERE id = 12001;
INSERT INTO crm_task (client_id, title, visibility, department_id) VALUES (120002, 'Be skyriaus', 'department', NULL);
\echo :SQLSTATE
INSERT INTO crm_task (client_id, title, assigned_user_id) VALUES (120002, 'Kitam', 99999);
\echo :SQLSTATE
INSERT INTO crm_task (id, client_id, title, due_date, visibility) VALUES (12002, 120002, 'Paskambinti', '2026-11-20', 'user'),
       (12003, 120002, 'Atlikta', '2026-11-01', 'everyone');
UPDATE crm_task SET status = 'done' WHERE id = 12003;

-- Events: time, place, visibility.
INSERT INTO crm_event (id, client_id, title, starts_at, ends_at, place, visibility)
VALUES (12001, 120002, 'Susitikimas', now() + interval '2 days', now() + interval '2 days 1 hour', 'Šiauliai', 'department'),
       (12002, 120002, 'Praėjęs', now() - interval '2 days', NULL, NULL, 'everyone');
INSERT INTO crm_event (client_id, title, starts_at, ends_at) VALUES (120002, 'Atgal', '2026-11-02 10:00+02', '2026-11-02 09:00+02');
\echo :SQLSTATE

-- Comments: on exactly one task or event, of the same client.
INSERT INTO crm_comment (id, client_id, task_id, body) VALUES (12001, 120002, 12001, 'Klientas laukia iki penktadienio');
INSERT INTO crm_comment (id, client_id, event_id, body) VALUES (12002, 120002, 12001, 'Atsinešti katalogą');
INSERT INTO crm_comment (client_id, task_id, event_id, body) VALUES (120002, 12001, 12001, 'Abiem');
\echo :SQLSTATE
INSERT INTO crm_comment (client_id, body) VALUES (120002, 'Niekam');
\echo :SQLSTATE
INSERT INTO crm_comment (client_id, task_id, body) VALUES (120003, 12001, 'Kito kliento');
\echo :SQLSTATE
SELECT id, client_id, task_id, event_id, user_id FROM crm_comment WHERE tenant_id = 120 ORDER BY id;

-- Opportunities.
INSERT INTO crm_opportunity (id, client_id, title, stage, value, probability, expected_close)
VALUES (12001, 120002, 'Metinė sutartis', 'proposal', 15000, 60, '2027-01-31'),
       (12002, 120002, 'Pilotas', 'won', 2000, 100, '2026-10-01'),
       (12003, 120002, 'Papildomi', 'lead', 500, NULL, NULL);
INSERT INTO crm_opportunity (client_id, title, probability) VALUES (120002, 'Blogai', 101);
\echo :SQLSTATE
INSERT INTO crm_opportunity (client_id, title, value) VALUES (120002, 'Neigiama', -1);
\echo :SQLSTATE

-- Orders with lines.
INSERT INTO crm_order (id, client_id, number, order_date, payment_form, delivery_method, delivery_address, delivery_date)
VALUES (12001, 120002, 'U-120-1', '2026-11-20', 'cash_on_delivery', 'kurjeris', 'Vilniaus g. 1, Šiauliai', '2026-11-27');
INSERT INTO crm_order_line (order_id, client_id, line_no, item, quantity, unit, unit_price, discount_percent, vat_rate)
VALUES (12001, 120002, 1, 'Prekė A', 10, 'vnt.', 12.50, 0, 21),
       (12001, 120002, 2, 'Prekė B', 3, 'kg', 4.99, 10, 9);
SELECT number, client_name, payment_form, delivery_method, lines, total_net, total_vat, total_gross, user_name
  FROM crm_order_list WHERE id = 12001;
INSERT INTO crm_order (client_id, number, payment_form) VALUES (120002, 'U-120-2', 'barter');
\echo :SQLSTATE
INSERT INTO crm_order (client_id, number) VALUES (120003, 'U-120-1');
\echo :SQLSTATE
INSERT INTO crm_order_line (order_id, client_id, line_no, item, quantity) VALUES (12001, 120003, 3, 'Kito kliento', 1);
\echo :SQLSTATE
INSERT INTO crm_order_line (order_id, client_id, line_no, item, quantity) VALUES (12001, 120002, 3, 'Nulis', 0);
\echo :SQLSTATE
INSERT INTO crm_order_line (order_id, client_id, line_no, item, quantity) VALUES (12001, 120002, 1, 'Tas pats nr.', 1);
\echo :SQLSTATE
INSERT INTO crm_document (id, client_id, title, kind, uri) VALUES (12001, 120002, 'Pasiūlymas', 'offer', 's3://docs/120/1.pdf');

-- The card's CRM summary.
SELECT name, crm_status, assigned_user, active_opportunities, active_opportunities_value, open_tasks, next_due_date,
       jsonb_path_query_array(open_task_list, '$[*].title') AS open_tasks,
       jsonb_path_query_array(upcoming_events, '$[*].title') AS events,
       jsonb_path_query_array(newest_documents, '$[*].kind') AS documents
  FROM client_crm_summary WHERE client_id = 120002;

-- A client with CRM rows cannot be deleted (delete guard); its comments and
-- order lines follow when its task or order moves to another client.
\set VERBOSITY default
DELETE FROM client WHERE id = 120002;
\echo :SQLSTATE
\set VERBOSITY terse
UPDATE crm_task SET client_id = 120003 WHERE id = 12001;
SELECT id, client_id FROM crm_comment WHERE tenant_id = 120 ORDER BY id;
UPDATE crm_order SET client_id = 120003 WHERE id = 12001;
SELECT DISTINCT client_id FROM crm_order_line WHERE order_id = 12001;

-- The activity feed: creations, changes (old and new values of the
-- changed columns only) and deletions of the card and what is linked to it.
SELECT table_name, action, count(*) FROM activity_feed WHERE tenant_id = 120 GROUP BY 1, 2 ORDER BY 1, 2;
SELECT table_name, row_id, action, old_values, new_values FROM activity_feed
 WHERE tenant_id = 120 AND action = 'update' AND table_name IN ('crm_task', 'crm_order', 'crm_comment')
 ORDER BY id;
UPDATE client SET phone = '+370 41 654321', notes = 'Svarbus' WHERE id = 120002;
UPDATE client SET phone = '+370 41 654321' WHERE id = 120002;     -- nothing changed: no entry
SELECT client_id, action, old_values, new_values, changed_by = CURRENT_USER AS by_me
  FROM activity_feed WHERE tenant_id = 120 AND table_name = 'client' AND row_id = 120002 ORDER BY id DESC LIMIT 2;
INSERT INTO client_address (id, client_id, street, city) VALUES (120001, 120004, 'Laisvės al. 1', 'Kaunas');
UPDATE client_address SET city = 'Kaunas ' WHERE id = 120001;   -- trimmed by the rules: no change, no entry
UPDATE client_address SET postal_code = '44001' WHERE id = 120001;
SELECT table_name, action, client_id, new_values ->> 'city' AS city, new_values ? 'is_primary' AS primary_recorded, old_values
  FROM activity_feed WHERE tenant_id = 120 AND table_name = 'client_address' ORDER BY id;
-- The history outlives the client: no foreign key from the feed.
DELETE FROM client WHERE id = 120004;
SELECT table_name, action, old_values ->> 'name' AS name, old_values ->> 'city' AS city
  FROM activity_feed WHERE tenant_id = 120 AND client_id = 120004 AND action = 'delete' ORDER BY id;
-- Bulk statements: one feed write per statement, one entry per changed row.
INSERT INTO client (id, kind, name, sales_tax_category) SELECT 120100 + g, 'buyer', 'Masinis ' || g, 'PVM1' FROM generate_series(1, 50) g;
UPDATE client SET notes = 'masinis' WHERE id BETWEEN 120101 AND 120150 AND id % 2 = 0;
SELECT action, count(*) FROM activity_feed WHERE tenant_id = 120 AND client_id BETWEEN 120101 AND 120150 GROUP BY 1 ORDER BY 1;
-- row_security = off alone is no restore (0.4.0): the UPDATE is recorded.  A
-- restore -- COPY ... FROM with row_security off, as pg_dump's scripts do --
-- records nothing: the feed is restored as it was dumped.
SET row_security = off;
UPDATE client SET notes = 'atstatymas' WHERE id = 120101;
COPY client (id, kind, name, sales_tax_category) FROM STDIN;
120199	buyer	Atkurtas	PVM1
\.
RESET row_security;
SELECT client_id, action, count(*) FROM activity_feed WHERE tenant_id = 120 AND client_id IN (120101, 120199)
 GROUP BY 1, 2 ORDER BY 1, 2;

-- Search (R5.3): case, diacritics, fragments, typos, codes, IBAN, contacts,
-- labels; best first; inactive only when asked.
SELECT search_fold('  UAB „Šiaulių ŽALGIRIS“ — Ąžuolas Łódź Straße  ');
INSERT INTO client_bank_account (client_id, iban) VALUES (120003, 'LT12 1000 0111 0100 1000');
INSERT INTO client_contact (client_id, first_name, last_name, email, phone) VALUES (120003, 'Rūta', 'Žemaitytė', 'ruta@azuolynas.lt', '+370 600 11111');
INSERT INTO label (id, name) VALUES (12001, 'Didmena');
INSERT INTO client_label (client_id, label_id) VALUES (120002, 12001);
INSERT INTO client (id, kind, legal_form, name, first_name, last_name, is_active)
VALUES (120005, 'buyer', 'natural_person', 'Jonas Petraitis', 'Jonas', 'Petraitis', false);
SELECT client_id, name, matched_on, score FROM search_clients('siauliu zalgiris');
SELECT client_id, name, matched_on, score FROM search_clients('ŠIAULIŲ');
SELECT client_id, name, matched_on, score FROM search_clients('zalgirs');               -- typo
SELECT client_id, name, matched_on, score FROM search_clients('azuolyn');                -- start of a word: 0.9
SELECT client_id, name, matched_on, score FROM search_clients('uolyn');                  -- inside a word: 0.8
SELECT client_id, name, matched_on, score FROM search_clients('188 772 433');            -- company code
SELECT client_id, name, matched_on, score FROM search_clients('lt119511515');            -- VAT code
SELECT client_id, name, matched_on, score FROM search_clients('772 433');                -- code fragment typed in groups
SELECT client_id, name, matched_on, score FROM search_clients('lt12 1000 0111 0100 1000'); -- IBAN
SELECT client_id, name, matched_on, score FROM search_clients('zemaityte');              -- contact person
SELECT client_id, name, matched_on, score FROM search_clients('ruta@azuolynas');         -- contact e-mail
SELECT client_id, name, matched_on, score FROM search_clients('didmena');                -- label
SELECT client_id, name, matched_on, score FROM search_clients('info@zalgiris');          -- e-mail
SELECT client_id, name, matched_on, score FROM search_clients('petraitis');              -- inactive: left out
SELECT client_id, name, is_active, matched_on FROM search_clients('petraitis', include_inactive => true);
SELECT client_id, name, matched_on FROM search_clients('masinis 1', max_results => 3);
SELECT count(*) FROM search_clients('   ');
SELECT count(*) FROM search_clients('%');
SET client_registry.tenant = 121;
SELECT count(*) FROM search_clients('zalgiris');                                         -- other tenant: nothing
RESET client_registry.tenant;
