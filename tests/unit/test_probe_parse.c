/* test_probe_parse.c - probe parsers (agent line, HTTP load, SMTP replies,
 * URL template) and the engine's pure parts (rise/fall, EWMA, load factor,
 * slow start), as tables of cases. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "probes/check.h"
#include "probes/probe.h"
#include "probes/smtp.h"

static void
test_agent(void **state)
{
	static const struct {
		const char *line;
		int rc, words, has_load;
		double load;
		int st, admin;
		const char *comment;
	} c[] = {
		{ "75%", 0, 1, 1, 75, -1, CHECK_AGENT_NONE, "" },
		{ "75%\r\n", 0, 1, 1, 75, -1, CHECK_AGENT_NONE, "" },
		{ "  up  ", 0, 1, 0, 0, 1, CHECK_AGENT_READY, "" },
		{ "READY", 0, 1, 0, 0, -1, CHECK_AGENT_READY, "" },
		{ "Down", 0, 1, 0, 0, 0, CHECK_AGENT_NONE, "" },
		{ "fail#disk full ", 0, 1, 0, 0, 0, CHECK_AGENT_NONE, "disk full" },
		{ "stopped", 0, 1, 0, 0, 0, CHECK_AGENT_NONE, "" },
		{ "drain", 0, 1, 0, 0, -1, CHECK_AGENT_DRAIN, "" },
		{ "MAINT", 0, 1, 0, 0, -1, CHECK_AGENT_MAINT, "" },
		{ "up,50%\tmaxconn:30", 0, 3, 1, 50, 1, CHECK_AGENT_READY, "" },
		{ "drain 12.5% # going away", 0, 2, 1, 12.5, -1, CHECK_AGENT_DRAIN,
		    "going away" },
		{ "maxconn:10", 0, 1, 0, 0, -1, CHECK_AGENT_NONE, "" },
		{ "hello world", 0, 0, 0, 0, -1, CHECK_AGENT_NONE, "" },
		{ "", 0, 0, 0, 0, -1, CHECK_AGENT_NONE, "" },
		{ "# only a comment", 0, 0, 0, 0, -1, CHECK_AGENT_NONE,
		    "only a comment" },
		{ "150%", -1, 0, 0, 0, -1, CHECK_AGENT_NONE, "" },
		{ "x%", -1, 0, 0, 0, -1, CHECK_AGENT_NONE, "" },
		{ "maxconn:", -1, 0, 0, 0, -1, CHECK_AGENT_NONE, "" },
		{ "maxconn:abc", -1, 0, 0, 0, -1, CHECK_AGENT_NONE, "" },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct agent_reply r;
		int rc = agent_parse(c[i].line, &r);

		if (rc != c[i].rc)
			fail_msg("\"%s\": rc %d", c[i].line, rc);
		if (rc != 0)
			continue;
		if (r.words != c[i].words || r.has_load != (c[i].has_load != 0) ||
		    (r.has_load && fabs(r.load - c[i].load) > 1e-9) ||
		    r.state != c[i].st || r.admin != c[i].admin ||
		    strcmp(r.comment, c[i].comment) != 0)
			fail_msg("\"%s\": words %d load %d/%g state %d admin %d "
			    "comment \"%s\"", c[i].line, r.words, r.has_load,
			    r.load, r.state, r.admin, r.comment);
	}
}

static void
test_http_load(void **state)
{
	static const char prom[] =
	    "# HELP mx_load current load\n"
	    "# TYPE mx_load gauge\n"
	    "mx_load_total 99\n"
	    "mx_load{instance=\"a}b\",job=\"x\"} 42.5 1700000000\n"
	    "other 7\n";
	static const char json[] =
	    "{\"a\": {\"load\": [10, 80.5]}, \"m~n\": 3, \"p/q\": 4,"
	    " \"s\": \"12\", \"neg\": -1, \"t\": true}";
	static const struct {
		enum conf_load_format fmt;
		const char *body, *key;
		int rc;
		double want;
	} c[] = {
		{ CONF_LOAD_NUMBER, "42", NULL, 0, 42 },
		{ CONF_LOAD_NUMBER, " 42.5\n", NULL, 0, 42.5 },
		{ CONF_LOAD_NUMBER, "42%", NULL, -1, 0 },
		{ CONF_LOAD_NUMBER, "", NULL, -1, 0 },
		{ CONF_LOAD_NUMBER, "-3", NULL, -1, 0 },
		{ CONF_LOAD_NUMBER, "nan", NULL, -1, 0 },
		{ CONF_LOAD_PERCENT, "75%\n", NULL, 0, 75 },
		{ CONF_LOAD_PERCENT, "75", NULL, -1, 0 },
		{ CONF_LOAD_PERCENT, "%", NULL, -1, 0 },
		{ CONF_LOAD_PROMETHEUS, prom, "mx_load", 0, 42.5 },
		{ CONF_LOAD_PROMETHEUS, prom, "mx_load_total", 0, 99 },
		{ CONF_LOAD_PROMETHEUS, prom, "other", 0, 7 },
		{ CONF_LOAD_PROMETHEUS, prom, "mx", -1, 0 },
		{ CONF_LOAD_PROMETHEUS, prom, "missing", -1, 0 },
		{ CONF_LOAD_PROMETHEUS, "# mx_load 5\n", "mx_load", -1, 0 },
		{ CONF_LOAD_JSON, json, "/a/load/1", 0, 80.5 },
		{ CONF_LOAD_JSON, json, "/a/load/0", 0, 10 },
		{ CONF_LOAD_JSON, json, "/m~0n", 0, 3 },
		{ CONF_LOAD_JSON, json, "/p~1q", 0, 4 },
		{ CONF_LOAD_JSON, json, "/s", 0, 12 },
		{ CONF_LOAD_JSON, json, "/a/load/2", -1, 0 },
		{ CONF_LOAD_JSON, json, "/a/load/01", -1, 0 },
		{ CONF_LOAD_JSON, json, "/a", -1, 0 },
		{ CONF_LOAD_JSON, json, "/neg", -1, 0 },
		{ CONF_LOAD_JSON, json, "/t", -1, 0 },
		{ CONF_LOAD_JSON, json, "a", -1, 0 },
		{ CONF_LOAD_JSON, "{broken", "/a", -1, 0 },
		{ CONF_LOAD_JSON, "17", "", 0, 17 },
		{ CONF_LOAD_NONE, "17", NULL, -1, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char err[80] = "";
		double v = -1;
		int rc = http_load_parse(c[i].body, strlen(c[i].body), c[i].fmt,
		    c[i].key, &v, err, sizeof(err));

		if (rc != c[i].rc || (rc == 0 && fabs(v - c[i].want) > 1e-9))
			fail_msg("case %zu (%s): rc %d value %g err %s", i,
			    c[i].key ? c[i].key : c[i].body, rc, v, err);
		if (rc == -1 && err[0] == '\0')
			fail_msg("case %zu: no error text", i);
	}
}

static void
test_url(void **state)
{
	char out[128];

	assert_int_equal(http_url_expand("http://{addr}:{port}/s?n={name}",
	    "192.0.2.1", 8080, "mx1", out, sizeof(out)), 0);
	assert_string_equal(out, "http://192.0.2.1:8080/s?n=mx1");
	assert_int_equal(http_url_expand("http://{addr}:{port}/", "2001:db8::1",
	    80, "mx1", out, sizeof(out)), 0);
	assert_string_equal(out, "http://[2001:db8::1]:80/");
	assert_int_equal(http_url_expand("{nope}{addr", "a", 1, "n", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "{nope}{addr");
	assert_int_equal(http_url_expand("http://{addr}/{name}", "192.0.2.1", 1,
	    "mx1", out, 16), -1);
}

static void
test_smtp_reply(void **state)
{
	struct smtp_reply r;

	smtp_reply_init(&r);
	assert_int_equal(smtp_reply_feed(&r, "220 mx.example.net ESMTP"), 1);
	assert_int_equal(r.code, 220);
	assert_string_equal(r.text, "mx.example.net ESMTP");

	smtp_reply_init(&r);
	assert_int_equal(smtp_reply_feed(&r, "250-mx.example.net"), 0);
	assert_int_equal(smtp_reply_feed(&r, "250-PIPELINING"), 0);
	assert_int_equal(smtp_reply_feed(&r, "250-starttls"), 0);
	assert_int_equal(smtp_reply_feed(&r, "250 8BITMIME"), 1);
	assert_true(r.starttls);
	assert_int_equal(r.nlines, 4);
	assert_string_equal(r.text, "mx.example.net");

	smtp_reply_init(&r);
	assert_int_equal(smtp_reply_feed(&r, "250-STARTTLSX"), 0);
	assert_int_equal(smtp_reply_feed(&r, "250 X-STARTTLS"), 1);
	assert_false(r.starttls);

	smtp_reply_init(&r);
	assert_int_equal(smtp_reply_feed(&r, "250 STARTTLS"), 1);
	assert_true(r.starttls);

	/* bare code, wrong continuation code, garbage */
	smtp_reply_init(&r);
	assert_int_equal(smtp_reply_feed(&r, "221"), 1);
	assert_int_equal(r.code, 221);
	smtp_reply_init(&r);
	assert_int_equal(smtp_reply_feed(&r, "250-a"), 0);
	assert_int_equal(smtp_reply_feed(&r, "251 b"), -1);
	smtp_reply_init(&r);
	assert_int_equal(smtp_reply_feed(&r, "hello"), -1);
	smtp_reply_init(&r);
	assert_int_equal(smtp_reply_feed(&r, "220x"), -1);
	smtp_reply_init(&r);
	assert_int_equal(smtp_reply_feed(&r, "120 no"), -1);
	smtp_reply_init(&r);
	assert_int_equal(smtp_reply_feed(&r, "421-4.3.2 busy"), 0);
	assert_int_equal(smtp_reply_feed(&r, "421 4.3.2 try later"), 1);
	assert_int_equal(r.code, 421);
	assert_string_equal(r.text, "4.3.2 busy");
}

/* Table: which TLSA records the probe uses (RFC 7671 4.1, RFC 7672 3.1.3). */
static void
test_tlsa_usable(void **state)
{
	static const struct {
		uint8_t u, s, m;
		size_t  dlen;
		bool    want;
	} t[] = {
		{ 3, 1, 1, 32, true },
		{ 3, 0, 1, 32, true },
		{ 3, 1, 2, 64, true },
		{ 3, 0, 0, 500, true },
		{ 2, 0, 1, 32, true },
		{ 2, 1, 0, 91, true },
		{ 0, 0, 1, 32, false },		/* PKIX-TA: not for SMTP */
		{ 1, 1, 1, 32, false },		/* PKIX-EE: not for SMTP */
		{ 4, 1, 1, 32, false },
		{ 255, 1, 1, 32, false },
		{ 3, 2, 1, 32, false },
		{ 3, 1, 3, 32, false },
		{ 3, 1, 1, 31, false },
		{ 3, 1, 1, 64, false },
		{ 3, 1, 2, 32, false },
		{ 3, 1, 0, 0, false },
	};
	uint8_t rd[600];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rd[0] = t[i].u;
		rd[1] = t[i].s;
		rd[2] = t[i].m;
		memset(rd + 3, 0xab, t[i].dlen);
		if (smtp_tlsa_usable(rd, 3 + t[i].dlen) != t[i].want)
			fail_msg("%u %u %u with %zu bytes: want %s", t[i].u,
			    t[i].s, t[i].m, t[i].dlen, t[i].want ? "usable" :
			    "ignored");
	}
	assert_false(smtp_tlsa_usable(rd, 2));
	assert_false(smtp_tlsa_usable(rd, 0));
}

/* An RRset in the conf_server.tlsa format: usable, ignored, a cut tail. */
static void
test_tlsa_count(void **state)
{
	uint8_t set[256];
	size_t n = 0;
	unsigned u, ig;

	/* 3 1 1 with 32 bytes, 1 1 1 with 32, 2 0 0 with 2 */
	set[n++] = 0; set[n++] = 35; set[n++] = 3; set[n++] = 1; set[n++] = 1;
	memset(set + n, 1, 32); n += 32;
	set[n++] = 0; set[n++] = 35; set[n++] = 1; set[n++] = 1; set[n++] = 1;
	memset(set + n, 2, 32); n += 32;
	set[n++] = 0; set[n++] = 5; set[n++] = 2; set[n++] = 0; set[n++] = 0;
	set[n++] = 0x30; set[n++] = 0x82;
	smtp_tlsa_count(set, n, 3, &u, &ig);
	assert_int_equal(u, 2);
	assert_int_equal(ig, 1);
	/* a count beyond the data: the rest is ignored, nothing read past */
	smtp_tlsa_count(set, n - 1, 3, &u, &ig);
	assert_int_equal(u, 1);
	assert_int_equal(ig, 2);
	smtp_tlsa_count(NULL, 0, 2, &u, &ig);
	assert_int_equal(u, 0);
	assert_int_equal(ig, 2);
	smtp_tlsa_count(NULL, 0, 0, &u, &ig);
	assert_int_equal(u + ig, 0);
}

/* "u s m" and the first 4 bytes in hex; "..." when there is more. */
static void
test_tlsa_text(void **state)
{
	static const uint8_t d[32] = { 0x01, 0x23, 0xab, 0xcd, 0xef };
	char buf[40];

	assert_string_equal(smtp_tlsa_text(3, 1, 1, d, 32, buf, sizeof(buf)),
	    "3 1 1 0123abcd...");
	assert_string_equal(smtp_tlsa_text(2, 0, 0, d, 3, buf, sizeof(buf)),
	    "2 0 0 0123ab");
	assert_string_equal(smtp_tlsa_text(2, 0, 0, d, 4, buf, sizeof(buf)),
	    "2 0 0 0123abcd");
	/* too small a buffer: cut, terminated */
	smtp_tlsa_text(3, 1, 1, d, 32, buf, 10);
	assert_true(strlen(buf) < 10);
}

/* Table: the mode in effect from the pool's dane, the server's records
 * (usable or not) and whether they are signed, and the probe type. */
static void
test_dane_mode(void **state)
{
	static const struct {
		enum conf_dane       dane;
		enum conf_probe_type type;
		bool                 usable, signed_;
		enum pstate_dane_mode want;
	} t[] = {
		{ CONF_DANE_AUTO,    CONF_PROBE_SMTP, true,  true,  PSTATE_DANE_CHECK },
		{ CONF_DANE_AUTO,    CONF_PROBE_SMTP, true,  false, PSTATE_DANE_OFF },
		{ CONF_DANE_AUTO,    CONF_PROBE_SMTP, false, true,  PSTATE_DANE_OFF },
		{ CONF_DANE_AUTO,    CONF_PROBE_TCP,  true,  true,  PSTATE_DANE_OFF },
		{ CONF_DANE_OFF,     CONF_PROBE_SMTP, true,  true,  PSTATE_DANE_OFF },
		{ CONF_DANE_CHECK,   CONF_PROBE_SMTP, true,  false, PSTATE_DANE_CHECK },
		{ CONF_DANE_CHECK,   CONF_PROBE_SMTP, false, false, PSTATE_DANE_CHECK },
		{ CONF_DANE_REQUIRE, CONF_PROBE_SMTP, true,  false, PSTATE_DANE_REQUIRE },
		{ CONF_DANE_REQUIRE, CONF_PROBE_SMTP, false, true,  PSTATE_DANE_REQUIRE },
	};
	struct conf_pool pl;
	struct conf_server sv;
	uint8_t set[2 + 35];
	unsigned u, ig;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&pl, 0, sizeof(pl));
		memset(&sv, 0, sizeof(sv));
		pl.dane = t[i].dane;
		pl.probe.type = t[i].type;
		set[0] = 0;
		set[1] = 35;
		set[2] = t[i].usable ? 3 : 1;
		set[3] = 1;
		set[4] = 1;
		memset(set + 5, 7, 32);
		sv.tlsa = set;
		sv.tlsa_len = sizeof(set);
		sv.tlsa_count = 1;
		sv.tlsa_signed = t[i].signed_;
		if (smtp_dane_mode(&pl, &sv, &u, &ig) != t[i].want)
			fail_msg("row %zu: mode %s, want %s", i,
			    pstate_dane_mode_name(smtp_dane_mode(&pl, &sv, &u,
			    &ig)), pstate_dane_mode_name(t[i].want));
		assert_int_equal(u, t[i].usable ? 1 : 0);
		assert_int_equal(ig, t[i].usable ? 0 : 1);
	}
}

static void
test_rise_fall(void **state)
{
	/* sequence of results -> expected transition and state after each */
	static const struct {
		unsigned rise, fall;
		const char *seq;	/* o = ok, x = failed */
		const char *trans;	/* + up, - down, . none */
		const char *up;		/* 1/0 state after */
	} c[] = {
		{ 2, 3, "xxx", "..-", "110" },
		{ 2, 3, "xxoxxx", ".....-", "111110" },
		{ 2, 3, "xxxoxoo", "..-...+", "1100001" },
		{ 1, 1, "xoxo", "-+-+", "0101" },
		{ 3, 2, "xxooxooo", ".-.....+", "10000001" },
		{ 2, 3, "ooooo", ".....", "11111" },
	};
	size_t i, j;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct probe_health h = { .up = true };

		for (j = 0; c[i].seq[j] != '\0'; j++) {
			int t = probe_health_feed(&h, c[i].seq[j] == 'o',
			    c[i].rise, c[i].fall);
			char tc = t > 0 ? '+' : t < 0 ? '-' : '.';

			if (tc != c[i].trans[j] || h.up != (c[i].up[j] == '1'))
				fail_msg("case %zu step %zu: trans %c up %d", i, j,
				    tc, h.up);
		}
	}
}

static void
test_load_math(void **state)
{
	double e;

	assert_true(probe_load_factor(10, 50, 95) == 1.0);
	assert_true(probe_load_factor(50, 50, 95) == 1.0);
	assert_true(probe_load_factor(95, 50, 95) == 0.0);
	assert_true(probe_load_factor(120, 50, 95) == 0.0);
	assert_true(fabs(probe_load_factor(72.5, 50, 95) - 0.5) < 1e-9);
	assert_true(fabs(probe_load_factor(75, 50, 95) - 20.0 / 45) < 1e-9);
	assert_true(probe_load_factor(-1, 50, 95) == 1.0);	/* unknown */

	e = probe_ewma(0, 80, 0.3, true);
	assert_true(e == 80);
	e = probe_ewma(e, 20, 0.3, false);
	assert_true(fabs(e - 62) < 1e-9);
	e = probe_ewma(e, 20, 0.3, false);
	assert_true(fabs(e - 49.4) < 1e-9);
	assert_true(probe_ewma(10, 90, 1.0, false) == 90);
	assert_true(probe_ewma(10, 90, 0, false) == 90);	/* invalid: no smoothing */
}

static void
test_slowstart(void **state)
{
	assert_true(fabs(probe_slowstart_factor(0, 30) - 0.1) < 1e-9);
	assert_true(fabs(probe_slowstart_factor(15, 30) - 0.55) < 1e-9);
	assert_true(fabs(probe_slowstart_factor(29.9, 30) - 0.997) < 1e-9);
	assert_true(probe_slowstart_factor(30, 30) == 1.0);
	assert_true(probe_slowstart_factor(100, 30) == 1.0);
	assert_true(probe_slowstart_factor(5, 0) == 1.0);
	assert_true(fabs(probe_slowstart_factor(-1, 30) - 0.1) < 1e-9);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agent),
		cmocka_unit_test(test_http_load),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_smtp_reply),
		cmocka_unit_test(test_tlsa_usable),
		cmocka_unit_test(test_tlsa_count),
		cmocka_unit_test(test_tlsa_text),
		cmocka_unit_test(test_dane_mode),
		cmocka_unit_test(test_rise_fall),
		cmocka_unit_test(test_load_math),
		cmocka_unit_test(test_slowstart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
