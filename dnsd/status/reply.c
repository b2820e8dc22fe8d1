/* reply.c - evhttp replies of the status endpoint, with the common headers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/keyvalq_struct.h>

#include "dnsd/status/reply.h"

void
status_reply_headers(struct evhttp_request *req, const char *ctype)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Type", ctype);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
}

void
status_reply_send(struct evhttp_request *req, int code, const char *reason,
    struct evbuffer *b)
{
	char len[24];

	/* evhttp writes a HEAD reply's body and leaves out its length: the
	 * body would be read as the start of the next response */
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		snprintf(len, sizeof(len), "%zu",
		    b != NULL ? evbuffer_get_length(b) : 0);
		evhttp_remove_header(evhttp_request_get_output_headers(req),
		    "Content-Length");
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Content-Length", len);
		evhttp_send_reply(req, code, reason, NULL);
		return;
	}
	evhttp_send_reply(req, code, reason, b);
}

void
status_reply_buffer(struct evhttp_request *req, int code, const char *reason,
    const char *ctype, struct evbuffer *b)
{
	status_reply_headers(req, ctype);
	status_reply_send(req, code, reason, b);
}

void
status_reply_oom(struct evhttp_request *req)
{
	static const char body[] =
	    "{\"status\":500,\"error\":\"out of memory\"}\n";
	struct evbuffer *b;

	/* evbuffer_new is the allocation that just failed, most likely:
	 * answer without a body rather than libevent's HTML */
	status_reply_headers(req, "application/json");
	if ((b = evbuffer_new()) != NULL &&
	    evbuffer_add_reference(b, body, sizeof(body) - 1, NULL, NULL) == 0)
		status_reply_send(req, 500, "Internal Server Error", b);
	else
		status_reply_send(req, 500, "Internal Server Error", NULL);
	if (b != NULL)
		evbuffer_free(b);
}

void
status_reply_json(struct evhttp_request *req, int code, const char *reason,
    json_t *j)
{
	struct evbuffer *b;
	char *s = NULL;

	if (j != NULL)
		s = json_dumps(j, JSON_COMPACT | JSON_ESCAPE_SLASH);
	json_decref(j);
	if (s == NULL || (b = evbuffer_new()) == NULL) {
		free(s);
		status_reply_oom(req);
		return;
	}
	evbuffer_add(b, s, strlen(s));
	evbuffer_add(b, "\n", 1);
	free(s);
	status_reply_buffer(req, code, reason, "application/json", b);
	evbuffer_free(b);
}

void
status_reply_text(struct evhttp_request *req, int code, const char *reason,
    const char *ctype, const char *text)
{
	struct evbuffer *b;

	if ((b = evbuffer_new()) == NULL) {
		status_reply_oom(req);
		return;
	}
	evbuffer_add(b, text, strlen(text));
	status_reply_buffer(req, code, reason, ctype, b);
	evbuffer_free(b);
}

void
status_reply_error(struct evhttp_request *req, int code, const char *reason,
    const char *msg)
{
	status_reply_json(req, code, reason, json_pack("{s:i,s:s}", "status",
	    code, "error", msg));
}

void
status_reply_405(struct evhttp_request *req, const char *allow)
{
	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
	    allow);
	status_reply_error(req, 405, "Method Not Allowed", "method not allowed");
}

/*
 * libevent answers what it cannot parse (400, 413, 501...) itself, with an
 * HTML page, before any callback of ours sees the request: conn.c hands us
 * each reply as it is queued, still unwritten, and we turn that page into
 * the same JSON as every other error. Ours are left alone: they carry
 * X-Content-Type-Options, libevent's do not.
 */
#define LIBEVENT_ERROR_BODY "<HTML><HEAD>\n<TITLE>"
#define NOSNIFF_HEADER      "\r\nX-Content-Type-Options:"
#define LENGTH_HEADER       "\r\nContent-Length: "

int
status_reply_rewrite_error(struct evbuffer *out, bool malformed)
{
	size_t len = evbuffer_get_length(out), hlen, blen;
	const char *p, *head_end, *line, *eol, *cl;
	struct evbuffer *nb;
	char *body = NULL, reason[64];
	int code, rc = 0;

	if (len < 16 || len > 4096 ||
	    (p = (const char *)evbuffer_pullup(out, -1)) == NULL ||
	    strncmp(p, "HTTP/1.", 7) != 0 ||
	    (head_end = memmem(p, len, "\r\n\r\n", 4)) == NULL)
		return 0;
	hlen = (size_t)(head_end - p) + 4;
	blen = len - hlen;
	if (blen < sizeof(LIBEVENT_ERROR_BODY) - 1 || memcmp(p + hlen,
	    LIBEVENT_ERROR_BODY, sizeof(LIBEVENT_ERROR_BODY) - 1) != 0 ||
	    memmem(p, hlen, NOSNIFF_HEADER, sizeof(NOSNIFF_HEADER) - 1) !=
	    NULL || (cl = memmem(p, hlen, LENGTH_HEADER,
	    sizeof(LENGTH_HEADER) - 1)) == NULL ||
	    strtoul(cl + sizeof(LENGTH_HEADER) - 1, NULL, 10) != blen)
		return 0;		/* not libevent's page, or not whole */
	code = atoi(p + 9);
	eol = memchr(p, '\r', hlen);
	snprintf(reason, sizeof(reason), "%.*s", (int)(eol - p) > 13 ?
	    (int)(eol - p) - 13 : 0, p + 13);
	if (code < 400 || code > 599 || (nb = evbuffer_new()) == NULL)
		return 0;
	if (code == 413 && malformed) {
		code = 400;
		snprintf(reason, sizeof(reason), "Bad Request");
		evbuffer_add_printf(nb, "HTTP/1.1 400 Bad Request\r\n");
	}
	{
		json_t *j = json_pack("{s:i,s:s}", "status", code, "error",
		    reason);

		if (j != NULL)
			body = json_dumps(j, JSON_COMPACT | JSON_ESCAPE_SLASH);
		json_decref(j);
	}
	if (body == NULL)
		goto done;
	/* the status line and libevent's headers but its type and length */
	for (line = p; line < head_end; line = eol + 2) {
		eol = memmem(line, (size_t)(head_end + 2 - line), "\r\n", 2);
		if (line == p && evbuffer_get_length(nb) > 0)
			continue;	/* the status line, replaced */
		if (strncasecmp(line, "Content-Type:", 13) == 0 ||
		    strncasecmp(line, "Content-Length:", 15) == 0)
			continue;
		evbuffer_add(nb, line, (size_t)(eol - line) + 2);
	}
	evbuffer_add_printf(nb, "Content-Type: application/json\r\n"
	    "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
	    "Content-Length: %zu\r\n\r\n%s\n", strlen(body) + 1, body);
	evbuffer_drain(out, len);
	evbuffer_add_buffer(out, nb);
	rc = 1;
done:
	free(body);
	evbuffer_free(nb);
	return rc;
}
