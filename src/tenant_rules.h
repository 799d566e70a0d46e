/*
 * tenant_rules.h
 *		Tenants: creation on first use, the own-company rule, client roles.
 */
#ifndef CR_TENANT_RULES_H
#define CR_TENANT_RULES_H

#include "postgres.h"

#include "utils/rel.h"

extern void CrEnsureTenant(Relation anyrel, int32 tenant_id);
extern void CrAssertClientRole(int64 client_id, int32 tenant_id, bool sale);
extern void CrAssertClientRoleAt(Relation rel, int64 client_id, int32 tenant_id, bool sale);

#endif							/* CR_TENANT_RULES_H */
