/* diag.c - file:line diagnostics, counted and optionally sorted. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>

#include "dnsd/base/diag.h"

struct diag_msg {
	char *file;
	char *text;
	int   line;
	int   main;
	bool  warning;
};

void
diag_init(struct diag *d, FILE *out, const char *main, enum diag_mode mode)
{
	memset(d, 0, sizeof(*d));
	d->out = out;
	d->main = main;
	d->mode = mode;
}

static void
diag_print(FILE *out, const char *file, int line, bool warning,
    const char *msg)
{
	if (out == NULL)
		return;
	if (line > 0)
		fprintf(out, "%s:%d: %s%s\n", file, line,
		    warning ? "warning: " : "", msg);
	else
		fprintf(out, "%s: %s%s\n", file, warning ? "warning: " : "", msg);
}

static void
diag_add(struct diag *d, const char *file, int line, bool warning,
    const char *fmt, va_list ap)
{
	struct diag_msg *m;
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (file == NULL)
		file = d->main != NULL ? d->main : "(config)";
	if (warning)
		d->nwarn++;
	else
		d->nerr++;
	if (d->mode == DIAG_DIRECT)
		goto direct;
	if (d->nmsgs == d->amsgs) {
		size_t na = d->amsgs ? d->amsgs * 2 : 32;

		if ((m = realloc(d->msgs, na * sizeof(*m))) == NULL)
			goto direct;
		d->msgs = m;
		d->amsgs = na;
	}
	m = &d->msgs[d->nmsgs];
	m->main = d->main != NULL && strcmp(file, d->main) == 0;
	m->line = line;
	m->warning = warning;
	if ((m->file = strdup(file)) == NULL)
		goto direct;
	if ((m->text = strdup(msg)) == NULL) {
		free(m->file);
		goto direct;
	}
	d->nmsgs++;
	return;
direct:
	/* Direct mode, or out of memory: print it now rather than lose it. */
	diag_print(d->out, file, line, warning, msg);
}

void
diag_verror(struct diag *d, const char *file, int line, const char *fmt,
    va_list ap)
{
	diag_add(d, file, line, false, fmt, ap);
}

void
diag_error(struct diag *d, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_add(d, file, line, false, fmt, ap);
	va_end(ap);
}

void
diag_warn(struct diag *d, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_add(d, file, line, true, fmt, ap);
	va_end(ap);
}

void
diag_vwarn(struct diag *d, const char *file, int line, const char *fmt,
    va_list ap)
{
	diag_add(d, file, line, true, fmt, ap);
}

static int
diag_msg_cmp(const void *a, const void *b)
{
	const struct diag_msg *x = a, *y = b;
	int r;

	if (x->main != y->main)
		return y->main - x->main;
	if ((r = strcmp(x->file, y->file)) != 0)
		return r;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	/* qsort is not stable: keep the order of detection. */
	return x < y ? -1 : x > y;
}

void
diag_flush(struct diag *d)
{
	size_t i;

	if (d->nmsgs > 1)
		qsort(d->msgs, d->nmsgs, sizeof(*d->msgs), diag_msg_cmp);
	for (i = 0; i < d->nmsgs; i++) {
		diag_print(d->out, d->msgs[i].file, d->msgs[i].line,
		    d->msgs[i].warning, d->msgs[i].text);
		free(d->msgs[i].file);
		free(d->msgs[i].text);
	}
	free(d->msgs);
	d->msgs = NULL;
	d->nmsgs = d->amsgs = 0;
}

size_t
diag_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, prev, tmp;
	size_t row[257];

	if (la > 255 || lb > 255)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = prev + (tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]));
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (tmp + 1 < row[j])
				row[j] = tmp + 1;
			prev = tmp;
		}
	}
	return row[lb];
}

const char *
diag_suggest(const char *word, const char *const *cand, size_t ncand)
{
	const char *best = NULL;
	size_t i, d, bestd = 3, lw = strlen(word), lc;

	for (i = 0; i < ncand && cand[i] != NULL; i++) {
		d = diag_edit_distance(word, cand[i]);
		if (d < bestd) {
			bestd = d;
			best = cand[i];
		}
	}
	if (best != NULL || lw < 3)
		return best;
	for (i = 0; i < ncand && cand[i] != NULL; i++) {
		lc = strlen(cand[i]);
		if (strncasecmp(word, cand[i], lw < lc ? lw : lc) == 0)
			return cand[i];
	}
	return NULL;
}
