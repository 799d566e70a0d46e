-- bench/crm_agenda/plain.sql -- the baseline: the same rows in plain tables
-- (no row-level security, no triggers) with the same indexes as the
-- extension's tables have for these queries.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS bench_plain CASCADE;
CREATE SCHEMA bench_plain;
CREATE TABLE bench_plain.client AS SELECT * FROM client_registry.client;
CREATE TABLE bench_plain.crm_status AS SELECT * FROM client_registry.crm_status;
CREATE TABLE bench_plain.crm_task AS SELECT * FROM client_registry.crm_task;
CREATE TABLE bench_plain.crm_event AS SELECT * FROM client_registry.crm_event;
CREATE TABLE bench_plain.crm_opportunity AS SELECT * FROM client_registry.crm_opportunity;
CREATE TABLE bench_plain.crm_interaction AS SELECT * FROM client_registry.crm_interaction;
CREATE TABLE bench_plain.activity_feed AS SELECT * FROM client_registry.activity_feed;
CREATE TABLE bench_plain.crm_user AS SELECT * FROM client_registry.crm_user;

ALTER TABLE bench_plain.client ADD PRIMARY KEY (id);
CREATE UNIQUE INDEX ON bench_plain.client (tenant_id, id);
CREATE INDEX ON bench_plain.client (tenant_id, assigned_user_id) WHERE assigned_user_id IS NOT NULL;
ALTER TABLE bench_plain.crm_task ADD PRIMARY KEY (id);
CREATE UNIQUE INDEX ON bench_plain.crm_task (tenant_id, id);
CREATE INDEX ON bench_plain.crm_task (tenant_id, client_id, due_date);
CREATE INDEX ON bench_plain.crm_task (tenant_id, assigned_user_id, status);
CREATE INDEX ON bench_plain.crm_task (tenant_id, department_id, due_date) WHERE status IN ('open', 'in_progress');
ALTER TABLE bench_plain.crm_event ADD PRIMARY KEY (id);
CREATE UNIQUE INDEX ON bench_plain.crm_event (tenant_id, id);
CREATE INDEX ON bench_plain.crm_event (tenant_id, client_id, starts_at);
CREATE INDEX ON bench_plain.crm_event (tenant_id, owner_user_id, starts_at);
CREATE INDEX ON bench_plain.crm_event (tenant_id, department_id, starts_at);
ALTER TABLE bench_plain.crm_opportunity ADD PRIMARY KEY (id);
CREATE UNIQUE INDEX ON bench_plain.crm_opportunity (tenant_id, id);
CREATE INDEX ON bench_plain.crm_opportunity (tenant_id, client_id);
CREATE INDEX ON bench_plain.crm_opportunity (tenant_id, owner_user_id, expected_close) WHERE stage NOT IN ('won', 'lost');
ALTER TABLE bench_plain.crm_interaction ADD PRIMARY KEY (id);
CREATE UNIQUE INDEX ON bench_plain.crm_interaction (tenant_id, id);
CREATE INDEX ON bench_plain.crm_interaction (tenant_id, client_id, occurred_at);
CREATE INDEX ON bench_plain.crm_interaction (tenant_id, user_id, occurred_at) WHERE is_open;
ALTER TABLE bench_plain.activity_feed ADD PRIMARY KEY (id);
CREATE INDEX ON bench_plain.activity_feed (tenant_id, client_id, changed_at);
ALTER TABLE bench_plain.crm_user ADD PRIMARY KEY (id);
CREATE UNIQUE INDEX ON bench_plain.crm_user (tenant_id, login);

GRANT USAGE ON SCHEMA bench_plain TO bench_crm_app;
GRANT SELECT ON ALL TABLES IN SCHEMA bench_plain TO bench_crm_app;
VACUUM ANALYZE bench_plain.client;
VACUUM ANALYZE bench_plain.crm_task;
VACUUM ANALYZE bench_plain.crm_event;
VACUUM ANALYZE bench_plain.crm_opportunity;
VACUUM ANALYZE bench_plain.crm_interaction;
VACUUM ANALYZE bench_plain.activity_feed;
VACUUM ANALYZE bench_plain.crm_user;
