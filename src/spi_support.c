/*
 * spi_support.c
 *		How the registry's C code runs its own SQL.
 *
 * Three pieces every trigger and function shares:
 *
 * - Plans are prepared once per session and kept (CrKeepPlan); the plan
 *   cache revalidates them when the tables change, so a kept plan survives
 *   ALTER TABLE and ALTER EXTENSION UPDATE.
 *
 * - Work the registry does on its own behalf (moving a primary flag,
 *   creating a tenant row, probing references, writing the activity feed)
 *   runs with the rights of the table's owner, the way PostgreSQL's own
 *   referential-integrity checks do: the caller's rights were checked on
 *   the row it wrote, and it needs no privileges on the registry's
 *   internals.  SECURITY_NOFORCE_RLS keeps row-level security off for the
 *   owner; every statement so run filters by tenant itself.  An error in
 *   between is undone by the (sub)transaction abort, which restores the
 *   user id and security context.
 *
 * - Steps that must not meet the registry's own triggers (the merge,
 *   unmerge, erasure, internal flag moves) raise a depth counter the
 *   triggers read; CrCallRaised lowers it again on every path.
 */
#include "postgres.h"

#include "miscadmin.h"

#include "spi_support.h"
#include "trigger_support.h"

/*
 * CrKeepPlan prepares a statement and keeps the plan for the session.  SPI
 * must be connected.
 */
SPIPlanPtr
CrKeepPlan(const char *sql, int nargs, Oid *argtypes)
{
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql, SPI_result_code_string(SPI_result));
	SPI_keepplan(plan);
	return plan;
}

/*
 * CrBecomeOwner switches to the owner of rel; CrBecomeUser to any role.
 * CrRestoreUser switches back.
 */
void
CrBecomeOwner(Relation rel, CrUserSwitch *sw)
{
	CrBecomeUser(rel->rd_rel->relowner, sw);
}

void
CrBecomeUser(Oid userid, CrUserSwitch *sw)
{
	GetUserIdAndSecContext(&sw->userid, &sw->sec_context);
	SetUserIdAndSecContext(userid,
						   sw->sec_context | SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
}

void
CrRestoreUser(CrUserSwitch *sw)
{
	SetUserIdAndSecContext(sw->userid, sw->sec_context);
}

uint64
CrRunPlan(SPIPlanPtr plan, Datum *values, const char *nulls, bool read_only, long count,
		  Relation owner_of, int expected, const char *what)
{
	CrUserSwitch sw;
	int			ret;

	if (owner_of != NULL)
		CrBecomeOwner(owner_of, &sw);
	ret = SPI_execute_plan(plan, values, nulls, read_only, count);
	if (owner_of != NULL)
		CrRestoreUser(&sw);
	if (ret != expected)
		elog(ERROR, "%s failed: %s", what, SPI_result_code_string(ret));
	return SPI_processed;
}

/* the arguments of CrRunPlan, for a call through CrCallRaised */
typedef struct PlanCall
{
	SPIPlanPtr	plan;
	Datum	   *values;
	const char *nulls;
	bool		read_only;
	long		count;
	Relation	owner_of;
	int			expected;
	const char *what;
	uint64		processed;
} PlanCall;

static void
RunPlanCall(void *arg)
{
	PlanCall   *c = (PlanCall *) arg;

	c->processed = CrRunPlan(c->plan, c->values, c->nulls, c->read_only, c->count,
							 c->owner_of, c->expected, c->what);
}

uint64
CrRunPlanInternal(SPIPlanPtr plan, Datum *values, const char *nulls, bool read_only, long count,
				  Relation owner_of, int expected, const char *what)
{
	PlanCall	call = {plan, values, nulls, read_only, count, owner_of, expected, what, 0};

	CrCallRaised(&cr_internal_change_depth, NULL, RunPlanCall, &call);
	return call.processed;
}

static void
LowerDepths(int *depth, int *depth2)
{
	if (depth)
		(*depth)--;
	if (depth2)
		(*depth2)--;
}

void
CrCallRaised(int *depth, int *depth2, CrStep step, void *arg)
{
	if (depth)
		(*depth)++;
	if (depth2)
		(*depth2)++;
	PG_TRY();
	{
		step(arg);
	}
	PG_CATCH();
	{
		LowerDepths(depth, depth2);
		PG_RE_THROW();
	}
	PG_END_TRY();
	LowerDepths(depth, depth2);
}
