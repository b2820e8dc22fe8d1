/* test_json.c - unit tests of the status.json renderer (dnsd/status/json.c),
 * fed a hand-built model: every field checked by path against its exact
 * JSON value, the key sets and order of the objects, null rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dnsd/base/version.h"
#include "dnsd/status/json.h"
#include "status_fixture.h"

/* The value at "a/0/b" (numbers index arrays), or NULL. */
static json_t *
at(json_t *j, const char *path)
{
	char buf[256], *tok, *save = NULL, *end;
	unsigned long i;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, "/", &save); tok != NULL && j != NULL;
	    tok = strtok_r(NULL, "/", &save)) {
		i = strtoul(tok, &end, 10);
		if (*end == '\0' && json_is_array(j))
			j = json_array_get(j, i);
		else
			j = json_object_get(j, tok);
	}
	return j;
}

/* path = the JSON value written out (an integer is not a real: 3 vs 3.0). */
struct field {
	const char *path;
	const char *want;
};

static void
check_fields(json_t *doc, const struct field *f, size_t n)
{
	json_error_t e;
	json_t *want, *got;
	char *s;
	size_t i;

	for (i = 0; i < n; i++) {
		want = json_loads(f[i].want, JSON_DECODE_ANY, &e);
		if (want == NULL)
			fail_msg("bad expectation for %s: %s", f[i].path, e.text);
		got = at(doc, f[i].path);
		if (got == NULL || !json_equal(got, want)) {
			s = got != NULL ? json_dumps(got, JSON_ENCODE_ANY) : NULL;
			fail_msg("%s: got %s, want %s", f[i].path,
			    s != NULL ? s : "(absent)", f[i].want);
		}
		json_decref(want);
	}
}

/* The keys of an object, in order, joined by spaces. */
static void
check_keys(json_t *o, const char *want)
{
	char got[1024] = "";
	const char *k;
	json_t *v;

	assert_true(json_is_object(o));
	json_object_foreach(o, k, v) {
		if (got[0] != '\0')
			strcat(got, " ");
		strcat(got, k);
	}
	assert_string_equal(got, want);
}

static const struct field top[] = {
	{ "version",              "\"" MXS_VERSION "\"" },
	{ "now",                  "1700000123456" },
	{ "started",              "1700000000" },
	{ "uptime",               "123" },
	{ "healthy",              "true" },
	{ "world_loaded",         "1700000050" },
	{ "state_gen",            "42" },
	{ "last_reload",          "{\"count\":2,\"time\":1700000100,\"ok\":false,"
	    "\"errors\":\"conf:3: unknown key \\\"x\\\"\",\"warnings\":[],"
	    "\"pending_restart\":[\"listen\",\"relay.listen\"],"
	    "\"api_requests\":1,\"api_requested\":1700000100}" },
	/* unsigned: only that */
	{ "zones/0",              "{\"origin\":\"mail.example.com.\","
	    "\"serial\":2026112701,\"dnssec\":{\"signed\":false}}" },
	{ "dnssec",               "{\"dynamic\":{\"builds\":3,\"failures\":1,"
	    "\"signatures\":1200,\"last_ms\":3.25,\"last_at\":1700000120},"
	    "\"resign\":{\"count\":4,\"failures\":0,\"failing\":false,"
	    "\"error\":null,\"failed_at\":null}}" },
	{ "queries/total",        "100" },
	{ "queries/udp",          "90" },
	{ "queries/tcp",          "10" },
	{ "queries/truncated",    "3" },
	{ "queries/dropped",      "1" },
	{ "queries/cookies/seen", "9" },
	{ "queries/cookies/valid", "5" },
	{ "queries/cookies/bad",  "3" },
	{ "queries/by_qtype",     "{\"A\":20,\"NS\":0,\"CNAME\":0,\"SOA\":0,"
	    "\"MX\":70,\"TXT\":0,\"AAAA\":0,\"other\":10}" },
	{ "queries/by_rcode",     "{\"NOERROR\":94,\"FORMERR\":0,\"SERVFAIL\":0,"
	    "\"NXDOMAIN\":5,\"NOTIMP\":0,\"REFUSED\":0,\"other\":1}" },
};

static const struct field pools[] = {
	{ "pools/0/name",             "\"inbound\"" },
	{ "pools/0/policy",           "\"weighted\"" },
	{ "pools/0/state",            "\"degraded\"" },
	{ "pools/0/probe",            "\"smtp\"" },
	{ "pools/0/probe_interval",   "5.0" },
	{ "pools/0/load_probe",       "\"agent\"" },
	{ "pools/0/servers_up",       "1" },
	{ "pools/0/servers_total",    "3" },
	{ "pools/0/total_weight",     "3.0" },
	{ "pools/0/share_window",     "60" },
	{ "pools/1/name",             "\"backup\"" },
	{ "pools/1/policy",           "\"failover\"" },
	{ "pools/1/state",            "\"unknown\"" },
	{ "pools/1/probe",            "\"none\"" },
	{ "pools/1/load_probe",       "null" },
	{ "pools/1/servers_up",       "0" },
	{ "pools/1/servers_total",    "1" },
	{ "pools/1/total_weight",     "0.0" },
};

/* mx1 up (with history), mx2 down, mx3 drained, the backup pool's server
 * without pool state. */
static const struct field servers[] = {
	{ "pools/0/servers/0/name",               "\"mx1\"" },
	{ "pools/0/servers/0/addresses",          "[\"192.0.2.11\",\"2001:db8::11\"]" },
	{ "pools/0/servers/0/weight",             "4" },
	{ "pools/0/servers/0/tier",               "0" },
	{ "pools/0/servers/0/health",             "\"up\"" },
	{ "pools/0/servers/0/up",                 "true" },
	{ "pools/0/servers/0/admin",              "\"enabled\"" },
	{ "pools/0/servers/0/agent_admin",        "\"enabled\"" },
	{ "pools/0/servers/0/load",               "25.0" },
	{ "pools/0/servers/0/load_factor",        "0.75" },
	{ "pools/0/servers/0/slowstart_factor",   "1.0" },
	{ "pools/0/servers/0/eff_weight",         "3.0" },
	{ "pools/0/servers/0/target_share",       "1.0" },
	{ "pools/0/servers/0/first_pref_answers", "50" },
	{ "pools/0/servers/0/observed_share",     "1.0" },
	{ "pools/0/servers/0/transitions",        "1" },
	{ "pools/0/servers/0/since",              "1700000001000" },
	{ "pools/0/servers/0/cert_days",          "30" },
	{ "pools/0/servers/0/dane",               "{\"mode\":\"require\","
	    "\"state\":\"match\",\"matched\":\"3 1 1 0123abcd...\","
	    "\"reason\":null,\"tlsa\":2,\"ignored\":1,\"mismatches\":0}" },
	{ "pools/0/servers/0/reason",             "\"\"" },
	{ "pools/0/servers/0/checks",             "{\"ok\":10,\"failed\":1,"
	    "\"skipped\":2,\"late\":3,\"local_errors\":4}" },
	{ "pools/0/servers/0/last_check",         "{\"time\":1700000115000,"
	    "\"ok\":true,\"latency_ms\":2.5,\"reason\":\"\"}" },
	{ "pools/0/servers/0/history",            "[{\"time\":1700000110000,"
	    "\"ok\":false,\"latency_ms\":200.0,\"reason\":\"timeout\"},"
	    "{\"time\":1700000115000,\"ok\":true,\"latency_ms\":2.5}]" },

	{ "pools/0/servers/1/name",               "\"mx2\"" },
	{ "pools/0/servers/1/addresses",          "[]" },
	{ "pools/0/servers/1/tier",               "1" },
	{ "pools/0/servers/1/health",             "\"down\"" },
	{ "pools/0/servers/1/up",                 "false" },
	{ "pools/0/servers/1/load",               "null" },
	{ "pools/0/servers/1/eff_weight",         "0.0" },
	{ "pools/0/servers/1/target_share",       "0.66666666666666663" },
	{ "pools/0/servers/1/first_pref_answers", "0" },
	{ "pools/0/servers/1/observed_share",     "null" },
	{ "pools/0/servers/1/transitions",        "2" },
	{ "pools/0/servers/1/since",              "1700000090000" },
	{ "pools/0/servers/1/cert_days",          "null" },
	{ "pools/0/servers/1/dane",               "{\"mode\":\"check\","
	    "\"state\":\"mismatch\",\"matched\":null,\"reason\":\"DANE "
	    "mismatch: presented 3 1 1 89abcdef..., published 3 1 1 "
	    "0123abcd...\",\"tlsa\":1,\"ignored\":0,\"mismatches\":3}" },
	/* not UTF-8: the odd byte becomes '?', the field stays */
	{ "pools/0/servers/1/reason",             "\"banner: 554 ? busy\"" },
	{ "pools/0/servers/1/checks/failed",      "12" },
	{ "pools/0/servers/1/last_check",         "null" },
	{ "pools/0/servers/1/history",            "[]" },

	{ "pools/0/servers/2/health",             "\"up\"" },
	{ "pools/0/servers/2/up",                 "true" },
	{ "pools/0/servers/2/admin",              "\"drain\"" },
	{ "pools/0/servers/2/agent_admin",        "\"maint\"" },
	{ "pools/0/servers/2/eff_weight",         "0.0" },
	/* not finite: null rather than invalid JSON */
	{ "pools/0/servers/2/load_factor",        "null" },
	{ "pools/0/servers/2/observed_share",     "0.0" },
	{ "pools/0/servers/2/first_pref_answers", "7" },
	{ "pools/0/servers/2/since",              "null" },

	{ "pools/1/servers/0/name",               "\"" "b\\\"1\\\\x\\ny" "\"" },
	{ "pools/1/servers/0/health",             "\"unknown\"" },
	{ "pools/1/servers/0/up",                 "false" },
	{ "pools/1/servers/0/load",               "null" },
	/* no DANE: off, nothing matched */
	{ "pools/1/servers/0/dane",               "{\"mode\":\"off\","
	    "\"state\":\"off\",\"matched\":null,\"reason\":null,"
	    "\"tlsa\":0,\"ignored\":0,\"mismatches\":0}" },
};

/* The signed zone: 2 days left, 7 of margin. */
static const struct field dnssec[] = {
	{ "zones/1/origin",             "\"dane.example.net.\"" },
	{ "zones/1/serial",             "7" },
	{ "zones/1/dnssec/signed",      "true" },
	{ "zones/1/dnssec/keys",        "[{\"tag\":12345,\"algorithm\":13,"
	    "\"role\":\"active\"},{\"tag\":54321,\"algorithm\":15,"
	    "\"role\":\"published\"}]" },
	{ "zones/1/dnssec/inception",   "1698959723" },
	{ "zones/1/dnssec/expiration",  "1700172923" },
	{ "zones/1/dnssec/expires_in",  "172800" },
	{ "zones/1/dnssec/validity",    "1209600" },
	{ "zones/1/dnssec/refresh",     "604800" },
	{ "zones/1/dnssec/signatures",  "57" },
	{ "zones/1/dnssec/signed_at",   "1698963323" },
	{ "zones/1/dnssec/sign_ms",     "12.5" },
	{ "zones/1/dnssec/dynamic",     "{\"names\":2,\"generation\":41,"
	    "\"signatures\":400,\"build_ms\":3.25,\"built_at\":1700000120}" },
	{ "zones/1/dnssec/resign",      "{\"count\":4,\"failures\":0,"
	    "\"failing\":false,\"error\":null,\"failed_at\":null}" },
	{ "zones/1/dnssec/warning",     "\"signatures expire in 48 h, within "
	    "the refresh margin (168 h): re-signing is late\"" },
};

static const struct field relay[] = {
	{ "relay/pool",     "\"inbound\"" },
	{ "relay/listen",   "\"127.0.0.1:2525 [::1]:2525\"" },
	{ "relay/running",  "true" },
	{ "relay/configured",        "true" },
	{ "relay/configured_listen", "\"127.0.0.1:2626\"" },
	{ "relay/pending_restart",   "[\"relay.listen\"]" },
	{ "relay/counters", "{\"accepted\":5,\"active\":2,\"rejected_421\":6,"
	    "\"rejected_max_conn\":1,\"rejected_per_source\":2,"
	    "\"unavailable\":3,\"idle_timeouts\":4,\"bytes_in\":1000,"
	    "\"bytes_out\":2000}" },
	{ "relay/backends", "[{\"name\":\"mx1\",\"active\":2,\"total\":9,"
	    "\"failed_connects\":1,\"bytes_in\":600,\"bytes_out\":1200},"
	    "{\"name\":\"mx2\",\"active\":0,\"total\":0,\"failed_connects\":4,"
	    "\"bytes_in\":0,\"bytes_out\":0}]" },
};

static void
test_fields(void **state)
{
	json_t *doc = status_json(fx_model());

	assert_non_null(doc);
	check_fields(doc, top, sizeof(top) / sizeof(top[0]));
	check_fields(doc, pools, sizeof(pools) / sizeof(pools[0]));
	check_fields(doc, servers, sizeof(servers) / sizeof(servers[0]));
	check_fields(doc, relay, sizeof(relay) / sizeof(relay[0]));
	check_fields(doc, dnssec, sizeof(dnssec) / sizeof(dnssec[0]));
	json_decref(doc);
}

/* The dashboard and scripts read these names: none may vanish or move. */
static void
test_keys(void **state)
{
	json_t *doc = status_json(fx_model());

	check_keys(doc, "version now started uptime healthy world_loaded "
	    "state_gen last_reload zones dnssec queries pools relay");
	check_keys(at(doc, "zones/0"), "origin serial dnssec");
	check_keys(at(doc, "zones/0/dnssec"), "signed");
	check_keys(at(doc, "zones/1/dnssec"), "signed keys inception "
	    "expiration expires_in validity refresh signatures signed_at "
	    "sign_ms dynamic resign warning");
	check_keys(at(doc, "zones/1/dnssec/dynamic"), "names generation "
	    "signatures build_ms built_at");
	check_keys(at(doc, "zones/1/dnssec/resign"), "count failures failing "
	    "error failed_at");
	check_keys(at(doc, "dnssec"), "dynamic resign");
	check_keys(at(doc, "queries"), "total udp tcp truncated dropped "
	    "cookies by_qtype by_rcode");
	check_keys(at(doc, "pools/0"), "name policy state probe "
	    "probe_interval load_probe servers_up servers_total total_weight "
	    "share_window servers");
	/* no first-preference counts: no share window */
	check_keys(at(doc, "pools/1"), "name policy state probe "
	    "probe_interval load_probe servers_up servers_total total_weight "
	    "servers");
	check_keys(at(doc, "pools/0/servers/0"), "name addresses weight tier "
	    "health up admin agent_admin load load_factor slowstart_factor "
	    "eff_weight target_share first_pref_answers observed_share "
	    "transitions since cert_days dane reason checks last_check "
	    "history");
	check_keys(at(doc, "pools/1/servers/0"), "name addresses weight tier "
	    "health up admin agent_admin load load_factor slowstart_factor "
	    "eff_weight target_share transitions since cert_days dane reason "
	    "checks last_check history");
	check_keys(at(doc, "pools/0/servers/0/dane"), "mode state matched "
	    "reason tlsa ignored mismatches");
	check_keys(at(doc, "relay"), "pool listen running configured "
	    "configured_listen pending_restart counters backends");
	check_keys(at(doc, "last_reload"), "count time ok errors warnings "
	    "pending_restart api_requests api_requested");
	json_decref(doc);
}

/* Table of pool states: known, servers up, degraded -> state. */
static void
test_pool_state(void **state)
{
	static const struct {
		bool known; unsigned nup; bool degraded; const char *want;
	} t[] = {
		{ false, 0, false, "unknown" },
		{ false, 3, true,  "unknown" },
		{ true,  0, false, "down" },
		{ true,  0, true,  "down" },
		{ true,  2, true,  "degraded" },
		{ true,  3, false, "ok" },
	};
	struct status_model *m;
	json_t *doc;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		m = fx_model();
		m->pools[0].known = t[i].known;
		m->pools[0].nup = t[i].nup;
		m->pools[0].degraded = t[i].degraded;
		doc = status_json(m);
		assert_string_equal(json_string_value(at(doc, "pools/0/state")),
		    t[i].want);
		json_decref(doc);
	}
}

/*
 * Table of signature states: seconds left before the expiration, the
 * re-signing record -> the warning (null: none) and expires_in. The
 * margin is the fixture's 7 days.
 */
static void
test_dnssec_warning(void **state)
{
	static const struct {
		int64_t     left;
		bool        failing;
		const char *error;
		const char *want;
	} t[] = {
		/* well before the margin: fine */
		{ 10 * 86400, false, "", "null" },
		/* at the margin's edge: the daemon re-signs now, not late yet */
		{ 7 * 86400, false, "", "null" },
		{ 7 * 86400 - 1, false, "", "\"signatures expire in 167 h, "
		    "within the refresh margin (168 h): re-signing is late\"" },
		{ 5400, false, "", "\"signatures expire in 90 min, within the "
		    "refresh margin (168 h): re-signing is late\"" },
		{ 1, false, "", "\"signatures expire in 1 s, within the "
		    "refresh margin (168 h): re-signing is late\"" },
		/* the second they expire, validators reject them */
		{ 0, false, "", "\"signatures EXPIRED 0 s ago: validators "
		    "reject the zone\"" },
		{ -3 * 3600, false, "", "\"signatures EXPIRED 3 h ago: "
		    "validators reject the zone\"" },
		/* re-signing failing: said whatever the signatures' age */
		{ 10 * 86400, true, "template did not load", "\"re-signing is "
		    "failing (2 failures): template did not load\"" },
		{ 86400, true, "template did not load", "\"signatures expire in "
		    "24 h, within the refresh margin (168 h): re-signing is late; "
		    "re-signing is failing (2 failures): template did not load\"" },
		{ -90, true, "", "\"signatures EXPIRED 90 s ago: validators "
		    "reject the zone; re-signing is failing (2 failures): see "
		    "the log\"" },
	};
	struct status_model *m;
	json_t *doc, *want;
	char *got;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		m = fx_model();
		m->zones[1].dnssec.expiration = m->now_ms / 1000 + t[i].left;
		if (t[i].failing) {
			m->signer.resign_failing = true;
			m->signer.resign_failures = 2;
			m->signer.resign_failed_ms = 1700000100000LL;
			snprintf(m->signer.resign_error,
			    sizeof(m->signer.resign_error), "%s", t[i].error);
		}
		doc = status_json(m);
		want = json_loads(t[i].want, JSON_DECODE_ANY, NULL);
		assert_non_null(want);
		if (!json_equal(at(doc, "zones/1/dnssec/warning"), want)) {
			got = json_dumps(at(doc, "zones/1/dnssec/warning"),
			    JSON_ENCODE_ANY);
			fail_msg("left %lld failing %d: got %s, want %s",
			    (long long)t[i].left, t[i].failing, got, t[i].want);
		}
		assert_int_equal(json_integer_value(at(doc,
		    "zones/1/dnssec/expires_in")), t[i].left);
		if (t[i].failing)
			check_fields(doc, (const struct field[]){
				{ "zones/1/dnssec/resign/failing", "true" },
				{ "zones/1/dnssec/resign/failures", "2" },
				{ "zones/1/dnssec/resign/failed_at", "1700000100" },
				{ "dnssec/resign/failing", "true" } }, 4);
		/* the unsigned zone never warns */
		check_keys(at(doc, "zones/0/dnssec"), "signed");
		json_decref(want);
		json_decref(doc);
	}
}

/* No zone signed: every zone {"signed": false}, no signer totals; a
 * signed zone without dynamic names has no dynamic part, and one whose
 * first set is not there yet says so with nulls. */
static void
test_dnssec_unsigned(void **state)
{
	struct status_model *m = fx_model();
	json_t *doc;

	memset(&m->zones[1].dnssec, 0, sizeof(m->zones[1].dnssec));
	m->dnssec = false;
	doc = status_json(m);
	check_fields(doc, (const struct field[]){
		{ "zones/0/dnssec", "{\"signed\":false}" },
		{ "zones/1/dnssec", "{\"signed\":false}" },
		{ "dnssec", "null" } }, 3);
	json_decref(doc);

	m = fx_model();
	m->zones[1].dnssec.ndyn = 0;
	m->zones[1].dnssec.has_dyn = false;
	m->zones[1].dnssec.nkeys = 1;
	doc = status_json(m);
	check_fields(doc, (const struct field[]){
		{ "zones/1/dnssec/dynamic", "null" },
		{ "zones/1/dnssec/keys", "[{\"tag\":12345,\"algorithm\":13,"
		    "\"role\":\"active\"}]" } }, 2);
	json_decref(doc);

	m = fx_model();
	m->zones[1].dnssec.has_dyn = false;
	m->signer.builds = 0;
	m->signer.last_at_ms = 0;
	doc = status_json(m);
	check_fields(doc, (const struct field[]){
		{ "zones/1/dnssec/dynamic", "{\"names\":2,\"generation\":null,"
		    "\"signatures\":null,\"build_ms\":null,"
		    "\"built_at\":null}" },
		{ "dnssec/dynamic/last_ms", "null" },
		{ "dnssec/dynamic/last_at", "null" } }, 3);
	json_decref(doc);
}

static void
test_no_relay_no_reload(void **state)
{
	struct status_model *m = fx_model();
	json_t *doc;

	m->relay = false;
	memset(&m->reload, 0, sizeof(m->reload));
	m->healthy = false;
	m->npools = 0;
	m->nzones = 0;
	doc = status_json(m);
	assert_true(json_is_null(at(doc, "relay")));
	assert_true(json_is_false(at(doc, "healthy")));
	assert_int_equal(json_array_size(at(doc, "pools")), 0);
	assert_int_equal(json_array_size(at(doc, "zones")), 0);
	json_decref(doc);

	/* never reloaded: count 0 and nulls, not a fake "ok" */
	doc = status_json_reload(&m->reload);
	check_fields(doc, (const struct field[]){
		{ "count", "0" }, { "time", "null" }, { "ok", "null" },
		{ "errors", "null" }, { "warnings", "null" },
		{ "pending_restart", "[]" }, { "api_requests", "0" },
		{ "api_requested", "null" } }, 8);
	json_decref(doc);

	/* a published reload: ok true and its errors "" */
	m->reload.count = 1;
	m->reload.time_ms = 1700000200000LL;
	m->reload.ok = true;
	doc = status_json_reload(&m->reload);
	check_fields(doc, (const struct field[]){
		{ "count", "1" }, { "time", "1700000200" }, { "ok", "true" },
		{ "errors", "\"\"" }, { "warnings", "[]" },
		{ "pending_restart", "[]" } }, 6);
	json_decref(doc);
}

/* A published reload: the loader's warnings one per line (control bytes
 * and odd UTF-8 made harmless, blank lines dropped), the settings waiting
 * for a restart; a rejected reload after it keeps that list. */
static void
test_reload_record(void **state)
{
	const char *pending[] = { "listen", "status.listen" };
	struct status_reload r;
	json_t *doc;

	status_reload_note(true, "z.zone:4: warning: duplicate A record\n\n"
	    "z.zone:9: warning: \xff\x01odd\n", pending, 2);
	status_reload_get(&r);
	doc = status_json_reload(&r);
	check_fields(doc, (const struct field[]){
		{ "count", "1" }, { "ok", "true" }, { "errors", "\"\"" },
		{ "warnings", "[\"z.zone:4: warning: duplicate A record\","
		    "\"z.zone:9: warning: ??odd\"]" },
		{ "pending_restart", "[\"listen\",\"status.listen\"]" } }, 5);
	json_decref(doc);

	/* rejected: its errors, no warnings, the running state unchanged */
	status_reload_note(false, "conf:1: syntax error", NULL, 0);
	status_reload_get(&r);
	doc = status_json_reload(&r);
	check_fields(doc, (const struct field[]){
		{ "count", "2" }, { "ok", "false" },
		{ "errors", "\"conf:1: syntax error\"" }, { "warnings", "[]" },
		{ "pending_restart", "[\"listen\",\"status.listen\"]" } }, 5);
	json_decref(doc);

	/* the running values restored: nothing pending */
	status_reload_note(true, NULL, NULL, 0);
	status_reload_get(&r);
	doc = status_json_reload(&r);
	check_fields(doc, (const struct field[]){
		{ "count", "3" }, { "ok", "true" }, { "warnings", "[]" },
		{ "pending_restart", "[]" } }, 4);
	json_decref(doc);
}

/* The relay section removed by a reload: the relay still runs on its own
 * listeners and is shown as running, no longer configured, pending. */
static void
test_relay_removed(void **state)
{
	struct status_model *m = fx_model();
	json_t *doc;

	m->relay_configured = false;
	m->relay_conf_listen[0] = '\0';
	m->relay_pending = RELAY_PENDING_SECTION;
	doc = status_json(m);
	check_fields(doc, (const struct field[]){
		{ "relay/pool", "\"inbound\"" },
		{ "relay/listen", "\"127.0.0.1:2525 [::1]:2525\"" },
		{ "relay/running", "true" }, { "relay/configured", "false" },
		{ "relay/configured_listen", "null" },
		{ "relay/pending_restart", "[\"relay\"]" } }, 6);
	json_decref(doc);

	/* listen and threads both differ: both named, in config order */
	m->relay_configured = true;
	m->relay_pending = RELAY_PENDING_THREADS | RELAY_PENDING_LISTEN;
	doc = status_json(m);
	check_fields(doc, (const struct field[]){
		{ "relay/pending_restart", "[\"relay.listen\","
		    "\"relay.threads\"]" } }, 1);
	json_decref(doc);
}

/* The document as the endpoint sends it survives a dump/parse round trip
 * (no NaN or invalid UTF-8 leaks into the text). */
static void
test_round_trip(void **state)
{
	json_t *doc = status_json(fx_model()), *back;
	json_error_t e;
	char *s;

	s = json_dumps(doc, JSON_COMPACT | JSON_ESCAPE_SLASH);
	assert_non_null(s);
	back = json_loads(s, 0, &e);
	assert_non_null(back);
	assert_true(json_equal(doc, back));
	free(s);
	json_decref(back);
	json_decref(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_pool_state),
		cmocka_unit_test(test_dnssec_warning),
		cmocka_unit_test(test_dnssec_unsigned),
		cmocka_unit_test(test_no_relay_no_reload),
		cmocka_unit_test(test_reload_record),
		cmocka_unit_test(test_relay_removed),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
