#!/bin/sh
# DNS over TCP (RFC 7766) and the daemon's life cycle: pipelined queries on
# one connection, a query split over many segments, a half-sent query and a
# client that never reads do not block others (back-pressure bounds memory),
# idle timeout, connection cap (idle connections closed first, sooner
# under pressure); a second daemon on the same port fails
# naming the address; SIGHUP reloads a changed template and keeps the old
# answers when the new one is broken; SIGTERM stops cleanly with exit 0.
. "$MXS_ROOT/tests/lib/common.sh"
. "$MXS_ROOT/tests/lib/dnstest.sh"

Z=mail.example.com
dns_setup "tcp_idle_timeout = 2;
tcp_max_connections = 6;"
dns_start

python3 - $ADDR $PORT $MXS_PID <<'PY' || fail "TCP behaviour (see above)"
import socket, struct, sys, time
addr, port, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
Z = 'mail.example.com'

def query(qid, name, qtype=1):
    q = b''.join(bytes([len(l)]) + l.encode() for l in name.split('.') if l)
    return struct.pack('>HHHHHH', qid, 0, 1, 0, 0, 0) + q + b'\0' + struct.pack('>HH', qtype, 1)

def frame(m):
    return struct.pack('>H', len(m)) + m

def conn(timeout=3):
    s = socket.create_connection((addr, port), 2)
    s.settimeout(timeout)
    return s

def recv_exact(s, n):
    b = b''
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError('closed after %d of %d bytes' % (len(b), n))
        b += c
    return b

def read_msg(s):
    n = struct.unpack('>H', recv_exact(s, 2))[0]
    return recv_exact(s, n)

def rcode(m):
    return struct.unpack('>H', m[2:4])[0] & 0xf

def ancount(m):
    return struct.unpack('>H', m[6:8])[0]

def udp(name, qtype=1, timeout=1.0):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(timeout)
    u.sendto(query(99, name, qtype), (addr, port))
    m = u.recv(4096)
    u.close()
    return m

def rss_kb():
    for line in open('/proc/%d/status' % pid):
        if line.startswith('VmRSS:'):
            return int(line.split()[1])

def check(cond, msg):
    if not cond:
        print('FAIL: ' + msg)
        sys.exit(1)
    print('ok: ' + msg)

# 1. Pipelining: 20 queries in one write, 20 answers, each to its query.
names = [('mx1.' + Z, 1, 0, 1), ('nx.' + Z, 1, 3, 0), (Z, 15, 0, 2),
         ('big.' + Z, 16, 0, 8), ('example.org', 1, 5, 0)]
s = conn()
sent = {}
buf = b''
for i in range(20):
    n, t, rc, an = names[i % len(names)]
    sent[1000 + i] = (rc, an)
    buf += frame(query(1000 + i, n, t))
s.sendall(buf)
got = {}
for i in range(20):
    m = read_msg(s)
    got[struct.unpack('>H', m[:2])[0]] = (rcode(m), ancount(m))
check(got == sent, '20 pipelined queries on one connection, each answered')
# 2. Then more queries on the same connection, one at a time.
for i in range(5):
    s.sendall(frame(query(2000 + i, 'mx2.' + Z)))
    m = read_msg(s)
    check(m[:2] == struct.pack('>H', 2000 + i) and ancount(m) == 1, 'query %d after the pipeline' % i) if i == 4 else None
s.close()

# 3. A query dribbled one byte at a time.
s = conn()
data = frame(query(3000, 'mx1.' + Z))
for b in data:
    s.send(bytes([b]))
    time.sleep(0.01)
m = read_msg(s)
check(m[:2] == struct.pack('>H', 3000) and ancount(m) == 1, 'query sent one byte at a time')
s.close()

# 4. A half-sent query does not block another client.
a = conn()
data = frame(query(4000, 'mx1.' + Z))
a.sendall(data[:9])
t0 = time.time()
b = conn()
b.sendall(frame(query(4001, 'mx2.' + Z)))
m = read_msg(b)
check(m[:2] == struct.pack('>H', 4001) and time.time() - t0 < 1.0, 'other client answered while one query is half sent')
check(ancount(udp('mx1.' + Z)) == 1, 'UDP answered meanwhile')
a.sendall(data[9:])
m = read_msg(a)
check(m[:2] == struct.pack('>H', 4000), 'half-sent query answered once complete')
a.close(); b.close()

# 5. A client that sends many queries and never reads: the server stops
#    reading it (back-pressure), memory stays bounded, others are served.
rss0 = rss_kb()
c = conn()
c.setblocking(False)
q = frame(query(5000, 'big.' + Z, 16)) * 200
sent_bytes = 0
end = time.time() + 1.2	# under the 2 s idle timeout, which would end it
while time.time() < end:
    try:
        sent_bytes += c.send(q)
    except BlockingIOError:
        time.sleep(0.05)
answers_owed = sent_bytes // len(frame(query(5000, 'big.' + Z, 16)))
t0 = time.time()
b = conn()
b.sendall(frame(query(5001, 'mx1.' + Z)))
m = read_msg(b)
check(time.time() - t0 < 1.0, 'answered while another client does not read (%d queries queued)' % answers_owed)
b.close()
grow = rss_kb() - rss0
# Answering everything it sent would take ~900 bytes x %d queries.
check(grow < 32 * 1024, 'daemon memory grew by %d kB only: the server stopped reading (%d queries sent, %d MB of answers owed)' % (grow, answers_owed, answers_owed * 900 >> 20))
# It does not read, so writes make no progress: dropped at the idle timeout
# (the server closes with queries unread: the client sees a reset).
time.sleep(2.5)
dropped = False
end = time.time() + 4
while time.time() < end and not dropped:
    try:
        c.send(b'x')
    except BlockingIOError:
        time.sleep(0.1)
    except (ConnectionResetError, BrokenPipeError):
        dropped = True
check(dropped, 'stalled client dropped after the idle timeout')
c.close()
time.sleep(0.3)

# 6. Idle timeout: 2 s.
s = conn(timeout=6)
s.sendall(frame(query(6000, 'mx1.' + Z)))
read_msg(s)
t0 = time.time()
try:
    closed = s.recv(1) == b''
except ConnectionResetError:
    closed = True
idle = time.time() - t0
check(closed and 1.5 < idle < 4.5, 'idle connection closed after %.1f s (tcp_idle_timeout 2)' % idle)
s.close()

# 7. Connection cap: 6. With a query in flight on each (half sent), no
# connection is idle: the 7th is closed at once and none is cut.
time.sleep(0.3)
held = []
for i in range(6):
    s = conn()
    s.sendall(frame(query(7000 + i, 'mx1.' + Z))[:5])
    held.append(s)
time.sleep(0.2)
x = conn()
try:
    x.sendall(frame(query(7100, 'mx1.' + Z)))
    r = x.recv(2)
    refused = r == b''
except (ConnectionResetError, BrokenPipeError):
    refused = True
except socket.timeout:
    refused = False
check(refused, 'connection over tcp_max_connections = 6 closed at once (none idle)')
x.close()
check(ancount(udp('mx1.' + Z)) == 1, 'UDP unaffected by the TCP cap')
got = 0
idle_at = []
for i, s in enumerate(held):
    s.sendall(frame(query(7000 + i, 'mx1.' + Z))[5:])
    got += read_msg(s)[:2] == struct.pack('>H', 7000 + i)
    idle_at.append(time.time())
check(got == 6, 'every connection with a query in flight kept and answered')

# 8. Now all six are idle: a 7th is admitted by closing the one idle
# longest (RFC 7766 6.2.3), on whichever worker it lives.
x = conn()
x.sendall(frame(query(7200, 'mx1.' + Z)))
m = read_msg(x)
check(m[:2] == struct.pack('>H', 7200), 'over the cap with idle connections: the new one answered')
held[0].settimeout(1)
try:
    evicted = held[0].recv(1) == b''
except ConnectionResetError:
    evicted = True
except socket.timeout:
    evicted = False
check(evicted, 'the connection idle longest was closed for it')

# 9. Under pressure (above 3/4 of the cap) idle connections go sooner:
# tcp_idle_timeout 2 s becomes 0.5 s.
held[1].settimeout(4)
try:
    closed = held[1].recv(1) == b''
except ConnectionResetError:
    closed = True
except socket.timeout:
    closed = False
early = time.time() - idle_at[1]
check(closed and early < 1.5, 'under pressure an idle connection closed after %.1f s (tcp_idle_timeout 2)' % early)
for h in held + [x]:
    h.close()
time.sleep(0.3)
s = conn()
s.sendall(frame(query(7300, 'mx1.' + Z)))
m = read_msg(s)
check(m[:2] == struct.pack('>H', 7300), 'a slot freed by a close is usable again')
s.close()
PY
ok "TCP behaviour"

mxs_only || exit 0

# A second daemon on the same address fails, naming it.
timeout 10 "$MXSPREAD" -c "$T/mxs.conf" > "$T/second.log" 2>&1
rc=$?
[ $rc = 1 ] || { cat "$T/second.log"; fail "second daemon on the same port: exit $rc, expected 1"; }
grep -q "$ADDR:$PORT" "$T/second.log" && grep -qi "address already in use" "$T/second.log" ||
	{ cat "$T/second.log"; fail "bind error does not name the address"; }
ok "address in use: $(grep -i 'in use' "$T/second.log" | head -1 | sed 's/.* error: //')"
q mx2.$Z A
has_rr ANSWER "mx2.$Z. 3600 IN A 192.0.2.12" "first daemon unaffected"

# IPv6 unavailable (disabled in a private network namespace): an error
# naming the IPv6 listener, exit 1.
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
	sed -e "s/^listen = .*/listen = [ \"127.0.0.1:$PORT\", \"[::1]:$PORT\" ];/" \
	    "$T/mxs.conf" > "$T/v6.conf"
	timeout 20 unshare -n sh -c "ip link set lo up;
	    sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null ||
	    echo 1 > /proc/sys/net/ipv6/conf/lo/disable_ipv6;
	    exec '$MXSPREAD' -c '$T/v6.conf'" > "$T/v6.log" 2>&1
	rc=$?
	[ $rc = 1 ] || { cat "$T/v6.log"; fail "IPv6 unavailable: exit $rc, expected 1"; }
	grep -q "\[::1\]:$PORT" "$T/v6.log" || { cat "$T/v6.log"; fail "IPv6 error does not name the listener"; }
	ok "IPv6 unavailable: $(grep "\[::1\]" "$T/v6.log" | head -1 | sed 's/.* error: //')"
fi

# SIGHUP with a changed template.
sed -i -e 's/192\.0\.2\.12$/192.0.2.200/' -e 's/2026112701/2026112702/' "$T/test.zone"
grep -q 192.0.2.200 "$T/test.zone" || fail "test setup: template not changed"
kill -HUP $MXS_PID
i=0
while [ $i -lt 50 ]; do
	q mx2.$Z A
	section ANSWER | grep -q 192.0.2.200 && break
	sleep 0.1; i=$((i + 1))
done
has_rr ANSWER "mx2.$Z. 3600 IN A 192.0.2.200" "after SIGHUP"
q $Z SOA
has_rr ANSWER "$Z. 3600 IN SOA ns1.$Z. hostmaster.$Z. 2026112702 3600 600 86400 60" "new serial"
ok "SIGHUP reloads the changed template"

# SIGHUP with a broken template: the old answers stay.
cp "$T/test.zone" "$T/good.zone"
printf 'broken  IN  A  not-an-address\nmx2 A 192.0.2.201\n' >> "$T/test.zone"
kill -HUP $MXS_PID
i=0
while [ $i -lt 50 ] && ! grep -q "rejected" "$T/mxs.log"; do sleep 0.1; i=$((i + 1)); done
grep -q "rejected" "$T/mxs.log" || { cat "$T/mxs.log"; fail "no rejection logged for a broken template"; }
grep -q "test.zone:[0-9]*" "$T/mxs.log" || { cat "$T/mxs.log"; fail "rejection does not name file:line"; }
kill -0 $MXS_PID || fail "daemon died on a broken reload"
q mx2.$Z A
has_rr ANSWER "mx2.$Z. 3600 IN A 192.0.2.200" "old answer kept after a broken reload"
ok "broken template rejected, previous answers kept"

# SIGTERM: exit 0, every thread stopped.
kill -TERM $MXS_PID
i=0
while kill -0 $MXS_PID 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 $MXS_PID 2>/dev/null && fail "SIGTERM did not stop the daemon in 5 s"
wait $MXS_PID; rc=$?
[ $rc = 0 ] || { cat "$T/mxs.log"; fail "exit status $rc after SIGTERM"; }
grep -q "stopped" "$T/mxs.log" || { cat "$T/mxs.log"; fail "no 'stopped' line"; }
kdig @$ADDR -p $PORT +retry=0 +timeout=1 $Z SOA > /dev/null 2>&1 && fail "still answering after SIGTERM"
ok "SIGTERM: clean stop, exit 0"
