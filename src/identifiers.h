/*
 * identifiers.h
 *		Validators and normalisers for the identifiers a client record holds:
 *		IBAN, BIC, VAT code, company code, personal code, e-mail address and
 *		country code.
 *
 * Conventions shared by every cr_normalize_* function:
 *
 * - Inputs are NUL-terminated C strings; `country` arguments may be NULL
 *   and are compared case-insensitively after trimming.
 * - On success the normalised value is returned, palloc'd in the current
 *   memory context.
 * - On invalid input NULL is returned and *why is set to an English
 *   sentence fragment that completes "The <kind of value> ...", e.g.
 *   "checksum does not match" or "must have 20 characters for country LT,
 *   not 19".  *why is either a string constant or a string palloc'd in the
 *   current memory context; never free it.  why itself may be NULL when the
 *   caller does not want the reason.
 * - These functions never ereport (except for out-of-memory in palloc).
 */
#ifndef IDENTIFIERS_H
#define IDENTIFIERS_H

#include "postgres.h"

/* compact upper-case form, e.g. LT121000011101001000 */
extern char *cr_normalize_iban(const char *in, const char **why);

/* groups of 4 with spaces, e.g. LT12 1000 0111 0100 1000 */
extern char *cr_format_iban(const char *compact);

/* 8 or 11 chars, upper, 4 letters + 2 letter country + 2 alnum [+3 alnum] */
extern char *cr_normalize_bic(const char *in, const char **why);

/*
 * Strips spaces, '-', '.'; upper-case.  "ND" (any case) is returned as "ND"
 * (client reported without a VAT code).  A value without a 2-letter prefix
 * gets `country` prepended when that is an EU VAT country (GR -> EL).  EU
 * prefixes (incl. EL, XI and EU) are checked by format, and by checksum for
 * LT, LV, EE and PL; a non-EU prefix is accepted with the loose format
 * [A-Z0-9]{2,15} only when it equals `country`.  Doubled prefixes are
 * invalid.
 */
extern char *cr_normalize_vat_code(const char *in, const char *country,
								   const char **why);

/*
 * Strips spaces; upper-case.  LT: 9 digits + LT-mod11; EE: registrikood;
 * LV: 11-digit legal-entity number; PL ('-' also stripped): 10-digit NIP
 * with checksum or 9/14-digit REGON (format only); any other (or NULL)
 * country: 1..20 characters of [A-Z0-9/-].
 */
extern char *cr_normalize_company_code(const char *in, const char *country,
									   const char **why);

/*
 * LT and EE: 11 digits, LT-mod11, first digit 1-6 (EE 1-8) and a real date
 * unless the first digit is 9 (LT) or !check_date; any other (or NULL)
 * country: 1..20 characters of [A-Z0-9/-].
 */
extern char *cr_normalize_personal_code(const char *in, const char *country,
										bool check_date, const char **why);

/* trimmed address with the domain lower-cased */
extern char *cr_normalize_email(const char *in, const char **why);

/* trimmed, upper-cased ISO 3166-1 alpha-2 code */
extern char *cr_normalize_country(const char *in, const char **why);

/* Do the len digits at `digits` end in a correct LT-mod11 check digit? */
extern bool cr_lt_mod11_valid(const char *digits, int len);

#endif							/* IDENTIFIERS_H */
