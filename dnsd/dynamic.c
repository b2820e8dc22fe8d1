/* dynamic.c - DYNMX/DYNA/DYNSRV records per query: policy_order() over the pool state, fast paths and general path. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

/* rcu_read_lock/unlock inlined (the memb flavour of <urcu.h>, as everywhere) */
#define _LGPL_SOURCE
#include <urcu.h>

#include "dnsd/base/conf.h"
#include "dnsd/base/wire.h"
#include "dnsd/dynamic.h"
#include "dnsd/dynsign.h"
#include "dnsd/policy.h"
#include "dnsd/query-t.h"
#include "dnsd/world.h"
#include "probes/pstate.h"
#include "zones/compile.h"
#include "zones/sign.h"
#include "zones/zone.h"

/* DYNMX and DYNSRV at the qname itself: copy precompiled records, patch
 * TTL, preference (SRV: priority and weight) and the owners of the
 * additional records. weight NULL: MX. */
static bool
dyn_rr_fast(struct query_ctx *c, const struct compile_dyn *d,
    const uint16_t *idx, const uint16_t *pref, const uint16_t *weight,
    size_t nidx, unsigned flags, uint32_t ttl, const struct conf_pool *cp,
    size_t *lenp)
{
	uint8_t *r = c->resp;
	size_t len = *lenp, tpos[POLICY_MAX_SERVERS];
	uint16_t an = 0, ar = 0;

	for (size_t k = 0; k < nidx; k++) {
		const struct compile_frag *f;

		tpos[k] = 0;
		if (idx[k] >= d->n || (f = &d->srv[idx[k]])->rrlen == 0)
			continue;
		if (len + f->rrlen > c->limit)
			return false;
		memcpy(r + len, f->rr, f->rrlen);
		wire_set16(r + len + 6, (uint16_t)(ttl >> 16));
		wire_set16(r + len + 8, (uint16_t)ttl);
		wire_set16(r + len + 12, pref[k]);
		if (weight != NULL)
			wire_set16(r + len + 14, weight[k]);
		tpos[k] = len + f->tgt;
		len += f->rrlen;
		an++;
	}
	if ((flags & POLICY_F_RELAY) && d->relay.rrlen > 0) {
		if (len + d->relay.rrlen > c->limit)
			return false;
		memcpy(r + len, d->relay.rr, d->relay.rrlen);
		wire_set16(r + len + 6, (uint16_t)(ttl >> 16));
		wire_set16(r + len + 8, (uint16_t)ttl);
		wire_set16(r + len + 12, policy_relay_pref(cp, pref, nidx));
		len += d->relay.rrlen;
		an++;
	}
	for (size_t k = 0; k < nidx; k++) {
		const struct compile_frag *f;

		if (tpos[k] == 0 || tpos[k] >= 0x3F00 ||
		    (f = &d->srv[idx[k]])->addlen == 0)
			continue;
		if (len + f->addlen > c->limit) {
			/* additional data is optional, cut at an RRset */
			if (f->addlen1 < f->addlen &&
			    len + f->addlen1 <= c->limit) {
				memcpy(r + len, f->add, f->addlen1);
				for (uint16_t i = 0; i < f->naddrr1; i++)
					wire_set16(r + len + f->addptr[i],
					    (uint16_t)(0xC000 | tpos[k]));
				len += f->addlen1;
				ar = (uint16_t)(ar + f->naddrr1);
			}
			break;
		}
		memcpy(r + len, f->add, f->addlen);
		for (uint16_t i = 0; i < f->naddrr; i++)
			wire_set16(r + len + f->addptr[i],
			    (uint16_t)(0xC000 | tpos[k]));
		len += f->addlen;
		ar = (uint16_t)(ar + f->naddrr);
	}
	c->an = (uint16_t)(c->an + an);
	c->ar = (uint16_t)(c->ar + ar);
	*lenp = len;
	return true;
}

/*
 * DYNA: the records have a fixed shape (owner pointer, type, class, TTL,
 * rdlength, address), written straight from the configured addresses in
 * policy order, capped at max_addrs; the same bytes as the general path.
 * \retval 1 written, 0 does not fit (TC), -1 no address (the general path
 * answers NODATA).
 */
static inline int
dyn_addr_put(struct query_ctx *c, const struct conf_pool *cp, int fam,
    size_t alen, const uint16_t *idx, size_t nidx, const uint8_t *hdr,
    size_t *lenp)
{
	size_t len = *lenp, nrec = 0, rlen = 12 + alen;
	struct policy_addrs it = { 0, 0, 0 };
	const struct conf_ip *ip;
	uint8_t *r = c->resp;

	while ((ip = policy_addr_next(cp, idx, nidx, fam, &it)) != NULL) {
		if (len + rlen > c->limit)
			return 0;
		memcpy(r + len, hdr, 12);
		if (alen == 4)
			memcpy(r + len + 12, &ip->u.v4, 4);
		else
			memcpy(r + len + 12, &ip->u.v6, 16);
		len += rlen;
		nrec++;
	}
	if (nrec == 0)
		return -1;
	c->an = (uint16_t)(c->an + nrec);
	*lenp = len;
	return 1;
}

static int
dyn_addr_fast(struct query_ctx *c, const struct conf_pool *cp, int kind,
    const uint16_t *idx, size_t nidx, uint16_t owner, uint32_t ttl,
    size_t *lenp)
{
	uint8_t hdr[12];

	hdr[0] = (uint8_t)(0xC0 | (owner >> 8));
	hdr[1] = (uint8_t)owner;
	wire_set16(hdr + 2,
	    kind == COMPILE_DYN_A ? ZONE_TYPE_A : ZONE_TYPE_AAAA);
	wire_set16(hdr + 4, WIRE_CLASS_IN);
	wire_set16(hdr + 6, (uint16_t)(ttl >> 16));
	wire_set16(hdr + 8, (uint16_t)ttl);
	wire_set16(hdr + 10, kind == COMPILE_DYN_A ? 4 : 16);
	if (kind == COMPILE_DYN_A)
		return dyn_addr_put(c, cp, AF_INET, 4, idx, nidx, hdr, lenp);
	return dyn_addr_put(c, cp, AF_INET6, 16, idx, nidx, hdr, lenp);
}

/* The zone SOA in authority (NODATA). \retval false it does not fit. */
static bool
put_nodata(struct query_ctx *c, struct wire_writer *w)
{
	compile_put_rrset(w, -1, c->z->origin, c->z->origin_len, c->z->soa,
	    c->z->neg_ttl, NULL, 0);
	if (w->overflow)
		return false;
	c->ns++;
	return true;
}

bool
dynamic_put_nsec(struct query_ctx *c, const struct sign_nsec *e, size_t *lenp,
    bool sig)
{
	const struct sign_rr *r = &e->var[0];
	size_t len = *lenp, l;

	if (e->dynslot >= 0) {
		const struct dynsign *d;
		uint8_t m = e->dynmask;

		rcu_read_lock();
		d = dynsign_get(c->z);
		if (d != NULL && (size_t)e->dynslot < d->n)
			m = d->names[e->dynslot].mask;
		rcu_read_unlock();
		r = &e->var[m & e->dynmask];
	}
	if (r->wire == NULL)
		return true;
	l = sig ? r->len : r->nsec_len;
	if (len + l > c->limit || len >= 0x3F00)
		return false;
	memcpy(c->resp + len, r->wire, l);
	if (sig)
		wire_set16(c->resp + len + r->sig_owner, (uint16_t)(0xC000 | len));
	*lenp = len + l;
	return true;
}

/* Signed NODATA after a dynamic RRset came out empty: the SOA and its
 * RRSIG, the name's NSEC (mask of the same state, d). */
static enum dynamic_rc
signed_nodata(struct query_ctx *c, const struct sign_nsec *e,
    const struct dynsign *d, size_t *lenp)
{
	const struct compile_node *apex = c->z->apex->answers;
	const struct compile_blob *b;
	const struct sign_rr *r;
	size_t len = *lenp;

	if (apex == NULL || apex->sec == NULL ||
	    (b = apex->sec->special[COMPILE_NODATA]) == NULL)
		return DYNAMIC_SERVFAIL;
	r = &e->var[d->names[e->dynslot].mask & e->dynmask];
	if (len + b->len + r->len > c->limit || len + b->len >= 0x3F00)
		return DYNAMIC_TC;
	query_blob_copy(c, b, c->q->qname_len - c->z->origin_len, len,
	    b->len);
	len += b->len;
	memcpy(c->resp + len, r->wire, r->len);
	wire_set16(c->resp + len + r->sig_owner, (uint16_t)(0xC000 | len));
	len += r->len;
	c->ns = (uint16_t)(c->ns + b->ns + 2);
	*lenp = len;
	return DYNAMIC_OK;
}

/*
 * Asked for RRSIG at a name with dynamic records: the RRSIG of one
 * current variant of each non-empty dynamic RRset, and of the name's
 * NSEC (owners: the name at owner).
 */
static enum dynamic_rc
put_rrsigs(struct query_ctx *c, const struct sign_nsec *e,
    const struct dynsign *d, uint16_t owner, size_t *lenp)
{
	const struct dynsign_name *dn = &d->names[e->dynslot];
	const struct sign_rr *r = &e->var[dn->mask & e->dynmask];
	size_t len = *lenp, l;
	uint16_t an = 0;

	for (int k = 0; k < DYNSIGN_NKIND; k++) {
		const struct dynsign_var *v;
		uint16_t at;

		if (dn->set[k].n == 0)
			continue;
		v = &dn->set[k].v[0];
		at = v->own[v->nown - 1];	/* the RRSIG, last */
		l = (size_t)v->len - at;
		if (len + l > c->limit)
			return DYNAMIC_TC;
		memcpy(c->resp + len, v->wire + at, l);
		wire_set16(c->resp + len, (uint16_t)(0xC000 | owner));
		len += l;
		an++;
	}
	if (r->wire != NULL) {
		l = (size_t)r->len - r->sig_owner;
		if (len + l > c->limit)
			return DYNAMIC_TC;
		memcpy(c->resp + len, r->wire + r->sig_owner, l);
		wire_set16(c->resp + len, (uint16_t)(0xC000 | owner));
		len += l;
		an++;
	}
	c->an = (uint16_t)(c->an + an);
	*lenp = len;
	return DYNAMIC_OK;
}

/* DO=1 at a signed zone: a signed variant (dynamic.h). */
static enum dynamic_rc
dynamic_signed(struct query_ctx *c, const struct zone_node *n, int kind,
    uint16_t owner, size_t *lenp)
{
	const struct sign_nsec *e = sign_nsec_of(c->z->sec, n);
	const struct dynsign *d;
	const struct dynsign_set *set;
	const struct dynsign_var *v;
	enum dynamic_rc rc = DYNAMIC_OK;
	size_t len = *lenp;

	if (e == NULL || e->dynslot < 0)
		return DYNAMIC_SERVFAIL;
	rcu_read_lock();
	d = dynsign_get(c->z);
	if (d == NULL || (size_t)e->dynslot >= d->n) {
		rc = DYNAMIC_SERVFAIL;	/* never unsigned */
		goto out;
	}
	if (kind == COMPILE_DYN_RRSIG) {
		rc = put_rrsigs(c, e, d, owner, lenp);
		goto out;
	}
	if (kind == COMPILE_DYN_NSEC) {
		const struct sign_rr *r =
		    &e->var[d->names[e->dynslot].mask & e->dynmask];

		if (len + r->len > c->limit || len >= 0x3F00) {
			rc = DYNAMIC_TC;
			goto out;
		}
		memcpy(c->resp + len, r->wire, r->len);
		/* owner: the qname's place (NSEC owner written out, RRSIG
		 * pointing at it) */
		wire_set16(c->resp + len + r->sig_owner,
		    (uint16_t)(0xC000 | len));
		*lenp = len + r->len;
		c->an = (uint16_t)(c->an + 2);
		goto out;
	}
	set = &d->names[e->dynslot].set[kind - COMPILE_DYN_MX];
	if (set->servfail) {
		rc = DYNAMIC_SERVFAIL;
		goto out;
	}
	if (set->n == 0) {
		rc = signed_nodata(c, e, d, lenp);
		goto out;
	}
	v = &set->v[c->t->dsig_seq++ % set->n];
	if (len + v->len > c->limit) {
		rc = DYNAMIC_TC;
		goto out;
	}
	memcpy(c->resp + len, v->wire, v->len);
	for (uint16_t i = 0; i < v->nown; i++)
		wire_set16(c->resp + len + v->own[i],
		    (uint16_t)(0xC000 | owner));
	*lenp = len + v->len;
	c->an = (uint16_t)(c->an + v->an);
	if (kind != COMPILE_DYN_SRV && v->first < QUERY_FP_SERVERS &&
	    set->pool < QUERY_FP_POOLS)
		c->t->first[set->pool][v->first]++;
out:
	rcu_read_unlock();
	return rc;
}

/* Append the dynamic answer of node n at c->resp + *lenp (dynamic.h). */
enum dynamic_rc
dynamic_answer(struct query_ctx *c, const struct zone_node *n, int kind,
    uint16_t owner, size_t *lenp)
{
	const struct zone_dyn *dyn = kind == COMPILE_DYN_MX ? n->dynmx :
	    kind == COMPILE_DYN_SRV ? n->dynsrv : n->dyna;
	bool rr = kind == COMPILE_DYN_MX || kind == COMPILE_DYN_SRV;
	const struct conf *conf = c->w->conf;
	const struct conf_pool *cp;
	const struct zone_pool_ref *ref;
	const struct pstate_pool *pp;
	const struct pstate *ps;
	struct wire_writer w;
	uint16_t idx[POLICY_MAX_SERVERS], pref[POLICY_MAX_SERVERS],
	    weight[POLICY_MAX_SERVERS];
	size_t nidx, max, nrec = 0, cap;
	unsigned flags = 0;
	uint32_t ttl;

	if (c->dnssec)
		return dynamic_signed(c, n, kind, owner, lenp);
	if (kind == COMPILE_DYN_RRSIG) {
		/* the signatures are the data asked for, DO or not */
		const struct sign_nsec *e = sign_nsec_of(c->z->sec, n);
		const struct dynsign *d;
		enum dynamic_rc rc = DYNAMIC_OK;

		if (e == NULL || e->dynslot < 0)
			return DYNAMIC_OK;
		rcu_read_lock();
		d = dynsign_get(c->z);
		if (d != NULL && (size_t)e->dynslot < d->n)
			rc = put_rrsigs(c, e, d, owner, lenp);
		rcu_read_unlock();
		return rc;
	}
	if (kind == COMPILE_DYN_NSEC) {
		/* DO=0: the NSEC record alone */
		const struct sign_nsec *e = sign_nsec_of(c->z->sec, n);

		if (e == NULL)
			return DYNAMIC_OK;
		if (!dynamic_put_nsec(c, e, lenp, false))
			return DYNAMIC_TC;
		c->an++;
		return DYNAMIC_OK;
	}
	if (dyn == NULL || conf == NULL || dyn->pool >= conf->npools)
		return DYNAMIC_OK;
	cp = &conf->pools[dyn->pool];
	ref = zone_pool_ref(c->z, dyn->pool);
	/* MX: server records (the relay host has its own slot); SRV: no
	 * relay; A/AAAA: every server, max_addrs counts addresses below */
	if (kind == COMPILE_DYN_MX)
		max = policy_max(cp, true);
	else if (kind == COMPILE_DYN_SRV)
		max = policy_max_srv(cp);
	else
		max = cp->nservers < POLICY_MAX_SERVERS ? cp->nservers :
		    POLICY_MAX_SERVERS;
	rcu_read_lock();
	ps = pstate_get();
	pp = (ps != NULL && dyn->pool < ps->npools) ? &ps->pools[dyn->pool] :
	    NULL;
	if (pp != NULL && pp->nservers != cp->nservers)
		pp = NULL;
	nidx = policy_order(cp, pp, &c->t->rng, idx, pref, max, &flags);
	ttl = policy_ttl(cp, pp, dyn->ttl);
	if (kind == COMPILE_DYN_SRV && !(flags & POLICY_F_SERVFAIL)) {
		policy_srv_weights(cp, pp, idx, nidx, flags, weight);
		for (size_t k = 0; k < nidx; k++)
			pref[k] = policy_srv_priority(cp, pref, k);
		flags &= ~(unsigned)POLICY_F_RELAY;
	}
	rcu_read_unlock();
	if (flags & POLICY_F_SERVFAIL)
		return DYNAMIC_SERVFAIL;
	/* first preference: MX and A/AAAA answers (an SRV client picks by
	 * weight, the first record is not its first choice) */
	if (kind != COMPILE_DYN_SRV && nidx > 0 &&
	    dyn->pool < QUERY_FP_POOLS && idx[0] < QUERY_FP_SERVERS)
		c->t->first[dyn->pool][idx[0]]++;

	/* fast path, except an empty SRV answer (NODATA below) */
	if (rr && owner == WIRE_HDR_LEN && !(n->flags & ZONE_NODE_WILD) &&
	    n->answers != NULL && ref != NULL && !c->t->general &&
	    (kind == COMPILE_DYN_MX || nidx > 0)) {
		const struct compile_node *an = n->answers;
		const struct compile_dyn *d = kind == COMPILE_DYN_MX ?
		    an->dyn : an->dynsrv;

		if (d != NULL && d->n == ref->nservers)
			return dyn_rr_fast(c, d, idx, pref, kind ==
			    COMPILE_DYN_SRV ? weight : NULL, nidx, flags, ttl,
			    cp, lenp) ? DYNAMIC_OK : DYNAMIC_TC;
	}
	if (!rr && owner < 0x3F00 && !c->t->general) {
		int rc = dyn_addr_fast(c, cp, kind, idx, nidx, owner, ttl, lenp);

		if (rc >= 0)
			return rc == 1 ? DYNAMIC_OK : DYNAMIC_TC;
	}
	cap = c->limit;
	wire_writer_init(&w, c->resp, cap, *lenp);
	for (uint8_t i = 0; i < c->q->nlabels; i++)
		wire_ctab_add(&w, (uint16_t)(WIRE_HDR_LEN + c->q->label_off[i]));
	if (owner != WIRE_HDR_LEN)
		wire_ctab_add(&w, owner);

	if (rr) {
		uint16_t toff[POLICY_MAX_SERVERS];
		uint16_t type = kind == COMPILE_DYN_MX ? ZONE_TYPE_MX :
		    ZONE_TYPE_SRV;
		size_t nt = 0;

		for (size_t k = 0; k < nidx; k++) {
			const uint8_t *name;
			size_t nl, rdpos;

			toff[k] = 0;
			if (ref == NULL || idx[k] >= ref->nservers)
				continue;
			name = ref->server_name[idx[k]];
			if ((nl = wire_name_len(name, WIRE_NAME_MAX)) == 0)
				continue;
			wire_put_ptr(&w, owner);
			wire_put_u16(&w, type);
			wire_put_u16(&w, WIRE_CLASS_IN);
			wire_put_u32(&w, ttl);
			wire_put_u16(&w, 0);
			rdpos = w.len;
			wire_put_u16(&w, pref[k]);
			if (type == ZONE_TYPE_SRV) {
				wire_put_u16(&w, weight[k]);
				wire_put_u16(&w, dyn->port);
			}
			/* RFC 2782: an SRV target is not compressed */
			toff[k] = (uint16_t)wire_put_name(&w, name, nl,
			    type == ZONE_TYPE_MX);
			if (w.overflow)
				return DYNAMIC_TC;
			wire_set16(w.buf + rdpos - 2,
			    (uint16_t)(w.len - rdpos));
			nrec++;
			nt = k + 1;
		}
		if ((flags & POLICY_F_RELAY) && ref != NULL &&
		    ref->relay_name != NULL) {
			size_t nl = wire_name_len(ref->relay_name, WIRE_NAME_MAX),
			    rdpos;

			if (nl > 0) {
				wire_put_ptr(&w, owner);
				wire_put_u16(&w, ZONE_TYPE_MX);
				wire_put_u16(&w, WIRE_CLASS_IN);
				wire_put_u32(&w, ttl);
				wire_put_u16(&w, 0);
				rdpos = w.len;
				wire_put_u16(&w,
				    policy_relay_pref(cp, pref, nidx));
				wire_put_name(&w, ref->relay_name, nl, true);
				if (w.overflow)
					return DYNAMIC_TC;
				wire_set16(w.buf + rdpos - 2,
				    (uint16_t)(w.len - rdpos));
				nrec++;
			}
		}
		c->an += (uint16_t)nrec;
		if (nrec == 0 && type == ZONE_TYPE_SRV) {
			/* every server down with all_down "relay": NODATA,
			 * as DYNA */
			if (!put_nodata(c, &w))
				return DYNAMIC_TC;
			goto out;
		}
		/* additional: addresses of in-zone targets, whole RRsets */
		for (size_t k = 0; k < nt && ref != NULL; k++) {
			const struct zone_node *sn;
			static const uint16_t at[2] = { ZONE_TYPE_A,
			    ZONE_TYPE_AAAA };

			if (idx[k] >= ref->nservers || toff[k] == 0 ||
			    toff[k] >= 0x3F00 ||
			    (sn = ref->server_node[idx[k]]) == NULL)
				continue;
			for (int j = 0; j < 2; j++) {
				const struct zone_rrset *rs =
				    zone_rrset_find(sn, at[j]);
				size_t save = w.len;

				if (rs == NULL)
					continue;
				compile_put_rrset(&w, toff[k], NULL, 0, rs, rs->ttl,
				    NULL, 0);
				if (w.overflow) {
					w.len = save;
					goto out;
				}
				c->ar += rs->count;
			}
		}
	} else {
		int fam = kind == COMPILE_DYN_A ? AF_INET : AF_INET6;
		struct policy_addrs it = { 0, 0, 0 };
		const struct conf_ip *ip;

		while ((ip = policy_addr_next(cp, idx, nidx, fam, &it)) !=
		    NULL) {
			wire_put_ptr(&w, owner);
			wire_put_u16(&w, kind == COMPILE_DYN_A ? ZONE_TYPE_A :
			    ZONE_TYPE_AAAA);
			wire_put_u16(&w, WIRE_CLASS_IN);
			wire_put_u32(&w, ttl);
			if (fam == AF_INET) {
				wire_put_u16(&w, 4);
				wire_put_bytes(&w, &ip->u.v4, 4);
			} else {
				wire_put_u16(&w, 16);
				wire_put_bytes(&w, &ip->u.v6, 16);
			}
			if (w.overflow)
				return DYNAMIC_TC;
			nrec++;
		}
		c->an += (uint16_t)nrec;
		if (nrec == 0 && !put_nodata(c, &w))	/* NODATA */
			return DYNAMIC_TC;
	}
out:
	*lenp = w.len;
	return DYNAMIC_OK;
}
