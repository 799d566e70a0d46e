/*
 * activity_feed.c
 *		The activity feed of a client (R5.6): every creation, change and
 *		deletion of the card and of anything linked to it, with who did it,
 *		when, and what changed, written by a trigger whatever application
 *		made the change.
 *
 * One AFTER ... FOR EACH STATEMENT trigger per table and event, with
 * transition tables (REFERENCING NEW TABLE AS cr_new / OLD TABLE AS
 * cr_old).  The C code walks the transition tables itself: for an UPDATE the
 * old and new tuplestores hold the rows in the same order (PostgreSQL adds
 * each pair together), so the n-th old row is the n-th new row's previous
 * version.  Each column is compared in binary (datumIsEqual); only the
 * columns whose value changed go into the entry, as two JSON objects
 * {column: value} of old and new values.  An INSERT records the new row's
 * non-null columns, a DELETE the old row's.  An UPDATE that changed nothing
 * but updated_at / version leaves no entry.
 *
 * The entries are written by INSERT ... SELECT FROM unnest(arrays) through a
 * saved plan, 10,000 per INSERT, as the table owner (the feed is the
 * registry's own bookkeeping: applications only read it).
 *
 * Trigger argument 0: the column that holds the client id ('id' on client,
 * 'client_id' elsewhere).  Who: the current role (current_user) -- the
 * application user, see README "Users and departments".
 *
 * Bulk inserts (issue #15): an INSERT or COPY of client_registry.feed_bulk_rows
 * rows or more (1,000 by default; 0 turns it off) is recorded as ONE entry per
 * statement and tenant: who, when, how many rows (bulk_rows), and the ids of
 * the rows and of their clients as int8multiranges (row_ids, client_ids).  The
 * transition table is read once into an array of (tenant, id, client), sorted
 * by tenant and id, and each tenant's ids and client ids are written as the
 * text of a multirange ("{[1,1001),[1005,1006)}": a load of consecutive ids is
 * one range).  When every row of a tenant belongs to one client, the entry's
 * client_id is that client.  The inserted values are not copied: they are the
 * rows themselves, and every later change has its own entry with the old
 * values.  Smaller statements, UPDATE and DELETE are recorded row by row.
 * With the module newer than the SQL (0.3.0 objects, before ALTER EXTENSION
 * UPDATE) activity_feed has no bulk columns and every row is recorded.
 *
 * No row collector (issue #15, measured): a bulk statement's rows still pass
 * through the transition table PostgreSQL fills for this statement trigger
 * (a tuplestore, spilling past work_mem).  A row-level trigger collecting
 * (tenant, id, client) would avoid that copy but costs a trigger call per
 * row, and on client the dictionary trigger needs the transition table
 * anyway (one capture serves both).  perf on a COPY of 100,000 clients,
 * addresses and bank accounts: the capture 1.1 % of the backend's samples,
 * this trigger 0.6 %.  (The feed's "50 %" once reported was measured on a
 * stale library, bench/RESULTS.md "Bulk load".)
 *
 * Restore mode (row_security = off, as pg_dump's scripts set it): nothing is
 * recorded, the restore loads the feed as it was dumped.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/tuplestore.h"

#include "client_registry.h"
#include "spi_support.h"
#include "internal_change.h"
#include "shard_map.h"
#include "trigger_support.h"

/* Columns whose change alone is not an activity. */
static bool
IgnoredColumn(const char *name)
{
	return strcmp(name, "updated_at") == 0 || strcmp(name, "version") == 0;
}

/* Output function per column, looked up once per statement. */
typedef struct FeedColumns
{
	int			natts;
	FmgrInfo   *out;
	char	  **kind;			/* 'n' number, 'b' boolean, 'j' json, 's' string */
	bool	   *skip;
} FeedColumns;

static void
FeedColumnsInit(FeedColumns *fc, TupleDesc desc)
{
	fc->natts = desc->natts;
	fc->out = palloc0(sizeof(FmgrInfo) * desc->natts);
	fc->kind = palloc0(sizeof(char *) * desc->natts);
	fc->skip = palloc0(sizeof(bool) * desc->natts);
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		Oid			outfn;
		bool		isvarlena;

		if (att->attisdropped || IgnoredColumn(NameStr(att->attname)))
		{
			fc->skip[i] = true;
			continue;
		}
		getTypeOutputInfo(att->atttypid, &outfn, &isvarlena);
		fmgr_info(outfn, &fc->out[i]);
		switch (att->atttypid)
		{
			case INT2OID:
			case INT4OID:
			case INT8OID:
			case NUMERICOID:
				fc->kind[i] = "n";
				break;
			case BOOLOID:
				fc->kind[i] = "b";
				break;
			case JSONOID:
			case JSONBOID:
				fc->kind[i] = "j";
				break;
			default:
				fc->kind[i] = "s";
		}
	}
}

/* Appends "name": value to a JSON object under construction. */
static void
AppendJsonField(StringInfo buf, FeedColumns *fc, TupleDesc desc, int i, Datum value, bool isnull)
{
	Form_pg_attribute att = TupleDescAttr(desc, i);

	appendStringInfoChar(buf, buf->len == 0 ? '{' : ',');
	escape_json(buf, NameStr(att->attname));
	appendStringInfoChar(buf, ':');
	if (isnull)
	{
		appendStringInfoString(buf, "null");
		return;
	}
	{
		char	   *s = OutputFunctionCall(&fc->out[i], value);

		if (fc->kind[i][0] == 'b')
			appendStringInfoString(buf, s[0] == 't' ? "true" : "false");
		else if (fc->kind[i][0] == 'j' ||
				 (fc->kind[i][0] == 'n' && strcmp(s, "NaN") != 0 && strstr(s, "Infinity") == NULL))
			appendStringInfoString(buf, s);
		else
			escape_json(buf, s);
	}
}

/*
 * A statement's entries, collected as arrays and written FEED_BATCH at a time
 * with one INSERT each (a COPY of a million rows does not hold a million
 * entries in memory).
 */
#define FEED_BATCH 10000

typedef struct FeedBatch
{
	MemoryContext cxt;			/* the arrays; reset after each write */
	ArrayBuildState *tenants;
	ArrayBuildState *clients;
	ArrayBuildState *rows;
	ArrayBuildState *olds;
	ArrayBuildState *news;
	int			n;
	Relation	rel;
	const char *action;
	const char *who;
} FeedBatch;

/*
 * The id is taken from the sequence explicitly: the same as the identity
 * default on one node, and on a Citus worker (a shard has no identity
 * default) from the worker's own range (citus_distribute()).
 */
static const char *const feed_insert_sql =
"INSERT INTO client_registry.activity_feed"
" (id, tenant_id, client_id, table_name, row_id, action, changed_by, old_values, new_values)"
" SELECT pg_catalog.nextval('client_registry.activity_feed_id_seq'::pg_catalog.regclass),"
"        u.t, u.c, $6, u.r, $7, $8, u.o::pg_catalog.jsonb, u.n::pg_catalog.jsonb"
"   FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), pg_catalog.unnest($3),"
"                   pg_catalog.unnest($4), pg_catalog.unnest($5)) AS u(t, c, r, o, n)";

static SPIPlanPtr feed_plan = NULL;

/* Writes the collected entries (SPI is connected) and starts a new batch. */
static void
FeedFlush(FeedBatch *b)
{
	Datum		values[8];
	char		nulls[8] = "        ";
	CrUserSwitch sw;
	SPIPlanPtr	plan;
	int			ret;

	if (b->n == 0)
		return;
	{
		Oid			types[8] = {INT4ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, TEXTARRAYOID,
		TEXTARRAYOID, TEXTOID, TEXTOID, TEXTOID};

		/* on a Citus worker: the activity_feed shard beside the trigger's */
		plan = CrKeepPlanAt(b->rel, &feed_plan, feed_insert_sql, 8, types);
	}
	values[0] = makeArrayResult(b->tenants, b->cxt);
	values[1] = makeArrayResult(b->clients, b->cxt);
	values[2] = makeArrayResult(b->rows, b->cxt);
	values[3] = makeArrayResult(b->olds, b->cxt);
	values[4] = makeArrayResult(b->news, b->cxt);
	values[5] = CStringGetTextDatum(CrLogicalName(b->rel));	/* never a shard's name */
	values[6] = CStringGetTextDatum(b->action);
	values[7] = CStringGetTextDatum(b->who);

	/* the feed is the registry's own bookkeeping: the owner writes it */
	CrBecomeOwner(b->rel, &sw);
	ret = SPI_execute_plan(plan, values, nulls, false, 0);
	CrRestoreUser(&sw);
	if (ret != SPI_OK_INSERT)
		elog(ERROR, "writing the activity feed failed: %s", SPI_result_code_string(ret));

	MemoryContextReset(b->cxt);
	b->tenants = b->clients = b->rows = b->olds = b->news = NULL;
	b->n = 0;
}

static void
FeedAdd(FeedBatch *b, Datum tenant, bool tenant_null, Datum client, bool client_null,
		Datum row, bool row_null, StringInfo oldv, StringInfo newv)
{
	if (oldv != NULL && oldv->len > 0)
		appendStringInfoChar(oldv, '}');
	if (newv != NULL && newv->len > 0)
		appendStringInfoChar(newv, '}');
	b->tenants = accumArrayResult(b->tenants, tenant, tenant_null, INT4OID, b->cxt);
	b->clients = accumArrayResult(b->clients, client, client_null, INT8OID, b->cxt);
	b->rows = accumArrayResult(b->rows, row, row_null, INT8OID, b->cxt);
	b->olds = accumArrayResult(b->olds,
							   oldv != NULL && oldv->len > 0 ? CStringGetTextDatum(oldv->data) : (Datum) 0,
							   oldv == NULL || oldv->len == 0, TEXTOID, b->cxt);
	b->news = accumArrayResult(b->news,
							   newv != NULL && newv->len > 0 ? CStringGetTextDatum(newv->data) : (Datum) 0,
							   newv == NULL || newv->len == 0, TEXTOID, b->cxt);
	if (++b->n >= FEED_BATCH)
		FeedFlush(b);
}

/* Records every row of one transition table (INSERT: new rows, DELETE: old rows). */
static void
FeedWholeRows(FeedBatch *b, Tuplestorestate *ts, TupleDesc desc, FeedColumns *fc,
			  int att_tenant, int att_client, int att_id, bool as_new)
{
	TupleTableSlot *slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	MemoryContext rowcxt = AllocSetContextCreate(CurrentMemoryContext, "activity feed row",
												 ALLOCSET_DEFAULT_SIZES);

	tuplestore_rescan(ts);
	while (tuplestore_gettupleslot(ts, true, false, slot))
	{
		bool		tn,
					cn,
					rn;
		Datum		tenant = slot_getattr(slot, att_tenant, &tn);
		Datum		client = slot_getattr(slot, att_client, &cn);
		Datum		row = slot_getattr(slot, att_id, &rn);
		MemoryContext old;
		StringInfoData buf;

		CHECK_FOR_INTERRUPTS();
		old = MemoryContextSwitchTo(rowcxt);
		initStringInfo(&buf);
		slot_getallattrs(slot);
		for (int i = 0; i < desc->natts; i++)
			if (!fc->skip[i] && !slot->tts_isnull[i])
				AppendJsonField(&buf, fc, desc, i, slot->tts_values[i], false);
		if (buf.len == 0)
			appendStringInfoChar(&buf, '{');
		FeedAdd(b, tenant, tn, client, cn, row, rn, as_new ? NULL : &buf, as_new ? &buf : NULL);
		MemoryContextSwitchTo(old);
		MemoryContextReset(rowcxt);
	}
	ExecDropSingleTupleTableSlot(slot);
	MemoryContextDelete(rowcxt);
}

/* Records the changed columns of every updated row. */
static void
FeedChangedRows(FeedBatch *b, Tuplestorestate *olds, Tuplestorestate *news, TupleDesc desc,
				FeedColumns *fc, int att_tenant, int att_client, int att_id)
{
	TupleTableSlot *os = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	TupleTableSlot *ns = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	MemoryContext rowcxt = AllocSetContextCreate(CurrentMemoryContext, "activity feed row",
												 ALLOCSET_DEFAULT_SIZES);

	tuplestore_rescan(olds);
	tuplestore_rescan(news);
	while (tuplestore_gettupleslot(olds, true, false, os) &&
		   tuplestore_gettupleslot(news, true, false, ns))
	{
		bool		tn,
					cn,
					rn;
		Datum		tenant,
					client,
					row;
		MemoryContext old;
		StringInfoData ob,
					nb;

		CHECK_FOR_INTERRUPTS();
		old = MemoryContextSwitchTo(rowcxt);
		initStringInfo(&ob);
		initStringInfo(&nb);
		slot_getallattrs(os);
		slot_getallattrs(ns);
		for (int i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att;

			if (fc->skip[i])
				continue;
			if (os->tts_isnull[i] && ns->tts_isnull[i])
				continue;
			att = TupleDescAttr(desc, i);
			if (!os->tts_isnull[i] && !ns->tts_isnull[i] &&
				datumIsEqual(os->tts_values[i], ns->tts_values[i], att->attbyval, att->attlen))
				continue;
			AppendJsonField(&ob, fc, desc, i, os->tts_values[i], os->tts_isnull[i]);
			AppendJsonField(&nb, fc, desc, i, ns->tts_values[i], ns->tts_isnull[i]);
		}
		if (nb.len > 0)			/* else nothing but bookkeeping columns changed */
		{
			tenant = slot_getattr(ns, att_tenant, &tn);
			client = slot_getattr(ns, att_client, &cn);
			row = slot_getattr(ns, att_id, &rn);
			FeedAdd(b, tenant, tn, client, cn, row, rn, &ob, &nb);
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(rowcxt);
	}
	ExecDropSingleTupleTableSlot(os);
	ExecDropSingleTupleTableSlot(ns);
	MemoryContextDelete(rowcxt);
}

/*
 * Bulk entries.  One BulkRow per inserted row: its tenant, id and client
 * (0: no client).
 */
typedef struct BulkRow
{
	int32		tenant;
	int64		id;
	int64		client;
} BulkRow;

static int
BulkCmpById(const void *a, const void *b)
{
	const BulkRow *x = a;
	const BulkRow *y = b;

	if (x->tenant != y->tenant)
		return x->tenant < y->tenant ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return 0;
}

static int
BulkCmpByClient(const void *a, const void *b)
{
	const BulkRow *x = a;
	const BulkRow *y = b;

	if (x->client != y->client)
		return x->client < y->client ? -1 : 1;
	return 0;
}

/*
 * Appends rows[from, to)'s ids (or client ids), sorted, as the text of an
 * int8multirange: runs of consecutive values are one range.  Returns how
 * many distinct values there were.
 */
static int64
AppendRanges(StringInfo buf, BulkRow *rows, int64 from, int64 to, bool by_client)
{
	int64		distinct = 0;
	bool		open = false;
	int64		lo = 0,
				hi = 0;			/* the open range is [lo, hi) */

	appendStringInfoChar(buf, '{');
	for (int64 i = from; i < to; i++)
	{
		int64		v = by_client ? rows[i].client : rows[i].id;

		if (by_client && v <= 0)
			continue;			/* a row without a client */
		if (open && v < hi)
			continue;			/* the same value again */
		distinct++;
		if (open && v == hi)
		{
			hi = v + 1;
			continue;
		}
		if (open)
			appendStringInfo(buf, "%s[" INT64_FORMAT "," INT64_FORMAT ")",
							 buf->data[buf->len - 1] == '{' ? "" : ",", lo, hi);
		open = true;
		lo = v;
		hi = v + 1;
	}
	if (open)
		appendStringInfo(buf, "%s[" INT64_FORMAT "," INT64_FORMAT ")",
						 buf->data[buf->len - 1] == '{' ? "" : ",", lo, hi);
	appendStringInfoChar(buf, '}');
	return distinct;
}

static void
SortBulkRows(BulkRow *rows, int64 n, bool by_client)
{
	if (n > 1)
		qsort(rows, n, sizeof(BulkRow), by_client ? BulkCmpByClient : BulkCmpById);
}

/*
 * Whether activity_feed has the bulk columns (0.4.0); the module may run
 * with an older version's objects until ALTER EXTENSION UPDATE.  Asked once
 * per statement that is large enough: two syscache probes.
 */
static bool
FeedHasBulkColumns(Relation rel)
{
	Oid			feed = get_relname_relid("activity_feed", RelationGetNamespace(rel));

	return OidIsValid(feed) && get_attnum(feed, "bulk_rows") != InvalidAttrNumber;
}

static const char *const feed_bulk_sql =
"INSERT INTO client_registry.activity_feed"
" (tenant_id, client_id, table_name, row_id, action, changed_by, bulk_rows, row_ids, client_ids)"
" VALUES ($1, $2, $3, NULL, 'insert', $4, $5, $6::pg_catalog.int8multirange, $7::pg_catalog.int8multirange)";

static SPIPlanPtr feed_bulk_plan = NULL;

/*
 * Records an INSERT's new rows as one bulk entry per tenant (SPI is
 * connected).
 */
static void
FeedBulkInsert(FeedBatch *b, Tuplestorestate *ts, TupleDesc desc,
			   int att_tenant, int att_client, int att_id)
{
	int64		n = tuplestore_tuple_count(ts);
	BulkRow    *rows = palloc_extended(sizeof(BulkRow) * Max(n, 1), MCXT_ALLOC_HUGE);
	TupleTableSlot *slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	int64		got = 0;
	int64		from;

	tuplestore_rescan(ts);
	while (got < n && tuplestore_gettupleslot(ts, true, false, slot))
	{
		bool		isnull;
		Datum		d;

		CHECK_FOR_INTERRUPTS();
		d = slot_getattr(slot, att_tenant, &isnull);
		rows[got].tenant = isnull ? 0 : DatumGetInt32(d);
		d = slot_getattr(slot, att_id, &isnull);
		rows[got].id = isnull ? 0 : DatumGetInt64(d);
		d = slot_getattr(slot, att_client, &isnull);
		rows[got].client = isnull ? 0 : DatumGetInt64(d);
		got++;
	}
	ExecDropSingleTupleTableSlot(slot);

	if (feed_bulk_plan == NULL)
	{
		Oid			types[7] = {INT4OID, INT8OID, TEXTOID, TEXTOID, INT8OID, TEXTOID, TEXTOID};

		feed_bulk_plan = CrKeepPlan(feed_bulk_sql, 7, types);
	}

	SortBulkRows(rows, got, false);
	for (from = 0; from < got;)
	{
		int64		to = from;
		StringInfoData ids,
					clients;
		int64		nclients;
		Datum		values[7];
		char		nulls[7] = "       ";
		CrUserSwitch sw;
		int			ret;

		while (to < got && rows[to].tenant == rows[from].tenant)
			to++;
		initStringInfo(&ids);
		initStringInfo(&clients);
		AppendRanges(&ids, rows, from, to, false);
		SortBulkRows(rows + from, to - from, true);
		nclients = AppendRanges(&clients, rows, from, to, true);

		values[0] = Int32GetDatum(rows[from].tenant);
		if (nclients == 1)		/* every row is of one client: sorted, the last has it */
			values[1] = Int64GetDatum(rows[to - 1].client);
		else
		{
			values[1] = (Datum) 0;
			nulls[1] = 'n';
		}
		values[2] = CStringGetTextDatum(RelationGetRelationName(b->rel));
		values[3] = CStringGetTextDatum(b->who);
		values[4] = Int64GetDatum(to - from);
		values[5] = CStringGetTextDatum(ids.data);
		values[6] = CStringGetTextDatum(clients.data);

		/* the feed is the registry's own bookkeeping: the owner writes it */
		CrBecomeOwner(b->rel, &sw);
		ret = SPI_execute_plan(feed_bulk_plan, values, nulls, false, 0);
		CrRestoreUser(&sw);
		if (ret != SPI_OK_INSERT)
			elog(ERROR, "writing a bulk entry of the activity feed failed: %s",
				 SPI_result_code_string(ret));
		pfree(ids.data);
		pfree(clients.data);
		from = to;
	}
	pfree(rows);
}

PG_FUNCTION_INFO_V1(cr_activity_feed_after_statement);

/*
 * cr_activity_feed_after_statement: AFTER INSERT / UPDATE / DELETE FOR EACH
 * STATEMENT, REFERENCING NEW TABLE AS cr_new and/or OLD TABLE AS cr_old.
 */
Datum
cr_activity_feed_after_statement(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_activity_feed_after_statement", false, false);
	Relation	rel = trigdata->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	const char *client_col = trigdata->tg_trigger->tgnargs > 0 ? trigdata->tg_trigger->tgargs[0] : "client_id";
	int			att_tenant = CrAttnum(rel, "tenant_id");
	int			att_client = CrAttnum(rel, client_col);
	int			att_id = CrAttnum(rel, "id");
	FeedColumns fc;
	FeedBatch	b = {0};

	if (CrRestoreInProgress())
		return PointerGetDatum(NULL);	/* restore mode: the feed is restored as dumped */
	if (CrMergeInProgress())
		return PointerGetDatum(NULL);	/* a merge records itself once (merge_clients.c) */
	if (CrErasureInProgress())
		return PointerGetDatum(NULL);	/* an erasure is journaled without the values (personal_data_erasure.c) */

	FeedColumnsInit(&fc, desc);
	b.cxt = AllocSetContextCreate(CurrentMemoryContext, "activity feed batch", ALLOCSET_DEFAULT_SIZES);
	b.rel = rel;
	b.who = GetUserNameFromId(GetUserId(), false);

	SPI_connect();
	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
	{
		b.action = "insert";
		if (trigdata->tg_newtable == NULL)
			elog(ERROR, "activity feed trigger on INSERT needs REFERENCING NEW TABLE");
		if (cr_feed_bulk_rows > 0 &&
			tuplestore_tuple_count(trigdata->tg_newtable) >= cr_feed_bulk_rows &&
			FeedHasBulkColumns(rel))
			FeedBulkInsert(&b, trigdata->tg_newtable, desc, att_tenant, att_client, att_id);
		else
			FeedWholeRows(&b, trigdata->tg_newtable, desc, &fc, att_tenant, att_client, att_id, true);
	}
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
	{
		b.action = "delete";
		if (trigdata->tg_oldtable == NULL)
			elog(ERROR, "activity feed trigger on DELETE needs REFERENCING OLD TABLE");
		FeedWholeRows(&b, trigdata->tg_oldtable, desc, &fc, att_tenant, att_client, att_id, false);
	}
	else
	{
		b.action = "update";
		if (trigdata->tg_oldtable == NULL || trigdata->tg_newtable == NULL)
			elog(ERROR, "activity feed trigger on UPDATE needs REFERENCING OLD TABLE and NEW TABLE");
		FeedChangedRows(&b, trigdata->tg_oldtable, trigdata->tg_newtable, desc, &fc,
						att_tenant, att_client, att_id);
	}
	FeedFlush(&b);
	SPI_finish();
	MemoryContextDelete(b.cxt);
	return PointerGetDatum(NULL);
}
