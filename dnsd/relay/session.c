/* session.c - one relay session: accept checks, connect with a timeout and
 * the next backend on failure, the copy loop with back-pressure, the idle
 * timer, flush before close, and the 421 replies. */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/sockios.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "dnsd/base/log.h"
#include "dnsd/base/sock.h"
#include "dnsd/base/srclimit.h"
#include "dnsd/relay/backend.h"
#include "dnsd/base/proxy.h"
#include "dnsd/relay/relay-t.h"
#include "dnsd/relay/session.h"
#include "dnsd/relay/table.h"

/* Reading from one side pauses while the other side's output exceeds this. */
#define RELAY_HIGH_WATER (256 * 1024)

enum { SIDE_CLIENT = 0, SIDE_BACKEND = 1 };

/* One direction's socket: the client's or the backend's. */
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
	uint64_t                  bin, bout;	/* bytes not yet in the counters */
	int                       trying;	/* index being connected to */
	unsigned                  ncand, next;
	int                       cand[];	/* candidate backends, in order */
};

static void relay_try_next(struct relay_session *);

/*
 * Every 421 is logged, but at most RELAY_LOG_421 lines per second per relay
 * thread: a flood of rejected connections must not flood the log. The rest
 * are counted and summarised by the thread's one-second timer
 * (relay_session_tick), or by the next line logged if that comes first;
 * the counters on the status endpoint stay exact.
 */
#define RELAY_LOG_421 10

static __thread struct log_rate log421;

/*
 * The bytes a session relayed go to its backend's counters, which every
 * relay thread shares, once a second and when it ends, not at every read:
 * on a chatty session that was an atomic add on a contended cache line
 * per SMTP line.
 */
static void
relay_session_count(struct relay_session *s)
{
	struct relay_counters *c;

	if (s->backend < 0 || (s->bin == 0 && s->bout == 0))
		return;
	c = s->t->be[s->backend].c;
	if (s->bin > 0)
		CNT_ADD(&c->bytes_in, s->bin);
	if (s->bout > 0)
		CNT_ADD(&c->bytes_out, s->bout);
	s->bin = s->bout = 0;
}

void
relay_session_tick(struct relay_thread *th)
{
	struct relay_session *s;

	TAILQ_FOREACH(s, &th->sessions, entry)
		relay_session_count(s);
	log_rate_flush(&log421, RELAY_LOG_421, "relay: 421 replies");
}

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

void
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
	relay_session_count(s);
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
 *
 * recv() and send() rather than read() and write(): the socket calls
 * skip the file layer (position lock, fsnotify), a few per cent of the
 * relay's CPU on chatty sessions, where every SMTP line is one of each.
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
		n = recv(a->fd, th->buf, RELAY_MAX_READ, MSG_DONTWAIT);
	} else if (evbuffer_get_length(o->out) == 0) {
		n = recv(a->fd, th->buf, RELAY_MAX_READ, MSG_DONTWAIT);
		if (n > 0) {
			w = send(o->fd, th->buf, (size_t)n,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
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
		s->bin += (uint64_t)n;
	else
		s->bout += (uint64_t)n;
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

/* The PROXY header for this session into hdr; 0 bytes without one. */
static size_t
relay_proxy_header(const struct relay_session *s, unsigned char *hdr)
{
	int n;

	if (s->t->proxy == CONF_PROXY_NONE)
		return 0;
	n = proxy_header(s->t->proxy, (const struct sockaddr *)&s->peer,
	    (const struct sockaddr *)&s->local, hdr);
	return n > 0 ? (size_t)n : 0;
}

/*
 * The backend socket connected: the PROXY header (what of it is not sent
 * yet: rest, len), then copy both ways.
 */
static void
relay_connected(struct relay_session *s, const unsigned char *rest, size_t len)
{
	struct relay_table *t = s->t;
	struct relay_side *b = &s->side[SIDE_BACKEND];
	struct relay_backend *be = &t->be[s->trying];

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
	if (len > 0) {
		if (evbuffer_add(b->out, rest, len) != 0) {
			log_warnx("relay: out of memory");
			relay_side_kill(s, SIDE_BACKEND);
			relay_side_kill(s, SIDE_CLIENT);
			relay_session_check(s);
			return;
		}
		if (relay_flush(s, SIDE_BACKEND))
			return;
	}
	relay_side_read(b, true);
	relay_side_read(&s->side[SIDE_CLIENT], true);
}

/*
 * connect() said EINPROGRESS (or, rarely, succeeded), yet to a backend on
 * this host (loopback: a one-box setup, the tests) the handshake is over
 * by the time it returns.
 * A send tells without waiting for the socket to turn writable (an
 * epoll_ctl, a pass of the loop, an SO_ERROR check): of the PROXY header,
 * or of no bytes without one. While the handshake is under way it fails
 * with EAGAIN and the write event decides, as for any other backend; an
 * error is the connect's (send reports and clears it).
 * \retval 1   connected; relay_connected() ran
 * \retval 0   still connecting
 * \retval -1  the connect failed (errno)
 */
static int
relay_connect_early(struct relay_session *s)
{
	unsigned char hdr[PROXY_HEADER_MAX];
	size_t n = relay_proxy_header(s, hdr);
	ssize_t w;

	w = send(s->side[SIDE_BACKEND].fd, hdr, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (w < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR ? 0 : -1;
	relay_connected(s, hdr + w, n - (size_t)w);
	return 1;
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
		unsigned char hdr[PROXY_HEADER_MAX];

		relay_connected(s, hdr, relay_proxy_header(s, hdr));
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
		if (connect(fd, (struct sockaddr *)&be->ss, be->sslen) != 0 &&
		    errno != EINPROGRESS) {
			relay_connect_failed(s, strerror(errno));
			continue;
		}
		/* connected or under way: the first send tells which */
		switch (relay_connect_early(s)) {
		case 1:
			return;
		case -1:
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

void
relay_session_accept(struct evconnlistener *l, evutil_socket_t fd,
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
	t = relay_tables_get(&r->tables);
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
	s->ncand = relay_backend_order(t, &th->rng, &th->mismatch_logged,
	    s->cand);
	relay_try_next(s);
}
