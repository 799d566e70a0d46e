/*
 * camt053_parse.c
 *		Reading an ISO 20022 camt.053 statement with libxml2, safely.
 *
 * Safety (the document comes from outside):
 *	- a document that declares a DTD or an entity (<!DOCTYPE, <!ENTITY) is
 *	  refused before libxml2 sees it: a bank statement never has one, and
 *	  that is where XXE and "billion laughs" live.  A DTD node met while
 *	  reading is refused again;
 *	- libxml2 reads with XML_PARSE_NONET, without XML_PARSE_NOENT (entities
 *	  are never substituted), without DTD loading, without XML_PARSE_HUGE
 *	  (its default limits on depth and text size apply), and with
 *	  pg_xml_init's entity loader, which refuses every external resource;
 *	- the document is read as a stream (xmlTextReader): only the element
 *	  being read (one Ntry) is expanded into a tree, so memory stays small
 *	  whatever the number of entries;
 *	- libxml2's memory is freed on every path (PG_TRY / PG_CATCH);
 *	- limits a bank statement never comes near are checked on the raw bytes
 *	  before libxml2 reads anything (CheckDocumentShape): the document size
 *	  (client_registry.camt053_max_size), attributes per element, nesting
 *	  depth, name length and the length of one text or attribute value.
 *	  libxml2 itself does work quadratic in the attributes of one element
 *	  and never checks for interrupts, so a small hostile document could
 *	  otherwise keep a backend busy past statement_timeout;
 *	- every loop checks for interrupts (statement_timeout, pg_cancel_backend);
 *	- identifiers that ISO 20022 limits to 35 characters (Max35Text: MsgId,
 *	  Stmt/Id, AcctSvcrRef, NtryRef, EndToEndId, InstrId, MndtId) are
 *	  refused with 2200N naming the field when longer.
 *
 * Versions: the root element is Document in the namespace
 * urn:iso:std:iso:20022:tech:xsd:camt.053.001.NN (NN = 02 ... 13).  Elements
 * are found by local name within that namespace, with the fall-backs the
 * versions need: Sts or Sts/Cd or Sts/Prtry; BookgDt/Dt or DtTm; Dbtr/Nm or
 * Dbtr/Pty/Nm (V08+); TxDtls/Amt (V03+) or TxDtls/AmtDtls/TxAmt/Amt (V02);
 * FinInstnId/BIC (V02) or BICFI (V04+).
 *
 * De-duplication key of an entry (bank_entry.entry_key, payment.reference):
 *	- the entry's AcctSvcrRef (the bank's unique reference); for the n-th
 *	  transaction of a batch entry the transaction's own Refs/AcctSvcrRef
 *	  when it has one, else the entry's AcctSvcrRef + "/" + n;
 *	- without AcctSvcrRef: "NOREF:" + md5 of the entry's content (booking
 *	  and value date, direction, amount, currency, NtryRef, EndToEndId,
 *	  InstrId, counterparty IBAN, remittance, transaction number) + ":" + k,
 *	  where k counts identical entries within the statement (so two equal
 *	  entries of one statement are both kept, and the same statement read
 *	  again gives the same keys);
 *	- an entry that is not booked (PDNG, INFO) gets ":" + its status appended,
 *	  so the booked entry that follows is not taken for a duplicate.
 */
#include "postgres.h"

#include <string.h>

#include "common/md5.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/xml.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>

#include "camt053_parse.h"
#include "client_registry.h"

#define CAMT053_NS_PREFIX "urn:iso:std:iso:20022:tech:xsd:camt.053.001."
#define CAMT_MIN_VERSION 2
#define CAMT_MAX_VERSION 13

/*
 * Shape limits, far above any real statement: camt.053 elements carry at
 * most a currency attribute and a few namespace declarations, nest about 15
 * deep, have names of a few dozen characters, and texts of at most 140
 * characters (Max140Text) or 350 (Max350Text).
 */
#define CAMT_MAX_ATTRIBUTES	32
#define CAMT_MAX_DEPTH		100
#define CAMT_MAX_NAME		256
#define CAMT_MAX_TEXT		(1024 * 1024)
#define CAMT_MAX35			35

typedef struct ParseState
{
	const CamtCallbacks *cb;
	char	   *ns;				/* namespace URI of the document */
	int			version;
	char	   *message_id;
	CamtStatement st;
	bool		in_stmt;
	bool		stmt_begun;
	int			stmt_count;
	int			entry_count;
	HTAB	   *noref_counts;	/* per statement: md5 -> occurrences */
} ParseState;

typedef struct NorefCount
{
	char		md5[33];
	int			count;
} NorefCount;

/* ---------------------------------------------------------------------
 * Small tree helpers (on the expanded subtree of one element)
 * --------------------------------------------------------------------- */

static bool
IsElement(const ParseState *ps, xmlNodePtr n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE &&
		n->ns != NULL && strcmp((const char *) n->ns->href, ps->ns) == 0 &&
		strcmp((const char *) n->name, name) == 0;
}

static xmlNodePtr
Child(const ParseState *ps, xmlNodePtr parent, const char *name)
{
	xmlNodePtr	c;

	if (parent == NULL)
		return NULL;
	for (c = parent->children; c != NULL; c = c->next)
		if (IsElement(ps, c, name))
			return c;
	return NULL;
}

static xmlNodePtr
NextSibling(const ParseState *ps, xmlNodePtr n, const char *name)
{
	for (n = n->next; n != NULL; n = n->next)
		if (IsElement(ps, n, name))
			return n;
	return NULL;
}

/* Follows a path such as "Dbtr/Pty/Nm" from parent; NULL when a step is missing. */
static xmlNodePtr
Path(const ParseState *ps, xmlNodePtr parent, const char *path)
{
	char		step[64];
	const char *p = path;

	while (parent != NULL && *p)
	{
		const char *slash = strchr(p, '/');
		size_t		len = slash ? (size_t) (slash - p) : strlen(p);

		Assert(len < sizeof(step));
		memcpy(step, p, len);
		step[len] = '\0';
		parent = Child(ps, parent, step);
		p += len;
		if (*p == '/')
			p++;
	}
	return parent;
}

/* The trimmed text of an element, palloc'd; NULL when absent or blank. */
static char *
NodeText(xmlNodePtr n)
{
	xmlChar    *content;
	char	   *s,
			   *e,
			   *result;

	if (n == NULL)
		return NULL;
	content = xmlNodeGetContent(n);
	if (content == NULL)
		return NULL;
	s = (char *) content;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		e--;
	result = (e > s) ? pnstrdup(s, e - s) : NULL;
	xmlFree(content);
	return result;
}

static char *
PathText(const ParseState *ps, xmlNodePtr parent, const char *path)
{
	return NodeText(Path(ps, parent, path));
}

static char *
Attribute(xmlNodePtr n, const char *name)
{
	xmlChar    *v;
	char	   *result;

	if (n == NULL)
		return NULL;
	v = xmlGetNoNsProp(n, (const xmlChar *) name);
	if (v == NULL)
		return NULL;
	result = pstrdup((const char *) v);
	xmlFree(v);
	return result;
}

/* Appends s to *acc with a space between (acc NULL at first). */
static void
AppendText(char **acc, const char *s)
{
	if (s == NULL)
		return;
	if (*acc == NULL)
		*acc = pstrdup(s);
	else
		*acc = psprintf("%s %s", *acc, s);
}

/* An account identifier compacted: spaces dropped, upper-cased. */
static char *
CompactAccount(const char *s)
{
	char	   *r,
			   *d;

	if (s == NULL)
		return NULL;
	r = d = palloc(strlen(s) + 1);
	for (; *s; s++)
	{
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			continue;
		*d++ = (*s >= 'a' && *s <= 'z') ? *s - 'a' + 'A' : *s;
	}
	*d = '\0';
	return (d > r) ? r : NULL;
}

/* The date part of an ISO date or date-time (YYYY-MM-DD...). */
/*
 * Max35 returns value, or refuses it when it is longer than the 35
 * characters ISO 20022 allows for an identifier (Max35Text): stored as a
 * key, a longer one would only fail later on an index, far from its cause.
 */
static char *
Max35(char *value, const char *field, int entry_number)
{
	int			chars;

	if (value == NULL)
		return NULL;
	chars = pg_mbstrlen_with_len(value, strlen(value));
	if (chars > CAMT_MAX35)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_XML_CONTENT),
				 errmsg("camt.053 %s of %s is %d characters long: \"%s...\"", field,
						entry_number > 0 ? psprintf("entry %d", entry_number) : "the statement",
						chars, pnstrdup(value, pg_mbcliplen(value, strlen(value), CAMT_MAX35))),
				 errdetail("ISO 20022 allows at most 35 characters in %s (Max35Text).", field),
				 errhint("Nothing was imported. The bank's file is not a valid camt.053 statement; ask the bank for a corrected export.")));
	return value;
}

static char *
DatePart(const char *s, const char *what, int entry_number)
{
	int			i;

	if (s == NULL)
		return NULL;
	for (i = 0; i < 10; i++)
	{
		bool		ok = (i == 4 || i == 7) ? s[i] == '-' : (s[i] >= '0' && s[i] <= '9');

		if (!ok)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_XML_CONTENT),
					 errmsg("invalid %s \"%s\" in entry %d of the camt.053 statement", what, s, entry_number),
					 errdetail("Dates are ISO 8601: YYYY-MM-DD, or YYYY-MM-DDThh:mm:ss for date-times."),
					 errhint("Nothing was imported. Ask the bank for a valid statement.")));
	}
	if (s[10] != '\0' && s[10] != 'T')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_XML_CONTENT),
				 errmsg("invalid %s \"%s\" in entry %d of the camt.053 statement", what, s, entry_number),
				 errdetail("Dates are ISO 8601: YYYY-MM-DD, or YYYY-MM-DDThh:mm:ss for date-times."),
				 errhint("Nothing was imported. Ask the bank for a valid statement.")));
	return pnstrdup(s, 10);
}

/*
 * Checks an amount (ISO 20022 decimal: digits, optional fraction) and
 * returns it as stored: at most 13 integer digits and 2 decimals (a
 * numeric(15,2)); further decimals must be zeros.
 */
static char *
CheckAmount(const char *s, int entry_number)
{
	const char *p = s;
	int			int_digits = 0,
				frac_digits = 0;
	StringInfoData buf;

	if (s == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_XML_CONTENT),
				 errmsg("entry %d of the camt.053 statement has no amount", entry_number),
				 errdetail("Every Ntry needs Amt; a transaction of a batch needs Amt or AmtDtls/TxAmt/Amt."),
				 errhint("Nothing was imported. Ask the bank for a valid statement.")));
	while (*p >= '0' && *p <= '9')
		p++, int_digits++;
	if (*p == '.')
	{
		p++;
		while (p[frac_digits] >= '0' && p[frac_digits] <= '9')
			frac_digits++;
		p += frac_digits;
	}
	if (*p != '\0' || int_digits == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_XML_CONTENT),
				 errmsg("invalid amount \"%s\" in entry %d of the camt.053 statement", s, entry_number),
				 errdetail("An amount is a positive decimal number such as 1405.31; the sign is given by CdtDbtInd."),
				 errhint("Nothing was imported. Ask the bank for a valid statement.")));
	while (int_digits > 1 && *s == '0')
		s++, int_digits--;
	if (int_digits > 13)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("amount \"%s\" in entry %d of the camt.053 statement is out of range", s, entry_number),
				 errdetail("Amounts are stored as numeric(15,2): at most 13 digits before the decimal point."),
				 errhint("Nothing was imported. Check the statement; an amount this large is not a real payment.")));
	{
		const char *frac = s + int_digits + 1;
		int			i;

		for (i = 2; i < frac_digits; i++)
			if (frac[i] != '0')
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("amount \"%s\" in entry %d of the camt.053 statement has more than 2 decimals", s, entry_number),
						 errdetail("Amounts are stored with 2 decimals (numeric(15,2)); they are never rounded silently."),
						 errhint("Nothing was imported.")));
		initStringInfo(&buf);
		appendBinaryStringInfo(&buf, s, int_digits);
		if (frac_digits > 0)
		{
			appendStringInfoChar(&buf, '.');
			appendBinaryStringInfo(&buf, frac, Min(frac_digits, 2));
		}
	}
	return buf.data;
}

static char *
CheckCurrency(char *ccy, int entry_number)
{
	if (ccy == NULL || strlen(ccy) != 3 ||
		ccy[0] < 'A' || ccy[0] > 'Z' || ccy[1] < 'A' || ccy[1] > 'Z' || ccy[2] < 'A' || ccy[2] > 'Z')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_XML_CONTENT),
				 errmsg("invalid currency \"%s\" in entry %d of the camt.053 statement", ccy ? ccy : "", entry_number),
				 errdetail("Amt must carry a Ccy attribute with an ISO 4217 code such as EUR."),
				 errhint("Nothing was imported. Ask the bank for a valid statement.")));
	return ccy;
}

/* ---------------------------------------------------------------------
 * Parties and transactions
 * --------------------------------------------------------------------- */

/* The party element itself: Dbtr/Pty in V08+, Dbtr before. */
static xmlNodePtr
PartyOf(const ParseState *ps, xmlNodePtr side)
{
	xmlNodePtr	pty = Child(ps, side, "Pty");

	return pty ? pty : side;
}

static void
ReadCounterparty(const ParseState *ps, xmlNodePtr tx, CamtEntry *e, const char *own_account)
{
	xmlNodePtr	parties = Path(ps, tx, "RltdPties");
	const char *party_name = e->credit ? "Dbtr" : "Cdtr";
	const char *account_name = e->credit ? "DbtrAcct" : "CdtrAcct";
	const char *agent_path = e->credit ? "RltdAgts/DbtrAgt/FinInstnId" : "RltdAgts/CdtrAgt/FinInstnId";
	char	   *iban;
	xmlNodePtr	party;
	xmlNodePtr	agent;

	if (parties == NULL)
		return;
	iban = CompactAccount(PathText(ps, Child(ps, parties, account_name), "Id/IBAN"));

	/* banks often fill both sides; if "the other side" is us, take the other */
	if (iban != NULL && own_account != NULL && strcmp(iban, own_account) == 0)
	{
		char	   *other = CompactAccount(PathText(ps, Child(ps, parties, e->credit ? "CdtrAcct" : "DbtrAcct"), "Id/IBAN"));

		if (other != NULL && strcmp(other, own_account) != 0)
		{
			party_name = e->credit ? "Cdtr" : "Dbtr";
			account_name = e->credit ? "CdtrAcct" : "DbtrAcct";
			agent_path = e->credit ? "RltdAgts/CdtrAgt/FinInstnId" : "RltdAgts/DbtrAgt/FinInstnId";
			iban = other;
		}
	}
	e->counterparty_iban = iban;
	e->counterparty_account = CompactAccount(PathText(ps, Child(ps, parties, account_name), "Id/Othr/Id"));

	party = Child(ps, parties, party_name);
	if (party != NULL)
	{
		xmlNodePtr	p = PartyOf(ps, party);
		xmlNodePtr	org = Path(ps, p, "Id/OrgId/Othr");

		e->counterparty_name = PathText(ps, p, "Nm");
		if (org != NULL)
		{
			e->counterparty_org_id = PathText(ps, org, "Id");
			e->counterparty_org_scheme = PathText(ps, org, "SchmeNm/Cd");
			if (e->counterparty_org_scheme == NULL)
				e->counterparty_org_scheme = PathText(ps, org, "SchmeNm/Prtry");
		}
		e->counterparty_private_id = PathText(ps, p, "Id/PrvtId/Othr/Id");
	}
	agent = Path(ps, tx, agent_path);
	if (agent != NULL)
	{
		e->counterparty_bic = PathText(ps, agent, "BICFI");
		if (e->counterparty_bic == NULL)
			e->counterparty_bic = PathText(ps, agent, "BIC");
	}
}

static void
ReadTransaction(const ParseState *ps, xmlNodePtr tx, CamtEntry *e)
{
	xmlNodePtr	rmt,
				n;

	e->end_to_end_id = Max35(PathText(ps, tx, "Refs/EndToEndId"), "EndToEndId", e->entry_number);
	if (e->end_to_end_id != NULL && strcmp(e->end_to_end_id, "NOTPROVIDED") == 0)
		e->end_to_end_id = NULL;
	e->instruction_id = Max35(PathText(ps, tx, "Refs/InstrId"), "InstrId", e->entry_number);
	e->mandate_id = Max35(PathText(ps, tx, "Refs/MndtId"), "MndtId", e->entry_number);
	ReadCounterparty(ps, tx, e, ps->st.account);

	rmt = Child(ps, tx, "RmtInf");
	if (rmt != NULL)
	{
		for (n = Child(ps, rmt, "Ustrd"); n != NULL; n = NextSibling(ps, n, "Ustrd"))
			AppendText(&e->remittance, NodeText(n));
		for (n = Child(ps, rmt, "Strd"); n != NULL; n = NextSibling(ps, n, "Strd"))
		{
			xmlNodePtr	doc;

			if (e->creditor_reference == NULL)
				e->creditor_reference = PathText(ps, n, "CdtrRefInf/Ref");
			for (doc = Child(ps, n, "RfrdDocInf"); doc != NULL; doc = NextSibling(ps, doc, "RfrdDocInf"))
				AppendText(&e->document_numbers, PathText(ps, doc, "Nb"));
			AppendText(&e->remittance, PathText(ps, n, "AddtlRmtInf"));
		}
	}
	AppendText(&e->additional_info, PathText(ps, tx, "AddtlTxInf"));
	e->return_reason = PathText(ps, tx, "RtrInf/Rsn/Cd");
	if (e->return_reason == NULL)
		e->return_reason = PathText(ps, tx, "RtrInf/Rsn/Prtry");
}

/* ---------------------------------------------------------------------
 * Keys
 * --------------------------------------------------------------------- */

static void
AddField(StringInfo buf, const char *s)
{
	appendStringInfoString(buf, s ? s : "");
	appendStringInfoChar(buf, '\x1f');
}

static void
SetEntryKeyBase(ParseState *ps, CamtEntry *e, const char *tx_ref)
{
	StringInfoData buf;
	char		md5[33];
	const char *errstr = NULL;
	NorefCount *slot;
	bool		found;

	if (tx_ref != NULL && e->tx_number > 0)
	{
		e->entry_key = pstrdup(tx_ref);
		return;
	}
	if (e->acct_svcr_ref != NULL)
	{
		e->entry_key = e->tx_number > 0
			? psprintf("%s/%d", e->acct_svcr_ref, e->tx_number)
			: pstrdup(e->acct_svcr_ref);
		return;
	}
	initStringInfo(&buf);
	AddField(&buf, e->booking_date);
	AddField(&buf, e->value_date);
	AddField(&buf, e->credit ? "CRDT" : "DBIT");
	AddField(&buf, e->amount);
	AddField(&buf, e->currency);
	AddField(&buf, e->ntry_ref);
	AddField(&buf, e->end_to_end_id);
	AddField(&buf, e->instruction_id);
	AddField(&buf, e->counterparty_iban);
	AddField(&buf, e->remittance);
	appendStringInfo(&buf, "%d", e->tx_number);
	if (!pg_md5_hash(buf.data, buf.len, md5, &errstr))
		elog(ERROR, "could not compute an MD5 hash: %s", errstr ? errstr : "unknown error");
	slot = (NorefCount *) hash_search(ps->noref_counts, md5, HASH_ENTER, &found);
	slot->count = found ? slot->count + 1 : 1;
	e->entry_key = psprintf("NOREF:%s:%d", md5, slot->count);
}

/*
 * An entry that is not booked (PDNG, INFO) gets its status appended to the
 * key: when the bank later books it under the same reference, the booked
 * entry is a new row (and becomes a payment) instead of a duplicate.
 */
static void
SetEntryKey(ParseState *ps, CamtEntry *e, const char *tx_ref)
{
	SetEntryKeyBase(ps, e, tx_ref);
	if (strcmp(e->status, "BOOK") != 0)
		e->entry_key = psprintf("%s:%s", e->entry_key, e->status);
}

/* ---------------------------------------------------------------------
 * Entries
 * --------------------------------------------------------------------- */

static void
StatementBegin(ParseState *ps)
{
	HASHCTL		ctl;

	if (ps->stmt_begun)
		return;
	if (ps->st.statement_ref == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_XML_CONTENT),
				 errmsg("statement %d of the camt.053 document has no Id", ps->st.number),
				 errdetail("Stmt/Id identifies the statement; it is required by every version of camt.053."),
				 errhint("Nothing was imported. Ask the bank for a valid statement.")));
	if (ps->st.account == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_XML_CONTENT),
				 errmsg("statement \"%s\" of the camt.053 document names no account", ps->st.statement_ref),
				 errdetail("Stmt/Acct/Id/IBAN (or Stmt/Acct/Id/Othr/Id) must come before the entries."),
				 errhint("Nothing was imported. Ask the bank for a valid statement.")));
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = 33;
	ctl.entrysize = sizeof(NorefCount);
	ctl.hcxt = CurrentMemoryContext;
	ps->noref_counts = hash_create("camt.053 entries without AcctSvcrRef", 64, &ctl,
								   HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	ps->stmt_begun = true;
	ps->cb->statement_begin(&ps->st, ps->cb->arg);
}

static void
ReadEntry(ParseState *ps, xmlNodePtr ntry)
{
	CamtEntry	base;
	xmlNodePtr	amt,
				sts,
				dtls,
				tx;
	char	   *cdi,
			   *rvsl;
	int			tx_count = 0,
				tx_number;
	MemoryContext entry_cxt,
				old;

	CHECK_FOR_INTERRUPTS();
	StatementBegin(ps);
	entry_cxt = AllocSetContextCreate(CurrentMemoryContext, "camt.053 entry", ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(entry_cxt);

	memset(&base, 0, sizeof(base));
	base.entry_number = ++ps->entry_count;

	amt = Child(ps, ntry, "Amt");
	base.amount = CheckAmount(NodeText(amt), base.entry_number);
	base.currency = CheckCurrency(Attribute(amt, "Ccy"), base.entry_number);
	cdi = PathText(ps, ntry, "CdtDbtInd");
	if (cdi == NULL || (strcmp(cdi, "CRDT") != 0 && strcmp(cdi, "DBIT") != 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_XML_CONTENT),
				 errmsg("invalid credit/debit indicator \"%s\" in entry %d of the camt.053 statement",
						cdi ? cdi : "", base.entry_number),
				 errdetail("CdtDbtInd must be CRDT (money in) or DBIT (money out)."),
				 errhint("Nothing was imported. Ask the bank for a valid statement.")));
	base.credit = strcmp(cdi, "CRDT") == 0;
	rvsl = PathText(ps, ntry, "RvslInd");
	base.reversal = rvsl != NULL && (strcmp(rvsl, "true") == 0 || strcmp(rvsl, "1") == 0);

	sts = Child(ps, ntry, "Sts");
	base.status = PathText(ps, sts, "Cd");
	if (base.status == NULL)
		base.status = PathText(ps, sts, "Prtry");
	if (base.status == NULL)
		base.status = NodeText(sts);
	if (base.status == NULL)
		base.status = pstrdup("BOOK");

	base.booking_date = PathText(ps, ntry, "BookgDt/Dt");
	if (base.booking_date == NULL)
		base.booking_date = PathText(ps, ntry, "BookgDt/DtTm");
	base.booking_date = DatePart(base.booking_date, "booking date", base.entry_number);
	base.value_date = PathText(ps, ntry, "ValDt/Dt");
	if (base.value_date == NULL)
		base.value_date = PathText(ps, ntry, "ValDt/DtTm");
	base.value_date = DatePart(base.value_date, "value date", base.entry_number);
	if (base.booking_date == NULL && strcmp(base.status, "BOOK") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_XML_CONTENT),
				 errmsg("booked entry %d of the camt.053 statement has no booking date", base.entry_number),
				 errdetail("A BOOK entry needs BookgDt/Dt or BookgDt/DtTm."),
				 errhint("Nothing was imported. Ask the bank for a valid statement.")));

	base.acct_svcr_ref = Max35(PathText(ps, ntry, "AcctSvcrRef"), "AcctSvcrRef", base.entry_number);
	base.ntry_ref = Max35(PathText(ps, ntry, "NtryRef"), "NtryRef", base.entry_number);
	{
		char	   *domain = PathText(ps, ntry, "BkTxCd/Domn/Cd");

		if (domain != NULL)
		{
			char	   *family = PathText(ps, ntry, "BkTxCd/Domn/Fmly/Cd");
			char	   *sub = PathText(ps, ntry, "BkTxCd/Domn/Fmly/SubFmlyCd");

			base.bank_tx_code = psprintf("%s/%s/%s", domain, family ? family : "", sub ? sub : "");
		}
		base.bank_tx_proprietary = PathText(ps, ntry, "BkTxCd/Prtry/Cd");
	}
	base.additional_info = PathText(ps, ntry, "AddtlNtryInf");

	for (dtls = Child(ps, ntry, "NtryDtls"); dtls != NULL; dtls = NextSibling(ps, dtls, "NtryDtls"))
		for (tx = Child(ps, dtls, "TxDtls"); tx != NULL; tx = NextSibling(ps, tx, "TxDtls"))
			tx_count++;

	if (tx_count <= 1)
	{
		CamtEntry	e = base;

		e.tx_count = tx_count;
		if (tx_count == 1)
		{
			tx = Child(ps, Child(ps, ntry, "NtryDtls"), "TxDtls");
			for (dtls = Child(ps, ntry, "NtryDtls"); tx == NULL && dtls != NULL; dtls = NextSibling(ps, dtls, "NtryDtls"))
				tx = Child(ps, dtls, "TxDtls");
			ReadTransaction(ps, tx, &e);
		}
		SetEntryKey(ps, &e, NULL);
		ps->cb->entry(&ps->st, &e, ps->cb->arg);
	}
	else
	{
		/* a batch: one record per transaction, with its own amount */
		tx_number = 0;
		for (dtls = Child(ps, ntry, "NtryDtls"); dtls != NULL; dtls = NextSibling(ps, dtls, "NtryDtls"))
			for (tx = Child(ps, dtls, "TxDtls"); tx != NULL; tx = NextSibling(ps, tx, "TxDtls"))
			{
				CamtEntry	e = base;
				xmlNodePtr	tx_amt = Child(ps, tx, "Amt");
				char	   *tx_cdi;

				if (tx_amt == NULL)
					tx_amt = Path(ps, tx, "AmtDtls/TxAmt/Amt");
				e.tx_count = tx_count;
				e.tx_number = ++tx_number;
				e.amount = CheckAmount(NodeText(tx_amt), e.entry_number);
				e.currency = CheckCurrency(Attribute(tx_amt, "Ccy"), e.entry_number);
				tx_cdi = PathText(ps, tx, "CdtDbtInd");
				if (tx_cdi != NULL)
					e.credit = strcmp(tx_cdi, "CRDT") == 0;
				ReadTransaction(ps, tx, &e);
				SetEntryKey(ps, &e, Max35(PathText(ps, tx, "Refs/AcctSvcrRef"), "Refs/AcctSvcrRef", e.entry_number));
				ps->cb->entry(&ps->st, &e, ps->cb->arg);
			}
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(entry_cxt);
}

/* An element at depth 3, a child of Stmt, expanded. */
static void
ReadStatementPart(ParseState *ps, xmlNodePtr n)
{
	if (IsElement(ps, n, "Ntry"))
		ReadEntry(ps, n);
	else if (IsElement(ps, n, "Id"))
		ps->st.statement_ref = Max35(NodeText(n), "Stmt/Id", 0);
	else if (IsElement(ps, n, "CreDtTm"))
		ps->st.created = NodeText(n);
	else if (IsElement(ps, n, "FrToDt"))
	{
		ps->st.from_date = DatePart(PathText(ps, n, "FrDtTm"), "statement start", 0);
		ps->st.to_date = DatePart(PathText(ps, n, "ToDtTm"), "statement end", 0);
	}
	else if (IsElement(ps, n, "Acct"))
	{
		char	   *iban = PathText(ps, n, "Id/IBAN");

		ps->st.account_is_iban = iban != NULL;
		ps->st.account = CompactAccount(iban ? iban : PathText(ps, n, "Id/Othr/Id"));
		ps->st.account_currency = PathText(ps, n, "Ccy");
	}
}

static void
StatementEnd(ParseState *ps)
{
	StatementBegin(ps);
	ps->cb->statement_end(&ps->st, ps->cb->arg);
	hash_destroy(ps->noref_counts);
	ps->noref_counts = NULL;
	ps->in_stmt = false;
	ps->stmt_begun = false;
}

/* ---------------------------------------------------------------------
 * The document
 * --------------------------------------------------------------------- */

static void
RefuseDtd(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_XML_DOCUMENT),
			 errmsg("camt.053 statement refused: it declares a DTD or entities"),
			 errdetail("A bank statement never needs <!DOCTYPE> or <!ENTITY>; they are how external-entity (XXE) and entity-expansion (\"billion laughs\") attacks work, so such a document is not read at all."),
			 errhint("Nothing was imported. Export the statement from the bank again.")));
}

static bool
Contains(const char *data, size_t len, const char *needle)
{
	size_t		n = strlen(needle);
	const char *p = data,
			   *end = data + len;

	while ((size_t) (end - p) >= n)
	{
		const char *lt = memchr(p, '<', end - p - n + 1);

		if (lt == NULL)
			return false;
		if (memcmp(lt, needle, n) == 0)
			return true;
		p = lt + 1;
	}
	return false;
}

static void
CheckRoot(ParseState *ps, xmlTextReaderPtr reader)
{
	const char *local = (const char *) xmlTextReaderConstLocalName(reader);
	const char *ns = (const char *) xmlTextReaderConstNamespaceUri(reader);
	const char *v;
	int			version = 0;

	if (ns == NULL || strncmp(ns, CAMT053_NS_PREFIX, strlen(CAMT053_NS_PREFIX)) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_XML_CONTENT),
				 errmsg("document is not a camt.053 statement: namespace \"%s\"", ns ? ns : ""),
				 errdetail("Expected the root element Document in the namespace %sNN (NN from %02d to %02d).",
						   CAMT053_NS_PREFIX, CAMT_MIN_VERSION, CAMT_MAX_VERSION),
				 errhint("Nothing was imported. Export the statement as ISO 20022 camt.053 (not camt.052/054 or MT940).")));
	v = ns + strlen(CAMT053_NS_PREFIX);
	if (strlen(v) == 2 && v[0] >= '0' && v[0] <= '9' && v[1] >= '0' && v[1] <= '9')
		version = (v[0] - '0') * 10 + (v[1] - '0');
	if (version < CAMT_MIN_VERSION || version > CAMT_MAX_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_XML_CONTENT),
				 errmsg("unsupported camt.053 version \"%s\"", ns),
				 errdetail("Versions camt.053.001.%02d to camt.053.001.%02d are read.", CAMT_MIN_VERSION, CAMT_MAX_VERSION),
				 errhint("Nothing was imported.")));
	if (local == NULL || strcmp(local, "Document") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_XML_CONTENT),
				 errmsg("document is not a camt.053 statement: root element \"%s\"", local ? local : ""),
				 errdetail("Expected the root element Document."),
				 errhint("Nothing was imported.")));
	ps->ns = pstrdup(ns);
	ps->version = version;
}

static void
RefuseShape(const char *what, size_t offset, long found, long limit)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("camt.053 statement refused: %s (%ld, at most %ld) at byte %zu", what, found, limit, offset),
			 errdetail("No bank statement comes near this limit; documents built to make an XML parser work for minutes are refused before they are parsed."),
			 errhint("Nothing was imported. Check that the file is the bank's camt.053 statement.")));
}

/*
 * SkipPast returns the position just after the first occurrence of needle
 * at or after p, or end when there is none (libxml2 then reports the
 * unterminated construct).
 */
static const char *
SkipPast(const char *p, const char *end, const char *needle)
{
	size_t		n = strlen(needle);

	while ((size_t) (end - p) >= n)
	{
		const char *c = memchr(p, needle[0], end - p - n + 1);

		if (c == NULL)
			break;
		if (memcmp(c, needle, n) == 0)
			return c + n;
		p = c + 1;
	}
	return end;
}

/*
 * CheckDocumentShape scans the raw document once, as a small lexer that
 * knows tags, quoted values, comments, CDATA and processing instructions,
 * and refuses it (54000, nothing parsed) when an element has more than
 * CAMT_MAX_ATTRIBUTES attributes (namespace declarations included), nests
 * deeper than CAMT_MAX_DEPTH, has a name longer than CAMT_MAX_NAME bytes,
 * or a text or attribute value is longer than CAMT_MAX_TEXT bytes.  It does
 * not judge well-formedness: libxml2 does that next.  Linear in the size
 * and interruptible.
 */
static void
CheckDocumentShape(const char *data, size_t len)
{
	const char *p = data;
	const char *end = data + len;
	const char *text_start = data;
	const char *next_check = data + 1024 * 1024;
	int			depth = 0;

	while (p < end)
	{
		const char *lt = memchr(p, '<', end - p);

		if (lt == NULL)
			lt = end;
		if (lt - text_start > CAMT_MAX_TEXT)
			RefuseShape("a text is too long", text_start - data, (long) (lt - text_start), CAMT_MAX_TEXT);
		if (lt >= next_check)
		{
			CHECK_FOR_INTERRUPTS();
			next_check = lt + 1024 * 1024;
		}
		if (lt == end)
			break;
		p = lt + 1;
		if (end - p >= 3 && memcmp(p, "!--", 3) == 0)
			p = SkipPast(p + 3, end, "-->");
		else if (end - p >= 8 && memcmp(p, "![CDATA[", 8) == 0)
		{
			const char *close = SkipPast(p + 8, end, "]]>");

			if (close - (p + 8) > CAMT_MAX_TEXT)
				RefuseShape("a CDATA section is too long", p - data, (long) (close - p - 8), CAMT_MAX_TEXT);
			p = close;
		}
		else if (p < end && (*p == '?' || *p == '!'))
			p = SkipPast(p + 1, end, ">");
		else if (p < end && *p == '/')
		{
			p = SkipPast(p + 1, end, ">");
			depth--;
		}
		else
		{
			/* a start tag: its name, then attributes up to '>' or "/>" */
			const char *name = p;
			int			attributes = 0;
			bool		closed = false;

			while (p < end && *p != '>' && *p != '/' && *p != ' ' && *p != '\t' &&
				   *p != '\n' && *p != '\r')
				p++;
			if (p - name > CAMT_MAX_NAME)
				RefuseShape("an element name is too long", name - data, (long) (p - name), CAMT_MAX_NAME);
			while (p < end && !closed)
			{
				if (*p == '>')
				{
					closed = true;
					depth++;
					if (depth > CAMT_MAX_DEPTH)
						RefuseShape("elements nest too deep", p - data, depth, CAMT_MAX_DEPTH);
				}
				else if (*p == '/' && p + 1 < end && p[1] == '>')
				{
					closed = true;
					p++;
				}
				else if (*p == '"' || *p == '\'')
				{
					const char *q = memchr(p + 1, *p, end - p - 1);

					if (q == NULL)
						q = end;
					if (q - p - 1 > CAMT_MAX_TEXT)
						RefuseShape("an attribute value is too long", p - data, (long) (q - p - 1), CAMT_MAX_TEXT);
					p = q;
				}
				else if (*p == '=')
				{
					if (++attributes > CAMT_MAX_ATTRIBUTES)
						RefuseShape("an element has too many attributes", name - 1 - data, attributes, CAMT_MAX_ATTRIBUTES);
				}
				else if (!(*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
				{
					/* an attribute name */
					const char *an = p;

					while (p + 1 < end && p[1] != '=' && p[1] != ' ' && p[1] != '\t' && p[1] != '\n' &&
						   p[1] != '\r' && p[1] != '>' && p[1] != '/' && p[1] != '"' && p[1] != '\'')
						p++;
					if (p + 1 - an > CAMT_MAX_NAME)
						RefuseShape("an attribute name is too long", an - data, (long) (p + 1 - an), CAMT_MAX_NAME);
				}
				if (p < end)
					p++;
				if (p >= next_check)
				{
					CHECK_FOR_INTERRUPTS();
					next_check = p + 1024 * 1024;
				}
			}
		}
		text_start = p;
	}
}

void
camt053_parse(const char *data, size_t len, const CamtCallbacks *cb)
{
	PgXmlErrorContext *volatile xmlerrcxt = NULL;
	volatile xmlTextReaderPtr reader = NULL;
	ParseState	ps;

	{
		size_t		i = 0;

		while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r'))
			i++;
		if (i == len)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_XML_DOCUMENT),
					 errmsg("camt.053 statement is empty"),
					 errhint("Nothing was imported. Pass the content of the statement file.")));
	}
	if (len > (size_t) cr_camt053_max_size * 1024 || len > INT_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("camt.053 document of %zu bytes is larger than client_registry.camt053_max_size (%d kB)",
						len, cr_camt053_max_size),
				 errhint("Nothing was imported. Split the statement, or have a superuser raise client_registry.camt053_max_size.")));
	if (Contains(data, len, "<!DOCTYPE") || Contains(data, len, "<!ENTITY"))
		RefuseDtd();
	CheckDocumentShape(data, len);

	memset(&ps, 0, sizeof(ps));
	ps.cb = cb;

	xmlerrcxt = pg_xml_init(PG_XML_STRICTNESS_ALL);
	PG_TRY();
	{
		int			ret;
		bool		advanced = false;
		bool		seen_root = false;

		reader = xmlReaderForMemory(data, (int) len, NULL, "UTF-8", XML_PARSE_NONET);
		if (reader == NULL || pg_xml_error_occurred(xmlerrcxt))
			xml_ereport(xmlerrcxt, ERROR, ERRCODE_OUT_OF_MEMORY, "could not allocate an XML reader");

		for (;;)
		{
			int			type,
						depth;
			const char *local;

			CHECK_FOR_INTERRUPTS();
			if (!advanced)
				ret = xmlTextReaderRead(reader);
			advanced = false;
			if (ret != 1)
				break;
			type = xmlTextReaderNodeType(reader);
			depth = xmlTextReaderDepth(reader);
			if (type == XML_READER_TYPE_DOCUMENT_TYPE)
				RefuseDtd();
			if (type == XML_READER_TYPE_END_ELEMENT && depth == 2 && ps.in_stmt)
			{
				StatementEnd(&ps);
				continue;
			}
			if (type != XML_READER_TYPE_ELEMENT)
				continue;
			local = (const char *) xmlTextReaderConstLocalName(reader);
			if (depth == 0)
			{
				CheckRoot(&ps, reader);
				seen_root = true;
			}
			else if (depth == 1)
			{
				if (strcmp(local, "BkToCstmrStmt") != 0)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_XML_CONTENT),
							 errmsg("document is not a camt.053 statement: element \"%s\" under Document", local),
							 errdetail("A camt.053 Document holds BkToCstmrStmt."),
							 errhint("Nothing was imported.")));
			}
			else if (depth == 2 && strcmp(local, "GrpHdr") == 0)
			{
				xmlNodePtr	n = xmlTextReaderExpand(reader);

				if (n == NULL)
					break;
				ps.message_id = Max35(PathText(&ps, n, "MsgId"), "GrpHdr/MsgId", 0);
				ret = xmlTextReaderNext(reader);
				advanced = true;
			}
			else if (depth == 2 && strcmp(local, "Stmt") == 0)
			{
				memset(&ps.st, 0, sizeof(ps.st));
				ps.st.version = ps.version;
				ps.st.message_id = ps.message_id;
				ps.st.number = ++ps.stmt_count;
				ps.entry_count = 0;
				ps.in_stmt = true;
				if (xmlTextReaderIsEmptyElement(reader))
					StatementEnd(&ps);
			}
			else if (depth == 3 && ps.in_stmt)
			{
				xmlNodePtr	n = xmlTextReaderExpand(reader);

				if (n == NULL)
					break;
				ReadStatementPart(&ps, n);
				ret = xmlTextReaderNext(reader);
				advanced = true;
			}
			else if (depth == 2)
			{
				ret = xmlTextReaderNext(reader);
				advanced = true;
			}
		}
		if (ret != 0 || pg_xml_error_occurred(xmlerrcxt))
			xml_ereport(xmlerrcxt, ERROR, ERRCODE_INVALID_XML_DOCUMENT,
						"camt.053 statement is not well-formed XML; nothing was imported");
		if (!seen_root)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_XML_DOCUMENT),
					 errmsg("camt.053 statement is empty"),
					 errhint("Nothing was imported.")));
		if (ps.in_stmt)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_XML_DOCUMENT),
					 errmsg("camt.053 statement ends inside a Stmt"),
					 errhint("Nothing was imported.")));
	}
	PG_CATCH();
	{
		if (reader != NULL)
			xmlFreeTextReader(reader);
		pg_xml_done(xmlerrcxt, true);
		PG_RE_THROW();
	}
	PG_END_TRY();
	xmlFreeTextReader(reader);
	pg_xml_done(xmlerrcxt, false);
}
