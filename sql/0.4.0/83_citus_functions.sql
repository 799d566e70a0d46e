-------------------------------------------------------------------------------
-- 0.4.0: functions of earlier versions made to run on Citus (issue #17),
-- unchanged in what they do.  On a Citus coordinator every statement of a
-- function is a distributed query: it reaches one tenant's shards only when
-- it compares tenant_id with a value (a variable holding current_tenant(),
-- not the function call, which Citus cannot prune by), and a row lock
-- (FOR UPDATE) is only possible in such a statement.  So each function reads
-- the tenant once and every statement names it.
-------------------------------------------------------------------------------

-- settle_automatically (0.2.0): the row locks named by tenant and id
CREATE OR REPLACE FUNCTION settle_automatically(client_id bigint DEFAULT NULL) RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_tenant integer := client_registry.current_tenant();
    c record;
    p record;
    i record;
    n integer := 0;
    unused numeric;
    take numeric;
BEGIN
    FOR c IN SELECT cl.id, cl.settlement_mode
               FROM client_registry.client cl
              WHERE cl.tenant_id = v_tenant
                AND cl.settlement_mode <> 'off'
                AND (settle_automatically.client_id IS NULL OR cl.id = settle_automatically.client_id)
              ORDER BY cl.id
    LOOP
        -- one run per client at a time
        PERFORM 1 FROM client_registry.client cl WHERE cl.tenant_id = v_tenant AND cl.id = c.id FOR NO KEY UPDATE;
        FOR p IN SELECT pm.id, pm.direction, pm.currency, pm.invoice_id, pm.description,
                        pm.division, pm.cost_object,
                        pm.amount - COALESCE((SELECT sum(s.amount) FROM client_registry.settlement s
                                               WHERE s.tenant_id = pm.tenant_id AND s.payment_id = pm.id), 0) AS unused
                   FROM client_registry.payment pm
                  WHERE pm.tenant_id = v_tenant AND pm.client_id = c.id
                  ORDER BY pm.payment_date, pm.id
        LOOP
            unused := p.unused;
            CONTINUE WHEN unused <= 0;
            FOR i IN
                SELECT d.id, d.open_amount
                  FROM (SELECT inv.id, inv.invoice_date,
                               inv.total_gross - COALESCE((SELECT sum(s.amount) FROM client_registry.settlement s
                                                            WHERE s.tenant_id = inv.tenant_id AND s.invoice_id = inv.id), 0) AS open_amount,
                               CASE WHEN inv.id = p.invoice_id THEN 1
                                    WHEN p.description IS NOT NULL AND strpos(p.description, inv.number) > 0
                                         AND (p.division IS NULL OR inv.division IS NOT DISTINCT FROM p.division)
                                         AND (p.cost_object IS NULL OR inv.cost_object IS NOT DISTINCT FROM p.cost_object)
                                    THEN 2
                                    ELSE 3 END AS step
                          FROM client_registry.invoice inv
                         WHERE inv.tenant_id = v_tenant AND inv.client_id = c.id
                           AND inv.status = 'posted' AND inv.currency = p.currency
                           AND inv.direction = CASE WHEN p.direction = 'in' THEN 'sale'::client_registry.document_direction
                                                    ELSE 'purchase'::client_registry.document_direction END) d
                 WHERE d.open_amount > 0 AND (d.step < 3 OR c.settlement_mode = 'all_documents')
                 ORDER BY d.step, d.invoice_date, d.id
            LOOP
                EXIT WHEN unused <= 0;
                -- lock the invoice, then the payment (the order of the settlement
                -- trigger), and re-read both: a settlement made meanwhile counts
                PERFORM 1 FROM client_registry.invoice inv WHERE inv.tenant_id = v_tenant AND inv.id = i.id FOR NO KEY UPDATE;
                PERFORM 1 FROM client_registry.payment pm WHERE pm.tenant_id = v_tenant AND pm.id = p.id FOR NO KEY UPDATE;
                SELECT inv.total_gross - COALESCE((SELECT sum(s.amount) FROM client_registry.settlement s
                                                    WHERE s.tenant_id = inv.tenant_id AND s.invoice_id = inv.id), 0)
                  INTO i.open_amount
                  FROM client_registry.invoice inv WHERE inv.tenant_id = v_tenant AND inv.id = i.id;
                SELECT pm.amount - COALESCE((SELECT sum(s.amount) FROM client_registry.settlement s
                                              WHERE s.tenant_id = pm.tenant_id AND s.payment_id = pm.id), 0)
                  INTO unused
                  FROM client_registry.payment pm WHERE pm.tenant_id = v_tenant AND pm.id = p.id;
                EXIT WHEN unused <= 0;
                CONTINUE WHEN i.open_amount <= 0;
                take := least(unused, i.open_amount);
                INSERT INTO client_registry.settlement (tenant_id, payment_id, invoice_id, amount)
                VALUES (v_tenant, p.id, i.id, take);
                unused := unused - take;
                n := n + 1;
            END LOOP;
        END LOOP;
    END LOOP;
    RETURN n;
END
$fn$;

-- assign_bank_entry (0.3.0): the same
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
-- (and on one node the (tenant_id, ...) indexes serve it).
CREATE OR REPLACE VIEW client_card WITH (security_invoker = true) AS
SELECT c.id, c.tenant_id, c.kind, c.legal_form, c.name, c.short_name, c.first_name, c.last_name,
       c.company_code, c.business_licence, c.vat_code, c.default_vat_rate, c.phone, c.website,
       c.email, c.country, c.is_active,
       c.crm_partner, c.crm_client, c.crm_potential_client, c.crm_group_member,
       c.accounting_category, c.sales_tax_category, c.purchase_tax_category,
       c.sales_payment_term_days, c.purchase_payment_term_days, c.price_category,
       c.sales_responsible, c.purchase_responsible, c.manager, c.manager_priority, c.settlement_mode,
       c.intrastat_transaction_nature, c.intrastat_delivery_terms, c.intrastat_transport_mode,
       c.evrk_code, c.vat_in_debt, c.custom_fields,
       a.id AS primary_address_id, a.street AS address_street, a.city AS address_city,
       a.postal_code AS address_postal_code, a.country AS address_country,
       b.id AS primary_bank_account_id, b.iban, b.bic, b.bank_name,
       p.id AS primary_contact_id, concat_ws(' ', p.first_name, p.last_name) AS contact_name,
       p.email AS contact_email, p.phone AS contact_phone,
       ARRAY(SELECT g.name FROM client_registry.client_group_member m
               JOIN client_registry.client_group g ON g.tenant_id = m.tenant_id AND g.id = m.group_id
              WHERE m.tenant_id = c.tenant_id AND m.client_id = c.id ORDER BY g.name) AS groups,
       ARRAY(SELECT l.name FROM client_registry.client_label cl
               JOIN client_registry.label l ON l.tenant_id = cl.tenant_id AND l.id = cl.label_id
              WHERE cl.tenant_id = c.tenant_id AND cl.client_id = c.id ORDER BY l.name) AS labels,
       c.created_at, c.updated_at,
       v.checked_at AS vies_checked_at, v.vat_code AS vies_vat_code, v.valid AS vies_valid,
       v.returned_name AS vies_name, v.returned_address AS vies_address,
       v.consultation_number AS vies_consultation_number, c.erased_at
  FROM client_registry.client c
  LEFT JOIN client_registry.client_address a ON a.tenant_id = c.tenant_id AND a.client_id = c.id AND a.is_primary
  LEFT JOIN client_registry.client_bank_account b ON b.tenant_id = c.tenant_id AND b.client_id = c.id AND b.is_primary
  LEFT JOIN client_registry.client_contact p ON p.tenant_id = c.tenant_id AND p.client_id = c.id AND p.is_primary
  LEFT JOIN LATERAL (SELECT x.checked_at, x.vat_code, x.valid, x.returned_name, x.returned_address,
                            x.consultation_number
                       FROM client_registry.vat_number_check x
                      WHERE x.tenant_id = c.tenant_id AND x.client_id = c.id
                      ORDER BY x.checked_at DESC, x.id DESC LIMIT 1) v ON true;

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

