/* selfcheck.h - what the status thread samples on its timer: the DNS
 * self-check behind /healthz and the first-preference counters behind the
 * observed share.
 *
 * Self-check: an SOA query for the first zone, over UDP, to the first DNS
 * listen address (a wildcard address: to loopback), sent from a socket on
 * the status thread's event base, so the check never blocks; the workers are
 * healthy while the last answer is younger than STATUS_HEALTH_MS.
 *
 * Share window: once a second, one row of query_first_pref() for every
 * server of the world (pool-major order), in a ring of
 * STATUS_SHARE_WINDOW + 1 rows; the newest row minus the oldest is how
 * often each server was listed first over the window. A new world (or one
 * reloaded at the same address) starts a fresh ring.
 *
 * Everything here runs on the status thread (status_selfcheck_free() after
 * it stopped); nothing locks.
 */
#ifndef MXS_STATUS_SELFCHECK_H
#define MXS_STATUS_SELFCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "dnsd/world.h"

#define STATUS_SHARE_WINDOW 60		/* seconds of observed share */
#define STATUS_HEALTH_MS    3000	/* healthy: a DNS answer younger */

/*
 * One tick of the status timer, inside the caller's RCU read-side section
 * that holds w: a self-check query when unhealthy or when second is true;
 * a share row when second is true. Failures are logged and retried on the
 * next tick.
 */
void status_selfcheck_tick(struct event_base *base, const struct world *w,
    bool second);

/* \retval true  the DNS workers answered the self-check recently */
bool status_selfcheck_healthy(int64_t now_ms);

/* The share window for world w: rows of width counters, pool-major. */
struct status_share {
	const uint64_t *now;		/* the newest row */
	const uint64_t *then;		/* STATUS_SHARE_WINDOW s before, or the
					   oldest row while the ring fills */
	size_t          width;
};

/* \retval true   out describes w's window (at least two rows sampled);
 *                the rows stay valid until the next tick
 * \retval false   no window for w yet */
bool status_selfcheck_share(const struct world *w, struct status_share *out);

/* Close the socket, free the ring. */
void status_selfcheck_free(void);

#endif
