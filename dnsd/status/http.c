/* http.c - the HTTP status endpoint (evhttp on its own thread): routing,
 * the GET pages, the timer, start and stop. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <urcu.h>

#include "dnsd/base/clock.h"
#include "dnsd/base/conf.h"
#include "dnsd/base/log.h"
#include "dnsd/base/sock.h"
#include "dnsd/status/api.h"
#include "dnsd/status/conn.h"
#include "dnsd/status/dashboard.h"
#include "dnsd/status/json.h"
#include "dnsd/status/metrics.h"
#include "dnsd/status/model.h"
#include "dnsd/status/reply.h"
#include "dnsd/status/selfcheck.h"
#include "dnsd/status/status.h"
#include "dnsd/world.h"

#define STATUS_TIMEOUT       10		/* s idle, read or write (evhttp's; the
					   whole request: conn.h) */
#define STATUS_HISTORY_JSON  60		/* probe results per server in JSON */
#define STATUS_TICK_US       250000	/* the timer; a second is 4 ticks */
#define STATUS_MAX_PATH      512	/* longer than any path we serve */
#define STATUS_ALLOW_GET     "GET, HEAD"
#define STATUS_ALLOW_POST    "POST"

static struct {
	struct event_base *base;
	struct evhttp     *http;
	pthread_t          thread;
	bool               running;
	int                wake[2];
	struct event      *wake_ev;
	struct event      *tick_ev;
	int64_t            started_ms;
	uint64_t           ticks;
} st = { .wake = { -1, -1 } };

/* ---- the GET pages ------------------------------------------------------ */

static void
page_status(struct evhttp_request *req)
{
	struct status_model *m;

	if ((m = status_model_build(STATUS_HISTORY_JSON, st.started_ms)) ==
	    NULL) {
		status_reply_error(req, 503, "Service Unavailable",
		    "no state yet");
		return;
	}
	status_reply_json(req, 200, "OK", status_json(m));
	status_model_free(m);
}

static void
page_metrics(struct evhttp_request *req)
{
	struct evbuffer *b;
	struct status_model *m;

	if ((m = status_model_build(1, st.started_ms)) == NULL) {
		status_reply_error(req, 503, "Service Unavailable",
		    "no state yet");
		return;
	}
	if ((b = evbuffer_new()) == NULL) {
		status_model_free(m);
		status_reply_oom(req);
		return;
	}
	status_metrics(m, b);
	status_model_free(m);
	status_reply_buffer(req, 200, "OK",
	    "text/plain; version=0.0.4; charset=utf-8", b);
	evbuffer_free(b);
}

static void
page_dashboard(struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct status_model *m;
	struct evbuffer *b;
	json_t *j = NULL;

	if ((m = status_model_build(STATUS_HISTORY_JSON, st.started_ms)) !=
	    NULL) {
		j = status_json(m);
		status_model_free(m);
	}
	if ((b = evbuffer_new()) == NULL || status_dashboard(b, j) == -1) {
		json_decref(j);
		if (b != NULL)
			evbuffer_free(b);
		status_reply_oom(req);
		return;
	}
	json_decref(j);
	evhttp_add_header(h, "Content-Security-Policy", STATUS_DASHBOARD_CSP);
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	status_reply_buffer(req, 200, "OK", "text/html; charset=utf-8", b);
	evbuffer_free(b);
}

static void
page_healthz(struct evhttp_request *req)
{
	if (status_selfcheck_healthy(clock_unix_ms()))
		status_reply_text(req, 200, "OK", "text/plain; charset=utf-8",
		    "ok\n");
	else
		status_reply_text(req, 503, "Service Unavailable",
		    "text/plain; charset=utf-8", "DNS workers do not answer\n");
}

/* ---- routing ------------------------------------------------------------ */

/* Split "/api/pools/P/servers/S/A"; \retval true when it has that shape. */
static bool
admin_path(const char *path, char *pool, char *server, char *action)
{
	const char *p = path + strlen("/api/pools/"), *e;
	size_t n;

	if ((e = strchr(p, '/')) == NULL || (n = (size_t)(e - p)) == 0 ||
	    n > CONF_NAME_MAX)
		return false;
	memcpy(pool, p, n);
	pool[n] = '\0';
	p = e + 1;
	if (strncmp(p, "servers/", 8) != 0)
		return false;
	p += 8;
	if ((e = strchr(p, '/')) == NULL || (n = (size_t)(e - p)) == 0 ||
	    n > CONF_NAME_MAX)
		return false;
	memcpy(server, p, n);
	server[n] = '\0';
	p = e + 1;
	if ((n = strlen(p)) == 0 || n > 15 || strchr(p, '/') != NULL)
		return false;
	memcpy(action, p, n + 1);
	return true;
}

/* The fixed paths: GET (and HEAD) or POST only, else 405. */
static const struct {
	const char *path;
	bool        post;
	void      (*handle)(struct evhttp_request *);
} status_routes[] = {
	{ "/",            false, page_dashboard },
	{ "/index.html",  false, page_dashboard },
	{ "/status.json", false, page_status },
	{ "/metrics",     false, page_metrics },
	{ "/healthz",     false, page_healthz },
	{ "/api/reload",  true,  status_api_reload },
};

/*
 * The path of the request as sent, without query or fragment. Not the path
 * of evhttp's parsed URI: that parser reads "//status.json" as an
 * authority ("status.json") and an empty path, which would be "/", the
 * dashboard. A path we do not serve is a 404, whatever it resembles; an
 * absolute-form target ("http://host/path") still has its path taken.
 * \retval false  too long or not a path (answer 404)
 */
static bool
request_path(struct evhttp_request *req, char *buf, size_t size)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *raw = evhttp_request_get_uri(req), *p;
	size_t n;

	if (raw != NULL && raw[0] == '/')
		p = raw;
	else if ((p = uri != NULL ? evhttp_uri_get_path(uri) : NULL) == NULL ||
	    *p == '\0')
		p = "/";
	n = strcspn(p, "?#");
	if (n >= size)
		return false;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return true;
}

static void
status_request(struct evhttp_request *req, void *arg)
{
	char pool[CONF_NAME_MAX + 1], server[CONF_NAME_MAX + 1], action[16];
	char path[STATUS_MAX_PATH];
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	bool get = cmd == EVHTTP_REQ_GET || cmd == EVHTTP_REQ_HEAD;
	size_t i;

	status_conn_request(req);
	if (!request_path(req, path, sizeof(path))) {
		status_reply_error(req, 404, "Not Found", "not found");
		return;
	}
	for (i = 0; i < sizeof(status_routes) / sizeof(status_routes[0]); i++) {
		if (strcmp(path, status_routes[i].path) != 0)
			continue;
		if (status_routes[i].post ? cmd != EVHTTP_REQ_POST : !get)
			status_reply_405(req, status_routes[i].post ?
			    STATUS_ALLOW_POST : STATUS_ALLOW_GET);
		else
			status_routes[i].handle(req);
		return;
	}
	if (strncmp(path, "/api/pools/", 11) == 0 &&
	    admin_path(path, pool, server, action)) {
		if (cmd != EVHTTP_REQ_POST)
			status_reply_405(req, STATUS_ALLOW_POST);
		else
			status_api_admin(req, pool, server, action);
	} else
		status_reply_error(req, 404, "Not Found", "not found");
}

/* ---- the thread --------------------------------------------------------- */

static void
status_tick(evutil_socket_t fd, short what, void *arg)
{
	const struct world *w;
	bool second;

	/* every tick (250 ms) while unhealthy, so /healthz turns 200 soon
	 * after the workers start; else once a second, with the share row */
	second = ++st.ticks % 4 == 0;
	rcu_read_lock();
	if ((w = world_get()) != NULL && w->conf != NULL)
		status_selfcheck_tick(st.base, w, second);
	rcu_read_unlock();
	status_api_reconcile();
	status_conn_tick();
}

/* The wake pipe: 'q' stops the thread, 'r' (a reload) re-reads the token
 * and re-applies admin states. */
static void
status_wake(evutil_socket_t fd, short what, void *arg)
{
	bool quit = false, reload = false;
	char c;

	while (read(fd, &c, 1) > 0) {
		if (c == 'q')
			quit = true;
		else if (c == 'r')
			reload = true;
	}
	if (quit)
		event_base_loopbreak(st.base);
	else if (reload) {
		status_api_token_reload();
		status_api_reconcile();
	}
}

static void *
status_thread(void *arg)
{
	rcu_register_thread();
	status_tick(-1, 0, NULL);
	event_base_dispatch(st.base);
	rcu_unregister_thread();
	return NULL;
}

/* ---- start and stop ----------------------------------------------------- */

static bool
addr_is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		if (IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
			return true;
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			return s6->sin6_addr.s6_addr[12] == 127;
	}
	return false;
}

/* The evhttp server on conf's listener. \retval 0, -1 logged */
static int
status_listen(const struct conf_sockaddr *a)
{
	int fd;

	if ((st.base = event_base_new()) == NULL ||
	    (st.http = evhttp_new(st.base)) == NULL) {
		log_warnx("status: cannot create the event base");
		return -1;
	}
	evhttp_set_max_headers_size(st.http, STATUS_MAX_HEADERS);
	evhttp_set_max_body_size(st.http, STATUS_MAX_BODY);
	evhttp_set_timeout(st.http, STATUS_TIMEOUT);
	/* every method reaches the router, which answers 405 with Allow */
	evhttp_set_allowed_methods(st.http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
	    EVHTTP_REQ_PATCH);
	evhttp_set_gencb(st.http, status_request, NULL);
	if ((fd = sock_listen((const struct sockaddr *)&a->ss, a->len,
	    SOCK_STREAM, SOCK_F_NONBLOCK, 64)) == -1) {
		log_warn("status: cannot listen on %s", a->text);
		return -1;
	}
	return status_conn_listen(st.base, st.http, fd, a->text);
}

/* The wake pipe and the timer. \retval 0, -1 logged */
static int
status_events(void)
{
	struct timeval tick = { 0, STATUS_TICK_US };

	if (pipe2(st.wake, O_NONBLOCK | O_CLOEXEC) == -1) {
		log_warn("status: pipe");
		return -1;
	}
	st.wake_ev = event_new(st.base, st.wake[0], EV_READ | EV_PERSIST,
	    status_wake, NULL);
	st.tick_ev = event_new(st.base, -1, EV_PERSIST, status_tick, NULL);
	if (st.wake_ev == NULL || st.tick_ev == NULL ||
	    event_add(st.wake_ev, NULL) == -1 ||
	    event_add(st.tick_ev, &tick) == -1) {
		log_warnx("status: cannot add events");
		return -1;
	}
	return 0;
}

static void
status_cleanup(void)
{
	status_selfcheck_free();
	if (st.tick_ev != NULL)
		event_free(st.tick_ev);
	if (st.wake_ev != NULL)
		event_free(st.wake_ev);
	if (st.http != NULL)
		evhttp_free(st.http);
	status_conn_free();
	if (st.base != NULL)
		event_base_free(st.base);
	if (st.wake[0] != -1)
		close(st.wake[0]);
	if (st.wake[1] != -1)
		close(st.wake[1]);
	status_api_free();
	memset(&st, 0, sizeof(st));
	st.wake[0] = st.wake[1] = -1;
}

int
status_start(const struct conf *conf)
{
	sigset_t all, old;
	int rc;

	if (st.running) {
		log_warnx("status: already running");
		return -1;
	}
	if (!conf->status.enabled)
		return 0;
	st.started_ms = clock_unix_ms();
	if (!addr_is_loopback(&conf->status.listen.ss) &&
	    conf->status.token_file == NULL) {
		log_warnx("status: refusing to listen on %s, not a loopback "
		    "address, without status.token_file",
		    conf->status.listen.text);
		goto fail;
	}
	if (status_api_init(conf) == -1 ||
	    status_listen(&conf->status.listen) == -1 ||
	    status_events() == -1)
		goto fail;
	/* Saved admin states, applied to the engine started before us. */
	status_api_apply(conf);

	/* The thread takes no signals: they belong to the main loop. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&st.thread, NULL, status_thread, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		errno = rc;
		log_warn("status: thread");
		goto fail;
	}
	st.running = true;
	log_info("status: listening on http://%s/", conf->status.listen.text);
	return 0;
fail:
	status_cleanup();
	return -1;
}

void
status_reloaded(void)
{
	char c = 'r';

	if (st.running && write(st.wake[1], &c, 1) == -1 && errno != EAGAIN)
		log_warn("status: reload notice");
}

void
status_stop(void)
{
	char c = 'q';

	if (!st.running)
		return;
	if (write(st.wake[1], &c, 1) == -1)
		log_warn("status: stop");
	pthread_join(st.thread, NULL);
	status_cleanup();
}
