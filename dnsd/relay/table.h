/* table.h - the relay's backend tables: what it took from one config, and
 * the pool state read in that config's layout (the reload fence).
 *
 * A table holds the relay's settings and one backend per server of its
 * pool, in config order: backend j is server j of t->pool, so an index
 * that policy_order() returns for t->pool is a backend index. The relay
 * copies what it needs (addresses, names, weights, tiers, the pool's
 * policy, min_up and all_down), so the conf may be freed afterwards.
 *
 * Tables are reference-counted and immutable once published, except the
 * fence flag: the current-table pointer holds one reference and every
 * session one more, so a session keeps its backend across a reload.
 *
 * Per-server counters (struct relay_counters) belong to the pair (pool,
 * server name), not to a table: every table naming the server shares
 * them, so they survive reloads. They live until relay_tables_free().
 *
 * The fence: pool state is matched to servers by index (pstate.h), but a
 * reload installs the new table while the old config's snapshot is still
 * published (daemon_reload() calls relay_reload() before the probe engine
 * restarts). That snapshot is recognised by pointer and generation
 * (pstate_publish() makes the pair unique) and read through fence_idx,
 * the old position of each server, found by name. Any other snapshot has
 * the new layout; the first thread that sees one clears the fence for
 * good. A snapshot whose pool has another number of servers than the
 * layout expected is never indexed (no backend is chosen).
 */
#ifndef MXS_RELAY_TABLE_H
#define MXS_RELAY_TABLE_H

#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnsd/base/conf.h"
#include "probes/pstate.h"

/* Counters written by every relay thread, read by relay_get_stats(). */
#define CNT_ADD(p, n) __atomic_fetch_add((p), (n), __ATOMIC_RELAXED)
#define CNT_SUB(p, n) __atomic_fetch_sub((p), (n), __ATOMIC_RELAXED)
#define CNT_GET(p)    __atomic_load_n((p), __ATOMIC_RELAXED)

/* Counters of one server, by pool and name (atomics). */
struct relay_counters {
	struct relay_counters *next;		/* ts->counters, under ts->mtx */
	char                   pool[CONF_NAME_MAX + 1];
	char                   name[CONF_NAME_MAX + 1];
	uint64_t               active, total, failed, bytes_in, bytes_out;
};

/* A backend of one table: where to connect, where its health is. */
struct relay_backend {
	struct relay_counters  *c;
	struct sockaddr_storage ss;
	socklen_t               sslen;
	char                    text[INET6_ADDRSTRLEN + 8];
	long                    fence_idx;	/* in the fenced layout; -1 none */
};

struct relay_table {
	uint64_t               refs;		/* atomic */
	size_t                 pool_index;	/* SIZE_MAX: pool gone, no health */
	size_t                 pool_nservers;
	/* The pool's name, order settings and servers (names, weights,
	 * tiers; no addresses, no relay host) for policy_order(): at most
	 * POLICY_MAX_SERVERS servers, as many as policy_order() looks at. */
	struct conf_pool       pool;
	uint16_t               port;
	enum conf_proxy        proxy;
	enum conf_relay_policy policy;
	unsigned               retries;
	struct timeval         connect_tv;
	struct timeval         idle_tv;
	double                 idle;
	unsigned               max_conn, max_per_source;
	char                   hostname[256];

	bool                   fenced;		/* atomic */
	const struct pstate   *fence_ps;	/* identity only, never dereferenced */
	uint64_t               fence_gen;
	size_t                 fence_pool_index;
	size_t                 fence_nservers;	/* 0: no old health to read */

	size_t                 nbe;
	struct relay_backend   be[];
};

/* The current table and the counters registry. */
struct relay_tables {
	pthread_mutex_t        mtx;		/* cur, counters */
	struct relay_table    *cur;
	struct relay_counters *counters;
};

/*
 * Build the first table from conf (conf->relay must be enabled).
 * \retval 0   ts->cur set
 * \retval -1  logged (out of memory, a server without address); ts is
 *             still to be freed with relay_tables_free()
 */
int relay_tables_init(struct relay_tables *ts, const struct conf *conf);

/* Drop the current table and every counter (the relay stopped; no
 * session holds a table any more). Safe on a zeroed ts. */
void relay_tables_free(struct relay_tables *ts);

/*
 * Build a table from a reloaded conf (settings from conf->relay, or from
 * the current table when the relay section was removed; backends from the
 * pool of that name in conf), fence it against the snapshot visible now,
 * and make it current. Serialised by the caller.
 * \retval 0   swapped (logged)
 * \retval -1  logged; the current table stays
 */
int relay_tables_reload(struct relay_tables *ts, const struct conf *conf);

/* The current table with one more reference (any thread). */
struct relay_table *relay_tables_get(struct relay_tables *ts);

/* Drop one reference; the last frees the table. NULL is ignored. */
void relay_table_unref(struct relay_table *t);

enum relay_state {
	RELAY_STATE_OK = 0,
	RELAY_STATE_NONE,		/* no pool state published yet */
	RELAY_STATE_MISMATCH,		/* a layout neither of ours */
};

/*
 * The pool state of t's backends, indexed like t->be and t->pool.servers
 * (pp->nservers >= t->pool.nservers), ready for policy_order(&t->pool,
 * pp, ...). Inside rcu_read_lock(): the result may point into the current
 * snapshot. While fenced it is built in view and sv from the old layout
 * (a server the old layout lacks is ineligible). Clears the fence when a
 * newer snapshot is visible.
 * \param sv     scratch of t->pool.nservers entries (written only while
 *               fenced)
 * \param why    out: RELAY_STATE_* (may be NULL)
 * \retval pp    the state
 * \retval NULL  none usable (*why says which)
 */
const struct pstate_pool *relay_table_state(struct relay_table *t,
    struct pstate_pool *view, struct pstate_server *sv,
    enum relay_state *why);

/* Clear t's fence when a newer snapshot is visible (the relay threads
 * look once a second, so the fence goes even when no client arrives). */
void relay_table_unfence(struct relay_table *t);

#endif
