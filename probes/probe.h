/* probe.h - the probe engine: health and load probes on their own thread.
 *
 * probe_engine_start() starts one thread with its own event base that runs
 * every configured probe (smtp, tcp, http, agent) on its schedule, applies
 * rise/fall, load smoothing and slow start, and publishes a new pool-state
 * snapshot (probes/pstate.h) on every change. Everything below is safe to
 * call from other threads (status endpoint, main).
 */
#ifndef MXS_PROBE_H
#define MXS_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnsd/conf.h"
#include "probes/pstate.h"

#define PROBE_HISTORY 120

struct probe_result {
	int64_t  time_ms;		/* unix ms when the check finished */
	bool     ok;
	uint32_t latency_us;
	char     reason[80];		/* "" when ok; else why, in words */
};

struct probe_counters {
	uint64_t ok, failed;		/* completed checks by outcome */
	uint64_t skipped;		/* rounds skipped: previous still running */
	uint64_t late;			/* rounds started > 10% of interval late */
};

/* Start probing conf's pools (conf must outlive the engine). Publishes an
 * initial snapshot (all up) before returning. \retval 0 ok, -1 error logged */
int probe_engine_start(const struct conf *conf);

/* Stop the thread and free everything (the last snapshot stays published). */
void probe_engine_stop(void);

/* Copy up to max results of one server's health probe, oldest first.
 * \retval number copied */
size_t probe_history(size_t pool, size_t server, struct probe_result *out,
    size_t max);

void probe_get_counters(size_t pool, size_t server, struct probe_counters *out);

/* Operator admin state (status API); republishes the snapshot.
 * \retval 0 ok, -1 no such pool/server */
int probe_set_admin(size_t pool, size_t server, enum pstate_admin st);

#endif
