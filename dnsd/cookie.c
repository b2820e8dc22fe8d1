/* cookie.c - RFC 9018 server cookies: make, check, renew (see cookie.h). */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/random.h>

#include "dnsd/base/log.h"
#include "dnsd/base/siphash.h"
#include "dnsd/base/sock.h"
#include "dnsd/cookie.h"

static uint8_t cookie_process_secret[COOKIE_SECRET_LEN];
static pthread_once_t cookie_once = PTHREAD_ONCE_INIT;

/* client cookie | version | reserved | timestamp | address: at most 36 */
#define COOKIE_MSG_MAX (COOKIE_CLIENT_LEN + 8 + 16)

/* Hash input for a received or new cookie header (8 bytes at hdr). */
static size_t
cookie_msg(uint8_t *m, const uint8_t *client, const uint8_t *hdr,
    const struct sockaddr *from)
{
	struct sockaddr_in v4;
	size_t n = COOKIE_CLIENT_LEN + 8;

	memcpy(m, client, COOKIE_CLIENT_LEN);
	memcpy(m + COOKIE_CLIENT_LEN, hdr, 8);
	from = sock_unmap(from, &v4);
	if (from->sa_family == AF_INET) {
		memcpy(m + n, &((const struct sockaddr_in *)from)->sin_addr, 4);
		n += 4;
	} else if (from->sa_family == AF_INET6) {
		memcpy(m + n, &((const struct sockaddr_in6 *)from)->sin6_addr,
		    16);
		n += 16;
	}
	return n;
}

void
cookie_make(const uint8_t secret[COOKIE_SECRET_LEN],
    const uint8_t client[COOKIE_CLIENT_LEN], uint32_t now,
    const struct sockaddr *from, uint8_t out[COOKIE_SERVER_LEN])
{
	uint8_t m[COOKIE_MSG_MAX];
	size_t n;

	out[0] = COOKIE_VERSION;
	out[1] = out[2] = out[3] = 0;
	out[4] = (uint8_t)(now >> 24);
	out[5] = (uint8_t)(now >> 16);
	out[6] = (uint8_t)(now >> 8);
	out[7] = (uint8_t)now;
	n = cookie_msg(m, client, out, from);
	siphash24_bytes(secret, m, n, out + 8);
}

/* Whether the 8 hash bytes of sc are those of secret (no early exit). */
static bool
cookie_hash_ok(const uint8_t secret[COOKIE_SECRET_LEN], const uint8_t *m,
    size_t n, const uint8_t *hash)
{
	uint8_t h[8], diff = 0;

	siphash24_bytes(secret, m, n, h);
	for (int i = 0; i < 8; i++)
		diff |= (uint8_t)(h[i] ^ hash[i]);
	return diff == 0;
}

enum cookie_verdict
cookie_answer(const struct cookie_secrets *s, const uint8_t *opt, size_t len,
    const struct sockaddr *from, uint32_t now, uint8_t out[COOKIE_OPT_LEN])
{
	const uint8_t *sc = opt + COOKIE_CLIENT_LEN;
	uint8_t m[COOKIE_MSG_MAX];
	enum cookie_verdict v = COOKIE_BAD;
	int32_t age;
	uint32_t ts;
	size_t n;

	memcpy(out, opt, COOKIE_CLIENT_LEN);
	if (len == COOKIE_CLIENT_LEN) {
		v = COOKIE_CLIENT_ONLY;
		goto fresh;
	}
	if (len != COOKIE_OPT_LEN || sc[0] != COOKIE_VERSION)
		goto fresh;
	ts = (uint32_t)sc[4] << 24 | (uint32_t)sc[5] << 16 |
	    (uint32_t)sc[6] << 8 | sc[7];
	age = (int32_t)(now - ts);	/* serial arithmetic: wraps in 2106 */
	if (age > COOKIE_LIFETIME || age < -COOKIE_SKEW)
		goto fresh;
	/* the received header is hashed as it came, reserved bytes too */
	n = cookie_msg(m, opt, sc, from);
	if (cookie_hash_ok(s->current, m, n, sc + 8)) {
		v = COOKIE_VALID;
		if (age <= COOKIE_RENEW) {
			memcpy(out + COOKIE_CLIENT_LEN, sc, COOKIE_SERVER_LEN);
			return v;
		}
	} else if (s->has_previous &&
	    cookie_hash_ok(s->previous, m, n, sc + 8))
		v = COOKIE_VALID;
fresh:
	cookie_make(s->current, opt, now, from, out + COOKIE_CLIENT_LEN);
	return v;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
cookie_secret_parse(const char *text, size_t len,
    uint8_t out[COOKIE_SECRET_LEN])
{
	uint8_t b[COOKIE_SECRET_LEN];

	if (len != 2 * COOKIE_SECRET_LEN)
		return -1;
	for (size_t i = 0; i < COOKIE_SECRET_LEN; i++) {
		int hi = hexval(text[2 * i]), lo = hexval(text[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(out, b, sizeof(b));
	memset(b, 0, sizeof(b));
	return 0;
}

static void
cookie_random_init(void)
{
	size_t got = 0;
	ssize_t n;

	/* Key material straight from the kernel, not from the rng of
	 * dnsd/base/rng.h (a fast generator whose outputs are not meant to
	 * stay secret). */
	while (got < sizeof(cookie_process_secret)) {
		n = getrandom(cookie_process_secret + got,
		    sizeof(cookie_process_secret) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_fatal("getrandom: cannot draw the cookie secret");
		}
		got += (size_t)n;
	}
}

void
cookie_secret_random(uint8_t out[COOKIE_SECRET_LEN])
{
	pthread_once(&cookie_once, cookie_random_init);
	memcpy(out, cookie_process_secret, COOKIE_SECRET_LEN);
}
