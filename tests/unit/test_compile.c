/* test_compile.c - the answer compiler alone (zones + base): compiled forms, and every error at file:line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dnsd/base/conf.h"
#include "dnsd/base/diag.h"
#include "dnsd/base/wire.h"
#include "zones/compile.h"
#include "zones/zone.h"
#include "tests/unit/testutil.h"

static char tmpdir[64];
static char zpath[128];

static int
setup(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/mxs-compile-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(zpath, sizeof(zpath), "%s/t.zone", tmpdir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(zpath);
	rmdir(tmpdir);
	return 0;
}

/* The config of every case: zone example.com. from zpath, one pool. */
static struct conf *
load_conf(void)
{
	char text[1024];
	struct conf *c;

	snprintf(text, sizeof(text),
	    "listen = [ \"127.0.0.1:5353\" ];\n"
	    "zones = ( { origin = \"example.com.\"; template = \"%s\"; } );\n"
	    "pools = ( { name = \"inbound\"; relay_host = \"relay.other.net.\";\n"
	    "  servers = ( { name = \"mx1\"; address = [ \"192.0.2.11\", \"2001:db8::11\" ]; },\n"
	    "              { name = \"mx2\"; address = [ \"192.0.2.12\" ]; } ); } );\n",
	    zpath);
	c = conf_load_string(text, "t.conf", stderr);
	assert_non_null(c);
	return c;
}

/* Write the template (text, then nbig TXT records of 250 bytes at
 * bigname when nbig > 0, then tail) and load it. */
static struct zone *
load_zone(const struct conf *c, const char *text, const char *bigname,
    int nbig, const char *tail)
{
	FILE *f = fopen(zpath, "w");
	struct zone *z;

	assert_non_null(f);
	fputs(text, f);
	for (int i = 0; i < nbig; i++) {
		char s[251];

		memset(s, 'x', 250);
		s[250] = 0;
		memcpy(s, "rec", 3);
		s[3] = (char)('0' + i / 100);
		s[4] = (char)('0' + i / 10 % 10);
		s[5] = (char)('0' + i % 10);
		fprintf(f, "%s TXT \"%s\"\n", bigname, s);
	}
	if (tail != NULL)
		fputs(tail, f);
	fclose(f);
	z = zone_load(c, &c->zones[0], stderr);
	assert_non_null(z);
	return z;
}

static struct zone_node *
node(const struct zone *z, const char *name)
{
	uint8_t w[256];
	size_t len = wire(name, w);
	struct zone_node *n = zone_find(z, w, len, zone_hash(w, len));

	if (n == NULL)
		fail_msg("no node %s", name);
	return n;
}

static const struct compile_blob *
blob(const struct zone_node *n, uint16_t type)
{
	const struct compile_node *an = n->answers;

	assert_non_null(an);
	for (uint16_t i = 0; i < an->ntypes; i++)
		if (an->types[i] == type)
			return &an->blobs[i];
	fail_msg("no blob of type %u", type);
	return NULL;
}

/* Compile z; the diagnostics text in *out (caller frees). */
static int
compile(struct zone *z, char **out, unsigned *nerr)
{
	size_t len = 0;
	FILE *f;
	struct diag d;
	int rc;

	*out = NULL;
	assert_non_null(f = open_memstream(out, &len));
	diag_init(&d, f, NULL, DIAG_DIRECT);
	rc = compile_zone(z, &d);
	diag_flush(&d);
	fclose(f);
	*nerr = d.nerr;
	return rc;
}

static const char *head =
    "$ORIGIN example.com.\n"				/* 1 */
    "$TTL 3600\n"					/* 2 */
    "@ SOA ns1 hostmaster 1 3600 600 86400 60\n"	/* 3 */
    "@ NS ns1\n"					/* 4 */
    "ns1 A 192.0.2.53\n";				/* 5 */

static void
test_compiled_forms(void **state)
{
	struct conf *c = load_conf();
	struct zone *z = load_zone(c, head, NULL, 0,
	    "@ MX 10 mail\n"
	    "mail A 192.0.2.25\n"
	    "mail AAAA 2001:db8::25\n"
	    "a.b.c TXT \"deep\"\n"
	    "*.wild TXT \"wild\"\n"
	    "sub NS ns.sub\n"
	    "ns.sub A 192.0.2.54\n"
	    "www CNAME mail\n"
	    "dyn 30 DYNMX inbound\n"
	    "*.wdyn 30 DYNMX inbound\n");
	const struct compile_node *apex, *an;
	const struct compile_blob *b;
	char *out;
	unsigned nerr;

	(void)state;
	assert_int_equal(compile(z, &out, &nerr), 0);
	assert_int_equal(nerr, 0);
	assert_string_equal(out, "");
	free(out);
	for (size_t i = 0; i < z->nnodes; i++)
		assert_non_null(z->nodes[i]->answers);
	/* the apex: its types, the zone's negative answers (SOA at neg_ttl) */
	apex = z->apex->answers;
	assert_non_null(apex->special[COMPILE_NODATA]);
	assert_non_null(apex->special[COMPILE_NXDOMAIN]);
	assert_int_equal(apex->special[COMPILE_NXDOMAIN]->rcode,
	    WIRE_RCODE_NXDOMAIN);
	assert_int_equal(apex->special[COMPILE_NODATA]->ns, 1);
	assert_int_equal(apex->special[COMPILE_NODATA]->an, 0);
	assert_int_equal(apex->any_type, ZONE_TYPE_SOA);
	/* MX with the target's addresses as optional additional data */
	b = blob(z->apex, ZONE_TYPE_MX);
	assert_int_equal(b->an, 1);
	assert_int_equal(b->nadd, 2);
	assert_int_equal(b->add_ar[1], 2);
	assert_true(b->len_req < b->len);
	assert_int_equal(b->aa, 1);
	assert_int_equal(b->cqname_len, z->origin_len);
	/* an empty non-terminal and a name below a cut: nothing of their own */
	an = node(z, "b.c.example.com.")->answers;
	assert_int_equal(an->ntypes, 0);
	assert_int_equal(an->any_type, 0);
	an = node(z, "ns.sub.example.com.")->answers;
	assert_int_equal(an->ntypes, 0);
	/* the cut: a referral (AA=0, NS in authority, glue required) and DS */
	an = node(z, "sub.example.com.")->answers;
	assert_non_null(an->special[COMPILE_REFERRAL]);
	assert_non_null(an->special[COMPILE_DS]);
	assert_int_equal(an->special[COMPILE_REFERRAL]->aa, 0);
	assert_int_equal(an->special[COMPILE_REFERRAL]->ns, 1);
	assert_int_equal(an->special[COMPILE_REFERRAL]->ar_req, 1);
	/* a wildcard keeps pointers to the qname */
	assert_int_equal(blob(node(z, "*.wild.example.com."),
	    ZONE_TYPE_TXT)->keep12, 1);
	assert_int_equal(blob(node(z, "mail.example.com."),
	    ZONE_TYPE_A)->keep12, 0);
	/* a CNAME chain: the CNAME and the target's A in one body, and a
	 * blob for the types the chain does not list */
	b = blob(node(z, "www.example.com."), ZONE_TYPE_A);
	assert_int_equal(b->an, 2);
	assert_non_null(((const struct compile_node *)
	    node(z, "www.example.com.")->answers)->special[COMPILE_OTHER]);
	/* DYNMX: the blob ends where the records go; per-server fragments
	 * for the exact owner, none for a wildcard */
	b = blob(node(z, "dyn.example.com."), ZONE_TYPE_MX);
	assert_int_equal(b->dyn, COMPILE_DYN_MX);
	assert_int_equal(b->dyn_owner, WIRE_HDR_LEN);
	assert_int_equal(b->len, 0);
	an = node(z, "dyn.example.com.")->answers;
	assert_non_null(an->dyn);
	assert_int_equal(an->dyn->n, 2);
	assert_true(an->dyn->srv[0].rrlen > 0);
	assert_int_equal(an->dyn->srv[0].naddrr, 2);
	assert_int_equal(an->dyn->srv[1].naddrr, 1);
	assert_true(an->dyn->relay.rrlen > 0);
	assert_int_equal(an->dyn->relay.naddrr, 0);
	an = node(z, "*.wdyn.example.com.")->answers;
	assert_null(an->dyn);
	zone_free(z);
	conf_free(c);
}

/* 300 TXT records of 250 bytes (75 kB) at one name: over 65535 bytes. The
 * node, and a CNAME to it, are each reported at their first record. */
static void
test_too_big(void **state)
{
	struct conf *c = load_conf();
	struct zone *z = load_zone(c, head, "many", 300,
	    "alias CNAME many\n"			/* 306 */
	    "fine TXT \"small\"\n");
	char *out, want[256];
	unsigned nerr;

	(void)state;
	assert_int_equal(compile(z, &out, &nerr), -1);
	assert_int_equal(nerr, 2);
	snprintf(want, sizeof(want), "%s:6: many.example.com.: the TXT answer "
	    "does not fit a message (65535 bytes at most)\n", zpath);
	if (strstr(out, want) == NULL)
		fail_msg("want \"%s\" in \"%s\"", want, out);
	snprintf(want, sizeof(want), "%s:306: alias.example.com.: the TXT "
	    "answer does not fit a message", zpath);
	if (strstr(out, want) == NULL)
		fail_msg("want \"%s\" in \"%s\"", want, out);
	/* the other nodes were compiled, and it all frees */
	assert_non_null(node(z, "fine.example.com.")->answers);
	free(out);
	zone_free(z);
	conf_free(c);
}

/* A delegation whose NS RRset is over 65535 bytes: the referral. */
static void
test_referral_too_big(void **state)
{
	struct conf *c = load_conf();
	char *text = malloc(200000), *out, want[256];
	size_t o;
	struct zone *z;
	unsigned nerr;

	(void)state;
	assert_non_null(text);
	o = (size_t)snprintf(text, 200000, "%s", head);
	for (int i = 0; i < 2500; i++)
		o += (size_t)snprintf(text + o, 200000 - o,
		    "sub NS ns%04d-with-a-longer-label.other.net.\n", i);
	z = load_zone(c, text, NULL, 0, NULL);
	free(text);
	assert_int_equal(compile(z, &out, &nerr), -1);
	assert_int_equal(nerr, 1);
	snprintf(want, sizeof(want), "%s:6: sub.example.com.: the referral "
	    "does not fit a message", zpath);
	if (strstr(out, want) == NULL)
		fail_msg("want \"%s\" in \"%s\"", want, out);
	free(out);
	zone_free(z);
	conf_free(c);
}

/* A node without a record of its own (as an empty non-terminal) is
 * reported at the nearest record below it, else above it. */
static void
test_where_without_record(void **state)
{
	struct conf *c = load_conf();
	struct zone *z = load_zone(c, head, "many", 300,
	    "x.many TXT \"below\"\n");		/* 306 */
	char *out, want[256];
	unsigned nerr;

	(void)state;
	node(z, "many.example.com.")->file = NULL;
	assert_int_equal(compile(z, &out, &nerr), -1);
	assert_int_equal(nerr, 1);
	snprintf(want, sizeof(want), "%s:306: many.example.com.: ", zpath);
	if (strstr(out, want) == NULL)
		fail_msg("want \"%s\" in \"%s\"", want, out);
	free(out);
	zone_free(z);

	z = load_zone(c, head, "many", 300, NULL);
	node(z, "many.example.com.")->file = NULL;
	assert_int_equal(compile(z, &out, &nerr), -1);
	snprintf(want, sizeof(want), "%s:3: many.example.com.: ", zpath);
	if (strstr(out, want) == NULL)
		fail_msg("want \"%s\" (the apex SOA) in \"%s\"", want, out);
	free(out);
	zone_free(z);
	conf_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compiled_forms),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_referral_too_big),
		cmocka_unit_test(test_where_without_record),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
