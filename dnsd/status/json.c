/* json.c - status.json from a status model (pure). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
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

/* A duration for a sentence: "90 s", "42 min", "36 h". */
static void
say_dur(char *buf, size_t len, int64_t s)
{
	if (s < 0)
		s = -s;
	if (s < 120)
		snprintf(buf, len, "%" PRId64 " s", s);
	else if (s < 2 * 3600)
		snprintf(buf, len, "%" PRId64 " min", s / 60);
	else
		snprintf(buf, len, "%" PRId64 " h", s / 3600);
}

/*
 * What is wrong with a signed zone's signatures, in words, or null:
 * expired (validators reject the zone), within the refresh margin (the
 * daemon re-signs as soon as they are, so re-signing is late), re-signing
 * failing (the world is re-signed as a whole, so every signed zone says
 * so).
 */
static json_t *
dnssec_warning(const struct status_model *m, const struct status_dnssec *d)
{
	const struct dynsign_stats *st = &m->signer;
	int64_t left = d->expiration - m->now_ms / 1000;
	char buf[512], t1[32], t2[32];
	size_t off = 0;

	buf[0] = '\0';
	say_dur(t1, sizeof(t1), left);
	say_dur(t2, sizeof(t2), d->refresh);
	if (left <= 0)
		off = (size_t)snprintf(buf, sizeof(buf), "signatures EXPIRED "
		    "%s ago: validators reject the zone", t1);
	else if (left < (int64_t)d->refresh)
		off = (size_t)snprintf(buf, sizeof(buf), "signatures expire in "
		    "%s, within the refresh margin (%s): re-signing is late",
		    t1, t2);
	if (st->resign_failing && off < sizeof(buf))
		snprintf(buf + off, sizeof(buf) - off, "%sre-signing is "
		    "failing (%" PRIu64 " failures): %s", off > 0 ? "; " : "",
		    st->resign_failures, st->resign_error[0] != '\0' ?
		    st->resign_error : "see the log");
	return buf[0] != '\0' ? jstr(buf) : json_null();
}

/* The background re-signing record (the same for every signed zone: a
 * re-sign loads the whole world anew). */
static json_t *
json_resign(const struct dynsign_stats *st)
{
	json_t *o = json_object();

	json_object_set_new(o, "count", json_integer((json_int_t)st->resigns));
	json_object_set_new(o, "failures",
	    json_integer((json_int_t)st->resign_failures));
	json_object_set_new(o, "failing", json_boolean(st->resign_failing));
	json_object_set_new(o, "error", st->resign_failing ?
	    jstr(st->resign_error) : json_null());
	json_object_set_new(o, "failed_at", st->resign_failed_ms > 0 ?
	    json_integer(st->resign_failed_ms / 1000) : json_null());
	return o;
}

/* The current set of signed dynamic variants; null for a zone without
 * dynamic names. */
static json_t *
json_dynamic(const struct status_dnssec *d)
{
	json_t *o;

	if (d->ndyn == 0)
		return json_null();
	o = json_object();
	json_object_set_new(o, "names", json_integer((json_int_t)d->ndyn));
	json_object_set_new(o, "generation", d->has_dyn ?
	    json_integer((json_int_t)d->dyn_gen) : json_null());
	json_object_set_new(o, "signatures", d->has_dyn ?
	    json_integer((json_int_t)d->dyn_sigs) : json_null());
	json_object_set_new(o, "build_ms", d->has_dyn ? jreal(d->dyn_ms) :
	    json_null());
	json_object_set_new(o, "built_at", d->has_dyn ?
	    json_integer(d->dyn_built_ms / 1000) : json_null());
	return o;
}

/* "dnssec" of a zone: {"signed": false}, or its keys and signatures. */
static json_t *
json_dnssec(const struct status_model *m, const struct status_dnssec *d)
{
	json_t *o = json_object(), *keys;
	size_t k;

	json_object_set_new(o, "signed", json_boolean(d->on));
	if (!d->on)
		return o;
	keys = json_array();
	for (k = 0; k < d->nkeys; k++)
		json_array_append_new(keys, json_pack("{s:i,s:i,s:s}",
		    "tag", d->keys[k].tag, "algorithm", d->keys[k].alg,
		    "role", d->keys[k].active ? "active" : "published"));
	json_object_set_new(o, "keys", keys);
	json_object_set_new(o, "inception", json_integer(d->inception));
	json_object_set_new(o, "expiration", json_integer(d->expiration));
	json_object_set_new(o, "expires_in",
	    json_integer(d->expiration - m->now_ms / 1000));
	json_object_set_new(o, "validity", json_integer(d->validity));
	json_object_set_new(o, "refresh", json_integer(d->refresh));
	json_object_set_new(o, "signatures", json_integer((json_int_t)d->sigs));
	json_object_set_new(o, "signed_at", json_integer(d->signed_at));
	json_object_set_new(o, "sign_ms", jreal(d->sign_ms));
	json_object_set_new(o, "dynamic", json_dynamic(d));
	json_object_set_new(o, "resign", json_resign(&m->signer));
	json_object_set_new(o, "warning", dnssec_warning(m, d));
	return o;
}

/* The signer's totals since start (null while no zone is signed). */
static json_t *
json_signer(const struct status_model *m)
{
	const struct dynsign_stats *st = &m->signer;
	json_t *o;

	if (!m->dnssec)
		return json_null();
	o = json_object();
	json_object_set_new(o, "dynamic", json_pack("{s:I,s:I,s:I,s:o,s:o}",
	    "builds", (json_int_t)st->builds,
	    "failures", (json_int_t)st->failures,
	    "signatures", (json_int_t)st->sigs,
	    "last_ms", st->builds > 0 ? jreal(st->last_ms) : json_null(),
	    "last_at", st->last_at_ms > 0 ?
	    json_integer(st->last_at_ms / 1000) : json_null()));
	json_object_set_new(o, "resign", json_resign(st));
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
		json_array_append_new(zones, json_pack("{s:o,s:I,s:o}",
		    "origin", jstr(m->zones[i].origin),
		    "serial", (json_int_t)m->zones[i].serial,
		    "dnssec", json_dnssec(m, &m->zones[i].dnssec)));
	json_object_set_new(root, "zones", zones);
	json_object_set_new(root, "dnssec", json_signer(m));
	json_object_set_new(root, "queries", json_queries(&m->stats));

	pools = json_array();
	for (i = 0; i < m->npools; i++)
		json_array_append_new(pools, json_pool(m, &m->pools[i]));
	json_object_set_new(root, "pools", pools);
	json_object_set_new(root, "relay", m->relay ? json_relay(m) :
	    json_null());
	return root;
}
