/*
 * client_row_lock.h
 *		Locking a client row and finding a child table's primary row
 *		directly through their indexes (no SQL), for the per-row triggers.
 */
#ifndef CR_CLIENT_ROW_LOCK_H
#define CR_CLIENT_ROW_LOCK_H

#include "postgres.h"

#include "utils/rel.h"

/*
 * CrLockClientRow locks client (tenant_id, client_id) FOR NO KEY UPDATE (the
 * client table co-located with anyrel: on Citus, the shard beside the
 * trigger's); false when there is no such client.
 */
extern bool CrLockClientRow(Relation anyrel, int32 tenant_id, int64 client_id);
extern int64 CrFindPrimaryRow(Relation childrel, int32 tenant_id, int64 client_id, int64 except_id);
extern Oid	CrCachedRelid(Oid namespace, const char *name);

#endif							/* CR_CLIENT_ROW_LOCK_H */
