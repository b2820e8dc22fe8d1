/* query.h - the query path: one DNS query in, one response out, from the compiled world.
 *
 * query_answer() parses the query (dnsd/base/wire.h), finds the zone and
 * the node (exact match, closest encloser, wildcard, cut), and copies the
 * answer compiled at load time (zones/compile.h), patching ID, flags, the
 * question's letter case and EDNS; dynamic records are appended by
 * dnsd/dynamic.c, CH-class questions answered by dnsd/chaos.c. It never
 * allocates, never locks and never reads past the packet. It is called by
 * the network layer (dnsd/server.c) and by tests and fuzzers directly with
 * crafted packets.
 *
 * Per-query choices (what a compiled answer holds is in zones/compile.h),
 * each compared with NSD/Knot, RFC first:
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
 *    echoed; NSID and EXPIRE are ignored (RFC 5001 allows it);
 *    edns-tcp-keepalive (RFC 7828): over TCP, to a query that carried it,
 *    the idle timeout the network layer put in t->tcp_keepalive; over UDP
 *    ignored. A FORMERR
 *    still carries an OPT when the query had a readable one (QDCOUNT 0
 *    included). UDP limit: 512 without OPT, else max(512, min(client size,
 *    our payload)), the room of the options we add included.
 *  - DNS Cookies (RFC 7873, server cookies of RFC 9018: dnsd/cookie.h),
 *    when the caller gives the client address (query_answer_from): every
 *    answer to a query with a well-formed COOKIE (NOERROR, NXDOMAIN,
 *    REFUSED, NOTIMP, NOTAUTH, TC) carries the client cookie and a server
 *    cookie. A client cookie only, or a valid server cookie: normal answer.
 *    A bad one (not ours, expired, too far ahead): BADCOOKIE with a fresh
 *    cookie over UDP when the query has no other problem (IN or ANY class,
 *    a name in a served zone, no transfer), a normal answer over TCP
 *    (5.2.4). A malformed COOKIE (length not 8 nor 16..40):
 *    FORMERR without a cookie. QDCOUNT 0 with a COOKIE (5.4): NOERROR (or
 *    BADCOOKIE) with no question, carrying the cookie.
 *  - An answer over the limit: TC=1 with the question only, or cut at an
 *    RRset of the optional additional data (no TC).
 *
 * Differences from NSD 4.x, checked by tests/integration/t_dns_vs_nsd.sh
 * (tests/lib/dnsdiff.py known_diff), each an RFC-open choice or NSD quirk:
 *  - error answers (FORMERR, NOTIMP, REFUSED, NOTAUTH) echo the question
 *    and the OPT (as Knot); NSD leaves them out.
 *  - NOTIFY and UPDATE: NOTIMP (not implemented); NSD REFUSED/NXDOMAIN.
 *  - bytes after the last section, QDCOUNT 0 without a cookie: FORMERR
 *    (as Knot); NSD ignores the bytes / answers NOERROR.
 *  - DNS Cookies: NSD 4.6 has none, so its answers carry no COOKIE, a
 *    malformed COOKIE is not FORMERR there and a bad server cookie not
 *    BADCOOKIE.
 *  - records other than OPT/TSIG in the additional section are skipped
 *    (as Knot); NSD FORMERR. Query RCODE bits ignored; NSD FORMERR.
 *  - TC=1 when the in-domain glue of a referral does not fit (RFC 9471,
 *    as Knot); NSD 4.6 sends part of it without TC.
 *  - QCLASS ANY keeps AA and the negative SOA (as Knot); NSD clears AA.
 *  - MX/SRV answers carry their targets' addresses (as Knot; NSD does with
 *    minimal-responses no, which also adds the apex NS in authority).
 *  - no EDE 18 on refused CH queries (NSD with hide-version).
 *
 * State: one struct query_thread per worker thread (the parsed query, the
 * generator of the pool policies, counters), registered so that the status
 * endpoint can sum the counters (the registry lock is taken when a thread
 * starts or stops and when the status endpoint reads, never per query).
 */
#ifndef MXS_QUERY_H
#define MXS_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>

#include "dnsd/query-t.h"

struct world;

#define QUERY_UDP 0
#define QUERY_TCP 1

/* \retval thread state, seeded from getrandom; caller frees with
 * query_thread_free; NULL on ENOMEM */
struct query_thread *query_thread_new(void);

/* Unregister t (its counters stay in the sums) and free it. NULL is ok. */
void query_thread_free(struct query_thread *t);

/* Reseed t's generator (tests, fuzzers: repeatable dynamic answers). */
void query_thread_seed(struct query_thread *t, uint64_t seed);

/*
 * on false: t's dynamic answers skip the fast paths (precompiled DYNMX
 * records, direct DYNA records) and take the general path, which writes the
 * same bytes (tests and fuzzers compare them). Default true.
 */
void query_thread_fast(struct query_thread *t, bool on);

/*
 * Answer one query.
 * \param w         the current world (conf + compiled zones); NULL: SERVFAIL
 * \param t         this thread's state
 * \param q, qlen   the query as received
 * \param resp      output buffer, at least 65535 bytes for TCP, 4096 for UDP
 * \param transport QUERY_UDP or QUERY_TCP (limits and TC handling)
 * \retval >0       response length written to resp
 * \retval 0        send nothing (QR set, header unreadable)
 */
size_t query_answer(const struct world *w, struct query_thread *t,
    const uint8_t *q, size_t qlen, uint8_t *resp, size_t resplen,
    int transport);

/*
 * The same, for a query from a known client address: DNS Cookies are
 * answered (query_answer() ignores them, as for a caller that does not
 * know where the query came from).
 * \param from  AF_INET or AF_INET6 (v4-mapped is fine); NULL: no cookies
 */
size_t query_answer_from(const struct world *w, struct query_thread *t,
    const struct sockaddr *from, const uint8_t *q, size_t qlen,
    uint8_t *resp, size_t resplen, int transport);

/* \retval true when the last query t answered carried a valid server cookie
 * (its source address is proven: the answer is exempt from RRL) */
bool query_cookie_valid(const struct query_thread *t);

/* Sum the counters of every thread created so far (status endpoint). */
void query_stats_sum(struct query_stats *out);

/*
 * First-preference answers of one pool server since start: dynamic answers
 * (DYNMX, DYNA) that listed it first, summed over every thread; indices as
 * in conf->pools[pool].servers[server]; 0 when out of range. Read by the
 * status endpoint (observed share, mxspread_answers_first_total).
 */
uint64_t query_first_pref(size_t pool, size_t server);

#endif
