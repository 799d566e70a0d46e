-- 0.4.0 (issue #19): visibility on every CRM row -- tasks, events,
-- documents, interactions, opportunities, their comments and feed entries --
-- with four real roles: the owner of the items (ona), a user of the same
-- department (jonas), a user of another department (rasa) and the manager
-- of the owner's department (vadove); plus a role with no CRM user.
-- Tenants 190, 191.
SET search_path = client_registry, public;
\set VERBOSITY terse
\set SHOW_CONTEXT never

CREATE ROLE crm19_app NOLOGIN;
SELECT grant_tenant(190, 'crm19_app'), grant_tenant(191, 'crm19_app');   -- members of both tenants (issue #11)
GRANT USAGE ON SCHEMA client_registry TO crm19_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA client_registry TO crm19_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA client_registry TO crm19_app;
GRANT EXECUTE ON FUNCTION crm_visibility_lookups() TO crm19_app;
REVOKE INSERT, UPDATE, DELETE ON activity_feed FROM crm19_app;
CREATE ROLE crm19_ona NOLOGIN IN ROLE crm19_app;      -- owner of the items, Sales
CREATE ROLE crm19_jonas NOLOGIN IN ROLE crm19_app;    -- Sales
CREATE ROLE crm19_rasa NOLOGIN IN ROLE crm19_app;     -- Accounting
CREATE ROLE crm19_vadove NOLOGIN IN ROLE crm19_app;   -- manager of Sales
CREATE ROLE crm19_svecias NOLOGIN IN ROLE crm19_app;  -- no CRM user

SET client_registry.tenant = 190;
INSERT INTO client (id, kind, name, company_code) VALUES (190001, 'own_company', 'UAB Matomumas', '110003978');
INSERT INTO client (id, kind, name, sales_tax_category) VALUES (190002, 'buyer', 'UAB Pirkėjas', 'PVM1');
INSERT INTO crm_department (id, name) VALUES (1901, 'Pardavimai'), (1902, 'Buhalterija');
INSERT INTO crm_user (id, login, full_name, department_id, is_manager) VALUES
    (1901, 'crm19_ona', 'Ona', 1901, false), (1902, 'crm19_jonas', 'Jonas', 1901, false),
    (1903, 'crm19_rasa', 'Rasa', 1902, false), (1904, 'crm19_vadove', 'Vadovė', 1901, true);

-- Ona's items, one per visibility, in every table with a visibility.
INSERT INTO crm_task (id, client_id, title, owner_user_id, assigned_user_id, department_id, visibility) VALUES
    (1901, 190002, 'ona user', 1901, 1901, 1901, 'user'),
    (1902, 190002, 'ona department', 1901, 1901, 1901, 'department'),
    (1903, 190002, 'ona everyone', 1901, 1901, 1901, 'everyone'),
    (1904, 190002, 'rasa user, assigned to jonas', 1903, 1902, 1902, 'user');
INSERT INTO crm_event (id, client_id, title, starts_at, owner_user_id, department_id, visibility) VALUES
    (1901, 190002, 'ona user', now() + interval '1 day', 1901, 1901, 'user'),
    (1902, 190002, 'ona department', now() + interval '1 day', 1901, 1901, 'department'),
    (1903, 190002, 'ona everyone', now() + interval '1 day', 1901, 1901, 'everyone');
INSERT INTO crm_document (id, client_id, title, user_id, department_id, visibility) VALUES
    (1901, 190002, 'ona user', 1901, 1901, 'user'),
    (1902, 190002, 'ona department', 1901, 1901, 'department'),
    (1903, 190002, 'ona everyone', 1901, 1901, 'everyone');
INSERT INTO crm_interaction (id, client_id, kind, subject, user_id, department_id, visibility) VALUES
    (1901, 190002, 'call', 'ona user', 1901, 1901, 'user'),
    (1902, 190002, 'call', 'ona department', 1901, 1901, 'department'),
    (1903, 190002, 'call', 'ona everyone', 1901, 1901, 'everyone');
INSERT INTO crm_opportunity (id, client_id, title, owner_user_id, department_id, visibility) VALUES
    (1901, 190002, 'ona user', 1901, 1901, 'user'),
    (1902, 190002, 'ona department', 1901, 1901, 'department'),
    (1903, 190002, 'ona everyone', 1901, 1901, 'everyone');
INSERT INTO crm_order (id, client_id, number, user_id) VALUES (1901, 190002, 'U-190-1', 1901);
INSERT INTO crm_comment (id, client_id, task_id, body) VALUES
    (1901, 190002, 1901, 'on ona user'), (1902, 190002, 1902, 'on ona department'), (1903, 190002, 1903, 'on ona everyone');
INSERT INTO crm_comment (id, client_id, event_id, body) VALUES (1904, 190002, 1901, 'on ona user event');
-- visibility department needs a department
INSERT INTO crm_document (client_id, title, visibility, department_id) VALUES (190002, 'no department', 'department', NULL);
\echo :SQLSTATE
SET client_registry.tenant = 191;
INSERT INTO client (id, kind, name, company_code) VALUES (191001, 'own_company', 'UAB Kitas', '110003978');
INSERT INTO crm_document (id, client_id, title, visibility) VALUES (1911, 191001, 'other tenant everyone', 'everyone');
SET client_registry.tenant = 190;

-- What each role sees: every CRM item (crm_item lists them all), comments,
-- feed entries.
CREATE FUNCTION pg_temp.seen() RETURNS TABLE (what text, ids bigint[]) LANGUAGE sql AS $$
    SELECT item_type::text, array_agg(item_id ORDER BY item_id) FROM client_registry.crm_item GROUP BY 1
    UNION ALL
    SELECT 'comment', array_agg(id ORDER BY id) FROM client_registry.crm_comment
    UNION ALL
    SELECT 'feed ' || table_name, array_agg(DISTINCT row_id ORDER BY row_id) FROM client_registry.activity_feed
     WHERE table_name IN ('crm_task', 'crm_event', 'crm_document', 'crm_interaction', 'crm_opportunity', 'crm_comment')
     GROUP BY table_name
    ORDER BY 1
$$;
GRANT EXECUTE ON FUNCTION pg_temp.seen() TO crm19_app;
SET ROLE crm19_ona;
SELECT current_crm_user_id(), current_crm_department_id();
SELECT * FROM pg_temp.seen();
RESET ROLE;
SET ROLE crm19_jonas;      -- same department: department and everyone, and the task assigned to him
SELECT * FROM pg_temp.seen();
RESET ROLE;
SET ROLE crm19_rasa;       -- other department: everyone, and her own task
SELECT * FROM pg_temp.seen();
RESET ROLE;
SET ROLE crm19_vadove;     -- manager of Sales: all of Sales, whatever the visibility
SELECT * FROM pg_temp.seen();
RESET ROLE;
SET ROLE crm19_svecias;    -- no CRM user: what is shared with everyone
SELECT current_crm_user_id();
SELECT * FROM pg_temp.seen();
RESET ROLE;

-- Writing.  Jonas (same department) edits the department's document but not
-- Ona's private one; cannot plant a private document of Ona's; cannot hand
-- a shared one to Ona privately (it would leave his sight).
SET ROLE crm19_jonas;
UPDATE crm_document SET title = 'jonas edited' WHERE id = 1902;
UPDATE crm_document SET title = 'hijacked' WHERE id = 1901;
DELETE FROM crm_interaction WHERE id = 1901;
INSERT INTO crm_document (client_id, title, user_id, department_id, visibility) VALUES (190002, 'planted', 1901, 1901, 'user');
\echo :SQLSTATE
UPDATE crm_opportunity SET visibility = 'user' WHERE id = 1903;
\echo :SQLSTATE
-- his own private note: defaults are him and his department
INSERT INTO crm_interaction (id, client_id, kind, subject, visibility) VALUES (1910, 190002, 'call', 'jonas private note', 'user');
SELECT id, user_id, department_id, visibility FROM crm_interaction WHERE id = 1910;
RESET ROLE;
SET ROLE crm19_rasa;
UPDATE crm_task SET title = 'rasa was here' WHERE id = 1902;
SELECT id, subject FROM crm_interaction ORDER BY id;     -- not jonas's private note
RESET ROLE;
-- The manager edits a private item of her department and makes it everyone's.
SET ROLE crm19_vadove;
UPDATE crm_opportunity SET stage = 'qualified' WHERE id = 1901;
UPDATE crm_document SET visibility = 'everyone' WHERE id = 1901;
SELECT id, subject, visibility FROM crm_interaction WHERE id = 1910;   -- jonas's private note, Sales
RESET ROLE;
SELECT id, title FROM crm_document WHERE tenant_id = 190 ORDER BY id;
SELECT id, stage FROM crm_opportunity WHERE tenant_id = 190 ORDER BY id;
SET ROLE crm19_rasa;
SELECT id FROM crm_document ORDER BY id;                -- 1901 is everyone's now
RESET ROLE;

-- Commenting a task needs seeing it.
SET ROLE crm19_rasa;
INSERT INTO crm_comment (client_id, task_id, body) VALUES (190002, 1901, 'rasa on ona private');
\echo :SQLSTATE
INSERT INTO crm_comment (id, client_id, task_id, body) VALUES (1905, 190002, 1903, 'rasa on everyone');
RESET ROLE;

-- The current user is read once per statement, not per row.
INSERT INTO crm_task (client_id, title, owner_user_id, department_id, visibility)
SELECT 190002, 'bulk ' || g, 1901, 1901, 'department' FROM generate_series(1, 500) g;
SET ROLE crm19_jonas;
SELECT user_lookups AS lookups_before FROM crm_visibility_lookups() \gset
SELECT count(*) FROM crm_task;
SELECT user_lookups - :lookups_before AS lookups FROM crm_visibility_lookups();
-- a deactivated user is nobody: sees what is shared with everyone
RESET ROLE;
UPDATE crm_user SET is_active = false WHERE id = 1902;
SET ROLE crm19_jonas;
SELECT current_crm_user_id(), count(*) FROM crm_task;
RESET ROLE;
UPDATE crm_user SET is_active = true WHERE id = 1902;

-- Another tenant: nothing of tenant 190, whatever its visibility; the
-- probes answer only for the session's tenant.
SET ROLE crm19_ona;
SET client_registry.tenant = 191;
SELECT count(*) AS items FROM crm_item;
SELECT crm_row_visible(190, 'crm_document', 1903) AS other_tenant, crm_row_visible(191, 'crm_document', 1911) AS own_tenant,
       crm_row_visible(191, 'client', 1) AS other_table, crm_row_visible(191, 'crm_document', NULL) AS no_row;
SET client_registry.tenant = 190;
RESET ROLE;

-- The owner role sees everything (DBA).
SELECT count(*) FROM crm_document WHERE tenant_id IN (190, 191);

DROP FUNCTION pg_temp.seen();
SELECT revoke_tenant(190, 'crm19_app'), revoke_tenant(191, 'crm19_app');
DROP OWNED BY crm19_app, crm19_ona, crm19_jonas, crm19_rasa, crm19_vadove, crm19_svecias;
DROP ROLE crm19_ona, crm19_jonas, crm19_rasa, crm19_vadove, crm19_svecias, crm19_app;
RESET client_registry.tenant;
