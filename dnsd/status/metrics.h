/* metrics.h - the Prometheus text exposition (format 0.0.4) of a status
 * model.
 *
 * Pure: the model in, text appended to an evbuffer out. Every family has
 * its HELP and TYPE lines, even when it has no sample; label values are
 * escaped as the format requires (backslash, double quote, newline);
 * integers print without a decimal point, other values with 9 significant
 * digits, non-finite ones as NaN, +Inf, -Inf. Families of a part that is
 * not there are left out: the relay's without a relay, the DNSSEC ones
 * (but mxspread_dnssec_signed) while no zone is signed.
 */
#ifndef MXS_STATUS_METRICS_H
#define MXS_STATUS_METRICS_H

#include <event2/buffer.h>

#include "dnsd/status/model.h"

void status_metrics(const struct status_model *m, struct evbuffer *b);

#endif
