/* test_world.c - world: longest-origin zone lookup, load of a real config, RCU publish, each server's TLSA records. */
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
#include <urcu.h>

#include "dnsd/status/api.h"
#include "dnsd/world.h"
#include "zones/dnssec.h"
#include "zones/zone.h"
#include "tests/unit/testutil.h"


static struct zone *
fake_zone(const char *origin)
{
	struct zone *z = calloc(1, sizeof(*z));

	assert_non_null(z);
	z->origin_len = (uint8_t)wire(origin, z->origin);
	return z;
}

static void
test_zone_for(void **state)
{
	/* Sorted as world_load() sorts: longest origin first. */
	struct zone *zs[] = {
		fake_zone("sub.mail.example.com."),
		fake_zone("mail.example.com."),
		fake_zone("ample.com."),
		fake_zone("org."),
	};
	struct world w = { .zones = zs, .nzones = 4 };
	static const struct {
		const char *name;
		int zone;		/* index in zs, -1: none */
	} cases[] = {
		{ "mail.example.com.", 1 },
		{ "mx1.mail.example.com.", 1 },
		{ "a.b.c.mail.example.com.", 1 },
		{ "sub.mail.example.com.", 0 },
		{ "x.sub.mail.example.com.", 0 },
		{ "xsub.mail.example.com.", 1 },	/* not a label boundary */
		{ "example.com.", -1 },
		{ "ample.com.", 2 },
		{ "example.com.", -1 },			/* "ample" is inside a label */
		{ "www.ample.com.", 2 },
		{ "org.", 3 },
		{ "example.org.", 3 },
		{ "com.", -1 },
		{ ".", -1 },
		{ "mail.example.net.", -1 },
	};
	uint8_t name[256];
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct zone *z;

		if (strcmp(cases[i].name, ".") == 0) {
			name[0] = 0;
			len = 1;
		} else {
			len = wire(cases[i].name, name);
		}
		z = world_zone_for(&w, name, len);
		if (cases[i].zone < 0 && z != NULL)
			fail_msg("%s: matched a zone, expected none", cases[i].name);
		if (cases[i].zone >= 0 && z != zs[cases[i].zone])
			fail_msg("%s: wrong zone", cases[i].name);
	}
	for (i = 0; i < 4; i++)
		free(zs[i]);
}

static void
test_load_publish(void **state)
{
	char dir[] = "/tmp/mxs-unit-world.XXXXXX", path[128];
	const struct world *cur;
	struct world *w, *w2;
	FILE *f, *err;
	char *ebuf = NULL;
	size_t elen = 0;
	uint8_t name[256];
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/b.zone", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("$ORIGIN b.example.\n@ 3600 SOA ns h 1 3600 600 86400 60\n"
	    "@ 3600 NS ns\nns 3600 A 192.0.2.1\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/a.zone", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("$ORIGIN sub.b.example.\n@ 3600 SOA ns h 1 3600 600 86400 60\n"
	    "@ 3600 NS ns\nns 3600 A 192.0.2.2\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/m.conf", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("listen = [ \"127.0.0.1:5399\" ];\nstatus = { enabled = false; };\n"
	    "zones = ( { origin = \"b.example.\"; template = \"b.zone\"; },\n"
	    "          { origin = \"sub.b.example.\"; template = \"a.zone\"; } );\n", f);
	fclose(f);

	rcu_register_thread();
	err = open_memstream(&ebuf, &elen);
	w = world_load(path, err);
	fclose(err);
	if (w == NULL)
		fail_msg("world_load: %s", ebuf);
	free(ebuf);
	assert_int_equal(w->nzones, 2);
	/* Longest origin first. */
	assert_true(w->zones[0]->origin_len > w->zones[1]->origin_len);
	len = wire("ns.sub.b.example.", name);
	assert_ptr_equal(world_zone_for(w, name, len), w->zones[0]);
	len = wire("ns.b.example.", name);
	assert_ptr_equal(world_zone_for(w, name, len), w->zones[1]);

	world_publish(w);
	rcu_read_lock();
	cur = world_get();
	assert_ptr_equal(cur, w);
	rcu_read_unlock();

	/* A broken template: NULL, errors printed, nothing published. */
	snprintf(path, sizeof(path), "%s/a.zone", dir);
	assert_non_null(f = fopen(path, "a"));
	fputs("bad A not-an-address\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/m.conf", dir);
	ebuf = NULL;
	err = open_memstream(&ebuf, &elen);
	w2 = world_load(path, err);
	fclose(err);
	assert_null(w2);
	assert_non_null(strstr(ebuf, "a.zone"));
	free(ebuf);
	rcu_read_lock();
	assert_ptr_equal(world_get(), w);
	rcu_read_unlock();

	world_shutdown();
	rcu_read_lock();
	assert_null(world_get());
	rcu_read_unlock();
	rcu_unregister_thread();

	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

/* The daemon's status endpoint and check read the token the same way. */
_Static_assert(CONF_TOKEN_MAX == STATUS_TOKEN_MAX,
    "conf.h and status/api.h disagree on the token length");

/* world_load(path): NULL and its errors in *errs (caller frees), or the
 * world (freed here) and *errs empty. */
static struct world *
load(const char *path, char **errs)
{
	size_t len = 0;
	FILE *err;
	struct world *w;

	*errs = NULL;
	assert_non_null(err = open_memstream(errs, &len));
	w = world_load(path, err);
	fclose(err);
	return w;
}

/*
 * The status token file is read at load (check and daemon alike), through
 * secret_read(): missing, readable by others, or empty is an error at the
 * token_file line; mode 0640 (the group may read it) and 0600 are fine; a
 * disabled status endpoint reads nothing.
 */
static void
test_token_file(void **state)
{
	char dir[] = "/tmp/mxs-unit-tok.XXXXXX", path[128], tok[128];
	char text[512], want[512];
	struct world *w;
	char *errs;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/m.conf", dir);
	snprintf(tok, sizeof(tok), "%s/token", dir);
	snprintf(text, sizeof(text), "listen = [ \"127.0.0.1:5399\" ];\n"
	    "status = { listen = \"127.0.0.1:5398\";\n"
	    "  token_file = \"%s\"; };\n", tok);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);

	w = load(path, &errs);
	assert_null(w);
	snprintf(want, sizeof(want), "%s:3: status.token_file: %s: No such "
	    "file or directory\n", path, tok);
	assert_string_equal(errs, want);
	free(errs);

	assert_non_null(f = fopen(tok, "w"));
	fputs("s3cret\n", f);
	fclose(f);
	assert_int_equal(chmod(tok, 0604), 0);
	w = load(path, &errs);
	assert_null(w);
	snprintf(want, sizeof(want), "%s:3: status.token_file: %s is accessible "
	    "by others (mode 0604); refusing it (chmod o-rwx %s)\n", path, tok,
	    tok);
	assert_string_equal(errs, want);
	free(errs);

	assert_int_equal(chmod(tok, 0640), 0);
	w = load(path, &errs);
	assert_string_equal(errs, "");
	free(errs);
	assert_non_null(w);
	world_free(w);

	assert_non_null(f = fopen(tok, "w"));
	fclose(f);
	w = load(path, &errs);
	assert_null(w);
	snprintf(want, sizeof(want), "%s:3: status.token_file: %s: expected "
	    "one non-empty line\n", path, tok);
	assert_string_equal(errs, want);
	free(errs);

	/* status disabled: the token is not read */
	assert_int_equal(unlink(tok), 0);
	snprintf(text, sizeof(text), "listen = [ \"127.0.0.1:5399\" ];\n"
	    "status = { enabled = false; token_file = \"%s\"; };\n", tok);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	w = load(path, &errs);
	assert_string_equal(errs, "");
	free(errs);
	assert_non_null(w);
	world_free(w);

	snprintf(text, sizeof(text), "rm -rf %s", dir);
	assert_int_equal(system(text), 0);
}

static const struct conf_server *
server(const struct world *w, const char *pool, const char *name)
{
	const struct conf_pool *pl = conf_pool_find(w->conf, pool, NULL);
	size_t j;

	assert_non_null(pl);
	for (j = 0; j < pl->nservers; j++)
		if (strcmp(pl->servers[j].name, name) == 0)
			return &pl->servers[j];
	fail_msg("no server %s/%s", pool, name);
	return NULL;
}

/* server's TLSA RRset: count records, first one's usage and first data
 * byte, signed, base domain host (NULL: none) */
static void
expect_tlsa(const struct world *w, const char *pool, const char *name,
    unsigned count, uint8_t usage, uint8_t first, bool signed_,
    const char *host)
{
	const struct conf_server *sv = server(w, pool, name);

	if (host == NULL)
		assert_null(sv->tlsa_host);
	else
		assert_string_equal(sv->tlsa_host, host);
	assert_int_equal(sv->tlsa_count, count);
	if (count == 0) {
		assert_null(sv->tlsa);
		assert_int_equal(sv->tlsa_len, 0);
		return;
	}
	assert_non_null(sv->tlsa);
	assert_true(sv->tlsa_len >= 2 + 3 + 32);
	assert_int_equal(sv->tlsa[2], usage);
	assert_int_equal(sv->tlsa[5], first);
	assert_int_equal(sv->tlsa_signed, signed_);
}

/*
 * Each pool server's TLSA RRset, from the zones into the conf: at
 * _<probe port>._tcp.<host as served> (relative hosts from the zone that
 * uses the pool, an absolute one in another zone), a server's own
 * probe_port, a CNAME followed into another zone (the path's zones all
 * signed or not), none, a pool no zone uses; signed or not; warnings for
 * records in an unsigned zone and for ignored ones; a re-signing fills
 * the same conf again.
 */
static void
test_tlsa(void **state)
{
	char dir[] = "/tmp/mxs-unit-tlsa.XXXXXX", path[160], why[256], *base,
	    *errs, text[2048];
	struct world *w, *w2;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(dnssec_keygen(dir, "mail.test.",
	    DNSSEC_ALG_ECDSAP256SHA256, &base, why, sizeof(why)), 0);
	snprintf(path, sizeof(path), "%s/mail.zone", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("$ORIGIN mail.test.\n$TTL 300\n@ SOA ns h 1 3600 600 86400 60\n"
	    "@ NS ns\nns A 192.0.2.1\n@ DYNMX p\n"
	    "_2525._tcp.mx1 TLSA 3 1 1 a123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
	    "_2525._tcp.mx1 TLSA 1 1 1 b223456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
	    "_2525._tcp.mx3 CNAME tlsa.other.test.\n"
	    "_26._tcp.mx4 TLSA 2 0 1 c323456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
	    "_2525._tcp.mx4 TLSA 3 1 1 d423456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/other.zone", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("$ORIGIN other.test.\n$TTL 300\n@ SOA ns h 1 3600 600 86400 60\n"
	    "@ NS ns\nns A 192.0.2.1\n"
	    "_2525._tcp.mx2 TLSA 3 0 1 e523456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
	    "tlsa TLSA 3 1 2 f623456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/m.conf", dir);
	snprintf(text, sizeof(text), "listen = [ \"127.0.0.1:5399\" ];\n"
	    "status = { enabled = false; };\n"
	    "zones = ( { origin = \"mail.test.\"; template = \"mail.zone\";\n"
	    "            dnssec = { keys = [ \"%s\" ]; }; },\n"
	    "          { origin = \"other.test.\"; template = \"other.zone\"; } );\n"
	    "pools = ( { name = \"p\"; probe = { type = \"smtp\"; port = 2525; };\n"
	    "  servers = ( { name = \"mx1\"; address = \"192.0.2.11\"; },\n"
	    "    { name = \"mx2\"; host = \"mx2.other.test.\"; address = \"192.0.2.12\"; },\n"
	    "    { name = \"mx3\"; address = \"192.0.2.13\"; },\n"
	    "    { name = \"mx4\"; address = \"192.0.2.14\"; probe_port = 26; },\n"
	    "    { name = \"mx5\"; address = \"192.0.2.15\"; } ); },\n"
	    "  { name = \"q\"; servers = ( { name = \"mx9\"; address = \"192.0.2.19\"; } ); } );\n",
	    strrchr(base, '/') + 1);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	free(base);

	rcu_register_thread();
	w = load(path, &errs);
	if (w == NULL)
		fail_msg("load: %s", errs);
	/* mx1's usage-1 record; mx2's and mx3's records unsigned */
	assert_non_null(strstr(errs, "warning: server 'mx1': 1 of the 2 TLSA "
	    "records at _2525._tcp.mx1.mail.test. are ignored"));
	assert_non_null(strstr(errs, "warning: server 'mx2': the TLSA records "
	    "at _2525._tcp.mx2.other.test. are in an unsigned zone"));
	assert_non_null(strstr(errs, "warning: server 'mx3': the TLSA records "
	    "at tlsa.other.test. are in an unsigned zone"));
	free(errs);
	expect_tlsa(w, "p", "mx1", 2, 3, 0xa1, true, "mx1.mail.test.");
	expect_tlsa(w, "p", "mx2", 1, 3, 0xe5, false, "mx2.other.test.");
	expect_tlsa(w, "p", "mx3", 1, 3, 0xf6, false, "mx3.mail.test.");
	expect_tlsa(w, "p", "mx4", 1, 2, 0xc3, true, "mx4.mail.test.");
	expect_tlsa(w, "p", "mx5", 0, 0, 0, false, "mx5.mail.test.");
	expect_tlsa(w, "q", "mx9", 0, 0, 0, false, NULL);

	/* a re-signing fills the same conf again (ASan: nothing leaked) */
	errs = NULL;
	{
		size_t len = 0;
		FILE *err = open_memstream(&errs, &len);

		w2 = world_resign(w, err);
		fclose(err);
	}
	assert_non_null(w2);
	free(errs);
	assert_ptr_equal(w2->conf, w->conf);
	expect_tlsa(w2, "p", "mx1", 2, 3, 0xa1, true, "mx1.mail.test.");
	expect_tlsa(w2, "p", "mx5", 0, 0, 0, false, "mx5.mail.test.");
	world_free(w);
	world_free(w2);
	rcu_unregister_thread();

	snprintf(text, sizeof(text), "rm -rf %s", dir);
	assert_int_equal(system(text), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zone_for),
		cmocka_unit_test(test_load_publish),
		cmocka_unit_test(test_token_file),
		cmocka_unit_test(test_tlsa),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
