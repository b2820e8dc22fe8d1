/* zcheck.h - zone template checks that need the whole tree, after parsing.
 *
 * zcheck_zone(), in this order (each reports every problem it finds, as
 * file:line, so one run shows them all):
 *  - pool servers: each server of a pool named by a DYN record gets its
 *    host name (server name or `host`, relative to the origin); a host
 *    inside the zone becomes a node with the server's A/AAAA (TTL of the
 *    pool's first DYN record, place: the server's line in the config). It
 *    must have no records of its own in the template, and a host shared by
 *    two pools must have the same addresses in both;
 *  - each node: apex, wildcard, delegation (cut) and CNAME flags; nothing
 *    but NS, DS and glue at a delegation, only glue below it; CNAME alone;
 *    DYNMX beside no MX, DYNA beside no A/AAAA;
 *  - glue: an in-bailiwick NS target of a delegation needs an A/AAAA; an
 *    in-zone NS target of the apex without one is a warning (lame);
 *  - relay hosts inside the zone need an A/AAAA and must not be below a cut;
 *  - the apex has an SOA and an NS (unless a rejected record was one).
 * zcheck_soa() then fills z->soa, the serial ("auto": the load time,
 * strictly increasing per origin within the process) and z->neg_ttl.
 */
#ifndef MXS_ZONES_ZCHECK_H
#define MXS_ZONES_ZCHECK_H

#include "zones/loader.h"

/* \retval 0 checked (errors counted in L->d)  \retval -1 out of memory */
int zcheck_zone(struct loader *L);

/* Only after a load without errors. */
void zcheck_soa(struct loader *L);

#endif
