/* test_dnssec.c - unit tests of DNSSEC keys and signatures (zones/dnssec.c):
 * key files of dnssec-keygen, ldns-keygen and our own keygen load; our DS
 * is BIND's; our RRSIGs verify with ldns (canonical order and case,
 * duplicates, wildcards); refusals name the file and say why. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <ldns/ldns.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include "dnsd/base/wire.h"
#include "tests/unit/testutil.h"
#include "zones/dnssec.h"

#define ZONE "mail.example.com."

static char dir[] = "/tmp/test_dnssec.XXXXXX";
static uint8_t origin[256];
static size_t olen;

static int
setup(void **state)
{
	if (mkdtemp(dir) == NULL)
		return -1;
	olen = wire(ZONE, origin);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static bool
have(const char *tool)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

/* Skip the running test (cmocka) when tool is not installed. */
#define NEED(tool) do {							\
	if (!have(tool)) {						\
		print_message("skipped: %s not installed (bind9-utils, "	\
		    "ldnsutils: make deps)\n", tool);			\
		skip();							\
	}								\
} while (0)

/* Run cmd (in dir); its first output line, trimmed, into out. */
static void
run_line(const char *cmd, char *out, size_t outlen)
{
	char full[1600], line[256];
	FILE *p;
	size_t n;

	snprintf(full, sizeof(full), "cd %s && %s 2>/dev/null", dir, cmd);
	assert_non_null(p = popen(full, "r"));
	out[0] = '\0';
	if (fgets(out, (int)outlen, p) == NULL)
		out[0] = '\0';
	/* the rest is read too: a writer must not die of SIGPIPE */
	while (fgets(line, sizeof(line), p) != NULL)
		continue;
	assert_int_equal(pclose(p), 0);
	n = strlen(out);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = '\0';
	assert_true(n > 0);
}

static void
load_ok(const char *base, struct dnssec_key *k)
{
	char why[1024] = "";

	if (dnssec_key_load(base, origin, olen, k, why, sizeof(why)) != 0)
		fail_msg("%s: %s", base, why);
}

/* dnssec_key_load refuses base with a message that starts with path and
 * contains what. */
static void
load_refused(const char *base, const char *path, const char *what)
{
	struct dnssec_key k;
	char why[1024] = "";

	assert_int_equal(dnssec_key_load(base, origin, olen, &k, why,
	    sizeof(why)), -1);
	if (strncmp(why, path, strlen(path)) != 0 || strstr(why, what) == NULL)
		fail_msg("refusal of %s: \"%s\", expected \"%s: ...%s...\"",
		    base, why, path, what);
	assert_null(k.pkey);
	assert_null(k.dnskey);
	assert_null(k.base);
}

/* The DNSKEY record of base.key, parsed by ldns (not by us). */
static ldns_rr *
ldns_key_of(const char *base)
{
	char path[512], line[2048], rec[2048] = "";
	ldns_rr *rr = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s.key", base);
	assert_non_null(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f) != NULL)
		if (line[0] != ';' && line[0] != '\n')
			snprintf(rec, sizeof(rec), "%s", line);
	fclose(f);
	assert_int_equal(ldns_rr_new_frm_str(&rr, rec, 3600, NULL, NULL),
	    LDNS_STATUS_OK);
	return rr;
}

/* The key tag in a BIND file name "...+013+01234". */
static unsigned
name_tag(const char *base)
{
	const char *p = strrchr(base, '+');

	assert_non_null(p);
	return (unsigned)atoi(p + 1);
}

/* An RRset from record texts (all of one owner and type), for both
 * sides: our struct dnssec_rrset (rdata into buf) and an ldns list. */
static void
make_rrset(const char *const *texts, size_t n, uint8_t *owner,
    uint8_t *buf, size_t cap, struct dnssec_rrset *rs, ldns_rr_list **list)
{
	ldns_buffer *b;
	ldns_rr *rr;
	size_t off = 0;

	memset(rs, 0, sizeof(*rs));
	if (list != NULL)
		*list = ldns_rr_list_new();
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(ldns_rr_new_frm_str(&rr, texts[i], 3600, NULL,
		    NULL), LDNS_STATUS_OK);
		if (i == 0) {
			rs->olen = ldns_rdf_size(ldns_rr_owner(rr));
			memcpy(owner, ldns_rdf_data(ldns_rr_owner(rr)),
			    rs->olen);
			rs->owner = owner;
			rs->type = ldns_rr_get_type(rr);
			rs->ttl = ldns_rr_ttl(rr);
		}
		b = ldns_buffer_new(512);
		assert_int_equal(ldns_rr_rdata2buffer_wire(b, rr),
		    LDNS_STATUS_OK);
		assert_true(off + 2 + ldns_buffer_position(b) <= cap);
		wire_set16(buf + off, (uint16_t)ldns_buffer_position(b));
		memcpy(buf + off + 2, ldns_buffer_begin(b),
		    ldns_buffer_position(b));
		off += 2 + ldns_buffer_position(b);
		ldns_buffer_free(b);
		if (list != NULL)
			ldns_rr_list_push_rr(*list, rr);
		else
			ldns_rr_free(rr);
	}
	rs->rdata = buf;
	rs->rdata_len = off;
	rs->count = (uint16_t)n;
}

/* The RRSIG record of rdata sig for an RRset of owner (wire), as ldns
 * reads it off the wire. */
static ldns_rr *
ldns_rrsig(const uint8_t *owner, size_t len, uint32_t ttl, const uint8_t *sig,
    size_t siglen)
{
	uint8_t w[1024];
	size_t pos = 0;
	ldns_rr *rr = NULL;

	memcpy(w, owner, len);
	wire_set16(w + len, DNSSEC_TYPE_RRSIG);
	wire_set16(w + len + 2, WIRE_CLASS_IN);
	wire_set16(w + len + 4, (uint16_t)(ttl >> 16));
	wire_set16(w + len + 6, (uint16_t)ttl);
	wire_set16(w + len + 8, (uint16_t)siglen);
	memcpy(w + len + 10, sig, siglen);
	assert_int_equal(ldns_wire2rr(&rr, w, len + 10 + siglen, &pos,
	    LDNS_SECTION_ANSWER), LDNS_STATUS_OK);
	return rr;
}

/* ldns's verdict on sig over rrset with the DNSKEY of base.key. */
static ldns_status
ldns_check(const char *base, ldns_rr_list *rrset, ldns_rr *rrsig)
{
	ldns_rr_list *keys = ldns_rr_list_new(), *good = ldns_rr_list_new();
	ldns_status st;

	ldns_rr_list_push_rr(keys, ldns_key_of(base));
	st = ldns_verify_rrsig_keylist(rrset, rrsig, keys, good);
	ldns_rr_list_deep_free(keys);
	ldns_rr_list_free(good);
	return st;
}

/* A new key of ours for zone, in dir. */
static char *
our_key(const char *zone, int alg)
{
	char why[1024] = "", *base = NULL;

	if (dnssec_keygen(dir, zone, alg, &base, why, sizeof(why)) != 0)
		fail_msg("keygen %s %d: %s", zone, alg, why);
	return base;
}

static void
sign_verify_self(const struct dnssec_key *k)
{
	static const char *const mx[] = {
		ZONE " 300 IN MX 10 mx1." ZONE,
		ZONE " 300 IN MX 20 mx2." ZONE,
	};
	struct dnssec_rrset rs;
	uint8_t owner[256], buf[512], sig[DNSSEC_RRSIG_MAX];
	size_t n;

	make_rrset(mx, 2, owner, buf, sizeof(buf), &rs, NULL);
	n = dnssec_sign(k, origin, olen, 1000, 2000, &rs, sig);
	assert_int_equal(n, 18 + olen + 64);
	assert_true(dnssec_verify(k, &rs, sig, n));
}

/* ---- keys of other tools ---- */

static void
test_bind_keys(void **state)
{
	static const struct {
		const char *alg;
		uint8_t     num;
	} t[] = {
		{ "ECDSAP256SHA256", DNSSEC_ALG_ECDSAP256SHA256 },
		{ "ED25519",         DNSSEC_ALG_ED25519 },
	};
	struct dnssec_key k;
	char cmd[256], name[256], base[512];

	NEED("dnssec-keygen");
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(cmd, sizeof(cmd), "dnssec-keygen -q -a %s -f KSK -n "
		    "ZONE " ZONE, t[i].alg);
		run_line(cmd, name, sizeof(name));
		snprintf(base, sizeof(base), "%s/%s", dir, name);
		load_ok(base, &k);
		assert_int_equal(k.alg, t[i].num);
		assert_int_equal(k.flags, 257);
		assert_int_equal(k.tag, name_tag(name));
		assert_string_equal(k.base, base);
		assert_int_equal(k.dnskey_len, 4 + (t[i].num == 13 ? 64 : 32));
		sign_verify_self(&k);
		dnssec_key_free(&k);
		dnssec_key_free(&k);	/* twice is fine */
	}
}

static void
test_ldns_keys(void **state)
{
	struct dnssec_key k;
	char name[256], base[512];

	NEED("ldns-keygen");
	run_line("ldns-keygen -a ECDSAP256SHA256 -k " ZONE, name,
	    sizeof(name));
	snprintf(base, sizeof(base), "%s/%s", dir, name);
	/* ldns-keygen's .private is written 0600 but its .key carries a
	 * trailing ";{id = ...}" comment and its format is v1.2 */
	load_ok(base, &k);
	assert_int_equal(k.alg, DNSSEC_ALG_ECDSAP256SHA256);
	assert_int_equal(k.tag, name_tag(name));
	sign_verify_self(&k);
	dnssec_key_free(&k);
}

/* ---- our keygen ---- */

static void
check_file(const char *path, mode_t mode, const char *start)
{
	char text[1024];
	struct stat sb;
	FILE *f;
	size_t n;

	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, mode);
	assert_non_null(f = fopen(path, "r"));
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	if (strncmp(text, start, strlen(start)) != 0)
		fail_msg("%s starts \"%.80s\", expected \"%s\"", path, text,
		    start);
}

static void
test_keygen(void **state)
{
	static const struct {
		int         alg;
		const char *algline;
	} t[] = {
		{ DNSSEC_ALG_ECDSAP256SHA256, "Algorithm: 13 (ECDSAP256SHA256)\n" },
		{ DNSSEC_ALG_ED25519,         "Algorithm: 15 (ED25519)\n" },
	};
	struct dnssec_key k;
	uint8_t ds[DNSSEC_DS_LEN];
	char path[600], text[256], expect[512], cmd[700], got[512], *base;
	const char *name;
	ldns_rr *key, *ldns_ds;
	ldns_buffer *b;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		base = our_key(ZONE, t[i].alg);
		name = strrchr(base, '/') + 1;
		snprintf(expect, sizeof(expect), "K" ZONE "+%03d+", t[i].alg);
		assert_int_equal(strncmp(name, expect, strlen(expect)), 0);
		assert_int_equal(strlen(name), strlen(expect) + 5);
		load_ok(base, &k);
		assert_int_equal(k.flags, 257);
		assert_int_equal(k.alg, t[i].alg);
		assert_int_equal(k.tag, name_tag(name));
		sign_verify_self(&k);

		snprintf(path, sizeof(path), "%s.key", base);
		snprintf(text, sizeof(text), "; This is a key-signing key, "
		    "keyid %u, for " ZONE "\n", k.tag);
		check_file(path, 0644, text);
		snprintf(path, sizeof(path), "%s.private", base);
		snprintf(text, sizeof(text), "Private-key-format: v1.3\n%s"
		    "PrivateKey: ", t[i].algline);
		check_file(path, 0600, text);

		/* the DS: ldns's, in process */
		assert_int_equal(dnssec_ds(&k, origin, olen, ds), 0);
		key = ldns_key_of(base);
		assert_non_null(ldns_ds = ldns_key_rr2ds(key, LDNS_SHA256));
		b = ldns_buffer_new(128);
		assert_int_equal(ldns_rr_rdata2buffer_wire(b, ldns_ds),
		    LDNS_STATUS_OK);
		assert_int_equal(ldns_buffer_position(b), DNSSEC_DS_LEN);
		assert_memory_equal(ldns_buffer_begin(b), ds, DNSSEC_DS_LEN);
		ldns_buffer_free(b);
		ldns_rr_free(ldns_ds);
		ldns_rr_free(key);

		/* and BIND's, from our .key file */
		dnssec_ds_text(ds, text, sizeof(text));
		snprintf(expect, sizeof(expect), ZONE " IN DS %s", text);
		if (have("dnssec-dsfromkey")) {
			snprintf(cmd, sizeof(cmd), "dnssec-dsfromkey -2 %s.key",
			    base);
			run_line(cmd, got, sizeof(got));
			assert_string_equal(got, expect);
		} else {
			print_message("dnssec-dsfromkey not installed: DS "
			    "checked with ldns only\n");
		}
		dnssec_key_free(&k);
		free(base);
	}
}

/* BIND signs a zone with a key pair of ours: its .private is read too. */
static void
test_keygen_bind_signs(void **state)
{
	char zf[600], cmd[1400], out[256], *base;
	FILE *f;

	NEED("dnssec-signzone");
	base = our_key(ZONE, DNSSEC_ALG_ECDSAP256SHA256);
	snprintf(zf, sizeof(zf), "%s/zone", dir);
	assert_non_null(f = fopen(zf, "w"));
	fprintf(f, "$TTL 300\n@ SOA ns1 hostmaster 1 3600 600 86400 60\n"
	    "@ NS ns1\nns1 A 192.0.2.53\n$INCLUDE %s.key\n", base);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "dnssec-signzone -o " ZONE " -f %s.signed"
	    " -z -K %s %s %s.key >/dev/null && echo signed", zf, dir, zf, base);
	run_line(cmd, out, sizeof(out));
	assert_string_equal(out, "signed");
	free(base);
}

/* ---- signatures, checked by ldns ---- */

static void
test_sign_mx(void **state)
{
	/* mixed case, not in canonical order; the third is the first
	 * again in other case: a duplicate once canonical */
	static const char *const mx[] = {
		"Mail.Example.COM. 300 IN MX 20 MX2.Example.COM.",
		"Mail.Example.COM. 300 IN MX 10 mx1.EXAMPLE.com.",
		"Mail.Example.COM. 300 IN MX 10 MX1.example.COM.",
		"Mail.Example.COM. 300 IN MX 10 a.example.NET.",
	};
	static const int algs[] = { DNSSEC_ALG_ECDSAP256SHA256,
	    DNSSEC_ALG_ED25519 };
	struct dnssec_key k;
	struct dnssec_rrset rs, rs3;
	ldns_rr_list *list, *list3;
	ldns_rr *rrsig;
	uint8_t owner[256], buf[1024], owner3[256], buf3[1024];
	uint8_t sig[DNSSEC_RRSIG_MAX], bad[DNSSEC_RRSIG_MAX];
	uint32_t now = (uint32_t)time(NULL);
	size_t n;
	char *base;

	for (size_t a = 0; a < 2; a++) {
		base = our_key(ZONE, algs[a]);
		load_ok(base, &k);
		make_rrset(mx, 4, owner, buf, sizeof(buf), &rs, &list);
		/* ldns gets the three distinct records only */
		make_rrset((const char *const []){ mx[0], mx[1], mx[3] }, 3,
		    owner3, buf3, sizeof(buf3), &rs3, &list3);
		n = dnssec_sign(&k, origin, olen, now - 3600, now + 86400, &rs,
		    sig);
		assert_int_equal(n, 18 + olen + 64);
		assert_int_equal(wire_get16(sig), 15);	/* MX */
		assert_int_equal(sig[2], algs[a]);
		assert_int_equal(sig[3], 3);		/* labels */
		assert_int_equal(wire_get16(sig + 4), 0);
		assert_int_equal(wire_get16(sig + 6), 300);
		assert_int_equal(wire_get16(sig + 16), k.tag);
		assert_memory_equal(sig + 18, origin, olen);

		rrsig = ldns_rrsig(owner, rs.olen, 300, sig, n);
		assert_int_equal(ldns_check(base, list3, rrsig),
		    LDNS_STATUS_OK);
		ldns_rr_free(rrsig);
		assert_true(dnssec_verify(&k, &rs, sig, n));
		assert_true(dnssec_verify(&k, &rs3, sig, n));

		/* every byte of the signature counts */
		for (size_t i = 18 + olen; i < n; i++) {
			memcpy(bad, sig, n);
			bad[i] ^= 0x01;
			assert_false(dnssec_verify(&k, &rs, bad, n));
		}
		/* so do the fields and the records */
		memcpy(bad, sig, n);
		bad[7] ^= 0x01;		/* original TTL */
		assert_false(dnssec_verify(&k, &rs, bad, n));
		rrsig = ldns_rrsig(owner, rs.olen, 300, bad, n);
		assert_int_not_equal(ldns_check(base, list3, rrsig),
		    LDNS_STATUS_OK);
		ldns_rr_free(rrsig);
		buf3[1 + 2] ^= 0x01;	/* a preference */
		assert_false(dnssec_verify(&k, &rs3, sig, n));
		assert_false(dnssec_verify(&k, &rs, sig, n - 1));
		rs3.type = 2;
		assert_false(dnssec_verify(&k, &rs3, sig, n));

		ldns_rr_list_deep_free(list);
		ldns_rr_list_deep_free(list3);
		dnssec_key_free(&k);
		free(base);
	}
}

static void
test_sign_wildcard(void **state)
{
	static const char *const a[] = {
		"*.Wild.mail.example.com. 60 IN A 192.0.2.2",
		"*.Wild.mail.example.com. 60 IN A 192.0.2.1",
	};
	static const char *const expanded[] = {
		"Host.wild.mail.example.com. 60 IN A 192.0.2.1",
		"Host.wild.mail.example.com. 60 IN A 192.0.2.2",
	};
	struct dnssec_key k;
	struct dnssec_rrset rs, rx;
	ldns_rr_list *list, *listx;
	ldns_rr *rrsig;
	uint8_t owner[256], buf[256], ownerx[256], bufx[256];
	uint8_t sig[DNSSEC_RRSIG_MAX];
	uint32_t now = (uint32_t)time(NULL);
	size_t n;
	char *base;

	base = our_key(ZONE, DNSSEC_ALG_ECDSAP256SHA256);
	load_ok(base, &k);
	make_rrset(a, 2, owner, buf, sizeof(buf), &rs, &list);
	make_rrset(expanded, 2, ownerx, bufx, sizeof(bufx), &rx, &listx);
	n = dnssec_sign(&k, origin, olen, now - 3600, now + 86400, &rs, sig);
	assert_int_equal(n, 18 + olen + 64);
	assert_int_equal(sig[3], 4);	/* wild.mail.example.com. */
	/* as written, and as a resolver sees it expanded (RFC 4035 5.3.2) */
	rrsig = ldns_rrsig(owner, rs.olen, 60, sig, n);
	assert_int_equal(ldns_check(base, list, rrsig), LDNS_STATUS_OK);
	ldns_rr_free(rrsig);
	rrsig = ldns_rrsig(ownerx, rx.olen, 60, sig, n);
	assert_int_equal(ldns_check(base, listx, rrsig), LDNS_STATUS_OK);
	ldns_rr_free(rrsig);
	assert_true(dnssec_verify(&k, &rs, sig, n));
	assert_true(dnssec_verify(&k, &rx, sig, n));
	/* more labels in the RRSIG than the owner has: never */
	sig[3] = 5;
	assert_false(dnssec_verify(&k, &rs, sig, n));

	ldns_rr_list_deep_free(list);
	ldns_rr_list_deep_free(listx);
	dnssec_key_free(&k);
	free(base);
}

/* Canonical rdata of every type with names: SOA, NS, CNAME, SRV, NAPTR
 * signed in mixed case, verified by ldns in its own canonical form. */
static void
test_sign_types(void **state)
{
	static const char *const sets[][2] = {
		{ ZONE " 3600 IN SOA NS1.Mail.Example.com. Host.Master.example.com. 1 3600 600 86400 60", NULL },
		{ ZONE " 3600 IN NS NS2.Example.NET.", ZONE " 3600 IN NS ns1.MAIL.example.com." },
		{ "www." ZONE " 300 IN CNAME Web.EXAMPLE.net.", NULL },
		{ "_smtp._tcp." ZONE " 300 IN SRV 0 5 25 MX1.mail.example.com.", "_smtp._tcp." ZONE " 300 IN SRV 0 5 25 mx0.mail.example.com." },
		{ ZONE " 300 IN NAPTR 100 10 \"S\" \"SIP+D2U\" \"\" _SIP._udp.Example.COM.", NULL },
		{ ZONE " 300 IN TXT \"Mixed Case Stays\"", ZONE " 300 IN TXT \"another\"" },
	};
	struct dnssec_key k;
	struct dnssec_rrset rs;
	ldns_rr_list *list;
	ldns_rr *rrsig;
	uint8_t owner[256], buf[1024], sig[DNSSEC_RRSIG_MAX];
	uint32_t now = (uint32_t)time(NULL);
	size_t n;
	char *base;

	base = our_key(ZONE, DNSSEC_ALG_ED25519);
	load_ok(base, &k);
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		make_rrset(sets[i], sets[i][1] != NULL ? 2 : 1, owner, buf,
		    sizeof(buf), &rs, &list);
		n = dnssec_sign(&k, origin, olen, now - 3600, now + 86400, &rs,
		    sig);
		assert_int_equal(n, 18 + olen + 64);
		rrsig = ldns_rrsig(owner, rs.olen, rs.ttl, sig, n);
		if (ldns_check(base, list, rrsig) != LDNS_STATUS_OK)
			fail_msg("ldns rejects our signature of %s", sets[i][0]);
		ldns_rr_free(rrsig);
		ldns_rr_list_deep_free(list);
	}
	/* malformed rdata is not signed: an MX without its name */
	rs.type = 15;
	rs.rdata = (const uint8_t *)"\x00\x02\x00\x0a";
	rs.rdata_len = 4;
	rs.count = 1;
	assert_int_equal(dnssec_sign(&k, origin, olen, 0, 1, &rs, sig), 0);
	rs.count = 2;		/* count and bytes disagree */
	rs.type = 1;
	assert_int_equal(dnssec_sign(&k, origin, olen, 0, 1, &rs, sig), 0);
	rs.count = 0;
	assert_int_equal(dnssec_sign(&k, origin, olen, 0, 1, &rs, sig), 0);
	dnssec_key_free(&k);
	free(base);
}

/* ---- refusals ---- */

static void
copy_file(const char *from, const char *to)
{
	char cmd[1400];

	snprintf(cmd, sizeof(cmd), "cp -p '%s' '%s'", from, to);
	assert_int_equal(system(cmd), 0);
}

static void
test_refused(void **state)
{
	char *a, *b, *other, path[300], path2[300], expect[700], name[128];
	char base[256];

	a = our_key(ZONE, DNSSEC_ALG_ECDSAP256SHA256);
	b = our_key(ZONE, DNSSEC_ALG_ECDSAP256SHA256);
	other = our_key("other.example.", DNSSEC_ALG_ECDSAP256SHA256);

	/* missing files */
	snprintf(base, sizeof(base), "%s/Knothere", dir);
	snprintf(path, sizeof(path), "%s.key", base);
	load_refused(base, path, ": No such file or directory");

	/* .private readable by others, then by the group */
	snprintf(path, sizeof(path), "%s.private", a);
	assert_int_equal(chmod(path, 0644), 0);
	load_refused(a, path, "is accessible by others (mode 0644)");
	assert_int_equal(chmod(path, 0640), 0);
	load_refused(a, path, "is accessible by its group");
	assert_int_equal(chmod(path, 0600), 0);
	unlink(path);
	load_refused(a, path, ": No such file or directory");

	/* the private key of another key, same algorithm */
	snprintf(path2, sizeof(path2), "%s.private", b);
	copy_file(path2, path);
	snprintf(expect, sizeof(expect), ": the private key does not match "
	    "the public key in %s.key", a);
	load_refused(a, path, expect);

	/* the owner is not the apex */
	snprintf(path, sizeof(path), "%s.key", other);
	load_refused(other, path, ": the key's owner is other.example., not "
	    "the zone apex mail.example.com.");

	/* not a zone key; not DNSKEY; not protocol 3; a .key of 13 with a
	 * .private of 15 */
	snprintf(path, sizeof(path), "%s/Kx.key", dir);
	snprintf(path2, sizeof(path2), "%s/Kx.private", dir);
	snprintf(base, sizeof(base), "%s/Kx", dir);
	write_file(NULL, path, ZONE " IN DNSKEY 0 3 15 "
	    "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=\n");
	/* an Ed25519 private key that is not RFC 8080's */
	write_file(NULL, path2, "Private-key-format: v1.3\nAlgorithm: 15 "
	    "(ED25519)\nPrivateKey: MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n");
	assert_int_equal(chmod(path2, 0600), 0);
	load_refused(base, path, ": flags 0: not a zone key");
	write_file(NULL, path, ZONE " IN DS 1 13 2 "
	    "0000000000000000000000000000000000000000000000000000000000000000\n");
	load_refused(base, path, ": the record is of type DS, not DNSKEY");
	write_file(NULL, path, ZONE " IN DNSKEY 257 2 15 "
	    "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=\n");
	load_refused(base, path, ": the DNSKEY's protocol is 2, not 3");
	write_file(NULL, path, ZONE " IN DNSKEY 385 3 15 "
	    "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=\n");
	load_refused(base, path, ": flags 385: the key is revoked");
	/* (0, 0) is no point of P-256 */
	write_file(NULL, path, ZONE " IN DNSKEY 257 3 13 AAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AA==\n");
	load_refused(base, path, ": the public key is not a valid "
	    "ECDSAP256SHA256 key");
	write_file(NULL, path, ZONE " IN DNSKEY 257 3 13 AAAA\n");
	load_refused(base, path, ": the public key is 3 bytes, not 64");
	write_file(NULL, path, "; only a comment\n\n");
	load_refused(base, path, ": no DNSKEY record");
	write_file(NULL, path, ZONE " IN DNSKEY 257 3 15 "
	    "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=\n"
	    ZONE " IN DNSKEY 257 3 15 "
	    "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=\n");
	load_refused(base, path, ": a second record at line 2");
	/* RFC 8080 6.1's public key with another private key: a mismatch;
	 * then a .private of algorithm 15 for a .key of 13 */
	write_file(NULL, path, ZONE " IN DNSKEY 257 3 15 "
	    "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=\n");
	load_refused(base, path2, ": the private key does not match");
	snprintf(expect, sizeof(expect), "%s.key", b);
	copy_file(expect, path);
	load_refused(base, path2, ": algorithm 15 (ED25519), but");
	write_file(NULL, path2, "Private-key-format: v1.3\nAlgorithm: 13 "
	    "(ECDSAP256SHA256)\nPrivateKey: c2hvcnQ=\n");
	assert_int_equal(chmod(path2, 0600), 0);
	/* 5 bytes are an ECDSA integer (ldns drops leading zero bytes:
	 * test_ecdsa_short_private), but not this DNSKEY's private key */
	load_refused(base, path2, ": the private key does not match");
	write_file(NULL, path2, "Private-key-format: v1.3\nAlgorithm: 13 "
	    "(ECDSAP256SHA256)\nPrivateKey: \n");
	assert_int_equal(chmod(path2, 0600), 0);
	load_refused(base, path2, ": PrivateKey is not an integer of 1 to 32 "
	    "bytes in base64");
	write_file(NULL, path2, "Algorithm: 13 (ECDSAP256SHA256)\n");
	assert_int_equal(chmod(path2, 0600), 0);
	load_refused(base, path2, ": no \"Private-key-format: v1.x\" line");

	/* a key of BIND's with an algorithm we do not sign with */
	if (have("dnssec-keygen")) {
		run_line("dnssec-keygen -q -a RSASHA256 -b 1024 -f KSK -n ZONE "
		    ZONE, name, sizeof(name));
		snprintf(base, sizeof(base), "%s/%s", dir, name);
		snprintf(path, sizeof(path), "%s.key", base);
		load_refused(base, path, ": algorithm 8 (RSASHA256) is not "
		    "supported (13 ECDSAP256SHA256 or 15 ED25519)");
	} else {
		print_message("dnssec-keygen not installed: no algorithm 8 "
		    "key to refuse\n");
	}
	free(a);
	free(b);
	free(other);
}

/* A record written over lines with parentheses, as in a master file. */
static void
test_key_parens(void **state)
{
	struct dnssec_key k;
	char *a, path[300], line[1024], rec[1024] = "", text[2200], *p;
	FILE *f;

	a = our_key(ZONE, DNSSEC_ALG_ECDSAP256SHA256);
	snprintf(path, sizeof(path), "%s.key", a);
	assert_non_null(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f) != NULL)
		if (line[0] != ';')
			snprintf(rec, sizeof(rec), "%s", line);
	fclose(f);
	/* "<owner> IN DNSKEY 257 3 13 (\n ; c\n <b64>\n )" */
	assert_non_null(p = strstr(rec, " 13 "));
	p[3] = '\0';
	snprintf(text, sizeof(text), "; comment (\n%s ( ; key (\n  %s  ) ; end\n",
	    rec, p + 4);
	write_file(NULL, path, text);
	load_ok(a, &k);
	sign_verify_self(&k);
	dnssec_key_free(&k);
	free(a);
}

static void
test_keygen_refused(void **state)
{
	char why[1024], *base = NULL, missing[300];

	assert_int_equal(dnssec_keygen(dir, ZONE, 8, &base, why, sizeof(why)),
	    -1);
	assert_null(base);
	assert_string_equal(why, "algorithm 8 (RSASHA256) is not supported "
	    "(13 ECDSAP256SHA256 or 15 ED25519)");
	snprintf(missing, sizeof(missing), "%s/no/such/dir", dir);
	assert_int_equal(dnssec_keygen(missing, ZONE, 13, &base, why,
	    sizeof(why)), -1);
	assert_null(base);
	assert_int_equal(strncmp(why, missing, strlen(missing)), 0);
	assert_non_null(strstr(why, "No such file or directory"));
}

/* ---- the RFCs' examples ---- */

/* Write base.key and base.private (mode 0600). */
static void
put_pair(const char *base, const char *key, const char *priv)
{
	char path[300];

	snprintf(path, sizeof(path), "%s.key", base);
	write_file(NULL, path, key);
	snprintf(path, sizeof(path), "%s.private", base);
	write_file(NULL, path, priv);
	assert_int_equal(chmod(path, 0600), 0);
}

/* base.key with key, and base.private of algorithm algline with the
 * private key bytes d[0..n) in base64. */
static void
put_raw_pair(const char *base, const char *key, const char *algline,
    const uint8_t *d, size_t n)
{
	char b64[64], priv[256];

	assert_true(n <= 45);
	EVP_EncodeBlock((unsigned char *)b64, d, (int)n);
	snprintf(priv, sizeof(priv), "Private-key-format: v1.2\nAlgorithm: "
	    "%s\nPrivateKey: %s\n", algline, b64);
	put_pair(base, key, priv);
}

/*
 * An ECDSA private key is an integer, and ldns-keygen writes one whose
 * first byte is zero (one key in 256) as 31 bytes. Such a key loads and
 * signs, as does the same key written in full; 33 bytes do not load, and
 * an Ed25519 key, a 32-byte string, must be exactly that.
 */
static void
test_ecdsa_short_private(void **state)
{
	static const char ec[] = "13 (ECDSAP256SHA256)";
	struct dnssec_key k;
	EC_GROUP *g;
	EC_POINT *p;
	BIGNUM *bn;
	uint8_t d[33], pub[65];
	char b64p[100], key[256], base[512], path[600];
	int i;

	for (i = 0; i < 32; i++)
		d[i] = (uint8_t)(i * 37 + 11);
	d[0] = 0;
	g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	bn = BN_bin2bn(d, 32, NULL);
	p = g != NULL ? EC_POINT_new(g) : NULL;
	assert_non_null(p);
	assert_non_null(bn);
	assert_int_equal(EC_POINT_mul(g, p, bn, NULL, NULL, NULL), 1);
	assert_int_equal(EC_POINT_point2oct(g, p, POINT_CONVERSION_UNCOMPRESSED,
	    pub, sizeof(pub), NULL), sizeof(pub));
	EC_POINT_free(p);
	BN_free(bn);
	EC_GROUP_free(g);
	EVP_EncodeBlock((unsigned char *)b64p, pub + 1, 64);
	snprintf(key, sizeof(key), ZONE " 3600 IN DNSKEY 257 3 13 %s\n", b64p);
	snprintf(base, sizeof(base), "%s/Kshort", dir);
	snprintf(path, sizeof(path), "%s.private", base);

	/* 31 bytes, as ldns-keygen writes it; then all 32 */
	for (i = 1; i >= 0; i--) {
		put_raw_pair(base, key, ec, d + i, 32 - (size_t)i);
		load_ok(base, &k);
		assert_int_equal(k.alg, DNSSEC_ALG_ECDSAP256SHA256);
		sign_verify_self(&k);
		dnssec_key_free(&k);
	}
	/* 33 bytes: a zero more is no longer a P-256 private key */
	memmove(d + 1, d, 32);
	d[0] = 0;
	put_raw_pair(base, key, ec, d, 33);
	load_refused(base, path, ": PrivateKey is not an integer of 1 to 32 "
	    "bytes in base64");
	/* Ed25519: 31 bytes are refused */
	put_raw_pair(base, ZONE " IN DNSKEY 257 3 15 "
	    "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=\n", "15 (ED25519)",
	    d + 2, 31);
	load_refused(base, path, ": PrivateKey is not 32 bytes in base64");
}

/* The rdata of one record given as text, into buf; \retval its length */
static size_t
rdata_of(const char *text, uint8_t *buf, size_t cap)
{
	struct dnssec_rrset rs;
	uint8_t owner[256], tmp[1024];

	make_rrset(&text, 1, owner, tmp, sizeof(tmp), &rs, NULL);
	assert_true(rs.rdata_len - 2 <= cap);
	memcpy(buf, tmp + 2, rs.rdata_len - 2);
	return rs.rdata_len - 2;
}

/*
 * RFC 6605 6.1 (ECDSA P-256: its RRSIG verifies, its DS is ours) and RFC
 * 8080 6.1 with erratum 4935 (Ed25519 is deterministic: our RRSIG is the
 * RFC's, byte for byte).
 */
static void
test_rfc_vectors(void **state)
{
	static const char *const www[] = {
		"www.example.net. 3600 IN A 192.0.2.1",
	};
	static const char *const mx[] = {
		"example.com. 3600 IN MX 10 mail.example.com.",
	};
	struct dnssec_key k;
	struct dnssec_rrset rs;
	uint8_t on[256], oc[256], buf[256], sig[DNSSEC_RRSIG_MAX];
	uint8_t rfcsig[DNSSEC_RRSIG_MAX], ds[DNSSEC_DS_LEN], owner[256];
	char base[600], why[1024], text[2 * DNSSEC_DS_LEN + 24];
	size_t non, noc, n, m;

	non = wire("example.net.", on);
	noc = wire("example.com.", oc);

	snprintf(base, sizeof(base), "%s/Kexample.net.+013+55648", dir);
	put_pair(base, "example.net. 3600 IN DNSKEY 257 3 13 (\n"
	    "  GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edb\n"
	    "  krSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA== )\n",
	    "Private-key-format: v1.2\nAlgorithm: 13 (ECDSAP256SHA256)\n"
	    "PrivateKey: GU6SnQ/Ou+xC5RumuIUIuJZteXT2z0O/ok1s38Et6mQ=\n");
	if (dnssec_key_load(base, on, non, &k, why, sizeof(why)) != 0)
		fail_msg("%s", why);
	assert_int_equal(k.tag, 55648);
	assert_int_equal(dnssec_ds(&k, on, non, ds), 0);
	dnssec_ds_text(ds, text, sizeof(text));
	assert_string_equal(text, "55648 13 2 B4C8C1FE2E7477127B27115656AD6256"
	    "F424625BF5C1E2770CE6D6E37DF61D17");
	make_rrset(www, 1, owner, buf, sizeof(buf), &rs, NULL);
	m = rdata_of("www.example.net. 3600 IN RRSIG A 13 3 3600 "
	    "20100909100439 20100812100439 55648 example.net. "
	    "qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXA"
	    "yGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw==", rfcsig,
	    sizeof(rfcsig));
	assert_true(dnssec_verify(&k, &rs, rfcsig, m));
	rfcsig[m - 1] ^= 0x80;
	assert_false(dnssec_verify(&k, &rs, rfcsig, m));
	n = dnssec_sign(&k, on, non, 1281607479, 1284026679, &rs, sig);
	assert_int_equal(n, m);
	assert_memory_equal(sig, rfcsig, 18 + non);	/* all but the
							   signature */
	assert_true(dnssec_verify(&k, &rs, sig, n));
	dnssec_key_free(&k);

	snprintf(base, sizeof(base), "%s/Kexample.com.+015+03613", dir);
	put_pair(base, "example.com. 3600 IN DNSKEY 257 3 15 "
	    "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=\n",
	    "Private-key-format: v1.2\nAlgorithm: 15 (ED25519)\n"
	    "PrivateKey: ODIyNjAzODQ2MjgwODAxMjI2NDUxOTAyMDQxNDIyNjI=\n");
	if (dnssec_key_load(base, oc, noc, &k, why, sizeof(why)) != 0)
		fail_msg("%s", why);
	assert_int_equal(k.tag, 3613);
	assert_int_equal(dnssec_ds(&k, oc, noc, ds), 0);
	dnssec_ds_text(ds, text, sizeof(text));
	assert_string_equal(text, "3613 15 2 3AA5AB37EFCE57F737FC1627013FEE07"
	    "BDF241BD10F3B1964AB55C78E79A304B");
	make_rrset(mx, 1, owner, buf, sizeof(buf), &rs, NULL);
	m = rdata_of("example.com. 3600 IN RRSIG MX 15 2 3600 1440021600 "
	    "1438207200 3613 example.com. "
	    "oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeR"
	    "AvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg==", rfcsig,
	    sizeof(rfcsig));
	n = dnssec_sign(&k, oc, noc, 1438207200, 1440021600, &rs, sig);
	assert_int_equal(n, m);
	assert_memory_equal(sig, rfcsig, n);
	assert_true(dnssec_verify(&k, &rs, rfcsig, m));
	dnssec_key_free(&k);
}

/* ---- key tag, DS text, name order ---- */

static void
test_keytag_ds_text(void **state)
{
	/* RFC 8080 6.1: the Ed25519 example key, tag 3613 */
	static const char *const key =
	    "example.com. 3600 IN DNSKEY 257 3 15 "
	    "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=";
	uint8_t buf[256], owner[256], ds[DNSSEC_DS_LEN];
	struct dnssec_rrset rs;
	char text[2 * DNSSEC_DS_LEN + 24];

	make_rrset(&key, 1, owner, buf, sizeof(buf), &rs, NULL);
	assert_int_equal(dnssec_keytag(buf + 2, rs.rdata_len - 2), 3613);
	memset(ds, 0xAB, sizeof(ds));
	wire_set16(ds, 3613);
	ds[2] = 15;
	ds[3] = 2;
	dnssec_ds_text(ds, text, sizeof(text));
	assert_string_equal(text, "3613 15 2 ABABABABABABABABABABABABABABABAB"
	    "ABABABABABABABABABABABABABABABAB");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bind_keys),
		cmocka_unit_test(test_ldns_keys),
		cmocka_unit_test(test_ecdsa_short_private),
		cmocka_unit_test(test_keygen),
		cmocka_unit_test(test_keygen_bind_signs),
		cmocka_unit_test(test_sign_mx),
		cmocka_unit_test(test_sign_wildcard),
		cmocka_unit_test(test_sign_types),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_key_parens),
		cmocka_unit_test(test_keygen_refused),
		cmocka_unit_test(test_rfc_vectors),
		cmocka_unit_test(test_keytag_ds_text),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
