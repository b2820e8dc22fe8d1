/* test_sign.c - signed zones end to end in one process: keygen, world load, DO=1 answers checked with ldns's validator code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <ldns/ldns.h>
#include <urcu.h>

#include "dnsd/dynsign.h"
#include "dnsd/query.h"
#include "dnsd/world.h"
#include "probes/pstate.h"
#include "zones/dnssec.h"
#include "zones/sign.h"
#include "tests/unit/testutil.h"

static char dir[] = "/tmp/test_sign.XXXXXX";
static struct world *w;
static struct query_thread *t;
static ldns_rr_list *keys;
static uint8_t resp[65535];

static const char *TEMPLATE =
    "$ORIGIN mail.example.com.\n"
    "$TTL 3600\n"
    "@ IN SOA ns1 hostmaster 2026120101 3600 600 604800 60\n"
    "@ NS ns1\n"
    "ns1 A 127.0.0.53\n"
    "@ 30 DYNMX inbound\n"
    "smtp 30 DYNA inbound\n"
    "_submission._tcp 30 DYNSRV inbound 587\n"
    "@ TXT \"v=spf1 -all\"\n"
    "_dmarc TXT \"v=DMARC1; p=reject\"\n"
    "*.wild TXT \"wildcard\"\n"
    "alias CNAME alias2\n"
    "alias2 CNAME mx1\n"
    "_25._tcp.mx1 TLSA 3 1 1 "
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
    "child NS ns.child\n"
    "ns.child A 192.0.2.1\n"
    "deep.a.b TXT \"deep\"\n";

static const char *CONFIG =
    "listen = [ \"127.0.0.1:5353\" ];\n"
    "zones = ( { origin = \"mail.example.com.\"; template = \"mail.zone\";\n"
    "  dnssec = { keys = [ \"%s\" ]; variants = 100; }; } );\n"
    "pools = ( { name = \"inbound\"; policy = \"weighted\";\n"
    "  probe = { type = \"tcp\"; port = 25; };\n"
    "  servers = (\n"
    "   { name = \"mx1\"; address = [ \"127.0.0.11\", \"2001:db8::11\" ]; weight = 5; },\n"
    "   { name = \"mx2\"; address = [ \"127.0.0.12\", \"2001:db8::12\" ]; weight = 3; },\n"
    "   { name = \"mx3\"; address = [ \"127.0.0.13\" ]; weight = 2; } ); } );\n";

static int
setup(void **state)
{
	char *base = NULL, why[512], conf[2048], path[512];
	ldns_rr *k = NULL;
	FILE *f;

	(void)state;
	rcu_register_thread();
	assert_non_null(mkdtemp(dir));
	if (dnssec_keygen(dir, "mail.example.com.", DNSSEC_ALG_ECDSAP256SHA256,
	    &base, why, sizeof(why)) != 0)
		fail_msg("keygen: %s", why);
	write_file(dir, "mail.zone", TEMPLATE);
	snprintf(conf, sizeof(conf), CONFIG, base);
	write_file(dir, "mx.conf", conf);
	snprintf(path, sizeof(path), "%s/mx.conf", dir);
	w = world_load(path, stderr);
	assert_non_null(w);
	t = query_thread_new();
	assert_non_null(t);
	/* the DNSKEY from the .key file, as a validator's trust anchor */
	snprintf(path, sizeof(path), "%s.key", base);
	assert_non_null(f = fopen(path, "r"));
	keys = ldns_rr_list_new();
	while (ldns_rr_new_frm_fp(&k, f, NULL, NULL, NULL) !=
	    LDNS_STATUS_SYNTAX_EMPTY) {
		if (k != NULL) {
			ldns_rr_list_push_rr(keys, k);
			k = NULL;
		}
		if (feof(f))
			break;
	}
	fclose(f);
	assert_int_equal(ldns_rr_list_rr_count(keys), 1);
	free(base);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[600];

	(void)state;
	query_thread_free(t);
	world_free(w);
	ldns_rr_list_deep_free(keys);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return -1;
	rcu_unregister_thread();
	return 0;
}

/* Ask, with DO=1, and parse the answer. */
static ldns_pkt *
ask(const char *name, ldns_rr_type type, bool do_bit)
{
	ldns_pkt *q, *r = NULL;
	uint8_t *wq;
	size_t wl, n;

	q = ldns_pkt_query_new(ldns_dname_new_frm_str(name), type,
	    LDNS_RR_CLASS_IN, 0);
	assert_non_null(q);
	ldns_pkt_set_id(q, 4242);
	ldns_pkt_set_edns_udp_size(q, 4096);
	ldns_pkt_set_edns_do(q, do_bit);
	assert_int_equal(ldns_pkt2wire(&wq, q, &wl), LDNS_STATUS_OK);
	n = query_answer(w, t, wq, wl, resp, sizeof(resp), QUERY_UDP);
	assert_true(n > 0);
	if (ldns_wire2pkt(&r, resp, n) != LDNS_STATUS_OK)
		fail_msg("%s: the answer does not parse", name);
	free(wq);
	ldns_pkt_free(q);
	return r;
}

/* Every RRset of a section (not RRSIG) has a valid RRSIG by our key;
 * \retval the RRsets checked */
static int
verify_section(const char *what, ldns_rr_list *sec, bool need_all)
{
	int checked = 0;

	for (size_t i = 0; i < ldns_rr_list_rr_count(sec); i++) {
		ldns_rr *rr = ldns_rr_list_rr(sec, i);
		ldns_rr_list *set, *sigs, *good;
		ldns_status st;

		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG)
			continue;
		/* first record of its RRset only */
		bool seen = false;
		for (size_t j = 0; j < i; j++) {
			ldns_rr *p = ldns_rr_list_rr(sec, j);

			if (ldns_rr_get_type(p) == ldns_rr_get_type(rr) &&
			    ldns_dname_compare(ldns_rr_owner(p),
			    ldns_rr_owner(rr)) == 0)
				seen = true;
		}
		if (seen)
			continue;
		set = ldns_rr_list_new();
		sigs = ldns_rr_list_new();
		for (size_t j = 0; j < ldns_rr_list_rr_count(sec); j++) {
			ldns_rr *p = ldns_rr_list_rr(sec, j);

			if (ldns_dname_compare(ldns_rr_owner(p),
			    ldns_rr_owner(rr)) != 0)
				continue;
			if (ldns_rr_get_type(p) == ldns_rr_get_type(rr))
				ldns_rr_list_push_rr(set, ldns_rr_clone(p));
			else if (ldns_rr_get_type(p) == LDNS_RR_TYPE_RRSIG &&
			    ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(p)) ==
			    ldns_rr_get_type(rr))
				ldns_rr_list_push_rr(sigs, ldns_rr_clone(p));
		}
		if (ldns_rr_list_rr_count(sigs) == 0) {
			if (need_all)
				fail_msg("%s: %s RRset without RRSIG", what,
				    ldns_rr_type2str(ldns_rr_get_type(rr)));
		} else {
			good = ldns_rr_list_new();
			st = ldns_verify(set, sigs, keys, good);
			if (st != LDNS_STATUS_OK)
				fail_msg("%s: %s RRset does not validate: %s",
				    what, ldns_rr_type2str(ldns_rr_get_type(rr)),
				    ldns_get_errorstr_by_id(st));
			ldns_rr_list_free(good);
			checked++;
		}
		ldns_rr_list_deep_free(set);
		ldns_rr_list_deep_free(sigs);
	}
	return checked;
}

static void
verify(const char *what, ldns_pkt *p)
{
	verify_section(what, ldns_pkt_answer(p), true);
	verify_section(what, ldns_pkt_authority(p), false);
	verify_section(what, ldns_pkt_additional(p), false);
}

/* A denial for (name, type) proven by the NSECs of authority. */
static void
verify_denial(const char *name, ldns_rr_type type, ldns_pkt *p)
{
	ldns_rr_list *auth = ldns_pkt_authority(p), *nsecs, *sigs;
	ldns_rr *q = ldns_rr_new();
	ldns_status st;

	ldns_rr_set_owner(q, ldns_dname_new_frm_str(name));
	ldns_rr_set_type(q, type);
	nsecs = ldns_rr_list_new();
	sigs = ldns_rr_list_new();
	for (size_t i = 0; i < ldns_rr_list_rr_count(auth); i++) {
		ldns_rr *rr = ldns_rr_list_rr(auth, i);

		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_NSEC)
			ldns_rr_list_push_rr(nsecs, rr);
		else if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG)
			ldns_rr_list_push_rr(sigs, rr);
	}
	if (ldns_rr_list_rr_count(nsecs) == 0)
		fail_msg("%s/%s: no NSEC in authority", name,
		    ldns_rr_type2str(type));
	st = ldns_dnssec_verify_denial(q, nsecs, sigs);
	if (st != LDNS_STATUS_OK)
		fail_msg("%s/%s: denial not proven: %s", name,
		    ldns_rr_type2str(type), ldns_get_errorstr_by_id(st));
	ldns_rr_list_free(nsecs);
	ldns_rr_list_free(sigs);
	ldns_rr_free(q);
}

/*
 * An empty non-terminal's NODATA: one NSEC whose owner sorts before the
 * name and whose next name is below it (RFC 4035 3.1.3.2; Unbound's and
 * BIND's rule; ldns_dnssec_verify_denial wants a wildcard proof too).
 */
static void
verify_ent(const char *name, ldns_pkt *p)
{
	ldns_rr_list *auth = ldns_pkt_authority(p);
	ldns_rdf *qn = ldns_dname_new_frm_str(name);
	bool ok = false;

	for (size_t i = 0; i < ldns_rr_list_rr_count(auth); i++) {
		ldns_rr *rr = ldns_rr_list_rr(auth, i);
		ldns_rdf *next;

		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NSEC)
			continue;
		next = ldns_rr_rdf(rr, 0);
		if (ldns_dname_compare(ldns_rr_owner(rr), qn) < 0 &&
		    ldns_dname_is_subdomain(next, qn))
			ok = true;
	}
	ldns_rdf_deep_free(qn);
	if (!ok)
		fail_msg("%s: no NSEC proving an empty non-terminal", name);
}

static void
test_positive(void **state)
{
	static const struct {
		const char *name;
		ldns_rr_type type;
	} cases[] = {
		{ "mail.example.com.", LDNS_RR_TYPE_SOA },
		{ "mail.example.com.", LDNS_RR_TYPE_NS },
		{ "mail.example.com.", LDNS_RR_TYPE_DNSKEY },
		{ "mail.example.com.", LDNS_RR_TYPE_CDS },
		{ "mail.example.com.", LDNS_RR_TYPE_CDNSKEY },
		{ "mail.example.com.", LDNS_RR_TYPE_TXT },
		{ "MAIL.example.COM.", LDNS_RR_TYPE_MX },
		{ "smtp.mail.example.com.", LDNS_RR_TYPE_A },
		{ "smtp.mail.example.com.", LDNS_RR_TYPE_AAAA },
		{ "_submission._tcp.mail.example.com.", LDNS_RR_TYPE_SRV },
		{ "mx1.mail.example.com.", LDNS_RR_TYPE_A },
		{ "_25._tcp.mx1.mail.example.com.", LDNS_RR_TYPE_TLSA },
		{ "alias.mail.example.com.", LDNS_RR_TYPE_A },
		{ "mx2.mail.example.com.", LDNS_RR_TYPE_NSEC },
		{ "smtp.mail.example.com.", LDNS_RR_TYPE_NSEC },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ldns_pkt *p = ask(cases[i].name, cases[i].type, true);
		char what[128];

		char *tn = ldns_rr_type2str(cases[i].type);

		snprintf(what, sizeof(what), "%s/%s", cases[i].name, tn);
		free(tn);
		if (ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR ||
		    ldns_pkt_ancount(p) == 0)
			fail_msg("%s: rcode %d, %u answers", what,
			    ldns_pkt_get_rcode(p), ldns_pkt_ancount(p));
		verify(what, p);
		ldns_pkt_free(p);
	}
}

static void
test_unsigned_when_no_do(void **state)
{
	ldns_pkt *p = ask("mail.example.com.", LDNS_RR_TYPE_MX, false);

	(void)state;
	for (size_t i = 0; i < ldns_rr_list_rr_count(ldns_pkt_answer(p)); i++)
		assert_int_not_equal(ldns_rr_get_type(ldns_rr_list_rr(
		    ldns_pkt_answer(p), i)), LDNS_RR_TYPE_RRSIG);
	ldns_pkt_free(p);
	p = ask("nope.mail.example.com.", LDNS_RR_TYPE_A, false);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	assert_int_equal(ldns_pkt_nscount(p), 1);	/* the SOA only */
	ldns_pkt_free(p);
}

static void
test_denial(void **state)
{
	static const struct {
		const char *name;
		ldns_rr_type type;
		ldns_pkt_rcode rcode;
	} cases[] = {
		{ "nope.mail.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN },
		{ "zzz.mail.example.com.", LDNS_RR_TYPE_MX, LDNS_RCODE_NXDOMAIN },
		{ "a.b.c.mail.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN },
		{ "mx1.mail.example.com.", LDNS_RR_TYPE_TXT, LDNS_RCODE_NOERROR },
		{ "mail.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR },
		{ "smtp.mail.example.com.", LDNS_RR_TYPE_TXT, LDNS_RCODE_NOERROR },
		{ "b.mail.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR },
		{ "x.wild.mail.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR },
		{ "child.mail.example.com.", LDNS_RR_TYPE_DS, LDNS_RCODE_NOERROR },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ldns_pkt *p = ask(cases[i].name, cases[i].type, true);
		char what[128];

		char *tn = ldns_rr_type2str(cases[i].type);

		snprintf(what, sizeof(what), "%s/%s", cases[i].name, tn);
		free(tn);
		if (ldns_pkt_get_rcode(p) != cases[i].rcode ||
		    ldns_pkt_ancount(p) != 0)
			fail_msg("%s: rcode %d, %u answers", what,
			    ldns_pkt_get_rcode(p), ldns_pkt_ancount(p));
		verify(what, p);
		if (strcmp(cases[i].name, "b.mail.example.com.") == 0)
			verify_ent(cases[i].name, p);
		else
			verify_denial(cases[i].name, cases[i].type, p);
		ldns_pkt_free(p);
	}
}

static void
test_wildcard_and_referral(void **state)
{
	ldns_pkt *p;
	ldns_rr_list *auth;
	bool nsec = false;

	(void)state;
	p = ask("x.wild.mail.example.com.", LDNS_RR_TYPE_TXT, true);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_ancount(p) >= 2);
	verify("wildcard", p);
	/* the NSEC proving x.wild absent */
	auth = ldns_pkt_authority(p);
	for (size_t i = 0; i < ldns_rr_list_rr_count(auth); i++)
		if (ldns_rr_get_type(ldns_rr_list_rr(auth, i)) ==
		    LDNS_RR_TYPE_NSEC)
			nsec = true;
	assert_true(nsec);
	ldns_pkt_free(p);

	/* insecure referral: NS, and the cut's NSEC with NS and no DS */
	p = ask("host.child.mail.example.com.", LDNS_RR_TYPE_A, true);
	assert_false(ldns_pkt_aa(p));
	auth = ldns_pkt_authority(p);
	nsec = false;
	for (size_t i = 0; i < ldns_rr_list_rr_count(auth); i++) {
		ldns_rr *rr = ldns_rr_list_rr(auth, i);

		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NSEC)
			continue;
		nsec = true;
		assert_true(ldns_nsec_bitmap_covers_type(ldns_rr_rdf(rr, 1),
		    LDNS_RR_TYPE_NS));
		assert_false(ldns_nsec_bitmap_covers_type(ldns_rr_rdf(rr, 1),
		    LDNS_RR_TYPE_DS));
	}
	assert_true(nsec);
	verify("referral", p);
	ldns_pkt_free(p);
}

/* First preference of the MX answers follows the weights 5:3:2 within a
 * point, every answer validating; then a pool change (mx1 down, mx2 down:
 * only mx3, which has no IPv6 address) is signed anew: mx3 alone, and the
 * AAAA of the DYNA name is NODATA with an NSEC without AAAA. */
static void
test_dynamic(void **state)
{
	unsigned first[3] = { 0, 0, 0 };
	struct pstate *ps;
	ldns_pkt *p;
	int n = 2000;

	(void)state;
	for (int i = 0; i < n; i++) {
		ldns_rr_list *an;
		unsigned best = 65536;
		int who = -1;

		p = ask("mail.example.com.", LDNS_RR_TYPE_MX, true);
		an = ldns_pkt_answer(p);
		if (i < 50)
			verify("MX", p);
		for (size_t k = 0; k < ldns_rr_list_rr_count(an); k++) {
			ldns_rr *rr = ldns_rr_list_rr(an, k);
			char *tg;

			if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_MX)
				continue;
			if (ldns_rdf2native_int16(ldns_rr_rdf(rr, 0)) >= best)
				continue;
			best = ldns_rdf2native_int16(ldns_rr_rdf(rr, 0));
			tg = ldns_rdf2str(ldns_rr_rdf(rr, 1));
			who = tg[2] - '1';
			free(tg);
		}
		assert_true(who >= 0 && who < 3);
		first[who]++;
		ldns_pkt_free(p);
	}
	for (int k = 0; k < 3; k++) {
		double share = 100.0 * first[k] / n;
		double want = k == 0 ? 50 : k == 1 ? 30 : 20;

		if (share < want - 1 || share > want + 1)
			fail_msg("mx%d first in %.1f%% of answers, weight %.0f%%",
			    k + 1, share, want);
	}

	ps = pstate_new(w->conf);
	assert_non_null(ps);
	ps->pools[0].servers[0].up = false;
	ps->pools[0].servers[1].up = false;
	pstate_pool_update(&ps->pools[0], &w->conf->pools[0]);
	ps->gen = 77;
	assert_int_equal(dynsign_zones(w->conf, w->zones, w->nzones, ps), 0);
	pstate_free(ps);
	synchronize_rcu();
	rcu_barrier();

	p = ask("mail.example.com.", LDNS_RR_TYPE_MX, true);
	verify("MX, two down", p);
	assert_int_equal(ldns_pkt_ancount(p), 2);	/* mx3 and its RRSIG */
	ldns_pkt_free(p);
	p = ask("smtp.mail.example.com.", LDNS_RR_TYPE_AAAA, true);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	verify("AAAA, no IPv6 server up", p);
	verify_denial("smtp.mail.example.com.", LDNS_RR_TYPE_AAAA, p);
	ldns_pkt_free(p);
	p = ask("smtp.mail.example.com.", LDNS_RR_TYPE_A, true);
	assert_int_equal(ldns_pkt_ancount(p), 2);	/* 127.0.0.13 + RRSIG */
	verify("A, one up", p);
	ldns_pkt_free(p);
}

/* The canonical order of RFC 4034 6.1 written out plainly, label by
 * label from the right: the oracle sign_canon_key's keys are checked
 * against. */
static int
name_order(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t ao[128], bo[128], na = 0, nb = 0, o;

	for (o = 0; o < alen && a[o] != 0; o += 1u + a[o])
		ao[na++] = o;
	for (o = 0; o < blen && b[o] != 0; o += 1u + b[o])
		bo[nb++] = o;
	while (na > 0 && nb > 0) {
		const uint8_t *la = a + ao[--na], *lb = b + bo[--nb];
		int c = memcmp(la + 1, lb + 1, la[0] < lb[0] ? la[0] : lb[0]);

		if (c != 0)
			return c;
		if (la[0] != lb[0])
			return la[0] < lb[0] ? -1 : 1;
	}
	return (na > 0) - (nb > 0);
}

/* key order of two names: <0, 0, >0 */
static int
key_order(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	uint8_t ka[SIGN_KEY_MAX], kb[SIGN_KEY_MAX];
	size_t la = sign_canon_key(a, alen, ka), lb = sign_canon_key(b, blen, kb);
	int c = memcmp(ka, kb, la < lb ? la : lb);

	return c != 0 ? c : (la < lb ? -1 : la > lb);
}

/* RFC 4034 6.1's example (lowercased), in order, by key */
static void
test_canon_key_rfc(void **state)
{
	static const char *const order[] = {
		"example.", "a.example.", "yljkjljk.a.example.", "z.a.example.",
		"zabc.a.example.", "z.example.", "\001.z.example.",
		"*.z.example.", "\200.z.example.",
	};
	uint8_t a[256], b[256];
	size_t na, nb, n = sizeof(order) / sizeof(order[0]);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		na = wire(order[i], a);
		for (size_t j = 0; j < n; j++) {
			int c;

			nb = wire(order[j], b);
			c = key_order(a, na, b, nb);
			if ((i < j && c >= 0) || (i > j && c <= 0) ||
			    (i == j && c != 0))
				fail_msg("key order(%s, %s) = %d", order[i],
				    order[j], c);
		}
	}
	na = wire(".", a);
	nb = wire("example.", b);
	assert_true(key_order(a, na, b, nb) < 0);
}

/* sign_canon_key orders names as RFC 4034 6.1 does (name_order), labels
 * with 0 and 1 bytes and prefixes included. */
static void
test_canon_key(void **state)
{
	static const uint8_t lab[][4] = { { 1, 'a' }, { 1, 'b' }, { 2, 'a', 0 },
	    { 2, 'a', 1 }, { 1, 0 }, { 1, 1 }, { 1, 2 }, { 2, 'a', 'a' },
	    { 1, '*' }, { 1, 'z' }, { 3, 'a', 0, 'b' } };
	const size_t nl = sizeof(lab) / sizeof(lab[0]);
	uint8_t names[400][16];
	size_t lens[400], n = 0;

	(void)state;
	/* every name of one or two of those labels under "x." */
	for (size_t i = 0; i <= nl; i++)
		for (size_t j = 0; j < nl; j++) {
			size_t o = 0;

			if (i < nl) {
				memcpy(names[n] + o, lab[i], 1u + lab[i][0]);
				o += 1u + lab[i][0];
			}
			memcpy(names[n] + o, lab[j], 1u + lab[j][0]);
			o += 1u + lab[j][0];
			names[n][o++] = 1;
			names[n][o++] = 'x';
			names[n][o++] = 0;
			lens[n++] = o;
		}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			int c = key_order(names[i], lens[i], names[j], lens[j]);
			int want = name_order(names[i], lens[i], names[j],
			    lens[j]);

			if ((c < 0) != (want < 0) || (c == 0) != (want == 0))
				fail_msg("names %zu and %zu: key order %d, "
				    "canonical order %d", i, j, c, want);
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canon_key_rfc),
		cmocka_unit_test(test_canon_key),
		cmocka_unit_test(test_positive),
		cmocka_unit_test(test_unsigned_when_no_do),
		cmocka_unit_test(test_denial),
		cmocka_unit_test(test_wildcard_and_referral),
		cmocka_unit_test(test_dynamic),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
