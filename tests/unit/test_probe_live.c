/* test_probe_live.c - the probe engine against real peers: testsmtp.py fault
 * modes, agent and HTTP load responders, smtp-sink and a real Postfix smtpd;
 * DANE with real TLS (certificates made by openssl, TLSA data computed here). */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <setjmp.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "dnsd/base/log.h"
#include "probes/probe.h"
#include "probes/pstate.h"
#include "probes/smtp.h"

#define MAXPOOLS 32
#define MAXPIDS  64

static char root[PATH_MAX];
static char tmp[256];
static pid_t pids[MAXPIDS];
static char pfdir[PATH_MAX];		/* running Postfix instance, "" if none */

struct tconf {
	struct conf        c;
	struct conf_pool   pools[MAXPOOLS];
	struct conf_server servers[MAXPOOLS];
	struct conf_ip     ips[MAXPOOLS];
	uint8_t            tlsa[MAXPOOLS][2048];	/* servers[i].tlsa */
};
static struct tconf tc;

/* ------------------------------------------------------------ helpers */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
msleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void
pid_forget(pid_t p)
{
	int i;

	for (i = 0; i < MAXPIDS; i++)
		if (pids[i] == p)
			pids[i] = 0;
}

static void
stop_pid(pid_t p)
{
	int i, st;

	if (p <= 0)
		return;
	kill(p, SIGTERM);
	for (i = 0; i < 50; i++) {
		if (waitpid(p, &st, WNOHANG) == p)
			goto out;
		msleep(100);
	}
	kill(p, SIGKILL);
	waitpid(p, &st, 0);
out:
	pid_forget(p);
}

static int
sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void
postfix_stop(void)
{
	char path[PATH_MAX + 32];
	FILE *f;
	int p = 0, i;

	if (pfdir[0] == '\0')
		return;
	snprintf(path, sizeof(path), "%s/queue/pid/master.pid", pfdir);
	if ((f = fopen(path, "r")) != NULL) {
		if (fscanf(f, "%d", &p) != 1)
			p = 0;
		fclose(f);
	}
	sh("postfix -c %s/etc stop >/dev/null 2>&1", pfdir);
	for (i = 0; p > 0 && i < 50 && kill(p, 0) == 0; i++)
		msleep(100);
	if (p > 0)
		kill(p, SIGKILL);
	pfdir[0] = '\0';
}

static void
stop_all(void)
{
	int i;

	for (i = 0; i < MAXPIDS; i++)
		if (pids[i] > 0)
			stop_pid(pids[i]);
	postfix_stop();
}

/* Start a child running argv; remember its pid. */
static pid_t
spawn(char *const argv[])
{
	pid_t p;
	int i;

	if ((p = fork()) == 0) {
		int fd = open("/dev/null", O_RDWR);

		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	for (i = 0; i < MAXPIDS; i++)
		if (pids[i] == 0) {
			pids[i] = p;
			break;
		}
	return p;
}

/* testsmtp.py --mode MODE [args...]; port 0: any, written to a file. */
static pid_t
peer_start(const char *mode, uint16_t port, uint16_t *port_out, ...)
{
	static int seq;
	char script[PATH_MAX + 32], pf[PATH_MAX + 32], portbuf[8];
	char *argv[32];
	const char *a;
	va_list ap;
	int n = 0, i;
	pid_t p;
	FILE *f;
	unsigned v = 0;

	snprintf(script, sizeof(script), "%s/tests/lib/testsmtp.py", root);
	snprintf(pf, sizeof(pf), "%s/port.%d", tmp, ++seq);
	snprintf(portbuf, sizeof(portbuf), "%u", (unsigned)port);
	unlink(pf);
	argv[n++] = "python3";
	argv[n++] = script;
	argv[n++] = "--mode";
	argv[n++] = (char *)mode;
	argv[n++] = "--port";
	argv[n++] = portbuf;
	argv[n++] = "--port-file";
	argv[n++] = pf;
	va_start(ap, port_out);
	while ((a = va_arg(ap, const char *)) != NULL && n < 30)
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	p = spawn(argv);
	for (i = 0; i < 100; i++) {
		if ((f = fopen(pf, "r")) != NULL) {
			if (fscanf(f, "%u", &v) == 1)
				break;
			fclose(f);
			f = NULL;
		}
		msleep(50);
	}
	if (f != NULL)
		fclose(f);
	assert_true(v > 0 && v < 65536);
	*port_out = (uint16_t)v;
	return p;
}

/* A loopback port with nothing listening (for "connection refused"). */
static uint16_t
closed_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	getsockname(fd, (struct sockaddr *)&sin, &len);
	close(fd);
	return ntohs(sin.sin_port);
}

static void
tc_reset(void)
{
	memset(&tc, 0, sizeof(tc));
	tc.c.pools = tc.pools;
}

static struct conf_pool *
tc_pool(const char *name, enum conf_probe_type type, uint16_t port)
{
	size_t i = tc.c.npools++;
	struct conf_pool *p = &tc.pools[i];
	struct conf_server *s = &tc.servers[i];
	struct conf_ip *ip = &tc.ips[i];

	assert_true(i < MAXPOOLS);
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->probe.type = type;
	p->probe.port = port;
	p->probe.interval = 1.0;
	p->probe.timeout = 0.5;
	p->probe.rise = 1;
	p->probe.fall = 2;
	p->load_smoothing = 1.0;
	p->load_low = 50;
	p->load_high = 95;
	p->slowstart = 0;
	p->servers = s;
	p->nservers = 1;
	snprintf(s->name, sizeof(s->name), "%s-mx", name);
	s->weight = 10;
	s->addrs = ip;
	s->naddrs = 1;
	ip->family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", &ip->u.v4);
	snprintf(ip->text, sizeof(ip->text), "127.0.0.1");
	return p;
}

static size_t
pool_idx(const char *name)
{
	size_t i;

	for (i = 0; i < tc.c.npools; i++)
		if (strcmp(tc.pools[i].name, name) == 0)
			return i;
	fail_msg("no pool %s", name);
	return 0;
}

static struct pstate_server
snap(size_t pool)
{
	struct pstate_server s;
	const struct pstate *ps;

	memset(&s, 0, sizeof(s));
	rcu_read_lock();
	ps = pstate_get();
	if (ps != NULL && pool < ps->npools)
		s = ps->pools[pool].servers[0];
	rcu_read_unlock();
	return s;
}

/* The last health result of a pool's server, false when none yet. */
static bool
last_result(size_t pool, struct probe_result *r)
{
	struct probe_result h[PROBE_HISTORY];
	size_t n = probe_history(pool, 0, h, PROBE_HISTORY);

	if (n == 0)
		return false;
	*r = h[n - 1];
	return true;
}

/* Proven up: state up and at least 2 checks, the last one ok. */
static bool
is_up(size_t pool)
{
	struct probe_result h[PROBE_HISTORY];
	size_t n = probe_history(pool, 0, h, PROBE_HISTORY);

	return snap(pool).up && n >= 2 && h[n - 1].ok;
}

static bool
is_down(size_t pool)
{
	return !snap(pool).up;
}

static bool
wait_until(bool (*pred)(size_t), size_t pool, double secs)
{
	double end = now_s() + secs;

	while (now_s() < end) {
		if (pred(pool))
			return true;
		msleep(20);
	}
	return pred(pool);
}

static void
expect_down(const char *pool, const char *reason)
{
	size_t i = pool_idx(pool);
	struct pstate_server s;

	if (!wait_until(is_down, i, 8.0))
		fail_msg("pool %s: still up (reason \"%s\")", pool, snap(i).reason);
	s = snap(i);
	if (strstr(s.reason, reason) == NULL)
		fail_msg("pool %s: reason \"%s\", want \"%s\"", pool, s.reason, reason);
	printf("ok: %s down: %s\n", pool, s.reason);
}

static void
expect_up(const char *pool)
{
	size_t i = pool_idx(pool);
	struct probe_result r;

	if (!wait_until(is_up, i, 8.0)) {
		memset(&r, 0, sizeof(r));
		last_result(i, &r);
		fail_msg("pool %s: not proven up (last: ok=%d \"%s\", state reason \"%s\")",
		    pool, r.ok, r.reason, snap(i).reason);
	}
	printf("ok: %s up\n", pool);
}

/* test_local_shortage's lowered limit, restored even when it fails. */
static struct rlimit nofile_saved;
static bool nofile_lowered;

static int
teardown(void **state)
{
	if (nofile_lowered && setrlimit(RLIMIT_NOFILE, &nofile_saved) == 0)
		nofile_lowered = false;
	probe_engine_stop();
	stop_all();
	return 0;
}

/* ------------------------------------------------------------ tests */

static void
test_smtp_modes(void **state)
{
	static const char *modes[] = { "normal", "greet421", "greet554", "slow",
	    "reset", "silent", "ehlo-reject" };
	char cert[PATH_MAX + 32], key[PATH_MAX + 32], xcert[PATH_MAX + 32],
	    xkey[PATH_MAX + 32];
	uint16_t port;
	size_t i;
	struct conf_pool *p;

	tc_reset();
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		peer_start(modes[i], 0, &port, "--delay", "5", NULL);
		tc_pool(modes[i], CONF_PROBE_SMTP, port);
	}
	tc_pool("refused", CONF_PROBE_SMTP, closed_port());
	/* IPv6 only server: the probe uses its (first) address */
	peer_start("normal", 0, &port, "--addr", "::1", NULL);
	p = tc_pool("v6", CONF_PROBE_SMTP, port);
	p->servers[0].addrs->family = AF_INET6;
	inet_pton(AF_INET6, "::1", &p->servers[0].addrs->u.v6);
	snprintf(p->servers[0].addrs->text, sizeof(p->servers[0].addrs->text), "::1");
	/* starttls_required against a server that does not offer it */
	p = tc_pool("notls", CONF_PROBE_SMTP, tc.pools[0].probe.port);
	p->probe.starttls_required = true;

	assert_int_equal(sh("sh %s/tests/lib/mkcerts.sh %s/certs", root, tmp), 0);
	snprintf(cert, sizeof(cert), "%s/certs/selfsigned.crt", tmp);
	snprintf(key, sizeof(key), "%s/certs/selfsigned.key", tmp);
	snprintf(xcert, sizeof(xcert), "%s/certs/expired.crt", tmp);
	snprintf(xkey, sizeof(xkey), "%s/certs/expired.key", tmp);
	peer_start("tls", 0, &port, "--cert", cert, "--key", key, NULL);
	p = tc_pool("tls-untrusted", CONF_PROBE_SMTP, port);
	p->probe.starttls = true;
	p->probe.ca_file = NULL;		/* system store: does not know it */
	p = tc_pool("tls-trusted", CONF_PROBE_SMTP, port);
	p->probe.starttls = true;
	p->probe.starttls_required = true;
	p->probe.ca_file = cert;
	p->probe.tls_hostname = "localhost";
	p = tc_pool("tls-wrongname", CONF_PROBE_SMTP, port);
	p->probe.starttls = true;
	p->probe.ca_file = cert;
	p->probe.tls_hostname = "mx.example.net";
	peer_start("tls", 0, &port, "--cert", xcert, "--key", xkey, NULL);
	p = tc_pool("tls-expired", CONF_PROBE_SMTP, port);
	p->probe.starttls = true;
	p->probe.ca_file = xcert;
	p->probe.tls_hostname = "localhost";

	assert_int_equal(probe_engine_start(&tc.c), 0);
	expect_up("normal");
	expect_up("v6");
	expect_down("greet421", "greeting 421: 4.3.2");
	expect_down("greet554", "greeting 554");
	expect_down("slow", "timeout after 0.50s waiting for greeting");
	expect_down("reset", "connection reset");
	expect_down("silent", "timeout after 0.50s waiting for greeting");
	expect_down("ehlo-reject", "EHLO rejected 550");
	expect_down("refused", "connection refused");
	expect_down("notls", "STARTTLS not offered");
	expect_down("tls-untrusted", "certificate verify failed: self-signed");
	expect_up("tls-trusted");
	assert_in_range(snap(pool_idx("tls-trusted")).cert_days, 28, 30);
	expect_down("tls-wrongname", "certificate verify failed: hostname mismatch");
	expect_down("tls-expired", "certificate expired 3 days ago");
	assert_int_equal(snap(pool_idx("tls-expired")).cert_days, -3);
	/* reasons are in the history too, with latencies */
	{
		struct probe_result r;

		assert_true(last_result(pool_idx("greet421"), &r));
		assert_false(r.ok);
		assert_non_null(strstr(r.reason, "greeting 421"));
		assert_true(last_result(pool_idx("normal"), &r));
		assert_true(r.ok && r.latency_us > 0 && r.latency_us < 500000);
	}
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static bool
factor_is(size_t pool, double want)
{
	return fabs(snap(pool).load_factor - want) < 0.01;
}

static double want_factor;
static bool
factor_pred(size_t pool)
{
	return factor_is(pool, want_factor);
}

static uint8_t want_admin;
static bool
agent_admin_pred(size_t pool)
{
	return snap(pool).agent_admin == want_admin;
}

static void
test_load(void **state)
{
	char agentf[PATH_MAX + 32], jsonf[PATH_MAX + 32], promf[PATH_MAX + 32],
	    pctf[PATH_MAX + 32];
	uint16_t aport, jport, pport, cport, sport;
	struct conf_pool *p;
	size_t ia, ij, ip, ic, is, i503;

	snprintf(agentf, sizeof(agentf), "%s/agent.txt", tmp);
	snprintf(jsonf, sizeof(jsonf), "%s/load.json", tmp);
	snprintf(promf, sizeof(promf), "%s/metrics.txt", tmp);
	snprintf(pctf, sizeof(pctf), "%s/pct.txt", tmp);
	write_file(agentf, "75%\n");
	write_file(jsonf, "{\"host\": {\"load\": [10, 80]}, \"a/b\": 5}\n");
	write_file(promf, "# HELP mx_load load\n# TYPE mx_load gauge\n"
	    "mx_load_total 99\nmx_load{instance=\"a\"} 70\n");
	write_file(pctf, "60%\n");
	tc_reset();
	peer_start("agent", 0, &aport, "--reply-file", agentf, NULL);
	peer_start("http", 0, &jport, "--reply-file", jsonf,
	    "--content-type", "application/json", NULL);
	peer_start("http", 0, &pport, "--reply-file", promf, NULL);
	peer_start("http", 0, &cport, "--reply-file", pctf, NULL);
	peer_start("http", 0, &sport, "--reply-file", pctf, "--status", "503", NULL);
	/* health tcp + load agent */
	p = tc_pool("agent", CONF_PROBE_TCP, aport);
	p->has_load = true;
	p->load = p->probe;
	p->load.type = CONF_PROBE_AGENT;
	p = tc_pool("json", CONF_PROBE_HTTP, jport);
	p->probe.url = "http://{addr}:{port}/load?name={name}";
	p->probe.load_format = CONF_LOAD_JSON;
	p->probe.load_key = "/host/load/1";
	p = tc_pool("prom", CONF_PROBE_HTTP, pport);
	p->probe.load_format = CONF_LOAD_PROMETHEUS;
	p->probe.load_key = "mx_load";
	p = tc_pool("pct", CONF_PROBE_HTTP, cport);
	p->probe.load_format = CONF_LOAD_PERCENT;
	p = tc_pool("http503", CONF_PROBE_HTTP, sport);
	p = tc_pool("http-refused", CONF_PROBE_HTTP, closed_port());
	p = tc_pool("http-v6", CONF_PROBE_HTTP, closed_port());
	p->probe.url = "http://{addr}:{port}/";
	p->servers[0].addrs->family = AF_INET6;
	inet_pton(AF_INET6, "::1", &p->servers[0].addrs->u.v6);
	snprintf(p->servers[0].addrs->text, sizeof(p->servers[0].addrs->text), "::1");
	ia = pool_idx("agent");
	ij = pool_idx("json");
	ip = pool_idx("prom");
	ic = pool_idx("pct");
	is = pool_idx("http503");
	i503 = is;

	assert_int_equal(probe_engine_start(&tc.c), 0);
	want_factor = (95.0 - 75) / 45;
	assert_true(wait_until(factor_pred, ia, 8));
	assert_true(fabs(snap(ia).load - 75) < 0.01);
	assert_true(snap(ia).eff_weight < 10 * want_factor + 0.01);
	want_factor = (95.0 - 80) / 45;
	assert_true(wait_until(factor_pred, ij, 8));
	want_factor = (95.0 - 70) / 45;
	assert_true(wait_until(factor_pred, ip, 8));
	want_factor = (95.0 - 60) / 45;
	assert_true(wait_until(factor_pred, ic, 8));
	expect_down("http503", "HTTP status 503");
	expect_down("http-refused", "connection refused");
	expect_down("http-v6", "connection refused");
	(void)i503;
	expect_up("json");

	/* the agent drains, comes back ready, then says down */
	write_file(agentf, "drain 30%\n");
	want_admin = PSTATE_ADMIN_DRAIN;
	assert_true(wait_until(agent_admin_pred, ia, 8));
	assert_true(snap(ia).eff_weight == 0);
	want_factor = 1.0;
	assert_true(wait_until(factor_pred, ia, 8));
	write_file(agentf, "UP, ready\n");
	want_admin = PSTATE_ADMIN_ENABLED;
	assert_true(wait_until(agent_admin_pred, ia, 8));
	write_file(agentf, "maint\n");
	want_admin = PSTATE_ADMIN_MAINT;
	assert_true(wait_until(agent_admin_pred, ia, 8));
	write_file(agentf, "down # disk full\n");
	expect_down("agent", "agent says down: disk full");
	write_file(agentf, "up\n");
	assert_true(wait_until(is_up, ia, 8));
}

/* A server's probe target: ip (text) as its probe_address. */
static void
tc_probe_addr(struct conf_pool *p, const char *addr, const char *probe_addr,
    uint16_t probe_port)
{
	struct conf_server *s = &p->servers[0];

	inet_pton(AF_INET, addr, &s->addrs->u.v4);
	snprintf(s->addrs->text, sizeof(s->addrs->text), "%s", addr);
	s->probe_addr.family = AF_INET;
	inet_pton(AF_INET, probe_addr, &s->probe_addr.u.v4);
	snprintf(s->probe_addr.text, sizeof(s->probe_addr.text), "%s",
	    probe_addr);
	s->probe_port = probe_port;
}

/*
 * probe_address and probe_port: the health probe goes to probe_address on
 * probe_port (nothing listens at the answered address, nor on the pool's
 * port), an http url's {addr} and {port} are those; the load probe goes to
 * probe_address on the load's own port, never probe_port (the agent there
 * says 40%, the one on probe_port 75%); a dead probe address is down even
 * with a listener at the answered address.
 */
static void
test_probe_target(void **state)
{
	char af[PATH_MAX + 32], bf[PATH_MAX + 32];
	uint16_t pa, pb, ph;
	struct conf_pool *p;
	size_t i;

	(void)state;
	snprintf(af, sizeof(af), "%s/paddr-a.txt", tmp);
	snprintf(bf, sizeof(bf), "%s/paddr-b.txt", tmp);
	write_file(af, "75%\n");
	write_file(bf, "40%\n");
	tc_reset();
	peer_start("agent", 0, &pa, "--reply-file", af, NULL);
	peer_start("agent", 0, &pb, "--reply-file", bf, NULL);
	peer_start("http", 0, &ph, "--reply-file", bf, NULL);
	p = tc_pool("paddr", CONF_PROBE_TCP, closed_port());
	p->has_load = true;
	p->load = p->probe;
	p->load.type = CONF_PROBE_AGENT;
	p->load.port = pb;
	tc_probe_addr(p, "127.0.0.41", "127.0.0.1", pa);
	p = tc_pool("paddr-http", CONF_PROBE_HTTP, closed_port());
	p->probe.url = "http://{addr}:{port}/";
	p->probe.load_format = CONF_LOAD_PERCENT;
	tc_probe_addr(p, "127.0.0.43", "127.0.0.1", ph);
	p = tc_pool("paddr-dead", CONF_PROBE_TCP, pa);
	tc_probe_addr(p, "127.0.0.1", "127.0.0.42", 0);

	assert_int_equal(probe_engine_start(&tc.c), 0);
	expect_up("paddr");
	i = pool_idx("paddr");
	want_factor = 1.0;
	assert_true(wait_until(factor_pred, i, 8));
	if (fabs(snap(i).load - 40) > 0.01)
		fail_msg("paddr: load %g, want 40 (the load port's agent)",
		    snap(i).load);
	expect_up("paddr-http");
	if (fabs(snap(pool_idx("paddr-http")).load - 40) > 0.01)
		fail_msg("paddr-http: load %g, want 40",
		    snap(pool_idx("paddr-http")).load);
	expect_down("paddr-dead", "connection refused");
}

static void tc_tlsa(struct conf_pool *p, uint8_t u, uint8_t sel, uint8_t mt,
    const char *pem);
static void expect_dane(const char *pool, enum pstate_dane st,
    const char *text);

static void
test_postfix(void **state)
{
	char cert[PATH_MAX + 32], key[PATH_MAX + 32];
	uint16_t sinkp, pfp, pfproxy;
	char sinkaddr[64];
	struct conf_pool *p;
	char *argv[] = { "smtp-sink", "-u", "postfix", "-c", sinkaddr, "100", NULL };

	if (access("/usr/sbin/smtp-sink", X_OK) != 0 ||
	    access("/usr/sbin/postfix", X_OK) != 0)
		skip();
	tc_reset();
	sinkp = closed_port();
	snprintf(sinkaddr, sizeof(sinkaddr), "127.0.0.1:%u", (unsigned)sinkp);
	spawn(argv);
	p = tc_pool("sink", CONF_PROBE_SMTP, sinkp);

	/* real smtpd: plain, with STARTTLS (our self-signed cert), and one
	 * expecting a PROXY header */
	assert_int_equal(sh("sh %s/tests/lib/mkcerts.sh %s/pfcerts", root, tmp), 0);
	snprintf(cert, sizeof(cert), "%s/pfcerts/selfsigned.crt", tmp);
	snprintf(key, sizeof(key), "%s/pfcerts/selfsigned.key", tmp);
	pfp = closed_port();
	pfproxy = closed_port();
	snprintf(pfdir, sizeof(pfdir), "%s/pf", tmp);
	if (sh("MXS_ROOT=%s && . %s/tests/lib/postfix.sh && pf_create %s probe && "
	    "pf_conf %s 'smtpd_tls_security_level = may' && "
	    "pf_conf %s 'smtpd_tls_cert_file = %s' && "
	    "pf_conf %s 'smtpd_tls_key_file = %s' && "
	    "pf_service %s 127.0.0.1:%u && "
	    "pf_service %s 127.0.0.1:%u -o smtpd_upstream_proxy_protocol=haproxy && "
	    "pf_start %s", root, root, pfdir, pfdir, pfdir, cert, pfdir, key,
	    pfdir, (unsigned)pfp, pfdir, (unsigned)pfproxy, pfdir) != 0) {
		postfix_stop();
		fail_msg("cannot start a private Postfix");
	}
	p = tc_pool("postfix", CONF_PROBE_SMTP, pfp);
	p = tc_pool("postfix-tls", CONF_PROBE_SMTP, pfp);
	p->probe.starttls = true;
	p->probe.starttls_required = true;
	p->probe.ca_file = cert;
	p->probe.tls_hostname = "localhost";
	/* DANE-EE against real smtpd: its self-signed certificate, no CA */
	p = tc_pool("postfix-dane", CONF_PROBE_SMTP, pfp);
	p->dane = CONF_DANE_REQUIRE;
	p->servers[0].tlsa_host = "localhost.";
	tc_tlsa(p, 3, 1, 1, cert);
	p = tc_pool("postfix-proxy1", CONF_PROBE_SMTP, pfproxy);
	p->probe.proxy_protocol = CONF_PROXY_V1;
	p = tc_pool("postfix-proxy2", CONF_PROBE_SMTP, pfproxy);
	p->probe.proxy_protocol = CONF_PROXY_V2;
	p = tc_pool("postfix-noproxy", CONF_PROBE_SMTP, pfproxy);
	p->probe.timeout = 0.9;
	p->probe.interval = 2;

	assert_int_equal(probe_engine_start(&tc.c), 0);
	expect_up("sink");
	expect_up("postfix");
	expect_up("postfix-tls");
	assert_in_range(snap(pool_idx("postfix-tls")).cert_days, 28, 30);
	expect_up("postfix-dane");
	expect_dane("postfix-dane", PSTATE_DANE_MATCH, "3 1 1 ");
	expect_up("postfix-proxy1");
	expect_up("postfix-proxy2");
	/* without the header that smtpd waits (and then hangs up) */
	expect_down("postfix-noproxy", "timeout after 0.90s waiting for greeting");
}

static bool
ss_done(size_t pool)
{
	return snap(pool).slowstart_factor >= 1.0;
}

static void
test_timing(void **state)
{
	uint16_t port, p2;
	struct conf_pool *p;
	size_t i;
	pid_t peer;
	double t0, dt, bound;
	struct pstate_server s;

	tc_reset();
	peer = peer_start("normal", 0, &port, NULL);
	p = tc_pool("timing", CONF_PROBE_SMTP, port);
	p->probe.interval = 0.5;
	p->probe.timeout = 0.3;
	p->probe.fall = 3;
	p->probe.rise = 2;
	p->slowstart = 2.0;
	i = pool_idx("timing");
	assert_int_equal(probe_engine_start(&tc.c), 0);
	assert_true(wait_until(is_up, i, 5));

	stop_pid(peer);
	t0 = now_s();
	bound = 0.5 * 3 + 0.3 + 0.5;
	assert_true(wait_until(is_down, i, bound + 2));
	dt = now_s() - t0;
	printf("ok: down after %.2fs (bound %.2fs): %s\n", dt, bound, snap(i).reason);
	assert_true(dt <= bound);
	assert_int_equal(snap(i).eff_weight, 0);

	peer = peer_start("normal", port, &p2, NULL);
	assert_int_equal(p2, port);
	t0 = now_s();
	bound = 0.5 * 2 + 0.5;
	while (!snap(i).up && now_s() - t0 < bound + 2)
		msleep(10);
	dt = now_s() - t0;
	s = snap(i);
	printf("ok: up after %.2fs (bound %.2fs), slow start %.2f\n", dt, bound,
	    s.slowstart_factor);
	assert_true(s.up);
	assert_true(dt <= bound);
	assert_true(s.slowstart_factor >= 0.1 && s.slowstart_factor < 0.5);
	assert_true(s.eff_weight < 10 * 0.5);
	assert_int_equal(s.transitions, 2);
	assert_true(wait_until(ss_done, i, 4));
	assert_true(snap(i).eff_weight == 10);

	/* operator admin state: published before probe_set_admin returns */
	assert_int_equal(probe_set_admin(i, 0, PSTATE_ADMIN_DRAIN), 0);
	s = snap(i);
	assert_int_equal(s.admin, PSTATE_ADMIN_DRAIN);
	assert_true(s.eff_weight == 0);
	assert_int_equal(probe_set_admin(i, 0, PSTATE_ADMIN_ENABLED), 0);
	assert_true(snap(i).eff_weight == 10);
	assert_int_equal(probe_set_admin(i, 5, PSTATE_ADMIN_DRAIN), -1);
	assert_int_equal(probe_set_admin(7, 0, PSTATE_ADMIN_DRAIN), -1);
	{
		struct probe_counters c;

		probe_get_counters(i, 0, &c);
		assert_true(c.ok >= 4);
		assert_true(c.failed >= 3);
		assert_int_equal(c.skipped, 0);
	}
}

/* A round still running when the next is due is skipped and counted: a
 * silent server holds every attempt for the whole timeout (0.19 s) while
 * rounds come every 0.2 s +-10%. */
static void
test_skip(void **state)
{
	uint16_t port;
	struct conf_pool *p;
	struct probe_counters c, t;
	size_t i;

	tc_reset();
	peer_start("silent", 0, &port, NULL);
	p = tc_pool("skip", CONF_PROBE_SMTP, port);
	p->probe.interval = 0.2;
	p->probe.timeout = 0.19;
	i = pool_idx("skip");
	assert_int_equal(probe_engine_start(&tc.c), 0);
	msleep(3000);
	probe_get_counters(i, 0, &c);
	probe_get_totals(&t);
	printf("ok: failed %llu skipped %llu late %llu\n",
	    (unsigned long long)c.failed, (unsigned long long)c.skipped,
	    (unsigned long long)c.late);
	assert_true(c.skipped > 0);
	assert_true(c.failed > 5);
	assert_true(c.failed + c.skipped >= 10 && c.failed + c.skipped <= 18);
	/* read one after the other: a round may finish in between */
	assert_true(t.skipped >= c.skipped && t.skipped <= c.skipped + 1);
	assert_true(t.failed >= c.failed && t.failed <= c.failed + 1);
	assert_true(probe_engine_tid() > 0);
}

/* A reload (stop + start with a new conf) keeps the state of servers whose
 * pool and server names match: no all-up flash, history kept. */
static void
test_reload(void **state)
{
	uint16_t port;
	size_t iu, id;
	struct probe_result h[PROBE_HISTORY];
	size_t n0, n1;
	struct pstate_server s;

	tc_reset();
	peer_start("normal", 0, &port, NULL);
	tc_pool("rl-up", CONF_PROBE_TCP, port);
	tc_pool("rl-dead", CONF_PROBE_TCP, closed_port());
	iu = pool_idx("rl-up");
	id = pool_idx("rl-dead");
	assert_int_equal(probe_engine_start(&tc.c), 0);
	assert_true(wait_until(is_up, iu, 5));
	assert_true(wait_until(is_down, id, 5));
	assert_int_equal(probe_set_admin(iu, 0, PSTATE_ADMIN_DRAIN), 0);
	n0 = probe_history(id, 0, h, PROBE_HISTORY);
	probe_engine_stop();
	/* the "new" config lists the pools the other way round */
	tc.pools[2] = tc.pools[0];
	tc.pools[0] = tc.pools[1];
	tc.pools[1] = tc.pools[2];
	tc.c.npools = 2;
	assert_int_equal(probe_engine_start(&tc.c), 0);
	s = snap(0);
	assert_false(s.up);
	assert_non_null(strstr(s.reason, "connection refused"));
	n1 = probe_history(0, 0, h, PROBE_HISTORY);
	assert_true(n1 >= n0 && n0 > 0);
	s = snap(1);
	assert_true(s.up);
	assert_int_equal(s.admin, PSTATE_ADMIN_DRAIN);
	assert_true(s.eff_weight == 0);
}

/* Descriptors run out in this process (RLIMIT_NOFILE lowered to the
 * lowest free descriptor, as when something else holds all of them):
 * every probe type fails with EMFILE, which says nothing about the
 * servers. They stay up with no reason set, nothing enters their history
 * or their ok/failed counts, and the attempts are counted as local. */
static void
test_local_shortage(void **state)
{
	static const char *const names[] = { "loc-smtp", "loc-tcp", "loc-http",
	    "loc-agent" };
	enum { NP = 4 };
	struct probe_counters c0[NP], c1[NP], t;
	struct probe_result h[PROBE_HISTORY];
	size_t n0[NP], i;
	uint16_t sport, hport, aport;
	struct conf_pool *p;
	struct rlimit low;
	int fd;

	tc_reset();
	peer_start("normal", 0, &sport, NULL);
	peer_start("http", 0, &hport, NULL);
	peer_start("agent", 0, &aport, "--line", "up", NULL);
	tc_pool("loc-smtp", CONF_PROBE_SMTP, sport);
	tc_pool("loc-tcp", CONF_PROBE_TCP, sport);
	tc_pool("loc-http", CONF_PROBE_HTTP, hport);
	tc_pool("loc-agent", CONF_PROBE_AGENT, aport);
	for (i = 0; i < NP; i++) {
		p = &tc.pools[pool_idx(names[i])];
		p->probe.interval = 0.2;
		p->probe.fall = 1;
	}
	assert_int_equal(probe_engine_start(&tc.c), 0);
	for (i = 0; i < NP; i++)
		expect_up(names[i]);

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &nofile_saved), 0);
	for (i = 0; i < NP; i++) {
		probe_get_counters(pool_idx(names[i]), 0, &c0[i]);
		n0[i] = probe_history(pool_idx(names[i]), 0, h, PROBE_HISTORY);
	}
	assert_true((fd = dup(0)) >= 0);
	close(fd);
	low = nofile_saved;
	low.rlim_cur = (rlim_t)fd;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	nofile_lowered = true;
	msleep(2000);				/* about 10 rounds each */
	for (i = 0; i < NP; i++) {
		size_t k = pool_idx(names[i]);

		probe_get_counters(k, 0, &c1[i]);
		assert_true(snap(k).up);
		assert_string_equal(snap(k).reason, "");
		assert_true(c1[i].failed == c0[i].failed);
		assert_true(c1[i].local >= c0[i].local + 3);
	}
	probe_get_totals(&t);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &nofile_saved), 0);
	nofile_lowered = false;
	for (i = 0; i < NP; i++) {
		size_t k = pool_idx(names[i]);

		/* at most the one round that ended just before the limit */
		assert_true(probe_history(k, 0, h, PROBE_HISTORY) <= n0[i] + 1);
		printf("ok: %s kept up through %" PRIu64 " local failures\n",
		    names[i], c1[i].local - c0[i].local);
	}
	assert_true(t.local >= 4 * 3);
	/* descriptors back: real checks again */
	for (i = 0; i < NP; i++) {
		size_t k = pool_idx(names[i]);
		struct probe_counters c;
		double end = now_s() + 5;

		do {
			msleep(50);
			probe_get_counters(k, 0, &c);
		} while (c.ok <= c1[i].ok && now_s() < end);
		assert_true(c.ok > c1[i].ok && snap(k).up);
	}
}

/* ------------------------------------------------------------ DANE */

/* The certificate association data of a PEM certificate file for a
 * selector (0 certificate, 1 SubjectPublicKeyInfo) and matching type
 * (0 as is, 1 SHA-256, 2 SHA-512), computed here, not by the probe. */
static size_t
cert_assoc(const char *pem, uint8_t sel, uint8_t mt, uint8_t *out,
    size_t size)
{
	unsigned char *der = NULL;
	unsigned int olen = 0;
	X509 *x;
	FILE *f;
	int n;

	assert_non_null(f = fopen(pem, "r"));
	assert_non_null(x = PEM_read_X509(f, NULL, NULL, NULL));
	fclose(f);
	n = sel == 0 ? i2d_X509(x, &der) :
	    i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
	X509_free(x);
	assert_true(n > 0);
	if (mt == 0) {
		assert_true((size_t)n <= size);
		memcpy(out, der, (size_t)n);
		olen = (unsigned)n;
	} else
		assert_int_equal(EVP_Digest(der, (size_t)n, out, &olen,
		    mt == 1 ? EVP_sha256() : EVP_sha512(), NULL), 1);
	OPENSSL_free(der);
	return olen;
}

/* Add one TLSA record to pool p's server: u s m and the data of pem (NULL:
 * 32 bytes of 0x5a). */
static void
tc_tlsa(struct conf_pool *p, uint8_t u, uint8_t sel, uint8_t mt,
    const char *pem)
{
	size_t i = (size_t)(p - tc.pools), dl;
	struct conf_server *s = p->servers;
	uint8_t data[1600], *rd;

	if (pem != NULL)
		dl = cert_assoc(pem, sel, mt, data, sizeof(data));
	else {
		dl = 32;
		memset(data, 0x5a, dl);
	}
	assert_true(s->tlsa_len + 2 + 3 + dl <= sizeof(tc.tlsa[i]));
	s->tlsa = tc.tlsa[i];
	rd = s->tlsa + s->tlsa_len;
	rd[0] = (uint8_t)((3 + dl) >> 8);
	rd[1] = (uint8_t)(3 + dl);
	rd[2] = u;
	rd[3] = sel;
	rd[4] = mt;
	memcpy(rd + 5, data, dl);
	s->tlsa_len += 2 + 3 + dl;
	s->tlsa_count++;
}

/* An smtp pool with DANE mode dane against port; the TLSA base domain
 * mx1.dane.test (the certificates' name), the zone signed. */
static struct conf_pool *
tc_dane(const char *name, uint16_t port, enum conf_dane dane)
{
	struct conf_pool *p = tc_pool(name, CONF_PROBE_SMTP, port);

	p->dane = dane;
	p->probe.timeout = 0.9;
	p->servers[0].tlsa_host = "mx1.dane.test.";
	p->servers[0].tlsa_signed = true;
	return p;
}

/* The first 8 hex digits of cert data, as the probe's reasons print them. */
static const char *
hex8(const char *pem, uint8_t sel, uint8_t mt, char *buf)
{
	uint8_t d[1600];

	cert_assoc(pem, sel, mt, d, sizeof(d));
	snprintf(buf, 16, "%02x%02x%02x%02x", d[0], d[1], d[2], d[3]);
	return buf;
}

static enum pstate_dane want_dane;

static bool
dane_pred(size_t pool)
{
	return snap(pool).dane_state == want_dane;
}

/* pool's DANE state becomes st (within 8 s); its match or reason holds
 * text (NULL: not looked at). */
static void
expect_dane(const char *pool, enum pstate_dane st, const char *text)
{
	size_t i = pool_idx(pool);
	struct pstate_server s;

	want_dane = st;
	if (!wait_until(dane_pred, i, 8.0))
		fail_msg("pool %s: DANE state %s, want %s (reason \"%s\")", pool,
		    pstate_dane_name(snap(i).dane_state), pstate_dane_name(st),
		    snap(i).dane_reason);
	s = snap(i);
	if (text != NULL && strstr(s.dane_match, text) == NULL &&
	    strstr(s.dane_reason, text) == NULL)
		fail_msg("pool %s: DANE %s, match \"%s\" reason \"%s\", want "
		    "\"%s\"", pool, pstate_dane_name(st), s.dane_match,
		    s.dane_reason, text);
	printf("ok: %s DANE %s %s%s\n", pool, pstate_dane_name(st),
	    s.dane_match, s.dane_reason);
}

/*
 * The smtp probe judging certificates by TLSA records (RFC 7672) against
 * testsmtp.py with real TLS: DANE-EE 3 1 1 / 3 0 1 / 3 1 2 / 3 0 0 of a
 * self-signed certificate (no CA store: the TLSA decides), DANE-EE on an
 * expired certificate of another name (neither checked, 3.1.1), DANE-TA
 * 2 0 1 / 2 1 1 of a CA in the chain, the chain cut short and the wrong
 * name (DANE-TA checks both); a mismatch under check (eligible, counted)
 * and require (down, "DANE mismatch: presented ..., published ..."), no
 * STARTTLS both ways, garbage instead of a handshake, usages 0/1 only
 * (ignored: "no TLSA", PKIX as before), no records (PKIX unchanged), the
 * auto mode, and smtp_tlsa_fetch (mxspread tlsa).
 */
static void
test_dane(void **state)
{
	char d[PATH_MAX], ee[PATH_MAX + 32], eek[PATH_MAX + 32],
	    oth[PATH_MAX + 32], othk[PATH_MAX + 32], ca[PATH_MAX + 32],
	    chain[PATH_MAX + 32], leaf[PATH_MAX + 32], leafk[PATH_MAX + 32],
	    xp[PATH_MAX + 32], xpk[PATH_MAX + 32], want[160], a[16], b[16],
	    err[128];
	uint16_t pee, poth, pxp, pchain, pleaf, pplain, pgarb;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct conf_probe cp;
	struct conf_pool *p;
	struct probe_counters cnt;
	uint8_t spki[32], want_spki[32];
	const char *ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
	    "-nodes -days 30";

	(void)state;
	snprintf(d, sizeof(d), "%s/dane", tmp);
	assert_int_equal(sh("sh %s/tests/lib/mkcerts.sh %s/certs >/dev/null",
	    root, d), 0);
	assert_int_equal(sh("(cd %s && "
	    "openssl req -x509 %s -keyout ee.key -out ee.crt -subj "
	    "/CN=mx1.dane.test -addext subjectAltName=DNS:mx1.dane.test && "
	    "openssl req -x509 %s -keyout other.key -out other.crt -subj "
	    "/CN=mx1.dane.test -addext subjectAltName=DNS:mx1.dane.test && "
	    "openssl req -x509 %s -keyout ca.key -out ca.crt -subj "
	    "'/CN=DANE test CA' -addext basicConstraints=critical,CA:TRUE "
	    "-addext keyUsage=critical,keyCertSign,cRLSign && "
	    "openssl req -new %s -keyout leaf.key -out leaf.csr -subj "
	    "/CN=mx1.dane.test && "
	    "printf 'subjectAltName=DNS:mx1.dane.test\\nbasicConstraints="
	    "CA:FALSE\\n' > leaf.ext && "
	    "openssl x509 -req -in leaf.csr -CA ca.crt -CAkey ca.key "
	    "-CAcreateserial -days 30 -extfile leaf.ext -out leaf.crt && "
	    "cat leaf.crt ca.crt > chain.crt) >/dev/null 2>&1", d, ec, ec, ec,
	    ec), 0);
	snprintf(ee, sizeof(ee), "%s/ee.crt", d);
	snprintf(eek, sizeof(eek), "%s/ee.key", d);
	snprintf(oth, sizeof(oth), "%s/other.crt", d);
	snprintf(othk, sizeof(othk), "%s/other.key", d);
	snprintf(ca, sizeof(ca), "%s/ca.crt", d);
	snprintf(chain, sizeof(chain), "%s/chain.crt", d);
	snprintf(leaf, sizeof(leaf), "%s/leaf.crt", d);
	snprintf(leafk, sizeof(leafk), "%s/leaf.key", d);
	snprintf(xp, sizeof(xp), "%s/certs/expired.crt", d);
	snprintf(xpk, sizeof(xpk), "%s/certs/expired.key", d);
	peer_start("tls", 0, &pee, "--cert", ee, "--key", eek, NULL);
	peer_start("tls", 0, &poth, "--cert", oth, "--key", othk, NULL);
	peer_start("tls", 0, &pxp, "--cert", xp, "--key", xpk, NULL);
	peer_start("tls", 0, &pchain, "--cert", chain, "--key", leafk, NULL);
	peer_start("tls", 0, &pleaf, "--cert", leaf, "--key", leafk, NULL);
	peer_start("normal", 0, &pplain, NULL);
	peer_start("tls-garbage", 0, &pgarb, NULL);

	tc_reset();
	/* DANE-EE: no CA store knows these; starttls not even configured */
	tc_tlsa(tc_dane("ee311", pee, CONF_DANE_REQUIRE), 3, 1, 1, ee);
	tc_tlsa(tc_dane("ee301", pee, CONF_DANE_REQUIRE), 3, 0, 1, ee);
	tc_tlsa(tc_dane("ee312", pee, CONF_DANE_REQUIRE), 3, 1, 2, ee);
	tc_tlsa(tc_dane("ee300", pee, CONF_DANE_REQUIRE), 3, 0, 0, ee);
	p = tc_dane("ee-expired", pxp, CONF_DANE_REQUIRE);
	tc_tlsa(p, 3, 1, 1, xp);	/* CN localhost, ended 3 days ago */
	/* usages 0 and 1 and an unknown matching type ignored; the 3 1 1
	 * decides; a wrong 2 1 1 beside it does not spoil the match */
	p = tc_dane("ee-mixed", pee, CONF_DANE_REQUIRE);
	tc_tlsa(p, 1, 1, 1, ee);
	tc_tlsa(p, 0, 0, 1, ca);
	tc_tlsa(p, 3, 1, 7, NULL);
	tc_tlsa(p, 2, 1, 1, NULL);
	tc_tlsa(p, 3, 1, 1, ee);
	/* DANE-TA: the CA sent in the chain */
	tc_tlsa(tc_dane("ta201", pchain, CONF_DANE_REQUIRE), 2, 0, 1, ca);
	tc_tlsa(tc_dane("ta211", pchain, CONF_DANE_REQUIRE), 2, 1, 1, ca);
	tc_tlsa(tc_dane("ta-truncated", pleaf, CONF_DANE_REQUIRE), 2, 1, 1, ca);
	p = tc_dane("ta-wrongname", pchain, CONF_DANE_REQUIRE);
	p->servers[0].tlsa_host = "mx2.dane.test.";
	tc_tlsa(p, 2, 1, 1, ca);
	/* a rollover done before the TLSA: another key presented */
	tc_tlsa(tc_dane("mismatch-check", poth, CONF_DANE_CHECK), 3, 1, 1, ee);
	p = tc_dane("mismatch-require", poth, CONF_DANE_REQUIRE);
	tc_tlsa(p, 3, 1, 1, ee);
	tc_tlsa(p, 3, 0, 1, ee);
	/* no STARTTLS while TLSA records are published */
	tc_tlsa(tc_dane("nostarttls-check", pplain, CONF_DANE_CHECK), 3, 1, 1, ee);
	tc_tlsa(tc_dane("nostarttls-require", pplain, CONF_DANE_REQUIRE), 3, 1, 1,
	    ee);
	/* text instead of a handshake: an error under either mode; check
	 * keeps the server eligible when the probe would not use TLS */
	tc_tlsa(tc_dane("garbage-require", pgarb, CONF_DANE_REQUIRE), 3, 1, 1, ee);
	tc_tlsa(tc_dane("garbage-check", pgarb, CONF_DANE_CHECK), 3, 1, 1, ee);
	p = tc_dane("garbage-check-tls", pgarb, CONF_DANE_CHECK);
	p->probe.starttls = true;
	tc_tlsa(p, 3, 1, 1, ee);
	/* usages 0/1 only: nothing usable, PKIX as without TLSA */
	p = tc_dane("pkix-only", pee, CONF_DANE_REQUIRE);
	p->probe.starttls = true;
	tc_tlsa(p, 1, 1, 1, ee);
	/* no TLSA at all: PKIX unchanged, both ways */
	p = tc_dane("notlsa-trusted", pee, CONF_DANE_CHECK);
	p->probe.starttls = true;
	p->probe.starttls_required = true;
	p->probe.ca_file = ee;
	p->probe.tls_hostname = "mx1.dane.test";
	p = tc_dane("notlsa-untrusted", pee, CONF_DANE_CHECK);
	p->probe.starttls = true;
	/* dane unset: check when signed, off when not */
	tc_tlsa(tc_dane("auto-signed", poth, CONF_DANE_AUTO), 3, 1, 1, ee);
	p = tc_dane("auto-unsigned", poth, CONF_DANE_AUTO);
	p->servers[0].tlsa_signed = false;
	tc_tlsa(p, 3, 1, 1, ee);
	p = tc_dane("off", poth, CONF_DANE_OFF);
	tc_tlsa(p, 3, 1, 1, ee);

	assert_int_equal(probe_engine_start(&tc.c), 0);
	/* at start: the mode in effect and what is usable */
	assert_int_equal(snap(pool_idx("ee-mixed")).dane_tlsa, 2);
	assert_int_equal(snap(pool_idx("ee-mixed")).dane_unusable, 3);
	assert_int_equal(snap(pool_idx("pkix-only")).dane_state,
	    PSTATE_DANE_NO_TLSA);
	assert_int_equal(snap(pool_idx("auto-signed")).dane_mode,
	    PSTATE_DANE_CHECK);
	assert_int_equal(snap(pool_idx("auto-unsigned")).dane_mode,
	    PSTATE_DANE_OFF);
	assert_int_equal(snap(pool_idx("off")).dane_mode, PSTATE_DANE_OFF);
	assert_int_equal(snap(pool_idx("notlsa-trusted")).dane_mode,
	    PSTATE_DANE_CHECK);

	expect_up("ee311");
	snprintf(want, sizeof(want), "3 1 1 %s...", hex8(ee, 1, 1, a));
	expect_dane("ee311", PSTATE_DANE_MATCH, want);
	assert_in_range(snap(pool_idx("ee311")).cert_days, 28, 30);
	expect_up("ee301");
	snprintf(want, sizeof(want), "3 0 1 %s...", hex8(ee, 0, 1, a));
	expect_dane("ee301", PSTATE_DANE_MATCH, want);
	expect_up("ee312");
	snprintf(want, sizeof(want), "3 1 2 %s...", hex8(ee, 1, 2, a));
	expect_dane("ee312", PSTATE_DANE_MATCH, want);
	expect_up("ee300");
	expect_dane("ee300", PSTATE_DANE_MATCH, "3 0 0 ");
	expect_up("ee-expired");
	expect_dane("ee-expired", PSTATE_DANE_MATCH, "3 1 1 ");
	assert_int_equal(snap(pool_idx("ee-expired")).cert_days, -3);
	expect_up("ee-mixed");
	snprintf(want, sizeof(want), "3 1 1 %s...", hex8(ee, 1, 1, a));
	expect_dane("ee-mixed", PSTATE_DANE_MATCH, want);

	expect_up("ta201");
	snprintf(want, sizeof(want), "2 0 1 %s...", hex8(ca, 0, 1, a));
	expect_dane("ta201", PSTATE_DANE_MATCH, want);
	expect_up("ta211");
	snprintf(want, sizeof(want), "2 1 1 %s...", hex8(ca, 1, 1, a));
	expect_dane("ta211", PSTATE_DANE_MATCH, want);
	snprintf(want, sizeof(want), "DANE mismatch: presented 3 1 1 %s..., "
	    "published 2 1 1 %s...", hex8(leaf, 1, 1, a), hex8(ca, 1, 1, b));
	expect_down("ta-truncated", want);
	expect_dane("ta-truncated", PSTATE_DANE_MISMATCH, want);
	expect_down("ta-wrongname", "DANE mismatch: hostname mismatch");

	snprintf(want, sizeof(want), "DANE mismatch: presented 3 1 1 %s..., "
	    "published 3 1 1 %s...", hex8(oth, 1, 1, a), hex8(ee, 1, 1, b));
	expect_up("mismatch-check");
	expect_dane("mismatch-check", PSTATE_DANE_MISMATCH, want);
	assert_string_equal(snap(pool_idx("mismatch-check")).reason, "");
	probe_get_counters(pool_idx("mismatch-check"), 0, &cnt);
	assert_true(cnt.dane_mismatches >= 2);
	assert_int_equal(cnt.failed, 0);
	snprintf(want + strlen(want), sizeof(want) - strlen(want), " +1");
	expect_down("mismatch-require", want);
	expect_dane("mismatch-require", PSTATE_DANE_MISMATCH, want);

	expect_up("nostarttls-check");
	expect_dane("nostarttls-check", PSTATE_DANE_NO_STARTTLS,
	    "STARTTLS not offered");
	expect_down("nostarttls-require", "DANE: STARTTLS not offered, TLSA "
	    "records published");
	expect_dane("nostarttls-require", PSTATE_DANE_NO_STARTTLS, NULL);

	expect_down("garbage-require", "TLS error in the TLS handshake");
	expect_dane("garbage-require", PSTATE_DANE_ERROR, "TLS error");
	expect_up("garbage-check");
	expect_dane("garbage-check", PSTATE_DANE_ERROR, "TLS error");
	expect_down("garbage-check-tls", "TLS error in the TLS handshake");

	/* no usable records: PKIX, which knows no CA for this certificate */
	expect_down("pkix-only", "certificate verify failed: self-signed");
	assert_int_equal(snap(pool_idx("pkix-only")).dane_state,
	    PSTATE_DANE_NO_TLSA);
	expect_up("notlsa-trusted");
	assert_int_equal(snap(pool_idx("notlsa-trusted")).dane_state,
	    PSTATE_DANE_NO_TLSA);
	expect_down("notlsa-untrusted", "certificate verify failed: self-signed");

	expect_up("auto-signed");
	expect_dane("auto-signed", PSTATE_DANE_MISMATCH, "DANE mismatch");
	expect_up("auto-unsigned");
	expect_up("off");
	assert_int_equal(snap(pool_idx("auto-unsigned")).dane_state,
	    PSTATE_DANE_NONE);
	assert_int_equal(snap(pool_idx("off")).dane_state, PSTATE_DANE_NONE);
	probe_get_counters(pool_idx("off"), 0, &cnt);
	assert_int_equal(cnt.dane_mismatches, 0);

	/* mxspread tlsa: the key presented now, as a 3 1 1 record's data */
	memset(&cp, 0, sizeof(cp));
	cp.type = CONF_PROBE_SMTP;
	cp.timeout = 3;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(poth);
	assert_int_equal(smtp_tlsa_fetch(&cp, (struct sockaddr *)&sin,
	    sizeof(sin), "mx1.dane.test", spki, err, sizeof(err)), 0);
	cert_assoc(oth, 1, 1, want_spki, sizeof(want_spki));
	assert_memory_equal(spki, want_spki, 32);
	sin.sin_port = htons(pplain);
	assert_int_equal(smtp_tlsa_fetch(&cp, (struct sockaddr *)&sin,
	    sizeof(sin), NULL, spki, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "STARTTLS not offered"));
	sin.sin_port = htons(pgarb);
	assert_int_equal(smtp_tlsa_fetch(&cp, (struct sockaddr *)&sin,
	    sizeof(sin), NULL, spki, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "TLS error"));
	sin.sin_port = htons(closed_port());
	assert_int_equal(smtp_tlsa_fetch(&cp, (struct sockaddr *)&sin,
	    sizeof(sin), NULL, spki, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "connection refused"));
}

static void
on_signal(int sig)
{
	stop_all();
	_exit(128 + sig);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_smtp_modes, teardown),
		cmocka_unit_test_teardown(test_dane, teardown),
		cmocka_unit_test_teardown(test_load, teardown),
		cmocka_unit_test_teardown(test_probe_target, teardown),
		cmocka_unit_test_teardown(test_timing, teardown),
		cmocka_unit_test_teardown(test_skip, teardown),
		cmocka_unit_test_teardown(test_reload, teardown),
		cmocka_unit_test_teardown(test_local_shortage, teardown),
		cmocka_unit_test_teardown(test_postfix, teardown),
	};
	const char *r = getenv("MXS_ROOT");
	int rc;

	snprintf(root, sizeof(root), "%s", r != NULL ? r : ".");
	snprintf(tmp, sizeof(tmp), "/tmp/mxs-probe.XXXXXX");
	if (mkdtemp(tmp) == NULL)
		return 1;
	chmod(tmp, 0711);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	log_init(LOG_LVL_INFO, 0, "test_probe_live");
	rcu_register_thread();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	stop_all();
	rcu_unregister_thread();
	pstate_shutdown();
	if (getenv("KEEP_TMP") == NULL)
		sh("rm -rf %s", tmp);
	return rc;
}
