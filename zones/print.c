/* print.c - zone records in presentation format, through ldns (for `mxspread render`). */
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "zones/print.h"

int
zprint_rr(FILE *out, const uint8_t *owner, size_t ownerlen,
    uint16_t type, uint32_t ttl, const uint8_t *rd, size_t rdlen)
{
	uint8_t wire[LDNS_MAX_DOMAINLEN + 1 + 10 + 65535];
	ldns_rr *rr = NULL;
	size_t pos = 0, len;
	char *s;
	int rc = -1;

	memcpy(wire, owner, ownerlen);
	len = ownerlen;
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

int
zprint_rrset(FILE *out, const struct zone_node *n,
    const struct zone_rrset *rs)
{
	size_t p = 0, l;
	uint16_t k;
	int rc = 0;

	for (k = 0; k < rs->count; k++) {
		l = (size_t)(rs->rdata[p] << 8 | rs->rdata[p + 1]);
		if (zprint_rr(out, n->name, n->namelen, rs->type, rs->ttl,
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

struct zone_node **
zprint_order(const struct zone *z)
{
	struct zone_node **sorted;

	if ((sorted = malloc((z->nnodes + 1) * sizeof(*sorted))) == NULL)
		return NULL;
	memcpy(sorted, z->nodes, z->nnodes * sizeof(*sorted));
	qsort(sorted, z->nnodes, sizeof(*sorted), name_cmp);
	return sorted;
}
