/*
 * crm_link.c
 *		Links between CRM items ("Powiązania", issue #19): an event that
 *		follows up a task, the offer document of an opportunity, the order
 *		an opportunity became.
 *
 * A link (crm_link) names its two ends by item type and id (from_type,
 * from_id, to_type, to_id) and has a kind.  The integrity of the ends is
 * PostgreSQL's own: one generated column per item type and end
 * (from_task_id = from_id when from_type is 'task', ...) carries a foreign
 * key with ON DELETE CASCADE, so an end that does not exist cannot be linked
 * and deleting an item removes its links, race-free.  Merges move items
 * between clients without changing their ids, so links follow merges and
 * unmerges untouched.
 *
 * Two triggers:
 *	 crm_link_before_write	BEFORE INSERT OR UPDATE FOR EACH ROW: the tenant
 *		check; a link is not changed once made (delete it and link again);
 *		the ends must be items the current user may see (else a link would
 *		tell that an item exists); a symmetric link ('related') is stored
 *		with its ends in a fixed order, so the unique key sees A-B and B-A
 *		as the same link.
 *	 crm_link_feed			AFTER INSERT OR DELETE FOR EACH ROW: the activity
 *		feed records the link under the client of each end (one entry, or two
 *		when the ends belong to different clients), with who made it.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"

#include "client_registry.h"
#include "internal_change.h"
#include "crm_visibility.h"
#include "shard_map.h"
#include "trigger_support.h"

static char *
EnumLabel(Datum value)
{
	return DatumGetCString(DirectFunctionCall1(enum_out, value));
}

/*
 * CheckEndVisible refuses an end the current user may not see (or that does
 * not exist: the two are told apart only for roles that see every row).
 */
static void
CheckEndVisible(Relation rel, int32 tenant, HeapTuple tup, const char *type_col, const char *id_col)
{
	bool		tnull,
				inull;
	Datum		type = heap_getattr(tup, CrAttnum(rel, type_col), RelationGetDescr(rel), &tnull);
	Datum		id = heap_getattr(tup, CrAttnum(rel, id_col), RelationGetDescr(rel), &inull);

	if (tnull || inull)
		return;					/* NOT NULL reports it */
	if (!CrmItemVisible(tenant, DatumGetObjectId(type), DatumGetInt64(id)))
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("cannot link %s %lld: no such %s that you may see",
						EnumLabel(type), (long long) DatumGetInt64(id), EnumLabel(type)),
				 errdetail("Both ends of a link must be items of this tenant that the current user sees (crm_item)."),
				 errhint("Check the item's id and type, or ask its owner to share it (visibility department or everyone)."),
				 CrErrTable(rel)));
}

PG_FUNCTION_INFO_V1(cr_crm_link_before_write);

Datum
cr_crm_link_before_write(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_crm_link_before_write", true, true);
	Relation	rel = trigdata->tg_relation;
	HeapTuple	tup = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	TupleDesc	desc = RelationGetDescr(rel);
	int32		tenant = CrGetInt32(tup, rel, "tenant_id");
	bool		isnull;
	bool		n1,
				n2,
				n3,
				n4;
	Datum		kind;
	Datum		ft,
				fi,
				tt,
				ti;
	int			cmp;

	CrCheckRowTenant(rel, tenant);

	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		bool		idnull;
		int64		id = CrGetInt64(trigdata->tg_trigtuple, rel, "id", &idnull);

		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("link %lld cannot be changed", (long long) id),
				 errdetail("A link is made or removed, never edited: its ends and kind are what it is."),
				 errhint("Delete the link and make a new one."),
				 CrErrTable(rel)));
	}

	if (check_enable_rls(RelationGetRelid(rel), InvalidOid, true) == RLS_ENABLED)
	{
		CheckEndVisible(rel, tenant, tup, "from_type", "from_id");
		CheckEndVisible(rel, tenant, tup, "to_type", "to_id");
	}

	/* a symmetric link: the end with the smaller (type label, id) first */
	kind = heap_getattr(tup, CrAttnum(rel, "kind"), desc, &isnull);
	if (isnull || strcmp(EnumLabel(kind), "related") != 0)
		return PointerGetDatum(tup);
	ft = heap_getattr(tup, CrAttnum(rel, "from_type"), desc, &n1);
	fi = heap_getattr(tup, CrAttnum(rel, "from_id"), desc, &n2);
	tt = heap_getattr(tup, CrAttnum(rel, "to_type"), desc, &n3);
	ti = heap_getattr(tup, CrAttnum(rel, "to_id"), desc, &n4);
	if (n1 || n2 || n3 || n4)
		return PointerGetDatum(tup);
	cmp = strcmp(EnumLabel(ft), EnumLabel(tt));
	if (cmp > 0 || (cmp == 0 && DatumGetInt64(fi) > DatumGetInt64(ti)))
	{
		CrRowChanges changes = {0};

		CrSetDatum(&changes, rel, "from_type", tt, false);
		CrSetDatum(&changes, rel, "from_id", ti, false);
		CrSetDatum(&changes, rel, "to_type", ft, false);
		CrSetDatum(&changes, rel, "to_id", fi, false);
		tup = CrApplyChanges(tup, rel, &changes);
	}
	return PointerGetDatum(tup);
}

/*
 * The items of the crm_item view, by type and id, over the tables (on a
 * Citus worker the view would be a distributed query; the tables become the
 * link's co-located shards).
 */
#define LINK_ITEMS \
"(SELECT tenant_id, 'task'::client_registry.crm_item_type AS item_type, id AS item_id, client_id FROM client_registry.crm_task" \
" UNION ALL SELECT tenant_id, 'event', id, client_id FROM client_registry.crm_event" \
" UNION ALL SELECT tenant_id, 'document', id, client_id FROM client_registry.crm_document" \
" UNION ALL SELECT tenant_id, 'opportunity', id, client_id FROM client_registry.crm_opportunity" \
" UNION ALL SELECT tenant_id, 'interaction', id, client_id FROM client_registry.crm_interaction" \
" UNION ALL SELECT tenant_id, 'order', id, client_id FROM client_registry.crm_order)"

/*
 * One feed entry per distinct client of the two ends (one entry with no
 * client when neither end exists any more).  The row's values are the link's
 * own columns without the generated ones.
 */
static const char *const link_feed_sql =
"INSERT INTO client_registry.activity_feed"
" (tenant_id, client_id, table_name, row_id, action, changed_by, old_values, new_values)"
" SELECT ($1).tenant_id, e.client_id, 'crm_link', ($1).id, $2, $3,"
"        CASE WHEN $2 OPERATOR(pg_catalog.=) 'delete' THEN v.j END,"
"        CASE WHEN $2 OPERATOR(pg_catalog.=) 'insert' THEN v.j END"
"   FROM (SELECT pg_catalog.jsonb_strip_nulls(pg_catalog.to_jsonb($1) OPERATOR(pg_catalog.-)"
"                '{from_task_id,from_event_id,from_document_id,from_opportunity_id,from_order_id,from_interaction_id,"
"                  to_task_id,to_event_id,to_document_id,to_opportunity_id,to_order_id,to_interaction_id}'::text[]) AS j) v"
"   LEFT JOIN (SELECT i.client_id FROM " LINK_ITEMS " i"
"               WHERE i.tenant_id OPERATOR(pg_catalog.=) ($1).tenant_id"
"                 AND i.item_type OPERATOR(pg_catalog.=) ($1).from_type AND i.item_id OPERATOR(pg_catalog.=) ($1).from_id"
"              UNION"
"              SELECT i.client_id FROM " LINK_ITEMS " i"
"               WHERE i.tenant_id OPERATOR(pg_catalog.=) ($1).tenant_id"
"                 AND i.item_type OPERATOR(pg_catalog.=) ($1).to_type AND i.item_id OPERATOR(pg_catalog.=) ($1).to_id) e"
"     ON true";

static SPIPlanPtr link_feed_plan = NULL;
static Oid	link_feed_rowtype = InvalidOid;
static SPIPlanPtr link_feed_shard_slot = NULL;	/* key of the plans kept per shard */

PG_FUNCTION_INFO_V1(cr_crm_link_feed);

Datum
cr_crm_link_feed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_crm_link_feed", false, true);
	Relation	rel = trigdata->tg_relation;
	HeapTuple	tup = trigdata->tg_trigtuple;
	bool		deleted = TRIGGER_FIRED_BY_DELETE(trigdata->tg_event);
	Datum		values[3];
	char		nulls[3] = "   ";
	const char *who;
	SPIPlanPtr	plan;

	if (CrRestoreInProgress() || CrMergeInProgress())
		return PointerGetDatum(NULL);
	if (!deleted && !TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		elog(ERROR, "cr_crm_link_feed must be fired by INSERT or DELETE");

	/*
	 * Who: the current role; for a link removed with a deleted item (the
	 * foreign key's cascade runs as the table owner), the role that deleted it.
	 */
	who = GetUserNameFromId(InLocalUserIdChange() ? GetOuterUserId() : GetUserId(), false);

	SPI_connect();
	if (CrIsShard(rel))
	{
		/* each shard has a row type of its own: a plan per shard */
		Oid			types[3] = {rel->rd_rel->reltype, TEXTOID, TEXTOID};

		plan = CrKeepPlanAt(rel, &link_feed_shard_slot, link_feed_sql, 3, types);
	}
	else
	{
		if (link_feed_plan == NULL || link_feed_rowtype != rel->rd_rel->reltype)
		{
			Oid			types[3] = {rel->rd_rel->reltype, TEXTOID, TEXTOID};

			if (link_feed_plan != NULL)
				SPI_freeplan(link_feed_plan);	/* the extension was created again */
			link_feed_plan = CrKeepPlan(link_feed_sql, 3, types);
			link_feed_rowtype = rel->rd_rel->reltype;
		}
		plan = link_feed_plan;
	}
	values[0] = heap_copy_tuple_as_datum(tup, RelationGetDescr(rel));
	values[1] = CStringGetTextDatum(deleted ? "delete" : "insert");
	values[2] = CStringGetTextDatum(who);
	(void) CrRunPlan(plan, values, nulls, false, 0, rel, SPI_OK_INSERT,
					 "writing the activity feed of a link");
	SPI_finish();
	return PointerGetDatum(NULL);
}
