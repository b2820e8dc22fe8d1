/* query-t.h - types of the query path: per-thread state, counters, the query being answered.
 *
 * Types only (HAProxy's *-t.h habit), so that dnsd/query.c and the parts it
 * calls per query (dnsd/dynamic.c) share them without including each other.
 * Callers outside the query path use dnsd/query.h and treat struct
 * query_thread as opaque.
 */
#ifndef MXS_QUERY_T_H
#define MXS_QUERY_T_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnsd/base/rng.h"
#include "dnsd/base/wire.h"
#include "dnsd/cookie.h"
#include "zones/sign.h"
#include "zones/zone.h"

struct world;

/* Counters kept per worker thread, summed by the status endpoint. */
#define QUERY_NQTYPES 8	/* A NS CNAME SOA MX TXT AAAA other */
/* NOERROR FORMERR SERVFAIL NXDOMAIN NOTIMP REFUSED; by_rcode has one more
 * slot for the others (BADVERS, NOTAUTH) */
#define QUERY_NRCODES 6
struct query_stats {
	uint64_t queries;
	uint64_t udp, tcp;
	uint64_t by_qtype[QUERY_NQTYPES];
	uint64_t by_rcode[QUERY_NRCODES + 1];
	uint64_t truncated;
	uint64_t dropped;		/* no answer sent (QR=1, unreadable) */
	uint64_t cookies;		/* queries with a well-formed COOKIE */
	uint64_t cookies_valid;		/* of those, with a valid server cookie */
	uint64_t cookies_bad;		/* of those, with a server cookie not
					   ours or expired */
};

/* First-preference counters (query_first_pref): pools and servers past
 * these bounds are not counted. */
#define QUERY_FP_POOLS   16
#define QUERY_FP_SERVERS 64

/* Per worker thread: parsed query, random state, counters. Not shared. */
struct query_thread {
	struct query_stats   stats;
	uint64_t             first[QUERY_FP_POOLS][QUERY_FP_SERVERS];
	struct wire_query    q;
	struct rng           rng;		/* policy_order's draws */
	bool                 general;	/* dynamic answers: no fast path
						   (query_thread_fast) */
	uint16_t             tcp_keepalive;	/* RFC 7828 TIMEOUT (100 ms)
						   answered over TCP; set by
						   the network layer */
	bool                 cookie_valid;	/* the last query answered had
						   a valid server cookie */
	uint32_t             dsig_seq;		/* signed dynamic answers: the
						   next variant (dnsd/dynsign.h) */
	struct query_thread *next;		/* every thread, for the sums */
};

/* One query being answered. */
struct query_ctx {
	const struct world      *w;
	struct query_thread     *t;
	const struct wire_query *q;
	const struct zone       *z;
	uint8_t                 *resp;
	size_t                   limit;		/* response bytes, OPT excluded */
	size_t                   body_off;	/* 12 + question */
	uint16_t                 flags;		/* AA, TC, rcode low bits */
	uint16_t                 an, ns, ar;
	uint8_t                  ext_rcode;
	uint16_t                 ede;		/* RFC 8914 info-code + 1, 0 none */
	bool                     tsig_badkey;	/* append TSIG, error BADKEY */
	bool                     keepalive;	/* append edns-tcp-keepalive */
	size_t                   opt_extra;	/* bytes of options we add to
						   the OPT, kept out of limit */
	bool                     dnssec;	/* DO=1 to a signed zone: RRSIGs
						   and denial proofs */
	const struct sign_nsec  *proof[2];	/* NSECs to append in authority */
	uint8_t                  nproof;
	bool                     has_cookie;	/* add cookie to the OPT */
	uint8_t                  cookie[COOKIE_OPT_LEN];
};

struct compile_blob;

/*
 * Copy the first L bytes of blob b's body to c->resp + at, moving its
 * compression pointers by delta (compile.h: the qname is longer than the
 * name compiled for). The query path's one blob copy (query.c), also used
 * for the SOA of signed NODATA answers (dynamic.c).
 */
void query_blob_copy(struct query_ctx *c, const struct compile_blob *b,
    size_t delta, size_t at, size_t L);

#endif
