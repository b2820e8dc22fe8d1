/* metrics.c - the Prometheus text of a status model (pure). */
#include <math.h>
#include <stdio.h>

#include "dnsd/base/version.h"
#include "dnsd/status/metrics.h"

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
prom_server(struct evbuffer *b, const char *name,
    const struct status_pool *mp, const struct status_server *ms,
    const char *extra, double v)
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
metrics_relay(const struct status_model *m, struct evbuffer *b)
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

/* Response rate limiting (dnsd/rrl.h) and DNS TCP connection counters
 * (dnsd/tcp.h). */
static void
metrics_rrl(const struct rrl_stats *rs, const struct tcp_stats *ts,
    struct evbuffer *b)
{
	const struct {
		const char *reason;
		uint64_t    n;
	} closed[] = {
		{ "per_source_limit",   ts->source_limited },
		{ "stalled_query",      ts->stalled },
		{ "idle_evicted",       ts->evicted },
		{ "idle_expired_early", ts->expired },
		{ "refused_none_idle",  ts->refused },
	};
	size_t i;

	prom_family(b, "mxspread_rrl_limited_total", "counter",
	    "UDP responses over the rate limit (slipped + dropped).");
	evbuffer_add_printf(b, "mxspread_rrl_limited_total %llu\n",
	    (unsigned long long)rs->limited);
	prom_family(b, "mxspread_rrl_responses_total", "counter",
	    "Rate-limited UDP responses, by what was done with them.");
	evbuffer_add_printf(b, "mxspread_rrl_responses_total"
	    "{action=\"slipped\"} %llu\n", (unsigned long long)rs->slipped);
	evbuffer_add_printf(b, "mxspread_rrl_responses_total"
	    "{action=\"dropped\"} %llu\n", (unsigned long long)rs->dropped);
	prom_family(b, "mxspread_dns_tcp_closed_total", "counter",
	    "DNS TCP connections closed under pressure or by abuse limits, "
	    "by reason.");
	for (i = 0; i < sizeof(closed) / sizeof(closed[0]); i++)
		evbuffer_add_printf(b, "mxspread_dns_tcp_closed_total"
		    "{reason=\"%s\"} %llu\n", closed[i].reason,
		    (unsigned long long)closed[i].n);
}

/* The process, the world and its zones. */
static void
metrics_daemon(const struct status_model *m, struct evbuffer *b)
{
	size_t i;

	prom_family(b, "mxspread_build_info", "gauge",
	    "Version of the running mxspread.");
	evbuffer_add_printf(b, "mxspread_build_info{version=\"%s\"} 1\n",
	    MXS_VERSION);
	prom_family(b, "mxspread_start_time_seconds", "gauge",
	    "Unix time the daemon started.");
	evbuffer_add_printf(b, "mxspread_start_time_seconds %lld\n",
	    (long long)(m->started_ms / 1000));
	prom_family(b, "mxspread_world_loaded_time_seconds", "gauge",
	    "Unix time the running configuration and zones were loaded.");
	evbuffer_add_printf(b, "mxspread_world_loaded_time_seconds %lld\n",
	    (long long)m->loaded);
	prom_family(b, "mxspread_reload_pending_restart", "gauge",
	    "Settings of the loaded configuration that take effect only with "
	    "a restart (status.json: last_reload.pending_restart).");
	evbuffer_add_printf(b, "mxspread_reload_pending_restart %zu\n",
	    m->reload.npending);
	/* The alert on a rejected reload: the old world keeps running, so
	 * nothing else in the samples would show it. */
	prom_family(b, "mxspread_config_reloads_total", "counter",
	    "Reloads attempted since start (SIGHUP or POST /api/reload).");
	evbuffer_add_printf(b, "mxspread_config_reloads_total %llu\n",
	    (unsigned long long)m->reload.count);
	prom_family(b, "mxspread_config_last_reload_successful", "gauge",
	    "0 while the last reload was rejected (the previous world runs).");
	evbuffer_add_printf(b, "mxspread_config_last_reload_successful %d\n",
	    m->reload.count == 0 || m->reload.ok ? 1 : 0);
	prom_family(b, "mxspread_dns_healthy", "gauge",
	    "1 while the DNS workers answer the status thread's self-query.");
	evbuffer_add_printf(b, "mxspread_dns_healthy %d\n",
	    m->healthy ? 1 : 0);

	prom_family(b, "mxspread_zone_serial", "gauge",
	    "SOA serial of each served zone.");
	for (i = 0; i < m->nzones; i++) {
		evbuffer_add_printf(b, "mxspread_zone_serial{zone=\"");
		prom_label(b, m->zones[i].origin);
		evbuffer_add_printf(b, "\"} %u\n", m->zones[i].serial);
	}
}

/* name{zone=".."[,extra]} value */
static void
prom_zone(struct evbuffer *b, const char *name, const struct status_zone *z,
    const char *extra, double v)
{
	evbuffer_add_printf(b, "%s{zone=\"", name);
	prom_label(b, z->origin);
	evbuffer_add_printf(b, "\"%s%s}", extra != NULL ? "," : "",
	    extra != NULL ? extra : "");
	prom_value(b, v);
}

#define EACH_SIGNED(m, z, i)						\
	for (i = 0; i < (m)->nzones; i++)				\
		if ((z = &(m)->zones[i])->dnssec.on)

/*
 * DNSSEC (zones/sign.h, dnsd/dynsign.h): whether each zone is signed, and
 * for the signed ones their keys, signature times and counts; the families
 * beyond mxspread_dnssec_signed only while a zone is signed. A zone
 * re-signed is a new world: its static signature count starts again (a
 * counter reset to Prometheus).
 */
static void
metrics_dnssec(const struct status_model *m, struct evbuffer *b)
{
	const struct dynsign_stats *st = &m->signer;
	const struct status_zone *z;
	char extra[96];
	size_t i, k;

	prom_family(b, "mxspread_dnssec_signed", "gauge",
	    "1 for a zone served signed (DNSSEC), 0 unsigned.");
	for (i = 0; i < m->nzones; i++)
		prom_zone(b, "mxspread_dnssec_signed", &m->zones[i], NULL,
		    m->zones[i].dnssec.on);
	if (!m->dnssec)
		return;
	prom_family(b, "mxspread_dnssec_key_info", "gauge",
	    "DNSKEYs of a signed zone: the active key signs, a published one "
	    "is only served (a successor).");
	EACH_SIGNED(m, z, i)
		for (k = 0; k < z->dnssec.nkeys; k++) {
			const struct status_dnskey *key = &z->dnssec.keys[k];

			snprintf(extra, sizeof(extra), "tag=\"%u\",algorithm="
			    "\"%u\",role=\"%s\"", (unsigned)key->tag,
			    (unsigned)key->alg, key->active ? "active" :
			    "published");
			prom_zone(b, "mxspread_dnssec_key_info", z, extra, 1);
		}
	prom_family(b, "mxspread_dnssec_signature_expiration_timestamp_seconds",
	    "gauge", "Unix time the earliest signatures of a zone expire.");
	EACH_SIGNED(m, z, i)
		prom_zone(b, "mxspread_dnssec_signature_expiration_timestamp_"
		    "seconds", z, NULL, (double)z->dnssec.expiration);
	prom_family(b, "mxspread_dnssec_signatures_expired", "gauge",
	    "1 while a zone is served with expired signatures (validators "
	    "reject it).");
	EACH_SIGNED(m, z, i)
		prom_zone(b, "mxspread_dnssec_signatures_expired", z, NULL,
		    m->now_ms / 1000 >= z->dnssec.expiration);
	prom_family(b, "mxspread_dnssec_refresh_seconds", "gauge",
	    "Re-signing margin of a zone: signatures are renewed this long "
	    "before they expire.");
	EACH_SIGNED(m, z, i)
		prom_zone(b, "mxspread_dnssec_refresh_seconds", z, NULL,
		    z->dnssec.refresh);
	prom_family(b, "mxspread_dnssec_signatures_total", "counter",
	    "Signatures made for a zone, by kind (static: at its last load or "
	    "re-sign).");
	EACH_SIGNED(m, z, i)
		prom_zone(b, "mxspread_dnssec_signatures_total", z,
		    "kind=\"static\"", (double)z->dnssec.sigs);
	prom_family(b, "mxspread_dnssec_last_signed_timestamp_seconds", "gauge",
	    "Unix time a zone was last signed (loaded or re-signed).");
	EACH_SIGNED(m, z, i)
		prom_zone(b, "mxspread_dnssec_last_signed_timestamp_seconds", z,
		    NULL, (double)z->dnssec.signed_at);
	prom_family(b, "mxspread_dnssec_sign_duration_seconds", "gauge",
	    "How long the last signing of a zone took.");
	EACH_SIGNED(m, z, i)
		prom_zone(b, "mxspread_dnssec_sign_duration_seconds", z, NULL,
		    z->dnssec.sign_ms / 1000.0);

	prom_family(b, "mxspread_dnssec_dynamic_builds_total", "counter",
	    "Builds of the signed dynamic variants (pool-state changes).");
	evbuffer_add_printf(b, "mxspread_dnssec_dynamic_builds_total %llu\n",
	    (unsigned long long)st->builds);
	prom_family(b, "mxspread_dnssec_dynamic_build_failures_total",
	    "counter", "Zone builds of signed dynamic variants that failed "
	    "(the previous variants stay).");
	evbuffer_add_printf(b, "mxspread_dnssec_dynamic_build_failures_total "
	    "%llu\n", (unsigned long long)st->failures);
	prom_family(b, "mxspread_dnssec_dynamic_signatures_total", "counter",
	    "Signatures made for dynamic variants since start.");
	evbuffer_add_printf(b, "mxspread_dnssec_dynamic_signatures_total "
	    "%llu\n", (unsigned long long)st->sigs);
	prom_family(b, "mxspread_dnssec_dynamic_build_seconds", "gauge",
	    "How long the last build of the signed dynamic variants took.");
	evbuffer_add_printf(b, "mxspread_dnssec_dynamic_build_seconds");
	prom_value(b, st->last_ms / 1000.0);
	prom_family(b, "mxspread_dnssec_resigns_total", "counter",
	    "Background re-signings done (new worlds loaded).");
	evbuffer_add_printf(b, "mxspread_dnssec_resigns_total %llu\n",
	    (unsigned long long)st->resigns);
	prom_family(b, "mxspread_dnssec_resign_failures_total", "counter",
	    "Background re-signings that failed (the old signatures are "
	    "served).");
	evbuffer_add_printf(b, "mxspread_dnssec_resign_failures_total %llu\n",
	    (unsigned long long)st->resign_failures);
	prom_family(b, "mxspread_dnssec_resign_failing", "gauge",
	    "1 while the last background re-signing failed.");
	evbuffer_add_printf(b, "mxspread_dnssec_resign_failing %d\n",
	    st->resign_failing ? 1 : 0);
}

/* The DNS workers' counters (dnsd/query.h). */
static void
metrics_dns(const struct status_model *m, struct evbuffer *b)
{
	size_t i;

	prom_family(b, "mxspread_dns_queries_total", "counter",
	    "DNS queries received, by query type.");
	for (i = 0; i < QUERY_NQTYPES; i++)
		evbuffer_add_printf(b, "mxspread_dns_queries_total{qtype=\"%s\"} "
		    "%llu\n", status_qtype_name(i),
		    (unsigned long long)m->stats.by_qtype[i]);
	prom_family(b, "mxspread_dns_responses_total", "counter",
	    "DNS responses sent, by response code.");
	for (i = 0; i < QUERY_NRCODES + 1; i++)
		evbuffer_add_printf(b, "mxspread_dns_responses_total{rcode=\"%s\"} "
		    "%llu\n", status_rcode_name(i),
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
	prom_family(b, "mxspread_dns_cookies_total", "counter",
	    "Queries with a DNS COOKIE option, by what their server cookie "
	    "was: none (client cookie only), valid, bad.");
	evbuffer_add_printf(b, "mxspread_dns_cookies_total{server_cookie="
	    "\"none\"} %llu\n", (unsigned long long)(m->stats.cookies -
	    m->stats.cookies_valid - m->stats.cookies_bad));
	evbuffer_add_printf(b, "mxspread_dns_cookies_total{server_cookie="
	    "\"valid\"} %llu\n", (unsigned long long)m->stats.cookies_valid);
	evbuffer_add_printf(b, "mxspread_dns_cookies_total{server_cookie="
	    "\"bad\"} %llu\n", (unsigned long long)m->stats.cookies_bad);
}

/* Pools and servers: what the pool state says of each. */
static void
metrics_servers(const struct status_model *m, struct evbuffer *b)
{
	const struct status_pool *mp;
	const struct status_server *ms;
	size_t i, j;

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
}

/* The probes: transitions, checks, rounds skipped or late, local errors. */
static void
metrics_probes(const struct status_model *m, struct evbuffer *b)
{
	const struct status_pool *mp;
	const struct status_server *ms;
	size_t i, j;

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
	prom_family(b, "mxspread_probe_local_errors_total", "counter",
	    "Probe attempts failed for want of descriptors or memory on this "
	    "host (not counted against the server).");
	EACH_SERVER(m, mp, ms, i, j)
		prom_server(b, "mxspread_probe_local_errors_total", mp, ms,
		    NULL, (double)ms->cnt.local);
}

/*
 * DANE (probes/smtp.h), for the servers whose dane mode is not off: the
 * state (1 for the current one, as admin_state) and the mismatches seen.
 */
static void
metrics_dane(const struct status_model *m, struct evbuffer *b)
{
	const struct status_pool *mp;
	const struct status_server *ms;
	char extra[48];
	size_t i, j;
	unsigned st;

	prom_family(b, "mxspread_server_dane_state", "gauge",
	    "DANE verdict of the STARTTLS probe on a server (1 for the "
	    "current state), for servers whose dane mode is not off.");
	EACH_SERVER(m, mp, ms, i, j)
		if (ms->known && ms->ps.dane_mode != PSTATE_DANE_OFF)
			for (st = PSTATE_DANE_UNKNOWN; st < PSTATE_DANE_NSTATES;
			    st++) {
				snprintf(extra, sizeof(extra), "state=\"%s\"",
				    pstate_dane_name(st));
				prom_server(b, "mxspread_server_dane_state", mp,
				    ms, extra, ms->ps.dane_state == st);
			}
	prom_family(b, "mxspread_server_dane_mismatches_total", "counter",
	    "Health checks whose certificate did not match the server's TLSA "
	    "records.");
	EACH_SERVER(m, mp, ms, i, j)
		if (ms->known && ms->ps.dane_mode != PSTATE_DANE_OFF)
			prom_server(b, "mxspread_server_dane_mismatches_total",
			    mp, ms, NULL, (double)ms->cnt.dane_mismatches);
}

/* First-preference answers per server (absent when none were counted). */
static void
metrics_first(const struct status_model *m, struct evbuffer *b)
{
	const struct status_pool *mp;
	const struct status_server *ms;
	size_t i, j;
	bool any = false;


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

void
status_metrics(const struct status_model *m, struct evbuffer *b)
{
	metrics_daemon(m, b);
	metrics_dnssec(m, b);
	metrics_dns(m, b);
	metrics_rrl(&m->rrl, &m->tcp, b);
	metrics_servers(m, b);
	metrics_probes(m, b);
	metrics_dane(m, b);
	if (m->relay)
		metrics_relay(m, b);
	metrics_first(m, b);
}
