#!/bin/sh
# probe_address and probe_port (issue 13 item 4): a server answered at one
# address and probed at another, as behind NAT. Real smtp-sinks: nat is
# answered as 127.0.0.31, where nothing listens, and probed at 127.0.0.32
# on its probe_port: it is up, DNS answers carry 127.0.0.31 only, and the
# relay reaches it at 127.0.0.32 on the relay's port (not on probe_port).
# dark is answered as 127.0.0.33, where a sink listens on the pool's probe
# port, and probed at 127.0.0.34 where nothing does: it is down. Then the
# reverse: a sink at dark's probe address brings it up, nat's health sink
# stopped takes nat down, and the relay follows to 127.0.0.34. mxspread
# check refuses a probe address that is no IP address, with file:line.
# Fixtures: tests/integration/data/t_probe_address/ (and the relay client
# and health poller of t_relay_failover).
. "$MXS_ROOT/tests/lib/common.sh"

[ -x "$MXSPREAD" ] || fail "no daemon at $MXSPREAD"
command -v kdig >/dev/null 2>&1 || skip "kdig not installed"
need_smtp_sink

DATA="$MXS_ROOT/tests/integration/data/t_probe_address"
FO="$MXS_ROOT/tests/integration/data/t_relay_failover"
DP=$(free_port); RP=$(free_port); HP=$(free_port)
PP=$(free_port 127.0.0.33); SP=$(free_port 127.0.0.32); BP=$(free_port 127.0.0.32)
for p in "$DP" "$RP" "$HP" "$PP" "$SP" "$BP"; do
	[ -n "$p" ] || fail "no free port"
done
[ "$SP" != "$BP" ] && [ "$PP" != "$SP" ] && [ "$PP" != "$BP" ] ||
	fail "ports collide: $PP $SP $BP"
chmod 755 "$T"
mkdir -p "$T/sink"
chmod 777 "$T/sink"

# --- 0. check: not an IP address, a port in probe_address, port range ------
fixture t_probe_address/probe.zone "$T/probe.zone"
fixture t_probe_address/bad.conf "$T/bad.conf"
if "$MXSPREAD" check -c "$T/bad.conf" > "$T/check.out" 2>&1; then
	fail "check accepted bad probe addresses"
fi
for want in \
    "$T/bad.conf:7: probe_address: 'mx-a.internal' is not an IPv4 or IPv6 address" \
    "$T/bad.conf:8: probe_address: '10.0.0.5:2525' is not an IP address alone: write \"10.0.0.5\" and the port as probe_port" \
    "$T/bad.conf:9: probe_port: must be between 1 and 65535, got 70000"; do
	grep -qxF "$want" "$T/check.out" || { cat "$T/check.out"; fail "check: missing '$want'"; }
done
ok "check refuses bad probe_address/probe_port with file:line ($(grep -c ': probe_' "$T/check.out") errors)"

# start_sink NAME ADDR PORT: smtp-sink greeting "220 NAME", one dump file
# per message under $T/sink/NAME/; PID in SINK_<NAME> (NAME: [a-z_]).
start_sink() {
	bg "$SINK" $SINK_USER -h "$1" -d "$T/sink/$1/%H%M%S." "$2:$3" 64
	eval "SINK_$1=\$LASTPID"
	wait_tcp "$2" "$3" || fail "smtp-sink $1 did not start on $2:$3"
}

q() { kdig +retry=0 +timeout=2 +short -p "$DP" @127.0.0.1 "$@"; }

# status_check NAME=up|down...: nat and dark as status.json shows them
status_check() {
	python3 - "$HP" "$SP" "$@" <<'PY'
import json, sys, urllib.request
hp, sp = sys.argv[1], int(sys.argv[2])
want = dict(a.split("=") for a in sys.argv[3:])
doc = json.load(urllib.request.urlopen("http://127.0.0.1:%s/status.json" % hp, timeout=5))
s = {x["name"]: x for p in doc["pools"] for x in p["servers"]}
n, d = s["nat"], s["dark"]
assert n["addresses"] == ["127.0.0.31"], n["addresses"]
assert n["probe_address"] == "127.0.0.32", n.get("probe_address")
assert n["probe_port"] == sp, n.get("probe_port")
assert d["addresses"] == ["127.0.0.33"], d["addresses"]
assert d["probe_address"] == "127.0.0.34", d.get("probe_address")
assert "probe_port" not in d, d
for name, h in want.items():
    assert s[name]["health"] == h, (name, s[name]["health"], s[name].get("last"))
print("status: nat %s, dark %s" % (n["health"], d["health"]))
PY
}

# relay_to NAME PHASE: 5 sessions through the relay, every one greeted by NAME
relay_to() {
	python3 "$FO/client.py" "$RP" "$2" 5 > "$T/$2.out" ||
		{ cat "$T/$2.out"; tail -20 "$T/mxs.log"; fail "$2: relay sessions failed"; }
	got=$(grep -c " $1\$" "$T/$2.out")
	[ "$got" = 5 ] || { cat "$T/$2.out"; fail "$2: $got of 5 sessions greeted by $1"; }
}

fixture t_probe_address/mxspread.conf "$T/mxspread.conf" DP="$DP" HP="$HP" \
    RP="$RP" PP="$PP" SP="$SP" BP="$BP"
"$MXSPREAD" check -c "$T/mxspread.conf" || fail "config rejected"

start_sink nat_health 127.0.0.32 "$SP"
start_sink nat_relay 127.0.0.32 "$BP"
start_sink dark_lure 127.0.0.33 "$PP"
start_sink dark_relay 127.0.0.34 "$BP"
: > "$T/mxs.log"
bg "$MXSPREAD" -c "$T/mxspread.conf" 2>>"$T/mxs.log"
MXS_PID=$LASTPID
wait_dns 127.0.0.1 "$DP" mail.test || { cat "$T/mxs.log"; fail "daemon does not answer"; }
wait_tcp 127.0.0.1 "$RP" || { cat "$T/mxs.log"; fail "relay does not listen"; }

# --- 1. nat up through its probe address, dark down at its own --------------
python3 "$FO/wait_health.py" "$HP" 10 nat=up dark=down ||
	{ tail -20 "$T/mxs.log"; fail "probes did not see nat up and dark down"; }
sleep 1	# several more rounds: nat must stay up (fall = 1)
status_check nat=up dark=down || fail "status.json"
grep -q "pool inbound server nat DOWN" "$T/mxs.log" &&
	fail "nat went down: probed somewhere other than 127.0.0.32:$SP"
grep -q "pool inbound server dark DOWN" "$T/mxs.log" ||
	fail "dark's DOWN not logged"
[ -z "$(ls "$T/sink/dark_lure" 2>/dev/null)" ] || fail "dark_lure got mail"
a=$(q smtp.mail.test A | sort | tr '\n' ' ')
[ "$a" = "127.0.0.31 " ] || fail "DYNA with nat up, dark down: '$a' (want 127.0.0.31 only)"
mx=$(q mail.test MX | tr '\n' ' ')
[ "$mx" = "10 nat.mail.test. " ] || fail "DYNMX: '$mx'"
a=$(q nat.mail.test A); [ "$a" = 127.0.0.31 ] || fail "nat A: '$a'"
a=$(q dark.mail.test A); [ "$a" = 127.0.0.33 ] || fail "dark A: '$a'"
relay_to nat_relay nat-up
ok "nat up via 127.0.0.32:$SP, answered as 127.0.0.31, relayed to 127.0.0.32:$BP; dark down"

# --- 2. the reverse: dark's probe address answers, nat's stops --------------
start_sink dark_probe 127.0.0.34 "$PP"
python3 "$FO/wait_health.py" "$HP" 10 nat=up dark=up ||
	fail "dark did not come up with a sink at its probe address"
a=$(q smtp.mail.test A | sort | tr '\n' ' ')
[ "$a" = "127.0.0.31 127.0.0.33 " ] || fail "DYNA with both up: '$a'"
eval "stop_pid \"\$SINK_nat_health\""
python3 "$FO/wait_health.py" "$HP" 10 nat=down dark=up ||
	fail "nat not marked down with its probe address dead"
status_check nat=down dark=up || fail "status.json"
a=$(q smtp.mail.test A | sort | tr '\n' ' ')
[ "$a" = "127.0.0.33 " ] || fail "DYNA with nat down: '$a' (want 127.0.0.33 only)"
relay_to dark_relay dark-up
[ "$(ls "$T/sink/nat_relay" | wc -l)" = 5 ] || fail "nat_relay got mail while nat was down"
ok "dark up via 127.0.0.34, answered as 127.0.0.33; nat down: relay to 127.0.0.34:$BP"

stop_pid "$MXS_PID"
if grep -q "ERROR: AddressSanitizer\|runtime error:" "$T/mxs.log"; then
	cat "$T/mxs.log"
	fail "sanitizer report from the daemon"
fi
ok "probe_address: probes and relay at one address, answers at another"
