/*
 * primary_flag.c
 *		"Exactly one primary" for client_address, client_bank_account and
 *		client_contact (R3.2, R3.3, R3.5).
 *
 * Rules, for each of the three tables, per client:
 *	- the first row added becomes primary, whatever is_primary said;
 *	- a row inserted or updated with is_primary = true becomes the primary
 *	  and the previous primary is demoted in the same statement;
 *	- is_primary cannot be switched off directly (mark another row primary);
 *	- deleting the primary (or moving it to another client) promotes the
 *	  oldest remaining row (lowest id; a row another transaction is editing
 *	  at that moment is passed over when a free one exists);
 *	- a row moved to another client keeps that client's primary: it becomes
 *	  primary there only when the client had none.
 *
 * Race-freedom: every change that may create or move a primary first takes
 * FOR NO KEY UPDATE on the client row, so two sessions promoting rows of the
 * same client run one after the other, and the second one (with a fresh
 * READ COMMITTED snapshot per statement) sees and demotes the first one's
 * primary.  Rows of different clients never wait for each other.  The
 * partial unique index <table>_one_primary is the backstop that keeps the
 * data right even if these triggers were disabled.
 *
 * Every statement names the tenant: on Citus a shard holds several tenants,
 * whose client ids may be the same (issue #17).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "client_registry.h"
#include "internal_change.h"
#include "client_row_lock.h"
#include "trigger_support.h"

/* Saved plans for one child table. */
typedef struct PrimaryPlans
{
	Oid			relid;
	SPIPlanPtr	demote;			/* $1 client, $2 self: demote others */
	SPIPlanPtr	any_row;		/* $1 client: does it have any row? */
	SPIPlanPtr	oldest_free;	/* $1 client: oldest row nobody is editing, locked */
	SPIPlanPtr	oldest_wait;	/* $1 client: oldest row, locked (waits) */
	SPIPlanPtr	promote;		/* $1 client, $2 row: mark it primary */
	/* every statement: $3 tenant */
} PrimaryPlans;

#define MAX_PRIMARY_TABLES 8
static PrimaryPlans plan_cache[MAX_PRIMARY_TABLES];
static int	plan_cache_used = 0;

/*
 * PreparePlan prepares and keeps one statement taking $1 client and $2 row
 * (bigint) and $3 tenant (integer).
 */
static SPIPlanPtr
PreparePlan(const char *sql)
{
	Oid			argtypes[3] = {INT8OID, INT8OID, INT4OID};

	return CrKeepPlan(sql, 3, argtypes);
}

/*
 * GetPlans returns the saved plans of a child table (SPI must be connected).
 */
static PrimaryPlans *
GetPlans(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	PrimaryPlans *p;
	const char *table;
	int			i;

	for (i = 0; i < plan_cache_used; i++)
		if (plan_cache[i].relid == relid)
			return &plan_cache[i];
	if (plan_cache_used >= MAX_PRIMARY_TABLES)
	{
		/* extension re-created many times in one session: start over */
		plan_cache_used = 0;
	}
	p = &plan_cache[plan_cache_used];
	table = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
									   RelationGetRelationName(rel));

	p->demote = PreparePlan(psprintf(
									 "UPDATE %s SET is_primary = false WHERE client_id OPERATOR(pg_catalog.=) $1"
									 " AND is_primary AND id OPERATOR(pg_catalog.<>) $2"
									 " AND tenant_id OPERATOR(pg_catalog.=) $3", table));
	p->any_row = PreparePlan(psprintf(
									  "SELECT id FROM %s WHERE client_id OPERATOR(pg_catalog.=) $1"
									  " AND tenant_id OPERATOR(pg_catalog.=) $3 LIMIT 1",
									  table));
	p->oldest_free = PreparePlan(psprintf(
										  "SELECT id FROM %s WHERE client_id OPERATOR(pg_catalog.=) $1"
										  " AND tenant_id OPERATOR(pg_catalog.=) $3"
										  " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED", table));
	p->oldest_wait = PreparePlan(psprintf(
										  "SELECT id FROM %s WHERE client_id OPERATOR(pg_catalog.=) $1"
										  " AND tenant_id OPERATOR(pg_catalog.=) $3"
										  " ORDER BY id LIMIT 1 FOR UPDATE", table));
	p->promote = PreparePlan(psprintf(
									  "UPDATE %s SET is_primary = true WHERE id OPERATOR(pg_catalog.=) $2"
									  " AND client_id OPERATOR(pg_catalog.=) $1"
									  " AND tenant_id OPERATOR(pg_catalog.=) $3", table));
	p->relid = relid;
	plan_cache_used++;
	return p;
}

/*
 * RunPlan executes a saved plan and returns the number of rows.
 */
static uint64
RunPlan(SPIPlanPtr plan, int32 tenant_id, int64 client_id, int64 self_id, int expected)
{
	Datum		args[3] = {Int64GetDatum(client_id), Int64GetDatum(self_id), Int32GetDatum(tenant_id)};
	int			ret = SPI_execute_plan(plan, args, NULL, false, 0);

	if (ret != expected)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(ret));
	return SPI_processed;
}

/*
 * RunInternalUpdate runs a flag-moving UPDATE that our own triggers must let
 * through unchanged.
 */
static uint64
RunInternalUpdate(SPIPlanPtr plan, int32 tenant_id, int64 client_id, int64 self_id)
{
	Datum		args[3] = {Int64GetDatum(client_id), Int64GetDatum(self_id), Int32GetDatum(tenant_id)};

	/* the caller's rights were checked on the row it wrote; see CrBecomeOwner */
	return CrRunPlanInternal(plan, args, NULL, false, 0, NULL, SPI_OK_UPDATE, "a primary flag move");
}


/*
 * FirstId returns the id of the first row of a SELECT plan, or 0.
 */
static int64
FirstId(SPIPlanPtr plan, int32 tenant_id, int64 client_id)
{
	bool		isnull;

	if (RunPlan(plan, tenant_id, client_id, 0, SPI_OK_SELECT) == 0)
		return 0;
	return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/*
 * PromoteSuccessor gives a client that lost its primary the oldest remaining
 * row as primary (the client row is locked by the caller, so no other
 * promoter can interfere).  The row is locked before it is promoted: a row
 * another transaction is editing is passed over when a free one exists;
 * otherwise we wait for the oldest, and if it was deleted or moved to
 * another client meanwhile, look again.
 */
static void
PromoteSuccessor(Relation rel, PrimaryPlans *plans, int32 tenant_id, int64 client_id)
{
	for (int attempt = 0; attempt < 100; attempt++)
	{
		int64		successor;

		if (CrFindPrimaryRow(rel, tenant_id, client_id, 0) != 0)
			return;				/* it has one already */
		successor = FirstId(plans->oldest_free, tenant_id, client_id);
		if (successor == 0)
		{
			if (FirstId(plans->any_row, tenant_id, client_id) == 0)
				return;			/* no rows left: no primary */
			successor = FirstId(plans->oldest_wait, tenant_id, client_id);
			if (successor == 0)
				continue;		/* the row we waited for went away */
		}
		if (RunInternalUpdate(plans->promote, tenant_id, client_id, successor) == 1)
			return;
	}
	elog(ERROR, "could not choose a primary row for client %lld", (long long) client_id);
}

PG_FUNCTION_INFO_V1(cr_primary_before_write);

/*
 * cr_primary_before_write is the BEFORE INSERT OR UPDATE OF is_primary,
 * client_id FOR EACH ROW trigger of the child tables.  The trigger argument
 * is the noun used in messages ("address", "bank account", "contact").
 */
Datum
cr_primary_before_write(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_primary_before_write", true, true);
	Relation	rel = trigdata->tg_relation;
	bool		is_update = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event);
	HeapTuple	newtuple = is_update ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	HeapTuple	oldtuple = is_update ? trigdata->tg_trigtuple : NULL;
	const char *noun = trigdata->tg_trigger->tgnargs > 0 ? trigdata->tg_trigger->tgargs[0] : "row";
	bool		isnull;
	int64		self_id = CrGetInt64(newtuple, rel, "id", &isnull);
	int64		client_id = CrGetInt64(newtuple, rel, "client_id", &isnull);
	bool		want_primary = CrGetBool(newtuple, rel, "is_primary");
	bool		set_primary = want_primary;
	CrRowChanges changes = {0};
	PrimaryPlans *plans;
	int32		tenant_id;
	bool		moved;

	if (CrInternalChange() || isnull)
		return PointerGetDatum(newtuple);

	if (is_update)
	{
		bool		isnull2;
		int64		old_client = CrGetInt64(oldtuple, rel, "client_id", &isnull2);
		bool		was_primary = CrGetBool(oldtuple, rel, "is_primary");

		if (old_client == client_id)
		{
			if (was_primary == want_primary)
				return PointerGetDatum(newtuple);
			if (was_primary && !want_primary)
				ereport(ERROR,
						(errcode(ERRCODE_CHECK_VIOLATION),
						 errmsg("cannot unset the primary flag of %s %lld of client %lld",
								noun, (long long) self_id, (long long) client_id),
						 errdetail("A client with any %s has exactly one primary %s.", noun, noun),
						 errhint("Mark another %s of the client as primary; this one is then demoted automatically. Deleting the primary %s promotes the oldest remaining one.",
								 noun, noun),
						 errtablecol(rel, CrAttnum(rel, "is_primary"))));
		}
	}

	tenant_id = CrGetInt32(newtuple, rel, "tenant_id");
	CrCheckRowTenant(rel, tenant_id);
	if (!CrLockClientRow(rel, tenant_id, client_id))
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("client %lld of this %s does not exist in tenant %d",
						(long long) client_id, noun, tenant_id),
				 errhint("Create the client first, or check the client id."),
				 errtablecol(rel, CrAttnum(rel, "client_id"))));

	moved = is_update && CrGetInt64(oldtuple, rel, "client_id", &isnull) != client_id;
	if (moved || !want_primary)
	{
		/* first row, or moved here: primary only if the client has none */
		set_primary = CrFindPrimaryRow(rel, tenant_id, client_id, self_id) == 0;
	}
	else if (CrFindPrimaryRow(rel, tenant_id, client_id, self_id) != 0)
	{
		/* the new primary demotes the old one */
		CrUserSwitch sw;

		SPI_connect();
		plans = GetPlans(rel);
		CrBecomeOwner(rel, &sw);
		RunInternalUpdate(plans->demote, tenant_id, client_id, self_id);
		CrRestoreUser(&sw);
		SPI_finish();
	}

	if (set_primary != want_primary)
		CrSetDatum(&changes, rel, "is_primary", BoolGetDatum(set_primary), false);
	return PointerGetDatum(CrApplyChanges(newtuple, rel, &changes));
}

PG_FUNCTION_INFO_V1(cr_primary_after_remove);

/*
 * cr_primary_after_remove is the AFTER DELETE / AFTER UPDATE OF client_id
 * FOR EACH ROW trigger (WHEN OLD.is_primary) of the child tables: the client
 * that lost its primary gets the oldest remaining row as primary.
 */
Datum
cr_primary_after_remove(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_primary_after_remove", false, true);
	Relation	rel = trigdata->tg_relation;
	HeapTuple	oldtuple = trigdata->tg_trigtuple;
	bool		isnull;
	int64		client_id = CrGetInt64(oldtuple, rel, "client_id", &isnull);
	PrimaryPlans *plans;
	CrUserSwitch sw;

	if (isnull || !CrGetBool(oldtuple, rel, "is_primary"))
		return PointerGetDatum(NULL);
	if (CrMergeInProgress())
		return PointerGetDatum(NULL);	/* a merge moves every row of the client */
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		int64		new_client = CrGetInt64(trigdata->tg_newtuple, rel, "client_id", &isnull);

		if (new_client == client_id)
			return PointerGetDatum(NULL);
	}

	if (!CrLockClientRow(rel, CrGetInt32(oldtuple, rel, "tenant_id"), client_id))
		return PointerGetDatum(NULL);	/* the client is being deleted */
	SPI_connect();
	plans = GetPlans(rel);
	CrBecomeOwner(rel, &sw);
	PromoteSuccessor(rel, plans, CrGetInt32(oldtuple, rel, "tenant_id"), client_id);
	CrRestoreUser(&sw);
	SPI_finish();
	return PointerGetDatum(NULL);
}
