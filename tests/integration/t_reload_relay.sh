#!/bin/sh
# t_reload_relay.sh - the relay as reported is the relay as running, across
# SIGHUP reloads of a real daemon (backend: tests/lib/relay_sink.py on
# 127.0.0.3). A new relay.listen leaves the relay on its old address:
# status.json shows that address with configured_listen the new one and
# pending_restart ["relay.listen"]; likewise relay.threads. With the relay
# section removed the relay keeps relaying, and status.json still shows it
# (running, not configured, pending ["relay"]) and /metrics still exports
# its counters (promtool check metrics). Restoring the section clears it.
. "$MXS_ROOT/tests/lib/common.sh"

[ -x "$MXSPREAD" ] || fail "no daemon at $MXSPREAD"
for c in curl python3 promtool; do
	command -v $c >/dev/null 2>&1 || skip "$c not installed"
done
DP=$(free_port); HP=$(free_port); RP=$(free_port); RP2=$(free_port)
BP=$(free_port 127.0.0.3)
[ -n "$DP" ] && [ -n "$HP" ] && [ -n "$RP" ] && [ -n "$RP2" ] && [ -n "$BP" ] || fail "no free port"
H=http://127.0.0.1:$HP
LOG=$T/mxs.log

: > "$T/sink.log"
bg python3 "$MXS_ROOT/tests/lib/relay_sink.py" 127.0.0.3 "$BP" "$T/sink.log"
i=0
while ! grep -q ready "$T/sink.log" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
grep -q ready "$T/sink.log" || fail "sink did not start"

# mk RELAY_PORT THREADS | mk none: write the config (none: no relay section)
mk() {
	fixture common/relay.zone "$T/relay.zone"
	if [ "$1" = none ]; then
		_r=""
	else
		fixture t_reload_relay/relay.section "$T/relay.section" \
		    RELAY_PORT="$1" BACKEND_PORT="$BP" THREADS="$2"
		_r=$(cat "$T/relay.section")
	fi
	fixture t_reload_relay/mxspread.conf "$T/m.conf" DNS_PORT="$DP" \
	    STATUS_PORT="$HP" RELAY="$_r"
}

# js EXPR: a Python expression over d = status.json, printed as JSON
js() {
	curl -sf -m 5 "$H/status.json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(json.dumps(eval(sys.argv[1]), separators=(",", ":")))' "$1"
}
N=0
hup() {
	N=$((N + 1))
	kill -HUP "$MXS_PID"
	i=0
	while [ "$(js 'd["last_reload"]["count"]')" != $N ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	[ $i -lt 100 ] || { tail -20 "$LOG"; fail "reload $N not recorded"; }
}
# expect EXPR JSON WHAT
expect() {
	got=$(js "$1")
	[ "$got" = "$2" ] || { tail -20 "$LOG"; fail "$3: $1 = $got, want $2"; }
}
# banner PORT: the greeting a client gets through the relay on PORT
banner() {
	python3 - "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
s.settimeout(5)
print(s.makefile("rb").readline().decode(errors="replace").rstrip())
PY
}
relays() { banner "$1" | grep -q "^220 sink.test" || fail "$2: no session through the relay on port $1"; }
closed() {
	python3 -c 'import socket, sys
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2).close()
except ConnectionRefusedError:
    sys.exit(0)
sys.exit(1)' "$1" || fail "$2: something listens on port $1"
}
metrics() {
	curl -sf -m 5 "$H/metrics" > "$T/metrics" || fail "metrics"
	promtool check metrics < "$T/metrics" || fail "$1: promtool check metrics"
}

mk "$RP" 1
"$MXSPREAD" check -c "$T/m.conf" || fail "config rejected"
: > "$LOG"
bg "$MXSPREAD" -c "$T/m.conf" 2>>"$LOG"
MXS_PID=$LASTPID
wait_tcp 127.0.0.1 "$HP" || fail "status endpoint does not listen"
wait_tcp 127.0.0.1 "$RP" || fail "relay does not listen"
relays "$RP" "at start"
expect 'd["relay"]["listen"]' "\"127.0.0.1:$RP\"" "at start"
expect 'd["relay"]["pending_restart"]' '[]' "at start"
expect 'd["relay"]["configured"]' true "at start"

# ---- relay.listen changed: still on the old address, flagged
mk "$RP2" 1
hup
expect 'd["last_reload"]["pending_restart"]' '["relay.listen"]' "relay.listen changed"
expect 'd["relay"]["listen"]' "\"127.0.0.1:$RP\"" "relay.listen changed"
expect 'd["relay"]["configured_listen"]' "\"127.0.0.1:$RP2\"" "relay.listen changed"
expect 'd["relay"]["pending_restart"]' '["relay.listen"]' "relay.listen changed"
expect 'd["relay"]["running"]' true "relay.listen changed"
grep -q "reload: pending restart: relay.listen " "$LOG" || fail "no log line naming relay.listen"
relays "$RP" "relay.listen changed"
closed "$RP2" "relay.listen changed"
ok "relay.listen changed: status.json shows the running 127.0.0.1:$RP, pending_restart [\"relay.listen\"]"

# ---- relay.threads changed
mk "$RP" 2
hup
expect 'd["relay"]["pending_restart"]' '["relay.threads"]' "relay.threads changed"
expect 'd["last_reload"]["pending_restart"]' '["relay.threads"]' "relay.threads changed"
ok "relay.threads changed: pending_restart [\"relay.threads\"]"

# ---- the relay section removed: it still relays, and is still reported
mk none
hup
expect 'd["last_reload"]["ok"]' true "relay removed"
expect 'd["last_reload"]["pending_restart"]' '["relay"]' "relay removed"
expect 'd["relay"] is not None' true "relay removed: relay vanished from status.json"
expect '[d["relay"][k] for k in ("running", "configured", "configured_listen", "pool", "listen")]' \
    "[true,false,null,\"inbound\",\"127.0.0.1:$RP\"]" "relay removed"
expect 'd["relay"]["pending_restart"]' '["relay"]' "relay removed"
relays "$RP" "relay removed"
before=$(js 'd["relay"]["counters"]["accepted"]')
relays "$RP" "relay removed"
expect 'd["relay"]["counters"]["accepted"] > '"$before" true "relay removed: counters"
expect '[b["name"] for b in d["relay"]["backends"]]' '["mx2"]' "relay removed: backends"
metrics "relay removed"
grep -qx "mxspread_relay_up 1" "$T/metrics" || fail "relay removed: no mxspread_relay_up 1 in /metrics"
grep -q '^mxspread_relay_accepted_total [1-9]' "$T/metrics" || fail "relay removed: no relay counters in /metrics"
grep -q '^mxspread_relay_backend_connections_total{pool="inbound",server="mx2"} [1-9]' "$T/metrics" \
    || fail "relay removed: no backend counters in /metrics"
grep -qx "mxspread_reload_pending_restart 1" "$T/metrics" || fail "relay removed: pending gauge"
ok "relay section removed: still relaying, in status.json (pending [\"relay\"]) and /metrics"

# ---- restored: nothing pending
mk "$RP" 1
hup
expect 'd["last_reload"]["pending_restart"]' '[]' "relay restored"
expect '[d["relay"][k] for k in ("configured", "configured_listen", "pending_restart")]' \
    "[true,\"127.0.0.1:$RP\",[]]" "relay restored"
relays "$RP" "relay restored"
metrics "relay restored"
grep -qx "mxspread_reload_pending_restart 0" "$T/metrics" || fail "relay restored: pending gauge"
ok "relay section restored: nothing pending"

stop_pid "$MXS_PID"
grep -q "ERROR: AddressSanitizer\|runtime error:" "$LOG" && { cat "$LOG"; fail "sanitizer report"; }
exit 0
