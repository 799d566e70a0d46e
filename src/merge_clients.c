/*
 * merge_clients.c
 *		merge_clients() and merge_preview(): R2.4, one survivor, any number
 *		of merged clients, in one transaction, all or nothing.
 *
 * The order of work:
 *	 1. the obstacles that need no lock: a client merged into itself or
 *		listed twice (R2404);
 *	 2. the clients are locked in id order, whichever is the survivor, so
 *		two merges never deadlock: the merged ones FOR UPDATE (they will be
 *		deleted; a concurrent insert referencing one waits for the merge
 *		and then fails on its foreign key), the survivor FOR NO KEY UPDATE
 *		(sales and new children of the survivor go on meanwhile);
 *	 3. obstacles on the locked rows: unknown or invisible client (R2400),
 *		other tenant (R2402), merging the own company away (R2403), two
 *		different valid company or personal codes without force (R2405);
 *	 4. a journal row (client_merge);
 *	 5. for each merged client in the order given: duplicates folded,
 *		references re-pointed (merge_references.c), the client deleted
 *		with its full image journaled;
 *	 6. the survivor's empty card fields filled from the merged clients,
 *		first non-empty value in the order given, its kind widened to
 *		cover the merged clients' documents (buyer + supplier becomes
 *		buyer_supplier), user-defined fields merged key by key;
 *	 7. each journaled row's hash, for unmerge.
 *
 * The functions run with the caller's rights (SECURITY INVOKER): a merge
 * rewrites rows in every table that references clients, so the role that
 * runs it must be allowed to; EXECUTE is revoked from PUBLIC.
 *
 * merge_preview runs the same code in a subtransaction that it rolls back,
 * with obstacles and conflicts collected instead of raised.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "merge_clients.h"
#include "client_registry.h"
#include "internal_change.h"
#include "trigger_support.h"

/* What the obstacle checks need of each client. */
typedef struct ClientFacts
{
	int64		id;
	bool		found;
	int32		tenant_id;
	char	   *kind;
	char	   *legal_form;
	char	   *country;
	char	   *company_code;	/* NULL unless valid */
	char	   *personal_code;	/* NULL unless present */
	char	   *name;
} ClientFacts;

static Oid
ExtensionTable(const char *name)
{
	return MergeTableRelid(name);
}

static void
InitRun(MergeRun *run, int64 survivor, ArrayType *arr, bool force, bool preview,
		MemoryContext findings_cxt)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	memset(run, 0, sizeof(MergeRun));
	run->survivor = survivor;
	run->force = force;
	run->preview = preview;
	run->findings_cxt = findings_cxt;
	run->next_step = 1;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("merged clients must be a one-dimensional list of ids")));
	deconstruct_array(arr, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, &n);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no client to merge into client %lld", (long long) run->survivor),
				 errhint("Call merge_clients(keep, merged1, merged2, ...).")));
	run->merged = palloc(sizeof(int64) * n);
	run->nmerged = n;
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("merged client id %d of the list is NULL", i + 1),
					 errhint("Pass the ids of existing clients.")));
		run->merged[i] = DatumGetInt64(elems[i]);
		if (run->merged[i] == run->survivor)
			ereport(ERROR,
					(errcode(ERRCODE_CR_MERGE_SAME_CLIENT),
					 errmsg("client %lld cannot be merged into itself", (long long) run->survivor),
					 errdetail("The client to keep is also in the list of clients to merge."),
					 errhint("Leave the client to keep out of the list.")));
		for (int j = 0; j < i; j++)
			if (run->merged[j] == run->merged[i])
				ereport(ERROR,
						(errcode(ERRCODE_CR_MERGE_SAME_CLIENT),
						 errmsg("client %lld is listed twice among the clients to merge",
								(long long) run->merged[i]),
						 errhint("List each client once.")));
	}
	run->client_relid = ExtensionTable("client");
	run->balance_relid = ExtensionTable("client_balance");
	run->address_relid = ExtensionTable("client_address");
	run->bank_account_relid = ExtensionTable("client_bank_account");
	run->contact_relid = ExtensionTable("client_contact");
}

static int
CompareInt64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

static char *
NullableValue(HeapTuple t, TupleDesc d, int col)
{
	char	   *v = SPI_getvalue(t, d, col);

	return v ? pstrdup(v) : NULL;
}

/*
 * LockClients locks every client of the merge in id order and reads what
 * the obstacle checks need.  facts[0] is the survivor, then the merged
 * clients in the order given.
 */
static ClientFacts *
LockClients(MergeRun *run)
{
	int			n = run->nmerged + 1;
	int64	   *ids = palloc(sizeof(int64) * n);
	ClientFacts *facts = palloc0(sizeof(ClientFacts) * n);

	facts[0].id = run->survivor;
	for (int i = 0; i < run->nmerged; i++)
		facts[i + 1].id = run->merged[i];
	for (int i = 0; i < n; i++)
		ids[i] = facts[i].id;
	qsort(ids, n, sizeof(int64), CompareInt64);

	for (int i = 0; i < n; i++)
	{
		bool		survivor = ids[i] == run->survivor;
		Oid			types[1] = {INT8OID};
		Datum		values[1] = {Int64GetDatum(ids[i])};
		char	   *sql = psprintf("SELECT tenant_id, kind::text, legal_form::text, country,"
								   " CASE WHEN legal_form OPERATOR(pg_catalog.=) 'legal_entity'"
								   "       AND client_registry.company_code_valid(company_code, country)"
								   "      THEN company_code END,"
								   " CASE WHEN legal_form OPERATOR(pg_catalog.=) 'natural_person' THEN personal_code END,"
								   " name"
								   " FROM client_registry.client WHERE id OPERATOR(pg_catalog.=) $1 %s",
								   survivor ? "FOR NO KEY UPDATE" : "FOR UPDATE");
		int			ret = MergeSpiRun(sql, 1, types, values, NULL, false, 0);
		ClientFacts *f = NULL;

		if (ret != SPI_OK_SELECT)
			elog(ERROR, "locking client %lld failed", (long long) ids[i]);
		for (int k = 0; k < n; k++)
			if (facts[k].id == ids[i])
				f = &facts[k];
		if (SPI_processed == 0)
			ereport(ERROR,
					(errcode(ERRCODE_CR_MERGE_UNKNOWN),
					 errmsg("client %lld does not exist", (long long) ids[i]),
					 errdetail("No client %lld is visible in tenant %d; it may have been merged or deleted meanwhile.",
							   (long long) ids[i], CrCurrentTenant()),
					 errhint("Check the ids (client_registry.client_merge_history lists earlier merges).")));
		{
			HeapTuple	t = SPI_tuptable->vals[0];
			TupleDesc	d = SPI_tuptable->tupdesc;
			bool		isnull;

			f->found = true;
			f->tenant_id = DatumGetInt32(SPI_getbinval(t, d, 1, &isnull));
			f->kind = NullableValue(t, d, 2);
			f->legal_form = NullableValue(t, d, 3);
			f->country = NullableValue(t, d, 4);
			f->company_code = NullableValue(t, d, 5);
			f->personal_code = NullableValue(t, d, 6);
			f->name = NullableValue(t, d, 7);
		}
	}
	run->tenant_id = facts[0].tenant_id;
	return facts;
}

/*
 * Obstacle raises an obstacle, or records it in a preview.
 */
static void
Obstacle(MergeRun *run, int sqlstate, int64 client, const char *msg, const char *detail,
		 const char *hint)
{
	if (run->preview)
	{
		MergeAddFinding(run, "obstacle", "client_registry.client", NULL, client, 1,
						psprintf("%s: %s", msg, detail));
		return;
	}
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg("%s", msg),
			 errdetail("%s", detail),
			 errhint("%s", hint)));
}

/*
 * CheckObstacles: tenants, own company, different codes.  Returns false
 * when a preview found one (nothing more to simulate).
 */
static bool
CheckObstacles(MergeRun *run, ClientFacts *facts)
{
	int			n = run->nmerged + 1;
	bool		any = false;

	for (int i = 1; i < n; i++)
	{
		ClientFacts *f = &facts[i];

		if (f->tenant_id != facts[0].tenant_id)
		{
			Obstacle(run, ERRCODE_CR_MERGE_TENANTS,
					 f->id,
					 psprintf("client %lld of tenant %d cannot be merged into client %lld of tenant %d",
							  (long long) f->id, f->tenant_id, (long long) facts[0].id, facts[0].tenant_id),
					 "A merge joins duplicates of one tenant's registry.",
					 "Merge only clients of the same tenant.");
			any = true;
		}
		if (strcmp(f->kind, "own_company") == 0)
		{
			Obstacle(run, ERRCODE_CR_MERGE_OWN_COMPANY, f->id,
					 psprintf("client %lld \"%s\" is the own company and cannot be merged away",
							  (long long) f->id, f->name),
					 "Every tenant keeps its own company (R1.5).",
					 psprintf("Keep the own company: merge_clients(%lld, ...) merges a duplicate into it.",
							  (long long) f->id));
			any = true;
		}
	}
	if (!run->force)
	{
		for (int i = 0; i < n; i++)
			for (int j = i + 1; j < n; j++)
			{
				ClientFacts *a = &facts[i];
				ClientFacts *b = &facts[j];
				const char *what = NULL;
				char	   *ca = NULL;
				char	   *cb = NULL;

				if (a->company_code && b->company_code &&
					(strcmp(a->company_code, b->company_code) != 0 || strcmp(a->country, b->country) != 0))
				{
					what = "company codes";
					ca = psprintf("%s %s", a->country, a->company_code);
					cb = psprintf("%s %s", b->country, b->company_code);
				}
				else if (a->personal_code && b->personal_code &&
						 strcmp(a->personal_code, b->personal_code) != 0)
				{
					what = "personal codes";
					ca = a->personal_code;
					cb = b->personal_code;
				}
				if (what == NULL)
					continue;
				Obstacle(run, ERRCODE_CR_MERGE_DIFFERENT_CODES, b->id,
						 psprintf("clients %lld \"%s\" and %lld \"%s\" have different %s (%s, %s)",
								  (long long) a->id, a->name, (long long) b->id, b->name, what, ca, cb),
						 "Two valid, different codes mean two real legal entities or persons, not duplicates.",
						 psprintf("If they are duplicates all the same, merge with force: merge_clients(%lld, ARRAY[...], force => true); the survivor's code stays.",
								  (long long) facts[0].id));
				any = true;
			}
	}
	return !any;
}

/*
 * CaptureClients returns the merged clients' full rows (for filling the
 * survivor's card after they are deleted), in the order given.
 */
static HeapTuple *
CaptureClients(MergeRun *run, TupleDesc *desc)
{
	HeapTuple  *rows = palloc(sizeof(HeapTuple) * run->nmerged);

	for (int i = 0; i < run->nmerged; i++)
	{
		Oid			types[1] = {INT8OID};
		Datum		values[1] = {Int64GetDatum(run->merged[i])};
		int			ret = MergeSpiRun("SELECT * FROM client_registry.client WHERE id OPERATOR(pg_catalog.=) $1",
												1, types, values, NULL, false, 1);

		if (ret != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "reading client %lld failed", (long long) run->merged[i]);
		rows[i] = SPI_copytuple(SPI_tuptable->vals[0]);
		*desc = SPI_tuptable->tupdesc;
	}
	return rows;
}

static bool
IsEmptyValue(HeapTuple t, TupleDesc d, int attnum)
{
	bool		isnull;
	Datum		v = heap_getattr(t, attnum, d, &isnull);
	Oid			typ = TupleDescAttr(d, attnum - 1)->atttypid;

	if (isnull)
		return true;
	if (typ == TEXTOID || typ == VARCHAROID || typ == BPCHAROID)
	{
		char	   *s = TextDatumGetCString(v);

		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		return *s == '\0';
	}
	return false;
}

/* Columns the fill never touches, and identity columns filled only from a
 * client of the same legal form and country. */
static const char *const fill_never[] = {"id", "tenant_id", "kind", "legal_form", "country",
"created_at", "updated_at", "custom_fields", "name"};
static const char *const fill_identity[] = {"company_code", "personal_code", "vat_code",
"first_name", "last_name", "birth_date", "business_licence"};

static bool
InList(const char *name, const char *const *list, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return true;
	return false;
}

/* What documents a kind allows: 1 sales, 2 purchases. */
static int
KindRoles(const char *kind)
{
	if (strcmp(kind, "buyer") == 0)
		return 1;
	if (strcmp(kind, "supplier") == 0)
		return 2;
	if (strcmp(kind, "buyer_supplier") == 0 || strcmp(kind, "own_company") == 0)
		return 3;
	return 0;
}

/*
 * DocumentRoles: what the survivor's documents need once every merged
 * client's documents are its own (1 sales, 2 purchases; cancelled
 * invoices need nothing).
 */
static int
DocumentRoles(MergeRun *run)
{
	Oid			types[2] = {INT4OID, INT8OID};
	Datum		values[2] = {Int32GetDatum(run->tenant_id), Int64GetDatum(run->survivor)};
	bool		isnull;
	int			roles = 0;
	int			ret;

	ret = MergeSpiRun("SELECT COALESCE(pg_catalog.bool_or(direction OPERATOR(pg_catalog.=) 'sale'), false),"
								"       COALESCE(pg_catalog.bool_or(direction OPERATOR(pg_catalog.=) 'purchase'), false)"
								"  FROM client_registry.invoice WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND client_id OPERATOR(pg_catalog.=) $2"
								"   AND status OPERATOR(pg_catalog.<>) 'cancelled'",
								2, types, values, NULL, false, 1);
	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "reading the survivor's documents failed");
	if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)))
		roles |= 1;
	if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)))
		roles |= 2;
	return roles;
}

/*
 * FillCard fills the survivor's empty fields from the merged clients (in
 * the order given), widens its kind when the documents it now has need it
 * (not because a merged client had another kind), merges user-defined
 * fields; journals
 * the columns it changed.
 */
static void
FillCard(MergeRun *run, ClientFacts *facts, HeapTuple *merged_rows, TupleDesc desc)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(run->survivor)};
	HeapTuple	survivor;
	StringInfoData set;
	List	   *cols = NIL;
	Oid			ptypes[MaxTupleAttributeNumber];
	Datum		pvalues[MaxTupleAttributeNumber];
	char		pnulls[MaxTupleAttributeNumber];
	int			np = 1;
	int			ret;
	int			roles;
	const char *kind = facts[0].kind;

	ret = MergeSpiRun("SELECT * FROM client_registry.client WHERE id OPERATOR(pg_catalog.=) $1",
								1, types, values, NULL, false, 1);
	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "reading the survivor failed");
	survivor = SPI_copytuple(SPI_tuptable->vals[0]);

	initStringInfo(&set);
	ptypes[0] = INT8OID;
	pvalues[0] = Int64GetDatum(run->survivor);
	pnulls[0] = ' ';

	for (int a = 1; a <= desc->natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a - 1);
		const char *name = NameStr(att->attname);
		bool		identity;

		if (att->attisdropped || att->attgenerated)
			continue;
		if (InList(name, fill_never, lengthof(fill_never)))
			continue;
		if (!IsEmptyValue(survivor, desc, a))
			continue;
		identity = InList(name, fill_identity, lengthof(fill_identity));
		for (int i = 0; i < run->nmerged; i++)
		{
			bool		isnull;

			if (identity &&
				(strcmp(facts[i + 1].legal_form, facts[0].legal_form) != 0 ||
				 strcmp(facts[i + 1].country, facts[0].country) != 0))
				continue;
			if (IsEmptyValue(merged_rows[i], desc, a))
				continue;
			appendStringInfo(&set, "%s%s = $%d", np > 1 ? ", " : "", quote_identifier(name), np + 1);
			cols = lappend(cols, pstrdup(name));
			ptypes[np] = att->atttypid;
			pvalues[np] = heap_getattr(merged_rows[i], a, desc, &isnull);
			pnulls[np] = ' ';
			np++;
			break;
		}
	}

	/* the kind covers the documents the survivor now has */
	roles = KindRoles(kind) | DocumentRoles(run);
	if (strcmp(kind, "own_company") != 0)
	{
		const char *wanted = roles == 3 ? "buyer_supplier" : roles == 1 ? "buyer" :
			roles == 2 ? "supplier" : kind;

		if (strcmp(wanted, kind) != 0)
		{
			appendStringInfo(&set, "%skind = $%d::client_registry.client_kind", np > 1 ? ", " : "", np + 1);
			cols = lappend(cols, "kind");
			ptypes[np] = TEXTOID;
			pvalues[np] = CStringGetTextDatum(wanted);
			pnulls[np] = ' ';
			np++;
		}
	}

	/* user-defined fields: the survivor's values win, missing ones filled in order */
	{
		Datum	   *cf = palloc(sizeof(Datum) * run->nmerged);
		int			cfatt = SPI_fnumber(desc, "custom_fields");
		bool		isnull;
		Oid			t2[2] = {JSONBOID, JSONBARRAYOID};
		Datum		v2[2];

		for (int i = 0; i < run->nmerged; i++)
			cf[i] = heap_getattr(merged_rows[i], cfatt, desc, &isnull);
		v2[0] = heap_getattr(survivor, cfatt, desc, &isnull);
		v2[1] = PointerGetDatum(construct_array(cf, run->nmerged, JSONBOID, -1, false, TYPALIGN_INT));
		ret = MergeSpiRun(
									"SELECT m, m OPERATOR(pg_catalog.<>) $1 FROM (SELECT COALESCE(pg_catalog.jsonb_object_agg(key, value), '{}') AS m"
									"  FROM (SELECT DISTINCT ON (key) key, value FROM ("
									"          SELECT key, value, 0::bigint AS o FROM pg_catalog.jsonb_each($1)"
									"           WHERE value OPERATOR(pg_catalog.<>) 'null'"
									"          UNION ALL"
									"          SELECT e.key, e.value, u.o FROM pg_catalog.unnest($2) WITH ORDINALITY AS u(j, o),"
									"                 pg_catalog.jsonb_each(u.j) AS e"
									"           WHERE e.value OPERATOR(pg_catalog.<>) 'null') x"
									"         ORDER BY key, o) y) z",
									2, t2, v2, NULL, false, 1);
		if (ret != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "merging user-defined fields failed");
		if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)))
		{
			appendStringInfo(&set, "%scustom_fields = $%d", np > 1 ? ", " : "", np + 1);
			cols = lappend(cols, "custom_fields");
			ptypes[np] = JSONBOID;
			pvalues[np] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
			pnulls[np] = ' ';
			np++;
		}
	}

	if (np == 1)
		return;
	pnulls[np] = '\0';
	{
		const char *snap = "SELECT pg_catalog.jsonb_object_agg(e.key, e.value)"
			" FROM client_registry.client c, pg_catalog.jsonb_each(pg_catalog.to_jsonb(c)) e"
			" WHERE c.id OPERATOR(pg_catalog.=) $1 AND e.key OPERATOR(pg_catalog.=) ANY ($2::text[])";
		Oid			st[2] = {INT8OID, TEXTARRAYOID};
		Datum		sv[2] = {Int64GetDatum(run->survivor), MergeTextArray(cols)};
		Datum		oldv;
		Datum		newv;
		bool		isnull;
		MergeTable *t = MergeGetTable(run->client_relid);

		ret = MergeSpiRun(snap, 2, st, sv, NULL, false, 1);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "reading the survivor's card failed");
		oldv = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		ret = MergeSpiRun(psprintf("UPDATE client_registry.client SET %s WHERE id OPERATOR(pg_catalog.=) $1",
											 set.data),
									np, ptypes, pvalues, pnulls, false, 0);
		if (ret != SPI_OK_UPDATE)
			elog(ERROR, "filling the survivor's card failed");
		ret = MergeSpiRun(snap, 2, st, sv, NULL, false, 1);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "reading the survivor's card failed");
		newv = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		MergeJournalUpdate(run, "fill card", t, NULL, 0,
						   DirectFunctionCall1(jsonb_in,
											   CStringGetDatum(psprintf("[{\"id\": %lld, \"tenant_id\": %d}]",
																		(long long) run->survivor, run->tenant_id))),
						   oldv, newv);
	}
}

/*
 * MergeExecute: the whole merge, SPI connected, internal-change depth
 * raised by the caller.
 */
static void
MergeExecute(MergeRun *run)
{
	ClientFacts *facts = LockClients(run);
	HeapTuple  *merged_rows;
	TupleDesc	desc = NULL;
	MergeTable *clients;
	int			ret;

	if (!CheckObstacles(run, facts))
		return;					/* a preview with obstacles */

	{
		Oid			types[4] = {INT4OID, INT8OID, INT8ARRAYOID, BOOLOID};
		Datum	   *ids = palloc(sizeof(Datum) * run->nmerged);
		Datum		values[4];

		for (int i = 0; i < run->nmerged; i++)
			ids[i] = Int64GetDatum(run->merged[i]);
		values[0] = Int32GetDatum(run->tenant_id);
		values[1] = Int64GetDatum(run->survivor);
		values[2] = PointerGetDatum(construct_array(ids, run->nmerged, INT8OID, 8, FLOAT8PASSBYVAL,
													TYPALIGN_DOUBLE));
		values[3] = BoolGetDatum(run->force);
		if (MergeAnchored())
		{
			/*
			 * On a worker the shard has no identity default: the id comes
			 * from the table's sequence (the worker's range), drawn as the
			 * owner, as the default would be.
			 */
			Oid			t5[5] = {types[0], types[1], types[2], types[3], INT8OID};
			Datum		v5[5] = {values[0], values[1], values[2], values[3],
			Int64GetDatum(MergeNextId("client_merge_id_seq"))};

			ret = MergeSpiRun("INSERT INTO client_registry.client_merge (tenant_id, survivor_id, merged_ids, forced, id)"
							  " VALUES ($1, $2, $3, $4, $5) RETURNING id",
							  5, t5, v5, NULL, false, 1);
		}
		else
			ret = MergeSpiRun("INSERT INTO client_registry.client_merge (tenant_id, survivor_id, merged_ids, forced)"
							  " VALUES ($1, $2, $3, $4) RETURNING id",
							  4, types, values, NULL, false, 1);
		if (ret != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
			elog(ERROR, "journaling the merge failed");
		{
			bool		isnull;

			run->merge_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		}
	}

	MergeWarnUnindexed(run);
	merged_rows = CaptureClients(run, &desc);
	clients = MergeGetTable(run->client_relid);

	for (int i = 0; i < run->nmerged; i++)
	{
		MergeMoveReferences(run, run->merged[i]);
		if (run->preview && run->has_conflicts)
			continue;			/* the delete would fail on the rows left */
		MergeDeleteRow(run, "merged client", clients, NULL, run->merged[i],
					   DirectFunctionCall1(jsonb_in,
										   CStringGetDatum(psprintf("{\"id\": %lld, \"tenant_id\": %d}",
																	(long long) run->merged[i], run->tenant_id))));
	}
	if (!(run->preview && run->has_conflicts))
		FillCard(run, facts, merged_rows, desc);
	MergeHashSteps(run);
	MergeFeedEntry(run, false);
}

/*
 * RunGuarded runs the merge with the internal-change depth raised (the
 * registry's row triggers let the merge's moves through) and lowers it
 * again on every path.
 */
static void
MergeExecuteStep(void *arg)
{
	MergeExecute((MergeRun *) arg);
}

static void
RunGuarded(MergeRun *run)
{
	bool		token;

	MergeResetCaches();
	/* on Citus the workers' triggers learn it from the token (internal_change.c) */
	token = run->preview || MergeAnchored() ? false : CrInternalChangeBegin("im");
	CrCallRaised(&cr_internal_change_depth, &cr_merge_depth, MergeExecuteStep, run);
	CrInternalChangeEnd(token);
}

/*
 * MergeClientsRun: the merge itself (merge_clients, or merge_clients_at on
 * the worker that holds the tenant); returns the merge's id.
 */
int64
MergeClientsRun(int64 survivor, ArrayType *merged, bool force)
{
	MergeRun	run;

	InitRun(&run, survivor, merged, force, false, CurrentMemoryContext);
	SPI_connect();
	RunGuarded(&run);
	SPI_finish();
	return run.merge_id;
}

PG_FUNCTION_INFO_V1(cr_merge_clients);

/*
 * merge_clients(keep bigint, VARIADIC merged bigint[]) and
 * merge_clients(keep bigint, merged bigint[], force boolean).  On a Citus
 * cluster the merge runs on the worker that holds the tenant
 * (merge_delegation.c).
 */
Datum
cr_merge_clients(PG_FUNCTION_ARGS)
{
	int64		survivor = PG_GETARG_INT64(0);
	ArrayType  *merged = PG_GETARG_ARRAYTYPE_P(1);
	bool		force = PG_NARGS() > 2 ? PG_GETARG_BOOL(2) : false;

	if (MergeDelegates())
		PG_RETURN_INT64(MergeClientsDelegate(survivor, merged, force));
	PG_RETURN_INT64(MergeClientsRun(survivor, merged, force));
}

PG_FUNCTION_INFO_V1(cr_merge_preview);

/*
 * merge_preview(keep, VARIADIC merged) / merge_preview(keep, merged, force);
 * on a Citus cluster run on the worker that holds the tenant.
 */
Datum
cr_merge_preview(PG_FUNCTION_ARGS)
{
	int64		survivor = PG_GETARG_INT64(0);
	ArrayType  *merged = PG_GETARG_ARRAYTYPE_P(1);
	bool		force = PG_NARGS() > 2 ? PG_GETARG_BOOL(2) : false;

	if (MergeDelegates())
		return MergePreviewDelegate(fcinfo, survivor, merged, force);
	return MergePreviewRun(fcinfo, survivor, merged, force);
}

/*
 * MergePreviewRun: the preview itself, its rows into fcinfo's result set.
 */
Datum
MergePreviewRun(FunctionCallInfo fcinfo, int64 survivor, ArrayType *merged, bool force)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext caller = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	MemoryContext keep;
	MergeRun	run;
	List	   *volatile steps = NIL;
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	keep = rsinfo->econtext->ecxt_per_query_memory;
	InitRun(&run, survivor, merged, force, true, keep);

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(caller);
	PG_TRY();
	{
		SPI_connect();
		RunGuarded(&run);
		if (run.merge_id != 0)
		{
			Oid			types[2] = {INT4OID, INT8OID};
			Datum		values[2] = {Int32GetDatum(run.tenant_id), Int64GetDatum(run.merge_id)};
			int			ret = MergeSpiRun(
													"SELECT step, CASE WHEN reason OPERATOR(pg_catalog.=) 'merged client' THEN 'delete client' ELSE reason END,"
													"       pg_catalog.quote_ident(table_schema) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(table_name),"
													"       constraint_name, from_client, row_count,"
													"       CASE WHEN action OPERATOR(pg_catalog.=) 'update'"
													"            THEN old_values::text OPERATOR(pg_catalog.||) ' -> ' OPERATOR(pg_catalog.||) new_values::text"
													"            ELSE 'deleted; the rows are kept in the journal' END"
													"  FROM client_registry.client_merge_step"
													" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND merge_id OPERATOR(pg_catalog.=) $2"
													" ORDER BY step",
													2, types, values, NULL, false, 0);

			if (ret != SPI_OK_SELECT)
				elog(ERROR, "reading the preview failed");
			for (uint64 i = 0; i < SPI_processed; i++)
			{
				HeapTuple	t = SPI_tuptable->vals[i];
				TupleDesc	d = SPI_tuptable->tupdesc;
				MemoryContext old = MemoryContextSwitchTo(keep);

				steps = lappend(steps, heap_copytuple(t));
				MemoryContextSwitchTo(old);
				(void) d;
			}
			/* the descriptor is the same for all rows: keep one copy */
			if (SPI_processed > 0)
			{
				MemoryContext old = MemoryContextSwitchTo(keep);

				steps = lcons(CreateTupleDescCopy(SPI_tuptable->tupdesc), steps);
				MemoryContextSwitchTo(old);
			}
		}
		SPI_finish();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(caller);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(caller);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(caller);
		CurrentResourceOwner = owner;
		ReThrowError(edata);
	}
	PG_END_TRY();

	/* findings (obstacles, conflicts, warnings) first, then the steps */
	foreach(lc, run.findings)
	{
		MergeFinding *f = (MergeFinding *) lfirst(lc);
		Datum		values[7];
		bool		nulls[7] = {true, false, f->table_name == NULL, f->constraint_name == NULL,
		f->from_client == 0, false, f->detail == NULL};

		values[1] = CStringGetTextDatum(f->action);
		values[2] = f->table_name ? CStringGetTextDatum(f->table_name) : (Datum) 0;
		values[3] = f->constraint_name ? CStringGetTextDatum(f->constraint_name) : (Datum) 0;
		values[4] = Int64GetDatum(f->from_client);
		values[5] = Int64GetDatum(f->row_count);
		values[6] = f->detail ? CStringGetTextDatum(f->detail) : (Datum) 0;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	if (steps != NIL)
	{
		TupleDesc	d = (TupleDesc) linitial(steps);

		for_each_from(lc, steps, 1)
		{
			HeapTuple	t = (HeapTuple) lfirst(lc);
			Datum		values[7];
			bool		nulls[7];

			heap_deform_tuple(t, d, values, nulls);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	return (Datum) 0;
}
