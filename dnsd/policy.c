/* policy.c - answer policies: weighted/equal/failover order of a pool's servers. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "dnsd/policy.h"

static inline bool
eligible_weight(double w)
{
	return w > 0 && isfinite(w);
}

/*
 * Weighted sampling without replacement, in place: after the call
 * ci[0..k) is the drawn order (k = min(m, want)). Each draw is a roulette
 * over the weights still in ci[k..m); the sum is recomputed per draw in
 * the same order as the walk, so the walk's last partial sum equals it
 * bit for bit and no drift accumulates.
 */
static size_t
draw_weighted(struct rng *rng, uint16_t *ci, double *cw, size_t m,
    size_t want)
{
	size_t k, j;

	if (want > m)
		want = m;
	for (k = 0; k < want; k++) {
		double sum = 0, acc = 0, u;
		uint16_t ti;
		double tw;

		if (k + 1 == m)
			break;		/* the last one needs no draw */
		for (j = k; j < m; j++)
			sum += cw[j];
		u = rng_double(rng) * sum;
		for (j = k; j < m; j++) {
			acc += cw[j];
			if (u < acc)
				break;
		}
		if (j >= m)		/* u rounded up to sum */
			j = m - 1;
		ti = ci[k]; ci[k] = ci[j]; ci[j] = ti;
		tw = cw[k]; cw[k] = cw[j]; cw[j] = tw;
	}
	return want;
}

/*
 * The order within one group (the whole pool, or one failover tier):
 * without key, the weighted draw; with key, ascending key, ties in a
 * weighted random order (rng) or in config order (rng NULL). Insertion
 * sort: stable, and groups are at most POLICY_MAX_SERVERS long.
 */
static size_t
order_group(struct rng *rng, const double *key, uint16_t *ci, double *cw,
    size_t m, size_t want)
{
	size_t i, j;

	if (key == NULL)
		return draw_weighted(rng, ci, cw, m, want);
	if (rng != NULL)
		(void)draw_weighted(rng, ci, cw, m, m);
	for (i = 1; i < m; i++) {
		uint16_t ti = ci[i];
		double tw = cw[i];

		for (j = i; j > 0 && key[ti] < key[ci[j - 1]]; j--) {
			ci[j] = ci[j - 1];
			cw[j] = cw[j - 1];
		}
		ci[j] = ti;
		cw[j] = tw;
	}
	return want < m ? want : m;
}

/*
 * The servers that take part in an answer and their weights: the eligible
 * ones, or on all down what all_down says (fail open: every server at
 * its configured weight; "relay" and "servfail": none, with the flags).
 * \retval m  entries in ci/cw
 */
static size_t
candidates(const struct conf_pool *cp, const struct pstate_pool *pp,
    uint16_t *ci, double *cw, unsigned *flagsp)
{
	size_t n, m = 0, i;
	unsigned flags = 0;

	n = cp->nservers;
	if (pp != NULL && pp->nservers < n)
		n = pp->nservers;
	if (n > POLICY_MAX_SERVERS)
		n = POLICY_MAX_SERVERS;

	if (pp != NULL) {
		for (i = 0; i < n; i++) {
			double w = pp->servers[i].eff_weight;

			if (eligible_weight(w)) {
				ci[m] = (uint16_t)i;
				cw[m] = w;
				m++;
			}
		}
	}
	if (m == 0 && (pp == NULL || n > 0)) {
		if (pp != NULL) {
			flags |= POLICY_F_ALLDOWN;
			if (cp->all_down == CONF_ALLDOWN_SERVFAIL) {
				flags |= POLICY_F_SERVFAIL;
				goto done;
			}
			if (cp->all_down == CONF_ALLDOWN_RELAY &&
			    cp->relay_host != NULL) {
				flags |= POLICY_F_RELAY;
				goto done;
			}
		}
		/* Fail open: everyone at the configured weight. */
		for (i = 0; i < n; i++) {
			ci[m] = (uint16_t)i;
			cw[m] = cp->servers[i].weight > 0 ?
			    (double)cp->servers[i].weight : 1.0;
			m++;
		}
	}
done:
	*flagsp = flags;
	return m;
}

size_t
policy_order(const struct conf_pool *cp, const struct pstate_pool *pp,
    struct rng *rng, uint16_t *idx, uint16_t *pref, size_t max,
    unsigned *flags_out)
{
	return policy_order_by(cp, pp, rng, NULL, idx, pref, max, flags_out);
}

size_t
policy_order_by(const struct conf_pool *cp, const struct pstate_pool *pp,
    struct rng *rng, const double *key, uint16_t *idx, uint16_t *pref,
    size_t max, unsigned *flags_out)
{
	uint16_t ci[POLICY_MAX_SERVERS];
	double cw[POLICY_MAX_SERVERS];
	size_t m, i, out = 0;
	unsigned flags = 0;

	m = candidates(cp, pp, ci, cw, &flags);
	if (flags & (POLICY_F_SERVFAIL | POLICY_F_RELAY))
		goto done;	/* all down: "servfail" or "relay" */
	if (cp->relay_host != NULL)
		flags |= POLICY_F_RELAY;
	if (m > max)
		flags |= POLICY_F_CAPPED;
	if (m == 0 || max == 0)
		goto done;

	if (cp->policy != CONF_POLICY_FAILOVER) {
		out = order_group(rng, key, ci, cw, m, max);
		for (i = 0; i < out; i++) {
			idx[i] = ci[i];
			if (pref != NULL)
				pref[i] = cp->policy == CONF_POLICY_EQUAL ?
				    policy_pref_at(cp, 0) : policy_pref_at(cp, i);
		}
		goto done;
	} else {
		/* Failover: find the tiers present, ascending. */
		unsigned tiers[POLICY_MAX_SERVERS];
		size_t tcount[POLICY_MAX_SERVERS];
		size_t ntiers = 0, t, primary, rank = 0, pass;
		unsigned min_up = cp->min_up > 0 ? cp->min_up : 1;
		long cur = -1;

		for (;;) {
			long best = -1;

			for (i = 0; i < m; i++) {
				long tv = (long)cp->servers[ci[i]].tier;

				if (tv > cur && (best < 0 || tv < best))
					best = tv;
			}
			if (best < 0)
				break;
			tiers[ntiers] = (unsigned)best;
			tcount[ntiers] = 0;
			for (i = 0; i < m; i++)
				if (cp->servers[ci[i]].tier == (unsigned)best)
					tcount[ntiers]++;
			ntiers++;
			cur = best;
		}
		primary = 0;	/* lowest tier with any eligible server */
		for (t = 0; t < ntiers; t++) {
			if (tcount[t] >= min_up) {
				primary = t;
				break;
			}
		}
		/* pass 0: the primary tier; pass 1..: the others ascending. */
		for (pass = 0; pass <= ntiers && out < max; pass++) {
			uint16_t tci[POLICY_MAX_SERVERS];
			double tcw[POLICY_MAX_SERVERS];
			size_t tm = 0, got, tt;

			if (pass == 0)
				tt = primary;
			else if (pass - 1 == primary)
				continue;
			else
				tt = pass - 1;
			for (i = 0; i < m; i++) {
				if (cp->servers[ci[i]].tier == tiers[tt]) {
					tci[tm] = ci[i];
					tcw[tm] = cw[i];
					tm++;
				}
			}
			got = order_group(rng, key, tci, tcw, tm, max - out);
			for (i = 0; i < got; i++) {
				idx[out] = tci[i];
				if (pref != NULL)
					pref[out] = policy_pref_at(cp, rank);
				out++;
			}
			rank++;
		}
	}
done:
	if (flags_out != NULL)
		*flags_out = flags;
	return out;
}

size_t
policy_first_weights(const struct conf_pool *cp, const struct pstate_pool *pp,
    struct rng *rng, double *w)
{
	uint16_t ci[POLICY_MAX_SERVERS], first;
	double cw[POLICY_MAX_SERVERS];
	unsigned flags = 0;
	size_t m, n = cp->nservers < POLICY_MAX_SERVERS ? cp->nservers :
	    POLICY_MAX_SERVERS;

	for (size_t i = 0; i < n; i++)
		w[i] = 0;
	m = candidates(cp, pp, ci, cw, &flags);
	if (m == 0)
		return n;
	/* failover: only the primary tier comes first; the one draw says
	 * which tier that is (policy_order_by chooses it, not this) */
	if (cp->policy == CONF_POLICY_FAILOVER &&
	    policy_order(cp, pp, rng, &first, NULL, 1, NULL) == 1) {
		for (size_t k = 0; k < m; k++)
			if (cp->servers[ci[k]].tier == cp->servers[first].tier)
				w[ci[k]] = cw[k];
		return n;
	}
	for (size_t k = 0; k < m; k++)
		w[ci[k]] = cw[k];
	return n;
}

void
policy_srv_weights(const struct conf_pool *cp, const struct pstate_pool *pp,
    const uint16_t *idx, size_t n, unsigned flags, uint16_t *out)
{
	double w[POLICY_MAX_SERVERS], max = 0;
	bool integral = true;
	size_t k;

	if (n > POLICY_MAX_SERVERS)
		n = POLICY_MAX_SERVERS;
	for (k = 0; k < n; k++) {
		size_t i = idx[k];

		if (pp != NULL && !(flags & POLICY_F_ALLDOWN) &&
		    i < pp->nservers)
			w[k] = pp->servers[i].eff_weight;
		else
			w[k] = i < cp->nservers && cp->servers[i].weight > 0 ?
			    (double)cp->servers[i].weight : 1.0;
		if (!eligible_weight(w[k]))
			w[k] = 0;
		if (w[k] > max)
			max = w[k];
		if (w[k] < 1 || w[k] > 65535 || w[k] != floor(w[k]))
			integral = false;
	}
	for (k = 0; k < n; k++) {
		double v;

		if (integral)
			v = w[k];
		else if (max > 0)
			v = floor(w[k] * (65535.0 / max) + 0.5);
		else
			v = 1;
		out[k] = v < 1 ? 1 : v > 65535 ? 65535 : (uint16_t)v;
	}
}
