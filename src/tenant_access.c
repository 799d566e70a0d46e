/*
 * tenant_access.c
 *		Tenants as a security boundary: which roles may work in which tenant.
 *
 * The tenant a statement works in is the setting client_registry.tenant,
 * which any role may SET (applications and connection poolers switch tenant
 * with SET / SET LOCAL).  Setting it is not enough to use it: the role must
 * be a member of the tenant.  Memberships are rows of tenant_access
 * (member, tenant_id), tenant_id NULL meaning every tenant (a pooled
 * application role); a row for a group role counts for every role that has
 * its privileges (has_privs_of_role, like a GRANT on a table).  A row
 * grants only while its role OID still carries the name recorded with it,
 * so a dropped role's OID taken by a new role inherits nothing.  Roles that
 * row-level security does not apply to -- the tables' owner and its members,
 * superusers, BYPASSRLS roles -- work in any tenant.
 *
 *	current_tenant()	the setting when the role is a member, else NULL.  Every
 *		row-level security policy is tenant_id = current_tenant(), so a role
 *		that sets a tenant it does not belong to reads nothing: no rows, no
 *		counts, no messages about that tenant's clients.
 *	CrCurrentTenant()	the same for C code that is about to act in the tenant
 *		(merge, i.SAF, bank import, rules): 42501 when not a member.
 *	CrCheckRowTenant()	the first step of every BEFORE ROW trigger: the row
 *		must be of the session's tenant and the role a member, or 42501
 *		before any rule reads anything.
 *	cr_tenant_write_guard	BEFORE ... FOR EACH STATEMENT trigger of every
 *		tenant table: any INSERT, UPDATE or DELETE by a non-member fails with
 *		42501 (an UPDATE would otherwise silently match no rows).
 *
 * Cost.  The membership is looked up once per statement (an index probe of
 * tenant_access with the latest committed snapshot, so a revocation is seen
 * by the very next statement of every session, whatever its isolation
 * level) and kept for the rest of the statement: the policies call
 * current_tenant() for every row, and the triggers for every row, but only
 * the first call of a statement reads the table.  The cache is keyed by
 * role, tenant, transaction and statement start, and by a generation counter
 * that changes of tenant_access in this session bump.
 *
 * Citus.  On a server where Citus is loaded a session SET never reaches the
 * worker nodes, which would then see the default tenant.  There the tenant
 * must be set inside the transaction that uses it (SET LOCAL, which Citus
 * propagates with citus.propagate_set_commands = 'local'); using a tenant
 * that was not set in the current transaction is an error on every node.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/parallel.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/guc_tables.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "client_registry.h"
#include "shard_map.h"
#include "trigger_support.h"

/* One statement's answer for one role and tenant. */
typedef struct TenantAccessCache
{
	bool		valid;
	Oid			userid;
	int32		tenant_id;
	LocalTransactionId lxid;
	TimestampTz statement_start;
	uint64		generation;
	bool		allowed;
} TenantAccessCache;

static TenantAccessCache access_cache;
static uint64 access_generation = 0;
static uint64 access_lookups = 0;
static struct config_generic *tenant_guc = NULL;

/*
 * TenantGuc finds the config_generic of client_registry.tenant (to see
 * whether it was set in the current transaction).
 */
static struct config_generic *
TenantGuc(void)
{
	if (tenant_guc == NULL)
	{
		struct config_generic **vars = get_guc_variables();
		int			n = GetNumConfigOptions();

		for (int i = 0; i < n; i++)
			if (strcmp(vars[i]->name, "client_registry.tenant") == 0)
				tenant_guc = vars[i];
	}
	return tenant_guc;
}

/*
 * CitusLoaded: the Citus library is loaded into this backend (its settings
 * are real, not placeholders).  Citus can only be loaded at server start
 * (shared_preload_libraries), before any statement of this backend calls
 * this, so the first answer holds for the life of the backend.
 */
static bool
CitusLoaded(void)
{
	static int	citus_loaded = -1;

	if (citus_loaded < 0)
		citus_loaded = GetConfigOption("citus.propagate_set_commands", true, false) != NULL &&
			(GetConfigOptionFlags("citus.propagate_set_commands", true) & GUC_CUSTOM_PLACEHOLDER) == 0;
	return citus_loaded == 1;
}

/*
 * FromCitusNode: this backend serves a connection Citus opened from another
 * node (its application_name is citus_internal ..., citus_run_command ...):
 * the tenant it has came with the coordinator's SET LOCAL, and whether that
 * one was carried everywhere was checked on the coordinator.  (A client that
 * names itself so only switches this safety net off for itself: the
 * memberships are checked all the same.)
 */
static bool
FromCitusNode(void)
{
	const char *name = GetConfigOption("application_name", true, false);

	return name != NULL && strncmp(name, "citus_", 6) == 0;
}

/* the last tenant setting found carried to the workers, per transaction */
static LocalTransactionId travels_checked_in = InvalidLocalTransactionId;
static GucStack *travels_checked_stack = NULL;
static GucStackState travels_checked_state;
static int	travels_checked_level;
static int32 travels_checked_tenant;

/*
 * CheckTenantTravelsWithTransaction: on Citus, the tenant must have been set
 * in this transaction (so that SET LOCAL carried it to every node).  Where
 * the statement starts (not on a worker serving the coordinator), the value
 * must also come from a SET LOCAL that Citus carries to the workers: a SET
 * in the transaction, or a SET LOCAL while citus.propagate_set_commands is
 * not 'local', stays on this node, and the workers would go on with no
 * tenant or with the one set before.  Checked once per value, setting and
 * transaction (the policies call current_tenant() for every row).  On one
 * node nothing of this runs (CitusLoaded is one comparison).
 */
static void
CheckTenantTravelsWithTransaction(void)
{
	struct config_generic *g;
	GucStack   *top;
	const char *propagate;

	/* a parallel worker has the leader's settings, which the leader checked */
	if (!CitusLoaded() || IsParallelWorker())
		return;
	g = TenantGuc();
	if (g == NULL || g->stack == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
				 errmsg("client_registry.tenant was not set in this transaction"),
				 errdetail("On a Citus cluster a session-level SET does not reach the worker nodes, so every node could work in a different tenant."),
				 errhint("Set the tenant inside each transaction: BEGIN; SET LOCAL client_registry.tenant = ...; with citus.propagate_set_commands = 'local'.")));
	top = g->stack;
	if (travels_checked_in == MyProc->lxid && travels_checked_stack == top &&
		travels_checked_state == top->state && travels_checked_level == top->nest_level &&
		travels_checked_tenant == cr_current_tenant)
		return;
	if (!FromCitusNode())
	{
		if (top->state != GUC_LOCAL && top->state != GUC_SET_LOCAL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
					 errmsg("client_registry.tenant was set in this transaction with SET, not SET LOCAL"),
					 errdetail("On a Citus cluster only SET LOCAL reaches the worker nodes; after a SET (or set_config(..., false), or a function's SET clause) this node and the workers could work in different tenants."),
					 errhint("Set the tenant with SET LOCAL client_registry.tenant = ... in each transaction.")));
		propagate = GetConfigOption("citus.propagate_set_commands", true, false);
		if (propagate == NULL || strcmp(propagate, "local") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
					 errmsg("client_registry.tenant does not reach the worker nodes: citus.propagate_set_commands is \"%s\"",
							propagate ? propagate : ""),
					 errdetail("Citus carries SET LOCAL to the worker nodes only with citus.propagate_set_commands = 'local'; this node and the workers could work in different tenants."),
					 errhint("Set citus.propagate_set_commands = 'local' before the tenant (ALTER ROLE ... SET citus.propagate_set_commands = 'local', or SET LOCAL first in the transaction).")));
	}
	travels_checked_in = MyProc->lxid;
	travels_checked_stack = top;
	travels_checked_state = top->state;
	travels_checked_level = top->nest_level;
	travels_checked_tenant = cr_current_tenant;
}

/*
 * RlsAppliesTo: whether row-level security applies to the current role on
 * the registry's tables (false for the owner, its members, superusers and
 * BYPASSRLS roles, who work across tenants).
 */
static bool
RlsAppliesTo(Oid relid)
{
	return check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED;
}

static Oid
RegistryRelid(const char *relname)
{
	Oid			nsp = get_namespace_oid(CR_SCHEMA, false);
	Oid			relid = InvalidOid;

	/*
	 * On Citus the memberships are in the local placement of the reference
	 * table tenant_access (its shell is empty), with this node's role OIDs.
	 */
	if (strncmp(relname, "tenant_access", 13) == 0)
		relid = CrLocalPlacementRelid("tenant_access", strcmp(relname, "tenant_access") == 0 ? NULL : relname);
	if (!OidIsValid(relid))
		relid = get_relname_relid(relname, nsp);

	if (!OidIsValid(relid))
		elog(ERROR, "relation %s.%s does not exist", CR_SCHEMA, relname);
	return relid;
}

/*
 * MemberNameMatches: the role of that OID still has the name recorded with
 * the membership.
 */
static bool
MemberNameMatches(Relation rel, HeapTuple tup, Oid member, AttrNumber name_att)
{
	bool		isnull;
	Datum		recorded = heap_getattr(tup, name_att, RelationGetDescr(rel), &isnull);
	char	   *current = GetUserNameFromId(member, true);

	return !isnull && current != NULL && strcmp(current, NameStr(*DatumGetName(recorded))) == 0;
}

/*
 * MembershipRowsGrant scans tenant_access for rows of one tenant (or, with
 * all_tenants, the rows granting every tenant) and answers whether one of
 * them names a role whose privileges userid has.
 */
static bool
MembershipRowsGrant(Relation rel, Oid indexid, Snapshot snap, Oid userid,
					int32 tenant_id, bool all_tenants)
{
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	bool		found = false;
	AttrNumber	member_att = CrAttnum(rel, "member");
	AttrNumber	name_att = CrAttnum(rel, "member_name");
	AttrNumber	tenant_att = CrAttnum(rel, "tenant_id");

	/* scan keys name heap columns; systable_beginscan maps them to the index */

	if (all_tenants)
	{
		ScanKeyEntryInitialize(&key, SK_ISNULL | SK_SEARCHNULL, tenant_att,
							   InvalidStrategy, InvalidOid, InvalidOid, InvalidOid, (Datum) 0);
	}
	else
		ScanKeyInit(&key, tenant_att, BTEqualStrategyNumber, F_INT4EQ, Int32GetDatum(tenant_id));

	scan = systable_beginscan(rel, indexid, true, snap, 1, &key);
	while (!found && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;
		Datum		member = heap_getattr(tup, member_att, RelationGetDescr(rel), &isnull);
		bool		tenant_null;

		(void) heap_getattr(tup, tenant_att, RelationGetDescr(rel), &tenant_null);
		if (isnull || tenant_null != all_tenants)
			continue;
		found = has_privs_of_role(userid, DatumGetObjectId(member)) &&
			MemberNameMatches(rel, tup, DatumGetObjectId(member), name_att);
	}
	systable_endscan(scan);
	return found;
}

/*
 * RoleIsTenantMember looks the membership up (no cache).
 */
static bool
RoleIsTenantMember(Oid userid, int32 tenant_id)
{
	Oid			relid = RegistryRelid("tenant_access");
	Oid			indexid = RegistryRelid("tenant_access_tenant_idx");
	Relation	rel;
	Snapshot	snap;
	bool		found;

	access_lookups++;
	rel = table_open(relid, AccessShareLock);

	/*
	 * The latest committed state, so that a revocation takes effect at the
	 * next statement.  In parallel mode (a policy evaluated by a parallel
	 * query, in the leader or a worker) a new snapshot cannot be taken; the
	 * statement's own snapshot is used there, which every process of the
	 * parallel query shares.
	 */
	if (IsInParallelMode() && ActiveSnapshotSet())
		snap = RegisterSnapshot(GetActiveSnapshot());
	else
		snap = RegisterSnapshot(GetLatestSnapshot());
	found = MembershipRowsGrant(rel, indexid, snap, userid, tenant_id, false) ||
		MembershipRowsGrant(rel, indexid, snap, userid, tenant_id, true);
	UnregisterSnapshot(snap);
	table_close(rel, AccessShareLock);
	return found;
}

/*
 * TenantAllowed answers, once per statement, whether the current role may
 * work in the tenant (true without a lookup for roles RLS does not apply to).
 */
static bool
TenantAllowed(int32 tenant_id)
{
	Oid			userid = GetUserId();
	LocalTransactionId lxid = MyProc->lxid;
	TimestampTz stmt = GetCurrentStatementStartTimestamp();

	if (access_cache.valid && access_cache.userid == userid &&
		access_cache.tenant_id == tenant_id && access_cache.lxid == lxid &&
		access_cache.statement_start == stmt && access_cache.generation == access_generation)
		return access_cache.allowed;

	access_cache.valid = false;
	if (!RlsAppliesTo(RegistryRelid("tenant")) || superuser_arg(userid))
		access_cache.allowed = true;
	else
		access_cache.allowed = RoleIsTenantMember(userid, tenant_id);
	access_cache.userid = userid;
	access_cache.tenant_id = tenant_id;
	access_cache.lxid = lxid;
	access_cache.statement_start = stmt;
	access_cache.generation = access_generation;
	access_cache.valid = true;
	return access_cache.allowed;
}

static void
RefuseNonMember(int32 tenant_id)
{
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("role \"%s\" is not a member of tenant %d",
					GetUserNameFromId(GetUserId(), false), tenant_id),
			 errdetail("client_registry.tenant names the tenant a session works in; only members of a tenant may use it."),
			 errhint("The registry's owner grants a tenant to a role with SELECT client_registry.grant_tenant(tenant, role).")));
}

/*
 * CrCurrentTenant: see client_registry.h.
 */
int32
CrCurrentTenant(void)
{
	CheckTenantTravelsWithTransaction();
	if (!TenantAllowed(cr_current_tenant))
		RefuseNonMember(cr_current_tenant);
	return cr_current_tenant;
}

/*
 * CrCheckRowTenant refuses, before a trigger does anything else, a row
 * written by a role that row-level security applies to, unless the role is a
 * member of the session's tenant and the row belongs to it.  PostgreSQL
 * checks the policy only after the BEFORE ROW triggers; without this, a
 * trigger's lookups and messages could touch another tenant's data.
 */
void
CrCheckRowTenant(Relation rel, int32 row_tenant)
{
	int32		tenant;

	if (!RlsAppliesTo(RelationGetRelid(rel)))
		return;					/* the owner works across tenants */
	tenant = CrCurrentTenant();
	if (row_tenant == tenant)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("new row violates row-level security policy for table \"%s\"",
					CrLogicalName(rel)),
			 errdetail("The row is not of tenant %d, the tenant this session works in.", tenant),
			 errhint("Leave tenant_id to its default.")));
}

/*
 * CrCurrentTenantIfMember: see client_registry.h.
 */
bool
CrCurrentTenantIfMember(int32 *tenant)
{
	CheckTenantTravelsWithTransaction();
	if (!TenantAllowed(cr_current_tenant))
		return false;
	*tenant = cr_current_tenant;
	return true;
}

PG_FUNCTION_INFO_V1(cr_current_tenant_id);

/*
 * current_tenant(): the session's tenant when the current role may work in
 * it, NULL otherwise (the policies then match no row).
 */
Datum
cr_current_tenant_id(PG_FUNCTION_ARGS)
{
	CheckTenantTravelsWithTransaction();
	if (!TenantAllowed(cr_current_tenant))
		PG_RETURN_NULL();
	PG_RETURN_INT32(cr_current_tenant);
}

PG_FUNCTION_INFO_V1(cr_tenant_write_guard);

/*
 * cr_tenant_write_guard is the BEFORE INSERT OR UPDATE OR DELETE FOR EACH
 * STATEMENT trigger of every tenant table.
 */
Datum
cr_tenant_write_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_tenant_write_guard", true, false);

	if (RlsAppliesTo(RelationGetRelid(trigdata->tg_relation)))
		(void) CrCurrentTenant();
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(cr_tenant_access_changed);

/*
 * cr_tenant_access_changed is the AFTER ... FOR EACH STATEMENT trigger of
 * tenant_access: this session's cached answers are stale.
 */
Datum
cr_tenant_access_changed(PG_FUNCTION_ARGS)
{
	(void) CrTriggerCheck(fcinfo, "cr_tenant_access_changed", false, false);
	access_generation++;
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(cr_tenant_member);

/*
 * tenant_member(tenant, role): whether the role may work in the tenant (for
 * the owner's checks and for my_tenants()); no cache.
 */
Datum
cr_tenant_member(PG_FUNCTION_ARGS)
{
	int32		tenant_id = PG_GETARG_INT32(0);
	Oid			roleid = PG_GETARG_OID(1);

	if (superuser_arg(roleid) || check_enable_rls(RegistryRelid("tenant"), roleid, true) != RLS_ENABLED)
		PG_RETURN_BOOL(true);
	PG_RETURN_BOOL(RoleIsTenantMember(roleid, tenant_id));
}

PG_FUNCTION_INFO_V1(cr_tenant_access_lookups);

/*
 * tenant_access_lookups(): how many times this backend read tenant_access
 * (tests show it is once per statement, not per row).
 */
Datum
cr_tenant_access_lookups(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64((int64) access_lookups);
}

PG_FUNCTION_INFO_V1(cr_my_tenants);

/*
 * my_tenants(): the tenants the current role may work in.  A role that
 * row-level security does not apply to, or a member of every tenant, gets
 * one row (NULL, true); otherwise one row per tenant, in order.
 */
Datum
cr_my_tenants(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			userid = GetUserId();
	Datum		values[2];
	bool		nulls[2] = {false, false};
	bool		all_tenants = false;
	List	   *tenants = NIL;
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	if (!RlsAppliesTo(RegistryRelid("tenant")) || superuser_arg(userid))
		all_tenants = true;
	else
	{
		Relation	rel = table_open(RegistryRelid("tenant_access"), AccessShareLock);
		AttrNumber	member_att = CrAttnum(rel, "member");
		AttrNumber	tenant_att = CrAttnum(rel, "tenant_id");
		SysScanDesc scan = systable_beginscan(rel, InvalidOid, false, GetActiveSnapshot(), 0, NULL);
		HeapTuple	tup;

		while (HeapTupleIsValid(tup = systable_getnext(scan)))
		{
			bool		isnull;
			bool		tenant_null;
			Datum		member = heap_getattr(tup, member_att, RelationGetDescr(rel), &isnull);
			Datum		tenant = heap_getattr(tup, tenant_att, RelationGetDescr(rel), &tenant_null);

			CHECK_FOR_INTERRUPTS();
			if (isnull || !has_privs_of_role(userid, DatumGetObjectId(member)) ||
				!MemberNameMatches(rel, tup, DatumGetObjectId(member), CrAttnum(rel, "member_name")))
				continue;
			if (tenant_null)
				all_tenants = true;
			else
				tenants = list_append_unique_int(tenants, DatumGetInt32(tenant));
		}
		systable_endscan(scan);
		table_close(rel, AccessShareLock);
	}

	if (all_tenants)
	{
		nulls[0] = true;
		values[1] = BoolGetDatum(true);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		return (Datum) 0;
	}
	list_sort(tenants, list_int_cmp);
	foreach(lc, tenants)
	{
		values[0] = Int32GetDatum(lfirst_int(lc));
		values[1] = BoolGetDatum(false);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(cr_tenant_access_write_guard);

/*
 * cr_tenant_access_write_guard is the BEFORE ... FOR EACH STATEMENT trigger
 * of tenant_access: memberships are written by the owner only, whatever
 * table privileges a role was given.
 */
Datum
cr_tenant_access_write_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_tenant_access_write_guard", true, false);

	if (RlsAppliesTo(RelationGetRelid(trigdata->tg_relation)))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to change tenant memberships"),
				 errdetail("Tenant memberships are the boundary between tenants; only the registry's owner changes them."),
				 errhint("Ask the owner to run client_registry.grant_tenant() or revoke_tenant().")));
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(cr_tenant_access_before_write);

/*
 * cr_tenant_access_before_write is the BEFORE INSERT OR UPDATE FOR EACH ROW
 * trigger of tenant_access: it records the member role's current name next
 * to its OID (see MemberNameMatches).
 */
Datum
cr_tenant_access_before_write(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_tenant_access_before_write", true, true);
	Relation	rel = trigdata->tg_relation;
	HeapTuple	tup = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	CrRowChanges changes = {0};
	bool		isnull;
	Datum		member = heap_getattr(tup, CrAttnum(rel, "member"), RelationGetDescr(rel), &isnull);
	char	   *name;
	NameData   *recorded;

	if (isnull)
		return PointerGetDatum(tup);	/* the NOT NULL constraint reports it */
	name = GetUserNameFromId(DatumGetObjectId(member), true);
	if (name == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("role with OID %u does not exist", DatumGetObjectId(member)),
				 errhint("Grant tenants to existing roles.")));
	recorded = (NameData *) palloc0(sizeof(NameData));
	namestrcpy(recorded, name);
	CrSetDatum(&changes, rel, "member_name", NameGetDatum(recorded), false);
	return PointerGetDatum(CrApplyChanges(tup, rel, &changes));
}
