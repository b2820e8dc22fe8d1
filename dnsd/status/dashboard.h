/* dashboard.h - the status dashboard page (inline HTML, CSS, JS and SVG).
 *
 * The page is served as
 *     <head and styles> + <the /status.json document> + <the script>
 * so the first render needs no request; the script then polls /status.json
 * every 2 s. The document carries text from the network (greetings, agent
 * replies, certificate fields): embedded, it is escaped so that no string
 * can leave the <script> block (status_dashboard_json()), and the script
 * puts every string into the page through esc(). No external assets: STATUS_DASHBOARD_CSP, sent with the page,
 * forbids them.
 */
#ifndef MXS_STATUS_DASHBOARD_H
#define MXS_STATUS_DASHBOARD_H

#include <event2/buffer.h>
#include <jansson.h>

#define STATUS_DASHBOARD_CSP "default-src 'none'; " \
	"script-src 'unsafe-inline'; style-src 'unsafe-inline'; " \
	"connect-src 'self'; img-src data:; base-uri 'none'; " \
	"form-action 'none'; frame-ancestors 'none'"

/*
 * Append the page around doc (a status.json document; NULL, or a document
 * that cannot be printed: the page says "No state published yet" until its
 * first poll).
 * \retval 0   ok
 * \retval -1  out of memory: the page may be incomplete
 */
int status_dashboard(struct evbuffer *b, const json_t *doc);

/* Append json (a JSON text) with '<', '>', '&', U+2028 and U+2029 written
 * as \u escapes: the same value, inert in an HTML <script> block.
 * \retval 0 ok, -1 out of memory */
int status_dashboard_json(struct evbuffer *b, const char *json);

#endif
