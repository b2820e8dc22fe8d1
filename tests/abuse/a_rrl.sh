#!/bin/sh
# a_rrl.sh - response rate limiting: a UDP flood from 127.0.0.66 (not
# exempt) is limited to rate answers a second, every slip-th limited
# response arrives TC=1, the others are dropped; over TCP the same source
# is answered in full; 127.0.1.5 (another /24) and the exempt 127.0.0.1 are
# not affected; /metrics counters match what the client saw.
. "$MXS_ROOT/tests/lib/common.sh"
. "$MXS_ROOT/tests/abuse/lib.sh"
command -v curl >/dev/null 2>&1 || skip "curl not installed"

abuse_conf "rrl = { rate = 50; slip = 2; window = 2; exempt = [ \"127.0.0.1/32\" ]; };"
abuse_start
$ABUSE rrl --port "$PORT" --pid "$MXS_PID" --rate 50 --slip 2 --secs 4 \
    --status-port "$SP" --name mail.example.com. ||
	{ tail -20 "$T/mxs.log"; fail "rrl"; }
curl -s "http://127.0.0.1:$SP/metrics" > "$T/metrics"
if command -v promtool >/dev/null 2>&1; then
	promtool check metrics < "$T/metrics" || fail "promtool check metrics"
fi
abuse_stop

# slip = 0: nothing but drops; slip = 1: every limited response is TC=1.
for slip in 0 1; do
	abuse_conf "rrl = { rate = 50; slip = $slip; window = 2; exempt = [ \"127.0.0.1/32\" ]; };"
	abuse_start
	$ABUSE rrl --port "$PORT" --pid "$MXS_PID" --rate 50 --slip $slip \
	    --secs 2 --status-port "$SP" --name mail.example.com. ||
		{ tail -20 "$T/mxs.log"; fail "rrl slip=$slip"; }
	abuse_stop
done
ok "RRL limits a flooding source and nobody else"
