#!/bin/sh
# t_dns_srv.sh - DYNSRV (RFC 6186 / RFC 2782) from live pools, checked with
# kdig: the SRV answer's shape (TTL, AA, port, targets, A/AAAA in the
# additional section), weights from the configured weights, one priority for
# a weighted pool and tier priorities for a failover pool, a killed server
# leaving the answer (TTL capped by ttl_degraded), the primary tier moving
# when its servers die, NODATA for other types at the name, ANY, letter case
# and TCP, SERVFAIL with all_down "servfail", NODATA with all_down "relay".
. "$MXS_ROOT/tests/lib/common.sh"

[ -x "$MXSPREAD" ] || fail "no binary $MXSPREAD"
for c in kdig dig; do
	command -v $c >/dev/null 2>&1 || skip "$c not installed"
done
need_smtp_sink

ORIGIN=mail.example.test
DP=$(free_port 127.0.0.1)
SP=$(free_port 127.0.0.31)
[ -n "$DP" ] && [ -n "$SP" ] || fail "no free port"
fixture t_dns_srv/srv.zone "$T/zone" ORIGIN="$ORIGIN"
fixture t_dns_srv/mxspread.conf "$T/conf" ORIGIN="$ORIGIN" DNS_PORT="$DP" \
    PROBE_PORT="$SP"
"$MXSPREAD" check -c "$T/conf" || fail "config rejected"

start_sink() {	# start_sink LAST-OCTET: smtp-sink on 127.0.0.N, PID in SINK_N
	bg "$SINK" $SINK_USER "127.0.0.$1:$SP" 10
	eval "SINK_$1=\$LASTPID"
	wait_tcp "127.0.0.$1" "$SP" || fail "smtp-sink on 127.0.0.$1 did not start"
}
for a in 31 32 33 41 42 43; do start_sink $a; done

bg "$MXSPREAD" -c "$T/conf"
wait_dns 127.0.0.1 "$DP" "$ORIGIN" || fail "daemon does not answer"

q() { kdig +retry=0 +timeout=2 -p "$DP" @127.0.0.1 "$@"; }
SUB=_submission._tcp.$ORIGIN
IMAPS=_imaps._tcp.$ORIGIN
# "prio weight port target" lines of NAME's SRV answer, sorted by target
srvset() { q +short "$@" SRV | sort -k4; }
until_ok() {	# at most 10 s
	i=0
	while [ $i -lt 100 ]; do
		if "$@"; then return 0; fi
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
want() {	# want WHAT EXPECTED ACTUAL
	[ "$2" = "$3" ] || fail "$1: want
$2
got
$3"
}

# ---- every server up ------------------------------------------------------
until_ok sh -c "[ \$(kdig +short -p $DP @127.0.0.1 $IMAPS SRV | wc -l) = 3 ]" ||
    fail "pools not up"
want "weighted pool: one priority, configured weights, port 587" \
"10 3 587 s1.$ORIGIN.
10 2 587 s2.$ORIGIN.
10 1 587 s3.other.test." "$(srvset "$SUB")"
full=$(q +noall +answer +additional +header "$SUB" SRV)
echo "$full" | grep -q 'Flags: qr aa' || fail "SRV answer without AA: $full"
echo "$full" | grep -q 'ANSWER: 3; AUTHORITY: 0; ADDITIONAL: 3' ||
    fail "SRV answer counts: $full"
[ "$(echo "$full" | awk '$4 == "SRV" { print $2 }' | sort -u)" = 60 ] ||
    fail "SRV TTL not 60: $full"
# additional: the in-zone targets' addresses, not the out-of-zone one
want "additional section" \
"s1.$ORIGIN. A 127.0.0.31
s1.$ORIGIN. AAAA ::1
s2.$ORIGIN. A 127.0.0.32" \
    "$(echo "$full" | awk '$4 == "A" || $4 == "AAAA" { print $1, $4, $5 }' | sort)"
want "failover pool: tier priorities 0 and 1, port 993" \
"0 1 993 f1.$ORIGIN.
0 1 993 f2.$ORIGIN.
1 5 993 f3.$ORIGIN." "$(srvset "$IMAPS")"
q +noall +answer "$IMAPS" SRV | awk '$4 == "SRV" && $2 != 120 { exit 1 }' ||
    fail "failover SRV TTL not 120"
# every record comes in the policy order: the weighted draw varies the
# first record (3:2:1), the set never changes
firsts=$(for i in $(seq 60); do q +short "$SUB" SRV | head -1 | awk '{ print $4 }'; done | sort | uniq -c)
[ "$(echo "$firsts" | wc -l)" -ge 2 ] || fail "the SRV order never varies: $firsts"
# TCP and letter case
want "over TCP" "$(srvset "$SUB")" "$(srvset +tcp "$SUB")"
# (dig: kdig prints owner names in lowercase)
[ "$(dig +tries=1 +time=2 -p "$DP" @127.0.0.1 +noall +answer \
    _SUBMISSION._Tcp.$ORIGIN SRV | awk '{ print $1 }' | sort -u)" = \
    "_SUBMISSION._Tcp.$ORIGIN." ] || fail "qname case not kept"

# ---- other types at the name: NODATA; ANY: the SRV set (as DYNMX: the one
# dynamic RRset of the node)
for t in A AAAA MX TXT; do
	out=$(q +noall +header +answer +authority "$SUB" $t)
	echo "$out" | grep -q 'status: NOERROR' || fail "$t at the SRV name: $out"
	echo "$out" | grep -q 'ANSWER: 0; AUTHORITY: 1' || fail "$t at the SRV name not NODATA: $out"
	echo "$out" | grep -q "	SOA	" || fail "$t NODATA without SOA: $out"
done
want "ANY at the SRV name" "$(srvset "$SUB")" "$(q +short "$SUB" ANY | sort -k4)"


# ---- a server dies: it leaves the answer, the TTL drops to ttl_degraded ----
stop_pid "$SINK_32"
until_ok sh -c "! kdig +short -p $DP @127.0.0.1 $SUB SRV | grep -q s2" ||
    fail "s2 still in the SRV answer after it died"
want "s2 down" \
"10 3 587 s1.$ORIGIN.
10 1 587 s3.other.test." "$(srvset "$SUB")"
q +noall +answer "$SUB" SRV | awk '$4 == "SRV" && $2 != 5 { exit 1 }' ||
    fail "TTL not capped at ttl_degraded while s2 is down"
start_sink 32
until_ok sh -c "kdig +short -p $DP @127.0.0.1 $SUB SRV | grep -q s2" ||
    fail "s2 not back"

# ---- failover: the primary tier dies, tier 1 becomes priority 0 ------------
stop_pid "$SINK_41"
until_ok sh -c "[ \"\$(kdig +short -p $DP @127.0.0.1 $IMAPS SRV | sort -k4 | head -1)\" = '0 1 993 f2.$ORIGIN.' ]" ||
    fail "f1 still answered: $(srvset "$IMAPS")"
stop_pid "$SINK_42"
until_ok sh -c "[ \"\$(kdig +short -p $DP @127.0.0.1 $IMAPS SRV)\" = '0 5 993 f3.$ORIGIN.' ]" ||
    fail "tier 1 not primary: $(srvset "$IMAPS")"

# ---- all down: servfail pool SERVFAIL, relay pool NODATA (no relay target)
out=$(q +noall +header _submissions._tcp.$ORIGIN SRV)
echo "$out" | grep -q 'status: SERVFAIL' || fail "all_down servfail: $out"
out=$(q +noall +header +answer +authority _imap._tcp.$ORIGIN SRV)
echo "$out" | grep -q 'status: NOERROR' || fail "all_down relay: $out"
echo "$out" | grep -q 'ANSWER: 0; AUTHORITY: 1' || fail "all_down relay not NODATA: $out"
echo "$out" | grep -q relay && fail "the relay host became an SRV target: $out"
ok "DYNSRV: shape, weights, tier priorities, down servers leave, NODATA, ANY, TCP, all_down"
