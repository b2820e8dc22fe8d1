/* reply.h - the status endpoint's evhttp replies: every one carries the
 * same headers (its Content-Type, Cache-Control: no-store,
 * X-Content-Type-Options: nosniff), and errors are JSON documents
 * {"status": code, "error": "..."} whatever the route.
 * When a reply cannot be built (out of memory) the request is answered 500.
 * Every reply leaves through status_reply_send(), so a HEAD request gets
 * the headers GET would, Content-Length included, and no body (RFC 9110
 * 9.3.2) on every path.
 */
#ifndef MXS_STATUS_REPLY_H
#define MXS_STATUS_REPLY_H

#include <stdbool.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>

/* The common headers alone (a page that adds its own, then sends). */
void status_reply_headers(struct evhttp_request *req, const char *ctype);

/* Send b (not freed: the caller owns it; NULL: no body) as it is, or for
 * HEAD its length alone. The caller has set the headers. */
void status_reply_send(struct evhttp_request *req, int code,
    const char *reason, struct evbuffer *b);

/* 500 {"status":500,"error":"out of memory"} (no body if even that fails). */
void status_reply_oom(struct evhttp_request *req);

/* Send b (not freed: the caller owns it) with the common headers. */
void status_reply_buffer(struct evhttp_request *req, int code,
    const char *reason, const char *ctype, struct evbuffer *b);

/* Send j compactly, '/' escaped; j is released (NULL: 500). */
void status_reply_json(struct evhttp_request *req, int code,
    const char *reason, json_t *j);

void status_reply_text(struct evhttp_request *req, int code,
    const char *reason, const char *ctype, const char *text);

/* {"status": code, "error": msg} */
void status_reply_error(struct evhttp_request *req, int code,
    const char *reason, const char *msg);

/*
 * When out (a connection's unwritten output) holds exactly one error page
 * of libevent's own (its reply to a request it could not parse: 400, 413,
 * 501), replace it by the JSON error with the same status line, headers
 * and status code; with malformed, a 413 becomes 400 (libevent says 413
 * for a chunk size it cannot read too).
 * \retval 1 rewritten, 0 left alone (not libevent's page, not whole)
 */
int status_reply_rewrite_error(struct evbuffer *out, bool malformed);

/* 405 with the Allow header the route accepts ("GET, HEAD", "POST"). */
void status_reply_405(struct evhttp_request *req, const char *allow);

#endif
