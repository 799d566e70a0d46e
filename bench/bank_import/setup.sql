-- bench/bank_import/setup.sql: the own company with its account, :N clients
-- each with one bank account (valid LT IBAN), and a camt.053.001.02 statement
-- of :N credit entries: 90% from the clients' IBANs, 10% from unknown ones.
SET client_registry.tenant = 1;
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (1, 'own_company', 'UAB Savi', '110003978');
INSERT INTO client_registry.client_bank_account (client_id, iban, ledger_account) VALUES (1, 'LT817044000000000001', '2711');
INSERT INTO client_registry.client (id, kind, name, sales_tax_category)
SELECT 1 + i, 'buyer', 'Client ' || i, 'PVM1' FROM generate_series(1, :N) i;
CREATE FUNCTION pg_temp.lt_iban(n bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT 'LT' || lpad((98 - ((bban || '212900')::numeric % 97))::int::text, 2, '0') || bban
      FROM (SELECT '70440' || lpad(n::text, 11, '0') AS bban) b $$;
INSERT INTO client_registry.client_bank_account (client_id, iban)
SELECT 1 + i, pg_temp.lt_iban(1000 + i) FROM generate_series(1, :N) i;
ALTER TABLE client_registry.client SET (autovacuum_enabled = true);
CREATE TABLE public.bench_doc (doc text);
INSERT INTO public.bench_doc
SELECT '<?xml version="1.0" encoding="UTF-8"?>'
    || '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
    || '<GrpHdr><MsgId>BENCH</MsgId><CreDtTm>2026-11-25T10:00:00</CreDtTm></GrpHdr>'
    || '<Stmt><Id>BENCH-1</Id><CreDtTm>2026-11-25T10:00:00</CreDtTm>'
    || '<Acct><Id><IBAN>LT817044000000000001</IBAN></Id><Ccy>EUR</Ccy></Acct>'
    || string_agg(format(
        '<Ntry><Amt Ccy="EUR">%s</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
        '<BookgDt><Dt>2026-11-25</Dt></BookgDt><ValDt><Dt>2026-11-25</Dt></ValDt>'
        '<AcctSvcrRef>BENCH-%s</AcctSvcrRef>'
        '<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>'
        '<NtryDtls><TxDtls><Refs><EndToEndId>E2E-%s</EndToEndId></Refs>'
        '<AmtDtls><TxAmt><Amt Ccy="EUR">%s</Amt></TxAmt></AmtDtls>'
        '<RltdPties><Dbtr><Nm>Client %s</Nm></Dbtr><DbtrAcct><Id><IBAN>%s</IBAN></Id></DbtrAcct></RltdPties>'
        '<RltdAgts><DbtrAgt><FinInstnId><BIC>HABALT22</BIC></FinInstnId></DbtrAgt></RltdAgts>'
        '<RmtInf><Ustrd>Apmokejimas uz saskaita SF-%s</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>',
        to_char(10 + i % 1000 + (i % 100) / 100.0, 'FM99990.00'), i, i,
        to_char(10 + i % 1000 + (i % 100) / 100.0, 'FM99990.00'), i,
        pg_temp.lt_iban(CASE WHEN i % 10 = 0 THEN 5000000 + i ELSE 1000 + i END), i), '' ORDER BY i)
    || '</Stmt></BkToCstmrStmt></Document>'
  FROM generate_series(1, :N) i;
VACUUM ANALYZE;
