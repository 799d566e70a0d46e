/*
 * merge_clients.h
 *		Merging duplicate clients (R2.4): shared declarations of
 *		merge_clients.c (entry points, locks, obstacles, the card),
 *		merge_references.c (re-pointing, folding, the journal) and
 *		merge_undo.c (unmerge).
 */
#ifndef CR_MERGE_CLIENTS_H
#define CR_MERGE_CLIENTS_H

#include "postgres.h"

#include "fmgr.h"
#include "nodes/pg_list.h"
#include "utils/array.h"

#include "sqlstates.h"

/* One line of merge_preview(): a finding that is not a journal step. */
typedef struct MergeFinding
{
	char	   *action;			/* obstacle, conflict, warning */
	char	   *table_name;
	char	   *constraint_name;
	int64		from_client;
	int64		row_count;
	char	   *detail;
} MergeFinding;

/* The state of one merge while it runs. */
typedef struct MergeRun
{
	int32		tenant_id;
	int64		survivor;
	int64	   *merged;			/* in the order given */
	int			nmerged;
	bool		force;
	bool		preview;		/* collect findings instead of raising */
	int64		merge_id;
	int			next_step;
	List	   *update_steps;	/* MergeStepRef: steps whose rows get hashes */
	List	   *findings;		/* MergeFinding, in findings_cxt */
	MemoryContext findings_cxt;
	bool		has_conflicts;
	Oid			client_relid;
	Oid			balance_relid;
	Oid			address_relid;
	Oid			bank_account_relid;
	Oid			contact_relid;
} MergeRun;

typedef struct MergeStepRef
{
	int			step;
	Oid			relid;
} MergeStepRef;

/* Columns and key of a table the merge touches. */
typedef struct MergeTable
{
	Oid			relid;
	char	   *qualified;		/* quoted schema.table */
	char	   *schema;			/* raw names, for the journal */
	char	   *relname;
	int			npk;			/* 0: no primary key */
	char	  **pk_quoted;
	char	  **pk_raw;
	char	  **pk_types;		/* format_type, safe to splice */
} MergeTable;

/* merge_references.c */
extern void MergeResetCaches(void);
extern int	MergeSpiExecute(const char *sql, int nargs, Oid *types, Datum *values,
							const char *nulls, bool read_only, long tcount);
extern List *MergeReferencesTo(Oid relid);
extern MergeTable *MergeGetTable(Oid relid);
extern char *MergeKeyJson(MergeTable *t, const char *alias);
extern char *MergeEqOperator(Oid typid);
extern char *MergeKeyMatch(MergeTable *t, const char *alias, const char *keyexpr);
extern char *MergeRowText(MergeTable *t, const char *alias, int ncols);
extern Datum MergeTextArray(List *strings);
extern void MergeAddFinding(MergeRun *run, const char *action, const char *table_name,
							const char *constraint_name, int64 from_client, int64 row_count,
							const char *detail);
extern void MergeMoveReferences(MergeRun *run, int64 merged);
extern void MergeJournalDelete(MergeRun *run, const char *reason, MergeTable *t,
							   const char *constraint_name, int64 from_client, Datum images);
extern void MergeJournalUpdate(MergeRun *run, const char *reason, MergeTable *t,
							   const char *constraint_name, int64 from_client,
							   Datum keys, Datum old_values, Datum new_values);
extern void MergeDeleteRow(MergeRun *run, const char *reason, MergeTable *t,
						   const char *constraint_name, int64 from_client, Datum key);
extern void MergeMoveHistory(MergeRun *run, int64 merged);
extern void MergeFeedEntry(MergeRun *run, bool undo);
extern void MergeHashSteps(MergeRun *run);
extern void MergeWarnUnindexed(MergeRun *run);

/* merge_clients.c, merge_undo.c: the operations, wherever they run */
extern int64 MergeClientsRun(int64 survivor, ArrayType *merged, bool force);
extern Datum MergePreviewRun(FunctionCallInfo fcinfo, int64 survivor, ArrayType *merged, bool force);
extern int64 UnmergeRun(int64 merge_id);

/*
 * merge_delegation.c: on a Citus cluster, merge, preview and unmerge run on
 * the worker that holds the tenant, against the tenant's shards.
 */
extern bool MergeDelegates(void);
extern int64 MergeClientsDelegate(int64 survivor, ArrayType *merged, bool force);
extern Datum MergePreviewDelegate(FunctionCallInfo fcinfo, int64 survivor, ArrayType *merged,
								  bool force);
extern int64 UnmergeDelegate(int32 tenant, int64 merge_id);
extern bool MergeAnchored(void);
extern bool MergeAnchorOn(int32 tenant);
extern void MergeUnanchor(bool anchored, bool ok);
extern const char *MergeSql(const char *sql);
extern void MergeResetSqlCache(void);
extern int	MergeSpiRun(const char *sql, int nargs, Oid *types, Datum *values,
						const char *nulls, bool read_only, long tcount);
extern Oid	MergeTableRelid(const char *table);
extern Oid	MergeShardOf(Oid logical_relid);
extern char *MergeLogicalConstraint(Oid relid, const char *name);
extern int64 MergeNextId(const char *sequence);

#endif							/* CR_MERGE_CLIENTS_H */
