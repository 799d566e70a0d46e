/*
 * import_delegation.c
 *		import_apply() on a Citus cluster: run on the worker that holds the
 *		tenant (issue #17).
 *
 * The import joins the session's staging and work tables (TEMP tables) with
 * the registry's tables in set-based statements, applies cards in
 * subtransactions and relies on the credit check seeing, in the same
 * backend, that a history import is running (cr_import_run_id).  Planned on
 * the coordinator, the joins of TEMP tables with distributed tables would
 * each be a distributed query and the triggers on the workers would not
 * know about the import.  So, like merge_clients() (merge_delegation.c),
 * the import runs on the worker that holds the tenant's shard group:
 *
 *	coordinator: import_apply(source, batch_size) reads the session's
 *		staging tables into one jsonb value (the rows of each table, their
 *		line numbers included) and calls
 *			import_apply_at(tenant, source, batch_size, staging)
 *		with constants, which citus_distribute() makes a distributed
 *		function (by tenant, co-located with client, force-delegated):
 *		Citus runs it on that worker inside the caller's transaction.  The
 *		rows it returns go into the session's TEMP table import_result, as
 *		on one node, and are returned.
 *
 *	worker: import_apply_at() checks that the tenant is the session's,
 *		anchors the run on the tenant's client shard (MergeAnchorOn),
 *		creates its own session's staging tables (import_begin), loads the
 *		rows into them and runs ImportApplyRun (client_import.c) with every
 *		statement rewritten for the tenant's shards (MergeSql).  The
 *		triggers fire on the shards in that backend and see the import.
 *		The staging, work and result tables are dropped afterwards (the
 *		worker's session is a connection Citus keeps for later calls).
 *
 * The staging rows travel as one value in the call: a large registry is
 * best loaded in parts (docs/citus.md).  On one node nothing of this file
 * runs (MergeDelegates() is false after one cached comparison).
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "client_registry.h"
#include "import_delegation.h"
#include "merge_clients.h"
#include "trigger_support.h"

/* the staging tables import_begin() creates, in its order */
static const char *const staging_tables[] = {
	"import_client", "import_address", "import_bank_account", "import_contact",
	"import_invoice", "import_vat_line", "import_payment"
};

#define N_STAGING lengthof(staging_tables)

/* the columns of import_result, as ImportApplyRun creates it */
#define RESULT_COLUMNS \
	"kind text, line bigint, external_id text, status text, id bigint," \
	" sqlstate text, field text, message text, detail text"

/* DropTempTable: drops the session's TEMP table name, if there is one. */
static void
DropTempTable(const char *name)
{
	Oid			relid = RelnameGetRelid(name);

	if (OidIsValid(relid) && get_rel_namespace(relid) == LookupExplicitNamespace("pg_temp", true) &&
		SPI_execute(psprintf("DROP TABLE pg_temp.%s", name), false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "import: dropping %s failed", name);
}

/*
 * ShardSuffixes: a regular expression matching "_<shard id>" of the shards
 * of the tenant's shard group and of the reference tables (Citus names a
 * shard's table, constraints and indexes <name>_<shard id>); NULL when
 * there are none.  SPI connected.
 */
static char *
ShardSuffixes(int32 tenant)
{
	Oid			types[1] = {INT4OID};
	Datum		values[1] = {Int32GetDatum(tenant)};

	if (SPI_execute_with_args(
		"SELECT '_(' OPERATOR(pg_catalog.||) pg_catalog.string_agg(s.shardid::text, '|')"
		"        OPERATOR(pg_catalog.||) ')(?![0-9])'"
		"  FROM pg_catalog.pg_dist_shard s"
		"  JOIN pg_catalog.pg_dist_partition p ON p.logicalrelid OPERATOR(pg_catalog.=) s.logicalrelid"
		"  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) s.logicalrelid"
		" WHERE c.relnamespace OPERATOR(pg_catalog.=) 'client_registry'::pg_catalog.regnamespace"
		"   AND (p.partmethod OPERATOR(pg_catalog.=) 'n'"
		"        OR s.shardminvalue OPERATOR(pg_catalog.=) (SELECT t.shardminvalue FROM pg_catalog.pg_dist_shard t"
		"             WHERE t.shardid OPERATOR(pg_catalog.=)"
		"                   pg_catalog.get_shard_id_for_distribution_column('client_registry.client', $1)))",
		1, types, values, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "import: reading the tenant's shards failed");
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

void
ImportApplyDelegate(ReturnSetInfo *rsinfo, const char *source, int batch_size)
{
	int32		tenant = CrCurrentTenant();
	StringInfoData sql;
	char	   *staging;
	SPITupleTable *rows;
	uint64		n;
	SPIPlanPtr	insert;
	char	   *suffixes;
	Oid			types[9] = {TEXTOID, INT8OID, TEXTOID, TEXTOID, INT8OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	MemoryContext caller = CurrentMemoryContext;

	/*
	 * The staging tables: {"import_client": {"columns": ["external_id",
	 * ...], "rows": [{"line": 1, ...}, ...]}, ...}
	 */
	initStringInfo(&sql);
	appendStringInfoString(&sql, "SELECT pg_catalog.jsonb_build_object(");
	for (int i = 0; i < (int) N_STAGING; i++)
		appendStringInfo(&sql, "%s%s, pg_catalog.jsonb_build_object("
						 "'columns', (SELECT pg_catalog.jsonb_agg(a.attname ORDER BY a.attnum) FROM pg_catalog.pg_attribute a"
						 "             WHERE a.attrelid OPERATOR(pg_catalog.=) 'pg_temp.%s'::pg_catalog.regclass"
						 "               AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped"
						 "               AND a.attname OPERATOR(pg_catalog.<>) 'line'),"
						 "'rows', (SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(s) ORDER BY s.line), '[]')"
						 "           FROM pg_temp.%s s))",
						 i > 0 ? ", " : "", quote_literal_cstr(staging_tables[i]), staging_tables[i], staging_tables[i]);
	appendStringInfoString(&sql, ")::text");
	if (SPI_execute(sql.data, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "import: reading the staging tables failed");
	staging = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

	/* constants only, in the FROM clause: Citus delegates the call */
	resetStringInfo(&sql);
	appendStringInfo(&sql, "SELECT * FROM client_registry.import_apply_at(%d, %s, %d, %s::pg_catalog.jsonb)",
					 tenant, quote_literal_cstr(source), batch_size, quote_literal_cstr(staging));
	if (SPI_execute(sql.data, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "import: import_apply_at failed");
	rows = SPI_tuptable;
	n = SPI_processed;

	/*
	 * The session's import_result, as on one node.  A message of
	 * PostgreSQL's own (a constraint of a shard) names the logical table
	 * and constraint, as on one node.
	 */
	DropTempTable("import_result");
	if (SPI_execute("CREATE TEMP TABLE import_result (" RESULT_COLUMNS ")", false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "import: creating import_result failed");
	suffixes = ShardSuffixes(tenant);
	insert = SPI_prepare(suffixes == NULL ?
						 "INSERT INTO pg_temp.import_result VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)" :
						 psprintf("INSERT INTO pg_temp.import_result VALUES ($1, $2, $3, $4, $5, $6, $7,"
								  " pg_catalog.regexp_replace($8, %s, '', 'g'),"
								  " pg_catalog.regexp_replace($9, %s, '', 'g'))"
								  " RETURNING message, detail",
								  quote_literal_cstr(suffixes), quote_literal_cstr(suffixes)),
						 9, types);
	if (insert == NULL)
		elog(ERROR, "import: SPI_prepare failed (%s)", SPI_result_code_string(SPI_result));
	for (uint64 i = 0; i < n; i++)
	{
		Datum		values[9];
		bool		isnull[9];
		char		nulls[9];
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		heap_deform_tuple(rows->vals[i], rows->tupdesc, values, isnull);
		for (int j = 0; j < 9; j++)
			nulls[j] = isnull[j] ? 'n' : ' ';
		if (SPI_execute_plan(insert, values, nulls, false, 0) != (suffixes ? SPI_OK_INSERT_RETURNING : SPI_OK_INSERT))
			elog(ERROR, "import: writing import_result failed");
		if (suffixes != NULL)
		{
			values[7] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull[7]);
			values[8] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull[8]);
		}
		old = MemoryContextSwitchTo(caller);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, isnull);
		MemoryContextSwitchTo(old);
		if (suffixes != NULL)
			SPI_freetuptable(SPI_tuptable);
	}
}

/*
 * CheckTenant: the twin works in the session's tenant only.
 */
static void
CheckTenant(int32 tenant)
{
	int32		current = CrCurrentTenant();

	if (tenant != current)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("import_apply_at() was called for tenant %d, but this transaction works in tenant %d",
						tenant, current),
				 errdetail("import_apply_at(tenant, ...) runs import_apply on the Citus worker that holds the tenant; it serves the session's tenant only."),
				 errhint("Call import_apply() instead; it passes the session's tenant.")));
}

/*
 * LoadStaging: the worker session's staging tables, made as import_begin()
 * made the caller's (their columns sent along: the caller may execute
 * import_begin on the coordinator, where the GRANT was made), filled with
 * the caller's rows.
 */
static void
LoadStaging(Datum staging)
{
	Oid			types[1] = {JSONBOID};
	Datum		values[1] = {staging};

	for (int i = 0; i < (int) N_STAGING; i++)
	{
		StringInfoData sql;

		if (SPI_execute_with_args(psprintf("SELECT c FROM pg_catalog.jsonb_array_elements_text("
										   "$1 OPERATOR(pg_catalog.->) %s OPERATOR(pg_catalog.->) 'columns') c",
										   quote_literal_cstr(staging_tables[i])),
								  1, types, values, NULL, true, 0) != SPI_OK_SELECT || SPI_processed == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("import_apply_at() was given no columns of %s", staging_tables[i]),
					 errhint("Call import_apply() instead; it sends the staging tables.")));
		initStringInfo(&sql);
		appendStringInfo(&sql, "CREATE TEMP TABLE %s (line bigint GENERATED BY DEFAULT AS IDENTITY", staging_tables[i]);
		for (uint64 j = 0; j < SPI_processed; j++)
			appendStringInfo(&sql, ", %s text",
							 quote_identifier(SPI_getvalue(SPI_tuptable->vals[j], SPI_tuptable->tupdesc, 1)));
		appendStringInfoChar(&sql, ')');
		DropTempTable(staging_tables[i]);
		if (SPI_execute(sql.data, false, 0) != SPI_OK_UTILITY)
			elog(ERROR, "import: creating %s failed", staging_tables[i]);
		if (SPI_execute_with_args(psprintf("INSERT INTO pg_temp.%s SELECT * FROM pg_catalog.jsonb_populate_recordset("
										   "NULL::pg_temp.%s, $1 OPERATOR(pg_catalog.->) %s OPERATOR(pg_catalog.->) 'rows')",
										   staging_tables[i], staging_tables[i], quote_literal_cstr(staging_tables[i])),
								  1, types, values, NULL, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "import: loading %s failed", staging_tables[i]);
	}
}

/* DropStaging: the worker session keeps no staging or result table. */
static void
DropStaging(void)
{
	for (int i = 0; i < (int) N_STAGING; i++)
		DropTempTable(staging_tables[i]);
	DropTempTable("import_result");
}

PG_FUNCTION_INFO_V1(cr_import_apply_at);

/*
 * cr_import_apply_at(tenant integer, source text, batch_size integer,
 * staging jsonb): import_apply's twin, run on the worker that holds the
 * tenant.
 */
Datum
cr_import_apply_at(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int32		tenant = PG_GETARG_INT32(0);
	char	   *given = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *source = CrTrimmedOrNull(given);
	int			batch_size = PG_GETARG_INT32(2);
	bool		anchored;

	CheckTenant(tenant);
	if (source == NULL || batch_size < 1 || batch_size > 1000000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("import_apply_at() was given the source \"%s\" and batch_size %d", given, batch_size),
				 errhint("Call import_apply() instead; it checks its arguments.")));
	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	anchored = MergeAnchorOn(tenant);
	MergeResetSqlCache();
	PG_TRY();
	{
		LoadStaging(PG_GETARG_DATUM(3));
		ImportApplyRun(rsinfo, source, batch_size);
		DropStaging();
	}
	PG_CATCH();
	{
		MergeResetSqlCache();
		MergeUnanchor(anchored, false);
		PG_RE_THROW();
	}
	PG_END_TRY();
	MergeResetSqlCache();
	MergeUnanchor(anchored, true);
	SPI_finish();
	return (Datum) 0;
}
