/*
 * personal_data_erasure.c
 *		Entry points of the erasure of a natural person's data (issue #18):
 *		erase_personal_data(client), erase_contact_personal_data(contact)
 *		and run_deferred_erasures().
 *
 * The erasure itself is SQL (client_registry.erasure_run, in
 * sql/0.4.0/61_erasure.sql): a list of set-based statements, each filtered
 * by the tenant.  What C adds is what SQL cannot do safely:
 *
 *  - The caller's tenant is taken with the caller's rights (CrCurrentTenant:
 *    a role that is not a member of the tenant it set gets 42501), before
 *    anything else.
 *  - The statements then run with the registry owner's rights, like a
 *    SECURITY DEFINER function, so that rows the caller's row-level security
 *    hides (another user's private CRM tasks, their feed entries) are erased
 *    too.  EXECUTE on these functions is the privilege: they are revoked
 *    from PUBLIC.
 *  - cr_erasure_depth is raised for the run: the activity feed records
 *    nothing (it would copy the values being removed into new entries), and
 *    the invoice rules let the anonymisation of documents past their
 *    retention date through.  erasure_run() refuses to run unless the depth
 *    is raised (erasure_in_progress()), so no other caller gets these
 *    exemptions.
 *
 * The rows erasure_run() returns are copied into the caller's result set.
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

#include "client_registry.h"
#include "internal_change.h"
#include "trigger_support.h"

int			cr_erasure_depth = 0;

/* One erasure statement and where its rows go (see RunAsOwner) */
typedef struct ErasureStatement
{
	ReturnSetInfo *rsinfo;
	const char *sql;
	int			nargs;
	Oid		   *types;
	Datum	   *values;
	const char *nulls;
} ErasureStatement;

static void
RunErasureStatement(void *arg)
{
	ErasureStatement *st = (ErasureStatement *) arg;
	TupleDesc	desc = st->rsinfo->setDesc;
	int			ret;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(st->sql, st->nargs, st->types, st->values, st->nulls, false, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "running the erasure failed: %s", SPI_result_code_string(ret));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		Datum	   *vals = palloc(sizeof(Datum) * desc->natts);
		bool	   *isnull = palloc(sizeof(bool) * desc->natts);

		CHECK_FOR_INTERRUPTS();
		for (int c = 0; c < desc->natts; c++)
			vals[c] = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, c + 1, &isnull[c]);
		tuplestore_putvalues(st->rsinfo->setResult, desc, vals, isnull);
	}
	SPI_finish();
}

/*
 * RunAsOwner runs sql (returning erasure_run's columns) as the owner of
 * client_registry.client with the feed quiet (cr_erasure_depth raised), and
 * appends its rows to the function's result set.  An error on the way is
 * undone by the transaction's abort, which also restores the user.
 */
static void
RunAsOwner(FunctionCallInfo fcinfo, const char *sql, int nargs, Oid *types, Datum *values, const char *nulls)
{
	ErasureStatement st = {(ReturnSetInfo *) fcinfo->resultinfo, sql, nargs, types, values, nulls};
	Oid			relid = get_relname_relid("client", get_namespace_oid(CR_SCHEMA, false));
	Relation	rel;
	CrUserSwitch sw;

	InitMaterializedSRF(fcinfo, 0);
	rel = table_open(relid, AccessShareLock);
	CrBecomeOwner(rel, &sw);
	{
		/* on Citus the workers' triggers learn it from the token */
		bool		token = CrInternalChangeBegin("e");

		CrCallRaised(&cr_erasure_depth, NULL, RunErasureStatement, &st);
		CrInternalChangeEnd(token);
	}
	CrRestoreUser(&sw);
	table_close(rel, AccessShareLock);
}

/*
 * EraseOne erases a client (contact < 0) or a contact person.
 */
static Datum
EraseOne(FunctionCallInfo fcinfo, int64 client_id, int64 contact_id, bool defer)
{
	int32		tenant = CrCurrentTenant();	/* with the caller's rights */
	char	   *caller = GetUserNameFromId(GetUserId(), false);
	Oid			types[6] = {INT4OID, INT8OID, INT8OID, BOOLOID, NAMEOID, INT8OID};
	Datum		values[6];
	char		nulls[7] = "      ";

	values[0] = Int32GetDatum(tenant);
	values[1] = Int64GetDatum(client_id);
	values[2] = Int64GetDatum(contact_id);
	values[3] = BoolGetDatum(defer);
	values[4] = DirectFunctionCall1(namein, CStringGetDatum(caller));
	values[5] = (Datum) 0;
	if (contact_id < 0)
		nulls[2] = 'n';
	else
		nulls[1] = 'n';
	nulls[5] = 'n';
	RunAsOwner(fcinfo,
			   "SELECT * FROM client_registry.erasure_run($1, $2, $3, $4, $5, $6)",
			   6, types, values, nulls);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(cr_erase_personal_data);

/*
 * erase_personal_data(client_id bigint, defer boolean) returns table.
 */
Datum
cr_erase_personal_data(PG_FUNCTION_ARGS)
{
	return EraseOne(fcinfo, PG_GETARG_INT64(0), -1, PG_GETARG_BOOL(1));
}

PG_FUNCTION_INFO_V1(cr_erase_contact_personal_data);

/*
 * erase_contact_personal_data(contact_id bigint, defer boolean) returns table.
 */
Datum
cr_erase_contact_personal_data(PG_FUNCTION_ARGS)
{
	return EraseOne(fcinfo, -1, PG_GETARG_INT64(0), PG_GETARG_BOOL(1));
}

PG_FUNCTION_INFO_V1(cr_run_deferred_erasures);

/*
 * run_deferred_erasures() returns table: every deferred erasure of the
 * tenant, oldest first, through erasure_run (which leaves one still held
 * deferred).
 */
Datum
cr_run_deferred_erasures(PG_FUNCTION_ARGS)
{
	int32		tenant = CrCurrentTenant();
	char	   *caller = GetUserNameFromId(GetUserId(), false);
	Oid			types[2] = {INT4OID, NAMEOID};
	Datum		values[2] = {Int32GetDatum(tenant), DirectFunctionCall1(namein, CStringGetDatum(caller))};

	RunAsOwner(fcinfo,
			   "SELECT r.* FROM (SELECT e.id, e.client_id, e.contact_id FROM client_registry.personal_data_erasure e"
			   "                  WHERE e.tenant_id OPERATOR(pg_catalog.=) $1 AND e.status OPERATOR(pg_catalog.=) 'deferred'"
			   "                  ORDER BY e.id) d,"
			   " LATERAL client_registry.erasure_run($1, CASE WHEN d.contact_id IS NULL THEN d.client_id END,"
			   "                                     d.contact_id, false, $2, d.id) r",
			   2, types, values, NULL);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(cr_erasure_in_progress);

/*
 * erasure_in_progress() returns boolean.
 */
Datum
cr_erasure_in_progress(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(CrErasureInProgress());
}
