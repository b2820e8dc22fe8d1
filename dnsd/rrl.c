/* rrl.c - response rate limiting (see rrl.h). */
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "dnsd/base/clock.h"
#include "dnsd/base/hash.h"
#include "dnsd/base/rng.h"
#include "dnsd/rrl.h"
#include "dnsd/tcp.h"
#include "dnsd/world.h"
#include "zones/zone.h"

/* Response classes: part of the account key. */
enum {
	RRL_C_POSITIVE = 1,	/* keyed by qname + qtype */
	RRL_C_EMPTY,		/* NODATA, referral: by zone */
	RRL_C_NXDOMAIN,		/* by zone */
	RRL_C_ERROR,		/* by rcode */
	RRL_C_WILDCARD,		/* synthesized from a wildcard: by zone + qtype */
};

static uint64_t rrl_table[RRL_BUCKETS];		/* tag:16 | sec:16 | balance:32 */
static uint64_t rrl_seed;
static pthread_once_t rrl_once = PTHREAD_ONCE_INIT;

static uint64_t n_limited, n_slipped, n_dropped;

/* Limited responses seen by this thread: every slip-th one slips. */
static __thread unsigned rrl_slipctr;

static void
rrl_seed_init(void)
{
	struct rng r;

	/* A secret seed: a flooder cannot aim two keys at one bucket. */
	rng_init(&r);
	rrl_seed = rng_next(&r) | 1;
}

static int
prefix_match(const struct conf_prefix *p, const uint8_t *a)
{
	unsigned full = p->bits / 8, rest = p->bits % 8;

	if (memcmp(p->addr, a, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((p->addr[full] ^ a[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* Address bytes of sa; 0 if neither family. */
static size_t
addr_bytes(const struct sockaddr *sa, const uint8_t **a, int *fam)
{
	*a = NULL;
	*fam = AF_UNSPEC;
	if (sa->sa_family == AF_INET) {
		*a = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
		*fam = AF_INET;
		return 4;
	}
	if (sa->sa_family == AF_INET6) {
		*a = (const uint8_t *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
		*fam = AF_INET6;
		return 16;
	}
	return 0;
}

int
rrl_exempt(const struct conf_rrl *cfg, const struct sockaddr *addr)
{
	const uint8_t *a;
	size_t i;
	int fam;

	if (addr_bytes(addr, &a, &fam) == 0)
		return 1;
	for (i = 0; i < cfg->nexempt; i++)
		if (cfg->exempt[i].family == fam &&
		    prefix_match(&cfg->exempt[i], a))
			return 1;
	return 0;
}

/*
 * Length of the question's name at resp + 12 (uncompressed: query_answer
 * copies it from the query), lowercased into lc when lc != NULL.
 * \retval 0 no readable question
 */
static size_t
qname_len(const uint8_t *resp, size_t rlen, uint8_t *lc)
{
	size_t off = 12, k;
	uint8_t l;

	if (rlen < 12 || resp[4] != 0 || resp[5] != 1)
		return 0;
	for (;;) {
		if (off >= rlen || off - 12 >= 255)
			return 0;
		l = resp[off];
		if (l > 63 || off - 12 + (size_t)l + 1 > 255)
			return 0;	/* compressed, extended, or too long */
		if (lc != NULL) {
			lc[off - 12] = l;
			for (k = 1; k <= l && off + k < rlen; k++) {
				uint8_t ch = resp[off + k];

				lc[off - 12 + k] = ch >= 'A' && ch <= 'Z' ?
				    (uint8_t)(ch + 32) : ch;
			}
		}
		off += (size_t)l + 1;
		if (l == 0)
			break;
	}
	if (off - 12 > 255 || off + 4 > rlen)
		return 0;
	return off - 12;
}

/* The account key of a response. */
static uint64_t
rrl_key(const struct conf_rrl *cfg, const struct world *w,
    const struct sockaddr *from, const uint8_t *resp, size_t rlen)
{
	uint8_t pfx[17], lc[256], cls;
	const uint8_t *a;
	unsigned bits, i;
	size_t alen, nlen;
	int fam, rcode, ancount;
	uint64_t h = rrl_seed;

	memset(pfx, 0, sizeof(pfx));
	alen = addr_bytes(from, &a, &fam);
	bits = fam == AF_INET ? cfg->ipv4_prefix : cfg->ipv6_prefix;
	for (i = 0; i < alen; i++) {
		if (i * 8 + 8 <= bits)
			pfx[i] = a[i];
		else if (i * 8 < bits)
			pfx[i] = a[i] & (uint8_t)(0xff << (8 - (bits - i * 8)));
	}
	pfx[16] = (uint8_t)alen;
	h = hash_bytes(h, pfx, sizeof(pfx));

	rcode = resp[3] & 0x0f;
	ancount = resp[6] << 8 | resp[7];
	nlen = qname_len(resp, rlen, lc);
	if (rcode == 0 && ancount > 0 && nlen > 0) {
		const struct zone *z = w != NULL ?
		    world_zone_for(w, lc, nlen) : NULL;

		/* A name that is not in the zone but answered: a wildcard.
		 * Random names under it share one account, or a flood of
		 * them would each find a fresh one. */
		if (z != NULL && z->htab != NULL &&
		    zone_find(z, lc, nlen, zone_hash(lc, nlen)) == NULL) {
			cls = RRL_C_WILDCARD;
			h = hash_bytes(h, &cls, 1);
			h = hash_bytes(h, z->origin, z->origin_len);
		} else {
			cls = RRL_C_POSITIVE;
			h = hash_bytes(h, &cls, 1);
			h = hash_bytes(h, lc, nlen);
		}
		h = hash_bytes(h, resp + 12 + nlen, 2);	/* qtype */
	} else if ((rcode == 0 || rcode == 3) && nlen > 0) {
		const struct zone *z = w != NULL ?
		    world_zone_for(w, lc, nlen) : NULL;

		cls = rcode == 3 ? RRL_C_NXDOMAIN : RRL_C_EMPTY;
		h = hash_bytes(h, &cls, 1);
		if (z != NULL)
			h = hash_bytes(h, z->origin, z->origin_len);
	} else {
		uint8_t rc = (uint8_t)rcode;

		cls = RRL_C_ERROR;
		h = hash_bytes(h, &cls, 1);
		h = hash_bytes(h, &rc, 1);
	}
	return hash_final(h);
}

/* Charge one response to account h: 1 if it is over the rate. */
static int
rrl_charge(const struct conf_rrl *cfg, uint64_t h, time_t now)
{
	uint64_t *b = &rrl_table[h & (RRL_BUCKETS - 1)];
	uint64_t old, nw;
	uint16_t tag = (uint16_t)(h >> 48), sec = (uint16_t)now, el;
	int64_t bal, rate = cfg->rate, floor;
	int tries;

	floor = -(int64_t)cfg->rate * cfg->window;
	if (floor < -(INT64_C(1) << 30))
		floor = -(INT64_C(1) << 30);
	old = __atomic_load_n(b, __ATOMIC_RELAXED);
	for (tries = 0; tries < 8; tries++) {
		if ((uint16_t)(old >> 48) != tag)
			bal = rate;	/* a new account, or an evicted one */
		else {
			bal = (int32_t)(uint32_t)old;
			el = (uint16_t)(sec - (uint16_t)(old >> 32));
			/* A bucket idle past the window is fully credited. */
			if (el > cfg->window)
				bal = rate;
			else
				bal += (int64_t)el * rate;
			if (bal > rate)
				bal = rate;
		}
		bal--;
		if (bal < floor)
			bal = floor;
		nw = (uint64_t)tag << 48 | (uint64_t)sec << 32 |
		    (uint32_t)(int32_t)bal;
		if (__atomic_compare_exchange_n(b, &old, nw, 1,
		    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			return bal < 0;
	}
	return 0;	/* heavy contention on one bucket: let it through */
}

/* rrl_check() for a source known not to be exempt. */
static size_t
rrl_apply(const struct conf_rrl *cfg, const struct world *w,
    const struct sockaddr *from, uint8_t *resp, size_t rlen, time_t now)
{
	size_t nlen;

	pthread_once(&rrl_once, rrl_seed_init);
	if (!rrl_charge(cfg, rrl_key(cfg, w, from, resp, rlen), now))
		return rlen;
	__atomic_add_fetch(&n_limited, 1, __ATOMIC_RELAXED);
	if (cfg->slip == 0 || ++rrl_slipctr % cfg->slip != 0) {
		__atomic_add_fetch(&n_dropped, 1, __ATOMIC_RELAXED);
		return 0;
	}
	__atomic_add_fetch(&n_slipped, 1, __ATOMIC_RELAXED);
	/* Header + question, TC=1, nothing else: the client retries on TCP. */
	nlen = qname_len(resp, rlen, NULL);
	resp[2] |= 0x02;
	memset(resp + 6, 0, 6);
	if (nlen == 0) {
		resp[4] = resp[5] = 0;
		return 12;
	}
	return 12 + nlen + 4;
}

size_t
rrl_check(const struct conf_rrl *cfg, const struct world *w,
    const struct sockaddr *from, uint8_t *resp, size_t rlen, time_t now)
{
	if (!cfg->enabled || rlen < 12 || rrl_exempt(cfg, from))
		return rlen;
	return rrl_apply(cfg, w, from, resp, rlen, now);
}

size_t
rrl_udp(const struct world *w, const struct sockaddr *from, uint8_t *resp,
    size_t rlen, unsigned flags)
{
	/* The exempt test first: loopback and friends pay no clock read. */
	if (w == NULL || !w->conf->rrl.enabled || rlen < 12 ||
	    (flags & RRL_F_COOKIE) || rrl_exempt(&w->conf->rrl, from))
		return rlen;
	return rrl_apply(&w->conf->rrl, w, from, resp, rlen,
	    clock_mono_coarse());
}

void
rrl_reset(void)
{
	memset(rrl_table, 0, sizeof(rrl_table));
	pthread_once(&rrl_once, rrl_seed_init);
	n_limited = n_slipped = n_dropped = 0;
	rrl_slipctr = 0;
}

void
rrl_stats_get(struct rrl_stats *out)
{
	out->limited = __atomic_load_n(&n_limited, __ATOMIC_RELAXED);
	out->slipped = __atomic_load_n(&n_slipped, __ATOMIC_RELAXED);
	out->dropped = __atomic_load_n(&n_dropped, __ATOMIC_RELAXED);
}
