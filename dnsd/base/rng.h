/* rng.h - the one pseudo-random generator: xoshiro256**, one state per thread.
 *
 * Used by the answer policies (which server first), the relay (which backend),
 * the probe engine (interval jitter) and RRL (hash seeds). It spreads load;
 * it is not for secrets. A test seeds it with rng_seed() for repeatable draws.
 */
#ifndef MXS_RNG_H
#define MXS_RNG_H

#include <stdint.h>

/* xoshiro256** state; one per thread, never shared. */
struct rng {
	uint64_t s[4];
};

/* Deterministic seed (tests): the state is expanded with splitmix64. */
void rng_seed(struct rng *rng, uint64_t seed);

/* Seed from getrandom(2); if that fails, from the clock, the thread id and
 * the state's address. Never fails. */
void rng_init(struct rng *rng);

/* \retval next 64 random bits */
uint64_t rng_next(struct rng *rng);

/* \retval uniform double in [0, 1), 53 random bits */
double rng_double(struct rng *rng);

/* \retval uniform integer in [0, n), n > 0 (Lemire's multiply-shift) */
uint64_t rng_below(struct rng *rng, uint64_t n);

#endif
