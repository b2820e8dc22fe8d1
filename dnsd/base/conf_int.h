/* conf_int.h - inside the config loader: the load context, the reads its files share.
 *
 * The loader is three rooms over one context:
 *   conf.c       the top level, zones, status, relay, rrl; load and free;
 *                the public helpers of conf.h
 *   conf_read.c  errors, typed reads with range checks, key checks with
 *                "did you mean", names, DNS names, addresses, prefixes
 *   conf_text.c  the text before libconfig reads it: every @include
 *                expanded (so that the numbers scan sees every file and an
 *                absolute path works, which libconfig 1.5 gets wrong), the
 *                numbers libconfig cannot hold reported with their own
 *                file:line, and the map from a line of the expanded text
 *                back to its file and line
 *   conf_pool.c  probes, servers, pools and the checks across pools
 *
 * Errors are printed as they are found and counted (struct diag, sorted by
 * file and line at the end); parsing goes on so that one run shows every
 * mistake of the file. Nothing is returned unless the count is zero.
 * libconfig itself stops at the first syntax error: that one is reported
 * alone.
 *
 * Every typed read conf_get_*() returns -1 when the key is there but wrong
 * (the error is printed and counted), 0 when it is absent (*out untouched,
 * so the caller's default stands), 1 when *out was set. pfx is prepended to
 * the key in messages ("probe.", "relay."; "" at the top).
 *
 * Only conf*.c include this header; everyone else includes conf.h.
 */
#ifndef MXS_CONF_INT_H
#define MXS_CONF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libconfig.h>

#include "dnsd/base/conf.h"
#include "dnsd/base/diag.h"

#define CONF_MAX_LISTEN   64

/* From expanded line xline on, the lines of files[file] from line. */
struct conf_seg {
	int xline;
	int file;
	int line;
};

/* One load. */
struct cctx {
	struct diag      d;		/* every error, printed sorted */
	const char      *name;		/* main file, as given */
	const char      *dir;		/* its directory; NULL: current directory */
	char           **files;		/* [0] the main file, then each include */
	size_t           nfiles, afiles;
	struct conf_seg *segs;		/* ascending xline */
	size_t           nsegs, asegs;
	int             *badlines;	/* expanded lines with a bad number */
	size_t           nbadlines, abadlines;
	struct conf     *conf;
};

/* "none", "v1", "v2": probe.proxy_protocol and relay.proxy_protocol. */
extern const char *const conf_proxy_names[];

/* errors (conf_read.c) */

/* An error located at setting s (its file and line; s NULL: line 0 of the
 * main file). On a line whose number conf_expand() already reported, it is
 * counted, not printed again (the value libconfig read is a wrapped one). */
void conf_err(struct cctx *c, const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* An error at line of the main file. */
void conf_err_at(struct cctx *c, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Reject every key of group g not in keys (NULL-terminated), with a "did
 * you mean" from diag_suggest(); where names the group (NULL: the top). */
void conf_check_keys(struct cctx *c, const config_setting_t *g,
    const char *const *keys, const char *where);
/* "an integer", "a group", ...: the type of s, for messages. */
const char *conf_type_word(const config_setting_t *s);

/* typed reads (conf_read.c) */

int conf_get_int(struct cctx *c, const config_setting_t *g, const char *pfx,
    const char *key, long long min, long long max, long long *out);
int conf_get_uint(struct cctx *c, const config_setting_t *g, const char *pfx,
    const char *key, long long min, long long max, unsigned *out);
/* Integer or decimal; unit (" seconds" or "") ends the range message. */
int conf_get_num(struct cctx *c, const config_setting_t *g, const char *pfx,
    const char *key, double min, double max, const char *unit, double *out);
int conf_get_bool(struct cctx *c, const config_setting_t *g, const char *pfx,
    const char *key, bool *out);
/* A non-empty string of at most maxlen bytes; *out points into the
 * libconfig tree. *sp (if sp != NULL) is the setting when it is a string,
 * else NULL. */
int conf_get_strs(struct cctx *c, const config_setting_t *g, const char *pfx,
    const char *key, size_t maxlen, const char **out,
    const config_setting_t **sp);
/* The same, copied: the caller owns *out (free). */
int conf_get_strdup(struct cctx *c, const config_setting_t *g,
    const char *pfx, const char *key, size_t maxlen, char **out);
/* One of names[] (NULL-terminated, case-insensitive): *out is its index. */
int conf_get_enum(struct cctx *c, const config_setting_t *g, const char *pfx,
    const char *key, const char *const *names, int *out);
int conf_get_group(struct cctx *c, const config_setting_t *g,
    const char *pfx, const char *key, const config_setting_t **out);
/* A list of groups "( { ... }, ... )". */
int conf_get_list(struct cctx *c, const config_setting_t *g,
    const char *key, const config_setting_t **out);
/* A string or an array/list: its element count (1 for a string), -1 for
 * any other type; and element i (the string itself for a string). */
int conf_strlist_len(const config_setting_t *s);
const config_setting_t *conf_strlist_elem(const config_setting_t *s, int i);

/* names and addresses (conf_read.c) */

/* Key "name" of a pool or server (what): [A-Za-z0-9_-]{1,63}, lowercase
 * in out; missing is an error. */
int conf_get_name(struct cctx *c, const config_setting_t *g,
    const char *what, char out[CONF_NAME_MAX + 1]);
/* NULL when v is a DNS name in presentation form, else why not. */
const char *conf_dname_check(const char *v);
/* A host name, relative or absolute, copied as written (caller frees). */
int conf_get_hostname(struct cctx *c, const config_setting_t *g,
    const char *pfx, const char *key, char **out);
/* An IPv4 or IPv6 address: 0, or -1 when v is none. */
int conf_parse_ip(const char *v, struct conf_ip *ip);
/* NULL, or why ip can never be a mail server ("the unspecified address",
 * "the broadcast address", "a multicast address", IPv4-compatible ::/96;
 * IPv4-mapped ones too). Loopback and private ranges are fine. */
const char *conf_ip_unusable(const struct conf_ip *ip);
/* 1 when v is an IPv6 address without brackets whose last group could be
 * a port and which, read whole, is no usable address ("::1:53": ::1 port
 * 53, not ::0.1.0.83; "2001:db8::1:53" is an address); addr (size bytes)
 * gets the address without that group. */
int conf_ip_ambiguous(const char *v, char *addr, size_t size);
/* "192.0.2.1:53", "[2001:db8::1]:53", or without the port (defport):
 * 0, -1 not an address, -2 bad port, -3 ambiguous (conf_ip_ambiguous). */
int conf_parse_sockaddr(const char *v, uint16_t defport,
    struct conf_sockaddr *sa);
int conf_get_sockaddr(struct cctx *c, const config_setting_t *g,
    const char *pfx, const char *key, uint16_t defport,
    struct conf_sockaddr *sa);
/* A string or an array of them, 1 to CONF_MAX_LISTEN, no duplicates; the
 * caller owns *out (free). */
int conf_get_sockaddrs(struct cctx *c, const config_setting_t *g,
    const char *pfx, const char *key, uint16_t defport,
    struct conf_sockaddr **out, size_t *nout);
/* "192.0.2.0/24", "2001:db8::/32", or an address alone: 0, -1 not an
 * address, -2 bad prefix length. Host bits are cleared. */
int conf_parse_prefix(const char *v, struct conf_prefix *p);

/* the text (conf_text.c) */

/*
 * The main file's text with every @include replaced by the file's text
 * (nested ones too, resolved as libconfig does: relative to the main file's
 * directory; absolute as written), each integer literal libconfig would
 * truncate reported as written ("number 99999999999 is too large") at its
 * own file:line, and the line map of conf_where() filled. Run before
 * libconfig parses; an include that cannot be read is an error naming the
 * path (its text is left out).
 * \retval text  caller frees
 * \retval NULL  out of memory (printed)
 */
char *conf_expand(struct cctx *c, const char *text);
/* The file and line of line xline of the expanded text (0: main file). */
void conf_where(const struct cctx *c, int xline, const char **file,
    int *line);
/* The line in its own file of setting s (for the line fields of conf.h). */
int conf_line(const struct cctx *c, const config_setting_t *s);
/* 1 when a number of expanded line xline was reported as too large. */
int conf_badline(const struct cctx *c, int xline);
/* Free what conf_expand() added to c. */
void conf_text_free(struct cctx *c);

/* pools (conf_pool.c) */

/* The "pools" list of root into conf->pools, with the checks across pools
 * (duplicate names, one address set per host name).
 * \retval 0   parsed (errors, if any, printed and counted)
 * \retval -1  out of memory (printed): the caller stops parsing */
int conf_parse_pools(struct cctx *c, const config_setting_t *root,
    struct conf *conf);
/* Free what conf_parse_pools() allocated for n pools, and the array. */
void conf_pools_free(struct conf_pool *pools, size_t n);

#endif
