/* dynamic.h - DYNMX, DYNA and DYNSRV answers, assembled per query from the pool's current state.
 *
 * A compiled blob whose record is dynamic (zones/compile.h: dyn, dyn_owner,
 * dyn_node) ends where the dynamic records go; the query path appends them
 * with dynamic_answer(). The pool state (probes/pstate.h) is read once, under
 * the RCU read lock; policy_order() (dnsd/policy.h), the one pool order,
 * draws with the thread's generator; the first server listed in an MX or
 * A/AAAA answer is counted for query_first_pref().
 *
 * DYNSRV lists the same order as SRV records (dnsd/policy.h: priorities by
 * failover tier or one priority, weights from the effective weights, the
 * port from the template, no relay host; all_down "relay" with every
 * server down is NODATA, as for DYNA).
 *
 * Two fast paths write the same bytes as the general path, cheaper:
 *  - DYNMX and DYNSRV at the qname itself: the per-server MX/SRV records
 *    and addresses precompiled for that owner (struct compile_frag) are
 *    copied, their TTL, preference (priority, weight) and the additional
 *    records' owner pointers patched;
 *  - DYNA: fixed-shape records written straight from the configured
 *    addresses.
 * The general path (wildcard owners, owners reached through a CNAME, and
 * everything when query_thread_fast(t, false)) writes the records with the
 * wire writer, compressing against the question.
 *
 * MX and SRV answers carry the in-zone targets' A/AAAA in the additional section
 * while whole RRsets fit (never TC for them); DYNA with no address of the
 * family is NODATA (the zone SOA in authority). A pool with all_down =
 * "servfail" and no eligible server (policy_order's POLICY_F_SERVFAIL)
 * makes the whole response SERVFAIL, whatever led to the dynamic name (a
 * CNAME chain, a wildcard, ANY choosing the dynamic type).
 *
 * Signed zones, DO=1 (c->dnssec): the answer is one of the signed variants
 * of dnsd/dynsign.h, taken in turn (the thread's dsig_seq), with its RRSIG
 * (no additional data: zones/compile.h); an empty RRset is
 * NODATA with the SOA, its RRSIG and the name's NSEC of the same pool
 * state. Asked for NSEC at such a name (COMPILE_DYN_NSEC): that NSEC.
 */
#ifndef MXS_DYNAMIC_H
#define MXS_DYNAMIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnsd/query-t.h"
#include "zones/zone.h"

enum dynamic_rc {
	DYNAMIC_OK = 0,		/* written, or nothing to write */
	DYNAMIC_TC,		/* does not fit c->limit: the caller answers TC */
	DYNAMIC_SERVFAIL,	/* no eligible server and all_down = "servfail":
				   the caller answers SERVFAIL, nothing written */
};

/*
 * Append the dynamic records of node n to the response of c.
 * \param kind   COMPILE_DYN_MX, COMPILE_DYN_A, COMPILE_DYN_AAAA or
 *               COMPILE_DYN_SRV
 * \param owner  offset in c->resp of the owner name (12: the qname)
 * \param lenp   in: where the records go; out: the end of what was written
 * \retval DYNAMIC_OK        c->an, c->ns, c->ar counted
 * \retval DYNAMIC_TC        *lenp unchanged
 * \retval DYNAMIC_SERVFAIL  *lenp unchanged
 */
enum dynamic_rc dynamic_answer(struct query_ctx *c, const struct zone_node *n,
    int kind, uint16_t owner, size_t *lenp);

/*
 * Signed zones: append the NSEC of chain entry e at c->resp + *lenp, with
 * its RRSIG when sig; a name with dynamic records gets the NSEC of the
 * current pool state (dnsd/dynsign.h). The caller counts the records.
 * \retval false  it does not fit c->limit (*lenp unchanged)
 */
bool dynamic_put_nsec(struct query_ctx *c, const struct sign_nsec *e,
    size_t *lenp, bool sig);

#endif
