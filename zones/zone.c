/* zone.c - zone template loader: the arena, the name tree, zone_load() and zone_free(). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dnsd/base/diag.h"
#include "dnsd/base/wire.h"
#include "zones/loader.h"
#include "zones/parse.h"
#include "zones/sign.h"
#include "zones/zcheck.h"
#include "zones/zone.h"

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

struct zone_arena {
	struct arena_chunk *head;
};

void *
zone_arena_alloc(struct zone_arena *a, size_t n)
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
arena_free(struct zone_arena *a)
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

/* ---- errors, counted by the diag collector ---- */

void
zone_err(struct loader *L, int file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_verror(&L->d, L->files[file], line, fmt, ap);
	va_end(ap);
}

void
zone_warn(struct loader *L, int file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vwarn(&L->d, L->files[file], line, fmt, ap);
	va_end(ap);
}

const char *
zone_where(struct loader *L, int curfile, int file, int line, char *buf,
    size_t len)
{
	if (file == curfile)
		snprintf(buf, len, "line %d", line);
	else
		snprintf(buf, len, "%s:%d", L->files[file], line);
	return buf;
}

int
zone_add_file(struct loader *L, const char *name)
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

/* ---- the name tree ---- */

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
		for (j = 0; j < b->n.nrrsets; j++) {
			free(b->n.rrsets[j].rdata);
			free(b->n.rrsets[j].rrsig);
		}
		free(b->n.rrsets);
		free(b->brr);
		if (b->n.answers != NULL && z->answers_free != NULL)
			z->answers_free(b->n.answers);
	}
	sign_free(z->sec);
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

struct zone_node *
zone_node_get(struct loader *L, const uint8_t *name, size_t len)
{
	struct zone *z = L->z;
	struct zone_node *parent = NULL, **nn;
	struct bnode *b;
	uint32_t h = zone_hash(name, len);
	struct zone_node *n;

	if ((n = zone_find(z, name, len, h)) != NULL)
		return n;
	if (len > z->origin_len && (parent = zone_node_get(L,
	    name + name[0] + 1, len - name[0] - 1)) == NULL)
		return NULL;
	if ((b = zone_arena_alloc(L->arena, sizeof(*b) + len)) == NULL)
		return NULL;
	n = &b->n;
	n->name = (uint8_t *)(b + 1);
	memcpy(n->name, name, len);
	n->namelen = (uint8_t)len;
	n->nlabels = (uint8_t)wire_name_labels(name);
	n->hash = h;
	n->parent = parent;
	b->srv_pool = -1;
	if ((z->nnodes + 1) * 2 > (size_t)z->hmask + 1 && htab_grow(z) != 0)
		return NULL;
	if (z->nnodes == L->nodes_cap) {
		L->nodes_cap = L->nodes_cap ? L->nodes_cap * 2 : 256;
		if ((nn = realloc(z->nodes, L->nodes_cap * sizeof(*nn))) ==
		    NULL)
			return NULL;
		z->nodes = nn;
	}
	z->nodes[z->nnodes++] = n;
	n->hnext = z->htab[h & z->hmask];
	z->htab[h & z->hmask] = n;
	return n;
}

struct zone_rrset *
zone_node_rrset(struct zone_node *n, uint16_t type, struct brr **brp)
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

int
zone_rdata_append(struct zone_rrset *rs, struct brr *br, const uint8_t *rd,
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

struct zone_rrset *
zone_rrset_new(struct zone_node *n, uint16_t type, uint32_t ttl, int file,
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

const char *
zone_type_name(uint16_t type, char *buf, size_t len)
{
	const ldns_rr_descriptor *d = ldns_rr_descript(type);

	if (d != NULL && d->_name != NULL)
		snprintf(buf, len, "%s", d->_name);
	else
		snprintf(buf, len, "TYPE%u", type);
	return buf;
}

ldns_rdf *
zone_name_abs(const char *text, const ldns_rdf *origin)
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

	if ((names = zone_arena_alloc(L->arena, L->nfiles * sizeof(*names))) ==
	    NULL)
		return -1;
	for (i = 0; i < L->nfiles; i++) {
		n = strlen(L->files[i]) + 1;
		if ((names[i] = zone_arena_alloc(L->arena, n)) == NULL)
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
		if (nd->file == NULL && nd->dynsrv != NULL) {
			nd->file = names[b->dynsrv_file];
			nd->line = nd->dynsrv->line;
		}
	}
	return 0;
}

/* ---- zone_load ---- */

struct zone *
zone_load(const struct conf *conf, const struct conf_zone *cz, FILE *errout)
{
	struct loader L;
	struct zparse_state ps;
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
	if (zone_add_file(&L, cz->template) != 0 ||
	    (L.conffile = zone_add_file(&L, conf->file != NULL ? conf->file :
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
	wire_name_lower(z->origin, z->origin, z->origin_len);
	if ((z->htab = calloc(64, sizeof(*z->htab))) == NULL)
		goto nomem;
	z->hmask = 63;
	if ((z->apex = zone_node_get(&L, z->origin, z->origin_len)) == NULL)
		goto nomem;
	if ((ps.origin = ldns_rdf_clone(L.zorigin)) == NULL)
		goto nomem;
	ps.file = 0;

	rc = zparse_file(&L, cz->template, &ps, -1, 0);
	if (rc != 0)
		goto fail;
	if (L.nrecords == 0 && L.d.nerr == 0) {
		zone_err(&L, 0, 1, "empty template: no records");
		goto fail;
	}
	if (L.nrecords == 0)
		goto fail;
	if (zcheck_zone(&L) != 0)
		goto nomem;
	if (L.d.nerr > 0)
		goto fail;
	zcheck_soa(&L);
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
