/*
 * sqlstates.h
 *		Every custom SQLSTATE of client_registry, in one place.
 *
 * Class R is the extension's own (PostgreSQL reserves no class starting with
 * R).  The second character is the requirement group the error belongs to
 * (R2 identity and merge, R3 bank and register, R4 debts, R6 i.SAF; the
 * groups are listed in docs/README.md).  Standard conditions (23505 duplicates, 42501 tenants, 22023
 * bad arguments...) use PostgreSQL's own ERRCODE_* names.
 *
 * The reference (docs/reference.md) is generated from this file: keep one
 * definition per line, in the form
 *		#define ERRCODE_CR_NAME  MAKE_SQLSTATE('R','x','x','x','x')	-- what it means
 * with the meaning after the definition as a C comment.  A code raised from
 * SQL (PL/pgSQL RAISE ... USING ERRCODE = 'Rxxxx') is listed here as well.
 */
#ifndef CR_SQLSTATES_H
#define CR_SQLSTATES_H

#include "postgres.h"

/* R2: client identity and merge */
#define ERRCODE_CR_MERGE_UNKNOWN			MAKE_SQLSTATE('R','2','4','0','0')	/* a client to merge is unknown, not visible, or already merged */
#define ERRCODE_CR_MERGE_CONFLICT			MAKE_SQLSTATE('R','2','4','0','1')	/* two rows would clash on a unique key and differ */
#define ERRCODE_CR_MERGE_TENANTS			MAKE_SQLSTATE('R','2','4','0','2')	/* the clients belong to different tenants */
#define ERRCODE_CR_MERGE_OWN_COMPANY		MAKE_SQLSTATE('R','2','4','0','3')	/* the own company cannot be merged away */
#define ERRCODE_CR_MERGE_SAME_CLIENT		MAKE_SQLSTATE('R','2','4','0','4')	/* a client is merged into itself or listed twice */
#define ERRCODE_CR_MERGE_DIFFERENT_CODES	MAKE_SQLSTATE('R','2','4','0','5')	/* two different valid company or personal codes (force to override) */
#define ERRCODE_CR_UNMERGE_CHANGED			MAKE_SQLSTATE('R','2','4','0','6')	/* a row the merge wrote changed since: unmerge refused */

/* R3: bank statements and the register of legal entities */
#define ERRCODE_CR_UNKNOWN_OWN_ACCOUNT		MAKE_SQLSTATE('R','3','4','0','1')	/* the statement's account is not an account of the own company */
#define ERRCODE_CR_NOT_IN_REGISTER			MAKE_SQLSTATE('R','3','4','0','2')	/* the company code is not in the register (raised from SQL) */

/* R4: debts and credit control */
#define ERRCODE_CR_CREDIT_LIMIT_EXCEEDED	MAKE_SQLSTATE('R','4','0','0','1')	/* a sale would take the buyer over its strict credit limit */

/* R6: i.SAF */
#define ERRCODE_CR_ISAF_INVALID_DATA		MAKE_SQLSTATE('R','6','0','0','1')	/* an invoice holds a value the i.SAF schema cannot carry */

#endif							/* CR_SQLSTATES_H */
