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


#endif							/* CR_CLIENT_BALANCE_H */
