#!/bin/sh
# valgrind-clean start, work and stop: the daemon runs under memcheck with
# DNS, probes (smtp against a real smtp-sink), the status endpoint and the
# relay; it answers queries, serves /status.json and /metrics, relays one
# connection, reloads on SIGHUP and stops on SIGTERM. Any memcheck error or
# definite leak fails the test (exit code 99 from valgrind).
. "$MXS_ROOT/tests/lib/common.sh"

command -v valgrind >/dev/null 2>&1 || fail "valgrind missing (make deps installs it)"
case "$MXSPREAD" in
*build-asan*) skip "valgrind does not run sanitizer builds";;
esac

DNS=$(free_port 127.0.0.1)
HTTP=$(free_port 127.0.0.1)
RELAY=$(free_port 127.0.0.1)
SMTP=$(free_port 127.0.0.21)
SINK=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)

bg "$SINK" -u nobody 127.0.0.21:$SMTP 64
wait_tcp 127.0.0.21 $SMTP || fail "smtp-sink did not start"

fixture t_valgrind/mail.zone "$T/z.zone"
fixture t_valgrind/mxspread.conf "$T/v.conf" DNS_PORT="$DNS" \
    STATUS_PORT="$HTTP" RELAY_PORT="$RELAY" PROBE_PORT="$SMTP"

bg valgrind -q --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite --show-leak-kinds=definite \
    --log-file="$T/vg.log" "$MXSPREAD" -c "$T/v.conf"
VG=$LASTPID
i=0
until kdig +retry=0 +timeout=2 @127.0.0.1 -p $DNS mail.example.com SOA >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -gt 120 ] && fail "daemon under valgrind did not answer in 60 s"
	kill -0 $VG 2>/dev/null || fail "daemon under valgrind died: $(cat "$T/vg.log")"
	sleep 0.5
done

for q in "mail.example.com MX" "smtp.mail.example.com A" "smtp.mail.example.com AAAA" \
    "x.w.mail.example.com TXT" "nx.mail.example.com A" "example.org A"; do
	kdig +retry=0 +timeout=3 @127.0.0.1 -p $DNS $q >/dev/null || fail "query $q"
done
kdig +tcp +retry=0 +timeout=3 @127.0.0.1 -p $DNS mail.example.com MX >/dev/null || fail "tcp query"
curl -sf -m 10 http://127.0.0.1:$HTTP/status.json > "$T/s.json" || fail "status.json"
curl -sf -m 10 http://127.0.0.1:$HTTP/metrics > /dev/null || fail "metrics"
python3 - 127.0.0.1 $RELAY <<'PY' || fail "relay session"
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), 10)
s.settimeout(10)
banner = s.recv(512)
assert banner.startswith(b"220"), banner
s.sendall(b"QUIT\r\n")
s.recv(512)
s.close()
PY
kill -HUP $VG
sleep 2
kdig +retry=0 +timeout=3 @127.0.0.1 -p $DNS mail.example.com MX >/dev/null || fail "query after reload"

kill -TERM $VG
i=0
while kill -0 $VG 2>/dev/null && [ $i -lt 300 ]; do
	sleep 0.1; i=$((i + 1))
done
wait $VG
rc=$?
PIDS=$(echo "$PIDS" | sed "s/ $VG//")
cat "$T/vg.log"
[ $rc -eq 0 ] || fail "daemon under valgrind exited $rc (99 = memcheck errors or leaks)"
[ -s "$T/vg.log" ] && fail "valgrind reported problems"
ok "valgrind-clean start, queries, status, relay, reload, stop"
