/*
 * debt_closing.h
 *		What closes an invoice (payments, credit notes, offsets), shared by
 *		the settlement and the debt-operation triggers: the document locked
 *		and read with its closings, the fit and base-currency part of a new
 *		closing, invoice.closed_on, the client's settlement basis (R4.4),
 *		and small numeric helpers.
 */
#ifndef CR_DEBT_CLOSING_H
#define CR_DEBT_CLOSING_H

#include "postgres.h"

#include "utils/date.h"
#include "utils/numeric.h"
#include "utils/rel.h"

/* An invoice (or credit note) locked for a closing, with what closed it. */
typedef struct CrDocument
{
	int64		id;
	int64		client_id;
	bool		sale;			/* direction sale (else purchase) */
	char	   *status;
	char	   *currency;
	Numeric		rate;
	Numeric		gross;			/* total_gross, invoice currency, signed */
	Numeric		base;			/* total_base */
	char	   *number;
	DateADT		invoice_date;
	bool		has_closed_on;
	DateADT		closed_on;
	char	   *settled_by;		/* the client's R4.4 basis */
	Numeric		closed;			/* closed so far (the row being written excepted) */
	Numeric		closed_base;
	bool		has_last_date;
	DateADT		last_date;		/* date of the latest of those closings */
} CrDocument;

extern Numeric CrNumAdd(Numeric a, Numeric b);
extern Numeric CrNumSub(Numeric a, Numeric b);
extern Numeric CrNumNeg(Numeric a);
extern Numeric CrNumZero(void);
extern Numeric CrNumRound2(Numeric a);
extern char *CrDateText(DateADT d);

extern bool CrLockDocument(Relation rel, int32 tenant_id, int64 invoice_id,
						   int64 except_settlement, int64 except_line, CrDocument *doc);
extern Numeric CrDocumentOpen(const CrDocument *doc);
extern bool CrClosingFits(const CrDocument *doc, Numeric amount);
extern Numeric CrClosingBase(const CrDocument *doc, Numeric amount);
extern void CrKeepClosedOn(Relation rel, int32 tenant_id, const CrDocument *doc, Numeric amount,
						   bool has_date, DateADT date);
extern char *CrClientSettledBy(Relation rel, int32 tenant_id, int64 client_id);

#endif							/* CR_DEBT_CLOSING_H */
