/* clock.h - the one clock: monotonic seconds for timers and intervals, unix
 * milliseconds for what is shown to people, timevals for libevent.
 *
 * Monotonic time never jumps with the wall clock, so a probe interval or a
 * relay idle timer is not cut short by an NTP step; the wall clock is only
 * for timestamps in logs, status.json and the state file.
 */
#ifndef MXS_CLOCK_H
#define MXS_CLOCK_H

#include <stdint.h>
#include <time.h>
#include <sys/time.h>

/* \retval seconds of CLOCK_MONOTONIC, with nanosecond resolution */
double clock_mono(void);

/* \retval whole seconds of CLOCK_MONOTONIC_COARSE (cheap: no syscall) */
time_t clock_mono_coarse(void);

/* \retval milliseconds since the epoch (CLOCK_REALTIME) */
int64_t clock_unix_ms(void);

/* \retval secs (>= 0) as a struct timeval; negative values give zero */
struct timeval clock_tv(double secs);

#endif
