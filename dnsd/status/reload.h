/* reload.h - the record of reloads that status.json shows as "last_reload":
 * the daemon's last attempt (status_note_reload() in status.h) and the
 * reloads requested through the admin API. One mutex guards it: the daemon
 * writes from the main thread, the status thread reads and counts.
 */
#ifndef MXS_STATUS_RELOAD_H
#define MXS_STATUS_RELOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "dnsd/status/status.h"

struct status_reload {
	uint64_t count;			/* reloads attempted since start */
	int64_t  time_ms;		/* unix ms of the last attempt; 0: none */
	bool     ok;			/* the last attempt was published */
	char     errors[STATUS_RELOAD_ERRORS];	/* its errors; "" if ok */
	uint64_t api_requests;		/* POST /api/reload accepted */
	int64_t  api_requested_ms;	/* unix ms of the last one; 0: none */
};

/* Count one reload request of the admin API (before it signals SIGHUP). */
void status_reload_requested(void);

/* Copy the record (any thread). */
void status_reload_get(struct status_reload *out);

#endif
