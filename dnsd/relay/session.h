/* session.h - one relay session, from accept to close.
 *
 * Accept: over max_connections (all threads) or max_per_source (srclimit,
 * shared by the threads) the client gets "421 4.7.0 ..." at once. Else
 * the session takes a reference to the current table, asks for its
 * candidates (relay_backend_order) and connects to them in turn, each
 * within connect_timeout; a refused, unreachable or timed-out backend is
 * counted and the next one tried (a connect still under way when
 * connect() returns is tried with the first send at once, and only if
 * that says EAGAIN waited for: to a backend on the same host it is
 * already over). When none is left the client gets
 * "421 4.3.2 ..." (flushed before close), so the sender queues and
 * retries later; nothing is lost. Every 421 is logged on one line, at
 * most RELAY_LOG_421 (10) a second per thread (log_rate_ok summarises the
 * rest within about a second, from relay_session_tick(); the counters stay
 * exact).
 *
 * Connected: the PROXY header (dnsd/base/proxy.h) goes first when configured; then
 * bytes are copied both ways with plain events on the two sockets (not
 * bufferevents: libevent 2.1's evbuffer_read() reads 4 KiB at a time
 * after an ioctl). A readable side is read once, up to RELAY_MAX_READ,
 * into the thread's buffer and written straight to the other socket; only
 * what that socket does not take is queued in its output evbuffer, and
 * while one is queued further reads go into it. When a side's output
 * holds more than RELAY_HIGH_WATER bytes, reading from the other side
 * stops until it drains to half (libevent sample/le-proxy.c's
 * watermarks). An EOF from one side is flushed to the other, followed by
 * shutdown(SHUT_WR) there; the other direction stays open until it also
 * ends. Sockets have TCP_NODELAY.
 *
 * Idle: a session that makes no progress in either direction (no byte
 * read or written by the relay, no byte leaving a socket's send queue,
 * SIOCOUTQ) for idle_timeout seconds is closed; the send queue is looked
 * at when the idle timer fires, so a session whose reader stopped goes
 * between idle_timeout and twice that after its last byte moved.
 *
 * A session lives on the thread that accepted it and is touched by no
 * other thread.
 */
#ifndef MXS_RELAY_SESSION_H
#define MXS_RELAY_SESSION_H

#include <sys/socket.h>

#include <event2/listener.h>

struct relay_session;

/* The evconnlistener callback of the relay's listeners: arg is the
 * struct relay_thread that owns the listener. Takes fd (closed on every
 * failure). */
void relay_session_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg);

struct relay_thread;

/* Once a second on every relay thread: add the bytes its sessions relayed
 * since the last tick to their backends' counters, and write the summary
 * of the 421 lines this thread did not log (the limiter is per thread). */
void relay_session_tick(struct relay_thread *th);

/* Close both sockets and free the session at once (stop, grace period
 * over), releasing its table reference and per-source slot. */
void relay_session_free(struct relay_session *s);

#endif
