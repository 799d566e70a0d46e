/*
 * duplicate_clusters.c
 *		Finding the same client: duplicate_clusters(min_score), the DBA's
 *		queue of groups of clients that are probably one party, and the
 *		per-card checks client_duplicates(client_id) and card_duplicates(name,
 *		codes, ...) for a card being typed.  The rules (what links two cards,
 *		what says they differ) are client_names.c's.
 *
 * The queue reads the tenant's cards once (the rows taken as the executor
 * makes them, each card's name taken apart as the rules compare it, the
 * strings packed end to end) and gives every card its keys: codes, VAT
 * code, IBANs, e-mail, phone key, name core, core by sound, sorted words,
 * and the core with each letter left out (two cores one typo apart share
 * one of these: symmetric deletion; hashed from prefix and suffix sums).
 * The keys are hashed twice: a first pass marks them in a bitmap, the
 * second keeps only those seen twice -- nearly all are unique -- and sorts
 * them; cards sharing a key are candidate pairs (a key shared by too many cards --
 * a common first name, an accountant's phone -- proposes nothing by
 * itself).  Each pair is scored once; the links are joined into groups,
 * strongest first, with a union-find that refuses to join two groups the
 * rules say differ (two company codes, two legal forms, a "not duplicates"
 * mark) and lets a weak link join only small groups: that is what keeps a
 * common name from making one group of hundreds.
 *
 * The per-card checks find their candidates through indexes -- codes, VAT
 * code, phone key, e-mail, IBAN, and the name keys (client_name_keys_idx:
 * the core, the core by sound, the sorted words, one-letter deletions of a
 * long core: the queue's name keys) -- with plans kept for the session and
 * never parallel, and score each one: a few milliseconds.
 *
 * Everything is read with the caller's rights: row-level security shows
 * only the current tenant's cards.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "nodes/params.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "client_names.h"
#include "client_registry.h"
#include "spi_support.h"
#include "sqlstates.h"

/* Key types (seeds of CrKeyHash). */
enum
{
	K_COMPANY_CODE = 1, K_PERSONAL_CODE, K_VAT_CODE, K_IBAN, K_EMAIL, K_PHONE,
	K_CORE, K_SOUND, K_SORTED, K_DELETION
};

/* A key shared by more cards than this proposes no pair by itself. */
#define MAX_KEY_CARDS_NAME	12
#define MAX_KEY_CARDS_OTHER	40
/* The longest core keyed by its one-letter deletions. */
#define MAX_DELETION_CORE	40
/* A weak link joins groups only up to this size; a strong one up to the next. */
#define MAX_WEAK_GROUP		3
#define MAX_STRONG_GROUP	12

/* The card columns every query reads, in this order. */
#define CARD_COLUMNS \
	"SELECT c.id, c.name, c.legal_form OPERATOR(pg_catalog.=) 'natural_person'," \
	" c.kind OPERATOR(pg_catalog.=) 'own_company', c.country, pg_catalog.btrim(c.company_code)," \
	" pg_catalog.btrim(c.personal_code), NULLIF(pg_catalog.upper(pg_catalog.btrim(c.vat_code)), 'ND')," \
	" pg_catalog.lower(pg_catalog.btrim(c.email)), c.phone FROM client_registry.client c" \
	" WHERE c.tenant_id OPERATOR(pg_catalog.=) $1"
#define CARD_NCOLUMNS 10

typedef struct KeyEntry
{
	uint64		hash;
	int32		card;
	int32		type;
} KeyEntry;

typedef struct KeyList
{
	KeyEntry   *e;
	int64		n;
	int64		cap;
} KeyList;

typedef struct Link
{
	int32		a;
	int32		b;
	DupLink		l;
	bool		joined;
} Link;

/* A group of the union-find (valid at its root). */
typedef struct DupGroup
{
	int32		parent;
	int32		size;
	int32		next;			/* members: a circular list */
	const char *company_code;
	const char *personal_code;
	const char *vat_code;
	const char *form;
	float4		score;			/* the weakest joining link */
} DupGroup;

typedef struct IdIndex
{
	int64		id;
	int32		card;
} IdIndex;

typedef struct PairKey
{
	int64		a;
	int64		b;
} PairKey;

/* The cards of a tenant and what the rules need besides. */
typedef struct Tenant
{
	int32		tenant_id;
	DupCard    *cards;
	int			ncards;
	int			cap;
	IdIndex    *by_id;			/* sorted by id */
	int			nby_id;
	HTAB	   *cannot;			/* PairKey: marked "not duplicates" */
} Tenant;

/*
 * The cards' strings are copied end to end into large blocks of the work
 * context: one card has a dozen short strings, and a chunk of its own for
 * each (header, power-of-two size) made the queue's memory three times its
 * data -- fresh memory costs a page fault per 4 kB, a large part of a run.
 */
#define STRING_BLOCK	(256 * 1024)

typedef struct StringStore
{
	char	   *free;
	Size		left;
} StringStore;

static char *
StoreBytes(StringStore *st, const char *s, Size len)
{
	char	   *out;

	if (len + 1 > st->left)
	{
		Size		size = Max(STRING_BLOCK, len + 1);

		st->free = palloc(size);
		st->left = size;
	}
	out = st->free;
	memcpy(out, s, len);
	out[len] = '\0';
	st->free += len + 1;
	st->left -= len + 1;
	return out;
}

static char *
StoreString(StringStore *st, const char *s)
{
	return s == NULL ? NULL : StoreBytes(st, s, strlen(s));
}

/*
 * A text column of a row as a stored string: NULL for NULL or empty.  The
 * row's own bytes are read in place (detoasted only when they must be).
 */
static char *
ColumnText(StringStore *st, TupleTableSlot *slot, int i)
{
	text	   *t;
	Size		len;

	if (slot->tts_isnull[i])
		return NULL;
	t = (text *) pg_detoast_datum_packed((struct varlena *) DatumGetPointer(slot->tts_values[i]));
	len = VARSIZE_ANY_EXHDR(t);
	return len == 0 ? NULL : StoreBytes(st, VARDATA_ANY(t), len);
}

/*
 * A card from a row of CARD_COLUMNS.  Temporary strings (the name's
 * folding, the phone's digits) go to scratch, reset by the caller.
 */
static void
CardFromRow(DupCard *c, TupleTableSlot *slot, StringStore *st, MemoryContext scratch)
{
	MemoryContext old;
	char	   *phone;
	char	   *core;
	char	   *phon;
	char	   *sorted;

	slot_getallattrs(slot);
	Assert(slot->tts_tupleDescriptor->natts == CARD_NCOLUMNS);
	memset(c, 0, sizeof(DupCard));
	c->id = DatumGetInt64(slot->tts_values[0]);
	c->name = ColumnText(st, slot, 1);
	if (c->name == NULL)
		c->name = StoreString(st, "");
	c->person = !slot->tts_isnull[2] && DatumGetBool(slot->tts_values[2]);
	c->own_company = !slot->tts_isnull[3] && DatumGetBool(slot->tts_values[3]);
	c->country = ColumnText(st, slot, 4);
	c->company_code = ColumnText(st, slot, 5);
	c->personal_code = ColumnText(st, slot, 6);
	c->vat_code = ColumnText(st, slot, 7);
	c->email = ColumnText(st, slot, 8);
	c->email_domain = DupEmailDomain(c->email);

	old = MemoryContextSwitchTo(scratch);
	CrNameParts(c->name, &c->form, &core, &phon, &sorted);
	phone = slot->tts_isnull[9] ? NULL : TextDatumGetCString(slot->tts_values[9]);
	phone = phone && *phone ? CrPhoneKey(phone) : NULL;
	MemoryContextSwitchTo(old);
	c->core = StoreString(st, core);
	c->phon = StoreString(st, phon);
	c->sorted = StoreString(st, sorted);
	c->phone = StoreString(st, phone);
	MemoryContextReset(scratch);
}

/* A card from one row of CARD_COLUMNS read by SPI. */
static void
CardFromTuple(DupCard *c, HeapTuple t, TupleDesc d)
{
	TupleTableSlot *slot = MakeSingleTupleTableSlot(d, &TTSOpsHeapTuple);
	MemoryContext scratch = AllocSetContextCreate(CurrentMemoryContext, "duplicate card scratch",
												  ALLOCSET_SMALL_SIZES);
	StringStore st = {NULL, 0};

	ExecStoreHeapTuple(t, slot, false);
	CardFromRow(c, slot, &st, scratch);
	ExecDropSingleTupleTableSlot(slot);
	MemoryContextDelete(scratch);
}

/* An IBAN without spaces, upper case. */
static char *
NormalIban(const char *iban)
{
	char	   *out = palloc(strlen(iban) + 1);
	char	   *o = out;

	for (const char *p = iban; *p; p++)
		if (!isspace((unsigned char) *p))
			*o++ = toupper((unsigned char) *p);
	*o = '\0';
	return out;
}

/* An IBAN hashed as the queue's IBAN key (without spaces, upper case). */
static uint64
IbanKey(const char *iban, Size len)
{
	char		buf[64];
	int			n = 0;

	for (Size i = 0; i < len && n < (int) sizeof(buf) - 1; i++)
		if (!isspace((unsigned char) iban[i]))
			buf[n++] = toupper((unsigned char) iban[i]);
	buf[n] = '\0';
	return CrKeyHash(buf, K_IBAN);
}

static void
AddIban(DupCard *c, uint64 key)
{
	if (c->nibans % 4 == 0)
		c->ibans = c->nibans == 0 ? palloc(sizeof(uint64) * 4) :
			repalloc(c->ibans, sizeof(uint64) * (c->nibans + 4));
	c->ibans[c->nibans++] = key;
}

static void
TenantInit(Tenant *tn, int32 tenant_id)
{
	HASHCTL		ctl;

	memset(tn, 0, sizeof(Tenant));
	tn->tenant_id = tenant_id;
	memset(&ctl, 0, sizeof(ctl));
	ctl.hcxt = CurrentMemoryContext;
	ctl.keysize = sizeof(PairKey);
	ctl.entrysize = sizeof(PairKey);
	tn->cannot = hash_create("not duplicates", 64, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

static int32
CardIndex(Tenant *tn, int64 id)
{
	int			lo = 0;
	int			hi = tn->nby_id - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (tn->by_id[mid].id == id)
			return tn->by_id[mid].card;
		if (tn->by_id[mid].id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static int
CompareIdIndex(const void *a, const void *b)
{
	int64		x = ((const IdIndex *) a)->id;
	int64		y = ((const IdIndex *) b)->id;

	return x < y ? -1 : x > y ? 1 : 0;
}

static DupCard *
NewCard(Tenant *tn)
{
	if (tn->ncards == tn->cap)
	{
		tn->cap = tn->cap == 0 ? 256 : tn->cap * 2;
		tn->cards = tn->cards == NULL ? palloc(sizeof(DupCard) * tn->cap) :
			repalloc_huge(tn->cards, sizeof(DupCard) * tn->cap);
	}
	return &tn->cards[tn->ncards++];
}

/*
 * The rows of the queries are taken as the executor makes them (a
 * DestReceiver): no copy of each row into SPI's tuple table first.
 */
typedef struct CardReceiver
{
	DestReceiver pub;
	Tenant	   *tn;
	bool		ibans;			/* rows (client_id, iban), else cards */
	StringStore strings;
	MemoryContext keep;			/* where the cards live */
	MemoryContext scratch;		/* reset after each row */
} CardReceiver;

static bool
CardReceive(TupleTableSlot *slot, DestReceiver *self)
{
	CardReceiver *r = (CardReceiver *) self;
	Tenant	   *tn = r->tn;
	MemoryContext old = MemoryContextSwitchTo(r->keep);

	CHECK_FOR_INTERRUPTS();
	if (!r->ibans)
		CardFromRow(NewCard(tn), slot, &r->strings, r->scratch);
	else
	{
		int32		card;

		slot_getallattrs(slot);
		if (!slot->tts_isnull[0] && !slot->tts_isnull[1] &&
			(card = CardIndex(tn, DatumGetInt64(slot->tts_values[0]))) >= 0)
		{
			text	   *t = (text *) pg_detoast_datum_packed((struct varlena *) DatumGetPointer(slot->tts_values[1]));

			AddIban(&tn->cards[card], IbanKey(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)));
		}
	}
	MemoryContextSwitchTo(old);
	return true;
}

static void
CardReceiverStartup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
}

static void
CardReceiverShutdown(DestReceiver *self)
{
}

static void
CardReceiverDestroy(DestReceiver *self)
{
}

/* Runs a query ($1 tenant, $2 optional ids) with its rows sent to r. */
static void
ReadRows(CardReceiver *r, const char *sql, Datum ids)
{
	Oid			types[2] = {INT4OID, INT8ARRAYOID};
	int			nargs = ids != (Datum) 0 ? 2 : 1;
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, types);
	ParamListInfo params = makeParamList(nargs);
	SPIExecuteOptions options;
	int			ret;

	if (plan == NULL)
		elog(ERROR, "reading the registry failed: %s", SPI_result_code_string(SPI_result));
	params->params[0].value = Int32GetDatum(r->tn->tenant_id);
	params->params[0].isnull = false;
	params->params[0].pflags = PARAM_FLAG_CONST;
	params->params[0].ptype = INT4OID;
	if (nargs == 2)
	{
		params->params[1].value = ids;
		params->params[1].isnull = false;
		params->params[1].pflags = PARAM_FLAG_CONST;
		params->params[1].ptype = INT8ARRAYOID;
	}
	memset(&options, 0, sizeof(options));
	options.params = params;
	options.read_only = true;
	options.dest = &r->pub;
	ret = SPI_execute_plan_extended(plan, &options);
	/* a SELECT whose rows went to a receiver of its own reports SPI_OK_UTILITY */
	if (ret != SPI_OK_UTILITY && ret != SPI_OK_SELECT)
		elog(ERROR, "reading the registry failed: %s", SPI_result_code_string(ret));
	SPI_freeplan(plan);
}

/*
 * ReadCards reads the cards a query returns ($1 tenant, $2 optional ids),
 * and their IBANs.
 */
static void
ReadCards(Tenant *tn, const char *sql, const char *iban_sql, Datum ids)
{
	MemoryContext cxt = CurrentMemoryContext;
	CardReceiver r;

	memset(&r, 0, sizeof(r));
	r.pub.receiveSlot = CardReceive;
	r.pub.rStartup = CardReceiverStartup;
	r.pub.rShutdown = CardReceiverShutdown;
	r.pub.rDestroy = CardReceiverDestroy;
	r.pub.mydest = DestNone;
	r.tn = tn;
	r.keep = cxt;
	r.scratch = AllocSetContextCreate(cxt, "duplicate card scratch", ALLOCSET_SMALL_SIZES);
	ReadRows(&r, sql, ids);

	/* the cards by id: a sorted array (the rows mostly come in id order) */
	tn->by_id = palloc_extended(sizeof(IdIndex) * Max(tn->ncards, 1), MCXT_ALLOC_HUGE);
	for (int32 i = 0; i < tn->ncards; i++)
	{
		tn->by_id[i].id = tn->cards[i].id;
		tn->by_id[i].card = i;
	}
	tn->nby_id = tn->ncards;
	qsort(tn->by_id, tn->nby_id, sizeof(IdIndex), CompareIdIndex);

	r.ibans = true;
	ReadRows(&r, iban_sql, ids);
	MemoryContextDelete(r.scratch);
}

static void
AddCannot(Tenant *tn, int64 a, int64 b)
{
	PairKey		k;

	if (a == b)
		return;
	k.a = Min(a, b);
	k.b = Max(a, b);
	(void) hash_search(tn->cannot, &k, HASH_ENTER, NULL);
}

static bool
CannotLink(Tenant *tn, int64 a, int64 b)
{
	PairKey		k;
	bool		found;

	k.a = Min(a, b);
	k.b = Max(a, b);
	(void) hash_search(tn->cannot, &k, HASH_FIND, &found);
	return found;
}

/*
 * ReadMarks reads the "not duplicates" marks: every two clients of a mark
 * cannot be linked.  A client merged away passes its marks to its survivor
 * (followed through merges of merges).
 */
static void
ReadMarks(Tenant *tn)
{
	Oid			types[1] = {INT4OID};
	Datum		values[1] = {Int32GetDatum(tn->tenant_id)};
	HTAB	   *survivor_of = NULL;
	HASHCTL		ctl;
	SPITupleTable *marks;
	uint64		nmarks;
	int			ret;

	ret = SPI_execute_with_args("SELECT client_ids FROM client_registry.client_not_duplicate"
								" WHERE tenant_id OPERATOR(pg_catalog.=) $1",
								1, types, values, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading the \"not duplicates\" marks failed");
	if (SPI_processed == 0)
		return;
	marks = SPI_tuptable;
	nmarks = SPI_processed;

	ret = SPI_execute_with_args("SELECT m.survivor_id, u.id FROM client_registry.client_merge m,"
								"       pg_catalog.unnest(m.merged_ids) AS u(id)"
								" WHERE m.tenant_id OPERATOR(pg_catalog.=) $1 AND m.undone_at IS NULL",
								1, types, values, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading merges failed");
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(int64);
	ctl.entrysize = sizeof(PairKey);
	ctl.hcxt = CurrentMemoryContext;
	survivor_of = hash_create("merged clients", 64, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		int64		merged = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));
		PairKey    *e = hash_search(survivor_of, &merged, HASH_ENTER, NULL);

		e->b = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
	}

	for (uint64 m = 0; m < nmarks; m++)
	{
		bool		isnull;
		ArrayType  *arr = DatumGetArrayTypeP(SPI_getbinval(marks->vals[m], marks->tupdesc, 1, &isnull));
		Datum	   *elems;
		int			n;

		deconstruct_array(arr, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, NULL, &n);
		for (int i = 0; i < n; i++)
		{
			for (int hops = 0; hops < 100; hops++)
			{
				int64		id = DatumGetInt64(elems[i]);
				bool		found;
				PairKey    *e = hash_search(survivor_of, &id, HASH_FIND, &found);

				if (!found)
					break;
				elems[i] = Int64GetDatum(e->b);
			}
		}
		for (int i = 0; i < n; i++)
			for (int j = i + 1; j < n; j++)
				AddCannot(tn, DatumGetInt64(elems[i]), DatumGetInt64(elems[j]));
	}
}

/* ---- the queue ---- */

/*
 * The keys are made twice.  The first pass only marks each key's hash in
 * a bitmap (seen, seen again: two bits side by side, one cache line); the
 * second keeps the keys seen at least twice.  Nearly all of the two million keys of 100,000 cards are unique
 * (a card's own one-letter deletions) and would only be stored and sorted
 * to be dropped.  A bitmap bit shared by two hashes keeps a few unique
 * keys too: they pair nothing.
 */
typedef struct KeyFilter
{
	uint64	   *bits;			/* two bits a slot, side by side: seen, seen again */
	uint64		mask;			/* slots - 1 */
} KeyFilter;

static void
KeyFilterInit(KeyFilter *f, int64 nkeys)
{
	uint64		slots = 1024;

	while (slots < (uint64) nkeys * 8)
		slots <<= 1;
	f->mask = slots - 1;
	f->bits = palloc_extended(slots / 4, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
}

/* The first pass (kl NULL) marks a key; the second keeps it if seen again. */
static inline void
EmitKey(KeyList *kl, KeyFilter *f, int32 card, int32 type, uint64 hash)
{
	uint64		slot = hash & f->mask;
	uint64	   *word = &f->bits[slot >> 5];
	int			shift = (slot & 31) * 2;

	if (kl == NULL)
	{
		*word |= ((*word >> shift) & 1) ? UINT64CONST(2) << shift : UINT64CONST(1) << shift;
		return;
	}
	if (((*word >> shift) & 2) == 0)
		return;
	if (kl->n == kl->cap)
	{
		kl->cap = kl->cap == 0 ? 65536 : kl->cap * 2;
		kl->e = kl->e == NULL ? palloc_extended(sizeof(KeyEntry) * kl->cap, MCXT_ALLOC_HUGE) :
			repalloc_huge(kl->e, sizeof(KeyEntry) * kl->cap);
	}
	kl->e[kl->n].hash = hash;
	kl->e[kl->n].card = card;
	kl->e[kl->n].type = type;
	kl->n++;
}

static inline void
AddKey(KeyList *kl, KeyFilter *f, int32 card, int32 type, const char *s)
{
	if (s == NULL || *s == '\0')
		return;
	EmitKey(kl, f, card, type, CrKeyHash(s, type));
}

/* At most how many keys CardKeys gives a card. */
static int
CardKeysBound(const DupCard *c)
{
	int			len = strlen(c->core);

	return 5 + c->nibans + 3 + (len >= 5 && len <= MAX_DELETION_CORE ? len + 1 : 0);
}

/* The finalizer of MurmurHash3: spreads a polynomial hash over all 64 bits. */
static inline uint64
Mix64(uint64 h)
{
	h ^= h >> 33;
	h *= UINT64CONST(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64CONST(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h;
}

#define POLY_BASE	UINT64CONST(0x100000001b3)

/* The key of a string of len bytes whose polynomial hash is poly. */
static inline uint64
DeletionKey(uint64 poly, int len)
{
	return Mix64(poly ^ ((uint64) len << 56) ^ ((uint64) K_DELETION * UINT64CONST(0x9E3779B97F4A7C15)));
}

static void
CardKeys(KeyList *kl, KeyFilter *f, DupCard *c, int32 card)
{
	int			len = strlen(c->core);

	AddKey(kl, f, card, K_COMPANY_CODE, c->company_code);
	AddKey(kl, f, card, K_PERSONAL_CODE, c->personal_code);
	AddKey(kl, f, card, K_VAT_CODE, c->vat_code);
	AddKey(kl, f, card, K_EMAIL, c->email);
	AddKey(kl, f, card, K_PHONE, c->phone);
	for (int i = 0; i < c->nibans; i++)
		EmitKey(kl, f, card, K_IBAN, c->ibans[i]);
	if (len < 3)
		return;					/* "AB X": too short a name to compare */
	AddKey(kl, f, card, K_CORE, c->core);
	AddKey(kl, f, card, K_SOUND, c->phon);
	AddKey(kl, f, card, K_SORTED, c->sorted);

	/*
	 * One typo: the core and the core without each of its letters.  Each
	 * string is keyed by its polynomial hash, the deletions computed from
	 * the prefix and suffix sums (linear in the core, not quadratic).
	 */
	if (len >= 5 && len <= MAX_DELETION_CORE)
	{
		const unsigned char *s = (const unsigned char *) c->core;
		uint64		pre[MAX_DELETION_CORE + 1];
		uint64		suf[MAX_DELETION_CORE + 1];
		uint64		pw[MAX_DELETION_CORE + 1];

		pre[0] = 0;
		pw[0] = 1;
		for (int i = 0; i < len; i++)
		{
			pre[i + 1] = pre[i] * POLY_BASE + s[i] + 1;
			pw[i + 1] = pw[i] * POLY_BASE;
		}
		suf[len] = 0;
		for (int j = len - 1; j >= 0; j--)
			suf[j] = (uint64) (s[j] + 1) * pw[len - 1 - j] + suf[j + 1];
		EmitKey(kl, f, card, K_DELETION, DeletionKey(pre[len], len));
		for (int i = 0; i < len; i++)
		{
			if (i > 0 && s[i] == s[i - 1])
				continue;		/* the same deletion */
			EmitKey(kl, f, card, K_DELETION, DeletionKey(pre[i] * pw[len - 1 - i] + suf[i + 1], len - 1));
		}
	}
}

/*
 * SortKeys sorts the keys by hash: a radix sort (four passes of 16 bits),
 * linear in the number of keys (a million or more on 100,000 cards).
 */
static void
SortKeys(KeyEntry *e, int64 n)
{
	KeyEntry   *tmp = palloc_extended(sizeof(KeyEntry) * Max(n, 1), MCXT_ALLOC_HUGE);
	int64	   *count = palloc(sizeof(int64) * 65536);
	KeyEntry   *from = e;
	KeyEntry   *to = tmp;

	for (int pass = 0; pass < 4; pass++)
	{
		int			shift = pass * 16;
		int64		sum = 0;

		memset(count, 0, sizeof(int64) * 65536);
		for (int64 i = 0; i < n; i++)
			count[(from[i].hash >> shift) & 0xFFFF]++;
		for (int b = 0; b < 65536; b++)
		{
			int64		c = count[b];

			count[b] = sum;
			sum += c;
		}
		for (int64 i = 0; i < n; i++)
			to[count[(from[i].hash >> shift) & 0xFFFF]++] = from[i];
		{
			KeyEntry   *t = from;

			from = to;
			to = t;
		}
		CHECK_FOR_INTERRUPTS();
	}
	/* four passes: the sorted keys are back in e */
	pfree(tmp);
	pfree(count);
}

static int
CompareUint64(const void *a, const void *b)
{
	uint64		x = *(const uint64 *) a;
	uint64		y = *(const uint64 *) b;

	return x < y ? -1 : x > y ? 1 : 0;
}

static int
CompareLinks(const void *a, const void *b)
{
	const Link *x = a;
	const Link *y = b;

	if (x->l.score != y->l.score)
		return x->l.score > y->l.score ? -1 : 1;
	if (x->a != y->a)
		return x->a < y->a ? -1 : 1;
	return x->b < y->b ? -1 : x->b > y->b ? 1 : 0;
}

static int32
Find(DupGroup *g, int32 x)
{
	while (g[x].parent != x)
	{
		g[x].parent = g[g[x].parent].parent;
		x = g[x].parent;
	}
	return x;
}

static bool
Conflicting(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) != 0;
}

/*
 * JoinGroups joins the groups of a link's cards unless the rules say the
 * groups differ; returns whether it did.
 */
static bool
JoinGroups(Tenant *tn, DupGroup *g, Link *lk)
{
	int32		ra = Find(g, lk->a);
	int32		rb = Find(g, lk->b);
	int32		size;

	if (ra == rb)
		return true;
	size = g[ra].size + g[rb].size;
	if (lk->l.score < DUP_STRONG && size > MAX_WEAK_GROUP)
		return false;
	if (size > MAX_STRONG_GROUP && !(lk->l.evidence & DUP_IDENTIFYING))
		return false;
	if (Conflicting(g[ra].company_code, g[rb].company_code) ||
		Conflicting(g[ra].personal_code, g[rb].personal_code) ||
		Conflicting(g[ra].vat_code, g[rb].vat_code))
		return false;
	if (Conflicting(g[ra].form, g[rb].form) && !(lk->l.evidence & DUP_IDENTIFYING))
		return false;
	if (hash_get_num_entries(tn->cannot) > 0)
	{
		int32		x = ra;

		do
		{
			int32		y = rb;

			do
			{
				if (CannotLink(tn, tn->cards[x].id, tn->cards[y].id))
					return false;
				y = g[y].next;
			} while (y != rb);
			x = g[x].next;
		} while (x != ra);
	}
	/* join: rb under ra, member lists spliced */
	if (g[ra].size < g[rb].size)
	{
		int32		t = ra;

		ra = rb;
		rb = t;
	}
	g[rb].parent = ra;
	g[ra].size = size;
	{
		int32		t = g[ra].next;

		g[ra].next = g[rb].next;
		g[rb].next = t;
	}
	if (g[ra].company_code == NULL)
		g[ra].company_code = g[rb].company_code;
	if (g[ra].personal_code == NULL)
		g[ra].personal_code = g[rb].personal_code;
	if (g[ra].vat_code == NULL)
		g[ra].vat_code = g[rb].vat_code;
	if (g[ra].form == NULL)
		g[ra].form = g[rb].form;
	g[ra].score = Min(Min(g[ra].score, g[rb].score), lk->l.score);
	return true;
}

static Datum
EvidenceArray(int evidence)
{
	Datum		names[DUP_NEVIDENCE];
	int			n = 0;

	for (int bit = 0; bit < DUP_NEVIDENCE; bit++)
		if (evidence & (1 << bit))
			names[n++] = CStringGetTextDatum(DupEvidenceName(bit));
	return PointerGetDatum(construct_array(names, n, TEXTOID, -1, false, TYPALIGN_INT));
}

static void
AppendEvidence(StringInfo s, int evidence)
{
	bool		first = true;

	appendStringInfoChar(s, '[');
	for (int bit = 0; bit < DUP_NEVIDENCE; bit++)
		if (evidence & (1 << bit))
		{
			appendStringInfo(s, "%s\"%s\"", first ? "" : ", ", DupEvidenceName(bit));
			first = false;
		}
	appendStringInfoChar(s, ']');
}

static float4
MinScoreArg(FunctionCallInfo fcinfo, int arg)
{
	float4		min_score = PG_ARGISNULL(arg) ? 0.5f : PG_GETARG_FLOAT4(arg);

	if (!(min_score >= 0 && min_score <= 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("min_score must be between 0 and 1, not %g", min_score),
				 errhint("0.8 and above: strong links only; 0.5 (the default): weak links too.")));
	return min_score;
}

typedef struct Cluster
{
	int32		root;
	int32		size;
	float4		score;
	int64		min_id;
} Cluster;

static int
CompareClusters(const void *a, const void *b)
{
	const Cluster *x = a;
	const Cluster *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return x->min_id < y->min_id ? -1 : x->min_id > y->min_id ? 1 : 0;
}

static int
CompareInt64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return x < y ? -1 : x > y ? 1 : 0;
}

PG_FUNCTION_INFO_V1(cr_duplicate_clusters);

/*
 * duplicate_clusters(min_score real) RETURNS TABLE (cluster, score,
 * strength, client_ids, names, suggested_survivor, evidence, links)
 */
Datum
cr_duplicate_clusters(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	float4		min_score = MinScoreArg(fcinfo, 0);
	int32		tenant_id = CrCurrentTenant();
	MemoryContext work = AllocSetContextCreate(CurrentMemoryContext, "duplicate clusters",
											   ALLOCSET_DEFAULT_SIZES);
	MemoryContext caller;
	Tenant		tn;
	KeyList		kl = {0};
	uint64	   *pairs = NULL;
	int64		npairs = 0;
	int64		pcap = 0;
	Link	   *links = NULL;
	int64		nlinks = 0;
	DupGroup   *g;
	Cluster    *clusters;
	int			nclusters = 0;
	int32	   *cluster_of;

	InitMaterializedSRF(fcinfo, 0);
	caller = MemoryContextSwitchTo(work);
	SPI_connect();
	TenantInit(&tn, tenant_id);
	ReadCards(&tn, CARD_COLUMNS,
			  "SELECT client_id, iban FROM client_registry.client_bank_account"
			  " WHERE tenant_id OPERATOR(pg_catalog.=) $1", (Datum) 0);
	ReadMarks(&tn);

	/* keys seen twice, sorted: cards sharing a key are candidate pairs */
	{
		int64		bound = 1;
		KeyFilter	f;

		for (int32 i = 0; i < tn.ncards; i++)
			bound += CardKeysBound(&tn.cards[i]);
		KeyFilterInit(&f, bound);
		for (int32 i = 0; i < tn.ncards; i++)
			CardKeys(NULL, &f, &tn.cards[i], i);
		CHECK_FOR_INTERRUPTS();
		for (int32 i = 0; i < tn.ncards; i++)
			CardKeys(&kl, &f, &tn.cards[i], i);
		pfree(f.bits);
	}
	SortKeys(kl.e, kl.n);

	for (int64 s = 0; s < kl.n;)
	{
		int64		e = s + 1;
		int			limit;

		while (e < kl.n && kl.e[e].hash == kl.e[s].hash)
			e++;
		limit = kl.e[s].type >= K_CORE ? MAX_KEY_CARDS_NAME : MAX_KEY_CARDS_OTHER;
		if (e - s >= 2 && e - s <= limit)
		{
			for (int64 i = s; i < e; i++)
				for (int64 j = i + 1; j < e; j++)
				{
					if (kl.e[i].card == kl.e[j].card)
						continue;
					if (npairs == pcap)
					{
						pcap = pcap == 0 ? 65536 : pcap * 2;
						pairs = pairs == NULL ? palloc_extended(sizeof(uint64) * pcap, MCXT_ALLOC_HUGE) :
							repalloc_huge(pairs, sizeof(uint64) * pcap);
					}
					pairs[npairs++] = ((uint64) Min(kl.e[i].card, kl.e[j].card) << 32) |
						(uint32) Max(kl.e[i].card, kl.e[j].card);
				}
		}
		s = e;
		CHECK_FOR_INTERRUPTS();
	}
	if (npairs > 0)
		qsort(pairs, npairs, sizeof(uint64), CompareUint64);

	/* each pair scored once */
	links = palloc_extended(sizeof(Link) * Max(npairs, 1), MCXT_ALLOC_HUGE);
	for (int64 p = 0; p < npairs; p++)
	{
		int32		a;
		int32		b;
		DupLink		l;

		if (p > 0 && pairs[p] == pairs[p - 1])
			continue;
		if ((p & 4095) == 0)
			CHECK_FOR_INTERRUPTS();
		a = (int32) (pairs[p] >> 32);
		b = (int32) (pairs[p] & 0xFFFFFFFF);
		if (!DupPairScore(&tn.cards[a], &tn.cards[b], &l) || l.score < min_score)
			continue;
		if (hash_get_num_entries(tn.cannot) > 0 && CannotLink(&tn, tn.cards[a].id, tn.cards[b].id))
			continue;
		links[nlinks].a = a;
		links[nlinks].b = b;
		links[nlinks].l = l;
		links[nlinks].joined = false;
		nlinks++;
	}
	if (nlinks > 0)
		qsort(links, nlinks, sizeof(Link), CompareLinks);

	elog(DEBUG1, "duplicate clusters: %d cards, %lld keys, %lld candidate pairs, %lld links",
		 tn.ncards, (long long) kl.n, (long long) npairs, (long long) nlinks);

	/* groups, strongest links first */
	g = palloc_extended(sizeof(DupGroup) * Max(tn.ncards, 1), MCXT_ALLOC_HUGE);
	for (int32 i = 0; i < tn.ncards; i++)
	{
		g[i].parent = i;
		g[i].size = 1;
		g[i].next = i;
		g[i].company_code = tn.cards[i].company_code;
		g[i].personal_code = tn.cards[i].personal_code;
		g[i].vat_code = tn.cards[i].vat_code;
		g[i].form = tn.cards[i].form;
		g[i].score = 1;
	}
	for (int64 k = 0; k < nlinks; k++)
		links[k].joined = JoinGroups(&tn, g, &links[k]);

	/* the clusters, best first */
	cluster_of = palloc_extended(sizeof(int32) * Max(tn.ncards, 1), MCXT_ALLOC_HUGE);
	clusters = palloc(sizeof(Cluster) * Max(tn.ncards / 2 + 1, 1));
	for (int32 i = 0; i < tn.ncards; i++)
	{
		cluster_of[i] = -1;
		if (g[i].parent == i && g[i].size >= 2)
		{
			Cluster    *c = &clusters[nclusters++];
			int32		x = i;

			c->root = i;
			c->size = g[i].size;
			c->score = g[i].score;
			c->min_id = PG_INT64_MAX;
			do
			{
				c->min_id = Min(c->min_id, tn.cards[x].id);
				x = g[x].next;
			} while (x != i);
		}
	}
	if (nclusters > 0)
		qsort(clusters, nclusters, sizeof(Cluster), CompareClusters);
	for (int k = 0; k < nclusters; k++)
		cluster_of[clusters[k].root] = k;

	{
		StringInfoData *jl = palloc0(sizeof(StringInfoData) * Max(nclusters, 1));
		int		   *evidence = palloc0(sizeof(int) * Max(nclusters, 1));

		/* the links inside each cluster (joining or not) */
		for (int64 k = 0; k < nlinks; k++)
		{
			int32		r = Find(g, links[k].a);
			int			c;
			StringInfo	s;

			if (Find(g, links[k].b) != r || (c = cluster_of[r]) < 0)
				continue;
			s = &jl[c];
			if (s->data == NULL)
			{
				initStringInfo(s);
				appendStringInfoChar(s, '[');
			}
			else
				appendStringInfoString(s, ", ");
			appendStringInfo(s, "{\"a\": %ld, \"b\": %ld, \"score\": %.4f, \"evidence\": ",
							 (long) Min(tn.cards[links[k].a].id, tn.cards[links[k].b].id),
							 (long) Max(tn.cards[links[k].a].id, tn.cards[links[k].b].id),
							 links[k].l.score);
			AppendEvidence(s, links[k].l.evidence);
			appendStringInfo(s, ", \"name_similarity\": %.4f}", links[k].l.name_similarity);
			evidence[c] |= links[k].l.evidence;
		}

		for (int k = 0; k < nclusters; k++)
		{
			Cluster    *c = &clusters[k];
			int64	   *ids = palloc(sizeof(int64) * c->size);
			Datum	   *idd = palloc(sizeof(Datum) * c->size);
			Datum	   *names = palloc(sizeof(Datum) * c->size);
			int			n = 0;
			int32		x = c->root;
			int64		survivor = 0;
			Datum		values[8];
			bool		nulls[8] = {false, false, false, false, false, false, false, false};

			CHECK_FOR_INTERRUPTS();
			do
			{
				ids[n++] = tn.cards[x].id;
				x = g[x].next;
			} while (x != c->root);
			qsort(ids, n, sizeof(int64), CompareInt64);
			for (int i = 0; i < n; i++)
			{
				DupCard    *card = &tn.cards[CardIndex(&tn, ids[i])];

				idd[i] = Int64GetDatum(ids[i]);
				names[i] = CStringGetTextDatum(card->name);
				if (card->own_company)
					survivor = card->id;
			}
			/* the own company, else the lowest id with a code, else the lowest id */
			for (int i = 0; i < n && survivor == 0; i++)
			{
				DupCard    *card = &tn.cards[CardIndex(&tn, ids[i])];

				if (card->company_code || card->personal_code)
					survivor = card->id;
			}
			if (survivor == 0)
				survivor = ids[0];
			appendStringInfoChar(&jl[k], ']');

			values[0] = Int32GetDatum(k + 1);
			values[1] = Float4GetDatum(c->score);
			values[2] = CStringGetTextDatum(c->score >= DUP_STRONG ? "strong" : "weak");
			values[3] = PointerGetDatum(construct_array(idd, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
			values[4] = PointerGetDatum(construct_array(names, n, TEXTOID, -1, false, TYPALIGN_INT));
			values[5] = Int64GetDatum(survivor);
			values[6] = EvidenceArray(evidence[k]);
			values[7] = DirectFunctionCall1(jsonb_in, CStringGetDatum(jl[k].data));
			MemoryContextSwitchTo(caller);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			MemoryContextSwitchTo(work);
		}
	}

	SPI_finish();
	MemoryContextSwitchTo(caller);
	MemoryContextDelete(work);
	return (Datum) 0;
}

/* ---- the checks of one card ---- */

typedef struct Candidates
{
	int64	   *ids;
	int			n;
	int			cap;
} Candidates;

static void
AddCandidate(Candidates *c, int64 id)
{
	if (c->n == c->cap)
	{
		c->cap = c->cap == 0 ? 64 : c->cap * 2;
		c->ids = c->ids == NULL ? palloc(sizeof(int64) * c->cap) : repalloc(c->ids, sizeof(int64) * c->cap);
	}
	c->ids[c->n++] = id;
}

/*
 * Runs a lookup returning ids (column 1) into the candidates: $1 the
 * tenant, $2 the value of the given type.  The plan is prepared once per
 * session and kept (*plan); the functions' SET clauses keep it serial.
 */
static void
Lookup(Candidates *c, int32 tenant_id, SPIPlanPtr *plan, const char *sql, Oid type, Datum value)
{
	Datum		v[2] = {Int32GetDatum(tenant_id), value};
	int			ret;

	if (*plan == NULL)
	{
		Oid			t[2] = {INT4OID, type};

		*plan = CrKeepPlan(sql, 2, t);
	}
	ret = SPI_execute_plan(*plan, v, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "looking up duplicate candidates failed: %s", SPI_result_code_string(ret));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			AddCandidate(c, DatumGetInt64(d));
	}
	SPI_freetuptable(SPI_tuptable);
}

/* The kept plans of the lookups (one per kind). */
static SPIPlanPtr company_code_plan = NULL;
static SPIPlanPtr personal_code_plan = NULL;
static SPIPlanPtr vat_code_plan = NULL;
static SPIPlanPtr phone_plan = NULL;
static SPIPlanPtr email_plan = NULL;
static SPIPlanPtr iban_plan = NULL;
static SPIPlanPtr name_plan = NULL;

/* A name key shared by more cards than this brings no more of them. */
#define MAX_NAME_CANDIDATES 1000

typedef struct Scored
{
	int32		card;
	DupLink		l;
} Scored;

static int
CompareScored(const void *a, const void *b)
{
	const Scored *x = a;
	const Scored *y = b;

	if (x->l.score != y->l.score)
		return x->l.score > y->l.score ? -1 : 1;
	return x->card < y->card ? -1 : x->card > y->card ? 1 : 0;
}

/*
 * CheckCard finds the candidates of a card through indexes, scores each
 * one and returns the links at least min_score, best first.  ibans: the
 * card's IBANs as text (normalised).
 */
static void
CheckCard(FunctionCallInfo fcinfo, DupCard *card, List *ibans, float4 min_score)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int32		tenant_id = CrCurrentTenant();
	MemoryContext caller = CurrentMemoryContext;
	Candidates	cand = {0};
	Tenant		tn;
	Scored	   *scored;
	int			nscored = 0;
	ListCell   *lc;

	SPI_connect();
	TenantInit(&tn, tenant_id);
	if (card->company_code)
		Lookup(&cand, tenant_id, &company_code_plan,
			   "SELECT id FROM client_registry.client WHERE tenant_id OPERATOR(pg_catalog.=) $1"
			   " AND company_code OPERATOR(pg_catalog.=) $2", TEXTOID, CStringGetTextDatum(card->company_code));
	if (card->personal_code)
		Lookup(&cand, tenant_id, &personal_code_plan,
			   "SELECT id FROM client_registry.client WHERE tenant_id OPERATOR(pg_catalog.=) $1"
			   " AND personal_code OPERATOR(pg_catalog.=) $2 AND personal_code IS NOT NULL",
			   TEXTOID, CStringGetTextDatum(card->personal_code));
	if (card->vat_code)
		Lookup(&cand, tenant_id, &vat_code_plan,
			   "SELECT id FROM client_registry.client WHERE tenant_id OPERATOR(pg_catalog.=) $1"
			   " AND vat_code OPERATOR(pg_catalog.=) $2", TEXTOID, CStringGetTextDatum(card->vat_code));
	if (card->phone)
		Lookup(&cand, tenant_id, &phone_plan,
			   "SELECT id FROM client_registry.client WHERE tenant_id OPERATOR(pg_catalog.=) $1"
			   " AND client_registry.phone_key(phone) OPERATOR(pg_catalog.=) $2 AND phone IS NOT NULL",
			   TEXTOID, CStringGetTextDatum(card->phone));
	if (card->email)
		Lookup(&cand, tenant_id, &email_plan,
			   "SELECT id FROM client_registry.client c WHERE c.tenant_id OPERATOR(pg_catalog.=) $1"
			   " AND pg_catalog.lower(pg_catalog.btrim(c.email)) OPERATOR(pg_catalog.=) $2 AND c.email IS NOT NULL",
			   TEXTOID, CStringGetTextDatum(card->email));
	foreach(lc, ibans)
		Lookup(&cand, tenant_id, &iban_plan,
			   "SELECT DISTINCT client_id FROM client_registry.client_bank_account"
			   " WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND iban OPERATOR(pg_catalog.=) $2",
			   TEXTOID, CStringGetTextDatum((char *) lfirst(lc)));
	/*
	 * the name: the cards sharing a name key (client_name_keys_idx); not
	 * for a person, whom a name alone never links (R2.2: the codes, IBAN,
	 * e-mail and phone above find every candidate that can score)
	 */
	if (!card->person)
	{
		int			nkeys;
		char	  **keys = CrNameKeys(card->name, &nkeys);

		if (nkeys > 0)
		{
			Datum	   *d = palloc(sizeof(Datum) * nkeys);

			for (int i = 0; i < nkeys; i++)
				d[i] = CStringGetTextDatum(keys[i]);
			Lookup(&cand, tenant_id, &name_plan,
				   "SELECT c.id FROM client_registry.client c WHERE c.tenant_id OPERATOR(pg_catalog.=) $1"
				   " AND client_registry.client_name_keys(c.name) OPERATOR(pg_catalog.&&) $2"
				   " LIMIT " CppAsString2(MAX_NAME_CANDIDATES),
				   TEXTARRAYOID, PointerGetDatum(construct_array(d, nkeys, TEXTOID, -1, false, TYPALIGN_INT)));
		}
	}

	/* the candidates' cards, each once */
	if (cand.n > 0)
	{
		Datum	   *ids = palloc(sizeof(Datum) * cand.n);
		int			n = 0;

		qsort(cand.ids, cand.n, sizeof(int64), CompareInt64);
		for (int i = 0; i < cand.n; i++)
			if ((i == 0 || cand.ids[i] != cand.ids[i - 1]) && cand.ids[i] != card->id)
				ids[n++] = Int64GetDatum(cand.ids[i]);
		if (n > 0)
			ReadCards(&tn, CARD_COLUMNS " AND c.id OPERATOR(pg_catalog.=) ANY ($2) ORDER BY c.id",
					  "SELECT client_id, iban FROM client_registry.client_bank_account"
					  " WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND client_id OPERATOR(pg_catalog.=) ANY ($2)",
					  PointerGetDatum(construct_array(ids, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE)));
	}
	if (card->id != 0)
		ReadMarks(&tn);

	scored = palloc(sizeof(Scored) * Max(tn.ncards, 1));
	for (int i = 0; i < tn.ncards; i++)
	{
		DupLink		l;

		if (!DupPairScore(card, &tn.cards[i], &l) || l.score < min_score)
			continue;
		if (card->id != 0 && CannotLink(&tn, card->id, tn.cards[i].id))
			continue;
		scored[nscored].card = i;
		scored[nscored].l = l;
		nscored++;
	}
	if (nscored > 0)
		qsort(scored, nscored, sizeof(Scored), CompareScored);

	for (int i = 0; i < nscored; i++)
	{
		DupCard    *d = &tn.cards[scored[i].card];
		Datum		out[6];
		bool		nulls[6] = {false, false, false, false, false, false};
		MemoryContext old;

		out[0] = Int64GetDatum(d->id);
		out[1] = CStringGetTextDatum(d->name);
		out[2] = Float4GetDatum(scored[i].l.score);
		out[3] = CStringGetTextDatum(scored[i].l.score >= DUP_STRONG ? "strong" : "weak");
		out[4] = EvidenceArray(scored[i].l.evidence);
		out[5] = Float4GetDatum(scored[i].l.name_similarity);
		old = MemoryContextSwitchTo(caller);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, out, nulls);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
}

PG_FUNCTION_INFO_V1(cr_client_duplicates);

/*
 * client_duplicates(client_id bigint, min_score real) RETURNS TABLE
 * (duplicate_id, duplicate_name, score, strength, evidence, name_similarity)
 */
Datum
cr_client_duplicates(PG_FUNCTION_ARGS)
{
	float4		min_score = MinScoreArg(fcinfo, 1);
	int64		client_id;
	int32		tenant_id = CrCurrentTenant();
	Oid			types[2] = {INT4OID, INT8OID};
	Datum		values[2];
	DupCard		card;
	List	   *ibans = NIL;
	MemoryContext caller = CurrentMemoryContext;
	int			ret;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("client_id must not be NULL")));
	client_id = PG_GETARG_INT64(0);
	InitMaterializedSRF(fcinfo, 0);

	SPI_connect();
	values[0] = Int32GetDatum(tenant_id);
	values[1] = Int64GetDatum(client_id);
	ret = SPI_execute_with_args(CARD_COLUMNS " AND c.id OPERATOR(pg_catalog.=) $2",
								2, types, values, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading client %ld failed", (long) client_id);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_CR_MERGE_UNKNOWN),
				 errmsg("client %ld does not exist", (long) client_id),
				 errdetail("No client %ld is visible in the current tenant.", (long) client_id),
				 errhint("Check the id; a merged client's duplicates are its survivor's.")));
	{
		MemoryContext old = MemoryContextSwitchTo(caller);

		CardFromTuple(&card, SPI_tuptable->vals[0], SPI_tuptable->tupdesc);
		MemoryContextSwitchTo(old);
	}
	ret = SPI_execute_with_args("SELECT iban FROM client_registry.client_bank_account"
								" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND client_id OPERATOR(pg_catalog.=) $2",
								2, types, values, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading bank accounts failed");
	{
		MemoryContext old = MemoryContextSwitchTo(caller);

		for (uint64 i = 0; i < SPI_processed; i++)
		{
			char	   *iban = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);

			ibans = lappend(ibans, pstrdup(iban));
			AddIban(&card, IbanKey(iban, strlen(iban)));
		}
		MemoryContextSwitchTo(old);
	}
	SPI_finish();

	CheckCard(fcinfo, &card, ibans, min_score);
	return (Datum) 0;
}

static char *
OptionalText(FunctionCallInfo fcinfo, int arg)
{
	char	   *s;

	if (PG_ARGISNULL(arg))
		return NULL;
	s = text_to_cstring(PG_GETARG_TEXT_PP(arg));
	/* trimmed; empty is none */
	while (*s == ' ')
		s++;
	for (char *e = s + strlen(s); e > s && e[-1] == ' '; e--)
		e[-1] = '\0';
	return *s ? s : NULL;
}

PG_FUNCTION_INFO_V1(cr_card_duplicates);

/*
 * card_duplicates(name, company_code, vat_code, email, phone, iban,
 * personal_code, legal_form, country, min_score): the clients probably the
 * same party as a card not (yet) in the registry.
 */
Datum
cr_card_duplicates(PG_FUNCTION_ARGS)
{
	char	   *name = OptionalText(fcinfo, 0);
	float4		min_score = MinScoreArg(fcinfo, 9);
	char	   *legal_form = OptionalText(fcinfo, 7);
	char	   *iban = OptionalText(fcinfo, 5);
	char	   *phone = OptionalText(fcinfo, 4);
	char	   *vat = OptionalText(fcinfo, 2);
	char	   *email = OptionalText(fcinfo, 3);
	DupCard		card;
	List	   *ibans = NIL;

	if (name == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the name of the card to check is empty"),
				 errhint("Pass at least the name: card_duplicates(name => ..., company_code => ..., email => ...).")));
	InitMaterializedSRF(fcinfo, 0);
	memset(&card, 0, sizeof(card));
	DupCardSetName(&card, name);
	card.person = legal_form != NULL && strcmp(legal_form, "natural_person") == 0;
	card.country = OptionalText(fcinfo, 8);
	if (card.country == NULL)
		card.country = cr_default_country;
	card.company_code = OptionalText(fcinfo, 1);
	card.personal_code = OptionalText(fcinfo, 6);
	if (vat != NULL)
	{
		for (char *p = vat; *p; p++)
			*p = toupper((unsigned char) *p);
		card.vat_code = strcmp(vat, "ND") == 0 ? NULL : vat;
	}
	if (email != NULL)
	{
		for (char *p = email; *p; p++)
			*p = tolower((unsigned char) *p);
		card.email = email;
		card.email_domain = DupEmailDomain(email);
	}
	card.phone = phone ? CrPhoneKey(phone) : NULL;
	if (iban != NULL)
	{
		ibans = list_make1(NormalIban(iban));
		AddIban(&card, IbanKey(iban, strlen(iban)));
	}
	CheckCard(fcinfo, &card, ibans, min_score);
	return (Datum) 0;
}
