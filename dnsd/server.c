/* server.c - DNS listeners and worker threads: UDP batches, TCP per RFC 7766. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <urcu.h>

#include "dnsd/base/clock.h"
#include "dnsd/base/log.h"
#include "dnsd/base/sock.h"
#include "dnsd/query.h"
#include "dnsd/rrl.h"
#include "dnsd/server.h"
#include "dnsd/tcp.h"
#include "dnsd/world.h"

#define SERVER_CTRL_LEN  CMSG_SPACE(sizeof(struct in6_pktinfo))
#define SERVER_ACCEPTS   32	/* accept() calls per wakeup */
#define SERVER_TCP_MAX   65535
#define SERVER_SWEEP     0.25	/* s between pressure sweeps */
#define SERVER_PAUSE_MIN 0.1	/* s: accept back-off after EMFILE, first */
#define SERVER_PAUSE_MAX 1.0	/* s: ... doubling up to this */

/* One configured listen address. */
struct listener {
	struct sockaddr_storage ss;
	socklen_t               len;
	char                    text[64];
	int                     wildcard;	/* 0.0.0.0 or :: : needs PKTINFO */
};

struct worker;

/* One socket of one worker (UDP or TCP listening). */
struct udpctx;

struct wsock {
	struct worker         *w;
	const struct listener *l;
	int                    fd;
	int                    udp;
	int                    pktinfo;
	struct event          *ev;		/* TCP listeners only */
	struct udpctx         *u;		/* UDP only: its thread's state */
	pthread_t              tid;
	int                    started;
};

/* One TCP client connection. */
struct tconn {
	struct worker      *w;
	struct bufferevent *bev;
	struct tconn       *prev, *next;
	int                 closing;	/* client sent EOF: flush, then free */
	int                 paused;	/* reading stopped by back-pressure */
	int                 slot;	/* tcp_acquire(): per-source count */
	time_t              stall_since;	/* tcp_stalled() state */
	double              stall_limit;	/* tcp_idle_timeout */
	struct tcp_idle     idle;	/* place in w->idle (idle.slot = slot) */
	struct sockaddr_storage peer;	/* the client (DNS Cookies) */
};

union ctrl {
	struct cmsghdr align;
	uint8_t        buf[SERVER_CTRL_LEN];
};

/* The thread of one UDP socket: batch state reused for every batch. */
struct udpctx {
	struct query_thread   *at;
	struct mmsghdr          in[SERVER_BATCH], out[SERVER_BATCH];
	struct iovec            iniov[SERVER_BATCH], outiov[SERVER_BATCH];
	struct sockaddr_storage from[SERVER_BATCH];
	union ctrl              inctl[SERVER_BATCH], outctl[SERVER_BATCH];
	uint8_t                 q[SERVER_BATCH][SERVER_UDP_BUF];
	uint8_t                 r[SERVER_BATCH][SERVER_UDP_BUF];
};

struct worker {
	struct server        *srv;
	unsigned              idx;
	pthread_t             tid;
	int                   started;
	struct event_base    *base;
	struct query_thread *at;
	int                   stopfd[2];
	struct event         *stopev;
	struct event         *accept_retry;	/* re-arms listeners after EMFILE */
	double                accept_pause;	/* next back-off, seconds */
	struct log_rate       accept_log;
	struct wsock         *socks;
	size_t                nsocks;
	struct tconn         *conns;
	struct tcp_idle_list  idle;		/* this worker's idle connections */
	struct tcp_share      share;		/* their count, for other workers */
	int                   evictfd;		/* eventfd: share.want grew */
	struct event         *evictev;
	struct event         *sweep;		/* pressure timeouts */
	unsigned              claim_next;	/* where tcp_claim() looks first */
	/* TCP: one query and one framed response at a time. */
	uint8_t               tq[SERVER_TCP_MAX];
	uint8_t               tr[2 + SERVER_TCP_MAX];
};

struct server {
	struct listener  *ls;
	size_t            nls;
	struct worker   **workers;
	unsigned          nworkers;
	int               stopping;	/* atomic: UDP threads end */
	unsigned          tcp_conns;	/* all workers; atomic */
	unsigned long     tcp_refused;	/* atomic */
};

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
is_wildcard(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_addr.s_addr ==
		    htonl(INADDR_ANY);
	if (ss->ss_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(
		    &((const struct sockaddr_in6 *)ss)->sin6_addr);
	return 0;
}

/*
 * A socket for listener l. Before the SO_REUSEPORT group is formed, the
 * first one is bound once without SO_REUSEPORT: that fails with EADDRINUSE
 * when any other process (even another mxspread with SO_REUSEPORT) holds
 * the port, instead of silently sharing its traffic.
 */
static int
open_socket(const struct listener *l, int udp, int first, int *pktinfo,
    char *err, size_t errlen)
{
	const char *proto = udp ? "udp" : "tcp";
	int fam = l->ss.ss_family, on = 1, fd;
	unsigned flags = SOCK_F_REUSEPORT;

	/* UDP sockets block: their thread waits in recvmmsg(). */
	if (first)
		flags |= SOCK_F_EXCLUSIVE;
	if (!udp)
		flags |= SOCK_F_NONBLOCK | SOCK_F_NODELAY;
	*pktinfo = 0;
	fd = sock_listen((const struct sockaddr *)&l->ss, l->len,
	    udp ? SOCK_DGRAM : SOCK_STREAM, flags, udp ? 0 : 1024);
	if (fd < 0)
		goto fail;
	if (udp) {
		int rcvbuf = 4 * 1024 * 1024;
		struct timeval tmo = { 0, 500000 };
#ifdef IP_PMTUDISC_OMIT
		int pmtu = IP_PMTUDISC_OMIT;

		/* Send at the interface MTU and let large answers fragment
		 * rather than trust forged ICMP "too big" (as Knot, gdnsd). */
		if (fam == AF_INET)
			(void)setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu,
			    sizeof(pmtu));
#endif
		if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tmo,
		    sizeof(tmo)) != 0)
			goto fail;
		/* Bursts must not overflow the receive queue; best effort. */
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		    sizeof(rcvbuf)) != 0)
			(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			    sizeof(rcvbuf));
		if (l->wildcard) {
			if (fam == AF_INET && setsockopt(fd, IPPROTO_IP,
			    IP_PKTINFO, &on, sizeof(on)) != 0)
				goto fail;
			if (fam == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
			    IPV6_RECVPKTINFO, &on, sizeof(on)) != 0)
				goto fail;
			*pktinfo = 1;
		}
	}
	return fd;
fail:
	seterr(err, errlen, "listen %s (%s): %s", l->text, proto,
	    strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* ---- UDP ---- */

/* Reply from the address the query was sent to (wildcard listeners). */
static void
udp_set_source(struct mmsghdr *om, union ctrl *octl, const struct msghdr *im)
{
	struct cmsghdr *c, *o;

	om->msg_hdr.msg_control = NULL;
	om->msg_hdr.msg_controllen = 0;
	for (c = CMSG_FIRSTHDR(im); c != NULL;
	    c = CMSG_NXTHDR((struct msghdr *)im, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			pi.ipi_spec_dst = pi.ipi_addr;
			pi.ipi_ifindex = 0;
			om->msg_hdr.msg_control = octl->buf;
			om->msg_hdr.msg_controllen = CMSG_SPACE(sizeof(pi));
			o = CMSG_FIRSTHDR(&om->msg_hdr);
			o->cmsg_level = IPPROTO_IP;
			o->cmsg_type = IP_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(o), &pi, sizeof(pi));
			return;
		}
		if (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			om->msg_hdr.msg_control = octl->buf;
			om->msg_hdr.msg_controllen = CMSG_SPACE(sizeof(pi));
			o = CMSG_FIRSTHDR(&om->msg_hdr);
			o->cmsg_level = IPPROTO_IPV6;
			o->cmsg_type = IPV6_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(o), &pi, sizeof(pi));
			return;
		}
	}
}

static void
udp_send(struct wsock *s, unsigned n)
{
	struct udpctx *u = s->u;
	unsigned done = 0;
	int rc;

	while (done < n) {
		rc = sendmmsg(s->fd, u->out + done, n - done, MSG_DONTWAIT);
		if (rc > 0) {
			done += (unsigned)rc;
			continue;
		}
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == ENOBUFS)) {
			/* Send queue full: UDP may drop, the client retries. */
			log_debug("udp %s: send queue full, %u answers dropped",
			    s->l->text, n - done);
			return;
		}
		/* This one destination failed (unreachable...): skip it. */
		log_debug("udp %s: sendmmsg: %s", s->l->text, strerror(errno));
		done++;
	}
}

/*
 * Receive one batch (recvmmsg with flags), answer it under one RCU read
 * section, send the answers with one sendmmsg.
 * \retval n   datagrams received (0 .. SERVER_BATCH)
 * \retval -1  nothing received (errno: EAGAIN, timeout, EINTR, ...)
 */
static int
udp_batch(struct wsock *s, int flags)
{
	struct udpctx *u = s->u;
	const struct world *world;
	unsigned i, nout;
	int n;

	for (i = 0; i < SERVER_BATCH; i++) {
		struct msghdr *h = &u->in[i].msg_hdr;

		h->msg_name = &u->from[i];
		h->msg_namelen = sizeof(u->from[i]);
		h->msg_iov = &u->iniov[i];
		h->msg_iovlen = 1;
		u->iniov[i].iov_base = u->q[i];
		u->iniov[i].iov_len = sizeof(u->q[i]);
		if (s->pktinfo) {
			h->msg_control = u->inctl[i].buf;
			h->msg_controllen = sizeof(u->inctl[i].buf);
		} else {
			h->msg_control = NULL;
			h->msg_controllen = 0;
		}
		h->msg_flags = 0;
	}
	if ((n = recvmmsg(s->fd, u->in, SERVER_BATCH, flags, NULL)) <= 0)
		return n < 0 ? -1 : 0;
	nout = 0;
	rcu_read_lock();
	world = world_get();
	for (i = 0; i < (unsigned)n; i++) {
		struct mmsghdr *om = &u->out[nout];
		size_t rlen;

		if (world == NULL || (u->in[i].msg_hdr.msg_flags & MSG_TRUNC))
			continue;
		rlen = query_answer_from(world, u->at,
		    (const struct sockaddr *)&u->from[i], u->q[i],
		    u->in[i].msg_len, u->r[nout], SERVER_UDP_BUF, QUERY_UDP);
		/* Response rate limiting: drop, or slip as TC=1. */
		if (rlen == 0 || (rlen = rrl_udp(world,
		    (const struct sockaddr *)&u->from[i], u->r[nout], rlen,
		    query_cookie_valid(u->at) ? RRL_F_COOKIE : 0)) == 0)
			continue;
		u->outiov[nout].iov_base = u->r[nout];
		u->outiov[nout].iov_len = rlen;
		om->msg_hdr.msg_name = &u->from[i];
		om->msg_hdr.msg_namelen = u->in[i].msg_hdr.msg_namelen;
		om->msg_hdr.msg_iov = &u->outiov[nout];
		om->msg_hdr.msg_iovlen = 1;
		om->msg_hdr.msg_flags = 0;
		if (s->pktinfo) {
			udp_set_source(om, &u->outctl[nout], &u->in[i].msg_hdr);
		} else {
			om->msg_hdr.msg_control = NULL;
			om->msg_hdr.msg_controllen = 0;
		}
		nout++;
	}
	rcu_read_unlock();
	if (nout > 0)
		udp_send(s, nout);
	return n;
}

/*
 * One thread per UDP socket, blocked in recvmmsg(MSG_WAITFORONE) as gdnsd
 * does: no epoll_wait per batch, which measurably lowers the CPU cost per
 * query, and TCP (on the worker's event loop thread) is never starved by a
 * UDP burst: the kernel schedules the two. The socket has a receive
 * timeout so the stop flag is seen even if the shutdown() wake-up is not.
 */
static void *
udp_thread(void *arg)
{
	struct wsock *s = arg;
	struct server *srv = s->w->srv;
	struct timespec pause = { 0, 1000000 };

	rcu_register_thread();
	while (!__atomic_load_n(&srv->stopping, __ATOMIC_ACQUIRE)) {
		if (udp_batch(s, MSG_WAITFORONE) >= 0)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			continue;	/* receive timeout: check the flag */
		log_debug("udp %s: recvmmsg: %s", s->l->text, strerror(errno));
		nanosleep(&pause, NULL);	/* never spin on an error */
	}
	rcu_unregister_thread();
	return NULL;
}

/* ---- TCP ---- */

/* The limits in force (under the caller's rcu_read_lock). */
struct limits {
	double   idle;
	unsigned maxconn, maxsrc;
};

static void
limits_get(const struct world *world, struct limits *lim)
{
	lim->idle = 10;
	lim->maxconn = 1000;
	lim->maxsrc = 64;
	if (world != NULL) {
		lim->idle = world->conf->tcp_idle_timeout;
		lim->maxconn = world->conf->tcp_max_connections;
		lim->maxsrc = world->conf->tcp_max_per_source;
	}
	if (lim->idle <= 0)
		lim->idle = 10;
}

static struct tconn *
conn_of(struct tcp_idle *n)
{
	return (struct tconn *)(void *)((char *)n - offsetof(struct tconn,
	    idle));
}

/* Idle: no partial query in, no answer left to write (tcp.h). */
static void
conn_idle_update(struct tconn *c)
{
	struct worker *w = c->w;
	bool idle = !c->closing && !c->paused &&
	    evbuffer_get_length(bufferevent_get_input(c->bev)) == 0 &&
	    evbuffer_get_length(bufferevent_get_output(c->bev)) == 0;

	if (idle == c->idle.listed)
		return;
	tcp_idle_set(&w->idle, &c->idle, idle, clock_mono());
	tcp_share_publish(&w->share, w->idle.n);
}

static void
conn_free(struct tconn *c)
{
	struct worker *w = c->w;

	if (c->idle.listed) {
		tcp_idle_set(&w->idle, &c->idle, false, 0);
		tcp_share_publish(&w->share, w->idle.n);
	}
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	bufferevent_free(c->bev);
	tcp_release(c->slot);
	free(c);
	__atomic_sub_fetch(&w->srv->tcp_conns, 1, __ATOMIC_RELAXED);
}

/*
 * The idle connection to close for a new one (tcp_idle_victim), skipping
 * those whose next query already waits in the kernel (accepted in this
 * same batch, not read yet): they are in the middle of a query. Their
 * read callback lists them again.
 * \retval NULL none idle (of that slot)
 */
static struct tconn *
conn_victim(struct worker *w, int slot)
{
	struct tcp_idle *v;
	int pending;

	while ((v = tcp_idle_victim(&w->idle, slot)) != NULL) {
		struct tconn *c = conn_of(v);

		if (ioctl(bufferevent_getfd(c->bev), FIONREAD, &pending) != 0 ||
		    pending == 0)
			return c;
		tcp_idle_set(&w->idle, v, false, 0);
		tcp_share_publish(&w->share, w->idle.n);
	}
	return NULL;
}

/* Close an idle connection to admit a new one (RFC 7766 6.2.3). */
static void
conn_evict(struct tconn *c, const char *why)
{
	tcp_count_evicted();
	log_debug("tcp: %s: idle connection closed for a new one", why);
	conn_free(c);
}

/* Answer every complete query in the input buffer, in order. */
static void
conn_process(struct tconn *c)
{
	struct worker *w = c->w;
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct evbuffer *out = bufferevent_get_output(c->bev);
	const struct world *world;
	struct limits lim;
	uint8_t hdr[2];
	size_t avail, mlen, rlen;

	rcu_read_lock();
	world = world_get();
	limits_get(world, &lim);
	/* RFC 7828: what the idle timeout is now, pressure included. */
	w->at->tcp_keepalive = tcp_keepalive_units(tcp_timeout(lim.idle,
	    __atomic_load_n(&w->srv->tcp_conns, __ATOMIC_RELAXED),
	    lim.maxconn));
	for (;;) {
		if (evbuffer_get_length(out) >= SERVER_TCP_OUT_HIGH) {
			/* The client does not read: stop reading it. */
			bufferevent_disable(c->bev, EV_READ);
			c->paused = 1;
			break;
		}
		avail = evbuffer_get_length(in);
		if (avail < 2)
			break;
		if (evbuffer_copyout(in, hdr, 2) != 2)
			break;
		mlen = (size_t)hdr[0] << 8 | hdr[1];
		if (avail < 2 + mlen)
			break;	/* partial query: wait for the rest */
		evbuffer_drain(in, 2);
		if (evbuffer_remove(in, w->tq, mlen) != (int)mlen)
			break;
		if (world == NULL || mlen == 0)
			continue;
		rlen = query_answer_from(world, w->at,
		    (const struct sockaddr *)&c->peer, w->tq, mlen, w->tr + 2,
		    SERVER_TCP_MAX, QUERY_TCP);
		if (rlen == 0 || rlen > SERVER_TCP_MAX)
			continue;
		w->tr[0] = (uint8_t)(rlen >> 8);
		w->tr[1] = (uint8_t)rlen;
		if (bufferevent_write(c->bev, w->tr, rlen + 2) != 0) {
			log_debug("tcp: cannot buffer an answer");
			break;
		}
	}
	rcu_read_unlock();
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct tconn *c = arg;
	size_t before = evbuffer_get_length(bufferevent_get_input(bev));

	conn_process(c);
	/* A query trickled in a byte at a time keeps resetting the idle
	 * timer: it must still be complete within tcp_idle_timeout. */
	if (!c->paused && tcp_stalled(&c->stall_since, before,
	    evbuffer_get_length(bufferevent_get_input(bev)), c->stall_limit)) {
		log_debug("tcp: partial query stalled, connection closed");
		conn_free(c);
		return;
	}
	conn_idle_update(c);
}

static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct tconn *c = arg;
	struct evbuffer *out = bufferevent_get_output(bev);

	if (c->paused && evbuffer_get_length(out) <= SERVER_TCP_OUT_LOW) {
		c->paused = 0;
		if (!c->closing)
			bufferevent_enable(bev, EV_READ);
		/* Queries that arrived while paused are already buffered. */
		conn_process(c);
	}
	if (c->closing) {
		if (evbuffer_get_length(out) == 0 && !c->paused)
			conn_free(c);
		else
			bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
		return;
	}
	conn_idle_update(c);
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct tconn *c = arg;

	if ((what & BEV_EVENT_EOF) && !c->closing) {
		/* The client is done sending: answer what is complete and
		 * close once every answer is written (RFC 7766 6.2.4). */
		c->closing = 1;
		conn_idle_update(c);
		bufferevent_disable(bev, EV_READ);
		conn_process(c);
		if (evbuffer_get_length(bufferevent_get_output(bev)) == 0 &&
		    !c->paused) {
			conn_free(c);
			return;
		}
		bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
		return;
	}
	if (what & BEV_EVENT_TIMEOUT) {
		/* Answers still queued for a client that does not read:
		 * reset rather than leave them to the kernel. */
		tcp_abort(bufferevent_getfd(bev), evbuffer_get_length(
		    bufferevent_get_output(bev)));
		log_debug("tcp: idle connection closed");
	}
	conn_free(c);
}

/*
 * Over the global cap with no idle connection of our own: claim one of
 * another worker's (tcp.h). \retval true claimed, that worker woken
 */
static bool
conn_claim(struct worker *w)
{
	struct server *srv = w->srv;
	unsigned k, n = srv->nworkers;
	uint64_t one = 1;

	for (k = 1; k < n; k++) {
		struct worker *o = srv->workers[(w->idx + w->claim_next + k) %
		    n];

		if (o == w || !tcp_share_claim(&o->share))
			continue;
		w->claim_next = (w->claim_next + k) % n;
		if (write(o->evictfd, &one, sizeof(one)) != sizeof(one))
			log_debug("tcp: cannot wake worker %u", o->idx);
		return true;
	}
	return false;
}

/* Other workers claimed some of our idle connections: close them. */
static void
evict_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	struct tconn *v;
	uint64_t ticks;
	unsigned n, i;

	if (read(fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		log_debug("tcp: eventfd: %s", strerror(errno));
	n = tcp_share_wanted(&w->share);
	for (i = 0; i < n; i++) {
		if ((v = conn_victim(w, TCP_SLOT_ANY)) == NULL)
			break;	/* turned busy meanwhile: not cut */
		conn_evict(v, "connection limit");
	}
	tcp_share_done(&w->share, n);
}

/* Under pressure idle connections go sooner (tcp_timeout). */
static void
sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	struct tcp_idle *v;
	struct limits lim;
	struct timeval tv = clock_tv(SERVER_SWEEP);
	double t, now = clock_mono();

	rcu_read_lock();
	limits_get(world_get(), &lim);
	rcu_read_unlock();
	t = tcp_timeout(lim.idle, __atomic_load_n(&w->srv->tcp_conns,
	    __ATOMIC_RELAXED), lim.maxconn);
	while (t < lim.idle && (v = tcp_idle_expired(&w->idle, now, t)) !=
	    NULL) {
		tcp_count_expired();
		log_debug("tcp: idle %.1f s under pressure, closed", t);
		conn_free(conn_of(v));
	}
	if (w->conns != NULL)
		evtimer_add(w->sweep, &tv);
}

/*
 * Admit one accepted connection, closing an idle one at a cap: the
 * source's own first (which frees a global place too), then any.
 */
static void
conn_admit(struct wsock *s, int fd, const struct sockaddr *peer,
    const struct limits *lim)
{
	struct worker *w = s->w;
	struct server *srv = w->srv;
	struct timeval tv = clock_tv(lim->idle);
	struct tconn *c, *v;
	int slot;

	if ((slot = tcp_acquire(peer, lim->maxsrc)) == -1) {
		if ((v = conn_victim(w, tcp_slot(peer))) == NULL) {
			log_debug("tcp %s: per-source limit %u reached, none "
			    "idle, closed", s->l->text, lim->maxsrc);
			goto refuse;
		}
		conn_evict(v, "per-source limit");
		if ((slot = tcp_acquire(peer, lim->maxsrc)) == -1)
			goto refuse;
	}
	if (__atomic_add_fetch(&srv->tcp_conns, 1, __ATOMIC_RELAXED) >
	    lim->maxconn) {
		if ((v = conn_victim(w, TCP_SLOT_ANY)) != NULL)
			conn_evict(v, "connection limit");
		else if (!conn_claim(w)) {
			/* Nothing idle anywhere: close at once (the client
			 * sees EOF now instead of hanging in the backlog). */
			__atomic_sub_fetch(&srv->tcp_conns, 1,
			    __ATOMIC_RELAXED);
			__atomic_add_fetch(&srv->tcp_refused, 1,
			    __ATOMIC_RELAXED);
			log_debug("tcp %s: connection limit %u reached, none "
			    "idle, closed", s->l->text, lim->maxconn);
			tcp_release(slot);
			goto refuse;
		}
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto fail;
	c->slot = slot;
	c->idle.slot = slot;
	c->stall_limit = lim->idle;
	memcpy(&c->peer, peer, peer->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	c->w = w;
	c->bev = bufferevent_socket_new(w->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		free(c);
		goto fail;
	}
	c->next = w->conns;
	if (w->conns != NULL)
		w->conns->prev = c;
	w->conns = c;
	bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb,
	    c);
	bufferevent_setwatermark(c->bev, EV_WRITE, SERVER_TCP_OUT_LOW, 0);
	bufferevent_set_timeouts(c->bev, &tv, &tv);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	/* Nothing received yet: idle, first in line if it stays so. */
	conn_idle_update(c);
	if (!evtimer_pending(w->sweep, NULL)) {
		struct timeval stv = clock_tv(SERVER_SWEEP);

		evtimer_add(w->sweep, &stv);
	}
	return;
fail:
	__atomic_sub_fetch(&srv->tcp_conns, 1, __ATOMIC_RELAXED);
	tcp_release(slot);
	close(fd);
	return;
refuse:
	tcp_count_refused();
	close(fd);
}

/*
 * Out of descriptors and nothing idle to close: stop accepting for a
 * while (doubling from SERVER_PAUSE_MIN to SERVER_PAUSE_MAX) rather than
 * spin on a listener that stays readable.
 */
static void
accept_backoff(struct wsock *s)
{
	struct worker *w = s->w;
	struct timeval tv = clock_tv(w->accept_pause);
	int saved = errno;
	size_t k;

	if (log_rate_ok(&w->accept_log, 1, "dns tcp accept failures")) {
		errno = saved;
		log_warn("tcp %s: accept, pausing for %.1f s", s->l->text,
		    w->accept_pause);
	}
	for (k = 0; k < w->nsocks; k++)
		if (!w->socks[k].udp)
			event_del(w->socks[k].ev);
	event_add(w->accept_retry, &tv);
	w->accept_pause *= 2;
	if (w->accept_pause > SERVER_PAUSE_MAX)
		w->accept_pause = SERVER_PAUSE_MAX;
}

static void
accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct wsock *s = arg;
	struct worker *w = s->w;
	struct sockaddr_storage peer;
	struct tconn *v;
	struct limits lim;
	socklen_t plen;
	unsigned i;
	int fd;

	rcu_read_lock();
	limits_get(world_get(), &lim);
	rcu_read_unlock();
	for (i = 0; i < SERVER_ACCEPTS; i++) {
		plen = sizeof(peer);
		fd = accept4(lfd, (struct sockaddr *)&peer, &plen,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EMFILE && errno != ENFILE &&
			    errno != ENOBUFS && errno != ENOMEM)
				return;
			/* An idle connection's descriptor is the one to
			 * give the waiting client. */
			if ((v = conn_victim(w, TCP_SLOT_ANY)) != NULL) {
				conn_evict(v, "out of descriptors");
				continue;
			}
			accept_backoff(s);
			return;
		}
		w->accept_pause = SERVER_PAUSE_MIN;
		conn_admit(s, fd, (const struct sockaddr *)&peer, &lim);
	}
}

static void
accept_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	size_t k;

	for (k = 0; k < w->nsocks; k++)
		if (!w->socks[k].udp)
			event_add(w->socks[k].ev, NULL);
}

/* ---- workers ---- */

static void
stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;

	event_base_loopbreak(w->base);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	rcu_register_thread();
	if (event_base_dispatch(w->base) < 0)
		log_warnx("worker %u: event loop failed", w->idx);
	rcu_unregister_thread();
	return NULL;
}

static void
worker_free(struct worker *w)
{
	size_t k;

	if (w == NULL)
		return;
	while (w->conns != NULL)
		conn_free(w->conns);
	for (k = 0; k < w->nsocks; k++) {
		if (w->socks[k].u != NULL) {
			if (w->socks[k].u->at != NULL)
				query_thread_free(w->socks[k].u->at);
			free(w->socks[k].u);
		}
		if (w->socks[k].ev != NULL)
			event_free(w->socks[k].ev);
		if (w->socks[k].fd >= 0)
			close(w->socks[k].fd);
	}
	free(w->socks);
	if (w->stopev != NULL)
		event_free(w->stopev);
	if (w->accept_retry != NULL)
		event_free(w->accept_retry);
	if (w->evictev != NULL)
		event_free(w->evictev);
	if (w->sweep != NULL)
		event_free(w->sweep);
	if (w->evictfd >= 0)
		close(w->evictfd);
	if (w->stopfd[0] >= 0)
		close(w->stopfd[0]);
	if (w->stopfd[1] >= 0)
		close(w->stopfd[1]);
	if (w->base != NULL)
		event_base_free(w->base);
	if (w->at != NULL)
		query_thread_free(w->at);
	free(w);
}

static struct worker *
worker_new(struct server *srv, unsigned idx, char *err, size_t errlen)
{
	struct event_config *cfg;
	struct worker *w;
	size_t i, k;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		goto nomem;
	w->srv = srv;
	w->idx = idx;
	w->stopfd[0] = w->stopfd[1] = -1;
	w->evictfd = -1;
	w->accept_pause = SERVER_PAUSE_MIN;
	if ((w->socks = calloc(srv->nls * 2, sizeof(*w->socks))) == NULL)
		goto nomem;
	for (k = 0; k < srv->nls * 2; k++)
		w->socks[k].fd = -1;
	if ((w->at = query_thread_new()) == NULL)
		goto nomem;
	/* One thread per base: no locks, whatever evthread_use_pthreads()
	 * other modules (probe engine) switch on for their own bases. */
	if ((cfg = event_config_new()) == NULL)
		goto nomem;
	event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK);
	w->base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (w->base == NULL) {
		seterr(err, errlen, "worker %u: cannot create an event base",
		    idx);
		goto fail;
	}
	if (pipe2(w->stopfd, O_NONBLOCK | O_CLOEXEC) != 0) {
		seterr(err, errlen, "worker %u: pipe: %s", idx,
		    strerror(errno));
		goto fail;
	}
	w->stopev = event_new(w->base, w->stopfd[0], EV_READ, stop_cb, w);
	w->accept_retry = evtimer_new(w->base, accept_retry_cb, w);
	w->sweep = evtimer_new(w->base, sweep_cb, w);
	if ((w->evictfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		seterr(err, errlen, "worker %u: eventfd: %s", idx,
		    strerror(errno));
		goto fail;
	}
	w->evictev = event_new(w->base, w->evictfd, EV_READ | EV_PERSIST,
	    evict_cb, w);
	if (w->stopev == NULL || w->accept_retry == NULL || w->sweep == NULL ||
	    w->evictev == NULL || event_add(w->stopev, NULL) != 0 ||
	    event_add(w->evictev, NULL) != 0)
		goto nomem;
	for (i = 0; i < srv->nls; i++) {
		int udp;

		for (udp = 1; udp >= 0; udp--) {
			struct wsock *s = &w->socks[w->nsocks];

			s->w = w;
			s->l = &srv->ls[i];
			s->udp = udp;
			w->nsocks++;
			s->fd = open_socket(s->l, udp, idx == 0, &s->pktinfo,
			    err, errlen);
			if (s->fd < 0)
				goto fail;
			if (udp) {
				if ((s->u = calloc(1, sizeof(*s->u))) == NULL ||
				    (s->u->at = query_thread_new()) == NULL)
					goto nomem;
				continue;
			}
			s->ev = event_new(w->base, s->fd, EV_READ | EV_PERSIST,
			    accept_cb, s);
			if (s->ev == NULL || event_add(s->ev, NULL) != 0)
				goto nomem;
		}
	}
	return w;
nomem:
	seterr(err, errlen, "worker %u: out of memory", idx);
fail:
	worker_free(w);
	return NULL;
}

struct server *
server_start(const struct conf *conf, char *err, size_t errlen)
{
	struct server *srv;
	unsigned n, i;
	size_t k;
	long cpus;

	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		goto nomem;
	if (conf->nlisten == 0) {
		seterr(err, errlen, "no listen address configured");
		goto fail;
	}
	if ((srv->ls = calloc(conf->nlisten, sizeof(*srv->ls))) == NULL)
		goto nomem;
	srv->nls = conf->nlisten;
	for (k = 0; k < conf->nlisten; k++) {
		struct listener *l = &srv->ls[k];

		l->ss = conf->listen[k].ss;
		l->len = conf->listen[k].len;
		snprintf(l->text, sizeof(l->text), "%s", conf->listen[k].text);
		l->wildcard = is_wildcard(&l->ss);
	}
	n = conf->workers;
	if (n == 0) {
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		n = cpus > 0 ? (unsigned)cpus : 1;
	}
	if ((srv->workers = calloc(n, sizeof(*srv->workers))) == NULL)
		goto nomem;
	/* Bind everything first: no thread runs until every socket is ours. */
	for (i = 0; i < n; i++) {
		if ((srv->workers[i] = worker_new(srv, i, err, errlen)) == NULL)
			goto fail;
		srv->nworkers++;
	}
	/* Worker 0's TCP socket speaks for each listener's group. */
	for (k = 0; n > 1 && k < srv->nls; k++)
		if (tcp_steer(srv->workers[0]->socks[2 * k + 1].fd, n) != 0)
			log_warn("tcp %s: cannot steer connections by source "
			    "(per-source eviction: one worker's only)",
			    srv->ls[k].text);
	for (i = 0; i < n; i++) {
		struct worker *w = srv->workers[i];
		int rc;

		if ((rc = pthread_create(&w->tid, NULL, worker_main, w)) != 0) {
			seterr(err, errlen, "worker %u: pthread_create: %s", i,
			    strerror(rc));
			goto fail;
		}
		w->started = 1;
		for (k = 0; k < w->nsocks; k++) {
			struct wsock *s = &w->socks[k];

			if (!s->udp)
				continue;
			if ((rc = pthread_create(&s->tid, NULL, udp_thread,
			    s)) != 0) {
				seterr(err, errlen, "worker %u: udp thread: %s",
				    i, strerror(rc));
				goto fail;
			}
			s->started = 1;
		}
	}
	for (k = 0; k < srv->nls; k++)
		log_info("listening on %s (udp, tcp), %u worker%s",
		    srv->ls[k].text, n, n == 1 ? "" : "s");
	return srv;
nomem:
	seterr(err, errlen, "server: out of memory");
fail:
	server_stop(srv);
	return NULL;
}

void
server_stop(struct server *srv)
{
	unsigned i;
	size_t k;

	if (srv == NULL)
		return;
	__atomic_store_n(&srv->stopping, 1, __ATOMIC_RELEASE);
	for (i = 0; i < srv->nworkers; i++) {
		struct worker *w = srv->workers[i];

		if (w->started && write(w->stopfd[1], "x", 1) != 1)
			log_warn("worker %u: cannot signal stop", i);
		/* Wakes a thread blocked in recvmmsg() on Linux (it then
		 * returns empty datagrams); the receive timeout is the
		 * fallback. ENOTCONN on an unconnected socket is expected. */
		for (k = 0; k < w->nsocks; k++)
			if (w->socks[k].started)
				(void)shutdown(w->socks[k].fd, SHUT_RD);
	}
	for (i = 0; i < srv->nworkers; i++) {
		struct worker *w = srv->workers[i];

		for (k = 0; k < w->nsocks; k++)
			if (w->socks[k].started)
				pthread_join(w->socks[k].tid, NULL);
		if (w->started)
			pthread_join(w->tid, NULL);
	}
	/* Only now: a worker still running may claim (touch) another's
	 * idle connections (conn_claim). */
	for (i = 0; i < srv->nworkers; i++)
		worker_free(srv->workers[i]);
	if (srv->tcp_refused > 0)
		log_info("tcp: %lu connections closed at the connection limit",
		    srv->tcp_refused);
	free(srv->workers);
	free(srv->ls);
	free(srv);
}

unsigned
server_workers(const struct server *srv)
{
	return srv->nworkers;
}
