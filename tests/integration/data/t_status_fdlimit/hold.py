"""hold.py PORT CONNS SOURCES SECS: slow-header clients on the status
endpoint. CONNS connections spread over SOURCES addresses (127.0.0.20 on),
each sends the start of a GET /healthz and one more header byte a second,
for SECS seconds. Prints figures: held after 1 s (the endpoint's cap),
refused at once (503 or closed), closed later by the server (the request
deadline) and when."""
import select
import socket
import sys
import time

port, conns, sources, secs = (int(sys.argv[1]), int(sys.argv[2]),
                              int(sys.argv[3]), float(sys.argv[4]))
socks, refused_at_connect = [], 0
for i in range(conns):
    s = socket.socket()
    s.bind(('127.0.0.%d' % (20 + i % sources), 0))
    s.settimeout(2)
    try:
        s.connect(('127.0.0.1', port))
        s.send(b'GET /healthz HTTP/1.1\r\nHost: x\r\n')
        s.setblocking(False)
        socks.append(s)
    except OSError:
        refused_at_connect += 1
        s.close()
t0 = time.time()
closed, got503 = {}, 0


def poll(until):
    global got503
    while time.time() < until:
        live = [s for s in socks if s not in closed]
        if not live:
            return
        r, _, _ = select.select(live, [], [], max(0, until - time.time()))
        for s in r:
            try:
                data = s.recv(4096)
            except OSError:
                data = b''
            if b' 503 ' in data[:16]:
                got503 += 1
            if not data:
                closed[s] = time.time() - t0


last = t0
while time.time() < t0 + secs:
    poll(min(last + 1, t0 + secs))
    if time.time() >= t0 + 1 and 'held' not in globals():
        held = len(socks) - len(closed)
        print('figure: %d connections held after 1 s, %d refused at once '
              '(%d with a 503)' % (held, len(closed), got503), flush=True)
    last = time.time()
    for s in socks:
        if s not in closed:
            try:
                s.send(b'X')
            except OSError:
                pass
late = sorted(t for t in closed.values() if t > 1.5)
print('figure: %d closed by the server later, after %.1f..%.1f s; %d still '
      'open after %.0f s' % (len(late), late[0] if late else -1,
                              late[-1] if late else -1,
                              len(socks) - len(closed), secs), flush=True)
print('held=%d late=%d open=%d connect_refused=%d' % (
    held, len(late), len(socks) - len(closed), refused_at_connect))
