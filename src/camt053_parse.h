/*
 * camt053_parse.h
 *		Reading an ISO 20022 camt.053 bank-to-customer statement (versions
 *		001.02 to 001.13) into plain C records, one statement and one entry
 *		(or one transaction of a batch entry) at a time.
 */
#ifndef CR_CAMT053_PARSE_H
#define CR_CAMT053_PARSE_H

#include "postgres.h"

/* One Stmt: what precedes its entries. */
typedef struct CamtStatement
{
	int			version;		/* 2 for camt.053.001.02 ... */
	int			number;			/* 1-based position of the Stmt in the document */
	char	   *message_id;		/* GrpHdr/MsgId */
	char	   *statement_ref;	/* Stmt/Id */
	char	   *created;		/* Stmt/CreDtTm */
	char	   *from_date;		/* Stmt/FrToDt/FrDtTm (date part) */
	char	   *to_date;		/* Stmt/FrToDt/ToDtTm (date part) */
	char	   *account;		/* Acct/Id/IBAN or Acct/Id/Othr/Id, compact and upper-case */
	bool		account_is_iban;
	char	   *account_currency;	/* Acct/Ccy */
} CamtStatement;

/*
 * One bank entry (Ntry), or one transaction (TxDtls) of an entry that holds
 * several.  Every text field is NULL when absent.
 */
typedef struct CamtEntry
{
	int			entry_number;	/* 1-based position of the Ntry in its Stmt */
	int			tx_number;		/* 0: the whole entry; n: n-th of tx_count transactions */
	int			tx_count;
	char	   *entry_key;		/* de-duplication key (see camt053_parse.c) */
	char	   *amount;			/* validated decimal, at most 2 decimals */
	char	   *currency;
	bool		credit;			/* CRDT (money in) / DBIT */
	bool		reversal;		/* RvslInd */
	char	   *status;			/* BOOK, PDNG, INFO or a proprietary code */
	char	   *booking_date;	/* YYYY-MM-DD */
	char	   *value_date;
	char	   *acct_svcr_ref;
	char	   *ntry_ref;
	char	   *bank_tx_code;	/* Domn/Cd/Fmly/Cd/SubFmlyCd, e.g. PMNT/RCDT/ESCT */
	char	   *bank_tx_proprietary;
	char	   *end_to_end_id;
	char	   *instruction_id;
	char	   *mandate_id;
	char	   *counterparty_name;
	char	   *counterparty_iban;
	char	   *counterparty_account;	/* a non-IBAN account (Othr/Id) */
	char	   *counterparty_org_id;	/* OrgId/Othr/Id: a company code */
	char	   *counterparty_org_scheme;
	char	   *counterparty_private_id;	/* PrvtId/Othr/Id (personal data) */
	char	   *counterparty_bic;
	char	   *remittance;		/* RmtInf/Ustrd, joined by spaces */
	char	   *creditor_reference;	/* RmtInf/Strd/CdtrRefInf/Ref */
	char	   *document_numbers;	/* RmtInf/Strd/RfrdDocInf/Nb, joined by spaces */
	char	   *additional_info;	/* AddtlNtryInf, AddtlTxInf */
	char	   *return_reason;	/* RtrInf/Rsn/Cd */
} CamtEntry;

typedef struct CamtCallbacks
{
	/* called once per Stmt before its first entry (or for a Stmt without entries) */
	void		(*statement_begin) (CamtStatement *st, void *arg);
	void		(*entry) (CamtStatement *st, CamtEntry *entry, void *arg);
	void		(*statement_end) (CamtStatement *st, void *arg);
	void	   *arg;
} CamtCallbacks;

/*
 * Parses the document (UTF-8, len bytes) and calls the callbacks.  Refuses
 * documents with a DTD or entity declarations, documents that are not well
 * formed (2200M) and documents that are not camt.053 statements (2200N);
 * amounts out of range raise 22003.  Never reads the network or a file.
 */
extern void camt053_parse(const char *data, size_t len, const CamtCallbacks *cb);

#endif							/* CR_CAMT053_PARSE_H */
