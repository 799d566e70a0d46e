/*
 * client_balance.c
 *		Running balances per client and credit control (R4.1).
 *
 * client_balance holds, per client, receivable = posted sales invoices minus
 * payments received, and payable = posted purchase invoices minus payments
 * made (gross, base currency).  A statement-level trigger on invoice and
 * payment turns the rows each statement changed (its transition tables)
 * into one change per client and applies them with one statement:
 *
 *	INSERT INTO client_balance ... ON CONFLICT ON CONSTRAINT client_balance_pkey
 *	((client_id, tenant_id) since 0.4.0, (client_id) in a 0.3.0 schema)
 *	DO UPDATE SET receivable = receivable + delta ... RETURNING receivable
 *
 * in client order, which also row-locks each client's balance until commit.
 * One balance row version per client and statement, whether the statement
 * posts one invoice or a restore loads a million.  So the credit
 * check costs the same whatever the buyer's history (no SUM over invoices),
 * two sales to the same buyer are checked one after the other (the second
 * sees the first one's amount), and sales to different buyers never wait
 * for each other.
 *
 * When a sale raises the buyer's receivable and the buyer has credit
 * control: strict refuses it (SQLSTATE R4001, the statement is undone);
 * warn lets it through with a WARNING carrying the same figures.
 *
 * Restore mode (row_security = off, as pg_dump's scripts set it): balances
 * are still rebuilt, but credit control does not refuse (a restore loads
 * history as it was).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/rls.h"

#include "client_registry.h"
#include "internal_change.h"
#include "client_balance.h"
#include "trigger_support.h"

/*
 * The statement that turns the rows a statement changed into one balance
 * change per client, applies them in client order (one row lock each, the
 * same order in every session), and returns the clients a sale took over
 * their credit limit.  $-free: it reads the transition tables cr_new and
 * cr_old.  %s is the amount expression of the table, %s its direction test
 * for the receivable side.
 */
static const char *const balance_sql =
"WITH d AS (%s"
"), g AS ("
"  SELECT tenant_id, client_id,"
"         COALESCE(sum(amount) FILTER (WHERE receivable_side), 0)::numeric(15,2) AS r,"
"         COALESCE(sum(amount) FILTER (WHERE NOT receivable_side), 0)::numeric(15,2) AS p,"
"         string_agg(number, ', ' ORDER BY number)"
"           FILTER (WHERE receivable_side AND amount OPERATOR(pg_catalog.>) 0) AS numbers"
"    FROM d GROUP BY tenant_id, client_id"
"), u AS ("
"  INSERT INTO client_registry.client_balance AS b (tenant_id, client_id, receivable, payable)"
"  SELECT tenant_id, client_id, r, p FROM g"
"   WHERE r OPERATOR(pg_catalog.<>) 0 OR p OPERATOR(pg_catalog.<>) 0"
"   ORDER BY client_id"
"  ON CONFLICT ON CONSTRAINT client_balance_pkey DO UPDATE"
"  SET receivable = b.receivable OPERATOR(pg_catalog.+) EXCLUDED.receivable,"
"      payable = b.payable OPERATOR(pg_catalog.+) EXCLUDED.payable"
"  RETURNING b.client_id, b.receivable"
")"
"SELECT u.client_id, c.name, c.credit_control::text, c.credit_limit, u.receivable, g.r, g.numbers"
"  FROM u JOIN g ON g.client_id OPERATOR(pg_catalog.=) u.client_id"
"  JOIN client_registry.client c ON c.id OPERATOR(pg_catalog.=) u.client_id"
" WHERE g.r OPERATOR(pg_catalog.>) 0"
"   AND c.credit_control OPERATOR(pg_catalog.<>) 'none'::client_registry.credit_control_mode"
"   AND u.receivable OPERATOR(pg_catalog.>) c.credit_limit"
" ORDER BY u.client_id";

/* Each changed row as (tenant, client, signed amount, receivable side?, number). */
static const char *const invoice_rows =
"SELECT tenant_id, client_id,"
" %sCASE WHEN status OPERATOR(pg_catalog.=) 'posted'::client_registry.document_status THEN total_base ELSE 0 END AS amount,"
" direction OPERATOR(pg_catalog.=) 'sale'::client_registry.document_direction AS receivable_side,"
" %s AS number FROM %s";
static const char *const payment_rows =
"SELECT tenant_id, client_id, %samount_base AS amount,"
" direction OPERATOR(pg_catalog.=) 'in'::client_registry.payment_direction AS receivable_side,"
" NULL::text AS number FROM %s";

/*
 * BalanceQuery builds the statement for a table and a trigger event: new
 * rows add their effect, old rows take theirs away.  A posted invoice adds
 * its base amount; a payment subtracts its base amount (money received
 * lowers the receivable, money paid lowers the payable).
 */
static char *
BalanceQuery(bool invoice, bool has_new, bool has_old)
{
	char	   *parts[2];
	int			n = 0;

	if (has_new)
		parts[n++] = invoice ?
			psprintf(invoice_rows, "", "number", "cr_new") :
			psprintf(payment_rows, "OPERATOR(pg_catalog.-) ", "cr_new");
	if (has_old)
		parts[n++] = invoice ?
			psprintf(invoice_rows, "OPERATOR(pg_catalog.-) ", "NULL::text", "cr_old") :
			psprintf(payment_rows, "", "cr_old");
	return psprintf(balance_sql,
					n == 2 ? psprintf("%s UNION ALL %s", parts[0], parts[1]) : parts[0]);
}

/*
 * NumericText formats a numeric for messages.
 */
static char *
NumericText(Datum n)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out, n));
}

/* Saved plans: [invoice, payment] x [insert, update, delete]. */
static SPIPlanPtr balance_plans[2][3];

PG_FUNCTION_INFO_V1(cr_balance_after_statement);

/*
 * cr_balance_after_statement is the AFTER INSERT / UPDATE / DELETE FOR EACH
 * STATEMENT trigger (REFERENCING NEW TABLE AS cr_new / OLD TABLE AS cr_old)
 * of invoice and payment (trigger argument: 'invoice' or 'payment').
 */
Datum
cr_balance_after_statement(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_balance_after_statement", false, false);
	Relation	rel = trigdata->tg_relation;
	bool		invoice = trigdata->tg_trigger->tgnargs > 0 &&
		strcmp(trigdata->tg_trigger->tgargs[0], "invoice") == 0;
	bool		has_new = !TRIGGER_FIRED_BY_DELETE(trigdata->tg_event);
	bool		has_old = !TRIGGER_FIRED_BY_INSERT(trigdata->tg_event);
	int			ret;
	CrUserSwitch sw;

	SPI_connect();
	if (SPI_register_trigger_data(trigdata) != SPI_OK_TD_REGISTER)
		elog(ERROR, "SPI_register_trigger_data failed");

	/*
	 * The plan refers to the transition tables by name; they are registered
	 * anew in this SPI connection on every call, so the plan can be kept.
	 */
	{
		int			t = invoice ? 0 : 1;
		int			e = !has_old ? 0 : (has_new ? 1 : 2);

		if (balance_plans[t][e] == NULL)
		{
			SPIPlanPtr	plan = SPI_prepare(BalanceQuery(invoice, has_new, has_old), 0, NULL);

			if (plan == NULL)
				elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
			SPI_keepplan(plan);
			balance_plans[t][e] = plan;
		}

		/* the balance is the registry's own bookkeeping: owner's rights */
		CrBecomeOwner(rel, &sw);
		ret = SPI_execute_plan(balance_plans[t][e], NULL, NULL, false, 0);
		CrRestoreUser(&sw);
	}
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "updating client_balance failed: %s", SPI_result_code_string(ret));

	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		TupleDesc	d = SPI_tuptable->tupdesc;
		bool		isnull;
		int64		client_id = DatumGetInt64(SPI_getbinval(t, d, 1, &isnull));
		char	   *name = SPI_getvalue(t, d, 2);
		char	   *mode = SPI_getvalue(t, d, 3);
		Datum		limit = SPI_getbinval(t, d, 4, &isnull);
		Datum		after = SPI_getbinval(t, d, 5, &isnull);
		Datum		sale = SPI_getbinval(t, d, 6, &isnull);
		char	   *numbers = SPI_getvalue(t, d, 7);
		Datum		before = DirectFunctionCall2(numeric_sub, after, sale);
		bool		strict = strcmp(mode, "strict") == 0 && !CrRestoreInProgress() && !CrMergeInProgress();

		ereport(strict ? ERROR : WARNING,
				(errcode(strict ? ERRCODE_CR_CREDIT_LIMIT_EXCEEDED : ERRCODE_WARNING),
				 CrMergeInProgress() ?
				 errmsg("documents moved by a merge take client %lld \"%s\" over its credit limit of %s",
						(long long) client_id, name, NumericText(limit)) :
				 errmsg("sale %s to client %lld \"%s\" exceeds its credit limit of %s",
						numbers ? numbers : "", (long long) client_id, name, NumericText(limit)),
				 CrMergeInProgress() ?
				 errdetail("Credit limit %s, debt before %s, moved %s, debt now %s.",
						   NumericText(limit), NumericText(before), NumericText(sale), NumericText(after)) :
				 errdetail("Credit limit %s, current debt %s, this sale %s, debt with this sale %s.",
						   NumericText(limit), NumericText(before), NumericText(sale), NumericText(after)),
				 strict ?
				 errhint("The sale is not saved. Take a prepayment, raise client.credit_limit, or set client.credit_control to 'warn'.") :
				 CrMergeInProgress() ?
				 errhint("The merge goes on; new sales to the client are checked against the limit.") :
				 errhint("The sale is saved (credit control: warn).")));
	}
	SPI_finish();
	return PointerGetDatum(NULL);
}
