#!/usr/bin/env python3
"""abuse.py - attacks and a well-behaved client for tests/abuse/ (loopback only).

Each subcommand runs one attack against a running mxspread while a normal
client keeps using the service, samples the daemon's RSS, prints figures
("figure: ..." lines, collected by tests/abuse/run.sh) and exits non-zero
when an assertion fails. Every loop is bounded in count and time; every
address used is a loopback address.

  abuse.py dns-slowloris  --port P --pid PID [--idle S] [--per-source N] ...
  abuse.py relay-slowloris --port RP --pid PID --max-per-source N --idle S
  abuse.py http-slowloris --port SP --pid PID [--conns N]
  abuse.py flood --port P --pid PID --zone Z --dnsperf-secs S
  abuse.py rrl --port P --pid PID --rate R --slip K --status-port SP
"""
import argparse
import errno
import os
import random
import select
import smtplib
import socket
import string
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

FAILS = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        FAILS.append(what)


def figure(text):
    print("figure: " + text, flush=True)


# ---- DNS wire ----------------------------------------------------------

def encode_name(name):
    out = b''
    for label in name.rstrip('.').split('.'):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b'\0'


def query(name, qtype=1, qid=None, edns=False, pad=0):
    if qid is None:
        qid = random.getrandbits(16)
    ar = 1 if edns or pad else 0
    pkt = struct.pack('>HHHHHH', qid, 0, 1, 0, 0, ar)
    pkt += encode_name(name) + struct.pack('>HH', qtype, 1)
    if ar:
        opts = b''
        if pad:
            opts = struct.pack('>HH', 12, pad) + b'\0' * pad
        pkt += b'\0' + struct.pack('>HHIH', 41, 1232, 0, len(opts)) + opts
    return pkt


def header(resp):
    if len(resp) < 12:
        return None
    qid, flags, qd, an, ns, ar = struct.unpack('>HHHHHH', resp[:12])
    return {'id': qid, 'qr': flags >> 15, 'tc': (flags >> 9) & 1,
            'rcode': flags & 0xf, 'qd': qd, 'an': an, 'ns': ns, 'ar': ar}


def udp_ask(addr, port, pkt, src='127.0.0.1', timeout=2.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind((src, 0))
        s.settimeout(timeout)
        s.sendto(pkt, (addr, port))
        end = time.time() + timeout
        while time.time() < end:
            data = s.recv(65535)
            if data[:2] == pkt[:2]:
                return data
        return None
    except OSError:
        return None
    finally:
        s.close()


def recv_exact(s, n):
    buf = b''
    while len(buf) < n:
        d = s.recv(n - len(buf))
        if not d:
            return None
        buf += d
    return buf


def tcp_ask(addr, port, pkt, src='127.0.0.1', timeout=2.0):
    try:
        s = socket.create_connection((addr, port), timeout, (src, 0))
    except OSError:
        return None
    try:
        s.settimeout(timeout)
        s.sendall(struct.pack('>H', len(pkt)) + pkt)
        ln = recv_exact(s, 2)
        if ln is None:
            return None
        return recv_exact(s, struct.unpack('>H', ln)[0])
    except OSError:
        return None
    finally:
        s.close()


# ---- the normal client and the RSS sampler ----------------------------

class Normal(threading.Thread):
    """A well-behaved client: one UDP and one TCP query per period."""

    def __init__(self, addr, port, src, name, qtype=15, udp=True, tcp=True,
                 period=0.1):
        super().__init__(daemon=True)
        self.addr, self.port, self.src = addr, port, src
        self.name, self.qtype = name, qtype
        self.udp, self.tcp, self.period = udp, tcp, period
        self.stop = threading.Event()
        self.n = {'udp': 0, 'tcp': 0}
        self.ok = {'udp': 0, 'tcp': 0}
        self.slowest = 0.0

    def one(self, kind):
        pkt = query(self.name, self.qtype)
        t0 = time.time()
        ask = udp_ask if kind == 'udp' else tcp_ask
        r = ask(self.addr, self.port, pkt, self.src)
        self.slowest = max(self.slowest, time.time() - t0)
        self.n[kind] += 1
        h = header(r) if r else None
        if h and h['id'] == struct.unpack('>H', pkt[:2])[0] and \
                h['rcode'] == 0 and h['an'] > 0 and not h['tc']:
            self.ok[kind] += 1

    def run(self):
        end = time.time() + 600
        while not self.stop.is_set() and time.time() < end:
            if self.udp:
                self.one('udp')
            if self.tcp:
                self.one('tcp')
            self.stop.wait(self.period)

    def rate(self, kind):
        return 100.0 * self.ok[kind] / self.n[kind] if self.n[kind] else 0.0

    def report(self, label, minimum=99.0):
        for kind in ('udp', 'tcp'):
            if not getattr(self, kind):
                continue
            figure('%s: normal %s queries answered %d/%d (%.1f%%), slowest %.2f s'
                   % (label, kind.upper(), self.ok[kind], self.n[kind],
                      self.rate(kind), self.slowest))
            check(self.n[kind] >= 10, '%s: normal %s client ran (%d queries)'
                  % (label, kind, self.n[kind]))
            check(self.rate(kind) >= minimum,
                  '%s: normal %s success %.1f%% >= %.0f%%'
                  % (label, kind, self.rate(kind), minimum))


def rss_kb(pid):
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Rss(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.before = rss_kb(pid)
        self.max = self.before
        self.after = self.before
        self.stop = threading.Event()

    def run(self):
        end = time.time() + 600
        while not self.stop.is_set() and time.time() < end:
            self.max = max(self.max, rss_kb(self.pid))
            self.stop.wait(0.2)

    def finish(self, label, limit_mb):
        self.stop.set()
        self.join(5)
        self.after = rss_kb(self.pid)
        self.max = max(self.max, self.after)
        figure('%s: RSS before %.1f MB, max %.1f MB, after %.1f MB'
               % (label, self.before / 1024, self.max / 1024, self.after / 1024))
        check(self.after > 0, '%s: daemon still running' % label)
        check(self.max - self.before < limit_mb * 1024,
              '%s: RSS growth %.1f MB < %d MB'
              % (label, (self.max - self.before) / 1024, limit_mb))


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def closed_by_peer(s):
    """True once the peer closed s (FIN or reset). Reads nothing, so a
    client that never reads stays one (TCP_INFO: not ESTABLISHED)."""
    try:
        info = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
    except OSError:
        return True
    return info[0] != 1	# TCP_ESTABLISHED


def open_conns(addr, port, src, n):
    """n TCP connections from src; the list of sockets that connected."""
    socks = []
    for _ in range(n):
        try:
            s = socket.create_connection((addr, port), 2, (src, 0))
            s.setblocking(False)
            socks.append(s)
        except OSError:
            pass
    return socks


def watch_closes(socks, until, on_tick=None):
    """Poll socks until time until; return {sock: close time}."""
    closed = {}
    while time.time() < until and len(closed) < len(socks):
        time.sleep(0.1)
        now = time.time()
        for s in socks:
            if s not in closed and closed_by_peer(s):
                closed[s] = now
        if on_tick:
            on_tick([s for s in socks if s not in closed], now)
    return closed


# ---- attacks -----------------------------------------------------------

def dns_slowloris(a):
    """Hundreds of TCP connections that trickle, stall or never read."""
    rss = Rss(a.pid)
    rss.start()
    normal = Normal('127.0.0.1', a.port, '127.0.0.1', a.name)
    normal.start()
    time.sleep(0.5)
    q = query('big.' + a.zone, 16)	# ~900 bytes of TXT: fills buffers fast
    framed = struct.pack('>H', len(q)) + q
    modes = ['trickle', 'partial', 'noread']
    socks, refused, t_open = {}, {}, {}
    for i, mode in enumerate(modes):
        src = '127.0.0.%d' % (66 + i)
        t_open[mode] = time.time()
        got = open_conns('127.0.0.1', a.port, src, a.conns)
        time.sleep(0.5)
        # Past tcp_max_per_source: closed at once by the server.
        refused[mode] = [s for s in got if closed_by_peer(s)]
        socks[mode] = [s for s in got if s not in refused[mode]]
        figure('dns-slowloris: %s from %s: %d connections held, %d closed '
               'at once' % (mode, src, len(socks[mode]), len(refused[mode])))
        check(len(socks[mode]) == a.per_source,
              'dns-slowloris: %s: %d held = tcp_max_per_source %d'
              % (mode, len(socks[mode]), a.per_source))
        check(len(refused[mode]) == a.conns - a.per_source,
              'dns-slowloris: %s: the other %d refused cleanly'
              % (mode, a.conns - a.per_source))
        for s in refused[mode]:
            s.close()
    # Start the three behaviours; each one's clock starts after its last
    # byte sent.
    start = {}
    for s in socks['trickle']:
        try:
            s.send(framed[:3])
        except OSError:
            pass
    start['trickle'] = time.time()
    for s in socks['partial']:
        try:
            s.send(framed[:10])
        except OSError:
            pass
    start['partial'] = time.time()
    for s in socks['noread']:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        try:
            for _ in range(50):	# 1000 queries, ~900 kB of answers
                s.send(framed * 20)
        except (BlockingIOError, OSError):
            pass
    start['noread'] = time.time()
    t0 = time.time()
    pos = {s: 3 for s in socks['trickle']}
    last = [t0]

    def tick(live, now):
        if now - last[0] < 1.0:
            return
        last[0] = now
        for s in live:
            if s in pos and pos[s] < len(framed) - 1:
                try:
                    s.send(framed[pos[s]:pos[s] + 1])
                    pos[s] += 1
                except OSError:
                    pass
    allsocks = socks['trickle'] + socks['partial'] + socks['noread']
    closed = watch_closes(allsocks, t0 + a.idle + 6, tick)
    for mode in modes:
        times = [closed[s] - start[mode] for s in socks[mode] if s in closed]
        still = len(socks[mode]) - len(times)
        figure('dns-slowloris: %s: %d closed by the server after %.1f..%.1f s '
               '(tcp_idle_timeout %g), %d still open'
               % (mode, len(times), min(times) if times else -1,
                  max(times) if times else -1, a.idle, still))
        check(still == 0, 'dns-slowloris: every %s connection closed' % mode)
        if times:
            check(min(times) >= a.idle - 0.5,
                  'dns-slowloris: %s connections not closed before '
                  'tcp_idle_timeout' % mode)
    sent = [pos[s] for s in socks['trickle']]
    check(max(sent) < len(framed) - 1,
          'dns-slowloris: no trickled query completed (%d of %d bytes)'
          % (max(sent), len(framed)))
    for s in allsocks:
        s.close()
    # The connections are gone: the source can connect again.
    again = open_conns('127.0.0.1', a.port, '127.0.0.66', 3)
    time.sleep(0.3)
    check(len(again) == 3 and not any(closed_by_peer(s) for s in again),
          'dns-slowloris: the source may connect again once its connections closed')
    for s in again:
        s.close()
    time.sleep(1)
    normal.stop.set()
    normal.join(10)
    normal.report('dns-slowloris')
    rss.finish('dns-slowloris', a.rss_limit)


def relay_slowloris(a):
    """Many idle client connections to the relay; a real session still works."""
    rss = Rss(a.pid)
    rss.start()
    held, rejected = [], 0
    sources = ['127.0.0.%d' % (66 + i) for i in range(a.sources)]
    for src in sources:
        got = open_conns('127.0.0.1', a.port, src, a.conns)
        time.sleep(0.5)
        n_rej = 0
        for s in got:
            # Past max_per_source: a 421 line, then EOF.
            data = b''
            try:
                data = s.recv(4096, socket.MSG_DONTWAIT)
            except OSError:
                pass
            if data.startswith(b'421'):
                n_rej += 1
                s.close()
            else:
                held.append(s)
        rejected += n_rej
        check(n_rej == a.conns - a.max_per_source,
              'relay-slowloris: %s: %d of %d refused with 421 (max_per_source %d)'
              % (src, n_rej, a.conns, a.max_per_source))
    figure('relay-slowloris: %d idle connections held from %d sources, %d '
           'refused with 421' % (len(held), len(sources), rejected))
    # Normal sessions through the relay while the idle ones are held.
    t0 = time.time()
    ok = n = 0
    while time.time() < t0 + a.idle - 0.5 and n < 50:
        n += 1
        try:
            s = smtplib.SMTP('127.0.0.1', a.port, source_address=('127.0.0.1', 0),
                             timeout=5)
            s.ehlo('client.test')
            s.sendmail('s@sender.test', ['u@example.test'],
                       b'Subject: abuse\r\n\r\nnormal mail during a slowloris\r\n')
            s.quit()
            ok += 1
        except (OSError, smtplib.SMTPException) as e:
            print('session failed: %r' % (e,))
        time.sleep(0.1)
    figure('relay-slowloris: normal SMTP sessions through the relay '
           '%d/%d (%.1f%%)' % (ok, n, 100.0 * ok / max(n, 1)))
    check(n >= 5 and ok == n, 'relay-slowloris: every normal session delivered')
    closed = watch_closes(held, t0 + a.idle + 5)
    times = [closed[s] - t0 for s in held if s in closed]
    figure('relay-slowloris: %d of %d idle connections closed by the relay '
           '(idle_timeout %g)' % (len(times), len(held), a.idle))
    check(len(times) == len(held), 'relay-slowloris: every idle connection closed')
    for s in held:
        s.close()
    rss.finish('relay-slowloris', a.rss_limit)


def http_slowloris(a):
    """Partial HTTP requests held open; /healthz must answer quickly."""
    rss = Rss(a.pid)
    rss.start()
    held = open_conns('127.0.0.1', a.port, '127.0.0.66', a.conns)
    for i, s in enumerate(held):
        try:
            if i % 2:
                s.send(b'GET /status.json HTTP/1.1\r\nHost: x\r\n')
            else:
                s.send(b'GE')
        except OSError:
            pass
    figure('http-slowloris: %d partial requests held' % len(held))
    check(len(held) >= a.conns * 9 // 10, 'http-slowloris: connections opened')
    n = ok = 0
    slowest = 0.0
    t0 = time.time()
    last = t0
    while time.time() < t0 + a.secs and n < 500:
        if time.time() - last >= 1:
            last = time.time()
            for s in held:	# one more header byte a second
                try:
                    s.send(b'X')
                except OSError:
                    pass
        n += 1
        t1 = time.time()
        try:
            with urllib.request.urlopen('http://127.0.0.1:%d/healthz' % a.port,
                                        timeout=2) as r:
                if r.status == 200:
                    ok += 1
        except OSError as e:
            print('healthz failed: %r' % (e,))
        slowest = max(slowest, time.time() - t1)
        time.sleep(0.1)
    figure('http-slowloris: /healthz answered %d/%d (%.1f%%), slowest %.3f s'
           % (ok, n, 100.0 * ok / max(n, 1), slowest))
    check(n >= 10 and ok * 100 >= n * 99, 'http-slowloris: /healthz kept answering')
    check(slowest < 1.0, 'http-slowloris: /healthz under 1 s')
    for s in held:
        s.close()
    rss.finish('http-slowloris', a.rss_limit)


def rand_label(n):
    return ''.join(random.choice(string.ascii_lowercase + string.digits)
                   for _ in range(n))


def dnsperf_run(a, datafile, label, extra):
    cmd = ['dnsperf', '-s', '127.0.0.1', '-p', str(a.port), '-d', datafile,
           '-l', str(a.secs), '-c', '4', '-q', '200', '-t', '2'] + extra
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         timeout=a.secs + 30).stdout.decode(errors='replace')
    sent = done = lost = 0
    qps = 0.0
    for line in out.splitlines():
        w = line.split()
        if line.strip().startswith('Queries sent:'):
            sent = int(w[2])
        elif line.strip().startswith('Queries completed:'):
            done = int(w[2])
        elif line.strip().startswith('Queries lost:'):
            lost = int(w[2])
        elif line.strip().startswith('Queries per second:'):
            qps = float(w[3])
    figure('flood %s: dnsperf sent %d, completed %d, lost %d, %.0f q/s'
           % (label, sent, done, lost, qps))
    check(sent > 1000 and done * 100 >= sent * 99,
          'flood %s: dnsperf got answers (%d/%d)' % (label, done, sent))
    return out


def flood(a):
    """Random-name NXDOMAIN flood, then maximum-size padded queries."""
    tmp = tempfile.mkdtemp(prefix='mxs-abuse-')
    nx = os.path.join(tmp, 'nx')
    big = os.path.join(tmp, 'big')
    zone = a.zone.rstrip('.')
    with open(nx, 'w') as f:
        for _ in range(50000):
            f.write('%s.%s A\n' % (rand_label(random.randint(4, 20)), zone))
    # Names of 250+ bytes: four labels of up to 63 random characters.
    room = 253 - len(zone) - 1
    with open(big, 'w') as f:
        for _ in range(20000):
            labels, left = [], room
            while left > 2:
                n = min(63, left - 1)
                labels.append(rand_label(n))
                left -= n + 1
            f.write('%s.%s TXT\n' % ('.'.join(labels), zone))
    for label, data, extra in (
            ('nxdomain', nx, []),
            ('maxsize', big, ['-E', '12:' + '00' * 1200])):
        rss = Rss(a.pid)
        rss.start()
        normal = Normal('127.0.0.1', a.port, '127.0.0.2', a.name, tcp=True)
        normal.start()
        dnsperf_run(a, data, label, extra)
        normal.stop.set()
        normal.join(10)
        normal.report('flood %s' % label)
        rss.finish('flood %s' % label, a.rss_limit)
    for p in (nx, big):
        os.unlink(p)
    os.rmdir(tmp)


def metrics(port):
    out = {}
    with urllib.request.urlopen('http://127.0.0.1:%d/metrics' % port,
                                timeout=5) as r:
        for line in r.read().decode().splitlines():
            if line.startswith('mxspread_rrl') or line.startswith('mxspread_dns_tcp'):
                k, v = line.rsplit(' ', 1)
                out[k] = int(float(v))
    return out


def udp_flood(a, src, make):
    """About 2000 queries a second from src for a.secs seconds, then 1 s
    for the last answers. Returns (sent, full answers, TC=1, seconds)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    s.setblocking(False)
    sent = full = tc = 0
    t0 = time.time()

    def count(d):
        h = header(d)
        return (1, 0) if h and h['tc'] else (0, 1) if h else (0, 0)
    while time.time() < t0 + a.secs:
        for _ in range(20):
            try:
                s.sendto(make(), ('127.0.0.1', a.port))
                sent += 1
            except BlockingIOError:
                pass
        time.sleep(0.01)
        while True:
            try:
                t, f = count(s.recv(65535))
            except BlockingIOError:
                break
            tc += t
            full += f
    end = time.time() + 1
    while time.time() < end:
        r, _, _ = select.select([s], [], [], 0.2)
        if r:
            t, f = count(s.recv(65535))
            tc += t
            full += f
    secs = time.time() - t0
    s.close()
    return sent, full, tc, secs


def rrl(a):
    """A flood from a non-exempt source is limited; others are not."""
    rss = Rss(a.pid)
    rss.start()
    m0 = metrics(a.status_port)
    # A bystander in another /24, well under the rate.
    other = Normal('127.0.0.1', a.port, '127.0.1.5', a.name, tcp=False,
                   period=0.2)
    other.start()
    sent, full, tc, secs = udp_flood(a, '127.0.0.66',
                                     lambda: query(a.name, 15, edns=True))
    limited = sent - full
    figure('rrl: flood from 127.0.0.66: %d queries in %.1f s, %d full answers '
           '(rate %d/s), %d TC=1 slips, %d dropped'
           % (sent, secs, full, a.rate, tc, limited - tc))
    check(sent >= 1000, 'rrl: flood sent %d queries' % sent)
    check(full <= a.rate * (secs + 2),
          'rrl: full answers %d <= rate x seconds (%d)' % (full, a.rate * (secs + 2)))
    check(full >= a.rate, 'rrl: at least one second of credit answered')
    check(limited >= sent * 8 // 10, 'rrl: most responses limited')
    if a.slip > 0:
        exp = limited / a.slip
        check(abs(tc - exp) <= exp * 0.1 + 4,
              'rrl: about every %dth limited response slipped (%d, expected %.0f)'
              % (a.slip, tc, exp))
    # Over TCP the limited source is answered in full.
    tcp_ok = 0
    for _ in range(10):
        r = tcp_ask('127.0.0.1', a.port, query(a.name, 15), '127.0.0.66')
        h = header(r) if r else None
        if h and h['rcode'] == 0 and h['an'] > 0 and not h['tc']:
            tcp_ok += 1
    figure('rrl: TCP queries from the limited source answered %d/10' % tcp_ok)
    check(tcp_ok == 10, 'rrl: TCP is not limited')
    # Random names (NXDOMAIN): one account for the zone, not one per name.
    zone = a.zone.rstrip('.')
    nsent, nfull, ntc, nsecs = udp_flood(
        a, '127.0.0.67', lambda: query('%s.%s' % (rand_label(12), zone), 1))
    figure('rrl: random-name NXDOMAIN flood from 127.0.0.67: %d queries, '
           '%d full answers, %d TC=1' % (nsent, nfull, ntc))
    check(nfull <= a.rate * (nsecs + 2),
          'rrl: random NXDOMAIN names share one account (%d full answers)'
          % nfull)
    limited += nsent - nfull
    tc += ntc
    # The exempt source is not limited either.
    ex = Normal('127.0.0.1', a.port, '127.0.0.1', a.name, tcp=False, period=0)
    ex.start()
    time.sleep(1)
    ex.stop.set()
    ex.join(10)
    ex.report('rrl exempt 127.0.0.1', 100.0)
    other.stop.set()
    other.join(10)
    other.report('rrl other prefix 127.0.1.5', 100.0)
    m1 = metrics(a.status_port)
    d = {k: m1.get(k, 0) - m0.get(k, 0) for k in m1}
    lim = d.get('mxspread_rrl_limited_total', 0)
    sl = d.get('mxspread_rrl_responses_total{action="slipped"}', 0)
    dr = d.get('mxspread_rrl_responses_total{action="dropped"}', 0)
    figure('rrl: counters limited %d, slipped %d, dropped %d' % (lim, sl, dr))
    check(lim == sl + dr, 'rrl: limited = slipped + dropped')
    check(lim == limited, 'rrl: limited counter %d = client-side count %d'
          % (lim, limited))
    check(sl == tc, 'rrl: slipped counter %d = TC=1 responses received %d'
          % (sl, tc))
    rss.finish('rrl', a.rss_limit)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('attack')
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--pid', type=int, required=True)
    p.add_argument('--name', default='mail.example.com.')
    p.add_argument('--zone', default='mail.example.com.')
    p.add_argument('--idle', type=float, default=3)
    p.add_argument('--per-source', type=int, default=100)
    p.add_argument('--conns', type=int, default=150)
    p.add_argument('--sources', type=int, default=3)
    p.add_argument('--max-per-source', type=int, default=20)
    p.add_argument('--secs', type=int, default=10)
    p.add_argument('--rate', type=int, default=50)
    p.add_argument('--slip', type=int, default=2)
    p.add_argument('--status-port', type=int, default=0)
    p.add_argument('--rss-limit', type=int, default=20)
    a = p.parse_args()
    fn = {'dns-slowloris': dns_slowloris, 'relay-slowloris': relay_slowloris,
          'http-slowloris': http_slowloris, 'flood': flood, 'rrl': rrl}[a.attack]
    fn(a)
    check(alive(a.pid), '%s: daemon alive at the end' % a.attack)
    if FAILS:
        print('%d check(s) failed' % len(FAILS))
        sys.exit(1)


if __name__ == '__main__':
    main()
