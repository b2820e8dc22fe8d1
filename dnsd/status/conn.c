/* conn.c - the status endpoint's connections: accept back-off, caps, the
 * request deadline (see conn.h). */
#include <errno.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "dnsd/base/clock.h"
#include "dnsd/base/log.h"
#include "dnsd/base/sock.h"
#include "dnsd/base/srclimit.h"
#include "dnsd/status/conn.h"
#include "dnsd/status/reply.h"

#define CONN_BACKOFF_MIN  0.25	/* s, after the first failed accept() */
#define CONN_BACKOFF_MAX  2.0
#define CONN_SRC_SLOTS    256	/* per-source counters (a power of two) */
#define CONN_REC_MAX      (STATUS_MAX_HEADERS + STATUS_MAX_BODY + 1024)

#define CONN_503_BODY \
    "{\"status\":503,\"error\":\"too many status connections\"}\n"
static const char conn_503[] =
    "HTTP/1.1 503 Service Unavailable\r\n"
    "Content-Type: application/json\r\n"
    "Cache-Control: no-store\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Connection: close\r\n"
    "Content-Length: %zu\r\n"
    "\r\n"
    "%s";

struct conn {
	struct conn        *next;
	struct bufferevent *bev;	/* referenced: valid after evhttp frees it */
	double              start;	/* of the current phase */
	int                 src;	/* srclimit slot, or < 0 */
	bool                checked;	/* caps applied */
	bool                counted;	/* holds a place under the cap */
	bool                replying;	/* request complete, reply under way */
	bool                closing;	/* shut down, evhttp to free it */
	bool                queued;	/* a reply was queued: look at it */
	struct evbuffer_cb_entry *out_cb, *in_cb;
	char               *rec;	/* the request's bytes so far (to tell a
					   corrupt chunk from a long body) */
	size_t              rec_len;
	bool                rec_over;	/* longer than CONN_REC_MAX */
};

static struct {
	struct evconnlistener    *lev;
	struct event             *sweep_ev;	/* right after accepts */
	struct event             *resume_ev;	/* end of an accept back-off */
	struct conn              *list;
	struct srclimit           src;
	unsigned                  cap, per_source, n;
	char                      reply503[512];
	size_t                    reply503_len;
	double                    backoff;
	struct log_rate           rate_accept, rate_refuse, rate_deadline;
} cs;

/* Has evhttp freed the connection? bufferevent_free() clears the callbacks
 * and evhttp keeps an error callback set while a connection lives. */
static bool
conn_gone(const struct conn *c)
{
	bufferevent_event_cb ecb = NULL;

	bufferevent_getcb(c->bev, NULL, NULL, &ecb, NULL);
	return ecb == NULL;
}

/* Make evhttp drop the connection: it reads the end and frees it. */
static void
conn_close(struct conn *c)
{
	evutil_socket_t fd = bufferevent_getfd(c->bev);

	c->closing = true;
	if (fd != -1)
		shutdown(fd, SHUT_RDWR);
}

/* Apply the caps to a new connection (its socket is set by now). */
static void
conn_check(struct conn *c)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	evutil_socket_t fd = bufferevent_getfd(c->bev);
	char addr[64];
	ssize_t w;

	c->checked = true;
	/* evhttp failed to set it up and freed it: the socket is closed */
	if (conn_gone(c))
		return;
	if (fd == -1 || getpeername(fd, (struct sockaddr *)&ss, &len) == -1) {
		conn_close(c);
		return;
	}
	if (cs.n >= cs.cap || (c->src = srclimit_acquire(&cs.src,
	    (struct sockaddr *)&ss, cs.per_source)) == -1) {
		if (log_rate_ok(&cs.rate_refuse, 1, "status: refused")) {
			sock_addr_text((struct sockaddr *)&ss, addr,
			    sizeof(addr));
			log_warnx("status: refused %s: %s", addr, cs.n >= cs.cap ?
			    "the endpoint is at its connection cap" :
			    "its address is at the per-source cap");
		}
		/* nothing of evhttp's is written yet: the socket is ours */
		w = write(fd, cs.reply503, cs.reply503_len);
		(void)w;
		conn_close(c);
		return;
	}
	c->counted = true;
	cs.n++;
}

static void
conn_release(struct conn *c)
{
	if (c->counted) {
		srclimit_release(&cs.src, c->src);
		cs.n--;
	}
	if (c->out_cb != NULL)
		evbuffer_remove_cb_entry(bufferevent_get_output(c->bev),
		    c->out_cb);
	if (c->in_cb != NULL)
		evbuffer_remove_cb_entry(bufferevent_get_input(c->bev),
		    c->in_cb);
	free(c->rec);
	bufferevent_decref(c->bev);
	free(c);
}

/*
 * libevent answers 413 both for a body over the limit and for a chunk size
 * it cannot read; the second is a malformed request, 400. Tell them apart
 * on the request's own bytes, with libevent's rules (a hexadecimal size by
 * strtoll, then the end of the line or a space; negative is corrupt).
 * \retval true  a chunk size line is corrupt before the body ran over
 */
static bool
conn_chunk_corrupt(const char *r, size_t n)
{
	const char *head, *p, *end = r + n, *eol;
	char *line, *endp;
	long long v;
	size_t body = 0;
	bool bad;

	if ((head = memmem(r, n, "\r\n\r\n", 4)) == NULL)
		return false;
	for (p = r; p < head; p = eol + 2) {
		eol = memmem(p, (size_t)(head + 2 - p), "\r\n", 2);
		if (strncasecmp(p, "Transfer-Encoding:", 18) == 0 &&
		    memmem(p, (size_t)(eol - p), "chunked", 7) != NULL)
			break;
	}
	if (p >= head)
		return false;		/* not chunked: a 413 is a 413 */
	for (p = head + 4; p < end; ) {
		if ((eol = memmem(p, (size_t)(end - p), "\r\n", 2)) == NULL)
			return false;
		if (eol == p) {
			p += 2;
			continue;
		}
		if ((line = strndup(p, (size_t)(eol - p))) == NULL)
			return false;
		v = strtoll(line, &endp, 16);
		bad = *line == '\0' || (*endp != '\0' && *endp != ' ') || v < 0;
		free(line);
		if (bad)
			return true;
		if ((unsigned long long)v > STATUS_MAX_BODY - body || v == 0)
			return false;	/* too long indeed, or complete */
		body += (size_t)v;
		p = eol + 2;
		if ((size_t)(end - p) < (size_t)v)
			return false;
		p += v;
	}
	return false;
}

/* Forget freed connections; with deadlines, close the late ones. */
static void
conn_sweep(bool deadlines)
{
	struct conn **pp = &cs.list, *c;
	double now = clock_mono();

	while ((c = *pp) != NULL) {
		if (c->checked && conn_gone(c)) {
			*pp = c->next;
			conn_release(c);
			continue;
		}
		if (!c->checked)
			conn_check(c);
		if (c->queued) {
			c->queued = false;
			status_reply_rewrite_error(bufferevent_get_output(
			    c->bev), c->rec != NULL && !c->rec_over &&
			    conn_chunk_corrupt(c->rec, c->rec_len));
		}
		else if (deadlines && !c->closing && now - c->start >
		    (c->replying ? STATUS_REPLY_DEADLINE : STATUS_DEADLINE)) {
			if (log_rate_ok(&cs.rate_deadline, 1,
			    "status: deadline"))
				log_info("status: closed a connection: %s not "
				    "done within %g s", c->replying ? "reply" :
				    "request", c->replying ?
				    STATUS_REPLY_DEADLINE : STATUS_DEADLINE);
			conn_close(c);
		}
		pp = &c->next;
	}
}

static void
conn_sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	conn_sweep(false);
}

/* A reply starts in an empty output buffer: before the socket is writable
 * (the next turn of the loop), the sweep rewrites libevent's error pages. */
static void
conn_output(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct conn *c = arg;

	if (info->n_added > 0 && info->orig_size == 0 && !c->queued) {
		c->queued = true;
		event_active(cs.sweep_ev, EV_TIMEOUT, 0);
	}
}

/* Keep the bytes of the request being read (see conn_chunk_corrupt). */
static void
conn_input(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct conn *c = arg;
	struct evbuffer_ptr at;
	char *r;

	if (info->n_added == 0 || c->rec_over || c->replying)
		return;
	if (c->rec_len + info->n_added > CONN_REC_MAX ||
	    (r = realloc(c->rec, c->rec_len + info->n_added)) == NULL) {
		c->rec_over = true;
		return;
	}
	c->rec = r;
	if (evbuffer_ptr_set(buf, &at, info->orig_size - info->n_deleted,
	    EVBUFFER_PTR_SET) == -1 || evbuffer_copyout_from(buf, &at,
	    c->rec + c->rec_len, info->n_added) != (ev_ssize_t)info->n_added) {
		c->rec_over = true;
		return;
	}
	c->rec_len += info->n_added;
}

/* evhttp asks for the bufferevent of a connection it just accepted. */
static struct bufferevent *
conn_bev(struct event_base *base, void *arg)
{
	struct conn *c;

	cs.backoff = 0;		/* accept() works again */
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;	/* evhttp makes one itself: not capped */
	if ((c->bev = bufferevent_socket_new(base, -1, 0)) == NULL) {
		free(c);
		return NULL;
	}
	bufferevent_incref(c->bev);
	c->out_cb = evbuffer_add_cb(bufferevent_get_output(c->bev),
	    conn_output, c);
	c->in_cb = evbuffer_add_cb(bufferevent_get_input(c->bev),
	    conn_input, c);
	c->src = -1;
	c->start = clock_mono();
	c->next = cs.list;
	cs.list = c;
	/* the socket is set once evhttp has the bufferevent: check then */
	event_active(cs.sweep_ev, EV_TIMEOUT, 0);
	return c->bev;
}

static void
conn_resume(evutil_socket_t fd, short what, void *arg)
{
	evconnlistener_enable(cs.lev);
}

static void
conn_accept_error(struct evconnlistener *lev, void *arg)
{
	int err = EVUTIL_SOCKET_ERROR();
	struct timeval tv;

	/* every other failure also pauses, briefly: never a busy loop */
	if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM)
		cs.backoff = cs.backoff == 0 ? CONN_BACKOFF_MIN :
		    cs.backoff * 2 > CONN_BACKOFF_MAX ? CONN_BACKOFF_MAX :
		    cs.backoff * 2;
	else
		cs.backoff = CONN_BACKOFF_MIN;
	if (log_rate_ok(&cs.rate_accept, 1, "status: accept")) {
		errno = err;
		log_warn("status: accept (paused %.2f s; %u connections held)",
		    cs.backoff, cs.n);
	}
	evconnlistener_disable(lev);
	tv = clock_tv(cs.backoff);
	if (event_add(cs.resume_ev, &tv) == -1)
		evconnlistener_enable(lev);
}

static unsigned
conn_cap_from_limit(void)
{
	struct rlimit rl;
	rlim_t share;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY)
		return STATUS_CONN_MAX;
	share = rl.rlim_cur / STATUS_CONN_FD_SHARE;
	if (share < STATUS_CONN_MIN)
		return STATUS_CONN_MIN;
	return share < STATUS_CONN_MAX ? (unsigned)share : STATUS_CONN_MAX;
}

int
status_conn_listen(struct event_base *base, struct evhttp *http, int fd,
    const char *what)
{
	cs.cap = conn_cap_from_limit();
	cs.per_source = cs.cap / 4 > 2 ? cs.cap / 4 : 2;
	cs.reply503_len = (size_t)snprintf(cs.reply503, sizeof(cs.reply503),
	    conn_503, strlen(CONN_503_BODY), CONN_503_BODY);
	if (srclimit_init(&cs.src, CONN_SRC_SLOTS) == -1 ||
	    (cs.sweep_ev = event_new(base, -1, 0, conn_sweep_cb, NULL)) ==
	    NULL ||
	    (cs.resume_ev = event_new(base, -1, 0, conn_resume, NULL)) ==
	    NULL) {
		log_warnx("status: out of memory");
		close(fd);
		return -1;
	}
	if ((cs.lev = evconnlistener_new(base, NULL, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd)) == NULL) {
		log_warnx("status: cannot accept on %s", what);
		close(fd);
		return -1;
	}
	evconnlistener_set_error_cb(cs.lev, conn_accept_error);
	/* evhttp_free() frees the listener and closes fd from here on */
	if (evhttp_bind_listener(http, cs.lev) == NULL) {
		log_warnx("status: cannot accept on %s", what);
		evconnlistener_free(cs.lev);
		cs.lev = NULL;
		return -1;
	}
	evhttp_set_bevcb(http, conn_bev, NULL);
	log_info("status: at most %u connections (%u per client address), "
	    "%g s per request", cs.cap, cs.per_source, STATUS_DEADLINE);
	return 0;
}

/* The reply is written: the next request's deadline starts now. */
static void
conn_replied(struct evhttp_request *req, void *arg)
{
	struct conn *c = arg;

	c->replying = false;
	c->start = clock_mono();
	c->rec_len = 0;
	c->rec_over = false;
}

void
status_conn_request(struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev;
	struct conn *c;

	if (evcon == NULL ||
	    (bev = evhttp_connection_get_bufferevent(evcon)) == NULL)
		return;
	for (c = cs.list; c != NULL; c = c->next)
		if (c->bev == bev) {
			c->replying = true;
			c->start = clock_mono();
			free(c->rec);
			c->rec = NULL;
			c->rec_len = 0;
			evhttp_request_set_on_complete_cb(req, conn_replied, c);
			break;
		}
}

void
status_conn_tick(void)
{
	conn_sweep(true);
}

void
status_conn_free(void)
{
	struct conn *c, *next;

	for (c = cs.list; c != NULL; c = next) {
		next = c->next;
		conn_release(c);
	}
	if (cs.sweep_ev != NULL)
		event_free(cs.sweep_ev);
	if (cs.resume_ev != NULL)
		event_free(cs.resume_ev);
	srclimit_free(&cs.src);
	memset(&cs, 0, sizeof(cs));
}
