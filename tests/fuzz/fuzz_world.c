/* fuzz_world.c - libFuzzer harness: a config and a template together, loaded, compiled and queried. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <urcu.h>

#include "dnsd/base/conf.h"
#include "dnsd/base/log.h"
#include "dnsd/query.h"
#include "dnsd/render.h"
#include "dnsd/world.h"
#include "probes/pstate.h"
#include "zones/zone.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/fuzz_dns.h"

/*
 * Where fuzz_zone keeps the config fixed, this one fuzzes both: pools with
 * any policy, caps, preferences, relay hosts and host names meet any
 * template. Input: the config text, a line "%%", the template text. Every
 * configured zone (configs with more than FW_MAX_ZONES are skipped) is
 * loaded from that one template, whatever path the config names. The world
 * is built by world_build(), as world_load() builds it, a pool state is
 * published in which every third server is down and every fifth drained,
 * and every node is asked MX, A, AAAA and ANY over UDP and TCP, dynamic
 * answers through the fast paths and through the general path; responses
 * are checked as in fuzz_query.
 */
#define FW_MAX_ZONES 3
#define FW_MAX_NODES 32

static struct query_thread *fw_thread;
static uint8_t *fw_buf;
static const char *fw_path;

int
fuzz_world_init(void)
{
	if (fw_thread != NULL)
		return 0;
	log_init(LOG_LVL_ERR, 0, "fuzz_world");
	fuzz_rcu_register();
	fw_path = fuzz_tmp_path("w.zone");
	if ((fw_thread = query_thread_new()) == NULL ||
	    (fw_buf = malloc(65535)) == NULL)
		abort();
	return 0;
}

static void
fw_publish(const struct conf *conf)
{
	struct pstate *ps;
	size_t i, j;

	if ((ps = pstate_new(conf)) == NULL)
		abort();
	for (i = 0; i < ps->npools; i++) {
		struct pstate_pool *pp = &ps->pools[i];

		for (j = 0; j < pp->nservers; j++) {
			if (j % 3 == 1)
				pp->servers[j].up = false;
			if (j % 5 == 4)
				pp->servers[j].admin = PSTATE_ADMIN_DRAIN;
			if (j % 4 == 2)
				pp->servers[j].load_factor = 0.5;
		}
		pstate_pool_update(pp, &conf->pools[i]);
	}
	pstate_publish(ps);
}

static void
fw_ask(const struct world *w)
{
	static const uint16_t types[] = { 15, 1, 28, 255 };
	uint8_t q[512];
	size_t zi, i, k, qlen;

	for (zi = 0; zi < w->nzones; zi++) {
		const struct zone *z = w->zones[zi];

		for (i = 0; i < z->nnodes && i < FW_MAX_NODES; i++) {
			const struct zone_node *node = z->nodes[i];

			for (k = 0; k < sizeof(types) / sizeof(types[0]); k++) {
				query_thread_fast(fw_thread, (k & 1) == 0);
				qlen = fuzz_dns_query(q, node->name,
				    node->namelen, types[k], k >= 2);
				(void)fuzz_dns_ask(w, fw_thread, q, qlen,
				    fw_buf + 65535 - 4096, 4096, QUERY_UDP);
				(void)fuzz_dns_ask(w, fw_thread, q, qlen, fw_buf,
				    65535, QUERY_TCP);
			}
		}
	}
	query_thread_fast(fw_thread, true);
}

int
fuzz_world_one(const uint8_t *data, size_t size)
{
	static const char sep[] = "\n%%\n";
	const uint8_t *tmpl = NULL;
	struct world *w;
	struct conf *conf;
	char *text;
	size_t i, clen = size;

	for (i = 0; i + sizeof(sep) - 1 <= size; i++)
		if (memcmp(data + i, sep, sizeof(sep) - 1) == 0) {
			clen = i + 1;
			tmpl = data + i + sizeof(sep) - 1;
			break;
		}
	if (tmpl == NULL)
		return 0;
	if (fuzz_unsafe_include(data, size, "@include") ||
	    fuzz_unsafe_include(data, size, "$include"))
		return 0;
	if ((text = malloc(clen + 1)) == NULL)
		return 0;
	memcpy(text, data, clen);
	text[clen] = '\0';
	conf = conf_load_string(text, "fuzz_world.conf", fuzz_devnull());
	free(text);
	if (conf == NULL)
		return 0;
	if (conf->nzones > FW_MAX_ZONES) {
		conf_free(conf);
		return 0;
	}
	fuzz_write("w.zone", tmpl, size - (size_t)(tmpl - data));
	for (i = 0; i < conf->nzones; i++) {
		char *path;

		/* The template is ours, whatever the config says. */
		if ((path = strdup(fw_path)) == NULL)
			abort();
		free(conf->zones[i].template);
		conf->zones[i].template = path;
	}
	if ((w = world_build(conf, fuzz_devnull())) == NULL)
		return 0;
	for (i = 0; i < w->nzones; i++)
		FUZZ_CHECK(render_zone(w->zones[i], w->conf,
		    fuzz_devnull()) == 0);
	if (w->nzones > 0) {
		fw_publish(w->conf);
		fw_ask(w);
	}
	world_free(w);
	return 0;
}

FUZZ_ENTRY(fuzz_world_init, fuzz_world_one)
