/*
 * internal_change.h
 *		Is this change the registry's own (a merge, an unmerge, an erasure,
 *		a primary flag moved)?  On one node: the backend's depth counters.
 *		On Citus the triggers run on the workers, which learn it from a
 *		token the coordinator sets for its transaction (internal_change.c).
 */
#ifndef CR_INTERNAL_CHANGE_H
#define CR_INTERNAL_CHANGE_H

#include "postgres.h"

/* _PG_init: the setting client_registry.internal_change */
extern void CrDefineInternalChangeSetting(void);

/* What the triggers ask (depth counter raised here, or a valid token). */
extern bool CrInternalChange(void);
extern bool CrMergeInProgress(void);
extern bool CrErasureInProgress(void);

/*
 * On a Citus coordinator: sets the token for the kinds given ('i' internal
 * change, 'm' merge, 'e' erasure) with SET LOCAL semantics, so the workers'
 * triggers see it; returns whether it did (false on one node).
 * CrInternalChangeEnd(set) clears it again.
 */
extern bool CrInternalChangeBegin(const char *kinds);
extern void CrInternalChangeEnd(bool set);

#endif							/* CR_INTERNAL_CHANGE_H */
