/*
 * linked_rows.c
 *		The foreign key actions Citus refuses, as triggers (issue #17,
 *		sql/0.4.0/81_citus_rules.sql): the same behaviour on one node and on
 *		a distributed registry.
 *
 * - detach_bank_entries (BEFORE DELETE of payment and invoice): the bank
 *   entries that point at the deleted row lose that link -- what
 *   ON DELETE SET NULL (payment_id) did; an entry that lost its payment is
 *   back in bank_entry_queue.
 * - child_follows_parent (BEFORE INSERT OR UPDATE of crm_comment and
 *   crm_order_line): client_id is the client of the task, event or order
 *   the row belongs to; filled in when left out, refused (23503, as the
 *   composite foreign key did) when different.
 * - parent_client_moved (AFTER UPDATE OF client_id of crm_task, crm_event,
 *   crm_order): the comments or order lines move with their parent -- what
 *   ON UPDATE CASCADE did (a merge moves tasks, events and orders).
 *
 * Every statement is filtered by tenant_id and runs on the shard co-located
 * with the trigger's (CrKeepPlanAt), with the table owner's rights (the
 * caller's were checked on the row it wrote).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/rel.h"

#include "client_registry.h"
#include "shard_map.h"
#include "trigger_support.h"

typedef struct LinkStatement
{
	const char *table;			/* the table the statement is for */
	const char *column;			/* the column it follows */
	const char *sql;
	SPIPlanPtr	plan;
} LinkStatement;

/* detach_bank_entries: $1 tenant, $2 the deleted row's id */
static LinkStatement detach_statements[] = {
	{"bank_entry", "payment_id",
		"UPDATE client_registry.bank_entry SET payment_id = NULL"
		" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND payment_id OPERATOR(pg_catalog.=) $2", NULL},
	{"bank_entry", "matched_invoice_id",
		"UPDATE client_registry.bank_entry SET matched_invoice_id = NULL"
		" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND matched_invoice_id OPERATOR(pg_catalog.=) $2", NULL},
	{NULL, NULL, NULL, NULL}
};

/* child_follows_parent: $1 tenant, $2 the parent's id */
static LinkStatement parent_statements[] = {
	{"crm_task", "task_id",
		"SELECT client_id FROM client_registry.crm_task"
		" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) $2", NULL},
	{"crm_event", "event_id",
		"SELECT client_id FROM client_registry.crm_event"
		" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) $2", NULL},
	{"crm_order", "order_id",
		"SELECT client_id FROM client_registry.crm_order"
		" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) $2", NULL},
	{NULL, NULL, NULL, NULL}
};

/* parent_client_moved: $1 tenant, $2 the parent's id, $3 its new client */
static LinkStatement child_statements[] = {
	{"crm_comment", "task_id",
		"UPDATE client_registry.crm_comment SET client_id = $3"
		" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND task_id OPERATOR(pg_catalog.=) $2"
		"   AND client_id OPERATOR(pg_catalog.<>) $3", NULL},
	{"crm_comment", "event_id",
		"UPDATE client_registry.crm_comment SET client_id = $3"
		" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND event_id OPERATOR(pg_catalog.=) $2"
		"   AND client_id OPERATOR(pg_catalog.<>) $3", NULL},
	{"crm_order_line", "order_id",
		"UPDATE client_registry.crm_order_line SET client_id = $3"
		" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND order_id OPERATOR(pg_catalog.=) $2"
		"   AND client_id OPERATOR(pg_catalog.<>) $3", NULL},
	{NULL, NULL, NULL, NULL}
};

static LinkStatement *
FindStatement(LinkStatement *list, const char *table, const char *column)
{
	for (; list->sql != NULL; list++)
		if ((table == NULL || strcmp(list->table, table) == 0) && strcmp(list->column, column) == 0)
			return list;
	elog(ERROR, "client_registry has no linked-row statement for %s.%s",
		 table ? table : "?", column);
	return NULL;				/* keep compiler quiet */
}

/*
 * RunLinkStatement runs one statement at rel's shard with the owner's
 * rights; returns the SPI result code.
 */
static int
RunLinkStatement(Relation rel, LinkStatement *st, int32 tenant, int64 id, int64 client)
{
	Oid			argtypes[3] = {INT4OID, INT8OID, INT8OID};
	Datum		values[3] = {Int32GetDatum(tenant), Int64GetDatum(id), Int64GetDatum(client)};
	int			nargs = strstr(st->sql, "$3") ? 3 : 2;
	CrUserSwitch sw;
	SPIPlanPtr	plan;
	int			ret;

	CrBecomeOwner(rel, &sw);
	plan = CrKeepPlanAt(rel, &st->plan, st->sql, nargs, argtypes);
	ret = SPI_execute_plan(plan, values, NULL, false, 0);
	CrRestoreUser(&sw);
	if (ret < 0)
		elog(ERROR, "%s failed: %s", st->sql, SPI_result_code_string(ret));
	return ret;
}

PG_FUNCTION_INFO_V1(cr_detach_bank_entries);
Datum
cr_detach_bank_entries(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_detach_bank_entries", true, true);
	Relation	rel = trigdata->tg_relation;
	HeapTuple	row = trigdata->tg_trigtuple;
	bool		isnull;
	int64		id;

	if (trigdata->tg_trigger->tgnargs != 1)
		elog(ERROR, "cr_detach_bank_entries needs the column of bank_entry as argument");
	if (!TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		elog(ERROR, "cr_detach_bank_entries must be fired by DELETE");
	id = CrGetInt64(row, rel, "id", &isnull);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	RunLinkStatement(rel,
					 FindStatement(detach_statements, "bank_entry", trigdata->tg_trigger->tgargs[0]),
					 CrGetInt32(row, rel, "tenant_id"), id, 0);
	SPI_finish();
	return PointerGetDatum(row);
}

PG_FUNCTION_INFO_V1(cr_child_follows_parent);
Datum
cr_child_follows_parent(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_child_follows_parent", true, true);
	Relation	rel = trigdata->tg_relation;
	HeapTuple	row = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event)
		? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	int32		tenant = CrGetInt32(row, rel, "tenant_id");
	bool		client_null;
	int64		client = CrGetInt64(row, rel, "client_id", &client_null);
	int			i;

	/* a restore writes the rows as they were dumped; the foreign keys hold them */
	if (CrRestoreInProgress())
		return PointerGetDatum(row);
	CrCheckRowTenant(rel, tenant);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	for (i = 0; i < trigdata->tg_trigger->tgnargs; i++)
	{
		const char *column = trigdata->tg_trigger->tgargs[i];
		bool		parent_null;
		int64		parent = CrGetInt64(row, rel, column, &parent_null);
		LinkStatement *st;
		bool		isnull;
		int64		parent_client;

		if (parent_null)
			continue;
		st = FindStatement(parent_statements, NULL, column);
		RunLinkStatement(rel, st, tenant, parent, 0);
		if (SPI_processed != 1)
			continue;			/* no such parent: its foreign key says so */
		parent_client = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		if (isnull)
			elog(ERROR, "reading the parent of %s failed", CrLogicalName(rel));
		if (client_null)
		{
			CrRowChanges changes = {0};

			SPI_finish();
			CrSetDatum(&changes, rel, "client_id", Int64GetDatum(parent_client), false);
			return PointerGetDatum(CrApplyChanges(row, rel, &changes));
		}
		if (parent_client != client)
		{
			const char *table = CrLogicalName(rel);

			ereport(ERROR,
					(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
					 errmsg("%s of %s %lld must have client %lld, not client %lld",
							table, st->table, (long long) parent, (long long) parent_client,
							(long long) client),
					 errdetail("A row of %s belongs to the client of its %s.", table, st->table),
					 errhint("Leave client_id out: it is filled in from the %s.", st->table),
					 CrErrTableCol(rel, CrAttnum(rel, "client_id"))));
		}
	}
	SPI_finish();
	return PointerGetDatum(row);
}

PG_FUNCTION_INFO_V1(cr_parent_client_moved);
Datum
cr_parent_client_moved(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_parent_client_moved", false, true);
	Relation	rel = trigdata->tg_relation;
	HeapTuple	row = trigdata->tg_newtuple;
	bool		isnull;
	int64		id,
				client;

	if (!TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) || trigdata->tg_trigger->tgnargs != 2)
		elog(ERROR, "cr_parent_client_moved: AFTER UPDATE, arguments: child table, its column");
	id = CrGetInt64(row, rel, "id", &isnull);
	client = CrGetInt64(row, rel, "client_id", &isnull);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	RunLinkStatement(rel,
					 FindStatement(child_statements, trigdata->tg_trigger->tgargs[0],
								   trigdata->tg_trigger->tgargs[1]),
					 CrGetInt32(row, rel, "tenant_id"), id, client);
	SPI_finish();
	return PointerGetDatum(NULL);
}
