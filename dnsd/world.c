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
#include "dnsd/cookie.h"
#include "dnsd/dynsign.h"
#include "dnsd/world.h"
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
