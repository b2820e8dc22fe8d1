/* parse.c - zone template records ($ORIGIN, $TTL, $INCLUDE, static and DYN records) -> name tree. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <ldns/ldns.h>

#include "dnsd/base/diag.h"
#include "dnsd/base/wire.h"
#include "zones/lex.h"
#include "zones/loader.h"
#include "zones/parse.h"

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

	return conf_pool_find(L->conf, name, &i) != NULL ? (int)i : -1;
}

/* Owner rdf -> lowercase wire in buf; false when outside the zone. */
static bool
owner_wire(struct loader *L, const ldns_rdf *owner, uint8_t *buf,
    size_t *len)
{
	*len = ldns_rdf_size(owner);
	memcpy(buf, ldns_rdf_data(owner), *len);
	wire_name_lower(buf, buf, *len);
	return wire_name_is_subdomain(buf, *len, L->z->origin,
	    L->z->origin_len);
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
		case LDNS_RDF_TYPE_CERTIFICATE_USAGE:	/* TLSA, SMIMEA */
		case LDNS_RDF_TYPE_SELECTOR:
		case LDNS_RDF_TYPE_MATCHING_TYPE:
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
			zone_err(L, file, line, "bad %s record: value %s out "
			    "of range (maximum %llu)", zone_type_name(type, tb,
			    sizeof(tb)), tok[k], max);
			return -1;
		}
	}
	return 0;
}

/*
 * TLSA (RFC 6698) and SMIMEA (RFC 8162) data, as ldns parsed it (rd, rdlen:
 * usage, selector, matching type, data) from the tokens tok. ldns pads an
 * odd count of hex digits with a zero and takes any digest length: those
 * are errors. Parameters RFC 6698 does not define are a warning: RFC 7671
 * 4.1 has clients ignore such records. \retval 0, -1 an error reported
 */
static int
check_tlsa(struct loader *L, int file, int line, uint16_t type,
    const uint8_t *rd, size_t rdlen, char **tok, size_t ntok)
{
	static const size_t want[] = { 0, 32, 64 };
	static const char *const mname[] = { "full data", "SHA-256",
	    "SHA-512" };
	char tb[32];
	size_t k, hex = 0, dlen;

	zone_type_name(type, tb, sizeof(tb));
	if (ntok > 3 && strcmp(tok[0], "\\#") != 0) {
		for (k = 3; k < ntok; k++) {
			if (strspn(tok[k], "0123456789abcdefABCDEF") !=
			    strlen(tok[k])) {
				zone_err(L, file, line, "bad %s record: '%s' in "
				    "the certificate association data is not "
				    "hexadecimal", tb, tok[k]);
				return -1;
			}
			hex += strlen(tok[k]);
		}
		if (hex % 2 != 0) {
			zone_err(L, file, line, "bad %s record: odd number of "
			    "hex digits (%zu) in the certificate association "
			    "data", tb, hex);
			return -1;
		}
	}
	if (rdlen < 3) {
		zone_err(L, file, line, "bad %s record: missing data", tb);
		return -1;
	}
	dlen = rdlen - 3;
	if (rd[0] > 3)
		zone_warn(L, file, line, "%s record with unknown certificate "
		    "usage %u (0-3 are defined): clients ignore it (RFC 7671 "
		    "4.1)", tb, rd[0]);
	if (rd[1] > 1)
		zone_warn(L, file, line, "%s record with unknown selector %u "
		    "(0 certificate, 1 public key): clients ignore it (RFC 7671 "
		    "4.1)", tb, rd[1]);
	if (rd[2] > 2) {
		zone_warn(L, file, line, "%s record with unknown matching type "
		    "%u (0 full data, 1 SHA-256, 2 SHA-512): clients ignore it "
		    "(RFC 7671 4.1)", tb, rd[2]);
		return 0;
	}
	if (rd[2] == 0 && dlen == 0) {
		zone_err(L, file, line, "bad %s record: no certificate "
		    "association data", tb);
		return -1;
	}
	if (rd[2] != 0 && dlen != want[rd[2]]) {
		zone_err(L, file, line, "bad %s record: matching type %u (%s) "
		    "needs %zu bytes of data (%zu hex digits), got %zu", tb,
		    rd[2], mname[rd[2]], want[rd[2]], 2 * want[rd[2]], dlen);
		return -1;
	}
	return 0;
}

/* ---- records and directives ---- */

/* Add one static record; merges into its rrset. -1 on memory error. */
static int
add_rr(struct loader *L, int file, int line, const uint8_t *name,
    size_t namelen, uint16_t type, uint32_t ttl, const uint8_t *rd,
    size_t rdlen)
{
	char nb[WIRE_NAME_TEXT_MAX], tb[32], wb[PATH_MAX + 32];
	struct zone_node *n;
	struct zone_rrset *rs;
	struct brr *br;
	size_t p;
	uint16_t k, l;

	if ((n = zone_node_get(L, name, namelen)) == NULL)
		return -1;
	if (type == ZONE_TYPE_SOA && n != L->z->apex) {
		zone_err(L, file, line, "SOA record at '%s' is not at the zone "
		    "apex '%s'", wire_name_text(name, nb, sizeof(nb)),
		    L->z->origin_text);
		return 0;
	}
	if ((rs = zone_node_rrset(n, type, &br)) == NULL) {
		if ((rs = zone_rrset_new(n, type, ttl, file, line, &br)) ==
		    NULL)
			return -1;
		return zone_rdata_append(rs, br, rd, rdlen);
	}
	if (type == ZONE_TYPE_SOA) {
		zone_err(L, file, line, "more than one SOA record (first at "
		    "%s)", zone_where(L, file, br->file, br->line, wb,
		    sizeof(wb)));
		return 0;
	}
	for (p = 0, k = 0; k < rs->count; k++) {
		l = (uint16_t)(rs->rdata[p] << 8 | rs->rdata[p + 1]);
		if (l == rdlen && memcmp(rs->rdata + p + 2, rd, rdlen) == 0) {
			zone_warn(L, file, line, "duplicate %s record at '%s' "
			    "ignored (same as %s)", zone_type_name(type, tb,
			    sizeof(tb)), wire_name_text(name, nb, sizeof(nb)),
			    zone_where(L, file, br->file, br->line, wb,
			    sizeof(wb)));
			if (ttl < rs->ttl)
				rs->ttl = ttl;
			return 0;
		}
		p += 2 + (size_t)l;
	}
	if (type == ZONE_TYPE_CNAME) {
		zone_err(L, file, line, "more than one CNAME at '%s' (first at "
		    "%s)", wire_name_text(name, nb, sizeof(nb)), zone_where(L,
		    file, br->file, br->line, wb, sizeof(wb)));
		return 0;
	}
	if (rs->count == ZONE_RRSET_MAX) {
		zone_err(L, file, line, "too many %s records at '%s' (maximum "
		    "%d)", zone_type_name(type, tb, sizeof(tb)),
		    wire_name_text(name, nb, sizeof(nb)), ZONE_RRSET_MAX);
		return 0;
	}
	if (ttl != rs->ttl) {
		zone_warn(L, file, line, "TTL %u differs from TTL %u of the "
		    "other %s records at '%s' (%s); using %u (RFC 2181 5.2)",
		    ttl, rs->ttl, zone_type_name(type, tb, sizeof(tb)),
		    wire_name_text(name, nb, sizeof(nb)), zone_where(L, file,
		    br->file, br->line, wb, sizeof(wb)), ttl < rs->ttl ? ttl :
		    rs->ttl);
		if (ttl < rs->ttl)
			rs->ttl = ttl;
	}
	return zone_rdata_append(rs, br, rd, rdlen);
}

/* The dynamic pseudo-types; index into the tables below. */
enum { DYN_MX, DYN_A, DYN_SRV };
static const char *const dyn_names[] = { "DYNMX", "DYNA", "DYNSRV" };

static int
dyn_type(const char *t)
{
	for (int k = DYN_MX; k <= DYN_SRV; k++)
		if (strcasecmp(t, dyn_names[k]) == 0)
			return k;
	return -1;
}

/* DYNMX pool | DYNA pool | DYNSRV pool port */
static int
do_dyn(struct loader *L, struct zparse_state *ps, int line, const uint8_t *name,
    size_t namelen, int kind, uint32_t ttl, char **tok, size_t ntok)
{
	const char *what = dyn_names[kind];
	char nb[WIRE_NAME_TEXT_MAX], wb[PATH_MAX + 32], *end;
	struct zone_node *n;
	struct bnode *b;
	struct zone_dyn *d, **slot;
	const char *sug;
	unsigned long port = 0;
	int pool, *dfile;

	if (kind == DYN_SRV && ntok != 2) {
		zone_err(L, ps->file, line, "DYNSRV expects two arguments, a "
		    "pool name and a port");
		return 0;
	}
	if (kind != DYN_SRV && ntok != 1) {
		zone_err(L, ps->file, line, "%s expects one argument, a pool "
		    "name", what);
		return 0;
	}
	if ((pool = pool_lookup(L, tok[0])) < 0) {
		if ((sug = conf_pool_suggest(L->conf, tok[0])) != NULL)
			zone_err(L, ps->file, line, "unknown pool '%s' (did "
			    "you mean '%s'?)", tok[0], sug);
		else
			zone_err(L, ps->file, line, "unknown pool '%s'",
			    tok[0]);
		return 0;
	}
	if (kind == DYN_SRV) {
		errno = 0;
		end = tok[1];
		if (isdigit((unsigned char)tok[1][0]))
			port = strtoul(tok[1], &end, 10);
		if (end == tok[1] || *end != '\0') {
			zone_err(L, ps->file, line, "DYNSRV: bad port '%s' "
			    "(expected a number 1..65535)", tok[1]);
			return 0;
		}
		if (errno != 0 || port < 1 || port > 65535) {
			zone_err(L, ps->file, line, "DYNSRV: port %s out of "
			    "range (1..65535)", tok[1]);
			return 0;
		}
	}
	if ((n = zone_node_get(L, name, namelen)) == NULL)
		return -1;
	b = (struct bnode *)n;
	slot = kind == DYN_MX ? &n->dynmx : kind == DYN_A ? &n->dyna :
	    &n->dynsrv;
	dfile = kind == DYN_MX ? &b->dynmx_file : kind == DYN_A ?
	    &b->dyna_file : &b->dynsrv_file;
	if (*slot != NULL) {
		zone_err(L, ps->file, line, "more than one %s at '%s' (first "
		    "at %s)", what, wire_name_text(name, nb, sizeof(nb)),
		    zone_where(L, ps->file, *dfile, (*slot)->line, wb,
		    sizeof(wb)));
		return 0;
	}
	if ((d = zone_arena_alloc(L->arena, sizeof(*d))) == NULL)
		return -1;
	d->ttl = ttl;
	d->pool = (size_t)pool;
	d->port = (uint16_t)port;
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
do_record(struct loader *L, struct zparse_state *ps, int line, bool blank,
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
	int r, rc = 0, dk;

	if (blank) {
		if (ps->prev == NULL) {
			zone_err(L, ps->file, line, "record without owner name "
			    "(the line starts with a blank and no record "
			    "precedes it)");
			goto out;
		}
		owner = ldns_rdf_clone(ps->prev);
	} else {
		if ((owner = zone_name_abs(tok[0], ps->origin)) == NULL) {
			zone_err(L, ps->file, line, "bad owner name '%s'",
			    tok[0]);
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
				zone_err(L, ps->file, line, "unexpected '%s' "
				    "after the TTL (expected a class or type)",
				    tok[i]);
				goto out;
			}
			if ((r = parse_ttl(tok[i], &ttl)) == -2) {
				zone_err(L, ps->file, line, "TTL '%s' out of "
				    "range (maximum %u)", tok[i], ZONE_TTL_MAX);
				goto out;
			} else if (r != 0) {
				zone_err(L, ps->file, line, "bad TTL '%s' "
				    "(expected seconds or a duration like "
				    "1h30m)", tok[i]);
				goto out;
			}
			has_ttl = true;
		} else if (is_class(tok[i])) {
			if (has_class) {
				zone_err(L, ps->file, line, "unexpected '%s' "
				    "after the class (expected a TTL or type)",
				    tok[i]);
				goto out;
			}
			if (!is_in(tok[i])) {
				zone_err(L, ps->file, line, "class '%s' not "
				    "supported (only IN)", tok[i]);
				goto out;
			}
			has_class = true;
		} else
			break;
	}
	if (i == ntok) {
		zone_err(L, ps->file, line, "missing record type");
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
		zone_err(L, ps->file, line, "no TTL: give one on the record or "
		    "set $TTL before it");
		goto out;
	}
	if (!owner_wire(L, owner, wire, &wlen)) {
		os = ldns_rdf2str(owner);
		zone_err(L, ps->file, line, "name '%s' is outside the zone "
		    "'%s'", os != NULL ? os : "?", L->z->origin_text);
		goto out;
	}
	L->nrecords++;
	if ((dk = dyn_type(tok[i])) >= 0) {
		rc = do_dyn(L, ps, line, wire, wlen, dk, ttl, tok + i + 1,
		    ntok - i - 1);
		goto out;
	}
	type = (uint16_t)ldns_get_rr_type_by_name(tok[i]);
	if (type == 0) {
		zone_err(L, ps->file, line, "unknown record type '%s'", tok[i]);
		goto out;
	}
	if (type == LDNS_RR_TYPE_OPT || (type >= 249 && type <= 255) ||
	    type == LDNS_RR_TYPE_TSIG) {
		zone_err(L, ps->file, line, "type %s cannot appear in a zone",
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
	    zone_type_name(type, tb, sizeof(tb)));
	for (k = i + 1; k < ntok; k++) {
		text[pos++] = ' ';
		tl = strlen(tok[k]);
		memcpy(text + pos, tok[k], tl + 1);
		pos += tl;
	}
	st = ldns_rr_new_frm_str(&rr, text, ttl, ps->origin, NULL);
	if (st != LDNS_STATUS_OK) {
		zone_err(L, ps->file, line, "bad %s record: %s",
		    zone_type_name(type, tb, sizeof(tb)),
		    ldns_get_errorstr_by_id(st));
		rr = NULL;
		goto out;
	}
	d = ldns_rr_descript(type);
	if (d != NULL && ldns_rr_rd_count(rr) < ldns_rr_descriptor_minimum(d)) {
		zone_err(L, ps->file, line, "bad %s record: missing data",
		    zone_type_name(type, tb, sizeof(tb)));
		goto out;
	}
	if ((buf = ldns_buffer_new(256)) == NULL)
		goto fail;
	if (ldns_rr_rdata2buffer_wire(buf, rr) != LDNS_STATUS_OK)
		goto fail;
	if (ldns_buffer_position(buf) > 65535) {
		zone_err(L, ps->file, line, "bad %s record: data longer than "
		    "65535 bytes", zone_type_name(type, tb, sizeof(tb)));
		goto out;
	}
	if ((type == LDNS_RR_TYPE_TLSA || type == LDNS_RR_TYPE_SMIMEA) &&
	    check_tlsa(L, ps->file, line, type, ldns_buffer_begin(buf),
	    ldns_buffer_position(buf), tok + i + 1, ntok - i - 1) != 0)
		goto out;
	parsed = true;
	if (add_rr(L, ps->file, line, wire, wlen, type, ttl,
	    ldns_buffer_begin(buf), ldns_buffer_position(buf)) != 0)
		goto fail;
	goto out;
fail:
	zone_err(L, ps->file, line, "out of memory");
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
do_directive(struct loader *L, struct zparse_state *ps, int line, char **tok,
    size_t ntok, int depth)
{
	struct zparse_state child;
	ldns_rdf *o;
	char *path = NULL, *fname, *slash;
	uint32_t ttl;
	size_t dl;
	int r, rc = 0;

	if (strcasecmp(tok[0], "$ORIGIN") == 0) {
		if (ntok != 2) {
			zone_err(L, ps->file, line, "$ORIGIN expects one "
			    "domain name");
			return 0;
		}
		if ((o = zone_name_abs(tok[1], ps->origin)) == NULL) {
			zone_err(L, ps->file, line, "bad $ORIGIN name '%s'",
			    tok[1]);
			return 0;
		}
		ldns_rdf_deep_free(ps->origin);
		ps->origin = o;
		return 0;
	}
	if (strcasecmp(tok[0], "$TTL") == 0) {
		if (ntok != 2) {
			zone_err(L, ps->file, line, "$TTL expects one TTL "
			    "value");
			return 0;
		}
		if ((r = parse_ttl(tok[1], &ttl)) == -2)
			zone_err(L, ps->file, line, "$TTL '%s' out of range "
			    "(maximum %u)", tok[1], ZONE_TTL_MAX);
		else if (r != 0)
			zone_err(L, ps->file, line, "bad $TTL '%s' (expected "
			    "seconds or a duration like 1h30m)", tok[1]);
		else {
			ps->dttl = ttl;
			ps->has_dttl = true;
		}
		return 0;
	}
	if (strcasecmp(tok[0], "$INCLUDE") == 0) {
		if (ntok < 2 || ntok > 3) {
			zone_err(L, ps->file, line, "$INCLUDE expects a file "
			    "name and an optional origin");
			return 0;
		}
		memset(&child, 0, sizeof(child));
		child.dttl = ps->dttl;
		child.has_dttl = ps->has_dttl;
		child.last_ttl = ps->last_ttl;
		child.has_last = ps->has_last;
		if (ntok == 3) {
			if ((child.origin = zone_name_abs(tok[2], ps->origin))
			    == NULL) {
				zone_err(L, ps->file, line, "bad $INCLUDE "
				    "origin '%s'", tok[2]);
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
			zone_err(L, ps->file, line, "$INCLUDE nested too "
			    "deeply (limit %d)", ZONE_INCLUDE_MAX);
		else if (zparse_file(L, path, &child, ps->file, line) != 0)
			rc = -1;
		goto out;
	}
	if (strcasecmp(tok[0], "$GENERATE") == 0)
		zone_err(L, ps->file, line, "$GENERATE is not supported");
	else
		zone_err(L, ps->file, line, "unknown directive '%s' (expected "
		    "$ORIGIN, $TTL or $INCLUDE)", tok[0]);
	return 0;
fail:
	zone_err(L, ps->file, line, "out of memory");
	rc = -1;
out:
	free(path);
	ldns_rdf_deep_free(child.origin);
	ldns_rdf_deep_free(child.prev);
	return rc;
}

/* ---- files ---- */

/* The records of one file go to the directive or the record parser. */
struct record_ctx {
	struct loader       *L;
	struct zparse_state *ps;
};

static int
on_record(void *arg, int line, bool blank, char **tok, size_t ntok)
{
	struct record_ctx *c = arg;

	if (!blank && tok[0][0] == '$')
		return do_directive(c->L, c->ps, line, tok, ntok,
		    c->L->depth - 1);
	return do_record(c->L, c->ps, line, blank, tok, ntok);
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

int
zparse_file(struct loader *L, const char *path, struct zparse_state *ps,
    int from, int fromline)
{
	struct record_ctx ctx;
	struct stat sb;
	FILE *f;
	char *data = NULL;
	size_t n = 0;
	int rc = 0, k;

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
			zone_err(L, from, fromline, "cannot open included file "
			    "'%s': %s", path, strerror(errno));
		return 0;
	}
	if (fstat(fileno(f), &sb) != 0 || S_ISDIR(sb.st_mode)) {
		if (from < 0) {
			diag_error(&L->d, path, 0, "cannot read template: "
			    "is a directory");
		} else
			zone_err(L, from, fromline, "cannot read included file "
			    "'%s': is a directory", path);
		goto out;
	}
	for (k = 0; k < L->depth; k++)
		if (L->stack[k].dev == sb.st_dev &&
		    L->stack[k].ino == sb.st_ino) {
			zone_err(L, from, fromline, "$INCLUDE loop: '%s' is "
			    "already being read", path);
			goto out;
		}
	if ((data = read_all(f, &n)) == NULL) {
		if (from < 0) {
			diag_error(&L->d, path, 0, "read error: %s",
			    strerror(errno));
		} else
			zone_err(L, from, fromline, "cannot read included file "
			    "'%s': %s", path, strerror(errno));
		goto out;
	}
	if (from >= 0 && (ps->file = zone_add_file(L, path)) < 0) {
		diag_error(&L->d, path, 0, "out of memory");
		rc = -1;
		goto out;
	}
	L->stack[L->depth].dev = sb.st_dev;
	L->stack[L->depth].ino = sb.st_ino;
	L->depth++;
	ctx.L = L;
	ctx.ps = ps;
	rc = zlex_records(L, ps->file, data, n, on_record, &ctx);
	L->depth--;
out:
	free(data);
	fclose(f);
	return rc;
}
