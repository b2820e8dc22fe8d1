/* conf.c - config file loader (libconfig): parse, range-check, report all errors. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libconfig.h>

#include "dnsd/base/conf.h"
#include "dnsd/base/diag.h"
#include "dnsd/base/log.h"

/*
 * Errors are printed as they are found and counted; parsing goes on so that
 * one run shows every mistake of the file. Nothing is returned unless the
 * count is zero. libconfig itself stops at the first syntax error: that one
 * is reported alone.
 */

#define CONF_MAX_LISTEN   64
#define CONF_MAX_BADLINES 32

struct cctx {
	struct diag  d;			/* every error, printed sorted */
	const char  *name;		/* main file, as given */
	const char  *dir;		/* its directory; NULL: current directory */
	int          badlines[CONF_MAX_BADLINES];	/* lines with a bad number */
	int          nbadlines;
	struct conf *conf;
};

static const char *const top_keys[] = {
	"listen", "workers", "edns_payload", "tcp_idle_timeout",
	"tcp_max_connections", "version_bind", "id_server", "user", "group",
	"log_level", "syslog", "status", "zones", "pools", "relay",
	"tcp_max_per_source", "rrl", NULL
};
static const char *const rrl_keys[] = {
	"enabled", "rate", "slip", "window", "ipv4_prefix", "ipv6_prefix",
	"exempt", NULL
};
static const char *const status_keys[] = {
	"listen", "token_file", "state_file", "enabled", NULL
};
static const char *const zone_keys[] = {
	"origin", "template", "serial", NULL
};
static const char *const pool_keys[] = {
	"name", "policy", "probe", "load", "load_smoothing", "load_low",
	"load_high", "slowstart", "min_up", "max_mx", "max_addrs", "pref_base",
	"pref_step", "ttl_degraded", "relay_host", "all_down", "servers", NULL
};
static const char *const probe_keys[] = {
	"type", "port", "interval", "timeout", "rise", "fall", "starttls",
	"starttls_required", "ca_file", "tls_hostname", "helo",
	"proxy_protocol", "url", "load_format", "load_key", NULL
};
static const char *const server_keys[] = {
	"name", "host", "address", "weight", "tier", NULL
};
static const char *const relay_keys[] = {
	"enabled", "listen", "pool", "port", "proxy_protocol", "policy",
	"retries", "connect_timeout", "idle_timeout", "max_connections",
	"max_per_source", "hostname", "threads", NULL
};

static const char *const policy_names[] = { "weighted", "equal", "failover", NULL };
static const char *const probe_names[] = { "none", "smtp", "tcp", "http", "agent", NULL };
static const char *const load_type_names[] = { "agent", "http", NULL };
static const char *const proxy_names[] = { "none", "v1", "v2", NULL };
static const char *const format_names[] = {
	"none", "number", "percent", "prometheus", "json", NULL
};
static const char *const alldown_names[] = { "all", "relay", NULL };
static const char *const relay_policy_names[] = { "weighted", "leastconn", NULL };
static const char *const level_names[] = { "error", "warning", "info", "debug", NULL };

/* ---------------------------------------------------------------- errors */

static int
cctx_badline(const struct cctx *c, int line)
{
	int i;

	for (i = 0; i < c->nbadlines; i++)
		if (c->badlines[i] == line)
			return 1;
	return 0;
}

/* Report an error located at setting s (its file and line). */
static void __attribute__((format(printf, 3, 4)))
cerr(struct cctx *c, const config_setting_t *s, const char *fmt, ...)
{
	const char *sfile = s != NULL ? config_setting_source_file(s) : NULL;
	int line = s != NULL ? config_setting_source_line(s) : 0;
	char path[4096];
	va_list ap;

	if (sfile == NULL && cctx_badline(c, line)) {
		/* Already reported as a number libconfig cannot hold. */
		c->d.nerr++;
		return;
	}
	if (sfile != NULL && sfile[0] != '/' && c->dir != NULL) {
		snprintf(path, sizeof(path), "%s/%s", c->dir, sfile);
		sfile = path;
	}
	va_start(ap, fmt);
	diag_verror(&c->d, sfile != NULL ? sfile : c->name, line, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 4, 5)))
cerr_file(struct cctx *c, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_verror(&c->d, file, line, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 4)))
cerr_at(struct cctx *c, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_verror(&c->d, c->name, line, fmt, ap);
	va_end(ap);
}

/* Reject every key of group g not in keys; where names the group. */
static void
check_keys(struct cctx *c, const config_setting_t *g, const char *const *keys,
    const char *where)
{
	const config_setting_t *s;
	const char *name, *hint;
	size_t n;
	int i, k, found;

	for (n = 0; keys[n] != NULL; n++)
		;
	for (i = 0; (s = config_setting_get_elem(g, i)) != NULL; i++) {
		if ((name = config_setting_name(s)) == NULL)
			continue;
		found = 0;
		for (k = 0; keys[k] != NULL; k++)
			if (strcmp(keys[k], name) == 0)
				found = 1;
		if (found)
			continue;
		hint = diag_suggest(name, keys, n);
		cerr(c, s, "unknown key '%s'%s%s%s%s%s", name,
		    where != NULL ? " in " : "", where != NULL ? where : "",
		    hint != NULL ? " (did you mean '" : "",
		    hint != NULL ? hint : "", hint != NULL ? "'?)" : "");
	}
}

/* ------------------------------------------------------------ typed reads */

static const char *
type_word(const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_GROUP:  return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:  return "an integer";
	case CONFIG_TYPE_FLOAT:  return "a decimal number";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL:   return "a boolean";
	case CONFIG_TYPE_ARRAY:  return "an array";
	case CONFIG_TYPE_LIST:   return "a list";
	}
	return "nothing";
}

/* Integer key: -1 error (printed), 0 absent, 1 set. */
static int
get_int(struct cctx *c, const config_setting_t *g, const char *pfx,
    const char *key, long long min, long long max, long long *out)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	long long v;

	if (s == NULL)
		return 0;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v = config_setting_get_int64(s);
		break;
	default:
		cerr(c, s, "%s%s: expected an integer, got %s", pfx, key,
		    type_word(s));
		return -1;
	}
	if (v < min || v > max) {
		cerr(c, s, "%s%s: must be between %lld and %lld, got %lld",
		    pfx, key, min, max, v);
		return -1;
	}
	*out = v;
	return 1;
}

static int
get_uint(struct cctx *c, const config_setting_t *g, const char *pfx,
    const char *key, long long min, long long max, unsigned *out)
{
	long long v;
	int r;

	if ((r = get_int(c, g, pfx, key, min, max, &v)) == 1)
		*out = (unsigned)v;
	return r;
}

/* Number key (integer or decimal); unit is appended to the range message. */
static int
get_num(struct cctx *c, const config_setting_t *g, const char *pfx,
    const char *key, double min, double max, const char *unit, double *out)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	double v;

	if (s == NULL)
		return 0;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v = (double)config_setting_get_int64(s);
		break;
	case CONFIG_TYPE_FLOAT:
		v = config_setting_get_float(s);
		break;
	default:
		cerr(c, s, "%s%s: expected a number, got %s", pfx, key,
		    type_word(s));
		return -1;
	}
	if (!(v >= min && v <= max)) {
		cerr(c, s, "%s%s: must be between %g and %g%s, got %g", pfx, key,
		    min, max, unit, v);
		return -1;
	}
	*out = v;
	return 1;
}

/* Key of libconfig type want: -1 another type (printed: "expected
 * what"), 0 absent, 1 present (*out is the setting). */
static int
get_typed(struct cctx *c, const config_setting_t *g, const char *pfx,
    const char *key, int want, const char *what, const config_setting_t **out)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != want) {
		cerr(c, s, "%s%s: expected %s, got %s", pfx, key, what,
		    type_word(s));
		return -1;
	}
	*out = s;
	return 1;
}

static int
get_bool(struct cctx *c, const config_setting_t *g, const char *pfx,
    const char *key, bool *out)
{
	const config_setting_t *s;
	int r;

	if ((r = get_typed(c, g, pfx, key, CONFIG_TYPE_BOOL, "true or false",
	    &s)) == 1)
		*out = config_setting_get_bool(s) != 0;
	return r;
}

/* String key; the setting is returned in *sp for further messages (NULL
 * unless the key is a string). */
static int
get_strs(struct cctx *c, const config_setting_t *g, const char *pfx,
    const char *key, size_t maxlen, const char **out,
    const config_setting_t **sp)
{
	const config_setting_t *s = NULL;
	const char *v;
	int r;

	r = get_typed(c, g, pfx, key, CONFIG_TYPE_STRING, "a string", &s);
	if (sp != NULL)
		*sp = s;
	if (r != 1)
		return r;
	v = config_setting_get_string(s);
	if (v[0] == '\0') {
		cerr(c, s, "%s%s: must not be empty", pfx, key);
		return -1;
	}
	if (strlen(v) > maxlen) {
		cerr(c, s, "%s%s: longer than %zu bytes", pfx, key, maxlen);
		return -1;
	}
	*out = v;
	return 1;
}

/* String key copied into *out (strdup). */
static int
get_strdup(struct cctx *c, const config_setting_t *g, const char *pfx,
    const char *key, size_t maxlen, char **out)
{
	const char *v;
	int r;

	if ((r = get_strs(c, g, pfx, key, maxlen, &v, NULL)) != 1)
		return r;
	if ((*out = strdup(v)) == NULL) {
		cerr(c, g, "out of memory");
		return -1;
	}
	return 1;
}

/* One of names[]; *out is the index. */
static int
get_enum(struct cctx *c, const config_setting_t *g, const char *pfx,
    const char *key, const char *const *names, int *out)
{
	const config_setting_t *s;
	const char *v;
	char expect[256];
	size_t n, i, len = 0;
	int r;

	if ((r = get_strs(c, g, pfx, key, 1024, &v, &s)) != 1)
		return r;
	for (n = 0; names[n] != NULL; n++)
		if (strcasecmp(names[n], v) == 0) {
			*out = (int)n;
			return 1;
		}
	expect[0] = '\0';
	for (i = 0; i < n; i++) {
		len += (size_t)snprintf(expect + len, sizeof(expect) - len, "%s%s",
		    i == 0 ? "" : i + 1 == n ? " or " : ", ", names[i]);
		if (len >= sizeof(expect))
			break;
	}
	cerr(c, s, "%s%s: unknown value '%s' (expected %s)", pfx, key, v, expect);
	return -1;
}

/* A string or an array/list of them: the element count (1 for a
 * string), or -1 for any other type. */
static int
strlist_len(const config_setting_t *s)
{
	if (config_setting_type(s) == CONFIG_TYPE_STRING)
		return 1;
	if (config_setting_type(s) == CONFIG_TYPE_ARRAY ||
	    config_setting_type(s) == CONFIG_TYPE_LIST)
		return config_setting_length(s);
	return -1;
}

/* Element i of such a setting (the string itself for a string). */
static const config_setting_t *
strlist_elem(const config_setting_t *s, int i)
{
	return config_setting_type(s) == CONFIG_TYPE_STRING ? s :
	    config_setting_get_elem(s, (unsigned)i);
}

/* Group key: -1 wrong type (printed), 0 absent, 1 present. */
static int
get_group(struct cctx *c, const config_setting_t *g, const char *pfx,
    const char *key, const config_setting_t **out)
{
	return get_typed(c, g, pfx, key, CONFIG_TYPE_GROUP, "a group { ... }",
	    out);
}

/* List of groups "( { ... }, ... )". */
static int
get_list(struct cctx *c, const config_setting_t *g, const char *key,
    const config_setting_t **out)
{
	const config_setting_t *s = config_setting_get_member(g, key), *e;
	int i;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		cerr(c, s, "%s: expected a list ( { ... }, ... ), got %s", key,
		    type_word(s));
		return -1;
	}
	for (i = 0; (e = config_setting_get_elem(s, i)) != NULL; i++)
		if (config_setting_type(e) != CONFIG_TYPE_GROUP) {
			cerr(c, e, "%s: element %d: expected a group { ... }, got %s",
			    key, i + 1, type_word(e));
			return -1;
		}
	*out = s;
	return 1;
}

/* ---------------------------------------------------- names and addresses */

/* Pool and server names: [A-Za-z0-9_-]{1,63}, stored lowercase. */
static int
get_name(struct cctx *c, const config_setting_t *g, const char *what,
    char out[CONF_NAME_MAX + 1])
{
	const config_setting_t *s;
	const char *v;
	size_t i, n;
	int r;

	if ((r = get_strs(c, g, "", "name", 4096, &v, &s)) == 0) {
		cerr(c, g, "missing required key 'name' in %s", what);
		return -1;
	}
	if (r < 0)
		return -1;
	n = strlen(v);
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '-' && v[i] != '_')
			break;
	if (n > CONF_NAME_MAX || i < n) {
		cerr(c, s, "name: '%s' is not a valid %s name "
		    "(1 to 63 letters, digits, '-' or '_')", v, what);
		return -1;
	}
	for (i = 0; i <= n; i++)
		out[i] = (char)tolower((unsigned char)v[i]);
	return 1;
}

/*
 * Check a DNS name in presentation form (letters, digits, '-', '_';
 * no escapes). Returns NULL when fine, else why not.
 */
static const char *
dname_check(const char *v)
{
	size_t len = strlen(v), label = 0, wire = 1, i;

	if (len == 0)
		return "empty name";
	if (strcmp(v, ".") == 0)
		return NULL;
	for (i = 0; i < len; i++) {
		if (v[i] == '.') {
			if (label == 0)
				return "empty label";
			wire += label + 1;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)v[i]) && v[i] != '-' && v[i] != '_')
			return "invalid character";
		if (++label > 63)
			return "label longer than 63 characters";
	}
	wire += label > 0 ? label + 1 : 0;
	if (wire > 255)
		return "name longer than 255 bytes";
	return NULL;
}

/* A host name key (relative or absolute): stored as written. */
static int
get_hostname(struct cctx *c, const config_setting_t *g, const char *pfx,
    const char *key, char **out)
{
	const config_setting_t *s;
	const char *v, *why;
	int r;

	if ((r = get_strs(c, g, pfx, key, CONF_DNAME_MAX, &v, &s)) != 1)
		return r;
	if ((why = dname_check(v)) != NULL || strcmp(v, ".") == 0) {
		cerr(c, s, "%s%s: '%s' is not a valid host name (%s)", pfx, key, v,
		    why != NULL ? why : "the root");
		return -1;
	}
	if ((*out = strdup(v)) == NULL) {
		cerr(c, s, "out of memory");
		return -1;
	}
	return 1;
}

static int
parse_ip(const char *v, struct conf_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, v, &ip->u.v4) == 1)
		ip->family = AF_INET;
	else if (inet_pton(AF_INET6, v, &ip->u.v6) == 1)
		ip->family = AF_INET6;
	else
		return -1;
	inet_ntop(ip->family, &ip->u, ip->text, sizeof(ip->text));
	return 0;
}

/*
 * "1.2.3.4:port", "[v6]:port", or without the port (defport).
 * Returns 0, or -1 (not an address) or -2 (bad port).
 */
static int
parse_sockaddr(const char *v, uint16_t defport, struct conf_sockaddr *sa)
{
	char host[INET6_ADDRSTRLEN + 2], *end;
	const char *port = NULL, *p;
	struct conf_ip ip;
	unsigned long n;
	size_t hl;
	int bracket = v[0] == '[';

	memset(sa, 0, sizeof(*sa));
	if (bracket) {
		if ((p = strchr(v, ']')) == NULL)
			return -1;
		hl = (size_t)(p - v - 1);
		if (p[1] == ':')
			port = p + 2;
		else if (p[1] != '\0')
			return -1;
		v++;
	} else if ((p = strchr(v, ':')) != NULL && strchr(p + 1, ':') == NULL) {
		hl = (size_t)(p - v);
		port = p + 1;
	} else
		hl = strlen(v);
	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, v, hl);
	host[hl] = '\0';
	if (parse_ip(host, &ip) != 0)
		return -1;
	if (bracket && ip.family != AF_INET6)
		return -1;
	n = defport;
	if (port != NULL) {
		if (!isdigit((unsigned char)port[0]))
			return -2;
		errno = 0;
		n = strtoul(port, &end, 10);
		if (*end != '\0' || errno != 0 || n < 1 || n > 65535)
			return -2;
	}
	sa->len = conf_ip_sockaddr(&ip, (uint16_t)n, &sa->ss);
	snprintf(sa->text, sizeof(sa->text), ip.family == AF_INET ? "%s:%lu" :
	    "[%s]:%lu", ip.text, n);
	return 0;
}

static int
sockaddr_elem(struct cctx *c, const config_setting_t *s, const char *pfx,
    const char *key, uint16_t defport, struct conf_sockaddr *sa)
{
	const char *v;
	int r;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cerr(c, s, "%s%s: expected a string \"address:port\", got %s", pfx,
		    key, type_word(s));
		return -1;
	}
	v = config_setting_get_string(s);
	if ((r = parse_sockaddr(v, defport, sa)) == -2) {
		cerr(c, s, "%s%s: '%s' has a bad port (expected 1 to 65535)", pfx,
		    key, v);
		return -1;
	}
	if (r != 0) {
		cerr(c, s, "%s%s: '%s' is not an address "
		    "(expected \"192.0.2.1:53\" or \"[2001:db8::1]:53\")", pfx, key, v);
		return -1;
	}
	return 0;
}

/* One listen address (string). */
static int
get_sockaddr(struct cctx *c, const config_setting_t *g, const char *pfx,
    const char *key, uint16_t defport, struct conf_sockaddr *sa)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	if (s == NULL)
		return 0;
	return sockaddr_elem(c, s, pfx, key, defport, sa) == 0 ? 1 : -1;
}

/* A string or an array/list of strings of listen addresses. */
static int
get_sockaddrs(struct cctx *c, const config_setting_t *g, const char *pfx,
    const char *key, uint16_t defport, struct conf_sockaddr **out, size_t *nout)
{
	const config_setting_t *s = config_setting_get_member(g, key), *e;
	struct conf_sockaddr *sa;
	int i, j, n, bad = 0;

	if (s == NULL)
		return 0;
	if ((n = strlist_len(s)) < 0) {
		cerr(c, s, "%s%s: expected an array of \"address:port\" strings, "
		    "got %s", pfx, key, type_word(s));
		return -1;
	}
	if (n == 0) {
		cerr(c, s, "%s%s: must list at least one address", pfx, key);
		return -1;
	}
	if (n > CONF_MAX_LISTEN) {
		cerr(c, s, "%s%s: at most %d addresses", pfx, key, CONF_MAX_LISTEN);
		return -1;
	}
	if ((sa = calloc((size_t)n, sizeof(*sa))) == NULL) {
		cerr(c, s, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		e = strlist_elem(s, i);
		if (sockaddr_elem(c, e, pfx, key, defport, &sa[i]) != 0) {
			bad = 1;
			continue;
		}
		for (j = 0; j < i; j++)
			if (strcmp(sa[j].text, sa[i].text) == 0) {
				cerr(c, e, "%s%s: '%s' listed twice", pfx, key,
				    sa[i].text);
				bad = 1;
				break;
			}
	}
	if (bad) {
		free(sa);
		return -1;
	}
	*out = sa;
	*nout = (size_t)n;
	return 1;
}

/* ------------------------------------------------------------------ probes */

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

	check_keys(c, g, probe_keys, what);
	if (is_load) {
		t = 0;
		tset = get_enum(c, g, pfx, "type", load_type_names, &t);
		t = t == 1 ? CONF_PROBE_HTTP : CONF_PROBE_AGENT;
	} else {
		t = CONF_PROBE_SMTP;
		tset = get_enum(c, g, pfx, "type", probe_names, &t);
		if (tset != 1)
			t = CONF_PROBE_SMTP;
	}
	probe_defaults(p, (enum conf_probe_type)t);
	p->line = config_setting_source_line(g);
	if (tset < 0)
		return;	/* keys depend on the type: do not pile up errors */

	for (i = 0; i < sizeof(probe_key_types) / sizeof(probe_key_types[0]); i++)
		if ((s = config_setting_get_member(g, probe_key_types[i].key)) != NULL &&
		    !(probe_key_types[i].types & (1u << p->type)))
			cerr(c, s, "%s%s: not valid with type '%s'", pfx,
			    probe_key_types[i].key, conf_probe_type_name(p->type));
	if (p->type == CONF_PROBE_NONE)
		return;

	if (get_uint(c, g, pfx, "port", 1, 65535, &port) == 1)
		p->port = (uint16_t)port;
	iset = get_num(c, g, pfx, "interval", 0.1, 3600, " seconds", &p->interval);
	toset = get_num(c, g, pfx, "timeout", 0.05, 300, " seconds", &p->timeout);
	if (toset == 0 && iset == 1 && p->interval <= 3)
		p->timeout = p->interval / 2;
	if (iset >= 0 && toset == 1 && p->timeout >= p->interval)
		cerr(c, config_setting_get_member(g, "timeout"),
		    "%stimeout (%g) must be less than %sinterval (%g)", pfx,
		    p->timeout, pfx, p->interval);
	get_uint(c, g, pfx, "rise", 1, 100, &p->rise);
	get_uint(c, g, pfx, "fall", 1, 100, &p->fall);

	if (p->type == CONF_PROBE_SMTP) {
		get_bool(c, g, pfx, "starttls", &p->starttls);
		if (get_bool(c, g, pfx, "starttls_required",
		    &p->starttls_required) == 1 && p->starttls_required &&
		    !p->starttls)
			cerr(c, config_setting_get_member(g, "starttls_required"),
			    "%sstarttls_required needs %sstarttls = true", pfx, pfx);
		get_strdup(c, g, pfx, "helo", CONF_DNAME_MAX, &p->helo);
	}
	if (p->type == CONF_PROBE_SMTP || p->type == CONF_PROBE_HTTP) {
		get_strdup(c, g, pfx, "ca_file", PATH_MAX, &p->ca_file);
		get_hostname(c, g, pfx, "tls_hostname", &p->tls_hostname);
	}
	if (p->type == CONF_PROBE_SMTP || p->type == CONF_PROBE_TCP) {
		t = 0;
		get_enum(c, g, pfx, "proxy_protocol", proxy_names, &t);
		p->proxy_protocol = (enum conf_proxy)t;
	}
	if (p->type != CONF_PROBE_HTTP)
		return;

	r = get_strs(c, g, pfx, "url", 2048, &v, &s);
	if (r == 0)
		cerr(c, g, "%s: type 'http' needs a 'url'", what);
	else if (r == 1 && strncasecmp(v, "http://", 7) != 0 &&
	    strncasecmp(v, "https://", 8) != 0)
		cerr(c, s, "%surl: must start with http:// or https://", pfx);
	else if (r == 1 && (p->url = strdup(v)) == NULL)
		cerr(c, s, "out of memory");

	t = is_load ? CONF_LOAD_NUMBER : CONF_LOAD_NONE;
	get_enum(c, g, pfx, "load_format", format_names, &t);
	p->load_format = (enum conf_load_format)t;
	if (is_load && p->load_format == CONF_LOAD_NONE)
		cerr(c, config_setting_get_member(g, "load_format"),
		    "%sload_format: a load probe needs a format other than 'none'",
		    pfx);
	r = get_strs(c, g, pfx, "load_key", 1024, &v, &s);
	if (r == 1 && p->load_format != CONF_LOAD_PROMETHEUS &&
	    p->load_format != CONF_LOAD_JSON)
		cerr(c, s, "%sload_key: only used with load_format 'prometheus' "
		    "or 'json'", pfx);
	else if (r == 1 && p->load_format == CONF_LOAD_JSON && v[0] != '/')
		cerr(c, s, "%sload_key: a JSON pointer must start with '/'", pfx);
	else if (r == 1 && (p->load_key = strdup(v)) == NULL)
		cerr(c, s, "out of memory");
	else if (r == 0 && (p->load_format == CONF_LOAD_PROMETHEUS ||
	    p->load_format == CONF_LOAD_JSON))
		cerr(c, config_setting_get_member(g, "load_format"),
		    "%sload_format '%s' needs a 'load_key'", pfx,
		    format_names[p->load_format]);
}

/* ----------------------------------------------------------------- servers */

static void
parse_address(struct cctx *c, const config_setting_t *g, struct conf_server *sv)
{
	const config_setting_t *s = config_setting_get_member(g, "address"), *e;
	int i, j, n;

	if (s == NULL) {
		cerr(c, g, "missing required key 'address' in server");
		return;
	}
	if ((n = strlist_len(s)) < 0) {
		cerr(c, s, "address: expected a string or an array of strings, "
		    "got %s", type_word(s));
		return;
	}
	if (n == 0) {
		cerr(c, s, "address: at least one address is required");
		return;
	}
	if ((sv->addrs = calloc((size_t)n, sizeof(*sv->addrs))) == NULL) {
		cerr(c, s, "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		e = strlist_elem(s, i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			cerr(c, e, "address: expected a string, got %s",
			    type_word(e));
			continue;
		}
		if (parse_ip(config_setting_get_string(e),
		    &sv->addrs[sv->naddrs]) != 0) {
			cerr(c, e, "address: '%s' is not an IPv4 or IPv6 address",
			    config_setting_get_string(e));
			continue;
		}
		for (j = 0; j < (int)sv->naddrs; j++)
			if (strcmp(sv->addrs[j].text,
			    sv->addrs[sv->naddrs].text) == 0)
				break;
		if (j < (int)sv->naddrs) {
			cerr(c, e, "address: '%s' listed twice",
			    sv->addrs[sv->naddrs].text);
			continue;
		}
		sv->naddrs++;
	}
}

static void
parse_server(struct cctx *c, const config_setting_t *g, struct conf_server *sv)
{
	long long v;

	sv->line = config_setting_source_line(g);
	sv->weight = 1;
	check_keys(c, g, server_keys, "server");
	get_name(c, g, "server", sv->name);
	get_hostname(c, g, "", "host", &sv->host);
	parse_address(c, g, sv);
	if (get_int(c, g, "", "weight", 1, 1000000, &v) == 1)
		sv->weight = (uint32_t)v;
	get_uint(c, g, "", "tier", 0, 255, &sv->tier);
}

/* ------------------------------------------------------------------- pools */

static void
parse_pool(struct cctx *c, const config_setting_t *g, struct conf_pool *pl)
{
	const config_setting_t *sub, *list, *e;
	struct conf_server *sv;
	long long v;
	int t, i, j, n, r1, r2;

	pl->line = config_setting_source_line(g);
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

	check_keys(c, g, pool_keys, "pool");
	get_name(c, g, "pool", pl->name);
	t = 0;
	get_enum(c, g, "", "policy", policy_names, &t);
	pl->policy = (enum conf_policy)t;
	if (get_group(c, g, "", "probe", &sub) == 1)
		parse_probe(c, sub, 0, &pl->probe);
	if (get_group(c, g, "", "load", &sub) == 1) {
		pl->has_load = true;
		parse_probe(c, sub, 1, &pl->load);
	}
	get_num(c, g, "", "load_smoothing", 0.01, 1, "", &pl->load_smoothing);
	r1 = get_num(c, g, "", "load_low", 0, 100, "", &pl->load_low);
	r2 = get_num(c, g, "", "load_high", 0, 100, "", &pl->load_high);
	if (r1 >= 0 && r2 >= 0 && pl->load_low >= pl->load_high)
		cerr(c, config_setting_get_member(g, "load_low") != NULL ?
		    config_setting_get_member(g, "load_low") :
		    config_setting_get_member(g, "load_high"),
		    "load_low (%g) must be less than load_high (%g)",
		    pl->load_low, pl->load_high);
	get_num(c, g, "", "slowstart", 0, 3600, " seconds", &pl->slowstart);
	get_uint(c, g, "", "min_up", 1, 1000, &pl->min_up);
	get_uint(c, g, "", "max_mx", 1, 64, &pl->max_mx);
	get_uint(c, g, "", "max_addrs", 1, 64, &pl->max_addrs);
	get_uint(c, g, "", "pref_base", 0, 65535, &pl->pref_base);
	get_uint(c, g, "", "pref_step", 0, 65535, &pl->pref_step);
	if ((unsigned long)pl->pref_base +
	    (unsigned long)pl->pref_step * pl->max_mx > 65535)
		cerr(c, g, "MX preferences would exceed 65535 "
		    "(pref_base %u + pref_step %u * max_mx %u)",
		    pl->pref_base, pl->pref_step, pl->max_mx);
	if (get_int(c, g, "", "ttl_degraded", 0, 86400, &v) == 1)
		pl->ttl_degraded = (uint32_t)v;
	get_hostname(c, g, "", "relay_host", &pl->relay_host);
	t = 0;
	if (get_enum(c, g, "", "all_down", alldown_names, &t) == 1 &&
	    t == CONF_ALLDOWN_RELAY &&
	    config_setting_get_member(g, "relay_host") == NULL)
		cerr(c, config_setting_get_member(g, "all_down"),
		    "all_down 'relay' needs a relay_host");
	pl->all_down = (enum conf_all_down)t;

	if ((n = get_list(c, g, "servers", &list)) == 0) {
		cerr(c, g, "missing required key 'servers' in pool");
		return;
	}
	if (n < 0)
		return;
	if ((n = config_setting_length(list)) == 0) {
		cerr(c, list, "servers: a pool needs at least one server");
		return;
	}
	if ((pl->servers = calloc((size_t)n, sizeof(*pl->servers))) == NULL) {
		cerr(c, list, "out of memory");
		return;
	}
	pl->nservers = (size_t)n;
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(list, i);
		sv = &pl->servers[i];
		parse_server(c, e, sv);
		if (sv->name[0] == '\0')
			continue;
		for (j = 0; j < i; j++)
			if (strcmp(pl->servers[j].name, sv->name) == 0) {
				cerr(c, config_setting_get_member(e, "name"),
				    "duplicate server name '%s' (first defined "
				    "at line %d)", sv->name, pl->servers[j].line);
				break;
			}
	}
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
 * A server of pool i answered under the same host name as one of an earlier
 * pool must have the same addresses: the name has one A/AAAA set.
 */
static void
check_shared_hosts(struct cctx *c, const config_setting_t *g,
    const struct conf *conf, size_t i)
{
	const struct conf_pool *pl = &conf->pools[i], *ol;
	const struct conf_server *sv, *ov;
	const config_setting_t *list = config_setting_get_member(g, "servers");
	const char *h1, *h2;
	size_t j, k, m;

	for (j = 0; j < pl->nservers; j++) {
		sv = &pl->servers[j];
		if (sv->name[0] == '\0' || sv->naddrs == 0)
			continue;
		h1 = sv->host != NULL ? sv->host : sv->name;
		for (k = 0; k < i; k++) {
			ol = &conf->pools[k];
			for (m = 0; m < ol->nservers; m++) {
				ov = &ol->servers[m];
				if (ov->name[0] == '\0' || ov->naddrs == 0)
					continue;
				h2 = ov->host != NULL ? ov->host : ov->name;
				if (strcasecmp(h1, h2) != 0 || same_addrs(sv, ov))
					continue;
				cerr(c, config_setting_get_elem(list, (unsigned)j),
				    "server '%s' has the host name of server '%s' "
				    "of pool '%s' (line %d) but other addresses",
				    sv->name, ov->name, ol->name, ov->line);
				goto next;
			}
		}
next:
		;
	}
}

/* ------------------------------------------------------------------- zones */

static void
parse_zone(struct cctx *c, const config_setting_t *g, struct conf_zone *z)
{
	const config_setting_t *s;
	const char *v, *why;
	size_t i, n;
	int r;

	z->line = config_setting_source_line(g);
	check_keys(c, g, zone_keys, "zone");
	if ((r = get_strs(c, g, "", "origin", CONF_DNAME_MAX, &v, &s)) == 0)
		cerr(c, g, "missing required key 'origin' in zone");
	else if (r == 1 && (why = dname_check(v)) != NULL)
		cerr(c, s, "origin: '%s' is not a valid domain name (%s)", v, why);
	else if (r == 1) {
		n = strlen(v);
		for (i = 0; i < n; i++)
			z->origin[i] = (char)tolower((unsigned char)v[i]);
		if (n > 0 && z->origin[n - 1] != '.')
			z->origin[n++] = '.';
		z->origin[n] = '\0';
	}

	if ((r = get_strs(c, g, "", "template", PATH_MAX, &v, &s)) == 0)
		cerr(c, g, "missing required key 'template' in zone");
	else if (r == 1) {
		if (v[0] == '/' || c->dir == NULL)
			z->template = strdup(v);
		else if (asprintf(&z->template, "%s%s%s", c->dir,
		    strcmp(c->dir, "/") == 0 ? "" : "/", v) < 0)
			z->template = NULL;
		if (z->template == NULL)
			cerr(c, s, "out of memory");
	}

	if ((s = config_setting_get_member(g, "serial")) != NULL) {
		if (config_setting_type(s) == CONFIG_TYPE_STRING &&
		    strcasecmp(config_setting_get_string(s), "auto") == 0)
			z->serial_auto = true;
		else
			cerr(c, s, "serial: the only value is \"auto\" (leave it out "
			    "to serve the template's serial)");
	}
}

/* ----------------------------------------------------------- status, relay */

static void
parse_status(struct cctx *c, const config_setting_t *g, struct conf_status *st)
{
	st->line = config_setting_source_line(g);
	check_keys(c, g, status_keys, "status");
	get_bool(c, g, "status.", "enabled", &st->enabled);
	get_sockaddr(c, g, "status.", "listen", 8053, &st->listen);
	get_strdup(c, g, "status.", "token_file", PATH_MAX, &st->token_file);
	get_strdup(c, g, "status.", "state_file", PATH_MAX, &st->state_file);
}

static void
parse_relay(struct cctx *c, const config_setting_t *g, struct conf *conf)
{
	struct conf_relay *rl = &conf->relay;
	const config_setting_t *s;
	const char *v, *hint;
	unsigned port;
	int t, r;

	rl->line = config_setting_source_line(g);
	rl->enabled = true;
	check_keys(c, g, relay_keys, "relay");
	get_bool(c, g, "relay.", "enabled", &rl->enabled);
	if (get_sockaddrs(c, g, "relay.", "listen", 25, &rl->listen,
	    &rl->nlisten) == 0)
		cerr(c, g, "missing required key 'listen' in relay");

	if ((r = get_strs(c, g, "relay.", "pool", CONF_NAME_MAX, &v, &s)) == 0)
		cerr(c, g, "missing required key 'pool' in relay");
	else if (r == 1 && conf_pool_find(conf, v, &rl->pool_index) == NULL) {
		hint = conf_pool_suggest(conf, v);
		cerr(c, s, "relay.pool: unknown pool '%s'%s%s%s", v,
		    hint != NULL ? " (did you mean '" : "",
		    hint != NULL ? hint : "", hint != NULL ? "'?)" : "");
	} else if (r == 1)
		snprintf(rl->pool, sizeof(rl->pool), "%s",
		    conf->pools[rl->pool_index].name);

	if (get_uint(c, g, "relay.", "port", 1, 65535, &port) == 1)
		rl->port = (uint16_t)port;
	t = 0;
	get_enum(c, g, "relay.", "proxy_protocol", proxy_names, &t);
	rl->proxy_protocol = (enum conf_proxy)t;
	t = 0;
	get_enum(c, g, "relay.", "policy", relay_policy_names, &t);
	rl->policy = (enum conf_relay_policy)t;
	get_uint(c, g, "relay.", "retries", 0, 16, &rl->retries);
	get_num(c, g, "relay.", "connect_timeout", 0.1, 300, " seconds",
	    &rl->connect_timeout);
	get_num(c, g, "relay.", "idle_timeout", 1, 86400, " seconds",
	    &rl->idle_timeout);
	get_uint(c, g, "relay.", "max_connections", 1, 1000000,
	    &rl->max_connections);
	get_uint(c, g, "relay.", "max_per_source", 0, 1000000,
	    &rl->max_per_source);
	get_hostname(c, g, "relay.", "hostname", &rl->hostname);
	get_uint(c, g, "relay.", "threads", 0, 64, &rl->threads);
}

/* -------------------------------------------------------------------- rrl */

/* "192.0.2.0/24", "2001:db8::/32"; no length: a single address. */
static int
parse_prefix(const char *v, struct conf_prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 8], a[INET6_ADDRSTRLEN], *slash, *end;
	unsigned long bits;
	unsigned max, i;

	memset(p, 0, sizeof(*p));
	if (strlen(v) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", v);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, p->addr) == 1) {
		p->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, p->addr) == 1) {
		p->family = AF_INET6;
		max = 128;
	} else
		return -1;
	bits = max;
	if (slash != NULL) {
		if (!isdigit((unsigned char)slash[0]))
			return -2;
		errno = 0;
		bits = strtoul(slash, &end, 10);
		if (errno != 0 || *end != '\0' || bits > max)
			return -2;
	}
	p->bits = (unsigned)bits;
	for (i = 0; i < max / 8; i++) {
		if (i * 8 >= p->bits)
			p->addr[i] = 0;
		else if (i * 8 + 8 > p->bits)
			p->addr[i] &= (uint8_t)(0xff << (8 - (p->bits - i * 8)));
	}
	inet_ntop(p->family, p->addr, a, sizeof(a));
	snprintf(p->text, sizeof(p->text), "%s/%u", a, p->bits);
	return 0;
}

static void
parse_rrl(struct cctx *c, const config_setting_t *g, struct conf_rrl *r)
{
	const config_setting_t *s, *e;
	const char *v;
	int i, n, rc;

	r->line = config_setting_source_line(g);
	check_keys(c, g, rrl_keys, "rrl");
	get_bool(c, g, "rrl.", "enabled", &r->enabled);
	get_uint(c, g, "rrl.", "rate", 1, 1000000, &r->rate);
	get_uint(c, g, "rrl.", "slip", 0, 100, &r->slip);
	get_uint(c, g, "rrl.", "window", 1, 3600, &r->window);
	get_uint(c, g, "rrl.", "ipv4_prefix", 8, 32, &r->ipv4_prefix);
	get_uint(c, g, "rrl.", "ipv6_prefix", 16, 128, &r->ipv6_prefix);
	if ((s = config_setting_get_member(g, "exempt")) == NULL)
		return;
	if ((n = strlist_len(s)) < 0) {
		cerr(c, s, "rrl.exempt: expected an array of prefixes "
		    "[ \"192.0.2.0/24\", ... ], got %s", type_word(s));
		return;
	}
	r->nexempt = 0;
	if (n > CONF_RRL_EXEMPT_MAX) {
		cerr(c, s, "rrl.exempt: at most %d prefixes, got %d",
		    CONF_RRL_EXEMPT_MAX, n);
		return;
	}
	for (i = 0; i < n; i++) {
		e = strlist_elem(s, i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			cerr(c, e, "rrl.exempt: expected a string, got %s",
			    type_word(e));
			continue;
		}
		v = config_setting_get_string(e);
		rc = parse_prefix(v, &r->exempt[r->nexempt]);
		if (rc == -1)
			cerr(c, e, "rrl.exempt: '%s' is not an IPv4 or IPv6 "
			    "prefix (e.g. \"192.0.2.0/24\")", v);
		else if (rc == -2)
			cerr(c, e, "rrl.exempt: '%s': bad prefix length "
			    "(0..32 for IPv4, 0..128 for IPv6)", v);
		else
			r->nexempt++;
	}
}

/* ---------------------------------------------------------------- the top */

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
	parse_prefix("127.0.0.0/8", &conf->rrl.exempt[0]);
	parse_prefix("::1/128", &conf->rrl.exempt[1]);
	conf->rrl.nexempt = 2;
	conf->log_level = LOG_LVL_INFO;
	conf->status.enabled = true;
	parse_sockaddr("127.0.0.1:8053", 8053, &conf->status.listen);
	conf->relay.port = 25;
	conf->relay.retries = 2;
	conf->relay.connect_timeout = 5;
	conf->relay.idle_timeout = 300;
	conf->relay.max_connections = 1000;
	conf->relay.max_per_source = 20;
}

static void
parse_top(struct cctx *c, const config_setting_t *root, struct conf *conf)
{
	const config_setting_t *g, *list, *e, *st = NULL, *ls;
	size_t k;
	unsigned u;
	int i, n, lvl;

	check_keys(c, root, top_keys, NULL);

	if (get_sockaddrs(c, root, "", "listen", 53, &conf->listen,
	    &conf->nlisten) == 0) {
		if ((conf->listen = calloc(2, sizeof(*conf->listen))) != NULL) {
			parse_sockaddr("0.0.0.0:53", 53, &conf->listen[0]);
			parse_sockaddr("[::]:53", 53, &conf->listen[1]);
			conf->nlisten = 2;
		} else
			cerr(c, root, "out of memory");
	}
	get_uint(c, root, "", "workers", 0, 256, &conf->workers);
	if (get_uint(c, root, "", "edns_payload", 512, 4096, &u) == 1)
		conf->edns_payload = (uint16_t)u;
	get_num(c, root, "", "tcp_idle_timeout", 0.1, 3600, " seconds",
	    &conf->tcp_idle_timeout);
	get_uint(c, root, "", "tcp_max_connections", 1, 1000000,
	    &conf->tcp_max_connections);
	get_uint(c, root, "", "tcp_max_per_source", 0, 1000000,
	    &conf->tcp_max_per_source);
	if (get_group(c, root, "", "rrl", &g) == 1)
		parse_rrl(c, g, &conf->rrl);
	get_strdup(c, root, "", "version_bind", 255, &conf->version_bind);
	get_strdup(c, root, "", "id_server", 255, &conf->id_server);
	get_strdup(c, root, "", "user", 255, &conf->user);
	get_strdup(c, root, "", "group", 255, &conf->group);
	lvl = LOG_LVL_INFO;
	get_enum(c, root, "", "log_level", level_names, &lvl);
	conf->log_level = lvl;
	get_bool(c, root, "", "syslog", &conf->log_syslog);

	if (get_group(c, root, "", "status", &st) == 1)
		parse_status(c, st, &conf->status);
	if (conf->status.enabled)
		for (k = 0; k < conf->nlisten; k++)
			if (strcmp(conf->listen[k].text,
			    conf->status.listen.text) == 0) {
				ls = st != NULL ?
				    config_setting_get_member(st, "listen") : NULL;
				cerr(c, ls != NULL ? ls :
				    config_setting_get_member(root, "listen"),
				    "status.listen: '%s' is also a DNS listen "
				    "address", conf->status.listen.text);
			}

	/* Pools before zones and relay: both refer to pools by name. */
	if (get_list(c, root, "pools", &list) == 1 &&
	    (n = config_setting_length(list)) > 0) {
		if ((conf->pools = calloc((size_t)n, sizeof(*conf->pools))) == NULL) {
			cerr(c, list, "out of memory");
			return;
		}
		conf->npools = (size_t)n;
		for (i = 0; i < n; i++) {
			e = config_setting_get_elem(list, i);
			parse_pool(c, e, &conf->pools[i]);
			check_shared_hosts(c, e, conf, (size_t)i);
			for (k = 0; k < (size_t)i; k++)
				if (conf->pools[i].name[0] != '\0' &&
				    strcmp(conf->pools[k].name,
				    conf->pools[i].name) == 0) {
					cerr(c, config_setting_get_member(e, "name"),
					    "duplicate pool name '%s' (first "
					    "defined at line %d)",
					    conf->pools[i].name, conf->pools[k].line);
					break;
				}
		}
	}

	if (get_list(c, root, "zones", &list) == 1 &&
	    (n = config_setting_length(list)) > 0) {
		if ((conf->zones = calloc((size_t)n, sizeof(*conf->zones))) == NULL) {
			cerr(c, list, "out of memory");
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
					cerr(c, config_setting_get_member(e,
					    "origin"), "duplicate zone origin "
					    "'%s' (first defined at line %d)",
					    conf->zones[i].origin,
					    conf->zones[k].line);
					break;
				}
		}
	}

	if (get_group(c, root, "", "relay", &g) == 1)
		parse_relay(c, g, conf);
}

/*
 * libconfig 1.5 silently truncates integer literals that do not fit in 32
 * bits (99999999999 reads as 1215752191). Find them in the text first.
 */
static void
scan_numbers(struct cctx *c, const char *p)
{
	int line = 1, neg;
	const char *start;
	char *end;
	unsigned long long v;

	while (*p != '\0') {
		if (*p == '\n') {
			line++;
			p++;
		} else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
			while (*p != '\0' && *p != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			for (p += 2; *p != '\0' && !(p[0] == '*' && p[1] == '/'); p++)
				if (*p == '\n')
					line++;
			if (*p != '\0')
				p += 2;
		} else if (*p == '"') {
			for (p++; *p != '\0' && *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				else if (*p == '\n')
					line++;
			}
			if (*p != '\0')
				p++;
		} else if (isalpha((unsigned char)*p) || *p == '_' || *p == '*') {
			while (isalnum((unsigned char)*p) || *p == '_' || *p == '*' ||
			    *p == '-')
				p++;
		} else if (isdigit((unsigned char)*p) ||
		    ((*p == '-' || *p == '+') && isdigit((unsigned char)p[1]))) {
			start = p;
			neg = *p == '-';
			if (*p == '-' || *p == '+')
				p++;
			errno = 0;
			v = strtoull(p, &end, 0);
			if (*end == '.' || *end == 'e' || *end == 'E') {
				/* a float: skip it whole */
				p = end + 1;
				while (isdigit((unsigned char)*p) || *p == '.' ||
				    *p == 'e' || *p == 'E' || *p == '-' || *p == '+')
					p++;
				continue;
			}
			p = end;
			if (*p == 'L' || *p == 'l') {
				while (*p == 'L' || *p == 'l')
					p++;
				continue;
			}
			if (errno == ERANGE || v > (neg ? 2147483648ULL : 2147483647ULL)) {
				cerr_at(c, line, "number %.*s is too large",
				    (int)(p - start), start);
				if (c->nbadlines < CONF_MAX_BADLINES)
					c->badlines[c->nbadlines++] = line;
			}
		} else
			p++;
	}
}

static struct conf *
conf_parse(const char *text, const char *name, const char *dir, FILE *errout)
{
	struct cctx c;
	struct conf *conf = NULL;
	config_t cfg;
	const char *efile;
	char path[4096];
	int line;

	memset(&c, 0, sizeof(c));
	c.name = name;
	c.dir = dir;
	diag_init(&c.d, errout, name, DIAG_SORTED);
	config_init(&cfg);
	config_set_include_dir(&cfg, dir != NULL ? dir : ".");
	scan_numbers(&c, text);
	if (!config_read_string(&cfg, text)) {
		efile = config_error_file(&cfg);
		if (efile != NULL && efile[0] != '/' && dir != NULL) {
			snprintf(path, sizeof(path), "%s/%s", dir, efile);
			efile = path;
		}
		line = config_error_line(&cfg);
		cerr_file(&c, efile != NULL ? efile : name, line, "%s",
		    config_error_text(&cfg));
		goto fail;
	}
	if ((conf = calloc(1, sizeof(*conf))) == NULL ||
	    (conf->file = strdup(name)) == NULL) {
		cerr_at(&c, 0, "out of memory");
		goto fail;
	}
	c.conf = conf;
	conf_defaults(conf);
	parse_top(&c, config_root_setting(&cfg), conf);
fail:
	config_destroy(&cfg);
	diag_flush(&c.d);
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
conf_free(struct conf *conf)
{
	size_t i, j;

	if (conf == NULL)
		return;
	for (i = 0; i < conf->npools; i++) {
		struct conf_pool *pl = &conf->pools[i];

		probe_free(&pl->probe);
		probe_free(&pl->load);
		free(pl->relay_host);
		for (j = 0; j < pl->nservers; j++) {
			free(pl->servers[j].host);
			free(pl->servers[j].addrs);
		}
		free(pl->servers);
	}
	free(conf->pools);
	for (i = 0; i < conf->nzones; i++)
		free(conf->zones[i].template);
	free(conf->zones);
	free(conf->listen);
	free(conf->relay.listen);
	free(conf->relay.hostname);
	free(conf->status.token_file);
	free(conf->status.state_file);
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
	size_t i;

	for (i = 0; i < conf->npools; i++)
		if (strcasecmp(conf->pools[i].name, name) == 0) {
			if (idx != NULL)
				*idx = i;
			return &conf->pools[i];
		}
	return NULL;
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
