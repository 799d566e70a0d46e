
-------------------------------------------------------------------------------
-- 0.4.0: erasure of a natural person's data (issue #18).
--
-- erase_personal_data(client) and erase_contact_personal_data(contact)
-- anonymise a person everywhere the registry holds personal data -- the
-- card, contacts, addresses, bank accounts, private notes, CRM rows, VIES
-- results, the register-fill state, the activity feed's old and new values
-- and the merge journal's row images -- and keep what the law requires:
-- invoices (with their counterparty snapshot), payments and bank entries
-- until their retention date (tenant.document_retention_years, 10 in
-- Lithuania), which the functions report.  A legal hold refuses the erasure
-- (R1802) or defers it until the hold is released.  Every erasure is
-- journaled in personal_data_erasure, without the erased values.
--
-- The entry points are C (src/personal_data_erasure.c): they check the
-- caller's tenant, then run erasure_run() below with the registry owner's
-- rights (so rows the caller's row-level security hides -- private CRM
-- tasks of other users -- are erased too, always filtered by the tenant),
-- with the activity feed quiet (the erasure must not copy the values it
-- removes into the feed) and the document rules letting the anonymisation
-- of documents past retention through.
-------------------------------------------------------------------------------

ALTER TABLE tenant ADD COLUMN document_retention_years integer NOT NULL DEFAULT 10,
    ADD CONSTRAINT tenant_document_retention_range CHECK (document_retention_years BETWEEN 1 AND 100);
COMMENT ON COLUMN tenant.document_retention_years IS
    'Years accounting documents (invoices, payments, bank entries) are kept after the end of their year: an erased person''s documents keep their counterparty data until 31 December of the document''s year + this many years. 10 = Lithuania.';

ALTER TABLE client_merge ADD COLUMN erased_at timestamptz;
COMMENT ON COLUMN client_merge.erased_at IS
    'When an erasure of personal data removed the values from this merge''s journal; such a merge cannot be undone (R2407).';

-------------------------------------------------------------------------------
-- Where the registry holds personal data
-------------------------------------------------------------------------------

CREATE VIEW personal_data_map WITH (security_invoker = true) AS
SELECT m.table_name, m.column_name, m.on_erasure
  FROM (VALUES
    ('client', 'name', 'replaced by "Erased person <id>"'),
    ('client', 'short_name', 'cleared'),
    ('client', 'first_name', 'cleared'),
    ('client', 'last_name', 'cleared'),
    ('client', 'company_code', 'cleared'),
    ('client', 'personal_code', 'cleared'),
    ('client', 'business_licence', 'cleared'),
    ('client', 'vat_code', 'cleared'),
    ('client', 'phone', 'cleared'),
    ('client', 'website', 'cleared'),
    ('client', 'email', 'cleared'),
    ('client', 'birth_date', 'cleared'),
    ('client', 'notes', 'cleared'),
    ('client', 'private_notes', 'cleared'),
    ('client', 'custom_fields', 'cleared'),
    ('client', 'legal_form_name', 'cleared'),
    ('client', 'register_status', 'cleared'),
    ('client_contact', 'first_name', 'cleared'),
    ('client_contact', 'last_name', 'replaced by "Erased contact <id>"'),
    ('client_contact', 'position', 'cleared'),
    ('client_contact', 'email', 'cleared'),
    ('client_contact', 'phone', 'cleared'),
    ('client_contact', 'notes', 'cleared'),
    ('client_address', 'label', 'row deleted'),
    ('client_address', 'street', 'row deleted'),
    ('client_address', 'city', 'row deleted'),
    ('client_address', 'postal_code', 'row deleted'),
    ('client_address', 'region', 'row deleted'),
    ('client_bank_account', 'iban', 'row deleted'),
    ('client_bank_account', 'bic', 'row deleted'),
    ('client_bank_account', 'bank_name', 'row deleted'),
    ('client_bank_account', 'bank_code', 'row deleted'),
    ('client_bank_account', 'ledger_account', 'row deleted'),
    ('client_private_note', 'note', 'row deleted'),
    ('client_register_fill', 'company_code', 'row deleted'),
    ('client_register_fill', 'filled', 'row deleted'),
    ('invoice', 'counterparty_name', 'kept until the retention date, then replaced by the card''s erased name'),
    ('invoice', 'counterparty_company_code', 'kept until the retention date, then cleared'),
    ('invoice', 'counterparty_vat_code', 'kept until the retention date, then cleared'),
    ('payment', 'description', 'kept until the retention date, then cleared'),
    ('bank_entry', 'counterparty_name', 'kept until the retention date, then cleared'),
    ('bank_entry', 'counterparty_iban', 'kept until the retention date, then cleared'),
    ('bank_entry', 'counterparty_account', 'kept until the retention date, then cleared'),
    ('bank_entry', 'counterparty_private_id', 'kept until the retention date, then cleared'),
    ('bank_entry', 'counterparty_org_id', 'kept until the retention date, then cleared'),
    ('bank_entry', 'remittance', 'kept until the retention date, then cleared'),
    ('bank_entry', 'additional_info', 'kept until the retention date, then cleared'),
    ('vat_number_check', 'vat_code', 'kept while invoices are retained, else row deleted'),
    ('vat_number_check', 'returned_name', 'kept while invoices are retained, else row deleted'),
    ('vat_number_check', 'returned_address', 'kept while invoices are retained, else row deleted'),
    ('contract', 'notes', 'the person''s values replaced by [erased]'),
    ('crm_interaction', 'subject', 'replaced by [erased]'),
    ('crm_interaction', 'body', 'cleared'),
    ('crm_task', 'title', 'replaced by [erased]'),
    ('crm_task', 'description', 'cleared'),
    ('crm_event', 'title', 'replaced by [erased]'),
    ('crm_event', 'place', 'cleared'),
    ('crm_event', 'description', 'cleared'),
    ('crm_comment', 'body', 'replaced by [erased]'),
    ('crm_opportunity', 'title', 'replaced by [erased]'),
    ('crm_order', 'delivery_address', 'cleared'),
    ('crm_order', 'delivery_notes', 'cleared'),
    ('crm_document', 'title', 'replaced by [erased]'),
    ('crm_document', 'uri', 'cleared'),
    ('legal_hold', 'reason', 'the person''s values replaced by [erased]'),
    ('activity_feed', 'old_values', 'the columns above set to null, the person''s values elsewhere replaced by [erased]'),
    ('activity_feed', 'new_values', 'the columns above set to null, the person''s values elsewhere replaced by [erased]'),
    ('client_merge_step', 'old_values', 'the columns above set to null, the person''s values elsewhere replaced by [erased]'),
    ('client_merge_step', 'new_values', 'the columns above set to null, the person''s values elsewhere replaced by [erased]'),
    ('client_merge_step', 'row_images', 'the columns above set to null, the person''s values elsewhere replaced by [erased]'),
    ('client_merge_step', 'row_hashes', 'cleared (hashes of the rows as they were)')
  ) AS m (table_name, column_name, on_erasure)
 WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                WHERE a.attrelid = pg_catalog.to_regclass('client_registry.' || m.table_name)
                  AND a.attname = m.column_name AND a.attnum > 0 AND NOT a.attisdropped)
   AND client_registry.current_tenant() IS NOT NULL;   -- like every view: nothing for a non-member
COMMENT ON VIEW personal_data_map IS
    'Where the registry holds a natural person''s data and what erase_personal_data() does with each column. Journal columns (activity_feed, client_merge_step) hold copies of the other tables'' rows: the columns listed for the copied table are set to null in them.';
COMMENT ON COLUMN personal_data_map.table_name IS 'Table (schema client_registry).';
COMMENT ON COLUMN personal_data_map.column_name IS 'Column holding personal data.';
COMMENT ON COLUMN personal_data_map.on_erasure IS 'What the erasure does with it.';

-------------------------------------------------------------------------------
-- Legal holds and the erasure journal
-------------------------------------------------------------------------------

CREATE TABLE legal_hold (
    tenant_id       integer NOT NULL DEFAULT current_tenant(),
    id              bigint GENERATED BY DEFAULT AS IDENTITY,
    client_id       bigint NOT NULL,
    reason          text NOT NULL,
    placed_at       timestamptz NOT NULL DEFAULT now(),
    placed_by       name NOT NULL DEFAULT CURRENT_USER,
    released_at     timestamptz,
    released_by     name,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT legal_hold_client_fkey FOREIGN KEY (tenant_id, client_id) REFERENCES client (tenant_id, id),
    CONSTRAINT legal_hold_reason_not_blank CHECK (btrim(reason) <> ''),
    CONSTRAINT legal_hold_released_by_given CHECK ((released_at IS NULL) = (released_by IS NULL))
);
CREATE INDEX legal_hold_active_idx ON legal_hold (tenant_id, client_id) WHERE released_at IS NULL;
COMMENT ON TABLE legal_hold IS
    'Legal holds on a client (litigation, a tax audit, a debt being recovered, a request of the authorities): while one is active (released_at NULL) the person''s data is not erased -- erase_personal_data() refuses (R1802) or defers -- and the client cannot be deleted.';
COMMENT ON COLUMN legal_hold.tenant_id IS 'Tenant.';
COMMENT ON COLUMN legal_hold.id IS 'Hold id.';
COMMENT ON COLUMN legal_hold.client_id IS 'The client held (a merge moves the hold to the survivor).';
COMMENT ON COLUMN legal_hold.reason IS 'Why (e.g. "court case 2-1234-56/2026"): shown in the refusal.';
COMMENT ON COLUMN legal_hold.placed_at IS 'When it was placed.';
COMMENT ON COLUMN legal_hold.placed_by IS 'Database role that placed it.';
COMMENT ON COLUMN legal_hold.released_at IS 'When it was released (NULL: active).';
COMMENT ON COLUMN legal_hold.released_by IS 'Database role that released it.';

CREATE TABLE personal_data_erasure (
    tenant_id           integer NOT NULL DEFAULT current_tenant(),
    id                  bigint GENERATED BY DEFAULT AS IDENTITY,
    client_id           bigint NOT NULL,
    contact_id          bigint,
    status              text NOT NULL,
    requested_at        timestamptz NOT NULL DEFAULT now(),
    requested_by        name NOT NULL,
    held_by             bigint[],
    erased_at           timestamptz,
    erased_by           name,
    retained_documents  integer,
    retained_until      date,
    report              jsonb,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT personal_data_erasure_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenant (id),
    CONSTRAINT personal_data_erasure_status_check CHECK (status IN ('deferred', 'done')),
    CONSTRAINT personal_data_erasure_done_when CHECK ((status = 'done') = (erased_at IS NOT NULL))
);
CREATE INDEX personal_data_erasure_client_idx ON personal_data_erasure (tenant_id, client_id);
COMMENT ON TABLE personal_data_erasure IS
    'Journal of erasures of personal data: who asked, when it ran (or that it waits for a legal hold), what was retained and until when, and per table what was done -- never the erased values. client_id and contact_id are history, not foreign keys.';
COMMENT ON COLUMN personal_data_erasure.tenant_id IS 'Tenant.';
COMMENT ON COLUMN personal_data_erasure.id IS 'Erasure id.';
COMMENT ON COLUMN personal_data_erasure.client_id IS 'The client erased (or whose contact person was erased).';
COMMENT ON COLUMN personal_data_erasure.contact_id IS 'The contact person erased; NULL: the client (a natural person) itself.';
COMMENT ON COLUMN personal_data_erasure.status IS 'deferred (waits until the legal holds in held_by are released; run_deferred_erasures() runs it) or done.';
COMMENT ON COLUMN personal_data_erasure.requested_at IS 'When the erasure was asked for.';
COMMENT ON COLUMN personal_data_erasure.requested_by IS 'Database role that asked for it.';
COMMENT ON COLUMN personal_data_erasure.held_by IS 'The legal holds that deferred it.';
COMMENT ON COLUMN personal_data_erasure.erased_at IS 'When the data was erased (NULL while deferred).';
COMMENT ON COLUMN personal_data_erasure.erased_by IS 'Database role that ran the erasure.';
COMMENT ON COLUMN personal_data_erasure.retained_documents IS 'Documents (invoices, payments, bank entries) kept with the person''s data because their retention date has not passed.';
COMMENT ON COLUMN personal_data_erasure.retained_until IS 'The latest retention date of those documents: run the erasure again after it to anonymise them too.';
COMMENT ON COLUMN personal_data_erasure.report IS 'Per table: {"table": {"action": rows}} (anonymised, deleted, retained, scrubbed, withdrawn).';

-------------------------------------------------------------------------------
-- Helpers
-------------------------------------------------------------------------------

CREATE FUNCTION document_retained_until(document_date date, retention_years integer) RETURNS date
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN pg_catalog.make_date(pg_catalog.date_part('year', document_date)::integer + retention_years, 12, 31);
COMMENT ON FUNCTION document_retained_until(date, integer) IS
    'Retention date of an accounting document: 31 December of its year + retention_years (tenant.document_retention_years).';

CREATE FUNCTION personal_data_columns(table_name text) RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT ARRAY(SELECT m.column_name FROM client_registry.personal_data_map m
                  WHERE m.table_name = personal_data_columns.table_name ORDER BY m.column_name);
END;
COMMENT ON FUNCTION personal_data_columns(text) IS 'The columns of a table that hold personal data (personal_data_map).';

CREATE FUNCTION erasure_pattern(personal text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN cardinality(personal) > 0 THEN
               '(' || pg_catalog.array_to_string(ARRAY(
                   SELECT pg_catalog.regexp_replace(u.v, '([]().*+?^${}|\\[])', '\\\1', 'g')
                     FROM unnest(personal) WITH ORDINALITY AS u(v, o)
                    ORDER BY pg_catalog.length(u.v) DESC, u.o), '|') || ')' END;
COMMENT ON FUNCTION erasure_pattern(text[]) IS
    'Erasure helper: one regular expression matching any of the person''s values (taken literally, longest first); NULL for none.';

CREATE FUNCTION erasure_scrub_text(value text, pattern text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN value IS NULL OR pattern IS NULL THEN value
                ELSE pg_catalog.regexp_replace(value, pattern, '[erased]', 'gi') END;
COMMENT ON FUNCTION erasure_scrub_text(text, text) IS
    'Erasure helper: the text with every occurrence of the person''s values (erasure_pattern, case-insensitive) replaced by [erased].';

CREATE FUNCTION erasure_scrub_object(value jsonb, columns text[], pattern text) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN pg_catalog.jsonb_typeof(value) <> 'object'
                THEN client_registry.erasure_scrub_text(value::text, pattern)::jsonb
                ELSE client_registry.erasure_scrub_text((value OPERATOR(pg_catalog.-) columns)::text, pattern)::jsonb
                     || coalesce((SELECT pg_catalog.jsonb_object_agg(k, 'null'::jsonb)
                                    FROM pg_catalog.jsonb_object_keys(value) AS k WHERE k = ANY (columns)), '{}')
           END;
COMMENT ON FUNCTION erasure_scrub_object(jsonb, text[], text) IS
    'Erasure helper: a copied row (JSON object) with the keys in columns set to null and the person''s values elsewhere replaced by [erased] (in its JSON text: a value is matched where it appears literally).';

CREATE FUNCTION erasure_scrub_jsonb(value jsonb, columns text[], pattern text) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN value IS NULL THEN NULL
                WHEN pg_catalog.jsonb_typeof(value) = 'array'
                THEN coalesce((SELECT pg_catalog.jsonb_agg(client_registry.erasure_scrub_object(e.v, columns, pattern) ORDER BY e.o)
                                 FROM pg_catalog.jsonb_array_elements(value) WITH ORDINALITY AS e(v, o)), '[]'::jsonb)
                ELSE client_registry.erasure_scrub_object(value, columns, pattern) END;
COMMENT ON FUNCTION erasure_scrub_jsonb(jsonb, text[], text) IS
    'Erasure helper: a journal''s copy of a row (object) or of rows (array of objects) scrubbed by erasure_scrub_object.';

CREATE FUNCTION erasure_report(report jsonb, table_name text, action text, row_count bigint,
                               retained_until date DEFAULT NULL) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN coalesce(row_count, 0) = 0 THEN report
                ELSE report || pg_catalog.jsonb_build_object(table_name,
                         coalesce(report -> table_name, '{}')
                         || pg_catalog.jsonb_build_object(action, coalesce((report -> table_name ->> action)::bigint, 0) + row_count)
                         || CASE WHEN retained_until IS NULL THEN '{}'::jsonb
                                 ELSE pg_catalog.jsonb_build_object('retained_until', retained_until) END) END;
COMMENT ON FUNCTION erasure_report(jsonb, text, text, bigint, date) IS
    'Erasure helper: adds row_count rows of an action on a table to the report {"table": {"action": rows, "retained_until": date}}; nothing when no row.';

CREATE FUNCTION erasure_has_column(table_name text, column_name text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                    WHERE a.attrelid = pg_catalog.to_regclass('client_registry.' || pg_catalog.quote_ident(erasure_has_column.table_name))
                      AND a.attname = erasure_has_column.column_name AND a.attnum > 0 AND NOT a.attisdropped);
END;
COMMENT ON FUNCTION erasure_has_column(text, text) IS
    'Erasure helper: true when the registry''s table has the column (private notes live on the card or in their own table, depending on the version).';

CREATE FUNCTION erasure_in_progress() RETURNS boolean
    AS 'MODULE_PATHNAME', 'cr_erasure_in_progress' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION erasure_in_progress() IS 'True inside erase_personal_data() / erase_contact_personal_data() / run_deferred_erasures() (erasure_run() runs only then).';

-------------------------------------------------------------------------------
-- The erasure itself.  Runs as the registry owner (called by the C entry
-- points only); every statement is filtered by the tenant.
-------------------------------------------------------------------------------

CREATE FUNCTION erasure_run(p_tenant integer, p_client bigint, p_contact bigint, p_defer boolean,
                            p_caller name, p_request bigint)
RETURNS TABLE (erasure_id bigint, table_name text, action text, row_count bigint, retained_until date)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    c client_registry.client;
    k client_registry.client_contact;
    years integer;
    holds bigint[];
    hold record;
    ids bigint[];           -- the client and every client merged into it (the same person)
    vals text[];            -- the person's values, longest first
    pattern text;           -- a regular expression matching any of them
    merges bigint[];        -- standing merges whose journal holds the person's rows
    old_merges bigint[];    -- undone merges whose journal may hold the person's values
    erased_name text;
    n bigint;
    until date;
    retained_total integer := 0;
    retained_max date;
    v_report jsonb := '{}';
    new_id bigint;
    t text;
    d record;
    ibans text[];
BEGIN
    IF NOT client_registry.erasure_in_progress() THEN
        RAISE EXCEPTION 'erasure_run() runs only inside erase_personal_data()'
            USING ERRCODE = 'R1804',
                  HINT = 'Call client_registry.erase_personal_data(client_id) or erase_contact_personal_data(contact_id).';
    END IF;

    -- the person and their card, locked: a concurrent write to the card or a
    -- new row referencing it (an address, a hold) waits for the erasure
    IF p_contact IS NOT NULL THEN
        SELECT * INTO k FROM client_registry.client_contact p
         WHERE p.tenant_id = p_tenant AND p.id = p_contact;
        IF NOT FOUND AND p_request IS NULL THEN
            RAISE EXCEPTION 'contact person % does not exist in tenant %', p_contact, p_tenant
                USING ERRCODE = '23503';
        END IF;
        p_client := k.client_id;   -- NULL for a deferred erasure whose contact is gone: closed below
    END IF;
    SELECT * INTO c FROM client_registry.client cl
     WHERE cl.tenant_id = p_tenant AND cl.id = p_client FOR UPDATE;
    IF NOT FOUND AND p_request IS NOT NULL THEN
        -- a deferred erasure whose client was deleted or merged away since:
        -- closed, and the survivor of a merge named for the data protection role
        SELECT m.survivor_id INTO new_id FROM client_registry.client_merge m
         WHERE m.tenant_id = p_tenant AND p_client = ANY (m.merged_ids) AND m.undone_at IS NULL
         ORDER BY m.id DESC LIMIT 1;
        UPDATE client_registry.personal_data_erasure e
           SET status = 'done', erased_at = now(), erased_by = p_caller,
               report = jsonb_build_object('client', jsonb_build_object('gone', 1))
         WHERE e.tenant_id = p_tenant AND e.id = p_request;
        IF new_id IS NOT NULL THEN
            RAISE NOTICE 'client % of deferred erasure % was merged into client %', p_client, p_request, new_id
                USING HINT = format('If it is the same person, erase client %s.', new_id);
        END IF;
        RETURN QUERY SELECT p_request, 'client'::text, 'gone'::text, 0::bigint, NULL::date;
        RETURN;
    END IF;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'client % does not exist in tenant %', p_client, p_tenant
            USING ERRCODE = '23503',
                  HINT = 'client_registry.client lists the clients of the tenant.';
    END IF;
    IF p_contact IS NOT NULL THEN
        SELECT * INTO k FROM client_registry.client_contact p
         WHERE p.tenant_id = p_tenant AND p.id = p_contact FOR UPDATE;
    END IF;

    IF p_contact IS NULL AND c.legal_form <> 'natural_person' THEN
        RAISE EXCEPTION 'client % "%" is a legal entity, not a natural person', c.id, c.name
            USING ERRCODE = '22023',
                  DETAIL = 'erase_personal_data() anonymises a natural person''s card; a company''s data is not personal data.',
                  HINT = 'Erase its contact persons with client_registry.erase_contact_personal_data(contact_id).';
    END IF;
    IF p_contact IS NULL AND c.kind = 'own_company' THEN
        RAISE EXCEPTION 'client % is the own company of tenant % and cannot be erased', c.id, p_tenant
            USING ERRCODE = '22023';
    END IF;

    -- already erased: report it, change nothing
    IF (p_contact IS NULL AND c.erased_at IS NOT NULL) OR (p_contact IS NOT NULL AND k.erased_at IS NOT NULL) THEN
        SELECT e.id INTO new_id FROM client_registry.personal_data_erasure e
         WHERE e.tenant_id = p_tenant AND e.client_id = c.id AND e.contact_id IS NOT DISTINCT FROM p_contact
           AND e.status = 'done'
         ORDER BY e.id DESC LIMIT 1;
        IF p_request IS NOT NULL THEN
            UPDATE client_registry.personal_data_erasure e SET status = 'done', erased_at = now(), erased_by = p_caller,
                   report = jsonb_build_object('already erased', new_id)
             WHERE e.tenant_id = p_tenant AND e.id = p_request;
            new_id := p_request;
        END IF;
        RETURN QUERY SELECT new_id, CASE WHEN p_contact IS NULL THEN 'client' ELSE 'client_contact' END,
                            'already erased'::text, 0::bigint, NULL::date;
        RETURN;
    END IF;

    -- legal holds: refuse, or defer until they are released
    SELECT array_agg(h.id ORDER BY h.id) INTO holds FROM client_registry.legal_hold h
     WHERE h.tenant_id = p_tenant AND h.client_id = c.id AND h.released_at IS NULL;
    IF holds IS NOT NULL THEN
        IF p_request IS NOT NULL THEN
            UPDATE client_registry.personal_data_erasure e SET held_by = holds
             WHERE e.tenant_id = p_tenant AND e.id = p_request;
            RETURN QUERY SELECT p_request, CASE WHEN p_contact IS NULL THEN 'client' ELSE 'client_contact' END,
                                'deferred'::text, 0::bigint, NULL::date;
            RETURN;
        END IF;
        IF p_defer THEN
            SELECT e.id INTO new_id FROM client_registry.personal_data_erasure e
             WHERE e.tenant_id = p_tenant AND e.client_id = c.id AND e.contact_id IS NOT DISTINCT FROM p_contact
               AND e.status = 'deferred';
            IF new_id IS NULL THEN
                INSERT INTO client_registry.personal_data_erasure AS e
                       (tenant_id, client_id, contact_id, status, requested_by, held_by)
                VALUES (p_tenant, c.id, p_contact, 'deferred', p_caller, holds)
                RETURNING e.id INTO new_id;
            END IF;
            RETURN QUERY SELECT new_id, CASE WHEN p_contact IS NULL THEN 'client' ELSE 'client_contact' END,
                                'deferred'::text, 0::bigint, NULL::date;
            RETURN;
        END IF;
        SELECT h.* INTO hold FROM client_registry.legal_hold h WHERE h.tenant_id = p_tenant AND h.id = holds[1];
        RAISE EXCEPTION 'client % is under a legal hold: its personal data cannot be erased now', c.id
            USING ERRCODE = 'R1802',
                  DETAIL = format('Hold %s placed by %s: %s%s', hold.id, hold.placed_by, hold.reason,
                                  CASE WHEN cardinality(holds) > 1 THEN format(' (and %s more)', cardinality(holds) - 1) ELSE '' END),
                  HINT = 'Release the hold (client_registry.release_legal_hold) when it ends, or pass defer => true to erase automatically then (run_deferred_erasures).';
    END IF;

    SELECT t2.document_retention_years INTO years FROM client_registry.tenant t2 WHERE t2.id = p_tenant;
    years := coalesce(years, 10);

    -- the journal row first: every report row names it
    IF p_request IS NOT NULL THEN
        new_id := p_request;
    ELSE
        INSERT INTO client_registry.personal_data_erasure AS e
               (tenant_id, client_id, contact_id, status, requested_by, erased_at, erased_by)
        VALUES (p_tenant, c.id, p_contact, 'done', p_caller, now(), p_caller)
        RETURNING e.id INTO new_id;
    END IF;

    -- the person: the client and the clients merged into it (standing merges)
    WITH RECURSIVE s(id) AS (
        SELECT c.id
        UNION
        SELECT unnest(m.merged_ids) FROM client_registry.client_merge m JOIN s ON m.survivor_id = s.id
         WHERE m.tenant_id = p_tenant AND m.undone_at IS NULL)
    SELECT array_agg(s.id) INTO ids FROM s;
    SELECT array_agg(m.id) FILTER (WHERE m.undone_at IS NULL), array_agg(m.id) FILTER (WHERE m.undone_at IS NOT NULL)
      INTO merges, old_merges
      FROM client_registry.client_merge m WHERE m.tenant_id = p_tenant AND m.survivor_id = ANY (ids);
    merges := coalesce(merges, '{}');
    old_merges := coalesce(old_merges, '{}');

    -- the values to look for in free text and journals
    IF p_contact IS NULL THEN
        SELECT array_agg(v ORDER BY length(v) DESC, v) INTO vals FROM (
            SELECT DISTINCT btrim(x) AS v FROM (
                SELECT unnest(ARRAY[c.name, c.short_name, c.first_name, c.last_name, concat_ws(' ', c.first_name, c.last_name),
                                    concat_ws(' ', c.last_name, c.first_name), c.company_code, c.personal_code, c.vat_code,
                                    c.email, c.phone, c.website, c.business_licence]) AS x
                UNION ALL
                SELECT unnest(ARRAY[p.first_name, p.last_name, concat_ws(' ', p.first_name, p.last_name), p.email, p.phone])
                  FROM client_registry.client_contact p WHERE p.tenant_id = p_tenant AND p.client_id = c.id
                UNION ALL
                SELECT unnest(ARRAY[a.street, a.label]) FROM client_registry.client_address a
                 WHERE a.tenant_id = p_tenant AND a.client_id = c.id
                UNION ALL
                SELECT b.iban FROM client_registry.client_bank_account b WHERE b.tenant_id = p_tenant AND b.client_id = c.id
                UNION ALL
                SELECT unnest(ARRAY[img->>'name', img->>'short_name', img->>'first_name', img->>'last_name',
                                    concat_ws(' ', img->>'first_name', img->>'last_name'), img->>'company_code',
                                    img->>'personal_code', img->>'vat_code', img->>'email', img->>'phone', img->>'iban',
                                    img->>'street'])
                  FROM client_registry.client_merge_step st, jsonb_array_elements(st.row_images) img
                 WHERE st.tenant_id = p_tenant AND st.merge_id = ANY (merges) AND st.row_images IS NOT NULL
                   AND st.table_name IN ('client', 'client_contact', 'client_bank_account', 'client_address')
                UNION ALL
                -- earlier values, from the activity feed
                SELECT unnest(ARRAY[j->>'name', j->>'short_name', j->>'first_name', j->>'last_name',
                                    concat_ws(' ', j->>'first_name', j->>'last_name'), j->>'company_code',
                                    j->>'personal_code', j->>'vat_code', j->>'email', j->>'phone', j->>'website',
                                    j->>'iban', j->>'street'])
                  FROM client_registry.activity_feed f, LATERAL (VALUES (f.old_values), (f.new_values)) AS v(j)
                 WHERE f.tenant_id = p_tenant AND f.client_id = ANY (ids) AND j IS NOT NULL
                   AND f.table_name IN ('client', 'client_contact', 'client_bank_account', 'client_address')) q
             WHERE length(btrim(x)) >= 3) d;
    ELSE
        SELECT array_agg(v ORDER BY length(v) DESC, v) INTO vals FROM (
            SELECT DISTINCT btrim(x) AS v
              FROM (SELECT unnest(ARRAY[k.first_name, k.last_name, concat_ws(' ', k.first_name, k.last_name),
                                        concat_ws(' ', k.last_name, k.first_name), k.email, k.phone]) AS x
                    UNION ALL
                    -- earlier values of the contact, from the activity feed
                    SELECT unnest(ARRAY[j->>'first_name', j->>'last_name',
                                        concat_ws(' ', j->>'first_name', j->>'last_name'), j->>'email', j->>'phone'])
                      FROM client_registry.activity_feed f, LATERAL (VALUES (f.old_values), (f.new_values)) AS v(j)
                     WHERE f.tenant_id = p_tenant AND f.client_id = ANY (ids) AND j IS NOT NULL
                       AND f.table_name = 'client_contact' AND f.row_id = p_contact) q
             WHERE length(btrim(x)) >= 3) d;
    END IF;
    vals := coalesce(vals, '{}');
    pattern := client_registry.erasure_pattern(vals);

    IF p_contact IS NULL THEN
        erased_name := 'Erased person ' || c.id;
        SELECT coalesce(array_agg(b.iban), '{}') INTO ibans FROM client_registry.client_bank_account b
         WHERE b.tenant_id = p_tenant AND b.client_id = c.id;

        -- documents (invoices, payments, bank entries of the person or from
        -- their accounts): kept with their counterparty data until the
        -- retention date, anonymised after it (drafts are not kept); the day
        -- of an entry without a booking date is its creation in the session's
        -- time zone, given as a value (Citus refuses a time-zone-dependent cast
        -- of a column in an UPDATE)
        FOR d IN SELECT * FROM (VALUES
            ('invoice', 'x.invoice_date', 'x.client_id OPERATOR(pg_catalog.=) $2',
             'x.status OPERATOR(pg_catalog.<>) ''draft''',
             'counterparty_name = $4, counterparty_company_code = NULL, counterparty_vat_code = NULL',
             '(x.counterparty_name, x.counterparty_company_code, x.counterparty_vat_code) IS DISTINCT FROM ($4, NULL, NULL)'),
            ('payment', 'x.payment_date', 'x.client_id OPERATOR(pg_catalog.=) $2', 'true',
             'description = NULL', 'x.description IS NOT NULL'),
            ('bank_entry', 'coalesce(x.booking_date, (x.created_at AT TIME ZONE $6)::date)',
             '(x.client_id OPERATOR(pg_catalog.=) $2 OR x.counterparty_iban OPERATOR(pg_catalog.=) ANY ($5))', 'true',
             'counterparty_name = NULL, counterparty_iban = NULL, counterparty_account = NULL, counterparty_private_id = NULL,'
             ' counterparty_org_id = NULL, remittance = NULL, additional_info = NULL',
             'num_nonnulls(x.counterparty_name, x.counterparty_iban, x.counterparty_account, x.counterparty_private_id,'
             ' x.counterparty_org_id, x.remittance, x.additional_info) > 0')
            ) AS v (tbl, day, whose, kept, sets, changed)
        LOOP
            EXECUTE format('SELECT count(*), max(client_registry.document_retained_until(%2$s, $3))'
                           '  FROM client_registry.%1$I x WHERE x.tenant_id OPERATOR(pg_catalog.=) $1 AND %3$s AND %4$s'
                           '   AND client_registry.document_retained_until(%2$s, $3) >= current_date',
                           d.tbl, d.day, d.whose, d.kept)
                INTO n, until USING p_tenant, c.id, years, erased_name, ibans, current_setting('TimeZone');
            v_report := client_registry.erasure_report(v_report, d.tbl, 'retained', n, until);
            retained_total := retained_total + n;
            retained_max := greatest(retained_max, until);
            EXECUTE format('WITH u AS (UPDATE client_registry.%1$I x SET %5$s'
                           ' WHERE x.tenant_id OPERATOR(pg_catalog.=) $1 AND %3$s AND %6$s'
                           '   AND NOT (%4$s AND client_registry.document_retained_until(%2$s, $3) >= current_date)'
                           ' RETURNING 1) SELECT count(*) FROM u',
                           d.tbl, d.day, d.whose, d.kept, d.sets, d.changed)
                INTO n USING p_tenant, c.id, years, erased_name, ibans, current_setting('TimeZone');
            v_report := client_registry.erasure_report(v_report, d.tbl, 'anonymised', n);
        END LOOP;

        -- VIES results are the evidence for the retained 0 % sales
        IF v_report #> '{invoice,retained}' IS NOT NULL THEN
            SELECT count(*) INTO n FROM client_registry.vat_number_check v WHERE v.tenant_id = p_tenant AND v.client_id = c.id;
            v_report := client_registry.erasure_report(v_report, 'vat_number_check', 'retained', n, retained_max);
        ELSE
            WITH x AS (DELETE FROM client_registry.vat_number_check v WHERE v.tenant_id = p_tenant AND v.client_id = c.id RETURNING 1)
            SELECT count(*) INTO n FROM x;
            v_report := client_registry.erasure_report(v_report, 'vat_number_check', 'deleted', n);
        END IF;

        -- the card's children and CRM rows
        FOREACH t IN ARRAY ARRAY['client_address', 'client_bank_account', 'client_register_fill'] LOOP
            EXECUTE format('WITH x AS (DELETE FROM client_registry.%I x WHERE x.tenant_id OPERATOR(pg_catalog.=) $1'
                           ' AND x.client_id OPERATOR(pg_catalog.=) $2 RETURNING 1) SELECT count(*) FROM x', t)
                INTO n USING p_tenant, c.id;
            v_report := client_registry.erasure_report(v_report, t, 'deleted', n);
        END LOOP;
        FOR d IN SELECT * FROM (VALUES
            ('client_contact', 'first_name = NULL, last_name = ''Erased contact '' || x.id, position = NULL, email = NULL,'
                               ' phone = NULL, notes = NULL, erased_at = now()', 'x.erased_at IS NULL'),
            ('crm_interaction', 'subject = ''[erased]'', body = NULL', 'true'),
            ('crm_task', 'title = ''[erased]'', description = NULL', 'true'),
            ('crm_event', 'title = ''[erased]'', place = NULL, description = NULL', 'true'),
            ('crm_comment', 'body = ''[erased]''', 'true'),
            ('crm_opportunity', 'title = ''[erased]''', 'true'),
            ('crm_order', 'delivery_address = NULL, delivery_notes = NULL', 'num_nonnulls(x.delivery_address, x.delivery_notes) > 0'),
            ('crm_order_line', 'item = client_registry.erasure_scrub_text(x.item, $3)',
                               'client_registry.erasure_scrub_text(x.item, $3) IS DISTINCT FROM x.item'),
            ('crm_document', 'title = ''[erased]'', uri = NULL', 'true')
            ) AS v (tbl, sets, changed)
        LOOP
            EXECUTE format('WITH u AS (UPDATE client_registry.%I x SET %s WHERE x.tenant_id OPERATOR(pg_catalog.=) $1'
                           ' AND x.client_id OPERATOR(pg_catalog.=) $2 AND %s RETURNING 1) SELECT count(*) FROM u',
                           d.tbl, d.sets, d.changed)
                INTO n USING p_tenant, c.id, pattern;
            v_report := client_registry.erasure_report(v_report, d.tbl, 'anonymised', n);
        END LOOP;
    ELSE
        -- a contact person: the row itself
        UPDATE client_registry.client_contact p
           SET first_name = NULL, last_name = 'Erased contact ' || p.id, position = NULL, email = NULL, phone = NULL,
               notes = NULL, erased_at = now()
         WHERE p.tenant_id = p_tenant AND p.id = p_contact;
        v_report := client_registry.erasure_report(v_report, 'client_contact', 'anonymised', 1);
    END IF;

    -- the person's values in free text: contracts and released holds, and
    -- for a contact person also the client's notes and CRM rows (columns a
    -- version of the registry does not have are skipped)
    FOR d IN SELECT * FROM (VALUES
        ('contract', 'notes', 'client_id', true), ('legal_hold', 'reason', 'client_id', true),
        ('client', 'notes', 'id', false), ('client', 'private_notes', 'id', false),
        ('client_private_note', 'note', 'client_id', false),
        ('crm_interaction', 'subject', 'client_id', false), ('crm_interaction', 'body', 'client_id', false),
        ('crm_task', 'title', 'client_id', false), ('crm_task', 'description', 'client_id', false),
        ('crm_event', 'title', 'client_id', false), ('crm_event', 'place', 'client_id', false),
        ('crm_event', 'description', 'client_id', false), ('crm_comment', 'body', 'client_id', false),
        ('crm_opportunity', 'title', 'client_id', false), ('crm_order', 'delivery_address', 'client_id', false),
        ('crm_order', 'delivery_notes', 'client_id', false), ('crm_document', 'title', 'client_id', false),
        ('crm_document', 'uri', 'client_id', false)
        ) AS v (tbl, col, key, always)
    LOOP
        CONTINUE WHEN NOT (d.always OR p_contact IS NOT NULL) OR NOT client_registry.erasure_has_column(d.tbl, d.col);
        EXECUTE format('WITH u AS (UPDATE client_registry.%1$I x SET %2$I = client_registry.erasure_scrub_text(x.%2$I, $3)'
                       ' WHERE x.tenant_id OPERATOR(pg_catalog.=) $1 AND x.%3$I OPERATOR(pg_catalog.=) $2'
                       '   AND client_registry.erasure_scrub_text(x.%2$I, $3) IS DISTINCT FROM x.%2$I RETURNING 1)'
                       ' SELECT count(*) FROM u', d.tbl, d.col, d.key)
            INTO n USING p_tenant, c.id, pattern;
        v_report := client_registry.erasure_report(v_report, d.tbl, 'scrubbed', n);
    END LOOP;

    -- consent in force is withdrawn (the history stays, without values)
    WITH w AS (
        INSERT INTO client_registry.consent (tenant_id, client_id, contact_id, purpose, granted, given_at, source, recorded_by)
        SELECT p_tenant, k2.client_id, k2.contact_id, k2.purpose, false, now(), 'erasure', p_caller
          FROM client_registry.consent_current k2
         WHERE k2.tenant_id = p_tenant AND k2.client_id = c.id AND k2.granted
           AND (CASE WHEN p_contact IS NULL THEN true ELSE k2.contact_id = p_contact END)
        RETURNING 1)
    SELECT count(*) INTO n FROM w;
    v_report := client_registry.erasure_report(v_report, 'consent', 'withdrawn', n);

    -- the card, and the private notes (a column of the card or rows of their
    -- own table, whichever this version has), last of the live rows
    IF p_contact IS NULL THEN
        UPDATE client_registry.client cl
           SET name = erased_name, short_name = NULL, first_name = NULL, last_name = NULL, company_code = NULL,
               personal_code = NULL, business_licence = NULL, vat_code = NULL, phone = NULL, website = NULL,
               email = NULL, birth_date = NULL, notes = NULL, custom_fields = '{}',
               legal_form_name = NULL, register_status = NULL, is_active = false, erased_at = now()
         WHERE cl.tenant_id = p_tenant AND cl.id = c.id;
        v_report := client_registry.erasure_report(v_report, 'client', 'anonymised', 1);
        IF client_registry.erasure_has_column('client', 'private_notes') THEN
            EXECUTE 'UPDATE client_registry.client x SET private_notes = NULL'
                    ' WHERE x.tenant_id OPERATOR(pg_catalog.=) $1 AND x.id OPERATOR(pg_catalog.=) $2'
                USING p_tenant, c.id;
        END IF;
        IF client_registry.erasure_has_column('client_private_note', 'note') THEN
            EXECUTE 'WITH x AS (DELETE FROM client_registry.client_private_note x'
                    ' WHERE x.tenant_id OPERATOR(pg_catalog.=) $1 AND x.client_id OPERATOR(pg_catalog.=) $2 RETURNING 1)'
                    ' SELECT count(*) FROM x'
                INTO n USING p_tenant, c.id;
            v_report := client_registry.erasure_report(v_report, 'client_private_note', 'deleted', n);
        END IF;
    END IF;

    -- the activity feed's copies: the columns of personal data set to null
    -- (for a contact person: of its own rows), the values elsewhere replaced
    WITH pm AS MATERIALIZED (
        SELECT m.table_name, array_agg(m.column_name) AS cols FROM client_registry.personal_data_map m GROUP BY 1),
    s AS MATERIALIZED (
        SELECT f.id, client_registry.erasure_scrub_jsonb(f.old_values, x.cols, pattern) AS o,
               client_registry.erasure_scrub_jsonb(f.new_values, x.cols, pattern) AS nv
          FROM client_registry.activity_feed f
          LEFT JOIN pm ON pm.table_name = f.table_name,
               LATERAL (SELECT CASE WHEN p_contact IS NULL OR (f.table_name = 'client_contact' AND f.row_id = p_contact)
                                    THEN coalesce(pm.cols, '{}') ELSE '{}'::text[] END AS cols) x
         WHERE f.tenant_id = p_tenant AND f.client_id = ANY (ids)),
    u AS (
        UPDATE client_registry.activity_feed f SET old_values = s.o, new_values = s.nv
          FROM s
         WHERE f.tenant_id = p_tenant AND f.id = s.id
           AND (s.o, s.nv) IS DISTINCT FROM (f.old_values, f.new_values)
        RETURNING 1)
    SELECT count(*) INTO n FROM u;
    v_report := client_registry.erasure_report(v_report, 'activity_feed', 'scrubbed', n);

    -- the merge journal: standing merges lose the person's columns, undone
    -- ones (whose merged clients live again on their own cards) the values
    WITH pm AS MATERIALIZED (
        SELECT m.table_name, array_agg(m.column_name) AS cols FROM client_registry.personal_data_map m GROUP BY 1),
    s AS MATERIALIZED (
        SELECT st.merge_id, st.step, client_registry.erasure_scrub_jsonb(st.old_values, x.cols, pattern) AS o,
               client_registry.erasure_scrub_jsonb(st.new_values, x.cols, pattern) AS nv,
               client_registry.erasure_scrub_jsonb(st.row_images, x.cols, pattern) AS img
          FROM client_registry.client_merge_step st
          LEFT JOIN pm ON pm.table_name = st.table_name,
               LATERAL (SELECT CASE WHEN p_contact IS NULL AND st.merge_id = ANY (merges)
                                    THEN coalesce(pm.cols, '{}') ELSE '{}'::text[] END AS cols) x
         WHERE st.tenant_id = p_tenant AND (st.merge_id = ANY (merges) OR st.merge_id = ANY (old_merges))),
    u AS (
        UPDATE client_registry.client_merge_step st
           SET old_values = s.o, new_values = s.nv, row_images = s.img,
               row_hashes = CASE WHEN st.merge_id = ANY (merges) THEN NULL ELSE st.row_hashes END
          FROM s
         WHERE st.tenant_id = p_tenant AND st.merge_id = s.merge_id AND st.step = s.step
           AND (s.o, s.nv, s.img) IS DISTINCT FROM (st.old_values, st.new_values, st.row_images)
        RETURNING st.merge_id)
    SELECT count(*), array_agg(DISTINCT u.merge_id) INTO n, ids FROM u;
    UPDATE client_registry.client_merge m SET erased_at = now()
     WHERE m.tenant_id = p_tenant AND m.id = ANY (ids) AND m.undone_at IS NULL;
    v_report := client_registry.erasure_report(v_report, 'client_merge_step', 'scrubbed', n);

    -- the journal of this erasure: what was done, never the values
    UPDATE client_registry.personal_data_erasure e
       SET status = 'done', erased_at = now(), erased_by = p_caller, retained_documents = retained_total,
           retained_until = retained_max, report = v_report
     WHERE e.tenant_id = p_tenant AND e.id = new_id;
    IF retained_total > 0 THEN
        RAISE NOTICE '% documents of client % keep the person''s data until %', retained_total, c.id,
                     to_char(retained_max, 'YYYY-MM-DD')
            USING HINT = 'The law requires them; run the erasure again after that date to anonymise them too.';
    END IF;
    RETURN QUERY
        SELECT new_id, r.key, a.key, a.value::text::bigint,
               CASE WHEN a.key = 'retained' THEN (r.value ->> 'retained_until')::date END
          FROM jsonb_each(v_report) r, jsonb_each(r.value) a
         WHERE a.key <> 'retained_until'
        UNION ALL
        SELECT new_id, 'personal_data_erasure', 'journaled', 1, retained_max;
END
$fn$;
COMMENT ON FUNCTION erasure_run(integer, bigint, bigint, boolean, name, bigint) IS
    'The erasure (internal): called by erase_personal_data(), erase_contact_personal_data() and run_deferred_erasures() only (R1804 otherwise).';

-------------------------------------------------------------------------------
-- Entry points (C: tenant check, owner rights, feed quiet)
-------------------------------------------------------------------------------

CREATE FUNCTION erase_personal_data(client_id bigint, defer boolean DEFAULT false)
RETURNS TABLE (erasure_id bigint, table_name text, action text, row_count bigint, retained_until date)
    AS 'MODULE_PATHNAME', 'cr_erase_personal_data' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION erase_personal_data(bigint, boolean) IS
    'Erases a natural person (a client of legal form natural_person, with the clients merged into it): anonymises the card, contact persons, CRM rows, the activity feed''s and merge journal''s copies; deletes addresses, bank accounts, private notes, register-fill state and (unless invoices are retained) VIES results; withdraws consent; keeps invoices, payments and bank entries with their counterparty data until their retention date. Returns one row per table and action (retained rows with their retention date) and the journal row (personal_data_erasure). Refuses with R1802 while a legal hold is active, or with defer => true records a deferred erasure that run_deferred_erasures() carries out once the holds are released. Running it again after the retention date anonymises the documents too.';

CREATE FUNCTION erase_contact_personal_data(contact_id bigint, defer boolean DEFAULT false)
RETURNS TABLE (erasure_id bigint, table_name text, action text, row_count bigint, retained_until date)
    AS 'MODULE_PATHNAME', 'cr_erase_contact_personal_data' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION erase_contact_personal_data(bigint, boolean) IS
    'Erases a contact person: anonymises the client_contact row, withdraws its consent, replaces its name, e-mail and phone by [erased] in the client''s notes and CRM rows and in the activity feed and merge journal. Legal holds on the client apply as for erase_personal_data().';

CREATE FUNCTION run_deferred_erasures()
RETURNS TABLE (erasure_id bigint, table_name text, action text, row_count bigint, retained_until date)
    AS 'MODULE_PATHNAME', 'cr_run_deferred_erasures' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION run_deferred_erasures() IS
    'Carries out the current tenant''s deferred erasures whose legal holds are all released (oldest first); those still held stay deferred (action deferred). Returns the erasures'' reports.';

CREATE FUNCTION place_legal_hold(client_id bigint, reason text) RETURNS bigint
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    INSERT INTO client_registry.legal_hold (client_id, reason)
    VALUES (place_legal_hold.client_id, place_legal_hold.reason)
    RETURNING id;
END;
COMMENT ON FUNCTION place_legal_hold(bigint, text) IS
    'Places a legal hold on a client of the current tenant (the person''s data is not erased while it is active). Returns the hold id.';

CREATE FUNCTION release_legal_hold(hold_id bigint) RETURNS boolean
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    WITH r AS (
        UPDATE client_registry.legal_hold h SET released_at = now(), released_by = CURRENT_USER
         WHERE h.id = release_legal_hold.hold_id AND h.tenant_id = client_registry.current_tenant()
           AND h.released_at IS NULL
        RETURNING 1)
    SELECT count(*) > 0 FROM r;
END;
COMMENT ON FUNCTION release_legal_hold(bigint) IS
    'Releases an active legal hold of the current tenant; false when there is no such active hold. Deferred erasures then run with run_deferred_erasures().';

CREATE VIEW retained_personal_data WITH (security_invoker = true) AS
SELECT e.tenant_id, e.id AS erasure_id, e.client_id, e.erased_at, e.retained_documents, e.retained_until,
       e.retained_until < current_date AS may_be_erased_now
  FROM client_registry.personal_data_erasure e
 WHERE e.status = 'done' AND e.contact_id IS NULL AND e.retained_documents > 0
   AND NOT EXISTS (SELECT 1 FROM client_registry.personal_data_erasure l
                    WHERE l.tenant_id = e.tenant_id AND l.client_id = e.client_id AND l.contact_id IS NULL
                      AND l.status = 'done' AND l.id > e.id);
COMMENT ON VIEW retained_personal_data IS
    'Erased persons whose documents still keep their data, per the latest erasure: until when, and whether that date has passed (run erase_personal_data again to anonymise the documents).';
COMMENT ON COLUMN retained_personal_data.tenant_id IS 'Tenant.';
COMMENT ON COLUMN retained_personal_data.erasure_id IS 'The latest erasure of the client.';
COMMENT ON COLUMN retained_personal_data.client_id IS 'The erased client.';
COMMENT ON COLUMN retained_personal_data.erased_at IS 'When it ran.';
COMMENT ON COLUMN retained_personal_data.retained_documents IS 'Documents kept with the person''s data.';
COMMENT ON COLUMN retained_personal_data.retained_until IS 'Their latest retention date.';
COMMENT ON COLUMN retained_personal_data.may_be_erased_now IS 'The retention date has passed.';

-------------------------------------------------------------------------------
-- Tenant isolation, dumping, privileges
-------------------------------------------------------------------------------

DO $do$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['legal_hold', 'personal_data_erasure']
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE client_registry.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE pg_catalog.format(
            'CREATE POLICY tenant_isolation ON client_registry.%I'
            ' USING (tenant_id OPERATOR(pg_catalog.=) client_registry.current_tenant())'
            ' WITH CHECK (tenant_id OPERATOR(pg_catalog.=) client_registry.current_tenant())', t);
    END LOOP;
END
$do$;

SELECT pg_catalog.pg_extension_config_dump('legal_hold', '');
SELECT pg_catalog.pg_extension_config_dump('personal_data_erasure', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('client_registry.legal_hold', 'id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('client_registry.personal_data_erasure', 'id'), '');

-- Erasing rewrites history and documents of every user of the tenant: only
-- roles granted it (README / docs/personal-data.md: the data protection role).
REVOKE ALL ON FUNCTION erase_personal_data(bigint, boolean), erase_contact_personal_data(bigint, boolean),
    run_deferred_erasures(), erasure_run(integer, bigint, bigint, boolean, name, bigint), erasure_in_progress(),
    place_legal_hold(bigint, text), release_legal_hold(bigint),
    erasure_pattern(text[]), erasure_scrub_text(text, text), erasure_scrub_object(jsonb, text[], text),
    erasure_scrub_jsonb(jsonb, text[], text), personal_data_columns(text),
    erasure_report(jsonb, text, text, bigint, date), erasure_has_column(text, text)
    FROM PUBLIC;
