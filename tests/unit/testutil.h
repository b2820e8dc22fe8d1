/* testutil.h - small helpers shared by the cmocka unit tests. */
#ifndef MXS_TESTUTIL_H
#define MXS_TESTUTIL_H

#include <stdint.h>
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

#endif
