/* smtp.c - the smtp probe: greeting, EHLO, optional STARTTLS (PKIX or DANE), NOOP, QUIT. */
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
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
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
	/* the shared DANE state (digests for matching types 1 and 2); a
	 * connection uses it only when it enables DANE itself */
	if (SSL_CTX_dane_enable(ctx) <= 0) {
		ERR_clear_error();
		log_warnx("smtp probe: OpenSSL's DANE support is unavailable");
	}
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

/* ---------------------------------------------------------------- DANE */

bool
smtp_tlsa_usable(const uint8_t *rd, size_t len)
{
	if (len < 3 || (rd[0] != 2 && rd[0] != 3) || rd[1] > 1)
		return false;
	switch (rd[2]) {
	case 0:
		return len > 3;
	case 1:
		return len == 3 + 32;
	case 2:
		return len == 3 + 64;
	default:
		return false;
	}
}

/* The next record of an RRset in conf_server.tlsa format.
 * \retval true  *rd, *rdlen set, *off advanced; false  end or malformed */
static bool
tlsa_next(const uint8_t *tlsa, size_t len, size_t *off, const uint8_t **rd,
    size_t *rdlen)
{
	size_t l;

	if (tlsa == NULL || *off + 2 > len)
		return false;
	l = (size_t)tlsa[*off] << 8 | tlsa[*off + 1];
	if (*off + 2 + l > len)
		return false;
	*rd = tlsa + *off + 2;
	*rdlen = l;
	*off += 2 + l;
	return true;
}

void
smtp_tlsa_count(const uint8_t *tlsa, size_t len, uint16_t count,
    unsigned *usable, unsigned *ignored)
{
	const uint8_t *rd;
	size_t off = 0, rdlen;
	unsigned k;

	*usable = *ignored = 0;
	for (k = 0; k < count; k++) {
		if (!tlsa_next(tlsa, len, &off, &rd, &rdlen)) {
			*ignored += count - k;
			return;
		}
		if (smtp_tlsa_usable(rd, rdlen))
			(*usable)++;
		else
			(*ignored)++;
	}
}

enum pstate_dane_mode
smtp_dane_mode(const struct conf_pool *pl, const struct conf_server *sv,
    unsigned *usable, unsigned *ignored)
{
	smtp_tlsa_count(sv->tlsa, sv->tlsa_len, sv->tlsa_count, usable,
	    ignored);
	if (pl->probe.type != CONF_PROBE_SMTP)
		return PSTATE_DANE_OFF;
	switch (pl->dane) {
	case CONF_DANE_CHECK:
		return PSTATE_DANE_CHECK;
	case CONF_DANE_REQUIRE:
		return PSTATE_DANE_REQUIRE;
	case CONF_DANE_OFF:
		return PSTATE_DANE_OFF;
	default:
		/* a sender only uses TLSA records it could validate */
		return sv->tlsa_signed && *usable > 0 ? PSTATE_DANE_CHECK :
		    PSTATE_DANE_OFF;
	}
}

char *
smtp_tlsa_text(uint8_t usage, uint8_t selector, uint8_t mtype,
    const uint8_t *data, size_t dlen, char *buf, size_t size)
{
	size_t k, n = dlen < 4 ? dlen : 4;
	int off;

	off = snprintf(buf, size, "%u %u %u ", usage, selector, mtype);
	for (k = 0; k < n && off > 0 && (size_t)off + 2 < size; k++)
		off += snprintf(buf + off, size - (size_t)off, "%02x", data[k]);
	if (dlen > n && off > 0 && (size_t)off < size)
		snprintf(buf + off, size - (size_t)off, "...");
	return buf;
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
	struct check_dane        dane;		/* mode OFF: PKIX as configured */
	bool                     fetch;		/* mxspread tlsa: judge nothing */
	uint8_t                  dane_state;	/* enum pstate_dane; NONE: no verdict */
	char                     dane_match[64];
	char                     dane_reason[CHECK_REASON_MAX];
	bool                     has_spki;
	uint8_t                  spki[32];
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

/* The DANE reason of s: a summary, cut to its buffer if it must be. */
static void dane_reason(struct smtp_check *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
dane_reason(struct smtp_check *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(s->dane_reason, sizeof(s->dane_reason), fmt, ap);
	va_end(ap);
}

static void
smtp_finish(struct smtp_check *s, struct check_result *r)
{
	check_done_fn *done = s->done;
	void *arg = s->arg;

	r->cert_days = s->cert_days;
	r->local = !r->ok && s->local;
	/* a failure between STARTTLS and the verdict is what a DANE sender
	 * meets too: it defers */
	if (!r->ok && !r->local && s->dane.mode != PSTATE_DANE_OFF &&
	    (s->st == SMTP_STARTTLS || s->st == SMTP_HANDSHAKE)) {
		if (s->dane_state == PSTATE_DANE_NONE)
			s->dane_state = PSTATE_DANE_ERROR;
		if (s->dane_state == PSTATE_DANE_ERROR &&
		    s->dane_reason[0] == '\0')
			dane_reason(s, "%s",
			    r->reason);
		/* check: the result is as without TLSA records, and without
		 * them this probe would not have tried TLS at all */
		if (s->dane.mode == PSTATE_DANE_CHECK && !s->cp->starttls &&
		    !s->cp->starttls_required) {
			r->ok = true;
			r->reason[0] = '\0';
		}
	}
	r->dane_state = s->dane_state;
	memcpy(r->dane_match, s->dane_match, sizeof(r->dane_match));
	memcpy(r->dane_reason, s->dane_reason, sizeof(r->dane_reason));
	r->has_spki = s->has_spki;
	memcpy(r->spki, s->spki, sizeof(r->spki));
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

/* DANE on s->ssl: the base domain (SNI, DANE-TA name check), every usable
 * TLSA record. \retval 0, -1 s failed and freed */
static int
smtp_dane_setup(struct smtp_check *s)
{
	const uint8_t *rd;
	size_t off = 0, rdlen;
	unsigned k, added = 0, refused = 0;

	if (s->dane.host == NULL || SSL_dane_enable(s->ssl, s->dane.host) <= 0) {
		ERR_clear_error();
		/* out of memory, or no DANE in the context: this host's */
		SSL_free(s->ssl);
		s->ssl = NULL;
		s->local = true;
		smtp_failf(s, "DANE: cannot enable it on the connection");
		return -1;
	}
	/* RFC 7672 3.1.1: a DANE-EE match binds the key; names and dates
	 * say nothing more (OpenSSL skips the dates of a DANE-EE match) */
	SSL_dane_set_flags(s->ssl, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
	for (k = 0; k < s->dane.tlsa_count; k++) {
		if (!tlsa_next(s->dane.tlsa, s->dane.tlsa_len, &off, &rd, &rdlen))
			break;
		if (!smtp_tlsa_usable(rd, rdlen))
			continue;	/* usages 0 and 1 (RFC 7672 3.1.3), ... */
		if (SSL_dane_tlsa_add(s->ssl, rd[0], rd[1], rd[2], rd + 3,
		    rdlen - 3) > 0)
			added++;
		else {
			ERR_clear_error();
			refused++;
		}
	}
	if (added == 0) {
		SSL_free(s->ssl);
		s->ssl = NULL;
		s->dane_state = PSTATE_DANE_ERROR;
		smtp_failf(s, "DANE: OpenSSL refused all %u TLSA records", refused);
		return -1;
	}
	return 0;
}

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
	if (s->dane.mode != PSTATE_DANE_OFF) {
		if (smtp_dane_setup(s) != 0)
			return;
	} else if (s->tls_host != NULL) {
		SSL_set_tlsext_host_name(s->ssl, s->tls_host);
		if (!s->fetch)
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

/* The SHA-256 of cert's SubjectPublicKeyInfo (DER). \retval true  out set */
static bool
smtp_spki_sha256(X509 *cert, uint8_t out[32])
{
	unsigned char *der = NULL;
	unsigned int olen = 0;
	int n;
	bool ok;

	if ((n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der)) <= 0) {
		ERR_clear_error();
		return false;
	}
	ok = EVP_Digest(der, (size_t)n, out, &olen, EVP_sha256(), NULL) == 1 &&
	    olen == 32;
	OPENSSL_free(der);
	if (!ok)
		ERR_clear_error();
	return ok;
}

/*
 * The DANE verdict on the finished handshake (OpenSSL verified the chain
 * against the TLSA records). require: a mismatch fails the check.
 * \retval true  go on (s alive); false  s failed and freed
 */
static bool
smtp_dane_judge(struct smtp_check *s)
{
	const unsigned char *data = NULL;
	const uint8_t *rd;
	uint8_t u = 0, sel = 0, mt = 0;
	size_t dlen = 0, off = 0, rdlen;
	char got[40], pub[40] = "nothing usable", more[16] = "";
	unsigned k, usable = 0;
	long vr;
	int depth;

	vr = SSL_get_verify_result(s->ssl);
	depth = SSL_get0_dane_tlsa(s->ssl, &u, &sel, &mt, &data, &dlen);
	if (vr == X509_V_OK && depth >= 0) {
		s->dane_state = PSTATE_DANE_MATCH;
		smtp_tlsa_text(u, sel, mt, data, dlen, s->dane_match,
		    sizeof(s->dane_match));
		return true;
	}
	s->dane_state = PSTATE_DANE_MISMATCH;
	if (depth >= 0) {
		/* a record matched, the chain or name rules of DANE-TA did not
		 * hold (an expired certificate, another name) */
		smtp_tlsa_text(u, sel, mt, data, dlen, pub, sizeof(pub));
		dane_reason(s,
		    "DANE mismatch: %s (%s matched)",
		    X509_verify_cert_error_string(vr), pub);
	} else {
		for (k = 0; k < s->dane.tlsa_count &&
		    tlsa_next(s->dane.tlsa, s->dane.tlsa_len, &off, &rd, &rdlen);
		    k++) {
			if (!smtp_tlsa_usable(rd, rdlen))
				continue;
			if (usable++ == 0)
				smtp_tlsa_text(rd[0], rd[1], rd[2], rd + 3,
				    rdlen - 3, pub, sizeof(pub));
		}
		if (usable > 1)
			snprintf(more, sizeof(more), " +%u", usable - 1);
		if (s->has_spki)
			smtp_tlsa_text(3, 1, 1, s->spki, sizeof(s->spki), got,
			    sizeof(got));
		else
			snprintf(got, sizeof(got), "an unreadable key");
		/* no record matched: say what a new record would be; a chain
		 * or name failure on the way is the cause, first */
		if (vr == X509_V_OK || vr == X509_V_ERR_DANE_NO_MATCH)
			dane_reason(s,
			    "DANE mismatch: presented %s, published %s%s", got,
			    pub, more);
		else
			dane_reason(s,
			    "DANE mismatch: %s, presented %s, published %s%s",
			    X509_verify_cert_error_string(vr), got, pub, more);
	}
	if (s->dane.mode == PSTATE_DANE_REQUIRE) {
		smtp_failf(s, "%s", s->dane_reason);
		return false;
	}
	return true;
}

/* Handshake done: judge the certificate (DANE or PKIX), then EHLO again. */
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
	s->has_spki = smtp_spki_sha256(cert, s->spki);
	X509_free(cert);
	if (s->fetch) {
		s->tls = true;
		smtp_send(s, "QUIT\r\n", SMTP_QUIT);
		return;
	}
	if (s->dane.mode != PSTATE_DANE_OFF) {
		if (!smtp_dane_judge(s))
			return;
		s->tls = true;
		smtp_send_ehlo(s);
		return;
	}
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
		if (!s->tls && (s->cp->starttls || s->cp->starttls_required ||
		    s->dane.mode != PSTATE_DANE_OFF || s->fetch)) {
			if (r->starttls && s->ctx != NULL) {
				smtp_send(s, "STARTTLS\r\n", SMTP_STARTTLS);
				return true;
			}
			if (!r->starttls && s->dane.mode != PSTATE_DANE_OFF) {
				/* a DANE sender defers: no downgrade to plain
				 * text once TLSA records are published */
				s->dane_state = PSTATE_DANE_NO_STARTTLS;
				dane_reason(s,
				    "DANE: STARTTLS not offered, TLSA records "
				    "published");
				if (s->dane.mode == PSTATE_DANE_REQUIRE) {
					smtp_failf(s, "%s", s->dane_reason);
					return false;
				}
			}
			if (s->cp->starttls_required || s->fetch ||
			    (r->starttls && s->dane.mode == PSTATE_DANE_REQUIRE)) {
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
	s->dane = req->dane;
	s->fetch = req->tlsa_fetch;
	if (s->fetch)
		s->dane.mode = PSTATE_DANE_OFF;
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

/* ---------------------------------------------------------------- one check, blocking */

struct smtp_fetch {
	struct event_base  *base;
	struct event       *tmo;
	void               *h;		/* running check, NULL once done */
	double              timeout;	/* seconds */
	bool                done;
	struct check_result res;
};

static void
fetch_done(void *arg, const struct check_result *r)
{
	struct smtp_fetch *f = arg;

	f->res = *r;
	f->done = true;
	f->h = NULL;
	evtimer_del(f->tmo);
}

static void
fetch_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct smtp_fetch *f = arg;
	char why[64] = "";

	if (f->h == NULL)
		return;
	check_smtp_ops.cancel(f->h, why, sizeof(why));
	f->h = NULL;
	check_result_init(&f->res);
	check_fail(&f->res, "timeout after %.1fs %s", f->timeout, why);
	f->done = true;
}

int
smtp_tlsa_fetch(const struct conf_probe *cp, const struct sockaddr *sa,
    socklen_t salen, const char *tls_host, uint8_t spki[32], char *err,
    size_t errlen)
{
	struct smtp_fetch f;
	struct check_req req;
	struct timeval tv;
	double t = cp->timeout > 0 ? cp->timeout : 3.0;
	void *ctx = NULL;
	int rc = -1;

	memset(&f, 0, sizeof(f));
	memset(&req, 0, sizeof(req));
	snprintf(err, errlen, "out of memory");
	if ((f.base = event_base_new()) == NULL ||
	    (f.tmo = evtimer_new(f.base, fetch_timeout, &f)) == NULL)
		goto out;
	if ((ctx = smtp_tls_ctx_new(cp)) == NULL) {
		snprintf(err, errlen, "TLS: cannot set up a context");
		goto out;
	}
	f.timeout = t;
	req.base = f.base;
	req.tls_ctx = ctx;
	req.cp = cp;
	req.sa = sa;
	req.salen = salen;
	req.tls_host = tls_host;
	req.tlsa_fetch = true;
	req.done = fetch_done;
	req.arg = &f;
	if ((f.h = check_smtp_ops.start(&req)) == NULL) {
		snprintf(err, errlen, "%s", req.err[0] ? req.err : "cannot start");
		goto out;
	}
	tv.tv_sec = (time_t)t;
	tv.tv_usec = (suseconds_t)((t - (double)tv.tv_sec) * 1e6);
	evtimer_add(f.tmo, &tv);
	while (!f.done && event_base_loop(f.base, EVLOOP_ONCE) == 0)
		;
	if (!f.done) {
		/* nothing left to wait for: cannot happen with a check running */
		check_smtp_ops.cancel(f.h, f.res.reason, sizeof(f.res.reason));
		snprintf(err, errlen, "the event loop stopped");
		goto out;
	}
	if (!f.res.has_spki) {
		snprintf(err, errlen, "%s", f.res.reason[0] ? f.res.reason :
		    "no certificate");
		goto out;
	}
	/* the key was seen: a failure after it (QUIT) does not matter */
	memcpy(spki, f.res.spki, 32);
	rc = 0;
out:
	smtp_tls_ctx_free(ctx);
	if (f.tmo != NULL)
		event_free(f.tmo);
	if (f.base != NULL)
		event_base_free(f.base);
	return rc;
}
