/* reply.c - evhttp replies of the status endpoint, with the common headers. */
#include <stdio.h>
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
