/*
 * client_registry.c
 *		Module entry point: module magic and the settings (GUCs).
 *
 * client_registry.tenant           the tenant every statement works in
 *                                  (default 1, so a single-company database
 *                                  never has to set it);
 * client_registry.default_country  the ISO 3166 country assumed for a new
 *                                  client or address that names none;
 * client_registry.explain_duplicates  name the existing client on a
 *                                  duplicate (off for INSERT ... ON CONFLICT);
 * client_registry.camt053_max_size the largest bank statement read
 *                                  (superuser only: a hostile-input limit).
 */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "tcop/pquery.h"
#include "utils/rls.h"

#include "client_registry.h"
#include "internal_change.h"

PG_MODULE_MAGIC;

int			cr_current_tenant = 1;
char	   *cr_default_country = NULL;
bool		cr_explain_duplicates = true;
int			cr_camt053_max_size = 256 * 1024;	/* kB */
int			cr_feed_bulk_rows = 1000;
int			cr_search_name_walk_min = 500;

void		_PG_init(void);

static bool
CheckDefaultCountry(char **newval, void **extra, GucSource source)
{
	const char *v = *newval;

	if (v == NULL || strlen(v) != 2 ||
		!(v[0] >= 'A' && v[0] <= 'Z') || !(v[1] >= 'A' && v[1] <= 'Z'))
	{
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errmsg("invalid value for client_registry.default_country: \"%s\"",
						 v ? v : "");
		GUC_check_errhint("Use a two-letter upper-case ISO 3166 code such as LT, LV or PL.");
		return false;
	}
	return true;
}

/*
 * _PG_init registers the extension's settings.
 */
void
_PG_init(void)
{
	DefineCustomIntVariable("client_registry.tenant",
							"Tenant (company registry) that the session works in.",
							"Every table of client_registry carries tenant_id; new rows take this value "
							"and row-level security shows non-owner roles only this tenant's rows.",
							&cr_current_tenant,
							1, 1, INT_MAX,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomStringVariable("client_registry.default_country",
							   "ISO 3166 alpha-2 country assumed when a client or address names none.",
							   NULL,
							   &cr_default_country,
							   "LT",
							   PGC_USERSET, 0,
							   CheckDefaultCountry, NULL, NULL);
	DefineCustomBoolVariable("client_registry.explain_duplicates",
							 "Name the existing client when a company code or own company is a duplicate.",
							 "When on (the default) the triggers look for the duplicate first and refuse it "
							 "naming the existing client. Turn it off (SET LOCAL) for INSERT ... ON CONFLICT: "
							 "the unique indexes then raise the conflict that ON CONFLICT handles.",
							 &cr_explain_duplicates,
							 true,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);
	DefineCustomIntVariable("client_registry.camt053_max_size",
							"Largest camt.053 document import_camt053() and read_camt053() read.",
							"Larger documents are refused before they are parsed. Only superusers change it, "
							"so a role cannot lift the limit that protects the server from hostile files.",
							&cr_camt053_max_size,
							256 * 1024, 1, 1024 * 1024,
							PGC_SUSET, GUC_UNIT_KB,
							NULL, NULL, NULL);
	DefineCustomIntVariable("client_registry.feed_bulk_rows",
							"Rows from which an INSERT is recorded in the activity feed as one bulk entry.",
							"An INSERT or COPY of at least this many rows is recorded as one entry per tenant "
							"(row count, row ids and client ids) instead of one entry with the whole row per "
							"row; 0 records every row on its own.",
							&cr_feed_bulk_rows,
							1000, 0, INT_MAX,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("client_registry.search_name_walk_min",
							"Candidate cards from which a fragment search walks the names in order.",
							"search_clients() looks for the query inside the cards through the trigram index. "
							"When the index proposes more cards than this, the tenant's cards are walked in name "
							"order (index client_name_order_idx) and only the first matches are read, instead of "
							"every candidate. The results are the same either way.",
							&cr_search_name_walk_min,
							500, 0, INT_MAX,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	CrDefineInternalChangeSetting();
	MarkGUCPrefixReserved("client_registry");
}

/*
 * CrRestoreInProgress: see client_registry.h.  A restore is what pg_dump's
 * output and pg_restore do: COPY ... FROM with row_security off (pg_dump
 * scripts begin with SET row_security = off and load every table with COPY).
 * An ordinary session that turns row_security off still writes with INSERT
 * and UPDATE, and those keep every rule: only a COPY can restore.
 */
bool
CrRestoreInProgress(void)
{
	return !row_security && ActivePortal != NULL && ActivePortal->commandTag == CMDTAG_COPY;
}

PG_FUNCTION_INFO_V1(cr_default_country_code);

/*
 * cr_default_country_code returns client_registry.default_country.
 */
Datum
cr_default_country_code(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(cr_default_country));
}
