/*
 * country_codes.h
 *		Country tables used by the identifier validators: the ISO 3166-1
 *		alpha-2 list and the IBAN layout of each IBAN country.
 *
 * Internal to the extension; the trigger code should use identifiers.h.
 */
#ifndef COUNTRY_CODES_H
#define COUNTRY_CODES_H

/* The IBAN layout of one country. */
typedef struct CrIbanCountry
{
	char		code[3];		/* country code, upper case */
	int			length;			/* total IBAN length, country code included */
	const char *bban;			/* BBAN layout in SWIFT notation, e.g. "5!n11!n" */
} CrIbanCountry;

/* Is cc (exactly two upper-case letters) an officially assigned ISO 3166-1 code? */
extern bool cr_iso_country_known(const char *cc);

/* IBAN layout of country cc (two upper-case letters), or NULL if unknown. */
extern const CrIbanCountry *cr_iban_country(const char *cc);

#endif							/* COUNTRY_CODES_H */
