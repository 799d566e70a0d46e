/*
 * crm_row_version.c
 *		Optimistic locking of CRM rows (tasks, events, opportunities, orders)
 *		through their version column: no lost updates when two users edit
 *		the same task at once.
 *
 * Every update raises version by one.  An application that wants its edit
 * refused when someone else changed the row since it read it names the
 * version it is writing: SET ..., version = <version read> + 1.  If the row
 * has moved on meanwhile (the other session committed first; ours waited for
 * its row lock and then sees the new row), the update is refused with 40001
 * serialization_failure, naming both versions, and nothing is written.
 * (The other idiom, UPDATE ... WHERE id = $1 AND version = $read, works too:
 * PostgreSQL re-checks the WHERE on the latest row version, so the late
 * update finds no row.)
 *
 * Two BEFORE UPDATE FOR EACH ROW triggers use this function:
 *	 ..._version_check  BEFORE UPDATE OF version  (argument 'check'): fires only
 *						when the statement names version; it must be old + 1;
 *	 ..._version_bump   BEFORE UPDATE              (argument 'bump'): raises
 *						version when the statement did not, and sets updated_at.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "trigger_support.h"

PG_FUNCTION_INFO_V1(cr_row_version_before_update);

Datum
cr_row_version_before_update(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_row_version_before_update", true, true);
	Relation	rel = trigdata->tg_relation;
	HeapTuple	oldtup = trigdata->tg_trigtuple;
	HeapTuple	newtup = trigdata->tg_newtuple;
	bool		check = trigdata->tg_trigger->tgnargs > 0 &&
		strcmp(trigdata->tg_trigger->tgargs[0], "check") == 0;
	bool		oldnull,
				newnull,
				idnull;
	int64		oldv = CrGetInt64(oldtup, rel, "version", &oldnull);
	int64		newv = CrGetInt64(newtup, rel, "version", &newnull);
	int64		id = CrGetInt64(newtup, rel, "id", &idnull);

	if (!TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		elog(ERROR, "cr_row_version_before_update must be fired by UPDATE");

	if (check)
	{
		if (newnull)
			ereport(ERROR,
					(errcode(ERRCODE_NOT_NULL_VIOLATION),
					 errmsg("%s %lld: version cannot be set to NULL",
							RelationGetRelationName(rel), (long long) id),
					 errdetail("The version is at %lld.", (long long) oldv),
					 errhint("Set version to the version you read + 1, or leave it out to have it raised."),
					 errtablecol(rel, CrAttnum(rel, "version"))));
		if (newv != oldv + 1)
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("%s %lld was changed by someone else: it is at version %lld, this update writes version %lld",
							RelationGetRelationName(rel), (long long) id, (long long) oldv, (long long) newv),
					 errdetail("An update that sets version must set it to the current version + 1; "
							   "version %lld means the row was read at version %lld.",
							   (long long) newv, (long long) (newv - 1)),
					 errhint("Read the row again (its version is %lld), reapply the edit and retry.",
							 (long long) oldv),
					 errtable(rel)));
		return PointerGetDatum(newtup);
	}

	if (newv == oldv)
	{
		CrRowChanges changes = {0};

		CrSetDatum(&changes, rel, "version", Int64GetDatum(oldv + 1), false);
		if (CrHasColumn(rel, "updated_at"))
			CrSetDatum(&changes, rel, "updated_at", TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()), false);
		newtup = CrApplyChanges(newtup, rel, &changes);
	}
	else if (CrHasColumn(rel, "updated_at"))
	{
		CrRowChanges changes = {0};

		CrSetDatum(&changes, rel, "updated_at", TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()), false);
		newtup = CrApplyChanges(newtup, rel, &changes);
	}
	return PointerGetDatum(newtup);
}
