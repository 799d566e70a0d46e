/*
 * personal_data_rules.c
 *		Row rules of the personal-data tables (issue #18): the consent
 *		history and the VIES check results.
 *
 *	 consent_before_insert   BEFORE INSERT on consent: the contact person
 *		(when given) is a contact of the client the row names; the source is
 *		trimmed (a blank one fails the CHECK constraint).
 *	 consent_before_change   BEFORE UPDATE OR DELETE on consent: the history
 *		is append-only (R1801).  An update may only re-point client_id /
 *		contact_id (a merge moves rows to the survivor and folds duplicate
 *		contacts); a row is deleted only together with its card or contact
 *		person (ON DELETE CASCADE: by then the parent row is gone).
 *	 vat_number_check_before_write   BEFORE INSERT OR UPDATE on
 *		vat_number_check: the number checked compact and upper case with an
 *		EU member state prefix (EL for Greece, XI); blank returned values
 *		become NULL.  The number is not checksum-tested: VIES's answer is
 *		recorded whatever it was.
 *
 * Look-ups run with the table owner's rights (as referential-integrity
 * checks do), filtered by the row's tenant.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/rel.h"

#include "client_registry.h"
#include "sqlstates.h"
#include "trigger_support.h"

static SPIPlanPtr contact_plan = NULL;
static SPIPlanPtr parents_plan = NULL;

/* True when the contact exists and belongs to the client (owner's rights). */
static bool
ContactOfClient(Relation rel, int32 tenant, int64 contact, int64 client)
{
	Datum		args[3] = {Int32GetDatum(tenant), Int64GetDatum(contact), Int64GetDatum(client)};
	bool		found;

	SPI_connect();
	if (contact_plan == NULL)
	{
		Oid			types[3] = {INT4OID, INT8OID, INT8OID};

		contact_plan = CrKeepPlan("SELECT 1 FROM client_registry.client_contact p"
								  " WHERE p.tenant_id OPERATOR(pg_catalog.=) $1 AND p.id OPERATOR(pg_catalog.=) $2"
								  "   AND p.client_id OPERATOR(pg_catalog.=) $3", 3, types);
	}
	found = CrRunPlan(contact_plan, args, NULL, true, 1, rel, SPI_OK_SELECT,
					  "looking up the contact person of a consent row") > 0;
	SPI_finish();
	return found;
}

/* True while the card and the contact person (if any) of a row exist. */
static bool
ParentsExist(Relation rel, int32 tenant, int64 client, int64 contact, bool has_contact)
{
	Datum		args[4] = {Int32GetDatum(tenant), Int64GetDatum(client), Int64GetDatum(contact),
	BoolGetDatum(has_contact)};
	bool		exist;
	bool		isnull;

	SPI_connect();
	if (parents_plan == NULL)
	{
		Oid			types[4] = {INT4OID, INT8OID, INT8OID, BOOLOID};

		parents_plan = CrKeepPlan("SELECT EXISTS (SELECT 1 FROM client_registry.client c"
								  "                WHERE c.tenant_id OPERATOR(pg_catalog.=) $1 AND c.id OPERATOR(pg_catalog.=) $2)"
								  "   AND (NOT $4 OR EXISTS (SELECT 1 FROM client_registry.client_contact p"
								  "                WHERE p.tenant_id OPERATOR(pg_catalog.=) $1 AND p.id OPERATOR(pg_catalog.=) $3))",
								  4, types);
	}
	(void) CrRunPlan(parents_plan, args, NULL, true, 1, rel, SPI_OK_SELECT,
					 "looking up the card of a consent row");
	exist = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	return exist;
}

PG_FUNCTION_INFO_V1(cr_consent_before_insert);

Datum
cr_consent_before_insert(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_consent_before_insert", true, true);
	Relation	rel = trigdata->tg_relation;
	HeapTuple	tuple = trigdata->tg_trigtuple;
	int32		tenant = CrGetInt32(tuple, rel, "tenant_id");
	bool		client_null,
				contact_null;
	int64		client = CrGetInt64(tuple, rel, "client_id", &client_null);
	int64		contact = CrGetInt64(tuple, rel, "contact_id", &contact_null);
	char	   *source = CrGetText(tuple, rel, "source");
	CrRowChanges changes = {0};

	CrCheckRowTenant(rel, tenant);
	if (!client_null && !contact_null && !CrRestoreInProgress() && !ContactOfClient(rel, tenant, contact, client))
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("contact %lld is not a contact person of client %lld", (long long) contact, (long long) client),
				 errhint("Give the client the contact person belongs to (client_registry.client_contact.client_id)."),
				 errtable(rel)));
	if (source != NULL)
	{
		char	   *trimmed = CrTrimmedOrNull(source);

		CrSetText(&changes, rel, "source", trimmed ? trimmed : "");
	}
	return PointerGetDatum(CrApplyChanges(tuple, rel, &changes));
}

/* Columns of consent an update may not change. */
static const char *const consent_fixed_columns[] = {
	"tenant_id", "id", "purpose", "granted", "given_at", "source", "recorded_by", "recorded_at"
};

PG_FUNCTION_INFO_V1(cr_consent_before_change);

Datum
cr_consent_before_change(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_consent_before_change", true, true);
	Relation	rel = trigdata->tg_relation;
	HeapTuple	oldtuple = trigdata->tg_trigtuple;
	int32		tenant = CrGetInt32(oldtuple, rel, "tenant_id");
	bool		isnull;
	int64		id = CrGetInt64(oldtuple, rel, "id", &isnull);

	if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
	{
		bool		contact_null;
		int64		client = CrGetInt64(oldtuple, rel, "client_id", &isnull);
		int64		contact = CrGetInt64(oldtuple, rel, "contact_id", &contact_null);

		CrCheckRowTenant(rel, tenant);
		if (!CrRestoreInProgress() && ParentsExist(rel, tenant, client, contact, !contact_null))
			ereport(ERROR,
					(errcode(ERRCODE_CR_CONSENT_HISTORY),
					 errmsg("consent %lld cannot be deleted", (long long) id),
					 errdetail("The consent history is kept: it proves what the person agreed to and when."),
					 errhint("Record a withdrawal instead: client_registry.record_consent(..., granted => false, ...)."),
					 errtable(rel)));
		return PointerGetDatum(oldtuple);
	}

	CrCheckRowTenant(rel, CrGetInt32(trigdata->tg_newtuple, rel, "tenant_id"));
	for (size_t i = 0; i < lengthof(consent_fixed_columns); i++)
	{
		char	   *a = CrGetText(oldtuple, rel, consent_fixed_columns[i]);
		char	   *b = CrGetText(trigdata->tg_newtuple, rel, consent_fixed_columns[i]);

		if (!CrTextEqual(a, b))
			ereport(ERROR,
					(errcode(ERRCODE_CR_CONSENT_HISTORY),
					 errmsg("consent %lld cannot be changed", (long long) id),
					 errdetail("The consent history is kept as recorded (%s cannot change); only a merge moves rows to another card.",
							   consent_fixed_columns[i]),
					 errhint("Record a new row (client_registry.record_consent) for a change of mind."),
					 errtable(rel)));
	}
	return PointerGetDatum(trigdata->tg_newtuple);
}

/* The EU member states' VAT prefixes (Greece: EL; Northern Ireland: XI). */
static bool
EuVatPrefix(const char *p)
{
	static const char *const prefixes[] = {
		"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT",
		"LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI"
	};

	for (size_t i = 0; i < lengthof(prefixes); i++)
		if (strncmp(p, prefixes[i], 2) == 0)
			return true;
	return false;
}

PG_FUNCTION_INFO_V1(cr_vat_number_check_before_write);

Datum
cr_vat_number_check_before_write(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = CrTriggerCheck(fcinfo, "cr_vat_number_check_before_write", true, true);
	Relation	rel = trigdata->tg_relation;
	HeapTuple	tuple = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	char	   *vat = CrGetText(tuple, rel, "vat_code");
	CrRowChanges changes = {0};
	static const char *const trimmed_columns[] = {"returned_name", "returned_address", "consultation_number"};

	CrCheckRowTenant(rel, CrGetInt32(tuple, rel, "tenant_id"));
	if (vat != NULL)
	{
		char	   *compact = palloc(strlen(vat) + 1);
		int			n = 0;

		for (const char *s = vat; *s; s++)
		{
			if (*s == ' ' || *s == '.' || *s == '-' || *s == '\t')
				continue;
			compact[n++] = pg_ascii_toupper((unsigned char) *s);
		}
		compact[n] = '\0';
		if (n < 2 || !EuVatPrefix(compact))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("VAT number %s has no EU member state prefix", compact),
					 errhint("VIES checks EU VAT numbers: give the number with its prefix (LV40003521600; EL for Greece)."),
					 errtablecol(rel, CrAttnum(rel, "vat_code"))));
		CrSetText(&changes, rel, "vat_code", compact);
	}
	for (size_t i = 0; i < lengthof(trimmed_columns); i++)
	{
		char	   *v = CrGetText(tuple, rel, trimmed_columns[i]);

		if (v != NULL)
			CrSetText(&changes, rel, trimmed_columns[i], CrTrimmedOrNull(v));
	}
	return PointerGetDatum(CrApplyChanges(tuple, rel, &changes));
}
