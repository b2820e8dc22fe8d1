/* test_conf.c - config loader: the example, defaults, and a table of bad configs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "dnsd/base/conf.h"
#include "dnsd/base/log.h"

/* A valid one-server pool body, to embed in cases about other keys. */
#define SRV "servers = ( { name = \"a\"; address = \"192.0.2.1\"; } );"
#define POOL(x) "pools = ( { name = \"p\"; " x " " SRV " } );\n"
#define SERVER(x) "pools = ( { name = \"p\"; servers = ( { name = \"a\"; " x " } ); } );\n"

struct bad_case {
	const char *name;
	const char *text;
	const char *errors;	/* exactly what errout receives */
};

static const struct bad_case bad_cases[] = {
	{ "syntax_error", "workers = 2;\nlisten = ;\n",
	  "t.conf:2: syntax error\n" },
	{ "syntax_duplicate_key", "workers = 2;\nworkers = 3;\n",
	  "t.conf:2: duplicate setting name\n" },
	{ "unknown_key_typo", "worker = 2;\n",
	  "t.conf:1: unknown key 'worker' (did you mean 'workers'?)\n" },
	{ "unknown_key_prefix", "\ntcp_idle = 5;\n",
	  "t.conf:2: unknown key 'tcp_idle' (did you mean 'tcp_idle_timeout'?)\n" },
	{ "unknown_key_no_hint", "frobnicate = 1;\n",
	  "t.conf:1: unknown key 'frobnicate'\n" },
	{ "workers_decimal", "workers = 2.5;\n",
	  "t.conf:1: workers: expected an integer, got a decimal number\n" },
	{ "workers_range", "workers = 1000;\n",
	  "t.conf:1: workers: must be between 0 and 256, got 1000\n" },
	{ "edns_payload_range", "edns_payload = 100;\n",
	  "t.conf:1: edns_payload: must be between 512 and 4096, got 100\n" },
	{ "tcp_idle_timeout_string", "tcp_idle_timeout = \"10s\";\n",
	  "t.conf:1: tcp_idle_timeout: expected a number, got a string\n" },
	{ "tcp_idle_timeout_zero", "tcp_idle_timeout = 0;\n",
	  "t.conf:1: tcp_idle_timeout: must be between 0.1 and 3600 seconds, got 0\n" },
	{ "tcp_max_connections_neg", "tcp_max_connections = -1;\n",
	  "t.conf:1: tcp_max_connections: must be between 1 and 1000000, got -1\n" },
	{ "tcp_max_per_source_neg", "tcp_max_per_source = -1;\n",
	  "t.conf:1: tcp_max_per_source: must be between 0 and 1000000, got -1\n" },
	{ "rrl_not_group", "rrl = 5;\n",
	  "t.conf:1: rrl: expected a group { ... }, got an integer\n" },
	{ "rrl_rate_zero", "rrl = {\n rate = 0; };\n",
	  "t.conf:2: rrl.rate: must be between 1 and 1000000, got 0\n" },
	{ "rrl_slip_big", "rrl = { slip = 101; };\n",
	  "t.conf:1: rrl.slip: must be between 0 and 100, got 101\n" },
	{ "rrl_window_zero", "rrl = { window = 0; };\n",
	  "t.conf:1: rrl.window: must be between 1 and 3600, got 0\n" },
	{ "rrl_ipv4_prefix", "rrl = { ipv4_prefix = 33; };\n",
	  "t.conf:1: rrl.ipv4_prefix: must be between 8 and 32, got 33\n" },
	{ "rrl_ipv6_prefix", "rrl = { ipv6_prefix = 8; };\n",
	  "t.conf:1: rrl.ipv6_prefix: must be between 16 and 128, got 8\n" },
	{ "rrl_enabled_int", "rrl = { enabled = 1; };\n",
	  "t.conf:1: rrl.enabled: expected true or false, got an integer\n" },
	{ "rrl_unknown_key", "rrl = { ratelimit = 5; };\n",
	  "t.conf:1: unknown key 'ratelimit' in rrl (did you mean 'rate'?)\n" },
	{ "rrl_exempt_bad", "rrl = { exempt = [ \"127.0.0.1/8\",\n \"10.0.0.300\", \"::1/129\" ]; };\n",
	  "t.conf:2: rrl.exempt: '10.0.0.300' is not an IPv4 or IPv6 prefix (e.g. \"192.0.2.0/24\")\n"
	  "t.conf:2: rrl.exempt: '::1/129': bad prefix length (0..32 for IPv4, 0..128 for IPv6)\n" },
	{ "rrl_exempt_int", "rrl = { exempt = 5; };\n",
	  "t.conf:1: rrl.exempt: expected an array of prefixes [ \"192.0.2.0/24\", ... ], got an integer\n" },
	{ "cookies_previous_alone", "cookies = {\n previous_secret_file = \"/k\"; };\n",
	  "t.conf:2: cookies.previous_secret_file: only with a cookies.secret_file (the secret that makes new cookies)\n" },
	{ "cookies_unknown_key", "cookies = {\n secret = \"/k\"; };\n",
	  "t.conf:2: unknown key 'secret' in cookies (did you mean 'secret_file'?)\n" },
	{ "cookies_file_int", "cookies = { secret_file = 5; };\n",
	  "t.conf:1: cookies.secret_file: expected a string, got an integer\n" },
	{ "version_bind_int", "version_bind = 5;\n",
	  "t.conf:1: version_bind: expected a string, got an integer\n" },
	{ "version_bind_long",
	  "version_bind = \"" "0123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789" "\";\n",
	  "t.conf:1: version_bind: longer than 255 bytes\n" },
	{ "user_empty", "user = \"\";\n",
	  "t.conf:1: user: must not be empty\n" },
	{ "log_level_unknown", "log_level = \"warn\";\n",
	  "t.conf:1: log_level: unknown value 'warn' (expected error, warning, info or debug)\n" },
	{ "syslog_string", "syslog = \"yes\";\n",
	  "t.conf:1: syslog: expected true or false, got a string\n" },
	{ "number_too_large", "workers = 2;\ntcp_max_connections = 99999999999;\n",
	  "t.conf:2: number 99999999999 is too large\n" },
	{ "number_hex_too_large", "workers = 0x80000000;\n",
	  "t.conf:1: number 0x80000000 is too large\n" },
	{ "number_64_too_large", "workers = -9223372036854775809L;\n",
	  "t.conf:1: number -9223372036854775809L is too large\n" },
	{ "listen_ambiguous", "listen = [ \"::1:5353\" ];\n",
	  "t.conf:1: listen: '::1:5353' is ambiguous: write [::1]:5353 for a "
	  "port\n" },
	{ "server_unusable",
	  SERVER("address = [ \"0.0.0.0\",\n \"::\", \"255.255.255.255\",\n"
	  " \"224.0.0.25\", \"ff05::25\", \"::ffff:239.1.1.1\" ];"),
	  "t.conf:1: address: '0.0.0.0' is the unspecified address, never a mail server\n"
	  "t.conf:2: address: '::' is the unspecified address, never a mail server\n"
	  "t.conf:2: address: '255.255.255.255' is the broadcast address, never a mail server\n"
	  "t.conf:3: address: '224.0.0.25' is a multicast address, never a mail server\n"
	  "t.conf:3: address: 'ff05::25' is a multicast address, never a mail server\n"
	  "t.conf:3: address: '::ffff:239.1.1.1' is a multicast address, never a mail server\n" },
	{ "server_ambiguous", SERVER("address = [ \"::1:53\", \"::1:2\" ];"),
	  "t.conf:1: address: '::1:53' is ambiguous (::1 and port 53?): a server "
	  "address takes no port, so write \"::1\" (read whole, it is an "
	  "IPv4-compatible address, never a mail server)\n"
	  "t.conf:1: address: '::1:2' is ambiguous (::1 and port 2?): a server "
	  "address takes no port, so write \"::1\" (read whole, it is an "
	  "IPv4-compatible address, never a mail server)\n" },
	{ "server_v4compat", SERVER("address = [ \"::7\", \"::192.0.2.1\" ];"),
	  "t.conf:1: address: '::7' is an IPv4-compatible address (::/96, "
	  "deprecated), never a mail server\n"
	  "t.conf:1: address: '::192.0.2.1' is an IPv4-compatible address "
	  "(::/96, deprecated), never a mail server\n" },
	{ "status_public_no_token", "status = {\n listen = \"0.0.0.0:8053\"; };\n",
	  "t.conf:2: status.listen: '0.0.0.0:8053' is not a loopback address: "
	  "the status endpoint listens there only with a status.token_file\n" },
	{ "status_mapped", "status = { listen = \"[::ffff:127.0.0.1]:8053\"; };\n",
	  "t.conf:1: status.listen: '[::ffff:127.0.0.1]:8053' is an IPv4-mapped "
	  "address, which an IPv6-only socket cannot bind: write 127.0.0.1:8053\n" },
	{ "relay_listen_is_dns",
	  "listen = [ \"127.0.0.1:5353\", \"[::1]:2525\" ];\n" POOL("")
	  "relay = { pool = \"p\";\n listen = [ \"127.0.0.1:5353\",\n"
	  " \"[::]:2525\", \"0.0.0.0:8053\", \"127.0.0.2:5353\" ]; };\n",
	  "t.conf:4: relay.listen: '127.0.0.1:5353' takes the connections of the "
	  "DNS listen address '127.0.0.1:5353'\n"
	  "t.conf:5: relay.listen: '[::]:2525' takes the connections of the DNS "
	  "listen address '[::1]:2525'\n"
	  "t.conf:5: relay.listen: '0.0.0.0:8053' takes the connections of "
	  "status.listen '127.0.0.1:8053'\n" },
	{ "relay_backend_is_itself",
	  "listen = \"127.0.0.1:5353\";\n"
	  "pools = ( { name = \"p\"; servers = (\n"
	  " { name = \"a\"; address = [ \"192.0.2.1\", \"127.0.0.1\" ]; },\n"
	  " { name = \"b\"; address = \"192.0.2.2\"; } ); } );\n"
	  "relay = { pool = \"p\"; port = 2525;\n"
	  " listen = [ \"192.0.2.2:2525\", \"0.0.0.0:2525\", \"192.0.2.3:2525\","
	  " \"192.0.2.1:25\" ]; };\n",
	  "t.conf:6: relay.listen: '192.0.2.2:2525' is a backend of the relay: "
	  "server 'b' of pool 'p' (line 4) at 192.0.2.2, relay.port 2525: the "
	  "relay would connect to itself\n"
	  "t.conf:6: relay.listen: '0.0.0.0:2525' is a backend of the relay: "
	  "server 'a' of pool 'p' (line 3) at 127.0.0.1, relay.port 2525: the "
	  "relay would connect to itself\n" },
	{ "listen_bad_port", "listen = [ \"127.0.0.1:99999\" ];\n",
	  "t.conf:1: listen: '127.0.0.1:99999' has a bad port (expected 1 to 65535)\n" },
	{ "listen_port_zero", "listen = \"[::1]:0\";\n",
	  "t.conf:1: listen: '[::1]:0' has a bad port (expected 1 to 65535)\n" },
	{ "listen_hostname", "listen = [ \"localhost:53\" ];\n",
	  "t.conf:1: listen: 'localhost:53' is not an address "
	  "(expected \"192.0.2.1:53\" or \"[2001:db8::1]:53\")\n" },
	{ "listen_v4_in_brackets", "listen = [ \"[127.0.0.1]:53\" ];\n",
	  "t.conf:1: listen: '[127.0.0.1]:53' is not an address "
	  "(expected \"192.0.2.1:53\" or \"[2001:db8::1]:53\")\n" },
	{ "listen_empty", "listen = [ ];\n",
	  "t.conf:1: listen: must list at least one address\n" },
	{ "listen_duplicate", "listen = [ \"127.0.0.1:53\",\n \"127.0.0.1\" ];\n",
	  "t.conf:2: listen: '127.0.0.1:53' listed twice\n" },
	{ "listen_number", "listen = 53;\n",
	  "t.conf:1: listen: expected an array of \"address:port\" strings, got an integer\n" },
	{ "status_not_group", "status = \"on\";\n",
	  "t.conf:1: status: expected a group { ... }, got a string\n" },
	{ "status_unknown_key", "status = {\n  tokenfile = \"/x\"; };\n",
	  "t.conf:2: unknown key 'tokenfile' in status (did you mean 'token_file'?)\n" },
	{ "status_listen_clash", "listen = \"127.0.0.1:8053\";\n",
	  "t.conf:1: status.listen: '127.0.0.1:8053' is also a DNS listen address\n" },
	{ "status_enabled_int", "status = { enabled = 1; };\n",
	  "t.conf:1: status.enabled: expected true or false, got an integer\n" },
	{ "zones_group", "zones = { origin = \"a.example.\"; };\n",
	  "t.conf:1: zones: expected a list ( { ... }, ... ), got a group\n" },
	{ "zone_missing_origin", "zones = (\n  { template = \"x.zone\"; } );\n",
	  "t.conf:2: missing required key 'origin' in zone\n" },
	{ "zone_missing_template", "zones = ( { origin = \"a.example.\"; } );\n",
	  "t.conf:1: missing required key 'template' in zone\n" },
	{ "zone_origin_empty_label",
	  "zones = ( { origin = \"mail..example.com\"; template = \"x\"; } );\n",
	  "t.conf:1: origin: 'mail..example.com' is not a valid domain name (empty label)\n" },
	{ "zone_origin_long_label",
	  "zones = ( { origin = \"a234567890123456789012345678901234567890"
	  "123456789012345678901234.example.\"; template = \"x\"; } );\n",
	  "t.conf:1: origin: 'a234567890123456789012345678901234567890"
	  "123456789012345678901234.example.' is not a valid domain name "
	  "(label longer than 63 characters)\n" },
	{ "zone_origin_bad_char",
	  "zones = ( { origin = \"mail example.com\"; template = \"x\"; } );\n",
	  "t.conf:1: origin: 'mail example.com' is not a valid domain name (invalid character)\n" },
	{ "zone_serial_number",
	  "zones = ( { origin = \"a.example\"; template = \"x\"; serial = 5; } );\n",
	  "t.conf:1: serial: the only value is \"auto\" (leave it out to serve the template's serial)\n" },
	{ "zone_duplicate_origin",
	  "zones = ( { origin = \"mail.example.com.\"; template = \"x\"; },\n"
	  "  { origin = \"Mail.Example.COM\"; template = \"y\"; } );\n",
	  "t.conf:2: duplicate zone origin 'mail.example.com.' (first defined at line 1)\n" },
	{ "zone_element_string", "zones = ( \"a.example.\" );\n",
	  "t.conf:1: zones: element 1: expected a group { ... }, got a string\n" },
	{ "pool_missing_name", "pools = ( { " SRV " } );\n",
	  "t.conf:1: missing required key 'name' in pool\n" },
	{ "pool_bad_name", "pools = ( { name = \"in bound\"; " SRV " } );\n",
	  "t.conf:1: name: 'in bound' is not a valid pool name (1 to 63 letters, digits, '-' or '_')\n" },
	{ "pool_name_too_long",
	  "pools = ( { name = \"p234567890123456789012345678901234567890"
	  "123456789012345678901234\"; " SRV " } );\n",
	  "t.conf:1: name: 'p234567890123456789012345678901234567890"
	  "123456789012345678901234' is not a valid pool name "
	  "(1 to 63 letters, digits, '-' or '_')\n" },
	{ "pool_duplicate_name",
	  "pools = ( { name = \"in\"; " SRV " },\n { name = \"IN\"; " SRV " } );\n",
	  "t.conf:2: duplicate pool name 'in' (first defined at line 1)\n" },
	{ "pool_policy_unknown", POOL("policy = \"weighed\";"),
	  "t.conf:1: policy: unknown value 'weighed' (expected weighted, equal or failover)\n" },
	{ "pool_unknown_key", POOL("slow_start = 10;"),
	  "t.conf:1: unknown key 'slow_start' in pool (did you mean 'slowstart'?)\n" },
	{ "probe_not_group", POOL("probe = \"smtp\";"),
	  "t.conf:1: probe: expected a group { ... }, got a string\n" },
	{ "probe_unknown_key", POOL("probe = { type = \"smtp\";\n intervall = 2; };"),
	  "t.conf:2: unknown key 'intervall' in probe (did you mean 'interval'?)\n" },
	{ "probe_unknown_type", POOL("probe = { type = \"smpt\"; };"),
	  "t.conf:1: probe.type: unknown value 'smpt' (expected none, smtp, tcp, http or agent)\n" },
	{ "probe_timeout_ge_interval", POOL("probe = { interval = 2; timeout = 2.0; };"),
	  "t.conf:1: probe.timeout (2) must be less than probe.interval (2)\n" },
	{ "probe_interval_zero", POOL("probe = { interval = 0; };"),
	  "t.conf:1: probe.interval: must be between 0.1 and 3600 seconds, got 0\n" },
	{ "probe_interval_bool", POOL("probe = { interval = true; };"),
	  "t.conf:1: probe.interval: expected a number, got a boolean\n" },
	{ "probe_rise_zero", POOL("probe = { rise = 0; };"),
	  "t.conf:1: probe.rise: must be between 1 and 100, got 0\n" },
	{ "probe_port_range", POOL("probe = { port = 70000; };"),
	  "t.conf:1: probe.port: must be between 1 and 65535, got 70000\n" },
	{ "probe_starttls_required_alone", POOL("probe = { starttls_required = true; };"),
	  "t.conf:1: probe.starttls_required needs probe.starttls = true\n" },
	{ "probe_starttls_on_tcp", POOL("probe = { type = \"tcp\"; starttls = true; };"),
	  "t.conf:1: probe.starttls: not valid with type 'tcp'\n" },
	{ "probe_none_with_port", POOL("probe = { type = \"none\"; port = 25; };"),
	  "t.conf:1: probe.port: not valid with type 'none'\n" },
	{ "probe_http_no_url", POOL("probe = { type = \"http\"; };"),
	  "t.conf:1: probe: type 'http' needs a 'url'\n" },
	{ "probe_http_bad_url", POOL("probe = { type = \"http\"; url = \"ftp://{addr}/\"; };"),
	  "t.conf:1: probe.url: must start with http:// or https://\n" },
	{ "probe_helo_int", POOL("probe = { helo = 1; };"),
	  "t.conf:1: probe.helo: expected a string, got an integer\n" },
	{ "probe_proxy_unknown", POOL("probe = { proxy_protocol = \"v3\"; };"),
	  "t.conf:1: probe.proxy_protocol: unknown value 'v3' (expected none, v1 or v2)\n" },
	{ "load_type_smtp", POOL("load = { type = \"smtp\"; };"),
	  "t.conf:1: load.type: unknown value 'smtp' (expected agent or http)\n" },
	{ "load_prometheus_no_key",
	  POOL("load = { type = \"http\"; url = \"http://{addr}/m\"; load_format = \"prometheus\"; };"),
	  "t.conf:1: load.load_format 'prometheus' needs a 'load_key'\n" },
	{ "load_json_pointer",
	  POOL("load = { type = \"http\"; url = \"http://{addr}/\"; load_format = \"json\"; load_key = \"load\"; };"),
	  "t.conf:1: load.load_key: a JSON pointer must start with '/'\n" },
	{ "load_format_none",
	  POOL("load = { type = \"http\"; url = \"http://{addr}/\"; load_format = \"none\"; };"),
	  "t.conf:1: load.load_format: a load probe needs a format other than 'none'\n" },
	{ "load_low_ge_high", POOL("load_low = 90;\nload_high = 80;"),
	  "t.conf:1: load_low (90) must be less than load_high (80)\n" },
	{ "load_smoothing_zero", POOL("load_smoothing = 0;"),
	  "t.conf:1: load_smoothing: must be between 0.01 and 1, got 0\n" },
	{ "slowstart_negative", POOL("slowstart = -1.5;"),
	  "t.conf:1: slowstart: must be between 0 and 3600 seconds, got -1.5\n" },
	{ "ttl_degraded_negative", POOL("ttl_degraded = -1;"),
	  "t.conf:1: ttl_degraded: must be between 0 and 86400, got -1\n" },
	{ "max_mx_zero", POOL("max_mx = 0;"),
	  "t.conf:1: max_mx: must be between 1 and 64, got 0\n" },
	{ "pref_overflow", POOL("pref_step = 10000;"),
	  "t.conf:1: MX preferences would exceed 65535 (pref_base 10 + pref_step 10000 * max_mx 10)\n" },
	{ "all_down_relay_without_host", POOL("all_down = \"relay\";"),
	  "t.conf:1: all_down 'relay' needs a relay_host\n" },
	{ "all_down_unknown", POOL("all_down = \"fail\";"),
	  "t.conf:1: all_down: unknown value 'fail' (expected all, relay or servfail)\n" },
	{ "dane_unknown", POOL("dane = \"yes\";"),
	  "t.conf:1: dane: unknown value 'yes' (expected off, check or require)\n" },
	{ "dane_without_smtp", POOL("dane = \"require\";"),
	  "t.conf:1: dane 'require' needs an smtp health probe (probe.type "
	  "'smtp'), pool 'p' has 'none'\n" },
	{ "dane_tcp_probe", POOL("probe = { type = \"tcp\"; }; dane = \"check\";"),
	  "t.conf:1: dane 'check' needs an smtp health probe (probe.type "
	  "'smtp'), pool 'p' has 'tcp'\n" },
	{ "relay_host_bad", POOL("relay_host = \"relay..example.\";"),
	  "t.conf:1: relay_host: 'relay..example.' is not a valid host name (empty label)\n" },
	{ "servers_missing", "pools = (\n { name = \"p\"; } );\n",
	  "t.conf:2: missing required key 'servers' in pool\n" },
	{ "servers_empty", "pools = ( { name = \"p\";\n servers = ( ); } );\n",
	  "t.conf:2: servers: a pool needs at least one server\n" },
	{ "servers_array", "pools = ( { name = \"p\"; servers = [ \"a\" ]; } );\n",
	  "t.conf:1: servers: expected a list ( { ... }, ... ), got an array\n" },
	{ "server_missing_address", SERVER(""),
	  "t.conf:1: missing required key 'address' in server\n" },
	{ "server_bad_address", SERVER("address = [ \"192.0.2.1\", \"192.0.2.300\" ];"),
	  "t.conf:1: address: '192.0.2.300' is not an IPv4 or IPv6 address\n" },
	{ "server_address_empty", SERVER("address = [ ];"),
	  "t.conf:1: address: at least one address is required\n" },
	{ "server_address_twice", SERVER("address = [ \"2001:db8::1\", \"2001:DB8:0::1\" ];"),
	  "t.conf:1: address: '2001:db8::1' listed twice\n" },
	{ "server_address_int", SERVER("address = 17;"),
	  "t.conf:1: address: expected a string or an array of strings, got an integer\n" },
	{ "server_weight_zero", SERVER("address = \"192.0.2.1\"; weight = 0;"),
	  "t.conf:1: weight: must be between 1 and 1000000, got 0\n" },
	{ "server_weight_decimal", SERVER("address = \"192.0.2.1\"; weight = 2.5;"),
	  "t.conf:1: weight: expected an integer, got a decimal number\n" },
	{ "server_tier_range", SERVER("address = \"192.0.2.1\"; tier = 300;"),
	  "t.conf:1: tier: must be between 0 and 255, got 300\n" },
	{ "server_probe_address_name",
	  SERVER("address = \"192.0.2.1\";\n probe_address = \"mx1.internal\";"),
	  "t.conf:2: probe_address: 'mx1.internal' is not an IPv4 or IPv6 address\n" },
	{ "server_probe_address_port",
	  SERVER("address = \"192.0.2.1\"; probe_address = \"10.0.0.5:2525\";"),
	  "t.conf:1: probe_address: '10.0.0.5:2525' is not an IP address alone: "
	  "write \"10.0.0.5\" and the port as probe_port\n" },
	{ "server_probe_address_brackets",
	  SERVER("address = \"192.0.2.1\"; probe_address = \"[fd00::5]\";"),
	  "t.conf:1: probe_address: '[fd00::5]' is not an IP address alone: "
	  "write \"fd00::5\"\n" },
	{ "server_probe_address_list",
	  SERVER("address = [ \"192.0.2.1\", \"2001:db8::1\" ];\n"
	  " probe_address = [ \"10.0.0.1\", \"fd00::1\" ];"),
	  "t.conf:2: probe_address: expected one address (a string), got an "
	  "array: a server is probed once, at one address\n" },
	{ "server_probe_address_int",
	  SERVER("address = \"192.0.2.1\"; probe_address = 10;"),
	  "t.conf:1: probe_address: expected a string, got an integer\n" },
	{ "server_probe_address_empty",
	  SERVER("address = \"192.0.2.1\"; probe_address = \"\";"),
	  "t.conf:1: probe_address: must not be empty\n" },
	{ "server_probe_address_unusable",
	  SERVER("address = \"192.0.2.1\"; probe_address = \"0.0.0.0\";"),
	  "t.conf:1: probe_address: '0.0.0.0' is the unspecified address, never "
	  "a mail server\n" },
	{ "server_probe_address_ambiguous",
	  SERVER("address = \"192.0.2.1\"; probe_address = \"::1:25\";"),
	  "t.conf:1: probe_address: '::1:25' is ambiguous (::1 and port 25?): a "
	  "server address takes no port, so write \"::1\" (read whole, it is an "
	  "IPv4-compatible address, never a mail server)\n" },
	{ "server_probe_port_zero",
	  "pools = ( { name = \"p\"; probe = { type = \"tcp\"; }; servers = (\n"
	  " { name = \"a\"; address = \"192.0.2.1\"; probe_port = 0; },\n"
	  " { name = \"b\"; address = \"192.0.2.2\"; probe_port = 65536; },\n"
	  " { name = \"c\"; address = \"192.0.2.3\"; probe_port = \"25\"; } ); } );\n",
	  "t.conf:2: probe_port: must be between 1 and 65535, got 0\n"
	  "t.conf:3: probe_port: must be between 1 and 65535, got 65536\n"
	  "t.conf:4: probe_port: expected an integer, got a string\n" },
	{ "server_probe_port_no_probe",
	  "pools = ( { name = \"p\"; load = { type = \"agent\"; }; servers = (\n"
	  " { name = \"a\"; address = \"192.0.2.1\"; probe_port = 2525; } ); } );\n",
	  "t.conf:2: probe_port: pool 'p' has no health probe (probe.type 'none' "
	  "or no 'probe' group)\n" },
	{ "server_bad_host", SERVER("address = \"192.0.2.1\"; host = \"mx 1\";"),
	  "t.conf:1: host: 'mx 1' is not a valid host name (invalid character)\n" },
	{ "server_unknown_key", SERVER("address = \"192.0.2.1\"; adress = \"x\";"),
	  "t.conf:1: unknown key 'adress' in server (did you mean 'address'?)\n" },
	{ "server_bad_name",
	  "pools = ( { name = \"p\"; servers = ( { name = \"mx.1\"; address = \"192.0.2.1\"; } ); } );\n",
	  "t.conf:1: name: 'mx.1' is not a valid server name (1 to 63 letters, digits, '-' or '_')\n" },
	{ "server_duplicate_name",
	  "pools = ( { name = \"p\"; servers = (\n"
	  "  { name = \"mx1\"; address = \"192.0.2.1\"; },\n"
	  "  { name = \"MX1\"; address = \"192.0.2.2\"; } ); } );\n",
	  "t.conf:3: duplicate server name 'mx1' (first defined at line 2)\n" },
	{ "server_shared_host_other_addrs",
	  "pools = ( { name = \"a\"; servers = ( { name = \"mx1\"; address = \"192.0.2.1\"; } ); },\n"
	  "  { name = \"b\"; servers = (\n"
	  "    { name = \"mx2\"; address = [ \"192.0.2.9\" ]; },\n"
	  "    { name = \"mx1\"; address = [ \"192.0.2.2\" ]; } ); } );\n",
	  "t.conf:4: server 'mx1' has the host name of server 'mx1' of pool 'a' "
	  "(line 1) but other addresses\n" },
	{ "server_shared_host_chain",
	  "pools = ( { name = \"a\"; servers = ( { name = \"x\"; host = \"MX.example.\"; address = \"192.0.2.1\"; } ); },\n"
	  "  { name = \"b\"; servers = ( { name = \"y\"; host = \"mx.example.\"; address = \"192.0.2.1\"; } ); },\n"
	  "  { name = \"c\"; servers = ( { name = \"z\"; host = \"mx.EXAMPLE.\"; address = \"192.0.2.3\"; } ); },\n"
	  "  { name = \"d\"; servers = ( { name = \"w\"; host = \"mx.example.\"; address = [ \"192.0.2.3\" ]; },\n"
	  "    { name = \"v\"; host = \"mx.example.\"; address = [ \"192.0.2.1\" ]; } ); } );\n",
	  "t.conf:3: server 'z' has the host name of server 'x' of pool 'a' "
	  "(line 1) but other addresses\n"
	  "t.conf:4: server 'w' has the host name of server 'x' of pool 'a' "
	  "(line 1) but other addresses\n"
	  "t.conf:5: server 'v' has the host name of server 'z' of pool 'c' "
	  "(line 3) but other addresses\n" },
	{ "pool_duplicate_name_many",
	  "pools = ( { name = \"a\"; " SRV " },\n { name = \"b\"; " SRV " },\n"
	  " { name = \"A\"; " SRV " },\n { name = \"b\"; " SRV " },\n"
	  " { name = \"a\"; " SRV " } );\n",
	  "t.conf:3: duplicate pool name 'a' (first defined at line 1)\n"
	  "t.conf:4: duplicate pool name 'b' (first defined at line 2)\n"
	  "t.conf:5: duplicate pool name 'a' (first defined at line 1)\n" },
	{ "relay_unknown_pool",
	  POOL("") "relay = { listen = \"127.0.0.1:25\"; pool = \"q\"; };\n",
	  "t.conf:2: relay.pool: unknown pool 'q' (did you mean 'p'?)\n" },
	{ "relay_missing_pool", "relay = { listen = \"127.0.0.1:25\"; };\n",
	  "t.conf:1: missing required key 'pool' in relay\n" },
	{ "relay_missing_listen", POOL("") "relay = { pool = \"p\"; };\n",
	  "t.conf:2: missing required key 'listen' in relay\n" },
	{ "relay_port_zero",
	  POOL("") "relay = { listen = \"127.0.0.1:25\"; pool = \"p\"; port = 0; };\n",
	  "t.conf:2: relay.port: must be between 1 and 65535, got 0\n" },
	{ "relay_policy_unknown",
	  POOL("") "relay = { listen = \"127.0.0.1:25\"; pool = \"p\"; policy = \"random\"; };\n",
	  "t.conf:2: relay.policy: unknown value 'random' (expected weighted or leastconn)\n" },
	{ "relay_unknown_key",
	  POOL("") "relay = { listen = \"127.0.0.1:25\"; pool = \"p\"; retires = 3; };\n",
	  "t.conf:2: unknown key 'retires' in relay (did you mean 'retries'?)\n" },
};

#define NBAD (sizeof(bad_cases) / sizeof(bad_cases[0]))

/* Load text, return the conf and what was written to errout in *errs. */
static struct conf *
load_capture(const char *text, char **errs)
{
	struct conf *conf;
	size_t len = 0;
	FILE *f;

	*errs = NULL;
	f = open_memstream(errs, &len);
	assert_non_null(f);
	conf = conf_load_string(text, "t.conf", f);
	assert_int_equal(fclose(f), 0);
	return conf;
}

static void
test_bad(void **state)
{
	const struct bad_case *bc = *state;
	struct conf *conf;
	char *errs;

	conf = load_capture(bc->text, &errs);
	if (strcmp(errs, bc->errors) != 0)
		print_error("case %s\nconfig:\n%s\nexpected:\n%sgot:\n%s", bc->name,
		    bc->text, bc->errors, errs);
	assert_null(conf);
	assert_string_equal(errs, bc->errors);
	free(errs);
}

/* Every case above is distinct: no two expect the same message. */
static void
test_bad_distinct(void **state)
{
	size_t i, j;

	(void)state;
	assert_true(NBAD >= 35);
	for (i = 0; i < NBAD; i++)
		for (j = i + 1; j < NBAD; j++) {
			assert_string_not_equal(bad_cases[i].errors, bad_cases[j].errors);
			assert_string_not_equal(bad_cases[i].name, bad_cases[j].name);
		}
}

/* Many errors in one file: all of them, in line order. */
static void
test_multi_error(void **state)
{
	static const char text[] =
	    "listen = [ \"127.0.0.1:99999\" ];\n"		/* 1 */
	    "worker = 2;\n"					/* 2 */
	    "zones = ( { origin = \"a..b\"; template = \"t\"; } );\n"	/* 3 */
	    "pools = (\n"					/* 4 */
	    "  { name = \"in\";\n"				/* 5 */
	    "    policy = \"weighed\";\n"			/* 6 */
	    "    probe = { type = \"smtp\"; interval = 2; timeout = 5; };\n" /* 7 */
	    "    servers = (\n"					/* 8 */
	    "      { name = \"mx1\"; address = \"192.0.2.300\"; weight = 0; },\n" /* 9 */
	    "      { name = \"mx1\"; address = \"192.0.2.2\"; }\n"	/* 10 */
	    "    );\n"						/* 11 */
	    "  }\n"						/* 12 */
	    ");\n"						/* 13 */
	    "relay = { listen = \"127.0.0.1:25\"; pool = \"inn\"; };\n"; /* 14 */
	static const char expect[] =
	    "t.conf:1: listen: '127.0.0.1:99999' has a bad port (expected 1 to 65535)\n"
	    "t.conf:2: unknown key 'worker' (did you mean 'workers'?)\n"
	    "t.conf:3: origin: 'a..b' is not a valid domain name (empty label)\n"
	    "t.conf:6: policy: unknown value 'weighed' (expected weighted, equal or failover)\n"
	    "t.conf:7: probe.timeout (5) must be less than probe.interval (2)\n"
	    "t.conf:9: address: '192.0.2.300' is not an IPv4 or IPv6 address\n"
	    "t.conf:9: weight: must be between 1 and 1000000, got 0\n"
	    "t.conf:10: duplicate server name 'mx1' (first defined at line 9)\n"
	    "t.conf:14: relay.pool: unknown pool 'inn' (did you mean 'in'?)\n";
	struct conf *conf;
	char *errs;

	(void)state;
	conf = load_capture(text, &errs);
	assert_null(conf);
	assert_string_equal(errs, expect);
	free(errs);
}

static const char *
root_dir(void)
{
	const char *r = getenv("MXS_ROOT");

	return r != NULL ? r : ".";
}

/* The shipped example, value by value. */
static void
test_example(void **state)
{
	const struct conf_pool *p;
	const struct conf_server *s;
	struct conf *conf;
	char path[4096], tmpl[4096];
	char *errs = NULL;
	size_t len = 0, idx = 99;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/zones/examples/mxspread.conf", root_dir());
	snprintf(tmpl, sizeof(tmpl), "%s/zones/examples/mail.example.com.zone",
	    root_dir());
	f = open_memstream(&errs, &len);
	assert_non_null(f);
	conf = conf_load(path, f);
	fclose(f);
	assert_string_equal(errs, "");
	free(errs);
	assert_non_null(conf);

	assert_string_equal(conf->file, path);
	assert_int_equal(conf->nlisten, 2);
	assert_string_equal(conf->listen[0].text, "127.0.0.1:5353");
	assert_int_equal(conf->listen[0].ss.ss_family, AF_INET);
	assert_int_equal(conf->listen[0].len, sizeof(struct sockaddr_in));
	assert_int_equal(ntohs(((struct sockaddr_in *)&conf->listen[0].ss)->sin_port), 5353);
	assert_string_equal(conf->listen[1].text, "[::1]:5353");
	assert_int_equal(conf->listen[1].ss.ss_family, AF_INET6);
	assert_int_equal(conf->listen[1].len, sizeof(struct sockaddr_in6));
	assert_int_equal(conf->workers, 2);
	assert_int_equal(conf->edns_payload, 1232);
	assert_true(conf->tcp_idle_timeout == 10.0);
	assert_int_equal(conf->tcp_max_connections, 1000);
	assert_int_equal(conf->tcp_max_per_source, 64);
	assert_true(conf->rrl.enabled);
	assert_int_equal(conf->rrl.rate, 100);
	assert_int_equal(conf->rrl.slip, 2);
	assert_int_equal(conf->rrl.window, 15);
	assert_int_equal(conf->rrl.ipv4_prefix, 24);
	assert_int_equal(conf->rrl.ipv6_prefix, 56);
	assert_int_equal(conf->rrl.nexempt, 2);
	assert_string_equal(conf->rrl.exempt[0].text, "127.0.0.0/8");
	assert_string_equal(conf->rrl.exempt[1].text, "::1/128");
	assert_null(conf->version_bind);
	assert_null(conf->id_server);
	assert_null(conf->user);
	assert_null(conf->group);
	assert_int_equal(conf->log_level, LOG_LVL_INFO);
	assert_false(conf->log_syslog);

	assert_true(conf->status.enabled);
	assert_string_equal(conf->status.listen.text, "127.0.0.1:8053");
	assert_null(conf->status.token_file);
	assert_null(conf->status.state_file);

	assert_int_equal(conf->nzones, 1);
	assert_string_equal(conf->zones[0].origin, "mail.example.com.");
	assert_string_equal(conf->zones[0].template, tmpl);
	assert_false(conf->zones[0].serial_auto);
	assert_true(conf->zones[0].line > 0);

	assert_int_equal(conf->npools, 1);
	p = conf_pool_find(conf, "INBOUND", &idx);
	assert_non_null(p);
	assert_int_equal(idx, 0);
	assert_null(conf_pool_find(conf, "outbound", NULL));
	assert_string_equal(p->name, "inbound");
	assert_int_equal(p->policy, CONF_POLICY_WEIGHTED);
	assert_string_equal(conf_policy_name(p->policy), "weighted");
	assert_int_equal(p->probe.type, CONF_PROBE_SMTP);
	assert_string_equal(conf_probe_type_name(p->probe.type), "smtp");
	assert_int_equal(p->probe.port, 2525);
	assert_true(p->probe.interval == 2.0);
	assert_true(p->probe.timeout == 1.0);
	assert_int_equal(p->probe.rise, 2);
	assert_int_equal(p->probe.fall, 2);
	assert_false(p->probe.starttls);
	assert_null(p->probe.helo);
	assert_false(p->has_load);
	assert_true(p->slowstart == 10.0);
	assert_true(p->load_smoothing == 0.3);
	assert_true(p->load_low == 50.0);
	assert_true(p->load_high == 95.0);
	assert_int_equal(p->min_up, 1);
	assert_int_equal(p->max_mx, 10);
	assert_int_equal(p->max_addrs, 8);
	assert_int_equal(p->pref_base, 10);
	assert_int_equal(p->pref_step, 10);
	assert_int_equal(p->ttl_degraded, 0);
	assert_null(p->relay_host);
	assert_int_equal(p->all_down, CONF_ALLDOWN_ALL);
	assert_int_equal(p->dane, CONF_DANE_AUTO);
	assert_int_equal(p->dane_line, 0);

	assert_int_equal(p->nservers, 3);
	s = &p->servers[0];
	assert_string_equal(s->name, "mx1");
	assert_null(s->host);
	assert_int_equal(s->weight, 3);
	assert_int_equal(s->tier, 0);
	assert_int_equal(s->naddrs, 2);
	assert_int_equal(s->addrs[0].family, AF_INET);
	assert_string_equal(s->addrs[0].text, "127.0.0.11");
	assert_int_equal(s->addrs[1].family, AF_INET6);
	assert_string_equal(s->addrs[1].text, "2001:db8::11");
	s = &p->servers[1];
	assert_string_equal(s->name, "mx2");
	assert_int_equal(s->weight, 2);
	assert_int_equal(s->naddrs, 2);
	assert_string_equal(s->addrs[0].text, "127.0.0.12");
	assert_string_equal(s->addrs[1].text, "2001:db8::12");
	s = &p->servers[2];
	assert_string_equal(s->name, "mx3");
	assert_int_equal(s->weight, 1);
	assert_int_equal(s->naddrs, 1);
	assert_string_equal(s->addrs[0].text, "127.0.0.13");
	assert_true(p->servers[0].line < p->servers[1].line);

	assert_false(conf->relay.enabled);
	conf_free(conf);
}

/* Defaults of an empty file, and every key set to a non-default value. */
static void
test_defaults(void **state)
{
	struct conf *conf;
	char *errs;

	(void)state;
	conf = load_capture("", &errs);
	assert_string_equal(errs, "");
	free(errs);
	assert_non_null(conf);
	assert_int_equal(conf->nlisten, 2);
	assert_string_equal(conf->listen[0].text, "0.0.0.0:53");
	assert_string_equal(conf->listen[1].text, "[::]:53");
	assert_int_equal(conf->workers, 0);
	assert_int_equal(conf->edns_payload, 1232);
	assert_true(conf->status.enabled);
	assert_string_equal(conf->status.listen.text, "127.0.0.1:8053");
	assert_int_equal(conf->nzones, 0);
	assert_int_equal(conf->npools, 0);
	assert_false(conf->relay.enabled);
	assert_int_equal(conf->relay.port, 25);
	assert_int_equal(conf->relay.retries, 2);
	assert_true(conf->relay.connect_timeout == 5.0);
	assert_true(conf->relay.idle_timeout == 300.0);
	assert_int_equal(conf->relay.max_connections, 1000);
	assert_int_equal(conf->relay.max_per_source, 20);
	conf_free(conf);
}

static void
test_all_keys(void **state)
{
	static const char text[] =
	    "listen = \"[2001:db8::53]\";\n"
	    "workers = 0; edns_payload = 4096; tcp_idle_timeout = 0.5;\n"
	    "tcp_max_connections = 50; version_bind = \"mxspread\";\n"
	    "id_server = \"ns1\"; user = \"nobody\"; group = \"nogroup\";\n"
	    "log_level = \"DEBUG\"; syslog = true;\n"
	    "status = { enabled = false; listen = \"[::1]\"; token_file = \"/t\";\n"
	    "  state_file = \"/s\"; };\n"
	    "zones = ( { origin = \"Mail.Example.COM\"; template = \"/abs/z\";\n"
	    "  serial = \"auto\"; } );\n"
	    "pools = (\n"
	    "  { name = \"Out_1\"; policy = \"failover\";\n"
	    "    probe = { type = \"smtp\"; port = 587; interval = 0.5; rise = 3;\n"
	    "      fall = 1; starttls = true; starttls_required = true;\n"
	    "      ca_file = \"/ca.pem\"; tls_hostname = \"mx.example.\";\n"
	    "      helo = \"probe.example\"; proxy_protocol = \"v2\"; };\n"
	    "    load = { type = \"http\"; port = 8080; url = \"https://{addr}:{port}/load\";\n"
	    "      load_format = \"json\"; load_key = \"/load/cpu\"; interval = 10; };\n"
	    "    load_smoothing = 1; load_low = 10.5; load_high = 90; slowstart = 0;\n"
	    "    min_up = 2; max_mx = 4; max_addrs = 2; pref_base = 0; pref_step = 5;\n"
	    "    ttl_degraded = 30; relay_host = \"relay\"; all_down = \"relay\";\n"
	    "    dane = \"require\";\n"
	    "    servers = ( { name = \"A\"; host = \"mx-a.example.net.\";\n"
	    "      address = \"192.0.2.1\"; weight = 1000000; tier = 255;\n"
	    "      probe_address = \"fd00::a\"; probe_port = 2525; } );\n"
	    "  },\n"
	    "  { name = \"t\"; probe = { type = \"agent\"; }; load = { };\n"
	    "    servers = ( { name = \"b\"; address = [ \"::ffff:192.0.2.2\" ]; } ); }\n"
	    ");\n"
	    "relay = { enabled = true; listen = [ \"127.0.0.1\", \"[::1]:2525\" ];\n"
	    "  pool = \"OUT_1\"; port = 10025; proxy_protocol = \"v1\";\n"
	    "  policy = \"leastconn\"; retries = 0; connect_timeout = 0.25;\n"
	    "  idle_timeout = 60; max_connections = 10; max_per_source = 0;\n"
	    "  hostname = \"relay.example\"; };\n";
	const struct conf_pool *p;
	struct conf *conf;
	char *errs;

	(void)state;
	conf = load_capture(text, &errs);
	assert_string_equal(errs, "");
	free(errs);
	assert_non_null(conf);
	assert_int_equal(conf->nlisten, 1);
	assert_string_equal(conf->listen[0].text, "[2001:db8::53]:53");
	assert_int_equal(conf->edns_payload, 4096);
	assert_true(conf->tcp_idle_timeout == 0.5);
	assert_int_equal(conf->tcp_max_connections, 50);
	assert_string_equal(conf->version_bind, "mxspread");
	assert_string_equal(conf->id_server, "ns1");
	assert_string_equal(conf->user, "nobody");
	assert_string_equal(conf->group, "nogroup");
	assert_int_equal(conf->log_level, LOG_LVL_DEBUG);
	assert_true(conf->log_syslog);
	assert_false(conf->status.enabled);
	assert_string_equal(conf->status.listen.text, "[::1]:8053");
	assert_string_equal(conf->status.token_file, "/t");
	assert_string_equal(conf->status.state_file, "/s");
	assert_string_equal(conf->zones[0].origin, "mail.example.com.");
	assert_string_equal(conf->zones[0].template, "/abs/z");
	assert_true(conf->zones[0].serial_auto);

	assert_int_equal(conf->npools, 2);
	p = &conf->pools[0];
	assert_string_equal(p->name, "out_1");
	assert_int_equal(p->policy, CONF_POLICY_FAILOVER);
	assert_int_equal(p->probe.port, 587);
	assert_true(p->probe.interval == 0.5);
	assert_true(p->probe.timeout == 0.25);	/* default: half a short interval */
	assert_int_equal(p->probe.rise, 3);
	assert_int_equal(p->probe.fall, 1);
	assert_true(p->probe.starttls);
	assert_true(p->probe.starttls_required);
	assert_string_equal(p->probe.ca_file, "/ca.pem");
	assert_string_equal(p->probe.tls_hostname, "mx.example.");
	assert_string_equal(p->probe.helo, "probe.example");
	assert_int_equal(p->probe.proxy_protocol, CONF_PROXY_V2);
	assert_int_equal(p->probe.line, 12);
	assert_true(p->has_load);
	assert_int_equal(p->load.type, CONF_PROBE_HTTP);
	assert_int_equal(p->load.port, 8080);
	assert_string_equal(p->load.url, "https://{addr}:{port}/load");
	assert_int_equal(p->load.load_format, CONF_LOAD_JSON);
	assert_string_equal(p->load.load_key, "/load/cpu");
	assert_true(p->load.interval == 10.0);
	assert_true(p->load.timeout == 3.0);
	assert_true(p->load_smoothing == 1.0);
	assert_true(p->load_low == 10.5);
	assert_true(p->load_high == 90.0);
	assert_true(p->slowstart == 0.0);
	assert_int_equal(p->min_up, 2);
	assert_int_equal(p->max_mx, 4);
	assert_int_equal(p->max_addrs, 2);
	assert_int_equal(p->pref_base, 0);
	assert_int_equal(p->pref_step, 5);
	assert_int_equal(p->ttl_degraded, 30);
	assert_string_equal(p->relay_host, "relay");
	assert_int_equal(p->all_down, CONF_ALLDOWN_RELAY);
	assert_int_equal(p->dane, CONF_DANE_REQUIRE);
	assert_true(p->dane_line > 0);
	/* filled by the world load only */
	assert_null(p->servers[0].tlsa);
	assert_null(p->servers[0].tlsa_host);
	assert_string_equal(p->servers[0].name, "a");
	assert_string_equal(p->servers[0].host, "mx-a.example.net.");
	assert_int_equal(p->servers[0].weight, 1000000);
	assert_int_equal(p->servers[0].tier, 255);
	assert_int_equal(p->servers[0].probe_addr.family, AF_INET6);
	assert_string_equal(p->servers[0].probe_addr.text, "fd00::a");
	assert_int_equal(p->servers[0].probe_port, 2525);
	assert_ptr_equal(conf_server_target(&p->servers[0]),
	    &p->servers[0].probe_addr);

	p = &conf->pools[1];
	assert_int_equal(p->probe.type, CONF_PROBE_AGENT);
	assert_int_equal(p->probe.port, 8900);
	assert_true(p->probe.interval == 5.0);
	assert_true(p->probe.timeout == 3.0);
	assert_int_equal(p->probe.rise, 2);
	assert_int_equal(p->probe.fall, 3);
	assert_true(p->has_load);
	assert_int_equal(p->load.type, CONF_PROBE_AGENT);
	assert_int_equal(p->load.port, 8900);
	assert_int_equal(p->servers[0].addrs[0].family, AF_INET6);
	assert_int_equal(p->servers[0].weight, 1);
	assert_int_equal(p->servers[0].probe_addr.family, 0);
	assert_int_equal(p->servers[0].probe_port, 0);

	assert_true(conf->relay.enabled);
	assert_int_equal(conf->relay.nlisten, 2);
	assert_string_equal(conf->relay.listen[0].text, "127.0.0.1:25");
	assert_string_equal(conf->relay.listen[1].text, "[::1]:2525");
	assert_string_equal(conf->relay.pool, "out_1");
	assert_int_equal(conf->relay.pool_index, 0);
	assert_int_equal(conf->relay.port, 10025);
	assert_int_equal(conf->relay.proxy_protocol, CONF_PROXY_V1);
	assert_int_equal(conf->relay.policy, CONF_RELAY_LEASTCONN);
	assert_int_equal(conf->relay.retries, 0);
	assert_true(conf->relay.connect_timeout == 0.25);
	assert_true(conf->relay.idle_timeout == 60.0);
	assert_int_equal(conf->relay.max_connections, 10);
	assert_int_equal(conf->relay.max_per_source, 0);
	assert_string_equal(conf->relay.hostname, "relay.example");
	conf_free(conf);
}

/* One server in two pools, same addresses in another order: fine. */
/* Loopback, private, link-local addresses and ones whose last group looks
 * like a port but that are addresses read whole ("2001:db8::1:53") are
 * mail servers; "[::1]:5353" is the unambiguous listen form. */
static void
test_addresses_ok(void **state)
{
	struct conf *conf;

	(void)state;
	conf = conf_load_string("listen = [ \"[::1]:5353\", \"[fd00::1:5353]\", "
	    "\"0.0.0.0:5353\", \"[::]:5354\" ];\n"
	    SERVER("address = [ \"127.0.0.1\", \"10.1.2.3\", \"192.168.0.1\", "
	    "\"172.16.0.1\", \"::1\", \"fe80::1\", \"fd00::25\", "
	    "\"2001:db8::1:53\", \"2001:db8::11\", \"::ffff:127.0.0.2\" ];"),
	    "t.conf", stderr);
	assert_non_null(conf);
	assert_int_equal(conf->pools[0].servers[0].naddrs, 10);
	assert_string_equal(conf->listen[0].text, "[::1]:5353");
	assert_string_equal(conf->listen[1].text, "[fd00::1:5353]:53");
	conf_free(conf);
}

static void
test_shared_server(void **state)
{
	static const char text[] =
	    "pools = ( { name = \"a\"; servers = ( { name = \"mx1\";\n"
	    "    address = [ \"192.0.2.1\", \"2001:db8::1\" ]; } ); },\n"
	    "  { name = \"b\"; policy = \"equal\"; servers = ( { name = \"MX1\";\n"
	    "    address = [ \"2001:db8::1\", \"192.0.2.1\" ]; } ); } );\n";
	struct conf *conf;
	char *errs;

	(void)state;
	conf = load_capture(text, &errs);
	assert_string_equal(errs, "");
	free(errs);
	assert_non_null(conf);
	assert_int_equal(conf->npools, 2);
	assert_int_equal(conf->pools[1].policy, CONF_POLICY_EQUAL);
	assert_string_equal(conf->pools[1].servers[0].name, "mx1");
	conf_free(conf);
}

/*
 * conf_load on real files: template paths relative to the config's
 * directory, @include with errors naming the included file, missing file.
 */
static void
test_files(void **state)
{
	char dir[] = "/tmp/mxs-test-conf.XXXXXX";
	char path[256], inc[256], expect[1024];
	struct conf *conf;
	char *errs = NULL;
	size_t len = 0;
	FILE *f, *e;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	snprintf(inc, sizeof(inc), "%s/pools.inc", dir);

	f = fopen(inc, "w");
	assert_non_null(f);
	fputs("pools = ( { name = \"p\";\n"
	    "  servers = ( { name = \"a\"; address = \"192.0.2.1\"; } ); } );\n", f);
	fclose(f);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("# test\nzones = ( { origin = \"a.example\"; template = \"z/a.zone\"; } );\n"
	    "@include \"pools.inc\"\n", f);
	fclose(f);

	e = open_memstream(&errs, &len);
	conf = conf_load(path, e);
	fclose(e);
	assert_string_equal(errs, "");
	free(errs);
	assert_non_null(conf);
	snprintf(expect, sizeof(expect), "%s/z/a.zone", dir);
	assert_string_equal(conf->zones[0].template, expect);
	assert_string_equal(conf->zones[0].origin, "a.example.");
	assert_int_equal(conf->npools, 1);
	conf_free(conf);

	/* An error inside the included file names that file and its line. */
	f = fopen(inc, "w");
	assert_non_null(f);
	fputs("pools = ( { name = \"p\";\n"
	    "  servers = ( { name = \"a\"; address = \"192.0.2.999\"; } ); } );\n", f);
	fclose(f);
	errs = NULL;
	e = open_memstream(&errs, &len);
	conf = conf_load(path, e);
	fclose(e);
	assert_null(conf);
	snprintf(expect, sizeof(expect),
	    "%s/pools.inc:2: address: '192.0.2.999' is not an IPv4 or IPv6 address\n",
	    dir);
	assert_string_equal(errs, expect);
	free(errs);

	/* A syntax error in the main file. */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("workers = 2;\n\nlisten = ;\n", f);
	fclose(f);
	errs = NULL;
	e = open_memstream(&errs, &len);
	conf = conf_load(path, e);
	fclose(e);
	assert_null(conf);
	snprintf(expect, sizeof(expect), "%s:3: syntax error\n", path);
	assert_string_equal(errs, expect);
	free(errs);

	assert_int_equal(unlink(path), 0);
	assert_int_equal(unlink(inc), 0);

	/* No such file. */
	errs = NULL;
	e = open_memstream(&errs, &len);
	conf = conf_load(path, e);
	fclose(e);
	assert_null(conf);
	snprintf(expect, sizeof(expect), "%s: No such file or directory\n", path);
	assert_string_equal(errs, expect);
	free(errs);
	assert_int_equal(rmdir(dir), 0);
}

/* Write text to dir/name (name may hold a subdirectory that exists). */
static void
put_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* conf_load of path: its errors (caller frees); *confp the result. */
static char *
load_errors(const char *path, struct conf **confp)
{
	char *errs = NULL;
	size_t len = 0;
	FILE *e;

	assert_non_null(e = open_memstream(&errs, &len));
	*confp = conf_load(path, e);
	fclose(e);
	return errs;
}

/*
 * Numbers in included files (nested, relative and absolute) are
 * range-checked at their own file:line and shown as written: libconfig
 * would read 4294967297 as 1, 4294969821 as 2525, 4294967296 as 0.
 */
static void
test_include_numbers(void **state)
{
	char dir[] = "/tmp/mxs-test-inc.XXXXXX";
	char path[256], text[1024], expect[4096];
	struct conf *conf;
	char *errs;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	put_file(dir, "pools.inc",
	    "pools = ( { name = \"p\";\n"
	    "  probe = { type = \"tcp\";\n"
	    "    port = 4294969821; };\n"
	    "  servers = ( { name = \"a\"; address = \"192.0.2.1\";\n"
	    "    weight = 4294967297; } ); } );\n"
	    "@include \"sub/nested.inc\"\n");
	put_file(dir, "sub/nested.inc",
	    "tcp_max_per_source = 4294967296;\n"
	    "rrl = { rate = -99999999999999999999;\n"
	    "  window = 99999999999999999999; slip = 0x100000001;\n"
	    "  ipv4_prefix = 99999999999999999999L; };\n");
	/* absolute: libconfig 1.5 itself would prefix the include directory */
	put_file(dir, "abs.inc", "workers = 0xFFFFFFFF;\n");
	snprintf(text, sizeof(text),
	    "# main\n"
	    "@include \"pools.inc\"\n"
	    "  @include \"%s/abs.inc\" # after the include\n"
	    "edns_payload = 4294967808;\n", dir);
	put_file(dir, "main.conf", text);
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	errs = load_errors(path, &conf);
	assert_null(conf);
	snprintf(expect, sizeof(expect),
	    "%s/main.conf:4: number 4294967808 is too large\n"
	    "%s/abs.inc:1: number 0xFFFFFFFF is too large\n"
	    "%s/pools.inc:3: number 4294969821 is too large\n"
	    "%s/pools.inc:5: number 4294967297 is too large\n"
	    "%s/sub/nested.inc:1: number 4294967296 is too large\n"
	    "%s/sub/nested.inc:2: number -99999999999999999999 is too large\n"
	    "%s/sub/nested.inc:3: number 99999999999999999999 is too large\n"
	    "%s/sub/nested.inc:3: number 0x100000001 is too large\n"
	    "%s/sub/nested.inc:4: number 99999999999999999999L is too large\n",
	    dir, dir, dir, dir, dir, dir, dir, dir, dir);
	assert_string_equal(errs, expect);
	free(errs);

	/* In range: the included values are read, other errors keep their
	 * own file:line, lines after an include are the main file's again. */
	put_file(dir, "pools.inc",
	    "pools = ( { name = \"p\";\n"
	    "  probe = { type = \"tcp\"; port = 2525; };\n"
	    "  servers = ( { name = \"a\"; address = \"192.0.2.1\";\n"
	    "    weight = 3000000000L; } ); } );\n");
	put_file(dir, "abs.inc", "workers = 3;\n");
	snprintf(text, sizeof(text),
	    "@include \"pools.inc\"\n"
	    "@include \"%s/abs.inc\"\n"
	    "edns_payload = 4294967808L;\n", dir);
	put_file(dir, "main.conf", text);
	snprintf(expect, sizeof(expect),
	    "%s/main.conf:3: edns_payload: must be between 512 and 4096, got "
	    "4294967808\n"
	    "%s/pools.inc:4: weight: must be between 1 and 1000000, got "
	    "3000000000\n", dir, dir);
	errs = load_errors(path, &conf);
	assert_null(conf);
	assert_string_equal(errs, expect);
	free(errs);

	put_file(dir, "pools.inc",
	    "pools = ( { name = \"p\";\n"
	    "  probe = { type = \"tcp\"; port = 2525; };\n"
	    "  servers = ( { name = \"a\"; address = \"192.0.2.1\";\n"
	    "    weight = 7; } ); } );\n");
	snprintf(text, sizeof(text),
	    "@include \"pools.inc\"\n"
	    "@include \"%s/abs.inc\"\n"
	    "tcp_max_per_source = 9;\n", dir);
	put_file(dir, "main.conf", text);
	errs = load_errors(path, &conf);
	assert_string_equal(errs, "");
	free(errs);
	assert_non_null(conf);
	assert_int_equal(conf->workers, 3);
	assert_int_equal(conf->tcp_max_per_source, 9);
	assert_int_equal(conf->pools[0].probe.port, 2525);
	assert_int_equal(conf->pools[0].servers[0].weight, 7);
	assert_int_equal(conf->pools[0].servers[0].line, 3);
	conf_free(conf);

	/* A missing include names the path it tried; an include loop ends. */
	snprintf(text, sizeof(text),
	    "workers = 1;\n@include \"%s/none.inc\"\n@include \"loop.inc\"\n",
	    dir);
	put_file(dir, "main.conf", text);
	put_file(dir, "loop.inc", "\n@include \"loop.inc\"\n");
	errs = load_errors(path, &conf);
	assert_null(conf);
	snprintf(expect, sizeof(expect),
	    "%s/main.conf:2: cannot open include file %s/none.inc: No such "
	    "file or directory\n"
	    "%s/loop.inc:2: @include \"loop.inc\": nested deeper than 10 "
	    "files (an include loop?)\n", dir, dir, dir);
	assert_string_equal(errs, expect);
	free(errs);

	/* Not a regular file (a device, a directory): refused, not read. */
	put_file(dir, "main.conf", "@include \"/dev/zero\"\n@include \"sub\"\n");
	errs = load_errors(path, &conf);
	assert_null(conf);
	snprintf(expect, sizeof(expect),
	    "%s/main.conf:1: cannot open include file /dev/zero: not a regular "
	    "file\n"
	    "%s/main.conf:2: cannot open include file %s/sub: not a regular "
	    "file\n", dir, dir, dir);
	assert_string_equal(errs, expect);
	free(errs);

	/* A syntax error in an included file: that file's line. */
	put_file(dir, "loop.inc", "\n\nlisten = ;\n");
	put_file(dir, "main.conf", "workers = 1;\n@include \"loop.inc\"\n");
	errs = load_errors(path, &conf);
	assert_null(conf);
	snprintf(expect, sizeof(expect), "%s/loop.inc:3: syntax error\n", dir);
	assert_string_equal(errs, expect);
	free(errs);

	snprintf(text, sizeof(text), "rm -r '%s'", dir);
	assert_int_equal(system(text), 0);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(conf_policy_name(CONF_POLICY_EQUAL), "equal");
	assert_string_equal(conf_policy_name(CONF_POLICY_FAILOVER), "failover");
	assert_string_equal(conf_probe_type_name(CONF_PROBE_NONE), "none");
	assert_string_equal(conf_probe_type_name(CONF_PROBE_TCP), "tcp");
	assert_string_equal(conf_probe_type_name(CONF_PROBE_HTTP), "http");
	assert_string_equal(conf_probe_type_name(CONF_PROBE_AGENT), "agent");
	conf_free(NULL);
}

/* Where probes and the relay connect: probe_address when set (even of
 * another family than the first address), else the first IPv4 address,
 * else the first address. */
static void
test_server_target(void **state)
{
	struct conf *conf;

	(void)state;
	conf = conf_load_string("pools = ( { name = \"p\"; servers = (\n"
	    " { name = \"a\"; address = [ \"2001:db8::1\", \"192.0.2.1\", "
	    "\"192.0.2.2\" ]; },\n"
	    " { name = \"b\"; address = [ \"2001:db8::2\", \"2001:db8::3\" ]; },\n"
	    " { name = \"c\"; address = [ \"192.0.2.3\", \"2001:db8::4\" ];\n"
	    "   probe_address = \"fd00::4\"; },\n"
	    " { name = \"d\"; address = \"2001:db8::5\"; probe_address = "
	    "\"2001:db8::5\"; } ); } );\n", "t.conf", stderr);
	assert_non_null(conf);
	assert_string_equal(conf_server_target(&conf->pools[0].servers[0])->text,
	    "192.0.2.1");
	assert_string_equal(conf_server_target(&conf->pools[0].servers[1])->text,
	    "2001:db8::2");
	assert_string_equal(conf_server_target(&conf->pools[0].servers[2])->text,
	    "fd00::4");
	/* answers keep address: probe_address is never one of them */
	assert_int_equal(conf->pools[0].servers[2].naddrs, 2);
	assert_string_equal(conf_server_target(&conf->pools[0].servers[3])->text,
	    "2001:db8::5");
	conf_free(conf);
}

/* conf_ip_sockaddr: family, address and port (network order), length,
 * the rest of the storage zeroed. */
static void
test_ip_sockaddr(void **state)
{
	struct conf_ip ip4 = { .family = AF_INET }, ip6 = { .family = AF_INET6 };
	struct sockaddr_storage ss;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&ss;

	(void)state;
	assert_int_equal(inet_pton(AF_INET, "192.0.2.7", &ip4.u.v4), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::25", &ip6.u.v6), 1);
	memset(&ss, 0xa5, sizeof(ss));
	assert_int_equal(conf_ip_sockaddr(&ip4, 2525, &ss), sizeof(*sin));
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 2525);
	assert_memory_equal(&sin->sin_addr, &ip4.u.v4, sizeof(ip4.u.v4));
	assert_true(((const uint8_t *)&ss)[sizeof(ss) - 1] == 0);
	memset(&ss, 0xa5, sizeof(ss));
	assert_int_equal(conf_ip_sockaddr(&ip6, 53, &ss), sizeof(*sin6));
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(sin6->sin6_port), 53);
	assert_memory_equal(&sin6->sin6_addr, &ip6.u.v6, sizeof(ip6.u.v6));
	assert_int_equal(sin6->sin6_flowinfo, 0);
	assert_int_equal(sin6->sin6_scope_id, 0);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_keys),
		cmocka_unit_test(test_shared_server),
		cmocka_unit_test(test_addresses_ok),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_include_numbers),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_ip_sockaddr),
		cmocka_unit_test(test_server_target),
		cmocka_unit_test(test_multi_error),
		cmocka_unit_test(test_bad_distinct),
	};
	size_t nfixed = sizeof(fixed) / sizeof(fixed[0]), i;
	struct CMUnitTest *tests;
	int rc;

	tests = calloc(nfixed + NBAD, sizeof(*tests));
	if (tests == NULL)
		return 1;
	memcpy(tests, fixed, sizeof(fixed));
	for (i = 0; i < NBAD; i++) {
		tests[nfixed + i].name = bad_cases[i].name;
		tests[nfixed + i].test_func = test_bad;
		tests[nfixed + i].initial_state = (void *)&bad_cases[i];
	}
	rc = _cmocka_run_group_tests("conf", tests, nfixed + NBAD, NULL, NULL);
	free(tests);
	return rc;
}
