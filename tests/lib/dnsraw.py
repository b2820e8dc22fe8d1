#!/usr/bin/env python3
"""dnsraw.py - send one hand-made DNS packet, print what came back.

Used by the integration tests for what real clients refuse to send:
bad opcodes, QR=1, QDCOUNT != 1, truncated or malformed questions.

  dnsraw.py ADDR PORT [--tcp] [--id N] [--opcode N] [--qr] [--qd N]
            [--name NAME] [--type N] [--class N] [--cut N] [--append HEX]
            [--hex HEX] [--wait S]

Prints "noanswer" or
  "id=N qr=1 opcode=N aa=0 tc=0 rcode=N qd=N an=N ns=N ar=N"
followed by the question name as received (case kept).
"""
import argparse
import socket
import struct
import sys


def encode_name(name):
    out = b''
    for label in name.rstrip('.').split('.'):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b'\0'


def build(a):
    if a.hex is not None:
        return bytes.fromhex(a.hex)
    flags = (a.opcode & 0xf) << 11
    if a.qr:
        flags |= 0x8000
    pkt = struct.pack('>HHHHHH', a.id, flags, a.qd, 0, 0, 0)
    for _ in range(a.qd):
        pkt += encode_name(a.name) + struct.pack('>HH', a.type, getattr(a, 'class'))
    if a.append:
        pkt += bytes.fromhex(a.append)
    if a.cut is not None:
        pkt = pkt[:a.cut]
    return pkt


def qname(resp):
    labels, i = [], 12
    try:
        while resp[i] != 0:
            if resp[i] >= 0xc0:
                return '(pointer)'
            labels.append(resp[i + 1:i + 1 + resp[i]].decode('ascii', 'replace'))
            i += 1 + resp[i]
    except IndexError:
        return '(none)'
    return '.'.join(labels) + '.'


def main():
    p = argparse.ArgumentParser()
    p.add_argument('addr')
    p.add_argument('port', type=int)
    p.add_argument('--tcp', action='store_true')
    p.add_argument('--id', type=int, default=0x1234)
    p.add_argument('--opcode', type=int, default=0)
    p.add_argument('--qr', action='store_true')
    p.add_argument('--qd', type=int, default=1)
    p.add_argument('--name', default='mail.example.com.')
    p.add_argument('--type', type=int, default=6)
    p.add_argument('--class', type=int, default=1)
    p.add_argument('--cut', type=int)
    p.add_argument('--append')
    p.add_argument('--hex')
    p.add_argument('--wait', type=float, default=1.5)
    a = p.parse_args()
    pkt = build(a)
    fam = socket.AF_INET6 if ':' in a.addr else socket.AF_INET
    try:
        if a.tcp:
            s = socket.socket(fam, socket.SOCK_STREAM)
            s.settimeout(a.wait)
            s.connect((a.addr, a.port))
            s.sendall(struct.pack('>H', len(pkt)) + pkt)
            hdr = b''
            while len(hdr) < 2:
                chunk = s.recv(2 - len(hdr))
                if not chunk:
                    print('noanswer')
                    return
                hdr += chunk
            n = struct.unpack('>H', hdr)[0]
            resp = b''
            while len(resp) < n:
                chunk = s.recv(n - len(resp))
                if not chunk:
                    break
                resp += chunk
        else:
            s = socket.socket(fam, socket.SOCK_DGRAM)
            s.settimeout(a.wait)
            s.sendto(pkt, (a.addr, a.port))
            resp, _ = s.recvfrom(65535)
    except (socket.timeout, ConnectionError):
        print('noanswer')
        return
    if len(resp) < 12:
        print('short answer %d bytes' % len(resp))
        return
    rid, fl, qd, an, ns, ar = struct.unpack('>HHHHHH', resp[:12])
    print('id=%d qr=%d opcode=%d aa=%d tc=%d rcode=%d qd=%d an=%d ns=%d ar=%d %s'
          % (rid, fl >> 15, (fl >> 11) & 0xf, (fl >> 10) & 1, (fl >> 9) & 1,
             fl & 0xf, qd, an, ns, ar, qname(resp) if qd else '-'))


if __name__ == '__main__':
    sys.exit(main())
