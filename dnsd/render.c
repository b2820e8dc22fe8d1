/* render.c - `mxspread render`: a zone as served with every server up, DYNMX/DYNA/DYNSRV expanded. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dnsd/base/wire.h"
#include "dnsd/policy.h"
#include "dnsd/render.h"
#include "zones/dnssec.h"
#include "zones/print.h"
#include "zones/sign.h"

/* The pool's servers, every one up, heaviest first within each group. */
static size_t
render_order(const struct conf_pool *cp, uint16_t *idx, uint16_t *pref,
    size_t max, unsigned *flags)
{
	double key[POLICY_MAX_SERVERS];
	size_t i;

	for (i = 0; i < cp->nservers && i < POLICY_MAX_SERVERS; i++)
		key[i] = -(double)cp->servers[i].weight;
	return policy_order_by(cp, NULL, NULL, key, idx, pref, max, flags);
}

static int
print_mx(FILE *out, const struct zone_node *n, uint32_t ttl, uint16_t pref,
    const uint8_t *target)
{
	uint8_t rd[2 + WIRE_NAME_MAX];
	size_t len = wire_name_len(target, WIRE_NAME_MAX);

	rd[0] = (uint8_t)(pref >> 8);
	rd[1] = (uint8_t)pref;
	memcpy(rd + 2, target, len);
	return zprint_rr(out, n->name, n->namelen, ZONE_TYPE_MX, ttl, rd,
	    2 + len);
}

static int
render_dynmx(FILE *out, const struct zone *z, const struct conf *conf,
    const struct zone_node *n)
{
	const struct conf_pool *cp = &conf->pools[n->dynmx->pool];
	const struct zone_pool_ref *ref = zone_pool_ref(z, n->dynmx->pool);
	uint16_t idx[POLICY_MAX_SERVERS], pref[POLICY_MAX_SERVERS];
	size_t cnt, i, upto = 0;
	unsigned flags = 0;
	int rc = 0;

	if (ref == NULL)
		return -1;
	cnt = render_order(cp, idx, pref, policy_max(cp, true), &flags);
	for (i = 0; i < cnt; i++) {
		if (ref->server_name[idx[i]] == NULL)
			continue;
		if (print_mx(out, n, n->dynmx->ttl, pref[i],
		    ref->server_name[idx[i]]) != 0)
			rc = -1;
		upto = i + 1;
	}
	/* the relay one step after the last server printed */
	if ((flags & POLICY_F_RELAY) && ref->relay_name != NULL &&
	    print_mx(out, n, n->dynmx->ttl, policy_relay_pref(cp, pref, upto),
	    ref->relay_name) != 0)
		rc = -1;
	return rc;
}

/* SRV records of the pool as render_order lists them (every server up):
 * the priorities and weights a query sees with every server up at full
 * load factor, so the weights are the configured ones. */
static int
render_dynsrv(FILE *out, const struct zone *z, const struct conf *conf,
    const struct zone_node *n)
{
	const struct conf_pool *cp = &conf->pools[n->dynsrv->pool];
	const struct zone_pool_ref *ref = zone_pool_ref(z, n->dynsrv->pool);
	uint16_t idx[POLICY_MAX_SERVERS], pref[POLICY_MAX_SERVERS],
	    weight[POLICY_MAX_SERVERS];
	uint8_t rd[6 + WIRE_NAME_MAX];
	size_t cnt, i, len;
	unsigned flags = 0;
	int rc = 0;

	if (ref == NULL)
		return -1;
	cnt = render_order(cp, idx, pref, policy_max_srv(cp), &flags);
	policy_srv_weights(cp, NULL, idx, cnt, flags, weight);
	for (i = 0; i < cnt; i++) {
		uint16_t prio = policy_srv_priority(cp, pref, i);

		if (ref->server_name[idx[i]] == NULL)
			continue;
		len = wire_name_len(ref->server_name[idx[i]], WIRE_NAME_MAX);
		wire_set16(rd, prio);
		wire_set16(rd + 2, weight[i]);
		wire_set16(rd + 4, n->dynsrv->port);
		memcpy(rd + 6, ref->server_name[idx[i]], len);
		if (zprint_rr(out, n->name, n->namelen, ZONE_TYPE_SRV,
		    n->dynsrv->ttl, rd, 6 + len) != 0)
			rc = -1;
	}
	return rc;
}

static int
render_dyna(FILE *out, const struct conf *conf, const struct zone_node *n)
{
	const struct conf_pool *cp = &conf->pools[n->dyna->pool];
	const struct conf_server *s;
	uint16_t idx[POLICY_MAX_SERVERS];
	size_t cnt, lim = policy_max(cp, false), i, j, emitted;
	int rc = 0, fam;

	/* max_addrs caps the addresses of each family, not the servers: a
	 * server without an IPv6 address leaves its AAAA slot to the next */
	cnt = render_order(cp, idx, NULL, POLICY_MAX_SERVERS, NULL);
	for (fam = AF_INET; fam != 0; fam = fam == AF_INET ? AF_INET6 : 0) {
		emitted = 0;
		for (i = 0; i < cnt && emitted < lim; i++) {
			s = &cp->servers[idx[i]];
			for (j = 0; j < s->naddrs && emitted < lim; j++) {
				if (s->addrs[j].family != fam)
					continue;
				if (zprint_rr(out, n->name, n->namelen,
				    fam == AF_INET ? ZONE_TYPE_A :
				    ZONE_TYPE_AAAA, n->dyna->ttl,
				    (const uint8_t *)&s->addrs[j].u,
				    fam == AF_INET ? 4 : 16) != 0)
					rc = -1;
				emitted++;
			}
		}
	}
	return rc;
}

int
render_zone(const struct zone *z, const struct conf *conf, FILE *out)
{
	struct zone_node **sorted;
	const struct zone_node *n;
	size_t i;
	uint16_t k;
	int rc = 0;

	if ((sorted = zprint_order(z)) == NULL)
		return -1;
	fprintf(out, "; %s: zone %s as served with every server up\n",
	    z->file, z->origin_text);
	if (z->sec != NULL)
		fprintf(out, "; signed: its DNSKEY, CDS and CDNSKEY are shown, "
		    "the NSEC chain and the RRSIGs are not\n");
	fprintf(out, "$ORIGIN %s\n", z->origin_text);
	if (z->soa != NULL && zprint_rrset(out, z->apex, z->soa) != 0)
		rc = -1;
	for (i = 0; i < z->nnodes; i++) {
		n = sorted[i];
		for (k = 0; k < n->nrrsets; k++) {
			if (&n->rrsets[k] == z->soa ||
			    n->rrsets[k].type == DNSSEC_TYPE_NSEC)
				continue;
			if (zprint_rrset(out, n, &n->rrsets[k]) != 0)
				rc = -1;
		}
		if (n->dynmx != NULL && render_dynmx(out, z, conf, n) != 0)
			rc = -1;
		if (n->dyna != NULL && render_dyna(out, conf, n) != 0)
			rc = -1;
		if (n->dynsrv != NULL && render_dynsrv(out, z, conf, n) != 0)
			rc = -1;
	}
	free(sorted);
	if (ferror(out))
		rc = -1;
	return rc;
}
