/* parse.h - zone template records and directives -> the name tree under construction.
 *
 * One file at a time: zparse_file() reads the file whole, lets the lexer
 * (lex.h) cut it into records, and for each record either applies a
 * directive ($ORIGIN, $TTL, $INCLUDE: a nested zparse_file with a copy of
 * the state, so the parent's origin and TTL are restored after it) or adds
 * a record to the tree: static records are parsed by ldns into wire rdata
 * (numbers range-checked first, since ldns truncates them), DYNMX/DYNA name
 * a pool of the config. TTLs: the record's own, else $TTL, else the last
 * one given (RFC 2308 4); records of one RRset get the lowest TTL, with a
 * warning (RFC 2181 5.2).
 */
#ifndef MXS_ZONES_PARSE_H
#define MXS_ZONES_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include <ldns/ldns.h>

#include "zones/loader.h"

/* Parse state of one file (a child copy for each $INCLUDE). */
struct zparse_state {
	int       file;			/* index in L->files */
	ldns_rdf *origin;		/* owned */
	uint32_t  dttl;			/* $TTL */
	bool      has_dttl;
	uint32_t  last_ttl;		/* the last TTL written on a record */
	bool      has_last;
	ldns_rdf *prev;			/* previous owner (owned), or NULL */
};

/*
 * Parse one file into L->z.
 * \param from      file index of the $INCLUDE that opened it, -1 for the
 *                  template itself (ps->file is then 0); an included file
 *                  gets its own index in ps->file
 * \param fromline  line of that $INCLUDE
 * \retval 0   read (errors, if any, were reported and counted in L->d)
 * \retval -1  out of memory
 */
int zparse_file(struct loader *L, const char *path, struct zparse_state *ps,
    int from, int fromline);

#endif
