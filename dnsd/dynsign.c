/* dynsign.c - the signed variants of dynamic RRsets: built off the query path when the pool state changes (see dynsign.h). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define _LGPL_SOURCE
#include <urcu.h>

#include "dnsd/base/clock.h"
#include "dnsd/base/conf.h"
#include "dnsd/base/log.h"
#include "dnsd/base/rng.h"
#include "dnsd/base/wire.h"
#include "dnsd/dynsign.h"
#include "dnsd/policy.h"
#include "probes/pstate.h"
#include "zones/dnssec.h"
#include "zones/sign.h"
#include "zones/zone.h"

#define DS_WIRE_MAX 65535
#define DS_MAXREC   (POLICY_MAX_SERVERS + 1)

/* A signature made in this build, for the variants with the same set. */
struct signed_set {
	uint8_t  *key;		/* the records' rdata, sorted */
	size_t    keylen;
	uint8_t   sig[DNSSEC_RRSIG_MAX];
	uint16_t  siglen;
};

struct bctx {
	const struct conf  *conf;
	const struct zone  *z;
	const struct pstate *ps;
	struct rng         *rng;
	uint64_t            sigs;
	struct signed_set  *ss;
	size_t              nss, ass;
	uint8_t             rd[DS_WIRE_MAX];	/* count x (len, rdata) */
	uint8_t             wire[DS_WIRE_MAX];
	uint16_t            own[DS_MAXREC + 1];
};

static _Atomic uint64_t st_builds, st_failures, st_sigs;
static _Atomic int64_t st_last_at;
static _Atomic uint64_t st_last_us;

/* ------------------------------------------------------------------ */
/* one RRset */

static int
rec_cmp(const void *a, const void *b)
{
	const uint8_t *x = *(const uint8_t *const *)a;
	const uint8_t *y = *(const uint8_t *const *)b;
	size_t lx = wire_get16(x), ly = wire_get16(y);
	int c = memcmp(x + 2, y + 2, lx < ly ? lx : ly);

	return c != 0 ? c : (lx < ly ? -1 : lx > ly);
}

/* The signature of the records rd[0..rdlen) (count of them): one made
 * earlier in this build for the same set, or a new one. */
static const struct signed_set *
sign_records(struct bctx *b, const struct zone_node *n, uint16_t type,
    uint32_t ttl, size_t rdlen, uint16_t count)
{
	const uint8_t *recs[DS_MAXREC];
	uint8_t key[DS_WIRE_MAX];
	size_t o = 0, kl = 0;
	struct signed_set *s;
	struct dnssec_rrset rs = { n->name, n->namelen, type, ttl, b->rd,
	    rdlen, count };
	const struct sign_zone *sz = b->z->sec;
	size_t len;

	for (uint16_t i = 0; i < count && i < DS_MAXREC; i++) {
		recs[i] = b->rd + o;
		o += 2 + wire_get16(b->rd + o);
	}
	qsort(recs, count, sizeof(*recs), rec_cmp);
	for (uint16_t i = 0; i < count; i++) {
		size_t l = 2 + wire_get16(recs[i]);

		memcpy(key + kl, recs[i], l);
		kl += l;
	}
	for (size_t i = 0; i < b->nss; i++)
		if (b->ss[i].keylen == kl && memcmp(b->ss[i].key, key, kl) == 0)
			return &b->ss[i];
	if (b->nss == b->ass) {
		size_t na = b->ass ? b->ass * 2 : 16;
		struct signed_set *ns = realloc(b->ss, na * sizeof(*ns));

		if (ns == NULL)
			return NULL;
		b->ss = ns;
		b->ass = na;
	}
	s = &b->ss[b->nss];
	if ((s->key = malloc(kl ? kl : 1)) == NULL)
		return NULL;
	memcpy(s->key, key, kl);
	s->keylen = kl;
	len = dnssec_sign(&sz->keys[0], sz->signer, sz->signer_len,
	    sz->inception, sz->expiration, &rs, s->sig);
	if (len == 0) {
		free(s->key);
		return NULL;
	}
	s->siglen = (uint16_t)len;
	b->nss++;
	b->sigs++;
	return s;
}

static void
put_hdr(uint8_t *p, uint16_t owner, uint16_t type, uint32_t ttl,
    uint16_t rdlen)
{
	wire_set16(p, (uint16_t)(0xC000 | owner));
	wire_set16(p + 2, type);
	wire_set16(p + 4, WIRE_CLASS_IN);
	wire_set16(p + 6, (uint16_t)(ttl >> 16));
	wire_set16(p + 8, (uint16_t)ttl);
	wire_set16(p + 10, rdlen);
}

/* One variant: the records of rd in answer order, then their RRSIG;
 * every owner a pointer set per query. */
static int
make_var(struct bctx *b, struct dynsign_var *v, uint16_t type,
    uint32_t ttl, uint16_t count, const struct signed_set *sig)
{
	size_t len = 0, o = 0, nown = 0;
	uint8_t *w = b->wire, *mem;

	memset(v, 0, sizeof(*v));
	for (uint16_t i = 0; i < count; i++) {
		size_t l = wire_get16(b->rd + o);

		if (len + 12 + l > DS_WIRE_MAX)
			return -1;
		b->own[nown++] = (uint16_t)len;
		put_hdr(w + len, 0, type, ttl, (uint16_t)l);
		memcpy(w + len + 12, b->rd + o + 2, l);
		len += 12 + l;
		o += 2 + l;
	}
	if (len + 12 + sig->siglen > DS_WIRE_MAX)
		return -1;
	b->own[nown++] = (uint16_t)len;
	put_hdr(w + len, 0, DNSSEC_TYPE_RRSIG, ttl, sig->siglen);
	memcpy(w + len + 12, sig->sig, sig->siglen);
	len += 12 + sig->siglen;
	if ((mem = malloc(len + nown * sizeof(uint16_t))) == NULL)
		return -1;
	v->own = (uint16_t *)mem;
	memcpy(v->own, b->own, nown * sizeof(uint16_t));
	v->wire = mem + nown * sizeof(uint16_t);
	memcpy(v->wire, w, len);
	v->len = (uint16_t)len;
	v->an = (uint16_t)(count + 1);
	v->nown = (uint16_t)nown;
	v->first = UINT16_MAX;
	return 0;
}

/* The records of one answer in rd (as dynamic.c writes them), their
 * count. */
static uint16_t
records(struct bctx *b, const struct conf_pool *cp,
    const struct pstate_pool *pp, const struct zone_pool_ref *ref,
    const struct zone_dyn *dyn, int kind, const uint16_t *idx,
    const uint16_t *pref, size_t nidx, unsigned flags, size_t *rdlenp)
{
	size_t o = 0;
	uint16_t count = 0;

	if (kind == DYNSIGN_MX || kind == DYNSIGN_SRV) {
		uint16_t weight[POLICY_MAX_SERVERS];

		if (kind == DYNSIGN_SRV)
			policy_srv_weights(cp, pp, idx, nidx, flags, weight);
		for (size_t k = 0; k < nidx && ref != NULL; k++) {
			const uint8_t *name;
			size_t nl, start = o;

			if (idx[k] >= ref->nservers)
				continue;
			name = ref->server_name[idx[k]];
			if ((nl = wire_name_len(name, WIRE_NAME_MAX)) == 0)
				continue;
			if (count >= DS_MAXREC - 1 ||
			    o + 8 + 2 * nl > DS_WIRE_MAX)
				break;
			o += 2;
			if (kind == DYNSIGN_MX) {
				wire_set16(b->rd + o, pref[k]);
				o += 2;
			} else {
				wire_set16(b->rd + o,
				    policy_srv_priority(cp, pref, k));
				wire_set16(b->rd + o + 2, weight[k]);
				wire_set16(b->rd + o + 4, dyn->port);
				o += 6;
			}
			memcpy(b->rd + o, name, nl);
			o += nl;
			wire_set16(b->rd + start, (uint16_t)(o - start - 2));
			count++;
		}
		if (kind == DYNSIGN_MX && (flags & POLICY_F_RELAY) &&
		    ref != NULL && ref->relay_name != NULL) {
			size_t nl = wire_name_len(ref->relay_name, WIRE_NAME_MAX);

			if (nl > 0) {
				wire_set16(b->rd + o, (uint16_t)(2 + nl));
				wire_set16(b->rd + o + 2,
				    policy_relay_pref(cp, pref, nidx));
				memcpy(b->rd + o + 4, ref->relay_name, nl);
				o += 4 + nl;
				count++;
			}
		}
	} else {
		int fam = kind == DYNSIGN_A ? AF_INET : AF_INET6;
		struct policy_addrs it = { 0, 0, 0 };
		const struct conf_ip *ip;

		while ((ip = policy_addr_next(cp, idx, nidx, fam, &it)) !=
		    NULL && count < DS_MAXREC - 1 && o + 18 <= DS_WIRE_MAX) {
			size_t al = fam == AF_INET ? 4 : 16;

			wire_set16(b->rd + o, (uint16_t)al);
			memcpy(b->rd + o + 2, fam == AF_INET ?
			    (const void *)&ip->u.v4 : (const void *)&ip->u.v6,
			    al);
			o += 2 + al;
			count++;
		}
	}
	*rdlenp = o;
	return count;
}

static void
set_free(struct dynsign_set *s)
{
	for (uint16_t i = 0; i < s->n; i++)
		free(s->v[i].own);	/* one allocation each */
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/* The variants of one dynamic RRset of node n. */
static int
build_set(struct bctx *b, const struct zone_node *n, int kind,
    struct dynsign_set *set, unsigned nvar)
{
	static const uint16_t types[DYNSIGN_NKIND] = { ZONE_TYPE_MX,
	    ZONE_TYPE_A, ZONE_TYPE_AAAA, ZONE_TYPE_SRV };
	const struct zone_dyn *dyn = kind == DYNSIGN_MX ? n->dynmx :
	    kind == DYNSIGN_SRV ? n->dynsrv : n->dyna;
	const struct conf_pool *cp;
	const struct pstate_pool *pp = NULL;
	const struct zone_pool_ref *ref;
	uint16_t idx[POLICY_MAX_SERVERS], pref[POLICY_MAX_SERVERS];
	double fw[POLICY_MAX_SERVERS], key[POLICY_MAX_SERVERS], sum = 0;
	unsigned cnt[POLICY_MAX_SERVERS], given = 0, flags = 0;
	size_t ns, max, nidx, rdlen;
	uint32_t ttl;
	uint16_t count;

	memset(set, 0, sizeof(*set));
	if (dyn == NULL || dyn->pool >= b->conf->npools)
		return 0;
	cp = &b->conf->pools[dyn->pool];
	set->pool = (uint16_t)dyn->pool;
	ref = zone_pool_ref(b->z, dyn->pool);
	if (b->ps != NULL && dyn->pool < b->ps->npools &&
	    b->ps->pools[dyn->pool].nservers == cp->nservers)
		pp = &b->ps->pools[dyn->pool];
	if (kind == DYNSIGN_MX)
		max = policy_max(cp, true);
	else if (kind == DYNSIGN_SRV)
		max = policy_max_srv(cp);
	else
		max = cp->nservers < POLICY_MAX_SERVERS ? cp->nservers :
		    POLICY_MAX_SERVERS;
	ttl = policy_ttl(cp, pp, dyn->ttl);
	(void)policy_order(cp, pp, b->rng, idx, pref, max, &flags);
	if (flags & POLICY_F_SERVFAIL) {
		set->servfail = true;
		return 0;
	}
	ns = policy_first_weights(cp, pp, b->rng, fw);
	for (size_t i = 0; i < ns; i++)
		sum += fw[i];
	/* largest remainder: floor shares, then the biggest remainders */
	memset(cnt, 0, sizeof(cnt));
	if (sum > 0) {
		double rem[POLICY_MAX_SERVERS];

		for (size_t i = 0; i < ns; i++) {
			double q = (double)nvar * fw[i] / sum;

			cnt[i] = (unsigned)q;
			rem[i] = q - cnt[i];
			given += cnt[i];
		}
		while (given < nvar) {
			size_t best = 0;

			for (size_t i = 1; i < ns; i++)
				if (rem[i] > rem[best])
					best = i;
			cnt[best]++;
			rem[best] = -1;
			given++;
		}
	} else {
		nvar = 1;	/* no server can come first: one answer */
	}
	if ((set->v = calloc(nvar, sizeof(*set->v))) == NULL)
		return -1;
	for (unsigned j = 0, s = 0; j < nvar; j++) {
		const struct signed_set *sig;

		if (sum > 0) {
			while (s < ns && cnt[s] == 0)
				s++;
			if (s >= ns)
				break;
			cnt[s]--;
			for (size_t i = 0; i < ns; i++)
				key[i] = i == s ? 0 : 1;
			nidx = policy_order_by(cp, pp, b->rng, key, idx, pref,
			    max, &flags);
		} else {
			nidx = policy_order(cp, pp, b->rng, idx, pref, max,
			    &flags);
		}
		count = records(b, cp, pp, ref, dyn, kind, idx, pref, nidx,
		    flags, &rdlen);
		if (count == 0) {
			/* empty for this state (no address of the family,
			 * relay only for SRV): every variant is */
			set_free(set);
			return 0;
		}
		if ((sig = sign_records(b, n, types[kind], dyn->ttl, rdlen,
		    count)) == NULL)
			return -1;
		/* no additional data in signed answers (zones/compile.h) */
		if (make_var(b, &set->v[set->n], types[kind], ttl, count,
		    sig) != 0)
			return -1;
		set->v[set->n].first = nidx > 0 ? idx[0] : UINT16_MAX;
		set->n++;
	}
	/* shuffled once: a thread walks them in turn */
	for (uint16_t i = set->n; i > 1; i--) {
		uint16_t j = (uint16_t)rng_below(b->rng, i);
		struct dynsign_var t = set->v[i - 1];

		set->v[i - 1] = set->v[j];
		set->v[j] = t;
	}
	return 0;
}

void
dynsign_free(void *p)
{
	struct dynsign *d = p;

	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n; i++)
		for (int k = 0; k < DYNSIGN_NKIND; k++)
			set_free(&d->names[i].set[k]);
	free(d->names);
	free(d);
}

struct dynsign *
dynsign_build(const struct conf *conf, const struct zone *z,
    const struct pstate *ps, struct rng *rng)
{
	const struct sign_zone *sz = z->sec;
	struct dynsign *d;
	struct bctx *b;
	double t0 = clock_mono();

	if (sz == NULL || sz->nkeys == 0)
		return NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->names = calloc(sz->ndyn + 1, sizeof(*d->names))) == NULL ||
	    (b = calloc(1, sizeof(*b))) == NULL) {
		if (d != NULL)
			free(d->names);
		free(d);
		log_warnx("dnssec: %s: out of memory signing dynamic answers",
		    z->origin_text);
		return NULL;
	}
	d->n = sz->ndyn;
	b->conf = conf;
	b->z = z;
	b->ps = ps;
	b->rng = rng;
	for (size_t i = 0; i < sz->ndyn; i++) {
		const struct zone_node *n = sz->dyn[i];
		struct dynsign_name *dn = &d->names[i];
		static const uint8_t bit[DYNSIGN_NKIND] = { SIGN_DYN_MX,
		    SIGN_DYN_A, SIGN_DYN_AAAA, SIGN_DYN_SRV };

		for (int k = 0; k < DYNSIGN_NKIND; k++) {
			if (build_set(b, n, k, &dn->set[k],
			    sz->conf->variants) != 0) {
				log_warnx("dnssec: %s: signing the dynamic "
				    "answers failed", z->origin_text);
				goto fail;
			}
			if (dn->set[k].n > 0 || dn->set[k].servfail)
				dn->mask |= bit[k];
		}
	}
	d->gen = ps != NULL ? ps->gen : 0;
	d->sigs = b->sigs;
	d->ms = (clock_mono() - t0) * 1000.0;
	d->built_ms = clock_unix_ms();
	for (size_t i = 0; i < b->nss; i++)
		free(b->ss[i].key);
	free(b->ss);
	free(b);
	return d;
fail:
	for (size_t i = 0; i < b->nss; i++)
		free(b->ss[i].key);
	free(b->ss);
	free(b);
	dynsign_free(d);
	return NULL;
}

static void
dynsign_free_rcu(struct rcu_head *head)
{
	dynsign_free(caa_container_of(head, struct dynsign, rcu));
}

void
dynsign_publish(struct zone *z, struct dynsign *set)
{
	struct dynsign *old;

	if (z->sec == NULL) {
		dynsign_free(set);
		return;
	}
	z->sec->dyn_free = dynsign_free;
	old = rcu_xchg_pointer(&z->sec->dyn_current, set);
	if (old != NULL)
		call_rcu(&old->rcu, dynsign_free_rcu);
}

int
dynsign_zones(const struct conf *conf, struct zone *const *zones, size_t nzones,
    const struct pstate *ps)
{
	struct rng rng;
	double t0 = clock_mono();
	int rc = 0;
	bool any = false;

	rng_init(&rng);
	for (size_t i = 0; i < nzones; i++) {
		struct zone *z = zones[i];
		struct dynsign *d;

		if (z->sec == NULL || z->sec->ndyn == 0)
			continue;
		any = true;
		if ((d = dynsign_build(conf, z, ps, &rng)) == NULL) {
			rc = -1;
			atomic_fetch_add(&st_failures, 1);
			continue;
		}
		atomic_fetch_add(&st_sigs, d->sigs);
		dynsign_publish(z, d);
	}
	if (any) {
		atomic_fetch_add(&st_builds, 1);
		atomic_store(&st_last_us,
		    (uint64_t)((clock_mono() - t0) * 1e6));
		atomic_store(&st_last_at, clock_unix_ms());
	}
	return rc;
}

static pthread_mutex_t resign_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t resigns, resign_failures;
static int64_t  resign_failed_ms;
static bool     resign_failing;
static char     resign_error[160];

void
dynsign_resign_note(bool ok, const char *why)
{
	pthread_mutex_lock(&resign_lock);
	if (ok) {
		resigns++;
		resign_failing = false;
		resign_error[0] = '\0';
	} else {
		resign_failures++;
		resign_failing = true;
		resign_failed_ms = clock_unix_ms();
		snprintf(resign_error, sizeof(resign_error), "%s",
		    why != NULL ? why : "failed");
	}
	pthread_mutex_unlock(&resign_lock);
}

void
dynsign_stats_get(struct dynsign_stats *out)
{
	pthread_mutex_lock(&resign_lock);
	out->resigns = resigns;
	out->resign_failures = resign_failures;
	out->resign_failed_ms = resign_failed_ms;
	out->resign_failing = resign_failing;
	memcpy(out->resign_error, resign_error, sizeof(out->resign_error));
	pthread_mutex_unlock(&resign_lock);
	out->builds = atomic_load(&st_builds);
	out->failures = atomic_load(&st_failures);
	out->sigs = atomic_load(&st_sigs);
	out->last_ms = (double)atomic_load(&st_last_us) / 1000.0;
	out->last_at_ms = atomic_load(&st_last_at);
}

