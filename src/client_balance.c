/*
 * client_balance.c
 *		Running balances per client and credit control (R4.1).
 *
 * client_balance holds, per client, receivable = posted sales invoices minus
 * payments received, and payable = posted purchase invoices minus payments
 * made (gross, base currency), plus (0.4.0) the debts kept on ledger
 * accounts (account_entry, R4.4), the exchange differences of settlements
 * and what credit notes and offsets move across two rates.  The balance
 * stays exact: the view client_balance_expected recomputes it from every
 * source (debt_entry) and balance_discrepancies() lists any difference.
 *
 * A statement-level trigger on invoice, payment and account_entry turns
 * the rows each statement changed (its transition tables) into one change
 * per client and applies them with one statement:
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
 * The settlement and debt-operation triggers move the balance row by row
 * (CrAddToBalance: the same INSERT ... ON CONFLICT, one row).
 *
 * When a sale raises the buyer's receivable and the buyer has credit
 * control: strict refuses it (SQLSTATE R4001, the statement is undone);
 * warn lets it through with a WARNING carrying the same figures.
 *
 * Confirmed CRM orders (0.4.0, R4.1): a client that counts them (its
 * credit_counts_orders, else the tenant's) is checked with its confirmed
 * orders added to the debt, and confirming an order or adding lines to a
 * confirmed one is checked the same way (cr_order_credit_check).  Both
 * paths lock the client's balance row first, then read the other side
 * with the latest snapshot: a sale and an order confirmed at the same time
 * are checked one after the other, the second seeing the first.
 *
 * Restore mode (row_security = off, as pg_dump's scripts set it): balances
 * are still rebuilt, but credit control does not refuse (a restore loads
 * history as it was).
 *
 * History import (import_apply() running, cr_import_run_id set): a past
 * sale that takes a buyer over its strict limit is history, not a new risk.
 * It is recorded: a WARNING naming the import, and a row in
 * import_credit_override (written with the owner's rights) with the
 * figures.  Outside an import the same sale is refused as always; only a
 * role granted import_apply can be inside one.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "miscadmin.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"

#include "client_registry.h"
#include "internal_change.h"
#include "client_balance.h"
#include "document_support.h"
#include "shard_map.h"
#include "trigger_support.h"

/*
 * The statement that turns the rows a statement changed into one balance
 * change per client, applies them in client order (one row lock each, the
 * same order in every session), and returns the clients a sale took over
 * their credit limit.  $-free: it reads the transition tables cr_new and
 * cr_old.  The first %s is the rows (below); the others add the client's
 * "counts confirmed orders" setting when the schema has it (0.4.0): such a
 * client is returned whenever a sale raised its debt, and checked with its
 * orders in C.
 */
static const char *const balance_sql =
"WITH d AS (%s"
"), g AS ("
"  SELECT tenant_id, client_id,"
"         COALESCE(pg_catalog.sum(amount) FILTER (WHERE receivable_side), 0)::numeric(15,2) AS r,"
"         COALESCE(pg_catalog.sum(amount) FILTER (WHERE NOT receivable_side), 0)::numeric(15,2) AS p,"
"         pg_catalog.string_agg(number, ', ' ORDER BY number)"
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
"  RETURNING b.client_id, b.receivable, b.tenant_id"
")"
"SELECT u.client_id, c.name, c.credit_control::text, c.credit_limit, u.receivable, g.r, g.numbers,"
"       %s AS counts_orders, u.tenant_id"
"  FROM u JOIN g ON g.tenant_id OPERATOR(pg_catalog.=) u.tenant_id AND g.client_id OPERATOR(pg_catalog.=) u.client_id"
"  JOIN client_registry.client c ON c.tenant_id OPERATOR(pg_catalog.=) u.tenant_id"
"       AND c.id OPERATOR(pg_catalog.=) u.client_id%s"
" WHERE g.r OPERATOR(pg_catalog.>) 0"
"   AND c.credit_control OPERATOR(pg_catalog.<>) 'none'::client_registry.credit_control_mode"
"   AND (u.receivable OPERATOR(pg_catalog.>) c.credit_limit%s)"
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
static const char *const account_entry_rows =
"SELECT tenant_id, client_id, %samount AS amount,"
" side OPERATOR(pg_catalog.=) 'receivable'::client_registry.debt_side AS receivable_side,"
" NULL::text AS number FROM %s";

/* The tables whose rows move the balance (trigger argument). */
typedef enum BalanceTable
{
	BT_INVOICE,
	BT_PAYMENT,
	BT_ACCOUNT_ENTRY,
	BT_COUNT
} BalanceTable;

/*
 * TableRows: one side of a statement's rows of a table, signed: new rows
 * add their effect, old rows take theirs away.  A posted invoice adds its
 * base amount; a payment subtracts its base amount (money received lowers
 * the receivable, money paid lowers the payable); a debt on a ledger
 * account adds its amount to its side.
 */
static char *
TableRows(BalanceTable table, bool is_new)
{
	const char *transition = is_new ? "cr_new" : "cr_old";

	switch (table)
	{
		case BT_INVOICE:
			return psprintf(invoice_rows, is_new ? "" : "OPERATOR(pg_catalog.-) ",
							is_new ? "number" : "NULL::text", transition);
		case BT_PAYMENT:
			return psprintf(payment_rows, is_new ? "OPERATOR(pg_catalog.-) " : "", transition);
		default:
			return psprintf(account_entry_rows, is_new ? "" : "OPERATOR(pg_catalog.-) ", transition);
	}
}

/*
 * BalanceQuery builds the statement for a table and a trigger event; with
 * orders, the statement also returns the clients that count confirmed
 * orders (OrdersSchema).
 */
static char *
BalanceQuery(BalanceTable table, bool has_new, bool has_old, bool orders)
{
	char	   *parts[2];
	int			n = 0;

	if (has_new)
		parts[n++] = TableRows(table, true);
	if (has_old)
		parts[n++] = TableRows(table, false);
	return psprintf(balance_sql,
					n == 2 ? psprintf("%s UNION ALL %s", parts[0], parts[1]) : parts[0],
					orders ? "COALESCE(c.credit_counts_orders, t.credit_counts_orders)" : "false",
					orders ? " JOIN client_registry.tenant t ON t.id OPERATOR(pg_catalog.=) c.tenant_id" : "",
					orders ? " OR COALESCE(c.credit_counts_orders, t.credit_counts_orders)" : "");
}

/*
 * OrdersSchema tells whether the extension's objects have the confirmed
 * orders setting (0.4.0): the library may run against older objects until
 * ALTER EXTENSION ... UPDATE.
 */
static bool
OrdersSchema(void)
{
	Oid			nsp = get_namespace_oid(CR_SCHEMA, true);
	Oid			client = OidIsValid(nsp) ? get_relname_relid("client", nsp) : InvalidOid;

	return OidIsValid(client) && get_attnum(client, "credit_counts_orders") != InvalidAttrNumber;
}

static SPIPlanPtr confirmed_orders_plan = NULL;

/*
 * ConfirmedOrders: the gross of a client's confirmed orders in the base
 * currency (confirmed_orders()), read with the latest snapshot after the
 * client's balance row is locked: an order confirmed by a session that
 * held the lock before us is counted.  SPI connected.
 */
static Numeric
ConfirmedOrders(Relation rel, int32 tenant_id, int64 client_id)
{
	Datum		args[2] = {Int32GetDatum(tenant_id), Int64GetDatum(client_id)};
	CrUserSwitch sw;
	bool		isnull;
	int			ret;

	Oid			types[2] = {INT4OID, INT8OID};
	SPIPlanPtr	plan;

	/*
	 * confirmed_orders() (43_credit_orders.sql) spelled out: its tables are
	 * the trigger's co-located shards on a Citus worker.
	 */
	plan = CrKeepPlanAt(rel, &confirmed_orders_plan,
						"SELECT COALESCE(pg_catalog.sum(pg_catalog.round(l.net_amount OPERATOR(pg_catalog.*)"
						"         (100 OPERATOR(pg_catalog.+) l.vat_rate) OPERATOR(pg_catalog./) 100"
						"         OPERATOR(pg_catalog.*) o.currency_rate, 2)), 0)"
						"  FROM client_registry.crm_order o"
						"  JOIN client_registry.crm_order_line l ON l.tenant_id OPERATOR(pg_catalog.=) o.tenant_id"
						"       AND l.order_id OPERATOR(pg_catalog.=) o.id AND l.client_id OPERATOR(pg_catalog.=) o.client_id"
						" WHERE o.tenant_id OPERATOR(pg_catalog.=) $1 AND o.client_id OPERATOR(pg_catalog.=) $2"
						"   AND o.status OPERATOR(pg_catalog.=) 'confirmed'::client_registry.crm_order_status", 2, types);
	CrBecomeOwner(rel, &sw);
	ret = SPI_execute_snapshot(plan, args, NULL, GetLatestSnapshot(), InvalidSnapshot,
							   true, false, 1);
	CrRestoreUser(&sw);
	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "reading confirmed orders failed: %s", SPI_result_code_string(ret));
	return DatumGetNumeric(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/* Saved plans: table x [insert, update, delete] x [without, with orders]. */
static SPIPlanPtr balance_plans[BT_COUNT][3][2];

static SPIPlanPtr override_plan = NULL;

/*
 * RecordImportOverride keeps a strict limit exceeded by imported history in
 * import_credit_override.
 */
static void
RecordImportOverride(Relation rel, int32 tenant_id, int64 client_id, const char *numbers,
					 Numeric limit, Numeric before, Numeric sale, Numeric after)
{
	Oid			types[8] = {INT4OID, INT8OID, INT8OID, TEXTOID, NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID};
	Datum		values[8];
	char		nulls[8] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
	SPIPlanPtr	plan = CrKeepPlanAt(rel, &override_plan, "INSERT INTO client_registry.import_credit_override"
								   " (tenant_id, import_run_id, client_id, invoice_numbers, credit_limit, debt_before,"
								   "  amount, debt_after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", 8, types);
	values[0] = Int32GetDatum(tenant_id);
	values[1] = Int64GetDatum(cr_import_run_id);
	values[2] = Int64GetDatum(client_id);
	values[3] = numbers ? CStringGetTextDatum(numbers) : (Datum) 0;
	nulls[3] = numbers ? ' ' : 'n';
	values[4] = NumericGetDatum(limit);
	values[5] = NumericGetDatum(before);
	values[6] = NumericGetDatum(sale);
	values[7] = NumericGetDatum(after);
	(void) CrRunPlan(plan, values, nulls, false, 0, rel, SPI_OK_INSERT,
					 "recording the import's credit override");
}

PG_FUNCTION_INFO_V1(cr_balance_after_statement);

/*
 * cr_balance_after_statement is the AFTER INSERT / UPDATE / DELETE FOR EACH
 * STATEMENT trigger (REFERENCING NEW TABLE AS cr_new / OLD TABLE AS cr_old)
 * of invoice, payment and account_entry (trigger argument: the table).
 */
Datum
cr_balance_after_statement(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_balance_after_statement", false, false);
	Relation	rel = trigdata->tg_relation;
	const char *arg = trigdata->tg_trigger->tgnargs > 0 ? trigdata->tg_trigger->tgargs[0] : "";
	BalanceTable table = strcmp(arg, "invoice") == 0 ? BT_INVOICE :
		strcmp(arg, "account_entry") == 0 ? BT_ACCOUNT_ENTRY : BT_PAYMENT;
	bool		has_new = !TRIGGER_FIRED_BY_DELETE(trigdata->tg_event);
	bool		has_old = !TRIGGER_FIRED_BY_INSERT(trigdata->tg_event);
	bool		orders = OrdersSchema();
	int			e = !has_old ? 0 : (has_new ? 1 : 2);
	int			ret;
	CrUserSwitch sw;
	SPITupleTable *rows;
	uint64		nrows;
	SPIPlanPtr	plan;

	SPI_connect();
	if (SPI_register_trigger_data(trigdata) != SPI_OK_TD_REGISTER)
		elog(ERROR, "SPI_register_trigger_data failed");

	/*
	 * The plan refers to the transition tables by name; they are registered
	 * anew in this SPI connection on every call, so the plan can be kept.  On
	 * a Citus worker (issue #17) it is kept per shard, over the shards
	 * co-located with rel (shard_map.c).
	 */
	plan = balance_plans[table][e][orders];
	if (plan == NULL || CrIsShard(rel))
		plan = CrKeepPlanAt(rel, &balance_plans[table][e][orders],
							BalanceQuery(table, has_new, has_old, orders), 0, NULL);

	/* the balance is the registry's own bookkeeping: owner's rights */
	CrBecomeOwner(rel, &sw);
	ret = SPI_execute_plan(plan, NULL, NULL, false, 0);
	CrRestoreUser(&sw);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "updating client_balance failed: %s", SPI_result_code_string(ret));
	rows = SPI_tuptable;
	nrows = SPI_processed;

	for (uint64 i = 0; i < nrows; i++)
	{
		HeapTuple	t = rows->vals[i];
		TupleDesc	d = rows->tupdesc;
		bool		isnull;
		int64		client_id = DatumGetInt64(SPI_getbinval(t, d, 1, &isnull));
		char	   *name = SPI_getvalue(t, d, 2);
		char	   *mode = SPI_getvalue(t, d, 3);
		Numeric		limit = DatumGetNumeric(SPI_getbinval(t, d, 4, &isnull));
		Numeric		after = DatumGetNumeric(SPI_getbinval(t, d, 5, &isnull));
		Numeric		sale = DatumGetNumeric(SPI_getbinval(t, d, 6, &isnull));
		char	   *numbers = SPI_getvalue(t, d, 7);
		bool		counts_orders = DatumGetBool(SPI_getbinval(t, d, 8, &isnull));
		int32		tenant_id = DatumGetInt32(SPI_getbinval(t, d, 9, &isnull));
		Numeric		before = numeric_sub_opt_error(after, sale, NULL);
		bool		is_strict = strcmp(mode, "strict") == 0;
		bool		strict = is_strict && !CrRestoreInProgress() && !CrMergeInProgress() &&
			cr_import_run_id == 0;

		CHECK_FOR_INTERRUPTS();
		if (counts_orders && !CrMergeInProgress())
		{
			/* the balance row is locked: the latest snapshot sees every confirmed order */
			Numeric		ordered = ConfirmedOrders(rel, tenant_id, client_id);
			Numeric		exposure = numeric_add_opt_error(after, ordered, NULL);

			if (CrNumCmp(exposure, limit) <= 0)
				continue;
			ereport(strict ? ERROR : WARNING,
					(errcode(strict ? ERRCODE_CR_CREDIT_LIMIT_EXCEEDED : ERRCODE_WARNING),
					 errmsg("sale %s to client %lld \"%s\" exceeds its credit limit of %s with its confirmed orders",
							numbers ? numbers : "", (long long) client_id, name, CrNumText(limit)),
					 errdetail("Credit limit %s, current debt %s, confirmed orders %s, this sale %s, exposure with this sale %s.",
							   CrNumText(limit), CrNumText(before), CrNumText(ordered), CrNumText(sale),
							   CrNumText(exposure)),
					 strict ?
					 errhint("The sale is not saved. Mark invoiced orders delivered, take a prepayment, raise client.credit_limit, or set client.credit_control to 'warn'.") :
					 errhint("The sale is saved (credit control: warn).")));
			continue;
		}
		if (CrNumCmp(after, limit) <= 0)
			continue;
		if (is_strict && cr_import_run_id != 0 && !CrMergeInProgress() && !CrRestoreInProgress())
		{
			/* history import: recorded, not refused */
			ereport(WARNING,
					(errcode(ERRCODE_WARNING),
					 errmsg("imported sale %s to client %lld \"%s\" exceeds its credit limit of %s",
							numbers ? numbers : "", (long long) client_id, name, CrNumText(limit)),
					 errdetail("Credit limit %s, debt before %s, these sales %s, debt with them %s.",
							   CrNumText(limit), CrNumText(before), CrNumText(sale), CrNumText(after)),
					 errhint("Recorded as history by import %lld (client_registry.import_credit_override); outside an import such a sale is refused.",
							 (long long) cr_import_run_id)));
			RecordImportOverride(rel, tenant_id, client_id, numbers, limit, before, sale, after);
			continue;
		}
		ereport(strict ? ERROR : WARNING,
				(errcode(strict ? ERRCODE_CR_CREDIT_LIMIT_EXCEEDED : ERRCODE_WARNING),
				 CrMergeInProgress() ?
				 errmsg("documents moved by a merge take client %lld \"%s\" over its credit limit of %s",
						(long long) client_id, name, CrNumText(limit)) :
				 errmsg("sale %s to client %lld \"%s\" exceeds its credit limit of %s",
						numbers ? numbers : "", (long long) client_id, name, CrNumText(limit)),
				 CrMergeInProgress() ?
				 errdetail("Credit limit %s, debt before %s, moved %s, debt now %s.",
						   CrNumText(limit), CrNumText(before), CrNumText(sale), CrNumText(after)) :
				 errdetail("Credit limit %s, current debt %s, this sale %s, debt with this sale %s.",
						   CrNumText(limit), CrNumText(before), CrNumText(sale), CrNumText(after)),
				 strict ?
				 errhint("The sale is not saved. Take a prepayment, raise client.credit_limit, or set client.credit_control to 'warn'.") :
				 CrMergeInProgress() ?
				 errhint("The merge goes on; new sales to the client are checked against the limit.") :
				 errhint("The sale is saved (credit control: warn).")));
	}
	SPI_finish();
	return PointerGetDatum(NULL);
}

static SPIPlanPtr add_balance_plan = NULL;

/*
 * CrAddToBalance (client_balance.h): one client's change, applied like the
 * statement-level changes (INSERT ... ON CONFLICT, row-locked until commit).
 */
void
CrAddToBalance(Relation rel, int32 tenant_id, int64 client_id, Numeric receivable, Numeric payable)
{
	Datum		args[4];
	Oid			types[4] = {INT4OID, INT8OID, NUMERICOID, NUMERICOID};
	SPIPlanPtr	plan;

	if (CrNumCmp(receivable, int64_to_numeric(0)) == 0 && CrNumCmp(payable, int64_to_numeric(0)) == 0)
		return;
	plan = CrKeepPlanAt(rel, &add_balance_plan,
			"INSERT INTO client_registry.client_balance AS b (tenant_id, client_id, receivable, payable)"
			" VALUES ($1, $2, $3, $4)"
			" ON CONFLICT ON CONSTRAINT client_balance_pkey DO UPDATE"
			" SET receivable = b.receivable OPERATOR(pg_catalog.+) EXCLUDED.receivable,"
			"     payable = b.payable OPERATOR(pg_catalog.+) EXCLUDED.payable", 4, types);
	args[0] = Int32GetDatum(tenant_id);
	args[1] = Int64GetDatum(client_id);
	args[2] = NumericGetDatum(receivable);
	args[3] = NumericGetDatum(payable);
	CrRunPlan(plan, args, NULL, false, 0, rel, SPI_OK_INSERT, "updating client_balance");
}

static SPIPlanPtr order_of_line_plan = NULL;
static SPIPlanPtr order_client_plan = NULL;
static SPIPlanPtr lock_balance_plan = NULL;

/* The statements of the order check ($1 tenant_id, $2 an order or client id). */
static Oid	order_types[2] = {INT4OID, INT8OID};
static const char order_of_line_sql[] =
	"SELECT number FROM client_registry.crm_order"
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) $2"
	"   AND status OPERATOR(pg_catalog.=) 'confirmed'::client_registry.crm_order_status";
static const char order_client_sql[] =
	"SELECT c.name, c.credit_control::text, c.credit_limit"
	"  FROM client_registry.client c"
	"  JOIN client_registry.tenant t ON t.id OPERATOR(pg_catalog.=) c.tenant_id"
	" WHERE c.tenant_id OPERATOR(pg_catalog.=) $1 AND c.id OPERATOR(pg_catalog.=) $2"
	"   AND c.credit_control OPERATOR(pg_catalog.<>) 'none'::client_registry.credit_control_mode"
	"   AND COALESCE(c.credit_counts_orders, t.credit_counts_orders)";
static const char lock_balance_sql[] =
	"INSERT INTO client_registry.client_balance AS b (tenant_id, client_id) VALUES ($1, $2)"
	" ON CONFLICT ON CONSTRAINT client_balance_pkey DO UPDATE SET receivable = b.receivable"
	" RETURNING b.receivable";

/*
 * CheckOrderExposure checks a client that counts confirmed orders against
 * its credit limit after order `number` was confirmed or grew: the balance
 * row is locked first (a sale to the client waits, or we wait for it),
 * then the confirmed orders are read with the latest snapshot.  SPI
 * connected.
 */
static void
CheckOrderExposure(Relation rel, int32 tenant_id, int64 client_id, const char *number)
{
	Datum		args[2] = {Int32GetDatum(tenant_id), Int64GetDatum(client_id)};
	HeapTuple	t;
	TupleDesc	d;
	bool		isnull;
	char	   *name;
	char	   *mode;
	Numeric		limit;
	Numeric		debt;
	Numeric		ordered;
	Numeric		exposure;
	bool		strict;

	if (CrRunPlan(CrKeepPlanAt(rel, &order_client_plan, order_client_sql, 2, order_types), args, NULL, true, 1, rel, SPI_OK_SELECT, "reading the client's credit control") == 0)
		return;
	t = SPI_tuptable->vals[0];
	d = SPI_tuptable->tupdesc;
	name = SPI_getvalue(t, d, 1);
	mode = SPI_getvalue(t, d, 2);
	limit = DatumGetNumeric(SPI_getbinval(t, d, 3, &isnull));
	CrRunPlan(CrKeepPlanAt(rel, &lock_balance_plan, lock_balance_sql, 2, order_types), args, NULL, false, 0, rel, SPI_OK_INSERT_RETURNING, "locking client_balance");
	debt = DatumGetNumeric(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	ordered = ConfirmedOrders(rel, tenant_id, client_id);
	exposure = numeric_add_opt_error(debt, ordered, NULL);
	if (CrNumCmp(exposure, limit) <= 0)
		return;
	strict = strcmp(mode, "strict") == 0 && !CrRestoreInProgress() && !CrMergeInProgress();
	ereport(strict ? ERROR : WARNING,
			(errcode(strict ? ERRCODE_CR_CREDIT_LIMIT_EXCEEDED : ERRCODE_WARNING),
			 errmsg("confirmed order %s of client %lld \"%s\" exceeds its credit limit of %s",
					number, (long long) client_id, name, CrNumText(limit)),
			 errdetail("Credit limit %s, debt %s, confirmed orders with this one %s, exposure %s.",
					   CrNumText(limit), CrNumText(debt), CrNumText(ordered), CrNumText(exposure)),
			 strict ?
			 errhint("The order is not confirmed. Take a prepayment, raise client.credit_limit, or set client.credit_control to 'warn'.") :
			 errhint("The order is confirmed (credit control: warn).")));
}

PG_FUNCTION_INFO_V1(cr_order_credit_check);

/*
 * cr_order_credit_check is the AFTER INSERT OR UPDATE row trigger of
 * crm_order (WHEN the order is confirmed) and crm_order_line: confirming
 * an order, or adding to a confirmed one, is checked against the credit
 * limit of a client that counts confirmed orders.  A change that does not
 * raise the exposure (a confirmed order edited, a line made smaller) is
 * not checked.
 */
Datum
cr_order_credit_check(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_order_credit_check", false, true);
	Relation	rel = trigdata->tg_relation;
	bool		is_update = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event);
	HeapTuple	newtuple = is_update ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	HeapTuple	oldtuple = is_update ? trigdata->tg_trigtuple : NULL;
	bool		line = CrHasColumn(rel, "order_id");
	int32		tenant_id = CrGetInt32(newtuple, rel, "tenant_id");
	bool		isnull;
	int64		client_id = CrGetInt64(newtuple, rel, "client_id", &isnull);
	char	   *order;

	if (line)
	{
		/* a line: only one that adds to the order (new, or a higher amount) */
		if (is_update &&
			CrNumCmp(CrGetNumeric(newtuple, rel, "net_amount"), CrGetNumeric(oldtuple, rel, "net_amount")) <= 0 &&
			CrTextEqual(CrGetText(newtuple, rel, "vat_rate"), CrGetText(oldtuple, rel, "vat_rate")))
			return PointerGetDatum(NULL);
	}
	else if (is_update && CrTextEqual(CrGetText(oldtuple, rel, "status"), "confirmed") &&
			 CrNumCmp(CrGetNumeric(newtuple, rel, "currency_rate"),
					  CrGetNumeric(oldtuple, rel, "currency_rate")) <= 0 &&
			 CrGetInt64(oldtuple, rel, "client_id", &isnull) == client_id)
		return PointerGetDatum(NULL);	/* confirmed before: checked then */

	SPI_connect();
	if (line)
	{
		Datum		args[2] = {Int32GetDatum(tenant_id),
			Int64GetDatum(CrGetInt64(newtuple, rel, "order_id", &isnull))};

		if (CrRunPlan(CrKeepPlanAt(rel, &order_of_line_plan, order_of_line_sql, 2, order_types), args, NULL, true, 1, rel, SPI_OK_SELECT, "reading the order of a line") == 0)
		{
			SPI_finish();
			return PointerGetDatum(NULL);	/* not confirmed: not counted */
		}
		order = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	}
	else
		order = CrGetText(newtuple, rel, "number");
	CheckOrderExposure(rel, tenant_id, client_id, order);
	SPI_finish();
	return PointerGetDatum(NULL);
}
