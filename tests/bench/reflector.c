/* reflector.c - the floor for tests/bench/dns.sh: a UDP "server" that does
 * no DNS work at all. It receives queries in recvmmsg batches, sets QR and
 * sends each back with sendmmsg, on one thread and one socket, like
 * mxspread's UDP path (dnsd/server.c: a thread blocked in
 * recvmmsg(MSG_WAITFORONE), batches of 32) with the answering left out.
 *
 * usage: reflector ADDR PORT   (runs until SIGTERM/SIGINT)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 32
#define BUFSZ 4096

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int
main(int argc, char *argv[])
{
	static unsigned char buf[BATCH][BUFSZ];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_storage from[BATCH];
	struct sockaddr_in sin;
	struct sigaction sa;
	struct timeval tmo = { 0, 500000 };
	int fd, n, i, sent, rcvbuf = 4 * 1024 * 1024;

	if (argc != 3) {
		fprintf(stderr, "usage: reflector ADDR PORT\n");
		return 2;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1) {
		fprintf(stderr, "reflector: bad address %s\n", argv[1]);
		return 2;
	}
	/* No SA_RESTART: a signal interrupts the blocked recvmmsg(). */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		perror("reflector");
		return 1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
	    sizeof(rcvbuf)) != 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		    sizeof(rcvbuf));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo));
	while (!stop) {
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = buf[i];
			iov[i].iov_len = BUFSZ;
			memset(&msgs[i].msg_hdr, 0, sizeof(msgs[i].msg_hdr));
			msgs[i].msg_hdr.msg_name = &from[i];
			msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
		if (n <= 0)
			continue;	/* timeout or signal: check stop */
		for (i = 0; i < n; i++) {
			if (msgs[i].msg_len >= 3)
				buf[i][2] |= 0x80;	/* QR */
			iov[i].iov_len = msgs[i].msg_len;
		}
		for (sent = 0; sent < n; ) {
			int r = sendmmsg(fd, msgs + sent,
			    (unsigned)(n - sent), MSG_DONTWAIT);

			if (r <= 0) {
				if (r < 0 && errno == EINTR)
					continue;
				break;
			}
			sent += r;
		}
	}
	close(fd);
	return 0;
}
