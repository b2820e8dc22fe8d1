/* relay.c - fallback SMTP relay: pick a healthy backend, PROXY header, copy. */
#include <sys/ioctl.h>
#include <sys/queue.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/sockios.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/listener.h>

#include <urcu.h>

#include "dnsd/base/clock.h"
#include "dnsd/base/log.h"
#include "dnsd/base/rng.h"
#include "dnsd/base/sock.h"
#include "dnsd/base/srclimit.h"
#include "dnsd/relay.h"
#include "probes/pstate.h"

#define RELAY_SRC_SLOTS   (1u << 14)	/* per-source counters (srclimit) */
#define RELAY_MAX_READ    (128 * 1024)	/* per read callback (libevent: 16 KiB) */
#define RELAY_BACKLOG     1024
#define RELAY_MAX_THREADS 64

enum { SIDE_CLIENT = 0, SIDE_BACKEND = 1 };

/* Counters of one server, by pool and name: shared by every table naming
 * it, so they survive reloads; freed with the relay. Atomics: written by
 * every relay thread, read by relay_get_stats(). */
struct relay_counters {
	struct relay_counters *next;		/* r->counters, under r->mtx */
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
	long                    psidx;		/* in the pool state of the table's conf */
	long                    fence_idx;	/* in the previous layout; -1 none */
};

/*
 * Everything the relay took from one config: settings and backends.
 * Reference-counted: the current-table pointer holds one reference and
 * every session one more, so a session keeps its backend alive across a
 * reload. Immutable once published, except the fence flag.
 *
 * The fence: a reload installs the new table before the probe engine
 * publishes a pool state for the new config. Until then the visible pool
 * state still has the old layout; it is recognised by pointer and
 * generation (fence_ps, fence_gen: pstate_publish() makes the pair unique)
 * and read through fence_idx. Any other snapshot has the new layout; the first thread that
 * sees one clears the fence for good.
 */
struct relay_table {
	uint64_t               refs;		/* atomic */
	size_t                 pool_index;	/* SIZE_MAX: pool gone, no health */
	size_t                 pool_nservers;
	char                   pool[CONF_NAME_MAX + 1];
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

struct relay_side {
	evutil_socket_t     fd;		/* -1 once closed */
	struct event       *rev, *wev;	/* readable, writable (persistent) */
	struct evbuffer    *out;	/* bytes waiting to be written to it */
	bool                eof;	/* no more reading from this side */
	bool                shut;	/* no more writing to this side */
	bool                paused;	/* reading paused: the other's output is full */
	bool                reading;	/* rev added */
	bool                writing;	/* wev added */
	int                 outq;	/* SIOCOUTQ at the last idle check */
};

struct relay;
struct relay_thread;

struct relay_session {
	TAILQ_ENTRY(relay_session) entry;
	struct relay_thread      *th;
	struct relay_table       *t;		/* one reference */
	struct relay_side         side[2];
	struct sockaddr_storage   peer, local;
	socklen_t                 peerlen, locallen;
	int                       src;		/* srclimit slot */
	struct event             *timer;
	struct event             *cev;		/* connecting to the backend */
	struct timeval            last;		/* last progress, either way */
	int                       backend;	/* index once connected, else -1 */
	int                       trying;	/* index being connected to */
	unsigned                  ncand, next;
	int                       cand[];	/* candidate backends, in order */
};

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
	pthread_mutex_t          mtx;		/* table, counters list */
	struct relay_table      *table;
	struct relay_counters   *counters;
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

static pthread_mutex_t relay_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct relay   *relay_cur;	/* under relay_mtx */

#define CNT_ADD(p, n) __atomic_fetch_add((p), (n), __ATOMIC_RELAXED)
#define CNT_SUB(p, n) __atomic_fetch_sub((p), (n), __ATOMIC_RELAXED)
#define CNT_GET(p)    __atomic_load_n((p), __ATOMIC_RELAXED)

static void relay_try_next(struct relay_session *);

/* ------------------------------------------------------------ helpers */

int
relay_proxy_header(int version, const struct sockaddr *src,
    const struct sockaddr *dst, unsigned char *buf)
{
	static const unsigned char sig[12] = {
		0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49,
		0x54, 0x0a };
	struct sockaddr_in m1, m2;
	int fam;

	src = sock_unmap(src, &m1);
	dst = sock_unmap(dst, &m2);
	fam = src->sa_family;
	if ((fam != AF_INET && fam != AF_INET6) || dst->sa_family != fam)
		fam = AF_UNSPEC;

	if (version == CONF_PROXY_V1) {
		char sa[INET6_ADDRSTRLEN], da[INET6_ADDRSTRLEN];
		unsigned sp, dp;
		int n;

		if (fam == AF_UNSPEC) {
			memcpy(buf, "PROXY UNKNOWN\r\n", 15);
			return 15;
		}
		if (fam == AF_INET) {
			const struct sockaddr_in *s = (const void *)src,
			    *d = (const void *)dst;

			inet_ntop(AF_INET, &s->sin_addr, sa, sizeof(sa));
			inet_ntop(AF_INET, &d->sin_addr, da, sizeof(da));
			sp = ntohs(s->sin_port);
			dp = ntohs(d->sin_port);
		} else {
			const struct sockaddr_in6 *s = (const void *)src,
			    *d = (const void *)dst;

			inet_ntop(AF_INET6, &s->sin6_addr, sa, sizeof(sa));
			inet_ntop(AF_INET6, &d->sin6_addr, da, sizeof(da));
			sp = ntohs(s->sin6_port);
			dp = ntohs(d->sin6_port);
		}
		n = snprintf((char *)buf, RELAY_PROXY_MAX, "PROXY %s %s %s %u %u\r\n",
		    fam == AF_INET ? "TCP4" : "TCP6", sa, da, sp, dp);
		return (n > 0 && n < RELAY_PROXY_MAX) ? n : -1;
	}
	if (version == CONF_PROXY_V2) {
		unsigned char *p = buf + 16;

		memcpy(buf, sig, 12);
		buf[12] = 0x21;			/* version 2, command PROXY */
		if (fam == AF_INET) {
			const struct sockaddr_in *s = (const void *)src,
			    *d = (const void *)dst;

			buf[13] = 0x11;		/* TCP over IPv4 */
			memcpy(p, &s->sin_addr, 4);
			memcpy(p + 4, &d->sin_addr, 4);
			memcpy(p + 8, &s->sin_port, 2);
			memcpy(p + 10, &d->sin_port, 2);
			p += 12;
		} else if (fam == AF_INET6) {
			const struct sockaddr_in6 *s = (const void *)src,
			    *d = (const void *)dst;

			buf[13] = 0x21;		/* TCP over IPv6 */
			memcpy(p, &s->sin6_addr, 16);
			memcpy(p + 16, &d->sin6_addr, 16);
			memcpy(p + 32, &s->sin6_port, 2);
			memcpy(p + 34, &d->sin6_port, 2);
			p += 36;
		} else
			buf[13] = 0x00;		/* UNSPEC: receiver ignores addresses */
		buf[14] = (unsigned char)(((p - buf) - 16) >> 8);
		buf[15] = (unsigned char)((p - buf) - 16);
		return (int)(p - buf);
	}
	return -1;
}

/* ------------------------------------------------------------- tables */

static void
relay_table_unref(struct relay_table *t)
{
	if (t == NULL)
		return;
	if (__atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		free(t);
	}
}

/* The current table with one more reference (any thread). */
static struct relay_table *
relay_table_get(struct relay *r)
{
	struct relay_table *t;

	pthread_mutex_lock(&r->mtx);
	t = r->table;
	__atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&r->mtx);
	return t;
}

/* The counters of server name in pool, created if absent; call under
 * r->mtx. The pair is a server's identity across reloads. */
static struct relay_counters *
relay_counters_get(struct relay *r, const char *pool, const char *name)
{
	struct relay_counters *c;

	for (c = r->counters; c != NULL; c = c->next)
		if (strcmp(c->name, name) == 0 && strcmp(c->pool, pool) == 0)
			return c;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	snprintf(c->pool, sizeof(c->pool), "%s", pool);
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->next = r->counters;
	r->counters = c;
	return c;
}

/*
 * Build a table from conf: settings from conf->relay when it is enabled,
 * else from prev (a reload that dropped the relay section: the running
 * relay goes on); backends are the servers of the pool named by the
 * settings, found by name in conf. A pool that no longer exists leaves a
 * table without backends (clients get 421 4.3.2 until a restart).
 * \retval table  one reference, caller owns; NULL: logged
 */
static struct relay_table *
relay_table_new(struct relay *r, const struct conf *conf,
    const struct relay_table *prev)
{
	const struct conf_relay *rc = &conf->relay;
	const struct conf_pool *pool;
	struct relay_table *t;
	size_t idx = SIZE_MAX, j, k, n = 0;
	const char *poolname = rc->enabled || prev == NULL ? rc->pool : prev->pool;

	if ((pool = conf_pool_find(conf, poolname, &idx)) != NULL)
		n = pool->nservers;
	if ((t = calloc(1, sizeof(*t) + (n + 1) * sizeof(t->be[0]))) == NULL) {
		log_warnx("relay: out of memory");
		return NULL;
	}
	t->refs = 1;
	snprintf(t->pool, sizeof(t->pool), "%s", poolname);
	if (rc->enabled || prev == NULL) {
		t->port = rc->port;
		t->proxy = rc->proxy_protocol;
		t->policy = rc->policy;
		t->retries = rc->retries;
		t->connect_tv = clock_tv(rc->connect_timeout > 0 ?
		    rc->connect_timeout : 5);
		t->idle = rc->idle_timeout > 0 ? rc->idle_timeout : 300;
		t->idle_tv = clock_tv(t->idle);
		t->max_conn = rc->max_connections;
		t->max_per_source = rc->max_per_source;
		if (rc->hostname != NULL)
			snprintf(t->hostname, sizeof(t->hostname), "%s",
			    rc->hostname);
		else if (gethostname(t->hostname, sizeof(t->hostname) - 1) != 0)
			snprintf(t->hostname, sizeof(t->hostname), "localhost");
	} else {
		t->port = prev->port;
		t->proxy = prev->proxy;
		t->policy = prev->policy;
		t->retries = prev->retries;
		t->connect_tv = prev->connect_tv;
		t->idle = prev->idle;
		t->idle_tv = prev->idle_tv;
		t->max_conn = prev->max_conn;
		t->max_per_source = prev->max_per_source;
		memcpy(t->hostname, prev->hostname, sizeof(t->hostname));
	}
	t->pool_index = pool != NULL ? idx : SIZE_MAX;
	t->pool_nservers = n;
	t->nbe = n;
	if (pool == NULL) {
		log_warnx("relay: pool '%s' not found: no backends until the "
		    "pool is back or the relay restarts", poolname);
		return t;
	}
	pthread_mutex_lock(&r->mtx);
	for (j = 0; j < n; j++) {
		const struct conf_server *sv = &pool->servers[j];
		const struct conf_ip *ip = NULL;
		struct relay_backend *be = &t->be[j];

		be->psidx = (long)j;
		be->fence_idx = -1;
		be->c = relay_counters_get(r, poolname, sv->name);
		for (k = 0; k < sv->naddrs && ip == NULL; k++)
			if (sv->addrs[k].family == AF_INET)
				ip = &sv->addrs[k];
		if (ip == NULL && sv->naddrs > 0)
			ip = &sv->addrs[0];
		if (be->c == NULL || ip == NULL) {
			pthread_mutex_unlock(&r->mtx);
			log_warnx("relay: server '%s': %s", sv->name,
			    be->c == NULL ? "out of memory" : "no address");
			goto fail;
		}
		be->sslen = conf_ip_sockaddr(ip, t->port, &be->ss);
		sock_addr_text((struct sockaddr *)&be->ss, be->text,
		    sizeof(be->text));
	}
	pthread_mutex_unlock(&r->mtx);
	return t;
fail:
	relay_table_unref(t);
	return NULL;
}

/*
 * Fence nt against the pool-state layout visible now, which is that of
 * old (or of old's own fence, if old never saw a newer snapshot): until a
 * different snapshot appears, nt reads health through fence_idx.
 */
static void
relay_table_fence(struct relay_table *nt, const struct relay_table *old)
{
	const struct pstate *ps;
	size_t j, k, opool, on;
	bool oldfence;

	rcu_read_lock();
	ps = pstate_get();
	if (ps == NULL)
		goto out;	/* nothing visible: any snapshot is new */
	oldfence = __atomic_load_n(&old->fenced, __ATOMIC_ACQUIRE) &&
	    ps == old->fence_ps && ps->gen == old->fence_gen;
	opool = oldfence ? old->fence_pool_index : old->pool_index;
	on = oldfence ? old->fence_nservers : old->pool_nservers;
	nt->fence_ps = ps;
	nt->fence_gen = ps->gen;
	nt->fence_pool_index = opool;
	nt->fence_nservers = on;
	if (opool >= ps->npools || ps->pools[opool].nservers != on)
		nt->fence_nservers = 0;		/* no old health either */
	for (j = 0; j < nt->nbe; j++) {
		for (k = 0; k < old->nbe; k++) {
			if (old->be[k].c != nt->be[j].c)	/* same pool, name */
				continue;
			nt->be[j].fence_idx = oldfence ? old->be[k].fence_idx :
			    old->be[k].psidx;
			break;
		}
	}
	nt->fenced = true;
out:
	rcu_read_unlock();
}

/*
 * The eff_weight of t's backends in the current pool state, into w[]
 * (0 where unknown). Inside rcu_read_lock().
 * \retval true   w[] filled from a snapshot of the same layout
 * \retval false  no snapshot, or a layout that matches neither (w[] = 0)
 */
static bool
relay_weights(struct relay_thread *th, struct relay_table *t, double *w)
{
	const struct pstate *ps;
	const struct pstate_pool *pp;
	bool old = false;
	size_t j, pidx, nsv;

	for (j = 0; j < t->nbe; j++)
		w[j] = 0;
	/* The flag first: once another thread cleared it, that thread saw a
	 * newer snapshot, and so does this load. */
	if (__atomic_load_n(&t->fenced, __ATOMIC_ACQUIRE)) {
		ps = pstate_get();
		if (ps == t->fence_ps && ps != NULL && ps->gen == t->fence_gen)
			old = true;
		else
			__atomic_store_n(&t->fenced, false, __ATOMIC_RELEASE);
	} else
		ps = pstate_get();
	if (ps == NULL)
		return false;
	pidx = old ? t->fence_pool_index : t->pool_index;
	nsv = old ? t->fence_nservers : t->pool_nservers;
	if (pidx >= ps->npools || ps->pools[pidx].nservers != nsv) {
		time_t now = time(NULL);

		if (th != NULL && now != th->mismatch_logged) {
			th->mismatch_logged = now;
			log_warnx("relay: pool state does not match the relay's "
			    "config (pool %s): no backend chosen", t->pool);
		}
		return false;
	}
	pp = &ps->pools[pidx];
	for (j = 0; j < t->nbe; j++) {
		long i = old ? t->be[j].fence_idx : t->be[j].psidx;

		if (i >= 0 && (size_t)i < nsv && pp->servers[i].eff_weight > 0)
			w[j] = pp->servers[i].eff_weight;
	}
	return true;
}

/* ---------------------------------------------------- backend choice */

/*
 * Fill cand[] with up to 1 + retries eligible backends of t (eff_weight >
 * 0 in the current pool state), in the order to try them. Returns the
 * count.
 */
static unsigned
relay_order(struct relay_thread *th, struct relay_table *t, int *cand)
{
	size_t m = t->nbe, j;
	double w[m + 1], total = 0;
	unsigned max = t->retries + 1, n = 0, neligible = 0;

	rcu_read_lock();
	relay_weights(th, t, w);
	rcu_read_unlock();

	for (j = 0; j < m; j++) {
		if (w[j] > 0) {
			neligible++;
			total += w[j];
		}
	}
	if (max > neligible)
		max = neligible;

	if (t->policy == CONF_RELAY_LEASTCONN) {
		/* Fewest active sessions per unit of weight first; ties random. */
		double key[m + 1], tie[m + 1];

		for (j = 0; j < m; j++) {
			if (w[j] <= 0)
				continue;
			key[j] = (double)CNT_GET(&t->be[j].c->active) / w[j];
			tie[j] = rng_double(&th->rng);
		}
		while (n < max) {
			int best = -1;

			for (j = 0; j < m; j++) {
				if (w[j] <= 0)
					continue;
				if (best < 0 || key[j] < key[best] ||
				    (key[j] == key[best] && tie[j] < tie[best]))
					best = (int)j;
			}
			cand[n++] = best;
			w[best] = 0;
		}
		return n;
	}

	/* Weighted random order, sampling without replacement. */
	while (n < max && total > 0) {
		double u = rng_double(&th->rng) * total;
		int pick = -1;

		for (j = 0; j < m; j++) {
			if (w[j] <= 0)
				continue;
			pick = (int)j;
			if (u < w[j])
				break;
			u -= w[j];
		}
		cand[n++] = pick;
		total -= w[pick];
		w[pick] = 0;
	}
	return n;
}

/* ---------------------------------------------------------- sessions */

/*
 * Every 421 is logged, but at most RELAY_LOG_421 lines per second per relay
 * thread: a flood of rejected connections must not flood the log. The rest
 * are counted and summarised with the next line logged; the counters on the
 * status endpoint stay exact.
 */
#define RELAY_LOG_421 10

static __thread struct log_rate log421;

static void
relay_reject(struct relay_table *t, evutil_socket_t fd,
    const struct sockaddr *sa, uint64_t *counter, const char *why)
{
	static const char code[] = "4.7.0";
	static const char text[] = "Too many connections, try again later";
	char line[512], peer[INET6_ADDRSTRLEN + 16];
	int n;

	CNT_ADD(counter, 1);
	sock_addr_text(sa, peer, sizeof(peer));
	if (log_rate_ok(&log421, RELAY_LOG_421, "relay: 421 replies"))
		log_warnx("relay: 421 %s to %s: %s", code, peer, why);
	n = snprintf(line, sizeof(line), "421 %s %s %s\r\n", code, t->hostname,
	    text);
	/* A fresh connection: the socket buffer is empty, the line fits. */
	if (n > 0 && write(fd, line, (size_t)n) < 0)
		log_debug("relay: write 421 to %s: %s", peer, strerror(errno));
	shutdown(fd, SHUT_WR);
	evutil_closesocket(fd);
}

/* Close side x's socket and events now. */
static void
relay_side_close(struct relay_side *a)
{
	if (a->rev != NULL)
		event_free(a->rev);
	if (a->wev != NULL)
		event_free(a->wev);
	a->rev = a->wev = NULL;
	if (a->fd >= 0)
		evutil_closesocket(a->fd);
	a->fd = -1;
	if (a->out != NULL)
		evbuffer_free(a->out);
	a->out = NULL;
	a->eof = a->shut = true;
	a->reading = a->writing = false;
}

static void
relay_session_free(struct relay_session *s)
{
	struct relay_thread *th = s->th;
	struct relay *r = th->r;
	int i;

	for (i = 0; i < 2; i++)
		relay_side_close(&s->side[i]);
	if (s->cev != NULL)
		event_free(s->cev);
	if (s->timer != NULL)
		event_free(s->timer);
	if (s->backend >= 0)
		CNT_SUB(&s->t->be[s->backend].c->active, 1);
	srclimit_release(&r->src, s->src);
	relay_table_unref(s->t);
	TAILQ_REMOVE(&th->sessions, s, entry);
	th->nsessions--;
	CNT_SUB(&r->active, 1);
	free(s);
	if (th->stopping && th->nsessions == 0)
		event_base_loopbreak(th->base);
}

static void
relay_side_read(struct relay_side *a, bool on)
{
	if (a->rev == NULL || a->reading == on)
		return;
	a->reading = on;
	if (on)
		event_add(a->rev, NULL);
	else
		event_del(a->rev);
}

static void
relay_side_write(struct relay_side *a, bool on)
{
	if (a->wev == NULL || a->writing == on)
		return;
	a->writing = on;
	if (on)
		event_add(a->wev, NULL);
	else
		event_del(a->wev);
}

/* Close side x at once; the other side stops reading (nowhere to send)
 * and is closed once its output is flushed. */
static void
relay_side_kill(struct relay_session *s, int x)
{
	struct relay_side *b = &s->side[!x];

	relay_side_close(&s->side[x]);
	if (b->fd >= 0 && !b->eof) {
		relay_side_read(b, false);
		b->eof = true;
	}
}

/*
 * Propagate half-closes and free the session once both directions ended.
 * \retval true  the session was freed
 */
static bool
relay_session_check(struct relay_session *s)
{
	int x;

	for (x = 0; x < 2; x++) {
		struct relay_side *a = &s->side[x], *b = &s->side[!x];

		if (a->eof && !b->shut && b->fd >= 0 &&
		    evbuffer_get_length(b->out) == 0) {
			b->shut = true;
			/* The last one is left to close(): one syscall less. */
			if (!(s->side[0].eof && s->side[1].eof &&
			    s->side[0].shut && s->side[1].shut))
				shutdown(b->fd, SHUT_WR);
		}
	}
	if (s->side[0].eof && s->side[1].eof && s->side[0].shut &&
	    s->side[1].shut) {
		relay_session_free(s);
		return true;
	}
	return false;
}

/* Progress in either direction: a byte read or written. */
static void
relay_progress(struct relay_session *s)
{
	event_base_gettimeofday_cached(s->th->base, &s->last);
}

/*
 * Idle check. Progress in either direction counts: a byte read or written
 * by the relay (stamped as it happens), and also a byte the kernel sent
 * from a socket's buffer (its unacknowledged queue, SIOCOUTQ, changed
 * since the last check): a slow reader drains a full socket buffer long
 * before the relay may write again. The latter is seen only when the
 * timer fires, so a session whose reader stopped is closed between
 * idle_timeout and twice that after its last byte moved.
 */
static void
relay_idle_cb(evutil_socket_t fd, short what, void *arg)
{
	struct relay_session *s = arg;
	struct relay_thread *th = s->th;
	struct relay_table *t = s->t;
	struct timeval now, d, left;
	int x, q;

	event_base_gettimeofday_cached(th->base, &now);
	timersub(&now, &s->last, &d);
	if (!timercmp(&d, &t->idle_tv, <)) {
		for (x = 0; x < 2; x++) {
			struct relay_side *a = &s->side[x];

			if (a->fd < 0 || ioctl(a->fd, SIOCOUTQ, &q) != 0)
				continue;
			if (q != a->outq) {
				a->outq = q;
				s->last = now;
				d.tv_sec = d.tv_usec = 0;
			}
		}
	}
	if (!timercmp(&d, &t->idle_tv, <)) {
		char peer[INET6_ADDRSTRLEN + 16];

		sock_addr_text((struct sockaddr *)&s->peer, peer, sizeof(peer));
		log_info("relay: %s idle for %.0f s, closed", peer, t->idle);
		CNT_ADD(&th->r->idle_to, 1);
		relay_session_free(s);
		return;
	}
	timersub(&t->idle_tv, &d, &left);
	evtimer_add(s->timer, &left);
}

/*
 * Write side y's output to its socket now, unless a write event is
 * already waiting to. What does not fit waits for the write event.
 * \retval true  the session was freed (write error on the last open side)
 */
static bool
relay_flush(struct relay_session *s, int y)
{
	struct relay_side *o = &s->side[y], *a = &s->side[!y];
	int n;

	if (o->fd < 0)
		return false;
	if (evbuffer_get_length(o->out) > 0) {
		n = evbuffer_write_atmost(o->out, o->fd, -1);
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR) {
			log_debug("relay: write: %s", strerror(errno));
			relay_side_kill(s, y);
			return relay_session_check(s);
		}
		if (n > 0)
			relay_progress(s);
	}
	relay_side_write(o, evbuffer_get_length(o->out) > 0);
	if (a->paused && evbuffer_get_length(o->out) <= RELAY_HIGH_WATER / 2) {
		a->paused = false;
		if (!a->eof)
			relay_side_read(a, true);
	}
	if (s->side[0].eof || s->side[1].eof)
		return relay_session_check(s);
	return false;
}

/*
 * Side x is readable: read up to RELAY_MAX_READ bytes with one readv()
 * (evbuffer_read() in libevent 2.1 reads 4 KiB at a time, after an
 * ioctl) and pass them on. With nothing queued for the other side the
 * bytes are written straight from the thread's buffer; only what the
 * socket does not take is copied into its output buffer.
 * \retval true  the session was freed
 */
static bool
relay_readable(struct relay_session *s, int x)
{
	struct relay_thread *th = s->th;
	struct relay_side *a = &s->side[x], *o = &s->side[!x];
	ssize_t n, w = 0;

	if (o->fd < 0 || o->shut || s->backend < 0) {
		/* Nowhere to send: read and drop. */
		n = read(a->fd, th->buf, RELAY_MAX_READ);
	} else if (evbuffer_get_length(o->out) == 0) {
		n = read(a->fd, th->buf, RELAY_MAX_READ);
		if (n > 0) {
			w = write(o->fd, th->buf, (size_t)n);
			if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR) {
				log_debug("relay: write: %s", strerror(errno));
				relay_side_kill(s, !x);
				return relay_session_check(s);
			}
			if (w < 0)
				w = 0;
			if (w < n && evbuffer_add(o->out, th->buf + w,
			    (size_t)(n - w)) != 0) {
				log_warnx("relay: out of memory");
				relay_side_kill(s, !x);
				return relay_session_check(s);
			}
		}
	} else {
		struct evbuffer_iovec v[2];
		int nv = evbuffer_reserve_space(o->out, RELAY_MAX_READ, v, 2);
		struct iovec iov[2];
		int i;

		if (nv <= 0) {
			log_warnx("relay: out of memory");
			relay_side_kill(s, !x);
			return relay_session_check(s);
		}
		for (i = 0; i < nv; i++) {
			iov[i].iov_base = v[i].iov_base;
			iov[i].iov_len = v[i].iov_len;
		}
		n = readv(a->fd, iov, nv);
		if (n > 0) {
			size_t left = (size_t)n;

			for (i = 0; i < nv; i++) {
				if (v[i].iov_len > left)
					v[i].iov_len = left;
				left -= v[i].iov_len;
			}
			evbuffer_commit_space(o->out, v, nv);
		} else
			evbuffer_commit_space(o->out, v, 0);
	}
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return false;
		log_debug("relay: read: %s", strerror(errno));
		relay_side_kill(s, x);
		return relay_session_check(s);
	}
	if (n == 0) {
		a->eof = true;
		relay_side_read(a, false);
		return relay_session_check(s);
	}
	relay_progress(s);
	if (o->fd < 0 || o->shut || s->backend < 0)
		return false;
	if (x == SIDE_CLIENT)
		CNT_ADD(&s->t->be[s->backend].c->bytes_in, (uint64_t)n);
	else
		CNT_ADD(&s->t->be[s->backend].c->bytes_out, (uint64_t)n);
	if (evbuffer_get_length(o->out) == 0)
		return false;
	/* The socket took less than offered: wait until it is writable. */
	relay_side_write(o, true);
	if (evbuffer_get_length(o->out) >= RELAY_HIGH_WATER && !a->paused) {
		/* Back-pressure: resume when the output drains to half. */
		a->paused = true;
		relay_side_read(a, false);
	}
	return false;
}

static void
relay_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct relay_session *s = arg;

	relay_readable(s, fd == s->side[SIDE_CLIENT].fd ? SIDE_CLIENT :
	    SIDE_BACKEND);
}

static void
relay_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct relay_session *s = arg;

	relay_flush(s, fd == s->side[SIDE_CLIENT].fd ? SIDE_CLIENT :
	    SIDE_BACKEND);
}

/* Events and output buffer of an open socket. */
static int
relay_side_open(struct relay_session *s, struct relay_side *a,
    evutil_socket_t fd)
{
	a->fd = fd;
	a->rev = event_new(s->th->base, fd, EV_READ | EV_PERSIST,
	    relay_read_cb, s);
	a->wev = event_new(s->th->base, fd, EV_WRITE | EV_PERSIST,
	    relay_write_cb, s);
	if (a->out == NULL)
		a->out = evbuffer_new();
	if (a->rev == NULL || a->wev == NULL || a->out == NULL) {
		log_warnx("relay: out of memory");
		return -1;
	}
	return 0;
}

/* No backend reachable: 421 4.3.2 to the client, flush, close. */
static void
relay_unavailable(struct relay_session *s)
{
	struct relay_thread *th = s->th;
	char peer[INET6_ADDRSTRLEN + 16];

	CNT_ADD(&th->r->unavail, 1);
	sock_addr_text((struct sockaddr *)&s->peer, peer, sizeof(peer));
	if (log_rate_ok(&log421, RELAY_LOG_421, "relay: 421 replies"))
		log_warnx("relay: 421 4.3.2 to %s: no backend reachable "
		    "(%u tried)", peer, s->next);
	s->side[SIDE_BACKEND].eof = s->side[SIDE_BACKEND].shut = true;
	s->side[SIDE_CLIENT].eof = true;
	evbuffer_add_printf(s->side[SIDE_CLIENT].out,
	    "421 4.3.2 %s Service not available, try again later\r\n",
	    s->t->hostname);
	relay_flush(s, SIDE_CLIENT);
}

static void
relay_nodelay(evutil_socket_t fd)
{
	int one = 1;

	/* A relay forwards what it got at once; Nagle would only hold back
	 * the tail of each SMTP reply or command. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* The backend socket connected: PROXY header, then copy both ways. */
static void
relay_connected(struct relay_session *s)
{
	struct relay_table *t = s->t;
	struct relay_side *b = &s->side[SIDE_BACKEND];
	struct relay_backend *be = &t->be[s->trying];
	unsigned char hdr[RELAY_PROXY_MAX];
	int n;

	s->backend = s->trying;
	CNT_ADD(&be->c->active, 1);
	CNT_ADD(&be->c->total, 1);
	relay_nodelay(b->fd);
	if (relay_side_open(s, b, b->fd) != 0) {
		relay_side_kill(s, SIDE_BACKEND);
		relay_side_kill(s, SIDE_CLIENT);
		relay_session_check(s);
		return;
	}
	relay_progress(s);
	if (t->proxy != CONF_PROXY_NONE) {
		n = relay_proxy_header(t->proxy, (struct sockaddr *)&s->peer,
		    (struct sockaddr *)&s->local, hdr);
		if (n > 0) {
			evbuffer_add(b->out, hdr, (size_t)n);
			if (relay_flush(s, SIDE_BACKEND))
				return;
		}
	}
	relay_side_read(b, true);
	relay_side_read(&s->side[SIDE_CLIENT], true);
}

static void
relay_connect_failed(struct relay_session *s, const char *why)
{
	struct relay_backend *be = &s->t->be[s->trying];
	struct relay_side *b = &s->side[SIDE_BACKEND];

	CNT_ADD(&be->c->failed, 1);
	log_debug("relay: connect to %s (%s) failed: %s", be->c->name,
	    be->text, why);
	if (b->fd >= 0)
		evutil_closesocket(b->fd);
	b->fd = -1;
}

static void
relay_connect_cb(evutil_socket_t fd, short what, void *arg)
{
	struct relay_session *s = arg;
	int err = 0;
	socklen_t len = sizeof(err);

	event_free(s->cev);
	s->cev = NULL;
	if (what & EV_TIMEOUT) {
		relay_connect_failed(s, "timed out");
	} else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 ||
	    err != 0) {
		relay_connect_failed(s, strerror(err != 0 ? err : errno));
	} else {
		relay_connected(s);
		return;
	}
	relay_try_next(s);
}

static void
relay_try_next(struct relay_session *s)
{
	struct relay_table *t = s->t;
	struct relay_side *b = &s->side[SIDE_BACKEND];

	while (s->next < s->ncand) {
		struct relay_backend *be;
		int fd;

		s->trying = s->cand[s->next++];
		be = &t->be[s->trying];
		fd = socket(be->ss.ss_family,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			log_warn("relay: socket");
			break;
		}
		b->fd = fd;
		if (connect(fd, (struct sockaddr *)&be->ss, be->sslen) == 0) {
			relay_connected(s);
			return;
		}
		if (errno != EINPROGRESS) {
			relay_connect_failed(s, strerror(errno));
			continue;
		}
		s->cev = event_new(s->th->base, fd, EV_WRITE, relay_connect_cb,
		    s);
		if (s->cev == NULL || event_add(s->cev, &t->connect_tv) != 0) {
			log_warnx("relay: out of memory");
			break;
		}
		return;
	}
	relay_unavailable(s);
}

static void
relay_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct relay_thread *th = arg;
	struct relay *r = th->r;
	struct relay_table *t;
	struct relay_session *s;
	int src;

	CNT_ADD(&r->accepted, 1);
	if (th->stopping) {
		evutil_closesocket(fd);
		return;
	}
	t = relay_table_get(r);
	if (t->max_conn > 0 && CNT_ADD(&r->active, 1) >= t->max_conn) {
		CNT_SUB(&r->active, 1);
		relay_reject(t, fd, sa, &r->rej_max, "max_connections reached");
		relay_table_unref(t);
		return;
	}
	if (t->max_conn == 0)
		CNT_ADD(&r->active, 1);
	/* Without a per-source limit nothing is counted (a reload that sets
	 * one counts only the sessions that start after it). */
	if ((src = srclimit_acquire(&r->src, sa, t->max_per_source)) == -1) {
		CNT_SUB(&r->active, 1);
		relay_reject(t, fd, sa, &r->rej_src, "max_per_source reached");
		relay_table_unref(t);
		return;
	}
	if ((s = calloc(1, sizeof(*s) + (t->nbe + 1) * sizeof(int))) == NULL) {
		CNT_SUB(&r->active, 1);
		srclimit_release(&r->src, src);
		relay_table_unref(t);
		log_warnx("relay: out of memory, connection closed");
		evutil_closesocket(fd);
		return;
	}
	s->th = th;
	s->t = t;			/* the reference moves to the session */
	s->backend = s->trying = -1;
	s->side[SIDE_CLIENT].fd = s->side[SIDE_BACKEND].fd = -1;
	s->src = src;
	memcpy(&s->peer, sa, (size_t)salen < sizeof(s->peer) ?
	    (size_t)salen : sizeof(s->peer));
	s->peerlen = (socklen_t)salen;
	s->locallen = sizeof(s->local);
	/* Only the PROXY header needs the address the client connected to;
	 * TCP_NODELAY is inherited from the listening socket. */
	if (t->proxy != CONF_PROXY_NONE &&
	    getsockname(fd, (struct sockaddr *)&s->local, &s->locallen) < 0)
		s->local.ss_family = AF_UNSPEC;
	TAILQ_INSERT_TAIL(&th->sessions, s, entry);
	th->nsessions++;
	relay_progress(s);

	s->timer = evtimer_new(th->base, relay_idle_cb, s);
	s->side[SIDE_BACKEND].out = evbuffer_new();
	if (relay_side_open(s, &s->side[SIDE_CLIENT], fd) != 0 ||
	    s->timer == NULL || s->side[SIDE_BACKEND].out == NULL) {
		log_warnx("relay: out of memory");
		relay_session_free(s);
		return;
	}
	evtimer_add(s->timer, &t->idle_tv);
	/* The client is read once a backend is connected. */
	s->ncand = relay_order(th, t, s->cand);
	relay_try_next(s);
}

static void
relay_accept_error_cb(struct evconnlistener *l, void *arg)
{
	int e = EVUTIL_SOCKET_ERROR();

	/* EMFILE and friends: the listener retries on the next event. */
	log_warnx("relay: accept: %s", evutil_socket_error_to_string(e));
}

/* ------------------------------------------------------ thread, stop */

/* While the current table is fenced, look at the pool state once a
 * second, so the fence is lifted even when no client arrives. */
static void
relay_fence_cb(evutil_socket_t fd, short what, void *arg)
{
	struct relay_thread *th = arg;
	struct relay_table *t = relay_table_get(th->r);

	if (__atomic_load_n(&t->fenced, __ATOMIC_ACQUIRE)) {
		double w[t->nbe + 1];

		rcu_read_lock();
		relay_weights(NULL, t, w);
		rcu_read_unlock();
	}
	relay_table_unref(t);
}

static void
relay_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct relay_thread *th = arg;
	struct relay_session *s;

	if (th->nsessions > 0)
		log_info("relay: grace period over, closing %u session(s)",
		    th->nsessions);
	while ((s = TAILQ_FIRST(&th->sessions)) != NULL)
		relay_session_free(s);
	event_base_loopbreak(th->base);
}

static void
relay_stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct relay_thread *th = arg;
	struct timeval tv;
	char c;
	size_t i;

	while (read(fd, &c, 1) > 0)
		;
	if (th->stopping)
		return;
	th->stopping = true;
	for (i = 0; i < th->nls; i++) {
		evconnlistener_free(th->ls[i]);
		th->ls[i] = NULL;
	}
	if (th->nsessions == 0) {
		event_base_loopbreak(th->base);
		return;
	}
	tv = clock_tv(th->r->grace);
	th->deadline_ev = evtimer_new(th->base, relay_deadline_cb, th);
	if (th->deadline_ev == NULL || evtimer_add(th->deadline_ev, &tv) != 0)
		relay_deadline_cb(-1, 0, th);
}

static void *
relay_thread(void *arg)
{
	struct relay_thread *th = arg;

	rcu_register_thread();
	event_base_loop(th->base, 0);
	rcu_unregister_thread();
	return NULL;
}

static void
relay_thread_free(struct relay_thread *th)
{
	struct relay_session *s;
	size_t i;

	while ((s = TAILQ_FIRST(&th->sessions)) != NULL)
		relay_session_free(s);
	for (i = 0; i < th->nls; i++)
		if (th->ls[i] != NULL)
			evconnlistener_free(th->ls[i]);
	free(th->ls);
	if (th->stop_ev != NULL)
		event_free(th->stop_ev);
	if (th->deadline_ev != NULL)
		event_free(th->deadline_ev);
	if (th->fence_ev != NULL)
		event_free(th->fence_ev);
	for (i = 0; i < 2; i++)
		if (th->stop_pipe[i] >= 0)
			close(th->stop_pipe[i]);
	if (th->base != NULL)
		event_base_free(th->base);
	free(th->buf);
}

static void
relay_free(struct relay *r)
{
	unsigned i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nth; i++)
		relay_thread_free(&r->th[i]);
	free(r->th);
	relay_table_unref(r->table);
	srclimit_free(&r->src);
	while (r->counters != NULL) {
		struct relay_counters *c = r->counters;

		r->counters = c->next;
		free(c);
	}
	free(r->listen);
	pthread_mutex_destroy(&r->mtx);
	free(r);
}

static int
relay_listen(struct relay_thread *th, const struct conf_sockaddr *a)
{
	struct evconnlistener *l;
	int fd;

	/* One listening socket per thread; the kernel spreads connections.
	 * A relay forwards what it got at once: accepted sockets inherit
	 * TCP_NODELAY. */
	fd = sock_listen((const struct sockaddr *)&a->ss, a->len, SOCK_STREAM,
	    SOCK_F_REUSEPORT | SOCK_F_NONBLOCK | SOCK_F_NODELAY, 0);
	if (fd < 0) {
		log_warn("relay: bind %s", a->text);
		return -1;
	}
	l = evconnlistener_new(th->base, relay_accept_cb, th,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, RELAY_BACKLOG, fd);
	if (l == NULL) {
		log_warn("relay: listen %s", a->text);
		goto fail;
	}
	evconnlistener_set_error_cb(l, relay_accept_error_cb);
	th->ls[th->nls++] = l;
	return 0;
fail:
	close(fd);
	return -1;
}

static int
relay_thread_init(struct relay *r, struct relay_thread *th)
{
	struct timeval sec = { 1, 0 };
	struct event_config *cfg;
	size_t i;

	th->r = r;
	th->stop_pipe[0] = th->stop_pipe[1] = -1;
	TAILQ_INIT(&th->sessions);
	rng_init(&th->rng);
	if ((th->buf = malloc(RELAY_MAX_READ)) == NULL)
		return -1;
	/* Only this thread touches its base (stop: a pipe): no locks. The
	 * changelist folds the event changes of one loop pass into one
	 * epoll_ctl() per socket (no socket of ours is dup()ed). */
	if ((cfg = event_config_new()) == NULL)
		return -1;
	event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK |
	    EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	th->base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (th->base == NULL) {
		log_warnx("relay: event_base_new failed");
		return -1;
	}
	if ((th->ls = calloc(r->nlisten + 1, sizeof(*th->ls))) == NULL)
		return -1;
	for (i = 0; i < r->nlisten; i++)
		if (relay_listen(th, &r->listen[i]) != 0)
			return -1;
	if (pipe2(th->stop_pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
		log_warn("relay: pipe");
		return -1;
	}
	th->stop_ev = event_new(th->base, th->stop_pipe[0],
	    EV_READ | EV_PERSIST, relay_stop_cb, th);
	th->fence_ev = event_new(th->base, -1, EV_PERSIST, relay_fence_cb, th);
	if (th->stop_ev == NULL || event_add(th->stop_ev, NULL) != 0 ||
	    th->fence_ev == NULL || event_add(th->fence_ev, &sec) != 0)
		return -1;
	return 0;
}

static unsigned
relay_nthreads(const struct conf_relay *rc)
{
	long n = rc->threads;

	if (n <= 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	return n > RELAY_MAX_THREADS ? RELAY_MAX_THREADS : (unsigned)n;
}

int
relay_start(const struct conf *conf)
{
	const struct conf_relay *rc = &conf->relay;
	struct relay *r;
	struct sigaction sa;
	sigset_t all, old;
	unsigned i;
	int rv = 0;

	pthread_mutex_lock(&relay_mtx);
	r = relay_cur;
	pthread_mutex_unlock(&relay_mtx);
	if (r != NULL) {
		log_warnx("relay: already running");
		return -1;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		log_warnx("relay: out of memory");
		return -1;
	}
	pthread_mutex_init(&r->mtx, NULL);
	if (srclimit_init(&r->src, RELAY_SRC_SLOTS) != 0) {
		log_warnx("relay: out of memory");
		free(r);
		return -1;
	}
	if (rc->nlisten == 0) {
		log_warnx("relay: no listen address");
		goto fail;
	}
	if (conf_pool_find(conf, rc->pool, NULL) == NULL) {
		log_warnx("relay: pool '%s' not found", rc->pool);
		goto fail;
	}
	if ((r->table = relay_table_new(r, conf, NULL)) == NULL)
		goto fail;
	if ((r->listen = calloc(rc->nlisten, sizeof(*r->listen))) == NULL)
		goto fail;
	memcpy(r->listen, rc->listen, rc->nlisten * sizeof(*r->listen));
	r->nlisten = rc->nlisten;
	r->nth = relay_nthreads(rc);
	if ((r->th = calloc(r->nth, sizeof(*r->th))) == NULL)
		goto fail;
	for (i = 0; i < r->nth; i++) {
		r->th[i].stop_pipe[0] = r->th[i].stop_pipe[1] = -1;
		TAILQ_INIT(&r->th[i].sessions);
	}
	for (i = 0; i < r->nth; i++)
		if (relay_thread_init(r, &r->th[i]) != 0)
			goto fail;

	/* Writes to a peer that reset the connection must fail with EPIPE,
	 * not kill the daemon. */
	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_IGN;
		sigaction(SIGPIPE, &sa, NULL);
	}
	/* The relay threads take no signals; the main thread handles them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (i = 0; i < r->nth; i++) {
		rv = pthread_create(&r->th[i].thread, NULL, relay_thread,
		    &r->th[i]);
		if (rv != 0)
			break;
		r->th[i].started = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (i < r->nth) {
		errno = rv;
		log_warn("relay: pthread_create");
		goto fail;
	}
	pthread_mutex_lock(&relay_mtx);
	relay_cur = r;
	pthread_mutex_unlock(&relay_mtx);
	for (i = 0; i < rc->nlisten; i++)
		log_info("relay: listening on %s, pool %s, backend port %u%s, "
		    "%u thread%s", rc->listen[i].text, rc->pool, rc->port,
		    r->table->proxy == CONF_PROXY_V1 ? ", PROXY v1" :
		    r->table->proxy == CONF_PROXY_V2 ? ", PROXY v2" : "",
		    r->nth, r->nth == 1 ? "" : "s");
	return 0;
fail:
	/* Stop the threads already running: they have no session yet. */
	for (i = 0; i < r->nth; i++) {
		if (!r->th[i].started)
			continue;
		if (write(r->th[i].stop_pipe[1], "s", 1) != 1)
			log_warn("relay: stop");
		pthread_join(r->th[i].thread, NULL);
	}
	relay_free(r);
	return -1;
}

/* Listen addresses as a comparable list. */
static bool
relay_same_listen(const struct relay *r, const struct conf_relay *rc)
{
	size_t i;

	if (rc->nlisten != r->nlisten)
		return false;
	for (i = 0; i < r->nlisten; i++)
		if (strcmp(rc->listen[i].text, r->listen[i].text) != 0)
			return false;
	return true;
}

void
relay_reload(const struct conf *conf)
{
	struct relay *r;
	struct relay_table *old, *nt;

	pthread_mutex_lock(&relay_mtx);
	r = relay_cur;
	if (r == NULL) {
		pthread_mutex_unlock(&relay_mtx);
		if (conf->relay.enabled)
			log_warnx("reload: the relay section was added; the "
			    "relay starts only with a restart");
		return;
	}
	/* relay_mtx held: relay_stop() cannot free r meanwhile. */
	if (!conf->relay.enabled)
		log_warnx("reload: the relay section was removed; the relay "
		    "keeps running (pool %s) until a restart",
		    r->table->pool);
	else if (!relay_same_listen(r, &conf->relay) ||
	    relay_nthreads(&conf->relay) != r->nth)
		log_warnx("reload: relay listen addresses and threads change "
		    "only with a restart");
	pthread_mutex_lock(&r->mtx);
	old = r->table;
	__atomic_add_fetch(&old->refs, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&r->mtx);
	if ((nt = relay_table_new(r, conf, old)) == NULL) {
		log_warnx("reload: relay keeps its previous backends");
		relay_table_unref(old);
		pthread_mutex_unlock(&relay_mtx);
		return;
	}
	relay_table_fence(nt, old);
	pthread_mutex_lock(&r->mtx);
	r->table = nt;
	pthread_mutex_unlock(&r->mtx);
	log_info("relay: %zu backend%s in pool %s, port %u", nt->nbe,
	    nt->nbe == 1 ? "" : "s", nt->pool, nt->port);
	relay_table_unref(old);		/* ours */
	relay_table_unref(old);		/* the current pointer's */
	pthread_mutex_unlock(&relay_mtx);
}

void
relay_stop(double grace_seconds)
{
	struct relay *r;
	unsigned i;

	pthread_mutex_lock(&relay_mtx);
	r = relay_cur;
	relay_cur = NULL;
	pthread_mutex_unlock(&relay_mtx);
	if (r == NULL)
		return;
	r->grace = grace_seconds > 0 ? grace_seconds : 0;
	for (i = 0; i < r->nth; i++)
		if (write(r->th[i].stop_pipe[1], "s", 1) != 1)
			log_warn("relay: stop");
	for (i = 0; i < r->nth; i++)
		pthread_join(r->th[i].thread, NULL);
	relay_free(r);
}

size_t
relay_get_stats(struct relay_stats *st, struct relay_backend_stats *be,
    size_t maxbe)
{
	struct relay *r;
	const struct relay_counters *c;
	size_t i, n = 0;

	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&relay_mtx);
	if ((r = relay_cur) != NULL) {
		st->running = true;
		st->accepted = CNT_GET(&r->accepted);
		st->active = CNT_GET(&r->active);
		st->rejected_max_conn = CNT_GET(&r->rej_max);
		st->rejected_per_source = CNT_GET(&r->rej_src);
		st->unavailable = CNT_GET(&r->unavail);
		st->rejected_421 = st->rejected_max_conn +
		    st->rejected_per_source + st->unavailable;
		st->idle_timeouts = CNT_GET(&r->idle_to);
		st->threads = r->nth;
		pthread_mutex_lock(&r->mtx);
		/* Totals include servers a reload removed. */
		for (c = r->counters; c != NULL; c = c->next) {
			st->bytes_in += CNT_GET(&c->bytes_in);
			st->bytes_out += CNT_GET(&c->bytes_out);
		}
		n = r->table->nbe;
		for (i = 0; i < n && be != NULL && i < maxbe; i++) {
			c = r->table->be[i].c;
			snprintf(be[i].name, sizeof(be[i].name), "%s", c->name);
			be[i].active = CNT_GET(&c->active);
			be[i].total = CNT_GET(&c->total);
			be[i].failed_connects = CNT_GET(&c->failed);
			be[i].bytes_in = CNT_GET(&c->bytes_in);
			be[i].bytes_out = CNT_GET(&c->bytes_out);
		}
		pthread_mutex_unlock(&r->mtx);
	}
	pthread_mutex_unlock(&relay_mtx);
	return n;
}
