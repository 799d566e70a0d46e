/*
 * client_row_lock.h
 *		Locking a client row and finding a child table's primary row
 *		directly through their indexes (no SQL), for the per-row triggers.
 */
#ifndef CR_CLIENT_ROW_LOCK_H
#define CR_CLIENT_ROW_LOCK_H

#include "postgres.h"

#include "utils/rel.h"

extern bool CrLockClientRow(Relation anyrel, int64 client_id, int32 *tenant_id);
extern int64 CrFindPrimaryRow(Relation childrel, int64 client_id, int64 except_id);
extern Oid	CrCachedRelid(Oid namespace, const char *name);

#endif							/* CR_CLIENT_ROW_LOCK_H */
