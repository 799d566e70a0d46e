/*
 * crm_visibility.c
 *		Who may see which CRM row (R5.5, issue #19): visibility user /
 *		department / everyone on tasks, events, documents, interactions and
 *		opportunities; comments, links and activity-feed entries follow the
 *		rows they belong to.
 *
 * The rules, in one place (ViewerMaySee).  A row with visibility
 *	 everyone	is seen by every user of the tenant (and by roles without a
 *				crm_user);
 *	 department	by its owner, its assignee (tasks), and the users of its
 *				department;
 *	 user		by its owner and its assignee (tasks) only;
 * and whatever its visibility, by a manager (crm_user.is_manager) of the
 * row's department.  "Owner" is owner_user_id on tasks, events and
 * opportunities, user_id (who recorded it) on documents and interactions.
 *
 * Row-level security calls these functions from plain policy expressions
 * over the row's own columns, with no sub-queries (issue #17: a policy of a
 * distributed table may not contain one):
 *	 crm_visible(visibility, owner, assignee, department)   tasks, events,
 *			documents, interactions, opportunities;
 *	 crm_row_visible(tenant_id, table_name, row_id)   comments (their task or
 *			event), the activity feed (the row an entry is about);
 *	 crm_item_visible(tenant_id, item_type, item_id)  links (both ends).
 *
 * Cost.  Who the current user is (crm_user id, department, manager flag) is
 * looked up once per statement, with an index probe of crm_user by (tenant,
 * login), and kept in the Viewer below: the policies call crm_visible for
 * every row, but only the first call of a statement reads crm_user.  The
 * probes of crm_row_visible / crm_item_visible read the row by its unique
 * (tenant_id, id) index with the statement's snapshot and remember the
 * answer for the rest of the statement (a feed holds many entries of one
 * task).  Neither runs SQL or reads the catalog per row.
 *
 * "Statement" is the key of both caches: the transaction, the statement's
 * start, the command counter, the active snapshot's horizons, the role and
 * the tenant.  A change committed by another session is seen by the next
 * statement, as a sub-select would; a change made earlier in the same
 * transaction is seen by the next command.
 *
 * The probes read the rows directly (no row-level security): they answer
 * only for the session's own tenant (false for any other), only for tables
 * the current role may SELECT from (false otherwise), and only whether the
 * current user may see a row, never what it holds.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_index.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "client_registry.h"
#include "crm_visibility.h"
#include "shard_map.h"
#include "trigger_support.h"

/* current_tenant() (tenant or NULL for a role that is not a member). */
extern PGDLLEXPORT Datum cr_current_tenant_id(PG_FUNCTION_ARGS);

/*-------------------------------------------------------------------------
 * The statement key
 *-------------------------------------------------------------------------
 */
typedef struct StatementKey
{
	LocalTransactionId lxid;
	TimestampTz statement_start;
	CommandId	cid;
	TransactionId xmin;
	TransactionId xmax;
	Oid			userid;
	bool		tenant_null;
	int32		tenant;
} StatementKey;

static void
CurrentStatementKey(StatementKey *key)
{
	LOCAL_FCINFO(fcinfo, 0);
	Datum		tenant;

	memset(key, 0, sizeof(StatementKey));
	key->lxid = MyProc->lxid;
	key->statement_start = GetCurrentStatementStartTimestamp();
	key->cid = GetCurrentCommandId(false);
	if (ActiveSnapshotSet())
	{
		Snapshot	snap = GetActiveSnapshot();

		key->xmin = snap->xmin;
		key->xmax = snap->xmax;
	}
	key->userid = GetUserId();
	InitFunctionCallInfoData(*fcinfo, NULL, 0, InvalidOid, NULL, NULL);
	tenant = cr_current_tenant_id(fcinfo);
	key->tenant_null = fcinfo->isnull;
	key->tenant = fcinfo->isnull ? 0 : DatumGetInt32(tenant);
}

static bool
SameStatement(const StatementKey *a, const StatementKey *b)
{
	return a->lxid == b->lxid && a->statement_start == b->statement_start &&
		a->cid == b->cid && a->xmin == b->xmin && a->xmax == b->xmax &&
		a->userid == b->userid && a->tenant_null == b->tenant_null && a->tenant == b->tenant;
}

static Snapshot
StatementSnapshot(void)
{
	return ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot();
}

/*-------------------------------------------------------------------------
 * The viewer: the current role's crm_user in the current tenant
 *-------------------------------------------------------------------------
 */
typedef struct Viewer
{
	bool		valid;
	StatementKey key;
	bool		has_user;
	int64		user_id;
	bool		has_department;
	int64		department_id;
	bool		is_manager;
} Viewer;

static Viewer viewer;
static uint64 viewer_lookups = 0;

static Oid
RegistryRelid(const char *relname)
{
	Oid			relid = get_relname_relid(relname, get_namespace_oid(CR_SCHEMA, false));

	if (!OidIsValid(relid))
		elog(ERROR, "relation %s.%s does not exist", CR_SCHEMA, relname);
	return relid;
}

/*
 * UniqueIndexOn finds the unique index of rel whose key is exactly the given
 * columns, in that order (no expressions, no predicate).
 */
static Oid
UniqueIndexOn(Relation rel, int ncols, const AttrNumber *attnums)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	Oid			found = InvalidOid;

	foreach(lc, indexes)
	{
		Oid			indexoid = lfirst_oid(lc);
		HeapTuple	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexoid));
		Form_pg_index idx;
		bool		match;

		if (!HeapTupleIsValid(tup))
			continue;
		idx = (Form_pg_index) GETSTRUCT(tup);
		match = idx->indisunique && idx->indisvalid && idx->indnkeyatts == ncols &&
			heap_attisnull(tup, Anum_pg_index_indpred, NULL) &&
			heap_attisnull(tup, Anum_pg_index_indexprs, NULL);
		for (int i = 0; match && i < ncols; i++)
			match = idx->indkey.values[i] == attnums[i];
		ReleaseSysCache(tup);
		if (match)
		{
			found = indexoid;
			break;
		}
	}
	list_free(indexes);
	if (!OidIsValid(found))
		elog(ERROR, "table %s has no unique index on the columns the visibility probe needs",
			 RelationGetRelationName(rel));
	return found;
}

static void
ViewerLookup(Viewer *v)
{
	Relation	rel;
	AttrNumber	keys[2];
	Oid			indexoid;
	ScanKeyData skey[2];
	SysScanDesc scan;
	HeapTuple	tup;
	NameData	login;

	v->has_user = v->has_department = v->is_manager = false;
	if (v->key.tenant_null)
		return;					/* not a member of the tenant: nobody */
	viewer_lookups++;
	rel = table_open(CrTenantShardRelid("crm_user", v->key.tenant), AccessShareLock);
	keys[0] = CrAttnum(rel, "tenant_id");
	keys[1] = CrAttnum(rel, "login");
	indexoid = UniqueIndexOn(rel, 2, keys);
	namestrcpy(&login, GetUserNameFromId(v->key.userid, false));
	ScanKeyInit(&skey[0], keys[0], BTEqualStrategyNumber, F_INT4EQ, Int32GetDatum(v->key.tenant));
	ScanKeyInit(&skey[1], keys[1], BTEqualStrategyNumber, F_NAMEEQ, NameGetDatum(&login));
	scan = systable_beginscan(rel, indexoid, true, StatementSnapshot(), 2, skey);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup) && CrGetBool(tup, rel, "is_active"))
	{
		bool		isnull;

		v->user_id = CrGetInt64(tup, rel, "id", &isnull);
		v->has_user = !isnull;
		v->department_id = CrGetInt64(tup, rel, "department_id", &isnull);
		v->has_department = !isnull;
		v->is_manager = CrGetBool(tup, rel, "is_manager");
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
}

/*-------------------------------------------------------------------------
 * The per-statement cache of probe answers
 *-------------------------------------------------------------------------
 */
typedef struct ProbeKey
{
	int32		table;			/* CrmTable index */
	int32		tenant;
	int64		id;
} ProbeKey;

typedef struct ProbeEntry
{
	ProbeKey	key;
	bool		visible;
} ProbeEntry;

#define PROBE_CACHE_MAX 100000

static MemoryContext probe_cxt = NULL;
static HTAB *probe_cache = NULL;
static uint64 row_probes = 0;

/* Relations of the probed tables, found once per statement. */
typedef struct ProbeTable
{
	Oid			relid;
	Oid			indexoid;
	bool		checked;		/* may the current role read the table? */
	bool		readable;
} ProbeTable;

/*
 * The tables whose rows have a visibility of their own, or inherit one.
 * CRM_ITEM_* are also the order of the crm_item_type enum's labels.
 */
typedef enum CrmTableKind
{
	CRM_OWN,					/* visibility, owner, [assignee], department */
	CRM_COMMENT,				/* its task or event */
	CRM_LINK,					/* both ends */
	CRM_OPEN					/* no visibility: seen by every user */
} CrmTableKind;

typedef struct CrmTable
{
	const char *name;			/* table */
	const char *item_type;		/* label of crm_item_type, or NULL */
	CrmTableKind kind;
	const char *owner_col;
	const char *assignee_col;
} CrmTable;

static const CrmTable crm_tables[] = {
	{"crm_task", "task", CRM_OWN, "owner_user_id", "assigned_user_id"},
	{"crm_event", "event", CRM_OWN, "owner_user_id", NULL},
	{"crm_document", "document", CRM_OWN, "user_id", NULL},
	{"crm_opportunity", "opportunity", CRM_OWN, "owner_user_id", NULL},
	{"crm_interaction", "interaction", CRM_OWN, "user_id", NULL},
	{"crm_order", "order", CRM_OPEN, NULL, NULL},
	{"crm_comment", NULL, CRM_COMMENT, NULL, NULL},
	{"crm_link", NULL, CRM_LINK, NULL, NULL},
};

#define N_CRM_TABLES lengthof(crm_tables)

static ProbeTable probe_tables[N_CRM_TABLES];

/*
 * StatementBegin: called by every entry point.  Starts new caches when the
 * statement (or role, or tenant) is not the one they were filled for.
 */
static void
StatementBegin(void)
{
	StatementKey key;

	CurrentStatementKey(&key);
	if (viewer.valid && SameStatement(&viewer.key, &key))
		return;

	viewer.valid = false;
	if (probe_cxt == NULL)
		probe_cxt = AllocSetContextCreate(TopMemoryContext, "crm visibility probes",
										  ALLOCSET_DEFAULT_SIZES);
	MemoryContextReset(probe_cxt);
	probe_cache = NULL;
	memset(probe_tables, 0, sizeof(probe_tables));

	viewer.key = key;
	ViewerLookup(&viewer);
	viewer.valid = true;
}

static HTAB *
ProbeCache(void)
{
	if (probe_cache == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(ProbeKey);
		ctl.entrysize = sizeof(ProbeEntry);
		ctl.hcxt = probe_cxt;
		probe_cache = hash_create("crm visibility probes", 1024, &ctl,
								  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	return probe_cache;
}

/*-------------------------------------------------------------------------
 * The rules
 *-------------------------------------------------------------------------
 */

/* Labels of crm_visibility, by the OIDs of its enum values (kept per backend). */
typedef enum VisibilityLabel
{
	VIS_UNKNOWN,
	VIS_USER,
	VIS_DEPARTMENT,
	VIS_EVERYONE
} VisibilityLabel;

#define ENUM_CACHE_SIZE 64
static struct
{
	Oid			oid;
	int			label;
} enum_cache[ENUM_CACHE_SIZE];

/*
 * EnumLabelIndex: the position of an enum value's label in labels[] (-1 if
 * none), through a small direct-mapped cache (an enum value's OID never
 * changes its label).
 */
static int
EnumLabelIndex(Oid enumval, const char *const *labels, int nlabels, int cache_base)
{
	int			slot = (int) (enumval % (ENUM_CACHE_SIZE / 2)) + cache_base;
	char	   *label;
	int			result = -1;

	if (enum_cache[slot].oid == enumval && OidIsValid(enumval))
		return enum_cache[slot].label;
	label = DatumGetCString(DirectFunctionCall1(enum_out, ObjectIdGetDatum(enumval)));
	for (int i = 0; i < nlabels; i++)
		if (strcmp(label, labels[i]) == 0)
			result = i;
	pfree(label);
	enum_cache[slot].oid = enumval;
	enum_cache[slot].label = result;
	return result;
}

static VisibilityLabel
VisibilityOf(Oid enumval)
{
	static const char *const labels[] = {"user", "department", "everyone"};
	static const VisibilityLabel values[] = {VIS_USER, VIS_DEPARTMENT, VIS_EVERYONE};
	int			i = EnumLabelIndex(enumval, labels, lengthof(labels), 0);

	return i < 0 ? VIS_UNKNOWN : values[i];
}

/* The CrmTable of a crm_item_type value, or -1. */
static int
ItemTable(Oid enumval)
{
	static const char *labels[N_CRM_TABLES];
	int			n = 0;
	int			i;

	for (int t = 0; t < (int) N_CRM_TABLES; t++)
		if (crm_tables[t].item_type != NULL)
			labels[n++] = crm_tables[t].item_type;
	i = EnumLabelIndex(enumval, labels, n, ENUM_CACHE_SIZE / 2);
	return i;					/* the item types come first in crm_tables */
}

/*
 * ViewerMaySee applies the rules (see the top of the file) to one row.
 */
static bool
ViewerMaySee(const Viewer *v, VisibilityLabel visibility,
			 bool owner_null, int64 owner, bool assignee_null, int64 assignee,
			 bool department_null, int64 department)
{
	if (visibility == VIS_EVERYONE)
		return true;
	if (!v->has_user)
		return false;
	if ((!owner_null && owner == v->user_id) || (!assignee_null && assignee == v->user_id))
		return true;
	if (!department_null && v->has_department && department == v->department_id)
		return visibility == VIS_DEPARTMENT || v->is_manager;
	return false;
}

/*-------------------------------------------------------------------------
 * Probes
 *-------------------------------------------------------------------------
 */
static bool ProbeRow(int table, int32 tenant, int64 id);

/*
 * ProbeItem answers for one end of a link (crm_item_type value, id).
 */
static bool
ProbeItem(Datum item_type, bool type_null, int32 tenant, Datum id, bool id_null)
{
	int			t;

	if (type_null || id_null)
		return false;
	t = ItemTable(DatumGetObjectId(item_type));
	if (t < 0)
		return false;
	return ProbeRow(t, tenant, DatumGetInt64(id));
}

/*
 * ReadAndJudge reads the row (tenant, id) of crm_tables[t] through its
 * unique (tenant_id, id) index and applies the rules to it.  A row that
 * does not exist (deleted, or not yet visible to this snapshot) is not seen.
 */
static bool
ReadAndJudge(int t, int32 tenant, int64 id)
{
	const CrmTable *def = &crm_tables[t];
	ProbeTable *pt = &probe_tables[t];
	Relation	rel;
	ScanKeyData skey[2];
	SysScanDesc scan;
	HeapTuple	tup;
	bool		visible = false;
	AttrNumber	keys[2];

	if (def->kind == CRM_OPEN)
		return true;			/* no visibility: every user sees the rows (as in 0.3.0) */
	if (!OidIsValid(pt->relid))
		pt->relid = CrTenantShardRelid(def->name, tenant);	/* the shard on Citus */
	if (!pt->checked)
	{
		/* a role that may not read the table learns nothing of its rows */
		pt->readable = pg_class_aclcheck(RegistryRelid(def->name), viewer.key.userid, ACL_SELECT) == ACLCHECK_OK;
		pt->checked = true;
	}
	if (!pt->readable)
		return false;
	row_probes++;
	rel = table_open(pt->relid, AccessShareLock);
	keys[0] = CrAttnum(rel, "tenant_id");
	keys[1] = CrAttnum(rel, "id");
	if (!OidIsValid(pt->indexoid))
		pt->indexoid = UniqueIndexOn(rel, 2, keys);
	ScanKeyInit(&skey[0], keys[0], BTEqualStrategyNumber, F_INT4EQ, Int32GetDatum(tenant));
	ScanKeyInit(&skey[1], keys[1], BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(id));
	scan = systable_beginscan(rel, pt->indexoid, true, StatementSnapshot(), 2, skey);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		TupleDesc	desc = RelationGetDescr(rel);
		bool		n1,
					n2,
					n3,
					n4;

		switch (def->kind)
		{
			case CRM_OWN:
				{
					Datum		vis = heap_getattr(tup, CrAttnum(rel, "visibility"), desc, &n1);
					int64		owner = CrGetInt64(tup, rel, def->owner_col, &n2);
					int64		assignee = 0;
					int64		department = CrGetInt64(tup, rel, "department_id", &n4);

					n3 = true;
					if (def->assignee_col != NULL)
						assignee = CrGetInt64(tup, rel, def->assignee_col, &n3);
					visible = !n1 && ViewerMaySee(&viewer, VisibilityOf(DatumGetObjectId(vis)),
												  n2, owner, n3, assignee, n4, department);
					break;
				}
			case CRM_COMMENT:
				{
					int64		task = CrGetInt64(tup, rel, "task_id", &n1);
					int64		event = CrGetInt64(tup, rel, "event_id", &n2);

					/* copy what is needed: the scan ends before the parent's probe */
					systable_endscan(scan);
					table_close(rel, AccessShareLock);
					if (!n1)
						return ProbeRow(0, tenant, task);	/* crm_task */
					if (!n2)
						return ProbeRow(1, tenant, event);	/* crm_event */
					return false;
				}
			case CRM_LINK:
				{
					Datum		ft = heap_getattr(tup, CrAttnum(rel, "from_type"), desc, &n1);
					Datum		fi = heap_getattr(tup, CrAttnum(rel, "from_id"), desc, &n2);
					Datum		tt = heap_getattr(tup, CrAttnum(rel, "to_type"), desc, &n3);
					Datum		ti = heap_getattr(tup, CrAttnum(rel, "to_id"), desc, &n4);

					/* by-value columns: safe to use after the scan ends */
					systable_endscan(scan);
					table_close(rel, AccessShareLock);
					return ProbeItem(ft, n1, tenant, fi, n2) && ProbeItem(tt, n3, tenant, ti, n4);
				}
			case CRM_OPEN:
				break;			/* answered above */
		}
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return visible;
}

/*
 * ProbeRow: may the current user see row id of crm_tables[t] in tenant?
 * Remembered for the rest of the statement.
 */
static bool
ProbeRow(int table, int32 tenant, int64 id)
{
	ProbeKey	key;
	ProbeEntry *e;
	bool		found;
	bool		visible;

	CHECK_FOR_INTERRUPTS();
	if (viewer.key.tenant_null || tenant != viewer.key.tenant)
		return false;			/* only the session's own tenant */
	memset(&key, 0, sizeof(key));
	key.table = table;
	key.tenant = tenant;
	key.id = id;
	e = (ProbeEntry *) hash_search(ProbeCache(), &key, HASH_FIND, NULL);
	if (e != NULL)
		return e->visible;
	visible = ReadAndJudge(table, tenant, id);
	if (hash_get_num_entries(ProbeCache()) >= PROBE_CACHE_MAX)
	{
		hash_destroy(probe_cache);
		probe_cache = NULL;
	}
	e = (ProbeEntry *) hash_search(ProbeCache(), &key, HASH_ENTER, &found);
	e->visible = visible;
	return visible;
}

/*-------------------------------------------------------------------------
 * C API (crm_visibility.h)
 *-------------------------------------------------------------------------
 */
bool
CrmItemVisible(int32 tenant, Oid item_type, int64 item_id)
{
	StatementBegin();
	return ProbeItem(ObjectIdGetDatum(item_type), false, tenant, Int64GetDatum(item_id), false);
}

/*-------------------------------------------------------------------------
 * SQL functions
 *-------------------------------------------------------------------------
 */
PG_FUNCTION_INFO_V1(cr_current_crm_user_id);

/* current_crm_user_id(): the current role's crm_user in the tenant, or NULL. */
Datum
cr_current_crm_user_id(PG_FUNCTION_ARGS)
{
	StatementBegin();
	if (!viewer.has_user)
		PG_RETURN_NULL();
	PG_RETURN_INT64(viewer.user_id);
}

PG_FUNCTION_INFO_V1(cr_current_crm_department_id);

/* current_crm_department_id(): that user's department, or NULL. */
Datum
cr_current_crm_department_id(PG_FUNCTION_ARGS)
{
	StatementBegin();
	if (!viewer.has_user || !viewer.has_department)
		PG_RETURN_NULL();
	PG_RETURN_INT64(viewer.department_id);
}

PG_FUNCTION_INFO_V1(cr_crm_visible);

/*
 * crm_visible(visibility, owner, assignee, department): the rules applied to
 * the columns of a task, event, document, interaction or opportunity.
 */
Datum
cr_crm_visible(PG_FUNCTION_ARGS)
{
	VisibilityLabel vis;

	StatementBegin();
	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);
	vis = VisibilityOf(PG_GETARG_OID(0));
	PG_RETURN_BOOL(ViewerMaySee(&viewer, vis,
								PG_ARGISNULL(1), PG_ARGISNULL(1) ? 0 : PG_GETARG_INT64(1),
								PG_ARGISNULL(2), PG_ARGISNULL(2) ? 0 : PG_GETARG_INT64(2),
								PG_ARGISNULL(3), PG_ARGISNULL(3) ? 0 : PG_GETARG_INT64(3)));
}

PG_FUNCTION_INFO_V1(cr_crm_row_visible);

/*
 * crm_row_visible(tenant_id, table_name, row_id): may the current user see
 * that row?  Rows of tables without visibility: yes (in the session's
 * tenant).  NULL tenant or table: no; NULL row_id: no for the CRM tables.
 */
Datum
cr_crm_row_visible(PG_FUNCTION_ARGS)
{
	int32		tenant;
	Name		table;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_BOOL(false);
	tenant = PG_GETARG_INT32(0);
	table = PG_GETARG_NAME(1);
	StatementBegin();
	for (int t = 0; t < (int) N_CRM_TABLES; t++)
		if (strcmp(NameStr(*table), crm_tables[t].name) == 0)
			PG_RETURN_BOOL(!PG_ARGISNULL(2) && ProbeRow(t, tenant, PG_GETARG_INT64(2)));
	PG_RETURN_BOOL(!viewer.key.tenant_null && tenant == viewer.key.tenant);
}

PG_FUNCTION_INFO_V1(cr_crm_item_visible);

/*
 * crm_item_visible(tenant_id, item_type, item_id): the same for a CRM item
 * named by its crm_item_type (the ends of a link).  STRICT.
 */
Datum
cr_crm_item_visible(PG_FUNCTION_ARGS)
{
	StatementBegin();
	PG_RETURN_BOOL(ProbeItem(PG_GETARG_DATUM(1), false, PG_GETARG_INT32(0), PG_GETARG_DATUM(2), false));
}

PG_FUNCTION_INFO_V1(cr_crm_visibility_lookups);

/*
 * crm_visibility_lookups(): how many times this backend looked up the
 * current user and probed rows (tests show the user is read once per
 * statement, not per row).
 */
Datum
cr_crm_visibility_lookups(PG_FUNCTION_ARGS)
{
	Datum		values[2];
	bool		nulls[2] = {false, false};
	TupleDesc	desc;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "crm_visibility_lookups must return a record");
	values[0] = Int64GetDatum((int64) viewer_lookups);
	values[1] = Int64GetDatum((int64) row_probes);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}
