/*
 * payment_rules.c
 *		Payments and settlements (R4.5), across currencies, and R4.4 ledger
 *		accounts.
 *
 *	cr_payment_before_write   base-currency amount; a payment's amount never
 *		drops below what it already settles; while it settles invoices it
 *		keeps its client (except in a merge, which moves its exchange
 *		differences to the survivor's balance), direction, currency and
 *		rate, and is not booked to a ledger account.  R4.4: a client
 *		settled by documents has no payments on ledger accounts.
 *	(payments received lower the client's receivable, payments made its
 *	payable: client_balance.c)
 *	cr_settlement_before_write  a payment settles posted invoices of the
 *		same client and the matching direction (money in for sales, out for
 *		purchases), in any currency, never beyond the invoice's open amount
 *		(after payments, credit notes and offsets) or the payment's unused
 *		amount.  The invoice row and then the payment row are locked first
 *		(always in that order), so two sessions settling the same invoice
 *		or spending the same payment run one after the other and the second
 *		sees the first one's amount.  Not for clients settled by ledger
 *		accounts, nor payments booked to one (R4.4).
 *
 * Currencies: amount is in the invoice currency, payment_amount what it
 * uses of the payment in the payment currency (equal in one currency;
 * otherwise given as the bank converted it, or converted at the two
 * documents' rates).  Their base-currency parts (amount_base at the
 * invoice's rate, payment_amount_base at the payment's; the part that
 * closes a document in full takes what is left of its base amount) differ
 * by the exchange difference, which moves the client's balance so that what
 * is settled leaves nothing in the base currency (debt_closing.c,
 * CrAddToBalance).  Each settlement keeps invoice.closed_on.
 *
 * Restore mode (row_security = off): rows load as dumped, no rules; the
 * balances are rebuilt (exchange differences included).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "client_balance.h"
#include "debt_closing.h"
#include "document_support.h"
#include "client_registry.h"
#include "internal_change.h"
#include "shard_map.h"
#include "trigger_support.h"

/* A payment row locked by a settlement. */
typedef struct PaymentRow
{
	int64		client_id;
	bool		in;				/* received (else made) */
	char	   *currency;
	Numeric		amount;
	Numeric		rate;
	Numeric		amount_base;
	DateADT		payment_date;
	char	   *ledger_account;
} PaymentRow;

/* What the settlements of a payment use of it (one settlement excepted). */
typedef struct PaymentUse
{
	Numeric		used;			/* payment currency */
	Numeric		used_base;
	Numeric		exchange;		/* sum of payment_amount_base - amount_base */
	int64		count;
} PaymentUse;

static SPIPlanPtr payment_use_plan = NULL;
static SPIPlanPtr lock_payment_plan = NULL;

/*
 * PaymentUsePlan / LockPaymentPlan: the kept statements, over rel's
 * co-located shards on a Citus worker (SPI connected).
 */
static SPIPlanPtr
PaymentUsePlan(Relation rel)
{
	Oid			types[3] = {INT4OID, INT8OID, INT8OID};

	return CrKeepPlanAt(rel, &payment_use_plan,
		"SELECT COALESCE(pg_catalog.sum(payment_amount), 0),"
		"       COALESCE(pg_catalog.sum(payment_amount_base), 0),"
		"       COALESCE(pg_catalog.sum(payment_amount_base OPERATOR(pg_catalog.-) amount_base), 0),"
		"       pg_catalog.count(*)"
		"  FROM client_registry.settlement"
		" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND payment_id OPERATOR(pg_catalog.=) $2"
		"   AND id OPERATOR(pg_catalog.<>) $3", 3, types);
}

static SPIPlanPtr
LockPaymentPlan(Relation rel)
{
	Oid			types[2] = {INT4OID, INT8OID};

	return CrKeepPlanAt(rel, &lock_payment_plan,
		"SELECT client_id, direction::text, currency, amount, currency_rate, amount_base,"
		"       payment_date, ledger_account"
		"  FROM client_registry.payment WHERE tenant_id OPERATOR(pg_catalog.=) $1"
		"   AND id OPERATOR(pg_catalog.=) $2"
		"   FOR NO KEY UPDATE", 2, types);
}

/* KeepNumeric copies a numeric out of SPI's memory (it outlives SPI_finish). */
static Numeric
KeepNumeric(Numeric n)
{
	return DatumGetNumeric(SPI_datumTransfer(NumericGetDatum(n), false, -1));
}

/*
 * SumPaymentUse sums the settlements of a payment except one (SPI
 * connected), with the latest snapshot: under REPEATABLE READ the
 * transaction's own snapshot would miss a settlement another session
 * committed while we waited for the row locks (the locks alone raise no
 * serialization error).
 */
static void
SumPaymentUse(Relation rel, int32 tenant_id, int64 payment_id, int64 except_settlement, PaymentUse *use)
{
	Datum		args[3] = {Int32GetDatum(tenant_id), Int64GetDatum(payment_id), Int64GetDatum(except_settlement)};
	CrUserSwitch sw;
	HeapTuple	t;
	TupleDesc	d;
	bool		isnull;
	int			ret;
	SPIPlanPtr	plan = PaymentUsePlan(rel);

	CrBecomeOwner(rel, &sw);
	ret = SPI_execute_snapshot(plan, args, NULL, GetLatestSnapshot(), InvalidSnapshot,
							   true, false, 1);
	CrRestoreUser(&sw);
	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "summing the settlements of payment %lld failed: %s", (long long) payment_id,
			 SPI_result_code_string(ret));
	t = SPI_tuptable->vals[0];
	d = SPI_tuptable->tupdesc;
	use->used = KeepNumeric(DatumGetNumeric(SPI_getbinval(t, d, 1, &isnull)));
	use->used_base = KeepNumeric(DatumGetNumeric(SPI_getbinval(t, d, 2, &isnull)));
	use->exchange = KeepNumeric(DatumGetNumeric(SPI_getbinval(t, d, 3, &isnull)));
	use->count = DatumGetInt64(SPI_getbinval(t, d, 4, &isnull));
}

/*
 * RefuseBasis raises check_violation for an R4.4 rule (detail optional).
 */
static void
RefuseBasis(Relation rel, const char *what, const char *detail, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 errmsg("%s", what),
			 detail ? errdetail("%s", detail) : 0,
			 errhint("%s", hint),
			 CrErrTable(rel)));
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
	int32		tenant_id = CrGetInt32(newtuple, rel, "tenant_id");
	bool		has_ledger = CrHasColumn(rel, "ledger_account");
	char	   *ledger = has_ledger ? CrGetText(newtuple, rel, "ledger_account") : NULL;
	bool		isnull;
	int64		client_id = CrGetInt64(newtuple, rel, "client_id", &isnull);
	bool		restore = CrRestoreInProgress();

	CrCheckRowTenant(rel, tenant_id);
	if (ledger != NULL && !restore)
	{
		char	   *basis;

		SPI_connect();
		basis = CrClientSettledBy(rel, tenant_id, client_id);
		if (basis != NULL && strcmp(basis, "documents") == 0)
			RefuseBasis(rel, psprintf("client %lld is settled by documents: a payment to or from it carries no ledger account (%s)",
									  (long long) client_id, ledger),
						NULL,
						"Leave payment.ledger_account NULL, or set the client's settled_by to 'accounts' or 'mixed' (R4.4).");
		SPI_finish();
	}
	if (is_update && !restore)
	{
		HeapTuple	oldtuple = trigdata->tg_trigtuple;
		int64		id = CrGetInt64(oldtuple, rel, "id", &isnull);
		int64		old_client = CrGetInt64(oldtuple, rel, "client_id", &isnull);
		bool		client_changed = old_client != client_id;
		PaymentUse	use;

		SPI_connect();
		if (CrHasColumn(rel, "ledger_account"))
			SumPaymentUse(rel, tenant_id, id, 0, &use);
		else
		{
			/* objects older than the library (before ALTER EXTENSION UPDATE) */
			use.used = CrNumZero();
			use.used_base = use.exchange = use.used;
			use.count = 0;
		}
		if (CrNumCmp(use.used, amount) > 0 ||
			(client_changed && !CrMergeInProgress() && use.count > 0))
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("payment %lld settles %s already and cannot become %s%s", (long long) id,
							CrNumText(use.used), CrNumText(amount),
							client_changed ? " of another client" : ""),
					 errhint("Delete or reduce its rows of client_registry.settlement first."),
					 CrErrTable(rel)));
		if (use.count > 0)
		{
			static const char *const fixed[] = {"direction", "currency", "currency_rate"};

			for (size_t i = 0; i < lengthof(fixed); i++)
			{
				char	   *a = CrGetText(oldtuple, rel, fixed[i]);
				char	   *b = CrGetText(newtuple, rel, fixed[i]);

				if (!CrTextEqual(a, b))
					ereport(ERROR,
							(errcode(ERRCODE_CHECK_VIOLATION),
							 errmsg("payment %lld settles invoices: its %s cannot change (from %s to %s)",
									(long long) id, fixed[i], a ? a : "NULL", b ? b : "NULL"),
							 errhint("Delete or reduce its rows of client_registry.settlement first."),
							 CrErrTable(rel)));
			}
			if (ledger != NULL)
				RefuseBasis(rel, psprintf("payment %lld settles invoices and cannot be booked to ledger account %s",
										  (long long) id, ledger),
							NULL,
							"A payment settles either documents or a ledger account (R4.4); delete its settlements first.");
			if (client_changed && CrNumCmp(use.exchange, CrNumZero()) != 0)
			{
				/* a merge: the exchange differences move with the payment */
				bool		in = CrTextEqual(CrGetText(newtuple, rel, "direction"), "in");
				Numeric		zero = CrNumZero();
				Numeric		minus = CrNumNeg(use.exchange);

				CrAddToBalance(rel, tenant_id, old_client, in ? minus : zero, in ? zero : minus);
				CrAddToBalance(rel, tenant_id, client_id, in ? use.exchange : zero, in ? zero : use.exchange);
			}
		}
		SPI_finish();
	}
	CrSetDatum(&changes, rel, "amount_base",
			   NumericGetDatum(CrBaseAmount(amount, CrGetNumeric(newtuple, rel, "currency_rate"))), false);
	return PointerGetDatum(CrApplyChanges(newtuple, rel, &changes));
}

/*
 * LockPayment locks a payment of the tenant (FOR NO KEY UPDATE) and
 * returns its row, or NULL when the tenant has none (SPI connected, the
 * owner's rights of rel; the row lives until SPI_finish).
 */
static HeapTuple
LockPayment(Relation rel, int64 payment_id, int32 tenant_id, TupleDesc *desc)
{
	Datum		args[2] = {Int32GetDatum(tenant_id), Int64GetDatum(payment_id)};

	if (CrRunPlan(LockPaymentPlan(rel), args, NULL, false, 1, rel, SPI_OK_SELECT, "locking a payment") == 0)
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
			 CrErrTable(rel)));
}

/*
 * ReadPayment reads a locked payment row (LockPayment).
 */
static void
ReadPayment(HeapTuple t, TupleDesc d, PaymentRow *p)
{
	bool		isnull;

	p->client_id = DatumGetInt64(SPI_getbinval(t, d, 1, &isnull));
	p->in = strcmp(SPI_getvalue(t, d, 2), "in") == 0;
	p->currency = SPI_getvalue(t, d, 3);
	p->amount = KeepNumeric(DatumGetNumeric(SPI_getbinval(t, d, 4, &isnull)));
	p->rate = KeepNumeric(DatumGetNumeric(SPI_getbinval(t, d, 5, &isnull)));
	p->amount_base = KeepNumeric(DatumGetNumeric(SPI_getbinval(t, d, 6, &isnull)));
	p->payment_date = DatumGetDateADT(SPI_getbinval(t, d, 7, &isnull));
	p->ledger_account = SPI_getvalue(t, d, 8);
}

PG_FUNCTION_INFO_V1(cr_settlement_before_write);

/*
 * cr_settlement_before_write is the BEFORE INSERT OR UPDATE OR DELETE
 * trigger of settlement.
 */
Datum
cr_settlement_before_write(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_settlement_before_write", true, true);
	Relation	rel = trigdata->tg_relation;
	bool		is_update = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event);
	bool		is_delete = TRIGGER_FIRED_BY_DELETE(trigdata->tg_event);
	HeapTuple	newtuple = is_update ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	HeapTuple	oldtuple = is_delete ? trigdata->tg_trigtuple : (is_update ? trigdata->tg_trigtuple : NULL);
	bool		isnull;
	bool		restore = CrRestoreInProgress();
	int64		id;
	int64		invoice_id;
	int64		payment_id;
	int32		tenant_id;
	Numeric		amount;
	Numeric		pay_amount;
	Numeric		amount_base;
	Numeric		pay_base;
	Numeric		exchange;
	Numeric		zero = CrNumZero();
	CrDocument	inv;
	PaymentRow	pay;
	PaymentUse	use;
	HeapTuple	pay_row;
	TupleDesc	pay_desc = NULL;
	DateADT		settlement_date;
	CrRowChanges changes = {0};
	HeapTuple	result;

	if (!CrHasColumn(rel, "settlement_date"))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the client_registry library is version 0.4.0 but the extension's objects are older"),
				 errhint("Run ALTER EXTENSION client_registry UPDATE before writing settlements.")));

	if (is_delete || is_update)
	{
		Numeric		old_exchange;

		/* what the old row did is undone: its exchange difference, its closing */
		id = CrGetInt64(oldtuple, rel, "id", &isnull);
		invoice_id = CrGetInt64(oldtuple, rel, "invoice_id", &isnull);
		payment_id = CrGetInt64(oldtuple, rel, "payment_id", &isnull);
		tenant_id = CrGetInt32(oldtuple, rel, "tenant_id");
		if (is_update &&
			(invoice_id != CrGetInt64(newtuple, rel, "invoice_id", &isnull) ||
			 payment_id != CrGetInt64(newtuple, rel, "payment_id", &isnull)))
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("settlement %lld cannot move to another invoice or payment", (long long) id),
					 errhint("Delete it and insert a new one."),
					 CrErrTable(rel)));
		old_exchange = CrNumSub(CrGetNumeric(oldtuple, rel, "payment_amount_base"),
								CrGetNumeric(oldtuple, rel, "amount_base"));
		if (is_delete)
		{
			/*
			 * The invoice's client and direction are the payment's (a
			 * settlement deleted with its payment no longer sees the payment
			 * row).
			 */
			SPI_connect();
			if (CrLockDocument(rel, tenant_id, invoice_id, id, 0, &inv))
			{
				if (CrNumCmp(old_exchange, zero) != 0)
					CrAddToBalance(rel, tenant_id, inv.client_id,
								   inv.sale ? CrNumNeg(old_exchange) : zero,
								   inv.sale ? zero : CrNumNeg(old_exchange));
				if (!restore)
					CrKeepClosedOn(rel, tenant_id, &inv, zero, false, 0);
			}
			SPI_finish();
			return PointerGetDatum(oldtuple);
		}
	}

	id = CrGetInt64(newtuple, rel, "id", &isnull);
	invoice_id = CrGetInt64(newtuple, rel, "invoice_id", &isnull);
	payment_id = CrGetInt64(newtuple, rel, "payment_id", &isnull);
	tenant_id = CrGetInt32(newtuple, rel, "tenant_id");
	amount = CrGetNumeric(newtuple, rel, "amount");
	if (restore && !is_update &&
		!heap_attisnull(newtuple, CrAttnum(rel, "amount_base"), NULL) &&
		!heap_attisnull(newtuple, CrAttnum(rel, "payment_amount_base"), NULL))
	{
		/*
		 * A restore loads the row as dumped (the documents' closings may be
		 * restored in any order); its exchange difference rebuilds the
		 * balance.
		 */
		SPI_connect();
		pay_row = LockPayment(rel, payment_id, tenant_id, &pay_desc);
		if (pay_row != NULL)
		{
			Numeric		change = CrNumSub(CrGetNumeric(newtuple, rel, "payment_amount_base"),
										  CrGetNumeric(newtuple, rel, "amount_base"));

			ReadPayment(pay_row, pay_desc, &pay);
			CrAddToBalance(rel, tenant_id, pay.client_id, pay.in ? change : zero, pay.in ? zero : change);
		}
		SPI_finish();
		return PointerGetDatum(newtuple);
	}
	CrCheckRowTenant(rel, tenant_id);
	SPI_connect();

	/*
	 * Lock the invoice, then the payment (fixed order: no deadlocks), both
	 * of the settlement's own tenant: rows of another tenant are not
	 * touched and fall through to the foreign keys.  With both rows
	 * locked, a fresh snapshot sees every closing made before.
	 */
	if (!CrLockDocument(rel, tenant_id, invoice_id, id, 0, &inv) ||
		(pay_row = LockPayment(rel, payment_id, tenant_id, &pay_desc)) == NULL)
	{
		/*
		 * The foreign key reports it (after this trigger): the maintained
		 * columns get placeholders so that no NOT NULL check comes first,
		 * and nothing is read from the other tenant's rows.
		 */
		SPI_finish();
		CrSetDatum(&changes, rel, "settlement_date", DateADTGetDatum(GetSQLCurrentDate()), false);
		CrSetDatum(&changes, rel, "payment_amount", NumericGetDatum(amount), false);
		CrSetDatum(&changes, rel, "amount_base", NumericGetDatum(amount), false);
		CrSetDatum(&changes, rel, "payment_amount_base", NumericGetDatum(amount), false);
		return PointerGetDatum(CrApplyChanges(newtuple, rel, &changes));
	}
	ReadPayment(pay_row, pay_desc, &pay);
	SumPaymentUse(rel, tenant_id, payment_id, id, &use);

	if (!restore)
	{
		if (inv.client_id != pay.client_id)
			RefuseSettlement(rel, psprintf("payment %lld of client %lld cannot settle invoice %s of client %lld",
										   (long long) payment_id, (long long) pay.client_id, inv.number,
										   (long long) inv.client_id),
							 "A payment settles invoices of its own client.");
		if (inv.settled_by != NULL && strcmp(inv.settled_by, "accounts") == 0)
			RefuseBasis(rel, psprintf("client %lld is settled by ledger accounts: payment %lld cannot settle invoice %s",
									  (long long) inv.client_id, (long long) payment_id, inv.number),
						"Its debts and payments are kept per ledger account (R4.4), not per document.",
						"Book the payment to a ledger account (payment.ledger_account), or set the client's settled_by to 'documents' or 'mixed'.");
		if (pay.ledger_account != NULL)
			RefuseBasis(rel, psprintf("payment %lld is booked to ledger account %s and cannot settle invoice %s",
									  (long long) payment_id, pay.ledger_account, inv.number),
						NULL,
						"A payment settles either a ledger account or documents (R4.4); clear payment.ledger_account to settle documents.");
		if (strcmp(inv.status, "posted") != 0)
			RefuseSettlement(rel, psprintf("invoice %s is %s and cannot be settled", inv.number, inv.status),
							 "Only posted invoices are settled.");
		if (inv.sale != pay.in)
			RefuseSettlement(rel, psprintf("a payment %s cannot settle the %s invoice %s",
										   pay.in ? "received" : "made", inv.sale ? "sale" : "purchase", inv.number),
							 "Payments received settle sales invoices; payments made settle purchase invoices.");
	}

	/* what it uses of the payment, in the payment currency */
	if (heap_attisnull(newtuple, CrAttnum(rel, "payment_amount"), NULL) ||
		(is_update && CrNumCmp(CrGetNumeric(trigdata->tg_trigtuple, rel, "amount"), amount) != 0 &&
		 CrNumCmp(CrGetNumeric(trigdata->tg_trigtuple, rel, "payment_amount"),
				  CrGetNumeric(newtuple, rel, "payment_amount")) == 0))
	{
		if (strcmp(inv.currency, pay.currency) == 0)
			pay_amount = amount;
		else
			pay_amount = CrNumRound2(DatumGetNumeric(DirectFunctionCall2(numeric_div,
																		 NumericGetDatum(CrBaseAmount(amount, inv.rate)),
																		 NumericGetDatum(pay.rate))));
	}
	else
	{
		pay_amount = CrGetNumeric(newtuple, rel, "payment_amount");
		if (!restore && strcmp(inv.currency, pay.currency) == 0 && CrNumCmp(pay_amount, amount) != 0)
			RefuseSettlement(rel, psprintf("settlement of invoice %s: payment_amount %s differs from amount %s in one currency (%s)",
										   inv.number, CrNumText(pay_amount), CrNumText(amount), inv.currency),
							 "Leave payment_amount out: in one currency it equals amount.");
	}
	if (!restore)
	{
		if (CrNumCmp(pay_amount, zero) <= 0 && CrNumCmp(amount, zero) > 0)
			RefuseSettlement(rel, psprintf("settling %s %s of invoice %s uses %s %s of payment %lld, less than a cent",
										   CrNumText(amount), inv.currency, inv.number, CrNumText(pay_amount),
										   pay.currency, (long long) payment_id),
							 "Settle a larger amount or give payment_amount.");
		if (!CrClosingFits(&inv, amount))
			RefuseSettlement(rel, psprintf("settling %s of invoice %s exceeds its open amount %s",
										   CrNumText(amount), inv.number, CrNumText(CrDocumentOpen(&inv))),
							 "Settle at most the open amount; the rest of the payment stays unused for other invoices.");
		if (CrNumCmp(CrNumAdd(use.used, pay_amount), pay.amount) > 0)
			RefuseSettlement(rel, psprintf("settling %s from payment %lld exceeds its unused amount %s",
										   CrNumText(pay_amount), (long long) payment_id,
										   CrNumText(CrNumSub(pay.amount, use.used))),
							 strcmp(inv.currency, pay.currency) == 0 ?
							 "Use at most the payment's unused amount." :
							 psprintf("Use at most the payment's unused amount; in two currencies give payment_amount (in %s) as the bank converted it.",
									  pay.currency));
	}

	/* base-currency parts; the one that uses up the payment takes what is left */
	amount_base = CrClosingBase(&inv, amount);
	if (CrNumCmp(CrNumAdd(use.used, pay_amount), pay.amount) == 0)
		pay_base = CrNumSub(pay.amount_base, use.used_base);
	else
		pay_base = CrBaseAmount(pay_amount, pay.rate);
	exchange = CrNumSub(pay_base, amount_base);		/* the balance change */

	if (heap_attisnull(newtuple, CrAttnum(rel, "settlement_date"), NULL))
		settlement_date = pay.payment_date > inv.invoice_date ? pay.payment_date : inv.invoice_date;
	else
		settlement_date = DatumGetDateADT(heap_getattr(newtuple, CrAttnum(rel, "settlement_date"),
													   RelationGetDescr(rel), &isnull));

	/* the balance: this row's exchange difference, less the old row's */
	{
		Numeric		change = exchange;

		if (is_update)
			change = CrNumSub(change, CrNumSub(CrGetNumeric(trigdata->tg_trigtuple, rel, "payment_amount_base"),
											   CrGetNumeric(trigdata->tg_trigtuple, rel, "amount_base")));
		if (CrNumCmp(change, zero) != 0)
			CrAddToBalance(rel, tenant_id, pay.client_id, pay.in ? change : zero, pay.in ? zero : change);
	}
	if (!restore)
		CrKeepClosedOn(rel, tenant_id, &inv, amount, true, settlement_date);

	CrSetDatum(&changes, rel, "settlement_date", DateADTGetDatum(settlement_date), false);
	CrSetDatum(&changes, rel, "payment_amount", NumericGetDatum(KeepNumeric(pay_amount)), false);
	CrSetDatum(&changes, rel, "amount_base", NumericGetDatum(KeepNumeric(amount_base)), false);
	CrSetDatum(&changes, rel, "payment_amount_base", NumericGetDatum(KeepNumeric(pay_base)), false);
	CrSetDatum(&changes, rel, "exchange_difference",
			   NumericGetDatum(KeepNumeric(inv.sale ? exchange : CrNumNeg(exchange))), false);
	SPI_finish();
	result = CrApplyChanges(newtuple, rel, &changes);
	return PointerGetDatum(result);
}
