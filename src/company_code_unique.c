/*
 * company_code_unique.c
 *		R2.1: one legal entity per company code, country and tenant.
 *
 * The unique index client_company_code_key is what makes the rule hold; this
 * file only makes the refusal useful.  The index would say "duplicate key
 * value violates unique constraint"; we want the existing client's id and
 * name, and a hint.  So before the row reaches the index we look into that
 * same index with a dirty snapshot, which also sees rows that concurrent
 * transactions have inserted but not yet committed.  When such a row is
 * found we wait for its transaction to end and look again, exactly as the
 * index itself would: if it committed we report the duplicate by name, if it
 * rolled back our insert goes on.  The result is the same race-free
 * behaviour as the index, with a clear message in every case.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "client_registry.h"
#include "company_code_unique.h"
#include "shard_map.h"
#include "trigger_support.h"

#define COMPANY_CODE_INDEX "client_company_code_key"
#define COMPANY_CODE_SUFFIX "company_code_key"

/*
 * CrCheckCompanyCodeUnique raises unique_violation (23505) naming the other
 * client when company_code is already taken in the tenant and country by a
 * legal entity other than self_id.
 */
void
CrCheckCompanyCodeUnique(Relation clientrel, int32 tenant_id, const char *country,
						 const char *company_code, int64 self_id)
{
	Oid			indexoid;
	Relation	indexrel;
	TupleTableSlot *slot;
	int			id_attnum = CrAttnum(clientrel, "id");
	int			name_attnum = CrAttnum(clientrel, "name");
	Datum		country_datum = CStringGetTextDatum(country);
	Datum		code_datum = CStringGetTextDatum(company_code);

	/* on a Citus worker clientrel is a shard, with the shard's own index */
	indexoid = get_relname_relid(CrRelationIndexName(clientrel, COMPANY_CODE_SUFFIX),
								 RelationGetNamespace(clientrel));
	if (!OidIsValid(indexoid))
		elog(ERROR, "index %s.%s is missing", CR_SCHEMA, COMPANY_CODE_INDEX);

	indexrel = index_open(indexoid, AccessShareLock);
	slot = table_slot_create(clientrel, NULL);

	for (;;)
	{
		SnapshotData dirty;
		ScanKeyData keys[3];
		IndexScanDesc scan;
		TransactionId xwait = InvalidTransactionId;
		ItemPointerData waittid;
		bool		found = false;
		int64		other_id = 0;
		char	   *other_name = NULL;

		InitDirtySnapshot(dirty);
		ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT4EQ, Int32GetDatum(tenant_id));
		ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_TEXTEQ, country_datum);
		ScanKeyInit(&keys[2], 3, BTEqualStrategyNumber, F_TEXTEQ, code_datum);

		scan = index_beginscan(clientrel, indexrel, &dirty, 3, 0);
		index_rescan(scan, keys, 3, NULL, 0);
		while (index_getnext_slot(scan, ForwardScanDirection, slot))
		{
			bool		isnull;
			int64		id = DatumGetInt64(slot_getattr(slot, id_attnum, &isnull));

			if (id == self_id)
				continue;
			xwait = TransactionIdIsValid(dirty.xmin) ? dirty.xmin : dirty.xmax;
			if (TransactionIdIsValid(xwait))
			{
				waittid = slot->tts_tid;
				break;
			}
			found = true;
			other_id = id;
			other_name = TextDatumGetCString(slot_getattr(slot, name_attnum, &isnull));
			break;
		}
		index_endscan(scan);

		if (TransactionIdIsValid(xwait))
		{
			/* another transaction is inserting or removing that code: wait */
			XactLockTableWait(xwait, clientrel, &waittid, XLTW_InsertIndex);
			continue;
		}

		ExecDropSingleTupleTableSlot(slot);
		index_close(indexrel, AccessShareLock);

		if (found)
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("company code \"%s\" is already used by client %lld \"%s\"",
							company_code, (long long) other_id, other_name),
					 errdetail("Company codes are unique among the legal entities of a tenant and country (tenant %d, country %s).",
							   tenant_id, country),
					 errhint("Use the existing client, merge the duplicate into it with client_registry.merge_clients(), or deactivate one of them."),
					 errtableconstraint(clientrel, COMPANY_CODE_INDEX)));
		return;
	}
}
