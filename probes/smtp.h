/* smtp.h - the SMTP probe: a small client on libevent bufferevents.
 *
 * libcurl's SMTP support cannot say EHLO, NOOP, QUIT without a mail
 * transaction, so this is an explicit state machine:
 *   connect -> [PROXY header] -> 220 greeting -> EHLO -> [STARTTLS ->
 *   handshake -> verify -> EHLO] -> NOOP -> QUIT -> 221.
 * Replies may be multi-line ("250-..." ... "250 ..."); the EHLO reply is
 * searched for the STARTTLS capability.
 *
 * DANE (RFC 6698, 7671, 7672). A server whose TLSA RRset (conf_server.tlsa,
 * found in the served zones by the world load) holds usable records, with
 * a dane mode in effect other than off, is judged as a DANE sender judges
 * it, by OpenSSL's DANE support: usages 2 (DANE-TA) and 3 (DANE-EE) only
 * (0 and 1 are ignored, RFC 7672 3.1.3), selectors 0 and 1, matching
 * types 0, 1 and 2; for DANE-EE neither names nor dates are checked
 * (3.1.1), for DANE-TA the chain and name rules apply, the name being the
 * TLSA base domain (also sent as SNI). The TLSA records then decide, not
 * PKIX (ca_file, tls_hostname): a self-signed certificate matched by
 * "3 1 1" passes. STARTTLS is used whenever the server has such records,
 * whatever probe.starttls says (a DANE sender insists on it). Mode check:
 * the verdict is reported (result.dane_*), the check passes or fails as
 * it would without TLSA; require: a mismatch, or no STARTTLS, fails it
 * ("DANE mismatch: presented <the leaf as a 3 1 1 record>, published
 * <the first usable record> +<others>"). A TLS failure after STARTTLS
 * (garbage, an alert, no certificate) is the verdict "error".
 */
#ifndef MXS_SMTP_H
#define MXS_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dnsd/base/conf.h"
#include "probes/pstate.h"

struct smtp_reply {
	int      code;			/* 0 until the first line */
	unsigned nlines;
	bool     starttls;		/* a line is the STARTTLS capability */
	char     text[80];		/* first line's text, after the code */
};

void smtp_reply_init(struct smtp_reply *r);

/* Feed one reply line without CRLF.
 * \retval 1 reply complete, 0 more lines follow, -1 malformed */
int smtp_reply_feed(struct smtp_reply *r, const char *line);

/* SSL_CTX for a probe's STARTTLS (ca_file or the system store).
 * \retval ctx  caller owns (smtp_tls_ctx_free)  \retval NULL  error logged */
void *smtp_tls_ctx_new(const struct conf_probe *cp);
void smtp_tls_ctx_free(void *ctx);

/* --- DANE (pure) ---------------------------------------------------- */

/* Whether the probe uses one TLSA record (rdata: usage, selector,
 * matching type, data): usage 2 or 3, selector 0 or 1, matching type 0
 * with data, 1 with 32 bytes or 2 with 64 (RFC 7671 4.1: others are
 * ignored, as OpenSSL's SSL_dane_tlsa_add refuses them). */
bool smtp_tlsa_usable(const uint8_t *rd, size_t len);

/* Usable and ignored records of an RRset in conf_server.tlsa format
 * (count x (uint16 rdlen big-endian, rdata)); a malformed tail counts as
 * ignored. */
void smtp_tlsa_count(const uint8_t *tlsa, size_t len, uint16_t count,
    unsigned *usable, unsigned *ignored);

/*
 * The DANE mode in effect for server sv of pool pl: off unless the health
 * probe is smtp; dane unset (AUTO): check when sv's records are signed
 * and usable ones exist, else off; set: as set. The caller judges by
 * DANE when the mode is not off and *usable > 0 (else: "no TLSA", PKIX).
 */
enum pstate_dane_mode smtp_dane_mode(const struct conf_pool *pl,
    const struct conf_server *sv, unsigned *usable, unsigned *ignored);

/* "u s m " and the first 4 data bytes in hex, "..." when there are more
 * ("3 1 1 0123abcd..."), into buf. etval buf */
char *smtp_tlsa_text(uint8_t usage, uint8_t selector, uint8_t mtype,
    const uint8_t *data, size_t dlen, char *buf, size_t size);

/* --- one blocking check (mxspread tlsa) ------------------------------ */

/*
 * Connect to sa as the probe cp does (PROXY header, greeting, EHLO with
 * cp->helo), STARTTLS (whatever cp->starttls says), the handshake with
 * SNI tls_host (NULL: none), QUIT; nothing of the certificate is judged.
 * Runs its own event base; at most cp->timeout seconds (3 when 0).
 * \param spki    the SHA-256 of the leaf's SubjectPublicKeyInfo: the data
 *                of a "3 1 1" TLSA record for what the server presents
 * etval 0      spki written
 * etval -1     why not in err ("STARTTLS not offered", "timeout ...")
 */
int smtp_tlsa_fetch(const struct conf_probe *cp, const struct sockaddr *sa,
    socklen_t salen, const char *tls_host, uint8_t spki[32], char *err,
    size_t errlen);

#endif
