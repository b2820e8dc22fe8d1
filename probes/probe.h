/* probe.h - the probe engine: health and load probes on their own thread.
 *
 * probe_engine_start() starts one thread with its own event base that runs
 * every configured probe (smtp, tcp, http, agent) on its schedule, applies
 * rise/fall, load smoothing and slow start, and publishes a new pool-state
 * snapshot (probes/pstate.h) on every change. Everything below is safe to
 * call from other threads (status endpoint, main).
 *
 * A check that fails because this host ran short (EMFILE, ENFILE, ENOMEM:
 * check.h's "local" failures, e.g. while something else holds every
 * descriptor) says nothing about the server: it is counted apart
 * (probe_counters.local), leaves the server's state, history and rise/fall
 * counts alone, and is logged at error level at most once a second for
 * the whole engine, with a summary of the rest.
 */
#ifndef MXS_PROBE_H
#define MXS_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnsd/base/conf.h"
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
	uint64_t local;			/* attempts failed for want of descriptors
					 * or memory here: in neither ok nor
					 * failed, no rise/fall step */
	uint64_t dane_mismatches;	/* checks whose DANE verdict was
					 * "mismatch" (both modes) */
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

/* Added by the probe engine (tests, bench, status page). */

/* Sum of every probe's counters (health and load probes). */
void probe_get_totals(struct probe_counters *out);

/* Kernel thread id of the engine thread (bench: /proc/self/task/TID);
 * 0 when not running. */
int probe_engine_tid(void);

/* rise/fall with HAProxy semantics; up starts true.
 * \retval 1 went up, -1 went down, 0 no change */
struct probe_health {
	bool     up;
	unsigned nok, nfail;		/* consecutive successes / failures */
};
int probe_health_feed(struct probe_health *h, bool ok, unsigned rise,
    unsigned fall);

/* EWMA step: alpha is the weight of the new sample (first: sample). */
double probe_ewma(double prev, double sample, double alpha, bool first);

/* Load percent to factor: <= low 1, >= high 0, linear between. */
double probe_load_factor(double load, double low, double high);

/* Slow-start factor elapsed seconds after coming up: 0.1 -> 1.0 linearly
 * over slowstart seconds; 1 when slowstart <= 0. */
double probe_slowstart_factor(double elapsed, double slowstart);

#endif
