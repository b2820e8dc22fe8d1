#!/bin/sh
# End to end with real mail software: a sending Postfix whose resolver is a
# real Unbound with a stub zone pointing at mxspread delivers 3,000 messages
# to three receiving smtp-sinks weighted 3:2:1; one receiver is killed part
# way, and a broken template is reloaded in the middle. Everything runs in a
# private network namespace (its own loopback), so ports 25 and 53 there
# touch nothing on the host.
. "$MXS_ROOT/tests/lib/common.sh"
. "$MXS_ROOT/tests/lib/postfix.sh"
. "$MXS_ROOT/tests/lib/netns.sh"

[ "$(id -u)" = 0 ] || skip "needs root for ip netns"
for c in ip unbound smtp-sink smtp-source postfix kdig; do
	command -v $c >/dev/null 2>&1 || [ -x /usr/sbin/$c ] || fail "missing $c"
done

NMSG=${E2E_MESSAGES:-3000}
mail_netns e2e 2 11 12 13 53

# --- three receivers, weights 3:2:1 ------------------------------------
SINK=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)
start_sink() {	# start_sink N
	mkdir -p "$T/sink$1"; chown nobody "$T/sink$1"; chmod 711 "$T"
	bg $NSX "$SINK" -u nobody -D "$T/sink$1/dump" 127.0.0.1$1:25 256
	eval "SINK_PID$1=$LASTPID"
}
start_sink 1; start_sink 2; start_sink 3

# --- mxspread ----------------------------------------------------------
fixture t_e2e_mail/mail.zone "$T/mail.zone"
fixture t_e2e_mail/mxspread.conf "$T/mxspread.conf"
bg $NSX sh -c "exec '$MXSPREAD' -c '$T/mxspread.conf' 2> '$T/mxs.log'"
MXS_PID=$LASTPID
$NSX sh -c ". $MXS_ROOT/tests/lib/common.sh; wait_dns 127.0.0.1 5353 mail.example.com" \
    || fail "mxspread did not answer"

# --- Unbound, stub zone to mxspread -------------------------------------
fixture t_e2e_mail/unbound.conf "$T/unbound.conf" DIR="$T"
bg $NSX unbound -d -c "$T/unbound.conf"
$NSX sh -c ". $MXS_ROOT/tests/lib/common.sh; wait_dns 127.0.0.53 53 mail.example.com" \
    || fail "unbound did not answer"
$NSX kdig @127.0.0.53 mail.example.com MX +short | grep -q 'mx1.mail.example.com' \
    || fail "unbound does not resolve the MX through mxspread"

# --- sending Postfix ----------------------------------------------------
pf_create "$T/pf" sender
pf_conf "$T/pf" "inet_interfaces = 127.0.0.2"
pf_conf "$T/pf" "smtp_connection_cache_on_demand = no"
pf_conf "$T/pf" "smtp_host_lookup = dns"
pf_conf "$T/pf" "default_destination_concurrency_limit = 20"
pf_conf "$T/pf" "smtp_connect_timeout = 5s"
pf_service "$T/pf" 127.0.0.2:2525
$NSX sh -c ". $MXS_ROOT/tests/lib/postfix.sh; pf_start $T/pf" || fail "postfix did not start"

count() {	# messages a sink received
	cat "$T/sink$1"/dump* 2>/dev/null | grep -c '^Subject: e2e' 
}

wait_queue_empty() {
	i=0
	until $NSX sh -c ". $MXS_ROOT/tests/lib/postfix.sh; pf_queue_empty $T/pf"; do
		i=$((i + 1))
		if [ $i -gt 600 ]; then
			$NSX postqueue -c "$T/pf/etc" -p | tail -5
			fail "queue not empty after 300 s"
		fi
		sleep 0.5
	done
}

# --- phase 1: weighted spread -------------------------------------------
half=$((NMSG / 2))
$NSX smtp-source -s 10 -m $half -l 300 -S e2e -f sender@test.invalid \
    -t user@mail.example.com 127.0.0.2:2525 || fail "smtp-source phase 1"
wait_queue_empty
c1=$(count 1); c2=$(count 2); c3=$(count 3)
echo "phase 1: mx1=$c1 mx2=$c2 mx3=$c3"
[ $((c1 + c2 + c3)) -eq $half ] || fail "phase 1 delivered $((c1 + c2 + c3)) of $half"
python3 - "$c1" "$c2" "$c3" <<'PY' || fail "shares do not follow 3:2:1"
import sys
c = [int(x) for x in sys.argv[1:]]
t = sum(c)
ok = True
for n, w in zip(c, (3, 2, 1)):
    share, target = n / t, w / 6
    print(f"share {share:.3f} target {target:.3f}")
    ok &= abs(share - target) <= 0.05
sys.exit(0 if ok else 1)
PY

# --- reload with a broken template: answers go on unchanged ---------------
cp "$T/mail.zone" "$T/mail.zone.good"
echo "broken  IN  MX  not-a-number target" >> "$T/mail.zone"
kill -HUP $MXS_PID
sleep 1
kill -0 $MXS_PID || fail "mxspread died on a bad reload"
grep -q 'mail.zone:7' "$T/mxs.log" || { cat "$T/mxs.log"; fail "reload error not reported with file:line"; }
$NSX kdig @127.0.0.1 -p 5353 mail.example.com MX +short | grep -q 'mx[123].mail.example.com' \
    || fail "answers changed after a broken reload"
cp "$T/mail.zone.good" "$T/mail.zone"

# --- phase 2: one receiver dies part way ------------------------------------
$NSX smtp-source -s 10 -m $((NMSG - half)) -l 300 -S e2e -f sender@test.invalid \
    -t user@mail.example.com 127.0.0.2:2525 &
SRC_PID=$!
PIDS="$PIDS $SRC_PID"
sleep 2
stop_pid $SINK_PID3
c3_at_kill=$(count 3)
wait $SRC_PID || fail "smtp-source phase 2"
wait_queue_empty

c1=$(count 1); c2=$(count 2); c3=$(count 3)
total=$((c1 + c2 + c3))
echo "delivered: mx1=$c1 mx2=$c2 mx3=$c3 total=$total of $NMSG (mx3 had $c3_at_kill when killed)"
[ $total -eq $NMSG ] || fail "delivered $total of $NMSG"
[ "$c3" -eq "$c3_at_kill" ] || fail "mx3 received mail after it was killed"
grep -q 'status=bounced' "$T/pf/maillog" && fail "the sender bounced mail"
# mxspread drops the dead receiver from its answers (interval 0.5 s x fall 2
# + timeout): poll for at most 5 s.
i=0
while $NSX kdig @127.0.0.1 -p 5353 mail.example.com MX +short | grep -q mx3; do
	i=$((i + 1))
	[ $i -gt 50 ] && fail "mx3 still answered 5 s after it died"
	sleep 0.1
done
grep -q 'mx3 DOWN' "$T/mxs.log" || fail "no DOWN transition logged for mx3"
ok "e2e delivered $total messages, 3:2:1 spread, no bounce"
