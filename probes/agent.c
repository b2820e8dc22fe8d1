/* agent.c - the agent probe: HAProxy agent-check, one line over TCP. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/event_struct.h>

#include "probes/check.h"

#define AGENT_LINE_MAX 512

int
agent_parse(const char *line, struct agent_reply *out)
{
	char buf[AGENT_LINE_MAX + 1], *p, *tok, *save = NULL, *hash;
	size_t n;

	memset(out, 0, sizeof(*out));
	out->state = -1;
	out->admin = CHECK_AGENT_NONE;
	snprintf(buf, sizeof(buf), "%s", line);
	if ((hash = strchr(buf, '#')) != NULL) {
		*hash++ = '\0';
		while (isspace((unsigned char)*hash))
			hash++;
		n = strcspn(hash, "\r\n");
		hash[n] = '\0';
		while (n > 0 && isspace((unsigned char)hash[n - 1]))
			hash[--n] = '\0';
		snprintf(out->comment, sizeof(out->comment), "%s", hash);
	}
	for (p = buf; (tok = strtok_r(p, " \t,\r\n", &save)) != NULL; p = NULL) {
		size_t len = strlen(tok);

		if (len > 1 && tok[len - 1] == '%') {
			char *end;
			double v;

			tok[len - 1] = '\0';
			errno = 0;
			v = strtod(tok, &end);
			if (*end != '\0' || errno != 0 || !(v >= 0 && v <= 100))
				return -1;
			out->has_load = true;
			out->load = v;
		} else if (strcasecmp(tok, "up") == 0) {
			out->state = 1;
			out->admin = CHECK_AGENT_READY;
		} else if (strcasecmp(tok, "ready") == 0) {
			out->admin = CHECK_AGENT_READY;
		} else if (strcasecmp(tok, "down") == 0 ||
		    strcasecmp(tok, "fail") == 0 ||
		    strcasecmp(tok, "stopped") == 0) {
			out->state = 0;
		} else if (strcasecmp(tok, "drain") == 0) {
			out->admin = CHECK_AGENT_DRAIN;
		} else if (strcasecmp(tok, "maint") == 0) {
			out->admin = CHECK_AGENT_MAINT;
		} else if (strncasecmp(tok, "maxconn:", 8) == 0) {
			char *end;

			errno = 0;
			(void)strtoul(tok + 8, &end, 10);
			if (tok[8] == '\0' || *end != '\0' || errno != 0)
				return -1;
		} else {
			continue;		/* unknown words are ignored */
		}
		out->words++;
	}
	return 0;
}

struct agent_check {
	struct event   ev;
	int            fd;
	size_t         len;
	char           buf[AGENT_LINE_MAX + 1];
	check_done_fn *done;
	void          *arg;
};

static void
agent_finish(struct agent_check *a, struct check_result *r)
{
	check_done_fn *done = a->done;
	void *arg = a->arg;

	event_del(&a->ev);
	close(a->fd);
	free(a);
	done(arg, r);
}

static void
agent_result(struct agent_check *a, struct check_result *r)
{
	struct agent_reply rep;
	char line[AGENT_LINE_MAX + 1];
	size_t n;

	a->buf[a->len] = '\0';
	n = strcspn(a->buf, "\r\n");
	memcpy(line, a->buf, n);
	line[n] = '\0';
	if (agent_parse(line, &rep) == -1) {
		check_fail(r, "agent reply malformed: %.60s", line);
		return;
	}
	if (rep.words == 0) {
		check_fail(r, "agent reply not understood: %.60s", line);
		return;
	}
	r->has_load = rep.has_load;
	r->load = rep.load;
	r->agent_admin = rep.admin;
	if (rep.state == 0) {
		r->agent_down = true;
		if (rep.comment[0] != '\0')
			check_fail(r, "agent says down: %s", rep.comment);
		else
			check_fail(r, "agent says down");
		return;
	}
	r->ok = true;
}

static void
agent_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct agent_check *a = arg;
	struct check_result r;
	ssize_t n;

	check_result_init(&r);
	n = read(fd, a->buf + a->len, AGENT_LINE_MAX - a->len);
	if (n == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		int err = errno;

		check_fail(&r, "%s", check_errno_text(err));
		r.local = check_errno_local(err);
		agent_finish(a, &r);
		return;
	}
	a->len += (size_t)n;
	if (n == 0 && a->len == 0) {
		check_fail(&r, "agent closed without a reply");
		agent_finish(a, &r);
		return;
	}
	if (n == 0 || memchr(a->buf, '\n', a->len) != NULL ||
	    a->len == AGENT_LINE_MAX) {
		agent_result(a, &r);
		agent_finish(a, &r);
	}
}

static void *
agent_start(struct check_req *req)
{
	struct agent_check *a;

	if ((a = calloc(1, sizeof(*a))) == NULL) {
		snprintf(req->err, sizeof(req->err), "out of memory");
		req->err_local = true;
		return NULL;
	}
	if ((a->fd = check_connect(req->sa, req->salen)) == -1) {
		req->err_local = check_errno_local(errno);
		snprintf(req->err, sizeof(req->err), "%s", check_errno_text(errno));
		free(a);
		return NULL;
	}
	a->done = req->done;
	a->arg = req->arg;
	event_assign(&a->ev, req->base, a->fd, EV_READ | EV_PERSIST,
	    agent_read_cb, a);
	event_add(&a->ev, NULL);
	return a;
}

static void
agent_cancel(void *h, char *why, size_t len)
{
	struct agent_check *a = h;

	event_del(&a->ev);
	close(a->fd);
	snprintf(why, len, a->len ? "reading the agent line" :
	    "waiting for the agent line");
	free(a);
}

const struct check_ops check_agent_ops = { "agent", agent_start, agent_cancel };
