/* siphash.h - SipHash-2-4, the keyed 64-bit PRF of Aumasson and Bernstein.
 *
 * The one keyed hash of the project: RFC 9018 server cookies are
 * SipHash-2-4 over the client cookie, the cookie's header and the client
 * address, keyed with the 16-byte server secret, so that every server given
 * the same secret (several mxspread, or another RFC 9018 implementation
 * behind the same name) computes the same cookie. The reference
 * implementation's conventions hold: the key and the message words are read
 * little-endian, and the 64-bit result is written little-endian by
 * siphash24_bytes(), which is the byte order RFC 9018's test vectors use.
 * No allocation, no state between calls: a few hundred instructions for a
 * cookie-sized message.
 */
#ifndef MXS_SIPHASH_H
#define MXS_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN 16

/* \retval the SipHash-2-4 of the len bytes at msg under key */
uint64_t siphash24(const uint8_t key[SIPHASH_KEY_LEN], const void *msg,
    size_t len);

/* The same, written to out[0..7] in the reference byte order. */
void siphash24_bytes(const uint8_t key[SIPHASH_KEY_LEN], const void *msg,
    size_t len, uint8_t out[8]);

#endif
