/* compile.h - the answer compiler: every node of a loaded zone as precompiled wire answers.
 *
 * compile_zone() runs once per zone at world load (dnsd/world.c), after
 * zone_load(). It turns each node into response bodies, so that per query
 * only the ID, flags, the question's letter case and EDNS are patched
 * (DESIGN.md "Performance rules"); the query path (dnsd/query.c) reads the
 * types below and never allocates.
 *
 * What a compiled answer contains (each choice compared with NSD/Knot, RFC
 * first; the per-query choices are in dnsd/query.h):
 *  - Positive answers are minimal, like Knot: the answer section only, no NS
 *    RRset in authority. The additional section carries the A/AAAA of
 *    in-zone targets of MX, NS and SRV answers (RFC 1035 4.3.2), whole
 *    RRsets only, dropped from the end when they do not fit (never TC).
 *  - NODATA and NXDOMAIN: zone SOA in authority with TTL = zone neg_ttl
 *    (RFC 2308 min(SOA TTL, MINIMUM)), AA=1.
 *  - CNAME: followed inside the zone, at most COMPILE_CNAME_MAX (16) steps
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
 *    (dynamic DYNMX/DYNA/DYNSRV after the static types); else the last other type;
 *    else DNSKEY/RRSIG/NSEC. An empty non-terminal gives NODATA. (Not the
 *    HINFO form.) TYPE0 and other meta types are ordinary unknown types
 *    (CNAMEs followed, NODATA), as NSD.
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
 *
 * A dynamic record (DYNMX/DYNA/DYNSRV) compiles to a blob that ends where
 * the dynamic records go (dyn, dyn_owner, dyn_node); a DYNMX or DYNSRV at a
 * non-wildcard node also gets per-server fragments (struct compile_dyn) for
 * the query path's fast path. The pool order itself is decided per query
 * (dnsd/dynamic.c); nothing here depends on probes or policies.
 *
 * Signed zones (zones/sign.h): every node also gets its DO=1 answers
 * (compile_node.sec), compiled the same way with the RRSIG of each
 * authoritative RRset right after it (RFC 4035 3.1.1; glue and the NS of
 * a delegation have none). What differs:
 *  - no optional additional data (the addresses of MX, NS and SRV
 *    targets): a validator asks for them itself and would not take them
 *    from the additional section unchecked, and with their RRSIGs they
 *    would quadruple an MX answer (and its amplification) for nothing;
 *    the required glue of a referral stays;
 *  - referrals carry the DS RRset and its RRSIG, or the cut's NSEC and its
 *    RRSIG proving there is no DS (an insecure delegation, RFC 4035
 *    3.1.4); DS at the cut: the DS and RRSIG, or NODATA with the NSEC;
 *  - the proofs that depend on the qname (NXDOMAIN: the qname's cover and
 *    the wildcard's cover; NODATA: the name's NSEC, or for an empty
 *    non-terminal the cover; wildcard answers: the qname's cover) are not
 *    in the blob: the query path appends them in authority (dnsd/query.c);
 *  - a CNAME chain stops at a target that would need a denial proof or a
 *    referral (missing name, wildcard, NODATA, delegation): the answer is
 *    the chain so far, signed, and the validator asks for the target (RFC
 *    4035 3.1.4 lets the server stop; proofs then come with that answer);
 *  - qtype RRSIG: the RRSIGs of the name's static RRsets (and of its
 *    dynamic ones and NSEC: COMPILE_DYN_RRSIG); qtype NSEC at a name with
 *    dynamic records: COMPILE_DYN_NSEC (the NSEC follows the pool state);
 *  - dynamic records: no fast-path fragments; the signed variants are
 *    dnsd/dynsign.h's.
 *
 * Errors (an answer over 65535 bytes, out of memory) go to the diagnostics
 * collector as "file:line: message" at the node's first record (a node
 * without one, as an empty non-terminal: the nearest record below it, else
 * above it); errors about the whole zone at its apex.
 */
#ifndef MXS_COMPILE_H
#define MXS_COMPILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnsd/base/diag.h"
#include "dnsd/base/wire.h"
#include "zones/zone.h"

#define COMPILE_CNAME_MAX 16	/* CNAME steps followed in one answer */

/* What a blob appends per query after its static part. */
enum { COMPILE_DYN_NONE = 0, COMPILE_DYN_MX, COMPILE_DYN_A, COMPILE_DYN_AAAA,
    COMPILE_DYN_SRV, COMPILE_DYN_NSEC /* signed zones: the NSEC of a name
    with dynamic records, which follows the pool state */,
    COMPILE_DYN_RRSIG /* signed zones, qtype RRSIG at such a name: the
    RRSIGs of its current dynamic RRsets and NSEC */ };

/* One precompiled response body. */
struct compile_blob {
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
	uint8_t    dyn;		/* COMPILE_DYN_*: a dynamic answer after body */
	uint16_t   dyn_owner;	/* compiled offset of the dynamic owner name */
	const struct zone_node *dyn_node;
};

/* The blobs of a node that do not answer one type (special[]). */
#define COMPILE_OTHER    0	/* CNAME nodes: chain for types not listed */
#define COMPILE_REFERRAL 1	/* cut nodes */
#define COMPILE_NODATA   2	/* apex: zone negative answers */
#define COMPILE_NXDOMAIN 3
#define COMPILE_DS       4	/* cut nodes: DS answered from the parent side */
#define COMPILE_NSPECIAL 5

/*
 * DYNMX/DYNSRV fast path: per pool server, its MX or SRV record and its
 * addresses precompiled for the exact owner (the qname at offset 12). An MX
 * target is compressed against the question only, an SRV target not at all
 * (RFC 2782), so the record can go anywhere; the owner pointers of the
 * address records are patched to where the target landed. Wildcard or
 * CNAME-chained owners take the general path.
 */
struct compile_frag {
	uint8_t  *mem;		/* rr, add, addptr in one allocation */
	uint8_t  *rr;		/* owner 0xC00C, type, class, TTL at 6, rdlength,
				   rdata at 12: MX pref, target at 14; SRV
				   priority, weight at 14, port, target at 18 */
	uint8_t  *add;		/* A/AAAA records, owners to patch */
	uint16_t *addptr;	/* positions of the owner pointers in add */
	uint16_t  rrlen, addlen, naddrr;
	uint16_t  addlen1, naddrr1;	/* the first RRset of add (a cut there) */
	uint8_t   tgt;		/* offset of the target in rr: 14 or 18 */
};

struct compile_dyn {
	size_t               n;		/* == the pool reference's nservers */
	struct compile_frag *srv;
	struct compile_frag  relay;	/* rrlen 0 when no relay name (always
					   for DYNSRV: the relay is no SRV
					   target) */
};

/* node->answers of a compiled zone (never NULL after compile_zone). */
struct compile_node {
	uint16_t             ntypes;
	uint16_t             any_type;	/* 0: NODATA */
	uint16_t            *types;
	struct compile_blob *blobs;	/* ntypes */
	struct compile_blob *special[COMPILE_NSPECIAL];
	struct compile_dyn  *dyn;	/* DYNMX at a non-wildcard node */
	struct compile_dyn  *dynsrv;	/* DYNSRV at a non-wildcard node */
	struct compile_node *sec;	/* signed zones: the DO=1 answers, with
					   RRSIGs (no fast-path fragments:
					   signed dynamic answers come from
					   dnsd/dynsign.h); NULL otherwise */
};

/*
 * Precompile the answers of every node of z: sets each node->answers (a
 * struct compile_node, freed by zone_free through z->answers_free).
 * Compiles every node even after an error, so that all are reported.
 * \param d   every error, "file:line: message"
 * \retval 0  ok
 * \retval -1 at least one error was reported to d (z still freeable)
 */
int compile_zone(struct zone *z, struct diag *d);

/*
 * Write every record of rs with the writer, as the compiler does (names in
 * rdata compressed, SRV targets not). owner_ptr >= 0: the owner is a
 * pointer there, else owner/olen written compressed. tgt (may be NULL):
 * out, for the first ntgt records, the offset of the target name
 * (NS/CNAME/PTR/MX/SRV) or 0. Used at query time by the general path of
 * dynamic answers. On overflow w->overflow is set.
 */
void compile_put_rrset(struct wire_writer *w, long owner_ptr,
    const uint8_t *owner, size_t olen, const struct zone_rrset *rs,
    uint32_t ttl, size_t *tgt, size_t ntgt);

/* The highest cut at or above n, or NULL (a loader may leave cut NULL on
 * the cut itself). */
static inline struct zone_node *
compile_cut_of(const struct zone_node *n)
{
	if (n->cut != NULL)
		return n->cut;
	if (n->flags & ZONE_NODE_DELEG)
		return (struct zone_node *)(uintptr_t)n;
	return NULL;
}

/* Closest existing ancestor of a lowercase in-zone name (the apex at
 * worst): the name itself is not looked up. */
static inline struct zone_node *
compile_closest_encloser(const struct zone *z, const uint8_t *name, size_t len)
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

#endif
