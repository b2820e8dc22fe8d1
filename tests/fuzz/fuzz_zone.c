/* fuzz_zone.c - libFuzzer harness: a zone template through zone_load, compile, render and a few queries. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <urcu.h>

#include "dnsd/base/conf.h"
#include "dnsd/base/diag.h"
#include "dnsd/base/log.h"
#include "dnsd/query.h"
#include "dnsd/render.h"
#include "dnsd/world.h"
#include "probes/pstate.h"
#include "zones/compile.h"
#include "zones/zone.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/fuzz_dns.h"

/*
 * The input is the template of zone mail.example.com. in a fixed config
 * (pools "inbound": mx1, mx2 in the zone, a relay host; "outpool": hosts
 * outside it). A file "inc.zone" sits next to it for $INCLUDE. When the
 * template loads, it is compiled, rendered, and every node (up to
 * FZ_MAX_NODES) is asked for a few types over UDP and TCP, each response
 * checked like fuzz_query's.
 *
 * Templates are the operator's, not the network's: an $INCLUDE of
 * /dev/zero or /dev/stdin would hang any loader, so inputs that name a
 * path outside the template's directory in an $INCLUDE are skipped.
 */
#define FZ_MAX_NODES 48

static const char fz_conf[] =
    "listen = [ \"127.0.0.1:5353\" ];\n"
    "zones = ( { origin = \"mail.example.com.\"; template = \"%s\"; } );\n"
    "pools = (\n"
    " { name = \"inbound\"; relay_host = \"relay\"; servers = (\n"
    "   { name = \"mx1\"; address = [ \"192.0.2.11\", \"2001:db8::11\" ]; weight = 3; },\n"
    "   { name = \"mx2\"; address = [ \"192.0.2.12\" ]; } ); },\n"
    " { name = \"outpool\"; policy = \"failover\"; servers = (\n"
    "   { name = \"x1\"; host = \"x1.example.net.\"; address = [ \"203.0.113.1\" ]; },\n"
    "   { name = \"x2\"; host = \"x2.example.net.\"; address = [ \"203.0.113.2\" ]; tier = 1; } ); } );\n";

static const char fz_inc[] =
    "; included\n"
    "inc TXT \"from inc.zone\"\n"
    "inc2 30 DYNA inbound\n";

static struct conf *fz_conf_loaded;
static const struct pstate *fz_ps;
static struct query_thread *fz_thread;
static uint8_t *fz_buf;
static const char *fz_path;

int
fuzz_zone_init(void)
{
	char text[4096];
	struct pstate *ps;

	if (fz_conf_loaded != NULL)
		return 0;
	log_init(LOG_LVL_ERR, 0, "fuzz_zone");
	fuzz_rcu_register();
	fz_path = fuzz_tmp_path("z.zone");
	if (snprintf(text, sizeof(text), fz_conf, fz_path) >= (int)sizeof(text))
		abort();
	if ((fz_conf_loaded = conf_load_string(text, "fuzz_zone.conf",
	    stderr)) == NULL)
		abort();
	if ((ps = pstate_new(fz_conf_loaded)) == NULL)
		abort();
	ps->pools[0].servers[1].up = false;
	pstate_pool_update(&ps->pools[0], &fz_conf_loaded->pools[0]);
	fz_ps = ps;
	pstate_publish(ps);
	if ((fz_thread = query_thread_new()) == NULL ||
	    (fz_buf = malloc(65535)) == NULL)
		abort();
	return 0;
}

static void
fz_ask(struct world *w, struct zone *z)
{
	static const uint16_t types[] = { 1, 28, 15, 255, 16, 43, 2, 6 };
	uint8_t q[512];
	size_t i, k, qlen;

	rcu_read_lock();
	if (pstate_get() != fz_ps) {
		struct pstate *ps;

		rcu_read_unlock();
		if ((ps = pstate_new(fz_conf_loaded)) == NULL)
			abort();
		fz_ps = ps;
		pstate_publish(ps);
	} else
		rcu_read_unlock();
	for (i = 0; i < z->nnodes && i < FZ_MAX_NODES; i++) {
		const struct zone_node *node = z->nodes[i];

		for (k = 0; k < sizeof(types) / sizeof(types[0]); k++) {
			bool edns = (k & 1) != 0;

			qlen = fuzz_dns_query(q, node->name, node->namelen, types[k],
			    edns);
			(void)fuzz_dns_ask(w, fz_thread, q, qlen,
			    fz_buf + 65535 - 4096, 4096, QUERY_UDP);
			(void)fuzz_dns_ask(w, fz_thread, q, qlen, fz_buf, 65535,
			    QUERY_TCP);
		}
	}
}

int
fuzz_zone_one(const uint8_t *data, size_t size)
{
	struct world w;
	struct zone *z, *zones[1];
	struct diag d;

	if (fuzz_unsafe_include(data, size, "$include"))
		return 0;
	fuzz_write("inc.zone", fz_inc, strlen(fz_inc));
	fuzz_write("z.zone", data, size);
	if ((z = zone_load(fz_conf_loaded, &fz_conf_loaded->zones[0],
	    fuzz_devnull())) == NULL)
		return 0;
	diag_init(&d, fuzz_devnull(), NULL, DIAG_DIRECT);
	if (compile_zone(z, &d) == 0) {
		FUZZ_CHECK(render_zone(z, fz_conf_loaded, fuzz_devnull()) == 0);
		memset(&w, 0, sizeof(w));
		w.conf = fz_conf_loaded;
		zones[0] = z;
		w.zones = zones;
		w.nzones = 1;
		fz_ask(&w, z);
	}
	zone_free(z);
	return 0;
}

FUZZ_ENTRY(fuzz_zone_init, fuzz_zone_one)
