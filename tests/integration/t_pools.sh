#!/bin/sh
# t_pools.sh - dynamic MX/A answers from live pools: the real daemon, the real
# probe engine, Postfix's smtp-sink as mail servers on 127.0.0.11-13.
# Checks: weighted first-preference shares, caps, NODATA for AAAA, a killed
# server leaving the answers (TTL capped by ttl_degraded), coming back ramped
# by slow start, all_down "all" (fail open) and "relay" (relay only), and that
# answers stay valid DNS within size limits.
. "$MXS_ROOT/tests/lib/common.sh"

[ -x "$MXSPREAD" ] || fail "no binary $MXSPREAD"
command -v kdig >/dev/null 2>&1 || skip "kdig not installed"
need_smtp_sink

ORIGIN=mail.example.test
DP=$(free_port 127.0.0.1)
SP=$(free_port 127.0.0.11)
[ -n "$DP" ] && [ -n "$SP" ] || fail "no free port"

fixture t_pools/mail.zone "$T/zone" ORIGIN="$ORIGIN"
fixture t_pools/mxspread.conf "$T/conf" ORIGIN="$ORIGIN" DNS_PORT="$DP" \
    PROBE_PORT="$SP"

"$MXSPREAD" check -c "$T/conf" || fail "config rejected"

# start_sink N: smtp-sink on 127.0.0.1N, PID in SINK_N
start_sink() {
	bg "$SINK" $SINK_USER "127.0.0.1$1:$SP" 10
	eval "SINK_$1=\$LASTPID"
	wait_tcp "127.0.0.1$1" "$SP" || fail "smtp-sink on 127.0.0.1$1 did not start"
}
start_sink 1
start_sink 2
start_sink 3

bg "$MXSPREAD" -c "$T/conf"
DPID=$LASTPID
wait_dns 127.0.0.1 "$DP" "$ORIGIN" || fail "daemon does not answer"

q() { kdig +retry=0 +timeout=2 -p "$DP" @127.0.0.1 "$@"; }
# MX set of NAME as "pref target" lines, by preference
mxset() { q +short "$1" MX | sort -n; }
# first-preference target of NAME, without the origin
first() { mxset "$1" | head -1 | awk '{ sub("\\.'"$ORIGIN"'\\.$", "", $2); print $2 }'; }
# TTL of the first answer record
ttl() { q +noall +answer "$@" | awk 'NF >= 5 { print $2; exit }'; }
# until CMD succeeds, at most 10 s (100 x 0.1)
until_ok() {
	i=0
	while [ $i -lt 100 ]; do
		if "$@"; then return 0; fi
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# ---- all up: three MX, preferences 10 20 30, valid and small
out=$(mxset "$ORIGIN")
echo "$out"
[ "$(echo "$out" | wc -l)" = 3 ] || fail "want 3 MX, got: $out"
[ "$(echo "$out" | awk '{ print $1 }' | tr '\n' ' ')" = "10 20 30 " ] ||
    fail "preferences: $out"
for s in mx1 mx2 mx3; do
	echo "$out" | grep -q " $s\.$ORIGIN\.$" || fail "$s missing: $out"
done
[ "$(ttl "$ORIGIN" MX)" = 30 ] || fail "TTL $(ttl "$ORIGIN" MX), want 30"
full=$(q +noedns "$ORIGIN" MX) || fail "kdig failed"
echo "$full" | grep -q "status: NOERROR" || fail "MX status: $full"
echo "$full" | grep -q "Flags: qr aa" || fail "MX flags: $full"
echo "$full" | grep -qi "flags:.* tc" && fail "TC set on a small MX answer"
size=$(echo "$full" | sed -n 's/.*Received \([0-9]*\) B.*/\1/p')
[ -n "$size" ] && [ "$size" -le 512 ] || fail "size $size without EDNS"
q +noall +additional "$ORIGIN" MX | grep -q "^mx1\.$ORIGIN\..*A.*127\.0\.0\.11" ||
    fail "no mx1 A in the additional section"
ok "MX set, preferences, TTL, flags, additional"

# ---- weighted first preference, 1:1:2 over 200 answers
c1=0; c2=0; c3=0; n=0
while [ $n -lt 200 ]; do
	case $(first "$ORIGIN") in
	mx1) c1=$((c1 + 1));; mx2) c2=$((c2 + 1));; mx3) c3=$((c3 + 1));;
	*) fail "unexpected first MX";;
	esac
	n=$((n + 1))
done
echo "first preference: mx1 $c1 mx2 $c2 mx3 $c3 (want 50 50 100)"
# 4 sigma: mx3 100 +- 28, mx1/mx2 50 +- 25
[ $c3 -ge 72 ] && [ $c3 -le 128 ] || fail "mx3 first $c3 times of 200"
[ $c1 -ge 25 ] && [ $c1 -le 75 ] || fail "mx1 first $c1 times of 200"
[ $c2 -ge 25 ] && [ $c2 -le 75 ] || fail "mx2 first $c2 times of 200"
ok "weighted shares"

# ---- DYNA: max_addrs = 2 of the three, A only
for k in 1 2 3 4 5; do
	a=$(q +short smtp."$ORIGIN" A | sort)
	[ "$(echo "$a" | wc -l)" = 2 ] || fail "want 2 A (max_addrs), got: $a"
	[ "$(echo "$a" | sort -u | wc -l)" = 2 ] || fail "duplicate A: $a"
	echo "$a" | grep -qv '^127\.0\.0\.1[123]$' && fail "stray A: $a"
done
aaaa=$(q smtp."$ORIGIN" AAAA)
echo "$aaaa" | grep -q "status: NOERROR" || fail "AAAA not NOERROR: $aaaa"
echo "$aaaa" | grep -q "ANSWER: 0" || fail "AAAA not NODATA: $aaaa"
ok "DYNA cap and AAAA NODATA"

# ---- kill mx2: it leaves the answers, TTL drops to ttl_degraded
stop_pid "$SINK_2"
gone() {
	for k in 1 2 3 4 5; do
		mxset "$ORIGIN" | grep -q " mx2\." && return 1
	done
	return 0
}
until_ok gone || fail "mx2 still answered 10 s after it was killed"
for k in 1 2 3 4 5 6 7 8 9 10; do
	out=$(mxset "$ORIGIN")
	[ "$(echo "$out" | wc -l)" = 2 ] || fail "want 2 MX with mx2 down: $out"
	q +short smtp."$ORIGIN" A | grep -q '^127\.0\.0\.12$' &&
	    fail "DYNA still gives mx2's address"
done
t=$(ttl "$ORIGIN" MX)
[ -n "$t" ] && [ "$t" -le 5 ] || fail "TTL $t while degraded, want <= 5"
[ "$(q +short mx2."$ORIGIN" A)" = 127.0.0.12 ] ||
    fail "mx2's own A must answer whatever its health"
ok "down server removed, ttl_degraded, static host name kept"

# ---- restart mx2: it comes back, ramping (slowstart 30 s)
start_sink 2
back() { mxset "$ORIGIN" | grep -q " mx2\."; }
until_ok back || fail "mx2 not back 10 s after restart"
c2=0; n=0
while [ $n -lt 100 ]; do
	[ "$(first "$ORIGIN")" = mx2 ] && c2=$((c2 + 1))
	n=$((n + 1))
done
echo "mx2 first $c2 of 100 while ramping (25 without slow start)"
[ $c2 -le 12 ] || fail "mx2 first $c2 times of 100 right after restart: no slow start?"
[ "$(ttl "$ORIGIN" MX)" = 30 ] || fail "TTL not back to 30 after recovery"
ok "server back, ramping"

# ---- all_down: "relay" answers only the relay; "all" everyone
relay_only() { [ "$(mxset bk."$ORIGIN")" = "10 relay.$ORIGIN." ]; }
until_ok relay_only || fail "backup pool: $(mxset bk."$ORIGIN")"
sleep 1
out=$(mxset open."$ORIGIN")
[ "$(echo "$out" | wc -l)" = 2 ] || fail "all_down=all: want both servers: $out"
t=$(ttl open."$ORIGIN" MX)
[ -n "$t" ] && [ "$t" -le 30 ] || fail "open pool TTL $t"
ok "all_down relay and all (spare pools)"

stop_pid "$SINK_1"
stop_pid "$SINK_2"
stop_pid "$SINK_3"
sleep 1
out=$(mxset "$ORIGIN")
[ "$(echo "$out" | wc -l)" = 3 ] || fail "all down, fail open: want 3 MX: $out"
t=$(ttl "$ORIGIN" MX)
[ -n "$t" ] && [ "$t" -le 5 ] || fail "all down: TTL $t, want <= 5"
q "$ORIGIN" MX | grep -q "status: NOERROR" || fail "all down: not NOERROR"
ok "every server down: fail open"

kill -0 "$DPID" 2>/dev/null || fail "daemon died"
stop_pid "$DPID"
exit 0
