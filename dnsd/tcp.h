/* tcp.h - DNS over TCP connection policy: per-source caps, idle-first eviction, pressure timeouts, stalled queries.
 *
 * RFC 7766 6.2.3: a server short of connections should free them by
 * closing idle ones, not by refusing new clients. So at either cap
 * (tcp_max_connections for all workers, tcp_max_per_source per client
 * address) the connection idle longest is closed to admit the new one:
 * "idle" is no partial query in the input and no answer left to write, so
 * a connection in the middle of a query is never cut. Only when no
 * connection is idle is the new one refused.
 *
 * The pieces, each owned by one worker thread (dnsd/server.c):
 *  - struct tcp_idle_list: the worker's idle connections in the order they
 *    became idle (oldest first); a connection leaves it when a query
 *    starts arriving or an answer is queued, and re-enters at the tail.
 *  - per source: SO_REUSEPORT would spread one address's connections over
 *    every worker, so server.c steers connections by source address
 *    (a classic BPF reuseport program): all of one address's connections
 *    live on one worker, and the per-source victim is found there, with no
 *    cross-thread request at all. Where the kernel refuses the program the
 *    search stays local (a source is then refused while its idle
 *    connections sit on another worker: the cap still holds).
 *  - global: the cap is shared, the idle connections are not. A worker
 *    with none of its own claims one from another worker's struct
 *    tcp_share (compare-and-swap: never more claims than published idle
 *    connections), admits the new connection at once and wakes that worker
 *    (an eventfd), which closes its oldest idle ones. No lock anywhere; the
 *    cap may be exceeded by the claims in flight for the microseconds that
 *    takes (a claimed connection that turned busy meanwhile is not cut: it
 *    then stays exceeded by one until a connection closes).
 *  - under pressure (more than 3/4 of tcp_max_connections open) idle
 *    connections are closed after tcp_timeout() instead of
 *    tcp_idle_timeout, and that shorter figure is what edns-tcp-keepalive
 *    (RFC 7828) advertises. Per-source pressure does not shorten anything:
 *    a source at its own cap replaces its own oldest idle connection.
 */
#ifndef MXS_TCP_H
#define MXS_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/socket.h>

#include "dnsd/base/srclimit.h"

#define TCP_CONN_SLOTS  (1u << 14)	/* per-source counters */
#define TCP_SLOT_ANY    (-1)		/* tcp_idle_victim: any source */
#define TCP_CONN_NONE   SRCLIMIT_NONE	/* tcp_acquire: not counted */

/* One connection's place in its worker's idle list (embedded in it). */
struct tcp_idle {
	struct tcp_idle *prev, *next;
	double           since;		/* clock_mono() when it became idle */
	int              slot;		/* its tcp_acquire() slot */
	bool             listed;
};

struct tcp_idle_list {
	struct tcp_idle *head, *tail;	/* head: idle longest */
	unsigned         n;
};

/*
 * Record whether c is idle now. A connection that stays idle keeps its
 * place (and since); one that becomes idle goes to the tail with since =
 * now; one that becomes busy leaves the list.
 */
void tcp_idle_set(struct tcp_idle_list *l, struct tcp_idle *c, bool idle,
    double now);

/*
 * The connection to close to admit a new one.
 * \param slot  TCP_SLOT_ANY, or the per-source slot the victim must hold
 * \retval the idle connection idle longest (of that slot); NULL: none
 */
struct tcp_idle *tcp_idle_victim(const struct tcp_idle_list *l, int slot);

/* \retval the head if it has been idle for timeout seconds or more, else
 * NULL (call again after closing it). */
struct tcp_idle *tcp_idle_expired(const struct tcp_idle_list *l, double now,
    double timeout);

/* A worker's idle count as other workers see it (atomics, no lock). */
struct tcp_share {
	unsigned idle;		/* published by the owner */
	unsigned want;		/* evictions claimed by other workers */
};

/* Owner: publish its idle count. */
void tcp_share_publish(struct tcp_share *s, unsigned idle);

/* Another worker: claim one idle connection.
 * \retval true  claimed: wake the owner, admit the new connection
 * \retval false every published idle connection is claimed already */
bool tcp_share_claim(struct tcp_share *s);

/* Owner: the claims to serve now; after closing (up to) that many, give
 * the same number to tcp_share_done(). */
unsigned tcp_share_wanted(const struct tcp_share *s);
void tcp_share_done(struct tcp_share *s, unsigned n);

/*
 * The idle timeout in force with conns of max connections open: idle up to
 * 3/4 of max, then idle / 5 (at least 0.5 s, never above idle). max 0: no
 * cap, idle.
 */
double tcp_timeout(double idle, unsigned conns, unsigned max);

/* RFC 7828 TIMEOUT for a timeout in seconds: 100 ms units, 0..65535. */
uint16_t tcp_keepalive_units(double timeout);

/*
 * Count one TCP connection from addr against max per source address.
 * \retval >=0            the slot to give back with tcp_release() on close
 * \retval TCP_CONN_NONE  not counted (max 0, not an IP address)
 * \retval -1             over the cap (counted in tcp_stats.source_limited):
 *                        evict an idle connection of tcp_slot(addr) and
 *                        try again, or refuse
 */
int tcp_acquire(const struct sockaddr *addr, unsigned max);
void tcp_release(int slot);

/* The slot tcp_acquire() counts addr in. \retval -1 not an IP address */
int tcp_slot(const struct sockaddr *addr);

/*
 * The stalled-query rule, called after each read of a TCP connection: a
 * partial query must be complete within tcp_idle_timeout of its first
 * byte, so a client trickling one byte a second cannot hold a connection
 * forever by resetting the idle timer.
 * \param since    per-connection state, 0 initially (monotonic seconds at
 *                 which the current partial query stopped progressing)
 * \param before   input bytes pending before processing the read
 * \param after    input bytes still pending after processing
 * \param limit    seconds a partial query may take (tcp_idle_timeout)
 * \retval 1       stalled for longer than limit: close the connection
 *                 (counted in tcp_stats.stalled)
 * \retval 0       keep it
 */
int tcp_stalled(time_t *since, size_t before, size_t after, double limit);

/*
 * Before closing a timed-out TCP connection: when answers are still queued
 * (pending bytes in user space, or unsent in the kernel), make close() send
 * a reset, so the kernel frees them at once instead of holding them (and
 * the connection) for a client that never reads. \retval 1 reset armed
 */
int tcp_abort(int fd, size_t pending);

/*
 * Steer every connection of listener fd's SO_REUSEPORT group to the socket
 * chosen by a hash of the source address (classic BPF), so that one
 * address's connections all reach one worker. fd: any socket of the
 * group, once all nworkers have called listen() in worker order. IPv6
 * sources hash their last 32 bits; v4-mapped clients of a v6 listener
 * arrive as IPv4 packets and hash as IPv4.
 * \retval 0 attached; -1 not (errno): the kernel's spreading stays
 */
int tcp_steer(int fd, unsigned nworkers);

/* Counters since start, all workers. */
struct tcp_stats {
	uint64_t source_limited;	/* tcp_acquire() over the cap */
	uint64_t stalled;		/* closed with a stalled query */
	uint64_t evicted;		/* idle, closed to admit a new one */
	uint64_t expired;		/* idle, closed early under pressure */
	uint64_t refused;		/* new, closed: no idle one to close */
};

void tcp_stats_get(struct tcp_stats *out);

/* Count one eviction / early expiry / refusal (dnsd/server.c). */
void tcp_count_evicted(void);
void tcp_count_expired(void);
void tcp_count_refused(void);

/* Forget every count and counter (tests). Not safe while workers run. */
void tcp_reset(void);

#endif
