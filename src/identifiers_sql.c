/*
 * identifiers_sql.c
 *		SQL-callable wrappers around the identifier validators
 *		(identifiers.h), declared in sql/0.1.0/10_identifiers.sql.
 *
 * The *_valid functions return a boolean and never raise on bad input, so
 * they can be used in CHECK constraints.  The normalize_* functions return
 * the normalised value and raise invalid_parameter_value (22023) with a
 * message naming the value, a detail giving the reason and a hint showing
 * what a valid value looks like.
 *
 * The C symbols of the boolean checks are cr_<sql name>.  The normalisers'
 * SQL names are already taken by the C API (cr_normalize_iban ...), so
 * their wrappers are called cr_<sql name>_sql.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "country_codes.h"
#include "identifiers.h"

static void report_invalid(const char *kind, const char *input,
						   const char *why, const char *hint) pg_attribute_noreturn();

/*
 * report_invalid raises the error of a normaliser: "invalid <kind>
 * "<input>"", with why as the detail and hint as the hint.
 */
static void
report_invalid(const char *kind, const char *input, const char *why,
			   const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid %s \"%s\"", kind, input),
			 errdetail("The %s %s.", kind, why),
			 errhint("%s", hint)));
}

/*
 * arg_cstring returns argument n as a C string, or NULL when it is NULL.
 */
static char *
arg_cstring(FunctionCallInfo fcinfo, int n)
{
	if (PG_ARGISNULL(n))
		return NULL;
	return text_to_cstring(PG_GETARG_TEXT_PP(n));
}

/*
 * leading_country copies the first two characters of in into cc when,
 * ignoring white space, '-' and '.', they are letters (upper-cased).
 * Returns false otherwise.
 */
static bool
leading_country(const char *in, char cc[3])
{
	int			n = 0;
	const char *p;

	for (p = in; *p && n < 2; p++)
	{
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
			*p == '-' || *p == '.')
			continue;
		if (*p >= 'a' && *p <= 'z')
			cc[n++] = *p - 'a' + 'A';
		else if (*p >= 'A' && *p <= 'Z')
			cc[n++] = *p;
		else
			return false;
	}
	cc[n] = '\0';
	return n == 2;
}

/*
 * country_is says whether the (possibly NULL) country argument names cc,
 * ignoring case and surrounding white space.
 */
static bool
country_is(const char *country, const char *cc)
{
	char		buf[3];

	if (country == NULL || !leading_country(country, buf))
		return false;
	return strcmp(buf, cc) == 0;
}

/* ---------------------------------------------------------------------
 * Hints
 * ---------------------------------------------------------------------
 */

/*
 * iban_hint describes a valid IBAN of the country the input starts with.
 */
static const char *
iban_hint(const char *input)
{
	char		cc[3];
	const CrIbanCountry *c;

	if (leading_country(input, cc))
	{
		if (strcmp(cc, "LT") == 0)
			return "A Lithuanian IBAN has 20 characters: LT, two check digits, a 5-digit bank code and an 11-digit account number.";
		if (strcmp(cc, "LV") == 0)
			return "A Latvian IBAN has 21 characters: LV, two check digits, a 4-letter bank code and a 13-character account number.";
		if (strcmp(cc, "EE") == 0)
			return "An Estonian IBAN has 20 characters: EE, two check digits, a 2-digit bank code and a 14-digit account number.";
		if (strcmp(cc, "PL") == 0)
			return "A Polish IBAN has 28 characters: PL, two check digits, an 8-digit bank branch number and a 16-digit account number.";
		c = cr_iban_country(cc);
		if (c != NULL)
			return psprintf("An IBAN of country %s has %d characters: %s, two check digits and the national account number.",
							cc, c->length, cc);
	}
	return "An IBAN starts with a two-letter country code and two check digits, e.g. LT12 1000 0111 0100 1000.";
}

/*
 * vat_hint describes a valid VAT code for the prefix the input starts with,
 * or else for the country argument.
 */
static const char *
vat_hint(const char *input, const char *country)
{
	char		cc[3];

	if (!leading_country(input, cc) && !(country && leading_country(country, cc)))
		cc[0] = '\0';
	if (strcmp(cc, "LT") == 0)
		return "A Lithuanian VAT code is LT followed by 9 or 12 digits, e.g. LT119511515.";
	if (strcmp(cc, "LV") == 0)
		return "A Latvian VAT number is LV followed by 11 digits, e.g. LV40003521600.";
	if (strcmp(cc, "EE") == 0)
		return "An Estonian VAT number (KMKR) is EE followed by 9 digits, e.g. EE100594102.";
	if (strcmp(cc, "PL") == 0)
		return "A Polish VAT number (NIP) is PL followed by 10 digits, e.g. PL8567346215.";
	return "A VAT code starts with its two-letter country prefix (EL for Greece, XI for Northern Ireland), e.g. LT119511515; write ND for a client without a VAT code.";
}

/*
 * company_code_hint describes a valid company code of the country.
 */
static const char *
company_code_hint(const char *country)
{
	if (country_is(country, "LT"))
		return "A Lithuanian company code (juridinio asmens kodas) has 9 digits, e.g. 110003978.";
	if (country_is(country, "EE"))
		return "An Estonian register code (registrikood) has 8 digits and starts with 1, 7, 8 or 9, e.g. 10000024.";
	if (country_is(country, "LV"))
		return "A Latvian legal-entity registration number has 11 digits and starts with 4 to 9, e.g. 40003521600.";
	if (country_is(country, "PL"))
		return "A Polish company code is the 10-digit NIP (e.g. 1234563218) or the 9- or 14-digit REGON.";
	return "A company code has 1 to 20 characters: letters, digits, \"/\" and \"-\".";
}

/*
 * personal_code_hint describes a valid personal code of the country.
 */
static const char *
personal_code_hint(const char *country, const char *why)
{
	if (strstr(why, "birth date") != NULL)
		return "Digits 2 to 7 are the birth date YYMMDD; a genuine code with an impossible date can be accepted with check_date => false.";
	if (country_is(country, "LT"))
		return "A Lithuanian personal code (asmens kodas) has 11 digits, G YYMMDD NNN C, where G (1-6, or 9) gives sex and century, e.g. 33309240064.";
	if (country_is(country, "EE"))
		return "An Estonian personal code (isikukood) has 11 digits, G YYMMDD NNN C, where G (1-8) gives sex and century, e.g. 36805280109.";
	return "A personal code has 1 to 20 characters: letters, digits, \"/\" and \"-\".";
}

/* ---------------------------------------------------------------------
 * Boolean checks
 * ---------------------------------------------------------------------
 */

/*
 * vat_valid_for says whether in is a valid VAT code of the given EU prefix,
 * written with or without that prefix.
 */
static bool
vat_valid_for(const char *in, const char *prefix)
{
	const char *why;
	char	   *v = cr_normalize_vat_code(in, prefix, &why);

	return v != NULL && strncmp(v, prefix, 2) == 0;
}

PG_FUNCTION_INFO_V1(cr_iban_valid);

/*
 * cr_iban_valid implements iban_valid(text).
 */
Datum
cr_iban_valid(PG_FUNCTION_ARGS)
{
	const char *why;

	PG_RETURN_BOOL(cr_normalize_iban(arg_cstring(fcinfo, 0), &why) != NULL);
}

PG_FUNCTION_INFO_V1(cr_bic_valid);

/*
 * cr_bic_valid implements bic_valid(text).
 */
Datum
cr_bic_valid(PG_FUNCTION_ARGS)
{
	const char *why;

	PG_RETURN_BOOL(cr_normalize_bic(arg_cstring(fcinfo, 0), &why) != NULL);
}

PG_FUNCTION_INFO_V1(cr_lt_company_code_valid);

/*
 * cr_lt_company_code_valid implements lt_company_code_valid(text).
 */
Datum
cr_lt_company_code_valid(PG_FUNCTION_ARGS)
{
	const char *why;

	PG_RETURN_BOOL(cr_normalize_company_code(arg_cstring(fcinfo, 0), "LT", &why) != NULL);
}

PG_FUNCTION_INFO_V1(cr_lt_personal_code_valid);

/*
 * cr_lt_personal_code_valid implements lt_personal_code_valid(text, boolean).
 */
Datum
cr_lt_personal_code_valid(PG_FUNCTION_ARGS)
{
	const char *why;

	PG_RETURN_BOOL(cr_normalize_personal_code(arg_cstring(fcinfo, 0), "LT",
											  PG_GETARG_BOOL(1), &why) != NULL);
}

PG_FUNCTION_INFO_V1(cr_lt_vat_code_valid);

/*
 * cr_lt_vat_code_valid implements lt_vat_code_valid(text): LT prefix
 * optional.
 */
Datum
cr_lt_vat_code_valid(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(vat_valid_for(arg_cstring(fcinfo, 0), "LT"));
}

PG_FUNCTION_INFO_V1(cr_lv_pvn_valid);

/*
 * cr_lv_pvn_valid implements lv_pvn_valid(text): LV prefix optional.
 */
Datum
cr_lv_pvn_valid(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(vat_valid_for(arg_cstring(fcinfo, 0), "LV"));
}

PG_FUNCTION_INFO_V1(cr_ee_kmkr_valid);

/*
 * cr_ee_kmkr_valid implements ee_kmkr_valid(text): EE prefix optional.
 */
Datum
cr_ee_kmkr_valid(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(vat_valid_for(arg_cstring(fcinfo, 0), "EE"));
}

PG_FUNCTION_INFO_V1(cr_ee_registrikood_valid);

/*
 * cr_ee_registrikood_valid implements ee_registrikood_valid(text).
 */
Datum
cr_ee_registrikood_valid(PG_FUNCTION_ARGS)
{
	const char *why;

	PG_RETURN_BOOL(cr_normalize_company_code(arg_cstring(fcinfo, 0), "EE", &why) != NULL);
}

PG_FUNCTION_INFO_V1(cr_ee_personal_code_valid);

/*
 * cr_ee_personal_code_valid implements ee_personal_code_valid(text).
 */
Datum
cr_ee_personal_code_valid(PG_FUNCTION_ARGS)
{
	const char *why;

	PG_RETURN_BOOL(cr_normalize_personal_code(arg_cstring(fcinfo, 0), "EE",
											  true, &why) != NULL);
}

PG_FUNCTION_INFO_V1(cr_pl_nip_valid);

/*
 * cr_pl_nip_valid implements pl_nip_valid(text): PL prefix optional.
 */
Datum
cr_pl_nip_valid(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(vat_valid_for(arg_cstring(fcinfo, 0), "PL"));
}

PG_FUNCTION_INFO_V1(cr_eu_vat_code_valid);

/*
 * cr_eu_vat_code_valid implements eu_vat_code_valid(text): the value must
 * carry an EU prefix (incl. EL, XI, EU); ND is not a VAT code here.
 */
Datum
cr_eu_vat_code_valid(PG_FUNCTION_ARGS)
{
	const char *why;
	char	   *v = cr_normalize_vat_code(arg_cstring(fcinfo, 0), NULL, &why);

	PG_RETURN_BOOL(v != NULL && strcmp(v, "ND") != 0);
}

PG_FUNCTION_INFO_V1(cr_vat_code_valid);

/*
 * cr_vat_code_valid implements vat_code_valid(text, country text DEFAULT
 * NULL), ND included.  Not strict, so that the default NULL country works:
 * a NULL value gives NULL.
 */
Datum
cr_vat_code_valid(PG_FUNCTION_ARGS)
{
	const char *why;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_BOOL(cr_normalize_vat_code(arg_cstring(fcinfo, 0),
										 arg_cstring(fcinfo, 1), &why) != NULL);
}

PG_FUNCTION_INFO_V1(cr_company_code_valid);

/*
 * cr_company_code_valid implements company_code_valid(text, text).
 */
Datum
cr_company_code_valid(PG_FUNCTION_ARGS)
{
	const char *why;

	PG_RETURN_BOOL(cr_normalize_company_code(arg_cstring(fcinfo, 0),
											 arg_cstring(fcinfo, 1), &why) != NULL);
}

PG_FUNCTION_INFO_V1(cr_email_valid);

/*
 * cr_email_valid implements email_valid(text).
 */
Datum
cr_email_valid(PG_FUNCTION_ARGS)
{
	const char *why;

	PG_RETURN_BOOL(cr_normalize_email(arg_cstring(fcinfo, 0), &why) != NULL);
}

PG_FUNCTION_INFO_V1(cr_country_code_valid);

/*
 * cr_country_code_valid implements country_code_valid(text).
 */
Datum
cr_country_code_valid(PG_FUNCTION_ARGS)
{
	const char *why;

	PG_RETURN_BOOL(cr_normalize_country(arg_cstring(fcinfo, 0), &why) != NULL);
}

/* ---------------------------------------------------------------------
 * Normalisers (raise on bad input)
 * ---------------------------------------------------------------------
 */

/*
 * iban_or_raise returns the compact IBAN or raises.
 */
static char *
iban_or_raise(const char *in)
{
	const char *why;
	char	   *v = cr_normalize_iban(in, &why);

	if (v == NULL)
		report_invalid("IBAN", in, why, iban_hint(in));
	return v;
}

PG_FUNCTION_INFO_V1(cr_normalize_iban_sql);

/*
 * cr_normalize_iban_sql implements normalize_iban(text).
 */
Datum
cr_normalize_iban_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(iban_or_raise(arg_cstring(fcinfo, 0))));
}

PG_FUNCTION_INFO_V1(cr_format_iban_sql);

/*
 * cr_format_iban_sql implements format_iban(text): normalise, then group
 * by four.
 */
Datum
cr_format_iban_sql(PG_FUNCTION_ARGS)
{
	char	   *v = iban_or_raise(arg_cstring(fcinfo, 0));

	PG_RETURN_TEXT_P(cstring_to_text(cr_format_iban(v)));
}

PG_FUNCTION_INFO_V1(cr_iban_bank_code);

/*
 * cr_iban_bank_code implements iban_bank_code(text): the national bank
 * code inside a valid IBAN for the layouts we know (LT: 5 digits, LV: 4
 * letters, EE: 2 digits, PL: 8-digit bank branch number), else NULL.
 */
Datum
cr_iban_bank_code(PG_FUNCTION_ARGS)
{
	char	   *v = iban_or_raise(arg_cstring(fcinfo, 0));
	int			len;

	if (strncmp(v, "LT", 2) == 0)
		len = 5;
	else if (strncmp(v, "LV", 2) == 0)
		len = 4;
	else if (strncmp(v, "EE", 2) == 0)
		len = 2;
	else if (strncmp(v, "PL", 2) == 0)
		len = 8;
	else
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(v + 4, len));
}

PG_FUNCTION_INFO_V1(cr_normalize_bic_sql);

/*
 * cr_normalize_bic_sql implements normalize_bic(text).
 */
Datum
cr_normalize_bic_sql(PG_FUNCTION_ARGS)
{
	const char *in = arg_cstring(fcinfo, 0);
	const char *why;
	char	   *v = cr_normalize_bic(in, &why);

	if (v == NULL)
		report_invalid("BIC", in, why,
					   "A BIC has 8 or 11 characters: a 4-letter bank code, a 2-letter country code, a 2-character location code and an optional 3-character branch code, e.g. HABALT22.");
	PG_RETURN_TEXT_P(cstring_to_text(v));
}

PG_FUNCTION_INFO_V1(cr_normalize_vat_code_sql);

/*
 * cr_normalize_vat_code_sql implements normalize_vat_code(text, country
 * text DEFAULT NULL).  Not strict (see cr_vat_code_valid).
 */
Datum
cr_normalize_vat_code_sql(PG_FUNCTION_ARGS)
{
	const char *in;
	const char *country;
	const char *why;
	char	   *v;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	in = arg_cstring(fcinfo, 0);
	country = arg_cstring(fcinfo, 1);
	v = cr_normalize_vat_code(in, country, &why);
	if (v == NULL)
		report_invalid("VAT code", in, why, vat_hint(in, country));
	PG_RETURN_TEXT_P(cstring_to_text(v));
}

PG_FUNCTION_INFO_V1(cr_normalize_company_code_sql);

/*
 * cr_normalize_company_code_sql implements normalize_company_code(text,
 * text).
 */
Datum
cr_normalize_company_code_sql(PG_FUNCTION_ARGS)
{
	const char *in = arg_cstring(fcinfo, 0);
	const char *country = arg_cstring(fcinfo, 1);
	const char *why;
	char	   *v = cr_normalize_company_code(in, country, &why);

	if (v == NULL)
		report_invalid("company code", in, why, company_code_hint(country));
	PG_RETURN_TEXT_P(cstring_to_text(v));
}

PG_FUNCTION_INFO_V1(cr_normalize_personal_code_sql);

/*
 * cr_normalize_personal_code_sql implements normalize_personal_code(text,
 * text, boolean).
 */
Datum
cr_normalize_personal_code_sql(PG_FUNCTION_ARGS)
{
	const char *in = arg_cstring(fcinfo, 0);
	const char *country = arg_cstring(fcinfo, 1);
	const char *why;
	char	   *v = cr_normalize_personal_code(in, country, PG_GETARG_BOOL(2), &why);

	if (v == NULL)
		report_invalid("personal code", in, why, personal_code_hint(country, why));
	PG_RETURN_TEXT_P(cstring_to_text(v));
}

PG_FUNCTION_INFO_V1(cr_normalize_email_sql);

/*
 * cr_normalize_email_sql implements normalize_email(text).
 */
Datum
cr_normalize_email_sql(PG_FUNCTION_ARGS)
{
	const char *in = arg_cstring(fcinfo, 0);
	const char *why;
	char	   *v = cr_normalize_email(in, &why);

	if (v == NULL)
		report_invalid("e-mail address", in, why,
					   "An e-mail address looks like name@example.com.");
	PG_RETURN_TEXT_P(cstring_to_text(v));
}

PG_FUNCTION_INFO_V1(cr_normalize_country_sql);

/*
 * cr_normalize_country_sql implements normalize_country(text).
 */
Datum
cr_normalize_country_sql(PG_FUNCTION_ARGS)
{
	const char *in = arg_cstring(fcinfo, 0);
	const char *why;
	char	   *v = cr_normalize_country(in, &why);

	if (v == NULL)
		report_invalid("country code", in, why,
					   "Use an ISO 3166-1 alpha-2 code such as LT, LV, EE or PL.");
	PG_RETURN_TEXT_P(cstring_to_text(v));
}
