/* print.h - zone records in presentation format (master-file lines).
 *
 * The one place that turns a zone's wire rdata into text, for `mxspread
 * render` (dnsd/render.c): ldns does the formatting (one record per line,
 * tab separated, absolute names, as ldns-read-zone prints), so every type
 * ldns knows prints the way other tools read it. Kept in zones/ because
 * dnsd/ never includes ldns.
 */
#ifndef MXS_ZONES_PRINT_H
#define MXS_ZONES_PRINT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "zones/zone.h"

/*
 * One IN record, owner an uncompressed wire name, rdata uncompressed wire.
 * \retval 0   printed
 * \retval -1  write error, or rdata ldns cannot read (nothing printed)
 */
int zprint_rr(FILE *out, const uint8_t *owner, size_t ownerlen,
    uint16_t type, uint32_t ttl, const uint8_t *rd, size_t rdlen);

/* Every record of rs, owner n. \retval 0 ok  \retval -1 a record failed */
int zprint_rrset(FILE *out, const struct zone_node *n,
    const struct zone_rrset *rs);

/*
 * The nodes of z in canonical order (RFC 4034 6.1: by labels from the
 * root, so a name comes before the names below it).
 * \retval array  z->nnodes entries, caller frees (free)
 * \retval NULL   out of memory
 */
struct zone_node **zprint_order(const struct zone *z);

#endif
