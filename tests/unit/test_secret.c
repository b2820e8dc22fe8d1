/* test_secret.c - unit tests of secret files (dnsd/base/secret.c): mode
 * refusals with their explanation, line and raw contents, limits. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "dnsd/base/secret.h"

static char dir[] = "/tmp/test_secret.XXXXXX";
static char path[256];

static int
setup(void **state)
{
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/token", dir);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
put(const char *bytes, size_t len, mode_t mode)
{
	FILE *f;

	unlink(path);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(bytes, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* Table: file contents and mode, flags -> the secret or the refusal. */
static void
test_table(void **state)
{
	static const struct {
		const char *bytes;
		size_t      len;
		mode_t      mode;
		unsigned    flags;
		size_t      max;
		const char *want;	/* the secret; NULL: refused */
		int         err;	/* errno when refused */
		const char *why;	/* in the message when refused */
	} t[] = {
		{ "tok\n", 4, 0600, SECRET_LINE, 64, "tok", 0, NULL },
		{ "tok", 3, 0400, SECRET_LINE, 64, "tok", 0, NULL },
		{ "tok \t\r\n\n", 8, 0600, SECRET_LINE, 64, "tok", 0, NULL },
		{ "tok\n", 4, 0640, SECRET_LINE | SECRET_GROUP_OK, 64, "tok", 0,
		    NULL },
		/* others: refused whatever the flags */
		{ "tok\n", 4, 0604, SECRET_LINE | SECRET_GROUP_OK, 64, NULL,
		    EACCES, "is accessible by others (mode 0604); refusing it "
		    "(chmod o-rwx " },
		{ "tok\n", 4, 0601, SECRET_LINE | SECRET_GROUP_OK, 64, NULL,
		    EACCES, "accessible by others" },
		/* the group: refused unless allowed */
		{ "tok\n", 4, 0640, SECRET_LINE, 64, NULL, EACCES,
		    "is accessible by its group (mode 0640)" },
		{ "tok\n", 4, 0610, 0, 64, NULL, EACCES, "by its group" },
		/* contents */
		{ "", 0, 0600, SECRET_LINE, 64, NULL, EINVAL,
		    ": expected one non-empty line" },
		{ "\n \n", 3, 0600, SECRET_LINE, 64, NULL, EINVAL,
		    "expected one non-empty line" },
		{ "a\nb\n", 4, 0600, SECRET_LINE, 64, NULL, EINVAL,
		    "expected one non-empty line" },
		{ "a\0b\n", 4, 0600, SECRET_LINE, 64, NULL, EINVAL,
		    "expected one non-empty line" },
		{ "12345678\n", 9, 0600, SECRET_LINE, 8, "12345678", 0, NULL },
		{ "123456789\n", 10, 0600, SECRET_LINE, 8, NULL, EFBIG,
		    ": longer than 8 bytes" },
		/* raw: the bytes as they are, newlines included */
		{ "a\nb\n", 4, 0600, 0, 64, "a\nb\n", 0, NULL },
		{ "", 0, 0600, 0, 64, "", 0, NULL },
	};
	struct secret s;
	char err[512];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		put(t[i].bytes, t[i].len, t[i].mode);
		err[0] = '\0';
		errno = 0;
		rc = secret_read(path, t[i].max, t[i].flags, &s, err,
		    sizeof(err));
		if (t[i].want != NULL) {
			if (rc != 0)
				fail_msg("case %zu: refused: %s", i, err);
			assert_int_equal(s.len, strlen(t[i].want));
			assert_memory_equal(s.data, t[i].want, s.len);
			assert_int_equal(s.data[s.len], '\0');
			secret_free(&s);
			assert_null(s.data);
			continue;
		}
		if (rc != -1)
			fail_msg("case %zu: accepted", i);
		assert_null(s.data);
		assert_int_equal(errno, t[i].err);
		/* one sentence that starts with the path and says why */
		assert_int_equal(strncmp(err, path, strlen(path)), 0);
		if (strstr(err, t[i].why) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, t[i].why);
	}
	/* a long file is refused, not silently cut at some buffer size */
	{
		static char big[4096];

		memset(big, 'x', sizeof(big));
		put(big, sizeof(big), 0600);
		assert_int_equal(secret_read(path, 1024, SECRET_LINE, &s, err,
		    sizeof(err)), -1);
		assert_int_equal(errno, EFBIG);
		memset(big + 10, ' ', sizeof(big) - 10);
		put(big, sizeof(big), 0600);
		assert_int_equal(secret_read(path, 1024, SECRET_LINE, &s, err,
		    sizeof(err)), -1);
	}
}

static void
test_not_a_file(void **state)
{
	struct secret s = { 0 };
	char err[512], missing[300];

	assert_int_equal(secret_read(dir, 64, 0, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is not a regular file"));
	snprintf(missing, sizeof(missing), "%s/missing", dir);
	assert_int_equal(secret_read(missing, 64, 0, &s, err, sizeof(err)), -1);
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(err, "No such file or directory"));
	/* freeing an empty secret, twice, is fine */
	secret_free(&s);
	secret_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_not_a_file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
