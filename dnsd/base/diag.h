/* diag.h - the one diagnostics collector for config files and zone
 * templates: every error and warning as "file:line: message", counted
 * across included files, printed all together (OpenSMTPD parse.y habit:
 * parse completely, count, then fail the whole load).
 *
 * A collector either prints each message as it comes (DIAG_DIRECT: zone
 * templates, read in order anyway) or keeps them and prints at diag_flush()
 * sorted by file (the main file first) then line (DIAG_SORTED: libconfig
 * reports settings in no useful order). "did you mean" hints come from
 * diag_suggest(), the one edit distance of the project.
 */
#ifndef MXS_DIAG_H
#define MXS_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum diag_mode { DIAG_DIRECT = 0, DIAG_SORTED };

struct diag_msg;

struct diag {
	FILE            *out;
	const char      *main;		/* main file name: sorts first */
	enum diag_mode   mode;
	unsigned         nerr, nwarn;
	struct diag_msg *msgs;		/* DIAG_SORTED: kept until flush */
	size_t           nmsgs, amsgs;
};

void diag_init(struct diag *d, FILE *out, const char *main,
    enum diag_mode mode);

/* An error at file:line (line <= 0: "file: message"). Counts in nerr. */
void diag_error(struct diag *d, const char *file, int line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void diag_verror(struct diag *d, const char *file, int line,
    const char *fmt, va_list ap);

/* "file:line: warning: message". Counts in nwarn; never fails a load. */
void diag_warn(struct diag *d, const char *file, int line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void diag_vwarn(struct diag *d, const char *file, int line,
    const char *fmt, va_list ap);

/* Print what is kept (DIAG_SORTED) and release it; counts stay. */
void diag_flush(struct diag *d);

/*
 * Levenshtein distance, ASCII case-insensitive.
 * \retval distance, or SIZE_MAX when a string is over 255 bytes
 */
size_t diag_edit_distance(const char *a, const char *b);

/*
 * The candidate closest to word for a "did you mean" hint: within edit
 * distance 2, else (words of 3 or more
 * letters) a candidate sharing the word's first letters; NULL entries of
 * cand end the list early.
 * \retval a pointer into cand, or NULL when nothing is close
 */
const char *diag_suggest(const char *word, const char *const *cand,
    size_t ncand);

#endif
