/* model.c - the status model: the snapshots copied once per request. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <urcu.h>

#include "dnsd/query.h"
#include "dnsd/base/clock.h"
#include "dnsd/dynsign.h"
#include "dnsd/relay/relay.h"
#include "dnsd/rrl.h"
#include "dnsd/status/model.h"
#include "dnsd/status/selfcheck.h"
#include "dnsd/world.h"
#include "zones/sign.h"

void
status_model_free(struct status_model *m)
{
	size_t i, j;

	if (m == NULL)
		return;
	for (i = 0; i < m->npools; i++) {
		for (j = 0; j < m->pools[i].nservers; j++) {
			free(m->pools[i].servers[j].addrs);
			free(m->pools[i].servers[j].hist);
		}
		free(m->pools[i].servers);
	}
	free(m->pools);
	free(m->zones);
	free(m->rb);
	free(m);
}

/* One server out of the config, the pool state (pp, NULL: none) and the
 * share window (sh, NULL: none). \retval 0, -1 out of memory */
static int
model_server(struct status_server *ms, const struct conf_server *cs,
    const struct pstate_pool *pp, size_t j, const struct status_share *sh,
    size_t flat, struct status_pool *mp)
{
	size_t k;

	snprintf(ms->name, sizeof(ms->name), "%s", cs->name);
	ms->weight = cs->weight;
	ms->tier = cs->tier;
	ms->observed = -1;
	if (cs->probe_addr.family != 0)
		snprintf(ms->probe_addr, sizeof(ms->probe_addr), "%s",
		    cs->probe_addr.text);
	ms->probe_port = cs->probe_port;
	if (cs->naddrs > 0) {
		if ((ms->addrs = calloc(cs->naddrs, sizeof(*ms->addrs))) == NULL)
			return -1;
		ms->naddrs = cs->naddrs;
		for (k = 0; k < cs->naddrs; k++)
			snprintf(ms->addrs[k], sizeof(ms->addrs[k]), "%s",
			    cs->addrs[k].text);
	}
	if (pp != NULL) {
		ms->known = true;
		ms->ps = pp->servers[j];
		ms->ps.reason[sizeof(ms->ps.reason) - 1] = '\0';
		ms->target = pp->total_weight > 0 ?
		    ms->ps.eff_weight / pp->total_weight : 0;
	}
	if (sh != NULL && flat < sh->width) {
		/* the count for now; made a share once the pool's total is known */
		ms->has_first = true;
		ms->first = sh->now[flat];
		ms->observed = (double)(sh->now[flat] - sh->then[flat]);
		mp->window_first += sh->now[flat] - sh->then[flat];
	}
	return 0;
}

/* The DNSSEC state of zone z, inside the caller's read-side section (the
 * current dynamic set is an RCU pointer of its own). */
static void
model_dnssec(struct status_dnssec *md, const struct zone *z)
{
	const struct sign_zone *s = z->sec;
	const struct dynsign *d;
	size_t k;

	if (s == NULL)
		return;
	md->on = true;
	md->nkeys = s->nkeys < CONF_DNSSEC_MAXKEYS ? s->nkeys :
	    CONF_DNSSEC_MAXKEYS;
	for (k = 0; k < md->nkeys; k++) {
		md->keys[k].tag = s->keys[k].tag;
		md->keys[k].alg = s->keys[k].alg;
		md->keys[k].active = k == 0;	/* sign.h: keys[0] signs */
	}
	md->inception = s->inception;
	md->expiration = s->expiration;
	md->sigs = s->sigs;
	md->signed_at = (int64_t)s->signed_at;
	md->sign_ms = s->sign_ms;
	if (s->conf != NULL) {
		md->validity = s->conf->validity;
		md->refresh = s->conf->refresh;
	}
	md->ndyn = s->ndyn;
	if ((d = dynsign_get(z)) != NULL) {
		md->has_dyn = true;
		md->dyn_gen = d->gen;
		md->dyn_sigs = d->sigs;
		md->dyn_ms = d->ms;
		md->dyn_built_ms = d->built_ms;
	}
}

/* Everything read from the world and the pool state, inside the caller's
 * read-side section. \retval 0, -1 out of memory or no world */
static int
model_snapshot(struct status_model *m)
{
	const struct world *w = world_get();
	const struct pstate *ps = pstate_get();
	struct status_share share, *sh;
	size_t i, j, flat;

	if (w == NULL || w->conf == NULL)
		return -1;
	m->loaded = w->loaded;
	m->gen = ps != NULL ? ps->gen : 0;
	if (w->nzones > 0 &&
	    (m->zones = calloc(w->nzones, sizeof(*m->zones))) == NULL)
		return -1;
	m->nzones = w->nzones;
	for (i = 0; i < w->nzones; i++) {
		snprintf(m->zones[i].origin, sizeof(m->zones[i].origin), "%s",
		    w->zones[i]->origin_text != NULL ?
		    w->zones[i]->origin_text : "");
		m->zones[i].serial = w->zones[i]->serial;
		model_dnssec(&m->zones[i].dnssec, w->zones[i]);
		m->dnssec = m->dnssec || m->zones[i].dnssec.on;
	}
	if (w->conf->npools > 0 &&
	    (m->pools = calloc(w->conf->npools, sizeof(*m->pools))) == NULL)
		return -1;
	m->npools = w->conf->npools;
	sh = status_selfcheck_share(w, &share) ? &share : NULL;
	flat = 0;
	for (i = 0; i < m->npools; i++) {
		const struct conf_pool *cp = &w->conf->pools[i];
		const struct pstate_pool *pp = NULL;
		struct status_pool *mp = &m->pools[i];

		if (ps != NULL && i < ps->npools &&
		    ps->pools[i].nservers == cp->nservers)
			pp = &ps->pools[i];
		snprintf(mp->name, sizeof(mp->name), "%s", cp->name);
		mp->policy = cp->policy;
		mp->probe = cp->probe.type;
		mp->interval = cp->probe.interval;
		mp->has_load = cp->has_load;
		mp->load = cp->load.type;
		mp->known = pp != NULL;
		if (pp != NULL) {
			mp->nup = pp->nup;
			mp->degraded = pp->degraded;
			mp->total_weight = pp->total_weight;
		}
		if ((mp->servers = calloc(cp->nservers,
		    sizeof(*mp->servers))) == NULL)
			return -1;
		mp->nservers = cp->nservers;
		for (j = 0; j < cp->nservers; j++, flat++)
			if (model_server(&mp->servers[j], &cp->servers[j], pp, j,
			    sh, flat, mp) == -1)
				return -1;
	}
	if (w->conf->relay.enabled) {
		const struct conf_relay *r = &w->conf->relay;
		size_t off = 0;

		m->relay_configured = true;
		snprintf(m->relay_pool, sizeof(m->relay_pool), "%s", r->pool);
		for (i = 0; i < r->nlisten &&
		    off < sizeof(m->relay_conf_listen); i++)
			off += (size_t)snprintf(m->relay_conf_listen + off,
			    sizeof(m->relay_conf_listen) - off, "%s%s",
			    i ? " " : "", r->listen[i].text);
	}
	return 0;
}

/* A server's health checks, the newest max_hist of them. \retval 0, -1 */
static int
model_history(struct status_server *ms, size_t pool, size_t server,
    size_t max_hist)
{
	size_t k;

	if ((ms->hist = calloc(PROBE_HISTORY, sizeof(*ms->hist))) == NULL)
		return -1;
	ms->nhist = probe_history(pool, server, ms->hist, PROBE_HISTORY);
	if (ms->nhist > PROBE_HISTORY)
		ms->nhist = PROBE_HISTORY;
	for (k = 0; k < ms->nhist; k++)
		ms->hist[k].reason[sizeof(ms->hist[k].reason) - 1] = '\0';
	if (ms->nhist > max_hist) {
		memmove(ms->hist, ms->hist + (ms->nhist - max_hist),
		    max_hist * sizeof(*ms->hist));
		ms->nhist = max_hist;
	}
	return 0;
}

/* The relay as it runs; as configured only while it does not (a section
 * added by a reload waits for a restart). A relay whose section a reload
 * removed still relays, so it is still shown. */
static void
model_relay(struct status_model *m)
{
	size_t n, got;

	n = relay_get_stats(&m->rs, NULL, 0);
	if (n > 0 && (m->rb = calloc(n, sizeof(*m->rb))) != NULL) {
		/* a reload in between may have added backends */
		got = relay_get_stats(&m->rs, m->rb, n);
		m->nrb = got < n ? got : n;
	}
	if (m->rs.running) {
		m->relay = true;
		snprintf(m->relay_pool, sizeof(m->relay_pool), "%s",
		    m->rs.pool);
		snprintf(m->relay_listen, sizeof(m->relay_listen), "%s",
		    m->rs.listen);
		m->relay_pending = m->rs.pending;
	} else if (m->relay_configured) {
		m->relay = true;
		snprintf(m->relay_listen, sizeof(m->relay_listen), "%s",
		    m->relay_conf_listen);
		m->relay_pending = RELAY_PENDING_SECTION;
	}
}

struct status_model *
status_model_build(size_t max_hist, int64_t started_ms)
{
	struct status_model *m;
	size_t i, j;
	int rc;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->now_ms = clock_unix_ms();
	m->started_ms = started_ms;
	m->healthy = status_selfcheck_healthy(m->now_ms);
	m->share_window = STATUS_SHARE_WINDOW;
	rcu_read_lock();
	rc = model_snapshot(m);
	rcu_read_unlock();
	if (rc == -1)
		goto fail;

	/* Outside the read-side section: these take the probe engine's locks. */
	for (i = 0; i < m->npools; i++) {
		struct status_pool *mp = &m->pools[i];

		for (j = 0; j < mp->nservers; j++) {
			struct status_server *ms = &mp->servers[j];

			if (ms->has_first)
				ms->observed = mp->window_first > 0 ?
				    ms->observed / (double)mp->window_first : -1;
			else {
				ms->has_first = true;
				ms->first = query_first_pref(i, j);
			}
			probe_get_counters(i, j, &ms->cnt);
			if (max_hist > 0 && mp->probe != CONF_PROBE_NONE &&
			    model_history(ms, i, j, max_hist) == -1)
				goto fail;
		}
	}
	query_stats_sum(&m->stats);
	rrl_stats_get(&m->rrl);
	tcp_stats_get(&m->tcp);
	if (m->dnssec)
		dynsign_stats_get(&m->signer);
	status_reload_get(&m->reload);
	model_relay(m);
	return m;
fail:
	status_model_free(m);
	return NULL;
}
