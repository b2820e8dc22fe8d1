/* compile.c - the answer compiler: zone nodes to precompiled response bodies (see compile.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dnsd/base/diag.h"
#include "dnsd/base/wire.h"
#include "zones/compile.h"
#include "zones/dnssec.h"
#include "zones/sign.h"
#include "zones/zone.h"

#define COMPILE_MAXTGT         64	/* additional-section targets per blob */
#define COMPILE_MAXOPT         64	/* optional additional RRsets per blob */
#define COMPILE_SCRATCH        65535
#define COMPILE_MAXPTRS        16384

/* Empty non-terminals and names below a cut: shared, never freed. */
static struct compile_node compile_empty;

/* Find the lowercase form of an uncompressed name in z; NULL when outside
 * the zone or absent. tmp: 256 bytes. */
static struct zone_node *
find_in_zone(const struct zone *z, const uint8_t *name, size_t len,
    uint8_t *tmp)
{
	wire_name_lower(tmp, name, len);
	if (!wire_name_is_subdomain(tmp, len, z->origin, z->origin_len))
		return NULL;
	return zone_find(z, tmp, len, zone_hash(tmp, len));
}

/* ------------------------------------------------------------------ */
/* writing RRsets (compile time, and dynamic answers' general path) */

/*
 * Write every record of rs. owner_ptr >= 0: owner is a pointer there, else
 * owner/olen written compressed. tgt_off (may be NULL): offset of the first
 * record's target name (CNAME/NS/MX/SRV/PTR), or 0.
 */
static void
put_rrset(struct wire_writer *w, long owner_ptr, const uint8_t *owner,
    size_t olen, uint16_t type, uint16_t class, uint32_t ttl,
    const uint8_t *rdata, size_t rdata_len, uint16_t count, size_t *tgt_offs,
    size_t ntgt)
{
	size_t o = 0;

	for (uint16_t i = 0; i < count && o + 2 <= rdata_len; i++) {
		size_t rdlen = wire_get16(rdata + o), rdpos, nl, nl2;
		const uint8_t *rd = rdata + o + 2;

		if (o + 2 + rdlen > rdata_len)
			break;
		o += 2 + rdlen;
		if (owner_ptr >= 0)
			wire_put_ptr(w, (uint16_t)owner_ptr);
		else
			wire_put_name(w, owner, olen, true);
		wire_put_u16(w, type);
		wire_put_u16(w, class);
		wire_put_u32(w, ttl);
		wire_put_u16(w, 0);
		rdpos = w->len;
		switch (type) {
		case ZONE_TYPE_NS:
		case ZONE_TYPE_CNAME:
		case ZONE_TYPE_PTR:
			if ((nl = wire_name_len(rd, rdlen)) != rdlen)
				goto raw;
			nl = wire_put_name(w, rd, rdlen, true);
			break;
		case ZONE_TYPE_MX:
			if (rdlen < 3 || wire_name_len(rd + 2, rdlen - 2) !=
			    rdlen - 2)
				goto raw;
			wire_put_bytes(w, rd, 2);
			nl = wire_put_name(w, rd + 2, rdlen - 2, true);
			break;
		case ZONE_TYPE_SRV:
			if (rdlen < 7 || wire_name_len(rd + 6, rdlen - 6) !=
			    rdlen - 6)
				goto raw;
			wire_put_bytes(w, rd, 6);
			/* RFC 2782: the target is not compressed */
			nl = wire_put_name(w, rd + 6, rdlen - 6, false);
			break;
		case ZONE_TYPE_SOA:
			if ((nl = wire_name_len(rd, rdlen)) == 0 ||
			    (nl2 = wire_name_len(rd + nl, rdlen - nl)) == 0 ||
			    nl + nl2 + 20 != rdlen)
				goto raw;
			wire_put_name(w, rd, nl, true);
			wire_put_name(w, rd + nl, nl2, true);
			wire_put_bytes(w, rd + nl + nl2, 20);
			nl = 0;
			break;
		default:
		raw:
			wire_put_bytes(w, rd, rdlen);
			nl = 0;
			break;
		}
		if (tgt_offs != NULL && i < ntgt)
			tgt_offs[i] = nl;
		if (!w->overflow)
			wire_set16(w->buf + rdpos - 2,
			    (uint16_t)(w->len - rdpos));
	}
}

void
compile_put_rrset(struct wire_writer *w, long owner_ptr, const uint8_t *owner,
    size_t olen, const struct zone_rrset *rs, uint32_t ttl, size_t *tgt,
    size_t ntgt)
{
	put_rrset(w, owner_ptr, owner, olen, rs->type, WIRE_CLASS_IN, ttl,
	    rs->rdata, rs->rdata_len, rs->count, tgt, ntgt);
}

/* Target name inside record i of rs (MX/NS/SRV/CNAME/PTR), uncompressed. */
static const uint8_t *
rdata_target(const struct zone_rrset *rs, uint16_t idx, size_t *len)
{
	size_t o = 0, skip;

	switch (rs->type) {
	case ZONE_TYPE_MX: skip = 2; break;
	case ZONE_TYPE_SRV: skip = 6; break;
	case ZONE_TYPE_NS: case ZONE_TYPE_CNAME: case ZONE_TYPE_PTR:
		skip = 0; break;
	default: return NULL;
	}
	for (uint16_t i = 0; o + 2 <= rs->rdata_len; i++) {
		size_t rdlen = wire_get16(rs->rdata + o);

		if (o + 2 + rdlen > rs->rdata_len)
			return NULL;
		if (i == idx) {
			if (rdlen <= skip)
				return NULL;
			*len = wire_name_len(rs->rdata + o + 2 + skip,
			    rdlen - skip);
			return *len ? rs->rdata + o + 2 + skip : NULL;
		}
		o += 2 + rdlen;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* compile time */

struct cbuild {
	struct wire_writer w;
	uint8_t  *buf;
	uint16_t *ptrs;
	size_t    body_start;
	size_t    cqname_len;
	uint16_t  an, ns, ar_req;
	size_t    len_req;
	uint32_t  add_end[COMPILE_MAXOPT];
	uint16_t  add_ar[COMPILE_MAXOPT];
	uint16_t  nadd, add_count;
	uint8_t   rcode, aa, keep12, dyn;
	uint16_t  dyn_owner;
	const struct zone_node *dyn_node;
	const struct zone_node *ref_cut;	/* chain ended at/below this cut */
	/* additional-section candidates */
	const struct zone_node *tn[COMPILE_MAXTGT];
	uint16_t  toff[COMPILE_MAXTGT];
	unsigned  ntgt;
	uint8_t   tmp[WIRE_NAME_MAX + 1];
	bool      dnssec;	/* building the DO=1 answers of a signed zone */
	const struct zone *z;
	/* what compile_node was building, for an error message */
	int       what;		/* WHAT_* */
	uint16_t  what_type;	/* WHAT_TYPE */
};

enum { WHAT_TYPE, WHAT_REFERRAL, WHAT_CHAIN, WHAT_DYNMX, WHAT_DYNSRV,
    WHAT_NEGATIVE };

static void
cb_begin(struct cbuild *cb, const uint8_t *qname, size_t qlen, bool keep12)
{
	wire_writer_init(&cb->w, cb->buf, COMPILE_SCRATCH, 0);
	cb->w.ptrs = cb->ptrs;
	cb->w.ptrcap = COMPILE_MAXPTRS;
	memset(cb->buf, 0, WIRE_HDR_LEN);
	cb->w.len = WIRE_HDR_LEN;
	wire_put_bytes(&cb->w, qname, qlen);
	for (size_t o = 0; o < qlen && qname[o] != 0; o += 1 + (size_t)qname[o])
		wire_ctab_add(&cb->w, (uint16_t)(WIRE_HDR_LEN + o));
	wire_put_u32(&cb->w, 0);	/* qtype, qclass: patched per query */
	cb->w.no12 = keep12;
	cb->body_start = cb->w.len;
	cb->cqname_len = qlen;
	cb->an = cb->ns = cb->ar_req = 0;
	cb->len_req = 0;
	cb->nadd = cb->add_count = 0;
	cb->rcode = WIRE_RCODE_NOERROR;
	cb->aa = 1;
	cb->keep12 = keep12;
	cb->dyn = COMPILE_DYN_NONE;
	cb->dyn_owner = 0;
	cb->dyn_node = NULL;
	cb->ref_cut = NULL;
	cb->ntgt = 0;
}

static void
cb_target(struct cbuild *cb, const struct zone_node *n, size_t off)
{
	if (n == NULL || off == 0 || off >= 0x3F00 ||
	    cb->ntgt >= COMPILE_MAXTGT)
		return;
	for (unsigned i = 0; i < cb->ntgt; i++)
		if (cb->tn[i] == n)
			return;
	cb->tn[cb->ntgt] = n;
	cb->toff[cb->ntgt++] = (uint16_t)off;
}

/*
 * DO=1 answers: the RRSIG of rs after it, same owner (RFC 4035 3.1.1),
 * TTL the RRset's as served. \retval records written (0 or 1)
 */
static uint16_t
cb_sig(struct cbuild *cb, long owner_ptr, const uint8_t *owner, size_t olen,
    const struct zone_rrset *rs, uint32_t ttl)
{
	if (!cb->dnssec || rs->rrsig == NULL)
		return 0;
	if (owner_ptr >= 0)
		wire_put_ptr(&cb->w, (uint16_t)owner_ptr);
	else
		wire_put_name(&cb->w, owner, olen, true);
	wire_put_u16(&cb->w, DNSSEC_TYPE_RRSIG);
	wire_put_u16(&cb->w, WIRE_CLASS_IN);
	wire_put_u32(&cb->w, ttl);
	wire_put_u16(&cb->w, rs->rrsig_len);
	/* RFC 4034 3.1.7: the signer name is not compressed */
	wire_put_bytes(&cb->w, rs->rrsig, rs->rrsig_len);
	return 1;
}

/* The prepared NSEC of a chain entry and its RRSIG, owner the name at
 * offset 12 (the blob is compiled for that name). */
static void
cb_nsec(struct cbuild *cb, const struct sign_nsec *e)
{
	const struct sign_rr *r = &e->var[0];
	size_t nl = e->node->namelen;

	if (r->wire == NULL)
		return;
	wire_put_ptr(&cb->w, WIRE_HDR_LEN);
	wire_put_bytes(&cb->w, r->wire + nl, r->nsec_len - nl);
	wire_put_ptr(&cb->w, WIRE_HDR_LEN);
	wire_put_bytes(&cb->w, r->wire + r->sig_owner + 2,
	    (size_t)r->len - r->sig_owner - 2);
	cb->ns += 2;
}

/* Addresses of one target: required (counted in ar_req) or optional. */
static void
cb_addresses(struct cbuild *cb, const struct zone_node *n, uint16_t off,
    bool required)
{
	static const uint16_t types[2] = { ZONE_TYPE_A, ZONE_TYPE_AAAA };

	if (n == NULL)
		return;
	for (int k = 0; k < 2; k++) {
		const struct zone_rrset *rs = zone_rrset_find(n, types[k]);

		if (rs == NULL)
			continue;
		if (!required && cb->nadd >= COMPILE_MAXOPT)
			return;
		compile_put_rrset(&cb->w, off, NULL, 0, rs, rs->ttl, NULL, 0);
		if (required) {
			cb->ar_req += rs->count;
		} else {
			cb->add_count += rs->count;
			cb->add_count += cb_sig(cb, off, NULL, 0, rs, rs->ttl);
			cb->add_end[cb->nadd] = (uint32_t)(cb->w.len - cb->body_start);
			cb->add_ar[cb->nadd++] = cb->add_count;
		}
	}
}

/* Collect in-zone targets of an answer RRset for the additional section. */
static void
cb_collect(struct cbuild *cb, const struct zone *z, const struct zone_rrset *rs,
    const size_t *offs, size_t noffs)
{
	if (rs->type != ZONE_TYPE_MX && rs->type != ZONE_TYPE_NS &&
	    rs->type != ZONE_TYPE_SRV)
		return;
	for (uint16_t i = 0; i < rs->count && i < noffs; i++) {
		const uint8_t *t;
		size_t tl;
		struct zone_node *n;

		if ((t = rdata_target(rs, i, &tl)) == NULL)
			continue;
		if ((n = find_in_zone(z, t, tl, cb->tmp)) == NULL)
			continue;
		if (compile_cut_of(n) != NULL && rs->type != ZONE_TYPE_NS)
			continue;	/* not ours to answer */
		cb_target(cb, n, offs[i]);
	}
}

static void
cb_soa(struct cbuild *cb, const struct zone *z)
{
	/* the apex name is a suffix of every in-zone name in the buffer */
	compile_put_rrset(&cb->w, -1, z->origin, z->origin_len, z->soa,
	    z->neg_ttl, NULL, 0);
	cb->ns++;
	cb->ns += cb_sig(cb, -1, z->origin, z->origin_len, z->soa, z->neg_ttl);
}

static int
cb_finish(struct cbuild *cb, struct compile_blob **out)
{
	struct compile_blob *b;
	size_t blen, size, np;
	uint8_t *mem;

	if (cb->w.overflow)
		return -1;
	if (cb->len_req == 0 && cb->nadd == 0)
		cb->len_req = cb->w.len - cb->body_start;
	blen = cb->w.len - cb->body_start;
	np = cb->w.nptrs;
	size = blen + np * sizeof(uint16_t) + cb->nadd * (sizeof(uint32_t) +
	    sizeof(uint16_t)) + 8;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return -1;
	if ((mem = malloc(size)) == NULL) {
		free(b);
		return -1;
	}
	b->body = mem;
	memcpy(mem, cb->buf + cb->body_start, blen);
	b->len = (uint32_t)blen;
	b->len_req = (uint32_t)cb->len_req;
	/* uint32 array first for alignment, after the body rounded up */
	mem += (blen + 7) & ~(size_t)7;
	b->add_end = (uint32_t *)mem;
	memcpy(b->add_end, cb->add_end, cb->nadd * sizeof(uint32_t));
	mem += cb->nadd * sizeof(uint32_t);
	b->add_ar = (uint16_t *)mem;
	memcpy(b->add_ar, cb->add_ar, cb->nadd * sizeof(uint16_t));
	mem += cb->nadd * sizeof(uint16_t);
	b->ptrs = (uint16_t *)mem;
	for (size_t i = 0; i < np; i++)
		b->ptrs[i] = (uint16_t)(cb->ptrs[i] - cb->body_start);
	b->nptrs = (uint32_t)np;
	b->nadd = cb->nadd;
	b->an = cb->an;
	b->ns = cb->ns;
	b->ar_req = cb->ar_req;
	b->cqname_len = (uint16_t)cb->cqname_len;
	b->rcode = cb->rcode;
	b->aa = cb->aa;
	b->keep12 = cb->keep12;
	b->dyn = cb->dyn;
	b->dyn_owner = cb->dyn_owner;
	b->dyn_node = cb->dyn_node;
	*out = b;
	return 0;
}

static void
blob_free(struct compile_blob *b)
{
	if (b == NULL)
		return;
	free(b->body);
	free(b);
}

static int
dyn_kind(const struct zone *z, const struct zone_node *n, uint16_t type)
{
	if (type == DNSSEC_TYPE_NSEC && z->sec != NULL && (n->dynmx != NULL ||
	    n->dyna != NULL || n->dynsrv != NULL))
		return COMPILE_DYN_NSEC;
	if (type == ZONE_TYPE_MX && n->dynmx != NULL)
		return COMPILE_DYN_MX;
	if (type == ZONE_TYPE_A && n->dyna != NULL)
		return COMPILE_DYN_A;
	if (type == ZONE_TYPE_AAAA && n->dyna != NULL)
		return COMPILE_DYN_AAAA;
	if (type == ZONE_TYPE_SRV && n->dynsrv != NULL)
		return COMPILE_DYN_SRV;
	return COMPILE_DYN_NONE;
}

/*
 * The answer for qtype at node (qname = node name, or a name the wildcard
 * node stands for): the RRset, or a CNAME chain, plus additional data.
 */
static void
cb_answer(struct cbuild *cb, const struct zone *z, const struct zone_node *node,
    uint16_t qtype)
{
	const struct zone_node *cur = node, *seen[COMPILE_CNAME_MAX + 2];
	unsigned nseen = 0;
	long owner = WIRE_HDR_LEN;

	seen[nseen++] = node;
	if (qtype == DNSSEC_TYPE_RRSIG && z->sec != NULL) {
		/* the signatures of the name's static RRsets */
		for (uint16_t i = 0; i < node->nrrsets; i++)
			cb->an += cb_sig(cb, owner, NULL, 0, &node->rrsets[i],
			    node->rrsets[i].ttl);
		if (node->dynmx != NULL || node->dyna != NULL ||
		    node->dynsrv != NULL) {
			/* and those of its dynamic RRsets and NSEC */
			cb->dyn = COMPILE_DYN_RRSIG;
			cb->dyn_owner = (uint16_t)owner;
			cb->dyn_node = node;
		}
		return;
	}
	for (unsigned step = 0;; step++) {
		const struct zone_rrset *cn = NULL, *rs;
		const uint8_t *t;
		size_t tl, toff[1] = { 0 };
		struct zone_node *tn;
		int dk;

		/* the NSEC of a CNAME's owner is its own (RFC 4035 2.3) */
		if (qtype != ZONE_TYPE_CNAME && !(step == 0 &&
		    qtype == DNSSEC_TYPE_NSEC && z->sec != NULL))
			cn = zone_rrset_find(cur, ZONE_TYPE_CNAME);
		if (cn != NULL) {
			compile_put_rrset(&cb->w, owner, NULL, 0, cn, cn->ttl,
			    toff, 1);
			cb->an += cn->count;
			cb->an += cb_sig(cb, owner, NULL, 0, cn, cn->ttl);
			if (step >= COMPILE_CNAME_MAX || toff[0] == 0 ||
			    toff[0] >= 0x3F00 ||
			    (t = rdata_target(cn, 0, &tl)) == NULL)
				return;
			wire_name_lower(cb->tmp, t, tl);
			if (!wire_name_is_subdomain(cb->tmp, tl, z->origin,
			    z->origin_len))
				return;		/* out of zone: the client goes on */
			owner = (long)toff[0];
			tn = zone_find(z, cb->tmp, tl, zone_hash(cb->tmp, tl));
			/* signed: a target that needs a denial proof or is
			 * delegated ends the answer; the validator asks for
			 * it, and gets the proofs with that answer */
			if (cb->dnssec && (tn == NULL || (tn != z->apex &&
			    compile_cut_of(tn) != NULL)))
				return;
			if (tn == NULL) {
				struct zone_node *ce;

				ce = compile_closest_encloser(z, cb->tmp, tl);
				if (ce != z->apex &&
				    compile_cut_of(ce) != NULL) {
					cb->ref_cut = compile_cut_of(ce);
					return;	/* referral after the CNAME */
				}
				if (ce->wildcard == NULL ||
				    compile_cut_of(ce->wildcard) != NULL) {
					cb->rcode = WIRE_RCODE_NXDOMAIN;
					cb_soa(cb, z);
					return;
				}
				tn = ce->wildcard;
			}
			if (tn != z->apex && compile_cut_of(tn) != NULL &&
			    !(qtype == WIRE_TYPE_DS &&
			    compile_cut_of(tn) == tn)) {
				/* RFC 1034 4.3.2 step 3b: the target is
				 * delegated, the referral follows the CNAME */
				cb->ref_cut = compile_cut_of(tn);
				return;
			}
			for (unsigned i = 0; i < nseen; i++)
				if (seen[i] == tn)
					return;		/* loop */
			seen[nseen++] = tn;
			cur = tn;
			continue;
		}
		if ((dk = dyn_kind(z, cur, qtype)) != COMPILE_DYN_NONE) {
			cb->dyn = (uint8_t)dk;
			cb->dyn_owner = (uint16_t)owner;
			cb->dyn_node = cur;
			return;
		}
		if ((rs = zone_rrset_find(cur, qtype)) != NULL) {
			size_t offs[COMPILE_MAXTGT];

			memset(offs, 0, sizeof(offs));
			compile_put_rrset(&cb->w, owner, NULL, 0, rs, rs->ttl,
			    offs, COMPILE_MAXTGT);
			cb->an += rs->count;
			cb->an += cb_sig(cb, owner, NULL, 0, rs, rs->ttl);
			cb_collect(cb, z, rs, offs, COMPILE_MAXTGT);
			return;
		}
		if (cb->dnssec && step > 0)
			return;	/* signed: the target's NODATA is its own */
		cb_soa(cb, z);	/* NODATA at the end of the chain */
		return;
	}
}

/*
 * The NS RRset of cut in authority and its glue below the cut (required:
 * TC when it does not fit, RFC 9471); other in-zone NS targets stay in the
 * candidate list as optional additional data. Owner compressed.
 */
static void
cb_delegation(struct cbuild *cb, const struct zone *z,
    const struct zone_node *cut)
{
	const struct zone_rrset *ns = zone_rrset_find(cut, ZONE_TYPE_NS);
	size_t offs[COMPILE_MAXTGT];
	unsigned first = cb->ntgt;

	if (ns == NULL)
		return;
	memset(offs, 0, sizeof(offs));
	compile_put_rrset(&cb->w,
	    cb->w.len == cb->body_start ? WIRE_HDR_LEN : -1,
	    cut->name, cut->namelen, ns, ns->ttl, offs, COMPILE_MAXTGT);
	cb->ns += ns->count;
	cb_collect(cb, z, ns, offs, COMPILE_MAXTGT);
	for (unsigned i = first; i < cb->ntgt; i++)
		if (wire_name_is_subdomain(cb->tn[i]->name, cb->tn[i]->namelen,
		    cut->name, cut->namelen)) {
			cb_addresses(cb, cb->tn[i], cb->toff[i], true);
			cb->tn[i] = NULL;	/* written */
		}
}

static void
cb_additional(struct cbuild *cb)
{
	cb->len_req = cb->w.len - cb->body_start;
	for (unsigned i = 0; i < cb->ntgt; i++)
		cb_addresses(cb, cb->tn[i], cb->toff[i], false);
}

static int
compile_answer(struct cbuild *cb, const struct zone *z,
    const struct zone_node *n, uint16_t qtype, struct compile_blob **out)
{
	cb_begin(cb, n->name, n->namelen, (n->flags & ZONE_NODE_WILD) != 0);
	cb_answer(cb, z, n, qtype);
	if (cb->ref_cut != NULL)
		cb_delegation(cb, z, cb->ref_cut);
	/* signed answers carry no optional additional data: a validator
	 * asks for the targets' addresses itself (it would not trust them
	 * from the additional section), and the signatures would double
	 * the size of every MX answer for nothing (and its amplification);
	 * signed wildcard answers also get their NSEC appended in authority
	 * by the query path */
	if (cb->dnssec)
		cb->len_req = cb->w.len - cb->body_start;
	else
		cb_additional(cb);
	return cb_finish(cb, out);
}

/*
 * Signed referrals and DS answers (RFC 4035 3.1.4): the DS RRset of the
 * cut and its RRSIG, or the cut's NSEC (NS, no DS) proving there is none:
 * an insecure delegation. The blob is compiled for the cut's name.
 */
static void
cb_ds_proof(struct cbuild *cb, const struct zone *z,
    const struct zone_node *cut)
{
	const struct zone_rrset *ds = zone_rrset_find(cut, DNSSEC_TYPE_DS);
	const struct sign_nsec *e;

	if (ds != NULL) {
		compile_put_rrset(&cb->w, WIRE_HDR_LEN, NULL, 0, ds, ds->ttl,
		    NULL, 0);
		cb->ns += ds->count;
		cb->ns += cb_sig(cb, WIRE_HDR_LEN, NULL, 0, ds, ds->ttl);
		return;
	}
	if ((e = sign_nsec_of(z->sec, cut)) != NULL)
		cb_nsec(cb, e);
}

/* DS at a cut, from the parent side: the DS RRset, or NODATA (signed:
 * with the cut's NSEC). */
static int
compile_ds(struct cbuild *cb, const struct zone *z,
    const struct zone_node *cut, struct compile_blob **out)
{
	const struct zone_rrset *ds = zone_rrset_find(cut, DNSSEC_TYPE_DS);
	const struct sign_nsec *e;

	cb_begin(cb, cut->name, cut->namelen, false);
	if (ds != NULL) {
		compile_put_rrset(&cb->w, WIRE_HDR_LEN, NULL, 0, ds, ds->ttl,
		    NULL, 0);
		cb->an += ds->count;
		cb->an += cb_sig(cb, WIRE_HDR_LEN, NULL, 0, ds, ds->ttl);
	} else {
		cb_soa(cb, z);
		if (cb->dnssec && (e = sign_nsec_of(z->sec, cut)) != NULL)
			cb_nsec(cb, e);
	}
	cb->len_req = cb->w.len - cb->body_start;
	return cb_finish(cb, out);
}

static int
compile_referral(struct cbuild *cb, const struct zone *z,
    const struct zone_node *cut, struct compile_blob **out)
{
	const struct zone_rrset *ns = zone_rrset_find(cut, ZONE_TYPE_NS);
	size_t offs[COMPILE_MAXTGT];

	cb_begin(cb, cut->name, cut->namelen, false);
	cb->aa = 0;
	if (ns != NULL) {
		memset(offs, 0, sizeof(offs));
		compile_put_rrset(&cb->w, WIRE_HDR_LEN, NULL, 0, ns, ns->ttl,
		    offs, COMPILE_MAXTGT);
		cb->ns += ns->count;
		cb_collect(cb, z, ns, offs, COMPILE_MAXTGT);
	}
	if (cb->dnssec)
		cb_ds_proof(cb, z, cut);
	/* glue below the cut is required (RFC 9471), the rest optional */
	for (unsigned i = 0; i < cb->ntgt; i++)
		if (wire_name_is_subdomain(cb->tn[i]->name, cb->tn[i]->namelen,
		    cut->name, cut->namelen))
			cb_addresses(cb, cb->tn[i], cb->toff[i], true);
	cb->len_req = cb->w.len - cb->body_start;
	for (unsigned i = 0; i < cb->ntgt; i++)
		if (!wire_name_is_subdomain(cb->tn[i]->name, cb->tn[i]->namelen,
		    cut->name, cut->namelen))
			cb_addresses(cb, cb->tn[i], cb->toff[i], false);
	return cb_finish(cb, out);
}

static int
compile_negative(struct cbuild *cb, const struct zone *z, uint8_t rcode,
    struct compile_blob **out)
{
	cb_begin(cb, z->origin, z->origin_len, false);
	cb->rcode = rcode;
	compile_put_rrset(&cb->w, WIRE_HDR_LEN, NULL, 0, z->soa, z->neg_ttl,
	    NULL, 0);
	cb->ns++;
	cb->ns += cb_sig(cb, WIRE_HDR_LEN, NULL, 0, z->soa, z->neg_ttl);
	cb->len_req = cb->w.len - cb->body_start;
	return cb_finish(cb, out);
}

static bool
has_type(const uint16_t *types, size_t n, uint16_t t)
{
	for (size_t i = 0; i < n; i++)
		if (types[i] == t)
			return true;
	return false;
}

static void
add_type(uint16_t *types, size_t *n, size_t max, uint16_t t)
{
	if (*n < max && !has_type(types, *n, t))
		types[(*n)++] = t;
}

static void
node_types(const struct zone_node *n, uint16_t *types, size_t *nt, size_t max)
{
	for (uint16_t i = 0; i < n->nrrsets; i++)
		add_type(types, nt, max, n->rrsets[i].type);
	if (n->dynmx != NULL)
		add_type(types, nt, max, ZONE_TYPE_MX);
	if (n->dyna != NULL) {
		add_type(types, nt, max, ZONE_TYPE_A);
		add_type(types, nt, max, ZONE_TYPE_AAAA);
	}
	if (n->dynsrv != NULL)
		add_type(types, nt, max, ZONE_TYPE_SRV);
}

/* Types worth a blob at a CNAME node: CNAME and those of the chain's nodes. */
static void
chain_types(const struct zone *z, const struct zone_node *n, uint16_t *types,
    size_t *nt, size_t max, uint8_t *tmp)
{
	add_type(types, nt, max, ZONE_TYPE_CNAME);
	for (unsigned step = 0; step <= COMPILE_CNAME_MAX; step++) {
		const struct zone_rrset *cn = zone_rrset_find(n, ZONE_TYPE_CNAME);
		const uint8_t *t;
		size_t tl;
		struct zone_node *tn;

		if (cn == NULL) {
			node_types(n, types, nt, max);
			return;
		}
		if ((t = rdata_target(cn, 0, &tl)) == NULL)
			return;
		if ((tn = find_in_zone(z, t, tl, tmp)) == NULL) {
			if (!wire_name_is_subdomain(tmp, tl, z->origin,
			    z->origin_len))
				return;
			tn = compile_closest_encloser(z, tmp, tl);
			if ((tn != z->apex && compile_cut_of(tn) != NULL) ||
			    tn->wildcard == NULL)
				return;
			tn = tn->wildcard;
		}
		if (tn != z->apex && compile_cut_of(tn) != NULL) {
			/* DS: the parent side */
			if (compile_cut_of(tn) == tn)
				add_type(types, nt, max, WIRE_TYPE_DS);
			return;
		}
		n = tn;
	}
}

/*
 * The one RRset answering ANY (RFC 8482 4.1), chosen as NSD does: in
 * template order, the first of A, AAAA, SOA, MX, PTR; else the last other
 * type; else DNSKEY/RRSIG/NSEC. Dynamic types come after the static ones.
 */
static uint16_t
any_type(const struct zone_node *n, const uint16_t *types, size_t nt)
{
	uint16_t normal = 0, non_pref = 0;

	if (zone_rrset_find(n, ZONE_TYPE_CNAME) != NULL)
		return ZONE_TYPE_CNAME;
	for (size_t i = 0; i < nt; i++) {
		switch (types[i]) {
		case ZONE_TYPE_A: case ZONE_TYPE_AAAA: case ZONE_TYPE_SOA:
		case ZONE_TYPE_MX: case ZONE_TYPE_PTR:
			return types[i];
		case 46: case 47: case 48:	/* RRSIG NSEC DNSKEY */
			non_pref = types[i];
			break;
		default:
			normal = types[i];
			break;
		}
	}
	return normal != 0 ? normal : non_pref;
}

/*
 * One MX or SRV record (and its target's addresses) for the fast path;
 * name NULL: none. The preference (MX), priority and weight (SRV) and the
 * TTL are patched per query; port is the SRV port.
 */
static int
frag_build(struct cbuild *cb, const struct zone_node *n, uint16_t type,
    uint16_t port, const uint8_t *name, const struct zone_node *sn,
    struct compile_frag *f)
{
	static const uint16_t at[2] = { ZONE_TYPE_A, ZONE_TYPE_AAAA };
	uint8_t rr[WIRE_NAME_MAX + 20];
	size_t nl, rrlen, addlen, np, rdpos;

	memset(f, 0, sizeof(*f));
	if (name == NULL || (nl = wire_name_len(name, WIRE_NAME_MAX)) == 0)
		return 0;
	cb_begin(cb, n->name, n->namelen, false);
	wire_put_ptr(&cb->w, WIRE_HDR_LEN);
	wire_put_u16(&cb->w, type);
	wire_put_u16(&cb->w, WIRE_CLASS_IN);
	wire_put_u32(&cb->w, 0);
	wire_put_u16(&cb->w, 0);
	rdpos = cb->w.len;
	wire_put_u16(&cb->w, 0);
	if (type == ZONE_TYPE_SRV) {
		wire_put_u16(&cb->w, 0);
		wire_put_u16(&cb->w, port);
	}
	/* RFC 2782: an SRV target is not compressed */
	wire_put_name(&cb->w, name, nl, type != ZONE_TYPE_SRV);
	if (cb->w.overflow)
		return -1;
	wire_set16(cb->buf + rdpos - 2, (uint16_t)(cb->w.len - rdpos));
	rrlen = cb->w.len - cb->body_start;
	memcpy(rr, cb->buf + cb->body_start, rrlen);
	f->tgt = type == ZONE_TYPE_SRV ? 18 : 14;

	cb_begin(cb, n->name, n->namelen, false);
	for (int k = 0; k < 2 && sn != NULL; k++) {
		const struct zone_rrset *rs = zone_rrset_find(sn, at[k]);

		if (rs == NULL)
			continue;
		compile_put_rrset(&cb->w, WIRE_HDR_LEN, NULL, 0, rs, rs->ttl,
		    NULL, 0);
		f->naddrr += rs->count;
		if (f->addlen1 == 0 && !cb->w.overflow) {
			f->addlen1 = (uint16_t)(cb->w.len - cb->body_start);
			f->naddrr1 = f->naddrr;
		}
	}
	if (cb->w.overflow)
		return -1;
	addlen = cb->w.len - cb->body_start;
	np = cb->w.nptrs;
	if ((f->mem = malloc(rrlen + addlen + np * sizeof(uint16_t) + 2)) ==
	    NULL)
		return -1;
	f->addptr = (uint16_t *)f->mem;
	for (size_t i = 0; i < np; i++)
		f->addptr[i] = (uint16_t)(cb->ptrs[i] - cb->body_start);
	f->rr = f->mem + np * sizeof(uint16_t);
	memcpy(f->rr, rr, rrlen);
	f->add = f->rr + rrlen;
	memcpy(f->add, cb->buf + cb->body_start, addlen);
	f->rrlen = (uint16_t)rrlen;
	f->addlen = (uint16_t)addlen;
	if (np != f->naddrr)	/* owners are the only pointers */
		return -1;
	return 0;
}

static void
dyn_free(struct compile_dyn *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n; i++)
		free(d->srv[i].mem);
	free(d->srv);
	free(d->relay.mem);
	free(d);
}

/* The fast-path fragments of dynamic record dy (DYNMX: type MX, with the
 * relay host; DYNSRV: type SRV, without) at n. */
static int
compile_dyn(struct cbuild *cb, const struct zone *z, const struct zone_node *n,
    const struct zone_dyn *dy, uint16_t type, struct compile_dyn **out)
{
	const struct zone_pool_ref *ref = zone_pool_ref(z, dy->pool);
	struct compile_dyn *d;

	*out = NULL;
	if (ref == NULL || (n->flags & ZONE_NODE_WILD))
		return 0;
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->srv = calloc(ref->nservers + 1, sizeof(*d->srv))) == NULL) {
		free(d);
		return -1;
	}
	*out = d;
	d->n = ref->nservers;
	for (size_t i = 0; i < ref->nservers; i++)
		if (frag_build(cb, n, type, dy->port, ref->server_name[i],
		    ref->server_node[i], &d->srv[i]) != 0)
			return -1;
	if (type != ZONE_TYPE_MX)
		return 0;
	return frag_build(cb, n, type, 0, ref->relay_name, NULL, &d->relay);
}

static void
node_answers_free(void *p)
{
	struct compile_node *an = p;

	if (an == NULL || an == &compile_empty)
		return;
	node_answers_free(an->sec);
	dyn_free(an->dyn);
	dyn_free(an->dynsrv);
	for (uint16_t i = 0; i < an->ntypes; i++)
		free(an->blobs[i].body);
	free(an->blobs);
	free(an->types);
	for (int i = 0; i < COMPILE_NSPECIAL; i++)
		blob_free(an->special[i]);
	free(an);
}

#define COMPILE_MAXTYPES 64

/* Signed zones: RRSIG at a name with signatures, NSEC at a dynamic name
 * (static names have their NSEC as an RRset). */
static void
signed_types(const struct zone *z, const struct zone_node *n,
    uint16_t *types, size_t *nt)
{
	if (z->sec == NULL)
		return;
	if (n->dynmx != NULL || n->dyna != NULL || n->dynsrv != NULL)
		add_type(types, nt, COMPILE_MAXTYPES, DNSSEC_TYPE_RRSIG);
	for (uint16_t i = 0; i < n->nrrsets; i++)
		if (n->rrsets[i].rrsig != NULL) {
			add_type(types, nt, COMPILE_MAXTYPES, DNSSEC_TYPE_RRSIG);
			break;
		}
	if (n->dynmx != NULL || n->dyna != NULL || n->dynsrv != NULL ||
	    zone_rrset_find(n, DNSSEC_TYPE_NSEC) != NULL)
		add_type(types, nt, COMPILE_MAXTYPES, DNSSEC_TYPE_NSEC);
}

static int compile_node_into(struct cbuild *cb, const struct zone *z,
    struct zone_node *n, struct compile_node *an, const uint16_t *types,
    size_t nt, bool cname, bool is_cut);

static int
compile_node(struct cbuild *cb, const struct zone *z, struct zone_node *n)
{
	struct compile_node *an;
	uint16_t types[COMPILE_MAXTYPES];
	size_t nt = 0;
	struct zone_node *cut = n == z->apex ? NULL : compile_cut_of(n);
	bool cname, is_cut = cut == n;

	cname = zone_rrset_find(n, ZONE_TYPE_CNAME) != NULL;
	if (cut != NULL && !is_cut) {
		n->answers = &compile_empty;	/* below a cut: referral */
		return 0;
	}
	if (cname)
		chain_types(z, n, types, &nt, COMPILE_MAXTYPES, cb->tmp);
	else
		node_types(n, types, &nt, COMPILE_MAXTYPES);
	if (!is_cut)
		signed_types(z, n, types, &nt);
	if (nt == 0 && !is_cut && n != z->apex) {
		n->answers = &compile_empty;
		return 0;
	}
	cb->what = WHAT_TYPE;
	cb->what_type = 0;
	if ((an = calloc(1, sizeof(*an))) == NULL)
		return -1;
	n->answers = an;
	cb->dnssec = false;
	if (compile_node_into(cb, z, n, an, types, nt, cname, is_cut) != 0)
		return -1;
	if (z->sec == NULL)
		return 0;
	/* the DO=1 answers of a signed zone */
	if ((an->sec = calloc(1, sizeof(*an->sec))) == NULL)
		return -1;
	cb->dnssec = true;
	if (compile_node_into(cb, z, n, an->sec, types, nt, cname,
	    is_cut) != 0)
		return -1;
	cb->dnssec = false;
	return 0;
}

static int
compile_node_into(struct cbuild *cb, const struct zone *z,
    struct zone_node *n, struct compile_node *an, const uint16_t *types,
    size_t nt, bool cname, bool is_cut)
{
	if (is_cut && n != z->apex) {
		cb->what = WHAT_REFERRAL;
		if (compile_referral(cb, z, n,
		    &an->special[COMPILE_REFERRAL]) != 0)
			return -1;
		cb->what = WHAT_TYPE;
		cb->what_type = WIRE_TYPE_DS;
		return compile_ds(cb, z, n, &an->special[COMPILE_DS]);
	}
	if (nt > 0) {
		if ((an->types = calloc(nt, sizeof(*an->types))) == NULL ||
		    (an->blobs = calloc(nt, sizeof(*an->blobs))) == NULL)
			return -1;
	}
	for (size_t i = 0; i < nt; i++) {
		struct compile_blob *b;

		cb->what_type = types[i];
		if (compile_answer(cb, z, n, types[i], &b) != 0)
			return -1;
		an->types[an->ntypes] = types[i];
		an->blobs[an->ntypes++] = *b;
		free(b);	/* the struct was copied; body stays */
	}
	an->any_type = any_type(n, types, nt);
	if (cb->dnssec)
		goto chain;	/* dynamic answers: dnsd/dynsign.h */
	cb->what = WHAT_DYNMX;
	if (n->dynmx != NULL && compile_dyn(cb, z, n, n->dynmx, ZONE_TYPE_MX,
	    &an->dyn) != 0)
		return -1;
	cb->what = WHAT_DYNSRV;
	if (n->dynsrv != NULL && compile_dyn(cb, z, n, n->dynsrv,
	    ZONE_TYPE_SRV, &an->dynsrv) != 0)
		return -1;
chain:
	cb->what = WHAT_CHAIN;
	if (cname && compile_answer(cb, z, n, 0,
	    &an->special[COMPILE_OTHER]) != 0)
		return -1;
	cb->what = WHAT_NEGATIVE;
	if (n == z->apex) {
		if (compile_negative(cb, z, WIRE_RCODE_NOERROR,
		    &an->special[COMPILE_NODATA]) != 0 ||
		    compile_negative(cb, z, WIRE_RCODE_NXDOMAIN,
		    &an->special[COMPILE_NXDOMAIN]) != 0)
			return -1;
	}
	return 0;
}

/*
 * Where an error about node i is reported: its first record; for a node
 * without one (an empty non-terminal) the nearest node below it that has
 * one (nodes come parents first), else the nearest above (the apex has
 * its SOA).
 */
static void
node_where(const struct zone *z, size_t i, const char **file, int *line)
{
	const struct zone_node *n = z->nodes[i], *a;

	*file = z->file;
	*line = 0;
	if (n->file != NULL) {
		*file = n->file;
		*line = n->line;
		return;
	}
	for (size_t j = i + 1; j < z->nnodes; j++) {
		if (z->nodes[j]->file == NULL)
			continue;
		a = z->nodes[j]->parent;
		while (a != NULL && a != n)
			a = a->parent;
		if (a == n) {
			*file = z->nodes[j]->file;
			*line = z->nodes[j]->line;
			return;
		}
	}
	for (a = n->parent; a != NULL; a = a->parent)
		if (a->file != NULL) {
			*file = a->file;
			*line = a->line;
			return;
		}
}

/* Report the failure of compile_node for node i. */
static void
node_error(struct diag *d, const struct zone *z, size_t i,
    const struct cbuild *cb)
{
	const struct zone_node *n = z->nodes[i];
	ldns_rdf *rdf;
	char *name = NULL, *type = NULL, what[64];
	const char *file;
	int line;

	node_where(z, i, &file, &line);
	if ((rdf = ldns_dname_new_frm_data(n->namelen, n->name)) != NULL) {
		name = ldns_rdf2str(rdf);
		ldns_rdf_deep_free(rdf);
	}
	switch (cb->what) {
	case WHAT_TYPE:
		type = ldns_rr_type2str((ldns_rr_type)cb->what_type);
		snprintf(what, sizeof(what), "the %s answer",
		    type != NULL ? type : "?");
		break;
	case WHAT_REFERRAL:
		snprintf(what, sizeof(what), "the referral");
		break;
	case WHAT_CHAIN:
		snprintf(what, sizeof(what), "the CNAME chain");
		break;
	case WHAT_DYNMX:
		snprintf(what, sizeof(what), "the DYNMX records");
		break;
	case WHAT_DYNSRV:
		snprintf(what, sizeof(what), "the DYNSRV records");
		break;
	default:
		snprintf(what, sizeof(what), "the negative answers");
		break;
	}
	if (cb->w.overflow)
		diag_error(d, file, line, "%s: %s does not fit a message (%u "
		    "bytes at most)", name != NULL ? name : "?", what,
		    (unsigned)COMPILE_SCRATCH);
	else
		diag_error(d, file, line, "%s: out of memory compiling %s",
		    name != NULL ? name : "?", what);
	free(type);
	free(name);
}

int
compile_zone(struct zone *z, struct diag *d)
{
	struct cbuild *cb;
	unsigned nerr = d->nerr;
	const char *file = z->file;
	int line = 0;

	/* errors about the whole zone: at its apex (the SOA line) */
	if (z->apex != NULL && z->apex->file != NULL) {
		file = z->apex->file;
		line = z->apex->line;
	}
	if (z->apex == NULL || z->soa == NULL) {
		diag_error(d, file, line, "zone %s has no SOA at the apex",
		    z->origin_text != NULL ? z->origin_text : "?");
		return -1;
	}
	if ((cb = calloc(1, sizeof(*cb))) == NULL ||
	    (cb->buf = malloc(COMPILE_SCRATCH)) == NULL ||
	    (cb->ptrs = malloc(COMPILE_MAXPTRS * sizeof(uint16_t))) == NULL) {
		diag_error(d, file, line, "out of memory compiling answers");
		goto out;
	}
	z->answers_free = node_answers_free;
	/* Every node, even after an error: each one is reported. */
	for (size_t i = 0; i < z->nnodes; i++)
		if (compile_node(cb, z, z->nodes[i]) != 0)
			node_error(d, z, i, cb);
out:
	if (cb != NULL) {
		free(cb->buf);
		free(cb->ptrs);
		free(cb);
	}
	return d->nerr > nerr ? -1 : 0;
}
