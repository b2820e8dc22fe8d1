/* relay-t.h - the relay and its threads: types shared by relay.c (start,
 * stop, reload, listeners) and session.c (what one connection does).
 *
 * N relay threads, each with its own libevent base and its own
 * SO_REUSEPORT listening socket per address, so the kernel spreads
 * connections over them. A thread's sessions, buffer, generator and
 * event base are touched by that thread only; what the threads share
 * (the table, the per-source table, the counters) is atomic or locked.
 */
#ifndef MXS_RELAY_RELAY_T_H
#define MXS_RELAY_RELAY_T_H

#include <sys/queue.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "dnsd/base/conf.h"
#include "dnsd/base/rng.h"
#include "dnsd/base/srclimit.h"
#include "dnsd/relay/table.h"

/*
 * Bytes per read callback (libevent's own: 16 KiB). The thread's buffer
 * stays in a core's L1 data cache (48 KiB on the bench machine's Xeon)
 * and one send of it stays under one 64 KiB loopback segment: on
 * tests/bench/relay.sh's 1 MB messages the relay's CPU per message was,
 * by this size, 16 KiB 478 us, 24 KiB 434, 32 KiB 408, 48 KiB 354-368,
 * 64 KiB 520-630, 128 KiB 447-454 (HAProxy 482 in the same runs).
 */
#define RELAY_MAX_READ (48 * 1024)

struct relay;
struct relay_session;

/* One relay thread: its own event base, listeners and sessions. */
struct relay_thread {
	struct relay            *r;
	struct event_base       *base;
	pthread_t                thread;
	bool                     started;
	struct evconnlistener  **ls;
	size_t                   nls;
	int                      stop_pipe[2];
	struct event            *stop_ev;
	struct event            *deadline_ev;
	struct event            *fence_ev;
	bool                     stopping;
	TAILQ_HEAD(, relay_session) sessions;
	unsigned                 nsessions;
	struct rng               rng;
	time_t                   mismatch_logged;
	unsigned char           *buf;		/* RELAY_MAX_READ bytes */
};

struct relay {
	struct relay_tables      tables;	/* settings and backends */
	struct relay_thread     *th;
	unsigned                 nth;
	double                   grace;

	/* what a reload cannot change */
	struct conf_sockaddr    *listen;
	size_t                   nlisten;

	struct srclimit          src;		/* sessions per client address */

	/* counters (atomics) */
	uint64_t                 accepted, active, rej_max, rej_src, unavail,
	                         idle_to;
};

#endif
