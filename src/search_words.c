/*
 * search_words.c
 *		Typo-tolerant search (issue #14): the words of a card, the tenant's
 *		dictionary of words (search_word) and the matching rules that
 *		search_clients() applies to them.
 *
 * Words.  A card's name, short name, first and last name are folded
 * (search_fold: case, diacritics, quotes) and split on everything that is
 * not a letter or a digit; search_words() adds each two neighbouring words
 * of one field glued ("Zalias namas" also gives "zaliasnamas"), so that a
 * glued query word finds the card.  A GIN index on search_words() finds the
 * cards that have a word.
 *
 * Matching.  Each word of a query is matched on its own against the card's
 * words: exactly, as a prefix of a card word, or with typos -- one
 * insertion, deletion, substitution or swap of neighbours (optimal string
 * alignment distance) for a word of 5 or more letters, two for 9 or more.
 * Words with digits are matched exactly or as prefixes only.  A card
 * matches when every query word matches one of its words; exact and prefix
 * matches rank above typo matches (search_word_score).
 *
 * Dictionary.  The cards cannot be scanned for typos, so the tenant keeps
 * its distinct words in search_word, each with its deletion keys: the word
 * itself and, for 5+ letters, the word with each letter left out.  Two
 * words one typo apart share a key (a substitution or a swap leaves the
 * same word after one deletion in each; an insertion is the other word's
 * deletion), so the typo candidates of a query word are found by exact key
 * lookups (search_query_keys).  For 9+ letters the query also brings its
 * two-letter deletions; what the keys still miss (two substitutions, two
 * missing letters) is found by comparing the word with the session's copy
 * of the dictionary (search_word_cache.c).  The candidates are then
 * checked with the real distance (search_word_matches) and the cards found
 * through the GIN index of their words.
 *
 * Long numbers are not dictionary words.  A word of 5 or more digits only
 * (a serial, a code or a phone number in a name) is never matched with
 * typos (words with digits are matched exactly or as prefixes), never
 * shares a deletion key with a query word (only words without digits have
 * deletion keys) and never fits a typo pattern, so its only use in the
 * dictionary would be the prefix step -- at the price of a row for almost
 * every card: such numbers are mostly unique, where the other words of
 * names repeat, and the dictionary would grow with the cards instead of with
 * the vocabulary.  Numbers of up to 4 digits (house, branch, shop numbers:
 * "Masinis 1", "Parduotuve 12") stay, so that type-ahead finds "Masinis 10"
 * from "masinis 1"; there are at most 11,110 of them per tenant, so the
 * dictionary stays bounded by the vocabulary.  A long number in a query is
 * matched exactly through the words index (search_words keeps every
 * number), and as the start of a longer number by the substring step of
 * search_clients() (the trigram index).
 *
 * The dictionary is kept by triggers: search_words_after_write adds the
 * words of inserted rows (per statement, from the transition table: each
 * word collected once per statement, one INSERT for all) and of changed
 * names (per row); search_words_forget removes the old words that
 * no card or contact person of the tenant has any more.  Both run as the
 * table owner and stand aside in restore mode (the dictionary is dumped).
 * A word's own row (key = word) is unique per tenant (search_word_word_key)
 * and added with ON CONFLICT DO NOTHING: two sessions adding the same new
 * word at once wait for each other at the index (the second adds nothing
 * once the first has committed), and a session adding a word another
 * session is removing waits for it and adds the word again.  Left: a word
 * removed by a session that cannot see a card added (uncommitted) by
 * another with an existing word is missing until rebuild_search_words();
 * that card is still found by its exact words and prefixes.
 *
 * On Citus the triggers fire on a worker, on the shard of client or
 * client_contact that holds the row; their statements are rewritten for the
 * co-located shards of search_word, client and client_contact (CrKeepPlanAt,
 * shard_map.c), so a tenant's dictionary lies beside its cards.
 */
#include "postgres.h"

#include <ctype.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

#include "client_registry.h"
#include "search_words.h"
#include "shard_map.h"
#include "spi_support.h"
#include "trigger_support.h"

/* At most this many words of one text are taken. */
#define MAX_TEXT_WORDS 64

/* At most this many words of a query are matched. */
#define MAX_QUERY_WORDS 6

/* Kinds of match (MatchWord), best last. */
#define MATCH_NONE		0
#define MATCH_TYPO		1
#define MATCH_PREFIX	2
#define MATCH_EXACT		3

/*
 * Legal-form words (the one-word forms and abbreviations of
 * the Baltic, Polish and common foreign company forms, folded): left out of
 * a query that has other words.
 */
static const char *const legal_form_words[] = {
	"ab", "ag", "aps", "as", "asa", "bv", "corp", "gmbh", "ii", "inc", "kb",
	"kft", "kub", "limited", "llc", "ltd", "mb", "nv", "ou", "oy", "oyj",
	"plc", "sa", "sarl", "sas", "sia", "spa", "spzoo", "sro", "srl", "tub",
	"uab", "vsi", "zub"
};

static bool
IsLegalFormWord(const char *w)
{
	for (int i = 0; i < (int) lengthof(legal_form_words); i++)
		if (strcmp(w, legal_form_words[i]) == 0)
			return true;
	return false;
}

/* A byte that belongs to a word: an ASCII letter or digit, or any non-ASCII byte. */
static inline bool
IsWordByte(unsigned char c)
{
	return c >= 0x80 || isalnum(c);
}

/*
 * SplitWords cuts a folded string in place into its words (runs of word
 * bytes); at most max words.  Returns their number.
 */
static int
SplitWords(char *s, char **words, int max)
{
	int			n = 0;
	char	   *p = s;

	while (*p != '\0' && n < max)
	{
		while (*p != '\0' && !IsWordByte((unsigned char) *p))
			p++;
		if (*p == '\0')
			break;
		words[n++] = p;
		while (*p != '\0' && IsWordByte((unsigned char) *p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
	return n;
}

/* True when the list of C strings holds w. */
static inline bool
ListHasWord(List *words, const char *w)
{
	ListCell   *lc;

	foreach(lc, words)
		if (strcmp((const char *) lfirst(lc), w) == 0)
			return true;
	return false;
}

/*
 * IsLongNumberWord: a word of digits only with more digits than
 * DICTIONARY_NUMBER_DIGITS -- left out of the dictionary (see above).
 */
#define DICTIONARY_NUMBER_DIGITS 4

static bool
IsLongNumberWord(const char *w)
{
	int			n = 0;

	for (; *w != '\0'; w++, n++)
		if (!isdigit((unsigned char) *w))
			return false;
	return n > DICTIONARY_NUMBER_DIGITS;
}

/*
 * AddWordsOf appends to out the words of a text (len bytes) not in it yet:
 * folded, split; with glue (the card's words) also each two neighbouring
 * words glued; without glue (the dictionary's words) numbers of more than
 * DICTIONARY_NUMBER_DIGITS digits are left out.
 */
static List *
AddWordsOf(List *out, const char *text, int len, bool glue)
{
	char	   *folded = CrSearchFold(text, len);
	char	   *words[MAX_TEXT_WORDS];
	int			n = SplitWords(folded, words, MAX_TEXT_WORDS);

	for (int i = 0; i < n; i++)
	{
		if ((glue || !IsLongNumberWord(words[i])) && !ListHasWord(out, words[i]))
			out = lappend(out, words[i]);
		if (glue && i > 0)
		{
			char	   *glued = psprintf("%s%s", words[i - 1], words[i]);

			if (!ListHasWord(out, glued))
				out = lappend(out, glued);
		}
	}
	return out;
}

/* A text[] of a list of C strings ('{}' for none). */
static Datum
TextArrayOf(List *words)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(list_length(words), 1));
	int			n = 0;
	ListCell   *lc;

	foreach(lc, words)
		d[n++] = PointerGetDatum(cstring_to_text((const char *) lfirst(lc)));
	return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/* The words of the (up to four) text arguments of the SQL function. */
static Datum
WordsOfArgs(FunctionCallInfo fcinfo, bool glue)
{
	List	   *words = NIL;

	for (int i = 0; i < PG_NARGS(); i++)
	{
		text	   *t;

		if (PG_ARGISNULL(i))
			continue;
		t = PG_GETARG_TEXT_PP(i);
		words = AddWordsOf(words, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), glue);
	}
	return TextArrayOf(words);
}

PG_FUNCTION_INFO_V1(cr_search_words);

/*
 * search_words(name, short_name, first_name, last_name) RETURNS text[],
 * IMMUTABLE: the words of a card with neighbouring words glued.
 */
Datum
cr_search_words(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(WordsOfArgs(fcinfo, true));
}

PG_FUNCTION_INFO_V1(cr_search_dictionary_words);

/*
 * search_dictionary_words(name, short_name, first_name, last_name) RETURNS
 * text[], IMMUTABLE: the words of a card as the dictionary keeps them.
 */
Datum
cr_search_dictionary_words(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(WordsOfArgs(fcinfo, false));
}

/* ---------------------------------------------------------------------
 * Dictionary triggers
 * ---------------------------------------------------------------------
 */

/*
 * The words of one statement's rows, each (tenant, word) once.  A bulk
 * load brings a million rows in one statement: each row's texts are folded
 * and split in a scratch context reset after the row, and only a word not
 * seen before in the statement is copied into the batch.
 */
typedef struct WordBatch
{
	HTAB	   *seen;			/* "tenant word" keys already collected */
	List	   *tenants;		/* int */
	List	   *words;			/* char * */
	MemoryContext batch_cxt;	/* the seen table and the collected words */
	MemoryContext row_cxt;		/* one row's folded texts, reset per row */
} WordBatch;

#define SEEN_KEY_SIZE 256

/*
 * Adds the words: the row of each word (key = word) under the unique index
 * search_word_word_key, then the deletion keys of the words it did add.
 * Every word of the batch is tried, not only the ones this snapshot does
 * not see: the unique index makes a session wait for another that is
 * adding or removing the same word, and decide once it has committed
 * (added: nothing to do; removed: add it again).
 */
static const char *const add_words_sql =
"WITH added AS ("
"  INSERT INTO client_registry.search_word (tenant_id, word, key)"
"  SELECT u.t, u.w, u.w"
"    FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2)) AS u(t, w)"
"  ON CONFLICT (tenant_id, word) WHERE key OPERATOR(pg_catalog.=) word DO NOTHING"
"  RETURNING tenant_id, word)"
" INSERT INTO client_registry.search_word (tenant_id, word, key)"
" SELECT a.tenant_id, a.word, k.k"
"   FROM added a, pg_catalog.unnest(client_registry.search_word_keys(a.word)) AS k(k)"
"  WHERE k.k OPERATOR(pg_catalog.<>) (a.word::text COLLATE \"default\")";

static SPIPlanPtr add_words_plan = NULL;

/*
 * BatchWord adds one word of a tenant to the batch unless it is there
 * already.  A word too long for the key of the seen table is added
 * without the check (a duplicate row in search_word is harmless).
 */
static void
BatchWord(WordBatch *b, int32 tenant, const char *tenant_prefix, int prefix_len, const char *word)
{
	char		key[SEEN_KEY_SIZE];
	int			len = strlen(word);
	bool		found = false;
	MemoryContext old;

	if (prefix_len + len < SEEN_KEY_SIZE)
	{
		memcpy(key, tenant_prefix, prefix_len);
		memcpy(key + prefix_len, word, len + 1);
		hash_search(b->seen, key, HASH_ENTER, &found);
	}
	if (found)
		return;
	old = MemoryContextSwitchTo(b->batch_cxt);
	b->tenants = lappend_int(b->tenants, tenant);
	b->words = lappend(b->words, pstrdup(word));
	MemoryContextSwitchTo(old);
}

/* Collects the dictionary words of the named columns of one row. */
static void
BatchRow(WordBatch *b, TupleTableSlot *slot, int att_tenant, int *atts, int natts, int maxatt)
{
	int32		tenant;
	char		prefix[16];
	int			prefix_len;
	MemoryContext old;

	slot_getsomeattrs(slot, maxatt);
	if (slot->tts_isnull[att_tenant - 1])
		return;
	tenant = DatumGetInt32(slot->tts_values[att_tenant - 1]);
	/* keys "tenant word": the tenant's digits, a space, the word */
	prefix_len = pg_ltoa(tenant, prefix);
	prefix[prefix_len++] = ' ';
	prefix[prefix_len] = '\0';

	old = MemoryContextSwitchTo(b->row_cxt);
	for (int i = 0; i < natts; i++)
	{
		text	   *t;
		char	   *folded;
		char	   *words[MAX_TEXT_WORDS];
		int			n;

		if (slot->tts_isnull[atts[i] - 1])
			continue;
		t = DatumGetTextPP(slot->tts_values[atts[i] - 1]);
		folded = CrSearchFold(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
		n = SplitWords(folded, words, MAX_TEXT_WORDS);
		for (int j = 0; j < n; j++)
			if (!IsLongNumberWord(words[j]))
				BatchWord(b, tenant, prefix, prefix_len, words[j]);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(b->row_cxt);
}

/* Adds the collected words to search_word (SPI connected), as rel's owner. */
static void
BatchFlush(WordBatch *b, Relation rel)
{
	Datum		values[2];
	Datum	   *tenants;
	int			n = 0;
	ListCell   *lc;
	Oid			types[2] = {INT4ARRAYOID, TEXTARRAYOID};
	SPIPlanPtr	plan;
	CrUserSwitch sw;
	int			ret;

	if (b->words == NIL)
		return;
	tenants = palloc(sizeof(Datum) * list_length(b->tenants));
	foreach(lc, b->tenants)
		tenants[n++] = Int32GetDatum(lfirst_int(lc));
	values[0] = PointerGetDatum(construct_array(tenants, n, INT4OID, sizeof(int32), true, TYPALIGN_INT));
	values[1] = TextArrayOf(b->words);
	plan = CrKeepPlanAt(rel, &add_words_plan, add_words_sql, 2, types);

	/* the dictionary is the registry's own bookkeeping: the owner writes it */
	CrBecomeOwner(rel, &sw);
	ret = SPI_execute_plan(plan, values, NULL, false, 0);
	CrRestoreUser(&sw);
	if (ret != SPI_OK_INSERT)
		elog(ERROR, "adding search words failed: %s", SPI_result_code_string(ret));
}

/* The attribute numbers of the trigger's column arguments. */
static int *
TriggerColumns(Relation rel, Trigger *tg, int *natts)
{
	int		   *atts = palloc(sizeof(int) * Max(tg->tgnargs, 1));

	for (int i = 0; i < tg->tgnargs; i++)
		atts[i] = CrAttnum(rel, tg->tgargs[i]);
	*natts = tg->tgnargs;
	return atts;
}

PG_FUNCTION_INFO_V1(cr_search_words_after_write);

/*
 * search_words_after_write(column, ...): AFTER INSERT FOR EACH STATEMENT
 * REFERENCING NEW TABLE, or AFTER UPDATE FOR EACH ROW: adds the new words
 * of the named text columns to search_word.
 */
Datum
cr_search_words_after_write(PG_FUNCTION_ARGS)
{
	TriggerData *td;
	Relation	rel;
	Trigger    *tg;
	int		   *atts;
	int			natts;
	int			att_tenant;
	WordBatch	b = {0};
	HASHCTL		ctl;
	int			maxatt;
	MemoryContext cxt;
	MemoryContext old;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"search_words_after_write\" was not called by trigger manager")));

	td = (TriggerData *) fcinfo->context;
	if (!TRIGGER_FIRED_AFTER(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"search_words_after_write\" must be fired AFTER")));
	if (CrRestoreInProgress())
		return PointerGetDatum(NULL);	/* restore mode: the dictionary is restored as dumped */

	rel = td->tg_relation;
	tg = td->tg_trigger;
	atts = TriggerColumns(rel, tg, &natts);
	att_tenant = CrAttnum(rel, "tenant_id");

	cxt = AllocSetContextCreate(CurrentMemoryContext, "search words", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	b.batch_cxt = cxt;
	b.row_cxt = AllocSetContextCreate(cxt, "search words of a row", ALLOCSET_DEFAULT_SIZES);
	maxatt = att_tenant;
	for (int i = 0; i < natts; i++)
		maxatt = Max(maxatt, atts[i]);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = SEEN_KEY_SIZE;
	ctl.entrysize = SEEN_KEY_SIZE;
	ctl.hcxt = cxt;
	b.seen = hash_create("search words seen", 256, &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);

	if (TRIGGER_FIRED_FOR_ROW(td->tg_event))
	{
		HeapTuple	tuple = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
		TupleTableSlot *slot = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsHeapTuple);

		ExecStoreHeapTuple(tuple, slot, false);
		BatchRow(&b, slot, att_tenant, atts, natts, maxatt);
		ExecDropSingleTupleTableSlot(slot);
	}
	else
	{
		TupleTableSlot *slot;

		if (td->tg_newtable == NULL)
			elog(ERROR, "search_words_after_write FOR EACH STATEMENT needs REFERENCING NEW TABLE");
		slot = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsMinimalTuple);
		tuplestore_rescan(td->tg_newtable);
		while (tuplestore_gettupleslot(td->tg_newtable, true, false, slot))
		{
			CHECK_FOR_INTERRUPTS();
			BatchRow(&b, slot, att_tenant, atts, natts, maxatt);
		}
		ExecDropSingleTupleTableSlot(slot);
	}

	SPI_connect();
	BatchFlush(&b, rel);
	SPI_finish();
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	return PointerGetDatum(NULL);
}

static const char *const forget_words_sql =
"DELETE FROM client_registry.search_word s"
" WHERE s.tenant_id OPERATOR(pg_catalog.=) $1"
"   AND s.key OPERATOR(pg_catalog.=) ANY (ARRAY("
"         SELECT k.k FROM pg_catalog.unnest($2) AS g(w),"
"                pg_catalog.unnest(client_registry.search_word_keys(g.w)) AS k(k)))"
"   AND s.word OPERATOR(pg_catalog.=) ANY ($2)"
"   AND NOT EXISTS (SELECT 1 FROM client_registry.client c"
"        WHERE c.tenant_id OPERATOR(pg_catalog.=) $1"
"          AND client_registry.search_words(c.name, c.short_name, c.first_name, c.last_name)"
"              OPERATOR(pg_catalog.@>) ARRAY[s.word::text COLLATE \"default\"])"
"   AND NOT EXISTS (SELECT 1 FROM client_registry.client_contact k"
"        WHERE k.tenant_id OPERATOR(pg_catalog.=) $1"
"          AND client_registry.contact_search_text(k.first_name, k.last_name, k.email, k.phone)"
"              OPERATOR(pg_catalog.~~) ('%' OPERATOR(pg_catalog.||) (s.word::text COLLATE \"default\")"
"                                    OPERATOR(pg_catalog.||) '%')"
"          AND client_registry.search_dictionary_words(k.first_name, k.last_name, NULL, NULL)"
"              OPERATOR(pg_catalog.@>) ARRAY[s.word::text COLLATE \"default\"])";

static SPIPlanPtr forget_words_plan = NULL;

/* The dictionary words of the named columns of a heap tuple. */
static List *
RowWords(HeapTuple tuple, TupleDesc desc, int *atts, int natts)
{
	List	   *words = NIL;

	for (int i = 0; i < natts; i++)
	{
		bool		isnull;
		Datum		d = heap_getattr(tuple, atts[i], desc, &isnull);
		text	   *t;

		if (isnull)
			continue;
		t = DatumGetTextPP(d);
		words = AddWordsOf(words, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), false);
	}
	return words;
}

PG_FUNCTION_INFO_V1(cr_search_words_forget);

/*
 * search_words_forget(column, ...): AFTER UPDATE OR DELETE FOR EACH ROW:
 * removes from search_word the old words of the named columns that no card
 * or contact person of the tenant has any more.
 */
Datum
cr_search_words_forget(PG_FUNCTION_ARGS)
{
	TriggerData *td;
	Relation	rel;
	TupleDesc	desc;
	Trigger    *tg;
	int		   *atts;
	int			natts;
	int			att_tenant;
	bool		isnull;
	int32		tenant;
	List	   *old_words;
	List	   *new_words = NIL;
	List	   *gone = NIL;
	ListCell   *lc;
	Datum		values[2];
	Oid			types[2] = {INT4OID, TEXTARRAYOID};
	SPIPlanPtr	plan;
	CrUserSwitch sw;
	int			ret;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"search_words_forget\" was not called by trigger manager")));

	td = (TriggerData *) fcinfo->context;
	if (!TRIGGER_FIRED_AFTER(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
		TRIGGER_FIRED_BY_INSERT(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"search_words_forget\" must be fired AFTER UPDATE OR DELETE FOR EACH ROW")));
	if (CrRestoreInProgress())
		return PointerGetDatum(NULL);

	rel = td->tg_relation;
	desc = RelationGetDescr(rel);
	tg = td->tg_trigger;
	atts = TriggerColumns(rel, tg, &natts);
	att_tenant = CrAttnum(rel, "tenant_id");
	tenant = DatumGetInt32(heap_getattr(td->tg_trigtuple, att_tenant, desc, &isnull));
	if (isnull)
		return PointerGetDatum(NULL);

	old_words = RowWords(td->tg_trigtuple, desc, atts, natts);
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		new_words = RowWords(td->tg_newtuple, desc, atts, natts);
	foreach(lc, old_words)
		if (!ListHasWord(new_words, (const char *) lfirst(lc)))
			gone = lappend(gone, lfirst(lc));
	if (gone == NIL)
		return PointerGetDatum(NULL);

	values[0] = Int32GetDatum(tenant);
	values[1] = TextArrayOf(gone);
	SPI_connect();
	plan = CrKeepPlanAt(rel, &forget_words_plan, forget_words_sql, 2, types);
	CrBecomeOwner(rel, &sw);
	ret = SPI_execute_plan(plan, values, NULL, false, 0);
	CrRestoreUser(&sw);
	if (ret != SPI_OK_DELETE)
		elog(ERROR, "removing search words failed: %s", SPI_result_code_string(ret));
	SPI_finish();
	return PointerGetDatum(NULL);
}

/* ---------------------------------------------------------------------
 * Matching
 * ---------------------------------------------------------------------
 */

/* A word (server encoding) as characters, cut at MAX_WORD_CHARS. */
void
CrToChars(const char *s, Chars *out)
{
	int			len = strlen(s);
	int			i = 0;
	bool		utf8 = GetDatabaseEncoding() == PG_UTF8;

	out->n = 0;
	out->digits = false;
	while (i < len && out->n < MAX_WORD_CHARS)
	{
		int			clen = pg_mblen(s + i);
		pg_wchar	c = 0;

		if (clen > len - i)
			clen = len - i;
		if (utf8)
			c = utf8_to_unicode((const unsigned char *) s + i);
		else
			for (int j = 0; j < clen && j < 4; j++)
				c = (c << 8) | (unsigned char) s[i + j];
		if (clen == 1 && isdigit((unsigned char) s[i]))
			out->digits = true;
		out->c[out->n++] = c;
		i += clen;
	}
}

/* How many typos a query word may have: 1 for 5+ letters, 2 for 9+, none with digits. */
int
CrAllowedTypos(const Chars *w)
{
	if (w->digits || w->n < 5)
		return 0;
	return w->n >= 9 ? 2 : 1;
}

/*
 * TypoDistance: the optimal string alignment distance of two words
 * (insertions, deletions, substitutions, swaps of neighbours), or limit + 1
 * once it is known to exceed limit.
 */
int
CrTypoDistanceOf(const pg_wchar *w, int wn, const pg_wchar *c, int cn, int limit)
{
	int			d[MAX_WORD_CHARS + 1][MAX_WORD_CHARS + 1];

	if (abs(wn - cn) > limit)
		return limit + 1;
	for (int i = 0; i <= wn; i++)
		d[i][0] = i;
	for (int j = 0; j <= cn; j++)
		d[0][j] = j;
	for (int i = 1; i <= wn; i++)
	{
		int			rowmin = INT_MAX;

		for (int j = 1; j <= cn; j++)
		{
			int			cost = w[i - 1] == c[j - 1] ? 0 : 1;
			int			v = Min(d[i - 1][j] + 1, d[i][j - 1] + 1);

			v = Min(v, d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && w[i - 1] == c[j - 2] && w[i - 2] == c[j - 1])
				v = Min(v, d[i - 2][j - 2] + 1);
			d[i][j] = v;
			rowmin = Min(rowmin, v);
		}
		if (cn > 0 && rowmin > limit)
			return limit + 1;
	}
	return Min(d[wn][cn], limit + 1);
}

static inline int
TypoDistance(const Chars *w, const Chars *c, int limit)
{
	return CrTypoDistanceOf(w->c, w->n, c->c, c->n, limit);
}

/*
 * MatchWord: how a query word w matches a card word c (MATCH_*); for a
 * typo match *typos is the number of typos.
 */
static int
MatchWord(const Chars *w, const Chars *c, int *typos)
{
	int			k;
	int			dist;

	if (w->n <= c->n)
	{
		int			i;

		for (i = 0; i < w->n; i++)
			if (w->c[i] != c->c[i])
				break;
		if (i == w->n)
			return w->n == c->n ? MATCH_EXACT : MATCH_PREFIX;
	}
	k = CrAllowedTypos(w);
	if (k == 0)
		return MATCH_NONE;
	dist = TypoDistance(w, c, k);
	if (dist > k)
		return MATCH_NONE;
	*typos = dist;
	return MATCH_TYPO;
}

/* The non-null elements of a text[] as C strings. */
static List *
TextArrayToList(ArrayType *arr)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	List	   *out = NIL;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
		if (!nulls[i])
			out = lappend(out, text_to_cstring(DatumGetTextPP(elems[i])));
	return out;
}

PG_FUNCTION_INFO_V1(cr_search_query_words);

/*
 * search_query_words(query) RETURNS text[], IMMUTABLE STRICT: the words of
 * a query, legal-form words left out when there are others, at most 6.
 */
Datum
cr_search_query_words(PG_FUNCTION_ARGS)
{
	text	   *q = PG_GETARG_TEXT_PP(0);
	char	   *folded = CrSearchFold(VARDATA_ANY(q), VARSIZE_ANY_EXHDR(q));
	char	   *words[MAX_TEXT_WORDS];
	int			n = SplitWords(folded, words, MAX_TEXT_WORDS);
	List	   *out = NIL;
	int			others = 0;

	for (int i = 0; i < n; i++)
		if (!IsLegalFormWord(words[i]))
			others++;
	for (int i = 0; i < n && list_length(out) < MAX_QUERY_WORDS; i++)
	{
		if (others > 0 && IsLegalFormWord(words[i]))
			continue;
		if (strlen(words[i]) == 0 || ListHasWord(out, words[i]))
			continue;
		out = lappend(out, words[i]);
	}
	PG_RETURN_DATUM(TextArrayOf(out));
}

/* Appends characters [from, to) of w to buf in the server encoding. */
static void
AppendChars(StringInfo buf, const Chars *w, int from, int to)
{
	bool		utf8 = GetDatabaseEncoding() == PG_UTF8;

	for (int i = from; i < to; i++)
	{
		unsigned char b[8];
		int			len;

		if (utf8)
		{
			unicode_to_utf8(w->c[i], b);
			len = pg_utf_mblen(b);
		}
		else
		{
			pg_wchar	c = w->c[i];

			len = 0;
			if (c > 0xFFFFFF)
				b[len++] = (c >> 24) & 0xFF;
			if (c > 0xFFFF)
				b[len++] = (c >> 16) & 0xFF;
			if (c > 0xFF)
				b[len++] = (c >> 8) & 0xFF;
			b[len++] = c & 0xFF;
		}
		appendBinaryStringInfo(buf, (const char *) b, len);
	}
}

/* Appends to out (if new) the word w with characters skip1 and skip2 (-1: none) left out. */
static List *
AddKeyWithout(List *out, const Chars *w, int skip1, int skip2)
{
	StringInfoData key;

	initStringInfo(&key);
	for (int i = 0; i < w->n; i++)
		if (i != skip1 && i != skip2)
			AppendChars(&key, w, i, i + 1);
	if (!ListHasWord(out, key.data))
		out = lappend(out, key.data);
	else
		pfree(key.data);
	return out;
}

/*
 * WordKeys appends the deletion keys of a word to out: the word; for 5+
 * letters without digits each one-letter deletion; with deletions = 2 and
 * 9+ letters also each two-letter deletion.
 */
static List *
WordKeys(List *out, const char *word, int deletions)
{
	Chars		w;

	CrToChars(word, &w);
	if (!ListHasWord(out, word))
		out = lappend(out, pstrdup(word));
	if (w.digits || w.n < 5)
		return out;
	for (int i = 0; i < w.n; i++)
		out = AddKeyWithout(out, &w, i, -1);
	if (deletions >= 2 && w.n >= 9)
		for (int i = 0; i < w.n; i++)
			for (int j = i + 1; j < w.n; j++)
				out = AddKeyWithout(out, &w, i, j);
	return out;
}

PG_FUNCTION_INFO_V1(cr_search_word_keys);

/*
 * search_word_keys(word) RETURNS text[], IMMUTABLE STRICT: the keys the
 * dictionary keeps for a word.
 */
Datum
cr_search_word_keys(PG_FUNCTION_ARGS)
{
	char	   *word = text_to_cstring(PG_GETARG_TEXT_PP(0));

	PG_RETURN_DATUM(TextArrayOf(WordKeys(NIL, word, 1)));
}

PG_FUNCTION_INFO_V1(cr_search_query_keys);

/*
 * search_query_keys(words text[]) RETURNS text[], IMMUTABLE STRICT: the
 * keys to look up for the typos of the query words (words of 5+ letters
 * without digits; two-letter deletions for 9+).
 */
Datum
cr_search_query_keys(PG_FUNCTION_ARGS)
{
	List	   *words = TextArrayToList(PG_GETARG_ARRAYTYPE_P(0));
	List	   *out = NIL;
	ListCell   *lc;

	foreach(lc, words)
	{
		Chars		w;

		CrToChars((const char *) lfirst(lc), &w);
		if (CrAllowedTypos(&w) == 0)
			continue;
		out = WordKeys(out, (const char *) lfirst(lc), 2);
	}
	PG_RETURN_DATUM(TextArrayOf(out));
}

PG_FUNCTION_INFO_V1(cr_search_word_matches);

/*
 * search_word_matches(word, candidates text[], typos boolean) RETURNS
 * text[], IMMUTABLE: the candidates the word matches exactly or as a prefix
 * (typos false), or only with typos (typos true).  '{}' for NULLs.
 */
Datum
cr_search_word_matches(PG_FUNCTION_ARGS)
{
	bool		typos = !PG_ARGISNULL(2) && PG_GETARG_BOOL(2);
	List	   *cands;
	List	   *out = NIL;
	Chars		w;
	ListCell   *lc;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_DATUM(TextArrayOf(NIL));
	CrToChars(text_to_cstring(PG_GETARG_TEXT_PP(0)), &w);
	cands = TextArrayToList(PG_GETARG_ARRAYTYPE_P(1));
	foreach(lc, cands)
	{
		Chars		c;
		int			k = 0;
		int			m;

		CrToChars((const char *) lfirst(lc), &c);
		m = MatchWord(&w, &c, &k);
		if (typos ? m == MATCH_TYPO : m >= MATCH_PREFIX)
			out = lappend(out, lfirst(lc));
	}
	PG_RETURN_DATUM(TextArrayOf(out));
}

PG_FUNCTION_INFO_V1(cr_search_word_score);

/*
 * search_word_score(query_words text[], card_words text[]) RETURNS real,
 * IMMUTABLE: 0 unless every query word matches a card word; 0.95 all
 * exactly, 0.9 with prefixes, 0.65 with one typo in all, 0.05 less per
 * further typo, at least 0.5.
 */
Datum
cr_search_word_score(PG_FUNCTION_ARGS)
{
	static const float4 by_typos[] = {0.65f, 0.6f, 0.55f};
	List	   *qwords;
	List	   *cwords;
	Chars	   *cc;
	int			ncards;
	int			typos = 0;
	bool		prefix = false;
	int			i;
	ListCell   *lc;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_FLOAT4(0);
	qwords = TextArrayToList(PG_GETARG_ARRAYTYPE_P(0));
	cwords = TextArrayToList(PG_GETARG_ARRAYTYPE_P(1));
	if (qwords == NIL)
		PG_RETURN_FLOAT4(0);
	ncards = list_length(cwords);
	cc = palloc(sizeof(Chars) * Max(ncards, 1));
	i = 0;
	foreach(lc, cwords)
		CrToChars((const char *) lfirst(lc), &cc[i++]);

	foreach(lc, qwords)
	{
		Chars		w;
		int			best = MATCH_NONE;
		int			best_typos = INT_MAX;

		CrToChars((const char *) lfirst(lc), &w);
		for (int j = 0; j < ncards && best != MATCH_EXACT; j++)
		{
			int			k = 0;
			int			m = MatchWord(&w, &cc[j], &k);

			best = Max(best, m);
			if (m == MATCH_TYPO)
				best_typos = Min(best_typos, k);
		}
		if (best == MATCH_NONE)
			PG_RETURN_FLOAT4(0);
		if (best == MATCH_PREFIX)
			prefix = true;
		else if (best == MATCH_TYPO)
			typos += best_typos;
	}
	if (typos > 0)
		PG_RETURN_FLOAT4(typos > (int) lengthof(by_typos) ? 0.5f : by_typos[typos - 1]);
	PG_RETURN_FLOAT4(prefix ? 0.9f : 0.95f);
}
