#!/bin/sh
# a_relay_slowloris.sh - relay slowloris: three sources each open 40 idle
# SMTP connections (max_per_source = 20: 20 get 421 at once); while the
# others are held, normal sessions through the relay are all delivered; the
# idle ones are closed after idle_timeout; RSS bounded.
. "$MXS_ROOT/tests/lib/common.sh"
. "$MXS_ROOT/tests/abuse/lib.sh"

RP=$(free_port 127.0.0.1)
BP=$(free_port 127.0.0.2)
[ -n "$RP" ] && [ -n "$BP" ] || fail "no free port"
: > "$T/sink.log"
bg python3 "$MXS_ROOT/tests/lib/relay_sink.py" 127.0.0.2 "$BP" "$T/sink.log"
i=0
until grep -q ready "$T/sink.log" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "sink did not start"; sleep 0.1
done
abuse_conf "pools = ( { name = \"inbound\";
    servers = ( { name = \"mx1\"; address = [ \"127.0.0.2\" ]; } ); } );
relay = { listen = [ \"127.0.0.1:$RP\" ]; pool = \"inbound\"; port = $BP;
  idle_timeout = 4; max_connections = 1000; max_per_source = 20;
  hostname = \"relay.test\"; };"
abuse_start
wait_tcp 127.0.0.1 "$RP" || fail "relay not listening"
$ABUSE relay-slowloris --port "$RP" --pid "$MXS_PID" --sources 3 --conns 40 \
    --max-per-source 20 --idle 4 ||
	{ tail -20 "$T/mxs.log"; fail "relay slowloris"; }
n=$(grep -c "^msg " "$T/sink.log")
echo "figure: relay-slowloris: $n messages reached the backend"
[ "$n" -ge 5 ] || fail "normal messages did not reach the backend"
# Every rejection is counted, but the log holds at most 10 such lines per
# second per relay thread (one thread per CPU by default).
logged=$(grep -c "relay: 421 4.7.0" "$T/mxs.log")
worst=$(grep "relay: 421 4.7.0" "$T/mxs.log" | cut -c1-19 | sort | uniq -c |
    sort -rn | awk 'NR == 1 { print $1 }')
echo "figure: relay-slowloris: 60 rejections, $logged logged (at most ${worst:-0} in one second)"
[ "$logged" -ge 1 ] || fail "no 421 logged"
[ "${worst:-0}" -le $((10 * $(nproc))) ] || fail "421 log lines not rate-limited"
abuse_stop
ok "relay slowloris survived"
