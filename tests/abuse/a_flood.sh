#!/bin/sh
# a_flood.sh - dnsperf at full rate from loopback (exempt from RRL, so the
# server does all the work): 10 s of random-name NXDOMAIN queries, then
# 10 s of maximum-size queries (names of 253 bytes, 1200 bytes of EDNS
# padding). RSS is sampled during each run and must stay flat (< 20 MB of
# growth); a normal client from 127.0.0.2 keeps being answered (>= 99%).
. "$MXS_ROOT/tests/lib/common.sh"
. "$MXS_ROOT/tests/abuse/lib.sh"
command -v dnsperf >/dev/null 2>&1 || skip "dnsperf not installed"

SECS=${ABUSE_FLOOD_SECS:-10}
abuse_conf ""
abuse_start
$ABUSE flood --port "$PORT" --pid "$MXS_PID" --secs "$SECS" \
    --zone mail.example.com. --name mail.example.com. ||
	{ tail -20 "$T/mxs.log"; fail "flood"; }
abuse_stop
ok "NXDOMAIN and maximum-size floods: memory flat, service kept"
