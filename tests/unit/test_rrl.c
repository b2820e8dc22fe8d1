/* test_rrl.c - response rate limiting: accounts, classes, prefixes, slip, window. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "dnsd/base/conf.h"
#include "dnsd/rrl.h"
#include "dnsd/world.h"
#include "zones/zone.h"
#include "tests/unit/testutil.h"

#define NOW 1000


/*
 * A response as query_answer() builds it: header, question, and ancount
 * answer bytes (content irrelevant here) plus 11 bytes of OPT.
 */
static size_t
resp(uint8_t *r, const char *qname, uint16_t qtype, int rcode, int ancount)
{
	size_t n = 12;

	memset(r, 0, 512);
	r[0] = 0x12; r[1] = 0x34;
	r[2] = 0x84;			/* QR AA */
	r[3] = (uint8_t)rcode;
	r[5] = 1;
	r[7] = (uint8_t)ancount;
	r[11] = 1;			/* OPT */
	n += wire(qname, r + n);
	r[n++] = (uint8_t)(qtype >> 8); r[n++] = (uint8_t)qtype;
	r[n++] = 0; r[n++] = 1;
	n += (size_t)ancount * 16 + 11;
	return n;
}

static struct sockaddr_storage
addr(const char *text)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(text, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, text, &s6->sin6_addr), 1);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, text, &s4->sin_addr), 1);
	}
	return ss;
}

static struct conf *
load(const char *text)
{
	struct conf *c = conf_load_string(text, "t.conf", stderr);

	assert_non_null(c);
	return c;
}

/* Send n copies of one response at time now; count those sent unchanged. */
static int
burst(const struct conf_rrl *cfg, const struct world *w, const char *src,
    const char *qname, uint16_t qtype, int rcode, int an, int n, time_t now)
{
	struct sockaddr_storage ss = addr(src);
	uint8_t r[512];
	size_t len, out;
	int i, sent = 0;

	for (i = 0; i < n; i++) {
		len = resp(r, qname, qtype, rcode, an);
		out = rrl_check(cfg, w, (struct sockaddr *)&ss, r, len, now);
		sent += out == len;
	}
	return sent;
}

static int
setup(void **state)
{
	rrl_reset();
	return 0;
}

static void
test_defaults_exempt_loopback(void **state)
{
	struct conf *c = load("");

	assert_true(c->rrl.enabled);
	/* Loopback is exempt by default, whatever the rate. */
	assert_int_equal(burst(&c->rrl, NULL, "127.0.0.66", "a.example.", 1,
	    0, 1, 1000, NOW), 1000);
	assert_int_equal(burst(&c->rrl, NULL, "::1", "a.example.", 1, 0, 1,
	    1000, NOW), 1000);
	/* Another source is limited at the default rate of 100 per second. */
	assert_int_equal(burst(&c->rrl, NULL, "192.0.2.1", "a.example.", 1, 0,
	    1, 1000, NOW), 100);
	conf_free(c);
}

static void
test_rate_and_window(void **state)
{
	struct conf *c = load("rrl = { rate = 5; slip = 0; window = 2; "
	    "exempt = []; };");
	struct rrl_stats st;

	/* A fresh account holds one second of credit. */
	assert_int_equal(burst(&c->rrl, NULL, "127.0.0.66", "a.example.", 1,
	    0, 1, 20, NOW), 5);
	rrl_stats_get(&st);
	assert_int_equal(st.limited, 15);
	assert_int_equal(st.dropped, 15);
	assert_int_equal(st.slipped, 0);
	/* Debt is capped at window * rate = 10: one second later the
	 * balance is -10 + 5, still in debt. */
	assert_int_equal(burst(&c->rrl, NULL, "127.0.0.66", "a.example.", 1,
	    0, 1, 1, NOW + 1), 0);
	/* Two more quiet seconds pay it off: -6 + 10 = 4 responses. */
	assert_int_equal(burst(&c->rrl, NULL, "127.0.0.66", "a.example.", 1,
	    0, 1, 10, NOW + 3), 4);
	/* After more than the window, full credit again. */
	assert_int_equal(burst(&c->rrl, NULL, "127.0.0.66", "a.example.", 1,
	    0, 1, 10, NOW + 100), 5);
	conf_free(c);
}

static void
test_steady_rate(void **state)
{
	struct conf *c = load("rrl = { rate = 10; slip = 0; exempt = []; };");
	int t, sent = 0;

	/* A client at exactly the rate is never limited. */
	for (t = 0; t < 30; t++)
		sent += burst(&c->rrl, NULL, "192.0.2.7", "a.example.", 1, 0,
		    1, 10, NOW + t);
	assert_int_equal(sent, 300);
	conf_free(c);
}

static void
test_prefixes(void **state)
{
	struct conf *c = load("rrl = { rate = 4; slip = 0; exempt = []; };");

	assert_int_equal(burst(&c->rrl, NULL, "192.0.2.1", "a.example.", 1, 0,
	    1, 4, NOW), 4);
	/* Same /24: same account, already spent. */
	assert_int_equal(burst(&c->rrl, NULL, "192.0.2.200", "a.example.", 1,
	    0, 1, 4, NOW), 0);
	/* Next /24: its own. */
	assert_int_equal(burst(&c->rrl, NULL, "192.0.3.1", "a.example.", 1, 0,
	    1, 4, NOW), 4);
	/* IPv6 /56: 2001:db8:0:ff::/64 and 2001:db8:0:1::/64 share one. */
	assert_int_equal(burst(&c->rrl, NULL, "2001:db8:0:ff::1", "a.example.",
	    1, 0, 1, 4, NOW), 4);
	assert_int_equal(burst(&c->rrl, NULL, "2001:db8:0:1::2", "a.example.",
	    1, 0, 1, 4, NOW), 0);
	assert_int_equal(burst(&c->rrl, NULL, "2001:db8:0:100::1", "a.example.",
	    1, 0, 1, 4, NOW), 4);
	conf_free(c);

	c = load("rrl = { rate = 4; slip = 0; exempt = []; ipv4_prefix = 32; };");
	rrl_reset();
	assert_int_equal(burst(&c->rrl, NULL, "192.0.2.1", "a.example.", 1, 0,
	    1, 4, NOW), 4);
	assert_int_equal(burst(&c->rrl, NULL, "192.0.2.2", "a.example.", 1, 0,
	    1, 4, NOW), 4);
	conf_free(c);
}

static void
test_classes(void **state)
{
	struct conf *c = load("rrl = { rate = 3; slip = 0; exempt = []; };");
	const char *src = "198.51.100.9";
	char name[64];
	int i, sent;

	/* Positive answers: one account per qname and qtype, case-blind. */
	assert_int_equal(burst(&c->rrl, NULL, src, "a.example.", 15, 0, 1, 3,
	    NOW), 3);
	assert_int_equal(burst(&c->rrl, NULL, src, "A.Example.", 15, 0, 1, 3,
	    NOW), 0);
	assert_int_equal(burst(&c->rrl, NULL, src, "a.example.", 1, 0, 1, 3,
	    NOW), 3);
	assert_int_equal(burst(&c->rrl, NULL, src, "b.example.", 15, 0, 1, 3,
	    NOW), 3);
	/* NXDOMAIN: random names share one account (no zone: by class). */
	for (i = sent = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "r%d.example.", i);
		sent += burst(&c->rrl, NULL, src, name, 1, 3, 0, 1, NOW);
	}
	assert_int_equal(sent, 3);
	/* NODATA is a class of its own. */
	for (i = sent = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "r%d.example.", i);
		sent += burst(&c->rrl, NULL, src, name, (uint16_t)(i + 1), 0, 0,
		    1, NOW);
	}
	assert_int_equal(sent, 3);
	/* Errors: by rcode, whatever the name. */
	for (i = sent = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "x%d.other.", i);
		sent += burst(&c->rrl, NULL, src, name, 1, 5, 0, 1, NOW);
	}
	assert_int_equal(sent, 3);
	assert_int_equal(burst(&c->rrl, NULL, src, "x.other.", 1, 1, 0, 5,
	    NOW), 3);
	conf_free(c);
}

static struct zone *
fake_zone(const char *origin)
{
	struct zone *z = calloc(1, sizeof(*z));

	assert_non_null(z);
	z->origin_len = (uint8_t)wire(origin, z->origin);
	return z;
}

static void
test_nxdomain_by_zone(void **state)
{
	struct conf *c = load("rrl = { rate = 2; slip = 0; exempt = []; };");
	struct zone *zs[] = { fake_zone("mail.example.com."),
	    fake_zone("example.net.") };
	struct world w = { .conf = c, .zones = zs, .nzones = 2 };
	const char *src = "203.0.113.5";
	char name[64];
	int i, sent1 = 0, sent2 = 0;

	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "R%d.Mail.Example.com.", i);
		sent1 += burst(&c->rrl, &w, src, name, 1, 3, 0, 1, NOW);
		snprintf(name, sizeof(name), "r%d.example.net.", i);
		sent2 += burst(&c->rrl, &w, src, name, 1, 3, 0, 1, NOW);
	}
	/* One account per zone. */
	assert_int_equal(sent1, 2);
	assert_int_equal(sent2, 2);
	free(zs[0]);
	free(zs[1]);
	conf_free(c);
}

/* A real world: wildcard answers share one account per zone and type. */
static void
test_wildcard(void **state)
{
	char dir[] = "/tmp/mxs-rrl.XXXXXX", path[256], name[64];
	struct world *w;
	FILE *f;
	int i, sent;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/z.zone", dir);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "$ORIGIN mail.example.com.\n$TTL 300\n"
	    "@ SOA ns1 hostmaster 1 3600 600 86400 60\n@ NS ns1\n"
	    "ns1 A 192.0.2.53\nhost A 192.0.2.1\n*.wild A 192.0.2.99\n");
	fclose(f);
	snprintf(path, sizeof(path), "%s/m.conf", dir);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "listen = [ \"127.0.0.1:5353\" ];\n"
	    "rrl = { rate = 3; slip = 0; exempt = []; };\n"
	    "zones = ( { origin = \"mail.example.com.\"; "
	    "template = \"z.zone\"; } );\n");
	fclose(f);
	w = world_load(path, stderr);
	assert_non_null(w);

	for (i = sent = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "r%d.wild.mail.example.com.", i);
		sent += burst(&w->conf->rrl, w, "192.0.2.1", name, 1, 0, 1, 1,
		    NOW);
	}
	assert_int_equal(sent, 3);
	/* Another type: another account. */
	assert_int_equal(burst(&w->conf->rrl, w, "192.0.2.1",
	    "x.wild.mail.example.com.", 28, 0, 1, 5, NOW), 3);
	/* Names that exist keep their own accounts. */
	assert_int_equal(burst(&w->conf->rrl, w, "192.0.2.1",
	    "host.mail.example.com.", 1, 0, 1, 5, NOW), 3);
	assert_int_equal(burst(&w->conf->rrl, w, "192.0.2.1",
	    "ns1.mail.example.com.", 1, 0, 1, 5, NOW), 3);
	world_free(w);
	unlink(path);
	snprintf(path, sizeof(path), "%s/z.zone", dir);
	unlink(path);
	rmdir(dir);
}

static void
test_slip(void **state)
{
	struct conf *c = load("rrl = { rate = 1; slip = 2; exempt = [ "
	    "\"10.0.0.0/8\", \"2001:db8::/32\" ]; };"), *c2;
	struct sockaddr_storage ss = addr("192.0.2.1");
	struct rrl_stats st;
	uint8_t r[512];
	size_t len, out, qlen = wire("mx.example.", r + 300);
	int i, slipped = 0, dropped = 0;

	for (i = 0; i < 11; i++) {
		len = resp(r, "mx.example.", 15, 0, 3);
		out = rrl_check(&c->rrl, NULL, (struct sockaddr *)&ss, r, len,
		    NOW);
		if (i == 0) {
			assert_int_equal(out, len);
			continue;
		}
		if (out == 0) {
			dropped++;
			continue;
		}
		/* Minimal: header + question, TC=1, no other section. */
		assert_int_equal(out, 12 + qlen + 4);
		assert_true(r[2] & 0x02);
		assert_true(r[2] & 0x80);
		assert_int_equal(r[0], 0x12);
		assert_int_equal(r[5], 1);
		assert_int_equal(r[7] | r[9] | r[11], 0);
		slipped++;
	}
	/* Every second limited response slips. */
	assert_int_equal(slipped, 5);
	assert_int_equal(dropped, 5);
	rrl_stats_get(&st);
	assert_int_equal(st.limited, 10);
	assert_int_equal(st.slipped, 5);
	assert_int_equal(st.dropped, 5);
	/* Exempt prefixes from the config. */
	assert_int_equal(burst(&c->rrl, NULL, "10.9.8.7", "mx.example.", 15,
	    0, 1, 50, NOW), 50);
	assert_int_equal(burst(&c->rrl, NULL, "2001:db8:1::1", "mx.example.",
	    15, 0, 1, 50, NOW), 50);
	conf_free(c);

	/* slip = 1: every limited response is a TC=1 one. */
	c = load("rrl = { rate = 1; slip = 1; exempt = []; };");
	rrl_reset();
	assert_int_equal(burst(&c->rrl, NULL, "192.0.2.1", "mx.example.", 15,
	    0, 1, 10, NOW), 1);
	rrl_stats_get(&st);
	assert_int_equal(st.slipped, 9);
	assert_int_equal(st.dropped, 0);
	conf_free(c);

	/* A question name over 255 bytes (never from query_answer, but
	 * the parser must not trust it): classed as an error, no overflow. */
	c2 = load("rrl = { rate = 1; slip = 0; exempt = []; };");
	memset(r, 0, sizeof(r));
	r[2] = 0x80; r[5] = 1; r[7] = 1;
	/* Labels 63, 63, 63, 61: 254 bytes so far; then one of 63. */
	for (i = 0, len = 12; i < 5; i++) {
		uint8_t l = i == 3 ? 61 : 63;

		r[len] = l;
		memset(r + len + 1, 'A', l);
		len += (size_t)l + 1;
	}
	len += 1 + 4;
	assert_int_equal(rrl_check(&c2->rrl, NULL, (struct sockaddr *)&ss, r,
	    len, NOW), len);
	assert_int_equal(rrl_check(&c2->rrl, NULL, (struct sockaddr *)&ss, r,
	    len, NOW), 0);
	conf_free(c2);

	/* A FORMERR without a question slips as a bare header. */
	c = load("rrl = { rate = 1; slip = 1; exempt = []; };");
	rrl_reset();
	memset(r, 0, sizeof(r));
	r[2] = 0x80; r[3] = 1;
	out = rrl_check(&c->rrl, NULL, (struct sockaddr *)&ss, r, 12, NOW);
	assert_int_equal(out, 12);
	out = rrl_check(&c->rrl, NULL, (struct sockaddr *)&ss, r, 12, NOW);
	assert_int_equal(out, 12);
	assert_true(r[2] & 0x02);
	conf_free(c);
}

static void
test_disabled(void **state)
{
	struct conf *c = load("rrl = { enabled = false; rate = 1; "
	    "exempt = []; };");
	struct world w = { .conf = c };
	struct sockaddr_storage ss = addr("192.0.2.1");
	uint8_t r[512];
	size_t len;
	int i;

	assert_int_equal(burst(&c->rrl, NULL, "192.0.2.1", "a.example.", 1, 0,
	    1, 100, NOW), 100);
	for (i = 0; i < 100; i++) {
		len = resp(r, "a.example.", 1, 0, 1);
		assert_int_equal(rrl_udp(&w, (struct sockaddr *)&ss, r, len, 0),
		    len);
	}
	/* No world: nothing to limit by. */
	len = resp(r, "a.example.", 1, 0, 1);
	assert_int_equal(rrl_udp(NULL, (struct sockaddr *)&ss, r, len, 0), len);
	conf_free(c);
}

static void
test_udp_wallclock(void **state)
{
	struct conf *c = load("rrl = { rate = 10; slip = 0; exempt = []; };");
	struct world w = { .conf = c };
	struct sockaddr_storage ss = addr("192.0.2.1");
	uint8_t r[512];
	size_t len;
	int i, sent = 0;

	/* Within one or two seconds of real time: 10 to 20 get through. */
	for (i = 0; i < 1000; i++) {
		len = resp(r, "a.example.", 1, 0, 1);
		sent += rrl_udp(&w, (struct sockaddr *)&ss, r, len, 0) == len;
	}
	assert_in_range(sent, 10, 20);
	conf_free(c);
}

struct thr {
	const struct conf_rrl *cfg;
	int sent;
};

static void *
thr_main(void *arg)
{
	struct thr *t = arg;

	t->sent = burst(t->cfg, NULL, "192.0.2.1", "a.example.", 1, 0, 1,
	    20000, NOW);
	return NULL;
}

static void
test_threads(void **state)
{
	struct conf *c = load("rrl = { rate = 1000; slip = 0; exempt = []; };");
	struct thr t[4];
	pthread_t tid[4];
	struct rrl_stats st;
	int i, sent = 0;

	/* Shared accounts, no lock: exactly rate responses pass in total. */
	for (i = 0; i < 4; i++) {
		t[i].cfg = &c->rrl;
		assert_int_equal(pthread_create(&tid[i], NULL, thr_main, &t[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(tid[i], NULL);
		sent += t[i].sent;
	}
	/* Exactly the rate, but for the documented escape: a charge that
	 * loses its compare-and-swap 8 times in a row lets the response
	 * through rather than spin on the query path (rrl_charge). Four
	 * threads on one bucket meet that a few times in a hundred runs. */
	assert_true(sent >= 1000 && sent <= 1000 + 16);
	rrl_stats_get(&st);
	assert_int_equal(st.limited, 4 * 20000 - (uint64_t)sent);
	conf_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults_exempt_loopback, setup),
		cmocka_unit_test_setup(test_rate_and_window, setup),
		cmocka_unit_test_setup(test_steady_rate, setup),
		cmocka_unit_test_setup(test_prefixes, setup),
		cmocka_unit_test_setup(test_classes, setup),
		cmocka_unit_test_setup(test_nxdomain_by_zone, setup),
		cmocka_unit_test_setup(test_wildcard, setup),
		cmocka_unit_test_setup(test_slip, setup),
		cmocka_unit_test_setup(test_disabled, setup),
		cmocka_unit_test_setup(test_udp_wallclock, setup),
		cmocka_unit_test_setup(test_threads, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
