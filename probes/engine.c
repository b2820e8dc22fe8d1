/* engine.c - the probe engine: schedule, rise/fall, load, slow start, publish. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/thread.h>
#include <openssl/ssl.h>

#include "dnsd/base/clock.h"
#include "dnsd/base/log.h"
#include "dnsd/base/rng.h"
#include "probes/check.h"
#include "probes/curlev.h"
#include "probes/probe.h"
#include "probes/smtp.h"

#define ENGINE_PUBLISH_DELAY_US	10000	/* coalesce changes for 10 ms */
#define ENGINE_TICK_US		250000	/* slow-start steps */
#define ENGINE_SS_STEP		0.05	/* republish when the ramp moved this much */
#define ENGINE_LOCAL_LOG	1	/* "local shortage" lines a second */
#define ENGINE_LOCAL_WHAT	"probe: local shortage"

struct eserver;

/* One probe (health or load) of one server. */
struct eprobe {
	struct eserver          *sv;
	const struct conf_probe *cp;
	const struct check_ops  *ops;
	void                    *tls_ctx;
	const struct timeval    *tmo_tv;	/* common timeout */
	struct timeval           tmo_own;
	bool                     is_load;
	bool                     counts;	/* feeds history and counters */
	struct sockaddr_storage  ss;
	socklen_t                sslen;
	uint16_t                 port;
	struct event             timer;		/* next round */
	struct event             tmo;		/* attempt timeout */
	double                   due;		/* monotonic seconds */
	double                   started;
	void                    *h;		/* running check */
	struct check_req         req;
	struct probe_counters    cnt;		/* all rounds of this probe */
};

struct epool;

struct eserver {
	struct epool             *pool;
	size_t                    idx;
	const struct conf_server *cs;
	char                      addr[INET6_ADDRSTRLEN];
	char                      tls_host[CONF_DNAME_MAX + 1];
	/* DANE of the health probe: the TLSA records copied from the conf
	 * at start (a re-signing refills the conf's while this runs) */
	uint8_t                   dane_mode;	/* enum pstate_dane_mode;
						   OFF also without usable records */
	uint8_t                  *tlsa;
	size_t                    tlsa_len;
	uint16_t                  tlsa_count;
	char                      dane_host[CONF_DNAME_MAX + 1];
	struct eprobe             probes[2];
	unsigned                  nprobes;
	struct probe_health       health;
	bool                      agent_down;	/* latched by a load agent */
	char                      agent_reason[CHECK_REASON_MAX];
	bool                      has_load;
	double                    ewma;
	bool                      ramping;
	double                    ramp_start;
	/* under pool->lock */
	struct probe_result       *hist;
	size_t                    hist_head, hist_n;
	struct probe_counters     cnt;
};

struct epool {
	struct engine           *eng;
	size_t                   idx;
	const struct conf_pool  *cp;
	struct eserver          *servers;
	void                    *tls_ctx[2];
	bool                     dirty;
	pthread_mutex_t          lock;
};

struct admin_op {
	size_t            pool, server;
	enum pstate_admin st;
	struct admin_op  *next;
};

struct engine {
	const struct conf *conf;
	struct event_base *base;
	struct curlev     *cev;
	pthread_t          thr;
	int                tid;
	struct epool      *pools;
	struct pstate     *work;		/* private, never published */
	struct event      *publish_ev;
	struct event      *tick_ev;
	struct event      *admin_ev;
	struct event      *stop_ev;
	struct rng         rng;
	struct log_rate    local_log;		/* engine thread only */
	unsigned           nramping;
	/* under probe_lock */
	struct admin_op   *ops;
	uint64_t           admin_req, admin_done;
};

static pthread_mutex_t probe_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t  probe_cond = PTHREAD_COND_INITIALIZER;
static struct engine  *probe_eng;
static pthread_once_t  probe_once = PTHREAD_ONCE_INIT;

/* ---------------------------------------------------------------- pure */

int
probe_health_feed(struct probe_health *h, bool ok, unsigned rise,
    unsigned fall)
{
	if (rise == 0)
		rise = 1;
	if (fall == 0)
		fall = 1;
	if (ok) {
		h->nfail = 0;
		if (h->nok < UINT_MAX)
			h->nok++;
		if (!h->up && h->nok >= rise) {
			h->up = true;
			return 1;
		}
	} else {
		h->nok = 0;
		if (h->nfail < UINT_MAX)
			h->nfail++;
		if (h->up && h->nfail >= fall) {
			h->up = false;
			return -1;
		}
	}
	return 0;
}

double
probe_ewma(double prev, double sample, double alpha, bool first)
{
	if (first)
		return sample;
	if (!(alpha > 0) || alpha > 1)
		alpha = 1;
	return prev + alpha * (sample - prev);
}

double
probe_load_factor(double load, double low, double high)
{
	if (load < 0 || isnan(load))
		return 1.0;
	if (load <= low)
		return 1.0;
	if (load >= high)
		return 0.0;
	return (high - load) / (high - low);
}

double
probe_slowstart_factor(double elapsed, double slowstart)
{
	double f;

	if (slowstart <= 0 || elapsed >= slowstart)
		return 1.0;
	if (elapsed < 0)
		elapsed = 0;
	f = 0.1 + 0.9 * elapsed / slowstart;
	return f > 1.0 ? 1.0 : f;
}

/* ---------------------------------------------------------------- publish */

static struct pstate_server *
ps_server(struct eserver *sv)
{
	return &sv->pool->eng->work->pools[sv->pool->idx].servers[sv->idx];
}

static void
eng_publish_now(struct engine *e)
{
	struct pstate *ps;
	size_t i;

	if (evtimer_pending(e->publish_ev, NULL))
		evtimer_del(e->publish_ev);
	for (i = 0; i < e->conf->npools; i++) {
		if (!e->pools[i].dirty)
			continue;
		pstate_pool_update(&e->work->pools[i], &e->conf->pools[i]);
		e->pools[i].dirty = false;
	}
	if ((ps = pstate_clone(e->work)) == NULL) {
		log_warnx("probe: out of memory publishing the pool state");
		return;
	}
	pstate_publish(ps);
	e->work->gen = ps->gen;
}

static void
eng_publish_cb(evutil_socket_t fd, short what, void *arg)
{
	eng_publish_now(arg);
}

static void
eng_dirty(struct epool *p)
{
	struct timeval tv = { 0, ENGINE_PUBLISH_DELAY_US };

	p->dirty = true;
	if (!evtimer_pending(p->eng->publish_ev, NULL))
		evtimer_add(p->eng->publish_ev, &tv);
}

/* ---------------------------------------------------------------- results */

static void
eng_history(struct eserver *sv, struct eprobe *p,
    const struct check_result *r, double latency)
{
	struct probe_result *h;

	pthread_mutex_lock(&sv->pool->lock);
	h = &sv->hist[sv->hist_head];
	h->time_ms = clock_unix_ms();
	h->ok = r->ok;
	h->latency_us = latency > 4000 ? UINT32_MAX : (uint32_t)(latency * 1e6);
	snprintf(h->reason, sizeof(h->reason), "%.79s", r->reason);
	sv->hist_head = (sv->hist_head + 1) % PROBE_HISTORY;
	if (sv->hist_n < PROBE_HISTORY)
		sv->hist_n++;
	if (r->ok)
		sv->cnt.ok++;
	else
		sv->cnt.failed++;
	pthread_mutex_unlock(&sv->pool->lock);
}

/* The check failed for want of descriptors or memory on this host:
 * nothing was learnt about the server, so its state stays as it is. */
static void
eng_local(struct eprobe *p, const struct check_result *r)
{
	struct eserver *sv = p->sv;
	struct engine *e = sv->pool->eng;

	p->cnt.local++;
	pthread_mutex_lock(&sv->pool->lock);
	sv->cnt.local++;
	pthread_mutex_unlock(&sv->pool->lock);
	if (log_rate_ok(&e->local_log, ENGINE_LOCAL_LOG, ENGINE_LOCAL_WHAT))
		log_errx("probe: pool %s server %s: %s: this host is short of "
		    "descriptors or memory; the server's state is kept",
		    sv->pool->cp->name, sv->cs->name, r->reason);
}

/* A DANE verdict: the state for the status page, mismatches counted. */
static void
eng_dane(struct eprobe *p, struct pstate_server *s,
    const struct check_result *r)
{
	struct eserver *sv = p->sv;
	const char *reason = r->dane_state == PSTATE_DANE_MATCH ? "" :
	    r->dane_reason;

	if (r->dane_state == PSTATE_DANE_MISMATCH) {
		p->cnt.dane_mismatches++;
		pthread_mutex_lock(&sv->pool->lock);
		sv->cnt.dane_mismatches++;
		pthread_mutex_unlock(&sv->pool->lock);
	}
	if (r->dane_state != s->dane_state && r->dane_state == PSTATE_DANE_MATCH)
		log_info("pool %s server %s DANE match: %s", sv->pool->cp->name,
		    sv->cs->name, r->dane_match);
	else if (r->dane_state != s->dane_state &&
	    strncmp(reason, "DANE", 4) == 0)
		log_info("pool %s server %s %s", sv->pool->cp->name,
		    sv->cs->name, reason);
	else if (r->dane_state != s->dane_state)
		log_info("pool %s server %s DANE %s: %s", sv->pool->cp->name,
		    sv->cs->name, pstate_dane_name(r->dane_state), reason);
	if (r->dane_state == s->dane_state &&
	    strcmp(s->dane_match, r->dane_match) == 0 &&
	    strncmp(s->dane_reason, reason, sizeof(s->dane_reason) - 1) == 0)
		return;
	s->dane_state = r->dane_state;
	snprintf(s->dane_match, sizeof(s->dane_match), "%s", r->dane_match);
	snprintf(s->dane_reason, sizeof(s->dane_reason), "%s", reason);
	eng_dirty(sv->pool);
}

static void
eng_apply(struct eprobe *p, const struct check_result *r, double latency)
{
	struct eserver *sv = p->sv;
	struct epool *pool = sv->pool;
	const struct conf_pool *cp = pool->cp;
	struct pstate_server *s = ps_server(sv);
	bool ok = r->ok;
	const char *reason = r->reason;
	int tr;

	if (!r->ok && r->local) {
		eng_local(p, r);
		return;
	}
	if (r->ok)
		p->cnt.ok++;
	else
		p->cnt.failed++;
	if (p->counts)
		eng_history(sv, p, r, latency);

	if (r->cert_days != INT32_MIN && r->cert_days != s->cert_days) {
		s->cert_days = r->cert_days;
		eng_dirty(pool);
	}
	if (r->dane_state != PSTATE_DANE_NONE)
		eng_dane(p, s, r);
	if (r->has_load) {
		double f;

		sv->ewma = probe_ewma(sv->ewma, r->load, cp->load_smoothing,
		    !sv->has_load);
		sv->has_load = true;
		f = probe_load_factor(sv->ewma, cp->load_low, cp->load_high);
		if (fabs(s->load - sv->ewma) > 1e-9 || s->load_factor != f) {
			s->load = sv->ewma;
			s->load_factor = f;
			eng_dirty(pool);
		}
	}
	if (r->agent_admin != CHECK_AGENT_NONE) {
		uint8_t a = r->agent_admin == CHECK_AGENT_DRAIN ? PSTATE_ADMIN_DRAIN :
		    r->agent_admin == CHECK_AGENT_MAINT ? PSTATE_ADMIN_MAINT :
		    PSTATE_ADMIN_ENABLED;

		if (a != s->agent_admin) {
			log_info("pool %s server %s agent %s", cp->name,
			    sv->cs->name, a == PSTATE_ADMIN_DRAIN ? "drain" :
			    a == PSTATE_ADMIN_MAINT ? "maint" : "ready");
			s->agent_admin = a;
			eng_dirty(pool);
		}
	}

	/* What feeds rise/fall: the health probe; a separate load probe
	 * only through an agent's "down" (a failed check, and latched so
	 * that the health probe's successes do not undo it), or, when the
	 * pool has no health probe, through every agent reply. */
	if (p->is_load) {
		if (r->ok || r->agent_down)
			sv->agent_down = r->agent_down;
		if (r->agent_down)
			snprintf(sv->agent_reason, sizeof(sv->agent_reason), "%s",
			    r->reason);
		if (!r->agent_down &&
		    !(cp->probe.type == CONF_PROBE_NONE && r->ok))
			return;
	} else if (ok && sv->agent_down) {
		ok = false;
		reason = sv->agent_reason;
	}
	if (s->admin == PSTATE_ADMIN_MAINT)
		return;
	if (strcmp(s->reason, ok ? "" : reason) != 0) {
		snprintf(s->reason, sizeof(s->reason), "%s", ok ? "" : reason);
		eng_dirty(pool);
	}
	tr = probe_health_feed(&sv->health, ok, p->cp->rise, p->cp->fall);
	if (tr == 0)
		return;
	s->up = sv->health.up;
	s->transitions++;
	s->since_ms = clock_unix_ms();
	if (tr < 0) {
		log_info("pool %s server %s DOWN: %s (%u consecutive failure%s)",
		    cp->name, sv->cs->name, reason, sv->health.nfail,
		    sv->health.nfail == 1 ? "" : "s");
		if (sv->ramping) {
			sv->ramping = false;
			pool->eng->nramping--;
		}
		s->slowstart_factor = 1.0;
	} else {
		log_info("pool %s server %s UP: %u consecutive success%s",
		    cp->name, sv->cs->name, sv->health.nok,
		    sv->health.nok == 1 ? "" : "es");
		if (cp->slowstart > 0) {
			if (!sv->ramping)
				pool->eng->nramping++;
			sv->ramping = true;
			sv->ramp_start = clock_mono();
			s->slowstart_factor = probe_slowstart_factor(0, cp->slowstart);
		}
	}
	/* publish at the end of this loop iteration: a health change goes
	 * out at once, yet a burst (a switch died) makes one snapshot */
	{
		struct timeval zero = { 0, 0 };

		pool->dirty = true;
		evtimer_add(pool->eng->publish_ev, &zero);
	}
}

static void
eng_check_done(void *arg, const struct check_result *r)
{
	struct eprobe *p = arg;

	p->h = NULL;
	evtimer_del(&p->tmo);
	eng_apply(p, r, clock_mono() - p->started);
}

static void
eng_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct eprobe *p = arg;
	struct check_result r;
	char why[64] = "";
	double t = p->cp->timeout;

	if (p->h == NULL)
		return;
	p->ops->cancel(p->h, why, sizeof(why));
	p->h = NULL;
	check_result_init(&r);
	check_fail(&r, t < 1 ? "timeout after %.2fs %s" : "timeout after %.1fs %s",
	    t, why);
	eng_apply(p, &r, clock_mono() - p->started);
}

static void
eng_start_check(struct eprobe *p, double now)
{
	struct engine *e = p->sv->pool->eng;
	struct check_req *q = &p->req;
	struct check_result r;
	void *h;

	memset(q, 0, sizeof(*q));
	q->base = e->base;
	q->cev = e->cev;
	q->tls_ctx = p->tls_ctx;
	q->cp = p->cp;
	q->sa = (const struct sockaddr *)&p->ss;
	q->salen = p->sslen;
	q->addr_text = p->sv->addr;
	q->port = p->port;
	q->name = p->sv->cs->name;
	q->tls_host = p->sv->tls_host[0] ? p->sv->tls_host : NULL;
	if (!p->is_load && p->sv->dane_mode != PSTATE_DANE_OFF) {
		q->dane.mode = p->sv->dane_mode;
		q->dane.tlsa = p->sv->tlsa;
		q->dane.tlsa_len = p->sv->tlsa_len;
		q->dane.tlsa_count = p->sv->tlsa_count;
		q->dane.host = p->sv->dane_host;
	}
	q->done = eng_check_done;
	q->arg = p;
	p->started = now;
	if ((h = p->ops->start(q)) == NULL) {
		check_result_init(&r);
		check_fail(&r, "%s", q->err[0] ? q->err : "cannot start");
		r.local = q->err_local;
		eng_apply(p, &r, 0);
		return;
	}
	p->h = h;
	evtimer_add(&p->tmo, p->tmo_tv);
}

static void
eng_round_cb(evutil_socket_t fd, short what, void *arg)
{
	struct eprobe *p = arg;
	struct eserver *sv = p->sv;
	struct engine *e = sv->pool->eng;
	double now = clock_mono(), iv = p->cp->interval;
	struct timeval tv;
	bool late = now - p->due > 0.1 * iv, skipped = p->h != NULL;

	if (late)
		p->cnt.late++;
	if (skipped)
		p->cnt.skipped++;
	if (p->counts && (late || skipped)) {
		pthread_mutex_lock(&sv->pool->lock);
		sv->cnt.late += late;
		sv->cnt.skipped += skipped;
		pthread_mutex_unlock(&sv->pool->lock);
	}
	p->due += iv * (0.9 + 0.2 * rng_double(&e->rng));
	if (p->due < now)
		p->due = now;
	tv = clock_tv(p->due - now);
	evtimer_add(&p->timer, &tv);
	if (!skipped)
		eng_start_check(p, now);
}

static void
eng_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct engine *e = arg;
	double now;
	size_t i, j;

	log_rate_flush(&e->local_log, ENGINE_LOCAL_LOG, ENGINE_LOCAL_WHAT);
	if (e->nramping == 0)
		return;
	now = clock_mono();
	for (i = 0; i < e->conf->npools; i++) {
		struct epool *pool = &e->pools[i];

		for (j = 0; j < pool->cp->nservers; j++) {
			struct eserver *sv = &pool->servers[j];
			struct pstate_server *s;
			double f;

			if (!sv->ramping)
				continue;
			s = ps_server(sv);
			f = probe_slowstart_factor(now - sv->ramp_start,
			    pool->cp->slowstart);
			if (f >= 1.0) {
				sv->ramping = false;
				e->nramping--;
			}
			if (f >= 1.0 || f - s->slowstart_factor >= ENGINE_SS_STEP) {
				s->slowstart_factor = f;
				eng_dirty(pool);
			}
		}
	}
}

static void
eng_admin_cb(evutil_socket_t fd, short what, void *arg)
{
	struct engine *e = arg;
	struct admin_op *op, *next;
	uint64_t upto;

	pthread_mutex_lock(&probe_lock);
	/* the queue is newest first: reverse so the last request wins */
	for (op = e->ops, e->ops = NULL; op != NULL; op = next) {
		next = op->next;
		op->next = e->ops;
		e->ops = op;
	}
	op = e->ops;
	e->ops = NULL;
	upto = e->admin_req;
	pthread_mutex_unlock(&probe_lock);
	for (; op != NULL; op = next) {
		struct epool *pool = &e->pools[op->pool];
		struct pstate_server *s = &e->work->pools[op->pool].servers[op->server];

		next = op->next;
		if (s->admin != op->st) {
			log_info("pool %s server %s admin %s", pool->cp->name,
			    pool->cp->servers[op->server].name,
			    op->st == PSTATE_ADMIN_DRAIN ? "drain" :
			    op->st == PSTATE_ADMIN_MAINT ? "maint" : "enabled");
			s->admin = (uint8_t)op->st;
			pool->dirty = true;
		}
		free(op);
	}
	eng_publish_now(e);
	pthread_mutex_lock(&probe_lock);
	e->admin_done = upto;
	pthread_cond_broadcast(&probe_cond);
	pthread_mutex_unlock(&probe_lock);
}

static void
eng_stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct engine *e = arg;

	event_base_loopbreak(e->base);
}

/* ---------------------------------------------------------------- setup */

static void
eng_global_init(void)
{
	evthread_use_pthreads();
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static uint16_t
eng_default_port(const struct conf_probe *cp)
{
	if (cp->port != 0)
		return cp->port;
	switch (cp->type) {
	case CONF_PROBE_HTTP:	return 80;
	case CONF_PROBE_AGENT:	return 8900;
	default:		return 25;
	}
}

static const struct check_ops *
eng_ops(enum conf_probe_type t)
{
	switch (t) {
	case CONF_PROBE_SMTP:	return &check_smtp_ops;
	case CONF_PROBE_TCP:	return &check_tcp_ops;
	case CONF_PROBE_HTTP:	return &check_http_ops;
	case CONF_PROBE_AGENT:	return &check_agent_ops;
	default:		return NULL;
	}
}

static int
eng_probe_init(struct engine *e, struct epool *pool, struct eserver *sv,
    const struct conf_probe *cp, bool is_load, int slot, double now)
{
	struct eprobe *p = &sv->probes[sv->nprobes];
	const struct conf_ip *ip = conf_server_target(sv->cs);
	struct timeval tv;

	p->sv = sv;
	p->cp = cp;
	p->ops = eng_ops(cp->type);
	p->is_load = is_load;
	p->tls_ctx = pool->tls_ctx[slot];
	/* probe_port is the health probe's (conf.h): the load probe's
	 * service has its own port */
	p->port = !is_load && sv->cs->probe_port != 0 ? sv->cs->probe_port :
	    eng_default_port(cp);
	if (p->ops == NULL || ip == NULL)
		return 0;
	p->sslen = conf_ip_sockaddr(ip, p->port, &p->ss);
	tv = clock_tv(cp->timeout > 0 ? cp->timeout : 3.0);
	if ((p->tmo_tv = event_base_init_common_timeout(e->base, &tv)) == NULL)
	{
		p->tmo_own = tv;
		p->tmo_tv = &p->tmo_own;
	}
	evtimer_assign(&p->timer, e->base, eng_round_cb, p);
	evtimer_assign(&p->tmo, e->base, eng_timeout_cb, p);
	p->due = now + rng_double(&e->rng) * (cp->interval > 0 ? cp->interval : 5.0);
	tv = clock_tv(p->due - now);
	evtimer_add(&p->timer, &tv);
	sv->nprobes++;
	return 0;
}

static void
eng_raise_nofile(size_t nprobes)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)nprobes * 2 + 1024;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ?
	    want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		log_warn("probe: cannot raise the open files limit");
}

static void
eng_free(struct engine *e)
{
	size_t i, j;
	unsigned k;

	if (e == NULL)
		return;
	if (e->pools != NULL) {
		for (i = 0; i < e->conf->npools; i++) {
			struct epool *pool = &e->pools[i];

			if (pool->servers == NULL)
				continue;
			for (j = 0; j < pool->cp->nservers; j++) {
				struct eserver *sv = &pool->servers[j];

				for (k = 0; k < sv->nprobes; k++) {
					struct eprobe *p = &sv->probes[k];
					char why[64];

					if (p->h != NULL)
						p->ops->cancel(p->h, why, sizeof(why));
					event_del(&p->timer);
					event_del(&p->tmo);
				}
				free(sv->hist);
				free(sv->tlsa);
			}
			free(pool->servers);
			smtp_tls_ctx_free(pool->tls_ctx[0]);
			smtp_tls_ctx_free(pool->tls_ctx[1]);
			pthread_mutex_destroy(&pool->lock);
		}
		free(e->pools);
	}
	curlev_free(e->cev);
	if (e->publish_ev != NULL)
		event_free(e->publish_ev);
	if (e->tick_ev != NULL)
		event_free(e->tick_ev);
	if (e->admin_ev != NULL)
		event_free(e->admin_ev);
	if (e->stop_ev != NULL)
		event_free(e->stop_ev);
	while (e->ops != NULL) {
		struct admin_op *op = e->ops;

		e->ops = op->next;
		free(op);
	}
	if (e->base != NULL)
		event_base_free(e->base);
	pstate_free(e->work);
	free(e);
}

static void *
eng_thread(void *arg)
{
	struct engine *e = arg;
	sigset_t ss;

	/* a peer that resets mid-write must give EPIPE, not kill us
	 * (SIGPIPE goes to the writing thread) */
	sigemptyset(&ss);
	sigaddset(&ss, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &ss, NULL);
	rcu_register_thread();
	pthread_setname_np(pthread_self(), "mxs-probe");
	pthread_mutex_lock(&probe_lock);
	e->tid = (int)syscall(SYS_gettid);
	pthread_mutex_unlock(&probe_lock);
	event_base_dispatch(e->base);
	if (evtimer_pending(e->publish_ev, NULL))
		eng_publish_now(e);
	rcu_unregister_thread();
	return NULL;
}

/* State carried from a stopped engine to the next one (reload): matched by
 * pool and server name, so a reload neither forgets who is down nor resets
 * loads, slow starts and the history. */
struct carry {
	char                  pool[CONF_NAME_MAX + 1];
	char                  server[CONF_NAME_MAX + 1];
	struct pstate_server  st;
	struct probe_health   health;
	bool                  agent_down, has_load, ramping;
	char                  agent_reason[CHECK_REASON_MAX];
	double                ewma, ramp_start;
	struct probe_result  *hist;
	size_t                hist_head, hist_n;
	struct probe_counters cnt;
};
static struct carry *carry;
static size_t ncarry;

static int
carry_cmp(const void *a, const void *b)
{
	const struct carry *x = a, *y = b;
	int c = strcmp(x->pool, y->pool);

	return c != 0 ? c : strcmp(x->server, y->server);
}

static void
carry_free(void)
{
	size_t i;

	for (i = 0; i < ncarry; i++)
		free(carry[i].hist);
	free(carry);
	carry = NULL;
	ncarry = 0;
}

/* Engine stopped: keep every server's state (takes the history rings). */
static void
carry_save(struct engine *e)
{
	size_t i, j, n = 0, k = 0;

	carry_free();
	for (i = 0; i < e->conf->npools; i++)
		n += e->conf->pools[i].nservers;
	if (n == 0 || (carry = calloc(n, sizeof(*carry))) == NULL)
		return;
	for (i = 0; i < e->conf->npools; i++) {
		struct epool *pool = &e->pools[i];

		for (j = 0; j < pool->cp->nservers; j++) {
			struct eserver *sv = &pool->servers[j];
			struct carry *c = &carry[k++];

			snprintf(c->pool, sizeof(c->pool), "%s", pool->cp->name);
			snprintf(c->server, sizeof(c->server), "%s", sv->cs->name);
			c->st = e->work->pools[i].servers[j];
			c->health = sv->health;
			c->agent_down = sv->agent_down;
			memcpy(c->agent_reason, sv->agent_reason,
			    sizeof(c->agent_reason));
			c->has_load = sv->has_load;
			c->ewma = sv->ewma;
			c->ramping = sv->ramping;
			c->ramp_start = sv->ramp_start;
			c->hist = sv->hist;
			c->hist_head = sv->hist_head;
			c->hist_n = sv->hist_n;
			c->cnt = sv->cnt;
			sv->hist = NULL;
		}
	}
	ncarry = k;
	qsort(carry, ncarry, sizeof(*carry), carry_cmp);
}

/* A new engine's server: take the old state if the names match. */
static void
carry_restore(struct engine *e, struct epool *pool, struct eserver *sv)
{
	struct carry key, *c;
	struct pstate_server *s;

	if (ncarry == 0)
		return;
	snprintf(key.pool, sizeof(key.pool), "%s", pool->cp->name);
	snprintf(key.server, sizeof(key.server), "%s", sv->cs->name);
	if ((c = bsearch(&key, carry, ncarry, sizeof(*carry), carry_cmp)) == NULL ||
	    c->hist == NULL)
		return;
	s = ps_server(sv);
	s->up = c->st.up;
	s->admin = c->st.admin;
	s->agent_admin = c->st.agent_admin;
	s->transitions = c->st.transitions;
	s->since_ms = c->st.since_ms;
	s->cert_days = c->st.cert_days;
	memcpy(s->reason, c->st.reason, sizeof(s->reason));
	sv->health = c->health;
	sv->agent_down = c->agent_down;
	memcpy(sv->agent_reason, c->agent_reason, sizeof(sv->agent_reason));
	sv->has_load = c->has_load;
	sv->ewma = c->ewma;
	if (c->has_load) {
		s->load = c->ewma;
		s->load_factor = probe_load_factor(c->ewma, pool->cp->load_low,
		    pool->cp->load_high);
	}
	if (c->ramping && s->up && pool->cp->slowstart > 0) {
		sv->ramping = true;
		sv->ramp_start = c->ramp_start;
		e->nramping++;
		s->slowstart_factor = probe_slowstart_factor(
		    clock_mono() - c->ramp_start, pool->cp->slowstart);
	}
	free(sv->hist);
	sv->hist = c->hist;
	sv->hist_head = c->hist_head;
	sv->hist_n = c->hist_n;
	sv->cnt = c->cnt;
	c->hist = NULL;
}

/* Server cs's DANE: the mode in effect, its TLSA records copied, the
 * first state. \retval 0, -1 out of memory */
static int
eng_dane_init(struct eserver *sv, const struct conf_pool *cp,
    const struct conf_server *cs, struct pstate_server *s)
{
	unsigned usable, ignored;
	enum pstate_dane_mode mode = smtp_dane_mode(cp, cs, &usable, &ignored);
	size_t n;

	s->dane_mode = (uint8_t)mode;
	s->dane_tlsa = (uint16_t)usable;
	s->dane_unusable = (uint16_t)ignored;
	s->dane_state = mode == PSTATE_DANE_OFF ? PSTATE_DANE_NONE :
	    usable > 0 ? PSTATE_DANE_UNKNOWN : PSTATE_DANE_NO_TLSA;
	if (mode == PSTATE_DANE_OFF || usable == 0)
		return 0;	/* PKIX, as configured */
	if ((sv->tlsa = malloc(cs->tlsa_len)) == NULL)
		return -1;
	memcpy(sv->tlsa, cs->tlsa, cs->tlsa_len);
	sv->tlsa_len = cs->tlsa_len;
	sv->tlsa_count = cs->tlsa_count;
	sv->dane_mode = (uint8_t)mode;
	if (cs->tlsa_host != NULL) {
		snprintf(sv->dane_host, sizeof(sv->dane_host), "%s",
		    cs->tlsa_host);
		n = strlen(sv->dane_host);
		if (n > 1 && sv->dane_host[n - 1] == '.')
			sv->dane_host[n - 1] = '\0';
	}
	return 0;
}

static bool
eng_dane_any(const struct epool *pool)
{
	size_t j;

	for (j = 0; j < pool->cp->nservers; j++)
		if (pool->servers[j].dane_mode != PSTATE_DANE_OFF)
			return true;
	return false;
}

int
probe_engine_start(const struct conf *conf)
{
	struct engine *e;
	struct timeval tick = { 0, ENGINE_TICK_US };
	struct pstate *ps;
	size_t i, j, nprobes = 0;
	double now;

	pthread_once(&probe_once, eng_global_init);
	if (probe_eng != NULL) {
		log_warnx("probe: engine already running");
		return -1;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL)
		goto oom;
	e->conf = conf;
	rng_init(&e->rng);
	if ((e->base = event_base_new()) == NULL)
		goto oom;
	if ((e->work = pstate_new(conf)) == NULL)
		goto oom;
	if ((e->cev = curlev_new(e->base)) == NULL)
		goto fail;
	e->publish_ev = evtimer_new(e->base, eng_publish_cb, e);
	e->tick_ev = event_new(e->base, -1, EV_PERSIST, eng_tick_cb, e);
	e->admin_ev = event_new(e->base, -1, 0, eng_admin_cb, e);
	e->stop_ev = event_new(e->base, -1, 0, eng_stop_cb, e);
	if (e->publish_ev == NULL || e->tick_ev == NULL || e->admin_ev == NULL ||
	    e->stop_ev == NULL)
		goto oom;
	event_add(e->tick_ev, &tick);
	if ((e->pools = calloc(conf->npools + 1, sizeof(*e->pools))) == NULL)
		goto oom;
	now = clock_mono();
	for (i = 0; i < conf->npools; i++) {
		struct epool *pool = &e->pools[i];
		const struct conf_pool *cp = &conf->pools[i];
		int64_t t0 = clock_unix_ms();

		pool->eng = e;
		pool->idx = i;
		pool->cp = cp;
		pthread_mutex_init(&pool->lock, NULL);
		if ((pool->servers = calloc(cp->nservers + 1,
		    sizeof(*pool->servers))) == NULL)
			goto oom;
		for (j = 0; j < cp->nservers; j++)
			if (eng_dane_init(&pool->servers[j], cp, &cp->servers[j],
			    &e->work->pools[i].servers[j]) != 0)
				goto oom;
		if ((cp->probe.type == CONF_PROBE_SMTP) &&
		    (cp->probe.starttls || cp->probe.starttls_required ||
		    eng_dane_any(pool)))
			pool->tls_ctx[0] = smtp_tls_ctx_new(&cp->probe);
		for (j = 0; j < cp->nservers; j++) {
			struct eserver *sv = &pool->servers[j];
			const struct conf_ip *ip;
			const char *th;

			sv->pool = pool;
			sv->idx = j;
			sv->cs = &cp->servers[j];
			sv->health.up = true;
			e->work->pools[i].servers[j].since_ms = t0;
			if ((sv->hist = calloc(PROBE_HISTORY,
			    sizeof(*sv->hist))) == NULL)
				goto oom;
			if ((ip = conf_server_target(sv->cs)) != NULL)
				snprintf(sv->addr, sizeof(sv->addr), "%s", ip->text);
			th = cp->probe.tls_hostname;
			if (th == NULL && sv->cs->host != NULL &&
			    sv->cs->host[0] != '\0' &&
			    sv->cs->host[strlen(sv->cs->host) - 1] == '.')
				th = sv->cs->host;
			if (th != NULL) {
				snprintf(sv->tls_host, sizeof(sv->tls_host), "%s", th);
				if (sv->tls_host[0] != '\0' &&
				    sv->tls_host[strlen(sv->tls_host) - 1] == '.')
					sv->tls_host[strlen(sv->tls_host) - 1] = '\0';
			}
			carry_restore(e, pool, sv);
			if (cp->probe.type != CONF_PROBE_NONE &&
			    eng_probe_init(e, pool, sv, &cp->probe, false, 0, now) == -1)
				goto fail;
			if (cp->has_load && cp->load.type != CONF_PROBE_NONE &&
			    eng_probe_init(e, pool, sv, &cp->load, true, 1, now) == -1)
				goto fail;
			if (sv->nprobes > 0)
				sv->probes[0].counts = true;
			nprobes += sv->nprobes;
		}
	}
	carry_free();
	for (i = 0; i < conf->npools; i++)
		pstate_pool_update(&e->work->pools[i], &conf->pools[i]);
	eng_raise_nofile(nprobes);
	if ((ps = pstate_clone(e->work)) == NULL)
		goto oom;
	pstate_publish(ps);
	e->work->gen = ps->gen;
	if (pthread_create(&e->thr, NULL, eng_thread, e) != 0) {
		log_warnx("probe: cannot start the engine thread");
		goto fail;
	}
	pthread_mutex_lock(&probe_lock);
	probe_eng = e;
	pthread_mutex_unlock(&probe_lock);
	return 0;
oom:
	log_warnx("probe: out of memory");
fail:
	eng_free(e);
	return -1;
}

void
probe_engine_stop(void)
{
	struct engine *e;

	pthread_mutex_lock(&probe_lock);
	e = probe_eng;
	probe_eng = NULL;
	pthread_mutex_unlock(&probe_lock);
	if (e == NULL)
		return;
	event_active(e->stop_ev, EV_READ, 0);
	pthread_join(e->thr, NULL);
	carry_save(e);
	eng_free(e);
}

/* ---------------------------------------------------------------- readers */

size_t
probe_history(size_t pool, size_t server, struct probe_result *out,
    size_t max)
{
	struct eserver *sv;
	size_t n = 0, start, i;

	pthread_mutex_lock(&probe_lock);
	if (probe_eng == NULL || pool >= probe_eng->conf->npools ||
	    server >= probe_eng->conf->pools[pool].nservers)
		goto out;
	sv = &probe_eng->pools[pool].servers[server];
	pthread_mutex_lock(&sv->pool->lock);
	n = sv->hist_n < max ? sv->hist_n : max;
	start = (sv->hist_head + PROBE_HISTORY - n) % PROBE_HISTORY;
	for (i = 0; i < n; i++)
		out[i] = sv->hist[(start + i) % PROBE_HISTORY];
	pthread_mutex_unlock(&sv->pool->lock);
out:
	pthread_mutex_unlock(&probe_lock);
	return n;
}

void
probe_get_counters(size_t pool, size_t server, struct probe_counters *out)
{
	struct eserver *sv;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&probe_lock);
	if (probe_eng != NULL && pool < probe_eng->conf->npools &&
	    server < probe_eng->conf->pools[pool].nservers) {
		sv = &probe_eng->pools[pool].servers[server];
		pthread_mutex_lock(&sv->pool->lock);
		*out = sv->cnt;
		pthread_mutex_unlock(&sv->pool->lock);
	}
	pthread_mutex_unlock(&probe_lock);
}

void
probe_get_totals(struct probe_counters *out)
{
	size_t i, j;
	unsigned k;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&probe_lock);
	if (probe_eng == NULL)
		goto out;
	for (i = 0; i < probe_eng->conf->npools; i++) {
		struct epool *pool = &probe_eng->pools[i];

		pthread_mutex_lock(&pool->lock);
		for (j = 0; j < pool->cp->nservers; j++) {
			struct eserver *sv = &pool->servers[j];

			/* per-probe counters are written by the engine
			 * thread without the lock: good enough for totals */
			for (k = 0; k < sv->nprobes; k++) {
				const struct probe_counters *c = &sv->probes[k].cnt;

				out->ok += __atomic_load_n(&c->ok, __ATOMIC_RELAXED);
				out->failed += __atomic_load_n(&c->failed, __ATOMIC_RELAXED);
				out->skipped += __atomic_load_n(&c->skipped, __ATOMIC_RELAXED);
				out->late += __atomic_load_n(&c->late, __ATOMIC_RELAXED);
				out->local += __atomic_load_n(&c->local, __ATOMIC_RELAXED);
			}
		}
		pthread_mutex_unlock(&pool->lock);
	}
out:
	pthread_mutex_unlock(&probe_lock);
}

int
probe_engine_tid(void)
{
	int tid = 0;

	pthread_mutex_lock(&probe_lock);
	if (probe_eng != NULL)
		tid = probe_eng->tid;
	pthread_mutex_unlock(&probe_lock);
	return tid;
}

int
probe_set_admin(size_t pool, size_t server, enum pstate_admin st)
{
	struct admin_op *op;
	struct engine *e;
	struct timespec dl;
	uint64_t mine;
	int rc = -1;

	if ((op = calloc(1, sizeof(*op))) == NULL)
		return -1;
	op->pool = pool;
	op->server = server;
	op->st = st;
	pthread_mutex_lock(&probe_lock);
	e = probe_eng;
	if (e == NULL || pool >= e->conf->npools ||
	    server >= e->conf->pools[pool].nservers ||
	    (st != PSTATE_ADMIN_ENABLED && st != PSTATE_ADMIN_DRAIN &&
	    st != PSTATE_ADMIN_MAINT)) {
		free(op);
		goto out;
	}
	op->next = e->ops;
	e->ops = op;
	mine = ++e->admin_req;
	event_active(e->admin_ev, EV_READ, 0);
	/* Wait (bounded) until the new snapshot is out, so the caller can
	 * answer "done" truthfully. */
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 2;
	while (probe_eng == e && e->admin_done < mine)
		if (pthread_cond_timedwait(&probe_cond, &probe_lock, &dl) != 0)
			break;
	rc = 0;
out:
	pthread_mutex_unlock(&probe_lock);
	return rc;
}
