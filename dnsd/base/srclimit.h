/* srclimit.h - the one per-source connection counter: how many connections
 * each client address holds, so one source cannot take every slot (DNS over
 * TCP, the relay).
 *
 * A fixed table of counters indexed by a secretly seeded hash of the
 * address (v4-mapped IPv6 counted as the IPv4 address); lock-free atomic
 * increments, no allocation after init. Two addresses that share a slot
 * share a limit: the table is sized so that is rare, and it errs towards
 * refusing, never towards exceeding a cap.
 */
#ifndef MXS_SRCLIMIT_H
#define MXS_SRCLIMIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define SRCLIMIT_NONE (-2)	/* not counted: max 0 or not an IP address */

struct srclimit {
	unsigned *slots;
	size_t    mask;		/* nslots - 1 */
	uint64_t  seed;
	uint64_t  refused;	/* acquisitions refused for being over max */
};

/* \param nslots a power of two. \retval 0 ok, -1 out of memory */
int srclimit_init(struct srclimit *sl, size_t nslots);
void srclimit_free(struct srclimit *sl);

/*
 * Count one more connection from sa, unless it already holds max (0: no cap).
 * \retval slot >= 0       counted: pass to srclimit_release when it ends
 * \retval SRCLIMIT_NONE   not counted (no cap, or not an IP address)
 * \retval -1              over the cap (sl->refused counted)
 */
int srclimit_acquire(struct srclimit *sl, const struct sockaddr *sa,
    unsigned max);

/* Release a slot from srclimit_acquire (any negative value is ignored). */
void srclimit_release(struct srclimit *sl, int slot);

/* The slot sa is counted in (what srclimit_acquire returns for it).
 * \retval -1 not an IP address */
long srclimit_index(const struct srclimit *sl, const struct sockaddr *sa);

/* Connections counted now for sa's slot. */
unsigned srclimit_count(const struct srclimit *sl, const struct sockaddr *sa);

/* Refusals so far. */
uint64_t srclimit_refused(const struct srclimit *sl);

#endif
