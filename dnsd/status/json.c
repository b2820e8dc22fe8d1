/* json.c - status.json from a status model (pure). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dnsd/base/version.h"
#include "dnsd/status/json.h"
#include "probes/admin.h"

static json_t *
jreal(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

/* A JSON string; bytes that are not valid UTF-8 become '?'. */
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

static const char *
pool_state(const struct status_pool *mp)
{
	if (!mp->known)
		return "unknown";
	if (mp->nup == 0)
		return "down";
	return mp->degraded ? "degraded" : "ok";
}

/* The lines of a loader's output, one string each. */
static json_t *
jlines(const char *text)
{
	json_t *a = json_array();
	const char *nl;
	char *line;

	while (*text != '\0') {
		nl = strchr(text, '\n');
		if (nl == NULL)
			nl = text + strlen(text);
		if (nl > text && (line = strndup(text, (size_t)(nl - text))) !=
		    NULL) {
			json_array_append_new(a, jstr(line));
			free(line);
		}
		text = *nl == '\n' ? nl + 1 : nl;
	}
	return a;
}

json_t *
status_json_reload(const struct status_reload *r)
{
	json_t *o = json_object(), *p;
	size_t i;

	json_object_set_new(o, "count", json_integer((json_int_t)r->count));
	json_object_set_new(o, "time", r->time_ms > 0 ?
	    json_integer(r->time_ms / 1000) : json_null());
	json_object_set_new(o, "ok", r->count > 0 ? json_boolean(r->ok) :
	    json_null());
	json_object_set_new(o, "errors", r->count > 0 ?
	    jstr(r->errors) : json_null());
	json_object_set_new(o, "warnings", r->count > 0 ?
	    jlines(r->warnings) : json_null());
	p = json_array();
	for (i = 0; i < r->npending && i < STATUS_RELOAD_PENDING; i++)
		json_array_append_new(p, jstr(r->pending[i]));
	json_object_set_new(o, "pending_restart", p);
	json_object_set_new(o, "api_requests",
	    json_integer((json_int_t)r->api_requests));
	json_object_set_new(o, "api_requested", r->api_requested_ms > 0 ?
	    json_integer(r->api_requested_ms / 1000) : json_null());
	return o;
}

static json_t *
json_checks(const struct status_server *ms)
{
	json_t *h, *e;
	size_t k;

	h = json_array();
	for (k = 0; k < ms->nhist; k++) {
		const struct probe_result *r = &ms->hist[k];

		e = json_pack("{s:I,s:b,s:o}", "time", (json_int_t)r->time_ms,
		    "ok", r->ok, "latency_ms", jreal(r->latency_us / 1000.0));
		if (!r->ok)
			json_object_set_new(e, "reason", jstr(r->reason));
		json_array_append_new(h, e);
	}
	return h;
}

/* DANE (probes/smtp.h): the mode in effect, the last verdict, the record
 * that matched, the usable and ignored TLSA records, the mismatches. */
static json_t *
json_dane(const struct status_server *ms)
{
	const struct pstate_server *s = &ms->ps;
	json_t *o = json_object();

	json_object_set_new(o, "mode",
	    json_string(pstate_dane_mode_name(s->dane_mode)));
	json_object_set_new(o, "state",
	    json_string(pstate_dane_name(s->dane_state)));
	json_object_set_new(o, "matched", s->dane_state == PSTATE_DANE_MATCH ?
	    jstr(s->dane_match) : json_null());
	json_object_set_new(o, "reason", s->dane_reason[0] != '\0' ?
	    jstr(s->dane_reason) : json_null());
	json_object_set_new(o, "tlsa", json_integer(s->dane_tlsa));
	json_object_set_new(o, "ignored", json_integer(s->dane_unusable));
	json_object_set_new(o, "mismatches",
	    json_integer((json_int_t)ms->cnt.dane_mismatches));
	return o;
}

static json_t *
json_server(const struct status_server *ms)
{
	json_t *o, *a;
	size_t k;

	o = json_object();
	json_object_set_new(o, "name", json_string(ms->name));
	a = json_array();
	for (k = 0; k < ms->naddrs; k++)
		json_array_append_new(a, json_string(ms->addrs[k]));
	json_object_set_new(o, "addresses", a);
	/* where the probes (and the relay) reach it, when not at addresses */
	if (ms->probe_addr[0] != '\0')
		json_object_set_new(o, "probe_address",
		    json_string(ms->probe_addr));
	if (ms->probe_port != 0)
		json_object_set_new(o, "probe_port",
		    json_integer(ms->probe_port));
	json_object_set_new(o, "weight", json_integer(ms->weight));
	json_object_set_new(o, "tier", json_integer(ms->tier));
	json_object_set_new(o, "health", json_string(!ms->known ? "unknown" :
	    ms->ps.up ? "up" : "down"));
	json_object_set_new(o, "up", json_boolean(ms->known && ms->ps.up));
	json_object_set_new(o, "admin",
	    json_string(admin_state_name(ms->ps.admin)));
	json_object_set_new(o, "agent_admin",
	    json_string(admin_state_name(ms->ps.agent_admin)));
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
	json_object_set_new(o, "dane", json_dane(ms));
	json_object_set_new(o, "reason", jstr(ms->ps.reason));
	json_object_set_new(o, "checks", json_pack("{s:I,s:I,s:I,s:I,s:I}",
	    "ok", (json_int_t)ms->cnt.ok, "failed", (json_int_t)ms->cnt.failed,
	    "skipped", (json_int_t)ms->cnt.skipped,
	    "late", (json_int_t)ms->cnt.late,
	    "local_errors", (json_int_t)ms->cnt.local));
	if (ms->nhist > 0) {
		const struct probe_result *r = &ms->hist[ms->nhist - 1];

		json_object_set_new(o, "last_check", json_pack(
		    "{s:I,s:b,s:o,s:o}", "time", (json_int_t)r->time_ms,
		    "ok", r->ok, "latency_ms", jreal(r->latency_us / 1000.0),
		    "reason", jstr(r->reason)));
	} else
		json_object_set_new(o, "last_check", json_null());
	json_object_set_new(o, "history", json_checks(ms));
	return o;
}

static json_t *
json_queries(const struct query_stats *s)
{
	json_t *q, *by;
	size_t i;

	q = json_object();
	json_object_set_new(q, "total", json_integer((json_int_t)s->queries));
	json_object_set_new(q, "udp", json_integer((json_int_t)s->udp));
	json_object_set_new(q, "tcp", json_integer((json_int_t)s->tcp));
	json_object_set_new(q, "truncated",
	    json_integer((json_int_t)s->truncated));
	json_object_set_new(q, "dropped", json_integer((json_int_t)s->dropped));
	by = json_object();
	json_object_set_new(by, "seen", json_integer((json_int_t)s->cookies));
	json_object_set_new(by, "valid",
	    json_integer((json_int_t)s->cookies_valid));
	json_object_set_new(by, "bad", json_integer((json_int_t)s->cookies_bad));
	json_object_set_new(q, "cookies", by);
	by = json_object();
	for (i = 0; i < QUERY_NQTYPES; i++)
		json_object_set_new(by, status_qtype_name(i),
		    json_integer((json_int_t)s->by_qtype[i]));
	json_object_set_new(q, "by_qtype", by);
	by = json_object();
	for (i = 0; i < QUERY_NRCODES + 1; i++)
		json_object_set_new(by, status_rcode_name(i),
		    json_integer((json_int_t)s->by_rcode[i]));
	json_object_set_new(q, "by_rcode", by);
	return q;
}

static json_t *
json_pool(const struct status_model *m, const struct status_pool *mp)
{
	json_t *o, *srv;
	size_t j;

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
		json_object_set_new(o, "share_window",
		    json_integer(m->share_window));
	srv = json_array();
	for (j = 0; j < mp->nservers; j++)
		json_array_append_new(srv, json_server(&mp->servers[j]));
	json_object_set_new(o, "servers", srv);
	return o;
}

static json_t *
json_relay(const struct status_model *m)
{
	const struct relay_stats *rs = &m->rs;
	const char *names[RELAY_PENDING_MAX];
	json_t *o, *bes, *p;
	size_t i, n;

	o = json_object();
	json_object_set_new(o, "pool", jstr(m->relay_pool));
	json_object_set_new(o, "listen", jstr(m->relay_listen));
	json_object_set_new(o, "running", json_boolean(rs->running));
	json_object_set_new(o, "configured",
	    json_boolean(m->relay_configured));
	json_object_set_new(o, "configured_listen", m->relay_configured ?
	    jstr(m->relay_conf_listen) : json_null());
	n = relay_pending_names(m->relay_pending, names, RELAY_PENDING_MAX);
	p = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(p, json_string(names[i]));
	json_object_set_new(o, "pending_restart", p);
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
	bes = json_array();
	for (i = 0; i < m->nrb; i++)
		json_array_append_new(bes, json_pack(
		    "{s:s,s:I,s:I,s:I,s:I,s:I}", "name", m->rb[i].name,
		    "active", (json_int_t)m->rb[i].active,
		    "total", (json_int_t)m->rb[i].total,
		    "failed_connects", (json_int_t)m->rb[i].failed_connects,
		    "bytes_in", (json_int_t)m->rb[i].bytes_in,
		    "bytes_out", (json_int_t)m->rb[i].bytes_out));
	json_object_set_new(o, "backends", bes);
	return o;
}

json_t *
status_json(const struct status_model *m)
{
	json_t *root, *zones, *pools;
	size_t i;

	if ((root = json_object()) == NULL)
		return NULL;
	json_object_set_new(root, "version", json_string(MXS_VERSION));
	json_object_set_new(root, "now", json_integer(m->now_ms));
	json_object_set_new(root, "started", json_integer(m->started_ms / 1000));
	json_object_set_new(root, "uptime",
	    json_integer((m->now_ms - m->started_ms) / 1000));
	json_object_set_new(root, "healthy", json_boolean(m->healthy));
	json_object_set_new(root, "world_loaded", json_integer(m->loaded));
	json_object_set_new(root, "state_gen", json_integer((json_int_t)m->gen));
	json_object_set_new(root, "last_reload", status_json_reload(&m->reload));

	zones = json_array();
	for (i = 0; i < m->nzones; i++)
		json_array_append_new(zones, json_pack("{s:s,s:I}", "origin",
		    m->zones[i].origin, "serial", (json_int_t)m->zones[i].serial));
	json_object_set_new(root, "zones", zones);
	json_object_set_new(root, "queries", json_queries(&m->stats));

	pools = json_array();
	for (i = 0; i < m->npools; i++)
		json_array_append_new(pools, json_pool(m, &m->pools[i]));
	json_object_set_new(root, "pools", pools);
	json_object_set_new(root, "relay", m->relay ? json_relay(m) :
	    json_null());
	return root;
}
