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
 * Steps 1-6 are SQL functions (sql/0.4.0/68_bank_import_steps.sql:
 * bank_import_own_account, bank_import_statement, bank_import_entries,
 * bank_import_match), given the tenant the import began in; this file reads
 * the document, batches the entries into arrays and calls them.
 * Everything happens in the caller's transaction: an error anywhere
 * (malformed file, unknown account, a rule of the payment triggers) leaves
 * nothing behind.  The caller's rights and row-level security apply.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "funcapi.h"
#include "miscadmin.h"
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
	int32		tenant;			/* current_tenant() when the import began */
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

/*
 * What is done with a statement is SQL, in sql/0.4.0/68_bank_import_steps.sql
 * (bank_import_own_account, bank_import_statement, bank_import_entries,
 * bank_import_match); the C code reads the document and calls those steps
 * through plans kept for the session.  Every step is given the tenant.
 */
static SPIPlanPtr own_account_plan = NULL;
static SPIPlanPtr statement_plan = NULL;
static SPIPlanPtr entries_plan = NULL;
static SPIPlanPtr match_plan = NULL;

static void
PreparePlans(void)
{
	Oid			town[3] = {INT4OID, TEXTOID, TEXTOID};
	Oid			tstmt[10] = {INT4OID, INT8OID, INT8OID, TEXTOID, TEXTOID, TEXTOID, INT4OID, TEXTOID, TEXTOID, TEXTOID};
	Oid			tmatch[2] = {INT4OID, INT8ARRAYOID};
	Oid			tentry[3 + ENTRY_COLS];
	StringInfoData sql;
	int			i;

	if (match_plan != NULL)
		return;
	own_account_plan = CrKeepPlan(
		"SELECT account_id, own_client_id, ledger_account"
		"  FROM client_registry.bank_import_own_account($1, $2, $3)", 3, town);
	statement_plan = CrKeepPlan(
		"SELECT client_registry.bank_import_statement($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)", 10, tstmt);
	tentry[0] = INT4OID;		/* tenant */
	tentry[1] = INT8OID;		/* statement_id */
	tentry[2] = INT8OID;		/* own_account_id */
	initStringInfo(&sql);
	appendStringInfoString(&sql, "SELECT client_registry.bank_import_entries($1, $2, $3");
	for (i = 0; i < ENTRY_COLS; i++)
	{
		tentry[3 + i] = get_array_type(entry_col_types[i]);
		appendStringInfo(&sql, ", $%d", 4 + i);
	}
	appendStringInfoChar(&sql, ')');
	entries_plan = CrKeepPlan(sql.data, 3 + ENTRY_COLS, tentry);
	pfree(sql.data);
	match_plan = CrKeepPlan(
		"SELECT matched, queued, payments, settlements FROM client_registry.bank_import_match($1, $2)",
		2, tmatch);
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
	Datum		args[10];
	char		nulls[10];
	bool		isnull;
	int64		own_client_id;

	CHECK_FOR_INTERRUPTS();
	args[0] = Int32GetDatum(is->tenant);
	nulls[0] = ' ';
	args[1] = TextOrNull(st->account, nulls, 1);
	args[2] = TextOrNull(st->account_currency ? st->account_currency : "EUR", nulls, 2);
	CrRunPlan(own_account_plan, args, nulls, false, 1, NULL, SPI_OK_SELECT, "the own account of a bank statement");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_CR_UNKNOWN_OWN_ACCOUNT),
				 errmsg("account %s of statement \"%s\" is not a bank account of the own company of tenant %d",
						st->account, st->statement_ref, is->tenant),
				 errdetail("A statement is imported into one of the own company's accounts (client_bank_account of the client of kind own_company)."),
				 errhint("Nothing was imported. Add the account to the own company's bank accounts (with its ledger account).")));
	is->own_account_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	own_client_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	is->ledger_account = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);

	args[1] = Int64GetDatum(own_client_id);
	nulls[1] = ' ';
	args[2] = Int64GetDatum(is->own_account_id);
	nulls[2] = ' ';
	args[3] = TextOrNull(st->account, nulls, 3);
	args[4] = TextOrNull(st->statement_ref, nulls, 4);
	args[5] = TextOrNull(st->message_id, nulls, 5);
	args[6] = Int32GetDatum(st->version);
	nulls[6] = ' ';
	args[7] = TextOrNull(st->created, nulls, 7);
	args[8] = TextOrNull(st->from_date, nulls, 8);
	args[9] = TextOrNull(st->to_date, nulls, 9);
	if (CrRunPlan(statement_plan, args, nulls, false, 1, NULL, SPI_OK_SELECT, "the bank statement row") != 1)
		elog(ERROR, "bank statement \"%s\" not found after a conflict", st->statement_ref);
	is->statement_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (isnull)
		elog(ERROR, "bank statement \"%s\" not found after a conflict", st->statement_ref);

	is->entries = 0;
	is->duplicates = 0;
	is->n_new = 0;
}

/* Inserts the batched entries; collects the ids of those that were new. */
static void
FlushEntries(ImportState *is)
{
	EntryBatch *b = is->batch;
	Datum		args[3 + ENTRY_COLS];
	int			dims[1] = {b->n};
	int			lbs[1] = {1};
	int			i;
	uint64		row;
	MemoryContext old;

	if (b->n == 0)
		return;
	CHECK_FOR_INTERRUPTS();
	old = MemoryContextSwitchTo(b->cxt);
	args[0] = Int32GetDatum(is->tenant);
	args[1] = Int64GetDatum(is->statement_id);
	args[2] = Int64GetDatum(is->own_account_id);
	for (i = 0; i < ENTRY_COLS; i++)
	{
		int16		typlen;
		bool		typbyval;
		char		typalign;

		get_typlenbyvalalign(entry_col_types[i], &typlen, &typbyval, &typalign);
		args[3 + i] = PointerGetDatum(construct_md_array(b->values[i], b->nulls[i], 1, dims, lbs,
														 entry_col_types[i], typlen, typbyval, typalign));
	}
	MemoryContextSwitchTo(old);

	CrRunPlan(entries_plan, args, NULL, false, 0, NULL, SPI_OK_SELECT, "a batch of bank entries");
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
		Datum		args[2] = {Int32GetDatum(is->tenant), ids};

		CrRunPlan(match_plan, args, NULL, false, 1, NULL, SPI_OK_SELECT, "the matching of new bank entries");
		matched = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		queued = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
		payments = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
		settlements = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4, &isnull));
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
	is.tenant = CrCurrentTenant();

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
