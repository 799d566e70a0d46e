/*
 * client_registry.h
 *		Shared declarations of the client_registry extension.
 */
#ifndef CLIENT_REGISTRY_H
#define CLIENT_REGISTRY_H

#include "postgres.h"

#include "utils/rel.h"

/* The schema the extension lives in (control file: schema, not relocatable). */
#define CR_SCHEMA "client_registry"

/* GUC values (client_registry.c) */
extern int	cr_current_tenant;
extern char *cr_default_country;
extern bool cr_explain_duplicates;
extern int	cr_camt053_max_size;
extern int	cr_feed_bulk_rows;
extern int	cr_search_name_walk_min;

/*
 * The tenant this statement works in, for C code: the setting, once the
 * current role's membership of that tenant is checked (ERROR 42501 when it
 * is not a member).  Never read cr_current_tenant directly.
 */
extern int32 CrCurrentTenant(void);

/*
 * The same for code that only reads, as current_tenant() does: true and the
 * tenant when the current role may work in it, false (no error) when it is
 * not a member -- the reader then sees nothing.
 */
extern bool CrCurrentTenantIfMember(int32 *tenant);

/*
 * The first step of every BEFORE ROW trigger (tenant_access.c): 42501 unless
 * the row is of the session's tenant and the role is a member of it (roles
 * that row-level security does not apply to pass).
 */
extern void CrCheckRowTenant(Relation rel, int32 row_tenant);

/*
 * True while a dump is being restored into the registry's tables: rules that
 * a restore cannot satisfy row by row (posting order, credit control, the
 * activity feed) stand aside.  Never test row_security directly.
 */
extern bool CrRestoreInProgress(void);

/*
 * The folding of search_fold() for C code (client_search_fold.c): len bytes
 * of a string in the server encoding, folded, palloc'd.
 */
extern char *CrSearchFold(const char *s, int len);

#endif							/* CLIENT_REGISTRY_H */
