/*
 * camt053_read.c
 *		read_camt053(document text): the entries of a camt.053 statement as
 *		rows, without importing anything (a preview, and the reader alone in
 *		the benchmark).  Same reader, same checks and same entry keys as
 *		import_camt053.
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/numeric.h"
#include "utils/tuplestore.h"

#include "camt053_parse.h"

PG_FUNCTION_INFO_V1(cr_read_camt053);

#define READ_COLS 33

typedef struct ReadState
{
	Tuplestorestate *tupstore;
	TupleDesc	tupdesc;
} ReadState;

static void
OnBegin(CamtStatement *st, void *arg)
{
}

static void
OnEnd(CamtStatement *st, void *arg)
{
}

static void
Put(Datum *values, bool *nulls, int i, const char *s)
{
	nulls[i] = (s == NULL);
	values[i] = s ? CStringGetTextDatum(s) : (Datum) 0;
}

static void
PutDate(Datum *values, bool *nulls, int i, const char *s)
{
	nulls[i] = (s == NULL);
	values[i] = s ? DirectFunctionCall1(date_in, CStringGetDatum(s)) : (Datum) 0;
}

static void
OnEntry(CamtStatement *st, CamtEntry *e, void *arg)
{
	ReadState  *rs = (ReadState *) arg;
	Datum		v[READ_COLS];
	bool		n[READ_COLS];

	memset(n, false, sizeof(n));
	Put(v, n, 0, st->statement_ref);
	Put(v, n, 1, st->account);
	v[2] = Int32GetDatum(st->version);
	v[3] = Int32GetDatum(e->entry_number);
	v[4] = Int32GetDatum(e->tx_number);
	Put(v, n, 5, e->entry_key);
	v[6] = DirectFunctionCall3(numeric_in, CStringGetDatum(e->amount), ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
	Put(v, n, 7, e->currency);
	Put(v, n, 8, e->credit ? "CRDT" : "DBIT");
	v[9] = BoolGetDatum(e->reversal);
	Put(v, n, 10, e->status);
	PutDate(v, n, 11, e->booking_date);
	PutDate(v, n, 12, e->value_date);
	Put(v, n, 13, e->acct_svcr_ref);
	Put(v, n, 14, e->ntry_ref);
	Put(v, n, 15, e->bank_tx_code);
	Put(v, n, 16, e->bank_tx_proprietary);
	Put(v, n, 17, e->end_to_end_id);
	Put(v, n, 18, e->instruction_id);
	Put(v, n, 19, e->mandate_id);
	Put(v, n, 20, e->counterparty_name);
	Put(v, n, 21, e->counterparty_iban);
	Put(v, n, 22, e->counterparty_account);
	Put(v, n, 23, e->counterparty_org_id);
	Put(v, n, 24, e->counterparty_org_scheme);
	Put(v, n, 25, e->counterparty_private_id);
	Put(v, n, 26, e->counterparty_bic);
	Put(v, n, 27, e->remittance);
	Put(v, n, 28, e->creditor_reference);
	Put(v, n, 29, e->document_numbers);
	Put(v, n, 30, e->additional_info);
	Put(v, n, 31, e->return_reason);
	v[32] = Int32GetDatum(e->tx_count);
	tuplestore_putvalues(rs->tupstore, rs->tupdesc, v, n);
}

Datum
cr_read_camt053(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	text	   *doc = PG_GETARG_TEXT_PP(0);
	char	   *data = VARDATA_ANY(doc);
	size_t		len = VARSIZE_ANY_EXHDR(doc);
	ReadState	rs;
	CamtCallbacks cb;
	MemoryContext work_cxt,
				old;

	InitMaterializedSRF(fcinfo, 0);
	rs.tupstore = rsinfo->setResult;
	rs.tupdesc = rsinfo->setDesc;
	if (rs.tupdesc->natts != READ_COLS)
		elog(ERROR, "read_camt053: unexpected result type");

	if (GetDatabaseEncoding() != PG_UTF8)
	{
		data = (char *) pg_do_encoding_conversion((unsigned char *) data, (int) len,
												  GetDatabaseEncoding(), PG_UTF8);
		len = strlen(data);
	}
	work_cxt = AllocSetContextCreate(CurrentMemoryContext, "camt.053 read", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(work_cxt);
	cb.statement_begin = OnBegin;
	cb.entry = OnEntry;
	cb.statement_end = OnEnd;
	cb.arg = &rs;
	camt053_parse(data, len, &cb);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(work_cxt);
	return (Datum) 0;
}
