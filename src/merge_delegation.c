/*
 * merge_delegation.c
 *		merge_clients(), merge_preview() and unmerge() on a Citus cluster:
 *		run on the worker that holds the tenant (issue #17).
 *
 * A merge reads and rewrites rows of every table that references clients,
 * dozens of statements per merged client.  Run from the coordinator, each
 * of them would be a distributed query (a round trip, and a statement Citus
 * must be able to route), and the row triggers on the workers would learn
 * only from a token that the change is the registry's own.  Instead each
 * operation has a twin that takes the tenant first --
 *
 *		merge_clients_at(tenant, keep, merged, force)
 *		merge_preview_at(tenant, keep, merged, force)
 *		unmerge_at(tenant, merge_id)
 *
 * -- which citus_distribute() makes a distributed function, distributed by
 * its tenant argument, co-located with client and force-delegated: Citus
 * runs the call on the worker that holds the tenant's shard group, inside
 * the caller's distributed transaction (the SET LOCAL of the tenant comes
 * with it).  There the twin anchors the run on the tenant's client shard,
 * and every statement of the merge is rewritten for the shards co-located
 * with it (shard_map.c): the merge runs as on one node, against plain local
 * tables, in one backend, so the triggers it fires on the shards see the
 * depth counters of trigger_support.c.  The journal keeps the logical table
 * and constraint names, so unmerge (run the same way) finds the rows again,
 * and a journal is the same on one node and on Citus.
 *
 * User tables that reference client: a table distributed by tenant_id and
 * co-located with client has shards beside the tenant's client shard with
 * their foreign keys, so the merge finds and re-points them as on one node.
 * A user table that is not distributed co-located cannot have a foreign key
 * to client on Citus, so the merge does not see it (docs/citus.md).
 *
 * The twins check that the tenant they are given is the session's
 * (client_registry.tenant, whose membership CrCurrentTenant() checks):
 * 42501 otherwise.  EXECUTE on them is revoked from PUBLIC like the
 * functions they serve (docs/security.md has the GRANT recipe).
 *
 * On one node MergeDelegates() is false after one comparison
 * (CrCitusLoaded, cached per transaction) and MergeSql returns its argument:
 * nothing else of this file runs.
 */
#include "postgres.h"

#include "access/relation.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "catalog/namespace.h"

#include "client_registry.h"
#include "merge_clients.h"
#include "shard_map.h"
#include "spi_support.h"

/* the tenant's client shard while a twin runs on the worker that holds it */
static Relation merge_anchor = NULL;

/* statements rewritten for the anchor's shards, per run */
typedef struct LocalizedSql
{
	uint32		hash;
	char	   *sql;
	char	   *localized;
} LocalizedSql;

static List *sql_cache = NIL;

bool
MergeAnchored(void)
{
	return merge_anchor != NULL;
}

void
MergeResetSqlCache(void)
{
	sql_cache = NIL;
}

/*
 * MergeSql: sql, or on the worker sql rewritten for the tenant's shards.
 * Called with SPI connected; the rewrite's own lookups run in a nested SPI
 * connection, so they leave the caller's SPI_tuptable alone.
 */
const char *
MergeSql(const char *sql)
{
	uint32		h;
	ListCell   *lc;
	LocalizedSql *c;
	MemoryContext caller;
	char	   *localized;

	if (merge_anchor == NULL)
		return sql;
	h = hash_bytes((const unsigned char *) sql, strlen(sql));
	foreach(lc, sql_cache)
	{
		c = (LocalizedSql *) lfirst(lc);
		if (c->hash == h && strcmp(c->sql, sql) == 0)
			return c->localized;
	}
	caller = CurrentMemoryContext;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	localized = CrLocalizeSql(merge_anchor, sql);
	MemoryContextSwitchTo(caller);
	c = palloc(sizeof(LocalizedSql));
	c->hash = h;
	c->sql = pstrdup(sql);
	c->localized = pstrdup(localized);
	SPI_finish();
	MemoryContextSwitchTo(caller);
	sql_cache = lappend(sql_cache, c);
	return c->localized;
}

/* SPI_execute_with_args of MergeSql(sql). */
int
MergeSpiRun(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls,
			bool read_only, long tcount)
{
	return SPI_execute_with_args(MergeSql(sql), nargs, types, values, nulls, read_only, tcount);
}

/* client_registry.<table>, or its shard beside the anchor. */
Oid
MergeTableRelid(const char *table)
{
	Oid			relid;

	if (merge_anchor != NULL)
		return CrColocatedRelid(merge_anchor, table);
	relid = get_relname_relid(table, get_namespace_oid(CR_SCHEMA, false));
	if (!OidIsValid(relid))
		elog(ERROR, "table %s.%s is missing", CR_SCHEMA, table);
	return relid;
}

/*
 * MergeShardOf: the shard of a logical table (any schema) beside the anchor;
 * the table itself when it is not distributed co-located (it then has no
 * rows of the merge here).
 */
Oid
MergeShardOf(Oid logical_relid)
{
	Oid			relid;

	if (merge_anchor == NULL)
		return logical_relid;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	relid = CrColocatedShardOf(merge_anchor, logical_relid);
	SPI_finish();
	return OidIsValid(relid) ? relid : logical_relid;
}

/* The constraint's name on the logical table (relid may be a shard). */
char *
MergeLogicalConstraint(Oid relid, const char *name)
{
	Relation	rel = relation_open(relid, AccessShareLock);
	char	   *logical = CrLogicalObjectName(rel, name);

	relation_close(rel, AccessShareLock);
	return logical;
}

/*
 * MergeNextId: nextval of client_registry.<sequence>, drawn as the owner of
 * the registry's tables (the caller may insert without USAGE on it, as the
 * identity default allows on one node).  SPI connected.
 */
int64
MergeNextId(const char *sequence)
{
	CrUserSwitch sw;
	Relation	rel = merge_anchor;
	bool		isnull;
	int64		id;
	int			ret;

	if (rel == NULL)
		elog(ERROR, "MergeNextId is for a run on a worker");
	CrBecomeOwner(rel, &sw);
	ret = SPI_execute(psprintf("SELECT pg_catalog.nextval(%s::pg_catalog.regclass)",
							   quote_literal_cstr(psprintf("%s.%s", CR_SCHEMA, quote_identifier(sequence)))),
					  false, 1);
	CrRestoreUser(&sw);
	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "nextval of %s failed", sequence);
	id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	return id;
}

/*
 * MergeDelegates: on a Citus node where the registry is distributed, the
 * operations go to their twins.  False on one node (one cached comparison).
 */
bool
MergeDelegates(void)
{
	bool		distributed = false;

	if (!CrCitusLoaded() || merge_anchor != NULL)
		return false;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT 1 FROM pg_catalog.pg_dist_partition p"
					" WHERE p.logicalrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass('client_registry.client')"
					"   AND p.partmethod OPERATOR(pg_catalog.=) 'h'", true, 1) == SPI_OK_SELECT)
		distributed = SPI_processed == 1;
	SPI_finish();
	return distributed;
}

/* '{1,2,3}' of a bigint[] (numbers only: safe to splice into SQL). */
static char *
IdList(ArrayType *merged)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	StringInfoData s;

	deconstruct_array(merged, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, &n);
	initStringInfo(&s);
	appendStringInfoString(&s, "'{");
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			appendStringInfo(&s, "%sNULL", i > 0 ? "," : "");
		else
			appendStringInfo(&s, "%s" INT64_FORMAT, i > 0 ? "," : "", DatumGetInt64(elems[i]));
	}
	appendStringInfoString(&s, "}'::pg_catalog.int8[]");
	return s.data;
}

/*
 * The calls to the twins: constants only, in the FROM clause, so that Citus
 * delegates them inside the caller's transaction block (force_delegation).
 */
int64
MergeClientsDelegate(int64 survivor, ArrayType *merged, bool force)
{
	int32		tenant = CrCurrentTenant();
	int64		merge_id = 0;
	bool		isnull;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(psprintf("SELECT * FROM client_registry.merge_clients_at(%d, " INT64_FORMAT ", %s, %s)",
							 tenant, survivor, IdList(merged), force ? "true" : "false"),
					false, 0) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "merge_clients_at failed");
	merge_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	return merge_id;
}

Datum
MergePreviewDelegate(FunctionCallInfo fcinfo, int64 survivor, ArrayType *merged, bool force)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int32		tenant = CrCurrentTenant();
	MemoryContext caller = CurrentMemoryContext;

	InitMaterializedSRF(fcinfo, 0);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(psprintf("SELECT * FROM client_registry.merge_preview_at(%d, " INT64_FORMAT ", %s, %s)",
							 tenant, survivor, IdList(merged), force ? "true" : "false"),
					false, 0) != SPI_OK_SELECT)
		elog(ERROR, "merge_preview_at failed");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		Datum		values[7];
		bool		nulls[7];
		MemoryContext old;

		heap_deform_tuple(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, values, nulls);
		old = MemoryContextSwitchTo(caller);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	return (Datum) 0;
}

int64
UnmergeDelegate(int32 tenant, int64 merge_id)
{
	int64		restored;
	bool		isnull;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(psprintf("SELECT * FROM client_registry.unmerge_at(%d, " INT64_FORMAT ")", tenant, merge_id),
					false, 0) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "unmerge_at failed");
	restored = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	return restored;
}

/*
 * CheckTwinTenant: a twin works in the session's tenant only.
 */
static void
CheckTwinTenant(const char *fn, int32 tenant)
{
	int32		current = CrCurrentTenant();

	if (tenant != current)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("%s was called for tenant %d, but this transaction works in tenant %d",
						fn, tenant, current),
				 errdetail("The functions *_at(tenant, ...) run merge_clients, merge_preview and unmerge on the Citus worker that holds the tenant; they serve the session's tenant only."),
				 errhint("Call merge_clients(), merge_preview() or unmerge() instead; they pass the session's tenant.")));
}

/*
 * MergeAnchorOn: anchors the run on the tenant's client shard when it is on
 * this node; returns whether it did.  Without a local shard (the twin was
 * not delegated, for example before citus_distribute() distributed it) the
 * run goes over the logical tables, from here.  The import's twin
 * (import_delegation.c) anchors its run the same way.
 */
bool
MergeAnchorOn(int32 tenant)
{
	Oid			shard;

	if (!CrCitusLoaded())
		return false;
	shard = CrTenantShardRelid("client", tenant);
	/* not placed here: CrTenantShardRelid answers the logical table */
	if (shard == get_relname_relid("client", get_namespace_oid(CR_SCHEMA, false)))
		return false;
	merge_anchor = relation_open(shard, AccessShareLock);
	return true;
}

void
MergeUnanchor(bool anchored, bool ok)
{
	if (!anchored)
		return;
	if (ok)
		relation_close(merge_anchor, NoLock);
	merge_anchor = NULL;		/* on error the resource owner releases it */
}

/* What a twin runs once anchored: merge, preview or unmerge. */
typedef enum TwinRun
{
	TWIN_MERGE,
	TWIN_PREVIEW,
	TWIN_UNMERGE
} TwinRun;

/*
 * RunTwin runs one twin for the session's tenant: checks the tenant,
 * anchors on its client shard for the run, and lets the anchor go on error
 * too.  Returns the merge id (merge), the rows restored (unmerge) or 0.
 */
static int64
RunTwin(FunctionCallInfo fcinfo, const char *fn, TwinRun run)
{
	int32		tenant = PG_GETARG_INT32(0);
	volatile int64 result = 0;
	bool		anchored;

	CheckTwinTenant(fn, tenant);
	anchored = MergeAnchorOn(tenant);
	PG_TRY();
	{
		switch (run)
		{
			case TWIN_MERGE:
				result = MergeClientsRun(PG_GETARG_INT64(1), PG_GETARG_ARRAYTYPE_P(2), PG_GETARG_BOOL(3));
				break;
			case TWIN_PREVIEW:
				(void) MergePreviewRun(fcinfo, PG_GETARG_INT64(1), PG_GETARG_ARRAYTYPE_P(2), PG_GETARG_BOOL(3));
				break;
			case TWIN_UNMERGE:
				result = UnmergeRun(PG_GETARG_INT64(1));
				break;
		}
	}
	PG_CATCH();
	{
		MergeUnanchor(anchored, false);
		PG_RE_THROW();
	}
	PG_END_TRY();
	MergeUnanchor(anchored, true);
	return result;
}

PG_FUNCTION_INFO_V1(cr_merge_clients_at);

/* merge_clients_at(tenant, keep, merged, force) */
Datum
cr_merge_clients_at(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(RunTwin(fcinfo, "merge_clients_at()", TWIN_MERGE));
}

PG_FUNCTION_INFO_V1(cr_merge_preview_at);

/* merge_preview_at(tenant, keep, merged, force) */
Datum
cr_merge_preview_at(PG_FUNCTION_ARGS)
{
	(void) RunTwin(fcinfo, "merge_preview_at()", TWIN_PREVIEW);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(cr_unmerge_at);

/* unmerge_at(tenant, merge_id) */
Datum
cr_unmerge_at(PG_FUNCTION_ARGS)
{
	int64		restored = RunTwin(fcinfo, "unmerge_at()", TWIN_UNMERGE);

	PG_RETURN_INT32((int32) Min(restored, PG_INT32_MAX));
}
