-- 0.4.0: bulk entries in the activity feed (issue #15): an INSERT or COPY of
-- client_registry.feed_bulk_rows rows or more is one entry per statement and
-- tenant; smaller statements, UPDATE and DELETE stay row by row.
SET search_path = client_registry, public;
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_registry.tenant = 200;
INSERT INTO client (id, kind, name, company_code) VALUES (20000, 'own_company', 'UAB Savi', '110003978');

-- the default threshold: 1,000 rows
SHOW client_registry.feed_bulk_rows;
INSERT INTO client (id, kind, name) SELECT g, 'buyer', 'Pirkėjas ' || g FROM generate_series(20001, 20003) g;
SELECT client_id, table_name, row_id, action, bulk_rows, row_ids, client_ids, new_values ->> 'name' AS name
  FROM activity_feed WHERE tenant_id = 200 ORDER BY id;

-- per session: from 5 rows on, one entry per statement (INSERT ... SELECT)
SET client_registry.feed_bulk_rows = 5;
INSERT INTO client (id, kind, name) SELECT g, 'buyer', 'Pirkėjas ' || g FROM generate_series(20010, 20029) g;
-- ids that are not consecutive give several ranges; one client per address
INSERT INTO client_address (client_id, street, city)
SELECT g, 'Gedimino pr. ' || g, 'Vilnius' FROM generate_series(20010, 20029, 2) g;
-- every row of one client: client_id is that client
INSERT INTO client_contact (client_id, first_name, last_name)
SELECT 20011, 'Vardas' || g, 'Pavardė' || g FROM generate_series(1, 5) g;
-- 4 rows: below the threshold, row by row
INSERT INTO client_contact (client_id, first_name, last_name)
SELECT 20012, 'Vardas' || g, 'Pavardė' || g FROM generate_series(1, 4) g;
SELECT client_id, table_name, row_id IS NULL AS no_row_id, action, bulk_rows,
       (SELECT count(*) FROM unnest(f.row_ids)) AS row_ranges, client_ids, new_values IS NULL AS no_values
  FROM activity_feed f
 WHERE tenant_id = 200 AND id > (SELECT max(id) FROM activity_feed WHERE tenant_id = 200 AND row_id = 20003)
 ORDER BY id;
-- the row ids cover exactly the inserted rows
SELECT (SELECT count(*) FROM client_address a, activity_feed f
         WHERE f.tenant_id = 200 AND f.table_name = 'client_address' AND f.bulk_rows IS NOT NULL
           AND a.tenant_id = 200 AND f.row_ids @> a.id) AS addresses_covered;

-- UPDATE and DELETE stay row by row, whatever their size
UPDATE client SET notes = 'atnaujinta' WHERE tenant_id = 200 AND id BETWEEN 20010 AND 20019;
DELETE FROM client_contact WHERE tenant_id = 200 AND client_id = 20011;
SELECT action, count(*) AS entries, count(bulk_rows) AS bulk_entries
  FROM activity_feed WHERE tenant_id = 200 AND action IN ('update', 'delete') GROUP BY action ORDER BY action;

-- a client's history shows the bulk entries that cover it
SELECT table_name, row_id IS NOT NULL AS one_row, action, bulk_rows, new_values ->> 'first_name' AS first_name
  FROM client_activity WHERE tenant_id = 200 AND client_id = 20012 ORDER BY id;
SELECT table_name, row_id IS NOT NULL AS one_row, action, bulk_rows
  FROM client_activity WHERE tenant_id = 200 AND client_id = 20011 ORDER BY id;
-- a client loaded in bulk with a CRM status starts its status history with it
INSERT INTO crm_status (id, name) VALUES (20000, 'Naujas'), (20001, 'Aktyvus');
INSERT INTO client (id, kind, name, crm_status_id)
SELECT g, 'buyer', 'Statusas ' || g, 20000 FROM generate_series(20030, 20034) g;
UPDATE client SET crm_status_id = 20001 WHERE tenant_id = 200 AND id = 20030;
SELECT client_id, old_status, new_status FROM client_status_history
 WHERE tenant_id = 200 AND client_id IN (20030, 20031) ORDER BY client_id, feed_id;

-- a merge: the survivor's history shows the merged client's bulk entries
-- (the survivor is added to their client ids; unmerge takes it out again)
SELECT merge_clients(20001, 20013) AS merge_id \gset
SELECT table_name, row_id IS NOT NULL AS one_row, action, bulk_rows
  FROM client_activity WHERE tenant_id = 200 AND client_id = 20001 ORDER BY id;
SELECT table_name, client_ids FROM activity_feed
 WHERE tenant_id = 200 AND bulk_rows IS NOT NULL AND client_ids @> 20013::bigint ORDER BY id;
SELECT unmerge(:merge_id) > 0 AS put_back;
SELECT table_name, client_ids FROM activity_feed
 WHERE tenant_id = 200 AND bulk_rows IS NOT NULL AND client_ids @> 20013::bigint ORDER BY id;
SELECT count(*) AS survivor_entries FROM client_activity WHERE tenant_id = 200 AND client_id = 20001 AND bulk_rows IS NOT NULL;

-- erasure: a person loaded in bulk; the bulk entry holds no values, the
-- person's later changes are scrubbed, the history keeps its entries
INSERT INTO client (id, kind, legal_form, name, first_name, last_name, email, sales_tax_category)
SELECT g, 'buyer', 'natural_person', 'Asmuo ' || g, 'Asmuo', 'Pavardenis' || g, 'asmuo' || g || '@example.lt', 'PVM1'
  FROM generate_series(20040, 20044) g;
UPDATE client SET email = 'naujas20040@example.lt' WHERE tenant_id = 200 AND id = 20040;
SELECT table_name, action, row_count FROM erase_personal_data(20040) WHERE table_name = 'activity_feed';
SELECT table_name, action, bulk_rows, new_values ->> 'email' AS new_email, old_values ->> 'email' AS old_email
  FROM client_activity WHERE tenant_id = 200 AND client_id = 20040 ORDER BY id;
SELECT count(*) AS entries_with_the_address FROM activity_feed
 WHERE tenant_id = 200 AND (new_values::text LIKE '%asmuo20040%' OR old_values::text LIKE '%asmuo20040%'
                            OR new_values::text LIKE '%naujas20040%' OR old_values::text LIKE '%naujas20040%');

-- COPY: one entry per statement as well
SET client_registry.tenant = 201;
INSERT INTO client (id, kind, name, company_code) VALUES (20100, 'own_company', 'UAB Kiti', '110003978');
COPY client (id, kind, name) FROM stdin;
20101	buyer	Kopijuotas 1
20102	buyer	Kopijuotas 2
20103	supplier	Kopijuotas 3
20104	buyer	Kopijuotas 4
20105	buyer	Kopijuotas 5
20107	buyer	Kopijuotas 7
\.
SELECT client_id, table_name, action, bulk_rows, row_ids, client_ids
  FROM activity_feed WHERE tenant_id = 201 ORDER BY id;

-- one statement over two tenants (the owner may write any tenant): one
-- entry per tenant
SET client_registry.tenant = 202;
INSERT INTO client (id, kind, name, company_code) VALUES (20200, 'own_company', 'UAB Treti', '110003978');
INSERT INTO client (id, tenant_id, kind, name)
SELECT g, CASE WHEN g < 20110 THEN 201 ELSE 202 END, 'buyer'::client_kind, 'Mišrus ' || g
  FROM generate_series(20108, 20109) g
UNION ALL
SELECT g, 202, 'buyer', 'Mišrus ' || g FROM generate_series(20201, 20205) g;
SELECT tenant_id, table_name, bulk_rows, row_ids, client_ids
  FROM activity_feed WHERE tenant_id IN (201, 202) AND bulk_rows IS NOT NULL AND row_ids && '{[20108,20206)}'
 ORDER BY tenant_id;

-- 0 records every row on its own
SET client_registry.feed_bulk_rows = 0;
INSERT INTO client (id, kind, name) SELECT g, 'buyer', 'Po vieną ' || g FROM generate_series(20210, 20216) g;
SELECT count(*) AS entries, count(bulk_rows) AS bulk_entries
  FROM activity_feed WHERE tenant_id = 202 AND row_id BETWEEN 20210 AND 20216;
RESET client_registry.feed_bulk_rows;
SHOW client_registry.feed_bulk_rows;

-- a non-owner role's bulk load is recorded as that role's
SET client_registry.tenant = 203;
INSERT INTO client (id, kind, name, company_code) VALUES (20300, 'own_company', 'UAB Ketvirti', '110003978');
CREATE ROLE feed_bulk_clerk;
GRANT USAGE ON SCHEMA client_registry TO feed_bulk_clerk;
GRANT SELECT, INSERT ON client TO feed_bulk_clerk;
GRANT SELECT ON activity_feed TO feed_bulk_clerk;
SELECT client_registry.grant_tenant(203, 'feed_bulk_clerk');
SET ROLE feed_bulk_clerk;
SET client_registry.feed_bulk_rows = 3;
INSERT INTO client (id, kind, name) SELECT g, 'buyer', 'Tarnautojo ' || g FROM generate_series(20301, 20304) g;
SELECT changed_by, table_name, bulk_rows, row_ids FROM activity_feed WHERE tenant_id = 203 AND bulk_rows IS NOT NULL;
RESET ROLE;

-- the check constraint: a bulk entry has all three bulk columns and no row image
\set VERBOSITY terse
INSERT INTO activity_feed (tenant_id, table_name, action, changed_by, bulk_rows)
VALUES (203, 'client', 'insert', 'x', 1);
INSERT INTO activity_feed (tenant_id, table_name, action, changed_by, bulk_rows, row_ids, client_ids)
VALUES (203, 'client', 'update', 'x', 1, '{[1,2)}', '{[1,2)}');

\set VERBOSITY default
-- bad settings (a fraction is rounded, as for every integer setting)
SET client_registry.feed_bulk_rows = -1;
SET client_registry.feed_bulk_rows = 'daug';
SET client_registry.feed_bulk_rows = 2.5;
SHOW client_registry.feed_bulk_rows;
SET client_registry.feed_bulk_rows = 3000000000;

REVOKE ALL ON client, activity_feed FROM feed_bulk_clerk;
REVOKE USAGE ON SCHEMA client_registry FROM feed_bulk_clerk;
SELECT revoke_tenant(203, 'feed_bulk_clerk');
DROP ROLE feed_bulk_clerk;
