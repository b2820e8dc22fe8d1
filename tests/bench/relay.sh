#!/bin/sh
# relay.sh - benchmark of the SMTP relay: Postfix smtp-source pushes the same
# load through mxspread's relay, through HAProxy in TCP mode, and (without a
# PROXY header) straight to the backends, two of them weighted 2:1; runs
# alternate, five rounds, medians printed with ratios. Each PROXY
# mode gets its own processes: Postfix smtp-sink as the backends without a
# header, tests/bench/psink with one. Prints figures, never fails on them.
# Usage: tests/bench/relay.sh [BUILD_DIR]
# Env: RELAY_BENCH_MSGS (20000), RELAY_BENCH_SESS (50), RELAY_BENCH_BULK (300
# messages of 1 MB over 10 sessions), RELAY_BENCH_REPS (5), RELAY_BENCH_ONLY
# (scenarios to run, default "new-conn long-lived bulk"), RELAY_BENCH_BASELINE
# (another mxspread binary, e.g. a previous build: run as a second relay,
# "baseline", in the same alternation, for before/after figures),
# RELAY_BENCH_THREADS (relay.threads for mxspread; default: unset, CPU count),
# RELAY_BENCH_PROXY (the PROXY modes to run, default "none v2": with v2 both
# proxies send a PROXY v2 header and the backends are tests/bench/psink,
# which insists on one; smtp-sink does not read it).
#
# CPU is the proxy process's time on a CPU (user + system, every thread),
# read in nanoseconds from /proc/PID/task/*/schedstat before and after each
# run: clock ticks (10 ms) were too coarse for runs of half a second.
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export MXSPREAD="$ROOT/$BUILD/mxspread" MXS_ROOT="$ROOT" MXS_TOOLS="$ROOT/$BUILD/tools"
. "$ROOT/tests/lib/common.sh"
# A directory of our own name: the bench runs for minutes.
rmdir "$T"; T=$(mktemp -d /tmp/mxs-relay-bench.XXXXXX)

MSGS=${RELAY_BENCH_MSGS:-20000}
SESS=${RELAY_BENCH_SESS:-50}
BULK=${RELAY_BENCH_BULK:-300}
REPS=${RELAY_BENCH_REPS:-5}
ONLY=${RELAY_BENCH_ONLY:-}
BASE=${RELAY_BENCH_BASELINE:-}
MODES=${RELAY_BENCH_PROXY:-none v2}
SMALL=500
BIG=1048576

[ -x "$MXSPREAD" ] || { echo "relay bench: build first (no $MXSPREAD)"; exit 1; }
# The peers (HAProxy, Postfix's smtp-source/sink): installed when missing.
sh "$ROOT/tests/deps.sh" bench || exit 1
SOURCE=$(command -v smtp-source || echo /usr/sbin/smtp-source)
SINK=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)
PSINK="$ROOT/$BUILD/bench/psink"
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
[ -n "$BASE" ] && { [ -x "$BASE" ] || { echo "relay bench: no baseline binary $BASE"; exit 1; }; }
for x in "$SOURCE" "$SINK" "$PSINK" "$HAPROXY"; do
	[ -x "$x" ] || { echo "relay bench: missing $x"; exit 1; }
done
SINK_USER=""
[ "$(id -u)" = 0 ] && SINK_USER="-u nobody"

W1=2; W2=1

# start_mode MODE: two backends (smtp-sink, or psink for a PROXY mode),
# the relay (and the baseline) and HAProxy, on fresh ports.
start_mode() {
	_mode=$1
	DP=$(free_port); RP=$(free_port); HP=$(free_port)
	BP=$(free_port 127.0.0.2)
	SINK_PIDS=""
	for a in 2 3; do
		if [ "$_mode" = none ]; then
			bg "$SINK" $SINK_USER "127.0.0.$a:$BP" 1024
		else
			bg "$PSINK" "127.0.0.$a" "$BP" 2> "$T/psink.$_mode.$a"
		fi
		SINK_PIDS="$SINK_PIDS $LASTPID"
		wait_tcp "127.0.0.$a" "$BP" || { echo "sink 127.0.0.$a did not start"; exit 1; }
	done

	cat > "$T/zone" <<EOF
\$ORIGIN mail.test.
\$TTL 300
@     SOA   ns1 hostmaster 1 3600 600 86400 60
@     NS    ns1
ns1   A     127.0.0.53
@     30 DYNMX inbound
EOF
	cat > "$T/mxs.conf" <<EOF
listen = [ "127.0.0.1:$DP" ];
workers = 1;
log_level = "warning";
status = { enabled = false; };
zones = ( { origin = "mail.test."; template = "zone"; } );
pools = ( { name = "inbound";
            servers = ( { name = "mx1"; address = [ "127.0.0.2" ]; weight = $W1; },
                        { name = "mx2"; address = [ "127.0.0.3" ]; weight = $W2; } ); } );
relay = { listen = [ "127.0.0.1:$RP" ]; pool = "inbound"; port = $BP;
          proxy_protocol = "$_mode"; policy = "weighted"; max_connections = 4096;
          max_per_source = 0; hostname = "relay.test";${RELAY_BENCH_THREADS:+ threads = $RELAY_BENCH_THREADS;} };
EOF
	bg "$MXSPREAD" -c "$T/mxs.conf" 2> "$T/mxs.$_mode.log"
	MXS_PID=$LASTPID
	BASE_PID=""
	if [ -n "$BASE" ]; then
		BRP=$(free_port); BDP=$(free_port)
		sed -e "s/127.0.0.1:$RP/127.0.0.1:$BRP/" -e "s/127.0.0.1:$DP/127.0.0.1:$BDP/" \
		    "$T/mxs.conf" > "$T/base.conf"
		bg "$BASE" -c "$T/base.conf" 2> "$T/base.$_mode.log"
		BASE_PID=$LASTPID
		wait_tcp 127.0.0.1 "$BRP" || { cat "$T/base.$_mode.log"; echo "baseline relay did not start"; exit 1; }
	fi

	# HAProxy, TCP mode, same weights, the same PROXY header.
	_send=""
	[ "$_mode" = v2 ] && _send=" send-proxy-v2"
	[ "$_mode" = v1 ] && _send=" send-proxy"
	cat > "$T/haproxy.cfg" <<EOF
global
    maxconn 4096
defaults
    mode tcp
    timeout connect 5s
    timeout client 300s
    timeout server 300s
frontend smtp
    bind 127.0.0.1:$HP
    default_backend mx
backend mx
    balance roundrobin
    server mx1 127.0.0.2:$BP weight $W1$_send
    server mx2 127.0.0.3:$BP weight $W2$_send
EOF
	bg "$HAPROXY" -db -f "$T/haproxy.cfg"
	HA_PID=$LASTPID
	wait_tcp 127.0.0.1 "$RP" || { cat "$T/mxs.$_mode.log"; echo "relay did not start"; exit 1; }
	wait_tcp 127.0.0.1 "$HP" || { echo "haproxy did not start"; exit 1; }
	# Straight to the backends only where they take a client without a
	# header.
	TARGETS="relay haproxy"
	[ -n "$BASE" ] && TARGETS="relay baseline haproxy"
	[ "$_mode" = none ] && TARGETS="direct $TARGETS"
}

# stop_mode MODE: stop what start_mode started; with psink backends, check
# that every connection brought a valid header with the client's address.
stop_mode() {
	stop_pid "$HA_PID"
	[ -n "$BASE_PID" ] && stop_pid "$BASE_PID"
	stop_pid "$MXS_PID"
	for _p in $SINK_PIDS; do stop_pid "$_p"; done
	grep -E "warning|error" "$T/mxs.$1.log" | head -5
	[ "$1" = none ] && return 0
	for a in 2 3; do
		_l=$(cat "$T/psink.$1.$a")
		echo "  backend 127.0.0.$a: $_l"
		case $_l in
		*" bad 0 "*" src 127.0.0.1") ;;
		*) echo "  relay bench: backend 127.0.0.$a saw a missing or bad PROXY header" ;;
		esac
	done
}

now() { date +%s.%N; }

# cpu PID: nanoseconds the process's threads ran so far (0 for none).
cpu() {
	[ -n "$1" ] && [ -d "/proc/$1/task" ] || { echo 0; return; }
	cat /proc/"$1"/task/*/schedstat 2>/dev/null |
	    awk '{ s += $1 } END { printf "%.0f\n", s }'
}
pid_of() {
	case $1 in
	relay) echo "$MXS_PID" ;;
	baseline) echo "$BASE_PID" ;;
	haproxy) echo "$HA_PID" ;;
	*) echo "" ;;
	esac
}

# run TARGET MSGS SESS LEN [-d]: seconds for smtp-source to finish.
# TARGET "direct" splits messages and sessions 2:1 over the two backends.
run() {
	_t=$1; _m=$2; _s=$3; _l=$4; _d=${5:-}
	_t0=$(now)
	case $_t in
	direct)
		_m1=$((_m * W1 / (W1 + W2))); _s1=$((_s * W1 / (W1 + W2)))
		"$SOURCE" $_d -s "$_s1" -m "$_m1" -l "$_l" -f s@bench.test \
		    -t u@bench.test "127.0.0.2:$BP" &
		_p=$!
		"$SOURCE" $_d -s $((_s - _s1)) -m $((_m - _m1)) -l "$_l" \
		    -f s@bench.test -t u@bench.test "127.0.0.3:$BP"
		wait $_p ;;
	relay)
		"$SOURCE" $_d -s "$_s" -m "$_m" -l "$_l" -f s@bench.test \
		    -t u@bench.test "127.0.0.1:$RP" ;;
	haproxy)
		"$SOURCE" $_d -s "$_s" -m "$_m" -l "$_l" -f s@bench.test \
		    -t u@bench.test "127.0.0.1:$HP" ;;
	baseline)
		"$SOURCE" $_d -s "$_s" -m "$_m" -l "$_l" -f s@bench.test \
		    -t u@bench.test "127.0.0.1:$BRP" ;;
	esac
	_t1=$(now)
	echo "$_t0 $_t1" | awk '{ printf "%.3f\n", $2 - $1 }'
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# rotate N WORDS...: the words, rotated left by N (each round of a
# scenario starts with another target: none always runs right after
# another, or first).
rotate() {
	_n=$1; shift
	_i=0
	while [ "$_i" -lt $((_n % $#)) ]; do
		_w=$1; shift; set -- "$@" "$_w"; _i=$((_i + 1))
	done
	echo "$@"
}

# ratio A B: per-round ratios of two targets' figures, one per line:
# msg/s of A over B (from the seconds of B over A) and CPU of A over B.
ratios() {
	paste "$_f.$1" "$_f.$2" "$_f.$1.cpu" "$_f.$2.cpu" |
	    awk '{ printf "%.3f %.3f\n", $2 / $1, $3 / $4 }'
}

# summary LABEL A B: the medians of the per-round ratios of A to B, with
# the rounds' ratios: the runs of one round are seconds apart, the rounds
# minutes, and the machine's speed drifts in between.
summary() {
	ratios "$2" "$3" > "$_f.$2-$3"
	_m=$(cut -d' ' -f1 < "$_f.$2-$3" | median)
	_c=$(cut -d' ' -f2 < "$_f.$2-$3" | median)
	echo "  $1: msg/s $_m  CPU per msg $_c  (per-round medians; rounds: $(cut -d' ' -f1 < "$_f.$2-$3" | tr '\n' ' ')| $(cut -d' ' -f2 < "$_f.$2-$3" | tr '\n' ' '| sed 's/ $//'))"
}

# scenario NAME MSGS SESS LEN [-d]: REPS rounds, each running every one
# of $TARGETS once (each round in another order); medians, then
# relay/HAProxy (msg/s: > 1 is the relay faster; CPU per message: < 1 is
# the relay cheaper) and, with a baseline, relay/baseline, as medians of
# the rounds' ratios.
scenario() {
	_name=$1; shift
	_f="$T/$MODE.$_name"
	for _rep in $(seq 1 "$REPS"); do
		for t in $(rotate $((_rep - 1)) $TARGETS); do
			_c0=$(cpu "$(pid_of "$t")")
			run "$t" "$@" >> "$_f.$t"
			_c1=$(cpu "$(pid_of "$t")")
			echo "$_c0 $_c1" | awk '{ printf "%.4f\n", ($2 - $1) / 1e9 }' \
			    >> "$_f.$t.cpu"
			sleep 1	# let TIME_WAIT and queues settle between runs
		done
	done
	set -- "$@" ""
	_long=${4:-}
	echo "== $_name, PROXY $MODE: $1 x $3 B, $2 sessions${_long:+, -d (one connection per session)}; median of $REPS"
	for t in $TARGETS; do
		_sec=$(median < "$_f.$t")
		eval "S_$t=$_sec"
		echo "$t $_sec $1 $3 $(tr '\n' ' ' < "$_f.$t")" | awk '{ printf "  %-8s %8.3f s  %9.1f msg/s  %8.2f MB/s  (runs:",
		    $1, $2, $3 / $2, $3 * $4 / $2 / 1e6
		    for (i = 5; i <= NF; i++) printf " %s", $i; print ")" }'
		[ "$t" = direct ] && continue
		_cpu=$(median < "$_f.$t.cpu")
		eval "C_$t=$_cpu"
		echo "$_cpu $1 $3 $(tr '\n' ' ' < "$_f.$t.cpu")" | awk '{ printf "  %8s CPU %6.3f s (proxy process, median)  %7.1f us/msg  %6.2f ms/MB  (runs:",
		    "", $1, $1 * 1e6 / $2, $1 * 1e3 / ($2 * $3 / 1e6)
		    for (i = 4; i <= NF; i++) printf " %s", $i; print ")" }'
	done
	summary relay/haproxy relay haproxy
	[ "$MODE" = none ] && echo "$S_direct $S_relay $S_haproxy" | awk '{ printf "  vs direct: relay %.2f  haproxy %.2f\n", $1 / $2, $1 / $3 }'
	[ -n "$BASE" ] && summary relay/baseline relay baseline
	return 0
}

echo "relay bench: smtp-source -> {mxspread relay | haproxy $("$HAPROXY" -v | awk 'NR==1 { print $3 }')${BASE:+ | baseline $BASE}} -> 2 backends"
echo "  $(nproc) CPUs; relay: ${RELAY_BENCH_THREADS:-default (CPU count)} threads; haproxy: default threads; PROXY modes: $MODES"
want() { case " ${ONLY:-new-conn long-lived bulk} " in *" $1 "*) return 0;; esac; return 1; }
for MODE in $MODES; do
	case $MODE in
	none) echo "-- PROXY none: backends are Postfix smtp-sink" ;;
	v1|v2) echo "-- PROXY $MODE: backends are tests/bench/psink (a header required)" ;;
	*) echo "relay bench: unknown PROXY mode $MODE"; exit 1 ;;
	esac
	start_mode "$MODE"
	want new-conn && scenario new-conn "$MSGS" "$SESS" "$SMALL"
	want long-lived && scenario long-lived "$MSGS" "$SESS" "$SMALL" -d
	want bulk && scenario bulk "$BULK" 10 "$BIG" -d
	stop_mode "$MODE"
done
exit 0
