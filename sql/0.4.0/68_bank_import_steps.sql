
-------------------------------------------------------------------------------
-- 0.4.0: the steps of import_camt053 as SQL functions (issue #12).  The
-- camt.053 reader stays in C (src/camt053_reader.c, src/camt053_import.c);
-- what it does with a statement's entries is SQL and lives here, beside the
-- tables it writes, instead of strings in the C code.  Every name in them is
-- schema-qualified and each function runs with search_path = pg_catalog, so
-- no search_path of a caller can change what they mean.
--
-- Every step takes the tenant as its first argument and names it in every
-- statement (import_camt053 passes current_tenant()): the rows are the
-- tenant's, and on Citus each statement is routed to that tenant's shards.
-- The steps are PL/pgSQL whose statements run by EXECUTE ... USING (issue
-- #17): planned per call with the tenant as a value, which Citus routes to
-- the tenant's shards (it cannot plan an SQL function's parameters), and the
-- automatic settlement is called from the coordinator, one client at a time
-- (inside a distributed query it would run on a worker).  On one node this
-- costs one plan per statement or batch of 1000 entries.
-- They run with the caller's rights, so the caller's table privileges and
-- the tenant policies apply as they do to import_camt053 itself; they grant
-- nothing a role could not do with plain SQL on the same tables.
-------------------------------------------------------------------------------

-- The own company's account a statement belongs to: the account with the
-- IBAN, preferring the statement's currency.
CREATE FUNCTION bank_import_own_account(tenant integer, iban text, currency text,
                                        OUT account_id bigint, OUT own_client_id bigint, OUT ledger_account text)
    RETURNS SETOF record
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    RETURN QUERY EXECUTE $q$
    SELECT ba.id, ba.client_id, ba.ledger_account::text
      FROM client_registry.client_bank_account ba
      JOIN client_registry.client c ON c.tenant_id = ba.tenant_id AND c.id = ba.client_id
     WHERE ba.tenant_id = $1 AND c.tenant_id = $1 AND c.kind = 'own_company'
       AND ba.iban = $2
     ORDER BY (ba.currency = $3) DESC, ba.id
     LIMIT 1
    $q$ USING tenant, iban, currency;
END
$fn$;
COMMENT ON FUNCTION bank_import_own_account(integer, text, text) IS
    'Step of import_camt053: the own company''s bank account (id, client, ledger account) with the IBAN, the one in the given currency first; no row when the tenant''s own company has no such account.';

-- The statement row: new, or the one imported before (same account and
-- reference); a period end learnt later is kept.
CREATE FUNCTION bank_import_statement(tenant integer, own_client_id bigint, own_account_id bigint, account text,
                                      statement_ref text, message_id text, camt_version integer,
                                      created_at_bank text, from_date text, to_date text)
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    ledger text;
    id bigint;
BEGIN
    EXECUTE $q$
    SELECT ba.ledger_account FROM client_registry.client_bank_account ba
     WHERE ba.tenant_id = $1 AND ba.id = $2
    $q$ INTO ledger USING tenant, own_account_id;
    EXECUTE $q$
    INSERT INTO client_registry.bank_statement (tenant_id, own_client_id, own_account_id, account, statement_ref,
                                                message_id, camt_version, created_at_bank, from_date, to_date,
                                                ledger_account)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz, $9::date, $10::date, $11)
    ON CONFLICT (tenant_id, own_account_id, statement_ref) DO NOTHING
    $q$ USING tenant, own_client_id, own_account_id, account, statement_ref, message_id, camt_version,
              created_at_bank, from_date, to_date, ledger;
    EXECUTE $q$
    UPDATE client_registry.bank_statement s SET to_date = $4::date
     WHERE s.tenant_id = $1 AND s.own_account_id = $2 AND s.statement_ref = $3
       AND s.to_date IS NULL AND $4 IS NOT NULL
    $q$ USING tenant, own_account_id, statement_ref, to_date;
    EXECUTE $q$
    SELECT s.id FROM client_registry.bank_statement s
     WHERE s.tenant_id = $1 AND s.own_account_id = $2 AND s.statement_ref = $3
    $q$ INTO id USING tenant, own_account_id, statement_ref;
    RETURN id;
END
$fn$;
COMMENT ON FUNCTION bank_import_statement(integer, bigint, bigint, text, text, text, integer, text, text, text) IS
    'Step of import_camt053: inserts the bank_statement row (account, reference, message id, camt version, creation time, period) or finds the one imported before with the same account and reference (and records its period end if it had none); returns its id.';

-- One batch of entries (one array per column, in the order below), matched
-- by IBAN as they are inserted: an entry whose counterparty IBAN belongs to
-- exactly one client (not the own company) gets that client; a booked
-- incoming or outgoing amount so matched gets the id of its payment up
-- front, and the payment is inserted by the same statement, so an entry is
-- written once.  An entry whose reference a payment already has is left to
-- bank_import_match.  Returns the ids of the entries that were new (an
-- entry imported before is skipped by its key).  On Citus the entries are
-- inserted, then matched by IBAN, and bank_import_match makes the payments.
CREATE FUNCTION bank_import_entries(tenant integer, statement_id bigint, own_account_id bigint,
        entry_key text[], entry_number integer[], tx_number integer[], amount text[], currency text[],
        credit_debit text[], reversal boolean[], status text[], booking_date text[], value_date text[],
        acct_svcr_ref text[], ntry_ref text[], bank_tx_code text[], bank_tx_proprietary text[],
        end_to_end_id text[], instruction_id text[], mandate_id text[], counterparty_name text[],
        counterparty_iban text[], counterparty_account text[], counterparty_org_id text[],
        counterparty_org_scheme text[], counterparty_private_id text[], counterparty_bic text[],
        remittance text[], creditor_reference text[], document_numbers text[], additional_info text[],
        return_reason text[])
    RETURNS SETOF bigint
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    new_ids bigint[] := '{}';
    new_id bigint;
BEGIN
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        -- Citus runs the parts of a data-modifying WITH one after the other,
        -- and an entry's payment would not exist yet when the entry is
        -- checked: the entries go in first, then are matched by IBAN;
        -- bank_import_match makes the payments of every matched entry.
        FOR new_id IN EXECUTE $q$
        INSERT INTO client_registry.bank_entry (tenant_id, statement_id, own_account_id, entry_key, entry_number,
               tx_number, amount, currency, credit_debit, reversal, status, booking_date, value_date,
               acct_svcr_ref, ntry_ref, bank_tx_code, bank_tx_proprietary, end_to_end_id, instruction_id,
               mandate_id, counterparty_name, counterparty_iban, counterparty_account, counterparty_org_id,
               counterparty_org_scheme, counterparty_private_id, counterparty_bic, remittance,
               creditor_reference, document_numbers, additional_info, return_reason)
        SELECT $1, $2, $3, u.k, u.en, u.tn, u.amt::numeric, u.ccy, u.cd, u.rv, u.st, u.bd::date, u.vd::date,
               u.c13, u.c14, u.c15, u.c16, u.c17, u.c18, u.c19, u.c20, u.c21, u.c22, u.c23, u.c24, u.c25,
               u.c26, u.c27, u.c28, u.c29, u.c30, u.c31
          FROM unnest($4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
                      $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32) WITH ORDINALITY
               AS u(k, en, tn, amt, ccy, cd, rv, st, bd, vd, c13, c14, c15, c16, c17, c18, c19, c20, c21,
                    c22, c23, c24, c25, c26, c27, c28, c29, c30, c31, ord)
         ORDER BY u.ord
        ON CONFLICT (tenant_id, own_account_id, entry_key) DO NOTHING
        RETURNING id
        $q$ USING tenant, statement_id, own_account_id, entry_key, entry_number, tx_number, amount, currency,
                  credit_debit, reversal, status, booking_date, value_date, acct_svcr_ref, ntry_ref, bank_tx_code,
                  bank_tx_proprietary, end_to_end_id, instruction_id, mandate_id, counterparty_name,
                  counterparty_iban, counterparty_account, counterparty_org_id, counterparty_org_scheme,
                  counterparty_private_id, counterparty_bic, remittance, creditor_reference, document_numbers,
                  additional_info, return_reason
        LOOP
            new_ids := new_ids || new_id;
        END LOOP;
        -- by IBAN: exactly one client (not the own company) has it
        EXECUTE $q$
        UPDATE client_registry.bank_entry e
           SET client_id = m.client_id, match_reason = 'iban', matched_at = now()
          FROM (SELECT x.id, min(ba.client_id) AS client_id
                  FROM client_registry.bank_entry x
                  JOIN client_registry.client_bank_account ba ON ba.tenant_id = x.tenant_id
                   AND ba.iban = x.counterparty_iban
                  JOIN client_registry.client c ON c.tenant_id = ba.tenant_id AND c.id = ba.client_id
                 WHERE x.tenant_id = $1 AND x.id = ANY ($2) AND c.kind <> 'own_company'
                 GROUP BY x.id HAVING count(DISTINCT ba.client_id) = 1) m
         WHERE e.tenant_id = $1 AND e.id = m.id
        $q$ USING tenant, new_ids;
        RETURN QUERY SELECT pg_catalog.unnest(new_ids);
        RETURN;
    END IF;
    RETURN QUERY EXECUTE $q$
    WITH u AS (
        SELECT u.*, m.client_id AS matched_client
          FROM unnest($4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
                      $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32) WITH ORDINALITY
               AS u(k, en, tn, amt, ccy, cd, rv, st, bd, vd, c13, c14, c15, c16, c17, c18, c19, c20, c21,
                    c22, c23, c24, c25, c26, c27, c28, c29, c30, c31, ord)
          LEFT JOIN LATERAL (SELECT min(ba.client_id) AS client_id
                               FROM client_registry.client_bank_account ba
                               JOIN client_registry.client c ON c.tenant_id = ba.tenant_id AND c.id = ba.client_id
                              WHERE ba.tenant_id = $1 AND c.tenant_id = $1 AND ba.iban = u.c21
                                AND c.kind <> 'own_company'
                             HAVING count(DISTINCT ba.client_id) = 1) m ON true),
    ins AS (
        INSERT INTO client_registry.bank_entry (tenant_id, statement_id, own_account_id, entry_key, entry_number,
               tx_number, amount, currency, credit_debit, reversal, status, booking_date, value_date,
               acct_svcr_ref, ntry_ref, bank_tx_code, bank_tx_proprietary, end_to_end_id, instruction_id,
               mandate_id, counterparty_name, counterparty_iban, counterparty_account, counterparty_org_id,
               counterparty_org_scheme, counterparty_private_id, counterparty_bic, remittance,
               creditor_reference, document_numbers, additional_info, return_reason,
               client_id, match_reason, matched_at, payment_id)
        SELECT $1, $2, $3, u.k, u.en, u.tn, u.amt::numeric, u.ccy, u.cd, u.rv, u.st, u.bd::date, u.vd::date,
               u.c13, u.c14, u.c15, u.c16, u.c17, u.c18, u.c19, u.c20, u.c21, u.c22, u.c23, u.c24, u.c25,
               u.c26, u.c27, u.c28, u.c29, u.c30, u.c31,
               u.matched_client,
               CASE WHEN u.matched_client IS NOT NULL THEN 'iban'::client_registry.bank_match_reason END,
               CASE WHEN u.matched_client IS NOT NULL THEN now() END,
               CASE WHEN u.matched_client IS NOT NULL AND u.st = 'BOOK' AND u.amt::numeric > 0
                     AND NOT EXISTS (SELECT 1 FROM client_registry.payment p
                                      WHERE p.tenant_id = $1 AND p.reference = u.k)
                    THEN nextval('client_registry.payment_id_seq'::regclass)
               END
          FROM u ORDER BY u.ord
        ON CONFLICT (tenant_id, own_account_id, entry_key) DO NOTHING
        RETURNING id, payment_id, client_id, credit_debit, booking_date, value_date, amount, currency,
                  entry_key, remittance, document_numbers, creditor_reference),
    pay AS (
        INSERT INTO client_registry.payment (tenant_id, id, client_id, direction, payment_date, amount, currency,
                                             reference, description)
        SELECT $1, i.payment_id, i.client_id,
               CASE WHEN i.credit_debit = 'CRDT' THEN 'in'::client_registry.payment_direction
                    ELSE 'out'::client_registry.payment_direction END,
               COALESCE(i.booking_date, i.value_date), i.amount, i.currency, i.entry_key,
               NULLIF(concat_ws(' ', i.remittance, i.document_numbers, i.creditor_reference), '')
          FROM ins i WHERE i.payment_id IS NOT NULL ORDER BY i.id)
    SELECT ins.id FROM ins
    $q$ USING tenant, statement_id, own_account_id, entry_key, entry_number, tx_number, amount, currency,
              credit_debit, reversal, status, booking_date, value_date, acct_svcr_ref, ntry_ref, bank_tx_code,
              bank_tx_proprietary, end_to_end_id, instruction_id, mandate_id, counterparty_name,
              counterparty_iban, counterparty_account, counterparty_org_id, counterparty_org_scheme,
              counterparty_private_id, counterparty_bic, remittance, creditor_reference, document_numbers,
              additional_info, return_reason;
END
$fn$;
COMMENT ON FUNCTION bank_import_entries(integer, bigint, bigint, text[], integer[], integer[], text[], text[], text[], boolean[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[]) IS
    'Step of import_camt053: inserts one batch of entries of a statement (one array per column) and matches each by IBAN (exactly one client, not the own company, has it); a booked amount so matched becomes a payment in the same statement (on Citus in bank_import_match). Entries imported before (same account and entry key) are skipped. Returns the ids of the new entries.';

-- What follows a statement's new entries: the other two ways to find the
-- client, the note of each entry left in the queue, payments for the booked
-- matched ones, links to payments recorded before with the same reference,
-- automatic settlement, and the counts import_camt053 reports.
CREATE FUNCTION bank_import_match(tenant integer, entry_ids bigint[],
                                  OUT matched integer, OUT queued integer, OUT payments integer,
                                  OUT settlements integer)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    c bigint;
BEGIN
    -- (2) invoice numbers: a word of the remittance information (Ustrd,
    -- RfrdDocInf/Nb, CdtrRefInf/Ref) equal to the number of a posted invoice
    -- in the entry's direction (sales for money in, purchases for money
    -- out); all such invoices must belong to one client
    EXECUTE $q$
    UPDATE client_registry.bank_entry e
       SET client_id = m.client_id, match_reason = 'invoice_number', matched_at = now(),
           matched_invoice_id = CASE WHEN m.invoices = 1 THEN m.invoice_id END
      FROM (SELECT x.id, min(i.client_id) AS client_id, min(i.id) AS invoice_id, count(DISTINCT i.id) AS invoices
              FROM client_registry.bank_entry x
              CROSS JOIN LATERAL (SELECT DISTINCT btrim(w, '.:()[]') AS word
                                    FROM regexp_split_to_table(
                                         concat_ws(' ', x.remittance, x.document_numbers, x.creditor_reference),
                                         '[[:space:],;]+') AS w) t
              JOIN client_registry.invoice i ON i.tenant_id = x.tenant_id AND i.number = t.word
               AND i.status = 'posted'
               AND i.direction = CASE WHEN x.credit_debit = 'CRDT' THEN 'sale'::client_registry.document_direction
                                      ELSE 'purchase'::client_registry.document_direction END
             WHERE x.tenant_id = $1 AND x.id = ANY ($2) AND x.client_id IS NULL AND t.word <> ''
             GROUP BY x.id HAVING count(DISTINCT i.client_id) = 1) m
     WHERE e.tenant_id = $1 AND e.id = m.id
    $q$ USING tenant, entry_ids;
    -- (3) the counterparty's organisation id is a client's company code
    EXECUTE $q$
    UPDATE client_registry.bank_entry e
       SET client_id = m.client_id, match_reason = 'company_code', matched_at = now()
      FROM (SELECT x.id, min(c.id) AS client_id
              FROM client_registry.bank_entry x
              JOIN client_registry.client c ON c.tenant_id = x.tenant_id
               AND c.company_code = upper(regexp_replace(x.counterparty_org_id, '[[:space:]]', '', 'g'))
               AND c.legal_form = 'legal_entity' AND c.kind <> 'own_company'
             WHERE x.tenant_id = $1 AND x.id = ANY ($2) AND x.client_id IS NULL
             GROUP BY x.id HAVING count(DISTINCT c.id) = 1) m
     WHERE e.tenant_id = $1 AND e.id = m.id
    $q$ USING tenant, entry_ids;
    -- why an entry waits in the queue (what the other clients' accounts say
    -- is read in FROM: Citus takes no sub-query inside the CASE of an UPDATE)
    EXECUTE $q$
    UPDATE client_registry.bank_entry e SET match_note = CASE
           WHEN e.status <> 'BOOK' THEN 'not booked (status ' || e.status || '): recorded only'
           WHEN f.own_account THEN 'transfer between own accounts'
           WHEN f.clients > 1 THEN 'IBAN ' || e.counterparty_iban || ' belongs to several clients'
           WHEN e.counterparty_iban IS NULL AND e.counterparty_account IS NULL AND e.counterparty_name IS NULL
                THEN 'no counterparty in the statement'
           ELSE 'no client with this IBAN, invoice number or company code' END
      FROM (SELECT x.id,
                   EXISTS (SELECT 1 FROM client_registry.client_bank_account ba
                             JOIN client_registry.client c ON c.tenant_id = ba.tenant_id AND c.id = ba.client_id
                            WHERE ba.tenant_id = x.tenant_id AND ba.iban = x.counterparty_iban
                              AND c.kind = 'own_company') AS own_account,
                   (SELECT count(DISTINCT ba.client_id) FROM client_registry.client_bank_account ba
                     WHERE ba.tenant_id = x.tenant_id AND ba.iban = x.counterparty_iban) AS clients
              FROM client_registry.bank_entry x
             WHERE x.tenant_id = $1 AND x.id = ANY ($2) AND x.client_id IS NULL) f
     WHERE e.tenant_id = $1 AND e.id = f.id
    $q$ USING tenant, entry_ids;
    -- matched booked entries become payments; the reference is the entry key
    EXECUTE $q$
    WITH p AS (
        INSERT INTO client_registry.payment (tenant_id, client_id, direction, payment_date, amount, currency,
                                             reference, description, invoice_id)
        SELECT $1, e.client_id,
               CASE WHEN e.credit_debit = 'CRDT' THEN 'in'::client_registry.payment_direction
                    ELSE 'out'::client_registry.payment_direction END,
               COALESCE(e.booking_date, e.value_date), e.amount, e.currency, e.entry_key,
               NULLIF(concat_ws(' ', e.remittance, e.document_numbers, e.creditor_reference), ''),
               e.matched_invoice_id
          FROM client_registry.bank_entry e
         WHERE e.tenant_id = $1 AND e.id = ANY ($2) AND e.client_id IS NOT NULL AND e.payment_id IS NULL
           AND e.status = 'BOOK' AND e.amount > 0
         ORDER BY e.id
        ON CONFLICT (tenant_id, reference) WHERE reference IS NOT NULL DO NOTHING
        RETURNING id, reference)
    UPDATE client_registry.bank_entry e SET payment_id = p.id
      FROM p WHERE e.tenant_id = $1 AND e.id = ANY ($2) AND e.entry_key = p.reference
    $q$ USING tenant, entry_ids;
    -- a payment recorded before with this bank reference (entered by hand,
    -- say) is linked when it is the same money: client, direction, amount and
    -- currency; otherwise the entry waits in the queue with a note
    EXECUTE $q$
    UPDATE client_registry.bank_entry e
       SET payment_id = CASE WHEN p.client_id = e.client_id AND p.amount = e.amount AND p.currency = e.currency
                              AND (p.direction = 'in') = (e.credit_debit = 'CRDT') THEN p.id END,
           match_note = CASE WHEN p.client_id = e.client_id AND p.amount = e.amount AND p.currency = e.currency
                              AND (p.direction = 'in') = (e.credit_debit = 'CRDT')
                             THEN 'linked to payment ' || p.id::text || ' recorded before with this reference'
                             ELSE 'payment ' || p.id::text || ' already uses the reference ' || e.entry_key END
      FROM client_registry.payment p
     WHERE e.tenant_id = $1 AND e.id = ANY ($2) AND e.client_id IS NOT NULL AND e.payment_id IS NULL
       AND e.status = 'BOOK' AND e.amount > 0 AND p.tenant_id = $1 AND p.reference = e.entry_key
    $q$ USING tenant, entry_ids;
    -- automatic settlement of each client that got a payment, called here
    -- (on the coordinator on Citus), one client at a time
    settlements := 0;
    FOR c IN EXECUTE $q$
        SELECT cl.id FROM client_registry.client cl
         WHERE cl.tenant_id = $1 AND cl.settlement_mode <> 'off'
           AND cl.id IN (SELECT e.client_id FROM client_registry.bank_entry e
                          WHERE e.tenant_id = $1 AND e.id = ANY ($2) AND e.payment_id IS NOT NULL)
         ORDER BY cl.id
    $q$ USING tenant, entry_ids
    LOOP
        settlements := settlements + client_registry.settle_automatically(c);
    END LOOP;
    EXECUTE $q$
    SELECT (count(*) FILTER (WHERE e.client_id IS NOT NULL))::integer,
           (count(*) FILTER (WHERE e.payment_id IS NULL AND e.status = 'BOOK'))::integer,
           (count(*) FILTER (WHERE e.payment_id IS NOT NULL))::integer
      FROM client_registry.bank_entry e
     WHERE e.tenant_id = $1 AND e.id = ANY ($2)
    $q$ INTO matched, queued, payments USING tenant, entry_ids;
END
$fn$;
COMMENT ON FUNCTION bank_import_match(integer, bigint[]) IS
    'Step of import_camt053, after a statement''s entries are in: matches the new entries still without a client by invoice number (remittance words = numbers of posted invoices of one client in the entry''s direction) and by company code (counterparty organisation id), notes why the others wait in the queue, turns matched booked entries into payments (or links a payment recorded before with the same reference when it is the same money), settles automatically, and returns the counts.';
