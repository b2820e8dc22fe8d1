#!/bin/sh
# dnssec.sh - benchmark of DNSSEC (issue 16): what signing costs mxspread
# per query, against PowerDNS signing LUA answers online, and what it costs
# to load and re-sign a large zone. Prints figures and ratios; asserts
# nothing about timing (a ratio over its target is printed as MISSED).
#
# usage: sh tests/bench/dnssec.sh [BUILD_DIR]
#   BENCH_DURATION  seconds per run (default 10)
#   BENCH_ROUNDS    rounds over all runs (default 3)
#   BENCH_QPS       offered rate per run (dnsperf -Q; default: as fast as
#                   dnsperf goes); see dns_dyn.sh on why a fixed rate
#   BENCH_RECORDS   records (one per name, A or TXT) of the big zone (100000)
#   BENCH_INSTR     0 skips the callgrind instruction counts
#   BENCH_INSTR_QUERIES  queries per callgrind phase (default 20000)
#   BENCH_BIG       0 skips the big-zone part
#
# Method (../shared/BENCH-NOTES.md): every server in the foreground from a
# private temp dir on its own loopback address and port, pinned to CPU 0 with
# one UDP worker; dnsperf pinned to CPU 1, every query with DO=1 (-D).
#   mxs-u   mxspread, the example zone unsigned
#   mxs-s   mxspread, the same template and pool, dnssec = { keys } (a key
#           from mxspread keygen, ECDSA P-256)
#   pdns    PowerDNS Authoritative, bind backend with a DNSSEC database
#           (pdnsutil secure-zone: ECDSA P-256 CSK, NSEC), the rendered zone
#           with the dynamic names as LUA records over ifportup
# The pool (mx1..mx3 = 127.0.0.11-13, weights 3:2:1) is live: a TCP listener
# on each address (dyn_listen.py), probed every 2 s by mxspread's tcp probe
# and by PowerDNS's ifportup. The mixes:
#   static  dns.sh's static mix (A, AAAA, TXT incl. DKIM, NXDOMAIN, NODATA,
#           a static MX) plus SOA and NS at the apex
#   DYNMX   "<origin> MX"                    (3 MX + 3 A, signed: + 4 RRSIG)
#   DYNA    "smtp.<origin> A" and "... AAAA" (3 A; AAAA is a NODATA: the
#           pool is IPv4 only, so signed it carries the NSEC proof)
# Runs alternate (A B C ..., A B C ...). CPU per query = utime+stime of the
# server process (all threads, /proc/PID/stat) over the run / queries
# completed; medians over the rounds, and paired (per-round) ratios.
# Then: callgrind instructions per query, signed and unsigned, per mix; and
# a generated zone of BENCH_RECORDS names: `mxspread check` time, daemon
# start-to-ready time and RSS, unsigned and signed, reload and background
# re-sign times.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-build}
MXSPREAD=$ROOT/$BUILD/mxspread
DURATION=${BENCH_DURATION:-10}
ROUNDS=${BENCH_ROUNDS:-3}
QPS=${BENCH_QPS:-}
RECORDS=${BENCH_RECORDS:-100000}
HZ=$(getconf CLK_TCK)

[ -x "$MXSPREAD" ] || { echo "dnssec.sh: $MXSPREAD not built (make all)"; exit 1; }

# ---- packages. dnsperf and kdig are the measurement itself: without them
# nothing runs. A missing peer or tool package skips its part, said so.
have_pkg() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q 'ok installed'
}
for p in dnsperf knot-dnsutils curl python3; do
	have_pkg $p || { echo "dnssec.sh: package $p missing (sh tests/deps.sh bench installs it, as root)"; exit 1; }
done
PDNS=1
for p in pdns-server pdns-backend-bind; do
	have_pkg $p || PDNS=0
done
[ $PDNS = 1 ] || echo "dnssec.sh: PowerDNS SKIPPED: packages pdns-server and pdns-backend-bind are needed (apt-get install pdns-server pdns-backend-bind, or sh tests/deps.sh bench as root)"
VG=1
have_pkg valgrind || VG=0
[ "${BENCH_INSTR:-1}" != 0 ] || VG=0

D=$(mktemp -d /tmp/mxs-dnssecbench.XXXXXX)
PIDS=""
. "$ROOT/tests/bench/lib.sh"

n_answers() {	# ADDR PORT NAME TYPE: answer records of a DO=1 query
	kdig @"$1" -p "$2" +retry=0 +timeout=1 +norec +dnssec "$3" "$4" 2>/dev/null |
	    sed -n 's/.*ANSWER: \([0-9]*\);.*/\1/p'
}

# json_get URL EXPR: a value of the status document (python expression over
# j), empty when the endpoint or the key is not there
json_get() {
	curl -s --max-time 2 "$1" | python3 -c '
import json, sys
try:
    j = json.load(sys.stdin)
    v = eval(sys.argv[1])
except Exception:
    sys.exit()
print(v if v is not None else "")' "$2" 2>/dev/null
}

Z=mail.example.com
A1=127.0.0.11 A2=127.0.0.12 A3=127.0.0.13

# ---- the live pool: one TCP listener on each server address.
PPROBE=$(free_port $A1 $A2 $A3)
[ -n "$PPROBE" ] || { echo "dnssec.sh: no free probe port"; exit 1; }
taskset -c 1 python3 "$ROOT/tests/bench/dyn_listen.py" $PPROBE $A1 $A2 $A3 \
    > "$D/listen.log" 2>&1 &
PIDS="$PIDS $!"
i=0
until grep -q listening "$D/listen.log" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "dnssec.sh: pool listener failed:"; cat "$D/listen.log"; exit 1; }
	sleep 0.1
done

# ---- mxspread: the example zone with a static MX of the same servers (the
# static mix's MX lines), one template for both instances.
mkdir -p "$D/mxs"
cp "$ROOT"/zones/examples/*.zone "$D/mxs/"
tmpl=$(basename "$(ls "$D"/mxs/*.zone | head -1)")
cat >> "$D/mxs/$tmpl" <<EOF

; dnssec.sh: a static MX for the static mix
mxstatic 30 MX 10 mx1
mxstatic 30 MX 20 mx2
mxstatic 30 MX 30 mx3
EOF

# mxs_conf ADDR PORT STATUS_ADDR:PORT|off TEMPLATE PROBE KEY|- [DNSSEC_EXTRA]
# PROBE: "live" (tcp on the pool listeners) or "none"
mxs_conf() {
	if [ "$3" = off ]; then st="enabled = false;"; else st="listen = \"$3\";"; fi
	if [ "$6" = - ]; then sec=""; else sec=" dnssec = { keys = [ \"$6\" ]; ${7:-}};"; fi
	if [ "$5" = live ]; then
		pr="probe = { type = \"tcp\"; port = $PPROBE; interval = 2; timeout = 1; rise = 2; fall = 2; };"
	else
		pr="probe = { type = \"none\"; };"
	fi
	cat <<EOF
listen = [ "$1:$2" ];
workers = 1;
log_level = "info";
status = { $st };
zones = ( { origin = "$Z."; template = "$4";$sec } );
pools = ( { name = "inbound"; policy = "weighted";
  $pr
  servers = (
    { name = "mx1"; address = [ "$A1" ]; weight = 3; },
    { name = "mx2"; address = [ "$A2" ]; weight = 2; },
    { name = "mx3"; address = [ "$A3" ]; weight = 1; }
  ); } );
EOF
}

# One key for every signed instance (mxspread keygen: BIND key files, the
# .private mode 0600), made with a throw-away config naming the zone.
mxs_conf 127.0.0.1 1 off "$tmpl" none - > "$D/mxs/keygen.conf"
KEY=$("$MXSPREAD" keygen -c "$D/mxs/keygen.conf" -K "$D/mxs" $Z. 2>"$D/keygen.err" | head -1)
KEY=$(basename "${KEY:-}")
[ -f "$D/mxs/$KEY.private" ] || { echo "dnssec.sh: mxspread keygen failed:"; cat "$D/keygen.err"; exit 1; }

A_U=127.0.0.2; P_U=$(free_port $A_U); S_U=127.0.0.22:$(free_port 127.0.0.22)
A_S=127.0.0.3; P_S=$(free_port $A_S); S_S=127.0.0.23:$(free_port 127.0.0.23)
mxs_conf $A_U $P_U $S_U "$tmpl" live - > "$D/mxs/unsigned.conf"
mxs_conf $A_S $P_S $S_S "$tmpl" live "$KEY" > "$D/mxs/signed.conf"
"$MXSPREAD" check -c "$D/mxs/signed.conf" > "$D/check.out" 2>&1 ||
	{ echo "dnssec.sh: the signed config does not check:"; cat "$D/check.out"; exit 1; }
"$MXSPREAD" render -c "$D/mxs/unsigned.conf" > "$D/plain.zone" ||
	{ echo "dnssec.sh: mxspread render failed"; exit 1; }

# ---- query files.
dk=$(awk '/_domainkey/ { print $1; exit }' "$D/mxs/$tmpl")
case $dk in *.) ;; *) dk="$dk.$Z" ;; esac
{
	static_queries "$Z" "mxstatic.$Z" "$dk"
	i=0
	while [ $i -lt 50 ]; do echo "$Z SOA"; echo "$Z NS"; i=$((i + 1)); done
} > "$D/q.static"
echo "$Z MX" > "$D/q.dynmx"
printf '%s\n' "smtp.$Z A" "smtp.$Z AAAA" > "$D/q.dyna"

# ---- servers, each on CPU 0.
start mxsu "$MXSPREAD" -c "$D/mxs/unsigned.conf"
start mxss "$MXSPREAD" -c "$D/mxs/signed.conf"

# PowerDNS: the rendered zone, its apex MX and smtp's A set replaced by LUA
# records. A LUA MX must return MX content: the addresses ifportup finds up
# (all of them, in the listed order) mapped to their host names, preference
# 10, 20, 30. enable-lua-records=shared (BENCH-NOTES: PowerDNS's fastest).
LUA_ADDRS="{'$A1', '$A2', '$A3'}"
LUA_MX=";local up = ifportup($PPROBE, $LUA_ADDRS, {selector='all'}) local host = {['$A1']='mx1', ['$A2']='mx2', ['$A3']='mx3'} local mx = {} for i, a in ipairs(up) do mx[i] = (i * 10) .. ' ' .. host[a] .. '.$Z.' end return mx"
LUA_A="ifportup($PPROBE, $LUA_ADDRS, {selector='all'})"
if [ $PDNS = 1 ]; then
	A_PDNS=127.0.0.8; P_PDNS=$(free_port $A_PDNS)
	mkdir -p "$D/pdns"
	{
		grep -v -e "^$Z\.[[:space:]].*[[:space:]]MX[[:space:]]" -e "^smtp\.$Z\." "$D/plain.zone"
		echo "$Z. 30 IN LUA MX \"$LUA_MX\""
		echo "smtp.$Z. 30 IN LUA A \"$LUA_A\""
	} > "$D/pdns/zone"
	echo "zone \"$Z\" { type master; file \"$D/pdns/zone\"; };" > "$D/pdns/named.conf"
	cat > "$D/pdns/pdns.conf" <<EOF
launch=bind
bind-config=$D/pdns/named.conf
bind-dnssec-db=$D/pdns/dnssec.db
local-address=$A_PDNS
local-port=$P_PDNS
enable-lua-records=shared
lua-health-checks-interval=2
security-poll-suffix=
disable-syslog=yes
loglevel=4
receiver-threads=1
distributor-threads=1
webserver=no
api=no
EOF
	pu="pdnsutil --config-dir=$D/pdns"
	if ! { $pu create-bind-db "$D/pdns/dnssec.db" && $pu secure-zone $Z &&
	    $pu rectify-zone $Z; } > "$D/pdnsutil.log" 2>&1; then
		echo "dnssec.sh: pdnsutil failed:"; tail -20 "$D/pdnsutil.log"; exit 1
	fi
	start pdns pdns_server --config-dir="$D/pdns" --socket-dir="$D/pdns" \
	    --guardian=no --daemon=no
fi

for s in mxsu:$A_U:$P_U mxss:$A_S:$P_S; do
	IFS=: read n a p <<EOF
$s
EOF
	wait_up $a $p $Z || { echo "dnssec.sh: $n did not start:"; tail -20 "$D/$n.log"; exit 1; }
done
if [ $PDNS = 1 ] && ! wait_up $A_PDNS $P_PDNS $Z; then
	echo "dnssec.sh: pdns_server did not start:"; tail -20 "$D/pdns.log"; exit 1
fi

# ---- every monitor sees the three servers up (max 40 s): both mxspreads'
# status, the signed one's DYNA answer signed (3 A + RRSIG: its variants
# are made), PowerDNS answering all three MX and A (its first answers treat
# every address as failing until the checks have run).
i=0
while :; do
	u=$(json_get "http://$S_U/status.json" 'j["pools"][0]["servers_up"]')
	s=$(json_get "http://$S_S/status.json" 'j["pools"][0]["servers_up"]')
	sa=$(n_answers $A_S $P_S smtp.$Z A)
	ok=1
	[ "${u:-0}" -ge 3 ] && [ "${s:-0}" -ge 3 ] && [ "${sa:-0}" -ge 4 ] || ok=0
	if [ $PDNS = 1 ]; then
		pm=$(n_answers $A_PDNS $P_PDNS $Z MX); pa=$(n_answers $A_PDNS $P_PDNS smtp.$Z A)
		[ "${pm:-0}" -ge 4 ] && [ "${pa:-0}" -ge 4 ] || ok=0
	fi
	[ $ok = 1 ] && break
	i=$((i + 1))
	if [ $i -ge 40 ]; then
		echo "dnssec.sh: pool not up everywhere after 40 s (unsigned $u, signed $s up, signed DYNA ${sa:-0} records; PowerDNS MX ${pm:--} A ${pa:--} records)"
		exit 1
	fi
	sleep 1
done

answer_shape() {	# ADDR PORT NAME TYPE: "N answer, N authority, N additional records, N bytes"
	kdig @"$1" -p "$2" +retry=0 +timeout=1 +norec +dnssec "$3" "$4" 2>/dev/null | awk '
		/ANSWER:/ { a = $0; sub(/.*ANSWER: /, "", a); sub(/;.*/, "", a)
		    n = $0; sub(/.*AUTHORITY: /, "", n); sub(/;.*/, "", n)
		    x = $0; sub(/.*ADDITIONAL: /, "", x) }
		/Received/ { b = $3 }
		END { printf "%s an, %s ns, %s ad, %s B", a, n, x, b }'
}
echo "DNSSEC benchmark: pool up (mxspread unsigned $u, signed $s servers up)"
echo "DO=1 answers (answer/authority/additional records incl. RRSIG/NSEC/OPT, size):"
for q in "$Z MX" "smtp.$Z A" "smtp.$Z AAAA" "nx1.$Z A"; do
	printf '  %-26s unsigned %-28s signed %s\n' "$q" "$(answer_shape $A_U $P_U $q)" "$(answer_shape $A_S $P_S $q)"
	[ $PDNS = 1 ] && printf '  %-26s PowerDNS %s\n' "" "$(answer_shape $A_PDNS $P_PDNS $q)"
done
if [ $PDNS = 1 ]; then
	echo "PowerDNS shape: the same rendered zone, signed by pdnsutil secure-zone (ECDSA P-256 CSK, NSEC),"
	echo "  enable-lua-records=shared, ifportup($PPROBE) health checks every 2 s; dynamic names as:"
	echo "    $Z. 30 IN LUA MX \"$LUA_MX\""
	echo "    smtp.$Z. 30 IN LUA A \"$LUA_A\""
	echo "  (every up server, preferences 10/20/30 in list order; mxspread: every up server, weighted preferences)"
fi

cpu_ticks() {	# PID: "utime stime" (fields 14, 15) of the process, all threads
	sed 's/.*) //' /proc/$1/stat 2>/dev/null | awk '{ print $12, $13 }'
}

# run LABEL ADDR PORT PID QUERYFILE: one DO=1 dnsperf run; appends
# "LABEL CPU LOST QPS ROUND USR" to $D/results
run() {
	t0=$(cpu_ticks $4)
	taskset -c 1 dnsperf -D -s $2 -p $3 -d "$5" -l $DURATION -c 4 -q 200 \
	    -t 2 ${QPS:+-Q $QPS} > "$D/dnsperf.out" 2>&1
	t1=$(cpu_ticks $4)
	set -- $1 ${t0:-0 0} ${t1:-0 0}
	awk -v name=$1 -v round=$r -v ticks=$(($4 + $5 - $2 - $3)) \
	    -v uticks=$(($4 - $2)) -v hz=$HZ '
		/Queries completed:/ { done = $3 }
		/Queries lost:/ { lost = $3 }
		/Queries per second:/ { qps = $4 }
		/Average Latency/ { avg = $4 }
		/Response codes:/ { rc = $0; sub(/.*codes: */, "", rc) }
		END {
			cpu = done > 0 ? ticks / hz * 1e6 / done : 0
			usr = done > 0 ? uticks / hz * 1e6 / done : 0
			printf "%-12s %9.0f %6d %8.1f %8.2f %6.2f  %s\n", name, qps,
			    lost, avg * 1e6, cpu, usr, rc
			printf "%s %f %d %f %d %f\n", name, cpu, lost, qps, round,
			    usr >> "'"$D/results"'"
		}' "$D/dnsperf.out"
}

# ---- warm-up (not measured): PowerDNS signs LUA answers on the query path
# and keeps them in its signature cache; every server gets each mix first.
for q in static dynmx dyna; do
	taskset -c 1 dnsperf -D -s $A_U -p $P_U -d "$D/q.$q" -l 1 -c 4 -q 200 > /dev/null 2>&1
	taskset -c 1 dnsperf -D -s $A_S -p $P_S -d "$D/q.$q" -l 1 -c 4 -q 200 > /dev/null 2>&1
	[ $PDNS = 1 ] && taskset -c 1 dnsperf -D -s $A_PDNS -p $P_PDNS -d "$D/q.$q" -l 3 -c 4 -q 200 > /dev/null 2>&1
done
[ $PDNS = 1 ] && echo "warm-up: 3 s of each mix to PowerDNS (its signature cache holds the LUA answers' RRSIGs), 1 s to each mxspread"

RUNS="static dynmx dyna"
echo
echo "CPU per DO=1 query: $ROUNDS rounds x $DURATION s per run, server on CPU 0, dnsperf -D on CPU 1, offered rate ${QPS:-max}"
printf "%-12s %9s %6s %8s %8s %6s  %s\n" run QPS lost "avg us" "CPU us/q" usr rcodes
: > "$D/results"
PID_pdns=${PID_pdns:-}
r=1
while [ $r -le $ROUNDS ]; do
	for q in $RUNS; do
		run u-$q $A_U $P_U $PID_mxsu "$D/q.$q"
		run s-$q $A_S $P_S $PID_mxss "$D/q.$q"
		[ $PDNS = 1 ] && run pdns-$q $A_PDNS $P_PDNS $PID_pdns "$D/q.$q"
	done
	r=$((r + 1))
done
echo "after the runs: mxspread signed DYNA $(n_answers $A_S $P_S smtp.$Z A) records$([ $PDNS = 1 ] && echo ", PowerDNS DYNA $(n_answers $A_PDNS $P_PDNS smtp.$Z A) records") (3 A + RRSIG: pool up)"
if [ $PDNS = 1 ] && command -v pdns_control > /dev/null 2>&1; then
	pc="pdns_control --config-dir=$D/pdns --socket-dir=$D/pdns"
	echo "PowerDNS counters: $($pc show signatures 2>/dev/null) signatures made, signature cache $($pc show signature-cache-size 2>/dev/null) entries, packet cache $($pc show packetcache-hit 2>/dev/null) hits / $($pc show packetcache-miss 2>/dev/null) misses"
fi

echo
echo "medians over $ROUNDS rounds (CPU = user+system us per query, usr = user only;"
echo "paired = median of the per-round ratios):"
awk -v order="u-static s-static pdns-static u-dynmx s-dynmx pdns-dynmx u-dyna s-dyna pdns-dyna" \
    -v title="ratios of CPU per DO=1 query (medians; paired per round):" \
    -v ratios="mxspread signed/unsigned, static mix|s-static|u-static|1.10;\
mxspread signed/unsigned, DYNMX|s-dynmx|u-dynmx|1.15;\
mxspread signed/unsigned, DYNA|s-dyna|u-dyna|1.15;\
mxspread/PowerDNS, signed DYNMX (LUA MX)|s-dynmx|pdns-dynmx|0;\
mxspread/PowerDNS, signed DYNA (LUA A)|s-dyna|pdns-dyna|0;\
mxspread/PowerDNS, signed static mix|s-static|pdns-static|0" \
    -v usr_title="user-space CPU added by signing (usr medians):" \
    -v usr="static|s-static|u-static;DYNMX|s-dynmx|u-dynmx;DYNA|s-dyna|u-dyna" \
    -f "$ROOT/tests/bench/medians.awk" "$D/results"

# ---- user-space instructions per query (callgrind): exact and free of the
# machine's noise, as in dns_dyn.sh. Both mxspreads under valgrind (same
# template, pool and key, their own ports); counters zeroed before and
# dumped after each phase of N DO=1 queries.
kill $PID_mxsu $PID_mxss ${PID_pdns:-} 2>/dev/null
if [ "${BENCH_INSTR:-1}" = 0 ]; then
	:
elif [ $VG = 0 ]; then
	echo
	echo "callgrind SKIPPED: package valgrind missing (apt-get install valgrind, or sh tests/deps.sh bench as root)"
else
	N=${BENCH_INSTR_QUERIES:-20000}
	mkdir -p "$D/cg"
	P_VU=$(free_port $A_U); V_SU=127.0.0.22:$(free_port 127.0.0.22)
	P_VS=$(free_port $A_S); V_SS=127.0.0.23:$(free_port 127.0.0.23)
	mxs_conf $A_U $P_VU $V_SU "$tmpl" live - > "$D/mxs/vg-u.conf"
	mxs_conf $A_S $P_VS $V_SS "$tmpl" live "$KEY" > "$D/mxs/vg-s.conf"
	for v in u s; do
		taskset -c 0 valgrind --tool=callgrind --callgrind-out-file="$D/cg/$v.out" \
		    "$MXSPREAD" -c "$D/mxs/vg-$v.conf" > "$D/valgrind-$v.log" 2>&1 &
		eval "PID_vg$v=$!"
		PIDS="$PIDS $!"
	done
	vg_ok=1
	for s in u:$A_U:$P_VU:$V_SU s:$A_S:$P_VS:$V_SS; do
		IFS=: read v a p sa sp <<EOF
$s
EOF
		if ! wait_up $a $p $Z; then
			echo "dnssec.sh: mxspread ($v) under valgrind did not start:"; tail -5 "$D/valgrind-$v.log"
			vg_ok=0; continue
		fi
		i=0
		until [ "$(json_get "http://$sa:$sp/status.json" 'j["pools"][0]["servers_up"]')" = 3 ] &&
		    [ "$(n_answers $a $p smtp.$Z A)" -ge 3 ] 2>/dev/null; do
			i=$((i + 1))
			[ $i -lt 60 ] || { echo "dnssec.sh: pool not up under valgrind ($v)"; vg_ok=0; break; }
			sleep 1
		done
	done
	if [ $vg_ok = 1 ]; then
		for q in static dynmx dyna; do
			lines=$(wc -l < "$D/q.$q")
			for s in u:$A_U:$P_VU s:$A_S:$P_VS; do
				IFS=: read v a p <<EOF
$s
EOF
				eval "pid=\$PID_vg$v"
				callgrind_control -z $pid > /dev/null 2>&1
				taskset -c 1 dnsperf -D -s $a -p $p -d "$D/q.$q" \
				    -n $(((N + lines - 1) / lines)) -c 1 -q 20 \
				    -t 5 > "$D/dnsperf.vg" 2>&1
				callgrind_control -d $v-$q $pid > /dev/null 2>&1
				j=0
				f=""
				while [ -z "$f" ] && [ $j -lt 50 ]; do
					sleep 0.1; j=$((j + 1))
					f=$(grep -l "^desc: Trigger: dump $v-$q\$" "$D"/cg/$v.out.* 2>/dev/null | tail -1)
				done
				done_q=$(awk '/Queries completed:/ { print $3 }' "$D/dnsperf.vg")
				ir=$(awk '/^summary:/ { print $2 }' "$f" 2>/dev/null)
				echo "$q $v ${ir:-0} ${done_q:-0}"
			done
		done > "$D/instr"
		echo
		echo "user-space instructions per DO=1 query (callgrind, whole process, ~$N queries per phase):"
		awk '
			{ ir[$1, $2] = $4 > 0 ? $3 / $4 : 0; nq[$1, $2] = $4 }
			END {
				split("static dynmx dyna", q, " ")
				for (i = 1; i <= 3; i++) {
					u = ir[q[i], "u"]; s = ir[q[i], "s"]
					printf "  %-7s unsigned %7.0f Ir/q  signed %7.0f Ir/q  (%+6.0f, %.2fx; %d and %d queries)\n",
					    q[i], u, s, s - u, (u > 0 ? s / u : 0), nq[q[i], "u"], nq[q[i], "s"]
				}
			}' "$D/instr"
	fi
	kill $PID_vgu $PID_vgs 2>/dev/null
fi

# ---- a big zone: BENCH_RECORDS names, one A or TXT record each, the apex,
# a DYNMX and a DYNA (no probe: every server up). `mxspread check` loads and
# signs everything; the daemon's start-to-ready time is measured to its
# "ready" log line, the RSS after it. Signed: a SIGHUP reload (the log's
# "reloading" to "reloaded", a whole new world signed) with dnssec.validity
# 3600 s and refresh 3590 s, so that the background re-signing (zones/sign.h,
# due refresh seconds before expiry) starts within seconds: its time is the
# log's "re-signed ... in N ms"; status.json's zones[].dnssec.sign_ms too
# where this build has it.
[ "${BENCH_BIG:-1}" != 0 ] || exit 0
mkdir -p "$D/big"
cp "$D/mxs/$KEY.key" "$D/mxs/$KEY.private" "$D/big/"
{
	echo "\$ORIGIN $Z."
	echo "\$TTL 3600"
	echo "@ SOA ns1 hostmaster 1 3600 600 86400 60"
	echo "@ NS ns1"
	echo "ns1 A 192.0.2.53"
	echo "@ 30 DYNMX inbound"
	echo "smtp 30 DYNA inbound"
	awk -v n=$RECORDS 'BEGIN {
		for (i = 0; i < n; i++)
			if (i % 2 == 0)
				printf "h%d A 10.%d.%d.%d\n", i, int(i / 65536) % 256, int(i / 256) % 256, i % 256
			else
				printf "h%d TXT \"record %d of the big zone\"\n", i, i
	}'
} > "$D/big/big.zone"

logsec() {	# PATTERN LOGFILE: seconds-of-day of the last log line matching
	grep -- "$1" "$2" | tail -1 | awk '{ split($2, t, ":"); printf "%.3f\n", t[1] * 3600 + t[2] * 60 + t[3] }'
}
# wait_log PATTERN LOGFILE COUNT SECONDS: until COUNT lines match
wait_log() {
	i=0
	while [ "$(grep -c -- "$1" "$2" 2>/dev/null)" -lt "$3" ]; do
		i=$((i + 1))
		[ $i -lt $(($4 * 20)) ] || return 1
		sleep 0.05
	done
}
kb() {	# FIELD PID: a /proc/PID/status size in MiB
	awk '/^'"$1"':/ { printf "%d", $2 / 1024 }' /proc/$2/status 2>/dev/null
}

echo
echo "a $RECORDS-record zone ($RECORDS names, A or TXT each, plus apex, DYNMX, DYNA), the daemon on CPU 0:"
for v in u s; do
	A_B=127.0.0.7; P_B=$(free_port $A_B); S_B=127.0.0.27:$(free_port 127.0.0.27)
	if [ $v = u ]; then
		mxs_conf $A_B $P_B $S_B big.zone none - > "$D/big/$v.conf"; label=unsigned
	else
		mxs_conf $A_B $P_B $S_B big.zone none "$KEY" > "$D/big/$v.conf"; label=signed
	fi
	t0=$(date +%s.%N)
	taskset -c 0 "$MXSPREAD" check -c "$D/big/$v.conf" > "$D/big/check-$v.out" 2>&1 ||
		{ echo "dnssec.sh: check of the big zone failed:"; cat "$D/big/check-$v.out"; exit 1; }
	t1=$(date +%s.%N)
	tcheck=$(awk -v a=$t0 -v b=$t1 'BEGIN { printf "%.2f", b - a }')
	t0=$(date +%s.%N)
	start big$v "$MXSPREAD" -c "$D/big/$v.conf"
	eval "pid=\$PID_big$v"
	if ! wait_log "ready:" "$D/big$v.log" 1 180; then
		echo "dnssec.sh: the $label big zone did not load:"; tail -5 "$D/big$v.log"; exit 1
	fi
	t1=$(date +%s.%N)
	tready=$(awk -v a=$t0 -v b=$t1 'BEGIN { printf "%.2f", b - a }')
	probe=$(kdig @$A_B -p $P_B +retry=0 +timeout=2 +dnssec h$((RECORDS - 1)).$Z TXT 2>/dev/null |
	    sed -n 's/.*ANSWER: \([0-9]*\);.*/\1/p')
	rss=$(kb VmRSS $pid); hwm=$(kb VmHWM $pid)
	sms=$(json_get "http://$S_B/status.json" 'j["zones"][0]["dnssec"]["sign_ms"]')
	printf '  %-8s check %6.2f s, start to ready %6.2f s, RSS %4d MiB (peak %d MiB)%s, last name answers %s record(s)\n' \
	    $label $tcheck $tready ${rss:-0} ${hwm:-0} "${sms:+, sign_ms $sms}" "${probe:-0}"
	if [ $v = s ]; then
		# validity 3600 s, refresh 3590 s: due 10 s after this reload's signing began
		mxs_conf $A_B $P_B $S_B big.zone none "$KEY" "validity = 3600; refresh = 3590; " > "$D/big/$v.conf"
	fi
	kill -HUP $pid
	if wait_log "reloaded" "$D/big$v.log" 1 180; then
		a=$(logsec "reloading" "$D/big$v.log"); b=$(logsec "reloaded" "$D/big$v.log")
		trel=$(awk -v a=$a -v b=$b 'BEGIN { d = b - a; if (d < 0) d += 86400; printf "%.2f", d }')
		sms=$(json_get "http://$S_B/status.json" 'j["zones"][0]["dnssec"]["sign_ms"]')
		printf '  %-8s reload (SIGHUP to "reloaded") %6.2f s, RSS %4d MiB (peak %d MiB)%s\n' \
		    $label $trel "$(kb VmRSS $pid)" "$(kb VmHWM $pid)" "${sms:+, sign_ms $sms}"
	else
		echo "  $label: no \"reloaded\" in the log after 180 s:"; tail -3 "$D/big$v.log"
	fi
	if [ $v = s ]; then
		if wait_log "re-signed" "$D/big$v.log" 1 120; then
			ms=$(grep "re-signed" "$D/big$v.log" | tail -1 | sed -n 's/.* in \([0-9]*\) ms.*/\1/p')
			sms=$(json_get "http://$S_B/status.json" 'j["zones"][0]["dnssec"]["sign_ms"]')
			printf '  %-8s background re-sign %6.2f s (log: "re-signed ... in %s ms"), RSS %4d MiB (peak %d MiB)%s\n' \
			    $label "$(awk -v m=${ms:-0} 'BEGIN { printf "%.2f", m / 1000 }')" "${ms:-?}" \
			    "$(kb VmRSS $pid)" "$(kb VmHWM $pid)" "${sms:+, sign_ms $sms}"
		else
			echo "  signed: no background re-sign within 120 s:"; tail -3 "$D/big$v.log"
		fi
		[ -n "$sms" ] || echo "  (status.json has no zones[].dnssec.sign_ms in this build)"
	fi
	kill $pid 2>/dev/null
	i=0
	while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
done

# Nothing of ours (or a package's service) may be left on port 53 or 25.
if command -v ss >/dev/null 2>&1; then
	left=$(ss -Hlntu 2>/dev/null | awk '$5 ~ /:(53|25)$/')
	[ -z "$left" ] || { echo "dnssec.sh: WARNING: listening on port 53/25:"; echo "$left"; }
fi
exit 0
