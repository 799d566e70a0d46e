
-------------------------------------------------------------------------------
-- 0.4.0: keys that a distributed database can enforce (issue #17).
--
-- On Citus every tenant-scoped table is distributed by tenant_id, and a
-- unique index can only be enforced when it contains the distribution
-- column.  So every primary key becomes (tenant_id, id), and every other
-- unique index gains tenant_id after the columns the triggers scan it by.
-- On one node this changes nothing a user sees: ids stay unique in the
-- database (one sequence per table), and (tenant_id, id) already was.
--
-- Two kinds of foreign key actions Citus refuses go too: ON DELETE SET NULL
-- (col) on bank_entry (a trigger on payment and invoice now detaches the
-- entries, 81_citus_rules.sql) and ON UPDATE CASCADE on the CRM comments and
-- order lines (they now reference their parent by (tenant_id, id), and a
-- trigger keeps their client_id equal to the parent's).
-------------------------------------------------------------------------------

-- Every table of the extension whose primary key is (id) alone: the key
-- becomes (tenant_id, id).  Where a (tenant_id, id) unique constraint
-- existed (every table that other tables reference), the two indexes swap
-- roles: (tenant_id, id) becomes the primary key and (id) stays as the
-- unique constraint <table>_id_key -- the same two indexes as before, so one
-- node keeps every access path (lookups by id alone, foreign keys of the
-- user's own tables that reference id alone); citus_distribute() drops the
-- id-only ones, which a distributed table cannot enforce.  Foreign keys that
-- use the old keys, the extension's and the user's, are dropped and
-- re-created unchanged on the new ones.  The merge journal's row keys of
-- these tables gain tenant_id (unmerge finds the rows by primary key).
DO $do$
DECLARE
    t record;
    fk record;
    recreate text[] := '{}';
    changed text[] := '{}';
    cmd text;
BEGIN
    FOR t IN
        SELECT c.oid, c.relname,
               EXISTS (SELECT 1 FROM pg_catalog.pg_constraint u
                        WHERE u.conrelid = c.oid AND u.conname = c.relname || '_tenant_id_key') AS had_tenant_key
          FROM pg_catalog.pg_class c
          JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
               AND d.objid = c.oid AND d.deptype = 'e'
               AND d.refobjid = (SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname = 'client_registry')
          JOIN pg_catalog.pg_constraint pk ON pk.conrelid = c.oid AND pk.contype = 'p'
         WHERE c.relkind = 'r'
           AND pk.conkey = ARRAY[(SELECT a.attnum FROM pg_catalog.pg_attribute a
                                   WHERE a.attrelid = c.oid AND a.attname = 'id')]::int2[]
           AND EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                        WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
         ORDER BY c.relname
    LOOP
        changed := changed || t.relname::text;
        FOR fk IN
            SELECT f.conrelid::pg_catalog.regclass AS rel, f.conname, pg_catalog.pg_get_constraintdef(f.oid) AS def
              FROM pg_catalog.pg_constraint f
             WHERE f.contype = 'f' AND f.confrelid = t.oid AND f.conparentid = 0
             ORDER BY 1, 2
        LOOP
            recreate := recreate || pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I %s', fk.rel, fk.conname, fk.def);
            EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', fk.rel, fk.conname);
        END LOOP;
        IF t.had_tenant_key THEN
            EXECUTE pg_catalog.format(
                'ALTER TABLE client_registry.%I DROP CONSTRAINT %I, DROP CONSTRAINT %I,'
                ' ADD CONSTRAINT %I PRIMARY KEY (tenant_id, id), ADD CONSTRAINT %I UNIQUE (id)',
                t.relname, t.relname || '_tenant_id_key', t.relname || '_pkey', t.relname || '_pkey',
                t.relname || '_id_key');
        ELSE
            EXECUTE pg_catalog.format(
                'ALTER TABLE client_registry.%I DROP CONSTRAINT %I, ADD CONSTRAINT %I PRIMARY KEY (tenant_id, id)',
                t.relname, t.relname || '_pkey', t.relname || '_pkey');
        END IF;
    END LOOP;
    FOREACH cmd IN ARRAY recreate
    LOOP
        EXECUTE cmd;
    END LOOP;
    UPDATE client_registry.client_merge_step s
       SET row_keys = (SELECT pg_catalog.jsonb_agg(k.e OPERATOR(pg_catalog.||)
                                                   pg_catalog.jsonb_build_object('tenant_id', s.tenant_id)
                                                   ORDER BY k.o)
                         FROM pg_catalog.jsonb_array_elements(s.row_keys) WITH ORDINALITY AS k(e, o))
     WHERE s.table_schema = 'client_registry' AND s.table_name = ANY (changed)
       AND pg_catalog.jsonb_typeof(s.row_keys) = 'array';
END
$do$;

-- The other unique keys: tenant_id after the columns the triggers scan by.
DROP INDEX client_address_one_primary;
CREATE UNIQUE INDEX client_address_one_primary ON client_address (client_id, tenant_id) WHERE is_primary;
DROP INDEX client_bank_account_one_primary;
CREATE UNIQUE INDEX client_bank_account_one_primary ON client_bank_account (client_id, tenant_id) WHERE is_primary;
DROP INDEX client_contact_one_primary;
CREATE UNIQUE INDEX client_contact_one_primary ON client_contact (client_id, tenant_id) WHERE is_primary;
ALTER TABLE client_bank_account DROP CONSTRAINT client_bank_account_iban_key,
    ADD CONSTRAINT client_bank_account_iban_key UNIQUE (client_id, iban, currency, tenant_id);
ALTER TABLE invoice_instalment DROP CONSTRAINT invoice_instalment_due_date_key,
    ADD CONSTRAINT invoice_instalment_due_date_key UNIQUE (invoice_id, due_date, tenant_id);
ALTER TABLE client_balance DROP CONSTRAINT client_balance_pkey,
    ADD CONSTRAINT client_balance_pkey PRIMARY KEY (client_id, tenant_id);

-- bank_entry: no ON DELETE SET NULL (col); the entry is detached by a
-- trigger when its payment or matched invoice is deleted (81_citus_rules.sql).
ALTER TABLE bank_entry DROP CONSTRAINT bank_entry_invoice_fkey,
    ADD CONSTRAINT bank_entry_invoice_fkey FOREIGN KEY (tenant_id, matched_invoice_id)
        REFERENCES invoice (tenant_id, id);
ALTER TABLE bank_entry DROP CONSTRAINT bank_entry_payment_fkey,
    ADD CONSTRAINT bank_entry_payment_fkey FOREIGN KEY (tenant_id, payment_id)
        REFERENCES payment (tenant_id, id);

-- CRM comments and order lines: no ON UPDATE CASCADE; they reference their
-- task, event or order by key, and follow its client by trigger.
ALTER TABLE crm_comment DROP CONSTRAINT crm_comment_task_fkey,
    ADD CONSTRAINT crm_comment_task_fkey FOREIGN KEY (tenant_id, task_id)
        REFERENCES crm_task (tenant_id, id) ON DELETE CASCADE;
ALTER TABLE crm_comment DROP CONSTRAINT crm_comment_event_fkey,
    ADD CONSTRAINT crm_comment_event_fkey FOREIGN KEY (tenant_id, event_id)
        REFERENCES crm_event (tenant_id, id) ON DELETE CASCADE;
ALTER TABLE crm_order_line DROP CONSTRAINT crm_order_line_order_fkey,
    ADD CONSTRAINT crm_order_line_order_fkey FOREIGN KEY (tenant_id, order_id)
        REFERENCES crm_order (tenant_id, id) ON DELETE CASCADE;
-- (tenant_id, id, client_id) keys existed only as targets of those foreign
-- keys: gone, one index fewer per task, event and order.
ALTER TABLE crm_task DROP CONSTRAINT crm_task_client_key;
ALTER TABLE crm_event DROP CONSTRAINT crm_event_client_key;
ALTER TABLE crm_order DROP CONSTRAINT crm_order_client_key;

-- The exact-code indexes are built again after the new primary keys: where
-- the planner's estimates tie (a small table), it takes the index it met
-- last, and a lookup by code should keep using them, not the primary key.
DROP INDEX client_company_code_idx;
CREATE INDEX client_company_code_idx ON client (tenant_id, company_code) WHERE company_code IS NOT NULL;
DROP INDEX client_vat_code_idx;
CREATE INDEX client_vat_code_idx ON client (tenant_id, vat_code) WHERE vat_code IS NOT NULL;

