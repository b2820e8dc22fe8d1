/* test_log.c - unit tests of the logger (dnsd/base/log.c): what a peer's
 * text becomes in a log line (log_sanitize), and that every line written
 * goes through it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dnsd/base/log.h"

static void
test_sanitize_table(void **state)
{
	static const struct {
		const char *in, *out;
		size_t      changed;
	} t[] = {
		{ "plain ascii 554 5.7.1", "plain ascii 554 5.7.1", 0 },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa7", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa7", 0 },
		{ "a\nb\rc\td", "a?b?c?d", 3 },
		{ "\x1b[2Jclear", "?[2Jclear", 1 },
		{ "del\x7f", "del?", 1 },
		{ "csi \xc2\x9b" "31m", "csi ??31m", 2 },	/* C1 control */
		{ "nbsp \xc2\xa0 ok", "nbsp \xc2\xa0 ok", 0 },
		{ "lone \x80 cont", "lone ? cont", 1 },
		{ "overlong \xc0\xaf", "overlong ??", 2 },
		{ "overlong3 \xe0\x80\xaf", "overlong3 ???", 3 },
		{ "surrogate \xed\xa0\x80", "surrogate ???", 3 },
		{ "too big \xf4\x90\x80\x80", "too big ????", 4 },
		{ "cut \xe2\x82", "cut ??", 2 },
		{ "latin1 \xe9t\xe9", "latin1 ?t?", 2 },
		{ "", "", 0 },
	};
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", t[i].in);
		assert_int_equal(log_sanitize(buf), t[i].changed);
		assert_string_equal(buf, t[i].out);
	}
}

/* A line quoting a peer comes out on one line, controls replaced. */
static void
test_lines_sanitized(void **state)
{
	char path[] = "/tmp/test_log.XXXXXX", got[512];
	int fd, saved;
	FILE *f;
	size_t n;

	assert_true((fd = mkstemp(path)) != -1);
	saved = dup(STDERR_FILENO);
	assert_true(dup2(fd, STDERR_FILENO) != -1);
	log_init(LOG_LVL_INFO, 0, "test");
	log_warnx("greeting %s", "554 x\r\n2026-01-01 00:00:00 forged: \x1b]0;t\x07 \xff");
	assert_true(dup2(saved, STDERR_FILENO) != -1);
	close(saved);
	assert_true((f = fdopen(fd, "r")) != NULL);
	rewind(f);
	n = fread(got, 1, sizeof(got) - 1, f);
	got[n] = '\0';
	fclose(f);
	unlink(path);
	assert_non_null(strstr(got, "greeting 554 x??2026-01-01 00:00:00 forged: "
	    "?]0;t? ?\n"));
	assert_ptr_equal(strchr(got, '\n'), got + n - 1);	/* one line */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize_table),
		cmocka_unit_test(test_lines_sanitized),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
