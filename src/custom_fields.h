/*
 * custom_fields.h
 *		Checking client.custom_fields against custom_field definitions.
 */
#ifndef CR_CUSTOM_FIELDS_H
#define CR_CUSTOM_FIELDS_H

#include "postgres.h"

#include "utils/jsonb.h"
#include "utils/rel.h"

extern void CrCheckCustomFields(Relation clientrel, int32 tenant_id,
								const char *client_name, Jsonb *fields);

#endif							/* CR_CUSTOM_FIELDS_H */
