/*
 * spi_support.h
 *		Statements the registry runs through SPI: plans kept for the session,
 *		run with the rights of a table's owner, their result checked; and
 *		steps run with one of the registry's depth counters raised.
 */
#ifndef CR_SPI_SUPPORT_H
#define CR_SPI_SUPPORT_H

#include "postgres.h"

#include "executor/spi.h"
#include "utils/rel.h"

extern SPIPlanPtr CrKeepPlan(const char *sql, int nargs, Oid *argtypes);

/* Running a step with another role's rights (see spi_support.c). */
typedef struct CrUserSwitch
{
	Oid			userid;
	int			sec_context;
} CrUserSwitch;

extern void CrBecomeOwner(Relation rel, CrUserSwitch *sw);
extern void CrBecomeUser(Oid userid, CrUserSwitch *sw);
extern void CrRestoreUser(CrUserSwitch *sw);

/*
 * CrRunPlan runs a kept plan (SPI connected) with the rights of owner_of's
 * owner, or the caller's when owner_of is NULL, and raises an error naming
 * `what` unless SPI answers `expected` (an SPI_OK_* code).  Returns
 * SPI_processed; the rows are in SPI_tuptable.
 */
extern uint64 CrRunPlan(SPIPlanPtr plan, Datum *values, const char *nulls,
						bool read_only, long count, Relation owner_of,
						int expected, const char *what);

/*
 * CrRunPlanInternal is CrRunPlan with cr_internal_change_depth raised while
 * the statement runs: the registry's own change (a primary flag moved, a
 * document total added up) passes the row triggers it would otherwise meet.
 */
extern uint64 CrRunPlanInternal(SPIPlanPtr plan, Datum *values, const char *nulls,
								bool read_only, long count, Relation owner_of,
								int expected, const char *what);

/*
 * CrCallRaised calls step(arg) with the given depth counters raised by one
 * (either may be NULL) and lowers them again on every path, errors included.
 */
typedef void (*CrStep) (void *arg);
extern void CrCallRaised(int *depth, int *depth2, CrStep step, void *arg);

#endif							/* CR_SPI_SUPPORT_H */
