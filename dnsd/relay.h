/* relay.h - the fallback SMTP relay: TCP copy to a healthy pool member,
 * with an optional PROXY v1/v2 header so the backend sees the client.
 *
 * Design: N relay threads (relay.threads, default the CPU count), each with
 * its own libevent base and its own SO_REUSEPORT listening socket per
 * address, so the kernel spreads connections over them. Per accepted
 * connection the relay reads the current pool state (RCU, pstate_get()),
 * orders the eligible servers (eff_weight > 0) by the configured policy
 * (weighted random without replacement, or least active connections
 * relative to eff_weight), and connects to the first that answers within
 * connect_timeout, trying up to 1 + retries candidates. If none answers,
 * the client gets "421 4.3.2 ..." so the sender queues and retries later.
 * Over max_connections (all threads) or max_per_source (a table shared by
 * the threads, striped locks) the client gets "421 4.7.0 ...". Every 421
 * is logged on one line.
 *
 * Bytes are copied with plain events on the two sockets (not bufferevents:
 * libevent 2.1's evbuffer_read() reads 4 KiB at a time after an ioctl).
 * A readable side is read once, up to 128 KiB, into the thread's buffer
 * and written straight to the other socket; only what that socket does not
 * take is queued in its output evbuffer, and while one is queued further
 * reads go into it. When a side's output holds more than RELAY_HIGH_WATER
 * bytes, reading from the other side stops until it drains to half
 * (libevent sample/le-proxy.c's watermarks). An EOF from one side is
 * flushed to the other, followed by shutdown(SHUT_WR) there; the other
 * direction stays open until it also ends. A session that makes no
 * progress in either direction (no byte read or written by the relay, no
 * byte leaving a socket's send queue, SIOCOUTQ) for idle_timeout seconds
 * is closed; the send queue is looked at when the idle timer fires, so a
 * session whose reader stopped goes between idle_timeout and twice that
 * after its last byte moved. Sockets have TCP_NODELAY.
 *
 * The relay copies what it needs from the config (settings, backend
 * addresses and names) into a reference-counted table; the conf may be
 * freed afterwards. relay_reload() builds a new table from a new config
 * and swaps it in; sessions keep the table they started with. Pool state
 * is matched to servers by index (pstate.h), but only when the snapshot
 * has the layout of the table's config: a reload installs the new table
 * while the old layout is still published, so the table remembers that
 * snapshot (the "fence") and reads it through the old positions, by server
 * name, until any other snapshot appears. A snapshot whose pool has another
 * number of servers than expected is never indexed: no backend is chosen
 * (421 4.3.2) and a warning is logged once a second.
 *
 * Counters are atomics updated once per read callback (not per byte) and
 * copied out by relay_get_stats() from any thread. Per-backend counters
 * belong to the server name and survive reloads.
 */
#ifndef MXS_RELAY_H
#define MXS_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnsd/base/conf.h"

/* Reading from one side pauses while the other side's output exceeds this. */
#define RELAY_HIGH_WATER (256 * 1024)

/* Per backend server (pool order). bytes_in: client -> backend;
 * bytes_out: backend -> client. */
struct relay_backend_stats {
	char     name[CONF_NAME_MAX + 1];
	uint64_t active;		/* sessions connected to it now */
	uint64_t total;			/* sessions connected since start */
	uint64_t failed_connects;	/* refused, unreachable, timed out */
	uint64_t bytes_in;
	uint64_t bytes_out;
};

struct relay_stats {
	bool     running;
	uint64_t accepted;		/* connections accepted on the listeners */
	uint64_t active;		/* sessions open now (any phase) */
	uint64_t rejected_421;		/* all 421 answers (sum of the three below) */
	uint64_t rejected_max_conn;	/* 421 4.7.0: max_connections */
	uint64_t rejected_per_source;	/* 421 4.7.0: max_per_source */
	uint64_t unavailable;		/* 421 4.3.2: no backend reachable */
	uint64_t idle_timeouts;		/* sessions closed for idle_timeout */
	uint64_t bytes_in;		/* totals over all backends, including */
	uint64_t bytes_out;		/* servers a reload removed */
	unsigned threads;		/* relay threads */
};

/*
 * Start the relay: bind every conf->relay.listen address, start the relay
 * thread. Reads the pool state with pstate_get(); a pool state must be
 * published before clients arrive (clients get 421 4.3.2 until then).
 * \param conf     a config with relay.enabled; not retained
 * \retval 0       running
 * \retval -1      an error was logged (bind failed, out of memory, already
 *                 running); nothing is left running
 */
int relay_start(const struct conf *conf);

/*
 * Apply a reloaded config (main thread, after it loaded whole, before the
 * probe engine publishes a pool state for it: daemon_reload() calls it
 * between probe_engine_stop() and world_publish()). Backends, port, PROXY
 * setting, policy, retries, timeouts and limits take effect for new
 * connections; sessions in flight keep their backend. Listen addresses
 * and threads change only with a restart (logged), as does adding or
 * removing the relay section (a removed section leaves the relay running
 * on its old settings, its pool found by name). On failure (logged) the
 * previous table stays. No-op when the relay is not running.
 * \param conf     the new config; not retained
 */
void relay_reload(const struct conf *conf);

/*
 * Stop gracefully: close the listeners at once, let open sessions finish
 * for up to grace_seconds, then close whatever remains, join the thread
 * and free everything. Safe to call when the relay is not running.
 */
void relay_stop(double grace_seconds);

/*
 * Copy the counters (thread-safe, any thread).
 * \param st       totals; st->running is false when the relay is not running
 * \param be       array of at least maxbe entries, or NULL
 * \param maxbe    capacity of be
 * \retval n       number of backends the relay has (may exceed maxbe; only
 *                 min(n, maxbe) entries were written); 0 when not running
 */
size_t relay_get_stats(struct relay_stats *st, struct relay_backend_stats *be,
    size_t maxbe);

/*
 * Build a PROXY protocol header (exposed for the unit tests).
 * \param version  CONF_PROXY_V1 or CONF_PROXY_V2
 * \param src      the client's address (v4-mapped v6 is sent as TCP4)
 * \param dst      the address the client connected to
 * \param buf      output, at least RELAY_PROXY_MAX bytes
 * \retval len     bytes written (the v1 line is not NUL-terminated)
 * \retval -1      unsupported family or version
 */
#define RELAY_PROXY_MAX 108
struct sockaddr;
int relay_proxy_header(int version, const struct sockaddr *src,
    const struct sockaddr *dst, unsigned char *buf);

#endif
