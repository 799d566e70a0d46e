/*
 * search_fragment.c
 *		The fragment step of search_clients() (the query inside a card):
 *		search_name_order_candidates(patterns, max_candidates), the cards the
 *		step has to look at, in the order it ranks them, without reading from
 *		the heap every card the trigram index proposes; and
 *		search_fragment_score(), the kind of match of one card.
 *
 * Why.  Step 3 of search_clients() (the query inside a card) ranks the cards
 * that contain the query by the kind of match, then by (name, id), and keeps
 * the first 20.  The trigram index client_search_idx proposes its candidates
 * in physical order, so the plain plan reads every candidate from the heap to
 * learn its name: a five-letter fragment of a common word matches thousands
 * of cards of a million, about 3 microseconds each even in cache, and the
 * search takes 15-35 ms.  Here the candidates are collected from the trigram
 * index as a bitmap of tuple ids (no heap access), and when there are many of
 * them the tenant's range of the b-tree client_name_order_idx (tenant_id,
 * name, id) is walked in order, keeping the entries that point at a
 * candidate: the first 20 matches by name come after about 20 x cards /
 * candidates index entries, and their names and ids come from the index
 * tuples (each checked visible to the snapshot in the heap, see "Row
 * versions").  Few candidates are read from the heap directly (following HOT
 * chains), which costs what the plain plan costs.
 *
 * What it returns: (client_ids, names, complete, candidates, tids).
 * Candidate cards of the current tenant as the snapshot sees them -- a
 * superset of the matches, which the caller confirms with the conditions of
 * the plain plan (row-level security, the is_active filter and the LIKE itself
 * apply there) -- either all of them (complete, in no particular order), or
 * the first max_candidates in (name, id) order (complete is false: the caller
 * asks again for more when too few of them were confirmed); the number of
 * tuple ids the trigram index proposed (all tenants', every version's); and
 * the tuple id of each candidate's visible version, which the caller reads
 * with a TID scan.  All NULL when this way does not apply and the caller must
 * run the plain plan: Citus is loaded (the cards are on the workers), the role
 * is not a member of the session's tenant or may not read the table, the table has row-level security policies other
 * than tenant_isolation (only the plain plan applies them), one of the two
 * indexes is missing, not valid or not what is expected, the bitmap went
 * lossy (more candidates than work_mem holds), or the walk read twenty index
 * entries per candidate without getting to max_candidates (the candidates are
 * mostly other tenants'; reading them costs less).  When a walk promises to
 * cost more than reading the candidates, they are read.
 *
 * Row versions.  The b-tree holds an entry for each version of a card that
 * changed an indexed column, each with the name of its version, and the
 * trigram index likewise; entries of rows other transactions are writing or
 * rolled back too.  Each entry the walk keeps is fetched from the heap with
 * the snapshot (following a HOT chain to the member it sees, which has the
 * entry's name and id: HOT updates change no indexed column); an entry whose
 * row version the snapshot does not see is skipped.  So every card the
 * snapshot sees is met once, at the place of its visible name.
 *
 * Nothing here is visible to a role beyond what a SELECT on client shows it:
 * only the current tenant's entries are walked, and the function answers only
 * a member of that tenant (to anyone else NULL: search_clients() then runs
 * the plain plan, which finds nothing, as every read of a non-member) that
 * holds SELECT on the table and is subject to no policy but the tenant's.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relscan.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_am_d.h"
#include "catalog/pg_collation_d.h"
#include "catalog/pg_operator_d.h"
#include "catalog/pg_type_d.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/primnodes.h"
#include "nodes/tidbitmap.h"
#include "rewrite/rowsecurity.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"

#include "client_registry.h"
#include "shard_map.h"

/*
 * A walk visits at most this many index entries per candidate before it
 * gives up and leaves the step to the plain plan (which reads every
 * candidate): an index entry (read from a page in order, compared with the
 * sorted candidates) costs roughly a tenth of a candidate read from the heap
 * (a random page, a visibility check, a tuple to deform, the search text to
 * build and match).  A long walk means the candidates are mostly other
 * tenants' cards.
 */
#define WALK_ENTRIES_PER_CANDIDATE 20

/* The columns of client the two indexes are made of. */
typedef struct ClientColumns
{
	AttrNumber	tenant_id;
	AttrNumber	id;
	AttrNumber	name;
	Oid			name_collation;
	AttrNumber	search_text[8];	/* the arguments of client_search_text() */
} ClientColumns;

static const char *const search_text_columns[8] = {
	"name", "short_name", "first_name", "last_name", "company_code", "vat_code", "email", "phone"
};

/* What the caller gets. */
typedef struct Candidates
{
	Datum	   *ids;
	Datum	   *names;
	Datum	   *tids;			/* of the versions the snapshot sees */
	int			n;
	int			allocated;
} Candidates;

static void
AddCandidate(Candidates *out, int64 id, Datum name, ItemPointer tid)
{
	ItemPointer tid_copy = palloc(sizeof(ItemPointerData));

	if (out->n == out->allocated)
	{
		out->allocated = out->allocated == 0 ? 64 : out->allocated * 2;
		out->ids = out->ids ? repalloc(out->ids, sizeof(Datum) * out->allocated)
			: palloc(sizeof(Datum) * out->allocated);
		out->names = out->names ? repalloc(out->names, sizeof(Datum) * out->allocated)
			: palloc(sizeof(Datum) * out->allocated);
		out->tids = out->tids ? repalloc(out->tids, sizeof(Datum) * out->allocated)
			: palloc(sizeof(Datum) * out->allocated);
	}
	ItemPointerCopy(tid, tid_copy);
	out->ids[out->n] = Int64GetDatum(id);
	out->names[out->n] = PointerGetDatum(DatumGetTextPCopy(name));
	out->tids[out->n] = PointerGetDatum(tid_copy);
	out->n++;
}

static bool
LookUpColumns(Relation heap, ClientColumns *cols)
{
	Oid			relid = RelationGetRelid(heap);

	cols->tenant_id = get_attnum(relid, "tenant_id");
	cols->id = get_attnum(relid, "id");
	cols->name = get_attnum(relid, "name");
	if (cols->tenant_id == InvalidAttrNumber || cols->id == InvalidAttrNumber
		|| cols->name == InvalidAttrNumber)
		return false;
	cols->name_collation = TupleDescAttr(RelationGetDescr(heap), cols->name - 1)->attcollation;
	for (int i = 0; i < 8; i++)
	{
		cols->search_text[i] = get_attnum(relid, search_text_columns[i]);
		if (cols->search_text[i] == InvalidAttrNumber)
			return false;
	}
	return true;
}

/*
 * Is the row-level security the current role is under on client exactly the
 * tenant's policy (or none, for the owner)?  Another policy restricts rows
 * in a way only the planner applies.
 */
static bool
OnlyTenantPolicy(Relation heap)
{
	ListCell   *lc;

	if (check_enable_rls(RelationGetRelid(heap), InvalidOid, true) != RLS_ENABLED)
		return true;
	if (heap->rd_rsdesc == NULL)
		return false;
	foreach(lc, heap->rd_rsdesc->policies)
	{
		RowSecurityPolicy *policy = (RowSecurityPolicy *) lfirst(lc);

		if (strcmp(policy->policy_name, "tenant_isolation") != 0)
			return false;
	}
	return true;
}

/* The b-tree on (tenant_id, name, id), plain and valid. */
static bool
IsNameOrderIndex(Relation index, const ClientColumns *cols)
{
	Form_pg_index form = index->rd_index;

	return index->rd_rel->relam == BTREE_AM_OID && form->indisvalid && form->indisready
		&& form->indnkeyatts == 3
		&& form->indkey.values[0] == cols->tenant_id
		&& form->indkey.values[1] == cols->name
		&& form->indkey.values[2] == cols->id
		&& index->rd_indcollation[1] == cols->name_collation
		&& RelationGetIndexPredicate(index) == NIL
		&& index->rd_indoption[1] == 0;	/* ascending, nulls last */
}

/*
 * The GIN index on client_search_text(name, short_name, first_name,
 * last_name, company_code, vat_code, email, phone), valid, whose operator
 * class answers LIKE (gin_trgm_ops); *like_strategy is the strategy number of
 * LIKE in it.
 */
static bool
IsSearchTextIndex(Relation index, const ClientColumns *cols, StrategyNumber *like_strategy)
{
	Form_pg_index form = index->rd_index;
	List	   *exprs;
	FuncExpr   *fexpr;
	ListCell   *lc;
	int			i = 0;

	if (index->rd_rel->relam != GIN_AM_OID || !form->indisvalid || !form->indisready
		|| form->indnkeyatts != 1 || form->indkey.values[0] != 0
		|| RelationGetIndexPredicate(index) != NIL)
		return false;
	exprs = RelationGetIndexExpressions(index);
	if (list_length(exprs) != 1 || !IsA(linitial(exprs), FuncExpr))
		return false;
	fexpr = (FuncExpr *) linitial(exprs);
	if (get_func_namespace(fexpr->funcid) != get_namespace_oid(CR_SCHEMA, false)
		|| strcmp(get_func_name(fexpr->funcid), "client_search_text") != 0
		|| list_length(fexpr->args) != 8)
		return false;
	foreach(lc, fexpr->args)
	{
		Var		   *var = (Var *) lfirst(lc);

		if (!IsA(var, Var) || var->varattno != cols->search_text[i++])
			return false;
	}
	*like_strategy = get_op_opfamily_strategy(OID_TEXT_LIKE_OP, index->rd_opfamily[0]);
	return *like_strategy != InvalidStrategy;
}

/*
 * Does a walk promise to cost less than reading every candidate?  Among n
 * cards of which ntids are candidates, the first max_candidates come after
 * about max_candidates * n / ntids index entries, each a twentieth of a
 * candidate read.  n is the table's row count as last analyzed (every
 * tenant's: a tenant's share of candidates is taken to be its share of
 * cards); never analyzed, the walk is tried (its budget bounds it).
 */
static bool
WalkPays(Relation heap, int ntids, int max_candidates)
{
	double		cards = heap->rd_rel->reltuples;

	if (cards <= 0)
		return true;
	return (double) max_candidates * cards / ntids < (double) ntids * WALK_ENTRIES_PER_CANDIDATE;
}

static int
CompareTids(const void *a, const void *b)
{
	return ItemPointerCompare((ItemPointer) a, (ItemPointer) b);
}

/*
 * The tuple ids the trigram index proposes for any of the LIKE patterns,
 * sorted; false when the bitmap went lossy (a page without its tuples).
 */
static bool
CollectCandidateTids(Relation index, StrategyNumber like_strategy, ArrayType *patterns,
					 Snapshot snapshot, ItemPointerData **tids_out, int *ntids_out)
{
	TIDBitmap  *bitmap = tbm_create(work_mem * 1024L, NULL);
	TBMIterator *iterator;
	TBMIterateResult *page;
	Datum	   *pattern_values;
	bool	   *pattern_nulls;
	int			npatterns;
	ItemPointerData *tids = NULL;
	int			ntids = 0;
	int			allocated = 0;
	bool		exact = true;

	deconstruct_array(patterns, TEXTOID, -1, false, TYPALIGN_INT,
					  &pattern_values, &pattern_nulls, &npatterns);
	for (int i = 0; i < npatterns; i++)
	{
		ScanKeyData key;
		IndexScanDesc scan;

		if (pattern_nulls[i])
			continue;
		ScanKeyEntryInitialize(&key, 0, 1, like_strategy, TEXTOID,
							   index->rd_indcollation[0], F_TEXTLIKE, pattern_values[i]);
		scan = index_beginscan_bitmap(index, snapshot, 1);
		index_rescan(scan, &key, 1, NULL, 0);
		index_getbitmap(scan, bitmap);
		index_endscan(scan);
	}

	iterator = tbm_begin_iterate(bitmap);
	while ((page = tbm_iterate(iterator)) != NULL)
	{
		if (page->ntuples < 0)
		{
			exact = false;
			break;
		}
		for (int i = 0; i < page->ntuples; i++)
		{
			if (ntids == allocated)
			{
				allocated = allocated == 0 ? 1024 : allocated * 2;
				tids = tids ? repalloc(tids, sizeof(ItemPointerData) * allocated)
					: palloc(sizeof(ItemPointerData) * allocated);
			}
			ItemPointerSet(&tids[ntids], page->blockno, page->offsets[i]);
			ntids++;
		}
	}
	tbm_end_iterate(iterator);
	tbm_free(bitmap);
	/* pages come in block order, the offsets of a page in order */
	*tids_out = tids;
	*ntids_out = ntids;
	return exact;
}

/*
 * Walks the tenant's entries of the name-order index and adds the cards whose
 * entry points at a candidate, up to max_out of them.  False when the walk
 * visited budget entries first (out is then left partly filled: the caller
 * empties it).  *walked_all tells whether the tenant's range was read to its
 * end.
 */
static bool
WalkNameOrder(Relation heap, Relation index, int32 tenant, Snapshot snapshot,
			  const ItemPointerData *tids, int ntids, int max_out, int64 budget,
			  Candidates *out, bool *walked_all)
{
	IndexFetchTableData *fetch = table_index_fetch_begin(heap);
	TupleTableSlot *slot = table_slot_create(heap, NULL);
	ScanKeyData key;
	IndexScanDesc scan;
	ItemPointer tid;
	int64		visited = 0;
	int64		last_id = 0;
	text	   *last_name = NULL;
	bool		within_budget = true;
	Datum		values[INDEX_MAX_KEYS];
	bool		nulls[INDEX_MAX_KEYS];

	*walked_all = true;
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT4EQ, Int32GetDatum(tenant));
	scan = index_beginscan(heap, index, snapshot, 1, 0);
	scan->xs_want_itup = true;
	index_rescan(scan, &key, 1, NULL, 0);
	while ((tid = index_getnext_tid(scan, ForwardScanDirection)) != NULL)
	{
		int64		id;
		text	   *name;

		if (++visited > budget)
		{
			within_budget = false;
			break;
		}
		if ((visited & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		if (bsearch(tid, tids, ntids, sizeof(ItemPointerData), CompareTids) == NULL)
			continue;
		/*
		 * Only a version this snapshot sees: an entry may be of a row another
		 * transaction is writing, rolled back or deleted -- its name is not
		 * the caller's to see.  The version (of a HOT chain: the member the
		 * snapshot sees) has the entry's name and id.
		 */
		{
			ItemPointerData heap_tid = *tid;
			bool		call_again = false;
			bool		all_dead = false;

			if (!table_index_fetch_tuple(fetch, &heap_tid, snapshot, slot, &call_again, &all_dead))
				continue;
		}
		index_deform_tuple(scan->xs_itup, scan->xs_itupdesc, values, nulls);
		if (nulls[1] || nulls[2])
			continue;			/* no such card: name and id are NOT NULL */
		id = DatumGetInt64(values[2]);
		name = DatumGetTextPP(values[1]);
		/* the entries of two versions of a card with the same name */
		if (last_name != NULL && id == last_id
			&& VARSIZE_ANY_EXHDR(name) == VARSIZE_ANY_EXHDR(last_name)
			&& memcmp(VARDATA_ANY(name), VARDATA_ANY(last_name), VARSIZE_ANY_EXHDR(name)) == 0)
			continue;
		if (out->n == max_out)
		{
			*walked_all = false;
			break;
		}
		AddCandidate(out, id, PointerGetDatum(name), &slot->tts_tid);
		ExecClearTuple(slot);
		last_id = id;
		last_name = DatumGetTextPP(out->names[out->n - 1]);
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	table_index_fetch_end(fetch);
	return within_budget;
}

/*
 * Reads every candidate from the heap (the visible member of its HOT chain)
 * and adds the current tenant's cards.
 */
static void
ReadCandidates(Relation heap, const ClientColumns *cols, int32 tenant, Snapshot snapshot,
			   const ItemPointerData *tids, int ntids, Candidates *out)
{
	IndexFetchTableData *fetch = table_index_fetch_begin(heap);
	TupleTableSlot *slot = table_slot_create(heap, NULL);

	for (int i = 0; i < ntids; i++)
	{
		ItemPointerData tid = tids[i];
		bool		call_again = false;
		bool		all_dead = false;
		bool		isnull;
		Datum		value;

		if ((i & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		if (!table_index_fetch_tuple(fetch, &tid, snapshot, slot, &call_again, &all_dead))
			continue;
		value = slot_getattr(slot, cols->tenant_id, &isnull);
		if (isnull || DatumGetInt32(value) != tenant)
			continue;
		value = slot_getattr(slot, cols->id, &isnull);
		if (isnull)
			continue;
		{
			int64		id = DatumGetInt64(value);
			Datum		name = slot_getattr(slot, cols->name, &isnull);

			if (!isnull)
				AddCandidate(out, id, name, &slot->tts_tid);
		}
		ExecClearTuple(slot);
	}
	ExecDropSingleTupleTableSlot(slot);
	table_index_fetch_end(fetch);
}

static Relation
OpenClientIndex(Relation heap, const char *name)
{
	Oid			relid = get_relname_relid(name, RelationGetNamespace(heap));

	if (!OidIsValid(relid) || get_rel_relkind(relid) != RELKIND_INDEX)
		return NULL;
	return index_open(relid, AccessShareLock);
}

PG_FUNCTION_INFO_V1(cr_search_name_order_candidates);

/*
 * search_name_order_candidates(patterns text[], max_candidates integer,
 *   OUT client_ids bigint[], OUT names text[], OUT complete boolean,
 *   OUT candidates integer, OUT tids tid[])
 * STABLE: see the file comment.
 */
Datum
cr_search_name_order_candidates(PG_FUNCTION_ARGS)
{
	ArrayType  *patterns;
	int32		max_candidates;
	TupleDesc	tupdesc;
	Datum		result[5];
	bool		result_nulls[5] = {true, true, true, true, true};
	int32		tenant;
	Oid			relid;
	Relation	heap;
	Relation	name_index = NULL;
	Relation	text_index = NULL;
	ClientColumns cols;
	StrategyNumber like_strategy;
	Snapshot	snapshot;
	ItemPointerData *tids;
	int			ntids;
	Candidates	out = {0};
	bool		complete = true;
	bool		applies = false;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "search_name_order_candidates must return a record");
	tupdesc = BlessTupleDesc(tupdesc);
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_GETARG_INT32(1) <= 0)
		PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, result, result_nulls)));
	patterns = PG_GETARG_ARRAYTYPE_P(0);
	max_candidates = PG_GETARG_INT32(1);

	relid = get_relname_relid("client", get_namespace_oid(CR_SCHEMA, false));
	if (CrCitusLoaded() || !OidIsValid(relid) || !CrCurrentTenantIfMember(&tenant)
		|| pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, result, result_nulls)));

	heap = table_open(relid, AccessShareLock);
	if (OnlyTenantPolicy(heap) && LookUpColumns(heap, &cols))
	{
		name_index = OpenClientIndex(heap, "client_name_order_idx");
		text_index = OpenClientIndex(heap, "client_search_idx");
		applies = name_index != NULL && text_index != NULL
			&& IsNameOrderIndex(name_index, &cols)
			&& IsSearchTextIndex(text_index, &cols, &like_strategy);
	}
	snapshot = GetActiveSnapshot();
	if (applies && CollectCandidateTids(text_index, like_strategy, patterns, snapshot, &tids, &ntids))
	{
		if (ntids <= cr_search_name_walk_min || ntids <= max_candidates || !WalkPays(heap, ntids, max_candidates))
			ReadCandidates(heap, &cols, tenant, snapshot, tids, ntids, &out);
		else if (!WalkNameOrder(heap, name_index, tenant, snapshot, tids, ntids, max_candidates,
								(int64) ntids * WALK_ENTRIES_PER_CANDIDATE + 1000, &out, &complete))
			applies = false;	/* the tenant's range is long, the candidates elsewhere */
	}
	else
		applies = false;
	if (applies)
	{
		result[0] = PointerGetDatum(construct_array(out.ids, out.n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		result[1] = PointerGetDatum(construct_array(out.names, out.n, TEXTOID, -1, false, TYPALIGN_INT));
		result[2] = BoolGetDatum(complete);
		result[3] = Int32GetDatum(ntids);
		result[4] = PointerGetDatum(construct_array(out.tids, out.n, TIDOID, sizeof(ItemPointerData), false, TYPALIGN_SHORT));
		for (int i = 0; i < 5; i++)
			result_nulls[i] = false;
	}
	if (text_index != NULL)
		index_close(text_index, AccessShareLock);
	if (name_index != NULL)
		index_close(name_index, AccessShareLock);
	table_close(heap, AccessShareLock);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, result, result_nulls)));
}

PG_FUNCTION_INFO_V1(cr_search_fragment_score);

/*
 * search_fragment_score(search_text, is_code, pattern, word_pattern,
 * compact_pattern) RETURNS real, IMMUTABLE: how a card's search text matches
 * a fragment search -- 1.0 the text matches pattern and the card's code is
 * the query (is_code), 0.9 the match starts a word (' ' || search_text LIKE
 * word_pattern), 0.8 inside a word, or only in the compact form of the query
 * (compact_pattern, NULL when the query has none); 0 no match.  The LIKEs in
 * the collation of the call, as the plain statements compare.
 */
Datum
cr_search_fragment_score(PG_FUNCTION_ARGS)
{
	Oid			collation = OidIsValid(PG_GET_COLLATION()) ? PG_GET_COLLATION() : DEFAULT_COLLATION_OID;
	Datum		search_text;

	if (PG_ARGISNULL(0))
		PG_RETURN_FLOAT4(0);
	search_text = PG_GETARG_DATUM(0);
	if (!PG_ARGISNULL(2)
		&& DatumGetBool(DirectFunctionCall2Coll(textlike, collation, search_text, PG_GETARG_DATUM(2))))
	{
		text	   *spaced;
		text	   *t = PG_GETARG_TEXT_PP(0);
		bool		at_word;

		if (!PG_ARGISNULL(1) && PG_GETARG_BOOL(1))
			PG_RETURN_FLOAT4(1.0f);
		if (PG_ARGISNULL(3))
			PG_RETURN_FLOAT4(0.8f);
		spaced = palloc(VARHDRSZ + 1 + VARSIZE_ANY_EXHDR(t));
		SET_VARSIZE(spaced, VARHDRSZ + 1 + VARSIZE_ANY_EXHDR(t));
		VARDATA(spaced)[0] = ' ';
		memcpy(VARDATA(spaced) + 1, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
		at_word = DatumGetBool(DirectFunctionCall2Coll(textlike, collation, PointerGetDatum(spaced),
													   PG_GETARG_DATUM(3)));
		pfree(spaced);
		PG_RETURN_FLOAT4(at_word ? 0.9f : 0.8f);
	}
	if (!PG_ARGISNULL(4)
		&& DatumGetBool(DirectFunctionCall2Coll(textlike, collation, search_text, PG_GETARG_DATUM(4))))
		PG_RETURN_FLOAT4(0.8f);
	PG_RETURN_FLOAT4(0);
}
