/* conf_text.c - the config text before libconfig: @include expanded, numbers libconfig would truncate reported, lines mapped back to their files. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dnsd/base/conf.h"
#include "dnsd/base/conf_int.h"
#include "dnsd/base/diag.h"

/* libconfig's own limit (MAX_INCLUDE_DEPTH); it also ends a loop. */
#define CONF_INCLUDE_DEPTH 10

struct expand {
	struct cctx *c;
	FILE        *out;		/* the expanded text */
	int          xline;		/* its current line */
};

/* From expanded line xline on, lines are those of file fi from line. */
static int
seg_add(struct cctx *c, int xline, int fi, int line)
{
	struct conf_seg *s;
	size_t na;

	if (c->nsegs > 0 && c->segs[c->nsegs - 1].xline == xline)
		c->nsegs--;	/* nothing was emitted under the previous one */
	if (c->nsegs == c->asegs) {
		na = c->asegs ? c->asegs * 2 : 8;
		if ((s = realloc(c->segs, na * sizeof(*s))) == NULL)
			return -1;
		c->segs = s;
		c->asegs = na;
	}
	c->segs[c->nsegs++] = (struct conf_seg){ xline, fi, line };
	return 0;
}

static int
file_add(struct cctx *c, const char *path)
{
	char **f;
	size_t na;

	if (c->nfiles == c->afiles) {
		na = c->afiles ? c->afiles * 2 : 4;
		if ((f = realloc(c->files, na * sizeof(*f))) == NULL)
			return -1;
		c->files = f;
		c->afiles = na;
	}
	if ((c->files[c->nfiles] = strdup(path)) == NULL)
		return -1;
	return (int)c->nfiles++;
}

static void
badline_add(struct cctx *c, int xline)
{
	int *b;
	size_t na;

	if (c->nbadlines > 0 && c->badlines[c->nbadlines - 1] == xline)
		return;
	if (c->nbadlines == c->abadlines) {
		na = c->abadlines ? c->abadlines * 2 : 16;
		if ((b = realloc(c->badlines, na * sizeof(*b))) == NULL)
			return;	/* the wrapped value may be reported too */
		c->badlines = b;
		c->abadlines = na;
	}
	c->badlines[c->nbadlines++] = xline;
}

int
conf_badline(const struct cctx *c, int xline)
{
	size_t lo = 0, hi = c->nbadlines, mid;

	/* Recorded in text order: ascending. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (c->badlines[mid] == xline)
			return 1;
		if (c->badlines[mid] < xline)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

void
conf_where(const struct cctx *c, int xline, const char **file, int *line)
{
	size_t lo = 0, hi = c->nsegs, mid;

	*file = c->name;
	*line = xline;
	if (xline <= 0 || c->nsegs == 0)
		return;
	/* The last segment starting at or before xline. */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (c->segs[mid].xline <= xline)
			lo = mid;
		else
			hi = mid;
	}
	*file = c->files[c->segs[lo].file];
	*line = c->segs[lo].line + (xline - c->segs[lo].xline);
}

/* errno of read_text() for a file that is not a regular one */
#define EFTYPE_CONF ENODEV

/* Read a whole file: 0, or -1 with errno (EINVAL: it holds a NUL,
 * EFTYPE_CONF: not a regular file). */
static int
read_text(const char *path, char **text, size_t *len)
{
	struct stat sb;
	FILE *f, *mem;
	char buf[8192];
	size_t n;
	int saved;

	*text = NULL;
	*len = 0;
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	/* not a device or a pipe that never ends */
	if (fstat(fileno(f), &sb) != 0)
		saved = errno;
	else
		saved = S_ISREG(sb.st_mode) ? 0 : EFTYPE_CONF;
	if (saved != 0) {
		fclose(f);
		errno = saved;
		return -1;
	}
	if ((mem = open_memstream(text, len)) == NULL) {
		saved = errno;
		fclose(f);
		errno = saved;
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, mem);
	saved = ferror(f) ? errno : 0;
	fclose(f);
	if (fclose(mem) != 0 && saved == 0)
		saved = ENOMEM;
	if (saved == 0 && memchr(*text, '\0', *len) != NULL)
		saved = EINVAL;
	if (saved != 0) {
		free(*text);
		*text = NULL;
		errno = saved;
		return -1;
	}
	return 0;
}

/* Where libconfig would look for an @include of name: the include directory
 * (the main file's) for a relative name, the name itself when absolute
 * (libconfig 1.5 would prefix even that one with the directory, and fail).
 * Caller frees; NULL: out of memory. */
static char *
include_path(const struct cctx *c, const char *name)
{
	char *p;

	if (name[0] == '/' || c->dir == NULL)
		return strdup(name);
	if (asprintf(&p, "%s%s%s", c->dir, strcmp(c->dir, "/") == 0 ? "" : "/",
	    name) < 0)
		return NULL;
	return p;
}

static void expand_text(struct expand *x, int fi, const char *p, int depth);

/* "@include" at p (line start, blanks skipped) followed by blanks and a
 * quote: the name (libconfig's escapes: \\ and \") in name, *endp after the
 * closing quote. 0: not one (or no closing quote on the line: libconfig
 * reports that itself). */
static int
include_name(const char *p, char *name, size_t size, const char **endp)
{
	size_t n = 0;

	if (strncmp(p, "@include", 8) != 0 || (p[8] != ' ' && p[8] != '\t'))
		return 0;
	for (p += 8; *p == ' ' || *p == '\t'; p++)
		;
	if (*p++ != '"')
		return 0;
	for (; *p != '"'; p++) {
		if (*p == '\0' || *p == '\n')
			return 0;
		if (*p == '\\' && (p[1] == '\\' || p[1] == '"'))
			p++;
		if (n + 1 >= size)
			return 0;
		name[n++] = *p;
	}
	name[n] = '\0';
	*endp = p + 1;
	return 1;
}

/* Expand the @include named name at line of file fi. */
static void
expand_include(struct expand *x, int fi, int line, const char *name, int depth)
{
	struct cctx *c = x->c;
	char *path, *text;
	size_t len;
	int ni;

	if (depth >= CONF_INCLUDE_DEPTH) {
		diag_error(&c->d, c->files[fi], line, "@include \"%s\": nested "
		    "deeper than %d files (an include loop?)", name,
		    CONF_INCLUDE_DEPTH);
		return;
	}
	if ((path = include_path(c, name)) == NULL) {
		diag_error(&c->d, c->files[fi], line, "out of memory");
		return;
	}
	if (read_text(path, &text, &len) != 0) {
		diag_error(&c->d, c->files[fi], line, "cannot open include file "
		    "%s: %s", path, errno == EINVAL ?
		    "not a text file (contains NUL bytes)" :
		    errno == EFTYPE_CONF ? "not a regular file" : strerror(errno));
		free(path);
		return;
	}
	/* Messages name the file as libconfig did: the path it opened. */
	if ((ni = file_add(c, path)) < 0 || seg_add(c, x->xline, ni, 1) != 0)
		diag_error(&c->d, c->files[fi], line, "out of memory");
	else {
		expand_text(x, ni, text, depth + 1);
		if (len > 0 && text[len - 1] != '\n') {
			fputc('\n', x->out);
			x->xline++;
		}
	}
	free(text);
	free(path);
}

/* A number literal at p (sign included); p advanced past it. */
static const char *
scan_number(struct expand *x, int fi, int line, const char *p)
{
	const char *start = p;
	unsigned long long v, max;
	bool neg = *p == '-', hex;
	char *end;

	if (*p == '-' || *p == '+')
		p++;
	hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
	errno = 0;
	v = strtoull(p, &end, 0);
	if (!hex && (*end == '.' || *end == 'e' || *end == 'E')) {
		/* a float: skip it whole */
		p = end + 1;
		while (isdigit((unsigned char)*p) || *p == '.' || *p == 'e' ||
		    *p == 'E' || *p == '-' || *p == '+')
			p++;
		return p;
	}
	p = end;
	/* libconfig reads a literal into an int (32 bits), or an int64 with
	 * the L suffix: both wrap without a word. */
	if (*p == 'L' || *p == 'l') {
		while (*p == 'L' || *p == 'l')
			p++;
		max = neg ? 9223372036854775808ULL : 9223372036854775807ULL;
	} else
		max = neg ? 2147483648ULL : 2147483647ULL;
	if (errno == ERANGE || v > max) {
		diag_error(&x->c->d, x->c->files[fi], line,
		    "number %.*s is too large", (int)(p - start), start);
		badline_add(x->c, x->xline);
	}
	return p;
}

/* Copy the text of file fi to x->out, includes expanded, numbers checked. */
static void
expand_text(struct expand *x, int fi, const char *p, int depth)
{
	struct cctx *c = x->c;
	const char *from = p, *q, *after;
	char name[4096];
	int line = 1, bol = 1;

	while (*p != '\0') {
		if (bol) {
			bol = 0;
			for (q = p; *q == ' ' || *q == '\t'; q++)
				;
			if (*q == '@' && include_name(q, name, sizeof(name),
			    &after)) {
				fwrite(from, 1, (size_t)(p - from), x->out);
				expand_include(x, fi, line, name, depth);
				/* The rest of the line is still this file's. */
				if (seg_add(c, x->xline, fi, line) != 0)
					diag_error(&c->d, c->files[fi], line,
					    "out of memory");
				p = from = after;
				continue;
			}
		}
		if (*p == '\n') {
			line++;
			x->xline++;
			bol = 1;
			p++;
		} else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
			while (*p != '\0' && *p != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			for (p += 2; *p != '\0' && !(p[0] == '*' && p[1] == '/'); p++)
				if (*p == '\n') {
					line++;
					x->xline++;
				}
			if (*p != '\0')
				p += 2;
		} else if (*p == '"') {
			for (p++; *p != '\0' && *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0' && p[1] != '\n')
					p++;
				else if (*p == '\n') {
					line++;
					x->xline++;
				}
			}
			if (*p != '\0')
				p++;
		} else if (isalpha((unsigned char)*p) || *p == '_' || *p == '*') {
			while (isalnum((unsigned char)*p) || *p == '_' || *p == '*' ||
			    *p == '-')
				p++;
		} else if (isdigit((unsigned char)*p) ||
		    ((*p == '-' || *p == '+') && isdigit((unsigned char)p[1])))
			p = scan_number(x, fi, line, p);
		else
			p++;
	}
	fwrite(from, 1, (size_t)(p - from), x->out);
}

char *
conf_expand(struct cctx *c, const char *text)
{
	struct expand x = { .c = c, .xline = 1 };
	char *out = NULL;
	size_t len = 0;

	if ((x.out = open_memstream(&out, &len)) == NULL)
		goto oom;
	if (file_add(c, c->name) != 0 || seg_add(c, 1, 0, 1) != 0) {
		fclose(x.out);
		free(out);
		goto oom;
	}
	expand_text(&x, 0, text, 0);
	if (fclose(x.out) != 0) {
		free(out);
		goto oom;
	}
	return out;
oom:
	diag_error(&c->d, c->name, 0, "out of memory");
	return NULL;
}

void
conf_text_free(struct cctx *c)
{
	size_t i;

	for (i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->files);
	free(c->segs);
	free(c->badlines);
	c->files = NULL;
	c->segs = NULL;
	c->badlines = NULL;
	c->nfiles = c->nsegs = c->nbadlines = 0;
}
