/*
 * client_search_fold.c
 *		search_fold(text): the IMMUTABLE folding that client search compares
 *		in, so that "Šiaulių Žalgiris", "SIAULIU zalgiris" and "šiauliu
 *		ŽALGIRIS" are the same string.
 *
 * Folding: letters lower-cased; the Latin letters with diacritics of the
 * Baltic and Polish alphabets (and the common Western ones) mapped to their
 * base letter (ą→a, č→c, ę ė→e, į→i, š→s, ų ū→u, ž→z, ā ē ī ģ ķ ļ ņ, ć ł ń ó
 * ś ź ż, ä ö ü õ, ß→ss ...); typographic quotes and dashes become spaces;
 * runs of white space collapse to one space; leading and trailing spaces
 * dropped.  Every other character is kept as it is (lower-cased when it is
 * ASCII).  The mapping is a fixed table in this file, independent of the
 * locale and of unaccent's rules files, which is what makes the function
 * IMMUTABLE and so usable in an expression index.
 */
#include "postgres.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "client_registry.h"

/* One code point and what it folds to (ASCII, one or two characters). */
typedef struct FoldEntry
{
	uint32		cp;
	const char *to;
} FoldEntry;

/* Sorted by code point (binary search). */
static const FoldEntry fold_table[] = {
	{0x00C0, "a"}, {0x00C1, "a"}, {0x00C2, "a"}, {0x00C3, "a"}, {0x00C4, "a"}, {0x00C5, "a"},
	{0x00C6, "ae"}, {0x00C7, "c"}, {0x00C8, "e"}, {0x00C9, "e"}, {0x00CA, "e"}, {0x00CB, "e"},
	{0x00CC, "i"}, {0x00CD, "i"}, {0x00CE, "i"}, {0x00CF, "i"}, {0x00D1, "n"}, {0x00D2, "o"},
	{0x00D3, "o"}, {0x00D4, "o"}, {0x00D5, "o"}, {0x00D6, "o"}, {0x00D8, "o"}, {0x00D9, "u"},
	{0x00DA, "u"}, {0x00DB, "u"}, {0x00DC, "u"}, {0x00DD, "y"}, {0x00DF, "ss"}, {0x00E0, "a"},
	{0x00E1, "a"}, {0x00E2, "a"}, {0x00E3, "a"}, {0x00E4, "a"}, {0x00E5, "a"}, {0x00E6, "ae"},
	{0x00E7, "c"}, {0x00E8, "e"}, {0x00E9, "e"}, {0x00EA, "e"}, {0x00EB, "e"}, {0x00EC, "i"},
	{0x00ED, "i"}, {0x00EE, "i"}, {0x00EF, "i"}, {0x00F1, "n"}, {0x00F2, "o"}, {0x00F3, "o"},
	{0x00F4, "o"}, {0x00F5, "o"}, {0x00F6, "o"}, {0x00F8, "o"}, {0x00F9, "u"}, {0x00FA, "u"},
	{0x00FB, "u"}, {0x00FC, "u"}, {0x00FD, "y"}, {0x00FF, "y"},
	{0x0100, "a"}, {0x0101, "a"}, {0x0102, "a"}, {0x0103, "a"}, {0x0104, "a"}, {0x0105, "a"},
	{0x0106, "c"}, {0x0107, "c"}, {0x010C, "c"}, {0x010D, "c"}, {0x010E, "d"}, {0x010F, "d"},
	{0x0110, "d"}, {0x0111, "d"}, {0x0112, "e"}, {0x0113, "e"}, {0x0116, "e"}, {0x0117, "e"},
	{0x0118, "e"}, {0x0119, "e"}, {0x011A, "e"}, {0x011B, "e"}, {0x011E, "g"}, {0x011F, "g"},
	{0x0122, "g"}, {0x0123, "g"}, {0x012A, "i"}, {0x012B, "i"}, {0x012E, "i"}, {0x012F, "i"},
	{0x0130, "i"}, {0x0131, "i"}, {0x0136, "k"}, {0x0137, "k"}, {0x0139, "l"}, {0x013A, "l"},
	{0x013B, "l"}, {0x013C, "l"}, {0x013D, "l"}, {0x013E, "l"}, {0x0141, "l"}, {0x0142, "l"},
	{0x0143, "n"}, {0x0144, "n"}, {0x0145, "n"}, {0x0146, "n"}, {0x0147, "n"}, {0x0148, "n"},
	{0x014C, "o"}, {0x014D, "o"}, {0x0150, "o"}, {0x0151, "o"}, {0x0152, "oe"}, {0x0153, "oe"},
	{0x0154, "r"}, {0x0155, "r"}, {0x0156, "r"}, {0x0157, "r"}, {0x0158, "r"}, {0x0159, "r"},
	{0x015A, "s"}, {0x015B, "s"}, {0x015E, "s"}, {0x015F, "s"}, {0x0160, "s"}, {0x0161, "s"},
	{0x0162, "t"}, {0x0163, "t"}, {0x0164, "t"}, {0x0165, "t"}, {0x016A, "u"}, {0x016B, "u"},
	{0x016E, "u"}, {0x016F, "u"}, {0x0170, "u"}, {0x0171, "u"}, {0x0172, "u"}, {0x0173, "u"},
	{0x0178, "y"}, {0x0179, "z"}, {0x017A, "z"}, {0x017B, "z"}, {0x017C, "z"}, {0x017D, "z"},
	{0x017E, "z"},
	{0x2010, " "}, {0x2011, " "}, {0x2012, " "}, {0x2013, " "}, {0x2014, " "}, {0x2018, " "},
	{0x2019, " "}, {0x201A, " "}, {0x201C, " "}, {0x201D, " "}, {0x201E, " "}, {0x00AB, " "},
	{0x00BB, " "},
};

/*
 * FoldCodePoint returns the ASCII replacement of a code point, or NULL when
 * the code point is kept as it is.
 */
static const char *
FoldCodePoint(uint32 cp)
{
	int			lo = 0;
	int			hi = lengthof(fold_table) - 1;

	/* the table is sorted except for the two guillemets at its end */
	if (cp == 0x00AB || cp == 0x00BB)
		return " ";
	hi -= 2;
	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;

		if (fold_table[mid].cp == cp)
			return fold_table[mid].to;
		if (fold_table[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

/*
 * What an ASCII byte folds to: upper-case letters to lower case, white
 * space and the straight double quote to a space, everything else kept.
 */
static char ascii_fold[128];
static bool ascii_fold_ready = false;

static void
InitAsciiFold(void)
{
	for (int c = 0; c < 128; c++)
		ascii_fold[c] = (char) c;
	for (int c = 'A'; c <= 'Z'; c++)
		ascii_fold[c] = (char) (c - 'A' + 'a');
	ascii_fold['\t'] = ascii_fold['\n'] = ascii_fold['\r'] = ' ';
	ascii_fold['\f'] = ascii_fold['\v'] = ascii_fold['"'] = ' ';
	ascii_fold_ready = true;
}

/*
 * SearchFold folds a UTF-8 string (see the file comment).  Invalid UTF-8
 * cannot reach it: text values are verified on input.  The folded string is
 * never longer than the input (a character of two bytes or more folds to
 * at most two ASCII letters; a run of white space to one space), so it is
 * written into one buffer of the input's length.
 */
static char *
SearchFold(const char *s, int len)
{
	char	   *out = palloc(len + 1);
	int			o = 0;
	const unsigned char *p = (const unsigned char *) s;
	const unsigned char *end = p + len;
	bool		pending_space = false;

	if (!ascii_fold_ready)
		InitAsciiFold();
	while (p < end)
	{
		const char *to;
		int			tolen;
		int			clen;

		if (*p < 0x80)
		{
			char		c = ascii_fold[*p++];

			if (c == ' ')
				pending_space = true;
			else
			{
				if (pending_space && o > 0)
					out[o++] = ' ';
				pending_space = false;
				out[o++] = c;
			}
			continue;
		}
		clen = pg_utf_mblen(p);
		if (clen > end - p)
			clen = end - p;
		to = FoldCodePoint(utf8_to_unicode(p));
		if (to != NULL)
			tolen = strlen(to);
		else
		{
			to = (const char *) p;
			tolen = clen;
		}
		p += clen;
		for (int i = 0; i < tolen; i++)
		{
			if (to[i] == ' ')
			{
				pending_space = true;
				continue;
			}
			if (pending_space && o > 0)
				out[o++] = ' ';
			pending_space = false;
			out[o++] = to[i];
		}
	}
	Assert(o <= len);
	out[o] = '\0';
	return out;
}

/*
 * CrSearchFold folds len bytes of a string in the server encoding and
 * returns the folded string (palloc'd, server encoding).  Used by
 * search_fold() and by the word splitting of search_words.c.
 */
char *
CrSearchFold(const char *s, int len)
{
	char	   *utf8;
	char	   *folded;

	if (GetDatabaseEncoding() == PG_UTF8 || GetDatabaseEncoding() == PG_SQL_ASCII)
		return SearchFold(s, len);

	/*
	 * Another server encoding (WIN1257, LATIN7...): fold the UTF-8 form and
	 * convert back.  Folding only maps letters to ASCII or keeps them, so the
	 * result is representable in the encoding the input came from.
	 */
	utf8 = pg_server_to_any(s, len, PG_UTF8);
	folded = SearchFold(utf8, strlen(utf8));
	return pg_any_to_server(folded, strlen(folded), PG_UTF8);
}

PG_FUNCTION_INFO_V1(cr_search_fold);

/*
 * search_fold(text) RETURNS text, IMMUTABLE STRICT PARALLEL SAFE.
 */
Datum
cr_search_fold(PG_FUNCTION_ARGS)
{
	text	   *in = PG_GETARG_TEXT_PP(0);

	PG_RETURN_TEXT_P(cstring_to_text(CrSearchFold(VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in))));
}

PG_FUNCTION_INFO_V1(cr_search_text_of);

/*
 * client_search_text(name, short_name, first_name, last_name, company_code,
 * vat_code, email, phone) and contact_search_text(first_name, last_name,
 * email, phone) RETURNS text, IMMUTABLE PARALLEL SAFE: the arguments joined
 * by one space each (NULL as empty) and folded -- the text the trigram
 * indexes client_search_idx and client_contact_search_idx hold.  SQL
 * functions until 0.4.0, with the same result (the indexes stay valid);
 * in C because a fragment search computes the text again for every row the
 * trigram index proposes (joining eight strings in SQL copied the text
 * seven times).
 */
Datum
cr_search_text_of(PG_FUNCTION_ARGS)
{
	int			nargs = PG_NARGS();
	text	   *args[FUNC_MAX_ARGS];
	Size		len = 0;
	char	   *joined;
	char	   *j;

	for (int i = 0; i < nargs; i++)
	{
		args[i] = PG_ARGISNULL(i) ? NULL : PG_GETARG_TEXT_PP(i);
		len += (args[i] ? VARSIZE_ANY_EXHDR(args[i]) : 0) + 1;
	}
	joined = j = palloc(len + 1);
	for (int i = 0; i < nargs; i++)
	{
		if (i > 0)
			*j++ = ' ';
		if (args[i] != NULL)
		{
			memcpy(j, VARDATA_ANY(args[i]), VARSIZE_ANY_EXHDR(args[i]));
			j += VARSIZE_ANY_EXHDR(args[i]);
		}
	}
	*j = '\0';
	PG_RETURN_TEXT_P(cstring_to_text(CrSearchFold(joined, j - joined)));
}
