/*
 * camt053_import.c
 *		import_camt053(document text): records every entry of a camt.053
 *		statement, identifies the counterparty, turns matched entries into
 *		payments and runs the clients' automatic settlement (R3.4, R4.5).
 *
 * Per Stmt of the document:
 *	1. the statement's account must be a bank account of the tenant's own
 *	   company (client_bank_account, compact IBAN); otherwise SQLSTATE R3401.
 *	   Its ledger_account is recorded on the statement;
 *	2. the statement row is inserted, or found when it was imported before
 *	   (key: tenant, own account, Stmt/Id);
 *	3. every entry is inserted with ON CONFLICT DO NOTHING on (tenant, own
 *	   account, entry_key): an entry imported before -- by this statement
 *	   or another one -- is skipped, and a concurrent import of the same
 *	   entry waits for the first one and then skips it;
 *	4. the new entries are matched, set-wise (camt053_match_sql): by the
 *	   counterparty IBAN among the clients' bank accounts, then by invoice
 *	   numbers in the remittance information, then by the counterparty's
 *	   company code; each match records its reason, ambiguities a note;
 *	5. matched booked entries become payments (CRDT = in, DBIT = out;
 *	   reference = entry_key), linked from the entry;
 *	6. settle_automatically() runs for each client that got a payment.
 * Everything happens in the caller's transaction: an error anywhere
 * (malformed file, unknown account, a rule of the payment triggers) leaves
 * nothing behind.  The caller's rights and row-level security apply.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

#include "camt053_parse.h"
#include "client_registry.h"
#include "trigger_support.h"

PG_FUNCTION_INFO_V1(cr_import_camt053);

#define ENTRY_NARGS 34

typedef struct ImportState
{
	/* per statement */
	int64		statement_id;
	int64		own_account_id;
	char	   *ledger_account;
	int			entries;
	int			duplicates;
	int64	   *new_ids;
	int			n_new;
	int			max_new;
	/* the result */
	Tuplestorestate *tupstore;
	TupleDesc	tupdesc;
} ImportState;

static SPIPlanPtr own_account_plan = NULL;
static SPIPlanPtr statement_insert_plan = NULL;
static SPIPlanPtr statement_find_plan = NULL;
static SPIPlanPtr entry_insert_plan = NULL;
static SPIPlanPtr match_iban_plan = NULL;
static SPIPlanPtr match_invoice_plan = NULL;
static SPIPlanPtr match_company_plan = NULL;
static SPIPlanPtr note_plan = NULL;
static SPIPlanPtr payment_plan = NULL;
static SPIPlanPtr link_existing_plan = NULL;
static SPIPlanPtr settle_plan = NULL;
static SPIPlanPtr counts_plan = NULL;

static void
PreparePlans(void)
{
	Oid			t1[2] = {TEXTOID, TEXTOID};
	Oid			tstmt[8] = {INT8OID, INT8OID, TEXTOID, TEXTOID, TEXTOID, INT4OID, TEXTOID, TEXTOID};
	Oid			tfind[2] = {INT8OID, TEXTOID};
	Oid			tarr[1] = {INT8ARRAYOID};
	Oid			tentry[ENTRY_NARGS];
	int			i;

	if (counts_plan != NULL)
		return;
	for (i = 0; i < ENTRY_NARGS; i++)
		tentry[i] = TEXTOID;
	tentry[0] = INT8OID;		/* statement_id */
	tentry[1] = INT8OID;		/* own_account_id */
	tentry[3] = INT4OID;		/* entry_number */
	tentry[4] = INT4OID;		/* tx_number */
	tentry[8] = BOOLOID;		/* reversal */

	own_account_plan = CrKeepPlan(
		"SELECT ba.id, ba.client_id, ba.ledger_account"
		"  FROM client_registry.client_bank_account ba"
		"  JOIN client_registry.client c ON c.tenant_id = ba.tenant_id AND c.id = ba.client_id"
		" WHERE ba.tenant_id = client_registry.current_tenant() AND c.kind = 'own_company'"
		"   AND ba.iban = $1"
		" ORDER BY (ba.currency = $2) DESC, ba.id LIMIT 1", 2, t1);
	statement_insert_plan = CrKeepPlan(
		"INSERT INTO client_registry.bank_statement (own_client_id, own_account_id, account, statement_ref,"
		"       message_id, camt_version, created_at_bank, from_date, to_date, ledger_account)"
		" SELECT $1, $2, $3, $4, $5, $6, $7::timestamptz, $8::date, NULL::date,"
		"        (SELECT ba.ledger_account FROM client_registry.client_bank_account ba WHERE ba.id = $2)"
		" ON CONFLICT (tenant_id, own_account_id, statement_ref) DO NOTHING RETURNING id", 8, tstmt);
	statement_find_plan = CrKeepPlan(
		"SELECT id FROM client_registry.bank_statement"
		" WHERE tenant_id = client_registry.current_tenant() AND own_account_id = $1 AND statement_ref = $2",
		2, tfind);
	entry_insert_plan = CrKeepPlan(
		"INSERT INTO client_registry.bank_entry (statement_id, own_account_id, entry_key, entry_number, tx_number,"
		"       amount, currency, credit_debit, reversal, status, booking_date, value_date, acct_svcr_ref,"
		"       ntry_ref, bank_tx_code, bank_tx_proprietary, end_to_end_id, instruction_id, mandate_id,"
		"       counterparty_name, counterparty_iban, counterparty_account, counterparty_org_id,"
		"       counterparty_org_scheme, counterparty_private_id, counterparty_bic, remittance,"
		"       creditor_reference, document_numbers, additional_info, return_reason)"
		" VALUES ($1, $2, $3, $4, $5, $6::numeric, $7, $8, $9, $10, $11::date, $12::date, $13, $14, $15, $16,"
		"         $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31)"
		" ON CONFLICT (tenant_id, own_account_id, entry_key) DO NOTHING RETURNING id", 31, tentry);

	/* (1) IBAN: exactly one client (not the own company) has it */
	match_iban_plan = CrKeepPlan(
		"UPDATE client_registry.bank_entry e"
		"   SET client_id = m.client_id, match_reason = 'iban', matched_at = pg_catalog.now()"
		"  FROM (SELECT x.id, pg_catalog.min(ba.client_id) AS client_id"
		"          FROM client_registry.bank_entry x"
		"          JOIN client_registry.client_bank_account ba"
		"            ON ba.tenant_id = x.tenant_id AND ba.iban = x.counterparty_iban"
		"          JOIN client_registry.client c ON c.tenant_id = ba.tenant_id AND c.id = ba.client_id"
		"         WHERE x.id = ANY ($1) AND c.kind <> 'own_company'"
		"         GROUP BY x.id HAVING pg_catalog.count(DISTINCT ba.client_id) = 1) m"
		" WHERE e.id = m.id", 1, tarr);
	/*
	 * (2) invoice numbers: a word of the remittance information (Ustrd,
	 * RfrdDocInf/Nb, CdtrRefInf/Ref) equal to the number of a posted
	 * invoice in the entry's direction (sales for money in, purchases for
	 * money out); all such invoices must belong to one client.
	 */
	match_invoice_plan = CrKeepPlan(
		"UPDATE client_registry.bank_entry e"
		"   SET client_id = m.client_id, match_reason = 'invoice_number', matched_at = pg_catalog.now(),"
		"       matched_invoice_id = CASE WHEN m.invoices = 1 THEN m.invoice_id END"
		"  FROM (SELECT x.id, pg_catalog.min(i.client_id) AS client_id, pg_catalog.min(i.id) AS invoice_id,"
		"               pg_catalog.count(DISTINCT i.id) AS invoices"
		"          FROM client_registry.bank_entry x"
		"          CROSS JOIN LATERAL (SELECT DISTINCT pg_catalog.btrim(w, '.:()[]') AS word"
		"                 FROM pg_catalog.regexp_split_to_table("
		"                      pg_catalog.concat_ws(' ', x.remittance, x.document_numbers, x.creditor_reference),"
		"                      '[[:space:],;]+') AS w) t"
		"          JOIN client_registry.invoice i ON i.tenant_id = x.tenant_id AND i.number = t.word"
		"           AND i.status = 'posted'"
		"           AND i.direction = CASE x.credit_debit WHEN 'CRDT' THEN 'sale'"
		"                                 ELSE 'purchase' END::client_registry.document_direction"
		"         WHERE x.id = ANY ($1) AND x.client_id IS NULL AND t.word <> ''"
		"         GROUP BY x.id HAVING pg_catalog.count(DISTINCT i.client_id) = 1) m"
		" WHERE e.id = m.id", 1, tarr);
	/* (3) the counterparty's organisation id is a client's company code */
	match_company_plan = CrKeepPlan(
		"UPDATE client_registry.bank_entry e"
		"   SET client_id = m.client_id, match_reason = 'company_code', matched_at = pg_catalog.now()"
		"  FROM (SELECT x.id, pg_catalog.min(c.id) AS client_id"
		"          FROM client_registry.bank_entry x"
		"          JOIN client_registry.client c ON c.tenant_id = x.tenant_id"
		"           AND c.company_code = pg_catalog.upper(pg_catalog.regexp_replace(x.counterparty_org_id, '[[:space:]]', '', 'g'))"
		"           AND c.legal_form = 'legal_entity' AND c.kind <> 'own_company'"
		"         WHERE x.id = ANY ($1) AND x.client_id IS NULL"
		"         GROUP BY x.id HAVING pg_catalog.count(DISTINCT c.id) = 1) m"
		" WHERE e.id = m.id", 1, tarr);
	/* why an entry waits in the queue */
	note_plan = CrKeepPlan(
		"UPDATE client_registry.bank_entry e SET match_note = CASE"
		"   WHEN e.status <> 'BOOK' THEN 'not booked (status ' || e.status || '): recorded only'"
		"   WHEN EXISTS (SELECT 1 FROM client_registry.client_bank_account ba"
		"                  JOIN client_registry.client c ON c.tenant_id = ba.tenant_id AND c.id = ba.client_id"
		"                 WHERE ba.tenant_id = e.tenant_id AND ba.iban = e.counterparty_iban AND c.kind = 'own_company')"
		"        THEN 'transfer between own accounts'"
		"   WHEN (SELECT pg_catalog.count(DISTINCT ba.client_id) FROM client_registry.client_bank_account ba"
		"          WHERE ba.tenant_id = e.tenant_id AND ba.iban = e.counterparty_iban) > 1"
		"        THEN 'IBAN ' || e.counterparty_iban || ' belongs to several clients'"
		"   WHEN e.counterparty_iban IS NULL AND e.counterparty_account IS NULL AND e.counterparty_name IS NULL"
		"        THEN 'no counterparty in the statement'"
		"   ELSE 'no client with this IBAN, invoice number or company code' END"
		" WHERE e.id = ANY ($1) AND e.client_id IS NULL", 1, tarr);
	/* matched booked entries become payments; the reference is the entry key */
	payment_plan = CrKeepPlan(
		"WITH p AS ("
		" INSERT INTO client_registry.payment (client_id, direction, payment_date, amount, currency, reference,"
		"        description, invoice_id)"
		" SELECT e.client_id, CASE e.credit_debit WHEN 'CRDT' THEN 'in' ELSE 'out' END::client_registry.payment_direction,"
		"        COALESCE(e.booking_date, e.value_date), e.amount, e.currency, e.entry_key,"
		"        NULLIF(pg_catalog.concat_ws(' ', e.remittance, e.document_numbers, e.creditor_reference), ''),"
		"        e.matched_invoice_id"
		"   FROM client_registry.bank_entry e"
		"  WHERE e.id = ANY ($1) AND e.client_id IS NOT NULL AND e.status = 'BOOK' AND e.amount > 0"
		"  ORDER BY e.id"
		" ON CONFLICT (tenant_id, reference) WHERE reference IS NOT NULL DO NOTHING"
		" RETURNING id, reference)"
		" UPDATE client_registry.bank_entry e SET payment_id = p.id"
		"   FROM p WHERE e.id = ANY ($1) AND e.entry_key = p.reference", 1, tarr);
	/*
	 * A payment recorded before with this bank reference (entered by hand,
	 * say) is linked when it is the same money: client, direction, amount
	 * and currency; otherwise the entry waits in the queue with a note.
	 */
	link_existing_plan = CrKeepPlan(
		"UPDATE client_registry.bank_entry e"
		"   SET payment_id = CASE WHEN p.client_id = e.client_id AND p.amount = e.amount AND p.currency = e.currency"
		"                          AND p.direction = CASE e.credit_debit WHEN 'CRDT' THEN 'in' ELSE 'out' END"
		"                              ::client_registry.payment_direction THEN p.id END,"
		"       match_note = CASE WHEN p.client_id = e.client_id AND p.amount = e.amount AND p.currency = e.currency"
		"                          AND p.direction = CASE e.credit_debit WHEN 'CRDT' THEN 'in' ELSE 'out' END"
		"                              ::client_registry.payment_direction"
		"                         THEN 'linked to payment ' || p.id || ' recorded before with this reference'"
		"                         ELSE 'payment ' || p.id || ' already uses the reference ' || e.entry_key END"
		"  FROM client_registry.payment p"
		" WHERE e.id = ANY ($1) AND e.client_id IS NOT NULL AND e.payment_id IS NULL AND e.status = 'BOOK'"
		"   AND e.amount > 0 AND p.tenant_id = e.tenant_id AND p.reference = e.entry_key", 1, tarr);
	settle_plan = CrKeepPlan(
		"SELECT COALESCE(pg_catalog.sum(client_registry.settle_automatically(c.id)), 0)::int4"
		"  FROM client_registry.client c"
		" WHERE c.tenant_id = client_registry.current_tenant() AND c.settlement_mode <> 'off'"
		"   AND c.id IN (SELECT e.client_id FROM client_registry.bank_entry e"
		"                 WHERE e.id = ANY ($1) AND e.payment_id IS NOT NULL)", 1, tarr);
	counts_plan = CrKeepPlan(
		"SELECT pg_catalog.count(*) FILTER (WHERE client_id IS NOT NULL)::int4,"
		"       pg_catalog.count(*) FILTER (WHERE payment_id IS NULL AND status = 'BOOK')::int4,"
		"       pg_catalog.count(*) FILTER (WHERE payment_id IS NOT NULL)::int4"
		"  FROM client_registry.bank_entry WHERE id = ANY ($1)", 1, tarr);
}

static Datum
TextOrNull(const char *s, char *nulls, int i)
{
	if (s == NULL)
	{
		nulls[i] = 'n';
		return (Datum) 0;
	}
	nulls[i] = ' ';
	return CStringGetTextDatum(s);
}

static void
OnStatementBegin(CamtStatement *st, void *arg)
{
	ImportState *is = (ImportState *) arg;
	Datum		args[8];
	char		nulls[8];
	bool		isnull;
	int			ret;
	int64		own_client_id;

	args[0] = CStringGetTextDatum(st->account);
	nulls[0] = ' ';
	args[1] = TextOrNull(st->account_currency ? st->account_currency : "EUR", nulls, 1);
	ret = SPI_execute_plan(own_account_plan, args, nulls, false, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(MAKE_SQLSTATE('R', '3', '4', '0', '1')),
				 errmsg("account %s of statement \"%s\" is not a bank account of the own company of tenant %d",
						st->account, st->statement_ref, cr_current_tenant),
				 errdetail("A statement is imported into one of the own company's accounts (client_bank_account of the client of kind own_company)."),
				 errhint("Nothing was imported. Add the account to the own company's bank accounts (with its ledger account), or set client_registry.tenant to the right company.")));
	is->own_account_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	own_client_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	is->ledger_account = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);

	args[0] = Int64GetDatum(own_client_id);
	nulls[0] = ' ';
	args[1] = Int64GetDatum(is->own_account_id);
	nulls[1] = ' ';
	args[2] = TextOrNull(st->account, nulls, 2);
	args[3] = TextOrNull(st->statement_ref, nulls, 3);
	args[4] = TextOrNull(st->message_id, nulls, 4);
	args[5] = Int32GetDatum(st->version);
	nulls[5] = ' ';
	args[6] = TextOrNull(st->created, nulls, 6);
	args[7] = TextOrNull(st->from_date, nulls, 7);
	ret = SPI_execute_plan(statement_insert_plan, args, nulls, false, 1);
	if (ret != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
	{
		/* imported before: the same statement row */
		Datum		fargs[2] = {Int64GetDatum(is->own_account_id), CStringGetTextDatum(st->statement_ref)};

		ret = SPI_execute_plan(statement_find_plan, fargs, NULL, false, 1);
		if (ret != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "bank statement \"%s\" not found after a conflict", st->statement_ref);
	}
	is->statement_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (st->to_date != NULL)
	{
		/* keep the period's end too (simple follow-up update) */
		Oid			types[2] = {INT8OID, TEXTOID};
		Datum		uargs[2] = {Int64GetDatum(is->statement_id), CStringGetTextDatum(st->to_date)};

		ret = SPI_execute_with_args("UPDATE client_registry.bank_statement SET to_date = $2::date"
									" WHERE id = $1 AND to_date IS NULL",
									2, types, uargs, NULL, false, 0);
		if (ret != SPI_OK_UPDATE)
			elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(ret));
	}
	is->entries = 0;
	is->duplicates = 0;
	is->n_new = 0;
}

static void
OnEntry(CamtStatement *st, CamtEntry *e, void *arg)
{
	ImportState *is = (ImportState *) arg;
	Datum		a[31];
	char		n[31];
	int			ret;

	memset(n, ' ', sizeof(n));
	a[0] = Int64GetDatum(is->statement_id);
	a[1] = Int64GetDatum(is->own_account_id);
	a[2] = CStringGetTextDatum(e->entry_key);
	a[3] = Int32GetDatum(e->entry_number);
	a[4] = Int32GetDatum(e->tx_number);
	a[5] = CStringGetTextDatum(e->amount);
	a[6] = CStringGetTextDatum(e->currency);
	a[7] = CStringGetTextDatum(e->credit ? "CRDT" : "DBIT");
	a[8] = BoolGetDatum(e->reversal);
	a[9] = TextOrNull(e->status, n, 9);
	a[10] = TextOrNull(e->booking_date, n, 10);
	a[11] = TextOrNull(e->value_date, n, 11);
	a[12] = TextOrNull(e->acct_svcr_ref, n, 12);
	a[13] = TextOrNull(e->ntry_ref, n, 13);
	a[14] = TextOrNull(e->bank_tx_code, n, 14);
	a[15] = TextOrNull(e->bank_tx_proprietary, n, 15);
	a[16] = TextOrNull(e->end_to_end_id, n, 16);
	a[17] = TextOrNull(e->instruction_id, n, 17);
	a[18] = TextOrNull(e->mandate_id, n, 18);
	a[19] = TextOrNull(e->counterparty_name, n, 19);
	a[20] = TextOrNull(e->counterparty_iban, n, 20);
	a[21] = TextOrNull(e->counterparty_account, n, 21);
	a[22] = TextOrNull(e->counterparty_org_id, n, 22);
	a[23] = TextOrNull(e->counterparty_org_scheme, n, 23);
	a[24] = TextOrNull(e->counterparty_private_id, n, 24);
	a[25] = TextOrNull(e->counterparty_bic, n, 25);
	a[26] = TextOrNull(e->remittance, n, 26);
	a[27] = TextOrNull(e->creditor_reference, n, 27);
	a[28] = TextOrNull(e->document_numbers, n, 28);
	a[29] = TextOrNull(e->additional_info, n, 29);
	a[30] = TextOrNull(e->return_reason, n, 30);

	ret = SPI_execute_plan(entry_insert_plan, a, n, false, 1);
	if (ret != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(ret));
	is->entries++;
	if (SPI_processed == 0)
	{
		is->duplicates++;
		SPI_freetuptable(SPI_tuptable);
		return;
	}
	if (is->n_new == is->max_new)
	{
		is->max_new = is->max_new ? is->max_new * 2 : 256;
		is->new_ids = is->new_ids
			? repalloc_huge(is->new_ids, sizeof(int64) * is->max_new)
			: palloc(sizeof(int64) * is->max_new);
	}
	{
		bool		isnull;

		is->new_ids[is->n_new++] =
			DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		SPI_freetuptable(SPI_tuptable);
	}
}

static void
RunSet(SPIPlanPtr plan, Datum ids, int expected)
{
	int			ret = SPI_execute_plan(plan, &ids, NULL, false, 0);

	if (ret != expected)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(ret));
}

static void
OnStatementEnd(CamtStatement *st, void *arg)
{
	ImportState *is = (ImportState *) arg;
	Datum		ids;
	Datum		values[10];
	bool		nulls[10];
	bool		isnull;
	int			matched = 0,
				queued = 0,
				payments = 0,
				settlements = 0;
	Datum	   *elems;
	int			i;

	elems = palloc(sizeof(Datum) * Max(is->n_new, 1));
	for (i = 0; i < is->n_new; i++)
		elems[i] = Int64GetDatum(is->new_ids[i]);
	ids = PointerGetDatum(construct_array(elems, is->n_new, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));

	if (is->n_new > 0)
	{
		RunSet(match_iban_plan, ids, SPI_OK_UPDATE);
		RunSet(match_invoice_plan, ids, SPI_OK_UPDATE);
		RunSet(match_company_plan, ids, SPI_OK_UPDATE);
		RunSet(note_plan, ids, SPI_OK_UPDATE);
		RunSet(payment_plan, ids, SPI_OK_UPDATE);
		RunSet(link_existing_plan, ids, SPI_OK_UPDATE);
		RunSet(settle_plan, ids, SPI_OK_SELECT);
		settlements = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		RunSet(counts_plan, ids, SPI_OK_SELECT);
		matched = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		queued = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
		payments = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
	}

	/* the result row (the tuplestore lives in the caller's memory) */
	memset(nulls, false, sizeof(nulls));
	values[0] = Int64GetDatum(is->statement_id);
	values[1] = CStringGetTextDatum(st->statement_ref);
	values[2] = CStringGetTextDatum(st->account);
	if (is->ledger_account != NULL)
		values[3] = CStringGetTextDatum(is->ledger_account);
	else
		nulls[3] = true;
	values[4] = Int32GetDatum(is->entries);
	values[5] = Int32GetDatum(is->duplicates);
	values[6] = Int32GetDatum(matched);
	values[7] = Int32GetDatum(queued);
	values[8] = Int32GetDatum(payments);
	values[9] = Int32GetDatum(settlements);
	tuplestore_putvalues(is->tupstore, is->tupdesc, values, nulls);
	pfree(elems);
	is->n_new = 0;
}

/*
 * import_camt053(document text)
 *	RETURNS TABLE (statement_id, statement_ref, account, ledger_account,
 *	               entries, duplicates, matched, queued, payments, settlements)
 */
Datum
cr_import_camt053(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	text	   *doc = PG_GETARG_TEXT_PP(0);
	char	   *data = VARDATA_ANY(doc);
	size_t		len = VARSIZE_ANY_EXHDR(doc);
	ImportState is;
	CamtCallbacks cb;
	MemoryContext work_cxt,
				old;

	InitMaterializedSRF(fcinfo, 0);
	memset(&is, 0, sizeof(is));
	is.tupstore = rsinfo->setResult;
	is.tupdesc = rsinfo->setDesc;

	/* libxml2 reads UTF-8 */
	if (GetDatabaseEncoding() != PG_UTF8)
		data = (char *) pg_do_encoding_conversion((unsigned char *) data, (int) len,
												  GetDatabaseEncoding(), PG_UTF8);
	if (data != VARDATA_ANY(doc))
		len = strlen(data);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PreparePlans();

	/*
	 * Entries are read into a work context of our own (SPI's procedure
	 * context is reset only at SPI_finish); the result rows go straight into
	 * the tuplestore, which copies them into the caller's context.
	 */
	work_cxt = AllocSetContextCreate(CurrentMemoryContext, "camt.053 import", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(work_cxt);
	cb.statement_begin = OnStatementBegin;
	cb.entry = OnEntry;
	cb.statement_end = OnStatementEnd;
	cb.arg = &is;
	camt053_parse(data, len, &cb);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(work_cxt);

	SPI_finish();
	return (Datum) 0;
}
