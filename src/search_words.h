/*
 * search_words.h
 *		The matching rules of typo-tolerant search (search_words.c) that
 *		the session cache of the dictionary (search_word_cache.c) applies.
 */
#ifndef CR_SEARCH_WORDS_H
#define CR_SEARCH_WORDS_H

#include "postgres.h"

#include "mb/pg_wchar.h"

/* The longest word compared letter by letter; longer words are cut here. */
#define MAX_WORD_CHARS 64

/* A word as characters (code points in UTF-8, else the bytes of a character). */
typedef struct Chars
{
	pg_wchar	c[MAX_WORD_CHARS + 1];
	int			n;
	bool		digits;			/* has a digit: no typos allowed */
} Chars;

extern void CrToChars(const char *s, Chars *out);
extern int	CrAllowedTypos(const Chars *w);
extern int	CrTypoDistanceOf(const pg_wchar *w, int wn, const pg_wchar *c, int cn, int limit);

#endif							/* CR_SEARCH_WORDS_H */
