/* test_relay.c - a live relay between loopback sockets: backend choice,
 * failover (dead backends, failover tiers), 421s, half-close, reloads,
 * idle and back-pressure. The PROXY encoder's table tests are in
 * test_proxy.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <fcntl.h>
#include <time.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnsd/base/conf.h"
#include "dnsd/base/log.h"
#include "dnsd/relay/relay.h"
#include "probes/pstate.h"

static struct sockaddr_in
sin4(const char *a, unsigned port)
{
	struct sockaddr_in s;

	memset(&s, 0, sizeof(s));
	s.sin_family = AF_INET;
	s.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, a, &s.sin_addr);
	return s;
}

/* The relay ends sessions on its own threads: wait (at most 3 s) until
 * the number of active sessions is n; the caller then asserts it. */
static void
wait_active(uint64_t n)
{
	struct relay_stats st;
	int k;

	for (k = 0; k < 300; k++) {
		relay_get_stats(&st, NULL, 0);
		if (st.active == n)
			return;
		usleep(10000);
	}
}

/* ---------------------------------------------------- live relay */

static unsigned
free_port(const char *addr)
{
	struct sockaddr_in s = sin4(addr, 0);
	socklen_t len = sizeof(s);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (void *)&s, sizeof(s)), 0);
	assert_int_equal(getsockname(fd, (void *)&s, &len), 0);
	close(fd);
	return ntohs(s.sin_port);
}

static int
listen_on(const char *addr, unsigned port)
{
	struct sockaddr_in s = sin4(addr, port);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(fd, (void *)&s, sizeof(s)), 0);
	assert_int_equal(listen(fd, 16), 0);
	return fd;
}

static int
connect_from(const char *src, const char *dst, unsigned port)
{
	struct sockaddr_in s = sin4(src, 0), d = sin4(dst, port);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (void *)&s, sizeof(s)), 0);
	assert_int_equal(connect(fd, (void *)&d, sizeof(d)), 0);
	return fd;
}

/* Read exactly n bytes within 5 s; returns bytes read (short on EOF). */
static size_t
read_n(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, 5000) <= 0)
			break;
		r = read(fd, (char *)buf + got, n - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

/* Read a line (up to \n) within 5 s. */
static void
read_line(int fd, char *buf, size_t max)
{
	size_t n = 0;

	while (n + 1 < max && read_n(fd, buf + n, 1) == 1) {
		if (buf[n++] == '\n')
			break;
	}
	buf[n] = '\0';
}

static int
accept_within(int lfd, int ms)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };

	if (poll(&p, 1, ms) <= 0)
		return -1;
	return accept(lfd, NULL, NULL);
}

/*
 * One exchange through a session, client c, backend b: the backend's
 * greeting reaches the client, the client's QUIT the backend.
 */
static void
greet_quit(int c, int b, const char *greeting)
{
	char buf[64];
	size_t n = strlen(greeting);

	assert_true(n <= sizeof(buf));
	assert_int_equal(write(b, greeting, n), n);
	assert_int_equal(read_n(c, buf, n), n);
	assert_memory_equal(buf, greeting, n);
	assert_int_equal(write(c, "QUIT\r\n", 6), 6);
	assert_int_equal(read_n(b, buf, 6), 6);
	assert_memory_equal(buf, "QUIT\r\n", 6);
}

/* The PROXY v2 header a backend gets first for a client at 127.0.0.77
 * that connected to the relay's port rport. */
static void
expect_v2_from_77(int b, unsigned rport)
{
	unsigned char hdr[28];

	assert_int_equal(read_n(b, hdr, sizeof(hdr)), sizeof(hdr));
	assert_memory_equal(hdr, "\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x0c", 16);
	assert_memory_equal(hdr + 16, "\x7f\x00\x00\x4d\x7f\x00\x00\x01", 8);
	assert_int_equal(hdr[26] << 8 | hdr[27], rport);
}

/* A client from src connects to the relay at rport and is told no
 * backend is reachable. */
static void
expect_421_unavailable(const char *src, unsigned rport)
{
	char line[256];
	int c = connect_from(src, "127.0.0.1", rport);

	read_line(c, line, sizeof(line));
	assert_string_equal(line,
	    "421 4.3.2 relay.test Service not available, try again later\r\n");
	close(c);
}

struct fixture {
	struct conf        conf;
	struct conf_pool   pool;
	struct conf_server servers[3];
	struct conf_ip     ips[3];
	struct conf_sockaddr listen;
	unsigned           rport, bport;
};

static void
fixture_init(struct fixture *f, enum conf_proxy proxy, unsigned per_source,
    double idle)
{
	struct sockaddr_in *l = (struct sockaddr_in *)&f->listen.ss;
	int i;

	memset(f, 0, sizeof(*f));
	f->rport = free_port("127.0.0.1");
	f->bport = free_port("127.0.0.3");
	for (i = 0; i < 3; i++) {
		snprintf(f->servers[i].name, sizeof(f->servers[i].name), "mx%d", i + 1);
		f->ips[i].family = AF_INET;
		snprintf(f->ips[i].text, sizeof(f->ips[i].text), "127.0.0.%d", i + 2);
		inet_pton(AF_INET, f->ips[i].text, &f->ips[i].u.v4);
		f->servers[i].addrs = &f->ips[i];
		f->servers[i].naddrs = 1;
		f->servers[i].weight = 1;
	}
	snprintf(f->pool.name, sizeof(f->pool.name), "inbound");
	f->pool.servers = f->servers;
	f->pool.nservers = 2;
	f->conf.pools = &f->pool;
	f->conf.npools = 1;
	*l = sin4("127.0.0.1", f->rport);
	f->listen.len = sizeof(*l);
	snprintf(f->listen.text, sizeof(f->listen.text), "127.0.0.1:%u", f->rport);
	f->conf.relay.enabled = true;
	f->conf.relay.listen = &f->listen;
	f->conf.relay.nlisten = 1;
	f->conf.relay.pool_index = 0;
	snprintf(f->conf.relay.pool, sizeof(f->conf.relay.pool), "inbound");
	f->conf.relay.port = (uint16_t)f->bport;
	f->conf.relay.proxy_protocol = proxy;
	f->conf.relay.retries = 2;
	f->conf.relay.connect_timeout = 1;
	f->conf.relay.idle_timeout = idle;
	f->conf.relay.max_connections = 100;
	f->conf.relay.max_per_source = per_source;
	f->conf.relay.hostname = "relay.test";
}

/* Publish a pool state where server i is up iff (up_mask >> i) & 1. */
static void
publish(struct fixture *f, unsigned up_mask)
{
	struct pstate *ps = pstate_new(&f->conf);
	int i;

	assert_non_null(ps);
	for (i = 0; i < 2; i++)
		ps->pools[0].servers[i].up = (up_mask >> i) & 1;
	pstate_pool_update(&ps->pools[0], &f->pool);
	pstate_publish(ps);
}

/* mx1 (127.0.0.2) is dead, mx2 (127.0.0.3) live: every session reaches
 * mx2 with a PROXY v2 header naming the client; bytes flow both ways,
 * half-close passes through. */
static void
test_relay_failover_v2(void **state)
{
	struct fixture f;
	struct relay_stats st;
	struct relay_backend_stats be[2];
	char buf[64];
	int lfd, c, b, k;

	fixture_init(&f, CONF_PROXY_V2, 0, 30);
	publish(&f, 3);
	lfd = listen_on("127.0.0.3", f.bport);
	assert_int_equal(relay_start(&f.conf), 0);
	assert_int_equal(relay_start(&f.conf), -1);	/* already running */

	for (k = 0; k < 4; k++) {
		c = connect_from("127.0.0.77", "127.0.0.1", f.rport);
		b = accept_within(lfd, 5000);
		assert_true(b >= 0);
		expect_v2_from_77(b, f.rport);
		greet_quit(c, b, "220 hi\r\n");
		/* client half-closes: backend sees EOF, can still answer */
		shutdown(c, SHUT_WR);
		assert_int_equal(read_n(b, buf, 1), 0);
		assert_int_equal(write(b, "221 bye\r\n", 9), 9);
		close(b);
		assert_int_equal(read_n(c, buf, 9), 9);
		assert_memory_equal(buf, "221 bye\r\n", 9);
		assert_int_equal(read_n(c, buf, 1), 0);
		close(c);
	}
	wait_active(0);
	assert_int_equal(relay_get_stats(&st, be, 2), 2);
	assert_true(st.running);
	assert_int_equal(st.accepted, 4);
	assert_int_equal(st.active, 0);
	assert_string_equal(be[1].name, "mx2");
	assert_int_equal(be[1].total, 4);
	assert_int_equal(be[0].total, 0);
	assert_int_equal(be[1].active, 0);
	assert_int_equal(be[1].bytes_in, 4 * 6);
	assert_int_equal(be[1].bytes_out, 4 * (8 + 9));
	assert_int_equal(st.bytes_in, 4 * 6);
	assert_int_equal(st.unavailable, 0);

	relay_stop(1.0);
	assert_int_equal(relay_get_stats(&st, be, 2), 0);
	assert_false(st.running);
	close(lfd);
}

/* No eligible server, then none reachable: 421 4.3.2. */
static void
test_relay_unavailable(void **state)
{
	struct fixture f;
	struct relay_stats st;

	fixture_init(&f, CONF_PROXY_V1, 0, 30);
	publish(&f, 0);
	assert_int_equal(relay_start(&f.conf), 0);
	expect_421_unavailable("127.0.0.1", f.rport);

	publish(&f, 3);		/* both "up" but nothing listens */
	expect_421_unavailable("127.0.0.1", f.rport);
	relay_get_stats(&st, NULL, 0);
	assert_int_equal(st.unavailable, 2);
	assert_int_equal(st.rejected_421, 2);
	relay_stop(1.0);
}

/* max_per_source 2: the third from one address gets 421 4.7.0, another
 * address still gets through; an idle session is closed. */
static void
test_relay_limits_idle(void **state)
{
	struct fixture f;
	struct relay_stats st;
	char line[256];
	int lfd, c[3], b[3], other, ob, i;

	fixture_init(&f, CONF_PROXY_NONE, 2, 1);
	publish(&f, 2);
	lfd = listen_on("127.0.0.3", f.bport);
	assert_int_equal(relay_start(&f.conf), 0);
	for (i = 0; i < 2; i++) {
		c[i] = connect_from("127.0.0.88", "127.0.0.1", f.rport);
		b[i] = accept_within(lfd, 5000);
		assert_true(b[i] >= 0);
	}
	c[2] = connect_from("127.0.0.88", "127.0.0.1", f.rport);
	read_line(c[2], line, sizeof(line));
	assert_string_equal(line,
	    "421 4.7.0 relay.test Too many connections, try again later\r\n");
	assert_int_equal(accept_within(lfd, 200), -1);
	other = connect_from("127.0.0.89", "127.0.0.1", f.rport);
	ob = accept_within(lfd, 5000);
	assert_true(ob >= 0);
	relay_get_stats(&st, NULL, 0);
	assert_int_equal(st.rejected_per_source, 1);
	assert_int_equal(st.active, 3);

	/* nobody talks: all closed after ~1 s idle */
	read_line(c[0], line, sizeof(line));
	assert_string_equal(line, "");
	relay_get_stats(&st, NULL, 0);
	assert_true(st.idle_timeouts >= 1);
	wait_active(0);
	relay_get_stats(&st, NULL, 0);
	assert_int_equal(st.active, 0);
	assert_int_equal(st.idle_timeouts, 3);
	for (i = 0; i < 3; i++)
		close(c[i]);
	for (i = 0; i < 2; i++)
		close(b[i]);
	close(other);
	close(ob);
	relay_stop(1.0);
	close(lfd);
}

/* Graceful stop: an open session may finish within the grace period;
 * the listener is closed at once. */
static void
test_relay_graceful_stop(void **state)
{
	struct fixture f;
	int lfd, c, b;

	fixture_init(&f, CONF_PROXY_NONE, 0, 30);
	publish(&f, 2);
	lfd = listen_on("127.0.0.3", f.bport);
	assert_int_equal(relay_start(&f.conf), 0);
	c = connect_from("127.0.0.1", "127.0.0.1", f.rport);
	b = accept_within(lfd, 5000);
	assert_true(b >= 0);
	relay_stop(0.5);	/* returns after the deadline closed the session */
	assert_int_equal(read_n(c, &f, 1), 0);
	close(c);
	close(b);
	close(lfd);
	/* bind failure is reported */
	lfd = listen_on("127.0.0.1", f.rport);
	assert_int_equal(relay_start(&f.conf), -1);
	close(lfd);
}

/* Accept on whichever of l2 (127.0.0.2) and l3 (127.0.0.3) the relay
 * connects to within 5 s; 2 or 3, or 0 when the client read a 421. The
 * relay is asked for a session from 127.0.0.1; all sockets are closed. */
static int
route(const struct fixture *f, int l2, int l3)
{
	struct pollfd p[3];
	char line[256];
	int c, b, i, which = -1;

	c = connect_from("127.0.0.1", "127.0.0.1", f->rport);
	p[0].fd = l2;
	p[1].fd = l3;
	p[2].fd = c;
	for (i = 0; i < 3; i++)
		p[i].events = POLLIN;
	if (poll(p, 3, 5000) > 0) {
		if (p[0].revents & POLLIN) {
			which = 2;
			b = accept(l2, NULL, NULL);
			close(b);
		} else if (p[1].revents & POLLIN) {
			which = 3;
			b = accept(l3, NULL, NULL);
			close(b);
		} else {
			read_line(c, line, sizeof(line));
			if (strncmp(line, "421 4.3.2 ", 10) == 0)
				which = 0;
		}
	}
	close(c);
	return which;
}

/* Publish a pool state for conf's first pool: server i up iff bit i. */
static void
publish_conf(const struct conf *conf, unsigned up_mask)
{
	struct pstate *ps = pstate_new(conf);
	size_t i;

	assert_non_null(ps);
	for (i = 0; i < ps->pools[0].nservers; i++)
		ps->pools[0].servers[i].up = (up_mask >> i) & 1;
	pstate_pool_update(&ps->pools[0], &conf->pools[0]);
	pstate_publish(ps);
}

/* Reload with the pool's servers reordered: until a pool state for the
 * new config is published, the old one is read by server name (the
 * fence), then the new one by its own positions. A pool state with
 * another number of servers is never indexed (421). A session open
 * across reloads keeps working even after its server is removed, and
 * counters follow the server name. */
static void
test_relay_reload(void **state)
{
	struct fixture f, g, h;
	struct relay_stats st;
	struct relay_backend_stats be[3];
	char buf[16];
	int l2, l3, c0, b0, k;

	fixture_init(&f, CONF_PROXY_NONE, 0, 30);
	l2 = listen_on("127.0.0.2", f.bport);
	l3 = listen_on("127.0.0.3", f.bport);
	publish(&f, 2);				/* mx1 down, mx2 up */
	assert_int_equal(relay_start(&f.conf), 0);
	c0 = connect_from("127.0.0.1", "127.0.0.1", f.rport);
	b0 = accept_within(l3, 5000);		/* stays open throughout */
	assert_true(b0 >= 0);
	for (k = 0; k < 5; k++)
		assert_int_equal(route(&f, l2, l3), 3);

	/* g: the same servers, reversed (mx2 first) */
	g = f;
	g.servers[0] = f.servers[1];
	g.servers[1] = f.servers[0];
	g.servers[0].addrs = &g.ips[1];
	g.servers[1].addrs = &g.ips[0];
	g.pool.servers = g.servers;
	g.conf.pools = &g.pool;
	g.conf.relay.listen = &g.listen;
	relay_reload(&g.conf);
	/* still the old layout published: mx2 (up) must be chosen */
	for (k = 0; k < 10; k++)
		assert_int_equal(route(&f, l2, l3), 3);
	publish_conf(&g.conf, 1);		/* new layout: mx2 up, mx1 down */
	for (k = 0; k < 5; k++)
		assert_int_equal(route(&f, l2, l3), 3);
	publish_conf(&g.conf, 2);		/* mx2 down, mx1 up */
	for (k = 0; k < 5; k++)
		assert_int_equal(route(&f, l2, l3), 2);

	/* a pool state with three servers: not this table's layout */
	h = g;
	h.pool.servers = h.servers;
	h.pool.nservers = 3;
	h.conf.pools = &h.pool;
	publish_conf(&h.conf, 7);
	assert_int_equal(route(&f, l2, l3), 0);
	publish_conf(&g.conf, 3);
	assert_int_equal(route(&f, l2, l3) > 0, 1);

	/* The relay ends the routed test sessions on its own threads: wait
	 * (at most 3 s) until only c0 <-> b0 is still active. */
	for (k = 0; k < 300; k++) {
		assert_int_equal(relay_get_stats(&st, be, 3), 2);
		if (be[0].active == 1)
			break;
		usleep(10000);
	}
	assert_string_equal(be[0].name, "mx2");
	assert_string_equal(be[1].name, "mx1");
	assert_true(be[0].total >= 1 + 5 + 10 + 5);	/* counted by name */
	assert_true(be[1].total >= 5);
	assert_int_equal(be[0].active, 1);		/* c0 <-> b0 */

	/* h: only mx1 (mx2, c0's backend, is gone) */
	h = f;
	h.pool.servers = h.servers;
	h.pool.nservers = 1;
	h.conf.pools = &h.pool;
	relay_reload(&h.conf);
	publish_conf(&h.conf, 1);
	assert_int_equal(route(&f, l2, l3), 2);
	assert_int_equal(relay_get_stats(&st, be, 3), 1);
	assert_string_equal(be[0].name, "mx1");

	/* the old session still copies both ways */
	greet_quit(c0, b0, "220 x\r\n");
	close(b0);
	assert_int_equal(read_n(c0, buf, 1), 0);
	close(c0);

	/* the relay section removed: it keeps running as it was */
	h.conf.relay.enabled = false;
	relay_reload(&h.conf);
	assert_int_equal(route(&f, l2, l3), 2);
	relay_stop(1.0);
	close(l2);
	close(l3);
}

/* A slow reader: the client reads a trickle while the backend sends all
 * it can. Reading from the backend stays paused by back-pressure for
 * longer than idle_timeout (1 s), but bytes keep flowing to the client:
 * that is progress, the session must not be closed; everything arrives
 * once the client reads at full speed. */
static void
test_relay_idle_slow_reader(void **state)
{
	struct fixture f;
	struct relay_stats st;
	struct sockaddr_in src = sin4("127.0.0.1", 0), dst;
	unsigned char *chunk, in[4096];
	uint64_t sent = 0, got = 0;
	int lfd, c, b, one = 1, small = 4096, i;
	struct timespec t0, now;
	bool ok = true;

	fixture_init(&f, CONF_PROXY_NONE, 0, 1);
	publish(&f, 2);
	lfd = listen_on("127.0.0.3", f.bport);
	assert_int_equal(relay_start(&f.conf), 0);
	dst = sin4("127.0.0.1", f.rport);
	c = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(c, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	assert_int_equal(bind(c, (void *)&src, sizeof(src)), 0);
	assert_int_equal(connect(c, (void *)&dst, sizeof(dst)), 0);
	b = accept_within(lfd, 5000);
	assert_true(b >= 0);
	setsockopt(b, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	assert_int_equal(fcntl(b, F_SETFL, O_NONBLOCK), 0);
	chunk = malloc(65536);
	assert_non_null(chunk);

	/* 3 s: the backend writes whenever it can; the client reads 2 KiB
	 * every 100 ms (20 KiB/s). Content: byte k is k % 251. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 30; i++) {
		ssize_t n;

		for (;;) {
			size_t k;

			for (k = 0; k < 65536; k++)
				chunk[k] = (unsigned char)((sent + k) % 251);
			n = write(b, chunk, 65536);
			if (n <= 0)
				break;
			sent += (uint64_t)n;
		}
		usleep(100000);
		n = read(c, in, 2048);
		if (n <= 0) {
			ok = false;	/* closed under a slow reader */
			break;
		}
		for (size_t k = 0; k < (size_t)n; k++)
			if (in[k] != (got + k) % 251)
				ok = false;
		got += (uint64_t)n;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	assert_true(ok);
	assert_true(now.tv_sec - t0.tv_sec >= 2);
	assert_true(sent > got + 512 * 1024);	/* the reader was behind */
	/* the backend is done; the client reads the rest at full speed */
	assert_int_equal(fcntl(b, F_SETFL, 0), 0);
	shutdown(b, SHUT_WR);
	for (;;) {
		size_t n = read_n(c, in, sizeof(in));

		for (size_t k = 0; k < n; k++)
			if (in[k] != (got + k) % 251)
				ok = false;
		got += n;
		if (n < sizeof(in))
			break;
	}
	assert_true(ok);
	relay_get_stats(&st, NULL, 0);
	if (got != sent)
		fprintf(stderr, "got %llu sent %llu idle_timeouts %llu active %llu\n",
		    (unsigned long long)got, (unsigned long long)sent,
		    (unsigned long long)st.idle_timeouts,
		    (unsigned long long)st.active);
	assert_int_equal(got, sent);
	assert_int_equal(st.idle_timeouts, 0);
	free(chunk);
	close(b);
	close(c);
	relay_stop(1.0);
	close(lfd);
}

/* Accept on whichever of l[0..n) (127.0.0.2, .3, ...) the relay connects
 * to within 5 s: 2 + its index, or 0 when the client read a 421 4.3.2,
 * -1 otherwise. The session is from 127.0.0.1; all sockets are closed. */
static int
route_n(const struct fixture *f, const int *l, int n)
{
	struct pollfd p[4];
	char line[256];
	int c, b, i, which = -1;

	assert_true(n <= 3);
	c = connect_from("127.0.0.1", "127.0.0.1", f->rport);
	for (i = 0; i < n; i++) {
		p[i].fd = l[i];
		p[i].events = POLLIN;
	}
	p[n].fd = c;
	p[n].events = POLLIN;
	if (poll(p, (nfds_t)n + 1, 5000) > 0) {
		for (i = 0; i < n; i++) {
			if (l[i] >= 0 && (p[i].revents & POLLIN)) {
				which = 2 + i;
				b = accept(l[i], NULL, NULL);
				close(b);
				break;
			}
		}
		if (which < 0 && (p[n].revents & POLLIN)) {
			read_line(c, line, sizeof(line));
			if (strncmp(line, "421 4.3.2 ", 10) == 0)
				which = 0;
		}
	}
	close(c);
	return which;
}

/* A failover pool: mx1, mx2 in tier 0, mx3 in tier 1. With either relay
 * policy, every session goes to tier 0 while it has a healthy server,
 * to tier 1 once tier 0 is down, to tier 1 as the next candidate when
 * tier 0 is "up" but refuses, and to nobody (421, not the fail-open
 * order) when every server is down, even though all of them listen. */
static void
test_relay_failover_tiers(void **state)
{
	static const enum conf_relay_policy pol[] = { CONF_RELAY_WEIGHTED,
	    CONF_RELAY_LEASTCONN };
	struct fixture f;
	struct relay_backend_stats be[3];
	struct relay_stats st;
	int l[3], k, p, i, w;

	for (p = 0; p < 2; p++) {
		fixture_init(&f, CONF_PROXY_NONE, 0, 30);
		f.pool.policy = CONF_POLICY_FAILOVER;
		f.pool.nservers = 3;
		f.servers[0].weight = 1;
		f.servers[1].weight = 1;
		f.servers[2].weight = 100;	/* weight never beats a tier */
		f.servers[2].tier = 1;
		f.conf.relay.policy = pol[p];
		for (i = 0; i < 3; i++) {
			char a[32];

			snprintf(a, sizeof(a), "127.0.0.%d", i + 2);
			l[i] = listen_on(a, f.bport);
		}
		publish_conf(&f.conf, 7);		/* all up */
		assert_int_equal(relay_start(&f.conf), 0);
		for (k = 0; k < 30; k++) {
			w = route_n(&f, l, 3);
			if (w != 2 && w != 3)
				print_error("policy %d, session %d: %d\n", p, k, w);
			assert_true(w == 2 || w == 3);
		}
		publish_conf(&f.conf, 5);		/* mx2 down: mx1 still */
		for (k = 0; k < 10; k++)
			assert_int_equal(route_n(&f, l, 3), 2);
		publish_conf(&f.conf, 4);		/* tier 0 down */
		for (k = 0; k < 10; k++)
			assert_int_equal(route_n(&f, l, 3), 4);
		publish_conf(&f.conf, 0);		/* all down: 421 */
		for (k = 0; k < 3; k++)
			assert_int_equal(route_n(&f, l, 3), 0);
		/* tier 0 "up" but refusing: retries reach tier 1 */
		publish_conf(&f.conf, 7);
		close(l[0]);
		close(l[1]);
		l[0] = l[1] = -1;
		for (k = 0; k < 5; k++)
			assert_int_equal(route_n(&f, l, 3), 4);

		for (k = 0; k < 300; k++) {	/* sessions end on the relay's threads */
			relay_get_stats(&st, NULL, 0);
			if (st.active == 0)
				break;
			usleep(10000);
		}
		assert_int_equal(relay_get_stats(&st, be, 3), 3);
		assert_int_equal(be[0].total + be[1].total, 30 + 10);
		assert_int_equal(be[2].total, 10 + 5);
		assert_true(be[0].failed_connects >= 5);
		assert_true(be[1].failed_connects >= 5);
		assert_int_equal(st.unavailable, 3);
		relay_stop(1.0);
		close(l[2]);
	}
}

/*
 * A backend whose accept queue is full drops the relay's SYN: the connect
 * stays under way (not the loopback case, where it is over before
 * connect() returns) and the relay waits for the socket to turn writable.
 * Once the backend catches up, the SYN's retransmission (1 s) connects
 * and the session goes on, PROXY header first; with a connect_timeout
 * shorter than that, the session ends in 421 4.3.2 instead.
 */
static void
test_relay_connect_pending(void **state)
{
	struct fixture f;
	struct relay_stats st;
	struct relay_backend_stats be[2];
	struct sockaddr_in s;
	char buf[64];
	int lfd, d, c, b, k, one = 1;

	fixture_init(&f, CONF_PROXY_V2, 0, 30);
	f.conf.relay.connect_timeout = 4;
	publish(&f, 1);			/* mx1 (127.0.0.2) only */
	s = sin4("127.0.0.2", f.bport);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(lfd, (void *)&s, sizeof(s)), 0);
	assert_int_equal(listen(lfd, 0), 0);	/* one in the queue fills it */
	d = connect_from("127.0.0.1", "127.0.0.2", f.bport);
	assert_int_equal(relay_start(&f.conf), 0);

	c = connect_from("127.0.0.77", "127.0.0.1", f.rport);
	usleep(300000);
	assert_int_equal(relay_get_stats(&st, be, 2), 2);
	assert_int_equal(st.active, 1);
	assert_int_equal(be[0].total, 0);	/* not connected yet */
	assert_int_equal(be[0].failed_connects, 0);
	b = accept_within(lfd, 1000);		/* d: room for the relay's */
	assert_true(b >= 0);
	close(b);
	close(d);
	b = accept_within(lfd, 5000);
	assert_true(b >= 0);
	expect_v2_from_77(b, f.rport);
	greet_quit(c, b, "220 hi\r\n");
	close(b);
	assert_int_equal(read_n(c, buf, 1), 0);
	close(c);
	wait_active(0);
	assert_int_equal(relay_get_stats(&st, be, 2), 2);
	assert_int_equal(be[0].total, 1);
	assert_int_equal(be[0].failed_connects, 0);
	relay_stop(1.0);

	/* the same, but the backend never catches up within the timeout */
	f.conf.relay.connect_timeout = 0.5;
	d = connect_from("127.0.0.1", "127.0.0.2", f.bport);
	assert_int_equal(relay_start(&f.conf), 0);
	expect_421_unavailable("127.0.0.77", f.rport);
	wait_active(0);
	assert_int_equal(relay_get_stats(&st, be, 2), 2);
	assert_int_equal(be[0].failed_connects, 1);
	assert_int_equal(st.unavailable, 1);
	relay_stop(1.0);
	for (k = 0; k < 2 && (b = accept_within(lfd, 0)) >= 0; k++)
		close(b);
	close(d);
	close(lfd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relay_failover_v2),
		cmocka_unit_test(test_relay_unavailable),
		cmocka_unit_test(test_relay_limits_idle),
		cmocka_unit_test(test_relay_graceful_stop),
		cmocka_unit_test(test_relay_reload),
		cmocka_unit_test(test_relay_idle_slow_reader),
		cmocka_unit_test(test_relay_failover_tiers),
		cmocka_unit_test(test_relay_connect_pending),
	};
	int rv;

	log_init(LOG_LVL_DEBUG, 0, "test_relay");
	rcu_register_thread();
	rv = cmocka_run_group_tests(tests, NULL, NULL);
	pstate_shutdown();
	rcu_unregister_thread();
	return rv;
}
