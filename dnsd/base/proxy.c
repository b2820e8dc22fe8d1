/* proxy.c - PROXY protocol v1/v2 header encoder (pure: addresses in, bytes out). */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "dnsd/base/conf.h"
#include "dnsd/base/sock.h"
#include "dnsd/base/proxy.h"

static const unsigned char v2_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };

#define V2_PROXY       0x21	/* version 2, command PROXY */
#define V2_LOCAL       0x20	/* version 2, command LOCAL */
#define V2_TCP4        0x11
#define V2_TCP6        0x21
#define V2_UNSPEC      0x00

static int
proxy_v1(int fam, const struct sockaddr *src, const struct sockaddr *dst,
    unsigned char *buf)
{
	char sa[INET6_ADDRSTRLEN], da[INET6_ADDRSTRLEN];
	unsigned sp, dp;
	int n;

	if (fam == AF_UNSPEC) {
		memcpy(buf, "PROXY UNKNOWN\r\n", 15);
		return 15;
	}
	if (fam == AF_INET) {
		const struct sockaddr_in *s = (const void *)src,
		    *d = (const void *)dst;

		inet_ntop(AF_INET, &s->sin_addr, sa, sizeof(sa));
		inet_ntop(AF_INET, &d->sin_addr, da, sizeof(da));
		sp = ntohs(s->sin_port);
		dp = ntohs(d->sin_port);
	} else {
		const struct sockaddr_in6 *s = (const void *)src,
		    *d = (const void *)dst;

		inet_ntop(AF_INET6, &s->sin6_addr, sa, sizeof(sa));
		inet_ntop(AF_INET6, &d->sin6_addr, da, sizeof(da));
		sp = ntohs(s->sin6_port);
		dp = ntohs(d->sin6_port);
	}
	n = snprintf((char *)buf, PROXY_HEADER_MAX, "PROXY %s %s %s %u %u\r\n",
	    fam == AF_INET ? "TCP4" : "TCP6", sa, da, sp, dp);
	return (n > 0 && n < PROXY_HEADER_MAX) ? n : -1;
}

static int
proxy_v2(int fam, bool local, const struct sockaddr *src,
    const struct sockaddr *dst, unsigned char *buf)
{
	unsigned char *p = buf + 16;

	memcpy(buf, v2_sig, sizeof(v2_sig));
	buf[12] = local ? V2_LOCAL : V2_PROXY;
	if (fam == AF_INET) {
		const struct sockaddr_in *s = (const void *)src,
		    *d = (const void *)dst;

		buf[13] = V2_TCP4;
		memcpy(p, &s->sin_addr, 4);
		memcpy(p + 4, &d->sin_addr, 4);
		memcpy(p + 8, &s->sin_port, 2);
		memcpy(p + 10, &d->sin_port, 2);
		p += 12;
	} else if (fam == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)src,
		    *d = (const void *)dst;

		buf[13] = V2_TCP6;
		memcpy(p, &s->sin6_addr, 16);
		memcpy(p + 16, &d->sin6_addr, 16);
		memcpy(p + 32, &s->sin6_port, 2);
		memcpy(p + 34, &d->sin6_port, 2);
		p += 36;
	} else
		buf[13] = V2_UNSPEC;	/* the receiver ignores addresses */
	buf[14] = (unsigned char)(((p - buf) - 16) >> 8);
	buf[15] = (unsigned char)((p - buf) - 16);
	return (int)(p - buf);
}

int
proxy_header(int version, const struct sockaddr *src,
    const struct sockaddr *dst, unsigned char *buf)
{
	struct sockaddr_in m1, m2;
	bool local = src == NULL || dst == NULL;
	int fam = AF_UNSPEC;

	if (!local) {
		src = sock_unmap(src, &m1);
		dst = sock_unmap(dst, &m2);
		fam = src->sa_family;
		if ((fam != AF_INET && fam != AF_INET6) ||
		    dst->sa_family != fam)
			fam = AF_UNSPEC;
	}
	if (version == CONF_PROXY_V1)
		return proxy_v1(fam, src, dst, buf);
	if (version == CONF_PROXY_V2)
		return proxy_v2(fam, local, src, dst, buf);
	return -1;
}
