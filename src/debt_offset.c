/*
 * debt_offset.c
 *		Debt operations that close documents against each other without
 *		money (issue #16): credit notes settled against invoices, offsets
 *		(užskaitos) of a buyer/supplier's receivable against its payable,
 *		reversed by a mirrored operation; and R4.4 debts on ledger accounts.
 *
 *	cr_debt_offset_before_write  (debt_offset) a reversal names an
 *		operation of the same client and kind that is not itself a reversal
 *		and was not reversed yet, dated on or after it; an operation with
 *		rows keeps its client, kind, date and reversal link and is never
 *		deleted.  A merge moves it to the surviving client, and its balance
 *		effect with it.
 *	cr_debt_offset_line_before_write  (debt_offset_line) each row closes
 *		amount of invoice_id against against_invoice_id, both posted
 *		documents of the operation's client in one currency:
 *		  credit_note  invoice_id an invoice (positive total),
 *		               against_invoice_id a credit note (negative total) of
 *		               the same direction; the credit note closes -amount;
 *		  offset       invoice_id a sales invoice, against_invoice_id a
 *		               purchase invoice (positive totals); both close amount.
 *		Both documents are locked in id order (no deadlock between two
 *		operations, nor with a settlement, which locks one invoice and then
 *		a payment), their open amounts read with the latest snapshot
 *		(debt_closing.c), and nothing beyond either is closed.  amount NULL
 *		closes as much as both still have open.  The trigger fills the base
 *		parts (each document's rate; the closing that closes a document in
 *		full takes what is left of its base total), the balance changes and
 *		the exchange difference, moves the client's balance and keeps both
 *		documents' closed_on.  A row of a reversal mirrors a row of the
 *		reversed operation (reverses_line_id, the same documents, the
 *		amounts and balance changes negated).  Rows never change nor go.
 *	cr_account_entry_before_write  (account_entry) R4.4 debts on ledger
 *		accounts only for clients settled by accounts or mixed.
 *
 * Balance effect of a row (base currency; exchange_difference is
 * receivable_change - payable_change, positive a gain):
 *	credit note of sales      receivable -(amount_base + against_amount_base)
 *	credit note of purchases  payable    -(amount_base + against_amount_base)
 *	offset                    receivable -amount_base, payable -against_amount_base
 * In one rate a credit note moves nothing (the invoice and the credit note
 * were counted when posted); across two rates the difference is what keeps
 * the balance equal to the documents' open base amounts.
 *
 * Restore mode (row_security = off): rows load as dumped, without rules;
 * their recorded balance changes rebuild the balances.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/numeric.h"
#include "utils/rel.h"

#include "client_balance.h"
#include "client_registry.h"
#include "debt_closing.h"
#include "document_support.h"
#include "internal_change.h"
#include "shard_map.h"
#include "trigger_support.h"

static SPIPlanPtr header_plan = NULL;
static SPIPlanPtr reversed_plan = NULL;
static SPIPlanPtr effect_plan = NULL;
static SPIPlanPtr original_line_plan = NULL;

/*
 * The kept statements ($1 tenant_id, $2 an id), over the trigger's
 * co-located shards on a Citus worker (CrKeepPlanAt).
 */
static Oid	offset_types[2] = {INT4OID, INT8OID};
static const char header_sql[] =
	"SELECT o.client_id, o.kind::text, o.offset_date, o.reversal_of, c.settled_by::text,"
	"       o.number"
	"  FROM client_registry.debt_offset o"
	"  LEFT JOIN client_registry.client c ON c.tenant_id OPERATOR(pg_catalog.=) o.tenant_id"
	"       AND c.id OPERATOR(pg_catalog.=) o.client_id"
	" WHERE o.tenant_id OPERATOR(pg_catalog.=) $1 AND o.id OPERATOR(pg_catalog.=) $2";
static const char reversed_sql[] =
	"SELECT id FROM client_registry.debt_offset"
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND reversal_of OPERATOR(pg_catalog.=) $2";
static const char effect_sql[] =
	"SELECT COALESCE(pg_catalog.sum(receivable_change), 0), COALESCE(pg_catalog.sum(payable_change), 0),"
	"       pg_catalog.count(*)"
	"  FROM client_registry.debt_offset_line"
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND offset_id OPERATOR(pg_catalog.=) $2";
static const char original_line_sql[] =
	"SELECT offset_id, invoice_id, against_invoice_id, amount, against_amount, amount_base,"
	"       against_amount_base, exchange_difference, receivable_change, payable_change"
	"  FROM client_registry.debt_offset_line"
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) $2";

/* The header of a debt operation. */
typedef struct OffsetHeader
{
	int64		client_id;
	bool		credit_note;	/* kind credit_note (else offset) */
	DateADT		offset_date;
	bool		is_reversal;
	int64		reversal_of;
	char	   *settled_by;		/* the client's R4.4 basis */
	char	   *number;
} OffsetHeader;

/* KeepNumeric copies a numeric out of SPI's memory (it outlives SPI_finish). */
static Numeric
KeepNumeric(Numeric n)
{
	return DatumGetNumeric(SPI_datumTransfer(NumericGetDatum(n), false, -1));
}

/*
 * ReadHeader reads operation offset_id of the tenant; false when there is
 * none (SPI connected, the owner's rights of rel).
 */
static bool
ReadHeader(Relation rel, int32 tenant_id, int64 offset_id, OffsetHeader *h)
{
	Datum		args[2] = {Int32GetDatum(tenant_id), Int64GetDatum(offset_id)};
	HeapTuple	t;
	TupleDesc	d;
	bool		isnull;
	Datum		v;

	if (CrRunPlan(CrKeepPlanAt(rel, &header_plan, header_sql, 2, offset_types), args, NULL, true, 1, rel, SPI_OK_SELECT, "reading a debt operation") == 0)
		return false;
	t = SPI_tuptable->vals[0];
	d = SPI_tuptable->tupdesc;
	h->client_id = DatumGetInt64(SPI_getbinval(t, d, 1, &isnull));
	h->credit_note = strcmp(SPI_getvalue(t, d, 2), "credit_note") == 0;
	h->offset_date = DatumGetDateADT(SPI_getbinval(t, d, 3, &isnull));
	v = SPI_getbinval(t, d, 4, &isnull);
	h->is_reversal = !isnull;
	h->reversal_of = isnull ? 0 : DatumGetInt64(v);
	h->settled_by = SPI_getvalue(t, d, 5);
	h->number = SPI_getvalue(t, d, 6);
	return true;
}

/*
 * OperationName names an operation in messages: "number (id)", or the id.
 */
static char *
OperationName(int64 id, const char *number)
{
	if (number != NULL)
		return psprintf("%s (%lld)", number, (long long) id);
	return psprintf("%lld", (long long) id);
}

/*
 * RefuseOffset raises an error about a debt operation or one of its rows.
 */
static void
RefuseOffset(Relation rel, int sqlstate, const char *what, const char *hint)
{
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg("%s", what),
			 errhint("%s", hint),
			 CrErrTable(rel)));
}

/*
 * LineEffect sums the balance changes of an operation's rows; returns how
 * many rows it has (SPI connected).
 */
static int64
LineEffect(Relation rel, int32 tenant_id, int64 offset_id, Numeric *receivable, Numeric *payable)
{
	Datum		args[2] = {Int32GetDatum(tenant_id), Int64GetDatum(offset_id)};
	HeapTuple	t;
	TupleDesc	d;
	bool		isnull;

	if (CrRunPlan(CrKeepPlanAt(rel, &effect_plan, effect_sql, 2, offset_types), args, NULL, true, 1, rel, SPI_OK_SELECT,
				  "computing the effect of a debt operation row") != 1)
		elog(ERROR, "computing the effect of a debt operation row returned no row");
	t = SPI_tuptable->vals[0];
	d = SPI_tuptable->tupdesc;
	*receivable = KeepNumeric(DatumGetNumeric(SPI_getbinval(t, d, 1, &isnull)));
	*payable = KeepNumeric(DatumGetNumeric(SPI_getbinval(t, d, 2, &isnull)));
	return DatumGetInt64(SPI_getbinval(t, d, 3, &isnull));
}

static const char *const header_fixed_columns[] = {"client_id", "kind", "offset_date", "reversal_of"};

PG_FUNCTION_INFO_V1(cr_debt_offset_before_write);

/*
 * cr_debt_offset_before_write is the BEFORE INSERT OR UPDATE OR DELETE
 * trigger of debt_offset.
 */
Datum
cr_debt_offset_before_write(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_debt_offset_before_write", true, true);
	Relation	rel = trigdata->tg_relation;
	bool		is_update = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event);
	bool		is_delete = TRIGGER_FIRED_BY_DELETE(trigdata->tg_event);
	HeapTuple	newtuple = is_update ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	HeapTuple	oldtuple = trigdata->tg_trigtuple;
	bool		isnull;
	int32		tenant_id = CrGetInt32(newtuple, rel, "tenant_id");
	int64		id = CrGetInt64(newtuple, rel, "id", &isnull);
	char	   *number = CrGetText(is_update ? oldtuple : newtuple, rel, "number");
	Numeric		receivable;
	Numeric		payable;
	int64		rows;

	if (CrRestoreInProgress())
		return PointerGetDatum(newtuple);
	if (!is_delete && !CrInternalChange())
		CrCheckRowTenant(rel, tenant_id);
	SPI_connect();
	if (!is_update && !is_delete)
	{
		int64		reversal_of = CrGetInt64(newtuple, rel, "reversal_of", &isnull);
		OffsetHeader o;

		if (!isnull && ReadHeader(rel, tenant_id, reversal_of, &o))
		{
			char	   *name = OperationName(reversal_of, o.number);
			int64		client_id = CrGetInt64(newtuple, rel, "client_id", &isnull);
			char	   *kind = CrGetText(newtuple, rel, "kind");
			DateADT		date = DatumGetDateADT(heap_getattr(newtuple, CrAttnum(rel, "offset_date"),
															RelationGetDescr(rel), &isnull));
			Datum		args[2] = {Int32GetDatum(tenant_id), Int64GetDatum(reversal_of)};

			if (o.is_reversal)
				RefuseOffset(rel, ERRCODE_CHECK_VIOLATION,
							 psprintf("debt operation %s is itself a reversal and cannot be reversed", name),
							 psprintf("Record the original again instead (operation %lld reversed it).",
									  (long long) o.reversal_of));
			if (CrRunPlan(CrKeepPlanAt(rel, &reversed_plan, reversed_sql, 2, offset_types), args, NULL, true, 1, rel, SPI_OK_SELECT,
						  "looking for an earlier reversal") > 0)
				RefuseOffset(rel, ERRCODE_UNIQUE_VIOLATION,
							 psprintf("debt operation %s was reversed already by operation %s", name,
									  SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1)),
							 "An operation is reversed once.");
			if (client_id != o.client_id || kind == NULL ||
				(strcmp(kind, "credit_note") == 0) != o.credit_note)
				RefuseOffset(rel, ERRCODE_CHECK_VIOLATION,
							 psprintf("debt operation %lld reverses operation %s of client %lld and kind %s: it must have the same client and kind",
									  (long long) id, name, (long long) o.client_id,
									  o.credit_note ? "credit_note" : "offset"),
							 "Use client_registry.reverse_debt_offset(id).");
			if (!isnull && date < o.offset_date)
				RefuseOffset(rel, ERRCODE_CHECK_VIOLATION,
							 psprintf("debt operation %lld cannot reverse operation %s dated %s before it, on %s",
									  (long long) id, name, CrDateText(o.offset_date), CrDateText(date)),
							 "Date the reversal on or after the operation it reverses.");
		}
		SPI_finish();
		return PointerGetDatum(newtuple);
	}

	id = CrGetInt64(oldtuple, rel, "id", &isnull);
	tenant_id = CrGetInt32(oldtuple, rel, "tenant_id");
	rows = LineEffect(rel, tenant_id, id, &receivable, &payable);
	if (rows == 0)
	{
		SPI_finish();
		return PointerGetDatum(is_delete ? oldtuple : newtuple);
	}
	if (is_delete)
		RefuseOffset(rel, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
					 psprintf("debt operation %s has %lld rows and cannot be deleted",
							  OperationName(id, number), (long long) rows),
					 "Reverse it: SELECT client_registry.reverse_debt_offset(id).");
	for (size_t i = 0; i < lengthof(header_fixed_columns); i++)
	{
		const char *col = header_fixed_columns[i];
		char	   *a = CrGetText(oldtuple, rel, col);
		char	   *b = CrGetText(newtuple, rel, col);

		if (CrTextEqual(a, b))
			continue;
		if (strcmp(col, "client_id") == 0 && (CrMergeInProgress() || CrInternalChange()))
		{
			/* a merge: the operation's balance effect moves to the survivor */
			int64		from = CrGetInt64(oldtuple, rel, "client_id", &isnull);
			int64		to = CrGetInt64(newtuple, rel, "client_id", &isnull);

			CrAddToBalance(rel, tenant_id, from, CrNumNeg(receivable), CrNumNeg(payable));
			CrAddToBalance(rel, tenant_id, to, receivable, payable);
			continue;
		}
		RefuseOffset(rel, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
					 psprintf("debt operation %s: %s cannot change (from %s to %s)",
							  OperationName(id, number), col, a ? a : "NULL", b ? b : "NULL"),
					 "Reverse it and record a new one; only number and description change.");
	}
	SPI_finish();
	return PointerGetDatum(newtuple);
}

/* The row a reversal's row mirrors. */
typedef struct OriginalLine
{
	int64		offset_id;
	int64		invoice_id;
	int64		against_id;
	Numeric		amount;
	Numeric		against_amount;
	Numeric		amount_base;
	Numeric		against_amount_base;
	Numeric		exchange;
	Numeric		receivable;
	Numeric		payable;
} OriginalLine;

/*
 * ReadOriginalLine reads row line_id of the tenant; false when there is
 * none (SPI connected).
 */
static bool
ReadOriginalLine(Relation rel, int32 tenant_id, int64 line_id, OriginalLine *o)
{
	Datum		args[2] = {Int32GetDatum(tenant_id), Int64GetDatum(line_id)};
	HeapTuple	t;
	TupleDesc	d;
	bool		isnull;

	if (CrRunPlan(CrKeepPlanAt(rel, &original_line_plan, original_line_sql, 2, offset_types), args, NULL, true, 1, rel, SPI_OK_SELECT,
				  "reading the row a reversal reverses") == 0)
		return false;
	t = SPI_tuptable->vals[0];
	d = SPI_tuptable->tupdesc;
	o->offset_id = DatumGetInt64(SPI_getbinval(t, d, 1, &isnull));
	o->invoice_id = DatumGetInt64(SPI_getbinval(t, d, 2, &isnull));
	o->against_id = DatumGetInt64(SPI_getbinval(t, d, 3, &isnull));
	o->amount = KeepNumeric(DatumGetNumeric(SPI_getbinval(t, d, 4, &isnull)));
	o->against_amount = KeepNumeric(DatumGetNumeric(SPI_getbinval(t, d, 5, &isnull)));
	o->amount_base = KeepNumeric(DatumGetNumeric(SPI_getbinval(t, d, 6, &isnull)));
	o->against_amount_base = KeepNumeric(DatumGetNumeric(SPI_getbinval(t, d, 7, &isnull)));
	o->exchange = KeepNumeric(DatumGetNumeric(SPI_getbinval(t, d, 8, &isnull)));
	o->receivable = KeepNumeric(DatumGetNumeric(SPI_getbinval(t, d, 9, &isnull)));
	o->payable = KeepNumeric(DatumGetNumeric(SPI_getbinval(t, d, 10, &isnull)));
	return true;
}

PG_FUNCTION_INFO_V1(cr_debt_offset_line_before_write);

/*
 * cr_debt_offset_line_before_write is the BEFORE INSERT OR UPDATE OR
 * DELETE trigger of debt_offset_line.
 */
Datum
cr_debt_offset_line_before_write(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_debt_offset_line_before_write", true, true);
	Relation	rel = trigdata->tg_relation;
	HeapTuple	newtuple = trigdata->tg_trigtuple;
	bool		restore = CrRestoreInProgress();
	bool		isnull;
	int32		tenant_id;
	int64		id;
	int64		offset_id;
	int64		invoice_id;
	int64		against_id;
	int64		reverses;
	bool		reverses_null;
	bool		amount_null;
	Numeric		amount;
	Numeric		against_amount;
	Numeric		amount_base;
	Numeric		against_base;
	Numeric		receivable;
	Numeric		payable;
	Numeric		zero = CrNumZero();
	OffsetHeader h;
	OriginalLine orig = {0};
	CrDocument	inv;
	CrDocument	against;
	CrRowChanges changes = {0};
	char	   *name;
	const char *kind_name;
	const char *against_kind;

	if (!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
	{
		HeapTuple	oldtuple = trigdata->tg_trigtuple;

		RefuseOffset(rel, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
					 psprintf("rows of debt operation %lld cannot be %s",
							  (long long) CrGetInt64(oldtuple, rel, "offset_id", &isnull),
							  TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? "changed" : "deleted"),
					 "Reverse the operation: SELECT client_registry.reverse_debt_offset(id).");
	}

	tenant_id = CrGetInt32(newtuple, rel, "tenant_id");
	id = CrGetInt64(newtuple, rel, "id", &isnull);
	offset_id = CrGetInt64(newtuple, rel, "offset_id", &isnull);
	invoice_id = CrGetInt64(newtuple, rel, "invoice_id", &isnull);
	against_id = CrGetInt64(newtuple, rel, "against_invoice_id", &isnull);
	reverses = CrGetInt64(newtuple, rel, "reverses_line_id", &reverses_null);
	amount_null = heap_attisnull(newtuple, CrAttnum(rel, "amount"), NULL);

	if (restore)
	{
		/* as dumped: the recorded balance changes rebuild the balance */
		SPI_connect();
		if (ReadHeader(rel, tenant_id, offset_id, &h))
			CrAddToBalance(rel, tenant_id, h.client_id,
						   heap_attisnull(newtuple, CrAttnum(rel, "receivable_change"), NULL) ?
						   zero : CrGetNumeric(newtuple, rel, "receivable_change"),
						   heap_attisnull(newtuple, CrAttnum(rel, "payable_change"), NULL) ?
						   zero : CrGetNumeric(newtuple, rel, "payable_change"));
		SPI_finish();
		return PointerGetDatum(newtuple);
	}
	CrCheckRowTenant(rel, tenant_id);
	SPI_connect();
	if (!ReadHeader(rel, tenant_id, offset_id, &h))
	{
		SPI_finish();
		return PointerGetDatum(newtuple);	/* the foreign key reports it */
	}
	name = OperationName(offset_id, h.number);
	kind_name = h.credit_note ? "credit note settlement" : "offset";
	against_kind = h.credit_note ? "credit note" : "purchase invoice";
	if (h.settled_by != NULL && strcmp(h.settled_by, "accounts") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("client %lld is settled by ledger accounts: its documents are not settled against each other",
						(long long) h.client_id),
				 errhint("Set the client's settled_by to 'documents' or 'mixed' (R4.4)."),
				 CrErrTable(rel)));

	/* a reversal's row mirrors a row of the reversed operation */
	if (h.is_reversal)
	{
		if (reverses_null || !ReadOriginalLine(rel, tenant_id, reverses, &orig) ||
			orig.offset_id != h.reversal_of || orig.invoice_id != invoice_id ||
			orig.against_id != against_id ||
			(!amount_null && CrNumCmp(CrGetNumeric(newtuple, rel, "amount"), CrNumNeg(orig.amount)) != 0))
			RefuseOffset(rel, ERRCODE_CHECK_VIOLATION,
						 psprintf("a row of reversal %s must mirror a row of operation %lld (reverses_line_id, the same documents, the amount negated)",
								  name, (long long) h.reversal_of),
						 "Use client_registry.reverse_debt_offset(id), which writes the mirrored rows.");
	}
	else if (!reverses_null)
		RefuseOffset(rel, ERRCODE_CHECK_VIOLATION,
					 psprintf("operation %s is not a reversal: its rows reverse nothing (reverses_line_id %lld)",
							  name, (long long) reverses),
					 "Use client_registry.reverse_debt_offset(id) to reverse an operation.");

	/* both documents locked in id order; unknown ones fall to the foreign keys */
	if (invoice_id == against_id)
	{
		SPI_finish();
		return PointerGetDatum(newtuple);	/* the check constraint reports it */
	}
	if (invoice_id < against_id)
	{
		if (!CrLockDocument(rel, tenant_id, invoice_id, 0, id, &inv) ||
			!CrLockDocument(rel, tenant_id, against_id, 0, id, &against))
		{
			SPI_finish();
			return PointerGetDatum(newtuple);
		}
	}
	else if (!CrLockDocument(rel, tenant_id, against_id, 0, id, &against) ||
			 !CrLockDocument(rel, tenant_id, invoice_id, 0, id, &inv))
	{
		SPI_finish();
		return PointerGetDatum(newtuple);
	}

	if (inv.client_id != h.client_id || against.client_id != h.client_id)
	{
		CrDocument *other = inv.client_id != h.client_id ? &inv : &against;

		RefuseOffset(rel, ERRCODE_CHECK_VIOLATION,
					 psprintf("%s %s of client %lld cannot close invoice %s of client %lld",
							  kind_name, name, (long long) h.client_id, other->number,
							  (long long) other->client_id),
					 "An operation closes documents of its own client.");
	}
	if (strcmp(inv.status, "posted") != 0 || strcmp(against.status, "posted") != 0)
	{
		CrDocument *other = strcmp(inv.status, "posted") != 0 ? &inv : &against;

		RefuseOffset(rel, ERRCODE_CHECK_VIOLATION,
					 psprintf("%s %s: invoice %s is %s", kind_name, name, other->number, other->status),
					 "Only posted documents are settled.");
	}
	if (strcmp(inv.currency, against.currency) != 0)
		RefuseOffset(rel, ERRCODE_CHECK_VIOLATION,
					 psprintf("%s %s: invoice %s is in %s and %s in %s", kind_name, name,
							  inv.number, inv.currency, against.number, against.currency),
					 "Both documents of a row are in one currency; settle other currencies with payments.");
	if (h.credit_note &&
		(CrNumCmp(inv.gross, zero) <= 0 || CrNumCmp(against.gross, zero) >= 0 || inv.sale != against.sale))
		RefuseOffset(rel, ERRCODE_CHECK_VIOLATION,
					 psprintf("credit note settlement %s: %s %s must be an invoice and %s %s a credit note of the same direction",
							  name, "invoice_id", inv.number, "against_invoice_id", against.number),
					 "invoice_id: an invoice with a positive total; against_invoice_id: a credit note (negative total), both sales or both purchases.");
	if (!h.credit_note &&
		(!inv.sale || against.sale || CrNumCmp(inv.gross, zero) <= 0 || CrNumCmp(against.gross, zero) <= 0))
		RefuseOffset(rel, ERRCODE_CHECK_VIOLATION,
					 psprintf("offset %s: %s %s must be a sales invoice and %s %s a purchase invoice, both with positive totals",
							  name, "invoice_id", inv.number, "against_invoice_id", against.number),
					 "invoice_id: what the client owes us; against_invoice_id: what we owe the client.");

	/* the amount: given, mirrored, or as much as both have open */
	if (h.is_reversal)
		amount = CrNumNeg(orig.amount);
	else if (amount_null)
	{
		Numeric		inv_open = CrDocumentOpen(&inv);
		Numeric		against_open = CrDocumentOpen(&against);

		if (h.credit_note)
			against_open = CrNumNeg(against_open);
		amount = CrNumCmp(inv_open, against_open) <= 0 ? inv_open : against_open;
		if (CrNumCmp(amount, zero) <= 0)
			RefuseOffset(rel, ERRCODE_CHECK_VIOLATION,
						 psprintf("%s %s: nothing is left open to close (invoice %s: %s, %s: %s)",
								  kind_name, name, inv.number, CrNumText(CrDocumentOpen(&inv)),
								  against.number, CrNumText(CrDocumentOpen(&against))),
						 "Close at most what is still open.");
	}
	else
	{
		amount = CrGetNumeric(newtuple, rel, "amount");
		if (CrNumCmp(amount, zero) <= 0)
			RefuseOffset(rel, ERRCODE_CHECK_VIOLATION,
						 psprintf("%s %s: amount %s must be positive", kind_name, name, CrNumText(amount)),
						 "Close a positive amount; only a reversal closes negative amounts (reverse_debt_offset()).");
	}
	against_amount = h.credit_note ? CrNumNeg(amount) : amount;
	if (!CrClosingFits(&inv, amount))
		RefuseOffset(rel, ERRCODE_CHECK_VIOLATION,
					 psprintf("closing %s of invoice %s exceeds its open amount %s",
							  CrNumText(amount), inv.number, CrNumText(CrDocumentOpen(&inv))),
					 "Close at most what is still open.");
	if (!CrClosingFits(&against, against_amount))
		RefuseOffset(rel, ERRCODE_CHECK_VIOLATION,
					 psprintf("closing %s of %s %s exceeds its open amount %s",
							  CrNumText(against_amount), against_kind, against.number,
							  CrNumText(CrDocumentOpen(&against))),
					 "Close at most what is still open.");

	/* base parts and balance changes (a reversal negates the original's) */
	if (h.is_reversal)
	{
		amount_base = CrNumNeg(orig.amount_base);
		against_base = CrNumNeg(orig.against_amount_base);
		receivable = CrNumNeg(orig.receivable);
		payable = CrNumNeg(orig.payable);
	}
	else
	{
		amount_base = CrClosingBase(&inv, amount);
		against_base = CrClosingBase(&against, against_amount);
		if (h.credit_note)
		{
			Numeric		change = CrNumNeg(CrNumAdd(amount_base, against_base));

			receivable = inv.sale ? change : zero;
			payable = inv.sale ? zero : change;
		}
		else
		{
			receivable = CrNumNeg(amount_base);
			payable = CrNumNeg(against_base);
		}
	}
	CrAddToBalance(rel, tenant_id, h.client_id, receivable, payable);
	CrKeepClosedOn(rel, tenant_id, &inv, amount, true, h.offset_date);
	CrKeepClosedOn(rel, tenant_id, &against, against_amount, true, h.offset_date);

	CrSetDatum(&changes, rel, "amount", NumericGetDatum(KeepNumeric(amount)), false);
	CrSetDatum(&changes, rel, "against_amount", NumericGetDatum(KeepNumeric(against_amount)), false);
	CrSetDatum(&changes, rel, "amount_base", NumericGetDatum(KeepNumeric(amount_base)), false);
	CrSetDatum(&changes, rel, "against_amount_base", NumericGetDatum(KeepNumeric(against_base)), false);
	CrSetDatum(&changes, rel, "exchange_difference",
			   NumericGetDatum(KeepNumeric(CrNumSub(receivable, payable))), false);
	CrSetDatum(&changes, rel, "receivable_change", NumericGetDatum(KeepNumeric(receivable)), false);
	CrSetDatum(&changes, rel, "payable_change", NumericGetDatum(KeepNumeric(payable)), false);
	CrSetDatum(&changes, rel, "offset_date", DateADTGetDatum(h.offset_date), false);
	SPI_finish();
	return PointerGetDatum(CrApplyChanges(newtuple, rel, &changes));
}

PG_FUNCTION_INFO_V1(cr_account_entry_before_write);

/*
 * cr_account_entry_before_write is the BEFORE INSERT OR UPDATE trigger of
 * account_entry: R4.4 debts on ledger accounts only for clients settled by
 * accounts or mixed.
 */
Datum
cr_account_entry_before_write(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_account_entry_before_write", true, true);
	Relation	rel = trigdata->tg_relation;
	HeapTuple	newtuple = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ?
		trigdata->tg_newtuple : trigdata->tg_trigtuple;
	int32		tenant_id = CrGetInt32(newtuple, rel, "tenant_id");
	bool		isnull;
	int64		client_id = CrGetInt64(newtuple, rel, "client_id", &isnull);
	char	   *basis;

	if (CrRestoreInProgress() || CrMergeInProgress() || CrInternalChange())
		return PointerGetDatum(newtuple);
	CrCheckRowTenant(rel, tenant_id);
	SPI_connect();
	basis = CrClientSettledBy(rel, tenant_id, client_id);
	if (basis != NULL && strcmp(basis, "documents") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("client %lld is settled by documents: it keeps no debts on ledger accounts (%s)",
						(long long) client_id, CrGetText(newtuple, rel, "ledger_account")),
				 errhint("Record its debts as invoices, or set the client's settled_by to 'accounts' or 'mixed' (R4.4)."),
				 CrErrTable(rel)));
	SPI_finish();
	return PointerGetDatum(newtuple);
}
