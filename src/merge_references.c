/*
 * merge_references.c
 *		Moving everything that points at a merged client to the survivor,
 *		and writing each change to the merge journal.
 *
 * The foreign keys come from the catalog (client_references.c): the
 * extension's tables, later versions' tables and the user's tables, with
 * single or composite keys, several keys per table.  For each key, the
 * column that references client.id is set to the survivor with one UPDATE
 * per merged client; its RETURNING feeds the journal row in the same
 * statement (a data-modifying CTE), so a hundred thousand re-pointed rows
 * cost one statement and one journal row holding their keys.
 *
 * Before that UPDATE, every unique index of the table that contains the
 * re-pointed column is probed for rows of the merged client that would
 * clash with a row of the survivor.  Rows equal in every other column
 * are duplicates and are folded: what references the duplicate is moved to
 * the survivor's row (foreign keys to the table, again from the catalog),
 * then the duplicate is deleted and its full image journaled.  Rows that
 * differ are a conflict: the merge stops with SQLSTATE R2401 naming the
 * table, both rows and the constraint (merge_preview lists them all).
 *
 * The card's own children have their own notion of "the same": addresses
 * with the same street, city, postal code and country; bank accounts with
 * the same IBAN and currency; contacts with the same name and e-mail.
 * Their primary flags: when the survivor has a primary row, the merged
 * client's primary is demoted before it moves (the survivor's wins).
 *
 * Everything here runs while cr_internal_change_depth is raised: the
 * registry's row triggers let these moves through (a posted invoice may
 * change client only this way), the balance triggers move the balances.
 */
#include "postgres.h"

#include "access/table.h"
#include "miscadmin.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "common/hashfn.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "merge_clients.h"
#include "client_references.h"
#include "shard_map.h"
#include "trigger_support.h"

/* Parameters common to every journal insert: $1 .. $8. */
#define JOURNAL_NARGS 8
#define JOURNAL_MAXARGS 16

typedef struct JournalArgs
{
	int			n;
	Oid			types[JOURNAL_MAXARGS];
	Datum		values[JOURNAL_MAXARGS];
	char		nulls[JOURNAL_MAXARGS + 1];
} JournalArgs;

static const char *const journal_columns =
"INSERT INTO client_registry.client_merge_step"
" (tenant_id, merge_id, step, action, reason, table_schema, table_name, constraint_name,"
"  from_client, row_count, row_keys, row_hashes, old_values, new_values, row_images,"
"  row_hashes_before)";

/*
 * Per-run caches.  A merge of many clients runs the same statements and
 * reads the same catalog rows once per merged client: plans, tables,
 * foreign keys and unique indexes are kept for the run (in the SPI
 * procedure's memory, so MergeResetCaches must start every run).
 */
typedef struct MergePlan
{
	uint32		hash;
	char	   *sql;
	SPIPlanPtr	plan;
} MergePlan;

typedef struct CachedRefs
{
	Oid			relid;
	List	   *refs;
} CachedRefs;

typedef struct UniqueIndex
{
	char	   *conname;
	char	   *indexname;
	char	   *pred;			/* NULL: not partial */
	bool		nulls_not_distinct;
	int			nkeys;
	int16	   *keys;
} UniqueIndex;

typedef struct CachedIndexes
{
	Oid			relid;
	int16		attnum;
	List	   *indexes;		/* UniqueIndex */
} CachedIndexes;

static List *plan_cache = NIL;
static List *table_cache = NIL;
static List *refs_cache = NIL;
static List *index_cache = NIL;

void
MergeResetCaches(void)
{
	plan_cache = NIL;
	table_cache = NIL;
	refs_cache = NIL;
	index_cache = NIL;
	MergeResetSqlCache();
}

/*
 * MergeSpiExecute runs a statement through a plan prepared once per run.
 */
int
MergeSpiExecute(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls,
				bool read_only, long tcount)
{
	uint32		h = hash_bytes((const unsigned char *) sql, strlen(sql));
	ListCell   *lc;
	MergePlan *c;

	foreach(lc, plan_cache)
	{
		c = (MergePlan *) lfirst(lc);
		if (c->hash == h && strcmp(c->sql, sql) == 0)
			return SPI_execute_plan(c->plan, values, nulls, read_only, tcount);
	}
	c = palloc(sizeof(MergePlan));
	c->hash = h;
	c->sql = pstrdup(sql);
	c->plan = SPI_prepare(MergeSql(sql), nargs, types);
	if (c->plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	plan_cache = lappend(plan_cache, c);
	return SPI_execute_plan(c->plan, values, nulls, read_only, tcount);
}

/*
 * MergeReferencesTo: the foreign keys that reference a table, read once per run.
 */
List *
MergeReferencesTo(Oid relid)
{
	ListCell   *lc;
	CachedRefs *c;

	foreach(lc, refs_cache)
	{
		c = (CachedRefs *) lfirst(lc);
		if (c->relid == relid)
			return c->refs;
	}
	c = palloc(sizeof(CachedRefs));
	c->relid = relid;
	c->refs = CrFindClientReferences(relid, CurrentMemoryContext);
	refs_cache = lappend(refs_cache, c);
	return c->refs;
}

static void
ArgAdd(JournalArgs *a, Oid type, Datum value, bool isnull)
{
	if (a->n >= JOURNAL_MAXARGS)
		elog(ERROR, "too many parameters for a merge journal statement");
	a->types[a->n] = type;
	a->values[a->n] = value;
	a->nulls[a->n] = isnull ? 'n' : ' ';
	a->n++;
	a->nulls[a->n] = '\0';
}

static void
ArgsInit(JournalArgs *a, MergeRun *run, const char *reason, MergeTable *t,
		 const char *constraint_name, int64 from_client)
{
	a->n = 0;
	ArgAdd(a, INT4OID, Int32GetDatum(run->tenant_id), false);
	ArgAdd(a, INT8OID, Int64GetDatum(run->merge_id), false);
	ArgAdd(a, INT4OID, Int32GetDatum(run->next_step), false);
	ArgAdd(a, TEXTOID, CStringGetTextDatum(reason), false);
	ArgAdd(a, TEXTOID, CStringGetTextDatum(t->schema), false);
	ArgAdd(a, TEXTOID, CStringGetTextDatum(t->relname), false);
	if (constraint_name != NULL && MergeAnchored())
		constraint_name = MergeLogicalConstraint(t->relid, constraint_name);
	ArgAdd(a, TEXTOID, constraint_name ? CStringGetTextDatum(constraint_name) : (Datum) 0,
		   constraint_name == NULL);
	ArgAdd(a, INT8OID, Int64GetDatum(from_client), from_client == 0);
}

/*
 * RunJournaled executes a statement whose last part inserts at most one
 * journal row; a row inserted takes the next step number, and an update
 * step of a table with a key is remembered for hashing at the end.
 */
static void
RunJournaled(MergeRun *run, const char *sql, JournalArgs *a, MergeTable *t, bool hash_later)
{
	int			ret = MergeSpiExecute(sql, a->n, a->types, a->values, a->nulls, false, 0);

	if (ret != SPI_OK_INSERT && ret != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "merge journal statement failed: %s", SPI_result_code_string(ret));
	if (SPI_processed > 0)
	{
		if (hash_later && t->npk > 0)
		{
			MergeStepRef *ref = palloc(sizeof(MergeStepRef));

			ref->step = run->next_step;
			ref->relid = t->relid;
			run->update_steps = lappend(run->update_steps, ref);
		}
		run->next_step++;
	}
}

/*
 * MergeGetTable reads a table's names and primary key from the catalog.
 */
MergeTable *
MergeGetTable(Oid relid)
{
	MergeTable *t;
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1] = {ObjectIdGetDatum(relid)};
	int			ret;
	ListCell   *lc;

	foreach(lc, table_cache)
	{
		t = (MergeTable *) lfirst(lc);
		if (t->relid == relid)
			return t;
	}
	t = palloc0(sizeof(MergeTable));
	t->relid = relid;
	t->schema = get_namespace_name(get_rel_namespace(relid));
	t->relname = get_rel_name(relid);
	if (t->schema == NULL || t->relname == NULL)
		elog(ERROR, "relation %u vanished during the merge", relid);
	t->qualified = quote_qualified_identifier(t->schema, t->relname);
	/* on a worker: the shard in statements, the logical table in the journal */
	if (MergeAnchored())
		t->relname = CrLogicalRelName(relid);

	ret = MergeSpiRun(
								"SELECT a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod)"
								"  FROM pg_catalog.pg_index i"
								"  CROSS JOIN LATERAL pg_catalog.unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)"
								"  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) i.indrelid"
								"   AND a.attnum OPERATOR(pg_catalog.=) k.attnum"
								" WHERE i.indrelid OPERATOR(pg_catalog.=) $1 AND i.indisprimary"
								" ORDER BY k.n",
								1, argtypes, args, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading the primary key failed: %s", SPI_result_code_string(ret));
	t->npk = (int) SPI_processed;
	t->pk_quoted = palloc(sizeof(char *) * Max(t->npk, 1));
	t->pk_raw = palloc(sizeof(char *) * Max(t->npk, 1));
	t->pk_types = palloc(sizeof(char *) * Max(t->npk, 1));
	for (int i = 0; i < t->npk; i++)
	{
		char	   *name = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);

		t->pk_raw[i] = pstrdup(name);
		t->pk_quoted[i] = pstrdup(quote_identifier(name));
		t->pk_types[i] = pstrdup(SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2));
	}
	table_cache = lappend(table_cache, t);
	return t;
}

/*
 * MergeKeyJson: an expression giving a row's key as a JSON object: its
 * primary key columns, or its ctid for a table without one (stable within
 * the merge's own transaction only; such tables are journaled by hash).
 */
char *
MergeKeyJson(MergeTable *t, const char *alias)
{
	StringInfoData s;

	initStringInfo(&s);
	appendStringInfoString(&s, "pg_catalog.jsonb_build_object(");
	if (t->npk == 0)
		appendStringInfo(&s, "'ctid', %s.ctid", alias);
	for (int i = 0; i < t->npk; i++)
		appendStringInfo(&s, "%s%s, %s.%s", i > 0 ? ", " : "",
						 quote_literal_cstr(t->pk_raw[i]), alias, t->pk_quoted[i]);
	appendStringInfoChar(&s, ')');
	return s.data;
}

/*
 * MergeEqOperator: "OPERATOR(schema.=)" naming, by its schema, the default
 * equality operator of type typid.  The key and index columns of a user's
 * table may be of any type, whose = need not live in pg_catalog; an
 * unqualified = would be resolved through the caller's search_path.  (An
 * operator's name cannot be quoted inside OPERATOR(); it consists of
 * operator characters only.)
 */
char *
MergeEqOperator(Oid typid)
{
	TypeCacheEntry *tc = lookup_type_cache(typid, TYPECACHE_EQ_OPR);
	HeapTuple	tup;
	Oid			nsp;

	if (!OidIsValid(tc->eq_opr))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("type %s has no default equality operator", format_type_be(typid))));
	tup = SearchSysCache1(OPEROID, ObjectIdGetDatum(tc->eq_opr));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for operator %u", tc->eq_opr);
	nsp = ((Form_pg_operator) GETSTRUCT(tup))->oprnamespace;
	ReleaseSysCache(tup);
	return psprintf("OPERATOR(%s.%s)", quote_identifier(get_namespace_name(nsp)),
					get_opname(tc->eq_opr));
}

/*
 * MergeKeyMatch: a condition true for the row of alias whose key is the
 * JSON object keyexpr.
 */
char *
MergeKeyMatch(MergeTable *t, const char *alias, const char *keyexpr)
{
	StringInfoData s;

	initStringInfo(&s);
	if (t->npk == 0)
		appendStringInfo(&s, "%s.ctid OPERATOR(pg_catalog.=) ((%s) OPERATOR(pg_catalog.->>) 'ctid')::pg_catalog.tid",
						 alias, keyexpr);
	for (int i = 0; i < t->npk; i++)
		appendStringInfo(&s, "%s%s.%s %s ((%s) OPERATOR(pg_catalog.->>) %s)::%s",
						 i > 0 ? " AND " : "", alias, t->pk_quoted[i],
						 MergeEqOperator(get_atttype(t->relid, get_attnum(t->relid, t->pk_raw[i]))),
						 keyexpr, quote_literal_cstr(t->pk_raw[i]), t->pk_types[i]);
	return s.data;
}

/*
 * MergeRowText: the text of a row of alias as a merge hashes it, over the
 * table's first ncols columns (in column order, dropped ones not counted;
 * ncols <= 0: every column).  ROW(t.a, t.b)::text is t::text when the
 * columns are all of them, so hashes written before 0.4.0 still compare.
 */
char *
MergeRowText(MergeTable *t, const char *alias, int ncols)
{
	Oid			types[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(t->relid)};
	StringInfoData s;
	int			ret;

	if (ncols <= 0)
		return psprintf("%s::text", alias);
	ret = MergeSpiExecute("SELECT a.attname::text FROM pg_catalog.pg_attribute a"
						  " WHERE a.attrelid OPERATOR(pg_catalog.=) $1 AND a.attnum OPERATOR(pg_catalog.>) 0"
						  "   AND NOT a.attisdropped ORDER BY a.attnum",
						  1, types, values, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading the columns failed: %s", SPI_result_code_string(ret));
	if ((uint64) ncols >= SPI_processed)
		return psprintf("%s::text", alias);
	initStringInfo(&s);
	appendStringInfoString(&s, "ROW(");
	for (int i = 0; i < ncols; i++)
		appendStringInfo(&s, "%s%s.%s", i > 0 ? ", " : "", alias,
						 quote_identifier(SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1)));
	appendStringInfoString(&s, ")::text");
	return s.data;
}

/*
 * MergeTextArray: a text[] of the strings of a list, built element by
 * element (never through a text array literal: column names may hold
 * quotes, commas and braces).
 */
Datum
MergeTextArray(List *strings)
{
	Datum	   *texts = palloc(sizeof(Datum) * Max(list_length(strings), 1));
	ListCell   *lc;
	int			n = 0;

	foreach(lc, strings)
		texts[n++] = CStringGetTextDatum((char *) lfirst(lc));
	return PointerGetDatum(construct_array(texts, n, TEXTOID, -1, false, TYPALIGN_INT));
}

void
MergeAddFinding(MergeRun *run, const char *action, const char *table_name,
				const char *constraint_name, int64 from_client, int64 row_count,
				const char *detail)
{
	MemoryContext old = MemoryContextSwitchTo(run->findings_cxt);
	MergeFinding *f = palloc0(sizeof(MergeFinding));

	f->action = pstrdup(action);
	f->table_name = table_name ? pstrdup(table_name) : NULL;
	f->constraint_name = constraint_name ? pstrdup(constraint_name) : NULL;
	f->from_client = from_client;
	f->row_count = row_count;
	f->detail = detail ? pstrdup(detail) : NULL;
	run->findings = lappend(run->findings, f);
	MemoryContextSwitchTo(old);
}

/*
 * MergeJournalDelete records rows deleted (images: a jsonb array).
 */
void
MergeJournalDelete(MergeRun *run, const char *reason, MergeTable *t,
				   const char *constraint_name, int64 from_client, Datum images)
{
	JournalArgs a;
	char	   *sql;

	ArgsInit(&a, run, reason, t, constraint_name, from_client);
	ArgAdd(&a, JSONBOID, images, false);
	sql = psprintf("%s SELECT $1, $2, $3, 'delete', $4, $5, $6, $7, $8,"
				   " pg_catalog.jsonb_array_length($9), NULL, NULL, NULL, NULL, $9, NULL",
				   journal_columns);
	RunJournaled(run, sql, &a, t, false);
}

/*
 * MergeJournalUpdate records one row changed (keys: a jsonb array of one key).
 */
void
MergeJournalUpdate(MergeRun *run, const char *reason, MergeTable *t,
				   const char *constraint_name, int64 from_client,
				   Datum keys, Datum old_values, Datum new_values)
{
	JournalArgs a;
	char	   *sql;

	ArgsInit(&a, run, reason, t, constraint_name, from_client);
	ArgAdd(&a, JSONBOID, keys, false);
	ArgAdd(&a, JSONBOID, old_values, false);
	ArgAdd(&a, JSONBOID, new_values, false);
	sql = psprintf("%s SELECT $1, $2, $3, 'update', $4, $5, $6, $7, $8,"
				   " pg_catalog.jsonb_array_length($9), $9, NULL, $10, $11, NULL, NULL",
				   journal_columns);
	RunJournaled(run, sql, &a, t, true);
}

/*
 * UpdateJournalTail: the INSERT that turns the CTE "moved" (k: key, h:
 * hash after, hb: hash before) into one journal row, old and new values
 * being expressions.
 */
static char *
UpdateJournalTail(MergeTable *t, const char *old_expr, const char *new_expr)
{
	return psprintf("%s SELECT $1, $2, $3, 'update', $4, $5, $6, $7, $8, pg_catalog.count(*), %s, %s, %s, %s, NULL, %s"
					" FROM moved HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 0",
					journal_columns,
					t->npk > 0 ? "pg_catalog.jsonb_agg(k)" : "NULL",
					t->npk > 0 ? "NULL" : "pg_catalog.array_agg(h)",
					old_expr, new_expr,
					t->npk > 0 ? "NULL" : "pg_catalog.array_agg(hb)");
}

/*
 * ReturningKeyAndHash: the RETURNING list of an update step.  A table with
 * a key returns the key (hashed at the end of the merge); a table without
 * one returns the md5 of each row as the step left it and as it was before
 * (the row with the step's old values put back: old_expr, a jsonb object),
 * so that unmerge can follow a row that two steps changed.
 */
static char *
ReturningKeyAndHash(MergeTable *t, const char *alias, const char *old_expr)
{
	if (t->npk > 0)
		return psprintf("RETURNING %s AS k, NULL::text AS h, NULL::text AS hb", MergeKeyJson(t, alias));
	return psprintf("RETURNING NULL::jsonb AS k, pg_catalog.md5(%s::text) AS h,"
					" pg_catalog.md5(pg_catalog.jsonb_populate_record(%s, %s)::text) AS hb",
					alias, alias, old_expr);
}

/*
 * FoldRow folds the row mkey of table t (a duplicate, of the merged client)
 * into the row skey (the survivor's): rows referencing it are moved to the
 * survivor's row, then it is deleted.
 */
static void
FoldRow(MergeRun *run, MergeTable *t, const char *constraint_name, int64 merged,
		Datum mkey, Datum skey)
{
	List	   *refs = MergeReferencesTo(t->relid);
	ListCell   *lc;
	JournalArgs a;
	char	   *sql;

	foreach(lc, refs)
	{
		CrClientReference *ref = (CrClientReference *) lfirst(lc);
		MergeTable *r = MergeGetTable(ref->relid);
		StringInfoData set;
		StringInfoData join;
		StringInfoData oldv;
		StringInfoData newv;

		initStringInfo(&set);
		initStringInfo(&join);
		initStringInfo(&oldv);
		initStringInfo(&newv);
		for (int k = 0; k < ref->nkeys; k++)
		{
			const char *pcol = quote_identifier(get_attname(t->relid, ref->pk_attnums[k], false));
			char	   *jkey = quote_literal_cstr(ref->fk_raw[k]);

			appendStringInfo(&set, "%s%s = s.%s", k > 0 ? ", " : "", ref->fk_columns[k], pcol);
			appendStringInfo(&join, " AND r.%s %s m.%s", ref->fk_columns[k],
							 MergeEqOperator(get_atttype(t->relid, ref->pk_attnums[k])), pcol);
			appendStringInfo(&oldv, "%s%s, m.%s", k > 0 ? ", " : "", jkey, pcol);
			appendStringInfo(&newv, "%s%s, s.%s", k > 0 ? ", " : "", jkey, pcol);
		}
		ArgsInit(&a, run, "fold", r, ref->constraint_name, merged);
		ArgAdd(&a, JSONBOID, mkey, false);
		ArgAdd(&a, JSONBOID, skey, false);
		sql = psprintf("WITH moved AS (UPDATE %s r SET %s FROM %s s, %s m"
					   " WHERE %s AND %s%s %s) %s",
					   r->qualified, set.data, t->qualified, t->qualified,
					   MergeKeyMatch(t, "s", "$10"), MergeKeyMatch(t, "m", "$9"), join.data,
					   ReturningKeyAndHash(r, "r", psprintf("pg_catalog.jsonb_build_object(%s)", oldv.data)),
					   UpdateJournalTail(r,
										 psprintf("(SELECT pg_catalog.jsonb_build_object(%s) FROM %s m WHERE %s)",
												  oldv.data, t->qualified, MergeKeyMatch(t, "m", "$9")),
										 psprintf("(SELECT pg_catalog.jsonb_build_object(%s) FROM %s s WHERE %s)",
												  newv.data, t->qualified, MergeKeyMatch(t, "s", "$10"))));
		RunJournaled(run, sql, &a, r, true);
	}

	MergeDeleteRow(run, "fold", t, constraint_name, merged, mkey);
}

/*
 * DeleteJournaled deletes the rows of t (alias t) matching a condition on
 * parameters from $9 and journals their images, in one statement.
 */
static void
DeleteJournaled(MergeRun *run, JournalArgs *a, MergeTable *t, const char *condition)
{
	char	   *sql = psprintf("WITH d AS (DELETE FROM %s t WHERE %s RETURNING pg_catalog.to_jsonb(t) AS img)"
							   " %s SELECT $1, $2, $3, 'delete', $4, $5, $6, $7, $8, pg_catalog.count(*),"
							   " NULL, NULL, NULL, NULL, pg_catalog.jsonb_agg(img), NULL FROM d"
							   " HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 0",
							   t->qualified, condition, journal_columns);

	RunJournaled(run, sql, a, t, false);
}

/*
 * MergeDeleteRow deletes the row key of table t and journals its image.
 */
void
MergeDeleteRow(MergeRun *run, const char *reason, MergeTable *t, const char *constraint_name,
			   int64 from_client, Datum key)
{
	JournalArgs a;

	ArgsInit(&a, run, reason, t, constraint_name, from_client);
	ArgAdd(&a, JSONBOID, key, false);
	DeleteJournaled(run, &a, t, MergeKeyMatch(t, "t", "$9"));
}

/*
 * FoldPairs folds every pair (merged row key, survivor row key) a query
 * with parameters $1 = merged client, $2 = survivor, $3 = tenant returns.
 */
static void
FoldPairs(MergeRun *run, MergeTable *t, const char *constraint_name, int64 merged,
		  const char *pairs_sql)
{
	Oid			types[3] = {INT8OID, INT8OID, INT4OID};
	Datum		values[3] = {Int64GetDatum(merged), Int64GetDatum(run->survivor),
	Int32GetDatum(run->tenant_id)};
	SPITupleTable *tab;
	uint64		n;
	int			ret = MergeSpiExecute(pairs_sql, 3, types, values, NULL, false, 0);

	if (ret != SPI_OK_SELECT)
		elog(ERROR, "finding duplicate rows failed: %s", SPI_result_code_string(ret));
	tab = SPI_tuptable;
	n = SPI_processed;
	for (uint64 i = 0; i < n; i++)
	{
		bool		isnull;
		Datum		mkey = SPI_getbinval(tab->vals[i], tab->tupdesc, 1, &isnull);
		Datum		skey = SPI_getbinval(tab->vals[i], tab->tupdesc, 2, &isnull);

		FoldRow(run, t, constraint_name, merged, mkey, skey);
	}
}

/*
 * An address field as merges compare it: folded as search folds it (case,
 * diacritics), every run of punctuation and spaces one space, trimmed:
 * "Gedimino pr. 1" and "gedimino pr 1" are the same street.
 */
#define ADDRESS_FOLD(col) \
	"pg_catalog.btrim(pg_catalog.regexp_replace(client_registry.search_fold(COALESCE(" col ", '')), '[^[:alnum:]]+', ' ', 'g'))"

/*
 * The card's children: what makes two of them the same.  Parameters: $1
 * merged client, $2 survivor.  The survivor's primary row is preferred.
 */
static const char *const address_pairs =
"SELECT pg_catalog.jsonb_build_object('id', m.id, 'tenant_id', m.tenant_id), pg_catalog.jsonb_build_object('id', s.id, 'tenant_id', $3)"
"  FROM client_registry.client_address m"
"  CROSS JOIN LATERAL (SELECT s.id FROM client_registry.client_address s"
"   WHERE s.tenant_id OPERATOR(pg_catalog.=) $3 AND s.client_id OPERATOR(pg_catalog.=) $2"
"     AND " ADDRESS_FOLD("s.street") " OPERATOR(pg_catalog.=) " ADDRESS_FOLD("m.street")
"     AND " ADDRESS_FOLD("s.city") " OPERATOR(pg_catalog.=) " ADDRESS_FOLD("m.city")
"     AND pg_catalog.upper(pg_catalog.regexp_replace(COALESCE(s.postal_code, ''), '[^0-9A-Za-z]', '', 'g'))"
"         OPERATOR(pg_catalog.=) pg_catalog.upper(pg_catalog.regexp_replace(COALESCE(m.postal_code, ''), '[^0-9A-Za-z]', '', 'g'))"
"     AND s.country OPERATOR(pg_catalog.=) m.country"
"   ORDER BY s.is_primary DESC, s.id LIMIT 1) s"
" WHERE m.tenant_id OPERATOR(pg_catalog.=) $3 AND m.client_id OPERATOR(pg_catalog.=) $1 ORDER BY m.id";
static const char *const bank_account_pairs =
"SELECT pg_catalog.jsonb_build_object('id', m.id, 'tenant_id', m.tenant_id), pg_catalog.jsonb_build_object('id', s.id, 'tenant_id', $3)"
"  FROM client_registry.client_bank_account m"
"  JOIN client_registry.client_bank_account s ON s.tenant_id OPERATOR(pg_catalog.=) $3 AND s.client_id OPERATOR(pg_catalog.=) $2"
"   AND s.iban OPERATOR(pg_catalog.=) m.iban AND s.currency OPERATOR(pg_catalog.=) m.currency"
" WHERE m.tenant_id OPERATOR(pg_catalog.=) $3 AND m.client_id OPERATOR(pg_catalog.=) $1 ORDER BY m.id";
static const char *const contact_pairs =
"SELECT pg_catalog.jsonb_build_object('id', m.id, 'tenant_id', m.tenant_id), pg_catalog.jsonb_build_object('id', s.id, 'tenant_id', $3)"
"  FROM client_registry.client_contact m"
"  CROSS JOIN LATERAL (SELECT s.id FROM client_registry.client_contact s"
"   WHERE s.tenant_id OPERATOR(pg_catalog.=) $3 AND s.client_id OPERATOR(pg_catalog.=) $2"
"     AND pg_catalog.lower(pg_catalog.btrim(COALESCE(s.first_name, ''))) OPERATOR(pg_catalog.=) pg_catalog.lower(pg_catalog.btrim(COALESCE(m.first_name, '')))"
"     AND pg_catalog.lower(pg_catalog.btrim(COALESCE(s.last_name, ''))) OPERATOR(pg_catalog.=) pg_catalog.lower(pg_catalog.btrim(COALESCE(m.last_name, '')))"
"     AND pg_catalog.lower(COALESCE(s.email, '')) OPERATOR(pg_catalog.=) pg_catalog.lower(COALESCE(m.email, ''))"
"   ORDER BY s.is_primary DESC, s.id LIMIT 1) s"
" WHERE m.tenant_id OPERATOR(pg_catalog.=) $3 AND m.client_id OPERATOR(pg_catalog.=) $1 ORDER BY m.id";

/*
 * OtherKeyColumns: conditions on the foreign key's other columns (the
 * tenant_id of a composite key) for the rows of client "client_param", so
 * that the (tenant_id, client_id) indexes serve the statement.
 */
static char *
OtherKeyColumns(MergeRun *run, CrClientReference *ref, int fk_index, const char *alias,
				const char *client_param)
{
	StringInfoData s;
	int16		tenant_attnum = get_attnum(run->client_relid, "tenant_id");

	initStringInfo(&s);
	for (int k = 0; k < ref->nkeys; k++)
	{
		if (k == fk_index)
			continue;
		/*
		 * The foreign key references the registry's client, whose key
		 * columns are integer/bigint: pg_catalog's = serves.
		 */
		if (ref->pk_attnums[k] == tenant_attnum)
			appendStringInfo(&s, " AND %s.%s OPERATOR(pg_catalog.=) %d", alias, ref->fk_columns[k], run->tenant_id);
		else
			appendStringInfo(&s, " AND %s.%s OPERATOR(pg_catalog.=) (SELECT c.%s FROM client_registry.client c"
							 " WHERE c.id OPERATOR(pg_catalog.=) %s)",
							 alias, ref->fk_columns[k],
							 quote_identifier(get_attname(run->client_relid, ref->pk_attnums[k], false)),
							 client_param);
	}
	return s.data;
}

static bool
IsCardChild(MergeRun *run, Oid relid)
{
	return relid == run->address_relid || relid == run->bank_account_relid ||
		relid == run->contact_relid;
}

/*
 * DemotePrimary: when the survivor has a primary row in a child table, the
 * merged client's primary row is demoted before it moves.
 */
static void
DemotePrimary(MergeRun *run, MergeTable *t, CrClientReference *ref, int fk_index, int64 merged)
{
	const char *fk_column = ref->fk_columns[fk_index];

	JournalArgs a;
	char	   *sql;

	ArgsInit(&a, run, "demote primary", t, NULL, merged);
	ArgAdd(&a, INT8OID, Int64GetDatum(merged), false);
	ArgAdd(&a, INT8OID, Int64GetDatum(run->survivor), false);
	sql = psprintf("WITH moved AS (UPDATE %s t SET is_primary = false"
				   " WHERE t.%s OPERATOR(pg_catalog.=) $9%s AND t.is_primary"
				   "   AND EXISTS (SELECT 1 FROM %s s WHERE s.%s OPERATOR(pg_catalog.=) $10%s AND s.is_primary) %s) %s",
				   t->qualified, fk_column, OtherKeyColumns(run, ref, fk_index, "t", "$9"),
				   t->qualified, fk_column, OtherKeyColumns(run, ref, fk_index, "s", "$10"),
				   ReturningKeyAndHash(t, "t", "'{\"is_primary\": true}'::jsonb"),
				   UpdateJournalTail(t, "'{\"is_primary\": true}'::jsonb", "'{\"is_primary\": false}'::jsonb"));
	RunJournaled(run, sql, &a, t, true);
}

/*
 * UniqueIndexesWith: the unique indexes (not on expressions) of a table
 * that contain a column, read once per run.
 */
static List *
UniqueIndexesWith(Oid relid, int16 attnum)
{
	Oid			argtypes[2] = {OIDOID, INT2OID};
	Datum		args[2] = {ObjectIdGetDatum(relid), Int16GetDatum(attnum)};
	ListCell   *lc;
	CachedIndexes *c;
	int			ret;

	foreach(lc, index_cache)
	{
		c = (CachedIndexes *) lfirst(lc);
		if (c->relid == relid && c->attnum == attnum)
			return c->indexes;
	}
	ret = MergeSpiRun(
								"SELECT COALESCE(con.conname, ic.relname)::text, i.indkey::int2[],"
								"       pg_catalog.pg_get_expr(i.indpred, i.indrelid), i.indnullsnotdistinct,"
								"       ic.relname::text"
								"  FROM pg_catalog.pg_index i"
								"  JOIN pg_catalog.pg_class ic ON ic.oid OPERATOR(pg_catalog.=) i.indexrelid"
								"  LEFT JOIN pg_catalog.pg_constraint con ON con.conindid OPERATOR(pg_catalog.=) i.indexrelid"
								"   AND con.conrelid OPERATOR(pg_catalog.=) i.indrelid"
								" WHERE i.indrelid OPERATOR(pg_catalog.=) $1 AND i.indisunique AND i.indexprs IS NULL"
								"   AND $2 OPERATOR(pg_catalog.=) ANY (i.indkey::int2[])"
								" ORDER BY 1",
								2, argtypes, args, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading unique indexes failed: %s", SPI_result_code_string(ret));
	c = palloc0(sizeof(CachedIndexes));
	c->relid = relid;
	c->attnum = attnum;
	for (uint64 x = 0; x < SPI_processed; x++)
	{
		HeapTuple	it = SPI_tuptable->vals[x];
		TupleDesc	id = SPI_tuptable->tupdesc;
		UniqueIndex *ui = palloc0(sizeof(UniqueIndex));
		bool		isnull;
		ArrayType  *keys = DatumGetArrayTypeP(SPI_getbinval(it, id, 2, &isnull));
		Datum	   *kd;
		char	   *pred = SPI_getvalue(it, id, 3);

		ui->conname = pstrdup(SPI_getvalue(it, id, 1));
		ui->pred = pred ? pstrdup(pred) : NULL;
		ui->nulls_not_distinct = DatumGetBool(SPI_getbinval(it, id, 4, &isnull));
		ui->indexname = pstrdup(SPI_getvalue(it, id, 5));
		deconstruct_array(keys, INT2OID, 2, true, TYPALIGN_SHORT, &kd, NULL, &ui->nkeys);
		ui->keys = palloc(sizeof(int16) * ui->nkeys);
		for (int k = 0; k < ui->nkeys; k++)
			ui->keys[k] = DatumGetInt16(kd[k]);
		c->indexes = lappend(c->indexes, ui);
	}
	index_cache = lappend(index_cache, c);
	return c->indexes;
}

/*
 * ResolveClashes probes each unique index of the table that contains the
 * re-pointed column.  Identical rows are folded; others are conflicts
 * (raised, or in a preview recorded and returned as keys to leave out).
 */
static List *
ResolveClashes(MergeRun *run, CrClientReference *ref, MergeTable *t, int fk_index, int64 merged)
{
	int16		fk_attnum = ref->fk_attnums[fk_index];
	const char *col = ref->fk_columns[fk_index];
	List	   *excluded = NIL;
	ListCell   *lx;
	int			ret;

	foreach(lx, UniqueIndexesWith(ref->relid, fk_attnum))
	{
		UniqueIndex *ui = (UniqueIndex *) lfirst(lx);
		char	   *conname = ui->conname;
		char	   *pred = ui->pred;
		bool		nulls_not_distinct = ui->nulls_not_distinct;
		char	   *indexname = ui->indexname;
		int			nk = ui->nkeys;
		bool		isnull;
		StringInfoData same;
		List	   *excl;
		char	   *sql;
		bool		pk_has_fk = false;
		SPITupleTable *clash;
		uint64		nclash;
		Oid			types[3] = {INT8OID, INT8OID, TEXTARRAYOID};
		Datum		values[3];

		if (IsCardChild(run, ref->relid) && strstr(indexname, "_one_primary") != NULL)
			continue;			/* DemotePrimary took care of it */
		initStringInfo(&same);
		for (int k = 0; k < nk; k++)
		{
			int16		att = ui->keys[k];
			const char *c;
			char	   *eq;

			if (att == fk_attnum)
				continue;
			c = quote_identifier(get_attname(ref->relid, att, false));
			eq = MergeEqOperator(get_atttype(ref->relid, att));
			/* IS NOT DISTINCT FROM, with the column type's own = */
			if (nulls_not_distinct)
				appendStringInfo(&same, " AND (s.%s %s m.%s OR (s.%s IS NULL AND m.%s IS NULL))",
								 c, eq, c, c, c);
			else
				appendStringInfo(&same, " AND s.%s %s m.%s", c, eq, c);
		}
		/*
		 * Columns that may differ between duplicates: the keys of to_jsonb()
		 * are the raw column names, whatever characters they hold (a list,
		 * not a text array literal).
		 */
		excl = list_make2(pstrdup("cr_row_ctid"), get_attname(ref->relid, fk_attnum, false));
		for (int k = 0; k < t->npk; k++)
			if (strcmp(t->pk_quoted[k], col) == 0)
				pk_has_fk = true;
		if (!pk_has_fk)
			for (int k = 0; k < t->npk; k++)
				excl = lappend(excl, t->pk_raw[k]);
		if (IsCardChild(run, ref->relid))
		{
			excl = lappend(excl, "is_primary");
			excl = lappend(excl, "created_at");
			excl = lappend(excl, "updated_at");
		}

		/*
		 * One join of the merged client's rows with the survivor's on the
		 * index columns (each side filtered by the index predicate, whose
		 * unqualified columns resolve inside its own subquery): a hash or
		 * merge join however many rows the merged client has.  ctid is
		 * carried along as the key of a table without a primary key.
		 */
		{
			char	   *side = psprintf("(SELECT t.*, t.ctid AS cr_row_ctid FROM %s t%s%s%s)",
										t->qualified, pred ? " WHERE (" : "", pred ? pred : "",
										pred ? ")" : "");
			char	   *mkey = t->npk > 0 ? MergeKeyJson(t, "m") :
				"pg_catalog.jsonb_build_object('ctid', m.cr_row_ctid)";
			char	   *skey = t->npk > 0 ? MergeKeyJson(t, "s") :
				"pg_catalog.jsonb_build_object('ctid', s.cr_row_ctid)";

			/* col references the registry's client key (bigint): pg_catalog's = */
			sql = psprintf("SELECT %s AS mk, %s AS sk,"
						   " (pg_catalog.to_jsonb(s) OPERATOR(pg_catalog.-) $3) OPERATOR(pg_catalog.=)"
						   " (pg_catalog.to_jsonb(m) OPERATOR(pg_catalog.-) $3) AS same"
						   " FROM %s m JOIN %s s ON s.%s OPERATOR(pg_catalog.=) $2%s%s"
						   " WHERE m.%s OPERATOR(pg_catalog.=) $1%s",
						   mkey, skey, side, side, col, OtherKeyColumns(run, ref, fk_index, "s", "$2"),
						   same.data, col, OtherKeyColumns(run, ref, fk_index, "m", "$1"));
		}
		values[0] = Int64GetDatum(merged);
		values[1] = Int64GetDatum(run->survivor);
		values[2] = MergeTextArray(excl);
		ret = MergeSpiExecute(sql, 3, types, values, NULL, false, 0);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "probing %s failed: %s", conname, SPI_result_code_string(ret));
		clash = SPI_tuptable;
		nclash = SPI_processed;
		for (uint64 i = 0; i < nclash; i++)
		{
			HeapTuple	ct = clash->vals[i];
			Datum		mkey = SPI_getbinval(ct, clash->tupdesc, 1, &isnull);
			Datum		skey = SPI_getbinval(ct, clash->tupdesc, 2, &isnull);
			bool		identical = DatumGetBool(SPI_getbinval(ct, clash->tupdesc, 3, &isnull));
			char	   *mtext = SPI_getvalue(ct, clash->tupdesc, 1);
			char	   *stext = SPI_getvalue(ct, clash->tupdesc, 2);

			if (identical)
			{
				FoldRow(run, t, conname, merged, mkey, skey);
				continue;
			}
			if (run->preview)
			{
				MergeAddFinding(run, "conflict", t->qualified, conname, merged, 1,
								psprintf("row %s would clash with the survivor's row %s", mtext, stext));
				excluded = lappend(excluded, pstrdup(mtext));
				run->has_conflicts = true;
				continue;
			}
			{
				Relation	rel = table_open(ref->relid, AccessShareLock);

				ereport(ERROR,
						(errcode(ERRCODE_CR_MERGE_CONFLICT),
						 errmsg("client %lld cannot be merged into client %lld: a row of %s would clash on %s",
								(long long) merged, (long long) run->survivor, t->qualified, conname),
						 errdetail("Row %s of the merged client and row %s of the survivor have the same key in %s but differ in other columns; merging would lose one of them.",
								   mtext, stext, conname),
						 errhint("Change or delete one of the two rows, then merge again; merge_preview() lists every clash."),
						 errtableconstraint(rel, conname)));
			}
		}
	}
	return excluded;
}

/*
 * RepointRows moves the rows of one foreign key from the merged client to
 * the survivor and journals their keys in the same statement.
 */
static void
RepointRows(MergeRun *run, CrClientReference *ref, MergeTable *t, int fk_index, int64 merged,
			List *excluded)
{
	const char *col = ref->fk_columns[fk_index];
	char	   *rawcol = ref->fk_raw[fk_index];
	JournalArgs a;
	char	   *sql;
	char	   *skip = "";

	ArgsInit(&a, run, "re-point", t, ref->constraint_name, merged);
	ArgAdd(&a, INT8OID, Int64GetDatum(run->survivor), false);
	ArgAdd(&a, INT8OID, Int64GetDatum(merged), false);
	if (excluded != NIL)
	{
		Datum	   *texts = palloc(sizeof(Datum) * list_length(excluded));
		ListCell   *lc;
		int			n = 0;

		foreach(lc, excluded)
			texts[n++] = CStringGetTextDatum((char *) lfirst(lc));
		ArgAdd(&a, TEXTARRAYOID,
			   PointerGetDatum(construct_array(texts, n, TEXTOID, -1, false, TYPALIGN_INT)), false);
		skip = psprintf(" AND NOT (%s::text OPERATOR(pg_catalog.=) ANY ($11))", MergeKeyJson(t, "t"));
	}
	/* col references the registry's client key (bigint): pg_catalog's = */
	sql = psprintf("WITH moved AS (UPDATE %s t SET %s = $9 WHERE t.%s OPERATOR(pg_catalog.=) $10%s%s %s) %s",
				   t->qualified, col, col, OtherKeyColumns(run, ref, fk_index, "t", "$10"), skip,
				   ReturningKeyAndHash(t, "t", psprintf("pg_catalog.jsonb_build_object(%s, $10)", quote_literal_cstr(rawcol))),
				   UpdateJournalTail(t,
									 psprintf("pg_catalog.jsonb_build_object(%s, $10)", quote_literal_cstr(rawcol)),
									 psprintf("pg_catalog.jsonb_build_object(%s, $9)", quote_literal_cstr(rawcol))));
	RunJournaled(run, sql, &a, t, true);
}

/*
 * DropClientState: tables that describe one client's own state rather than
 * something of the client (what the register last filled on the card) are
 * not moved to the survivor, whose card they do not describe: the merged
 * client's rows are deleted and kept in the journal.
 */
static const char *const client_state_tables[] = {"client_register_fill"};

static void
DropClientState(MergeRun *run, int64 merged)
{
	Oid			nsp = get_rel_namespace(run->client_relid);

	for (size_t i = 0; i < lengthof(client_state_tables); i++)
	{
		Oid			relid = get_relname_relid(client_state_tables[i], nsp);
		MergeTable *t;
		JournalArgs a;

		if (!OidIsValid(relid))
			continue;			/* an older schema */
		t = MergeGetTable(relid);
		ArgsInit(&a, run, "client state", t, NULL, merged);
		ArgAdd(&a, INT8OID, Int64GetDatum(merged), false);
		DeleteJournaled(run, &a, t, psprintf("t.tenant_id OPERATOR(pg_catalog.=) %d AND t.client_id OPERATOR(pg_catalog.=) $9",
											 run->tenant_id));
	}
}

/*
 * MergeFeed: the activity feed (R5.6), when this version has it.  While a
 * merge runs the feed triggers stay quiet (a merge of 100,000 invoices is
 * one event, not 100,000); instead the merge moves the merged clients'
 * history to the survivor (journaled, so unmerge moves it back) and writes
 * one entry.  The feed is the registry's own bookkeeping: written with its
 * owner's rights, as its triggers do.
 */
static Oid
FeedTable(MergeRun *run)
{
	if (MergeAnchored())
		return MergeTableRelid("activity_feed");	/* its shard, on the worker */
	return get_relname_relid("activity_feed", get_rel_namespace(run->client_relid));
}

/*
 * A bulk entry of the feed (0.4.0: one entry for a whole INSERT or COPY)
 * names its clients in client_ids, a multirange.  The survivor is added to
 * each entry that covers the merged client and not yet the survivor, so the
 * survivor's history (client_activity) shows it; one journaled step per entry
 * keeps that entry's own old value, so unmerge puts it back.  (An entry of
 * one client has client_id, moved above.)  Runs as the feed's owner.
 */
static void
MergeMoveBulkHistory(MergeRun *run, MergeTable *t, int64 merged)
{
	Oid			types[2] = {INT8OID, INT8OID};
	Datum		values[2] = {Int64GetDatum(merged), Int64GetDatum(run->survivor)};
	char	   *sql;
	int			ret;
	uint64		n;
	int64	   *ids;
	char	  **olds;
	char	  **news;

	if (get_attnum(t->relid, "client_ids") == InvalidAttrNumber)
		return;					/* the feed of a version before 0.4.0 */
	sql = psprintf("SELECT f.id, f.client_ids::text,"
				   "       (f.client_ids OPERATOR(pg_catalog.+)"
				   "        pg_catalog.int8multirange(pg_catalog.int8range($2, $2, '[]')))::text"
				   "  FROM %s f"
				   " WHERE f.tenant_id OPERATOR(pg_catalog.=) %d AND f.client_id IS NULL"
				   "   AND f.client_ids OPERATOR(pg_catalog.@>) $1"
				   "   AND NOT f.client_ids OPERATOR(pg_catalog.@>) $2"
				   " ORDER BY f.id",
				   t->qualified, run->tenant_id);
	ret = MergeSpiExecute(sql, 2, types, values, NULL, false, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading the bulk entries of the activity feed failed: %s", SPI_result_code_string(ret));
	n = SPI_processed;
	if (n == 0)
		return;
	ids = palloc(sizeof(int64) * n);
	olds = palloc(sizeof(char *) * n);
	news = palloc(sizeof(char *) * n);
	for (uint64 i = 0; i < n; i++)
	{
		bool		isnull;

		ids[i] = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
		olds[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);
		news[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 3);
	}
	sql = psprintf("WITH moved AS (UPDATE %s t SET client_ids = $10::pg_catalog.int8multirange"
				   " WHERE t.tenant_id OPERATOR(pg_catalog.=) %d AND t.id OPERATOR(pg_catalog.=) $9 %s) %s",
				   t->qualified, run->tenant_id, ReturningKeyAndHash(t, "t", "pg_catalog.jsonb_build_object('client_ids', $11::text)"),
				   UpdateJournalTail(t, "pg_catalog.jsonb_build_object('client_ids', $11::text)",
									 "pg_catalog.jsonb_build_object('client_ids', $10::text)"));
	for (uint64 i = 0; i < n; i++)
	{
		JournalArgs a;

		CHECK_FOR_INTERRUPTS();
		ArgsInit(&a, run, "history", t, NULL, merged);
		ArgAdd(&a, INT8OID, Int64GetDatum(ids[i]), false);
		ArgAdd(&a, TEXTOID, CStringGetTextDatum(news[i]), false);
		ArgAdd(&a, TEXTOID, CStringGetTextDatum(olds[i]), false);
		RunJournaled(run, sql, &a, t, true);
	}
}

void
MergeMoveHistory(MergeRun *run, int64 merged)
{
	Oid			relid = FeedTable(run);
	MergeTable *t;
	JournalArgs a;
	char	   *sql;
	Relation	rel;
	CrUserSwitch sw;

	if (!OidIsValid(relid))
		return;
	t = MergeGetTable(relid);
	ArgsInit(&a, run, "history", t, NULL, merged);
	ArgAdd(&a, INT8OID, Int64GetDatum(run->survivor), false);
	ArgAdd(&a, INT8OID, Int64GetDatum(merged), false);
	sql = psprintf("WITH moved AS (UPDATE %s t SET client_id = $9"
				   " WHERE t.tenant_id OPERATOR(pg_catalog.=) %d AND t.client_id OPERATOR(pg_catalog.=) $10 %s) %s",
				   t->qualified, run->tenant_id,
				   ReturningKeyAndHash(t, "t", "pg_catalog.jsonb_build_object('client_id', $10)"),
				   UpdateJournalTail(t, "pg_catalog.jsonb_build_object('client_id', $10)",
									 "pg_catalog.jsonb_build_object('client_id', $9)"));
	rel = table_open(relid, AccessShareLock);
	CrBecomeOwner(rel, &sw);
	RunJournaled(run, sql, &a, t, true);
	MergeMoveBulkHistory(run, t, merged);
	CrRestoreUser(&sw);
	table_close(rel, AccessShareLock);
}

void
MergeFeedEntry(MergeRun *run, bool undo)
{
	Oid			relid = FeedTable(run);
	Oid			types[4] = {INT4OID, INT8OID, INT8OID, INT8ARRAYOID};
	Datum		values[4];
	Datum	   *ids;
	Relation	rel;
	CrUserSwitch sw;
	int			ret;

	if (!OidIsValid(relid) || run->preview)
		return;
	ids = palloc(sizeof(Datum) * Max(run->nmerged, 1));
	for (int i = 0; i < run->nmerged; i++)
		ids[i] = Int64GetDatum(run->merged[i]);
	values[0] = Int32GetDatum(run->tenant_id);
	values[1] = Int64GetDatum(run->survivor);
	values[2] = Int64GetDatum(run->merge_id);
	values[3] = PointerGetDatum(construct_array(ids, run->nmerged, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	rel = table_open(relid, AccessShareLock);
	/* who: the role running the merge, as the feed triggers record it */
	{
		char	   *who = GetUserNameFromId(GetUserId(), false);
		Oid			t5[5] = {types[0], types[1], types[2], types[3], TEXTOID};
		Datum		v5[5] = {values[0], values[1], values[2], values[3], CStringGetTextDatum(who)};

		CrBecomeOwner(rel, &sw);
		ret = MergeSpiRun(psprintf(
											 "INSERT INTO %s (id, tenant_id, client_id, table_name, row_id, action, changed_by, old_values, new_values)"
											 " VALUES (pg_catalog.nextval('client_registry.activity_feed_id_seq'::pg_catalog.regclass),"
											 "  $1, $2, 'client', $2, 'merge', $5, NULL,"
											 "  pg_catalog.jsonb_build_object(%s, $3, 'merged_ids', $4))",
											 MergeGetTable(relid)->qualified,
											 undo ? "'undone_merge_id'" : "'merge_id'"),
									5, t5, v5, NULL, false, 0);
		CrRestoreUser(&sw);
	}
	table_close(rel, AccessShareLock);
	if (ret != SPI_OK_INSERT)
		elog(ERROR, "writing the merge to the activity feed failed");
}

/*
 * MergeMoveReferences moves everything of one merged client to the
 * survivor: duplicates of the card's children folded, primaries demoted,
 * then every foreign key's rows re-pointed.
 */
void
MergeMoveReferences(MergeRun *run, int64 merged)
{
	List	   *refs = MergeReferencesTo(run->client_relid);
	int16		id_attnum = get_attnum(run->client_relid, "id");
	ListCell   *lc;

	DropClientState(run, merged);
	MergeMoveHistory(run, merged);
	FoldPairs(run, MergeGetTable(run->address_relid), "same address", merged, address_pairs);
	FoldPairs(run, MergeGetTable(run->bank_account_relid), "client_bank_account_iban_key", merged,
			  bank_account_pairs);
	FoldPairs(run, MergeGetTable(run->contact_relid), "same contact", merged, contact_pairs);

	foreach(lc, refs)
	{
		CrClientReference *ref = (CrClientReference *) lfirst(lc);
		MergeTable *t;

		if (ref->relid == run->balance_relid)
			continue;			/* derived: the balance triggers move it */
		t = MergeGetTable(ref->relid);
		for (int k = 0; k < ref->nkeys; k++)
		{
			List	   *excluded;

			if (ref->pk_attnums[k] != id_attnum)
				continue;		/* tenant_id stays */
			if (IsCardChild(run, ref->relid))
				DemotePrimary(run, t, ref, k, merged);
			excluded = ResolveClashes(run, ref, t, k, merged);
			RepointRows(run, ref, t, k, merged, excluded);
		}
	}
}

/*
 * MergeHashSteps stores, for every update step of a table with a key, the
 * md5 of each row as the merge left it (unmerge compares them).
 */
void
MergeHashSteps(MergeRun *run)
{
	List	   *done = NIL;
	ListCell   *lc;

	/* one statement per table, for all its steps */
	foreach(lc, run->update_steps)
	{
		MergeStepRef *ref = (MergeStepRef *) lfirst(lc);
		MergeTable *t;
		Datum	   *steps;
		int			nsteps = 0;
		ListCell   *lc2;
		Oid			types[3] = {INT4OID, INT8OID, INT4ARRAYOID};
		Datum		values[3];
		char	   *sql;
		int			ret;

		if (list_member_oid(done, ref->relid))
			continue;
		done = lappend_oid(done, ref->relid);
		t = MergeGetTable(ref->relid);
		steps = palloc(sizeof(Datum) * list_length(run->update_steps));
		foreach(lc2, run->update_steps)
		{
			MergeStepRef *r2 = (MergeStepRef *) lfirst(lc2);

			if (r2->relid == ref->relid)
				steps[nsteps++] = Int32GetDatum(r2->step);
		}
		values[0] = Int32GetDatum(run->tenant_id);
		values[1] = Int64GetDatum(run->merge_id);
		values[2] = PointerGetDatum(construct_array(steps, nsteps, INT4OID, 4, true, TYPALIGN_INT));
		sql = psprintf("UPDATE client_registry.client_merge_step st SET row_hashes ="
					   " (SELECT pg_catalog.array_agg(COALESCE(pg_catalog.md5(t::text), '') ORDER BY k.o)"
					   "    FROM pg_catalog.jsonb_array_elements(st.row_keys) WITH ORDINALITY AS k(j, o)"
					   "    LEFT JOIN %s t ON %s)"
					   " WHERE st.tenant_id OPERATOR(pg_catalog.=) $1 AND st.merge_id OPERATOR(pg_catalog.=) $2"
					   " AND st.step OPERATOR(pg_catalog.=) ANY ($3)",
					   t->qualified, MergeKeyMatch(t, "t", "k.j"));
		ret = MergeSpiRun(sql, 3, types, values, NULL, false, 0);
		if (ret != SPI_OK_UPDATE)
			elog(ERROR, "hashing merged rows failed: %s", SPI_result_code_string(ret));
	}

	/*
	 * How many columns each step's hashes and row images cover: the columns
	 * its table has now.  A column added later is left out by unmerge.
	 */
	{
		Oid			types[2] = {INT4OID, INT8OID};
		Datum		values[2] = {Int32GetDatum(run->tenant_id), Int64GetDatum(run->merge_id)};
		int			ret;

		ret = MergeSpiRun("UPDATE client_registry.client_merge_step st SET row_columns ="
									" (SELECT pg_catalog.count(*) FROM pg_catalog.pg_attribute a"
									"   WHERE a.attrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass("
									"           pg_catalog.quote_ident(st.table_schema) OPERATOR(pg_catalog.||) '.'"
									"           OPERATOR(pg_catalog.||) pg_catalog.quote_ident(st.table_name))"
									"     AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped)"
									" WHERE st.tenant_id OPERATOR(pg_catalog.=) $1 AND st.merge_id OPERATOR(pg_catalog.=) $2",
									2, types, values, NULL, false, 0);
		if (ret != SPI_OK_UPDATE)
			elog(ERROR, "recording the journaled columns failed: %s", SPI_result_code_string(ret));
	}
}

/*
 * MergeWarnUnindexed warns about referencing columns without an index:
 * each merge (and each delete of a client) scans such a table in full.
 */
void
MergeWarnUnindexed(MergeRun *run)
{
	List	   *refs = MergeReferencesTo(run->client_relid);
	int16		id_attnum = get_attnum(run->client_relid, "id");
	ListCell   *lc;

	foreach(lc, refs)
	{
		CrClientReference *ref = (CrClientReference *) lfirst(lc);

		for (int k = 0; k < ref->nkeys; k++)
		{

			Datum		values[2];
			int16		att;
			int			ret;

			if (ref->pk_attnums[k] != id_attnum)
				continue;
			att = ref->fk_attnums[k];
			values[0] = ObjectIdGetDatum(ref->relid);
			values[1] = Int16GetDatum(att);
			/* an index led by the column, or by another column of the key and then it */
			{
				Datum	   *others = palloc(sizeof(Datum) * Max(ref->nkeys, 1));
				int			nothers = 0;
				Oid			t3[3] = {OIDOID, INT2OID, INT2ARRAYOID};
				Datum		v3[3];

				for (int o = 0; o < ref->nkeys; o++)
					if (o != k)
						others[nothers++] = Int16GetDatum(ref->fk_attnums[o]);
				v3[0] = values[0];
				v3[1] = values[1];
				v3[2] = PointerGetDatum(construct_array(others, nothers, INT2OID, 2, true, TYPALIGN_SHORT));
				ret = MergeSpiRun(
											"SELECT 1 FROM pg_catalog.pg_index i"
											" WHERE i.indrelid OPERATOR(pg_catalog.=) $1"
											"   AND (i.indkey[0] OPERATOR(pg_catalog.=) $2"
											"        OR (i.indnkeyatts OPERATOR(pg_catalog.>) 1 AND i.indkey[1] OPERATOR(pg_catalog.=) $2"
											"            AND i.indkey[0] OPERATOR(pg_catalog.=) ANY ($3)))",
											3, t3, v3, NULL, true, 1);
			}
			if (ret != SPI_OK_SELECT)
				elog(ERROR, "reading indexes failed: %s", SPI_result_code_string(ret));
			if (SPI_processed == 0)
			{
				char	   *detail = psprintf("column %s of %s references clients but has no index: every merge and every client delete scans the whole table",
											  ref->fk_columns[k], ref->qualified_name);

				if (run->preview)
					MergeAddFinding(run, "warning", ref->qualified_name, ref->constraint_name, 0, 0, detail);
				else
					ereport(WARNING,
							(errmsg("%s", detail),
							 errhint("CREATE INDEX ON %s (%s);", ref->qualified_name, ref->fk_columns[k])));
			}
		}
	}
}
