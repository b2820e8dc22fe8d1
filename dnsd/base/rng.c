/* rng.c - xoshiro256** seeded from getrandom(2), splitmix64 for seeds. */
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/syscall.h>

#include "dnsd/base/rng.h"

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void
rng_seed(struct rng *rng, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		rng->s[i] = splitmix64(&seed);
}

void
rng_init(struct rng *rng)
{
	struct timespec ts;
	uint64_t x;
	ssize_t r;

	r = getrandom(rng->s, sizeof(rng->s), GRND_NONBLOCK);
	if (r == (ssize_t)sizeof(rng->s) &&
	    (rng->s[0] | rng->s[1] | rng->s[2] | rng->s[3]) != 0)
		return;
	/* No entropy yet (early boot) or no getrandom: still distinct per
	 * thread and per start; the answers need spread, not secrecy. */
	clock_gettime(CLOCK_REALTIME, &ts);
	x = (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
	x ^= (uint64_t)syscall(SYS_gettid) << 32;
	x ^= (uint64_t)(uintptr_t)rng;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	x ^= (uint64_t)ts.tv_nsec * UINT64_C(0x2545f4914f6cdd1d);
	rng_seed(rng, x);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
rng_next(struct rng *rng)
{
	uint64_t *s = rng->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double
rng_double(struct rng *rng)
{
	return (double)(rng_next(rng) >> 11) * 0x1.0p-53;
}

uint64_t
rng_below(struct rng *rng, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)rng_next(rng) * n) >> 64);
}
