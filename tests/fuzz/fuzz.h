/* fuzz.h - shared helpers of the libFuzzer harnesses (also built into tests/unit/test_regress.c). */
#ifndef MXS_FUZZ_H
#define MXS_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Each harness tests/fuzz/fuzz_<name>.c defines fuzz_<name>_init() and
 * fuzz_<name>_one(data, size). Built for libFuzzer (clang -fsanitize=fuzzer)
 * it also defines the libFuzzer entry points; built with FUZZ_TEST defined
 * (test_regress.c includes the harness sources) it defines only those two,
 * so that every regression case runs exactly the code the fuzzer ran.
 * FUZZ_CHECK is the harness's own oracle: abort() under libFuzzer (a
 * crash), a cmocka assertion in the regression test.
 */
#ifdef FUZZ_TEST
#define FUZZ_CHECK(c) assert_true(c)
#else
#define FUZZ_CHECK(c) do {						\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,	\
		    __LINE__, #c);					\
		abort();						\
	}								\
} while (0)
#endif

/* Errors of the code under test go here: fuzzing stays quiet. */
static inline FILE *
fuzz_devnull(void)
{
	static FILE *f;

	if (f == NULL && (f = fopen("/dev/null", "w")) == NULL)
		f = stderr;
	return f;
}

/* A private temporary directory for the process, removed at exit (files
 * the harness registered with fuzz_tmp_file() first). */
#define FUZZ_TMP_FILES 8
static char fuzz_tmp_dir[64];
static char fuzz_tmp_paths[FUZZ_TMP_FILES][128];
static int fuzz_tmp_n;

static inline void
fuzz_tmp_cleanup(void)
{
	int i;

	for (i = 0; i < fuzz_tmp_n; i++)
		unlink(fuzz_tmp_paths[i]);
	fuzz_tmp_n = 0;
	if (fuzz_tmp_dir[0] != '\0')
		rmdir(fuzz_tmp_dir);
	fuzz_tmp_dir[0] = '\0';
}

static inline const char *
fuzz_tmpdir(void)
{
	if (fuzz_tmp_dir[0] == '\0') {
		snprintf(fuzz_tmp_dir, sizeof(fuzz_tmp_dir),
		    "/tmp/mxs-fuzz-XXXXXX");
		if (mkdtemp(fuzz_tmp_dir) == NULL) {
			perror("mkdtemp");
			abort();
		}
		atexit(fuzz_tmp_cleanup);
	}
	return fuzz_tmp_dir;
}

/* Path of name in the temporary directory (registered for cleanup). */
static inline const char *
fuzz_tmp_path(const char *name)
{
	int i;
	char p[128];

	snprintf(p, sizeof(p), "%s/%s", fuzz_tmpdir(), name);
	for (i = 0; i < fuzz_tmp_n; i++)
		if (strcmp(fuzz_tmp_paths[i], p) == 0)
			return fuzz_tmp_paths[i];
	if (fuzz_tmp_n == FUZZ_TMP_FILES)
		abort();
	memcpy(fuzz_tmp_paths[fuzz_tmp_n], p, sizeof(p));
	return fuzz_tmp_paths[fuzz_tmp_n++];
}

/* Write len bytes to name in the temporary directory; returns the path. */
static inline const char *
fuzz_write(const char *name, const void *data, size_t len)
{
	const char *path = fuzz_tmp_path(name);
	FILE *f;

	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		abort();
	}
	if (len > 0 && fwrite(data, 1, len, f) != len) {
		perror(path);
		abort();
	}
	fclose(f);
	return path;
}

#endif
