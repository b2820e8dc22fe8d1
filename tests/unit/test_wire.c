/* test_wire.c - query parser: a table of crafted, mostly malformed, packets and the exact outcome. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <urcu.h>

#include "dnsd/base/wire.h"
#include "dnsd/query.h"

/* Packets as hex; spaces ignored. */
#define H(qd, an, ns, ar) "1234 0100 " qd an ns ar
#define C0 "0000 "
#define C1 "0001 "
#define C2 "0002 "
#define QN "03777777 076578616d706c65 03636f6d 00 "	/* www.example.com. */
#define QTC "0001 0001 "					/* A IN */
#define Q QN QTC
#define OPT "00 0029 1000 00000000 0000 "		/* 4096, v0, no options */
#define TSIG_RD "0b686d61632d73686132353600 00006b09f929 012c 0004 01020304 1234 0000 0000 "
#define TSIG "026b3100 00fa 00ff 00000000 0021 " TSIG_RD	/* k1. hmac-sha256. */
#define SOA0 "c00c 0006 0001 00000000 0016 00 00 00000001 00000002 00000003 00000004 00000005 "
#define L63 "3f" "616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161"
#define L61 "3d" "61616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161"
#define L62 "3e" "6161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161"

struct wcase {
	const char *name;
	const char *hex;
	enum wire_result want;
	int rcode;		/* response rcode through query_answer, -1: no response */
	int qdcount;		/* in the response */
	int opt;		/* OPT in the response */
};

static const struct wcase cases[] = {
	{ "empty", "", WIRE_DROP, -1, 0, 0 },
	{ "header_one_byte_short", "1234 0100 0001 0000 0000 00", WIRE_DROP, -1, 0, 0 },
	{ "qr_set", "1234 8100 0001 0000 0000 0000 " Q, WIRE_DROP, -1, 0, 0 },
	{ "ok", H(C1, C0, C0, C0) Q, WIRE_OK, 2 /* no world: SERVFAIL */, 1, 0 },
	{ "question_one_byte_short", H(C1, C0, C0, C0) QN "0001 00", WIRE_FORMERR, 1, 0, 0 },
	{ "qname_truncated", H(C1, C0, C0, C0) "03777777 07657861", WIRE_FORMERR, 1, 0, 0 },
	{ "trailing_garbage", H(C1, C0, C0, C0) Q "00", WIRE_FORMERR, 1, 1, 0 },
	{ "trailing_after_opt", H(C1, C0, C0, C1) Q OPT "ff", WIRE_FORMERR, 1, 1, 1 },
	{ "qdcount_0", H(C0, C0, C0, C0), WIRE_FORMERR, 1, 0, 0 },
	{ "qdcount_0_with_question", H(C0, C0, C0, C0) Q, WIRE_FORMERR, 1, 0, 0 },
	{ "qdcount_2", H(C2, C0, C0, C0) Q Q, WIRE_FORMERR, 1, 0, 0 },
	{ "ancount_1", H(C1, C1, C0, C0) Q, WIRE_FORMERR, 1, 1, 0 },
	{ "nscount_1", H(C1, C0, C1, C0) Q, WIRE_FORMERR, 1, 1, 0 },
	{ "qname_pointer_back", H(C1, C0, C0, C0) "03777777 c000" QTC, WIRE_FORMERR, 1, 0, 0 },
	{ "qname_pointer_loop", H(C1, C0, C0, C0) "03777777 c00c" QTC, WIRE_FORMERR, 1, 0, 0 },
	{ "qname_pointer_forward", H(C1, C0, C0, C0) "c00e 0001 0001 00", WIRE_FORMERR, 1, 0, 0 },
	{ "label_type_40", H(C1, C0, C0, C0) "41 61 00" QTC, WIRE_FORMERR, 1, 0, 0 },
	{ "label_type_80", H(C1, C0, C0, C0) "81 61 00" QTC, WIRE_FORMERR, 1, 0, 0 },
	{ "label_past_end", H(C1, C0, C0, C0) "3f 6161", WIRE_FORMERR, 1, 0, 0 },
	{ "label_63_ok", H(C1, C0, C0, C0) L63 "00" QTC, WIRE_OK, 2, 1, 0 },
	{ "name_255_ok", H(C1, C0, C0, C0) L63 L63 L63 L61 "00" QTC, WIRE_OK, 2, 1, 0 },
	{ "name_256", H(C1, C0, C0, C0) L63 L63 L63 L62 "00" QTC, WIRE_FORMERR, 1, 0, 0 },
	{ "name_321", H(C1, C0, C0, C0) L63 L63 L63 L63 L63 "00" QTC, WIRE_FORMERR, 1, 0, 0 },
	{ "root_qname", H(C1, C0, C0, C0) "00" QTC, WIRE_OK, 2, 1, 0 },
	{ "opt_ok", H(C1, C0, C0, C1) Q OPT, WIRE_OK, 2, 1, 1 },
	{ "opt_with_cookie", H(C1, C0, C0, C1) Q "00 0029 1000 00000000 000c 000a 0008 0102030405060708",
	  WIRE_OK, 2, 1, 1 },
	{ "opt_version_1", H(C1, C0, C0, C1) Q "00 0029 1000 00010000 0000", WIRE_BADVERS, 0, 1, 1 },
	{ "two_opts", H(C1, C0, C0, C2) Q OPT OPT, WIRE_FORMERR, 1, 1, 0 },
	{ "opt_owner_not_root", H(C1, C0, C0, C1) Q "c00c 0029 1000 00000000 0000", WIRE_FORMERR, 1, 1, 0 },
	{ "opt_rdlen_past_end", H(C1, C0, C0, C1) Q "00 0029 1000 00000000 0008 000a0004", WIRE_FORMERR, 1, 1, 0 },
	{ "opt_option_overrun", H(C1, C0, C0, C1) Q "00 0029 1000 00000000 0006 000a 0008 0102", WIRE_FORMERR, 1, 1, 0 },
	{ "opt_option_header_cut", H(C1, C0, C0, C1) Q "00 0029 1000 00000000 0002 000a", WIRE_FORMERR, 1, 1, 0 },
	{ "arcount_1_nothing", H(C1, C0, C0, C1) Q, WIRE_FORMERR, 1, 1, 0 },
	{ "opt_fixed_part_short", H(C1, C0, C0, C1) Q "00 0029 1000 0000", WIRE_FORMERR, 1, 1, 0 },
	{ "additional_txt_backptr", H(C1, C0, C0, C1) Q "c00c 0010 0001 00000000 0002 0161", WIRE_OK, 2, 1, 0 },
	{ "additional_forward_ptr", H(C1, C0, C0, C1) Q "c040 0010 0001 00000000 0000", WIRE_FORMERR, 1, 1, 0 },
	{ "additional_self_ptr", H(C1, C0, C0, C1) Q "c021 0010 0001 00000000 0000", WIRE_FORMERR, 1, 1, 0 },
	{ "opcode_status", "1234 1100 0001 0000 0000 0000 " Q, WIRE_NOTIMP, 4, 1, 0 },
	{ "opcode_update_bad_counts", "1234 2800 0001 0001 0002 0000 " Q, WIRE_NOTIMP, 4, 1, 0 },
	{ "opcode_notify_no_question", "1234 2000 0000 0000 0000 0000", WIRE_NOTIMP, 4, 0, 0 },
	{ "opt_small_udp", H(C1, C0, C0, C1) Q "00 0029 0064 00000000 0000", WIRE_OK, 2, 1, 1 },
	/* RFC 6891 7: the FORMERR for QDCOUNT 0 still carries the OPT */
	{ "qdcount_0_with_opt", H(C0, C0, C0, C1) OPT, WIRE_FORMERR, 1, 0, 1 },
	{ "qdcount_0_with_bad_opt", H(C0, C0, C0, C1) "00 0029 1000 00000000 0002 000a", WIRE_FORMERR, 1, 0, 0 },
	/* RFC 1995 3: IXFR carries the client's SOA in authority */
	{ "ixfr_with_soa", H(C1, C0, C1, C0) QN "00fb 0001 " SOA0, WIRE_OK, 2, 1, 0 },
	{ "ixfr_with_soa_cut", H(C1, C0, C1, C0) QN "00fb 0001 " "c00c 0006 0001 00000000 0016 00", WIRE_FORMERR, 1, 1, 0 },
	{ "a_with_authority_soa", H(C1, C0, C1, C0) Q SOA0, WIRE_FORMERR, 1, 1, 0 },
	/* RFC 8945: TSIG last, class ANY, TTL 0, rdata well formed */
	{ "tsig_not_last", H(C1, C0, C0, C2) Q TSIG OPT, WIRE_FORMERR, 1, 1, 0 },
	{ "tsig_class_in", H(C1, C0, C0, C1) Q "026b3100 00fa 0001 00000000 0021 " TSIG_RD, WIRE_FORMERR, 1, 1, 0 },
	{ "tsig_rdata_short", H(C1, C0, C0, C1) Q "026b3100 00fa 00ff 00000000 0020 " TSIG_RD, WIRE_FORMERR, 1, 1, 0 },
};

static size_t
unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex; hex++) {
		int v = 0;

		if (*hex == ' ')
			continue;
		if (*hex >= '0' && *hex <= '9')
			v = *hex - '0';
		else if (*hex >= 'a' && *hex <= 'f')
			v = *hex - 'a' + 10;
		else
			fail_msg("bad hex char %c", *hex);
		if (hi < 0) {
			hi = v;
		} else {
			assert_true(n < max);
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	assert_int_equal(hi, -1);
	return n;
}

/* A TSIG-signed query: no key is known, NOTAUTH with an unsigned TSIG
 * carrying error BADKEY (RFC 8945 5.2.2), after the OPT. */
static void
test_tsig_badkey(void **state)
{
	struct query_thread *t = query_thread_new();
	static uint8_t pkt[512], resp[4096];
	size_t len = unhex(H(C1, C0, C0, C2) Q OPT TSIG, pkt, sizeof(pkt)), rl;
	struct wire_query q;
	const uint8_t *e;

	(void)state;
	assert_non_null(t);
	assert_int_equal(wire_parse_query(pkt, len, &q), WIRE_NOTAUTH);
	rl = query_answer(NULL, t, pkt, len, resp, sizeof(resp), QUERY_UDP);
	assert_true(rl > 12 + 21 + 11);
	assert_int_equal(resp[3] & 0x0F, WIRE_RCODE_NOTAUTH);
	assert_int_equal(resp[11], 2);		/* OPT, TSIG */
	e = resp + rl;
	assert_int_equal(e[-2] << 8 | e[-1], 0);	/* other len */
	assert_int_equal(e[-4] << 8 | e[-3], 17);	/* BADKEY */
	assert_int_equal(e[-6] << 8 | e[-5], 0x1234);	/* original ID */
	assert_int_equal(e[-8] << 8 | e[-7], 0);	/* MAC size */
	query_thread_free(t);
}

static void
test_table(void **state)
{
	struct query_thread *t = query_thread_new();
	static uint8_t pkt[2048], resp[4096];

	(void)state;
	assert_non_null(t);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct wcase *c = &cases[i];
		struct wire_query q;
		size_t len = unhex(c->hex, pkt, sizeof(pkt)), rl;
		enum wire_result r;

		/* a copy exactly len bytes long, so a read past it is caught
		 * by ASan */
		uint8_t *exact = malloc(len ? len : 1);

		assert_non_null(exact);
		memcpy(exact, pkt, len);
		r = wire_parse_query(exact, len, &q);
		if (r != c->want)
			fail_msg("%s: parse %d, want %d", c->name, r, c->want);
		rl = query_answer(NULL, t, exact, len, resp, sizeof(resp),
		    QUERY_UDP);
		free(exact);
		if (c->rcode < 0) {
			if (rl != 0)
				fail_msg("%s: answered, want drop", c->name);
			continue;
		}
		if (rl < 12)
			fail_msg("%s: no answer", c->name);
		if ((resp[3] & 0x0F) != c->rcode)
			fail_msg("%s: rcode %d, want %d", c->name,
			    resp[3] & 0x0F, c->rcode);
		if (!(resp[2] & 0x80) || resp[0] != 0x12 || resp[1] != 0x34)
			fail_msg("%s: QR/ID wrong", c->name);
		if (resp[5] != c->qdcount)
			fail_msg("%s: qdcount %d, want %d", c->name, resp[5],
			    c->qdcount);
		if (resp[11] != c->opt)
			fail_msg("%s: arcount %d, want %d", c->name, resp[11],
			    c->opt);
		if (c->opt) {
			/* OPT last: version 0, our payload */
			const uint8_t *o = resp + rl - 11;

			assert_int_equal(o[0], 0);
			assert_int_equal(o[1] << 8 | o[2], 41);
			assert_int_equal(o[3] << 8 | o[4], 1232);
			assert_int_equal(o[5], c->want == WIRE_BADVERS ? 1 : 0);
			assert_int_equal(o[6], 0);
		}
		if (c->qdcount) {
			/* the echoed question is the query's */
			assert_true(len >= 12 + q.question_len);
			assert_memory_equal(resp + 12, pkt + 12, q.question_len);
		}
	}
	query_thread_free(t);
}

static void
test_parse_fields(void **state)
{
	static uint8_t pkt[512];
	struct wire_query q;
	size_t len = unhex(H(C1, C0, C0, C1) "03 577757 07 4578616d706c65 03 636f6d 00 "
	    "000f 0001 00 0029 04d0 00008000 0000", pkt, sizeof(pkt));

	(void)state;
	assert_int_equal(wire_parse_query(pkt, len, &q), WIRE_OK);
	assert_int_equal(q.id, 0x1234);
	assert_int_equal(q.qtype, 15);
	assert_int_equal(q.qclass, 1);
	assert_int_equal(q.qname_len, 17);
	assert_int_equal(q.nlabels, 3);
	assert_memory_equal(q.lname, "\3www\7example\3com", 17);
	assert_int_equal(q.label_off[1], 4);
	assert_int_equal(q.label_off[2], 12);
	assert_true(q.has_opt);
	assert_int_equal(q.udp_size, 1232);
	assert_int_equal(q.edns_flags, WIRE_EDNS_DO);
}

static void
test_writer_compression(void **state)
{
	uint8_t buf[512];
	uint16_t ptrs[16];
	struct wire_writer w;
	const uint8_t a[] = "\3www\7example\3com";
	const uint8_t b[] = "\4mail\7EXAMPLE\3com";
	size_t off;

	(void)state;
	wire_writer_init(&w, buf, sizeof(buf), 12);
	w.ptrs = ptrs;
	w.ptrcap = 16;
	off = wire_put_name(&w, a, sizeof(a), true);
	assert_int_equal(off, 12);
	assert_int_equal(w.len, 12 + 17);
	off = wire_put_name(&w, b, sizeof(b), true);
	assert_int_equal(off, 29);
	/* "mail" then a pointer to "example.com" at 16 */
	assert_int_equal(w.len, 29 + 5 + 2);
	assert_int_equal(buf[34], 0xC0);
	assert_int_equal(buf[35], 16);
	assert_int_equal(w.nptrs, 1);
	assert_int_equal(ptrs[0], 34);
	/* the whole name again: one pointer */
	wire_put_name(&w, b, sizeof(b), true);
	assert_int_equal(w.len, 36 + 2);
	assert_int_equal(buf[37], 29);
	/* no12: a name equal to the one at 12 is not compressed to 12 */
	w.no12 = true;
	off = w.len;
	wire_put_name(&w, a, sizeof(a), true);
	assert_int_equal(w.len, off + 4 + 2);
	/* overflow is sticky and reported */
	wire_writer_init(&w, buf, 14, 12);
	wire_put_u32(&w, 1);
	assert_true(w.overflow);
	assert_int_equal(w.len, 12);
}

static void
test_name_helpers(void **state)
{
	(void)state;
	assert_int_equal(wire_name_len((const uint8_t *)"\3www\0", 5), 5);
	assert_int_equal(wire_name_len((const uint8_t *)"\3www\0", 4), 0);
	assert_int_equal(wire_name_len((const uint8_t *)"\3ww\xc0\x0c", 6), 0);
	assert_true(wire_name_is_subdomain((const uint8_t *)"\1a\3com", 7,
	    (const uint8_t *)"\3com", 5));
	assert_false(wire_name_is_subdomain((const uint8_t *)"\2ba\3com", 8,
	    (const uint8_t *)"\1a\3com", 7));
	assert_true(wire_name_is_subdomain((const uint8_t *)"\3com", 5,
	    (const uint8_t *)"", 1));
}

static void
test_name_labels(void **state)
{
	(void)state;
	assert_int_equal(wire_name_labels((const uint8_t *)""), 0);
	assert_int_equal(wire_name_labels((const uint8_t *)"\3com"), 1);
	assert_int_equal(wire_name_labels(
	    (const uint8_t *)"\1*\4mail\7example\3com"), 4);
}

static void
test_name_text(void **state)
{
	char buf[WIRE_NAME_TEXT_MAX], small[12];
	uint8_t w[256];
	size_t i;

	(void)state;
	assert_string_equal(wire_name_text((const uint8_t *)"", buf,
	    sizeof(buf)), ".");
	assert_string_equal(wire_name_text(
	    (const uint8_t *)"\1*\4Mail\7example\3com", buf, sizeof(buf)),
	    "*.Mail.example.com.");
	/* kept: - _ / ; escaped: other printable; \DDD: space, controls, 8 bit */
	assert_string_equal(wire_name_text(
	    (const uint8_t *)"\5a-_/.\4\"( \001" "\2\377x", buf, sizeof(buf)),
	    "a-_/\\..\\\"\\(\\032\\001.\\255x.");
	/* the longest name (63+63+63+61), every byte escaped, fits */
	for (i = 0; i < 4; i++) {
		w[i * 64] = i < 3 ? 63 : 61;
		memset(w + i * 64 + 1, 0x01, w[i * 64]);
	}
	w[254] = 0;
	assert_int_equal(wire_name_len(w, sizeof(w)), 255);
	assert_int_equal(strlen(wire_name_text(w, buf, sizeof(buf))),
	    250 * 4 + 4);
	/* a small buffer cuts the text, NUL-terminated */
	assert_string_equal(wire_name_text((const uint8_t *)"\7example\3com",
	    small, sizeof(small)), "exam.");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_tsig_badkey),
		cmocka_unit_test(test_parse_fields),
		cmocka_unit_test(test_writer_compression),
		cmocka_unit_test(test_name_helpers),
		cmocka_unit_test(test_name_labels),
		cmocka_unit_test(test_name_text),
	};

	rcu_register_thread();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
