/* policy.h - answer policies: which servers, in which order, at which MX
 * preference, for one dynamic answer (DESIGN.md "Answer policies").
 *
 * Everything here is pure: no globals, no malloc, no locks, no I/O. The
 * inputs are the pool's config (struct conf_pool) and its current state
 * (struct pstate_pool, read once per query by the caller); the only other
 * input is the caller's per-thread random generator.
 *
 * Eligible server: pp->servers[i].eff_weight > 0 (pstate_pool_update makes
 * it weight x load factor x slow-start factor, 0 when down, drained, in
 * maintenance or fully loaded).
 *
 * Policies (policy_order):
 *
 *  weighted  The eligible servers in a weighted random order: sampling
 *            without replacement, each draw an exact roulette over the
 *            remaining effective weights (53-bit uniform double), so the
 *            first server is i with probability w_i / sum(w) exactly, even
 *            for 1:1000 or tiny weights. Preferences pref_base + k*pref_step
 *            along the order (10, 20, 30, ...).
 *
 *  equal     The same weighted order, every server at pref_base.
 *
 *  failover  Servers are grouped by cp->servers[i].tier. The *primary*
 *            tier is the lowest tier with at least cp->min_up eligible
 *            servers (min_up 0 counts as 1); when no tier has that many,
 *            the lowest tier with any eligible server is primary (degrade,
 *            never answer nothing while a server is up). The answer lists
 *            the primary tier first, then every other tier that has an
 *            eligible server, lowest tier number first (so a lower tier
 *            skipped for being under min_up still serves as a backup behind
 *            the primary). All servers of one tier share one preference, so
 *            senders spread over the tier as RFC 5321 asks for equal
 *            preferences; within the tier the order is weighted random, so
 *            senders that take the first record also spread by weight. The
 *            r-th tier listed (r = 0, 1, ...) is at pref_base + r*pref_step.
 *
 * Caps: `max` limits the number of *server* records written (the caller
 * passes policy_max(cp, true) for MX, which leaves room for the relay host,
 * or policy_max(cp, false) = max_addrs for A/AAAA). The cap cuts the order
 * after it is drawn: the first `max` entries are exactly the first `max` of
 * the uncapped order.
 *
 * Relay host: when cp->relay_host is set, *flags_out gets POLICY_F_RELAY:
 * "append the relay host as the last MX, at preference *relay_pref" (see
 * policy_order). A/AAAA answers ignore the flag.
 *
 * All servers ineligible (pp->nup == 0, or no server with eff_weight > 0):
 *  - cp->all_down == CONF_ALLDOWN_ALL (default): fail open, the order is
 *    drawn as if every server were up at its configured weight (and for
 *    failover every tier counts as fully up); flag POLICY_F_ALLDOWN.
 *  - CONF_ALLDOWN_RELAY with a relay host: zero servers, flags
 *    POLICY_F_RELAY | POLICY_F_ALLDOWN, relay at pref_base.
 *  - CONF_ALLDOWN_RELAY without a relay host (conf should reject it; if it
 *    does not): fail open as with "all".
 *  - CONF_ALLDOWN_SERVFAIL (fail closed): zero servers, no relay, flags
 *    POLICY_F_ALLDOWN | POLICY_F_SERVFAIL: the dynamic answer becomes
 *    SERVFAIL, a temporary failure on which every MTA queues and retries
 *    (an empty MX RRset would send it to the domain's A record, RFC 5321
 *    5.1). The relay answers 421 as in every all-down case.
 * pp == NULL (no snapshot published yet) is treated as "every server up at
 * its configured weight", without POLICY_F_ALLDOWN.
 *
 * Pools larger than POLICY_MAX_SERVERS: only the first POLICY_MAX_SERVERS
 * servers (config order) take part in policy_order; the others never appear
 * in dynamic answers (their host names still answer statically) and are
 * never relay backends. Cost: O(n * max) per call (O(n^2) with a key).
 */
#ifndef MXS_POLICY_H
#define MXS_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnsd/base/conf.h"
#include "dnsd/base/rng.h"
#include "probes/pstate.h"

#define POLICY_MAX_SERVERS 256

#define POLICY_F_RELAY   0x01	/* append cp->relay_host as the last MX */
#define POLICY_F_ALLDOWN 0x02	/* no server was eligible (all_down applied) */
#define POLICY_F_CAPPED  0x04	/* more servers were eligible than max */
#define POLICY_F_SERVFAIL 0x08	/* all down, all_down = "servfail": answer
				   SERVFAIL instead of records */

/*
 * The servers of one dynamic answer, in answer order.
 * \param cp         the pool's config
 * \param pp         its state (NULL: every server up at configured weight)
 * \param rng        the calling thread's generator
 * \param idx        out: up to max server indices (into cp->servers and
 *                   pp->servers), in answer order
 * \param pref       out: the MX preference of each (may be NULL)
 * \param max        most server records wanted (0 is allowed)
 * \param flags_out  out: POLICY_F_* (may be NULL)
 * \retval n         number of entries written to idx/pref (0..max)
 *
 * The relay host's preference, when POLICY_F_RELAY is set, is
 * policy_relay_pref(cp, pref, n).
 */
size_t policy_order(const struct conf_pool *cp, const struct pstate_pool *pp,
    struct rng *rng, uint16_t *idx, uint16_t *pref, size_t max,
    unsigned *flags_out);

/*
 * The same order with a ranking instead of the weighted draw: within each
 * group (the pool, or each failover tier, chosen exactly as above: primary
 * tier, min_up, all_down, caps, relay flag) servers come in ascending
 * key[i] (i = server index in cp->servers; key has cp->nservers entries).
 * Ties: a weighted random order when rng is set, config order when rng is
 * NULL (deterministic). Uses: the relay's leastconn (key = active sessions
 * / weight), `mxspread render` (key = -weight, rng NULL, pp NULL: every
 * server up, heaviest first). key NULL is policy_order() itself.
 */
size_t policy_order_by(const struct conf_pool *cp,
    const struct pstate_pool *pp, struct rng *rng, const double *key,
    uint16_t *idx, uint16_t *pref, size_t max, unsigned *flags_out);

/*
 * The chance of each server to come first in policy_order's answer, as
 * weights (not normalized): the effective weight of the servers that can
 * be drawn first (failover: those of the primary tier), 0 for the others.
 * For the DNSSEC signer (dnsd/dynsign.h), which apportions its signed
 * variants' first preferences to these. rng: one draw for the failover
 * tier.
 * \param w   cp->nservers entries (at most POLICY_MAX_SERVERS)
 * \retval n  entries written
 */
size_t policy_first_weights(const struct conf_pool *cp,
    const struct pstate_pool *pp, struct rng *rng, double *w);

/* The MX preference of the rank-th group: pref_base + rank * pref_step,
 * capped at 65535. */
static inline uint16_t
policy_pref_at(const struct conf_pool *cp, size_t rank)
{
	uint64_t p = (uint64_t)cp->pref_base + (uint64_t)rank * cp->pref_step;

	return p > 65535 ? 65535 : (uint16_t)p;
}

/*
 * Preference of the relay host record appended after n server records.
 * \retval pref_base                    when n == 0
 * \retval pref[n-1] + pref_step        otherwise (capped at 65535)
 */
static inline uint16_t
policy_relay_pref(const struct conf_pool *cp, const uint16_t *pref, size_t n)
{
	uint32_t p;

	if (n == 0 || pref == NULL)
		return policy_pref_at(cp, 0);
	p = (uint32_t)pref[n - 1] + cp->pref_step;
	return p > 65535 ? 65535 : (uint16_t)p;
}

/*
 * The `max` to pass to policy_order.
 * \param mx   true: MX answer: max_mx, minus one slot for the relay host
 *             when cp->relay_host is set (at least 1); false: max_addrs
 * \retval cap (never above POLICY_MAX_SERVERS)
 */
static inline size_t
policy_max(const struct conf_pool *cp, bool mx)
{
	size_t cap;

	if (mx) {
		cap = cp->max_mx;
		if (cp->relay_host != NULL && cap > 1)
			cap--;
		if (cap == 0)
			cap = 1;
	} else {
		cap = cp->max_addrs;
	}
	return cap > POLICY_MAX_SERVERS ? POLICY_MAX_SERVERS : cap;
}

/*
 * SRV answers (DYNSRV, RFC 2782 / RFC 6186) take the same order, with
 * priorities and weights instead of MX preferences:
 *  - priority: failover pools, the preference policy_order gives (the r-th
 *    tier listed at pref_base + r * pref_step); weighted and equal pools,
 *    pref_base for every record: the client's weighted pick among one
 *    priority (RFC 2782) then spreads by weight, as the draw does;
 *  - weight: the server's effective weight, kept as is when every weight
 *    of the answer is an integer in 1..65535 (the usual case: no load or
 *    slow-start factor below 1), so answers read like the config;
 *    otherwise scaled by one factor so that the largest is 65535, each at
 *    least 1 (a 0 would mean "hardly ever", RFC 2782), which keeps every
 *    ratio to 1/65535 of the largest. Fail open (POLICY_F_ALLDOWN) and no
 *    state (pp NULL) use the configured weights, as policy_order does.
 *  - count: at most max_mx records (policy_max_srv); the relay host is
 *    never an SRV target (it relays SMTP on port 25, not submission or
 *    IMAP at the DYNSRV port).
 */

/* The `max` to pass to policy_order for an SRV answer. */
static inline size_t
policy_max_srv(const struct conf_pool *cp)
{
	return cp->max_mx > POLICY_MAX_SERVERS ? POLICY_MAX_SERVERS :
	    cp->max_mx;
}

/* The SRV priority of the k-th server of policy_order's answer. */
static inline uint16_t
policy_srv_priority(const struct conf_pool *cp, const uint16_t *pref,
    size_t k)
{
	return cp->policy == CONF_POLICY_FAILOVER ? pref[k] :
	    policy_pref_at(cp, 0);
}

/*
 * SRV weights of the n servers idx[] (policy_order's output with its flags).
 * \param out  n weights, each 1..65535
 */
void policy_srv_weights(const struct conf_pool *cp,
    const struct pstate_pool *pp, const uint16_t *idx, size_t n,
    unsigned flags, uint16_t *out);

/*
 * The addresses of a DYNA answer, one at a time: the servers idx[0..nidx)
 * in answer order, each one's addresses of family fam in config order, at
 * most cp->max_addrs in all. Start with a zeroed struct policy_addrs.
 * \retval NULL  no more
 */
struct policy_addrs {
	size_t k, a, n;
};

static inline const struct conf_ip *
policy_addr_next(const struct conf_pool *cp, const uint16_t *idx, size_t nidx,
    int fam, struct policy_addrs *it)
{
	while (it->n < cp->max_addrs && it->k < nidx) {
		const struct conf_server *s = &cp->servers[idx[it->k]];

		while (it->a < s->naddrs) {
			const struct conf_ip *ip = &s->addrs[it->a++];

			if (ip->family == fam) {
				it->n++;
				return ip;
			}
		}
		it->k++;
		it->a = 0;
	}
	return NULL;
}

/*
 * TTL of a dynamic answer. (These three are inline: every dynamic answer
 * calls them.)
 * \retval min(ttl, cp->ttl_degraded)  when pp->degraded and ttl_degraded > 0
 * \retval ttl                         otherwise (also when pp is NULL)
 */
static inline uint32_t
policy_ttl(const struct conf_pool *cp, const struct pstate_pool *pp,
    uint32_t ttl)
{
	if (pp != NULL && pp->degraded && cp->ttl_degraded > 0 &&
	    cp->ttl_degraded < ttl)
		return cp->ttl_degraded;
	return ttl;
}

#endif
