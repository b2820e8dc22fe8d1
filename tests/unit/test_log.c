/* test_log.c - the logger (dnsd/base/log.c): the rate limiter (suppressed
 * lines summarised by log_rate_flush() once their second is over, without
 * waiting for a later line), log_errx's level word, and what a peer's text
 * becomes in a log line (log_sanitize, applied to every line). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dnsd/base/log.h"

static char out_path[] = "/tmp/test_log.XXXXXX";
static int saved_stderr = -1;

/* The logger writes to fd 2: point it at a file for the test. */
static int
setup(void **state)
{
	int fd = mkstemp(out_path);

	if (fd == -1 || (saved_stderr = dup(STDERR_FILENO)) == -1 ||
	    dup2(fd, STDERR_FILENO) == -1)
		return -1;
	close(fd);
	log_init(LOG_LVL_INFO, 0, "test_log");
	return 0;
}

static int
teardown(void **state)
{
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	unlink(out_path);
	return 0;
}

/* What the logger wrote since the last call (each line once). */
static const char *
logged(void)
{
	static char buf[4096];
	static long seen;
	FILE *f = fopen(out_path, "r");
	size_t n;

	assert_non_null(f);
	assert_int_equal(fseek(f, seen, SEEK_SET), 0);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	seen += (long)n;
	fclose(f);
	return buf;
}

/* Sleep until just after the wall-clock second changes. */
static void
next_second(void)
{
	time_t t0 = time(NULL);

	while (time(NULL) == t0)
		usleep(5000);
}

static void
test_rate_flush(void **state)
{
	struct log_rate r = { 0 };
	int i, ok = 0;

	(void)logged();
	next_second();
	for (i = 0; i < 5; i++)
		if (log_rate_ok(&r, 2, "probe: test lines"))
			ok++;
	assert_int_equal(ok, 2);
	/* Same second: the count is not final, nothing is written. */
	if (time(NULL) == r.sec) {
		log_rate_flush(&r, 2, "probe: test lines");
		assert_string_equal(logged(), "");
	}
	next_second();
	log_rate_flush(&r, 2, "probe: test lines");
	assert_non_null(strstr(logged(),
	    "warning: probe: test lines: 3 more not logged (over 2 a second)\n"));
	/* Once only; and the new second has its whole budget. */
	log_rate_flush(&r, 2, "probe: test lines");
	assert_string_equal(logged(), "");
	assert_true(log_rate_ok(&r, 2, "probe: test lines"));
	assert_true(log_rate_ok(&r, 2, "probe: test lines"));
	assert_string_equal(logged(), "");
}

static void
test_rate_flush_idle(void **state)
{
	struct log_rate r = { 0 };

	/* Nothing suppressed: a flush writes nothing, in any second. */
	assert_true(log_rate_ok(&r, 1, "x"));
	log_rate_flush(&r, 1, "x");
	next_second();
	log_rate_flush(&r, 1, "x");
	assert_string_equal(logged(), "");
}

static void
test_errx(void **state)
{
	(void)logged();
	log_errx("probe: %s", "local");
	assert_non_null(strstr(logged(), " error: probe: local\n"));
}

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
		cmocka_unit_test(test_rate_flush),
		cmocka_unit_test(test_rate_flush_idle),
		cmocka_unit_test(test_errx),
		cmocka_unit_test(test_sanitize_table),
		cmocka_unit_test(test_lines_sanitized),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
