/* pstate.c - pool-state snapshots: build, copy, publish with RCU. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "probes/pstate.h"

static struct pstate *pstate_current;
static uint64_t       pstate_gen;	/* last generation published */

static struct pstate *
pstate_alloc(size_t npools, const size_t *nservers)
{
	struct pstate *ps;
	size_t total = 0, i, size;
	struct pstate_server *sv;

	for (i = 0; i < npools; i++)
		total += nservers[i];
	size = sizeof(*ps) + npools * sizeof(struct pstate_pool) +
	    total * sizeof(struct pstate_server);
	if ((ps = calloc(1, size)) == NULL)
		return NULL;
	ps->npools = npools;
	ps->pools = (struct pstate_pool *)(ps + 1);
	sv = (struct pstate_server *)(ps->pools + npools);
	for (i = 0; i < npools; i++) {
		ps->pools[i].nservers = nservers[i];
		ps->pools[i].servers = sv;
		sv += nservers[i];
	}
	return ps;
}

struct pstate *
pstate_new(const struct conf *conf)
{
	struct pstate *ps;
	size_t *ns, i, j;

	if ((ns = calloc(conf->npools + 1, sizeof(*ns))) == NULL)
		return NULL;
	for (i = 0; i < conf->npools; i++)
		ns[i] = conf->pools[i].nservers;
	ps = pstate_alloc(conf->npools, ns);
	free(ns);
	if (ps == NULL)
		return NULL;
	for (i = 0; i < conf->npools; i++) {
		for (j = 0; j < ps->pools[i].nservers; j++) {
			struct pstate_server *s = &ps->pools[i].servers[j];

			s->up = true;
			s->admin = PSTATE_ADMIN_ENABLED;
			s->agent_admin = PSTATE_ADMIN_ENABLED;
			s->load = -1;
			s->load_factor = 1.0;
			s->slowstart_factor = 1.0;
			s->cert_days = INT32_MIN;
		}
		pstate_pool_update(&ps->pools[i], &conf->pools[i]);
	}
	return ps;
}

struct pstate *
pstate_clone(const struct pstate *src)
{
	struct pstate *ps;
	size_t *ns, i;

	if ((ns = calloc(src->npools + 1, sizeof(*ns))) == NULL)
		return NULL;
	for (i = 0; i < src->npools; i++)
		ns[i] = src->pools[i].nservers;
	ps = pstate_alloc(src->npools, ns);
	free(ns);
	if (ps == NULL)
		return NULL;
	ps->gen = src->gen + 1;
	for (i = 0; i < src->npools; i++) {
		struct pstate_server *keep = ps->pools[i].servers;

		ps->pools[i] = src->pools[i];
		ps->pools[i].servers = keep;
		memcpy(keep, src->pools[i].servers,
		    src->pools[i].nservers * sizeof(*keep));
	}
	return ps;
}

void
pstate_free(struct pstate *ps)
{
	free(ps);
}

void
pstate_pool_update(struct pstate_pool *pp, const struct conf_pool *cp)
{
	size_t j;

	pp->nup = 0;
	pp->degraded = false;
	pp->total_weight = 0;
	for (j = 0; j < pp->nservers && j < cp->nservers; j++) {
		struct pstate_server *s = &pp->servers[j];
		double w = 0;

		if (s->up && s->admin == PSTATE_ADMIN_ENABLED &&
		    s->agent_admin == PSTATE_ADMIN_ENABLED)
			w = (double)cp->servers[j].weight * s->load_factor *
			    s->slowstart_factor;
		s->eff_weight = w;
		if (w > 0) {
			pp->nup++;
			pp->total_weight += w;
		}
		if (!s->up || s->admin != PSTATE_ADMIN_ENABLED ||
		    s->agent_admin != PSTATE_ADMIN_ENABLED)
			pp->degraded = true;
	}
}

const struct pstate *
pstate_get(void)
{
	return rcu_dereference(pstate_current);
}

static void
pstate_free_rcu(struct rcu_head *head)
{
	pstate_free(caa_container_of(head, struct pstate, rcu));
}

void
pstate_publish(struct pstate *ps)
{
	struct pstate *old;

	/* Unique for the life of the process, whoever built the snapshot:
	 * (pointer, gen) identifies a snapshot even after its memory is
	 * reused by a later one. */
	ps->gen = __atomic_add_fetch(&pstate_gen, 1, __ATOMIC_RELAXED);
	old = rcu_xchg_pointer(&pstate_current, ps);
	if (old != NULL)
		call_rcu(&old->rcu, pstate_free_rcu);
}

void
pstate_shutdown(void)
{
	struct pstate *old;

	old = rcu_xchg_pointer(&pstate_current, NULL);
	if (old != NULL) {
		synchronize_rcu();
		pstate_free(old);
	}
}
