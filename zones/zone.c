/* zone.c - zone template loader: master file + DYNMX/DYNA -> name tree. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <arpa/inet.h>
#include <ldns/ldns.h>

#include "dnsd/base/diag.h"
#include "zones/zone.h"

#define ZONE_INCLUDE_MAX	10		/* nested $INCLUDE levels */
#define ZONE_TTL_MAX		2147483647u	/* RFC 2181 8 */
#define ZONE_RRSET_MAX		65535
#define ARENA_CHUNK		(64 * 1024)

/*
 * Arena: nodes, names and small fixed data of one zone live here and are
 * freed at once. Growable data (rrset arrays, rdata) is malloc'ed and freed
 * by walking the nodes.
 */
struct arena_chunk {
	struct arena_chunk *next;
	size_t              used, size;
	_Alignas(16) unsigned char data[];
};

struct arena {
	struct arena_chunk *head;
};

static void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	size_t size;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (c == NULL || c->size - c->used < n) {
		size = n > ARENA_CHUNK / 4 ? n : ARENA_CHUNK;
		if ((c = malloc(sizeof(*c) + size)) == NULL)
			return NULL;
		c->used = 0;
		c->size = size;
		if (n > ARENA_CHUNK / 4 && a->head != NULL) {
			/* big block: keep the current chunk on top */
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	p = c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

static void
arena_free(struct arena *a)
{
	struct arena_chunk *c, *next;

	if (a == NULL)
		return;
	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

/* Build information kept beside each node while loading. */
struct brr {
	int    file, line;		/* where the rrset's first record was */
	size_t cap;			/* rdata capacity */
};

struct bnode {
	struct zone_node n;		/* first: a zone_node * is a bnode * */
	struct brr      *brr;		/* parallel to n.rrsets; freed after load */
	uint16_t         cap;		/* rrsets capacity */
	int              dynmx_file, dyna_file;
	int              srv_pool;	/* server that synthesized A/AAAA, or -1 */
	int              srv_index;
};

/* A pool referenced by a DYN record of this zone (first reference). */
struct bref {
	int      ref;			/* index into z->pools, or -1 */
	uint32_t ttl;
	int      file, line;
};

struct loader {
	const struct conf      *conf;
	const struct conf_zone *cz;
	struct diag             d;	/* every error, counted across $INCLUDEs */
	struct zone            *z;
	struct arena           *arena;
	char                  **files;	/* file names, index 0 = template */
	size_t                  nfiles, capfiles;
	int                     conffile;	/* index of the config file name */
	size_t                  nodes_cap;
	struct {
		dev_t dev;
		ino_t ino;
	}                       stack[ZONE_INCLUDE_MAX + 1];
	int                     depth;
	ldns_rdf               *zorigin;	/* zone origin */
	bool                    soa_failed;	/* an SOA record was rejected */
	bool                    ns_failed;	/* an apex NS record was rejected */
	size_t                  nrecords;
	struct bref            *brefs;		/* conf->npools */
};

/* Tokens of the record being read; one per file being read. */
struct lexbuf {
	char   *tbuf;
	size_t  tlen, tcap;
	size_t *toks;
	size_t  ntoks, tokcap;
};

/* Parse state of one file (restored after an $INCLUDE). */
struct pstate {
	int       file;
	ldns_rdf *origin;
	uint32_t  dttl;
	bool      has_dttl;
	uint32_t  last_ttl;
	bool      has_last;
	ldns_rdf *prev;			/* previous owner */
};

static int parse_file(struct loader *, const char *, struct pstate *,
    int, int);

static void __attribute__((format(printf, 4, 5)))
zerr(struct loader *L, int file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_verror(&L->d, L->files[file], line, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 4, 5)))
zwarn(struct loader *L, int file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vwarn(&L->d, L->files[file], line, fmt, ap);
	va_end(ap);
}

/* "line N" when in the same file, else "file:N". */
static const char *
where(struct loader *L, int curfile, int file, int line, char *buf,
    size_t len)
{
	if (file == curfile)
		snprintf(buf, len, "line %d", line);
	else
		snprintf(buf, len, "%s:%d", L->files[file], line);
	return buf;
}

static int
add_file(struct loader *L, const char *name)
{
	char **nf;

	if (L->nfiles == L->capfiles) {
		L->capfiles = L->capfiles ? L->capfiles * 2 : 8;
		if ((nf = realloc(L->files, L->capfiles * sizeof(*nf))) == NULL)
			return -1;
		L->files = nf;
	}
	if ((L->files[L->nfiles] = strdup(name)) == NULL)
		return -1;
	return (int)L->nfiles++;
}

/* ---- wire names ---- */

static size_t
wire_len(const uint8_t *w, size_t max)
{
	size_t p = 0;

	while (p < max && w[p] != 0)
		p += w[p] + 1;
	return p < max ? p + 1 : 0;
}

static unsigned
wire_labels(const uint8_t *w)
{
	unsigned n = 0;

	while (*w) {
		n++;
		w += *w + 1;
	}
	return n;
}

static void
wire_lower(uint8_t *w, size_t len)
{
	size_t i;

	/* length bytes are < 64, unaffected by tolower */
	for (i = 0; i < len; i++)
		w[i] = (uint8_t)tolower(w[i]);
}

/* Is lowercase name at or below lowercase parent? */
static bool
wire_under(const uint8_t *name, size_t len, const uint8_t *parent,
    size_t plen)
{
	size_t p = 0;

	if (len < plen)
		return false;
	while (len - p > plen)
		p += name[p] + 1;
	return len - p == plen && memcmp(name + p, parent, plen) == 0;
}

static const char *
wire2str(const uint8_t *w, char *buf, size_t size)
{
	size_t o = 0;
	unsigned i, n;
	int c;

	if (*w == 0) {
		snprintf(buf, size, ".");
		return buf;
	}
	while ((n = *w++) != 0 && o + 8 < size) {
		for (i = 0; i < n && o + 8 < size; i++) {
			c = *w++;
			if (isalnum(c) || c == '-' || c == '_' || c == '*' ||
			    c == '/')
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

#define NAMEBUF 1100

uint32_t
zone_hash(const uint8_t *name, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= name[i];
		h *= 16777619u;
	}
	return h ^ (h >> 15);
}

struct zone_node *
zone_find(const struct zone *z, const uint8_t *name, size_t len, uint32_t hash)
{
	struct zone_node *n;

	if (z->htab == NULL)
		return NULL;
	for (n = z->htab[hash & z->hmask]; n != NULL; n = n->hnext)
		if (n->hash == hash && n->namelen == len &&
		    memcmp(n->name, name, len) == 0)
			return n;
	return NULL;
}

const struct zone_rrset *
zone_rrset_find(const struct zone_node *n, uint16_t type)
{
	uint16_t i;

	for (i = 0; i < n->nrrsets; i++)
		if (n->rrsets[i].type == type)
			return &n->rrsets[i];
	return NULL;
}

const struct zone_pool_ref *
zone_pool_ref(const struct zone *z, size_t pool)
{
	size_t i;

	for (i = 0; i < z->npools; i++)
		if (z->pools[i].pool == pool)
			return &z->pools[i];
	return NULL;
}

void
zone_free(struct zone *z)
{
	struct bnode *b;
	size_t i;
	uint16_t j;

	if (z == NULL)
		return;
	for (i = 0; i < z->nnodes; i++) {
		b = (struct bnode *)z->nodes[i];
		for (j = 0; j < b->n.nrrsets; j++)
			free(b->n.rrsets[j].rdata);
		free(b->n.rrsets);
		free(b->brr);
		if (b->n.answers != NULL && z->answers_free != NULL)
			z->answers_free(b->n.answers);
	}
	free(z->nodes);
	free(z->htab);
	free(z->file);
	free(z->origin_text);
	arena_free(z->arena);
	free(z);
}

/* ---- the tree under construction ---- */

static int
htab_grow(struct zone *z)
{
	struct zone_node **nt, *n, *next;
	size_t size = (size_t)z->hmask + 1, i;
	uint32_t nmask;

	nmask = (uint32_t)(size * 2 - 1);
	if ((nt = calloc((size_t)nmask + 1, sizeof(*nt))) == NULL)
		return -1;
	for (i = 0; i < size; i++)
		for (n = z->htab[i]; n != NULL; n = next) {
			next = n->hnext;
			n->hnext = nt[n->hash & nmask];
			nt[n->hash & nmask] = n;
		}
	free(z->htab);
	z->htab = nt;
	z->hmask = nmask;
	return 0;
}

/* Node of a lowercase in-zone name, created with its ancestors. */
static struct zone_node *
get_node(struct loader *L, const uint8_t *name, size_t len)
{
	struct zone *z = L->z;
	struct zone_node *parent = NULL, **nn;
	struct bnode *b;
	uint32_t h = zone_hash(name, len);
	struct zone_node *n;

	if ((n = zone_find(z, name, len, h)) != NULL)
		return n;
	if (len > z->origin_len &&
	    (parent = get_node(L, name + name[0] + 1, len - name[0] - 1)) ==
	    NULL)
		return NULL;
	if ((b = arena_alloc(L->arena, sizeof(*b) + len)) == NULL)
		return NULL;
	n = &b->n;
	n->name = (uint8_t *)(b + 1);
	memcpy(n->name, name, len);
	n->namelen = (uint8_t)len;
	n->nlabels = (uint8_t)wire_labels(name);
	n->hash = h;
	n->parent = parent;
	b->srv_pool = -1;
	if ((z->nnodes + 1) * 2 > (size_t)z->hmask + 1 && htab_grow(z) != 0)
		return NULL;
	if (z->nnodes == L->nodes_cap) {
		L->nodes_cap = L->nodes_cap ? L->nodes_cap * 2 : 256;
		if ((nn = realloc(z->nodes, L->nodes_cap * sizeof(*nn))) == NULL)
			return NULL;
		z->nodes = nn;
	}
	z->nodes[z->nnodes++] = n;
	n->hnext = z->htab[h & z->hmask];
	z->htab[h & z->hmask] = n;
	return n;
}

static struct zone_rrset *
node_rrset(struct zone_node *n, uint16_t type, struct brr **brp)
{
	struct bnode *b = (struct bnode *)n;
	uint16_t i;

	for (i = 0; i < n->nrrsets; i++)
		if (n->rrsets[i].type == type) {
			if (brp != NULL)
				*brp = &b->brr[i];
			return &n->rrsets[i];
		}
	return NULL;
}

static int
rdata_append(struct zone_rrset *rs, struct brr *br, const uint8_t *rd,
    size_t rdlen)
{
	uint8_t *nr;
	size_t ncap;

	if (rs->rdata_len + 2 + rdlen > br->cap) {
		ncap = br->cap ? br->cap * 2 : 64;
		while (ncap < rs->rdata_len + 2 + rdlen)
			ncap *= 2;
		if ((nr = realloc(rs->rdata, ncap)) == NULL)
			return -1;
		rs->rdata = nr;
		br->cap = ncap;
	}
	rs->rdata[rs->rdata_len] = (uint8_t)(rdlen >> 8);
	rs->rdata[rs->rdata_len + 1] = (uint8_t)rdlen;
	memcpy(rs->rdata + rs->rdata_len + 2, rd, rdlen);
	rs->rdata_len += 2 + rdlen;
	rs->count++;
	return 0;
}

static struct zone_rrset *
rrset_new(struct zone_node *n, uint16_t type, uint32_t ttl, int file,
    int line, struct brr **brp)
{
	struct bnode *b = (struct bnode *)n;
	struct zone_rrset *nr;
	struct brr *nb;
	uint16_t cap;

	if (n->nrrsets == b->cap) {
		cap = b->cap ? (uint16_t)(b->cap * 2) : 2;
		if ((nr = realloc(n->rrsets, cap * sizeof(*nr))) == NULL)
			return NULL;
		n->rrsets = nr;
		if ((nb = realloc(b->brr, cap * sizeof(*nb))) == NULL)
			return NULL;
		b->brr = nb;
		b->cap = cap;
	}
	nr = &n->rrsets[n->nrrsets];
	memset(nr, 0, sizeof(*nr));
	nr->type = type;
	nr->ttl = ttl;
	nb = &b->brr[n->nrrsets];
	memset(nb, 0, sizeof(*nb));
	nb->file = file;
	nb->line = line;
	n->nrrsets++;
	*brp = nb;
	return nr;
}

static const char *
type_name(uint16_t type, char *buf, size_t len)
{
	const ldns_rr_descriptor *d = ldns_rr_descript(type);

	if (d != NULL && d->_name != NULL)
		snprintf(buf, len, "%s", d->_name);
	else
		snprintf(buf, len, "TYPE%u", type);
	return buf;
}

/* Add one static record; merges into its rrset. -1 on memory error. */
static int
add_rr(struct loader *L, int file, int line, const uint8_t *name,
    size_t namelen, uint16_t type, uint32_t ttl, const uint8_t *rd,
    size_t rdlen)
{
	char nb[NAMEBUF], tb[32], wb[PATH_MAX + 32];
	struct zone_node *n;
	struct zone_rrset *rs;
	struct brr *br;
	size_t p;
	uint16_t k, l;

	if ((n = get_node(L, name, namelen)) == NULL)
		return -1;
	if (type == ZONE_TYPE_SOA && n != L->z->apex) {
		zerr(L, file, line, "SOA record at '%s' is not at the zone "
		    "apex '%s'", wire2str(name, nb, sizeof(nb)),
		    L->z->origin_text);
		return 0;
	}
	if ((rs = node_rrset(n, type, &br)) == NULL) {
		if ((rs = rrset_new(n, type, ttl, file, line, &br)) == NULL)
			return -1;
		return rdata_append(rs, br, rd, rdlen);
	}
	if (type == ZONE_TYPE_SOA) {
		zerr(L, file, line, "more than one SOA record (first at %s)",
		    where(L, file, br->file, br->line, wb, sizeof(wb)));
		return 0;
	}
	for (p = 0, k = 0; k < rs->count; k++) {
		l = (uint16_t)(rs->rdata[p] << 8 | rs->rdata[p + 1]);
		if (l == rdlen && memcmp(rs->rdata + p + 2, rd, rdlen) == 0) {
			zwarn(L, file, line, "duplicate %s record at '%s' "
			    "ignored (same as %s)", type_name(type, tb,
			    sizeof(tb)), wire2str(name, nb, sizeof(nb)),
			    where(L, file, br->file, br->line, wb, sizeof(wb)));
			if (ttl < rs->ttl)
				rs->ttl = ttl;
			return 0;
		}
		p += 2 + (size_t)l;
	}
	if (type == ZONE_TYPE_CNAME) {
		zerr(L, file, line, "more than one CNAME at '%s' (first at %s)",
		    wire2str(name, nb, sizeof(nb)),
		    where(L, file, br->file, br->line, wb, sizeof(wb)));
		return 0;
	}
	if (rs->count == ZONE_RRSET_MAX) {
		zerr(L, file, line, "too many %s records at '%s' (maximum %d)",
		    type_name(type, tb, sizeof(tb)),
		    wire2str(name, nb, sizeof(nb)), ZONE_RRSET_MAX);
		return 0;
	}
	if (ttl != rs->ttl) {
		zwarn(L, file, line, "TTL %u differs from TTL %u of the other "
		    "%s records at '%s' (%s); using %u (RFC 2181 5.2)", ttl,
		    rs->ttl, type_name(type, tb, sizeof(tb)),
		    wire2str(name, nb, sizeof(nb)),
		    where(L, file, br->file, br->line, wb, sizeof(wb)),
		    ttl < rs->ttl ? ttl : rs->ttl);
		if (ttl < rs->ttl)
			rs->ttl = ttl;
	}
	return rdata_append(rs, br, rd, rdlen);
}

/* ---- small parsers ---- */

/* TTL: digits with optional units, "3600", "1h", "1h30m", "1w". */
static int
parse_ttl(const char *s, uint32_t *out)
{
	unsigned long long total = 0, v;
	bool any = false;

	if (!isdigit((unsigned char)*s))
		return -1;
	while (*s) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = 0;
		while (isdigit((unsigned char)*s)) {
			v = v * 10 + (unsigned long long)(*s - '0');
			if (v > 0xffffffffffULL)
				return -2;
			s++;
		}
		switch (tolower((unsigned char)*s)) {
		case '\0':
			if (any)
				return -1;	/* "1h30" is ambiguous */
			break;
		case 's': s++; break;
		case 'm': v *= 60; s++; break;
		case 'h': v *= 3600; s++; break;
		case 'd': v *= 86400; s++; break;
		case 'w': v *= 604800; s++; break;
		default:
			return -1;
		}
		any = true;
		total += v;
		if (total > ZONE_TTL_MAX)
			return -2;
	}
	*out = (uint32_t)total;
	return 0;
}

static bool
is_class(const char *s)
{
	static const char *const cl[] = { "IN", "CH", "CHAOS", "HS", "CS",
	    "NONE", "ANY", NULL };
	int i;

	for (i = 0; cl[i] != NULL; i++)
		if (strcasecmp(s, cl[i]) == 0)
			return true;
	if (strncasecmp(s, "CLASS", 5) == 0 && s[5] != '\0' &&
	    strspn(s + 5, "0123456789") == strlen(s + 5))
		return true;
	return false;
}

static bool
is_in(const char *s)
{
	return strcasecmp(s, "IN") == 0 || strcasecmp(s, "CLASS1") == 0;
}

static int
pool_lookup(struct loader *L, const char *name)
{
	size_t i;

	for (i = 0; i < L->conf->npools; i++)
		if (strcasecmp(L->conf->pools[i].name, name) == 0)
			return (int)i;
	return -1;
}

/*
 * Name text to an absolute ldns dname: "@" is origin, relative names are
 * appended to origin. NULL when the text is no valid name.
 */
static ldns_rdf *
name_abs(const char *text, const ldns_rdf *origin)
{
	ldns_rdf *r;

	if (strcmp(text, "@") == 0)
		return ldns_rdf_clone(origin);
	if ((r = ldns_dname_new_frm_str(text)) == NULL)
		return NULL;
	if (!ldns_dname_str_absolute(text) &&
	    ldns_dname_cat(r, origin) != LDNS_STATUS_OK) {
		ldns_rdf_deep_free(r);
		return NULL;
	}
	return r;
}

/* Owner rdf -> lowercase wire in buf; false when outside the zone. */
static bool
owner_wire(struct loader *L, const ldns_rdf *owner, uint8_t *buf,
    size_t *len)
{
	*len = ldns_rdf_size(owner);
	memcpy(buf, ldns_rdf_data(owner), *len);
	wire_lower(buf, *len);
	return wire_under(buf, *len, L->z->origin, L->z->origin_len);
}

/*
 * ldns silently truncates integers (MX 70000 becomes 4464): check the
 * numeric fields that precede any multi-token field.
 */
static int
check_ints(struct loader *L, int file, int line, uint16_t type,
    char **tok, size_t ntok)
{
	const ldns_rr_descriptor *d = ldns_rr_descript(type);
	unsigned long long v, max;
	char tb[32];
	size_t k, kmax;
	const char *s;

	if (d == NULL || ntok == 0 || strcmp(tok[0], "\\#") == 0)
		return 0;
	kmax = ldns_rr_descriptor_maximum(d);
	for (k = 0; k < ntok && k < kmax; k++) {
		switch (ldns_rr_descriptor_field_type(d, k)) {
		case LDNS_RDF_TYPE_INT8:
			max = 255;
			break;
		case LDNS_RDF_TYPE_INT16:
			max = 65535;
			break;
		case LDNS_RDF_TYPE_INT32:
		case LDNS_RDF_TYPE_PERIOD:
			max = 4294967295ULL;
			break;
		case LDNS_RDF_TYPE_DNAME:
		case LDNS_RDF_TYPE_A:
		case LDNS_RDF_TYPE_AAAA:
		case LDNS_RDF_TYPE_TYPE:
		case LDNS_RDF_TYPE_ALG:
			continue;
		default:
			return 0;
		}
		s = tok[k];
		if (*s == '\0' || strspn(s, "0123456789") != strlen(s))
			continue;
		v = 0;
		while (*s && v <= max)
			v = v * 10 + (unsigned long long)(*s++ - '0');
		if (v > max) {
			zerr(L, file, line, "bad %s record: value %s out of "
			    "range (maximum %llu)", type_name(type, tb,
			    sizeof(tb)), tok[k], max);
			return -1;
		}
	}
	return 0;
}

/* ---- records and directives ---- */

static int
do_dyn(struct loader *L, struct pstate *ps, int line, const uint8_t *name,
    size_t namelen, bool mx, uint32_t ttl, char **tok, size_t ntok)
{
	const char *kind = mx ? "DYNMX" : "DYNA";
	char nb[NAMEBUF], wb[PATH_MAX + 32];
	struct zone_node *n;
	struct bnode *b;
	struct zone_dyn *d, **slot;
	const char *sug;
	int pool, *dfile;

	if (ntok != 1) {
		zerr(L, ps->file, line, "%s expects one argument, a pool name",
		    kind);
		return 0;
	}
	if ((pool = pool_lookup(L, tok[0])) < 0) {
		if ((sug = conf_pool_suggest(L->conf, tok[0])) != NULL)
			zerr(L, ps->file, line, "unknown pool '%s' (did you "
			    "mean '%s'?)", tok[0], sug);
		else
			zerr(L, ps->file, line, "unknown pool '%s'", tok[0]);
		return 0;
	}
	if ((n = get_node(L, name, namelen)) == NULL)
		return -1;
	b = (struct bnode *)n;
	slot = mx ? &n->dynmx : &n->dyna;
	dfile = mx ? &b->dynmx_file : &b->dyna_file;
	if (*slot != NULL) {
		zerr(L, ps->file, line, "more than one %s at '%s' (first at %s)",
		    kind, wire2str(name, nb, sizeof(nb)),
		    where(L, ps->file, *dfile, (*slot)->line, wb, sizeof(wb)));
		return 0;
	}
	if ((d = arena_alloc(L->arena, sizeof(*d))) == NULL)
		return -1;
	d->ttl = ttl;
	d->pool = (size_t)pool;
	d->line = line;
	*slot = d;
	*dfile = ps->file;
	if (L->brefs[pool].line == 0) {
		L->brefs[pool].ttl = ttl;
		L->brefs[pool].file = ps->file;
		L->brefs[pool].line = line;
	}
	return 0;
}

static int
do_record(struct loader *L, struct pstate *ps, int line, bool blank,
    char **tok, size_t ntok)
{
	char tb[32], *text = NULL, *os = NULL;
	uint8_t wire[LDNS_MAX_DOMAINLEN + 1];
	const ldns_rr_descriptor *d;
	ldns_rdf *owner = NULL;
	ldns_buffer *buf = NULL;
	ldns_rr *rr = NULL;
	ldns_status st;
	size_t i = 0, k, len, wlen = 0, pos, tl;
	uint32_t ttl = 0;
	bool has_ttl = false, has_class = false, parsed = false;
	uint16_t type = 0;
	int r, rc = 0;

	if (blank) {
		if (ps->prev == NULL) {
			zerr(L, ps->file, line, "record without owner name (the "
			    "line starts with a blank and no record precedes "
			    "it)");
			goto out;
		}
		owner = ldns_rdf_clone(ps->prev);
	} else {
		if ((owner = name_abs(tok[0], ps->origin)) == NULL) {
			zerr(L, ps->file, line, "bad owner name '%s'", tok[0]);
			goto out;
		}
		i = 1;
	}
	if (owner == NULL)
		goto fail;
	ldns_rdf_deep_free(ps->prev);
	if ((ps->prev = ldns_rdf_clone(owner)) == NULL)
		goto fail;
	for (; i < ntok; i++) {
		if (isdigit((unsigned char)tok[i][0])) {
			if (has_ttl) {
				zerr(L, ps->file, line, "unexpected '%s' after "
				    "the TTL (expected a class or type)",
				    tok[i]);
				goto out;
			}
			if ((r = parse_ttl(tok[i], &ttl)) == -2) {
				zerr(L, ps->file, line, "TTL '%s' out of range "
				    "(maximum %u)", tok[i], ZONE_TTL_MAX);
				goto out;
			} else if (r != 0) {
				zerr(L, ps->file, line, "bad TTL '%s' (expected "
				    "seconds or a duration like 1h30m)", tok[i]);
				goto out;
			}
			has_ttl = true;
		} else if (is_class(tok[i])) {
			if (has_class) {
				zerr(L, ps->file, line, "unexpected '%s' after "
				    "the class (expected a TTL or type)",
				    tok[i]);
				goto out;
			}
			if (!is_in(tok[i])) {
				zerr(L, ps->file, line, "class '%s' not "
				    "supported (only IN)", tok[i]);
				goto out;
			}
			has_class = true;
		} else
			break;
	}
	if (i == ntok) {
		zerr(L, ps->file, line, "missing record type");
		goto out;
	}
	if (has_ttl) {
		ps->last_ttl = ttl;
		ps->has_last = true;
	} else if (ps->has_dttl)
		ttl = ps->dttl;
	else if (ps->has_last)
		ttl = ps->last_ttl;
	else {
		zerr(L, ps->file, line, "no TTL: give one on the record or set "
		    "$TTL before it");
		goto out;
	}
	if (!owner_wire(L, owner, wire, &wlen)) {
		os = ldns_rdf2str(owner);
		zerr(L, ps->file, line, "name '%s' is outside the zone '%s'",
		    os != NULL ? os : "?", L->z->origin_text);
		goto out;
	}
	L->nrecords++;
	if (strcasecmp(tok[i], "DYNMX") == 0 || strcasecmp(tok[i], "DYNA") == 0) {
		rc = do_dyn(L, ps, line, wire, wlen,
		    strcasecmp(tok[i], "DYNMX") == 0, ttl, tok + i + 1,
		    ntok - i - 1);
		goto out;
	}
	type = (uint16_t)ldns_get_rr_type_by_name(tok[i]);
	if (type == 0) {
		zerr(L, ps->file, line, "unknown record type '%s'", tok[i]);
		goto out;
	}
	if (type == LDNS_RR_TYPE_OPT || (type >= 249 && type <= 255) ||
	    type == LDNS_RR_TYPE_TSIG) {
		zerr(L, ps->file, line, "type %s cannot appear in a zone",
		    tok[i]);
		goto out;
	}
	if (check_ints(L, ps->file, line, type, tok + i + 1, ntok - i - 1) != 0)
		goto out;
	/* hand the record, one line, absolute owner, to ldns */
	if ((os = ldns_rdf2str(owner)) == NULL)
		goto fail;
	len = strlen(os) + 64;
	for (k = i + 1; k < ntok; k++)
		len += strlen(tok[k]) + 1;
	if ((text = malloc(len)) == NULL)
		goto fail;
	pos = (size_t)snprintf(text, len, "%s %u IN %s", os, ttl,
	    type_name(type, tb, sizeof(tb)));
	for (k = i + 1; k < ntok; k++) {
		text[pos++] = ' ';
		tl = strlen(tok[k]);
		memcpy(text + pos, tok[k], tl + 1);
		pos += tl;
	}
	st = ldns_rr_new_frm_str(&rr, text, ttl, ps->origin, NULL);
	if (st != LDNS_STATUS_OK) {
		zerr(L, ps->file, line, "bad %s record: %s",
		    type_name(type, tb, sizeof(tb)),
		    ldns_get_errorstr_by_id(st));
		rr = NULL;
		goto out;
	}
	d = ldns_rr_descript(type);
	if (d != NULL && ldns_rr_rd_count(rr) < ldns_rr_descriptor_minimum(d)) {
		zerr(L, ps->file, line, "bad %s record: missing data",
		    type_name(type, tb, sizeof(tb)));
		goto out;
	}
	if ((buf = ldns_buffer_new(256)) == NULL)
		goto fail;
	if (ldns_rr_rdata2buffer_wire(buf, rr) != LDNS_STATUS_OK)
		goto fail;
	if (ldns_buffer_position(buf) > 65535) {
		zerr(L, ps->file, line, "bad %s record: data longer than "
		    "65535 bytes", type_name(type, tb, sizeof(tb)));
		goto out;
	}
	parsed = true;
	if (add_rr(L, ps->file, line, wire, wlen, type, ttl,
	    ldns_buffer_begin(buf), ldns_buffer_position(buf)) != 0)
		goto fail;
	goto out;
fail:
	zerr(L, ps->file, line, "out of memory");
	rc = -1;
out:
	/* a rejected SOA must not also be reported as missing */
	for (k = 0; !parsed && type == 0 && k < ntok; k++)
		if (strcasecmp(tok[k], "SOA") == 0)
			type = ZONE_TYPE_SOA;
	if (!parsed && type == ZONE_TYPE_SOA)
		L->soa_failed = true;
	if (!parsed && type == ZONE_TYPE_NS && wlen == L->z->origin_len)
		L->ns_failed = true;
	ldns_buffer_free(buf);
	ldns_rr_free(rr);
	free(text);
	free(os);
	ldns_rdf_deep_free(owner);
	return rc;
}

static char *
unquote(char *s)
{
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s[n - 1] = '\0';
		return s + 1;
	}
	return s;
}

static int
do_directive(struct loader *L, struct pstate *ps, int line, char **tok,
    size_t ntok, int depth)
{
	struct pstate child;
	ldns_rdf *o;
	char *path = NULL, *fname, *slash;
	uint32_t ttl;
	size_t dl;
	int r, rc = 0;

	if (strcasecmp(tok[0], "$ORIGIN") == 0) {
		if (ntok != 2) {
			zerr(L, ps->file, line, "$ORIGIN expects one domain "
			    "name");
			return 0;
		}
		if ((o = name_abs(tok[1], ps->origin)) == NULL) {
			zerr(L, ps->file, line, "bad $ORIGIN name '%s'", tok[1]);
			return 0;
		}
		ldns_rdf_deep_free(ps->origin);
		ps->origin = o;
		return 0;
	}
	if (strcasecmp(tok[0], "$TTL") == 0) {
		if (ntok != 2) {
			zerr(L, ps->file, line, "$TTL expects one TTL value");
			return 0;
		}
		if ((r = parse_ttl(tok[1], &ttl)) == -2)
			zerr(L, ps->file, line, "$TTL '%s' out of range "
			    "(maximum %u)", tok[1], ZONE_TTL_MAX);
		else if (r != 0)
			zerr(L, ps->file, line, "bad $TTL '%s' (expected "
			    "seconds or a duration like 1h30m)", tok[1]);
		else {
			ps->dttl = ttl;
			ps->has_dttl = true;
		}
		return 0;
	}
	if (strcasecmp(tok[0], "$INCLUDE") == 0) {
		if (ntok < 2 || ntok > 3) {
			zerr(L, ps->file, line, "$INCLUDE expects a file name "
			    "and an optional origin");
			return 0;
		}
		memset(&child, 0, sizeof(child));
		child.dttl = ps->dttl;
		child.has_dttl = ps->has_dttl;
		child.last_ttl = ps->last_ttl;
		child.has_last = ps->has_last;
		if (ntok == 3) {
			if ((child.origin = name_abs(tok[2], ps->origin)) ==
			    NULL) {
				zerr(L, ps->file, line, "bad $INCLUDE origin "
				    "'%s'", tok[2]);
				return 0;
			}
		} else if ((child.origin = ldns_rdf_clone(ps->origin)) == NULL)
			goto fail;
		if (ps->prev != NULL &&
		    (child.prev = ldns_rdf_clone(ps->prev)) == NULL)
			goto fail;
		fname = unquote(tok[1]);
		slash = strrchr(L->files[ps->file], '/');
		if (fname[0] == '/' || slash == NULL)
			path = strdup(fname);
		else {
			dl = (size_t)(slash - L->files[ps->file]) + 1;
			if ((path = malloc(dl + strlen(fname) + 1)) != NULL) {
				memcpy(path, L->files[ps->file], dl);
				strcpy(path + dl, fname);
			}
		}
		if (path == NULL)
			goto fail;
		if (depth >= ZONE_INCLUDE_MAX)
			zerr(L, ps->file, line, "$INCLUDE nested too deeply "
			    "(limit %d)", ZONE_INCLUDE_MAX);
		else if (parse_file(L, path, &child, ps->file, line) != 0)
			rc = -1;
		goto out;
	}
	if (strcasecmp(tok[0], "$GENERATE") == 0)
		zerr(L, ps->file, line, "$GENERATE is not supported");
	else
		zerr(L, ps->file, line, "unknown directive '%s' (expected "
		    "$ORIGIN, $TTL or $INCLUDE)", tok[0]);
	return 0;
fail:
	zerr(L, ps->file, line, "out of memory");
	rc = -1;
out:
	free(path);
	ldns_rdf_deep_free(child.origin);
	ldns_rdf_deep_free(child.prev);
	return rc;
}

/* ---- lexer: lines, parentheses, quotes, comments ---- */

static int
tok_putc(struct lexbuf *L, char c)
{
	char *nb;

	if (L->tlen + 1 >= L->tcap) {
		L->tcap = L->tcap ? L->tcap * 2 : 1024;
		if ((nb = realloc(L->tbuf, L->tcap)) == NULL)
			return -1;
		L->tbuf = nb;
	}
	L->tbuf[L->tlen++] = c;
	return 0;
}

static int
tok_start(struct lexbuf *L)
{
	size_t *nt;

	if (L->ntoks == L->tokcap) {
		L->tokcap = L->tokcap ? L->tokcap * 2 : 32;
		if ((nt = realloc(L->toks, L->tokcap * sizeof(*nt))) == NULL)
			return -1;
		L->toks = nt;
	}
	L->toks[L->ntoks++] = L->tlen;
	return 0;
}

static int
process(struct loader *L, struct lexbuf *lx, struct pstate *ps, int line,
    bool blank, int depth)
{
	char *stackv[64], **tok = stackv;
	size_t i;
	int rc;

	if (lx->ntoks > 64 && (tok = malloc(lx->ntoks * sizeof(*tok))) == NULL)
		return -1;
	for (i = 0; i < lx->ntoks; i++)
		tok[i] = lx->tbuf + lx->toks[i];
	if (!blank && tok[0][0] == '$')
		rc = do_directive(L, ps, line, tok, lx->ntoks, depth);
	else
		rc = do_record(L, ps, line, blank, tok, lx->ntoks);
	if (tok != stackv)
		free(tok);
	return rc;
}

static char *
read_all(FILE *f, size_t *len)
{
	char *buf = NULL, *nb;
	size_t cap = 0, n = 0, r;

	for (;;) {
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 65536;
			if ((nb = realloc(buf, cap)) == NULL) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/*
 * Parse one file. from/fromline name the $INCLUDE that opened it (-1 for
 * the template itself). -1 only on memory exhaustion.
 */
static int
parse_file(struct loader *L, const char *path, struct pstate *ps, int from,
    int fromline)
{
	struct lexbuf lx = { NULL, 0, 0, NULL, 0, 0 };
	struct stat sb;
	FILE *f;
	char *data = NULL;
	size_t n = 0, i;
	int line = 1, rec_line = 1, paren_line = 0, depth = 0, rc = 0, k, c;
	bool at_start = true, intok = false, blank = false, bad = false;
	bool reported_nul = false, pushed = false;

	if ((f = fopen(path, "r")) == NULL) {
		if (from < 0) {
			if (L->conf->file != NULL && L->cz->line > 0)
				diag_error(&L->d, L->conf->file, L->cz->line,
				    "cannot open template '%s': %s", path,
				    strerror(errno));
			else
				diag_error(&L->d, path, 0, "cannot open "
				    "template: %s", strerror(errno));
		} else
			zerr(L, from, fromline, "cannot open included file "
			    "'%s': %s", path, strerror(errno));
		return 0;
	}
	if (fstat(fileno(f), &sb) != 0 || S_ISDIR(sb.st_mode)) {
		if (from < 0) {
			diag_error(&L->d, path, 0, "cannot read template: "
			    "is a directory");
		} else
			zerr(L, from, fromline, "cannot read included file "
			    "'%s': is a directory", path);
		goto out;
	}
	for (k = 0; k < L->depth; k++)
		if (L->stack[k].dev == sb.st_dev &&
		    L->stack[k].ino == sb.st_ino) {
			zerr(L, from, fromline, "$INCLUDE loop: '%s' is "
			    "already being read", path);
			goto out;
		}
	if ((data = read_all(f, &n)) == NULL) {
		if (from < 0) {
			diag_error(&L->d, path, 0, "read error: %s",
			    strerror(errno));
		} else
			zerr(L, from, fromline, "cannot read included file "
			    "'%s': %s", path, strerror(errno));
		goto out;
	}
	if (from >= 0) {
		if ((ps->file = add_file(L, path)) < 0)
			goto fail;
	}
	L->stack[L->depth].dev = sb.st_dev;
	L->stack[L->depth].ino = sb.st_ino;
	L->depth++;
	pushed = true;
	for (i = 0; i <= n; ) {
		c = i < n ? (unsigned char)data[i] : '\n';
		if (at_start) {
			at_start = false;
			if (depth == 0) {
				lx.ntoks = 0;
				lx.tlen = 0;
				rec_line = line;
				blank = (c == ' ' || c == '\t');
				bad = false;
			}
		}
		if (c == '\n') {
			if (intok && tok_putc(&lx, '\0') != 0)
				goto fail;
			intok = false;
			if (depth == 0 && lx.ntoks > 0 && !bad &&
			    process(L, &lx, ps, rec_line, blank,
			    L->depth - 1) != 0)
				goto fail;
			line++;
			at_start = true;
			i++;
			continue;
		}
		if (c == '\0') {
			if (!reported_nul)
				zerr(L, ps->file, line, "NUL byte in template "
				    "(binary file?)");
			reported_nul = true;
			bad = true;
			i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == ';' ||
		    c == '(' || c == ')') {
			if (intok && tok_putc(&lx, '\0') != 0)
				goto fail;
			intok = false;
			if (c == ';') {
				while (i < n && data[i] != '\n')
					i++;
				continue;
			}
			if (c == '(') {
				if (depth == 0)
					paren_line = line;
				depth++;
			} else if (c == ')') {
				if (depth == 0) {
					zerr(L, ps->file, line, "')' without "
					    "'('");
					bad = true;
				} else
					depth--;
			}
			i++;
			continue;
		}
		if (!intok) {
			if (tok_start(&lx) != 0)
				goto fail;
			intok = true;
		}
		if (c == '"') {
			if (tok_putc(&lx, '"') != 0)
				goto fail;
			i++;
			while (i < n && data[i] != '"' && data[i] != '\n') {
				if (data[i] == '\\' && i + 1 < n &&
				    data[i + 1] != '\n') {
					if (tok_putc(&lx, data[i]) != 0)
						goto fail;
					i++;
				}
				if (tok_putc(&lx, data[i]) != 0)
					goto fail;
				i++;
			}
			if (i < n && data[i] == '"') {
				if (tok_putc(&lx, '"') != 0)
					goto fail;
				i++;
			} else {
				zerr(L, ps->file, line, "missing closing '\"'");
				bad = true;
			}
			continue;
		}
		if (c == '\\' && i + 1 < n && data[i + 1] != '\n') {
			if (tok_putc(&lx, '\\') != 0)
				goto fail;
			i++;
		}
		if (tok_putc(&lx, data[i]) != 0)
			goto fail;
		i++;
	}
	if (depth > 0)
		zerr(L, ps->file, paren_line, "'(' without ')'");
	goto out;
fail:
	zerr(L, ps->file, line, "out of memory");
	rc = -1;
out:
	if (pushed)
		L->depth--;
	free(lx.tbuf);
	free(lx.toks);
	free(data);
	fclose(f);
	return rc;
}

/* ---- checks after parsing ---- */

static int
conf_where(struct loader *L, int line, char *buf, size_t len)
{
	if (L->conf->file != NULL)
		return snprintf(buf, len, "%s:%d", L->conf->file, line);
	return snprintf(buf, len, "config line %d", line);
}

static bool
ips_equal(const struct zone_rrset *rs, const struct conf_server *s, int fam)
{
	size_t i, p = 0, cnt = 0, alen = fam == AF_INET ? 4 : 16;
	uint16_t k;
	bool found;

	for (i = 0; i < s->naddrs; i++) {
		if (s->addrs[i].family != fam)
			continue;
		cnt++;
		found = false;
		for (p = 0, k = 0; rs != NULL && k < rs->count; k++) {
			if (memcmp(rs->rdata + p + 2, &s->addrs[i].u,
			    alen) == 0)
				found = true;
			p += 2 + alen;
		}
		if (!found)
			return false;
	}
	return cnt == (rs != NULL ? rs->count : 0);
}

/* Host of server s (or relay) as a wire name; relative to the zone origin. */
static ldns_rdf *
host_rdf(struct loader *L, const char *host)
{
	return name_abs(host, L->zorigin);
}

static int
add_servers(struct loader *L)
{
	const struct conf *conf = L->conf;
	struct zone *z = L->z;
	struct zone_pool_ref *ref;
	const struct conf_pool *cp;
	const struct conf_server *s;
	struct zone_node *n;
	struct bnode *b;
	struct brr *br;
	struct zone_rrset *rs;
	ldns_rdf *h;
	uint8_t wire[LDNS_MAX_DOMAINLEN + 1];
	char nb[NAMEBUF], cw[PATH_MAX + 32], hostbuf[CONF_DNAME_MAX + 80];
	size_t p, i, np = 0, len;
	int fam, j;

	for (p = 0; p < conf->npools; p++)
		if (L->brefs[p].line != 0)
			np++;
	if (np == 0)
		return 0;
	if ((z->pools = arena_alloc(L->arena, np * sizeof(*z->pools))) == NULL)
		return -1;
	for (p = 0; p < conf->npools; p++) {
		if (L->brefs[p].line == 0)
			continue;
		cp = &conf->pools[p];
		L->brefs[p].ref = (int)z->npools;
		ref = &z->pools[z->npools++];
		ref->pool = p;
		ref->nservers = cp->nservers;
		ref->server_name = arena_alloc(L->arena,
		    cp->nservers * sizeof(*ref->server_name) + 1);
		ref->server_node = arena_alloc(L->arena,
		    cp->nservers * sizeof(*ref->server_node) + 1);
		if (ref->server_name == NULL || ref->server_node == NULL)
			return -1;
		for (i = 0; i < cp->nservers; i++) {
			s = &cp->servers[i];
			if (s->host != NULL)
				snprintf(hostbuf, sizeof(hostbuf), "%s", s->host);
			else
				snprintf(hostbuf, sizeof(hostbuf), "%s", s->name);
			conf_where(L, s->line, cw, sizeof(cw));
			if ((h = host_rdf(L, hostbuf)) == NULL) {
				zerr(L, L->brefs[p].file, L->brefs[p].line,
				    "pool '%s': server '%s' (%s) has a bad host "
				    "name '%s'", cp->name, s->name, cw, hostbuf);
				continue;
			}
			len = ldns_rdf_size(h);
			ref->server_name[i] = arena_alloc(L->arena, len);
			if (ref->server_name[i] == NULL) {
				ldns_rdf_deep_free(h);
				return -1;
			}
			memcpy(ref->server_name[i], ldns_rdf_data(h), len);
			memcpy(wire, ldns_rdf_data(h), len);
			ldns_rdf_deep_free(h);
			wire_lower(wire, len);
			if (!wire_under(wire, len, z->origin, z->origin_len))
				continue;
			if ((n = get_node(L, wire, len)) == NULL)
				return -1;
			b = (struct bnode *)n;
			ref->server_node[i] = n;
			if (b->srv_pool >= 0) {
				/* the same host in two pools: same addresses? */
				if (ips_equal(zone_rrset_find(n, ZONE_TYPE_A),
				    s, AF_INET) &&
				    ips_equal(zone_rrset_find(n,
				    ZONE_TYPE_AAAA), s, AF_INET6))
					continue;
				zerr(L, L->brefs[p].file, L->brefs[p].line,
				    "host '%s' of server '%s' in pool '%s' (%s) "
				    "is also the host of server '%s' in pool "
				    "'%s' with other addresses",
				    wire2str(wire, nb, sizeof(nb)), s->name,
				    cp->name, cw,
				    conf->pools[b->srv_pool].servers[b->srv_index].name,
				    conf->pools[b->srv_pool].name);
				continue;
			}
			if (n->nrrsets > 0 || n->dynmx != NULL ||
			    n->dyna != NULL) {
				int ef, el;

				if (n->nrrsets > 0) {
					ef = b->brr[0].file;
					el = b->brr[0].line;
				} else if (n->dynmx != NULL) {
					ef = b->dynmx_file;
					el = n->dynmx->line;
				} else {
					ef = b->dyna_file;
					el = n->dyna->line;
				}
				zerr(L, ef, el, "'%s' is the host name of server "
				    "'%s' in pool '%s' (%s): mxspread serves its "
				    "A/AAAA, it cannot have records in the "
				    "template", wire2str(wire, nb, sizeof(nb)),
				    s->name, cp->name, cw);
				continue;
			}
			b->srv_pool = (int)p;
			b->srv_index = (int)i;
			for (fam = AF_INET; fam != 0;
			    fam = fam == AF_INET ? AF_INET6 : 0) {
				rs = NULL;
				for (j = 0; j < (int)s->naddrs; j++) {
					if (s->addrs[j].family != fam)
						continue;
					if (rs == NULL && (rs = rrset_new(n,
					    fam == AF_INET ? ZONE_TYPE_A :
					    ZONE_TYPE_AAAA, L->brefs[p].ttl,
					    L->conffile, s->line, &br)) == NULL)
						return -1;
					if (rdata_append(rs, br,
					    (const uint8_t *)&s->addrs[j].u,
					    fam == AF_INET ? 4 : 16) != 0)
						return -1;
				}
			}
			n->flags |= ZONE_NODE_SERVER;
		}
		if (cp->relay_host != NULL) {
			if ((h = host_rdf(L, cp->relay_host)) == NULL) {
				zerr(L, L->brefs[p].file, L->brefs[p].line,
				    "pool '%s' has a bad relay host '%s'",
				    cp->name, cp->relay_host);
				continue;
			}
			len = ldns_rdf_size(h);
			if ((ref->relay_name = arena_alloc(L->arena, len)) ==
			    NULL) {
				ldns_rdf_deep_free(h);
				return -1;
			}
			memcpy(ref->relay_name, ldns_rdf_data(h), len);
			ldns_rdf_deep_free(h);
		}
	}
	return 0;
}

static void
check_relays(struct loader *L)
{
	struct zone *z = L->z;
	struct zone_pool_ref *ref;
	uint8_t wire[LDNS_MAX_DOMAINLEN + 1];
	char nb[NAMEBUF];
	struct zone_node *n;
	size_t i, len;
	int p;

	for (i = 0; i < z->npools; i++) {
		ref = &z->pools[i];
		if (ref->relay_name == NULL)
			continue;
		p = (int)ref->pool;
		len = wire_len(ref->relay_name, LDNS_MAX_DOMAINLEN + 1);
		memcpy(wire, ref->relay_name, len);
		wire_lower(wire, len);
		if (!wire_under(wire, len, z->origin, z->origin_len))
			continue;
		n = zone_find(z, wire, len, zone_hash(wire, len));
		if (n == NULL || (zone_rrset_find(n, ZONE_TYPE_A) == NULL &&
		    zone_rrset_find(n, ZONE_TYPE_AAAA) == NULL)) {
			zerr(L, L->brefs[p].file, L->brefs[p].line, "relay "
			    "host '%s' of pool '%s' has no A/AAAA record in "
			    "the template", wire2str(wire, nb, sizeof(nb)),
			    L->conf->pools[p].name);
			continue;
		}
		if (n->cut != NULL) {
			zerr(L, L->brefs[p].file, L->brefs[p].line, "relay "
			    "host '%s' of pool '%s' is below a delegation",
			    wire2str(wire, nb, sizeof(nb)),
			    L->conf->pools[p].name);
			continue;
		}
		ref->relay_node = n;
	}
}

static void
check_node(struct loader *L, struct zone_node *n)
{
	struct bnode *b = (struct bnode *)n;
	struct zone_node *cut = NULL;
	char nb[NAMEBUF], cb[NAMEBUF], tb[32], t2[32], cw[PATH_MAX + 32];
	uint16_t i, t;
	int ci = -1, oi = -1;
	bool below = false;

	wire2str(n->name, nb, sizeof(nb));
	if (n == L->z->apex)
		n->flags |= ZONE_NODE_APEX;
	else {
		if (n->name[0] == 1 && n->name[1] == '*') {
			n->flags |= ZONE_NODE_WILD;
			n->parent->wildcard = n;
		}
		if (n->parent->cut != NULL) {
			cut = n->cut = n->parent->cut;
			below = true;
		} else if (zone_rrset_find(n, ZONE_TYPE_NS) != NULL) {
			cut = n->cut = n;
			n->flags |= ZONE_NODE_DELEG;
		}
	}
	if (n->nrrsets == 0 && n->dynmx == NULL && n->dyna == NULL)
		n->flags |= ZONE_NODE_ENT;
	if (cut != NULL) {
		wire2str(cut->name, cb, sizeof(cb));
		for (i = 0; i < n->nrrsets; i++) {
			t = n->rrsets[i].type;
			if (t == ZONE_TYPE_A || t == ZONE_TYPE_AAAA ||
			    (!below && (t == ZONE_TYPE_NS ||
			    t == LDNS_RR_TYPE_DS)))
				continue;
			if (below)
				zerr(L, b->brr[i].file, b->brr[i].line, "%s "
				    "record at '%s' is below the delegation "
				    "'%s' (only glue A/AAAA records may be "
				    "there)", type_name(t, tb, sizeof(tb)), nb,
				    cb);
			else
				zerr(L, b->brr[i].file, b->brr[i].line, "%s "
				    "record at the delegation point '%s' (only "
				    "NS, DS and glue A/AAAA records may be "
				    "there)", type_name(t, tb, sizeof(tb)), nb);
		}
		if (n->dynmx != NULL)
			zerr(L, b->dynmx_file, n->dynmx->line, "DYNMX at '%s' "
			    "is %s the delegation '%s'", nb,
			    below ? "below" : "at", cb);
		if (n->dyna != NULL)
			zerr(L, b->dyna_file, n->dyna->line, "DYNA at '%s' "
			    "is %s the delegation '%s'", nb,
			    below ? "below" : "at", cb);
		if (b->srv_pool >= 0) {
			conf_where(L, L->conf->pools[b->srv_pool].
			    servers[b->srv_index].line, cw, sizeof(cw));
			zerr(L, L->brefs[b->srv_pool].file,
			    L->brefs[b->srv_pool].line, "host '%s' of server "
			    "'%s' in pool '%s' (%s) is %s the delegation '%s'",
			    nb, L->conf->pools[b->srv_pool].servers[
			    b->srv_index].name, L->conf->pools[b->srv_pool].name,
			    cw, below ? "below" : "at", cb);
		}
		return;
	}
	for (i = 0; i < n->nrrsets; i++) {
		if (n->rrsets[i].type == ZONE_TYPE_CNAME)
			ci = i;
		else if (oi < 0 && n->rrsets[i].type != LDNS_RR_TYPE_RRSIG &&
		    n->rrsets[i].type != LDNS_RR_TYPE_NSEC)
			oi = i;
	}
	if (ci >= 0) {
		n->flags |= ZONE_NODE_CNAME;
		if (oi >= 0)
			zerr(L, b->brr[ci].file, b->brr[ci].line, "CNAME at "
			    "'%s' beside other data (%s record at %s)", nb,
			    type_name(n->rrsets[oi].type, tb, sizeof(tb)),
			    where(L, b->brr[ci].file, b->brr[oi].file,
			    b->brr[oi].line, cw, sizeof(cw)));
		if (n->dynmx != NULL)
			zerr(L, b->dynmx_file, n->dynmx->line, "DYNMX at '%s' "
			    "beside a CNAME (%s)", nb, where(L, b->dynmx_file,
			    b->brr[ci].file, b->brr[ci].line, cw, sizeof(cw)));
		if (n->dyna != NULL)
			zerr(L, b->dyna_file, n->dyna->line, "DYNA at '%s' "
			    "beside a CNAME (%s)", nb, where(L, b->dyna_file,
			    b->brr[ci].file, b->brr[ci].line, cw, sizeof(cw)));
		return;
	}
	if (n->dynmx != NULL) {
		for (i = 0; i < n->nrrsets; i++)
			if (n->rrsets[i].type == ZONE_TYPE_MX)
				zerr(L, b->dynmx_file, n->dynmx->line, "DYNMX "
				    "at '%s' beside a static MX record (%s)", nb,
				    where(L, b->dynmx_file, b->brr[i].file,
				    b->brr[i].line, cw, sizeof(cw)));
	}
	if (n->dyna != NULL) {
		for (i = 0; i < n->nrrsets; i++) {
			t = n->rrsets[i].type;
			if (t == ZONE_TYPE_A || t == ZONE_TYPE_AAAA)
				zerr(L, b->dyna_file, n->dyna->line, "DYNA at "
				    "'%s' beside a static %s record (%s)", nb,
				    type_name(t, t2, sizeof(t2)),
				    where(L, b->dyna_file, b->brr[i].file,
				    b->brr[i].line, cw, sizeof(cw)));
		}
	}
}

/* An in-zone name server of the apex without an address makes the
 * delegation lame: legal, but almost certainly a mistake. */
static void
check_apex_ns(struct loader *L, const struct zone_rrset *ns, struct brr *br)
{
	struct zone *z = L->z;
	struct zone_node *t, *c;
	uint8_t wire[LDNS_MAX_DOMAINLEN + 1];
	char tb[NAMEBUF];
	size_t p = 0, len, off;
	uint16_t k, l;

	for (k = 0; k < ns->count; k++) {
		l = (uint16_t)(ns->rdata[p] << 8 | ns->rdata[p + 1]);
		len = wire_len(ns->rdata + p + 2, l);
		memcpy(wire, ns->rdata + p + 2, len);
		p += 2 + (size_t)l;
		wire_lower(wire, len);
		if (len == 0 || !wire_under(wire, len, z->origin, z->origin_len))
			continue;
		/* closest existing node: below a delegation, the child's
		 * business (glue is checked there) */
		for (off = 0; (c = zone_find(z, wire + off, len - off,
		    zone_hash(wire + off, len - off))) == NULL;
		    off += wire[off] + 1u)
			;
		if (c->cut != NULL)
			continue;
		t = off == 0 ? c : NULL;
		if (t == NULL || (zone_rrset_find(t, ZONE_TYPE_A) == NULL &&
		    zone_rrset_find(t, ZONE_TYPE_AAAA) == NULL))
			zwarn(L, br->file, br->line, "name server '%s' is in "
			    "the zone but has no A/AAAA record",
			    wire2str(wire, tb, sizeof(tb)));
	}
}

/* Every NS target under its delegation point needs an address. */
static void
check_glue(struct loader *L, struct zone_node *n)
{
	const struct zone_rrset *ns;
	struct zone_node *t;
	struct brr *br;
	uint8_t wire[LDNS_MAX_DOMAINLEN + 1];
	char nb[NAMEBUF], tb[NAMEBUF];
	size_t p = 0, len;
	uint16_t k, l;

	if ((ns = node_rrset(n, ZONE_TYPE_NS, &br)) == NULL)
		return;
	if (n == L->z->apex) {
		check_apex_ns(L, ns, br);
		return;
	}
	if (n->cut != n)
		return;
	for (k = 0; k < ns->count; k++) {
		l = (uint16_t)(ns->rdata[p] << 8 | ns->rdata[p + 1]);
		len = wire_len(ns->rdata + p + 2, l);
		memcpy(wire, ns->rdata + p + 2, len);
		p += 2 + (size_t)l;
		wire_lower(wire, len);
		if (len == 0 || !wire_under(wire, len, n->name, n->namelen))
			continue;
		t = zone_find(L->z, wire, len, zone_hash(wire, len));
		if (t == NULL || (zone_rrset_find(t, ZONE_TYPE_A) == NULL &&
		    zone_rrset_find(t, ZONE_TYPE_AAAA) == NULL))
			zerr(L, br->file, br->line, "delegation '%s': name "
			    "server '%s' has no glue A/AAAA record",
			    wire2str(n->name, nb, sizeof(nb)),
			    wire2str(wire, tb, sizeof(tb)));
	}
}

/* SOA rdata: offset of the serial, after MNAME and RNAME. */
static size_t
soa_serial_off(const uint8_t *rd, size_t rdlen)
{
	size_t a, b;

	if ((a = wire_len(rd, rdlen)) == 0)
		return 0;
	if ((b = wire_len(rd + a, rdlen - a)) == 0 || a + b + 20 > rdlen)
		return 0;
	return a + b;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/*
 * serial = "auto": the load time in seconds, but strictly greater than the
 * serial this process gave the same zone before (two reloads in one second,
 * or a clock stepped back), so secondaries and caches always see a change.
 * RFC 1982 arithmetic: "greater" wraps at 2^32.
 */
struct auto_serial {
	struct auto_serial *next;
	uint32_t            last;
	char                origin[CONF_DNAME_MAX + 2];
};
static struct auto_serial *auto_serials;
static pthread_mutex_t     auto_serial_lock = PTHREAD_MUTEX_INITIALIZER;

static uint32_t
auto_serial_next(const char *origin)
{
	struct auto_serial *a;
	uint32_t serial = (uint32_t)time(NULL);

	pthread_mutex_lock(&auto_serial_lock);
	for (a = auto_serials; a != NULL; a = a->next)
		if (strcmp(a->origin, origin) == 0)
			break;
	if (a == NULL && (a = calloc(1, sizeof(*a))) != NULL) {
		snprintf(a->origin, sizeof(a->origin), "%s", origin);
		a->last = serial - 1;
		a->next = auto_serials;
		auto_serials = a;
	}
	if (a != NULL) {
		/* serial <= last in RFC 1982 terms: take last + 1 */
		if ((int32_t)(serial - a->last) <= 0)
			serial = a->last + 1;
		a->last = serial;
	}
	pthread_mutex_unlock(&auto_serial_lock);
	return serial;
}

static void
finish_soa(struct loader *L)
{
	struct zone *z = L->z;
	const struct zone_rrset *soa = zone_rrset_find(z->apex, ZONE_TYPE_SOA);
	uint8_t *rd;
	size_t off, rdlen;
	uint32_t min, serial;

	if (soa == NULL)
		return;
	rd = soa->rdata + 2;
	rdlen = (size_t)(soa->rdata[0] << 8 | soa->rdata[1]);
	if ((off = soa_serial_off(rd, rdlen)) == 0)
		return;
	if (L->cz->serial_auto) {
		serial = auto_serial_next(L->cz->origin);
		rd[off] = (uint8_t)(serial >> 24);
		rd[off + 1] = (uint8_t)(serial >> 16);
		rd[off + 2] = (uint8_t)(serial >> 8);
		rd[off + 3] = (uint8_t)serial;
	}
	z->soa = soa;
	z->serial = get32(rd + off);
	min = get32(rd + off + 16);
	z->neg_ttl = soa->ttl < min ? soa->ttl : min;
}

/*
 * Give every node the place of its first record (file name in the arena),
 * so that later steps (the answer compiler) report "file:line" too.
 * Server nodes point at the server in the config; empty non-terminals
 * have no place of their own (file NULL).
 */
static int
keep_where(struct loader *L)
{
	struct zone *z = L->z;
	char **names;
	size_t i, n;

	if ((names = arena_alloc(L->arena, L->nfiles * sizeof(*names))) == NULL)
		return -1;
	for (i = 0; i < L->nfiles; i++) {
		n = strlen(L->files[i]) + 1;
		if ((names[i] = arena_alloc(L->arena, n)) == NULL)
			return -1;
		memcpy(names[i], L->files[i], n);
	}
	for (i = 0; i < z->nnodes; i++) {
		struct bnode *b = (struct bnode *)z->nodes[i];
		struct zone_node *nd = &b->n;
		uint16_t k;

		for (k = 0; k < nd->nrrsets && b->brr != NULL; k++)
			if (b->brr[k].line > 0 && (nd->line == 0 ||
			    b->brr[k].line < nd->line)) {
				nd->file = names[b->brr[k].file];
				nd->line = b->brr[k].line;
			}
		if (nd->file == NULL && nd->dynmx != NULL) {
			nd->file = names[b->dynmx_file];
			nd->line = nd->dynmx->line;
		}
		if (nd->file == NULL && nd->dyna != NULL) {
			nd->file = names[b->dyna_file];
			nd->line = nd->dyna->line;
		}
	}
	return 0;
}

/* ---- zone_load ---- */

struct zone *
zone_load(const struct conf *conf, const struct conf_zone *cz, FILE *errout)
{
	struct loader L;
	struct pstate ps;
	struct zone *z = NULL;
	struct bnode *b;
	size_t i;
	int rc;

	memset(&L, 0, sizeof(L));
	memset(&ps, 0, sizeof(ps));
	L.conf = conf;
	L.cz = cz;
	diag_init(&L.d, errout != NULL ? errout : stderr, cz->template,
	    DIAG_DIRECT);
	if ((z = calloc(1, sizeof(*z))) == NULL ||
	    (L.arena = calloc(1, sizeof(*L.arena))) == NULL)
		goto nomem;
	z->arena = L.arena;
	L.z = z;
	if ((z->file = strdup(cz->template)) == NULL ||
	    (z->origin_text = strdup(cz->origin)) == NULL)
		goto nomem;
	if (add_file(&L, cz->template) != 0 ||
	    (L.conffile = add_file(&L, conf->file != NULL ? conf->file :
	    "(config)")) < 0)
		goto nomem;
	if ((L.brefs = calloc(conf->npools + 1, sizeof(*L.brefs))) == NULL)
		goto nomem;
	if ((L.zorigin = ldns_dname_new_frm_str(cz->origin)) == NULL ||
	    !ldns_dname_absolute(L.zorigin)) {
		diag_error(&L.d, cz->template, 0, "bad zone origin '%s'",
		    cz->origin);
		goto fail;
	}
	z->origin_len = (uint8_t)ldns_rdf_size(L.zorigin);
	memcpy(z->origin, ldns_rdf_data(L.zorigin), z->origin_len);
	wire_lower(z->origin, z->origin_len);
	if ((z->htab = calloc(64, sizeof(*z->htab))) == NULL)
		goto nomem;
	z->hmask = 63;
	if ((z->apex = get_node(&L, z->origin, z->origin_len)) == NULL)
		goto nomem;
	if ((ps.origin = ldns_rdf_clone(L.zorigin)) == NULL)
		goto nomem;
	ps.file = 0;

	rc = parse_file(&L, cz->template, &ps, -1, 0);
	if (rc != 0)
		goto fail;
	if (L.nrecords == 0 && L.d.nerr == 0) {
		zerr(&L, 0, 1, "empty template: no records");
		goto fail;
	}
	if (L.nrecords == 0)
		goto fail;
	if (add_servers(&L) != 0)
		goto nomem;
	for (i = 0; i < z->nnodes; i++)
		check_node(&L, z->nodes[i]);
	for (i = 0; i < z->nnodes; i++)
		check_glue(&L, z->nodes[i]);
	check_relays(&L);
	if (zone_rrset_find(z->apex, ZONE_TYPE_SOA) == NULL && !L.soa_failed)
		zerr(&L, 0, 1, "no SOA record at the zone apex '%s'",
		    z->origin_text);
	if (zone_rrset_find(z->apex, ZONE_TYPE_NS) == NULL && !L.ns_failed)
		zerr(&L, 0, 1, "no NS record at the zone apex '%s'",
		    z->origin_text);
	if (L.d.nerr > 0)
		goto fail;
	finish_soa(&L);
	if (keep_where(&L) != 0)
		goto nomem;
	for (i = 0; i < z->nnodes; i++) {
		b = (struct bnode *)z->nodes[i];
		free(b->brr);
		b->brr = NULL;
	}
	goto out;
nomem:
	diag_error(&L.d, cz->template, 0, "out of memory");
fail:
	zone_free(z);
	z = NULL;
out:
	ldns_rdf_deep_free(ps.origin);
	ldns_rdf_deep_free(ps.prev);
	ldns_rdf_deep_free(L.zorigin);
	for (i = 0; i < L.nfiles; i++)
		free(L.files[i]);
	free(L.files);
	free(L.brefs);
	return z;
}

/* ---- zone_render ---- */

static int
print_rr(FILE *out, const uint8_t *name, size_t namelen, uint16_t type,
    uint32_t ttl, const uint8_t *rd, size_t rdlen)
{
	uint8_t wire[LDNS_MAX_DOMAINLEN + 1 + 10 + 65535];
	ldns_rr *rr = NULL;
	size_t pos = 0, len;
	char *s;
	int rc = -1;

	memcpy(wire, name, namelen);
	len = namelen;
	wire[len++] = (uint8_t)(type >> 8);
	wire[len++] = (uint8_t)type;
	wire[len++] = 0;
	wire[len++] = 1;
	wire[len++] = (uint8_t)(ttl >> 24);
	wire[len++] = (uint8_t)(ttl >> 16);
	wire[len++] = (uint8_t)(ttl >> 8);
	wire[len++] = (uint8_t)ttl;
	wire[len++] = (uint8_t)(rdlen >> 8);
	wire[len++] = (uint8_t)rdlen;
	memcpy(wire + len, rd, rdlen);
	len += rdlen;
	if (ldns_wire2rr(&rr, wire, len, &pos, LDNS_SECTION_ANSWER) !=
	    LDNS_STATUS_OK)
		return -1;
	if ((s = ldns_rr2str(rr)) != NULL) {
		rc = fputs(s, out) < 0 ? -1 : 0;
		free(s);
	}
	ldns_rr_free(rr);
	return rc;
}

static int
print_rrset(FILE *out, const struct zone_node *n, const struct zone_rrset *rs)
{
	size_t p = 0, l;
	uint16_t k;
	int rc = 0;

	for (k = 0; k < rs->count; k++) {
		l = (size_t)(rs->rdata[p] << 8 | rs->rdata[p + 1]);
		if (print_rr(out, n->name, n->namelen, rs->type, rs->ttl,
		    rs->rdata + p + 2, l) != 0)
			rc = -1;
		p += 2 + l;
	}
	return rc;
}

/* Canonical order (RFC 4034 6.1) of lowercase wire names. */
static int
name_cmp(const void *va, const void *vb)
{
	const struct zone_node *a = *(const struct zone_node *const *)va;
	const struct zone_node *b = *(const struct zone_node *const *)vb;
	const uint8_t *la[128], *lb[128];
	int na = 0, nb = 0, i, j, c;
	const uint8_t *p;
	size_t ml;

	for (p = a->name; *p && na < 128; p += *p + 1)
		la[na++] = p;
	for (p = b->name; *p && nb < 128; p += *p + 1)
		lb[nb++] = p;
	for (i = na - 1, j = nb - 1; i >= 0 && j >= 0; i--, j--) {
		ml = la[i][0] < lb[j][0] ? la[i][0] : lb[j][0];
		if ((c = memcmp(la[i] + 1, lb[j] + 1, ml)) != 0)
			return c;
		if (la[i][0] != lb[j][0])
			return la[i][0] < lb[j][0] ? -1 : 1;
	}
	return na - nb;
}

/*
 * Pool servers as served with every server up (as dnsd/policy.c orders
 * them, with the random draw replaced by descending weight, ties in config
 * order). Failover: the primary tier (the lowest with min_up servers) first,
 * then the other tiers ascending; rank[] is the preference rank: one per
 * server, or one per tier for failover.
 */
static bool
srv_before(const struct conf_pool *cp, unsigned primary, size_t x, size_t y)
{
	const struct conf_server *a = &cp->servers[x], *b = &cp->servers[y];

	if (cp->policy == CONF_POLICY_FAILOVER && a->tier != b->tier) {
		if (a->tier == primary || b->tier == primary)
			return a->tier == primary;
		return a->tier < b->tier;
	}
	return a->weight > b->weight;
}

static size_t
server_order(const struct conf_pool *cp, size_t *ord, size_t *rank)
{
	size_t i, j, t, n = cp->nservers, cnt;
	unsigned primary = 0, min_up = cp->min_up > 0 ? cp->min_up : 1;
	bool found = false;

	for (i = 0; i < n; i++)
		ord[i] = i;
	if (cp->policy == CONF_POLICY_FAILOVER) {
		/* primary tier: the lowest with at least min_up servers */
		for (i = 0; i < n; i++) {
			for (j = 0, cnt = 0; j < n; j++)
				if (cp->servers[j].tier == cp->servers[i].tier)
					cnt++;
			if (cnt >= min_up && (!found ||
			    cp->servers[i].tier < primary)) {
				primary = cp->servers[i].tier;
				found = true;
			}
		}
		for (i = 0; !found && i < n; i++)	/* else the lowest */
			if (i == 0 || cp->servers[i].tier < primary)
				primary = cp->servers[i].tier;
	}
	/* stable insertion sort: ties keep config order */
	for (i = 1; i < n; i++) {
		t = ord[i];
		for (j = i; j > 0 && srv_before(cp, primary, t, ord[j - 1]); j--)
			ord[j] = ord[j - 1];
		ord[j] = t;
	}
	for (i = 0; i < n; i++) {
		if (cp->policy == CONF_POLICY_EQUAL)
			rank[i] = 0;
		else if (cp->policy == CONF_POLICY_FAILOVER)
			rank[i] = i == 0 ? 0 : rank[i - 1] +
			    (cp->servers[ord[i]].tier !=
			    cp->servers[ord[i - 1]].tier);
		else
			rank[i] = i;
	}
	return n;
}

static unsigned
pref_of(const struct conf_pool *cp, size_t rank)
{
	unsigned long p = cp->pref_base + (unsigned long)rank * cp->pref_step;

	return p > 65535 ? 65535 : (unsigned)p;
}

static int
render_dyn(FILE *out, const struct zone *z, const struct conf *conf,
    const struct zone_node *n)
{
	const struct zone_pool_ref *ref;
	const struct conf_pool *cp;
	const struct conf_server *s;
	uint8_t rd[2 + LDNS_MAX_DOMAINLEN + 1];
	size_t *ord, i, j, cnt, lim, len;
	unsigned pref = 0, nmx;
	int rc = 0, fam, emitted;

	if (n->dynmx != NULL) {
		cp = &conf->pools[n->dynmx->pool];
		ref = zone_pool_ref(z, n->dynmx->pool);
		if (ref == NULL || (ord = calloc(2 * cp->nservers,
		    sizeof(*ord))) == NULL)
			return -1;
		cnt = server_order(cp, ord, ord + cp->nservers);
		lim = cp->max_mx > 0 ? cp->max_mx : cnt;
		if (ref->relay_name != NULL && lim > 1)
			lim--;
		for (i = 0, nmx = 0; i < cnt && nmx < lim; i++) {
			if (ref->server_name[ord[i]] == NULL)
				continue;
			pref = pref_of(cp, ord[cp->nservers + i]);
			len = wire_len(ref->server_name[ord[i]],
			    LDNS_MAX_DOMAINLEN + 1);
			rd[0] = (uint8_t)(pref >> 8);
			rd[1] = (uint8_t)pref;
			memcpy(rd + 2, ref->server_name[ord[i]], len);
			if (print_rr(out, n->name, n->namelen, ZONE_TYPE_MX,
			    n->dynmx->ttl, rd, 2 + len) != 0)
				rc = -1;
			nmx++;
		}
		if (ref->relay_name != NULL) {
			pref = nmx == 0 ? pref_of(cp, 0) : pref + cp->pref_step;
			if (pref > 65535)
				pref = 65535;
			len = wire_len(ref->relay_name, LDNS_MAX_DOMAINLEN + 1);
			rd[0] = (uint8_t)(pref >> 8);
			rd[1] = (uint8_t)pref;
			memcpy(rd + 2, ref->relay_name, len);
			if (print_rr(out, n->name, n->namelen, ZONE_TYPE_MX,
			    n->dynmx->ttl, rd, 2 + len) != 0)
				rc = -1;
		}
		free(ord);
	}
	if (n->dyna != NULL) {
		cp = &conf->pools[n->dyna->pool];
		if ((ord = calloc(2 * cp->nservers, sizeof(*ord))) == NULL)
			return -1;
		cnt = server_order(cp, ord, ord + cp->nservers);
		lim = cp->max_addrs > 0 ? cp->max_addrs : SIZE_MAX;
		for (fam = AF_INET; fam != 0;
		    fam = fam == AF_INET ? AF_INET6 : 0) {
			emitted = 0;
			for (i = 0; i < cnt && (size_t)emitted < lim; i++) {
				s = &cp->servers[ord[i]];
				for (j = 0; j < s->naddrs &&
				    (size_t)emitted < lim; j++) {
					if (s->addrs[j].family != fam)
						continue;
					if (print_rr(out, n->name, n->namelen,
					    fam == AF_INET ? ZONE_TYPE_A :
					    ZONE_TYPE_AAAA, n->dyna->ttl,
					    (const uint8_t *)&s->addrs[j].u,
					    fam == AF_INET ? 4 : 16) != 0)
						rc = -1;
					emitted++;
				}
			}
		}
		free(ord);
	}
	return rc;
}

int
zone_render(const struct zone *z, const struct conf *conf, FILE *out)
{
	struct zone_node **sorted;
	const struct zone_node *n;
	size_t i;
	uint16_t k;
	int rc = 0;

	if ((sorted = malloc(z->nnodes * sizeof(*sorted))) == NULL)
		return -1;
	memcpy(sorted, z->nodes, z->nnodes * sizeof(*sorted));
	qsort(sorted, z->nnodes, sizeof(*sorted), name_cmp);
	fprintf(out, "; %s: zone %s as served with every server up\n",
	    z->file, z->origin_text);
	fprintf(out, "$ORIGIN %s\n", z->origin_text);
	if (z->soa != NULL && print_rrset(out, z->apex, z->soa) != 0)
		rc = -1;
	for (i = 0; i < z->nnodes; i++) {
		n = sorted[i];
		for (k = 0; k < n->nrrsets; k++) {
			if (&n->rrsets[k] == z->soa)
				continue;
			if (print_rrset(out, n, &n->rrsets[k]) != 0)
				rc = -1;
		}
		if (render_dyn(out, z, conf, n) != 0)
			rc = -1;
	}
	free(sorted);
	if (ferror(out))
		rc = -1;
	return rc;
}
