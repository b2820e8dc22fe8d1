/* reply.c - evhttp replies of the status endpoint, with the common headers. */
#include <stdlib.h>
#include <string.h>

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
status_reply_buffer(struct evhttp_request *req, int code, const char *reason,
    const char *ctype, struct evbuffer *b)
{
	status_reply_headers(req, ctype);
	evhttp_send_reply(req, code, reason, b);
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
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
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
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
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
