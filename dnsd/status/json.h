/* json.h - the status.json document, rendered from a status model.
 *
 * Pure: the model in, a jansson value out; no snapshot, lock or clock is
 * read here, so a unit test checks every field against a hand-built model.
 * Numbers that are not finite become null; strings that are not valid UTF-8
 * (a failure reason quoting a server's banner) have their odd bytes
 * replaced by '?' rather than losing the field.
 */
#ifndef MXS_STATUS_JSON_H
#define MXS_STATUS_JSON_H

#include <jansson.h>

#include "dnsd/status/model.h"

/* The whole document. \retval object, caller owns (json_decref); NULL only
 * when out of memory */
json_t *status_json(const struct status_model *m);

/* The "last_reload" object alone (also in the reply to POST /api/reload).
 * \retval object, caller owns */
json_t *status_json_reload(const struct status_reload *r);

#endif
