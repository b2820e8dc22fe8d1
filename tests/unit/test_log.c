/* test_log.c - the logger's rate limiter (dnsd/base/log.c): suppressed
 * lines are summarised by log_rate_flush() once their second is over,
 * without waiting for a later line; and log_errx's level word. */
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_flush),
		cmocka_unit_test(test_rate_flush_idle),
		cmocka_unit_test(test_errx),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
