/*
 * client_registry.h
 *		Shared declarations of the client_registry extension.
 */
#ifndef CLIENT_REGISTRY_H
#define CLIENT_REGISTRY_H

#include "postgres.h"

/* The schema the extension lives in (control file: schema, not relocatable). */
#define CR_SCHEMA "client_registry"

/* GUC values (client_registry.c) */
extern int	cr_current_tenant;
extern char *cr_default_country;
extern bool cr_explain_duplicates;

#endif							/* CLIENT_REGISTRY_H */
