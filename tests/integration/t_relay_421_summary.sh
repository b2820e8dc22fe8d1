#!/bin/sh
# The "N more not logged" summary of the relay's rate-limited 421 lines is
# written by the relay threads' one-second timer, within about a second
# after a burst, not with the next 421 (which may never come): 40 clients
# in one wall-clock second find no backend (421 4.3.2); every one of them
# is either logged or counted in a summary, with no 421 after the burst.
. "$MXS_ROOT/tests/lib/common.sh"
. "$MXS_ROOT/tests/lib/relay_lib.sh"

[ -x "$MXSPREAD" ] || fail "no daemon at $MXSPREAD"
DP=$(free_port); RP=$(free_port); BP=$(free_port 127.0.0.3)
[ -n "$DP" ] && [ -n "$RP" ] && [ -n "$BP" ] || fail "no free port"
N=40

# Nothing listens on the backend port: each session is refused by both
# backends at once and answered 421 4.3.2.
relay_conf "$T/relay.conf" none 30 0 1 1
relay_start_mxs "$T/relay.conf" || fail "daemon with relay did not start"

# The burst starts just after a second begins, so it lies in one second
# (each thread logs at most 10 lines of it, the rest wait for a summary).
python3 - "$RP" "$N" > "$T/burst" <<'PY' || fail "burst: $(cat "$T/burst")"
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
time.sleep(1.05 - time.time() % 1.0)
socks = [socket.create_connection(("127.0.0.1", port), 5) for _ in range(n)]
got = 0
for s in socks:
    s.settimeout(5)
    if s.makefile("rb").readline().startswith(b"421 4.3.2 "):
        got += 1
    s.close()
print(got)
sys.exit(0 if got == n else 1)
PY

# Within about a second of the burst's last second (bounded wait: 3 s).
logged=0; summed=0; i=0
while [ $i -lt 30 ]; do
	logged=$(grep -c "relay: 421 4.3.2 to " "$T/mxs.log")
	summed=$(sed -n 's/.*relay: 421 replies: \([0-9]*\) more not logged.*/\1/p' \
	    "$T/mxs.log" | awk '{ s += $1 } END { print s + 0 }')
	[ $((logged + summed)) -ge "$N" ] && break
	sleep 0.1; i=$((i + 1))
done
echo "figure: relay-421-summary: $N replies, $logged logged, $summed summarised"
[ "$logged" -lt "$N" ] || fail "no line was rate-limited ($logged of $N logged)"
[ $((logged + summed)) -eq "$N" ] ||
	{ cat "$T/mxs.log"; fail "$logged logged + $summed summarised != $N replies"; }
# The summary came from the timer: within 2.5 s of the last 421 line (the
# burst's second ends, then the timer fires within a second)..
gap=$(grep "relay: 421 " "$T/mxs.log" | awk '
	{ split($2, t, ":"); s = t[1] * 3600 + t[2] * 60 + t[3] }
	/more not logged/ { last_sum = s; next }
	{ last_421 = s }
	END { d = last_sum - last_421; if (d < -43200) d += 86400
	      printf "%.3f\n", d }')
echo "figure: relay-421-summary: summary $gap s after the last 421 line"
awk -v g="$gap" 'BEGIN { exit !(g > 0 && g <= 2.5) }' ||
	fail "summary $gap s after the last 421 line (want 0..2.5 s)"
relay_stop_mxs
ok "421 summary flushed by the timer: $logged logged + $summed summarised = $N"
