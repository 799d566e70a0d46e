-------------------------------------------------------------------------------
-- 0.4.0: functions of earlier versions made to run on Citus (issue #17),
-- unchanged in what they do.  On a Citus coordinator every statement of a
-- function is a distributed query: it reaches one tenant's shards only when
-- it compares tenant_id with a value (a variable holding current_tenant(),
-- not the function call, which Citus cannot prune by), and a row lock
-- (FOR UPDATE) is only possible in such a statement.  So each function reads
-- the tenant once and every statement names it.
-------------------------------------------------------------------------------

-- assign_bank_entry (0.3.0): the row locks named by tenant and id
CREATE OR REPLACE FUNCTION assign_bank_entry(entry_id bigint, client_id bigint, invoice_id bigint DEFAULT NULL,
                                  remember_iban boolean DEFAULT false)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_tenant integer := client_registry.current_tenant();
    e client_registry.bank_entry;
    c record;
    pid bigint;
BEGIN
    SELECT * INTO e FROM client_registry.bank_entry be
     WHERE be.id = assign_bank_entry.entry_id AND be.tenant_id = v_tenant
       FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'bank entry % does not exist in tenant %', entry_id, v_tenant
            USING ERRCODE = '22023', HINT = 'Pick an entry from client_registry.bank_entry_queue.';
    END IF;
    IF e.payment_id IS NOT NULL THEN
        RAISE EXCEPTION 'bank entry % is already assigned to client %', entry_id, e.client_id
            USING ERRCODE = '55000',
                  HINT = 'Delete its payment (bank_entry.payment_id) first if the entry belongs to another client: the entry then returns to the queue.';
    END IF;
    IF e.status <> 'BOOK' THEN
        RAISE EXCEPTION 'bank entry % is not booked (status %)', entry_id, e.status
            USING ERRCODE = '55000', HINT = 'Only booked entries become payments; import the final statement.';
    END IF;
    IF e.amount <= 0 THEN
        RAISE EXCEPTION 'bank entry % has a zero amount', entry_id
            USING ERRCODE = '55000', HINT = 'A payment needs a positive amount.';
    END IF;
    SELECT cl.id, cl.kind, cl.name INTO c FROM client_registry.client cl
     WHERE cl.id = assign_bank_entry.client_id AND cl.tenant_id = v_tenant;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'client % does not exist in tenant %', client_id, v_tenant
            USING ERRCODE = '23503';
    END IF;
    IF c.kind = 'own_company' THEN
        RAISE EXCEPTION 'bank entry % cannot be assigned to the own company (client % "%")', entry_id, c.id, c.name
            USING ERRCODE = '22023', HINT = 'A transfer between own accounts is not a client payment; leave it in the queue.';
    END IF;

    INSERT INTO client_registry.payment (tenant_id, client_id, direction, payment_date, amount, currency, reference,
                                         description, invoice_id)
    VALUES (v_tenant, c.id, CASE e.credit_debit WHEN 'CRDT' THEN 'in' ELSE 'out' END::client_registry.payment_direction,
            COALESCE(e.booking_date, e.value_date), e.amount, e.currency, e.entry_key,
            NULLIF(concat_ws(' ', e.remittance, e.document_numbers, e.creditor_reference), ''),
            assign_bank_entry.invoice_id)
    RETURNING id INTO pid;

    UPDATE client_registry.bank_entry be
       SET client_id = c.id, match_reason = 'manual', matched_invoice_id = assign_bank_entry.invoice_id,
           matched_at = now(), match_note = NULL, payment_id = pid
     WHERE be.tenant_id = v_tenant AND be.id = e.id;

    IF remember_iban AND e.counterparty_iban IS NOT NULL AND client_registry.iban_valid(e.counterparty_iban) THEN
        INSERT INTO client_registry.client_bank_account (tenant_id, client_id, iban, currency)
        VALUES (v_tenant, c.id, e.counterparty_iban, e.currency)
        ON CONFLICT ON CONSTRAINT client_bank_account_iban_key DO NOTHING;
    END IF;

    PERFORM client_registry.settle_automatically(c.id);
    RETURN pid;
END
$fn$;

-- Views whose joins did not name the tenant: on Citus a join of two
-- distributed tables runs on the shards only when it matches tenant_id too
-- (and on one node the (tenant_id, ...) indexes serve it).  client_card is
-- made so in 62_vies.sql, where it is defined for 0.4.0.
CREATE OR REPLACE VIEW client_debt WITH (security_invoker = true) AS
SELECT c.id AS client_id, c.tenant_id, c.name, c.credit_control, c.credit_limit,
       COALESCE(b.receivable, 0.00) AS receivable, COALESCE(b.payable, 0.00) AS payable,
       CASE WHEN c.credit_control <> 'none' THEN c.credit_limit - COALESCE(b.receivable, 0) END AS credit_available
  FROM client_registry.client c
  LEFT JOIN client_registry.client_balance b ON b.tenant_id = c.tenant_id AND b.client_id = c.id;
CREATE OR REPLACE VIEW duplicate_candidates WITH (security_invoker = true) AS
WITH keys AS (
    SELECT c.tenant_id, c.id, c.name, 'company code'::text AS reason, c.country || ':' || c.company_code AS match_key
      FROM client_registry.client c WHERE c.company_code IS NOT NULL
    UNION ALL
    SELECT c.tenant_id, c.id, c.name, 'personal code', c.country || ':' || c.personal_code
      FROM client_registry.client c WHERE c.personal_code IS NOT NULL
    UNION ALL
    SELECT c.tenant_id, c.id, c.name, 'VAT code', c.vat_code
      FROM client_registry.client c WHERE c.vat_code IS NOT NULL AND c.vat_code <> 'ND'
    UNION ALL
    SELECT DISTINCT b.tenant_id, b.client_id, c.name, 'IBAN', b.iban
      FROM client_registry.client_bank_account b
      JOIN client_registry.client c ON c.tenant_id = b.tenant_id AND c.id = b.client_id
    UNION ALL
    SELECT c.tenant_id, c.id, c.name, 'e-mail', pg_catalog.lower(c.email)
      FROM client_registry.client c WHERE c.email IS NOT NULL
    UNION ALL
    SELECT c.tenant_id, c.id, c.name, 'phone', pg_catalog.regexp_replace(c.phone, '[^0-9]', '', 'g')
      FROM client_registry.client c
     WHERE pg_catalog.length(pg_catalog.regexp_replace(c.phone, '[^0-9]', '', 'g')) >= 6
    UNION ALL
    SELECT c.tenant_id, c.id, c.name, 'near-identical name', client_registry.client_name_key(c.name)
      FROM client_registry.client c WHERE client_registry.client_name_key(c.name) <> ''
)
SELECT tenant_id, reason, match_key, count(*) AS clients,
       array_agg(id ORDER BY id) AS client_ids, array_agg(name ORDER BY id) AS names
  FROM keys
 GROUP BY tenant_id, reason, match_key
HAVING count(*) > 1;

-- search_hits_similar (0.3.0, search step 3): an SQL function is planned
-- with its parameter unknown, and Citus cannot route such a plan to the
-- tenant's shards ("could not create distributed plan").  The same
-- statement, run by EXECUTE with the tenant and the folded query as values
-- (planned per call, as the SQL function was: its SET clause kept it from
-- being inlined).  pg_trgm's functions and operator are named in its schema,
-- wherever it is installed.
CREATE OR REPLACE FUNCTION search_hits_similar(query text)
RETURNS TABLE (client_id bigint, name text, company_code text, vat_code text, email text,
               is_active boolean, matched_on text, score real)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET pg_trgm.word_similarity_threshold = 0.6
AS $fn$
DECLARE
    v_tenant integer := client_registry.current_tenant();
    v_fold text := client_registry.search_fold(query);
    trgm name := (SELECT n.nspname FROM pg_catalog.pg_extension e
                    JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
                   WHERE e.extname OPERATOR(pg_catalog.=) 'pg_trgm');
BEGIN
    IF v_tenant IS NULL OR v_fold IS NULL OR pg_catalog.length(v_fold) OPERATOR(pg_catalog.=) 0 THEN
        RETURN;
    END IF;
    RETURN QUERY EXECUTE pg_catalog.format($q$
    SELECT c.id, c.name, c.company_code, c.vat_code, c.email, c.is_active, 'card'::text,
           (0.7 OPERATOR(pg_catalog.*) %1$I.word_similarity($2,
                client_registry.client_search_text(c.name, c.short_name, c.first_name, c.last_name,
                    c.company_code, c.vat_code, c.email, c.phone)))::real
      FROM client_registry.client c
     WHERE c.tenant_id OPERATOR(pg_catalog.=) $1
       AND client_registry.client_search_text(c.name, c.short_name, c.first_name, c.last_name,
                c.company_code, c.vat_code, c.email, c.phone) OPERATOR(%1$I.%%>) $2
    UNION ALL
    SELECT c.id, c.name, c.company_code, c.vat_code, c.email, c.is_active, 'contact'::text,
           (0.6 OPERATOR(pg_catalog.*) %1$I.word_similarity($2,
                client_registry.contact_search_text(k.first_name, k.last_name, k.email, k.phone)))::real
      FROM client_registry.client_contact k
      JOIN client_registry.client c ON c.tenant_id OPERATOR(pg_catalog.=) k.tenant_id
       AND c.id OPERATOR(pg_catalog.=) k.client_id
     WHERE k.tenant_id OPERATOR(pg_catalog.=) $1
       AND client_registry.contact_search_text(k.first_name, k.last_name, k.email, k.phone) OPERATOR(%1$I.%%>) $2
    $q$, trgm) USING v_tenant, v_fold;
END
$fn$;

