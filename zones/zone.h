/* zone.h - zone templates compiled into a name tree for the responder.
 *
 * A template is an RFC 1035 master file (parsed with ldns) plus three
 * pseudo-types, DYNMX <pool>, DYNA <pool> and DYNSRV <pool> <port>. zone_load() reads it, checks it
 * (every error as "file:line: message"), and builds the structure below.
 * The structure is ldns-free: names and rdata are plain wire bytes, so the
 * responder in dnsd/ needs no ldns on the query path.
 *
 * Layout, chosen for the responder:
 *  - every owner name is a node; every ancestor between the apex and an
 *    owner exists too (an empty non-terminal has no rrsets and no dyn);
 *  - nodes are found by exact name in a hash table (names stored lowercase);
 *    the responder finds the closest encloser by stripping labels;
 *  - node->cut points at the highest delegation (NS below the apex) at or
 *    above the node, so a referral needs no walk; NULL when authoritative;
 *  - node->wildcard is the "*" child, for RFC 4592 synthesis;
 *  - rdata is uncompressed wire form, names inside rdata as written in the
 *    template (case preserved); the responder compresses when it compiles;
 *  - the A/AAAA of every pool server whose host name falls inside the zone
 *    are added as static records (flag ZONE_NODE_SERVER): they are answered
 *    whatever the server's health, as senders may hold cached MX sets.
 *  - node->answers belongs to dnsd (precompiled responses); zone_free()
 *    calls z->answers_free on it when set.
 */
#ifndef MXS_ZONE_H
#define MXS_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dnsd/base/conf.h"

#define ZONE_TYPE_A      1
#define ZONE_TYPE_NS     2
#define ZONE_TYPE_CNAME  5
#define ZONE_TYPE_SOA    6
#define ZONE_TYPE_PTR    12
#define ZONE_TYPE_MX     15
#define ZONE_TYPE_TXT    16
#define ZONE_TYPE_AAAA   28
#define ZONE_TYPE_SRV    33
#define ZONE_TYPE_DNAME  39

/* One RRset: all records of one owner and type, in template order. */
struct zone_rrset {
	uint16_t  type;
	uint16_t  count;
	uint32_t  ttl;		/* RFC 2181 5.2: one TTL per RRset (the lowest,
				   with a warning when the template differs) */
	uint8_t  *rdata;	/* count x (uint16 rdlen big-endian, rdlen bytes) */
	size_t    rdata_len;
	uint8_t  *rrsig;	/* signed zones (zones/sign.h): the RRSIG rdata
				   of this RRset, else NULL */
	uint16_t  rrsig_len;
};

/* A dynamic record: answers computed per query from a pool's state. */
struct zone_dyn {
	uint32_t ttl;
	size_t   pool;		/* index into conf->pools */
	uint16_t port;		/* DYNSRV: the port of every SRV record */
	int      line;
};

#define ZONE_NODE_APEX    0x01
#define ZONE_NODE_ENT     0x02	/* empty non-terminal */
#define ZONE_NODE_DELEG   0x04	/* has NS and is not the apex */
#define ZONE_NODE_CNAME   0x08
#define ZONE_NODE_SERVER  0x10	/* A/AAAA synthesized from a pool server */
#define ZONE_NODE_WILD    0x20	/* this node is a "*" label */

struct zone_node {
	uint8_t           *name;	/* wire form, lowercase, absolute */
	uint8_t            namelen;	/* bytes, including the root label */
	uint8_t            nlabels;	/* not counting the root */
	uint16_t           flags;
	uint32_t           hash;	/* zone_hash(name) */
	struct zone_node  *parent;	/* NULL for the apex */
	struct zone_node  *wildcard;	/* "*" child or NULL */
	struct zone_node  *cut;		/* highest delegation at or above, or NULL */
	struct zone_rrset *rrsets;
	uint16_t           nrrsets;
	struct zone_dyn   *dynmx;	/* NULL unless a DYNMX record is here */
	struct zone_dyn   *dyna;	/* NULL unless a DYNA record is here */
	struct zone_dyn   *dynsrv;	/* NULL unless a DYNSRV record is here */
	struct zone_node  *hnext;	/* hash chain */
	const char        *file;	/* where its first record is written, for
					   errors after load; NULL for an empty
					   non-terminal (zone-owned string) */
	int                line;
	uint32_t           nsec;	/* signed zones: index of its NSEC in
					   z->sec->nsec (zones/sign.h), or
					   ZONE_NO_NSEC */
	void              *answers;	/* owned by dnsd */
};

#define ZONE_NO_NSEC UINT32_MAX

/* What a zone needs to know about a pool it references with DYN*. */
struct zone_pool_ref {
	size_t             pool;		/* index into conf->pools */
	size_t             nservers;
	uint8_t          **server_name;		/* wire, as served (case from config) */
	struct zone_node **server_node;		/* in-zone node, or NULL when the
						   host is outside the zone */
	uint8_t           *relay_name;		/* NULL when the pool has no relay */
	struct zone_node  *relay_node;		/* in-zone node or NULL */
};

struct sign_zone;

struct zone {
	char                 *file;		/* template path */
	char                 *origin_text;	/* "mail.example.com." */
	uint8_t               origin[256];	/* wire, lowercase */
	uint8_t               origin_len;
	struct zone_node     *apex;
	struct zone_node    **nodes;		/* every node, parents before children */
	size_t                nnodes;
	struct zone_node    **htab;
	uint32_t              hmask;		/* htab has hmask + 1 buckets */
	const struct zone_rrset *soa;		/* the apex SOA */
	uint32_t              serial;
	uint32_t              neg_ttl;		/* min(SOA TTL, SOA MINIMUM), RFC 2308 */
	struct zone_pool_ref *pools;
	size_t                npools;
	void                (*answers_free)(void *);
	struct sign_zone     *sec;		/* zones/sign.h; NULL: unsigned */
	void                 *arena;		/* private: the loader's allocations */
};

/*
 * Load, validate and compile the template of one configured zone.
 * \param conf    the whole config (pools are looked up by name)
 * \param cz      the zone entry of conf
 * \param errout  every error and warning, "file:line: message"
 * \retval zone   caller owns, zone_free()
 * \retval NULL   errors were printed
 */
struct zone *zone_load(const struct conf *conf, const struct conf_zone *cz,
    FILE *errout);

void zone_free(struct zone *z);

/* Hash of a lowercase wire name (used by the responder with zone_find). */
uint32_t zone_hash(const uint8_t *name, size_t len);

/* Exact lookup of a lowercase wire name; NULL when absent. */
struct zone_node *zone_find(const struct zone *z, const uint8_t *name,
    size_t len, uint32_t hash);

/* RRset of a type at a node, or NULL. */
const struct zone_rrset *zone_rrset_find(const struct zone_node *n,
    uint16_t type);

/* Pool reference of this zone for conf pool index, or NULL. */
static inline const struct zone_pool_ref *
zone_pool_ref(const struct zone *z, size_t pool)
{
	size_t lo = 0, hi = z->npools, mid;

	/* zcheck builds z->pools in ascending pool order */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (z->pools[mid].pool < pool)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < z->npools && z->pools[lo].pool == pool ? &z->pools[lo] :
	    NULL;
}

#endif
