/* relay.c - fallback SMTP relay: pick a healthy backend, PROXY header, copy. */
#include <sys/queue.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include <urcu.h>

#include "dnsd/log.h"
#include "dnsd/relay.h"
#include "probes/pstate.h"

#define RELAY_SRC_BUCKETS 4096
#define RELAY_MAX_READ    (128 * 1024)	/* per read callback (libevent: 16 KiB) */
#define RELAY_BACKLOG     1024

enum { SIDE_CLIENT = 0, SIDE_BACKEND = 1 };

/* A backend: where to connect, and its counters (atomics: read by other
 * threads through relay_get_stats(), written by the relay thread only). */
struct relay_backend {
	char                    name[CONF_NAME_MAX + 1];
	struct sockaddr_storage ss;
	socklen_t               sslen;
	char                    text[INET6_ADDRSTRLEN + 8];
	uint64_t                active, total, failed, bytes_in, bytes_out;
};

/* Open sessions per client address (relay thread only). */
struct relay_src {
	struct relay_src *next;
	unsigned char     key[17];	/* family byte + address */
	unsigned          count;
};

struct relay_side {
	struct bufferevent *bev;	/* NULL once closed */
	bool                eof;	/* no more reading from this side */
	bool                shut;	/* no more writing to this side */
	bool                paused;	/* reading paused: the other's output is full */
	bool                wpending;	/* EV_WRITE on: the bufferevent writes */
};

struct relay;

struct relay_session {
	TAILQ_ENTRY(relay_session) entry;
	struct relay             *r;
	struct relay_side         side[2];
	struct sockaddr_storage   peer, local;
	socklen_t                 peerlen, locallen;
	struct relay_src         *src;
	struct event             *timer;
	struct timeval            last;		/* last bytes read, either side */
	int                       backend;	/* index once connected, else -1 */
	int                       trying;	/* index being connected to */
	unsigned                  ncand, next;
	int                       cand[];	/* candidate backends, in order */
};

struct relay {
	struct event_base       *base;
	pthread_t                thread;
	struct evconnlistener  **ls;
	size_t                   nls;
	int                      stop_pipe[2];
	struct event            *stop_ev;
	struct event            *deadline_ev;
	double                   grace;
	bool                     stopping;

	/* copied from the config */
	size_t                   pool_index;
	enum conf_proxy          proxy;
	enum conf_relay_policy   policy;
	unsigned                 retries;
	struct timeval           connect_tv;
	struct timeval           idle_tv;
	double                   idle;
	unsigned                 max_conn, max_per_source;
	char                     hostname[256];
	struct relay_backend    *be;
	size_t                   nbe;
	double                  *wtmp;		/* scratch: eff_weight per backend */

	TAILQ_HEAD(, relay_session) sessions;
	unsigned                 nsessions;
	struct relay_src        *srcs[RELAY_SRC_BUCKETS];
	uint64_t                 rng[2];

	/* counters (atomics) */
	uint64_t                 accepted, active, rej_max, rej_src, unavail,
	                         idle_to;
};

static pthread_mutex_t relay_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct relay   *relay_cur;	/* under relay_mtx */

#define CNT_ADD(p, n) __atomic_fetch_add((p), (n), __ATOMIC_RELAXED)
#define CNT_SUB(p, n) __atomic_fetch_sub((p), (n), __ATOMIC_RELAXED)
#define CNT_GET(p)    __atomic_load_n((p), __ATOMIC_RELAXED)

static void relay_read_cb(struct bufferevent *, void *);
static void relay_write_cb(struct bufferevent *, void *);
static void relay_event_cb(struct bufferevent *, short, void *);
static void relay_try_next(struct relay_session *);
static bool relay_flush(struct relay_session *, int);

/* ------------------------------------------------------------ helpers */

/* xoroshiro128+: the relay thread's own PRNG, seeded from getrandom(). */
static uint64_t
relay_rand(struct relay *r)
{
	uint64_t s0 = r->rng[0], s1 = r->rng[1], res = s0 + s1;

	s1 ^= s0;
	r->rng[0] = ((s0 << 55) | (s0 >> 9)) ^ s1 ^ (s1 << 14);
	r->rng[1] = (s1 << 36) | (s1 >> 28);
	return res;
}

/* Uniform in [0, 1). */
static double
relay_rand01(struct relay *r)
{
	return (double)(relay_rand(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Rewrite a v4-mapped IPv6 address as IPv4 (in place, into out). */
static const struct sockaddr *
relay_unmap(const struct sockaddr *sa, struct sockaddr_in *out)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

	if (sa->sa_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		return sa;
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_port = s6->sin6_port;
	memcpy(&out->sin_addr, &s6->sin6_addr.s6_addr[12], 4);
	return (const struct sockaddr *)out;
}

static void
relay_addr_text(const struct sockaddr *sa, char *buf, size_t len)
{
	struct sockaddr_in m;
	char a[INET6_ADDRSTRLEN];

	sa = relay_unmap(sa, &m);
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(s4->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else
		snprintf(buf, len, "(family %d)", sa->sa_family);
}

int
relay_proxy_header(int version, const struct sockaddr *src,
    const struct sockaddr *dst, unsigned char *buf)
{
	static const unsigned char sig[12] = {
		0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49,
		0x54, 0x0a };
	struct sockaddr_in m1, m2;
	int fam;

	src = relay_unmap(src, &m1);
	dst = relay_unmap(dst, &m2);
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

/* ------------------------------------------------- per-source counting */

static void
relay_src_key(const struct sockaddr *sa, unsigned char key[17])
{
	struct sockaddr_in m;

	memset(key, 0, 17);
	sa = relay_unmap(sa, &m);
	key[0] = (unsigned char)sa->sa_family;
	if (sa->sa_family == AF_INET)
		memcpy(key + 1, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	else if (sa->sa_family == AF_INET6)
		memcpy(key + 1, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
}

static unsigned
relay_src_hash(const unsigned char key[17])
{
	uint32_t h = 2166136261u;
	int i;

	for (i = 0; i < 17; i++)
		h = (h ^ key[i]) * 16777619u;
	return h % RELAY_SRC_BUCKETS;
}

/* The entry for sa, created with count 0 if absent; NULL on no memory. */
static struct relay_src *
relay_src_get(struct relay *r, const struct sockaddr *sa)
{
	unsigned char key[17];
	struct relay_src *e;
	unsigned h;

	relay_src_key(sa, key);
	h = relay_src_hash(key);
	for (e = r->srcs[h]; e != NULL; e = e->next)
		if (memcmp(e->key, key, 17) == 0)
			return e;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	memcpy(e->key, key, 17);
	e->next = r->srcs[h];
	r->srcs[h] = e;
	return e;
}

/* Drop an entry whose count reached 0. */
static void
relay_src_release(struct relay *r, struct relay_src *src)
{
	struct relay_src **pp;

	if (src->count > 0)
		return;
	for (pp = &r->srcs[relay_src_hash(src->key)]; *pp != NULL;
	    pp = &(*pp)->next) {
		if (*pp == src) {
			*pp = src->next;
			free(src);
			return;
		}
	}
}

/* ---------------------------------------------------- backend choice */

/*
 * Fill cand[] with up to 1 + retries eligible backends (eff_weight > 0 in
 * the current pool state), in the order to try them. Returns the count.
 */
static unsigned
relay_order(struct relay *r, int *cand)
{
	const struct pstate *ps;
	double *w = r->wtmp, total = 0;
	unsigned max = r->retries + 1, n = 0, neligible = 0;
	size_t j, m = 0;

	rcu_read_lock();
	ps = pstate_get();
	if (ps != NULL && r->pool_index < ps->npools) {
		const struct pstate_pool *pp = &ps->pools[r->pool_index];

		m = pp->nservers < r->nbe ? pp->nservers : r->nbe;
		for (j = 0; j < m; j++)
			w[j] = pp->servers[j].eff_weight > 0 ?
			    pp->servers[j].eff_weight : 0;
	}
	rcu_read_unlock();

	for (j = 0; j < m; j++) {
		if (w[j] > 0) {
			neligible++;
			total += w[j];
		}
	}
	if (max > neligible)
		max = neligible;

	if (r->policy == CONF_RELAY_LEASTCONN) {
		/* Fewest active sessions per unit of weight first; ties random. */
		double key[m > 0 ? m : 1], tie[m > 0 ? m : 1];

		for (j = 0; j < m; j++) {
			if (w[j] <= 0)
				continue;
			key[j] = (double)CNT_GET(&r->be[j].active) / w[j];
			tie[j] = relay_rand01(r);
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
		double u = relay_rand01(r) * total;
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

static void
relay_reject(struct relay *r, evutil_socket_t fd, const struct sockaddr *sa,
    uint64_t *counter, const char *why)
{
	static const char code[] = "4.7.0";
	static const char text[] = "Too many connections, try again later";
	char line[512], peer[INET6_ADDRSTRLEN + 16];
	int n;

	CNT_ADD(counter, 1);
	relay_addr_text(sa, peer, sizeof(peer));
	log_warnx("relay: 421 %s to %s: %s", code, peer, why);
	n = snprintf(line, sizeof(line), "421 %s %s %s\r\n", code, r->hostname,
	    text);
	/* A fresh connection: the socket buffer is empty, the line fits. */
	if (n > 0 && write(fd, line, (size_t)n) < 0)
		log_debug("relay: write 421 to %s: %s", peer, strerror(errno));
	shutdown(fd, SHUT_WR);
	evutil_closesocket(fd);
}

static void
relay_session_free(struct relay_session *s)
{
	struct relay *r = s->r;
	int i;

	for (i = 0; i < 2; i++)
		if (s->side[i].bev != NULL)
			bufferevent_free(s->side[i].bev);
	if (s->timer != NULL)
		event_free(s->timer);
	if (s->backend >= 0)
		CNT_SUB(&r->be[s->backend].active, 1);
	if (s->src != NULL) {
		s->src->count--;
		relay_src_release(r, s->src);
	}
	TAILQ_REMOVE(&r->sessions, s, entry);
	r->nsessions--;
	CNT_SUB(&r->active, 1);
	free(s);
	if (r->stopping && r->nsessions == 0)
		event_base_loopbreak(r->base);
}

static int
relay_side_of(const struct relay_session *s, const struct bufferevent *bev)
{
	return bev == s->side[SIDE_CLIENT].bev ? SIDE_CLIENT : SIDE_BACKEND;
}

/* Close side x at once; the other side stops reading (nowhere to send)
 * and is closed once its output is flushed. */
static void
relay_side_kill(struct relay_session *s, int x)
{
	struct relay_side *a = &s->side[x], *b = &s->side[!x];

	if (a->bev != NULL)
		bufferevent_free(a->bev);
	a->bev = NULL;
	a->eof = a->shut = true;
	if (b->bev != NULL && !b->eof) {
		bufferevent_disable(b->bev, EV_READ);
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

		if (a->eof && !b->shut && b->bev != NULL &&
		    evbuffer_get_length(bufferevent_get_output(b->bev)) == 0) {
			b->shut = true;
			/* The last one is left to close(): one syscall less. */
			if (!(s->side[0].eof && s->side[1].eof &&
			    s->side[0].shut && s->side[1].shut))
				shutdown(bufferevent_getfd(b->bev), SHUT_WR);
		}
	}
	if (s->side[0].eof && s->side[1].eof && s->side[0].shut &&
	    s->side[1].shut) {
		relay_session_free(s);
		return true;
	}
	return false;
}

static void
relay_idle_cb(evutil_socket_t fd, short what, void *arg)
{
	struct relay_session *s = arg;
	struct relay *r = s->r;
	struct timeval now, d, left;

	event_base_gettimeofday_cached(r->base, &now);
	timersub(&now, &s->last, &d);
	if (!timercmp(&d, &r->idle_tv, <)) {
		char peer[INET6_ADDRSTRLEN + 16];

		relay_addr_text((struct sockaddr *)&s->peer, peer, sizeof(peer));
		log_info("relay: %s idle for %.0f s, closed", peer, r->idle);
		CNT_ADD(&r->idle_to, 1);
		relay_session_free(s);
		return;
	}
	timersub(&r->idle_tv, &d, &left);
	evtimer_add(s->timer, &left);
}

/* No backend reachable: 421 4.3.2 to the client, flush, close. */
static void
relay_unavailable(struct relay_session *s)
{
	struct relay *r = s->r;
	struct bufferevent *c = s->side[SIDE_CLIENT].bev;
	char peer[INET6_ADDRSTRLEN + 16];

	CNT_ADD(&r->unavail, 1);
	relay_addr_text((struct sockaddr *)&s->peer, peer, sizeof(peer));
	log_warnx("relay: 421 4.3.2 to %s: no backend reachable (%u tried)",
	    peer, s->next);
	s->side[SIDE_BACKEND].eof = s->side[SIDE_BACKEND].shut = true;
	s->side[SIDE_CLIENT].eof = true;
	bufferevent_setcb(c, NULL, relay_write_cb, relay_event_cb, s);
	evbuffer_add_printf(bufferevent_get_output(c),
	    "421 4.3.2 %s Service not available, try again later\r\n",
	    r->hostname);
	s->side[SIDE_CLIENT].wpending = true;
	bufferevent_enable(c, EV_WRITE);
}

static void
relay_connect_cb(struct bufferevent *bev, short events, void *arg)
{
	struct relay_session *s = arg;
	struct relay *r = s->r;
	struct bufferevent *c = s->side[SIDE_CLIENT].bev;
	struct relay_backend *be = &r->be[s->trying];

	if (events & BEV_EVENT_CONNECTED) {
		unsigned char hdr[RELAY_PROXY_MAX];
		int n;

		s->backend = s->trying;
		CNT_ADD(&be->active, 1);
		CNT_ADD(&be->total, 1);
		bufferevent_set_timeouts(bev, NULL, NULL);
		bufferevent_setcb(bev, relay_read_cb, relay_write_cb,
		    relay_event_cb, s);
		bufferevent_setcb(c, relay_read_cb, relay_write_cb,
		    relay_event_cb, s);
		/* Writes go out directly from the read callbacks (one
		 * syscall, no write event); EV_WRITE is enabled only while
		 * a peer's socket buffer is full. */
		bufferevent_disable(bev, EV_WRITE);
		bufferevent_set_max_single_read(bev, RELAY_MAX_READ);
		bufferevent_set_max_single_read(c, RELAY_MAX_READ);
		bufferevent_set_max_single_write(bev, RELAY_MAX_READ);
		bufferevent_set_max_single_write(c, RELAY_MAX_READ);
		if (r->proxy != CONF_PROXY_NONE) {
			n = relay_proxy_header(r->proxy,
			    (struct sockaddr *)&s->peer,
			    (struct sockaddr *)&s->local, hdr);
			if (n > 0) {
				bufferevent_write(bev, hdr, (size_t)n);
				if (relay_flush(s, SIDE_BACKEND))
					return;
			}
		}
		bufferevent_enable(bev, EV_READ);
		bufferevent_enable(c, EV_READ);
		return;
	}
	CNT_ADD(&be->failed, 1);
	log_debug("relay: connect to %s (%s) failed: %s", be->name, be->text,
	    (events & BEV_EVENT_TIMEOUT) ? "timed out" :
	    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	bufferevent_free(bev);
	s->side[SIDE_BACKEND].bev = NULL;
	relay_try_next(s);
}

static void
relay_try_next(struct relay_session *s)
{
	struct relay *r = s->r;
	struct bufferevent *bev;

	while (s->next < s->ncand) {
		struct relay_backend *be;

		s->trying = s->cand[s->next++];
		be = &r->be[s->trying];
		bev = bufferevent_socket_new(r->base, -1,
		    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
		if (bev == NULL) {
			log_warnx("relay: out of memory");
			break;
		}
		bufferevent_setcb(bev, NULL, NULL, relay_connect_cb, s);
		bufferevent_set_timeouts(bev, NULL, &r->connect_tv);
		s->side[SIDE_BACKEND].bev = bev;
		/* Callbacks are deferred: a failure is reported later, from
		 * the loop, never from inside this call. */
		if (bufferevent_socket_connect(bev, (struct sockaddr *)&be->ss,
		    (int)be->sslen) == 0)
			return;
		CNT_ADD(&be->failed, 1);
		log_debug("relay: connect to %s (%s): %s", be->name, be->text,
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		bufferevent_free(bev);
		s->side[SIDE_BACKEND].bev = NULL;
	}
	relay_unavailable(s);
}

/*
 * Write side y's output to its socket now, unless the bufferevent is
 * already waiting to (EV_WRITE on). Whatever does not fit is left to the
 * bufferevent: EV_WRITE on until relay_write_cb() sees it drained.
 * \retval true  the session was freed (write error on the last open side)
 */
static bool
relay_flush(struct relay_session *s, int y)
{
	struct relay_side *o = &s->side[y];
	struct evbuffer *out = bufferevent_get_output(o->bev);

	int n, e;

	if (o->wpending)
		return false;
	/* A bufferevent keeps its output's start frozen; only its own write
	 * callback thaws it, as here. */
	evbuffer_unfreeze(out, 1);
	n = evbuffer_write_atmost(out, bufferevent_getfd(o->bev),
	    RELAY_MAX_READ);
	e = errno;
	evbuffer_freeze(out, 1);
	if (n < 0 && e != EAGAIN && e != EWOULDBLOCK && e != EINTR) {
		log_debug("relay: write: %s", strerror(e));
		relay_side_kill(s, y);
		return relay_session_check(s);
	}
	if (evbuffer_get_length(out) > 0) {
		o->wpending = true;
		bufferevent_enable(o->bev, EV_WRITE);
	}
	return false;
}

/*
 * Move what side x read to the other side and write it.
 * \retval true  the session was freed
 */
static bool
relay_forward(struct relay_session *s, int x)
{
	struct bufferevent *bev = s->side[x].bev;
	struct relay_side *o = &s->side[!x];
	struct evbuffer *in = bufferevent_get_input(bev), *out;
	size_t len = evbuffer_get_length(in);

	if (len == 0)
		return false;
	event_base_gettimeofday_cached(s->r->base, &s->last);
	if (o->bev == NULL || o->shut || s->backend < 0) {
		evbuffer_drain(in, len);
		return false;
	}
	out = bufferevent_get_output(o->bev);
	evbuffer_add_buffer(out, in);
	if (x == SIDE_CLIENT)
		CNT_ADD(&s->r->be[s->backend].bytes_in, len);
	else
		CNT_ADD(&s->r->be[s->backend].bytes_out, len);
	if (relay_flush(s, !x))
		return true;
	if (evbuffer_get_length(out) >= RELAY_HIGH_WATER && !s->side[x].paused) {
		/* Back-pressure: resume when the output drains to half. */
		bufferevent_setwatermark(o->bev, EV_WRITE, RELAY_HIGH_WATER / 2,
		    0);
		bufferevent_disable(bev, EV_READ);
		s->side[x].paused = true;
	}
	return false;
}

static void
relay_read_cb(struct bufferevent *bev, void *arg)
{
	struct relay_session *s = arg;

	relay_forward(s, relay_side_of(s, bev));
}

/* bev's output drained to its low watermark (0, or half of the high water
 * mark while the other side is paused). */
static void
relay_write_cb(struct bufferevent *bev, void *arg)
{
	struct relay_session *s = arg;
	int y = relay_side_of(s, bev);
	struct relay_side *o = &s->side[!y];

	if (o->paused) {
		o->paused = false;
		bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
		if (o->bev != NULL && !o->eof)
			bufferevent_enable(o->bev, EV_READ);
	}
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0) {
		bufferevent_disable(bev, EV_WRITE);
		s->side[y].wpending = false;
	}
	if (s->side[0].eof || s->side[1].eof)
		relay_session_check(s);
}

static void
relay_event_cb(struct bufferevent *bev, short events, void *arg)
{
	struct relay_session *s = arg;
	int x = relay_side_of(s, bev);

	if (events & BEV_EVENT_EOF) {
		/* Whatever arrived with the EOF goes on before the shutdown. */
		if (relay_forward(s, x))
			return;
		s->side[x].eof = true;
		bufferevent_disable(bev, EV_READ);
	} else if (events & (BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)) {
		relay_side_kill(s, x);
	}
	relay_session_check(s);
}

static void
relay_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct relay *r = arg;
	struct relay_session *s;
	struct relay_src *src;

	CNT_ADD(&r->accepted, 1);
	if (r->stopping) {
		evutil_closesocket(fd);
		return;
	}
	if (r->max_conn > 0 && r->nsessions >= r->max_conn) {
		relay_reject(r, fd, sa, &r->rej_max, "max_connections reached");
		return;
	}
	if ((src = relay_src_get(r, sa)) == NULL)
		goto fail;
	if (r->max_per_source > 0 && src->count >= r->max_per_source) {
		relay_src_release(r, src);
		relay_reject(r, fd, sa, &r->rej_src, "max_per_source reached");
		return;
	}
	if ((s = calloc(1, sizeof(*s) + r->nbe * sizeof(int) + 1)) == NULL) {
		relay_src_release(r, src);
		goto fail;
	}
	s->r = r;
	s->backend = s->trying = -1;
	s->src = src;
	src->count++;
	memcpy(&s->peer, sa, (size_t)salen < sizeof(s->peer) ?
	    (size_t)salen : sizeof(s->peer));
	s->peerlen = (socklen_t)salen;
	s->locallen = sizeof(s->local);
	if (getsockname(fd, (struct sockaddr *)&s->local, &s->locallen) < 0)
		s->local.ss_family = AF_UNSPEC;
	TAILQ_INSERT_TAIL(&r->sessions, s, entry);
	r->nsessions++;
	CNT_ADD(&r->active, 1);
	event_base_gettimeofday_cached(r->base, &s->last);

	s->side[SIDE_CLIENT].bev = bufferevent_socket_new(r->base, fd,
	    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	s->timer = evtimer_new(r->base, relay_idle_cb, s);
	if (s->side[SIDE_CLIENT].bev == NULL || s->timer == NULL) {
		if (s->side[SIDE_CLIENT].bev == NULL)
			evutil_closesocket(fd);
		log_warnx("relay: out of memory");
		relay_session_free(s);
		return;
	}
	/* Nothing to write yet; relay_flush() writes directly. */
	bufferevent_disable(s->side[SIDE_CLIENT].bev, EV_WRITE);
	evtimer_add(s->timer, &r->idle_tv);
	s->ncand = relay_order(r, s->cand);
	relay_try_next(s);
	return;
fail:
	log_warnx("relay: out of memory, connection closed");
	evutil_closesocket(fd);
}

static void
relay_accept_error_cb(struct evconnlistener *l, void *arg)
{
	int e = EVUTIL_SOCKET_ERROR();

	/* EMFILE and friends: the listener retries on the next event. */
	log_warnx("relay: accept: %s", evutil_socket_error_to_string(e));
}

/* ------------------------------------------------------ thread, stop */

static void
relay_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct relay *r = arg;
	struct relay_session *s;

	if (r->nsessions > 0)
		log_info("relay: grace period over, closing %u session(s)",
		    r->nsessions);
	while ((s = TAILQ_FIRST(&r->sessions)) != NULL)
		relay_session_free(s);
	event_base_loopbreak(r->base);
}

static void
relay_stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct relay *r = arg;
	struct timeval tv;
	char c;
	size_t i;

	while (read(fd, &c, 1) > 0)
		;
	if (r->stopping)
		return;
	r->stopping = true;
	for (i = 0; i < r->nls; i++) {
		evconnlistener_free(r->ls[i]);
		r->ls[i] = NULL;
	}
	if (r->nsessions == 0) {
		event_base_loopbreak(r->base);
		return;
	}
	tv.tv_sec = (time_t)r->grace;
	tv.tv_usec = (suseconds_t)((r->grace - (double)tv.tv_sec) * 1e6);
	r->deadline_ev = evtimer_new(r->base, relay_deadline_cb, r);
	if (r->deadline_ev == NULL || evtimer_add(r->deadline_ev, &tv) != 0)
		relay_deadline_cb(-1, 0, r);
}

static void *
relay_thread(void *arg)
{
	struct relay *r = arg;

	rcu_register_thread();
	event_base_loop(r->base, 0);
	rcu_unregister_thread();
	return NULL;
}

static void
relay_free(struct relay *r)
{
	struct relay_session *s;
	size_t i;

	if (r == NULL)
		return;
	while ((s = TAILQ_FIRST(&r->sessions)) != NULL)
		relay_session_free(s);
	for (i = 0; i < r->nls; i++)
		if (r->ls[i] != NULL)
			evconnlistener_free(r->ls[i]);
	free(r->ls);
	if (r->stop_ev != NULL)
		event_free(r->stop_ev);
	if (r->deadline_ev != NULL)
		event_free(r->deadline_ev);
	for (i = 0; i < 2; i++)
		if (r->stop_pipe[i] >= 0)
			close(r->stop_pipe[i]);
	if (r->base != NULL)
		event_base_free(r->base);
	for (i = 0; i < RELAY_SRC_BUCKETS; i++) {
		while (r->srcs[i] != NULL) {
			struct relay_src *e = r->srcs[i];

			r->srcs[i] = e->next;
			free(e);
		}
	}
	free(r->be);
	free(r->wtmp);
	free(r);
}

static struct timeval
relay_tv(double secs)
{
	struct timeval tv;

	tv.tv_sec = (time_t)secs;
	tv.tv_usec = (suseconds_t)((secs - (double)tv.tv_sec) * 1e6);
	return tv;
}

/* Copy backends (first IPv4 address, else the first) from the pool. */
static int
relay_copy_backends(struct relay *r, const struct conf *conf)
{
	const struct conf_pool *pool;
	size_t j, k;

	if (conf->relay.pool_index >= conf->npools) {
		log_warnx("relay: pool '%s' not found", conf->relay.pool);
		return -1;
	}
	pool = &conf->pools[conf->relay.pool_index];
	r->nbe = pool->nservers;
	r->be = calloc(r->nbe + 1, sizeof(*r->be));
	r->wtmp = calloc(r->nbe + 1, sizeof(*r->wtmp));
	if (r->be == NULL || r->wtmp == NULL) {
		log_warnx("relay: out of memory");
		return -1;
	}
	for (j = 0; j < pool->nservers; j++) {
		const struct conf_server *sv = &pool->servers[j];
		const struct conf_ip *ip = NULL;
		struct relay_backend *be = &r->be[j];

		snprintf(be->name, sizeof(be->name), "%s", sv->name);
		for (k = 0; k < sv->naddrs && ip == NULL; k++)
			if (sv->addrs[k].family == AF_INET)
				ip = &sv->addrs[k];
		if (ip == NULL && sv->naddrs > 0)
			ip = &sv->addrs[0];
		if (ip == NULL) {
			log_warnx("relay: server '%s' has no address", sv->name);
			return -1;
		}
		if (ip->family == AF_INET) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&be->ss;

			s4->sin_family = AF_INET;
			s4->sin_addr = ip->u.v4;
			s4->sin_port = htons(conf->relay.port);
			be->sslen = sizeof(*s4);
		} else {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&be->ss;

			s6->sin6_family = AF_INET6;
			s6->sin6_addr = ip->u.v6;
			s6->sin6_port = htons(conf->relay.port);
			be->sslen = sizeof(*s6);
		}
		relay_addr_text((struct sockaddr *)&be->ss, be->text,
		    sizeof(be->text));
	}
	return 0;
}

static int
relay_listen(struct relay *r, const struct conf_sockaddr *a)
{
	struct evconnlistener *l;
	int fd, one = 1;

	fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0) {
		log_warn("relay: socket for %s", a->text);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a->ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0) {
		log_warn("relay: bind %s", a->text);
		goto fail;
	}
	l = evconnlistener_new(r->base, relay_accept_cb, r,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, RELAY_BACKLOG, fd);
	if (l == NULL) {
		log_warn("relay: listen %s", a->text);
		goto fail;
	}
	evconnlistener_set_error_cb(l, relay_accept_error_cb);
	r->ls[r->nls++] = l;
	return 0;
fail:
	close(fd);
	return -1;
}

int
relay_start(const struct conf *conf)
{
	const struct conf_relay *rc = &conf->relay;
	struct relay *r;
	struct sigaction sa;
	sigset_t all, old;
	size_t i;
	int rv;

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
	r->stop_pipe[0] = r->stop_pipe[1] = -1;
	TAILQ_INIT(&r->sessions);
	r->pool_index = rc->pool_index;
	r->proxy = rc->proxy_protocol;
	r->policy = rc->policy;
	r->retries = rc->retries;
	r->connect_tv = relay_tv(rc->connect_timeout > 0 ? rc->connect_timeout : 5);
	r->idle = rc->idle_timeout > 0 ? rc->idle_timeout : 300;
	r->idle_tv = relay_tv(r->idle);
	r->max_conn = rc->max_connections;
	r->max_per_source = rc->max_per_source;
	if (rc->hostname != NULL)
		snprintf(r->hostname, sizeof(r->hostname), "%s", rc->hostname);
	else if (gethostname(r->hostname, sizeof(r->hostname) - 1) != 0)
		snprintf(r->hostname, sizeof(r->hostname), "localhost");
	if (getrandom(r->rng, sizeof(r->rng), 0) != sizeof(r->rng) ||
	    (r->rng[0] | r->rng[1]) == 0) {
		r->rng[0] = (uint64_t)time(NULL) ^ 0x9e3779b97f4a7c15ULL;
		r->rng[1] = (uint64_t)getpid() | 1;
	}
	if (relay_copy_backends(r, conf) != 0)
		goto fail;
	if (rc->nlisten == 0) {
		log_warnx("relay: no listen address");
		goto fail;
	}
	if ((r->base = event_base_new()) == NULL) {
		log_warnx("relay: event_base_new failed");
		goto fail;
	}
	if ((r->ls = calloc(rc->nlisten, sizeof(*r->ls))) == NULL)
		goto fail;
	for (i = 0; i < rc->nlisten; i++)
		if (relay_listen(r, &rc->listen[i]) != 0)
			goto fail;
	if (pipe2(r->stop_pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
		log_warn("relay: pipe");
		goto fail;
	}
	r->stop_ev = event_new(r->base, r->stop_pipe[0], EV_READ | EV_PERSIST,
	    relay_stop_cb, r);
	if (r->stop_ev == NULL || event_add(r->stop_ev, NULL) != 0)
		goto fail;

	/* Writes to a peer that reset the connection must fail with EPIPE,
	 * not kill the daemon. */
	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_IGN;
		sigaction(SIGPIPE, &sa, NULL);
	}
	/* The relay thread takes no signals; the main thread handles them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rv = pthread_create(&r->thread, NULL, relay_thread, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rv != 0) {
		errno = rv;
		log_warn("relay: pthread_create");
		goto fail;
	}
	pthread_mutex_lock(&relay_mtx);
	relay_cur = r;
	pthread_mutex_unlock(&relay_mtx);
	for (i = 0; i < rc->nlisten; i++)
		log_info("relay: listening on %s, pool %s, backend port %u%s",
		    rc->listen[i].text, rc->pool, rc->port,
		    r->proxy == CONF_PROXY_V1 ? ", PROXY v1" :
		    r->proxy == CONF_PROXY_V2 ? ", PROXY v2" : "");
	return 0;
fail:
	relay_free(r);
	return -1;
}

void
relay_stop(double grace_seconds)
{
	struct relay *r;
	char c = 's';

	pthread_mutex_lock(&relay_mtx);
	r = relay_cur;
	relay_cur = NULL;
	pthread_mutex_unlock(&relay_mtx);
	if (r == NULL)
		return;
	r->grace = grace_seconds > 0 ? grace_seconds : 0;
	if (write(r->stop_pipe[1], &c, 1) != 1)
		log_warn("relay: stop");
	pthread_join(r->thread, NULL);
	relay_free(r);
}

size_t
relay_get_stats(struct relay_stats *st, struct relay_backend_stats *be,
    size_t maxbe)
{
	struct relay *r;
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
		n = r->nbe;
		for (i = 0; i < n; i++) {
			const struct relay_backend *b = &r->be[i];
			uint64_t bi = CNT_GET(&b->bytes_in),
			    bo = CNT_GET(&b->bytes_out);

			st->bytes_in += bi;
			st->bytes_out += bo;
			if (be == NULL || i >= maxbe)
				continue;
			snprintf(be[i].name, sizeof(be[i].name), "%s", b->name);
			be[i].active = CNT_GET(&b->active);
			be[i].total = CNT_GET(&b->total);
			be[i].failed_connects = CNT_GET(&b->failed);
			be[i].bytes_in = bi;
			be[i].bytes_out = bo;
		}
	}
	pthread_mutex_unlock(&relay_mtx);
	return n;
}
