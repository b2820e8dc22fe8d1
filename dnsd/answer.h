/* answer.h - the query engine: compiled answers and per-query processing.
 *
 * At load time answer_compile_zone() turns every node of a zone into
 * precompiled response bytes (header + question + sections, names
 * compressed), so that per query only the ID, flags, the question's letter
 * case and EDNS are patched (DESIGN.md "Performance rules"). Dynamic
 * records (DYNMX/DYNA) are assembled per query from precompiled fragments
 * and the current pool state (probes/pstate.h), read once per query.
 *
 * answer_query() never allocates and never reads past the packet. It is
 * called by the network layer (dnsd/server.c) and by tests and fuzzers
 * directly with crafted packets.
 */
#ifndef MXS_ANSWER_H
#define MXS_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dnsd/base/conf.h"
#include "zones/zone.h"

struct world;

#define ANSWER_UDP 0
#define ANSWER_TCP 1

/* Counters kept per worker thread, summed by the status endpoint. */
#define ANSWER_NQTYPES 8	/* A NS CNAME SOA MX TXT AAAA other */
#define ANSWER_NRCODES 6	/* NOERROR FORMERR SERVFAIL NXDOMAIN NOTIMP REFUSED, + BADVERS counted as other */
struct answer_stats {
	uint64_t queries;
	uint64_t udp, tcp;
	uint64_t by_qtype[ANSWER_NQTYPES];
	uint64_t by_rcode[ANSWER_NRCODES + 1];
	uint64_t truncated;
	uint64_t dropped;		/* no answer sent (QR=1, unreadable) */
};

/* Per worker thread: scratch, random state, counters. Not shared. */
struct answer_thread;

/* \retval thread state, caller frees with answer_thread_free; NULL on ENOMEM */
struct answer_thread *answer_thread_new(void);
void answer_thread_free(struct answer_thread *t);

/*
 * Answer one query.
 * \param w         the current world (conf + compiled zones)
 * \param t         this thread's state
 * \param q, qlen   the query as received
 * \param resp      output buffer, at least 65535 bytes for TCP, 4096 for UDP
 * \param transport ANSWER_UDP or ANSWER_TCP (limits and TC handling)
 * \retval >0       response length written to resp
 * \retval 0        send nothing (QR set, header unreadable)
 */
size_t answer_query(const struct world *w, struct answer_thread *t,
    const uint8_t *q, size_t qlen, uint8_t *resp, size_t resplen,
    int transport);

/*
 * Precompile the responses of every node of z (sets node->answers and
 * z->answers_free). \retval 0 ok, -1 error printed to err.
 */
int answer_compile_zone(struct zone *z, const struct conf *conf, FILE *err);

/* Sum the counters of every thread created so far (status endpoint). */
void answer_stats_sum(struct answer_stats *out);

/*
 * Seam for the pool policies (added by the answer engineer): the order of
 * the servers of one dynamic answer (DYNMX/DYNA). Same contract and
 * signature as policy_order() in dnsd/policy.h (idx/pref out, at most max
 * entries, POLICY_F_RELAY in *flags_out to append the relay host; pp NULL
 * means every server up). The default lists servers in configured order,
 * skipping those with eff_weight 0 unless all are 0 (fail open), at
 * preferences pref_base + k * pref_step, with the relay host last when set.
 * Set it once at start-up, before any worker runs (e.g. to policy_order).
 */
struct conf_pool;
struct pstate_pool;
struct rng;
typedef size_t (*answer_order_fn)(const struct conf_pool *cp,
    const struct pstate_pool *pp, struct rng *rng, uint16_t *idx,
    uint16_t *pref, size_t max, unsigned *flags_out);
extern answer_order_fn answer_order;
#define ANSWER_ORDER_MAX 256	/* servers per dynamic answer (POLICY_MAX_SERVERS) */

/*
 * First-preference answers of one pool server since start: dynamic answers
 * (DYNMX, DYNA) that listed it first, summed over every thread; indices as
 * in conf->pools[pool].servers[server]; 0 when out of range. Read by the
 * status endpoint (observed share, mxspread_answers_first_total).
 */
uint64_t answer_first_pref(size_t pool, size_t server);

#endif
