/*
 * document_support.c
 *		Money arithmetic shared by the invoice and payment triggers: totals
 *		derived from net and VAT, base-currency amounts rounded to cents.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
#include "utils/rel.h"

#include "document_support.h"

static const char *const total_columns[] = {"total_net", "total_vat", "total_gross", "total_base"};

/*
 * CrGetNumeric returns a numeric column (NULL reads as 0).
 */
Numeric
CrGetNumeric(HeapTuple tuple, Relation rel, const char *colname)
{
	bool		isnull;
	Datum		d = heap_getattr(tuple, CrAttnum(rel, colname), RelationGetDescr(rel), &isnull);

	return isnull ? int64_to_numeric(0) : DatumGetNumeric(d);
}

/*
 * CrNumCmp compares two numerics (-1, 0, 1).
 */
int
CrNumCmp(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(a), NumericGetDatum(b)));
}

/*
 * CrNumText formats a numeric.
 */
char *
CrNumText(Numeric n)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(n)));
}

/*
 * CrBaseAmount is amount * rate rounded to cents.
 */
Numeric
CrBaseAmount(Numeric amount, Numeric rate)
{
	Numeric		product = numeric_mul_opt_error(amount, rate, NULL);

	return DatumGetNumeric(DirectFunctionCall2(numeric_round, NumericGetDatum(product),
											   Int32GetDatum(2)));
}

/*
 * CrTotalsAreZero tells whether all four totals of an invoice are 0.
 */
bool
CrTotalsAreZero(HeapTuple tuple, Relation rel)
{
	Numeric		zero = int64_to_numeric(0);

	for (size_t i = 0; i < lengthof(total_columns); i++)
		if (CrNumCmp(CrGetNumeric(tuple, rel, total_columns[i]), zero) != 0)
			return false;
	return true;
}

/*
 * CrTotalsEqual tells whether two versions of an invoice have the same
 * net and VAT totals (the others are derived from them).
 */
bool
CrTotalsEqual(HeapTuple a, HeapTuple b, Relation rel)
{
	for (size_t i = 0; i < lengthof(total_columns); i++)
		if (CrNumCmp(CrGetNumeric(a, rel, total_columns[i]), CrGetNumeric(b, rel, total_columns[i])) != 0)
			return false;
	return true;
}

/*
 * CrDeriveTotals sets total_gross = total_net + total_vat and total_base =
 * total_gross * currency_rate, rounded to cents.
 */
void
CrDeriveTotals(HeapTuple tuple, Relation rel, CrRowChanges *changes)
{
	Numeric		gross = numeric_add_opt_error(CrGetNumeric(tuple, rel, "total_net"),
											  CrGetNumeric(tuple, rel, "total_vat"), NULL);
	Numeric		base = CrBaseAmount(gross, CrGetNumeric(tuple, rel, "currency_rate"));

	CrSetDatum(changes, rel, "total_gross", NumericGetDatum(gross), false);
	CrSetDatum(changes, rel, "total_base", NumericGetDatum(base), false);
}
