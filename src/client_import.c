/*
 * client_import.c
 *		Moving in (issue #15): import_apply(source, batch_size) writes the
 *		session's staging tables (import_begin, sql/0.4.0/66_client_import.sql)
 *		into the registry and returns one result per staging row.
 *
 * The staging tables are TEMP tables of the session with every column text,
 * so any role with the import right can COPY into them.  import_apply runs
 * with the caller's rights (row-level security, column privileges and every
 * trigger of the registry apply as to the application), in the current
 * tenant:
 *
 *	1. checks: a source, the staging tables, the caller's privileges on the
 *	   columns that carry data, an own company for the tenant;
 *	2. one import at a time per tenant and source (a transaction-level
 *	   advisory lock), a row in import_run (owner's rights);
 *	3. work tables pg_temp.cr_imp_<kind>: one row per staging row with its
 *	   row number (cr_r), unit key (cr_k), state and result; rows that cannot
 *	   be applied (no external id, an external id twice, a child whose card is
 *	   nowhere) are rejected here, set-based;
 *	4. cards: each card with its addresses, bank accounts and contacts is a
 *	   unit.  Units are applied batch_size at a time in a subtransaction, with
 *	   one set-based statement per table (INSERT of new cards, UPDATE of the
 *	   cards whose values differ, then the same for each child table).  A
 *	   failing batch is rolled back and split in two until the failing unit
 *	   is alone; that unit is applied once more row by row to learn which row
 *	   failed, and it is rejected with all its rows (nothing of it is
 *	   written);
 *	5. invoices with their VAT lines (drafts first, then the status of the
 *	   source: posting is what counts in the balance), the originals before
 *	   their corrections; then payments.  While import_apply runs,
 *	   cr_import_run_id is set: the credit check records a strict limit
 *	   exceeded by history instead of refusing it (client_balance.c) and an
 *	   inactive buyer is accepted (tenant_rules.c);
 *	6. the results go to the TEMP table import_result and are returned; the
 *	   counts go to import_run.
 *
 * Upserts go by (tenant, source, external_id) of client, invoice and
 * payment (the unique indexes <table>_external_id_key).  A card merged into
 * another since an earlier import (merge_clients deletes it, its image stays
 * in the merge journal) is followed to the survivor, through later merges
 * too (FollowMerges): the survivor keeps its own values (the merge chose
 * them), the row's result is the survivor's, its message names the
 * survivor, and its children, invoices and payments go to the survivor --
 * the import never re-creates a merged card.  Children are
 * matched with the card's existing children by their natural key (the
 * address, the IBAN and currency, the person): a match is updated when its
 * values differ, otherwise a child is created.  Invoices and payments that
 * exist already are left as they are.  So running the same import again
 * changes nothing.
 *
 * On a Citus cluster import_apply runs on the worker that holds the tenant
 * (import_delegation.c): the coordinator sends the staging rows to the twin
 * import_apply_at(), which loads them into the worker session's own staging
 * tables and runs ImportApplyRun there with every statement rewritten for
 * the tenant's shards, so the triggers fire in the same backend (the
 * history import's cr_import_run_id reaches the credit check).
 */
#include "postgres.h"

#include <sys/resource.h>
#include <time.h>

#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/rel.h"

#include "client_registry.h"
#include "import_delegation.h"
#include "merge_clients.h"
#include "spi_support.h"
#include "sqlstates.h"
#include "tenant_rules.h"
#include "trigger_support.h"

typedef enum ImportKind
{
	IK_CLIENT,
	IK_ADDRESS,
	IK_BANK_ACCOUNT,
	IK_CONTACT,
	IK_INVOICE,
	IK_VAT_LINE,
	IK_PAYMENT,
	IK_COUNT
} ImportKind;

/* A column of a staging table that goes into the target table. */
typedef struct ImportCol
{
	char	   *name;
	char	   *type;			/* format_type of the target column */
	char	   *deflt;			/* its default expression, or NULL */
	bool		has_data;		/* some staging row has a value */
} ImportCol;

typedef struct ImportTable
{
	const char *kind;			/* result kind */
	const char *staging;		/* pg_temp staging table */
	const char *target;			/* client_registry table */
	const char *work;			/* pg_temp work table */
	const char *ref;			/* reference column to the parent / client */
	const char *what;			/* "a client", for messages */
	int			ncols;
	ImportCol  *cols;
	int64		rows;
} ImportTable;

static ImportTable tables[IK_COUNT] = {
	{"client", "import_client", "client", "cr_imp_client", NULL, "a client"},
	{"address", "import_address", "client_address", "cr_imp_address", "client_external_id", "an address"},
	{"bank_account", "import_bank_account", "client_bank_account", "cr_imp_bank_account", "client_external_id", "a bank account"},
	{"contact", "import_contact", "client_contact", "cr_imp_contact", "client_external_id", "a contact"},
	{"invoice", "import_invoice", "invoice", "cr_imp_invoice", "client_external_id", "an invoice"},
	{"vat_line", "import_vat_line", "invoice_vat_line", "cr_imp_vat_line", "invoice_external_id", "a VAT line"},
	{"payment", "import_payment", "payment", "cr_imp_payment", "client_external_id", "a payment"},
};

static const ImportKind child_kinds[3] = {IK_ADDRESS, IK_BANK_ACCOUNT, IK_CONTACT};

/*
 * NullSafeEq: a = b, or both NULL (IS NOT DISTINCT FROM would look its
 * operator up on the search_path).
 */
static char *
NullSafeEq(const char *a, const char *b)
{
	return psprintf("(%s OPERATOR(pg_catalog.=) %s OR (%s IS NULL AND %s IS NULL))", a, b, a, b);
}

/*
 * ChildMatch: the natural key a child of an existing card is matched by
 * (e = the registry's row, a = the work row): the address, the IBAN and
 * currency, the person.
 */
static char *
ChildMatch(ImportKind k)
{
	switch (k)
	{
		case IK_ADDRESS:
			return psprintf("%s AND %s AND %s"
							" AND e.country OPERATOR(pg_catalog.=) COALESCE(pg_catalog.upper(NULLIF(pg_catalog.btrim(a.country), '')),"
							"                                              client_registry.default_country())",
							NullSafeEq("e.street", "NULLIF(pg_catalog.btrim(a.street), '')"),
							NullSafeEq("e.city", "NULLIF(pg_catalog.btrim(a.city), '')"),
							NullSafeEq("e.postal_code", "NULLIF(pg_catalog.btrim(a.postal_code), '')"));
		case IK_BANK_ACCOUNT:
			return pstrdup("e.iban OPERATOR(pg_catalog.=) pg_catalog.upper(pg_catalog.regexp_replace(a.iban, '[[:space:]-]', '', 'g'))"
						   " AND e.currency OPERATOR(pg_catalog.=) COALESCE(pg_catalog.upper(NULLIF(pg_catalog.btrim(a.currency), '')), 'EUR')");
		case IK_CONTACT:
			return psprintf("%s AND %s AND %s",
							NullSafeEq("e.first_name", "NULLIF(pg_catalog.btrim(a.first_name), '')"),
							NullSafeEq("e.last_name", "NULLIF(pg_catalog.btrim(a.last_name), '')"),
							NullSafeEq("pg_catalog.lower(e.email)", "pg_catalog.lower(NULLIF(pg_catalog.btrim(a.email), ''))"));
		default:
			elog(ERROR, "import: no match key for %s", tables[k].staging);
	}
	return NULL;				/* keep the compiler quiet */
}

/* The statements of a unit, in order; per_row: may be run for one row ($3). */
#define MAX_UNIT_PLANS 16
typedef struct UnitPlans
{
	int			n;
	SPIPlanPtr	plan[MAX_UNIT_PLANS];
	ImportKind	kind[MAX_UNIT_PLANS];
	bool		per_row[MAX_UNIT_PLANS];
} UnitPlans;

typedef struct ImportRun
{
	int32		tenant;
	char	   *source;
	int64		run_id;
	int			batch_size;
	UnitPlans	cards;
	UnitPlans	invoices;
	UnitPlans	payments;
	/* the step running when a unit failed */
	ImportKind	fail_kind;
	int64		fail_r;
} ImportRun;

/* $1, $2 unit range; $3 one row or NULL; $4 tenant; $5 source */
static Oid	param_types[5] = {INT8OID, INT8OID, INT8OID, INT4OID, TEXTOID};

/*
 * Plain SPI helpers (statements on the work tables and the registry).  In
 * the import's twin on a Citus worker (import_delegation.c) every statement
 * is rewritten for the tenant's shards (MergeSql); elsewhere MergeSql is the
 * identity after one comparison.
 */
static uint64
Exec(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls)
{
	int			ret = SPI_execute_with_args(MergeSql(sql), nargs, types, values, nulls, false, 0);

	if (ret < 0)
		elog(ERROR, "import: SPI failed (%s) for: %s", SPI_result_code_string(ret), sql);
	return SPI_processed;
}

static void
ExecPlain(const char *sql)
{
	(void) Exec(sql, 0, NULL, NULL, NULL);
}

static int64
QueryInt64(const char *sql, int nargs, Oid *types, Datum *values)
{
	bool		isnull;
	Datum		d;

	if (Exec(sql, nargs, types, values, NULL) != 1)
		elog(ERROR, "import: expected one row from: %s", sql);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return isnull ? 0 : DatumGetInt64(d);
}

static void
DropIfExists(const char *name)
{
	if (OidIsValid(RelnameGetRelid(name)) &&
		get_rel_namespace(RelnameGetRelid(name)) == LookupExplicitNamespace("pg_temp", true))
		ExecPlain(psprintf("DROP TABLE pg_temp.%s", name));
}

/* Timing of the phases (DEBUG1). */
static struct timespec wall_start;
static double cpu_start;

static double
CpuMs(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec * 1000.0 + ru.ru_utime.tv_usec / 1000.0 +
		ru.ru_stime.tv_sec * 1000.0 + ru.ru_stime.tv_usec / 1000.0;
}

static void
Phase(const char *what)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (what != NULL)
		elog(DEBUG1, "import: %s in %.0f ms (CPU %.0f ms)", what,
			 (now.tv_sec - wall_start.tv_sec) * 1000.0 + (now.tv_nsec - wall_start.tv_nsec) / 1e6,
			 CpuMs() - cpu_start);
	wall_start = now;
	cpu_start = CpuMs();
}

/*
 * OpenOwn opens a table of the extension's schema (for owner's rights): in
 * the twin on a Citus worker, the tenant's shard of it.
 */
static Relation
OpenOwn(const char *name)
{
	return table_open(MergeTableRelid(name), RowExclusiveLock);
}

/*
 * LoadColumns reads the importable columns of a staging table from the
 * view import_column and which of them carry data.
 */
static void
LoadColumns(ImportTable *t)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	uint64		n;
	StringInfoData sql;
	Relation	own = NULL;
	CrUserSwitch sw;

	values[0] = CStringGetTextDatum(t->staging);
	/*
	 * In the twin on a Citus worker the catalog view is read as the owner:
	 * the caller's grant on it was made on the coordinator.
	 */
	if (MergeAnchored())
	{
		own = table_open(MergeTableRelid("client"), AccessShareLock);
		CrBecomeOwner(own, &sw);
	}
	n = Exec("SELECT column_name, data_type, column_default"
			 "  FROM client_registry.import_column"
			 " WHERE staging_table OPERATOR(pg_catalog.=) $1 AND NOT is_reference ORDER BY position",
			 1, types, values, NULL);
	if (own != NULL)
	{
		CrRestoreUser(&sw);
		table_close(own, AccessShareLock);
	}
	t->ncols = (int) n;
	t->cols = MemoryContextAllocZero(TopTransactionContext, sizeof(ImportCol) * (n + 1));
	for (uint64 i = 0; i < n; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *deflt = SPI_getvalue(row, desc, 3);

		t->cols[i].name = MemoryContextStrdup(TopTransactionContext, SPI_getvalue(row, desc, 1));
		t->cols[i].type = MemoryContextStrdup(TopTransactionContext, SPI_getvalue(row, desc, 2));
		t->cols[i].deflt = deflt ? MemoryContextStrdup(TopTransactionContext, deflt) : NULL;
	}
	if (n == 0)
		return;

	/* which columns carry a value in some row, and how many rows */
	initStringInfo(&sql);
	appendStringInfoString(&sql, "SELECT pg_catalog.count(*)");
	for (int i = 0; i < t->ncols; i++)
		appendStringInfo(&sql, ", pg_catalog.count(NULLIF(pg_catalog.btrim(%s), ''))",
						 quote_identifier(t->cols[i].name));
	appendStringInfo(&sql, " FROM pg_temp.%s", t->staging);
	Exec(sql.data, 0, NULL, NULL, NULL);
	{
		bool		isnull;

		t->rows = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		for (int i = 0; i < t->ncols; i++)
			t->cols[i].has_data =
				DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, i + 2, &isnull)) > 0;
	}
}

/*
 * NormText: a code column as the registry's triggers will store it (valid
 * values normalised, others as given, for the triggers to refuse), so that
 * an import of the same data again compares equal.  country is the
 * expression of the row's country.
 */
static char *
NormText(const char *name, const char *v, const char *country)
{
	if (strcmp(name, "iban") == 0)
		return psprintf("CASE WHEN client_registry.iban_valid(%s) THEN client_registry.normalize_iban(%s) ELSE %s END", v, v, v);
	if (strcmp(name, "bic") == 0)
		return psprintf("CASE WHEN client_registry.bic_valid(%s) THEN client_registry.normalize_bic(%s) ELSE %s END", v, v, v);
	if (strcmp(name, "email") == 0)
		return psprintf("CASE WHEN client_registry.email_valid(%s) THEN client_registry.normalize_email(%s) ELSE %s END", v, v, v);
	if (strcmp(name, "country") == 0)
		return psprintf("CASE WHEN client_registry.country_code_valid(%s) THEN client_registry.normalize_country(%s) ELSE %s END", v, v, v);
	if (strcmp(name, "currency") == 0)
		return psprintf("pg_catalog.upper(%s)", v);
	if (country != NULL && strcmp(name, "company_code") == 0)
		return psprintf("CASE WHEN client_registry.company_code_valid(%s, %s) THEN client_registry.normalize_company_code(%s, %s) ELSE %s END",
						v, country, v, country, v);
	if (country != NULL && strcmp(name, "vat_code") == 0)
		return psprintf("CASE WHEN client_registry.vat_code_valid(%s, %s) THEN client_registry.normalize_vat_code(%s, %s) ELSE %s END",
						v, country, v, country, v);
	return (char *) v;
}

/*
 * The value of a staging column as the target's type: empty is NULL; code
 * columns normalised (country: the expression of the row's country, NULL
 * for tables without one).
 */
static char *
CastExpr(const char *alias, ImportCol *c, const char *country)
{
	char	   *v = psprintf("NULLIF(pg_catalog.btrim(%s.%s), '')", alias, quote_identifier(c->name));

	if (strcmp(c->type, "text") == 0)
		return NormText(c->name, v, country);
	return psprintf("%s::%s", v, c->type);
}

/* On insert: an empty value takes the column's default. */
static char *
InsertExpr(const char *alias, ImportCol *c)
{
	char	   *e = CastExpr(alias, c, "COALESCE(NULLIF(pg_catalog.btrim(a.country), ''), client_registry.default_country())");

	return c->deflt ? psprintf("COALESCE(%s, %s)", e, c->deflt) : e;
}

/*
 * CheckStaging raises an error unless import_begin() created the staging
 * tables in this session.
 */
static void
CheckStaging(void)
{
	Oid			temp_nsp = LookupExplicitNamespace("pg_temp", true);

	for (int k = 0; k < IK_COUNT; k++)
	{
		Oid			relid = RelnameGetRelid(tables[k].staging);

		if (!OidIsValid(relid) || get_rel_namespace(relid) != temp_nsp)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("staging table %s does not exist in this session", tables[k].staging),
					 errdetail("import_apply() reads the session's staging tables, which import_begin() creates."),
					 errhint("Run SELECT * FROM client_registry.import_begin(); in this session, COPY the data into the staging tables, then call import_apply().")));
	}
}

/*
 * CheckPrivileges refuses the import, naming every missing privilege, when
 * the caller could not write what the staging tables carry: INSERT (and
 * UPDATE for the upserted cards) on each target table with rows, INSERT on
 * each column with data.  Better than a rejection of every row.
 */
static void
CheckPrivileges(void)
{
	StringInfoData sql;
	bool		first = true;
	char	   *missing;

	initStringInfo(&sql);
	appendStringInfoString(&sql, "SELECT pg_catalog.string_agg(p, ', ' ORDER BY p) FROM (");
	for (int k = 0; k < IK_COUNT; k++)
	{
		ImportTable *t = &tables[k];
		char	   *target = psprintf("client_registry.%s", t->target);
		/* written besides the staging columns: the external id pair, the parent */
		const char *always[3] = {NULL, NULL, NULL};
		bool		upserts = (k <= IK_CONTACT);

		if (t->rows == 0)
			continue;
		if (k == IK_CLIENT || k == IK_INVOICE || k == IK_PAYMENT)
		{
			always[0] = "source";
			always[1] = "external_id";
		}
		if (k != IK_CLIENT)
			always[2] = k == IK_VAT_LINE ? "invoice_id" : "client_id";

		appendStringInfo(&sql, "%sSELECT %s AS p WHERE NOT pg_catalog.has_any_column_privilege(%s, 'INSERT')",
						 first ? "" : " UNION ALL ",
						 quote_literal_cstr(psprintf("INSERT on %s", target)), quote_literal_cstr(target));
		first = false;
		if (upserts)
			appendStringInfo(&sql, " UNION ALL SELECT %s WHERE NOT pg_catalog.has_any_column_privilege(%s, 'UPDATE')",
							 quote_literal_cstr(psprintf("UPDATE on %s", target)), quote_literal_cstr(target));
		for (int i = 0; i < t->ncols + 3; i++)
		{
			const char *col = i < t->ncols ? t->cols[i].name : always[i - t->ncols];

			if (col == NULL || (i < t->ncols && !t->cols[i].has_data))
				continue;
			appendStringInfo(&sql, " UNION ALL SELECT %s WHERE pg_catalog.has_any_column_privilege(%s, 'INSERT')"
							 " AND NOT pg_catalog.has_column_privilege(%s, %s, 'INSERT')",
							 quote_literal_cstr(psprintf("INSERT on %s (%s)", target, col)),
							 quote_literal_cstr(target), quote_literal_cstr(target), quote_literal_cstr(col));
		}
	}
	if (first)
		return;					/* nothing to import */
	appendStringInfoString(&sql, ") missing");
	Exec(sql.data, 0, NULL, NULL, NULL);
	missing = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	if (missing != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for the import: the current role lacks %s", missing),
				 errdetail("import_apply() writes with the rights of the role that calls it."),
				 errhint("Grant the role the registry application's table privileges (README, GRANT recipe), or leave those columns empty.")));
}

/*
 * CheckOwnCompany: a tenant's clients start with its own company (R1.5).
 * Refused before anything is written when the tenant has none and the
 * import brings none.
 */
static void
CheckOwnCompany(ImportRun *run)
{
	Oid			types[1] = {INT4OID};
	Datum		values[1];

	if (tables[IK_CLIENT].rows == 0)
		return;
	values[0] = Int32GetDatum(run->tenant);
	if (QueryInt64("SELECT pg_catalog.count(*) FROM ("
				   " SELECT 1 FROM client_registry.client c"
				   "  WHERE c.tenant_id OPERATOR(pg_catalog.=) $1"
				   "    AND c.kind OPERATOR(pg_catalog.=) 'own_company'::client_registry.client_kind"
				   " UNION ALL SELECT 1 FROM pg_temp.import_client s"
				   "  WHERE pg_catalog.btrim(s.kind) OPERATOR(pg_catalog.=) 'own_company') x",
				   1, types, values) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("tenant %d has no own company", run->tenant),
				 errdetail("The first client of a tenant is its own company (R1.5); the import has none either."),
				 errhint("Give the own company as a card of kind own_company in import_client, or insert it first.")));
}

/*
 * StartRun: one import at a time per tenant and source, and its row in
 * import_run (written with the owner's rights: the caller needs no
 * privilege on it).
 */
static void
StartRun(ImportRun *run)
{
	Oid			types[3] = {INT4OID, TEXTOID, TEXTOID};
	Datum		values[3];
	Relation	rel;
	CrUserSwitch sw;

	values[0] = CStringGetTextDatum(psprintf("client_registry import %d %s", run->tenant, run->source));
	Exec("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended($1, 0))",
		 1, &types[1], values, NULL);

	rel = OpenOwn("import_run");
	values[0] = Int32GetDatum(run->tenant);
	values[1] = CStringGetTextDatum(run->source);
	values[2] = CStringGetTextDatum(GetUserNameFromId(GetUserId(), false));
	CrEnsureTenant(rel, run->tenant);
	CrBecomeOwner(rel, &sw);
	run->run_id = QueryInt64("INSERT INTO client_registry.import_run (tenant_id, source, run_by)"
							 " VALUES ($1, $2, $3::pg_catalog.name) RETURNING id", 3, types, values);
	CrRestoreUser(&sw);
	table_close(rel, NoLock);
}

/* The staging columns copied into a work table: ", alias.col". */
static char *
DataCols(ImportTable *t, const char *alias)
{
	StringInfoData s;

	initStringInfo(&s);
	for (int i = 0; i < t->ncols; i++)
		appendStringInfo(&s, ", %s.%s", alias, quote_identifier(t->cols[i].name));
	return s.data;
}

/*
 * The work-table columns every kind has: state 'pending', 'done' (nothing
 * to do) or 'rejected'; result, SQLSTATE, field, message, detail.
 */
#define WORK_RESULT_COLS \
	" cr_state text, cr_result text, cr_sqlstate text, cr_field text, cr_message text, cr_detail text"

/*
 * CreateUnitTable builds the work table of a kind whose rows are units of
 * their own (cards, invoices, payments): one row per staging row, numbered
 * in load order (cr_r), the unit key cr_k (apply order: own company first;
 * originals before corrections), the existing row of the same external id
 * (cr_found), and rejected when the external id is missing or repeated.
 */
static void
CreateUnitTable(ImportRun *run, ImportKind k, const char *order)
{
	ImportTable *t = &tables[k];
	Datum		values[2];
	Oid			types[2] = {INT4OID, TEXTOID};
	char	   *extra = "";

	DropIfExists(t->work);
	if (k == IK_INVOICE)
		extra = ", NULLIF(pg_catalog.btrim(s.client_external_id), '') AS cr_ref,"
			" NULLIF(pg_catalog.btrim(s.corrected_external_id), '') AS cr_corr_ref";
	else if (k == IK_PAYMENT)
		extra = ", NULLIF(pg_catalog.btrim(s.client_external_id), '') AS cr_ref, NULL::text AS cr_corr_ref";
	else
		extra = ", NULL::text AS cr_ref, NULL::text AS cr_corr_ref";

	values[0] = Int32GetDatum(run->tenant);
	values[1] = CStringGetTextDatum(run->source);
	Exec(psprintf("CREATE TEMP TABLE %s AS"
				  " SELECT x.cr_r, x.cr_k, x.line, x.cr_ext, x.cr_ref, x.cr_corr_ref, x.cr_first,"
				  "        x.cr_found, %s AS cr_client, true AS cr_has_row,"
				  "        CASE WHEN x.cr_ext IS NULL OR NOT x.cr_first THEN 'rejected'"
				  "             WHEN x.cr_found IS NOT NULL AND %s THEN 'done' ELSE 'pending' END AS cr_state,"
				  "        CASE WHEN x.cr_ext IS NULL OR NOT x.cr_first THEN 'rejected'"
				  "             WHEN x.cr_found IS NOT NULL AND %s THEN 'unchanged' END AS cr_result,"
				  "        CASE WHEN x.cr_ext IS NULL THEN '23502' WHEN NOT x.cr_first THEN '23505' END AS cr_sqlstate,"
				  "        CASE WHEN x.cr_ext IS NULL OR NOT x.cr_first THEN 'external_id' END AS cr_field,"
				  "        CASE WHEN x.cr_ext IS NULL THEN %s"
				  "             WHEN NOT x.cr_first THEN pg_catalog.format('external id \"%%s\" is on line %%s of %s already',"
				  "                                                        x.cr_ext, x.cr_first_line) END AS cr_message,"
				  "        NULL::text AS cr_detail%s"
				  "   FROM (SELECT pg_catalog.row_number() OVER (ORDER BY s.line) AS cr_r,"
				  "                pg_catalog.row_number() OVER (ORDER BY %s, s.line) AS cr_k,"
				  "                s.line, e.ext AS cr_ext%s,"
				  "                e.ext IS NULL OR pg_catalog.row_number() OVER (PARTITION BY e.ext ORDER BY s.line)"
				  "                                 OPERATOR(pg_catalog.=) 1 AS cr_first,"
				  "                pg_catalog.first_value(s.line) OVER (PARTITION BY e.ext ORDER BY s.line) AS cr_first_line,"
				  "                f.id AS cr_found%s"
				  "           FROM pg_temp.%s s"
				  "          CROSS JOIN LATERAL (SELECT NULLIF(pg_catalog.btrim(s.external_id), '') AS ext) e"
				  "           LEFT JOIN client_registry.%s f ON f.tenant_id OPERATOR(pg_catalog.=) $1"
				  "            AND f.source OPERATOR(pg_catalog.=) $2 AND f.external_id OPERATOR(pg_catalog.=) e.ext) x",
				  t->work, k == IK_CLIENT ? "x.cr_found" : "NULL::bigint",
				  /* existing cards are upserted; invoices and payments left as they are */
				  k == IK_CLIENT ? "false" : "true",
				  k == IK_CLIENT ? "false" : "true",
				  quote_literal_cstr(psprintf("%s needs an external_id (its id in the source system)", t->what)),
				  t->staging,
				  DataCols(t, "x"), order, extra, DataCols(t, "s"), t->staging, t->target),
		 2, types, values, NULL);
	ExecPlain(psprintf("CREATE INDEX ON pg_temp.%s (cr_k)", t->work));
	ExecPlain(psprintf("CREATE INDEX ON pg_temp.%s (cr_r)", t->work));
	ExecPlain(psprintf("CREATE INDEX ON pg_temp.%s (cr_ext)", t->work));
}

/*
 * CreateChildTable builds the work table of a child kind (addresses, bank
 * accounts and contacts of a card; VAT lines of an invoice): each row
 * points at its parent's work row (cr_card); a row without a reference or
 * whose parent is nowhere is rejected, a row of a rejected parent is
 * rejected with it, a row of a parent left as it is stays as it is.
 */
static void
CreateChildTable(ImportRun *run, ImportKind k, ImportKind parent, const char *parent_what)
{
	ImportTable *t = &tables[k];
	ImportTable *p = &tables[parent];

	DropIfExists(t->work);
	ExecPlain(psprintf("CREATE TEMP TABLE %s AS"
					   " SELECT x.cr_r, x.line, x.cr_ref, p.cr_r AS cr_card, p.cr_client, NULL::bigint AS cr_match,"
					   "        CASE WHEN x.cr_ref IS NULL OR p.cr_r IS NULL OR p.cr_state OPERATOR(pg_catalog.=) 'rejected'"
					   "             THEN 'rejected' WHEN p.cr_state OPERATOR(pg_catalog.=) 'done' THEN 'done'"
					   "             ELSE 'pending' END AS cr_state,"
					   "        CASE WHEN x.cr_ref IS NULL OR p.cr_r IS NULL OR p.cr_state OPERATOR(pg_catalog.=) 'rejected'"
					   "             THEN 'rejected' WHEN p.cr_state OPERATOR(pg_catalog.=) 'done' THEN 'unchanged' END AS cr_result,"
					   "        CASE WHEN x.cr_ref IS NULL THEN '23502' WHEN p.cr_r IS NULL THEN '23503'"
					   "             ELSE p.cr_sqlstate END AS cr_sqlstate,"
					   "        CASE WHEN x.cr_ref IS NULL OR p.cr_r IS NULL THEN %s END AS cr_field,"
					   "        CASE WHEN x.cr_ref IS NULL THEN %s"
					   "             WHEN p.cr_r IS NULL THEN pg_catalog.format('no %s with external id \"%%s\" in %s or from source %%s',"
					   "                                                        x.cr_ref, %s)"
					   "             WHEN p.cr_state OPERATOR(pg_catalog.=) 'rejected'"
					   "             THEN pg_catalog.format('rejected with its %s (%s line %%s)', p.line) END AS cr_message,"
					   "        NULL::text AS cr_detail%s"
					   "   FROM (SELECT pg_catalog.row_number() OVER (ORDER BY s.line) AS cr_r, s.line,"
					   "                NULLIF(pg_catalog.btrim(s.%s), '') AS cr_ref%s"
					   "           FROM pg_temp.%s s) x"
					   "   LEFT JOIN pg_temp.%s p ON p.cr_ext OPERATOR(pg_catalog.=) x.cr_ref AND p.cr_first",
					   t->work,
					   quote_literal_cstr(t->ref),
					   quote_literal_cstr(psprintf("a row of %s needs its %s", t->staging, t->ref)),
					   parent_what, p->staging, quote_literal_cstr(run->source),
					   parent_what, p->staging,
					   DataCols(t, "x"), t->ref, DataCols(t, "s"), t->staging, p->work));
	ExecPlain(psprintf("CREATE INDEX ON pg_temp.%s (cr_card)", t->work));
	ExecPlain(psprintf("CREATE INDEX ON pg_temp.%s (cr_r)", t->work));
}

/*
 * Merged cards: (tenant $1, source $2) -> the external ids of the clients
 * a merge deleted and the client each one lives on now, following later
 * merges of the survivor (not undone) until a client that exists.  Run with
 * the owner's rights (the merge journal is the registry's own).
 */
static const char *const merged_cards_sql =
"WITH RECURSIVE hop AS ("
"  (SELECT DISTINCT ON (i.ext) i.ext, m.survivor_id AS id, 1 AS depth"
"    FROM client_registry.client_merge_step st"
"    JOIN client_registry.client_merge m ON m.tenant_id OPERATOR(pg_catalog.=) st.tenant_id"
"     AND m.id OPERATOR(pg_catalog.=) st.merge_id"
"   CROSS JOIN LATERAL pg_catalog.jsonb_array_elements(st.row_images) AS r(img)"
"   CROSS JOIN LATERAL (SELECT r.img OPERATOR(pg_catalog.->>) 'external_id' AS ext) i"
"   WHERE st.tenant_id OPERATOR(pg_catalog.=) $1 AND st.action OPERATOR(pg_catalog.=) 'delete'"
"     AND st.table_name OPERATOR(pg_catalog.=) 'client' AND m.undone_at IS NULL"
"     AND r.img OPERATOR(pg_catalog.->>) 'source' OPERATOR(pg_catalog.=) $2 AND i.ext IS NOT NULL"
"   ORDER BY i.ext, m.merged_at DESC, m.id DESC)"
"  UNION ALL"
"  SELECT h.ext, n.survivor_id, h.depth OPERATOR(pg_catalog.+) 1"
"    FROM hop h"
"    CROSS JOIN LATERAL (SELECT m.survivor_id FROM client_registry.client_merge m"
"                         WHERE m.tenant_id OPERATOR(pg_catalog.=) $1 AND m.undone_at IS NULL"
"                           AND h.id OPERATOR(pg_catalog.=) ANY (m.merged_ids)"
"                         ORDER BY m.merged_at DESC, m.id DESC LIMIT 1) n"
"   WHERE h.depth OPERATOR(pg_catalog.<) 100"
"     AND NOT EXISTS (SELECT 1 FROM client_registry.client c WHERE c.tenant_id OPERATOR(pg_catalog.=) $1"
"                        AND c.id OPERATOR(pg_catalog.=) h.id))"
"SELECT pg_catalog.array_agg(h.ext), pg_catalog.array_agg(h.id)"
"  FROM hop h"
" WHERE EXISTS (SELECT 1 FROM client_registry.client c WHERE c.tenant_id OPERATOR(pg_catalog.=) $1"
"                  AND c.id OPERATOR(pg_catalog.=) h.id)"
"   AND NOT EXISTS (SELECT 1 FROM client_registry.client c WHERE c.tenant_id OPERATOR(pg_catalog.=) $1"
"                      AND c.source OPERATOR(pg_catalog.=) $2 AND c.external_id OPERATOR(pg_catalog.=) h.ext)";

/*
 * FollowMerges: the work table pg_temp.cr_imp_merged (ext, survivor) of the
 * cards of this source merged away since they were imported, and each card
 * row of import_client that is one of them pointed at its survivor
 * (cr_merged): not inserted again, not written over the survivor.
 */
static void
FollowMerges(ImportRun *run)
{
	Oid			types[2] = {INT4OID, TEXTOID};
	Datum		values[2];
	Datum		arrays[2];
	bool		isnull = true;
	Relation	rel;
	CrUserSwitch sw;

	DropIfExists("cr_imp_merged");
	ExecPlain("CREATE TEMP TABLE cr_imp_merged (ext text PRIMARY KEY, survivor bigint NOT NULL)");
	values[0] = Int32GetDatum(run->tenant);
	values[1] = CStringGetTextDatum(run->source);
	rel = OpenOwn("client_merge_step");
	CrBecomeOwner(rel, &sw);
	Exec(merged_cards_sql, 2, types, values, NULL);
	arrays[0] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (!isnull)
		arrays[1] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
	CrRestoreUser(&sw);
	table_close(rel, NoLock);
	if (isnull)
		return;					/* no card of this source was merged away */

	types[0] = TEXTARRAYOID;
	types[1] = INT8ARRAYOID;
	Exec("INSERT INTO pg_temp.cr_imp_merged (ext, survivor)"
		 " SELECT u.ext, u.survivor FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2)) AS u(ext, survivor)",
		 2, types, arrays, NULL);
	ExecPlain("UPDATE pg_temp.cr_imp_client w SET cr_found = m.survivor, cr_client = m.survivor, cr_merged = true,"
			  " cr_message = pg_catalog.format('merged into client %s \"%s\": its children and documents go to the survivor, whose card stays as the merge left it',"
			  "                                m.survivor, c.name)"
			  "  FROM pg_temp.cr_imp_merged m"
			  "  LEFT JOIN client_registry.client c ON c.tenant_id OPERATOR(pg_catalog.=) client_registry.current_tenant()"
			  "   AND c.id OPERATOR(pg_catalog.=) m.survivor"
			  " WHERE w.cr_ext OPERATOR(pg_catalog.=) m.ext AND w.cr_found IS NULL"
			  "   AND w.cr_state OPERATOR(pg_catalog.=) 'pending'");
}

/*
 * PrepareCards builds the card work tables.  Children may point at a card
 * that is not in import_client but came from the same source before: such
 * a card gets a work row of its own (cr_has_row false, cr_r negative) so
 * that its new children are a unit like any other.
 */
static void
PrepareCards(ImportRun *run)
{
	Datum		values[2];
	Oid			types[2] = {INT4OID, TEXTOID};

	CreateUnitTable(run, IK_CLIENT,
					"COALESCE(NULLIF(pg_catalog.btrim(s.kind), ''), '') OPERATOR(pg_catalog.<>) 'own_company'");
	ExecPlain("ALTER TABLE pg_temp.cr_imp_client ADD COLUMN cr_merged boolean NOT NULL DEFAULT false");
	FollowMerges(run);
	values[0] = Int32GetDatum(run->tenant);
	values[1] = CStringGetTextDatum(run->source);
	Exec("INSERT INTO pg_temp.cr_imp_client (cr_r, cr_k, cr_ext, cr_first, cr_found, cr_client, cr_has_row, cr_state)"
		 " SELECT OPERATOR(pg_catalog.-) pg_catalog.row_number() OVER (ORDER BY x.ref),"
		 "        COALESCE((SELECT pg_catalog.max(cr_k) FROM pg_temp.cr_imp_client), 0)"
		 "          OPERATOR(pg_catalog.+) pg_catalog.row_number() OVER (ORDER BY x.ref),"
		 "        x.ref, true, c.id, c.id, false, 'pending'"
		 "   FROM (SELECT NULLIF(pg_catalog.btrim(client_external_id), '') AS ref FROM pg_temp.import_address"
		 "         UNION SELECT NULLIF(pg_catalog.btrim(client_external_id), '') FROM pg_temp.import_bank_account"
		 "         UNION SELECT NULLIF(pg_catalog.btrim(client_external_id), '') FROM pg_temp.import_contact) x"
		 "   JOIN LATERAL (SELECT c.id FROM client_registry.client c WHERE c.tenant_id OPERATOR(pg_catalog.=) $1"
		 "                    AND c.source OPERATOR(pg_catalog.=) $2 AND c.external_id OPERATOR(pg_catalog.=) x.ref"
		 "                 UNION ALL SELECT m.survivor FROM pg_temp.cr_imp_merged m WHERE m.ext OPERATOR(pg_catalog.=) x.ref"
		 "                 LIMIT 1) c ON true"
		 "  WHERE NOT EXISTS (SELECT 1 FROM pg_temp.cr_imp_client w WHERE w.cr_ext OPERATOR(pg_catalog.=) x.ref)",
		 2, types, values, NULL);

	for (int i = 0; i < 3; i++)
	{
		ImportTable *t = &tables[child_kinds[i]];

		CreateChildTable(run, child_kinds[i], IK_CLIENT, "client");
		/* a child of an existing card: the same child there already? */
		ExecPlain(psprintf("UPDATE pg_temp.%s a SET cr_match = (SELECT e.id FROM client_registry.%s e"
						   "   WHERE e.tenant_id OPERATOR(pg_catalog.=) client_registry.current_tenant()"
						   "     AND e.client_id OPERATOR(pg_catalog.=) a.cr_client AND %s ORDER BY e.id LIMIT 1)"
						   " WHERE a.cr_client IS NOT NULL AND a.cr_state OPERATOR(pg_catalog.=) 'pending'",
						   t->work, t->target, ChildMatch(child_kinds[i])));
	}
	ExecPlain("ANALYZE pg_temp.cr_imp_client");
	for (int i = 0; i < 3; i++)
		ExecPlain(psprintf("ANALYZE pg_temp.%s", tables[child_kinds[i]].work));
}

/*
 * InsertLists: the target columns and the values of an INSERT from a work
 * table (alias a), the columns that carry data only (the others take their
 * defaults).
 */
static void
InsertLists(ImportTable *t, StringInfo cols, StringInfo vals)
{
	for (int i = 0; i < t->ncols; i++)
	{
		if (!t->cols[i].has_data)
			continue;
		appendStringInfo(cols, ", %s", quote_identifier(t->cols[i].name));
		appendStringInfo(vals, ", %s AS %s", InsertExpr("a", &t->cols[i]),
						 quote_identifier(t->cols[i].name));
	}
}

/*
 * UpdateSql: an UPDATE of the rows of `target` the work rows (from, with
 * condition cond) point at through their column idcol, setting the columns
 * that carry data (an empty value keeps the row's value), only where a
 * value differs; the updated ids go to cr_imp_out.  NULL when no column
 * carries data.  (src in the INSERTs of children is referenced twice, so
 * PostgreSQL materialises it: the ids zip with the rows in order.)
 */
static char *
UpdateSql(ImportTable *t, ImportKind k, const char *from, const char *cond, const char *idcol)
{
	StringInfoData sets,
				differs;

	initStringInfo(&sets);
	initStringInfo(&differs);
	for (int i = 0; i < t->ncols; i++)
	{
		const char *q = quote_identifier(t->cols[i].name);
		char	   *v;

		if (!t->cols[i].has_data)
			continue;
		v = psprintf("COALESCE(%s, e.%s)",
					 CastExpr("a", &t->cols[i],
							  k == IK_CLIENT ? "COALESCE(NULLIF(pg_catalog.btrim(a.country), ''), e.country)" : NULL),
					 q);
		appendStringInfo(&sets, "%s%s = %s", sets.len ? ", " : "", q, v);
		appendStringInfo(&differs, "%sNOT %s", differs.len ? " OR " : "", NullSafeEq(psprintf("e.%s", q), v));
	}
	if (sets.len == 0)
		return NULL;
	return psprintf("WITH upd AS ("
					"  UPDATE client_registry.%s e SET %s"
					"    FROM (SELECT DISTINCT ON (a.%s) a.* FROM %s WHERE %s AND a.%s IS NOT NULL"
					"           ORDER BY a.%s, a.cr_r) a"
					"   WHERE e.tenant_id OPERATOR(pg_catalog.=) $4 AND e.id OPERATOR(pg_catalog.=) a.%s"
					"     AND (%s)"
					"  RETURNING e.id)"
					"INSERT INTO pg_temp.cr_imp_out (kind, id) SELECT %d, id FROM upd",
					t->target, sets.data,
					idcol, from, cond, idcol, idcol, idcol,
					differs.data, (int) k);
}

static void
AddPlan(UnitPlans *u, const char *sql, ImportKind kind, bool per_row)
{
	if (sql == NULL)
		return;
	if (u->n >= MAX_UNIT_PLANS)
		elog(ERROR, "import: too many statements in a unit");
	u->plan[u->n] = SPI_prepare(MergeSql(sql), 5, param_types);
	if (u->plan[u->n] == NULL)
		elog(ERROR, "import: SPI_prepare failed (%s) for: %s", SPI_result_code_string(SPI_result), sql);
	u->kind[u->n] = kind;
	u->per_row[u->n] = per_row;
	u->n++;
}

/*
 * AddChildPlans: update the matched children, insert the others, for the
 * units $1..$2 (one row: $3).  parent_id is the expression of the parent's
 * id (w = the parent's work row).
 */
static void
AddChildPlans(UnitPlans *u, ImportKind k, ImportKind parent, const char *parent_col,
			  const char *parent_id)
{
	ImportTable *t = &tables[k];
	const char *from = psprintf("pg_temp.%s a JOIN pg_temp.%s w ON w.cr_r OPERATOR(pg_catalog.=) a.cr_card",
								t->work, tables[parent].work);
	const char *cond = "w.cr_k OPERATOR(pg_catalog.>=) $1 AND w.cr_k OPERATOR(pg_catalog.<=) $2"
		" AND w.cr_state OPERATOR(pg_catalog.=) 'pending' AND a.cr_state OPERATOR(pg_catalog.=) 'pending'"
		" AND ($3::pg_catalog.int8 IS NULL OR a.cr_r OPERATOR(pg_catalog.=) $3)";
	StringInfoData cols,
				vals;

	AddPlan(u, UpdateSql(t, k, from, cond, "cr_match"), k, true);

	initStringInfo(&cols);
	initStringInfo(&vals);
	InsertLists(t, &cols, &vals);
	/* src carries the values under the column names: INSERT ... SELECT them */
	AddPlan(u, psprintf("WITH src AS ("
						"  SELECT a.cr_r, (%s) AS cr_parent_id%s FROM %s WHERE %s AND a.cr_match IS NULL),"
						" ins AS ("
						"  INSERT INTO client_registry.%s (%s%s)"
						"  SELECT cr_parent_id%s FROM src ORDER BY cr_r RETURNING id)"
						"INSERT INTO pg_temp.cr_imp_out (kind, r, id) SELECT %d, p.r, p.id"
						"  FROM ROWS FROM (pg_catalog.unnest((SELECT pg_catalog.array_agg(cr_r ORDER BY cr_r) FROM src)),"
						"                  pg_catalog.unnest((SELECT pg_catalog.array_agg(id ORDER BY id) FROM ins))) AS p(r, id)",
						parent_id, vals.data, from, cond,
						t->target, parent_col, cols.data, cols.data, (int) k),
			k, true);
}

/*
 * PrepareCardPlans: the statements of a card unit.
 */
static void
PrepareCardPlans(ImportRun *run)
{
	ImportTable *t = &tables[IK_CLIENT];
	UnitPlans  *u = &run->cards;
	StringInfoData cols,
				vals;
	const char *cond = "a.cr_k OPERATOR(pg_catalog.>=) $1 AND a.cr_k OPERATOR(pg_catalog.<=) $2"
		" AND a.cr_state OPERATOR(pg_catalog.=) 'pending' AND a.cr_has_row";

	initStringInfo(&cols);
	initStringInfo(&vals);
	InsertLists(t, &cols, &vals);
	AddPlan(u, psprintf("INSERT INTO client_registry.client (source, external_id%s)"
						" SELECT $5, a.cr_ext%s FROM pg_temp.cr_imp_client a"
						"  WHERE %s AND a.cr_client IS NULL ORDER BY a.cr_k",
						cols.data, vals.data, cond),
			IK_CLIENT, false);
	/* a card merged away is not written over its survivor */
	AddPlan(u, UpdateSql(t, IK_CLIENT, "pg_temp.cr_imp_client a", psprintf("%s AND NOT a.cr_merged", cond), "cr_client"),
			IK_CLIENT, false);
	for (int i = 0; i < 3; i++)
		AddChildPlans(u, child_kinds[i], IK_CLIENT, "client_id",
					  "COALESCE(w.cr_client, (SELECT c.id FROM client_registry.client c"
					  " WHERE c.tenant_id OPERATOR(pg_catalog.=) $4 AND c.source OPERATOR(pg_catalog.=) $5"
					  " AND c.external_id OPERATOR(pg_catalog.=) w.cr_ext))");
}

/*
 * ResolveClient: the client of each invoice or payment, by the external id
 * of its card (written by now, or from an earlier import of the source).
 */
static void
ResolveClient(ImportRun *run, ImportKind k)
{
	ImportTable *t = &tables[k];
	Datum		values[2];
	Oid			types[2] = {INT4OID, TEXTOID};

	values[0] = Int32GetDatum(run->tenant);
	values[1] = CStringGetTextDatum(run->source);
	Exec(psprintf("UPDATE pg_temp.%s w SET cr_client = c.id FROM client_registry.client c"
				  " WHERE c.tenant_id OPERATOR(pg_catalog.=) $1 AND c.source OPERATOR(pg_catalog.=) $2"
				  "   AND c.external_id OPERATOR(pg_catalog.=) w.cr_ref AND w.cr_state OPERATOR(pg_catalog.=) 'pending'",
				  t->work),
		 2, types, values, NULL);
	/* the card was merged into another since it was imported */
	ExecPlain(psprintf("UPDATE pg_temp.%s w SET cr_client = m.survivor FROM pg_temp.cr_imp_merged m"
					   " WHERE m.ext OPERATOR(pg_catalog.=) w.cr_ref AND w.cr_client IS NULL"
					   "   AND w.cr_state OPERATOR(pg_catalog.=) 'pending'",
					   t->work));
	/* no reference */
	ExecPlain(psprintf("UPDATE pg_temp.%s w SET cr_state = 'rejected', cr_result = 'rejected', cr_sqlstate = '23502',"
					   " cr_field = 'client_external_id',"
					   " cr_message = 'a row of %s needs its client''s client_external_id'"
					   " WHERE w.cr_state OPERATOR(pg_catalog.=) 'pending' AND w.cr_ref IS NULL",
					   t->work, t->staging));
	/* the card was rejected in this import */
	ExecPlain(psprintf("UPDATE pg_temp.%s w SET cr_state = 'rejected', cr_result = 'rejected', cr_sqlstate = c.cr_sqlstate,"
					   " cr_field = NULL, cr_message = pg_catalog.format('rejected with its client (import_client line %%s)', c.line)"
					   "  FROM pg_temp.cr_imp_client c WHERE c.cr_ext OPERATOR(pg_catalog.=) w.cr_ref"
					   "   AND c.cr_state OPERATOR(pg_catalog.=) 'rejected' AND c.cr_has_row AND w.cr_client IS NULL"
					   "   AND w.cr_state OPERATOR(pg_catalog.=) 'pending'",
					   t->work));
	/* nowhere */
	ExecPlain(psprintf("UPDATE pg_temp.%s w SET cr_state = 'rejected', cr_result = 'rejected', cr_sqlstate = '23503',"
					   " cr_field = 'client_external_id',"
					   " cr_message = pg_catalog.format('no client with external id \"%%s\" in import_client or from source %%s',"
					   "                                w.cr_ref, %s)"
					   " WHERE w.cr_state OPERATOR(pg_catalog.=) 'pending' AND w.cr_client IS NULL",
					   t->work, quote_literal_cstr(run->source)));
}

/*
 * PrepareInvoices: invoices (drafts with their VAT lines, then the status
 * of the source) and payments.
 */
static void
PrepareDocuments(ImportRun *run)
{
	StringInfoData cols,
				vals;
	ImportTable *t;
	ImportCol  *status = NULL;
	const char *cond = "a.cr_k OPERATOR(pg_catalog.>=) $1 AND a.cr_k OPERATOR(pg_catalog.<=) $2"
		" AND a.cr_state OPERATOR(pg_catalog.=) 'pending'";

	/* invoices: the originals before the corrections */
	CreateUnitTable(run, IK_INVOICE, "NULLIF(pg_catalog.btrim(s.corrected_external_id), '') IS NOT NULL");
	ResolveClient(run, IK_INVOICE);
	CreateChildTable(run, IK_VAT_LINE, IK_INVOICE, "invoice");
	ExecPlain("ANALYZE pg_temp.cr_imp_invoice");
	ExecPlain("ANALYZE pg_temp.cr_imp_vat_line");

	t = &tables[IK_INVOICE];
	initStringInfo(&cols);
	initStringInfo(&vals);
	for (int i = 0; i < t->ncols; i++)
	{
		/* inserted as drafts: the status comes after the VAT lines */
		if (!t->cols[i].has_data || strcmp(t->cols[i].name, "status") == 0)
			continue;
		appendStringInfo(&cols, ", %s", quote_identifier(t->cols[i].name));
		appendStringInfo(&vals, ", %s", InsertExpr("a", &t->cols[i]));
	}
	AddPlan(&run->invoices,
			psprintf("INSERT INTO client_registry.invoice (source, external_id, client_id, corrected_invoice_id, status%s)"
					 " SELECT $5, a.cr_ext, a.cr_client,"
					 "        (SELECT x.id FROM client_registry.invoice x"
					 "          WHERE x.tenant_id OPERATOR(pg_catalog.=) $4 AND x.source OPERATOR(pg_catalog.=) $5"
					 "            AND x.external_id OPERATOR(pg_catalog.=) a.cr_corr_ref),"
					 "        'draft'%s"
					 "   FROM pg_temp.cr_imp_invoice a WHERE %s ORDER BY a.cr_k",
					 cols.data, vals.data, cond),
			IK_INVOICE, false);
	AddChildPlans(&run->invoices, IK_VAT_LINE, IK_INVOICE, "invoice_id",
				  "SELECT i.id FROM client_registry.invoice i"
				  " WHERE i.tenant_id OPERATOR(pg_catalog.=) $4 AND i.source OPERATOR(pg_catalog.=) $5"
				  "   AND i.external_id OPERATOR(pg_catalog.=) w.cr_ext");
	for (int i = 0; i < t->ncols; i++)
		if (t->cols[i].has_data && strcmp(t->cols[i].name, "status") == 0)
			status = &t->cols[i];
	if (status != NULL)
		AddPlan(&run->invoices,
			psprintf("UPDATE client_registry.invoice i SET status = s.status"
					 "  FROM (SELECT a.cr_ext, %s AS status FROM pg_temp.cr_imp_invoice a WHERE %s) s"
					 " WHERE i.tenant_id OPERATOR(pg_catalog.=) $4 AND i.source OPERATOR(pg_catalog.=) $5"
					 "   AND i.external_id OPERATOR(pg_catalog.=) s.cr_ext"
					 "   AND s.status OPERATOR(pg_catalog.<>) 'draft'::client_registry.document_status",
					 InsertExpr("a", status), cond),
			IK_INVOICE, false);

	/* payments */
	CreateUnitTable(run, IK_PAYMENT, "s.line");
	ResolveClient(run, IK_PAYMENT);
	ExecPlain("ANALYZE pg_temp.cr_imp_payment");
	t = &tables[IK_PAYMENT];
	resetStringInfo(&cols);
	resetStringInfo(&vals);
	InsertLists(t, &cols, &vals);
	AddPlan(&run->payments,
			psprintf("INSERT INTO client_registry.payment (source, external_id, client_id%s)"
					 " SELECT $5, a.cr_ext, a.cr_client%s FROM pg_temp.cr_imp_payment a"
					 "  WHERE %s ORDER BY a.cr_k",
					 cols.data, vals.data, cond),
			IK_PAYMENT, false);
}

/*
 * Running a unit's statements inside a subtransaction.
 */
typedef void (*SubxactStep) (void *arg);

/*
 * IsRowError tells a row's error (bad data, a rule, a privilege) from one
 * that must end the import (cancel, deadlock, serialization, resources,
 * internal errors).
 */
static bool
IsRowError(ErrorData *e)
{
	const char *state = unpack_sql_state(e->sqlerrcode);

	if (e->sqlerrcode == ERRCODE_QUERY_CANCELED ||
		e->sqlerrcode == ERRCODE_T_R_SERIALIZATION_FAILURE ||
		e->sqlerrcode == ERRCODE_T_R_DEADLOCK_DETECTED ||
		e->sqlerrcode == ERRCODE_INTERNAL_ERROR)
		return false;
	/* 53 resources, 54 limits, 57 operator intervention, 58 system, XX internal */
	return !(strncmp(state, "53", 2) == 0 || strncmp(state, "54", 2) == 0 ||
			 strncmp(state, "57", 2) == 0 || strncmp(state, "58", 2) == 0 ||
			 strncmp(state, "XX", 2) == 0);
}

/*
 * InSubtransaction runs step(arg) in a subtransaction: NULL when it
 * committed, the error when it was rolled back (an error that is not a
 * row's is thrown on).
 */
static ErrorData *
InSubtransaction(SubxactStep step, void *arg)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	ErrorData  *volatile edata = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcontext);
	PG_TRY();
	{
		step(arg);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
		if (!IsRowError(edata))
			ReThrowError(edata);
	}
	PG_END_TRY();
	return edata;
}

typedef struct UnitsCall
{
	ImportRun  *run;
	UnitPlans  *plans;
	ImportKind	kind;			/* the unit's table */
	int64		k1,
				k2;
	bool		row_by_row;		/* one unit, its children one at a time */
} UnitsCall;

static void
RunPlan(SPIPlanPtr plan, int64 k1, int64 k2, int64 r, ImportRun *run)
{
	Datum		values[5];
	char		nulls[5] = {' ', ' ', r ? ' ' : 'n', ' ', ' '};
	int			ret;

	values[0] = Int64GetDatum(k1);
	values[1] = Int64GetDatum(k2);
	values[2] = Int64GetDatum(r);
	values[3] = Int32GetDatum(run->tenant);
	values[4] = CStringGetTextDatum(run->source);
	ret = SPI_execute_plan(plan, values, nulls, false, 0);
	if (ret < 0)
		elog(ERROR, "import: SPI_execute_plan failed: %s", SPI_result_code_string(ret));
}

/*
 * RunUnitsStep runs the statements of units k1..k2.  Row by row, each
 * child row of the (one) unit runs on its own, and run->fail_kind /
 * fail_r name the row being written when an error comes.
 */
static void
RunUnitsStep(void *arg)
{
	UnitsCall  *c = (UnitsCall *) arg;
	ImportRun  *run = c->run;
	UnitPlans  *u = c->plans;

	for (int i = 0; i < u->n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (!c->row_by_row || !u->per_row[i])
		{
			run->fail_kind = c->kind;
			run->fail_r = 0;
			RunPlan(u->plan[i], c->k1, c->k2, 0, run);
		}
		else
		{
			ImportTable *t = &tables[u->kind[i]];
			Datum		values[1];
			Oid			types[1] = {INT8OID};
			uint64		n;
			int64	   *rows;

			values[0] = Int64GetDatum(c->k1);
			n = Exec(psprintf("SELECT a.cr_r FROM pg_temp.%s a JOIN pg_temp.%s w ON w.cr_r OPERATOR(pg_catalog.=) a.cr_card"
							  " WHERE w.cr_k OPERATOR(pg_catalog.=) $1 AND a.cr_state OPERATOR(pg_catalog.=) 'pending'"
							  " ORDER BY a.cr_r", t->work, tables[c->kind].work),
					 1, types, values, NULL);
			rows = palloc(sizeof(int64) * (n + 1));
			for (uint64 j = 0; j < n; j++)
			{
				bool		isnull;

				rows[j] = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[j], SPI_tuptable->tupdesc, 1, &isnull));
			}
			for (uint64 j = 0; j < n; j++)
			{
				run->fail_kind = u->kind[i];
				run->fail_r = rows[j];
				RunPlan(u->plan[i], c->k1, c->k2, rows[j], run);
			}
		}
	}
	run->fail_kind = c->kind;
	run->fail_r = 0;
}

/*
 * BadCastColumn: after a data exception on a row, the first column whose
 * value does not convert to its type (the field of the result), or NULL.
 */
static bool
CastFails(ImportKind k, ImportCol *col, int64 r)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	volatile bool bad = false;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcontext);
	PG_TRY();
	{
		ExecPlain(psprintf("SELECT %s FROM pg_temp.%s a WHERE a.cr_r OPERATOR(pg_catalog.=) %lld",
						   CastExpr("a", col, NULL), tables[k].work, (long long) r));
		ReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcontext);
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		bad = true;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(oldcontext);
	CurrentResourceOwner = oldowner;
	return bad;
}

static const char *
BadCastColumn(ImportKind k, int64 r)
{
	ImportTable *t = &tables[k];

	for (int i = 0; i < t->ncols; i++)
	{
		if (t->cols[i].has_data && strcmp(t->cols[i].type, "text") != 0 &&
			CastFails(k, &t->cols[i], r))
			return t->cols[i].name;
	}
	return NULL;
}

/*
 * RejectUnit records a failed unit: the failing row gets the error; the
 * unit's parent row (when the failing row is a child) says which row took
 * it down; the unit's other rows are rejected with it.
 */
static void
RejectUnit(ImportRun *run, ImportKind unit_kind, int64 k, ImportKind fail_kind, int64 fail_r,
		   ErrorData *e)
{
	ImportTable *u = &tables[unit_kind];
	Oid			types[6] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, INT8OID, TEXTOID};
	Datum		values[6];
	char		nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};
	const char *field = e->column_name;

	if (field == NULL && strncmp(unpack_sql_state(e->sqlerrcode), "22", 2) == 0)
		field = BadCastColumn(fail_kind, fail_r ? fail_r :
							  QueryInt64(psprintf("SELECT cr_r FROM pg_temp.%s WHERE cr_k OPERATOR(pg_catalog.=) %lld",
												  u->work, (long long) k), 0, NULL, NULL));
	values[0] = CStringGetTextDatum(unpack_sql_state(e->sqlerrcode));
	values[1] = field ? CStringGetTextDatum(field) : (Datum) 0;
	nulls[1] = field ? ' ' : 'n';
	values[2] = CStringGetTextDatum(e->message ? e->message : "");
	values[3] = e->detail ? CStringGetTextDatum(e->detail) : (Datum) 0;
	nulls[3] = e->detail ? ' ' : 'n';
	values[4] = Int64GetDatum(k);
	values[5] = CStringGetTextDatum(tables[fail_kind].staging);

	if (fail_r == 0 || fail_kind == unit_kind)
	{
		/* the unit's own row failed */
		Exec(psprintf("UPDATE pg_temp.%s SET cr_state = 'rejected', cr_result = 'rejected', cr_sqlstate = $1,"
					  " cr_field = $2, cr_message = $3, cr_detail = $4"
					  " WHERE cr_k OPERATOR(pg_catalog.=) $5 AND cr_state OPERATOR(pg_catalog.=) 'pending'",
					  u->work),
			 5, types, values, nulls);
	}
	else
	{
		ImportTable *f = &tables[fail_kind];

		values[4] = Int64GetDatum(fail_r);
		Exec(psprintf("UPDATE pg_temp.%s SET cr_state = 'rejected', cr_result = 'rejected', cr_sqlstate = $1,"
					  " cr_field = $2, cr_message = $3, cr_detail = $4 WHERE cr_r OPERATOR(pg_catalog.=) $5",
					  f->work),
			 5, types, values, nulls);
		Exec(psprintf("UPDATE pg_temp.%s w SET cr_state = 'rejected', cr_result = 'rejected', cr_sqlstate = $1,"
					  " cr_field = NULL,"
					  " cr_message = pg_catalog.format('its row on line %%s of %%s was rejected: %%s', c.line, $6, $3),"
					  " cr_detail = $4"
					  "  FROM pg_temp.%s c WHERE c.cr_r OPERATOR(pg_catalog.=) $5"
					  "   AND w.cr_r OPERATOR(pg_catalog.=) c.cr_card AND w.cr_state OPERATOR(pg_catalog.=) 'pending'",
					  u->work, f->work),
			 6, types, values, nulls);
	}
	/* the unit's other rows */
	for (int i = 0; i < IK_COUNT; i++)
	{
		if (!((unit_kind == IK_CLIENT && (i == IK_ADDRESS || i == IK_BANK_ACCOUNT || i == IK_CONTACT)) ||
			  (unit_kind == IK_INVOICE && i == IK_VAT_LINE)))
			continue;
		ExecPlain(psprintf("UPDATE pg_temp.%s a SET cr_state = 'rejected', cr_result = 'rejected',"
						   " cr_sqlstate = w.cr_sqlstate,"
						   " cr_message = CASE WHEN w.cr_has_row"
						   "   THEN pg_catalog.format('rejected with its %s (%s line %%s)', w.line)"
						   "   ELSE pg_catalog.format('rejected with the other rows of %s \"%%s\"', w.cr_ext) END"
						   "  FROM pg_temp.%s w WHERE w.cr_r OPERATOR(pg_catalog.=) a.cr_card"
						   "   AND w.cr_state OPERATOR(pg_catalog.=) 'rejected'"
						   "   AND a.cr_state OPERATOR(pg_catalog.=) 'pending'",
						   tables[i].work, u->kind, u->staging, u->kind, u->work));
	}
}

/*
 * ApplyRange applies units k1..k2 (their pending rows) in one
 * subtransaction; when it fails, the range is split in two and each half
 * tried again, down to the failing unit, which is tried once more row by
 * row and rejected.
 */
static void
ApplyRange(ImportRun *run, UnitPlans *plans, ImportKind kind, int64 *keys, int64 n)
{
	UnitsCall	c = {run, plans, kind, keys[0], keys[n - 1], false};
	ErrorData  *e;

	e = InSubtransaction(RunUnitsStep, &c);
	if (e == NULL)
		return;
	if (n > 1)
	{
		FreeErrorData(e);
		ApplyRange(run, plans, kind, keys, n / 2);
		ApplyRange(run, plans, kind, keys + n / 2, n - n / 2);
		return;
	}
	/* one unit: which row? */
	c.row_by_row = true;
	FreeErrorData(e);
	e = InSubtransaction(RunUnitsStep, &c);
	if (e == NULL)
		return;					/* it went through this time */
	RejectUnit(run, kind, keys[0], run->fail_kind, run->fail_r, e);
	FreeErrorData(e);
}

/*
 * ApplyUnits applies the pending units of a kind (those matching cond),
 * batch_size at a time, in the order of their keys.
 */
static void
ApplyUnits(ImportRun *run, UnitPlans *plans, ImportKind kind, const char *cond)
{
	uint64		n;
	int64	   *keys;

	if (plans->n == 0)
		return;
	n = Exec(psprintf("SELECT a.cr_k FROM pg_temp.%s a WHERE a.cr_state OPERATOR(pg_catalog.=) 'pending' AND (%s)"
					  " ORDER BY a.cr_k", tables[kind].work, cond),
			 0, NULL, NULL, NULL);
	if (n == 0)
		return;
	keys = palloc(sizeof(int64) * n);
	for (uint64 i = 0; i < n; i++)
	{
		bool		isnull;

		keys[i] = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
	}
	SPI_freetuptable(SPI_tuptable);
	for (uint64 i = 0; i < n; i += run->batch_size)
	{
		CHECK_FOR_INTERRUPTS();
		ApplyRange(run, plans, kind, keys + i, Min((uint64) run->batch_size, n - i));
	}
	pfree(keys);
}

/*
 * ReturnResults builds pg_temp.import_result (one row per staging row, in
 * the order of the staging tables and their lines), records the counts in
 * import_run and returns the rows.
 */
static void
ReturnResults(ImportRun *run, ReturnSetInfo *rsinfo)
{
	StringInfoData sql;
	Oid			types[2] = {INT4OID, TEXTOID};
	Datum		values[3];
	Relation	rel;
	CrUserSwitch sw;
	uint64		n;

	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "CREATE TEMP TABLE import_result AS"
					 " SELECT kind, line, external_id, status, id, sqlstate, field, message, detail FROM ("
					 " SELECT 0 AS o, w.cr_r, 'client'::text AS kind, w.line, w.cr_ext AS external_id,"
					 "  COALESCE(w.cr_result, CASE WHEN w.cr_client IS NULL THEN 'created'"
					 "    WHEN EXISTS (SELECT 1 FROM pg_temp.cr_imp_out u WHERE u.kind OPERATOR(pg_catalog.=) %d"
					 "                  AND u.id OPERATOR(pg_catalog.=) w.cr_client) THEN 'updated'"
					 "    ELSE 'unchanged' END) AS status,"
					 "  CASE WHEN w.cr_state OPERATOR(pg_catalog.<>) 'rejected' THEN COALESCE(w.cr_client, c.id) END AS id,"
					 "  w.cr_sqlstate AS sqlstate, w.cr_field AS field, w.cr_message AS message, w.cr_detail AS detail"
					 "  FROM pg_temp.cr_imp_client w LEFT JOIN client_registry.client c ON w.cr_client IS NULL"
					 "   AND w.cr_state OPERATOR(pg_catalog.<>) 'rejected' AND c.tenant_id OPERATOR(pg_catalog.=) $1"
					 "   AND c.source OPERATOR(pg_catalog.=) $2 AND c.external_id OPERATOR(pg_catalog.=) w.cr_ext"
					 " WHERE w.cr_has_row",
					 (int) IK_CLIENT);
	for (int k = IK_ADDRESS; k < IK_COUNT; k++)
	{
		ImportTable *t = &tables[k];

		if (k == IK_INVOICE || k == IK_PAYMENT)
			appendStringInfo(&sql,
							 " UNION ALL SELECT %d, w.cr_r, %s, w.line, w.cr_ext,"
							 "  COALESCE(w.cr_result, 'created'),"
							 "  CASE WHEN w.cr_state OPERATOR(pg_catalog.<>) 'rejected' THEN d.id END,"
							 "  w.cr_sqlstate, w.cr_field, w.cr_message, w.cr_detail"
							 "  FROM pg_temp.%s w"
							 "  LEFT JOIN client_registry.%s d ON d.tenant_id OPERATOR(pg_catalog.=) $1"
							 "   AND d.source OPERATOR(pg_catalog.=) $2 AND d.external_id OPERATOR(pg_catalog.=) w.cr_ext"
							 "   AND w.cr_first",
							 k, quote_literal_cstr(t->kind), t->work, t->target);
		else
			appendStringInfo(&sql,
							 " UNION ALL SELECT %d, a.cr_r, %s, a.line, a.cr_ref,"
							 "  COALESCE(a.cr_result, CASE WHEN a.cr_match IS NULL THEN 'created'"
							 "    WHEN EXISTS (SELECT 1 FROM pg_temp.cr_imp_out u WHERE u.kind OPERATOR(pg_catalog.=) %d"
							 "                  AND u.id OPERATOR(pg_catalog.=) a.cr_match) THEN 'updated'"
							 "    ELSE 'unchanged' END),"
							 "  CASE WHEN a.cr_state OPERATOR(pg_catalog.<>) 'rejected' THEN COALESCE(a.cr_match, o.id) END,"
							 "  a.cr_sqlstate, a.cr_field, a.cr_message, a.cr_detail"
							 "  FROM pg_temp.%s a LEFT JOIN pg_temp.cr_imp_out o ON o.kind OPERATOR(pg_catalog.=) %d"
							 "   AND o.r OPERATOR(pg_catalog.=) a.cr_r",
							 k, quote_literal_cstr(t->kind), k, t->work, k);
	}
	appendStringInfoString(&sql, ") r ORDER BY o, line, cr_r");
	values[0] = Int32GetDatum(run->tenant);
	values[1] = CStringGetTextDatum(run->source);
	DropIfExists("import_result");
	Exec(sql.data, 2, types, values, NULL);

	/* counts */
	rel = OpenOwn("import_run");
	values[0] = Int32GetDatum(run->tenant);
	values[1] = Int64GetDatum(run->run_id);
	{
		Oid			tt[3] = {INT4OID, INT8OID, TEXTOID};

		Exec("SELECT COALESCE(pg_catalog.jsonb_object_agg(kind, c), '{}')::text FROM ("
			 " SELECT kind, pg_catalog.jsonb_build_object("
			 "   'created', pg_catalog.count(*) FILTER (WHERE status OPERATOR(pg_catalog.=) 'created'),"
			 "   'updated', pg_catalog.count(*) FILTER (WHERE status OPERATOR(pg_catalog.=) 'updated'),"
			 "   'unchanged', pg_catalog.count(*) FILTER (WHERE status OPERATOR(pg_catalog.=) 'unchanged'),"
			 "   'rejected', pg_catalog.count(*) FILTER (WHERE status OPERATOR(pg_catalog.=) 'rejected')) AS c"
			 "   FROM pg_temp.import_result GROUP BY kind) k", 0, NULL, NULL, NULL);
		values[2] = CStringGetTextDatum(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
		CrBecomeOwner(rel, &sw);
		Exec("UPDATE client_registry.import_run SET finished_at = pg_catalog.clock_timestamp(),"
			 " counts = $3::pg_catalog.jsonb"
			 " WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) $2",
			 3, tt, values, NULL);
		CrRestoreUser(&sw);
	}
	table_close(rel, NoLock);

	/* the rows */
	n = Exec("SELECT kind, line, external_id, status, id, sqlstate, field, message, detail"
			 "  FROM pg_temp.import_result", 0, NULL, NULL, NULL);
	for (uint64 i = 0; i < n; i++)
	{
		Datum		vals[9];
		bool		isnull[9];

		CHECK_FOR_INTERRUPTS();
		heap_deform_tuple(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, vals, isnull);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, vals, isnull);
	}
}

PG_FUNCTION_INFO_V1(cr_import_apply);

/*
 * cr_import_apply(source text, batch_size integer) RETURNS TABLE (kind,
 * line, external_id, status, id, sqlstate, field, message, detail).  On a
 * Citus coordinator the import runs on the worker that holds the tenant
 * (import_delegation.c).
 */
Datum
cr_import_apply(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *source = CrTrimmedOrNull(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	int			batch_size = PG_GETARG_INT32(1);

	if (source == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the source of an import must not be blank"),
				 errhint("Name the system the data comes from, e.g. import_apply('rivile'); external ids are unique per source.")));
	if (batch_size < 1 || batch_size > 1000000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("batch_size %d is out of range", batch_size),
				 errhint("Use 1 to 1000000 cards per batch (default 1000).")));
	InitMaterializedSRF(fcinfo, 0);
	(void) CrCurrentTenant();	/* no tenant: refused before anything else */
	SPI_connect();
	CheckStaging();
	if (MergeDelegates())
		ImportApplyDelegate(rsinfo, source, batch_size);
	else
		ImportApplyRun(rsinfo, source, batch_size);
	SPI_finish();
	return (Datum) 0;
}

/*
 * ImportApplyRun: the import of the session's staging tables into the
 * current tenant, its results put into rsinfo.  SPI connected, staging
 * checked.  Here on one node; on the Citus worker that holds the tenant in
 * import_apply_at().
 */
void
ImportApplyRun(ReturnSetInfo *rsinfo, char *source, int batch_size)
{
	ImportRun	run;

	memset(&run, 0, sizeof(run));
	run.tenant = CrCurrentTenant();
	run.source = source;
	run.batch_size = batch_size;

	for (int k = 0; k < IK_COUNT; k++)
		LoadColumns(&tables[k]);
	CheckPrivileges();
	StartRun(&run);
	CheckOwnCompany(&run);

	DropIfExists("cr_imp_out");
	ExecPlain("CREATE TEMP TABLE cr_imp_out (kind integer, r bigint, id bigint)");
	ExecPlain("CREATE INDEX ON pg_temp.cr_imp_out (kind, id)");
	ExecPlain("CREATE INDEX ON pg_temp.cr_imp_out (kind, r)");

	PG_TRY();
	{
		cr_import_run_id = run.run_id;
		Phase(NULL);
		PrepareCards(&run);
		PrepareCardPlans(&run);
		Phase("cards prepared");
		ApplyUnits(&run, &run.cards, IK_CLIENT, "true");
		Phase("cards applied");
		PrepareDocuments(&run);
		Phase("invoices prepared");
		ApplyUnits(&run, &run.invoices, IK_INVOICE, "a.cr_corr_ref IS NULL");
		/* a correction of an invoice rejected here goes with it */
		ExecPlain("UPDATE pg_temp.cr_imp_invoice w SET cr_state = 'rejected', cr_result = 'rejected',"
				  " cr_sqlstate = x.cr_sqlstate,"
				  " cr_message = pg_catalog.format('rejected with the invoice it corrects (import_invoice line %s)', x.line)"
				  "  FROM pg_temp.cr_imp_invoice x WHERE w.cr_corr_ref OPERATOR(pg_catalog.=) x.cr_ext"
				  "   AND x.cr_state OPERATOR(pg_catalog.=) 'rejected' AND x.cr_first"
				  "   AND w.cr_state OPERATOR(pg_catalog.=) 'pending'");
		ExecPlain("UPDATE pg_temp.cr_imp_vat_line a SET cr_state = 'rejected', cr_result = 'rejected',"
				  " cr_sqlstate = w.cr_sqlstate,"
				  " cr_message = pg_catalog.format('rejected with its invoice (import_invoice line %s)', w.line)"
				  "  FROM pg_temp.cr_imp_invoice w WHERE w.cr_r OPERATOR(pg_catalog.=) a.cr_card"
				  "   AND w.cr_state OPERATOR(pg_catalog.=) 'rejected' AND a.cr_state OPERATOR(pg_catalog.=) 'pending'");
		/* a correction of an invoice that is nowhere */
		ExecPlain(psprintf("UPDATE pg_temp.cr_imp_invoice w SET cr_state = 'rejected', cr_result = 'rejected',"
						   " cr_sqlstate = '23503', cr_field = 'corrected_external_id',"
						   " cr_message = pg_catalog.format('no invoice with external id \"%%s\" (not a correction itself)"
						   " in import_invoice or from source %%s', w.cr_corr_ref, %s)"
						   " WHERE w.cr_state OPERATOR(pg_catalog.=) 'pending' AND w.cr_corr_ref IS NOT NULL"
						   "   AND NOT EXISTS (SELECT 1 FROM client_registry.invoice x"
						   "                    WHERE x.tenant_id OPERATOR(pg_catalog.=) %d"
						   "                      AND x.source OPERATOR(pg_catalog.=) %s"
						   "                      AND x.external_id OPERATOR(pg_catalog.=) w.cr_corr_ref)",
						   quote_literal_cstr(run.source), run.tenant, quote_literal_cstr(run.source)));
		ExecPlain("UPDATE pg_temp.cr_imp_vat_line a SET cr_state = 'rejected', cr_result = 'rejected',"
				  " cr_sqlstate = w.cr_sqlstate,"
				  " cr_message = pg_catalog.format('rejected with its invoice (import_invoice line %s)', w.line)"
				  "  FROM pg_temp.cr_imp_invoice w WHERE w.cr_r OPERATOR(pg_catalog.=) a.cr_card"
				  "   AND w.cr_state OPERATOR(pg_catalog.=) 'rejected' AND a.cr_state OPERATOR(pg_catalog.=) 'pending'");
		ApplyUnits(&run, &run.invoices, IK_INVOICE, "a.cr_corr_ref IS NOT NULL");
		Phase("invoices applied");
		ApplyUnits(&run, &run.payments, IK_PAYMENT, "true");
		Phase("payments applied");
		cr_import_run_id = 0;
	}
	PG_CATCH();
	{
		cr_import_run_id = 0;
		PG_RE_THROW();
	}
	PG_END_TRY();

	ReturnResults(&run, rsinfo);
	for (int k = 0; k < IK_COUNT; k++)
		DropIfExists(tables[k].work);
	DropIfExists("cr_imp_out");
}
