/*
 * company_code_unique.h
 *		Race-free check that a company code is not used by another legal
 *		entity of the same tenant and country (R2.1).
 */
#ifndef CR_COMPANY_CODE_UNIQUE_H
#define CR_COMPANY_CODE_UNIQUE_H

#include "postgres.h"

#include "utils/rel.h"

extern void CrCheckCompanyCodeUnique(Relation clientrel, int32 tenant_id,
									 const char *country, const char *company_code,
									 int64 self_id);

#endif							/* CR_COMPANY_CODE_UNIQUE_H */
