/*
 * invoice_reference.c
 *		References of credit and debit notes to the invoices they correct
 *		(i.SAF References/Reference; issue #13).
 *
 *	cr_invoice_reference_before_write  BEFORE INSERT OR UPDATE OR DELETE of
 *		invoice_reference: references belong to notes (isaf_type KS, DS, VK,
 *		VD) and change only while the note is a draft (like its VAT lines and
 *		instalments; the note row is locked FOR SHARE, so posting waits for
 *		the change and then sees it).  A reference linked to an invoice of
 *		this registry (referenced_invoice_id) takes its number and date from
 *		it when they are left out, and must be of the note's direction.  The
 *		number (1..70 characters) and the date (1990-01-01..2100-01-01) are
 *		checked against the i.SAF schema here, when they are entered, so an
 *		export never meets them.
 *	cr_invoice_corrected_after_write  AFTER INSERT / UPDATE OF
 *		corrected_invoice_id of invoice: the 0.3.0 shorthand keeps working;
 *		a note's corrected_invoice_id adds the linked reference (once), and a
 *		changed or cleared one removes the reference to the invoice it named.
 *		Invoices of other types keep the column as a plain note (as in 0.3.0,
 *		nothing is reported for them).
 *
 * Restore mode: rows are loaded as dumped (the references are dumped with
 * their table; the shorthand adds nothing).  All lookups are filtered by the
 * row's tenant.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/rel.h"

#include "client_registry.h"
#include "internal_change.h"
#include "shard_map.h"
#include "trigger_support.h"

#define REFERENCE_NO_MAX	70	/* ISAFmiddle2textType */

static SPIPlanPtr note_plan = NULL;
static SPIPlanPtr referenced_plan = NULL;
static SPIPlanPtr add_plan = NULL;
static SPIPlanPtr remove_plan = NULL;

/* The note a reference belongs to, as looked up (strings in the caller's context). */
typedef struct NoteInfo
{
	bool		found;
	char	   *status;
	char	   *number;
	char	   *isaf_type;
	char	   *direction;
} NoteInfo;

static bool
IsNoteType(const char *isaf_type)
{
	return isaf_type != NULL &&
		(strcmp(isaf_type, "KS") == 0 || strcmp(isaf_type, "DS") == 0 ||
		 strcmp(isaf_type, "VK") == 0 || strcmp(isaf_type, "VD") == 0);
}

/* Looks up (and locks FOR SHARE) the note of a reference row.  Runs inside SPI. */
static void
LookupNote(Relation rel, int32 tenant_id, int64 invoice_id, NoteInfo *note, MemoryContext cxt)
{
	Datum		args[2] = {Int32GetDatum(tenant_id), Int64GetDatum(invoice_id)};
	Oid			types[2] = {INT4OID, INT8OID};
	SPIPlanPtr	plan;
	MemoryContext old;

	plan = CrKeepPlanAt(rel, &note_plan,
						"SELECT status::text, number, isaf_type::text, direction::text"
						"  FROM client_registry.invoice"
						" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) $2"
						"   FOR SHARE", 2, types);
	note->found = CrRunPlan(plan, args, NULL, false, 1, rel, SPI_OK_SELECT,
							"reading the credit or debit note") == 1;
	if (!note->found)
		return;
	old = MemoryContextSwitchTo(cxt);
	note->status = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	note->number = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	note->isaf_type = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
	note->direction = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4);
	MemoryContextSwitchTo(old);
}

/* References change only while their note is a draft. */
static void
CheckNoteIsDraft(Relation rel, const NoteInfo *note)
{
	if (note->found && strcmp(note->status, "draft") != 0 && !CrInternalChange())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("%s invoice %s: its references cannot change", note->status, note->number),
				 errdetail("The references of a credit or debit note are part of the document and are reported in i.SAF as they were when it was posted."),
				 errhint("Issue another note."),
				 CrErrTable(rel)));
}

/* YYYY-MM-DD whatever DateStyle says */
static char *
DateText(DateADT d)
{
	int			y,
				m,
				dd;

	j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &dd);
	return psprintf("%04d-%02d-%02d", y, m, dd);
}

/*
 * Fills number and date from the linked invoice (those left out, or all of
 * them when relinked: the link changed and they did not) and checks the
 * direction.  Runs inside SPI; values set in changes are allocated in cxt.
 */
static void
FillFromReferenced(Relation rel, HeapTuple row, CrRowChanges *changes, int32 tenant_id,
				   int64 note_id, const NoteInfo *note, bool relinked, MemoryContext cxt)
{
	bool		isnull;
	int64		referenced_id = CrGetInt64(row, rel, "referenced_invoice_id", &isnull);
	Datum		args[2];
	Oid			types[2] = {INT4OID, INT8OID};
	SPIPlanPtr	plan;
	HeapTuple	found;
	TupleDesc	desc;
	char	   *direction;
	MemoryContext old;

	if (isnull)
		return;
	if (referenced_id == note_id)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("invoice %s cannot reference itself", note->number),
				 errhint("Give the invoice the note corrects."),
				 CrErrTableCol(rel, CrAttnum(rel, "referenced_invoice_id"))));
	plan = CrKeepPlanAt(rel, &referenced_plan,
						"SELECT number, invoice_date, direction::text"
						"  FROM client_registry.invoice"
						" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) $2",
						2, types);
	args[0] = Int32GetDatum(tenant_id);
	args[1] = Int64GetDatum(referenced_id);
	(void) CrRunPlan(plan, args, NULL, true, 1, NULL, SPI_OK_SELECT,
					 "reading the referenced invoice");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("invoice " INT64_FORMAT " referenced by invoice %s does not exist",
						referenced_id, note->found ? note->number : "?"),
				 errhint("Give the id of an invoice of this tenant, or the number and date of an invoice kept elsewhere."),
				 CrErrTableCol(rel, CrAttnum(rel, "referenced_invoice_id"))));
	found = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	direction = SPI_getvalue(found, desc, 3);
	if (note->found && strcmp(direction, note->direction) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("%s invoice %s cannot reference %s invoice %s",
						note->direction, note->number, direction, SPI_getvalue(found, desc, 1)),
				 errdetail("A credit or debit note corrects an invoice of its own register."),
				 errhint("Give an invoice of the same direction, or its number and date without a link."),
				 CrErrTableCol(rel, CrAttnum(rel, "referenced_invoice_id"))));
	old = MemoryContextSwitchTo(cxt);
	if (relinked || heap_attisnull(row, CrAttnum(rel, "reference_no"), NULL))
		CrSetText(changes, rel, "reference_no", SPI_getvalue(found, desc, 1));
	if (relinked || heap_attisnull(row, CrAttnum(rel, "reference_date"), NULL))
		CrSetDatum(changes, rel, "reference_date", SPI_getbinval(found, desc, 2, &isnull), false);
	MemoryContextSwitchTo(old);
}

/* The i.SAF schema's limits, checked when a reference is entered. */
static void
CheckReferenceValues(Relation rel, HeapTuple row, const NoteInfo *note)
{
	char	   *no = CrGetText(row, rel, "reference_no");
	bool		isnull;
	Datum		d = heap_getattr(row, CrAttnum(rel, "reference_date"), RelationGetDescr(rel), &isnull);
	const char *number = note->found ? note->number : "?";

	if (no != NULL)
	{
		int			len = pg_mbstrlen(no);
		char	   *trimmed = CrTrimmedOrNull(no);

		if (trimmed == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("reference of invoice %s: reference_no is blank", number),
					 errhint("Give the number of the corrected invoice."),
					 CrErrTableCol(rel, CrAttnum(rel, "reference_no"))));
		if (len > REFERENCE_NO_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
					 errmsg("reference of invoice %s: reference_no is %d characters long", number, len),
					 errdetail("i.SAF 1.2 allows at most %d characters in ReferenceNo: \"%s\".", REFERENCE_NO_MAX, no),
					 errhint("Give the invoice number as printed, without a description."),
					 CrErrTableCol(rel, CrAttnum(rel, "reference_no"))));
	}
	if (!isnull)
	{
		DateADT		date = DatumGetDateADT(d);
		DateADT		lo = date2j(1990, 1, 1) - POSTGRES_EPOCH_JDATE;
		DateADT		hi = date2j(2100, 1, 1) - POSTGRES_EPOCH_JDATE;

		if (date < lo || date > hi)
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_FIELD_OVERFLOW),
					 errmsg("reference of invoice %s: reference_date %s is out of range", number, DateText(date)),
					 errdetail("i.SAF 1.2 accepts a ReferenceDate from 1990-01-01 to 2100-01-01."),
					 errhint("Give the date of the corrected invoice."),
					 CrErrTableCol(rel, CrAttnum(rel, "reference_date"))));
	}
}

PG_FUNCTION_INFO_V1(cr_invoice_reference_before_write);

Datum
cr_invoice_reference_before_write(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_invoice_reference_before_write", true, true);
	Relation	rel = trigdata->tg_relation;
	bool		is_delete = TRIGGER_FIRED_BY_DELETE(trigdata->tg_event);
	bool		is_update = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event);
	HeapTuple	row = is_update ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	MemoryContext upper = CurrentMemoryContext;
	CrRowChanges changes = {0};
	NoteInfo	note = {0};
	bool		isnull;
	bool		relinked = false;
	int32		tenant_id = CrGetInt32(row, rel, "tenant_id");
	int64		note_id = CrGetInt64(row, rel, "invoice_id", &isnull);

	if (CrRestoreInProgress())
		return PointerGetDatum(row);
	if (!is_delete)
		CrCheckRowTenant(rel, tenant_id);
	if (isnull)
		return PointerGetDatum(row);	/* NOT NULL reports it */

	SPI_connect();
	if (is_update)
	{
		/* the note it leaves must be a draft as well */
		NoteInfo	old_note = {0};
		int64		old_id = CrGetInt64(trigdata->tg_trigtuple, rel, "invoice_id", &isnull);

		if (old_id != note_id)
		{
			LookupNote(rel, CrGetInt32(trigdata->tg_trigtuple, rel, "tenant_id"), old_id, &old_note, upper);
			CheckNoteIsDraft(rel, &old_note);
		}
	}
	LookupNote(rel, tenant_id, note_id, &note, upper);
	CheckNoteIsDraft(rel, &note);
	if (!is_delete)
	{
		if (note.found && !IsNoteType(note.isaf_type))
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("invoice %s is of type %s: references belong to credit and debit notes",
							note.number, note.isaf_type),
					 errdetail("i.SAF References list the invoices a KS, DS, VK or VD note corrects."),
					 errhint("Set the note's isaf_type (KS credit note, DS debit note) first."),
					 CrErrTable(rel)));
		if (is_update)
		{
			HeapTuple	old = trigdata->tg_trigtuple;

			relinked = !CrTextEqual(CrGetText(old, rel, "referenced_invoice_id"),
									CrGetText(row, rel, "referenced_invoice_id")) &&
				CrTextEqual(CrGetText(old, rel, "reference_no"), CrGetText(row, rel, "reference_no")) &&
				CrTextEqual(CrGetText(old, rel, "reference_date"), CrGetText(row, rel, "reference_date"));
		}
		FillFromReferenced(rel, row, &changes, tenant_id, note_id, &note, relinked, upper);
	}
	SPI_finish();
	if (is_delete)
		return PointerGetDatum(row);
	row = CrApplyChanges(row, rel, &changes);
	CheckReferenceValues(rel, row, &note);
	return PointerGetDatum(row);
}

/* Inserts the shorthand's reference; internal: past the draft rule. */
static void
AddReference(SPIPlanPtr add, Datum *args, bool internal)
{
	volatile int ret = 0;
	int			saved_depth = cr_internal_change_depth;

	cr_internal_change_depth += internal ? 1 : 0;
	PG_TRY();
	{
		ret = SPI_execute_plan(add, args, NULL, false, 0);
	}
	PG_FINALLY();
	{
		cr_internal_change_depth = saved_depth;
	}
	PG_END_TRY();
	if (ret != SPI_OK_INSERT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(ret));
}

PG_FUNCTION_INFO_V1(cr_invoice_corrected_after_write);

Datum
cr_invoice_corrected_after_write(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_invoice_corrected_after_write", false, true);
	Relation	rel = trigdata->tg_relation;
	bool		is_update = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event);
	HeapTuple	row = is_update ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	int32		tenant_id = CrGetInt32(row, rel, "tenant_id");
	bool		isnull;
	int64		note_id = CrGetInt64(row, rel, "id", &isnull);
	bool		old_null = true;
	int64		old_ref = is_update ? CrGetInt64(trigdata->tg_trigtuple, rel, "corrected_invoice_id", &old_null) : 0;
	bool		new_null;
	int64		new_ref = CrGetInt64(row, rel, "corrected_invoice_id", &new_null);
	CrUserSwitch sw;
	Datum		args[3];
	Oid			types[3] = {INT4OID, INT8OID, INT8OID};
	SPIPlanPtr	add;
	SPIPlanPtr	remove;

	if (CrRestoreInProgress() || !IsNoteType(CrGetText(row, rel, "isaf_type")))
		return PointerGetDatum(NULL);

	SPI_connect();
	add = CrKeepPlanAt(rel, &add_plan,
					   "INSERT INTO client_registry.invoice_reference (tenant_id, invoice_id, referenced_invoice_id)"
					   " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", 3, types);
	remove = CrKeepPlanAt(rel, &remove_plan,
						  "DELETE FROM client_registry.invoice_reference"
						  " WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND invoice_id OPERATOR(pg_catalog.=) $2"
						  "   AND referenced_invoice_id OPERATOR(pg_catalog.=) $3", 3, types);
	CrBecomeOwner(rel, &sw);	/* an error in between: the abort restores the user */
	args[0] = Int32GetDatum(tenant_id);
	args[1] = Int64GetDatum(note_id);
	if (!old_null)
	{
		args[2] = Int64GetDatum(old_ref);
		(void) CrRunPlan(remove, args, NULL, false, 0, NULL, SPI_OK_DELETE,
						 "removing the previous reference");
	}
	if (!new_null)
	{
		/* an invoice inserted as posted gets its reference too */
		args[2] = Int64GetDatum(new_ref);
		AddReference(add, args, !is_update);
	}
	CrRestoreUser(&sw);
	SPI_finish();
	return PointerGetDatum(NULL);
}
