/* test_zone.c - zone template loader: good templates, tree layout, bad templates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "dnsd/base/conf.h"
#include "dnsd/base/log.h"
#include "zones/zone.h"
#include "tests/unit/zone_fixture.h"

static const char good_zone[] =
	"; a comment line\n"
	"$ORIGIN mail.example.com.\n"
	"$TTL 1h\n"
	"@   IN 7200 SOA ns1 hostmaster.example.com. (\n"
	"        2026112701 ; serial (with a comment)\n"
	"        3600 600 1w\n"
	"        300 )\n"
	"    NS  ns1\n"				/* owner omitted: @ */
	"    NS  ns2.example.net.\n"
	"ns1 600 IN A 127.0.0.53\n"		/* TTL then class */
	"@   30  DYNMX inbound\n"
	"smtp 30 dyna inbound\n"		/* case-insensitive type */
	"@   TXT \"v=spf1 -all; (not a comment)\"\n"
	"a.b.c  TXT \"deep\"\n"			/* ENT b.c and c */
	"*.wild TXT \"wild\"\n"
	"alias CNAME smtp\n"
	"sub NS ns.sub\n"
	"sub NS ns.other.net.\n"
	"ns.sub A 127.0.0.54\n"
	"x.y.sub AAAA ::1\n"			/* glue-shaped, below the cut */
	"$INCLUDE inc.zone extra\n"
	"after TXT \"origin restored\"\n";

static const char inc_zone[] =
	"; included with origin extra.mail.example.com.\n"
	"@ TXT \"at extra\"\n"
	"www 1h30m TXT \"www.extra\"\n";

static void
test_good(void **state)
{
	struct zone_node *n, *apex, *smtp, *mx1, *mx3, *sub, *abc;
	const struct zone_rrset *rs;
	const struct zone_pool_ref *ref;
	struct zone *z;
	char *errs = NULL;
	size_t i, j;

	(void)state;
	write_file(NULL, "inc.zone", inc_zone);
	z = load_text(good_zone, &errs);
	assert_string_equal(errs, "");
	free(errs);
	assert_non_null(z);
	/* apex mx1 mx2 mx3 ns1 smtp c b.c a.b.c wild *.wild alias sub ns.sub
	 * y.sub x.y.sub extra www.extra after */
	assert_int_equal(z->nnodes, 19);
	apex = z->apex;
	assert_ptr_equal(apex, z->nodes[0]);
	assert_ptr_equal(find(z, "mail.example.com."), apex);
	assert_int_equal(apex->flags, ZONE_NODE_APEX);
	assert_null(apex->parent);
	assert_null(apex->cut);
	assert_non_null(apex->dynmx);
	assert_int_equal(apex->dynmx->ttl, 30);
	assert_int_equal(apex->dynmx->pool, 0);
	assert_int_equal(apex->dynmx->line, 11);
	/* SOA, serial, negative TTL = min(7200, 300) */
	assert_non_null(z->soa);
	assert_ptr_equal(z->soa, zone_rrset_find(apex, ZONE_TYPE_SOA));
	assert_int_equal(z->soa->ttl, 7200);
	assert_int_equal(z->serial, 2026112701u);
	assert_int_equal(z->neg_ttl, 300);
	rs = zone_rrset_find(apex, ZONE_TYPE_NS);
	assert_non_null(rs);
	assert_int_equal(rs->count, 2);
	assert_int_equal(rs->ttl, 3600);
	/* TXT with ";" and "(" inside quotes: one string of 28 bytes */
	rs = zone_rrset_find(apex, ZONE_TYPE_TXT);
	assert_non_null(rs);
	assert_int_equal(rs->rdata_len, 2 + 1 + 28);
	assert_memory_equal(rs->rdata + 3, "v=spf1 -all; (not a comment)", 28);
	n = find(z, "ns1.mail.example.com.");
	assert_non_null(n);
	assert_int_equal(zone_rrset_find(n, ZONE_TYPE_A)->ttl, 600);
	/* DYNA node */
	smtp = find(z, "smtp.mail.example.com.");
	assert_non_null(smtp);
	assert_non_null(smtp->dyna);
	assert_null(smtp->dynmx);
	assert_int_equal(smtp->nrrsets, 0);
	assert_int_equal(smtp->flags, 0);
	/* ENTs */
	abc = find(z, "a.b.c.mail.example.com.");
	assert_non_null(abc);
	assert_int_equal(abc->nlabels, 6);
	assert_int_equal(abc->flags, 0);
	assert_int_equal(abc->parent->flags, ZONE_NODE_ENT);
	assert_ptr_equal(abc->parent, find(z, "b.c.mail.example.com."));
	assert_int_equal(abc->parent->parent->flags, ZONE_NODE_ENT);
	assert_ptr_equal(abc->parent->parent->parent, apex);
	/* wildcard */
	n = find(z, "wild.mail.example.com.");
	assert_non_null(n);
	assert_int_equal(n->flags, ZONE_NODE_ENT);
	assert_non_null(n->wildcard);
	assert_ptr_equal(n->wildcard, find(z, "*.wild.mail.example.com."));
	assert_int_equal(n->wildcard->flags, ZONE_NODE_WILD);
	assert_null(apex->wildcard);
	/* CNAME */
	n = find(z, "alias.mail.example.com.");
	assert_non_null(n);
	assert_int_equal(n->flags, ZONE_NODE_CNAME);
	/* delegation and cut pointers */
	sub = find(z, "sub.mail.example.com.");
	assert_non_null(sub);
	assert_int_equal(sub->flags, ZONE_NODE_DELEG);
	assert_ptr_equal(sub->cut, sub);
	n = find(z, "ns.sub.mail.example.com.");
	assert_ptr_equal(n->cut, sub);
	n = find(z, "x.y.sub.mail.example.com.");
	assert_ptr_equal(n->cut, sub);
	assert_ptr_equal(n->parent->cut, sub);
	assert_int_equal(n->parent->flags, ZONE_NODE_ENT);
	assert_null(smtp->cut);
	assert_null(abc->cut);
	/* server nodes: A/AAAA from the config, TTL of the DYN record */
	mx1 = find(z, "mx1.mail.example.com.");
	assert_non_null(mx1);
	assert_int_equal(mx1->flags, ZONE_NODE_SERVER);
	rs = zone_rrset_find(mx1, ZONE_TYPE_A);
	assert_non_null(rs);
	assert_int_equal(rs->ttl, 30);
	assert_int_equal(rs->count, 1);
	assert_int_equal(rs->rdata_len, 6);
	assert_memory_equal(rs->rdata, "\0\4\177\0\0\13", 6);
	rs = zone_rrset_find(mx1, ZONE_TYPE_AAAA);
	assert_non_null(rs);
	assert_int_equal(rs->rdata_len, 18);
	mx3 = find(z, "mx3.mail.example.com.");
	assert_non_null(mx3);
	assert_null(zone_rrset_find(mx3, ZONE_TYPE_AAAA));
	/* pool references */
	assert_int_equal(z->npools, 1);
	ref = zone_pool_ref(z, 0);
	assert_non_null(ref);
	assert_null(zone_pool_ref(z, 1));
	assert_int_equal(ref->nservers, 3);
	assert_ptr_equal(ref->server_node[0], mx1);
	assert_ptr_equal(ref->server_node[2], mx3);
	assert_memory_equal(ref->server_name[1], "\3mx2\4mail\7example\3com", 22);
	assert_null(ref->relay_name);
	/* $INCLUDE with origin, restored afterwards; 1h30m */
	n = find(z, "extra.mail.example.com.");
	assert_non_null(n);
	assert_non_null(zone_rrset_find(n, ZONE_TYPE_TXT));
	n = find(z, "www.extra.mail.example.com.");
	assert_non_null(n);
	assert_int_equal(zone_rrset_find(n, ZONE_TYPE_TXT)->ttl, 5400);
	assert_non_null(find(z, "after.mail.example.com."));
	assert_null(find(z, "after.extra.mail.example.com."));
	/* parents before children; hash table size */
	for (i = 0; i < z->nnodes; i++)
		for (j = i + 1; j < z->nnodes; j++)
			assert_ptr_not_equal(z->nodes[i]->parent, z->nodes[j]);
	assert_true(z->hmask + 1 >= 2 * z->nnodes);
	assert_int_equal((z->hmask + 1) & z->hmask, 0);
	assert_null(find(z, "nothere.mail.example.com."));
	zone_free(z);
}

static void
test_serial_auto(void **state)
{
	struct zone *z;
	char *errs = NULL;
	uint32_t now = (uint32_t)time(NULL);
	const uint8_t *p;

	(void)state;
	cz.serial_auto = true;
	z = load_text(BASE, &errs);
	cz.serial_auto = false;
	assert_string_equal(errs, "");
	free(errs);
	assert_non_null(z);
	assert_true(z->serial >= now && z->serial <= now + 5);
	/* rewritten in the SOA rdata too: after the two names */
	p = z->soa->rdata + 2 + 22 + 29;
	assert_int_equal((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3], z->serial);
	assert_int_equal(z->neg_ttl, 60);

	/* Reloads within the same second still get strictly larger serials. */
	for (int i = 0; i < 3; i++) {
		struct zone *z2;
		uint32_t prev = z->serial;

		cz.serial_auto = true;
		z2 = load_text(BASE, &errs);
		cz.serial_auto = false;
		free(errs);
		assert_non_null(z2);
		assert_true((int32_t)(z2->serial - prev) > 0);
		zone_free(z);
		z = z2;
	}
	zone_free(z);
}

struct warn_case {
	const char *name;
	const char *text;
	const char *errors;
};

static const struct warn_case warn_cases[] = {
	{ "ttl_differs", BASE "x 300 A 192.0.2.1\nx 100 A 192.0.2.2\n",
	  "t.zone:7: warning: TTL 100 differs from TTL 300 of the other A "
	  "records at 'x.mail.example.com.' (line 6); using 100 (RFC 2181 "
	  "5.2)\n" },
	{ "duplicate", BASE "x A 192.0.2.1\nx A 192.0.2.1\n",
	  "t.zone:7: warning: duplicate A record at 'x.mail.example.com.' "
	  "ignored (same as line 6)\n" },
	{ "duplicate_case", BASE "x MX 10 Foo\nx MX 10 Foo\n",
	  "t.zone:7: warning: duplicate MX record at 'x.mail.example.com.' "
	  "ignored (same as line 6)\n" },
	{ "glue_not_needed", BASE "sub NS ns.example.net.\n", "" },
	{ "apex_ns_without_address", BASE "@ NS ns2\n@ NS ns3.sub\n"
	  "sub NS ns.example.net.\n",
	  "t.zone:4: warning: name server 'ns2.mail.example.com.' is in the "
	  "zone but has no A/AAAA record\n" },
	{ "class_ttl_order", BASE "x IN 300 A 192.0.2.1\ny 300 IN A 192.0.2.1\n"
	  "z CLASS1 A 192.0.2.1\n", "" },
	/* TLSA (RFC 6698): the defined parameters load silently, digests
	 * split over tokens too; unknown ones are ignored by clients (RFC
	 * 7671 4.1): a warning each */
	{ "tlsa_good", BASE "_25._tcp.x TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
	  "_25._tcp.x TLSA 2 0 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n_25._tcp.x TLSA 3 0 0 3082 01ab\n"
	  "_25._tcp.x TLSA 1 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n_25._tcp.x TLSA \\# 5 0301000102\n", "" },
	{ "tlsa_unknown", BASE "_25._tcp.x TLSA 4 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
	  "_25._tcp.x TLSA 3 2 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n_25._tcp.x TLSA 3 1 9 0102\n",
	  "t.zone:6: warning: TLSA record with unknown certificate usage 4 "
	  "(0-3 are defined): clients ignore it (RFC 7671 4.1)\n"
	  "t.zone:7: warning: TLSA record with unknown selector 2 (0 "
	  "certificate, 1 public key): clients ignore it (RFC 7671 4.1)\n"
	  "t.zone:8: warning: TLSA record with unknown matching type 9 (0 full "
	  "data, 1 SHA-256, 2 SHA-512): clients ignore it (RFC 7671 4.1)\n" },
};

static void
test_warnings(void **state)
{
	struct zone *z;
	char *errs;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(warn_cases) / sizeof(warn_cases[0]); i++) {
		errs = NULL;
		z = load_text(warn_cases[i].text, &errs);
		if (z == NULL || strcmp(errs, warn_cases[i].errors) != 0)
			print_message("case %s: got:\n%s", warn_cases[i].name,
			    errs);
		assert_non_null(z);
		assert_string_equal(errs, warn_cases[i].errors);
		free(errs);
		zone_free(z);
	}
	/* the lowest TTL wins */
	errs = NULL;
	z = load_text(warn_cases[0].text, &errs);
	free(errs);
	assert_int_equal(zone_rrset_find(find(z, "x.mail.example.com."),
	    ZONE_TYPE_A)->ttl, 100);
	assert_int_equal(zone_rrset_find(find(z, "x.mail.example.com."),
	    ZONE_TYPE_A)->count, 2);
	zone_free(z);
}

struct bad_case {
	const char *name;
	const char *text;
	const char *errors;	/* exactly what errout receives */
};

#define LONG63 "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"

static const struct bad_case bad_cases[] = {
	{ "unknown_type", BASE "x FOO bar\n",
	  "t.zone:6: unknown record type 'FOO'\n" },
	{ "bad_a", BASE "x A 1.2.3\n",
	  "t.zone:6: bad A record: Syntax error, could not parse the RR's "
	  "rdata\n" },
	{ "bad_aaaa", BASE "x AAAA 192.0.2.1\n",
	  "t.zone:6: bad AAAA record: Syntax error, could not parse the RR's "
	  "rdata\n" },
	{ "missing_rdata", BASE "x A\n",
	  "t.zone:6: bad A record: Syntax error, value expected\n" },
	{ "superfluous_rdata", BASE "x A 192.0.2.1 5\n",
	  "t.zone:6: bad A record: Syntax error, superfluous text present\n" },
	/* TLSA: what ldns 1.8.3 would let through, silently changed */
	{ "tlsa_usage_range", BASE "_25._tcp.x TLSA 256 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
	  "t.zone:6: bad TLSA record: value 256 out of range (maximum 255)\n" },
	{ "tlsa_odd_hex", BASE "_25._tcp.x TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef1\n",
	  "t.zone:6: bad TLSA record: odd number of hex digits (65) in the "
	  "certificate association data\n" },
	{ "tlsa_not_hex", BASE "_25._tcp.x TLSA 3 1 1 \\# 2 0102\n",
	  "t.zone:6: bad TLSA record: '\\#' in the certificate association "
	  "data is not hexadecimal\n" },
	{ "tlsa_sha256_short", BASE "_25._tcp.x TLSA 3 1 1 0123abcd\n",
	  "t.zone:6: bad TLSA record: matching type 1 (SHA-256) needs 32 bytes "
	  "of data (64 hex digits), got 4\n" },
	{ "tlsa_sha512_short", BASE "_25._tcp.x TLSA 2 1 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
	  "t.zone:6: bad TLSA record: matching type 2 (SHA-512) needs 64 bytes "
	  "of data (128 hex digits), got 32\n" },
	{ "tlsa_generic_short", BASE "_25._tcp.x TLSA \\# 4 03010101\n",
	  "t.zone:6: bad TLSA record: matching type 1 (SHA-256) needs 32 bytes "
	  "of data (64 hex digits), got 1\n" },
	{ "tlsa_no_data", BASE "_25._tcp.x TLSA \\# 3 030000\n",
	  "t.zone:6: bad TLSA record: missing data\n" },
	{ "mx_pref_range", BASE "x MX 70000 mx9\n",
	  "t.zone:6: bad MX record: value 70000 out of range (maximum 65535)\n" },
	{ "soa_serial_range", "$TTL 60\n@ SOA ns1 h 4294967296 1 2 3 4\n"
	  "@ NS ns1\nns1 A 192.0.2.1\n",
	  "t.zone:2: bad SOA record: value 4294967296 out of range (maximum "
	  "4294967295)\n" },
	{ "bad_soa_no_extra_error", "$TTL 60\n@ SOA ns1 h 1 2 3 4\n"
	  "@ NS ns1\nns1 A 192.0.2.1\n",
	  "t.zone:2: bad SOA record: Syntax error, value expected\n" },
	{ "soa_bad_ttl", "$TTL 60\n@ 1y SOA ns1 h 1 2 3 4 5\n@ NS ns1\n"
	  "ns1 A 192.0.2.1\n",
	  "t.zone:2: bad TTL '1y' (expected seconds or a duration like "
	  "1h30m)\n" },
	{ "ttl_range", BASE "x 2147483648 A 192.0.2.1\n",
	  "t.zone:6: TTL '2147483648' out of range (maximum 2147483647)\n" },
	{ "ttl_units_range", BASE "x 4000w A 192.0.2.1\n",
	  "t.zone:6: TTL '4000w' out of range (maximum 2147483647)\n" },
	{ "bad_ttl", BASE "\n\nx 1x A 192.0.2.1\n",
	  "t.zone:8: bad TTL '1x' (expected seconds or a duration like "
	  "1h30m)\n" },
	{ "bad_dollar_ttl", "$TTL soon\n" BASE,
	  "t.zone:1: bad $TTL 'soon' (expected seconds or a duration like "
	  "1h30m)\n" },
	{ "dollar_ttl_range", BASE "$TTL 9999999999\n",
	  "t.zone:6: $TTL '9999999999' out of range (maximum 2147483647)\n" },
	{ "two_ttls", BASE "x 300 600 A 192.0.2.1\n",
	  "t.zone:6: unexpected '600' after the TTL (expected a class or "
	  "type)\n" },
	{ "class_ch", BASE "x CH TXT \"foo\"\n",
	  "t.zone:6: class 'CH' not supported (only IN)\n" },
	{ "two_classes", BASE "x IN IN A 192.0.2.1\n",
	  "t.zone:6: unexpected 'IN' after the class (expected a TTL or "
	  "type)\n" },
	{ "missing_type", BASE "x 300 IN\n",
	  "t.zone:6: missing record type\n" },
	{ "meta_type", BASE "x AXFR 1\n",
	  "t.zone:6: type AXFR cannot appear in a zone\n" },
	{ "outside_zone", BASE "www.example.org. A 192.0.2.1\n",
	  "t.zone:6: name 'www.example.org.' is outside the zone "
	  "'mail.example.com.'\n" },
	{ "outside_by_origin", BASE "$ORIGIN example.com.\nwww A 192.0.2.1\n",
	  "t.zone:7: name 'www.example.com.' is outside the zone "
	  "'mail.example.com.'\n" },
	{ "bad_owner", BASE LONG63 "abcd A 192.0.2.1\n",
	  "t.zone:6: bad owner name '" LONG63 "abcd'\n" },
	{ "no_previous_owner", "$TTL 60\n  A 192.0.2.1\n" BASE,
	  "t.zone:2: record without owner name (the line starts with a blank "
	  "and no record precedes it)\n" },
	{ "no_ttl", "@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\n",
	  "t.zone:1: no TTL: give one on the record or set $TTL before it\n"
	  "t.zone:2: no TTL: give one on the record or set $TTL before it\n"
	  "t.zone:3: no TTL: give one on the record or set $TTL before it\n" },
	{ "soa_not_apex", BASE "x SOA ns1 h 1 2 3 4 5\n",
	  "t.zone:6: SOA record at 'x.mail.example.com.' is not at the zone "
	  "apex 'mail.example.com.'\n" },
	{ "two_soa", BASE "@ SOA ns2 h 2 3600 600 86400 60\n",
	  "t.zone:6: more than one SOA record (first at line 3)\n" },
	{ "no_soa", "$TTL 60\n@ NS ns1\nns1 A 192.0.2.1\n",
	  "t.zone:1: no SOA record at the zone apex 'mail.example.com.'\n" },
	{ "no_ns", "$TTL 60\n@ SOA ns1 h 1 2 3 4 5\nns1 A 192.0.2.1\n",
	  "t.zone:1: no NS record at the zone apex 'mail.example.com.'\n" },
	{ "empty", "", "t.zone:1: empty template: no records\n" },
	{ "only_comments", "; nothing here\n$TTL 60\n\n   ; still nothing\n",
	  "t.zone:1: empty template: no records\n" },
	{ "cname_and_data", BASE "x A 192.0.2.1\nx CNAME smtp\n",
	  "t.zone:7: CNAME at 'x.mail.example.com.' beside other data (A "
	  "record at line 6)\n" },
	{ "two_cnames", BASE "x CNAME a\nx CNAME b\n",
	  "t.zone:7: more than one CNAME at 'x.mail.example.com.' (first at "
	  "line 6)\n" },
	{ "cname_at_apex", BASE "@ CNAME elsewhere.example.net.\n",
	  "t.zone:6: CNAME at 'mail.example.com.' beside other data (SOA "
	  "record at line 3)\n" },
	{ "dyn_unknown_pool_hint", BASE "@ DYNMX inbund\n",
	  "t.zone:6: unknown pool 'inbund' (did you mean 'inbound'?)\n" },
	{ "dyn_unknown_pool", BASE "smtp DYNA zzzzzz\n",
	  "t.zone:6: unknown pool 'zzzzzz'\n" },
	{ "dyn_no_pool", BASE "@ DYNMX\n",
	  "t.zone:6: DYNMX expects one argument, a pool name\n" },
	{ "dyn_two_pools", BASE "smtp DYNA inbound backup\n",
	  "t.zone:6: DYNA expects one argument, a pool name\n" },
	{ "dynmx_and_mx", BASE "@ MX 10 mx9\n@ DYNMX inbound\n",
	  "t.zone:7: DYNMX at 'mail.example.com.' beside a static MX record "
	  "(line 6)\n" },
	{ "dyna_and_a", BASE "smtp DYNA inbound\nsmtp AAAA ::1\n",
	  "t.zone:6: DYNA at 'smtp.mail.example.com.' beside a static AAAA "
	  "record (line 7)\n" },
	{ "dynmx_and_cname", BASE "x CNAME smtp\nx DYNMX inbound\n",
	  "t.zone:7: DYNMX at 'x.mail.example.com.' beside a CNAME (line 6)\n" },
	{ "dyna_and_cname", BASE "x DYNA inbound\nx CNAME smtp\n",
	  "t.zone:6: DYNA at 'x.mail.example.com.' beside a CNAME (line 7)\n" },
	{ "dynsrv_unknown_pool_hint", BASE "_imaps._tcp DYNSRV inbund 993\n",
	  "t.zone:6: unknown pool 'inbund' (did you mean 'inbound'?)\n" },
	{ "dynsrv_no_port", BASE "_imaps._tcp DYNSRV inbound\n",
	  "t.zone:6: DYNSRV expects two arguments, a pool name and a port\n" },
	{ "dynsrv_three_args", BASE "_imaps._tcp DYNSRV inbound 993 1\n",
	  "t.zone:6: DYNSRV expects two arguments, a pool name and a port\n" },
	{ "dynsrv_port_zero", BASE "_imaps._tcp DYNSRV inbound 0\n",
	  "t.zone:6: DYNSRV: port 0 out of range (1..65535)\n" },
	{ "dynsrv_port_high", BASE "_imaps._tcp DYNSRV inbound 65536\n",
	  "t.zone:6: DYNSRV: port 65536 out of range (1..65535)\n" },
	{ "dynsrv_port_huge", BASE "_imaps._tcp DYNSRV inbound 99999999999999999999999\n",
	  "t.zone:6: DYNSRV: port 99999999999999999999999 out of range (1..65535)\n" },
	{ "dynsrv_port_text", BASE "_imaps._tcp DYNSRV inbound imaps\n",
	  "t.zone:6: DYNSRV: bad port 'imaps' (expected a number 1..65535)\n" },
	{ "dynsrv_port_signed", BASE "_imaps._tcp DYNSRV inbound -993\n",
	  "t.zone:6: DYNSRV: bad port '-993' (expected a number 1..65535)\n" },
	{ "dynsrv_port_trailing", BASE "_imaps._tcp DYNSRV inbound 993x\n",
	  "t.zone:6: DYNSRV: bad port '993x' (expected a number 1..65535)\n" },
	{ "dynsrv_and_srv", BASE "_imaps._tcp SRV 0 1 993 mx1\n"
	  "_imaps._tcp DYNSRV inbound 993\n",
	  "t.zone:7: DYNSRV at '_imaps._tcp.mail.example.com.' beside a static "
	  "SRV record (line 6)\n" },
	{ "dynsrv_and_cname", BASE "_imaps._tcp CNAME smtp\n"
	  "_imaps._tcp DYNSRV inbound 993\n",
	  "t.zone:7: DYNSRV at '_imaps._tcp.mail.example.com.' beside a CNAME "
	  "(line 6)\n" },
	{ "two_dynsrv", BASE "_imaps._tcp DYNSRV inbound 993\n"
	  "_imaps._tcp DYNSRV inbound 143\n",
	  "t.zone:7: more than one DYNSRV at '_imaps._tcp.mail.example.com.' "
	  "(first at line 6)\n" },
	{ "dynsrv_below_delegation", BASE "sub NS ns.example.net.\n"
	  "_imaps._tcp.sub DYNSRV inbound 993\n",
	  "t.zone:7: DYNSRV at '_imaps._tcp.sub.mail.example.com.' is below "
	  "the delegation 'sub.mail.example.com.'\n" },
	{ "dynsrv_server_host", BASE "mx1 DYNSRV inbound 25\n",
	  "t.zone:6: 'mx1.mail.example.com.' is the host name of server 'mx1' "
	  "in pool 'inbound' (t.conf:20): mxspread serves its A/AAAA, it "
	  "cannot have records in the template\n" },
	{ "two_dynmx", BASE "@ DYNMX inbound\n@ 60 DYNMX inbound\n",
	  "t.zone:7: more than one DYNMX at 'mail.example.com.' (first at line "
	  "6)\n" },
	{ "server_host_collision", BASE "mx2 TXT \"hello\"\n@ DYNMX inbound\n",
	  "t.zone:6: 'mx2.mail.example.com.' is the host name of server 'mx2' "
	  "in pool 'inbound' (t.conf:21): mxspread serves its A/AAAA, it "
	  "cannot have records in the template\n" },
	{ "server_host_dyna", BASE "mx1 DYNA inbound\n",
	  "t.zone:6: 'mx1.mail.example.com.' is the host name of server 'mx1' "
	  "in pool 'inbound' (t.conf:20): mxspread serves its A/AAAA, it "
	  "cannot have records in the template\n" },
	{ "server_below_delegation", BASE "sub NS ns.example.net.\n"
	  "x DYNA deep\n",
	  "t.zone:7: host 'mx.sub.mail.example.com.' of server 'd1' in pool "
	  "'deep' (t.conf:40) is below the delegation "
	  "'sub.mail.example.com.'\n" },
	{ "relay_without_address", BASE "bk DYNMX backup\n",
	  "t.zone:6: relay host 'relay.mail.example.com.' of pool 'backup' "
	  "has no A/AAAA record in the template\n" },
	{ "missing_glue", BASE "sub NS ns.sub\n",
	  "t.zone:6: delegation 'sub.mail.example.com.': name server "
	  "'ns.sub.mail.example.com.' has no glue A/AAAA record\n" },
	{ "glue_is_txt", BASE "sub NS ns.sub\nns.sub TXT \"x\"\n",
	  "t.zone:7: TXT record at 'ns.sub.mail.example.com.' is below the "
	  "delegation 'sub.mail.example.com.' (only glue A/AAAA records may "
	  "be there)\n"
	  "t.zone:6: delegation 'sub.mail.example.com.': name server "
	  "'ns.sub.mail.example.com.' has no glue A/AAAA record\n" },
	{ "data_at_delegation", BASE "sub NS ns.example.net.\nsub MX 10 a\n",
	  "t.zone:7: MX record at the delegation point 'sub.mail.example.com.' "
	  "(only NS, DS and glue A/AAAA records may be there)\n" },
	{ "nested_delegation", BASE "sub NS ns.example.net.\n"
	  "deeper.sub NS ns.example.net.\n",
	  "t.zone:7: NS record at 'deeper.sub.mail.example.com.' is below the "
	  "delegation 'sub.mail.example.com.' (only glue A/AAAA records may "
	  "be there)\n" },
	{ "dyn_below_delegation", BASE "sub NS ns.example.net.\n"
	  "www.sub DYNA inbound\n",
	  "t.zone:7: DYNA at 'www.sub.mail.example.com.' is below the "
	  "delegation 'sub.mail.example.com.'\n" },
	{ "close_paren_alone", BASE "x A 192.0.2.1 )\n",
	  "t.zone:6: ')' without '('\n" },
	{ "open_paren_unclosed", BASE "x TXT ( \"a\"\n\"b\"\ny A 192.0.2.1\n",
	  "t.zone:6: '(' without ')'\n" },
	{ "unterminated_quote", BASE "x TXT \"abc\ny A 192.0.2.1\n",
	  "t.zone:6: missing closing '\"'\n" },
	{ "unknown_directive", BASE "$ORIGINE foo.\n",
	  "t.zone:6: unknown directive '$ORIGINE' (expected $ORIGIN, $TTL or "
	  "$INCLUDE)\n" },
	{ "generate", BASE "$GENERATE 1-10 h$ A 192.0.2.$\n",
	  "t.zone:6: $GENERATE is not supported\n" },
	{ "origin_no_arg", "$ORIGIN\n" BASE,
	  "t.zone:1: $ORIGIN expects one domain name\n" },
	{ "include_missing", BASE "$INCLUDE nothere.zone\n",
	  "t.zone:6: cannot open included file 'nothere.zone': No such file "
	  "or directory\n" },
	{ "include_self", BASE "$INCLUDE t.zone\n",
	  "t.zone:6: $INCLUDE loop: 't.zone' is already being read\n" },
	{ "include_no_arg", BASE "$INCLUDE\n",
	  "t.zone:6: $INCLUDE expects a file name and an optional origin\n" },
};

static void
test_bad(void **state)
{
	struct zone *z;
	char *errs;
	size_t i, n = sizeof(bad_cases) / sizeof(bad_cases[0]);
	int failed = 0;

	(void)state;
	assert_true(n >= 35);
	for (i = 0; i < n; i++) {
		errs = NULL;
		z = load_text(bad_cases[i].text, &errs);
		if (z != NULL || strcmp(errs, bad_cases[i].errors) != 0) {
			print_message("case %s: expected:\n%sgot:\n%s",
			    bad_cases[i].name, bad_cases[i].errors, errs);
			failed++;
		}
		zone_free(z);
		free(errs);
	}
	assert_int_equal(failed, 0);
}

/* Each line a different mistake: every one is reported, in line order
 * for the reader's checks, then the whole-zone checks. */
static void
test_all_errors(void **state)
{
	struct zone *z;
	char *errs = NULL;

	(void)state;
	z = load_text("$TTL 60\n"
	    "@ NS ns1\n"
	    "ns1 A 192.0.2.300\n"
	    "x FOO 1\n"
	    "@ DYNMX nope\n"
	    "y 99999999999 A 192.0.2.1\n"
	    "c CNAME a\n"
	    "c TXT \"b\"\n"
	    "sub NS ns.sub\n", &errs);
	assert_null(z);
	assert_string_equal(errs,
	    "t.zone:3: bad A record: Syntax error, could not parse the RR's "
	    "rdata\n"
	    "t.zone:4: unknown record type 'FOO'\n"
	    "t.zone:5: unknown pool 'nope'\n"
	    "t.zone:6: TTL '99999999999' out of range (maximum 2147483647)\n"
	    "t.zone:7: CNAME at 'c.mail.example.com.' beside other data (TXT "
	    "record at line 8)\n"
	    "t.zone:2: warning: name server 'ns1.mail.example.com.' is in the "
	    "zone but has no A/AAAA record\n"
	    "t.zone:9: delegation 'sub.mail.example.com.': name server "
	    "'ns.sub.mail.example.com.' has no glue A/AAAA record\n"
	    "t.zone:1: no SOA record at the zone apex 'mail.example.com.'\n");
	free(errs);
}

/* One host in two pools: fine with the same addresses, else an error. */
static void
test_shared_host(void **state)
{
	struct zone *z;
	char *errs = NULL;

	(void)state;
	deep_srv[0].host = "mx1";
	z = load_text(BASE "@ DYNMX inbound\nx DYNA deep\n", &errs);
	assert_null(z);
	assert_string_equal(errs, "t.zone:7: host 'mx1.mail.example.com.' of "
	    "server 'd1' in pool 'deep' (t.conf:40) is also the host of server "
	    "'mx1' in pool 'inbound' with other addresses\n");
	free(errs);
	errs = NULL;
	deep_srv[0].addrs = &ips[0];
	deep_srv[0].naddrs = 2;
	z = load_text(BASE "@ DYNMX inbound\nx DYNA deep\n", &errs);
	deep_srv[0].host = "mx.sub";
	deep_srv[0].addrs = &ips[6];
	deep_srv[0].naddrs = 1;
	assert_string_equal(errs, "");
	free(errs);
	assert_non_null(z);
	assert_ptr_equal(zone_pool_ref(z, 2)->server_node[0],
	    zone_pool_ref(z, 0)->server_node[0]);
	assert_int_equal(zone_rrset_find(zone_pool_ref(z, 2)->server_node[0],
	    ZONE_TYPE_A)->count, 1);
	zone_free(z);
}

static void
test_template_missing(void **state)
{
	struct zone *z;
	char *errs = NULL;
	size_t len;
	FILE *f;

	(void)state;
	cz.template = "missing.zone";
	f = open_memstream(&errs, &len);
	z = zone_load(&cf, &cz, f);
	fclose(f);
	cz.template = "t.zone";
	assert_null(z);
	assert_string_equal(errs, "t.conf:7: cannot open template "
	    "'missing.zone': No such file or directory\n");
	free(errs);
}

/* Errors in included files name that file; depth is limited. */
static void
test_include(void **state)
{
	struct zone *z;
	char *errs = NULL, name[32], text[64];
	int i;

	(void)state;
	(void)mkdir("incdir", 0700);
	write_file(NULL, "incdir/a.zone", "; a\n$INCLUDE b.zone\n");
	write_file(NULL, "incdir/b.zone", "www A 192.0.2.1\nbad A nope\n");
	z = load_text(BASE "$INCLUDE incdir/a.zone\n", &errs);
	assert_null(z);
	assert_string_equal(errs, "incdir/b.zone:2: bad A record: Syntax "
	    "error, could not parse the RR's rdata\n");
	free(errs);
	errs = NULL;
	write_file(NULL, "incdir/b.zone", "www A 192.0.2.1\n");
	z = load_text(BASE "$INCLUDE incdir/a.zone sub2\n", &errs);
	assert_string_equal(errs, "");
	free(errs);
	assert_non_null(z);
	assert_non_null(find(z, "www.sub2.mail.example.com."));
	zone_free(z);
	/* a loop through two files */
	errs = NULL;
	write_file(NULL, "incdir/b.zone", "$INCLUDE a.zone\n");
	z = load_text(BASE "$INCLUDE incdir/a.zone\n", &errs);
	assert_null(z);
	assert_string_equal(errs, "incdir/b.zone:1: $INCLUDE loop: "
	    "'incdir/a.zone' is already being read\n");
	free(errs);
	/* 10 nested levels are fine, 11 are not */
	for (i = 1; i <= 11; i++) {
		snprintf(name, sizeof(name), "l%d.zone", i);
		snprintf(text, sizeof(text), "l%d TXT \"x\"\n$INCLUDE l%d.zone\n",
		    i, i + 1);
		write_file(NULL, name, i == 11 ? "l11 TXT \"x\"\n" : text);
	}
	write_file(NULL, "l10.zone", "l10 TXT \"x\"\n");
	errs = NULL;
	z = load_text(BASE "$INCLUDE l1.zone\n", &errs);
	assert_string_equal(errs, "");
	free(errs);
	assert_non_null(z);
	assert_non_null(find(z, "l10.mail.example.com."));
	zone_free(z);
	write_file(NULL, "l10.zone", "l10 TXT \"x\"\n$INCLUDE l11.zone\n");
	errs = NULL;
	z = load_text(BASE "$INCLUDE l1.zone\n", &errs);
	assert_null(z);
	assert_string_equal(errs, "l10.zone:2: $INCLUDE nested too deeply "
	    "(limit 10)\n");
	free(errs);
}

/* A big zone loads quickly and the hash table stays sized. */
static void
test_large(void **state)
{
	struct zone *z;
	char *errs = NULL;
	FILE *f;
	int i;
	struct timespec t0, t1;

	(void)state;
	f = fopen("t.zone", "w");
	assert_non_null(f);
	fputs(BASE, f);
	for (i = 0; i < 100000; i++)
		fprintf(f, "h%d.g%d A 10.%d.%d.%d\n", i, i % 100,
		    (i >> 16) & 255, (i >> 8) & 255, i & 255);
	assert_int_equal(fclose(f), 0);
	f = open_memstream(&errs, &(size_t){ 0 });
	clock_gettime(CLOCK_MONOTONIC, &t0);
	z = zone_load(&cf, &cz, f);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fclose(f);
	assert_string_equal(errs, "");
	free(errs);
	assert_non_null(z);
	/* apex, ns1, 100 ENTs g0..g99, 100000 hosts */
	assert_int_equal(z->nnodes, 2 + 100 + 100000);
	assert_true(z->hmask + 1 >= 2 * z->nnodes);
	assert_int_equal(find(z, "g7.mail.example.com.")->flags, ZONE_NODE_ENT);
	assert_non_null(find(z, "h99999.g99.mail.example.com."));
	print_message("100000 records loaded in %.2f s\n",
	    (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	zone_free(z);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_serial_auto),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_all_errors),
		cmocka_unit_test(test_shared_host),
		cmocka_unit_test(test_template_missing),
		cmocka_unit_test(test_include),
		cmocka_unit_test(test_large),
	};

	log_init(LOG_LVL_ERR, 0, "test_zone");
	return cmocka_run_group_tests(tests, setup, teardown);
}
