-- pgTAP contract of issue #19 (0.4.0): visibility on every CRM row by
-- row-level security with plain policy expressions (no sub-queries), four
-- real roles, links seen from both ends and visible only with both ends, the
-- user's agenda; conventions of the new tables; privileges.
--
-- Roles (created in this transaction, removed by the ROLLBACK):
--   crm19t_owner    owns the items, department Sales
--   crm19t_same     department Sales
--   crm19t_other    department Accounting
--   crm19t_manager  manager of Sales
-- Tenants: 9701, 9702.
BEGIN;
SET search_path = client_registry, public;

SELECT plan(64);

-------------------------------------------------------------------------------
-- Policies: restrictive visibility on every CRM table with a visibility,
-- plain expressions (issue #17: no sub-queries in any policy)
-------------------------------------------------------------------------------
SELECT policies_are('client_registry', t, ARRAY['tenant_isolation', 'crm_visibility'], t || ' policies')
  FROM unnest(ARRAY['crm_task', 'crm_event', 'crm_document', 'crm_interaction', 'crm_opportunity',
                    'crm_comment', 'crm_link', 'activity_feed']) AS t;
SELECT is_empty($$
    SELECT tablename || '.' || policyname FROM pg_policies
     WHERE schemaname = 'client_registry'
       AND (qual ~* '\mselect\M' OR with_check ~* '\mselect\M' OR qual ~* 'exists' OR with_check ~* 'exists')
$$, 'no policy of the registry contains a sub-query');
SELECT is_empty($$
    SELECT tablename FROM pg_policies WHERE schemaname = 'client_registry' AND policyname = 'crm_visibility'
       AND permissive <> 'RESTRICTIVE'
$$, 'every crm_visibility policy is RESTRICTIVE');
SELECT is(provolatile::text, 's', p::text || ' is STABLE')
  FROM unnest(ARRAY['client_registry.crm_visible(client_registry.crm_visibility, bigint, bigint, bigint)'::regprocedure,
                    'client_registry.crm_row_visible(integer, name, bigint)'::regprocedure,
                    'client_registry.crm_item_visible(integer, client_registry.crm_item_type, bigint)'::regprocedure,
                    'client_registry.current_crm_user_id()'::regprocedure,
                    'client_registry.current_crm_department_id()'::regprocedure]) AS p
  JOIN pg_proc ON pg_proc.oid = p;

-------------------------------------------------------------------------------
-- Conventions of the new tables
-------------------------------------------------------------------------------
SELECT is((SELECT array_agg(a.attname::text ORDER BY k.ord)
             FROM pg_constraint c, unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord), pg_attribute a
            WHERE c.conrelid = ('client_registry.' || t)::regclass AND c.contype = 'p'
              AND a.attrelid = c.conrelid AND a.attnum = k.attnum),
          ARRAY['tenant_id', 'id'], t || ': PRIMARY KEY (tenant_id, id)')
  FROM unnest(ARRAY['crm_link', 'crm_product', 'crm_document_type']) AS t;
SELECT is_empty($$
    SELECT c.conrelid::regclass::text || ' ' || c.conname FROM pg_constraint c
     WHERE c.conrelid IN ('client_registry.crm_link'::regclass, 'client_registry.crm_product'::regclass,
                          'client_registry.crm_document_type'::regclass)
       AND c.contype IN ('u', 'p', 'f')
       AND NOT (SELECT attnum FROM pg_attribute WHERE attrelid = c.conrelid AND attname = 'tenant_id') = ANY (c.conkey)
$$, 'every key of the new tables includes tenant_id');
SELECT is_empty($$
    SELECT c.relname FROM pg_class c
     WHERE c.oid IN ('client_registry.crm_link'::regclass, 'client_registry.crm_product'::regclass,
                     'client_registry.crm_document_type'::regclass)
       AND (NOT c.relrowsecurity OR c.oid <> ALL ((SELECT extconfig FROM pg_extension WHERE extname = 'client_registry')::oid[]))
$$, 'the new tables have row-level security and are dumped');
SELECT is_empty($$
    SELECT c.relname || '.' || a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
     WHERE c.relnamespace = 'client_registry'::regnamespace
       AND c.relname IN ('crm_link', 'crm_product', 'crm_document_type', 'crm_item', 'crm_item_link',
                         'my_agenda', 'my_clients')
       AND a.attnum > 0 AND NOT a.attisdropped AND col_description(c.oid, a.attnum) IS NULL
$$, 'every column of the new tables and views has a comment');
SELECT ok((SELECT bool_and('security_invoker=true' = ANY (reloptions)) FROM pg_class
            WHERE relnamespace = 'client_registry'::regnamespace
              AND relname IN ('crm_item', 'crm_item_link', 'my_agenda', 'my_clients')),
          'the new views are security_invoker');
SELECT is_empty($$
    SELECT conname FROM pg_constraint
     WHERE conrelid = 'client_registry.crm_link'::regclass AND contype = 'f'
       AND (confupdtype <> 'a' OR confdeltype NOT IN ('a', 'c'))
$$, 'crm_link: no ON UPDATE actions, deletes cascade (Citus-ready)');

-------------------------------------------------------------------------------
-- Privileges
-------------------------------------------------------------------------------
SELECT function_privs_are('client_registry', f, ARRAY[]::name[], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute ' || f || '()')
  FROM unnest(ARRAY['crm_link_before_write', 'crm_link_feed', 'crm_catalogue_defaults', 'crm_visibility_lookups']) AS f;

-------------------------------------------------------------------------------
-- Data, as the owner
-------------------------------------------------------------------------------
CREATE ROLE crm19t_app NOLOGIN;
DO $$ BEGIN PERFORM client_registry.grant_tenant(9701, 'crm19t_app'); PERFORM client_registry.grant_tenant(9702, 'crm19t_app'); END $$;
GRANT USAGE ON SCHEMA client_registry TO crm19t_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA client_registry TO crm19t_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA client_registry TO crm19t_app;
GRANT EXECUTE ON FUNCTION client_registry.crm_visibility_lookups() TO crm19t_app;
REVOKE INSERT, UPDATE, DELETE ON client_registry.activity_feed FROM crm19t_app;
CREATE ROLE crm19t_owner NOLOGIN IN ROLE crm19t_app;
CREATE ROLE crm19t_same NOLOGIN IN ROLE crm19t_app;
CREATE ROLE crm19t_other NOLOGIN IN ROLE crm19t_app;
CREATE ROLE crm19t_manager NOLOGIN IN ROLE crm19t_app;

SET client_registry.tenant = 9701;
INSERT INTO client (id, kind, name, company_code) VALUES (970101, 'own_company', 'UAB Keturi', '110003978');
INSERT INTO client (id, kind, name) VALUES (970102, 'buyer', 'UAB Klientas');
INSERT INTO crm_department (id, name) VALUES (97001, 'Sales'), (97002, 'Accounting');
INSERT INTO crm_user (id, login, full_name, department_id, is_manager) VALUES
    (97001, 'crm19t_owner', 'Owner', 97001, false), (97002, 'crm19t_same', 'Same', 97001, false),
    (97003, 'crm19t_other', 'Other', 97002, false), (97004, 'crm19t_manager', 'Manager', 97001, true);
UPDATE client SET assigned_user_id = 97001 WHERE id = 970102;
INSERT INTO crm_document (id, client_id, title, user_id, department_id, visibility) VALUES
    (97001, 970102, 'private offer', 97001, 97001, 'user'),
    (97002, 970102, 'sales offer', 97001, 97001, 'department'),
    (97003, 970102, 'public offer', 97001, 97001, 'everyone');
INSERT INTO crm_interaction (id, client_id, kind, subject, user_id, department_id, visibility, is_open) VALUES
    (97001, 970102, 'call', 'private call note', 97001, 97001, 'user', true),
    (97002, 970102, 'call', 'sales call note', 97001, 97001, 'department', false),
    (97003, 970102, 'call', 'public call note', 97001, 97001, 'everyone', false);
INSERT INTO crm_opportunity (id, client_id, title, owner_user_id, department_id, visibility, expected_close) VALUES
    (97001, 970102, 'private deal', 97001, 97001, 'user', CURRENT_DATE - 1),
    (97002, 970102, 'sales deal', 97001, 97001, 'department', NULL),
    (97003, 970102, 'public deal', 97001, 97001, 'everyone', NULL);
INSERT INTO crm_task (id, client_id, title, owner_user_id, assigned_user_id, department_id, visibility, due_date) VALUES
    (97001, 970102, 'private task', 97001, 97001, 97001, 'user', CURRENT_DATE - 2),
    (97002, 970102, 'sales task', 97001, NULL, 97001, 'department', CURRENT_DATE + 2);
INSERT INTO crm_event (id, client_id, title, starts_at, owner_user_id, department_id, visibility) VALUES
    (97001, 970102, 'private meeting', CURRENT_DATE + 1 + time '09:00', 97001, 97001, 'user');
INSERT INTO crm_link (id, kind, from_type, from_id, to_type, to_id) VALUES
    (97001, 'offer_for', 'document', 97001, 'opportunity', 97003),   -- private end
    (97002, 'offer_for', 'document', 97003, 'opportunity', 97003),   -- both public
    (97003, 'follows_up', 'event', 97001, 'task', 97002);            -- private event, department task
SET client_registry.tenant = 9702;
INSERT INTO client (id, kind, name, company_code) VALUES (970201, 'own_company', 'UAB Kitas', '110003978');
INSERT INTO crm_document (id, client_id, title, visibility) VALUES (97009, 970201, 'other tenant', 'everyone');
SET client_registry.tenant = 9701;
CREATE FUNCTION pg_temp.explain_lines(q text) RETURNS SETOF text LANGUAGE plpgsql AS $f$
DECLARE
    l text;
BEGIN
    FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
        RETURN NEXT l;
    END LOOP;
END
$f$;

-------------------------------------------------------------------------------
-- The owner of the items
-------------------------------------------------------------------------------
SET ROLE crm19t_owner;
SELECT results_eq($$ SELECT id FROM crm_document ORDER BY id $$, ARRAY[97001, 97002, 97003]::bigint[],
                  'owner: all her documents');
SELECT results_eq($$ SELECT id FROM crm_interaction ORDER BY id $$, ARRAY[97001, 97002, 97003]::bigint[],
                  'owner: all her interactions');
SELECT results_eq($$ SELECT id FROM crm_opportunity ORDER BY id $$, ARRAY[97001, 97002, 97003]::bigint[],
                  'owner: all her opportunities');
SELECT results_eq($$ SELECT link_id FROM crm_item_link WHERE direction = 'outgoing' ORDER BY link_id $$,
                  ARRAY[97001, 97002, 97003]::bigint[], 'owner: every link');
SELECT results_eq($$ SELECT item_type::text || ' ' || item_id || ' ' || reason FROM my_agenda ORDER BY 1 $$,
                  ARRAY['event 97001 mine', 'interaction 97001 mine', 'opportunity 97001 mine',
                        'task 97001 assigned to me', 'task 97002 my department'],
                  'owner: her agenda');
SELECT results_eq($$ SELECT item_id FROM my_agenda WHERE is_overdue ORDER BY item_id $$,
                  ARRAY[97001, 97001]::bigint[], 'owner: the overdue task and opportunity');
SELECT results_eq($$ SELECT client_id, open_tasks FROM my_clients $$, $$ VALUES (970102::bigint, 2::bigint) $$,
                  'owner: her client with its two open tasks');
SELECT lives_ok($$ UPDATE crm_document SET title = 'private offer v2' WHERE id = 97001 $$, 'owner edits her private document');
RESET ROLE;

-------------------------------------------------------------------------------
-- A user of the same department
-------------------------------------------------------------------------------
SET ROLE crm19t_same;
SELECT results_eq($$ SELECT id FROM crm_document ORDER BY id $$, ARRAY[97002, 97003]::bigint[],
                  'same department: department and everyone documents');
SELECT results_eq($$ SELECT id FROM crm_interaction ORDER BY id $$, ARRAY[97002, 97003]::bigint[],
                  'same department: not the private call note');
SELECT results_eq($$ SELECT id FROM crm_opportunity ORDER BY id $$, ARRAY[97002, 97003]::bigint[],
                  'same department: department and everyone opportunities');
SELECT results_eq($$ SELECT id FROM crm_link ORDER BY id $$, ARRAY[97002]::bigint[],
                  'same department: only the link whose two ends he sees');
SELECT results_eq($$ SELECT item_type::text || ' ' || item_id || ' ' || reason FROM my_agenda ORDER BY 1 $$,
                  ARRAY['task 97002 my department'], 'same department: the department task on his agenda');
SELECT is_empty($$ SELECT 1 FROM activity_feed WHERE table_name IN ('crm_document', 'crm_interaction', 'crm_opportunity')
                      AND row_id = 97001 $$, 'same department: no feed entry of the private rows');
SELECT isnt_empty($$ SELECT 1 FROM activity_feed WHERE table_name = 'crm_document' AND row_id = 97002 $$,
                  'same department: the feed entries of the department document');
SELECT throws_ok($$ INSERT INTO crm_link (from_type, from_id, to_type, to_id) VALUES ('document', 97002, 'interaction', 97001) $$,
                 '23503', NULL, 'same department: cannot link to an item he does not see');
SELECT lives_ok($$ INSERT INTO crm_link (id, from_type, from_id, to_type, to_id) VALUES (97010, 'document', 97002, 'interaction', 97002) $$,
                'same department: links two items he sees');
WITH w AS (DELETE FROM crm_link WHERE id = 97001 RETURNING 1)
SELECT is(count(*)::int, 0, 'same department: cannot remove a link he does not see') FROM w;
WITH w AS (UPDATE crm_interaction SET subject = 'x' WHERE id = 97001 RETURNING 1)
SELECT is(count(*)::int, 0, 'same department: cannot edit the private call note') FROM w;
RESET ROLE;

-------------------------------------------------------------------------------
-- A user of another department
-------------------------------------------------------------------------------
SET ROLE crm19t_other;
SELECT results_eq($$ SELECT id FROM crm_document ORDER BY id $$, ARRAY[97003]::bigint[],
                  'other department: only the everyone document');
SELECT results_eq($$ SELECT id FROM crm_interaction ORDER BY id $$, ARRAY[97003]::bigint[],
                  'other department: only the everyone call note');
SELECT results_eq($$ SELECT id FROM crm_opportunity ORDER BY id $$, ARRAY[97003]::bigint[],
                  'other department: only the everyone opportunity');
SELECT results_eq($$ SELECT item_type::text || ' ' || item_id FROM crm_item_link ORDER BY 1 $$,
                  ARRAY['document 97003', 'opportunity 97003'], 'other department: the public link from both ends');
SELECT is_empty($$ SELECT 1 FROM my_agenda $$, 'other department: nothing on her agenda');
SELECT is_empty($$ SELECT 1 FROM my_clients $$, 'other department: no client of hers');
SELECT throws_ok($$ UPDATE crm_document SET visibility = 'user' WHERE id = 97003 $$,
                 '42501', NULL, 'other department: cannot make somebody else''s document private (it would leave her sight)');
SELECT throws_ok($$ INSERT INTO crm_interaction (client_id, kind, subject, user_id, department_id, visibility)
                    VALUES (970102, 'call', 'planted', 97001, 97001, 'user') $$,
                 '42501', NULL, 'other department: cannot plant a private note of somebody else''s');
RESET ROLE;

-------------------------------------------------------------------------------
-- The manager of Sales
-------------------------------------------------------------------------------
SET ROLE crm19t_manager;
SELECT results_eq($$ SELECT id FROM crm_document ORDER BY id $$, ARRAY[97001, 97002, 97003]::bigint[],
                  'manager: every document of Sales, private ones too');
SELECT results_eq($$ SELECT id FROM crm_interaction ORDER BY id $$, ARRAY[97001, 97002, 97003]::bigint[],
                  'manager: every call note of Sales');
SELECT results_eq($$ SELECT id FROM crm_link ORDER BY id $$, ARRAY[97001, 97002, 97003, 97010]::bigint[],
                  'manager: every link of Sales');
SELECT results_eq($$ SELECT item_type::text || ' ' || item_id FROM my_agenda ORDER BY 1 $$,
                  ARRAY['event 97001', 'task 97001', 'task 97002'], 'manager: the department''s tasks and events on her agenda');
WITH w AS (UPDATE crm_opportunity SET stage = 'qualified' WHERE id = 97001 RETURNING 1)
SELECT is(count(*)::int, 1, 'manager: edits a private opportunity of her department') FROM w;
RESET ROLE;

-------------------------------------------------------------------------------
-- Cost: the user is looked up once per statement; no sub-plan per row
-------------------------------------------------------------------------------
INSERT INTO crm_document (client_id, title, user_id, department_id, visibility)
SELECT 970102, 'bulk ' || g, 97001, 97001, 'department' FROM generate_series(1, 300) g;
SET ROLE crm19t_same;
CREATE TEMP TABLE lookups AS SELECT * FROM crm_visibility_lookups();
SELECT is((SELECT count(*)::int FROM crm_document), 302, 'same department: 302 documents');
SELECT is((SELECT user_lookups - (SELECT user_lookups FROM lookups) FROM crm_visibility_lookups())::int, 1,
          'the user was looked up once for 303 rows');
SELECT unalike(string_agg(p, E'\n'), '%SubPlan%', 'the visibility policy needs no sub-plan')
  FROM (SELECT * FROM pg_temp.explain_lines('SELECT * FROM client_registry.crm_document')) e(p);
RESET ROLE;

SET client_registry.tenant = 9702;
SET ROLE crm19t_owner;
SELECT is(current_crm_user_id(), NULL::bigint, 'another tenant: the role is no user there');
SELECT results_eq($$ SELECT item_id FROM crm_item $$, ARRAY[97009]::bigint[], 'another tenant: only its own items');
RESET ROLE;
SET client_registry.tenant = 9701;

SELECT * FROM finish();
ROLLBACK;
