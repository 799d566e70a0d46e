/*
 * client_balance.h
 *		Running receivable / payable balances and credit control (R4.1).
 */
#ifndef CR_CLIENT_BALANCE_H
#define CR_CLIENT_BALANCE_H

#include "postgres.h"

#include "utils/numeric.h"
#include "utils/rel.h"

#include "sqlstates.h"

/*
 * CrAddToBalance adds to a client's running receivable and payable (base
 * currency) a change that no statement-level trigger sees: the exchange
 * difference of a settlement, what a credit note or an offset closes
 * across two rates, a debt operation moved by a merge.  Row-locks the
 * balance row until commit (SPI connected; the owner's rights of rel).
 */
extern void CrAddToBalance(Relation rel, int32 tenant_id, int64 client_id,
						   Numeric receivable, Numeric payable);

#endif							/* CR_CLIENT_BALANCE_H */
