/*
 * client_names.h
 *		The duplicate rules (client_names.c): how names are compared and
 *		what links two cards, used by the duplicate queue and the per-card
 *		checks (duplicate_clusters.c).
 */
#ifndef CR_CLIENT_NAMES_H
#define CR_CLIENT_NAMES_H

#include "postgres.h"

/* Evidence of a link (bits of DupLink.evidence, in the order shown). */
#define DUP_COMPANY_CODE	(1 << 0)
#define DUP_PERSONAL_CODE	(1 << 1)
#define DUP_VAT_CODE		(1 << 2)
#define DUP_IBAN			(1 << 3)
#define DUP_EMAIL			(1 << 4)
#define DUP_PHONE			(1 << 5)
#define DUP_SAME_NAME		(1 << 6)
#define DUP_SOUND			(1 << 7)
#define DUP_SIMILAR_NAME	(1 << 8)
#define DUP_EMAIL_DOMAIN	(1 << 9)
#define DUP_NEVIDENCE		10

/* Evidence that alone says "one party" (the rest needs a name too). */
#define DUP_IDENTIFYING (DUP_COMPANY_CODE | DUP_PERSONAL_CODE | DUP_VAT_CODE | DUP_IBAN)

/* A link of strength at least this joins any groups. */
#define DUP_STRONG 0.8f

/* A card as the rules see it; strings trimmed, folded where it matters. */
typedef struct DupCard
{
	int64		id;
	char	   *name;
	bool		person;
	bool		own_company;
	char	   *country;
	char	   *company_code;
	char	   *personal_code;
	char	   *vat_code;		/* upper case, NULL for ND */
	char	   *email;			/* lower case */
	const char *email_domain;	/* NULL for the public mail services */
	char	   *phone;			/* phone_key() */
	char	   *form;			/* legal form, canonical; NULL: none */
	char	   *core;			/* folded name without the form, glued */
	char	   *phon;			/* the core spelled by sound */
	char	   *sorted;			/* the words sorted, glued (swapped words) */
	uint64	   *ibans;			/* CrKeyHash of the normalised IBANs */
	int			nibans;
} DupCard;

/* What links two cards. */
typedef struct DupLink
{
	float4		score;
	int			evidence;
	float4		name_similarity;
} DupLink;

extern int	CrSplitWords(char *s, char **words, int max);
extern bool CrIsLegalFormWord(const char *word);
extern void CrNameParts(const char *name, char **form, char **core, char **sound, char **sorted);
extern char **CrNameKeys(const char *name, int *nkeys);
extern char *CrPhoneKey(const char *phone);
extern uint64 CrKeyHash(const char *s, int type);
extern float4 CrTrigramSimilarity(const char *a, const char *b);
extern void DupCardSetName(DupCard *card, const char *name);
extern const char *DupEmailDomain(const char *email);
extern bool DupSimilarNames(const DupCard *a, const DupCard *b);
extern bool DupPairScore(const DupCard *a, const DupCard *b, DupLink *link);
extern const char *DupEvidenceName(int bit);

#endif							/* CR_CLIENT_NAMES_H */
