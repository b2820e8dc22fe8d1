/* daemon.c - the server process: load, start, reload on SIGHUP, stop cleanly. */
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

#include <event2/event.h>
#include <urcu.h>

#include "dnsd/base/clock.h"
#include "dnsd/base/conf.h"
#include "dnsd/daemon.h"
#include "dnsd/base/log.h"
#include "dnsd/relay/relay.h"
#include "dnsd/server.h"
#include "dnsd/status/reload.h"
#include "dnsd/dynsign.h"
#include "dnsd/signer.h"
#include "dnsd/status/status.h"
#include "dnsd/world.h"
#include "probes/probe.h"
#include "probes/pstate.h"

/* Log every line a loader printed (errors and warnings) at warning level. */
static void
log_lines(const char *prefix, char *buf)
{
	char *line, *save = NULL;

	if (buf == NULL)
		return;
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		log_warnx("%s%s", prefix, line);
}

/*
 * What the running services were started with, copied at start: the DNS
 * listeners and workers (server.c binds them once), the status endpoint's
 * listener and state file, the user and group dropped to, the log target.
 * A reload compares its config with this, never with the previous
 * reload's, so a setting stays named until the running value is restored.
 * The relay keeps its own (relay_reload()). Main thread only.
 */
static struct {
	char     (*listen)[sizeof(((struct conf_sockaddr *)0)->text)];
	size_t     nlisten;
	unsigned   workers;		/* as configured (0: CPU count) */
	char      *user, *group;
	bool       syslog;
	bool       status;
	char       status_listen[sizeof(((struct conf_sockaddr *)0)->text)];
	char      *state_file;
	bool       debug;		/* -d: debug whatever log_level says */
	size_t     npending;		/* named by the last published reload */
} running;

static bool
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
running_free(void)
{
	free(running.listen);
	free(running.user);
	free(running.group);
	free(running.state_file);
	memset(&running, 0, sizeof(running));
}

/* \retval 0, -1 out of memory (logged) */
static int
running_capture(const struct conf *conf, int debug)
{
	size_t i;

	running_free();
	if (conf->nlisten > 0 && (running.listen = calloc(conf->nlisten,
	    sizeof(*running.listen))) == NULL)
		goto nomem;
	for (i = 0; i < conf->nlisten; i++)
		snprintf(running.listen[i], sizeof(running.listen[i]), "%s",
		    conf->listen[i].text);
	running.nlisten = conf->nlisten;
	running.workers = conf->workers;
	running.syslog = !debug && conf->log_syslog;
	running.debug = debug != 0;
	running.status = conf->status.enabled;
	if (conf->status.enabled)
		snprintf(running.status_listen, sizeof(running.status_listen),
		    "%s", conf->status.listen.text);
	if ((conf->user != NULL && (running.user = strdup(conf->user)) ==
	    NULL) ||
	    (conf->group != NULL && (running.group = strdup(conf->group)) ==
	    NULL) ||
	    (conf->status.enabled && conf->status.state_file != NULL &&
	    (running.state_file = strdup(conf->status.state_file)) == NULL))
		goto nomem;
	return 0;
nomem:
	log_warnx("out of memory");
	running_free();
	return -1;
}

/*
 * The settings of conf (names as in the config) that differ from what
 * runs, then the relay's (relay_reload()'s mask), in config order.
 * \retval n  names written to names (static strings), at most max
 */
static size_t
running_diff(const struct conf *conf, unsigned relay_pending,
    const char **names, size_t max)
{
	size_t i, n = 0;
	bool same;

#define PENDING(name) do { if (n < max) names[n++] = (name); } while (0)
	same = conf->nlisten == running.nlisten;
	for (i = 0; same && i < conf->nlisten; i++)
		same = strcmp(conf->listen[i].text, running.listen[i]) == 0;
	if (!same)
		PENDING("listen");
	if (conf->workers != running.workers)
		PENDING("workers");
	if (!same_str(conf->user, running.user))
		PENDING("user");
	if (!same_str(conf->group, running.group))
		PENDING("group");
	if (!running.debug && conf->log_syslog != running.syslog)
		PENDING("syslog");
	if (conf->status.enabled != running.status)
		PENDING("status");
	else if (running.status) {
		if (strcmp(conf->status.listen.text,
		    running.status_listen) != 0)
			PENDING("status.listen");
		if (!same_str(conf->status.state_file, running.state_file))
			PENDING("status.state_file");
	}
#undef PENDING
	return n + relay_pending_names(relay_pending, names + n, max - n);
}

/* SIGHUP: a new world replaces the running one only if it loads whole.
 * \retval 0 published, -1 rejected (the running world stays) */
static int
daemon_reload(const char *file)
{
	struct world *nw;
	struct pstate *ps;
	const char *pending[STATUS_RELOAD_PENDING];
	char *buf = NULL, list[STATUS_RELOAD_PENDING * 24] = "";
	size_t len = 0, npending, i, off;
	unsigned relay_pending;
	FILE *errs;

	log_info("reloading %s", file);
	if ((errs = open_memstream(&buf, &len)) == NULL) {
		log_warn("reload: open_memstream");
		status_reload_note(false, "out of memory", NULL, 0);
		return -1;
	}
	nw = world_load(file, errs);
	fclose(errs);
	if (nw == NULL) {
		status_reload_note(false, buf, NULL, 0);
		log_lines("reload: ", buf);
		free(buf);
		log_warnx("reload of %s rejected, still serving the previous "
		    "configuration", file);
		return -1;
	}
	/* The engine holds the old conf, which is freed after the publish:
	 * restart it on the new one (it publishes a fresh all-up state). */
	probe_engine_stop();
	/* The relay swaps its backends while the old pool state is still
	 * the one published (it fences it: see relay.h). */
	relay_pending = relay_reload(nw->conf);
	npending = running_diff(nw->conf, relay_pending, pending,
	    STATUS_RELOAD_PENDING);
	status_reload_note(true, buf, pending, npending);
	log_lines("reload warning: ", buf);
	free(buf);
	for (i = 0, off = 0; i < npending && off < sizeof(list); i++)
		off += (size_t)snprintf(list + off, sizeof(list) - off,
		    "%s%s", i ? ", " : "", pending[i]);
	if (npending > 0)
		log_warnx("reload: pending restart: %s (these settings keep "
		    "their running values until a restart)", list);
	else if (running.npending > 0)
		log_info("reload: the configuration matches the running "
		    "settings again, no restart pending");
	running.npending = npending;
	if (!running.debug && nw->conf->log_level != log_getlevel()) {
		log_info("reload: log_level applied");
		log_setlevel(nw->conf->log_level);
	}
	world_publish(nw);
	if (probe_engine_start(nw->conf) != 0) {
		log_warnx("reload: probe engine did not restart, serving an "
		    "all-up pool state");
		if ((ps = pstate_new(nw->conf)) != NULL)
			pstate_publish(ps);
	}
	log_info("reloaded %s: %zu zone%s", file, nw->nzones,
	    nw->nzones == 1 ? "" : "s");
	status_reloaded();
	return 0;
}

#define DAEMON_TICK 5	/* seconds between re-signing checks */

/*
 * One re-signing: a new world from the running config (world_resign: no
 * probe engine or relay restart, the pool state stays), its dynamic
 * variants made from the current pool state before it is published.
 * \retval 0 published, -1 the load failed (errors logged)
 */
static int
daemon_resign(void)
{
	struct world *nw, *cur;
	char *buf = NULL;
	size_t len = 0;
	FILE *errs;
	double t0 = clock_mono();

	if ((errs = open_memstream(&buf, &len)) == NULL) {
		log_warn("re-signing: open_memstream");
		return -1;
	}
	/* main thread: the only writer of the world pointer */
	rcu_read_lock();
	cur = (struct world *)(uintptr_t)world_get();
	rcu_read_unlock();
	nw = cur != NULL ? world_resign(cur, errs) : NULL;
	fclose(errs);
	if (nw == NULL) {
		log_lines("re-signing: ", buf);
		free(buf);
		return -1;
	}
	log_lines("re-signing warning: ", buf);
	free(buf);
	rcu_read_lock();
	(void)dynsign_zones(nw->conf, nw->zones, nw->nzones, pstate_get());
	rcu_read_unlock();
	world_publish(nw);
	log_info("dnssec: re-signed %zu zone%s in %.0f ms", nw->nzones,
	    nw->nzones == 1 ? "" : "s", (clock_mono() - t0) * 1000.0);
	return 0;
}

/*
 * Re-signing (zones/sign.h): when a signed zone's signatures are within
 * its refresh margin of expiring, load a new world as a reload does (the
 * same files, signed anew) and swap it in. A failure keeps the old world
 * and its signatures, is logged and counted (dynsign_resign_note) and is
 * retried at the next tick; signatures past their expiration are logged
 * at every tick until a load succeeds.
 */
static void
daemon_resign_check(void)
{
	const struct world *w;
	time_t now = time(NULL);
	char why[512] = "";
	bool due = false, expired = false;

	rcu_read_lock();
	w = world_get();
	for (size_t i = 0; w != NULL && i < w->nzones; i++) {
		const struct sign_zone *s = w->zones[i]->sec;

		if (s == NULL)
			continue;
		if ((int64_t)now + s->conf->refresh >= (int64_t)s->expiration) {
			due = true;
			snprintf(why, sizeof(why), "%s", w->zones[i]->origin_text);
		}
		if ((int64_t)now >= (int64_t)s->expiration) {
			expired = true;
			log_warnx("dnssec: the signatures of %s EXPIRED at %u "
			    "(%lld s ago): validators reject the zone; "
			    "re-signing keeps failing", w->zones[i]->origin_text,
			    s->expiration, (long long)(now - s->expiration));
		}
	}
	rcu_read_unlock();
	if (!due)
		return;
	log_info("dnssec: re-signing: the signatures of %s are within the "
	    "refresh margin%s; the templates and keys are read again, the "
	    "configuration is kept", why, expired ? " (expired)" : "");
	if (daemon_resign() == 0) {
		dynsign_resign_note(true, NULL);
		return;
	}
	log_warnx("dnssec: re-signing failed, still serving the previous "
	    "signatures; retrying in %d s", DAEMON_TICK);
	dynsign_resign_note(false, "a template or key did not load (see the "
	    "log): the old signatures are served until it does");
}

/*
 * Start-up limits and libevent's own log. The soft descriptor limit goes to
 * the hard one (the status endpoint sizes its connection cap from it, see
 * dnsd/status/conn.h). libevent writes its warnings (a failed accept(),
 * say) to stderr on its own, as often as they happen: routed through the
 * logger instead, at most a few a second per thread.
 */
static void
daemon_event_log(int severity, const char *msg)
{
	static __thread struct log_rate rate;

	if (severity < EVENT_LOG_WARN) {
		log_debug("libevent: %s", msg);
		return;
	}
	if (log_rate_ok(&rate, 5, "libevent"))
		log_warnx("libevent: %s", msg);
}

static void
daemon_limits(void)
{
	struct rlimit rl;

	event_set_log_callback(daemon_event_log);
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		log_warn("getrlimit RLIMIT_NOFILE");
		return;
	}
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("setrlimit RLIMIT_NOFILE %llu",
			    (unsigned long long)rl.rlim_max);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY)
		log_info("open files: no limit");
	else
		log_info("open files: at most %llu", (unsigned long long)
		    rl.rlim_cur);
}

/* Drop root after every socket is bound (config "user" / "group"). */
static int
drop_privileges(const struct conf *conf)
{
	struct passwd *pw = NULL;
	struct group *gr;
	gid_t gid;

	if (conf->user == NULL && conf->group == NULL)
		return 0;
	if (conf->user != NULL && (pw = getpwnam(conf->user)) == NULL) {
		log_warnx("user \"%s\": no such user", conf->user);
		return -1;
	}
	if (conf->group != NULL) {
		if ((gr = getgrnam(conf->group)) == NULL) {
			log_warnx("group \"%s\": no such group", conf->group);
			return -1;
		}
		gid = gr->gr_gid;
	} else {
		gid = pw->pw_gid;
	}
	if (setgroups(1, &gid) != 0 || setgid(gid) != 0) {
		log_warn("setgid %u", (unsigned)gid);
		return -1;
	}
	if (pw != NULL && setuid(pw->pw_uid) != 0) {
		log_warn("setuid %s", conf->user);
		return -1;
	}
	log_info("running as %s:%u", pw != NULL ? conf->user : "(same user)",
	    (unsigned)gid);
	return 0;
}

int
daemon_main(const char *file, int debug)
{
	struct world *w;
	const struct conf *conf;
	struct server *srv = NULL;
	sigset_t set;
	char err[512] = "";
	int sig, rc = 1;

	log_init(debug ? LOG_LVL_DEBUG : LOG_LVL_INFO, 0, "mxspread");
	daemon_limits();
	rcu_register_thread();
	/* Block the signals before any thread exists: every thread inherits
	 * the mask and this thread alone takes them with sigwaitinfo(). */
	signal(SIGPIPE, SIG_IGN);
	/* A shell starts background jobs with SIGINT ignored; an ignored
	 * signal is discarded even while blocked, so restore the default. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	if ((w = world_load(file, stderr)) == NULL) {
		fprintf(stderr, "%s: configuration rejected\n", file);
		goto out;
	}
	if (!debug) {
		if (w->conf->log_syslog)
			log_init(w->conf->log_level, 1, "mxspread");
		else
			log_setlevel(w->conf->log_level);
	}
	world_publish(w);
	conf = w->conf;

	/* The probe engine publishes the first pool state (all up) before it
	 * returns, so the first answers already have one. */
	if (probe_engine_start(conf) != 0) {
		snprintf(err, sizeof(err), "cannot start the probe engine");
		goto stop;
	}
	if (status_start(conf) != 0) {
		snprintf(err, sizeof(err), "cannot start the status endpoint");
		goto stop;
	}
	if (conf->relay.enabled && relay_start(conf) != 0) {
		snprintf(err, sizeof(err), "cannot start the relay");
		goto stop;
	}

	if ((srv = server_start(conf, err, sizeof(err))) == NULL)
		goto stop;
	if (drop_privileges(conf) != 0) {
		snprintf(err, sizeof(err), "cannot drop privileges");
		goto stop;
	}
	if (running_capture(conf, debug) != 0) {
		snprintf(err, sizeof(err), "out of memory");
		goto stop;
	}
	log_info("ready: %zu zone%s, %u worker%s", w->nzones,
	    w->nzones == 1 ? "" : "s", server_workers(srv),
	    server_workers(srv) == 1 ? "" : "s");

	if (signer_start() != 0) {
		snprintf(err, sizeof(err), "cannot start the DNSSEC signer");
		goto stop;
	}
	for (;;) {
		struct timespec tick = { DAEMON_TICK, 0 };

		if ((sig = sigtimedwait(&set, NULL, &tick)) < 0) {
			if (errno == EAGAIN) {
				daemon_resign_check();
				continue;
			}
			if (errno == EINTR)
				continue;
			log_warn("sigtimedwait");
			break;
		}
		if (sig == SIGHUP) {
			daemon_reload(file);
			continue;
		}
		log_info("%s: stopping", strsignal(sig));
		break;
	}
	rc = 0;
stop:
	signer_stop();
	server_stop(srv);
	probe_engine_stop();
	status_stop();
	relay_stop(5.0);
	pstate_shutdown();
	world_shutdown();
	running_free();
	rcu_unregister_thread();
	if (rc != 0)
		log_fatalx("%s", err);	/* exit 1, after cleaning up */
	log_info("stopped");
	return 0;
out:
	rcu_unregister_thread();
	return rc;
}
