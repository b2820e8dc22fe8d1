/* query.c - the query path: parse, find the node, copy and patch the compiled answer (see query.h). */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dnsd/base/clock.h"
#include "dnsd/base/conf.h"
#include "dnsd/base/rng.h"
#include "dnsd/base/wire.h"
#include "dnsd/chaos.h"
#include "dnsd/cookie.h"
#include "dnsd/dynamic.h"
#include "dnsd/query.h"
#include "dnsd/world.h"
#include "zones/compile.h"
#include "zones/zone.h"

#define QUERY_EDNS_DEFAULT 1232	/* our payload size when conf sets none */

/* Every thread's counters, and those of threads gone, for the sums. The
 * lock is taken when a thread starts or stops and by the status endpoint,
 * never per query. */
static pthread_mutex_t      query_lock = PTHREAD_MUTEX_INITIALIZER;
static struct query_thread *query_threads;
static struct query_stats   query_retired;
static uint64_t query_retired_first[QUERY_FP_POOLS][QUERY_FP_SERVERS];

/* ------------------------------------------------------------------ */
/* per query */

static void
stats_qtype(struct query_stats *s, uint16_t qtype)
{
	int i;

	switch (qtype) {
	case ZONE_TYPE_A: i = 0; break;
	case ZONE_TYPE_NS: i = 1; break;
	case ZONE_TYPE_CNAME: i = 2; break;
	case ZONE_TYPE_SOA: i = 3; break;
	case ZONE_TYPE_MX: i = 4; break;
	case ZONE_TYPE_TXT: i = 5; break;
	case ZONE_TYPE_AAAA: i = 6; break;
	default: i = 7; break;
	}
	s->by_qtype[i]++;
}

/* Header, counts and OPT around whatever sits in resp[body_off..len). */
static size_t
finish(struct query_ctx *c, size_t len, uint8_t rcode)
{
	const struct wire_query *q = c->q;
	uint8_t *r = c->resp;
	uint16_t flags;
	size_t opt;
	int ri;

	/* CD is not copied: not a security-aware server (NSD, Knot) */
	flags = WIRE_F_QR | (q->flags & (WIRE_F_OPCODE | WIRE_F_RD)) |
	    c->flags | (rcode & 0x0F);
	wire_set16(r, q->id);
	wire_set16(r + 2, flags);
	wire_set16(r + 4, c->body_off > WIRE_HDR_LEN ? 1 : 0);
	wire_set16(r + 6, c->an);
	wire_set16(r + 8, c->ns);
	wire_set16(r + 10, (uint16_t)(c->ar + (q->has_opt ? 1 : 0)));
	if (q->has_opt) {
		uint16_t payload = c->w != NULL && c->w->conf != NULL &&
		    c->w->conf->edns_payload ?
		    c->w->conf->edns_payload : QUERY_EDNS_DEFAULT;

		r[len] = 0;
		wire_set16(r + len + 1, WIRE_TYPE_OPT);
		wire_set16(r + len + 3, payload);
		r[len + 5] = c->ext_rcode;
		r[len + 6] = 0;
		wire_set16(r + len + 7, q->edns_flags & WIRE_EDNS_DO);
		wire_set16(r + len + 9, 0);
		len += WIRE_OPT_LEN;
		opt = len;
		if (c->has_cookie) {	/* room kept: c->opt_extra */
			wire_set16(r + len, WIRE_EDNS_OPT_COOKIE);
			wire_set16(r + len + 2, COOKIE_OPT_LEN);
			memcpy(r + len + 4, c->cookie, COOKIE_OPT_LEN);
			len += 4 + COOKIE_OPT_LEN;
		}
		/* error responses only: the body is small, 6 bytes fit */
		if (c->ede != 0 && len + 6 <= c->limit + WIRE_OPT_LEN +
		    c->opt_extra) {
			wire_set16(r + len, WIRE_EDNS_OPT_EDE);
			wire_set16(r + len + 2, 2);
			wire_set16(r + len + 4, (uint16_t)(c->ede - 1));
			len += 6;
		}
		/* RFC 7828 3.3.2: over TCP, when asked; left out if the
		 * answer fills the limit (the client then assumes none). */
		if (c->keepalive && len + 6 <= c->limit + WIRE_OPT_LEN +
		    c->opt_extra) {
			wire_set16(r + len, WIRE_EDNS_OPT_KEEPALIVE);
			wire_set16(r + len + 2, 2);
			wire_set16(r + len + 4, c->t->tcp_keepalive);
			len += 6;
		}
		wire_set16(r + opt - 2, (uint16_t)(len - opt));
	}
	if (c->tsig_badkey && q->tsig != NULL) {
		/* RFC 8945 5.2.2: unsigned, MAC size 0, error BADKEY (17) */
		size_t ol = q->tsig_owner_len, al = q->tsig_alg_len;
		size_t rl = al + 16;

		if (len + ol + 10 + rl <= c->limit + c->opt_extra +
		    (q->has_opt ? WIRE_OPT_LEN : 0)) {
			memcpy(r + len, q->tsig, ol);
			len += ol;
			wire_set16(r + len, WIRE_TYPE_TSIG);
			wire_set16(r + len + 2, WIRE_CLASS_ANY);
			memset(r + len + 4, 0, 4);
			wire_set16(r + len + 8, (uint16_t)rl);
			len += 10;
			memcpy(r + len, q->tsig_rdata, al + 8);	/* alg, time, fudge */
			len += al + 8;
			wire_set16(r + len, 0);		/* MAC size */
			wire_set16(r + len + 2, q->id);	/* original ID */
			wire_set16(r + len + 4, 17);		/* BADKEY */
			wire_set16(r + len + 6, 0);		/* other len */
			len += 8;
			wire_set16(r + 10, (uint16_t)(wire_get16(r + 10) + 1));
		}
	}
	ri = c->ext_rcode ? QUERY_NRCODES : (rcode < QUERY_NRCODES ? rcode :
	    QUERY_NRCODES);
	c->t->stats.by_rcode[ri]++;
	if (flags & WIRE_F_TC)
		c->t->stats.truncated++;
	return len;
}

/* A response with the question (when echoable) and no records. */
static size_t
empty_response(struct query_ctx *c, uint8_t rcode, bool question)
{
	size_t len = WIRE_HDR_LEN;

	c->body_off = WIRE_HDR_LEN;
	c->an = c->ns = c->ar = 0;
	if (question && c->q->question_ok) {
		memcpy(c->resp + WIRE_HDR_LEN, c->q->question,
		    c->q->question_len);
		len += c->q->question_len;
		c->body_off = len;
	}
	return finish(c, len, rcode);
}

/* RFC 7873 5.2.4: no answer, the fresh server cookie for the retry. */
static size_t
badcookie_response(struct query_ctx *c)
{
	c->ext_rcode = WIRE_RCODE_BADCOOKIE >> 4;
	return empty_response(c, WIRE_RCODE_BADCOOKIE & 0x0F, true);
}

static size_t
truncated(struct query_ctx *c)
{
	c->flags |= WIRE_F_TC;
	return empty_response(c, WIRE_RCODE_NOERROR, true);
}

void
query_blob_copy(struct query_ctx *c, const struct compile_blob *b,
    size_t delta, size_t at, size_t L)
{
	uint8_t *body = c->resp + at;

	memcpy(body, b->body, L);
	if (delta == 0)
		return;
	for (uint32_t i = 0; i < b->nptrs && b->ptrs[i] < L; i++) {
		uint8_t *p = body + b->ptrs[i];
		size_t tg = ((size_t)(p[0] & 0x3F) << 8) | p[1];

		if (tg > WIRE_HDR_LEN || (tg == WIRE_HDR_LEN && !b->keep12))
			tg += delta;
		p[0] = (uint8_t)(0xC0 | (tg >> 8));
		p[1] = (uint8_t)tg;
	}
}

/* Signed answers: a proof to append in authority (at most two, no
 * duplicate). */
static void
add_proof(struct query_ctx *c, const struct sign_nsec *e)
{
	if (e == NULL || c->nproof >= 2 ||
	    (c->nproof == 1 && c->proof[0] == e))
		return;
	c->proof[c->nproof++] = e;
}

static size_t
emit_blob(struct query_ctx *c, const struct compile_blob *b, size_t delta,
    int rcode_override)
{
	size_t avail = c->limit - c->body_off, L, len;
	uint16_t ar;
	uint8_t rcode = rcode_override >= 0 ? (uint8_t)rcode_override : b->rcode;

	if (b->len <= avail) {
		L = b->len;
		ar = (uint16_t)(b->ar_req + (b->nadd ? b->add_ar[b->nadd - 1] : 0));
	} else if (b->len_req <= avail) {
		L = b->len_req;
		ar = b->ar_req;
		for (uint16_t i = 0; i < b->nadd && b->add_end[i] <= avail; i++) {
			L = b->add_end[i];
			ar = (uint16_t)(b->ar_req + b->add_ar[i]);
		}
	} else {
		if (b->aa)
			c->flags |= WIRE_F_AA;
		return truncated(c);
	}
	if (b->aa)
		c->flags |= WIRE_F_AA;
	query_blob_copy(c, b, delta, c->body_off, L);
	c->an = b->an;
	c->ns = b->ns;
	c->ar = ar;
	len = c->body_off + L;
	if (b->dyn != COMPILE_DYN_NONE && b->dyn_node != NULL) {
		size_t owner = b->dyn_owner;

		if (owner > WIRE_HDR_LEN || (owner == WIRE_HDR_LEN && !b->keep12))
			owner += delta;
		switch (dynamic_answer(c, b->dyn_node, b->dyn, (uint16_t)owner,
		    &len)) {
		case DYNAMIC_OK:
			break;
		case DYNAMIC_TC:
			return truncated(c);
		case DYNAMIC_SERVFAIL:
			/* fail closed: not an authoritative statement */
			c->flags &= (uint16_t)~WIRE_F_AA;
			return empty_response(c, WIRE_RCODE_SERVFAIL, true);
		}
	}
	/* signed denial (RFC 4035 3.1.3): the NSECs are required, TC when
	 * they do not fit */
	for (uint8_t i = 0; i < c->nproof; i++) {
		if (!dynamic_put_nsec(c, c->proof[i], &len, true))
			return truncated(c);
		c->ns = (uint16_t)(c->ns + 2);
	}
	return finish(c, len, rcode);
}

/* The answers of node n for this query: the DO=1 ones of a signed zone. */
static inline const struct compile_node *
answers_of(const struct query_ctx *c, const struct zone_node *n)
{
	const struct compile_node *an = n->answers;

	if (c->dnssec && an != NULL && an->sec != NULL)
		return an->sec;
	return an;
}

static const struct compile_blob *
node_blob(const struct compile_node *an, uint16_t qtype)
{
	for (uint16_t i = 0; i < an->ntypes; i++)
		if (an->types[i] == qtype)
			return &an->blobs[i];
	return an->special[COMPILE_OTHER];
}

/* Exact node or wildcard node n answers qtype; delta: qname - n->namelen. */
static size_t
answer_at(struct query_ctx *c, const struct zone_node *n, uint16_t qtype,
    size_t delta, bool wild)
{
	const struct compile_node *an = answers_of(c, n);
	const struct compile_node *apex = answers_of(c, c->z->apex);
	const struct compile_blob *b;
	const struct sign_zone *sz = c->z->sec;

	if (an == NULL || apex == NULL)
		return empty_response(c, WIRE_RCODE_SERVFAIL, true);
	if (qtype == WIRE_TYPE_ANY) {
		if (an->any_type == 0)
			goto nodata;
		qtype = an->any_type;
	}
	if ((b = node_blob(an, qtype)) != NULL) {
		if (c->dnssec && wild) {
			/* the qname does not exist (RFC 4035 3.1.3.3) */
			add_proof(c, sign_nsec_find(sz, c->q->lname,
			    c->q->qname_len));
		}
		return emit_blob(c, b, delta, -1);
	}
nodata:
	/* NODATA; signed: the name's NSEC without the type (an empty
	 * non-terminal: the NSEC that covers it, RFC 4035 3.1.3.2), and at
	 * a wildcard the wildcard's NSEC and the qname's cover */
	if (c->dnssec) {
		const struct sign_nsec *e = sign_nsec_of(sz, n);

		add_proof(c, e);
		if (wild || e == NULL)
			add_proof(c, sign_nsec_find(sz, c->q->lname,
			    c->q->qname_len));
	}
	return emit_blob(c, apex->special[COMPILE_NODATA],
	    c->q->qname_len - c->z->origin_len, -1);
}

static size_t
referral(struct query_ctx *c, const struct zone_node *cut)
{
	const struct compile_node *an = answers_of(c, cut);

	if (an == NULL || an->special[COMPILE_REFERRAL] == NULL)
		return empty_response(c, WIRE_RCODE_SERVFAIL, true);
	return emit_blob(c, an->special[COMPILE_REFERRAL],
	    c->q->qname_len - cut->namelen, -1);
}

/* CH class: the texts of chaos.c, or REFUSED. */
static size_t
answer_chaos(struct query_ctx *c)
{
	size_t len = c->body_off;

	switch (chaos_answer(c->w->conf, c->q, c->resp, c->limit, &len)) {
	case CHAOS_REFUSED:
		return empty_response(c, WIRE_RCODE_REFUSED, true);
	case CHAOS_NODATA:
		c->flags |= WIRE_F_AA;
		return empty_response(c, WIRE_RCODE_NOERROR, true);
	case CHAOS_TRUNCATED:
		c->flags |= WIRE_F_AA;
		return truncated(c);
	default:
		c->flags |= WIRE_F_AA;
		c->an = 1;
		return finish(c, len, WIRE_RCODE_NOERROR);
	}
}

/*
 * RFC 7873 5.2: judge the query's COOKIE option, keep the one to answer
 * with (its room comes off the limit) and count it.
 * \retval true  a bad server cookie over UDP: BADCOOKIE when the query has
 *               no other problem (5.2.4; over TCP the handshake already
 *               proves the address, so the answer is normal)
 */
static bool
query_cookie(struct query_ctx *c, const struct sockaddr *from, int transport)
{
	const struct wire_query *q = c->q;
	enum cookie_verdict v;

	c->t->stats.cookies++;
	v = cookie_answer(&c->w->cookies, q->cookie, q->cookie_len, from,
	    (uint32_t)(clock_unix_ms() / 1000), c->cookie);
	c->has_cookie = true;
	c->opt_extra = 4 + COOKIE_OPT_LEN;
	c->limit -= c->opt_extra;
	if (v == COOKIE_VALID) {
		c->t->stats.cookies_valid++;
		c->t->cookie_valid = true;
	} else if (v == COOKIE_BAD) {
		c->t->stats.cookies_bad++;
		return transport != QUERY_TCP;
	}
	return false;
}

size_t
query_answer(const struct world *w, struct query_thread *t,
    const uint8_t *qp, size_t qlen, uint8_t *resp, size_t resplen,
    int transport)
{
	return query_answer_from(w, t, NULL, qp, qlen, resp, resplen,
	    transport);
}

bool
query_cookie_valid(const struct query_thread *t)
{
	return t->cookie_valid;
}

size_t
query_answer_from(const struct world *w, struct query_thread *t,
    const struct sockaddr *from, const uint8_t *qp, size_t qlen,
    uint8_t *resp, size_t resplen, int transport)
{
	struct wire_query *q = &t->q;
	struct query_ctx c;
	enum wire_result r;
	const struct zone *z;
	struct zone_node *n, *ce;
	size_t limit;
	bool badcookie = false, probe;

	t->stats.queries++;
	t->cookie_valid = false;
	if (transport == QUERY_TCP)
		t->stats.tcp++;
	else
		t->stats.udp++;
	r = wire_parse_query(qp, qlen, q);
	if (r == WIRE_DROP || resplen < 512) {
		t->stats.dropped++;
		return 0;
	}
	if (transport == QUERY_TCP) {
		limit = 65535;
	} else if (q->has_opt) {
		uint16_t ours = w != NULL && w->conf != NULL &&
		    w->conf->edns_payload ? w->conf->edns_payload :
		    QUERY_EDNS_DEFAULT;

		limit = q->udp_size < ours ? q->udp_size : ours;
		if (limit < 512)
			limit = 512;
	} else {
		limit = 512;
	}
	if (limit > resplen)
		limit = resplen;
	memset(&c, 0, sizeof(c));
	c.w = w;
	c.t = t;
	c.q = q;
	c.resp = resp;
	c.limit = limit - (q->has_opt ? WIRE_OPT_LEN : 0);
	/* a UDP query's option is ignored (RFC 7828 3.2.1) */
	c.keepalive = q->keepalive && transport == QUERY_TCP;
	c.body_off = WIRE_HDR_LEN + q->question_len;
	if (q->question_ok)
		stats_qtype(&t->stats, q->qtype);

	/* RFC 7873 5.4: QDCOUNT 0 with a COOKIE asks for a server cookie */
	probe = r == WIRE_FORMERR && q->qdcount == 0 && q->has_opt &&
	    q->edns_version == 0 && q->cookie != NULL;
	if (w != NULL && from != NULL && q->has_opt && q->cookie != NULL &&
	    (r == WIRE_OK || r == WIRE_NOTIMP || r == WIRE_NOTAUTH || probe))
		badcookie = query_cookie(&c, from, transport);
	if (probe && c.has_cookie)
		r = WIRE_OK;
	switch (r) {
	case WIRE_OK:
		if (probe)
			return badcookie ? badcookie_response(&c) :
			    empty_response(&c, WIRE_RCODE_NOERROR, false);
		break;
	case WIRE_NOTIMP:
		return empty_response(&c, WIRE_RCODE_NOTIMP, true);
	case WIRE_BADVERS:
		c.ext_rcode = WIRE_RCODE_BADVERS >> 4;
		return empty_response(&c, WIRE_RCODE_BADVERS & 0x0F, true);
	case WIRE_NOTAUTH:
		c.tsig_badkey = true;
		return empty_response(&c, WIRE_RCODE_NOTAUTH, true);
	default:
		return empty_response(&c, WIRE_RCODE_FORMERR, true);
	}
	if (w == NULL)
		return empty_response(&c, WIRE_RCODE_SERVFAIL, true);
	memcpy(resp + WIRE_HDR_LEN, q->question, q->question_len);
	if (q->qclass == WIRE_CLASS_CH)
		return answer_chaos(&c);
	if (q->qclass != WIRE_CLASS_IN && q->qclass != WIRE_CLASS_ANY) {
		c.ede = WIRE_EDE_NOT_AUTH + 1;
		return empty_response(&c, WIRE_RCODE_REFUSED, true);
	}
	z = world_zone_for(w, q->lname, q->qname_len);
	if (q->qtype == WIRE_TYPE_AXFR || q->qtype == WIRE_TYPE_IXFR) {
		/* no transfers: AXFR over UDP is NOTIMP (RFC 5936 4.2), a
		 * zone apex REFUSED, any other name NOTAUTH (as NSD) */
		if (q->qtype == WIRE_TYPE_AXFR && transport != QUERY_TCP)
			return empty_response(&c, WIRE_RCODE_NOTIMP, true);
		return empty_response(&c, z != NULL &&
		    q->qname_len == z->origin_len ? WIRE_RCODE_REFUSED :
		    WIRE_RCODE_NOTAUTH, true);
	}
	if (z == NULL) {
		c.ede = WIRE_EDE_NOT_AUTH + 1;
		return empty_response(&c, WIRE_RCODE_REFUSED, true);
	}
	/* DS at the apex of a zone whose signed parent is served here too:
	 * the parent's (RFC 4035 3.1.4.1), else the validator sees the
	 * child's NODATA where it needs the parent's proof */
	if (q->qtype == WIRE_TYPE_DS && q->qname_len == z->origin_len &&
	    q->qname_len > 1) {
		const struct zone *pz = world_zone_for(w, q->lname + 1 +
		    q->lname[0], q->qname_len - 1 - q->lname[0]);

		if (pz != NULL && pz->sec != NULL)
			z = pz;
	}
	c.z = z;
	c.dnssec = z->sec != NULL && q->has_opt &&
	    (q->edns_flags & WIRE_EDNS_DO);
	/* a bad server cookie and nothing else wrong: BADCOOKIE (5.2.4) */
	if (badcookie)
		return badcookie_response(&c);

	n = zone_find(z, q->lname, q->qname_len,
	    zone_hash(q->lname, q->qname_len));
	if (n != NULL) {
		struct zone_node *cut = n == z->apex ? NULL : compile_cut_of(n);

		if (cut != NULL) {
			if (cut == n && q->qtype == WIRE_TYPE_DS) {
				/* the parent side's DS, or NODATA (RFC 4035
				 * 3.1.4.1) */
				const struct compile_node *an =
				    answers_of(&c, n);

				if (an == NULL ||
				    an->special[COMPILE_DS] == NULL)
					return empty_response(&c,
					    WIRE_RCODE_SERVFAIL, true);
				return emit_blob(&c, an->special[COMPILE_DS],
				    0, -1);
			}
			return referral(&c, cut);
		}
		return answer_at(&c, n, q->qtype, 0, false);
	}
	ce = compile_closest_encloser(z, q->lname, q->qname_len);
	if (ce != z->apex && compile_cut_of(ce) != NULL)
		return referral(&c, compile_cut_of(ce));
	if (ce->wildcard != NULL && compile_cut_of(ce->wildcard) == NULL)
		return answer_at(&c, ce->wildcard, q->qtype,
		    q->qname_len - ce->wildcard->namelen, true);
	if (z->apex->answers == NULL)
		return empty_response(&c, WIRE_RCODE_SERVFAIL, true);
	if (c.dnssec) {
		/* RFC 4035 3.1.3.2: the qname's cover, and the cover of the
		 * wildcard at the closest encloser */
		uint8_t star[WIRE_NAME_MAX + 2];

		add_proof(&c, sign_nsec_find(z->sec, q->lname, q->qname_len));
		if (ce->namelen + 2 <= WIRE_NAME_MAX) {
			star[0] = 1;
			star[1] = '*';
			memcpy(star + 2, ce->name, ce->namelen);
			add_proof(&c, sign_nsec_find(z->sec, star,
			    ce->namelen + 2u));
		}
	}
	return emit_blob(&c, answers_of(&c, z->apex)->
	    special[COMPILE_NXDOMAIN], q->qname_len - z->origin_len, -1);
}

/* ------------------------------------------------------------------ */
/* threads and counters */

struct query_thread *
query_thread_new(void)
{
	struct query_thread *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	rng_init(&t->rng);
	pthread_mutex_lock(&query_lock);
	t->next = query_threads;
	query_threads = t;
	pthread_mutex_unlock(&query_lock);
	return t;
}

void
query_thread_seed(struct query_thread *t, uint64_t seed)
{
	rng_seed(&t->rng, seed);
	t->dsig_seq = (uint32_t)seed;
}

void
query_thread_fast(struct query_thread *t, bool on)
{
	t->general = !on;
}

static void
stats_add(struct query_stats *o, const struct query_stats *s)
{
	o->queries += s->queries;
	o->udp += s->udp;
	o->tcp += s->tcp;
	for (int i = 0; i < QUERY_NQTYPES; i++)
		o->by_qtype[i] += s->by_qtype[i];
	for (int i = 0; i <= QUERY_NRCODES; i++)
		o->by_rcode[i] += s->by_rcode[i];
	o->truncated += s->truncated;
	o->dropped += s->dropped;
	o->cookies += s->cookies;
	o->cookies_valid += s->cookies_valid;
	o->cookies_bad += s->cookies_bad;
}

void
query_thread_free(struct query_thread *t)
{
	struct query_thread **pp;

	if (t == NULL)
		return;
	pthread_mutex_lock(&query_lock);
	for (pp = &query_threads; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	stats_add(&query_retired, &t->stats);
	for (int i = 0; i < QUERY_FP_POOLS; i++)
		for (int j = 0; j < QUERY_FP_SERVERS; j++)
			query_retired_first[i][j] += t->first[i][j];
	pthread_mutex_unlock(&query_lock);
	free(t);
}

void
query_stats_sum(struct query_stats *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&query_lock);
	stats_add(out, &query_retired);
	for (struct query_thread *t = query_threads; t != NULL; t = t->next)
		stats_add(out, &t->stats);
	pthread_mutex_unlock(&query_lock);
}

uint64_t
query_first_pref(size_t pool, size_t server)
{
	uint64_t n;

	if (pool >= QUERY_FP_POOLS || server >= QUERY_FP_SERVERS)
		return 0;
	pthread_mutex_lock(&query_lock);
	n = query_retired_first[pool][server];
	for (struct query_thread *t = query_threads; t != NULL; t = t->next)
		n += t->first[pool][server];
	pthread_mutex_unlock(&query_lock);
	return n;
}
