/* backend.c - the relay's backend choice: the first retries + 1 of the
 * pool's order (policy_order), or of its least-connections order. */
#include <string.h>

#include <urcu.h>

#include "dnsd/base/log.h"
#include "dnsd/policy.h"
#include "dnsd/relay/backend.h"

unsigned
relay_backend_order(struct relay_table *t, struct rng *rng, time_t *warned,
    int *cand)
{
	size_t n = t->pool.nservers, max = (size_t)t->retries + 1, got, j;
	struct pstate_server sv[n + 1];
	double key[n + 1];
	uint16_t idx[n + 1];
	struct pstate_pool view;
	const struct pstate_pool *pp;
	enum relay_state why;
	unsigned flags = 0;

	if (max > n)
		max = n;
	rcu_read_lock();
	pp = relay_table_state(t, &view, sv, &why);
	if (pp == NULL) {
		rcu_read_unlock();
		if (why == RELAY_STATE_MISMATCH) {
			time_t now = time(NULL);

			if (now != *warned) {
				*warned = now;
				log_warnx("relay: pool state does not match the "
				    "relay's config (pool %s): no backend "
				    "chosen", t->pool.name);
			}
		}
		return 0;
	}
	if (t->policy == CONF_RELAY_LEASTCONN) {
		for (j = 0; j < n; j++) {
			double w = pp->servers[j].eff_weight;

			key[j] = w > 0 ? (double)CNT_GET(&t->be[j].c->active) /
			    w : 0;
		}
		got = policy_order_by(&t->pool, pp, rng, key, idx, NULL, max,
		    &flags);
	} else
		got = policy_order(&t->pool, pp, rng, idx, NULL, max, &flags);
	rcu_read_unlock();

	/* All down: the order is the fail-open one, servers known to be
	 * down. The relay answers 421 instead (see backend.h). */
	if (flags & POLICY_F_ALLDOWN)
		return 0;
	for (j = 0; j < got; j++)
		cand[j] = idx[j];
	return (unsigned)got;
}
