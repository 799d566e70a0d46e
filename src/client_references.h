/*
 * client_references.h
 *		Every foreign key that references client_registry.client, found in
 *		the system catalog at run time (the extension's own tables and any
 *		user table, single-column or composite keys).
 */
#ifndef CR_CLIENT_REFERENCES_H
#define CR_CLIENT_REFERENCES_H

#include "postgres.h"

#include "nodes/pg_list.h"

typedef struct CrClientReference
{
	Oid			relid;			/* referencing table */
	Oid			relowner;		/* its owner (probes run with its rights) */
	char	   *qualified_name; /* quoted schema.table */
	char	   *constraint_name;
	char		on_delete;		/* pg_constraint.confdeltype */
	bool		initially_deferred; /* pg_constraint.condeferred */
	int			nkeys;
	char	  **fk_columns;		/* quoted referencing column names */
	char	  **fk_raw;			/* the same, unquoted */
	int16	   *fk_attnums;		/* the same, attribute numbers */
	int16	   *pk_attnums;		/* referenced client columns, same order */
} CrClientReference;

/* SPI must be connected; results are allocated in the caller's context. */
extern List *CrFindClientReferences(Oid clientrelid, MemoryContext resultcxt);

#endif							/* CR_CLIENT_REFERENCES_H */
