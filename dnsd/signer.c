/* signer.c - the DNSSEC signer thread: re-signs the dynamic answers of the published world when the pool state changes (see signer.h). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define _LGPL_SOURCE
#include <urcu.h>

#include "dnsd/dynsign.h"
#include "dnsd/signer.h"
#include "dnsd/world.h"
#include "probes/pstate.h"

#define DYNSIGN_POLL_MS 20	/* how often the snapshot generation is read */
#define DYNSIGN_IDLE_MS 500	/* the same without a signed dynamic name */

static pthread_t     signer;
static atomic_bool   signer_quit;
static bool          signer_running;

/* A signed zone of w whose set is older than ps. */
/* A signed zone of w whose set is older than ps; *any: w has a signed
 * zone with dynamic records at all. */
static bool
stale(const struct world *w, const struct pstate *ps, bool *any)
{
	*any = false;
	for (size_t i = 0; i < w->nzones; i++) {
		const struct zone *z = w->zones[i];
		const struct dynsign *d;

		if (z->sec == NULL || z->sec->ndyn == 0)
			continue;
		*any = true;
		d = dynsign_get(z);
		if (ps != NULL && (d == NULL || d->gen != ps->gen))
			return true;
	}
	return false;
}

static void *
signer_main(void *arg)
{
	struct timespec fast = { 0, DYNSIGN_POLL_MS * 1000000L };
	struct timespec idle = { 0, DYNSIGN_IDLE_MS * 1000000L };

	(void)arg;
	rcu_register_thread();
	while (!atomic_load(&signer_quit)) {
		const struct world *w;
		const struct pstate *ps;
		bool any = false;

		rcu_read_lock();
		w = world_get();
		ps = pstate_get();
		/* the world cannot go while this thread reads it */
		if (w != NULL && stale(w, ps, &any))
			(void)dynsign_zones(w->conf, w->zones, w->nzones, ps);
		rcu_read_unlock();
		/* nothing to sign: look again now and then (a reload may
		 * bring a signed zone) rather than 50 times a second */
		nanosleep(any ? &fast : &idle, NULL);
	}
	rcu_unregister_thread();
	return NULL;
}

int
signer_start(void)
{
	int rc;

	atomic_store(&signer_quit, false);
	if ((rc = pthread_create(&signer, NULL, signer_main, NULL)) != 0) {
		errno = rc;
		return -1;
	}
	signer_running = true;
	return 0;
}

void
signer_stop(void)
{
	if (!signer_running)
		return;
	atomic_store(&signer_quit, true);
	pthread_join(signer, NULL);
	signer_running = false;
}
