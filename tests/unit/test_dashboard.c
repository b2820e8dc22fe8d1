/* test_dashboard.c - unit tests of the dashboard page (dnsd/status/
 * dashboard.c): status JSON embedded in the page stays inert whatever a
 * probed server put in its strings, and keeps its value; the DNSSEC panel
 * reads the fields status.json has (test_json.c pins them there). How the
 * page renders is tests/integration/t_status_browser.sh's (Chromium). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <event2/buffer.h>
#include <jansson.h>

#include "dnsd/status/dashboard.h"

static const char *const hostile[] = {
	"554 x <!--<script> y",
	"</script><script>alert(1)</script>",
	"a & b > c <x>",
	"line\xe2\x80\xa8sep\xe2\x80\xa9para",
	"caf\xc3\xa9 \xe2\x82\xac",
};

/* the buffer as a NUL-terminated string (caller frees) */
static char *
text(struct evbuffer *b)
{
	size_t n = evbuffer_get_length(b);
	char *s = malloc(n + 1);

	assert_non_null(s);
	evbuffer_copyout(b, s, n);
	s[n] = '\0';
	return s;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

static void
test_json_escaped_same_value(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		json_t *in = json_pack("{s:s}", "reason", hostile[i]), *out;
		struct evbuffer *b = evbuffer_new();
		char *dumped = json_dumps(in, JSON_COMPACT), *s;
		json_error_t err;

		assert_int_equal(status_dashboard_json(b, dumped), 0);
		s = text(b);
		assert_null(strpbrk(s, "<>&"));
		assert_null(strstr(s, "\xe2\x80\xa8"));
		assert_null(strstr(s, "\xe2\x80\xa9"));
		out = json_loads(s, 0, &err);
		assert_non_null(out);
		assert_string_equal(json_string_value(json_object_get(out,
		    "reason")), hostile[i]);
		json_decref(in);
		json_decref(out);
		free(dumped);
		free(s);
		evbuffer_free(b);
	}
}

/* The whole page: one script block, opened and closed once, no comment. */
static void
test_page_one_script(void **state)
{
	json_t *servers = json_array(), *doc;
	struct evbuffer *b = evbuffer_new();
	size_t i;
	char *s;

	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
		json_array_append_new(servers, json_pack("{s:s,s:s}", "name",
		    "mx", "reason", hostile[i]));
	doc = json_pack("{s:[{s:s,s:o}]}", "pools", "name", "inbound",
	    "servers", servers);
	assert_int_equal(status_dashboard(b, doc), 0);
	s = text(b);
	assert_int_equal(count(s, "<script"), 1);
	assert_int_equal(count(s, "</script"), 1);
	assert_int_equal(count(s, "<!--"), 0);
	assert_non_null(strstr(s, "\\u003c!--\\u003cscript\\u003e y"));
	json_decref(doc);
	free(s);
	evbuffer_free(b);
}

/*
 * The DNSSEC panel's script reads zones[].dnssec by these names (the keys
 * test_json.c checks status.json for): a field renamed on one side only
 * fails here or there. And a signed zone's warning (it quotes the
 * re-signing error) embedded in the page stays text.
 */
static void
test_dnssec_panel(void **state)
{
	static const char *const fields[] = {
		".dnssec", ".signed", ".keys", ".tag", ".algorithm", ".role",
		".expires_in", ".expiration", ".refresh", ".signed_at",
		".sign_ms", ".signatures", ".dynamic", ".names", ".built_at",
		".build_ms", ".resign", ".count", ".warning", ".builds",
		".failures", ".last_at", ".last_ms",
	};
	const char *warning = "re-signing is failing (1 failures): "
	    "</script><b>x</b>";
	struct evbuffer *b = evbuffer_new();
	json_t *doc;
	size_t i;
	char *s, *script;

	doc = json_pack("{s:[{s:s,s:i,s:{s:b,s:s}}]}", "zones", "origin",
	    "dane.example.net.", "serial", 7, "dnssec", "signed", 1,
	    "warning", warning);
	assert_non_null(doc);
	assert_int_equal(status_dashboard(b, doc), 0);
	s = text(b);
	assert_int_equal(count(s, "</script"), 1);
	assert_null(strstr(s, "<b>x</b>"));
	/* the page escapes "/" too (JSON_ESCAPE_SLASH) */
	assert_non_null(strstr(s, "\\u003c\\/script\\u003e\\u003cb\\u003ex"));
	script = strstr(s, "(function(){");
	assert_non_null(script);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strstr(script, fields[i]) == NULL)
			fail_msg("the page script never reads %s", fields[i]);
	/* the panel and the overview's warning line */
	assert_non_null(strstr(script, "id=dnssec>"));
	assert_non_null(strstr(script, "id=\\'dnssec-warning-"));
	json_decref(doc);
	free(s);
	evbuffer_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_escaped_same_value),
		cmocka_unit_test(test_page_one_script),
		cmocka_unit_test(test_dnssec_panel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
