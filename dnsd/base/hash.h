/* hash.h - the one non-cryptographic hash for in-memory tables keyed by
 * client addresses (RRL buckets, per-source counters): FNV-1a over the
 * bytes, seeded, with murmur3's fmix64 finaliser to spread the bits. The
 * seed is secret (rng), so a flooder cannot aim two keys at one bucket.
 */
#ifndef MXS_HASH_H
#define MXS_HASH_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t
hash_bytes(uint64_t h, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static inline uint64_t
hash_final(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

#endif
