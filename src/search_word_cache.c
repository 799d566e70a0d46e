/*
 * search_word_cache.c
 *		The session's copy of the tenant's search words, for the typos the
 *		deletion keys cannot reach: search_typo_words(words).
 *
 * A query word of 9+ letters may have two typos (search_words.c).  The
 * deletion keys of the dictionary find one typo, and two when one of them
 * is a deletion; two substitutions or two insertions are out of their
 * reach.  Those are found here by comparing the query word with every word
 * of the tenant's dictionary, kept in the backend's memory: a word is
 * compared only when its length is within two and its letter mask (one bit
 * per letter, 64 bits) differs in at most four bits -- an edit changes at
 * most two bits, so nothing within two typos is skipped --, then by the
 * real distance (optimal string alignment, the rule of search_words.c).
 *
 * The copy is loaded on first use and loaded again when the dictionary
 * changed: the check is the highest row id of the tenant's dictionary (one
 * index probe of its primary key).  A word removed since leaves the copy
 * only with the next new word; it then matches no card, so no card is
 * found through it.  A word added by a transaction that committed after
 * another one had added a word with a higher id, with no word added since,
 * is missing from the copy until the next new word (the card is still
 * found by its exact words, prefixes and one typo).  The copy belongs to
 * one tenant and one role (row-level security decides what was read); it
 * is read with the caller's rights.
 *
 * On Citus the copy lives in the coordinator's backend of the session that
 * searches (search_clients() runs there): both statements name the tenant,
 * so Citus sends each to the worker holding the tenant's shard.  The
 * workers' connection backends are not the place for it -- Citus shares
 * and replaces them between transactions.  Ids there come from each
 * node's own identity range (the words a trigger adds on a worker from
 * that worker's, the ones rebuild_search_words() adds from the
 * coordinator's, lower than any worker's): a tenant whose shards moved to
 * a worker of a lower range adds words below the highest id already there,
 * which the copy then misses until rebuild_search_words() (docs/citus.md).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "port/pg_bitutils.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "client_registry.h"
#include "search_words.h"
#include "spi_support.h"

/* One word of the copy: its characters are chars[start .. start+n-1]. */
typedef struct CachedWord
{
	uint64		mask;
	int32		start;
	int16		n;
	int32		bytes;			/* of its text in text[] */
	int32		text;			/* offset of its text (server encoding) */
} CachedWord;

/* The copy: one tenant's words as one role read them. */
typedef struct WordCache
{
	bool		valid;
	int32		tenant;
	Oid			role;
	int64		version;		/* the highest row id when loaded */
	MemoryContext cxt;
	CachedWord *words;
	int			nwords;
	pg_wchar   *chars;
	char	   *text;
} WordCache;

static WordCache cache = {0};

static SPIPlanPtr version_plan = NULL;
static SPIPlanPtr words_plan = NULL;

/* The letter mask of a word: bit (character mod 64) for each character. */
static inline uint64
LetterMask(const pg_wchar *c, int n)
{
	uint64		m = 0;

	for (int i = 0; i < n; i++)
		m |= UINT64CONST(1) << (c[i] & 63);
	return m;
}

/* The highest row id of the tenant's dictionary (0 when empty). */
static int64
DictionaryVersion(int32 tenant)
{
	Datum		v[1] = {Int32GetDatum(tenant)};
	bool		isnull;
	Datum		d;

	if (version_plan == NULL)
	{
		Oid			t[1] = {INT4OID};

		version_plan = CrKeepPlan("SELECT pg_catalog.max(s.id) FROM client_registry.search_word s"
								  " WHERE s.tenant_id OPERATOR(pg_catalog.=) $1", 1, t);
	}
	if (SPI_execute_plan(version_plan, v, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "reading the search dictionary's version failed");
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return isnull ? 0 : DatumGetInt64(d);
}

/* Loads the tenant's words into the copy (SPI connected). */
static void
LoadWords(int32 tenant, int64 version)
{
	Datum		v[1] = {Int32GetDatum(tenant)};
	MemoryContext old;
	int64		nchars = 0;
	int64		nbytes = 0;
	uint64		n;

	if (words_plan == NULL)
	{
		Oid			t[1] = {INT4OID};

		words_plan = CrKeepPlan("SELECT s.word FROM client_registry.search_word s"
								" WHERE s.tenant_id OPERATOR(pg_catalog.=) $1"
								"   AND s.key OPERATOR(pg_catalog.=) s.word", 1, t);
	}
	cache.valid = false;
	if (cache.cxt == NULL)
		cache.cxt = AllocSetContextCreate(TopMemoryContext, "search word cache", ALLOCSET_DEFAULT_SIZES);
	else
		MemoryContextReset(cache.cxt);
	cache.words = NULL;
	cache.nwords = 0;

	if (SPI_execute_plan(words_plan, v, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading the search dictionary failed");
	n = SPI_processed;
	for (uint64 i = 0; i < n; i++)
	{
		bool		isnull;
		text	   *w = DatumGetTextPP(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
		int			len = VARSIZE_ANY_EXHDR(w);

		nbytes += len + 1;
		nchars += Min(len, MAX_WORD_CHARS);
	}
	old = MemoryContextSwitchTo(cache.cxt);
	cache.words = palloc_extended(sizeof(CachedWord) * Max(n, 1), MCXT_ALLOC_HUGE);
	cache.chars = palloc_extended(sizeof(pg_wchar) * Max(nchars, 1), MCXT_ALLOC_HUGE);
	cache.text = palloc_extended(Max(nbytes, 1), MCXT_ALLOC_HUGE);
	MemoryContextSwitchTo(old);
	nchars = 0;
	nbytes = 0;
	for (uint64 i = 0; i < n; i++)
	{
		bool		isnull;
		text	   *t = DatumGetTextPP(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
		int			len = VARSIZE_ANY_EXHDR(t);
		char	   *w = cache.text + nbytes;
		CachedWord *cw = &cache.words[cache.nwords++];
		Chars		c;

		/* the text first (NUL-terminated in the copy), then its characters */
		memcpy(w, VARDATA_ANY(t), len);
		w[len] = '\0';
		CrToChars(w, &c);
		memcpy(cache.chars + nchars, c.c, sizeof(pg_wchar) * c.n);
		cw->start = nchars;
		cw->n = c.n;
		cw->mask = LetterMask(c.c, c.n);
		cw->text = nbytes;
		cw->bytes = len;
		nchars += c.n;
		nbytes += len + 1;
	}
	SPI_freetuptable(SPI_tuptable);
	cache.tenant = tenant;
	cache.role = GetUserId();
	cache.version = version;
	cache.valid = true;
}

PG_FUNCTION_INFO_V1(cr_search_typo_words);

/*
 * search_typo_words(words text[]) RETURNS text[], STABLE STRICT: the words
 * of the current tenant's dictionary within two typos of the query words
 * that may have two (9+ letters, no digits), from the session's copy.
 */
Datum
cr_search_typo_words(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	int32		tenant = CrCurrentTenant();
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	Datum	   *out = NULL;
	int			nout = 0;
	int			cap = 0;
	int64		version;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);

	SPI_connect();
	version = DictionaryVersion(tenant);
	if (!cache.valid || cache.tenant != tenant || cache.role != GetUserId() || cache.version != version)
		LoadWords(tenant, version);
	SPI_finish();

	for (int q = 0; q < n; q++)
	{
		Chars		w;
		uint64		mask;

		if (nulls[q])
			continue;
		CrToChars(text_to_cstring(DatumGetTextPP(elems[q])), &w);
		if (CrAllowedTypos(&w) < 2)
			continue;
		mask = LetterMask(w.c, w.n);
		for (int i = 0; i < cache.nwords; i++)
		{
			const CachedWord *cw = &cache.words[i];

			if ((i & 4095) == 0)
				CHECK_FOR_INTERRUPTS();
			if (abs(cw->n - w.n) > 2 || pg_popcount64(cw->mask ^ mask) > 4)
				continue;
			if (CrTypoDistanceOf(w.c, w.n, cache.chars + cw->start, cw->n, 2) > 2)
				continue;
			if (nout == cap)
			{
				cap = cap == 0 ? 16 : cap * 2;
				out = out == NULL ? palloc(sizeof(Datum) * cap) : repalloc(out, sizeof(Datum) * cap);
			}
			out[nout++] = PointerGetDatum(cstring_to_text_with_len(cache.text + cw->text, cw->bytes));
		}
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(out, nout, TEXTOID, -1, false, TYPALIGN_INT));
}
