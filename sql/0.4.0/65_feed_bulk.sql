-------------------------------------------------------------------------------
-- 0.4.0: bulk inserts in the activity feed (issue #15).  An INSERT or COPY of
-- client_registry.feed_bulk_rows rows or more (1,000 by default) is recorded
-- as one entry per statement and tenant: who, when, how many rows, and the
-- ids of the rows and of their clients as multiranges.  The inserted values
-- are the rows themselves (every later change has its own entry with the
-- old values), so nothing is lost; a whole-row JSON image per loaded row
-- made bulk loads several times slower than plain tables.  Smaller
-- statements, UPDATE and DELETE are recorded row by row as before.
-------------------------------------------------------------------------------

ALTER TABLE activity_feed
    ADD COLUMN bulk_rows bigint,
    ADD COLUMN row_ids int8multirange,
    ADD COLUMN client_ids int8multirange,
    ADD CONSTRAINT activity_feed_bulk_entry
        CHECK ((bulk_rows IS NULL) = (row_ids IS NULL) AND (bulk_rows IS NULL) = (client_ids IS NULL)
               AND (bulk_rows IS NULL OR (action = 'insert' AND row_id IS NULL AND new_values IS NULL)));

-- a client's bulk entries (client_activity); one index entry per bulk statement
CREATE INDEX activity_feed_bulk_client_idx ON activity_feed USING gist (client_ids)
    WHERE client_ids IS NOT NULL;

COMMENT ON TABLE activity_feed IS
    'R5.6 activity feed: every creation, change and deletion of a client card and of what is linked to it (addresses, bank accounts, contacts, invoices, payments, CRM rows), with who, when and the old and new values of the changed columns. Written by triggers; client_id has no foreign key (history outlives the client). A bulk insert (client_registry.feed_bulk_rows rows or more in one statement) is one entry per statement and tenant (bulk_rows, row_ids, client_ids).';
COMMENT ON COLUMN activity_feed.client_id IS
    'The client the changed row belongs to (no foreign key: kept after the client is deleted). A bulk entry has it only when all its rows belong to one client; see client_ids.';
COMMENT ON COLUMN activity_feed.row_id IS 'id of the changed row in that table (NULL for a bulk entry: see row_ids).';
COMMENT ON COLUMN activity_feed.new_values IS
    'update: the changed columns'' new values; insert: the whole row (non-null columns); delete: NULL. NULL for a bulk entry: the inserted values are the rows themselves.';
COMMENT ON COLUMN activity_feed.bulk_rows IS
    'Bulk entry: how many rows the statement inserted in this tenant (NULL for an entry of one row).';
COMMENT ON COLUMN activity_feed.row_ids IS
    'Bulk entry: the ids of the inserted rows, as a multirange (a load of consecutive ids is one range); test with row_ids @> id.';
COMMENT ON COLUMN activity_feed.client_ids IS
    'Bulk entry: the ids of the inserted rows'' clients, as a multirange (GiST-indexed: client_ids @> client id).';

-- client_activity: bulk entries are shown under each of their (existing)
-- clients, so a client's history still starts with its creation.
CREATE OR REPLACE VIEW client_activity WITH (security_invoker = true) AS
SELECT f.id, f.tenant_id, f.client_id, f.changed_at, f.changed_by, u.full_name AS changed_by_name,
       f.table_name, f.row_id, f.action, f.old_values, f.new_values, f.bulk_rows
  FROM client_registry.activity_feed f
  LEFT JOIN client_registry.crm_user u ON u.tenant_id = f.tenant_id AND u.login = f.changed_by
 WHERE f.client_id IS NOT NULL OR f.client_ids IS NULL
UNION ALL
SELECT f.id, f.tenant_id, c.id, f.changed_at, f.changed_by, u.full_name,
       f.table_name, CASE WHEN f.table_name = 'client' THEN c.id END, f.action, NULL, NULL, f.bulk_rows
  FROM client_registry.activity_feed f
  JOIN client_registry.client c ON c.tenant_id = f.tenant_id AND f.client_ids @> c.id
  LEFT JOIN client_registry.crm_user u ON u.tenant_id = f.tenant_id AND u.login = f.changed_by
 WHERE f.client_id IS NULL AND f.client_ids IS NOT NULL;
COMMENT ON VIEW client_activity IS
    'R5.6 the activity feed with the name of the user who made each change; newest last by id. A bulk entry appears once under each existing client it covers (row_id is the client''s id for bulk-inserted clients, NULL for their bulk-inserted rows).';
COMMENT ON COLUMN client_activity.client_id IS 'The client.';
COMMENT ON COLUMN client_activity.row_id IS 'id of the changed row (NULL: one of the rows of a bulk entry).';
COMMENT ON COLUMN client_activity.new_values IS 'New values of the changed columns (update), the new row (insert; NULL for a bulk insert: see the row itself).';
COMMENT ON COLUMN client_activity.bulk_rows IS 'Bulk entry: how many rows the statement inserted (NULL for an entry of one row).';

-- client_status_history: a client loaded in bulk with a status started with
-- it: the old value of its first status change since, or its status now.
CREATE OR REPLACE VIEW client_status_history WITH (security_invoker = true) AS
SELECT f.id AS feed_id, f.tenant_id, f.client_id, f.changed_at, f.changed_by,
       (f.old_values ->> 'crm_status_id')::bigint AS old_status_id, os.name AS old_status,
       (f.new_values ->> 'crm_status_id')::bigint AS new_status_id, ns.name AS new_status
  FROM client_registry.activity_feed f
  LEFT JOIN client_registry.crm_status os
         ON os.tenant_id = f.tenant_id AND os.id = (f.old_values ->> 'crm_status_id')::bigint
  LEFT JOIN client_registry.crm_status ns
         ON ns.tenant_id = f.tenant_id AND ns.id = (f.new_values ->> 'crm_status_id')::bigint
 WHERE f.table_name = 'client'
   AND (f.new_values ? 'crm_status_id' OR (f.action = 'update' AND f.old_values ? 'crm_status_id'))
UNION ALL
SELECT f.id, f.tenant_id, c.id, f.changed_at, f.changed_by, NULL::bigint, NULL::text, s.status_id, ns.name
  FROM client_registry.activity_feed f
  JOIN client_registry.client c ON c.tenant_id = f.tenant_id AND f.row_ids @> c.id
  CROSS JOIN LATERAL (
      SELECT CASE WHEN fc.id IS NULL THEN c.crm_status_id
                  ELSE (fc.old_values ->> 'crm_status_id')::bigint END AS status_id
        FROM (SELECT 1) one
        LEFT JOIN LATERAL (SELECT u.id, u.old_values FROM client_registry.activity_feed u
                            WHERE u.tenant_id = c.tenant_id AND u.client_id = c.id AND u.table_name = 'client'
                              AND u.action = 'update' AND u.old_values ? 'crm_status_id' AND u.id > f.id
                            ORDER BY u.id LIMIT 1) fc ON true) s
  LEFT JOIN client_registry.crm_status ns ON ns.tenant_id = f.tenant_id AND ns.id = s.status_id
 WHERE f.table_name = 'client' AND f.bulk_rows IS NOT NULL AND s.status_id IS NOT NULL;
COMMENT ON VIEW client_status_history IS
    'R5.1 every change of a client''s CRM status, with who and when (read from the activity feed; a client loaded in bulk with a status shows it as its first).';

