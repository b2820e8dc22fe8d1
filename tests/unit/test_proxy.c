/* test_proxy.c - the PROXY v1/v2 header encoder (dnsd/relay/proxy.c),
 * byte for byte, from a table of address pairs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "dnsd/base/conf.h"
#include "dnsd/base/proxy.h"

/* "192.0.2.7", "2001:db8::7", "unix" (an AF_UNIX address), or NULL. */
static const struct sockaddr *
addr(const char *a, unsigned port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a == NULL)
		return NULL;
	if (strcmp(a, "unix") == 0) {
		struct sockaddr_un *u = (struct sockaddr_un *)ss;

		u->sun_family = AF_UNIX;
		snprintf(u->sun_path, sizeof(u->sun_path), "/run/x.sock");
	} else if (strchr(a, ':') != NULL) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons((uint16_t)port);
		assert_int_equal(inet_pton(AF_INET6, a, &s->sin6_addr), 1);
	} else {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		s->sin_port = htons((uint16_t)port);
		assert_int_equal(inet_pton(AF_INET, a, &s->sin_addr), 1);
	}
	return (const struct sockaddr *)ss;
}

#define SIG 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a

struct proxy_case {
	const char   *name;
	int           version;
	const char   *src;
	unsigned      sport;
	const char   *dst;
	unsigned      dport;
	int           want_len;		/* -1: refused */
	unsigned char want[PROXY_HEADER_MAX];
};

#define V1(s) sizeof(s) - 1, s

static const struct proxy_case cases[] = {
	{ "v1 TCP4", CONF_PROXY_V1, "192.0.2.7", 40000, "198.51.100.1", 25,
	  V1("PROXY TCP4 192.0.2.7 198.51.100.1 40000 25\r\n") },
	{ "v1 TCP6", CONF_PROXY_V1, "2001:db8::7", 1, "2001:db8::1", 25,
	  V1("PROXY TCP6 2001:db8::7 2001:db8::1 1 25\r\n") },
	{ "v1 v4-mapped client, v4 destination", CONF_PROXY_V1,
	  "::ffff:192.0.2.9", 5555, "198.51.100.1", 25,
	  V1("PROXY TCP4 192.0.2.9 198.51.100.1 5555 25\r\n") },
	{ "v1 v4-mapped both (dual-stack socket)", CONF_PROXY_V1,
	  "::ffff:192.0.2.9", 5555, "::ffff:198.51.100.1", 2525,
	  V1("PROXY TCP4 192.0.2.9 198.51.100.1 5555 2525\r\n") },
	{ "v1 mixed families", CONF_PROXY_V1, "2001:db8::7", 1,
	  "198.51.100.1", 25, V1("PROXY UNKNOWN\r\n") },
	{ "v1 AF_UNIX", CONF_PROXY_V1, "unix", 0, "unix", 0,
	  V1("PROXY UNKNOWN\r\n") },
	{ "v1 no addresses", CONF_PROXY_V1, NULL, 0, NULL, 0,
	  V1("PROXY UNKNOWN\r\n") },
	{ "v1 longest line", CONF_PROXY_V1,
	  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535,
	  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 65535,
	  V1("PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
	     "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe 65535 65535\r\n") },

	{ "v2 TCP4", CONF_PROXY_V2, "192.0.2.7", 40000, "198.51.100.1", 25,
	  16 + 12, { SIG, 0x21, 0x11, 0x00, 0x0c,
	  192, 0, 2, 7, 198, 51, 100, 1, 0x9c, 0x40, 0x00, 0x19 } },
	{ "v2 TCP6", CONF_PROXY_V2, "2001:db8::7", 1, "2001:db8::1", 25,
	  16 + 36, { SIG, 0x21, 0x21, 0x00, 0x24,
	  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07,
	  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	  0x00, 0x01, 0x00, 0x19 } },
	{ "v2 v4-mapped as TCP4", CONF_PROXY_V2, "::ffff:192.0.2.9", 5555,
	  "::ffff:198.51.100.1", 587,
	  16 + 12, { SIG, 0x21, 0x11, 0x00, 0x0c,
	  192, 0, 2, 9, 198, 51, 100, 1, 0x15, 0xb3, 0x02, 0x4b } },
	{ "v2 mixed families: PROXY, unspecified, no addresses", CONF_PROXY_V2,
	  "2001:db8::7", 1, "198.51.100.1", 25,
	  16, { SIG, 0x21, 0x00, 0x00, 0x00 } },
	{ "v2 AF_UNIX: PROXY, unspecified", CONF_PROXY_V2, "unix", 0, "unix", 0,
	  16, { SIG, 0x21, 0x00, 0x00, 0x00 } },
	{ "v2 LOCAL (no addresses)", CONF_PROXY_V2, NULL, 0, NULL, 0,
	  16, { SIG, 0x20, 0x00, 0x00, 0x00 } },
	{ "v2 LOCAL (no client)", CONF_PROXY_V2, NULL, 0, "192.0.2.1", 25,
	  16, { SIG, 0x20, 0x00, 0x00, 0x00 } },

	{ "no PROXY", CONF_PROXY_NONE, "192.0.2.7", 1, "192.0.2.1", 25, -1, { 0 } },
	{ "version 3", 3, "192.0.2.7", 1, "192.0.2.1", 25, -1, { 0 } },
};

static void
test_proxy_table(void **state)
{
	size_t c;

	(void)state;
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const struct proxy_case *pc = &cases[c];
		struct sockaddr_storage s, d;
		unsigned char buf[PROXY_HEADER_MAX + 16];
		int n;

		memset(buf, 0xee, sizeof(buf));
		n = proxy_header(pc->version, addr(pc->src, pc->sport, &s),
		    addr(pc->dst, pc->dport, &d), buf);
		if (n != pc->want_len ||
		    (n > 0 && memcmp(buf, pc->want, (size_t)n) != 0)) {
			int i;

			print_error("%s: got %d bytes:", pc->name, n);
			for (i = 0; i < n && i < PROXY_HEADER_MAX; i++)
				print_error(" %02x", buf[i]);
			print_error("\n");
			fail();
		}
		/* nothing written beyond the header, but for the NUL that
		 * may follow a v1 line (not counted, not sent) */
		if (n > 0) {
			size_t i;

			assert_true(n <= PROXY_HEADER_MAX);
			assert_true(buf[n] == 0xee ||
			    (pc->version == CONF_PROXY_V1 && buf[n] == 0));
			for (i = (size_t)n + 1; i < sizeof(buf); i++)
				assert_int_equal(buf[i], 0xee);
		} else {
			size_t i;

			for (i = 0; i < sizeof(buf); i++)	/* untouched */
				assert_int_equal(buf[i], 0xee);
		}
	}
}

/* The v2 length field counts what follows the 16-byte prefix, big endian:
 * the prefix plus the length is the whole header, for every family. */
static void
test_proxy_v2_length(void **state)
{
	static const char *const pairs[][2] = {
		{ "192.0.2.1", "192.0.2.2" }, { "2001:db8::1", "2001:db8::2" },
		{ "192.0.2.1", "2001:db8::2" }, { NULL, NULL } };
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++) {
		struct sockaddr_storage s, d;
		unsigned char buf[PROXY_HEADER_MAX];
		int n = proxy_header(CONF_PROXY_V2,
		    addr(pairs[k][0], 1, &s), addr(pairs[k][1], 2, &d), buf);

		assert_true(n >= 16);
		assert_int_equal(16 + (buf[14] << 8 | buf[15]), n);
		assert_int_equal(buf[12] >> 4, 2);	/* version 2 */
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proxy_table),
		cmocka_unit_test(test_proxy_v2_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
