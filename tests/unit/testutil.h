/* testutil.h - small helpers shared by the cmocka unit tests. */
#ifndef MXS_TESTUTIL_H
#define MXS_TESTUTIL_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Wire form of a presentation name ("a.b." or "a.b", "." for the root),
 * no escapes; returns the length written to out (at least 256 bytes). */
static inline size_t
wire(const char *s, uint8_t *out)
{
	size_t o = 0, l;
	const char *dot;

	while (*s && strcmp(s, ".") != 0) {
		dot = strchr(s, '.');
		l = dot ? (size_t)(dot - s) : strlen(s);
		out[o++] = (uint8_t)l;
		memcpy(out + o, s, l);
		o += l;
		s += l + (dot ? 1 : 0);
	}
	out[o++] = 0;
	return o;
}

/* Write text to dir/name (dir NULL: name is the path); the test fails if
 * the file cannot be written. Include after <cmocka.h>. */
static inline void
write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	if (dir != NULL)
		snprintf(path, sizeof(path), "%s/%s", dir, name);
	else
		snprintf(path, sizeof(path), "%s", name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

#endif
