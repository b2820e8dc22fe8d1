/* wire.h - DNS wire format: bounds-checked query parser and response writer.
 *
 * The parser never allocates and never reads past the packet. It accepts
 * exactly what an authoritative server should answer: one question whose
 * name uses no compression pointer (a query's qname has nothing earlier to
 * point to, so any pointer there is malformed), no answer/authority records,
 * and an additional section made of at most one OPT (root owner, options
 * walked to the exact end of the rdata) plus other records that are skipped
 * (their names may use backward pointers only); a TSIG record must be the
 * last one and well formed (else FORMERR), and as no key is configured it
 * gives WIRE_NOTAUTH (RFC 8945 5.2: NOTAUTH/BADKEY). An IXFR query may carry
 * the client's SOA in the authority section (RFC 1995 3). Bytes beyond the
 * declared sections are FORMERR, as Knot answers (NSD ignores them). With
 * QDCOUNT 0 the OPT is still read, so the FORMERR carries it (RFC 6891 7).
 * The first COOKIE option of the OPT (RFC 7873) is located for the query
 * path; a malformed one (length not 8 nor 16..40, RFC 7873 5.2.2) is
 * FORMERR with the OPT kept; later COOKIE options are ignored.
 *
 * The writer builds responses into a caller buffer with name compression
 * against names already in the buffer (the question, earlier owners and
 * rdata names). It can record where every compression pointer it writes sits,
 * so that a precompiled body can be relocated when the question name it was
 * compiled for has a different length (see zones/compile.h).
 */
#ifndef MXS_WIRE_H
#define MXS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_HDR_LEN     12
#define WIRE_NAME_MAX    255
#define WIRE_LABEL_MAX   63
#define WIRE_OPT_LEN     11	/* root owner + type/class/ttl/rdlen, no options */

#define WIRE_F_QR        0x8000
#define WIRE_F_OPCODE    0x7800
#define WIRE_F_AA        0x0400
#define WIRE_F_TC        0x0200
#define WIRE_F_RD        0x0100
#define WIRE_F_RA        0x0080
#define WIRE_F_AD        0x0020
#define WIRE_F_CD        0x0010

#define WIRE_RCODE_NOERROR  0
#define WIRE_RCODE_FORMERR  1
#define WIRE_RCODE_SERVFAIL 2
#define WIRE_RCODE_NXDOMAIN 3
#define WIRE_RCODE_NOTIMP   4
#define WIRE_RCODE_REFUSED  5
#define WIRE_RCODE_NOTAUTH  9
#define WIRE_RCODE_BADVERS  16
#define WIRE_RCODE_BADCOOKIE 23	/* RFC 7873 */

#define WIRE_TYPE_OPT    41
#define WIRE_TYPE_DS     43
#define WIRE_TYPE_TSIG   250
#define WIRE_TYPE_IXFR   251
#define WIRE_TYPE_AXFR   252
#define WIRE_TYPE_ANY    255
#define WIRE_CLASS_IN    1
#define WIRE_CLASS_CH    3
#define WIRE_CLASS_ANY   255

#define WIRE_EDNS_DO     0x8000
#define WIRE_EDNS_OPT_COOKIE 10	/* RFC 7873 DNS Cookies */
#define WIRE_EDNS_OPT_EDE 15	/* RFC 8914 Extended DNS Error */
#define WIRE_EDNS_OPT_KEEPALIVE 11	/* RFC 7828 edns-tcp-keepalive */
#define WIRE_EDE_NOT_AUTH 20	/* EDE info-code: Not Authoritative */

/* Outcome of wire_parse_query(). */
enum wire_result {
	WIRE_OK = 0,
	WIRE_DROP,		/* shorter than a header, or QR=1: send nothing */
	WIRE_FORMERR,
	WIRE_NOTIMP,		/* opcode other than QUERY */
	WIRE_BADVERS,		/* EDNS version > 0 */
	WIRE_NOTAUTH,		/* TSIG signed: no key is known (RFC 8945 5.2) */
};

/* A parsed query. Pointers point into the packet given to the parser. */
struct wire_query {
	uint16_t       id;
	uint16_t       flags;
	uint16_t       qdcount, ancount, nscount, arcount;
	bool           question_ok;	/* qname/qtype/qclass valid (echo them) */
	const uint8_t *question;	/* qname as received, then qtype, qclass */
	size_t         question_len;	/* qname_len + 4 */
	size_t         qname_len;	/* wire bytes including the root label */
	uint16_t       qtype, qclass;
	uint8_t        nlabels;		/* not counting the root */
	uint8_t        label_off[128];	/* offset of each label in lname */
	uint8_t        lname[WIRE_NAME_MAX + 1];	/* qname lowercased */
	/* EDNS */
	bool           has_opt;		/* a valid OPT record was found */
	uint16_t       udp_size;	/* as sent (not clamped) */
	uint8_t        edns_version;
	uint16_t       edns_flags;	/* DO and Z */
	bool           keepalive;	/* edns-tcp-keepalive (RFC 7828) */
	const uint8_t *cookie;		/* first COOKIE option's data, or NULL */
	uint8_t        cookie_len;	/* 8 or 16..40 (else WIRE_FORMERR) */
	bool           cookie_bad;	/* a COOKIE option of another length */
	/* TSIG (RFC 8945): the record as received, for a BADKEY answer */
	const uint8_t *tsig;		/* owner name (uncompressed) or NULL */
	size_t         tsig_owner_len;
	const uint8_t *tsig_rdata;	/* algorithm name, time signed, fudge... */
	size_t         tsig_alg_len;	/* uncompressed algorithm name length */
};

/*
 * Parse a query.
 * \retval WIRE_OK       q filled; answer it
 * \retval WIRE_DROP     send nothing
 * \retval WIRE_FORMERR  q->question_ok / q->has_opt say what can be echoed
 * \retval WIRE_NOTIMP   same
 * \retval WIRE_BADVERS  question and OPT valid, version > 0
 */
enum wire_result wire_parse_query(const uint8_t *pkt, size_t len,
    struct wire_query *q);

/*
 * Length of an uncompressed wire name at name (at most max bytes readable).
 * \retval len  bytes including the root label
 * \retval 0    malformed (pointer, bad label type, too long, past max)
 */
size_t wire_name_len(const uint8_t *name, size_t max);

/* Lowercase copy of an uncompressed wire name of len bytes. */
void wire_name_lower(uint8_t *dst, const uint8_t *src, size_t len);

/* \retval true when a is b or a name below b (wire, lowercase both). */
bool wire_name_is_subdomain(const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen);

/* Labels of a well-formed uncompressed wire name, not counting the root. */
unsigned wire_name_labels(const uint8_t *name);

/* Room for the text of any wire name: 255 bytes, each up to 4 characters. */
#define WIRE_NAME_TEXT_MAX 1100

/*
 * Presentation form of a well-formed uncompressed wire name, for messages:
 * "www.example.com.", "." for the root. Letters, digits, '-', '_', '*' and
 * '/' as they are, other printable ASCII after a backslash, the rest as
 * \DDD. A buffer smaller than WIRE_NAME_TEXT_MAX may cut the text short.
 * \param size  at least 9
 * \retval buf  always NUL-terminated
 */
const char *wire_name_text(const uint8_t *name, char *buf, size_t size);

/* Big-endian 16-bit field at p (header counts, rdlength, patched answers). */
static inline uint16_t
wire_get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline void
wire_set16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

#define WIRE_CTAB_MAX 128

/* A response being written, with its compression table. */
struct wire_writer {
	uint8_t  *buf;
	size_t    len;
	size_t    cap;
	bool      overflow;	/* a write did not fit; len is unchanged by it */
	bool      no12;		/* never compress to offset 12 (the qname) */
	uint16_t  ctab[WIRE_CTAB_MAX];	/* offsets where a full name starts */
	unsigned  nctab;
	uint16_t *ptrs;		/* NULL, or where written pointers sit */
	size_t    nptrs, ptrcap;
};

/* Start writing at buf + len (bytes before are kept: header, question). */
void wire_writer_init(struct wire_writer *w, uint8_t *buf, size_t cap,
    size_t len);
void wire_put_u8(struct wire_writer *w, uint8_t v);
void wire_put_u16(struct wire_writer *w, uint16_t v);
void wire_put_u32(struct wire_writer *w, uint32_t v);
void wire_put_bytes(struct wire_writer *w, const void *p, size_t n);
/* A compression pointer to target (recorded in w->ptrs). */
void wire_put_ptr(struct wire_writer *w, uint16_t target);
/* Offset where a name starts, for later compression (labels of it too). */
void wire_ctab_add(struct wire_writer *w, uint16_t off);
/*
 * Write an uncompressed wire name (case kept), compressed against the table
 * when compress is true; its new labels enter the table.
 * \retval offset where the name starts
 */
size_t wire_put_name(struct wire_writer *w, const uint8_t *name, size_t len,
    bool compress);

#endif
