/*
 * trigger_support.c
 *		Helpers shared by the C triggers of client_registry.
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
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"

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
#define ATTNUM_CACHE_SIZE 512
typedef struct AttnumCacheEntry
{
	Oid			relid;
	int			natts;
	int			attnum;
	char		name[NAMEDATALEN];
} AttnumCacheEntry;

static AttnumCacheEntry attnum_cache[ATTNUM_CACHE_SIZE];

/*
 * LookupAttnum returns the attribute number of a column through the cache,
 * or 0 when the table has no such column.
 */
static int
LookupAttnum(Relation rel, const char *colname)
{
	Oid			relid = RelationGetRelid(rel);
	int			natts = RelationGetDescr(rel)->natts;
	uint32		h = hash_bytes((const unsigned char *) colname, strlen(colname)) ^ (uint32) relid;
	AttnumCacheEntry *e = &attnum_cache[h % ATTNUM_CACHE_SIZE];
	int			attnum;

	if (e->relid == relid && e->natts == natts && strcmp(e->name, colname) == 0)
	{
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), e->attnum - 1);

		/* still that column (not renamed or dropped since)? */
		if (!att->attisdropped && strcmp(NameStr(att->attname), colname) == 0)
			return e->attnum;
	}

	attnum = SPI_fnumber(RelationGetDescr(rel), colname);
	if (attnum <= 0)
		return 0;
	e->relid = relid;
	e->natts = natts;
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
	return LookupAttnum(rel, colname) > 0;
}

/*
 * CrAttnum returns the attribute number of a column, or raises an error
 * naming the table when the column is missing.
 */
int
CrAttnum(Relation rel, const char *colname)
{
	int			attnum = LookupAttnum(rel, colname);

	if (attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation \"%s\" does not exist",
						colname, RelationGetRelationName(rel))));
	return attnum;
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
	Datum		d = heap_getattr(tuple, attnum, desc, &isnull);

	if (isnull)
		return NULL;
	if (TupleDescAttr(desc, attnum - 1)->atttypid == TEXTOID)
		return TextDatumGetCString(d);
	return SPI_getvalue(tuple, desc, attnum);
}

/*
 * CrGetBool returns a boolean column; NULL reads as false.
 */
bool
CrGetBool(HeapTuple tuple, Relation rel, const char *colname)
{
	bool		isnull;
	Datum		d = heap_getattr(tuple, CrAttnum(rel, colname), RelationGetDescr(rel), &isnull);

	return isnull ? false : DatumGetBool(d);
}

/*
 * CrGetInt64 returns a bigint column.
 */
int64
CrGetInt64(HeapTuple tuple, Relation rel, const char *colname, bool *isnull)
{
	Datum		d = heap_getattr(tuple, CrAttnum(rel, colname), RelationGetDescr(rel), isnull);

	return *isnull ? 0 : DatumGetInt64(d);
}

/*
 * CrGetInt32 returns an integer column (NULL reads as 0).
 */
int32
CrGetInt32(HeapTuple tuple, Relation rel, const char *colname)
{
	bool		isnull;
	Datum		d = heap_getattr(tuple, CrAttnum(rel, colname), RelationGetDescr(rel), &isnull);

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
