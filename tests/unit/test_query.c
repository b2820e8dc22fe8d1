/* test_query.c - the query path: a real template compiled, crafted queries, responses checked with ldns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <ldns/ldns.h>
#include <urcu.h>

#include "dnsd/base/wire.h"
#include "dnsd/query.h"
#include "dnsd/world.h"
#include "probes/pstate.h"
#include "zones/zone.h"
#include "tests/unit/testutil.h"

static const char *zone_text =
    "$ORIGIN example.com.\n"
    "$TTL 3600\n"
    "@ SOA ns1 hostmaster 1 3600 600 86400 60\n"
    "@ NS ns1\n"
    "@ NS ns2.other.net.\n"
    "ns1 A 192.0.2.53\n"
    "ns1 AAAA 2001:db8::53\n"
    "@ MX 10 mail\n"
    "@ MX 20 mx.other.net.\n"
    "@ TXT \"v=spf1 -all\"\n"
    "mail 300 A 192.0.2.25\n"
    "mail AAAA 2001:db8::25\n"
    "www CNAME web\n"
    "web A 192.0.2.80\n"
    "chain1 CNAME chain2\n"
    "chain2 CNAME www\n"
    "loop1 CNAME loop2\n"
    "loop2 CNAME loop1\n"
    "dangling CNAME nothere\n"
    "ext CNAME www.other.net.\n"
    "towild CNAME x.wild\n"
    "a.b.c TXT \"deep\"\n"
    "*.wild TXT \"wild\"\n"
    "*.wild MX 10 mail\n"
    "*.wcname CNAME web\n"
    "*.c TXT \"c-wild\"\n"
    "sub NS ns.sub\n"
    "sub NS ns.other.net.\n"
    "ns.sub A 192.0.2.54\n"
    "ns.sub AAAA 2001:db8::54\n"
    "_sip._tcp SRV 0 5 5060 mail\n"
    "todeleg CNAME host.sub\n"
    "tocut CNAME sub\n"
    "sec NS ns1.other.net.\n"
    "sec DS 12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE\n"
    "ord TXT \"first\"\n"
    "ord MX 10 mail\n"
    "ord A 192.0.2.61\n"
    "bigsub NS ns1.bigsub\n"
    "ns1.bigsub A 192.0.2.1\n"
    "ns1.bigsub AAAA 2001:db8::1\n"
    "bigsub NS ns2.bigsub\n"
    "ns2.bigsub A 192.0.2.2\n"
    "ns2.bigsub AAAA 2001:db8::2\n"
    "bigsub NS ns3.bigsub\n"
    "ns3.bigsub A 192.0.2.3\n"
    "ns3.bigsub AAAA 2001:db8::3\n"
    "bigsub NS ns4.bigsub\n"
    "ns4.bigsub A 192.0.2.4\n"
    "ns4.bigsub AAAA 2001:db8::4\n"
    "bigsub NS ns5.bigsub\n"
    "ns5.bigsub A 192.0.2.5\n"
    "ns5.bigsub AAAA 2001:db8::5\n"
    "bigsub NS ns6.bigsub\n"
    "ns6.bigsub A 192.0.2.6\n"
    "ns6.bigsub AAAA 2001:db8::6\n"
    "bigsub NS ns7.bigsub\n"
    "ns7.bigsub A 192.0.2.7\n"
    "ns7.bigsub AAAA 2001:db8::7\n"
    "bigsub NS ns8.bigsub\n"
    "ns8.bigsub A 192.0.2.8\n"
    "ns8.bigsub AAAA 2001:db8::8\n"
    "bigsub NS ns9.bigsub\n"
    "ns9.bigsub A 192.0.2.9\n"
    "ns9.bigsub AAAA 2001:db8::9\n"
    "bigsub NS ns10.bigsub\n"
    "ns10.bigsub A 192.0.2.10\n"
    "ns10.bigsub AAAA 2001:db8::10\n"
    "bigsub NS ns11.bigsub\n"
    "ns11.bigsub A 192.0.2.11\n"
    "ns11.bigsub AAAA 2001:db8::11\n"
    "bigsub NS ns12.bigsub\n"
    "ns12.bigsub A 192.0.2.12\n"
    "ns12.bigsub AAAA 2001:db8::12\n"
    "dyn 30 DYNMX inbound\n"
    "mxalias CNAME dyn\n"
    "smtp 30 DYNA inbound\n"
    "big TXT \"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\"\n"
    "big TXT \"1123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\"\n"
    "big TXT \"2123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\"\n"
    "big TXT \"3123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\"\n"
    "big TXT \"4123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\"\n"
    "big TXT \"5123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\"\n"
    "manymx MX 10 a.manymx\n"
    "manymx MX 20 b.manymx\n"
    "manymx MX 30 c.manymx\n"
    "manymx MX 40 d.manymx\n"
    "a.manymx AAAA 2001:db8::1:1\n"
    "b.manymx AAAA 2001:db8::1:2\n"
    "c.manymx AAAA 2001:db8::1:3\n"
    "d.manymx AAAA 2001:db8::1:4\n"
    "a.manymx TXT \"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\"\n";

/* Pool "inbound" in a fixed order: failover, one server per tier, so the
 * dynamic answers list mx1 (preference 10), then mx2 (20). */
static const char *conf_text =
    "listen = [ \"127.0.0.1:5353\" ];\n"
    "version_bind = \"mxspread-test\";\n"
    "zones = ( { origin = \"example.com.\"; template = \"t.zone\"; } );\n"
    "pools = ( { name = \"inbound\"; policy = \"failover\";\n"
    "  servers = ( { name = \"mx1\"; address = [ \"192.0.2.11\", \"2001:db8::11\" ]; tier = 1; },\n"
    "              { name = \"mx2\"; address = [ \"192.0.2.12\" ]; tier = 2; } ); } );\n";

/* The same pool with the tiers reversed and other preferences: mx2 (5),
 * then mx1 (10). */
static const char *conf_reversed_text =
    "listen = [ \"127.0.0.1:5353\" ];\n"
    "zones = ( { origin = \"example.com.\"; template = \"t.zone\"; } );\n"
    "pools = ( { name = \"inbound\"; policy = \"failover\"; pref_base = 5; pref_step = 5;\n"
    "  servers = ( { name = \"mx1\"; address = [ \"192.0.2.11\", \"2001:db8::11\" ]; tier = 2; },\n"
    "              { name = \"mx2\"; address = [ \"192.0.2.12\" ]; tier = 1; } ); } );\n";

static struct world *W, *W_reversed;
static struct query_thread *T;
static char tmpdir[64];

static int
setup(void **state)
{
	char path[256];

	(void)state;
	rcu_register_thread();
	strcpy(tmpdir, "/tmp/mxs-query-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	write_file(tmpdir, "t.zone", zone_text);
	write_file(tmpdir, "t.conf", conf_text);
	write_file(tmpdir, "r.conf", conf_reversed_text);
	snprintf(path, sizeof(path), "%s/t.conf", tmpdir);
	W = world_load(path, stderr);
	snprintf(path, sizeof(path), "%s/r.conf", tmpdir);
	W_reversed = world_load(path, stderr);
	if (W == NULL || W_reversed == NULL)
		return -1;
	T = query_thread_new();
	return T == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char path[256];

	(void)state;
	query_thread_free(T);
	world_free(W);
	world_free(W_reversed);
	snprintf(path, sizeof(path), "%s/t.zone", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/t.conf", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/r.conf", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	rcu_unregister_thread();
	return 0;
}

/* Build a query with ldns (name as given, case kept). edns < 0: no OPT. */
static size_t
mkquery(uint8_t *buf, const char *name, uint16_t type, uint16_t class,
    int edns, uint8_t version, bool dobit)
{
	ldns_pkt *p = NULL;
	uint8_t *wire = NULL;
	size_t len = 0;

	assert_int_equal(ldns_pkt_query_new_frm_str(&p, name, type, class,
	    LDNS_RD), LDNS_STATUS_OK);
	ldns_pkt_set_id(p, 0x1234);
	if (edns >= 0) {
		ldns_pkt_set_edns_udp_size(p, (uint16_t)edns);
		ldns_pkt_set_edns_version(p, version);
		ldns_pkt_set_edns_do(p, dobit);
		ldns_pkt_set_edns_data(p, NULL);
		/* force an OPT even with all fields at their defaults */
		if (edns == 0)
			ldns_pkt_set_edns_udp_size(p, 512);
	}
	assert_int_equal(ldns_pkt2wire(&wire, p, &len), LDNS_STATUS_OK);
	memcpy(buf, wire, len);
	free(wire);
	ldns_pkt_free(p);
	return len;
}

static uint8_t resp[65536];
static size_t resp_len;

static ldns_pkt *
ask_world(const struct world *w, const char *name, uint16_t type,
    uint16_t class, int edns, uint8_t version, bool dobit, int transport)
{
	uint8_t q[600];
	size_t ql = mkquery(q, name, type, class, edns, version, dobit);
	ldns_pkt *p = NULL;

	resp_len = query_answer(w, T, q, ql, resp, sizeof(resp), transport);
	assert_true(resp_len > 0);
	if (transport == QUERY_UDP)
		assert_true(resp_len <= (edns > 512 ? (size_t)edns : 512));
	assert_int_equal(ldns_wire2pkt(&p, resp, resp_len), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt_id(p), 0x1234);
	assert_true(ldns_pkt_qr(p));
	assert_true(ldns_pkt_rd(p));
	assert_false(ldns_pkt_ra(p));
	return p;
}

static ldns_pkt *
ask_full(const char *name, uint16_t type, uint16_t class, int edns,
    uint8_t version, bool dobit, int transport)
{
	return ask_world(W, name, type, class, edns, version, dobit,
	    transport);
}

static ldns_pkt *
ask(const char *name, uint16_t type)
{
	return ask_full(name, type, LDNS_RR_CLASS_IN, -1, 0, false, QUERY_UDP);
}

static void
assert_counts(ldns_pkt *p, int rcode, bool aa, size_t an, size_t ns, size_t ar)
{
	assert_int_equal(ldns_pkt_get_rcode(p), rcode);
	assert_int_equal(ldns_pkt_aa(p), aa);
	assert_int_equal(ldns_pkt_ancount(p), an);
	assert_int_equal(ldns_pkt_nscount(p), ns);
	assert_int_equal(ldns_pkt_arcount(p), ar);
}

/* Presentation form of RR i of a section. */
static char *
rr_str(ldns_rr_list *l, size_t i)
{
	static char buf[1024];
	char *s;

	assert_true(i < ldns_rr_list_rr_count(l));
	s = ldns_rr2str(ldns_rr_list_rr(l, i));
	snprintf(buf, sizeof(buf), "%s", s);
	free(s);
	buf[strcspn(buf, "\n")] = 0;
	/* tabs to spaces for readable comparisons */
	for (char *c = buf; *c; c++)
		if (*c == '\t')
			*c = ' ';
	return buf;
}

static void
assert_rr(ldns_rr_list *l, size_t i, const char *want)
{
	assert_string_equal(rr_str(l, i), want);
}

static void
assert_negative_soa(ldns_pkt *p)
{
	ldns_rr *soa = ldns_rr_list_rr(ldns_pkt_authority(p), 0);

	assert_int_equal(ldns_rr_get_type(soa), LDNS_RR_TYPE_SOA);
	assert_int_equal(ldns_rr_ttl(soa), 60);
	assert_rr(ldns_pkt_authority(p), 0,
	    "example.com. 60 IN SOA ns1.example.com. hostmaster.example.com. "
	    "1 3600 600 86400 60");
}

static void
test_positive_a(void **state)
{
	ldns_pkt *p = ask("web.example.com.", LDNS_RR_TYPE_A);

	(void)state;
	assert_counts(p, LDNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_rr(ldns_pkt_answer(p), 0, "web.example.com. 3600 IN A 192.0.2.80");
	ldns_pkt_free(p);
}

static void
test_mx_additional(void **state)
{
	ldns_pkt *p = ask("example.com.", LDNS_RR_TYPE_MX);

	(void)state;
	assert_counts(p, LDNS_RCODE_NOERROR, true, 2, 0, 2);
	assert_rr(ldns_pkt_answer(p), 0, "example.com. 3600 IN MX 10 mail.example.com.");
	assert_rr(ldns_pkt_answer(p), 1, "example.com. 3600 IN MX 20 mx.other.net.");
	assert_rr(ldns_pkt_additional(p), 0, "mail.example.com. 300 IN A 192.0.2.25");
	assert_rr(ldns_pkt_additional(p), 1, "mail.example.com. 3600 IN AAAA 2001:db8::25");
	ldns_pkt_free(p);
}

static void
test_ns_apex(void **state)
{
	ldns_pkt *p = ask("example.com.", LDNS_RR_TYPE_NS);

	(void)state;
	assert_counts(p, LDNS_RCODE_NOERROR, true, 2, 0, 2);
	assert_rr(ldns_pkt_additional(p), 0, "ns1.example.com. 3600 IN A 192.0.2.53");
	ldns_pkt_free(p);
}

static void
test_srv_additional(void **state)
{
	ldns_pkt *p = ask("_sip._tcp.example.com.", LDNS_RR_TYPE_SRV);

	(void)state;
	assert_counts(p, LDNS_RCODE_NOERROR, true, 1, 0, 2);
	assert_rr(ldns_pkt_answer(p), 0,
	    "_sip._tcp.example.com. 3600 IN SRV 0 5 5060 mail.example.com.");
	ldns_pkt_free(p);
}

static void
test_nodata(void **state)
{
	ldns_pkt *p = ask("web.example.com.", LDNS_RR_TYPE_AAAA);

	(void)state;
	assert_counts(p, LDNS_RCODE_NOERROR, true, 0, 1, 0);
	assert_negative_soa(p);
	ldns_pkt_free(p);
}

static void
test_ent_nodata(void **state)
{
	ldns_pkt *p = ask("b.c.example.com.", LDNS_RR_TYPE_A);

	(void)state;
	assert_counts(p, LDNS_RCODE_NOERROR, true, 0, 1, 0);
	assert_negative_soa(p);
	ldns_pkt_free(p);
	/* the ENT b.c blocks the *.c wildcard for names below it */
	p = ask("x.b.c.example.com.", LDNS_RR_TYPE_TXT);
	assert_counts(p, LDNS_RCODE_NXDOMAIN, true, 0, 1, 0);
	ldns_pkt_free(p);
	/* but *.c answers for other children of c */
	p = ask("zz.c.example.com.", LDNS_RR_TYPE_TXT);
	assert_counts(p, LDNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_rr(ldns_pkt_answer(p), 0, "zz.c.example.com. 3600 IN TXT \"c-wild\"");
	ldns_pkt_free(p);
}

static void
test_nxdomain(void **state)
{
	ldns_pkt *p = ask("nope.example.com.", LDNS_RR_TYPE_A);

	(void)state;
	assert_counts(p, LDNS_RCODE_NXDOMAIN, true, 0, 1, 0);
	assert_negative_soa(p);
	ldns_pkt_free(p);
	p = ask("a.very.deep.nope.example.com.", LDNS_RR_TYPE_MX);
	assert_counts(p, LDNS_RCODE_NXDOMAIN, true, 0, 1, 0);
	assert_negative_soa(p);
	ldns_pkt_free(p);
}

static void
test_cname_chain(void **state)
{
	ldns_pkt *p = ask("chain1.example.com.", LDNS_RR_TYPE_A);

	(void)state;
	assert_counts(p, LDNS_RCODE_NOERROR, true, 4, 0, 0);
	assert_rr(ldns_pkt_answer(p), 0, "chain1.example.com. 3600 IN CNAME chain2.example.com.");
	assert_rr(ldns_pkt_answer(p), 1, "chain2.example.com. 3600 IN CNAME www.example.com.");
	assert_rr(ldns_pkt_answer(p), 2, "www.example.com. 3600 IN CNAME web.example.com.");
	assert_rr(ldns_pkt_answer(p), 3, "web.example.com. 3600 IN A 192.0.2.80");
	ldns_pkt_free(p);
	/* qtype CNAME: the CNAME only */
	p = ask("www.example.com.", LDNS_RR_TYPE_CNAME);
	assert_counts(p, LDNS_RCODE_NOERROR, true, 1, 0, 0);
	ldns_pkt_free(p);
	/* chain ending in NODATA: SOA in authority */
	p = ask("www.example.com.", LDNS_RR_TYPE_TXT);
	assert_counts(p, LDNS_RCODE_NOERROR, true, 1, 1, 0);
	assert_negative_soa(p);
	ldns_pkt_free(p);
	/* loop: stops, NOERROR */
	p = ask("loop1.example.com.", LDNS_RR_TYPE_A);
	assert_counts(p, LDNS_RCODE_NOERROR, true, 2, 0, 0);
	ldns_pkt_free(p);
	/* dangling in-zone target: NXDOMAIN */
	p = ask("dangling.example.com.", LDNS_RR_TYPE_A);
	assert_counts(p, LDNS_RCODE_NXDOMAIN, true, 1, 1, 0);
	assert_negative_soa(p);
	ldns_pkt_free(p);
	/* out of zone: the CNAME alone */
	p = ask("ext.example.com.", LDNS_RR_TYPE_A);
	assert_counts(p, LDNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_rr(ldns_pkt_answer(p), 0, "ext.example.com. 3600 IN CNAME www.other.net.");
	ldns_pkt_free(p);
	/* to a wildcard-synthesized target */
	p = ask("towild.example.com.", LDNS_RR_TYPE_TXT);
	assert_counts(p, LDNS_RCODE_NOERROR, true, 2, 0, 0);
	assert_rr(ldns_pkt_answer(p), 1, "x.wild.example.com. 3600 IN TXT \"wild\"");
	ldns_pkt_free(p);
}

static void
test_wildcard(void **state)
{
	ldns_pkt *p;

	(void)state;
	/* a much longer name than "*.wild": every pointer moves */
	p = ask("A.Much.Longer.Name.Under.Wild.example.com.", LDNS_RR_TYPE_MX);
	assert_counts(p, LDNS_RCODE_NOERROR, true, 1, 0, 2);
	assert_rr(ldns_pkt_answer(p), 0, "A.Much.Longer.Name.Under.Wild.example.com. "
	    "3600 IN MX 10 mail.example.com.");
	assert_rr(ldns_pkt_additional(p), 1, "mail.example.com. 3600 IN AAAA 2001:db8::25");
	ldns_pkt_free(p);
	p = ask("Some-Longer-Label.Wild.Example.COM.", LDNS_RR_TYPE_MX);
	assert_counts(p, LDNS_RCODE_NOERROR, true, 1, 0, 2);
	assert_rr(ldns_pkt_answer(p), 0,
	    "Some-Longer-Label.Wild.Example.COM. 3600 IN MX 10 mail.Example.COM.");
	assert_rr(ldns_pkt_additional(p), 0, "mail.Example.COM. 300 IN A 192.0.2.25");
	assert_rr(ldns_pkt_additional(p), 1, "mail.Example.COM. 3600 IN AAAA 2001:db8::25");
	ldns_pkt_free(p);
	p = ask("x.wild.example.com.", LDNS_RR_TYPE_TXT);
	assert_counts(p, LDNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_rr(ldns_pkt_answer(p), 0, "x.wild.example.com. 3600 IN TXT \"wild\"");
	ldns_pkt_free(p);
	/* NODATA at the wildcard */
	p = ask("foo.wild.example.com.", LDNS_RR_TYPE_AAAA);
	assert_counts(p, LDNS_RCODE_NOERROR, true, 0, 1, 0);
	assert_negative_soa(p);
	ldns_pkt_free(p);
	/* CNAME at the wildcard, followed */
	p = ask("anything-here.wcname.example.com.", LDNS_RR_TYPE_A);
	assert_counts(p, LDNS_RCODE_NOERROR, true, 2, 0, 0);
	assert_rr(ldns_pkt_answer(p), 0,
	    "anything-here.wcname.example.com. 3600 IN CNAME web.example.com.");
	assert_rr(ldns_pkt_answer(p), 1, "web.example.com. 3600 IN A 192.0.2.80");
	ldns_pkt_free(p);
	/* the wildcard name itself */
	p = ask("*.wild.example.com.", LDNS_RR_TYPE_TXT);
	assert_counts(p, LDNS_RCODE_NOERROR, true, 1, 0, 0);
	ldns_pkt_free(p);
	/* the closest encloser "wild" exists: "a.b.wild" has CE wild? no, CE is wild
	 * only for direct children; deeper names below an absent child also match */
	p = ask("a.b.wild.example.com.", LDNS_RR_TYPE_TXT);
	assert_counts(p, LDNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_rr(ldns_pkt_answer(p), 0, "a.b.wild.example.com. 3600 IN TXT \"wild\"");
	ldns_pkt_free(p);
}

static void
test_referral(void **state)
{
	ldns_pkt *p = ask("host.deep.sub.example.com.", LDNS_RR_TYPE_A);

	(void)state;
	assert_counts(p, LDNS_RCODE_NOERROR, false, 0, 2, 2);
	assert_rr(ldns_pkt_authority(p), 0, "sub.example.com. 3600 IN NS ns.sub.example.com.");
	assert_rr(ldns_pkt_authority(p), 1, "sub.example.com. 3600 IN NS ns.other.net.");
	assert_rr(ldns_pkt_additional(p), 0, "ns.sub.example.com. 3600 IN A 192.0.2.54");
	assert_rr(ldns_pkt_additional(p), 1, "ns.sub.example.com. 3600 IN AAAA 2001:db8::54");
	ldns_pkt_free(p);
	/* the cut itself, and the glue name */
	p = ask("sub.example.com.", LDNS_RR_TYPE_A);
	assert_counts(p, LDNS_RCODE_NOERROR, false, 0, 2, 2);
	ldns_pkt_free(p);
	p = ask("ns.sub.example.com.", LDNS_RR_TYPE_A);
	assert_counts(p, LDNS_RCODE_NOERROR, false, 0, 2, 2);
	ldns_pkt_free(p);
	/* required glue does not fit 512: TC (RFC 9471); fits with EDNS */
	p = ask("www.bigsub.example.com.", LDNS_RR_TYPE_A);
	assert_true(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_nscount(p), 0);
	ldns_pkt_free(p);
	p = ask_full("www.bigsub.example.com.", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN,
	    1232, 0, false, QUERY_UDP);
	assert_false(ldns_pkt_tc(p));
	assert_counts(p, LDNS_RCODE_NOERROR, false, 0, 12, 24);	/* OPT not counted by ldns */
	ldns_pkt_free(p);
	/* DS at the cut: parent side, NODATA */
	p = ask("sub.example.com.", LDNS_RR_TYPE_DS);
	assert_counts(p, LDNS_RCODE_NOERROR, true, 0, 1, 0);
	assert_negative_soa(p);
	ldns_pkt_free(p);
}

static void
test_refused(void **state)
{
	ldns_pkt *p = ask("www.example.org.", LDNS_RR_TYPE_A);

	(void)state;
	assert_counts(p, LDNS_RCODE_REFUSED, false, 0, 0, 0);
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	ldns_pkt_free(p);
	p = ask("notexample.com.", LDNS_RR_TYPE_A);
	assert_counts(p, LDNS_RCODE_REFUSED, false, 0, 0, 0);
	ldns_pkt_free(p);
	/* no zone transfers: AXFR over UDP NOTIMP, apex REFUSED, other
	 * names NOTAUTH (as NSD) */
	p = ask("example.com.", LDNS_RR_TYPE_AXFR);
	assert_counts(p, LDNS_RCODE_NOTIMPL, false, 0, 0, 0);
	ldns_pkt_free(p);
	p = ask_full("example.com.", LDNS_RR_TYPE_AXFR, LDNS_RR_CLASS_IN, -1, 0,
	    false, QUERY_TCP);
	assert_counts(p, LDNS_RCODE_REFUSED, false, 0, 0, 0);
	ldns_pkt_free(p);
	p = ask("example.com.", LDNS_RR_TYPE_IXFR);
	assert_counts(p, LDNS_RCODE_REFUSED, false, 0, 0, 0);
	ldns_pkt_free(p);
	p = ask_full("web.example.com.", LDNS_RR_TYPE_AXFR, LDNS_RR_CLASS_IN, -1,
	    0, false, QUERY_TCP);
	assert_counts(p, LDNS_RCODE_NOTAUTH, false, 0, 0, 0);
	ldns_pkt_free(p);
	p = ask("www.example.org.", LDNS_RR_TYPE_IXFR);
	assert_counts(p, LDNS_RCODE_NOTAUTH, false, 0, 0, 0);
	ldns_pkt_free(p);
	p = ask_full("example.com.", LDNS_RR_TYPE_A, LDNS_RR_CLASS_HS, -1, 0,
	    false, QUERY_UDP);
	assert_counts(p, LDNS_RCODE_REFUSED, false, 0, 0, 0);
	ldns_pkt_free(p);
	/* class ANY is answered as IN */
	p = ask_full("web.example.com.", LDNS_RR_TYPE_A, LDNS_RR_CLASS_ANY, -1,
	    0, false, QUERY_UDP);
	assert_counts(p, LDNS_RCODE_NOERROR, true, 1, 0, 0);
	ldns_pkt_free(p);
}

static void
test_chaos(void **state)
{
	ldns_pkt *p = ask_full("VERSION.bind.", LDNS_RR_TYPE_TXT,
	    LDNS_RR_CLASS_CH, -1, 0, false, QUERY_UDP);

	(void)state;
	assert_counts(p, LDNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_rr(ldns_pkt_answer(p), 0, "VERSION.bind. 0 CH TXT \"mxspread-test\"");
	ldns_pkt_free(p);
	/* id.server not configured */
	p = ask_full("id.server.", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH, -1, 0,
	    false, QUERY_UDP);
	assert_counts(p, LDNS_RCODE_REFUSED, false, 0, 0, 0);
	ldns_pkt_free(p);
}

static void
test_edns(void **state)
{
	ldns_pkt *p = ask_full("web.example.com.", LDNS_RR_TYPE_A,
	    LDNS_RR_CLASS_IN, 4096, 0, true, QUERY_UDP);

	(void)state;
	assert_counts(p, LDNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_int_equal(ldns_pkt_edns_udp_size(p), 1232);
	assert_int_equal(ldns_pkt_edns_version(p), 0);
	assert_true(ldns_pkt_edns_do(p));
	ldns_pkt_free(p);
	p = ask_full("web.example.com.", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, 1232,
	    0, false, QUERY_UDP);
	assert_false(ldns_pkt_edns_do(p));
	assert_true(ldns_pkt_edns(p));
	ldns_pkt_free(p);
	/* BADVERS: extended rcode 16, no records, OPT version 0 */
	p = ask_full("web.example.com.", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, 1232,
	    1, false, QUERY_UDP);
	assert_int_equal(ldns_pkt_get_rcode(p), 0);
	assert_int_equal(ldns_pkt_edns_extended_rcode(p), 1);
	assert_int_equal(ldns_pkt_edns_version(p), 0);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	ldns_pkt_free(p);
}

static void
test_truncation(void **state)
{
	ldns_pkt *p;

	(void)state;
	/* 6 x ~115 bytes of TXT: over 512 */
	p = ask("big.example.com.", LDNS_RR_TYPE_TXT);
	assert_true(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_true(resp_len <= 512);
	ldns_pkt_free(p);
	/* fits with EDNS */
	p = ask_full("big.example.com.", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_IN,
	    1232, 0, false, QUERY_UDP);
	assert_false(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 6);
	ldns_pkt_free(p);
	/* over TCP */
	p = ask_full("big.example.com.", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_IN,
	    -1, 0, false, QUERY_TCP);
	assert_false(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 6);
	ldns_pkt_free(p);
	/* client size below 512 counts as 512; OPT still there */
	p = ask_full("big.example.com.", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_IN,
	    100, 0, false, QUERY_UDP);
	assert_true(ldns_pkt_tc(p));
	assert_true(ldns_pkt_edns(p));
	assert_true(resp_len <= 512);
	ldns_pkt_free(p);
}

static void
test_additional_dropped(void **state)
{
	/* 4 MX fit in 512, their 4 AAAA do not all fit: dropped, no TC */
	uint8_t q[600];
	size_t ql;
	ldns_pkt *p;
	char name[300];

	(void)state;
	p = ask("manymx.example.com.", LDNS_RR_TYPE_MX);
	assert_false(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 4);
	assert_int_equal(ldns_pkt_arcount(p), 4);
	ldns_pkt_free(p);
	/* a long qname makes the whole thing bigger than 512 */
	snprintf(name, sizeof(name), "manymx.example.com.");
	ql = mkquery(q, name, LDNS_RR_TYPE_MX, LDNS_RR_CLASS_IN, -1, 0, false);
	(void)ql;
	p = ask_full("manymx.example.com.", LDNS_RR_TYPE_MX, LDNS_RR_CLASS_IN,
	    -1, 0, false, QUERY_TCP);
	assert_int_equal(ldns_pkt_arcount(p), 4);
	ldns_pkt_free(p);
}

static void
test_case_preserved(void **state)
{
	ldns_pkt *p = ask("MaIl.ExAmPlE.CoM.", LDNS_RR_TYPE_A);
	ldns_rr *qr;
	char *s;

	(void)state;
	assert_counts(p, LDNS_RCODE_NOERROR, true, 1, 0, 0);
	qr = ldns_rr_list_rr(ldns_pkt_question(p), 0);
	s = ldns_rdf2str(ldns_rr_owner(qr));
	assert_string_equal(s, "MaIl.ExAmPlE.CoM.");
	free(s);
	/* the answer owner is compressed to the question */
	assert_int_equal(resp[12 + 18 + 4], 0xC0);
	assert_int_equal(resp[12 + 18 + 5], 0x0C);
	ldns_pkt_free(p);
}

/* RFC 1034 4.3.2 step 3b: a CNAME into a delegation is followed by the
 * referral (NS in authority, glue in additional), AA kept as NSD/Knot. */
static void
test_cname_to_delegation(void **state)
{
	ldns_pkt *p = ask("todeleg.example.com.", LDNS_RR_TYPE_A);

	(void)state;
	assert_counts(p, LDNS_RCODE_NOERROR, true, 1, 2, 2);
	assert_rr(ldns_pkt_answer(p), 0,
	    "todeleg.example.com. 3600 IN CNAME host.sub.example.com.");
	assert_rr(ldns_pkt_authority(p), 0,
	    "sub.example.com. 3600 IN NS ns.sub.example.com.");
	assert_rr(ldns_pkt_authority(p), 1,
	    "sub.example.com. 3600 IN NS ns.other.net.");
	assert_rr(ldns_pkt_additional(p), 0,
	    "ns.sub.example.com. 3600 IN A 192.0.2.54");
	ldns_pkt_free(p);
	/* to the cut itself: the same, except DS answered by the parent */
	p = ask("ToCut.example.com.", LDNS_RR_TYPE_MX);
	assert_counts(p, LDNS_RCODE_NOERROR, true, 1, 2, 2);
	ldns_pkt_free(p);
	p = ask("tocut.example.com.", LDNS_RR_TYPE_DS);
	assert_counts(p, LDNS_RCODE_NOERROR, true, 1, 1, 0);
	assert_negative_soa(p);
	ldns_pkt_free(p);
}

/* DS at a cut is the parent's data: answered when present (RFC 4035
 * 3.1.4.1), AA=1; below the cut it is a referral. */
static void
test_ds_at_cut(void **state)
{
	ldns_pkt *p = ask("Sec.example.com.", LDNS_RR_TYPE_DS);

	(void)state;
	assert_counts(p, LDNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_answer(p), 0)),
	    LDNS_RR_TYPE_DS);
	ldns_pkt_free(p);
	p = ask("x.sec.example.com.", LDNS_RR_TYPE_DS);
	assert_counts(p, LDNS_RCODE_NOERROR, false, 0, 1, 0);
	ldns_pkt_free(p);
	p = ask("sec.example.com.", LDNS_RR_TYPE_A);
	assert_counts(p, LDNS_RCODE_NOERROR, false, 0, 1, 0);
	ldns_pkt_free(p);
}

/* TYPE0 is an ordinary unknown type: a CNAME is followed (as NSD). */
static ldns_pkt *
ask_type0(const char *name)
{
	uint8_t q[600];
	size_t ql = mkquery(q, name, LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, -1, 0,
	    false);
	ldns_pkt *p = NULL;

	q[ql - 3] = 0;	/* ldns turns type 0 into A: patch the qtype */
	resp_len = query_answer(W, T, q, ql, resp, sizeof(resp), QUERY_UDP);
	assert_true(resp_len > 0);
	assert_int_equal(ldns_wire2pkt(&p, resp, resp_len), LDNS_STATUS_OK);
	return p;
}

static void
test_type0(void **state)
{
	ldns_pkt *p = ask_type0("www.example.com.");

	(void)state;
	assert_counts(p, LDNS_RCODE_NOERROR, true, 1, 1, 0);
	assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_answer(p), 0)),
	    LDNS_RR_TYPE_CNAME);
	ldns_pkt_free(p);
	p = ask_type0("web.example.com.");
	assert_counts(p, LDNS_RCODE_NOERROR, true, 0, 1, 0);
	ldns_pkt_free(p);
}

/* Out of zone with EDNS: REFUSED with EDE 20 (RFC 8914), as NSD and Knot;
 * the CD bit is not copied (not a security-aware server, as NSD/Knot). */
static void
test_refused_ede_cd(void **state)
{
	uint8_t q[600];
	size_t ql = mkquery(q, "www.example.org.", LDNS_RR_TYPE_A,
	    LDNS_RR_CLASS_IN, 1232, 0, false), n;
	const uint8_t *o;

	(void)state;
	q[3] |= 0x10;	/* CD */
	n = query_answer(W, T, q, ql, resp, sizeof(resp), QUERY_UDP);
	assert_true(n == ql + 6);
	assert_int_equal(resp[3] & 0x0F, LDNS_RCODE_REFUSED);
	assert_int_equal(resp[3] & 0x10, 0);
	o = resp + n - 17;	/* OPT: root, type, size, ttl, rdlen, option */
	assert_int_equal(o[1] << 8 | o[2], 41);
	assert_int_equal(o[9] << 8 | o[10], 6);
	assert_int_equal(o[11] << 8 | o[12], 15);
	assert_int_equal(o[13] << 8 | o[14], 2);
	assert_int_equal(o[15] << 8 | o[16], 20);
	/* in zone: no EDE, CD not copied either */
	ql = mkquery(q, "web.example.com.", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN,
	    1232, 0, false);
	q[3] |= 0x10;
	n = query_answer(W, T, q, ql, resp, sizeof(resp), QUERY_UDP);
	assert_int_equal(resp[3], 0x00);	/* NOERROR, no CD, no RA */
	assert_int_equal(resp[n - 2] << 8 | resp[n - 1], 0);	/* OPT rdlen */
}

static void
test_any(void **state)
{
	ldns_pkt *p = ask("example.com.", LDNS_RR_TYPE_ANY);

	(void)state;
	assert_counts(p, LDNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_answer(p), 0)),
	    LDNS_RR_TYPE_SOA);
	ldns_pkt_free(p);
	p = ask("mail.example.com.", LDNS_RR_TYPE_ANY);
	assert_counts(p, LDNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_answer(p), 0)),
	    LDNS_RR_TYPE_A);
	ldns_pkt_free(p);
	p = ask("b.c.example.com.", LDNS_RR_TYPE_ANY);
	assert_counts(p, LDNS_RCODE_NOERROR, true, 0, 1, 0);
	ldns_pkt_free(p);
	/* NSD's choice: first of A AAAA SOA MX PTR in template order */
	p = ask("ord.example.com.", LDNS_RR_TYPE_ANY);
	assert_int_equal(ldns_pkt_ancount(p), 1);
	assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_answer(p), 0)),
	    LDNS_RR_TYPE_MX);
	ldns_pkt_free(p);
	p = ask("_sip._tcp.example.com.", LDNS_RR_TYPE_ANY);
	assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_answer(p), 0)),
	    LDNS_RR_TYPE_SRV);
	ldns_pkt_free(p);
	p = ask("www.example.com.", LDNS_RR_TYPE_ANY);
	assert_counts(p, LDNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_answer(p), 0)),
	    LDNS_RR_TYPE_CNAME);
	ldns_pkt_free(p);
}

/* The answers follow the pool's order and preferences: the same zone with
 * the tiers reversed and pref_base/pref_step 5. */
static void
test_dynamic_order(void **state)
{
	ldns_pkt *p;

	(void)state;
	p = ask_world(W_reversed, "Dyn.Example.com.", LDNS_RR_TYPE_MX,
	    LDNS_RR_CLASS_IN, -1, 0, false, QUERY_UDP);
	assert_counts(p, LDNS_RCODE_NOERROR, true, 2, 0, 3);
	assert_rr(ldns_pkt_answer(p), 0, "Dyn.Example.com. 30 IN MX 5 mx2.Example.com.");
	assert_rr(ldns_pkt_answer(p), 1, "Dyn.Example.com. 30 IN MX 10 mx1.Example.com.");
	assert_rr(ldns_pkt_additional(p), 0, "mx2.Example.com. 30 IN A 192.0.2.12");
	assert_rr(ldns_pkt_additional(p), 1, "mx1.Example.com. 30 IN A 192.0.2.11");
	assert_rr(ldns_pkt_additional(p), 2, "mx1.Example.com. 30 IN AAAA 2001:db8::11");
	ldns_pkt_free(p);
	p = ask_world(W_reversed, "smtp.example.com.", LDNS_RR_TYPE_A,
	    LDNS_RR_CLASS_IN, -1, 0, false, QUERY_UDP);
	assert_rr(ldns_pkt_answer(p), 0, "smtp.example.com. 30 IN A 192.0.2.12");
	ldns_pkt_free(p);
}

static void
test_dynamic(void **state)
{
	ldns_pkt *p;

	(void)state;
	p = ask("DYN.example.com.", LDNS_RR_TYPE_MX);
	assert_counts(p, LDNS_RCODE_NOERROR, true, 2, 0, 3);
	assert_rr(ldns_pkt_answer(p), 0, "DYN.example.com. 30 IN MX 10 mx1.example.com.");
	assert_rr(ldns_pkt_answer(p), 1, "DYN.example.com. 30 IN MX 20 mx2.example.com.");
	assert_rr(ldns_pkt_additional(p), 0, "mx1.example.com. 30 IN A 192.0.2.11");
	assert_rr(ldns_pkt_additional(p), 1, "mx1.example.com. 30 IN AAAA 2001:db8::11");
	assert_rr(ldns_pkt_additional(p), 2, "mx2.example.com. 30 IN A 192.0.2.12");
	ldns_pkt_free(p);
	/* through a CNAME: the general path */
	p = ask("MXalias.example.com.", LDNS_RR_TYPE_MX);
	assert_counts(p, LDNS_RCODE_NOERROR, true, 3, 0, 3);
	assert_rr(ldns_pkt_answer(p), 0, "MXalias.example.com. 3600 IN CNAME dyn.example.com.");
	assert_rr(ldns_pkt_answer(p), 1, "dyn.example.com. 30 IN MX 10 mx1.example.com.");
	assert_rr(ldns_pkt_answer(p), 2, "dyn.example.com. 30 IN MX 20 mx2.example.com.");
	assert_rr(ldns_pkt_additional(p), 0, "mx1.example.com. 30 IN A 192.0.2.11");
	assert_rr(ldns_pkt_additional(p), 1, "mx1.example.com. 30 IN AAAA 2001:db8::11");
	assert_rr(ldns_pkt_additional(p), 2, "mx2.example.com. 30 IN A 192.0.2.12");
	ldns_pkt_free(p);
	p = ask("smtp.example.com.", LDNS_RR_TYPE_A);
	assert_counts(p, LDNS_RCODE_NOERROR, true, 2, 0, 0);
	assert_rr(ldns_pkt_answer(p), 0, "smtp.example.com. 30 IN A 192.0.2.11");
	assert_rr(ldns_pkt_answer(p), 1, "smtp.example.com. 30 IN A 192.0.2.12");
	ldns_pkt_free(p);
	p = ask("smtp.example.com.", LDNS_RR_TYPE_AAAA);
	assert_counts(p, LDNS_RCODE_NOERROR, true, 1, 0, 0);
	ldns_pkt_free(p);
	p = ask("smtp.example.com.", LDNS_RR_TYPE_TXT);
	assert_counts(p, LDNS_RCODE_NOERROR, true, 0, 1, 0);
	ldns_pkt_free(p);
	/* server names answer statically */
	p = ask("mx2.example.com.", LDNS_RR_TYPE_A);
	assert_counts(p, LDNS_RCODE_NOERROR, true, 1, 0, 0);
	ldns_pkt_free(p);
}

static void
test_errors(void **state)
{
	uint8_t q[600];
	size_t ql = mkquery(q, "web.example.com.", LDNS_RR_TYPE_A,
	    LDNS_RR_CLASS_IN, -1, 0, false);
	ldns_pkt *p = NULL;
	size_t n;

	(void)state;
	/* QR set: nothing */
	q[2] |= 0x80;
	assert_int_equal(query_answer(W, T, q, ql, resp, sizeof(resp),
	    QUERY_UDP), 0);
	q[2] &= 0x7F;
	/* short: nothing */
	assert_int_equal(query_answer(W, T, q, 11, resp, sizeof(resp),
	    QUERY_UDP), 0);
	/* opcode STATUS: NOTIMP with the question */
	q[2] |= 2 << 3;
	n = query_answer(W, T, q, ql, resp, sizeof(resp), QUERY_UDP);
	assert_int_equal(ldns_wire2pkt(&p, resp, n), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOTIMPL);
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	assert_int_equal(ldns_pkt_get_opcode(p), LDNS_PACKET_STATUS);
	ldns_pkt_free(p);
	q[2] &= (uint8_t)~(0xF << 3);
	/* trailing garbage: FORMERR */
	q[ql] = 0;
	n = query_answer(W, T, q, ql + 1, resp, sizeof(resp), QUERY_UDP);
	assert_int_equal(ldns_wire2pkt(&p, resp, n), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_FORMERR);
	ldns_pkt_free(p);
}

/* Mutated queries: never a crash, every response parses and fits. */
static void
test_mutations(void **state)
{
	static const char *names[] = { "web.example.com.", "x.y.wild.example.com.",
	    "chain1.example.com.", "a.b.sub.example.com.", "nope.example.com.",
	    "example.com.", "dyn.example.com.", "big.example.com.",
	    "Q.wcname.example.com.", "manymx.example.com." };
	static const uint16_t types[] = { LDNS_RR_TYPE_A, LDNS_RR_TYPE_MX,
	    LDNS_RR_TYPE_TXT, LDNS_RR_TYPE_AAAA, LDNS_RR_TYPE_ANY };
	uint64_t x = 0x9E3779B97F4A7C15ULL;
	uint8_t q[600];

	(void)state;
	for (int it = 0; it < 40000; it++) {
		size_t ql, n, limit;
		ldns_pkt *p = NULL;
		int transport;

		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		ql = mkquery(q, names[x % 10], types[(x >> 8) % 5],
		    LDNS_RR_CLASS_IN, (x >> 16) % 3 == 0 ? -1 :
		    (int)((x >> 20) % 2000), 0, (x >> 32) & 1);
		/* flip 0..3 bytes, maybe cut or extend */
		for (unsigned k = 0; k < ((x >> 40) & 3); k++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			q[x % ql] ^= (uint8_t)(x >> 24);
		}
		if (((x >> 50) & 7) == 0)
			ql = (x >> 53) % (ql + 1);
		q[2] &= 0x7F;	/* keep QR clear most of the time */
		transport = (x >> 60) & 1 ? QUERY_TCP : QUERY_UDP;
		n = query_answer(W, T, q, ql, resp, sizeof(resp), transport);
		if (n == 0)
			continue;
		limit = transport == QUERY_TCP ? 65535 : 4096;
		assert_true(n <= limit);
		if (ldns_wire2pkt(&p, resp, n) != LDNS_STATUS_OK)
			fail_msg("iteration %d: unparseable response", it);
		ldns_pkt_free(p);
	}
}

static void
test_stats(void **state)
{
	struct query_stats s;

	(void)state;
	query_stats_sum(&s);
	assert_true(s.queries > 20);
	assert_true(s.by_rcode[LDNS_RCODE_NXDOMAIN] > 0);
	assert_true(s.dropped >= 2);
	assert_true(s.truncated >= 1);
	/* DYNMX/DYNA answers each listed one server of pool 0 first */
	assert_true(query_first_pref(0, 0) + query_first_pref(0, 1) >= 4);
	assert_int_equal(query_first_pref(99, 0), 0);
}

/*
 * Fast paths of dynamic answers (DYNMX at the qname, DYNA) against the
 * general path: the same bytes for the same policy RNG seed, over pools of
 * every policy, server states, all_down modes, ttl_degraded, truncation,
 * owners at and away from the qname (CNAME, wildcard), every transport.
 */

static const char *eq_zone_head =
    "$ORIGIN example.net.\n"
    "$TTL 3600\n"
    "@ SOA ns1 hostmaster 1 3600 600 86400 60\n"
    "@ NS ns1\n"
    "ns1 A 192.0.2.53\n"
    "dyn 30 DYNMX inbound\n"
    "smtp 30 DYNA inbound\n"
    "aalias CNAME smtp\n"
    "mxalias CNAME dyn\n"
    "*.wdyn 30 DYNA inbound\n"
    "*.wmx 30 DYNMX inbound\n"
    "big 300 DYNMX big\n"
    "biga 300 DYNA big\n"
    "rdyn 60 DYNMX relayp\n"
    "rsmtp 60 DYNA relayp\n"
    "_sub._tcp 30 DYNSRV inbound 587\n"
    "srvalias CNAME _sub._tcp\n"
    "*.wsrv 30 DYNSRV inbound 25\n"
    "bigsrv 300 DYNSRV big 465\n"
    "_rel._tcp 60 DYNSRV relayp 993\n";

static void
eq_conf(char *buf, size_t sz)
{
	size_t n;

	n = (size_t)snprintf(buf, sz,
	    "listen = [ \"127.0.0.1:5353\" ];\n"
	    "zones = ( { origin = \"example.net.\"; template = \"t.zone\"; } );\n"
	    "pools = ( { name = \"inbound\"; policy = \"weighted\"; max_addrs = 3;\n"
	    "  ttl_degraded = 10; all_down = \"all\";\n"
	    "  servers = ( { name = \"mx1\"; address = [ \"192.0.2.11\", \"2001:db8::11\" ]; weight = 3; },\n"
	    "              { name = \"mx2\"; address = [ \"192.0.2.12\" ]; weight = 2; },\n"
	    "              { name = \"mx3\"; address = [ \"2001:db8::13\", \"2001:db8::14\", \"192.0.2.13\" ]; },\n"
	    "              { name = \"mx4\"; host = \"mx4.other.org.\"; address = [ \"192.0.2.14\" ]; } ); },\n"
	    "  { name = \"relayp\"; policy = \"failover\"; relay_host = \"relay.other.org.\";\n"
	    "  all_down = \"relay\"; ttl_degraded = 5; max_mx = 2;\n"
	    "  servers = ( { name = \"r1\"; address = [ \"192.0.2.21\" ]; tier = 1; },\n"
	    "              { name = \"r2\"; address = [ \"192.0.2.22\", \"2001:db8::22\" ]; tier = 2; },\n"
	    "              { name = \"r3\"; address = [ \"2001:db8::23\" ]; tier = 2; } ); },\n"
	    "  { name = \"big\"; policy = \"equal\"; max_mx = 40; max_addrs = 64;\n"
	    "  servers = (\n");
	for (int i = 0; i < 40 && n < sz; i++)
		n += (size_t)snprintf(buf + n, sz - n,
		    "    { name = \"server-with-a-rather-long-name-%02d\"; address = "
		    "[ \"192.0.2.%d\", \"2001:db8::%x\", \"2001:db8::1:%x\" ]; }%s\n",
		    i, 100 + i, i + 1, i + 1, i < 39 ? "," : "");
	if (n < sz)
		snprintf(buf + n, sz - n, "  ); } );\n");
}

/* States of the servers of every pool: 0 up, 1 first down, 2 first drained,
 * 3 all down, 4 all drained, 5 every other one down. */
static void
eq_publish(const struct conf *conf, int mode)
{
	struct pstate *ps = pstate_new(conf);

	assert_non_null(ps);
	for (size_t p = 0; p < ps->npools; p++) {
		struct pstate_pool *pp = &ps->pools[p];

		for (size_t i = 0; i < pp->nservers; i++) {
			struct pstate_server *sv = &pp->servers[i];

			if ((mode == 1 && i == 0) || mode == 3 ||
			    (mode == 5 && i % 2 == 1))
				sv->up = false;
			if ((mode == 2 && i == 0) || mode == 4)
				sv->admin = PSTATE_ADMIN_DRAIN;
		}
		pstate_pool_update(pp, &conf->pools[p]);
	}
	pstate_publish(ps);
}

static uint64_t
eq_first_total(const struct conf *conf)
{
	uint64_t sum = 0;

	for (size_t p = 0; p < conf->npools; p++)
		for (size_t i = 0; i < conf->pools[p].nservers; i++)
			sum += query_first_pref(p, i);
	return sum;
}

static void
test_dynamic_fast_equal(void **state)
{
	static const char *names[] = { "dyn.example.net.", "DYN.Example.NET.",
	    "smtp.example.net.", "SMTP.example.net.", "aalias.example.net.",
	    "mxalias.example.net.", "x.wdyn.example.net.", "Y.Z.wdyn.example.net.",
	    "a.wmx.example.net.", "big.example.net.", "biga.example.net.",
	    "rdyn.example.net.", "rsmtp.example.net.",
	    /* DYNSRV names (NSRV0 on), asked for SRV only */
	    "_sub._tcp.example.net.", "_SUB._Tcp.example.NET.",
	    "srvalias.example.net.", "x.wsrv.example.net.",
	    "bigsrv.example.net.", "_rel._tcp.example.net." };
	enum { NSRV0 = 13 };
	static const uint16_t types[] = { LDNS_RR_TYPE_MX, LDNS_RR_TYPE_A,
	    LDNS_RR_TYPE_AAAA, LDNS_RR_TYPE_SRV };
	static const int edns[] = { -1, 0, 1232, 4096 };
	static uint8_t r1[65536], r2[65536];
	char dir[64], path[256], *conf = malloc(32768);
	struct world *w;
	struct query_thread *t;
	size_t nq = 0, ntc = 0, nan = 0, ndeg = 0;

	(void)state;
	assert_non_null(conf);
	strcpy(dir, "/tmp/mxs-query-eq-XXXXXX");
	assert_non_null(mkdtemp(dir));
	write_file(dir, "t.zone", eq_zone_head);
	eq_conf(conf, 32768);
	write_file(dir, "t.conf", conf);
	free(conf);
	snprintf(path, sizeof(path), "%s/t.conf", dir);
	w = world_load(path, stderr);
	assert_non_null(w);
	t = query_thread_new();
	assert_non_null(t);
	for (int mode = 0; mode < 6; mode++) {
		eq_publish(w->conf, mode);
		for (size_t ni = 0; ni < sizeof(names) / sizeof(names[0]); ni++)
		for (size_t ti = 0; ti < sizeof(types) / sizeof(types[0]); ti++)
		for (size_t ei = 0; ei < sizeof(edns) / sizeof(edns[0]); ei++)
		for (int tr = QUERY_UDP; tr <= QUERY_TCP; tr++)
		for (uint64_t seed = 1; seed <= 3; seed++) {
			uint8_t q[600];
			size_t ql;
			uint64_t f0 = eq_first_total(w->conf), f1, f2;
			size_t l1, l2;

			if ((types[ti] == LDNS_RR_TYPE_SRV) != (ni >= NSRV0))
				continue;
			ql = mkquery(q, names[ni], types[ti], LDNS_RR_CLASS_IN,
			    edns[ei], 0, false);

			query_thread_seed(t, seed);
			query_thread_fast(t, true);
			l1 = query_answer(w, t, q, ql, r1, sizeof(r1), tr);
			f1 = eq_first_total(w->conf);
			query_thread_seed(t, seed);
			query_thread_fast(t, false);
			l2 = query_answer(w, t, q, ql, r2, sizeof(r2), tr);
			query_thread_fast(t, true);
			f2 = eq_first_total(w->conf);
			if (l1 != l2 || memcmp(r1, r2, l1) != 0)
				fail_msg("mode %d %s type %u edns %d transport %d "
				    "seed %llu: fast %zu bytes, general %zu",
				    mode, names[ni], types[ti], edns[ei], tr,
				    (unsigned long long)seed, l1, l2);
			assert_true(l1 > WIRE_HDR_LEN);
			assert_int_equal(f1 - f0, f2 - f1);
			nq++;
			if (r1[2] & 0x02)
				ntc++;
			if (r1[6] != 0 || r1[7] != 0)
				nan++;
			/* ttl_degraded applied: a 10 s or 5 s TTL somewhere */
			if (mode != 0 && tr == QUERY_TCP && edns[ei] == 4096 &&
			    ni == 2 && types[ti] == LDNS_RR_TYPE_A) {
				ldns_pkt *p = NULL;

				assert_int_equal(ldns_wire2pkt(&p, r1, l1),
				    LDNS_STATUS_OK);
				if (ldns_pkt_ancount(p) > 0 && ldns_rr_ttl(
				    ldns_rr_list_rr(ldns_pkt_answer(p), 0)) == 10)
					ndeg++;
				ldns_pkt_free(p);
			}
		}
	}
	/* the comparisons covered truncated and non-empty answers */
	assert_true(ntc > 0);
	assert_true(nan > nq / 2);
	assert_true(ndeg > 0);
	eq_publish(w->conf, 0);
	query_thread_free(t);
	world_free(w);
	snprintf(path, sizeof(path), "%s/t.zone", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/t.conf", dir);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positive_a),
		cmocka_unit_test(test_mx_additional),
		cmocka_unit_test(test_ns_apex),
		cmocka_unit_test(test_srv_additional),
		cmocka_unit_test(test_nodata),
		cmocka_unit_test(test_ent_nodata),
		cmocka_unit_test(test_nxdomain),
		cmocka_unit_test(test_cname_chain),
		cmocka_unit_test(test_wildcard),
		cmocka_unit_test(test_referral),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_chaos),
		cmocka_unit_test(test_edns),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_additional_dropped),
		cmocka_unit_test(test_case_preserved),
		cmocka_unit_test(test_any),
		cmocka_unit_test(test_cname_to_delegation),
		cmocka_unit_test(test_ds_at_cut),
		cmocka_unit_test(test_type0),
		cmocka_unit_test(test_refused_ede_cd),
		cmocka_unit_test(test_dynamic),
		cmocka_unit_test(test_dynamic_order),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_dynamic_fast_equal),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
