/*
 * country_codes.c
 *		Country tables: the ISO 3166-1 alpha-2 codes and the IBAN layout
 *		(length and BBAN structure) of each IBAN country.
 *
 * Both tables were written by hand for this extension.  The ISO list is the
 * full list of 249 officially assigned alpha-2 codes.  The IBAN table covers
 * the EU and EEA, the common non-EU IBAN countries of Europe and its
 * neighbours, and a number of other IBAN countries; it follows the layouts
 * published in the SWIFT IBAN registry.  A country missing here makes its
 * IBANs invalid ("unknown country code"), so add rows as clients need them.
 */
#include "postgres.h"

#include <stdlib.h>

#include "country_codes.h"

/*
 * Officially assigned ISO 3166-1 alpha-2 codes, sorted (bsearch below).
 * User-assigned codes such as XK (Kosovo) and the VAT prefixes EL and XI are
 * deliberately absent.
 */
static const char *const iso_countries[] = {
	"AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT",
	"AU", "AW", "AX", "AZ",
	"BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN",
	"BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY", "BZ",
	"CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO",
	"CR", "CU", "CV", "CW", "CX", "CY", "CZ",
	"DE", "DJ", "DK", "DM", "DO", "DZ",
	"EC", "EE", "EG", "EH", "ER", "ES", "ET",
	"FI", "FJ", "FK", "FM", "FO", "FR",
	"GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP",
	"GQ", "GR", "GS", "GT", "GU", "GW", "GY",
	"HK", "HM", "HN", "HR", "HT", "HU",
	"ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT",
	"JE", "JM", "JO", "JP",
	"KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ",
	"LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY",
	"MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO",
	"MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ",
	"NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ",
	"OM",
	"PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT",
	"PW", "PY",
	"QA",
	"RE", "RO", "RS", "RU", "RW",
	"SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM",
	"SN", "SO", "SR", "SS", "ST", "SV", "SX", "SY", "SZ",
	"TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR",
	"TT", "TV", "TW", "TZ",
	"UA", "UG", "UM", "US", "UY", "UZ",
	"VA", "VC", "VE", "VG", "VI", "VN", "VU",
	"WF", "WS",
	"YE", "YT",
	"ZA", "ZM", "ZW",
};

/*
 * IBAN countries, sorted by code (bsearch below).  The BBAN layout uses the
 * registry's notation: "n!X" is n characters of class X, where n = digits,
 * a = upper-case letters, c = upper-case letters or digits.  The lengths in
 * the BBAN layout always add up to length - 4.
 */
static const CrIbanCountry iban_countries[] = {
	{"AD", 24, "4!n4!n12!c"},
	{"AE", 23, "3!n16!n"},
	{"AL", 28, "8!n16!c"},
	{"AT", 20, "5!n11!n"},
	{"AZ", 28, "4!a20!c"},
	{"BA", 20, "3!n3!n8!n2!n"},
	{"BE", 16, "3!n7!n2!n"},
	{"BG", 22, "4!a4!n2!n8!c"},
	{"BH", 22, "4!a14!c"},
	{"BR", 29, "8!n5!n10!n1!a1!c"},
	{"BY", 28, "4!c4!n16!c"},
	{"CH", 21, "5!n12!c"},
	{"CR", 22, "4!n14!n"},
	{"CY", 28, "3!n5!n16!c"},
	{"CZ", 24, "4!n6!n10!n"},
	{"DE", 22, "8!n10!n"},
	{"DK", 18, "4!n9!n1!n"},
	{"DO", 28, "4!c20!n"},
	{"EE", 20, "2!n2!n11!n1!n"},
	{"EG", 29, "4!n4!n17!n"},
	{"ES", 24, "4!n4!n1!n1!n10!n"},
	{"FI", 18, "3!n11!n"},
	{"FO", 18, "4!n9!n1!n"},
	{"FR", 27, "5!n5!n11!c2!n"},
	{"GB", 22, "4!a6!n8!n"},
	{"GE", 22, "2!a16!n"},
	{"GI", 23, "4!a15!c"},
	{"GL", 18, "4!n9!n1!n"},
	{"GR", 27, "3!n4!n16!c"},
	{"GT", 28, "4!c20!c"},
	{"HR", 21, "7!n10!n"},
	{"HU", 28, "3!n4!n1!n15!n1!n"},
	{"IE", 22, "4!a6!n8!n"},
	{"IL", 23, "3!n3!n13!n"},
	{"IQ", 23, "4!a3!n12!n"},
	{"IS", 26, "4!n2!n6!n10!n"},
	{"IT", 27, "1!a5!n5!n12!c"},
	{"JO", 30, "4!a4!n18!c"},
	{"KW", 30, "4!a22!c"},
	{"KZ", 20, "3!n13!c"},
	{"LB", 28, "4!n20!c"},
	{"LC", 32, "4!a24!c"},
	{"LI", 21, "5!n12!c"},
	{"LT", 20, "5!n11!n"},
	{"LU", 20, "3!n13!c"},
	{"LV", 21, "4!a13!c"},
	{"MC", 27, "5!n5!n11!c2!n"},
	{"MD", 24, "2!c18!c"},
	{"ME", 22, "3!n13!n2!n"},
	{"MK", 19, "3!n10!c2!n"},
	{"MR", 27, "5!n5!n11!n2!n"},
	{"MT", 31, "4!a5!n18!c"},
	{"MU", 30, "4!a2!n2!n12!n3!n3!a"},
	{"NL", 18, "4!a10!n"},
	{"NO", 15, "4!n6!n1!n"},
	{"PK", 24, "4!a16!c"},
	{"PL", 28, "8!n16!n"},
	{"PS", 29, "4!a21!c"},
	{"PT", 25, "4!n4!n11!n2!n"},
	{"QA", 29, "4!a21!c"},
	{"RO", 24, "4!a16!c"},
	{"RS", 22, "3!n13!n2!n"},
	{"RU", 33, "9!n5!n15!c"},
	{"SA", 24, "2!n18!c"},
	{"SC", 31, "4!a2!n2!n16!n3!a"},
	{"SE", 24, "3!n16!n1!n"},
	{"SI", 19, "5!n8!n2!n"},
	{"SK", 24, "4!n6!n10!n"},
	{"SM", 27, "1!a5!n5!n12!c"},
	{"ST", 25, "4!n4!n11!n2!n"},
	{"SV", 28, "4!a20!n"},
	{"TL", 23, "3!n14!n2!n"},
	{"TN", 24, "2!n3!n13!n2!n"},
	{"TR", 26, "5!n1!n16!c"},
	{"UA", 29, "6!n19!c"},
	{"VA", 22, "3!n15!n"},
	{"VG", 24, "4!a16!n"},
	{"XK", 20, "4!n10!n2!n"},
};

/*
 * compare_code compares two-letter codes for bsearch; both arguments point
 * to something that starts with a NUL-terminated code.
 */
static int
compare_code(const void *key, const void *elem)
{
	return strcmp((const char *) key, (const char *) elem);
}

/*
 * compare_iso_entry compares a code with an entry of iso_countries.
 */
static int
compare_iso_entry(const void *key, const void *elem)
{
	return compare_code(key, *(const char *const *) elem);
}

/*
 * cr_iso_country_known says whether cc is an officially assigned
 * ISO 3166-1 alpha-2 code.  cc must already be upper case.
 */
bool
cr_iso_country_known(const char *cc)
{
	if (cc == NULL || strlen(cc) != 2)
		return false;
	return bsearch(cc, iso_countries, lengthof(iso_countries),
				   sizeof(iso_countries[0]), compare_iso_entry) != NULL;
}

/*
 * cr_iban_country returns the IBAN layout of country cc (upper case), or
 * NULL when the country is not in the table.
 */
const CrIbanCountry *
cr_iban_country(const char *cc)
{
	if (cc == NULL || strlen(cc) != 2)
		return NULL;
	return (const CrIbanCountry *) bsearch(cc, iban_countries,
										   lengthof(iban_countries),
										   sizeof(iban_countries[0]),
										   compare_code);
}
