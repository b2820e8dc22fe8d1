/* wire.c - DNS wire format: bounds-checked query parser and response writer. */
#include <stdio.h>
#include <string.h>

#include "dnsd/base/wire.h"

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint8_t
lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* The question name: no pointers, labels <= 63, name <= 255. */
static bool
parse_qname(const uint8_t *pkt, size_t len, size_t off, struct wire_query *q)
{
	size_t start = off, n = 0;
	uint8_t c;

	q->nlabels = 0;
	for (;;) {
		if (off >= len)
			return false;
		c = pkt[off];
		if (c == 0)
			break;
		if (c & 0xC0)		/* pointer, or 0x40/0x80 label types */
			return false;
		if (off + 1 + c > len || n + 1 + c + 1 > WIRE_NAME_MAX)
			return false;
		q->label_off[q->nlabels++] = (uint8_t)n;
		q->lname[n++] = c;
		for (size_t i = 0; i < c; i++)
			q->lname[n++] = lower(pkt[off + 1 + i]);
		off += 1 + (size_t)c;
	}
	q->lname[n++] = 0;
	q->qname_len = n;
	q->question = pkt + start;
	return true;
}

/*
 * Skip a name anywhere after the question: backward pointers only, each one
 * to a strictly earlier place than the last, so it terminates.
 * \retval offset after the name in the packet, 0 on error
 */
static size_t
skip_name(const uint8_t *pkt, size_t len, size_t off, bool *root)
{
	size_t end = 0, total = 0, limit = off;
	unsigned hops = 0;
	uint8_t c;

	*root = false;
	if (off < len && pkt[off] == 0)
		*root = true;
	for (;;) {
		if (off >= len)
			return 0;
		c = pkt[off];
		if (c == 0) {
			if (end == 0)
				end = off + 1;
			return end;
		}
		if ((c & 0xC0) == 0xC0) {
			size_t t;

			if (off + 1 >= len)
				return 0;
			t = ((size_t)(c & 0x3F) << 8) | pkt[off + 1];
			if (end == 0)
				end = off + 2;
			if (t >= limit || t < WIRE_HDR_LEN || ++hops > 127)
				return 0;
			limit = t;
			off = t;
			continue;
		}
		if (c & 0xC0)
			return 0;
		total += 1 + (size_t)c;
		if (total + 1 > WIRE_NAME_MAX || off + 1 + c > len)
			return 0;
		off += 1 + (size_t)c;
	}
}

/*
 * A TSIG record's rdata (RFC 8945 4.2): algorithm name (uncompressed), time
 * signed 48 bits, fudge, MAC size, MAC, original ID, error, other len, other.
 * \retval algorithm name length, 0 when malformed
 */
static size_t
tsig_rdata_ok(const uint8_t *rd, size_t rdlen)
{
	size_t al = wire_name_len(rd, rdlen), o, mac, other;

	if (al == 0 || al + 10 > rdlen)
		return 0;
	o = al + 8;
	mac = rd16(rd + o);
	o += 2 + mac;
	if (o + 6 > rdlen)
		return 0;
	other = rd16(rd + o + 4);
	return o + 6 + other == rdlen ? al : 0;
}

/* The additional section: OPT (at most one, root owner), TSIG (last, well
 * formed) and others skipped. */
static bool
parse_additional(const uint8_t *pkt, size_t len, size_t *offp,
    struct wire_query *q)
{
	size_t off = *offp;
	bool seen_opt = false, seen_cookie = false;

	for (unsigned i = 0; i < q->arcount; i++) {
		uint16_t type, rdlen;
		uint32_t ttl;
		bool root;
		size_t end, owner = off;

		if ((off = skip_name(pkt, len, off, &root)) == 0)
			return false;
		if (off + 10 > len)
			return false;
		type = rd16(pkt + off);
		ttl = ((uint32_t)rd16(pkt + off + 4) << 16) | rd16(pkt + off + 6);
		rdlen = rd16(pkt + off + 8);
		if (off + 10 + rdlen > len)
			return false;
		end = off + 10 + rdlen;
		if (type == WIRE_TYPE_OPT) {
			size_t o = off + 10;

			if (!root || seen_opt)
				return false;
			seen_opt = true;
			while (o < end) {
				size_t ol;

				if (o + 4 > end)
					return false;
				ol = rd16(pkt + o + 2);
				if (rd16(pkt + o) == WIRE_EDNS_OPT_KEEPALIVE)
					q->keepalive = true;
				if (rd16(pkt + o) == WIRE_EDNS_OPT_COOKIE &&
				    !seen_cookie && o + 4 + ol <= end) {
					seen_cookie = true;
					if (ol == 8 || (ol >= 16 && ol <= 40)) {
						q->cookie = pkt + o + 4;
						q->cookie_len = (uint8_t)ol;
					} else
						q->cookie_bad = true;
				}
				o += 4 + ol;
			}
			if (o != end)
				return false;
			q->has_opt = true;
			q->udp_size = rd16(pkt + off + 2);
			q->edns_version = (uint8_t)(ttl >> 16);
			q->edns_flags = (uint16_t)(ttl & 0xFFFF);
		} else if (type == WIRE_TYPE_TSIG) {
			size_t al;

			/* last record, class ANY, TTL 0 (RFC 8945 4.2) */
			if (i + 1 != q->arcount ||
			    rd16(pkt + off + 2) != WIRE_CLASS_ANY || ttl != 0 ||
			    (al = tsig_rdata_ok(pkt + off + 10, rdlen)) == 0 ||
			    wire_name_len(pkt + owner, off - owner) != off - owner)
				return false;	/* compressed owner: not echoed */
			q->tsig = pkt + owner;
			q->tsig_owner_len = off - owner;
			q->tsig_rdata = pkt + off + 10;
			q->tsig_alg_len = al;
		}
		off = end;
	}
	*offp = off;
	return true;
}

/* Skip count records (an IXFR query's SOA in the authority section). */
static bool
skip_records(const uint8_t *pkt, size_t len, size_t *offp, unsigned count)
{
	size_t off = *offp;
	bool root;

	for (unsigned i = 0; i < count; i++) {
		if ((off = skip_name(pkt, len, off, &root)) == 0 ||
		    off + 10 > len)
			return false;
		off += 10 + (size_t)rd16(pkt + off + 8);
		if (off > len)
			return false;
	}
	*offp = off;
	return true;
}

enum wire_result
wire_parse_query(const uint8_t *pkt, size_t len, struct wire_query *q)
{
	enum wire_result r = WIRE_OK;
	size_t off;

	q->question_ok = false;
	q->has_opt = false;
	q->question = NULL;
	q->question_len = 0;
	q->qname_len = 0;
	q->nlabels = 0;
	q->udp_size = 0;
	q->edns_version = 0;
	q->edns_flags = 0;
	q->keepalive = false;
	q->cookie = NULL;
	q->cookie_len = 0;
	q->cookie_bad = false;
	q->tsig = NULL;
	q->tsig_rdata = NULL;
	q->tsig_owner_len = q->tsig_alg_len = 0;
	if (pkt == NULL || len < WIRE_HDR_LEN)
		return WIRE_DROP;
	q->id = rd16(pkt);
	q->flags = rd16(pkt + 2);
	q->qdcount = rd16(pkt + 4);
	q->ancount = rd16(pkt + 6);
	q->nscount = rd16(pkt + 8);
	q->arcount = rd16(pkt + 10);
	if (q->flags & WIRE_F_QR)
		return WIRE_DROP;

	off = WIRE_HDR_LEN;
	if (q->qdcount != 1) {
		/* still read a lone OPT so that the FORMERR carries one */
		if (q->qdcount == 0 && q->ancount == 0 && q->nscount == 0 &&
		    (!parse_additional(pkt, len, &off, q) || off != len))
			q->has_opt = false;
		q->tsig = NULL;
		r = WIRE_FORMERR;
		goto done;
	}
	if (!parse_qname(pkt, len, off, q) || off + q->qname_len + 4 > len) {
		r = WIRE_FORMERR;
		goto done;
	}
	off += q->qname_len;
	q->qtype = rd16(pkt + off);
	q->qclass = rd16(pkt + off + 2);
	off += 4;
	q->question_len = q->qname_len + 4;
	q->question_ok = true;
	if (q->ancount != 0 || (q->nscount != 0 &&
	    (q->qtype != WIRE_TYPE_IXFR ||
	    !skip_records(pkt, len, &off, q->nscount)))) {
		r = WIRE_FORMERR;
		goto done;
	}
	if (!parse_additional(pkt, len, &off, q)) {
		q->has_opt = false;	/* do not trust a half-read OPT */
		q->tsig = NULL;
		r = WIRE_FORMERR;
		goto done;
	}
	if (off != len) {
		r = WIRE_FORMERR;
		goto done;
	}
	if (q->has_opt && q->edns_version > 0)
		r = WIRE_BADVERS;
	else if (q->cookie_bad)
		r = WIRE_FORMERR;
	else if (q->tsig != NULL)
		r = WIRE_NOTAUTH;
done:
	if (((q->flags & WIRE_F_OPCODE) >> 11) != 0)
		r = WIRE_NOTIMP;
	return r;
}

size_t
wire_name_len(const uint8_t *name, size_t max)
{
	size_t off = 0;

	for (;;) {
		if (off >= max)
			return 0;
		if (name[off] == 0)
			break;
		if (name[off] & 0xC0)
			return 0;
		off += 1 + (size_t)name[off];
		if (off + 1 > WIRE_NAME_MAX)
			return 0;
	}
	return off + 1;
}

void
wire_name_lower(uint8_t *dst, const uint8_t *src, size_t len)
{
	for (size_t i = 0; i < len; i++)
		dst[i] = lower(src[i]);
}

bool
wire_name_is_subdomain(const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen)
{
	size_t off = 0;

	if (blen > alen)
		return false;
	while (off < alen - blen && a[off] != 0)
		off += 1 + (size_t)a[off];
	return off == alen - blen && memcmp(a + off, b, blen) == 0;
}

unsigned
wire_name_labels(const uint8_t *name)
{
	unsigned n = 0;

	while (*name != 0) {
		n++;
		name += *name + 1;
	}
	return n;
}

static inline bool
text_plain(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '*' ||
	    c == '/';
}

const char *
wire_name_text(const uint8_t *name, char *buf, size_t size)
{
	size_t o = 0;
	unsigned i, n;
	int c;

	if (*name == 0) {
		snprintf(buf, size, ".");
		return buf;
	}
	/* 8 bytes of slack: one escape (4) and the dot and NUL fit */
	while ((n = *name++) != 0 && o + 8 < size) {
		for (i = 0; i < n && o + 8 < size; i++) {
			c = *name++;
			if (text_plain(c))
				buf[o++] = (char)c;
			else if (c > 32 && c < 127) {
				buf[o++] = '\\';
				buf[o++] = (char)c;
			} else
				o += (size_t)snprintf(buf + o, size - o,
				    "\\%03d", c);
		}
		buf[o++] = '.';
	}
	buf[o] = '\0';
	return buf;
}

void
wire_writer_init(struct wire_writer *w, uint8_t *buf, size_t cap, size_t len)
{
	w->buf = buf;
	w->cap = cap;
	w->len = len;
	w->overflow = false;
	w->no12 = false;
	w->nctab = 0;
	w->ptrs = NULL;
	w->nptrs = 0;
	w->ptrcap = 0;
}

static inline bool
room(struct wire_writer *w, size_t n)
{
	if (w->overflow || w->len + n > w->cap) {
		w->overflow = true;
		return false;
	}
	return true;
}

void
wire_put_u8(struct wire_writer *w, uint8_t v)
{
	if (room(w, 1))
		w->buf[w->len++] = v;
}

void
wire_put_u16(struct wire_writer *w, uint16_t v)
{
	if (room(w, 2)) {
		w->buf[w->len++] = (uint8_t)(v >> 8);
		w->buf[w->len++] = (uint8_t)v;
	}
}

void
wire_put_u32(struct wire_writer *w, uint32_t v)
{
	if (!room(w, 4))
		return;
	wire_put_u16(w, (uint16_t)(v >> 16));
	wire_put_u16(w, (uint16_t)v);
}

void
wire_put_bytes(struct wire_writer *w, const void *p, size_t n)
{
	if (room(w, n)) {
		memcpy(w->buf + w->len, p, n);
		w->len += n;
	}
}

void
wire_put_ptr(struct wire_writer *w, uint16_t target)
{
	if (!room(w, 2))
		return;
	if (w->ptrs != NULL) {
		if (w->nptrs >= w->ptrcap) {
			w->overflow = true;
			return;
		}
		w->ptrs[w->nptrs++] = (uint16_t)w->len;
	}
	w->buf[w->len++] = (uint8_t)(0xC0 | (target >> 8));
	w->buf[w->len++] = (uint8_t)target;
}

void
wire_ctab_add(struct wire_writer *w, uint16_t off)
{
	if (w->nctab < WIRE_CTAB_MAX && off < 0x3F00)
		w->ctab[w->nctab++] = off;
}

/* Does the (possibly compressed) name at buf[off] equal name (any case)? */
static bool
name_eq_at(const uint8_t *buf, size_t blen, size_t off, const uint8_t *name)
{
	unsigned hops = 0;
	size_t n = 0;

	for (;;) {
		uint8_t c;

		if (off >= blen)
			return false;
		c = buf[off];
		if ((c & 0xC0) == 0xC0) {
			if (off + 1 >= blen || ++hops > 64)
				return false;
			off = ((size_t)(c & 0x3F) << 8) | buf[off + 1];
			continue;
		}
		if (c != name[n])
			return false;
		if (c == 0)
			return true;
		if (off + 1 + c > blen)
			return false;
		for (size_t i = 1; i <= c; i++)
			if (lower(buf[off + i]) != lower(name[n + i]))
				return false;
		off += 1 + (size_t)c;
		n += 1 + (size_t)c;
	}
}

size_t
wire_put_name(struct wire_writer *w, const uint8_t *name, size_t len,
    bool compress)
{
	size_t start = w->len, s = 0;
	long target = -1;

	if (compress) {
		/* longest suffix first: the first hit is the best one */
		for (s = 0; s < len && name[s] != 0; s += 1 + (size_t)name[s]) {
			for (unsigned i = 0; i < w->nctab; i++) {
				if (w->no12 && w->ctab[i] == WIRE_HDR_LEN)
					continue;
				if (name_eq_at(w->buf, w->len, w->ctab[i],
				    name + s)) {
					target = w->ctab[i];
					break;
				}
			}
			if (target >= 0)
				break;
		}
	}
	if (target < 0)
		s = len;	/* the whole name, root label included */
	if (!room(w, s + (target >= 0 ? 2 : 0)))
		return start;
	/* new labels become compression targets */
	for (size_t o = 0; o < s && name[o] != 0; o += 1 + (size_t)name[o])
		wire_ctab_add(w, (uint16_t)(start + o));
	memcpy(w->buf + w->len, name, s);
	w->len += s;
	if (target >= 0)
		wire_put_ptr(w, (uint16_t)target);
	return start;
}
