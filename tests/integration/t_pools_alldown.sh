#!/bin/sh
# The three all_down modes seen by a real sender: a Postfix whose resolver is
# a real Unbound (stub zones to mxspread) sends to three domains, one pool
# each (all_down "servfail", "all", "relay"), while every receiver is down.
# servfail: the MX lookup fails temporarily, the mail is deferred and no
# server is tried; all: the down server is tried (connection refused), the
# mail is deferred; relay: the relay host answers 421, the mail is deferred.
# Nothing bounces. The receivers then start and Postfix's own retries (short
# backoff timers) deliver every message. Everything runs in a private network
# namespace, as t_e2e_mail.sh does.
. "$MXS_ROOT/tests/lib/common.sh"
. "$MXS_ROOT/tests/lib/postfix.sh"
. "$MXS_ROOT/tests/lib/netns.sh"

[ "$(id -u)" = 0 ] || skip "needs root for ip netns"
for c in ip unbound smtp-sink smtp-source postfix kdig; do
	command -v $c >/dev/null 2>&1 || [ -x /usr/sbin/$c ] || fail "missing $c"
done

NMSG=${ALLDOWN_MESSAGES:-10}	# per domain
mail_netns alldown 2 11 21 30 31 53

# --- mxspread: three pools, every receiver down ----------------------------
for f in mxspread.conf closed.zone open.zone relayed.zone; do
	fixture t_pools_alldown/$f "$T/$f"
done
bg $NSX sh -c "exec '$MXSPREAD' -c '$T/mxspread.conf' 2> '$T/mxs.log'"
MXS_PID=$LASTPID
$NSX sh -c ". $MXS_ROOT/tests/lib/common.sh; wait_dns 127.0.0.1 5353 open.example.com" \
    || fail "mxspread did not answer"

mxs_mx() {	# mxs_mx DOMAIN: rcode and MX targets, straight from mxspread
	$NSX kdig @127.0.0.1 -p 5353 "$1" MX +noall +header +answer 2>&1 |
	    awk '/status:/ { for (i = 1; i < NF; i++) if ($i == "status:") {
			s = $(i + 1); gsub(/[;,]/, "", s); printf "%s", s } }
		$4 == "MX" { printf " %s", $6 }'
}
# the probes find every receiver down (interval 0.5 s, fall 1)
i=0
until [ "$(mxs_mx closed.example.com)" = SERVFAIL ]; do
	i=$((i + 1)); [ $i -gt 50 ] && fail "closed pool not SERVFAIL: $(mxs_mx closed.example.com)"
	sleep 0.1
done
[ "$(mxs_mx open.example.com)" = "NOERROR o1.open.example.com." ] ||
    fail "open pool, all down: $(mxs_mx open.example.com)"
[ "$(mxs_mx relayed.example.com)" = "NOERROR relay.relayed.example.com." ] ||
    fail "relayed pool, all down: $(mxs_mx relayed.example.com)"
# static names of the closed zone keep answering
$NSX kdig @127.0.0.1 -p 5353 closed.example.com SOA +noall +header |
    grep -q 'status: NOERROR' || fail "closed zone: SOA not answered"
$NSX kdig @127.0.0.1 -p 5353 c1.closed.example.com A +short | grep -qx 127.0.0.11 ||
    fail "closed zone: server host name not answered"

# --- Unbound ------------------------------------------------------------
fixture t_pools_alldown/unbound.conf "$T/unbound.conf" DIR="$T"
bg $NSX unbound -d -c "$T/unbound.conf"
$NSX sh -c ". $MXS_ROOT/tests/lib/common.sh; wait_dns 127.0.0.53 53 open.example.com" \
    || fail "unbound did not answer"
$NSX kdig @127.0.0.53 closed.example.com MX +noall +header | grep -q 'status: SERVFAIL' \
    || fail "unbound does not pass on the SERVFAIL"

# --- sending Postfix, short retry timers ------------------------------------
pf_create "$T/pf" sender
pf_conf "$T/pf" "inet_interfaces = 127.0.0.2"
pf_conf "$T/pf" "smtp_host_lookup = dns"
pf_conf "$T/pf" "smtp_connect_timeout = 2s"
pf_conf "$T/pf" "queue_run_delay = 1s"
pf_conf "$T/pf" "minimal_backoff_time = 1s"
pf_conf "$T/pf" "maximal_backoff_time = 2s"
pf_conf "$T/pf" "smtp_connection_cache_on_demand = no"
pf_service "$T/pf" 127.0.0.2:2525
$NSX sh -c ". $MXS_ROOT/tests/lib/postfix.sh; pf_start $T/pf" || fail "postfix did not start"

for d in closed open relayed; do
	$NSX smtp-source -s 2 -m "$NMSG" -l 200 -S "alldown $d" \
	    -f sender@test.invalid -t "user@$d.example.com" 127.0.0.2:2525 ||
	    fail "smtp-source $d"
done

deferred() {	# deferred DOMAIN: distinct queued messages deferred for it
	grep "to=<user@$1.example.com>.*status=deferred" "$T/pf/maillog" |
	    awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9A-F]+:$/) { print $i; break } }' |
	    sort -u | wc -l
}
# every message tried at least once and deferred (bounded: 30 s)
i=0
until [ "$(deferred closed)" -ge "$NMSG" ] && [ "$(deferred open)" -ge "$NMSG" ] &&
    [ "$(deferred relayed)" -ge "$NMSG" ]; do
	i=$((i + 1))
	if [ $i -gt 300 ]; then
		tail -20 "$T/pf/maillog"
		fail "not every message deferred: closed $(deferred closed) open $(deferred open) relayed $(deferred relayed) of $NMSG"
	fi
	sleep 0.1
done
sleep 3		# a few more retry rounds while still down
grep -q 'status=bounced' "$T/pf/maillog" && { grep 'status=bounced' "$T/pf/maillog" | head -3; fail "a message bounced while the pools were down"; }
# what each mode makes the sender do (README "Answer policies")
grep 'to=<user@closed.example.com>.*status=deferred' "$T/pf/maillog" |
    grep -vq 'type=MX: Host not found, try again' &&
    fail "closed: deferred for another reason than the temporary DNS failure"
grep -q 'connect to c1\.closed' "$T/pf/maillog" && fail "closed: the down server was tried"
grep 'to=<user@open.example.com>.*status=deferred' "$T/pf/maillog" | head -1 |
    grep -q 'connect to o1.open.example.com\[127.0.0.21\]:25: Connection refused' ||
    fail "open: the down server was not tried"
grep 'to=<user@relayed.example.com>.*status=deferred' "$T/pf/maillog" | head -1 |
    grep -q 'relay.relayed.example.com\[127.0.0.30\].* 421 4.3.2' ||
    fail "relayed: no 421 from the relay"
echo "deferred while down: closed $(deferred closed) open $(deferred open) relayed $(deferred relayed) of $NMSG each, none bounced"

# --- the receivers come back: Postfix's retries deliver everything -----------
SINK=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)
chmod 711 "$T"
for a in 11 21 31; do
	mkdir -p "$T/sink$a"; chown nobody "$T/sink$a"
	bg $NSX "$SINK" -u nobody -D "$T/sink$a/dump" 127.0.0.$a:25 64
done
t0=$(date +%s)
count() {	# count SINK DOMAIN
	cat "$T/sink$1"/dump* 2>/dev/null | grep -c "^Subject: alldown $2"
}
i=0
until $NSX sh -c ". $MXS_ROOT/tests/lib/postfix.sh; pf_queue_empty $T/pf"; do
	i=$((i + 1))
	if [ $i -gt 120 ]; then
		$NSX postqueue -c "$T/pf/etc" -p | tail -8
		fail "queue not empty 60 s after the receivers came back"
	fi
	sleep 0.5
done
t1=$(date +%s)
c=$(count 11 closed); o=$(count 21 open); r=$(count 31 relayed)
echo "delivered $((t1 - t0)) s after the receivers came back: closed $c open $o relayed $r of $NMSG each"
[ "$c" -eq "$NMSG" ] || fail "closed: $c of $NMSG delivered"
[ "$o" -eq "$NMSG" ] || fail "open: $o of $NMSG delivered"
[ "$r" -eq "$NMSG" ] || fail "relayed: $r of $NMSG delivered"
grep -q 'status=bounced' "$T/pf/maillog" && fail "a message bounced"
[ "$(mxs_mx closed.example.com)" = "NOERROR c1.closed.example.com." ] ||
    fail "closed pool after recovery: $(mxs_mx closed.example.com)"
kill -0 $MXS_PID || fail "mxspread died"
ok "all_down servfail/all/relay: every message deferred while down, none bounced, all $((3 * NMSG)) delivered after recovery"
