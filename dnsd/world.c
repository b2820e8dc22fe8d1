/* world.c - load, publish (RCU) and free the world: config + compiled zones. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <urcu.h>

#include "dnsd/base/conf.h"
#include "dnsd/base/diag.h"
#include "dnsd/base/secret.h"
#include "dnsd/base/wire.h"
#include "dnsd/cookie.h"
#include "dnsd/dynsign.h"
#include "dnsd/world.h"
#include "probes/smtp.h"
#include "zones/compile.h"
#include "zones/sign.h"
#include "zones/zone.h"

static struct world *world_current;

/* Longest origin first, so the first suffix match in world_zone_for() is the
 * longest one; ties (same length) by bytes, for a stable order. */
static int
world_zone_cmp(const void *a, const void *b)
{
	const struct zone *za = *(const struct zone *const *)a;
	const struct zone *zb = *(const struct zone *const *)b;

	if (za->origin_len != zb->origin_len)
		return za->origin_len > zb->origin_len ? -1 : 1;
	return memcmp(za->origin, zb->origin, za->origin_len);
}

struct world *
world_load(const char *file, FILE *err)
{
	struct conf *conf;

	if ((conf = conf_load(file, err)) == NULL)
		return NULL;
	return world_build(conf, err);
}

/*
 * What the daemon reads at start besides the config and templates, read
 * here the same way so that check refuses what the daemon would: the
 * status token file (missing, unreadable, readable by others, malformed);
 * the cookie secrets are read by world_cookies() below.
 * \retval the number of errors reported to d
 */
static int
world_check_files(const struct conf *conf, struct diag *d)
{
	char why[2 * PATH_MAX + 128];
	struct secret tok;

	if (!conf->status.enabled || conf->status.token_file == NULL)
		return 0;
	if (secret_read(conf->status.token_file, CONF_TOKEN_MAX,
	    SECRET_GROUP_OK | SECRET_LINE, &tok, why, sizeof(why)) == -1) {
		diag_error(d, conf->file, conf->status.token_line,
		    "status.token_file: %s", why);
		return 1;
	}
	secret_free(&tok);
	return 0;
}

/*
 * One cookie secret file: a line of 32 hex digits, mode refusing group and
 * others (secret_read), so check refuses what the daemon would.
 * \retval the number of errors reported to d (0 or 1)
 */
static int
world_cookie_secret(const struct conf *conf, const char *key,
    const char *path, int line, uint8_t out[COOKIE_SECRET_LEN],
    struct diag *d)
{
	char why[2 * PATH_MAX + 128];
	struct secret sec;
	int bad = 0;

	/* room for a longer line, so that it is reported as the wrong
	 * length rather than as too long */
	if (secret_read(path, 256, SECRET_LINE, &sec, why, sizeof(why)) == -1) {
		diag_error(d, conf->file, line, "cookies.%s: %s", key, why);
		return 1;
	}
	if (cookie_secret_parse(sec.data, sec.len, out) != 0) {
		diag_error(d, conf->file, line, "cookies.%s: %s: expected one "
		    "line of 32 hexadecimal digits (16 random bytes, e.g. from "
		    "`openssl rand -hex 16`), got %zu characters", key, path,
		    sec.len);
		bad = 1;
	}
	secret_free(&sec);
	return bad;
}

/* The cookie secrets of conf (RFC 9018 4.4: the current one makes
 * cookies, the previous one is still accepted), else the process's own. */
static int
world_cookies(struct world *w, struct diag *d)
{
	const struct conf_cookies *ck = &w->conf->cookies;
	int bad = 0;

	if (ck->secret_file == NULL) {
		cookie_secret_random(w->cookies.current);
		return 0;
	}
	bad += world_cookie_secret(w->conf, "secret_file", ck->secret_file,
	    ck->secret_line, w->cookies.current, d);
	if (ck->previous_file != NULL) {
		bad += world_cookie_secret(w->conf, "previous_secret_file",
		    ck->previous_file, ck->previous_line, w->cookies.previous,
		    d);
		w->cookies.has_previous = true;
	}
	return bad;
}

#define WORLD_TYPE_TLSA	52	/* RFC 6698 */
#define WORLD_CNAME_MAX	8

/* ---- the TLSA records of each pool server (world.h) ---- */

/* Forget what a previous fill put into sv. */
static void
clear_server(struct conf_server *sv)
{
	free(sv->tlsa_host);
	free(sv->tlsa);
	sv->tlsa_host = NULL;
	sv->tlsa = NULL;
	sv->tlsa_len = 0;
	sv->tlsa_count = 0;
	sv->tlsa_signed = false;
}

/* The host of server j of pool p as served: from the first zone (config
 * order) whose DYN records use the pool. \retval wire name or NULL */
static const uint8_t *
server_host(const struct world *w, size_t p, size_t j)
{
	const struct zone_pool_ref *ref;
	size_t i, k;

	for (i = 0; i < w->conf->nzones; i++)
		for (k = 0; k < w->nzones; k++) {
			if (strcmp(w->zones[k]->origin_text,
			    w->conf->zones[i].origin) != 0)
				continue;
			ref = zone_pool_ref(w->zones[k], p);
			if (ref != NULL && j < ref->nservers &&
			    ref->server_name[j] != NULL)
				return ref->server_name[j];
			break;
		}
	return NULL;
}

/*
 * The TLSA RRset at name (lowercase wire, len bytes), CNAMEs followed.
 * *secure is cleared when a zone on the way is unsigned.
 * \retval rrset or NULL (none, or not authoritative here)
 */
static const struct zone_rrset *
find_tlsa(const struct world *w, uint8_t *name, size_t len, bool *secure,
    char *where, size_t wsize)
{
	const struct zone_rrset *rs, *cn;
	const struct zone_node *n;
	const struct zone *z;
	size_t tl;
	int k;

	for (k = 0; k <= WORLD_CNAME_MAX; k++) {
		wire_name_text(name, where, wsize);
		if ((z = world_zone_for(w, name, len)) == NULL)
			return NULL;
		n = zone_find(z, name, len, zone_hash(name, len));
		if (n == NULL || n->cut != NULL)
			return NULL;
		if (z->sec == NULL)
			*secure = false;
		if ((rs = zone_rrset_find(n, WORLD_TYPE_TLSA)) != NULL)
			return rs;
		if ((cn = zone_rrset_find(n, ZONE_TYPE_CNAME)) == NULL ||
		    cn->count < 1 || cn->rdata_len < 3)
			return NULL;
		tl = (size_t)cn->rdata[0] << 8 | cn->rdata[1];
		if (tl + 2 > cn->rdata_len || wire_name_len(cn->rdata + 2, tl) !=
		    tl)
			return NULL;
		wire_name_lower(name, cn->rdata + 2, tl);
		len = tl;
	}
	return NULL;
}

/* Server sv of pool pl, host the wire name host. \retval 0, -1 memory */
static int
fill_server(const struct world *w, const struct conf_pool *pl,
    struct conf_server *sv, const uint8_t *host, struct diag *d)
{
	const struct conf *conf = w->conf;
	const struct zone_rrset *rs;
	const struct zone *hz;
	uint8_t name[256], lhost[256];
	char lab[8], text[WIRE_NAME_TEXT_MAX], where[WIRE_NAME_TEXT_MAX];
	size_t hlen = wire_name_len(host, 255), len;
	unsigned usable, ignored;
	bool secure = true;
	int ll;

	if (hlen == 0)
		return 0;
	if ((sv->tlsa_host = strdup(wire_name_text(host, text,
	    sizeof(text)))) == NULL)
		goto oom;
	wire_name_lower(lhost, host, hlen);
	hz = world_zone_for(w, lhost, hlen);
	ll = snprintf(lab, sizeof(lab), "_%u", conf_server_dane_port(pl, sv));
	len = 1 + (size_t)ll + 5 + hlen;
	if (len > 255)
		return 0;	/* no such name: no records */
	name[0] = (uint8_t)ll;
	memcpy(name + 1, lab, (size_t)ll);
	name[1 + ll] = 4;
	memcpy(name + 2 + ll, "_tcp", 4);
	memcpy(name + 6 + ll, lhost, hlen);
	wire_name_text(name, text, sizeof(text));
	if ((rs = find_tlsa(w, name, len, &secure, where, sizeof(where))) ==
	    NULL || rs->count == 0) {
		if (pl->dane == CONF_DANE_CHECK || pl->dane == CONF_DANE_REQUIRE)
			diag_warn(d, conf->file, pl->dane_line, "pool '%s': dane "
			    "'%s' but server '%s' has no TLSA records at %s: its "
			    "certificate is checked as without DANE", pl->name,
			    conf_dane_name(pl->dane), sv->name, text);
		return 0;
	}
	if ((sv->tlsa = malloc(rs->rdata_len + 1)) == NULL)
		goto oom;
	memcpy(sv->tlsa, rs->rdata, rs->rdata_len);
	sv->tlsa_len = rs->rdata_len;
	sv->tlsa_count = rs->count;
	sv->tlsa_signed = secure && hz != NULL && hz->sec != NULL;

	smtp_tlsa_count(sv->tlsa, sv->tlsa_len, sv->tlsa_count, &usable,
	    &ignored);
	if (ignored > 0)
		diag_warn(d, conf->file, sv->line, "server '%s': %u of the %u "
		    "TLSA records at %s are ignored: SMTP uses usages 2 and 3 "
		    "only (RFC 7672 3.1.3), selectors 0 and 1, matching types "
		    "0, 1 and 2", sv->name, ignored, sv->tlsa_count, where);
	if (usable == 0 && (pl->dane == CONF_DANE_CHECK ||
	    pl->dane == CONF_DANE_REQUIRE))
		diag_warn(d, conf->file, pl->dane_line, "pool '%s': dane '%s' "
		    "but none of the TLSA records of server '%s' at %s is "
		    "usable: its certificate is checked as without DANE",
		    pl->name, conf_dane_name(pl->dane), sv->name, where);
	else if (usable > 0 && !sv->tlsa_signed && pl->dane == CONF_DANE_AUTO)
		diag_warn(d, conf->file, sv->line, "server '%s': the TLSA "
		    "records at %s are in an unsigned zone, which DANE senders "
		    "ignore; they are not checked (set the pool's dane to "
		    "check them anyway)", sv->name, where);
	return 0;
oom:
	diag_error(d, conf->file, sv->line, "out of memory");
	return -1;
}

/* The TLSA fields of every server of w->conf (dnsd/world.h). \retval 0,
 * -1 out of memory (reported to d) */
static int
world_tlsa(struct world *w, struct diag *d)
{
	struct conf *conf = w->conf;
	const uint8_t *host;
	size_t p, j;

	for (p = 0; p < conf->npools; p++)
		for (j = 0; j < conf->pools[p].nservers; j++)
			clear_server(&conf->pools[p].servers[j]);
	for (p = 0; p < conf->npools; p++) {
		struct conf_pool *pl = &conf->pools[p];

		for (j = 0; j < pl->nservers; j++) {
			if ((host = server_host(w, p, j)) == NULL)
				continue;
			if (fill_server(w, pl, &pl->servers[j], host, d) != 0)
				return -1;
		}
	}
	return 0;
}

/* world_build, and world_resign with owned false (conf not freed on
 * failure: it is the running world's). */
static struct world *
build(struct conf *conf, FILE *err, bool owned)
{
	struct world *w;
	struct diag d;
	size_t i;
	int bad = 0;

	diag_init(&d, err, conf->file, DIAG_DIRECT);
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		diag_error(&d, conf->file, 0, "out of memory");
		if (owned)
			conf_free(conf);
		return NULL;
	}
	w->conf = conf;
	w->conf_lent = !owned;
	if ((w->zones = calloc(conf->nzones + 1, sizeof(*w->zones))) == NULL) {
		diag_error(&d, conf->file, 0, "out of memory");
		goto fail;
	}
	bad = world_check_files(conf, &d);
	bad += world_cookies(w, &d);
	/* Load and compile every template even after a failure: report all
	 * errors. */
	for (i = 0; i < conf->nzones; i++) {
		struct zone *z;

		if ((z = zone_load(conf, &conf->zones[i], err)) == NULL) {
			bad++;
			continue;
		}
		w->zones[w->nzones++] = z;
		if (conf->zones[i].dnssec.enabled && sign_zone(z, conf,
		    &conf->zones[i], time(NULL), &d) != 0) {
			bad++;
			continue;
		}
		if (compile_zone(z, &d) != 0)
			bad++;
	}
	diag_flush(&d);
	if (bad)
		goto fail;
	qsort(w->zones, w->nzones, sizeof(*w->zones), world_zone_cmp);
	w->loaded = time(NULL);
	/* the TLSA records the smtp probe matches; again on a re-signing,
	 * which may see changed templates */
	if (world_tlsa(w, &d) != 0) {
		diag_flush(&d);
		goto fail;
	}
	/* signed dynamic answers for every server up; the daemon rebuilds
	 * them from the pool state before it publishes the world */
	if (dynsign_zones(conf, w->zones, w->nzones, NULL) != 0) {
		diag_error(&d, conf->file, 0, "dnssec: signing the dynamic "
		    "answers failed");
		diag_flush(&d);
		goto fail;
	}
	return w;
fail:
	world_free(w);
	return NULL;
}

void
world_free(struct world *w)
{
	size_t i;

	if (w == NULL)
		return;
	explicit_bzero(&w->cookies, sizeof(w->cookies));
	for (i = 0; i < w->nzones; i++)
		zone_free(w->zones[i]);
	free(w->zones);
	if (!w->conf_lent)
		conf_free(w->conf);
	free(w);
}

struct world *
world_build(struct conf *conf, FILE *err)
{
	return build(conf, err, true);
}

struct world *
world_resign(struct world *old, FILE *err)
{
	struct world *w;

	if ((w = build(old->conf, err, false)) == NULL)
		return NULL;
	/* the config passes to the new world; old keeps reading it until
	 * it is freed, after the new one is published */
	w->conf_lent = false;
	old->conf_lent = true;
	return w;
}

struct zone *
world_zone_for(const struct world *w, const uint8_t *name, size_t len)
{
	size_t i, off;

	for (i = 0; i < w->nzones; i++) {
		struct zone *z = w->zones[i];

		if (z->origin_len > len)
			continue;
		/* The origin must start at a label boundary of name. */
		for (off = 0; off < len - z->origin_len && name[off] != 0;
		    off += (size_t)name[off] + 1)
			;
		if (off == len - z->origin_len &&
		    memcmp(name + off, z->origin, z->origin_len) == 0)
			return z;
	}
	return NULL;
}

const struct world *
world_get(void)
{
	return rcu_dereference(world_current);
}

static void
world_free_rcu(struct rcu_head *head)
{
	world_free(caa_container_of(head, struct world, rcu));
}

void
world_publish(struct world *w)
{
	struct world *old;

	old = rcu_xchg_pointer(&world_current, w);
	if (old != NULL)
		call_rcu(&old->rcu, world_free_rcu);
}

void
world_shutdown(void)
{
	struct world *old;

	old = rcu_xchg_pointer(&world_current, NULL);
	synchronize_rcu();
	world_free(old);
	/* Run the callbacks of earlier publishes before the process exits. */
	rcu_barrier();
}
