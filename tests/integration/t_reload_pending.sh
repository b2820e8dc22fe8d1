#!/bin/sh
# t_reload_pending.sh - what a reload says it applied, against a real daemon
# reloaded with SIGHUP and with POST /api/reload (bearer token). The config
# is compared with what runs, not with the previous reload: an identical
# reload names nothing, a new DNS listen address is named in
# last_reload.pending_restart (and the log, and /metrics) on every reload
# until it is restored, the old address keeps answering; workers and
# status.listen likewise; log_level applies at once (debug lines appear);
# a template warning of a published reload is in last_reload.warnings.
. "$MXS_ROOT/tests/lib/common.sh"

[ -x "$MXSPREAD" ] || fail "no daemon at $MXSPREAD"
for c in curl kdig python3 promtool; do
	command -v $c >/dev/null 2>&1 || skip "$c not installed"
done
DP=$(free_port); DP2=$(free_port); HP=$(free_port); HP2=$(free_port)
[ -n "$DP" ] && [ -n "$DP2" ] && [ -n "$HP" ] && [ -n "$HP2" ] || fail "no free port"
H=http://127.0.0.1:$HP
TOKEN="tok-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$TOKEN" > "$T/token"
chmod 600 "$T/token"
LOG=$T/mxs.log

# mk DNS_PORT WORKERS LOG_LEVEL STATUS_PORT [ZONE_EXTRA]: write the config
mk() {
	fixture t_reload_pending/zone "$T/zone" EXTRA="${5:-}"
	fixture t_reload_pending/mxspread.conf "$T/conf" DIR="$T" \
	    DNS_PORT="$1" WORKERS="$2" LOG_LEVEL="$3" STATUS_PORT="$4"
}

# lr KEY: last_reload.KEY of status.json, as compact JSON
lr() {
	curl -sf -m 5 "$H/status.json" | python3 -c '
import json, sys
print(json.dumps(json.load(sys.stdin)["last_reload"][sys.argv[1]],
                 separators=(",", ":")))' "$1"
}

# wait_count N: until last_reload.count is N (at most 10 s)
wait_count() {
	i=0
	while [ "$(lr count)" != "$1" ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	[ "$(lr count)" = "$1" ] || { tail -20 "$LOG"; fail "reload $1 not recorded"; }
}
N=0
hup() { N=$((N + 1)); kill -HUP "$MXS_PID"; wait_count $N; }
api_reload() {
	N=$((N + 1))
	c=$(curl -s -m 5 -o "$T/body" -w '%{http_code}' -X POST \
	    -H "Authorization: Bearer $TOKEN" "$H/api/reload")
	[ "$c" = 202 ] || fail "POST /api/reload: $c $(cat "$T/body")"
	wait_count $N
}
# expect KEY JSON WHAT
expect() {
	got=$(lr "$1")
	[ "$got" = "$2" ] || { tail -20 "$LOG"; fail "$3: last_reload.$1 = $got, want $2"; }
}
# idle_tcp PORT: open a DNS TCP connection and leave it idle past the
# 0.5 s timeout (the daemon closes it, with a debug line)
idle_tcp() {
	python3 - "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
s.settimeout(5)
assert s.recv(1) == b""
PY
}

mk "$DP" 1 info "$HP"
"$MXSPREAD" check -c "$T/conf" || fail "config rejected"
: > "$LOG"
bg "$MXSPREAD" -c "$T/conf" 2>>"$LOG"
MXS_PID=$LASTPID
wait_dns 127.0.0.1 "$DP" mail.test || fail "daemon does not answer DNS"
wait_tcp 127.0.0.1 "$HP" || fail "status endpoint does not listen"
expect pending_restart '[]' "before any reload"

# ---- identical reloads, twice: nothing pending, no warning
hup
expect ok true "identical reload"
expect pending_restart '[]' "identical reload"
expect warnings '[]' "identical reload"
hup
expect pending_restart '[]' "second identical reload"
grep -q "pending restart" "$LOG" && fail "identical reloads warned: $(grep 'pending restart' "$LOG")"
ok "two identical SIGHUPs: ok, nothing pending, no warning"

# ---- a new DNS listen address: named on every reload until restored
mk "$DP2" 1 info "$HP"
hup
expect ok true "listen changed"
expect pending_restart '["listen"]' "listen changed"
grep -q "reload: pending restart: listen " "$LOG" || fail "no log line naming listen"
kdig +retry=0 +timeout=2 @127.0.0.1 -p "$DP" mail.test SOA +short | grep -q hostmaster \
    || fail "the running listener stopped answering"
curl -sf -m 5 "$H/metrics" > "$T/metrics" || fail "metrics"
grep -qx "mxspread_reload_pending_restart 1" "$T/metrics" || fail "metrics: $(grep pending_restart "$T/metrics")"
promtool check metrics < "$T/metrics" || fail "promtool check metrics"
hup
expect pending_restart '["listen"]' "listen changed, reloaded again"
[ "$(grep -c "reload: pending restart: listen " "$LOG")" = 2 ] || fail "second reload did not warn again"
ok "listen changed: pending_restart [\"listen\"] on both reloads, old address still answers"

# a rejected reload changes nothing that runs: the list stays
cp "$T/conf" "$T/conf.good"
echo 'pools = ;' >> "$T/conf"
hup
expect ok false "broken config"
expect pending_restart '["listen"]' "rejected reload"
cp "$T/conf.good" "$T/conf"
ok "a rejected reload keeps pending_restart [\"listen\"]"

mk "$DP" 1 info "$HP"
api_reload
expect ok true "listen restored"
expect pending_restart '[]' "listen restored (POST /api/reload)"
grep -q "no restart pending" "$LOG" || fail "no log line saying nothing is pending any more"
curl -sf -m 5 "$H/metrics" | grep -qx "mxspread_reload_pending_restart 0" || fail "metrics not back to 0"
ok "listen restored through POST /api/reload: nothing pending"

# ---- workers and the status listener
mk "$DP" 2 info "$HP2"
hup
expect pending_restart '["workers","status.listen"]' "workers and status.listen"
grep -q "reload: pending restart: workers, status.listen " "$LOG" || fail "no log line naming workers, status.listen"
mk "$DP" 1 info "$HP"
hup
expect pending_restart '[]' "workers and status.listen restored"
ok "workers, status.listen named, then cleared"

# ---- log_level applies live
idle_tcp "$DP" || fail "idle TCP client"
sleep 0.3
grep -q "tcp: idle connection closed" "$LOG" && fail "debug line at log_level info"
mk "$DP" 1 debug "$HP"
hup
expect pending_restart '[]' "log_level change"
idle_tcp "$DP" || fail "idle TCP client"
i=0
while ! grep -q "tcp: idle connection closed" "$LOG" && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
grep -q "tcp: idle connection closed" "$LOG" || { tail "$LOG"; fail "no debug line after log_level = debug"; }
ok "log_level debug applied by reload: $(grep -c 'tcp: idle connection closed' "$LOG") debug line(s)"

# ---- a template warning of a published reload
mk "$DP" 1 info "$HP" "ns1   A     127.0.0.53"
hup
expect ok true "zone with a duplicate record"
w=$(lr warnings)
echo "$w" | grep -q "zone:[0-9]*: .*duplicate A record" || fail "warnings: $w"
expect errors '""' "zone with a duplicate record"
mk "$DP" 1 info "$HP"
hup
expect warnings '[]' "warning gone"
ok "template warning in last_reload.warnings: $w"

stop_pid "$MXS_PID"
grep -q "ERROR: AddressSanitizer\|runtime error:" "$LOG" && { cat "$LOG"; fail "sanitizer report"; }
exit 0
