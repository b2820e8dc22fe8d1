/* smtp.c - the smtp probe: greeting, EHLO, optional STARTTLS, NOOP, QUIT. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "dnsd/base/log.h"
#include "dnsd/base/proxy.h"
#include "probes/check.h"
#include "probes/smtp.h"

#define SMTP_LINE_MAX 1024

void
smtp_reply_init(struct smtp_reply *r)
{
	memset(r, 0, sizeof(*r));
}

int
smtp_reply_feed(struct smtp_reply *r, const char *line)
{
	const char *text;
	int code;
	size_t n;

	if (!isdigit((unsigned char)line[0]) || !isdigit((unsigned char)line[1]) ||
	    !isdigit((unsigned char)line[2]) || line[0] < '2' || line[0] > '5')
		return -1;
	if (line[3] != '\0' && line[3] != ' ' && line[3] != '-')
		return -1;
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (r->nlines > 0 && code != r->code)
		return -1;
	text = line[3] != '\0' ? line + 4 : line + 3;
	if (r->nlines == 0) {
		r->code = code;
		snprintf(r->text, sizeof(r->text), "%s", text);
	}
	r->nlines++;
	n = strlen(text);
	while (n > 0 && isspace((unsigned char)text[n - 1]))
		n--;
	if (n >= 8 && strncasecmp(text, "STARTTLS", 8) == 0 &&
	    (n == 8 || isspace((unsigned char)text[8])))
		r->starttls = true;
	return line[3] == '-' ? 0 : 1;
}

void *
smtp_tls_ctx_new(const struct conf_probe *cp)
{
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		goto err;
	/* The handshake always completes; the chain, host name and dates
	 * are judged afterwards so the reason can say what is wrong. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (cp->ca_file != NULL) {
		if (SSL_CTX_load_verify_locations(ctx, cp->ca_file, NULL) != 1) {
			log_warnx("smtp probe: cannot load CA file %s", cp->ca_file);
			goto err;
		}
	} else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		log_warnx("smtp probe: cannot load the system CA store");
	}
	return ctx;
err:
	ERR_clear_error();
	SSL_CTX_free(ctx);
	return NULL;
}

void
smtp_tls_ctx_free(void *ctx)
{
	SSL_CTX_free(ctx);
}

enum smtp_state {
	SMTP_CONNECT,
	SMTP_GREETING,
	SMTP_EHLO,
	SMTP_STARTTLS,
	SMTP_HANDSHAKE,
	SMTP_NOOP,
	SMTP_QUIT,
};

static const char *const smtp_doing[] = {
	"connecting",
	"waiting for greeting",
	"waiting for the EHLO reply",
	"waiting for the STARTTLS reply",
	"in the TLS handshake",
	"waiting for the NOOP reply",
	"waiting for the QUIT reply",
};

struct smtp_check {
	enum smtp_state          st;
	int                      fd;
	struct event             conn_ev;	/* until connected */
	struct bufferevent      *bev;
	struct event_base       *base;
	const struct conf_probe *cp;
	SSL_CTX                 *ctx;
	SSL                     *ssl;
	const char              *tls_host;
	bool                     tls;
	int32_t                  cert_days;
	bool                     local;		/* the next failure is this host's */
	struct smtp_reply        rep;
	check_done_fn           *done;
	void                    *arg;
};

static void
smtp_free(struct smtp_check *s)
{
	if (s->bev != NULL)
		bufferevent_free(s->bev);	/* closes fd, frees ssl */
	else {
		if (s->st == SMTP_CONNECT)
			event_del(&s->conn_ev);
		if (s->fd != -1)
			close(s->fd);
	}
	free(s);
}

static void
smtp_finish(struct smtp_check *s, struct check_result *r)
{
	check_done_fn *done = s->done;
	void *arg = s->arg;

	r->cert_days = s->cert_days;
	r->local = !r->ok && s->local;
	smtp_free(s);
	done(arg, r);
}

static void
smtp_failf(struct smtp_check *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
smtp_failf(struct smtp_check *s, const char *fmt, ...)
{
	struct check_result r;
	va_list ap;

	check_result_init(&r);
	va_start(ap, fmt);
	vsnprintf(r.reason, sizeof(r.reason), fmt, ap);
	va_end(ap);
	smtp_finish(s, &r);
}

static void
smtp_send(struct smtp_check *s, const char *cmd, enum smtp_state next)
{
	bufferevent_write(s->bev, cmd, strlen(cmd));
	s->st = next;
}

static void
smtp_send_ehlo(struct smtp_check *s)
{
	char host[256], line[300];

	if (s->cp->helo != NULL)
		snprintf(host, sizeof(host), "%s", s->cp->helo);
	else if (gethostname(host, sizeof(host)) == -1 || host[0] == '\0')
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(line, sizeof(line), "EHLO %s\r\n", host);
	smtp_send(s, line, SMTP_EHLO);
}

static void smtp_read_cb(struct bufferevent *bev, void *arg);
static void smtp_event_cb(struct bufferevent *bev, short what, void *arg);

static void
smtp_start_tls(struct smtp_check *s)
{
	struct bufferevent *tbev;

	if (evbuffer_get_length(bufferevent_get_input(s->bev)) > 0) {
		smtp_failf(s, "data after the STARTTLS reply");
		return;
	}
	if ((s->ssl = SSL_new(s->ctx)) == NULL) {
		ERR_clear_error();
		s->local = true;
		smtp_failf(s, "TLS: out of memory");
		return;
	}
	if (s->tls_host != NULL) {
		SSL_set_tlsext_host_name(s->ssl, s->tls_host);
		SSL_set1_host(s->ssl, s->tls_host);
	}
	tbev = bufferevent_openssl_filter_new(s->base, s->bev, s->ssl,
	    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
	if (tbev == NULL) {
		SSL_free(s->ssl);
		s->ssl = NULL;
		s->local = true;
		smtp_failf(s, "TLS: cannot set up the filter");
		return;
	}
	s->bev = tbev;
	smtp_reply_init(&s->rep);
	bufferevent_openssl_set_allow_dirty_shutdown(tbev, 1);
	bufferevent_setcb(tbev, smtp_read_cb, NULL, smtp_event_cb, s);
	bufferevent_enable(tbev, EV_READ | EV_WRITE);
	s->st = SMTP_HANDSHAKE;
}

/* Handshake done: judge the certificate, then EHLO again. */
static void
smtp_tls_ready(struct smtp_check *s)
{
	X509 *cert;
	long vr;
	int day = 0, sec = 0;

	if ((cert = SSL_get1_peer_certificate(s->ssl)) == NULL) {
		smtp_failf(s, "TLS: no server certificate");
		return;
	}
	if (ASN1_TIME_diff(&day, &sec, NULL, X509_get0_notAfter(cert)) == 1)
		s->cert_days = day;
	X509_free(cert);
	vr = SSL_get_verify_result(s->ssl);
	if (s->cert_days != INT32_MIN && (s->cert_days < 0 || sec < 0) &&
	    (vr == X509_V_OK || vr == X509_V_ERR_CERT_HAS_EXPIRED)) {
		if (-day == 1)
			smtp_failf(s, "certificate expired 1 day ago");
		else
			smtp_failf(s, "certificate expired %d days ago", -day);
		return;
	}
	if (vr != X509_V_OK) {
		s->local = vr == X509_V_ERR_OUT_OF_MEM;
		smtp_failf(s, "certificate verify failed: %s",
		    X509_verify_cert_error_string(vr));
		return;
	}
	s->tls = true;
	smtp_send_ehlo(s);
}

/* \retval true  s is alive and waits for the next reply on the same
 * buffer; false  s was freed or its bufferevent replaced */
static bool
smtp_reply(struct smtp_check *s)
{
	struct smtp_reply *r = &s->rep;
	struct check_result res;

	switch (s->st) {
	case SMTP_GREETING:
		if (r->code != 220) {
			smtp_failf(s, "greeting %d: %s", r->code, r->text);
			return false;
		}
		smtp_send_ehlo(s);
		return true;
	case SMTP_EHLO:
		if (r->code != 250) {
			smtp_failf(s, "EHLO rejected %d: %s", r->code, r->text);
			return false;
		}
		if (!s->tls && (s->cp->starttls || s->cp->starttls_required)) {
			if (r->starttls && s->ctx != NULL) {
				smtp_send(s, "STARTTLS\r\n", SMTP_STARTTLS);
				return true;
			}
			if (s->cp->starttls_required) {
				smtp_failf(s, r->starttls ? "TLS: no usable CA store" :
				    "STARTTLS not offered");
				return false;
			}
		}
		smtp_send(s, "NOOP\r\n", SMTP_NOOP);
		return true;
	case SMTP_STARTTLS:
		if (r->code != 220) {
			smtp_failf(s, "STARTTLS %d: %s", r->code, r->text);
			return false;
		}
		smtp_start_tls(s);
		return false;
	case SMTP_NOOP:
		if (r->code != 250) {
			smtp_failf(s, "NOOP %d: %s", r->code, r->text);
			return false;
		}
		smtp_send(s, "QUIT\r\n", SMTP_QUIT);
		return true;
	case SMTP_QUIT:
		check_result_init(&res);
		res.ok = true;
		smtp_finish(s, &res);
		return false;
	default:
		smtp_failf(s, "unexpected reply %d %s", r->code, smtp_doing[s->st]);
		return false;
	}
}

static void
smtp_read_cb(struct bufferevent *bev, void *arg)
{
	struct smtp_check *s = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	char line[SMTP_LINE_MAX + 1];

	for (;;) {
		struct evbuffer_ptr eol;
		size_t eol_len = 0, n;
		int rc;

		eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_CRLF);
		if (eol.pos < 0) {
			if (evbuffer_get_length(in) > SMTP_LINE_MAX)
				smtp_failf(s, "reply line too long %s",
				    smtp_doing[s->st]);
			return;
		}
		n = (size_t)eol.pos;
		if (n > SMTP_LINE_MAX) {
			smtp_failf(s, "reply line too long %s", smtp_doing[s->st]);
			return;
		}
		evbuffer_remove(in, line, n);
		line[n] = '\0';
		evbuffer_drain(in, eol_len);
		if (s->st == SMTP_CONNECT || s->st == SMTP_HANDSHAKE) {
			smtp_failf(s, "unexpected data %s", smtp_doing[s->st]);
			return;
		}
		if ((rc = smtp_reply_feed(&s->rep, line)) == -1) {
			smtp_failf(s, "malformed reply %s: %.40s",
			    smtp_doing[s->st], line);
			return;
		}
		if (rc == 0)
			continue;
		if (!smtp_reply(s))
			return;
		smtp_reply_init(&s->rep);
	}
}

static void
smtp_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct smtp_check *s = arg;
	struct check_result res;
	unsigned long e;
	int err = EVUTIL_SOCKET_ERROR();

	if (what & BEV_EVENT_CONNECTED) {
		if (s->st == SMTP_HANDSHAKE)
			smtp_tls_ready(s);
		return;
	}
	if ((what & BEV_EVENT_EOF) && s->st == SMTP_QUIT) {
		check_result_init(&res);
		res.ok = true;
		smtp_finish(s, &res);
		return;
	}
	if (s->ssl != NULL && (e = bufferevent_get_openssl_error(bev)) != 0) {
		char buf[120];

		ERR_error_string_n(e, buf, sizeof(buf));
		smtp_failf(s, "TLS error %s: %s", smtp_doing[s->st], buf);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		smtp_failf(s, "connection closed by server %s", smtp_doing[s->st]);
		return;
	}
	if (err == 0)
		err = EIO;
	s->local = check_errno_local(err);
	smtp_failf(s, "%s %s", check_errno_text(err), smtp_doing[s->st]);
}

static void
smtp_proxy_header(struct smtp_check *s)
{
	struct sockaddr_storage l, r;
	socklen_t ll = sizeof(l), rl = sizeof(r);
	unsigned char hdr[PROXY_HEADER_MAX];
	int fd = bufferevent_getfd(s->bev), n;

	if (s->cp->proxy_protocol == CONF_PROXY_NONE)
		return;
	/* v1: "PROXY UNKNOWN" is what the spec offers for health checks, but
	 * Postfix (3.7) rejects it: send the real addresses. v2: LOCAL, the
	 * spec's form for a connection made on the proxy's own behalf. */
	if (s->cp->proxy_protocol == CONF_PROXY_V1 &&
	    getsockname(fd, (struct sockaddr *)&l, &ll) == 0 &&
	    getpeername(fd, (struct sockaddr *)&r, &rl) == 0)
		n = proxy_header(CONF_PROXY_V1, (struct sockaddr *)&l,
		    (struct sockaddr *)&r, hdr);
	else
		n = proxy_header(s->cp->proxy_protocol, NULL, NULL, hdr);
	if (n > 0)
		bufferevent_write(s->bev, hdr, (size_t)n);
}

static void
smtp_conn_cb(evutil_socket_t fd, short what, void *arg)
{
	struct smtp_check *s = arg;
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0) {
		s->local = check_errno_local(err);
		smtp_failf(s, "%s", check_errno_text(err));
		return;
	}
	s->st = SMTP_GREETING;
	if ((s->bev = bufferevent_socket_new(s->base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		s->local = true;
		smtp_failf(s, "out of memory");
		return;
	}
	s->fd = -1;
	bufferevent_setcb(s->bev, smtp_read_cb, NULL, smtp_event_cb, s);
	bufferevent_enable(s->bev, EV_READ | EV_WRITE);
	smtp_proxy_header(s);
}

static void *
smtp_start(struct check_req *req)
{
	struct smtp_check *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(req->err, sizeof(req->err), "out of memory");
		req->err_local = true;
		return NULL;
	}
	if ((s->fd = check_connect(req->sa, req->salen)) == -1) {
		req->err_local = check_errno_local(errno);
		snprintf(req->err, sizeof(req->err), "%s", check_errno_text(errno));
		free(s);
		return NULL;
	}
	s->st = SMTP_CONNECT;
	s->base = req->base;
	s->cp = req->cp;
	s->ctx = req->tls_ctx;
	s->tls_host = req->tls_host;
	s->cert_days = INT32_MIN;
	s->done = req->done;
	s->arg = req->arg;
	event_assign(&s->conn_ev, req->base, s->fd, EV_WRITE, smtp_conn_cb, s);
	event_add(&s->conn_ev, NULL);
	return s;
}

static void
smtp_cancel(void *h, char *why, size_t len)
{
	struct smtp_check *s = h;

	snprintf(why, len, "%s", smtp_doing[s->st]);
	smtp_free(s);
}

const struct check_ops check_smtp_ops = { "smtp", smtp_start, smtp_cancel };
