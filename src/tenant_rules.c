/*
 * tenant_rules.c
 *		Rules about tenants and client kinds.
 *
 *	cr_client_after_insert_statement  R1.5: a tenant's clients start with its
 *		own company.  Checked once per statement over the inserted rows (a
 *		transition table), so a bulk COPY pays one query, and a dump restores
 *		(the whole table is one COPY) whatever the physical row order.
 *	cr_assert_client_role  R1.3: the check documents call: sales only to a
 *		buyer or buyer/supplier with a sales tax category, purchases only
 *		from a supplier or buyer/supplier with a purchase tax category, and
 *		never with an inactive client.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "client_registry.h"
#include "tenant_rules.h"
#include "shard_map.h"
#include "trigger_support.h"

/* sql as is on one node; over rel's co-located shards on a Citus worker */
static const char *
ShardSql(Relation rel, const char *sql)
{
	return CrIsShard(rel) ? CrLocalizeSql(rel, sql) : sql;
}

PG_FUNCTION_INFO_V1(cr_client_after_insert_statement);

/*
 * cr_client_after_insert_statement is the AFTER INSERT FOR EACH STATEMENT
 * trigger (REFERENCING NEW TABLE AS cr_new_clients) of client.
 */
Datum
cr_client_after_insert_statement(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_client_after_insert_statement", false, false);
	int			ret;
	char	   *tenant = NULL;

	SPI_connect();
	if (SPI_register_trigger_data(trigdata) != SPI_OK_TD_REGISTER)
		elog(ERROR, "SPI_register_trigger_data failed");
	/* on a Citus worker: over the shard the trigger fires on (shard_map.c) */
	ret = SPI_execute(ShardSql(trigdata->tg_relation,
							   "SELECT n.tenant_id FROM (SELECT DISTINCT tenant_id FROM cr_new_clients) n"
							   " WHERE NOT EXISTS (SELECT 1 FROM client_registry.client c"
							   "                    WHERE c.tenant_id OPERATOR(pg_catalog.=) n.tenant_id"
							   "                      AND c.kind OPERATOR(pg_catalog.=) 'own_company'::client_registry.client_kind)"
							   " ORDER BY 1 LIMIT 1"), false, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
	if (SPI_processed > 0)
		tenant = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	if (tenant != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("tenant %s has no own company", tenant),
				 errdetail("The first client of a tenant is its own company (R1.5); the other clients need it to exist."),
				 errhint("Insert the own company first, for example: INSERT INTO client_registry.client (kind, name, company_code, vat_code) VALUES ('own_company', 'UAB Mano imone', '110003978', 'LT100001919017');"),
				 errtable(trigdata->tg_relation)));
	SPI_finish();
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(cr_client_after_delete_statement);

/*
 * cr_client_after_delete_statement is the AFTER DELETE FOR EACH STATEMENT
 * trigger (REFERENCING OLD TABLE AS cr_old_clients) of client: the own
 * company goes only together with the last client of its tenant.  The
 * tenant row is locked first (FOR UPDATE conflicts with the key-share lock
 * that every insert's foreign-key check takes on it), so a client added
 * concurrently is either seen here or refused by the own-company rule.
 */
Datum
cr_client_after_delete_statement(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_client_after_delete_statement", false, false);
	Relation	rel = trigdata->tg_relation;
	int			ret;
	uint64		n;
	int32	   *tenants;
	char	  **ids;
	char	  **names;
	Oid			argtypes[1] = {INT4OID};
	CrUserSwitch sw;

	SPI_connect();
	if (SPI_register_trigger_data(trigdata) != SPI_OK_TD_REGISTER)
		elog(ERROR, "SPI_register_trigger_data failed");
	ret = SPI_execute("SELECT tenant_id, id, name FROM cr_old_clients"
					  " WHERE kind OPERATOR(pg_catalog.=) 'own_company'::client_registry.client_kind"
					  " ORDER BY tenant_id", true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
	n = SPI_processed;
	tenants = palloc(sizeof(int32) * (n + 1));
	ids = palloc(sizeof(char *) * (n + 1));
	names = palloc(sizeof(char *) * (n + 1));
	for (uint64 i = 0; i < n; i++)
	{
		bool		isnull;

		tenants[i] = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
		ids[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);
		names[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 3);
	}

	for (uint64 i = 0; i < n; i++)
	{
		Datum		args[1] = {Int32GetDatum(tenants[i])};
		bool		others;

		CrBecomeOwner(rel, &sw);
		ret = SPI_execute_with_args(ShardSql(rel, "SELECT 1 FROM client_registry.tenant"
											 " WHERE id OPERATOR(pg_catalog.=) $1 FOR UPDATE"),
									1, argtypes, args, NULL, false, 0);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(ret));
		ret = SPI_execute_with_args(ShardSql(rel, "SELECT 1 FROM client_registry.client"
											 " WHERE tenant_id OPERATOR(pg_catalog.=) $1 LIMIT 1"),
									1, argtypes, args, NULL, false, 1);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(ret));
		others = SPI_processed > 0;
		CrRestoreUser(&sw);
		if (others)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("client %s \"%s\" is the own company of tenant %d and cannot be deleted",
							ids[i], names[i], tenants[i]),
					 errdetail("Every tenant with clients has exactly one own company (R1.5)."),
					 errhint("Edit the own company instead; it can only be deleted together with or after the last other client of its tenant."),
					 errtable(rel)));
	}
	SPI_finish();
	return PointerGetDatum(NULL);
}

/*
 * CrAssertClientRole raises an error unless the client of the tenant may
 * take part in a document of the role: sale (buyer or buyer/supplier with a
 * sales tax category) or purchase (supplier or buyer/supplier with a
 * purchase tax category), and is active.
 */
static SPIPlanPtr client_role_plan = NULL;

void
CrAssertClientRole(int64 client_id, int32 tenant_id, bool sale)
{
	CrAssertClientRoleAt(NULL, client_id, tenant_id, sale);
}

/*
 * CrAssertClientRoleAt is CrAssertClientRole from a trigger on rel: on a
 * Citus worker the client is read from rel's co-located shard.
 */
void
CrAssertClientRoleAt(Relation rel, int64 client_id, int32 tenant_id, bool sale)
{
	static const char client_role_sql[] =
		"SELECT name, kind::text, is_active::text, sales_tax_category, purchase_tax_category"
		"  FROM client_registry.client WHERE id OPERATOR(pg_catalog.=) $1"
		"   AND tenant_id OPERATOR(pg_catalog.=) $2";
	SPIPlanPtr	plan;
	const char *role = sale ? "sale" : "purchase";
	Oid			argtypes[2] = {INT8OID, INT4OID};
	Datum		args[2];
	int			ret;
	char	   *name,
			   *kind,
			   *active,
			   *tax;

	args[0] = Int64GetDatum(client_id);
	args[1] = Int32GetDatum(tenant_id);
	SPI_connect();
	if (rel != NULL)
		plan = CrKeepPlanAt(rel, &client_role_plan, client_role_sql, 2, argtypes);
	else
	{
		if (client_role_plan == NULL)
			client_role_plan = CrKeepPlan(client_role_sql, 2, argtypes);
		plan = client_role_plan;
	}
	ret = SPI_execute_plan(plan, args, NULL, false, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("client %lld does not exist in tenant %d", (long long) client_id, tenant_id),
				 errhint("Check the client id.")));
	name = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	kind = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	active = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
	tax = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, sale ? 4 : 5);

	if (sale ? !(strcmp(kind, "buyer") == 0 || strcmp(kind, "buyer_supplier") == 0)
		: !(strcmp(kind, "supplier") == 0 || strcmp(kind, "buyer_supplier") == 0))
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("client %lld \"%s\" is of kind %s and cannot be used in a %s",
						(long long) client_id, name, kind, role),
				 errdetail("%s", sale ? "Sales are made only to buyers and buyer/suppliers (R1.3)."
						   : "Purchases are made only from suppliers and buyer/suppliers (R1.3)."),
				 errhint("Change the client's kind to %s if that is what it is.",
						 sale ? "buyer or buyer_supplier" : "supplier or buyer_supplier")));
	/* an imported document of the past may be a buyer's that is inactive now */
	if (strcmp(active, "true") != 0 && cr_import_run_id == 0)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("client %lld \"%s\" is inactive and cannot be used in a new %s",
						(long long) client_id, name, role),
				 errhint("Reactivate the client (is_active = true) or use the client it was merged into.")));
	if (tax == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("client %lld \"%s\" has no %s tax category", (long long) client_id, name,
						sale ? "sales" : "purchase"),
				 errdetail("Buyers and suppliers must have a VAT tax category before they are used in documents (R1.3)."),
				 errhint("Set %s on the client card.", sale ? "sales_tax_category" : "purchase_tax_category")));
	SPI_finish();
}

PG_FUNCTION_INFO_V1(cr_assert_client_role);

/*
 * cr_assert_client_role(client_id bigint, role text) raises an error unless
 * the client of the current tenant may take part in a document of that role
 * ('sale' or 'purchase').
 */
Datum
cr_assert_client_role(PG_FUNCTION_ARGS)
{
	int64		client_id = PG_GETARG_INT64(0);
	char	   *role = text_to_cstring(PG_GETARG_TEXT_PP(1));

	if (strcmp(role, "sale") != 0 && strcmp(role, "purchase") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown document role \"%s\"", role),
				 errhint("Use 'sale' or 'purchase'.")));
	CrAssertClientRole(client_id, CrCurrentTenant(), strcmp(role, "sale") == 0);
	PG_RETURN_VOID();
}

/*
 * Tenants known to exist in this transaction.  A tenant row is created on the
 * first write of a tenant.  Each transaction checks once per tenant (one
 * index probe) and then remembers the answer until it ends, so a bulk load
 * pays one lookup per tenant, not per row.  The answer is tagged with the
 * subtransaction that found it: a rolled-back subtransaction forgets its own
 * entries, a committed one hands them to its parent.  Nothing is kept across
 * transactions, so a tenant row deleted (or an extension re-created) by
 * anyone is never assumed to exist.
 */
#define MAX_TENANTS_SEEN 64
typedef struct SeenTenant
{
	int32		tenant_id;
	SubTransactionId subid;
} SeenTenant;

static SeenTenant seen_tenants[MAX_TENANTS_SEEN];
static int	n_seen_tenants = 0;
static bool callbacks_registered = false;
static SPIPlanPtr tenant_probe_plan = NULL;
static SPIPlanPtr tenant_insert_plan = NULL;

static void
TenantCacheXactCallback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_COMMIT ||
		event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT ||
		event == XACT_EVENT_PREPARE)
		n_seen_tenants = 0;
}

static void
TenantCacheSubXactCallback(SubXactEvent event, SubTransactionId mySubid,
						   SubTransactionId parentSubid, void *arg)
{
	int			kept = 0;

	if (event != SUBXACT_EVENT_ABORT_SUB && event != SUBXACT_EVENT_COMMIT_SUB)
		return;
	for (int i = 0; i < n_seen_tenants; i++)
	{
		if (seen_tenants[i].subid == mySubid)
		{
			if (event == SUBXACT_EVENT_ABORT_SUB)
				continue;		/* forgotten with the subtransaction */
			seen_tenants[i].subid = parentSubid;
		}
		seen_tenants[kept++] = seen_tenants[i];
	}
	n_seen_tenants = kept;
}

/*
 * CrEnsureTenant makes sure the tenant row exists, creating it with the
 * rights of the extension's owner (who owns anyrel and the tenant table),
 * so applications need no privilege on the tenant table.
 */
void
CrEnsureTenant(Relation anyrel, int32 tenant_id)
{
	Oid			argtypes[1] = {INT4OID};
	Datum		args[1] = {Int32GetDatum(tenant_id)};
	CrUserSwitch sw;
	int			ret;

	for (int i = 0; i < n_seen_tenants; i++)
		if (seen_tenants[i].tenant_id == tenant_id)
			return;
	if (tenant_id <= 0)
		return;					/* the CHECK constraint of tenant reports it */
	if (CrIsShard(anyrel))
		return;					/* Citus: tenants are made on the coordinator (reference rows) */

	if (!callbacks_registered)
	{
		RegisterXactCallback(TenantCacheXactCallback, NULL);
		RegisterSubXactCallback(TenantCacheSubXactCallback, NULL);
		callbacks_registered = true;
	}

	SPI_connect();
	if (tenant_probe_plan == NULL)
	{
		tenant_probe_plan = CrKeepPlan("SELECT 1 FROM client_registry.tenant WHERE id OPERATOR(pg_catalog.=) $1",
									   1, argtypes);
		tenant_insert_plan = CrKeepPlan("INSERT INTO client_registry.tenant (id) VALUES ($1) ON CONFLICT DO NOTHING",
										1, argtypes);
	}
	CrBecomeOwner(anyrel, &sw);
	ret = SPI_execute_plan(tenant_probe_plan, args, NULL, false, 1);
	if (ret == SPI_OK_SELECT && SPI_processed == 0)
		ret = SPI_execute_plan(tenant_insert_plan, args, NULL, false, 0);
	CrRestoreUser(&sw);
	if (ret != SPI_OK_SELECT && ret != SPI_OK_INSERT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(ret));
	SPI_finish();

	if (n_seen_tenants < MAX_TENANTS_SEEN)
	{
		seen_tenants[n_seen_tenants].tenant_id = tenant_id;
		seen_tenants[n_seen_tenants].subid = GetCurrentSubTransactionId();
		n_seen_tenants++;
	}
}

PG_FUNCTION_INFO_V1(cr_ensure_tenant);

/*
 * cr_ensure_tenant is the BEFORE INSERT FOR EACH ROW trigger of tables that
 * reference tenant directly (client_group, label): it creates the tenant
 * row on first use.
 */
Datum
cr_ensure_tenant(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_ensure_tenant", true, true);
	int32		tenant_id = CrGetInt32(trigdata->tg_trigtuple, trigdata->tg_relation, "tenant_id");

	CrCheckRowTenant(trigdata->tg_relation, tenant_id);
	CrEnsureTenant(trigdata->tg_relation, tenant_id);
	return PointerGetDatum(trigdata->tg_trigtuple);
}
