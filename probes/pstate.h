/* pstate.h - the pool-state snapshot: the one place where probe results
 * meet answers.
 *
 * The probe engine owns the writer side: whenever a server's health,
 * admin state or effective weight changes it builds a new snapshot and
 * publishes it with pstate_publish() (an RCU pointer swap, liburcu). The DNS
 * workers, the relay and the status endpoint read it without locks:
 *
 *     rcu_read_lock();
 *     const struct pstate *ps = pstate_get();
 *     ... use ps->pools[i].servers[j] ...
 *     rcu_read_unlock();
 *
 * Every thread that reads must have called rcu_register_thread().
 * A snapshot is immutable once published and freed after a grace period.
 * Index of pools[] = index in conf->pools; of servers[] = conf order.
 *
 * This header includes neither curl nor ldns.
 */
#ifndef MXS_PSTATE_H
#define MXS_PSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <urcu.h>

#include "dnsd/base/conf.h"

enum pstate_admin {
	PSTATE_ADMIN_ENABLED = 0,
	PSTATE_ADMIN_DRAIN,		/* no new answers / relay connections */
	PSTATE_ADMIN_MAINT,		/* as drain, and probes' results ignored */
};

struct pstate_server {
	bool     up;			/* health after rise/fall */
	uint8_t  admin;			/* enum pstate_admin, operator's */
	uint8_t  agent_admin;		/* enum pstate_admin, from an agent probe */
	double   load;			/* smoothed load in percent; < 0 unknown */
	double   load_factor;		/* [0,1]; 1 without a load probe */
	double   slowstart_factor;	/* (0,1]; 1 when not ramping */
	double   eff_weight;		/* weight x load x slowstart; 0 if excluded */
	uint32_t transitions;		/* health changes since start */
	int64_t  since_ms;		/* unix ms of the last health change */
	int32_t  cert_days;		/* STARTTLS certificate days left; INT32_MIN unknown */
	char     reason[96];		/* why the last check failed; "" if it passed */
};

struct pstate_pool {
	size_t                nservers;
	unsigned              nup;		/* servers with eff_weight > 0 */
	bool                  degraded;		/* some server down/drained/maint */
	double                total_weight;	/* sum of eff_weight */
	struct pstate_server *servers;
};

struct pstate {
	struct rcu_head     rcu;
	uint64_t            gen;		/* set by pstate_publish(): unique and
					   increasing for the process */
	size_t              npools;
	struct pstate_pool *pools;
	/* pools and their servers follow in the same allocation */
};

/*
 * A new snapshot for conf: every server up, enabled, factors 1.
 * \retval snapshot  caller owns until published (pstate_free otherwise)
 * \retval NULL      out of memory
 */
struct pstate *pstate_new(const struct conf *conf);

/* A deep copy (one allocation). NULL on out of memory. */
struct pstate *pstate_clone(const struct pstate *ps);

void pstate_free(struct pstate *ps);

/* Recompute eff_weight, nup, degraded, total_weight of one pool from its
 * servers' fields and the configured weights. */
void pstate_pool_update(struct pstate_pool *pp, const struct conf_pool *cp);

/* The current snapshot; call inside rcu_read_lock(). NULL before the first
 * publish. */
const struct pstate *pstate_get(void);

/* Publish ps (ownership passes) and free the previous one after a grace
 * period. Single writer at a time (the probe thread, or main at start). */
void pstate_publish(struct pstate *ps);

/* Free the current snapshot at shutdown (after all readers stopped). */
void pstate_shutdown(void);

#endif
