/* smtp.h - the SMTP probe: a small client on libevent bufferevents.
 *
 * libcurl's SMTP support cannot say EHLO, NOOP, QUIT without a mail
 * transaction, so this is an explicit state machine:
 *   connect -> [PROXY header] -> 220 greeting -> EHLO -> [STARTTLS ->
 *   handshake -> verify -> EHLO] -> NOOP -> QUIT -> 221.
 * Replies may be multi-line ("250-..." ... "250 ..."); the EHLO reply is
 * searched for the STARTTLS capability.
 */
#ifndef MXS_SMTP_H
#define MXS_SMTP_H

#include <stdbool.h>
#include <stddef.h>

#include "dnsd/base/conf.h"

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

#endif
