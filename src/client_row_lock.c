/*
 * client_row_lock.c
 *		The two hot operations of the primary-flag triggers, done directly
 *		on the indexes instead of through SPI (a bulk load of a million
 *		addresses runs them a million times):
 *
 *	CrLockClientRow   takes FOR NO KEY UPDATE on the client row, as
 *		SELECT ... FOR NO KEY UPDATE would: under READ COMMITTED it follows
 *		a concurrent update to the newest version; under REPEATABLE READ
 *		a concurrent update or delete is a serialization failure.
 *	CrFindPrimaryRow  looks up the client's primary row in the partial
 *		unique index <table>_one_primary (rows of the tenant only).
 *
 * The OIDs of the client table and of the indexes are cached for the session
 * (CrCachedRelid, emptied by relcache invalidations).
 *
 * Both look rows up with SnapshotSelf: every committed row plus this
 * transaction's own, including rows written earlier in the same statement
 * (a data-modifying CTE, a multi-row INSERT).  That is what the callers
 * need: they hold the client row lock, so no other transaction can be in
 * the middle of changing that client's primary.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "executor/tuptable.h"
#include "storage/bufmgr.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"

#include "client_registry.h"
#include "client_row_lock.h"
#include "shard_map.h"
#include "trigger_support.h"

/*
 * Relation OIDs by (schema, name), so the per-row triggers do not look the
 * client table and the *_one_primary indexes up in the catalog for every
 * row of a bulk load.  An invalidation of any relation of the cache (or of
 * all relations) empties it: a dropped and re-created index is looked up
 * again.
 */
#define RELID_CACHE_SIZE 16
typedef struct RelidCacheEntry
{
	Oid			namespace;
	char		name[NAMEDATALEN];
	Oid			relid;
} RelidCacheEntry;

static RelidCacheEntry relid_cache[RELID_CACHE_SIZE];
static int	relid_cache_used = 0;
static bool relid_cache_callback = false;

static void
ForgetRelids(Datum arg, Oid relid)
{
	for (int i = 0; i < relid_cache_used; i++)
	{
		if (!OidIsValid(relid) || relid_cache[i].relid == relid)
		{
			relid_cache_used = 0;	/* rare: start over */
			return;
		}
	}
}

/*
 * CrCachedRelid returns the OID of relation `name` in `namespace`, or
 * InvalidOid when there is none (not cached).
 */
Oid
CrCachedRelid(Oid namespace, const char *name)
{
	Oid			relid;

	for (int i = 0; i < relid_cache_used; i++)
	{
		if (relid_cache[i].namespace == namespace && strcmp(relid_cache[i].name, name) == 0)
			return relid_cache[i].relid;
	}
	relid = get_relname_relid(name, namespace);
	if (!OidIsValid(relid))
		return InvalidOid;
	if (!relid_cache_callback)
	{
		CacheRegisterRelcacheCallback(ForgetRelids, (Datum) 0);
		relid_cache_callback = true;
	}
	if (relid_cache_used < RELID_CACHE_SIZE)
	{
		RelidCacheEntry *e = &relid_cache[relid_cache_used++];

		e->namespace = namespace;
		strlcpy(e->name, name, NAMEDATALEN);
		e->relid = relid;
	}
	return relid;
}

/*
 * OpenIndexByName opens an index of the extension's schema.
 */
static Relation
OpenIndexByName(Oid namespace, const char *name)
{
	Oid			indexoid = CrCachedRelid(namespace, name);

	if (!OidIsValid(indexoid))
		elog(ERROR, "index %s.%s is missing", CR_SCHEMA, name);
	return index_open(indexoid, AccessShareLock);
}

/*
 * CrLockClientRow locks the client row of the tenant, found by the primary
 * key (tenant_id, id); returns false when no such client exists in the
 * tenant (or it was deleted concurrently).
 */
bool
CrLockClientRow(Relation anyrel, int32 tenant_id, int64 client_id)
{
	Oid			client_relid = CrColocatedRelid(anyrel, "client");
	Relation	crel;
	Relation	pkey;
	TupleTableSlot *slot;
	ScanKeyData key[2];
	int			nkeys;
	IndexScanDesc scan;
	ItemPointerData tid;
	bool		found;
	bool		locked = false;

	if (!OidIsValid(client_relid))
		elog(ERROR, "table %s.client is missing", CR_SCHEMA);
	crel = table_open(client_relid, RowShareLock);
	pkey = index_open(RelationGetPrimaryKeyIndex(crel), AccessShareLock);
	slot = table_slot_create(crel, NULL);

	/*
	 * The primary key is (tenant_id, id) since 0.4.0; (id) before the
	 * upgrade script ran (a 0.3.0 schema under this module): then the
	 * tenant is checked on the row found.
	 */
	nkeys = pkey->rd_index->indnkeyatts;
	if (nkeys >= 2)
	{
		ScanKeyInit(&key[0], 1, BTEqualStrategyNumber, F_INT4EQ, Int32GetDatum(tenant_id));
		ScanKeyInit(&key[1], 2, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(client_id));
		nkeys = 2;
	}
	else
		ScanKeyInit(&key[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(client_id));
	scan = index_beginscan(crel, pkey, SnapshotSelf, nkeys, 0);
	index_rescan(scan, key, nkeys, NULL, 0);
	found = index_getnext_slot(scan, ForwardScanDirection, slot);
	if (found && nkeys == 1)
	{
		bool		isnull;

		found = DatumGetInt32(slot_getattr(slot, CrAttnum(crel, "tenant_id"), &isnull)) == tenant_id;
	}
	if (found)
		tid = slot->tts_tid;
	index_endscan(scan);

	if (found)
	{
		bool		shouldfree;
		HeapTuple	tuple = ExecFetchSlotHeapTuple(slot, false, &shouldfree);
		TransactionId xmin = HeapTupleHeaderGetXmin(tuple->t_data);

		if (TransactionIdIsCurrentTransactionId(xmin))
		{
			/* written by this transaction: no one else can touch it */
			locked = true;
		}
		else
		{
			Snapshot	snapshot = RegisterSnapshot(GetLatestSnapshot());
			TM_FailureData tmfd;
			TM_Result	res;

			res = table_tuple_lock(crel, &tid, snapshot, slot,
								   GetCurrentCommandId(false), LockTupleNoKeyExclusive,
								   LockWaitBlock,
								   IsolationUsesXactSnapshot() ? 0 : TUPLE_LOCK_FLAG_FIND_LAST_VERSION,
								   &tmfd);
			UnregisterSnapshot(snapshot);
			switch (res)
			{
				case TM_Ok:
				case TM_SelfModified:
					locked = true;
					break;
				case TM_Updated:
				case TM_Deleted:
					if (IsolationUsesXactSnapshot())
						ereport(ERROR,
								(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
								 errmsg("could not serialize access due to concurrent update of client %lld",
										(long long) client_id)));
					locked = false; /* deleted concurrently */
					break;
				default:
					elog(ERROR, "unexpected result %d locking client %lld", (int) res,
						 (long long) client_id);
			}
		}
		if (shouldfree)
			heap_freetuple(tuple);
	}

	ExecDropSingleTupleTableSlot(slot);
	index_close(pkey, AccessShareLock);
	table_close(crel, NoLock);
	return locked;
}

/*
 * CrFindPrimaryRow returns the id of the primary row of client client_id of
 * the tenant other than except_id, or 0 when there is none.  On Citus a
 * shard holds several tenants, whose client ids may be the same: rows of
 * other tenants are passed over.
 */
int64
CrFindPrimaryRow(Relation childrel, int32 tenant_id, int64 client_id, int64 except_id)
{
	Relation	index = OpenIndexByName(RelationGetNamespace(childrel),
										CrRelationIndexName(childrel, "one_primary"));
	TupleTableSlot *slot = table_slot_create(childrel, NULL);
	int			id_attnum = CrAttnum(childrel, "id");
	int			primary_attnum = CrAttnum(childrel, "is_primary");
	int			tenant_attnum = CrAttnum(childrel, "tenant_id");
	ScanKeyData key;
	IndexScanDesc scan;
	int64		result = 0;

	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(client_id));
	scan = index_beginscan(childrel, index, SnapshotSelf, 1, 0);
	index_rescan(scan, &key, 1, NULL, 0);
	while (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		int64		id = DatumGetInt64(slot_getattr(slot, id_attnum, &isnull));

		if (id != except_id && DatumGetBool(slot_getattr(slot, primary_attnum, &isnull)) &&
			DatumGetInt32(slot_getattr(slot, tenant_attnum, &isnull)) == tenant_id)
		{
			result = id;
			break;
		}
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(index, AccessShareLock);
	return result;
}
