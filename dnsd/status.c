/* status.c - the HTTP status endpoint (evhttp on its own thread): dashboard,
 * /status.json, /metrics, /healthz and the token-protected admin API. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <urcu.h>

#include "dnsd/answer.h"
#include "dnsd/base/clock.h"
#include "dnsd/base/conf.h"
#include "dnsd/base/sock.h"
#include "dnsd/base/version.h"
#include "dnsd/dashboard.h"
#include "dnsd/base/log.h"
#include "dnsd/rrl.h"
#include "dnsd/status.h"
#include "dnsd/world.h"
#include "probes/probe.h"
#include "probes/pstate.h"
#include "zones/zone.h"

#include "dnsd/daemon.h"
#include "dnsd/relay/relay.h"


#define STATUS_MAX_HEADERS   8192	/* bytes of request line + headers */
#define STATUS_MAX_BODY      4096	/* admin calls carry no body */
#define STATUS_TIMEOUT       10		/* seconds, read and write */
#define STATUS_TOKEN_MAX     1024
#define STATUS_HISTORY_JSON  60		/* probe results per server in JSON */
#define STATUS_SHARE_WINDOW  60		/* seconds of observed share */
#define STATUS_HEALTH_MS     3000	/* /healthz: last DNS answer younger */
#define STATUS_ALLOW_GET     "GET, HEAD"
#define STATUS_ALLOW_POST    "POST"


/* An operator's admin override, by name so that it survives reloads. */
struct status_admin {
	char    pool[CONF_NAME_MAX + 1];
	char    server[CONF_NAME_MAX + 1];
	uint8_t state;			/* PSTATE_ADMIN_DRAIN or _MAINT */
};

/* Everything a response needs, copied out of the snapshots. */
struct m_server {
	char                 name[CONF_NAME_MAX + 1];
	char               (*addrs)[INET6_ADDRSTRLEN];
	size_t               naddrs;
	uint32_t             weight;
	unsigned             tier;
	bool                 known;		/* pool state had this server */
	struct pstate_server ps;
	struct probe_counters cnt;
	struct probe_result *hist;
	size_t               nhist;
	bool                 has_first;
	uint64_t             first;		/* first-preference answers */
	double               observed;	/* share over the window; < 0 none */
	double               target;		/* eff_weight / total */
};

struct m_pool {
	char                 name[CONF_NAME_MAX + 1];
	enum conf_policy     policy;
	enum conf_probe_type probe;
	double               interval;
	bool                 has_load;
	enum conf_probe_type load;
	bool                 known;
	unsigned             nup;
	bool                 degraded;
	double               total_weight;
	uint64_t             window_first;	/* answers in the share window */
	struct m_server     *servers;
	size_t               nservers;
};

struct m_zone {
	char     origin[CONF_DNAME_MAX + 2];
	uint32_t serial;
};

struct model {
	int64_t             now_ms;
	time_t              loaded;
	struct m_zone      *zones;
	size_t              nzones;
	struct m_pool      *pools;
	size_t              npools;
	uint64_t            gen;
	struct answer_stats stats;
	bool                relay;
	char                relay_pool[CONF_NAME_MAX + 1];
	char                relay_listen[256];
	struct relay_stats  rs;
	struct relay_backend_stats *rb;
	size_t              nrb;
};

static struct {
	char                    *state_file;	/* copied: conf may be freed */
	struct event_base       *base;
	struct evhttp           *http;
	pthread_t                thread;
	bool                     running;
	int                      wake[2];
	struct event            *wake_ev;
	struct event            *tick_ev;
	char                    *token;
	size_t                   token_len;
	struct status_admin     *admin;
	size_t                   nadmin;
	int64_t                  started_ms;
	/* /healthz self-check */
	int                      dns_fd;
	int                      dns_family;
	struct event            *dns_ev;
	uint16_t                 dns_id;
	int64_t                  dns_sent_ms;
	int64_t                  dns_ok_ms;
	int                      dns_rcode;
	/* observed share: first-preference counters, one row per second */
	uint64_t                *ring;
	size_t                   ring_width, ring_head, ring_count;
	const struct world      *ring_world;
	time_t                   ring_loaded;
	/* reload requests through the API */
	int64_t                  reload_req_ms;
	uint64_t                 reload_reqs;
	uint64_t                 ticks;
} st = { .wake = { -1, -1 }, .dns_fd = -1 };

static const char *
admin_name(unsigned a)
{
	switch (a) {
	case PSTATE_ADMIN_DRAIN: return "drain";
	case PSTATE_ADMIN_MAINT: return "maint";
	default:                 return "enabled";
	}
}

/* Equal strings in a time that depends only on the length of b (the
 * secret's length is not a secret worth guarding; its bytes are). */
static bool
token_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	volatile unsigned char d = 0;
	size_t i;

	d |= (unsigned char)(alen != blen);
	for (i = 0; i < blen; i++)
		d |= (unsigned char)((i < alen ? (unsigned char)a[i] : 0) ^
		    (unsigned char)b[i]);
	return d == 0;
}

static bool
addr_is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		if (IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
			return true;
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			return s6->sin6_addr.s6_addr[12] == 127;
	}
	return false;
}

/* ---- token and admin state file ---------------------------------------- */

static int
token_load(const char *path)
{
	char buf[STATUS_TOKEN_MAX + 2];
	struct stat sb;
	ssize_t n;
	size_t len;
	int fd = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("status: token file %s", path);
		goto fail;
	}
	if (fstat(fd, &sb) == -1) {
		log_warn("status: token file %s", path);
		goto fail;
	}
	if (!S_ISREG(sb.st_mode)) {
		log_warnx("status: token file %s is not a regular file", path);
		goto fail;
	}
	if (sb.st_mode & 007) {
		log_warnx("status: token file %s is accessible by others "
		    "(mode %04o); refusing it (chmod o-rwx %s)", path,
		    (unsigned)(sb.st_mode & 07777), path);
		goto fail;
	}
	if ((n = read(fd, buf, sizeof(buf) - 1)) < 0) {
		log_warn("status: token file %s", path);
		goto fail;
	}
	len = (size_t)n;
	if (len > STATUS_TOKEN_MAX) {
		log_warnx("status: token file %s: token longer than %d bytes",
		    path, STATUS_TOKEN_MAX);
		goto fail;
	}
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
	    buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		len--;
	buf[len] = '\0';
	if (len == 0 || memchr(buf, '\n', len) != NULL) {
		log_warnx("status: token file %s: expected one non-empty line",
		    path);
		goto fail;
	}
	if ((st.token = strdup(buf)) == NULL) {
		log_warn("status: token");
		goto fail;
	}
	st.token_len = len;
	close(fd);
	explicit_bzero(buf, sizeof(buf));
	return 0;
fail:
	if (fd != -1)
		close(fd);
	explicit_bzero(buf, sizeof(buf));
	return -1;
}

static struct status_admin *
admin_find(const char *pool, const char *server)
{
	size_t i;

	for (i = 0; i < st.nadmin; i++)
		if (strcmp(st.admin[i].pool, pool) == 0 &&
		    strcmp(st.admin[i].server, server) == 0)
			return &st.admin[i];
	return NULL;
}

/* Record an override (PSTATE_ADMIN_ENABLED removes it). \retval 0, -1 ENOMEM */
static int
admin_set(const char *pool, const char *server, unsigned state)
{
	struct status_admin *a, *n;

	if ((a = admin_find(pool, server)) != NULL) {
		if (state == PSTATE_ADMIN_ENABLED) {
			*a = st.admin[--st.nadmin];
			return 0;
		}
		a->state = (uint8_t)state;
		return 0;
	}
	if (state == PSTATE_ADMIN_ENABLED)
		return 0;
	if ((n = reallocarray(st.admin, st.nadmin + 1, sizeof(*n))) == NULL)
		return -1;
	st.admin = n;
	a = &st.admin[st.nadmin++];
	memset(a, 0, sizeof(*a));
	snprintf(a->pool, sizeof(a->pool), "%s", pool);
	snprintf(a->server, sizeof(a->server), "%s", server);
	a->state = (uint8_t)state;
	return 0;
}

/* Lines "pool server drain|maint"; '#' comments. A missing file is empty. */
static int
state_load(const char *path)
{
	char line[512], pool[CONF_NAME_MAX + 1], server[CONF_NAME_MAX + 1];
	char what[16];
	FILE *f;
	int lineno = 0;
	unsigned s;

	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT)
			return 0;
		log_warn("status: state file %s", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0')
			continue;
		if (sscanf(line, "%63s %63s %15s", pool, server, what) != 3) {
			log_warnx("%s:%d: expected \"pool server drain|maint\"",
			    path, lineno);
			continue;
		}
		if (strcmp(what, "drain") == 0)
			s = PSTATE_ADMIN_DRAIN;
		else if (strcmp(what, "maint") == 0)
			s = PSTATE_ADMIN_MAINT;
		else if (strcmp(what, "enabled") == 0)
			s = PSTATE_ADMIN_ENABLED;
		else {
			log_warnx("%s:%d: unknown admin state \"%s\"", path,
			    lineno, what);
			continue;
		}
		if (admin_set(pool, server, s) == -1) {
			log_warn("status: state file");
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

/* Write the overrides atomically: temp file, fsync, rename, fsync dir.
 * \retval 0 ok, -1 errno set and logged */
static int
state_save(const char *path)
{
	char tmp[PATH_MAX], dir[PATH_MAX], *slash;
	FILE *f = NULL;
	size_t i;
	int fd = -1, dfd = -1, saved;

	if (snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1)
		goto fail;
	if ((f = fdopen(fd, "w")) == NULL)
		goto fail_unlink;
	fd = -1;
	fprintf(f, "# mxspread admin state: pool server drain|maint\n");
	for (i = 0; i < st.nadmin; i++)
		fprintf(f, "%s %s %s\n", st.admin[i].pool, st.admin[i].server,
		    admin_name(st.admin[i].state));
	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) == -1)
		goto fail_unlink;
	if (fclose(f) != 0) {
		f = NULL;
		goto fail_unlink;
	}
	f = NULL;
	if (rename(tmp, path) == -1)
		goto fail_unlink;
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fsync(dfd) == -1)
		goto fail;
	close(dfd);
	return 0;
fail_unlink:
	saved = errno;
	unlink(tmp);
	errno = saved;
fail:
	saved = errno;
	log_warn("status: writing state file %s", path);
	if (f != NULL)
		fclose(f);
	if (fd != -1)
		close(fd);
	if (dfd != -1)
		close(dfd);
	errno = saved;
	return -1;
}

/* Re-apply overrides the pool state does not show (start, after a reload,
 * after the probe engine republished from scratch). Status thread only. */
static void
admin_reconcile(void)
{
	struct { size_t p, s; uint8_t state; } todo[64];
	size_t n = 0, i;

	if (st.nadmin == 0)
		return;
	rcu_read_lock();
	{
		const struct world *w = world_get();
		const struct pstate *ps = pstate_get();
		size_t p, s;

		if (w == NULL || ps == NULL || w->conf == NULL)
			goto unlock;
		for (i = 0; i < st.nadmin && n < 64; i++) {
			if (conf_pool_find(w->conf, st.admin[i].pool, &p) == NULL ||
			    p >= ps->npools)
				continue;
			for (s = 0; s < w->conf->pools[p].nservers; s++)
				if (strcmp(w->conf->pools[p].servers[s].name,
				    st.admin[i].server) == 0)
					break;
			if (s >= w->conf->pools[p].nservers ||
			    s >= ps->pools[p].nservers)
				continue;
			if (ps->pools[p].servers[s].admin != st.admin[i].state) {
				todo[n].p = p;
				todo[n].s = s;
				todo[n].state = st.admin[i].state;
				n++;
			}
		}
	}
unlock:
	rcu_read_unlock();
	for (i = 0; i < n; i++)
		if (probe_set_admin(todo[i].p, todo[i].s, todo[i].state) == 0)
			log_info("status: re-applied admin state %s to server "
			    "#%zu of pool #%zu", admin_name(todo[i].state),
			    todo[i].s, todo[i].p);
}

/* ---- the model: one copy of the snapshots per request ------------------ */

static void
model_free(struct model *m)
{
	size_t i, j;

	if (m == NULL)
		return;
	for (i = 0; i < m->npools; i++) {
		for (j = 0; j < m->pools[i].nservers; j++) {
			free(m->pools[i].servers[j].addrs);
			free(m->pools[i].servers[j].hist);
		}
		free(m->pools[i].servers);
	}
	free(m->pools);
	free(m->zones);
	free(m->rb);
	free(m);
}

/* Index of the share window's oldest row. */
static const uint64_t *
ring_row(size_t age)
{
	size_t idx;

	idx = (st.ring_head + STATUS_SHARE_WINDOW + 1 - age) %
	    (STATUS_SHARE_WINDOW + 1);
	return st.ring + idx * st.ring_width;
}

/*
 * Copy what the endpoint shows out of the current world and pool state.
 * \retval model  caller frees with model_free()
 * \retval NULL   out of memory, or no world published yet
 */
static struct model *
model_build(size_t max_hist)
{
	struct model *m;
	const struct world *w;
	const struct pstate *ps;
	size_t i, j, k, flat;
	bool ring_ok;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->now_ms = clock_unix_ms();
	rcu_read_lock();
	w = world_get();
	ps = pstate_get();
	if (w == NULL || w->conf == NULL)
		goto fail_unlock;
	m->loaded = w->loaded;
	m->gen = ps != NULL ? ps->gen : 0;
	if (w->nzones > 0 &&
	    (m->zones = calloc(w->nzones, sizeof(*m->zones))) == NULL)
		goto fail_unlock;
	m->nzones = w->nzones;
	for (i = 0; i < w->nzones; i++) {
		snprintf(m->zones[i].origin, sizeof(m->zones[i].origin), "%s",
		    w->zones[i]->origin_text != NULL ?
		    w->zones[i]->origin_text : "");
		m->zones[i].serial = w->zones[i]->serial;
	}
	if (w->conf->npools > 0 &&
	    (m->pools = calloc(w->conf->npools, sizeof(*m->pools))) == NULL)
		goto fail_unlock;
	m->npools = w->conf->npools;
	ring_ok = st.ring != NULL && st.ring_world == w &&
	    st.ring_loaded == w->loaded && st.ring_count >= 2;
	flat = 0;
	for (i = 0; i < m->npools; i++) {
		const struct conf_pool *cp = &w->conf->pools[i];
		const struct pstate_pool *pp = NULL;
		struct m_pool *mp = &m->pools[i];

		if (ps != NULL && i < ps->npools &&
		    ps->pools[i].nservers == cp->nservers)
			pp = &ps->pools[i];
		snprintf(mp->name, sizeof(mp->name), "%s", cp->name);
		mp->policy = cp->policy;
		mp->probe = cp->probe.type;
		mp->interval = cp->probe.interval;
		mp->has_load = cp->has_load;
		mp->load = cp->load.type;
		mp->known = pp != NULL;
		if (pp != NULL) {
			mp->nup = pp->nup;
			mp->degraded = pp->degraded;
			mp->total_weight = pp->total_weight;
		}
		if ((mp->servers = calloc(cp->nservers,
		    sizeof(*mp->servers))) == NULL)
			goto fail_unlock;
		mp->nservers = cp->nservers;
		for (j = 0; j < cp->nservers; j++, flat++) {
			const struct conf_server *cs = &cp->servers[j];
			struct m_server *ms = &mp->servers[j];

			snprintf(ms->name, sizeof(ms->name), "%s", cs->name);
			ms->weight = cs->weight;
			ms->tier = cs->tier;
			ms->observed = -1;
			if (cs->naddrs > 0) {
				if ((ms->addrs = calloc(cs->naddrs,
				    sizeof(*ms->addrs))) == NULL)
					goto fail_unlock;
				ms->naddrs = cs->naddrs;
				for (k = 0; k < cs->naddrs; k++)
					snprintf(ms->addrs[k],
					    sizeof(ms->addrs[k]), "%s",
					    cs->addrs[k].text);
			}
			if (pp != NULL) {
				ms->known = true;
				ms->ps = pp->servers[j];
				ms->ps.reason[sizeof(ms->ps.reason) - 1] = '\0';
				ms->target = pp->total_weight > 0 ?
				    ms->ps.eff_weight / pp->total_weight : 0;
			}
			if (ring_ok && flat < st.ring_width) {
				const uint64_t *old = ring_row(st.ring_count - 1);
				const uint64_t *cur = ring_row(0);

				ms->has_first = true;
				ms->first = cur[flat];
				ms->observed = (double)(cur[flat] - old[flat]);
				mp->window_first += cur[flat] - old[flat];
			}
		}
	}
	if (w->conf->relay.enabled) {
		const struct conf_relay *r = &w->conf->relay;
		size_t off = 0;

		m->relay = true;
		snprintf(m->relay_pool, sizeof(m->relay_pool), "%s", r->pool);
		for (i = 0; i < r->nlisten && off < sizeof(m->relay_listen); i++)
			off += (size_t)snprintf(m->relay_listen + off,
			    sizeof(m->relay_listen) - off, "%s%s",
			    i ? " " : "", r->listen[i].text);
	}
	rcu_read_unlock();

	/* Outside the read-side section: these take the probe engine's locks. */
	for (i = 0; i < m->npools; i++) {
		struct m_pool *mp = &m->pools[i];

		for (j = 0; j < mp->nservers; j++) {
			struct m_server *ms = &mp->servers[j];

			if (ms->has_first)
				ms->observed = mp->window_first > 0 ?
				    ms->observed / (double)mp->window_first : -1;
			else {
				ms->has_first = true;
				ms->first = answer_first_pref(i, j);
			}
			probe_get_counters(i, j, &ms->cnt);
			if (max_hist == 0 || mp->probe == CONF_PROBE_NONE)
				continue;
			if ((ms->hist = calloc(PROBE_HISTORY,
			    sizeof(*ms->hist))) == NULL)
				goto fail;
			ms->nhist = probe_history(i, j, ms->hist, PROBE_HISTORY);
			if (ms->nhist > PROBE_HISTORY)
				ms->nhist = PROBE_HISTORY;
			for (k = 0; k < ms->nhist; k++)
				ms->hist[k].reason[sizeof(ms->hist[k].reason) - 1] = '\0';
			if (ms->nhist > max_hist) {
				memmove(ms->hist, ms->hist + (ms->nhist - max_hist),
				    max_hist * sizeof(*ms->hist));
				ms->nhist = max_hist;
			}
		}
	}
	answer_stats_sum(&m->stats);
	if (m->relay) {
		size_t n = relay_get_stats(&m->rs, NULL, 0);

		if (n > 0 && (m->rb = calloc(n, sizeof(*m->rb))) != NULL) {
			n = relay_get_stats(&m->rs, m->rb, n);
			m->nrb = n;
		}
	}
	return m;
fail_unlock:
	rcu_read_unlock();
fail:
	model_free(m);
	return NULL;
}

/* ---- JSON -------------------------------------------------------------- */

static json_t *
jreal(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

/* A JSON string; bytes that are not valid UTF-8 (a reason quoting a
 * server's banner) become '?' rather than dropping the field. */
static json_t *
jstr(const char *s)
{
	json_t *j;
	char *c;
	size_t i;

	if ((j = json_string(s)) != NULL)
		return j;
	if ((c = strdup(s)) == NULL)
		return json_null();
	for (i = 0; c[i] != '\0'; i++)
		if ((unsigned char)c[i] >= 0x80 || (unsigned char)c[i] < 0x20)
			c[i] = '?';
	j = json_string(c);
	free(c);
	return j != NULL ? j : json_null();
}

static const char *qtype_names[ANSWER_NQTYPES] = {
	"A", "NS", "CNAME", "SOA", "MX", "TXT", "AAAA", "other"
};
static const char *rcode_names[ANSWER_NRCODES + 1] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	"other"
};

static const char *
pool_state(const struct m_pool *mp)
{
	if (!mp->known)
		return "unknown";
	if (mp->nup == 0)
		return "down";
	return mp->degraded ? "degraded" : "ok";
}

static bool
dns_healthy(int64_t now)
{
	return st.dns_ok_ms > 0 && now - st.dns_ok_ms < STATUS_HEALTH_MS;
}

static json_t *
json_reload(void)
{
	json_t *o = json_object();

#ifdef MXS_HAVE_DAEMON_RELOAD_INFO
	struct daemon_reload_info ri;

	daemon_reload_info(&ri);
	json_object_set_new(o, "count", json_integer((json_int_t)ri.count));
	json_object_set_new(o, "time", ri.time_ms > 0 ?
	    json_integer(ri.time_ms / 1000) : json_null());
	json_object_set_new(o, "ok", ri.count > 0 ? json_boolean(ri.ok) :
	    json_null());
	json_object_set_new(o, "errors", ri.count > 0 ?
	    jstr(ri.errors) : json_null());
#endif
	json_object_set_new(o, "api_requests",
	    json_integer((json_int_t)st.reload_reqs));
	json_object_set_new(o, "api_requested", st.reload_req_ms > 0 ?
	    json_integer(st.reload_req_ms / 1000) : json_null());
	return o;
}

static json_t *
json_server(const struct m_pool *mp, const struct m_server *ms)
{
	json_t *o, *a, *h, *e;
	size_t k;

	o = json_object();
	json_object_set_new(o, "name", json_string(ms->name));
	a = json_array();
	for (k = 0; k < ms->naddrs; k++)
		json_array_append_new(a, json_string(ms->addrs[k]));
	json_object_set_new(o, "addresses", a);
	json_object_set_new(o, "weight", json_integer(ms->weight));
	json_object_set_new(o, "tier", json_integer(ms->tier));
	json_object_set_new(o, "health", json_string(!ms->known ? "unknown" :
	    ms->ps.up ? "up" : "down"));
	json_object_set_new(o, "up", json_boolean(ms->known && ms->ps.up));
	json_object_set_new(o, "admin", json_string(admin_name(ms->ps.admin)));
	json_object_set_new(o, "agent_admin",
	    json_string(admin_name(ms->ps.agent_admin)));
	json_object_set_new(o, "load", ms->known && ms->ps.load >= 0 ?
	    jreal(ms->ps.load) : json_null());
	json_object_set_new(o, "load_factor", jreal(ms->ps.load_factor));
	json_object_set_new(o, "slowstart_factor",
	    jreal(ms->ps.slowstart_factor));
	json_object_set_new(o, "eff_weight", jreal(ms->ps.eff_weight));
	json_object_set_new(o, "target_share", jreal(ms->target));
	if (ms->has_first) {
		json_object_set_new(o, "first_pref_answers",
		    json_integer((json_int_t)ms->first));
		json_object_set_new(o, "observed_share", ms->observed >= 0 ?
		    jreal(ms->observed) : json_null());
	}
	json_object_set_new(o, "transitions", json_integer(ms->ps.transitions));
	json_object_set_new(o, "since", ms->ps.since_ms > 0 ?
	    json_integer(ms->ps.since_ms) : json_null());
	json_object_set_new(o, "cert_days", ms->ps.cert_days != INT32_MIN ?
	    json_integer(ms->ps.cert_days) : json_null());
	json_object_set_new(o, "reason", jstr(ms->ps.reason));
	json_object_set_new(o, "checks", json_pack("{s:I,s:I,s:I,s:I}",
	    "ok", (json_int_t)ms->cnt.ok, "failed", (json_int_t)ms->cnt.failed,
	    "skipped", (json_int_t)ms->cnt.skipped,
	    "late", (json_int_t)ms->cnt.late));
	if (ms->nhist > 0) {
		const struct probe_result *r = &ms->hist[ms->nhist - 1];

		json_object_set_new(o, "last_check", json_pack(
		    "{s:I,s:b,s:o,s:o}", "time", (json_int_t)r->time_ms,
		    "ok", r->ok, "latency_ms", jreal(r->latency_us / 1000.0),
		    "reason", jstr(r->reason)));
	} else
		json_object_set_new(o, "last_check", json_null());
	h = json_array();
	for (k = 0; k < ms->nhist; k++) {
		const struct probe_result *r = &ms->hist[k];

		e = json_pack("{s:I,s:b,s:o}", "time", (json_int_t)r->time_ms,
		    "ok", r->ok, "latency_ms", jreal(r->latency_us / 1000.0));
		if (!r->ok)
			json_object_set_new(e, "reason", jstr(r->reason));
		json_array_append_new(h, e);
	}
	json_object_set_new(o, "history", h);
	(void)mp;
	return o;
}

static json_t *
json_status(const struct model *m)
{
	json_t *root, *zones, *pools, *q, *by, *o, *srv;
	size_t i, j;

	root = json_object();
	json_object_set_new(root, "version", json_string(MXS_VERSION));
	json_object_set_new(root, "now", json_integer(m->now_ms));
	json_object_set_new(root, "started", json_integer(st.started_ms / 1000));
	json_object_set_new(root, "uptime",
	    json_integer((m->now_ms - st.started_ms) / 1000));
	json_object_set_new(root, "healthy", json_boolean(dns_healthy(m->now_ms)));
	json_object_set_new(root, "world_loaded", json_integer(m->loaded));
	json_object_set_new(root, "state_gen", json_integer((json_int_t)m->gen));
	json_object_set_new(root, "last_reload", json_reload());

	zones = json_array();
	for (i = 0; i < m->nzones; i++)
		json_array_append_new(zones, json_pack("{s:s,s:I}", "origin",
		    m->zones[i].origin, "serial", (json_int_t)m->zones[i].serial));
	json_object_set_new(root, "zones", zones);

	q = json_object();
	json_object_set_new(q, "total", json_integer((json_int_t)m->stats.queries));
	json_object_set_new(q, "udp", json_integer((json_int_t)m->stats.udp));
	json_object_set_new(q, "tcp", json_integer((json_int_t)m->stats.tcp));
	json_object_set_new(q, "truncated",
	    json_integer((json_int_t)m->stats.truncated));
	json_object_set_new(q, "dropped", json_integer((json_int_t)m->stats.dropped));
	by = json_object();
	for (i = 0; i < ANSWER_NQTYPES; i++)
		json_object_set_new(by, qtype_names[i],
		    json_integer((json_int_t)m->stats.by_qtype[i]));
	json_object_set_new(q, "by_qtype", by);
	by = json_object();
	for (i = 0; i < ANSWER_NRCODES + 1; i++)
		json_object_set_new(by, rcode_names[i],
		    json_integer((json_int_t)m->stats.by_rcode[i]));
	json_object_set_new(q, "by_rcode", by);
	json_object_set_new(root, "queries", q);

	pools = json_array();
	for (i = 0; i < m->npools; i++) {
		const struct m_pool *mp = &m->pools[i];

		o = json_object();
		json_object_set_new(o, "name", json_string(mp->name));
		json_object_set_new(o, "policy",
		    json_string(conf_policy_name(mp->policy)));
		json_object_set_new(o, "state", json_string(pool_state(mp)));
		json_object_set_new(o, "probe",
		    json_string(conf_probe_type_name(mp->probe)));
		json_object_set_new(o, "probe_interval", jreal(mp->interval));
		json_object_set_new(o, "load_probe", mp->has_load ?
		    json_string(conf_probe_type_name(mp->load)) : json_null());
		json_object_set_new(o, "servers_up", json_integer(mp->nup));
		json_object_set_new(o, "servers_total",
		    json_integer((json_int_t)mp->nservers));
		json_object_set_new(o, "total_weight", jreal(mp->total_weight));
		if (mp->nservers > 0 && mp->servers[0].has_first)
			json_object_set_new(o, "share_window", json_integer(
			    STATUS_SHARE_WINDOW));
		srv = json_array();
		for (j = 0; j < mp->nservers; j++)
			json_array_append_new(srv, json_server(mp, &mp->servers[j]));
		json_object_set_new(o, "servers", srv);
		json_array_append_new(pools, o);
	}
	json_object_set_new(root, "pools", pools);

	if (m->relay) {
		const struct relay_stats *rs = &m->rs;
		json_t *bes = json_array();

		o = json_object();
		json_object_set_new(o, "pool", json_string(m->relay_pool));
		json_object_set_new(o, "listen", json_string(m->relay_listen));
		json_object_set_new(o, "running", json_boolean(rs->running));
		json_object_set_new(o, "counters", json_pack(
		    "{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
		    "accepted", (json_int_t)rs->accepted,
		    "active", (json_int_t)rs->active,
		    "rejected_421", (json_int_t)rs->rejected_421,
		    "rejected_max_conn", (json_int_t)rs->rejected_max_conn,
		    "rejected_per_source", (json_int_t)rs->rejected_per_source,
		    "unavailable", (json_int_t)rs->unavailable,
		    "idle_timeouts", (json_int_t)rs->idle_timeouts,
		    "bytes_in", (json_int_t)rs->bytes_in,
		    "bytes_out", (json_int_t)rs->bytes_out));
		for (i = 0; i < m->nrb; i++)
			json_array_append_new(bes, json_pack(
			    "{s:s,s:I,s:I,s:I,s:I,s:I}", "name", m->rb[i].name,
			    "active", (json_int_t)m->rb[i].active,
			    "total", (json_int_t)m->rb[i].total,
			    "failed_connects",
			    (json_int_t)m->rb[i].failed_connects,
			    "bytes_in", (json_int_t)m->rb[i].bytes_in,
			    "bytes_out", (json_int_t)m->rb[i].bytes_out));
		json_object_set_new(o, "backends", bes);
		json_object_set_new(root, "relay", o);
	} else
		json_object_set_new(root, "relay", json_null());
	return root;
}

/* ---- Prometheus -------------------------------------------------------- */

static void
prom_family(struct evbuffer *b, const char *name, const char *type,
    const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

/* A label value, escaped per the text format (\\, \", \n). */
static void
prom_label(struct evbuffer *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			evbuffer_add(b, "\\\\", 2);
		else if (*s == '"')
			evbuffer_add(b, "\\\"", 2);
		else if (*s == '\n')
			evbuffer_add(b, "\\n", 2);
		else
			evbuffer_add(b, s, 1);
	}
}

static void
prom_value(struct evbuffer *b, double v)
{
	if (isnan(v))
		evbuffer_add_printf(b, " NaN\n");
	else if (isinf(v))
		evbuffer_add_printf(b, v > 0 ? " +Inf\n" : " -Inf\n");
	else if (v == floor(v) && fabs(v) < 1e15)
		evbuffer_add_printf(b, " %.0f\n", v);
	else
		evbuffer_add_printf(b, " %.9g\n", v);
}

/* name{pool="..",server=".."[,extra]} value */
static void
prom_server(struct evbuffer *b, const char *name, const struct m_pool *mp,
    const struct m_server *ms, const char *extra, double v)
{
	evbuffer_add_printf(b, "%s{pool=\"", name);
	prom_label(b, mp->name);
	evbuffer_add_printf(b, "\",server=\"");
	prom_label(b, ms->name);
	evbuffer_add_printf(b, "\"%s%s}", extra != NULL ? "," : "",
	    extra != NULL ? extra : "");
	prom_value(b, v);
}

static void
metrics_relay(const struct model *m, struct evbuffer *b)
{
	const struct relay_stats *rs = &m->rs;
	size_t i;

#define RELAY_BE(metric, field) do {					\
	for (i = 0; i < m->nrb; i++) {					\
		evbuffer_add_printf(b, "%s{pool=\"", metric);		\
		prom_label(b, m->relay_pool);				\
		evbuffer_add_printf(b, "\",server=\"");		\
		prom_label(b, m->rb[i].name);				\
		evbuffer_add_printf(b, "\"} %llu\n",			\
		    (unsigned long long)m->rb[i].field);			\
	}								\
} while (0)

	prom_family(b, "mxspread_relay_up", "gauge",
	    "1 while the relay thread runs.");
	evbuffer_add_printf(b, "mxspread_relay_up %d\n", rs->running ? 1 : 0);
	prom_family(b, "mxspread_relay_accepted_total", "counter",
	    "Connections accepted by the relay listeners.");
	evbuffer_add_printf(b, "mxspread_relay_accepted_total %llu\n",
	    (unsigned long long)rs->accepted);
	prom_family(b, "mxspread_relay_sessions", "gauge",
	    "Relay sessions open now.");
	evbuffer_add_printf(b, "mxspread_relay_sessions %llu\n",
	    (unsigned long long)rs->active);
	prom_family(b, "mxspread_relay_rejected_total", "counter",
	    "Relay clients answered 421, by reason.");
	evbuffer_add_printf(b, "mxspread_relay_rejected_total"
	    "{reason=\"max_connections\"} %llu\n",
	    (unsigned long long)rs->rejected_max_conn);
	evbuffer_add_printf(b, "mxspread_relay_rejected_total"
	    "{reason=\"max_per_source\"} %llu\n",
	    (unsigned long long)rs->rejected_per_source);
	evbuffer_add_printf(b, "mxspread_relay_rejected_total"
	    "{reason=\"no_backend\"} %llu\n",
	    (unsigned long long)rs->unavailable);
	prom_family(b, "mxspread_relay_idle_timeouts_total", "counter",
	    "Relay sessions closed after the idle timeout.");
	evbuffer_add_printf(b, "mxspread_relay_idle_timeouts_total %llu\n",
	    (unsigned long long)rs->idle_timeouts);
	prom_family(b, "mxspread_relay_backend_sessions", "gauge",
	    "Relay sessions connected to a backend now.");
	RELAY_BE("mxspread_relay_backend_sessions", active);
	prom_family(b, "mxspread_relay_backend_connections_total", "counter",
	    "Relay sessions connected to a backend since start.");
	RELAY_BE("mxspread_relay_backend_connections_total", total);
	prom_family(b, "mxspread_relay_backend_connect_failures_total",
	    "counter", "Backend connects refused, unreachable or timed out.");
	RELAY_BE("mxspread_relay_backend_connect_failures_total",
	    failed_connects);
	prom_family(b, "mxspread_relay_backend_received_bytes_total", "counter",
	    "Bytes copied from clients to a backend.");
	RELAY_BE("mxspread_relay_backend_received_bytes_total", bytes_in);
	prom_family(b, "mxspread_relay_backend_sent_bytes_total", "counter",
	    "Bytes copied from a backend to clients.");
	RELAY_BE("mxspread_relay_backend_sent_bytes_total", bytes_out);
#undef RELAY_BE
}

#define EACH_SERVER(m, mp, ms, i, j)					\
	for (i = 0; i < (m)->npools; i++)				\
		for (mp = &(m)->pools[i], j = 0; j < mp->nservers; j++)	\
			if ((ms = &mp->servers[j]) != NULL)

/* Response rate limiting and TCP abuse counters (dnsd/rrl.h). */
static void
metrics_rrl(struct evbuffer *b)
{
	struct rrl_stats rs;

	rrl_stats_get(&rs);
	prom_family(b, "mxspread_rrl_limited_total", "counter",
	    "UDP responses over the rate limit (slipped + dropped).");
	evbuffer_add_printf(b, "mxspread_rrl_limited_total %llu\n",
	    (unsigned long long)rs.limited);
	prom_family(b, "mxspread_rrl_responses_total", "counter",
	    "Rate-limited UDP responses, by what was done with them.");
	evbuffer_add_printf(b, "mxspread_rrl_responses_total"
	    "{action=\"slipped\"} %llu\n", (unsigned long long)rs.slipped);
	evbuffer_add_printf(b, "mxspread_rrl_responses_total"
	    "{action=\"dropped\"} %llu\n", (unsigned long long)rs.dropped);
	prom_family(b, "mxspread_dns_tcp_closed_total", "counter",
	    "DNS TCP connections closed by abuse limits, by reason.");
	evbuffer_add_printf(b, "mxspread_dns_tcp_closed_total"
	    "{reason=\"per_source_limit\"} %llu\n",
	    (unsigned long long)rs.tcp_refused);
	evbuffer_add_printf(b, "mxspread_dns_tcp_closed_total"
	    "{reason=\"stalled_query\"} %llu\n",
	    (unsigned long long)rs.tcp_stalled);
}

static void
metrics_render(const struct model *m, struct evbuffer *b)
{
	const struct m_pool *mp;
	const struct m_server *ms;
	size_t i, j;
	bool any;

	prom_family(b, "mxspread_build_info", "gauge",
	    "Version of the running mxspread.");
	evbuffer_add_printf(b, "mxspread_build_info{version=\"%s\"} 1\n",
	    MXS_VERSION);
	prom_family(b, "mxspread_start_time_seconds", "gauge",
	    "Unix time the daemon started.");
	evbuffer_add_printf(b, "mxspread_start_time_seconds %lld\n",
	    (long long)(st.started_ms / 1000));
	prom_family(b, "mxspread_world_loaded_time_seconds", "gauge",
	    "Unix time the running configuration and zones were loaded.");
	evbuffer_add_printf(b, "mxspread_world_loaded_time_seconds %lld\n",
	    (long long)m->loaded);
	prom_family(b, "mxspread_dns_healthy", "gauge",
	    "1 while the DNS workers answer the status thread's self-query.");
	evbuffer_add_printf(b, "mxspread_dns_healthy %d\n",
	    dns_healthy(m->now_ms) ? 1 : 0);

	prom_family(b, "mxspread_zone_serial", "gauge",
	    "SOA serial of each served zone.");
	for (i = 0; i < m->nzones; i++) {
		evbuffer_add_printf(b, "mxspread_zone_serial{zone=\"");
		prom_label(b, m->zones[i].origin);
		evbuffer_add_printf(b, "\"} %u\n", m->zones[i].serial);
	}

	prom_family(b, "mxspread_dns_queries_total", "counter",
	    "DNS queries received, by query type.");
	for (i = 0; i < ANSWER_NQTYPES; i++)
		evbuffer_add_printf(b, "mxspread_dns_queries_total{qtype=\"%s\"} "
		    "%llu\n", qtype_names[i],
		    (unsigned long long)m->stats.by_qtype[i]);
	prom_family(b, "mxspread_dns_responses_total", "counter",
	    "DNS responses sent, by response code.");
	for (i = 0; i < ANSWER_NRCODES + 1; i++)
		evbuffer_add_printf(b, "mxspread_dns_responses_total{rcode=\"%s\"} "
		    "%llu\n", rcode_names[i],
		    (unsigned long long)m->stats.by_rcode[i]);
	prom_family(b, "mxspread_dns_transport_queries_total", "counter",
	    "DNS queries received, by transport.");
	evbuffer_add_printf(b, "mxspread_dns_transport_queries_total"
	    "{transport=\"udp\"} %llu\n", (unsigned long long)m->stats.udp);
	evbuffer_add_printf(b, "mxspread_dns_transport_queries_total"
	    "{transport=\"tcp\"} %llu\n", (unsigned long long)m->stats.tcp);
	prom_family(b, "mxspread_dns_truncated_total", "counter",
	    "UDP responses sent truncated (TC=1).");
	evbuffer_add_printf(b, "mxspread_dns_truncated_total %llu\n",
	    (unsigned long long)m->stats.truncated);
	prom_family(b, "mxspread_dns_dropped_total", "counter",
	    "Queries dropped without an answer.");
	evbuffer_add_printf(b, "mxspread_dns_dropped_total %llu\n",
	    (unsigned long long)m->stats.dropped);
	metrics_rrl(b);

	prom_family(b, "mxspread_pool_servers_up", "gauge",
	    "Servers of a pool with an effective weight above zero.");
	for (i = 0; i < m->npools; i++) {
		evbuffer_add_printf(b, "mxspread_pool_servers_up{pool=\"");
		prom_label(b, m->pools[i].name);
		evbuffer_add_printf(b, "\"} %u\n", m->pools[i].nup);
	}

	prom_family(b, "mxspread_server_up", "gauge",
	    "Health of a server after rise/fall: 1 up, 0 down.");
	EACH_SERVER(m, mp, ms, i, j)
		prom_server(b, "mxspread_server_up", mp, ms, NULL,
		    ms->known && ms->ps.up);
	prom_family(b, "mxspread_server_admin_state", "gauge",
	    "Operator admin state of a server (1 for the current state).");
	EACH_SERVER(m, mp, ms, i, j) {
		prom_server(b, "mxspread_server_admin_state", mp, ms,
		    "state=\"enabled\"", ms->ps.admin == PSTATE_ADMIN_ENABLED);
		prom_server(b, "mxspread_server_admin_state", mp, ms,
		    "state=\"drain\"", ms->ps.admin == PSTATE_ADMIN_DRAIN);
		prom_server(b, "mxspread_server_admin_state", mp, ms,
		    "state=\"maint\"", ms->ps.admin == PSTATE_ADMIN_MAINT);
	}
	prom_family(b, "mxspread_server_weight", "gauge",
	    "Configured weight of a server.");
	EACH_SERVER(m, mp, ms, i, j)
		prom_server(b, "mxspread_server_weight", mp, ms, NULL, ms->weight);
	prom_family(b, "mxspread_server_effective_weight", "gauge",
	    "Weight x load factor x slow-start factor; 0 when excluded.");
	EACH_SERVER(m, mp, ms, i, j)
		prom_server(b, "mxspread_server_effective_weight", mp, ms, NULL,
		    ms->ps.eff_weight);
	prom_family(b, "mxspread_server_target_share_ratio", "gauge",
	    "Effective weight over the pool's total: the first-preference share the answers aim at.");
	EACH_SERVER(m, mp, ms, i, j)
		prom_server(b, "mxspread_server_target_share_ratio", mp, ms, NULL,
		    ms->target);
	prom_family(b, "mxspread_server_load_factor", "gauge",
	    "Load factor of a server in [0,1] (1 without a load probe).");
	EACH_SERVER(m, mp, ms, i, j)
		prom_server(b, "mxspread_server_load_factor", mp, ms, NULL,
		    ms->ps.load_factor);
	prom_family(b, "mxspread_server_slowstart_factor", "gauge",
	    "Slow-start factor of a server in (0,1].");
	EACH_SERVER(m, mp, ms, i, j)
		prom_server(b, "mxspread_server_slowstart_factor", mp, ms, NULL,
		    ms->ps.slowstart_factor);
	prom_family(b, "mxspread_server_load_ratio", "gauge",
	    "Smoothed load reported by a server's load probe, 0..1.");
	EACH_SERVER(m, mp, ms, i, j)
		if (ms->known && ms->ps.load >= 0)
			prom_server(b, "mxspread_server_load_ratio", mp, ms, NULL,
			    ms->ps.load / 100.0);
	prom_family(b, "mxspread_server_probe_latency_seconds", "gauge",
	    "Duration of a server's last health check.");
	EACH_SERVER(m, mp, ms, i, j)
		if (ms->nhist > 0)
			prom_server(b, "mxspread_server_probe_latency_seconds", mp,
			    ms, NULL, ms->hist[ms->nhist - 1].latency_us / 1e6);
	prom_family(b, "mxspread_server_cert_expiry_seconds", "gauge",
	    "Time left before the STARTTLS certificate expires.");
	EACH_SERVER(m, mp, ms, i, j)
		if (ms->known && ms->ps.cert_days != INT32_MIN)
			prom_server(b, "mxspread_server_cert_expiry_seconds", mp,
			    ms, NULL, ms->ps.cert_days * 86400.0);
	prom_family(b, "mxspread_server_health_transitions_total", "counter",
	    "Health changes (up to down or back) of a server since start.");
	EACH_SERVER(m, mp, ms, i, j)
		prom_server(b, "mxspread_server_health_transitions_total", mp, ms,
		    NULL, ms->ps.transitions);
	prom_family(b, "mxspread_probe_checks_total", "counter",
	    "Completed health checks, by outcome.");
	EACH_SERVER(m, mp, ms, i, j) {
		prom_server(b, "mxspread_probe_checks_total", mp, ms,
		    "outcome=\"ok\"", (double)ms->cnt.ok);
		prom_server(b, "mxspread_probe_checks_total", mp, ms,
		    "outcome=\"failed\"", (double)ms->cnt.failed);
	}
	prom_family(b, "mxspread_probe_rounds_skipped_total", "counter",
	    "Probe rounds skipped because the previous one was still running.");
	EACH_SERVER(m, mp, ms, i, j)
		prom_server(b, "mxspread_probe_rounds_skipped_total", mp, ms,
		    NULL, (double)ms->cnt.skipped);
	prom_family(b, "mxspread_probe_rounds_late_total", "counter",
	    "Probe rounds started more than 10% of the interval late.");
	EACH_SERVER(m, mp, ms, i, j)
		prom_server(b, "mxspread_probe_rounds_late_total", mp, ms,
		    NULL, (double)ms->cnt.late);
	if (m->relay)
		metrics_relay(m, b);
	any = false;
	EACH_SERVER(m, mp, ms, i, j)
		any = any || ms->has_first;
	if (any) {
		prom_family(b, "mxspread_answers_first_total", "counter",
		    "Answers that listed the server first (lowest MX preference "
		    "or first address).");
		EACH_SERVER(m, mp, ms, i, j)
			if (ms->has_first)
				prom_server(b, "mxspread_answers_first_total", mp,
				    ms, NULL, (double)ms->first);
	}
}

/* ---- HTTP -------------------------------------------------------------- */

static void
reply_common(struct evhttp_request *req, const char *ctype)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Type", ctype);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
}

static void
reply_json(struct evhttp_request *req, int code, const char *reason,
    json_t *j)
{
	struct evbuffer *b;
	char *s;

	s = json_dumps(j, JSON_COMPACT | JSON_ESCAPE_SLASH);
	json_decref(j);
	if (s == NULL) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	if ((b = evbuffer_new()) == NULL) {
		free(s);
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	evbuffer_add(b, s, strlen(s));
	evbuffer_add(b, "\n", 1);
	free(s);
	reply_common(req, "application/json");
	evhttp_send_reply(req, code, reason, b);
	evbuffer_free(b);
}

static void
reply_error(struct evhttp_request *req, int code, const char *reason,
    const char *msg)
{
	reply_json(req, code, reason, json_pack("{s:i,s:s}", "status", code,
	    "error", msg));
}

static void
reply_405(struct evhttp_request *req, const char *allow)
{
	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
	    allow);
	reply_error(req, 405, "Method Not Allowed", "method not allowed");
}

static void
reply_text(struct evhttp_request *req, int code, const char *reason,
    const char *ctype, const char *text)
{
	struct evbuffer *b;

	if ((b = evbuffer_new()) == NULL) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	evbuffer_add(b, text, strlen(text));
	reply_common(req, ctype);
	evhttp_send_reply(req, code, reason, b);
	evbuffer_free(b);
}

static void
handle_status(struct evhttp_request *req)
{
	struct model *m;

	if ((m = model_build(STATUS_HISTORY_JSON)) == NULL) {
		reply_error(req, 503, "Service Unavailable", "no state yet");
		return;
	}
	reply_json(req, 200, "OK", json_status(m));
	model_free(m);
}

static void
handle_metrics(struct evhttp_request *req)
{
	struct evbuffer *b;
	struct model *m;

	if ((m = model_build(1)) == NULL) {
		reply_error(req, 503, "Service Unavailable", "no state yet");
		return;
	}
	if ((b = evbuffer_new()) == NULL) {
		model_free(m);
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	metrics_render(m, b);
	model_free(m);
	reply_common(req, "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

static void
handle_dashboard(struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *b;
	struct model *m;
	json_t *j;
	char *s = NULL;

	if ((m = model_build(STATUS_HISTORY_JSON)) != NULL) {
		j = json_status(m);
		model_free(m);
		/* JSON_ESCAPE_SLASH: no "</script>" can end the block early */
		s = json_dumps(j, JSON_COMPACT | JSON_ESCAPE_SLASH);
		json_decref(j);
	}
	if ((b = evbuffer_new()) == NULL) {
		free(s);
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	evbuffer_add(b, status_dash_head, strlen(status_dash_head));
	evbuffer_add_printf(b, "%s", s != NULL ? s : "null");
	evbuffer_add(b, status_dash_tail, strlen(status_dash_tail));
	free(s);
	reply_common(req, "text/html; charset=utf-8");
	evhttp_add_header(h, "Content-Security-Policy", "default-src 'none'; "
	    "script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
	    "connect-src 'self'; img-src data:; base-uri 'none'; "
	    "form-action 'none'; frame-ancestors 'none'");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

static void
handle_healthz(struct evhttp_request *req)
{
	if (dns_healthy(clock_unix_ms()))
		reply_text(req, 200, "OK", "text/plain; charset=utf-8", "ok\n");
	else
		reply_text(req, 503, "Service Unavailable",
		    "text/plain; charset=utf-8",
		    "DNS workers do not answer\n");
}

/* \retval true when the request may use the admin API (else answered). */
static bool
admin_auth(struct evhttp_request *req)
{
	const char *h;

	if (st.token == NULL) {
		reply_error(req, 403, "Forbidden",
		    "admin API disabled: no status.token_file configured");
		return false;
	}
	h = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Authorization");
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0 ||
	    !token_equal(h + 7, strlen(h + 7), st.token, st.token_len)) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "WWW-Authenticate", "Bearer realm=\"mxspread\"");
		reply_error(req, 401, "Unauthorized",
		    h == NULL ? "missing bearer token" : "wrong bearer token");
		return false;
	}
	return true;
}

static void
handle_admin(struct evhttp_request *req, const char *pool,
    const char *server, const char *action)
{
	char pname[CONF_NAME_MAX + 1], sname[CONF_NAME_MAX + 1], msg[160];
	const struct world *w;
	const struct conf_pool *cp;
	size_t p = 0, s = 0;
	unsigned state;
	bool found = false, persisted = false;
	const char *path;

	if (strcmp(action, "drain") == 0)
		state = PSTATE_ADMIN_DRAIN;
	else if (strcmp(action, "maint") == 0)
		state = PSTATE_ADMIN_MAINT;
	else if (strcmp(action, "enable") == 0)
		state = PSTATE_ADMIN_ENABLED;
	else {
		reply_error(req, 404, "Not Found",
		    "unknown action (drain, maint or enable)");
		return;
	}
	if (!admin_auth(req))
		return;
	rcu_read_lock();
	w = world_get();
	if (w != NULL && w->conf != NULL &&
	    (cp = conf_pool_find(w->conf, pool, &p)) != NULL) {
		snprintf(pname, sizeof(pname), "%s", cp->name);
		for (s = 0; s < cp->nservers; s++)
			if (strcasecmp(cp->servers[s].name, server) == 0) {
				snprintf(sname, sizeof(sname), "%s",
				    cp->servers[s].name);
				found = true;
				break;
			}
	}
	rcu_read_unlock();
	if (!found) {
		reply_error(req, 404, "Not Found", "no such pool or server");
		return;
	}
	if (probe_set_admin(p, s, state) == -1) {
		reply_error(req, 503, "Service Unavailable",
		    "the probe engine is not running or does not know this "
		    "server yet");
		return;
	}
	if (admin_set(pname, sname, state) == -1) {
		reply_error(req, 500, "Internal Server Error", "out of memory");
		return;
	}
	path = st.state_file;
	if (path != NULL && state_save(path) == -1) {
		snprintf(msg, sizeof(msg), "applied, but not saved to the state "
		    "file: %s", strerror(errno));
		reply_error(req, 500, "Internal Server Error", msg);
		return;
	}
	persisted = path != NULL;
	log_info("status: pool %s server %s: admin %s (API)", pname, sname,
	    admin_name(state));
	reply_json(req, 200, "OK", json_pack("{s:s,s:s,s:s,s:b}", "pool", pname,
	    "server", sname, "admin", admin_name(state), "persisted",
	    persisted));
}

static void
handle_reload(struct evhttp_request *req)
{
	if (!admin_auth(req))
		return;
	st.reload_req_ms = clock_unix_ms();
	st.reload_reqs++;
	log_info("status: reload requested through the API");
	if (kill(getpid(), SIGHUP) == -1) {
		reply_error(req, 500, "Internal Server Error", strerror(errno));
		return;
	}
	reply_json(req, 202, "Accepted", json_pack("{s:s,s:o}", "reload",
	    "requested", "last_reload", json_reload()));
}

/* Split "/api/pools/P/servers/S/A"; \retval true when it has that shape. */
static bool
admin_path(const char *path, char *pool, char *server, char *action)
{
	const char *p = path + strlen("/api/pools/"), *e;
	size_t n;

	if ((e = strchr(p, '/')) == NULL || (n = (size_t)(e - p)) == 0 ||
	    n > CONF_NAME_MAX)
		return false;
	memcpy(pool, p, n);
	pool[n] = '\0';
	p = e + 1;
	if (strncmp(p, "servers/", 8) != 0)
		return false;
	p += 8;
	if ((e = strchr(p, '/')) == NULL || (n = (size_t)(e - p)) == 0 ||
	    n > CONF_NAME_MAX)
		return false;
	memcpy(server, p, n);
	server[n] = '\0';
	p = e + 1;
	if ((n = strlen(p)) == 0 || n > 15 || strchr(p, '/') != NULL)
		return false;
	memcpy(action, p, n + 1);
	return true;
}

/* The fixed paths: GET (and HEAD) or POST only, else 405. */
static const struct {
	const char *path;
	bool        post;
	void      (*handle)(struct evhttp_request *);
} status_routes[] = {
	{ "/",            false, handle_dashboard },
	{ "/index.html",  false, handle_dashboard },
	{ "/status.json", false, handle_status },
	{ "/metrics",     false, handle_metrics },
	{ "/healthz",     false, handle_healthz },
	{ "/api/reload",  true,  handle_reload },
};

static void
status_request(struct evhttp_request *req, void *arg)
{
	char pool[CONF_NAME_MAX + 1], server[CONF_NAME_MAX + 1], action[16];
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	bool get = cmd == EVHTTP_REQ_GET || cmd == EVHTTP_REQ_HEAD;
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	size_t i;

	(void)arg;
	if (path == NULL || *path == '\0')
		path = "/";
	for (i = 0; i < sizeof(status_routes) / sizeof(status_routes[0]); i++) {
		if (strcmp(path, status_routes[i].path) != 0)
			continue;
		if (status_routes[i].post ? cmd != EVHTTP_REQ_POST : !get)
			reply_405(req, status_routes[i].post ?
			    STATUS_ALLOW_POST : STATUS_ALLOW_GET);
		else
			status_routes[i].handle(req);
		return;
	}
	if (strncmp(path, "/api/pools/", 11) == 0 &&
	    admin_path(path, pool, server, action)) {
		if (cmd != EVHTTP_REQ_POST)
			reply_405(req, STATUS_ALLOW_POST);
		else
			handle_admin(req, pool, server, action);
	} else
		reply_error(req, 404, "Not Found", "not found");
}

/* ---- the thread: self-check, share window, admin reconcile -------------- */

static void
dns_read(evutil_socket_t fd, short what, void *arg)
{
	uint8_t buf[512];
	ssize_t n;
	int i;

	(void)what;
	(void)arg;
	for (i = 0; i < 16; i++) {
		if ((n = recv(fd, buf, sizeof(buf), 0)) < 0)
			return;
		if (n < 12 || (buf[2] & 0x80) == 0 ||
		    ((buf[0] << 8) | buf[1]) != st.dns_id)
			continue;
		st.dns_ok_ms = clock_unix_ms();
		st.dns_rcode = buf[3] & 0x0f;
	}
}

/* Send one SOA query for the first zone to the first DNS listen address. */
static void
dns_check(const struct world *w)
{
	struct sockaddr_storage ss;
	socklen_t len;
	uint8_t q[12 + 256 + 4];
	size_t qlen = 12;
	uint16_t id;

	if (w->conf->nlisten == 0)
		return;
	ss = w->conf->listen[0].ss;
	len = w->conf->listen[0].len;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		if (s4->sin_addr.s_addr == htonl(INADDR_ANY))
			s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		if (IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr))
			s6->sin6_addr = in6addr_loopback;
	} else
		return;
	if (st.dns_fd != -1 && st.dns_family != ss.ss_family) {
		event_free(st.dns_ev);
		st.dns_ev = NULL;
		close(st.dns_fd);
		st.dns_fd = -1;
	}
	if (st.dns_fd == -1) {
		st.dns_fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (st.dns_fd == -1) {
			log_warn("status: self-check socket");
			return;
		}
		st.dns_family = ss.ss_family;
		st.dns_ev = event_new(st.base, st.dns_fd, EV_READ | EV_PERSIST,
		    dns_read, NULL);
		if (st.dns_ev == NULL || event_add(st.dns_ev, NULL) == -1) {
			log_warnx("status: self-check event");
			if (st.dns_ev != NULL)
				event_free(st.dns_ev);
			st.dns_ev = NULL;
			close(st.dns_fd);
			st.dns_fd = -1;
			return;
		}
	}
	if (connect(st.dns_fd, (struct sockaddr *)&ss, len) == -1)
		return;
	arc4random_buf(&id, sizeof(id));
	st.dns_id = id;
	memset(q, 0, 12);
	q[0] = (uint8_t)(id >> 8);
	q[1] = (uint8_t)id;
	q[5] = 1;				/* QDCOUNT */
	if (w->nzones > 0 && w->zones[0]->origin_len > 0) {
		memcpy(q + 12, w->zones[0]->origin, w->zones[0]->origin_len);
		qlen += w->zones[0]->origin_len;
	} else
		q[qlen++] = 0;
	q[qlen++] = 0;
	q[qlen++] = ZONE_TYPE_SOA;
	q[qlen++] = 0;
	q[qlen++] = 1;				/* IN */
	st.dns_sent_ms = clock_unix_ms();
	(void)send(st.dns_fd, q, qlen, 0);
}

/* One row of first-preference counters per second, for the observed share. */
static void
share_sample(const struct world *w)
{
	size_t width = 0, i, j, flat;
	uint64_t *row;

	for (i = 0; i < w->conf->npools; i++)
		width += w->conf->pools[i].nservers;
	if (st.ring == NULL || st.ring_world != w ||
	    st.ring_loaded != w->loaded || st.ring_width != width) {
		free(st.ring);
		st.ring = calloc((STATUS_SHARE_WINDOW + 1) * (width ? width : 1),
		    sizeof(*st.ring));
		st.ring_width = width;
		st.ring_world = w;
		st.ring_loaded = w->loaded;
		st.ring_head = 0;
		st.ring_count = 0;
		if (st.ring == NULL)
			return;
	} else
		st.ring_head = (st.ring_head + 1) % (STATUS_SHARE_WINDOW + 1);
	row = st.ring + st.ring_head * width;
	for (i = 0, flat = 0; i < w->conf->npools; i++)
		for (j = 0; j < w->conf->pools[i].nservers; j++, flat++)
			row[flat] = answer_first_pref(i, j);
	if (st.ring_count < STATUS_SHARE_WINDOW + 1)
		st.ring_count++;
}

static void
status_tick(evutil_socket_t fd, short what, void *arg)
{
	const struct world *w;

	(void)fd;
	(void)what;
	(void)arg;
	/* every tick (250 ms) while unhealthy, so /healthz turns 200 soon
	 * after the workers start; else once a second, with the share row */
	st.ticks++;
	rcu_read_lock();
	if ((w = world_get()) != NULL && w->conf != NULL) {
		if (!dns_healthy(clock_unix_ms()) || st.ticks % 4 == 0)
			dns_check(w);
		if (st.ticks % 4 == 0)
			share_sample(w);
	}
	rcu_read_unlock();
	admin_reconcile();
}

/* The wake pipe: 'q' stops the thread, 'r' re-applies admin states. */
static void
status_wake(evutil_socket_t fd, short what, void *arg)
{
	bool quit = false, reload = false;
	char c;

	(void)what;
	(void)arg;
	while (read(fd, &c, 1) > 0) {
		if (c == 'q')
			quit = true;
		else if (c == 'r')
			reload = true;
	}
	if (quit)
		event_base_loopbreak(st.base);
	else if (reload)
		admin_reconcile();
}

static void *
status_thread(void *arg)
{
	(void)arg;
	rcu_register_thread();
	status_tick(-1, 0, NULL);
	event_base_dispatch(st.base);
	rcu_unregister_thread();
	return NULL;
}

/* ---- start and stop ---------------------------------------------------- */

static int
listen_socket(const struct conf_sockaddr *a)
{
	int fd;

	fd = sock_listen((const struct sockaddr *)&a->ss, a->len, SOCK_STREAM,
	    SOCK_F_NONBLOCK, 64);
	if (fd == -1)
		log_warn("status: cannot listen on %s", a->text);
	return fd;
}

static void
status_cleanup(void)
{
	if (st.dns_ev != NULL)
		event_free(st.dns_ev);
	if (st.dns_fd != -1)
		close(st.dns_fd);
	if (st.tick_ev != NULL)
		event_free(st.tick_ev);
	if (st.wake_ev != NULL)
		event_free(st.wake_ev);
	if (st.http != NULL)
		evhttp_free(st.http);
	if (st.base != NULL)
		event_base_free(st.base);
	if (st.wake[0] != -1)
		close(st.wake[0]);
	if (st.wake[1] != -1)
		close(st.wake[1]);
	if (st.token != NULL) {
		explicit_bzero(st.token, st.token_len);
		free(st.token);
	}
	free(st.admin);
	free(st.ring);
	free(st.state_file);
	memset(&st, 0, sizeof(st));
	st.wake[0] = st.wake[1] = -1;
	st.dns_fd = -1;
}

int
status_start(const struct conf *conf)
{
	struct timeval tick = { 0, 250000 };
	sigset_t all, old;
	size_t i, p, s;
	int fd = -1, rc;

	if (st.running) {
		log_warnx("status: already running");
		return -1;
	}
	if (!conf->status.enabled)
		return 0;
	if (conf->status.state_file != NULL &&
	    (st.state_file = strdup(conf->status.state_file)) == NULL) {
		log_warn("status: state file name");
		goto fail;
	}
	st.started_ms = clock_unix_ms();
	if (!addr_is_loopback(&conf->status.listen.ss) &&
	    conf->status.token_file == NULL) {
		log_warnx("status: refusing to listen on %s, not a loopback "
		    "address, without status.token_file",
		    conf->status.listen.text);
		goto fail;
	}
	if (conf->status.token_file != NULL &&
	    token_load(conf->status.token_file) == -1)
		goto fail;
	if (conf->status.state_file != NULL &&
	    state_load(conf->status.state_file) == -1)
		goto fail;

	if ((st.base = event_base_new()) == NULL ||
	    (st.http = evhttp_new(st.base)) == NULL) {
		log_warnx("status: cannot create the event base");
		goto fail;
	}
	evhttp_set_max_headers_size(st.http, STATUS_MAX_HEADERS);
	evhttp_set_max_body_size(st.http, STATUS_MAX_BODY);
	evhttp_set_timeout(st.http, STATUS_TIMEOUT);
	evhttp_set_allowed_methods(st.http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
	    EVHTTP_REQ_PATCH);
	evhttp_set_gencb(st.http, status_request, NULL);
	if ((fd = listen_socket(&conf->status.listen)) == -1)
		goto fail;
	if (evhttp_accept_socket_with_handle(st.http, fd) == NULL) {
		log_warnx("status: cannot accept on %s", conf->status.listen.text);
		close(fd);
		goto fail;
	}
	if (pipe2(st.wake, O_NONBLOCK | O_CLOEXEC) == -1) {
		log_warn("status: pipe");
		goto fail;
	}
	st.wake_ev = event_new(st.base, st.wake[0], EV_READ | EV_PERSIST,
	    status_wake, NULL);
	st.tick_ev = event_new(st.base, -1, EV_PERSIST, status_tick, NULL);
	if (st.wake_ev == NULL || st.tick_ev == NULL ||
	    event_add(st.wake_ev, NULL) == -1 ||
	    event_add(st.tick_ev, &tick) == -1) {
		log_warnx("status: cannot add events");
		goto fail;
	}

	/* Saved admin states, applied to the engine started before us. */
	for (i = 0; i < st.nadmin; i++) {
		if (conf_pool_find(conf, st.admin[i].pool, &p) == NULL) {
			log_warnx("status: state file: no pool %s (kept)",
			    st.admin[i].pool);
			continue;
		}
		for (s = 0; s < conf->pools[p].nservers; s++)
			if (strcmp(conf->pools[p].servers[s].name,
			    st.admin[i].server) == 0)
				break;
		if (s == conf->pools[p].nservers) {
			log_warnx("status: state file: no server %s in pool %s "
			    "(kept)", st.admin[i].server, st.admin[i].pool);
			continue;
		}
		if (probe_set_admin(p, s, st.admin[i].state) == 0)
			log_info("status: pool %s server %s: admin %s (state "
			    "file)", st.admin[i].pool, st.admin[i].server,
			    admin_name(st.admin[i].state));
	}

	/* The thread takes no signals: they belong to the main loop. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&st.thread, NULL, status_thread, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		errno = rc;
		log_warn("status: thread");
		goto fail;
	}
	st.running = true;
	log_info("status: listening on http://%s/", conf->status.listen.text);
	return 0;
fail:
	status_cleanup();
	return -1;
}

void
status_reloaded(void)
{
	char c = 'r';

	if (st.running && write(st.wake[1], &c, 1) == -1 && errno != EAGAIN)
		log_warn("status: reload notice");
}

void
status_stop(void)
{
	char c = 'q';

	if (!st.running)
		return;
	if (write(st.wake[1], &c, 1) == -1)
		log_warn("status: stop");
	pthread_join(st.thread, NULL);
	status_cleanup();
}
