/*
 * merge_undo.c
 *		unmerge(merge_id): the journal of a merge replayed backwards.
 *
 * First every row the merge left is compared with the hash the merge
 * stored: a row changed or deleted since (an invoice posted, an address
 * edited, the survivor's card edited, a row moved by a later merge) makes
 * unmerge refuse with SQLSTATE R2406 naming the table and the first such
 * row, before anything is changed.  Then, newest step first: updated rows
 * get their old values back, deleted rows (folded duplicates, the merged
 * clients themselves) are inserted again with their old ids.  The
 * registry's row triggers let these moves through as they do for a merge;
 * the balance triggers move the balances back.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"

#include "merge_clients.h"
#include "client_registry.h"
#include "internal_change.h"
#include "trigger_support.h"

/* Columns of the step query. */
enum
{
	S_STEP = 1, S_ACTION, S_REASON, S_SCHEMA, S_TABLE, S_KEYS, S_HASHES, S_OLD, S_IMAGES, S_COUNT
};

static Oid
StepTable(int64 merge_id, const char *schema, const char *table)
{
	Oid			nsp = get_namespace_oid(schema, true);
	Oid			relid = OidIsValid(nsp) ? get_relname_relid(table, nsp) : InvalidOid;

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_CR_UNMERGE_CHANGED),
				 errmsg("merge %lld cannot be undone: table %s.%s no longer exists",
						(long long) merge_id, schema, table),
				 errhint("The journal (client_registry.client_merge_step) keeps the rows as the merge left them.")));
	return relid;
}

/*
 * VerifyStep refuses when a row of an update step no longer is as the
 * merge left it.
 */
static void
VerifyStep(int64 merge_id, HeapTuple st, TupleDesc sd)
{
	bool		isnull;
	char	   *schema = SPI_getvalue(st, sd, S_SCHEMA);
	char	   *table = SPI_getvalue(st, sd, S_TABLE);
	MergeTable *t = MergeGetTable(StepTable(merge_id, schema, table));
	Datum		keys = SPI_getbinval(st, sd, S_KEYS, &isnull);
	bool		keyless = isnull;
	Datum		hashes = SPI_getbinval(st, sd, S_HASHES, &isnull);
	int64		count = DatumGetInt64(SPI_getbinval(st, sd, S_COUNT, &isnull));
	Oid			types[2] = {JSONBOID, TEXTARRAYOID};
	Datum		values[2] = {keys, hashes};
	char		nulls[3] = {keyless ? 'n' : ' ', ' ', '\0'};
	char	   *sql;
	int64		changed;
	char	   *first = NULL;
	int			ret;

	if (keyless)
		sql = psprintf("SELECT $3 OPERATOR(pg_catalog.-) count(*), NULL::text FROM %s t"
					   " WHERE pg_catalog.md5(t::text) OPERATOR(pg_catalog.=) ANY ($2)", t->qualified);
	else
		sql = psprintf("SELECT count(*), pg_catalog.min(k.j::text) FROM ROWS FROM"
					   " (pg_catalog.jsonb_array_elements($1), pg_catalog.unnest($2)) AS k(j, h)"
					   " LEFT JOIN %s t ON %s"
					   " WHERE t.ctid IS NULL OR pg_catalog.md5(t::text) OPERATOR(pg_catalog.<>) k.h",
					   t->qualified, MergeKeyMatch(t, "t", "k.j"));
	{
		Oid			types3[3] = {types[0], types[1], INT8OID};
		Datum		values3[3] = {values[0], values[1], Int64GetDatum(count)};
		char		nulls3[4] = {nulls[0], nulls[1], ' ', '\0'};

		ret = MergeSpiExecute(sql, keyless ? 3 : 2, types3, values3, nulls3, true, 1);
	}
	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "checking the rows of %s failed", t->qualified);
	changed = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	first = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	if (changed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_CR_UNMERGE_CHANGED),
				 errmsg("merge %lld cannot be undone: %lld row%s of %s changed since the merge",
						(long long) merge_id, (long long) changed, changed == 1 ? "" : "s", t->qualified),
				 first ? errdetail("The first changed row: %s (step %s, %s).", first,
								   SPI_getvalue(st, sd, S_STEP), SPI_getvalue(st, sd, S_REASON)) :
				 errdetail("Step %s (%s) of the merge no longer finds its rows as the merge left them.",
						   SPI_getvalue(st, sd, S_STEP), SPI_getvalue(st, sd, S_REASON)),
				 errhint("Undo those changes first, or repair by hand: client_registry.client_merge_step keeps every row as the merge left it.")));
}

/*
 * InsertColumns: the columns of a table that an INSERT may set.
 */
static char *
InsertColumns(Oid relid)
{
	Oid			types[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(relid)};
	int			ret = SPI_execute_with_args(
											"SELECT pg_catalog.string_agg(pg_catalog.quote_ident(attname), ', ' ORDER BY attnum)"
											"  FROM pg_catalog.pg_attribute"
											" WHERE attrelid OPERATOR(pg_catalog.=) $1 AND attnum OPERATOR(pg_catalog.>) 0"
											"   AND NOT attisdropped AND attgenerated OPERATOR(pg_catalog.=) ''",
											1, types, values, NULL, true, 1);

	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "reading the columns of table %u failed", relid);
	return pstrdup(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
}

/*
 * UndoStep puts one step back; returns the rows it put back.
 */
static uint64
UndoStep(int64 merge_id, HeapTuple st, TupleDesc sd)
{
	bool		isnull;
	char	   *action = SPI_getvalue(st, sd, S_ACTION);
	MergeTable *t = MergeGetTable(StepTable(merge_id, SPI_getvalue(st, sd, S_SCHEMA),
											SPI_getvalue(st, sd, S_TABLE)));
	char	   *sql;
	int			ret;

	if (strcmp(action, "delete") == 0)
	{
		Oid			types[1] = {JSONBOID};
		Datum		values[1] = {SPI_getbinval(st, sd, S_IMAGES, &isnull)};
		char	   *cols = InsertColumns(t->relid);

		sql = psprintf("INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE"
					   " SELECT %s FROM pg_catalog.jsonb_populate_recordset(NULL::%s, $1)",
					   t->qualified, cols, cols, t->qualified);
		ret = MergeSpiExecute(sql, 1, types, values, NULL, false, 0);
		if (ret != SPI_OK_INSERT)
			elog(ERROR, "putting back rows of %s failed", t->qualified);
		return SPI_processed;
	}
	else
	{
		Datum		keys = SPI_getbinval(st, sd, S_KEYS, &isnull);
		bool		keyless = isnull;
		Datum		hashes = SPI_getbinval(st, sd, S_HASHES, &isnull);
		Datum		oldv = SPI_getbinval(st, sd, S_OLD, &isnull);
		Oid			types[2] = {keyless ? TEXTARRAYOID : JSONBOID, JSONBOID};
		Datum		values[2] = {keyless ? hashes : keys, oldv};
		Oid			ctypes[2] = {OIDOID, JSONBOID};
		Datum		cvalues[2] = {ObjectIdGetDatum(t->relid), oldv};
		StringInfoData set;

		/* SET col = (old ->> 'col')::type for each column the step changed */
		ret = SPI_execute_with_args(
									"SELECT pg_catalog.quote_ident(a.attname), pg_catalog.quote_literal(a.attname),"
									"       pg_catalog.format_type(a.atttypid, a.atttypmod)"
									"  FROM pg_catalog.jsonb_object_keys($2) AS k(name)"
									"  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) $1"
									"   AND a.attname OPERATOR(pg_catalog.=) k.name AND NOT a.attisdropped",
									2, ctypes, cvalues, NULL, true, 0);
		if (ret != SPI_OK_SELECT || SPI_processed == 0)
			ereport(ERROR,
					(errcode(ERRCODE_CR_UNMERGE_CHANGED),
					 errmsg("merge %lld cannot be undone: the columns it changed in %s are gone",
							(long long) merge_id, t->qualified)));
		initStringInfo(&set);
		for (uint64 i = 0; i < SPI_processed; i++)
			appendStringInfo(&set, "%s%s = ($2 OPERATOR(pg_catalog.->>) %s)::%s", i > 0 ? ", " : "",
							 SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1),
							 SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2),
							 SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 3));
		if (keyless)
			sql = psprintf("UPDATE %s t SET %s WHERE pg_catalog.md5(t::text) OPERATOR(pg_catalog.=) ANY ($1)",
						   t->qualified, set.data);
		else
			sql = psprintf("UPDATE %s t SET %s FROM pg_catalog.jsonb_array_elements($1) AS k(j) WHERE %s",
						   t->qualified, set.data, MergeKeyMatch(t, "t", "k.j"));
		ret = MergeSpiExecute(sql, 2, types, values, NULL, false, 0);
		if (ret != SPI_OK_UPDATE)
			elog(ERROR, "putting back rows of %s failed", t->qualified);
		return SPI_processed;
	}
}

static int64
Unmerge(int64 merge_id)
{
	Oid			types[2] = {INT8OID, INT4OID};
	Datum		values[2] = {Int64GetDatum(merge_id), 0};
	bool		isnull;
	int32		tenant_id;
	int64		survivor;
	SPITupleTable *steps;
	uint64		nsteps;
	uint64		restored = 0;
	int			ret;
	MergeRun	feed;

	ret = SPI_execute_with_args("SELECT tenant_id, survivor_id, undone_at IS NOT NULL, merged_ids, erased_at"
								"  FROM client_registry.client_merge WHERE id OPERATOR(pg_catalog.=) $1 FOR UPDATE",
								1, types, values, NULL, false, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading merge %lld failed", (long long) merge_id);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_CR_MERGE_UNKNOWN),
				 errmsg("merge %lld does not exist", (long long) merge_id),
				 errhint("client_registry.client_merge_history lists the merges of this tenant.")));
	tenant_id = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	survivor = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	{
		ArrayType  *arr = DatumGetArrayTypePCopy(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4, &isnull));
		Datum	   *elems;
		int			n;

		deconstruct_array(arr, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, NULL, &n);
		memset(&feed, 0, sizeof(feed));
		feed.merged = palloc(sizeof(int64) * Max(n, 1));
		for (int i = 0; i < n; i++)
			feed.merged[i] = DatumGetInt64(elems[i]);
		feed.nmerged = n;
	}
	if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("merge %lld has already been undone", (long long) merge_id),
				 errhint("See undone_at and undone_by in client_registry.client_merge.")));
	(void) SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 5, &isnull);
	if (!isnull)
		ereport(ERROR,
				(errcode(ERRCODE_CR_UNMERGE_ERASED),
				 errmsg("merge %lld cannot be undone: the personal data of client %lld was erased",
						(long long) merge_id, (long long) survivor),
				 errdetail("The erasure removed the person's values from the merge journal; the merged clients cannot be re-created."),
				 errhint("client_registry.personal_data_erasure journals the erasure.")));

	/* the survivor is locked as a merge locks it */
	values[0] = Int64GetDatum(survivor);
	ret = SPI_execute_with_args("SELECT 1 FROM client_registry.client WHERE id OPERATOR(pg_catalog.=) $1 FOR NO KEY UPDATE",
								1, types, values, NULL, false, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "locking client %lld failed", (long long) survivor);

	values[0] = Int64GetDatum(merge_id);
	values[1] = Int32GetDatum(tenant_id);
	ret = SPI_execute_with_args("SELECT step, action, reason, table_schema, table_name, row_keys, row_hashes,"
								"       old_values, row_images, row_count"
								"  FROM client_registry.client_merge_step"
								" WHERE merge_id OPERATOR(pg_catalog.=) $1 AND tenant_id OPERATOR(pg_catalog.=) $2"
								" ORDER BY step DESC",
								2, types, values, NULL, false, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading the journal of merge %lld failed", (long long) merge_id);
	steps = SPI_tuptable;
	nsteps = SPI_processed;

	for (uint64 i = 0; i < nsteps; i++)
		if (strcmp(SPI_getvalue(steps->vals[i], steps->tupdesc, S_ACTION), "update") == 0)
			VerifyStep(merge_id, steps->vals[i], steps->tupdesc);
	for (uint64 i = 0; i < nsteps; i++)
		restored += UndoStep(merge_id, steps->vals[i], steps->tupdesc);

	ret = SPI_execute_with_args("UPDATE client_registry.client_merge SET undone_at = pg_catalog.now(),"
								" undone_by = SESSION_USER WHERE id OPERATOR(pg_catalog.=) $1",
								1, types, values, NULL, false, 0);
	if (ret != SPI_OK_UPDATE)
		elog(ERROR, "marking merge %lld undone failed", (long long) merge_id);

	feed.tenant_id = tenant_id;
	feed.survivor = survivor;
	feed.merge_id = merge_id;
	feed.client_relid = get_relname_relid("client", get_namespace_oid("client_registry", false));
	MergeFeedEntry(&feed, true);
	return (int64) restored;
}

PG_FUNCTION_INFO_V1(cr_unmerge);

/*
 * unmerge(merge_id bigint) returns integer: rows put back.
 */
Datum
cr_unmerge(PG_FUNCTION_ARGS)
{
	int64		merge_id = PG_GETARG_INT64(0);
	int64		restored = 0;
	bool		token;

	(void) CrCurrentTenant();	/* 42501 for a role that is not a member */
	SPI_connect();
	MergeResetCaches();
	/* on Citus the workers' triggers learn it from the token (internal_change.c) */
	token = CrInternalChangeBegin("im");
	cr_internal_change_depth++;
	cr_merge_depth++;
	PG_TRY();
	{
		restored = Unmerge(merge_id);
	}
	PG_FINALLY();
	{
		cr_internal_change_depth--;
		cr_merge_depth--;
	}
	PG_END_TRY();
	CrInternalChangeEnd(token);
	SPI_finish();
	PG_RETURN_INT32((int32) Min(restored, PG_INT32_MAX));
}
