/* render.h - `mxspread render`: a zone printed as a master file, as served with every server up.
 *
 * Static records print as loaded (the SOA first, then every name in
 * canonical order). Dynamic records are expanded by the one pool order,
 * policy_order_by(), with every server up (no pool state) and no random
 * draw: key = -weight, so within a group (the pool, or a failover tier)
 * the heaviest server comes first and ties keep config order. So the MX
 * preferences, failover tiers (primary tier by min_up, then the others),
 * max_mx (one slot kept for the relay host) and the relay host's place are
 * exactly those of a live answer whose draw came out heaviest first.
 * DYNA lists up to max_addrs addresses of each family, walking the same
 * order, as the query path does. The output is an ordinary zone file that
 * other name servers load (tests/bench compares mxspread with them on it).
 */
#ifndef MXS_RENDER_H
#define MXS_RENDER_H

#include <stdio.h>

#include "dnsd/base/conf.h"
#include "zones/zone.h"

/*
 * Print zone z (loaded from conf) to out.
 * \retval 0   printed
 * \retval -1  write error or out of memory (the output may be partial)
 */
int render_zone(const struct zone *z, const struct conf *conf, FILE *out);

#endif
