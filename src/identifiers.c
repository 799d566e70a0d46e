/*
 * identifiers.c
 *		Validators and normalisers for IBAN, BIC, VAT codes, company codes,
 *		personal codes, e-mail addresses and country codes (identifiers.h).
 *
 * Everything here is plain C over NUL-terminated strings: no SQL types and
 * no ereport, so the trigger code can call it and build its own messages.
 * Invalid input gives NULL and a reason in *why (see identifiers.h).
 *
 * The formats and check-digit algorithms, with test vectors, are written
 * up in docs/identifiers.md; the code is our own.
 */
#include "postgres.h"

#include "country_codes.h"
#include "identifiers.h"

/* Generic codes (foreign company and personal codes) are at most this long. */
#define CR_GENERIC_CODE_MAX 20

/* A VAT prefix and the national formats accepted after it. */
typedef struct VatFormat
{
	const char *prefix;
	bool		member;			/* prefix of an EU member state */
	const char *patterns[5];	/* NULL-terminated alternatives */
} VatFormat;

/*
 * National VAT number formats, after the prefix has been removed and the
 * value compacted.  Pattern language (see match_pattern): n = digit,
 * a = letter, c = letter or digit, f = letter other than I/O or digit; any
 * other character stands for itself; an element may be followed by {m} or
 * {m,n}.  Only LT, LV, EE and PL also get a checksum (vat_national_valid).
 * The table is sorted by prefix.
 */
static const VatFormat vat_formats[] = {
	{"AT", true, {"Un{8}"}},
	{"BE", true, {"0n{9}", "1n{9}"}},
	{"BG", true, {"n{9,10}"}},
	{"CY", true, {"n{8}a"}},
	{"CZ", true, {"n{8,10}"}},
	{"DE", true, {"n{9}"}},
	{"DK", true, {"n{8}"}},
	{"EE", true, {"n{9}"}},
	{"EL", true, {"n{9}"}},
	{"ES", true, {"an{7}a", "n{8}a", "an{8}"}},
	{"EU", false, {"n{9}"}},	/* OSS non-Union scheme */
	{"FI", true, {"n{8}"}},
	{"FR", true, {"f{2}n{9}"}},
	{"HR", true, {"n{11}"}},
	{"HU", true, {"n{8}"}},
	{"IE", true, {"n{7}a{1,2}", "nan{5}a"}},
	{"IT", true, {"n{11}"}},
	{"LT", true, {"n{9}", "n{12}"}},
	{"LU", true, {"n{8}"}},
	{"LV", true, {"n{11}"}},
	{"MT", true, {"n{8}"}},
	{"NL", true, {"n{9}Bn{2}"}},
	{"PL", true, {"n{10}"}},
	{"PT", true, {"n{9}"}},
	{"RO", true, {"n{2,10}"}},
	{"SE", true, {"n{12}"}},
	{"SI", true, {"n{8}"}},
	{"SK", true, {"n{10}"}},
	{"XI", false, {"n{9}", "n{12}", "GDn{3}", "HAn{3}"}},	/* Northern Ireland */
};

static const char *const msg_checksum = "checksum does not match";

/* ---------------------------------------------------------------------
 * Small character helpers (ASCII only, independent of the locale)
 * ---------------------------------------------------------------------
 */

/*
 * is_space says whether c is ASCII white space.
 */
static inline bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		c == '\v' || c == '\f';
}

/*
 * is_digit says whether c is an ASCII digit.
 */
static inline bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * is_upper says whether c is an ASCII upper-case letter.
 */
static inline bool
is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

/*
 * is_alpha says whether c is an ASCII letter of either case.
 */
static inline bool
is_alpha(char c)
{
	return is_upper(c) || (c >= 'a' && c <= 'z');
}

/*
 * to_upper upper-cases an ASCII letter and leaves anything else alone.
 */
static inline char
to_upper(char c)
{
	return (c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c;
}

/*
 * to_lower lower-cases an ASCII letter and leaves anything else alone.
 */
static inline char
to_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/*
 * all_digits says whether the first len characters of s are all digits.
 */
static bool
all_digits(const char *s, int len)
{
	int			i;

	for (i = 0; i < len; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

/*
 * compact_upper copies in without white space and without the characters
 * listed in drop (may be NULL), upper-casing ASCII letters.
 */
static char *
compact_upper(const char *in, const char *drop)
{
	char	   *out = palloc(strlen(in) + 1);
	char	   *o = out;
	const char *p;

	for (p = in; *p; p++)
	{
		if (is_space(*p) || (drop != NULL && strchr(drop, *p) != NULL))
			continue;
		*o++ = to_upper(*p);
	}
	*o = '\0';
	return out;
}

/*
 * trim_copy copies in without leading and trailing white space.
 */
static char *
trim_copy(const char *in)
{
	const char *start = in;
	const char *end = in + strlen(in);

	while (start < end && is_space(*start))
		start++;
	while (end > start && is_space(end[-1]))
		end--;
	return pnstrdup(start, end - start);
}

/*
 * country_arg normalises a `country` argument into buf (trimmed, upper
 * case).  Returns false when the argument is NULL or is not two letters.
 */
static bool
country_arg(const char *country, char buf[3])
{
	const char *p = country;
	int			n = 0;

	buf[0] = '\0';
	if (country == NULL)
		return false;
	while (is_space(*p))
		p++;
	while (*p && !is_space(*p))
	{
		if (n >= 2 || !is_alpha(*p))
			return false;
		buf[n++] = to_upper(*p++);
	}
	while (is_space(*p))
		p++;
	if (*p != '\0' || n != 2)
		return false;
	buf[2] = '\0';
	return true;
}

/*
 * set_why stores a reason if the caller asked for one.
 */
static inline void
set_why(const char **why, const char *reason)
{
	if (why)
		*why = reason;
}

/*
 * valid_date says whether year-month-day is a real Gregorian date.
 */
static bool
valid_date(int year, int month, int day)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int			last;

	if (month < 1 || month > 12 || day < 1)
		return false;
	last = mdays[month - 1];
	if (month == 2 &&
		((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		last = 29;
	return day <= last;
}

/*
 * two_digits reads the two-digit number at s.
 */
static inline int
two_digits(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* ---------------------------------------------------------------------
 * Check-digit algorithms
 * ---------------------------------------------------------------------
 */

/*
 * lt_mod11_check_digit computes the LT-mod11 check digit of the n digits
 * at body: weights 1..9,1,2,... mod 11; if that gives 10, weights
 * 3..9,1,2,3,... mod 11; if that gives 10 too, the check digit is 0.
 */
static int
lt_mod11_check_digit(const char *body, int n)
{
	int			sum = 0;
	int			i;

	for (i = 0; i < n; i++)
		sum += (body[i] - '0') * ((i % 9) + 1);
	sum %= 11;
	if (sum != 10)
		return sum;

	sum = 0;
	for (i = 0; i < n; i++)
		sum += (body[i] - '0') * (((i + 2) % 9) + 1);
	sum %= 11;
	return sum == 10 ? 0 : sum;
}

/*
 * cr_lt_mod11_valid says whether the len digits at `digits` end in the
 * correct LT-mod11 check digit (Lithuanian company, personal and VAT codes,
 * Estonian isikukood and registrikood).
 */
bool
cr_lt_mod11_valid(const char *digits, int len)
{
	if (digits == NULL || len < 2 || !all_digits(digits, len))
		return false;
	return lt_mod11_check_digit(digits, len - 1) == digits[len - 1] - '0';
}

/*
 * weighted_sum returns sum(digits[i] * weights[i]) over n digits.
 */
static int
weighted_sum(const char *digits, const int *weights, int n)
{
	int			sum = 0;
	int			i;

	for (i = 0; i < n; i++)
		sum += (digits[i] - '0') * weights[i];
	return sum;
}

/*
 * lv_legal_valid checks the 11 digits of a Latvian legal-entity number:
 * the weighted sum over all 11 digits must be 3 mod 11.
 */
static bool
lv_legal_valid(const char *d)
{
	static const int w[11] = {9, 1, 4, 8, 3, 10, 2, 5, 7, 6, 1};

	return weighted_sum(d, w, 11) % 11 == 3;
}

/*
 * lv_personal_why checks the 11 digits of a Latvian personal code (old
 * DDMMYY-CNNNK form with a century digit C of 0/1/2, or the newer form
 * starting with 32 that carries no date); NULL means valid.
 */
static const char *
lv_personal_why(const char *d)
{
	static const int w[10] = {10, 5, 8, 4, 2, 1, 6, 3, 7, 9};

	if (!(d[0] == '3' && d[1] == '2'))
	{
		int			century = d[6] - '0';

		if (century > 2 ||
			!valid_date(1800 + 100 * century + two_digits(d + 4),
						two_digits(d + 2), two_digits(d)))
			return "contains an impossible birth date";
	}
	if ((1 + weighted_sum(d, w, 10)) % 11 % 10 != d[10] - '0')
		return msg_checksum;
	return NULL;
}

/*
 * ee_kmkr_checksum_ok checks the 9 digits of an Estonian KMKR number:
 * weights 3,7,1,... and a sum divisible by 10.
 */
static bool
ee_kmkr_checksum_ok(const char *d)
{
	static const int w[9] = {3, 7, 1, 3, 7, 1, 3, 7, 1};

	return weighted_sum(d, w, 9) % 10 == 0;
}

/*
 * pl_nip_checksum_ok checks the 10 digits of a Polish NIP: weights
 * 6,5,7,2,3,4,5,6,7 mod 11 equal the last digit (a remainder of 10 means no
 * valid NIP has this prefix).
 */
static bool
pl_nip_checksum_ok(const char *d)
{
	static const int w[9] = {6, 5, 7, 2, 3, 4, 5, 6, 7};
	int			r = weighted_sum(d, w, 9) % 11;

	return r != 10 && r == d[9] - '0';
}

/* ---------------------------------------------------------------------
 * IBAN and BIC
 * ---------------------------------------------------------------------
 */

/*
 * iban_mod97 returns the ISO 7064 mod 97-10 remainder of a compact IBAN
 * (first four characters moved to the end, letters A..Z read as 10..35).
 */
static int
iban_mod97(const char *iban, int len)
{
	int			r = 0;
	int			k;

	for (k = 0; k < len; k++)
	{
		char		c = iban[(k + 4) % len];

		if (is_digit(c))
			r = (r * 10 + (c - '0')) % 97;
		else
			r = (r * 100 + (c - 'A' + 10)) % 97;
	}
	return r;
}

/*
 * bban_layout_why checks a BBAN against a layout in SWIFT notation
 * ("4!a13!c").  Returns NULL when it matches, else the reason.
 */
static const char *
bban_layout_why(const char *bban, const char *layout, const char *cc)
{
	const char *l = layout;
	const char *b = bban;

	while (*l)
	{
		int			count = 0;
		char		cls;

		while (is_digit(*l))
			count = count * 10 + (*l++ - '0');
		if (*l == '!')
			l++;
		cls = *l++;
		while (count-- > 0)
		{
			char		c = *b;

			/* cannot happen: the table's layouts add up to its lengths */
			if (c == '\0')
				return psprintf("does not match the account number layout of country %s", cc);
			if (cls == 'n' && !is_digit(c))
				return psprintf("has a letter where the account number of country %s needs a digit", cc);
			if (cls == 'a' && !is_upper(c))
				return psprintf("has a digit where the account number of country %s needs a letter", cc);
			b++;
		}
	}
	if (*b != '\0')
		return psprintf("does not match the account number layout of country %s", cc);
	return NULL;
}

/*
 * es_ccc_digit computes one Spanish CCC check digit over 10 digits
 * (weights 1,2,4,8,5,10,9,7,3,6; 11 - sum mod 11, where 11 -> 0, 10 -> 1).
 */
static int
es_ccc_digit(const char *d)
{
	static const int w[10] = {1, 2, 4, 8, 5, 10, 9, 7, 3, 6};
	int			r = 11 - weighted_sum(d, w, 10) % 11;

	return r == 11 ? 0 : (r == 10 ? 1 : r);
}

/*
 * iban_national_ok runs the national check digits inside the BBAN for the
 * countries where we know them (ES and BE); other countries pass.  The BBAN
 * already matches the country's layout.
 */
static bool
iban_national_ok(const char *cc, const char *bban)
{
	if (strcmp(cc, "ES") == 0)
	{
		/* bank(4) branch(4) check(2) account(10) */
		char		first[10];

		first[0] = first[1] = '0';
		memcpy(first + 2, bban, 8);
		return es_ccc_digit(first) == bban[8] - '0' &&
			es_ccc_digit(bban + 10) == bban[9] - '0';
	}
	if (strcmp(cc, "BE") == 0)
	{
		/* the first 10 digits mod 97 (0 read as 97) equal the last 2 */
		int64		num = 0;
		int			i;
		int			r;

		for (i = 0; i < 10; i++)
			num = num * 10 + (bban[i] - '0');
		r = (int) (num % 97);
		if (r == 0)
			r = 97;
		return r == two_digits(bban + 10);
	}
	return true;
}

/*
 * cr_normalize_iban validates an IBAN and returns its compact upper-case
 * form: spaces, '-' and '.' are removed; then the country must be known,
 * the length must match it, the BBAN must follow its layout, the mod-97
 * checksum must be 1 and, for ES and BE, the national check digits must
 * match.
 */
char *
cr_normalize_iban(const char *in, const char **why)
{
	char	   *s;
	int			n;
	int			i;
	char		cc[3];
	const CrIbanCountry *country;
	const char *reason;

	s = compact_upper(in, "-.");
	n = strlen(s);
	if (n == 0)
	{
		set_why(why, "is empty");
		return NULL;
	}
	for (i = 0; i < n; i++)
	{
		if (!is_digit(s[i]) && !is_upper(s[i]))
		{
			set_why(why, "may contain only letters, digits, spaces, \"-\" and \".\"");
			return NULL;
		}
	}
	if (n < 2 || !is_upper(s[0]) || !is_upper(s[1]))
	{
		set_why(why, "must start with a two-letter country code");
		return NULL;
	}
	if (n < 4 || !is_digit(s[2]) || !is_digit(s[3]))
	{
		set_why(why, "must have two check digits after the country code");
		return NULL;
	}
	memcpy(cc, s, 2);
	cc[2] = '\0';
	country = cr_iban_country(cc);
	if (country == NULL)
	{
		set_why(why, psprintf("has an unknown country code \"%s\"", cc));
		return NULL;
	}
	if (n != country->length)
	{
		set_why(why, psprintf("must have %d characters for country %s, not %d",
							  country->length, cc, n));
		return NULL;
	}
	reason = bban_layout_why(s + 4, country->bban, cc);
	if (reason != NULL)
	{
		set_why(why, reason);
		return NULL;
	}
	i = two_digits(s + 2);
	if (i < 2 || i > 98)
	{
		set_why(why, "must have check digits from 02 to 98");
		return NULL;
	}
	if (iban_mod97(s, n) != 1)
	{
		set_why(why, msg_checksum);
		return NULL;
	}
	if (!iban_national_ok(cc, s + 4))
	{
		set_why(why, "has national check digits that do not match the account number");
		return NULL;
	}
	return s;
}

/*
 * cr_format_iban writes a compact IBAN in groups of four characters
 * separated by single spaces (white space in the input is skipped).
 */
char *
cr_format_iban(const char *compact)
{
	char	   *out = palloc(strlen(compact) * 5 / 4 + 2);
	char	   *o = out;
	const char *p;
	int			k = 0;

	for (p = compact; *p; p++)
	{
		if (is_space(*p))
			continue;
		if (k > 0 && k % 4 == 0)
			*o++ = ' ';
		*o++ = *p;
		k++;
	}
	*o = '\0';
	return out;
}

/*
 * cr_normalize_bic validates a BIC (SWIFT code) and returns it without
 * white space in upper case: 4 letters (bank), 2 letters (country: ISO
 * 3166 or XK), 2 letters/digits (location), optionally 3 letters/digits
 * (branch).
 */
char *
cr_normalize_bic(const char *in, const char **why)
{
	char	   *s;
	int			n;
	int			i;
	char		cc[3];

	s = compact_upper(in, NULL);
	n = strlen(s);
	if (n == 0)
	{
		set_why(why, "is empty");
		return NULL;
	}
	if (n != 8 && n != 11)
	{
		set_why(why, psprintf("must have 8 or 11 characters, not %d", n));
		return NULL;
	}
	for (i = 0; i < 4; i++)
	{
		if (!is_upper(s[i]))
		{
			set_why(why, "must start with a 4-letter bank code");
			return NULL;
		}
	}
	if (!is_upper(s[4]) || !is_upper(s[5]))
	{
		set_why(why, "must have a 2-letter country code in positions 5 and 6");
		return NULL;
	}
	memcpy(cc, s + 4, 2);
	cc[2] = '\0';
	if (!cr_iso_country_known(cc) && strcmp(cc, "XK") != 0)
	{
		set_why(why, psprintf("has an unknown country code \"%s\"", cc));
		return NULL;
	}
	for (i = 6; i < n; i++)
	{
		if (!is_upper(s[i]) && !is_digit(s[i]))
		{
			set_why(why, i < 8
					? "must have a location code of 2 letters or digits in positions 7 and 8"
					: "must have a branch code of 3 letters or digits in positions 9 to 11");
			return NULL;
		}
	}
	return s;
}

/* ---------------------------------------------------------------------
 * VAT codes
 * ---------------------------------------------------------------------
 */

/*
 * class_matches says whether c belongs to pattern element cls (see
 * vat_formats for the pattern language).
 */
static bool
class_matches(char cls, char c)
{
	switch (cls)
	{
		case 'n':
			return is_digit(c);
		case 'a':
			return is_upper(c);
		case 'c':
			return is_upper(c) || is_digit(c);
		case 'f':
			return is_digit(c) || (is_upper(c) && c != 'I' && c != 'O');
		default:
			return c != '\0' && c == cls;
	}
}

/*
 * match_pattern says whether all of s matches pattern p (see vat_formats).
 * Backtracks over {m,n} repetitions.
 */
static bool
match_pattern(const char *p, const char *s)
{
	char		cls;
	int			lo = 1;
	int			hi = 1;
	int			k;

	if (*p == '\0')
		return *s == '\0';
	cls = *p++;
	if (*p == '{')
	{
		p++;
		lo = 0;
		while (is_digit(*p))
			lo = lo * 10 + (*p++ - '0');
		hi = lo;
		if (*p == ',')
		{
			p++;
			hi = 0;
			while (is_digit(*p))
				hi = hi * 10 + (*p++ - '0');
		}
		if (*p == '}')
			p++;
	}
	for (k = 0; k < lo; k++)
		if (!class_matches(cls, s[k]))
			return false;
	for (;;)
	{
		if (match_pattern(p, s + k))
			return true;
		if (k >= hi || !class_matches(cls, s[k]))
			return false;
		k++;
	}
}

/*
 * find_vat_format returns the table row of a VAT prefix, or NULL.
 */
static const VatFormat *
find_vat_format(const char *prefix)
{
	int			i;

	for (i = 0; i < (int) lengthof(vat_formats); i++)
		if (strncmp(vat_formats[i].prefix, prefix, 2) == 0)
			return &vat_formats[i];
	return NULL;
}

/*
 * vat_national_why checks the national part of a VAT number with an EU
 * prefix: the format for every prefix, the checksum for LT, LV, EE and PL.
 * Returns NULL when valid, else the reason.
 */
static const char *
vat_national_why(const VatFormat *f, const char *nat)
{
	int			n = strlen(nat);
	const char *p = f->prefix;
	int			i;

	if (strcmp(p, "LT") == 0 || strcmp(p, "LV") == 0 ||
		strcmp(p, "EE") == 0 || strcmp(p, "PL") == 0)
	{
		if (!all_digits(nat, n))
			return psprintf("must have only digits after the prefix %s", p);
	}

	if (strcmp(p, "LT") == 0)
	{
		/* 9 digits (legal entities) or 12 (others); digit before check is 1 */
		if (n != 9 && n != 12)
			return psprintf("must have 9 or 12 digits after the prefix LT, not %d", n);
		if (nat[n - 2] != '1')
			return "must have the digit 1 just before the check digit";
		if (!cr_lt_mod11_valid(nat, n))
			return msg_checksum;
		return NULL;
	}
	if (strcmp(p, "LV") == 0)
	{
		/* legal entity if the first digit is above 3, else a personal code */
		if (n != 11)
			return psprintf("must have 11 digits after the prefix LV, not %d", n);
		if (nat[0] > '3')
			return lv_legal_valid(nat) ? NULL : msg_checksum;
		return lv_personal_why(nat);
	}
	if (strcmp(p, "EE") == 0)
	{
		if (n != 9)
			return psprintf("must have 9 digits after the prefix EE, not %d", n);
		return ee_kmkr_checksum_ok(nat) ? NULL : msg_checksum;
	}
	if (strcmp(p, "PL") == 0)
	{
		if (n != 10)
			return psprintf("must have 10 digits after the prefix PL, not %d", n);
		return pl_nip_checksum_ok(nat) ? NULL : msg_checksum;
	}

	for (i = 0; f->patterns[i] != NULL; i++)
		if (match_pattern(f->patterns[i], nat))
			return NULL;
	return psprintf("does not match the national format for the prefix %s", p);
}

/*
 * vat_with_prefix validates prefix + national part against the EU table
 * and returns the combined value, or NULL with *why set.
 */
static char *
vat_with_prefix(const VatFormat *f, const char *nat, const char **why)
{
	const char *reason = vat_national_why(f, nat);

	if (reason != NULL)
	{
		if (strncmp(nat, f->prefix, 2) == 0)
			reason = "has the country prefix twice";
		set_why(why, reason);
		return NULL;
	}
	return psprintf("%s%s", f->prefix, nat);
}

/*
 * cr_normalize_vat_code validates a VAT code and returns it compact, upper
 * case and with its country prefix; "ND" (no VAT code) passes unchanged.
 * See identifiers.h for the rules.
 */
char *
cr_normalize_vat_code(const char *in, const char *country, const char **why)
{
	char	   *s;
	int			n;
	int			i;
	char		cc[3];
	bool		have_country;
	const VatFormat *f;

	s = compact_upper(in, "-.");
	n = strlen(s);
	if (n == 0)
	{
		set_why(why, "is empty");
		return NULL;
	}
	for (i = 0; i < n; i++)
	{
		if (!is_digit(s[i]) && !is_upper(s[i]))
		{
			set_why(why, "may contain only letters, digits, spaces, \"-\" and \".\"");
			return NULL;
		}
	}
	if (strcmp(s, "ND") == 0)
		return s;

	have_country = country_arg(country, cc);
	if (country != NULL && !have_country)
	{
		set_why(why, "was given with a country that is not a two-letter code");
		return NULL;
	}
	if (have_country && strcmp(cc, "GR") == 0)
		strcpy(cc, "EL");

	if (n >= 2 && is_upper(s[0]) && is_upper(s[1]))
	{
		char		prefix[3] = {s[0], s[1], '\0'};
		const char *nat = s + 2;

		if (strcmp(prefix, "GR") == 0)
		{
			set_why(why, "must use the prefix EL for Greece, not GR");
			return NULL;
		}
		f = find_vat_format(prefix);
		if (f != NULL)
			return vat_with_prefix(f, nat, why);
		if (have_country && strcmp(prefix, cc) == 0)
		{
			/* a non-EU country: accept a loose format */
			int			m = strlen(nat);

			if (m < 2 || m > 15)
			{
				set_why(why, psprintf("must have 2 to 15 letters or digits after the prefix %s, not %d",
									  prefix, m));
				return NULL;
			}
			return s;
		}
		if (!cr_iso_country_known(prefix))
			set_why(why, psprintf("has an unknown country prefix \"%s\"", prefix));
		else if (have_country)
			set_why(why, psprintf("has the prefix %s, which is neither an EU VAT prefix nor the country %s",
								  prefix, cc));
		else
			set_why(why, psprintf("has the prefix %s, which is not an EU VAT prefix", prefix));
		return NULL;
	}

	/* no prefix: take it from the country if that is an EU member state */
	if (!have_country)
	{
		set_why(why, "has no country prefix (such as LT) and no country was given");
		return NULL;
	}
	f = find_vat_format(cc);
	if (f == NULL || !f->member)
	{
		set_why(why, psprintf("has no country prefix, and %s is not an EU member state", cc));
		return NULL;
	}
	return vat_with_prefix(f, s, why);
}

/* ---------------------------------------------------------------------
 * Company and personal codes
 * ---------------------------------------------------------------------
 */

/*
 * generic_code returns the compact code of a country without specific
 * rules: 1..20 characters of [A-Z0-9/-].  s is already compact.
 */
static char *
generic_code(char *s, const char **why)
{
	int			n = strlen(s);
	int			i;

	if (n > CR_GENERIC_CODE_MAX)
	{
		set_why(why, psprintf("must have at most %d characters, not %d",
							  CR_GENERIC_CODE_MAX, n));
		return NULL;
	}
	for (i = 0; i < n; i++)
	{
		if (!is_upper(s[i]) && !is_digit(s[i]) && s[i] != '/' && s[i] != '-')
		{
			set_why(why, "may contain only letters, digits, \"/\" and \"-\"");
			return NULL;
		}
	}
	return s;
}

/*
 * digits_code_why checks that s has only digits and (when len > 0) exactly
 * len of them; cc names the country in the message.
 */
static const char *
digits_code_why(const char *s, int len, const char *cc)
{
	int			n = strlen(s);

	if (!all_digits(s, n))
		return "may contain only digits";
	if (len > 0 && n != len)
		return psprintf("must have %d digits for country %s, not %d", len, cc, n);
	return NULL;
}

/*
 * cr_normalize_company_code validates a company (legal entity) code of the
 * given registration country and returns it compact and upper case.
 */
char *
cr_normalize_company_code(const char *in, const char *country, const char **why)
{
	char	   *s;
	int			n;
	char		cc[3] = "";
	const char *reason = NULL;

	if (country != NULL && !country_arg(country, cc))
	{
		set_why(why, "was given with a country that is not a two-letter code");
		return NULL;
	}

	/* Polish NIPs are usually written with dashes: drop them too */
	s = compact_upper(in, (country != NULL && strcmp(cc, "PL") == 0) ? "-" : NULL);
	n = strlen(s);
	if (n == 0)
	{
		set_why(why, "is empty");
		return NULL;
	}
	if (country == NULL)
		return generic_code(s, why);

	if (strcmp(cc, "LT") == 0)
	{
		/* juridinio asmens kodas: 9 digits, LT-mod11 */
		reason = digits_code_why(s, 9, cc);
		if (reason == NULL && !cr_lt_mod11_valid(s, n))
			reason = msg_checksum;
	}
	else if (strcmp(cc, "EE") == 0)
	{
		/* registrikood: 8 digits, first 1/7/8/9, LT-mod11 */
		reason = digits_code_why(s, 8, cc);
		if (reason == NULL && strchr("1789", s[0]) == NULL)
			reason = "must start with 1, 7, 8 or 9";
		if (reason == NULL && !cr_lt_mod11_valid(s, n))
			reason = msg_checksum;
	}
	else if (strcmp(cc, "LV") == 0)
	{
		/* legal-entity registration number: 11 digits, first above 3 */
		reason = digits_code_why(s, 11, cc);
		if (reason == NULL && s[0] <= '3')
			reason = "must start with a digit from 4 to 9";
		if (reason == NULL && !lv_legal_valid(s))
			reason = msg_checksum;
	}
	else if (strcmp(cc, "PL") == 0)
	{
		/*
		 * NIP (10 digits, checksum) or REGON (9 or 14 digits).  The REGON
		 * has check digits too, but we only check its format for now.
		 */
		reason = digits_code_why(s, 0, cc);
		if (reason == NULL && n != 10 && n != 9 && n != 14)
			reason = psprintf("must have 10 digits (NIP) or 9 or 14 digits (REGON) for country PL, not %d", n);
		if (reason == NULL && n == 10 && !pl_nip_checksum_ok(s))
			reason = msg_checksum;
	}
	else
		return generic_code(s, why);

	if (reason != NULL)
	{
		set_why(why, reason);
		return NULL;
	}
	return s;
}

/*
 * cr_normalize_personal_code validates a personal identification code of
 * the given country and returns it compact and upper case.  LT (asmens
 * kodas) and EE (isikukood): G YYMMDD NNN C with an LT-mod11 check digit,
 * where G gives sex and century.
 */
char *
cr_normalize_personal_code(const char *in, const char *country,
						   bool check_date, const char **why)
{
	char	   *s;
	int			n;
	char		cc[3];
	bool		lt;
	const char *reason;

	if (country != NULL && !country_arg(country, cc))
	{
		set_why(why, "was given with a country that is not a two-letter code");
		return NULL;
	}
	s = compact_upper(in, NULL);
	n = strlen(s);
	if (n == 0)
	{
		set_why(why, "is empty");
		return NULL;
	}
	if (country == NULL || (strcmp(cc, "LT") != 0 && strcmp(cc, "EE") != 0))
		return generic_code(s, why);

	lt = (strcmp(cc, "LT") == 0);
	reason = digits_code_why(s, 11, cc);
	if (reason == NULL)
	{
		if (lt && !((s[0] >= '1' && s[0] <= '6') || s[0] == '9'))
			reason = "must start with a digit from 1 to 6, or 9";
		else if (!lt && !(s[0] >= '1' && s[0] <= '8'))
			reason = "must start with a digit from 1 to 8";
		else if (!cr_lt_mod11_valid(s, n))
			reason = msg_checksum;
		else if (check_date && s[0] != '9')
		{
			int			year = 1800 + 100 * ((s[0] - '1') / 2) + two_digits(s + 1);

			if (!valid_date(year, two_digits(s + 3), two_digits(s + 5)))
				reason = "contains an impossible birth date";
		}
	}
	if (reason != NULL)
	{
		set_why(why, reason);
		return NULL;
	}
	return s;
}

/* ---------------------------------------------------------------------
 * E-mail address and country code
 * ---------------------------------------------------------------------
 */

/*
 * email_domain_why checks the domain part of an e-mail address (lower case
 * already): dot-separated labels of letters, digits and '-', not starting
 * or ending with '-', at most 63 characters each, the last one (the TLD)
 * of at least two letters.
 */
static const char *
email_domain_why(const char *d)
{
	const char *label = d;
	const char *p;
	bool		tld_alpha = true;
	int			len;

	if (*d == '\0')
		return "has no domain after the \"@\"";
	if (strchr(d, '.') == NULL)
		return "must have a dot in the domain";
	for (;;)
	{
		const char *end = label;

		while (*end && *end != '.')
			end++;
		len = end - label;
		if (len == 0)
			return "has an empty label in the domain (two dots in a row, or a dot at the start or end)";
		if (len > 63)
			return "has a domain label longer than 63 characters";
		if (label[0] == '-' || end[-1] == '-')
			return "has a domain label that starts or ends with \"-\"";
		tld_alpha = true;
		for (p = label; p < end; p++)
		{
			if (!is_digit(*p) && !is_alpha(*p) && *p != '-')
				return "may contain only letters, digits, \"-\" and dots in the domain";
			if (!is_alpha(*p))
				tld_alpha = false;
		}
		if (*end == '\0')
		{
			/* an internationalised TLD in punycode: xn--... */
			if (len > 4 && (label[0] == 'x' || label[0] == 'X') &&
				(label[1] == 'n' || label[1] == 'N') && label[2] == '-' && label[3] == '-')
				tld_alpha = true;
			break;
		}
		label = end + 1;
	}
	if (!tld_alpha || len < 2)
		return "must end in a top-level domain of at least two letters";
	return NULL;
}

/*
 * cr_normalize_email validates an e-mail address and returns it trimmed,
 * with the domain lower-cased (the local part is kept as written).
 */
char *
cr_normalize_email(const char *in, const char **why)
{
	char	   *s;
	char	   *at;
	char	   *p;
	int			n;
	int			local_len;
	const char *reason;

	s = trim_copy(in);
	n = strlen(s);
	if (n == 0)
	{
		set_why(why, "is empty");
		return NULL;
	}
	if (n > 254)
	{
		set_why(why, psprintf("must have at most 254 characters, not %d", n));
		return NULL;
	}
	at = strchr(s, '@');
	if (at == NULL)
	{
		set_why(why, "has no \"@\"");
		return NULL;
	}
	if (strchr(at + 1, '@') != NULL)
	{
		set_why(why, "has more than one \"@\"");
		return NULL;
	}
	local_len = at - s;
	if (local_len == 0)
	{
		set_why(why, "has nothing before the \"@\"");
		return NULL;
	}
	if (local_len > 64)
	{
		set_why(why, psprintf("must have at most 64 characters before the \"@\", not %d",
							  local_len));
		return NULL;
	}
	for (p = s; p < at; p++)
	{
		unsigned char c = (unsigned char) *p;

		if (c <= 0x20 || c == 0x7F)
		{
			set_why(why, "has a space or a control character before the \"@\"");
			return NULL;
		}
	}
	for (p = at + 1; *p; p++)
		*p = to_lower(*p);
	reason = email_domain_why(at + 1);
	if (reason != NULL)
	{
		set_why(why, reason);
		return NULL;
	}
	return s;
}

/*
 * cr_normalize_country validates an ISO 3166-1 alpha-2 country code and
 * returns it trimmed and upper case.
 */
char *
cr_normalize_country(const char *in, const char **why)
{
	char	   *s;
	char	   *p;

	s = trim_copy(in);
	if (*s == '\0')
	{
		set_why(why, "is empty");
		return NULL;
	}
	for (p = s; *p; p++)
		*p = to_upper(*p);
	if (strlen(s) != 2 || !is_upper(s[0]) || !is_upper(s[1]))
	{
		set_why(why, "must be two letters");
		return NULL;
	}
	if (!cr_iso_country_known(s))
	{
		set_why(why, "is not an officially assigned ISO 3166-1 alpha-2 code");
		return NULL;
	}
	return s;
}
