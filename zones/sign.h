/* sign.h - signing a loaded zone: DNSKEY/CDS/CDNSKEY, the NSEC chain, an RRSIG on every authoritative RRset.
 *
 * sign_zone() runs at world load between zone_load() and compile_zone()
 * for a zone with a dnssec group (conf.h struct conf_dnssec), so that the
 * answer compiler (zones/compile.c) writes signatures into the precompiled
 * DO=1 answers and the query path never signs.
 *
 * What it adds to the zone:
 *  - at the apex: DNSKEY (every listed key), CDS (SHA-256 DS of every
 *    listed key) and CDNSKEY (RFC 7344, RFC 8078), TTL the SOA's; a
 *    template that already has one of these types at the apex is an error
 *    (they come from dnssec.keys);
 *  - the NSEC chain (RFC 4034 4, RFC 4035 2.3): one NSEC per name with
 *    authoritative data or a delegation, in canonical order (glue and
 *    empty non-terminals have none), TTL the zone's negative TTL (RFC
 *    9077), the type bitmap of the node plus RRSIG and NSEC (at an
 *    unsigned delegation NS, RRSIG, NSEC: RFC 4035 2.3). A name with
 *    dynamic records has one NSEC per combination of its dynamic types
 *    that can be non-empty (struct sign_nsec.var, by SIGN_DYN_* mask),
 *    all signed here: the query path serves the one matching the pool
 *    state the dynamic answers came from (dnsd/dynsign.h);
 *  - an RRSIG (struct zone_rrset.rrsig) on every authoritative static
 *    RRset: not on the NS of a delegation nor on glue (RFC 4035 2.2), but
 *    on DS at a delegation (the parent side). Only the first listed key
 *    signs.
 * The NSEC of a static name is also a static RRset of its node (type NSEC,
 * answered when asked for); a dynamic name's is not (its NSEC comes from
 * struct sign_nsec).
 *
 * Signature times: inception now - 1 hour (clocks of validators that lag),
 * expiration now + validity; re-signing (a new world) is the daemon's
 * (dnsd/daemon.c), refresh seconds before the expiration.
 */
#ifndef MXS_SIGN_H
#define MXS_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "dnsd/base/conf.h"
#include "dnsd/base/diag.h"
#include "zones/dnssec.h"
#include "zones/zone.h"

/* Dynamic types of a name, as bits of a mask (index of struct sign_nsec.var) */
#define SIGN_DYN_MX   0x01
#define SIGN_DYN_A    0x02
#define SIGN_DYN_AAAA 0x04
#define SIGN_DYN_SRV  0x08
#define SIGN_DYN_NVAR 16

/* One prepared NSEC record and its RRSIG, ready to append to an answer's
 * authority section: owner written out (lowercase, uncompressed), type,
 * class, TTL, rdlength, rdata (next name uncompressed, RFC 4034 4.1.1),
 * then the RRSIG record whose owner is a pointer patched per query (at
 * sig_owner: two bytes to set to 0xC000 | offset of the NSEC owner). */
struct sign_rr {
	uint8_t  *wire;
	uint16_t  len;		/* NSEC record + RRSIG record */
	uint16_t  nsec_len;	/* the NSEC record alone (DO=0: NSEC asked for) */
	uint16_t  sig_owner;	/* offset of the RRSIG owner pointer */
};

/* An entry of the chain, in canonical order of owner names. */
struct sign_nsec {
	const struct zone_node *node;
	const uint8_t  *key;		/* sign_canon_key() of the owner */
	uint16_t        keylen;
	uint8_t         dynmask;	/* SIGN_DYN_* the name has; 0: static */
	int32_t         dynslot;	/* index into struct sign_zone.dyn, or -1 */
	struct sign_rr  var[SIGN_DYN_NVAR];	/* static: var[0]; dynamic:
						   var[m] for every m within
						   dynmask */
};

/* z->sec of a signed zone. Immutable after sign_zone() except the dynamic
 * part (dyn_current), which dnsd/dynsign.c swaps with RCU. */
struct sign_zone {
	const struct conf_dnssec *conf;		/* in the world's conf */
	struct dnssec_key  keys[CONF_DNSSEC_MAXKEYS];
	size_t             nkeys;		/* keys[0] signs */
	uint8_t            signer[256];		/* the origin, wire */
	uint8_t            signer_len;
	uint32_t           inception, expiration;
	uint64_t           sigs;		/* signatures made by sign_zone */
	time_t             signed_at;
	double             sign_ms;		/* how long sign_zone took */
	struct sign_nsec  *nsec;		/* the chain, canonical order */
	uint8_t           *nsec_keys;		/* the entries' keys, one block */
	size_t             nnsec;
	const struct zone_node **dyn;		/* names with dynamic records */
	size_t             ndyn;
	void              *dyn_current;		/* dnsd/dynsign.h: RCU pointer */
	void             (*dyn_free)(void *);	/* frees dyn_current at zone_free */
};

/*
 * Sign z with the keys of cz->dnssec (z->sec set; freed by zone_free);
 * conf names the config file for key errors.
 * \param now  signing time (seconds since the epoch)
 * \param d    errors as "file:line: message": key file problems at the
 *             line of the key in the config, template problems at the
 *             record
 * \retval 0   signed
 * \retval -1  at least one error was reported (z->sec may be set; zone_free
 *             frees it)
 */
int sign_zone(struct zone *z, const struct conf *conf,
    const struct conf_zone *cz, time_t now, struct diag *d);

/*
 * A name as a key whose byte order (memcmp, then length) is the canonical
 * DNS name order of RFC 4034 6.1: the labels from the root down, each
 * followed by a 0 byte, a 0 or 1 byte inside a label escaped as 1 1 or
 * 1 2. name: lowercase wire form.
 * \param out  SIGN_KEY_MAX bytes
 * \retval the key's length
 */
#define SIGN_KEY_MAX 512
size_t sign_canon_key(const uint8_t *name, size_t len, uint8_t *out);

/* Free z->sec (zone_free calls it). NULL is fine. */
void sign_free(struct sign_zone *s);

/* The NSEC entry of node n itself (a name of the chain), or NULL. */
static inline const struct sign_nsec *
sign_nsec_of(const struct sign_zone *s, const struct zone_node *n)
{
	return s != NULL && n->nsec < s->nnsec ? &s->nsec[n->nsec] : NULL;
}

/*
 * The chain entry with the greatest owner <= name (canonical order),
 * wrapping to the last entry for names before the apex (never: every
 * in-zone name sorts after the apex). Exact match: that name's NSEC;
 * otherwise the NSEC that covers name. No allocation, no lock.
 */
const struct sign_nsec *sign_nsec_find(const struct sign_zone *s,
    const uint8_t *name, size_t len);

#endif
