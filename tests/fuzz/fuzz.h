/* fuzz.h - shared helpers of the libFuzzer harnesses (also built into tests/unit/test_regress.c). */
#ifndef MXS_FUZZ_H
#define MXS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdint.h>
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

/*
 * FUZZ_ENTRY(init_fn, one_fn), at the end of each harness, without a
 * semicolon: the libFuzzer entry points, calling init_fn() once at
 * start-up and one_fn(data, size) per input. Empty under FUZZ_TEST.
 */
#ifdef FUZZ_TEST
#define FUZZ_ENTRY(init_fn, one_fn)
#else
#define FUZZ_ENTRY(init_fn, one_fn)					\
int LLVMFuzzerInitialize(int *argc, char ***argv);			\
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);		\
									\
int									\
LLVMFuzzerInitialize(int *argc, char ***argv)				\
{									\
	(void)argc;							\
	(void)argv;							\
	return init_fn();						\
}									\
									\
int									\
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)		\
{									\
	return one_fn(data, size);					\
}
#endif

/*
 * libconfig 1.5 leaks the string token it was reading when a parse fails
 * (config_read_string on `""` loses 1 byte, on `listen = [0"x" ` the 64
 * bytes of its scanner's string buffer): not ours to fix, and bounded by
 * the number of rejected loads. LeakSanitizer (clang's and gcc's) reads
 * this hook at start-up. Each harness binary, and test_regress, is one
 * translation unit, so one definition in this header is safe.
 */
const char *__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:libconfig_yylex\nleak:strbuf_append\n";
}

/* Errors of the code under test go here: fuzzing stays quiet
 * (FUZZ_VERBOSE=1 in the environment shows them, to see why a seed is
 * rejected). */
static inline FILE *
fuzz_devnull(void)
{
	static FILE *f;

	if (f == NULL && getenv("FUZZ_VERBOSE") != NULL)
		f = stderr;
	if (f == NULL && (f = fopen("/dev/null", "w")) == NULL)
		f = stderr;
	return f;
}

/* A private temporary directory for the process, removed at exit (files
 * made with fuzz_tmp_path() first). */
#define FUZZ_TMP_FILES 16
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

/* Does the input hold the include directive (any case) and a path
 * separator anywhere? Such inputs are skipped: an include of /dev/zero or
 * /dev/stdin hangs any loader, and templates and configs are the
 * operator's, not the network's. */
static inline bool
fuzz_unsafe_include(const uint8_t *data, size_t size, const char *directive)
{
	size_t i, dl = strlen(directive);

	if (memchr(data, '/', size) == NULL && memchr(data, '\\', size) == NULL)
		return false;
	for (i = 0; i + dl <= size; i++)
		if (strncasecmp((const char *)data + i, directive, dl) == 0)
			return true;
	return false;
}

#endif
