#!/usr/bin/env bash
# test/data/camt053/make_versions.sh -- writes statement_v02.xml ... statement_v13.xml,
# the camt.053 statements the pg_regress test bank_import imports: one file per message
# version camt.053.001.02 to camt.053.001.13, the same bank activity in each, written in the
# layout of its version.  The files are committed; run this again after changing it
# (bash test/data/camt053/make_versions.sh) and commit the result.
#
# Every file holds two statements (Stmt) of one message:
#   statement 1, EUR account LT147044000000011101:
#     1  CRDT BOOK   150.00  a buyer's IBAN, two unstructured remittance lines naming an
#                            invoice, both parties filled (the creditor is us), agent BIC,
#                            end-to-end and instruction ids, domain bank transaction code
#     2  DBIT BOOK    80.50  a supplier known only by its organisation id (company code,
#                            scheme COID), a non-IBAN account, structured remittance
#                            (creditor reference, referred document number, additional text)
#     3  CRDT PDNG    20.00  pending: value date only
#     4  CRDT BOOK   300.00  a batch of two transactions (100.00 with its own AcctSvcrRef and
#                            a private id of the payer, scheme NIDN; 200.00 without)
#     5  DBIT BOOK    45.00  a reversed direct debit: no AcctSvcrRef, mandate id, return
#                            reason AC06, additional transaction information
#     6  DBIT BOOK     2.50  a bank fee: proprietary bank transaction code, no details
#   statement 2, USD account LT847044000000011102:
#     7  CRDT BOOK  1000.00  USD, a foreign payer's IBAN, booking date as a date-time; the bank
#                            put us on the debtor side and the payer on the creditor side
#     8  CRDT INFO     5.00  USD, information only
#
# What changes between versions (what the reader must handle):
#   .02        Sts is a code; a transaction's amount only in AmtDtls/TxAmt/Amt; agent BIC
#   .03        TxDtls/Amt and TxDtls/CdtDbtInd appear
#   .04 - .07  the agent's BIC is FinInstnId/BICFI
#   .08 - .13  Sts holds Cd (or Prtry); parties sit under Dbtr/Pty, Cdtr/Pty
# References and ids carry the version (V02-REF-1, ...), so all twelve files can be
# imported into one tenant; amounts, parties and dates are the same in every file.
set -euo pipefail
cd "$(dirname "$0")"

for n in $(seq 2 13); do
    v=$(printf '%02d' "$n")
    V="V$v"
    sts() {     # status code, optional "prtry"
        if [ "$n" -ge 8 ]; then
            if [ "${2:-}" = prtry ]; then echo "<Sts><Prtry>$1</Prtry></Sts>"; else echo "<Sts><Cd>$1</Cd></Sts>"; fi
        else echo "<Sts>$1</Sts>"; fi
    }
    party() {   # role, content
        if [ "$n" -ge 8 ]; then echo "<$1><Pty>$2</Pty></$1>"; else echo "<$1>$2</$1>"; fi
    }
    bic() {
        if [ "$n" -ge 4 ]; then echo "<BICFI>$1</BICFI>"; else echo "<BIC>$1</BIC>"; fi
    }
    txamt() {   # amount, currency, indicator
        if [ "$n" -ge 3 ]; then echo "<Amt Ccy=\"$2\">$1</Amt><CdtDbtInd>$3</CdtDbtInd>"
        else echo "<AmtDtls><TxAmt><Amt Ccy=\"$2\">$1</Amt></TxAmt></AmtDtls>"; fi
    }
    cat > "statement_v$v.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Made for the tests of client_registry by test/data/camt053/make_versions.sh: camt.053.001.$v -->
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.$v" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <BkToCstmrStmt>
    <GrpHdr>
      <MsgId>$V-MSG-1</MsgId>
      <CreDtTm>2026-12-01T18:30:00+02:00</CreDtTm>
      <MsgRcpt><Nm>UAB Sąskaitų testas</Nm></MsgRcpt>
    </GrpHdr>
    <Stmt>
      <Id>$V-STMT-1</Id>
      <ElctrncSeqNb>1</ElctrncSeqNb>
      <CreDtTm>2026-12-01T18:30:00+02:00</CreDtTm>
      <FrToDt><FrDtTm>2026-12-01T00:00:00+02:00</FrDtTm><ToDtTm>2026-12-01T23:59:59+02:00</ToDtTm></FrToDt>
      <Acct><Id><IBAN>LT14 7044 0000 0001 1101</IBAN></Id><Ccy>EUR</Ccy><Ownr><Nm>UAB Sąskaitų testas</Nm></Ownr></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-12-01</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">777.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-12-01</Dt></Dt></Bal>
      <TxsSummry><TtlNtries><NbOfNtries>6</NbOfNtries></TtlNtries></TxsSummry>
      <Ntry>
        <NtryRef>1</NtryRef>
        <Amt Ccy="EUR">150.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><RvslInd>false</RvslInd>$(sts BOOK)
        <BookgDt><Dt>2026-12-01</Dt></BookgDt><ValDt><Dt>2026-12-01</Dt></ValDt>
        <AcctSvcrRef>$V-REF-1</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><InstrId>$V-INSTR-1</InstrId><EndToEndId>$V-E2E-1</EndToEndId></Refs>
          $(txamt 150.00 EUR CRDT)
          <RltdPties>
            $(party Dbtr '<Nm>UAB „Pirkėjas“</Nm>')
            <DbtrAcct><Id><IBAN>LT577044000000011103</IBAN></Id></DbtrAcct>
            $(party Cdtr '<Nm>UAB Sąskaitų testas</Nm>')
            <CdtrAcct><Id><IBAN>LT147044000000011101</IBAN></Id></CdtrAcct>
          </RltdPties>
          <RltdAgts><DbtrAgt><FinInstnId>$(bic CBVILT2X)</FinInstnId></DbtrAgt></RltdAgts>
          <RmtInf><Ustrd>Sąskaita SF-111-1</Ustrd><Ustrd>ačiū</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">80.50</Amt><CdtDbtInd>DBIT</CdtDbtInd>$(sts BOOK)
        <BookgDt><Dt>2026-12-01</Dt></BookgDt><ValDt><Dt>2026-12-01</Dt></ValDt>
        <AcctSvcrRef>$V-REF-2</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
          $(txamt 80.50 EUR DBIT)
          <RltdPties>
            $(party Cdtr '<Nm>UAB Tiekėjas</Nm><Id><OrgId><Othr><Id>304111015</Id><SchmeNm><Cd>COID</Cd></SchmeNm></Othr></OrgId></Id>')
            <CdtrAcct><Id><Othr><Id>ACC-77</Id></Othr></Id></CdtrAcct>
          </RltdPties>
          <RmtInf><Strd>
            <RfrdDocInf><Nb>PIR-111-1</Nb></RfrdDocInf>
            <CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>RF18539007547034</Ref></CdtrRefInf>
            <AddtlRmtInf>Prekės lapkričiui</AddtlRmtInf>
          </Strd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">20.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>$(sts PDNG)
        <ValDt><Dt>2026-12-02</Dt></ValDt>
        <AcctSvcrRef>$V-REF-3</AcctSvcrRef>
        <NtryDtls><TxDtls>
          $(txamt 20.00 EUR CRDT)
          <RltdPties>$(party Dbtr '<Nm>Ona Onaitė</Nm>')</RltdPties>
        </TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">300.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>$(sts BOOK)
        <BookgDt><Dt>2026-12-01</Dt></BookgDt><ValDt><Dt>2026-12-01</Dt></ValDt>
        <AcctSvcrRef>$V-REF-4</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls>
          <Btch><NbOfTxs>2</NbOfTxs></Btch>
          <TxDtls>
            <Refs><AcctSvcrRef>$V-REF-4-A</AcctSvcrRef><EndToEndId>$V-E2E-4A</EndToEndId></Refs>
            $(txamt 100.00 EUR CRDT)
            <RltdPties>
              $(party Dbtr '<Nm>Jonas Jonaitis</Nm><Id><PrvtId><Othr><Id>38501010087</Id><SchmeNm><Cd>NIDN</Cd></SchmeNm></Othr></PrvtId></Id>')
              <DbtrAcct><Id><IBAN>LT30 7044 0000 0001 1104</IBAN></Id></DbtrAcct>
            </RltdPties>
            <RmtInf><Ustrd>Nario mokestis</Ustrd></RmtInf>
          </TxDtls>
          <TxDtls>
            <Refs><EndToEndId>$V-E2E-4B</EndToEndId></Refs>
            $(txamt 200.00 EUR CRDT)
            <RltdPties>$(party Dbtr '<Nm>Petras Petraitis</Nm>')</RltdPties>
            <RmtInf><Ustrd>Nario mokestis</Ustrd></RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">45.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><RvslInd>true</RvslInd>$(sts BOOK)
        <BookgDt><Dt>2026-12-01</Dt></BookgDt><ValDt><Dt>2026-12-01</Dt></ValDt>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>$V-E2E-5</EndToEndId><MndtId>$V-MANDATE-5</MndtId></Refs>
          $(txamt 45.00 EUR DBIT)
          <RltdPties>
            $(party Cdtr '<Nm>Draudimas UAB</Nm>')
            <CdtrAcct><Id><IBAN>LT037044000000011105</IBAN></Id></CdtrAcct>
          </RltdPties>
          <RmtInf><Ustrd>$V polisas 2026</Ustrd></RmtInf>
          <RtrInf><Rsn><Cd>AC06</Cd></Rsn></RtrInf>
          <AddtlTxInf>Tiesioginio debeto grąžinimas</AddtlTxInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">2.50</Amt><CdtDbtInd>DBIT</CdtDbtInd>$(sts BOOK)
        <BookgDt><Dt>2026-12-01</Dt></BookgDt>
        <AcctSvcrRef>$V-REF-6</AcctSvcrRef>
        <BkTxCd><Prtry><Cd>FEE</Cd><Issr>BANK</Issr></Prtry></BkTxCd>
        <AddtlNtryInf>Banko mokestis</AddtlNtryInf>
      </Ntry>
    </Stmt>
    <Stmt>
      <Id>$V-STMT-2</Id>
      <CreDtTm>2026-12-01T18:30:00+02:00</CreDtTm>
      <Acct><Id><IBAN>LT847044000000011102</IBAN></Id><Ccy>USD</Ccy></Acct>
      <Ntry>
        <Amt Ccy="USD">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>$(sts BOOK)
        <BookgDt><DtTm>2026-12-01T10:45:00+02:00</DtTm></BookgDt><ValDt><DtTm>2026-12-01T10:45:00+02:00</DtTm></ValDt>
        <AcctSvcrRef>$V-REF-7</AcctSvcrRef>
        <NtryDtls><TxDtls>
          $(txamt 1000.00 USD CRDT)
          <RltdPties>
            $(party Dbtr '<Nm>UAB Sąskaitų testas</Nm>')
            <DbtrAcct><Id><IBAN>LT847044000000011102</IBAN></Id></DbtrAcct>
            $(party Cdtr '<Nm>Example GmbH</Nm>')
            <CdtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></CdtrAcct>
          </RltdPties>
          <RltdAgts><CdtrAgt><FinInstnId>$(bic COBADEFFXXX)</FinInstnId></CdtrAgt></RltdAgts>
          <RmtInf><Ustrd>Invoice 2026-77</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="USD">5.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>$(sts INFO prtry)
        <ValDt><Dt>2026-12-03</Dt></ValDt>
        <AcctSvcrRef>$V-REF-8</AcctSvcrRef>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
EOF
done
echo "wrote statement_v02.xml ... statement_v13.xml"
