/*
 * invoice_rules.c
 *		Rules of invoices and their VAT lines (R4, R1.3, R4.3).
 *
 *	cr_invoice_before_write   kind rules of the client (R1.3); the
 *		counterparty as of the invoice (name, codes, country) kept on it;
 *		due date suggested from the client's payment terms (R4.3); manager
 *		from the client when its rule says so (R1.6); status moves only
 *		draft -> posted -> cancelled (or draft -> cancelled); a posted
 *		invoice keeps its client, number, date, currency and rate; a
 *		cancelled one does not change; totals follow the VAT lines only;
 *		an invoice that payments, credit notes or offsets close is not
 *		cancelled; closed_on (0.4.0) is maintained: the day of cancelling,
 *		else what the closings set (debt_closing.c), never by hand.
 *	cr_invoice_before_delete  only drafts are deleted.
 *	cr_invoice_vat_line_after_write  adds each line change to its invoice's
 *		totals (one UPDATE of the invoice, which then updates the balance);
 *		a line of a tax code that carries a percentage must give its rate
 *		(a rate is never assumed: vat_rate NULL is "no rate", 0 is 0 %).
 *	cr_tax_code_takes_rate  which VAT classifier codes carry a percentage.
 *	isaf_type AN is not entered by hand: an invoice is annulled (AN) in
 *		i.SAF when it is cancelled after posting, sales and purchases alike.
 *	(the running balances and credit control: client_balance.c)
 *
 * Restore mode (row_security = off, as in pg_dump's scripts): rows are
 * loaded as they were dumped -- totals as given, no kind or status rules --
 * while the balances are rebuilt.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "client_registry.h"
#include "internal_change.h"
#include "shard_map.h"
#include "client_balance.h"
#include "document_support.h"
#include "tenant_rules.h"
#include "trigger_support.h"

static SPIPlanPtr card_plan = NULL;
static SPIPlanPtr contract_plan = NULL;
static SPIPlanPtr instalments_plan = NULL;
static SPIPlanPtr invoice_status_plan = NULL;
static SPIPlanPtr add_totals_plan = NULL;
static SPIPlanPtr settled_plan = NULL;
static SPIPlanPtr offsets_plan = NULL;

/*
 * FillFromCard fills the counterparty snapshot, the suggested due date and
 * the manager from the client's card.
 */
static void
FillFromCard(HeapTuple tuple, Relation rel, CrRowChanges *changes, int64 client_id,
			 bool sale, bool client_changed)
{
	Datum		args[2] = {Int64GetDatum(client_id), Int32GetDatum(CrGetInt32(tuple, rel, "tenant_id"))};
	Oid			types[2] = {INT8OID, INT4OID};
	SPIPlanPtr	plan;
	int			ret;
	HeapTuple	card;
	TupleDesc	d;
	bool		isnull;
	MemoryContext upper = CurrentMemoryContext;
	MemoryContext spicxt;

	SPI_connect();
	plan = CrKeepPlanAt(rel, &card_plan,
						"SELECT name, company_code, vat_code, country, manager,"
						"       manager_priority::text, sales_payment_term_days, purchase_payment_term_days"
						"  FROM client_registry.client"
						" WHERE id OPERATOR(pg_catalog.=) $1 AND tenant_id OPERATOR(pg_catalog.=) $2", 2, types);
	ret = SPI_execute_plan(plan, args, NULL, false, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
	{
		SPI_finish();
		return;					/* the foreign key reports it */
	}
	card = SPI_tuptable->vals[0];
	d = SPI_tuptable->tupdesc;

	/* values for the returned row must outlive SPI_finish */
	spicxt = MemoryContextSwitchTo(upper);
	if (client_changed || CrGetText(tuple, rel, "counterparty_name") == NULL)
	{
		CrSetText(changes, rel, "counterparty_name", SPI_getvalue(card, d, 1));
		CrSetText(changes, rel, "counterparty_company_code", SPI_getvalue(card, d, 2));
		CrSetText(changes, rel, "counterparty_vat_code", SPI_getvalue(card, d, 3));
		CrSetText(changes, rel, "counterparty_country", SPI_getvalue(card, d, 4));
	}
	if (CrGetText(tuple, rel, "manager") == NULL && SPI_getvalue(card, d, 5) != NULL &&
		strcmp(SPI_getvalue(card, d, 6), "client_manager") == 0)
		CrSetText(changes, rel, "manager", SPI_getvalue(card, d, 5));

	(void) heap_getattr(tuple, CrAttnum(rel, "due_date"), RelationGetDescr(rel), &isnull);
	if (isnull)
	{
		Datum		days = SPI_getbinval(card, d, sale ? 7 : 8, &isnull);
		bool		datenull;
		Datum		invoice_date = heap_getattr(tuple, CrAttnum(rel, "invoice_date"),
												RelationGetDescr(rel), &datenull);

		if (!isnull && !datenull)
			CrSetDatum(changes, rel, "due_date",
					   DateADTGetDatum(DatumGetDateADT(invoice_date) + DatumGetInt32(days)), false);
	}
	MemoryContextSwitchTo(spicxt);
	SPI_finish();
}

/*
 * CheckContract applies the client's contract rule (R4.2): a contract given
 * must be the client's and valid on the invoice date; "required" needs one;
 * "auto" picks the valid one (the latest to start) when none is given.
 */
static void
CheckContract(HeapTuple tuple, Relation rel, CrRowChanges *changes, int64 client_id,
			  const char *number)
{
	bool		isnull;
	bool		contract_null;
	bool		date_null;
	Datum		contract = heap_getattr(tuple, CrAttnum(rel, "contract_id"), RelationGetDescr(rel), &contract_null);
	Datum		invoice_date = heap_getattr(tuple, CrAttnum(rel, "invoice_date"), RelationGetDescr(rel), &date_null);
	Datum		args[4];
	char		nulls[5] = "    ";
	Oid			types[4] = {INT8OID, DATEOID, INT8OID, INT4OID};
	SPIPlanPtr	plan;
	char	   *mode;
	Datum		valid_id;
	bool		valid_null;
	char	   *given_ok;
	char	   *given_number;
	char	   *date_text;

	if (date_null)
		return;
	args[0] = Int64GetDatum(client_id);
	args[1] = invoice_date;
	args[2] = contract_null ? Int64GetDatum(0) : contract;
	args[3] = Int32GetDatum(CrGetInt32(tuple, rel, "tenant_id"));
	if (contract_null)
		nulls[2] = 'n';

	SPI_connect();
	plan = CrKeepPlanAt(rel, &contract_plan,
								   "SELECT c.contract_mode::text,"
								   " (SELECT k.id FROM client_registry.contract k"
								   "   WHERE k.tenant_id OPERATOR(pg_catalog.=) c.tenant_id"
								   "     AND k.client_id OPERATOR(pg_catalog.=) $1 AND k.valid_from OPERATOR(pg_catalog.<=) $2"
								   "     AND (k.valid_to IS NULL OR k.valid_to OPERATOR(pg_catalog.>=) $2)"
								   "   ORDER BY k.valid_from DESC, k.id DESC LIMIT 1),"
								   " (SELECT (k.client_id OPERATOR(pg_catalog.=) $1 AND k.valid_from OPERATOR(pg_catalog.<=) $2"
								   "     AND (k.valid_to IS NULL OR k.valid_to OPERATOR(pg_catalog.>=) $2))::text"
								   "    FROM client_registry.contract k WHERE k.id OPERATOR(pg_catalog.=) $3"
								   "     AND k.tenant_id OPERATOR(pg_catalog.=) c.tenant_id),"
								   " (SELECT k.number FROM client_registry.contract k WHERE k.id OPERATOR(pg_catalog.=) $3"
								   "     AND k.tenant_id OPERATOR(pg_catalog.=) c.tenant_id)"
								   "  FROM client_registry.client c WHERE c.id OPERATOR(pg_catalog.=) $1"
								   "   AND c.tenant_id OPERATOR(pg_catalog.=) $4", 4, types);
	if (CrRunPlan(plan, args, nulls, false, 1, rel, SPI_OK_SELECT, "the invoice's contract") == 0)
	{
		SPI_finish();
		return;
	}
	mode = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	valid_id = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &valid_null);
	given_ok = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
	given_number = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4);
	date_text = DatumGetCString(DirectFunctionCall1(date_out, invoice_date));

	if (!contract_null && (given_ok == NULL || strcmp(given_ok, "true") != 0))
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("invoice %s: contract %s is not a contract of client %lld valid on %s",
						number, given_number ? given_number : "(unknown)", (long long) client_id, date_text),
				 errhint("Use a contract of the invoice's client whose validity covers the invoice date."),
				 CrErrTableCol(rel, CrAttnum(rel, "contract_id"))));
	if (contract_null && strcmp(mode, "required") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("invoice %s: client %lld requires a contract valid on %s", number,
						(long long) client_id, date_text),
				 errdetail("%s", valid_null ? "The client has no contract valid on that date."
						   : "The client has one; name it in contract_id."),
				 errhint("Give contract_id, add a contract to client_registry.contract, or set the client's contract_mode to 'auto' or 'none'."),
				 CrErrTableCol(rel, CrAttnum(rel, "contract_id"))));
	if (contract_null && strcmp(mode, "auto") == 0 && !valid_null)
		CrSetDatum(changes, rel, "contract_id", valid_id, false);
	(void) isnull;
	SPI_finish();
}

/*
 * CheckInstalments refuses to post an invoice whose instalments (if any)
 * do not add up to its gross total (R4.3).
 */
static void
CheckInstalments(Relation rel, int32 tenant_id, int64 invoice_id, Numeric gross, const char *number)
{
	Datum		args[2] = {Int64GetDatum(invoice_id), Int32GetDatum(tenant_id)};
	Oid			types[2] = {INT8OID, INT4OID};
	SPIPlanPtr	plan;
	bool		isnull;
	int64		n;
	Numeric		sum;

	SPI_connect();
	plan = CrKeepPlanAt(rel, &instalments_plan,
						"SELECT pg_catalog.count(*), COALESCE(pg_catalog.sum(amount), 0) FROM client_registry.invoice_instalment"
						" WHERE invoice_id OPERATOR(pg_catalog.=) $1 AND tenant_id OPERATOR(pg_catalog.=) $2", 2, types);
	CrRunPlan(plan, args, NULL, false, 1, rel, SPI_OK_SELECT, "the invoice's instalments");
	n = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	sum = DatumGetNumeric(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	if (n > 0 && CrNumCmp(sum, gross) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("invoice %s: its %lld instalments add up to %s, not to its gross total %s",
						number, (long long) n, CrNumText(sum), CrNumText(gross)),
				 errhint("Adjust client_registry.invoice_instalment before posting."),
				 CrErrTable(rel)));
	SPI_finish();
}

/*
 * Closings tells whether payments (with_offsets false) or credit notes and
 * offsets (true; they may have been reversed, so their sum counts) close
 * the invoice.
 */
static bool
Closings(Relation rel, int64 invoice_id, int32 tenant_id, bool with_offsets)
{
	Datum		args[2] = {Int64GetDatum(invoice_id), Int32GetDatum(tenant_id)};
	Oid			types[2] = {INT8OID, INT4OID};
	SPIPlanPtr	plan;
	int			ret;
	bool		found;
	CrUserSwitch sw;

	SPI_connect();
	if (!with_offsets)
		plan = CrKeepPlanAt(rel, &settled_plan, "SELECT 1 FROM client_registry.settlement"
								  " WHERE invoice_id OPERATOR(pg_catalog.=) $1"
								  "   AND tenant_id OPERATOR(pg_catalog.=) $2 LIMIT 1", 2, types);
	else
		plan = CrKeepPlanAt(rel, &offsets_plan, "SELECT 1 WHERE COALESCE((SELECT pg_catalog.sum(amount) FROM client_registry.debt_offset_line"
								  "   WHERE tenant_id OPERATOR(pg_catalog.=) $2 AND invoice_id OPERATOR(pg_catalog.=) $1), 0)"
								  "   OPERATOR(pg_catalog.<>) 0"
								  " OR COALESCE((SELECT pg_catalog.sum(against_amount) FROM client_registry.debt_offset_line"
								  "   WHERE tenant_id OPERATOR(pg_catalog.=) $2 AND against_invoice_id OPERATOR(pg_catalog.=) $1), 0)"
								  "   OPERATOR(pg_catalog.<>) 0", 2, types);
	CrBecomeOwner(rel, &sw);
	/* the latest snapshot: see closings committed after ours (REPEATABLE READ) */
	ret = SPI_execute_snapshot(plan, args, NULL, GetLatestSnapshot(),
							   InvalidSnapshot, false, false, 1);
	CrRestoreUser(&sw);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(ret));
	found = SPI_processed > 0;
	SPI_finish();
	return found;
}

/*
 * RefuseChange raises object_not_in_prerequisite_state for a change a
 * document's status does not allow.
 */
static void
RefuseChange(Relation rel, const char *number, const char *status, const char *what,
			 const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("%s invoice %s: %s", status, number, what),
			 errhint("%s", hint),
			 CrErrTable(rel)));
}

static const char *const posted_fixed_columns[] = {
	"client_id", "direction", "number", "invoice_date", "currency", "currency_rate", "isaf_type"
};

/*
 * RefuseTypeAN: isaf_type 'AN' is not a type a document is entered with.
 * One rule for both registers: an invoice is reported as annulled (AN) when
 * it was posted and is then cancelled (isaf_register_invoice).
 */
static void
RefuseTypeAN(Relation rel, const char *number, const char *isaf_type)
{
	if (isaf_type != NULL && strcmp(isaf_type, "AN") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("invoice %s: isaf_type AN cannot be entered", number),
				 errdetail("An invoice is annulled (AN) in i.SAF when it is cancelled after posting, in the sales and the purchase register alike."),
				 errhint("Enter the invoice with its own type (SF, KS, ...), post it, then set status = 'cancelled'."),
				 CrErrTableCol(rel, CrAttnum(rel, "isaf_type"))));
}

/*
 * The VAT classifier codes (VMI's PVM klasifikatorius) whose lines carry a
 * percentage: the standard rate, the two reduced rates, and the two 0 %
 * supplies.  Every other code -- exempt supplies, supplies outside
 * Lithuania, reverse charge and the rest -- may have no rate (i.SAF writes
 * TaxPercentage xsi:nil), and so may a line without a code.  A rate given
 * on those is kept as entered.  The rates themselves are never assumed.
 */
static const char *const rate_tax_codes[] = {"PVM1", "PVM2", "PVM3", "PVM12", "PVM13"};

static bool
TaxCodeTakesRate(const char *code)
{
	for (size_t i = 0; i < lengthof(rate_tax_codes); i++)
		if (strcmp(code, rate_tax_codes[i]) == 0)
			return true;
	return false;
}

PG_FUNCTION_INFO_V1(cr_tax_code_takes_rate);

/* tax_code_takes_rate(text) */
Datum
cr_tax_code_takes_rate(PG_FUNCTION_ARGS)
{
	char	   *code = text_to_cstring(PG_GETARG_TEXT_PP(0));

	PG_RETURN_BOOL(TaxCodeTakesRate(code));
}

PG_FUNCTION_INFO_V1(cr_invoice_before_write);

/*
 * cr_invoice_before_write is the BEFORE INSERT OR UPDATE trigger of invoice.
 */
Datum
cr_invoice_before_write(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_invoice_before_write", true, true);
	Relation	rel = trigdata->tg_relation;
	bool		is_update = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event);
	HeapTuple	newtuple = is_update ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	HeapTuple	oldtuple = is_update ? trigdata->tg_trigtuple : NULL;
	CrRowChanges changes = {0};
	bool		isnull;
	bool		restore = CrRestoreInProgress();
	bool		has_closed_on = CrHasColumn(rel, "closed_on");
	char	   *number = CrGetText(newtuple, rel, "number");
	char	   *status = CrGetText(newtuple, rel, "status");
	char	   *direction = CrGetText(newtuple, rel, "direction");
	bool		sale = direction != NULL && strcmp(direction, "sale") == 0;
	int64		client_id = CrGetInt64(newtuple, rel, "client_id", &isnull);
	int32		tenant_id = CrGetInt32(newtuple, rel, "tenant_id");

	if (number == NULL)
		number = "";
	if (status == NULL || direction == NULL || isnull)
		return PointerGetDatum(newtuple);	/* NOT NULL constraints report it */

	if (!CrInternalChange())
		CrCheckRowTenant(rel, tenant_id);
	if (is_update)
	{
		char	   *old_number = CrGetText(oldtuple, rel, "number");

		number = old_number ? old_number : number;	/* messages name the invoice as it was */
	}

	if (!is_update)
	{
		if (!restore)
		{
			if (!CrTotalsAreZero(newtuple, rel))
				ereport(ERROR,
						(errcode(ERRCODE_CHECK_VIOLATION),
						 errmsg("invoice %s: totals follow its VAT lines and must start at 0", number),
						 errhint("Insert the invoice without totals, then its rows of client_registry.invoice_vat_line."),
						 CrErrTable(rel)));
			if (strcmp(status, "cancelled") == 0)
				RefuseChange(rel, number, "new", "cannot be created cancelled",
							 "Create it as draft or posted.");
			RefuseTypeAN(rel, number, CrGetText(newtuple, rel, "isaf_type"));
			CrAssertClientRoleAt(rel, client_id, tenant_id, sale);
			FillFromCard(newtuple, rel, &changes, client_id, sale, false);
			if (!sale && heap_attisnull(newtuple, CrAttnum(rel, "registration_date"), NULL))
			{
				/* a purchase is registered on its invoice date unless told otherwise */
				bool		datenull;
				Datum		d = heap_getattr(newtuple, CrAttnum(rel, "invoice_date"),
											 RelationGetDescr(rel), &datenull);

				CrSetDatum(&changes, rel, "registration_date", d, datenull);
			}
			if (CrHasColumn(rel, "contract_id"))
				CheckContract(newtuple, rel, &changes, client_id, number);
			if (has_closed_on)
				CrSetDatum(&changes, rel, "closed_on", (Datum) 0, true);
		}
		if (strcmp(status, "posted") == 0 && heap_attisnull(newtuple, CrAttnum(rel, "posted_at"), NULL))
			CrSetDatum(&changes, rel, "posted_at",
					   TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()), false);
	}
	else if (!CrInternalChange() && !CrErasureInProgress())
	{
		char	   *old_status = CrGetText(oldtuple, rel, "status");
		bool		client_changed = CrGetInt64(oldtuple, rel, "client_id", &isnull) != client_id ||
			!CrTextEqual(CrGetText(oldtuple, rel, "direction"), direction);

		if (strcmp(old_status, "cancelled") == 0)
			RefuseChange(rel, number, "cancelled", "cannot be changed",
						 "A cancelled invoice is final; issue a new one.");
		if (!CrTextEqual(CrGetText(oldtuple, rel, "isaf_type"), CrGetText(newtuple, rel, "isaf_type")))
			RefuseTypeAN(rel, number, CrGetText(newtuple, rel, "isaf_type"));
		if (strcmp(old_status, "posted") == 0)
		{
			if (strcmp(status, "draft") == 0)
				RefuseChange(rel, number, "posted", "cannot go back to draft",
							 "Cancel it (status = 'cancelled') and issue a corrected invoice, or a credit note (isaf_type KS).");
			for (size_t i = 0; i < lengthof(posted_fixed_columns); i++)
			{
				char	   *a = CrGetText(oldtuple, rel, posted_fixed_columns[i]);
				char	   *b = CrGetText(newtuple, rel, posted_fixed_columns[i]);

				if (!CrTextEqual(a, b))
					RefuseChange(rel, number, "posted",
								 psprintf("%s cannot change (from %s to %s)", posted_fixed_columns[i],
										  a ? a : "NULL", b ? b : "NULL"),
								 "Cancel it and issue a corrected invoice.");
			}
		}
		if (!CrTotalsEqual(oldtuple, newtuple, rel))
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("invoice %s: totals follow its VAT lines and cannot be set", number),
					 errhint("Change the rows of client_registry.invoice_vat_line instead."),
					 CrErrTable(rel)));
		if (strcmp(status, "cancelled") == 0 && strcmp(old_status, "cancelled") != 0)
		{
			int64		id = CrGetInt64(oldtuple, rel, "id", &isnull);

			if (Closings(rel, id, tenant_id, false))
				RefuseChange(rel, number, "settled", "cannot be cancelled while payments settle it",
							 "Delete its rows of client_registry.settlement first.");
			if (has_closed_on && Closings(rel, id, tenant_id, true))
				RefuseChange(rel, number, "settled", "cannot be cancelled while credit notes or offsets close it",
							 "Reverse those operations first (client_registry.reverse_debt_offset()).");
		}
		if (has_closed_on)
		{
			/* maintained: the day it is cancelled, else as the closings set it */
			if (strcmp(status, "cancelled") == 0 && strcmp(old_status, "cancelled") != 0)
				CrSetDatum(&changes, rel, "closed_on", DateADTGetDatum(GetSQLCurrentDate()), false);
			else
			{
				bool		cnull;
				Datum		c = heap_getattr(oldtuple, CrAttnum(rel, "closed_on"), RelationGetDescr(rel), &cnull);

				CrSetDatum(&changes, rel, "closed_on", c, cnull);
			}
		}
		if (client_changed)
		{
			CrAssertClientRoleAt(rel, client_id, tenant_id, sale);
			FillFromCard(newtuple, rel, &changes, client_id, sale, true);
		}
		if (strcmp(old_status, "draft") == 0 && CrHasColumn(rel, "contract_id") &&
			(client_changed ||
			 !CrTextEqual(CrGetText(oldtuple, rel, "contract_id"), CrGetText(newtuple, rel, "contract_id")) ||
			 !CrTextEqual(CrGetText(oldtuple, rel, "invoice_date"), CrGetText(newtuple, rel, "invoice_date"))))
			CheckContract(newtuple, rel, &changes, client_id, number);
		if (strcmp(status, "posted") == 0 && strcmp(old_status, "draft") == 0)
		{
			CheckInstalments(rel, tenant_id, CrGetInt64(oldtuple, rel, "id", &isnull),
							 numeric_add_opt_error(CrGetNumeric(newtuple, rel, "total_net"),
												   CrGetNumeric(newtuple, rel, "total_vat"), NULL),
							 number);
			CrSetDatum(&changes, rel, "posted_at",
					   TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()), false);
		}
		CrSetDatum(&changes, rel, "updated_at",
				   TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()), false);
	}

	CrDeriveTotals(newtuple, rel, &changes);
	return PointerGetDatum(CrApplyChanges(newtuple, rel, &changes));
}

PG_FUNCTION_INFO_V1(cr_invoice_before_delete);

/*
 * cr_invoice_before_delete: only drafts are deleted.
 */
Datum
cr_invoice_before_delete(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_invoice_before_delete", true, true);
	Relation	rel = trigdata->tg_relation;
	HeapTuple	oldtuple = trigdata->tg_trigtuple;
	char	   *status = CrGetText(oldtuple, rel, "status");

	if (status != NULL && strcmp(status, "draft") != 0)
		RefuseChange(rel, CrGetText(oldtuple, rel, "number"), status, "cannot be deleted",
					 strcmp(status, "posted") == 0 ?
					 "Cancel it instead (status = 'cancelled'); posted invoices are kept." :
					 "Cancelled invoices are kept.");
	return PointerGetDatum(oldtuple);
}

/*
 * CheckLineRate: a line of a tax code that carries a percentage gives it.
 * number is its invoice's, for the message.
 */
static void
CheckLineRate(Relation rel, HeapTuple line, const char *number)
{
	char	   *code = CrGetText(line, rel, "tax_code");

	if (code != NULL && heap_attisnull(line, CrAttnum(rel, "vat_rate"), NULL) && TaxCodeTakesRate(code))
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("VAT line of invoice %s: vat_rate is missing for tax code %s", number, code),
				 errdetail("Tax code %s carries a VAT percentage (0 for a 0 %% rate); a rate is never assumed.", code),
				 errhint("Give vat_rate as on the invoice (21, 9, 5, 0, ...). Leave it NULL only on lines of codes without a rate (exempt, outside Lithuania: see tax_code_takes_rate())."),
				 CrErrTableCol(rel, CrAttnum(rel, "vat_rate"))));
}

/*
 * AddLineToInvoice adds a line's amounts (with a sign) to its invoice; an
 * added line (sign > 0) is checked for its rate.
 */
static void
AddLineToInvoice(Relation rel, HeapTuple line, int sign)
{
	bool		isnull;
	int64		invoice_id = CrGetInt64(line, rel, "invoice_id", &isnull);
	Datum		net = heap_getattr(line, CrAttnum(rel, "taxable_value"), RelationGetDescr(rel), &isnull);
	Datum		vat = heap_getattr(line, CrAttnum(rel, "vat_amount"), RelationGetDescr(rel), &isnull);
	Datum		args[4];
	Oid			types[4] = {INT8OID, NUMERICOID, NUMERICOID, INT4OID};
	SPIPlanPtr	plan;
	char	   *status;

	if (sign < 0)
	{
		net = DirectFunctionCall1(numeric_uminus, net);
		vat = DirectFunctionCall1(numeric_uminus, vat);
	}
	args[0] = Int64GetDatum(invoice_id);
	args[1] = net;
	args[2] = vat;
	args[3] = Int32GetDatum(CrGetInt32(line, rel, "tenant_id"));

	SPI_connect();
	plan = CrKeepPlanAt(rel, &add_totals_plan,
						"UPDATE client_registry.invoice"
						"   SET total_net = total_net OPERATOR(pg_catalog.+) $2,"
						"       total_vat = total_vat OPERATOR(pg_catalog.+) $3"
						" WHERE id OPERATOR(pg_catalog.=) $1 AND tenant_id OPERATOR(pg_catalog.=) $4"
						" RETURNING status::text, number", 4, types);
	/* the registry's own change: the invoice's rules let the totals through */
	CrRunPlanInternal(plan, args, NULL, false, 0, NULL, SPI_OK_UPDATE_RETURNING,
					  "the invoice totals");
	if (SPI_processed == 1)
	{
		status = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		if (sign > 0)
			CheckLineRate(rel, line, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2));
		if (strcmp(status, "cancelled") == 0)
			RefuseChange(rel, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2),
						 "cancelled", "its VAT lines cannot change",
						 "A cancelled invoice is final; issue a new one.");
	}
	SPI_finish();
}

PG_FUNCTION_INFO_V1(cr_invoice_vat_line_after_write);

/*
 * cr_invoice_vat_line_after_write is the AFTER INSERT OR UPDATE OR DELETE
 * trigger of invoice_vat_line.
 */
Datum
cr_invoice_vat_line_after_write(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_invoice_vat_line_after_write", false, true);
	Relation	rel = trigdata->tg_relation;

	if (CrRestoreInProgress())
		return PointerGetDatum(NULL);	/* restore: totals were dumped with the invoice */
	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
	{
		CrCheckRowTenant(rel, CrGetInt32(trigdata->tg_trigtuple, rel, "tenant_id"));
		AddLineToInvoice(rel, trigdata->tg_trigtuple, 1);
	}
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		AddLineToInvoice(rel, trigdata->tg_trigtuple, -1);
	else
	{
		CrCheckRowTenant(rel, CrGetInt32(trigdata->tg_newtuple, rel, "tenant_id"));
		AddLineToInvoice(rel, trigdata->tg_trigtuple, -1);
		AddLineToInvoice(rel, trigdata->tg_newtuple, 1);
	}
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(cr_invoice_instalment_before_write);

/*
 * cr_invoice_instalment_before_write: instalments change only while their
 * invoice is a draft (R4.3).
 */
Datum
cr_invoice_instalment_before_write(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_invoice_instalment_before_write", true, true);
	Relation	rel = trigdata->tg_relation;
	HeapTuple	result = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	HeapTuple	rows[2] = {trigdata->tg_trigtuple,
	TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple : NULL};
	bool		isnull;
	Oid			types[2] = {INT8OID, INT4OID};
	SPIPlanPtr	plan;

	if (CrRestoreInProgress())
		return PointerGetDatum(result); /* restore mode */
	if (!TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		CrCheckRowTenant(rel, CrGetInt32(result, rel, "tenant_id"));
	SPI_connect();

	/*
	 * FOR SHARE: posting the invoice (an UPDATE of its row) waits for this
	 * instalment change and then checks the sum with it, and this change
	 * waits for a posting in progress and then sees "posted".
	 */
	plan = CrKeepPlanAt(rel, &invoice_status_plan,
						"SELECT status::text, number FROM client_registry.invoice"
						" WHERE id OPERATOR(pg_catalog.=) $1"
						"   AND tenant_id OPERATOR(pg_catalog.=) $2 FOR SHARE", 2, types);
	for (int i = 0; i < 2; i++)
	{
		Datum		args[2];

		if (rows[i] == NULL)
			continue;
		args[0] = Int64GetDatum(CrGetInt64(rows[i], rel, "invoice_id", &isnull));
		args[1] = Int32GetDatum(CrGetInt32(rows[i], rel, "tenant_id"));
		if (CrRunPlan(plan, args, NULL, false, 1, rel, SPI_OK_SELECT, "the instalment's invoice") == 1 &&
			strcmp(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1), "draft") != 0)
			RefuseChange(rel, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2),
						 SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1),
						 "its instalments cannot change",
						 "Instalments are set while the invoice is a draft.");
	}
	SPI_finish();
	return PointerGetDatum(result);
}
