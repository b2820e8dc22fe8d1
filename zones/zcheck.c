/* zcheck.c - zone template checks after parsing: servers, relays, CNAME, cuts, glue, SOA. */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <ldns/ldns.h>

#include "dnsd/base/wire.h"
#include "zones/loader.h"
#include "zones/zcheck.h"

/* ---- pool servers and relay hosts ---- */

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
	return zone_name_abs(host, L->zorigin);
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
	char nb[WIRE_NAME_TEXT_MAX], cw[PATH_MAX + 32];
	char hostbuf[CONF_DNAME_MAX + 80];
	size_t p, i, np = 0, len;
	int fam, j;

	for (p = 0; p < conf->npools; p++)
		if (L->brefs[p].line != 0)
			np++;
	if (np == 0)
		return 0;
	if ((z->pools = zone_arena_alloc(L->arena, np * sizeof(*z->pools))) ==
	    NULL)
		return -1;
	for (p = 0; p < conf->npools; p++) {
		if (L->brefs[p].line == 0)
			continue;
		cp = &conf->pools[p];
		L->brefs[p].ref = (int)z->npools;
		ref = &z->pools[z->npools++];
		ref->pool = p;
		ref->nservers = cp->nservers;
		ref->server_name = zone_arena_alloc(L->arena,
		    cp->nservers * sizeof(*ref->server_name) + 1);
		ref->server_node = zone_arena_alloc(L->arena,
		    cp->nservers * sizeof(*ref->server_node) + 1);
		if (ref->server_name == NULL || ref->server_node == NULL)
			return -1;
		for (i = 0; i < cp->nservers; i++) {
			s = &cp->servers[i];
			if (s->host != NULL)
				snprintf(hostbuf, sizeof(hostbuf), "%s",
				    s->host);
			else
				snprintf(hostbuf, sizeof(hostbuf), "%s",
				    s->name);
			conf_where(L, s->line, cw, sizeof(cw));
			if ((h = host_rdf(L, hostbuf)) == NULL) {
				zone_err(L, L->brefs[p].file, L->brefs[p].line,
				    "pool '%s': server '%s' (%s) has a bad "
				    "host name '%s'", cp->name, s->name, cw,
				    hostbuf);
				continue;
			}
			len = ldns_rdf_size(h);
			ref->server_name[i] = zone_arena_alloc(L->arena, len);
			if (ref->server_name[i] == NULL) {
				ldns_rdf_deep_free(h);
				return -1;
			}
			memcpy(ref->server_name[i], ldns_rdf_data(h), len);
			memcpy(wire, ldns_rdf_data(h), len);
			ldns_rdf_deep_free(h);
			wire_name_lower(wire, wire, len);
			if (!wire_name_is_subdomain(wire, len, z->origin,
			    z->origin_len))
				continue;
			if ((n = zone_node_get(L, wire, len)) == NULL)
				return -1;
			b = (struct bnode *)n;
			ref->server_node[i] = n;
			if (b->srv_pool >= 0) {
				/* one host in two pools: same addresses? */
				if (ips_equal(zone_rrset_find(n, ZONE_TYPE_A),
				    s, AF_INET) &&
				    ips_equal(zone_rrset_find(n,
				    ZONE_TYPE_AAAA), s, AF_INET6))
					continue;
				zone_err(L, L->brefs[p].file, L->brefs[p].line,
				    "host '%s' of server '%s' in pool '%s' "
				    "(%s) is also the host of server '%s' in "
				    "pool '%s' with other addresses",
				    wire_name_text(wire, nb, sizeof(nb)),
				    s->name, cp->name, cw, conf->pools[
				    b->srv_pool].servers[b->srv_index].name,
				    conf->pools[b->srv_pool].name);
				continue;
			}
			if (n->nrrsets > 0 || n->dynmx != NULL ||
			    n->dyna != NULL || n->dynsrv != NULL) {
				int ef, el;

				if (n->nrrsets > 0) {
					ef = b->brr[0].file;
					el = b->brr[0].line;
				} else if (n->dynmx != NULL) {
					ef = b->dynmx_file;
					el = n->dynmx->line;
				} else if (n->dyna != NULL) {
					ef = b->dyna_file;
					el = n->dyna->line;
				} else {
					ef = b->dynsrv_file;
					el = n->dynsrv->line;
				}
				zone_err(L, ef, el, "'%s' is the host name of "
				    "server '%s' in pool '%s' (%s): mxspread "
				    "serves its A/AAAA, it cannot have records "
				    "in the template", wire_name_text(wire, nb,
				    sizeof(nb)), s->name, cp->name, cw);
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
					if (rs == NULL &&
					    (rs = zone_rrset_new(n,
					    fam == AF_INET ? ZONE_TYPE_A :
					    ZONE_TYPE_AAAA, L->brefs[p].ttl,
					    L->conffile, s->line, &br)) == NULL)
						return -1;
					if (zone_rdata_append(rs, br,
					    (const uint8_t *)&s->addrs[j].u,
					    fam == AF_INET ? 4 : 16) != 0)
						return -1;
				}
			}
			n->flags |= ZONE_NODE_SERVER;
		}
		if (cp->relay_host != NULL) {
			if ((h = host_rdf(L, cp->relay_host)) == NULL) {
				zone_err(L, L->brefs[p].file, L->brefs[p].line,
				    "pool '%s' has a bad relay host '%s'",
				    cp->name, cp->relay_host);
				continue;
			}
			len = ldns_rdf_size(h);
			if ((ref->relay_name = zone_arena_alloc(L->arena, len))
			    == NULL) {
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
	char nb[WIRE_NAME_TEXT_MAX];
	struct zone_node *n;
	size_t i, len;
	int p;

	for (i = 0; i < z->npools; i++) {
		ref = &z->pools[i];
		if (ref->relay_name == NULL)
			continue;
		p = (int)ref->pool;
		len = wire_name_len(ref->relay_name, LDNS_MAX_DOMAINLEN + 1);
		memcpy(wire, ref->relay_name, len);
		wire_name_lower(wire, wire, len);
		if (!wire_name_is_subdomain(wire, len, z->origin,
		    z->origin_len))
			continue;
		n = zone_find(z, wire, len, zone_hash(wire, len));
		if (n == NULL || (zone_rrset_find(n, ZONE_TYPE_A) == NULL &&
		    zone_rrset_find(n, ZONE_TYPE_AAAA) == NULL)) {
			zone_err(L, L->brefs[p].file, L->brefs[p].line, "relay "
			    "host '%s' of pool '%s' has no A/AAAA record in "
			    "the template", wire_name_text(wire, nb,
			    sizeof(nb)), L->conf->pools[p].name);
			continue;
		}
		if (n->cut != NULL) {
			zone_err(L, L->brefs[p].file, L->brefs[p].line, "relay "
			    "host '%s' of pool '%s' is below a delegation",
			    wire_name_text(wire, nb, sizeof(nb)),
			    L->conf->pools[p].name);
			continue;
		}
		ref->relay_node = n;
	}
}

/* ---- each node: flags, delegations, CNAME, DYN neighbours ---- */

static void
check_node(struct loader *L, struct zone_node *n)
{
	struct bnode *b = (struct bnode *)n;
	struct zone_node *cut = NULL;
	char nb[WIRE_NAME_TEXT_MAX], cb[WIRE_NAME_TEXT_MAX], tb[32], t2[32],
	    cw[PATH_MAX + 32];
	struct dyn_here {
		const char            *kind;
		const struct zone_dyn *d;
		int                    file;
		uint16_t               type1, type2;	/* the types it owns */
	} dyn[3];
	uint16_t i, t;
	int ci = -1, oi = -1;
	size_t k, ndyn = 0;
	bool below = false;

	if (n->dynmx != NULL)
		dyn[ndyn++] = (struct dyn_here){ "DYNMX", n->dynmx,
		    b->dynmx_file, ZONE_TYPE_MX, ZONE_TYPE_MX };
	if (n->dyna != NULL)
		dyn[ndyn++] = (struct dyn_here){ "DYNA", n->dyna, b->dyna_file,
		    ZONE_TYPE_A, ZONE_TYPE_AAAA };
	if (n->dynsrv != NULL)
		dyn[ndyn++] = (struct dyn_here){ "DYNSRV", n->dynsrv,
		    b->dynsrv_file, ZONE_TYPE_SRV, ZONE_TYPE_SRV };
	wire_name_text(n->name, nb, sizeof(nb));
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
	if (n->nrrsets == 0 && n->dynmx == NULL && n->dyna == NULL &&
	    n->dynsrv == NULL)
		n->flags |= ZONE_NODE_ENT;
	if (cut != NULL) {
		wire_name_text(cut->name, cb, sizeof(cb));
		for (i = 0; i < n->nrrsets; i++) {
			t = n->rrsets[i].type;
			if (t == ZONE_TYPE_A || t == ZONE_TYPE_AAAA ||
			    (!below && (t == ZONE_TYPE_NS ||
			    t == LDNS_RR_TYPE_DS)))
				continue;
			if (below)
				zone_err(L, b->brr[i].file, b->brr[i].line,
				    "%s record at '%s' is below the delegation "
				    "'%s' (only glue A/AAAA records may be "
				    "there)", zone_type_name(t, tb, sizeof(tb)),
				    nb, cb);
			else
				zone_err(L, b->brr[i].file, b->brr[i].line,
				    "%s record at the delegation point '%s' "
				    "(only NS, DS and glue A/AAAA records may "
				    "be there)", zone_type_name(t, tb,
				    sizeof(tb)), nb);
		}
		if (n->dynmx != NULL)
			zone_err(L, b->dynmx_file, n->dynmx->line, "DYNMX at "
			    "'%s' is %s the delegation '%s'", nb, below ?
			    "below" : "at", cb);
		if (n->dyna != NULL)
			zone_err(L, b->dyna_file, n->dyna->line, "DYNA at '%s' "
			    "is %s the delegation '%s'", nb,
			    below ? "below" : "at", cb);
		if (n->dynsrv != NULL)
			zone_err(L, b->dynsrv_file, n->dynsrv->line, "DYNSRV at "
			    "'%s' is %s the delegation '%s'", nb,
			    below ? "below" : "at", cb);
		if (b->srv_pool >= 0) {
			conf_where(L, L->conf->pools[b->srv_pool].
			    servers[b->srv_index].line, cw, sizeof(cw));
			zone_err(L, L->brefs[b->srv_pool].file,
			    L->brefs[b->srv_pool].line, "host '%s' of server "
			    "'%s' in pool '%s' (%s) is %s the delegation '%s'",
			    nb, L->conf->pools[b->srv_pool].servers[
			    b->srv_index].name,
			    L->conf->pools[b->srv_pool].name, cw,
			    below ? "below" : "at", cb);
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
			zone_err(L, b->brr[ci].file, b->brr[ci].line, "CNAME "
			    "at '%s' beside other data (%s record at %s)", nb,
			    zone_type_name(n->rrsets[oi].type, tb, sizeof(tb)),
			    zone_where(L, b->brr[ci].file, b->brr[oi].file,
			    b->brr[oi].line, cw, sizeof(cw)));
		for (k = 0; k < ndyn; k++)
			zone_err(L, dyn[k].file, dyn[k].d->line, "%s at '%s' "
			    "beside a CNAME (%s)", dyn[k].kind, nb, zone_where(L,
			    dyn[k].file, b->brr[ci].file, b->brr[ci].line, cw,
			    sizeof(cw)));
		return;
	}
	/* A dynamic record owns its types at the name: no static ones. */
	for (k = 0; k < ndyn; k++)
		for (i = 0; i < n->nrrsets; i++) {
			t = n->rrsets[i].type;
			if (t == dyn[k].type1 || t == dyn[k].type2)
				zone_err(L, dyn[k].file, dyn[k].d->line, "%s "
				    "at '%s' beside a static %s record (%s)",
				    dyn[k].kind, nb,
				    zone_type_name(t, t2, sizeof(t2)),
				    zone_where(L, dyn[k].file, b->brr[i].file,
				    b->brr[i].line, cw, sizeof(cw)));
		}
}

/* ---- name servers and glue ---- */

/* An in-zone name server of the apex without an address makes the
 * delegation lame: legal, but almost certainly a mistake. */
static void
check_apex_ns(struct loader *L, const struct zone_rrset *ns, struct brr *br)
{
	struct zone *z = L->z;
	struct zone_node *t, *c;
	uint8_t wire[LDNS_MAX_DOMAINLEN + 1];
	char tb[WIRE_NAME_TEXT_MAX];
	size_t p = 0, len, off;
	uint16_t k, l;

	for (k = 0; k < ns->count; k++) {
		l = (uint16_t)(ns->rdata[p] << 8 | ns->rdata[p + 1]);
		len = wire_name_len(ns->rdata + p + 2, l);
		memcpy(wire, ns->rdata + p + 2, len);
		p += 2 + (size_t)l;
		wire_name_lower(wire, wire, len);
		if (len == 0 || !wire_name_is_subdomain(wire, len, z->origin,
		    z->origin_len))
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
			zone_warn(L, br->file, br->line, "name server '%s' is "
			    "in the zone but has no A/AAAA record",
			    wire_name_text(wire, tb, sizeof(tb)));
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
	char nb[WIRE_NAME_TEXT_MAX], tb[WIRE_NAME_TEXT_MAX];
	size_t p = 0, len;
	uint16_t k, l;

	if ((ns = zone_node_rrset(n, ZONE_TYPE_NS, &br)) == NULL)
		return;
	if (n == L->z->apex) {
		check_apex_ns(L, ns, br);
		return;
	}
	if (n->cut != n)
		return;
	for (k = 0; k < ns->count; k++) {
		l = (uint16_t)(ns->rdata[p] << 8 | ns->rdata[p + 1]);
		len = wire_name_len(ns->rdata + p + 2, l);
		memcpy(wire, ns->rdata + p + 2, len);
		p += 2 + (size_t)l;
		wire_name_lower(wire, wire, len);
		if (len == 0 || !wire_name_is_subdomain(wire, len, n->name,
		    n->namelen))
			continue;
		t = zone_find(L->z, wire, len, zone_hash(wire, len));
		if (t == NULL || (zone_rrset_find(t, ZONE_TYPE_A) == NULL &&
		    zone_rrset_find(t, ZONE_TYPE_AAAA) == NULL))
			zone_err(L, br->file, br->line, "delegation '%s': name "
			    "server '%s' has no glue A/AAAA record",
			    wire_name_text(n->name, nb, sizeof(nb)),
			    wire_name_text(wire, tb, sizeof(tb)));
	}
}

/* ---- SOA ---- */

/* SOA rdata: offset of the serial, after MNAME and RNAME. */
static size_t
soa_serial_off(const uint8_t *rd, size_t rdlen)
{
	size_t a, b;

	if ((a = wire_name_len(rd, rdlen)) == 0)
		return 0;
	if ((b = wire_name_len(rd + a, rdlen - a)) == 0 || a + b + 20 > rdlen)
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

void
zcheck_soa(struct loader *L)
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

int
zcheck_zone(struct loader *L)
{
	struct zone *z = L->z;
	size_t i;

	if (add_servers(L) != 0)
		return -1;
	for (i = 0; i < z->nnodes; i++)
		check_node(L, z->nodes[i]);
	for (i = 0; i < z->nnodes; i++)
		check_glue(L, z->nodes[i]);
	check_relays(L);
	if (zone_rrset_find(z->apex, ZONE_TYPE_SOA) == NULL && !L->soa_failed)
		zone_err(L, 0, 1, "no SOA record at the zone apex '%s'",
		    z->origin_text);
	if (zone_rrset_find(z->apex, ZONE_TYPE_NS) == NULL && !L->ns_failed)
		zone_err(L, 0, 1, "no NS record at the zone apex '%s'",
		    z->origin_text);
	return 0;
}
