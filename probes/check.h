/* check.h - the probe-type interface shared by the engine and smtp/tcp/http/agent.
 *
 * One check = one attempt against one server. The engine fills a check_req,
 * calls ops->start(), and gets exactly one call of req->done() later, unless
 * it calls ops->cancel() first (attempt timeout, shutdown), after which the
 * check never calls back. start() never calls done() itself: a failure it
 * sees at once is returned as NULL with the reason in req->err.
 * The check frees its own state just before it calls done(); the result and
 * everything it points to are only valid during the call.
 *
 * A failure of this host rather than of the server (no descriptor left,
 * out of memory: check_errno_local()) sets result.local, or req->err_local
 * for start(): the engine then leaves the server's state alone.
 *
 * Everything runs on the engine thread's event base; nothing blocks.
 * The parsers at the end are pure functions, unit-tested directly.
 */
#ifndef MXS_CHECK_H
#define MXS_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dnsd/base/conf.h"

struct event_base;
struct curlev;

#define CHECK_REASON_MAX 96

/* Agent-requested state (HAProxy agent-check words). */
enum check_agent {
	CHECK_AGENT_NONE = -1,		/* no state word */
	CHECK_AGENT_READY = 0,		/* up / ready: clears drain and maint */
	CHECK_AGENT_DRAIN = 1,
	CHECK_AGENT_MAINT = 2,
};

/* What an smtp check knows of a server's TLSA records (probes/smtp.h). */
struct check_dane {
	uint8_t        mode;		/* enum pstate_dane_mode in effect; OFF:
					   no DANE (PKIX, as configured) */
	const uint8_t *tlsa;		/* conf_server.tlsa format: count x
					   (uint16 rdlen, rdata) */
	size_t         tlsa_len;
	uint16_t       tlsa_count;
	const char    *host;		/* the TLSA base domain without the final
					   dot: SNI and the DANE-TA name check */
};

struct check_result {
	bool     ok;
	char     reason[CHECK_REASON_MAX];	/* "" when ok */
	bool     has_load;
	double   load;			/* percent, >= 0 */
	int      agent_admin;		/* enum check_agent */
	bool     agent_down;		/* the agent said down/fail/stopped */
	int32_t  cert_days;		/* INT32_MIN: no certificate seen */
	bool     local;			/* failed for a reason of this host */
	/* smtp with DANE: the verdict (enum pstate_dane; NONE: this check
	 * reached none), the record that matched ("3 1 1 0123abcd..."),
	 * why not (mismatch, no STARTTLS, error) */
	uint8_t  dane_state;
	char     dane_match[64];
	char     dane_reason[CHECK_REASON_MAX];
	/* smtp over TLS: the SHA-256 of the leaf certificate's
	 * SubjectPublicKeyInfo, the data of a 3 1 1 TLSA record */
	bool     has_spki;
	uint8_t  spki[32];
};

typedef void check_done_fn(void *arg, const struct check_result *r);

struct check_req {
	struct event_base       *base;
	struct curlev           *cev;		/* http */
	void                    *tls_ctx;	/* smtp starttls: SSL_CTX * */
	const struct conf_probe *cp;
	const struct sockaddr   *sa;		/* probe address with port */
	socklen_t                salen;
	const char              *addr_text;	/* address without port */
	uint16_t                 port;
	const char              *name;		/* server name */
	const char              *tls_host;	/* NULL: no host name check */
	struct check_dane        dane;		/* smtp: DANE (mode OFF: none) */
	bool                     tlsa_fetch;	/* smtp: STARTTLS, handshake, QUIT;
						   ok with the leaf's SPKI digest,
						   nothing judged (mxspread tlsa) */
	check_done_fn           *done;
	void                    *arg;
	char                     err[CHECK_REASON_MAX];	/* start() failure */
	bool                     err_local;	/* ... of this host, not the server */
};

struct check_ops {
	const char *name;
	/* \retval handle  running; \retval NULL  failed at once, reason in req->err */
	void *(*start)(struct check_req *req);
	/* Abort and free; write what the check was doing ("waiting for
	 * greeting") into why. Never calls done. */
	void (*cancel)(void *h, char *why, size_t len);
};

extern const struct check_ops check_tcp_ops;
extern const struct check_ops check_smtp_ops;
extern const struct check_ops check_http_ops;
extern const struct check_ops check_agent_ops;

/* Put a result's failure reason in words for a socket error. */
const char *check_errno_text(int err);

/* \retval true  err says this host ran short (EMFILE, ENFILE, ENOMEM,
 *               ENOBUFS): the attempt says nothing about the server */
bool check_errno_local(int err);

/* Fill r as a failure with a printf reason. */
void check_fail(struct check_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void check_result_init(struct check_result *r);

/* Nonblocking TCP socket connecting to sa (tcp.c).
 * \retval fd  connect in progress or done; \retval -1  errno set */
int check_connect(const struct sockaddr *sa, socklen_t salen);

/* --- agent.c: one agent-check line ---------------------------------- */
struct agent_reply {
	bool   has_load;
	double load;			/* NN% */
	int    state;			/* -1 none, 1 up, 0 down */
	int    admin;			/* enum check_agent */
	int    words;			/* recognised words */
	char   comment[64];		/* text after '#', trimmed */
};

/* \retval 0 parsed (words may be 0), -1 malformed (e.g. "150%") */
int agent_parse(const char *line, struct agent_reply *out);

/* --- http.c --------------------------------------------------------- */
/* Extract a load value from a body per format/key.
 * \retval 0 *out set; \retval -1 not found / invalid, err says why */
int http_load_parse(const char *body, size_t len, enum conf_load_format fmt,
    const char *key, double *out, char *err, size_t errlen);

/* Expand {addr} {port} {name} ({addr} in brackets for IPv6).
 * \retval 0 ok, -1 too long */
int http_url_expand(const char *tmpl, const char *addr, uint16_t port,
    const char *name, char *out, size_t outlen);

#endif
