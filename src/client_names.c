/*
 * client_names.c
 *		The duplicate rules: how two names are compared, and what links two
 *		cards or says they are different parties (R2.2, R2.3).
 *
 * A name is folded as search folds it (case, diacritics), every character
 * that is not a letter or digit (quotes, punctuation) becomes a space, and
 * the legal-form words at its start or end ("UAB", "uždaroji akcinė
 * bendrovė", "Sp. z o.o.", "SIA" ...) are taken off into a canonical
 * legal form.  What is left, glued into one word, is the core:
 * "UAB „Žalias namas“" and "Zaliasnamas, UAB" both give zaliasnamas.  The
 * core spelled by sound (x and cs = ks, y = i, w = v, ph = f, doubled
 * letters single) catches "Sanitex" / "Sanitecs" / "Sanytex"; the words
 * sorted catch swapped words; trigram similarity of the cores catches
 * other typos.
 *
 * Two cards are different parties, whatever else they share, when they
 * carry two different company codes, personal codes or VAT codes, when one
 * is a person and the other a company, and when their legal forms differ
 * (UAB X and MB X) unless a code, VAT code or IBAN links them.  Persons
 * sharing only a name (no code, IBAN, e-mail or phone) are not linked
 * (R2.2).  Otherwise every piece of evidence (the same code, VAT code,
 * IBAN, e-mail, phone, name, sound, similar name, company e-mail domain)
 * is recorded and the link scored: identifying evidence (codes, IBAN) 1.0;
 * an e-mail or phone together with a similar name ~0.9; the same name
 * alone 0.85-0.9; a similar name alone (cores of 8 letters or more) below
 * 0.8 (a weak link).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "client_names.h"
#include "client_registry.h"

#define MAX_WORDS 32
/*
 * A similar name alone links two cards only when both cores have this many
 * letters: "Govaka" and "Gonaka" are as likely two companies as one typo.
 */
#define MIN_TYPO_CORE 8
/* Longer cores get no deletion keys (the queue's limit too). */
#define MAX_DELETION_CORE 40
#define MAX_TRIGRAMS 128		/* longer cores: their first 125 letters */

/* A legal form: up to four words in a row, and its canonical name. */
typedef struct LegalForm
{
	const char *words[4];
	const char *form;
} LegalForm;

/* Longer sequences first: the longest match wins. */
static const LegalForm legal_forms[] = {
	{{"spolka", "z", "ograniczona", "odpowiedzialnoscia"}, "spzoo"},
	{{"sp", "z", "o", "o"}, "spzoo"},
	{{"uzdaroji", "akcine", "bendrove"}, "uab"},
	{{"komanditine", "ukine", "bendrija"}, "kub"},
	{{"tikroji", "ukine", "bendrija"}, "tub"},
	{{"zemes", "ukio", "bendrove"}, "zub"},
	{{"sp", "z", "oo"}, "spzoo"},
	{{"akcine", "bendrove"}, "ab"},
	{{"mazoji", "bendrija"}, "mb"},
	{{"individuali", "imone"}, "ii"},
	{{"viesoji", "istaiga"}, "vsi"},
	{{"kooperatine", "bendrove"}, "kb"},
	{{"sp", "zoo"}, "spzoo"},
	{{"uab"}, "uab"},
	{{"ab"}, "ab"},
	{{"mb"}, "mb"},
	{{"ii"}, "ii"},
	{{"vsi"}, "vsi"},
	{{"kb"}, "kb"},
	{{"kub"}, "kub"},
	{{"tub"}, "tub"},
	{{"zub"}, "zub"},
	{{"spzoo"}, "spzoo"},
	{{"sia"}, "sia"},
	{{"as"}, "as"},
	{{"ou"}, "ou"},
	{{"sa"}, "sa"},
	{{"gmbh"}, "gmbh"},
	{{"ltd"}, "ltd"},
	{{"limited"}, "ltd"},
	{{"oy"}, "oy"},
	{{"llc"}, "llc"},
	{{"inc"}, "inc"},
};

/* Mail services whose domain says nothing about the party. */
static const char *const public_domains[] = {
	"gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com",
	"icloud.com", "proton.me", "protonmail.com", "yandex.ru", "inbox.lt", "takas.lt",
	"zebra.lt", "delfi.lt", "gmail.lt", "splius.lt", "inbox.lv", "apollo.lv", "interia.pl",
	"yahoo.co.uk", "ymail.com", "t-online.de",
};

static const char *const evidence_names[DUP_NEVIDENCE] = {
	"company code", "personal code", "VAT code", "IBAN", "e-mail", "phone",
	"same name", "name sounds the same", "similar name", "e-mail domain",
};

/*
 * CrSplitWords splits s in place at every byte that is not a letter or a
 * digit (bytes of multi-byte characters count as letters); returns the
 * number of words (at most max).
 */
int
CrSplitWords(char *s, char **words, int max)
{
	int			n = 0;
	char	   *p = s;

	while (*p)
	{
		while (*p && !(isalnum((unsigned char) *p) || (unsigned char) *p >= 0x80))
			*p++ = '\0';
		if (!*p)
			break;
		if (n < max)
			words[n++] = p;
		while (*p && (isalnum((unsigned char) *p) || (unsigned char) *p >= 0x80))
			p++;
	}
	return n;
}

/*
 * MatchForm: the legal form whose words are words[from .. from+k-1] (at
 * the start) or end at words[n-1] (at_end); *len is set to k.
 */
static const LegalForm *
MatchForm(char **words, int n, int from, bool at_end, int *len)
{
	for (size_t f = 0; f < lengthof(legal_forms); f++)
	{
		const LegalForm *lf = &legal_forms[f];
		int			k = 0;
		int			start;
		bool		ok = true;

		while (k < 4 && lf->words[k] != NULL)
			k++;
		if (k >= n)
			continue;			/* a name is never only its legal form */
		start = at_end ? n - k : from;
		for (int i = 0; i < k && ok; i++)
			ok = strcmp(words[start + i], lf->words[i]) == 0;
		if (ok)
		{
			*len = k;
			return lf;
		}
	}
	return NULL;
}

/* Whether a folded word is (the first word of) a legal form. */
bool
CrIsLegalFormWord(const char *word)
{
	for (size_t f = 0; f < lengthof(legal_forms); f++)
		if (strcmp(legal_forms[f].words[0], word) == 0)
			return true;
	return false;
}

static int
CompareCStrings(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The core spelled by sound. */
static char *
Phonetic(const char *core)
{
	char	   *out = palloc(strlen(core) * 2 + 1);
	char	   *o = out;

	for (const char *p = core; *p; p++)
	{
		char		c = *p;

		if (c == 'x')
		{
			*o++ = 'k';
			c = 's';
		}
		else if (c == 'c' && p[1] == 's')
		{
			*o++ = 'k';
			c = 's';
			p++;
		}
		else if (c == 'c' && p[1] == 'k')
		{
			c = 'k';
			p++;
		}
		else if (c == 'p' && p[1] == 'h')
		{
			c = 'f';
			p++;
		}
		else if (c == 'y')
			c = 'i';
		else if (c == 'w')
			c = 'v';
		else if (c == 'q')
			c = 'k';
		if (o > out && o[-1] == c)
			continue;			/* doubled letters single */
		*o++ = c;
	}
	*o = '\0';
	return out;
}

/*
 * CrNameParts: the legal form (canonical, NULL when none), the core
 * (folded, without the form, glued), the core by sound, and the words of
 * the core sorted and glued.  Any output may be NULL (not wanted).
 */
static void NameParts(const char *name, char **form, char **core, char **sound, char **sorted);

void
CrNameParts(const char *name, char **form, char **core, char **sound, char **sorted)
{
	static MemoryContext scratch = NULL;
	MemoryContext caller = CurrentMemoryContext;
	char	   *c = NULL;
	char	   *p = NULL;
	char	   *s = NULL;

	/* the folding's temporary strings go to a context reset every call */
	if (scratch == NULL)
		scratch = AllocSetContextCreate(TopMemoryContext, "client name parts", ALLOCSET_SMALL_SIZES);
	MemoryContextSwitchTo(scratch);
	PG_TRY();
	{
		NameParts(name, form, core ? &c : NULL, sound ? &p : NULL, sorted ? &s : NULL);
	}
	PG_FINALLY();
	{
		MemoryContextSwitchTo(caller);
	}
	PG_END_TRY();
	if (core)
		*core = pstrdup(c);
	if (sound)
		*sound = pstrdup(p);
	if (sorted)
		*sorted = s ? pstrdup(s) : NULL;
	MemoryContextReset(scratch);
}

static void
NameParts(const char *name, char **form, char **core, char **sound, char **sorted)
{
	char	   *folded = CrSearchFold(name, strlen(name));
	char	   *words[MAX_WORDS];
	int			n = CrSplitWords(folded, words, MAX_WORDS);
	int			first = 0;
	int			last = n;
	const LegalForm *lf;
	int			len;
	char	   *glued = palloc(strlen(name) * 2 + 1);	/* folding may lengthen (ß) */
	char	   *g = glued;

	if (form)
		*form = NULL;
	lf = MatchForm(words, n, 0, false, &len);
	if (lf != NULL)
		first = len;
	else if ((lf = MatchForm(words, n, 0, true, &len)) != NULL)
		last = n - len;
	if (lf != NULL && form)
		*form = (char *) lf->form;	/* a constant */

	for (int i = first; i < last; i++)
	{
		strcpy(g, words[i]);
		g += strlen(words[i]);
	}
	*g = '\0';
	if (sound)
		*sound = Phonetic(glued);
	if (sorted)
	{
		char	  **w = words + first;
		char	   *o;

		if (last - first <= 1)
			*sorted = NULL;		/* nothing to swap */
		else
		{
			qsort(w, last - first, sizeof(char *), CompareCStrings);
			*sorted = o = palloc(g - glued + 1);
			for (int i = 0; i < last - first; i++)
			{
				strcpy(o, w[i]);
				o += strlen(w[i]);
			}
		}
	}
	pfree(folded);
	if (core)
		*core = glued;
	else
		pfree(glued);
}

/*
 * CrNameKeys: the keys under which the per-card checks find a name (the
 * name keys of duplicate_clusters' queue): the core, the core by sound,
 * the words sorted and, for a core of MIN_TYPO_CORE letters or more (a
 * similar name alone links only those), the core with each letter left
 * out -- two cores one typo apart share one of them.  Empty for a core
 * shorter than 3 letters ("AB X": too short a name to compare).  *nkeys is
 * set; the keys are distinct.
 */
char	  **
CrNameKeys(const char *name, int *nkeys)
{
	char	   *core;
	char	   *sound;
	char	   *sorted;
	int			len;
	char	  **keys;
	int			n = 0;

	CrNameParts(name, NULL, &core, &sound, &sorted);
	len = strlen(core);
	keys = palloc(sizeof(char *) * (len + 4));
	if (len >= 3)
	{
		keys[n++] = core;
		if (strcmp(sound, core) != 0)
			keys[n++] = sound;
		if (sorted != NULL && strcmp(sorted, core) != 0)
			keys[n++] = sorted;
		if (len >= MIN_TYPO_CORE && len <= MAX_DELETION_CORE)
			for (int i = 0; i < len; i++)
			{
				char	   *k;
				bool		dup = false;

				if (i > 0 && core[i] == core[i - 1])
					continue;	/* the same deletion */
				k = palloc(len);
				memcpy(k, core, i);
				memcpy(k + i, core + i + 1, len - i);
				for (int j = 0; j < n && !dup; j++)
					dup = strcmp(keys[j], k) == 0;
				if (!dup)
					keys[n++] = k;
			}
	}
	*nkeys = n;
	return keys;
}

/*
 * CrPhoneKey: the last 8 digits of a phone number; NULL for fewer than 7.
 */
char *
CrPhoneKey(const char *phone)
{
	char		digits[64];
	int			n = 0;

	for (const char *p = phone; *p; p++)
		if (*p >= '0' && *p <= '9' && n < (int) sizeof(digits) - 1)
			digits[n++] = *p;
	digits[n] = '\0';
	if (n < 7)
		return NULL;
	return pstrdup(n > 8 ? digits + n - 8 : digits);
}

/* A 64-bit hash of a key of a type (the type seeds it). */
uint64
CrKeyHash(const char *s, int type)
{
	return hash_bytes_extended((const unsigned char *) s, strlen(s), (uint64) type * 0x9E3779B97F4A7C15ULL);
}

/*
 * Trigrams: the trigrams of a word as pg_trgm makes them (two spaces
 * before, one after), hashed, sorted and unique; returns how many.
 */
static int
Trigrams(const char *w, uint32 *out, int max)
{
	int			len = Min((int) strlen(w), max - 3);
	char		padded[MAX_TRIGRAMS + 4];
	int			n = 0;
	int			u = 0;

	padded[0] = padded[1] = ' ';
	memcpy(padded + 2, w, len);
	padded[len + 2] = ' ';
	padded[len + 3] = '\0';
	for (int i = 0; i + 3 <= len + 3 && n < max; i++)
		out[n++] = ((uint32) (unsigned char) padded[i] << 16) |
			((uint32) (unsigned char) padded[i + 1] << 8) | (unsigned char) padded[i + 2];
	/* sort (insertion: short words) and make unique */
	for (int i = 1; i < n; i++)
	{
		uint32		v = out[i];
		int			j = i - 1;

		while (j >= 0 && out[j] > v)
		{
			out[j + 1] = out[j];
			j--;
		}
		out[j + 1] = v;
	}
	for (int i = 0; i < n; i++)
		if (u == 0 || out[u - 1] != out[i])
			out[u++] = out[i];
	return u;
}

/* Trigram similarity of two words (shared / all), as pg_trgm's similarity(). */
float4
CrTrigramSimilarity(const char *a, const char *b)
{
	uint32		ta[MAX_TRIGRAMS];
	uint32		tb[MAX_TRIGRAMS];
	int			na;
	int			nb;
	int			shared = 0;
	int			i = 0;
	int			j = 0;

	if (*a == '\0' || *b == '\0')
		return 0;
	na = Trigrams(a, ta, lengthof(ta));
	nb = Trigrams(b, tb, lengthof(tb));
	while (i < na && j < nb)
	{
		if (ta[i] == tb[j])
		{
			shared++;
			i++;
			j++;
		}
		else if (ta[i] < tb[j])
			i++;
		else
			j++;
	}
	return (float4) shared / (float4) (na + nb - shared);
}

/* Whether two words are at most one typo apart (insert, delete, substitute, swap). */
static bool
OneTypo(const char *a, const char *b)
{
	int			la = strlen(a);
	int			lb = strlen(b);
	int			i = 0;

	if (abs(la - lb) > 1)
		return false;
	while (i < la && i < lb && a[i] == b[i])
		i++;
	if (la == lb)
	{
		if (i == la)
			return true;
		if (strcmp(a + i + 1, b + i + 1) == 0)
			return true;		/* substitute */
		return i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
			strcmp(a + i + 2, b + i + 2) == 0;	/* swap */
	}
	if (la > lb)
		return strcmp(a + i + 1, b + i) == 0;
	return strcmp(a + i, b + i + 1) == 0;
}

/* Sets a card's name and the parts the rules compare. */
void
DupCardSetName(DupCard *card, const char *name)
{
	card->name = pstrdup(name);
	CrNameParts(name, &card->form, &card->core, &card->phon, &card->sorted);
}

/* The domain of a company e-mail address; NULL for a public mail service. */
const char *
DupEmailDomain(const char *email)
{
	const char *at;

	if (email == NULL || (at = strrchr(email, '@')) == NULL || at[1] == '\0')
		return NULL;
	for (size_t i = 0; i < lengthof(public_domains); i++)
		if (strcmp(at + 1, public_domains[i]) == 0)
			return NULL;
	return at + 1;
}

static bool
BothEqual(const char *a, const char *b)
{
	return a != NULL && b != NULL && *a != '\0' && strcmp(a, b) == 0;
}

static bool
BothDiffer(const char *a, const char *b)
{
	return a != NULL && b != NULL && *a != '\0' && *b != '\0' && strcmp(a, b) != 0;
}

/*
 * The name similarity of two cards: 1 for the same core or the same words
 * in another order, else the trigram similarity of the cores (at least
 * 0.6 for one typo in a core of five letters or more).
 */
static float4
NameSimilarity(const DupCard *a, const DupCard *b, int *evidence)
{
	float4		sim;

	if (strlen(a->core) < 2 || strlen(b->core) < 2)
		return 0;
	if (strcmp(a->core, b->core) == 0 || BothEqual(a->sorted, b->sorted))
	{
		*evidence |= DUP_SAME_NAME;
		return 1;
	}
	if (strlen(a->phon) >= 4 && strcmp(a->phon, b->phon) == 0)
	{
		*evidence |= DUP_SOUND;
		return 0.9f;
	}
	sim = CrTrigramSimilarity(a->core, b->core);
	if (strlen(a->core) >= 5 && OneTypo(a->core, b->core))
		sim = Max(sim, 0.6f);
	if (sim >= 0.5f)
		*evidence |= DUP_SIMILAR_NAME;
	return sim;
}

/* Whether the names of two cards are close enough to propose them. */
bool
DupSimilarNames(const DupCard *a, const DupCard *b)
{
	int			ev = 0;

	return NameSimilarity(a, b, &ev) >= 0.5f;
}

/*
 * DupPairScore: false when the rules say the two cards are different
 * parties or nothing links them; else the link (score in (0, 1]).
 */
bool
DupPairScore(const DupCard *a, const DupCard *b, DupLink *link)
{
	int			ev = 0;
	float4		sim;
	float4		score = 0;
	int			extra = 0;

	memset(link, 0, sizeof(DupLink));
	if (a->id == b->id && a->id != 0)
		return false;
	/* what says "different" */
	if (a->person != b->person)
		return false;
	if (BothDiffer(a->company_code, b->company_code) ||
		BothDiffer(a->personal_code, b->personal_code) ||
		BothDiffer(a->vat_code, b->vat_code))
		return false;

	/* evidence */
	if (BothEqual(a->company_code, b->company_code))
		ev |= DUP_COMPANY_CODE;
	if (BothEqual(a->personal_code, b->personal_code))
		ev |= DUP_PERSONAL_CODE;
	if (BothEqual(a->vat_code, b->vat_code))
		ev |= DUP_VAT_CODE;
	for (int i = 0; i < a->nibans && !(ev & DUP_IBAN); i++)
		for (int j = 0; j < b->nibans; j++)
			if (a->ibans[i] == b->ibans[j])
			{
				ev |= DUP_IBAN;
				break;
			}
	if (BothEqual(a->email, b->email))
		ev |= DUP_EMAIL;
	if (BothEqual(a->phone, b->phone))
		ev |= DUP_PHONE;
	if (!(ev & DUP_EMAIL) && BothEqual(a->email_domain, b->email_domain))
		ev |= DUP_EMAIL_DOMAIN;
	sim = NameSimilarity(a, b, &ev);

	/* UAB X and MB X are two companies unless a code or an IBAN says otherwise */
	if (BothDiffer(a->form, b->form) && !(ev & DUP_IDENTIFYING))
		return false;

	if (ev & DUP_IDENTIFYING)
		score = (ev & (DUP_COMPANY_CODE | DUP_PERSONAL_CODE | DUP_VAT_CODE)) ? 1.0f : 0.95f;
	else if (ev & (DUP_EMAIL | DUP_PHONE))
	{
		/* shared contacts: an accountant's e-mail, a switchboard */
		if (sim >= 0.5f)
			score = (ev & DUP_EMAIL) ? 0.95f : 0.9f;
		else if (a->person)
			score = 0;			/* persons: a shared phone is a family's */
		else
			score = (ev & DUP_EMAIL) ? 0.7f : 0.55f;
	}
	else if (a->person)
		score = 0;				/* R2.2: persons sharing only a name */
	else if (ev & DUP_SAME_NAME)
		score = BothEqual(a->form, b->form) ? 0.9f : 0.85f;
	else if (ev & DUP_SOUND)
		score = 0.8f;
	else if ((ev & DUP_SIMILAR_NAME) && strlen(a->core) >= MIN_TYPO_CORE && strlen(b->core) >= MIN_TYPO_CORE)
		score = 0.5f + (sim - 0.5f) * 0.5f;

	if (score <= 0)
		return false;
	/* each further piece of evidence adds a little */
	for (int bit = 0; bit < DUP_NEVIDENCE; bit++)
		if (ev & (1 << bit))
			extra++;
	if (ev & DUP_EMAIL_DOMAIN)
		score += 0.1f;
	score += 0.02f * (extra - 1);
	link->score = Min(score, 1.0f);
	link->evidence = ev;
	link->name_similarity = sim;
	return true;
}

/* The name of an evidence bit (0-based). */
const char *
DupEvidenceName(int bit)
{
	return bit >= 0 && bit < DUP_NEVIDENCE ? evidence_names[bit] : "?";
}

PG_FUNCTION_INFO_V1(cr_client_name_parts);

/*
 * client_name_parts(name text, OUT legal_form text, OUT core text, OUT
 * sound text), IMMUTABLE STRICT.
 */
Datum
cr_client_name_parts(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	TupleDesc	desc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	char	   *form;
	char	   *core;
	char	   *sound;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "client_name_parts: return type must be a row type");
	CrNameParts(name, &form, &core, &sound, NULL);
	nulls[0] = form == NULL;
	values[0] = form ? CStringGetTextDatum(form) : (Datum) 0;
	values[1] = CStringGetTextDatum(core);
	values[2] = CStringGetTextDatum(sound);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}

PG_FUNCTION_INFO_V1(cr_phone_key);

/* phone_key(phone text) RETURNS text, IMMUTABLE STRICT. */
Datum
cr_phone_key(PG_FUNCTION_ARGS)
{
	char	   *key = CrPhoneKey(text_to_cstring(PG_GETARG_TEXT_PP(0)));

	if (key == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(key));
}

PG_FUNCTION_INFO_V1(cr_client_name_keys);

/*
 * client_name_keys(name text) RETURNS text[], IMMUTABLE STRICT: the keys
 * of CrNameKeys, indexed by client_name_keys_idx.
 */
Datum
cr_client_name_keys(PG_FUNCTION_ARGS)
{
	int			n;
	char	  **keys = CrNameKeys(text_to_cstring(PG_GETARG_TEXT_PP(0)), &n);
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		d[i] = CStringGetTextDatum(keys[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}
