#!/bin/sh
# dns_dyn.sh - benchmark of dynamic answers: mxspread's DYNMX and DYNA beside
# its static answers, gdnsd's DYNA (plugin_weighted, tcp_connect monitoring)
# and PowerDNS LUA records (ifportup), one pool of live servers. Prints
# figures and ratios; asserts nothing about timing. Called by dns.sh (the
# same run as the static comparison) or alone.
#
# usage: sh tests/bench/dns_dyn.sh [BUILD_DIR]
#   BENCH_DURATION  seconds per run (default 10)
#   BENCH_ROUNDS    rounds over all runs (default 3)
#   BENCH_QPS       offered rate per run (dnsperf -Q; default: as fast as
#                   dnsperf goes). The server's CPU per query depends on the
#                   rate (fewer queries per recvmmsg wakeup at a lower rate),
#                   and on a shared machine dnsperf's rate varies run to run:
#                   a fixed rate below every server's capacity (but PowerDNS
#                   LUA's) compares them at the same load.
#   BENCH_INSTR     0 skips the callgrind instruction counts at the end
#   BENCH_INSTR_QUERIES  queries per callgrind phase (default 20000)
#
# Method (../shared/BENCH-NOTES.md): every server in the foreground from a
# private temp dir on its own loopback address and port, pinned to CPU 0 with
# one UDP worker; dnsperf pinned to CPU 1. The pool (mx1..mx3 = 127.0.0.11-13,
# weights 3:2:1) is live: a TCP listener on each address at the probe port for
# the whole run, probed every 2 s by each server (mxspread `tcp` probe, gdnsd
# `tcp_connect`, PowerDNS `ifportup`). Runs alternate (A B C ..., A B C ...),
# each its own query file:
#   static   the static mix of dns.sh (A, AAAA, TXT incl. DKIM, NXDOMAIN,
#            NODATA) with the apex DYNMX replaced by a static MX of the same
#            three servers (mxstatic)
#   DYNMX    only "<origin> MX"          (mxspread; dynamic MX + additional A)
#   DYNA     only "smtp.<origin> A"      (every server: its dynamic record)
#   sMX, sA  like-for-like static answers: mxstatic MX (3 MX + 3 A) and
#            astatic A (3 A), same shapes as DYNMX and DYNA
# CPU per query = utime+stime of the server process (all threads, from
# /proc/PID/stat) over the run / queries completed. Medians over the rounds.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-build}
MXSPREAD=$ROOT/$BUILD/mxspread
DURATION=${BENCH_DURATION:-10}
ROUNDS=${BENCH_ROUNDS:-3}
QPS=${BENCH_QPS:-}
HZ=$(getconf CLK_TCK)

[ -x "$MXSPREAD" ] || { echo "dns_dyn.sh: $MXSPREAD not built (make all)"; exit 1; }
sh "$ROOT/tests/deps.sh" bench || exit 1

D=$(mktemp -d /tmp/mxs-dynbench.XXXXXX)
PIDS=""
. "$ROOT/tests/bench/lib.sh"

n_answers() {	# ADDR PORT NAME TYPE: number of answer records
	kdig @"$1" -p "$2" +retry=0 +timeout=1 +norec "$3" "$4" 2>/dev/null |
	    sed -n 's/.*ANSWER: \([0-9]*\);.*/\1/p'
}

Z=mail.example.com
A1=127.0.0.11 A2=127.0.0.12 A3=127.0.0.13

# ---- the live pool: one TCP listener on each server address.
PPROBE=$(free_port $A1 $A2 $A3)
[ -n "$PPROBE" ] || { echo "dns_dyn.sh: no free probe port"; exit 1; }
taskset -c 1 python3 "$ROOT/tests/bench/dyn_listen.py" $PPROBE $A1 $A2 $A3 \
    > "$D/listen.log" 2>&1 &
PID_listen=$!
PIDS="$PIDS $PID_listen"
i=0
until grep -q listening "$D/listen.log" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] && kill -0 $PID_listen 2>/dev/null ||
	    { echo "dns_dyn.sh: pool listener failed:"; cat "$D/listen.log"; exit 1; }
	sleep 0.1
done

# ---- mxspread: the example zone plus like-for-like static records, the
# example's pool (IPv4 only: every monitor connects only to loopback) with a
# tcp probe every 2 s.
mkdir -p "$D/mxs"
cp "$ROOT"/zones/examples/*.zone "$D/mxs/"
tmpl=$(basename "$(ls "$D"/mxs/*.zone | head -1)")
cat >> "$D/mxs/$tmpl" <<EOF

; dns_dyn.sh: static answers of the same shapes as DYNMX and DYNA
mxstatic 30 MX 10 mx1
mxstatic 30 MX 20 mx2
mxstatic 30 MX 30 mx3
astatic  30 A  $A1
astatic  30 A  $A2
astatic  30 A  $A3
EOF
A_MXS=127.0.0.2; P_MXS=$(free_port $A_MXS); P_STATUS=$P_MXS
i=0
while [ "$P_STATUS" = "$P_MXS" ] && [ $i -lt 10 ]; do
	P_STATUS=$(free_port $A_MXS); i=$((i + 1))
done
cat > "$D/mxs/mxspread.conf" <<EOF
listen = [ "$A_MXS:$P_MXS" ];
workers = 1;
log_level = "warning";
status = { listen = "$A_MXS:$P_STATUS"; };
zones = ( { origin = "$Z."; template = "$tmpl"; } );
pools = ( { name = "inbound"; policy = "weighted";
  probe = { type = "tcp"; port = $PPROBE; interval = 2; timeout = 1; rise = 2; fall = 2; };
  servers = (
    { name = "mx1"; address = [ "$A1" ]; weight = 3; },
    { name = "mx2"; address = [ "$A2" ]; weight = 2; },
    { name = "mx3"; address = [ "$A3" ]; weight = 1; }
  ); } );
EOF
"$MXSPREAD" render -c "$D/mxs/mxspread.conf" > "$D/plain.zone" ||
	{ echo "dns_dyn.sh: mxspread render failed"; exit 1; }
# The peers: the rendered zone with smtp's A set replaced by their dynamic
# record (the apex MX stays static: gdnsd cannot make MX dynamic).
grep -v "^smtp\.$Z\." "$D/plain.zone" > "$D/peer.zone"

# ---- query files.
dk=$(awk '/_domainkey/ { print $1; exit }' "$D/mxs/$tmpl")
case $dk in *.) ;; *) dk="$dk.$Z" ;; esac
static_queries "$Z" "mxstatic.$Z" "$dk" > "$D/q.static"
echo "$Z MX" > "$D/q.dynmx"
echo "smtp.$Z A" > "$D/q.dyna"
echo "mxstatic.$Z MX" > "$D/q.smx"
echo "astatic.$Z A" > "$D/q.sa"

# ---- servers, each on CPU 0.

start mxspread "$MXSPREAD" -c "$D/mxs/mxspread.conf"

A_GDNSD=127.0.0.3; P_GDNSD=$(free_port $A_GDNSD)
mkdir -p "$D/gdnsd/zones" "$D/gdnsd/run" "$D/gdnsd/state"
{ cat "$D/peer.zone"; echo "smtp.$Z. 30 DYNA weighted!inbound"; } > "$D/gdnsd/zones/$Z"
# Anti-flap thresholds like mxspread's rise/fall 2 (the defaults take 41 s
# to bring a server up); 2 s is gdnsd 3.8's shortest interval. multi: up to
# every up server in one answer, like mxspread's DYNA.
cat > "$D/gdnsd/config" <<EOF
options => {
  listen => [ $A_GDNSD ]
  dns_port => $P_GDNSD
  udp_threads => 1
  tcp_threads => 1
  run_dir => $D/gdnsd/run
  state_dir => $D/gdnsd/state
}
service_types => {
  smtpconn => { plugin => tcp_connect, port => $PPROBE, interval => 2, timeout => 1,
                up_thresh => 2, ok_thresh => 2, down_thresh => 2 }
}
plugins => {
  weighted => {
    service_types => smtpconn
    multi => true
    inbound => {
      mx1 => [ $A1, 3 ]
      mx2 => [ $A2, 2 ]
      mx3 => [ $A3, 1 ]
    }
  }
}
EOF
start gdnsd gdnsd -c "$D/gdnsd" start

A_PDNS=127.0.0.8; P_PDNS=$(free_port $A_PDNS)
mkdir -p "$D/pdns"
{
	cat "$D/peer.zone"
	echo "smtp.$Z. 30 IN LUA A \"ifportup($PPROBE, {'$A1','$A2','$A3'}, {selector='all'})\""
} > "$D/pdns/zone"
echo "zone \"$Z\" { type master; file \"$D/pdns/zone\"; };" > "$D/pdns/named.conf"
cat > "$D/pdns/pdns.conf" <<EOF
launch=bind
bind-config=$D/pdns/named.conf
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
start pdns pdns_server --config-dir="$D/pdns" --socket-dir="$D/pdns" \
    --guardian=no --daemon=no

for s in mxspread:$A_MXS:$P_MXS gdnsd:$A_GDNSD:$P_GDNSD pdns:$A_PDNS:$P_PDNS; do
	IFS=: read n a p <<EOF
$s
EOF
	if ! wait_up $a $p $Z; then
		echo "dns_dyn.sh: $n did not start:"; tail -20 "$D/$n.log"; exit 1
	fi
done

# ---- every monitor sees the three servers up (max 30 s): mxspread's status
# endpoint, gdnsdctl states, PowerDNS answering all three (its first answer
# treats every address as failing until the checks have run).
i=0
while :; do
	m=$(curl -s --max-time 2 "http://$A_MXS:$P_STATUS/status.json" | python3 -c '
import json, sys
try:
    j = json.load(sys.stdin)
except Exception:
    print(0); sys.exit()
def walk(o):
    n = 0
    if isinstance(o, dict):
        if o.get("up") is True and "name" in o:
            n += 1
        for v in o.values():
            n += walk(v)
    elif isinstance(o, list):
        for v in o:
            n += walk(v)
    return n
print(walk(j))' 2>/dev/null)
	g=$(gdnsdctl -c "$D/gdnsd" states 2>/dev/null | grep -c '"state": "UP"')
	p=$(n_answers $A_PDNS $P_PDNS smtp.$Z A)
	[ "${m:-0}" -ge 3 ] && [ "${g:-0}" -ge 3 ] && [ "${p:-0}" -ge 3 ] && break
	i=$((i + 1))
	if [ $i -ge 30 ]; then
		echo "dns_dyn.sh: pool not up everywhere after 30 s (mxspread $m, gdnsd $g, pdns $p answers)"
		exit 1
	fi
	sleep 1
done
echo "pool up: mxspread $m servers up, gdnsd $g up, PowerDNS $p addresses in its answer"
echo "answers: mxspread DYNMX $(n_answers $A_MXS $P_MXS $Z MX) MX, DYNA $(n_answers $A_MXS $P_MXS smtp.$Z A) A; gdnsd DYNA $(n_answers $A_GDNSD $P_GDNSD smtp.$Z A) A (multi: 1-3)"

cpu_ticks() {	# PID: "utime stime" (fields 14, 15) of the process, all threads
	sed 's/.*) //' /proc/$1/stat 2>/dev/null | awk '{ print $12, $13 }'
}

# run LABEL ADDR PORT PID QUERYFILE: one dnsperf run; appends to $D/results
run() {
	t0=$(cpu_ticks $4)
	taskset -c 1 dnsperf -s $2 -p $3 -d "$5" -l $DURATION -c 4 -q 200 \
	    -t 2 ${QPS:+-Q $QPS} > "$D/dnsperf.out" 2>&1
	t1=$(cpu_ticks $4)
	set -- $1 ${t0:-0 0} ${t1:-0 0}
	awk -v name=$1 -v round=$r -v ticks=$(($4 + $5 - $2 - $3)) \
	    -v uticks=$(($4 - $2)) -v hz=$HZ '
		/Queries completed:/ { done = $3 }
		/Queries lost:/ { lost = $3 }
		/Queries per second:/ { qps = $4 }
		/Average Latency/ { avg = $4; max = $8; sub(/\)/, "", max) }
		/Response codes:/ { rc = $0; sub(/.*codes: */, "", rc) }
		END {
			cpu = done > 0 ? ticks / hz * 1e6 / done : 0
			usr = done > 0 ? uticks / hz * 1e6 / done : 0
			printf "%-14s %9.0f %6d %8.1f %9.1f %8.2f %6.2f  %s\n", name, qps,
			    lost, avg * 1e6, max * 1e6, cpu, usr, rc
			printf "%s %f %d %f %d %f\n", name, cpu, lost, qps, round,
			    usr >> "'"$D/results"'"
		}' "$D/dnsperf.out"
}

ALL="mxs-static gdnsd-static pdns-static mxs-DYNMX mxs-DYNA gdnsd-DYNA pdns-LUA mxs-sMX mxs-sA gdnsd-sA"
echo
echo "dynamic answers: $ROUNDS rounds x $DURATION s per run, server on CPU 0, dnsperf on CPU 1, offered rate ${QPS:-max}"
printf "%-14s %9s %6s %8s %9s %8s %6s  %s\n" run QPS lost "avg us" "max us" \
    "CPU us/q" "usr" "rcodes"
: > "$D/results"
r=1
while [ $r -le $ROUNDS ]; do
	run mxs-static   $A_MXS $P_MXS $PID_mxspread "$D/q.static"
	run gdnsd-static $A_GDNSD $P_GDNSD $PID_gdnsd "$D/q.static"
	run pdns-static  $A_PDNS $P_PDNS $PID_pdns "$D/q.static"
	run mxs-DYNMX    $A_MXS $P_MXS $PID_mxspread "$D/q.dynmx"
	run mxs-DYNA     $A_MXS $P_MXS $PID_mxspread "$D/q.dyna"
	run gdnsd-DYNA   $A_GDNSD $P_GDNSD $PID_gdnsd "$D/q.dyna"
	run pdns-LUA     $A_PDNS $P_PDNS $PID_pdns "$D/q.dyna"
	run mxs-sMX      $A_MXS $P_MXS $PID_mxspread "$D/q.smx"
	run mxs-sA       $A_MXS $P_MXS $PID_mxspread "$D/q.sa"
	run gdnsd-sA     $A_GDNSD $P_GDNSD $PID_gdnsd "$D/q.sa"
	r=$((r + 1))
done

# The monitors still saw the pool up at the end (a dynamic answer from a
# pool marked down would measure a different path).
echo "after the runs: mxspread DYNA $(n_answers $A_MXS $P_MXS smtp.$Z A) A, gdnsd $(gdnsdctl -c "$D/gdnsd" states 2>/dev/null | grep -c '"state": "UP"') up, PowerDNS $(n_answers $A_PDNS $P_PDNS smtp.$Z A) A"

echo
echo "medians over $ROUNDS rounds (CPU = user+system us per query, usr = user only;"
echo "lost = all rounds; paired = median of the per-round ratios, runs minutes apart"
echo "on a shared machine drift less within one round):"
awk -v order="$ALL" \
    -v title="ratios of CPU per query (medians; paired per round):" \
    -v ratios="mxspread DYNMX / static mix|mxs-DYNMX|mxs-static|1.15;\
mxspread DYNA / static mix|mxs-DYNA|mxs-static|1.15;\
mxspread DYNMX / gdnsd DYNA|mxs-DYNMX|gdnsd-DYNA|1.0;\
mxspread DYNA / gdnsd DYNA|mxs-DYNA|gdnsd-DYNA|1.0;\
PowerDNS LUA / mxspread DYNA|pdns-LUA|mxs-DYNA|0;\
PowerDNS LUA / gdnsd DYNA|pdns-LUA|gdnsd-DYNA|0;\
like for like (same answer shape):;\
mxspread DYNMX / static MX|mxs-DYNMX|mxs-sMX|0;\
mxspread DYNA / static A|mxs-DYNA|mxs-sA|0;\
gdnsd DYNA / gdnsd static A|gdnsd-DYNA|gdnsd-sA|0;\
gdnsd DYNA / gdnsd static mix|gdnsd-DYNA|gdnsd-static|0;\
PowerDNS LUA / PowerDNS static mix|pdns-LUA|pdns-static|0;\
mxspread static mix / gdnsd static|mxs-static|gdnsd-static|0" \
    -v usr_title="user-space CPU added by the dynamic path (usr medians):" \
    -v usr="DYNMX over static MX|mxs-DYNMX|mxs-sMX;DYNA over static A|mxs-DYNA|mxs-sA" \
    -f "$ROOT/tests/bench/medians.awk" "$D/results"

# ---- user-space instructions per query (callgrind): exact and free of the
# shared machine's noise, the work mxspread's own code adds for a dynamic
# answer. One mxspread under valgrind (same zone and pool, its own port);
# counters zeroed before and dumped after each phase of N queries.
# BENCH_INSTR=0 skips.
[ "${BENCH_INSTR:-1}" != 0 ] || exit 0
command -v valgrind >/dev/null 2>&1 && command -v callgrind_control >/dev/null 2>&1 ||
	{ echo "dns_dyn.sh: valgrind missing (sh tests/deps.sh bench installs it)"; exit 1; }
N=${BENCH_INSTR_QUERIES:-20000}
kill $PID_mxspread $PID_gdnsd $PID_pdns 2>/dev/null
P_VG=$(free_port $A_MXS)
sed -e "s/^listen = .*/listen = [ \"$A_MXS:$P_VG\" ];/" \
    -e 's/^status = .*/status = { enabled = false; };/' \
    "$D/mxs/mxspread.conf" > "$D/mxs/vg.conf"
mkdir -p "$D/cg"
taskset -c 0 valgrind --tool=callgrind --callgrind-out-file="$D/cg/out" \
    "$MXSPREAD" -c "$D/mxs/vg.conf" > "$D/valgrind.log" 2>&1 &
PID_vg=$!
PIDS="$PIDS $PID_vg"
if ! wait_up $A_MXS $P_VG $Z; then
	echo "dns_dyn.sh: mxspread under valgrind did not start:"; tail -5 "$D/valgrind.log"; exit 1
fi
sleep 6		# rise 2 x interval 2 s: the pool is up (not fail-open)
echo
echo "user-space instructions per query (callgrind, mxspread, $N queries per phase):"
for q in static smx dynmx sa dyna; do
	lines=$(wc -l < "$D/q.$q")
	callgrind_control -z $PID_vg > /dev/null 2>&1
	taskset -c 1 dnsperf -s $A_MXS -p $P_VG -d "$D/q.$q" \
	    -n $(((N + lines - 1) / lines)) -c 1 -q 20 \
	    -t 5 > "$D/dnsperf.vg" 2>&1
	callgrind_control -d $q $PID_vg > /dev/null 2>&1
	sleep 0.5
	f=$(grep -l "^desc: Trigger: dump $q\$" "$D"/cg/out.* 2>/dev/null | tail -1)
	done_q=$(awk '/Queries completed:/ { print $3 }' "$D/dnsperf.vg")
	ir=$(awk '/^summary:/ { print $2 }' "$f" 2>/dev/null)
	echo "$q ${ir:-0} ${done_q:-0}"
done > "$D/instr"
awk '
	{ ir[$1] = $3 > 0 ? $2 / $3 : 0; printf "  %-7s %7.0f Ir/query  (%d queries)\n", $1, ir[$1], $3 }
	END {
		if (ir["smx"] > 0 && ir["dynmx"] > 0)
			printf "  DYNMX - static MX  %+6.0f Ir/query (%.2fx)\n", ir["dynmx"] - ir["smx"], ir["dynmx"] / ir["smx"]
		if (ir["sa"] > 0 && ir["dyna"] > 0)
			printf "  DYNA  - static A   %+6.0f Ir/query (%.2fx)\n", ir["dyna"] - ir["sa"], ir["dyna"] / ir["sa"]
	}' "$D/instr"
exit 0
