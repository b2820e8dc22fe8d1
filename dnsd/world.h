/* world.h - the world: config + compiled zones, one immutable snapshot.
 *
 * Built completely by world_load() (config parsed, every template loaded
 * and compiled); on success it is published by swapping one RCU pointer;
 * readers (DNS workers, status) take world_get() inside rcu_read_lock().
 * A rejected load leaves the running world untouched.
 */
#ifndef MXS_WORLD_H
#define MXS_WORLD_H

#include <stdio.h>
#include <time.h>

#include <urcu.h>

#include "dnsd/base/conf.h"
#include "zones/zone.h"

struct world {
	struct rcu_head rcu;
	struct conf    *conf;
	struct zone   **zones;		/* nzones, sorted for lookup */
	size_t          nzones;
	time_t          loaded;
};

/* \retval world caller owns (world_free or world_publish); NULL: errors
 * printed to err. */
struct world *world_load(const char *file, FILE *err);
void world_free(struct world *w);

/* Find the zone serving a lowercase wire name (longest origin match). */
struct zone *world_zone_for(const struct world *w, const uint8_t *name,
    size_t len);

const struct world *world_get(void);	/* inside rcu_read_lock() */
void world_publish(struct world *w);	/* frees the old one after a grace period */
void world_shutdown(void);

#endif
