#!/bin/sh
# t_probe_admin_orphan.sh - a drained server renamed by a reload: the state
# file's entry is an orphan; the daemon says so once (pool, server, state,
# the new name as a hint), keeps the entry in the file, and drains the
# server again when the old name comes back.
. "$MXS_ROOT/tests/lib/common.sh"

[ -x "$MXSPREAD" ] || fail "no binary $MXSPREAD"
for c in curl python3; do
	command -v $c >/dev/null 2>&1 || skip "$c not installed"
done
DP=$(free_port 127.0.0.1)
HP=$(free_port 127.0.0.1)
[ -n "$DP" ] && [ -n "$HP" ] || fail "no free port"
cp "$MXS_ROOT/zones/examples/mail.example.com.zone" "$T/zone"
mkconf() {
	fixture t_probe_admin_orphan/mxspread.conf "$T/conf" DIR="$T" \
	    DNS_PORT="$DP" STATUS_PORT="$HP" MX1="$1"
}
printf 'inbound mx1 drain\n' > "$T/state"
chmod 600 "$T/state"
mkconf mx1
"$MXSPREAD" check -c "$T/conf" || fail "config rejected"
: > "$T/mxs.log"
bg "$MXSPREAD" -c "$T/conf" 2>>"$T/mxs.log"
MXS_PID=$LASTPID
wait_tcp 127.0.0.1 "$HP" || { cat "$T/mxs.log"; fail "status endpoint does not listen"; }

# admin SERVER: its admin state in /status.json ("-" when not listed)
admin() {
	curl -sf -m 5 "http://127.0.0.1:$HP/status.json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
s = {v["name"]: v["admin"] for p in d["pools"] for v in p["servers"]}
print(s.get(sys.argv[1], "-"))' "$1"
}
until_admin() {	# until_admin SERVER STATE (at most 5 s)
	i=0
	while [ "$(admin "$1")" != "$2" ]; do
		i=$((i + 1)); [ $i -lt 50 ] || return 1; sleep 0.1
	done
}
until_admin mx1 drain || fail "mx1 not drained from the state file: $(admin mx1)"
ok "mx1 drained from the state file"

WARN='admin: state "inbound mx1 drain" matches no server of the running config (renamed or removed? did you mean "mx1b"?): kept'
mkconf mx1b
kill -HUP "$MXS_PID"
until_admin mx1b enabled || fail "mx1b after the reload: $(admin mx1b)"
i=0
until grep -qF "$WARN" "$T/mxs.log"; do
	i=$((i + 1)); [ $i -lt 50 ] || { cat "$T/mxs.log"; fail "no orphan warning"; }
	sleep 0.1
done
sleep 1	# four reconcile passes a second: still one warning
n=$(grep -cF "$WARN" "$T/mxs.log")
[ "$n" = 1 ] || fail "orphan warned $n times"
grep -qx 'inbound mx1 drain' "$T/state" || fail "orphan dropped from the state file"
ok "renamed mx1b enabled, orphan \"inbound mx1 drain\" warned once and kept"

mkconf mx1
kill -HUP "$MXS_PID"
until_admin mx1 drain || fail "mx1 back, not drained: $(admin mx1)"
ok "mx1 back under its name: drained again"
stop_pid "$MXS_PID"
grep -q "ERROR: AddressSanitizer\|runtime error:" "$T/mxs.log" &&
	fail "sanitizer report from the daemon"
ok "renamed drained server"
