-- 0.4.0 (issue #19): links between CRM items ("Powiązania"), seen from both
-- ends, following merges, removed with their items, in the activity feed;
-- the product catalogue and document types; the user's agenda and clients.
-- Tenants 192, 193.
SET search_path = client_registry, public;
\set VERBOSITY terse
\set SHOW_CONTEXT never
SET client_registry.tenant = 192;
INSERT INTO client (id, kind, name, company_code) VALUES (192001, 'own_company', 'UAB Ryšiai', '110003978');
INSERT INTO client (id, kind, name, sales_tax_category) VALUES
    (192002, 'buyer', 'UAB Alfa', 'PVM1'), (192003, 'buyer', 'Alfa UAB (dublikatas)', 'PVM1');
INSERT INTO crm_department (id, name) VALUES (1921, 'Pardavimai');
INSERT INTO crm_user (id, login, full_name, department_id) VALUES (1921, CURRENT_USER, 'Testas', 1921);

INSERT INTO crm_task (id, client_id, title, due_date) VALUES (1921, 192002, 'Paskambinti dėl pasiūlymo', '2026-12-01');
INSERT INTO crm_event (id, client_id, title, starts_at) VALUES (1921, 192002, 'Susitikimas', '2026-12-03 10:00+02');
INSERT INTO crm_opportunity (id, client_id, title, stage, value) VALUES (1921, 192002, 'Metinė sutartis', 'proposal', 12000);
INSERT INTO crm_document (id, client_id, title, kind) VALUES (1921, 192003, 'Pasiūlymas Nr. 7', 'offer');
INSERT INTO crm_order (id, client_id, number) VALUES (1921, 192002, 'U-192-1');
INSERT INTO crm_interaction (id, client_id, kind, subject, is_open) VALUES (1921, 192002, 'inquiry', 'Kaina?', true);

-- Links of every kind; the event follows up the task, the document is the
-- offer of the opportunity (of another client: the duplicate), the
-- opportunity became the order, the inquiry is related to the task.
INSERT INTO crm_link (id, kind, from_type, from_id, to_type, to_id) VALUES
    (1921, 'follows_up', 'event', 1921, 'task', 1921),
    (1922, 'offer_for', 'document', 1921, 'opportunity', 1921),
    (1923, 'became', 'opportunity', 1921, 'order', 1921),
    (1924, 'related', 'task', 1921, 'interaction', 1921);
-- both ends see each link
SELECT item_type, item_id, relation, linked_type, linked_id, linked_title, linked_client_id
  FROM crm_item_link WHERE tenant_id = 192 ORDER BY item_type, item_id, link_id;
SELECT relation, linked_type, linked_title FROM crm_item_link
 WHERE tenant_id = 192 AND item_type = 'task' AND item_id = 1921 ORDER BY link_id;
-- a related link is one link whichever end comes first: stored in a fixed order
SELECT from_type, from_id, to_type, to_id FROM crm_link WHERE id = 1924;
INSERT INTO crm_link (kind, from_type, from_id, to_type, to_id) VALUES ('related', 'interaction', 1921, 'task', 1921);
\echo :SQLSTATE
INSERT INTO crm_link (kind, from_type, from_id, to_type, to_id) VALUES ('follows_up', 'event', 1921, 'task', 1921);
\echo :SQLSTATE
-- errors: an item linked to itself, an end that does not exist, a link edited
INSERT INTO crm_link (from_type, from_id, to_type, to_id) VALUES ('task', 1921, 'task', 1921);
\echo :SQLSTATE
INSERT INTO crm_link (from_type, from_id, to_type, to_id) VALUES ('task', 1921, 'event', 192999);
\echo :SQLSTATE
\set VERBOSITY default
UPDATE crm_link SET kind = 'related' WHERE id = 1921;
\echo :SQLSTATE
\set VERBOSITY terse
-- another tenant's item cannot be linked (the key includes the tenant)
SET client_registry.tenant = 193;
INSERT INTO client (id, kind, name, company_code) VALUES (193001, 'own_company', 'UAB Kitas', '110003978');
INSERT INTO crm_task (id, client_id, title) VALUES (1931, 193001, 'kito nuomininko');
SET client_registry.tenant = 192;
INSERT INTO crm_link (from_type, from_id, to_type, to_id) VALUES ('task', 1921, 'task', 1931);
\echo :SQLSTATE

-- Links are journaled: the feed has each link under the clients of both ends.
SELECT client_id, row_id, action, new_values ->> 'kind' AS kind, new_values ->> 'from_type' AS from_type,
       new_values ? 'from_task_id' AS generated_recorded, changed_by = CURRENT_USER AS by_me
  FROM activity_feed WHERE tenant_id = 192 AND table_name = 'crm_link' ORDER BY row_id, client_id;

-- Merges: the duplicate client (with the offer document) merged into Alfa;
-- the links stay, both ends still see them; unmerge puts the document back.
SELECT merge_clients(192002, 192003) AS merge_id \gset
SELECT item_type, item_id, linked_type, linked_id, linked_client_id FROM crm_item_link
 WHERE tenant_id = 192 AND link_id = 1922 ORDER BY direction;
SELECT unmerge(:merge_id) > 0 AS unmerged;
SELECT item_type, item_id, linked_type, linked_id, linked_client_id FROM crm_item_link
 WHERE tenant_id = 192 AND link_id = 1922 ORDER BY direction;

-- Deleting an end removes its links (and journals their removal).
DELETE FROM crm_event WHERE id = 1921;
SELECT id, kind FROM crm_link WHERE tenant_id = 192 ORDER BY id;
SELECT client_id, row_id, action, old_values ->> 'to_type' AS to_type
  FROM activity_feed WHERE tenant_id = 192 AND table_name = 'crm_link' AND action = 'delete';
DELETE FROM crm_opportunity WHERE id = 1921;
SELECT id, kind FROM crm_link WHERE tenant_id = 192 ORDER BY id;

-- Product catalogue: a line picking a product takes what it leaves empty
-- from it; what it gives wins; free text still works with the old defaults.
INSERT INTO crm_product (id, code, name, unit, price, vat_rate) VALUES
    (1921, 'KAV-1', 'Kava, 1 kg', 'kg', 14.50, 21), (1922, 'KNY-1', 'Knyga', 'vnt.', 9.99, 9);
INSERT INTO crm_order_line (order_id, client_id, line_no, product_id, quantity) VALUES (1921, 192002, 1, 1921, 2);
INSERT INTO crm_order_line (order_id, client_id, line_no, product_id, item, quantity, unit_price) VALUES
    (1921, 192002, 2, 1922, 'Knyga su autografu', 1, 12.00);
INSERT INTO crm_order_line (order_id, client_id, line_no, item, quantity) VALUES (1921, 192002, 3, 'Pristatymas', 1);
SELECT line_no, product_id, item, unit, unit_price, vat_rate, net_amount FROM crm_order_line WHERE order_id = 1921 ORDER BY line_no;
SELECT lines, total_net, total_vat, total_gross FROM crm_order_list WHERE id = 1921;
-- a later change of the product does not touch the lines; picking another one fills what is empty
UPDATE crm_product SET price = 15.00 WHERE id = 1921;
UPDATE crm_order_line SET product_id = 1922, item = NULL, unit = NULL, unit_price = NULL, vat_rate = NULL WHERE order_id = 1921 AND line_no = 1;
SELECT line_no, product_id, item, unit, unit_price, vat_rate FROM crm_order_line WHERE order_id = 1921 ORDER BY line_no;
-- an inactive product stays on its lines but cannot be picked again
UPDATE crm_product SET is_active = false WHERE id = 1921;
\set VERBOSITY default
INSERT INTO crm_order_line (order_id, client_id, line_no, product_id, quantity) VALUES (1921, 192002, 4, 1921, 1);
\echo :SQLSTATE
\set VERBOSITY terse
INSERT INTO crm_product (code, name) VALUES ('KNY-1', 'Dublikatas');
\echo :SQLSTATE
INSERT INTO crm_product (code, name, price) VALUES ('NEIG', 'Neigiama', -1);
\echo :SQLSTATE
\set VERBOSITY default
INSERT INTO crm_order_line (order_id, client_id, line_no, product_id, quantity) VALUES (1921, 192002, 5, 192999, 1);
\echo :SQLSTATE
\set VERBOSITY terse

-- Document types: a document picking a type without a kind takes its code.
INSERT INTO crm_document_type (id, code, name, sort_order) VALUES (1921, 'offer', 'Komercinis pasiūlymas', 1),
       (1922, 'contract', 'Sutartis', 2);
INSERT INTO crm_document (id, client_id, title, document_type_id) VALUES (1922, 192002, 'Sutartis 2027', 1922);
INSERT INTO crm_document (id, client_id, title, document_type_id, kind) VALUES (1923, 192002, 'Priedas', 1922, 'annex');
INSERT INTO crm_document (id, client_id, title, kind) VALUES (1924, 192002, 'Nuotrauka', 'photo');
SELECT d.id, d.kind, t.name AS type_name FROM crm_document d LEFT JOIN crm_document_type t
    ON t.tenant_id = d.tenant_id AND t.id = d.document_type_id WHERE d.tenant_id = 192 ORDER BY d.id;
UPDATE crm_document_type SET is_active = false WHERE id = 1921;
INSERT INTO crm_document (client_id, title, document_type_id) VALUES (192002, 'Senas tipas', 1921);
\echo :SQLSTATE
INSERT INTO crm_document (client_id, title, document_type_id) VALUES (192002, 'Nėra tokio', 192999);
\echo :SQLSTATE

-- The agenda and the clients of the current user.
UPDATE crm_task SET status = 'done' WHERE id = 1921;
INSERT INTO crm_user (id, login, full_name, department_id) VALUES (1922, 'kolega', 'Kolega', 1921);
UPDATE client SET assigned_user_id = 1921 WHERE id IN (192002, 192003);
INSERT INTO crm_task (id, client_id, title, due_date, assigned_user_id, status) VALUES
    (1922, 192002, 'Vėluoja', CURRENT_DATE - 1, 1921, 'open'),
    (1923, 192002, 'Šiandien', CURRENT_DATE, 1921, 'in_progress'),
    (1924, 192002, 'Atlikta', CURRENT_DATE - 5, 1921, 'done'),
    (1925, 192003, 'Kolegos', CURRENT_DATE + 3, 1922, 'open');
INSERT INTO crm_event (id, client_id, title, starts_at, owner_user_id) VALUES
    (1922, 192002, 'Rytoj', CURRENT_DATE + 1 + time '10:00', 1921),
    (1923, 192002, 'Vakar', CURRENT_DATE - 1 + time '10:00', 1921),
    (1924, 192003, 'Kolegos susitikimas', CURRENT_DATE + 2 + time '09:00', 1922);
INSERT INTO crm_opportunity (id, client_id, title, stage, expected_close) VALUES
    (1922, 192002, 'Pavėluota', 'negotiation', CURRENT_DATE - 10),
    (1923, 192002, 'Laiku', 'lead', CURRENT_DATE + 10);
SELECT item_type, item_id, title, status, is_overdue, reason, due_date - CURRENT_DATE AS days
  FROM my_agenda ORDER BY is_overdue DESC, due_date NULLS LAST, item_type, item_id;
SELECT client_id, name, open_tasks, overdue_tasks, next_due_date - CURRENT_DATE AS next_due_in,
       next_event_at IS NOT NULL AS has_event, active_opportunities, active_opportunities_value,
       last_activity_at IS NOT NULL AS has_activity
  FROM my_clients ORDER BY client_id;
RESET client_registry.tenant;
