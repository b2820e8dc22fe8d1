/* world.h - the world: config + compiled zones, one immutable snapshot.
 *
 * Built completely by world_load() (config parsed, every template loaded
 * with zone_load() and compiled with compile_zone()); on success it is
 * published by swapping one RCU pointer; readers (DNS workers, status) take
 * world_get() inside rcu_read_lock(). A rejected load leaves the running
 * world untouched.
 *
 * TLSA records (DANE-aware health, probes/smtp.h). The smtp probe judges
 * a server by the TLSA RRset at _<port>._tcp.<host> (RFC 7672 2.2.1), but
 * probes/ reads no zone: the world load copies that RRset into the
 * server's conf_server (tlsa, tlsa_len, tlsa_count, tlsa_signed,
 * tlsa_host), which the probe engine copies again when it starts.
 *  - host: the server's host name as the zones serve it, from the first
 *    zone (config order) whose DYN records use the pool (an absolute
 *    "host" as written, else "<host or name>.<origin>"); a pool no zone
 *    uses has none, so no TLSA records;
 *  - port: conf_server_dane_port() (the smtp probe's port, else 25);
 *  - lookup: in the served zone of the owner name (the longest origin),
 *    authoritative data only (nothing at or below a delegation); a CNAME
 *    is followed within the served zones (RFC 7671 7), at most 8; a
 *    wildcard is not expanded (publish the name itself);
 *  - tlsa_signed: the host's zone and every zone of the lookup are signed.
 * Warnings (never errors) name what makes a configuration miss its aim: a
 * pool with dane set to check or require whose server has no usable
 * record, records in an unsigned zone (DANE senders ignore them), records
 * the probe ignores (usages 0 and 1, RFC 7672 3.1.3; unknown parameters).
 * world_resign() fills the same conf again (its templates may have
 * changed), freeing what the previous fill put there; the running probe
 * engine keeps the copy it started with until a reload.
 *
 * world_load() is the one load path: the daemon at start and on reload,
 * `mxspread check` (which stops there, before any socket) and `mxspread
 * render` all call it, so a config check accepts exactly what the daemon
 * serves.
 */
#ifndef MXS_WORLD_H
#define MXS_WORLD_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include <urcu.h>

#include "dnsd/base/conf.h"
#include "dnsd/cookie.h"
#include "zones/zone.h"

struct world {
	struct rcu_head rcu;
	struct conf    *conf;
	bool            conf_lent;	/* conf now belongs to a newer world
					   (world_resign): not freed here */
	struct zone   **zones;		/* nzones, sorted for lookup */
	size_t          nzones;
	time_t          loaded;
	struct cookie_secrets cookies;	/* cookies.secret_file (and the
					   previous one), else this process's
					   random secret */
};

/*
 * Load the config file, then world_build().
 * \param err     every error and warning, "file:line: message"
 * \retval world  caller owns (world_free or world_publish)
 * \retval NULL   at least one error was printed to err
 */
struct world *world_load(const char *file, FILE *err);

/*
 * Check the files the daemon reads at start (the status token file and the
 * cookie secrets of conf->cookies, into w->cookies, with
 * secret_read()), load and compile every template of conf (all of them,
 * even after an error, so that every error is reported), zones sorted for
 * lookup.
 * \param conf    taken over: freed with the world, or on failure
 * \retval world  caller owns; NULL: errors printed to err
 */
struct world *world_build(struct conf *conf, FILE *err);

/*
 * Re-signing (zones/sign.h): a new world from the same parsed config as
 * old (its templates and key files read again, every zone signed anew,
 * compiled), so that nothing the config holds (the probe engine's pools,
 * the relay) changes. On success the new world owns the config and old
 * only borrows it until it is freed; on failure old is untouched.
 * \retval world  caller publishes it; NULL: errors printed to err
 */
struct world *world_resign(struct world *old, FILE *err);

void world_free(struct world *w);

/* Find the zone serving a lowercase wire name (longest origin match). */
struct zone *world_zone_for(const struct world *w, const uint8_t *name,
    size_t len);

const struct world *world_get(void);	/* inside rcu_read_lock() */
void world_publish(struct world *w);	/* frees the old one after a grace period */
void world_shutdown(void);

#endif
