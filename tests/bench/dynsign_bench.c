/* dynsign_bench.c - what one pool-state change costs a signed zone: signatures made and time, for a pool of N servers.
 *
 * usage: dynsign_bench [SERVERS] [CHANGES] [ALG]   (defaults 10 200 13)
 * Builds a signed world (a key made in a temp dir) whose zone has a DYNMX
 * at the apex and a DYNA name for one weighted pool of SERVERS servers
 * (weights 1..SERVERS, each with an IPv4 and an IPv6 address), then
 * applies CHANGES pool states (server i down, in turn) as the signer
 * thread does (dynsign_zones) and prints the signatures per change and
 * the median and worst build time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <urcu.h>

#include "dnsd/base/clock.h"
#include "dnsd/dynsign.h"
#include "dnsd/world.h"
#include "probes/pstate.h"
#include "zones/dnssec.h"

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	int nsrv = argc > 1 ? atoi(argv[1]) : 10;
	int changes = argc > 2 ? atoi(argv[2]) : 200;
	int alg = argc > 3 ? atoi(argv[3]) : DNSSEC_ALG_ECDSAP256SHA256;
	char dir[] = "/tmp/dynsign_bench.XXXXXX", path[600], why[512], *base;
	char *conf;
	size_t o, cap = 65536;
	struct world *w;
	double *ms;
	uint64_t sigs = 0;
	FILE *f;

	if (nsrv < 1 || nsrv > 200 || changes < 1)
		return 2;
	rcu_register_thread();
	if (mkdtemp(dir) == NULL ||
	    dnssec_keygen(dir, "mail.example.com.", alg, &base, why,
	    sizeof(why)) != 0) {
		fprintf(stderr, "dynsign_bench: keygen: %s\n", why);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/mail.zone", dir);
	if ((f = fopen(path, "w")) == NULL)
		return 1;
	fprintf(f, "$ORIGIN mail.example.com.\n$TTL 300\n"
	    "@ SOA ns1 hostmaster 1 3600 600 86400 60\n@ NS ns1\n"
	    "ns1 A 127.0.0.53\n@ 30 DYNMX inbound\nsmtp 30 DYNA inbound\n");
	fclose(f);
	conf = malloc(cap);
	o = (size_t)snprintf(conf, cap, "listen = [ \"127.0.0.1:5353\" ];\n"
	    "zones = ( { origin = \"mail.example.com.\"; template = "
	    "\"mail.zone\"; dnssec = { keys = [ \"%s\" ]; }; } );\n"
	    "pools = ( { name = \"inbound\"; servers = (\n", base);
	for (int i = 0; i < nsrv; i++)
		o += (size_t)snprintf(conf + o, cap - o, "{ name = \"mx%d\"; "
		    "address = [ \"10.0.0.%d\", \"2001:db8::%x\" ]; weight = %d; "
		    "}%s\n", i + 1, i + 1, i + 1, i + 1, i + 1 < nsrv ? "," : "");
	snprintf(conf + o, cap - o, "); } );\n");
	snprintf(path, sizeof(path), "%s/mx.conf", dir);
	if ((f = fopen(path, "w")) == NULL)
		return 1;
	fputs(conf, f);
	fclose(f);
	if ((w = world_load(path, stderr)) == NULL)
		return 1;
	ms = calloc((size_t)changes, sizeof(*ms));
	for (int c = 0; c < changes; c++) {
		struct pstate *ps = pstate_new(w->conf);
		double t0;

		ps->pools[0].servers[c % nsrv].up = false;
		pstate_pool_update(&ps->pools[0], &w->conf->pools[0]);
		ps->gen = (uint64_t)c + 1;
		t0 = clock_mono();
		if (dynsign_zones(w->conf, w->zones, w->nzones, ps) != 0)
			return 1;
		ms[c] = (clock_mono() - t0) * 1000.0;
		rcu_read_lock();
		sigs += dynsign_get(w->zones[0])->sigs;
		rcu_read_unlock();
		pstate_free(ps);
		if (c % 16 == 15)
			rcu_barrier();
	}
	qsort(ms, (size_t)changes, sizeof(*ms), dcmp);
	printf("dynsign: %d servers, algorithm %d, %u variants: %.1f "
	    "signatures per state change (DYNMX + DYNA A + AAAA), median "
	    "%.2f ms, worst %.2f ms over %d changes\n", nsrv, alg,
	    w->conf->zones[0].dnssec.variants, (double)sigs / changes,
	    ms[changes / 2], ms[changes - 1], changes);
	rcu_barrier();
	world_free(w);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path) != 0)
		return 1;
	free(conf);
	free(ms);
	free(base);
	rcu_unregister_thread();
	return 0;
}
