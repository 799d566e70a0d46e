
-- ---------------------------------------------------------------------------
-- Identifier validators (src/identifiers.c, src/identifiers_sql.c)
--
-- *_valid functions return a boolean and never raise: use them in CHECK
-- constraints.  normalize_* functions return the canonical form and raise
-- invalid_parameter_value (22023) with a reason and a hint on bad input.
-- vat_code_valid and normalize_vat_code are not STRICT, so that their
-- default NULL country works; a NULL value still gives NULL.
-- ---------------------------------------------------------------------------

CREATE FUNCTION iban_valid(text) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_iban_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION iban_valid(text) IS
    'True if the value is a valid IBAN: known country, its length and account layout, mod-97 check digits (spaces, "-" and "." ignored).';

CREATE FUNCTION bic_valid(text) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_bic_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bic_valid(text) IS
    'True if the value is a valid BIC (SWIFT code): 4-letter bank code, country, 2-character location, optional 3-character branch.';

CREATE FUNCTION lt_company_code_valid(text) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_lt_company_code_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION lt_company_code_valid(text) IS
    'True if the value is a valid Lithuanian company code (juridinio asmens kodas): 9 digits with an LT-mod11 check digit.';

CREATE FUNCTION lt_personal_code_valid(text, check_date boolean DEFAULT true) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_lt_personal_code_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION lt_personal_code_valid(text, boolean) IS
    'True if the value is a valid Lithuanian personal code (asmens kodas); the birth date is checked unless check_date is false or the code starts with 9.';

CREATE FUNCTION lt_vat_code_valid(text) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_lt_vat_code_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION lt_vat_code_valid(text) IS
    'True if the value is a valid Lithuanian VAT code (PVM moketojo kodas), with or without the LT prefix: 9 or 12 digits, LT-mod11.';

CREATE FUNCTION lv_pvn_valid(text) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_lv_pvn_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION lv_pvn_valid(text) IS
    'True if the value is a valid Latvian VAT number (PVN), with or without the LV prefix: 11 digits, legal-entity or personal-code checksum.';

CREATE FUNCTION ee_kmkr_valid(text) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_ee_kmkr_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ee_kmkr_valid(text) IS
    'True if the value is a valid Estonian VAT number (KMKR), with or without the EE prefix: 9 digits with a check digit.';

CREATE FUNCTION ee_registrikood_valid(text) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_ee_registrikood_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ee_registrikood_valid(text) IS
    'True if the value is a valid Estonian register code (registrikood): 8 digits starting with 1, 7, 8 or 9, LT-mod11 check digit.';

CREATE FUNCTION ee_personal_code_valid(text) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_ee_personal_code_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ee_personal_code_valid(text) IS
    'True if the value is a valid Estonian personal code (isikukood): 11 digits, real birth date, LT-mod11 check digit.';

CREATE FUNCTION pl_nip_valid(text) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_pl_nip_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pl_nip_valid(text) IS
    'True if the value is a valid Polish NIP, with or without the PL prefix and separators: 10 digits with a check digit.';

CREATE FUNCTION eu_vat_code_valid(text) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_eu_vat_code_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION eu_vat_code_valid(text) IS
    'True if the value is an EU VAT number with its prefix (EL for Greece, XI, EU): format checked, checksum for LT, LV, EE and PL.';

CREATE FUNCTION vat_code_valid(text, country text DEFAULT NULL) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_vat_code_valid' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION vat_code_valid(text, text) IS
    'True if normalize_vat_code(value, country) would accept the value (ND included); NULL for a NULL value.';

CREATE FUNCTION company_code_valid(text, country text) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_company_code_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION company_code_valid(text, text) IS
    'True if the value is a valid company code of the country (LT, LV, EE and PL checked; other countries: 1 to 20 letters, digits, "/" or "-").';

CREATE FUNCTION email_valid(text) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_email_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION email_valid(text) IS
    'True if the value is a plausible e-mail address: one "@", a local part of at most 64 characters, a dotted domain with a letter TLD.';

CREATE FUNCTION country_code_valid(text) RETURNS boolean AS 'MODULE_PATHNAME', 'cr_country_code_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION country_code_valid(text) IS
    'True if the value is an officially assigned ISO 3166-1 alpha-2 country code (case and surrounding spaces ignored).';

CREATE FUNCTION normalize_iban(text) RETURNS text AS 'MODULE_PATHNAME', 'cr_normalize_iban_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION normalize_iban(text) IS
    'The IBAN in compact upper-case form, e.g. LT121000011101001000; raises an error if it is not valid.';

CREATE FUNCTION format_iban(text) RETURNS text AS 'MODULE_PATHNAME', 'cr_format_iban_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION format_iban(text) IS
    'The IBAN in printed form, groups of four, e.g. LT12 1000 0111 0100 1000; raises an error if it is not valid.';

CREATE FUNCTION iban_bank_code(text) RETURNS text AS 'MODULE_PATHNAME', 'cr_iban_bank_code' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION iban_bank_code(text) IS
    'The national bank code inside the IBAN (LT: 5 digits, LV: 4 letters, EE: 2 digits, PL: 8 digits), NULL for other countries; raises an error if the IBAN is not valid.';

CREATE FUNCTION normalize_bic(text) RETURNS text AS 'MODULE_PATHNAME', 'cr_normalize_bic_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION normalize_bic(text) IS
    'The BIC without spaces in upper case; raises an error if it is not valid.';

CREATE FUNCTION normalize_vat_code(text, country text DEFAULT NULL) RETURNS text AS 'MODULE_PATHNAME', 'cr_normalize_vat_code_sql' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION normalize_vat_code(text, text) IS
    'The VAT code compact, upper case, with its country prefix (taken from country for EU members when missing; ND kept); raises an error if it is not valid.';

CREATE FUNCTION normalize_company_code(text, country text) RETURNS text AS 'MODULE_PATHNAME', 'cr_normalize_company_code_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION normalize_company_code(text, text) IS
    'The company code of the country without spaces in upper case; raises an error if it is not valid.';

CREATE FUNCTION normalize_personal_code(text, country text, check_date boolean DEFAULT true) RETURNS text AS 'MODULE_PATHNAME', 'cr_normalize_personal_code_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION normalize_personal_code(text, text, boolean) IS
    'The personal code of the country without spaces in upper case (LT and EE fully checked); raises an error if it is not valid.';

CREATE FUNCTION normalize_email(text) RETURNS text AS 'MODULE_PATHNAME', 'cr_normalize_email_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION normalize_email(text) IS
    'The e-mail address trimmed, with the domain in lower case; raises an error if it is not valid.';

CREATE FUNCTION normalize_country(text) RETURNS text AS 'MODULE_PATHNAME', 'cr_normalize_country_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION normalize_country(text) IS
    'The ISO 3166-1 alpha-2 country code trimmed and in upper case; raises an error if it is not one.';
