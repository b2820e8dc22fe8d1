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

/* DANE (RFC 7672) as the smtp probe judges a server (conf.h enum
 * conf_dane): the mode in effect, and the verdict of the last check that
 * reached one (a timeout or refused connection leaves it). */
enum pstate_dane_mode {
	PSTATE_DANE_OFF = 0,
	PSTATE_DANE_CHECK,		/* shown and counted */
	PSTATE_DANE_REQUIRE,		/* a mismatch fails the check */
};

enum pstate_dane {
	PSTATE_DANE_NONE = 0,		/* mode off: not judged */
	PSTATE_DANE_UNKNOWN,		/* not checked yet */
	PSTATE_DANE_MATCH,
	PSTATE_DANE_MISMATCH,
	PSTATE_DANE_NO_TLSA,		/* no usable TLSA record: PKIX */
	PSTATE_DANE_NO_STARTTLS,	/* TLSA published, STARTTLS not offered */
	PSTATE_DANE_ERROR,		/* the TLS handshake failed */
	PSTATE_DANE_NSTATES
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
	uint8_t  dane_mode;		/* enum pstate_dane_mode in effect */
	uint8_t  dane_state;		/* enum pstate_dane */
	uint16_t dane_tlsa;		/* usable TLSA records (usages 2, 3) */
	uint16_t dane_unusable;		/* TLSA records ignored (RFC 7671 4.1) */
	char     dane_match[64];	/* the record that matched, "3 1 1
					   0123abcd..."; "" unless match */
	char     dane_reason[96];	/* mismatch, no STARTTLS, error: why */
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

/* "off", "unknown", "match", "mismatch", "no_tlsa", "no_starttls",
 * "error" (inline: the status renderers link no probe code). */
static inline const char *
pstate_dane_name(unsigned state)
{
	static const char *const names[PSTATE_DANE_NSTATES] = {
		"off", "unknown", "match", "mismatch", "no_tlsa",
		"no_starttls", "error"
	};

	return state < PSTATE_DANE_NSTATES ? names[state] : "unknown";
}

/* "off", "check", "require". */
static inline const char *
pstate_dane_mode_name(unsigned mode)
{
	return mode == PSTATE_DANE_REQUIRE ? "require" :
	    mode == PSTATE_DANE_CHECK ? "check" : "off";
}

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
