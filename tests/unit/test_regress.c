/* test_regress.c - fuzz regressions: each crash libFuzzer found, and every seed, through the harness code itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>

#include <cmocka.h>

/*
 * The harnesses are compiled in here with FUZZ_TEST defined: the libFuzzer
 * entry points drop out, fuzz_<h>_init()/fuzz_<h>_one() stay, and the
 * harness's own checks (FUZZ_CHECK) become cmocka assertions. A case feeds
 * the exact bytes of a reproducer to the same entry point the fuzzer used,
 * so it fails (crash, sanitizer report under `make asan`, or assertion)
 * until the bug is fixed.
 *
 * Adding a crash: `xxd -i build-fuzz/artifacts/<harness>-crash-...`, paste
 * the bytes into a REGRESS() below with a name saying what it was, and the
 * file:line it crashed at in the comment.
 */
#define FUZZ_TEST 1
#include "tests/fuzz/fuzz_query.c"
#include "tests/fuzz/fuzz_zone.c"
#include "tests/fuzz/fuzz_conf.c"
#include "tests/fuzz/fuzz_agent.c"
#include "tests/fuzz/fuzz_httpload.c"
#include "tests/fuzz/fuzz_smtpreply.c"
#include "tests/fuzz/fuzz_world.c"

typedef int fuzz_one_fn(const uint8_t *, size_t);

struct harness {
	const char  *name;
	int        (*init)(void);
	fuzz_one_fn *one;
};

static const struct harness harnesses[] = {
	{ "query", fuzz_query_init, fuzz_query_one },
	{ "zone", fuzz_zone_init, fuzz_zone_one },
	{ "conf", fuzz_conf_init, fuzz_conf_one },
	{ "agent", fuzz_agent_init, fuzz_agent_one },
	{ "httpload", fuzz_httpload_init, fuzz_httpload_one },
	{ "smtpreply", fuzz_smtpreply_init, fuzz_smtpreply_one },
	{ "world", fuzz_world_init, fuzz_world_one },
};

#define REGRESS(harness, name, ...)					\
static void								\
test_##harness##_##name(void **state)					\
{									\
	static const uint8_t in[] = { __VA_ARGS__ };			\
									\
	(void)state;							\
	assert_int_equal(fuzz_##harness##_one(in, sizeof(in)), 0);	\
}

/* ------------------------------------------------------------------ */
/* Crashes found by the fuzzers (harness, what, where).                */

/* conf, LeakSanitizer: libconfig 1.5 loses the string token of a failed
 * parse (1 byte from libconfig_yylex). Not mxspread's: suppressed in
 * tests/fuzz/fuzz.h; the case stays so that conf.c's own error path is
 * checked for leaks under make asan. */
REGRESS(conf, libconfig_leak_token,
	0x22, 0x22)

/* conf, LeakSanitizer: same, 64 bytes of libconfig's scanner string buffer
 * (strbuf_append) after an unterminated list. */
REGRESS(conf, libconfig_leak_strbuf,
	0x6c, 0x69, 0x73, 0x74, 0x65, 0x6e, 0x20, 0x3d, 0x20, 0x5b, 0x30, 0x22,
	0x31, 0x32, 0x37, 0x2e, 0x30, 0x2e, 0x30, 0x2e, 0x31, 0x3a, 0x35, 0x33,
	0x35, 0x33, 0x22, 0x20, 0x0a)

/* ------------------------------------------------------------------ */
/* The harness must not be vacuous: the fuzzing world answers.          */

static void
test_query_world_answers(void **state)
{
	/* mail.example.com. MX IN, RD */
	static const uint8_t q[] = {
		0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
		4, 'm', 'a', 'i', 'l', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
		3, 'c', 'o', 'm', 0, 0, 15, 0, 1 };
	uint8_t r[4096];
	size_t n;

	(void)state;
	rcu_read_lock();
	n = query_answer(fq_world, fq_thread, q, sizeof(q), r, sizeof(r),
	    QUERY_UDP);
	rcu_read_unlock();
	assert_true(n > 12);
	assert_int_equal(r[3] & 0x0F, 0);		/* NOERROR */
	assert_true(r[2] & 0x04);			/* AA */
	assert_true(r[6] != 0 || r[7] != 0);		/* an answer */
	fuzz_dns_check(q, sizeof(q), r, n, sizeof(r), QUERY_UDP);
}

/* ------------------------------------------------------------------ */
/* Every seed of every corpus goes through its harness.                */

static int
replay_dir(const struct harness *h)
{
	char dir[1024], path[1280];
	const char *root = getenv("MXS_ROOT");
	struct dirent *de;
	struct stat sb;
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s",
	    root != NULL ? root : ".", h->name);
	d = opendir(dir);
	if (d == NULL)
		fail_msg("cannot open seed corpus %s", dir);
	while ((de = readdir(d)) != NULL) {
		uint8_t *buf;
		FILE *f;
		size_t len;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		len = (size_t)sb.st_size;
		/* exactly len bytes: an overread shows under make asan */
		buf = malloc(len ? len : 1);
		assert_non_null(buf);
		f = fopen(path, "rb");
		assert_non_null(f);
		assert_int_equal(fread(buf, 1, len, f), len);
		fclose(f);
		assert_int_equal(h->one(buf, len), 0);
		free(buf);
		n++;
	}
	closedir(d);
	return n;
}

static void
test_seeds(void **state)
{
	const struct harness *h = *state;

	assert_true(replay_dir(h) >= 10);
}

static int
setup_all(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(harnesses) / sizeof(harnesses[0]); i++)
		if (harnesses[i].init() != 0)
			return -1;
	return 0;
}

#define SEEDS(h, i) \
	{ "seeds_" #h, test_seeds, NULL, NULL, (void *)&harnesses[i] }

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf_libconfig_leak_token),
		cmocka_unit_test(test_conf_libconfig_leak_strbuf),
		cmocka_unit_test(test_query_world_answers),
		SEEDS(query, 0),
		SEEDS(zone, 1),
		SEEDS(conf, 2),
		SEEDS(agent, 3),
		SEEDS(httpload, 4),
		SEEDS(smtpreply, 5),
		SEEDS(world, 6),
	};

	return cmocka_run_group_tests(tests, setup_all, NULL);
}
