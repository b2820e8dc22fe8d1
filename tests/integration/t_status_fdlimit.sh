#!/bin/sh
# t_status_fdlimit.sh - the status endpoint cannot exhaust the daemon's
# descriptors (issue 15, item 1). The daemon runs under prlimit
# --nofile=128; 200 slow-header clients from 20 addresses hold connections
# to /healthz, trickling a header byte a second, for 14 s. The endpoint
# holds its cap (derived from the limit) and refuses the rest at once; the
# request deadline closes the held ones; meanwhile DNS over UDP (dig) and
# TCP (kdig) is answered, no server is marked down (smtp probes every
# 0.5 s, fall 1) and the log stays small. Prints the figures.
. "$MXS_ROOT/tests/lib/common.sh"

[ -x "$MXSPREAD" ] || fail "no binary $MXSPREAD"
for c in prlimit dig kdig curl python3; do
	command -v $c >/dev/null 2>&1 || skip "$c not installed"
done
ORIGIN=mail.example.com
DP=$(free_port 127.0.0.1)
HP=$(free_port 127.0.0.1)
SP=$(free_port 127.0.0.11)
[ -n "$DP" ] && [ -n "$HP" ] && [ -n "$SP" ] || fail "no free port"
D=$MXS_ROOT/tests/integration/data/t_status_fdlimit

cp "$MXS_ROOT/zones/examples/mail.example.com.zone" "$T/zone"
fixture t_status_fdlimit/mxspread.conf "$T/conf" DIR="$T" ORIGIN="$ORIGIN" \
    DNS_PORT="$DP" STATUS_PORT="$HP" PROBE_PORT="$SP"
for a in 11 12; do
	bg python3 "$MXS_ROOT/tests/lib/testsmtp.py" --mode normal --addr 127.0.0.$a --port "$SP" 2>/dev/null
	wait_tcp 127.0.0.$a "$SP" || fail "backend 127.0.0.$a did not start"
done

bg prlimit --nofile=128:128 "$MXSPREAD" -c "$T/conf" > "$T/log" 2>&1
DPID=$LASTPID
wait_dns 127.0.0.1 "$DP" "$ORIGIN" || { cat "$T/log"; fail "daemon does not answer DNS"; }
grep -q 'open files: at most 128$' "$T/log" || { cat "$T/log"; fail "limit not logged"; }
CAP=$(sed -n 's/.*status: at most \([0-9]*\) connections.*/\1/p' "$T/log")
echo "status connection cap: $CAP"
[ "$CAP" = 16 ] || fail "cap $CAP, not 128/8"

# both servers up (health and transitions, to compare after)
state() { curl -sf -m 5 "http://127.0.0.1:$HP/status.json" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join("%s=%s/%s" % (s["name"], s["health"], s["transitions"]) for s in d["pools"][0]["servers"]))'; }
i=0
while [ $i -lt 50 ]; do
	S0=$(state) && case "$S0" in *down*|*unknown*|"") ;; *) break;; esac
	sleep 0.2; i=$((i + 1))
done
echo "before: $S0"
[ $i -lt 50 ] || fail "servers not up: $S0"
LOG0=$(wc -c < "$T/log")

python3 "$D/hold.py" "$HP" 200 20 14 > "$T/hold.out" 2>&1 &
HOLD=$!
sleep 1.5
udp=0; tcp=0; n=0
while kill -0 $HOLD 2>/dev/null && [ $n -lt 40 ]; do
	n=$((n + 1))
	dig +retry=0 +time=1 -p "$DP" @127.0.0.1 +short "$ORIGIN" MX | grep -q . && udp=$((udp + 1))
	kdig +tcp +retry=0 +timeout=1 -p "$DP" @127.0.0.1 +short "$ORIGIN" MX | grep -q . && tcp=$((tcp + 1))
	sleep 0.25
done
wait $HOLD
cat "$T/hold.out"
echo "figure: DNS answered while held: UDP $udp/$n, TCP $tcp/$n"
LOG1=$(wc -c < "$T/log")
echo "figure: log grew by $((LOG1 - LOG0)) bytes ($(wc -l < "$T/log") lines in all)"

held=$(sed -n 's/.*held=\([0-9]*\).*/\1/p' "$T/hold.out")
late=$(sed -n 's/.*late=\([0-9]*\).*/\1/p' "$T/hold.out")
open=$(sed -n 's/.*open=\([0-9]*\).*/\1/p' "$T/hold.out")
[ -n "$held" ] || fail "no figures from the clients"
[ "$held" -le "$CAP" ] || fail "$held connections held, over the cap $CAP"
[ "$held" -ge $((CAP / 2)) ] || fail "only $held connections held"
[ "$open" = 0 ] || fail "$open connections still open after the deadline"
[ "$late" -ge "$held" ] || fail "held connections not closed by the deadline"
[ $n -ge 10 ] && [ $udp = $n ] && [ $tcp = $n ] || fail "DNS not answered: UDP $udp/$n, TCP $tcp/$n"
[ $((LOG1 - LOG0)) -lt 20000 ] || { tail -20 "$T/log"; fail "the log grew by $((LOG1 - LOG0)) bytes"; }
# The status listener may meet EMFILE for an instant while it refuses a
# burst (accept, 503, close): that is the back-off path, logged once. No
# one else (probes, DNS, relay) may ever run out.
grep 'Too many open files' "$T/log" | grep -v 'status: accept (paused' | grep -q . &&
    { grep 'Too many' "$T/log" | head -5; fail "descriptors ran out"; }
n_pause=$(grep -c 'status: accept (paused' "$T/log")
echo "figure: status accept back-off lines: $n_pause"
grep -q ' DOWN' "$T/log" && { grep ' DOWN' "$T/log" | head -5; fail "a server was marked down"; }
S1=$(state) || fail "status.json after the clients left"
echo "after: $S1"
[ "$S1" = "$S0" ] || fail "server state changed: $S0 -> $S1"
stop_pid "$DPID"
ok "status endpoint capped at $CAP under nofile=128; DNS and probes unaffected"
