/* fuzz_dns.h - the response invariants the DNS harnesses check (ldns as the judge). */
#ifndef MXS_FUZZ_DNS_H
#define MXS_FUZZ_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <ldns/ldns.h>
#include <urcu.h>

#include "dnsd/query.h"
#include "tests/fuzz/fuzz.h"

/*
 * What every query_answer() result keeps, whatever the query: nothing for
 * a response (QR=1); otherwise a header with the query's ID and QR set,
 * within the buffer, parseable by ldns, over UDP no more than 512 bytes
 * unless the client sent EDNS with a larger size, over TCP never TC=1;
 * and a response with one question (other than FORMERR) echoes the
 * query's question byte for byte (qname case preserved).
 */
static inline void
fuzz_dns_check(const uint8_t *q, size_t qlen, const uint8_t *r, size_t rlen,
    size_t resplen, int transport)
{
	ldns_pkt *rp = NULL, *qp = NULL;

	if (qlen >= 3 && (q[2] & 0x80))
		FUZZ_CHECK(rlen == 0);
	if (rlen == 0)
		return;
	FUZZ_CHECK(rlen <= resplen);
	FUZZ_CHECK(rlen >= 12);
	FUZZ_CHECK(qlen >= 2 && r[0] == q[0] && r[1] == q[1]);
	FUZZ_CHECK(r[2] & 0x80);
	FUZZ_CHECK(ldns_wire2pkt(&rp, r, rlen) == LDNS_STATUS_OK);
	if (transport == QUERY_TCP)
		FUZZ_CHECK((r[2] & 0x02) == 0);
	if (r[4] == 0 && r[5] == 1 && (r[3] & 0x0F) != 1) {
		size_t o = 12;

		while (o < qlen && q[o] != 0 && q[o] < 64)
			o += (size_t)q[o] + 1;
		if (o + 5 <= qlen && q[o] == 0) {
			FUZZ_CHECK(rlen >= o + 5);
			FUZZ_CHECK(memcmp(r + 12, q + 12, o + 5 - 12) == 0);
		}
	}
	if (transport == QUERY_UDP && rlen > 512) {
		FUZZ_CHECK(ldns_pkt_edns(rp));
		if (ldns_wire2pkt(&qp, q, qlen) == LDNS_STATUS_OK &&
		    ldns_pkt_edns(qp))
			FUZZ_CHECK(rlen <= ldns_pkt_edns_udp_size(qp));
	}
	ldns_pkt_free(qp);
	ldns_pkt_free(rp);
}

/* query_answer_from() (a fixed client address, so that COOKIE options are
 * answered) under the RCU read lock into resp (resplen bytes), then
 * fuzz_dns_check() of the response; returns its length. */
static inline size_t
fuzz_dns_ask(const struct world *w, struct query_thread *t,
    const uint8_t *q, size_t qlen, uint8_t *resp, size_t resplen,
    int transport)
{
	struct sockaddr_in from = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(0xc0000201) };	/* 192.0.2.1 */
	size_t n;

	rcu_read_lock();
	n = query_answer_from(w, t, (const struct sockaddr *)&from, q, qlen,
	    resp, resplen, transport);
	rcu_read_unlock();
	fuzz_dns_check(q, qlen, resp, n, resplen, transport);
	return n;
}

/* A query for a wire name: RD, IN, with an OPT (4096, DO) when edns. */
static inline size_t
fuzz_dns_query(uint8_t *q, const uint8_t *name, size_t nlen, uint16_t type,
    bool edns)
{
	size_t o = 0;

	q[o++] = 0xbe; q[o++] = 0xef;
	q[o++] = 0x01; q[o++] = 0x00;			/* RD */
	q[o++] = 0; q[o++] = 1;				/* QDCOUNT */
	memset(q + o, 0, 4); o += 4;
	q[o++] = 0; q[o++] = edns ? 1 : 0;		/* ARCOUNT */
	memcpy(q + o, name, nlen); o += nlen;
	q[o++] = (uint8_t)(type >> 8); q[o++] = (uint8_t)type;
	q[o++] = 0; q[o++] = 1;
	if (edns) {
		static const uint8_t opt[11] = { 0, 0, 41, 0x10, 0, 0, 0,
		    0x80, 0, 0, 0 };

		memcpy(q + o, opt, sizeof(opt));
		o += sizeof(opt);
	}
	return o;
}

/* Register the calling thread with liburcu once (several harnesses share
 * a process in the regression test). */
static inline void
fuzz_rcu_register(void)
{
	static int done;

	if (!done) {
		rcu_register_thread();
		done = 1;
	}
}

#endif
