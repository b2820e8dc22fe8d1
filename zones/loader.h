/* loader.h - private to zones/: the state of one zone_load(), shared by its rooms.
 *
 * zone_load() (zone.c) drives the load in three steps, each in its own file:
 *   lex.c     bytes -> records: lines, parentheses, quotes, comments;
 *   parse.c   records -> name tree: directives ($ORIGIN, $TTL, $INCLUDE),
 *             static records (through ldns) and DYNMX/DYNA/DYNSRV;
 *   zcheck.c  the checks that need the whole tree: pool server addresses,
 *             relay hosts, CNAME and delegation rules, apex NS and glue,
 *             then the SOA (serial, "auto" serial, negative TTL).
 * zone.c owns what they share: the arena, the name tree under construction
 * and the error reporting below.
 *
 * Files are numbered (index into loader.files: 0 the template, then the
 * config file, then each $INCLUDE), so a record keeps "file, line" in two
 * ints while loading. Every message goes through the diag collector as
 * "file:line: message" (DIAG_DIRECT: printed at once, counted across
 * $INCLUDEs in loader.d.nerr).
 *
 * A bnode is a zone_node followed by what only the load needs: its first
 * member is the zone_node, so the tree's pointers convert either way.
 * brr[] (where each rrset was first written) is freed at the end of a
 * successful load, after keep_where has copied each node's first place.
 */
#ifndef MXS_ZONES_LOADER_H
#define MXS_ZONES_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <ldns/ldns.h>

#include "dnsd/base/diag.h"
#include "zones/zone.h"

#define ZONE_INCLUDE_MAX	10		/* nested $INCLUDE levels */
#define ZONE_TTL_MAX		2147483647u	/* RFC 2181 8 */
#define ZONE_RRSET_MAX		65535

/* Where an rrset was first written, and its rdata capacity. */
struct brr {
	int    file, line;
	size_t cap;
};

struct bnode {
	struct zone_node n;		/* first: a zone_node * is a bnode * */
	struct brr      *brr;		/* parallel to n.rrsets; freed after load */
	uint16_t         cap;		/* rrsets capacity */
	int              dynmx_file, dyna_file, dynsrv_file;
	int              srv_pool;	/* server that synthesized A/AAAA, or -1 */
	int              srv_index;
};

/* A pool referenced by a DYN record of this zone (first reference). */
struct bref {
	int      ref;			/* index into z->pools, or -1 */
	uint32_t ttl;
	int      file, line;
};

struct zone_arena;

struct loader {
	const struct conf      *conf;
	const struct conf_zone *cz;
	struct diag             d;	/* every error, counted across $INCLUDEs */
	struct zone            *z;
	struct zone_arena      *arena;
	char                  **files;	/* file names, index 0 = template */
	size_t                  nfiles, capfiles;
	int                     conffile;	/* index of the config file name */
	size_t                  nodes_cap;
	struct {
		dev_t dev;
		ino_t ino;
	}                       stack[ZONE_INCLUDE_MAX + 1];
	int                     depth;
	ldns_rdf               *zorigin;	/* zone origin */
	bool                    soa_failed;	/* an SOA record was rejected */
	bool                    ns_failed;	/* an apex NS record was rejected */
	size_t                  nrecords;
	struct bref            *brefs;		/* conf->npools */
};

/* Memory that lives as long as the zone (zeroed); NULL when out of memory. */
void *zone_arena_alloc(struct zone_arena *a, size_t n);

/* "file:line: message" of file index file, counted as an error / warning. */
void zone_err(struct loader *L, int file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void zone_warn(struct loader *L, int file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "line N" when file is curfile, else "file:N"; returns buf. */
const char *zone_where(struct loader *L, int curfile, int file, int line,
    char *buf, size_t len);

/* Number a file name (copied). \retval index  \retval -1 out of memory */
int zone_add_file(struct loader *L, const char *name);

/* "MX", "TXT", ..., or "TYPE<n>"; returns buf. */
const char *zone_type_name(uint16_t type, char *buf, size_t len);

/*
 * Name text to an absolute ldns dname: "@" is origin, relative names are
 * appended to origin. \retval NULL when the text is no valid name.
 */
ldns_rdf *zone_name_abs(const char *text, const ldns_rdf *origin);

/* The node of a lowercase in-zone wire name, created with its ancestors.
 * \retval NULL out of memory */
struct zone_node *zone_node_get(struct loader *L, const uint8_t *name,
    size_t len);

/* The rrset of a type at n (and its place in *brp when brp is set), or NULL. */
struct zone_rrset *zone_node_rrset(struct zone_node *n, uint16_t type,
    struct brr **brp);

/* A new empty rrset at n, first written at file:line. \retval NULL no memory */
struct zone_rrset *zone_rrset_new(struct zone_node *n, uint16_t type,
    uint32_t ttl, int file, int line, struct brr **brp);

/* Append one record's rdata. \retval 0 ok  \retval -1 out of memory */
int zone_rdata_append(struct zone_rrset *rs, struct brr *br,
    const uint8_t *rd, size_t rdlen);

#endif
