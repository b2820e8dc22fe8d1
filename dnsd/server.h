/* server.h - the DNS network layer: listeners and worker threads.
 *
 * Every worker has, for every configured listen address, its own UDP
 * socket and TCP listening socket, all bound with SO_REUSEPORT, so the
 * kernel spreads queries and connections over the workers without any lock
 * between them.
 *
 * UDP: one thread per UDP socket, blocked in recvmmsg(MSG_WAITFORONE) for
 * batches of up to SERVER_BATCH, answered under one rcu_read_lock() (the
 * world is read once per batch) into the thread's own buffers and sent with
 * one sendmmsg(MSG_DONTWAIT). This is gdnsd's design: with no epoll_wait()
 * per batch it costs about 8% less CPU per query here than an event loop
 * with MSG_DONTWAIT, and since TCP runs on another thread a UDP burst can
 * never starve TCP (the kernel schedules the two).
 * On a wildcard address (0.0.0.0, ::) IP_PKTINFO / IPV6_RECVPKTINFO make the
 * reply leave from the address the query was sent to.
 *
 * TCP (RFC 7766), on the worker's own libevent event_base (one thread,
 * no locks): 2-byte length framing, several queries per connection,
 * each answered as soon as it is complete (pipelining; answers leave in
 * query order), an idle timeout (tcp_idle_timeout), per-connection input and
 * output buffers (a half-sent query or a client that does not read blocks
 * nobody), and back-pressure: a connection whose unsent output exceeds
 * SERVER_TCP_OUT_HIGH stops being read until it drains. At
 * tcp_max_connections (all workers together) or tcp_max_per_source, the
 * connection idle longest is closed for the new one (dnsd/tcp.h: how,
 * across workers, and the shorter idle timeout under pressure); with none
 * idle the new one is accepted and closed at once, so the client learns
 * immediately rather than waiting in the listen backlog. Out of
 * descriptors, an idle connection is closed for the waiting client, or
 * accepting pauses (100 ms doubling to 1 s) instead of spinning.
 * Answers to queries that carry edns-tcp-keepalive carry the idle timeout
 * in force (RFC 7828).
 *
 * The listeners are fixed at start: a reload (new world) changes zones and
 * TCP limits, not listen addresses or the number of workers.
 */
#ifndef MXS_SERVER_H
#define MXS_SERVER_H

#include <stddef.h>

#include "dnsd/base/conf.h"

#define SERVER_BATCH          32	/* UDP messages per recvmmsg/sendmmsg */
#define SERVER_UDP_BUF        4096	/* bytes per UDP query / response */
#define SERVER_TCP_OUT_HIGH   (128 * 1024)	/* stop reading above this */
#define SERVER_TCP_OUT_LOW    (32 * 1024)	/* resume reading below this */

struct server;

/*
 * Bind every listener for every worker (an address already in use, or an
 * address family the host lacks, fails naming the address) and start the
 * workers. Only what it needs is copied from conf.
 * \retval server  running; stop and free with server_stop()
 * \retval NULL    nothing left running; the reason is written to err, e.g.
 *                 "listen 127.0.0.1:53 (udp): Address already in use"
 */
struct server *server_start(const struct conf *conf, char *err,
    size_t errlen);

/* Stop every worker, close every socket and connection, free s. */
void server_stop(struct server *s);

/* Number of worker threads running. */
unsigned server_workers(const struct server *s);

#endif
