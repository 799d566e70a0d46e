/*
 * import_delegation.h
 *		import_apply() on a Citus cluster: run on the worker that holds the
 *		tenant (issue #17; import_delegation.c).
 */
#ifndef CR_IMPORT_DELEGATION_H
#define CR_IMPORT_DELEGATION_H

#include "postgres.h"

#include "fmgr.h"

/*
 * client_import.c: the import of the session's staging tables into the
 * current tenant, its results put into rsinfo (SPI connected, staging
 * tables checked).
 */
extern void ImportApplyRun(ReturnSetInfo *rsinfo, char *source, int batch_size);

/*
 * On a Citus coordinator (MergeDelegates()): sends the staging rows to
 * import_apply_at() on the worker that holds the tenant, keeps its results
 * in the session's TEMP table import_result and puts them into rsinfo.
 * SPI connected.
 */
extern void ImportApplyDelegate(ReturnSetInfo *rsinfo, const char *source, int batch_size);

#endif							/* CR_IMPORT_DELEGATION_H */
