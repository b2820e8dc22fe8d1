/* table.c - relay backend tables: built from a config, refcounted, swapped
 * on reload, and the pool state read through the reload fence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <urcu.h>

#include "dnsd/base/clock.h"
#include "dnsd/base/log.h"
#include "dnsd/base/sock.h"
#include "dnsd/policy.h"
#include "dnsd/relay/table.h"

void
relay_table_unref(struct relay_table *t)
{
	if (t == NULL)
		return;
	if (__atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		free(t->pool.servers);
		free(t);
	}
}

struct relay_table *
relay_tables_get(struct relay_tables *ts)
{
	struct relay_table *t;

	pthread_mutex_lock(&ts->mtx);
	t = ts->cur;
	__atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&ts->mtx);
	return t;
}

/* The counters of server name in pool, created if absent; call under
 * ts->mtx. The pair is a server's identity across reloads. */
static struct relay_counters *
counters_get(struct relay_tables *ts, const char *pool, const char *name)
{
	struct relay_counters *c;

	for (c = ts->counters; c != NULL; c = c->next)
		if (strcmp(c->name, name) == 0 && strcmp(c->pool, pool) == 0)
			return c;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	snprintf(c->pool, sizeof(c->pool), "%s", pool);
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->next = ts->counters;
	ts->counters = c;
	return c;
}

/* Settings from the relay section (or, with prev, from the table before). */
static void
table_settings(struct relay_table *t, const struct conf_relay *rc,
    const struct relay_table *prev)
{
	if (prev != NULL) {
		t->port = prev->port;
		t->proxy = prev->proxy;
		t->policy = prev->policy;
		t->retries = prev->retries;
		t->connect_tv = prev->connect_tv;
		t->idle = prev->idle;
		t->idle_tv = prev->idle_tv;
		t->max_conn = prev->max_conn;
		t->max_per_source = prev->max_per_source;
		memcpy(t->hostname, prev->hostname, sizeof(t->hostname));
		return;
	}
	t->port = rc->port;
	t->proxy = rc->proxy_protocol;
	t->policy = rc->policy;
	t->retries = rc->retries;
	t->connect_tv = clock_tv(rc->connect_timeout > 0 ?
	    rc->connect_timeout : 5);
	t->idle = rc->idle_timeout > 0 ? rc->idle_timeout : 300;
	t->idle_tv = clock_tv(t->idle);
	t->max_conn = rc->max_connections;
	t->max_per_source = rc->max_per_source;
	if (rc->hostname != NULL)
		snprintf(t->hostname, sizeof(t->hostname), "%s", rc->hostname);
	else if (gethostname(t->hostname, sizeof(t->hostname) - 1) != 0)
		snprintf(t->hostname, sizeof(t->hostname), "localhost");
}

/*
 * The pool's order settings and servers, for policy_order(). Left out:
 * addresses (the backends have them), host names, and the relay host: it
 * is the last-resort MX of DNS answers (often this relay itself), never a
 * backend, so POLICY_F_RELAY never comes back for a table's pool.
 */
static int
table_pool(struct relay_table *t, const struct conf_pool *cp)
{
	size_t j, n = cp->nservers;

	if (n > POLICY_MAX_SERVERS)
		n = POLICY_MAX_SERVERS;
	if ((t->pool.servers = calloc(n + 1, sizeof(*t->pool.servers))) == NULL)
		return -1;
	t->pool.nservers = n;
	t->pool.policy = cp->policy;
	t->pool.min_up = cp->min_up;
	t->pool.all_down = cp->all_down;
	t->pool.max_mx = cp->max_mx;
	t->pool.max_addrs = cp->max_addrs;
	t->pool.pref_base = cp->pref_base;
	t->pool.pref_step = cp->pref_step;
	t->pool.line = cp->line;
	for (j = 0; j < n; j++) {
		struct conf_server *sv = &t->pool.servers[j];

		memcpy(sv->name, cp->servers[j].name, sizeof(sv->name));
		sv->weight = cp->servers[j].weight;
		sv->tier = cp->servers[j].tier;
		sv->line = cp->servers[j].line;
	}
	return 0;
}

/*
 * Build a table from conf: settings from conf->relay when it is enabled,
 * else from prev (a reload that dropped the relay section: the running
 * relay goes on); backends are the servers of the pool named by the
 * settings, found by name in conf. A pool that no longer exists leaves a
 * table without backends (clients get 421 4.3.2 until a restart).
 * \retval table  one reference, caller owns; NULL: logged
 */
static struct relay_table *
table_new(struct relay_tables *ts, const struct conf *conf,
    const struct relay_table *prev)
{
	const struct conf_relay *rc = &conf->relay;
	const struct conf_pool *pool;
	struct relay_table *t;
	size_t idx = SIZE_MAX, j, n = 0;
	bool own = rc->enabled || prev == NULL;
	const char *poolname = own ? rc->pool : prev->pool.name;

	if ((pool = conf_pool_find(conf, poolname, &idx)) != NULL)
		n = pool->nservers;
	if ((t = calloc(1, sizeof(*t) + (n + 1) * sizeof(t->be[0]))) == NULL) {
		log_warnx("relay: out of memory");
		return NULL;
	}
	t->refs = 1;
	snprintf(t->pool.name, sizeof(t->pool.name), "%s", poolname);
	table_settings(t, rc, own ? NULL : prev);
	t->pool_index = pool != NULL ? idx : SIZE_MAX;
	t->pool_nservers = n;
	t->nbe = n;
	if (pool == NULL) {
		log_warnx("relay: pool '%s' not found: no backends until the "
		    "pool is back or the relay restarts", poolname);
		return t;
	}
	if (table_pool(t, pool) != 0) {
		log_warnx("relay: out of memory");
		goto fail;
	}
	pthread_mutex_lock(&ts->mtx);
	for (j = 0; j < n; j++) {
		const struct conf_server *sv = &pool->servers[j];
		const struct conf_ip *ip;
		struct relay_backend *be = &t->be[j];

		be->fence_idx = -1;
		be->c = counters_get(ts, poolname, sv->name);
		/* where the probes found it healthy (probe_address behind
		 * NAT); the port stays the relay's: it names the backend
		 * service (often a PROXY smtpd), which probe_port does not */
		ip = conf_server_target(sv);
		if (be->c == NULL || ip == NULL) {
			pthread_mutex_unlock(&ts->mtx);
			log_warnx("relay: server '%s': %s", sv->name,
			    be->c == NULL ? "out of memory" : "no address");
			goto fail;
		}
		be->sslen = conf_ip_sockaddr(ip, t->port, &be->ss);
		sock_addr_text((struct sockaddr *)&be->ss, be->text,
		    sizeof(be->text));
	}
	pthread_mutex_unlock(&ts->mtx);
	return t;
fail:
	relay_table_unref(t);
	return NULL;
}

/*
 * Fence nt against the pool-state layout visible now, which is that of
 * old (or of old's own fence, if old never saw a newer snapshot): until a
 * different snapshot appears, nt reads health through fence_idx.
 */
static void
table_fence(struct relay_table *nt, const struct relay_table *old)
{
	const struct pstate *ps;
	size_t j, k, opool, on;
	bool oldfence;

	rcu_read_lock();
	ps = pstate_get();
	if (ps == NULL)
		goto out;	/* nothing visible: any snapshot is new */
	oldfence = __atomic_load_n(&old->fenced, __ATOMIC_ACQUIRE) &&
	    ps == old->fence_ps && ps->gen == old->fence_gen;
	opool = oldfence ? old->fence_pool_index : old->pool_index;
	on = oldfence ? old->fence_nservers : old->pool_nservers;
	nt->fence_ps = ps;
	nt->fence_gen = ps->gen;
	nt->fence_pool_index = opool;
	nt->fence_nservers = on;
	if (opool >= ps->npools || ps->pools[opool].nservers != on)
		nt->fence_nservers = 0;		/* no old health either */
	for (j = 0; j < nt->nbe; j++) {
		for (k = 0; k < old->nbe; k++) {
			if (old->be[k].c != nt->be[j].c)	/* same pool, name */
				continue;
			nt->be[j].fence_idx = oldfence ? old->be[k].fence_idx :
			    (long)k;
			break;
		}
	}
	nt->fenced = true;
out:
	rcu_read_unlock();
}

int
relay_tables_init(struct relay_tables *ts, const struct conf *conf)
{
	pthread_mutex_init(&ts->mtx, NULL);
	ts->counters = NULL;
	ts->cur = table_new(ts, conf, NULL);
	return ts->cur != NULL ? 0 : -1;
}

void
relay_tables_free(struct relay_tables *ts)
{
	relay_table_unref(ts->cur);
	ts->cur = NULL;
	while (ts->counters != NULL) {
		struct relay_counters *c = ts->counters;

		ts->counters = c->next;
		free(c);
	}
	pthread_mutex_destroy(&ts->mtx);
}

int
relay_tables_reload(struct relay_tables *ts, const struct conf *conf)
{
	struct relay_table *old, *nt;

	old = relay_tables_get(ts);
	if ((nt = table_new(ts, conf, old)) == NULL) {
		log_warnx("reload: relay keeps its previous backends");
		relay_table_unref(old);
		return -1;
	}
	table_fence(nt, old);
	pthread_mutex_lock(&ts->mtx);
	ts->cur = nt;
	pthread_mutex_unlock(&ts->mtx);
	log_info("relay: %zu backend%s in pool %s, port %u", nt->nbe,
	    nt->nbe == 1 ? "" : "s", nt->pool.name, nt->port);
	relay_table_unref(old);		/* ours */
	relay_table_unref(old);		/* the current pointer's */
	return 0;
}

/*
 * The snapshot visible now and whether it is the fenced (old) layout;
 * clears the fence when it is not. Inside rcu_read_lock().
 */
static const struct pstate *
table_snapshot(struct relay_table *t, bool *old)
{
	const struct pstate *ps;

	*old = false;
	/* The flag first: once another thread cleared it, that thread saw a
	 * newer snapshot, and so does this load. */
	if (!__atomic_load_n(&t->fenced, __ATOMIC_ACQUIRE))
		return pstate_get();
	ps = pstate_get();
	if (ps == t->fence_ps && ps != NULL && ps->gen == t->fence_gen)
		*old = true;
	else
		__atomic_store_n(&t->fenced, false, __ATOMIC_RELEASE);
	return ps;
}

void
relay_table_unfence(struct relay_table *t)
{
	bool old;

	if (!__atomic_load_n(&t->fenced, __ATOMIC_ACQUIRE))
		return;
	rcu_read_lock();
	(void)table_snapshot(t, &old);
	rcu_read_unlock();
}

const struct pstate_pool *
relay_table_state(struct relay_table *t, struct pstate_pool *view,
    struct pstate_server *sv, enum relay_state *why)
{
	const struct pstate *ps;
	const struct pstate_pool *pp;
	enum relay_state dummy;
	bool old;
	size_t j, pidx, nsv;

	if (why == NULL)
		why = &dummy;
	if ((ps = table_snapshot(t, &old)) == NULL) {
		*why = RELAY_STATE_NONE;
		return NULL;
	}
	pidx = old ? t->fence_pool_index : t->pool_index;
	nsv = old ? t->fence_nservers : t->pool_nservers;
	if (pidx >= ps->npools || ps->pools[pidx].nservers != nsv) {
		*why = RELAY_STATE_MISMATCH;
		return NULL;
	}
	*why = RELAY_STATE_OK;
	pp = &ps->pools[pidx];
	if (!old)
		return pp;
	/* The old layout, seen through the new positions. */
	memset(view, 0, sizeof(*view));
	view->servers = sv;
	view->nservers = t->pool.nservers;
	for (j = 0; j < t->pool.nservers; j++) {
		long i = t->be[j].fence_idx;

		memset(&sv[j], 0, sizeof(sv[j]));
		if (i >= 0 && (size_t)i < nsv) {
			sv[j] = pp->servers[i];
			if (sv[j].eff_weight > 0) {
				view->nup++;
				view->total_weight += sv[j].eff_weight;
			}
		}
		if (!(sv[j].eff_weight > 0))
			view->degraded = true;
	}
	return view;
}
