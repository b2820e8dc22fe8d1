/* reload.h - the record of reloads that status.json shows as "last_reload":
 * the daemon's last attempt (status_reload_note(), or status_note_reload()
 * in status.h) and the reloads requested through the admin API. One mutex
 * guards it: the daemon writes from the main thread, the status thread
 * reads and counts.
 *
 * The record tells what the running process does with the config it was
 * given: a published reload may still leave settings that only a restart
 * applies (listen addresses, workers, the status listener, the relay's
 * listeners and threads, user). The daemon compares every reload with
 * what the running services use, not with the previous reload, so the
 * list is the same after a second identical reload and empty again once
 * the running values are restored. A rejected reload changes nothing that
 * runs, so it leaves the list as it was.
 */
#ifndef MXS_STATUS_RELOAD_H
#define MXS_STATUS_RELOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnsd/status/status.h"

#define STATUS_RELOAD_PENDING     16	/* settings named at most */
#define STATUS_RELOAD_SETTING_MAX 32	/* "status.state_file" and the like */

struct status_reload {
	uint64_t count;			/* reloads attempted since start */
	int64_t  time_ms;		/* unix ms of the last attempt; 0: none */
	bool     ok;			/* the last attempt was published */
	char     errors[STATUS_RELOAD_ERRORS];	/* its errors; "" if ok */
	char     warnings[STATUS_RELOAD_ERRORS];	/* lines a published load
						   printed; "" if none or rejected */
	/* settings of the published config that wait for a restart */
	char     pending[STATUS_RELOAD_PENDING][STATUS_RELOAD_SETTING_MAX];
	size_t   npending;
	uint64_t api_requests;		/* POST /api/reload accepted */
	int64_t  api_requested_ms;	/* unix ms of the last one; 0: none */
};

/*
 * Record a reload attempt (any thread).
 * \param ok        the new world was published
 * \param text      what the loader printed: the errors when rejected, the
 *                  warnings when published (copied, truncated to
 *                  STATUS_RELOAD_ERRORS - 1 bytes); may be NULL
 * \param pending   when published: the names (as in the config) of the
 *                  settings that differ from the running ones, copied (at
 *                  most STATUS_RELOAD_PENDING; longer names are cut);
 *                  ignored when rejected (the list stays)
 * \param npending  entries of pending (0: none pending)
 */
void status_reload_note(bool ok, const char *text,
    const char *const *pending, size_t npending);

/* Count one reload request of the admin API (before it signals SIGHUP). */
void status_reload_requested(void);

/* Copy the record (any thread). */
void status_reload_get(struct status_reload *out);

#endif
