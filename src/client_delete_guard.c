/*
 * client_delete_guard.c
 *		R2.3: a client that other rows reference cannot be deleted.
 *
 * The BEFORE DELETE trigger of client looks, through every foreign key that
 * references client and does not cascade (client_references.c), for a row
 * that still points at the client, and refuses with the table and
 * constraint named and a hint to deactivate or merge.  The card's own rows
 * (addresses, bank accounts, contacts, group and label memberships) cascade
 * and do not count.  The foreign keys themselves stay the race-free
 * backstop: a row inserted concurrently takes a key-share lock on the
 * client, so the delete waits for it and then fails on the constraint.
 *
 * Probes run with the referencing table's owner's rights, as PostgreSQL's
 * own referential-integrity checks do, so a row the deleting role cannot
 * see still protects the client.
 *
 * The own company can only be deleted as the last client of its tenant;
 * that is checked per statement (tenant_rules.c), so deleting a whole
 * tenant in one statement works whatever the row order.
 *
 * A foreign key declared DEFERRABLE INITIALLY DEFERRED is left to
 * PostgreSQL's check at commit: the referencing rows may be gone by then.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "client_references.h"
#include "trigger_support.h"

/*
 * ReferenceExists probes one foreign key for rows pointing at the client.
 */
static bool
ReferenceExists(CrClientReference *ref, Relation clientrel, HeapTuple client)
{
	StringInfoData sql;
	Oid		   *types = palloc(sizeof(Oid) * ref->nkeys);
	Datum	   *values = palloc(sizeof(Datum) * ref->nkeys);
	char	   *nulls = palloc(ref->nkeys + 1);
	TupleDesc	desc = RelationGetDescr(clientrel);
	CrUserSwitch sw;
	int			ret;

	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT 1 FROM %s WHERE ", ref->qualified_name);
	for (int k = 0; k < ref->nkeys; k++)
	{
		bool		isnull;

		values[k] = heap_getattr(client, ref->pk_attnums[k], desc, &isnull);
		if (isnull)
			return false;
		nulls[k] = ' ';
		types[k] = TupleDescAttr(desc, ref->pk_attnums[k] - 1)->atttypid;
		appendStringInfo(&sql, "%s%s OPERATOR(pg_catalog.=) $%d",
						 k > 0 ? " AND " : "", ref->fk_columns[k], k + 1);
	}
	appendStringInfoString(&sql, " LIMIT 1");

	CrBecomeUser(ref->relowner, &sw);
	ret = SPI_execute_with_args(sql.data, ref->nkeys, types, values, nulls, false, 1);
	CrRestoreUser(&sw);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(ret));
	return SPI_processed > 0;
}

PG_FUNCTION_INFO_V1(cr_client_before_delete);

/*
 * cr_client_before_delete is the BEFORE DELETE FOR EACH ROW trigger of client.
 */
Datum
cr_client_before_delete(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_client_before_delete", true, true);
	Relation	rel = trigdata->tg_relation;
	HeapTuple	oldtuple = trigdata->tg_trigtuple;
	bool		isnull;
	int64		id = CrGetInt64(oldtuple, rel, "id", &isnull);
	char	   *name = CrGetText(oldtuple, rel, "name");
	List	   *refs;
	ListCell   *lc;

	SPI_connect();

	refs = CrFindClientReferences(RelationGetRelid(rel), CurrentMemoryContext);
	foreach(lc, refs)
	{
		CrClientReference *ref = (CrClientReference *) lfirst(lc);

		if (ref->on_delete != 'a' && ref->on_delete != 'r')
			continue;			/* cascade, set null, set default */
		if (ref->initially_deferred)
			continue;			/* checked by PostgreSQL at commit */
		if (ReferenceExists(ref, rel, oldtuple))
			ereport(ERROR,
					(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
					 errmsg("client %lld \"%s\" cannot be deleted: rows of %s still reference it",
							(long long) id, name, ref->qualified_name),
					 errdetail("Constraint %s of %s points at this client; a client with operations is kept (R2.3).",
							   ref->constraint_name, ref->qualified_name),
					 errhint("Deactivate the client (UPDATE client_registry.client SET is_active = false WHERE id = %lld) or merge it into another client with client_registry.merge_clients().",
							 (long long) id),
					 errtable(rel)));
	}
	SPI_finish();
	return PointerGetDatum(oldtuple);
}
