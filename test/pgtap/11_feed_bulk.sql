-- pgTAP contract of the activity feed's bulk entries (0.4.0, issue #15): the
-- shape of a bulk entry, the threshold, who writes it (the owner, for any
-- role that may insert), and that readers see it under its clients.
--
-- Roles (created in this transaction, removed by the ROLLBACK):
--   tap_feed_loader  INSERT on client and client_address, SELECT on the feed
--                    and client_activity, member of tenant 204 only
-- Tenants: 204, 205.
BEGIN;
SET search_path = client_registry, public;

SELECT plan(21);

-------------------------------------------------------------------------------
-- Shapes
-------------------------------------------------------------------------------
SELECT col_type_is('client_registry', 'activity_feed', 'bulk_rows', 'bigint', 'activity_feed.bulk_rows is bigint');
SELECT col_type_is('client_registry', 'activity_feed', 'row_ids', 'int8multirange', 'activity_feed.row_ids is int8multirange');
SELECT col_type_is('client_registry', 'activity_feed', 'client_ids', 'int8multirange', 'activity_feed.client_ids is int8multirange');
SELECT has_index('client_registry', 'activity_feed', 'activity_feed_bulk_client_idx', 'client_ids is indexed');
SELECT ok(EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'activity_feed_bulk_entry'
                     AND conrelid = 'client_registry.activity_feed'::regclass AND contype = 'c'),
          'a bulk entry is checked: all three bulk columns, action insert, no row image');
SELECT col_type_is('client_registry', 'client_activity', 'bulk_rows', 'bigint', 'client_activity shows bulk_rows');
SELECT ok((SELECT 'security_invoker=true' = ANY (reloptions) FROM pg_class
            WHERE oid = 'client_registry.client_activity'::regclass), 'client_activity is security_invoker');

-------------------------------------------------------------------------------
-- Threshold
-------------------------------------------------------------------------------
SET LOCAL client_registry.tenant = 204;
INSERT INTO client (id, kind, name, company_code) VALUES (20400, 'own_company', 'UAB Tap', '110003978');
-- (the module is loaded now: the setting is defined)
SELECT is(current_setting('client_registry.feed_bulk_rows'), '1000', 'feed_bulk_rows defaults to 1000');
SELECT is((SELECT context FROM pg_settings WHERE name = 'client_registry.feed_bulk_rows'), 'user',
          'feed_bulk_rows is a per-session setting');
SELECT throws_ok($$SET client_registry.feed_bulk_rows = -1$$, '22023', NULL, 'a negative threshold is refused');
SET LOCAL client_registry.feed_bulk_rows = 4;
INSERT INTO client (id, kind, name) SELECT g, 'buyer', 'Tap ' || g FROM generate_series(20401, 20403) g;
SELECT is((SELECT count(*) FROM activity_feed WHERE tenant_id = 204 AND row_id BETWEEN 20401 AND 20403
              AND bulk_rows IS NULL), 3::bigint, 'one row fewer than the threshold: an entry per row');
INSERT INTO client (id, kind, name) SELECT g, 'buyer', 'Tap ' || g FROM generate_series(20410, 20413) g;
SELECT results_eq($$SELECT bulk_rows, row_ids::text, client_ids::text, row_id, new_values, client_id
                      FROM activity_feed WHERE tenant_id = 204 AND bulk_rows IS NOT NULL$$,
                  $$VALUES (4::bigint, '{[20410,20414)}', '{[20410,20414)}', NULL::bigint, NULL::jsonb, NULL::bigint)$$,
                  'as many rows as the threshold: one entry with the ids as multiranges');

-------------------------------------------------------------------------------
-- A non-owner role: the entry is written with the owner's rights, as its
-- role's; readers see it under each client
-------------------------------------------------------------------------------
CREATE ROLE tap_feed_loader;
GRANT USAGE ON SCHEMA client_registry TO tap_feed_loader;
GRANT SELECT, INSERT ON client, client_address TO tap_feed_loader;
GRANT SELECT ON activity_feed, client_activity, crm_user TO tap_feed_loader;
SELECT grant_tenant(204, 'tap_feed_loader');
SET LOCAL client_registry.tenant = 205;
INSERT INTO client (id, kind, name, company_code) VALUES (20500, 'own_company', 'UAB Kita', '110003978');
INSERT INTO client (id, kind, name) SELECT g, 'buyer', 'Kitas ' || g FROM generate_series(20501, 20504) g;
SET LOCAL client_registry.tenant = 204;

SET LOCAL ROLE tap_feed_loader;
SELECT throws_ok($$INSERT INTO activity_feed (tenant_id, table_name, action, changed_by, bulk_rows, row_ids, client_ids)
                   VALUES (204, 'client', 'insert', 'x', 1, '{[1,2)}', '{[1,2)}')$$,
                 '42501', NULL, 'the role cannot write a bulk entry itself');
SELECT lives_ok($$INSERT INTO client_address (client_id, street, city)
                  SELECT g, 'Gatvė ' || g, 'Vilnius' FROM generate_series(20410, 20413) g$$,
                'the role loads addresses in bulk');
SELECT is((SELECT changed_by::text FROM activity_feed WHERE tenant_id = 204 AND table_name = 'client_address'
              AND bulk_rows IS NOT NULL), 'tap_feed_loader', 'the bulk entry names the role');
SELECT is((SELECT client_ids::text FROM activity_feed WHERE tenant_id = 204 AND table_name = 'client_address'
              AND bulk_rows IS NOT NULL), '{[20410,20414)}', 'the bulk entry names the addresses'' clients');
SELECT is((SELECT string_agg(table_name || ':' || bulk_rows, ', ' ORDER BY id) FROM client_activity
            WHERE client_id = 20412), 'client:4, client_address:4',
          'a client''s history shows the bulk entries that cover it');
SELECT is_empty($$SELECT 1 FROM activity_feed WHERE tenant_id = 205$$, 'another tenant''s bulk entries stay hidden');
SELECT is_empty($$SELECT 1 FROM client_activity WHERE client_id BETWEEN 20500 AND 20504$$,
                'and are in no history the role reads');
RESET ROLE;
SELECT is((SELECT count(*) FROM activity_feed WHERE tenant_id = 205 AND bulk_rows = 4), 1::bigint,
          'the other tenant has its own bulk entry');
SET LOCAL client_registry.feed_bulk_rows = 0;
INSERT INTO client (id, kind, name) SELECT g, 'buyer', 'Po vieną ' || g FROM generate_series(20420, 20425) g;
SELECT is((SELECT count(*) FROM activity_feed WHERE tenant_id = 204 AND row_id BETWEEN 20420 AND 20425),
          6::bigint, '0 records every row on its own');

SELECT * FROM finish();
ROLLBACK;
