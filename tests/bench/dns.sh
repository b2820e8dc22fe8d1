#!/bin/sh
# dns.sh - benchmark: mxspread against gdnsd, NSD and Knot serving the same
# zone, and a do-nothing UDP reflector as the floor. Prints figures; asserts
# nothing about timing.
#
# usage: sh tests/bench/dns.sh [BUILD_DIR]     (make bench)
#   BENCH_DURATION  seconds per run (default 10)
#   BENCH_ROUNDS    rounds over all servers (default 3)
#   BENCH_RECORDS   records of the big zone for the RSS figure (100000)
#   BENCH_DYN       0 skips the dynamic-answer part (dns_dyn.sh)
#   BENCH_COOKIES   1 adds DNS Cookie runs of mxspread and gdnsd: every
#                   query with a client cookie only ("+cc": a new server
#                   cookie each), and with a valid server cookie ("+sc",
#                   learnt with kdig first: checked, and kept); "only" runs
#                   just those and the cookie-less ones of the two servers,
#                   and skips the RSS and dynamic parts
#
# Method (see ../shared/BENCH-NOTES.md): every server runs in the foreground
# from a private temp dir on its own loopback address, pinned to CPU 0 with
# one worker; dnsperf is pinned to CPU 1. The servers alternate (A B C D E,
# A B C D E, ...) with the same query file. For each run: QPS, lost queries,
# average and max latency, and the server's CPU time per query, from
# utime+stime in /proc/PID/stat (all its threads) over the run divided by
# the queries completed. Medians per server and ratios are printed at the end.
# Then dns_dyn.sh (same run): DYNMX and DYNA answers beside static ones,
# gdnsd's DYNA and PowerDNS LUA records, over a live probed pool.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-build}
MXSPREAD=$ROOT/$BUILD/mxspread
DURATION=${BENCH_DURATION:-10}
ROUNDS=${BENCH_ROUNDS:-3}
RECORDS=${BENCH_RECORDS:-100000}
HZ=$(getconf CLK_TCK)

[ -x "$MXSPREAD" ] || { echo "dns.sh: $MXSPREAD not built (make all)"; exit 1; }

# ---- packages: the benchmark set, installed only when missing, no service
# started (tests/deps.sh); a missing peer is a failure, never a skip.
sh "$ROOT/tests/deps.sh" bench || exit 1

D=$(mktemp -d /tmp/mxs-bench.XXXXXX)
PIDS=""
. "$ROOT/tests/bench/lib.sh"

# ---- the zone: the example, served by mxspread as is; the others get the
# plain rendering (`mxspread render`, every server up).
Z=mail.example.com
mkdir -p "$D/mxs"
cp "$ROOT"/zones/examples/*.zone "$D/mxs/"
tmpl=$(basename "$(ls "$D"/mxs/*.zone | head -1)")
# The example's pool without its probe (no probe traffic in the figures).
servers=$(awk '/servers = \(/ { on = 1; next } on && /^ *\);/ { exit } on' "$ROOT/zones/examples/mxspread.conf")
mxs_conf() {	# ADDR PORT TEMPLATE
	cat <<EOF
listen = [ "$1:$2" ];
workers = 1;
log_level = "warning";
status = { enabled = false; };
zones = ( { origin = "$Z."; template = "$3"; } );
pools = ( { name = "inbound"; policy = "weighted"; servers = (
$servers
); } );
EOF
}
A_MXS=127.0.0.2; P_MXS=$(free_port $A_MXS)
mxs_conf $A_MXS $P_MXS "$tmpl" > "$D/mxs/mxspread.conf"
"$MXSPREAD" render -c "$D/mxs/mxspread.conf" > "$D/plain.zone" ||
	{ echo "dns.sh: mxspread render failed"; exit 1; }

# ---- queries: MX, A, AAAA, TXT (SPF, DMARC, the >255-byte DKIM),
# NXDOMAIN, NODATA.
dk=$(awk '/_domainkey/ { print $1; exit }' "$D/mxs/$tmpl")
case $dk in *.) ;; *) dk="$dk.$Z" ;; esac
static_queries "$Z" "$Z" "$dk" > "$D/queries"

# ---- servers, each on CPU 0.

start mxspread "$MXSPREAD" -c "$D/mxs/mxspread.conf"

A_GDNSD=127.0.0.3; P_GDNSD=$(free_port $A_GDNSD)
mkdir -p "$D/gdnsd/zones" "$D/gdnsd/run" "$D/gdnsd/state"
cp "$D/plain.zone" "$D/gdnsd/zones/$Z"
cat > "$D/gdnsd/config" <<EOF
options => {
  listen => [ $A_GDNSD ]
  dns_port => $P_GDNSD
  udp_threads => 1
  tcp_threads => 1
  run_dir => $D/gdnsd/run
  state_dir => $D/gdnsd/state
}
EOF
start gdnsd gdnsd -c "$D/gdnsd" start

A_NSD=127.0.0.4; P_NSD=$(free_port $A_NSD)
mkdir -p "$D/nsd"
cp "$D/plain.zone" "$D/nsd/zone"
cat > "$D/nsd/nsd.conf" <<EOF
server:
    ip-address: $A_NSD
    port: $P_NSD
    server-count: 1
    username: ""
    chroot: ""
    zonesdir: "$D/nsd"
    pidfile: "$D/nsd/nsd.pid"
    xfrdfile: "$D/nsd/xfrd.state"
    zonelistfile: "$D/nsd/zone.list"
    database: ""
    rrl-ratelimit: 0
    verbosity: 0
remote-control:
    control-enable: no
zone:
    name: $Z
    zonefile: "$D/nsd/zone"
EOF
start nsd nsd -d -c "$D/nsd/nsd.conf"

A_KNOT=127.0.0.5; P_KNOT=$(free_port $A_KNOT)
mkdir -p "$D/knot"
cp "$D/plain.zone" "$D/knot/zone"
cat > "$D/knot/knot.conf" <<EOF
server:
    listen: $A_KNOT@$P_KNOT
    rundir: $D/knot
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
log:
  - target: stderr
    any: warning
database:
    storage: $D/knot
zone:
  - domain: $Z.
    file: $D/knot/zone
    semantic-checks: off
EOF
start knot knotd -c "$D/knot/knot.conf"

A_REFL=127.0.0.6; P_REFL=$(free_port $A_REFL)
if ! cc -O2 -o "$D/reflector" "$ROOT/tests/bench/reflector.c"; then
	echo "dns.sh: cannot build the reflector"; exit 1
fi
start reflector "$D/reflector" $A_REFL $P_REFL

for s in mxspread:$A_MXS:$P_MXS gdnsd:$A_GDNSD:$P_GDNSD nsd:$A_NSD:$P_NSD knot:$A_KNOT:$P_KNOT; do
	IFS=: read n a p <<EOF
$s
EOF
	if ! wait_up $a $p $Z; then
		echo "dns.sh: $n did not start:"; cat "$D/$n.log"; exit 1
	fi
done

# CPU ticks of every process whose command line holds $1 (its private
# config path, so nothing else matches): NSD serves from child processes.
cpu_ticks() {
	t=0
	for p in $(pgrep -f -- "$1"); do
		# utime, stime: fields 14 and 15, counted after the ")" that
		# ends the command name (NSD's names contain spaces).
		v=$(sed 's/.*) //' /proc/$p/stat 2>/dev/null | awk '{ print $12 + $13 }')
		t=$((t + ${v:-0}))
	done
	echo $t
}

# run NAME ADDR PORT MATCH [DNSPERF_ARGS...]: one dnsperf run; appends to
# $D/results
run() {
	name=$1 ra=$2 rp=$3 match=$4
	shift 4
	t0=$(cpu_ticks $match)
	taskset -c 1 dnsperf -s $ra -p $rp -d "$D/queries" -l $DURATION -c 4 -q 200 \
	    -t 2 "$@" > "$D/dnsperf.out" 2>&1
	set -- $name $ra $rp $match
	t1=$(cpu_ticks $4)
	awk -v name=$1 -v ticks=$((t1 - t0)) -v hz=$HZ '
		/Queries completed:/ { done = $3 }
		/Queries lost:/ { lost = $3 }
		/Queries per second:/ { qps = $4 }
		/Response codes:/ { rc = $0; sub(/^ *Response codes: */, "", rc) }
		/Average Latency/ { avg = $4; max = $8; sub(/\)/, "", max) }
		END {
			cpu = done > 0 ? ticks / hz * 1e6 / done : 0
			printf "%-10s %10.0f %8d %9.1f %9.1f %8.2f\n", name, qps, lost,
			    avg * 1e6, max * 1e6, cpu
			printf "%s %f %d %f\n", name, cpu, lost, qps >> "'"$D/results"'"
			if (name ~ /\+/)
				printf "%-10s   response codes: %s\n", "", rc
		}' "$D/dnsperf.out"
}

# cookie_args ADDR PORT: dnsperf's COOKIE option with the server cookie the
# server at ADDR PORT gives our client cookie (the address dnsperf sends
# from is the one kdig does: loopback picks 127.0.0.1)
CC=2464c4abcf10c957
cookie_args() {
	c=$(kdig @$1 -p $2 +retry=0 +timeout=2 +cookie=$CC $Z SOA |
	    sed -n 's/^;; COOKIE: \([0-9A-Fa-f]*\).*/\1/p')
	[ ${#c} -gt 16 ] || { echo "dns.sh: no server cookie from $1:$2" >&2; exit 1; }
	echo "10:$c"
}
COOKIES=${BENCH_COOKIES:-0}
if [ "$COOKIES" != 0 ]; then
	SC_MXS=$(cookie_args $A_MXS $P_MXS) || exit 1
	SC_GDNSD=$(cookie_args $A_GDNSD $P_GDNSD) || exit 1
fi

echo "mxspread benchmark: $ROUNDS rounds x $DURATION s per server, server on CPU 0, dnsperf on CPU 1"
echo "query mix: $(wc -l < "$D/queries") queries (MX, A, AAAA, TXT incl. DKIM, NXDOMAIN, NODATA)"
printf "%-10s %10s %8s %9s %9s %8s\n" server QPS lost "avg us" "max us" "CPU us/q"
: > "$D/results"
r=1
while [ $r -le $ROUNDS ]; do
	run mxspread $A_MXS $P_MXS "$D/mxs/mxspread.conf"
	run gdnsd $A_GDNSD $P_GDNSD "$D/gdnsd"
	if [ "$COOKIES" != only ]; then
		run nsd $A_NSD $P_NSD "$D/nsd/nsd.conf"
		run knot $A_KNOT $P_KNOT "$D/knot/knot.conf"
		run reflector $A_REFL $P_REFL "$D/reflector"
	fi
	if [ "$COOKIES" != 0 ]; then
		run mxspread+cc $A_MXS $P_MXS "$D/mxs/mxspread.conf" -E 10:$CC
		run gdnsd+cc $A_GDNSD $P_GDNSD "$D/gdnsd" -E 10:$CC
		run mxspread+sc $A_MXS $P_MXS "$D/mxs/mxspread.conf" -E $SC_MXS
		run gdnsd+sc $A_GDNSD $P_GDNSD "$D/gdnsd" -E $SC_GDNSD
	fi
	r=$((r + 1))
done

echo
echo "medians over $ROUNDS rounds:"
for n in mxspread gdnsd nsd knot reflector mxspread+cc gdnsd+cc mxspread+sc gdnsd+sc; do
	grep -q "^$n " "$D/results" || continue
	awk -v n=$n '$1 == n { print $2 }' "$D/results" | sort -n |
	    awk -v n=$n '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%s %.3f\n", n, m }'
done > "$D/medians"
lostsum=$(awk '$1 == "mxspread" { s += $3 } END { print s + 0 }' "$D/results")
awk -v lost=$lostsum '
	{ m[$1] = $2; printf "  %-10s %.2f us CPU per query\n", $1, $2 }
	END {
		if (m["gdnsd"] > 0) printf "  mxspread/gdnsd     %.2f\n", m["mxspread"] / m["gdnsd"]
		if (m["nsd"] > 0) printf "  mxspread/NSD       %.2f\n", m["mxspread"] / m["nsd"]
		if (m["knot"] > 0) printf "  mxspread/Knot      %.2f\n", m["mxspread"] / m["knot"]
		if (m["reflector"] > 0) printf "  mxspread/reflector %.2f\n", m["mxspread"] / m["reflector"]
		if (m["gdnsd+cc"] > 0) printf "  mxspread/gdnsd, client cookie only   %.2f\n", m["mxspread+cc"] / m["gdnsd+cc"]
		if (m["gdnsd+sc"] > 0) printf "  mxspread/gdnsd, valid server cookie  %.2f\n", m["mxspread+sc"] / m["gdnsd+sc"]
		if (m["mxspread"] > 0 && m["mxspread+cc"] > 0) printf "  mxspread cookies/none: client %.2f, server %.2f\n", m["mxspread+cc"] / m["mxspread"], m["mxspread+sc"] / m["mxspread"]
		if (m["gdnsd"] > 0 && m["gdnsd+cc"] > 0) printf "  gdnsd cookies/none:    client %.2f, server %.2f\n", m["gdnsd+cc"] / m["gdnsd"], m["gdnsd+sc"] / m["gdnsd"]
		printf "  mxspread lost queries, all rounds: %d\n", lost
	}' "$D/medians"

[ "$COOKIES" = only ] && exit 0

# ---- peak RSS with a large zone.
for n in gdnsd nsd knot reflector; do
	eval "p=\$PID_$n"
	kill $p 2>/dev/null
done
mkdir -p "$D/big"
{
	echo "\$ORIGIN $Z."
	echo "\$TTL 3600"
	echo "@ SOA ns1 hostmaster 1 3600 600 86400 60"
	echo "@ NS ns1"
	echo "ns1 A 192.0.2.53"
	echo "@ 30 DYNMX inbound"
	awk -v n=$RECORDS 'BEGIN {
		for (i = 0; i < n; i++) {
			k = int(i / 2)
			if (i % 2 == 0)
				printf "h%d A 10.%d.%d.%d\n", k, int(k / 65536) % 256, int(k / 256) % 256, k % 256
			else
				printf "h%d TXT \"record %d of the big zone\"\n", k, i
		}
	}'
} > "$D/big/big.zone"
A_BIG=127.0.0.7; P_BIG=$(free_port $A_BIG)
mxs_conf $A_BIG $P_BIG big.zone > "$D/big/mxspread.conf"
t0=$(date +%s.%N)
"$MXSPREAD" -c "$D/big/mxspread.conf" > "$D/big.log" 2>&1 &
PID_big=$!
PIDS="$PIDS $PID_big"
if wait_up $A_BIG $P_BIG $Z; then
	t1=$(date +%s.%N)
	kdig @$A_BIG -p $P_BIG +retry=0 +timeout=2 h$((RECORDS / 2 - 1)).$Z TXT | grep -q 'status: NOERROR' ||
		echo "  (warning: big zone record not answered)"
	hwm=$(awk '/VmHWM/ { print $2 }' /proc/$PID_big/status)
	rss=$(awk '/VmRSS/ { print $2 }' /proc/$PID_big/status)
	echo
	echo "mxspread with a $RECORDS-record zone: peak RSS $((hwm / 1024)) MiB (now $((rss / 1024)) MiB), up in $(awk -v a=$t0 -v b=$t1 'BEGIN { printf "%.1f", b - a }') s"
else
	echo "mxspread did not load the $RECORDS-record zone:"; tail -5 "$D/big.log"
fi
kill $PID_big $PID_mxspread 2>/dev/null

# ---- dynamic answers (issue 5): DYNMX and DYNA beside static answers,
# gdnsd's DYNA and PowerDNS LUA records (BENCH_DYN=0 skips).
dynrc=0
if [ "${BENCH_DYN:-1}" != 0 ]; then
	echo
	sh "$ROOT/tests/bench/dns_dyn.sh" "$BUILD" || dynrc=$?
fi

# Nothing of ours (or a package's service) may be left on port 53 or 25.
if command -v ss >/dev/null 2>&1; then
	left=$(ss -Hlntu 2>/dev/null | awk '$5 ~ /:(53|25)$/')
	[ -z "$left" ] || { echo "dns.sh: WARNING: listening on port 53/25:"; echo "$left"; }
fi
exit $dynrc
