-------------------------------------------------------------------------------
-- 0.4.0: moving in -- the import API (issue #15).
--
--   SELECT * FROM client_registry.import_begin();     -- session-private staging tables
--   COPY import_client (external_id, name, company_code, ...) FROM STDIN (FORMAT csv, HEADER);
--   COPY import_address (client_external_id, street, city, ...) FROM STDIN ...;
--   SELECT * FROM client_registry.import_apply('rivile');   -- per-row results
--
-- Staging tables are TEMP tables of the calling session (every column text),
-- so any role with the import right can COPY into them: COPY FROM into the
-- registry's own tables is refused by PostgreSQL for roles under row-level
-- security.  import_apply (C, src/client_import.c) writes them into the
-- registry with the caller's rights and every rule on, in the current
-- tenant, upserting by external id; a bad card is rejected with its children
-- and never stops the good ones.
-------------------------------------------------------------------------------

-- The importable columns of each staging table: the reference columns
-- (external ids) and every column of the target table a user may write,
-- read from the catalog (columns added later are importable at once).  Left
-- out: ids and tenant, the external id pair itself, timestamps, the totals
-- and amounts the registry maintains, and foreign keys by internal id
-- (references go by external id).
CREATE VIEW import_column WITH (security_invoker = true) AS
WITH t (staging_table, target_table, ord, refs) AS (
    VALUES ('import_client', 'client', 1, ARRAY['external_id']),
           ('import_address', 'client_address', 2, ARRAY['client_external_id']),
           ('import_bank_account', 'client_bank_account', 3, ARRAY['client_external_id']),
           ('import_contact', 'client_contact', 4, ARRAY['client_external_id']),
           ('import_invoice', 'invoice', 5, ARRAY['external_id', 'client_external_id', 'corrected_external_id']),
           ('import_vat_line', 'invoice_vat_line', 6, ARRAY['invoice_external_id']),
           ('import_payment', 'payment', 7, ARRAY['external_id', 'client_external_id']))
SELECT t.staging_table, t.target_table, r.col AS column_name, 'text'::text AS data_type,
       NULL::text AS column_default, true AS is_reference, r.n::integer AS position, t.ord AS table_order
  FROM t, unnest(t.refs) WITH ORDINALITY AS r(col, n)
 WHERE client_registry.current_tenant() IS NOT NULL
UNION ALL
SELECT t.staging_table, t.target_table, a.attname::text,
       pg_catalog.format_type(a.atttypid, a.atttypmod), pg_catalog.pg_get_expr(d.adbin, d.adrelid),
       false, (100 + a.attnum)::integer, t.ord
  FROM t
  JOIN pg_catalog.pg_attribute a
    ON a.attrelid = pg_catalog.to_regclass('client_registry.' OPERATOR(pg_catalog.||) t.target_table)
  LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' AND a.attidentity = ''
   AND a.attname NOT IN ('id', 'tenant_id', 'source', 'external_id', 'created_at', 'updated_at',
                         'total_net', 'total_vat', 'total_gross', 'total_base', 'amount_base', 'posted_at')
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k
                    WHERE k.conrelid = a.attrelid AND k.contype = 'f' AND a.attnum = ANY (k.conkey)
                      AND a.attname <> 'tenant_id')
   -- like every view of the registry: nothing for a role outside the session's tenant
   AND client_registry.current_tenant() IS NOT NULL;
COMMENT ON VIEW import_column IS
    'The columns of the import staging tables (import_begin): the reference columns (external ids) and every column of the target table a user may write, all as text in staging. An empty value takes the column''s default (or keeps the card''s value on an update).';
COMMENT ON COLUMN import_column.staging_table IS 'Staging table (a TEMP table of the session, created by import_begin).';
COMMENT ON COLUMN import_column.target_table IS 'Table of client_registry its rows go to.';
COMMENT ON COLUMN import_column.column_name IS 'Column (text in staging).';
COMMENT ON COLUMN import_column.data_type IS 'Type of the target column the text is cast to (text for reference columns).';
COMMENT ON COLUMN import_column.column_default IS 'Default of the target column, used when the staging value is empty (NULL).';
COMMENT ON COLUMN import_column.is_reference IS 'A reference column: external_id of the row, or the external id of the card / invoice it belongs to.';
COMMENT ON COLUMN import_column.position IS 'Order of the column in the staging table.';
COMMENT ON COLUMN import_column.table_order IS 'Order of the staging table (cards, their children, invoices, their VAT lines, payments).';

CREATE FUNCTION import_begin()
RETURNS TABLE (staging_table text, columns text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT c.staging_table AS name,
                    string_agg(pg_catalog.quote_ident(c.column_name) OPERATOR(pg_catalog.||) ' text',
                               ', ' ORDER BY c.position) AS cols,
                    string_agg(c.column_name, ', ' ORDER BY c.position) AS names
               FROM client_registry.import_column c
              GROUP BY c.staging_table, c.table_order
              ORDER BY c.table_order
    LOOP
        IF pg_catalog.to_regclass('pg_temp.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(t.name)) IS NOT NULL THEN
            EXECUTE pg_catalog.format('DROP TABLE pg_temp.%I', t.name);
        END IF;
        -- line: the row's number in the order loaded (COPY numbers the lines of a file)
        EXECUTE pg_catalog.format('CREATE TEMP TABLE %I (line bigint GENERATED BY DEFAULT AS IDENTITY, %s)',
                                  t.name, t.cols);
        staging_table := t.name;
        columns := t.names;
        RETURN NEXT;
    END LOOP;
    IF pg_catalog.to_regclass('pg_temp.import_result') IS NOT NULL THEN
        DROP TABLE pg_temp.import_result;
    END IF;
END
$fn$;
COMMENT ON FUNCTION import_begin() IS
    'Moving in, step 1: (re)creates the session''s empty staging tables import_client, import_address, import_bank_account, import_contact, import_invoice, import_vat_line and import_payment (TEMP, every column text, line numbered in load order) and lists their columns. COPY the source files into them, then call import_apply(). Needs the import right (EXECUTE) and TEMP on the database.';

-------------------------------------------------------------------------------
-- Record of the imports
-------------------------------------------------------------------------------

CREATE TABLE import_run (
    tenant_id       integer NOT NULL DEFAULT current_tenant(),
    id              bigint GENERATED BY DEFAULT AS IDENTITY,
    source          text NOT NULL,
    run_by          name NOT NULL DEFAULT CURRENT_USER,
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    counts          jsonb,
    CONSTRAINT import_run_pkey PRIMARY KEY (tenant_id, id),
    CONSTRAINT import_run_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenant (id),
    CONSTRAINT import_run_source_not_blank CHECK (btrim(source) <> '')
);
COMMENT ON TABLE import_run IS
    'One row per import_apply(): who imported what from which source, and how many rows were created, updated, unchanged and rejected. Written by import_apply with the owner''s rights.';
COMMENT ON COLUMN import_run.tenant_id IS 'Tenant imported into.';
COMMENT ON COLUMN import_run.id IS 'Run id.';
COMMENT ON COLUMN import_run.source IS 'The source system (import_apply''s argument; the source of the external ids).';
COMMENT ON COLUMN import_run.run_by IS 'The role that ran the import (current_user).';
COMMENT ON COLUMN import_run.started_at IS 'When the import''s transaction started.';
COMMENT ON COLUMN import_run.finished_at IS 'When import_apply finished (clock time).';
COMMENT ON COLUMN import_run.counts IS 'Rows per staging table and result: {"client": {"created": n, "updated": n, "unchanged": n, "rejected": n}, ...}.';

-- History import: a past sale of a buyer that is over its strict credit
-- limit today is recorded (the credit check warns instead of refusing), and
-- each such case is kept here.
CREATE TABLE import_credit_override (
    tenant_id       integer NOT NULL DEFAULT current_tenant(),
    id              bigint GENERATED BY DEFAULT AS IDENTITY,
    import_run_id   bigint NOT NULL,
    client_id       bigint NOT NULL,
    invoice_numbers text,
    credit_limit    numeric(15,2) NOT NULL,
    debt_before     numeric(15,2) NOT NULL,
    amount          numeric(15,2) NOT NULL,
    debt_after      numeric(15,2) NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT import_credit_override_pkey PRIMARY KEY (tenant_id, id),
    CONSTRAINT import_credit_override_run_fkey FOREIGN KEY (tenant_id, import_run_id)
        REFERENCES import_run (tenant_id, id),
    CONSTRAINT import_credit_override_client_fkey FOREIGN KEY (tenant_id, client_id)
        REFERENCES client (tenant_id, id)
);
CREATE INDEX import_credit_override_client_idx ON import_credit_override (tenant_id, client_id);
CREATE INDEX import_credit_override_run_idx ON import_credit_override (tenant_id, import_run_id);
COMMENT ON TABLE import_credit_override IS
    'R4.1 and history import: every time an import recorded past sales that took a buyer over its strict credit limit (outside an import they are refused with R4001). Written by the credit check with the owner''s rights.';
COMMENT ON COLUMN import_credit_override.tenant_id IS 'Tenant.';
COMMENT ON COLUMN import_credit_override.id IS 'Entry id.';
COMMENT ON COLUMN import_credit_override.import_run_id IS 'The import (import_run).';
COMMENT ON COLUMN import_credit_override.client_id IS 'The buyer.';
COMMENT ON COLUMN import_credit_override.invoice_numbers IS 'The imported sales (invoice numbers, comma-separated).';
COMMENT ON COLUMN import_credit_override.credit_limit IS 'The buyer''s credit limit.';
COMMENT ON COLUMN import_credit_override.debt_before IS 'Receivable before these sales.';
COMMENT ON COLUMN import_credit_override.amount IS 'What these sales added (base currency).';
COMMENT ON COLUMN import_credit_override.debt_after IS 'Receivable after them.';
COMMENT ON COLUMN import_credit_override.recorded_at IS 'When (transaction time).';

DO $do$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['import_run', 'import_credit_override']
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE client_registry.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE pg_catalog.format(
            'CREATE POLICY tenant_isolation ON client_registry.%I'
            ' USING (tenant_id OPERATOR(pg_catalog.=) client_registry.current_tenant())'
            ' WITH CHECK (tenant_id OPERATOR(pg_catalog.=) client_registry.current_tenant())', t);
    END LOOP;
END
$do$;

-- Written by the import only (src/import_record_guard.c): a role that
-- row-level security applies to gets 42501 on any direct write, whatever
-- its table privileges; the UPDATE of a merge re-pointing its clients is
-- let through.
CREATE FUNCTION import_record_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'cr_import_record_guard' LANGUAGE C;
COMMENT ON FUNCTION import_record_guard() IS
    'Trigger (BEFORE INSERT OR UPDATE OR DELETE, per statement) of import_run and import_credit_override: a role that row-level security applies to (a tenant''s role) gets 42501 when it writes them directly; import_apply and the credit check write them with the owner''s rights, and a merge or unmerge may re-point their clients.';
REVOKE ALL ON FUNCTION import_record_guard() FROM PUBLIC;
CREATE TRIGGER import_run_01_record_guard BEFORE INSERT OR UPDATE OR DELETE ON import_run
    FOR EACH STATEMENT EXECUTE FUNCTION import_record_guard();
CREATE TRIGGER import_credit_override_01_record_guard BEFORE INSERT OR UPDATE OR DELETE ON import_credit_override
    FOR EACH STATEMENT EXECUTE FUNCTION import_record_guard();

SELECT pg_catalog.pg_extension_config_dump('import_run', '');
SELECT pg_catalog.pg_extension_config_dump('import_credit_override', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('client_registry.import_run', 'id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('client_registry.import_credit_override', 'id'), '');

-------------------------------------------------------------------------------
-- Applying an import
-------------------------------------------------------------------------------

CREATE FUNCTION import_apply(source text, batch_size integer DEFAULT 1000)
RETURNS TABLE (kind text, line bigint, external_id text, status text, id bigint,
               sqlstate text, field text, message text, detail text)
    AS 'MODULE_PATHNAME', 'cr_import_apply' LANGUAGE C VOLATILE STRICT
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION import_apply(text, integer) IS
    'Moving in, step 2: writes the staging tables of import_begin into the current tenant with every rule on and the caller''s rights, upserting by (source, external id): cards (import_client) with their addresses, bank accounts and contacts, then invoices with their VAT lines (history: a strict credit limit warns and is recorded in import_credit_override; inactive buyers accepted), then payments. Returns one row per staging row: created, updated, unchanged or rejected (SQLSTATE, field, message, detail); also kept in the TEMP table import_result. A rejected card takes its children with it; nothing of it is written. Runs again on the same data change nothing. Cards are written batch_size at a time; a failing batch is split until the bad cards are found. Two imports of the same tenant and source run one after the other.';

-- The import right: EXECUTE on import_begin and import_apply (README, GRANT
-- recipe).  It also lets the role record past sales over a strict credit
-- limit (through import_apply only).
REVOKE ALL ON FUNCTION import_begin(), import_apply(text, integer) FROM PUBLIC;

-------------------------------------------------------------------------------
