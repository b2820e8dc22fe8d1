/* chaos.h - CH-class TXT answers: version.bind / version.server, id.server / hostname.bind.
 *
 * The texts come from the config (version_bind, id_server); a name that is
 * not configured is REFUSED, so that nothing is disclosed by default. The
 * record is CH TXT with TTL 0 and the owner compressed to the question;
 * texts over 255 bytes are split into strings, at most 1024 bytes in all.
 * Per query, no allocation.
 */
#ifndef MXS_CHAOS_H
#define MXS_CHAOS_H

#include <stddef.h>
#include <stdint.h>

#include "dnsd/base/conf.h"
#include "dnsd/base/wire.h"

enum chaos_result {
	CHAOS_REFUSED,		/* not a configured name: REFUSED, AA=0 */
	CHAOS_NODATA,		/* a configured name, qtype not TXT/ANY */
	CHAOS_TRUNCATED,	/* the TXT record does not fit: TC=1 */
	CHAOS_ANSWER,		/* one TXT record written */
};

/*
 * Answer a class CH question.
 * \param conf   NULL: nothing configured
 * \param q      the parsed query (qclass CH)
 * \param resp   the response; the question is at offset 12
 * \param limit  the record may end at resp + limit
 * \param lenp   in: the end of the question; out (CHAOS_ANSWER): the end
 *               of the record
 * \retval what to answer; AA=1 for every result but CHAOS_REFUSED
 */
enum chaos_result chaos_answer(const struct conf *conf,
    const struct wire_query *q, uint8_t *resp, size_t limit, size_t *lenp);

#endif
