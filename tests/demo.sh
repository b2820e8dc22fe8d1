#!/bin/sh
# make run: start three demo SMTP backends (Postfix's smtp-sink on
# 127.0.0.11-13:2525) and mxspread on zones/examples/mxspread.conf, then show
# the MX answer changing while backend mx3 is stopped and started again.
# Ctrl-C stops everything this script started.
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/$BUILD/mxspread"
CONF="$ROOT/zones/examples/mxspread.conf"
SINK=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)
DIG="dig @127.0.0.1 -p 5353 +noall +answer +additional mail.example.com MX"
PIDS=""
SINK_PID3=""

stop_all() {
	trap - INT TERM EXIT
	echo
	echo "demo: stopping"
	for p in $PIDS $SINK_PID3; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	exit 0
}
trap stop_all INT TERM EXIT

"$BIN" check -c "$CONF" || exit 1

start_sink() {	# start_sink ADDR: prints nothing, sets LASTPID
	"$SINK" -u nobody "$1:2525" 64 &
	LASTPID=$!
}
start_sink 127.0.0.11; PIDS="$PIDS $LASTPID"
start_sink 127.0.0.12; PIDS="$PIDS $LASTPID"
start_sink 127.0.0.13; SINK_PID3=$LASTPID

"$BIN" -c "$CONF" &
MXS_PID=$!
PIDS="$PIDS $MXS_PID"
sleep 1
if ! kill -0 $MXS_PID 2>/dev/null; then
	echo "demo: mxspread did not start" >&2
	exit 1
fi

cat <<MSG

  mxspread is running (pid $MXS_PID) on the example config:
    DNS       127.0.0.1:5353 and [::1]:5353, zone mail.example.com.
    backends  smtp-sink on 127.0.0.11, .12, .13 port 2525 (weights 3:2:1)
    try       $DIG
              dig @127.0.0.1 -p 5353 smtp.mail.example.com A
    status    http://127.0.0.1:8053/  (dashboard), /status.json, /metrics

  Every 20 s this demo stops or restarts backend mx3 (127.0.0.13); watch it
  leave the answers within a few seconds and ramp back in. Ctrl-C stops all.

MSG

round=0
while kill -0 $MXS_PID 2>/dev/null; do
	round=$((round + 1))
	if [ $((round % 4)) = 0 ]; then
		if [ -n "$SINK_PID3" ]; then
			echo "demo: stopping mx3 (127.0.0.13:2525)"
			kill "$SINK_PID3"; wait "$SINK_PID3" 2>/dev/null; SINK_PID3=""
		else
			echo "demo: starting mx3 again"
			start_sink 127.0.0.13; SINK_PID3=$LASTPID
		fi
	fi
	echo "--- $(date +%T) $DIG"
	$DIG 2>&1 | sed 's/^/    /'
	sleep 5
done
