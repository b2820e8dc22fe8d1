/* test_reply.c - unit tests of the status replies (dnsd/status/reply.c):
 * libevent's own HTML error pages become the JSON errors, ours are left
 * alone, and a half-queued page is not touched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <event2/buffer.h>
#include <jansson.h>

#include "dnsd/status/reply.h"

/* what libevent 2.1's evhttp_send_error() queues for a 400 */
#define LE_400_BODY "<HTML><HEAD>\n<TITLE>400 Bad Request</TITLE>\n" \
	"</HEAD><BODY>\n<H1>Bad Request</H1>\n</BODY></HTML>\n"
#define LE_413_BODY "<HTML><HEAD>\n<TITLE>413 Request Entity Too Large" \
	"</TITLE>\n</HEAD><BODY>\n<H1>Request Entity Too Large</H1>\n" \
	"</BODY></HTML>\n"

static struct evbuffer *
page(const char *status, const char *extra, const char *body, size_t cut)
{
	struct evbuffer *b = evbuffer_new();

	evbuffer_add_printf(b, "HTTP/1.1 %s\r\nContent-Type: text/html\r\n"
	    "Connection: close\r\n%sDate: Wed, 02 Dec 2026 00:00:00 GMT\r\n"
	    "Content-Length: %zu\r\n\r\n%.*s", status, extra, strlen(body),
	    (int)(strlen(body) - cut), body);
	return b;
}

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

/* the JSON body of s, checked against its Content-Length */
static json_t *
body_json(const char *s)
{
	const char *b = strstr(s, "\r\n\r\n"), *cl = strstr(s,
	    "Content-Length: ");

	assert_non_null(b);
	assert_non_null(cl);
	assert_int_equal(strtoul(cl + 16, NULL, 10), strlen(b + 4));
	return json_loads(b + 4, 0, NULL);
}

static void
test_rewritten(void **state)
{
	static const struct {
		const char *status, *body;
		bool        malformed;
		int         code;
		const char *line;
	} t[] = {
		{ "400 Bad Request", LE_400_BODY, false, 400, "HTTP/1.1 400 " },
		{ "400 Bad Request", LE_400_BODY, true, 400, "HTTP/1.1 400 " },
		{ "413 Request Entity Too Large", LE_413_BODY, false, 413,
		  "HTTP/1.1 413 " },
		{ "413 Request Entity Too Large", LE_413_BODY, true, 400,
		  "HTTP/1.1 400 Bad Request\r\n" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct evbuffer *b = page(t[i].status, "", t[i].body, 0);
		json_t *j;
		char *s;

		assert_int_equal(status_reply_rewrite_error(b, t[i].malformed),
		    1);
		s = text(b);
		assert_non_null(strstr(s, t[i].line));
		assert_int_equal(strncmp(s, t[i].line, strlen(t[i].line)), 0);
		assert_non_null(strstr(s, "\r\nContent-Type: application/json\r\n"));
		assert_non_null(strstr(s, "\r\nX-Content-Type-Options: nosniff\r\n"));
		assert_non_null(strstr(s, "\r\nConnection: close\r\n"));
		assert_null(strstr(s, "text/html"));
		assert_null(strstr(s, "<HTML>"));
		assert_non_null(j = body_json(s));
		assert_int_equal(json_integer_value(json_object_get(j,
		    "status")), t[i].code);
		json_decref(j);
		free(s);
		evbuffer_free(b);
	}
}

static void
test_left_alone(void **state)
{
	struct evbuffer *b;
	char *before, *after;

	/* ours (nosniff), half queued, not an error page, not a response */
	b = page("400 Bad Request", "X-Content-Type-Options: nosniff\r\n",
	    LE_400_BODY, 0);
	before = text(b);
	assert_int_equal(status_reply_rewrite_error(b, true), 0);
	after = text(b);
	assert_string_equal(before, after);
	free(before);
	free(after);
	evbuffer_free(b);

	b = page("400 Bad Request", "", LE_400_BODY, 10);
	assert_int_equal(status_reply_rewrite_error(b, false), 0);
	evbuffer_free(b);

	b = page("200 OK", "", "<!doctype html><p>hi</p>\n", 0);
	assert_int_equal(status_reply_rewrite_error(b, false), 0);
	evbuffer_free(b);

	b = evbuffer_new();
	evbuffer_add_printf(b, "%s", LE_400_BODY);
	assert_int_equal(status_reply_rewrite_error(b, false), 0);
	evbuffer_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rewritten),
		cmocka_unit_test(test_left_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
