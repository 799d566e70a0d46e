/*
 * shard_map.c
 *		From a shard back to the registry's logical tables (issue #17).
 *
 * On a Citus cluster every tenant-scoped table is distributed by tenant_id
 * and co-located; the registry's row triggers fire on the workers, on the
 * shard (client_102008) that holds the row.  There the logical table
 * (client) is an empty shell, and a statement over it would be a nested
 * distributed query.  So a trigger's statement is rewritten for the shard it
 * fires on: every client_registry.<table> that is distributed becomes the
 * shard of that table co-located with the trigger's shard (same hash range,
 * hence the same tenant), and every reference table becomes its placement on
 * this node.  The rewritten plans are kept per shard (CrKeepPlanAt).
 *
 * What a shard is comes from Citus's metadata (pg_dist_shard, synced to
 * every node): the relation's name is <logical>_<shardid> and that shard
 * belongs to <logical>.  The answer is cached per relation and dropped on
 * relcache invalidation.
 *
 * On one node -- Citus not installed -- CrCitusLoaded() is false and every
 * function here is the identity: CrKeepPlanAt keeps one plan in the caller's
 * slot, as CrKeepPlan always did, and costs one comparison per call.
 */
#include "postgres.h"

#include <ctype.h>

#include "access/relation.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/elog.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "storage/proc.h"

#include "client_registry.h"
#include "shard_map.h"
#include "spi_support.h"

typedef struct ShardInfo
{
	Oid			relid;			/* hash key */
	bool		valid;
	bool		is_shard;
	int64		shardid;
	char		logical[NAMEDATALEN];
} ShardInfo;

typedef struct ShardPlanKey
{
	Oid			relid;
	const void *slot;
} ShardPlanKey;

typedef struct ShardPlan
{
	ShardPlanKey key;
	SPIPlanPtr	plan;
} ShardPlan;

static HTAB *shard_info = NULL;
static HTAB *shard_plans = NULL;
static LocalTransactionId citus_checked_in = InvalidLocalTransactionId;
static bool citus_loaded = false;

static void
ShardMapInvalidate(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	ShardInfo  *info;

	if (shard_info == NULL)
		return;
	hash_seq_init(&status, shard_info);
	while ((info = hash_seq_search(&status)) != NULL)
		if (relid == InvalidOid || info->relid == relid)
			info->valid = false;
}

static void
EnsureHashes(void)
{
	HASHCTL		ctl;

	if (shard_info != NULL)
		return;
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(ShardInfo);
	shard_info = hash_create("client_registry shard map", 64, &ctl, HASH_ELEM | HASH_BLOBS);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(ShardPlanKey);
	ctl.entrysize = sizeof(ShardPlan);
	shard_plans = hash_create("client_registry shard plans", 64, &ctl, HASH_ELEM | HASH_BLOBS);
	CacheRegisterRelcacheCallback(ShardMapInvalidate, (Datum) 0);
}

bool
CrCitusLoaded(void)
{
	LocalTransactionId lxid = MyProc->lxid;

	if (lxid != citus_checked_in || lxid == InvalidLocalTransactionId)
	{
		citus_loaded = OidIsValid(get_extension_oid("citus", true));
		citus_checked_in = lxid;
	}
	return citus_loaded;
}

/*
 * GetShardInfo: what rel is (SPI need not be connected: it connects itself).
 */
static ShardInfo *
GetShardInfo(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	const char *name = RelationGetRelationName(rel);
	ShardInfo  *info;
	bool		found;
	const char *p;

	EnsureHashes();
	info = hash_search(shard_info, &relid, HASH_ENTER, &found);
	if (found && info->valid)
		return info;
	info->valid = true;
	info->is_shard = false;
	info->shardid = 0;
	strlcpy(info->logical, name, NAMEDATALEN);

	/* <logical>_<digits> */
	p = strrchr(name, '_');
	if (p != NULL && p[1] != '\0' && strspn(p + 1, "0123456789") == strlen(p + 1)
		&& OidIsValid(get_relname_relid("pg_dist_shard", PG_CATALOG_NAMESPACE)))
	{
		int64		shardid = strtoi64(p + 1, NULL, 10);
		Oid			argtypes[1] = {INT8OID};
		Datum		values[1] = {Int64GetDatum(shardid)};
		int			ret;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		ret = SPI_execute_with_args("SELECT c.relname::pg_catalog.text FROM pg_catalog.pg_dist_shard s"
									" JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) s.logicalrelid"
									" WHERE s.shardid OPERATOR(pg_catalog.=) $1",
									1, argtypes, values, NULL, true, 1);
		if (ret == SPI_OK_SELECT && SPI_processed == 1)
		{
			char	   *logical = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

			if (logical != NULL && (size_t) (p - name) == strlen(logical)
				&& strncmp(name, logical, p - name) == 0)
			{
				info->is_shard = true;
				info->shardid = shardid;
				strlcpy(info->logical, logical, NAMEDATALEN);
			}
		}
		SPI_finish();
	}
	return info;
}

bool
CrIsShard(Relation rel)
{
	if (!CrCitusLoaded())
		return false;
	return GetShardInfo(rel)->is_shard;
}

const char *
CrLogicalName(Relation rel)
{
	if (!CrCitusLoaded())
		return RelationGetRelationName(rel);
	return GetShardInfo(rel)->logical;
}

/*
 * ShardRelationName: the placement of client_registry.<table> co-located
 * with shard `shardid` (SPI connected), or NULL when <table> is not a
 * distributed or reference table.
 */
static char *
ShardRelationName(const char *table, int64 shardid)
{
	Oid			argtypes[2] = {TEXTOID, INT8OID};
	Datum		values[2] = {CStringGetTextDatum(table), Int64GetDatum(shardid)};
	int			ret;

	ret = SPI_execute_with_args(
		"SELECT t.shardid FROM pg_catalog.pg_dist_shard t"
		"  JOIN pg_catalog.pg_dist_partition p ON p.logicalrelid OPERATOR(pg_catalog.=) t.logicalrelid"
		" WHERE t.logicalrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass('client_registry.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident($1))"
		"   AND (p.partmethod OPERATOR(pg_catalog.=) 'n'"
		"        OR t.shardminvalue OPERATOR(pg_catalog.=) (SELECT s.shardminvalue FROM pg_catalog.pg_dist_shard s"
		"                                                  WHERE s.shardid OPERATOR(pg_catalog.=) $2))",
		2, argtypes, values, NULL, true, 2);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "looking up the shard of %s failed: %s", table, SPI_result_code_string(ret));
	if (SPI_processed != 1)
		return NULL;
	return psprintf("%s_" INT64_FORMAT, table,
					DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &(bool){false})));
}

/*
 * LocalizeConstraintNames: in an already localized statement, "ON
 * CONSTRAINT <name>" (an ON CONFLICT target) names the constraint of the
 * shard the INSERT writes, <name>_<shardid> as Citus names it: the shard id
 * is the suffix of the last "INSERT INTO <shard>" before it.
 */
static char *
LocalizeConstraintNames(char *sql)
{
	static const char token[] = "ON CONSTRAINT ";
	static const char insert[] = "INSERT INTO " CR_SCHEMA ".";
	StringInfoData out;
	const char *p = sql;
	const char *hit;

	if (strstr(sql, token) == NULL)
		return sql;
	initStringInfo(&out);
	while ((hit = strstr(p, token)) != NULL)
	{
		const char *end = hit + strlen(token);
		const char *target = NULL;
		const char *q;

		while (*end && (isalnum((unsigned char) *end) || *end == '_'))
			end++;
		appendBinaryStringInfo(&out, p, end - p);
		for (q = strstr(sql, insert); q != NULL && q < hit; q = strstr(q + 1, insert))
			target = q + strlen(insert);
		if (target != NULL)
		{
			const char *t_end = target;
			const char *digits;

			while (*t_end && (isalnum((unsigned char) *t_end) || *t_end == '_'))
				t_end++;
			for (digits = t_end; digits > target && isdigit((unsigned char) digits[-1]); digits--)
				;
			if (digits < t_end && digits > target && digits[-1] == '_')
				appendBinaryStringInfo(&out, digits - 1, t_end - digits + 1);
		}
		p = end;
	}
	appendStringInfoString(&out, p);
	return out.data;
}

char *
CrLocalizeSql(Relation rel, const char *sql)
{
	ShardInfo  *info = GetShardInfo(rel);
	StringInfoData out;
	const char *prefix = CR_SCHEMA ".";
	size_t		plen = strlen(prefix);
	const char *p = sql;

	if (!info->is_shard)
		return pstrdup(sql);
	initStringInfo(&out);
	while (*p)
	{
		const char *hit = strstr(p, prefix);
		const char *end;
		char	   *name;
		char	   *shard = NULL;

		if (hit == NULL)
		{
			appendStringInfoString(&out, p);
			break;
		}
		appendBinaryStringInfo(&out, p, hit + plen - p);
		end = hit + plen;
		while (*end && (isalnum((unsigned char) *end) || *end == '_'))
			end++;
		name = pnstrdup(hit + plen, end - (hit + plen));
		/*
		 * functions (name directly followed by '(') and sequences are left
		 * alone; "INSERT INTO client_registry.t (col, ...)" names a table
		 */
		if (*end != '(' && name[0] != '\0')
			shard = ShardRelationName(name, info->shardid);
		appendStringInfoString(&out, shard ? shard : name);
		p = end;
	}
	return LocalizeConstraintNames(out.data);
}

SPIPlanPtr
CrKeepPlanAt(Relation rel, SPIPlanPtr *slot, const char *sql, int nargs, Oid *argtypes)
{
	ShardPlanKey key;
	ShardPlan  *entry;
	bool		found;

	if (!CrCitusLoaded() || !GetShardInfo(rel)->is_shard)
	{
		if (*slot == NULL)
			*slot = CrKeepPlan(sql, nargs, argtypes);
		return *slot;
	}
	memset(&key, 0, sizeof(key));
	key.relid = RelationGetRelid(rel);
	key.slot = slot;
	entry = hash_search(shard_plans, &key, HASH_ENTER, &found);
	if (!found)
	{
		entry->plan = NULL;
		PG_TRY();
		{
			entry->plan = CrKeepPlan(CrLocalizeSql(rel, sql), nargs, argtypes);
		}
		PG_CATCH();
		{
			hash_search(shard_plans, &key, HASH_REMOVE, NULL);
			PG_RE_THROW();
		}
		PG_END_TRY();
	}
	return entry->plan;
}

Oid
CrColocatedRelid(Relation rel, const char *table)
{
	ShardInfo  *info = CrCitusLoaded() ? GetShardInfo(rel) : NULL;
	char	   *name = NULL;
	Oid			relid;

	if (info != NULL && info->is_shard)
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		name = ShardRelationName(table, info->shardid);
		if (name != NULL)
		{
			MemoryContext spi = MemoryContextSwitchTo(CurTransactionContext);

			name = pstrdup(name);
			MemoryContextSwitchTo(spi);
		}
		SPI_finish();
	}
	relid = get_relname_relid(name ? name : table, RelationGetNamespace(rel));
	if (!OidIsValid(relid))
		elog(ERROR, "table %s.%s is missing", CR_SCHEMA, name ? name : table);
	return relid;
}

char *
CrRelationIndexName(Relation rel, const char *suffix)
{
	ShardInfo  *info = CrCitusLoaded() ? GetShardInfo(rel) : NULL;

	if (info != NULL && info->is_shard)
		return psprintf("%s_%s_" INT64_FORMAT, info->logical, suffix, info->shardid);
	return psprintf("%s_%s", RelationGetRelationName(rel), suffix);
}

/*
 * CrLocalPlacementRelid: on a Citus node, the local placement of the
 * registry's reference table `table` (or, with suffix, of its index
 * <suffix>): the shell of a reference table is empty on the nodes, its rows
 * are in <table>_<shardid>.  InvalidOid when Citus is not loaded or the
 * table has no placement here.  The shard id is kept for the session.
 */
Oid
CrLocalPlacementRelid(const char *table, const char *index)
{
	static char cached_table[NAMEDATALEN];
	static int64 cached_shardid = 0;
	Oid			nsp;

	if (!CrCitusLoaded())
		return InvalidOid;
	nsp = get_namespace_oid(CR_SCHEMA, false);
	if (cached_shardid == 0 || strcmp(cached_table, table) != 0)
	{
		Oid			argtypes[1] = {TEXTOID};
		Datum		values[1] = {CStringGetTextDatum(table)};
		int64		shardid = 0;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		if (SPI_execute_with_args("SELECT s.shardid FROM pg_catalog.pg_dist_shard s"
								  " JOIN pg_catalog.pg_dist_partition p ON p.logicalrelid OPERATOR(pg_catalog.=) s.logicalrelid"
								  " WHERE p.partmethod OPERATOR(pg_catalog.=) 'n'"
								  "   AND s.logicalrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass('client_registry.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident($1))",
								  1, argtypes, values, NULL, true, 1) == SPI_OK_SELECT
			&& SPI_processed == 1)
		{
			bool		isnull;

			shardid = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		}
		SPI_finish();
		if (shardid == 0)
			return InvalidOid;
		strlcpy(cached_table, table, NAMEDATALEN);
		cached_shardid = shardid;
	}
	return get_relname_relid(psprintf("%s_" INT64_FORMAT, index ? index : table, cached_shardid), nsp);
}

int
CrErrTable(Relation rel)
{
	err_generic_string(PG_DIAG_SCHEMA_NAME, get_namespace_name(RelationGetNamespace(rel)));
	return err_generic_string(PG_DIAG_TABLE_NAME, CrLogicalName(rel));
}

int
CrErrTableCol(Relation rel, int attnum)
{
	TupleDesc	desc = RelationGetDescr(rel);

	CrErrTable(rel);
	if (attnum > 0 && attnum <= desc->natts)
		err_generic_string(PG_DIAG_COLUMN_NAME, NameStr(TupleDescAttr(desc, attnum - 1)->attname));
	return 0;
}

/*
 * CrTenantShardRelid: the relation that holds the rows of `tenant` of
 * client_registry.<table> on this node, for code that has no trigger
 * relation to start from (row-level security probes, checks fired on a
 * placement of a reference table).  On one node the table itself; on a
 * Citus node the shard of the tenant's hash value when that shard is placed
 * here, else the logical table (an empty shell on a worker: nothing found,
 * never another tenant's rows).  Answers are kept for the transaction.
 */
typedef struct TenantShardKey
{
	char		table[NAMEDATALEN];
	int32		tenant;
} TenantShardKey;

typedef struct TenantShard
{
	TenantShardKey key;
	Oid			relid;
} TenantShard;

static HTAB *tenant_shards = NULL;
static LocalTransactionId tenant_shards_in = InvalidLocalTransactionId;

Oid
CrTenantShardRelid(const char *table, int32 tenant)
{
	Oid			nsp = get_namespace_oid(CR_SCHEMA, false);
	Oid			relid = get_relname_relid(table, nsp);
	TenantShardKey key;
	TenantShard *entry;
	bool		found;
	int64		shardid = 0;

	if (!OidIsValid(relid))
		elog(ERROR, "table %s.%s is missing", CR_SCHEMA, table);
	if (!CrCitusLoaded())
		return relid;
	if (tenant_shards == NULL || tenant_shards_in != MyProc->lxid)
	{
		HASHCTL		ctl;

		if (tenant_shards != NULL)
			hash_destroy(tenant_shards);
		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(TenantShardKey);
		ctl.entrysize = sizeof(TenantShard);
		ctl.hcxt = TopMemoryContext;
		tenant_shards = hash_create("client_registry tenant shards", 16, &ctl,
									HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		tenant_shards_in = MyProc->lxid;
	}
	memset(&key, 0, sizeof(key));
	strlcpy(key.table, table, NAMEDATALEN);
	key.tenant = tenant;
	entry = hash_search(tenant_shards, &key, HASH_ENTER, &found);
	if (found)
		return entry->relid;
	entry->relid = relid;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PG_TRY();
	{
		Oid			argtypes[2] = {OIDOID, INT4OID};
		Datum		values[2] = {ObjectIdGetDatum(relid), Int32GetDatum(tenant)};

		if (SPI_execute_with_args("SELECT pg_catalog.get_shard_id_for_distribution_column($1::pg_catalog.regclass, $2)"
								  "  FROM pg_catalog.pg_dist_partition p"
								  " WHERE p.logicalrelid OPERATOR(pg_catalog.=) $1"
								  "   AND p.partmethod OPERATOR(pg_catalog.=) 'h'",
								  2, argtypes, values, NULL, true, 1) == SPI_OK_SELECT
			&& SPI_processed == 1)
		{
			bool		isnull;
			Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

			if (!isnull)
				shardid = DatumGetInt64(d);
		}
	}
	PG_CATCH();
	{
		hash_search(tenant_shards, &key, HASH_REMOVE, NULL);
		PG_RE_THROW();
	}
	PG_END_TRY();
	SPI_finish();
	if (shardid != 0)
	{
		char		name[NAMEDATALEN];
		Oid			shard;

		snprintf(name, sizeof(name), "%s_" INT64_FORMAT, table, shardid);
		shard = get_relname_relid(name, nsp);
		if (OidIsValid(shard))
			entry->relid = shard;
	}
	return entry->relid;
}

Oid
CrColocatedShardOf(Relation rel, Oid logical_relid)
{
	ShardInfo  *info = CrCitusLoaded() ? GetShardInfo(rel) : NULL;
	Oid			argtypes[2] = {OIDOID, INT8OID};
	Datum		values[2];
	Oid			relid = InvalidOid;

	if (info == NULL || !info->is_shard)
		return InvalidOid;
	values[0] = ObjectIdGetDatum(logical_relid);
	values[1] = Int64GetDatum(info->shardid);
	if (SPI_execute_with_args("SELECT t.shardid FROM pg_catalog.pg_dist_shard t"
							  " WHERE t.logicalrelid OPERATOR(pg_catalog.=) $1"
							  "   AND t.shardminvalue OPERATOR(pg_catalog.=) (SELECT s.shardminvalue FROM pg_catalog.pg_dist_shard s"
							  "                                             WHERE s.shardid OPERATOR(pg_catalog.=) $2)",
							  2, argtypes, values, NULL, true, 2) == SPI_OK_SELECT
		&& SPI_processed == 1)
	{
		bool		isnull;
		int64		shardid = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		char	   *name = get_rel_name(logical_relid);

		if (name != NULL)
			relid = get_relname_relid(psprintf("%s_" INT64_FORMAT, name, shardid),
									  get_rel_namespace(logical_relid));
	}
	return relid;
}

char *
CrLogicalObjectName(Relation rel, const char *name)
{
	ShardInfo  *info = CrCitusLoaded() ? GetShardInfo(rel) : NULL;
	char	   *suffix;
	size_t		n;
	size_t		s;

	if (info == NULL || !info->is_shard || name == NULL)
		return name ? pstrdup(name) : NULL;
	suffix = psprintf("_" INT64_FORMAT, info->shardid);
	n = strlen(name);
	s = strlen(suffix);
	if (n > s && strcmp(name + n - s, suffix) == 0)
		return pnstrdup(name, n - s);
	return pstrdup(name);
}

char *
CrLogicalRelName(Oid relid)
{
	Relation	rel;
	char	   *name;

	if (!CrCitusLoaded())
		return get_rel_name(relid);
	rel = relation_open(relid, AccessShareLock);
	name = pstrdup(CrLogicalName(rel));
	relation_close(rel, AccessShareLock);
	return name;
}
