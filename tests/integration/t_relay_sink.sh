#!/bin/sh
# Relay against a Python SMTP sink (tests/lib/relay_sink.py): PROXY v2
# carries the client's address; a dead first choice is skipped; a 10 MB
# message arrives intact; all backends down -> 421 4.3.2; a stalled client
# is closed after idle_timeout; max_per_source -> 421 4.7.0.
. "$MXS_ROOT/tests/lib/common.sh"
. "$MXS_ROOT/tests/lib/relay_lib.sh"

[ -x "$MXSPREAD" ] || fail "no daemon at $MXSPREAD"
DP=$(free_port); RP=$(free_port); BP=$(free_port 127.0.0.3)
SINKLOG="$T/sink.log"

start_sink() {	# start_sink [--proxy]
	: > "$SINKLOG"
	bg python3 "$MXS_ROOT/tests/lib/relay_sink.py" 127.0.0.3 "$BP" "$SINKLOG" "$@"
	SINK_PID=$LASTPID
	i=0
	while ! grep -q ready "$SINKLOG" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	grep -q ready "$SINKLOG" || fail "sink did not start"
}

# --- 1. PROXY v2, dead first choice (weight 100 vs 1), 5 messages --------
relay_conf "$T/v2.conf" v2 30 0 100 1
"$MXSPREAD" check -c "$T/v2.conf" || fail "config rejected"
start_sink --proxy
relay_start_mxs "$T/v2.conf" || fail "daemon with relay did not start"
for n in 1 2 3 4 5; do
	relay_send 127.0.0.77 > "$T/sum$n" || fail "message $n not accepted"
done
got=$(grep -c '^msg client=127\.0\.0\.77:[0-9]* proxy=v2 ' "$SINKLOG")
[ "$got" = 5 ] || { cat "$SINKLOG" "$T/mxs.log"; fail "sink saw $got/5 messages from 127.0.0.77 via v2"; }
grep -q "badproxy" "$SINKLOG" && fail "sink saw a bad PROXY header"
ok "5 messages via PROXY v2 with the client's address, dead mx1 skipped"

# --- 2. 10 MB message intact ----------------------------------------------
want=$(relay_send 127.0.0.78 10485760) || fail "10 MB message not accepted"
grep -q "client=127.0.0.78:[0-9]* proxy=v2 size=[0-9]* sha256=$want" "$SINKLOG" ||
	{ tail -3 "$SINKLOG"; fail "10 MB message: digest mismatch (want $want)"; }
ok "10 MB message arrived intact ($want)"

# --- 3. all backends down: 421 4.3.2 ----------------------------------------
stop_pid "$SINK_PID"
line=$(python3 - "$RP" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
s.settimeout(10)
print(s.makefile("rb").readline().decode().rstrip())
PY
)
[ "$line" = "421 4.3.2 relay.test Service not available, try again later" ] ||
	fail "all down: got '$line'"
grep -q "relay: 421 4.3.2 to 127.0.0.1:[0-9]*: no backend reachable" "$T/mxs.log" ||
	fail "421 4.3.2 not logged"
ok "all backends down: $line"
relay_stop_mxs

# --- 4. idle timeout 1 s and max_per_source 3 ----------------------------------
relay_conf "$T/lim.conf" none 1 3 1 1
start_sink
relay_start_mxs "$T/lim.conf" || fail "daemon did not start"
python3 - "$RP" <<'PY' || fail "limits"
import socket, sys, time
port = int(sys.argv[1])
def conn(src):
    s = socket.socket()
    s.bind((src, 0))
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    return s, s.makefile("rb")
held = []
for i in range(3):
    s, f = conn("127.0.0.88")
    l = f.readline()
    # mx1 (127.0.0.2) is dead; the sink answers for every session
    assert l.startswith(b"220 "), l
    held.append((s, f))
s, f = conn("127.0.0.88")
l = f.readline()
assert l == b"421 4.7.0 relay.test Too many connections, try again later\r\n", l
assert f.readline() == b"", "not closed after 421"
s, f = conn("127.0.0.89")
assert f.readline().startswith(b"220 "), "other source refused"
print("ok: 4th connection from one source got 421 4.7.0, another source passes")
# a stalled client: silent after the banner, closed after ~1 s idle
t0 = time.time()
s, f = held[0]
s.settimeout(6)
assert f.readline() == b"", "stalled session not closed"
dt = time.time() - t0
assert 0.5 <= dt <= 3.5, "idle close after %.2f s" % dt
print("ok: stalled client closed after %.2f s (idle_timeout 1)" % dt)
PY
grep -q "relay: 421 4.7.0 to 127.0.0.88:[0-9]*: max_per_source" "$T/mxs.log" ||
	fail "421 4.7.0 not logged"
grep -q "idle for" "$T/mxs.log" || fail "idle close not logged"
relay_stop_mxs
kill -0 "$SINK_PID" 2>/dev/null || fail "sink died"
ok "relay sink tests passed"
