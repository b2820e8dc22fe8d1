#!/bin/sh
# t_status_api.sh - the HTTP status endpoint of a real daemon with a real
# probe engine (tcp probes; backends: tests/lib/testsmtp.py on 127.0.0.11-12,
# nothing on 127.0.0.13, so mx3 is down). curl for every endpoint and every
# error case, /status.json field by field, `promtool check metrics`, the
# admin API (drain/maint/enable, 401/403), drain visible in DNS answers at
# once and kept across a restart (state file), reload through the API,
# refusal to start with a world-readable token or a non-loopback address
# without a token.
. "$MXS_ROOT/tests/lib/common.sh"

[ -x "$MXSPREAD" ] || fail "no binary $MXSPREAD"
for c in curl kdig python3 promtool; do
	command -v $c >/dev/null 2>&1 || skip "$c not installed"
done
CHECK="python3 $MXS_ROOT/tests/lib/status_check.py"
ORIGIN=mail.example.com
DP=$(free_port 127.0.0.1)
HP=$(free_port 127.0.0.1)
SP=$(free_port 127.0.0.11)
RP=$(free_port 127.0.0.1)
[ -n "$DP" ] && [ -n "$HP" ] && [ -n "$SP" ] && [ -n "$RP" ] || fail "no free port"
H=http://127.0.0.1:$HP
TOKEN="tok-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"

cp "$MXS_ROOT/zones/examples/mail.example.com.zone" "$T/zone"
printf '%s\n' "$TOKEN" > "$T/token"
chmod 600 "$T/token"

# mkconf FILE STATUS-GROUP: the pool config with the given status section
mkconf() {
	fixture t_status_api/mxspread.conf "$1" DIR="$T" ORIGIN="$ORIGIN" \
	    DNS_PORT="$DP" PROBE_PORT="$SP" RELAY_PORT="$RP" STATUS="$2"
}
mkconf "$T/conf" "{ listen = \"127.0.0.1:$HP\"; token_file = \"$T/token\"; state_file = \"$T/state\"; }"
"$MXSPREAD" check -c "$T/conf" || fail "config rejected"

for a in 11 12; do
	bg python3 "$MXS_ROOT/tests/lib/testsmtp.py" --mode normal --addr 127.0.0.$a --port "$SP" 2>/dev/null
	wait_tcp 127.0.0.$a "$SP" || fail "backend 127.0.0.$a did not start"
done

start_daemon() {
	bg "$MXSPREAD" -c "$T/conf"
	DPID=$LASTPID
	wait_dns 127.0.0.1 "$DP" "$ORIGIN" || fail "daemon does not answer DNS"
	wait_tcp 127.0.0.1 "$HP" || fail "status endpoint does not listen"
}

# until CMD succeeds, at most 10 s (100 x 0.1)
until_ok() {
	i=0
	while [ $i -lt 100 ]; do
		if "$@" 2>/dev/null; then return 0; fi
		sleep 0.1; i=$((i + 1))
	done
	"$@"
	return 1
}
js() { curl -sf -m 5 "$H/status.json" > "$T/s.json"; }
srv() { $CHECK server "$T/s.json" inbound "$1" "$2"; }
# code METHOD PATH [curl args]: the HTTP status code
code() {
	m=$1; p=$2; shift 2
	curl -s -m 5 -o "$T/body" -D "$T/hdr" -w '%{http_code}' -X "$m" "$@" "$H$p"
}
hdr() { tr -d '\r' < "$T/hdr" | sed -n "s/^$1: //Ip"; }
mxset() { kdig +retry=0 +timeout=2 -p "$DP" @127.0.0.1 +short "$ORIGIN" MX | sort -n; }
auth="Authorization: Bearer $TOKEN"

start_daemon

# ---- /healthz and mx3 down with its reason
hz() { [ "$(code GET /healthz)" = 200 ]; }
until_ok hz || fail "healthz $(cat "$T/body")"
[ "$(cat "$T/body")" = ok ] || fail "healthz body: $(cat "$T/body")"
hdr Content-Type | grep -q '^text/plain' || fail "healthz content type"
[ "$(code HEAD /healthz -I)" = 200 ] || fail "HEAD /healthz"
mx3down() { js && $CHECK down "$T/s.json" inbound mx3; }
until_ok mx3down || fail "mx3 not shown down"
mx1hist() { js && [ "$(srv mx1 last_check.ok)" = true ]; }
until_ok mx1hist || fail "mx1 has no good check"
ok "healthz; mx3 down: $(srv mx3 reason)"

# ---- /status.json, field by field
[ "$(code GET /status.json)" = 200 ] || fail "status.json code"
hdr Content-Type | grep -q '^application/json' || fail "status.json type"
cp "$T/body" "$T/s.json"
$CHECK fields "$T/s.json" || fail "status.json schema"
python3 - "$T/s.json" "$ORIGIN" <<'PY' || fail "status.json values"
import json, sys
d = json.load(open(sys.argv[1]))
z = d['zones'][0]
assert z['origin'] == sys.argv[2] + '.', z
assert z['serial'] == 2026112701, z
p = d['pools'][0]
assert (p['name'], p['policy'], p['probe'], p['state']) == ('inbound', 'weighted', 'tcp', 'degraded'), p
assert p['servers_up'] == 2 and p['servers_total'] == 3, p
assert abs(p['total_weight'] - 5) < 1e-9, p['total_weight']
s = {x['name']: x for x in p['servers']}
assert s['mx1']['health'] == 'up' and s['mx1']['weight'] == 3, s['mx1']
assert abs(s['mx1']['target_share'] - 0.6) < 1e-9, s['mx1']['target_share']
assert abs(s['mx2']['target_share'] - 0.4) < 1e-9
assert s['mx3']['target_share'] == 0 and s['mx3']['up'] is False
assert s['mx1']['addresses'] == ['127.0.0.11'], s['mx1']['addresses']
assert s['mx1']['load'] is None and s['mx1']['load_factor'] == 1
assert s['mx1']['cert_days'] is None
assert s['mx1']['checks']['ok'] >= 1 and s['mx3']['checks']['failed'] >= 1
assert s['mx3']['last_check']['ok'] is False and s['mx3']['last_check']['reason']
assert s['mx3']['transitions'] >= 1 and s['mx3']['since'] > 0
assert d['relay']['pool'] == 'inbound' and d['relay']['running'] is True, d['relay']
assert [b['name'] for b in d['relay']['backends']] == ['mx1', 'mx2', 'mx3'], d['relay']
assert d['last_reload']['count'] == 0 and d['last_reload']['ok'] is None
PY
ok "status.json fields and values"

# ---- /metrics
[ "$(code GET /metrics)" = 200 ] || fail "metrics code"
hdr Content-Type | grep -q '^text/plain; version=0.0.4' || fail "metrics type: $(hdr Content-Type)"
promtool check metrics < "$T/body" || fail "promtool check metrics"
grep -q '^mxspread_server_up{pool="inbound",server="mx1"} 1$' "$T/body" || fail "mx1 up metric"
grep -q '^mxspread_server_up{pool="inbound",server="mx3"} 0$' "$T/body" || fail "mx3 up metric"
grep -q '^mxspread_server_effective_weight{pool="inbound",server="mx1"} 3$' "$T/body" ||
    fail "mx1 effective weight"
grep -q '^mxspread_dns_healthy 1$' "$T/body" || fail "dns_healthy"
grep -q '^mxspread_zone_serial{zone="mail.example.com."} 2026112701$' "$T/body" || fail "serial"
n=$(sed -n 's/^mxspread_probe_checks_total{pool="inbound",server="mx3",outcome="failed"} //p' "$T/body")
[ -n "$n" ] && [ "$n" -ge 1 ] || fail "failed probe counter of mx3: '$n'"
n=$(sed -n 's/^mxspread_dns_queries_total{qtype="SOA"} //p' "$T/body")
[ -n "$n" ] && [ "$n" -ge 1 ] || fail "SOA query counter: '$n'"
grep -q '^mxspread_server_probe_latency_seconds{pool="inbound",server="mx1"} ' "$T/body" ||
    fail "latency gauge"
ok "metrics pass promtool"

# ---- relay counters: one session through the relay
python3 - "$RP" <<'PY' || fail "relay session"
import socket, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), 5)
s.settimeout(5)
f = s.makefile('rb')
line = f.readline()
assert line.startswith(b'220'), line
while line[3:4] == b'-':
    line = f.readline()
s.sendall(b'QUIT\r\n')
assert f.readline().startswith(b'221')
s.close()
PY
relayed() {
	js && python3 - "$T/s.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))['relay']
c = r['counters']
assert c['accepted'] >= 1 and c['bytes_out'] > 0, c
assert sum(b['total'] for b in r['backends']) >= 1, r['backends']
assert r['backends'][2]['total'] == 0, 'mx3 is down'
PY
}
until_ok relayed || fail "relay counters in status.json"
[ "$(code GET /metrics)" = 200 ] || fail "metrics code"
promtool check metrics < "$T/body" || fail "promtool check metrics (relay)"
grep -q '^mxspread_relay_accepted_total [1-9]' "$T/body" || fail "relay accepted metric"
grep -q '^mxspread_relay_backend_sent_bytes_total{pool="inbound",server="mx[12]"} [1-9]' "$T/body" ||
    fail "relay bytes metric"
ok "relay counters in status.json and metrics"

# ---- the dashboard page (the browser test renders it)
[ "$(code GET /)" = 200 ] || fail "dashboard code"
hdr Content-Type | grep -q '^text/html' || fail "dashboard type"
hdr Content-Security-Policy | grep -q "default-src 'none'" || fail "dashboard CSP"
grep -q 'var INIT=' "$T/body" || fail "dashboard without inline state"
grep -Eq '(src|href)=["'"'"']?(https?:)?//' "$T/body" && fail "dashboard loads external assets"
ok "dashboard served, no external assets"

# ---- error cases
[ "$(code GET /nope)" = 404 ] || fail "unknown path not 404"
hdr Content-Type | grep -q json || fail "404 body not JSON"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["status"]==404 and d["error"]' "$T/body" ||
    fail "404 JSON body"
[ "$(code GET /api/pools/inbound/servers/mx1)" = 404 ] || fail "short admin path"
for p in / /status.json /metrics /healthz; do
	[ "$(code POST $p)" = 405 ] || fail "POST $p not 405"
	[ "$(hdr Allow)" = "GET, HEAD" ] || fail "POST $p: Allow '$(hdr Allow)'"
done
[ "$(code DELETE /metrics)" = 405 ] || fail "DELETE not 405"
[ "$(code GET /api/reload)" = 405 ] || fail "GET /api/reload not 405"
[ "$(hdr Allow)" = POST ] || fail "GET /api/reload: Allow '$(hdr Allow)'"
[ "$(code GET /api/pools/inbound/servers/mx1/drain)" = 405 ] || fail "GET drain not 405"
[ "$(hdr Allow)" = POST ] || fail "GET drain: Allow"
[ "$(code POST /api/pools/inbound/servers/mx1/drain)" = 401 ] || fail "drain without token"
hdr WWW-Authenticate | grep -q '^Bearer' || fail "401 without WWW-Authenticate"
[ "$(code POST /api/pools/inbound/servers/mx1/drain -H "Authorization: Bearer wrong")" = 401 ] ||
    fail "drain with a wrong token"
[ "$(code POST /api/pools/inbound/servers/mx1/drain -H "Authorization: Bearer ${TOKEN}x")" = 401 ] ||
    fail "drain with a longer token"
[ "$(code POST /api/pools/inbound/servers/mx1/drain -H "Authorization: Basic $TOKEN")" = 401 ] ||
    fail "drain with Basic auth"
[ "$(code POST /api/reload)" = 401 ] || fail "reload without token"
[ "$(code POST /api/pools/inbound/servers/mx9/drain -H "$auth")" = 404 ] || fail "unknown server"
[ "$(code POST /api/pools/nopool/servers/mx1/drain -H "$auth")" = 404 ] || fail "unknown pool"
[ "$(code POST /api/pools/inbound/servers/mx1/explode -H "$auth")" = 404 ] || fail "unknown action"
big=$(head -c 20000 /dev/zero | tr '\0' a)
c=$(code GET /healthz -H "X-Big: $big")
case $c in 4??) ;; *) fail "oversized header: $c";; esac
c=$(code POST /api/reload -H "$auth" --data-binary "$big")
case $c in 4??) ;; *) fail "oversized body: $c";; esac
js || fail "status endpoint dead after bad requests"
$CHECK reload "$T/s.json" 0 false 2>/dev/null && fail "oversized body triggered a reload"
ok "404, 405 + Allow, 401, oversized header and body"

# ---- observed share of first-preference answers (mx3 down: 0.6 / 0.4 / 0)
$CHECK flood 127.0.0.1 "$DP" "$ORIGIN" 400 || fail "MX flood"
sleep 1.3
js || fail "status.json"
$CHECK share "$T/s.json" inbound mx1=0.6,mx2=0.4,mx3=0 0.12 || fail "observed share"
[ "$(code GET /metrics)" = 200 ] || fail "metrics code"
n=$(sed -n 's/^mxspread_answers_first_total{pool="inbound",server="mx1"} //p' "$T/body")
[ -n "$n" ] && [ "$n" -ge 150 ] || fail "answers_first_total of mx1: '$n'"
promtool check metrics < "$T/body" || fail "promtool (answers)"
ok "observed share follows the target share"

# ---- drain mx1: gone from the answers at once, kept across a restart
mxset | grep -q " mx1\." || fail "mx1 not in the MX set before the drain"
[ "$(code POST /api/pools/inbound/servers/mx1/drain -H "$auth")" = 200 ] ||
    fail "drain: $(cat "$T/body")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d=={"pool":"inbound","server":"mx1","admin":"drain","persisted":True}, d' "$T/body" ||
    fail "drain response $(cat "$T/body")"
for k in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	out=$(mxset)
	[ -n "$out" ] || fail "no MX answer after the drain"
	echo "$out" | grep -q " mx1\." && fail "drained mx1 still answered: $out"
done
js && $CHECK admin "$T/s.json" inbound mx1 drain || fail "status.json after drain"
grep -q '^inbound mx1 drain$' "$T/state" || fail "state file: $(cat "$T/state")"
ls "$T" | grep -q 'state\.tmp' && fail "temporary state file left behind"
ok "drain: mx1 left the answers at once"

# maint on mx3 (down anyway): mx2 stays the one server serving, so the
# answers must not fail open
[ "$(code POST /api/pools/inbound/servers/mx3/maint -H "$auth")" = 200 ] || fail "maint mx3"
js && $CHECK admin "$T/s.json" inbound mx3 maint || fail "mx3 not in maint"
grep -q '^inbound mx3 maint$' "$T/state" || fail "state file without mx3"

stop_pid "$DPID"
start_daemon
js && $CHECK admin "$T/s.json" inbound mx1 drain || fail "drain lost across the restart"
$CHECK admin "$T/s.json" inbound mx3 maint || fail "maint lost across the restart"
for k in 1 2 3 4 5 6 7 8 9 10; do
	out=$(mxset)
	[ "$out" = "10 mx2.$ORIGIN." ] || fail "restart: want only mx2, got: $out"
done
ok "drain and maint survive a restart"

[ "$(code POST /api/pools/inbound/servers/mx1/enable -H "$auth")" = 200 ] || fail "enable mx1"
[ "$(code POST /api/pools/inbound/servers/mx3/enable -H "$auth")" = 200 ] || fail "enable mx3"
mxset | grep -q " mx1\." || fail "mx1 not back after enable"
js && $CHECK admin "$T/s.json" inbound mx1 enabled || fail "mx1 not enabled"
grep -q '^inbound' "$T/state" && fail "state file still lists: $(cat "$T/state")"
ok "enable: back in the answers, state file cleared"

# ---- reload through the API: ok, then a broken config
[ "$(code POST /api/reload -H "$auth")" = 202 ] || fail "reload: $(cat "$T/body")"
rl1() { js && $CHECK reload "$T/s.json" 1 true; }
until_ok rl1 || fail "reload not recorded"
cp "$T/conf" "$T/conf.good"
echo 'pools = ( { name = ; } );' >> "$T/conf"
[ "$(code POST /api/reload -H "$auth")" = 202 ] || fail "second reload"
rl2() { js && $CHECK reload "$T/s.json" 2 false; }
until_ok rl2 || fail "failed reload not recorded"
echo "reload errors: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["last_reload"]["errors"])' "$T/s.json")"
cp "$T/conf.good" "$T/conf"
[ "$(code GET /healthz)" = 200 ] || fail "unhealthy after a rejected reload"
ok "reload via the API recorded (ok and rejected)"

# drain after a reload still works and survives a reload
[ "$(code POST /api/pools/inbound/servers/mx1/drain -H "$auth")" = 200 ] || fail "drain 2"
kill -HUP "$DPID"
rl3() { js && $CHECK reload "$T/s.json" 3 true; }
until_ok rl3 || fail "SIGHUP reload not recorded"
adm() { js && $CHECK admin "$T/s.json" inbound mx1 drain; }
until_ok adm || fail "drain lost after a reload"
for k in 1 2 3 4 5; do
	mxset | grep -q " mx1\." && fail "mx1 answered after reload while drained"
done
ok "drain survives a reload"
stop_pid "$DPID"

# ---- no token: admin API 403
HP2=$(free_port 127.0.0.1)
mkconf "$T/conf" "{ listen = \"127.0.0.1:$HP2\"; }"
H=http://127.0.0.1:$HP2
bg "$MXSPREAD" -c "$T/conf"
DPID=$LASTPID
wait_tcp 127.0.0.1 "$HP2" || fail "no-token daemon did not start"
[ "$(code POST /api/pools/inbound/servers/mx1/drain -H "$auth")" = 403 ] || fail "no token: not 403"
[ "$(code POST /api/reload)" = 403 ] || fail "no token: reload not 403"
hz() { [ "$(code GET /healthz)" = 200 ]; }
until_ok hz || fail "no token: healthz"
stop_pid "$DPID"
ok "no token configured: 403"

# ---- refusals at start
chmod 604 "$T/token"
mkconf "$T/conf" "{ listen = \"127.0.0.1:$HP2\"; token_file = \"$T/token\"; }"
if timeout 10 "$MXSPREAD" -c "$T/conf" > "$T/out" 2>&1; then
	fail "started with a world-readable token file"
fi
grep -q "accessible by others" "$T/out" || fail "no clear error: $(cat "$T/out")"
chmod 600 "$T/token"
mkconf "$T/conf" "{ listen = \"0.0.0.0:$HP2\"; }"
if timeout 10 "$MXSPREAD" -c "$T/conf" > "$T/out" 2>&1; then
	fail "started on a non-loopback address without a token"
fi
grep -q "not a loopback" "$T/out" || fail "no clear error: $(cat "$T/out")"
ok "refuses a world-readable token and a public address without token"
exit 0
