/* fuzz_dns.h - the response invariants the DNS harnesses check (ldns as the judge). */
#ifndef MXS_FUZZ_DNS_H
#define MXS_FUZZ_DNS_H

#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>
#include <urcu.h>

#include "dnsd/answer.h"
#include "tests/fuzz/fuzz.h"

/*
 * What every answer_query() result keeps, whatever the query: nothing for
 * a response (QR=1); otherwise a header with the query's ID and QR set,
 * within the buffer, parseable by ldns, and over UDP no more than 512 bytes
 * unless the client sent EDNS with a larger size.
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
	if (transport == ANSWER_UDP && rlen > 512) {
		FUZZ_CHECK(ldns_pkt_edns(rp));
		if (ldns_wire2pkt(&qp, q, qlen) == LDNS_STATUS_OK &&
		    ldns_pkt_edns(qp))
			FUZZ_CHECK(rlen <= ldns_pkt_edns_udp_size(qp));
	}
	ldns_pkt_free(qp);
	ldns_pkt_free(rp);
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
