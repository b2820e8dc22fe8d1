/* rrl.h - response rate limiting (UDP).
 *
 * RRL, as NSD, Knot and BIND do it: every UDP response is charged to an
 * account keyed by (client prefix, response class, name):
 *
 *   positive answer (NOERROR, answer section not empty)  qname + qtype
 *   the same, synthesized from a wildcard                 zone + qtype
 *   NODATA and referrals (NOERROR, empty answer)          zone
 *   NXDOMAIN                                              zone
 *   errors (FORMERR, SERVFAIL, NOTIMP, REFUSED, ...)      rcode
 *
 * with client prefixes of rrl.ipv4_prefix (/24) and rrl.ipv6_prefix (/56)
 * bits. An account earns rrl.rate credits per second, holds at most one
 * second of credit (the burst) and at most rrl.window seconds of debt (as
 * BIND's "window": a source that flooded stays limited until its rate has
 * been below the limit for that long). A response that finds the account
 * in debt is "limited": every rrl.slip-th limited response is sent as a
 * minimal TC=1 response (header + question; a legitimate resolver whose
 * address is being forged retries over TCP), the others are dropped.
 * slip = 0 never slips, slip = 1 always does. TCP is never limited, and
 * nor are sources inside rrl.exempt (default 127.0.0.0/8 and ::1), nor
 * answers to queries that carried a valid server cookie (RFC 7873 5.2.5:
 * the cookie proves the source address is not forged, as TCP does; BIND
 * and Knot exempt them too).
 *
 * The accounts live in one table shared by every worker thread: a fixed
 * array of 64-bit words (16-bit key tag, 16-bit second, 32-bit balance)
 * updated with compare-and-swap, so the query path takes no lock and never
 * allocates. Two keys that meet in one bucket evict each other (the newer
 * starts with full credit), as in NSD and Knot; the table is sized so that
 * this stays rare: RRL_BUCKETS * 8 bytes, touched only where used.
 *
 * TCP connection policy (per-source caps, idle-first eviction, stalled
 * queries) is dnsd/tcp.h; its two oldest counters are reported here too,
 * where the status endpoint reads them.
 */
#ifndef MXS_RRL_H
#define MXS_RRL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/socket.h>

#include "dnsd/base/conf.h"

struct world;

#define RRL_BUCKETS      (1u << 17)	/* accounts (1 MB when all touched) */

/* Counters since start (all threads). limited = slipped + dropped. */
struct rrl_stats {
	uint64_t limited;		/* responses over the rate */
	uint64_t slipped;		/* of those, sent TC=1 */
	uint64_t dropped;		/* of those, not sent */
};

/*
 * Charge one UDP response to its account and apply the limit.
 * \param w      the current world (its conf->rrl; zones name NXDOMAIN and
 *               NODATA accounts); NULL: no limit
 * \param from   the client address (AF_INET or AF_INET6)
 * \param resp   the response built by query_answer(); rewritten in place
 *               into the minimal TC=1 form when slipped
 * \param rlen   its length
 * \param flags  RRL_F_COOKIE: the query had a valid server cookie (exempt)
 * \retval rlen  send it unchanged (not limited, exempt, RRL off)
 * \retval <rlen send the first bytes of resp: the TC=1 slip response
 * \retval 0     drop it
 */
#define RRL_F_COOKIE 0x01
size_t rrl_udp(const struct world *w, const struct sockaddr *from,
    uint8_t *resp, size_t rlen, unsigned flags);

/*
 * The same decision with an explicit configuration and clock (unit tests).
 * now is in seconds, any monotonic origin.
 */
size_t rrl_check(const struct conf_rrl *cfg, const struct world *w,
    const struct sockaddr *from, uint8_t *resp, size_t rlen, time_t now);

/* 1 if addr is inside one of cfg's exempt prefixes. */
int rrl_exempt(const struct conf_rrl *cfg, const struct sockaddr *addr);

/* Forget every account and counter (tests). Not safe while workers run. */
void rrl_reset(void);

/* Counters summed over every thread (status endpoint). */
void rrl_stats_get(struct rrl_stats *out);

#endif
