/* reload.c - the reload record of the status endpoint, under its own lock. */
#include <pthread.h>
#include <stdio.h>

#include "dnsd/base/clock.h"
#include "dnsd/status/reload.h"

static pthread_mutex_t reload_lock = PTHREAD_MUTEX_INITIALIZER;
static struct status_reload reload_last;

void
status_reload_note(bool ok, const char *text, const char *const *pending,
    size_t npending)
{
	int64_t now = clock_unix_ms();
	size_t i;

	if (text == NULL)
		text = "";
	pthread_mutex_lock(&reload_lock);
	reload_last.count++;
	reload_last.time_ms = now;
	reload_last.ok = ok;
	snprintf(reload_last.errors, sizeof(reload_last.errors), "%s",
	    ok ? "" : text);
	snprintf(reload_last.warnings, sizeof(reload_last.warnings), "%s",
	    ok ? text : "");
	if (ok) {
		if (npending > STATUS_RELOAD_PENDING)
			npending = STATUS_RELOAD_PENDING;
		for (i = 0; i < npending; i++)
			snprintf(reload_last.pending[i],
			    sizeof(reload_last.pending[i]), "%s", pending[i]);
		reload_last.npending = npending;
	}
	pthread_mutex_unlock(&reload_lock);
}

/* status.h's form: a published reload with this call names no pending
 * setting. */
void
status_note_reload(int ok, const char *errors)
{
	status_reload_note(ok != 0, ok ? NULL : errors, NULL, 0);
}

void
status_reload_requested(void)
{
	int64_t now = clock_unix_ms();

	pthread_mutex_lock(&reload_lock);
	reload_last.api_requests++;
	reload_last.api_requested_ms = now;
	pthread_mutex_unlock(&reload_lock);
}

void
status_reload_get(struct status_reload *out)
{
	pthread_mutex_lock(&reload_lock);
	*out = reload_last;
	pthread_mutex_unlock(&reload_lock);
}
