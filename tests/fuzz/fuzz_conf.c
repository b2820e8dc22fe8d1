/* fuzz_conf.c - libFuzzer harness: a config text through conf_load_string, then pool state and policies on it. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsd/base/conf.h"
#include "dnsd/base/log.h"
#include "dnsd/policy.h"
#include "probes/pstate.h"
#include "tests/fuzz/fuzz.h"

/*
 * The input is the config file's text. A config that loads is then used
 * the way the daemon uses it: every pool is looked up by name, gets a pool
 * state (all up, then every other server down) and one policy_order() per
 * state, whose output must stay within the pool.
 * An @include of a path (libconfig reads it from the working directory)
 * is skipped: /dev/zero would hang any parser.
 */
static struct rng fc_rng;

int
fuzz_conf_init(void)
{
	log_init(LOG_LVL_ERR, 0, "fuzz_conf");
	rng_seed(&fc_rng, 1);
	return 0;
}

static void
fc_order(const struct conf_pool *cp, const struct pstate_pool *pp)
{
	uint16_t idx[POLICY_MAX_SERVERS], pref[POLICY_MAX_SERVERS];
	unsigned flags = 0;
	size_t n, i, max;

	max = policy_max(cp, true);
	FUZZ_CHECK(max <= POLICY_MAX_SERVERS);
	n = policy_order(cp, pp, &fc_rng, idx, pref, max, &flags);
	FUZZ_CHECK(n <= max);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(idx[i] < cp->nservers);
	if (flags & POLICY_F_RELAY)
		(void)policy_relay_pref(cp, pref, n);
	max = policy_max(cp, false);
	n = policy_order(cp, pp, &fc_rng, idx, NULL, max, NULL);
	FUZZ_CHECK(n <= max);
	(void)policy_ttl(cp, pp, 3600);
	if (pp != NULL) {	/* the relay's leastconn order */
		double key[POLICY_MAX_SERVERS];

		for (i = 0; i < POLICY_MAX_SERVERS; i++)
			key[i] = (double)(i % 3);
		n = policy_order_by(cp, pp, &fc_rng, key, idx, NULL, max, NULL);
		FUZZ_CHECK(n <= max);
	}
}

int
fuzz_conf_one(const uint8_t *data, size_t size)
{
	struct conf *conf;
	struct pstate *ps;
	char *text;
	size_t i, j, idx;

	if (fuzz_unsafe_include(data, size, "@include"))
		return 0;
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	conf = conf_load_string(text, "fuzz.conf", fuzz_devnull());
	free(text);
	if (conf == NULL)
		return 0;
	for (i = 0; i < conf->npools; i++) {
		const struct conf_pool *cp = &conf->pools[i];

		FUZZ_CHECK(conf_pool_find(conf, cp->name, &idx) != NULL);
		(void)conf_policy_name(cp->policy);
		(void)conf_probe_type_name(cp->probe.type);
		fc_order(cp, NULL);
	}
	if ((ps = pstate_new(conf)) != NULL) {
		for (i = 0; i < ps->npools; i++) {
			struct pstate_pool *pp = &ps->pools[i];

			fc_order(&conf->pools[i], pp);
			for (j = 0; j < pp->nservers; j += 2)
				pp->servers[j].up = false;
			pstate_pool_update(pp, &conf->pools[i]);
			fc_order(&conf->pools[i], pp);
		}
		pstate_free(ps);
	}
	conf_free(conf);
	return 0;
}

FUZZ_ENTRY(fuzz_conf_init, fuzz_conf_one)
