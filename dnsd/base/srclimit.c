/* srclimit.c - per-source connection counters. */
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "dnsd/base/hash.h"
#include "dnsd/base/rng.h"
#include "dnsd/base/sock.h"
#include "dnsd/base/srclimit.h"

int
srclimit_init(struct srclimit *sl, size_t nslots)
{
	struct rng r;

	memset(sl, 0, sizeof(*sl));
	if (nslots == 0 || (nslots & (nslots - 1)) != 0)
		return -1;
	if ((sl->slots = calloc(nslots, sizeof(*sl->slots))) == NULL)
		return -1;
	sl->mask = nslots - 1;
	rng_init(&r);
	sl->seed = rng_next(&r) | 1;
	return 0;
}

void
srclimit_free(struct srclimit *sl)
{
	free(sl->slots);
	sl->slots = NULL;
}

long
srclimit_index(const struct srclimit *sl, const struct sockaddr *sa)
{
	struct sockaddr_in m;
	const uint8_t *a;
	size_t alen;

	sa = sock_unmap(sa, &m);
	if (sa->sa_family == AF_INET) {
		a = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
		alen = 4;
	} else if (sa->sa_family == AF_INET6) {
		a = (const uint8_t *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
		alen = 16;
	} else
		return -1;
	return (long)(hash_final(hash_bytes(sl->seed ^ alen, a, alen)) &
	    sl->mask);
}

int
srclimit_acquire(struct srclimit *sl, const struct sockaddr *sa, unsigned max)
{
	unsigned n;
	long i;

	if (max == 0 || sl->slots == NULL || (i = srclimit_index(sl, sa)) < 0)
		return SRCLIMIT_NONE;
	n = __atomic_add_fetch(&sl->slots[i], 1, __ATOMIC_RELAXED);
	if (n > max) {
		__atomic_sub_fetch(&sl->slots[i], 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&sl->refused, 1, __ATOMIC_RELAXED);
		return -1;
	}
	return (int)i;
}

void
srclimit_release(struct srclimit *sl, int slot)
{
	if (slot >= 0 && sl->slots != NULL && (size_t)slot <= sl->mask)
		__atomic_sub_fetch(&sl->slots[slot], 1, __ATOMIC_RELAXED);
}

unsigned
srclimit_count(const struct srclimit *sl, const struct sockaddr *sa)
{
	long i;

	if (sl->slots == NULL || (i = srclimit_index(sl, sa)) < 0)
		return 0;
	return __atomic_load_n(&sl->slots[i], __ATOMIC_RELAXED);
}

uint64_t
srclimit_refused(const struct srclimit *sl)
{
	return __atomic_load_n(&sl->refused, __ATOMIC_RELAXED);
}
