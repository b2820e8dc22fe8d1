/* test_admin.c - unit tests of the admin override store (probes/admin.c):
 * set/clear, state file round trip, atomic replacement, malformed lines,
 * reconcile against a hand-built config and pool state. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

#include "probes/admin.h"

static char dir[] = "/tmp/test_admin.XXXXXX";

static int
setup(void **state)
{
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
path_of(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* The whole file in a static buffer. */
static const char *
read_file(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The store as "pool/server=state ..." in order. */
static const char *
dump(const struct admin_store *a)
{
	static char buf[1024];
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < a->n; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s/%s=%s",
		    i ? " " : "", a->v[i].pool, a->v[i].server,
		    admin_state_name(a->v[i].state));
	return buf;
}

/* Files in dir whose name starts with prefix. */
static int
count_files(const char *prefix)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

static void
test_set(void **state)
{
	struct admin_store a = { 0 };

	assert_string_equal(admin_state_name(PSTATE_ADMIN_ENABLED), "enabled");
	assert_string_equal(admin_state_name(PSTATE_ADMIN_DRAIN), "drain");
	assert_string_equal(admin_state_name(PSTATE_ADMIN_MAINT), "maint");
	assert_string_equal(admin_state_name(99), "enabled");

	/* enabling what has no override is a no-op */
	assert_int_equal(admin_set(&a, "inbound", "mx1", PSTATE_ADMIN_ENABLED), 0);
	assert_int_equal(a.n, 0);
	assert_int_equal(admin_set(&a, "inbound", "mx1", PSTATE_ADMIN_DRAIN), 0);
	assert_int_equal(admin_set(&a, "inbound", "mx2", PSTATE_ADMIN_MAINT), 0);
	assert_int_equal(admin_set(&a, "other", "mx1", PSTATE_ADMIN_DRAIN), 0);
	assert_string_equal(dump(&a),
	    "inbound/mx1=drain inbound/mx2=maint other/mx1=drain");
	/* a second call changes the entry in place */
	assert_int_equal(admin_set(&a, "inbound", "mx1", PSTATE_ADMIN_MAINT), 0);
	assert_int_equal(a.n, 3);
	assert_non_null(admin_find(&a, "inbound", "mx1"));
	assert_int_equal(admin_find(&a, "inbound", "mx1")->state,
	    PSTATE_ADMIN_MAINT);
	/* names are exact in the store */
	assert_null(admin_find(&a, "Inbound", "mx1"));
	assert_null(admin_find(&a, "inbound", "mx9"));
	/* enabled removes it */
	assert_int_equal(admin_set(&a, "inbound", "mx1", PSTATE_ADMIN_ENABLED), 0);
	assert_null(admin_find(&a, "inbound", "mx1"));
	assert_int_equal(a.n, 2);
	admin_free(&a);
	assert_int_equal(a.n, 0);
	assert_null(a.v);
}

static void
test_round_trip(void **state)
{
	struct admin_store a = { 0 }, b = { 0 };
	char path[256];
	struct stat sb;

	path_of(path, sizeof(path), "state");
	assert_int_equal(admin_set(&a, "inbound", "mx1", PSTATE_ADMIN_DRAIN), 0);
	assert_int_equal(admin_set(&a, "inbound", "mx-2_b", PSTATE_ADMIN_MAINT), 0);
	assert_int_equal(admin_set(&a, "backup", "b1", PSTATE_ADMIN_DRAIN), 0);
	assert_int_equal(admin_save(&a, path), 0);
	assert_string_equal(read_file(path),
	    "# mxspread admin state: pool server drain|maint\n"
	    "inbound mx1 drain\n"
	    "inbound mx-2_b maint\n"
	    "backup b1 drain\n");
	/* the state of a server is nobody else's business */
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(admin_load(&b, path), 0);
	assert_string_equal(dump(&b), dump(&a));

	/* an empty store writes the header only, and loads empty */
	admin_free(&b);
	admin_free(&a);
	assert_int_equal(admin_save(&a, path), 0);
	assert_string_equal(read_file(path),
	    "# mxspread admin state: pool server drain|maint\n");
	assert_int_equal(admin_load(&b, path), 0);
	assert_int_equal(b.n, 0);
	admin_free(&b);

	/* a missing file is an empty store, not an error */
	path_of(path, sizeof(path), "never-written");
	assert_int_equal(admin_load(&b, path), 0);
	assert_int_equal(b.n, 0);
}

/* The file is replaced, never rewritten in place: a reader holding the old
 * file (here a second link to it) still sees the old contents whole, and no
 * temporary file stays behind, on success or failure. */
static void
test_atomic(void **state)
{
	struct admin_store a = { 0 };
	char path[256], old[256], bad[256];
	struct stat s1, s2;

	path_of(path, sizeof(path), "atomic");
	path_of(old, sizeof(old), "atomic-old");
	assert_int_equal(admin_set(&a, "p", "s1", PSTATE_ADMIN_DRAIN), 0);
	assert_int_equal(admin_save(&a, path), 0);
	assert_int_equal(link(path, old), 0);
	assert_int_equal(stat(path, &s1), 0);

	assert_int_equal(admin_set(&a, "p", "s2", PSTATE_ADMIN_MAINT), 0);
	assert_int_equal(admin_save(&a, path), 0);
	assert_int_equal(stat(path, &s2), 0);
	assert_true(s1.st_ino != s2.st_ino);
	assert_string_equal(read_file(old),
	    "# mxspread admin state: pool server drain|maint\np s1 drain\n");
	assert_string_equal(read_file(path),
	    "# mxspread admin state: pool server drain|maint\n"
	    "p s1 drain\np s2 maint\n");
	assert_int_equal(count_files("atomic.tmp"), 0);

	/* a directory that does not exist: -1 with errno, nothing left */
	path_of(bad, sizeof(bad), "no-such-dir/state");
	errno = 0;
	assert_int_equal(admin_save(&a, bad), -1);
	assert_int_equal(errno, ENOENT);
	/* a path that is a directory: the rename fails, the temp file goes */
	path_of(bad, sizeof(bad), "adir");
	assert_int_equal(mkdir(bad, 0700), 0);
	assert_int_equal(admin_save(&a, bad), -1);
	assert_int_equal(count_files("adir.tmp"), 0);
	/* the good file was not touched by the failures */
	assert_string_equal(read_file(path),
	    "# mxspread admin state: pool server drain|maint\n"
	    "p s1 drain\np s2 maint\n");
	admin_free(&a);
}

/* Table of state-file lines: which are taken, which are skipped. */
static void
test_malformed(void **state)
{
	static const struct {
		const char *text;
		int         bad;
		const char *want;
	} t[] = {
		{ "", 0, "" },
		{ "# comment only\n\n   \n\t\r\n", 0, "" },
		{ "p s drain\n", 0, "p/s=drain" },
		{ "p s maint", 0, "p/s=maint" },		/* no final newline */
		{ "  p   s\tdrain  \r\n", 0, "p/s=drain" },	/* blanks, CRLF */
		{ "p s\n", 1, "" },				/* two fields */
		{ "p\n", 1, "" },
		{ "p s bogus\n", 1, "" },			/* unknown state */
		{ "p s DRAIN\n", 1, "" },			/* states are lowercase */
		{ "p s drain extra words\n", 0, "p/s=drain" },
		{ "p s drain\np s enabled\n", 0, "" },		/* later lines win */
		{ "p s drain\np s maint\n", 0, "p/s=maint" },
		{ "p a drain\nbroken\np b maint\nx y z\n", 2,
		    "p/a=drain p/b=maint" },
	};
	struct admin_store a = { 0 };
	char path[256];
	size_t i;

	path_of(path, sizeof(path), "malformed");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		write_file(path, t[i].text);
		if (admin_load(&a, path) != t[i].bad)
			fail_msg("case %zu: wrong count of skipped lines", i);
		if (strcmp(dump(&a), t[i].want) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, dump(&a),
			    t[i].want);
		admin_free(&a);
	}
	/* a path that cannot be read as a file is an error */
	path_of(path, sizeof(path), "adir2");
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(admin_load(&a, path), -1);
}

/* A config of two pools and the pool state the engine published. */
struct world_fx {
	struct conf          conf;
	struct conf_pool     pools[2];
	struct conf_server   sv[2][2];
	struct pstate        ps;
	struct pstate_pool   pp[2];
	struct pstate_server pss[2][2];
};

static void
wfx_init(struct world_fx *w)
{
	static const char *pn[2] = { "inbound", "backup" };
	static const char *sn[2][2] = { { "mx1", "mx2" }, { "b1", "b2" } };
	size_t p, s;

	memset(w, 0, sizeof(*w));
	w->conf.pools = w->pools;
	w->conf.npools = 2;
	w->ps.pools = w->pp;
	w->ps.npools = 2;
	for (p = 0; p < 2; p++) {
		strcpy(w->pools[p].name, pn[p]);
		w->pools[p].servers = w->sv[p];
		w->pools[p].nservers = 2;
		w->pp[p].servers = w->pss[p];
		w->pp[p].nservers = 2;
		for (s = 0; s < 2; s++) {
			strcpy(w->sv[p][s].name, sn[p][s]);
			w->sv[p][s].weight = 1;
			w->pss[p][s].up = true;
		}
	}
}

static void
test_locate(void **state)
{
	struct world_fx w;
	size_t p = 99, s = 99;

	wfx_init(&w);
	assert_int_equal(admin_locate(&w.conf, "backup", "b2", &p, &s), 0);
	assert_int_equal(p, 1);
	assert_int_equal(s, 1);
	/* pools resolve as the config does (any case), servers exactly */
	assert_int_equal(admin_locate(&w.conf, "INBOUND", "mx2", &p, &s), 0);
	assert_int_equal(p, 0);
	assert_int_equal(s, 1);
	assert_int_equal(admin_locate(&w.conf, "nope", "mx1", &p, &s), -1);
	assert_int_equal(admin_locate(&w.conf, "inbound", "MX1", &p, &s), -2);
	assert_int_equal(admin_locate(&w.conf, "inbound", "b1", &p, &s), -2);
}

static void
test_reconcile(void **state)
{
	struct admin_store a = { 0 };
	struct admin_fix fix[8];
	struct world_fx w;
	size_t n;

	wfx_init(&w);
	/* nothing stored: nothing to do */
	assert_int_equal(admin_reconcile(&a, &w.conf, &w.ps, fix, 8), 0);

	assert_int_equal(admin_set(&a, "inbound", "mx1", PSTATE_ADMIN_DRAIN), 0);
	assert_int_equal(admin_set(&a, "inbound", "mx2", PSTATE_ADMIN_MAINT), 0);
	assert_int_equal(admin_set(&a, "backup", "b2", PSTATE_ADMIN_DRAIN), 0);
	assert_int_equal(admin_set(&a, "gone", "mx1", PSTATE_ADMIN_DRAIN), 0);
	assert_int_equal(admin_set(&a, "inbound", "gone", PSTATE_ADMIN_DRAIN), 0);
	/* mx2 already shows maint: only mx1 and b2 need it again */
	w.pss[0][1].admin = PSTATE_ADMIN_MAINT;
	n = admin_reconcile(&a, &w.conf, &w.ps, fix, 8);
	assert_int_equal(n, 2);
	assert_int_equal(fix[0].pool, 0);
	assert_int_equal(fix[0].server, 0);
	assert_int_equal(fix[0].state, PSTATE_ADMIN_DRAIN);
	assert_int_equal(fix[1].pool, 1);
	assert_int_equal(fix[1].server, 1);
	assert_int_equal(fix[1].state, PSTATE_ADMIN_DRAIN);

	/* a wrong state counts as disagreement too (maint stored, drain shown) */
	w.pss[0][0].admin = PSTATE_ADMIN_DRAIN;
	w.pss[1][1].admin = PSTATE_ADMIN_DRAIN;
	w.pss[0][1].admin = PSTATE_ADMIN_DRAIN;
	n = admin_reconcile(&a, &w.conf, &w.ps, fix, 8);
	assert_int_equal(n, 1);
	assert_int_equal(fix[0].pool, 0);
	assert_int_equal(fix[0].server, 1);
	assert_int_equal(fix[0].state, PSTATE_ADMIN_MAINT);

	/* an engine restarted from scratch (all enabled): every known one */
	memset(w.pss, 0, sizeof(w.pss));
	assert_int_equal(admin_reconcile(&a, &w.conf, &w.ps, fix, 8), 3);
	/* at most max per pass */
	assert_int_equal(admin_reconcile(&a, &w.conf, &w.ps, fix, 2), 2);

	/* a pool state that lags the config (fewer pools or servers): skip */
	w.ps.npools = 1;
	w.pp[0].nservers = 1;
	n = admin_reconcile(&a, &w.conf, &w.ps, fix, 8);
	assert_int_equal(n, 1);
	assert_int_equal(fix[0].server, 0);
	admin_free(&a);
}

/* The log (stderr) of one test, captured in a file of dir. */
static int log_saved = -1;
static char log_path[128];

static void
log_capture(void)
{
	int fd;

	path_of(log_path, sizeof(log_path), "log");
	assert_true((fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0);
	assert_true((log_saved = dup(STDERR_FILENO)) >= 0);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	close(fd);
}

/* What was logged since the last call, and how many lines. */
static const char *
log_taken(int *lines)
{
	static long seen;
	static char buf[4096];
	const char *all = read_file(log_path), *c;

	snprintf(buf, sizeof(buf), "%s", all + seen);
	seen = (long)strlen(all);
	for (*lines = 0, c = buf; (c = strchr(c, '\n')) != NULL; c++)
		(*lines)++;
	return buf;
}

static void
log_release(void)
{
	dup2(log_saved, STDERR_FILENO);
	close(log_saved);
	log_saved = -1;
}

/* A failed test left stderr captured: restore it and show the capture
 * (cmocka's failure message is in it). */
static int
log_teardown(void **state)
{
	if (log_saved != -1) {
		log_release();
		fputs(read_file(log_path), stderr);
	}
	return 0;
}

/* A drained server renamed by a reload: its entry is an orphan, named in
 * one warning (with the new name as a hint) and kept, in the store and in
 * the file; it applies again when the name comes back. */
static void
test_orphan(void **state)
{
	struct admin_store a = { 0 }, b = { 0 };
	struct admin_fix fix[8];
	struct world_fx w;
	char path[128];
	const char *t;
	int lines;

	path_of(path, sizeof(path), "orphan");
	log_capture();
	wfx_init(&w);
	assert_int_equal(admin_set(&a, "inbound", "mx1", PSTATE_ADMIN_DRAIN), 0);
	assert_int_equal(admin_set(&a, "bakup", "b1", PSTATE_ADMIN_MAINT), 0);
	assert_int_equal(admin_reconcile(&a, &w.conf, &w.ps, fix, 8), 1);
	t = log_taken(&lines);
	assert_int_equal(lines, 1);
	assert_non_null(strstr(t, "admin: state \"bakup b1 maint\" matches no "
	    "pool of the running config (renamed or removed? did you mean "
	    "\"backup\"?): kept"));

	/* the reload renames mx1 */
	strcpy(w.sv[0][0].name, "mx1b");
	assert_int_equal(admin_reconcile(&a, &w.conf, &w.ps, fix, 8), 0);
	t = log_taken(&lines);
	assert_int_equal(lines, 1);
	assert_non_null(strstr(t, "admin: state \"inbound mx1 drain\" matches "
	    "no server of the running config (renamed or removed? did you "
	    "mean \"mx1b\"?): kept, and applied again if it comes back"));
	/* once: the status thread reconciles four times a second */
	assert_int_equal(admin_reconcile(&a, &w.conf, &w.ps, fix, 8), 0);
	assert_int_equal(admin_reconcile(&a, &w.conf, &w.ps, fix, 8), 0);
	t = log_taken(&lines);
	assert_int_equal(lines, 0);
	/* not forgotten: still in the store and in the next save */
	assert_non_null(admin_find(&a, "inbound", "mx1"));
	assert_int_equal(admin_save(&a, path), 0);
	assert_int_equal(admin_load(&b, path), 0);
	assert_string_equal(dump(&b), "inbound/mx1=drain bakup/b1=maint");
	admin_free(&b);

	/* renamed back: applied again, silently; renamed away: warned again */
	strcpy(w.sv[0][0].name, "mx1");
	assert_int_equal(admin_reconcile(&a, &w.conf, &w.ps, fix, 8), 1);
	assert_int_equal(fix[0].pool, 0);
	assert_int_equal(fix[0].server, 0);
	assert_int_equal(fix[0].state, PSTATE_ADMIN_DRAIN);
	t = log_taken(&lines);
	assert_int_equal(lines, 0);
	strcpy(w.sv[0][0].name, "mx1c");
	assert_int_equal(admin_reconcile(&a, &w.conf, &w.ps, fix, 8), 0);
	t = log_taken(&lines);
	assert_int_equal(lines, 1);
	assert_non_null(strstr(t, "\"inbound mx1 drain\" matches no server of "
	    "the running config (renamed or removed? did you mean \"mx1c\"?)"));
	/* no name close enough: no hint */
	assert_int_equal(admin_set(&a, "backup", "relay-west", PSTATE_ADMIN_DRAIN), 0);
	assert_int_equal(admin_reconcile(&a, &w.conf, &w.ps, fix, 8), 0);
	t = log_taken(&lines);
	assert_int_equal(lines, 1);
	assert_non_null(strstr(t, "\"backup relay-west drain\" matches no server "
	    "of the running config (renamed or removed?): kept"));
	log_release();
	admin_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_atomic),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_locate),
		cmocka_unit_test(test_reconcile),
		cmocka_unit_test_teardown(test_orphan, log_teardown),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
