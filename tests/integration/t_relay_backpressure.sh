#!/bin/sh
# Relay back-pressure with a slow reader: a backend sends 128 MB to a client
# that reads nothing for 3 s. The backend must block (the relay stops
# reading it), the daemon's RSS must stay within 24 MB of what it was before
# the session, and all 128 MB must arrive intact once the client reads.
. "$MXS_ROOT/tests/lib/common.sh"
. "$MXS_ROOT/tests/lib/relay_lib.sh"

[ -x "$MXSPREAD" ] || fail "no daemon at $MXSPREAD"
DP=$(free_port); RP=$(free_port); BP=$(free_port 127.0.0.3)
TOTAL_MB=128

# mx1 (127.0.0.2) refuses, mx2 (127.0.0.3) is the Python backend
relay_conf "$T/r.conf" none 30 0 1 1
relay_start_mxs "$T/r.conf" || fail "daemon with relay did not start"
res=$(python3 "$MXS_ROOT/tests/lib/relay_pressure.py" 127.0.0.3 "$BP" "$RP" \
    "$MXS_PID" "$TOTAL_MB" 3) || { cat "$T/mxs.log"; fail "pressure client failed"; }
echo "  $res"
val() { echo "$res" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
total=$((TOTAL_MB * 1024 * 1024))
[ "$(val sent)" = "$total" ] || fail "backend sent $(val sent) of $total"
[ "$(val got)" = "$total" ] || fail "client got $(val got) of $total"
[ "$(val digest_ok)" = 1 ] || fail "content differs"
ok "128 MB arrived intact after a 3 s stall"
[ "$(val sent_at_pause_end)" -lt $((total / 2)) ] ||
	fail "backend sent $(val sent_at_pause_end) bytes while the client read nothing: no back-pressure"
growth=$(( $(val rssmax_kb) - $(val rss0_kb) ))
[ "$growth" -lt 24576 ] || fail "daemon RSS grew by $growth kB during the stall"
ok "backend held back ($(val sent_at_pause_end) bytes sent during the stall), RSS growth ${growth} kB"
relay_stop_mxs
grep -q "idle for" "$T/mxs.log" && fail "session closed as idle"
exit 0
