/* conn.h - the status endpoint's connections: accept with back-off, caps,
 * a deadline for the whole request.
 *
 * The endpoint must never take what DNS, the probes and the relay need. A
 * client that opens connections and trickles a header byte now and then
 * costs a descriptor each, and evhttp's own timeout restarts with every
 * byte; unbounded, it ran the process out of descriptors (every probe
 * failed with EMFILE, all servers went down, DNS over TCP stopped) while
 * libevent logged each failed accept() in a busy loop. So:
 *
 * - a cap on connections, derived from RLIMIT_NOFILE at start: at most
 *   STATUS_CONN_MAX and at most 1/STATUS_CONN_FD_SHARE of the descriptor
 *   limit, so the rest stays reserved for the others (a constant, not a
 *   config key: nobody should need to raise it for a loopback page); and a
 *   per-source cap (dnsd/base/srclimit.h), a quarter of it, so one client
 *   cannot fill it while another asks /healthz. A connection over a cap is
 *   answered a canned 503 and closed at once;
 * - a deadline for the whole request, line, headers and body: STATUS_
 *   DEADLINE seconds from the accept (or from the end of the previous
 *   reply on a kept-alive connection) until the request is complete, then
 *   STATUS_REPLY_DEADLINE for the reply to be written; bytes arriving do
 *   not extend either;
 * - when accept() fails for want of descriptors or memory (EMFILE, ENFILE,
 *   ENOBUFS, ENOMEM), the listener stops for a while (250 ms, doubling to
 *   2 s, reset by the next success) instead of retrying in a busy loop, as
 *   NSD and HAProxy do; the kernel's backlog holds the callers meanwhile.
 *   The failure is logged through log_rate_ok().
 *
 * Mechanism: evhttp (libevent 2.1) has no connection cap and no hook at
 * accept time, so the endpoint owns the listener (evhttp_bind_listener,
 * with its error callback) and creates each connection's bufferevent
 * (evhttp_set_bevcb), keeping a reference so it can tell when evhttp has
 * freed it (its callbacks are cleared). A connection is closed by
 * shutdown(2) of its socket: evhttp reads the end and frees it as for any
 * client that left. Everything runs on the status thread.
 */
#ifndef MXS_STATUS_CONN_H
#define MXS_STATUS_CONN_H

#include <event2/event.h>
#include <event2/http.h>

#define STATUS_MAX_HEADERS     8192	/* bytes of request line + headers */
#define STATUS_MAX_BODY        4096	/* admin calls carry no body */
#define STATUS_CONN_MAX        64	/* connections, at most */
#define STATUS_CONN_FD_SHARE   8	/* of RLIMIT_NOFILE, at most 1/8 */
#define STATUS_CONN_MIN        4	/* whatever the limit */
#define STATUS_DEADLINE        10.0	/* s: request line, headers, body */
#define STATUS_REPLY_DEADLINE  30.0	/* s: the reply written */

/*
 * Serve http on the listening socket fd (which it now owns, even on
 * failure) with the caps above; logs the caps.
 * \param what  the address, for the log
 * \retval 0 ok, -1 logged (fd closed)
 */
int status_conn_listen(struct event_base *base, struct evhttp *http, int fd,
    const char *what);

/* A complete request arrived (call first thing in the request callback):
 * its connection now has STATUS_REPLY_DEADLINE for the reply. */
void status_conn_request(struct evhttp_request *req);

/* From the status timer: close connections past their deadline, forget
 * the ones evhttp has freed. */
void status_conn_tick(void);

/* After evhttp_free(), before event_base_free(): release everything. */
void status_conn_free(void);

#endif
