/* conf_read.c - typed config reads: range checks, key checks, names, addresses. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libconfig.h>

#include "dnsd/base/conf.h"
#include "dnsd/base/conf_int.h"
#include "dnsd/base/diag.h"

/* Report an error located at setting s (its file and line). */
void
conf_err(struct cctx *c, const config_setting_t *s, const char *fmt, ...)
{
	const char *sfile = s != NULL ? config_setting_source_file(s) : NULL;
	int line = s != NULL ? config_setting_source_line(s) : 0;
	char path[4096];
	va_list ap;

	if (sfile == NULL && conf_badline(c, line)) {
		/* Already reported as a number libconfig cannot hold. */
		c->d.nerr++;
		return;
	}
	if (sfile == NULL)
		conf_where(c, line, &sfile, &line);
	else if (sfile[0] != '/' && c->dir != NULL) {
		snprintf(path, sizeof(path), "%s/%s", c->dir, sfile);
		sfile = path;
	}
	va_start(ap, fmt);
	diag_verror(&c->d, sfile, line, fmt, ap);
	va_end(ap);
}

int
conf_line(const struct cctx *c, const config_setting_t *s)
{
	const char *file;
	int line = config_setting_source_line(s);

	if (config_setting_source_file(s) == NULL)
		conf_where(c, line, &file, &line);
	return line;
}

void
conf_err_at(struct cctx *c, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_verror(&c->d, c->name, line, fmt, ap);
	va_end(ap);
}

/* Reject every key of group g not in keys; where names the group. */
void
conf_check_keys(struct cctx *c, const config_setting_t *g,
    const char *const *keys, const char *where)
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
		conf_err(c, s, "unknown key '%s'%s%s%s%s%s", name,
		    where != NULL ? " in " : "", where != NULL ? where : "",
		    hint != NULL ? " (did you mean '" : "",
		    hint != NULL ? hint : "", hint != NULL ? "'?)" : "");
	}
}

const char *
conf_type_word(const config_setting_t *s)
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
int
conf_get_int(struct cctx *c, const config_setting_t *g, const char *pfx,
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
		conf_err(c, s, "%s%s: expected an integer, got %s", pfx, key,
		    conf_type_word(s));
		return -1;
	}
	if (v < min || v > max) {
		conf_err(c, s, "%s%s: must be between %lld and %lld, got %lld",
		    pfx, key, min, max, v);
		return -1;
	}
	*out = v;
	return 1;
}

int
conf_get_uint(struct cctx *c, const config_setting_t *g, const char *pfx,
    const char *key, long long min, long long max, unsigned *out)
{
	long long v;
	int r;

	if ((r = conf_get_int(c, g, pfx, key, min, max, &v)) == 1)
		*out = (unsigned)v;
	return r;
}

/* Number key (integer or decimal); unit is appended to the range message. */
int
conf_get_num(struct cctx *c, const config_setting_t *g, const char *pfx,
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
		conf_err(c, s, "%s%s: expected a number, got %s", pfx, key,
		    conf_type_word(s));
		return -1;
	}
	if (!(v >= min && v <= max)) {
		conf_err(c, s, "%s%s: must be between %g and %g%s, got %g", pfx, key,
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
		conf_err(c, s, "%s%s: expected %s, got %s", pfx, key, what,
		    conf_type_word(s));
		return -1;
	}
	*out = s;
	return 1;
}

int
conf_get_bool(struct cctx *c, const config_setting_t *g, const char *pfx,
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
int
conf_get_strs(struct cctx *c, const config_setting_t *g, const char *pfx,
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
		conf_err(c, s, "%s%s: must not be empty", pfx, key);
		return -1;
	}
	if (strlen(v) > maxlen) {
		conf_err(c, s, "%s%s: longer than %zu bytes", pfx, key, maxlen);
		return -1;
	}
	*out = v;
	return 1;
}

/* String key copied into *out (strdup). */
int
conf_get_strdup(struct cctx *c, const config_setting_t *g, const char *pfx,
    const char *key, size_t maxlen, char **out)
{
	const char *v;
	int r;

	if ((r = conf_get_strs(c, g, pfx, key, maxlen, &v, NULL)) != 1)
		return r;
	if ((*out = strdup(v)) == NULL) {
		conf_err(c, g, "out of memory");
		return -1;
	}
	return 1;
}

/* One of names[]; *out is the index. */
int
conf_get_enum(struct cctx *c, const config_setting_t *g, const char *pfx,
    const char *key, const char *const *names, int *out)
{
	const config_setting_t *s;
	const char *v;
	char expect[256];
	size_t n, i, len = 0;
	int r;

	if ((r = conf_get_strs(c, g, pfx, key, 1024, &v, &s)) != 1)
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
	conf_err(c, s, "%s%s: unknown value '%s' (expected %s)", pfx, key, v,
	    expect);
	return -1;
}

/* A string or an array/list of them: the element count (1 for a
 * string), or -1 for any other type. */
int
conf_strlist_len(const config_setting_t *s)
{
	if (config_setting_type(s) == CONFIG_TYPE_STRING)
		return 1;
	if (config_setting_type(s) == CONFIG_TYPE_ARRAY ||
	    config_setting_type(s) == CONFIG_TYPE_LIST)
		return config_setting_length(s);
	return -1;
}

/* Element i of such a setting (the string itself for a string). */
const config_setting_t *
conf_strlist_elem(const config_setting_t *s, int i)
{
	return config_setting_type(s) == CONFIG_TYPE_STRING ? s :
	    config_setting_get_elem(s, (unsigned)i);
}

/* Group key: -1 wrong type (printed), 0 absent, 1 present. */
int
conf_get_group(struct cctx *c, const config_setting_t *g, const char *pfx,
    const char *key, const config_setting_t **out)
{
	return get_typed(c, g, pfx, key, CONFIG_TYPE_GROUP, "a group { ... }",
	    out);
}

/* List of groups "( { ... }, ... )". */
int
conf_get_list(struct cctx *c, const config_setting_t *g, const char *key,
    const config_setting_t **out)
{
	const config_setting_t *s = config_setting_get_member(g, key), *e;
	int i;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		conf_err(c, s, "%s: expected a list ( { ... }, ... ), got %s", key,
		    conf_type_word(s));
		return -1;
	}
	for (i = 0; (e = config_setting_get_elem(s, i)) != NULL; i++)
		if (config_setting_type(e) != CONFIG_TYPE_GROUP) {
			conf_err(c, e, "%s: element %d: expected a group "
			    "{ ... }, got %s", key, i + 1, conf_type_word(e));
			return -1;
		}
	*out = s;
	return 1;
}

/* Pool and server names: [A-Za-z0-9_-]{1,63}, stored lowercase. */
int
conf_get_name(struct cctx *c, const config_setting_t *g, const char *what,
    char out[CONF_NAME_MAX + 1])
{
	const config_setting_t *s;
	const char *v;
	size_t i, n;
	int r;

	if ((r = conf_get_strs(c, g, "", "name", 4096, &v, &s)) == 0) {
		conf_err(c, g, "missing required key 'name' in %s", what);
		return -1;
	}
	if (r < 0)
		return -1;
	n = strlen(v);
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '-' && v[i] != '_')
			break;
	if (n > CONF_NAME_MAX || i < n) {
		conf_err(c, s, "name: '%s' is not a valid %s name "
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
const char *
conf_dname_check(const char *v)
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
int
conf_get_hostname(struct cctx *c, const config_setting_t *g, const char *pfx,
    const char *key, char **out)
{
	const config_setting_t *s;
	const char *v, *why;
	int r;

	if ((r = conf_get_strs(c, g, pfx, key, CONF_DNAME_MAX, &v, &s)) != 1)
		return r;
	if ((why = conf_dname_check(v)) != NULL || strcmp(v, ".") == 0) {
		conf_err(c, s, "%s%s: '%s' is not a valid host name (%s)", pfx,
		    key, v, why != NULL ? why : "the root");
		return -1;
	}
	if ((*out = strdup(v)) == NULL) {
		conf_err(c, s, "out of memory");
		return -1;
	}
	return 1;
}

int
conf_parse_ip(const char *v, struct conf_ip *ip)
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

/* In ::/96 but neither :: nor ::1: the deprecated IPv4-compatible form
 * (RFC 4291 2.5.5.1), what "::1:53" reads as when it is not ::1 port 53. */
static bool
v4compat(const struct in6_addr *a)
{
	static const uint8_t zero[12];

	return memcmp(a->s6_addr, zero, 12) == 0 &&
	    !IN6_IS_ADDR_UNSPECIFIED(a) && !IN6_IS_ADDR_LOOPBACK(a);
}

const char *
conf_ip_unusable(const struct conf_ip *ip)
{
	const uint8_t *a;
	uint32_t v4;

	if (ip->family == AF_INET6) {
		a = ip->u.v6.s6_addr;
		if (IN6_IS_ADDR_UNSPECIFIED(&ip->u.v6))
			return "the unspecified address";
		if (a[0] == 0xff)
			return "a multicast address";
		if (v4compat(&ip->u.v6))
			return "an IPv4-compatible address (::/96, deprecated)";
		if (!IN6_IS_ADDR_V4MAPPED(&ip->u.v6))
			return NULL;
		memcpy(&v4, a + 12, 4);
	} else
		memcpy(&v4, &ip->u.v4, 4);
	v4 = ntohl(v4);
	if (v4 == 0)
		return "the unspecified address";
	if (v4 == 0xffffffffu)
		return "the broadcast address";
	if ((v4 >> 28) == 0xe)
		return "a multicast address";
	return NULL;
}

int
conf_ip_ambiguous(const char *v, char *addr, size_t size)
{
	struct in6_addr a6;
	const char *colon = strrchr(v, ':');
	size_t i, n;

	if (v[0] == '[' || strstr(v, "::") == NULL || colon == NULL)
		return 0;
	n = strlen(colon + 1);
	if (n == 0 || n > 5)
		return 0;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)colon[1 + i]))
			return 0;
	if (atoi(colon + 1) < 1 || atoi(colon + 1) > 65535 ||
	    (size_t)(colon - v) >= size)
		return 0;
	memcpy(addr, v, (size_t)(colon - v));
	addr[colon - v] = '\0';
	return inet_pton(AF_INET6, addr, &a6) == 1 &&
	    inet_pton(AF_INET6, v, &a6) == 1 && v4compat(&a6);
}

/*
 * "1.2.3.4:port", "[v6]:port", or without the port (defport).
 * Returns 0, or -1 (not an address), -2 (bad port) or -3 (an IPv6 address
 * without brackets whose last group could be a port).
 */
int
conf_parse_sockaddr(const char *v, uint16_t defport, struct conf_sockaddr *sa)
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
	} else if (conf_ip_ambiguous(v, host, sizeof(host)))
		return -3;
	else
		hl = strlen(v);
	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, v, hl);
	host[hl] = '\0';
	if (conf_parse_ip(host, &ip) != 0)
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

/* The address part of an ambiguous v (conf_ip_ambiguous() said so). */
static const char *
ambiguous_host(const char *v, char *host, size_t size)
{
	if (!conf_ip_ambiguous(v, host, size))
		snprintf(host, size, "?");
	return host;
}

static int
sockaddr_elem(struct cctx *c, const config_setting_t *s, const char *pfx,
    const char *key, uint16_t defport, struct conf_sockaddr *sa)
{
	char host[INET6_ADDRSTRLEN];
	const char *v;
	int r;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		conf_err(c, s, "%s%s: expected a string \"address:port\", got %s",
		    pfx, key, conf_type_word(s));
		return -1;
	}
	v = config_setting_get_string(s);
	if ((r = conf_parse_sockaddr(v, defport, sa)) == -3) {
		conf_err(c, s, "%s%s: '%s' is ambiguous: write [%s]:%s for a "
		    "port", pfx, key, v, ambiguous_host(v, host, sizeof(host)),
		    strrchr(v, ':') + 1);
		return -1;
	}
	if (r == -2) {
		conf_err(c, s, "%s%s: '%s' has a bad port (expected 1 to 65535)",
		    pfx, key, v);
		return -1;
	}
	if (r != 0) {
		conf_err(c, s, "%s%s: '%s' is not an address (expected "
		    "\"192.0.2.1:53\" or \"[2001:db8::1]:53\")", pfx, key, v);
		return -1;
	}
	if (sa->ss.ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(
	    &((const struct sockaddr_in6 *)&sa->ss)->sin6_addr)) {
		/* Listen sockets are IPV6_V6ONLY (dnsd/base/sock.c): the
		 * mapped form could never be bound. */
		conf_err(c, s, "%s%s: '%s' is an IPv4-mapped address, which an "
		    "IPv6-only socket cannot bind: write %s:%u", pfx, key, v,
		    inet_ntop(AF_INET, ((const struct sockaddr_in6 *)
		    &sa->ss)->sin6_addr.s6_addr + 12, host, sizeof(host)),
		    ntohs(((const struct sockaddr_in6 *)&sa->ss)->sin6_port));
		return -1;
	}
	return 0;
}

/* One listen address (string). */
int
conf_get_sockaddr(struct cctx *c, const config_setting_t *g, const char *pfx,
    const char *key, uint16_t defport, struct conf_sockaddr *sa)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	if (s == NULL)
		return 0;
	return sockaddr_elem(c, s, pfx, key, defport, sa) == 0 ? 1 : -1;
}

/* A string or an array/list of strings of listen addresses. */
int
conf_get_sockaddrs(struct cctx *c, const config_setting_t *g, const char *pfx,
    const char *key, uint16_t defport, struct conf_sockaddr **out, size_t *nout)
{
	const config_setting_t *s = config_setting_get_member(g, key), *e;
	struct conf_sockaddr *sa;
	int i, j, n, bad = 0;

	if (s == NULL)
		return 0;
	if ((n = conf_strlist_len(s)) < 0) {
		conf_err(c, s, "%s%s: expected an array of \"address:port\" "
		    "strings, got %s", pfx, key, conf_type_word(s));
		return -1;
	}
	if (n == 0) {
		conf_err(c, s, "%s%s: must list at least one address", pfx, key);
		return -1;
	}
	if (n > CONF_MAX_LISTEN) {
		conf_err(c, s, "%s%s: at most %d addresses", pfx, key,
		    CONF_MAX_LISTEN);
		return -1;
	}
	if ((sa = calloc((size_t)n, sizeof(*sa))) == NULL) {
		conf_err(c, s, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		e = conf_strlist_elem(s, i);
		if (sockaddr_elem(c, e, pfx, key, defport, &sa[i]) != 0) {
			bad = 1;
			continue;
		}
		for (j = 0; j < i; j++)
			if (strcmp(sa[j].text, sa[i].text) == 0) {
				conf_err(c, e, "%s%s: '%s' listed twice", pfx, key,
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

/* "192.0.2.0/24", "2001:db8::/32"; no length: a single address. */
int
conf_parse_prefix(const char *v, struct conf_prefix *p)
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
