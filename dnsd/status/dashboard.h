/* dashboard.h - the status dashboard page (inline HTML, CSS, JS and SVG).
 *
 * The page is served as
 *     <head and styles> + <the /status.json document> + <the script>
 * so the first render needs no request; the script then polls /status.json
 * every 2 s. No external assets: STATUS_DASHBOARD_CSP, sent with the page,
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

#endif
