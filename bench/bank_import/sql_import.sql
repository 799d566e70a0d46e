-- bench/bank_import/sql_import.sql: the same import written in SQL with
-- PostgreSQL's own XML functions, for comparison with the C import_camt053:
--   bench_import_xpath(doc)     xpath() per field of each entry (the way
--                               SQL code usually does it);
--   bench_import_xmltable(doc)  XMLTABLE over the entries (one parse).
-- Both record the entries with the same statement shape as the C import
-- (matched by IBAN as they are inserted, the payments of those inserted by
-- the same statement with their ids drawn up front) and then run exactly
-- the statements the C import runs (bench_after_insert: the matching by
-- invoice number and company code, the notes, the remaining payments and
-- links, automatic settlement).  They read the camt.053.001.02
-- shape the benchmark generates (one TxDtls per entry), not every version.

CREATE FUNCTION public.bench_after_insert(ids bigint[]) RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE n integer;
BEGIN
    UPDATE client_registry.bank_entry e
       SET client_id = m.client_id, match_reason = 'invoice_number', matched_at = now(),
           matched_invoice_id = CASE WHEN m.invoices = 1 THEN m.invoice_id END
      FROM (SELECT x.id, min(i.client_id) AS client_id, min(i.id) AS invoice_id, count(DISTINCT i.id) AS invoices
              FROM client_registry.bank_entry x
              CROSS JOIN LATERAL (SELECT DISTINCT btrim(w, '.:()[]') AS word
                     FROM regexp_split_to_table(concat_ws(' ', x.remittance, x.document_numbers, x.creditor_reference),
                                                '[[:space:],;]+') AS w) t
              JOIN client_registry.invoice i ON i.tenant_id = x.tenant_id AND i.number = t.word AND i.status = 'posted'
               AND i.direction = CASE x.credit_debit WHEN 'CRDT' THEN 'sale' ELSE 'purchase' END::client_registry.document_direction
             WHERE x.id = ANY (ids) AND x.client_id IS NULL AND t.word <> ''
             GROUP BY x.id HAVING count(DISTINCT i.client_id) = 1) m
     WHERE e.id = m.id;
    UPDATE client_registry.bank_entry e
       SET client_id = m.client_id, match_reason = 'company_code', matched_at = now()
      FROM (SELECT x.id, min(c.id) AS client_id
              FROM client_registry.bank_entry x
              JOIN client_registry.client c ON c.tenant_id = x.tenant_id
               AND c.company_code = upper(regexp_replace(x.counterparty_org_id, '[[:space:]]', '', 'g'))
               AND c.legal_form = 'legal_entity' AND c.kind <> 'own_company'
             WHERE x.id = ANY (ids) AND x.client_id IS NULL
             GROUP BY x.id HAVING count(DISTINCT c.id) = 1) m
     WHERE e.id = m.id;
    UPDATE client_registry.bank_entry e SET match_note = CASE
       WHEN e.status <> 'BOOK' THEN 'not booked (status ' || e.status || '): recorded only'
       WHEN EXISTS (SELECT 1 FROM client_registry.client_bank_account ba
                      JOIN client_registry.client c ON c.tenant_id = ba.tenant_id AND c.id = ba.client_id
                     WHERE ba.tenant_id = e.tenant_id AND ba.iban = e.counterparty_iban AND c.kind = 'own_company')
            THEN 'transfer between own accounts'
       WHEN (SELECT count(DISTINCT ba.client_id) FROM client_registry.client_bank_account ba
              WHERE ba.tenant_id = e.tenant_id AND ba.iban = e.counterparty_iban) > 1
            THEN 'IBAN ' || e.counterparty_iban || ' belongs to several clients'
       WHEN e.counterparty_iban IS NULL AND e.counterparty_account IS NULL AND e.counterparty_name IS NULL
            THEN 'no counterparty in the statement'
       ELSE 'no client with this IBAN, invoice number or company code' END
     WHERE e.id = ANY (ids) AND e.client_id IS NULL;
    WITH p AS (
        INSERT INTO client_registry.payment (client_id, direction, payment_date, amount, currency, reference, description, invoice_id)
        SELECT e.client_id, CASE e.credit_debit WHEN 'CRDT' THEN 'in' ELSE 'out' END::client_registry.payment_direction,
               COALESCE(e.booking_date, e.value_date), e.amount, e.currency, e.entry_key,
               NULLIF(concat_ws(' ', e.remittance, e.document_numbers, e.creditor_reference), ''), e.matched_invoice_id
          FROM client_registry.bank_entry e
         WHERE e.id = ANY (ids) AND e.client_id IS NOT NULL AND e.payment_id IS NULL AND e.status = 'BOOK' AND e.amount > 0
         ORDER BY e.id
        ON CONFLICT (tenant_id, reference) WHERE reference IS NOT NULL DO NOTHING
        RETURNING id, reference)
    UPDATE client_registry.bank_entry e SET payment_id = p.id FROM p WHERE e.id = ANY (ids) AND e.entry_key = p.reference;
    PERFORM sum(client_registry.settle_automatically(c.id))
       FROM client_registry.client c
      WHERE c.tenant_id = client_registry.current_tenant() AND c.settlement_mode <> 'off'
        AND c.id IN (SELECT e.client_id FROM client_registry.bank_entry e WHERE e.id = ANY (ids) AND e.payment_id IS NOT NULL);
    SELECT count(*) INTO n FROM client_registry.bank_entry WHERE id = ANY (ids) AND payment_id IS NOT NULL;
    RETURN n;
END
$fn$;

-- the own account and the statement row (as the C import does them)
CREATE FUNCTION public.bench_statement(stmt xml, ns text[], version int, OUT statement_id bigint, OUT own_account_id bigint)
LANGUAGE plpgsql AS $fn$
DECLARE acct text; own_client bigint; ref text;
BEGIN
    acct := upper(replace((xpath('/c:Stmt/c:Acct/c:Id/c:IBAN/text()', stmt, ns))[1]::text, ' ', ''));
    ref := (xpath('/c:Stmt/c:Id/text()', stmt, ns))[1]::text;
    SELECT ba.id, ba.client_id INTO own_account_id, own_client
      FROM client_registry.client_bank_account ba JOIN client_registry.client c ON c.tenant_id = ba.tenant_id AND c.id = ba.client_id
     WHERE ba.tenant_id = client_registry.current_tenant() AND c.kind = 'own_company' AND ba.iban = acct LIMIT 1;
    IF NOT FOUND THEN RAISE EXCEPTION 'account % is not an own account', acct USING ERRCODE = 'R3401'; END IF;
    INSERT INTO client_registry.bank_statement (own_client_id, own_account_id, account, statement_ref, camt_version, created_at_bank)
    VALUES (own_client, own_account_id, acct, ref, version, (xpath('/c:Stmt/c:CreDtTm/text()', stmt, ns))[1]::text::timestamptz)
    ON CONFLICT ON CONSTRAINT bank_statement_ref_key DO NOTHING RETURNING id INTO statement_id;
    IF statement_id IS NULL THEN
        SELECT s.id INTO statement_id FROM client_registry.bank_statement s
         WHERE s.tenant_id = client_registry.current_tenant() AND s.own_account_id = bench_statement.own_account_id AND s.statement_ref = ref;
    END IF;
END
$fn$;

CREATE FUNCTION public.bench_import_xpath(doc text) RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE
    x xml := doc::xml;
    ns text[] := ARRAY[ARRAY['c', (xpath('namespace-uri(/*)', x))[1]::text]];
    stmt xml;
    st record;
    ids bigint[];
BEGIN
    FOREACH stmt IN ARRAY xpath('/c:Document/c:BkToCstmrStmt/c:Stmt', x, ns) LOOP
        st := public.bench_statement(stmt, ns, right(ns[1][2], 2)::int);
        WITH ins AS (
            INSERT INTO client_registry.bank_entry (statement_id, own_account_id, entry_key, entry_number, tx_number,
                   amount, currency, credit_debit, reversal, status, booking_date, value_date, acct_svcr_ref, ntry_ref,
                   bank_tx_code, bank_tx_proprietary, end_to_end_id, instruction_id, mandate_id, counterparty_name,
                   counterparty_iban, counterparty_account, counterparty_org_id, counterparty_org_scheme,
                   counterparty_private_id, counterparty_bic, remittance, creditor_reference, document_numbers,
                   additional_info, return_reason, client_id, match_reason, matched_at, payment_id)
            SELECT r.*, m.client_id, CASE WHEN m.client_id IS NOT NULL THEN 'iban'::client_registry.bank_match_reason END,
                   CASE WHEN m.client_id IS NOT NULL THEN now() END,
                   CASE WHEN m.client_id IS NOT NULL AND r.st = 'BOOK' AND r.amt > 0
                         AND NOT EXISTS (SELECT 1 FROM client_registry.payment p
                                          WHERE p.tenant_id = client_registry.current_tenant() AND p.reference = r.k)
                        THEN nextval('client_registry.payment_id_seq'::regclass) END
              FROM (SELECT st.statement_id, st.own_account_id, (xpath('/c:Ntry/c:AcctSvcrRef/text()', n, ns))[1]::text AS k, o, 0,
                   (xpath('/c:Ntry/c:Amt/text()', n, ns))[1]::text::numeric AS amt, (xpath('/c:Ntry/c:Amt/@Ccy', n, ns))[1]::text,
                   (xpath('/c:Ntry/c:CdtDbtInd/text()', n, ns))[1]::text,
                   coalesce((xpath('/c:Ntry/c:RvslInd/text()', n, ns))[1]::text = 'true', false),
                   coalesce((xpath('/c:Ntry/c:Sts/c:Cd/text()', n, ns))[1]::text, (xpath('/c:Ntry/c:Sts/text()', n, ns))[1]::text) AS st,
                   left(coalesce((xpath('/c:Ntry/c:BookgDt/c:Dt/text()', n, ns))[1]::text, (xpath('/c:Ntry/c:BookgDt/c:DtTm/text()', n, ns))[1]::text), 10)::date,
                   left(coalesce((xpath('/c:Ntry/c:ValDt/c:Dt/text()', n, ns))[1]::text, (xpath('/c:Ntry/c:ValDt/c:DtTm/text()', n, ns))[1]::text), 10)::date,
                   (xpath('/c:Ntry/c:AcctSvcrRef/text()', n, ns))[1]::text, (xpath('/c:Ntry/c:NtryRef/text()', n, ns))[1]::text,
                   concat_ws('/', (xpath('/c:Ntry/c:BkTxCd/c:Domn/c:Cd/text()', n, ns))[1]::text,
                                  (xpath('/c:Ntry/c:BkTxCd/c:Domn/c:Fmly/c:Cd/text()', n, ns))[1]::text,
                                  (xpath('/c:Ntry/c:BkTxCd/c:Domn/c:Fmly/c:SubFmlyCd/text()', n, ns))[1]::text),
                   (xpath('/c:Ntry/c:BkTxCd/c:Prtry/c:Cd/text()', n, ns))[1]::text,
                   (xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:Refs/c:EndToEndId/text()', n, ns))[1]::text,
                   (xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:Refs/c:InstrId/text()', n, ns))[1]::text,
                   (xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:Refs/c:MndtId/text()', n, ns))[1]::text,
                   (xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:RltdPties/c:Dbtr/c:Nm/text()', n, ns))[1]::text,
                   upper(replace((xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:RltdPties/c:DbtrAcct/c:Id/c:IBAN/text()', n, ns))[1]::text, ' ', '')) AS cp_iban,
                   (xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:RltdPties/c:DbtrAcct/c:Id/c:Othr/c:Id/text()', n, ns))[1]::text,
                   (xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:RltdPties/c:Dbtr/c:Id/c:OrgId/c:Othr/c:Id/text()', n, ns))[1]::text,
                   (xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:RltdPties/c:Dbtr/c:Id/c:OrgId/c:Othr/c:SchmeNm/c:Cd/text()', n, ns))[1]::text,
                   (xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:RltdPties/c:Dbtr/c:Id/c:PrvtId/c:Othr/c:Id/text()', n, ns))[1]::text,
                   (xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:RltdAgts/c:DbtrAgt/c:FinInstnId/c:BIC/text()', n, ns))[1]::text,
                   array_to_string(xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:RmtInf/c:Ustrd/text()', n, ns)::text[], ' '),
                   (xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref/text()', n, ns))[1]::text,
                   NULLIF(array_to_string(xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:RmtInf/c:Strd/c:RfrdDocInf/c:Nb/text()', n, ns)::text[], ' '), ''),
                   (xpath('/c:Ntry/c:AddtlNtryInf/text()', n, ns))[1]::text,
                   (xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:RtrInf/c:Rsn/c:Cd/text()', n, ns))[1]::text
              FROM unnest(xpath('/c:Stmt/c:Ntry', stmt, ns)) WITH ORDINALITY AS t(n, o)
) r
              LEFT JOIN LATERAL (SELECT min(ba.client_id) AS client_id
                     FROM client_registry.client_bank_account ba
                     JOIN client_registry.client c ON c.tenant_id = ba.tenant_id AND c.id = ba.client_id
                    WHERE ba.tenant_id = client_registry.current_tenant() AND ba.iban = r.cp_iban
                      AND c.kind <> 'own_company'
                   HAVING count(DISTINCT ba.client_id) = 1) m ON true
            ON CONFLICT ON CONSTRAINT bank_entry_key DO NOTHING
            RETURNING id, payment_id, client_id, credit_debit, booking_date, value_date, amount, currency, entry_key,
                      remittance, document_numbers, creditor_reference),
        pay AS (
            INSERT INTO client_registry.payment (id, client_id, direction, payment_date, amount, currency, reference, description)
            SELECT i.payment_id, i.client_id, CASE i.credit_debit WHEN 'CRDT' THEN 'in' ELSE 'out' END::client_registry.payment_direction,
                   COALESCE(i.booking_date, i.value_date), i.amount, i.currency, i.entry_key,
                   NULLIF(concat_ws(' ', i.remittance, i.document_numbers, i.creditor_reference), '')
              FROM ins i WHERE i.payment_id IS NOT NULL ORDER BY i.id)
        SELECT array_agg(id) INTO ids FROM ins;
        PERFORM public.bench_after_insert(coalesce(ids, '{}'));
    END LOOP;
    RETURN coalesce(cardinality(ids), 0);
END
$fn$;

CREATE FUNCTION public.bench_import_xmltable(doc text) RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE
    x xml := doc::xml;
    ns text := (xpath('namespace-uri(/*)', x))[1]::text;
    stmt xml;
    st record;
    ids bigint[];
BEGIN
    FOREACH stmt IN ARRAY xpath('/c:Document/c:BkToCstmrStmt/c:Stmt', x, ARRAY[ARRAY['c', ns]]) LOOP
        st := public.bench_statement(stmt, ARRAY[ARRAY['c', ns]], right(ns, 2)::int);
        WITH ins AS (
            INSERT INTO client_registry.bank_entry (statement_id, own_account_id, entry_key, entry_number, tx_number,
                   amount, currency, credit_debit, reversal, status, booking_date, value_date, acct_svcr_ref, ntry_ref,
                   bank_tx_code, bank_tx_proprietary, end_to_end_id, instruction_id, mandate_id, counterparty_name,
                   counterparty_iban, counterparty_account, counterparty_org_id, counterparty_org_scheme,
                   counterparty_private_id, counterparty_bic, remittance, creditor_reference, document_numbers,
                   additional_info, return_reason, client_id, match_reason, matched_at, payment_id)
            SELECT r.*, m.client_id, CASE WHEN m.client_id IS NOT NULL THEN 'iban'::client_registry.bank_match_reason END,
                   CASE WHEN m.client_id IS NOT NULL THEN now() END,
                   CASE WHEN m.client_id IS NOT NULL AND r.st = 'BOOK' AND r.amt > 0
                         AND NOT EXISTS (SELECT 1 FROM client_registry.payment p
                                          WHERE p.tenant_id = client_registry.current_tenant() AND p.reference = r.k)
                        THEN nextval('client_registry.payment_id_seq'::regclass) END
              FROM (SELECT st.statement_id, st.own_account_id, t.ref AS k, t.o, 0, t.amount::numeric AS amt, t.ccy, t.cdi,
                   coalesce(t.rvsl = 'true', false), coalesce(t.sts_cd, t.sts) AS st, left(coalesce(t.bookg_dt, t.bookg_dttm), 10)::date,
                   left(coalesce(t.val_dt, t.val_dttm), 10)::date, t.ref, t.ntry_ref,
                   NULLIF(concat_ws('/', t.domn, t.fmly, t.subfmly), ''), t.prtry, t.e2e, t.instr, t.mndt, t.cp_name,
                   upper(replace(t.cp_iban, ' ', '')) AS cp_iban, t.cp_othr, t.org_id, t.org_scheme, t.prvt_id, t.bic,
                   t.ustrd, t.cdtr_ref, t.doc_nb, t.addtl, t.rtr
              FROM XMLTABLE(XMLNAMESPACES(ns AS c), '/c:Stmt/c:Ntry' PASSING stmt COLUMNS
                   o for ordinality,
                   amount text PATH 'c:Amt', ccy text PATH 'c:Amt/@Ccy', cdi text PATH 'c:CdtDbtInd',
                   rvsl text PATH 'c:RvslInd', sts_cd text PATH 'c:Sts/c:Cd', sts text PATH 'c:Sts[not(c:Cd)]',
                   bookg_dt text PATH 'c:BookgDt/c:Dt', bookg_dttm text PATH 'c:BookgDt/c:DtTm',
                   val_dt text PATH 'c:ValDt/c:Dt', val_dttm text PATH 'c:ValDt/c:DtTm',
                   ref text PATH 'c:AcctSvcrRef', ntry_ref text PATH 'c:NtryRef',
                   domn text PATH 'c:BkTxCd/c:Domn/c:Cd', fmly text PATH 'c:BkTxCd/c:Domn/c:Fmly/c:Cd',
                   subfmly text PATH 'c:BkTxCd/c:Domn/c:Fmly/c:SubFmlyCd', prtry text PATH 'c:BkTxCd/c:Prtry/c:Cd',
                   e2e text PATH 'c:NtryDtls/c:TxDtls/c:Refs/c:EndToEndId', instr text PATH 'c:NtryDtls/c:TxDtls/c:Refs/c:InstrId',
                   mndt text PATH 'c:NtryDtls/c:TxDtls/c:Refs/c:MndtId',
                   cp_name text PATH 'c:NtryDtls/c:TxDtls/c:RltdPties/c:Dbtr/c:Nm',
                   cp_iban text PATH 'c:NtryDtls/c:TxDtls/c:RltdPties/c:DbtrAcct/c:Id/c:IBAN',
                   cp_othr text PATH 'c:NtryDtls/c:TxDtls/c:RltdPties/c:DbtrAcct/c:Id/c:Othr/c:Id',
                   org_id text PATH 'c:NtryDtls/c:TxDtls/c:RltdPties/c:Dbtr/c:Id/c:OrgId/c:Othr/c:Id',
                   org_scheme text PATH 'c:NtryDtls/c:TxDtls/c:RltdPties/c:Dbtr/c:Id/c:OrgId/c:Othr/c:SchmeNm/c:Cd',
                   prvt_id text PATH 'c:NtryDtls/c:TxDtls/c:RltdPties/c:Dbtr/c:Id/c:PrvtId/c:Othr/c:Id',
                   bic text PATH 'c:NtryDtls/c:TxDtls/c:RltdAgts/c:DbtrAgt/c:FinInstnId/c:BIC',
                   ustrd text PATH 'c:NtryDtls/c:TxDtls/c:RmtInf/c:Ustrd[1]',
                   cdtr_ref text PATH 'c:NtryDtls/c:TxDtls/c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref',
                   doc_nb text PATH 'c:NtryDtls/c:TxDtls/c:RmtInf/c:Strd/c:RfrdDocInf/c:Nb',
                   addtl text PATH 'c:AddtlNtryInf', rtr text PATH 'c:NtryDtls/c:TxDtls/c:RtrInf/c:Rsn/c:Cd') t
) r
              LEFT JOIN LATERAL (SELECT min(ba.client_id) AS client_id
                     FROM client_registry.client_bank_account ba
                     JOIN client_registry.client c ON c.tenant_id = ba.tenant_id AND c.id = ba.client_id
                    WHERE ba.tenant_id = client_registry.current_tenant() AND ba.iban = r.cp_iban
                      AND c.kind <> 'own_company'
                   HAVING count(DISTINCT ba.client_id) = 1) m ON true
            ON CONFLICT ON CONSTRAINT bank_entry_key DO NOTHING
            RETURNING id, payment_id, client_id, credit_debit, booking_date, value_date, amount, currency, entry_key,
                      remittance, document_numbers, creditor_reference),
        pay AS (
            INSERT INTO client_registry.payment (id, client_id, direction, payment_date, amount, currency, reference, description)
            SELECT i.payment_id, i.client_id, CASE i.credit_debit WHEN 'CRDT' THEN 'in' ELSE 'out' END::client_registry.payment_direction,
                   COALESCE(i.booking_date, i.value_date), i.amount, i.currency, i.entry_key,
                   NULLIF(concat_ws(' ', i.remittance, i.document_numbers, i.creditor_reference), '')
              FROM ins i WHERE i.payment_id IS NOT NULL ORDER BY i.id)
        SELECT array_agg(id) INTO ids FROM ins;
        PERFORM public.bench_after_insert(coalesce(ids, '{}'));
    END LOOP;
    RETURN coalesce(cardinality(ids), 0);
END
$fn$;

-- Reading only (no statement row, no insert): the XML reading cost alone.
CREATE FUNCTION public.bench_read_xpath(doc text) RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
    x xml := doc::xml;
    ns text[] := ARRAY[ARRAY['c', (xpath('namespace-uri(/*)', x))[1]::text]];
    stmt xml;
    cnt bigint;
    total bigint := 0;
BEGIN
    FOREACH stmt IN ARRAY xpath('/c:Document/c:BkToCstmrStmt/c:Stmt', x, ns) LOOP
        SELECT count(r.*) INTO cnt FROM (
            SELECT 0::bigint, 0::bigint, (xpath('/c:Ntry/c:AcctSvcrRef/text()', n, ns))[1]::text, o, 0,
                   (xpath('/c:Ntry/c:Amt/text()', n, ns))[1]::text::numeric, (xpath('/c:Ntry/c:Amt/@Ccy', n, ns))[1]::text,
                   (xpath('/c:Ntry/c:CdtDbtInd/text()', n, ns))[1]::text,
                   coalesce((xpath('/c:Ntry/c:RvslInd/text()', n, ns))[1]::text = 'true', false),
                   coalesce((xpath('/c:Ntry/c:Sts/c:Cd/text()', n, ns))[1]::text, (xpath('/c:Ntry/c:Sts/text()', n, ns))[1]::text),
                   left(coalesce((xpath('/c:Ntry/c:BookgDt/c:Dt/text()', n, ns))[1]::text, (xpath('/c:Ntry/c:BookgDt/c:DtTm/text()', n, ns))[1]::text), 10)::date,
                   left(coalesce((xpath('/c:Ntry/c:ValDt/c:Dt/text()', n, ns))[1]::text, (xpath('/c:Ntry/c:ValDt/c:DtTm/text()', n, ns))[1]::text), 10)::date,
                   (xpath('/c:Ntry/c:AcctSvcrRef/text()', n, ns))[1]::text, (xpath('/c:Ntry/c:NtryRef/text()', n, ns))[1]::text,
                   concat_ws('/', (xpath('/c:Ntry/c:BkTxCd/c:Domn/c:Cd/text()', n, ns))[1]::text,
                                  (xpath('/c:Ntry/c:BkTxCd/c:Domn/c:Fmly/c:Cd/text()', n, ns))[1]::text,
                                  (xpath('/c:Ntry/c:BkTxCd/c:Domn/c:Fmly/c:SubFmlyCd/text()', n, ns))[1]::text),
                   (xpath('/c:Ntry/c:BkTxCd/c:Prtry/c:Cd/text()', n, ns))[1]::text,
                   (xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:Refs/c:EndToEndId/text()', n, ns))[1]::text,
                   (xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:Refs/c:InstrId/text()', n, ns))[1]::text,
                   (xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:Refs/c:MndtId/text()', n, ns))[1]::text,
                   (xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:RltdPties/c:Dbtr/c:Nm/text()', n, ns))[1]::text,
                   upper(replace((xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:RltdPties/c:DbtrAcct/c:Id/c:IBAN/text()', n, ns))[1]::text, ' ', '')),
                   (xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:RltdPties/c:DbtrAcct/c:Id/c:Othr/c:Id/text()', n, ns))[1]::text,
                   (xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:RltdPties/c:Dbtr/c:Id/c:OrgId/c:Othr/c:Id/text()', n, ns))[1]::text,
                   (xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:RltdPties/c:Dbtr/c:Id/c:OrgId/c:Othr/c:SchmeNm/c:Cd/text()', n, ns))[1]::text,
                   (xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:RltdPties/c:Dbtr/c:Id/c:PrvtId/c:Othr/c:Id/text()', n, ns))[1]::text,
                   (xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:RltdAgts/c:DbtrAgt/c:FinInstnId/c:BIC/text()', n, ns))[1]::text,
                   array_to_string(xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:RmtInf/c:Ustrd/text()', n, ns)::text[], ' '),
                   (xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref/text()', n, ns))[1]::text,
                   NULLIF(array_to_string(xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:RmtInf/c:Strd/c:RfrdDocInf/c:Nb/text()', n, ns)::text[], ' '), ''),
                   (xpath('/c:Ntry/c:AddtlNtryInf/text()', n, ns))[1]::text,
                   (xpath('/c:Ntry/c:NtryDtls/c:TxDtls/c:RtrInf/c:Rsn/c:Cd/text()', n, ns))[1]::text
              FROM unnest(xpath('/c:Stmt/c:Ntry', stmt, ns)) WITH ORDINALITY AS t(n, o)
            ) r;
        total := total + cnt;
    END LOOP;
    RETURN total;
END
$fn$;

CREATE FUNCTION public.bench_read_xmltable(doc text) RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
    x xml := doc::xml;
    ns text := (xpath('namespace-uri(/*)', x))[1]::text;
    stmt xml;
    cnt bigint;
    total bigint := 0;
BEGIN
    FOREACH stmt IN ARRAY xpath('/c:Document/c:BkToCstmrStmt/c:Stmt', x, ARRAY[ARRAY['c', ns]]) LOOP
        SELECT count(r.*) INTO cnt FROM (
            SELECT 0::bigint, 0::bigint, t.ref, t.o, 0, t.amount::numeric, t.ccy, t.cdi,
                   coalesce(t.rvsl = 'true', false), coalesce(t.sts_cd, t.sts), left(coalesce(t.bookg_dt, t.bookg_dttm), 10)::date,
                   left(coalesce(t.val_dt, t.val_dttm), 10)::date, t.ref, t.ntry_ref,
                   NULLIF(concat_ws('/', t.domn, t.fmly, t.subfmly), ''), t.prtry, t.e2e, t.instr, t.mndt, t.cp_name,
                   upper(replace(t.cp_iban, ' ', '')), t.cp_othr, t.org_id, t.org_scheme, t.prvt_id, t.bic,
                   t.ustrd, t.cdtr_ref, t.doc_nb, t.addtl, t.rtr
              FROM XMLTABLE(XMLNAMESPACES(ns AS c), '/c:Stmt/c:Ntry' PASSING stmt COLUMNS
                   o for ordinality,
                   amount text PATH 'c:Amt', ccy text PATH 'c:Amt/@Ccy', cdi text PATH 'c:CdtDbtInd',
                   rvsl text PATH 'c:RvslInd', sts_cd text PATH 'c:Sts/c:Cd', sts text PATH 'c:Sts[not(c:Cd)]',
                   bookg_dt text PATH 'c:BookgDt/c:Dt', bookg_dttm text PATH 'c:BookgDt/c:DtTm',
                   val_dt text PATH 'c:ValDt/c:Dt', val_dttm text PATH 'c:ValDt/c:DtTm',
                   ref text PATH 'c:AcctSvcrRef', ntry_ref text PATH 'c:NtryRef',
                   domn text PATH 'c:BkTxCd/c:Domn/c:Cd', fmly text PATH 'c:BkTxCd/c:Domn/c:Fmly/c:Cd',
                   subfmly text PATH 'c:BkTxCd/c:Domn/c:Fmly/c:SubFmlyCd', prtry text PATH 'c:BkTxCd/c:Prtry/c:Cd',
                   e2e text PATH 'c:NtryDtls/c:TxDtls/c:Refs/c:EndToEndId', instr text PATH 'c:NtryDtls/c:TxDtls/c:Refs/c:InstrId',
                   mndt text PATH 'c:NtryDtls/c:TxDtls/c:Refs/c:MndtId',
                   cp_name text PATH 'c:NtryDtls/c:TxDtls/c:RltdPties/c:Dbtr/c:Nm',
                   cp_iban text PATH 'c:NtryDtls/c:TxDtls/c:RltdPties/c:DbtrAcct/c:Id/c:IBAN',
                   cp_othr text PATH 'c:NtryDtls/c:TxDtls/c:RltdPties/c:DbtrAcct/c:Id/c:Othr/c:Id',
                   org_id text PATH 'c:NtryDtls/c:TxDtls/c:RltdPties/c:Dbtr/c:Id/c:OrgId/c:Othr/c:Id',
                   org_scheme text PATH 'c:NtryDtls/c:TxDtls/c:RltdPties/c:Dbtr/c:Id/c:OrgId/c:Othr/c:SchmeNm/c:Cd',
                   prvt_id text PATH 'c:NtryDtls/c:TxDtls/c:RltdPties/c:Dbtr/c:Id/c:PrvtId/c:Othr/c:Id',
                   bic text PATH 'c:NtryDtls/c:TxDtls/c:RltdAgts/c:DbtrAgt/c:FinInstnId/c:BIC',
                   ustrd text PATH 'c:NtryDtls/c:TxDtls/c:RmtInf/c:Ustrd[1]',
                   cdtr_ref text PATH 'c:NtryDtls/c:TxDtls/c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref',
                   doc_nb text PATH 'c:NtryDtls/c:TxDtls/c:RmtInf/c:Strd/c:RfrdDocInf/c:Nb',
                   addtl text PATH 'c:AddtlNtryInf', rtr text PATH 'c:NtryDtls/c:TxDtls/c:RtrInf/c:Rsn/c:Cd') t
            ) r;
        total := total + cnt;
    END LOOP;
    RETURN total;
END
$fn$;
