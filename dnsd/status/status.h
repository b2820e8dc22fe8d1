/* status.h - the HTTP status endpoint: dashboard, JSON, metrics, admin API.
 *
 * status_start() binds conf->status.listen and runs an evhttp server on a
 * thread of its own, with its own event base. Every request reads the same
 * RCU snapshots as the DNS workers (world_get(), pstate_get()): a request
 * copies what it needs inside one short read-side section, leaves it, and
 * renders from the copy, so the endpoint never holds anything the DNS path
 * waits for. Admin calls go to the probe engine (probe_set_admin()).
 *
 *   GET  /                 HTML dashboard (inline CSS/JS/SVG, no assets)
 *   GET  /status.json      everything the dashboard shows, as JSON
 *   GET  /metrics          Prometheus text exposition format 0.0.4
 *   GET  /healthz          200 "ok" while the DNS workers answer, else 503
 *   POST /api/pools/{pool}/servers/{server}/{drain|maint|enable}
 *   POST /api/reload       (both: Authorization: Bearer <token>)
 *
 * /healthz is a real check: once a second (every 250 ms while unhealthy)
 * the status thread sends an SOA query for the first zone over UDP to the
 * first DNS listen address (a wildcard address: to loopback) and remembers
 * when an answer came back; healthy while that is less than 3 s ago. The
 * check never blocks: the socket is on the status thread's event base.
 *
 * Admin states survive restarts: they are kept in conf->status.state_file
 * (one "pool server state" line each, written atomically) and re-applied
 * whenever the pool state disagrees (at start, after a reload).
 *
 * The rooms of dnsd/status/, in the order a request meets them:
 *   http.c       the server: routing table, the GET pages, thread, start/stop
 *   conn.c       its connections: caps, request deadline, accept back-off
 *   api.c        the admin API: bearer token, drain/maint/enable, reload
 *   reply.c      evhttp replies with the common headers (JSON, text, errors)
 *   model.c      one copy of everything a page shows, built per request
 *   json.c       status.json from a model (pure)
 *   metrics.c    the Prometheus text from a model (pure)
 *   dashboard.c  the HTML page around a status.json document
 *   selfcheck.c  what the thread samples: DNS self-check, share window
 *   reload.c     the record of the last reload, for status.json
 * The admin overrides and their state file are probes/admin.h; the token
 * is read by dnsd/base/secret.h.
 */
#ifndef MXS_STATUS_H
#define MXS_STATUS_H

#include "dnsd/base/conf.h"

/*
 * Start the endpoint; call after probe_engine_start() and the first
 * world_publish(). conf is not retained: the listener, token and state
 * file name are taken from it here; everything else is read from the
 * current world per request, so a reload shows up at once (the token is
 * re-read after each reload; a new listen address needs a restart). The
 * connection cap is sized from RLIMIT_NOFILE as it is now (conn.h).
 * Does nothing and returns 0 when conf->status.enabled is false.
 * \retval 0   running
 * \retval -1  not started, the reason was logged (bind failure, non-loopback
 *             address without a token, token file missing or world-readable,
 *             unreadable state file)
 */
int status_start(const struct conf *conf);

/* Stop the thread and free everything; safe to call when not started. */
void status_stop(void);

/* A reload published a new world and pool state: re-read the bearer token
 * from the new world's status.token_file (kept if unreadable) and re-apply
 * the saved admin states, on the status thread, now rather than at the
 * next tick. Any thread; no-op when stopped. */
void status_reloaded(void);

/*
 * Record the outcome of a reload attempt (SIGHUP or POST /api/reload), shown
 * as "last_reload" in status.json. The daemon calls it after every attempt,
 * published or rejected; the record is kept under its own lock, so any
 * thread may call it, whether the endpoint runs or not.
 * \param ok      non-zero: the new world was published
 * \param errors  what the rejected load printed (copied, truncated to
 *                STATUS_RELOAD_ERRORS - 1 bytes); ignored when ok; may be NULL
 */
#define STATUS_RELOAD_ERRORS 512
void status_note_reload(int ok, const char *errors);

#endif
