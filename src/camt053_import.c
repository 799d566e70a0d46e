/*
 * camt053_import.c
 *		import_camt053(document text): records every entry of a camt.053
 *		statement, identifies the counterparty, turns matched entries into
 *		payments and runs the clients' automatic settlement (R3.4, R4.5).
 *
 * Per Stmt of the document:
 *	1. the statement's account must be a bank account of the tenant's own
 *	   company (client_bank_account, compact IBAN); otherwise SQLSTATE R3401.
 *	   Its ledger_account is recorded on the statement;
 *	2. the statement row is inserted, or found when it was imported before
 *	   (key: tenant, own account, Stmt/Id);
 *	3. every entry is inserted (in batches of ENTRY_BATCH, one INSERT ...
 *	   SELECT FROM unnest() each, in file order) with ON CONFLICT DO NOTHING on (tenant, own
 *	   account, entry_key): an entry imported before -- by this statement
 *	   or another one -- is skipped, and a concurrent import of the same
 *	   entry waits for the first one and then skips it;
 *	4. the new entries are matched: by the counterparty IBAN among the
 *	   clients' bank accounts as they are inserted, then (set-wise) by invoice
 *	   numbers in the remittance information, then by the counterparty's
 *	   company code; each match records its reason, ambiguities a note;
 *	5. matched booked entries become payments (CRDT = in, DBIT = out;
 *	   reference = entry_key), linked from the entry;
 *	6. settle_automatically() runs for each client that got a payment.
 * Everything happens in the caller's transaction: an error anywhere
 * (malformed file, unknown account, a rule of the payment triggers) leaves
 * nothing behind.  The caller's rights and row-level security apply.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

#include "camt053_parse.h"
#include "client_registry.h"
#include "sqlstates.h"
#include "trigger_support.h"

PG_FUNCTION_INFO_V1(cr_import_camt053);

/* entries are inserted in batches: one INSERT ... SELECT FROM unnest(...) */
#define ENTRY_BATCH 1000
#define ENTRY_COLS 29			/* array columns after statement_id, own_account_id */

typedef struct EntryBatch
{
	MemoryContext cxt;
	int			n;
	Datum		values[ENTRY_COLS][ENTRY_BATCH];
	bool		nulls[ENTRY_COLS][ENTRY_BATCH];
} EntryBatch;

/* element type of each array column */
static const Oid entry_col_types[ENTRY_COLS] = {
	TEXTOID, INT4OID, INT4OID, TEXTOID, TEXTOID, TEXTOID, BOOLOID,	/* key .. reversal */
	TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID,	/* status .. bank_tx_proprietary */
	TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID,	/* end_to_end_id .. org_id */
	TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID,	/* org_scheme .. additional_info */
	TEXTOID							/* return_reason */
};

typedef struct ImportState
{
	/* per statement */
	int64		statement_id;
	int64		own_account_id;
	char	   *ledger_account;
	int			entries;
	int			duplicates;
	int64	   *new_ids;
	int			n_new;
	int			max_new;
	EntryBatch *batch;
	MemoryContext cxt;			/* lives for the whole import */
	/* the result */
	Tuplestorestate *tupstore;
	TupleDesc	tupdesc;
} ImportState;

static SPIPlanPtr own_account_plan = NULL;
static SPIPlanPtr statement_insert_plan = NULL;
static SPIPlanPtr statement_find_plan = NULL;
static SPIPlanPtr entry_insert_plan = NULL;
static SPIPlanPtr match_invoice_plan = NULL;
static SPIPlanPtr match_company_plan = NULL;
static SPIPlanPtr note_plan = NULL;
static SPIPlanPtr payment_plan = NULL;
static SPIPlanPtr link_existing_plan = NULL;
static SPIPlanPtr settle_plan = NULL;
static SPIPlanPtr counts_plan = NULL;

static void
PreparePlans(void)
{
	Oid			t1[2] = {TEXTOID, TEXTOID};
	Oid			tstmt[8] = {INT8OID, INT8OID, TEXTOID, TEXTOID, TEXTOID, INT4OID, TEXTOID, TEXTOID};
	Oid			tfind[2] = {INT8OID, TEXTOID};
	Oid			tarr[1] = {INT8ARRAYOID};
	Oid			tentry[2 + ENTRY_COLS];
	int			i;

	if (counts_plan != NULL)
		return;
	tentry[0] = INT8OID;		/* statement_id */
	tentry[1] = INT8OID;		/* own_account_id */
	for (i = 0; i < ENTRY_COLS; i++)
		tentry[2 + i] = get_array_type(entry_col_types[i]);

	own_account_plan = CrKeepPlan(
		"SELECT ba.id, ba.client_id, ba.ledger_account"
		"  FROM client_registry.client_bank_account ba"
		"  JOIN client_registry.client c ON c.tenant_id = ba.tenant_id AND c.id = ba.client_id"
		" WHERE ba.tenant_id = client_registry.current_tenant() AND c.kind = 'own_company'"
		"   AND ba.iban = $1"
		" ORDER BY (ba.currency = $2) DESC, ba.id LIMIT 1", 2, t1);
	statement_insert_plan = CrKeepPlan(
		"INSERT INTO client_registry.bank_statement (own_client_id, own_account_id, account, statement_ref,"
		"       message_id, camt_version, created_at_bank, from_date, to_date, ledger_account)"
		" SELECT $1, $2, $3, $4, $5, $6, $7::timestamptz, $8::date, NULL::date,"
		"        (SELECT ba.ledger_account FROM client_registry.client_bank_account ba WHERE ba.id = $2)"
		" ON CONFLICT (tenant_id, own_account_id, statement_ref) DO NOTHING RETURNING id", 8, tstmt);
	statement_find_plan = CrKeepPlan(
		"SELECT id FROM client_registry.bank_statement"
		" WHERE tenant_id = client_registry.current_tenant() AND own_account_id = $1 AND statement_ref = $2",
		2, tfind);
	/*
	 * One statement per batch: the entries, matched by IBAN as they are
	 * inserted; the booked ones so matched get the id of their payment up
	 * front, and the payment is inserted by the same statement (the foreign
	 * key is checked at its end), so an entry is written once.  An entry
	 * whose reference a payment already has is left to link_existing_plan.
	 */
	entry_insert_plan = CrKeepPlan(
		"WITH u AS ("
		" SELECT u.*, m.client_id AS matched_client"
		"   FROM unnest($3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,"
		"               $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31) WITH ORDINALITY"
		"        AS u(k, en, tn, amt, ccy, cd, rv, st, bd, vd, c13, c14, c15, c16, c17, c18, c19, c20, c21,"
		"             c22, c23, c24, c25, c26, c27, c28, c29, c30, c31, ord)"
		/* (1) IBAN: exactly one client (not the own company) has it */
		"   LEFT JOIN LATERAL (SELECT pg_catalog.min(ba.client_id) AS client_id"
		"          FROM client_registry.client_bank_account ba"
		"          JOIN client_registry.client c ON c.tenant_id = ba.tenant_id AND c.id = ba.client_id"
		"         WHERE ba.tenant_id = client_registry.current_tenant() AND ba.iban = u.c21"
		"           AND c.kind <> 'own_company'"
		"        HAVING pg_catalog.count(DISTINCT ba.client_id) = 1) m ON true),"
		" ins AS ("
		" INSERT INTO client_registry.bank_entry (statement_id, own_account_id, entry_key, entry_number, tx_number,"
		"       amount, currency, credit_debit, reversal, status, booking_date, value_date, acct_svcr_ref,"
		"       ntry_ref, bank_tx_code, bank_tx_proprietary, end_to_end_id, instruction_id, mandate_id,"
		"       counterparty_name, counterparty_iban, counterparty_account, counterparty_org_id,"
		"       counterparty_org_scheme, counterparty_private_id, counterparty_bic, remittance,"
		"       creditor_reference, document_numbers, additional_info, return_reason,"
		"       client_id, match_reason, matched_at, payment_id)"
		" SELECT $1, $2, u.k, u.en, u.tn, u.amt::numeric, u.ccy, u.cd, u.rv, u.st, u.bd::date, u.vd::date,"
		"        u.c13, u.c14, u.c15, u.c16, u.c17, u.c18, u.c19, u.c20, u.c21, u.c22, u.c23, u.c24, u.c25,"
		"        u.c26, u.c27, u.c28, u.c29, u.c30, u.c31,"
		"        u.matched_client, CASE WHEN u.matched_client IS NOT NULL THEN 'iban'::client_registry.bank_match_reason END,"
		"        CASE WHEN u.matched_client IS NOT NULL THEN pg_catalog.now() END,"
		"        CASE WHEN u.matched_client IS NOT NULL AND u.st = 'BOOK' AND u.amt::numeric > 0"
		"              AND NOT EXISTS (SELECT 1 FROM client_registry.payment p"
		"                               WHERE p.tenant_id = client_registry.current_tenant() AND p.reference = u.k)"
		"             THEN pg_catalog.nextval('client_registry.payment_id_seq'::pg_catalog.regclass)"
		"        END"
		"   FROM u ORDER BY u.ord"
		" ON CONFLICT (tenant_id, own_account_id, entry_key) DO NOTHING"
		" RETURNING id, payment_id, client_id, credit_debit, booking_date, value_date, amount, currency, entry_key,"
		"           remittance, document_numbers, creditor_reference),"
		" pay AS ("
		" INSERT INTO client_registry.payment (id, client_id, direction, payment_date, amount, currency, reference,"
		"        description)"
		" SELECT i.payment_id, i.client_id,"
		"        CASE i.credit_debit WHEN 'CRDT' THEN 'in' ELSE 'out' END::client_registry.payment_direction,"
		"        COALESCE(i.booking_date, i.value_date), i.amount, i.currency, i.entry_key,"
		"        NULLIF(pg_catalog.concat_ws(' ', i.remittance, i.document_numbers, i.creditor_reference), '')"
		"   FROM ins i WHERE i.payment_id IS NOT NULL ORDER BY i.id)"
		" SELECT id FROM ins", 2 + ENTRY_COLS, tentry);

	/*
	 * (2) invoice numbers: a word of the remittance information (Ustrd,
	 * RfrdDocInf/Nb, CdtrRefInf/Ref) equal to the number of a posted
	 * invoice in the entry's direction (sales for money in, purchases for
	 * money out); all such invoices must belong to one client.
	 */
	match_invoice_plan = CrKeepPlan(
		"UPDATE client_registry.bank_entry e"
		"   SET client_id = m.client_id, match_reason = 'invoice_number', matched_at = pg_catalog.now(),"
		"       matched_invoice_id = CASE WHEN m.invoices = 1 THEN m.invoice_id END"
		"  FROM (SELECT x.id, pg_catalog.min(i.client_id) AS client_id, pg_catalog.min(i.id) AS invoice_id,"
		"               pg_catalog.count(DISTINCT i.id) AS invoices"
		"          FROM client_registry.bank_entry x"
		"          CROSS JOIN LATERAL (SELECT DISTINCT pg_catalog.btrim(w, '.:()[]') AS word"
		"                 FROM pg_catalog.regexp_split_to_table("
		"                      pg_catalog.concat_ws(' ', x.remittance, x.document_numbers, x.creditor_reference),"
		"                      '[[:space:],;]+') AS w) t"
		"          JOIN client_registry.invoice i ON i.tenant_id = x.tenant_id AND i.number = t.word"
		"           AND i.status = 'posted'"
		"           AND i.direction = CASE x.credit_debit WHEN 'CRDT' THEN 'sale'"
		"                                 ELSE 'purchase' END::client_registry.document_direction"
		"         WHERE x.id = ANY ($1) AND x.client_id IS NULL AND t.word <> ''"
		"         GROUP BY x.id HAVING pg_catalog.count(DISTINCT i.client_id) = 1) m"
		" WHERE e.id = m.id", 1, tarr);
	/* (3) the counterparty's organisation id is a client's company code */
	match_company_plan = CrKeepPlan(
		"UPDATE client_registry.bank_entry e"
		"   SET client_id = m.client_id, match_reason = 'company_code', matched_at = pg_catalog.now()"
		"  FROM (SELECT x.id, pg_catalog.min(c.id) AS client_id"
		"          FROM client_registry.bank_entry x"
		"          JOIN client_registry.client c ON c.tenant_id = x.tenant_id"
		"           AND c.company_code = pg_catalog.upper(pg_catalog.regexp_replace(x.counterparty_org_id, '[[:space:]]', '', 'g'))"
		"           AND c.legal_form = 'legal_entity' AND c.kind <> 'own_company'"
		"         WHERE x.id = ANY ($1) AND x.client_id IS NULL"
		"         GROUP BY x.id HAVING pg_catalog.count(DISTINCT c.id) = 1) m"
		" WHERE e.id = m.id", 1, tarr);
	/* why an entry waits in the queue */
	note_plan = CrKeepPlan(
		"UPDATE client_registry.bank_entry e SET match_note = CASE"
		"   WHEN e.status <> 'BOOK' THEN 'not booked (status ' || e.status || '): recorded only'"
		"   WHEN EXISTS (SELECT 1 FROM client_registry.client_bank_account ba"
		"                  JOIN client_registry.client c ON c.tenant_id = ba.tenant_id AND c.id = ba.client_id"
		"                 WHERE ba.tenant_id = e.tenant_id AND ba.iban = e.counterparty_iban AND c.kind = 'own_company')"
		"        THEN 'transfer between own accounts'"
		"   WHEN (SELECT pg_catalog.count(DISTINCT ba.client_id) FROM client_registry.client_bank_account ba"
		"          WHERE ba.tenant_id = e.tenant_id AND ba.iban = e.counterparty_iban) > 1"
		"        THEN 'IBAN ' || e.counterparty_iban || ' belongs to several clients'"
		"   WHEN e.counterparty_iban IS NULL AND e.counterparty_account IS NULL AND e.counterparty_name IS NULL"
		"        THEN 'no counterparty in the statement'"
		"   ELSE 'no client with this IBAN, invoice number or company code' END"
		" WHERE e.id = ANY ($1) AND e.client_id IS NULL", 1, tarr);
	/* matched booked entries become payments; the reference is the entry key */
	payment_plan = CrKeepPlan(
		"WITH p AS ("
		" INSERT INTO client_registry.payment (client_id, direction, payment_date, amount, currency, reference,"
		"        description, invoice_id)"
		" SELECT e.client_id, CASE e.credit_debit WHEN 'CRDT' THEN 'in' ELSE 'out' END::client_registry.payment_direction,"
		"        COALESCE(e.booking_date, e.value_date), e.amount, e.currency, e.entry_key,"
		"        NULLIF(pg_catalog.concat_ws(' ', e.remittance, e.document_numbers, e.creditor_reference), ''),"
		"        e.matched_invoice_id"
		"   FROM client_registry.bank_entry e"
		"  WHERE e.id = ANY ($1) AND e.client_id IS NOT NULL AND e.payment_id IS NULL AND e.status = 'BOOK'"
		"    AND e.amount > 0"
		"  ORDER BY e.id"
		" ON CONFLICT (tenant_id, reference) WHERE reference IS NOT NULL DO NOTHING"
		" RETURNING id, reference)"
		" UPDATE client_registry.bank_entry e SET payment_id = p.id"
		"   FROM p WHERE e.id = ANY ($1) AND e.entry_key = p.reference", 1, tarr);
	/*
	 * A payment recorded before with this bank reference (entered by hand,
	 * say) is linked when it is the same money: client, direction, amount
	 * and currency; otherwise the entry waits in the queue with a note.
	 */
	link_existing_plan = CrKeepPlan(
		"UPDATE client_registry.bank_entry e"
		"   SET payment_id = CASE WHEN p.client_id = e.client_id AND p.amount = e.amount AND p.currency = e.currency"
		"                          AND p.direction = CASE e.credit_debit WHEN 'CRDT' THEN 'in' ELSE 'out' END"
		"                              ::client_registry.payment_direction THEN p.id END,"
		"       match_note = CASE WHEN p.client_id = e.client_id AND p.amount = e.amount AND p.currency = e.currency"
		"                          AND p.direction = CASE e.credit_debit WHEN 'CRDT' THEN 'in' ELSE 'out' END"
		"                              ::client_registry.payment_direction"
		"                         THEN 'linked to payment ' || p.id || ' recorded before with this reference'"
		"                         ELSE 'payment ' || p.id || ' already uses the reference ' || e.entry_key END"
		"  FROM client_registry.payment p"
		" WHERE e.id = ANY ($1) AND e.client_id IS NOT NULL AND e.payment_id IS NULL AND e.status = 'BOOK'"
		"   AND e.amount > 0 AND p.tenant_id = e.tenant_id AND p.reference = e.entry_key", 1, tarr);
	settle_plan = CrKeepPlan(
		"SELECT COALESCE(pg_catalog.sum(client_registry.settle_automatically(c.id)), 0)::int4"
		"  FROM client_registry.client c"
		" WHERE c.tenant_id = client_registry.current_tenant() AND c.settlement_mode <> 'off'"
		"   AND c.id IN (SELECT e.client_id FROM client_registry.bank_entry e"
		"                 WHERE e.id = ANY ($1) AND e.payment_id IS NOT NULL)", 1, tarr);
	counts_plan = CrKeepPlan(
		"SELECT pg_catalog.count(*) FILTER (WHERE client_id IS NOT NULL)::int4,"
		"       pg_catalog.count(*) FILTER (WHERE payment_id IS NULL AND status = 'BOOK')::int4,"
		"       pg_catalog.count(*) FILTER (WHERE payment_id IS NOT NULL)::int4"
		"  FROM client_registry.bank_entry WHERE id = ANY ($1)", 1, tarr);
}

static Datum
TextOrNull(const char *s, char *nulls, int i)
{
	if (s == NULL)
	{
		nulls[i] = 'n';
		return (Datum) 0;
	}
	nulls[i] = ' ';
	return CStringGetTextDatum(s);
}

static void
OnStatementBegin(CamtStatement *st, void *arg)
{
	ImportState *is = (ImportState *) arg;
	Datum		args[8];
	char		nulls[8];
	bool		isnull;
	int			ret;
	int64		own_client_id;

	args[0] = CStringGetTextDatum(st->account);
	nulls[0] = ' ';
	args[1] = TextOrNull(st->account_currency ? st->account_currency : "EUR", nulls, 1);
	ret = SPI_execute_plan(own_account_plan, args, nulls, false, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_CR_UNKNOWN_OWN_ACCOUNT),
				 errmsg("account %s of statement \"%s\" is not a bank account of the own company of tenant %d",
						st->account, st->statement_ref, CrCurrentTenant()),
				 errdetail("A statement is imported into one of the own company's accounts (client_bank_account of the client of kind own_company)."),
				 errhint("Nothing was imported. Add the account to the own company's bank accounts (with its ledger account).")));
	is->own_account_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	own_client_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	is->ledger_account = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);

	args[0] = Int64GetDatum(own_client_id);
	nulls[0] = ' ';
	args[1] = Int64GetDatum(is->own_account_id);
	nulls[1] = ' ';
	args[2] = TextOrNull(st->account, nulls, 2);
	args[3] = TextOrNull(st->statement_ref, nulls, 3);
	args[4] = TextOrNull(st->message_id, nulls, 4);
	args[5] = Int32GetDatum(st->version);
	nulls[5] = ' ';
	args[6] = TextOrNull(st->created, nulls, 6);
	args[7] = TextOrNull(st->from_date, nulls, 7);
	ret = SPI_execute_plan(statement_insert_plan, args, nulls, false, 1);
	if (ret != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
	{
		/* imported before: the same statement row */
		Datum		fargs[2] = {Int64GetDatum(is->own_account_id), CStringGetTextDatum(st->statement_ref)};

		ret = SPI_execute_plan(statement_find_plan, fargs, NULL, false, 1);
		if (ret != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "bank statement \"%s\" not found after a conflict", st->statement_ref);
	}
	is->statement_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (st->to_date != NULL)
	{
		/* keep the period's end too (simple follow-up update) */
		Oid			types[2] = {INT8OID, TEXTOID};
		Datum		uargs[2] = {Int64GetDatum(is->statement_id), CStringGetTextDatum(st->to_date)};

		ret = SPI_execute_with_args("UPDATE client_registry.bank_statement SET to_date = $2::date"
									" WHERE id = $1 AND to_date IS NULL",
									2, types, uargs, NULL, false, 0);
		if (ret != SPI_OK_UPDATE)
			elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(ret));
	}
	is->entries = 0;
	is->duplicates = 0;
	is->n_new = 0;
}

/* Inserts the batched entries; collects the ids of those that were new. */
static void
FlushEntries(ImportState *is)
{
	EntryBatch *b = is->batch;
	Datum		args[2 + ENTRY_COLS];
	int			dims[1] = {b->n};
	int			lbs[1] = {1};
	int			ret,
				i;
	uint64		row;
	MemoryContext old;

	if (b->n == 0)
		return;
	old = MemoryContextSwitchTo(b->cxt);
	args[0] = Int64GetDatum(is->statement_id);
	args[1] = Int64GetDatum(is->own_account_id);
	for (i = 0; i < ENTRY_COLS; i++)
	{
		int16		typlen;
		bool		typbyval;
		char		typalign;

		get_typlenbyvalalign(entry_col_types[i], &typlen, &typbyval, &typalign);
		args[2 + i] = PointerGetDatum(construct_md_array(b->values[i], b->nulls[i], 1, dims, lbs,
														 entry_col_types[i], typlen, typbyval, typalign));
	}
	MemoryContextSwitchTo(old);

	ret = SPI_execute_plan(entry_insert_plan, args, NULL, false, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(ret));
	is->duplicates += b->n - (int) SPI_processed;
	if (is->n_new + SPI_processed > (uint64) is->max_new)
	{
		int			want = Max(is->max_new * 2, is->n_new + (int) SPI_processed + ENTRY_BATCH);

		is->new_ids = is->new_ids
			? repalloc_huge(is->new_ids, sizeof(int64) * want)
			: MemoryContextAllocHuge(is->cxt, sizeof(int64) * want);
		is->max_new = want;
	}
	for (row = 0; row < SPI_processed; row++)
	{
		bool		isnull;

		is->new_ids[is->n_new++] =
			DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, 1, &isnull));
	}
	SPI_freetuptable(SPI_tuptable);
	MemoryContextReset(b->cxt);
	b->n = 0;
}

static void
BatchText(EntryBatch *b, int col, const char *s)
{
	b->nulls[col][b->n] = (s == NULL);
	b->values[col][b->n] = s ? CStringGetTextDatum(s) : (Datum) 0;
}

static void
OnEntry(CamtStatement *st, CamtEntry *e, void *arg)
{
	ImportState *is = (ImportState *) arg;
	EntryBatch *b = is->batch;
	MemoryContext old = MemoryContextSwitchTo(b->cxt);
	int			i = b->n;

	BatchText(b, 0, e->entry_key);
	b->values[1][i] = Int32GetDatum(e->entry_number);
	b->nulls[1][i] = false;
	b->values[2][i] = Int32GetDatum(e->tx_number);
	b->nulls[2][i] = false;
	BatchText(b, 3, e->amount);
	BatchText(b, 4, e->currency);
	BatchText(b, 5, e->credit ? "CRDT" : "DBIT");
	b->values[6][i] = BoolGetDatum(e->reversal);
	b->nulls[6][i] = false;
	BatchText(b, 7, e->status);
	BatchText(b, 8, e->booking_date);
	BatchText(b, 9, e->value_date);
	BatchText(b, 10, e->acct_svcr_ref);
	BatchText(b, 11, e->ntry_ref);
	BatchText(b, 12, e->bank_tx_code);
	BatchText(b, 13, e->bank_tx_proprietary);
	BatchText(b, 14, e->end_to_end_id);
	BatchText(b, 15, e->instruction_id);
	BatchText(b, 16, e->mandate_id);
	BatchText(b, 17, e->counterparty_name);
	BatchText(b, 18, e->counterparty_iban);
	BatchText(b, 19, e->counterparty_account);
	BatchText(b, 20, e->counterparty_org_id);
	BatchText(b, 21, e->counterparty_org_scheme);
	BatchText(b, 22, e->counterparty_private_id);
	BatchText(b, 23, e->counterparty_bic);
	BatchText(b, 24, e->remittance);
	BatchText(b, 25, e->creditor_reference);
	BatchText(b, 26, e->document_numbers);
	BatchText(b, 27, e->additional_info);
	BatchText(b, 28, e->return_reason);
	MemoryContextSwitchTo(old);
	is->entries++;
	if (++b->n == ENTRY_BATCH)
		FlushEntries(is);
}

static void
RunSet(SPIPlanPtr plan, Datum ids, int expected)
{
	int			ret = SPI_execute_plan(plan, &ids, NULL, false, 0);

	if (ret != expected)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(ret));
}

static void
OnStatementEnd(CamtStatement *st, void *arg)
{
	ImportState *is = (ImportState *) arg;
	Datum		ids;
	Datum		values[10];
	bool		nulls[10];
	bool		isnull;
	int			matched = 0,
				queued = 0,
				payments = 0,
				settlements = 0;
	Datum	   *elems;
	int			i;

	FlushEntries(is);
	elems = palloc(sizeof(Datum) * Max(is->n_new, 1));
	for (i = 0; i < is->n_new; i++)
		elems[i] = Int64GetDatum(is->new_ids[i]);
	ids = PointerGetDatum(construct_array(elems, is->n_new, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));

	if (is->n_new > 0)
	{
		RunSet(match_invoice_plan, ids, SPI_OK_UPDATE);
		RunSet(match_company_plan, ids, SPI_OK_UPDATE);
		RunSet(note_plan, ids, SPI_OK_UPDATE);
		RunSet(payment_plan, ids, SPI_OK_UPDATE);
		RunSet(link_existing_plan, ids, SPI_OK_UPDATE);
		RunSet(settle_plan, ids, SPI_OK_SELECT);
		settlements = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		RunSet(counts_plan, ids, SPI_OK_SELECT);
		matched = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		queued = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
		payments = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
	}

	/* the result row (the tuplestore lives in the caller's memory) */
	memset(nulls, false, sizeof(nulls));
	values[0] = Int64GetDatum(is->statement_id);
	values[1] = CStringGetTextDatum(st->statement_ref);
	values[2] = CStringGetTextDatum(st->account);
	if (is->ledger_account != NULL)
		values[3] = CStringGetTextDatum(is->ledger_account);
	else
		nulls[3] = true;
	values[4] = Int32GetDatum(is->entries);
	values[5] = Int32GetDatum(is->duplicates);
	values[6] = Int32GetDatum(matched);
	values[7] = Int32GetDatum(queued);
	values[8] = Int32GetDatum(payments);
	values[9] = Int32GetDatum(settlements);
	tuplestore_putvalues(is->tupstore, is->tupdesc, values, nulls);
	pfree(elems);
	is->n_new = 0;
}

/*
 * import_camt053(document text)
 *	RETURNS TABLE (statement_id, statement_ref, account, ledger_account,
 *	               entries, duplicates, matched, queued, payments, settlements)
 */
Datum
cr_import_camt053(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	text	   *doc = PG_GETARG_TEXT_PP(0);
	char	   *data = VARDATA_ANY(doc);
	size_t		len = VARSIZE_ANY_EXHDR(doc);
	ImportState is;
	CamtCallbacks cb;
	MemoryContext work_cxt,
				old;

	InitMaterializedSRF(fcinfo, 0);
	memset(&is, 0, sizeof(is));
	is.tupstore = rsinfo->setResult;
	is.tupdesc = rsinfo->setDesc;

	/* libxml2 reads UTF-8 */
	if (GetDatabaseEncoding() != PG_UTF8)
		data = (char *) pg_do_encoding_conversion((unsigned char *) data, (int) len,
												  GetDatabaseEncoding(), PG_UTF8);
	if (data != VARDATA_ANY(doc))
		len = strlen(data);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PreparePlans();

	/*
	 * Entries are read into a work context of our own (SPI's procedure
	 * context is reset only at SPI_finish); the result rows go straight into
	 * the tuplestore, which copies them into the caller's context.
	 */
	work_cxt = AllocSetContextCreate(CurrentMemoryContext, "camt.053 import", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(work_cxt);
	is.cxt = work_cxt;
	is.batch = palloc0(sizeof(EntryBatch));
	is.batch->cxt = AllocSetContextCreate(work_cxt, "camt.053 entry batch", ALLOCSET_DEFAULT_SIZES);
	cb.statement_begin = OnStatementBegin;
	cb.entry = OnEntry;
	cb.statement_end = OnStatementEnd;
	cb.arg = &is;
	camt053_parse(data, len, &cb);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(work_cxt);

	SPI_finish();
	return (Datum) 0;
}
