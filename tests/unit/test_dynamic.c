/* test_dynamic.c - dynamic answers through the query path: fail-closed pools (all_down = "servfail"), DYNSRV. */
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
#include "tests/unit/testutil.h"

static const char *zone_text =
    "$ORIGIN example.org.\n"
    "$TTL 3600\n"
    "@ SOA ns1 hostmaster 1 3600 600 86400 60\n"
    "@ NS ns1\n"
    "ns1 A 192.0.2.53\n"
    "@ 30 DYNMX closed\n"
    "@ TXT \"v=spf1 -all\"\n"
    "smtp 30 DYNA closed\n"
    "mxalias CNAME @\n"
    "*.wmx 30 DYNMX closed\n"
    "open 30 DYNMX open\n"
    "_imaps._tcp 60 DYNSRV closed 993\n";

/* "closed" fails closed (with a relay host, which it must not use), "open"
 * is the default fail-open pool, in the same zone. */
static const char *conf_text =
    "listen = [ \"127.0.0.1:5353\" ];\n"
    "zones = ( { origin = \"example.org.\"; template = \"t.zone\"; } );\n"
    "pools = ( { name = \"closed\"; all_down = \"servfail\";\n"
    "  relay_host = \"relay.example.net.\";\n"
    "  servers = ( { name = \"mx1\"; address = [ \"192.0.2.11\", \"2001:db8::11\" ]; },\n"
    "              { name = \"mx2\"; address = [ \"192.0.2.12\" ]; } ); },\n"
    "  { name = \"open\";\n"
    "  servers = ( { name = \"o1\"; address = [ \"192.0.2.21\" ]; } ); } );\n";

static struct world *W;
static struct query_thread *T;
static char tmpdir[64];
static uint8_t resp[65536];

static void
remove_file(const char *dir, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

static int
setup(void **state)
{
	char path[256];

	(void)state;
	rcu_register_thread();
	strcpy(tmpdir, "/tmp/mxs-dynamic-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	write_file(tmpdir, "t.zone", zone_text);
	write_file(tmpdir, "t.conf", conf_text);
	snprintf(path, sizeof(path), "%s/t.conf", tmpdir);
	if ((W = world_load(path, stderr)) == NULL)
		return -1;
	T = query_thread_new();
	return T == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	pstate_shutdown();
	query_thread_free(T);
	world_free(W);
	remove_file(tmpdir, "t.zone");
	remove_file(tmpdir, "t.conf");
	rmdir(tmpdir);
	rcu_unregister_thread();
	return 0;
}

/* Publish a pool state: the servers of pool `pool` whose bit is set in
 * `down` are down, every other server up. */
static void
publish(size_t pool, unsigned down)
{
	struct pstate *ps = pstate_new(W->conf);

	assert_non_null(ps);
	for (size_t p = 0; p < ps->npools; p++) {
		for (size_t i = 0; i < ps->pools[p].nservers; i++)
			if (p == pool && (down & (1u << i)))
				ps->pools[p].servers[i].up = false;
		pstate_pool_update(&ps->pools[p], &W->conf->pools[p]);
	}
	pstate_publish(ps);
}

/* Ask name/type over UDP with EDNS (fast path or general path). */
static ldns_pkt *
ask(const char *name, uint16_t type, bool fast)
{
	ldns_pkt *q = NULL, *p = NULL;
	uint8_t *wire = NULL;
	size_t ql = 0, n;

	assert_int_equal(ldns_pkt_query_new_frm_str(&q, name, type,
	    LDNS_RR_CLASS_IN, LDNS_RD), LDNS_STATUS_OK);
	ldns_pkt_set_id(q, 0x4321);
	ldns_pkt_set_edns_udp_size(q, 1232);
	assert_int_equal(ldns_pkt2wire(&wire, q, &ql), LDNS_STATUS_OK);
	query_thread_fast(T, fast);
	n = query_answer(W, T, wire, ql, resp, sizeof(resp), QUERY_UDP);
	query_thread_fast(T, true);
	free(wire);
	ldns_pkt_free(q);
	assert_true(n > WIRE_HDR_LEN);
	assert_int_equal(ldns_wire2pkt(&p, resp, n), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt_id(p), 0x4321);
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	return p;
}

static void
expect(const char *name, uint16_t type, int rcode, bool aa, size_t an,
    size_t ns)
{
	for (int fast = 0; fast < 2; fast++) {
		ldns_pkt *p = ask(name, type, fast);

		if ((int)ldns_pkt_get_rcode(p) != rcode ||
		    ldns_pkt_aa(p) != aa || ldns_pkt_ancount(p) != an ||
		    ldns_pkt_nscount(p) != ns)
			fail_msg("%s type %u (%s path): rcode %d aa %d an %u "
			    "ns %u, want rcode %d aa %d an %zu ns %zu", name,
			    type, fast ? "fast" : "general",
			    ldns_pkt_get_rcode(p), ldns_pkt_aa(p),
			    ldns_pkt_ancount(p), ldns_pkt_nscount(p), rcode, aa,
			    an, ns);
		if (rcode == LDNS_RCODE_SERVFAIL)
			assert_int_equal(ldns_pkt_arcount(p), 0);
		assert_true(ldns_pkt_edns(p));	/* OPT kept on SERVFAIL */
		ldns_pkt_free(p);
	}
}

/* No eligible server: DYNMX and DYNA answer SERVFAIL (at the name, through
 * a CNAME, through a wildcard, for ANY); everything static keeps
 * answering, and so does the fail-open pool. */
static void
test_servfail_all_down(void **state)
{
	(void)state;
	publish(0, 0x3);
	expect("example.org.", LDNS_RR_TYPE_MX, LDNS_RCODE_SERVFAIL, false, 0, 0);
	expect("Example.ORG.", LDNS_RR_TYPE_MX, LDNS_RCODE_SERVFAIL, false, 0, 0);
	/* ANY (RFC 8482): the dynamic RRset where ANY picks it */
	expect("smtp.example.org.", LDNS_RR_TYPE_ANY, LDNS_RCODE_SERVFAIL,
	    false, 0, 0);
	expect("a.wmx.example.org.", LDNS_RR_TYPE_ANY, LDNS_RCODE_SERVFAIL,
	    false, 0, 0);
	expect("example.org.", LDNS_RR_TYPE_ANY, LDNS_RCODE_NOERROR, true, 1,
	    0);		/* the SOA */
	expect("smtp.example.org.", LDNS_RR_TYPE_A, LDNS_RCODE_SERVFAIL, false,
	    0, 0);
	expect("smtp.example.org.", LDNS_RR_TYPE_AAAA, LDNS_RCODE_SERVFAIL,
	    false, 0, 0);
	expect("mxalias.example.org.", LDNS_RR_TYPE_MX, LDNS_RCODE_SERVFAIL,
	    false, 0, 0);
	expect("x.wmx.example.org.", LDNS_RR_TYPE_MX, LDNS_RCODE_SERVFAIL,
	    false, 0, 0);
	expect("_imaps._tcp.example.org.", LDNS_RR_TYPE_SRV,
	    LDNS_RCODE_SERVFAIL, false, 0, 0);
	expect("_imaps._tcp.example.org.", LDNS_RR_TYPE_ANY,
	    LDNS_RCODE_SERVFAIL, false, 0, 0);
	expect("_imaps._tcp.example.org.", LDNS_RR_TYPE_TXT,
	    LDNS_RCODE_NOERROR, true, 0, 1);
	/* static data, also at the dynamic names */
	expect("example.org.", LDNS_RR_TYPE_TXT, LDNS_RCODE_NOERROR, true, 1, 0);
	expect("example.org.", LDNS_RR_TYPE_SOA, LDNS_RCODE_NOERROR, true, 1, 0);
	expect("smtp.example.org.", LDNS_RR_TYPE_TXT, LDNS_RCODE_NOERROR, true,
	    0, 1);
	expect("mx1.example.org.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, true, 1,
	    0);
	expect("nothere.example.org.", LDNS_RR_TYPE_MX, LDNS_RCODE_NXDOMAIN,
	    true, 0, 1);
	expect("open.example.org.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR, true,
	    1, 0);
	/* the fail-open pool down as well: it still lists its server */
	publish(1, 0x1);
	expect("open.example.org.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR, true,
	    1, 0);
	publish(0, 0);
}

/* One server up again: records again, without the relay fallback. */
static void
test_servfail_recovers(void **state)
{
	ldns_pkt *p;
	char *target;

	(void)state;
	publish(0, 0x1);
	/* mx2, then the pool's relay host */
	expect("example.org.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR, true, 2, 0);
	expect("smtp.example.org.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, true, 1,
	    0);
	/* mx2 has no IPv6 address: NODATA, not SERVFAIL */
	expect("smtp.example.org.", LDNS_RR_TYPE_AAAA, LDNS_RCODE_NOERROR, true,
	    0, 1);
	p = ask("example.org.", LDNS_RR_TYPE_MX, true);
	target = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(ldns_pkt_answer(p),
	    0), 1));
	assert_string_equal(target, "mx2.example.org.");
	free(target);
	ldns_pkt_free(p);
	publish(0, 0);
	expect("example.org.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR, true, 3, 0);
}

/* Before the first probe snapshot the pool is not "all down". */
static void
test_servfail_no_state(void **state)
{
	(void)state;
	pstate_shutdown();
	expect("example.org.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR, true, 3, 0);
	publish(0, 0);
}

/* DYNSRV: one priority (weighted pool), configured weights, the port as
 * written, no relay host, the targets' addresses in additional. */
static void
test_dynsrv_shape(void **state)
{
	static const char *want[] = {
	    "_imaps._tcp.example.org.\t60\tIN\tSRV\t10 1 993 mx1.example.org.\n",
	    "_imaps._tcp.example.org.\t60\tIN\tSRV\t10 1 993 mx2.example.org.\n" };
	ldns_pkt *p;
	char *t;
	size_t seen = 0;

	(void)state;
	publish(0, 0);
	for (int fast = 0; fast < 2; fast++) {
		p = ask("_imaps._tcp.example.org.", LDNS_RR_TYPE_SRV, fast);
		assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
		assert_true(ldns_pkt_aa(p));
		assert_int_equal(ldns_pkt_ancount(p), 2);
		assert_int_equal(ldns_pkt_nscount(p), 0);
		assert_int_equal(ldns_pkt_arcount(p), 3);	/* ldns keeps OPT apart */
		for (size_t i = 0; i < 2; i++) {
			t = ldns_rr2str(ldns_rr_list_rr(ldns_pkt_answer(p), i));
			for (size_t k = 0; k < 2; k++)
				if (strcmp(t, want[k]) == 0)
					seen |= 1u << k;
			free(t);
		}
		ldns_pkt_free(p);
	}
	assert_int_equal(seen, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_servfail_no_state),
		cmocka_unit_test(test_servfail_all_down),
		cmocka_unit_test(test_servfail_recovers),
		cmocka_unit_test(test_dynsrv_shape),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
