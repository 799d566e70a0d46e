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
 *
 * Tables without a primary key are journaled by content: each update step
 * keeps the md5 of every row as the step left it and as it was before it
 * (row_hashes_before, since 0.4.0).  A row that two steps changed (a buyer
 * and a payer column, or a composite and a single-column foreign key) has
 * the first step's after-hash as the second step's before-hash; the
 * verification follows that chain (the hashes the rows must have now, as a
 * multiset per table), and the undo, newest step first, finds each step's
 * rows as that step left them.
 *
 * Hashes and row images cover the columns the table had when the merge ran
 * (row_columns): a column added since (an upgrade, a user's ALTER TABLE)
 * is left out of the comparison, and rows put back get its default.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"

#include "merge_clients.h"
#include "client_registry.h"
#include "internal_change.h"
#include "trigger_support.h"

/* Columns of the step query. */
enum
{
	S_STEP = 1, S_ACTION, S_REASON, S_SCHEMA, S_TABLE, S_KEYS, S_HASHES, S_OLD, S_IMAGES, S_COUNT,
	S_HASHES_BEFORE, S_COLUMNS
};

/* The rows a table without a key must have now: md5 -> how many. */
typedef struct HashCount
{
	char		hash[33];
	int64		count;
} HashCount;

typedef struct KeylessRows
{
	Oid			relid;
	int			ncols;			/* row_columns of its steps */
	HTAB	   *hashes;
} KeylessRows;

/* row_columns of a step (0: every column). */
static int
StepColumns(HeapTuple st, TupleDesc sd)
{
	bool		isnull;
	Datum		d = SPI_getbinval(st, sd, S_COLUMNS, &isnull);

	return isnull ? 0 : DatumGetInt16(d);
}

static Oid
StepTable(int64 merge_id, const char *schema, const char *table)
{
	Oid			nsp = get_namespace_oid(schema, true);
	Oid			relid = OidIsValid(nsp) ? get_relname_relid(table, nsp) : InvalidOid;

	/* on the worker that holds the tenant: the table's shard there */
	if (OidIsValid(relid) && MergeAnchored())
		relid = MergeShardOf(relid);

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
	Datum		hashes = SPI_getbinval(st, sd, S_HASHES, &isnull);
	Oid			types[2] = {JSONBOID, TEXTARRAYOID};
	Datum		values[2] = {keys, hashes};
	char	   *sql;
	int64		changed;
	char	   *first = NULL;
	int			ret;

	sql = psprintf("SELECT pg_catalog.count(*), pg_catalog.min(k.j::text) FROM ROWS FROM"
				   " (pg_catalog.jsonb_array_elements($1), pg_catalog.unnest($2)) AS k(j, h)"
				   " LEFT JOIN %s t ON %s"
				   " WHERE t.ctid IS NULL OR pg_catalog.md5(%s) OPERATOR(pg_catalog.<>) k.h",
				   t->qualified, MergeKeyMatch(t, "t", "k.j"), MergeRowText(t, "t", StepColumns(st, sd)));
	ret = MergeSpiExecute(sql, 2, types, values, NULL, true, 1);
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
 * KeylessFor: the expected rows of a table without a key (created empty).
 */
static KeylessRows *
KeylessFor(List **tables, Oid relid, int ncols)
{
	ListCell   *lc;
	KeylessRows *k;
	HASHCTL		ctl;

	foreach(lc, *tables)
	{
		k = (KeylessRows *) lfirst(lc);
		if (k->relid == relid)
			return k;
	}
	k = palloc0(sizeof(KeylessRows));
	k->relid = relid;
	k->ncols = ncols;
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = 33;
	ctl.entrysize = sizeof(HashCount);
	ctl.hcxt = CurrentMemoryContext;
	k->hashes = hash_create("unmerge row hashes", 256, &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	*tables = lappend(*tables, k);
	return k;
}

/*
 * KeylessApply adds (sign 1) or removes (sign -1) each hash of a text
 * array to the table's expected rows; a hash removed that is not expected
 * (a row the merge found as it was) is ignored.
 */
static void
KeylessApply(KeylessRows *k, Datum hashes, int sign)
{
	ArrayType  *arr = DatumGetArrayTypeP(hashes);
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
	{
		char		key[33];
		HashCount  *e;
		bool		found;

		if (nulls[i])
			continue;
		strlcpy(key, TextDatumGetCString(elems[i]), sizeof(key));
		if (sign > 0)
		{
			e = hash_search(k->hashes, key, HASH_ENTER, &found);
			e->count = found ? e->count + 1 : 1;
		}
		else
		{
			e = hash_search(k->hashes, key, HASH_FIND, &found);
			if (found && --e->count <= 0)
				hash_search(k->hashes, key, HASH_REMOVE, NULL);
		}
	}
}

/*
 * ImageHashes: the hashes of the row images of a delete step (over the
 * step's columns), as text[].
 */
static Datum
ImageHashes(MergeTable *t, Datum images, int ncols)
{
	Oid			types[1] = {JSONBOID};
	Datum		values[1] = {images};
	bool		isnull;
	int			ret;

	ret = MergeSpiExecute(psprintf("SELECT COALESCE(pg_catalog.array_agg(pg_catalog.md5(%s)), '{}')"
								   "  FROM pg_catalog.jsonb_array_elements($1) AS e,"
								   "       pg_catalog.jsonb_populate_record(NULL::%s, e) AS r",
								   MergeRowText(t, "r", ncols), t->qualified),
						  1, types, values, NULL, true, 1);
	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "hashing deleted rows of %s failed", t->qualified);
	return SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
}

/*
 * VerifyKeyless: the steps of tables without a key, oldest first, give
 * the rows each such table must have now (a row two steps changed counts
 * once, with the later step's hash; a row a later step deleted not at
 * all); every one of them must be there.
 */
static void
VerifyKeyless(int64 merge_id, SPITupleTable *steps, uint64 nsteps)
{
	List	   *tables = NIL;
	ListCell   *lc;

	for (uint64 i = nsteps; i-- > 0;)	/* the steps come newest first */
	{
		HeapTuple	st = steps->vals[i];
		TupleDesc	sd = steps->tupdesc;
		bool		isnull;
		bool		is_update = strcmp(SPI_getvalue(st, sd, S_ACTION), "update") == 0;
		MergeTable *t;
		KeylessRows *k;
		Datum		before;
		bool		no_before;

		if (is_update)
		{
			(void) SPI_getbinval(st, sd, S_KEYS, &isnull);
			if (!isnull)
				continue;		/* a table with a key */
		}
		t = MergeGetTable(StepTable(merge_id, SPI_getvalue(st, sd, S_SCHEMA), SPI_getvalue(st, sd, S_TABLE)));
		if (t->npk > 0)
			continue;
		k = KeylessFor(&tables, t->relid, StepColumns(st, sd));
		if (!is_update)
		{
			Datum		images = SPI_getbinval(st, sd, S_IMAGES, &isnull);

			if (!isnull)
				KeylessApply(k, ImageHashes(t, images, k->ncols), -1);
			continue;
		}
		before = SPI_getbinval(st, sd, S_HASHES_BEFORE, &no_before);
		if (!no_before)
			KeylessApply(k, before, -1);
		KeylessApply(k, SPI_getbinval(st, sd, S_HASHES, &isnull), 1);
	}

	foreach(lc, tables)
	{
		KeylessRows *k = (KeylessRows *) lfirst(lc);
		MergeTable *t = MergeGetTable(k->relid);
		HASH_SEQ_STATUS seq;
		HashCount  *e;
		List	   *want = NIL;
		Oid			types[1] = {TEXTARRAYOID};
		Datum		values[1];
		int64		missing = 0;
		int			ret;

		hash_seq_init(&seq, k->hashes);
		while ((e = (HashCount *) hash_seq_search(&seq)) != NULL)
		{
			want = lappend(want, pstrdup(e->hash));
			missing += e->count;
		}
		if (want == NIL)
			continue;
		values[0] = MergeTextArray(want);
		ret = MergeSpiExecute(psprintf("SELECT h, pg_catalog.count(*) FROM (SELECT pg_catalog.md5(%s) AS h FROM %s t) x"
									   " WHERE h OPERATOR(pg_catalog.=) ANY ($1) GROUP BY h",
									   MergeRowText(t, "t", k->ncols), t->qualified),
							  1, types, values, NULL, true, 0);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "checking the rows of %s failed", t->qualified);
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			char	   *h = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1);
			bool		isnull;
			int64		n = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 2, &isnull));
			bool		found;

			e = hash_search(k->hashes, h, HASH_FIND, &found);
			if (found)
				missing -= Min(n, e->count);
		}
		if (missing > 0)
			ereport(ERROR,
					(errcode(ERRCODE_CR_UNMERGE_CHANGED),
					 errmsg("merge %lld cannot be undone: %lld row%s of %s changed since the merge",
							(long long) merge_id, (long long) missing, missing == 1 ? "" : "s", t->qualified),
					 errdetail("The table has no primary key; its rows are recognised by their content as the merge left them, and %lld of them are no longer there.",
							   (long long) missing),
					 errhint("Undo those changes first, or repair by hand: client_registry.client_merge_step keeps every row as the merge left it.")));
	}
}

/*
 * InsertColumns: the columns of a table that an INSERT may set, of its
 * first ncols columns (0: all).
 */
static char *
InsertColumns(Oid relid, int ncols)
{
	Oid			types[2] = {OIDOID, INT4OID};
	Datum		values[2] = {ObjectIdGetDatum(relid), Int32GetDatum(ncols)};
	int			ret = MergeSpiRun(
											"SELECT pg_catalog.string_agg(pg_catalog.quote_ident(attname), ', ' ORDER BY attnum)"
											"  FROM (SELECT attname, attnum, attgenerated,"
											"               pg_catalog.row_number() OVER (ORDER BY attnum) AS n"
											"          FROM pg_catalog.pg_attribute"
											"         WHERE attrelid OPERATOR(pg_catalog.=) $1 AND attnum OPERATOR(pg_catalog.>) 0"
											"           AND NOT attisdropped) a"
											" WHERE attgenerated OPERATOR(pg_catalog.=) ''"
											"   AND ($2 OPERATOR(pg_catalog.<=) 0 OR n OPERATOR(pg_catalog.<=) $2)",
											2, types, values, NULL, true, 1);

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
		char	   *cols = InsertColumns(t->relid, StepColumns(st, sd));

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
		ret = MergeSpiRun(
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
		{
			/*
			 * As many rows per hash as the step changed (identical rows are
			 * interchangeable; the others are not touched).
			 */
			char	   *rowtext = MergeRowText(t, "t", StepColumns(st, sd));

			sql = psprintf("WITH want AS (SELECT u.h, pg_catalog.count(*) AS n FROM pg_catalog.unnest($1) AS u(h) GROUP BY u.h),"
						   " cand AS (SELECT t.ctid AS c, w.n, pg_catalog.row_number() OVER (PARTITION BY w.h) AS rn"
						   "            FROM %s t JOIN want w ON pg_catalog.md5(%s) OPERATOR(pg_catalog.=) w.h)"
						   " UPDATE %s t SET %s FROM cand"
						   " WHERE t.ctid OPERATOR(pg_catalog.=) cand.c AND cand.rn OPERATOR(pg_catalog.<=) cand.n",
						   t->qualified, rowtext, t->qualified, set.data);
		}
		else
			sql = psprintf("UPDATE %s t SET %s FROM pg_catalog.jsonb_array_elements($1) AS k(j) WHERE %s",
						   t->qualified, set.data, MergeKeyMatch(t, "t", "k.j"));
		ret = MergeSpiExecute(sql, 2, types, values, NULL, false, 0);
		if (ret != SPI_OK_UPDATE)
			elog(ERROR, "putting back rows of %s failed", t->qualified);
		if (keyless)
		{
			int64		count = DatumGetInt64(SPI_getbinval(st, sd, S_COUNT, &isnull));

			if ((int64) SPI_processed != count)
				ereport(ERROR,
						(errcode(ERRCODE_CR_UNMERGE_CHANGED),
						 errmsg("merge %lld cannot be undone: rows of %s changed while it was being undone",
								(long long) merge_id, t->qualified),
						 errdetail("Step %s (%s) found %llu of its %lld rows as the merge left them.",
								   SPI_getvalue(st, sd, S_STEP), SPI_getvalue(st, sd, S_REASON),
								   (unsigned long long) SPI_processed, (long long) count),
						 errhint("Try again.")));
		}
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

	ret = MergeSpiRun("SELECT tenant_id, survivor_id, undone_at IS NOT NULL, merged_ids, erased_at"
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
	ret = MergeSpiRun("SELECT 1 FROM client_registry.client WHERE id OPERATOR(pg_catalog.=) $1 FOR NO KEY UPDATE",
								1, types, values, NULL, false, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "locking client %lld failed", (long long) survivor);

	values[0] = Int64GetDatum(merge_id);
	values[1] = Int32GetDatum(tenant_id);
	ret = MergeSpiRun("SELECT step, action, reason, table_schema, table_name, row_keys, row_hashes,"
								"       old_values, row_images, row_count, row_hashes_before, row_columns"
								"  FROM client_registry.client_merge_step"
								" WHERE merge_id OPERATOR(pg_catalog.=) $1 AND tenant_id OPERATOR(pg_catalog.=) $2"
								" ORDER BY step DESC",
								2, types, values, NULL, false, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading the journal of merge %lld failed", (long long) merge_id);
	steps = SPI_tuptable;
	nsteps = SPI_processed;

	for (uint64 i = 0; i < nsteps; i++)
	{
		bool		no_keys;

		CHECK_FOR_INTERRUPTS();
		(void) SPI_getbinval(steps->vals[i], steps->tupdesc, S_KEYS, &no_keys);
		if (strcmp(SPI_getvalue(steps->vals[i], steps->tupdesc, S_ACTION), "update") == 0 && !no_keys)
			VerifyStep(merge_id, steps->vals[i], steps->tupdesc);
	}
	VerifyKeyless(merge_id, steps, nsteps);
	for (uint64 i = 0; i < nsteps; i++)
	{
		CHECK_FOR_INTERRUPTS();
		restored += UndoStep(merge_id, steps->vals[i], steps->tupdesc);
	}

	ret = MergeSpiRun("UPDATE client_registry.client_merge SET undone_at = pg_catalog.now(),"
								" undone_by = SESSION_USER WHERE id OPERATOR(pg_catalog.=) $1",
								1, types, values, NULL, false, 0);
	if (ret != SPI_OK_UPDATE)
		elog(ERROR, "marking merge %lld undone failed", (long long) merge_id);

	feed.tenant_id = tenant_id;
	feed.survivor = survivor;
	feed.merge_id = merge_id;
	feed.client_relid = MergeTableRelid("client");
	MergeFeedEntry(&feed, true);
	return (int64) restored;
}

PG_FUNCTION_INFO_V1(cr_unmerge);

/* Unmerge as a step of CrCallRaised (the depth counters raised around it). */
typedef struct UnmergeCall
{
	int64		merge_id;
	int64		restored;
} UnmergeCall;

static void
UnmergeStep(void *arg)
{
	UnmergeCall *call = (UnmergeCall *) arg;

	call->restored = Unmerge(call->merge_id);
}

/*
 * UnmergeRun: the unmerge itself (unmerge, or unmerge_at on the worker that
 * holds the tenant); returns the rows put back.
 */
int64
UnmergeRun(int64 merge_id)
{
	UnmergeCall step;
	bool		token;

	SPI_connect();
	MergeResetCaches();
	step.merge_id = merge_id;
	/* on Citus, run from the coordinator, the workers' triggers learn it from the token */
	token = MergeAnchored() ? false : CrInternalChangeBegin("im");
	CrCallRaised(&cr_internal_change_depth, &cr_merge_depth, UnmergeStep, &step);
	CrInternalChangeEnd(token);
	SPI_finish();
	return step.restored;
}

/*
 * unmerge(merge_id bigint) returns integer: rows put back.  On a Citus
 * cluster it runs on the worker that holds the tenant (merge_delegation.c).
 */
Datum
cr_unmerge(PG_FUNCTION_ARGS)
{
	int64		merge_id = PG_GETARG_INT64(0);
	int32		tenant = CrCurrentTenant();	/* 42501 for a role that is not a member */
	int64		restored;

	if (MergeDelegates())
		restored = UnmergeDelegate(tenant, merge_id);
	else
		restored = UnmergeRun(merge_id);
	PG_RETURN_INT32((int32) Min(restored, PG_INT32_MAX));
}
