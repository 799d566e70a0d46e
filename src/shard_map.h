/*
 * shard_map.h
 *		The registry's triggers on a Citus worker: they fire on a shard
 *		(client_102008), not on the logical table; these helpers find the
 *		logical names and the co-located shards their statements must use.
 *		On one node (Citus not installed) every helper is the identity.
 */
#ifndef CR_SHARD_MAP_H
#define CR_SHARD_MAP_H

#include "postgres.h"

#include "executor/spi.h"
#include "utils/rel.h"

/* Is the citus extension installed in this database? (cached per transaction) */
extern bool CrCitusLoaded(void);

/* Is rel a shard of one of the registry's distributed or reference tables? */
extern bool CrIsShard(Relation rel);

/* The logical name of rel: the table's name, or the name of the table a shard belongs to. */
extern const char *CrLogicalName(Relation rel);

/*
 * sql with every client_registry.<table> of a distributed or reference table
 * replaced by the shard placement co-located with rel (rel must be a shard).
 * SPI must be connected.
 */
extern char *CrLocalizeSql(Relation rel, const char *sql);

/*
 * CrKeepPlanAt is CrKeepPlan for a statement run from a trigger on rel: on
 * one node the plan is kept once in *slot; on a shard the statement is
 * localized to rel's co-located shards and kept per shard.
 */
extern SPIPlanPtr CrKeepPlanAt(Relation rel, SPIPlanPtr *slot, const char *sql,
							   int nargs, Oid *argtypes);

/*
 * CrColocatedRelid: the relation of client_registry.<table> beside rel -- the
 * table itself on one node, the co-located shard (or the local placement of
 * a reference table) when rel is a shard.  SPI need not be connected.
 */
extern Oid	CrColocatedRelid(Relation rel, const char *table);

/* The name of index <logical table>_<suffix> of rel (with the shard id on a shard). */
extern char *CrRelationIndexName(Relation rel, const char *suffix);

/*
 * The local placement of a reference table of the registry (tenant_access),
 * or of its index when index is given; InvalidOid without Citus.
 */
extern Oid	CrLocalPlacementRelid(const char *table, const char *index);

/*
 * CrTenantShardRelid: the relation holding tenant's rows of
 * client_registry.<table> on this node -- the table on one node, the
 * tenant's shard when it is placed here on Citus (else the empty logical
 * table).  For code without a trigger relation (row-level security probes).
 */
extern Oid	CrTenantShardRelid(const char *table, int32 tenant);

/* errtable() / errtablecol() naming the logical table (for ereport). */
extern int	CrErrTable(Relation rel);
extern int	CrErrTableCol(Relation rel, int attnum);

/*
 * Running a whole operation on the worker that holds a tenant (issue #17,
 * merge and unmerge delegated there, merge_delegation.c).
 *
 * (CrTenantShardRelid, above, finds the tenant's shard.)
 */

/*
 * CrColocatedShardOf: the shard of the distributed table logical_relid
 * (any schema) co-located with shard rel; InvalidOid when logical_relid is
 * not distributed or its placement is not on this node.  SPI connected.
 */
extern Oid	CrColocatedShardOf(Relation rel, Oid logical_relid);

/*
 * CrLogicalObjectName: name without the "_<shardid>" Citus appends to the
 * names of a shard's constraints and indexes (rel is the shard); name itself
 * when rel is not a shard or name has no such suffix.
 */
extern char *CrLogicalObjectName(Relation rel, const char *name);

/* CrLogicalRelName: CrLogicalName of the relation relid (opened briefly). */
extern char *CrLogicalRelName(Oid relid);

#endif							/* CR_SHARD_MAP_H */
