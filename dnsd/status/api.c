/* api.c - the admin API of the status endpoint and its bearer token. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/keyvalq_struct.h>
#include <urcu.h>

#include "dnsd/base/log.h"
#include "dnsd/base/secret.h"
#include "dnsd/status/api.h"
#include "dnsd/status/json.h"
#include "dnsd/status/reload.h"
#include "dnsd/status/reply.h"
#include "dnsd/world.h"
#include "probes/admin.h"
#include "probes/probe.h"

#define API_RECONCILE_MAX 64		/* overrides re-applied per pass */

static struct {
	struct secret      token;	/* data NULL: no token file */
	char              *token_file;	/* where token came from */
	char              *state_file;	/* copied: conf may be freed */
	struct admin_store admin;
} api;

int
status_api_init(const struct conf *conf)
{
	char err[2 * PATH_MAX + 128];	/* the path may be named twice */

	if (conf->status.state_file != NULL &&
	    (api.state_file = strdup(conf->status.state_file)) == NULL) {
		log_warn("status: state file name");
		return -1;
	}
	if (conf->status.token_file != NULL &&
	    secret_read(conf->status.token_file, STATUS_TOKEN_MAX,
	    SECRET_GROUP_OK | SECRET_LINE, &api.token, err,
	    sizeof(err)) == -1) {
		log_warnx("status: token file %s", err);
		return -1;
	}
	if (conf->status.token_file != NULL &&
	    (api.token_file = strdup(conf->status.token_file)) == NULL) {
		log_warn("status: token file name");
		return -1;
	}
	if (api.state_file != NULL && admin_load(&api.admin,
	    api.state_file) == -1)
		return -1;
	return 0;
}

void
status_api_apply(const struct conf *conf)
{
	const struct admin_entry *e;
	size_t i, p, s;
	int rc;

	for (i = 0; i < api.admin.n; i++) {
		e = &api.admin.v[i];
		/* An entry naming no server is warned about (once, with its
		 * state and a "did you mean") by admin_reconcile. */
		if ((rc = admin_locate(conf, e->pool, e->server, &p, &s)) != 0)
			continue;
		if (probe_set_admin(p, s, e->state) == 0)
			log_info("status: pool %s server %s: admin %s (state "
			    "file)", e->pool, e->server,
			    admin_state_name(e->state));
	}
}

void
status_api_reconcile(void)
{
	struct admin_fix fix[API_RECONCILE_MAX];
	const struct world *w;
	const struct pstate *ps;
	size_t n = 0, i;

	if (api.admin.n == 0)
		return;
	rcu_read_lock();
	w = world_get();
	ps = pstate_get();
	if (w != NULL && ps != NULL && w->conf != NULL)
		n = admin_reconcile(&api.admin, w->conf, ps, fix,
		    API_RECONCILE_MAX);
	rcu_read_unlock();
	/* Outside the read-side section: the engine takes its lock. */
	for (i = 0; i < n; i++)
		if (probe_set_admin(fix[i].pool, fix[i].server,
		    fix[i].state) == 0)
			log_debug("status: re-applied admin state %s to server "
			    "#%zu of pool #%zu", admin_state_name(fix[i].state),
			    fix[i].server, fix[i].pool);
}

/* Equal strings in a time that depends only on the length of b (the
 * secret's length is not a secret worth guarding; its bytes are). */
static bool
token_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	volatile unsigned char d = 0;
	size_t i;

	d |= (unsigned char)(alen != blen);
	for (i = 0; i < blen; i++)
		d |= (unsigned char)((i < alen ? (unsigned char)a[i] : 0) ^
		    (unsigned char)b[i]);
	return d == 0;
}

/* \retval true when the request may use the admin API (else answered). */
static bool
api_auth(struct evhttp_request *req)
{
	const char *h;

	if (api.token.data == NULL) {
		status_reply_error(req, 403, "Forbidden",
		    "admin API disabled: no status.token_file configured");
		return false;
	}
	h = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Authorization");
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0 ||
	    !token_equal(h + 7, strlen(h + 7), api.token.data,
	    api.token.len)) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "WWW-Authenticate", "Bearer realm=\"mxspread\"");
		status_reply_error(req, 401, "Unauthorized",
		    h == NULL ? "missing bearer token" : "wrong bearer token");
		return false;
	}
	return true;
}

/* The configured spelling of pool and server (a pool by any case, a server
 * by any case), and their indexes. \retval true found */
static bool
api_find(const char *pool, const char *server, char *pname, char *sname,
    size_t *p, size_t *s)
{
	const struct world *w;
	const struct conf_pool *cp;
	bool found = false;

	rcu_read_lock();
	w = world_get();
	if (w != NULL && w->conf != NULL &&
	    (cp = conf_pool_find(w->conf, pool, p)) != NULL) {
		snprintf(pname, CONF_NAME_MAX + 1, "%s", cp->name);
		for (*s = 0; *s < cp->nservers; (*s)++)
			if (strcasecmp(cp->servers[*s].name, server) == 0) {
				snprintf(sname, CONF_NAME_MAX + 1, "%s",
				    cp->servers[*s].name);
				found = true;
				break;
			}
	}
	rcu_read_unlock();
	return found;
}

void
status_api_admin(struct evhttp_request *req, const char *pool,
    const char *server, const char *action)
{
	char pname[CONF_NAME_MAX + 1], sname[CONF_NAME_MAX + 1], msg[160];
	size_t p = 0, s = 0;
	unsigned state;

	/* the token first: without it, nothing about the API is answered */
	if (!api_auth(req))
		return;
	if (strcmp(action, "drain") == 0)
		state = PSTATE_ADMIN_DRAIN;
	else if (strcmp(action, "maint") == 0)
		state = PSTATE_ADMIN_MAINT;
	else if (strcmp(action, "enable") == 0)
		state = PSTATE_ADMIN_ENABLED;
	else {
		status_reply_error(req, 404, "Not Found",
		    "unknown action (drain, maint or enable)");
		return;
	}
	if (!api_find(pool, server, pname, sname, &p, &s)) {
		status_reply_error(req, 404, "Not Found",
		    "no such pool or server");
		return;
	}
	if (probe_set_admin(p, s, state) == -1) {
		status_reply_error(req, 503, "Service Unavailable",
		    "the probe engine is not running or does not know this "
		    "server yet");
		return;
	}
	if (admin_set(&api.admin, pname, sname, state) == -1) {
		status_reply_error(req, 500, "Internal Server Error",
		    "out of memory");
		return;
	}
	if (api.state_file != NULL &&
	    admin_save(&api.admin, api.state_file) == -1) {
		snprintf(msg, sizeof(msg), "applied, but not saved to the state "
		    "file: %s", strerror(errno));
		status_reply_error(req, 500, "Internal Server Error", msg);
		return;
	}
	/* the change itself is logged once, by the engine that makes it */
	status_reply_json(req, 200, "OK", json_pack("{s:s,s:s,s:s,s:b}",
	    "pool", pname, "server", sname, "admin", admin_state_name(state),
	    "persisted", api.state_file != NULL));
}

void
status_api_reload(struct evhttp_request *req)
{
	struct status_reload r;

	if (!api_auth(req))
		return;
	status_reload_requested();
	log_info("status: reload requested through the API");
	if (kill(getpid(), SIGHUP) == -1) {
		status_reply_error(req, 500, "Internal Server Error",
		    strerror(errno));
		return;
	}
	status_reload_get(&r);
	status_reply_json(req, 202, "Accepted", json_pack("{s:s,s:o}",
	    "reload", "requested", "last_reload", status_json_reload(&r)));
}

void
status_api_token_reload(void)
{
	char err[2 * PATH_MAX + 128], *path = NULL;
	const struct world *w;
	struct secret fresh = { NULL, 0 };
	bool none = true, same;

	rcu_read_lock();
	if ((w = world_get()) != NULL && w->conf != NULL &&
	    w->conf->status.token_file != NULL) {
		none = false;
		path = strdup(w->conf->status.token_file);
	}
	rcu_read_unlock();
	if (none) {
		if (api.token.data != NULL)
			log_warnx("status: reload: status.token_file removed, "
			    "the admin API is disabled (403)");
		secret_free(&api.token);
		free(api.token_file);
		api.token_file = NULL;
		return;
	}
	if (path == NULL) {
		log_warn("status: reload: token file name; keeping the "
		    "previous token");
		return;
	}
	if (secret_read(path, STATUS_TOKEN_MAX, SECRET_GROUP_OK | SECRET_LINE,
	    &fresh, err, sizeof(err)) == -1) {
		log_warnx("status: reload: token file %s; keeping the previous "
		    "token", err);
		free(path);
		return;
	}
	same = api.token.data != NULL && api.token.len == fresh.len &&
	    token_equal(fresh.data, fresh.len, api.token.data, api.token.len);
	if (!same)
		log_info("status: reload: bearer token %s from %s",
		    api.token.data == NULL ? "loaded" : "replaced", path);
	else if (api.token_file == NULL || strcmp(api.token_file, path) != 0)
		log_info("status: reload: token file now %s (same token)", path);
	secret_free(&api.token);
	api.token = fresh;
	free(api.token_file);
	api.token_file = path;
}

void
status_api_free(void)
{
	secret_free(&api.token);
	free(api.token_file);
	api.token_file = NULL;
	admin_free(&api.admin);
	free(api.state_file);
	api.state_file = NULL;
}
