/*
 * document_support.h
 *		Money arithmetic shared by the invoice and payment triggers.
 */
#ifndef CR_DOCUMENT_SUPPORT_H
#define CR_DOCUMENT_SUPPORT_H

#include "postgres.h"

#include "access/htup.h"
#include "utils/numeric.h"
#include "utils/rel.h"

#include "trigger_support.h"

extern Numeric CrGetNumeric(HeapTuple tuple, Relation rel, const char *colname);
extern Numeric CrBaseAmount(Numeric amount, Numeric rate);
extern bool CrTotalsAreZero(HeapTuple tuple, Relation rel);
extern bool CrTotalsEqual(HeapTuple a, HeapTuple b, Relation rel);
extern void CrDeriveTotals(HeapTuple tuple, Relation rel, CrRowChanges *changes);
extern int	CrNumCmp(Numeric a, Numeric b);
extern char *CrNumText(Numeric n);

#endif							/* CR_DOCUMENT_SUPPORT_H */
