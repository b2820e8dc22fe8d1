/* reload.c - the reload record of the status endpoint, under its own lock. */
#include <pthread.h>
#include <stdio.h>

#include "dnsd/base/clock.h"
#include "dnsd/status/reload.h"

static pthread_mutex_t reload_lock = PTHREAD_MUTEX_INITIALIZER;
static struct status_reload reload_last;

void
status_note_reload(int ok, const char *errors)
{
	int64_t now = clock_unix_ms();

	pthread_mutex_lock(&reload_lock);
	reload_last.count++;
	reload_last.time_ms = now;
	reload_last.ok = ok != 0;
	snprintf(reload_last.errors, sizeof(reload_last.errors), "%s",
	    ok || errors == NULL ? "" : errors);
	pthread_mutex_unlock(&reload_lock);
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
