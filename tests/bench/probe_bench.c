/* probe_bench.c - probe engine benchmark: N servers on 127.1.x.y, one
 * epoll listener process answering them all (tcp accept / minimal SMTP),
 * prints the probe thread's CPU per second and the late/skipped share.
 * Usage: probe_bench tcp|smtp [servers] [seconds] [interval]
 * Built by tests/bench/probes.sh against the project objects. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "dnsd/base/log.h"
#include "probes/probe.h"

#define MAXFD 65536

static int smtp_mode;

static void
addr_of(int i, struct in_addr *a)
{
	/* 127.1.0.1 ... : 250 hosts per /24 */
	a->s_addr = htonl((127u << 24) | (1u << 16) | ((unsigned)(i / 250) << 8) |
	    (unsigned)(i % 250 + 1));
}

/* The listener: one epoll loop; fds < MAXFD. */
static void
listener(int n, uint16_t port, int ready_fd)
{
	static unsigned char is_listen[MAXFD];
	struct epoll_event ev, evs[256];
	int ep = epoll_create1(0), i, one = 1;

	for (i = 0; i < n; i++) {
		struct sockaddr_in sin = { .sin_family = AF_INET,
		    .sin_port = htons(port) };
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

		addr_of(i, &sin.sin_addr);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (fd < 0 || fd >= MAXFD ||
		    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
		    listen(fd, 64) == -1) {
			perror("listener bind");
			_exit(1);
		}
		is_listen[fd] = 1;
		ev.events = EPOLLIN;
		ev.data.fd = fd;
		epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	}
	if (write(ready_fd, "x", 1) != 1)
		_exit(1);
	close(ready_fd);
	for (;;) {
		int k = epoll_wait(ep, evs, 256, 1000);

		if (getppid() == 1)
			_exit(0);
		for (i = 0; i < k; i++) {
			int fd = evs[i].data.fd;

			if (is_listen[fd]) {
				int c;

				while ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					if (!smtp_mode || c >= MAXFD) {
						close(c);
						continue;
					}
					ev.events = EPOLLIN;
					ev.data.fd = c;
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
					(void)!write(c, "220 bench ESMTP\r\n", 17);
				}
			} else {
				char buf[1024], out[512];
				ssize_t r = read(fd, buf, sizeof(buf) - 1);
				size_t o = 0;
				char *p, *nl;
				int quit = 0;

				if (r <= 0) {
					close(fd);
					continue;
				}
				buf[r] = '\0';
				for (p = buf; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
					const char *rep;

					if (strncasecmp(p, "EHLO", 4) == 0)
						rep = "250-bench\r\n250 PIPELINING\r\n";
					else if (strncasecmp(p, "QUIT", 4) == 0) {
						rep = "221 bye\r\n";
						quit = 1;
					} else
						rep = "250 ok\r\n";
					if (o + strlen(rep) < sizeof(out)) {
						memcpy(out + o, rep, strlen(rep));
						o += strlen(rep);
					}
				}
				(void)!write(fd, out, o);
				if (quit)
					close(fd);
			}
		}
	}
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
thread_cpu(int tid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) == NULL) {
		fclose(f);
		return -1;
	}
	fclose(f);
	/* fields after the ")" : state is field 3; utime 14, stime 15 */
	p = strrchr(buf, ')');
	for (i = 0; p != NULL && i < 12; i++)
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p + 1, "%lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "tcp";
	int n = argc > 2 ? atoi(argv[2]) : 5000;
	double secs = argc > 3 ? atof(argv[3]) : 10;
	double interval = argc > 4 ? atof(argv[4]) : 1.0;
	static struct conf conf;
	static struct conf_pool pool;
	struct conf_server *sv;
	struct conf_ip *ips;
	struct probe_counters c0, c1;
	struct rlimit rl = { MAXFD, MAXFD };
	int pfd[2], i, tid, up = 0;
	double t0, t1, cpu0, cpu1;
	uint16_t port;
	pid_t child;
	char ch;

	smtp_mode = strcmp(mode, "smtp") == 0;
	if (n < 1 || n > 60000 || secs <= 0)
		return 2;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
		getrlimit(RLIMIT_NOFILE, &rl);
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	srand((unsigned)getpid());
	port = (uint16_t)(20000 + rand() % 20000);
	if (pipe(pfd) == -1)
		return 1;
	if ((child = fork()) == 0) {
		close(pfd[0]);
		listener(n, port, pfd[1]);
		_exit(0);
	}
	close(pfd[1]);
	if (read(pfd[0], &ch, 1) != 1) {
		fprintf(stderr, "listener failed\n");
		waitpid(child, NULL, 0);
		return 1;
	}
	log_init(LOG_LVL_WARN, 0, "probe_bench");
	sv = calloc((size_t)n, sizeof(*sv));
	ips = calloc((size_t)n, sizeof(*ips));
	for (i = 0; i < n; i++) {
		snprintf(sv[i].name, sizeof(sv[i].name), "s%d", i);
		sv[i].weight = 1;
		sv[i].addrs = &ips[i];
		sv[i].naddrs = 1;
		ips[i].family = AF_INET;
		addr_of(i, &ips[i].u.v4);
		inet_ntop(AF_INET, &ips[i].u.v4, ips[i].text, sizeof(ips[i].text));
	}
	snprintf(pool.name, sizeof(pool.name), "bench");
	pool.probe.type = smtp_mode ? CONF_PROBE_SMTP : CONF_PROBE_TCP;
	pool.probe.port = port;
	pool.probe.interval = interval;
	pool.probe.timeout = interval / 2;
	pool.probe.rise = 2;
	pool.probe.fall = 3;
	pool.probe.helo = "bench.invalid";
	pool.load_smoothing = 0.3;
	pool.load_low = 50;
	pool.load_high = 95;
	pool.servers = sv;
	pool.nservers = (size_t)n;
	conf.pools = &pool;
	conf.npools = 1;
	rcu_register_thread();
	if (probe_engine_start(&conf) == -1) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		return 1;
	}
	sleep(2);			/* warm up: every server probed once */
	tid = probe_engine_tid();
	probe_get_totals(&c0);
	cpu0 = thread_cpu(tid);
	t0 = now_s();
	while (now_s() - t0 < secs)
		usleep(100000);
	probe_get_totals(&c1);
	cpu1 = thread_cpu(tid);
	t1 = now_s();
	rcu_read_lock();
	{
		const struct pstate *ps = pstate_get();

		for (i = 0; ps != NULL && i < n; i++)
			up += ps->pools[0].servers[i].up;
	}
	rcu_read_unlock();
	probe_engine_stop();
	kill(child, SIGTERM);
	waitpid(child, NULL, 0);
	{
		double rounds = (double)(c1.ok + c1.failed + c1.skipped -
		    c0.ok - c0.failed - c0.skipped);

		printf("probe bench: %s, %d servers, interval %.2fs, %.1fs measured\n",
		    mode, n, interval, t1 - t0);
		printf("  checks/s      %.0f (ok %llu, failed %llu)\n",
		    rounds / (t1 - t0), (unsigned long long)(c1.ok - c0.ok),
		    (unsigned long long)(c1.failed - c0.failed));
		printf("  probe thread  %.3f CPU s per s\n", (cpu1 - cpu0) / (t1 - t0));
		printf("  late          %.2f%%\n", rounds > 0 ?
		    100.0 * (double)(c1.late - c0.late) / rounds : 0);
		printf("  skipped       %.2f%% (%llu)\n", rounds > 0 ?
		    100.0 * (double)(c1.skipped - c0.skipped) / rounds : 0,
		    (unsigned long long)(c1.skipped - c0.skipped));
		printf("  servers up    %d of %d\n", up, n);
	}
	rcu_unregister_thread();
	pstate_shutdown();
	free(sv);
	free(ips);
	return 0;
}
