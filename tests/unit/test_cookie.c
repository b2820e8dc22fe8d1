/* test_cookie.c - DNS Cookies: SipHash-2-4 vectors, RFC 9018 appendix A, the
 * lifetime window, rollover, and the query path's answers (RFC 7873 5.2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <urcu.h>

#include "dnsd/base/clock.h"
#include "dnsd/base/siphash.h"
#include "dnsd/base/wire.h"
#include "dnsd/cookie.h"
#include "dnsd/query.h"
#include "dnsd/rrl.h"
#include "dnsd/world.h"
#include "tests/unit/testutil.h"

static void
unhex(const char *h, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		assert_int_equal(sscanf(h + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	assert_int_equal(strlen(h), 2 * n);
}

static socklen_t
addr(const char *ip, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(ip, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(4711);
		assert_int_equal(inet_pton(AF_INET6, ip, &s6->sin6_addr), 1);
		return sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(4711);
		assert_int_equal(inet_pton(AF_INET, ip, &s4->sin_addr), 1);
		return sizeof(*s4);
	}
}

/* ---- SipHash-2-4: the reference vectors of the SipHash paper ---- */

static void
test_siphash_vectors(void **state)
{
	uint8_t key[16], msg[64], out[8], want[8];

	(void)state;
	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	/* paper, appendix A: 15-byte message */
	assert_true(siphash24(key, msg, 15) == 0xa129ca6149be45e5ULL);
	/* vectors.h of the reference code: lengths 0, 7, 8, 63 */
	siphash24_bytes(key, msg, 0, out);
	unhex("310e0edd47db6f72", want, 8);
	assert_memory_equal(out, want, 8);
	siphash24_bytes(key, msg, 7, out);
	unhex("37d1018bf50002ab", want, 8);
	assert_memory_equal(out, want, 8);
	siphash24_bytes(key, msg, 8, out);
	unhex("6224939a79f5f593", want, 8);
	assert_memory_equal(out, want, 8);
	siphash24_bytes(key, msg, 63, out);
	unhex("724506eb4c328a95", want, 8);
	assert_memory_equal(out, want, 8);
}

/* ---- RFC 9018 appendix A ---- */

#define SECRET_1 "e5e973e5a6b2a43f48e7dc849e37bfcf"
#define SECRET_OLD "dd3bdf9344b678b185a6f5cb60fca715"
#define SECRET_NEW "445536bcd2513298075a5d379663c962"
#define V6_CLIENT "2001:db8:220:1:59de:d0f4:8769:82b8"

static const struct {
	const char *secret, *client, *ip, *want;
	uint32_t    now;
} vectors[] = {
	/* A.1 learning a new server cookie */
	{ SECRET_1, "2464c4abcf10c957", "198.51.100.100",
	  "010000005cf79f111f8130c3eee29480", 1559731985 },
	/* A.2 the same client learning a renewed one */
	{ SECRET_1, "2464c4abcf10c957", "198.51.100.100",
	  "010000005cf7a871d4a564a1442aca77", 1559734385 },
	/* A.3 another client learning a renewed one */
	{ SECRET_1, "fc93fc62807ddb86", "203.0.113.203",
	  "010000005cf7a9acf73a7810aca2381e", 1559734700 },
	/* A.4 IPv6 client, after the rollover: old then new secret */
	{ SECRET_OLD, "22681ab97d52c298", V6_CLIENT,
	  "010000005cf7c57926556bd0934c72f8", 1559741817 },
	{ SECRET_NEW, "22681ab97d52c298", V6_CLIENT,
	  "010000005cf7c609a6bb79d16625507a", 1559741961 },
};

static void
test_rfc9018_make(void **state)
{
	uint8_t secret[16], client[8], out[16], want[16];
	struct sockaddr_storage ss;

	(void)state;
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		assert_int_equal(cookie_secret_parse(vectors[i].secret, 32,
		    secret), 0);
		unhex(vectors[i].client, client, 8);
		unhex(vectors[i].want, want, 16);
		addr(vectors[i].ip, &ss);
		cookie_make(secret, client, vectors[i].now,
		    (struct sockaddr *)&ss, out);
		assert_memory_equal(out, want, 16);
	}
}

static void
secrets(struct cookie_secrets *s, const char *cur, const char *prev)
{
	memset(s, 0, sizeof(*s));
	assert_int_equal(cookie_secret_parse(cur, 32, s->current), 0);
	if (prev != NULL) {
		assert_int_equal(cookie_secret_parse(prev, 32, s->previous), 0);
		s->has_previous = true;
	}
}

/* cookie_answer() on a hex option from ip at now: verdict, and the server
 * cookie answered (hex) when want != NULL. */
static void
judge(const struct cookie_secrets *s, const char *opthex, const char *ip,
    uint32_t now, enum cookie_verdict verdict, const char *want)
{
	uint8_t opt[40], out[COOKIE_OPT_LEN], w[16];
	size_t n = strlen(opthex) / 2;
	struct sockaddr_storage ss;

	unhex(opthex, opt, n);
	addr(ip, &ss);
	assert_int_equal(cookie_answer(s, opt, n, (struct sockaddr *)&ss, now,
	    out), verdict);
	assert_memory_equal(out, opt, 8);
	if (want != NULL) {
		unhex(want, w, 16);
		assert_memory_equal(out + 8, w, 16);
	}
}

static void
test_rfc9018_answer(void **state)
{
	struct cookie_secrets s;

	(void)state;
	secrets(&s, SECRET_1, NULL);
	/* A.1: a client cookie only */
	judge(&s, "2464c4abcf10c957", "198.51.100.100", 1559731985,
	    COOKIE_CLIENT_ONLY, "010000005cf79f111f8130c3eee29480");
	/* A.2: 40 minutes later the cookie is still valid, and renewed */
	judge(&s, "2464c4abcf10c957010000005cf79f111f8130c3eee29480",
	    "198.51.100.100", 1559734385, COOKIE_VALID,
	    "010000005cf7a871d4a564a1442aca77");
	/* ten minutes later: valid and kept as it is */
	judge(&s, "2464c4abcf10c957010000005cf79f111f8130c3eee29480",
	    "198.51.100.100", 1559731985 + 600, COOKIE_VALID,
	    "010000005cf79f111f8130c3eee29480");
	/* from another address it is not ours */
	judge(&s, "2464c4abcf10c957010000005cf79f111f8130c3eee29480",
	    "198.51.100.101", 1559731985 + 600, COOKIE_BAD, NULL);
	/* A.3: made with non-zero reserved bytes, hashed as received; at the
	 * example's time it is 1h52m old: expired, answered with a new one */
	judge(&s, "fc93fc62807ddb8601abcdef5cf78f71a314227b6679ebf5",
	    "203.0.113.203", 1559734700, COOKIE_BAD,
	    "010000005cf7a9acf73a7810aca2381e");
	/* ... and valid within its hour (renewed: ours have zero reserved) */
	judge(&s, "fc93fc62807ddb8601abcdef5cf78f71a314227b6679ebf5",
	    "203.0.113.203", 1559727985 + 60, COOKIE_VALID, NULL);
	/* A.4: made under the previous secret: accepted, renewed under the
	 * current one */
	secrets(&s, SECRET_NEW, SECRET_OLD);
	judge(&s, "22681ab97d52c298010000005cf7c57926556bd0934c72f8",
	    V6_CLIENT, 1559741961, COOKIE_VALID,
	    "010000005cf7c609a6bb79d16625507a");
	/* without the previous secret the same cookie is bad */
	secrets(&s, SECRET_NEW, NULL);
	judge(&s, "22681ab97d52c298010000005cf7c57926556bd0934c72f8",
	    V6_CLIENT, 1559741961, COOKIE_BAD,
	    "010000005cf7c609a6bb79d16625507a");
}

static void
test_window(void **state)
{
	struct cookie_secrets s;
	uint8_t opt[24], out[24];
	struct sockaddr_storage ss;
	const struct {
		int64_t ts;
		uint32_t now;
		enum cookie_verdict v;
		bool kept;
	} c[] = {
		{ 1000000, 1000000, COOKIE_VALID, true },
		{ 1000000, 1000000 + 1800, COOKIE_VALID, true },
		{ 1000000, 1000000 + 1801, COOKIE_VALID, false },
		{ 1000000, 1000000 + 3600, COOKIE_VALID, false },
		{ 1000000, 1000000 + 3601, COOKIE_BAD, false },
		{ 1000000 + 300, 1000000, COOKIE_VALID, true },
		{ 1000000 + 301, 1000000, COOKIE_BAD, false },
		/* across the wrap of the 32-bit timestamp */
		{ 4294967296LL - 2600, 1000, COOKIE_VALID, false },
		{ 4294967296LL - 10, 100, COOKIE_VALID, true },
	};

	(void)state;
	secrets(&s, SECRET_1, NULL);
	addr("192.0.2.1", &ss);
	memcpy(opt, "abcdefgh", 8);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		cookie_make(s.current, opt, (uint32_t)c[i].ts,
		    (struct sockaddr *)&ss, opt + 8);
		assert_int_equal(cookie_answer(&s, opt, 24,
		    (struct sockaddr *)&ss, c[i].now, out), c[i].v);
		assert_int_equal(memcmp(out + 8, opt + 8, 16) == 0, c[i].kept);
	}
	/* a server cookie of another length or version is not ours */
	cookie_make(s.current, opt, 1000000, (struct sockaddr *)&ss, opt + 8);
	assert_int_equal(cookie_answer(&s, opt, 16, (struct sockaddr *)&ss,
	    1000000, out), COOKIE_BAD);
	assert_int_equal(cookie_answer(&s, opt, 40 - 16, (struct sockaddr *)&ss,
	    1000000, out), COOKIE_VALID);
	opt[8] = 2;
	assert_int_equal(cookie_answer(&s, opt, 24, (struct sockaddr *)&ss,
	    1000000, out), COOKIE_BAD);
	assert_int_equal(out[8], COOKIE_VERSION);
}

static void
test_mapped_and_parse(void **state)
{
	uint8_t secret[16], client[8] = "12345678", a[16], b[16];
	struct sockaddr_storage s4, s6;

	(void)state;
	assert_int_equal(cookie_secret_parse(SECRET_1, 32, secret), 0);
	addr("192.0.2.7", &s4);
	addr("::ffff:192.0.2.7", &s6);
	cookie_make(secret, client, 5, (struct sockaddr *)&s4, a);
	cookie_make(secret, client, 5, (struct sockaddr *)&s6, b);
	assert_memory_equal(a, b, 16);
	assert_int_equal(cookie_secret_parse("E5E973E5A6B2A43F48E7DC849E37BFCF",
	    32, b), 0);
	assert_memory_equal(secret, b, 16);
	assert_int_equal(cookie_secret_parse(SECRET_1, 31, b), -1);
	assert_int_equal(cookie_secret_parse("g5e973e5a6b2a43f48e7dc849e37bfcf",
	    32, b), -1);
}

/* ---- the query path ---- */

static const char *zone_text =
    "$ORIGIN example.com.\n"
    "$TTL 3600\n"
    "@ SOA ns1 hostmaster 1 3600 600 86400 60\n"
    "@ NS ns1\n"
    "ns1 A 192.0.2.53\n"
    "www A 192.0.2.80\n";

static const char *conf_text =
    "listen = [ \"127.0.0.1:5353\" ];\n"
    "rrl = { rate = 2; slip = 0; };\n"
    "zones = ( { origin = \"example.com.\"; template = \"t.zone\"; } );\n";

static char tmpdir[64];
static struct world *W;
static struct query_thread *T;
static uint8_t resp[65536];

static int
setup(void **state)
{
	char path[256];

	(void)state;
	rcu_register_thread();
	strcpy(tmpdir, "/tmp/mxs-cookie-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	write_file(tmpdir, "t.zone", zone_text);
	write_file(tmpdir, "t.conf", conf_text);
	snprintf(path, sizeof(path), "%s/t.conf", tmpdir);
	if ((W = world_load(path, stderr)) == NULL)
		return -1;
	T = query_thread_new();
	return T == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	query_thread_free(T);
	world_free(W);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	rcu_unregister_thread();
	return system(cmd) == 0 ? 0 : -1;
}

/* www.example.com A with an OPT carrying a COOKIE of n bytes (n < 0: no
 * COOKIE); qd0: no question. */
static size_t
mkq(uint8_t *q, const uint8_t *cookie, int n, bool qd0)
{
	static const uint8_t name[] = "\3www\7example\3com";
	size_t l = 12;

	memset(q, 0, 12);
	q[0] = 0x12; q[1] = 0x34; q[2] = 0x01;	/* RD */
	q[5] = qd0 ? 0 : 1;
	q[11] = 1;
	if (!qd0) {
		memcpy(q + l, name, sizeof(name));
		l += sizeof(name);
		wire_set16(q + l, 1);
		wire_set16(q + l + 2, 1);
		l += 4;
	}
	q[l] = 0;
	wire_set16(q + l + 1, WIRE_TYPE_OPT);
	wire_set16(q + l + 3, 1232);
	memset(q + l + 5, 0, 4);
	wire_set16(q + l + 9, (uint16_t)(n >= 0 ? 4 + n : 0));
	l += 11;
	if (n >= 0) {
		wire_set16(q + l, WIRE_EDNS_OPT_COOKIE);
		wire_set16(q + l + 2, (uint16_t)n);
		memcpy(q + l + 4, cookie, (size_t)n);
		l += 4 + (size_t)n;
	}
	return l;
}

static size_t
skip_name(const uint8_t *p, size_t off)
{
	while (p[off] != 0) {
		if ((p[off] & 0xC0) == 0xC0)
			return off + 2;
		off += (size_t)p[off] + 1;
	}
	return off + 1;
}

struct reply {
	int      rcode;		/* with the OPT's extended bits */
	unsigned qd, an;
	int      cookie_len;	/* -1: no COOKIE in the OPT */
	uint8_t  cookie[40];
};

static void
parse_reply(const uint8_t *r, size_t len, struct reply *out)
{
	unsigned qd = wire_get16(r + 4), an = wire_get16(r + 6),
	    ns = wire_get16(r + 8), ar = wire_get16(r + 10);
	size_t off = 12;

	memset(out, 0, sizeof(*out));
	out->rcode = r[3] & 0x0F;
	out->qd = qd;
	out->an = an;
	out->cookie_len = -1;
	for (unsigned i = 0; i < qd; i++)
		off = skip_name(r, off) + 4;
	for (unsigned i = 0; i < an + ns + ar; i++) {
		size_t o = skip_name(r, off), rd = o + 10, end;

		end = rd + wire_get16(r + o + 8);
		assert_true(end <= len);
		if (wire_get16(r + o) == WIRE_TYPE_OPT) {
			out->rcode |= r[o + 4] << 4;
			for (size_t p = rd; p < end; p += 4 + wire_get16(r + p + 2))
				if (wire_get16(r + p) == WIRE_EDNS_OPT_COOKIE) {
					out->cookie_len = wire_get16(r + p + 2);
					memcpy(out->cookie, r + p + 4,
					    (size_t)out->cookie_len);
				}
		}
		off = end;
	}
	assert_int_equal(off, len);
}

static void
ask(const uint8_t *cookie, int n, bool qd0, int transport,
    const struct sockaddr *from, struct reply *out)
{
	uint8_t q[512];
	size_t ql = mkq(q, cookie, n, qd0), rl;

	rl = query_answer_from(W, T, from, q, ql, resp, sizeof(resp),
	    transport);
	assert_true(rl > 0);
	parse_reply(resp, rl, out);
}

static void
test_query_path(void **state)
{
	struct sockaddr_storage ss;
	const struct sockaddr *from = (struct sockaddr *)&ss;
	struct query_stats st0, st;
	uint8_t c[64] = { 0 };	/* the 41-byte case reads 41 */
	struct reply r, r2;

	(void)state;
	addr("192.0.2.1", &ss);
	query_stats_sum(&st0);
	/* no cookie: none answered */
	ask(NULL, -1, false, QUERY_UDP, from, &r);
	assert_int_equal(r.rcode, WIRE_RCODE_NOERROR);
	assert_int_equal(r.cookie_len, -1);
	/* a client cookie only: normal answer with a server cookie */
	memcpy(c, "ABCDEFGH", 8);
	ask(c, 8, false, QUERY_UDP, from, &r);
	assert_int_equal(r.rcode, WIRE_RCODE_NOERROR);
	assert_int_equal(r.an, 1);
	assert_int_equal(r.cookie_len, COOKIE_OPT_LEN);
	assert_memory_equal(r.cookie, c, 8);
	assert_int_equal(r.cookie[8], COOKIE_VERSION);
	assert_false(query_cookie_valid(T));
	/* echoed back: valid, kept as it is, exempt from RRL */
	ask(r.cookie, 24, false, QUERY_UDP, from, &r2);
	assert_int_equal(r2.rcode, WIRE_RCODE_NOERROR);
	assert_int_equal(r2.an, 1);
	assert_memory_equal(r2.cookie, r.cookie, 24);
	assert_true(query_cookie_valid(T));
	/* bad server cookie over UDP: BADCOOKIE and a fresh cookie */
	memcpy(c, r.cookie, 24);
	c[23] ^= 1;
	ask(c, 24, false, QUERY_UDP, from, &r2);
	assert_int_equal(r2.rcode, WIRE_RCODE_BADCOOKIE);
	assert_int_equal(r2.an, 0);
	assert_int_equal(r2.qd, 1);
	assert_int_equal(r2.cookie_len, COOKIE_OPT_LEN);
	assert_memory_equal(r2.cookie, r.cookie, 24);
	assert_false(query_cookie_valid(T));
	/* ... over TCP: answered normally, with the fresh cookie */
	ask(c, 24, false, QUERY_TCP, from, &r2);
	assert_int_equal(r2.rcode, WIRE_RCODE_NOERROR);
	assert_int_equal(r2.an, 1);
	assert_memory_equal(r2.cookie, r.cookie, 24);
	/* the valid cookie from another address is bad there */
	addr("192.0.2.2", &ss);
	ask(r.cookie, 24, false, QUERY_UDP, from, &r2);
	assert_int_equal(r2.rcode, WIRE_RCODE_BADCOOKIE);
	addr("192.0.2.1", &ss);
	/* a server cookie of another length (8..32 bytes) is bad, not FORMERR */
	ask(c, 16, false, QUERY_UDP, from, &r2);
	assert_int_equal(r2.rcode, WIRE_RCODE_BADCOOKIE);
	ask(c, 40, false, QUERY_UDP, from, &r2);
	assert_int_equal(r2.rcode, WIRE_RCODE_BADCOOKIE);
	/* malformed lengths: FORMERR without a cookie */
	for (int n = 0; n <= 41; n++) {
		if (n == 8 || (n >= 16 && n <= 40))
			continue;
		ask(c, n, false, QUERY_UDP, from, &r2);
		assert_int_equal(r2.rcode, WIRE_RCODE_FORMERR);
		assert_int_equal(r2.cookie_len, -1);
	}
	/* QDCOUNT 0 with a client cookie: NOERROR and a server cookie */
	ask(c, 8, true, QUERY_UDP, from, &r2);
	assert_int_equal(r2.rcode, WIRE_RCODE_NOERROR);
	assert_int_equal(r2.qd, 0);
	assert_memory_equal(r2.cookie, r.cookie, 24);
	/* ... with a bad server cookie: BADCOOKIE */
	ask(c, 24, true, QUERY_UDP, from, &r2);
	assert_int_equal(r2.rcode, WIRE_RCODE_BADCOOKIE);
	/* ... without a cookie still FORMERR */
	ask(c, -1, true, QUERY_UDP, from, &r2);
	assert_int_equal(r2.rcode, WIRE_RCODE_FORMERR);
	/* no client address (query_answer): cookies ignored, as before */
	{
		uint8_t q[512];
		size_t ql = mkq(q, c, 24, false), rl;

		rl = query_answer(W, T, q, ql, resp, sizeof(resp), QUERY_UDP);
		parse_reply(resp, rl, &r2);
		assert_int_equal(r2.rcode, WIRE_RCODE_NOERROR);
		assert_int_equal(r2.cookie_len, -1);
	}
	query_stats_sum(&st);
	/* cookies: 1 client only + 1 valid + UDP/TCP/other-address bad + 2
	 * other lengths + 2 QDCOUNT 0 */
	assert_int_equal(st.cookies - st0.cookies, 9);
	assert_int_equal(st.cookies_valid - st0.cookies_valid, 1);
	assert_int_equal(st.cookies_bad - st0.cookies_bad, 6);
}

/* The 512-byte UDP limit keeps room for the cookie. */
static void
test_query_limit(void **state)
{
	struct sockaddr_storage ss;
	uint8_t q[512], c[24] = "ABCDEFGH";
	size_t ql, rl;

	(void)state;
	addr("192.0.2.1", &ss);
	ql = mkq(q, c, 8, false);
	wire_set16(q + ql - 12 - 11 + 3, 512);	/* the OPT's payload size */
	rl = query_answer_from(W, T, (struct sockaddr *)&ss, q, ql, resp, 4096,
	    QUERY_UDP);
	assert_true(rl > 0 && rl <= 512);
}

/* RRL: valid cookies are exempt, others charged. */
static void
test_rrl_exempt(void **state)
{
	struct sockaddr_storage ss;
	uint8_t q[512], c[24] = "ABCDEFGH";
	size_t ql, rl, sent = 0, sent_cookie = 0;

	(void)state;
	rrl_reset();
	addr("198.51.100.9", &ss);
	ql = mkq(q, c, 8, false);
	for (int i = 0; i < 50; i++) {
		rl = query_answer_from(W, T, (struct sockaddr *)&ss, q, ql,
		    resp, 4096, QUERY_UDP);
		if (rrl_udp(W, (struct sockaddr *)&ss, resp, rl,
		    query_cookie_valid(T) ? RRL_F_COOKIE : 0) == rl)
			sent++;
	}
	assert_true(sent < 10);
	memcpy(c + 8, resp + rl - 16, 16);	/* the server cookie answered */
	ql = mkq(q, c, 24, false);
	for (int i = 0; i < 50; i++) {
		rl = query_answer_from(W, T, (struct sockaddr *)&ss, q, ql,
		    resp, 4096, QUERY_UDP);
		assert_true(query_cookie_valid(T));
		if (rrl_udp(W, (struct sockaddr *)&ss, resp, rl,
		    query_cookie_valid(T) ? RRL_F_COOKIE : 0) == rl)
			sent_cookie++;
	}
	assert_int_equal(sent_cookie, 50);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash_vectors),
		cmocka_unit_test(test_rfc9018_make),
		cmocka_unit_test(test_rfc9018_answer),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_mapped_and_parse),
		cmocka_unit_test(test_query_path),
		cmocka_unit_test(test_query_limit),
		cmocka_unit_test(test_rrl_exempt),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
