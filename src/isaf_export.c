/*
 * isaf_export.c
 *		The i.SAF 1.2 export (R6): isaf_file() returns one file (one part) of
 *		a tenant's VAT period, isaf_files() every part, one row per part.
 *
 *		What goes into a register is decided by the view
 *		client_registry.isaf_register_invoice (sql/0.3.0/72_isaf.sql); this
 *		file reads it with the caller's rights through a cursor, in batches,
 *		in register order (register date, invoice id) along the index
 *		invoice_isaf_register_idx, and hands invoice after invoice to the
 *		writer (isaf_writer.c).  A part stops after max_invoices invoices of
 *		a register; the next part continues after the last key written
 *		(keyset, no OFFSET scan), so memory is bounded by one part's file.
 *
 *		References (invoice_reference) and VAT lines are read per batch of
 *		invoices, one query each.
 *
 *		Values longer than the schema allows: a counterparty's Name (256) and
 *		RegistrationNumber (35) are cut in the file, on a character boundary
 *		(the registry keeps them as entered); each part that cut something
 *		ends with one WARNING naming the first value and the count, and the
 *		view isaf_shortened_value lists them all (it uses the same cut,
 *		isaf_written_text).  Identifying values are never cut: an InvoiceNo,
 *		ReferenceNo or VATRegistrationNumber over its length is refused.
 *
 *		Errors: arguments 22004 / 22023 / 22008; another tenant than the
 *		session's under row-level security 42501; own company missing or
 *		without a numeric company code 55000; an invoice whose data the
 *		schema cannot carry R6001 (naming the invoice and the field).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rls.h"
#include "utils/timestamp.h"
#include "utils/xml.h"

#include "client_registry.h"
#include "isaf_writer.h"
#include "sqlstates.h"

#define ISAF_FETCH_BATCH	1000
#define ISAF_SOFTWARE		"client_registry"

/* Dates the schema admits (ISAFDateType1..3) */
#define ISAF_DATE(y, m, d)	(date2j((y), (m), (d)) - POSTGRES_EPOCH_JDATE)

/* Position in a register: the last invoice written (register date, id). */
typedef struct IsafKey
{
	DateADT		date;
	int64		id;
} IsafKey;

/* One export request and what was looked up for it. */
typedef struct IsafRequest
{
	int32		tenant_id;
	DateADT		start;
	DateADT		end;
	char		data_type;		/* F, S, P */
	int32		max_invoices;
	/* looked up by IsafLoad */
	char	   *registration_number;
	char	   *software_version;
	int64		n_sales;
	int64		n_purchases;
	int32		number_of_parts;
	TimestampTz created;
} IsafRequest;

/* The invoice columns the export reads, in this order */
#define ISAF_COLUMNS \
	"r.invoice_id, r.register_date, r.invoice_no, r.invoice_date, r.invoice_type, " \
	"r.special_taxation, r.vat_point_date, " \
	"r.registration_account_date, r.party_vat_code, r.party_registration_number, " \
	"r.party_country, r.party_name, r.currency_rate"

enum
{
	C_ID = 1, C_REGDATE, C_NO, C_DATE, C_TYPE, C_SPECIAL, C_VATPOINT,
	C_REGACCOUNT, C_VAT, C_REGNO, C_COUNTRY, C_NAME, C_RATE
};

/* A register's invoices after a key, in register order (the cursor) */
#define ISAF_READ_SQL(direction) \
	"SELECT " ISAF_COLUMNS \
	"  FROM client_registry.isaf_register_invoice r" \
	" WHERE r.tenant_id OPERATOR(pg_catalog.=) $1 AND r.direction OPERATOR(pg_catalog.=) '" direction "'" \
	"   AND r.register_date OPERATOR(pg_catalog.>=) $2 AND r.register_date OPERATOR(pg_catalog.<=) $3" \
	"   AND (r.register_date, r.invoice_id) OPERATOR(pg_catalog.>) ($4, $5)" \
	" ORDER BY r.register_date, r.invoice_id"

/*
 * The VAT lines of a batch of invoices: one range scan of the lines' index
 * when the batch's ids are dense (invoices numbered as they are made), else
 * a list.  Lines of invoices outside the batch are skipped in C.
 */
#define ISAF_LINE_COLUMNS \
	"SELECT l.invoice_id, l.tax_code, l.vat_rate, l.taxable_value, l.vat_amount" \
	"  FROM client_registry.invoice_vat_line l WHERE l.tenant_id OPERATOR(pg_catalog.=) $1"
#define ISAF_LINES_RANGE_SQL	ISAF_LINE_COLUMNS " AND l.invoice_id OPERATOR(pg_catalog.>=) $2 AND l.invoice_id OPERATOR(pg_catalog.<=) $3"
#define ISAF_LINES_LIST_SQL		ISAF_LINE_COLUMNS " AND l.invoice_id OPERATOR(pg_catalog.=) ANY ($2)"

enum
{
	L_INVOICE = 1, L_TAXCODE, L_VATRATE, L_TAXABLE, L_AMOUNT
};

/* The references of a batch of invoices, likewise (in id order per invoice) */
#define ISAF_REF_COLUMNS \
	"SELECT f.invoice_id, f.reference_no, f.reference_date" \
	"  FROM client_registry.invoice_reference f WHERE f.tenant_id OPERATOR(pg_catalog.=) $1"
#define ISAF_REFS_RANGE_SQL	ISAF_REF_COLUMNS " AND f.invoice_id OPERATOR(pg_catalog.>=) $2 AND f.invoice_id OPERATOR(pg_catalog.<=) $3 ORDER BY f.invoice_id, f.id"
#define ISAF_REFS_LIST_SQL	ISAF_REF_COLUMNS " AND f.invoice_id OPERATOR(pg_catalog.=) ANY ($2) ORDER BY f.invoice_id, f.id"

enum
{
	F_INVOICE = 1, F_NO, F_DATE
};

#define ISAF_COUNT_SQL(direction) \
	"SELECT pg_catalog.count(*) FROM client_registry.isaf_register_invoice r" \
	" WHERE r.tenant_id OPERATOR(pg_catalog.=) $1 AND r.direction OPERATOR(pg_catalog.=) '" direction "'" \
	"   AND r.register_date OPERATOR(pg_catalog.>=) $2 AND r.register_date OPERATOR(pg_catalog.<=) $3"

#define ISAF_KEY_SQL(direction) \
	"SELECT r.register_date, r.invoice_id FROM client_registry.isaf_register_invoice r" \
	" WHERE r.tenant_id OPERATOR(pg_catalog.=) $1 AND r.direction OPERATOR(pg_catalog.=) '" direction "'" \
	"   AND r.register_date OPERATOR(pg_catalog.>=) $2 AND r.register_date OPERATOR(pg_catalog.<=) $3" \
	" ORDER BY r.register_date, r.invoice_id OFFSET $4 LIMIT 1"

/* ----------------------------------------------------------------------------
 * Arguments
 * ----------------------------------------------------------------------------
 */

/* A date as i.SAF writes it (YYYY-MM-DD), whatever DateStyle says */
static char *
IsafDateText(DateADT d)
{
	return IsafFormatDate(d, palloc(11));
}

static void
IsafArgNotNull(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("i.SAF export: %s must not be NULL", name)));
}

static void
IsafCheckDateRange(DateADT d, DateADT lo, DateADT hi, const char *what, const char *range)
{
	if (d < lo || d > hi)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_FIELD_OVERFLOW),
				 errmsg("i.SAF period %s %s is out of the range the schema allows",
						what, IsafDateText(d)),
				 errdetail("i.SAF 1.2 accepts a %s from %s.",
						   strcmp(what, "start") == 0 ? "SelectionStartDate" : "SelectionEndDate", range),
				 errhint("Give the first and the last day of a VAT period.")));
}

/* Reads and checks the arguments common to both functions. */
static void
IsafParseArgs(FunctionCallInfo fcinfo, IsafRequest *req, int arg_max, int arg_tenant)
{
	text	   *dt;
	char	   *dtype;

	IsafArgNotNull(fcinfo, 0, "period_start");
	IsafArgNotNull(fcinfo, 1, "period_end");
	IsafArgNotNull(fcinfo, 2, "data_type");
	IsafArgNotNull(fcinfo, arg_max, "max_invoices");

	memset(req, 0, sizeof(*req));
	req->start = PG_GETARG_DATEADT(0);
	req->end = PG_GETARG_DATEADT(1);
	req->max_invoices = PG_GETARG_INT32(arg_max);
	/* NULL (the default current_tenant() of a role that is not a member): 42501 */
	req->tenant_id = PG_ARGISNULL(arg_tenant) ? CrCurrentTenant() : PG_GETARG_INT32(arg_tenant);

	if (DATE_NOT_FINITE(req->start) || DATE_NOT_FINITE(req->end))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_FIELD_OVERFLOW),
				 errmsg("i.SAF period must have finite dates"),
				 errhint("Give the first and the last day of a VAT period.")));
	IsafCheckDateRange(req->start, ISAF_DATE(2016, 7, 1), ISAF_DATE(2100, 1, 1),
					   "start", "2016-07-01 to 2100-01-01");
	IsafCheckDateRange(req->end, ISAF_DATE(2016, 10, 1), ISAF_DATE(2100, 1, 1),
					   "end", "2016-10-01 to 2100-01-01");
	if (req->start > req->end)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("i.SAF period starts on %s, after its end %s",
						IsafDateText(req->start),
						IsafDateText(req->end)),
				 errdetail("VMI requires SelectionStartDate not after SelectionEndDate."),
				 errhint("Swap the dates.")));

	dt = PG_GETARG_TEXT_PP(2);
	dtype = text_to_cstring(dt);
	if (strlen(dtype) != 1 || strchr("FSPfsp", dtype[0]) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid i.SAF data type \"%s\"", dtype),
				 errdetail("The data type is F (both registers), S (issued, sales) or P (received, purchases)."),
				 errhint("Use 'F', 'S' or 'P'.")));
	req->data_type = pg_ascii_toupper((unsigned char) dtype[0]);

	if (req->max_invoices < 1 || req->max_invoices > ISAF_MAX_INVOICES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_invoices %d is out of range", req->max_invoices),
				 errdetail("A register of one i.SAF file holds 1 to %d invoices.", ISAF_MAX_INVOICES),
				 errhint("Give a number from 1 to %d, or leave it out.", ISAF_MAX_INVOICES)));

	/*
	 * Under row-level security the caller only sees the tenant its session
	 * is set to; exporting another one would silently give an empty file.
	 */
	if (req->tenant_id != CrCurrentTenant())
	{
		Oid			nsp = get_namespace_oid(CR_SCHEMA, false);
		Oid			relid = get_relname_relid("invoice", nsp);

		if (check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("cannot export i.SAF of tenant %d from a session of tenant %d",
							req->tenant_id, CrCurrentTenant()),
					 errdetail("Row-level security shows this role only the rows of its session's tenant."),
					 errhint("An i.SAF file is exported from the tenant the session works in: leave tenant_id out.")));
	}
}

/* ----------------------------------------------------------------------------
 * Looking up the header and the size of the period
 * ----------------------------------------------------------------------------
 */

static int64
IsafCount(const IsafRequest *req, bool sales)
{
	Oid			argtypes[3] = {INT4OID, DATEOID, DATEOID};
	Datum		values[3];
	bool		isnull;
	int			rc;

	values[0] = Int32GetDatum(req->tenant_id);
	values[1] = DateADTGetDatum(req->start);
	values[2] = DateADTGetDatum(req->end);
	rc = SPI_execute_with_args(sales ? ISAF_COUNT_SQL("sale") : ISAF_COUNT_SQL("purchase"),
							   3, argtypes, values, NULL, true, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "i.SAF: counting the register failed: %s", SPI_result_code_string(rc));
	return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

static int32
IsafPartsOf(int64 n, int32 max)
{
	return (int32) ((n + max - 1) / max);
}

/*
 * Own company (RegistrationNumber), extension version, invoice counts and
 * the number of parts.  Strings are allocated in cxt.  Runs inside SPI.
 */
static void
IsafLoad(IsafRequest *req, MemoryContext cxt)
{
	Oid			argtypes[1] = {INT4OID};
	Datum		values[1] = {Int32GetDatum(req->tenant_id)};
	char	   *name;
	char	   *code;
	const char *p;
	int			rc;
	int32		parts;

	rc = SPI_execute_with_args("SELECT c.id, c.name, c.company_code FROM client_registry.client c"
							   " WHERE c.tenant_id OPERATOR(pg_catalog.=) $1"
							   "   AND c.kind OPERATOR(pg_catalog.=) 'own_company'",
							   1, argtypes, values, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "i.SAF: reading the own company failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("tenant %d has no own company", req->tenant_id),
				 errdetail("The i.SAF header (RegistrationNumber) is the own company's company code."),
				 errhint("Add the tenant's own company: INSERT INTO client_registry.client (kind, name, company_code) VALUES ('own_company', ..., ...).")));
	name = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	code = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
	if (code == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("own company \"%s\" of tenant %d has no company code", name, req->tenant_id),
				 errdetail("The i.SAF header's RegistrationNumber is the own company's company (taxpayer) code."),
				 errhint("UPDATE client_registry.client SET company_code = '...' WHERE kind = 'own_company';")));
	for (p = code; *p; p++)
		if (*p < '0' || *p > '9')
			break;
	if (*p != '\0' || p == code || p - code > 11)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("company code \"%s\" of own company \"%s\" cannot be the i.SAF RegistrationNumber",
						code, name),
				 errdetail("i.SAF 1.2 takes a numeric taxpayer code of at most 11 digits (not the VAT code)."),
				 errhint("Set the own company's company_code to its Lithuanian taxpayer code.")));
	req->registration_number = MemoryContextStrdup(cxt, code);

	rc = SPI_execute("SELECT extversion FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'client_registry'",
					 true, 1);
	if (rc == SPI_OK_SELECT && SPI_processed == 1)
		req->software_version = MemoryContextStrdup(cxt, SPI_getvalue(SPI_tuptable->vals[0],
																	   SPI_tuptable->tupdesc, 1));
	else
		req->software_version = MemoryContextStrdup(cxt, "");

	req->n_sales = req->data_type == 'P' ? 0 : IsafCount(req, true);
	req->n_purchases = req->data_type == 'S' ? 0 : IsafCount(req, false);
	parts = Max(IsafPartsOf(req->n_sales, req->max_invoices),
				IsafPartsOf(req->n_purchases, req->max_invoices));
	req->number_of_parts = Max(parts, 1);	/* an empty period: one header-only file */
	req->created = GetCurrentTransactionStartTimestamp();
}

/* Invoices of a register in part 1..n (0 when the register has ended). */
static int64
IsafInPart(int64 n, int32 max, int32 part)
{
	int64		before = (int64) (part - 1) * max;

	if (n <= before)
		return 0;
	return Min(n - before, (int64) max);
}

/* Key of the last invoice before part "part" of a register (isaf_file). */
static void
IsafStartKey(const IsafRequest *req, bool sales, int32 part, IsafKey *key)
{
	Oid			argtypes[4] = {INT4OID, DATEOID, DATEOID, INT8OID};
	Datum		values[4];
	bool		isnull;
	int			rc;

	key->date = req->start - 1; /* before every register date of the period */
	key->id = PG_INT64_MIN;
	if (part == 1)
		return;
	values[0] = Int32GetDatum(req->tenant_id);
	values[1] = DateADTGetDatum(req->start);
	values[2] = DateADTGetDatum(req->end);
	values[3] = Int64GetDatum((int64) (part - 1) * req->max_invoices - 1);
	rc = SPI_execute_with_args(sales ? ISAF_KEY_SQL("sale") : ISAF_KEY_SQL("purchase"),
							   4, argtypes, values, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "i.SAF: finding the start of part %d failed: %s", part, SPI_result_code_string(rc));
	if (SPI_processed == 1)
	{
		key->date = DatumGetDateADT(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		key->id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	}
}

/* ----------------------------------------------------------------------------
 * Invoices: rows of the cursor -> IsafInvoice, checked against the schema
 * ----------------------------------------------------------------------------
 */

/* Totals of the invoice being read, summed per (tax code, rate) */
typedef struct IsafSum
{
	char	   *tax_code;		/* UTF-8, NULL */
	Datum		rate;			/* numeric, or 0 when null */
	bool		rate_null;
	Datum		taxable;		/* numeric */
	Datum		amount;			/* numeric, or 0 when null */
	bool		amount_null;
} IsafSum;

/* What a part cut to the schema's lengths: counted, the first one named */
typedef struct IsafCuts
{
	MemoryContext cxt;			/* holds first_* */
	int64		count;
	char	   *first_element;
	char	   *first_number;
	int64		first_id;
	int			first_length;
	int			first_max;
	bool		first_sales;
} IsafCuts;

typedef struct IsafReader
{
	IsafInvoice inv;
	IsafCuts   *cuts;
	IsafSum		sums[ISAF_MAX_TOTALS];
	Datum		currency_rate;
	bool		rate_is_one;
	Datum		one;			/* numeric 1 */
	bool		sales;
	char	   *number_for_messages;	/* server encoding */
} IsafReader;

static void
IsafInvalid(const IsafReader *rd, const char *what, const char *detail, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_CR_ISAF_INVALID_DATA),
			 errmsg("%s invoice %s (id " INT64_FORMAT ") cannot be written into i.SAF: %s",
					rd->sales ? "sales" : "purchase", rd->number_for_messages, rd->inv.id, what),
			 errdetail_internal("%s", detail),
			 errhint("%s", hint)));
}

/* A row of the cursor, deformed once */
typedef struct IsafRow
{
	Datum		values[C_RATE];
	bool		nulls[C_RATE];
} IsafRow;

typedef struct IsafLineRow
{
	Datum		values[L_AMOUNT];
	bool		nulls[L_AMOUNT];
} IsafLineRow;

#define ROWVAL(row, col)	((row)->values[(col) - 1])
#define ROWNULL(row, col)	((row)->nulls[(col) - 1])

static char *
IsafGetText(const IsafRow *row, int col)
{
	return ROWNULL(row, col) ? NULL : TextDatumGetCString(ROWVAL(row, col));
}

static bool
IsafGetDate(const IsafRow *row, int col, DateADT *d)
{
	if (!ROWNULL(row, col))
		*d = DatumGetDateADT(ROWVAL(row, col));
	return !ROWNULL(row, col);
}

/*
 * A text value, converted and checked against the schema's length: over it,
 * cut (cut = true: counted for the part's WARNING) or refused (R6001).
 */
static const char *
IsafText(IsafReader *rd, const char *value, const char *element, int maxlen, bool required, bool cut)
{
	char	   *clean;
	int			nchars;

	if (value == NULL)
		return NULL;
	clean = IsafTextForXml(value, &nchars);
	if (nchars > maxlen && cut)
	{
		IsafCuts   *c = rd->cuts;

		if (c->count++ == 0)
		{
			c->first_element = MemoryContextStrdup(c->cxt, element);
			c->first_number = MemoryContextStrdup(c->cxt, rd->number_for_messages);
			c->first_id = rd->inv.id;
			c->first_length = nchars;
			c->first_max = maxlen;
			c->first_sales = rd->sales;
		}
		return IsafCutText(clean, maxlen);
	}
	if (nchars > maxlen)
		IsafInvalid(rd, psprintf("%s is %d characters long", element, nchars),
					psprintf("i.SAF 1.2 allows at most %d characters in %s: \"%s\".", maxlen, element, value),
					"Correct the value on the invoice: this identifier is not shortened in the file.");
	if (required && nchars == 0)
		IsafInvalid(rd, psprintf("%s is empty", element),
					psprintf("i.SAF 1.2 requires a non-empty %s.", element),
					"Correct the invoice.");
	return clean;
}

static void
IsafCheckDate(IsafReader *rd, DateADT d, DateADT lo, DateADT hi, const char *element)
{
	if (d < lo || d > hi)
		IsafInvalid(rd, psprintf("%s %s is out of range", element,
								 IsafDateText(d)),
					psprintf("i.SAF 1.2 accepts a %s from %s to %s.", element,
							 IsafDateText(lo),
							 IsafDateText(hi)),
					"Correct the date on the invoice.");
}

/* Starts a new invoice from its first row. */
static void
IsafBeginInvoice(IsafReader *rd, const IsafRow *row)
{
	IsafInvoice *inv = &rd->inv;
	char	   *country;

	inv->id = DatumGetInt64(ROWVAL(row, C_ID));
	rd->number_for_messages = IsafGetText(row, C_NO);
	inv->invoice_no = IsafText(rd, rd->number_for_messages, "InvoiceNo", 70, true, false);
	IsafGetDate(row, C_DATE, &inv->invoice_date);
	if (rd->sales)
		IsafCheckDate(rd, inv->invoice_date, ISAF_DATE(2016, 7, 1), ISAF_DATE(2100, 1, 1), "InvoiceDate");
	else
		IsafCheckDate(rd, inv->invoice_date, ISAF_DATE(1, 1, 1), ISAF_DATE(9999, 12, 31), "InvoiceDate");
	inv->invoice_type = IsafGetText(row, C_TYPE);
	inv->special_taxation = IsafGetText(row, C_SPECIAL);
	inv->nrefs = 0;
	inv->refs = NULL;
	inv->has_vat_point_date = IsafGetDate(row, C_VATPOINT, &inv->vat_point_date);
	if (inv->has_vat_point_date)
		IsafCheckDate(rd, inv->vat_point_date, ISAF_DATE(2016, 7, 1), ISAF_DATE(2100, 1, 1), "VATPointDate");
	inv->has_registration_date = IsafGetDate(row, C_REGACCOUNT, &inv->registration_date);
	inv->party_vat_code = IsafText(rd, IsafGetText(row, C_VAT), "VATRegistrationNumber", 35, true, false);
	inv->party_registration_number = IsafText(rd, IsafGetText(row, C_REGNO), "RegistrationNumber", 35, false, true);
	country = IsafGetText(row, C_COUNTRY);
	if (country != NULL && (strlen(country) != 2 || !isupper((unsigned char) country[0]) ||
							!isupper((unsigned char) country[1])))
		IsafInvalid(rd, psprintf("Country \"%s\" is not an ISO code", country),
					"i.SAF 1.2 takes a two-letter ISO 3166-1 code.", "Correct the invoice's counterparty_country.");
	if (country == NULL && strcmp(inv->party_vat_code, "ND") == 0)
		IsafInvalid(rd, "the counterparty has no VAT code (ND) and no country",
					"i.SAF requires Country when VATRegistrationNumber is ND.",
					"Set the invoice's counterparty_country.");
	inv->party_country = country;
	inv->party_name = IsafText(rd, IsafGetText(row, C_NAME), "Name", 256, true, true);
	rd->currency_rate = datumCopy(ROWVAL(row, C_RATE), false, -1);
	rd->rate_is_one = DatumGetBool(DirectFunctionCall2(numeric_eq, rd->currency_rate, rd->one));
	inv->ntotals = 0;
}

static bool
IsafTaxCodeValid(const char *code)
{
	size_t		n = strlen(code);
	size_t		i;

	if (n < 4 || n > 6 || strncmp(code, "PVM", 3) != 0)
		return false;
	for (i = 3; i < n; i++)
		if (code[i] < '0' || code[i] > '9')
			return false;
	return true;
}

/* Adds one VAT line (a row) to the current invoice's sums. */
static void
IsafAddLine(IsafReader *rd, const IsafLineRow *row)
{
	bool		rate_null = ROWNULL(row, L_VATRATE);
	bool		taxable_null = ROWNULL(row, L_TAXABLE);
	bool		amount_null = ROWNULL(row, L_AMOUNT);
	Datum		rate = ROWVAL(row, L_VATRATE);
	Datum		taxable = ROWVAL(row, L_TAXABLE);
	Datum		amount = ROWVAL(row, L_AMOUNT);
	char	   *code = ROWNULL(row, L_TAXCODE) ? NULL : TextDatumGetCString(ROWVAL(row, L_TAXCODE));
	int			i;

	if (taxable_null)
		return;					/* NOT NULL in the table; defensive */
	if (code != NULL && !IsafTaxCodeValid(code))
		IsafInvalid(rd, psprintf("tax code \"%s\" is not PVM followed by 1 to 3 digits", code),
					"i.SAF 1.2 TaxCode is a code of VMI's VAT classifier: PVM1 ... PVM999.",
					"Correct the tax_code of the invoice's VAT line.");
	for (i = 0; i < rd->inv.ntotals; i++)
	{
		IsafSum    *s = &rd->sums[i];

		if ((s->tax_code == NULL) != (code == NULL) ||
			(code != NULL && strcmp(s->tax_code, code) != 0) ||
			s->rate_null != rate_null ||
			(!rate_null && !DatumGetBool(DirectFunctionCall2(numeric_eq, s->rate, rate))))
			continue;
		s->taxable = DirectFunctionCall2(numeric_add, s->taxable, taxable);
		if (!amount_null)
		{
			s->amount = s->amount_null ? datumCopy(amount, false, -1)
				: DirectFunctionCall2(numeric_add, s->amount, amount);
			s->amount_null = false;
		}
		return;
	}
	if (rd->inv.ntotals == ISAF_MAX_TOTALS)
		IsafInvalid(rd, psprintf("it has more than %d different tax codes and rates", ISAF_MAX_TOTALS),
					"i.SAF 1.2 allows at most 100 DocumentTotal per invoice.",
					"Split the invoice.");
	i = rd->inv.ntotals++;
	rd->sums[i].tax_code = code;
	rd->sums[i].rate_null = rate_null;
	rd->sums[i].rate = rate_null ? (Datum) 0 : datumCopy(rate, false, -1);
	rd->sums[i].taxable = datumCopy(taxable, false, -1);
	rd->sums[i].amount_null = amount_null;
	rd->sums[i].amount = amount_null ? (Datum) 0 : datumCopy(amount, false, -1);
}

/* Adds one reference (a row of the references query) to the current invoice. */
static void
IsafAddReference(IsafReader *rd, HeapTuple tuple, TupleDesc desc)
{
	IsafInvoice *inv = &rd->inv;
	IsafReference *ref;
	bool		isnull;
	Datum		no = SPI_getbinval(tuple, desc, F_NO, &isnull);
	Datum		date;

	if (isnull)
		return;					/* NOT NULL in the table; defensive */
	date = SPI_getbinval(tuple, desc, F_DATE, &isnull);
	if (isnull)
		return;
	if (inv->nrefs == ISAF_MAX_REFERENCES)
		IsafInvalid(rd, psprintf("it has more than %d references", ISAF_MAX_REFERENCES),
					"i.SAF 1.2 allows at most 1000 Reference per invoice.",
					"Split the note.");
	if (inv->refs == NULL)
		inv->refs = palloc(ISAF_MAX_REFERENCES * sizeof(IsafReference));
	ref = &inv->refs[inv->nrefs++];
	ref->reference_no = IsafText(rd, TextDatumGetCString(no), "ReferenceNo", 70, true, false);
	ref->reference_date = DatumGetDateADT(date);
	IsafCheckDate(rd, ref->reference_date, ISAF_DATE(1990, 1, 1), ISAF_DATE(2100, 1, 1), "ReferenceDate");
}

/* Money in euro with exactly two decimals, at most 18 digits */
static const char *
IsafMoney(IsafReader *rd, Datum value, const char *element)
{
	char	   *s;
	int			digits = 0;
	const char *p;

	/* the lines have two decimals; only a currency rate needs rounding */
	if (!rd->rate_is_one)
		value = DirectFunctionCall2(numeric_round,
									DirectFunctionCall2(numeric_mul, value, rd->currency_rate),
									Int32GetDatum(2));
	s = DatumGetCString(DirectFunctionCall1(numeric_out, value));
	for (p = s; *p; p++)
		if (*p >= '0' && *p <= '9')
			digits++;
	if (digits > 18)
		IsafInvalid(rd, psprintf("%s %s has more than 18 digits", element, s),
					"i.SAF 1.2 amounts have at most 18 digits, 2 of them decimals.",
					"Split the invoice.");
	return s;
}

/* A rate as i.SAF wants it: 21, 9, 5.5, 0 (no trailing zeros) */
static const char *
IsafPercentage(Datum rate)
{
	char	   *s = DatumGetCString(DirectFunctionCall1(numeric_out, rate));
	char	   *dot = strchr(s, '.');

	if (dot != NULL)
	{
		char	   *end = s + strlen(s) - 1;

		while (end > dot && *end == '0')
			*end-- = '\0';
		if (end == dot)
			*dot = '\0';
	}
	if (strcmp(s, "-0") == 0)
		return "0";
	return s;
}

/* Formats the sums of the current invoice into its DocumentTotals. */
static void
IsafFinishInvoice(IsafReader *rd)
{
	IsafInvoice *inv = &rd->inv;
	int			i;

	if (inv->ntotals == 0)
	{
		/* an invoice without VAT lines (e.g. cancelled): one zero total */
		inv->ntotals = 1;
		inv->totals[0].taxable_value = "0.00";
		inv->totals[0].tax_code = NULL;
		inv->totals[0].tax_percentage = NULL;
		inv->totals[0].amount = NULL;
		return;
	}
	for (i = 0; i < inv->ntotals; i++)
	{
		IsafSum    *s = &rd->sums[i];
		IsafTotal  *t = &inv->totals[i];
		int			n;

		t->tax_code = s->tax_code ? IsafTextForXml(s->tax_code, &n) : NULL;
		t->tax_percentage = s->rate_null ? NULL : IsafPercentage(s->rate);
		t->taxable_value = IsafMoney(rd, s->taxable, "TaxableValue");
		t->amount = s->amount_null ? NULL : IsafMoney(rd, s->amount, "Amount");
	}
}

/* ----------------------------------------------------------------------------
 * Writing a part
 * ----------------------------------------------------------------------------
 */

typedef struct IsafBatchId
{
	int64		id;
	int			pos;			/* position in the batch (cursor order) */
} IsafBatchId;

static int
IsafBatchIdCmp(const void *a, const void *b)
{
	int64		x = ((const IsafBatchId *) a)->id;
	int64		y = ((const IsafBatchId *) b)->id;

	return (x > y) - (x < y);
}

/* Position in the batch of an invoice id, -1 if not in it */
static int
IsafBatchFind(const IsafBatchId *ids, int n, int64 id)
{
	int			lo = 0,
				hi = n - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;

		if (ids[mid].id == id)
			return ids[mid].pos;
		if (ids[mid].id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/*
 * Reads the rows of a batch of invoices (VAT lines or references: one query,
 * the invoice id in column 1) and orders them by the batch's positions: rows
 * of invoice i are order[start[i] .. start[i+1]), in the query's order.  ids
 * are sorted by id.  Returns the rows' tuple table (free it with
 * SPI_freetuptable).
 */
static SPITupleTable *
IsafBatchRows(const IsafRequest *req, SPIPlanPtr range_plan, SPIPlanPtr list_plan,
			  const IsafBatchId *ids, int n, int **start_out, int **order_out)
{
	SPITupleTable *lines;
	Datum		values[3];
	int			rc;
	uint64		k;
	int		   *start = palloc0((n + 1) * sizeof(int));
	int		   *fill;
	int		   *order;
	int		   *pos;

	values[0] = Int32GetDatum(req->tenant_id);
	if ((uint64) ids[n - 1].id - (uint64) ids[0].id < (uint64) n * 4)	/* no signed overflow */
	{
		values[1] = Int64GetDatum(ids[0].id);
		values[2] = Int64GetDatum(ids[n - 1].id);
		rc = SPI_execute_plan(range_plan, values, NULL, true, 0);
	}
	else
	{
		Datum	   *elems = palloc(n * sizeof(Datum));
		int			i;

		for (i = 0; i < n; i++)
			elems[i] = Int64GetDatum(ids[i].id);
		values[1] = PointerGetDatum(construct_array(elems, n, INT8OID, sizeof(int64),
													FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		rc = SPI_execute_plan(list_plan, values, NULL, true, 0);
	}
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "i.SAF: reading VAT lines or references failed: %s", SPI_result_code_string(rc));
	lines = SPI_tuptable;

	/* counting sort of the lines by batch position, stable in line order */
	pos = palloc(Max(SPI_processed, 1) * sizeof(int));
	for (k = 0; k < SPI_processed; k++)
	{
		bool		isnull;
		int64		id = DatumGetInt64(SPI_getbinval(lines->vals[k], lines->tupdesc, L_INVOICE, &isnull));

		pos[k] = IsafBatchFind(ids, n, id);
		if (pos[k] >= 0)
			start[pos[k] + 1]++;
	}
	for (k = 1; k <= (uint64) n; k++)
		start[k] += start[k - 1];
	fill = palloc(n * sizeof(int));
	memcpy(fill, start, n * sizeof(int));
	order = palloc(Max(start[n], 1) * sizeof(int));
	for (k = 0; k < SPI_processed; k++)
		if (pos[k] >= 0)
			order[fill[pos[k]]++] = (int) k;
	pfree(fill);
	pfree(pos);
	*start_out = start;
	*order_out = order;
	return lines;
}

/*
 * Streams up to "limit" invoices of one register, after *key, into the
 * file; updates *key to the last invoice written.  Invoices come from a
 * cursor in batches of ISAF_FETCH_BATCH, their VAT lines with one query per
 * batch.  Opens SourceDocuments and the register element before the first
 * invoice (never an empty one).
 */
static int64
IsafWriteRegister(IsafWriter *w, const IsafRequest *req, bool sales, IsafKey *key,
				  int64 limit, bool *source_documents_open, IsafCuts *cuts)
{
	Oid			argtypes[5] = {INT4OID, DATEOID, DATEOID, DATEOID, INT8OID};
	Oid			range_types[3] = {INT4OID, INT8OID, INT8OID};
	Oid			list_types[2] = {INT4OID, INT8ARRAYOID};
	Datum		values[5];
	SPIPlanPtr	plan;
	SPIPlanPtr	range_plan;
	SPIPlanPtr	list_plan;
	SPIPlanPtr	refs_range_plan;
	SPIPlanPtr	refs_list_plan;
	Portal		portal;
	MemoryContext invcxt;
	MemoryContext batchcxt;
	MemoryContext oldcxt;
	IsafReader *rd;
	int64		written = 0;
	bool		register_open = false;

	if (limit <= 0)
		return 0;

	values[0] = Int32GetDatum(req->tenant_id);
	values[1] = DateADTGetDatum(req->start);
	values[2] = DateADTGetDatum(req->end);
	values[3] = DateADTGetDatum(key->date);
	values[4] = Int64GetDatum(key->id);
	plan = SPI_prepare(sales ? ISAF_READ_SQL("sale") : ISAF_READ_SQL("purchase"), 5, argtypes);
	range_plan = SPI_prepare(ISAF_LINES_RANGE_SQL, 3, range_types);
	list_plan = SPI_prepare(ISAF_LINES_LIST_SQL, 2, list_types);
	refs_range_plan = SPI_prepare(ISAF_REFS_RANGE_SQL, 3, range_types);
	refs_list_plan = SPI_prepare(ISAF_REFS_LIST_SQL, 2, list_types);
	if (plan == NULL || range_plan == NULL || list_plan == NULL ||
		refs_range_plan == NULL || refs_list_plan == NULL)
		elog(ERROR, "i.SAF: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	portal = SPI_cursor_open(NULL, plan, values, NULL, true);

	rd = palloc0(sizeof(IsafReader));
	rd->sales = sales;
	rd->cuts = cuts;
	rd->one = NumericGetDatum(int64_to_numeric(1));
	invcxt = AllocSetContextCreate(CurrentMemoryContext, "i.SAF invoice", ALLOCSET_DEFAULT_SIZES);
	batchcxt = AllocSetContextCreate(CurrentMemoryContext, "i.SAF batch", ALLOCSET_DEFAULT_SIZES);

	while (written < limit)
	{
		SPITupleTable *invoices;
		SPITupleTable *lines;
		SPITupleTable *refs;
		IsafBatchId *ids;
		int		   *start;
		int		   *order;
		int		   *ref_start;
		int		   *ref_order;
		int			n;
		int			i;

		SPI_cursor_fetch(portal, true, (long) Min((int64) ISAF_FETCH_BATCH, limit - written));
		if (SPI_processed == 0)
			break;
		invoices = SPI_tuptable;
		n = (int) SPI_processed;

		oldcxt = MemoryContextSwitchTo(batchcxt);
		ids = palloc(n * sizeof(IsafBatchId));
		for (i = 0; i < n; i++)
		{
			bool		isnull;

			ids[i].id = DatumGetInt64(SPI_getbinval(invoices->vals[i], invoices->tupdesc, C_ID, &isnull));
			ids[i].pos = i;
		}
		qsort(ids, n, sizeof(IsafBatchId), IsafBatchIdCmp);
		lines = IsafBatchRows(req, range_plan, list_plan, ids, n, &start, &order);
		refs = IsafBatchRows(req, refs_range_plan, refs_list_plan, ids, n, &ref_start, &ref_order);
		MemoryContextSwitchTo(oldcxt);

		if (!register_open)
		{
			if (!*source_documents_open)
				IsafStartElement(w, "SourceDocuments");
			*source_documents_open = true;
			IsafStartElement(w, sales ? "SalesInvoices" : "PurchaseInvoices");
			register_open = true;
		}
		for (i = 0; i < n; i++)
		{
			IsafRow		row;
			int			j;

			heap_deform_tuple(invoices->vals[i], invoices->tupdesc, row.values, row.nulls);
			oldcxt = MemoryContextSwitchTo(invcxt);
			IsafBeginInvoice(rd, &row);
			for (j = ref_start[i]; j < ref_start[i + 1]; j++)
				IsafAddReference(rd, refs->vals[ref_order[j]], refs->tupdesc);
			for (j = start[i]; j < start[i + 1]; j++)
			{
				IsafLineRow line;

				heap_deform_tuple(lines->vals[order[j]], lines->tupdesc, line.values, line.nulls);
				IsafAddLine(rd, &line);
			}
			IsafFinishInvoice(rd);
			MemoryContextSwitchTo(oldcxt);
			IsafWriteInvoice(w, &rd->inv, sales);
			key->date = DatumGetDateADT(ROWVAL(&row, C_REGDATE));
			key->id = rd->inv.id;
			MemoryContextReset(invcxt);
		}
		written += n;
		SPI_freetuptable(refs);
		SPI_freetuptable(lines);
		SPI_freetuptable(invoices);
		MemoryContextReset(batchcxt);
		CHECK_FOR_INTERRUPTS();
	}
	SPI_cursor_close(portal);
	SPI_freeplan(plan);
	SPI_freeplan(range_plan);
	SPI_freeplan(list_plan);
	SPI_freeplan(refs_range_plan);
	SPI_freeplan(refs_list_plan);
	MemoryContextDelete(invcxt);
	MemoryContextDelete(batchcxt);
	pfree(rd);
	if (register_open)
		IsafEndElement(w);
	return written;
}

/*
 * One file: the header, then the part's purchases and sales.  Runs inside
 * SPI; the result is allocated in outcxt.  libxml is set up and torn down
 * here (pg_xml_init / PG_TRY / pg_xml_done on both paths).
 */
static text *
IsafWritePart(const IsafRequest *req, int32 part, IsafKey *sales_key, IsafKey *purchase_key,
			  MemoryContext outcxt, int64 *n_sales, int64 *n_purchases)
{
	PgXmlErrorContext *xmlerrcxt;
	IsafWriter *w = palloc0(sizeof(IsafWriter));
	IsafHeader	h;
	text	   *result = NULL;
	char		part_id[16];
	IsafCuts	cuts = {0};

	snprintf(part_id, sizeof(part_id), "%c%d", req->data_type, part);
	h.data_type = req->data_type;
	h.software_company = ISAF_SOFTWARE;
	h.software_name = ISAF_SOFTWARE;
	h.software_version = req->software_version;
	h.registration_number = req->registration_number;
	h.number_of_parts = req->number_of_parts;
	h.part_id = part_id;
	h.period_start = req->start;
	h.period_end = req->end;
	h.created = req->created;
	cuts.cxt = CurrentMemoryContext;

	xmlerrcxt = pg_xml_init(PG_XML_STRICTNESS_ALL);
	PG_TRY();
	{
		bool		source_documents_open = false;

		/* about 600 bytes per invoice: allocated once, grown if needed */
		IsafWriterOpen(w, xmlerrcxt, outcxt,
					   2048 + 640 * (Size) ((req->data_type == 'P' ? 0 : IsafInPart(req->n_sales, req->max_invoices, part)) +
											(req->data_type == 'S' ? 0 : IsafInPart(req->n_purchases, req->max_invoices, part))));
		IsafWriteHeader(w, &h);
		/* SourceDocuments: PurchaseInvoices come before SalesInvoices */
		*n_purchases = req->data_type == 'S' ? 0 :
			IsafWriteRegister(w, req, false, purchase_key,
							  IsafInPart(req->n_purchases, req->max_invoices, part),
							  &source_documents_open, &cuts);
		*n_sales = req->data_type == 'P' ? 0 :
			IsafWriteRegister(w, req, true, sales_key,
							  IsafInPart(req->n_sales, req->max_invoices, part),
							  &source_documents_open, &cuts);
		if (source_documents_open)
			IsafEndElement(w);	/* SourceDocuments */
		IsafEndElement(w);		/* iSAFFile */
		result = IsafWriterFinish(w);
	}
	PG_CATCH();
	{
		IsafWriterAbort(w);
		pg_xml_done(xmlerrcxt, true);
		PG_RE_THROW();
	}
	PG_END_TRY();
	pg_xml_done(xmlerrcxt, false);
	pfree(w);

	if (cuts.count > 0)
	{
		char		start[11],
					end[11];

		ereport(WARNING,
				(errcode(ERRCODE_WARNING_STRING_DATA_RIGHT_TRUNCATION),
				 errmsg("i.SAF part %s: " INT64_FORMAT " value(s) shortened to the schema's length",
						part_id, cuts.count),
				 errdetail("First: %s of %s invoice %s (id " INT64_FORMAT "), %d characters written as %d. The registry keeps the values as entered.",
						   cuts.first_element, cuts.first_sales ? "sales" : "purchase",
						   cuts.first_number, cuts.first_id, cuts.first_length, cuts.first_max),
				 errhint("SELECT * FROM client_registry.isaf_shortened_value WHERE register_date BETWEEN '%s' AND '%s'; lists them all.",
						 IsafFormatDate(req->start, start), IsafFormatDate(req->end, end))));
	}

	/*
	 * The file was written in UTF-8.  A text datum is in the server encoding,
	 * so in a database that is not UTF-8 it is converted back (losslessly:
	 * every character came from that encoding, the rest is ASCII); the client
	 * then receives it in its client_encoding, UTF-8 for a file.
	 */
	if (GetDatabaseEncoding() != PG_UTF8 && GetDatabaseEncoding() != PG_SQL_ASCII)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(outcxt);
		char	   *server = pg_any_to_server(VARDATA(result), VARSIZE(result) - VARHDRSZ, PG_UTF8);

		if (server != VARDATA(result))
		{
			text	   *converted = cstring_to_text(server);

			pfree(server);
			pfree(result);
			result = converted;
		}
		MemoryContextSwitchTo(oldcxt);
	}
	return result;
}

static void
IsafConnect(void)
{
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "i.SAF: SPI_connect failed");
}

/* ----------------------------------------------------------------------------
 * SQL functions
 * ----------------------------------------------------------------------------
 */

/*
 * isaf_file(period_start, period_end, data_type, part, max_invoices, tenant_id)
 */
PG_FUNCTION_INFO_V1(cr_isaf_file);
Datum
cr_isaf_file(PG_FUNCTION_ARGS)
{
	MemoryContext outcxt = CurrentMemoryContext;
	IsafRequest req;
	IsafKey		sales_key;
	IsafKey		purchase_key;
	int32		part;
	int64		ns,
				np;
	text	   *result;

	IsafParseArgs(fcinfo, &req, 4, 5);
	IsafArgNotNull(fcinfo, 3, "part");
	part = PG_GETARG_INT32(3);

	IsafConnect();
	IsafLoad(&req, outcxt);
	if (part < 1 || part > req.number_of_parts)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("i.SAF part %d does not exist", part),
				 errdetail("The period has %d part(s) of at most %d invoices per register (" INT64_FORMAT " sales, " INT64_FORMAT " purchases).",
						   req.number_of_parts, req.max_invoices, req.n_sales, req.n_purchases),
				 errhint("Ask for a part from 1 to %d, or use isaf_files() for all of them.",
						 req.number_of_parts)));
	IsafStartKey(&req, true, part, &sales_key);
	IsafStartKey(&req, false, part, &purchase_key);
	result = IsafWritePart(&req, part, &sales_key, &purchase_key, outcxt, &ns, &np);
	SPI_finish();
	PG_RETURN_TEXT_P(result);
}

typedef struct IsafFilesState
{
	IsafRequest req;
	IsafKey		sales_key;
	IsafKey		purchase_key;
} IsafFilesState;

/*
 * isaf_files(period_start, period_end, data_type, max_invoices, tenant_id)
 * One row per part, each written when it is asked for (value per call):
 * part, part_id, number_of_parts, sales_invoices, purchase_invoices,
 * file_name, xml.
 */
PG_FUNCTION_INFO_V1(cr_isaf_files);
Datum
cr_isaf_files(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	IsafFilesState *st;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext oldcxt;
		TupleDesc	tupdesc;

		funcctx = SRF_FIRSTCALL_INIT();
		oldcxt = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		st = palloc0(sizeof(IsafFilesState));
		IsafParseArgs(fcinfo, &st->req, 3, 4);
		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "isaf_files: return type must be a row type");
		funcctx->tuple_desc = BlessTupleDesc(tupdesc);
		MemoryContextSwitchTo(oldcxt);

		IsafConnect();
		IsafLoad(&st->req, funcctx->multi_call_memory_ctx);
		SPI_finish();
		st->sales_key.date = st->req.start - 1;
		st->sales_key.id = PG_INT64_MIN;
		st->purchase_key = st->sales_key;
		funcctx->max_calls = st->req.number_of_parts;
		funcctx->user_fctx = st;
	}

	funcctx = SRF_PERCALL_SETUP();
	st = (IsafFilesState *) funcctx->user_fctx;
	if (funcctx->call_cntr < funcctx->max_calls)
	{
		MemoryContext outcxt = CurrentMemoryContext;
		int32		part = (int32) funcctx->call_cntr + 1;
		int64		ns,
					np;
		text	   *xml;
		Datum		values[7];
		bool		nulls[7] = {false};
		HeapTuple	tuple;
		char		start[11],
					end[11];

		IsafConnect();
		xml = IsafWritePart(&st->req, part, &st->sales_key, &st->purchase_key, outcxt, &ns, &np);
		SPI_finish();

		values[0] = Int32GetDatum(part);
		values[1] = CStringGetTextDatum(psprintf("%c%d", st->req.data_type, part));
		values[2] = Int32GetDatum(st->req.number_of_parts);
		values[3] = Int32GetDatum((int32) ns);
		values[4] = Int32GetDatum((int32) np);
		IsafFormatDate(st->req.start, start);
		IsafFormatDate(st->req.end, end);
		values[5] = CStringGetTextDatum(psprintf("isaf_%s_%s_%s_%c%d.xml",
												 st->req.registration_number, start, end,
												 st->req.data_type, part));
		values[6] = PointerGetDatum(xml);
		tuple = heap_form_tuple(funcctx->tuple_desc, values, nulls);
		pfree(xml);				/* the tuple has its copy */
		SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(tuple));
	}
	SRF_RETURN_DONE(funcctx);
}

/*
 * isaf_written_text(value, max_length): a value as the export writes it
 * (forbidden characters replaced, cut to max_length characters), in the
 * server encoding.  The view isaf_shortened_value shows it.
 */
PG_FUNCTION_INFO_V1(cr_isaf_written_text);
Datum
cr_isaf_written_text(PG_FUNCTION_ARGS)
{
	char	   *value = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int32		max_length = PG_GETARG_INT32(1);
	int			nchars;
	char	   *utf8 = IsafTextForXml(value, &nchars);
	char	   *server;

	if (max_length < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_length %d is negative", max_length),
				 errhint("Give the most characters the element holds, e.g. 256.")));
	if (nchars > max_length)
		utf8 = IsafCutText(utf8, max_length);
	server = pg_any_to_server(utf8, strlen(utf8), PG_UTF8);
	PG_RETURN_TEXT_P(cstring_to_text(server));
}
