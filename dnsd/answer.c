/* answer.c - the query engine: precompiled answers, per-query lookup and patching.
 *
 * Behaviour choices (each one compared with NSD/Knot, RFC first):
 *  - Positive answers are minimal, like Knot: the answer section only, no NS
 *    RRset in authority. The additional section carries the A/AAAA of
 *    in-zone targets of MX, NS and SRV answers (RFC 1035 4.3.2), whole
 *    RRsets only, dropped from the end when they do not fit (never TC).
 *  - NODATA and NXDOMAIN: zone SOA in authority with TTL = zone neg_ttl
 *    (RFC 2308 min(SOA TTL, MINIMUM)), AA=1.
 *  - CNAME: followed inside the zone, at most ANSWER_CNAME_MAX (16) steps
 *    (NSD has no fixed limit, Knot stops at 5), loops stop the chain; an
 *    out-of-zone target ends the answer (NOERROR); a target at or below a
 *    delegation is followed by that referral (NS in authority, glue in
 *    additional, AA=1: RFC 1034 4.3.2 step 3b, as NSD and Knot), except DS
 *    at the cut itself, answered by the parent side; an in-zone target that
 *    does not exist gives NXDOMAIN with the SOA (as BIND and NSD do); a
 *    target without the type gives the SOA in authority (NODATA form).
 *  - Referrals (qname at or below a cut, except DS at the cut itself): AA=0,
 *    NS of the highest cut in authority, glue in additional: addresses of
 *    NS targets below the cut first (required: TC=1 if they do not fit,
 *    RFC 9471), then other in-zone targets (optional, dropped if needed).
 *    DS at the cut is answered from the parent side (RFC 4035 3.1.4.1): the
 *    DS RRset when the template has one, else NODATA; AA=1.
 *  - Wildcards (RFC 4592): only the "*" child of the closest encloser, never
 *    at or below a cut; the synthesized owner is the qname; CNAME at the
 *    wildcard and NODATA at the wildcard as for an ordinary node.
 *  - ANY (RFC 8482 4.1): one RRset of the node, chosen as NSD does: the
 *    CNAME; else in template order the first of A, AAAA, SOA, MX, PTR
 *    (dynamic DYNMX/DYNA after the static types); else the last other type;
 *    else DNSKEY/RRSIG/NSEC. An empty non-terminal gives NODATA. (Not the
 *    HINFO form.) TYPE0 and other meta types are ordinary unknown types
 *    (CNAMEs followed, NODATA), as NSD.
 *  - AXFR/IXFR (zone transfer is not offered): AXFR over UDP NOTIMP (RFC
 *    5936 4.2); the apex of a served zone REFUSED; any other name NOTAUTH,
 *    as NSD. An IXFR query's SOA in authority is accepted (RFC 1995).
 *    Class CH: version.bind/version.server and id.server/hostname.bind TXT
 *    when configured, else REFUSED. Class ANY is answered as IN (AA kept,
 *    as Knot); other classes REFUSED.
 *  - REFUSED for a name outside every zone or a class we do not serve
 *    carries EDE 20 "Not Authoritative" (RFC 8914) when the query had EDNS,
 *    as NSD and Knot.
 *  - TSIG (RFC 8945 5.2): no key is configured, so a well-formed TSIG
 *    record (last, class ANY, TTL 0) gives NOTAUTH with an unsigned TSIG,
 *    error BADKEY, as NSD and Knot; a malformed one FORMERR.
 *  - Flags: QR, opcode and RD copied; CD is not copied (not a
 *    security-aware server; NSD and Knot clear it too); RA never set.
 *  - EDNS (RFC 6891): OPT echoed with our payload size, version 0, DO
 *    echoed, no options (NSID, COOKIE, EXPIRE are ignored, as RFC 7873 and
 *    RFC 5001 allow). A FORMERR still carries an OPT when the query had a
 *    readable one (QDCOUNT 0 included). UDP limit: 512 without OPT, else
 *    max(512, min(client size, our payload)).
 *
 * Differences from NSD 4.x, checked by tests/integration/t_dns_vs_nsd.sh
 * (tests/lib/dnsdiff.py known_diff), each an RFC-open choice or NSD quirk:
 *  - error answers (FORMERR, NOTIMP, REFUSED, NOTAUTH) echo the question
 *    and the OPT (as Knot); NSD leaves them out.
 *  - NOTIFY and UPDATE: NOTIMP (not implemented); NSD REFUSED/NXDOMAIN.
 *  - bytes after the last section, QDCOUNT 0 (with or without a cookie):
 *    FORMERR (as Knot); NSD ignores the bytes / answers NOERROR.
 *  - records other than OPT/TSIG in the additional section are skipped
 *    (as Knot); NSD FORMERR. Query RCODE bits ignored; NSD FORMERR.
 *  - TC=1 when the in-domain glue of a referral does not fit (RFC 9471,
 *    as Knot); NSD 4.6 sends part of it without TC.
 *  - QCLASS ANY keeps AA and the negative SOA (as Knot); NSD clears AA.
 *  - MX/SRV answers carry their targets' addresses (as Knot; NSD does with
 *    minimal-responses no, which also adds the apex NS in authority).
 *  - no EDE 18 on refused CH queries (NSD with hide-version).
 *
 * Compiled form: for each node and each type present, a "blob" holding the
 * response body (the bytes after the question) built as if the qname were
 * the node's owner name at offset 12. Per query the header is written, the
 * query's question is copied (letter case kept) and the body memcpy'd. When
 * the qname is longer than the name the blob was compiled for (wildcard
 * synthesis; NXDOMAIN/NODATA bodies compiled once per zone for the apex;
 * referral bodies compiled for the cut), every compression pointer in the
 * body (their positions are stored) whose target lies after offset 12 moves
 * by the length difference: the compiled name is a suffix of the qname, or
 * for a wildcard "*" stands in for the qname's first labels. A pointer to
 * offset 12 itself means "the qname" in wildcard blobs (kept) and "the
 * compiled name" in suffix blobs (moved). Truncation is a length cut at an
 * RRset boundary.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* rcu_read_lock/unlock inlined (the memb flavour of <urcu.h>, as everywhere) */
#define _LGPL_SOURCE
#include <urcu.h>

#include "dnsd/answer.h"
#include "dnsd/base/log.h"
#include "dnsd/policy.h"
#include "dnsd/base/wire.h"
#include "dnsd/world.h"
#include "probes/pstate.h"

#define ANSWER_CNAME_MAX   16
#define ANSWER_EDNS_DEFAULT 1232
#define ANS_MAXTGT         64	/* additional-section targets per blob */
#define ANS_MAXOPT         64	/* optional additional RRsets per blob */
#define ANS_SCRATCH        65535
#define ANS_MAXPTRS        16384

enum { DYN_NONE = 0, DYN_MX, DYN_A, DYN_AAAA };

/* One precompiled response body. */
struct ans_blob {
	uint8_t   *body;	/* one allocation: body, then ptrs, then add_* */
	uint32_t   len;		/* full body */
	uint32_t   len_req;	/* answer + authority + required glue */
	uint16_t  *ptrs;	/* positions (in body) of compression pointers */
	uint32_t   nptrs;
	uint32_t  *add_end;	/* end of each optional additional RRset */
	uint16_t  *add_ar;	/* cumulative optional additional records */
	uint16_t   nadd;
	uint16_t   an, ns, ar_req;
	uint16_t   cqname_len;	/* qname length compiled for */
	uint8_t    rcode;
	uint8_t    aa;
	uint8_t    keep12;	/* pointers to 12 mean the qname (wildcard) */
	uint8_t    dyn;		/* DYN_*: append a dynamic answer after body */
	uint16_t   dyn_owner;	/* compiled offset of the dynamic owner name */
	const struct zone_node *dyn_node;
};

#define ANS_OTHER    0	/* CNAME nodes: chain for types not listed */
#define ANS_REFERRAL 1	/* cut nodes */
#define ANS_NODATA   2	/* apex: zone negative answers */
#define ANS_NXDOMAIN 3
#define ANS_DS       4	/* cut nodes: DS answered from the parent side */
#define ANS_NSPECIAL 5

/*
 * DYNMX fast path: per pool server, its MX record and its addresses
 * precompiled for the exact owner (the qname at offset 12). The MX target is
 * compressed against the question only, so the record can go anywhere; the
 * owner pointers of the address records are patched to where the target
 * landed. Wildcard or CNAME-chained owners take the general path.
 */
struct ans_frag {
	uint8_t  *mem;		/* mx, add, addptr in one allocation */
	uint8_t  *mx;		/* owner 0xC00C ... pref at 12, target at 14 */
	uint8_t  *add;		/* A/AAAA records, owners to patch */
	uint16_t *addptr;	/* positions of the owner pointers in add */
	uint16_t  mxlen, addlen, naddrr;
	uint16_t  addlen1, naddrr1;	/* the first RRset of add (a cut there) */
};

struct ans_dyn {
	size_t           n;	/* == the pool reference's nservers */
	struct ans_frag *srv;
	struct ans_frag  relay;	/* mxlen 0 when no relay name */
};

struct ans_node {
	uint16_t          ntypes;
	uint16_t          any_type;	/* 0: NODATA */
	uint16_t         *types;
	struct ans_blob  *blobs;	/* ntypes */
	struct ans_blob  *special[ANS_NSPECIAL];
	struct ans_dyn   *dyn;		/* DYNMX at a non-wildcard node */
};

static struct ans_node ans_empty;	/* ENT and the like: shared, not freed */

/* First-preference counters (answer_first_pref): pools and servers past
 * these bounds are not counted. */
#define ANS_FP_POOLS   16
#define ANS_FP_SERVERS 64

struct answer_thread {
	struct answer_stats   stats;
	uint64_t              first[ANS_FP_POOLS][ANS_FP_SERVERS];
	struct wire_query     q;
	struct rng     rng;
	uint8_t               tmp[WIRE_NAME_MAX + 1];
	struct answer_thread *next;
};

static pthread_mutex_t       ans_lock = PTHREAD_MUTEX_INITIALIZER;
static struct answer_thread *ans_threads;
static struct answer_stats   ans_retired;
static uint64_t              ans_retired_first[ANS_FP_POOLS][ANS_FP_SERVERS];

/* ------------------------------------------------------------------ */
/* small helpers */

static inline void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/* The highest cut at or above n (a loader may leave cut NULL on the cut). */
static inline struct zone_node *
cut_of(const struct zone_node *n)
{
	if (n->cut != NULL)
		return n->cut;
	if (n->flags & ZONE_NODE_DELEG)
		return (struct zone_node *)(uintptr_t)n;
	return NULL;
}

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

/* Closest existing ancestor of a lowercase in-zone name (the apex at worst). */
static struct zone_node *
closest_encloser(const struct zone *z, const uint8_t *name, size_t len)
{
	size_t off = 0;

	while (off < len && name[off] != 0) {
		struct zone_node *n;

		off += 1 + (size_t)name[off];
		if (len - off < z->origin_len)
			break;
		n = zone_find(z, name + off, len - off,
		    zone_hash(name + off, len - off));
		if (n != NULL)
			return n;
	}
	return z->apex;
}

/* ------------------------------------------------------------------ */
/* writing RRsets (compile time and dynamic answers) */

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
		size_t rdlen = rd16(rdata + o), rdpos, nl, nl2;
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
			wr16(w->buf + rdpos - 2, (uint16_t)(w->len - rdpos));
	}
}

static void
put_zrrset(struct wire_writer *w, long owner_ptr, const uint8_t *owner,
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
		size_t rdlen = rd16(rs->rdata + o);

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
	uint32_t  add_end[ANS_MAXOPT];
	uint16_t  add_ar[ANS_MAXOPT];
	uint16_t  nadd, add_count;
	uint8_t   rcode, aa, keep12, dyn;
	uint16_t  dyn_owner;
	const struct zone_node *dyn_node;
	const struct zone_node *ref_cut;	/* chain ended at/below this cut */
	/* additional-section candidates */
	const struct zone_node *tn[ANS_MAXTGT];
	uint16_t  toff[ANS_MAXTGT];
	unsigned  ntgt;
	uint8_t   tmp[WIRE_NAME_MAX + 1];
};

static void
cb_begin(struct cbuild *cb, const uint8_t *qname, size_t qlen, bool keep12)
{
	wire_writer_init(&cb->w, cb->buf, ANS_SCRATCH, 0);
	cb->w.ptrs = cb->ptrs;
	cb->w.ptrcap = ANS_MAXPTRS;
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
	cb->dyn = DYN_NONE;
	cb->dyn_owner = 0;
	cb->dyn_node = NULL;
	cb->ref_cut = NULL;
	cb->ntgt = 0;
}

static void
cb_target(struct cbuild *cb, const struct zone_node *n, size_t off)
{
	if (n == NULL || off == 0 || off >= 0x3F00 || cb->ntgt >= ANS_MAXTGT)
		return;
	for (unsigned i = 0; i < cb->ntgt; i++)
		if (cb->tn[i] == n)
			return;
	cb->tn[cb->ntgt] = n;
	cb->toff[cb->ntgt++] = (uint16_t)off;
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
		if (!required && cb->nadd >= ANS_MAXOPT)
			return;
		put_zrrset(&cb->w, off, NULL, 0, rs, rs->ttl, NULL, 0);
		if (required) {
			cb->ar_req += rs->count;
		} else {
			cb->add_count += rs->count;
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
		if (cut_of(n) != NULL && rs->type != ZONE_TYPE_NS)
			continue;	/* not ours to answer */
		cb_target(cb, n, offs[i]);
	}
}

static void
cb_soa(struct cbuild *cb, const struct zone *z)
{
	/* the apex name is a suffix of every in-zone name in the buffer */
	put_zrrset(&cb->w, -1, z->origin, z->origin_len, z->soa, z->neg_ttl,
	    NULL, 0);
	cb->ns++;
}

static int
cb_finish(struct cbuild *cb, struct ans_blob **out)
{
	struct ans_blob *b;
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
blob_free(struct ans_blob *b)
{
	if (b == NULL)
		return;
	free(b->body);
	free(b);
}

/* Allocation size of a blob body block, for the sizing above. */

static int
dyn_kind(const struct zone_node *n, uint16_t type)
{
	if (type == ZONE_TYPE_MX && n->dynmx != NULL)
		return DYN_MX;
	if (type == ZONE_TYPE_A && n->dyna != NULL)
		return DYN_A;
	if (type == ZONE_TYPE_AAAA && n->dyna != NULL)
		return DYN_AAAA;
	return DYN_NONE;
}

/*
 * The answer for qtype at node (qname = node name, or a name the wildcard
 * node stands for): the RRset, or a CNAME chain, plus additional data.
 */
static void
cb_answer(struct cbuild *cb, const struct zone *z, const struct zone_node *node,
    uint16_t qtype)
{
	const struct zone_node *cur = node, *seen[ANSWER_CNAME_MAX + 2];
	unsigned nseen = 0;
	long owner = WIRE_HDR_LEN;

	seen[nseen++] = node;
	for (unsigned step = 0;; step++) {
		const struct zone_rrset *cn = NULL, *rs;
		const uint8_t *t;
		size_t tl, toff[1] = { 0 };
		struct zone_node *tn;
		int dk;

		if (qtype != ZONE_TYPE_CNAME)
			cn = zone_rrset_find(cur, ZONE_TYPE_CNAME);
		if (cn != NULL) {
			put_zrrset(&cb->w, owner, NULL, 0, cn, cn->ttl, toff, 1);
			cb->an += cn->count;
			if (step >= ANSWER_CNAME_MAX || toff[0] == 0 ||
			    toff[0] >= 0x3F00 ||
			    (t = rdata_target(cn, 0, &tl)) == NULL)
				return;
			wire_name_lower(cb->tmp, t, tl);
			if (!wire_name_is_subdomain(cb->tmp, tl, z->origin,
			    z->origin_len))
				return;		/* out of zone: the client goes on */
			owner = (long)toff[0];
			tn = zone_find(z, cb->tmp, tl, zone_hash(cb->tmp, tl));
			if (tn == NULL) {
				struct zone_node *ce;

				ce = closest_encloser(z, cb->tmp, tl);
				if (ce != z->apex && cut_of(ce) != NULL) {
					cb->ref_cut = cut_of(ce);
					return;	/* referral after the CNAME */
				}
				if (ce->wildcard == NULL ||
				    cut_of(ce->wildcard) != NULL) {
					cb->rcode = WIRE_RCODE_NXDOMAIN;
					cb_soa(cb, z);
					return;
				}
				tn = ce->wildcard;
			}
			if (tn != z->apex && cut_of(tn) != NULL &&
			    !(qtype == WIRE_TYPE_DS && cut_of(tn) == tn)) {
				/* RFC 1034 4.3.2 step 3b: the target is
				 * delegated, the referral follows the CNAME */
				cb->ref_cut = cut_of(tn);
				return;
			}
			for (unsigned i = 0; i < nseen; i++)
				if (seen[i] == tn)
					return;		/* loop */
			seen[nseen++] = tn;
			cur = tn;
			continue;
		}
		if ((dk = dyn_kind(cur, qtype)) != DYN_NONE) {
			cb->dyn = (uint8_t)dk;
			cb->dyn_owner = (uint16_t)owner;
			cb->dyn_node = cur;
			return;
		}
		if ((rs = zone_rrset_find(cur, qtype)) != NULL) {
			size_t offs[ANS_MAXTGT];

			memset(offs, 0, sizeof(offs));
			put_zrrset(&cb->w, owner, NULL, 0, rs, rs->ttl, offs,
			    ANS_MAXTGT);
			cb->an += rs->count;
			cb_collect(cb, z, rs, offs, ANS_MAXTGT);
			return;
		}
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
	size_t offs[ANS_MAXTGT];
	unsigned first = cb->ntgt;

	if (ns == NULL)
		return;
	memset(offs, 0, sizeof(offs));
	put_zrrset(&cb->w, cb->w.len == cb->body_start ? WIRE_HDR_LEN : -1,
	    cut->name, cut->namelen, ns, ns->ttl, offs, ANS_MAXTGT);
	cb->ns += ns->count;
	cb_collect(cb, z, ns, offs, ANS_MAXTGT);
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
    const struct zone_node *n, uint16_t qtype, struct ans_blob **out)
{
	cb_begin(cb, n->name, n->namelen, (n->flags & ZONE_NODE_WILD) != 0);
	cb_answer(cb, z, n, qtype);
	if (cb->ref_cut != NULL)
		cb_delegation(cb, z, cb->ref_cut);
	cb_additional(cb);
	return cb_finish(cb, out);
}

static int
compile_referral(struct cbuild *cb, const struct zone *z,
    const struct zone_node *cut, struct ans_blob **out)
{
	const struct zone_rrset *ns = zone_rrset_find(cut, ZONE_TYPE_NS);
	size_t offs[ANS_MAXTGT];

	cb_begin(cb, cut->name, cut->namelen, false);
	cb->aa = 0;
	if (ns != NULL) {
		memset(offs, 0, sizeof(offs));
		put_zrrset(&cb->w, WIRE_HDR_LEN, NULL, 0, ns, ns->ttl, offs,
		    ANS_MAXTGT);
		cb->ns += ns->count;
		cb_collect(cb, z, ns, offs, ANS_MAXTGT);
	}
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
    struct ans_blob **out)
{
	cb_begin(cb, z->origin, z->origin_len, false);
	cb->rcode = rcode;
	put_zrrset(&cb->w, WIRE_HDR_LEN, NULL, 0, z->soa, z->neg_ttl, NULL, 0);
	cb->ns++;
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
}

/* Types worth a blob at a CNAME node: CNAME and those of the chain's nodes. */
static void
chain_types(const struct zone *z, const struct zone_node *n, uint16_t *types,
    size_t *nt, size_t max, uint8_t *tmp)
{
	add_type(types, nt, max, ZONE_TYPE_CNAME);
	for (unsigned step = 0; step <= ANSWER_CNAME_MAX; step++) {
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
			tn = closest_encloser(z, tmp, tl);
			if ((tn != z->apex && cut_of(tn) != NULL) ||
			    tn->wildcard == NULL)
				return;
			tn = tn->wildcard;
		}
		if (tn != z->apex && cut_of(tn) != NULL) {
			if (cut_of(tn) == tn)	/* DS: the parent side */
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

static const struct zone_pool_ref *pool_ref(const struct zone *z,
    size_t pool);

/* One MX (and its addresses) for the fast path; name NULL: none. */
static int
frag_build(struct cbuild *cb, const struct zone_node *n, const uint8_t *name,
    const struct zone_node *sn, struct ans_frag *f)
{
	static const uint16_t at[2] = { ZONE_TYPE_A, ZONE_TYPE_AAAA };
	uint8_t mx[WIRE_NAME_MAX + 16];
	size_t nl, mxlen, addlen, np, rdpos;

	memset(f, 0, sizeof(*f));
	if (name == NULL || (nl = wire_name_len(name, WIRE_NAME_MAX)) == 0)
		return 0;
	cb_begin(cb, n->name, n->namelen, false);
	wire_put_ptr(&cb->w, WIRE_HDR_LEN);
	wire_put_u16(&cb->w, ZONE_TYPE_MX);
	wire_put_u16(&cb->w, WIRE_CLASS_IN);
	wire_put_u32(&cb->w, 0);
	wire_put_u16(&cb->w, 0);
	rdpos = cb->w.len;
	wire_put_u16(&cb->w, 0);
	wire_put_name(&cb->w, name, nl, true);
	if (cb->w.overflow)
		return -1;
	wr16(cb->buf + rdpos - 2, (uint16_t)(cb->w.len - rdpos));
	mxlen = cb->w.len - cb->body_start;
	memcpy(mx, cb->buf + cb->body_start, mxlen);

	cb_begin(cb, n->name, n->namelen, false);
	for (int k = 0; k < 2 && sn != NULL; k++) {
		const struct zone_rrset *rs = zone_rrset_find(sn, at[k]);

		if (rs == NULL)
			continue;
		put_zrrset(&cb->w, WIRE_HDR_LEN, NULL, 0, rs, rs->ttl, NULL, 0);
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
	if ((f->mem = malloc(mxlen + addlen + np * sizeof(uint16_t) + 2)) ==
	    NULL)
		return -1;
	f->addptr = (uint16_t *)f->mem;
	for (size_t i = 0; i < np; i++)
		f->addptr[i] = (uint16_t)(cb->ptrs[i] - cb->body_start);
	f->mx = f->mem + np * sizeof(uint16_t);
	memcpy(f->mx, mx, mxlen);
	f->add = f->mx + mxlen;
	memcpy(f->add, cb->buf + cb->body_start, addlen);
	f->mxlen = (uint16_t)mxlen;
	f->addlen = (uint16_t)addlen;
	if (np != f->naddrr)	/* owners are the only pointers */
		return -1;
	return 0;
}

static void
dyn_free(struct ans_dyn *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n; i++)
		free(d->srv[i].mem);
	free(d->srv);
	free(d->relay.mem);
	free(d);
}

static int
compile_dyn(struct cbuild *cb, const struct zone *z, const struct zone_node *n,
    struct ans_dyn **out)
{
	const struct zone_pool_ref *ref = pool_ref(z, n->dynmx->pool);
	struct ans_dyn *d;

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
		if (frag_build(cb, n, ref->server_name[i], ref->server_node[i],
		    &d->srv[i]) != 0)
			return -1;
	return frag_build(cb, n, ref->relay_name, NULL, &d->relay);
}

static void
ans_node_free(void *p)
{
	struct ans_node *an = p;

	if (an == NULL || an == &ans_empty)
		return;
	dyn_free(an->dyn);
	for (uint16_t i = 0; i < an->ntypes; i++)
		free(an->blobs[i].body);
	free(an->blobs);
	free(an->types);
	for (int i = 0; i < ANS_NSPECIAL; i++)
		blob_free(an->special[i]);
	free(an);
}

#define ANS_MAXTYPES 64

static int
compile_node(struct cbuild *cb, const struct zone *z, struct zone_node *n)
{
	struct ans_node *an;
	uint16_t types[ANS_MAXTYPES];
	size_t nt = 0;
	struct zone_node *cut = n == z->apex ? NULL : cut_of(n);
	bool cname, is_cut = cut == n;

	cname = zone_rrset_find(n, ZONE_TYPE_CNAME) != NULL;
	if (cut != NULL && !is_cut) {
		n->answers = &ans_empty;	/* below a cut: referral */
		return 0;
	}
	if (cname)
		chain_types(z, n, types, &nt, ANS_MAXTYPES, cb->tmp);
	else
		node_types(n, types, &nt, ANS_MAXTYPES);
	if (nt == 0 && !is_cut && n != z->apex) {
		n->answers = &ans_empty;
		return 0;
	}
	if ((an = calloc(1, sizeof(*an))) == NULL)
		return -1;
	n->answers = an;
	if (is_cut && n != z->apex)
		return compile_referral(cb, z, n, &an->special[ANS_REFERRAL]) ||
		    compile_answer(cb, z, n, WIRE_TYPE_DS,
		    &an->special[ANS_DS]) ? -1 : 0;
	if (nt > 0) {
		if ((an->types = calloc(nt, sizeof(*an->types))) == NULL ||
		    (an->blobs = calloc(nt, sizeof(*an->blobs))) == NULL)
			return -1;
	}
	for (size_t i = 0; i < nt; i++) {
		struct ans_blob *b;

		if (compile_answer(cb, z, n, types[i], &b) != 0)
			return -1;
		an->types[an->ntypes] = types[i];
		an->blobs[an->ntypes++] = *b;
		free(b);	/* the struct was copied; body stays */
	}
	an->any_type = any_type(n, types, nt);
	if (n->dynmx != NULL && compile_dyn(cb, z, n, &an->dyn) != 0)
		return -1;
	if (cname && compile_answer(cb, z, n, 0, &an->special[ANS_OTHER]) != 0)
		return -1;
	if (n == z->apex) {
		if (compile_negative(cb, z, WIRE_RCODE_NOERROR,
		    &an->special[ANS_NODATA]) != 0 ||
		    compile_negative(cb, z, WIRE_RCODE_NXDOMAIN,
		    &an->special[ANS_NXDOMAIN]) != 0)
			return -1;
	}
	return 0;
}

int
answer_compile_zone(struct zone *z, const struct conf *conf, FILE *err)
{
	struct cbuild *cb;
	int rc = -1;

	(void)conf;
	if (z->apex == NULL || z->soa == NULL) {
		fprintf(err, "%s: zone %s has no SOA at the apex\n",
		    z->file ? z->file : "?", z->origin_text ? z->origin_text : "?");
		return -1;
	}
	if ((cb = calloc(1, sizeof(*cb))) == NULL ||
	    (cb->buf = malloc(ANS_SCRATCH)) == NULL ||
	    (cb->ptrs = malloc(ANS_MAXPTRS * sizeof(uint16_t))) == NULL) {
		fprintf(err, "%s: out of memory compiling answers\n",
		    z->file ? z->file : "?");
		goto fail;
	}
	z->answers_free = ans_node_free;
	for (size_t i = 0; i < z->nnodes; i++) {
		struct zone_node *n = z->nodes[i];

		if (compile_node(cb, z, n) != 0) {
			fprintf(err, "%s: %s: answers for a node do not fit a "
			    "message (or out of memory)\n",
			    z->file ? z->file : "?",
			    z->origin_text ? z->origin_text : "?");
			goto fail;
		}
	}
	rc = 0;
fail:
	if (cb != NULL) {
		free(cb->buf);
		free(cb->ptrs);
		free(cb);
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* dynamic answers (DYNMX / DYNA) */

/*
 * Default order: configured order, servers with eff_weight 0 skipped unless
 * every one is 0 (fail open), preferences pref_base + k * pref_step. The
 * pools issue replaces it with policy_order() through answer_order.
 */
static size_t
answer_order_config(const struct conf_pool *cp, const struct pstate_pool *pp,
    struct rng *rng, uint16_t *idx, uint16_t *pref, size_t max,
    unsigned *flags)
{
	size_t n = 0;
	bool any = false;

	(void)rng;
	if (pp != NULL && pp->nservers == cp->nservers)
		for (size_t i = 0; i < cp->nservers; i++)
			if (pp->servers[i].eff_weight > 0)
				any = true;
	for (size_t i = 0; i < cp->nservers && n < max; i++) {
		if (any && pp->servers[i].eff_weight <= 0)
			continue;
		idx[n] = (uint16_t)i;
		if (pref != NULL) {
			unsigned long p = cp->pref_base +
			    (unsigned long)n * cp->pref_step;
			pref[n] = p > 65535 ? 65535 : (uint16_t)p;
		}
		n++;
	}
	if (flags != NULL)
		*flags = cp->relay_host != NULL ? POLICY_F_RELAY : 0;
	return n;
}

answer_order_fn answer_order = answer_order_config;

/* Test seam (test_answer.c): false sends every dynamic answer through the
 * general path, to compare the fast paths' bytes with it. */
bool answer_dyn_fast_enabled = true;

struct qctx {
	const struct world   *w;
	struct answer_thread *t;
	const struct wire_query *q;
	const struct zone    *z;
	uint8_t              *resp;
	size_t                limit;	/* max response bytes, OPT excluded */
	size_t                body_off;	/* 12 + question */
	uint16_t              flags;	/* AA, TC, rcode low bits */
	uint16_t              an, ns, ar;
	uint8_t               ext_rcode;
	uint16_t              ede;	/* RFC 8914 info-code + 1, 0: none */
	bool                  tsig_badkey;	/* append TSIG, error BADKEY */
};

static const struct zone_pool_ref *
pool_ref(const struct zone *z, size_t pool)
{
	for (size_t i = 0; i < z->npools; i++)
		if (z->pools[i].pool == pool)
			return &z->pools[i];
	return NULL;
}

/* DYNMX at the qname itself: copy precompiled records, patch TTL, pref
 * and the owners of the additional records. */
static bool
dyn_mx_fast(struct qctx *c, const struct ans_dyn *d, const uint16_t *idx,
    const uint16_t *pref, size_t nidx, unsigned flags, uint32_t ttl,
    const struct conf_pool *cp, size_t *lenp)
{
	uint8_t *r = c->resp;
	size_t len = *lenp, tpos[ANSWER_ORDER_MAX];
	uint16_t an = 0, ar = 0;

	for (size_t k = 0; k < nidx; k++) {
		const struct ans_frag *f;

		tpos[k] = 0;
		if (idx[k] >= d->n || (f = &d->srv[idx[k]])->mxlen == 0)
			continue;
		if (len + f->mxlen > c->limit)
			return false;
		memcpy(r + len, f->mx, f->mxlen);
		wr16(r + len + 6, (uint16_t)(ttl >> 16));
		wr16(r + len + 8, (uint16_t)ttl);
		wr16(r + len + 12, pref[k]);
		tpos[k] = len + 14;
		len += f->mxlen;
		an++;
	}
	if ((flags & POLICY_F_RELAY) && d->relay.mxlen > 0) {
		unsigned long rp = nidx == 0 ? cp->pref_base :
		    (unsigned long)pref[nidx - 1] + cp->pref_step;

		if (len + d->relay.mxlen > c->limit)
			return false;
		memcpy(r + len, d->relay.mx, d->relay.mxlen);
		wr16(r + len + 6, (uint16_t)(ttl >> 16));
		wr16(r + len + 8, (uint16_t)ttl);
		wr16(r + len + 12, rp > 65535 ? 65535 : (uint16_t)rp);
		len += d->relay.mxlen;
		an++;
	}
	for (size_t k = 0; k < nidx; k++) {
		const struct ans_frag *f;

		if (tpos[k] == 0 || tpos[k] >= 0x3F00 ||
		    (f = &d->srv[idx[k]])->addlen == 0)
			continue;
		if (len + f->addlen > c->limit) {
			/* additional data is optional, cut at an RRset */
			if (f->addlen1 < f->addlen &&
			    len + f->addlen1 <= c->limit) {
				memcpy(r + len, f->add, f->addlen1);
				for (uint16_t i = 0; i < f->naddrr1; i++)
					wr16(r + len + f->addptr[i],
					    (uint16_t)(0xC000 | tpos[k]));
				len += f->addlen1;
				ar = (uint16_t)(ar + f->naddrr1);
			}
			break;
		}
		memcpy(r + len, f->add, f->addlen);
		for (uint16_t i = 0; i < f->naddrr; i++)
			wr16(r + len + f->addptr[i], (uint16_t)(0xC000 | tpos[k]));
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
dyn_addr_put(struct qctx *c, const struct conf_pool *cp, int fam,
    size_t alen, const uint16_t *idx, size_t nidx, const uint8_t *hdr,
    size_t *lenp)
{
	size_t len = *lenp, nrec = 0, cap = cp->max_addrs, rlen = 12 + alen;
	uint8_t *r = c->resp;

	for (size_t k = 0; k < nidx && nrec < cap; k++) {
		const struct conf_server *s = &cp->servers[idx[k]];

		for (size_t a = 0; a < s->naddrs && nrec < cap; a++) {
			if (s->addrs[a].family != fam)
				continue;
			if (len + rlen > c->limit)
				return 0;
			memcpy(r + len, hdr, 12);
			if (alen == 4)
				memcpy(r + len + 12, &s->addrs[a].u.v4, 4);
			else
				memcpy(r + len + 12, &s->addrs[a].u.v6, 16);
			len += rlen;
			nrec++;
		}
	}
	if (nrec == 0)
		return -1;
	c->an = (uint16_t)(c->an + nrec);
	*lenp = len;
	return 1;
}

static int
dyn_addr_fast(struct qctx *c, const struct conf_pool *cp, int kind,
    const uint16_t *idx, size_t nidx, uint16_t owner, uint32_t ttl,
    size_t *lenp)
{
	uint8_t hdr[12];

	hdr[0] = (uint8_t)(0xC0 | (owner >> 8));
	hdr[1] = (uint8_t)owner;
	wr16(hdr + 2, kind == DYN_A ? ZONE_TYPE_A : ZONE_TYPE_AAAA);
	wr16(hdr + 4, WIRE_CLASS_IN);
	wr16(hdr + 6, (uint16_t)(ttl >> 16));
	wr16(hdr + 8, (uint16_t)ttl);
	wr16(hdr + 10, kind == DYN_A ? 4 : 16);
	if (kind == DYN_A)
		return dyn_addr_put(c, cp, AF_INET, 4, idx, nidx, hdr, lenp);
	return dyn_addr_put(c, cp, AF_INET6, 16, idx, nidx, hdr, lenp);
}

/*
 * Append the dynamic answer of node n at c->resp + *lenp; owner is the offset
 * of the owner name. \retval false when the answer does not fit (TC).
 */
static bool
answer_dynamic(struct qctx *c, const struct zone_node *n, int kind,
    uint16_t owner, size_t *lenp)
{
	const struct zone_dyn *dyn = kind == DYN_MX ? n->dynmx : n->dyna;
	const struct conf *conf = c->w->conf;
	const struct conf_pool *cp;
	const struct zone_pool_ref *ref;
	const struct pstate_pool *pp;
	const struct pstate *ps;
	struct wire_writer w;
	uint16_t idx[ANSWER_ORDER_MAX], pref[ANSWER_ORDER_MAX];
	size_t nidx, max, nrec = 0, cap;
	unsigned flags = 0;
	uint32_t ttl;
	bool degraded = false;

	if (dyn == NULL || conf == NULL || dyn->pool >= conf->npools)
		return true;
	cp = &conf->pools[dyn->pool];
	ref = pool_ref(c->z, dyn->pool);
	if (kind == DYN_MX) {
		max = cp->max_mx;
		if (cp->relay_host != NULL && max > 1)
			max--;
	} else {
		max = cp->max_addrs;
	}
	if (max > ANSWER_ORDER_MAX)
		max = ANSWER_ORDER_MAX;
	if (max > cp->nservers && kind == DYN_MX)
		max = cp->nservers;
	rcu_read_lock();
	ps = pstate_get();
	pp = (ps != NULL && dyn->pool < ps->npools) ? &ps->pools[dyn->pool] :
	    NULL;
	if (pp != NULL && pp->nservers != cp->nservers)
		pp = NULL;
	nidx = answer_order(cp, pp, &c->t->rng, idx, pref,
	    kind == DYN_MX ? max : cp->nservers < ANSWER_ORDER_MAX ?
	    cp->nservers : ANSWER_ORDER_MAX, &flags);
	degraded = pp != NULL && pp->degraded;
	rcu_read_unlock();
	if (nidx > 0 && dyn->pool < ANS_FP_POOLS && idx[0] < ANS_FP_SERVERS)
		c->t->first[dyn->pool][idx[0]]++;

	ttl = dyn->ttl;
	if (degraded && cp->ttl_degraded > 0 && cp->ttl_degraded < ttl)
		ttl = cp->ttl_degraded;
	if (kind == DYN_MX && owner == WIRE_HDR_LEN &&
	    !(n->flags & ZONE_NODE_WILD) && n->answers != NULL &&
	    ref != NULL && answer_dyn_fast_enabled) {
		const struct ans_dyn *d = ((const struct ans_node *)n->answers)->dyn;

		if (d != NULL && d->n == ref->nservers)
			return dyn_mx_fast(c, d, idx, pref, nidx, flags, ttl, cp,
			    lenp);
	}
	if (kind != DYN_MX && owner < 0x3F00 && answer_dyn_fast_enabled) {
		int rc = dyn_addr_fast(c, cp, kind, idx, nidx, owner, ttl, lenp);

		if (rc >= 0)
			return rc == 1;
	}
	cap = c->limit;
	wire_writer_init(&w, c->resp, cap, *lenp);
	for (uint8_t i = 0; i < c->q->nlabels; i++)
		wire_ctab_add(&w, (uint16_t)(WIRE_HDR_LEN + c->q->label_off[i]));
	if (owner != WIRE_HDR_LEN)
		wire_ctab_add(&w, owner);

	if (kind == DYN_MX) {
		uint16_t toff[ANSWER_ORDER_MAX];
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
			wire_put_u16(&w, ZONE_TYPE_MX);
			wire_put_u16(&w, WIRE_CLASS_IN);
			wire_put_u32(&w, ttl);
			wire_put_u16(&w, 0);
			rdpos = w.len;
			wire_put_u16(&w, pref[k]);
			toff[k] = (uint16_t)wire_put_name(&w, name, nl, true);
			if (w.overflow)
				return false;
			wr16(w.buf + rdpos - 2, (uint16_t)(w.len - rdpos));
			nrec++;
			nt = k + 1;
		}
		if ((flags & POLICY_F_RELAY) && ref != NULL &&
		    ref->relay_name != NULL) {
			size_t nl = wire_name_len(ref->relay_name, WIRE_NAME_MAX),
			    rdpos;
			unsigned long rp = nidx == 0 ? cp->pref_base :
			    (unsigned long)pref[nidx - 1] + cp->pref_step;

			if (nl > 0) {
				wire_put_ptr(&w, owner);
				wire_put_u16(&w, ZONE_TYPE_MX);
				wire_put_u16(&w, WIRE_CLASS_IN);
				wire_put_u32(&w, ttl);
				wire_put_u16(&w, 0);
				rdpos = w.len;
				wire_put_u16(&w, rp > 65535 ? 65535 : (uint16_t)rp);
				wire_put_name(&w, ref->relay_name, nl, true);
				if (w.overflow)
					return false;
				wr16(w.buf + rdpos - 2, (uint16_t)(w.len - rdpos));
				nrec++;
			}
		}
		c->an += (uint16_t)nrec;
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
				put_zrrset(&w, toff[k], NULL, 0, rs, rs->ttl,
				    NULL, 0);
				if (w.overflow) {
					w.len = save;
					goto out;
				}
				c->ar += rs->count;
			}
		}
	} else {
		int fam = kind == DYN_A ? AF_INET : AF_INET6;

		for (size_t k = 0; k < nidx && nrec < cp->max_addrs; k++) {
			const struct conf_server *s = &cp->servers[idx[k]];

			for (size_t a = 0; a < s->naddrs &&
			    nrec < cp->max_addrs; a++) {
				if (s->addrs[a].family != fam)
					continue;
				wire_put_ptr(&w, owner);
				wire_put_u16(&w, kind == DYN_A ? ZONE_TYPE_A :
				    ZONE_TYPE_AAAA);
				wire_put_u16(&w, WIRE_CLASS_IN);
				wire_put_u32(&w, ttl);
				if (fam == AF_INET) {
					wire_put_u16(&w, 4);
					wire_put_bytes(&w, &s->addrs[a].u.v4, 4);
				} else {
					wire_put_u16(&w, 16);
					wire_put_bytes(&w, &s->addrs[a].u.v6, 16);
				}
				if (w.overflow)
					return false;
				nrec++;
			}
		}
		c->an += (uint16_t)nrec;
		if (nrec == 0) {	/* NODATA */
			put_zrrset(&w, -1, c->z->origin, c->z->origin_len,
			    c->z->soa, c->z->neg_ttl, NULL, 0);
			if (w.overflow)
				return false;
			c->ns++;
		}
	}
out:
	*lenp = w.len;
	return true;
}

/* ------------------------------------------------------------------ */
/* per query */

static void
stats_qtype(struct answer_stats *s, uint16_t qtype)
{
	int i;

	switch (qtype) {
	case ZONE_TYPE_A: i = 0; break;
	case ZONE_TYPE_NS: i = 1; break;
	case ZONE_TYPE_CNAME: i = 2; break;
	case ZONE_TYPE_SOA: i = 3; break;
	case ZONE_TYPE_MX: i = 4; break;
	case ZONE_TYPE_TXT: i = 5; break;
	case ZONE_TYPE_AAAA: i = 6; break;
	default: i = 7; break;
	}
	s->by_qtype[i]++;
}

/* Header, counts and OPT around whatever sits in resp[body_off..len). */
static size_t
finish(struct qctx *c, size_t len, uint8_t rcode)
{
	const struct wire_query *q = c->q;
	uint8_t *r = c->resp;
	uint16_t flags;
	int ri;

	/* CD is not copied: not a security-aware server (NSD, Knot) */
	flags = WIRE_F_QR | (q->flags & (WIRE_F_OPCODE | WIRE_F_RD)) |
	    c->flags | (rcode & 0x0F);
	wr16(r, q->id);
	wr16(r + 2, flags);
	wr16(r + 4, c->body_off > WIRE_HDR_LEN ? 1 : 0);
	wr16(r + 6, c->an);
	wr16(r + 8, c->ns);
	wr16(r + 10, (uint16_t)(c->ar + (q->has_opt ? 1 : 0)));
	if (q->has_opt) {
		uint16_t payload = c->w != NULL && c->w->conf != NULL &&
		    c->w->conf->edns_payload ?
		    c->w->conf->edns_payload : ANSWER_EDNS_DEFAULT;

		r[len] = 0;
		wr16(r + len + 1, WIRE_TYPE_OPT);
		wr16(r + len + 3, payload);
		r[len + 5] = c->ext_rcode;
		r[len + 6] = 0;
		wr16(r + len + 7, q->edns_flags & WIRE_EDNS_DO);
		wr16(r + len + 9, 0);
		len += WIRE_OPT_LEN;
		/* error responses only: the body is small, 6 bytes fit */
		if (c->ede != 0 && len + 6 <= c->limit + WIRE_OPT_LEN) {
			wr16(r + len - 2, 6);
			wr16(r + len, WIRE_EDNS_OPT_EDE);
			wr16(r + len + 2, 2);
			wr16(r + len + 4, (uint16_t)(c->ede - 1));
			len += 6;
		}
	}
	if (c->tsig_badkey && q->tsig != NULL) {
		/* RFC 8945 5.2.2: unsigned, MAC size 0, error BADKEY (17) */
		size_t ol = q->tsig_owner_len, al = q->tsig_alg_len;
		size_t rl = al + 16;

		if (len + ol + 10 + rl <= c->limit + (q->has_opt ?
		    WIRE_OPT_LEN : 0)) {
			memcpy(r + len, q->tsig, ol);
			len += ol;
			wr16(r + len, WIRE_TYPE_TSIG);
			wr16(r + len + 2, WIRE_CLASS_ANY);
			memset(r + len + 4, 0, 4);
			wr16(r + len + 8, (uint16_t)rl);
			len += 10;
			memcpy(r + len, q->tsig_rdata, al + 8);	/* alg, time, fudge */
			len += al + 8;
			wr16(r + len, 0);		/* MAC size */
			wr16(r + len + 2, q->id);	/* original ID */
			wr16(r + len + 4, 17);		/* BADKEY */
			wr16(r + len + 6, 0);		/* other len */
			len += 8;
			wr16(r + 10, (uint16_t)(rd16(r + 10) + 1));
		}
	}
	ri = c->ext_rcode ? ANSWER_NRCODES : (rcode < ANSWER_NRCODES ? rcode :
	    ANSWER_NRCODES);
	c->t->stats.by_rcode[ri]++;
	if (flags & WIRE_F_TC)
		c->t->stats.truncated++;
	return len;
}

/* A response with the question (when echoable) and no records. */
static size_t
empty_response(struct qctx *c, uint8_t rcode, bool question)
{
	size_t len = WIRE_HDR_LEN;

	c->body_off = WIRE_HDR_LEN;
	c->an = c->ns = c->ar = 0;
	if (question && c->q->question_ok) {
		memcpy(c->resp + WIRE_HDR_LEN, c->q->question,
		    c->q->question_len);
		len += c->q->question_len;
		c->body_off = len;
	}
	return finish(c, len, rcode);
}

static size_t
truncated(struct qctx *c)
{
	c->flags |= WIRE_F_TC;
	return empty_response(c, WIRE_RCODE_NOERROR, true);
}

static size_t
emit_blob(struct qctx *c, const struct ans_blob *b, size_t delta,
    int rcode_override)
{
	uint8_t *body = c->resp + c->body_off;
	size_t avail = c->limit - c->body_off, L, len;
	uint16_t ar;
	uint8_t rcode = rcode_override >= 0 ? (uint8_t)rcode_override : b->rcode;

	if (b->len <= avail) {
		L = b->len;
		ar = (uint16_t)(b->ar_req + (b->nadd ? b->add_ar[b->nadd - 1] : 0));
	} else if (b->len_req <= avail) {
		L = b->len_req;
		ar = b->ar_req;
		for (uint16_t i = 0; i < b->nadd && b->add_end[i] <= avail; i++) {
			L = b->add_end[i];
			ar = (uint16_t)(b->ar_req + b->add_ar[i]);
		}
	} else {
		if (b->aa)
			c->flags |= WIRE_F_AA;
		return truncated(c);
	}
	if (b->aa)
		c->flags |= WIRE_F_AA;
	memcpy(body, b->body, L);
	if (delta != 0) {
		for (uint32_t i = 0; i < b->nptrs && b->ptrs[i] < L; i++) {
			uint8_t *p = body + b->ptrs[i];
			size_t tg = ((size_t)(p[0] & 0x3F) << 8) | p[1];

			if (tg > WIRE_HDR_LEN || (tg == WIRE_HDR_LEN && !b->keep12))
				tg += delta;
			p[0] = (uint8_t)(0xC0 | (tg >> 8));
			p[1] = (uint8_t)tg;
		}
	}
	c->an = b->an;
	c->ns = b->ns;
	c->ar = ar;
	len = c->body_off + L;
	if (b->dyn != DYN_NONE && b->dyn_node != NULL) {
		size_t owner = b->dyn_owner;

		if (owner > WIRE_HDR_LEN || (owner == WIRE_HDR_LEN && !b->keep12))
			owner += delta;
		if (!answer_dynamic(c, b->dyn_node, b->dyn, (uint16_t)owner, &len))
			return truncated(c);
	}
	return finish(c, len, rcode);
}

static const struct ans_blob *
node_blob(const struct ans_node *an, uint16_t qtype)
{
	for (uint16_t i = 0; i < an->ntypes; i++)
		if (an->types[i] == qtype)
			return &an->blobs[i];
	return an->special[ANS_OTHER];
}

/* Exact node or wildcard node n answers qtype; delta: qname - n->namelen. */
static size_t
answer_at(struct qctx *c, const struct zone_node *n, uint16_t qtype,
    size_t delta)
{
	const struct ans_node *an = n->answers;
	const struct ans_node *apex = c->z->apex->answers;
	const struct ans_blob *b;

	if (an == NULL || apex == NULL)
		return empty_response(c, WIRE_RCODE_SERVFAIL, true);
	if (qtype == WIRE_TYPE_ANY) {
		if (an->any_type == 0)
			goto nodata;
		qtype = an->any_type;
	}
	if ((b = node_blob(an, qtype)) != NULL)
		return emit_blob(c, b, delta, -1);
nodata:
	/* NODATA */
	return emit_blob(c, apex->special[ANS_NODATA],
	    c->q->qname_len - c->z->origin_len, -1);
}

static size_t
referral(struct qctx *c, const struct zone_node *cut)
{
	const struct ans_node *an = cut->answers;

	if (an == NULL || an->special[ANS_REFERRAL] == NULL)
		return empty_response(c, WIRE_RCODE_SERVFAIL, true);
	return emit_blob(c, an->special[ANS_REFERRAL],
	    c->q->qname_len - cut->namelen, -1);
}

static bool
ch_name(const struct wire_query *q, const char *a, const char *b)
{
	/* lname of "version.bind": \7version\4bind\0 */
	char txt[WIRE_NAME_MAX + 1];
	size_t n = 0;

	for (uint8_t i = 0; i < q->nlabels; i++) {
		const uint8_t *l = q->lname + q->label_off[i];

		if (n + l[0] + 1 >= sizeof(txt))
			return false;
		memcpy(txt + n, l + 1, l[0]);
		n += l[0];
		txt[n++] = '.';
	}
	if (n == 0)
		return false;
	txt[n - 1] = 0;
	return strcmp(txt, a) == 0 || strcmp(txt, b) == 0;
}

static size_t
answer_chaos(struct qctx *c)
{
	const struct conf *conf = c->w != NULL ? c->w->conf : NULL;
	const struct wire_query *q = c->q;
	const char *text = NULL;
	struct wire_writer w;
	size_t tl, rdpos;

	if (conf != NULL && conf->version_bind != NULL &&
	    ch_name(q, "version.bind", "version.server"))
		text = conf->version_bind;
	else if (conf != NULL && conf->id_server != NULL &&
	    ch_name(q, "id.server", "hostname.bind"))
		text = conf->id_server;
	if (text == NULL)
		return empty_response(c, WIRE_RCODE_REFUSED, true);
	c->flags |= WIRE_F_AA;
	if (q->qtype != ZONE_TYPE_TXT && q->qtype != WIRE_TYPE_ANY)
		return empty_response(c, WIRE_RCODE_NOERROR, true);
	wire_writer_init(&w, c->resp, c->limit, c->body_off);
	wire_put_ptr(&w, WIRE_HDR_LEN);
	wire_put_u16(&w, ZONE_TYPE_TXT);
	wire_put_u16(&w, WIRE_CLASS_CH);
	wire_put_u32(&w, 0);
	wire_put_u16(&w, 0);
	rdpos = w.len;
	tl = strlen(text);
	if (tl > 1024)
		tl = 1024;
	for (size_t o = 0; o < tl || o == 0; o += 255) {
		size_t k = tl - o > 255 ? 255 : tl - o;

		wire_put_u8(&w, (uint8_t)k);
		wire_put_bytes(&w, text + o, k);
		if (tl == 0)
			break;
	}
	if (w.overflow)
		return truncated(c);
	wr16(w.buf + rdpos - 2, (uint16_t)(w.len - rdpos));
	c->an = 1;
	return finish(c, w.len, WIRE_RCODE_NOERROR);
}

size_t
answer_query(const struct world *w, struct answer_thread *t,
    const uint8_t *qp, size_t qlen, uint8_t *resp, size_t resplen,
    int transport)
{
	struct wire_query *q = &t->q;
	struct qctx c;
	enum wire_result r;
	const struct zone *z;
	struct zone_node *n, *ce;
	size_t limit;

	t->stats.queries++;
	if (transport == ANSWER_TCP)
		t->stats.tcp++;
	else
		t->stats.udp++;
	r = wire_parse_query(qp, qlen, q);
	if (r == WIRE_DROP || resplen < 512) {
		t->stats.dropped++;
		return 0;
	}
	if (transport == ANSWER_TCP) {
		limit = 65535;
	} else if (q->has_opt) {
		uint16_t ours = w != NULL && w->conf != NULL &&
		    w->conf->edns_payload ? w->conf->edns_payload :
		    ANSWER_EDNS_DEFAULT;

		limit = q->udp_size < ours ? q->udp_size : ours;
		if (limit < 512)
			limit = 512;
	} else {
		limit = 512;
	}
	if (limit > resplen)
		limit = resplen;
	memset(&c, 0, sizeof(c));
	c.w = w;
	c.t = t;
	c.q = q;
	c.resp = resp;
	c.limit = limit - (q->has_opt ? WIRE_OPT_LEN : 0);
	c.body_off = WIRE_HDR_LEN + q->question_len;
	if (q->question_ok)
		stats_qtype(&t->stats, q->qtype);

	switch (r) {
	case WIRE_OK:
		break;
	case WIRE_NOTIMP:
		return empty_response(&c, WIRE_RCODE_NOTIMP, true);
	case WIRE_BADVERS:
		c.ext_rcode = WIRE_RCODE_BADVERS >> 4;
		return empty_response(&c, WIRE_RCODE_BADVERS & 0x0F, true);
	case WIRE_NOTAUTH:
		c.tsig_badkey = true;
		return empty_response(&c, WIRE_RCODE_NOTAUTH, true);
	default:
		return empty_response(&c, WIRE_RCODE_FORMERR, true);
	}
	if (w == NULL)
		return empty_response(&c, WIRE_RCODE_SERVFAIL, true);
	memcpy(resp + WIRE_HDR_LEN, q->question, q->question_len);
	if (q->qclass == WIRE_CLASS_CH)
		return answer_chaos(&c);
	if (q->qclass != WIRE_CLASS_IN && q->qclass != WIRE_CLASS_ANY) {
		c.ede = WIRE_EDE_NOT_AUTH + 1;
		return empty_response(&c, WIRE_RCODE_REFUSED, true);
	}
	z = world_zone_for(w, q->lname, q->qname_len);
	if (q->qtype == WIRE_TYPE_AXFR || q->qtype == WIRE_TYPE_IXFR) {
		/* no transfers: AXFR over UDP is NOTIMP (RFC 5936 4.2), a
		 * zone apex REFUSED, any other name NOTAUTH (as NSD) */
		if (q->qtype == WIRE_TYPE_AXFR && transport != ANSWER_TCP)
			return empty_response(&c, WIRE_RCODE_NOTIMP, true);
		return empty_response(&c, z != NULL &&
		    q->qname_len == z->origin_len ? WIRE_RCODE_REFUSED :
		    WIRE_RCODE_NOTAUTH, true);
	}
	if (z == NULL) {
		c.ede = WIRE_EDE_NOT_AUTH + 1;
		return empty_response(&c, WIRE_RCODE_REFUSED, true);
	}
	c.z = z;

	n = zone_find(z, q->lname, q->qname_len,
	    zone_hash(q->lname, q->qname_len));
	if (n != NULL) {
		struct zone_node *cut = n == z->apex ? NULL : cut_of(n);

		if (cut != NULL) {
			if (cut == n && q->qtype == WIRE_TYPE_DS) {
				/* the parent side's DS, or NODATA (RFC 4035
				 * 3.1.4.1) */
				const struct ans_node *an = n->answers;

				if (an == NULL || an->special[ANS_DS] == NULL)
					return empty_response(&c,
					    WIRE_RCODE_SERVFAIL, true);
				return emit_blob(&c, an->special[ANS_DS], 0, -1);
			}
			return referral(&c, cut);
		}
		return answer_at(&c, n, q->qtype, 0);
	}
	ce = closest_encloser(z, q->lname, q->qname_len);
	if (ce != z->apex && cut_of(ce) != NULL)
		return referral(&c, cut_of(ce));
	if (ce->wildcard != NULL && cut_of(ce->wildcard) == NULL)
		return answer_at(&c, ce->wildcard, q->qtype,
		    q->qname_len - ce->wildcard->namelen);
	if (z->apex->answers == NULL)
		return empty_response(&c, WIRE_RCODE_SERVFAIL, true);
	return emit_blob(&c, ((const struct ans_node *)z->apex->answers)->
	    special[ANS_NXDOMAIN], q->qname_len - z->origin_len, -1);
}

/* ------------------------------------------------------------------ */
/* threads and counters */

struct answer_thread *
answer_thread_new(void)
{
	struct answer_thread *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	rng_init(&t->rng);
	pthread_mutex_lock(&ans_lock);
	t->next = ans_threads;
	ans_threads = t;
	pthread_mutex_unlock(&ans_lock);
	return t;
}

static void
stats_add(struct answer_stats *o, const struct answer_stats *s)
{
	o->queries += s->queries;
	o->udp += s->udp;
	o->tcp += s->tcp;
	for (int i = 0; i < ANSWER_NQTYPES; i++)
		o->by_qtype[i] += s->by_qtype[i];
	for (int i = 0; i <= ANSWER_NRCODES; i++)
		o->by_rcode[i] += s->by_rcode[i];
	o->truncated += s->truncated;
	o->dropped += s->dropped;
}

void
answer_thread_free(struct answer_thread *t)
{
	struct answer_thread **pp;

	if (t == NULL)
		return;
	pthread_mutex_lock(&ans_lock);
	for (pp = &ans_threads; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	stats_add(&ans_retired, &t->stats);
	for (int i = 0; i < ANS_FP_POOLS; i++)
		for (int j = 0; j < ANS_FP_SERVERS; j++)
			ans_retired_first[i][j] += t->first[i][j];
	pthread_mutex_unlock(&ans_lock);
	free(t);
}

void
answer_stats_sum(struct answer_stats *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&ans_lock);
	stats_add(out, &ans_retired);
	for (struct answer_thread *t = ans_threads; t != NULL; t = t->next)
		stats_add(out, &t->stats);
	pthread_mutex_unlock(&ans_lock);
}

uint64_t
answer_first_pref(size_t pool, size_t server)
{
	uint64_t n;

	if (pool >= ANS_FP_POOLS || server >= ANS_FP_SERVERS)
		return 0;
	pthread_mutex_lock(&ans_lock);
	n = ans_retired_first[pool][server];
	for (struct answer_thread *t = ans_threads; t != NULL; t = t->next)
		n += t->first[pool][server];
	pthread_mutex_unlock(&ans_lock);
	return n;
}
