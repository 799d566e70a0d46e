
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
  ) AS m (table_name, column_name, on_erasure);
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

CREATE FUNCTION erasure_scrub_text(value text, personal text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v text;
    r text := value;
BEGIN
    IF r IS NULL OR personal IS NULL THEN
        RETURN r;
    END IF;
    FOREACH v IN ARRAY personal LOOP
        IF v IS NOT NULL AND length(v) >= 3 AND strpos(lower(r), lower(v)) > 0 THEN
            r := regexp_replace(r, '***=' || v, '[erased]', 'gi');
        END IF;
    END LOOP;
    RETURN r;
END
$fn$;
COMMENT ON FUNCTION erasure_scrub_text(text, text[]) IS
    'Erasure helper: the text with every occurrence of the person''s values (3 characters or more, longest first, case-insensitive) replaced by [erased].';

CREATE FUNCTION erasure_scrub_jsonb(value jsonb, columns text[], personal text[]) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF value IS NULL THEN
        RETURN NULL;
    END IF;
    CASE jsonb_typeof(value)
    WHEN 'object' THEN
        RETURN coalesce((SELECT jsonb_object_agg(e.key,
                                   CASE WHEN e.key = ANY (columns) THEN 'null'::jsonb
                                        ELSE client_registry.erasure_scrub_jsonb(e.value, columns, personal) END)
                           FROM jsonb_each(value) e), '{}'::jsonb);
    WHEN 'array' THEN
        RETURN coalesce((SELECT jsonb_agg(client_registry.erasure_scrub_jsonb(e.value, columns, personal) ORDER BY e.o)
                           FROM jsonb_array_elements(value) WITH ORDINALITY AS e(value, o)), '[]'::jsonb);
    WHEN 'string' THEN
        RETURN to_jsonb(client_registry.erasure_scrub_text(value #>> '{}', personal));
    ELSE
        RETURN value;
    END CASE;
END
$fn$;
COMMENT ON FUNCTION erasure_scrub_jsonb(jsonb, text[], text[]) IS
    'Erasure helper: a journal''s copy of a row (object, array of objects) with the keys in columns set to null and the person''s values in other strings replaced by [erased].';

CREATE FUNCTION personal_data_columns(table_name text) RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT ARRAY(SELECT m.column_name FROM client_registry.personal_data_map m
                  WHERE m.table_name = personal_data_columns.table_name ORDER BY m.column_name);
END;
COMMENT ON FUNCTION personal_data_columns(text) IS 'The columns of a table that hold personal data (personal_data_map).';

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
        IF NOT FOUND THEN
            RAISE EXCEPTION 'contact person % does not exist in tenant %', p_contact, p_tenant
                USING ERRCODE = '23503';
        END IF;
        p_client := k.client_id;
    END IF;
    SELECT * INTO c FROM client_registry.client cl
     WHERE cl.tenant_id = p_tenant AND cl.id = p_client FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'client % does not exist in tenant %', p_client, p_tenant
            USING ERRCODE = '23503',
                  HINT = CASE WHEN p_request IS NOT NULL THEN 'The client of a deferred erasure was deleted or merged away.'
                              ELSE 'client_registry.client lists the clients of the tenant.' END;
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

    IF p_contact IS NULL THEN
        erased_name := 'Erased person ' || c.id;

        -- documents: kept with their counterparty data until the retention date
        SELECT count(*), max(client_registry.document_retained_until(i.invoice_date, years)) INTO n, until
          FROM client_registry.invoice i
         WHERE i.tenant_id = p_tenant AND i.client_id = c.id AND i.status <> 'draft'
           AND client_registry.document_retained_until(i.invoice_date, years) >= current_date;
        IF n > 0 THEN
            RETURN QUERY SELECT new_id, 'invoice'::text, 'retained'::text, n, until;
            v_report := v_report || jsonb_build_object('invoice', jsonb_build_object('retained', n));
            retained_total := retained_total + n;
            retained_max := greatest(retained_max, until);
        END IF;
        WITH u AS (
            UPDATE client_registry.invoice i
               SET counterparty_name = erased_name, counterparty_company_code = NULL, counterparty_vat_code = NULL
             WHERE i.tenant_id = p_tenant AND i.client_id = c.id
               AND (i.status = 'draft' OR client_registry.document_retained_until(i.invoice_date, years) < current_date)
               AND (i.counterparty_name, i.counterparty_company_code, i.counterparty_vat_code)
                   IS DISTINCT FROM (erased_name, NULL, NULL)
            RETURNING 1)
        SELECT count(*) INTO n FROM u;
        IF n > 0 THEN
            RETURN QUERY SELECT new_id, 'invoice'::text, 'anonymised'::text, n, NULL::date;
            v_report := v_report || jsonb_build_object('invoice', coalesce(v_report->'invoice', '{}') || jsonb_build_object('anonymised', n));
        END IF;

        SELECT count(*), max(client_registry.document_retained_until(pm.payment_date, years)) INTO n, until
          FROM client_registry.payment pm
         WHERE pm.tenant_id = p_tenant AND pm.client_id = c.id
           AND client_registry.document_retained_until(pm.payment_date, years) >= current_date;
        IF n > 0 THEN
            RETURN QUERY SELECT new_id, 'payment'::text, 'retained'::text, n, until;
            v_report := v_report || jsonb_build_object('payment', jsonb_build_object('retained', n));
            retained_total := retained_total + n;
            retained_max := greatest(retained_max, until);
        END IF;
        WITH u AS (
            UPDATE client_registry.payment pm SET description = NULL
             WHERE pm.tenant_id = p_tenant AND pm.client_id = c.id AND pm.description IS NOT NULL
               AND client_registry.document_retained_until(pm.payment_date, years) < current_date
            RETURNING 1)
        SELECT count(*) INTO n FROM u;
        IF n > 0 THEN
            RETURN QUERY SELECT new_id, 'payment'::text, 'anonymised'::text, n, NULL::date;
            v_report := v_report || jsonb_build_object('payment', coalesce(v_report->'payment', '{}') || jsonb_build_object('anonymised', n));
        END IF;

        -- bank entries of the person: matched to the card, or from one of their accounts
        SELECT count(*), max(client_registry.document_retained_until(coalesce(be.booking_date, be.created_at::date), years))
          INTO n, until
          FROM client_registry.bank_entry be
         WHERE be.tenant_id = p_tenant
           AND (be.client_id = c.id OR be.counterparty_iban IN (SELECT b.iban FROM client_registry.client_bank_account b
                                                                  WHERE b.tenant_id = p_tenant AND b.client_id = c.id))
           AND client_registry.document_retained_until(coalesce(be.booking_date, be.created_at::date), years) >= current_date;
        IF n > 0 THEN
            RETURN QUERY SELECT new_id, 'bank_entry'::text, 'retained'::text, n, until;
            v_report := v_report || jsonb_build_object('bank_entry', jsonb_build_object('retained', n));
            retained_total := retained_total + n;
            retained_max := greatest(retained_max, until);
        END IF;
        WITH u AS (
            UPDATE client_registry.bank_entry be
               SET counterparty_name = NULL, counterparty_iban = NULL, counterparty_account = NULL,
                   counterparty_private_id = NULL, counterparty_org_id = NULL, remittance = NULL, additional_info = NULL
             WHERE be.tenant_id = p_tenant
               AND (be.client_id = c.id OR be.counterparty_iban IN (SELECT b.iban FROM client_registry.client_bank_account b
                                                                      WHERE b.tenant_id = p_tenant AND b.client_id = c.id))
               AND client_registry.document_retained_until(coalesce(be.booking_date, be.created_at::date), years) < current_date
               AND num_nonnulls(be.counterparty_name, be.counterparty_iban, be.counterparty_account, be.counterparty_private_id,
                                be.counterparty_org_id, be.remittance, be.additional_info) > 0
            RETURNING 1)
        SELECT count(*) INTO n FROM u;
        IF n > 0 THEN
            RETURN QUERY SELECT new_id, 'bank_entry'::text, 'anonymised'::text, n, NULL::date;
            v_report := v_report || jsonb_build_object('bank_entry', coalesce(v_report->'bank_entry', '{}') || jsonb_build_object('anonymised', n));
        END IF;

        -- VIES results are the evidence for the retained 0 % sales
        IF retained_total > 0 AND v_report ? 'invoice' AND (v_report->'invoice') ? 'retained' THEN
            SELECT count(*) INTO n FROM client_registry.vat_number_check v WHERE v.tenant_id = p_tenant AND v.client_id = c.id;
            IF n > 0 THEN
                RETURN QUERY SELECT new_id, 'vat_number_check'::text, 'retained'::text, n, retained_max;
                v_report := v_report || jsonb_build_object('vat_number_check', jsonb_build_object('retained', n));
            END IF;
        ELSE
            WITH d AS (DELETE FROM client_registry.vat_number_check v WHERE v.tenant_id = p_tenant AND v.client_id = c.id RETURNING 1)
            SELECT count(*) INTO n FROM d;
            IF n > 0 THEN
                RETURN QUERY SELECT new_id, 'vat_number_check'::text, 'deleted'::text, n, NULL::date;
                v_report := v_report || jsonb_build_object('vat_number_check', jsonb_build_object('deleted', n));
            END IF;
        END IF;

        -- the card's children
        WITH d AS (DELETE FROM client_registry.client_address a WHERE a.tenant_id = p_tenant AND a.client_id = c.id RETURNING 1)
        SELECT count(*) INTO n FROM d;
        IF n > 0 THEN
            RETURN QUERY SELECT new_id, 'client_address'::text, 'deleted'::text, n, NULL::date;
            v_report := v_report || jsonb_build_object('client_address', jsonb_build_object('deleted', n));
        END IF;
        WITH d AS (DELETE FROM client_registry.client_bank_account b WHERE b.tenant_id = p_tenant AND b.client_id = c.id RETURNING 1)
        SELECT count(*) INTO n FROM d;
        IF n > 0 THEN
            RETURN QUERY SELECT new_id, 'client_bank_account'::text, 'deleted'::text, n, NULL::date;
            v_report := v_report || jsonb_build_object('client_bank_account', jsonb_build_object('deleted', n));
        END IF;
        WITH d AS (DELETE FROM client_registry.client_register_fill f WHERE f.tenant_id = p_tenant AND f.client_id = c.id RETURNING 1)
        SELECT count(*) INTO n FROM d;
        IF n > 0 THEN
            RETURN QUERY SELECT new_id, 'client_register_fill'::text, 'deleted'::text, n, NULL::date;
            v_report := v_report || jsonb_build_object('client_register_fill', jsonb_build_object('deleted', n));
        END IF;
        WITH u AS (
            UPDATE client_registry.client_contact p
               SET first_name = NULL, last_name = 'Erased contact ' || p.id, position = NULL, email = NULL, phone = NULL,
                   notes = NULL, erased_at = now()
             WHERE p.tenant_id = p_tenant AND p.client_id = c.id AND p.erased_at IS NULL
            RETURNING 1)
        SELECT count(*) INTO n FROM u;
        IF n > 0 THEN
            RETURN QUERY SELECT new_id, 'client_contact'::text, 'anonymised'::text, n, NULL::date;
            v_report := v_report || jsonb_build_object('client_contact', jsonb_build_object('anonymised', n));
        END IF;

        -- CRM rows about the person
        WITH u AS (UPDATE client_registry.crm_interaction x SET subject = '[erased]', body = NULL
                    WHERE x.tenant_id = p_tenant AND x.client_id = c.id RETURNING 1)
        SELECT count(*) INTO n FROM u;
        IF n > 0 THEN
            RETURN QUERY SELECT new_id, 'crm_interaction'::text, 'anonymised'::text, n, NULL::date;
            v_report := v_report || jsonb_build_object('crm_interaction', jsonb_build_object('anonymised', n));
        END IF;
        WITH u AS (UPDATE client_registry.crm_task x SET title = '[erased]', description = NULL
                    WHERE x.tenant_id = p_tenant AND x.client_id = c.id RETURNING 1)
        SELECT count(*) INTO n FROM u;
        IF n > 0 THEN
            RETURN QUERY SELECT new_id, 'crm_task'::text, 'anonymised'::text, n, NULL::date;
            v_report := v_report || jsonb_build_object('crm_task', jsonb_build_object('anonymised', n));
        END IF;
        WITH u AS (UPDATE client_registry.crm_event x SET title = '[erased]', place = NULL, description = NULL
                    WHERE x.tenant_id = p_tenant AND x.client_id = c.id RETURNING 1)
        SELECT count(*) INTO n FROM u;
        IF n > 0 THEN
            RETURN QUERY SELECT new_id, 'crm_event'::text, 'anonymised'::text, n, NULL::date;
            v_report := v_report || jsonb_build_object('crm_event', jsonb_build_object('anonymised', n));
        END IF;
        WITH u AS (UPDATE client_registry.crm_comment x SET body = '[erased]'
                    WHERE x.tenant_id = p_tenant AND x.client_id = c.id RETURNING 1)
        SELECT count(*) INTO n FROM u;
        IF n > 0 THEN
            RETURN QUERY SELECT new_id, 'crm_comment'::text, 'anonymised'::text, n, NULL::date;
            v_report := v_report || jsonb_build_object('crm_comment', jsonb_build_object('anonymised', n));
        END IF;
        WITH u AS (UPDATE client_registry.crm_opportunity x SET title = '[erased]'
                    WHERE x.tenant_id = p_tenant AND x.client_id = c.id RETURNING 1)
        SELECT count(*) INTO n FROM u;
        IF n > 0 THEN
            RETURN QUERY SELECT new_id, 'crm_opportunity'::text, 'anonymised'::text, n, NULL::date;
            v_report := v_report || jsonb_build_object('crm_opportunity', jsonb_build_object('anonymised', n));
        END IF;
        WITH u AS (UPDATE client_registry.crm_order x SET delivery_address = NULL, delivery_notes = NULL
                    WHERE x.tenant_id = p_tenant AND x.client_id = c.id
                      AND num_nonnulls(x.delivery_address, x.delivery_notes) > 0 RETURNING 1)
        SELECT count(*) INTO n FROM u;
        IF n > 0 THEN
            RETURN QUERY SELECT new_id, 'crm_order'::text, 'anonymised'::text, n, NULL::date;
            v_report := v_report || jsonb_build_object('crm_order', jsonb_build_object('anonymised', n));
        END IF;
        WITH u AS (UPDATE client_registry.crm_order_line x SET item = client_registry.erasure_scrub_text(x.item, vals)
                    WHERE x.tenant_id = p_tenant AND x.client_id = c.id
                      AND client_registry.erasure_scrub_text(x.item, vals) IS DISTINCT FROM x.item RETURNING 1)
        SELECT count(*) INTO n FROM u;
        IF n > 0 THEN
            RETURN QUERY SELECT new_id, 'crm_order_line'::text, 'anonymised'::text, n, NULL::date;
            v_report := v_report || jsonb_build_object('crm_order_line', jsonb_build_object('anonymised', n));
        END IF;
        WITH u AS (UPDATE client_registry.crm_document x SET title = '[erased]', uri = NULL
                    WHERE x.tenant_id = p_tenant AND x.client_id = c.id RETURNING 1)
        SELECT count(*) INTO n FROM u;
        IF n > 0 THEN
            RETURN QUERY SELECT new_id, 'crm_document'::text, 'anonymised'::text, n, NULL::date;
            v_report := v_report || jsonb_build_object('crm_document', jsonb_build_object('anonymised', n));
        END IF;
    END IF;

    -- a contact person: the row itself
    IF p_contact IS NOT NULL THEN
        UPDATE client_registry.client_contact p
           SET first_name = NULL, last_name = 'Erased contact ' || p.id, position = NULL, email = NULL, phone = NULL,
               notes = NULL, erased_at = now()
         WHERE p.tenant_id = p_tenant AND p.id = p_contact;
        RETURN QUERY SELECT new_id, 'client_contact'::text, 'anonymised'::text, 1::bigint, NULL::date;
        v_report := v_report || jsonb_build_object('client_contact', jsonb_build_object('anonymised', 1));
        -- the person's values in the client's free text (CRM, notes)
        FOREACH t IN ARRAY ARRAY['crm_interaction:subject', 'crm_interaction:body', 'crm_task:title', 'crm_task:description',
                                 'crm_event:title', 'crm_event:place', 'crm_event:description', 'crm_comment:body',
                                 'crm_opportunity:title', 'crm_order:delivery_address', 'crm_order:delivery_notes',
                                 'crm_document:title', 'crm_document:uri']
        LOOP
            EXECUTE format('WITH u AS (UPDATE client_registry.%1$I x SET %2$I = client_registry.erasure_scrub_text(x.%2$I, $3)'
                           ' WHERE x.tenant_id OPERATOR(pg_catalog.=) $1 AND x.client_id OPERATOR(pg_catalog.=) $2'
                           '   AND client_registry.erasure_scrub_text(x.%2$I, $3) IS DISTINCT FROM x.%2$I RETURNING 1)'
                           ' SELECT count(*) FROM u', split_part(t, ':', 1), split_part(t, ':', 2))
               INTO n USING p_tenant, c.id, vals;
            IF n > 0 THEN
                RETURN QUERY SELECT new_id, split_part(t, ':', 1), 'scrubbed'::text, n, NULL::date;
                v_report := v_report || jsonb_build_object(split_part(t, ':', 1), jsonb_build_object('scrubbed', n));
            END IF;
        END LOOP;
    END IF;

    -- the person's values in contracts and released holds
    WITH u AS (UPDATE client_registry.contract x SET notes = client_registry.erasure_scrub_text(x.notes, vals)
                WHERE x.tenant_id = p_tenant AND x.client_id = c.id
                  AND client_registry.erasure_scrub_text(x.notes, vals) IS DISTINCT FROM x.notes RETURNING 1)
    SELECT count(*) INTO n FROM u;
    IF n > 0 THEN
        RETURN QUERY SELECT new_id, 'contract'::text, 'scrubbed'::text, n, NULL::date;
        v_report := v_report || jsonb_build_object('contract', jsonb_build_object('scrubbed', n));
    END IF;
    WITH u AS (UPDATE client_registry.legal_hold x SET reason = client_registry.erasure_scrub_text(x.reason, vals)
                WHERE x.tenant_id = p_tenant AND x.client_id = c.id
                  AND client_registry.erasure_scrub_text(x.reason, vals) IS DISTINCT FROM x.reason RETURNING 1)
    SELECT count(*) INTO n FROM u;
    IF n > 0 THEN
        RETURN QUERY SELECT new_id, 'legal_hold'::text, 'scrubbed'::text, n, NULL::date;
        v_report := v_report || jsonb_build_object('legal_hold', jsonb_build_object('scrubbed', n));
    END IF;

    -- consent in force is withdrawn (the history stays, without values)
    WITH w AS (
        INSERT INTO client_registry.consent (tenant_id, client_id, contact_id, purpose, granted, given_at, source, recorded_by)
        SELECT p_tenant, k2.client_id, k2.contact_id, k2.purpose, false, now(), 'erasure', p_caller
          FROM client_registry.consent_current k2
         WHERE k2.tenant_id = p_tenant AND k2.client_id = c.id AND k2.granted
           AND (CASE WHEN p_contact IS NULL THEN true ELSE k2.contact_id = p_contact END)
        RETURNING 1)
    SELECT count(*) INTO n FROM w;
    IF n > 0 THEN
        RETURN QUERY SELECT new_id, 'consent'::text, 'withdrawn'::text, n, NULL::date;
        v_report := v_report || jsonb_build_object('consent', jsonb_build_object('withdrawn', n));
    END IF;

    -- the card (last of the live rows: the feed and journals follow)
    IF p_contact IS NULL THEN
        UPDATE client_registry.client cl
           SET name = erased_name, short_name = NULL, first_name = NULL, last_name = NULL, company_code = NULL,
               personal_code = NULL, business_licence = NULL, vat_code = NULL, phone = NULL, website = NULL,
               email = NULL, birth_date = NULL, notes = NULL, private_notes = NULL, custom_fields = '{}',
               legal_form_name = NULL, register_status = NULL, is_active = false, erased_at = now()
         WHERE cl.tenant_id = p_tenant AND cl.id = c.id;
        RETURN QUERY SELECT new_id, 'client'::text, 'anonymised'::text, 1::bigint, NULL::date;
        v_report := v_report || jsonb_build_object('client', jsonb_build_object('anonymised', 1));
    ELSE
        WITH u AS (
            UPDATE client_registry.client cl SET notes = client_registry.erasure_scrub_text(cl.notes, vals),
                   private_notes = client_registry.erasure_scrub_text(cl.private_notes, vals)
             WHERE cl.tenant_id = p_tenant AND cl.id = c.id
               AND (client_registry.erasure_scrub_text(cl.notes, vals), client_registry.erasure_scrub_text(cl.private_notes, vals))
                   IS DISTINCT FROM (cl.notes, cl.private_notes)
            RETURNING 1)
        SELECT count(*) INTO n FROM u;
        IF n > 0 THEN
            RETURN QUERY SELECT new_id, 'client'::text, 'scrubbed'::text, n, NULL::date;
            v_report := v_report || jsonb_build_object('client', jsonb_build_object('scrubbed', n));
        END IF;
    END IF;

    -- the activity feed's copies: the columns of personal data set to null
    -- (for a contact person: of its own rows), the values elsewhere replaced
    WITH s AS (
        SELECT f.id, client_registry.erasure_scrub_jsonb(f.old_values, x.cols, vals) AS o,
               client_registry.erasure_scrub_jsonb(f.new_values, x.cols, vals) AS nv
          FROM client_registry.activity_feed f,
               LATERAL (SELECT CASE WHEN p_contact IS NULL OR (f.table_name = 'client_contact' AND f.row_id = p_contact)
                                    THEN client_registry.personal_data_columns(f.table_name)
                                    ELSE '{}'::text[] END AS cols) x
         WHERE f.tenant_id = p_tenant AND f.client_id = ANY (ids)),
    u AS (
        UPDATE client_registry.activity_feed f SET old_values = s.o, new_values = s.nv
          FROM s
         WHERE f.tenant_id = p_tenant AND f.id = s.id
           AND (s.o, s.nv) IS DISTINCT FROM (f.old_values, f.new_values)
        RETURNING 1)
    SELECT count(*) INTO n FROM u;
    IF n > 0 THEN
        RETURN QUERY SELECT new_id, 'activity_feed'::text, 'scrubbed'::text, n, NULL::date;
        v_report := v_report || jsonb_build_object('activity_feed', jsonb_build_object('scrubbed', n));
    END IF;

    -- the merge journal: standing merges lose the person's columns, undone
    -- ones (whose merged clients live again on their own cards) the values
    WITH s AS (
        SELECT st.merge_id, st.step, client_registry.erasure_scrub_jsonb(st.old_values, x.cols, vals) AS o,
               client_registry.erasure_scrub_jsonb(st.new_values, x.cols, vals) AS nv,
               client_registry.erasure_scrub_jsonb(st.row_images, x.cols, vals) AS img
          FROM client_registry.client_merge_step st,
               LATERAL (SELECT CASE WHEN p_contact IS NULL AND st.merge_id = ANY (merges)
                                    THEN client_registry.personal_data_columns(st.table_name)
                                    ELSE '{}'::text[] END AS cols) x
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
    IF n > 0 THEN
        UPDATE client_registry.client_merge m SET erased_at = now()
         WHERE m.tenant_id = p_tenant AND m.id = ANY (ids) AND m.undone_at IS NULL;
        RETURN QUERY SELECT new_id, 'client_merge_step'::text, 'scrubbed'::text, n, NULL::date;
        v_report := v_report || jsonb_build_object('client_merge_step', jsonb_build_object('scrubbed', n));
    END IF;

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
    RETURN QUERY SELECT new_id, 'personal_data_erasure'::text, 'journaled'::text, 1::bigint, retained_max;
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
    place_legal_hold(bigint, text), release_legal_hold(bigint)
    FROM PUBLIC;
