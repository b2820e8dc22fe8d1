/* relay.h - the fallback SMTP relay: TCP copy to a healthy pool member,
 * with an optional PROXY v1/v2 header so the backend sees the client.
 *
 * The relay's rooms (dnsd/relay/):
 *   relay.c    this API: start, stop, reload, counters; the threads (one
 *              libevent base each, relay.threads, default the CPU count)
 *              and their SO_REUSEPORT listeners (relay-t.h: the types)
 *   session.c  one connection: limits, connect with timeout and next
 *              backend on failure, 421 replies, the copy loop with
 *              back-pressure, idle timer (session.h)
 *   backend.c  which backends a session tries: the pool's own order,
 *              policy_order() (failover tiers included), or its
 *              least-connections order (backend.h)
 *   table.c    the refcounted settings and backends taken from a config,
 *              and the reload fence (table.h)
 * The PROXY header encoder is dnsd/base/proxy.h, shared with the smtp
 * probe's PROXY-speaking health checks.
 *
 * Per accepted connection the relay reads the current pool state (RCU,
 * pstate_get()), orders the eligible servers (eff_weight > 0) by the
 * pool's policy, and connects to the first that answers within
 * connect_timeout, trying up to 1 + retries candidates. If none answers,
 * or none is eligible, the client gets "421 4.3.2 ..." so the sender
 * queues and retries later. Over max_connections or max_per_source the
 * client gets "421 4.7.0 ...". Only the first POLICY_MAX_SERVERS servers
 * of a pool are relay backends, as they are the ones DNS answers list.
 *
 * The relay copies what it needs from the config into a table; the conf
 * may be freed afterwards. relay_reload() swaps in a new table; sessions
 * keep the table they started with. Counters are atomics, copied out by
 * relay_get_stats() from any thread; session counts move as sessions
 * start and end, byte counts once a second per session and at its end
 * (not per read), so they may lag by up to a second. Per-backend
 * counters belong to the server name and survive reloads.
 */
#ifndef MXS_RELAY_H
#define MXS_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnsd/base/conf.h"

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

/* What a reload cannot change while the relay runs (relay_reload()). */
#define RELAY_PENDING_SECTION 0x1u	/* "relay": section added or removed */
#define RELAY_PENDING_LISTEN  0x2u	/* "relay.listen" */
#define RELAY_PENDING_THREADS 0x4u	/* "relay.threads" */
#define RELAY_PENDING_MAX     3		/* names relay_pending_names() writes */

#define RELAY_LISTEN_TEXT     256	/* the running listeners, as text */

struct relay_stats {
	bool     running;
	/* The relay as it runs, whatever the published config says. */
	char     pool[CONF_NAME_MAX + 1];	/* its pool */
	char     listen[RELAY_LISTEN_TEXT];	/* bound addresses, ' '-separated */
	unsigned pending;		/* RELAY_PENDING_*: the config differs */
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
 * and threads change only with a restart, as does adding or removing the
 * relay section (a removed section leaves the relay running on its old
 * listeners and settings, its pool found by name). The difference is
 * returned, not logged (the caller names every pending setting once), and
 * kept for relay_get_stats() until the next reload. On a table failure
 * (logged) the previous table stays.
 * \param conf     the new config; not retained
 * \retval mask    RELAY_PENDING_* of conf against the running relay; 0 when
 *                 they agree; RELAY_PENDING_SECTION when conf adds a relay
 *                 that is not running
 */
unsigned relay_reload(const struct conf *conf);

/*
 * The config setting names of a RELAY_PENDING_* mask, in config order
 * ("relay", "relay.listen", "relay.threads"); static strings. Inline: the
 * status renderers name them without linking the relay.
 * \retval n  names written (at most max, at most RELAY_PENDING_MAX)
 */
static inline size_t
relay_pending_names(unsigned pending, const char **names, size_t max)
{
	static const struct {
		unsigned    bit;
		const char *name;
	} tab[RELAY_PENDING_MAX] = {
		{ RELAY_PENDING_SECTION, "relay" },
		{ RELAY_PENDING_LISTEN,  "relay.listen" },
		{ RELAY_PENDING_THREADS, "relay.threads" },
	};
	size_t i, n = 0;

	for (i = 0; i < RELAY_PENDING_MAX && n < max; i++)
		if (pending & tab[i].bit)
			names[n++] = tab[i].name;
	return n;
}

/*
 * Stop gracefully: close the listeners at once, let open sessions finish
 * for up to grace_seconds, then close whatever remains, join the thread
 * and free everything. Safe to call when the relay is not running.
 */
void relay_stop(double grace_seconds);

/*
 * Copy the counters (thread-safe, any thread).
 * \param st       totals, the running pool, listeners and pending mask;
 *                 st->running is false (and the rest zero) when the relay
 *                 is not running
 * \param be       array of at least maxbe entries, or NULL
 * \param maxbe    capacity of be
 * \retval n       number of backends the relay has (may exceed maxbe; only
 *                 min(n, maxbe) entries were written); 0 when not running
 */
size_t relay_get_stats(struct relay_stats *st, struct relay_backend_stats *be,
    size_t maxbe);

#endif
