/* test_metrics.c - unit tests of the Prometheus renderer
 * (dnsd/status/metrics.c), fed a hand-built model: exact sample lines,
 * every family with HELP and TYPE once, label escaping, number formats,
 * samples absent when the model has nothing to say; and, when promtool is
 * installed, `promtool check metrics` on the text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "dnsd/base/version.h"
#include "dnsd/status/metrics.h"
#include "status_fixture.h"

/* The text for m, NUL-terminated; caller frees. */
static char *
render(const struct status_model *m)
{
	struct evbuffer *b = evbuffer_new();
	size_t n;
	char *s;

	assert_non_null(b);
	status_metrics(m, b);
	n = evbuffer_get_length(b);
	s = malloc(n + 1);
	assert_non_null(s);
	evbuffer_remove(b, s, n);
	s[n] = '\0';
	evbuffer_free(b);
	return s;
}

/* \retval true when line (without its newline) is a whole line of text */
static bool
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	for (p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

/* Samples of the hand-built model, exactly as a scraper reads them. */
static const char *const lines[] = {
	"mxspread_build_info{version=\"" MXS_VERSION "\"} 1",
	"mxspread_start_time_seconds 1700000000",
	"mxspread_world_loaded_time_seconds 1700000050",
	"mxspread_config_reloads_total 2",
	"mxspread_config_last_reload_successful 0",
	"mxspread_dns_healthy 1",
	"mxspread_zone_serial{zone=\"mail.example.com.\"} 2026112701",
	"mxspread_zone_serial{zone=\"dane.example.net.\"} 7",
	"mxspread_dnssec_signed{zone=\"mail.example.com.\"} 0",
	"mxspread_dnssec_signed{zone=\"dane.example.net.\"} 1",
	"mxspread_dnssec_key_info{zone=\"dane.example.net.\",tag=\"12345\","
	    "algorithm=\"13\",role=\"active\"} 1",
	"mxspread_dnssec_key_info{zone=\"dane.example.net.\",tag=\"54321\","
	    "algorithm=\"15\",role=\"published\"} 1",
	"mxspread_dnssec_signature_expiration_timestamp_seconds"
	    "{zone=\"dane.example.net.\"} 1700172923",
	"mxspread_dnssec_signatures_expired{zone=\"dane.example.net.\"} 0",
	"mxspread_dnssec_refresh_seconds{zone=\"dane.example.net.\"} 604800",
	"mxspread_dnssec_signatures_total{zone=\"dane.example.net.\","
	    "kind=\"static\"} 57",
	"mxspread_dnssec_last_signed_timestamp_seconds"
	    "{zone=\"dane.example.net.\"} 1698963323",
	"mxspread_dnssec_sign_duration_seconds{zone=\"dane.example.net.\"} "
	    "0.0125",
	"mxspread_dnssec_dynamic_builds_total 3",
	"mxspread_dnssec_dynamic_build_failures_total 1",
	"mxspread_dnssec_dynamic_signatures_total 1200",
	"mxspread_dnssec_dynamic_build_seconds 0.00325",
	"mxspread_dnssec_resigns_total 4",
	"mxspread_dnssec_resign_failures_total 0",
	"mxspread_dnssec_resign_failing 0",
	"mxspread_dns_queries_total{qtype=\"A\"} 20",
	"mxspread_dns_queries_total{qtype=\"MX\"} 70",
	"mxspread_dns_queries_total{qtype=\"AAAA\"} 0",
	"mxspread_dns_queries_total{qtype=\"other\"} 10",
	"mxspread_dns_responses_total{rcode=\"NOERROR\"} 94",
	"mxspread_dns_responses_total{rcode=\"NXDOMAIN\"} 5",
	"mxspread_dns_responses_total{rcode=\"other\"} 1",
	"mxspread_dns_transport_queries_total{transport=\"udp\"} 90",
	"mxspread_dns_transport_queries_total{transport=\"tcp\"} 10",
	"mxspread_dns_truncated_total 3",
	"mxspread_dns_dropped_total 1",
	"mxspread_dns_cookies_total{server_cookie=\"none\"} 1",
	"mxspread_dns_cookies_total{server_cookie=\"valid\"} 5",
	"mxspread_dns_cookies_total{server_cookie=\"bad\"} 3",
	"mxspread_rrl_limited_total 7",
	"mxspread_rrl_responses_total{action=\"slipped\"} 4",
	"mxspread_rrl_responses_total{action=\"dropped\"} 3",
	"mxspread_dns_tcp_closed_total{reason=\"per_source_limit\"} 2",
	"mxspread_dns_tcp_closed_total{reason=\"stalled_query\"} 1",
	"mxspread_dns_tcp_closed_total{reason=\"idle_evicted\"} 7",
	"mxspread_dns_tcp_closed_total{reason=\"idle_expired_early\"} 3",
	"mxspread_dns_tcp_closed_total{reason=\"refused_none_idle\"} 5",
	"mxspread_pool_servers_up{pool=\"inbound\"} 1",
	"mxspread_pool_servers_up{pool=\"backup\"} 0",
	"mxspread_server_up{pool=\"inbound\",server=\"mx1\"} 1",
	"mxspread_server_up{pool=\"inbound\",server=\"mx2\"} 0",
	"mxspread_server_up{pool=\"inbound\",server=\"mx3\"} 1",
	/* quote, backslash and newline escaped; no pool state: down */
	"mxspread_server_up{pool=\"backup\",server=\"b\\\"1\\\\x\\ny\"} 0",
	"mxspread_server_admin_state{pool=\"inbound\",server=\"mx1\",state=\"enabled\"} 1",
	"mxspread_server_admin_state{pool=\"inbound\",server=\"mx1\",state=\"drain\"} 0",
	"mxspread_server_admin_state{pool=\"inbound\",server=\"mx3\",state=\"enabled\"} 0",
	"mxspread_server_admin_state{pool=\"inbound\",server=\"mx3\",state=\"drain\"} 1",
	"mxspread_server_admin_state{pool=\"inbound\",server=\"mx3\",state=\"maint\"} 0",
	"mxspread_server_weight{pool=\"inbound\",server=\"mx1\"} 4",
	"mxspread_server_effective_weight{pool=\"inbound\",server=\"mx1\"} 3",
	"mxspread_server_effective_weight{pool=\"inbound\",server=\"mx3\"} 0",
	"mxspread_server_target_share_ratio{pool=\"inbound\",server=\"mx1\"} 1",
	/* not an integer: 9 significant digits */
	"mxspread_server_target_share_ratio{pool=\"inbound\",server=\"mx2\"} 0.666666667",
	"mxspread_server_load_factor{pool=\"inbound\",server=\"mx1\"} 0.75",
	"mxspread_server_load_factor{pool=\"inbound\",server=\"mx3\"} NaN",
	"mxspread_server_slowstart_factor{pool=\"inbound\",server=\"mx1\"} 1",
	"mxspread_server_load_ratio{pool=\"inbound\",server=\"mx1\"} 0.25",
	"mxspread_server_probe_latency_seconds{pool=\"inbound\",server=\"mx1\"} 0.0025",
	"mxspread_server_cert_expiry_seconds{pool=\"inbound\",server=\"mx1\"} 2592000",
	"mxspread_server_health_transitions_total{pool=\"inbound\",server=\"mx2\"} 2",
	"mxspread_probe_checks_total{pool=\"inbound\",server=\"mx1\",outcome=\"ok\"} 10",
	"mxspread_probe_checks_total{pool=\"inbound\",server=\"mx1\",outcome=\"failed\"} 1",
	"mxspread_probe_checks_total{pool=\"inbound\",server=\"mx2\",outcome=\"failed\"} 12",
	"mxspread_probe_rounds_skipped_total{pool=\"inbound\",server=\"mx1\"} 2",
	/* DANE: every state of a server whose mode is not off, 1 for its own */
	"mxspread_server_dane_state{pool=\"inbound\",server=\"mx1\",state=\"match\"} 1",
	"mxspread_server_dane_state{pool=\"inbound\",server=\"mx1\",state=\"mismatch\"} 0",
	"mxspread_server_dane_state{pool=\"inbound\",server=\"mx1\",state=\"unknown\"} 0",
	"mxspread_server_dane_state{pool=\"inbound\",server=\"mx1\",state=\"no_tlsa\"} 0",
	"mxspread_server_dane_state{pool=\"inbound\",server=\"mx1\",state=\"no_starttls\"} 0",
	"mxspread_server_dane_state{pool=\"inbound\",server=\"mx1\",state=\"error\"} 0",
	"mxspread_server_dane_state{pool=\"inbound\",server=\"mx2\",state=\"mismatch\"} 1",
	"mxspread_server_dane_mismatches_total{pool=\"inbound\",server=\"mx1\"} 0",
	"mxspread_server_dane_mismatches_total{pool=\"inbound\",server=\"mx2\"} 3",
	"mxspread_probe_rounds_late_total{pool=\"inbound\",server=\"mx1\"} 3",
	"mxspread_reload_pending_restart 2",
	"mxspread_probe_local_errors_total{pool=\"inbound\",server=\"mx1\"} 4",
	"mxspread_relay_up 1",
	"mxspread_relay_accepted_total 5",
	"mxspread_relay_sessions 2",
	"mxspread_relay_rejected_total{reason=\"max_connections\"} 1",
	"mxspread_relay_rejected_total{reason=\"max_per_source\"} 2",
	"mxspread_relay_rejected_total{reason=\"no_backend\"} 3",
	"mxspread_relay_idle_timeouts_total 4",
	"mxspread_relay_backend_sessions{pool=\"inbound\",server=\"mx1\"} 2",
	"mxspread_relay_backend_connections_total{pool=\"inbound\",server=\"mx1\"} 9",
	"mxspread_relay_backend_connect_failures_total{pool=\"inbound\",server=\"mx2\"} 4",
	"mxspread_relay_backend_received_bytes_total{pool=\"inbound\",server=\"mx1\"} 600",
	"mxspread_relay_backend_sent_bytes_total{pool=\"inbound\",server=\"mx1\"} 1200",
	"mxspread_answers_first_total{pool=\"inbound\",server=\"mx1\"} 50",
	"mxspread_answers_first_total{pool=\"inbound\",server=\"mx2\"} 0",
	"mxspread_answers_first_total{pool=\"inbound\",server=\"mx3\"} 7",
};

/* Samples the model gives no value for: none, not a made-up zero. */
static const char *const absent[] = {
	/* load unknown (mx2, mx3) or no pool state (backup) */
	"mxspread_server_load_ratio{pool=\"inbound\",server=\"mx2\"}",
	"mxspread_server_load_ratio{pool=\"backup\"",
	/* no health check yet */
	"mxspread_server_probe_latency_seconds{pool=\"inbound\",server=\"mx2\"}",
	/* certificate days unknown */
	"mxspread_server_cert_expiry_seconds{pool=\"inbound\",server=\"mx2\"}",
	/* no first-preference count */
	"mxspread_answers_first_total{pool=\"backup\"",
	/* DANE off (mx3) or no pool state: no DANE sample; "off" is no state */
	"mxspread_server_dane_state{pool=\"inbound\",server=\"mx3\"",
	"mxspread_server_dane_mismatches_total{pool=\"inbound\",server=\"mx3\"",
	"mxspread_server_dane_state{pool=\"backup\"",
	"state=\"off\"",
	/* an unsigned zone has no keys, times or signatures */
	"mxspread_dnssec_key_info{zone=\"mail.example.com.\"",
	"mxspread_dnssec_signature_expiration_timestamp_seconds"
	    "{zone=\"mail.example.com.\"}",
	"mxspread_dnssec_signatures_expired{zone=\"mail.example.com.\"}",
	"mxspread_dnssec_signatures_total{zone=\"mail.example.com.\"",
	"mxspread_dnssec_last_signed_timestamp_seconds"
	    "{zone=\"mail.example.com.\"}",
};

static void
test_lines(void **state)
{
	char *text = render(fx_model());
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (!has_line(text, lines[i]))
			fail_msg("missing line: %s\n--- text:\n%s", lines[i], text);
	for (i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		if (strstr(text, absent[i]) != NULL)
			fail_msg("unexpected sample: %s", absent[i]);
	free(text);
}

/*
 * The whole text is well-formed: "# HELP name text" then "# TYPE name
 * counter|gauge", each family once, then only that family's samples
 * ("name value" or "name{...} value"); counters end in _total; the text
 * ends with a newline. \retval the number of families
 */
static size_t
check_structure(char *text)
{
	char fam[128] = "", seen[8192] = " ", key[160], *line, *save = NULL;
	size_t nfam = 0, n;
	const char *type;

	assert_true(text[0] != '\0' && text[strlen(text) - 1] == '\n');
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "# HELP ", 7) == 0) {
			n = strcspn(line + 7, " ");
			assert_true(n > 0 && n < sizeof(fam) && line[7 + n] == ' ' &&
			    line[8 + n] != '\0');
			memcpy(fam, line + 7, n);
			fam[n] = '\0';
			snprintf(key, sizeof(key), " %s ", fam);
			if (strstr(seen, key) != NULL)
				fail_msg("family %s twice", fam);
			assert_true(strlen(seen) + strlen(fam) + 2 < sizeof(seen));
			strcat(seen, fam);
			strcat(seen, " ");
			nfam++;
			line = strtok_r(NULL, "\n", &save);
			assert_non_null(line);
			snprintf(key, sizeof(key), "# TYPE %s ", fam);
			if (strncmp(line, key, strlen(key)) != 0)
				fail_msg("no TYPE after HELP of %s: %s", fam, line);
			type = line + strlen(key);
			assert_true(strcmp(type, "counter") == 0 ||
			    strcmp(type, "gauge") == 0);
			if (strcmp(type, "counter") == 0 &&
			    (strlen(fam) < 6 ||
			    strcmp(fam + strlen(fam) - 6, "_total") != 0))
				fail_msg("counter %s does not end in _total", fam);
			continue;
		}
		assert_true(line[0] != '#');
		n = strlen(fam);
		if (n == 0 || strncmp(line, fam, n) != 0 ||
		    (line[n] != ' ' && line[n] != '{'))
			fail_msg("sample outside its family %s: %s", fam, line);
		assert_non_null(strrchr(line, ' '));
	}
	return nfam;
}

static void
test_structure(void **state)
{
	struct status_model *m = fx_model();
	char *text;

	text = render(m);
	assert_int_equal(check_structure(text), 61);
	free(text);

	/* no zone signed: mxspread_dnssec_signed alone says so */
	m->dnssec = false;
	m->zones[1].dnssec.on = false;
	text = render(m);
	assert_true(has_line(text,
	    "mxspread_dnssec_signed{zone=\"dane.example.net.\"} 0"));
	assert_null(strstr(text, "mxspread_dnssec_key_info"));
	assert_null(strstr(text, "mxspread_dnssec_dynamic_"));
	assert_null(strstr(text, "mxspread_dnssec_resign"));
	assert_int_equal(check_structure(text), 61 - 14);
	free(text);
	m = fx_model();

	/* no relay, no first-preference counts: those families are gone */
	m->relay = false;
	m->pools[0].servers[0].has_first = false;
	m->pools[0].servers[1].has_first = false;
	m->pools[0].servers[2].has_first = false;
	text = render(m);
	assert_null(strstr(text, "mxspread_relay_"));
	assert_null(strstr(text, "mxspread_answers_first_total"));
	assert_int_equal(check_structure(text), 61 - 10 - 1);
	free(text);

	/* nothing configured: every family still declared, no server sample */
	m->npools = 0;
	m->nzones = 0;
	text = render(m);
	assert_true(has_line(text, "# TYPE mxspread_server_up gauge"));
	assert_null(strstr(text, "mxspread_server_up{"));
	assert_null(strstr(text, "mxspread_zone_serial{"));
	assert_null(strstr(text, "mxspread_dnssec_signed{"));
	free(text);
}

/* Table: seconds left before the signatures expire, re-signing failing ->
 * the expired gauge and the failing one. Expired from the second of the
 * expiration on, as the daemon's re-signing check says. */
static void
test_dnssec_expired(void **state)
{
	static const struct {
		int64_t left;
		bool    failing;
		int     expired;
	} t[] = {
		{ 2 * 86400, false, 0 },
		{ 1,         false, 0 },
		{ 0,         true,  1 },
		{ -3600,     true,  1 },
	};
	struct status_model *m;
	char want[200], *text;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		m = fx_model();
		m->zones[1].dnssec.expiration = m->now_ms / 1000 + t[i].left;
		m->signer.resign_failing = t[i].failing;
		m->signer.resign_failures = t[i].failing ? 5 : 0;
		text = render(m);
		snprintf(want, sizeof(want), "mxspread_dnssec_signatures_expired"
		    "{zone=\"dane.example.net.\"} %d", t[i].expired);
		if (!has_line(text, want))
			fail_msg("left %lld: no line %s", (long long)t[i].left, want);
		snprintf(want, sizeof(want), "mxspread_dnssec_resign_failing %d",
		    t[i].failing);
		assert_true(has_line(text, want));
		snprintf(want, sizeof(want),
		    "mxspread_dnssec_resign_failures_total %d",
		    t[i].failing ? 5 : 0);
		assert_true(has_line(text, want));
		free(text);
	}
}

/* Table of values: how prom_value prints a double. */
static void
test_values(void **state)
{
	static const struct {
		double      v;
		const char *want;
	} t[] = {
		{ 0,            "0" },
		{ 3,            "3" },
		{ -2,           "-2" },
		{ 0.5,          "0.5" },
		{ 1.0 / 3.0,    "0.333333333" },
		{ 123456789.5,  "123456790" },
		{ 1e-7,         "1e-07" },
		{ 1e14,         "100000000000000" },
		{ NAN,          "NaN" },
		{ INFINITY,     "+Inf" },
		{ -INFINITY,    "-Inf" },
	};
	struct status_model *m;
	char want[160], *text;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		m = fx_model();
		m->pools[0].servers[0].ps.eff_weight = t[i].v;
		text = render(m);
		snprintf(want, sizeof(want), "mxspread_server_effective_weight"
		    "{pool=\"inbound\",server=\"mx1\"} %s", t[i].want);
		if (!has_line(text, want))
			fail_msg("value %g: no line %s", t[i].v, want);
		free(text);
	}
}

/* The last reload's outcome: 1 before any reload and after a good one. */
static void
test_reload(void **state)
{
	static const struct {
		uint64_t    count;
		bool        ok;
		const char *want;
	} t[] = {
		{ 0, false, "mxspread_config_last_reload_successful 1" },
		{ 3, true,  "mxspread_config_last_reload_successful 1" },
		{ 3, false, "mxspread_config_last_reload_successful 0" },
	};
	struct status_model *m;
	char *text;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		m = fx_model();
		m->reload.count = t[i].count;
		m->reload.ok = t[i].ok;
		text = render(m);
		if (!has_line(text, t[i].want))
			fail_msg("reload %u ok=%d: no line %s", (unsigned)t[i].count,
			    t[i].ok, t[i].want);
		free(text);
	}
}

/* Table of label values and their escaped form. */
static void
test_escaping(void **state)
{
	static const struct {
		const char *name, *want;
	} t[] = {
		{ "plain",       "plain" },
		{ "q\"uote",     "q\\\"uote" },
		{ "back\\slash", "back\\\\slash" },
		{ "new\nline",   "new\\nline" },
		{ "\\\"\n",      "\\\\\\\"\\n" },
		{ "tab\there",   "tab\there" },	/* only \\ \" \n are escaped */
	};
	struct status_model *m;
	char want[200], *text;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		m = fx_model();
		snprintf(m->pools[0].servers[0].name,
		    sizeof(m->pools[0].servers[0].name), "%s", t[i].name);
		snprintf(m->zones[0].origin, sizeof(m->zones[0].origin), "%s",
		    t[i].name);
		snprintf(m->zones[1].origin, sizeof(m->zones[1].origin), "%s",
		    t[i].name);
		snprintf(m->rb[0].name, sizeof(m->rb[0].name), "%s", t[i].name);
		text = render(m);
		snprintf(want, sizeof(want), "mxspread_server_weight"
		    "{pool=\"inbound\",server=\"%s\"} 4", t[i].want);
		if (!has_line(text, want))
			fail_msg("server label: no line %s", want);
		snprintf(want, sizeof(want), "mxspread_zone_serial"
		    "{zone=\"%s\"} 2026112701", t[i].want);
		if (!has_line(text, want))
			fail_msg("zone label: no line %s", want);
		snprintf(want, sizeof(want), "mxspread_dnssec_key_info{zone="
		    "\"%s\",tag=\"12345\",algorithm=\"13\",role=\"active\"} 1",
		    t[i].want);
		if (!has_line(text, want))
			fail_msg("dnssec zone label: no line %s", want);
		snprintf(want, sizeof(want), "mxspread_relay_backend_sessions"
		    "{pool=\"inbound\",server=\"%s\"} 2", t[i].want);
		if (!has_line(text, want))
			fail_msg("backend label: no line %s", want);
		free(text);
	}
}

/* promtool, when installed, accepts the text (the parser and its lint). */
static void
test_promtool(void **state)
{
	char path[] = "/tmp/test_metrics.XXXXXX", cmd[256], *text;
	FILE *f;
	int fd, rc;

	if (system("command -v promtool >/dev/null 2>&1") != 0) {
		print_message("promtool not installed: not checked\n");
		skip();
	}
	text = render(fx_model());
	assert_true((fd = mkstemp(path)) != -1);
	assert_non_null(f = fdopen(fd, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s", path);
	rc = system(cmd);
	unlink(path);
	free(text);
	assert_true(WIFEXITED(rc));
	assert_int_equal(WEXITSTATUS(rc), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_reload),
		cmocka_unit_test(test_dnssec_expired),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_promtool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
