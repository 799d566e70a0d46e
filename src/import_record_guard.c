/*
 * import_record_guard.c
 *		The record tables of the import (issue #15), import_run and
 *		import_credit_override, are written by the import only.
 *
 * import_apply writes import_run, and the credit check writes
 * import_credit_override during a history import, both with the owner's
 * rights (client_import.c, client_balance.c).  A tenant's role -- one that
 * row-level security applies to -- must not write them itself, whatever
 * table privileges a broad GRANT gave it: a forged import_run row or credit
 * override would make an application's sale look like recorded history.
 * So a BEFORE INSERT OR UPDATE OR DELETE statement trigger refuses such a
 * role with 42501, before any row is touched.
 *
 * One exception: a merge or an unmerge re-points every reference to the
 * merged clients, import_credit_override.client_id included, with the
 * caller's rights; an UPDATE while one runs is let through (the merge code
 * is the writer, not the role).  The owner, superusers and roles with
 * BYPASSRLS (maintenance, restore) are not tenant roles and are let through.
 */
#include "postgres.h"

#include "commands/trigger.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/rel.h"
#include "utils/rls.h"

#include "client_registry.h"
#include "internal_change.h"
#include "trigger_support.h"

PG_FUNCTION_INFO_V1(cr_import_record_guard);

/*
 * cr_import_record_guard is the BEFORE INSERT OR UPDATE OR DELETE FOR EACH
 * STATEMENT trigger of import_run and import_credit_override.
 */
Datum
cr_import_record_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_import_record_guard", true, false);
	Relation	rel = trigdata->tg_relation;
	const char *table = RelationGetRelationName(rel);
	const char *what;

	if (check_enable_rls(RelationGetRelid(rel), InvalidOid, true) != RLS_ENABLED)
		return PointerGetDatum(NULL);	/* owner, superuser, BYPASSRLS */
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) && (CrMergeInProgress() || CrInternalChange()))
		return PointerGetDatum(NULL);	/* a merge re-pointing its clients */

	what = TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) ? "insert into" :
		TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? "update" : "delete from";
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("role %s cannot %s %s.%s directly", GetUserNameFromId(GetUserId(), false),
					what, CR_SCHEMA, table),
			 errdetail(strcmp(table, "import_run") == 0 ?
					   "import_run records the imports: only client_registry.import_apply() writes it." :
					   "import_credit_override records past sales an import took over a strict credit limit: only the credit check writes it, during client_registry.import_apply()."),
			 errhint("Import through client_registry.import_begin() and client_registry.import_apply(source).")));
	return PointerGetDatum(NULL);
}
