/* backend.h - the relay's backend choice: which backends a new session
 * tries, in which order.
 *
 * Built on the one pool order (dnsd/policy.h), over the table's copy of
 * the pool's config and the pool state read through the table
 * (relay_table_state, the reload fence included), so the relay honours
 * everything DNS answers do: failover tiers and min_up, drain and
 * maintenance, load and slow-start factors.
 *
 *  relay policy "weighted"   policy_order(): the pool's own order (a
 *                            weighted random order; for a failover pool
 *                            the primary tier first, weighted within it).
 *  relay policy "leastconn"  policy_order_by() with key = active sessions
 *                            / effective weight: the least loaded first
 *                            (within each failover tier), ties in a
 *                            weighted random order.
 *
 * The first retries + 1 entries of that order are the candidates; a
 * session tries them in turn until one connects.
 *
 * No candidate at all (no eligible server, no pool state yet, or one of
 * another layout): the session answers 421 4.3.2 and the sender retries
 * later. The relay never fails open the way DNS answers do with all_down
 * = "all": when policy_order reports POLICY_F_ALLDOWN its order lists
 * servers the probes found down, and connecting to those would only delay
 * the 421. The pool's relay host is never a backend.
 */
#ifndef MXS_RELAY_BACKEND_H
#define MXS_RELAY_BACKEND_H

#include <time.h>

#include "dnsd/base/rng.h"
#include "dnsd/relay/table.h"

/*
 * The backends to try for one new session, best first.
 * \param t       the session's table
 * \param rng     the calling thread's generator
 * \param warned  the calling thread's time of its last "pool state does
 *                not match" warning (at most one a second per thread)
 * \param cand    out: backend indexes into t->be, at least t->nbe entries
 * \retval n      number of candidates (0..min(t->retries + 1, t->nbe))
 */
unsigned relay_backend_order(struct relay_table *t, struct rng *rng,
    time_t *warned, int *cand);

#endif
