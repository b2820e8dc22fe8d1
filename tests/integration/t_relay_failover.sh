#!/bin/sh
# Relay in front of a failover pool: tier 0 is a1 and a2, tier 1 is b1
# (weight 2 against 1 + 1), each a Postfix smtp-sink on its own loopback
# address, probed over SMTP. For each relay policy (weighted, leastconn):
# while tier 0 is healthy every relayed session lands on a1 or a2, never
# on b1; once both tier-0 sinks are stopped and the probes mark them down,
# every session lands on b1; when they are back and up, on tier 0 again.
# Sessions are counted by the sinks themselves (one dump file per message,
# the subject naming the session), and by the greeting each client saw.
# Fixtures: tests/integration/data/t_relay_failover/.
. "$MXS_ROOT/tests/lib/common.sh"

[ -x "$MXSPREAD" ] || fail "no daemon at $MXSPREAD"
need_smtp_sink

DATA="$MXS_ROOT/tests/integration/data/t_relay_failover"
N=30
DP=$(free_port); RP=$(free_port); HP=$(free_port); SP=$(free_port 127.0.0.21)
[ -n "$DP" ] && [ -n "$RP" ] && [ -n "$HP" ] && [ -n "$SP" ] || fail "no free port"
# The sinks run as nobody and write their dumps under $T.
chmod 755 "$T"
mkdir -p "$T/sink"
chmod 777 "$T/sink"
cp "$DATA/relay.zone" "$T/relay.zone"

addr_of() {
	case $1 in a1) echo 127.0.0.21 ;; a2) echo 127.0.0.22 ;; b1) echo 127.0.0.23 ;; esac
}

# start_sink NAME: smtp-sink on NAME's address, greeting "220 NAME.sink",
# one dump file per message under $T/sink/NAME/; PID in SINK_<NAME>.
start_sink() {
	bg "$SINK" $SINK_USER -h "$1.sink" -d "$T/sink/$1/%H%M%S." \
	    "$(addr_of "$1"):$SP" 64
	eval "SINK_$1=\$LASTPID"
	wait_tcp "$(addr_of "$1")" "$SP" || fail "smtp-sink $1 did not start"
}

stop_sink() {
	eval "stop_pid \"\$SINK_$1\""
}

# messages NAME PHASE: how many messages of PHASE sink NAME received.
messages() {
	[ -d "$T/sink/$1" ] || { echo 0; return; }
	grep -l "^Subject: failover $2 [0-9]*\$" "$T/sink/$1"/* 2>/dev/null | wc -l
}

# relay_phase PHASE: N sessions through the relay; then each sink's count
# of PHASE messages in A1 A2 B1, and the greetings seen in $T/PHASE.out.
relay_phase() {
	python3 "$DATA/client.py" "$RP" "$1" "$N" > "$T/$1.out" ||
		{ grep FAIL "$T/$1.out" | head -5; tail -20 "$T/mxs.log"; fail "$1: sessions failed"; }
	# the sinks write a dump when the message is accepted: wait (<= 5 s)
	# until they hold all N
	i=0
	while [ $i -lt 50 ]; do
		A1=$(messages a1 "$1"); A2=$(messages a2 "$1"); B1=$(messages b1 "$1")
		[ $((A1 + A2 + B1)) -ge "$N" ] && break
		sleep 0.1; i=$((i + 1))
	done
	echo "  $1: a1=$A1 a2=$A2 b1=$B1 (of $N)"
	[ $((A1 + A2 + B1)) = "$N" ] || fail "$1: the sinks hold $((A1 + A2 + B1)) of $N messages"
	for k in $(seq 0 $((N - 1))); do
		c=$(cat "$T/sink"/*/* | grep -c "^Subject: failover $1 $k\$")
		[ "$c" = 1 ] || fail "$1: session $k arrived $c times"
	done
}

for policy in weighted leastconn; do
	sed -e "s/@DP@/$DP/g" -e "s/@HP@/$HP/g" -e "s/@RP@/$RP/g" \
	    -e "s/@SP@/$SP/g" -e "s/@POLICY@/$policy/g" \
	    "$DATA/mxspread.conf" > "$T/mxspread.conf"
	"$MXSPREAD" check -c "$T/mxspread.conf" || fail "config rejected"
	start_sink a1; start_sink a2; start_sink b1
	: > "$T/mxs.log"
	bg "$MXSPREAD" -c "$T/mxspread.conf" 2>>"$T/mxs.log"
	MXS_PID=$LASTPID
	wait_tcp 127.0.0.1 "$RP" || { cat "$T/mxs.log"; fail "relay does not listen"; }
	python3 "$DATA/wait_health.py" "$HP" 15 a1=up a2=up b1=up ||
		fail "$policy: the probes did not see all three sinks up"

	# 1. tier 0 healthy: tier 0 only
	relay_phase "$policy-healthy"
	[ "$B1" = 0 ] || fail "$policy: $B1 of $N sessions went to the tier-1 server while tier 0 was healthy"
	[ "$(grep -c ' b1\.sink$' "$T/$policy-healthy.out")" = 0 ] ||
		fail "$policy: a client was greeted by b1 while tier 0 was healthy"
	ok "$policy: tier 0 healthy: all $N sessions on tier 0 (a1 $A1, a2 $A2)"

	# 2. both tier-0 sinks stopped and marked down: tier 1 only
	stop_sink a1; stop_sink a2
	python3 "$DATA/wait_health.py" "$HP" 15 a1=down a2=down b1=up ||
		fail "$policy: the probes did not mark tier 0 down"
	relay_phase "$policy-down"
	[ "$B1" = "$N" ] || fail "$policy: only $B1 of $N sessions on tier 1 with tier 0 down"
	ok "$policy: tier 0 down: all $N sessions on tier 1"

	# 3. tier 0 back: tier 0 only again
	start_sink a1; start_sink a2
	python3 "$DATA/wait_health.py" "$HP" 15 a1=up a2=up b1=up ||
		fail "$policy: the probes did not see tier 0 back"
	relay_phase "$policy-back"
	[ "$B1" = 0 ] || fail "$policy: $B1 of $N sessions on tier 1 after tier 0 came back"
	ok "$policy: tier 0 back: all $N sessions on tier 0 (a1 $A1, a2 $A2)"

	stop_pid "$MXS_PID"
	if grep -q "ERROR: AddressSanitizer\|runtime error:" "$T/mxs.log"; then
		cat "$T/mxs.log"
		fail "sanitizer report from the daemon"
	fi
	stop_sink a1; stop_sink a2; stop_sink b1
done
ok "relay failover tiers respected"
