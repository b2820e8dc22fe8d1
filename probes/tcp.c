/* tcp.c - the tcp probe (connect only) and socket helpers shared by the checks. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <event2/event_struct.h>

#include "probes/check.h"

void
check_result_init(struct check_result *r)
{
	memset(r, 0, sizeof(*r));
	r->agent_admin = CHECK_AGENT_NONE;
	r->cert_days = INT32_MIN;
}

void
check_fail(struct check_result *r, const char *fmt, ...)
{
	va_list ap;

	r->ok = false;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

const char *
check_errno_text(int err)
{
	switch (err) {
	case ECONNREFUSED:	return "connection refused";
	case ECONNRESET:	return "connection reset";
	case ETIMEDOUT:		return "connection timed out";
	case EHOSTUNREACH:	return "host unreachable";
	case ENETUNREACH:	return "network unreachable";
	case EPIPE:		return "connection reset";
	default:		return strerror(err);
	}
}

bool
check_errno_local(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOMEM ||
	    err == ENOBUFS;
}

int
check_connect(const struct sockaddr *sa, socklen_t salen)
{
	int fd, one = 1, saved;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_TCP);
	if (fd == -1)
		return -1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, sa, salen) == -1 && errno != EINPROGRESS) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* Close without TIME_WAIT: a probe has nothing left to say. */
static void
tcp_close_rst(int fd)
{
	struct linger lg = { 1, 0 };

	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

struct tcp_check {
	struct event   ev;
	int            fd;
	check_done_fn *done;
	void          *arg;
};

static void
tcp_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tcp_check *t = arg;
	struct check_result r;
	check_done_fn *done = t->done;
	void *darg = t->arg;
	int err = 0;
	socklen_t len = sizeof(err);

	check_result_init(&r);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err == 0)
		r.ok = true;
	else {
		check_fail(&r, "%s", check_errno_text(err));
		r.local = check_errno_local(err);
	}
	tcp_close_rst(t->fd);
	free(t);
	done(darg, &r);
}

static void *
tcp_start(struct check_req *req)
{
	struct tcp_check *t;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		snprintf(req->err, sizeof(req->err), "out of memory");
		req->err_local = true;
		return NULL;
	}
	if ((t->fd = check_connect(req->sa, req->salen)) == -1) {
		req->err_local = check_errno_local(errno);
		snprintf(req->err, sizeof(req->err), "%s", check_errno_text(errno));
		free(t);
		return NULL;
	}
	t->done = req->done;
	t->arg = req->arg;
	event_assign(&t->ev, req->base, t->fd, EV_WRITE, tcp_event_cb, t);
	event_add(&t->ev, NULL);
	return t;
}

static void
tcp_cancel(void *h, char *why, size_t len)
{
	struct tcp_check *t = h;

	event_del(&t->ev);
	tcp_close_rst(t->fd);
	free(t);
	snprintf(why, len, "connecting");
}

const struct check_ops check_tcp_ops = { "tcp", tcp_start, tcp_cancel };
