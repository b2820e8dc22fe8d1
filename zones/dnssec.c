/* dnssec.c - DNSSEC keys and signatures: BIND key files, key tags, DS, RRSIG over canonical RRsets (see dnssec.h). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <ldns/ldns.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "dnsd/base/secret.h"
#include "dnsd/base/wire.h"
#include "zones/dnssec.h"

#define KEY_FILE_MAX     (64 * 1024)	/* a .key file is a few lines */
#define PRIVATE_FILE_MAX 8192
#define PRIV_LEN         32	/* private key bytes, both algorithms */
#define EC_PUB_LEN       64	/* DNSKEY public key of alg 13: x || y */
#define ED_PUB_LEN       32
#define RRSIG_FIXED      18	/* RRSIG rdata before the signer name */
#define KEYGEN_TRIES     8	/* key tag collisions with files in dir */
#define DNSKEY_ZONE      0x0100	/* flags: zone key (RFC 4034 2.1.1) */
#define DNSKEY_REVOKE    0x0080	/* flags: revoked (RFC 5011 2.1) */

static const char selfcheck_msg[] = "mxspread: key pair self check";

static int
fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* a followed by b, malloc'ed; NULL when memory is short */
static char *
concat(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p;

	if ((p = malloc(la + lb + 1)) != NULL) {
		memcpy(p, a, la);
		memcpy(p + la, b, lb + 1);
	}
	return p;
}

static const char *
alg_name(unsigned alg)
{
	const ldns_lookup_table *t;

	t = ldns_lookup_by_id(ldns_algorithms, (int)alg);
	return t != NULL && t->name != NULL ? t->name : "unknown";
}

static size_t
pub_len(unsigned alg)
{
	return alg == DNSSEC_ALG_ECDSAP256SHA256 ? EC_PUB_LEN :
	    alg == DNSSEC_ALG_ED25519 ? ED_PUB_LEN : 0;
}

/* ---- base64 (OpenSSL's block coder: no line breaks, explicit padding) ---- */

/*
 * Decode the base64 text s[0..n) (blanks around it ignored) into out.
 * \retval bytes decoded, or -1 when s is not base64 or does not fit cap
 */
static long
b64_decode(const char *s, size_t n, uint8_t *out, size_t cap)
{
	uint8_t tmp[192];
	size_t pad = 0;
	int r;

	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0 || n % 4 != 0 || n / 4 * 3 > sizeof(tmp))
		return -1;
	if (s[n - 1] == '=')
		pad = s[n - 2] == '=' ? 2 : 1;
	/* EVP_DecodeBlock counts the padding as zero bytes */
	if ((r = EVP_DecodeBlock(tmp, (const unsigned char *)s, (int)n)) < 0 ||
	    (size_t)r < pad || (size_t)r - pad > cap) {
		explicit_bzero(tmp, sizeof(tmp));
		return -1;
	}
	memcpy(out, tmp, (size_t)r - pad);
	explicit_bzero(tmp, sizeof(tmp));
	return (long)((size_t)r - pad);
}

/* NUL-terminated base64 of in[0..n) into out (4 * ceil(n / 3) + 1 bytes). */
static void
b64_encode(const uint8_t *in, size_t n, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

/* ---- EVP keys ---- */

/*
 * An EVP_PKEY from DNSKEY public key bytes and, when priv is not NULL, the
 * 32-byte private key. For ECDSA the public point comes from the DNSKEY
 * (RFC 6605 4: x || y), so a key pair built here signs with priv and
 * verifies with the DNSKEY's point: the self check compares the two.
 */
static EVP_PKEY *
make_pkey(unsigned alg, const uint8_t *pub, const uint8_t *priv)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	BIGNUM *d = NULL;
	uint8_t point[1 + EC_PUB_LEN];

	if (alg == DNSSEC_ALG_ED25519)
		return priv != NULL ?
		    EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, priv,
		    PRIV_LEN) :
		    EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub,
		    ED_PUB_LEN);
	if (alg != DNSSEC_ALG_ECDSAP256SHA256)
		return NULL;
	point[0] = 0x04;	/* uncompressed (SEC 1 2.3.3) */
	memcpy(point + 1, pub, EC_PUB_LEN);
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    point, sizeof(point)))
		goto done;
	if (priv != NULL) {
		/* a secure BIGNUM makes the builder keep (and wipe) its copy
		 * in secure memory too */
		if ((d = BN_secure_new()) == NULL ||
		    BN_bin2bn(priv, PRIV_LEN, d) == NULL ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d))
			goto done;
	}
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, priv != NULL ? EVP_PKEY_KEYPAIR :
	    EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
done:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(d);
	return pkey;
}

/* Sign data: 64 bytes (ECDSA r || s, RFC 6605 4; Ed25519) into sig. */
static int
sign_raw(EVP_PKEY *pkey, unsigned alg, const uint8_t *data, size_t len,
    uint8_t sig[DNSSEC_SIG_MAX])
{
	EVP_MD_CTX *ctx;
	ECDSA_SIG *es = NULL;
	const BIGNUM *r, *s;
	const unsigned char *p;
	uint8_t der[128];
	size_t dlen = sizeof(der);
	int rc = -1;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (alg == DNSSEC_ALG_ED25519) {
		dlen = DNSSEC_SIG_MAX;
		if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, pkey) > 0 &&
		    EVP_DigestSign(ctx, sig, &dlen, data, len) > 0 &&
		    dlen == DNSSEC_SIG_MAX)
			rc = 0;
		goto done;
	}
	if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pkey) <= 0 ||
	    EVP_DigestSign(ctx, der, &dlen, data, len) <= 0)
		goto done;
	p = der;
	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)dlen)) == NULL)
		goto done;
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, sig, 32) == 32 && BN_bn2binpad(s, sig + 32, 32) == 32)
		rc = 0;
done:
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* \retval true when sig (64 bytes) is pkey's signature of data */
static bool
verify_raw(EVP_PKEY *pkey, unsigned alg, const uint8_t *data, size_t len,
    const uint8_t *sig, size_t siglen)
{
	EVP_MD_CTX *ctx;
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *der = NULL;
	int dlen;
	bool ok = false;

	if (siglen != DNSSEC_SIG_MAX || (ctx = EVP_MD_CTX_new()) == NULL)
		return false;
	if (alg == DNSSEC_ALG_ED25519) {
		ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) > 0 &&
		    EVP_DigestVerify(ctx, sig, siglen, data, len) == 1;
		goto done;
	}
	if ((es = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(sig, 32, NULL)) == NULL ||
	    (s = BN_bin2bn(sig + 32, 32, NULL)) == NULL)
		goto done;
	if (!ECDSA_SIG_set0(es, r, s))
		goto done;
	r = s = NULL;		/* es owns them */
	if ((dlen = i2d_ECDSA_SIG(es, &der)) <= 0)
		goto done;
	ok = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pkey) > 0 &&
	    EVP_DigestVerify(ctx, der, (size_t)dlen, data, len) == 1;
done:
	OPENSSL_free(der);
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* ---- the .key file ---- */

/* Whether line (NUL-terminated) holds only blanks or a comment. */
static bool
line_empty(const char *line)
{
	while (isspace((unsigned char)*line))
		line++;
	return *line == '\0' || *line == ';';
}

/* Parenthesis depth change of a line, comments (';' on) not counted. A
 * DNSKEY has no quoted text, so ';' always starts a comment. */
static int
line_parens(const char *line)
{
	int n = 0;

	for (; *line != '\0' && *line != ';'; line++)
		n += *line == '(' ? 1 : *line == ')' ? -1 : 0;
	return n;
}

/*
 * The one record of a .key file as text: the first line that is not blank
 * nor a comment, joined with the following ones while a parenthesis is
 * open. \retval malloc'ed text, NULL with why set
 */
static char *
key_record_text(const char *path, char *why, size_t whylen)
{
	FILE *f;
	char *line = NULL, *rec = NULL, *p;
	size_t cap = 0, len = 0, total = 0;
	ssize_t n;
	int depth = 0, lineno = 0, recline = 0;
	bool done = false;

	if ((f = fopen(path, "re")) == NULL) {
		fail(why, whylen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	while ((n = getline(&line, &cap, f)) != -1) {
		lineno++;
		if ((total += (size_t)n) > KEY_FILE_MAX) {
			fail(why, whylen, "%s: longer than %d bytes; not a key "
			    "file", path, KEY_FILE_MAX);
			goto err;
		}
		if (done || (rec == NULL && line_empty(line))) {
			if (done && !line_empty(line)) {
				fail(why, whylen, "%s: a second record at line "
				    "%d; a key file holds one DNSKEY record",
				    path, lineno);
				goto err;
			}
			continue;
		}
		if (rec == NULL)
			recline = lineno;
		if ((p = realloc(rec, len + (size_t)n + 2)) == NULL) {
			fail(why, whylen, "%s: out of memory", path);
			goto err;
		}
		rec = p;
		/* a comment ends at the end of its line, not of the record
		 * the lines are joined into */
		if ((p = strchr(line, ';')) != NULL)
			n = p - line;
		memcpy(rec + len, line, (size_t)n);
		len += (size_t)n;
		rec[len++] = ' ';
		rec[len] = '\0';
		depth += line_parens(line);
		if (depth <= 0)
			done = true;
	}
	if (ferror(f)) {
		fail(why, whylen, "%s: %s", path, strerror(errno));
		goto err;
	}
	if (rec == NULL) {
		fail(why, whylen, "%s: no DNSKEY record (only comments and "
		    "blank lines)", path);
		goto err;
	}
	if (depth > 0) {
		fail(why, whylen, "%s: the record of line %d has an unclosed "
		    "parenthesis", path, recline);
		goto err;
	}
	/* newlines inside parentheses are blanks to ldns's record parser */
	for (p = rec; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	free(line);
	fclose(f);
	return rec;
err:
	free(line);
	free(rec);
	fclose(f);
	return NULL;
}

/* Read <base>.key into k (dnskey, alg, flags, tag); why on failure. */
static int
load_public(const char *path, const uint8_t *origin, size_t olen,
    struct dnssec_key *k, char *why, size_t whylen)
{
	ldns_rr *rr = NULL;
	ldns_buffer *buf = NULL;
	EVP_PKEY *pub = NULL;
	ldns_status st;
	const ldns_rdf *owner;
	uint8_t lower[WIRE_NAME_MAX];
	char t1[WIRE_NAME_TEXT_MAX], t2[WIRE_NAME_TEXT_MAX], *s, *rec;
	const uint8_t *rd;
	size_t rdlen;
	int rc = -1;

	if ((rec = key_record_text(path, why, whylen)) == NULL)
		return -1;
	if ((st = ldns_rr_new_frm_str(&rr, rec, 3600, NULL, NULL)) !=
	    LDNS_STATUS_OK) {
		fail(why, whylen, "%s: the DNSKEY record does not parse (%s)",
		    path, ldns_get_errorstr_by_id(st));
		goto done;
	}
	if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_DNSKEY) {
		s = ldns_rr_type2str(ldns_rr_get_type(rr));
		fail(why, whylen, "%s: the record is of type %s, not DNSKEY",
		    path, s != NULL ? s : "?");
		free(s);
		goto done;
	}
	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
		s = ldns_rr_class2str(ldns_rr_get_class(rr));
		fail(why, whylen, "%s: the record's class is %s, not IN", path,
		    s != NULL ? s : "?");
		free(s);
		goto done;
	}
	owner = ldns_rr_owner(rr);
	if (ldns_rdf_size(owner) > sizeof(lower) ||
	    wire_name_len(ldns_rdf_data(owner), ldns_rdf_size(owner)) !=
	    ldns_rdf_size(owner)) {
		/* a relative owner: no root label */
		s = ldns_rdf2str(owner);
		fail(why, whylen, "%s: the key's owner %s is not an absolute "
		    "name (the zone apex, with its trailing dot)", path,
		    s != NULL ? s : "?");
		free(s);
		goto done;
	}
	wire_name_lower(lower, ldns_rdf_data(owner), ldns_rdf_size(owner));
	if (ldns_rdf_size(owner) != olen || memcmp(lower, origin, olen) != 0) {
		fail(why, whylen, "%s: the key's owner is %s, not the zone apex "
		    "%s", path, wire_name_text(lower, t1, sizeof(t1)),
		    wire_name_text(origin, t2, sizeof(t2)));
		goto done;
	}
	if ((buf = ldns_buffer_new(512)) == NULL ||
	    ldns_rr_rdata2buffer_wire(buf, rr) != LDNS_STATUS_OK) {
		fail(why, whylen, "%s: out of memory", path);
		goto done;
	}
	rd = ldns_buffer_begin(buf);
	rdlen = ldns_buffer_position(buf);
	if (rdlen < 4) {
		fail(why, whylen, "%s: the DNSKEY has no key", path);
		goto done;
	}
	if (rd[2] != 3) {
		fail(why, whylen, "%s: the DNSKEY's protocol is %u, not 3 (RFC "
		    "4034 2.1.2)", path, rd[2]);
		goto done;
	}
	if (rd[3] != DNSSEC_ALG_ECDSAP256SHA256 && rd[3] != DNSSEC_ALG_ED25519) {
		fail(why, whylen, "%s: algorithm %u (%s) is not supported (13 "
		    "ECDSAP256SHA256 or 15 ED25519)", path, rd[3],
		    alg_name(rd[3]));
		goto done;
	}
	k->flags = wire_get16(rd);
	if (!(k->flags & DNSKEY_ZONE)) {
		fail(why, whylen, "%s: flags %u: not a zone key (the zone key "
		    "bit, 256, is clear; a CSK has flags 257)", path, k->flags);
		goto done;
	}
	if (k->flags & DNSKEY_REVOKE) {
		/* validators ignore what a revoked key signs (RFC 5011 3) */
		fail(why, whylen, "%s: flags %u: the key is revoked (RFC 5011); "
		    "it cannot sign the zone", path, k->flags);
		goto done;
	}
	if (rdlen - 4 != pub_len(rd[3])) {
		fail(why, whylen, "%s: the public key is %zu bytes, not %zu as "
		    "algorithm %u (%s) has", path, rdlen - 4, pub_len(rd[3]),
		    rd[3], alg_name(rd[3]));
		goto done;
	}
	if ((pub = make_pkey(rd[3], rd + 4, NULL)) == NULL) {
		fail(why, whylen, "%s: the public key is not a valid %s key",
		    path, alg_name(rd[3]));
		goto done;
	}
	if ((k->dnskey = malloc(rdlen)) == NULL) {
		fail(why, whylen, "%s: out of memory", path);
		goto done;
	}
	memcpy(k->dnskey, rd, rdlen);
	k->dnskey_len = rdlen;
	k->alg = rd[3];
	k->tag = dnssec_keytag(rd, rdlen);
	rc = 0;
done:
	EVP_PKEY_free(pub);
	ldns_buffer_free(buf);
	ldns_rr_free(rr);
	free(rec);
	return rc;
}

/* ---- the .private file ---- */

/*
 * The value of "name: value" in the private file text (one line each),
 * blanks around the value dropped. \retval true found (*v, *vlen set)
 */
static bool
private_field(const char *text, size_t len, const char *name,
    const char **v, size_t *vlen)
{
	const char *p = text, *end = text + len, *eol, *colon;
	size_t nlen = strlen(name);

	for (; p < end; p = eol + 1) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		colon = memchr(p, ':', (size_t)(eol - p));
		if (colon == NULL || (size_t)(colon - p) != nlen ||
		    strncasecmp(p, name, nlen) != 0)
			continue;
		p = colon + 1;
		while (p < eol && isspace((unsigned char)*p))
			p++;
		*vlen = (size_t)(eol - p);
		while (*vlen > 0 && isspace((unsigned char)p[*vlen - 1]))
			(*vlen)--;
		*v = p;
		return true;
	}
	return false;
}

/*
 * Read <base>.private and build k->pkey from it and k->dnskey's public key.
 * Every copy of the private key made here is wiped.
 */
static int
load_private(const char *path, const char *keypath, struct dnssec_key *k,
    char *why, size_t whylen)
{
	struct secret sec = { 0 };
	const char *v;
	char *end;
	size_t vlen;
	unsigned long alg;
	uint8_t priv[PRIV_LEN];
	long n;
	int rc = -1;

	if (secret_read(path, PRIVATE_FILE_MAX, 0, &sec, why, whylen) == -1)
		return -1;
	if (!private_field(sec.data, sec.len, "Private-key-format", &v, &vlen)) {
		fail(why, whylen, "%s: no \"Private-key-format: v1.x\" line; not "
		    "a BIND private key file", path);
		goto done;
	}
	if (vlen < 4 || strncmp(v, "v1.", 3) != 0) {
		fail(why, whylen, "%s: Private-key-format %.*s is not supported "
		    "(v1.x)", path, (int)(vlen > 16 ? 16 : vlen), v);
		goto done;
	}
	if (!private_field(sec.data, sec.len, "Algorithm", &v, &vlen)) {
		fail(why, whylen, "%s: no \"Algorithm:\" line", path);
		goto done;
	}
	errno = 0;
	alg = strtoul(v, &end, 10);
	if (end == v || errno != 0 || alg > 255) {
		fail(why, whylen, "%s: the Algorithm line does not start with "
		    "a number", path);
		goto done;
	}
	if (alg != k->alg) {
		fail(why, whylen, "%s: algorithm %lu (%s), but %s has algorithm "
		    "%u (%s)", path, alg, alg_name((unsigned)alg), keypath,
		    k->alg, alg_name(k->alg));
		goto done;
	}
	if (!private_field(sec.data, sec.len, "PrivateKey", &v, &vlen)) {
		fail(why, whylen, "%s: no \"PrivateKey:\" line", path);
		goto done;
	}
	n = b64_decode(v, vlen, priv, sizeof(priv));
	/* ECDSA's private key is an integer, and ldns-keygen writes it
	 * without its leading zero bytes (BN_bn2bin): one key in 256 is 31
	 * bytes long. Ed25519's is a 32-byte string. */
	if (k->alg == DNSSEC_ALG_ECDSAP256SHA256 && n > 0 && n < PRIV_LEN) {
		memmove(priv + (PRIV_LEN - n), priv, (size_t)n);
		memset(priv, 0, (size_t)(PRIV_LEN - n));
		n = PRIV_LEN;
	}
	if (n != PRIV_LEN) {
		fail(why, whylen, k->alg == DNSSEC_ALG_ECDSAP256SHA256 ?
		    "%s: PrivateKey is not an integer of 1 to %d bytes in "
		    "base64" : "%s: PrivateKey is not %d bytes in base64",
		    path, PRIV_LEN);
		goto done;
	}
	if ((k->pkey = make_pkey(k->alg, k->dnskey + 4, priv)) == NULL) {
		fail(why, whylen, "%s: the private key is not a valid %s key",
		    path, alg_name(k->alg));
		goto done;
	}
	rc = 0;
done:
	explicit_bzero(priv, sizeof(priv));
	secret_free(&sec);
	return rc;
}

/* Sign a fixed message and verify it with the DNSKEY's public key alone. */
static bool
key_selfcheck(const struct dnssec_key *k)
{
	EVP_PKEY *pub;
	uint8_t sig[DNSSEC_SIG_MAX];
	bool ok;

	if ((pub = make_pkey(k->alg, k->dnskey + 4, NULL)) == NULL)
		return false;
	ok = sign_raw(k->pkey, k->alg, (const uint8_t *)selfcheck_msg,
	    sizeof(selfcheck_msg) - 1, sig) == 0 &&
	    verify_raw(pub, k->alg, (const uint8_t *)selfcheck_msg,
	    sizeof(selfcheck_msg) - 1, sig, sizeof(sig));
	EVP_PKEY_free(pub);
	return ok;
}

int
dnssec_key_load(const char *base, const uint8_t *origin, size_t olen,
    struct dnssec_key *k, char *why, size_t whylen)
{
	struct dnssec_key key = { 0 };
	char *keypath = NULL, *privpath = NULL;
	int rc = -1;

	memset(k, 0, sizeof(*k));
	if ((keypath = concat(base, ".key")) == NULL ||
	    (privpath = concat(base, ".private")) == NULL) {
		fail(why, whylen, "%s.key: out of memory", base);
		goto done;
	}
	if (wire_name_len(origin, olen) != olen) {
		fail(why, whylen, "%s: the zone apex is not a valid name",
		    keypath);
		goto done;
	}
	if (load_public(keypath, origin, olen, &key, why, whylen) == -1 ||
	    load_private(privpath, keypath, &key, why, whylen) == -1)
		goto done;
	if (!key_selfcheck(&key)) {
		fail(why, whylen, "%s: the private key does not match the "
		    "public key in %s", privpath, keypath);
		goto done;
	}
	if ((key.base = strdup(base)) == NULL) {
		fail(why, whylen, "%s: out of memory", keypath);
		goto done;
	}
	*k = key;
	memset(&key, 0, sizeof(key));
	rc = 0;
done:
	dnssec_key_free(&key);
	free(keypath);
	free(privpath);
	return rc;
}

void
dnssec_key_free(struct dnssec_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k->dnskey);
	free(k->base);
	memset(k, 0, sizeof(*k));
}

/* ---- key tag, DS ---- */

uint16_t
dnssec_keytag(const uint8_t *rdata, size_t len)
{
	uint32_t ac = 0;

	/* RSAMD5 (algorithm 1): the key's modulus bits, RFC 4034 B.1 */
	if (len >= 4 && rdata[3] == 1)
		return len >= 7 ? (uint16_t)((rdata[len - 3] << 8) |
		    rdata[len - 2]) : 0;
	for (size_t i = 0; i < len; i++)
		ac += (i & 1) ? rdata[i] : (uint32_t)rdata[i] << 8;
	ac += (ac >> 16) & 0xFFFF;
	return (uint16_t)(ac & 0xFFFF);
}

int
dnssec_ds(const struct dnssec_key *k, const uint8_t *origin, size_t olen,
    uint8_t out[DNSSEC_DS_LEN])
{
	EVP_MD_CTX *ctx;
	uint8_t owner[WIRE_NAME_MAX];
	unsigned mdlen = 0;
	int rc = -1;

	if (olen == 0 || olen > sizeof(owner) || k->dnskey == NULL)
		return -1;
	wire_name_lower(owner, origin, olen);
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) > 0 &&
	    EVP_DigestUpdate(ctx, owner, olen) > 0 &&
	    EVP_DigestUpdate(ctx, k->dnskey, k->dnskey_len) > 0 &&
	    EVP_DigestFinal_ex(ctx, out + 4, &mdlen) > 0 && mdlen == 32) {
		wire_set16(out, k->tag);
		out[2] = k->alg;
		out[3] = 2;	/* SHA-256, RFC 4509 */
		rc = 0;
	}
	EVP_MD_CTX_free(ctx);
	return rc;
}

void
dnssec_ds_text(const uint8_t ds[DNSSEC_DS_LEN], char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	char digest[2 * (DNSSEC_DS_LEN - 4) + 1];

	for (size_t i = 4; i < DNSSEC_DS_LEN; i++) {
		digest[2 * (i - 4)] = hex[ds[i] >> 4];
		digest[2 * (i - 4) + 1] = hex[ds[i] & 15];
	}
	digest[sizeof(digest) - 1] = '\0';
	snprintf(out, outlen, "%u %u %u %s", wire_get16(ds), ds[2], ds[3],
	    digest);
}

/* ---- canonical RRsets (RFC 4034 6.2, 6.3; RFC 6840 5.1) ---- */

/* Lowercase the name at *off in rd (len bytes), advancing *off past it. */
static int
canon_name(uint8_t *rd, size_t len, size_t *off)
{
	size_t n;

	if (*off >= len || (n = wire_name_len(rd + *off, len - *off)) == 0)
		return -1;
	wire_name_lower(rd + *off, rd + *off, n);
	*off += n;
	return 0;
}

/* Skip a character-string at *off. */
static int
skip_string(const uint8_t *rd, size_t len, size_t *off)
{
	if (*off >= len || *off + 1 + rd[*off] > len)
		return -1;
	*off += 1 + (size_t)rd[*off];
	return 0;
}

/*
 * Canonical rdata in place: the names of the RFC 4034 6.2 types (as
 * corrected by RFC 6840 5.1) lowercase; their layout checked, since a
 * name we cannot find would be signed in the wrong case.
 * \retval 0 ok, -1 malformed
 */
static int
canon_rdata(uint16_t type, uint8_t *rd, size_t len)
{
	size_t off = 0, fixed = 0;
	int names = 0;

	switch (type) {
	case LDNS_RR_TYPE_NS: case LDNS_RR_TYPE_MD: case LDNS_RR_TYPE_MF:
	case LDNS_RR_TYPE_CNAME: case LDNS_RR_TYPE_MB: case LDNS_RR_TYPE_MG:
	case LDNS_RR_TYPE_MR: case LDNS_RR_TYPE_PTR: case LDNS_RR_TYPE_DNAME:
		names = 1;
		break;
	case LDNS_RR_TYPE_SOA:
		names = 2;
		fixed = 20;	/* serial, refresh, retry, expire, minimum */
		break;
	case LDNS_RR_TYPE_MINFO: case LDNS_RR_TYPE_RP:
		names = 2;
		break;
	case LDNS_RR_TYPE_MX: case LDNS_RR_TYPE_AFSDB: case LDNS_RR_TYPE_RT:
	case LDNS_RR_TYPE_KX:
		off = 2;
		names = 1;
		break;
	case LDNS_RR_TYPE_PX:
		off = 2;
		names = 2;
		break;
	case LDNS_RR_TYPE_SRV:
		off = 6;
		names = 1;
		break;
	case LDNS_RR_TYPE_NAPTR:
		off = 4;	/* order, preference; flags, services, regexp */
		if (skip_string(rd, len, &off) == -1 ||
		    skip_string(rd, len, &off) == -1 ||
		    skip_string(rd, len, &off) == -1)
			return -1;
		names = 1;
		break;
	default:
		return 0;
	}
	if (off > len)
		return -1;
	for (int i = 0; i < names; i++)
		if (canon_name(rd, len, &off) == -1)
			return -1;
	return off + fixed == len ? 0 : -1;
}

struct canon_rr {
	const uint8_t *rd;
	uint16_t       len;
};

static int
canon_rr_cmp(const void *a, const void *b)
{
	const struct canon_rr *x = a, *y = b;
	int c;

	c = memcmp(x->rd, y->rd, x->len < y->len ? x->len : y->len);
	if (c != 0)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

/*
 * The data a signature covers (RFC 4034 3.1.8.1): head (the RRSIG rdata
 * up to the signer name, signer included) | every distinct record of rs
 * in canonical order as owner type class ttl rdlength rdata, owner the
 * name given (lowercased here: the wildcard form when verifying).
 * \retval malloc'ed bytes (*len set), NULL when rs is malformed or memory
 * is short
 */
static uint8_t *
signed_data(const uint8_t *head, size_t hlen, const uint8_t *owner,
    size_t olen, uint32_t ttl, const struct dnssec_rrset *rs, size_t *len)
{
	struct canon_rr *rr = NULL;
	uint8_t *copy = NULL, *data = NULL, *p, lower[WIRE_NAME_MAX];
	size_t off = 0, total, i, n;
	uint16_t rdlen;

	if (rs->count == 0 || olen > sizeof(lower) ||
	    wire_name_len(owner, olen) != olen)
		return NULL;
	wire_name_lower(lower, owner, olen);
	if ((copy = malloc(rs->rdata_len)) == NULL ||
	    (rr = calloc(rs->count, sizeof(*rr))) == NULL)
		goto err;
	memcpy(copy, rs->rdata, rs->rdata_len);
	for (i = 0; i < rs->count; i++) {
		if (rs->rdata_len - off < 2)
			goto err;
		rdlen = wire_get16(copy + off);
		off += 2;
		if (rs->rdata_len - off < rdlen ||
		    canon_rdata(rs->type, copy + off, rdlen) == -1)
			goto err;
		rr[i].rd = copy + off;
		rr[i].len = rdlen;
		off += rdlen;
	}
	if (off != rs->rdata_len)
		goto err;
	qsort(rr, rs->count, sizeof(*rr), canon_rr_cmp);
	/* duplicates dropped (RFC 2181 5, RFC 4034 6.3) */
	for (i = 1, n = 1; i < rs->count; i++)
		if (canon_rr_cmp(&rr[i], &rr[n - 1]) != 0)
			rr[n++] = rr[i];
	total = hlen;
	for (i = 0; i < n; i++)
		total += olen + 10 + rr[i].len;
	if ((data = malloc(total)) == NULL)
		goto err;
	memcpy(data, head, hlen);
	p = data + hlen;
	for (i = 0; i < n; i++) {
		memcpy(p, lower, olen);
		p += olen;
		wire_set16(p, rs->type);
		wire_set16(p + 2, WIRE_CLASS_IN);
		wire_set16(p + 4, (uint16_t)(ttl >> 16));
		wire_set16(p + 6, (uint16_t)ttl);
		wire_set16(p + 8, rr[i].len);
		memcpy(p + 10, rr[i].rd, rr[i].len);
		p += 10 + rr[i].len;
	}
	*len = total;
err:
	free(rr);
	free(copy);
	return data;
}

static void
put32(uint8_t *p, uint32_t v)
{
	wire_set16(p, (uint16_t)(v >> 16));
	wire_set16(p + 2, (uint16_t)v);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)wire_get16(p) << 16 | wire_get16(p + 2);
}

size_t
dnssec_sign(const struct dnssec_key *k, const uint8_t *signer,
    size_t slen, uint32_t inception, uint32_t expiration,
    const struct dnssec_rrset *rs, uint8_t *out)
{
	uint8_t *data;
	size_t len;
	unsigned labels;
	int rc;

	if (k->pkey == NULL || wire_name_len(signer, slen) != slen ||
	    wire_name_len(rs->owner, rs->olen) != rs->olen)
		return 0;
	labels = wire_name_labels(rs->owner);
	/* a wildcard owner is signed with the labels of the name below
	 * it (RFC 4034 3.1.3, RFC 4035 5.3.2) */
	if (rs->owner[0] == 1 && rs->owner[1] == '*')
		labels--;
	wire_set16(out, rs->type);
	out[2] = k->alg;
	out[3] = (uint8_t)labels;
	put32(out + 4, rs->ttl);
	put32(out + 8, expiration);
	put32(out + 12, inception);
	wire_set16(out + 16, k->tag);
	wire_name_lower(out + RRSIG_FIXED, signer, slen);
	if ((data = signed_data(out, RRSIG_FIXED + slen, rs->owner, rs->olen,
	    rs->ttl, rs, &len)) == NULL)
		return 0;
	rc = sign_raw(k->pkey, k->alg, data, len, out + RRSIG_FIXED + slen);
	free(data);
	return rc == 0 ? RRSIG_FIXED + slen + DNSSEC_SIG_MAX : 0;
}

bool
dnssec_verify(const struct dnssec_key *k, const struct dnssec_rrset *rs,
    const uint8_t *rrsig, size_t rrsig_len)
{
	EVP_PKEY *pub = NULL;
	uint8_t head[RRSIG_FIXED + WIRE_NAME_MAX], owner[WIRE_NAME_MAX];
	uint8_t *data = NULL;
	const uint8_t *o;
	size_t slen, len, olen;
	unsigned labels, have;
	bool ok = false;

	if (k->dnskey == NULL || rrsig_len < RRSIG_FIXED + 1 ||
	    (slen = wire_name_len(rrsig + RRSIG_FIXED, rrsig_len -
	    RRSIG_FIXED)) == 0 || wire_get16(rrsig) != rs->type ||
	    rrsig[2] != k->alg || wire_get16(rrsig + 16) != k->tag ||
	    wire_name_len(rs->owner, rs->olen) != rs->olen)
		return false;
	memcpy(head, rrsig, RRSIG_FIXED);
	wire_name_lower(head + RRSIG_FIXED, rrsig + RRSIG_FIXED, slen);
	/* the owner as signed: "*." and the rightmost labels when the
	 * RRSIG has fewer labels than the owner (RFC 4035 5.3.2) */
	labels = rrsig[3];
	have = wire_name_labels(rs->owner);
	if (labels > have)
		return false;
	o = rs->owner;
	for (; have > labels; have--)
		o += 1 + *o;
	olen = rs->olen - (size_t)(o - rs->owner);
	if (o != rs->owner) {
		if (olen + 2 > sizeof(owner))
			return false;
		owner[0] = 1;
		owner[1] = '*';
		memcpy(owner + 2, o, olen);
		o = owner;
		olen += 2;
	}
	if ((data = signed_data(head, RRSIG_FIXED + slen, o, olen,
	    get32(rrsig + 4), rs, &len)) == NULL ||
	    (pub = make_pkey(k->alg, k->dnskey + 4, NULL)) == NULL)
		goto done;
	ok = verify_raw(pub, k->alg, data, len, rrsig + RRSIG_FIXED + slen,
	    rrsig_len - RRSIG_FIXED - slen);
done:
	EVP_PKEY_free(pub);
	free(data);
	return ok;
}

/* ---- key generation ---- */

/* Write all of buf to fd. */
static int
write_all(int fd, const char *buf, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, buf, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A new key: private bytes and DNSKEY public key bytes. */
static int
keygen_raw(int alg, uint8_t priv[PRIV_LEN], uint8_t *pub)
{
	EVP_PKEY *pkey;
	BIGNUM *d = NULL;
	uint8_t point[1 + EC_PUB_LEN + 1];
	size_t len = 0;
	int rc = -1;

	if (alg == DNSSEC_ALG_ED25519) {
		if ((pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL)
			return -1;
		len = PRIV_LEN;
		if (EVP_PKEY_get_raw_private_key(pkey, priv, &len) > 0 &&
		    len == PRIV_LEN) {
			len = ED_PUB_LEN;
			if (EVP_PKEY_get_raw_public_key(pkey, pub, &len) > 0 &&
			    len == ED_PUB_LEN)
				rc = 0;
		}
		EVP_PKEY_free(pkey);
		return rc;
	}
	if ((pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) == NULL)
		return -1;
	if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY,
	    point, sizeof(point), &len) > 0 && len == 1 + EC_PUB_LEN &&
	    point[0] == 0x04 &&
	    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) > 0 &&
	    BN_bn2binpad(d, priv, PRIV_LEN) == PRIV_LEN) {
		memcpy(pub, point + 1, EC_PUB_LEN);
		rc = 0;
	}
	BN_clear_free(d);
	EVP_PKEY_free(pkey);
	return rc;
}

/* Create path exclusively with mode and write text; on failure nothing
 * stays. \retval 0, -1 (errno set; EEXIST: the file was there already) */
static int
write_new(const char *path, mode_t mode, const char *text)
{
	int fd, saved;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, mode)) == -1)
		return -1;
	/* the mode as documented, whatever the umask */
	if (fchmod(fd, mode) == -1 || write_all(fd, text, strlen(text)) == -1 ||
	    fsync(fd) == -1) {
		saved = errno;
		close(fd);
		unlink(path);
		errno = saved;
		return -1;
	}
	if (close(fd) == -1) {
		saved = errno;
		unlink(path);
		errno = saved;
		return -1;
	}
	return 0;
}

int
dnssec_keygen(const char *dir, const char *origin_text, int alg,
    char **base_out, char *why, size_t whylen)
{
	ldns_rdf *dname = NULL;
	uint8_t priv[PRIV_LEN], rdata[4 + EC_PUB_LEN];
	char origin[WIRE_NAME_TEXT_MAX + 2], name[WIRE_NAME_TEXT_MAX + 32];
	char privtext[512], b64[128];
	char stamp[16], human[64], *keytext = NULL, *base = NULL;
	char *keypath = NULL, *privpath = NULL;
	const char *sep;
	struct tm tm;
	time_t now;
	size_t n, plen;
	uint16_t tag;
	int tries, rc = -1;

	*base_out = NULL;
	if (alg != DNSSEC_ALG_ECDSAP256SHA256 && alg != DNSSEC_ALG_ED25519)
		return fail(why, whylen, "algorithm %d (%s) is not supported "
		    "(13 ECDSAP256SHA256 or 15 ED25519)", alg,
		    alg_name((unsigned)alg & 0xFF));
	n = strlen(origin_text);
	if (n == 0 || n > WIRE_NAME_TEXT_MAX || strchr(origin_text, '/') ||
	    (dname = ldns_dname_new_frm_str(origin_text)) == NULL)
		return fail(why, whylen, "%s is not a valid zone name",
		    origin_text);
	ldns_rdf_deep_free(dname);
	snprintf(origin, sizeof(origin), "%s%s", origin_text,
	    origin_text[n - 1] == '.' ? "" : ".");
	if (dir == NULL || dir[0] == '\0')
		dir = ".";
	sep = dir[strlen(dir) - 1] == '/' ? "" : "/";
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
	strftime(human, sizeof(human), "%a %b %e %H:%M:%S %Y", &tm);
	plen = pub_len((unsigned)alg);

	for (tries = 0; tries < KEYGEN_TRIES; tries++) {
		free(base);
		free(keypath);
		free(privpath);
		free(keytext);
		base = keypath = privpath = keytext = NULL;
		if (keygen_raw(alg, priv, rdata + 4) == -1) {
			fail(why, whylen, "%s: key generation failed (OpenSSL)",
			    dir);
			goto done;
		}
		wire_set16(rdata, 257);
		rdata[2] = 3;
		rdata[3] = (uint8_t)alg;
		tag = dnssec_keytag(rdata, 4 + plen);
		snprintf(name, sizeof(name), "%sK%s+%03d+%05u", sep, origin,
		    alg, tag);
		if ((base = concat(dir, name)) == NULL ||
		    (keypath = concat(base, ".key")) == NULL ||
		    (privpath = concat(base, ".private")) == NULL) {
			fail(why, whylen, "%s: out of memory", dir);
			goto done;
		}
		b64_encode(rdata + 4, plen, b64);
		if (asprintf(&keytext, "; This is a key-signing key, keyid %u, "
		    "for %s\n; Created: %s (%s)\n; Publish: %s (%s)\n"
		    "; Activate: %s (%s)\n%s IN DNSKEY 257 3 %d %s\n", tag,
		    origin, stamp, human, stamp, human, stamp, human, origin,
		    alg, b64) < 0) {
			keytext = NULL;
			fail(why, whylen, "%s: out of memory", dir);
			goto done;
		}
		b64_encode(priv, PRIV_LEN, b64);
		snprintf(privtext, sizeof(privtext), "Private-key-format: v1.3\n"
		    "Algorithm: %d (%s)\nPrivateKey: %s\nCreated: %s\n"
		    "Publish: %s\nActivate: %s\n", alg,
		    alg == DNSSEC_ALG_ED25519 ? "ED25519" : "ECDSAP256SHA256",
		    b64, stamp, stamp, stamp);
		explicit_bzero(b64, sizeof(b64));
		explicit_bzero(priv, sizeof(priv));
		/* the .key first: if its name is taken (a key of that tag
		 * exists), another key is made */
		if (write_new(keypath, 0644, keytext) == -1) {
			if (errno == EEXIST)
				continue;
			fail(why, whylen, "%s: %s", keypath, strerror(errno));
			goto done;
		}
		if (write_new(privpath, 0600, privtext) == -1) {
			int saved = errno;

			unlink(keypath);
			if (saved == EEXIST)
				continue;
			fail(why, whylen, "%s: %s", privpath, strerror(saved));
			goto done;
		}
		*base_out = base;
		base = NULL;
		rc = 0;
		goto done;
	}
	fail(why, whylen, "%s: %d new keys all had the key tag of a key file "
	    "already there", dir, KEYGEN_TRIES);
done:
	explicit_bzero(privtext, sizeof(privtext));
	explicit_bzero(priv, sizeof(priv));
	explicit_bzero(b64, sizeof(b64));
	free(base);
	free(keypath);
	free(privpath);
	free(keytext);
	return rc;
}
