#!/usr/bin/env python3
# relay_sink.py - a small SMTP sink for the relay tests: accepts mail, reads
# an optional PROXY v1/v2 header first, and logs one line per message:
#   msg client=IP:PORT proxy=v1|v2|none size=N sha256=HEX
# (size and digest of the DATA content as sent, dot-unstuffed, without the
# final ".\r\n"). Usage: relay_sink.py ADDR PORT LOGFILE [--proxy]
# With --proxy a v1 or v2 header is required first (as Postfix with
# smtpd_upstream_proxy_protocol = haproxy); without, none is expected.
# Exits on SIGTERM.
import hashlib
import socket
import socketserver
import struct
import sys
import threading

ADDR, PORT, LOG = sys.argv[1], int(sys.argv[2]), sys.argv[3]
NEED_PROXY = "--proxy" in sys.argv[4:]
SIG2 = b"\r\n\r\n\x00\r\nQUIT\n"
lock = threading.Lock()


def log(line):
    with lock, open(LOG, "a") as f:
        f.write(line + "\n")


class Conn(socketserver.StreamRequestHandler):
    timeout = 60

    def read_proxy(self):
        """Return (client text, proxy kind) or None on a bad header."""
        if not NEED_PROXY:	# SMTP clients wait for the banner: no peeking
            return "%s:%d" % self.client_address[:2], "none"
        head = self.rfile.peek(16)[:16]
        if head[:12] == SIG2:
            hdr = self.rfile.read(16)
            ver_cmd, fam, length = hdr[12], hdr[13], struct.unpack("!H", hdr[14:16])[0]
            body = self.rfile.read(length)
            if ver_cmd != 0x21:
                return None
            if fam == 0x11 and length >= 12:
                src = socket.inet_ntop(socket.AF_INET, body[0:4])
                sport = struct.unpack("!H", body[8:10])[0]
                return "%s:%d" % (src, sport), "v2"
            if fam == 0x21 and length >= 36:
                src = socket.inet_ntop(socket.AF_INET6, body[0:16])
                sport = struct.unpack("!H", body[32:34])[0]
                return "[%s]:%d" % (src, sport), "v2"
            return None
        if head.startswith(b"PROXY "):
            line = self.rfile.readline(108).decode("ascii", "replace").split()
            if len(line) == 6 and line[1] in ("TCP4", "TCP6"):
                return "%s:%s" % (line[2], line[4]), "v1"
            return None
        return "%s:%d" % self.client_address[:2], "none"

    def handle(self):
        got = self.read_proxy()
        if got is None or got[1] == "none" and NEED_PROXY:
            log("badproxy")
            return
        client, kind = got
        w = self.wfile
        w.write(b"220 sink.test ESMTP relay_sink\r\n")
        while True:
            line = self.rfile.readline(4096)
            if not line:
                return
            cmd = line[:4].upper()
            if cmd in (b"EHLO", b"HELO"):
                w.write(b"250-sink.test\r\n250-8BITMIME\r\n250 SIZE 100000000\r\n")
            elif cmd == b"DATA":
                w.write(b"354 go ahead\r\n")
                h = hashlib.sha256()
                size = 0
                while True:
                    d = self.rfile.readline(1 << 20)
                    if not d:
                        return
                    if d == b".\r\n":
                        break
                    if d.startswith(b"."):
                        d = d[1:]
                    h.update(d)
                    size += len(d)
                log("msg client=%s proxy=%s size=%d sha256=%s"
                    % (client, kind, size, h.hexdigest()))
                w.write(b"250 2.0.0 Ok: queued as SINK\r\n")
            elif cmd == b"QUIT":
                w.write(b"221 2.0.0 Bye\r\n")
                return
            else:
                w.write(b"250 2.0.0 Ok\r\n")


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    daemon_threads = True
    address_family = socket.AF_INET6 if ":" in ADDR else socket.AF_INET


srv = Server((ADDR, PORT), Conn)
log("ready")
srv.serve_forever()
