-- bench/crm_agenda/gen.sql -- the CRM of one tenant for the agenda benchmark.
-- psql variables: n (activity rows: tasks, events, opportunities, interactions),
-- clients, users, depts, k (measured users, each a login role).
-- Loaded as the superuser with session_replication_role = replica (setup,
-- not measured); one activity-feed entry per row written directly.
--
-- Users 1..depts are the managers (user u is in department u % depts + 1);
-- the measured roles are bench_u<depts + 1> .. bench_u<depts + k> (ordinary
-- users) and bench_u1 (a manager).  Rows: 50 % tasks (10 % open, 2 % in
-- progress; due dates over the last 700 and the next 60 days), 30 % events
-- (same span), 10 % opportunities, 10 % interactions (5 % open inquiries);
-- owner a random user, its department the row's, 80 % assigned to the owner;
-- visibility 60 % everyone, 30 % department, 10 % user.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET search_path = client_registry, public;
SELECT setseed(0.19);

INSERT INTO client (id, kind, name, company_code) VALUES (1, 'own_company', 'UAB Bench', '110003978');
SET session_replication_role = replica;
INSERT INTO client (id, kind, name, sales_tax_category, assigned_user_id)
SELECT c + 1, 'buyer', 'Klientas ' || c, 'PVM1', (c % :users) + 1 FROM generate_series(1, :clients) c;
INSERT INTO crm_department (id, name) SELECT d, 'Skyrius ' || d FROM generate_series(1, :depts) d;
INSERT INTO crm_user (id, login, full_name, department_id, is_manager)
SELECT u, 'bench_u' || u, 'Vartotojas ' || u, u % :depts + 1, u <= :depts FROM generate_series(1, :users) u;

CREATE TEMP TABLE gen AS
SELECT g, 2 + (g::bigint * 7919) % :clients AS client_id, o AS owner,
       CASE WHEN random() < 0.8 THEN o ELSE 1 + (o - 1 + :depts * (1 + floor(random() * 4)::int)) % :users END AS assignee,
       o % :depts + 1 AS dept,
       (CASE WHEN v < 0.6 THEN 'everyone' WHEN v < 0.9 THEN 'department' ELSE 'user' END)::crm_visibility AS vis,
       random() AS r, -700 + floor(random() * 760)::int AS day
  FROM generate_series(1, :n) g,
       LATERAL (SELECT 1 + floor(random() * :users)::int AS o, random() AS v WHERE g IS NOT NULL) x;

INSERT INTO crm_task (id, client_id, title, status, due_date, assigned_user_id, owner_user_id, department_id, visibility)
SELECT g, client_id, 'Užduotis ' || g,
       (CASE WHEN r < 0.10 THEN 'open' WHEN r < 0.12 THEN 'in_progress' WHEN r < 0.95 THEN 'done' ELSE 'cancelled' END)::crm_task_status,
       CURRENT_DATE + day, assignee, owner, dept, vis
  FROM gen WHERE g % 10 < 5;
INSERT INTO crm_event (id, client_id, title, starts_at, ends_at, owner_user_id, department_id, visibility)
SELECT g, client_id, 'Susitikimas ' || g, CURRENT_DATE + day + time '09:00' + (r * 8) * interval '1 hour',
       CURRENT_DATE + day + time '10:00' + (r * 8) * interval '1 hour', owner, dept, vis
  FROM gen WHERE g % 10 IN (5, 6, 7);
INSERT INTO crm_opportunity (id, client_id, title, stage, value, expected_close, owner_user_id, department_id, visibility)
SELECT g, client_id, 'Galimybė ' || g,
       (ARRAY['lead', 'qualified', 'proposal', 'negotiation', 'won', 'lost'])[1 + floor(r * 6)::int]::crm_opportunity_stage,
       round((r * 10000)::numeric, 2), CURRENT_DATE + day, owner, dept, vis
  FROM gen WHERE g % 10 = 8;
INSERT INTO crm_interaction (id, client_id, kind, subject, occurred_at, is_open, user_id, department_id, visibility)
SELECT g, client_id, (CASE WHEN r < 0.3 THEN 'inquiry' WHEN r < 0.8 THEN 'call' ELSE 'comment' END)::crm_interaction_kind,
       'Skambutis ' || g, CURRENT_DATE + day + time '12:00', r < 0.05, owner, dept, vis
  FROM gen WHERE g % 10 = 9;

INSERT INTO activity_feed (tenant_id, client_id, table_name, row_id, action, changed_by, changed_at, new_values)
SELECT 1, client_id, CASE WHEN g % 10 < 5 THEN 'crm_task' WHEN g % 10 < 8 THEN 'crm_event'
                          WHEN g % 10 = 8 THEN 'crm_opportunity' ELSE 'crm_interaction' END,
       g, 'insert', 'bench_u' || owner, now() - (700 - day) * interval '1 day', jsonb_build_object('id', g)
  FROM gen;
RESET session_replication_role;
DROP TABLE gen;

DO $do$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bench_crm_app') THEN
        CREATE ROLE bench_crm_app NOLOGIN;
    END IF;
END
$do$;
SELECT client_registry.grant_tenant(1, 'bench_crm_app');      -- a member of the tenant (issue #11)
GRANT USAGE ON SCHEMA client_registry TO bench_crm_app;
GRANT SELECT ON ALL TABLES IN SCHEMA client_registry TO bench_crm_app;
SELECT format('CREATE ROLE %I LOGIN IN ROLE bench_crm_app', 'bench_u' || u)
  FROM generate_series(1, :depts + :k) u
 WHERE (u = 1 OR u > :depts)
   AND NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bench_u' || u) \gexec

VACUUM ANALYZE client;
VACUUM ANALYZE crm_task;
VACUUM ANALYZE crm_event;
VACUUM ANALYZE crm_opportunity;
VACUUM ANALYZE crm_interaction;
VACUUM ANALYZE activity_feed;
VACUUM ANALYZE crm_user;
