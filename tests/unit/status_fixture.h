/* status_fixture.h - one status model built by hand, shared by test_json.c
 * and test_metrics.c: two pools (one without pool state yet), servers up,
 * down (with a reason that is not UTF-8) and drained, a label that needs
 * escaping, a relay with two backends still listening where the config no
 * longer says, a rejected reload after one that left two settings waiting
 * for a restart; two zones, mail.example.com. unsigned and
 * dane.example.net. signed with an active and a published key, its
 * signatures 2 days from expiry with a 7-day refresh margin (re-signing
 * is late), with dynamic names. */
#ifndef MXS_STATUS_FIXTURE_H
#define MXS_STATUS_FIXTURE_H

#include <math.h>
#include <string.h>

#include "dnsd/status/model.h"

/* A server name with a quote, a backslash and a newline. */
#define FX_ODD_NAME "b\"1\\x\ny"

static struct status_model   fx_m;
static struct status_pool    fx_pools[2];
static struct status_server  fx_srv0[3], fx_srv1[1];
static struct status_zone    fx_zones[2];
static char                  fx_addrs[2][INET6_ADDRSTRLEN];
static struct probe_result   fx_hist[2];
static struct relay_backend_stats fx_rb[2];

static struct status_model *
fx_model(void)
{
	struct status_model *m = &fx_m;
	struct status_server *s;

	memset(m, 0, sizeof(*m));
	memset(fx_pools, 0, sizeof(fx_pools));
	memset(fx_srv0, 0, sizeof(fx_srv0));
	memset(fx_srv1, 0, sizeof(fx_srv1));
	memset(fx_hist, 0, sizeof(fx_hist));
	memset(fx_rb, 0, sizeof(fx_rb));
	memset(fx_zones, 0, sizeof(fx_zones));

	m->now_ms = 1700000123456LL;
	m->started_ms = 1700000000000LL;
	m->healthy = true;
	m->loaded = 1700000050;
	m->gen = 42;
	m->reload.count = 2;
	m->reload.time_ms = 1700000100999LL;
	m->reload.ok = false;
	strcpy(m->reload.errors, "conf:3: unknown key \"x\"");
	strcpy(m->reload.pending[0], "listen");
	strcpy(m->reload.pending[1], "relay.listen");
	m->reload.npending = 2;
	m->reload.api_requests = 1;
	m->reload.api_requested_ms = 1700000100500LL;
	strcpy(fx_zones[0].origin, "mail.example.com.");
	fx_zones[0].serial = 2026112701;
	strcpy(fx_zones[1].origin, "dane.example.net.");
	fx_zones[1].serial = 7;
	fx_zones[1].dnssec = (struct status_dnssec){
		.on = true,
		.keys = { { 12345, 13, true }, { 54321, 15, false } },
		.nkeys = 2,
		/* signed 12 days ago for 14: 2 days left, 7 of margin */
		.inception = 1700000123 - 12 * 86400 - 3600,
		.expiration = 1700000123 + 2 * 86400,
		.sigs = 57,
		.signed_at = 1700000123 - 12 * 86400,
		.sign_ms = 12.5,
		.validity = 14 * 86400,
		.refresh = 7 * 86400,
		.ndyn = 2,
		.has_dyn = true,
		.dyn_gen = 41,
		.dyn_sigs = 400,
		.dyn_ms = 3.25,
		.dyn_built_ms = 1700000120500LL,
	};
	m->zones = fx_zones;
	m->nzones = 2;
	m->dnssec = true;
	m->signer.builds = 3;
	m->signer.failures = 1;
	m->signer.sigs = 1200;
	m->signer.last_ms = 3.25;
	m->signer.last_at_ms = 1700000120500LL;
	m->signer.resigns = 4;
	m->share_window = 60;
	m->stats.queries = 100;
	m->stats.udp = 90;
	m->stats.tcp = 10;
	m->stats.by_qtype[0] = 20;		/* A */
	m->stats.by_qtype[4] = 70;		/* MX */
	m->stats.by_qtype[QUERY_NQTYPES - 1] = 10;
	m->stats.by_rcode[0] = 94;		/* NOERROR */
	m->stats.by_rcode[3] = 5;		/* NXDOMAIN */
	m->stats.by_rcode[QUERY_NRCODES] = 1;	/* other */
	m->stats.truncated = 3;
	m->stats.dropped = 1;
	m->stats.cookies = 9;
	m->stats.cookies_valid = 5;
	m->stats.cookies_bad = 3;
	m->rrl.limited = 7;
	m->rrl.slipped = 4;
	m->rrl.dropped = 3;
	m->tcp.source_limited = 2;
	m->tcp.stalled = 1;
	m->tcp.evicted = 7;
	m->tcp.expired = 3;
	m->tcp.refused = 5;

	/* inbound: mx1 up, mx2 down, mx3 drained */
	strcpy(fx_pools[0].name, "inbound");
	fx_pools[0].policy = CONF_POLICY_WEIGHTED;
	fx_pools[0].probe = CONF_PROBE_SMTP;
	fx_pools[0].interval = 5.0;
	fx_pools[0].has_load = true;
	fx_pools[0].load = CONF_PROBE_AGENT;
	fx_pools[0].known = true;
	fx_pools[0].nup = 1;
	fx_pools[0].degraded = true;
	fx_pools[0].total_weight = 3.0;
	fx_pools[0].window_first = 50;
	fx_pools[0].servers = fx_srv0;
	fx_pools[0].nservers = 3;

	s = &fx_srv0[0];
	strcpy(s->name, "mx1");
	strcpy(fx_addrs[0], "192.0.2.11");
	strcpy(fx_addrs[1], "2001:db8::11");
	s->addrs = fx_addrs;
	s->naddrs = 2;
	s->weight = 4;
	s->known = true;
	s->ps.up = true;
	s->ps.load = 25.0;
	s->ps.load_factor = 0.75;
	s->ps.slowstart_factor = 1.0;
	s->ps.eff_weight = 3.0;
	s->ps.transitions = 1;
	s->ps.since_ms = 1700000001000LL;
	s->ps.cert_days = 30;
	/* DANE required, matched by its 3 1 1 record */
	s->ps.dane_mode = PSTATE_DANE_REQUIRE;
	s->ps.dane_state = PSTATE_DANE_MATCH;
	s->ps.dane_tlsa = 2;
	s->ps.dane_unusable = 1;
	strcpy(s->ps.dane_match, "3 1 1 0123abcd...");
	s->cnt.ok = 10;
	s->cnt.failed = 1;
	s->cnt.skipped = 2;
	s->cnt.late = 3;
	s->cnt.local = 4;
	fx_hist[0].time_ms = 1700000110000LL;
	fx_hist[0].ok = false;
	fx_hist[0].latency_us = 200000;
	strcpy(fx_hist[0].reason, "timeout");
	fx_hist[1].time_ms = 1700000115000LL;
	fx_hist[1].ok = true;
	fx_hist[1].latency_us = 2500;
	s->hist = fx_hist;
	s->nhist = 2;
	s->has_first = true;
	s->first = 50;
	s->observed = 1.0;
	s->target = 1.0;

	s = &fx_srv0[1];
	strcpy(s->name, "mx2");
	s->weight = 2;
	s->tier = 1;
	s->known = true;
	s->ps.up = false;
	s->ps.load = -1;
	s->ps.load_factor = 1.0;
	s->ps.slowstart_factor = 1.0;
	s->ps.transitions = 2;
	s->ps.since_ms = 1700000090000LL;
	s->ps.cert_days = INT32_MIN;
	strcpy(s->ps.reason, "banner: 554 \xff busy");
	/* DANE checked: mismatched three times, still eligible */
	s->ps.dane_mode = PSTATE_DANE_CHECK;
	s->ps.dane_state = PSTATE_DANE_MISMATCH;
	s->ps.dane_tlsa = 1;
	strcpy(s->ps.dane_reason, "DANE mismatch: presented 3 1 1 "
	    "89abcdef..., published 3 1 1 0123abcd...");
	s->cnt.dane_mismatches = 3;
	s->cnt.failed = 12;
	s->has_first = true;
	s->first = 0;
	s->observed = -1;
	s->target = 2.0 / 3.0;

	s = &fx_srv0[2];
	strcpy(s->name, "mx3");
	s->weight = 1;
	s->known = true;
	s->ps.up = true;
	s->ps.admin = PSTATE_ADMIN_DRAIN;
	s->ps.agent_admin = PSTATE_ADMIN_MAINT;
	s->ps.load = -1;
	s->ps.load_factor = NAN;
	s->ps.slowstart_factor = 1.0;
	s->ps.cert_days = INT32_MIN;
	s->has_first = true;
	s->first = 7;
	s->observed = 0.0;

	/* backup: no pool state yet, no first-preference counts */
	strcpy(fx_pools[1].name, "backup");
	fx_pools[1].policy = CONF_POLICY_FAILOVER;
	fx_pools[1].probe = CONF_PROBE_NONE;
	fx_pools[1].servers = fx_srv1;
	fx_pools[1].nservers = 1;
	s = &fx_srv1[0];
	strcpy(s->name, FX_ODD_NAME);
	s->weight = 1;
	s->ps.cert_days = INT32_MIN;
	s->observed = -1;

	m->pools = fx_pools;
	m->npools = 2;

	m->relay = true;
	strcpy(m->relay_pool, "inbound");
	strcpy(m->relay_listen, "127.0.0.1:2525 [::1]:2525");
	m->relay_configured = true;
	strcpy(m->relay_conf_listen, "127.0.0.1:2626");
	m->relay_pending = RELAY_PENDING_LISTEN;
	m->rs.running = true;
	m->rs.accepted = 5;
	m->rs.active = 2;
	m->rs.rejected_421 = 6;
	m->rs.rejected_max_conn = 1;
	m->rs.rejected_per_source = 2;
	m->rs.unavailable = 3;
	m->rs.idle_timeouts = 4;
	m->rs.bytes_in = 1000;
	m->rs.bytes_out = 2000;
	strcpy(fx_rb[0].name, "mx1");
	fx_rb[0].active = 2;
	fx_rb[0].total = 9;
	fx_rb[0].failed_connects = 1;
	fx_rb[0].bytes_in = 600;
	fx_rb[0].bytes_out = 1200;
	strcpy(fx_rb[1].name, "mx2");
	fx_rb[1].failed_connects = 4;
	m->rb = fx_rb;
	m->nrb = 2;
	return m;
}

#endif
