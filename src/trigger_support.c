/*
 * trigger_support.c
 *		Helpers shared by the C triggers of client_registry.
 *
 * The triggers read a row's columns by name, many of them per row, and a
 * bulk load runs them a million times: three caches keep that cheap.
 *	- column numbers by (table, column name), keyed by the address of the
 *	  name (the callers pass string constants) and checked against the
 *	  tuple descriptor;
 *	- the last two rows taken apart (heap_deform_tuple once per row, not a
 *	  heap_getattr walk per column): a row is recognised by its address,
 *	  length and table, and its bytes compared with a copy, so a row built
 *	  later at the same address is never mistaken for it;
 *	- output functions of non-text columns by type (an enum read as text),
 *	  forgotten when pg_type changes.
 */
#include "postgres.h"

#include <ctype.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/syscache.h"

#include "client_registry.h"
#include "trigger_support.h"

int			cr_internal_change_depth = 0;
int			cr_merge_depth = 0;
int64		cr_import_run_id = 0;

/*
 * CrTriggerCheck verifies that a trigger function was called by the trigger
 * manager at the timing and level it was written for.
 */
TriggerData *
CrTriggerCheck(FunctionCallInfo fcinfo, const char *funcname, bool before, bool row)
{
	TriggerData *trigdata;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager", funcname)));
	trigdata = (TriggerData *) fcinfo->context;
	if ((TRIGGER_FIRED_BEFORE(trigdata->tg_event) != 0) != before ||
		(TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) != 0) != row)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired %s %s", funcname,
						before ? "BEFORE" : "AFTER",
						row ? "FOR EACH ROW" : "FOR EACH STATEMENT")));
	return trigdata;
}

/*
 * Column numbers by (table, column name), so the per-row triggers do not
 * search the tuple descriptor by name for every column of every row.  A
 * direct-mapped cache: a collision just means a fresh lookup.  Entries are
 * keyed by the table's OID and column count, so a re-created or altered
 * table is looked up again.
 */
#define ATTNUM_CACHE_SIZE 4096
typedef struct AttnumCacheEntry
{
	Oid			relid;
	int			natts;
	const char *colptr;			/* the caller's string (usually a constant) */
	int			attnum;
	char		name[NAMEDATALEN];
} AttnumCacheEntry;

static AttnumCacheEntry attnum_cache[ATTNUM_CACHE_SIZE];

/*
 * LookupAttnum returns the attribute number of a column through the cache,
 * or 0 when the table has no such column.
 */
static int
LookupAttnum(const char *colname, Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	TupleDesc	desc = RelationGetDescr(rel);
	uint32		h = murmurhash32((uint32) (uintptr_t) colname ^ ((uint32) relid * 2654435761u));
	AttnumCacheEntry *e = &attnum_cache[h % ATTNUM_CACHE_SIZE];
	int			attnum;

	if (e->relid == relid && e->natts == desc->natts &&
		(e->colptr == colname || strcmp(e->name, colname) == 0))
	{
		Form_pg_attribute att = TupleDescAttr(desc, e->attnum - 1);

		/* still that column (not renamed or dropped since)? */
		if (!att->attisdropped && strcmp(NameStr(att->attname), colname) == 0)
			return e->attnum;
	}

	attnum = SPI_fnumber(desc, colname);
	if (attnum <= 0)
		return 0;
	e->relid = relid;
	e->natts = desc->natts;
	e->colptr = colname;
	e->attnum = attnum;
	strlcpy(e->name, colname, NAMEDATALEN);
	return attnum;
}

/*
 * CrHasColumn tells whether the table has the column (columns added by a
 * later version of the extension are absent until ALTER EXTENSION UPDATE).
 */
bool
CrHasColumn(Relation rel, const char *colname)
{
	return LookupAttnum(colname, rel) > 0;
}

/*
 * CrAttnum returns the attribute number of a column, or raises an error
 * naming the table when the column is missing.
 */
int
CrAttnum(Relation rel, const char *colname)
{
	int			attnum = LookupAttnum(colname, rel);

	if (attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation \"%s\" does not exist",
						colname, RelationGetRelationName(rel))));
	return attnum;
}

/*
 * The last rows taken apart.  Two: a BEFORE UPDATE trigger reads the old
 * and the new row in turn.
 */
typedef struct DeformedRow
{
	HeapTupleHeader data;		/* the row's address ... */
	uint32		len;			/* ... length ... */
	Oid			relid;			/* ... and table */
	int			natts;
	char	   *copy;			/* its bytes, to recognise it */
	Datum	   *values;			/* by-reference values point into data */
	bool	   *nulls;
	int			cap_natts;
	uint32		cap_len;
} DeformedRow;

static DeformedRow deformed[2];
static int	deformed_next = 0;

static DeformedRow *
Deform(HeapTuple tuple, Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	DeformedRow *d;

	for (int i = 0; i < 2; i++)
	{
		d = &deformed[i];
		if (d->data == tuple->t_data && d->len == tuple->t_len && d->relid == RelationGetRelid(rel) &&
			d->natts == desc->natts && memcmp(d->copy, tuple->t_data, tuple->t_len) == 0)
			return d;
	}
	d = &deformed[deformed_next];
	deformed_next = (deformed_next + 1) % 2;
	if (d->cap_natts < desc->natts)
	{
		if (d->values)
		{
			pfree(d->values);
			pfree(d->nulls);
		}
		d->cap_natts = Max(desc->natts, 64);
		d->values = MemoryContextAlloc(TopMemoryContext, sizeof(Datum) * d->cap_natts);
		d->nulls = MemoryContextAlloc(TopMemoryContext, sizeof(bool) * d->cap_natts);
	}
	if (d->cap_len < tuple->t_len)
	{
		if (d->copy)
			pfree(d->copy);
		d->cap_len = Max(tuple->t_len, 1024);
		d->copy = MemoryContextAlloc(TopMemoryContext, d->cap_len);
	}
	d->data = NULL;				/* not valid until deformed */
	heap_deform_tuple(tuple, desc, d->values, d->nulls);
	memcpy(d->copy, tuple->t_data, tuple->t_len);
	d->data = tuple->t_data;
	d->len = tuple->t_len;
	d->relid = RelationGetRelid(rel);
	d->natts = desc->natts;
	return d;
}

/*
 * CrGetDatum returns a column of a row (by reference types point into the
 * row).
 */
Datum
CrGetDatum(HeapTuple tuple, Relation rel, const char *colname, bool *isnull)
{
	int			attnum = CrAttnum(rel, colname);
	DeformedRow *d = Deform(tuple, rel);

	*isnull = d->nulls[attnum - 1];
	return *isnull ? (Datum) 0 : d->values[attnum - 1];
}

/* Output functions of non-text columns, by type. */
#define OUTPUT_CACHE_SIZE 8
typedef struct OutputCacheEntry
{
	Oid			typid;
	FmgrInfo	finfo;
} OutputCacheEntry;

static OutputCacheEntry output_cache[OUTPUT_CACHE_SIZE];
static int	output_cache_used = 0;
static bool output_cache_callback = false;

static void
ForgetOutputFunctions(Datum arg, int cacheid, uint32 hashvalue)
{
	output_cache_used = 0;
}

static char *
OutputText(Oid typid, Datum value)
{
	OutputCacheEntry *e = NULL;

	for (int i = 0; i < output_cache_used; i++)
	{
		if (output_cache[i].typid == typid)
		{
			e = &output_cache[i];
			break;
		}
	}
	if (e == NULL)
	{
		Oid			outfunc;
		bool		varlena;

		getTypeOutputInfo(typid, &outfunc, &varlena);
		if (!output_cache_callback)
		{
			CacheRegisterSyscacheCallback(TYPEOID, ForgetOutputFunctions, (Datum) 0);
			output_cache_callback = true;
		}
		if (output_cache_used >= OUTPUT_CACHE_SIZE)
			output_cache_used = 0;
		e = &output_cache[output_cache_used];
		fmgr_info_cxt(outfunc, &e->finfo, TopMemoryContext);
		e->typid = typid;
		output_cache_used++;
	}
	return OutputFunctionCall(&e->finfo, value);
}

/*
 * CrGetText returns a column (text, or any type through its output
 * function, e.g. an enum) as a palloc'd C string, or NULL.
 */
char *
CrGetText(HeapTuple tuple, Relation rel, const char *colname)
{
	int			attnum = CrAttnum(rel, colname);
	TupleDesc	desc = RelationGetDescr(rel);
	bool		isnull;
	Datum		d = CrGetDatum(tuple, rel, colname, &isnull);
	Oid			typid = TupleDescAttr(desc, attnum - 1)->atttypid;

	if (isnull)
		return NULL;
	if (typid == TEXTOID)
		return TextDatumGetCString(d);
	return OutputText(typid, d);
}

/*
 * CrGetBool returns a boolean column; NULL reads as false.
 */
bool
CrGetBool(HeapTuple tuple, Relation rel, const char *colname)
{
	bool		isnull;
	Datum		d = CrGetDatum(tuple, rel, colname, &isnull);

	return isnull ? false : DatumGetBool(d);
}

/*
 * CrGetInt64 returns a bigint column.
 */
int64
CrGetInt64(HeapTuple tuple, Relation rel, const char *colname, bool *isnull)
{
	Datum		d = CrGetDatum(tuple, rel, colname, isnull);

	return *isnull ? 0 : DatumGetInt64(d);
}

/*
 * CrGetInt32 returns an integer column (NULL reads as 0).
 */
int32
CrGetInt32(HeapTuple tuple, Relation rel, const char *colname)
{
	bool		isnull;
	Datum		d = CrGetDatum(tuple, rel, colname, &isnull);

	return isnull ? 0 : DatumGetInt32(d);
}

/*
 * CrSetDatum records a new value for a column of the returned row.
 */
void
CrSetDatum(CrRowChanges *changes, Relation rel, const char *colname, Datum value, bool isnull)
{
	int			attnum = CrAttnum(rel, colname);
	int			i;

	for (i = 0; i < changes->n; i++)
	{
		if (changes->attnums[i] == attnum)
		{
			changes->values[i] = value;
			changes->isnull[i] = isnull;
			return;
		}
	}
	if (changes->n >= CR_MAX_CHANGES)
		elog(ERROR, "too many column changes in one trigger call");
	changes->attnums[changes->n] = attnum;
	changes->values[changes->n] = value;
	changes->isnull[changes->n] = isnull;
	changes->n++;
}

/*
 * CrSetText records a new text value (NULL for SQL NULL).
 */
void
CrSetText(CrRowChanges *changes, Relation rel, const char *colname, const char *value)
{
	CrSetDatum(changes, rel, colname,
			   value ? CStringGetTextDatum(value) : (Datum) 0, value == NULL);
}

/*
 * CrApplyChanges builds the row to return from the original and the changes.
 */
HeapTuple
CrApplyChanges(HeapTuple tuple, Relation rel, CrRowChanges *changes)
{
	if (changes->n == 0)
		return tuple;
	return heap_modify_tuple_by_cols(tuple, RelationGetDescr(rel), changes->n,
									 changes->attnums, changes->values, changes->isnull);
}

/*
 * CrTrimmedOrNull trims ASCII white space from both ends; an empty result
 * becomes NULL.
 */
char *
CrTrimmedOrNull(const char *s)
{
	const char *start;
	const char *end;

	if (s == NULL)
		return NULL;
	start = s;
	while (*start && isspace((unsigned char) *start))
		start++;
	end = start + strlen(start);
	while (end > start && isspace((unsigned char) end[-1]))
		end--;
	if (end == start)
		return NULL;
	return pnstrdup(start, end - start);
}

/*
 * CrTextEqual compares two possibly-NULL strings.
 */
bool
CrTextEqual(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}
