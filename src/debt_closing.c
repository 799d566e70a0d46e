/*
 * debt_closing.c
 *		What closes an invoice: payments (settlement), credit notes settled
 *		against it and offsets (debt_offset_line).  Shared by the settlement
 *		trigger (payment_rules.c) and the debt-operation triggers
 *		(debt_offset.c).
 *
 * A closing locks its document first (CrLockDocument: SELECT ... FOR NO
 * KEY UPDATE of the invoice row), then sums, with the latest snapshot,
 * every closing of it except the row being written.  Two closings of one
 * invoice thus run one after the other and the second sees the first, in
 * READ COMMITTED and REPEATABLE READ alike (the row lock alone raises no
 * serialization error; the latest snapshot sees what committed meanwhile).
 *
 * Amounts are in the invoice currency and carry its sign (a credit note's
 * total is negative, and so is what closes it).  A closing fits when what
 * is closed stays between 0 and the gross total.  Its base-currency part is
 * the amount at the invoice's rate, except for the closing that closes the
 * invoice in full, which takes what is left of the base total: a fully
 * closed invoice leaves no cent in the base currency.
 *
 * invoice.closed_on is the date of the last closing that closed it in
 * full (NULL while open); CrKeepClosedOn writes it with the registry's
 * internal-change depth raised, which the invoice trigger lets through.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "debt_closing.h"
#include "document_support.h"
#include "shard_map.h"
#include "spi_support.h"

static SPIPlanPtr lock_document_plan = NULL;
static SPIPlanPtr closings_plan = NULL;
static SPIPlanPtr closed_on_plan = NULL;
static SPIPlanPtr settled_by_plan = NULL;

/* Numeric helpers (no error on overflow: numeric(15,2) columns report it). */
Numeric
CrNumAdd(Numeric a, Numeric b)
{
	return numeric_add_opt_error(a, b, NULL);
}

Numeric
CrNumSub(Numeric a, Numeric b)
{
	return numeric_sub_opt_error(a, b, NULL);
}

Numeric
CrNumNeg(Numeric a)
{
	return DatumGetNumeric(DirectFunctionCall1(numeric_uminus, NumericGetDatum(a)));
}

/* CrNumZero: 0.00 (the scale of the money columns: a trigger's value is stored as given) */
Numeric
CrNumZero(void)
{
	return DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum("0.00"),
											   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
}

Numeric
CrNumRound2(Numeric a)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_round, NumericGetDatum(a), Int32GetDatum(2)));
}

/* CrDateText formats a date for messages. */
char *
CrDateText(DateADT d)
{
	return DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(d)));
}

/*
 * The kept statements, over the trigger's co-located shards on a Citus
 * worker (CrKeepPlanAt).  Parameters: $1 tenant_id, $2 invoice or client id,
 * then int8 ($3, $4) or the date ($3) as noted.
 */
static const char lock_document_sql[] =
	"SELECT i.client_id, i.direction OPERATOR(pg_catalog.=) 'sale'::client_registry.document_direction,"
	"       i.status::text, i.currency, i.currency_rate, i.total_gross, i.total_base, i.number,"
	"       i.invoice_date, i.closed_on, c.settled_by::text"
	"  FROM client_registry.invoice i"
	"  LEFT JOIN client_registry.client c ON c.tenant_id OPERATOR(pg_catalog.=) i.tenant_id"
	"       AND c.id OPERATOR(pg_catalog.=) i.client_id"
	" WHERE i.tenant_id OPERATOR(pg_catalog.=) $1 AND i.id OPERATOR(pg_catalog.=) $2"
	"   FOR NO KEY UPDATE OF i";
static const char closings_sql[] =
	"SELECT COALESCE(pg_catalog.sum(c.a), 0), COALESCE(pg_catalog.sum(c.b), 0), pg_catalog.max(c.d) FROM ("
	"  SELECT s.amount, s.amount_base, s.settlement_date FROM client_registry.settlement s"
	"   WHERE s.tenant_id OPERATOR(pg_catalog.=) $1 AND s.invoice_id OPERATOR(pg_catalog.=) $2"
	"     AND s.id OPERATOR(pg_catalog.<>) $3"
	"  UNION ALL"
	"  SELECT l.amount, l.amount_base, l.offset_date FROM client_registry.debt_offset_line l"
	"   WHERE l.tenant_id OPERATOR(pg_catalog.=) $1 AND l.invoice_id OPERATOR(pg_catalog.=) $2"
	"     AND l.id OPERATOR(pg_catalog.<>) $4"
	"  UNION ALL"
	"  SELECT l.against_amount, l.against_amount_base, l.offset_date FROM client_registry.debt_offset_line l"
	"   WHERE l.tenant_id OPERATOR(pg_catalog.=) $1 AND l.against_invoice_id OPERATOR(pg_catalog.=) $2"
	"     AND l.id OPERATOR(pg_catalog.<>) $4) c(a, b, d)";
static const char closed_on_sql[] =		/* $3 date */
	"UPDATE client_registry.invoice SET closed_on = $3"
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) $2";
static const char settled_by_sql[] =
	"SELECT settled_by::text FROM client_registry.client"
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) $2";

static Oid	id_types[4] = {INT4OID, INT8OID, INT8OID, INT8OID};
static Oid	date_types[3] = {INT4OID, INT8OID, DATEOID};

/*
 * CrLockDocument locks invoice_id of the tenant (FOR NO KEY UPDATE) and
 * reads it with what closed it so far, except settlement except_settlement
 * and debt operation row except_line (the row being written; 0: none).
 * Returns false when the tenant has no such invoice (the foreign key
 * reports it).  SPI connected; runs with the owner's rights of rel.
 */
bool
CrLockDocument(Relation rel, int32 tenant_id, int64 invoice_id, int64 except_settlement,
			   int64 except_line, CrDocument *doc)
{
	Datum		args[4] = {Int32GetDatum(tenant_id), Int64GetDatum(invoice_id),
		Int64GetDatum(except_settlement), Int64GetDatum(except_line)};
	CrUserSwitch sw;
	HeapTuple	t;
	TupleDesc	d;
	bool		isnull;
	Datum		v;
	int			ret;

	if (CrRunPlan(CrKeepPlanAt(rel, &lock_document_plan, lock_document_sql, 2, id_types), args, NULL, false, 1, rel, SPI_OK_SELECT, "locking a document") == 0)
		return false;
	t = SPI_tuptable->vals[0];
	d = SPI_tuptable->tupdesc;
	memset(doc, 0, sizeof(CrDocument));
	doc->id = invoice_id;
	doc->client_id = DatumGetInt64(SPI_getbinval(t, d, 1, &isnull));
	doc->sale = DatumGetBool(SPI_getbinval(t, d, 2, &isnull));
	doc->status = SPI_getvalue(t, d, 3);
	doc->currency = SPI_getvalue(t, d, 4);
	doc->rate = DatumGetNumeric(SPI_datumTransfer(SPI_getbinval(t, d, 5, &isnull), false, -1));
	doc->gross = DatumGetNumeric(SPI_datumTransfer(SPI_getbinval(t, d, 6, &isnull), false, -1));
	doc->base = DatumGetNumeric(SPI_datumTransfer(SPI_getbinval(t, d, 7, &isnull), false, -1));
	doc->number = SPI_getvalue(t, d, 8);
	doc->invoice_date = DatumGetDateADT(SPI_getbinval(t, d, 9, &isnull));
	v = SPI_getbinval(t, d, 10, &isnull);
	doc->has_closed_on = !isnull;
	doc->closed_on = isnull ? 0 : DatumGetDateADT(v);
	doc->settled_by = SPI_getvalue(t, d, 11);

	/*
	 * With the row locked, the latest snapshot sees every closing committed
	 * before (under REPEATABLE READ the transaction's snapshot would not).
	 */
	CrBecomeOwner(rel, &sw);
	ret = SPI_execute_snapshot(CrKeepPlanAt(rel, &closings_plan, closings_sql, 4, id_types), args, NULL, GetLatestSnapshot(), InvalidSnapshot,
							   true, false, 1);
	CrRestoreUser(&sw);
	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "summing what closed invoice %lld failed: %s", (long long) invoice_id,
			 SPI_result_code_string(ret));
	t = SPI_tuptable->vals[0];
	d = SPI_tuptable->tupdesc;
	doc->closed = DatumGetNumeric(SPI_datumTransfer(SPI_getbinval(t, d, 1, &isnull), false, -1));
	doc->closed_base = DatumGetNumeric(SPI_datumTransfer(SPI_getbinval(t, d, 2, &isnull), false, -1));
	v = SPI_getbinval(t, d, 3, &isnull);
	doc->has_last_date = !isnull;
	doc->last_date = isnull ? 0 : DatumGetDateADT(v);
	return true;
}

/* CrDocumentOpen: what is still open of the document (its currency and sign). */
Numeric
CrDocumentOpen(const CrDocument *doc)
{
	return CrNumSub(doc->gross, doc->closed);
}

/*
 * CrClosingFits: closing amount more keeps what is closed between 0 and
 * the gross total (either sign).
 */
bool
CrClosingFits(const CrDocument *doc, Numeric amount)
{
	Numeric		after = CrNumAdd(doc->closed, amount);
	Numeric		zero = CrNumZero();

	if (CrNumCmp(doc->gross, zero) >= 0)
		return CrNumCmp(after, zero) >= 0 && CrNumCmp(after, doc->gross) <= 0;
	return CrNumCmp(after, doc->gross) >= 0 && CrNumCmp(after, zero) <= 0;
}

/*
 * CrClosingBase: the base-currency part of closing amount.  The closing
 * that closes the document in full takes what is left of its base total;
 * one that re-opens it entirely gives back what the others took; any other
 * is the amount at the document's rate.
 */
Numeric
CrClosingBase(const CrDocument *doc, Numeric amount)
{
	Numeric		after = CrNumAdd(doc->closed, amount);

	if (CrNumCmp(after, doc->gross) == 0)
		return CrNumSub(doc->base, doc->closed_base);
	if (CrNumCmp(after, CrNumZero()) == 0)
		return CrNumNeg(doc->closed_base);
	return CrBaseAmount(amount, doc->rate);
}

/*
 * CrKeepClosedOn sets invoice.closed_on after amount more is closed (a
 * negative amount re-opens): the later of the other closings' last date
 * and this one's date when it is now closed in full, else NULL.  A
 * cancelled invoice keeps the day it was cancelled.  Writes only a change.
 */
void
CrKeepClosedOn(Relation rel, int32 tenant_id, const CrDocument *doc, Numeric amount,
			   bool has_date, DateADT date)
{
	bool		closed = CrNumCmp(CrNumAdd(doc->closed, amount), doc->gross) == 0;
	bool		has_new_closed_on = false;
	DateADT		new_closed_on = 0;
	Datum		args[3];
	char		nulls[3] = {' ', ' ', ' '};

	if (strcmp(doc->status, "posted") != 0)
		return;
	if (closed)
	{
		if (doc->has_last_date)
		{
			has_new_closed_on = true;
			new_closed_on = doc->last_date;
		}
		if (has_date && (!has_new_closed_on || date > new_closed_on))
		{
			has_new_closed_on = true;
			new_closed_on = date;
		}
	}
	if (has_new_closed_on == doc->has_closed_on &&
		(!has_new_closed_on || new_closed_on == doc->closed_on))
		return;
	args[0] = Int32GetDatum(tenant_id);
	args[1] = Int64GetDatum(doc->id);
	args[2] = DateADTGetDatum(new_closed_on);
	if (!has_new_closed_on)
		nulls[2] = 'n';
	CrRunPlanInternal(CrKeepPlanAt(rel, &closed_on_plan, closed_on_sql, 3, date_types), args, nulls, false, 0, rel, SPI_OK_UPDATE, "setting invoice.closed_on");
}

/*
 * CrClientSettledBy: the client's R4.4 settlement basis (documents,
 * accounts, mixed), or NULL when the tenant has no such client.
 */
char *
CrClientSettledBy(Relation rel, int32 tenant_id, int64 client_id)
{
	Datum		args[2] = {Int32GetDatum(tenant_id), Int64GetDatum(client_id)};

	if (CrRunPlan(CrKeepPlanAt(rel, &settled_by_plan, settled_by_sql, 2, id_types), args, NULL, true, 1, rel, SPI_OK_SELECT,
				  "reading the client's settlement type") == 0)
		return NULL;
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}
