/* conf.c - config loader (libconfig): the top level, zones, status, cookies, relay, rrl; load, free. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libconfig.h>

#include "dnsd/base/conf.h"
#include "dnsd/base/conf_int.h"
#include "dnsd/base/diag.h"
#include "dnsd/base/log.h"

/* How the loader is divided, and how errors are counted: conf_int.h. */

static const char *const top_keys[] = {
	"listen", "workers", "edns_payload", "tcp_idle_timeout",
	"tcp_max_connections", "version_bind", "id_server", "user", "group",
	"log_level", "syslog", "status", "zones", "pools", "relay",
	"tcp_max_per_source", "rrl", "cookies", NULL
};
static const char *const cookies_keys[] = {
	"secret_file", "previous_secret_file", NULL
};
static const char *const rrl_keys[] = {
	"enabled", "rate", "slip", "window", "ipv4_prefix", "ipv6_prefix",
	"exempt", NULL
};
static const char *const status_keys[] = {
	"listen", "token_file", "state_file", "enabled", NULL
};
static const char *const zone_keys[] = {
	"origin", "template", "serial", "dnssec", NULL
};
static const char *const dnssec_keys[] = {
	"keys", "validity", "refresh", "variants", NULL
};
static const char *const relay_keys[] = {
	"enabled", "listen", "pool", "port", "proxy_protocol", "policy",
	"retries", "connect_timeout", "idle_timeout", "max_connections",
	"max_per_source", "hostname", "threads", NULL
};

static bool same_ip(const struct conf_sockaddr *a,
    const struct conf_sockaddr *b);

const char *const conf_proxy_names[] = { "none", "v1", "v2", NULL };
static const char *const relay_policy_names[] = { "weighted", "leastconn", NULL };
static const char *const level_names[] = { "error", "warning", "info", "debug", NULL };

/*
 * A duration: an integer (seconds) or a string "<n>[smhdw]" ("14d").
 * \retval 1 set, 0 absent, -1 wrong (printed)
 */
static int
get_duration(struct cctx *c, const config_setting_t *g, const char *pfx,
    const char *key, long long min, long long max, uint32_t *out)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	long long v, mul = 1;
	const char *t;
	char *end;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_INT ||
	    config_setting_type(s) == CONFIG_TYPE_INT64) {
		v = config_setting_get_int64(s);
	} else if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		t = config_setting_get_string(s);
		errno = 0;
		v = strtoll(t, &end, 10);
		switch (*end) {
		case 's': mul = 1; end++; break;
		case 'm': mul = 60; end++; break;
		case 'h': mul = 3600; end++; break;
		case 'd': mul = 86400; end++; break;
		case 'w': mul = 7 * 86400; end++; break;
		default: break;
		}
		if (end == t || *end != '\0' || errno != 0 || v < 0 ||
		    v > max) {
			conf_err(c, s, "%s%s: '%s' is not a duration (seconds, "
			    "or a number with s, m, h, d or w: \"14d\")", pfx,
			    key, t);
			return -1;
		}
		v *= mul;
	} else {
		conf_err(c, s, "%s%s: expected a duration (seconds, or a "
		    "string such as \"14d\"), got %s", pfx, key,
		    conf_type_word(s));
		return -1;
	}
	if (v < min || v > max) {
		conf_err(c, s, "%s%s: %lld seconds is out of range (%lld to "
		    "%lld)", pfx, key, v, min, max);
		return -1;
	}
	*out = (uint32_t)v;
	return 1;
}

/* A key base path as written, resolved against the config's directory;
 * ".key" or ".private" at the end is taken off (either file names it). */
static char *
key_path(const struct cctx *c, const char *v)
{
	char *p = NULL;
	size_t n;

	if (v[0] == '/' || c->dir == NULL)
		p = strdup(v);
	else if (asprintf(&p, "%s%s%s", c->dir, strcmp(c->dir, "/") == 0 ?
	    "" : "/", v) < 0)
		p = NULL;
	if (p == NULL)
		return NULL;
	n = strlen(p);
	if (n > 4 && strcmp(p + n - 4, ".key") == 0)
		p[n - 4] = '\0';
	else if (n > 8 && strcmp(p + n - 8, ".private") == 0)
		p[n - 8] = '\0';
	return p;
}

static void
parse_dnssec(struct cctx *c, const config_setting_t *g, struct conf_dnssec *ds)
{
	const config_setting_t *ks, *e;
	int n, r;
	long long v;
	bool vset, rset;

	ds->enabled = true;
	ds->line = conf_line(c, g);
	ds->validity = CONF_DNSSEC_VALIDITY;
	ds->refresh = CONF_DNSSEC_REFRESH;
	ds->variants = CONF_DNSSEC_VARIANTS;
	conf_check_keys(c, g, dnssec_keys, "dnssec");
	if ((ks = config_setting_get_member(g, "keys")) == NULL) {
		conf_err(c, g, "dnssec: missing required key 'keys' (the "
		    "zone's key files, as `mxspread keygen` writes them)");
	} else if ((n = conf_strlist_len(ks)) < 1) {
		conf_err(c, ks, "dnssec.keys: expected a string or a list of "
		    "strings, got %s", conf_type_word(ks));
	} else if (n > CONF_DNSSEC_MAXKEYS) {
		conf_err(c, ks, "dnssec.keys: %d keys, at most %d (the signing "
		    "key and pre-published successors)", n,
		    CONF_DNSSEC_MAXKEYS);
	} else {
		for (int i = 0; i < n; i++) {
			const char *kv;

			e = conf_strlist_elem(ks, i);
			if (e == NULL || config_setting_type(e) !=
			    CONFIG_TYPE_STRING || (kv =
			    config_setting_get_string(e)) == NULL ||
			    kv[0] == '\0') {
				conf_err(c, e != NULL ? e : ks, "dnssec.keys: "
				    "element %d is not a non-empty string",
				    i + 1);
				continue;
			}
			if ((ds->keys[ds->nkeys] = key_path(c, kv)) == NULL) {
				conf_err(c, e, "out of memory");
				continue;
			}
			ds->key_line[ds->nkeys++] = conf_line(c, e) > 0 ?
			    conf_line(c, e) : conf_line(c, ks);
		}
	}
	vset = get_duration(c, g, "dnssec.", "validity", 3600, 366 * 86400,
	    &ds->validity) == 1;
	rset = get_duration(c, g, "dnssec.", "refresh", 600, 365 * 86400,
	    &ds->refresh) == 1;
	if (vset && !rset && ds->refresh >= ds->validity)
		ds->refresh = ds->validity / 2;
	if (ds->refresh >= ds->validity)
		conf_err(c, config_setting_get_member(g, rset ? "refresh" :
		    "validity"), "dnssec: validity (%u s) must be longer than "
		    "refresh (%u s): signatures are renewed refresh seconds "
		    "before they expire", ds->validity, ds->refresh);
	if ((r = conf_get_int(c, g, "dnssec.", "variants", 1, 1000, &v)) == 1)
		ds->variants = (unsigned)v;
}

static void
parse_zone(struct cctx *c, const config_setting_t *g, struct conf_zone *z)
{
	const config_setting_t *s;
	const char *v, *why;
	size_t i, n;
	int r;

	z->line = conf_line(c, g);
	conf_check_keys(c, g, zone_keys, "zone");
	if ((r = conf_get_strs(c, g, "", "origin", CONF_DNAME_MAX, &v, &s)) == 0)
		conf_err(c, g, "missing required key 'origin' in zone");
	else if (r == 1 && (why = conf_dname_check(v)) != NULL)
		conf_err(c, s, "origin: '%s' is not a valid domain name (%s)", v,
		    why);
	else if (r == 1) {
		n = strlen(v);
		for (i = 0; i < n; i++)
			z->origin[i] = (char)tolower((unsigned char)v[i]);
		if (n > 0 && z->origin[n - 1] != '.')
			z->origin[n++] = '.';
		z->origin[n] = '\0';
	}

	if ((r = conf_get_strs(c, g, "", "template", PATH_MAX, &v, &s)) == 0)
		conf_err(c, g, "missing required key 'template' in zone");
	else if (r == 1) {
		if (v[0] == '/' || c->dir == NULL)
			z->template = strdup(v);
		else if (asprintf(&z->template, "%s%s%s", c->dir,
		    strcmp(c->dir, "/") == 0 ? "" : "/", v) < 0)
			z->template = NULL;
		if (z->template == NULL)
			conf_err(c, s, "out of memory");
	}

	if ((s = config_setting_get_member(g, "dnssec")) != NULL) {
		if (config_setting_type(s) != CONFIG_TYPE_GROUP)
			conf_err(c, s, "dnssec: expected a group { keys = "
			    "[ ... ]; }, got %s", conf_type_word(s));
		else
			parse_dnssec(c, s, &z->dnssec);
	}

	if ((s = config_setting_get_member(g, "serial")) != NULL) {
		if (config_setting_type(s) == CONFIG_TYPE_STRING &&
		    strcasecmp(config_setting_get_string(s), "auto") == 0)
			z->serial_auto = true;
		else
			conf_err(c, s, "serial: the only value is \"auto\" (leave "
			    "it out to serve the template's serial)");
	}
}

static void
parse_status(struct cctx *c, const config_setting_t *g, struct conf_status *st)
{
	st->line = conf_line(c, g);
	conf_check_keys(c, g, status_keys, "status");
	conf_get_bool(c, g, "status.", "enabled", &st->enabled);
	conf_get_sockaddr(c, g, "status.", "listen", 8053, &st->listen);
	if (conf_get_strdup(c, g, "status.", "token_file", PATH_MAX,
	    &st->token_file) == 1)
		st->token_line = conf_line(c,
		    config_setting_get_member(g, "token_file"));
	conf_get_strdup(c, g, "status.", "state_file", PATH_MAX, &st->state_file);
}

static void
parse_cookies(struct cctx *c, const config_setting_t *g,
    struct conf_cookies *ck)
{
	ck->line = conf_line(c, g);
	conf_check_keys(c, g, cookies_keys, "cookies");
	if (conf_get_strdup(c, g, "cookies.", "secret_file", PATH_MAX,
	    &ck->secret_file) == 1)
		ck->secret_line = conf_line(c,
		    config_setting_get_member(g, "secret_file"));
	if (conf_get_strdup(c, g, "cookies.", "previous_secret_file",
	    PATH_MAX, &ck->previous_file) == 1) {
		ck->previous_line = conf_line(c,
		    config_setting_get_member(g, "previous_secret_file"));
		if (ck->secret_file == NULL)
			conf_err(c, config_setting_get_member(g,
			    "previous_secret_file"), "cookies.previous_secret_"
			    "file: only with a cookies.secret_file (the secret "
			    "that makes new cookies)");
	}
}

static void
parse_relay(struct cctx *c, const config_setting_t *g, struct conf *conf)
{
	struct conf_relay *rl = &conf->relay;
	const config_setting_t *s;
	const char *v, *hint;
	unsigned port;
	int t, r;

	rl->line = conf_line(c, g);
	rl->enabled = true;
	conf_check_keys(c, g, relay_keys, "relay");
	conf_get_bool(c, g, "relay.", "enabled", &rl->enabled);
	if (conf_get_sockaddrs(c, g, "relay.", "listen", 25, &rl->listen,
	    &rl->nlisten) == 0)
		conf_err(c, g, "missing required key 'listen' in relay");

	if ((r = conf_get_strs(c, g, "relay.", "pool", CONF_NAME_MAX, &v, &s)) == 0)
		conf_err(c, g, "missing required key 'pool' in relay");
	else if (r == 1 && conf_pool_find(conf, v, &rl->pool_index) == NULL) {
		hint = conf_pool_suggest(conf, v);
		conf_err(c, s, "relay.pool: unknown pool '%s'%s%s%s", v,
		    hint != NULL ? " (did you mean '" : "",
		    hint != NULL ? hint : "", hint != NULL ? "'?)" : "");
	} else if (r == 1)
		snprintf(rl->pool, sizeof(rl->pool), "%s",
		    conf->pools[rl->pool_index].name);

	if (conf_get_uint(c, g, "relay.", "port", 1, 65535, &port) == 1)
		rl->port = (uint16_t)port;
	t = 0;
	conf_get_enum(c, g, "relay.", "proxy_protocol", conf_proxy_names, &t);
	rl->proxy_protocol = (enum conf_proxy)t;
	t = 0;
	conf_get_enum(c, g, "relay.", "policy", relay_policy_names, &t);
	rl->policy = (enum conf_relay_policy)t;
	conf_get_uint(c, g, "relay.", "retries", 0, 16, &rl->retries);
	conf_get_num(c, g, "relay.", "connect_timeout", 0.1, 300, " seconds",
	    &rl->connect_timeout);
	conf_get_num(c, g, "relay.", "idle_timeout", 1, 86400, " seconds",
	    &rl->idle_timeout);
	conf_get_uint(c, g, "relay.", "max_connections", 1, 1000000,
	    &rl->max_connections);
	conf_get_uint(c, g, "relay.", "max_per_source", 0, 1000000,
	    &rl->max_per_source);
	conf_get_hostname(c, g, "relay.", "hostname", &rl->hostname);
	conf_get_uint(c, g, "relay.", "threads", 0, 64, &rl->threads);
}

static void
parse_rrl(struct cctx *c, const config_setting_t *g, struct conf_rrl *r)
{
	const config_setting_t *s, *e;
	const char *v;
	int i, n, rc;

	r->line = conf_line(c, g);
	conf_check_keys(c, g, rrl_keys, "rrl");
	conf_get_bool(c, g, "rrl.", "enabled", &r->enabled);
	conf_get_uint(c, g, "rrl.", "rate", 1, 1000000, &r->rate);
	conf_get_uint(c, g, "rrl.", "slip", 0, 100, &r->slip);
	conf_get_uint(c, g, "rrl.", "window", 1, 3600, &r->window);
	conf_get_uint(c, g, "rrl.", "ipv4_prefix", 8, 32, &r->ipv4_prefix);
	conf_get_uint(c, g, "rrl.", "ipv6_prefix", 16, 128, &r->ipv6_prefix);
	if ((s = config_setting_get_member(g, "exempt")) == NULL)
		return;
	if ((n = conf_strlist_len(s)) < 0) {
		conf_err(c, s, "rrl.exempt: expected an array of prefixes "
		    "[ \"192.0.2.0/24\", ... ], got %s", conf_type_word(s));
		return;
	}
	r->nexempt = 0;
	if (n > CONF_RRL_EXEMPT_MAX) {
		conf_err(c, s, "rrl.exempt: at most %d prefixes, got %d",
		    CONF_RRL_EXEMPT_MAX, n);
		return;
	}
	for (i = 0; i < n; i++) {
		e = conf_strlist_elem(s, i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			conf_err(c, e, "rrl.exempt: expected a string, got %s",
			    conf_type_word(e));
			continue;
		}
		v = config_setting_get_string(e);
		rc = conf_parse_prefix(v, &r->exempt[r->nexempt]);
		if (rc == -1)
			conf_err(c, e, "rrl.exempt: '%s' is not an IPv4 or IPv6 "
			    "prefix (e.g. \"192.0.2.0/24\")", v);
		else if (rc == -2)
			conf_err(c, e, "rrl.exempt: '%s': bad prefix length "
			    "(0..32 for IPv4, 0..128 for IPv6)", v);
		else
			r->nexempt++;
	}
}

static void
conf_defaults(struct conf *conf)
{
	conf->edns_payload = 1232;
	conf->tcp_idle_timeout = 10;
	conf->tcp_max_connections = 1000;
	conf->tcp_max_per_source = 64;
	conf->rrl.enabled = true;
	conf->rrl.rate = 100;
	conf->rrl.slip = 2;
	conf->rrl.window = 15;
	conf->rrl.ipv4_prefix = 24;
	conf->rrl.ipv6_prefix = 56;
	conf_parse_prefix("127.0.0.0/8", &conf->rrl.exempt[0]);
	conf_parse_prefix("::1/128", &conf->rrl.exempt[1]);
	conf->rrl.nexempt = 2;
	conf->log_level = LOG_LVL_INFO;
	conf->status.enabled = true;
	conf_parse_sockaddr("127.0.0.1:8053", 8053, &conf->status.listen);
	conf->relay.port = 25;
	conf->relay.retries = 2;
	conf->relay.connect_timeout = 5;
	conf->relay.idle_timeout = 300;
	conf->relay.max_connections = 1000;
	conf->relay.max_per_source = 20;
}

/* A non-loopback status endpoint needs a token: the status module refuses
 * to listen there without one, so the load refuses it first. */
static void
check_status_listen(struct cctx *c, const config_setting_t *root,
    const config_setting_t *st, const struct conf *conf)
{
	const config_setting_t *ls;

	if (!conf->status.enabled || conf->status.token_file != NULL ||
	    conf_sockaddr_loopback(&conf->status.listen))
		return;
	ls = st != NULL ? config_setting_get_member(st, "listen") : NULL;
	conf_err(c, ls != NULL ? ls : st != NULL ? st : root,
	    "status.listen: '%s' is not a loopback address: the status "
	    "endpoint listens there only with a status.token_file",
	    conf->status.listen.text);
}

/* The relay's listen addresses must take no connection meant for a DNS or
 * status listener, and no backend of the relay's pool may be the relay
 * itself (it would connect to itself, connection after connection). */
static void
check_relay_listen(struct cctx *c, const config_setting_t *g,
    const struct conf *conf)
{
	const struct conf_relay *rl = &conf->relay;
	const config_setting_t *ls = config_setting_get_member(g, "listen"), *e;
	const struct conf_pool *pl;
	const struct conf_server *sv;
	struct conf_sockaddr b;
	size_t i, k, j, a;

	if (!rl->enabled || ls == NULL)
		return;
	for (i = 0; i < rl->nlisten; i++) {
		e = conf_strlist_elem(ls, (int)i);
		for (k = 0; k < conf->nlisten; k++)
			if (conf_sockaddr_overlap(&rl->listen[i],
			    &conf->listen[k])) {
				conf_err(c, e, "relay.listen: '%s' takes the "
				    "connections of the DNS listen address '%s'",
				    rl->listen[i].text, conf->listen[k].text);
				break;
			}
		if (conf->status.enabled && conf_sockaddr_overlap(
		    &rl->listen[i], &conf->status.listen))
			conf_err(c, e, "relay.listen: '%s' takes the "
			    "connections of status.listen '%s'",
			    rl->listen[i].text, conf->status.listen.text);
		if (rl->pool[0] == '\0')
			continue;
		pl = &conf->pools[rl->pool_index];
		for (j = 0; j < pl->nservers; j++) {
			sv = &pl->servers[j];
			for (a = 0; a < sv->naddrs; a++) {
				b.len = conf_ip_sockaddr(&sv->addrs[a],
				    rl->port, &b.ss);
				if (!conf_sockaddr_overlap(&rl->listen[i], &b))
					continue;
				if (!same_ip(&rl->listen[i], &b) &&
				    !conf_sockaddr_loopback(&b))
					continue;	/* maybe not local */
				conf_err(c, e, "relay.listen: '%s' is a backend "
				    "of the relay: server '%s' of pool '%s' "
				    "(line %d) at %s, relay.port %u: the relay "
				    "would connect to itself", rl->listen[i].text,
				    sv->name, pl->name, sv->line,
				    sv->addrs[a].text, rl->port);
			}
		}
	}
}

static int
pool_byname_cmp(const void *a, const void *b)
{
	const struct conf_pool *x = *(const struct conf_pool *const *)a;
	const struct conf_pool *y = *(const struct conf_pool *const *)b;
	int r = strcasecmp(x->name, y->name);

	return r != 0 ? r : x < y ? -1 : x > y;
}

static void
parse_top(struct cctx *c, const config_setting_t *root, struct conf *conf)
{
	const config_setting_t *g, *list, *e, *st = NULL, *ls;
	size_t k;
	unsigned u;
	int i, n, lvl;

	conf_check_keys(c, root, top_keys, NULL);

	if (conf_get_sockaddrs(c, root, "", "listen", 53, &conf->listen,
	    &conf->nlisten) == 0) {
		if ((conf->listen = calloc(2, sizeof(*conf->listen))) != NULL) {
			conf_parse_sockaddr("0.0.0.0:53", 53, &conf->listen[0]);
			conf_parse_sockaddr("[::]:53", 53, &conf->listen[1]);
			conf->nlisten = 2;
		} else
			conf_err(c, root, "out of memory");
	}
	conf_get_uint(c, root, "", "workers", 0, 256, &conf->workers);
	if (conf_get_uint(c, root, "", "edns_payload", 512, 4096, &u) == 1)
		conf->edns_payload = (uint16_t)u;
	conf_get_num(c, root, "", "tcp_idle_timeout", 0.1, 3600, " seconds",
	    &conf->tcp_idle_timeout);
	conf_get_uint(c, root, "", "tcp_max_connections", 1, 1000000,
	    &conf->tcp_max_connections);
	conf_get_uint(c, root, "", "tcp_max_per_source", 0, 1000000,
	    &conf->tcp_max_per_source);
	if (conf_get_group(c, root, "", "rrl", &g) == 1)
		parse_rrl(c, g, &conf->rrl);
	conf_get_strdup(c, root, "", "version_bind", 255, &conf->version_bind);
	conf_get_strdup(c, root, "", "id_server", 255, &conf->id_server);
	conf_get_strdup(c, root, "", "user", 255, &conf->user);
	conf_get_strdup(c, root, "", "group", 255, &conf->group);
	lvl = LOG_LVL_INFO;
	conf_get_enum(c, root, "", "log_level", level_names, &lvl);
	conf->log_level = lvl;
	conf_get_bool(c, root, "", "syslog", &conf->log_syslog);

	if (conf_get_group(c, root, "", "status", &st) == 1)
		parse_status(c, st, &conf->status);
	if (conf_get_group(c, root, "", "cookies", &g) == 1)
		parse_cookies(c, g, &conf->cookies);
	if (conf->status.enabled)
		for (k = 0; k < conf->nlisten; k++)
			if (strcmp(conf->listen[k].text,
			    conf->status.listen.text) == 0) {
				ls = st != NULL ?
				    config_setting_get_member(st, "listen") : NULL;
				conf_err(c, ls != NULL ? ls :
				    config_setting_get_member(root, "listen"),
				    "status.listen: '%s' is also a DNS listen "
				    "address", conf->status.listen.text);
			}

	/* Pools before zones and relay: both refer to pools by name. */
	if (conf_parse_pools(c, root, conf) < 0)
		return;
	if (conf->npools > 0) {
		if ((conf->pools_byname = calloc(conf->npools,
		    sizeof(*conf->pools_byname))) == NULL) {
			conf_err(c, root, "out of memory");
			return;
		}
		for (k = 0; k < conf->npools; k++)
			conf->pools_byname[k] = &conf->pools[k];
		qsort(conf->pools_byname, conf->npools,
		    sizeof(*conf->pools_byname), pool_byname_cmp);
	}

	if (conf_get_list(c, root, "zones", &list) == 1 &&
	    (n = config_setting_length(list)) > 0) {
		if ((conf->zones = calloc((size_t)n, sizeof(*conf->zones))) == NULL) {
			conf_err(c, list, "out of memory");
			return;
		}
		conf->nzones = (size_t)n;
		for (i = 0; i < n; i++) {
			e = config_setting_get_elem(list, i);
			parse_zone(c, e, &conf->zones[i]);
			for (k = 0; k < (size_t)i; k++)
				if (conf->zones[i].origin[0] != '\0' &&
				    strcmp(conf->zones[k].origin,
				    conf->zones[i].origin) == 0) {
					conf_err(c, config_setting_get_member(e,
					    "origin"), "duplicate zone origin "
					    "'%s' (first defined at line %d)",
					    conf->zones[i].origin,
					    conf->zones[k].line);
					break;
				}
		}
	}

	check_status_listen(c, root, st, conf);

	if (conf_get_group(c, root, "", "relay", &g) == 1) {
		parse_relay(c, g, conf);
		check_relay_listen(c, g, conf);
	}
}

static struct conf *
conf_parse(const char *text, const char *name, const char *dir, FILE *errout)
{
	struct cctx c;
	struct conf *conf = NULL;
	config_t cfg;
	const char *efile;
	char path[4096], *xtext = NULL;
	int line;

	memset(&c, 0, sizeof(c));
	c.name = name;
	c.dir = dir;
	diag_init(&c.d, errout, name, DIAG_SORTED);
	config_init(&cfg);
	config_set_include_dir(&cfg, dir != NULL ? dir : ".");
	if ((xtext = conf_expand(&c, text)) == NULL)
		goto fail;
	if (!config_read_string(&cfg, xtext)) {
		efile = config_error_file(&cfg);
		line = config_error_line(&cfg);
		if (efile == NULL)
			conf_where(&c, line, &efile, &line);
		else if (efile[0] != '/' && dir != NULL) {
			snprintf(path, sizeof(path), "%s/%s", dir, efile);
			efile = path;
		}
		diag_error(&c.d, efile, line, "%s", config_error_text(&cfg));
		goto fail;
	}
	if ((conf = calloc(1, sizeof(*conf))) == NULL ||
	    (conf->file = strdup(name)) == NULL) {
		conf_err_at(&c, 0, "out of memory");
		goto fail;
	}
	c.conf = conf;
	conf_defaults(conf);
	parse_top(&c, config_root_setting(&cfg), conf);
fail:
	config_destroy(&cfg);
	free(xtext);
	diag_flush(&c.d);
	conf_text_free(&c);
	if (c.d.nerr > 0) {
		conf_free(conf);
		return NULL;
	}
	return conf;
}

struct conf *
conf_load(const char *path, FILE *errout)
{
	struct conf *conf = NULL;
	char *text = NULL, *dir = NULL, *slash;
	size_t len = 0;
	FILE *f, *mem;
	char buf[8192];
	size_t n;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(errout, "%s: %s\n", path, strerror(errno));
		return NULL;
	}
	if ((mem = open_memstream(&text, &len)) == NULL) {
		fprintf(errout, "%s: %s\n", path, strerror(errno));
		fclose(f);
		return NULL;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, mem);
	if (ferror(f)) {
		fprintf(errout, "%s: %s\n", path, strerror(errno));
		fclose(f);
		fclose(mem);
		goto fail;
	}
	fclose(f);
	if (fclose(mem) != 0 || text == NULL) {
		fprintf(errout, "%s: out of memory\n", path);
		goto fail;
	}
	if (memchr(text, '\0', len) != NULL) {
		fprintf(errout, "%s: not a text file (contains NUL bytes)\n", path);
		goto fail;
	}
	if ((slash = strrchr(path, '/')) != NULL) {
		if ((dir = strndup(path, slash == path ? 1 : (size_t)(slash - path)))
		    == NULL) {
			fprintf(errout, "%s: out of memory\n", path);
			goto fail;
		}
	}
	conf = conf_parse(text, path, dir, errout);
fail:
	free(dir);
	free(text);
	return conf;
}

struct conf *
conf_load_string(const char *text, const char *name, FILE *errout)
{
	return conf_parse(text, name, NULL, errout);
}

void
conf_free(struct conf *conf)
{
	size_t i;

	if (conf == NULL)
		return;
	conf_pools_free(conf->pools, conf->npools);
	free(conf->pools_byname);
	for (i = 0; i < conf->nzones; i++) {
		free(conf->zones[i].template);
		for (size_t k = 0; k < conf->zones[i].dnssec.nkeys; k++)
			free(conf->zones[i].dnssec.keys[k]);
	}
	free(conf->zones);
	free(conf->listen);
	free(conf->relay.listen);
	free(conf->relay.hostname);
	free(conf->status.token_file);
	free(conf->status.state_file);
	free(conf->cookies.secret_file);
	free(conf->cookies.previous_file);
	free(conf->version_bind);
	free(conf->id_server);
	free(conf->user);
	free(conf->group);
	free(conf->file);
	free(conf);
}

const char *
conf_pool_suggest(const struct conf *conf, const char *name)
{
	const char *names[256];
	size_t i, n = 0;

	for (i = 0; i < conf->npools && n < 256; i++)
		if (conf->pools[i].name[0] != '\0')
			names[n++] = conf->pools[i].name;
	return diag_suggest(name, names, n);
}

const struct conf_pool *
conf_pool_find(const struct conf *conf, const char *name, size_t *idx)
{
	const struct conf_pool *pl = NULL;
	size_t i, lo = 0, hi = conf->npools, mid;

	if (conf->pools_byname == NULL) {
		/* a conf built by hand (tests) */
		for (i = 0; i < conf->npools && pl == NULL; i++)
			if (strcasecmp(conf->pools[i].name, name) == 0)
				pl = &conf->pools[i];
	} else {
		/* the leftmost of that name: the first in config order */
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (strcasecmp(conf->pools_byname[mid]->name, name) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < conf->npools &&
		    strcasecmp(conf->pools_byname[lo]->name, name) == 0)
			pl = conf->pools_byname[lo];
	}
	if (pl != NULL && idx != NULL)
		*idx = (size_t)(pl - conf->pools);
	return pl;
}

socklen_t
conf_ip_sockaddr(const struct conf_ip *ip, uint16_t port,
    struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (ip->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr = ip->u.v4;
		return sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_addr = ip->u.v6;
		return sizeof(*sin6);
	}
}

const char *
conf_policy_name(enum conf_policy p)
{
	switch (p) {
	case CONF_POLICY_WEIGHTED: return "weighted";
	case CONF_POLICY_EQUAL:    return "equal";
	case CONF_POLICY_FAILOVER: return "failover";
	}
	return "?";
}

const char *
conf_probe_type_name(enum conf_probe_type t)
{
	switch (t) {
	case CONF_PROBE_NONE:  return "none";
	case CONF_PROBE_SMTP:  return "smtp";
	case CONF_PROBE_TCP:   return "tcp";
	case CONF_PROBE_HTTP:  return "http";
	case CONF_PROBE_AGENT: return "agent";
	}
	return "?";
}


static const uint8_t *
sa_addr(const struct conf_sockaddr *a, size_t *len, uint16_t *port)
{
	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)&a->ss;

		*len = 4;
		*port = ntohs(s4->sin_port);
		return (const uint8_t *)&s4->sin_addr;
	}
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->ss;

	*len = 16;
	*port = ntohs(s6->sin6_port);
	return s6->sin6_addr.s6_addr;
}

static bool
same_ip(const struct conf_sockaddr *a, const struct conf_sockaddr *b)
{
	const uint8_t *x, *y;
	size_t lx, ly;
	uint16_t px, py;

	x = sa_addr(a, &lx, &px);
	y = sa_addr(b, &ly, &py);
	return a->ss.ss_family == b->ss.ss_family && memcmp(x, y, lx) == 0;
}

static bool
sa_wildcard(const struct conf_sockaddr *a)
{
	static const uint8_t zero[16];
	const uint8_t *x;
	size_t len;
	uint16_t port;

	x = sa_addr(a, &len, &port);
	return memcmp(x, zero, len) == 0;
}

bool
conf_sockaddr_overlap(const struct conf_sockaddr *a,
    const struct conf_sockaddr *b)
{
	size_t la, lb;
	uint16_t pa, pb;

	if (a->ss.ss_family != b->ss.ss_family)
		return false;	/* IPv6 sockets are IPV6_V6ONLY */
	sa_addr(a, &la, &pa);
	sa_addr(b, &lb, &pb);
	return pa == pb && (same_ip(a, b) || sa_wildcard(a) || sa_wildcard(b));
}

bool
conf_sockaddr_loopback(const struct conf_sockaddr *a)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->ss;

	if (a->ss.ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr)
		    >> 24) == 127;
	if (a->ss.ss_family != AF_INET6)
		return false;
	return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) ||
	    (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) && s6->sin6_addr.s6_addr[12] == 127);
}
