#!/usr/bin/env python3
"""pressure.py - idle TCP connections against a running mxspread, probed with kdig/dig.

  pressure.py hold ADDR PORT PID PHASE SRCS PER_SRC EXPECT_HELD PROBE_SRCS...

Opens PER_SRC idle connections from each of the SRCS loopback addresses
(a-b: 127.0.0.a .. 127.0.0.b), counts those the server kept, then asks
mx1.mail.example.com A over TCP with kdig from each PROBE_SRC (the same
source as the holders, and others) and over UDP with dig, each of which
must be answered within 1 s; prints "figure:" lines (connections held,
answer times, RSS). Every loop is bounded; exits 1 on a failed check.

  pressure.py busy ADDR PORT N SECONDS

Holds N connections each with half a query in flight (never idle) for
SECONDS, then closes them (the accept back-off test).
"""
import os
import resource
import select
import socket
import struct
import subprocess
import sys
import time

FAILS = []
NAME = 'mx1.mail.example.com'


def check(cond, what):
    print(('ok: ' if cond else 'FAIL: ') + what, flush=True)
    if not cond:
        FAILS.append(what)


def figure(text):
    print('figure: ' + text, flush=True)


def rss_kb(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return -1


def nofile(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(n, hard) if hard != resource.RLIM_INFINITY else n
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def srcs(spec):
    a, b = (int(x) for x in spec.split('-'))
    return ['127.0.0.%d' % i for i in range(a, b + 1)]


def open_conns(addr, port, src, n):
    out = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind((src, 0))
            s.settimeout(2)
            s.connect((addr, port))
        except OSError as e:
            s.close()
            print('connect from %s: %s' % (src, e), flush=True)
            break
        out.append(s)
    return out


def closed_ones(socks, wait):
    """Sockets the server closed (EOF or reset), after wait seconds."""
    time.sleep(wait)
    p = select.poll()
    byfd = {}
    for s in socks:
        p.register(s.fileno(), select.POLLIN)
        byfd[s.fileno()] = s
    gone = []
    for fd, ev in p.poll(0):
        s = byfd[fd]
        try:
            s.setblocking(False)
            if s.recv(1) == b'':
                gone.append(s)
        except (ConnectionResetError, BrokenPipeError):
            gone.append(s)
        except BlockingIOError:
            pass
    return gone


def probe(cmd):
    t0 = time.monotonic()
    try:
        out = subprocess.run(cmd, capture_output=True, text=True,
                             timeout=5).stdout
    except subprocess.TimeoutExpired:
        out = ''
    dt = time.monotonic() - t0
    answered = 'NOERROR' in out and ('ANSWER: 1' in out or
                                     'ANSWER: 1,' in out)
    return answered, dt


def hold(a):
    addr, port, pid, phase = a[0], int(a[1]), int(a[2]), a[3]
    sources, per, expect = srcs(a[4]), int(a[5]), int(a[6])
    probes = a[7:]
    nofile(len(sources) * per + 256)
    rss0 = rss_kb(pid)
    t0 = time.monotonic()
    socks = []
    for src in sources:
        socks += open_conns(addr, port, src, per)
    opened = len(socks)
    gone = set(closed_ones(socks, 0.5))
    held = [s for s in socks if s not in gone]
    rss1 = rss_kb(pid)
    figure('%s: %d connections opened from %d source%s in %.1f s, %d held '
           'by the server, %d closed by it'
           % (phase, opened, len(sources), '' if len(sources) == 1 else 's',
              time.monotonic() - t0, len(held), len(gone)))
    check(opened == len(sources) * per, '%s: every connection accepted'
          % phase)
    check(len(held) == expect, '%s: %d held (expected %d)'
          % (phase, len(held), expect))
    if len(sources) == 1:
        # One source lives on one worker: exactly the oldest were closed.
        check(held == socks[len(socks) - expect:],
              '%s: the connections closed were the ones idle longest' % phase)
    worst = 0.0
    for src in probes:
        ok, dt = probe(['kdig', '@' + addr, '-p', str(port), '-b', src,
                        '+tcp', '+retry=0', '+timeout=2', NAME, 'A'])
        worst = max(worst, dt)
        mine = src in sources
        check(ok and dt < 1.0, '%s: TCP query from %s (%s source) answered '
              'in %.3f s' % (phase, src, 'the same' if mine else 'another',
                             dt))
    ok, dt = probe(['dig', '@' + addr, '-p', str(port), '+notcp', '+tries=1',
                    '+time=1', NAME, 'A'])
    check(ok and dt < 1.0, '%s: UDP query answered in %.3f s' % (phase, dt))
    rss2 = rss_kb(pid)
    figure('%s: TCP answers within %.3f s, UDP %.3f s; daemon RSS %.1f MB '
           'before, %.1f MB holding, %.1f MB after the probes'
           % (phase, worst, dt, rss0 / 1024, rss1 / 1024, rss2 / 1024))
    check(rss2 < 128 * 1024, '%s: daemon RSS bounded (%.1f MB)'
          % (phase, rss2 / 1024))
    for s in socks:
        s.close()


def busy(a):
    addr, port, n, secs = a[0], int(a[1]), int(a[2]), float(a[3])
    q = b'\x12\x34\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00'
    socks = []
    deadline = time.monotonic() + 10
    while len(socks) < n and time.monotonic() < deadline:
        try:
            s = socket.create_connection((addr, port), 2)
            # half a query at once: busy from its first byte on
            s.send(struct.pack('>H', 40) + q)
        except OSError:
            continue
        socks.append(s)
    time.sleep(secs)
    for s in socks:
        s.close()


if __name__ == '__main__':
    {'hold': hold, 'busy': busy}[sys.argv[1]](sys.argv[2:])
    sys.exit(1 if FAILS else 0)
