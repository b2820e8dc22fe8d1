/* relay.c - the fallback SMTP relay: start, stop, reload, threads and
 * listeners, counters. Sessions are in session.c, tables in table.c. */
#include <sys/queue.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>

#include <urcu.h>

#include "dnsd/base/clock.h"
#include "dnsd/base/log.h"
#include "dnsd/base/rng.h"
#include "dnsd/base/sock.h"
#include "dnsd/base/srclimit.h"
#include "dnsd/relay/relay-t.h"
#include "dnsd/relay/relay.h"
#include "dnsd/relay/session.h"
#include "dnsd/relay/table.h"

#define RELAY_SRC_SLOTS   (1u << 14)	/* per-source counters (srclimit) */
#define RELAY_BACKLOG     1024
#define RELAY_MAX_THREADS 64

static pthread_mutex_t relay_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct relay   *relay_cur;	/* under relay_mtx */
static unsigned        relay_pending;	/* RELAY_PENDING_*, under relay_mtx */

static void
relay_accept_error_cb(struct evconnlistener *l, void *arg)
{
	int e = EVUTIL_SOCKET_ERROR();

	/* EMFILE and friends: the listener retries on the next event. */
	log_warnx("relay: accept: %s", evutil_socket_error_to_string(e));
}

/* Once a second on each relay thread: while the current table is fenced,
 * look at the pool state, so the fence is lifted even when no client
 * arrives; count the bytes relayed; write this thread's pending 421
 * summary. */
static void
relay_fence_cb(evutil_socket_t fd, short what, void *arg)
{
	struct relay_thread *th = arg;
	struct relay_table *t = relay_tables_get(&th->r->tables);

	relay_table_unfence(t);
	relay_table_unref(t);
	relay_session_tick(th);
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
	relay_tables_free(&r->tables);
	srclimit_free(&r->src);
	free(r->listen);
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
	l = evconnlistener_new(th->base, relay_session_accept, th,
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
	if (relay_tables_init(&r->tables, conf) != 0)
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
		    r->tables.cur->proxy == CONF_PROXY_V1 ? ", PROXY v1" :
		    r->tables.cur->proxy == CONF_PROXY_V2 ? ", PROXY v2" : "",
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

unsigned
relay_reload(const struct conf *conf)
{
	struct relay *r;
	unsigned pending = 0;

	pthread_mutex_lock(&relay_mtx);
	r = relay_cur;
	if (r == NULL) {
		pthread_mutex_unlock(&relay_mtx);
		return conf->relay.enabled ? RELAY_PENDING_SECTION : 0;
	}
	/* relay_mtx held: relay_stop() cannot free r meanwhile, and no other
	 * reload can replace the current table. */
	if (!conf->relay.enabled)
		pending = RELAY_PENDING_SECTION;
	else {
		if (!relay_same_listen(r, &conf->relay))
			pending |= RELAY_PENDING_LISTEN;
		if (relay_nthreads(&conf->relay) != r->nth)
			pending |= RELAY_PENDING_THREADS;
	}
	relay_pending = pending;
	(void)relay_tables_reload(&r->tables, conf);
	pthread_mutex_unlock(&relay_mtx);
	return pending;
}

void
relay_stop(double grace_seconds)
{
	struct relay *r;
	unsigned i;

	pthread_mutex_lock(&relay_mtx);
	r = relay_cur;
	relay_cur = NULL;
	relay_pending = 0;
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
	size_t i, off, n = 0;

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
		st->pending = relay_pending;
		for (i = 0, off = 0; i < r->nlisten && off < sizeof(st->listen);
		    i++)
			off += (size_t)snprintf(st->listen + off,
			    sizeof(st->listen) - off, "%s%s", i ? " " : "",
			    r->listen[i].text);
		pthread_mutex_lock(&r->tables.mtx);
		snprintf(st->pool, sizeof(st->pool), "%s",
		    r->tables.cur->pool.name);
		/* Totals include servers a reload removed. */
		for (c = r->tables.counters; c != NULL; c = c->next) {
			st->bytes_in += CNT_GET(&c->bytes_in);
			st->bytes_out += CNT_GET(&c->bytes_out);
		}
		n = r->tables.cur->nbe;
		for (i = 0; i < n && be != NULL && i < maxbe; i++) {
			c = r->tables.cur->be[i].c;
			snprintf(be[i].name, sizeof(be[i].name), "%s", c->name);
			be[i].active = CNT_GET(&c->active);
			be[i].total = CNT_GET(&c->total);
			be[i].failed_connects = CNT_GET(&c->failed);
			be[i].bytes_in = CNT_GET(&c->bytes_in);
			be[i].bytes_out = CNT_GET(&c->bytes_out);
		}
		pthread_mutex_unlock(&r->tables.mtx);
	}
	pthread_mutex_unlock(&relay_mtx);
	return n;
}
