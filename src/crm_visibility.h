/*
 * crm_visibility.h
 *		Who may see which CRM row (crm_visibility.c).
 */
#ifndef CR_CRM_VISIBILITY_H
#define CR_CRM_VISIBILITY_H

#include "postgres.h"

/*
 * May the current user see the CRM item (a crm_item_type value and its id)
 * of the given tenant?  False for a tenant other than the session's.
 */
extern bool CrmItemVisible(int32 tenant, Oid item_type, int64 item_id);

#endif							/* CR_CRM_VISIBILITY_H */
