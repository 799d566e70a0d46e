/*
 * client_balance.h
 *		Running receivable / payable balances and credit control (R4.1).
 */
#ifndef CR_CLIENT_BALANCE_H
#define CR_CLIENT_BALANCE_H

#include "postgres.h"

#include "utils/numeric.h"
#include "utils/rel.h"

/* SQLSTATE R4001: a sale would take the buyer over its credit limit. */
#define ERRCODE_CR_CREDIT_LIMIT_EXCEEDED MAKE_SQLSTATE('R','4','0','0','1')


#endif							/* CR_CLIENT_BALANCE_H */
