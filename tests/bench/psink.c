/* psink.c - the backend of tests/bench/relay.sh when the proxies send a
 * PROXY header: Postfix's smtp-sink does not read one, and Postfix's smtpd
 * (which does) spends so much per message on its queue that the proxies'
 * differences would vanish under it. It answers as smtp-sink does, on one
 * thread with epoll, and insists on a valid PROXY v2 (or v1) header before
 * the banner, as smtpd with smtpd_upstream_proxy_protocol = haproxy does.
 *
 * usage: psink ADDR PORT   (runs until SIGTERM/SIGINT, then prints
 *        "psink: conns N proxied N bad N msgs N src ADDR" on stderr,
 *        src being the client address of the last header)
 *
 * A connection whose header is missing or malformed is counted as bad and
 * closed. Only what smtp-source sends is understood: HELO/EHLO, MAIL,
 * RCPT, DATA, RSET, NOOP, QUIT, one command per line, pipelined or not.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define INSZ   8192
#define OUTSZ  4096
#define MAXFD  65536

enum st { ST_PROXY, ST_CMD, ST_DATA };

struct conn {
	int          fd;
	enum st      st;
	int          dot;		/* progress through "\r\n.\r\n" */
	int          wantout;		/* EPOLLOUT registered */
	size_t       inlen, outlen;
	char         in[INSZ];
	char         out[OUTSZ];
};

static volatile sig_atomic_t stop;
static struct conn *conns[MAXFD];
static unsigned long n_conns, n_proxied, n_bad, n_msgs;
static char last_src[INET6_ADDRSTRLEN + 8] = "-";

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
conn_close(int ep, struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	conns[c->fd] = NULL;
	free(c);
}

static void
reply(struct conn *c, const char *s)
{
	size_t n = strlen(s);

	if (c->outlen + n <= sizeof(c->out)) {
		memcpy(c->out + c->outlen, s, n);
		c->outlen += n;
	}
}

/* Write what is queued. -1: the connection is gone. */
static int
flush(int ep, struct conn *c)
{
	struct epoll_event ev;
	ssize_t w;

	if (c->outlen > 0) {
		w = send(c->fd, c->out, c->outlen, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (w > 0) {
			memmove(c->out, c->out + w, c->outlen - (size_t)w);
			c->outlen -= (size_t)w;
		}
	}
	if ((c->outlen > 0) != (c->wantout != 0)) {
		c->wantout = c->outlen > 0;
		ev.events = EPOLLIN | (c->wantout ? EPOLLOUT : 0);
		ev.data.fd = c->fd;
		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
	}
	return 0;
}

/* Parse a PROXY header at the start of c->in: bytes used, 0 for more
 * needed, -1 for a bad header. */
static ssize_t
proxy_parse(struct conn *c)
{
	static const unsigned char sig[12] = "\r\n\r\n\0\r\nQUIT\n";
	const unsigned char *p = (const unsigned char *)c->in;
	size_t len;

	if (c->inlen >= 1 && p[0] == '\r') {
		if (c->inlen < 16)
			return memcmp(p, sig, c->inlen) == 0 ? 0 : -1;
		if (memcmp(p, sig, 12) != 0)
			return -1;
		len = (size_t)p[14] << 8 | p[15];
		if (16 + len > sizeof(c->in))
			return -1;
		if (c->inlen < 16 + len)
			return 0;
		if (p[12] == 0x20)		/* LOCAL: no address */
			return (ssize_t)(16 + len);
		if (p[12] != 0x21)
			return -1;
		if (p[13] == 0x11 && len >= 12)
			inet_ntop(AF_INET, p + 16, last_src, sizeof(last_src));
		else if (p[13] == 0x21 && len >= 36)
			inet_ntop(AF_INET6, p + 16, last_src, sizeof(last_src));
		else
			return -1;
		return (ssize_t)(16 + len);
	}
	if (c->inlen >= 6 && memcmp(p, "PROXY ", 6) == 0) {
		const char *e = memchr(c->in, '\n', c->inlen);
		char line[108], *f[6], *save = NULL;
		size_t n;
		int i;

		if (e == NULL)
			return c->inlen > 107 ? -1 : 0;
		n = (size_t)(e - c->in) + 1;
		if (n > sizeof(line) || n < 2 || e[-1] != '\r')
			return -1;
		memcpy(line, c->in, n - 2);
		line[n - 2] = '\0';
		for (i = 0; i < 6; i++)
			if ((f[i] = strtok_r(i == 0 ? line : NULL, " ",
			    &save)) == NULL)
				return -1;
		if (strcmp(f[1], "TCP4") != 0 && strcmp(f[1], "TCP6") != 0)
			return -1;
		snprintf(last_src, sizeof(last_src), "%s", f[2]);
		return (ssize_t)n;
	}
	if (c->inlen >= 6 || (c->inlen > 0 && p[0] != 'P'))
		return -1;
	return 0;
}

/* Consume one command line (without its CRLF). */
static int
command(struct conn *c, const char *l, size_t n)
{
	if (n >= 4 && (strncasecmp(l, "HELO", 4) == 0))
		reply(c, "250 smtp-sink\r\n");
	else if (n >= 4 && strncasecmp(l, "EHLO", 4) == 0)
		reply(c, "250-smtp-sink\r\n250 PIPELINING\r\n");
	else if (n >= 4 && strncasecmp(l, "MAIL", 4) == 0)
		reply(c, "250 2.1.0 Ok\r\n");
	else if (n >= 4 && strncasecmp(l, "RCPT", 4) == 0)
		reply(c, "250 2.1.5 Ok\r\n");
	else if (n >= 4 && strncasecmp(l, "DATA", 4) == 0) {
		reply(c, "354 End data with <CR><LF>.<CR><LF>\r\n");
		c->st = ST_DATA;
		c->dot = 2;		/* the data starts after a line end */
	} else if (n >= 4 && strncasecmp(l, "RSET", 4) == 0)
		reply(c, "250 2.0.0 Ok\r\n");
	else if (n >= 4 && strncasecmp(l, "NOOP", 4) == 0)
		reply(c, "250 2.0.0 Ok\r\n");
	else if (n >= 4 && strncasecmp(l, "QUIT", 4) == 0) {
		reply(c, "221 Bye\r\n");
		return 1;
	} else
		reply(c, "502 5.5.2 Error: command not recognized\r\n");
	return 0;
}

/* Handle what was read. -1: close the connection (after the replies). */
static int
input(struct conn *c)
{
	static const char end[] = "\r\n.\r\n";
	size_t i = 0;

	if (c->st == ST_PROXY) {
		ssize_t u = proxy_parse(c);

		if (u < 0) {
			n_bad++;
			return -1;
		}
		if (u == 0)
			return 0;
		n_proxied++;
		i = (size_t)u;
		c->st = ST_CMD;
		reply(c, "220 smtp-sink ESMTP\r\n");
	}
	while (i < c->inlen) {
		if (c->st == ST_DATA) {
			/* Scan for the end of data; nothing is kept. */
			for (; i < c->inlen && c->dot < 5; i++) {
				char ch = c->in[i];

				if (ch == end[c->dot])
					c->dot++;
				else
					c->dot = ch == '\r' ? 1 : 0;
			}
			if (c->dot == 5) {
				c->st = ST_CMD;
				n_msgs++;
				reply(c, "250 2.0.0 Ok\r\n");
			}
			continue;
		}
		{
			char *nl = memchr(c->in + i, '\n', c->inlen - i);
			size_t n;

			if (nl == NULL)
				break;
			n = (size_t)(nl - (c->in + i));
			if (n > 0 && c->in[i + n - 1] == '\r')
				n--;
			if (command(c, c->in + i, n))
				return -1;
			i = (size_t)(nl - c->in) + 1;
		}
	}
	memmove(c->in, c->in + i, c->inlen - i);
	c->inlen -= i;
	if (c->inlen == sizeof(c->in))	/* a line too long: drop it */
		c->inlen = 0;
	return 0;
}

static void
on_readable(int ep, struct conn *c)
{
	ssize_t n;

	n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen,
	    MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(ep, c);
		return;
	}
	c->inlen += (size_t)n;
	if (input(c) < 0) {
		flush(ep, c);
		conn_close(ep, c);
		return;
	}
	if (flush(ep, c) < 0)
		conn_close(ep, c);
}

static void
on_accept(int ep, int ls)
{
	struct epoll_event ev;
	struct conn *c;
	int fd, one = 1;

	while ((fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (fd >= MAXFD || (c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->fd = fd;
		c->st = ST_PROXY;
		conns[fd] = c;
		n_conns++;
		ev.events = EPOLLIN;
		ev.data.fd = fd;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0)
			conn_close(ep, c);
	}
}

int
main(int argc, char **argv)
{
	struct epoll_event ev, evs[64];
	struct sockaddr_in sin;
	struct sigaction sa;
	int ls, ep, one = 1, i, n;

	if (argc != 3) {
		fprintf(stderr, "usage: psink ADDR PORT\n");
		return 2;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1) {
		fprintf(stderr, "psink: bad address %s\n", argv[1]);
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: epoll_wait returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) != 0 || bind(ls, (struct sockaddr *)&sin,
	    sizeof(sin)) != 0 || listen(ls, 1024) != 0) {
		perror("psink: listen");
		return 1;
	}
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		perror("psink: epoll");
		return 1;
	}
	ev.events = EPOLLIN;
	ev.data.fd = ls;
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);

	while (!stop) {
		n = epoll_wait(ep, evs, 64, 1000);
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			struct conn *c;

			if (fd == ls) {
				on_accept(ep, ls);
				continue;
			}
			if ((c = conns[fd]) == NULL)
				continue;
			if (evs[i].events & EPOLLOUT) {
				if (flush(ep, c) < 0) {
					conn_close(ep, c);
					continue;
				}
			}
			if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
				on_readable(ep, c);
		}
	}
	fprintf(stderr, "psink: conns %lu proxied %lu bad %lu msgs %lu src %s\n",
	    n_conns, n_proxied, n_bad, n_msgs, last_src);
	return 0;
}
