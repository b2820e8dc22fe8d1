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
		cmocka_unit_test(test_rise_fall),
		cmocka_unit_test(test_load_math),
		cmocka_unit_test(test_slowstart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
