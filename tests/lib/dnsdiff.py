#!/usr/bin/env python3
"""dnsdiff.py - differential DNS test: mxspread against reference servers.

  dnsdiff.py zone FILE
      write the conformance zone (a plain master file, valid for NSD/Knot)
  dnsdiff.py compare --test HOST:PORT --ref HOST:PORT [--ref2 HOST:PORT]
                     [--all] [--max-print N] [--seed N]
      send the same queries (thousands: names x types, EDNS, flags, classes,
      opcodes, malformed packets) to every server, normalise the responses
      and print every difference grouped by kind. Known, documented
      differences (see KNOWN below and dnsd/query.h) are counted apart
      unless --all. Exit 0 when no unexpected difference, 1 otherwise.
      Also checks on the tested server alone: UDP answers within the
      client's limit, no answer to QR=1, answer id/question echoed.

Only loopback addresses are used; every loop is bounded.
"""
import argparse
import random
import socket
import struct
import sys
import time
from collections import defaultdict

ORIGIN = 'mail.example.com.'
L40 = 'l' * 40
L63A, L63B, L63C = 'a' * 63, 'b' * 63, 'c' * 63
LONG = '%s.%s.%s.%s' % (L40, L63A, L63B, L63C)	# + origin: 251 octets


def zone_text():
    z = []
    a = z.append
    a('$ORIGIN mail.example.com.')
    a('$TTL 3600')
    a('@ 3600 IN SOA ns1 hostmaster 2026112701 3600 600 86400 60')
    a('@ NS ns1')
    a('@ NS ns2.example.net.')
    a('@ 300 MX 10 mx1')
    a('@ 300 MX 20 mx2')
    a('@ TXT "v=spf1 mx -all"')
    a('@ A 192.0.2.1')
    a('@ AAAA 2001:db8::1')
    a('ns1 A 192.0.2.53')
    a('ns1 AAAA 2001:db8::53')
    a('mx1 120 A 192.0.2.11')
    a('mx1 120 AAAA 2001:db8::11')
    a('mx2 A 192.0.2.12')
    a('MiXeD.Case A 192.0.2.13')
    a('mx3 MX 10 MiXeD.Case')
    # CNAMEs
    a('www 900 CNAME mx1')
    a('alias 700 CNAME www')
    a('ext CNAME mail.other.org.')
    a('loop1 CNAME loop2')
    a('loop2 CNAME loop1')
    a('self CNAME self')
    a('tocw CNAME foo.wild')
    a('tocwmx CNAME bar.mxwild')
    a('todeleg CNAME host.sub')
    a('todelegcut CNAME sub')
    a('tonx CNAME nothere')
    a('toent CNAME ent')
    a('toapex CNAME @')
    a('toext2 CNAME www.example.net.')
    for i in range(1, 12):
        a('chain%d CNAME chain%d' % (i, i + 1))
    a('chain12 A 192.0.2.112')
    a('tochainmx CNAME mx3')
    # wildcards
    a('*.wild 600 A 192.0.2.99')
    a('*.wild 600 MX 10 mx1')
    a('*.wild 600 TXT "wild"')
    a('host.wild A 192.0.2.5')
    a('ent.x.wild A 192.0.2.6')        # x.wild: ENT, the wildcard must not match it
    a('*.cwild CNAME mx1')
    a('*.cwild2 CNAME nothere2')
    a('*.cwild3 CNAME ext.cwild3.example.org.')
    a('*.mxwild MX 10 mx2')
    a('*.mxwild MX 20 host.wild')
    a('a.b.ent A 192.0.2.7')
    a('*.ent A 192.0.2.8')             # wildcard beside ENT b.ent
    a('*.lvl.ent2 A 192.0.2.9')        # wildcard below ENTs lvl.ent2, ent2
    a('*.deep A 192.0.2.10')           # a wildcard that has children
    a('x.*.deep A 192.0.2.14')
    a('*.*.deep2 A 192.0.2.15')
    a('*.nsw NS ns1')                  # not served by NSD? keep out: see below
    # delegations
    a('sub NS ns.sub')
    a('sub NS ns.outside.net.')
    a('ns.sub A 192.0.2.77')
    a('ns.sub AAAA 2001:db8::77')
    a('other.sub A 192.0.2.78')        # occluded, glue-only
    a('sub2 NS ns1.example.net.')      # NS out of zone
    a('sub2 NS ns2.example.net.')
    a('sub2 DS 12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE9C1A5EB3A7B1E1A0 9C1B4E2D')
    a('mixed NS ns.mixed')
    a('mixed NS ns1')
    a('mixed NS ns.other.org.')
    a('ns.mixed A 192.0.2.79')
    a('ns.mixed AAAA 2001:db8::79')
    a('sib NS ns.sub')                 # sibling glue
    a('sib NS ns.sib')
    a('ns.sib A 192.0.2.80')
    a('wild.sub3 NS ns.wild.sub3')
    a('ns.wild.sub3 A 192.0.2.81')
    a('*.sub3 A 192.0.2.82')
    # big delegation: glue over 512
    for i in range(1, 14):
        a('bigdeleg NS ns%d.bigdeleg' % i)
        a('ns%d.bigdeleg A 192.0.2.%d' % (i, 150 + i))
        a('ns%d.bigdeleg AAAA 2001:db8::%d' % (i, 150 + i))
    # other types
    a('_sip._tcp SRV 10 60 5060 sip')
    a('_smtp._tcp SRV 0 0 25 mx1')
    a('sip A 192.0.2.40')
    a('ptr PTR mx1.mail.example.com.')
    a('caa CAA 0 issue "letsencrypt.org"')
    a('naptr NAPTR 100 10 "S" "SIP+D2U" "" _sip._udp')
    a('sshfp SSHFP 1 1 123456789abcdef67890123456789abcdef67890')
    a('hinfo HINFO "PC" "Linux"')
    a('manytxt TXT ' + ' '.join('"s%02d"' % i for i in range(40)))
    a('unk TYPE65534 \\# 4 0A000001')
    a('unk2 TYPE4321 \\# 0')
    a('esc\\.aped A 192.0.2.50')
    a('sp\\032ace A 192.0.2.51')
    a('UPPER.Case A 192.0.2.52')
    a('%s A 192.0.2.55' % LONG)
    a('multi A 192.0.2.60')
    a('multi AAAA 2001:db8::60')
    a('multi TXT "multi"')
    a('multi MX 5 mx1')
    a('ord TXT "first"')           # ANY: which RRset comes first
    a('ord MX 10 mx1')
    a('ord A 192.0.2.61')
    a('ord2 AAAA 2001:db8::62')
    a('ord2 TXT "ord2"')
    a('ord2 HINFO "a" "b"')
    for i in range(1, 9):
        a('big TXT "%s%03d"' % ('b' * 97, i))
    for i in range(1, 16):
        a('huge TXT "%s%03d"' % ('h' * 97, i))
    for i in range(1, 13):
        a('bigmx MX %d t%d.bigmx' % (i * 10, i))
        a('t%d.bigmx A 192.0.2.%d' % (i, 100 + i))
        a('t%d.bigmx AAAA 2001:db8::%d' % (i, 100 + i))
    for i in range(1, 40):
        a('manya A 10.0.0.%d' % i)
    return '\n'.join(l for l in z if not l.startswith('*.nsw')) + '\n'


# ---------------------------------------------------------------- wire

T = {'A': 1, 'NS': 2, 'MD': 3, 'CNAME': 5, 'SOA': 6, 'NULL': 10, 'PTR': 12,
     'HINFO': 13, 'MX': 15, 'TXT': 16, 'AAAA': 28, 'SRV': 33, 'NAPTR': 35,
     'DNAME': 39, 'OPT': 41, 'DS': 43, 'SSHFP': 44, 'RRSIG': 46, 'NSEC': 47,
     'DNSKEY': 48, 'NSEC3': 50, 'NSEC3PARAM': 51, 'SVCB': 64, 'HTTPS': 65,
     'CAA': 257, 'TKEY': 249, 'TSIG': 250, 'IXFR': 251, 'AXFR': 252,
     'MAILB': 253, 'MAILA': 254, 'ANY': 255, 'TYPE0': 0, 'TYPE65535': 65535,
     'TYPE65534': 65534, 'TYPE4321': 4321}
TN = {v: k for k, v in T.items()}


def enc_name(name):
    """Presentation (\\. and \\DDD escapes) to wire."""
    if name in ('.', ''):
        return b'\0'
    out, label, i = b'', b'', 0
    while i < len(name):
        c = name[i]
        if c == '\\':
            if name[i + 1:i + 4].isdigit():
                label += bytes([int(name[i + 1:i + 4])])
                i += 4
            else:
                label += name[i + 1].encode()
                i += 2
            continue
        if c == '.':
            out += bytes([len(label)]) + label
            label = b''
        else:
            label += c.encode()
        i += 1
    if label:
        out += bytes([len(label)]) + label
    return out + b'\0'


def rand_case(wire, rnd):
    b = bytearray(wire)
    for i in range(len(b)):
        if 97 <= b[i] <= 122 and rnd.random() < 0.5:
            b[i] -= 32
    return bytes(b)


def build(qname, qtype, qclass=1, flags=0x0000, qid=None, edns=None,
          opcode=0, rnd=None):
    """edns: None or dict(size, version, do, opts=[(code, bytes)], flags)."""
    qid = rnd.randrange(65536) if qid is None else qid
    fl = flags | ((opcode & 15) << 11)
    ar = 1 if edns is not None else 0
    p = struct.pack('>HHHHHH', qid, fl, 1, 0, 0, ar)
    p += qname + struct.pack('>HH', qtype, qclass)
    if edns is not None:
        p += opt_rr(edns)
    return p


def tsig_rr(key='k1.', alg='hmac-sha256.'):
    rd = enc_name(alg) + struct.pack('>HIH', 0, 1795815721, 300)
    rd += struct.pack('>H', 32) + b'\x55' * 32 + struct.pack('>HHH', 4321, 0, 0)
    return enc_name(key) + struct.pack('>HHIH', 250, 255, 0, len(rd)) + rd


def opt_rr(e):
    rd = b''.join(struct.pack('>HH', c, len(v)) + v for c, v in e.get('opts', []))
    ttl = (e.get('ercode', 0) << 24) | (e.get('version', 0) << 16) | \
        (0x8000 if e.get('do') else 0) | e.get('z', 0)
    return b'\0' + struct.pack('>HHIH', 41, e.get('size', 1232), ttl, len(rd)) + rd


class Bad(Exception):
    pass


def rd_name(m, off, depth=0):
    labels = []
    end = None
    hops = 0
    while True:
        if off >= len(m):
            raise Bad('name past end')
        c = m[off]
        if c & 0xC0 == 0xC0:
            if off + 1 >= len(m):
                raise Bad('ptr past end')
            if end is None:
                end = off + 2
            off = ((c & 0x3F) << 8) | m[off + 1]
            hops += 1
            if hops > 64:
                raise Bad('ptr loop')
            continue
        if c & 0xC0:
            raise Bad('label type')
        if c == 0:
            if end is None:
                end = off + 1
            break
        labels.append(m[off + 1:off + 1 + c])
        off += 1 + c
    return labels, end


def ptext(labels, lower=True):
    s = '.'.join(''.join(chr(b) if 33 <= b < 127 and b not in (46, 92) else '\\%03d' % b
                         for b in l) for l in labels) + '.'
    return s.lower() if lower else s


def rdata_text(m, t, off, rdlen):
    end = off + rdlen
    try:
        if t in (2, 5, 12, 39):
            n, _ = rd_name(m, off)
            return ptext(n)
        if t == 15:
            n, _ = rd_name(m, off + 2)
            return '%d %s' % (struct.unpack('>H', m[off:off + 2])[0], ptext(n))
        if t == 33:
            n, _ = rd_name(m, off + 6)
            return '%d %d %d %s' % (struct.unpack('>HHH', m[off:off + 6]) + (ptext(n),))
        if t == 6:
            a, o = rd_name(m, off)
            b, o = rd_name(m, o)
            return '%s %s %s' % (ptext(a), ptext(b), ' '.join(str(x) for x in struct.unpack('>IIIII', m[o:o + 20])))
        if t == 250 and rdlen >= 6:	# TSIG: original ID left out
            return m[off:end - 6].hex() + m[end - 4:end].hex()
        if t == 1 and rdlen == 4:
            return socket.inet_ntop(socket.AF_INET, m[off:end])
        if t == 28 and rdlen == 16:
            return socket.inet_ntop(socket.AF_INET6, m[off:end])
    except (Bad, struct.error, ValueError):
        pass
    return m[off:end].hex()


def parse(m):
    if len(m) < 12:
        raise Bad('short')
    qid, fl, qd, an, ns, ar = struct.unpack('>HHHHHH', m[:12])
    r = {'id': qid, 'flags': fl, 'rcode': fl & 15, 'counts': (qd, an, ns, ar),
         'q': [], 'an': [], 'ns': [], 'ar': [], 'opt': None, 'len': len(m)}
    off = 12
    for _ in range(qd):
        n, off = rd_name(m, off)
        if off + 4 > len(m):
            raise Bad('question')
        r['q'].append((ptext(n, False), struct.unpack('>HH', m[off:off + 4])))
        off += 4
    for sec, cnt in (('an', an), ('ns', ns), ('ar', ar)):
        for _ in range(cnt):
            n, off = rd_name(m, off)
            if off + 10 > len(m):
                raise Bad('rr header')
            t, c, ttl, rdlen = struct.unpack('>HHIH', m[off:off + 10])
            off += 10
            if off + rdlen > len(m):
                raise Bad('rdata')
            if t == 41:
                opts, o = [], off
                while o + 4 <= off + rdlen:
                    oc, ol = struct.unpack('>HH', m[o:o + 4])
                    opts.append((oc, m[o + 4:o + 4 + ol].hex()))
                    o += 4 + ol
                r['opt'] = {'size': c, 'ercode': ttl >> 24, 'version': (ttl >> 16) & 255,
                            'do': bool(ttl & 0x8000), 'opts': opts, 'owner': ptext(n)}
            else:
                r[sec].append((ptext(n), t, c, ttl, rdata_text(m, t, off, rdlen)))
            off += rdlen
    if off != len(m):
        raise Bad('trailing bytes')
    return r


def ask(addr, pkt, tcp=False, timeout=0.6):
    host, port = addr
    fam = socket.AF_INET6 if ':' in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        if tcp:
            s.connect((host, port))
            s.sendall(struct.pack('>H', len(pkt)) + pkt)
            hdr = b''
            while len(hdr) < 2:
                d = s.recv(2 - len(hdr))
                if not d:
                    return None
                hdr += d
            n = struct.unpack('>H', hdr)[0]
            buf = b''
            while len(buf) < n:
                d = s.recv(n - len(buf))
                if not d:
                    return None
                buf += d
            return buf
        s.sendto(pkt, (host, port))
        deadline = time.time() + timeout
        while time.time() < deadline:
            d, _ = s.recvfrom(65535)
            if len(d) >= 2 and d[:2] == pkt[:2]:
                return d
        return None
    except (socket.timeout, ConnectionError, OSError):
        return None
    finally:
        s.close()


# ---------------------------------------------------------------- queries

def names():
    base = ['', 'ns1', 'mx1', 'mx2', 'mixed.case', 'mx3', 'www', 'alias', 'ext',
            'loop1', 'loop2', 'self', 'tocw', 'tocwmx', 'todeleg', 'todelegcut',
            'tonx', 'toent', 'toapex', 'toext2', 'chain1', 'chain5', 'chain12',
            'tochainmx', 'foo.wild', 'a.b.wild', '*.wild', 'host.wild',
            'x.host.wild', 'x.wild', 'ent.x.wild', 'y.x.wild', 'wild',
            'foo.cwild', 'foo.cwild2', 'foo.cwild3', 'foo.mxwild', '*.mxwild',
            'b.ent', 'ent', 'a.b.ent', 'x.ent', 'x.b.ent', 'y.a.b.ent',
            'lvl.ent2', 'ent2', 'q.lvl.ent2', 'q.r.lvl.ent2', 'x.ent2',
            'deep', '*.deep', 'x.*.deep', 'y.deep', 'x.y.deep', 'z.*.deep',
            'x.deep', 'a.b.deep2', 'c.deep2', '*.deep2', '*.*.deep2',
            'sub', 'x.sub', 'ns.sub', 'other.sub', 'a.ns.sub', 'host.sub',
            'sub2', 'x.sub2', 'mixed', 'ns.mixed', 'x.mixed', 'sib', 'ns.sib',
            'sub3', 'wild.sub3', 'x.wild.sub3', 'ns.wild.sub3', 'foo.sub3',
            'bigdeleg', 'x.bigdeleg', 'ns1.bigdeleg',
            '_sip._tcp', '_smtp._tcp', '_tcp', 'sip', 'ptr', 'caa', 'naptr',
            'sshfp', 'hinfo', 'manytxt', 'unk', 'unk2', 'esc\\.aped',
            'sp\\032ace', 'upper.case', 'case', 'multi', 'ord', 'ord2', 'big', 'huge', 'bigmx',
            't1.bigmx', 'manya', 'nx', 'nx.nx', 'a.nx.nx', 'x.mx1', 'x.y.mx1',
            'x.www', LONG, 'x.' + LONG, 'xyz.' + LONG, 'nxlong' * 8]
    out = [(b + '.' if b else '') + ORIGIN for b in base]
    out += ['example.com.', 'other.org.', '.', 'com.', 'xmail.example.com.',
            'mail.example.com.evil.', 'ail.example.com.']
    return out


QTYPES = ['A', 'NS', 'CNAME', 'SOA', 'PTR', 'HINFO', 'MX', 'TXT', 'AAAA',
          'SRV', 'NAPTR', 'DS', 'SSHFP', 'RRSIG', 'NSEC', 'DNSKEY', 'CAA',
          'TYPE65534', 'TYPE4321', 'TYPE0', 'TYPE65535', 'ANY', 'AXFR', 'IXFR',
          'MAILA', 'MAILB', 'TSIG', 'TKEY', 'OPT', 'NULL', 'DNAME', 'HTTPS']


def queries(seed):
    """(label, packet, tcp) tuples."""
    rnd = random.Random(seed)
    qs = []
    E0 = {'size': 1232}
    ns = names()
    for n in ns:
        w = enc_name(n)
        for t in QTYPES:
            qs.append(('%s/%s' % (n, t), build(rand_case(w, rnd), T[t], rnd=rnd, edns=E0), False))
    # EDNS sizes, DO, no EDNS, TCP on names with big answers
    bigs = [ORIGIN, 'big.' + ORIGIN, 'huge.' + ORIGIN, 'bigmx.' + ORIGIN,
            'bigdeleg.' + ORIGIN, 'x.bigdeleg.' + ORIGIN, 'manytxt.' + ORIGIN,
            'manya.' + ORIGIN, 'sub.' + ORIGIN, 'mixed.' + ORIGIN, 'nx.' + ORIGIN,
            LONG + '.' + ORIGIN, 'xyz.' + LONG + '.' + ORIGIN, 'chain1.' + ORIGIN]
    for n in bigs:
        w = enc_name(n)
        for t in ['A', 'AAAA', 'MX', 'TXT', 'NS', 'ANY', 'SOA']:
            for e in [None, {'size': 0}, {'size': 511}, {'size': 512}, {'size': 1232},
                      {'size': 1400}, {'size': 4096}, {'size': 65535},
                      {'size': 1232, 'do': True}]:
                qs.append(('%s/%s/edns=%s' % (n, t, e), build(rand_case(w, rnd), T[t], edns=e, rnd=rnd), False))
            qs.append(('%s/%s/tcp' % (n, t), build(w, T[t], rnd=rnd), True))
            qs.append(('%s/%s/tcp+edns' % (n, t), build(w, T[t], rnd=rnd, edns=E0), True))
    # EDNS variants on a few names
    for n in [ORIGIN, 'www.' + ORIGIN, 'nx.' + ORIGIN, 'sub.' + ORIGIN, 'example.com.']:
        w = enc_name(n)
        for lab, e in [('v1', {'version': 1}), ('v255', {'version': 255}),
                       ('z', {'z': 0x4000}), ('unkopt', {'opts': [(65001, b'abc')]}),
                       ('nsid', {'opts': [(3, b'')]}),
                       ('cookie-client', {'opts': [(10, b'12345678')]}),
                       ('cookie-full', {'opts': [(10, b'12345678' + b'abcdefgh12345678')]}),
                       ('cookie-bad', {'opts': [(10, b'1234')]}),
                       ('padding', {'opts': [(12, b'\0' * 20)]}),
                       ('ecs', {'opts': [(8, bytes.fromhex('00011800c00002'))]}),
                       ('expire', {'opts': [(9, b'')]}),
                       ('keepalive', {'opts': [(11, b'')]}),
                       ('two-opts', {'opts': [(65001, b''), (65002, b'x')]}),
                       ('ercode', {'ercode': 1}), ('do', {'do': True})]:
            for t in ['A', 'MX', 'SOA']:
                qs.append(('%s/%s/edns-%s' % (n, t, lab), build(w, T[t], edns=e, rnd=rnd), False))
    # classes, opcodes, flags
    for n in [ORIGIN, 'www.' + ORIGIN, 'nx.' + ORIGIN, 'version.bind.', 'id.server.',
              'hostname.bind.', 'version.server.', 'example.com.']:
        w = enc_name(n)
        for cl, cv in [('IN', 1), ('CH', 3), ('HS', 4), ('NONE', 254), ('ANY', 255), ('C0', 0), ('C9', 9)]:
            for t in ['A', 'TXT', 'SOA', 'ANY']:
                for e in [None, E0]:
                    qs.append(('%s/%s/class=%s/edns=%s' % (n, t, cl, e is not None),
                               build(w, T[t], qclass=cv, edns=e, rnd=rnd), False))
    for n in [ORIGIN, 'www.' + ORIGIN, 'nx.' + ORIGIN, 'example.com.']:
        w = enc_name(n)
        for op in range(1, 16):
            for e in [None, E0]:
                qs.append(('%s/op=%d/edns=%s' % (n, op, e is not None),
                           build(w, 6, opcode=op, edns=e, rnd=rnd), False))
        for fl, fv in [('RD', 0x100), ('CD', 0x10), ('AD', 0x20), ('TC', 0x200),
                       ('Z', 0x40), ('RA', 0x80), ('AA', 0x400), ('all', 0x7f0)]:
            for e in [None, E0]:
                qs.append(('%s/flag=%s/edns=%s' % (n, fl, e is not None),
                           build(w, 1, flags=fv, edns=e, rnd=rnd), False))
        for t in ['AXFR', 'IXFR']:
            qs.append(('%s/%s/tcp' % (n, t), build(w, T[t], rnd=rnd), True))
    # malformed
    w = enc_name('www.' + ORIGIN)
    h = lambda qd, an=0, ns=0, ar=0, fl=0: struct.pack('>HHHHHH', rnd.randrange(65536), fl, qd, an, ns, ar)
    q1 = w + struct.pack('>HH', 1, 1)
    rr = b'\xc0\x0c' + struct.pack('>HHIH', 1, 1, 60, 4) + b'\1\2\3\4'
    mal = [
        ('qd0', h(0)),
        ('qd0+edns', h(0, ar=1) + opt_rr({})),
        ('qd0+cookie', h(0, ar=1) + opt_rr({'opts': [(10, b'12345678')]})),
        ('qd2', h(2) + q1 + q1),
        ('qd2-one', h(2) + q1),
        ('an1', h(1, an=1) + q1 + rr),
        ('ns1', h(1, ns=1) + q1 + rr),
        ('ar-a', h(1, ar=1) + q1 + rr),
        ('an-count-nodata', h(1, an=1) + q1),
        ('ar-count-nodata', h(1, ar=1) + q1),
        ('trailing', h(1) + q1 + b'\0\0\0'),
        ('trailing+edns', h(1, ar=1) + q1 + opt_rr({}) + b'xx'),
        ('short-q', h(1) + w[:-3]),
        ('no-qtype', h(1) + w),
        ('half-qtype', h(1) + w + b'\0\1\0'),
        ('ptr-qname', h(1) + b'\xc0\x0c' + struct.pack('>HH', 1, 1)),
        ('ptr-qname-fwd', h(1) + b'\3www\xc0\x20' + struct.pack('>HH', 1, 1) + b'\0' * 10),
        ('label64', h(1) + b'\x40' + b'a' * 64 + b'\0' + struct.pack('>HH', 1, 1)),
        ('label-0x80', h(1) + b'\x80' + b'\0' + struct.pack('>HH', 1, 1)),
        ('name256', h(1) + (b'\x3f' + b'a' * 63) * 4 + b'\0' + struct.pack('>HH', 1, 1)),
        ('name255-ok', h(1) + (b'\x3f' + b'a' * 63) * 3 + b'\x3d' + b'a' * 61 + b'\0' + struct.pack('>HH', 1, 1)),
        ('two-opt', h(1, ar=2) + q1 + opt_rr({}) + opt_rr({})),
        ('opt-nonroot', h(1, ar=1) + q1 + b'\1a\0' + opt_rr({})[1:]),
        ('opt-badlen', h(1, ar=1) + q1 + b'\0' + struct.pack('>HHIH', 41, 1232, 0, 5) + b'\0\1\0\5x'),
        ('opt-rdlen-past', h(1, ar=1) + q1 + b'\0' + struct.pack('>HHIH', 41, 1232, 0, 10)),
        ('opt-short', h(1, ar=1) + q1 + b'\0\0\x29'),
        ('opt-v1-bad', h(1, ar=1) + q1 + b'\0' + struct.pack('>HHIH', 41, 1232, 0x10000, 3) + b'\0\1\0'),
        ('header-only-11', h(1)[:11]),
        ('empty', b''),
        ('one-byte', b'\0'),
        ('qr1', h(1, fl=0x8000) + q1),
        ('qr1-nxquery', h(1, fl=0x8000 | 0x0400) + q1),
        ('qr1-short', h(0, fl=0x8000)),
        ('notify', h(1, fl=0x2000) + q1),
        ('notify+soa', h(1, fl=0x2400) + enc_name(ORIGIN) + struct.pack('>HH', 6, 1)),
        ('update', h(1, fl=0x2800) + enc_name(ORIGIN) + struct.pack('>HH', 6, 1)),
        ('update-qd0', h(0, fl=0x2800)),
        ('op3-qd0', h(0, fl=0x1800)),
        ('tsig-ar', h(1, ar=1) + q1 + b'\3key\0' + struct.pack('>HHIH', 250, 255, 0, 0)),
        ('opt+a-ar', h(1, ar=2) + q1 + opt_rr({}) + rr),
        ('opt-after-tsig', h(1, ar=2) + q1 + b'\3key\0' + struct.pack('>HHIH', 250, 255, 0, 0) + opt_rr({})),
        ('root-q', h(1) + b'\0' + struct.pack('>HH', 1, 1)),
        ('tsig-badkey', h(1, ar=1) + q1 + tsig_rr()),
        ('tsig-badkey+edns', h(1, ar=2) + q1 + opt_rr({}) + tsig_rr()),
        ('tsig-not-last', h(1, ar=2) + q1 + tsig_rr() + opt_rr({})),
        ('ixfr-with-soa', h(1, ns=1) + enc_name(ORIGIN) + struct.pack('>HH', 251, 1) +
         b'\xc0\x0c' + struct.pack('>HHIH', 6, 1, 0, 22) + b'\0\0' + struct.pack('>IIIII', 1, 2, 3, 4, 5)),
        ('ixfr-with-soa/www', h(1, ns=1) + w + struct.pack('>HH', 251, 1) +
         b'\xc0\x0c' + struct.pack('>HHIH', 6, 1, 0, 22) + b'\0\0' + struct.pack('>IIIII', 1, 2, 3, 4, 5)),
        ('garbage', bytes(rnd.randrange(256) for _ in range(40))),
    ]
    for lab, p in mal:
        qs.append(('malformed/' + lab, p, False))
        qs.append(('malformed/' + lab + '/tcp', p, True))
    for i in range(200):
        p = bytearray(build(w, 1, rnd=rnd, edns=E0 if i & 1 else None))
        for _ in range(rnd.randrange(1, 4)):
            p[rnd.randrange(len(p))] = rnd.randrange(256)
        if rnd.random() < 0.3:
            p = p[:rnd.randrange(12, len(p))]
        p[2] &= 0x7f
        qs.append(('fuzz/%d' % i, bytes(p), False))
    return qs


# ---------------------------------------------------------------- compare

FLAGS = [('qr', 0x8000), ('aa', 0x400), ('tc', 0x200), ('rd', 0x100),
         ('ra', 0x80), ('z', 0x40), ('ad', 0x20), ('cd', 0x10)]


def norm(raw):
    if raw is None:
        return {'drop': True}
    try:
        r = parse(raw)
    except Bad as e:
        return {'unparsable': str(e)}
    fl = [n for n, v in FLAGS if r['flags'] & v]
    n = {'rcode': r['rcode'] | ((r['opt']['ercode'] << 4) if r['opt'] else 0),
         'opcode': (r['flags'] >> 11) & 15, 'flags': ' '.join(fl),
         'q': r['q'], 'edns': None}
    if r['opt']:
        n['edns'] = {'version': r['opt']['version'], 'do': r['opt']['do'],
                     'opts': sorted(oc for oc, _ in r['opt']['opts'])}
    for s in ('an', 'ns', 'ar'):
        n[s] = sorted(r[s])
    n['an_order'] = [x[1] for x in r['an']]
    return n


def udp_limit(pkt):
    try:
        r = parse_query_limit(pkt)
    except Exception:
        return 512
    return r


def parse_query_limit(p):
    qd, an, ns, ar = struct.unpack('>HHHH', p[4:12])
    off = 12
    for _ in range(qd):
        _, off = rd_name(p, off)
        off += 4
    for _ in range(an + ns + ar):
        _, off = rd_name(p, off)
        t, c = struct.unpack('>HH', p[off:off + 4])
        rdlen = struct.unpack('>H', p[off + 8:off + 10])[0]
        if t == 41:
            return max(512, c)
        off += 10 + rdlen
    return 512


def classify(label, a, b):
    """A short kind for a difference (for grouping)."""
    if a.get('drop') or b.get('drop'):
        return 'drop: test=%s ref=%s' % ('drop' if a.get('drop') else 'answer(rcode %s)' % a.get('rcode'),
                                         'drop' if b.get('drop') else 'answer(rcode %s)' % b.get('rcode'))
    if 'unparsable' in a or 'unparsable' in b:
        return 'unparsable'
    parts = []
    for k in ('rcode', 'opcode', 'flags', 'q', 'edns', 'an', 'ns', 'ar', 'an_order'):
        if a.get(k) != b.get(k):
            if k == 'rcode':
                parts.append('rcode %s/%s' % (a[k], b[k]))
            elif k == 'flags':
                parts.append('flags [%s]/[%s]' % (a[k], b[k]))
            else:
                parts.append(k)
    return ', '.join(parts)


def kind_of(label):
    p = label.split('/')
    if p[0] in ('malformed', 'fuzz'):
        return p[0] + '/' + (p[1] if p[0] == 'malformed' else '')
    return '/'.join(x for x in p[1:] if not x.startswith('edns=') or 'None' in x)


def main():
    ap = argparse.ArgumentParser()
    sp = ap.add_subparsers(dest='cmd')
    z = sp.add_parser('zone')
    z.add_argument('file')
    c = sp.add_parser('compare')
    c.add_argument('--test', required=True)
    c.add_argument('--ref', required=True)
    c.add_argument('--ref2')
    c.add_argument('--all', action='store_true')
    c.add_argument('--max-print', type=int, default=4)
    c.add_argument('--seed', type=int, default=1)
    c.add_argument('--only')
    c.add_argument('--show', action='store_true',
                   help='print every server\'s response to the --only queries')
    a = ap.parse_args()
    if a.cmd == 'zone':
        with open(a.file, 'w') as f:
            f.write(zone_text())
        return 0
    if a.cmd != 'compare':
        ap.print_help()
        return 2

    def hp(s):
        h, p = s.rsplit(':', 1)
        return (h.strip('[]'), int(p))
    test, ref = hp(a.test), hp(a.ref)
    ref2 = hp(a.ref2) if a.ref2 else None
    qs = queries(a.seed)
    if a.only:
        qs = [q for q in qs if a.only == q[0] or (not a.show and a.only in q[0])]
    if a.show:
        for label, pkt, tcp in qs:
            print('== %s (%s) query %s' % (label, 'tcp' if tcp else 'udp', pkt.hex()))
            for nm, srv in (('test', test), ('ref', ref), ('ref2', ref2)):
                if srv is None:
                    continue
                n = norm(ask(srv, pkt, tcp, 0.5))
                print('  %s:' % nm)
                for k, v in n.items():
                    if k != 'an_order':
                        print('     %-6s %s' % (k, v))
        return 0
    groups = defaultdict(list)
    known = defaultdict(int)
    hard = []
    compared = 0
    t0 = time.time()
    for label, pkt, tcp in qs:
        if time.time() - t0 > 600:
            hard.append('time limit reached after %d queries' % compared)
            break
        to = 0.3 if label.startswith(('malformed', 'fuzz')) or 'op=' in label else 1.0
        ra = ask(test, pkt, tcp, to)
        rb = ask(ref, pkt, tcp, to)
        compared += 1
        # checks on the tested server alone
        if ra is not None:
            if pkt[2:3] and pkt[2] & 0x80 and len(pkt) >= 12:
                hard.append('%s: answered a QR=1 packet' % label)
            if not tcp and len(ra) > udp_limit(pkt):
                hard.append('%s: UDP answer %d > client limit %d' % (label, len(ra), udp_limit(pkt)))
            if len(ra) >= 2 and ra[:2] != pkt[:2]:
                hard.append('%s: id not echoed' % label)
            if rb is not None and not tcp and len(ra) > max(len(rb), len(pkt)) * 1 + 600 and len(ra) > 3 * len(pkt) and len(rb) < len(ra) // 2:
                hard.append('%s: amplification %d bytes vs reference %d' % (label, len(ra), len(rb)))
        na, nb = norm(ra), norm(rb)
        if na == nb:
            continue
        if ref2 is not None:
            nc = norm(ask(ref2, pkt, tcp, to))
            if na == nc:
                known['matches ref2, not ref'] += 1
                continue
            tag = ' (ref2 %s)' % ('== ref' if nc == nb else 'differs from both')
        else:
            tag = ''
        k = known_diff(label, na, nb, tcp)
        if k and not a.all:
            known[k] += 1
            continue
        groups[classify(label, na, nb) + tag].append((label, na, nb))
    print('compared %d queries in %.1fs' % (compared, time.time() - t0))
    for k, v in sorted(known.items()):
        print('known difference (%d): %s' % (v, k))
    ndiff = 0
    for g, items in sorted(groups.items(), key=lambda x: -len(x[1])):
        ndiff += len(items)
        print('\n=== %d x %s' % (len(items), g))
        for label, na, nb in items[:a.max_print]:
            print('  - %s' % label)
            for k in ('rcode', 'flags', 'q', 'edns', 'an', 'ns', 'ar', 'drop', 'unparsable'):
                if na.get(k) != nb.get(k):
                    print('      %-5s test: %s' % (k, na.get(k)))
                    print('      %-5s ref : %s' % ('', nb.get(k)))
    for h in hard:
        print('HARD: ' + h)
    print('\n%d differences, %d known, %d hard failures' % (ndiff, sum(known.values()), len(hard)))
    return 1 if ndiff or hard else 0


def _without(d, *keys):
    return {k: v for k, v in d.items() if k not in keys}


def _targets_only(test_ar, ref_ar):
    """ref's additional is test's minus some address records."""
    return set(ref_ar) <= set(test_ar) and all(r[1] in (1, 28) for r in set(test_ar) - set(ref_ar))


def known_diff(label, na, nb, tcp):
    """Deliberate, documented differences from NSD 4.x (see the block
    comment of dnsd/query.h, "Differences from NSD"). A string naming the
    reason, or None. Every other difference is a failure."""
    if na.get('drop') or nb.get('drop'):
        if nb.get('drop') and not na.get('drop') and na.get('rcode') in (1, 4):
            return 'NSD drops some malformed/unknown-opcode queries; we answer FORMERR/NOTIMP (RFC 1035 4.1.1)'
        return None
    if 'unparsable' in na or 'unparsable' in nb:
        return None
    ra, rb = na['rcode'], nb['rcode']
    # DNS Cookies (RFC 7873): NSD 4.6 has none
    if 'cookie' in label:
        if ra == 1 and rb != 1 and 'cookie-bad' in label:
            return 'malformed COOKIE: FORMERR (RFC 7873 5.2.2); NSD 4.6 has no cookies'
        if ra == 23 and rb in (0, 3) and 'cookie-full' in label and not tcp:
            return 'a server cookie not ours: BADCOOKIE over UDP (RFC 7873 5.2.4); NSD 4.6 has no cookies'
        if na['edns'] and 10 in na['edns']['opts'] and nb['edns'] and \
                10 not in nb['edns']['opts']:
            na = dict(na, edns=dict(na['edns'], opts=[o for o in na['edns']['opts'] if o != 10]))
            if na == nb:
                return 'answers carry a COOKIE (RFC 7873); NSD 4.6 has no cookies'
    # error answers: NSD leaves out the question (and sometimes the OPT),
    # and echoes the query's AA/TC bits on NOTIMP
    if ra == rb and ra in (1, 4, 5, 9) and not na['an'] and not nb['an']:
        a2, b2 = dict(na), dict(nb)
        if not b2['q']:
            a2['q'] = []
        if b2['edns'] is None:
            a2['edns'] = None
        if ra == 4:
            a2['flags'] = b2['flags']
        if a2 == b2:
            return 'NSD: no question/OPT in error answers (RFC 1035 leaves it open; Knot echoes them)'
        if ra == 5 and b2['edns'] and 15 in b2['edns']['opts'] and \
                _without(a2, 'edns') == _without(b2, 'edns'):
            return 'NSD: EDE 18 (Prohibited) on hidden CH/IXFR refusals'
    if na['opcode'] == 4 and ra == 4:
        return 'NOTIFY not implemented: NOTIMP (RFC 1996); NSD REFUSED/NXDOMAIN without an ACL'
    if ra == 1 and rb == 0 and 'trailing' in label:
        return 'bytes after the last section: FORMERR (as Knot); NSD ignores them'
    if ra == 1 and rb == 0 and label.startswith('malformed/qd0'):
        return 'QDCOUNT 0: FORMERR (as Knot; no server cookies, RFC 7873 5.4); NSD NOERROR'
    if ra == 0 and rb == 1 and not nb['q'] and ('-ar' in label or 'ar-a' in label or label.startswith('fuzz/')):
        return 'records other than OPT/TSIG in the additional section are ignored (as Knot); NSD FORMERR'
    if rb == 1 and ra != 1 and label.startswith('fuzz/') and not nb['q']:
        return 'NSD FORMERRs queries with RCODE bits set; we ignore them (as Knot)'
    if ra == 1 and rb == 16 and 'opt-v1-bad' in label:
        return 'a malformed OPT is FORMERR before its version is looked at'
    if 'tc' in na['flags'] and 'tc' not in nb['flags'] and 'bigdeleg' in label:
        return 'RFC 9471: TC=1 when in-domain glue does not fit (NSD 4.6 predates it; Knot sets TC too)'
    if '/class=ANY' in label and ra == rb and \
            na['flags'].replace('aa', '').split() == nb['flags'].split() and \
            _without(na, 'flags', 'ns') == _without(nb, 'flags', 'ns') and \
            (na['ns'] == nb['ns'] or not nb['ns']):
        return 'QCLASS ANY: answered as IN with AA (as Knot); NSD clears AA, no SOA'
    if na['ar'] != nb['ar'] and _targets_only(na['ar'], nb['ar']) and \
            _without(na, 'ar') == _without(nb, 'ar'):
        return 'additional A/AAAA of MX/SRV targets (RFC 1035 3.3.9, as Knot); NSD minimal-responses leaves them out'
    return None


if __name__ == '__main__':
    sys.exit(main())
