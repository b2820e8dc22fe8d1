/* fuzz_query.c - libFuzzer harness: one DNS query through the whole answer path (static and dynamic zones). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <urcu.h>

#include "dnsd/base/hash.h"
#include "dnsd/base/log.h"
#include "dnsd/dynsign.h"
#include "dnsd/query.h"
#include "dnsd/rrl.h"
#include "dnsd/world.h"
#include "probes/pstate.h"
#include "zones/dnssec.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/fuzz_dns.h"

/*
 * The world covers every kind of node the responder knows: static records,
 * CNAME chains and loops, wildcards (TXT/MX, CNAME, dynamic), an empty
 * non-terminal, a delegation with glue and occluded data, a nested zone, a
 * zone whose pool hosts all live outside it, and DYNMX/DYNA pools in every
 * policy and health situation (all up, partly down/drained/loaded,
 * failover tiers, all down with all_down relay and all, caps at the edge of
 * the preference range, and a pool too big for 512 bytes).
 * The input is one query exactly as received; it is answered three times,
 * the policies' generator seeded from the input (a crash replays): UDP
 * (4096-byte buffer) and TCP, then UDP again with the same seed through the
 * general path of dynamic answers, which must give the same bytes as the
 * fast paths. The first UDP response then goes through response rate
 * limiting as the server sends it (rate 1, slip 2, from one of 512 sources
 * picked by the query ID, a clock advancing every 256 inputs), and a
 * slipped response must be a well-formed TC=1 answer too. mail.example.com.
 * is signed (a key made at start): DO=1 queries take the signed answers,
 * the denial proofs and the signed dynamic variants, re-signed at every
 * pool state published.
 */
static const char fq_zone_main[] =
    "$ORIGIN mail.example.com.\n"
    "$TTL 3600\n"
    "@ SOA ns1 hostmaster 2026112701 3600 600 86400 60\n"
    "@ NS ns1\n"
    "@ NS ns2.example.net.\n"
    "ns1 A 192.0.2.53\n"
    "ns1 AAAA 2001:db8::53\n"
    "@ 30 DYNMX inbound\n"
    "@ TXT \"v=spf1 -all\"\n"
    "smtp 30 DYNA inbound\n"
    "relay A 192.0.2.99\n"
    "relay AAAA 2001:db8::99\n"
    "half 30 DYNMX half\n"
    "half 30 DYNA half\n"
    "fo 30 DYNMX fo\n"
    "fo 30 DYNA fo\n"
    "dead 30 DYNMX dead\n"
    "dead 30 DYNA dead\n"
    "open DYNMX open\n"
    "open DYNA open\n"
    "eq DYNMX eq\n"
    "eq DYNA eq\n"
    "big DYNMX big\n"
    "big DYNA big\n"
    "www CNAME smtp\n"
    "chain CNAME www\n"
    "tohalf CNAME half\n"
    "loop1 CNAME loop2\n"
    "loop2 CNAME loop1\n"
    "dangling CNAME nothere\n"
    "ext CNAME mx.example.net.\n"
    "todeleg CNAME x.sub\n"
    "_sub._tcp 30 DYNSRV inbound 587\n"
    "*.wild TXT \"wild\"\n"
    "*.wild MX 10 mx1\n"
    "*.wc CNAME smtp\n"
    "*.dw 30 DYNMX inbound\n"
    "a.b.c TXT \"below an empty non-terminal\"\n"
    "*.c TXT \"c-wild\"\n"
    "sub NS ns.sub\n"
    "sub NS ns.example.net.\n"
    "ns.sub A 192.0.2.54\n"
    "ns.sub AAAA 2001:db8::54\n"
    "_smtp._tcp SRV 0 5 25 mx1\n"
    "ptr PTR mx1\n"
    "manymx MX 10 a.manymx\n"
    "manymx MX 20 b.manymx\n"
    "manymx MX 30 c.manymx\n"
    "manymx MX 40 ns.sub\n"
    "a.manymx AAAA 2001:db8::1:1\n"
    "b.manymx A 192.0.2.101\n"
    "c.manymx AAAA 2001:db8::1:3\n"
    "txt TXT \"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\"\n"
    "txt TXT \"1123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\"\n"
    "txt TXT \"2123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\"\n"
    "txt TXT \"3123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\"\n"
    "txt TXT \"4123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\"\n"
    "txt TXT \"5123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\"\n";

static const char fq_zone_nested[] =
    "$ORIGIN deep.mail.example.com.\n"
    "$TTL 300\n"
    "@ SOA ns1.mail.example.com. hostmaster 7 3600 600 86400 30\n"
    "@ NS ns1.mail.example.com.\n"
    "@ A 192.0.2.77\n"
    "* AAAA 2001:db8::77\n";

static const char fq_zone_org[] =
    "$ORIGIN example.org.\n"
    "$TTL 600\n"
    "@ SOA ns hostmaster 1 3600 600 86400 60\n"
    "@ NS ns\n"
    "ns A 198.51.100.1\n"
    "@ 20 DYNMX outside\n"
    "smtp 20 DYNA outside\n";

#define FQ_BIG 40

static struct world *fq_world;
static struct query_thread *fq_thread;
static uint8_t *fq_buf;
static uint8_t fq_first[4096];		/* the first UDP response */
static const struct pstate *fq_ps;

/* The signing key of mail.example.com. (the signed zone: DO=1 queries
 * take the signed answers, denial proofs and dynamic variants). */
static char *fq_key;

static char *
fq_conf_text(void)
{
	static char text[16384];
	size_t o;
	int i;

	o = (size_t)snprintf(text, sizeof(text),
	    "listen = [ \"127.0.0.1:5353\" ];\n"
	    "version_bind = \"mxspread-fuzz\";\n"
	    "id_server = \"fuzz1\";\n"
	    "zones = (\n"
	    " { origin = \"mail.example.com.\"; template = \"main.zone\";\n"
	    "   dnssec = { keys = [ \"%s\" ]; variants = 20; }; },\n"
	    " { origin = \"deep.mail.example.com.\"; template = \"nested.zone\"; },\n"
	    " { origin = \"example.org.\"; template = \"org.zone\"; } );\n"
	    "pools = (\n"
	    " { name = \"inbound\"; relay_host = \"relay\"; servers = (\n"
	    "   { name = \"mx1\"; address = [ \"192.0.2.11\", \"2001:db8::11\" ]; weight = 3; },\n"
	    "   { name = \"mx2\"; address = [ \"192.0.2.12\" ]; weight = 2; },\n"
	    "   { name = \"mx3\"; host = \"mx3.example.net.\"; address = [ \"192.0.2.13\" ]; } ); },\n"
	    " { name = \"half\"; policy = \"equal\"; ttl_degraded = 5; servers = (\n"
	    "   { name = \"h1\"; address = [ \"192.0.2.21\" ]; },\n"
	    "   { name = \"h2\"; address = [ \"192.0.2.22\", \"2001:db8::22\" ]; },\n"
	    "   { name = \"h3\"; address = [ \"2001:db8::23\" ]; weight = 5; },\n"
	    "   { name = \"h4\"; address = [ \"192.0.2.24\" ]; } ); },\n"
	    " { name = \"fo\"; policy = \"failover\"; min_up = 2; servers = (\n"
	    "   { name = \"f1\"; address = [ \"192.0.2.31\" ]; tier = 0; },\n"
	    "   { name = \"f2\"; address = [ \"192.0.2.32\" ]; tier = 0; },\n"
	    "   { name = \"f3\"; address = [ \"192.0.2.33\" ]; tier = 1; },\n"
	    "   { name = \"f4\"; address = [ \"192.0.2.34\" ]; tier = 2; } ); },\n"
	    " { name = \"dead\"; all_down = \"relay\"; relay_host = \"relay\"; servers = (\n"
	    "   { name = \"d1\"; address = [ \"192.0.2.41\" ]; },\n"
	    "   { name = \"d2\"; address = [ \"2001:db8::42\" ]; } ); },\n"
	    " { name = \"open\"; all_down = \"all\"; servers = (\n"
	    "   { name = \"o1\"; address = [ \"192.0.2.51\" ]; },\n"
	    "   { name = \"o2\"; address = [ \"192.0.2.52\" ]; } ); },\n"
	    " { name = \"eq\"; max_mx = 2; max_addrs = 1; pref_base = 64535; pref_step = 500;\n"
	    "   relay_host = \"relay.example.net.\"; servers = (\n"
	    "   { name = \"e1\"; address = [ \"192.0.2.61\" ]; },\n"
	    "   { name = \"e2\"; address = [ \"192.0.2.62\" ]; },\n"
	    "   { name = \"e3\"; address = [ \"192.0.2.63\" ]; } ); },\n"
	    " { name = \"outside\"; servers = (\n"
	    "   { name = \"x1\"; host = \"x1.example.net.\"; address = [ \"203.0.113.1\" ]; },\n"
	    "   { name = \"x2\"; host = \"mx2.mail.example.com.\"; address = [ \"203.0.113.2\" ]; } ); },\n"
	    " { name = \"big\"; max_mx = 64; max_addrs = 64; servers = (\n",
	    fq_key);
	for (i = 0; i < FQ_BIG && o < sizeof(text); i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
		    "   { name = \"server-with-a-long-name-%02d\"; address = "
		    "[ \"10.0.%d.1\", \"2001:db8:%x::1\" ]; weight = %d; }%s\n",
		    i, i, i, i + 1, i + 1 < FQ_BIG ? "," : "");
	if (o < sizeof(text))
		o += (size_t)snprintf(text + o, sizeof(text) - o, " ); } );\n");
	if (o >= sizeof(text))
		abort();
	return text;
}

/* Health situations: see the comment at the top. */
static void
fq_publish_state(const struct conf *conf)
{
	struct pstate *ps;
	size_t i, j;

	if ((ps = pstate_new(conf)) == NULL)
		abort();
	for (i = 0; i < conf->npools; i++) {
		const struct conf_pool *cp = &conf->pools[i];
		struct pstate_pool *pp = &ps->pools[i];

		for (j = 0; j < pp->nservers; j++) {
			struct pstate_server *s = &pp->servers[j];

			if (strcmp(cp->name, "half") == 0) {
				if (j == 0)
					s->up = false;
				else if (j == 1)
					s->admin = PSTATE_ADMIN_DRAIN;
				else if (j == 2) {
					s->load = 70;
					s->load_factor = 0.5;
					s->slowstart_factor = 0.25;
				}
			} else if (strcmp(cp->name, "fo") == 0) {
				if (j == 0)
					s->up = false;
			} else if (strcmp(cp->name, "dead") == 0 ||
			    strcmp(cp->name, "open") == 0) {
				s->up = false;
			} else if (strcmp(cp->name, "big") == 0) {
				if (j % 3 == 0)
					s->up = false;
				if (j % 7 == 0)
					s->admin = PSTATE_ADMIN_MAINT;
			}
		}
		pstate_pool_update(pp, cp);
	}
	fq_ps = ps;
	pstate_publish(ps);
	/* what the signer thread does in the daemon */
	if (fq_world != NULL && dynsign_zones(fq_world->conf, fq_world->zones,
	    fq_world->nzones, ps) != 0)
		abort();
}

int
fuzz_query_init(void)
{
	const char *conf_path;
	char why[512];

	if (fq_world != NULL)
		return 0;
	log_init(LOG_LVL_ERR, 0, "fuzz_query");
	fuzz_rcu_register();
	fuzz_write("main.zone", fq_zone_main, strlen(fq_zone_main));
	fuzz_write("nested.zone", fq_zone_nested, strlen(fq_zone_nested));
	fuzz_write("org.zone", fq_zone_org, strlen(fq_zone_org));
	if (dnssec_keygen(fuzz_tmpdir(), "mail.example.com.",
	    DNSSEC_ALG_ECDSAP256SHA256, &fq_key, why, sizeof(why)) != 0) {
		fprintf(stderr, "fuzz_query: keygen: %s\n", why);
		abort();
	}
	conf_path = fuzz_write("fq.conf", fq_conf_text(), strlen(fq_conf_text()));
	if ((fq_world = world_load(conf_path, stderr)) == NULL) {
		fprintf(stderr, "fuzz_query: the fuzzing world did not load\n");
		abort();
	}
	fq_publish_state(fq_world->conf);
	if ((fq_thread = query_thread_new()) == NULL ||
	    (fq_buf = malloc(65535)) == NULL)
		abort();
	return 0;
}

static void
fq_rrl(const uint8_t *q, size_t qlen, uint8_t *r, size_t rlen)
{
	static time_t now = 1000;
	static unsigned count;
	struct conf_rrl cfg = fq_world->conf->rrl;
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;
	const struct sockaddr *from;
	size_t n;

	if (rlen == 0 || qlen < 2)
		return;
	if (++count % 256 == 0)
		now++;
	cfg.enabled = true;
	cfg.rate = 1;
	cfg.slip = 2;
	cfg.window = 2;
	cfg.nexempt = 0;
	if (q[1] & 1) {
		memset(&s6, 0, sizeof(s6));
		s6.sin6_family = AF_INET6;
		s6.sin6_addr.s6_addr[0] = 0x20;
		s6.sin6_addr.s6_addr[1] = 0x01;
		s6.sin6_addr.s6_addr[6] = q[0];
		s6.sin6_addr.s6_addr[15] = q[1];
		from = (const struct sockaddr *)&s6;
	} else {
		memset(&s4, 0, sizeof(s4));
		s4.sin_family = AF_INET;
		s4.sin_addr.s_addr = htonl(0xc6336400u | q[0]);
		from = (const struct sockaddr *)&s4;
	}
	n = rrl_check(&cfg, fq_world, from, r, rlen, now);
	FUZZ_CHECK(n <= rlen);
	if (n > 0 && n < rlen) {
		FUZZ_CHECK(r[2] & 0x02);		/* TC */
		fuzz_dns_check(q, qlen, r, n, rlen, QUERY_UDP);
	}
}

int
fuzz_query_one(const uint8_t *data, size_t size)
{
	size_t n, n2, udp = 4096, tcp = 65535;
	uint8_t *r = fq_buf + 65535 - udp;
	uint64_t seed = hash_final(hash_bytes(0, data, size));

	/* Only the regression test runs harnesses side by side. */
	rcu_read_lock();
	if (pstate_get() != fq_ps) {
		rcu_read_unlock();
		fq_publish_state(fq_world->conf);
	} else
		rcu_read_unlock();

	query_thread_seed(fq_thread, seed);
	n = fuzz_dns_ask(fq_world, fq_thread, data, size, r, udp, QUERY_UDP);
	memcpy(fq_first, r, n);
	fq_rrl(data, size, r, n);

	(void)fuzz_dns_ask(fq_world, fq_thread, data, size, fq_buf, tcp,
	    QUERY_TCP);

	query_thread_seed(fq_thread, seed);
	query_thread_fast(fq_thread, false);
	n2 = fuzz_dns_ask(fq_world, fq_thread, data, size, r, udp, QUERY_UDP);
	query_thread_fast(fq_thread, true);
	FUZZ_CHECK(n2 == n && memcmp(r, fq_first, n) == 0);
	return 0;
}

FUZZ_ENTRY(fuzz_query_init, fuzz_query_one)
