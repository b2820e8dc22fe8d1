/* lex.c - master-file lexer: lines, parentheses, quotes, comments -> record tokens. */
#include <stdlib.h>

#include "zones/lex.h"

/* The tokens of the record being read: NUL-terminated strings in tbuf at
 * offsets toks[0..ntoks). */
struct zlex {
	char   *tbuf;
	size_t  tlen, tcap;
	size_t *toks;
	size_t  ntoks, tokcap;
};

static int
tok_putc(struct zlex *lx, char c)
{
	char *nb;

	if (lx->tlen + 1 >= lx->tcap) {
		lx->tcap = lx->tcap ? lx->tcap * 2 : 1024;
		if ((nb = realloc(lx->tbuf, lx->tcap)) == NULL)
			return -1;
		lx->tbuf = nb;
	}
	lx->tbuf[lx->tlen++] = c;
	return 0;
}

static int
tok_start(struct zlex *lx)
{
	size_t *nt;

	if (lx->ntoks == lx->tokcap) {
		lx->tokcap = lx->tokcap ? lx->tokcap * 2 : 32;
		if ((nt = realloc(lx->toks, lx->tokcap * sizeof(*nt))) == NULL)
			return -1;
		lx->toks = nt;
	}
	lx->toks[lx->ntoks++] = lx->tlen;
	return 0;
}

/* Hand the record to the callback as an array of strings. */
static int
emit(struct zlex *lx, int line, bool blank, zlex_record_fn *fn, void *arg)
{
	char *stackv[64], **tok = stackv;
	size_t i;
	int rc;

	if (lx->ntoks > 64 && (tok = malloc(lx->ntoks * sizeof(*tok))) == NULL)
		return -1;
	for (i = 0; i < lx->ntoks; i++)
		tok[i] = lx->tbuf + lx->toks[i];
	rc = fn(arg, line, blank, tok, lx->ntoks);
	if (tok != stackv)
		free(tok);
	return rc;
}

int
zlex_records(struct loader *L, int file, const char *data, size_t n,
    zlex_record_fn *fn, void *arg)
{
	struct zlex lx = { NULL, 0, 0, NULL, 0, 0 };
	size_t i;
	int line = 1, rec_line = 1, paren_line = 0, depth = 0, rc = 0, c;
	bool at_start = true, intok = false, blank = false, bad = false;
	bool reported_nul = false;

	for (i = 0; i <= n; ) {
		c = i < n ? (unsigned char)data[i] : '\n';
		if (at_start) {
			at_start = false;
			if (depth == 0) {
				lx.ntoks = 0;
				lx.tlen = 0;
				rec_line = line;
				blank = (c == ' ' || c == '\t');
				bad = false;
			}
		}
		if (c == '\n') {
			if (intok && tok_putc(&lx, '\0') != 0)
				goto fail;
			intok = false;
			if (depth == 0 && lx.ntoks > 0 && !bad &&
			    emit(&lx, rec_line, blank, fn, arg) != 0)
				goto fail;
			line++;
			at_start = true;
			i++;
			continue;
		}
		if (c == '\0') {
			if (!reported_nul)
				zone_err(L, file, line, "NUL byte in template "
				    "(binary file?)");
			reported_nul = true;
			bad = true;
			i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == ';' ||
		    c == '(' || c == ')') {
			if (intok && tok_putc(&lx, '\0') != 0)
				goto fail;
			intok = false;
			if (c == ';') {
				while (i < n && data[i] != '\n')
					i++;
				continue;
			}
			if (c == '(') {
				if (depth == 0)
					paren_line = line;
				depth++;
			} else if (c == ')') {
				if (depth == 0) {
					zone_err(L, file, line, "')' without "
					    "'('");
					bad = true;
				} else
					depth--;
			}
			i++;
			continue;
		}
		if (!intok) {
			if (tok_start(&lx) != 0)
				goto fail;
			intok = true;
		}
		if (c == '"') {
			if (tok_putc(&lx, '"') != 0)
				goto fail;
			i++;
			while (i < n && data[i] != '"' && data[i] != '\n') {
				if (data[i] == '\\' && i + 1 < n &&
				    data[i + 1] != '\n') {
					if (tok_putc(&lx, data[i]) != 0)
						goto fail;
					i++;
				}
				if (tok_putc(&lx, data[i]) != 0)
					goto fail;
				i++;
			}
			if (i < n && data[i] == '"') {
				if (tok_putc(&lx, '"') != 0)
					goto fail;
				i++;
			} else {
				zone_err(L, file, line, "missing closing '\"'");
				bad = true;
			}
			continue;
		}
		if (c == '\\' && i + 1 < n && data[i + 1] != '\n') {
			if (tok_putc(&lx, '\\') != 0)
				goto fail;
			i++;
		}
		if (tok_putc(&lx, data[i]) != 0)
			goto fail;
		i++;
	}
	if (depth > 0)
		zone_err(L, file, paren_line, "'(' without ')'");
	goto out;
fail:
	zone_err(L, file, line, "out of memory");
	rc = -1;
out:
	free(lx.tbuf);
	free(lx.toks);
	return rc;
}
