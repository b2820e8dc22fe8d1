#!/bin/sh
# a_dns_slowloris.sh - DNS-over-TCP slowloris: three sources each open 100
# connections (default tcp_max_per_source 64: 36 closed at once); one source
# trickles a query a byte a second, one sends half a query and stops, one
# pipelines large answers and never reads. Every held connection is closed
# by the server near tcp_idle_timeout (the trickled one too: a query must
# be complete within tcp_idle_timeout of its first byte) while a normal
# client's UDP and TCP queries keep being answered (>= 99%); RSS bounded.
. "$MXS_ROOT/tests/lib/common.sh"
. "$MXS_ROOT/tests/abuse/lib.sh"

abuse_conf "tcp_idle_timeout = 3;
tcp_max_connections = 1000;"
abuse_start
$ABUSE dns-slowloris --port "$PORT" --pid "$MXS_PID" --idle 3 \
    --per-source 64 --conns 100 --name mail.example.com. ||
	{ tail -20 "$T/mxs.log"; fail "dns slowloris"; }
curl -s "http://127.0.0.1:$SP/metrics" | grep '^mxspread_dns_tcp_closed_total' |
    sed 's/^/figure: dns-slowloris: /'
curl -s "http://127.0.0.1:$SP/metrics" | grep -q \
    '^mxspread_dns_tcp_closed_total{reason="per_source_limit"} 108$' ||
	fail "per-source refusals not counted in /metrics"
abuse_stop
ok "DNS TCP slowloris survived"
