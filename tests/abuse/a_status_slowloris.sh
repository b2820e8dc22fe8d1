#!/bin/sh
# a_status_slowloris.sh - 400 partial HTTP requests to the status endpoint,
# each fed one more byte a second; /healthz must keep answering within 1 s.
. "$MXS_ROOT/tests/lib/common.sh"
. "$MXS_ROOT/tests/abuse/lib.sh"

abuse_conf ""
abuse_start
$ABUSE http-slowloris --port "$SP" --pid "$MXS_PID" --conns 400 --secs 6 ||
	{ tail -20 "$T/mxs.log"; fail "status endpoint slowloris"; }
abuse_stop
ok "status endpoint slowloris survived"
