/* sign.c - signing a loaded zone: DNSKEY/CDS/CDNSKEY, the NSEC chain, RRSIGs (see sign.h). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dnsd/base/clock.h"
#include "dnsd/base/diag.h"
#include "dnsd/base/wire.h"
#include "zones/compile.h"
#include "zones/dnssec.h"
#include "zones/sign.h"
#include "zones/zone.h"

#define SIGN_SKEW 3600		/* inception this far back: lagging clocks */
#define SIGN_MAXTYPES 256	/* types in one NSEC bitmap */

struct signer {
	struct zone       *z;
	struct sign_zone  *s;
	struct diag       *d;
	uint8_t            sig[DNSSEC_RRSIG_MAX];
};

static const char *
node_file(const struct zone *z, const struct zone_node *n)
{
	return n->file != NULL ? n->file : z->file;
}

/* RRSIG rdata of one RRset into a new allocation. \retval 0 ok */
static int
sign_rrset(struct signer *g, const uint8_t *owner, size_t olen, uint16_t type,
    uint32_t ttl, const uint8_t *rdata, size_t rdata_len, uint16_t count,
    uint8_t **out, uint16_t *outlen)
{
	struct dnssec_rrset rs = { owner, olen, type, ttl, rdata, rdata_len,
	    count };
	size_t n;

	n = dnssec_sign(&g->s->keys[0], g->s->signer, g->s->signer_len,
	    g->s->inception, g->s->expiration, &rs, g->sig);
	if (n == 0 || (*out = malloc(n)) == NULL)
		return -1;
	memcpy(*out, g->sig, n);
	*outlen = (uint16_t)n;
	g->s->sigs++;
	return 0;
}

/* Append an RRset to node n (rdata: taken over). */
static int
node_add_rrset(struct zone_node *n, uint16_t type, uint32_t ttl,
    uint8_t *rdata, size_t rdata_len, uint16_t count)
{
	struct zone_rrset *nr;

	if ((nr = realloc(n->rrsets, (n->nrrsets + 1) * sizeof(*nr))) == NULL) {
		free(rdata);
		return -1;
	}
	n->rrsets = nr;
	memset(&nr[n->nrrsets], 0, sizeof(*nr));
	nr[n->nrrsets].type = type;
	nr[n->nrrsets].ttl = ttl;
	nr[n->nrrsets].rdata = rdata;
	nr[n->nrrsets].rdata_len = rdata_len;
	nr[n->nrrsets].count = count;
	n->nrrsets++;
	return 0;
}

/* DNSKEY, CDS and CDNSKEY at the apex, from the keys. */
static int
add_key_rrsets(struct signer *g)
{
	struct zone *z = g->z;
	struct sign_zone *s = g->s;
	size_t klen = 0, dlen = s->nkeys * (2 + DNSSEC_DS_LEN), o;
	uint8_t *dk, *ck, *ds;
	uint32_t ttl = z->soa->ttl;

	for (size_t i = 0; i < s->nkeys; i++)
		klen += 2 + s->keys[i].dnskey_len;
	if ((dk = malloc(klen)) == NULL || (ck = malloc(klen)) == NULL) {
		free(dk);
		return -1;
	}
	if ((ds = malloc(dlen)) == NULL) {
		free(dk);
		free(ck);
		return -1;
	}
	for (size_t i = 0, o2 = 0; i < s->nkeys; i++) {
		wire_set16(dk + o2, (uint16_t)s->keys[i].dnskey_len);
		memcpy(dk + o2 + 2, s->keys[i].dnskey, s->keys[i].dnskey_len);
		o2 += 2 + s->keys[i].dnskey_len;
	}
	memcpy(ck, dk, klen);
	for (size_t i = 0; i < s->nkeys; i++) {
		o = i * (2 + DNSSEC_DS_LEN);
		wire_set16(ds + o, DNSSEC_DS_LEN);
		if (dnssec_ds(&s->keys[i], z->origin, z->origin_len,
		    ds + o + 2) != 0) {
			free(dk);
			free(ck);
			free(ds);
			return -1;
		}
	}
	if (node_add_rrset(z->apex, DNSSEC_TYPE_DNSKEY, ttl, dk, klen,
	    (uint16_t)s->nkeys) != 0 ||
	    node_add_rrset(z->apex, DNSSEC_TYPE_CDNSKEY, ttl, ck, klen,
	    (uint16_t)s->nkeys) != 0 ||
	    node_add_rrset(z->apex, DNSSEC_TYPE_CDS, ttl, ds, dlen,
	    (uint16_t)s->nkeys) != 0)
		return -1;
	/* the array moved */
	z->soa = zone_rrset_find(z->apex, ZONE_TYPE_SOA);
	return 0;
}

/* RFC 4034 4.1.2 type bit maps of types[] (any order, no duplicates). */
static size_t
put_bitmap(uint8_t *out, uint16_t *types, size_t nt)
{
	size_t len = 0;

	for (size_t i = 1; i < nt; i++)		/* insertion sort */
		for (size_t j = i; j > 0 && types[j] < types[j - 1]; j--) {
			uint16_t t = types[j];

			types[j] = types[j - 1];
			types[j - 1] = t;
		}
	for (size_t i = 0; i < nt;) {
		unsigned win = types[i] >> 8;
		uint8_t bits[32];
		size_t blen = 0;

		memset(bits, 0, sizeof(bits));
		for (; i < nt && (types[i] >> 8) == win; i++) {
			unsigned b = types[i] & 0xFF;

			bits[b >> 3] |= (uint8_t)(0x80 >> (b & 7));
			if ((b >> 3) + 1 > blen)
				blen = (b >> 3) + 1;
		}
		out[len++] = (uint8_t)win;
		out[len++] = (uint8_t)blen;
		memcpy(out + len, bits, blen);
		len += blen;
	}
	return len;
}

static void
add_type(uint16_t *types, size_t *nt, uint16_t t)
{
	for (size_t i = 0; i < *nt; i++)
		if (types[i] == t)
			return;
	if (*nt < SIGN_MAXTYPES)
		types[(*nt)++] = t;
}

static uint8_t
node_dynmask(const struct zone_node *n)
{
	return (uint8_t)((n->dynmx != NULL ? SIGN_DYN_MX : 0) |
	    (n->dyna != NULL ? SIGN_DYN_A | SIGN_DYN_AAAA : 0) |
	    (n->dynsrv != NULL ? SIGN_DYN_SRV : 0));
}

static bool
is_cut(const struct zone *z, const struct zone_node *n)
{
	return n != z->apex && compile_cut_of(n) == n;
}

/* The NSEC of entry e for the dynamic types mask, with its RRSIG. */
static int
make_nsec(struct signer *g, struct sign_nsec *e, const struct zone_node *next,
    uint8_t mask, struct sign_rr *out, bool add_static)
{
	struct zone *z = g->z;
	const struct zone_node *n = e->node;
	uint16_t types[SIGN_MAXTYPES];
	size_t nt = 0, rdlen, len, o;
	uint8_t rdata[2 + 255 + SIGN_MAXTYPES * 34], *sig = NULL, *w;
	uint16_t siglen = 0;

	if (is_cut(z, n)) {
		add_type(types, &nt, ZONE_TYPE_NS);
		if (zone_rrset_find(n, DNSSEC_TYPE_DS) != NULL)
			add_type(types, &nt, DNSSEC_TYPE_DS);
	} else {
		for (uint16_t i = 0; i < n->nrrsets; i++)
			add_type(types, &nt, n->rrsets[i].type);
		if (mask & SIGN_DYN_MX)
			add_type(types, &nt, ZONE_TYPE_MX);
		if (mask & SIGN_DYN_A)
			add_type(types, &nt, ZONE_TYPE_A);
		if (mask & SIGN_DYN_AAAA)
			add_type(types, &nt, ZONE_TYPE_AAAA);
		if (mask & SIGN_DYN_SRV)
			add_type(types, &nt, ZONE_TYPE_SRV);
	}
	add_type(types, &nt, DNSSEC_TYPE_RRSIG);
	add_type(types, &nt, DNSSEC_TYPE_NSEC);
	/* rdata: next name (lowercase, uncompressed), then the bitmap */
	wire_set16(rdata, 0);
	memcpy(rdata + 2, next->name, next->namelen);
	rdlen = next->namelen;
	rdlen += put_bitmap(rdata + 2 + rdlen, types, nt);
	wire_set16(rdata, (uint16_t)rdlen);
	if (sign_rrset(g, n->name, n->namelen, DNSSEC_TYPE_NSEC, z->neg_ttl,
	    rdata, rdlen + 2, 1, &sig, &siglen) != 0)
		return -1;
	len = n->namelen + 10 + rdlen + 2 + 10 + siglen;
	if ((w = malloc(len)) == NULL) {
		free(sig);
		return -1;
	}
	o = 0;
	memcpy(w, n->name, n->namelen);
	o += n->namelen;
	wire_set16(w + o, DNSSEC_TYPE_NSEC);
	wire_set16(w + o + 2, WIRE_CLASS_IN);
	wire_set16(w + o + 4, (uint16_t)(z->neg_ttl >> 16));
	wire_set16(w + o + 6, (uint16_t)z->neg_ttl);
	memcpy(w + o + 8, rdata, rdlen + 2);
	o += 10 + rdlen;
	out->nsec_len = (uint16_t)o;
	out->sig_owner = (uint16_t)o;
	wire_set16(w + o, 0xC000);
	wire_set16(w + o + 2, DNSSEC_TYPE_RRSIG);
	wire_set16(w + o + 4, WIRE_CLASS_IN);
	wire_set16(w + o + 6, (uint16_t)(z->neg_ttl >> 16));
	wire_set16(w + o + 8, (uint16_t)z->neg_ttl);
	wire_set16(w + o + 10, siglen);
	memcpy(w + o + 12, sig, siglen);
	o += 12 + siglen;
	out->wire = w;
	out->len = (uint16_t)o;
	if (add_static) {
		/* the NSEC is a static RRset of its node too (asked for) */
		uint8_t *rd = malloc(rdlen + 2);
		struct zone_node *mn = (struct zone_node *)(uintptr_t)n;

		if (rd == NULL) {
			free(sig);
			return -1;
		}
		memcpy(rd, rdata, rdlen + 2);
		if (node_add_rrset(mn, DNSSEC_TYPE_NSEC, z->neg_ttl, rd,
		    rdlen + 2, 1) != 0) {
			free(sig);
			return -1;
		}
		mn->rrsets[mn->nrrsets - 1].rrsig = sig;
		mn->rrsets[mn->nrrsets - 1].rrsig_len = siglen;
		return 0;
	}
	free(sig);
	return 0;
}

static int
key_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c != 0 ? c : (alen < blen ? -1 : alen > blen);
}

static int
nsec_cmp(const void *a, const void *b)
{
	const struct sign_nsec *x = a, *y = b;

	return key_cmp(x->key, x->keylen, y->key, y->keylen);
}

size_t
sign_canon_key(const uint8_t *name, size_t len, uint8_t *out)
{
	size_t off[128], n = 0, o = 0, k = 0;

	while (o < len && name[o] != 0 && n < 128) {
		off[n++] = o;
		o += 1 + (size_t)name[o];
	}
	while (n > 0) {
		const uint8_t *l = name + off[--n];

		for (size_t i = 1; i <= l[0] && k + 3 <= SIGN_KEY_MAX; i++) {
			if (l[i] <= 1) {
				out[k++] = 1;
				out[k++] = (uint8_t)(l[i] + 1);
			} else {
				out[k++] = l[i];
			}
		}
		if (k < SIGN_KEY_MAX)
			out[k++] = 0;
	}
	return k;
}

/* Types a signed template may not hold: they come from the signer. */
static int
check_types(struct signer *g)
{
	struct zone *z = g->z;
	int bad = 0;

	for (size_t i = 0; i < z->nnodes; i++) {
		const struct zone_node *n = z->nodes[i];

		for (uint16_t k = 0; k < n->nrrsets; k++) {
			uint16_t t = n->rrsets[k].type;
			const char *what = NULL;

			if (t == DNSSEC_TYPE_RRSIG)
				what = "RRSIG";
			else if (t == DNSSEC_TYPE_NSEC)
				what = "NSEC";
			else if (t == 50 || t == 51)
				what = "NSEC3";
			else if (n == z->apex && t == DNSSEC_TYPE_DNSKEY)
				what = "DNSKEY";
			else if (n == z->apex && t == DNSSEC_TYPE_CDS)
				what = "CDS";
			else if (n == z->apex && t == DNSSEC_TYPE_CDNSKEY)
				what = "CDNSKEY";
			if (what == NULL)
				continue;
			diag_error(g->d, node_file(z, n), n->line, "%s record "
			    "in a signed zone: mxspread makes the %s records "
			    "of %s from dnssec.keys; remove it from the "
			    "template", what, what, z->origin_text);
			bad++;
		}
	}
	return bad;
}

int
sign_zone(struct zone *z, const struct conf *conf, const struct conf_zone *cz,
    time_t now, struct diag *d)
{
	const struct conf_dnssec *cd = &cz->dnssec;
	struct signer g;
	struct sign_zone *s;
	char why[PATH_MAX + 256];
	double t0 = clock_mono();
	size_t ne = 0, nd = 0;
	int bad = 0;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		diag_error(d, conf->file, cz->line, "out of memory");
		return -1;
	}
	z->sec = s;
	s->conf = cd;
	memcpy(s->signer, z->origin, z->origin_len);
	s->signer_len = z->origin_len;
	s->inception = (uint32_t)(now - SIGN_SKEW);
	s->expiration = (uint32_t)(now + cd->validity);
	s->signed_at = now;
	memset(&g, 0, sizeof(g));
	g.z = z;
	g.s = s;
	g.d = d;
	for (size_t i = 0; i < cd->nkeys; i++) {
		if (dnssec_key_load(cd->keys[i], z->origin, z->origin_len,
		    &s->keys[s->nkeys], why, sizeof(why)) != 0) {
			diag_error(d, conf->file, cd->key_line[i],
			    "dnssec.keys: %s", why);
			bad++;
			continue;
		}
		/* RFC 4035 2.2: every RRset signed with each algorithm of the
		 * DNSKEY RRset; only the first key signs, so one algorithm */
		if (s->nkeys > 0 && s->keys[s->nkeys].alg != s->keys[0].alg) {
			diag_error(d, conf->file, cd->key_line[i],
			    "dnssec.keys: %s: algorithm %u, but the signing key "
			    "%s is algorithm %u: a published key must have the "
			    "signing key's algorithm (RFC 4035 2.2 would need "
			    "every RRset signed with both)", cd->keys[i],
			    s->keys[s->nkeys].alg, s->keys[0].base,
			    s->keys[0].alg);
			bad++;
		}
		for (size_t k = 0; k < s->nkeys; k++)
			if (s->keys[k].tag == s->keys[s->nkeys].tag &&
			    s->keys[k].alg == s->keys[s->nkeys].alg) {
				diag_error(d, conf->file, cd->key_line[i],
				    "dnssec.keys: %s: the same key tag %u as "
				    "%s: list each key once", cd->keys[i],
				    s->keys[k].tag, s->keys[k].base);
				bad++;
			}
		s->nkeys++;
	}
	bad += check_types(&g);
	if (bad || s->nkeys == 0)
		return -1;
	if (z->soa == NULL) {
		diag_error(d, z->file, 0, "zone %s has no SOA at the apex",
		    z->origin_text);
		return -1;
	}
	if (add_key_rrsets(&g) != 0)
		goto nomem;

	/* the chain: names with authoritative data, and delegations */
	if ((s->nsec = calloc(z->nnodes + 1, sizeof(*s->nsec))) == NULL ||
	    (s->dyn = calloc(z->nnodes + 1, sizeof(*s->dyn))) == NULL)
		goto nomem;
	for (size_t i = 0; i < z->nnodes; i++) {
		struct zone_node *n = z->nodes[i];
		struct zone_node *cut = n == z->apex ? NULL : compile_cut_of(n);
		uint8_t m = node_dynmask(n);

		if (cut != NULL && cut != n)
			continue;		/* glue, or below a cut */
		if (n->nrrsets == 0 && m == 0)
			continue;		/* empty non-terminal */
		s->nsec[ne].node = n;
		s->nsec[ne].dynmask = cut == n ? 0 : m;
		s->nsec[ne].dynslot = -1;
		ne++;
	}
	s->nnsec = ne;
	{
		uint8_t key[SIGN_KEY_MAX];
		size_t total = 0, o = 0;

		for (size_t i = 0; i < ne; i++)
			total += sign_canon_key(s->nsec[i].node->name,
			    s->nsec[i].node->namelen, key);
		if ((s->nsec_keys = malloc(total + 1)) == NULL)
			goto nomem;
		for (size_t i = 0; i < ne; i++) {
			size_t kl = sign_canon_key(s->nsec[i].node->name,
			    s->nsec[i].node->namelen, s->nsec_keys + o);

			s->nsec[i].key = s->nsec_keys + o;
			s->nsec[i].keylen = (uint16_t)kl;
			o += kl;
		}
	}
	qsort(s->nsec, ne, sizeof(*s->nsec), nsec_cmp);
	for (size_t i = 0; i < z->nnodes; i++)
		z->nodes[i]->nsec = ZONE_NO_NSEC;
	for (size_t i = 0; i < ne; i++)
		((struct zone_node *)(uintptr_t)s->nsec[i].node)->nsec =
		    (uint32_t)i;

	/* the static RRsets first (the NSECs added below are signed there) */
	for (size_t i = 0; i < ne; i++) {
		struct zone_node *n = (struct zone_node *)(uintptr_t)
		    s->nsec[i].node;
		bool cut = is_cut(z, n);

		for (uint16_t k = 0; k < n->nrrsets; k++) {
			struct zone_rrset *rs = &n->rrsets[k];

			if (cut && rs->type != DNSSEC_TYPE_DS)
				continue;	/* NS and glue: the child's */
			if (sign_rrset(&g, n->name, n->namelen, rs->type,
			    rs->ttl, rs->rdata, rs->rdata_len, rs->count,
			    &rs->rrsig, &rs->rrsig_len) != 0)
				goto signfail;
		}
	}
	for (size_t i = 0; i < ne; i++) {
		struct sign_nsec *e = &s->nsec[i];
		const struct zone_node *next = s->nsec[(i + 1) % ne].node;

		if (e->dynmask == 0) {
			if (make_nsec(&g, e, next, 0, &e->var[0],
			    !is_cut(z, e->node)) != 0)
				goto signfail;
			continue;
		}
		e->dynslot = (int32_t)nd;
		s->dyn[nd++] = e->node;
		for (unsigned m = 0; m < SIGN_DYN_NVAR; m++) {
			if ((m & e->dynmask) != m)
				continue;
			if (make_nsec(&g, e, next, (uint8_t)m, &e->var[m],
			    false) != 0)
				goto signfail;
		}
	}
	s->ndyn = nd;
	s->sign_ms = (clock_mono() - t0) * 1000.0;
	return 0;
signfail:
	diag_error(d, conf->file, cd->line, "dnssec: signing %s failed (key "
	    "%s)", z->origin_text, s->keys[0].base);
	return -1;
nomem:
	diag_error(d, conf->file, cd->line, "out of memory signing %s",
	    z->origin_text);
	return -1;
}

void
sign_free(struct sign_zone *s)
{
	if (s == NULL)
		return;
	if (s->dyn_current != NULL && s->dyn_free != NULL)
		s->dyn_free(s->dyn_current);
	for (size_t i = 0; i < s->nnsec; i++)
		for (unsigned m = 0; m < SIGN_DYN_NVAR; m++)
			free(s->nsec[i].var[m].wire);
	free(s->nsec);
	free(s->nsec_keys);
	free(s->dyn);
	for (size_t i = 0; i < s->nkeys; i++)
		dnssec_key_free(&s->keys[i]);
	free(s);
}

const struct sign_nsec *
sign_nsec_find(const struct sign_zone *s, const uint8_t *name, size_t len)
{
	uint8_t key[SIGN_KEY_MAX];
	size_t lo = 0, hi = s->nnsec, kl;

	if (s->nnsec == 0)
		return NULL;
	kl = sign_canon_key(name, len, key);
	/* the first entry greater than name, minus one */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct sign_nsec *e = &s->nsec[mid];

		if (key_cmp(e->key, e->keylen, key, kl) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == 0 ? &s->nsec[s->nnsec - 1] : &s->nsec[lo - 1];
}
