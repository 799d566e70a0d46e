/*
 * crm_catalogue.c
 *		Picking from the tenant's lists (issue #19): an order line takes a
 *		product of the catalogue (crm_product), a document a document type
 *		(crm_document_type); free text stays allowed for what is not listed.
 *
 * BEFORE INSERT OR UPDATE OF product_id / document_type_id FOR EACH ROW, on
 * crm_order_line and crm_document (trigger argument: which).  When a line
 * names a product, what the line leaves empty comes from the product: the
 * item text (the product's name), unit, unit price and VAT rate; what the
 * line gives wins (a negotiated price, a different wording).  A line without
 * a product is free text as before, with the old defaults (price 0, VAT 21 %).
 * A document naming a type and no kind takes the type's code as its kind.
 * A product or type that is no longer active (is_active = false) is kept for
 * the rows that have it but cannot be picked for a new or changed row.
 *
 * The lookup reads the list row of the row's own tenant by its key, as the
 * table owner (like the foreign key check that follows).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
#include "utils/rel.h"

#include "client_registry.h"
#include "shard_map.h"
#include "trigger_support.h"

/*
 * ListRow reads row id of a list table of the tenant: NULL when there is
 * none (the foreign key then reports it).  The row is copied out of SPI.
 */
static HeapTuple
ListRow(Relation rel, SPIPlanPtr *plan, const char *sql, int32 tenant, int64 id, TupleDesc *desc)
{
	Datum		args[2] = {Int32GetDatum(tenant), Int64GetDatum(id)};
	Oid			types[2] = {INT4OID, INT8OID};
	HeapTuple	result = NULL;
	MemoryContext caller = CurrentMemoryContext;

	SPI_connect();
	if (CrRunPlan(CrKeepPlanAt(rel, plan, sql, 2, types), args, NULL, true, 1, rel, SPI_OK_SELECT, "reading a catalogue row") == 1)
	{
		MemoryContext spi = MemoryContextSwitchTo(caller);

		result = heap_copytuple(SPI_tuptable->vals[0]);
		*desc = CreateTupleDescCopy(SPI_tuptable->tupdesc);
		MemoryContextSwitchTo(spi);
	}
	SPI_finish();
	return result;
}

static void
RefuseInactive(Relation rel, const char *what, const char *code, const char *column)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("%s \"%s\" is no longer active", what, code),
			 errdetail("An inactive %s stays on the rows that have it but cannot be picked again.", what),
			 errhint("Activate it again (is_active = true), pick another, or type the item as free text."),
			 CrErrTableCol(rel, CrAttnum(rel, column))));
}

static bool
ColumnIsNull(HeapTuple tup, Relation rel, const char *col)
{
	bool		isnull;

	(void) heap_getattr(tup, CrAttnum(rel, col), RelationGetDescr(rel), &isnull);
	return isnull;
}

/* Sets col from the list row's column lcol when the row leaves it NULL. */
static void
FillFromList(CrRowChanges *changes, HeapTuple tup, Relation rel, const char *col,
			 HeapTuple lrow, TupleDesc ldesc, int lcol)
{
	bool		isnull;
	Datum		v;

	if (!ColumnIsNull(tup, rel, col))
		return;
	v = SPI_getbinval(lrow, ldesc, lcol, &isnull);
	CrSetDatum(changes, rel, col, v, isnull);
}

/* Sets a numeric column left NULL to a default, in the column's scale. */
static void
DefaultNumeric(CrRowChanges *changes, HeapTuple tup, Relation rel, const char *col, const char *value)
{
	int			attnum = CrAttnum(rel, col);
	int32		typmod = TupleDescAttr(RelationGetDescr(rel), attnum - 1)->atttypmod;

	if (!ColumnIsNull(tup, rel, col))
		return;
	CrSetDatum(changes, rel, col,
			   DirectFunctionCall3(numeric_in, CStringGetDatum(value), ObjectIdGetDatum(InvalidOid),
								   Int32GetDatum(typmod)),
			   false);
}

/* A picked product or type that the tenant's list does not have. */
static void
RefuseUnknown(Relation rel, const char *what, int64 id, const char *column)
{
	ereport(ERROR,
			(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
			 errmsg("there is no %s %lld in this tenant's list", what, (long long) id),
			 errdetail("%s refers to the tenant's own list.", column),
			 errhint("Pick an existing one, or leave %s empty and type the item as free text.", column),
			 CrErrTableCol(rel, CrAttnum(rel, column))));
}

static SPIPlanPtr product_plan = NULL;
static SPIPlanPtr doctype_plan = NULL;

/* crm_order_line: product defaults, then the free-text defaults. */
static HeapTuple
OrderLineDefaults(Relation rel, HeapTuple tup, bool product_picked)
{
	CrRowChanges changes = {0};
	bool		pnull;
	int64		product = CrGetInt64(tup, rel, "product_id", &pnull);

	if (!pnull && product_picked)
	{
		TupleDesc	ldesc;
		HeapTuple	lrow = ListRow(rel, &product_plan,
								   "SELECT code, name, unit, price, vat_rate, is_active"
								   "  FROM client_registry.crm_product"
								   " WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) $2",
								   CrGetInt32(tup, rel, "tenant_id"), product, &ldesc);

		if (lrow == NULL)
			RefuseUnknown(rel, "product", product, "product_id");
		else
		{
			bool		isnull;

			if (!DatumGetBool(SPI_getbinval(lrow, ldesc, 6, &isnull)))
				RefuseInactive(rel, "product", SPI_getvalue(lrow, ldesc, 1), "product_id");
			FillFromList(&changes, tup, rel, "item", lrow, ldesc, 2);
			FillFromList(&changes, tup, rel, "unit", lrow, ldesc, 3);
			FillFromList(&changes, tup, rel, "unit_price", lrow, ldesc, 4);
			FillFromList(&changes, tup, rel, "vat_rate", lrow, ldesc, 5);
			tup = CrApplyChanges(tup, rel, &changes);
			changes.n = 0;
		}
	}
	DefaultNumeric(&changes, tup, rel, "unit_price", "0");
	DefaultNumeric(&changes, tup, rel, "vat_rate", "21");
	return CrApplyChanges(tup, rel, &changes);
}

/* crm_document: the type's code as the kind. */
static HeapTuple
DocumentDefaults(Relation rel, HeapTuple tup)
{
	CrRowChanges changes = {0};
	bool		tnull;
	int64		type = CrGetInt64(tup, rel, "document_type_id", &tnull);
	TupleDesc	ldesc;
	HeapTuple	lrow;
	bool		isnull;

	if (tnull)
		return tup;
	lrow = ListRow(rel, &doctype_plan,
				   "SELECT code, is_active FROM client_registry.crm_document_type"
				   " WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) $2",
				   CrGetInt32(tup, rel, "tenant_id"), type, &ldesc);
	if (lrow == NULL)
		RefuseUnknown(rel, "document type", type, "document_type_id");
	if (!DatumGetBool(SPI_getbinval(lrow, ldesc, 2, &isnull)))
		RefuseInactive(rel, "document type", SPI_getvalue(lrow, ldesc, 1), "document_type_id");
	FillFromList(&changes, tup, rel, "kind", lrow, ldesc, 1);
	return CrApplyChanges(tup, rel, &changes);
}

PG_FUNCTION_INFO_V1(cr_crm_catalogue_defaults);

/*
 * cr_crm_catalogue_defaults: BEFORE INSERT OR UPDATE OF product_id /
 * document_type_id FOR EACH ROW; argument 'order_line' or 'document'.
 */
Datum
cr_crm_catalogue_defaults(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_crm_catalogue_defaults", true, true);
	Relation	rel = trigdata->tg_relation;
	bool		update = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event);
	HeapTuple	tup = update ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	const char *which = trigdata->tg_trigger->tgnargs > 0 ? trigdata->tg_trigger->tgargs[0] : "";
	const char *list_col = strcmp(which, "document") == 0 ? "document_type_id" : "product_id";
	bool		picked = true;

	CrCheckRowTenant(rel, CrGetInt32(tup, rel, "tenant_id"));
	if (CrRestoreInProgress())
		return PointerGetDatum(tup);	/* restored rows are complete as dumped */
	if (update)
	{
		bool		on,
					nn;
		int64		o = CrGetInt64(trigdata->tg_trigtuple, rel, list_col, &on);
		int64		n = CrGetInt64(tup, rel, list_col, &nn);

		picked = on != nn || o != n;
		if (!picked)
			return PointerGetDatum(tup);	/* the same product or type: nothing to fill */
	}
	if (strcmp(which, "order_line") == 0)
		tup = OrderLineDefaults(rel, tup, picked);
	else if (strcmp(which, "document") == 0)
		tup = DocumentDefaults(rel, tup);
	else
		elog(ERROR, "cr_crm_catalogue_defaults: unknown argument \"%s\"", which);
	return PointerGetDatum(tup);
}
