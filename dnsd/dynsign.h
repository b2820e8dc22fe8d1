/* dynsign.h - signed variants of the dynamic RRsets of signed zones, made when the pool state changes.
 *
 * A signature covers an RRset in canonical order (RFC 4034 6.3), so the
 * order of records in an answer needs none, but a different preference
 * assignment or a different subset of servers does. The query path never
 * signs: for each name with DYNMX/DYNA/DYNSRV records of a signed zone
 * (struct sign_zone.dyn), dynsign_build() prepares, from one pool-state
 * snapshot, a bounded set of signed variants per dynamic RRset and the
 * query path picks one (dynsign_pick) and copies it.
 *
 * Variants: `variants` (dnssec.variants, default 200) answers per RRset,
 * each drawn with policy_order_by() (dnsd/policy.h, the one pool order)
 * with its first server fixed: the number of variants that list server s
 * first is its share of policy_first_weights() apportioned by largest
 * remainder, so first-preference shares are within 1/variants of the
 * weights (0.5 points at 200); the rest of each order is the usual
 * weighted draw. The variants are shuffled once and a thread walks them in
 * turn (its own counter), so the shares hold over any run of answers, not
 * only on average. Variants whose records are the same set share one
 * signature (an A RRset of every server: one signature for all).
 * TTLs: the records carry the TTL served for that state (policy_ttl:
 * ttl_degraded), the RRSIG's original TTL is the configured one (RFC 4035
 * 5.3.3 lets a validator accept the lower TTL).
 *
 * The NSEC of each such name is chosen per query from the mask of the same
 * snapshot (which dynamic RRsets are non-empty): a DYNA with no eligible
 * IPv6 server gives NODATA for AAAA with an NSEC whose bitmap has no AAAA
 * (all bitmaps are signed at world load, zones/sign.h).
 *
 * Publishing: each signed zone holds its current set in
 * z->sec->dyn_current (RCU pointer); world_build() makes the first one
 * (every server up), then the signer thread (dnsd/signer.h) rebuilds
 * every set whose pool-state generation is not the current one, a few
 * milliseconds after a change, and swaps it in. A reader without a set
 * (never: world_build makes one) would answer SERVFAIL rather than
 * unsigned.
 */
#ifndef MXS_DYNSIGN_H
#define MXS_DYNSIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <urcu.h>

#include "dnsd/base/rng.h"
#include "probes/pstate.h"
#include "zones/sign.h"
#include "zones/zone.h"

/* One signed answer of one dynamic RRset: the answer records in answer
 * order and their RRSIG, owners pointers set per query (own[]). No
 * additional data (signed answers carry none: zones/compile.h). */
struct dynsign_var {
	uint8_t  *wire;
	uint16_t  len;
	uint16_t  an;		/* records, the RRSIG included */
	uint16_t *own;		/* positions of owner pointers to set */
	uint16_t  nown;
	uint16_t  first;	/* server listed first, UINT16_MAX: none */
};

/* The variants of one RRset; n == 0: empty (NODATA), unless servfail. */
struct dynsign_set {
	uint16_t            n;
	bool                servfail;	/* all down, all_down = "servfail" */
	uint16_t            pool;
	struct dynsign_var *v;
};

#define DYNSIGN_MX   0
#define DYNSIGN_A    1
#define DYNSIGN_AAAA 2
#define DYNSIGN_SRV  3
#define DYNSIGN_NKIND 4

struct dynsign_name {
	struct dynsign_set set[DYNSIGN_NKIND];
	uint8_t            mask;	/* SIGN_DYN_* of the non-empty sets: the
					   NSEC variant to serve */
};

/* z->sec->dyn_current */
struct dynsign {
	struct rcu_head      rcu;
	uint64_t             gen;	/* pstate generation built from (0: none) */
	size_t               n;		/* == z->sec->ndyn */
	struct dynsign_name *names;	/* by slot */
	uint64_t             sigs;	/* signatures this build made */
	double               ms;	/* how long it took */
	int64_t              built_ms;	/* unix ms */
};

/*
 * Build the variants of zone z (signed) of config conf from snapshot ps (NULL:
 * every server up) with keys z->sec->keys[0].
 * \retval set   caller owns (dynsign_publish or dynsign_free)
 * \retval NULL  out of memory or a signing failure (logged)
 */
struct dynsign *dynsign_build(const struct conf *conf, const struct zone *z,
    const struct pstate *ps, struct rng *rng);

void dynsign_free(void *p);

/* Swap set in as z's current one; the old one is freed after a grace
 * period. */
void dynsign_publish(struct zone *z, struct dynsign *set);

/* Build and publish, for every signed zone of zones (a world's), from
 * ps. \retval 0 ok, -1 at least one zone failed (its old set stays) */
int dynsign_zones(const struct conf *conf, struct zone *const *zones,
    size_t nzones, const struct pstate *ps);

/* Totals since start for /metrics and /status.json. */
struct dynsign_stats {
	uint64_t builds;
	uint64_t failures;
	uint64_t sigs;
	double   last_ms;	/* duration of the last build of all zones */
	int64_t  last_at_ms;	/* unix ms */
	uint64_t resigns;		/* background re-signing loads done */
	uint64_t resign_failures;	/* and failed */
	int64_t  resign_failed_ms;	/* unix ms of the last failure, 0 none */
	bool     resign_failing;	/* the last attempt failed */
	char     resign_error[160];	/* why, "" */
};
void dynsign_stats_get(struct dynsign_stats *out);

/* The daemon's background re-signing: one attempt done (why: NULL on
 * success). */
void dynsign_resign_note(bool ok, const char *why);

/* The current set of z (inside rcu_read_lock), or NULL. */
static inline const struct dynsign *
dynsign_get(const struct zone *z)
{
	return z->sec != NULL ? rcu_dereference(z->sec->dyn_current) : NULL;
}

#endif
