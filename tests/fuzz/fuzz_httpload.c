/* fuzz_httpload.c - libFuzzer harness: an HTTP body through http_load_parse in every load format. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dnsd/base/conf.h"
#include "probes/check.h"
#include "tests/fuzz/fuzz.h"

/*
 * Input layout: byte 0 selects the format (mod 5: none, number, percent,
 * prometheus, json); then the key (metric name or JSON pointer) up to the
 * first newline; the rest is the body, handed over in a buffer of exactly
 * its length (no NUL after it, as curl's write callback gives no promise).
 */
int
fuzz_httpload_init(void)
{
	return 0;
}

int
fuzz_httpload_one(const uint8_t *data, size_t size)
{
	enum conf_load_format fmt;
	const uint8_t *nl;
	char *key, *body, err[128];
	size_t klen, blen;
	double v = -1;

	if (size < 1)
		return 0;
	fmt = (enum conf_load_format)(data[0] % 5);
	data++;
	size--;
	nl = memchr(data, '\n', size);
	klen = nl != NULL ? (size_t)(nl - data) : size;
	if ((key = malloc(klen + 1)) == NULL)
		return 0;
	memcpy(key, data, klen);
	key[klen] = '\0';
	blen = nl != NULL ? size - klen - 1 : 0;
	if ((body = malloc(blen ? blen : 1)) == NULL) {
		free(key);
		return 0;
	}
	if (blen)
		memcpy(body, nl + 1, blen);
	err[0] = '\0';
	if (http_load_parse(body, blen, fmt, key, &v, err, sizeof(err)) == 0)
		FUZZ_CHECK(isfinite(v) && v >= 0);
	else
		FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
	/* The key as NULL where the format allows it. */
	(void)http_load_parse(body, blen, fmt, NULL, &v, err, sizeof(err));
	free(body);
	free(key);
	return 0;
}

FUZZ_ENTRY(fuzz_httpload_init, fuzz_httpload_one)
