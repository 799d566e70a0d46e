/*
 * child_rows.c
 *		The BEFORE INSERT OR UPDATE trigger that normalises and validates
 *		the rows of client_address, client_bank_account and client_contact.
 *
 *	address:       texts trimmed; country normalised and checked;
 *	bank account:  IBAN compacted, upper-cased, length and mod 97 checked;
 *	               BIC checked; currency upper-cased; a Lithuanian IBAN gives
 *	               the bank code when none is given;
 *	contact:       texts trimmed; e-mail checked.
 * Every table: updated_at stamped on a user's UPDATE.
 */
#include "postgres.h"

#include "access/xact.h"
#include "commands/trigger.h"
#include "utils/builtins.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "identifiers.h"
#include "client_registry.h"
#include "internal_change.h"
#include "trigger_support.h"

/*
 * TrimColumns trims the listed text columns (empty becomes NULL).
 */
static void
TrimColumns(HeapTuple tuple, Relation rel, CrRowChanges *changes,
			const char *const *columns, int ncolumns)
{
	for (int i = 0; i < ncolumns; i++)
	{
		char	   *raw = CrGetText(tuple, rel, columns[i]);
		char	   *norm = CrTrimmedOrNull(raw);

		if (!CrTextEqual(raw, norm))
			CrSetText(changes, rel, columns[i], norm);
	}
}

/*
 * ReportInvalidChild raises check_violation naming the row's client.
 */
static void
ReportInvalidChild(Relation rel, const char *column, const char *what, const char *value,
				   int64 client_id, const char *why, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 errmsg("invalid %s \"%s\" for client %lld", what, value, (long long) client_id),
			 errdetail("Check failed: %s.", why),
			 errhint("%s", hint),
			 errtablecol(rel, CrAttnum(rel, column))));
}

/*
 * NormaliseAddress handles client_address.
 */
static void
NormaliseAddress(HeapTuple tuple, Relation rel, CrRowChanges *changes, int64 client_id)
{
	static const char *const cols[] = {"label", "street", "city", "postal_code", "region"};
	char	   *raw = CrGetText(tuple, rel, "country");

	TrimColumns(tuple, rel, changes, cols, lengthof(cols));
	if (CrTrimmedOrNull(CrGetText(tuple, rel, "street")) == NULL &&
		CrTrimmedOrNull(CrGetText(tuple, rel, "city")) == NULL &&
		CrTrimmedOrNull(CrGetText(tuple, rel, "postal_code")) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("address of client %lld has no street, city or postal code", (long long) client_id),
				 errhint("Give at least one of street, city and postal_code."),
				 errtableconstraint(rel, "client_address_not_empty")));
	if (raw != NULL)
	{
		const char *why = NULL;
		char	   *norm = cr_normalize_country(raw, &why);

		if (norm == NULL)
			ReportInvalidChild(rel, "country", "address country code", raw, client_id, why,
							   "Use an ISO 3166-1 alpha-2 code such as LT, LV, EE, PL or DE.");
		if (strcmp(norm, raw) != 0)
			CrSetText(changes, rel, "country", norm);
	}
}

/*
 * NormaliseBankAccount handles client_bank_account.
 */
static void
NormaliseBankAccount(HeapTuple tuple, Relation rel, CrRowChanges *changes, int64 client_id)
{
	static const char *const cols[] = {"bank_name", "ledger_account"};
	char	   *raw;
	char	   *norm = NULL;
	char	   *iban = NULL;
	const char *why;

	TrimColumns(tuple, rel, changes, cols, lengthof(cols));

	raw = CrGetText(tuple, rel, "iban");
	if (raw != NULL)
	{
		why = NULL;
		iban = cr_normalize_iban(raw, &why);
		if (iban == NULL)
			ReportInvalidChild(rel, "iban", "IBAN", raw, client_id, why,
							   "An IBAN is a country code, two check digits and the national account number; a Lithuanian one has 20 characters, e.g. LT12 1000 0111 0100 1000.");
		if (strcmp(iban, raw) != 0)
			CrSetText(changes, rel, "iban", iban);
	}

	raw = CrGetText(tuple, rel, "bic");
	norm = CrTrimmedOrNull(raw);
	if (norm != NULL)
	{
		char	   *trimmed = norm;

		why = NULL;
		norm = cr_normalize_bic(trimmed, &why);
		if (norm == NULL)
			ReportInvalidChild(rel, "bic", "BIC", trimmed, client_id, why,
							   "A BIC has 8 or 11 characters: bank (4 letters), country (2 letters), location (2), optional branch (3), e.g. HABALT22.");
	}
	if (!CrTextEqual(raw, norm))
		CrSetText(changes, rel, "bic", norm);

	raw = CrGetText(tuple, rel, "currency");
	norm = CrTrimmedOrNull(raw);
	if (norm != NULL)
	{
		for (char *p = norm; *p; p++)
			*p = pg_ascii_toupper((unsigned char) *p);
		if (strlen(norm) != 3 || strspn(norm, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
			ReportInvalidChild(rel, "currency", "currency", raw, client_id,
							   "a currency code has three letters",
							   "Use an ISO 4217 code such as EUR, USD or PLN.");
	}
	if (raw != NULL && !CrTextEqual(raw, norm))
		CrSetText(changes, rel, "currency", norm);

	raw = CrGetText(tuple, rel, "bank_code");
	norm = CrTrimmedOrNull(raw);
	if (norm == NULL && iban != NULL && strncmp(iban, "LT", 2) == 0 && strlen(iban) == 20)
		norm = pnstrdup(iban + 4, 5);	/* LT BBAN: 5-digit bank code first */
	if (!CrTextEqual(raw, norm))
		CrSetText(changes, rel, "bank_code", norm);
}

/*
 * NormaliseContact handles client_contact.
 */
static void
NormaliseContact(HeapTuple tuple, Relation rel, CrRowChanges *changes, int64 client_id)
{
	static const char *const cols[] = {"first_name", "last_name", "position", "phone"};
	char	   *raw;
	char	   *norm;

	TrimColumns(tuple, rel, changes, cols, lengthof(cols));
	if (CrTrimmedOrNull(CrGetText(tuple, rel, "first_name")) == NULL &&
		CrTrimmedOrNull(CrGetText(tuple, rel, "last_name")) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("contact person of client %lld has no name", (long long) client_id),
				 errhint("Give first_name, last_name or both."),
				 errtableconstraint(rel, "client_contact_has_name")));
	raw = CrGetText(tuple, rel, "email");
	norm = CrTrimmedOrNull(raw);
	if (norm != NULL)
	{
		const char *why = NULL;
		char	   *trimmed = norm;

		norm = cr_normalize_email(trimmed, &why);
		if (norm == NULL)
			ReportInvalidChild(rel, "email", "contact e-mail", trimmed, client_id, why,
							   "Give one address such as jonas@example.lt.");
	}
	if (!CrTextEqual(raw, norm))
		CrSetText(changes, rel, "email", norm);
}

PG_FUNCTION_INFO_V1(cr_child_before_write);

/*
 * cr_child_before_write is the BEFORE INSERT OR UPDATE FOR EACH ROW trigger
 * of the three child tables; the trigger argument names the table's kind:
 * address, bank_account or contact.
 */
Datum
cr_child_before_write(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_child_before_write", true, true);
	Relation	rel = trigdata->tg_relation;
	bool		is_update = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event);
	HeapTuple	newtuple = is_update ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	const char *kind = trigdata->tg_trigger->tgnargs > 0 ? trigdata->tg_trigger->tgargs[0] : "";
	CrRowChanges changes = {0};
	bool		isnull;
	int64		client_id;

	if (CrInternalChange())
		return PointerGetDatum(newtuple);
	CrCheckRowTenant(rel, CrGetInt32(newtuple, rel, "tenant_id"));
	client_id = CrGetInt64(newtuple, rel, "client_id", &isnull);

	if (strcmp(kind, "address") == 0)
		NormaliseAddress(newtuple, rel, &changes, client_id);
	else if (strcmp(kind, "bank_account") == 0)
		NormaliseBankAccount(newtuple, rel, &changes, client_id);
	else if (strcmp(kind, "contact") == 0)
		NormaliseContact(newtuple, rel, &changes, client_id);
	else
		elog(ERROR, "cr_child_before_write: unknown kind \"%s\"", kind);

	if (is_update)
		CrSetDatum(&changes, rel, "updated_at",
				   TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()), false);
	return PointerGetDatum(CrApplyChanges(newtuple, rel, &changes));
}
