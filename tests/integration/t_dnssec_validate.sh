#!/bin/sh
# t_dnssec_validate.sh - the signed zone as real validators see it (issue 16,
# "Tests with real validators"). One CSK made with ldns-keygen, its DS
# (from `mxspread ds`) the only trust
# anchor. The zone has what a DANE sender looks up: SOA, NS, SPF, DKIM,
# DMARC, a DYNMX and a DYNA over a pool of three smtp-sinks weighted 5:3:2,
# the servers' A, a TLSA, a wildcard, a CNAME chain and a delegation to an
# unsigned child (served by NSD on its own port).
#  1. delv: each answer "fully validated" (positive) or "negative response,
#     fully validated" (NXDOMAIN, NODATA, no DS at the cut); the referral
#     carries a signed NSEC whose bitmap has NS and not DS; RRSIGs only
#     with DO=1; a wrong anchor does not validate (the check can fail).
#  2. Unbound (validator, stub zones): AD on every answer, the child's answer
#     insecure but not SERVFAIL; then mx2 is killed and restored, and every
#     MX and A answer through Unbound keeps AD (DYN TTL 0: each one fetched
#     and validated afresh) while the answers follow the pool.
#  3. dnssec_check.py: 10,000 MX answers validated with dnspython, and the
#     first-preference shares within 1 point of the weights.
# DNSSEC_PEER=nsd runs the same checks against the zone signed by
# ldns-signzone (DYN records made static MX/A) and served by NSD: the test
# checking itself. mx2 "down" there is a re-signed zone without it.
. "$MXS_ROOT/tests/lib/common.sh"

PEER=${DNSSEC_PEER:-mxspread}
case $PEER in
mxspread|nsd) ;;
*) fail "DNSSEC_PEER=$PEER: expected mxspread or nsd";;
esac
for c in delv dig unbound unbound-checkconf nsd ldns-keygen ldns-key2ds ldns-signzone; do
	command -v $c >/dev/null 2>&1 || [ -x /usr/sbin/$c ] || skip "$c not installed"
done
PY=/usr/bin/python3
$PY -c 'import dns.dnssec, cryptography' 2>/dev/null || skip "python3-dnspython not installed"
if [ "$PEER" = mxspread ]; then
	[ -x "$MXSPREAD" ] || fail "no binary $MXSPREAD"
	need_smtp_sink
fi

Z=mail.example.com
DATA=t_dnssec_validate
DP=$(free_port 127.0.0.1)	# the signed zone (mxspread or NSD)
CP=$(free_port 127.0.0.1)	# the unsigned child (NSD)
UP=$(free_port 127.0.0.1)	# Unbound
HP=$(free_port 127.0.0.1)	# mxspread's status
SP=$(free_port 127.0.0.11)	# the smtp-sinks, on 127.0.0.11-13
for p in "$DP" "$CP" "$UP" "$HP" "$SP"; do [ -n "$p" ] || fail "no free port"; done
[ "$(printf '%s\n' "$DP" "$CP" "$UP" "$HP" | sort -u | wc -l)" = 4 ] || fail "ports collide"
NBAD=0
bad() { echo "FAIL: $*"; NBAD=$((NBAD + 1)); }

# ---- the key, the config, the DS ------------------------------------------
mkdir -p "$T/keys"
KEY=$(dnssec_key "$T/keys" $Z.) || fail "ldns-keygen wrote no key pair"
fixture $DATA/mail.zone "$T/mail.zone"
fixture $DATA/mxspread.conf "$T/mxspread.conf" DNS_PORT="$DP" STATUS_PORT="$HP" \
    PROBE_PORT="$SP" KEY="$KEY"
DS=$(zone_ds "$T/mxspread.conf" $Z)
[ -n "$DS" ] || fail "no SHA-256 DS from mxspread ds"
echo "DS (mxspread ds): $Z. DS $DS"
set -- $DS
printf 'trust-anchors {\n\t%s. static-ds %s %s %s "%s";\n};\n' $Z "$1" "$2" "$3" "$4" \
    > "$T/anchor.conf"
# the same with one digit of the digest changed: must not validate
printf 'trust-anchors {\n\t%s. static-ds %s %s %s "%s";\n};\n' $Z "$1" "$2" "$3" \
    "$(echo "$4" | tr 'A-F' 'a-f' | tr '0-9a-f' '1-9a-f0')" > "$T/wrong.conf"

# ---- the servers -----------------------------------------------------------
# nsd_start NAME ZONE FILE PORT: NSD in $T/NAME, PID in NSD_NAME
nsd_start() {
	mkdir -p "$T/$1"
	fixture $DATA/nsd.conf "$T/$1/nsd.conf" DIR="$T/$1" LISTEN="127.0.0.1@$4" \
	    ZONE="$2" ZONEFILE="$3"
	bg nsd -d -c "$T/$1/nsd.conf" > "$T/$1/nsd.log" 2>&1
	eval "NSD_$1=\$LASTPID"
	wait_dns 127.0.0.1 "$4" "$2" || { cat "$T/$1/nsd.log"; fail "nsd ($1) did not answer"; }
}

# static_zone SERVERS...: the template for ldns-signzone, DYNMX/DYNA made
# MX/A records of the servers given (mx1 mx2 mx3: 127.0.0.11-13, preferences
# 10 20 30 in that order), with what mxspread adds itself: the servers' A
# and CDS/CDNSKEY.
static_zone() {
	awk -v up="$*" '
	BEGIN { n = split(up, s, " ") }
	END { for (i = 1; i <= 3; i++) printf "mx%d 300 A 127.0.0.1%d\n", i, i }
	/^[^;$]/ && $(NF - 1) == "DYNMX" {
		for (i = 1; i <= n; i++) printf "%s 0 MX %d %s\n", $1, 10 * i, s[i]
		next }
	/^[^;$]/ && $(NF - 1) == "DYNA" {
		for (i = 1; i <= n; i++) printf "%s 0 A 127.0.0.1%s\n", $1, substr(s[i], 3)
		next }
	{ print }' "$T/mail.zone"
	awk '$3 == "DNSKEY" { sub(/;.*/, ""); $3 = "CDNSKEY"; print }' "$KEY.key"
	ldns-key2ds -n -2 "$KEY.key" | awk '{ $4 = "CDS"; print }'
}

# nsd_sign SERVERS...: sign the static zone into $T/signed.zone
nsd_sign() {
	static_zone "$@" > "$T/static.zone"
	ldns-signzone -o $Z. -f "$T/signed.zone" "$T/static.zone" "$KEY" ||
	    fail "ldns-signzone"
}

# status_up NAME true|false: until mxspread's /status.json shows it (10 s)
status_up() {
	$PY - "$HP" "$1" "$2" <<'PY'
import json, sys, time, urllib.request
port, name, want = sys.argv[1], sys.argv[2], sys.argv[3] == "true"
end, got = time.time() + 10, None
while time.time() < end:
    try:
        doc = json.load(urllib.request.urlopen(
            "http://127.0.0.1:%s/status.json" % port, timeout=2))
        for p in doc.get("pools", []):
            for s in p.get("servers", []):
                if s["name"] == name:
                    got = s.get("up")
        if got == want:
            sys.exit(0)
    except Exception:
        pass
    time.sleep(0.1)
print("status.json: %s up=%s, want %s" % (name, got, want))
sys.exit(1)
PY
}

# start_sink N: smtp-sink on 127.0.0.1N, PID in SINK_N
start_sink() {
	bg "$SINK" $SINK_USER "127.0.0.1$1:$SP" 10
	eval "SINK_$1=\$LASTPID"
	wait_tcp "127.0.0.1$1" "$SP" || fail "smtp-sink on 127.0.0.1$1 did not start"
}

# server_down / server_up: mx2 leaves the pool and comes back
server_down() {
	if [ "$PEER" = nsd ]; then
		nsd_sign mx1 mx3
		kill -HUP "$NSD_parent"
	else
		stop_pid "$SINK_2"
		status_up mx2 false || fail "mx2 not down in /status.json 10 s after it was killed"
	fi
}
server_up() {
	if [ "$PEER" = nsd ]; then
		nsd_sign mx1 mx2 mx3
		kill -HUP "$NSD_parent"
	else
		start_sink 2
		status_up mx2 true || fail "mx2 not up in /status.json 10 s after its restart"
	fi
}

fixture $DATA/child.zone "$T/child.zone"
nsd_start child child.$Z "$T/child.zone" "$CP"
if [ "$PEER" = nsd ]; then
	nsd_sign mx1 mx2 mx3
	nsd_start parent $Z "$T/signed.zone" "$DP"
else
	"$MXSPREAD" check -c "$T/mxspread.conf" || fail "config rejected"
	start_sink 1
	start_sink 2
	start_sink 3
	bg "$MXSPREAD" -c "$T/mxspread.conf" > "$T/mxs.log" 2>&1
	MXS_PID=$LASTPID
	wait_dns 127.0.0.1 "$DP" $Z || { cat "$T/mxs.log"; fail "mxspread did not answer"; }
	for s in mx1 mx2 mx3; do
		status_up $s true || fail "$s not up in /status.json"
	done
fi
echo "peer: $PEER on 127.0.0.1:$DP, child NSD on :$CP"

# ---- 1. delv ----------------------------------------------------------------
# dv ANCHORFILE NAME TYPE: delv against the server, output in $T/delv.out
dv() {
	timeout 30 delv @127.0.0.1 -p "$DP" -a "$1" +root=$Z "$2" "$3" \
	    > "$T/delv.out" 2>&1
}
showdv() { sed 's/^/    /' "$T/delv.out"; }
# unsafe: what delv prints for an answer it could not validate
unsafe() { grep -Eiq 'insecure|bogus|unsigned|broken|no valid|failed to|unable' "$T/delv.out"; }

# delv_pos NAME TYPE [OWNER RRTYPE]...: "fully validated", with records of
# each RRTYPE at OWNER (default: TYPE at NAME) and their RRSIGs in the answer
delv_pos() {
	dv "$T/anchor.conf" "$1" "$2"
	n=$1 t=$2
	shift 2
	[ $# = 0 ] && set -- "$n" "$t"
	if ! grep -qx '; fully validated' "$T/delv.out" || unsafe; then
		bad "delv $n $t: not '; fully validated':"; showdv; return
	fi
	while [ $# -ge 2 ]; do
		if ! awk -v o="$1." -v t="$2" '
		    tolower($1) == tolower(o) && $4 == t { f = 1 }
		    tolower($1) == tolower(o) && $4 == "RRSIG" && $5 == t { g = 1 }
		    END { exit !(f && g) }' "$T/delv.out"; then
			bad "delv $n $t: validated, but no $1 $2 with its RRSIG:"; showdv; return
		fi
		shift 2
	done
	ok "delv $n $t: fully validated"
}

# delv_neg NAME TYPE nxdomain|nxrrset: "negative response, fully validated"
delv_neg() {
	dv "$T/anchor.conf" "$1" "$2"
	if ! grep -qx '; negative response, fully validated' "$T/delv.out" ||
	    ! grep -qx ";; resolution failed: ncache $3" "$T/delv.out" || unsafe; then
		bad "delv $1 $2: want a validated $3 ('ncache $3' and"\
		    "'; negative response, fully validated'):"; showdv; return
	fi
	ok "delv $1 $2: $3, fully validated"
}

delv_pos $Z SOA
delv_pos $Z NS
delv_pos $Z DNSKEY
delv_pos $Z CDS
delv_pos $Z CDNSKEY
delv_pos $Z TXT
delv_pos sel._domainkey.$Z TXT
delv_pos _dmarc.$Z TXT
delv_pos $Z MX
delv_pos smtp.$Z A
delv_pos mx1.$Z A
delv_pos ns1.$Z A
delv_pos _25._tcp.mx1.$Z TLSA
delv_pos foo.wild.$Z TXT
# the chain: both CNAMEs signed and the target's A
delv_pos alias.$Z A alias.$Z CNAME alias2.$Z CNAME mx1.$Z A
delv_neg nothere.$Z A nxdomain
delv_neg sub.mx1.$Z A nxdomain
delv_neg mx1.$Z AAAA nxrrset
delv_neg smtp.$Z AAAA nxrrset
delv_neg $Z A nxrrset
delv_neg _tcp.mx1.$Z TLSA nxrrset
delv_neg foo.wild.$Z AAAA nxrrset
delv_neg child.$Z DS nxrrset

# a wrong anchor: the same query must not validate
dv "$T/wrong.conf" $Z SOA
if grep -q 'fully validated' "$T/delv.out"; then
	bad "delv with a wrong DS as anchor still says 'fully validated':"; showdv
else
	ok "delv with a wrong anchor: $(grep -m1 'resolution failed\|validat' "$T/delv.out")"
fi

# dg ARGS...: dig straight at the server, output in $T/dig.out
dg() {
	dig @127.0.0.1 -p "$DP" +norec +tries=1 +time=3 +nocmd +nostats "$@" \
	    > "$T/dig.out" 2>&1
}
showdg() { sed 's/^/    /' "$T/dig.out"; }

# the referral into the unsigned child: NS, glue, a signed NSEC at the cut
# whose bitmap has NS and not DS, no DS
dg +dnssec www.child.$Z A
if ! grep -q 'status: NOERROR' "$T/dig.out" || ! grep -q 'ANSWER: 0,' "$T/dig.out" ||
    grep -q 'flags:[^;]* aa' "$T/dig.out"; then
	bad "referral www.child.$Z A: want NOERROR, no answer, AA clear:"; showdg
elif ! awk '/AUTHORITY SECTION/ { a = 1 } /ADDITIONAL SECTION/ { a = 0 }
    a && $1 == "child.'$Z'." && $4 == "NS" { ns = 1 }
    a && $1 == "child.'$Z'." && $4 == "DS" { ds = 1 }
    a && $1 == "child.'$Z'." && $4 == "NSEC" { nsec = 1; bm = " "
	for (i = 6; i <= NF; i++) bm = bm $i " " }
    a && $1 == "child.'$Z'." && $4 == "RRSIG" && $5 == "NSEC" { sig = 1 }
    END { exit !(ns && nsec && sig && !ds && bm ~ / NS / && bm !~ / DS /) }' \
    "$T/dig.out"; then
	bad "referral www.child.$Z A: want NS, and an NSEC at child.$Z with"\
	    "NS and not DS in its bitmap, with its RRSIG, and no DS:"; showdg
elif ! grep -q "^ns\.child\.$Z\.[[:space:]].*A[[:space:]]*127\.0\.0\.54" "$T/dig.out"; then
	bad "referral www.child.$Z A: no glue for ns.child:"; showdg
else
	ok "referral to the unsigned child: NSEC at the cut proves no DS"
fi

# DO=0: no RRSIG, no NSEC
dg $Z MX
if ! grep -q 'status: NOERROR' "$T/dig.out" || grep -Eq '[[:space:]](RRSIG|NSEC)[[:space:]]' "$T/dig.out"; then
	bad "MX without DO: want NOERROR and no RRSIG:"; showdg
fi
dg nothere.$Z A
if ! grep -q 'status: NXDOMAIN' "$T/dig.out" || grep -Eq '[[:space:]](RRSIG|NSEC)[[:space:]]' "$T/dig.out"; then
	bad "NXDOMAIN without DO: want no RRSIG or NSEC:"; showdg
else
	ok "without DO: no RRSIG, no NSEC"
fi

# ---- 2. Unbound -------------------------------------------------------------
mkdir -p "$T/unbound"
fixture $DATA/unbound.conf "$T/unbound/unbound.conf" DIR="$T/unbound" PORT="$UP" \
    DS="$Z. DS $DS" DNS_PORT="$DP" CHILD_PORT="$CP"
unbound-checkconf "$T/unbound/unbound.conf" > /dev/null || fail "unbound.conf rejected"
bg unbound -d -c "$T/unbound/unbound.conf"
UB_PID=$LASTPID
i=0
until dig @127.0.0.1 -p "$UP" +tries=1 +time=1 . SOA > /dev/null 2>&1; do
	i=$((i + 1)); [ $i -gt 50 ] && { cat "$T/unbound/unbound.log"; fail "unbound did not answer"; }
	sleep 0.2
done

# ub NAME TYPE: dig through Unbound, output in $T/ub.out; $UBST the status,
# $UBAD 1 when AD is set
ub() {
	UBQ="$1 $2"
	dig @127.0.0.1 -p "$UP" +dnssec +tries=1 +time=5 +nocmd +nostats "$1" "$2" \
	    > "$T/ub.out" 2>&1
	UBST=$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' "$T/ub.out")
	UBAD=0
	grep -q '^;; flags:[^;]* ad[ ;]' "$T/ub.out" && UBAD=1
}
# showub: what dig printed, and what unbound.log says about the name
showub() {
	sed 's/^/    /' "$T/ub.out"
	echo "    --- unbound.log on ${UBQ% *}:"
	grep -iF "${UBQ% *}" "$T/unbound/unbound.log" | tail -3 | sed 's/^/    /'
}
# ub_ad NAME TYPE STATUS: that status, with AD
ub_ad() {
	ub "$1" "$2"
	if [ "$UBST" != "$3" ] || [ $UBAD != 1 ]; then
		bad "unbound $1 $2: want $3 with AD, got ${UBST:-no answer} AD=$UBAD:"; showub
		return 1
	fi
	ok "unbound $1 $2: $3, AD"
}

for q in "$Z SOA" "$Z NS" "$Z DNSKEY" "$Z CDS" "$Z CDNSKEY" "$Z TXT" \
    "sel._domainkey.$Z TXT" "_dmarc.$Z TXT" "$Z MX" "smtp.$Z A" "mx1.$Z A" \
    "mx2.$Z A" "mx3.$Z A" "_25._tcp.mx1.$Z TLSA" "foo.wild.$Z TXT" \
    "alias.$Z A"; do
	ub_ad $q NOERROR
done
for q in "nothere.$Z A" "sub.mx1.$Z A"; do
	ub_ad $q NXDOMAIN
done
for q in "mx1.$Z AAAA" "smtp.$Z AAAA" "$Z A" "_tcp.mx1.$Z TLSA" \
    "foo.wild.$Z AAAA" "child.$Z DS"; do
	ub_ad $q NOERROR && ! grep -q 'ANSWER: 0,' "$T/ub.out" &&
	    { bad "unbound $q: want NODATA"; showub; }
done
# the unsigned child: the parent proved there is no DS, so insecure, not bogus
ub www.child.$Z A
if [ "$UBST" != NOERROR ] || [ $UBAD != 0 ] || ! grep -q '127\.0\.0\.99' "$T/ub.out"; then
	bad "unbound www.child.$Z A: want NOERROR 127.0.0.99 without AD (insecure),"\
	    "got ${UBST:-no answer} AD=$UBAD:"; showub
else
	ok "unbound www.child.$Z A: insecure child, answered without AD"
fi

# mx_round: MX and A through Unbound, both NOERROR with AD; $MXS the MX
# targets and $AS the addresses, sorted, space-separated
mx_round() {
	ub $Z MX
	if [ "$UBST" != NOERROR ] || [ $UBAD != 1 ]; then
		bad "unbound $Z MX during the pool change: ${UBST:-no answer} AD=$UBAD:"; showub
		return 1
	fi
	MXS=$(awk '$4 == "MX" { sub(/\..*/, "", $6); print $6 }' "$T/ub.out" | sort | tr '\n' ' ')
	ub smtp.$Z A
	if [ "$UBST" != NOERROR ] || [ $UBAD != 1 ]; then
		bad "unbound smtp.$Z A during the pool change: ${UBST:-no answer} AD=$UBAD:"; showub
		return 1
	fi
	AS=$(awk '$4 == "A" { print $5 }' "$T/ub.out" | sort | tr '\n' ' ')
}
# follow WANT_MX WANT_A WHAT: rounds until the answers are WANT (at most
# 50 rounds, 10 s), then 10 more that must all be WANT; AD on every one
follow() {
	i=0 n=0
	while [ $i -lt 50 ]; do
		mx_round || return 1
		[ "$MXS" = "$1" ] && [ "$AS" = "$2" ] && break
		i=$((i + 1)); sleep 0.2
	done
	[ $i -lt 50 ] || { bad "$3: MX '$MXS' A '$AS', want MX '$1' A '$2' within 10 s"; return 1; }
	while [ $n -lt 10 ]; do
		mx_round || return 1
		if [ "$MXS" != "$1" ] || [ "$AS" != "$2" ]; then
			bad "$3: answer went back to MX '$MXS' A '$AS'"; return 1
		fi
		n=$((n + 1))
	done
	ok "$3: $((i + 11)) rounds of MX and A through Unbound, all AD, no SERVFAIL"
}
ALL_MX="mx1 mx2 mx3 " ALL_A="127.0.0.11 127.0.0.12 127.0.0.13 "
follow "$ALL_MX" "$ALL_A" "all up"
server_down
follow "mx1 mx3 " "127.0.0.11 127.0.0.13 " "mx2 down"
server_up
follow "$ALL_MX" "$ALL_A" "mx2 back"

# ---- 3. dnspython: 10,000 answers, shares --------------------------------
if [ "$PEER" = nsd ]; then
	W=mx1=1,mx2=0,mx3=0	# static MX: mx1 always first
else
	W=mx1=5,mx2=3,mx3=2
fi
if $PY "$MXS_ROOT/tests/integration/dnssec_check.py" --server 127.0.0.1 \
    --port "$DP" --zone $Z. --name $Z. --ds "$DS" --weights $W \
    -n "${DNSSEC_QUERIES:-10000}" --tolerance "${DNSSEC_TOLERANCE:-1.0}"; then
	ok "dnspython: every MX answer validates, first-preference shares within 1 point"
else
	bad "dnssec_check.py (above)"
fi

[ "$PEER" = mxspread ] && { kill -0 "$MXS_PID" 2>/dev/null || bad "mxspread died"; }
stop_pid "$UB_PID"
[ $NBAD = 0 ] || fail "$NBAD checks failed against $PEER (see above)"
exit 0
