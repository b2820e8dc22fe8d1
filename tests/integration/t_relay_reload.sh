#!/bin/sh
# Relay across SIGHUP reloads: the pool's servers are reordered, then one is
# removed, then added back. mx1 (127.0.0.2) greets with 554 and fails its
# SMTP probe (down); mx2 (127.0.0.3) is a good sink. Before and after every
# reload each client must reach mx2, never the down mx1 (the relay must
# follow health by server name, not by position), and a session open
# across the reloads keeps working.
. "$MXS_ROOT/tests/lib/common.sh"
. "$MXS_ROOT/tests/lib/relay_lib.sh"

[ -x "$MXSPREAD" ] || fail "no daemon at $MXSPREAD"
DP=$(free_port); RP=$(free_port); BP=$(free_port 127.0.0.3)
SINKLOG="$T/sink.log"

# mx1: accepts and refuses with 554 (the SMTP probe marks it down)
cat > "$T/bad.py" <<'PY'
import socket, sys, threading
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.2", int(sys.argv[1])))
ls.listen(64)
def serve(c):
    try:
        c.sendall(b"554 5.3.2 mx1 is down\r\n")
        c.settimeout(2)
        c.recv(100)
    except OSError:
        pass
    c.close()
while True:
    c, _ = ls.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
bg python3 "$T/bad.py" "$BP"
BAD_PID=$LASTPID
: > "$SINKLOG"
bg python3 "$MXS_ROOT/tests/lib/relay_sink.py" 127.0.0.3 "$BP" "$SINKLOG"
i=0
while ! grep -q ready "$SINKLOG" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
grep -q ready "$SINKLOG" || fail "sink did not start"
wait_tcp 127.0.0.2 "$BP" || fail "mx1 stand-in did not start"

# conf FILE SERVERS...: SERVERS are "mx1" / "mx2", in pool order
conf() {
	_f=$1; shift
	_sv=""
	for _s in "$@"; do
		case $_s in
		mx1) _a=127.0.0.2 ;;
		mx2) _a=127.0.0.3 ;;
		esac
		_sv="$_sv${_sv:+,
      }{ name = \"$_s\"; address = [ \"$_a\" ]; weight = 1; }"
	done
	fixture common/relay.zone "$T/relay.zone"
	fixture t_relay_reload/mxspread.conf "$_f" DNS_PORT="$DP" \
	    RELAY_PORT="$RP" BACKEND_PORT="$BP" SERVERS="$_sv"
}

# banners N: the first line of N sessions through the relay, one per line
banners() {
	python3 - "$RP" "$1" <<'PY'
import socket, sys
for _ in range(int(sys.argv[2])):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
    s.settimeout(5)
    f = s.makefile("rb")
    print(f.readline().decode(errors="replace").rstrip())
    s.close()
PY
}

# all_good N WHAT: N sessions, every one greeted by the sink (mx2)
all_good() {
	banners "$1" > "$T/b.out" || fail "$2: client failed"
	bad=$(grep -vc "^220 sink.test" "$T/b.out")
	[ "$bad" = 0 ] || { sort "$T/b.out" | uniq -c; tail -20 "$T/mxs.log"; fail "$2: $bad of $1 sessions not on mx2"; }
}

conf "$T/m.conf" mx1 mx2
relay_start_mxs "$T/m.conf" || fail "daemon did not start"
# wait (at most 10 s) until the probes have marked mx1 down
i=0
while [ $i -lt 50 ]; do
	banners 6 > "$T/b.out"
	[ "$(grep -c '^220 sink.test' "$T/b.out")" = 6 ] && break
	sleep 0.2; i=$((i + 1))
done
all_good 10 "before reload"
ok "mx1 down, sessions go to mx2"

# a session held open across the reloads
python3 - "$RP" "$T/held.done" <<'PY' &
import socket, sys, time, os
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
s.settimeout(20)
f = s.makefile("rb")
assert f.readline().startswith(b"220 sink.test")
open(sys.argv[2] + ".up", "w").write("up\n")
deadline = time.time() + 15
while not os.path.exists(sys.argv[2] + ".go") and time.time() < deadline:
    time.sleep(0.1)
s.sendall(b"EHLO held.test\r\n")
l = f.readline()
while l.startswith(b"250-"):
    l = f.readline()
assert l.startswith(b"250 "), l
s.sendall(b"QUIT\r\n")
assert f.readline().startswith(b"221"), "no 221"
open(sys.argv[2], "w").write("ok\n")
PY
HELD=$!
i=0
while [ ! -f "$T/held.done.up" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -f "$T/held.done.up" ] || fail "held session did not start"

reload_to() {	# reload_to SERVERS...
	conf "$T/m.conf" "$@"
	n=$(grep -c "reloaded" "$T/mxs.log")
	kill -HUP "$MXS_PID"
	i=0
	while [ "$(grep -c "reloaded" "$T/mxs.log")" = "$n" ] && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	[ $i -lt 50 ] || { tail "$T/mxs.log"; fail "reload to '$*' not done"; }
}

reload_to mx2 mx1
all_good 20 "after reordering"
ok "pool reordered by SIGHUP: still mx2"
reload_to mx2
all_good 10 "after removing mx1"
reload_to mx1 mx2
sleep 1		# a re-added server starts up until its probe says otherwise
all_good 20 "after adding mx1 back"
ok "mx1 removed and re-added: still mx2"

: > "$T/held.done.go"
i=0
while kill -0 "$HELD" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
wait "$HELD" 2>/dev/null
[ -f "$T/held.done" ] || fail "the session held across reloads broke"
ok "a session open across three reloads completed"
relay_stop_mxs
kill "$BAD_PID" 2>/dev/null
exit 0
