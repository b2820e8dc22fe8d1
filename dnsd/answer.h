/* answer.h - transitional: the old names of the query counters, for dnsd/status.c only.
 *
 * The query engine is now dnsd/query.h (query path), zones/compile.h
 * (answer compiler), dnsd/dynamic.h and dnsd/chaos.h. dnsd/status.c belongs
 * to another change in flight and still says answer_*; once it includes
 * dnsd/query.h and uses the names on the right, delete this file.
 */
#ifndef MXS_ANSWER_H
#define MXS_ANSWER_H

#include "dnsd/query.h"

#define answer_stats      query_stats
#define answer_stats_sum  query_stats_sum
#define answer_first_pref query_first_pref
#define ANSWER_NQTYPES    QUERY_NQTYPES
#define ANSWER_NRCODES    QUERY_NRCODES

#endif
