/* dnssec.h - DNSSEC keys and signatures: BIND key files, key tags, DS, RRSIG over canonical RRsets.
 *
 * The crypto of mxspread's signer, used at world load (zones/sign.c: the
 * static RRsets, DNSKEY, the NSEC chain) and when a pool's state changes
 * (dnsd/dynsign.c: the signed variants of dynamic RRsets); never on the
 * query path. OpenSSL (EVP) does the arithmetic; everything else is plain
 * wire bytes, as in zones/zone.h.
 *
 * Keys: a combined signing key (CSK, DNSKEY flags 257) of algorithm 13
 * (ECDSAP256SHA256, RFC 6605) or 15 (ED25519, RFC 8080), in the BIND key
 * file format that dnssec-keygen and ldns-keygen write: <base>.key holds
 * the DNSKEY record in presentation form (comment lines with ';'),
 * <base>.private the "Private-key-format: v1.x" lines, of which
 * "Algorithm:" and "PrivateKey:" (base64) are read and the others (Created,
 * Publish, Activate: timing metadata) ignored. The .private file is read
 * with secret_read() (dnsd/base/secret.h): refused when group or others can
 * read it, like the status token. The private key must match the DNSKEY's
 * public key (checked by signing and verifying once at load).
 *
 * Signatures (RFC 4034 3.1.8.1, 6.2, 6.3): the RRset in canonical form —
 * owner lowercase, names in the rdata of the RFC 4034 6.2 types (as
 * amended by RFC 6840 5.1: NS, CNAME, SOA, PTR, MX, RP, AFSDB, RT, PX, KX,
 * NAPTR, SRV, DNAME, MINFO) lowercase, records sorted by canonical rdata,
 * duplicates dropped, TTL the original TTL. A wildcard owner "*.x" is
 * signed as written with the labels field of x (RFC 4035 5.3.2). The
 * signer name is the zone origin, uncompressed, lowercase. ECDSA
 * signatures are r || s, 32 bytes each (RFC 6605 4); Ed25519 64 bytes.
 *
 * Thread safety: a loaded key may sign from one thread at a time per
 * struct dnssec_key (the signer thread and the world load each hold their
 * own world, so they never share one).
 */
#ifndef MXS_DNSSEC_H
#define MXS_DNSSEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNSSEC_ALG_ECDSAP256SHA256 13
#define DNSSEC_ALG_ED25519         15

#define DNSSEC_TYPE_DS      43
#define DNSSEC_TYPE_RRSIG   46
#define DNSSEC_TYPE_NSEC    47
#define DNSSEC_TYPE_DNSKEY  48
#define DNSSEC_TYPE_CDS     59
#define DNSSEC_TYPE_CDNSKEY 60

#define DNSSEC_SIG_MAX      64	/* signature bytes, both algorithms */
/* RRSIG rdata: 18 fixed bytes, the signer name, the signature */
#define DNSSEC_RRSIG_MAX    (18 + 255 + DNSSEC_SIG_MAX)
#define DNSSEC_DS_LEN       36	/* key tag, alg, digest type 2, SHA-256 */

struct dnssec_key {
	char     *base;		/* path without .key/.private */
	uint8_t   alg;		/* 13 or 15 */
	uint16_t  flags;	/* DNSKEY flags as in the file (257: CSK/KSK) */
	uint16_t  tag;		/* RFC 4034 appendix B */
	uint8_t  *dnskey;	/* DNSKEY rdata: flags, protocol 3, alg, key */
	size_t    dnskey_len;
	void     *pkey;		/* EVP_PKEY *, private */
};

/*
 * Load the key pair <base>.key / <base>.private for the zone origin.
 * \param origin  the zone apex, wire form, lowercase
 * \param why     on failure, one sentence naming the file ("...: the key's
 *                owner is other.example., not the zone apex mail.example.")
 * \retval 0      k filled; dnssec_key_free() releases it
 * \retval -1     missing, unreadable, readable by others, malformed, owner
 *                not the apex, unsupported algorithm (not 13 or 15), key
 *                not a zone key (flags bit 7 clear), private and public
 *                parts that do not match
 */
int dnssec_key_load(const char *base, const uint8_t *origin, size_t olen,
    struct dnssec_key *k, char *why, size_t whylen);

void dnssec_key_free(struct dnssec_key *k);

/* RFC 4034 appendix B key tag of DNSKEY rdata. */
uint16_t dnssec_keytag(const uint8_t *rdata, size_t len);

/*
 * The DS rdata of key k (digest type 2, SHA-256 over owner | DNSKEY
 * rdata, RFC 4509): key tag, algorithm, 2, 32-byte digest. Also the CDS.
 * \retval 0 ok, -1 failure (out of memory)
 */
int dnssec_ds(const struct dnssec_key *k, const uint8_t *origin, size_t olen,
    uint8_t out[DNSSEC_DS_LEN]);

/* One RRset to sign; rdata as in struct zone_rrset: count x (uint16
 * rdlength big-endian, rdata), names uncompressed, any case. */
struct dnssec_rrset {
	const uint8_t *owner;	/* wire, any case; "*.x" for a wildcard */
	size_t         olen;
	uint16_t       type;
	uint32_t       ttl;	/* original TTL */
	const uint8_t *rdata;
	size_t         rdata_len;
	uint16_t       count;
};

/*
 * Sign rs with k: the RRSIG rdata into out.
 * \param signer      the zone origin, wire, lowercase
 * \param inception   RFC 4034 3.1.5, seconds since the epoch (mod 2^32)
 * \param expiration
 * \param out         at least DNSSEC_RRSIG_MAX bytes
 * \retval n          bytes written to out
 * \retval 0          failure (malformed rdata, out of memory, crypto error)
 * Allocates (canonical form, signature context): not for the query path.
 */
size_t dnssec_sign(const struct dnssec_key *k, const uint8_t *signer,
    size_t slen, uint32_t inception, uint32_t expiration,
    const struct dnssec_rrset *rs, uint8_t *out);

/*
 * Verify an RRSIG rdata over rs with k's public key (tests, the load-time
 * self check).
 * \retval true  the signature is good (times are not checked)
 */
bool dnssec_verify(const struct dnssec_key *k, const struct dnssec_rrset *rs,
    const uint8_t *rrsig, size_t rrsig_len);

/*
 * Write a new key pair for zone origin_text ("mail.example.com.") in dir:
 * <dir>/K<origin>+<alg:03>+<tag:05>.key (mode 0644) and .private (mode
 * 0600, created exclusively), in the format dnssec_key_load() reads and
 * BIND's tools read too. flags 257.
 * \param base_out  the base path written (no suffix), caller frees
 * \retval 0 ok; -1: why says why (nothing is left half written)
 */
int dnssec_keygen(const char *dir, const char *origin_text, int alg,
    char **base_out, char *why, size_t whylen);

/* Presentation form of a DS (or CDS) rdata: "12345 13 2 ABCD..." (hex
 * uppercase), into out (at least 2 * DNSSEC_DS_LEN + 24 bytes). */
void dnssec_ds_text(const uint8_t ds[DNSSEC_DS_LEN], char *out, size_t outlen);

#endif
