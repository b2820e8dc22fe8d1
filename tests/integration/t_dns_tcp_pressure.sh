#!/bin/sh
# DNS over TCP under connection pressure (RFC 7766 6.2.3, RFC 7828): 200,
# then 2,000 idle connections from one source and from many (127.0.0.x);
# at either cap the connection idle longest is closed for the new one, so
# a TCP query from the same source and from another is answered within
# 1 s every time, UDP too; RSS stays bounded. edns-tcp-keepalive is
# advertised over TCP when asked (shorter under pressure), never over UDP.
# Out of descriptors with nothing idle, accepting pauses (bounded log, no
# spinning) and resumes.
. "$MXS_ROOT/tests/lib/common.sh"
. "$MXS_ROOT/tests/lib/dnstest.sh"

P="$MXS_ROOT/tests/integration/data/t_dns_tcp_pressure/pressure.py"
N=mx1.mail.example.com
dns_setup "tcp_idle_timeout = 30;
tcp_max_connections = 1000;
tcp_max_per_source = 500;"
dns_start
prlimit --pid "$MXS_PID" --nofile=8192 ||
	fail "cannot raise the daemon's RLIMIT_NOFILE"

# 1. edns-tcp-keepalive: over TCP when asked (30 s = 300 units).
dig @$ADDR -p $PORT +tcp +keepalive +tries=1 +time=2 $N A > "$T/ka" 2>&1
grep -q 'TCP.KEEPALIVE: 30.0 secs' "$T/ka" ||
	{ cat "$T/ka"; fail "dig +tcp +keepalive: no 30 s TCP KEEPALIVE"; }
ok "dig +keepalive over TCP: $(grep -o 'TCP.KEEPALIVE: [0-9.]* secs' "$T/ka")"
dig @$ADDR -p $PORT +notcp +keepalive +tries=1 +time=2 $N A > "$T/ka" 2>&1
grep -q 'status: NOERROR' "$T/ka" && ! grep -q KEEPALIVE "$T/ka" ||
	{ cat "$T/ka"; fail "UDP with the option: not answered, or answered with it"; }
ok "UDP query with the option answered normally, the option ignored"
dig @$ADDR -p $PORT +tcp +tries=1 +time=2 $N A > "$T/ka" 2>&1
! grep -q KEEPALIVE "$T/ka" || { cat "$T/ka"; fail "keepalive not asked for, sent"; }
ok "TCP query without the option: none in the answer"

# 2. One source: 200 (under tcp_max_per_source 500), then 2,000 (500
# held: each newer one replaced the oldest idle).
python3 "$P" hold $ADDR $PORT $MXS_PID one-source-200 2-2 200 200 \
    127.0.0.2 127.0.0.240 || fail "one source, 200 idle connections"
python3 "$P" hold $ADDR $PORT $MXS_PID one-source-2000 2-2 2000 500 \
    127.0.0.2 127.0.0.240 || fail "one source, 2000 idle connections"
# 3. Many sources: 100 x 2, then 200 x 10 (tcp_max_connections 1000 held).
python3 "$P" hold $ADDR $PORT $MXS_PID many-sources-200 10-109 2 200 \
    127.0.0.10 127.0.0.240 || fail "many sources, 200 idle connections"
python3 "$P" hold $ADDR $PORT $MXS_PID many-sources-2000 10-209 10 1000 \
    127.0.0.10 127.0.0.209 127.0.0.240 || fail "many sources, 2000 idle connections"

# 4. One source holding the whole global cap (tcp_max_per_source raised by
# a reload): its connections all sit on one worker, so new sources that
# land on the other one must have an idle connection closed over there.
sed -i 's/^tcp_max_per_source = 500;/tcp_max_per_source = 1000;/' "$T/mxs.conf"
kill -HUP "$MXS_PID"
sleep 1
python3 "$P" hold $ADDR $PORT $MXS_PID one-source-global-cap 3-3 1500 1000 \
    127.0.0.3 127.0.0.241 127.0.0.242 127.0.0.243 127.0.0.244 127.0.0.245 \
    127.0.0.246 || fail "one source at the global cap"

# 5. Under pressure (above 3/4 of tcp_max_connections) the advertised
# keepalive is the shorter timeout: 30 / 5 = 6 s.
python3 - $ADDR $PORT <<'PY' &
import socket, sys, time
s = []
for i in range(800):
    c = socket.create_connection((sys.argv[1], int(sys.argv[2])), 2, ('127.0.0.4', 0))
    s.append(c)
time.sleep(4)
PY
HOLDER=$!
PIDS="$PIDS $HOLDER"
sleep 2
dig @$ADDR -p $PORT +tcp +keepalive +tries=1 +time=2 $N A > "$T/ka" 2>&1
grep -q 'TCP.KEEPALIVE: 6.0 secs' "$T/ka" ||
	{ cat "$T/ka"; fail "under pressure: keepalive not 6 s"; }
ok "under pressure (800 of 1000): dig +keepalive shows $(grep -o 'TCP.KEEPALIVE: [0-9.]* secs' "$T/ka")"
wait $HOLDER

# 6. Out of descriptors with every connection busy: accept pauses, logs
# at most about once a second, does not spin, and resumes.
sleep 1
nfd=$(ls /proc/$MXS_PID/fd | wc -l)
prlimit --pid "$MXS_PID" --nofile=$((nfd + 10)):8192 || fail "prlimit"
lines0=$(grep -c 'accept, pausing' "$T/mxs.log")
cpu0=$(awk '{print $14 + $15}' /proc/$MXS_PID/stat)
python3 "$P" busy $ADDR $PORT 60 3 &
BUSY=$!
PIDS="$PIDS $BUSY"
wait $BUSY
cpu1=$(awk '{print $14 + $15}' /proc/$MXS_PID/stat)
lines1=$(grep -c 'accept, pausing' "$T/mxs.log")
prlimit --pid "$MXS_PID" --nofile=8192 || fail "prlimit"
figure() { echo "figure: $*"; }
figure "accept back-off: $((lines1 - lines0)) log lines, $((cpu1 - cpu0)) CPU ticks in ~3.5 s with $((nfd + 10)) descriptors and 60 busy clients"
[ $((lines1 - lines0)) -ge 1 ] || { tail "$T/mxs.log"; fail "EMFILE not logged"; }
[ $((lines1 - lines0)) -le 12 ] || fail "accept failures logged $((lines1 - lines0)) times"
[ $((cpu1 - cpu0)) -lt 100 ] || fail "daemon spun: $((cpu1 - cpu0)) ticks"
ok "out of descriptors: accept paused, log bounded, no spinning"
sleep 1.2
q +tcp $N A
status_is NOERROR "TCP once descriptors are back"
ok "accepting resumed"
kill -0 "$MXS_PID" || fail "daemon died"

# 7. SIGTERM with 300 connections open on both workers: exit 0 (under
# ASan: nothing leaked, no worker touched another's freed state).
python3 - $ADDR $PORT <<'PY' &
import socket, sys, time
s = []
for i in range(300):
    s.append(socket.create_connection((sys.argv[1], int(sys.argv[2])), 2,
                                      ('127.0.0.%d' % (20 + i % 30), 0)))
time.sleep(3)
PY
HOLDER=$!
PIDS="$PIDS $HOLDER"
sleep 1.5
kill -TERM $MXS_PID
i=0
while kill -0 $MXS_PID 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 $MXS_PID 2>/dev/null && fail "SIGTERM did not stop the daemon in 5 s"
wait $MXS_PID; rc=$?
[ $rc = 0 ] || { tail -40 "$T/mxs.log"; fail "exit status $rc after SIGTERM"; }
wait $HOLDER
ok "SIGTERM with 300 connections open: clean stop, exit 0"
