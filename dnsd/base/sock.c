/* sock.c - listen sockets and address text. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/tcp.h>

#include "dnsd/base/sock.h"

static int
sock_open(const struct sockaddr *sa, int type, unsigned flags, int reuseport)
{
	int fd, on = 1, saved;

	type |= SOCK_CLOEXEC;
	if (flags & SOCK_F_NONBLOCK)
		type |= SOCK_NONBLOCK;
	if ((fd = socket(sa->sa_family, type, 0)) < 0)
		return -1;
	if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on,
	    sizeof(on)) != 0)
		goto fail;
	if ((type & SOCK_STREAM) && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR,
	    &on, sizeof(on)) != 0)
		goto fail;
	if (sa->sa_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) != 0)
		goto fail;
	if ((flags & SOCK_F_NODELAY) && (type & SOCK_STREAM))
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int
sock_listen(const struct sockaddr *sa, socklen_t len, int type,
    unsigned flags, int backlog)
{
	int fd = -1, saved;

	if ((flags & SOCK_F_REUSEPORT) && (flags & SOCK_F_EXCLUSIVE)) {
		if ((fd = sock_open(sa, type, flags, 0)) < 0)
			return -1;
		if (bind(fd, sa, len) != 0)
			goto fail;
		close(fd);
	}
	if ((fd = sock_open(sa, type, flags, (flags & SOCK_F_REUSEPORT) != 0)) < 0)
		return -1;
	if (bind(fd, sa, len) != 0)
		goto fail;
	if (type == SOCK_STREAM && backlog > 0 && listen(fd, backlog) != 0)
		goto fail;
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

const struct sockaddr *
sock_unmap(const struct sockaddr *sa, struct sockaddr_in *out)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

	if (sa->sa_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		return sa;
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_port = s6->sin6_port;
	memcpy(&out->sin_addr, &s6->sin6_addr.s6_addr[12], 4);
	return (const struct sockaddr *)out;
}

void
sock_addr_text(const struct sockaddr *sa, char *buf, size_t len)
{
	struct sockaddr_in m;
	char a[INET6_ADDRSTRLEN];

	sa = sock_unmap(sa, &m);
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(s4->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else
		snprintf(buf, len, "(family %d)", sa->sa_family);
}
