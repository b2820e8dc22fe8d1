/* cookie.h - DNS Cookies (RFC 7873) with interoperable server cookies (RFC 9018).
 *
 * A query's COOKIE option carries the client's 8-byte cookie and, once the
 * client has learnt one, the server cookie we gave it. Ours is the RFC 9018
 * version 1 format, 16 bytes:
 *
 *   version (1) | reserved (3, zero) | timestamp (4, Unix seconds) | hash (8)
 *   hash = SipHash-2-4(secret; client cookie | version | reserved |
 *                              timestamp | client IP (4 or 16 bytes))
 *
 * so that every server holding the same 16-byte secret (several mxspread
 * instances behind one name, anycast, or another RFC 9018 server) accepts
 * the others' cookies. The client address is hashed as IPv4 when it
 * arrived as a v4-mapped IPv6 address, so a dual-stack socket and an IPv4
 * one agree. A server cookie is valid when it is 16 bytes of version 1,
 * its hash matches under the current secret or the previous one (the
 * rollover of RFC 9018 4.4), and its timestamp is at most an hour in the
 * past and at most five minutes in the future (serial arithmetic, RFC 9018
 * 4.3). A valid cookie made with the current secret and less than half an
 * hour old is echoed as it came; any other is answered with a fresh one.
 *
 * What the query path does with the verdict (RFC 7873 5.2) is in
 * dnsd/query.c: client cookie only, answer normally with a fresh server
 * cookie; valid, answer normally (and exempt the answer from RRL); bad,
 * BADCOOKIE with a fresh cookie over UDP, a normal answer over TCP (the
 * handshake already proves the address). Malformed options (length not 8
 * nor 16..40) are FORMERR, decided by the wire parser.
 *
 * The secrets live in the world (an immutable snapshot): nothing here
 * allocates or locks, and a cookie costs one or two SipHash runs over at
 * most 36 bytes.
 */
#ifndef MXS_COOKIE_H
#define MXS_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define COOKIE_CLIENT_LEN  8
#define COOKIE_SERVER_LEN  16	/* ours: RFC 9018 version 1 */
#define COOKIE_OPT_LEN     (COOKIE_CLIENT_LEN + COOKIE_SERVER_LEN)
#define COOKIE_SECRET_LEN  16
#define COOKIE_VERSION     1
#define COOKIE_LIFETIME    3600	/* seconds a server cookie is accepted */
#define COOKIE_SKEW        300	/* seconds it may be ahead of our clock */
#define COOKIE_RENEW       1800	/* older than this: answer with a new one */

/* The server secrets of one world. */
struct cookie_secrets {
	uint8_t current[COOKIE_SECRET_LEN];	/* makes and checks cookies */
	uint8_t previous[COOKIE_SECRET_LEN];	/* checks only (rollover) */
	bool    has_previous;
};

enum cookie_verdict {
	COOKIE_CLIENT_ONLY = 0,	/* no server cookie in the query */
	COOKIE_VALID,		/* ours, within its lifetime */
	COOKIE_BAD,		/* a server cookie we did not make, or expired */
};

/*
 * Our server cookie for a client cookie and address at time now.
 * \param from  AF_INET or AF_INET6 (v4-mapped hashed as IPv4)
 * \param out   written: COOKIE_SERVER_LEN bytes
 */
void cookie_make(const uint8_t secret[COOKIE_SECRET_LEN],
    const uint8_t client[COOKIE_CLIENT_LEN], uint32_t now,
    const struct sockaddr *from, uint8_t out[COOKIE_SERVER_LEN]);

/*
 * Judge a query's COOKIE option and write the one to answer with.
 * \param opt, len  the option data as received: len 8 or 16..40 (the wire
 *                  parser refuses the other lengths)
 * \param out       written: COOKIE_OPT_LEN bytes, the client cookie then
 *                  our server cookie (the received one when it can be kept)
 * \retval          the verdict on the received server cookie
 */
enum cookie_verdict cookie_answer(const struct cookie_secrets *s,
    const uint8_t *opt, size_t len, const struct sockaddr *from,
    uint32_t now, uint8_t out[COOKIE_OPT_LEN]);

/*
 * Parse a secret: exactly 32 hexadecimal digits (either case).
 * \retval 0   out written
 * \retval -1  not 32 hex digits
 */
int cookie_secret_parse(const char *text, size_t len,
    uint8_t out[COOKIE_SECRET_LEN]);

/* The secret of this process when none is configured: drawn from
 * getrandom() on first use, the same for every later world (a reload keeps
 * the clients' cookies valid). */
void cookie_secret_random(uint8_t out[COOKIE_SECRET_LEN]);

#endif
