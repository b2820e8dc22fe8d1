/* sock.h - the one listen-socket helper and the address helpers around it.
 *
 * Every listener of the process (DNS UDP and TCP, the relay, the status
 * endpoint) is opened here, so they agree on the options that matter to an
 * operator: IPv6 sockets are IPv6-only (a separate "0.0.0.0" entry serves
 * IPv4), close-on-exec, SO_REUSEADDR for TCP so a restart does not wait for
 * TIME_WAIT, and SO_REUSEPORT only where several threads share a port.
 */
#ifndef MXS_SOCK_H
#define MXS_SOCK_H

#include <stddef.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define SOCK_F_REUSEPORT 0x01	/* one socket per thread on one port */
#define SOCK_F_EXCLUSIVE 0x02	/* with REUSEPORT: first bind once without it,
				   so a port held by another process (even one
				   using SO_REUSEPORT) fails with EADDRINUSE
				   instead of silently sharing its traffic */
#define SOCK_F_NONBLOCK  0x04
#define SOCK_F_NODELAY   0x08	/* TCP_NODELAY; accepted sockets inherit it */

/*
 * Open, configure and bind a socket; listen() too when type is SOCK_STREAM
 * and backlog > 0.
 * \param type     SOCK_DGRAM or SOCK_STREAM
 * \retval fd      caller owns it
 * \retval -1      errno says why (socket, setsockopt, bind or listen)
 */
int sock_listen(const struct sockaddr *sa, socklen_t len, int type,
    unsigned flags, int backlog);

/* sa itself, or when it is a v4-mapped IPv6 address, the same address and
 * port as AF_INET written to *out. */
const struct sockaddr *sock_unmap(const struct sockaddr *sa,
    struct sockaddr_in *out);

/* "192.0.2.1:25", "[2001:db8::1]:25" (v4-mapped shown as IPv4), or
 * "(family N)"; always NUL-terminated within len. */
void sock_addr_text(const struct sockaddr *sa, char *buf, size_t len);

#endif
