-- pgTAP contract of the CRM (0.3.0, issue #7): visibility of tasks, events,
-- comments and their feed entries by row-level security with real roles,
-- combined with tenant isolation; privileges; shapes of the new objects.
--
-- Roles (created in this transaction, removed by the ROLLBACK):
--   crm_alice, crm_bob  -- users of department Sales
--   crm_carol           -- user of department Accounting
--   crm_dave            -- a role with the application's grants but no crm_user
-- Tenants: 9601, 9602.
BEGIN;
SET search_path = client_registry, public;

SELECT plan(55);

-------------------------------------------------------------------------------
-- Shapes
-------------------------------------------------------------------------------
SELECT has_table('client_registry', t, t || ' exists')
  FROM unnest(ARRAY['crm_department', 'crm_user', 'crm_status', 'crm_interaction', 'crm_task', 'crm_event',
                    'crm_comment', 'crm_opportunity', 'crm_order', 'crm_order_line', 'crm_document',
                    'activity_feed']) AS t;
SELECT has_column('client_registry', 'client', 'assigned_user_id', 'client has assigned_user_id');
SELECT has_column('client_registry', 'client', 'crm_status_id', 'client has crm_status_id');
SELECT is_empty($$
    SELECT k.conname FROM pg_constraint k
     WHERE k.conrelid = 'client_registry.activity_feed'::regclass AND k.contype = 'f'
$$, 'activity_feed has no foreign key (history outlives the client)');
SELECT is_empty($$
    SELECT c.relname || '.' || a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
     WHERE c.relnamespace = 'client_registry'::regnamespace AND c.relkind IN ('r', 'v')
       AND (c.relname LIKE 'crm%' OR c.relname IN ('activity_feed', 'client_crm_summary', 'client_status_history', 'client_activity'))
       AND a.attnum > 0 AND NOT a.attisdropped AND col_description(c.oid, a.attnum) IS NULL
$$, 'every column of the CRM tables and views has a comment');
SELECT ok((SELECT bool_and('security_invoker=true' = ANY (reloptions)) FROM pg_class
            WHERE relnamespace = 'client_registry'::regnamespace
              AND relname IN ('client_crm_summary', 'client_status_history', 'client_activity', 'crm_order_list')),
          'the CRM views are security_invoker');
SELECT is(provolatile::text, 'i', 'search_fold is IMMUTABLE') FROM pg_proc
 WHERE oid = 'client_registry.search_fold(text)'::regprocedure;
SELECT has_index('client_registry', 'client', 'client_search_idx', 'client has the trigram search index');
SELECT is((SELECT count(*)::int FROM pg_trigger WHERE tgname LIKE '%\_9_\_feed\_%'
            AND tgrelid IN ('client_registry.client'::regclass, 'client_registry.client_address'::regclass,
                'client_registry.client_bank_account'::regclass, 'client_registry.client_contact'::regclass,
                'client_registry.invoice'::regclass, 'client_registry.payment'::regclass)), 18,
          'feed triggers (insert, update, delete) on the card, its children, invoices and payments');

-------------------------------------------------------------------------------
-- Policies: tenant isolation everywhere, restrictive visibility on top
-------------------------------------------------------------------------------
SELECT policies_are('client_registry', 'crm_task', ARRAY['tenant_isolation', 'crm_visibility'], 'crm_task policies');
SELECT policies_are('client_registry', 'crm_event', ARRAY['tenant_isolation', 'crm_visibility'], 'crm_event policies');
SELECT policies_are('client_registry', 'crm_comment', ARRAY['tenant_isolation', 'crm_visibility'], 'crm_comment policies');
SELECT policies_are('client_registry', 'activity_feed', ARRAY['tenant_isolation', 'crm_visibility'], 'activity_feed policies');
SELECT is_empty($$
    SELECT tablename FROM pg_policies WHERE schemaname = 'client_registry' AND policyname = 'crm_visibility'
       AND permissive <> 'RESTRICTIVE'
$$, 'every crm_visibility policy is RESTRICTIVE (tenant isolation still holds)');

-------------------------------------------------------------------------------
-- Privileges
-------------------------------------------------------------------------------
SELECT function_privs_are('client_registry', 'activity_feed_after_statement', ARRAY[]::name[], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute activity_feed_after_statement()');
SELECT function_privs_are('client_registry', 'row_version_before_update', ARRAY[]::name[], 'public', ARRAY[]::name[],
                          'PUBLIC cannot execute row_version_before_update()');

-------------------------------------------------------------------------------
-- Data, as the owner
-------------------------------------------------------------------------------
CREATE ROLE crm_app NOLOGIN;
DO $$ BEGIN PERFORM client_registry.grant_all_tenants('crm_app'); END $$;   -- 0.4.0: a member of every tenant it sets
GRANT USAGE ON SCHEMA client_registry TO crm_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA client_registry TO crm_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA client_registry TO crm_app;
REVOKE INSERT, UPDATE, DELETE ON client_registry.activity_feed FROM crm_app;
GRANT EXECUTE ON FUNCTION client_registry.search_clients(text, boolean, integer), client_registry.search_hits_exact(text),
    client_registry.search_hits_matching(text), client_registry.search_hits_similar(text) TO crm_app;   -- 0.4.0: not PUBLIC   -- the feed is read-only for applications
CREATE ROLE crm_alice NOLOGIN IN ROLE crm_app;
CREATE ROLE crm_bob NOLOGIN IN ROLE crm_app;
CREATE ROLE crm_carol NOLOGIN IN ROLE crm_app;
CREATE ROLE crm_dave NOLOGIN IN ROLE crm_app;

SET client_registry.tenant = 9601;
INSERT INTO client (id, kind, name, company_code) VALUES (960101, 'own_company', 'UAB Matomumas', '110003978');
INSERT INTO client (id, kind, name) VALUES (960102, 'buyer', 'UAB Pirkėjas Vienas');
INSERT INTO crm_department (id, name) VALUES (96001, 'Sales'), (96002, 'Accounting');
INSERT INTO crm_user (id, login, full_name, department_id) VALUES
    (96001, 'crm_alice', 'Alice', 96001), (96002, 'crm_bob', 'Bob', 96001), (96003, 'crm_carol', 'Carol', 96002);
INSERT INTO crm_task (id, client_id, title, owner_user_id, assigned_user_id, department_id, visibility) VALUES
    (96001, 960102, 'alice private',      96001, 96001, 96001, 'user'),
    (96002, 960102, 'sales department',   96001, 96001, 96001, 'department'),
    (96003, 960102, 'everyone',           96003, 96003, 96002, 'everyone'),
    (96004, 960102, 'carol private',      96003, 96003, 96002, 'user'),
    (96005, 960102, 'carol private for bob', 96003, 96002, 96002, 'user'),
    (96006, 960102, 'accounting department', 96003, 96003, 96002, 'department');
INSERT INTO crm_event (id, client_id, title, starts_at, owner_user_id, department_id, visibility) VALUES
    (96001, 960102, 'alice meeting', now() + interval '1 day', 96001, 96001, 'user'),
    (96002, 960102, 'sales meeting', now() + interval '2 days', 96001, 96001, 'department'),
    (96003, 960102, 'open day', now() + interval '3 days', 96003, 96002, 'everyone');
INSERT INTO crm_comment (id, client_id, task_id, body) VALUES (96001, 960102, 96001, 'note on alice private'),
    (96002, 960102, 96003, 'note on everyone');
INSERT INTO crm_comment (id, client_id, event_id, body) VALUES (96003, 960102, 96001, 'note on alice meeting');
SET client_registry.tenant = 9602;
INSERT INTO client (id, kind, name, company_code) VALUES (960201, 'own_company', 'UAB Kitas nuomininkas', '110003978');
INSERT INTO crm_task (id, client_id, title, visibility) VALUES (96007, 960201, 'other tenant everyone', 'everyone');
SET client_registry.tenant = 9601;

-------------------------------------------------------------------------------
-- What each user sees
-------------------------------------------------------------------------------
SET ROLE crm_alice;
SELECT is(current_crm_user_id(), 96001::bigint, 'crm_alice is user 96001 through current_user');
SELECT results_eq($$ SELECT id FROM crm_task ORDER BY id $$,
    ARRAY[96001, 96002, 96003]::bigint[], 'alice sees her own, her department''s and everyone''s tasks');
SELECT results_eq($$ SELECT id FROM crm_event ORDER BY id $$,
    ARRAY[96001, 96002, 96003]::bigint[], 'alice sees her own, her department''s and everyone''s events');
SELECT results_eq($$ SELECT id FROM crm_comment ORDER BY id $$,
    ARRAY[96001, 96002, 96003]::bigint[], 'alice sees the comments of what she sees');
SELECT is((SELECT open_tasks::int FROM client_crm_summary WHERE client_id = 960102), 3,
          'the card summary counts only the tasks alice sees');
RESET ROLE;

SET ROLE crm_bob;
SELECT results_eq($$ SELECT id FROM crm_task ORDER BY id $$,
    ARRAY[96002, 96003, 96005]::bigint[], 'bob sees his department''s, everyone''s and the task assigned to him');
SELECT results_eq($$ SELECT id FROM crm_event ORDER BY id $$,
    ARRAY[96002, 96003]::bigint[], 'bob does not see alice''s private event');
SELECT results_eq($$ SELECT id FROM crm_comment ORDER BY id $$,
    ARRAY[96002]::bigint[], 'bob does not see comments on alice''s private task and event');
SELECT is((SELECT count(*)::int FROM activity_feed WHERE table_name = 'crm_task' AND row_id = 96001), 0,
          'bob does not see the feed entries of alice''s private task');
SELECT is((SELECT count(*)::int FROM activity_feed WHERE table_name = 'crm_task' AND row_id = 96002), 1,
          'bob sees the feed entries of his department''s task');
WITH w AS (UPDATE crm_task SET title = 'hijacked' WHERE id = 96001 RETURNING 1)
SELECT is(count(*)::int, 0, 'bob cannot update alice''s private task') FROM w;
WITH w AS (DELETE FROM crm_task WHERE id = 96004 RETURNING 1)
SELECT is(count(*)::int, 0, 'bob cannot delete carol''s private task') FROM w;
SELECT throws_ok($$ INSERT INTO crm_task (client_id, title, owner_user_id, assigned_user_id, department_id, visibility)
                    VALUES (960102, 'planted', 96003, 96003, 96002, 'user') $$,
                 '42501', NULL, 'bob cannot create a private task of carol''s');
SELECT lives_ok($$ INSERT INTO crm_task (id, client_id, title, visibility) VALUES (96010, 960102, 'bob private', 'user') $$,
                'bob creates his own private task (owner and department default to his)');
SELECT results_eq($$ SELECT owner_user_id, department_id FROM crm_task WHERE id = 96010 $$,
                  $$ VALUES (96002::bigint, 96001::bigint) $$, 'defaults: bob and Sales');
SELECT throws_ok($$ INSERT INTO activity_feed (client_id, table_name, action) VALUES (960102, 'client', 'update') $$,
                 '42501', NULL, 'the application cannot write the feed itself');
RESET ROLE;
SELECT is((SELECT changed_by::text FROM activity_feed WHERE table_name = 'crm_task' AND row_id = 96010), 'crm_bob',
          'the feed records bob as the author of his task (written by the trigger, not by bob)');

SET ROLE crm_carol;
SELECT results_eq($$ SELECT id FROM crm_task ORDER BY id $$,
    ARRAY[96003, 96004, 96005, 96006]::bigint[], 'carol sees hers, Accounting''s and everyone''s, not Sales'' or bob''s');
SELECT results_eq($$ SELECT id FROM crm_event ORDER BY id $$,
    ARRAY[96003]::bigint[], 'carol sees only the event shared with everyone');
WITH w AS (UPDATE crm_task SET status = 'done' WHERE id = 96004 RETURNING 1)
SELECT is(count(*)::int, 1, 'carol updates her own private task') FROM w;
SELECT throws_ok($$ UPDATE crm_task SET visibility = 'user', owner_user_id = 96001, assigned_user_id = 96001 WHERE id = 96006 $$,
                 '42501', NULL, 'carol cannot hand a private task to alice (WITH CHECK)');
RESET ROLE;

SET ROLE crm_dave;
SELECT is(current_crm_user_id(), NULL::bigint, 'crm_dave has no crm_user');
SELECT results_eq($$ SELECT id FROM crm_task ORDER BY id $$,
    ARRAY[96003]::bigint[], 'a role without a crm_user sees only what is shared with everyone');
SELECT results_eq($$ SELECT client_id FROM search_clients('pirkejas vienas') $$,
    ARRAY[960102]::bigint[], 'search_clients works for an application role');
-- tenant isolation still holds under the restrictive policy
SET client_registry.tenant = 9602;
SELECT results_eq($$ SELECT id FROM crm_task ORDER BY id $$,
    ARRAY[96007]::bigint[], 'in tenant 9602 only its tasks, whatever their visibility elsewhere');
SELECT is((SELECT count(*)::int FROM activity_feed WHERE client_id = 960102), 0,
          'no feed entry of another tenant');
SELECT is((SELECT count(*)::int FROM search_clients('pirkejas vienas')), 0, 'search stays in the tenant');
SET client_registry.tenant = 9601;
RESET ROLE;

-- The owner (DBA) sees everything.
SELECT is((SELECT count(*)::int FROM crm_task WHERE tenant_id IN (9601, 9602)), 8, 'the owner sees every task');

SELECT * FROM finish();
ROLLBACK;
