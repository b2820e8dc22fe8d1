/* conf_pool.c - config pools: probes, servers, pools and the checks across pools. */
#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libconfig.h>

#include "dnsd/base/conf.h"
#include "dnsd/base/conf_int.h"
#include "dnsd/base/hash.h"

static const char *const pool_keys[] = {
	"name", "policy", "probe", "load", "load_smoothing", "load_low",
	"load_high", "slowstart", "min_up", "max_mx", "max_addrs", "pref_base",
	"pref_step", "ttl_degraded", "relay_host", "all_down", "dane",
	"servers", NULL
};
static const char *const probe_keys[] = {
	"type", "port", "interval", "timeout", "rise", "fall", "starttls",
	"starttls_required", "ca_file", "tls_hostname", "helo",
	"proxy_protocol", "url", "load_format", "load_key", NULL
};
static const char *const server_keys[] = {
	"name", "host", "address", "weight", "tier", "probe_address",
	"probe_port", NULL
};

static const char *const policy_names[] = { "weighted", "equal", "failover", NULL };
static const char *const probe_names[] = { "none", "smtp", "tcp", "http", "agent", NULL };
static const char *const load_type_names[] = { "agent", "http", NULL };
static const char *const format_names[] = {
	"none", "number", "percent", "prometheus", "json", NULL
};
static const char *const alldown_names[] = { "all", "relay", "servfail",
    NULL };
/* pool.dane as written; index + 1 is the enum conf_dane */
static const char *const dane_names[] = { "off", "check", "require", NULL };

/* Which probe types accept a key (bit per enum conf_probe_type). */
#define T(x) (1u << CONF_PROBE_##x)
static const struct {
	const char *key;
	unsigned    types;
} probe_key_types[] = {
	{ "port",              T(SMTP) | T(TCP) | T(HTTP) | T(AGENT) },
	{ "interval",          T(SMTP) | T(TCP) | T(HTTP) | T(AGENT) },
	{ "timeout",           T(SMTP) | T(TCP) | T(HTTP) | T(AGENT) },
	{ "rise",              T(SMTP) | T(TCP) | T(HTTP) | T(AGENT) },
	{ "fall",              T(SMTP) | T(TCP) | T(HTTP) | T(AGENT) },
	{ "starttls",          T(SMTP) },
	{ "starttls_required", T(SMTP) },
	{ "helo",              T(SMTP) },
	{ "ca_file",           T(SMTP) | T(HTTP) },
	{ "tls_hostname",      T(SMTP) | T(HTTP) },
	{ "proxy_protocol",    T(SMTP) | T(TCP) },
	{ "url",               T(HTTP) },
	{ "load_format",       T(HTTP) },
	{ "load_key",          T(HTTP) },
};
#undef T

/*
 * Names seen so far (server names of a pool, pool names, host names), so
 * that the checks for duplicates take linear time: an open-addressing
 * table, sized once for the number of names, case-insensitive (host names
 * are kept as written; pool and server names are lowercase already).
 */
struct ntab_ent {
	const char *key;		/* NULL: free */
	size_t      val;
};

struct ntab {
	struct ntab_ent *v;
	size_t           mask;
};

static uint64_t
ntab_hash(const char *key)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	uint8_t b;

	for (; *key != '\0'; key++) {
		b = (uint8_t)tolower((unsigned char)*key);
		h = hash_bytes(h, &b, 1);
	}
	return hash_final(h);
}

/* Room for n names. \retval 0, -1 out of memory */
static int
ntab_init(struct ntab *t, size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	t->mask = cap - 1;
	return (t->v = calloc(cap, sizeof(*t->v))) == NULL ? -1 : 0;
}

static struct ntab_ent *
ntab_slot(const struct ntab *t, const char *key)
{
	size_t i = (size_t)ntab_hash(key) & t->mask;

	while (t->v[i].key != NULL && strcasecmp(t->v[i].key, key) != 0)
		i = (i + 1) & t->mask;
	return &t->v[i];
}

/* 1 and *val when key is there, else 0. */
static int
ntab_get(const struct ntab *t, const char *key, size_t *val)
{
	const struct ntab_ent *e = ntab_slot(t, key);

	if (e->key == NULL)
		return 0;
	*val = e->val;
	return 1;
}

/* The value of key if it is there; else key is added with val (key must
 * outlive the table; at most the n of ntab_init()). */
static size_t
ntab_add(struct ntab *t, const char *key, size_t val)
{
	struct ntab_ent *e = ntab_slot(t, key);

	if (e->key == NULL) {
		e->key = key;
		e->val = val;
	}
	return e->val;
}

static void
probe_defaults(struct conf_probe *p, enum conf_probe_type type)
{
	memset(p, 0, sizeof(*p));
	p->type = type;
	p->interval = 5;
	p->timeout = 3;
	p->rise = 2;
	p->fall = 3;
	switch (type) {
	case CONF_PROBE_HTTP:
		p->port = 80;
		break;
	case CONF_PROBE_AGENT:
		p->port = 8900;
		break;
	default:
		p->port = 25;
		break;
	}
}

/* The "probe" (is_load 0) or "load" (is_load 1) group of a pool. */
static void
parse_probe(struct cctx *c, const config_setting_t *g, int is_load,
    struct conf_probe *p)
{
	const char *pfx = is_load ? "load." : "probe.";
	const char *what = is_load ? "load" : "probe";
	const config_setting_t *s;
	const char *v;
	unsigned port;
	size_t i;
	int t, tset, iset, toset, r;

	conf_check_keys(c, g, probe_keys, what);
	if (is_load) {
		t = 0;
		tset = conf_get_enum(c, g, pfx, "type", load_type_names, &t);
		t = t == 1 ? CONF_PROBE_HTTP : CONF_PROBE_AGENT;
	} else {
		t = CONF_PROBE_SMTP;
		tset = conf_get_enum(c, g, pfx, "type", probe_names, &t);
		if (tset != 1)
			t = CONF_PROBE_SMTP;
	}
	probe_defaults(p, (enum conf_probe_type)t);
	p->line = conf_line(c, g);
	if (tset < 0)
		return;	/* keys depend on the type: do not pile up errors */

	for (i = 0; i < sizeof(probe_key_types) / sizeof(probe_key_types[0]); i++)
		if ((s = config_setting_get_member(g,
		    probe_key_types[i].key)) != NULL &&
		    !(probe_key_types[i].types & (1u << p->type)))
			conf_err(c, s, "%s%s: not valid with type '%s'", pfx,
			    probe_key_types[i].key, conf_probe_type_name(p->type));
	if (p->type == CONF_PROBE_NONE)
		return;

	if (conf_get_uint(c, g, pfx, "port", 1, 65535, &port) == 1)
		p->port = (uint16_t)port;
	iset = conf_get_num(c, g, pfx, "interval", 0.1, 3600, " seconds",
	    &p->interval);
	toset = conf_get_num(c, g, pfx, "timeout", 0.05, 300, " seconds",
	    &p->timeout);
	if (toset == 0 && iset == 1 && p->interval <= 3)
		p->timeout = p->interval / 2;
	if (iset >= 0 && toset == 1 && p->timeout >= p->interval)
		conf_err(c, config_setting_get_member(g, "timeout"),
		    "%stimeout (%g) must be less than %sinterval (%g)", pfx,
		    p->timeout, pfx, p->interval);
	conf_get_uint(c, g, pfx, "rise", 1, 100, &p->rise);
	conf_get_uint(c, g, pfx, "fall", 1, 100, &p->fall);

	if (p->type == CONF_PROBE_SMTP) {
		conf_get_bool(c, g, pfx, "starttls", &p->starttls);
		if (conf_get_bool(c, g, pfx, "starttls_required",
		    &p->starttls_required) == 1 && p->starttls_required &&
		    !p->starttls)
			conf_err(c, config_setting_get_member(g,
			    "starttls_required"),
			    "%sstarttls_required needs %sstarttls = true", pfx, pfx);
		conf_get_strdup(c, g, pfx, "helo", CONF_DNAME_MAX, &p->helo);
	}
	if (p->type == CONF_PROBE_SMTP || p->type == CONF_PROBE_HTTP) {
		conf_get_strdup(c, g, pfx, "ca_file", PATH_MAX, &p->ca_file);
		conf_get_hostname(c, g, pfx, "tls_hostname", &p->tls_hostname);
	}
	if (p->type == CONF_PROBE_SMTP || p->type == CONF_PROBE_TCP) {
		t = 0;
		conf_get_enum(c, g, pfx, "proxy_protocol", conf_proxy_names, &t);
		p->proxy_protocol = (enum conf_proxy)t;
	}
	if (p->type != CONF_PROBE_HTTP)
		return;

	r = conf_get_strs(c, g, pfx, "url", 2048, &v, &s);
	if (r == 0)
		conf_err(c, g, "%s: type 'http' needs a 'url'", what);
	else if (r == 1 && strncasecmp(v, "http://", 7) != 0 &&
	    strncasecmp(v, "https://", 8) != 0)
		conf_err(c, s, "%surl: must start with http:// or https://", pfx);
	else if (r == 1 && (p->url = strdup(v)) == NULL)
		conf_err(c, s, "out of memory");

	t = is_load ? CONF_LOAD_NUMBER : CONF_LOAD_NONE;
	conf_get_enum(c, g, pfx, "load_format", format_names, &t);
	p->load_format = (enum conf_load_format)t;
	if (is_load && p->load_format == CONF_LOAD_NONE)
		conf_err(c, config_setting_get_member(g, "load_format"),
		    "%sload_format: a load probe needs a format other than 'none'",
		    pfx);
	r = conf_get_strs(c, g, pfx, "load_key", 1024, &v, &s);
	if (r == 1 && p->load_format != CONF_LOAD_PROMETHEUS &&
	    p->load_format != CONF_LOAD_JSON)
		conf_err(c, s, "%sload_key: only used with load_format 'prometheus' "
		    "or 'json'", pfx);
	else if (r == 1 && p->load_format == CONF_LOAD_JSON && v[0] != '/')
		conf_err(c, s, "%sload_key: a JSON pointer must start with '/'",
		    pfx);
	else if (r == 1 && (p->load_key = strdup(v)) == NULL)
		conf_err(c, s, "out of memory");
	else if (r == 0 && (p->load_format == CONF_LOAD_PROMETHEUS ||
	    p->load_format == CONF_LOAD_JSON))
		conf_err(c, config_setting_get_member(g, "load_format"),
		    "%sload_format '%s' needs a 'load_key'", pfx,
		    format_names[p->load_format]);
}

/* One server address of key "address" or "probe_address" (setting e,
 * string v) into *ip. \retval 0, -1 printed */
static int
parse_server_ip(struct cctx *c, const config_setting_t *e, const char *key,
    const char *v, struct conf_ip *ip)
{
	char host[INET6_ADDRSTRLEN];
	const char *why;

	if (conf_parse_ip(v, ip) != 0) {
		conf_err(c, e, "%s: '%s' is not an IPv4 or IPv6 address", key, v);
		return -1;
	}
	if (conf_ip_ambiguous(v, host, sizeof(host))) {
		conf_err(c, e, "%s: '%s' is ambiguous (%s and port %s?): a server "
		    "address takes no port, so write \"%s\" (read whole, it is "
		    "an IPv4-compatible address, never a mail server)", key, v,
		    host, strrchr(v, ':') + 1, host);
		return -1;
	}
	if ((why = conf_ip_unusable(ip)) != NULL) {
		conf_err(c, e, "%s: '%s' is %s, never a mail server", key, v, why);
		return -1;
	}
	return 0;
}

static void
parse_address(struct cctx *c, const config_setting_t *g, struct conf_server *sv)
{
	const config_setting_t *s = config_setting_get_member(g, "address"), *e;
	const char *v;
	int i, j, n;

	if (s == NULL) {
		conf_err(c, g, "missing required key 'address' in server");
		return;
	}
	if ((n = conf_strlist_len(s)) < 0) {
		conf_err(c, s, "address: expected a string or an array of strings, "
		    "got %s", conf_type_word(s));
		return;
	}
	if (n == 0) {
		conf_err(c, s, "address: at least one address is required");
		return;
	}
	if ((sv->addrs = calloc((size_t)n, sizeof(*sv->addrs))) == NULL) {
		conf_err(c, s, "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		e = conf_strlist_elem(s, i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			conf_err(c, e, "address: expected a string, got %s",
			    conf_type_word(e));
			continue;
		}
		v = config_setting_get_string(e);
		if (parse_server_ip(c, e, "address", v,
		    &sv->addrs[sv->naddrs]) != 0)
			continue;
		for (j = 0; j < (int)sv->naddrs; j++)
			if (strcmp(sv->addrs[j].text,
			    sv->addrs[sv->naddrs].text) == 0)
				break;
		if (j < (int)sv->naddrs) {
			conf_err(c, e, "address: '%s' listed twice",
			    sv->addrs[sv->naddrs].text);
			continue;
		}
		sv->naddrs++;
	}
}

/* The probe_address string v (setting s) into *ip. An address with a
 * port ("10.0.0.5:2525", the NAT case's natural spelling) or in brackets
 * gets a hint. \retval 0, -1 printed */
static int
parse_probe_ip(struct cctx *c, const config_setting_t *s, const char *v,
    struct conf_ip *ip)
{
	struct conf_sockaddr sa;
	char host[INET6_ADDRSTRLEN];
	bool port;

	if (conf_parse_ip(v, ip) == 0 || conf_parse_sockaddr(v, 0, &sa) != 0)
		return parse_server_ip(c, s, "probe_address", v, ip);
	inet_ntop(sa.ss.ss_family, sa.ss.ss_family == AF_INET ?
	    (const void *)&((struct sockaddr_in *)&sa.ss)->sin_addr :
	    (const void *)&((struct sockaddr_in6 *)&sa.ss)->sin6_addr,
	    host, sizeof(host));
	port = strchr(v, ']') == NULL || strstr(v, "]:") != NULL;
	conf_err(c, s, "probe_address: '%s' is not an IP address alone: write "
	    "\"%s\"%s", v, host, port ? " and the port as probe_port" : "");
	return -1;
}

/*
 * probe_address and probe_port. One probe address, not one per answered
 * address: a server is one machine, probed once (pdns#7468), whatever
 * its address count. probe_port is the health probe's only: the load
 * probe talks to another service (an agent, an http endpoint) whose port
 * a port forward for SMTP says nothing about.
 */
static void
parse_probe_target(struct cctx *c, const config_setting_t *g,
    const struct conf_pool *pl, struct conf_server *sv)
{
	const config_setting_t *s = config_setting_get_member(g, "probe_address");
	const char *v;
	unsigned port;
	int type = s != NULL ? config_setting_type(s) : CONFIG_TYPE_NONE;

	if (type == CONFIG_TYPE_ARRAY || type == CONFIG_TYPE_LIST)
		conf_err(c, s, "probe_address: expected one address (a string), "
		    "got %s: a server is probed once, at one address",
		    conf_type_word(s));
	else if (conf_get_strs(c, g, "", "probe_address", 1024, &v, &s) == 1 &&
	    parse_probe_ip(c, s, v, &sv->probe_addr) != 0)
		memset(&sv->probe_addr, 0, sizeof(sv->probe_addr));

	if (conf_get_uint(c, g, "", "probe_port", 1, 65535, &port) != 1)
		return;
	sv->probe_port = (uint16_t)port;
	if (pl->probe.type == CONF_PROBE_NONE)
		conf_err(c, config_setting_get_member(g, "probe_port"),
		    "probe_port: pool '%s' has no health probe (probe.type "
		    "'none' or no 'probe' group)", pl->name);
}

static void
parse_server(struct cctx *c, const config_setting_t *g,
    const struct conf_pool *pl, struct conf_server *sv)
{
	long long v;

	sv->line = conf_line(c, g);
	sv->weight = 1;
	conf_check_keys(c, g, server_keys, "server");
	conf_get_name(c, g, "server", sv->name);
	conf_get_hostname(c, g, "", "host", &sv->host);
	parse_address(c, g, sv);
	if (conf_get_int(c, g, "", "weight", 1, 1000000, &v) == 1)
		sv->weight = (uint32_t)v;
	conf_get_uint(c, g, "", "tier", 0, 255, &sv->tier);
	parse_probe_target(c, g, pl, sv);
}

static void
parse_pool(struct cctx *c, const config_setting_t *g, struct conf_pool *pl)
{
	const config_setting_t *sub, *list, *e;
	struct conf_server *sv;
	struct ntab names;
	long long v;
	size_t j;
	int t, i, n, r1, r2;

	pl->line = conf_line(c, g);
	pl->load_smoothing = 0.3;
	pl->load_low = 50;
	pl->load_high = 95;
	pl->slowstart = 30;
	pl->min_up = 1;
	pl->max_mx = 10;
	pl->max_addrs = 8;
	pl->pref_base = 10;
	pl->pref_step = 10;
	probe_defaults(&pl->probe, CONF_PROBE_NONE);
	probe_defaults(&pl->load, CONF_PROBE_AGENT);

	conf_check_keys(c, g, pool_keys, "pool");
	conf_get_name(c, g, "pool", pl->name);
	t = 0;
	conf_get_enum(c, g, "", "policy", policy_names, &t);
	pl->policy = (enum conf_policy)t;
	if (conf_get_group(c, g, "", "probe", &sub) == 1)
		parse_probe(c, sub, 0, &pl->probe);
	if (conf_get_group(c, g, "", "load", &sub) == 1) {
		pl->has_load = true;
		parse_probe(c, sub, 1, &pl->load);
	}
	conf_get_num(c, g, "", "load_smoothing", 0.01, 1, "", &pl->load_smoothing);
	r1 = conf_get_num(c, g, "", "load_low", 0, 100, "", &pl->load_low);
	r2 = conf_get_num(c, g, "", "load_high", 0, 100, "", &pl->load_high);
	if (r1 >= 0 && r2 >= 0 && pl->load_low >= pl->load_high)
		conf_err(c, config_setting_get_member(g, "load_low") != NULL ?
		    config_setting_get_member(g, "load_low") :
		    config_setting_get_member(g, "load_high"),
		    "load_low (%g) must be less than load_high (%g)",
		    pl->load_low, pl->load_high);
	conf_get_num(c, g, "", "slowstart", 0, 3600, " seconds", &pl->slowstart);
	conf_get_uint(c, g, "", "min_up", 1, 1000, &pl->min_up);
	conf_get_uint(c, g, "", "max_mx", 1, 64, &pl->max_mx);
	conf_get_uint(c, g, "", "max_addrs", 1, 64, &pl->max_addrs);
	conf_get_uint(c, g, "", "pref_base", 0, 65535, &pl->pref_base);
	conf_get_uint(c, g, "", "pref_step", 0, 65535, &pl->pref_step);
	if ((unsigned long)pl->pref_base +
	    (unsigned long)pl->pref_step * pl->max_mx > 65535)
		conf_err(c, g, "MX preferences would exceed 65535 "
		    "(pref_base %u + pref_step %u * max_mx %u)",
		    pl->pref_base, pl->pref_step, pl->max_mx);
	if (conf_get_int(c, g, "", "ttl_degraded", 0, 86400, &v) == 1)
		pl->ttl_degraded = (uint32_t)v;
	conf_get_hostname(c, g, "", "relay_host", &pl->relay_host);
	t = 0;
	if (conf_get_enum(c, g, "", "all_down", alldown_names, &t) == 1 &&
	    t == CONF_ALLDOWN_RELAY &&
	    config_setting_get_member(g, "relay_host") == NULL)
		conf_err(c, config_setting_get_member(g, "all_down"),
		    "all_down 'relay' needs a relay_host");
	pl->all_down = (enum conf_all_down)t;
	t = 0;
	if (conf_get_enum(c, g, "", "dane", dane_names, &t) == 1) {
		sub = config_setting_get_member(g, "dane");
		pl->dane = (enum conf_dane)(t + 1);
		pl->dane_line = conf_line(c, sub);
		/* only the smtp probe sees certificates */
		if (pl->dane != CONF_DANE_OFF && pl->probe.type != CONF_PROBE_SMTP)
			conf_err(c, sub, "dane '%s' needs an smtp health probe "
			    "(probe.type 'smtp'), pool '%s' has '%s'",
			    dane_names[t], pl->name,
			    conf_probe_type_name(pl->probe.type));
	}

	if ((n = conf_get_list(c, g, "servers", &list)) == 0) {
		conf_err(c, g, "missing required key 'servers' in pool");
		return;
	}
	if (n < 0)
		return;
	if ((n = config_setting_length(list)) == 0) {
		conf_err(c, list, "servers: a pool needs at least one server");
		return;
	}
	if ((pl->servers = calloc((size_t)n, sizeof(*pl->servers))) == NULL) {
		conf_err(c, list, "out of memory");
		return;
	}
	pl->nservers = (size_t)n;
	if (ntab_init(&names, (size_t)n) != 0) {
		conf_err(c, list, "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(list, i);
		sv = &pl->servers[i];
		parse_server(c, e, pl, sv);
		if (sv->name[0] == '\0')
			continue;
		if ((j = ntab_add(&names, sv->name, (size_t)i)) != (size_t)i)
			conf_err(c, config_setting_get_member(e, "name"),
			    "duplicate server name '%s' (first defined "
			    "at line %d)", sv->name, pl->servers[j].line);
	}
	free(names.v);
}

uint16_t
conf_server_dane_port(const struct conf_pool *pl, const struct conf_server *sv)
{
	if (pl->probe.type != CONF_PROBE_SMTP)
		return 25;
	if (sv->probe_port != 0)
		return sv->probe_port;
	return pl->probe.port != 0 ? pl->probe.port : 25;
}

const char *
conf_dane_name(enum conf_dane d)
{
	switch (d) {
	case CONF_DANE_OFF:	return "off";
	case CONF_DANE_CHECK:	return "check";
	case CONF_DANE_REQUIRE:	return "require";
	default:		return "auto";
	}
}

const struct conf_ip *
conf_server_target(const struct conf_server *sv)
{
	size_t i;

	if (sv->probe_addr.family != 0)
		return &sv->probe_addr;
	for (i = 0; i < sv->naddrs; i++)
		if (sv->addrs[i].family == AF_INET)
			return &sv->addrs[i];
	return sv->naddrs > 0 ? &sv->addrs[0] : NULL;
}

/* Same address set, in any order. */
static int
same_addrs(const struct conf_server *a, const struct conf_server *b)
{
	size_t i, j;

	if (a->naddrs != b->naddrs)
		return 0;
	for (i = 0; i < a->naddrs; i++) {
		for (j = 0; j < b->naddrs; j++)
			if (strcmp(a->addrs[i].text, b->addrs[j].text) == 0)
				break;
		if (j == b->naddrs)
			return 0;
	}
	return 1;
}

/*
 * A server answered under the same host name as one of an earlier pool must
 * have the same addresses: the name has one A/AAAA set. Hosts are hashed:
 * for each host the servers of earlier pools with distinct address sets, in
 * config order (a server with the same set as one already there would never
 * be the first to differ); the first that differs is the one named.
 */
struct host_ent {
	const struct conf_server *sv;
	size_t                    pool;
	size_t                    next;		/* SIZE_MAX: end of the chain */
};

static const char *
server_host(const struct conf_server *sv)
{
	return sv->host != NULL ? sv->host : sv->name;
}

static int
check_shared_hosts(struct cctx *c, const config_setting_t *pools,
    const struct conf *conf)
{
	const struct conf_pool *pl;
	const struct conf_server *sv, *ov;
	struct host_ent *ents = NULL;
	struct ntab hosts = { 0 };
	size_t total = 0, nents = 0, i, j, k, head, last;

	for (i = 0; i < conf->npools; i++)
		total += conf->pools[i].nservers;
	if (ntab_init(&hosts, total) != 0 ||
	    (ents = calloc(total + 1, sizeof(*ents))) == NULL) {
		free(hosts.v);
		conf_err(c, pools, "out of memory");
		return -1;
	}
	for (i = 0; i < conf->npools; i++) {
		pl = &conf->pools[i];
		for (j = 0; j < pl->nservers; j++) {
			sv = &pl->servers[j];
			if (sv->name[0] == '\0' || sv->naddrs == 0 ||
			    !ntab_get(&hosts, server_host(sv), &head))
				continue;
			for (k = head; k != SIZE_MAX; k = ents[k].next) {
				ov = ents[k].sv;
				if (same_addrs(sv, ov))
					continue;
				conf_err(c, config_setting_get_elem(
				    config_setting_get_member(
				    config_setting_get_elem(pools, (unsigned)i),
				    "servers"), (unsigned)j),
				    "server '%s' has the host name of server '%s' "
				    "of pool '%s' (line %d) but other addresses",
				    sv->name, ov->name,
				    conf->pools[ents[k].pool].name, ov->line);
				break;
			}
		}
		/* Then pool i's own servers become "earlier" ones. */
		for (j = 0; j < pl->nservers; j++) {
			sv = &pl->servers[j];
			if (sv->name[0] == '\0' || sv->naddrs == 0)
				continue;
			ents[nents] = (struct host_ent){ sv, i, SIZE_MAX };
			if ((head = ntab_add(&hosts, server_host(sv), nents)) ==
			    nents) {
				nents++;
				continue;
			}
			for (k = head, last = k; k != SIZE_MAX; k = ents[k].next) {
				if (same_addrs(sv, ents[k].sv))
					break;
				last = k;
			}
			if (k == SIZE_MAX) {
				ents[last].next = nents;
				nents++;
			}
		}
	}
	free(ents);
	free(hosts.v);
	return 0;
}

int
conf_parse_pools(struct cctx *c, const config_setting_t *root,
    struct conf *conf)
{
	const config_setting_t *list, *e;
	struct ntab names;
	size_t k;
	int i, n;

	if (conf_get_list(c, root, "pools", &list) != 1 ||
	    (n = config_setting_length(list)) <= 0)
		return 0;
	if ((conf->pools = calloc((size_t)n, sizeof(*conf->pools))) == NULL ||
	    ntab_init(&names, (size_t)n) != 0) {
		conf_err(c, list, "out of memory");
		return -1;
	}
	conf->npools = (size_t)n;
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(list, i);
		parse_pool(c, e, &conf->pools[i]);
		if (conf->pools[i].name[0] != '\0' &&
		    (k = ntab_add(&names, conf->pools[i].name, (size_t)i)) !=
		    (size_t)i)
			conf_err(c, config_setting_get_member(e, "name"),
			    "duplicate pool name '%s' (first defined at "
			    "line %d)", conf->pools[i].name,
			    conf->pools[k].line);
	}
	free(names.v);
	return check_shared_hosts(c, list, conf);
}

static void
probe_free(struct conf_probe *p)
{
	free(p->ca_file);
	free(p->tls_hostname);
	free(p->helo);
	free(p->url);
	free(p->load_key);
}

void
conf_pools_free(struct conf_pool *pools, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		struct conf_pool *pl = &pools[i];

		probe_free(&pl->probe);
		probe_free(&pl->load);
		free(pl->relay_host);
		for (j = 0; j < pl->nservers; j++) {
			free(pl->servers[j].host);
			free(pl->servers[j].addrs);
			free(pl->servers[j].tlsa_host);
			free(pl->servers[j].tlsa);
		}
		free(pl->servers);
	}
	free(pools);
}
