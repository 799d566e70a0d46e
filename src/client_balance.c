/*
 * client_balance.c
 *		Running balances per client and credit control (R4.1).
 *
 * client_balance holds, per client, receivable = posted sales invoices minus
 * payments received, and payable = posted purchase invoices minus payments
 * made (gross, base currency).  The invoice and payment triggers add each
 * change to it in the same transaction with one statement:
 *
 *	INSERT INTO client_balance ... ON CONFLICT (client_id)
 *	DO UPDATE SET receivable = receivable + delta ... RETURNING receivable
 *
 * which also row-locks the client's balance until commit.  So the credit
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

#include "client_balance.h"
#include "trigger_support.h"

static SPIPlanPtr upsert_plan = NULL;
static SPIPlanPtr credit_plan = NULL;

/*
 * NumCmp compares two numerics (-1, 0, 1).
 */
static int
NumCmp(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(a), NumericGetDatum(b)));
}

/*
 * NumericText formats a numeric for messages.
 */
static char *
NumericText(Numeric n)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(n)));
}

/*
 * CrAddToBalance adds the deltas to the client's balance and, when a sale
 * raised the receivable, applies the client's credit control.  sale_number
 * names the sale in messages (NULL for payments).
 */
void
CrAddToBalance(Relation anyrel, int32 tenant_id, int64 client_id,
			   Numeric receivable_delta, Numeric payable_delta, const char *sale_number)
{
	Datum		args[4];
	int			ret;
	bool		isnull;
	Numeric		receivable;
	Numeric		zero = int64_to_numeric(0);
	bool		raises = NumCmp(receivable_delta, zero) > 0;
	CrUserSwitch sw;

	if (NumCmp(receivable_delta, zero) == 0 &&
		NumCmp(payable_delta, zero) == 0)
		return;

	SPI_connect();
	if (upsert_plan == NULL)
	{
		Oid			types[4] = {INT4OID, INT8OID, NUMERICOID, NUMERICOID};
		Oid			ctypes[1] = {INT8OID};

		upsert_plan = CrKeepPlan(
								 "INSERT INTO client_registry.client_balance AS b (tenant_id, client_id, receivable, payable)"
								 " VALUES ($1, $2, $3, $4)"
								 " ON CONFLICT (client_id) DO UPDATE"
								 " SET receivable = b.receivable OPERATOR(pg_catalog.+) EXCLUDED.receivable,"
								 "     payable = b.payable OPERATOR(pg_catalog.+) EXCLUDED.payable"
								 " RETURNING b.receivable", 4, types);
		credit_plan = CrKeepPlan(
								 "SELECT credit_control::text, credit_limit, name FROM client_registry.client"
								 " WHERE id OPERATOR(pg_catalog.=) $1", 1, ctypes);
	}
	args[0] = Int32GetDatum(tenant_id);
	args[1] = Int64GetDatum(client_id);
	args[2] = NumericGetDatum(receivable_delta);
	args[3] = NumericGetDatum(payable_delta);

	/* the balance is the registry's own bookkeeping: owner's rights */
	CrBecomeOwner(anyrel, &sw);
	ret = SPI_execute_plan(upsert_plan, args, NULL, false, 0);
	if (ret != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
		elog(ERROR, "updating client_balance failed: %s", SPI_result_code_string(ret));
	receivable = DatumGetNumeric(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));

	if (raises)
	{
		ret = SPI_execute_plan(credit_plan, args + 1, NULL, false, 1);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(ret));
	}
	CrRestoreUser(&sw);

	if (raises && SPI_processed == 1)
	{
		HeapTuple	t = SPI_tuptable->vals[0];
		TupleDesc	d = SPI_tuptable->tupdesc;
		char	   *mode = SPI_getvalue(t, d, 1);
		Datum		limit_d = SPI_getbinval(t, d, 2, &isnull);
		char	   *name = SPI_getvalue(t, d, 3);

		if (mode != NULL && strcmp(mode, "none") != 0 && !isnull &&
			NumCmp(receivable, DatumGetNumeric(limit_d)) > 0)
		{
			Numeric		before = numeric_sub_opt_error(receivable, receivable_delta, NULL);
			char	   *limit_txt = NumericText(DatumGetNumeric(limit_d));
			bool		strict = strcmp(mode, "strict") == 0 && row_security;

			ereport(strict ? ERROR : WARNING,
					(errcode(strict ? ERRCODE_CR_CREDIT_LIMIT_EXCEEDED : ERRCODE_WARNING),
					 errmsg("sale %s to client %lld \"%s\" exceeds its credit limit of %s",
							sale_number ? sale_number : "", (long long) client_id, name, limit_txt),
					 errdetail("Credit limit %s, current debt %s, this sale %s, debt with this sale %s.",
							   limit_txt, NumericText(before), NumericText(receivable_delta),
							   NumericText(receivable)),
					 strict ?
					 errhint("The sale is not saved. Take a prepayment, raise client.credit_limit, or set client.credit_control to 'warn'.") :
					 errhint("The sale is saved (credit control: warn).")));
		}
	}
	SPI_finish();
}
