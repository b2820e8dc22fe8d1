#!/usr/bin/env python3
# relay_pressure.py - back-pressure check for the relay: a backend sends
# TOTAL_MB of patterned bytes to one client that does not read for PAUSE
# seconds; the daemon's RSS is sampled meanwhile; then the client reads all.
# Usage: relay_pressure.py BACKEND_ADDR BACKEND_PORT RELAY_PORT DAEMON_PID
#        TOTAL_MB PAUSE
# Prints one line: sent= got= digest_ok= rss0_kb= rssmax_kb= sent_at_pause_end=
import hashlib, socket, sys, threading, time

baddr, bport, rport, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
total = int(sys.argv[5]) * 1024 * 1024
pause = float(sys.argv[6])

def rss_kb():
    with open("/proc/%s/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1

block = bytes((i * 7 + 3) % 256 for i in range(65536))
state = {"sent": 0, "digest": None}

ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((baddr, bport))
ls.listen(4)
ls.settimeout(20)

def backend():
    c, _ = ls.accept()
    c.settimeout(60)
    h = hashlib.sha256()
    while state["sent"] < total:
        n = min(len(block), total - state["sent"])
        c.sendall(block[:n])
        h.update(block[:n])
        state["sent"] += n
    state["digest"] = h.hexdigest()
    c.close()

t = threading.Thread(target=backend, daemon=True)
t.start()
rss0 = rss_kb()
cl = socket.create_connection(("127.0.0.1", rport), 10)
cl.settimeout(60)
rssmax = rss0
end = time.monotonic() + pause
while time.monotonic() < end:
    time.sleep(0.2)
    rssmax = max(rssmax, rss_kb())
sent_at_pause = state["sent"]
h = hashlib.sha256()
got = 0
while True:
    b = cl.recv(1 << 20)
    if not b:
        break
    h.update(b)
    got += len(b)
cl.close()
t.join(30)
ok = int(state["digest"] is not None and h.hexdigest() == state["digest"])
print("sent=%d got=%d digest_ok=%d rss0_kb=%d rssmax_kb=%d sent_at_pause_end=%d"
      % (state["sent"], got, ok, rss0, rssmax, sent_at_pause))
