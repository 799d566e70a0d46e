/*
 * trigger_support.h
 *		Small helpers shared by the C triggers: protocol checks, reading
 *		columns by name, collecting column changes for heap_modify_tuple.
 */
#ifndef CR_TRIGGER_SUPPORT_H
#define CR_TRIGGER_SUPPORT_H

#include "postgres.h"

#include "access/htup.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/rel.h"

#include "spi_support.h"

#define CR_MAX_CHANGES 32

/* Pending changes to the row a BEFORE trigger will return. */
typedef struct CrRowChanges
{
	int			n;
	int			attnums[CR_MAX_CHANGES];
	Datum		values[CR_MAX_CHANGES];
	bool		isnull[CR_MAX_CHANGES];
} CrRowChanges;

extern TriggerData *CrTriggerCheck(FunctionCallInfo fcinfo, const char *funcname,
								   bool before, bool row);
extern int	CrAttnum(Relation rel, const char *colname);
extern bool CrHasColumn(Relation rel, const char *colname);
extern char *CrGetText(HeapTuple tuple, Relation rel, const char *colname);
extern bool CrGetBool(HeapTuple tuple, Relation rel, const char *colname);
extern int64 CrGetInt64(HeapTuple tuple, Relation rel, const char *colname, bool *isnull);
extern int32 CrGetInt32(HeapTuple tuple, Relation rel, const char *colname);
extern Datum CrGetDatum(HeapTuple tuple, Relation rel, const char *colname, bool *isnull);
extern void CrSetText(CrRowChanges *changes, Relation rel, const char *colname, const char *value);
extern void CrSetDatum(CrRowChanges *changes, Relation rel, const char *colname, Datum value, bool isnull);
extern HeapTuple CrApplyChanges(HeapTuple tuple, Relation rel, CrRowChanges *changes);
extern char *CrTrimmedOrNull(const char *s);

extern bool CrTextEqual(const char *a, const char *b);

/*
 * Depth of changes the registry itself makes to primary flags (demoting the
 * old primary, promoting a successor).  Triggers let those through without
 * re-applying the rules and without touching updated_at.
 */
extern int	cr_internal_change_depth;

/*
 * Depth of merge_clients() / unmerge() runs (merge_clients.c): while it is
 * raised, documents change client without their rules (they are the same
 * documents) and a balance moved over a strict credit limit only warns.
 */
extern int	cr_merge_depth;

/*
 * Depth of erase_personal_data() runs (personal_data_erasure.c): while it is
 * raised, the activity feed records nothing (the erasure must not copy the
 * values it removes) and the invoice rules let the anonymisation of the
 * counterparty snapshot of documents past their retention date through.
 */
extern int	cr_erasure_depth;

/*
 * The import_run of the import_apply() running now (client_import.c), 0
 * outside an import: while it is set, a strict credit limit exceeded by the
 * imported history warns and is recorded (client_balance.c) and an
 * inactive buyer may be the client of an imported document
 * (tenant_rules.c).  Only import_apply sets it, and resets it on every path.
 */
extern int64 cr_import_run_id;

#endif							/* CR_TRIGGER_SUPPORT_H */
