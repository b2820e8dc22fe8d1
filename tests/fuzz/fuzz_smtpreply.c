/* fuzz_smtpreply.c - libFuzzer harness: SMTP server replies through smtp_reply_feed, line by line. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probes/smtp.h"
#include "tests/fuzz/fuzz.h"

/*
 * The input is what a server sent: lines split at LF, a CR before it
 * dropped (as the probe's CRLF line reader does), each fed NUL-terminated.
 * A complete or malformed reply starts the next one.
 */
int
fuzz_smtpreply_init(void)
{
	return 0;
}

int
fuzz_smtpreply_one(const uint8_t *data, size_t size)
{
	struct smtp_reply r;
	const uint8_t *p = data, *end = data + size, *nl;
	char *line;
	size_t n;
	int rc;

	smtp_reply_init(&r);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		if ((line = malloc(n + 1)) == NULL)
			return 0;
		memcpy(line, p, n);
		if (n > 0 && line[n - 1] == '\r')
			n--;
		line[n] = '\0';
		rc = smtp_reply_feed(&r, line);
		free(line);
		FUZZ_CHECK(rc >= -1 && rc <= 1);
		if (rc != -1)
			FUZZ_CHECK(r.code >= 200 && r.code <= 599 &&
			    r.nlines > 0);
		FUZZ_CHECK(memchr(r.text, '\0', sizeof(r.text)) != NULL);
		if (rc != 0)
			smtp_reply_init(&r);
		p += (nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p));
	}
	return 0;
}

FUZZ_ENTRY(fuzz_smtpreply_init, fuzz_smtpreply_one)
