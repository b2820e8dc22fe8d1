/* lex.h - master-file lexer: the bytes of one file -> the tokens of each record.
 *
 * RFC 1035 5.1 syntax: a record ends at the end of a line unless a '(' is
 * open; ';' starts a comment (outside quotes); blanks separate tokens; a
 * quoted string is one token, quotes kept, so the record parser (ldns) sees
 * "a b" as one character-string; a backslash escape is kept as written
 * (\. \" \032) for the same reason. A record whose first line starts with a
 * blank has no owner (it takes the previous one).
 *
 * The lexer knows nothing of records or directives: it hands each record's
 * tokens to a callback. Errors that make a record unreadable (a NUL byte,
 * ')' without '(', a missing closing quote) are reported as file:line and
 * the record is dropped; '(' without ')' is reported at the line of the
 * '(' once the file ends.
 */
#ifndef MXS_ZONES_LEX_H
#define MXS_ZONES_LEX_H

#include <stdbool.h>
#include <stddef.h>

#include "zones/loader.h"

/*
 * One record: tok[0..ntok) (ntok >= 1), each NUL-terminated, valid during
 * the call (the callback may modify them); line is the record's first line.
 * \retval 0   go on
 * \retval -1  out of memory: the lexer stops
 */
typedef int zlex_record_fn(void *arg, int line, bool blank, char **tok,
    size_t ntok);

/*
 * Split data[0..n) (the whole file, NULs included) into records.
 * \param file  index in L->files, for the messages
 * \retval 0    the file was read to its end (errors were reported to L)
 * \retval -1   out of memory (reported as file:line) or the callback failed
 */
int zlex_records(struct loader *L, int file, const char *data, size_t n,
    zlex_record_fn *fn, void *arg);

#endif
