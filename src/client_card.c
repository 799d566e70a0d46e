/*
 * client_card.c
 *		The BEFORE INSERT OR UPDATE trigger of client_registry.client.
 *
 * Whatever application writes a client card, this trigger:
 *	- trims text and refuses a blank name (a natural person without a name
 *	  gets "first last");
 *	- normalises and validates the country, company code, personal code, VAT
 *	  code and e-mail (identifiers.c), naming the field and value on error;
 *	- refuses a second legal entity with the same company code in the tenant
 *	  and country, naming the existing client (company_code_unique.c);
 *	- keeps the own company the own company and a client in its tenant;
 *	- checks user-defined fields against their definitions;
 *	- stamps updated_at.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/jsonb.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "client_registry.h"
#include "internal_change.h"
#include "shard_map.h"
#include "company_code_unique.h"
#include "custom_fields.h"
#include "identifiers.h"
#include "tenant_rules.h"
#include "trigger_support.h"

/* Text columns that are only trimmed (empty becomes NULL). */
static const char *const trimmed_columns[] = {
	"short_name", "first_name", "last_name", "business_licence", "phone",
	"website", "accounting_category", "sales_tax_category",
	"purchase_tax_category", "price_category", "sales_responsible",
	"purchase_responsible", "manager", "intrastat_transaction_nature",
	"intrastat_transport_mode", "evrk_code"
};

/*
 * ReportInvalid raises check_violation for a field of a client.
 */
static void
ReportInvalid(Relation rel, const char *column, const char *what, const char *value,
			  const char *client_name, const char *why, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 errmsg("invalid %s \"%s\" for client \"%s\"", what, value,
					client_name ? client_name : ""),
			 errdetail("Check failed: %s.", why),
			 errhint("%s", hint),
			 errtablecol(rel, CrAttnum(rel, column))));
}

/*
 * CheckSingleOwnCompany refuses a second own company in a tenant, naming the
 * first.  The unique index client_own_company_key is the race-free backstop.
 */
static void
CheckSingleOwnCompany(Relation rel, int32 tenant_id, int64 self_id)
{
	Oid			argtypes[2] = {INT4OID, INT8OID};
	Datum		args[2] = {Int32GetDatum(tenant_id), Int64GetDatum(self_id)};
	const char *sql;
	int			ret;

	SPI_connect();
	sql = "SELECT id, name FROM client_registry.client"
		" WHERE tenant_id OPERATOR(pg_catalog.=) $1"
		"   AND kind OPERATOR(pg_catalog.=) 'own_company'::client_registry.client_kind"
		"   AND id OPERATOR(pg_catalog.<>) $2";
	if (CrIsShard(rel))
		sql = CrLocalizeSql(rel, sql);	/* Citus worker: the shard beside rel */
	ret = SPI_execute_with_args(sql, 2, argtypes, args, NULL, false, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(ret));
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("tenant %d already has an own company: client %s \"%s\"", tenant_id,
						SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1),
						SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2)),
				 errdetail("Each tenant has exactly one own company (R1.5)."),
				 errhint("Edit the existing own company; another company is another tenant."),
				 errtableconstraint(rel, "client_own_company_key")));
	SPI_finish();
}

/* A code column of the card, its normaliser and the hint shown on error. */
typedef enum CodeKind
{
	CODE_COMPANY,
	CODE_PERSONAL,
	CODE_VAT,
	CODE_EMAIL
} CodeKind;

typedef struct CodeRule
{
	const char *column;
	const char *what;			/* in messages: invalid <what> "<value>" */
	CodeKind	kind;
	const char *hint;
	const char *hint_lt;		/* for Lithuanian clients, when different */
} CodeRule;

static const CodeRule company_code_rule = {
	"company_code", "company code", CODE_COMPANY,
	"Check the code against the register of the client's country, or correct the client's country.",
	"A Lithuanian company code has 9 digits, the last one a check digit (for example 110003978)."
};
static const CodeRule personal_code_rule = {
	"personal_code", "personal code", CODE_PERSONAL,
	"A Lithuanian personal code has 11 digits: century and sex, birth date YYMMDD, serial number, check digit."
};
static const CodeRule vat_code_rule = {
	"vat_code", "VAT code", CODE_VAT,
	"Write the VAT code with its country prefix (LT119511515, LV40003521600, PL8567346215), or ND when the client must be reported without one."
};
static const CodeRule email_rule = {
	"email", "e-mail", CODE_EMAIL,
	"Give one address such as info@example.lt."
};

/*
 * NormaliseCode trims a code column, normalises and checks it by its rule
 * (ReportInvalid on failure), records the normalised value and returns it
 * (NULL when the column is empty).
 */
static char *
NormaliseCode(HeapTuple tuple, Relation rel, CrRowChanges *changes, const CodeRule *rule,
			  const char *country, const char *client_name)
{
	char	   *raw = CrGetText(tuple, rel, rule->column);
	char	   *trimmed = CrTrimmedOrNull(raw);
	char	   *norm = NULL;
	const char *why = NULL;

	if (trimmed != NULL)
	{
		switch (rule->kind)
		{
			case CODE_COMPANY:
				norm = cr_normalize_company_code(trimmed, country, &why);
				break;
			case CODE_PERSONAL:
				norm = cr_normalize_personal_code(trimmed, country, true, &why);
				break;
			case CODE_VAT:
				norm = cr_normalize_vat_code(trimmed, country, &why);
				break;
			case CODE_EMAIL:
				norm = cr_normalize_email(trimmed, &why);
				break;
		}
		if (norm == NULL)
			ReportInvalid(rel, rule->column, rule->what, trimmed, client_name,
						  why ? why : "the value is not valid",
						  rule->hint_lt && strcmp(country, "LT") == 0 ? rule->hint_lt : rule->hint);
	}
	if (!CrTextEqual(raw, norm))
		CrSetText(changes, rel, rule->column, norm);
	return norm;
}

/*
 * NormaliseCountry normalises and checks the country of a client; returns it.
 */
static char *
NormaliseCountry(HeapTuple tuple, Relation rel, CrRowChanges *changes,
				 const char *client_name)
{
	char	   *raw = CrGetText(tuple, rel, "country");
	const char *why = NULL;
	char	   *norm;

	if (raw == NULL)
		return NULL;			/* the NOT NULL constraint reports it */
	norm = cr_normalize_country(raw, &why);
	if (norm == NULL)
		ReportInvalid(rel, "country", "country code", raw, client_name, why,
					  "Use an ISO 3166-1 alpha-2 code such as LT, LV, EE, PL or DE.");
	if (strcmp(norm, raw) != 0)
		CrSetText(changes, rel, "country", norm);
	return norm;
}

PG_FUNCTION_INFO_V1(cr_client_before_write);

/*
 * cr_client_before_write is the BEFORE INSERT OR UPDATE FOR EACH ROW trigger
 * of client_registry.client.
 */
Datum
cr_client_before_write(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_client_before_write", true, true);
	Relation	rel = trigdata->tg_relation;
	bool		is_update = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event);
	HeapTuple	newtuple = is_update ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	HeapTuple	oldtuple = is_update ? trigdata->tg_trigtuple : NULL;
	CrRowChanges changes = {0};
	char	   *name;
	char	   *kind;
	char	   *legal_form;
	char	   *country;
	char	   *raw;
	char	   *norm;
	bool		isnull;
	int64		id = CrGetInt64(newtuple, rel, "id", &isnull);
	int32		tenant_id = CrGetInt32(newtuple, rel, "tenant_id");
	size_t		i;

	/* NULLs here are reported by the NOT NULL constraints after us. */
	kind = CrGetText(newtuple, rel, "kind");
	if (kind == NULL)
		kind = "";
	legal_form = CrGetText(newtuple, rel, "legal_form");
	if (legal_form == NULL)
		legal_form = "";

	CrCheckRowTenant(rel, tenant_id);
	if (!is_update)
		CrEnsureTenant(rel, tenant_id);

	/* A client stays in its tenant; the own company stays the own company. */
	if (is_update)
	{
		int32		old_tenant = CrGetInt32(oldtuple, rel, "tenant_id");
		char	   *old_kind = CrGetText(oldtuple, rel, "kind");

		if (old_kind == NULL)
			old_kind = "";

		if (old_tenant != tenant_id)
			ereport(ERROR,
					(errcode(ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION),
					 errmsg("client %lld cannot move from tenant %d to tenant %d",
							(long long) id, old_tenant, tenant_id),
					 errdetail("A client, its documents and its history belong to one tenant."),
					 errhint("Create the client in the other tenant instead."),
					 errtablecol(rel, CrAttnum(rel, "tenant_id"))));
		if (strcmp(old_kind, "own_company") == 0 && strcmp(kind, "own_company") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("client %lld is the own company of tenant %d and must stay kind own_company",
							(long long) id, tenant_id),
					 errdetail("Each tenant has exactly one own company (R1.5); kind \"%s\" was requested.", kind),
					 errhint("Edit the own company's data instead; it cannot be turned into another kind."),
					 errtablecol(rel, CrAttnum(rel, "kind"))));
	}

	if (strcmp(kind, "own_company") == 0)
	{
		char	   *old_kind = is_update ? CrGetText(oldtuple, rel, "kind") : NULL;

		if ((old_kind == NULL || strcmp(old_kind, "own_company") != 0) && cr_explain_duplicates)
			CheckSingleOwnCompany(rel, tenant_id, id);
	}

	/* Trimmed text fields. */
	for (i = 0; i < lengthof(trimmed_columns); i++)
	{
		raw = CrGetText(newtuple, rel, trimmed_columns[i]);
		norm = CrTrimmedOrNull(raw);
		if (!CrTextEqual(raw, norm))
			CrSetText(&changes, rel, trimmed_columns[i], norm);
	}

	/* Name: required, never blank; a natural person may give first/last. */
	raw = CrGetText(newtuple, rel, "name");
	name = CrTrimmedOrNull(raw);
	if (name == NULL && strcmp(legal_form, "natural_person") == 0)
	{
		char	   *first = CrTrimmedOrNull(CrGetText(newtuple, rel, "first_name"));
		char	   *last = CrTrimmedOrNull(CrGetText(newtuple, rel, "last_name"));

		if (first && last)
			name = psprintf("%s %s", first, last);
		else if (first || last)
			name = pstrdup(first ? first : last);
	}
	if (name == NULL)
		ereport(ERROR,
				(errcode(raw == NULL ? ERRCODE_NOT_NULL_VIOLATION : ERRCODE_CHECK_VIOLATION),
				 errmsg("client name must not be %s", raw == NULL ? "null" : "blank"),
				 errdetail("Every client has a name (R1.1)."),
				 errhint("Give the name; for a natural person first_name and last_name are enough."),
				 errtablecol(rel, CrAttnum(rel, "name"))));
	if (!CrTextEqual(raw, name))
		CrSetText(&changes, rel, "name", name);

	/* Country first: the code rules depend on it. */
	country = NormaliseCountry(newtuple, rel, &changes, name);
	if (country == NULL)
		country = pstrdup(cr_default_country);

	/* Codes, by the rules of the client's country. */
	norm = NormaliseCode(newtuple, rel, &changes, &company_code_rule, country, name);
	/* R2.1: company code unique among legal entities of the tenant. */
	if (norm != NULL && strcmp(legal_form, "legal_entity") == 0)
	{
		bool		check = true;

		if (is_update)
		{
			char	   *old_code = CrGetText(oldtuple, rel, "company_code");
			char	   *old_country = CrGetText(oldtuple, rel, "country");
			char	   *old_form = CrGetText(oldtuple, rel, "legal_form");

			check = !(CrTextEqual(old_code, norm) && CrTextEqual(old_country, country) &&
					  CrTextEqual(old_form, legal_form));
		}
		if (check && cr_explain_duplicates)
			CrCheckCompanyCodeUnique(rel, tenant_id, country, norm, id);
	}

	(void) NormaliseCode(newtuple, rel, &changes, &personal_code_rule, country, name);
	(void) NormaliseCode(newtuple, rel, &changes, &vat_code_rule, country, name);
	(void) NormaliseCode(newtuple, rel, &changes, &email_rule, country, name);

	/* Intrastat delivery terms: upper-case Incoterms code. */
	raw = CrGetText(newtuple, rel, "intrastat_delivery_terms");
	norm = CrTrimmedOrNull(raw);
	if (norm != NULL)
	{
		char	   *p;

		for (p = norm; *p; p++)
			*p = pg_ascii_toupper((unsigned char) *p);
		if (strlen(norm) != 3 || strspn(norm, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
			ReportInvalid(rel, "intrastat_delivery_terms", "Intrastat delivery terms", raw, name,
						  "an Incoterms code has three letters",
						  "Use an Incoterms code such as EXW, FCA, CPT, DAP or DDP.");
	}
	if (!CrTextEqual(raw, norm))
		CrSetText(&changes, rel, "intrastat_delivery_terms", norm);

	/* Ranges: VAT rate in percent, payment terms in days. */
	{
		int			attnum = CrAttnum(rel, "default_vat_rate");
		Datum		rate = heap_getattr(newtuple, attnum, RelationGetDescr(rel), &isnull);

		if (!isnull)
		{
			char	   *txt = DatumGetCString(DirectFunctionCall1(numeric_out, rate));

			if (DatumGetBool(DirectFunctionCall2(numeric_lt, rate,
												 DirectFunctionCall1(int4_numeric, Int32GetDatum(0)))) ||
				DatumGetBool(DirectFunctionCall2(numeric_gt, rate,
												 DirectFunctionCall1(int4_numeric, Int32GetDatum(100)))))
				ReportInvalid(rel, "default_vat_rate", "default VAT rate", txt, name,
							  "a VAT rate is a percentage from 0 to 100",
							  "Lithuanian rates are 21, 9, 5 and 0.");
		}
	}
	for (i = 0; i < 2; i++)
	{
		const char *col = i == 0 ? "sales_payment_term_days" : "purchase_payment_term_days";
		Datum		days = heap_getattr(newtuple, CrAttnum(rel, col), RelationGetDescr(rel), &isnull);

		if (!isnull && DatumGetInt32(days) < 0)
			ReportInvalid(rel, col, "payment terms", psprintf("%d", DatumGetInt32(days)), name,
						  "payment terms are a number of days, 0 or more",
						  "Use 0 for payment on delivery.");
	}

	/* R4.1 credit control needs a limit (columns of version 0.2.0 on). */
	if (CrHasColumn(rel, "credit_control"))
	{
		char	   *mode = CrGetText(newtuple, rel, "credit_control");
		Datum		limit = heap_getattr(newtuple, CrAttnum(rel, "credit_limit"),
										 RelationGetDescr(rel), &isnull);

		if (mode != NULL && strcmp(mode, "none") != 0 && isnull)
			ReportInvalid(rel, "credit_limit", "credit limit", "NULL", name,
						  psprintf("credit control \"%s\" needs a limit", mode),
						  "Set credit_limit (base currency), or credit_control = 'none'.");
		if (!isnull && DatumGetBool(DirectFunctionCall2(numeric_lt, limit,
														DirectFunctionCall1(int4_numeric, Int32GetDatum(0)))))
			ReportInvalid(rel, "credit_limit", "credit limit",
						  DatumGetCString(DirectFunctionCall1(numeric_out, limit)), name,
						  "a credit limit is 0 or more", "Use 0 to allow no debt at all.");
	}

	/* User-defined fields. */
	{
		Datum		cf = heap_getattr(newtuple, CrAttnum(rel, "custom_fields"),
									  RelationGetDescr(rel), &isnull);

		if (!isnull)
			CrCheckCustomFields(rel, tenant_id, name, DatumGetJsonbP(cf));
	}

	if (is_update && !CrInternalChange())
		CrSetDatum(&changes, rel, "updated_at",
				   TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()), false);

	return PointerGetDatum(CrApplyChanges(newtuple, rel, &changes));
}
