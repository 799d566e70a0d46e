/*
 * payment_rules.c
 *		Payments and settlements (R4.5).
 *
 *	cr_payment_before_write   base-currency amount; a payment's amount never
 *		drops below what it already settles, nor does it change client
 *		while it settles invoices.
 *	(payments received lower the client's receivable, payments made its
 *	payable: client_balance.c)
 *	cr_settlement_before_write  a payment settles posted invoices of the
 *		same client, in the same currency and the matching direction (money
 *		in for sales, out for purchases), never beyond the invoice's open
 *		amount or the payment's unused amount.  The invoice row and then the
 *		payment row are locked first (always in that order), so two
 *		sessions settling the same invoice or spending the same payment run
 *		one after the other and the second sees the first one's amount.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "client_balance.h"
#include "document_support.h"
#include "client_registry.h"
#include "internal_change.h"
#include "trigger_support.h"

static SPIPlanPtr payment_settled_plan = NULL;
static SPIPlanPtr lock_invoice_plan = NULL;
static SPIPlanPtr lock_payment_plan = NULL;
static SPIPlanPtr invoice_settled_plan = NULL;

/*
 * SumSettled sums the settlements of an invoice or a payment (by plan),
 * except one (SPI connected, owner's rights).
 */
static Numeric
SumSettled(SPIPlanPtr plan, int64 id, int64 except_settlement)
{
	Datum		args[2] = {Int64GetDatum(id), Int64GetDatum(except_settlement)};
	bool		isnull;
	int			ret;

	/*
	 * Read with the latest snapshot: under REPEATABLE READ the transaction's
	 * own snapshot would miss a settlement another session committed while
	 * we waited for the row locks (the locks alone raise no serialization
	 * error).  Under READ COMMITTED this is what a new statement sees anyway.
	 */
	ret = SPI_execute_snapshot(plan, args, NULL, GetLatestSnapshot(), InvalidSnapshot, false, false, 1);

	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(ret));
	return DatumGetNumeric(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/*
 * PreparePaymentPlans prepares the saved statements (SPI connected).
 */
static void
PreparePaymentPlans(void)
{
	Oid			types[2] = {INT8OID, INT8OID};

	if (payment_settled_plan != NULL)
		return;
	payment_settled_plan = CrKeepPlan("SELECT COALESCE(sum(amount), 0) FROM client_registry.settlement"
									  " WHERE payment_id OPERATOR(pg_catalog.=) $1"
									  "   AND id OPERATOR(pg_catalog.<>) $2", 2, types);
	invoice_settled_plan = CrKeepPlan("SELECT COALESCE(sum(amount), 0) FROM client_registry.settlement"
									  " WHERE invoice_id OPERATOR(pg_catalog.=) $1"
									  "   AND id OPERATOR(pg_catalog.<>) $2", 2, types);
	types[1] = INT4OID;
	lock_invoice_plan = CrKeepPlan("SELECT client_id, direction::text, status::text, currency, total_gross, number"
								   "  FROM client_registry.invoice WHERE id OPERATOR(pg_catalog.=) $1"
								   "   AND tenant_id OPERATOR(pg_catalog.=) $2"
								   "   FOR NO KEY UPDATE", 2, types);
	lock_payment_plan = CrKeepPlan("SELECT client_id, direction::text, currency, amount"
								   "  FROM client_registry.payment WHERE id OPERATOR(pg_catalog.=) $1"
								   "   AND tenant_id OPERATOR(pg_catalog.=) $2"
								   "   FOR NO KEY UPDATE", 2, types);
}

PG_FUNCTION_INFO_V1(cr_payment_before_write);

/*
 * cr_payment_before_write is the BEFORE INSERT OR UPDATE trigger of payment.
 */
Datum
cr_payment_before_write(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_payment_before_write", true, true);
	Relation	rel = trigdata->tg_relation;
	bool		is_update = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event);
	HeapTuple	newtuple = is_update ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	CrRowChanges changes = {0};
	Numeric		amount = CrGetNumeric(newtuple, rel, "amount");
	bool		isnull;

	CrCheckRowTenant(rel, CrGetInt32(newtuple, rel, "tenant_id"));
	if (is_update)
	{
		HeapTuple	oldtuple = trigdata->tg_trigtuple;
		int64		id = CrGetInt64(oldtuple, rel, "id", &isnull);
		bool		client_changed = CrGetInt64(oldtuple, rel, "client_id", &isnull) !=
			CrGetInt64(newtuple, rel, "client_id", &isnull);
		Numeric		settled;
		CrUserSwitch sw;

		SPI_connect();
		PreparePaymentPlans();
		CrBecomeOwner(rel, &sw);
		settled = SumSettled(payment_settled_plan, id, 0);
		CrRestoreUser(&sw);
		if (CrNumCmp(settled, amount) > 0 ||
			(client_changed && !CrMergeInProgress() && CrNumCmp(settled, int64_to_numeric(0)) > 0))
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("payment %lld settles %s already and cannot become %s%s", (long long) id,
							CrNumText(settled), CrNumText(amount),
							client_changed ? " of another client" : ""),
					 errhint("Delete or reduce its rows of client_registry.settlement first."),
					 errtable(rel)));
		SPI_finish();
	}
	CrSetDatum(&changes, rel, "amount_base",
			   NumericGetDatum(CrBaseAmount(amount, CrGetNumeric(newtuple, rel, "currency_rate"))), false);
	return PointerGetDatum(CrApplyChanges(newtuple, rel, &changes));
}

/*
 * LockOwnRow runs a "SELECT ... FOR NO KEY UPDATE" plan for a row of the
 * tenant and returns the row (and its descriptor), or NULL when the tenant
 * has no such row.  The row stays valid until SPI_finish.
 */
static HeapTuple
LockOwnRow(SPIPlanPtr plan, int64 id, int32 tenant_id, TupleDesc *desc)
{
	Datum		args[2] = {Int64GetDatum(id), Int32GetDatum(tenant_id)};
	int			ret = SPI_execute_plan(plan, args, NULL, false, 1);

	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
		return NULL;
	*desc = SPI_tuptable->tupdesc;
	return SPI_tuptable->vals[0];
}

/*
 * RefuseSettlement raises check_violation for a settlement.
 */
static void
RefuseSettlement(Relation rel, const char *what, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 errmsg("%s", what),
			 errhint("%s", hint),
			 errtable(rel)));
}

PG_FUNCTION_INFO_V1(cr_settlement_before_write);

/*
 * cr_settlement_before_write is the BEFORE INSERT OR UPDATE trigger of
 * settlement.
 */
Datum
cr_settlement_before_write(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_settlement_before_write", true, true);
	Relation	rel = trigdata->tg_relation;
	bool		is_update = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event);
	HeapTuple	newtuple = is_update ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	bool		isnull;
	int64		id = CrGetInt64(newtuple, rel, "id", &isnull);
	int64		invoice_id = CrGetInt64(newtuple, rel, "invoice_id", &isnull);
	int64		payment_id = CrGetInt64(newtuple, rel, "payment_id", &isnull);
	Numeric		amount = CrGetNumeric(newtuple, rel, "amount");
	CrUserSwitch sw;
	int32		tenant_id = CrGetInt32(newtuple, rel, "tenant_id");
	HeapTuple	inv,
				pay;
	TupleDesc	inv_desc,
				pay_desc;
	int64		inv_client,
				pay_client;
	char	   *inv_dir,
			   *inv_status,
			   *inv_currency,
			   *inv_number,
			   *pay_dir,
			   *pay_currency;
	Numeric		inv_gross,
				pay_amount,
				inv_settled,
				pay_settled;

	CrCheckRowTenant(rel, tenant_id);
	SPI_connect();
	PreparePaymentPlans();
	CrBecomeOwner(rel, &sw);

	/*
	 * Lock the invoice, then the payment (fixed order: no deadlocks), both
	 * of the settlement's own tenant: rows of another tenant are not
	 * touched and fall through to the foreign keys.
	 */
	inv_desc = NULL;
	pay_desc = NULL;
	inv = LockOwnRow(lock_invoice_plan, invoice_id, tenant_id, &inv_desc);
	pay = inv ? LockOwnRow(lock_payment_plan, payment_id, tenant_id, &pay_desc) : NULL;
	if (inv == NULL || pay == NULL)
	{
		CrRestoreUser(&sw);
		SPI_finish();
		return PointerGetDatum(newtuple);	/* the foreign key reports it */
	}
	inv_client = DatumGetInt64(SPI_getbinval(inv, inv_desc, 1, &isnull));
	inv_dir = SPI_getvalue(inv, inv_desc, 2);
	inv_status = SPI_getvalue(inv, inv_desc, 3);
	inv_currency = SPI_getvalue(inv, inv_desc, 4);
	inv_gross = DatumGetNumeric(SPI_getbinval(inv, inv_desc, 5, &isnull));
	inv_number = SPI_getvalue(inv, inv_desc, 6);
	pay_client = DatumGetInt64(SPI_getbinval(pay, pay_desc, 1, &isnull));
	pay_dir = SPI_getvalue(pay, pay_desc, 2);
	pay_currency = SPI_getvalue(pay, pay_desc, 3);
	pay_amount = DatumGetNumeric(SPI_getbinval(pay, pay_desc, 4, &isnull));

	/* with both rows locked, a fresh snapshot sees every settlement made before */
	inv_settled = SumSettled(invoice_settled_plan, invoice_id, id);
	pay_settled = SumSettled(payment_settled_plan, payment_id, id);
	CrRestoreUser(&sw);

	if (inv_client != pay_client)
		RefuseSettlement(rel, psprintf("payment %lld of client %lld cannot settle invoice %s of client %lld",
									   (long long) payment_id, (long long) pay_client, inv_number,
									   (long long) inv_client),
						 "A payment settles invoices of its own client.");
	if (strcmp(inv_status, "posted") != 0)
		RefuseSettlement(rel, psprintf("invoice %s is %s and cannot be settled", inv_number, inv_status),
						 "Only posted invoices are settled.");
	if ((strcmp(inv_dir, "sale") == 0) != (strcmp(pay_dir, "in") == 0))
		RefuseSettlement(rel, psprintf("a payment %s cannot settle the %s invoice %s",
									   strcmp(pay_dir, "in") == 0 ? "received" : "made", inv_dir, inv_number),
						 "Payments received settle sales invoices; payments made settle purchase invoices.");
	if (strcmp(inv_currency, pay_currency) != 0)
		RefuseSettlement(rel, psprintf("payment %lld in %s cannot settle invoice %s in %s",
									   (long long) payment_id, pay_currency, inv_number, inv_currency),
						 "Settle in the invoice's currency.");
	if (CrNumCmp(numeric_add_opt_error(inv_settled, amount, NULL), inv_gross) > 0)
		RefuseSettlement(rel, psprintf("settling %s of invoice %s exceeds its open amount %s",
									   CrNumText(amount), inv_number,
									   CrNumText(numeric_sub_opt_error(inv_gross, inv_settled, NULL))),
						 "Settle at most the open amount; the rest of the payment stays unused for other invoices.");
	if (CrNumCmp(numeric_add_opt_error(pay_settled, amount, NULL), pay_amount) > 0)
		RefuseSettlement(rel, psprintf("settling %s from payment %lld exceeds its unused amount %s",
									   CrNumText(amount), (long long) payment_id,
									   CrNumText(numeric_sub_opt_error(pay_amount, pay_settled, NULL))),
						 "Use at most the payment's unused amount.");
	SPI_finish();
	return PointerGetDatum(newtuple);
}
