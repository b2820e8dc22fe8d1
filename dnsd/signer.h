/* signer.h - the DNSSEC signer thread: follows the published world and the pool state.
 *
 * Every DYNSIGN_POLL_MS (20 ms; 500 ms while the world has no signed name
 * with dynamic records) it reads the current world and pool-state snapshot
 * (RCU, no lock) and, when a signed zone's dynamic variants were built
 * from an older snapshot generation, rebuilds them (dnsd/dynsign.h) and
 * swaps them in. Off the query path: the DNS workers only read.
 */
#ifndef MXS_SIGNER_H
#define MXS_SIGNER_H

/* \retval 0 started, -1 (errno) the thread could not be created */
int signer_start(void);

/* Stop and join the thread (nothing if not started). */
void signer_stop(void);

#endif
