#!/usr/bin/env python3
"""testsmtp.py - scriptable test peer for the probe tests: SMTP with fault
modes, a HAProxy agent-check responder and a small HTTP load endpoint.

  testsmtp.py --mode MODE [--addr 127.0.0.1] [--port N | --port-file F]
              [--cert C --key K] [--delay S] [--line TEXT | --reply-file F]
              [--content-type T] [--status N]

SMTP modes: normal, greet421, greet554, slow (greeting after --delay s),
reset (RST right after accept), silent (accept, never speak),
ehlo-reject, tls (normal + STARTTLS with --cert/--key; a --cert file may
hold the chain after the leaf), tls-garbage (offers STARTTLS, answers 220,
then sends text instead of a TLS handshake).
Other modes: agent (one line, then close), http (one response per request).
--reply-file is re-read for every connection, so a test can change the
agent line or the HTTP body while the server runs. Loopback only.
"""
import argparse
import os
import socket
import socketserver
import ssl
import struct
import sys
import time

OPTS = None


def reply_text():
    if OPTS.reply_file:
        try:
            with open(OPTS.reply_file) as f:
                return f.read().strip('\r\n')
        except OSError:
            return ''
    return OPTS.line or ''


class Handler(socketserver.StreamRequestHandler):
    timeout = 30

    def send(self, text):
        self.wfile.write(text.encode())
        self.wfile.flush()

    def handle(self):
        mode = OPTS.mode
        sock = self.request
        if mode == 'reset':
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            struct.pack('ii', 1, 0))
            sock.close()    # RST now, before socketserver's shutdown(SHUT_WR)
            return
        if mode == 'silent':
            try:
                while sock.recv(4096):
                    pass
            except OSError:
                pass
            return
        if mode == 'agent':
            self.send(reply_text() + '\n')
            return
        if mode == 'http':
            return self.http()
        if mode == 'slow':
            time.sleep(OPTS.delay)
        if mode == 'greet421':
            self.send('421 4.3.2 test.local service not available\r\n')
            return
        if mode == 'greet554':
            self.send('554 5.7.1 test.local no SMTP service here\r\n')
            return self.smtp(rejecting=True)
        self.send('220-test.local ESMTP testsmtp\r\n220 ready\r\n')
        self.smtp()

    def smtp(self, rejecting=False):
        tls = False
        rfile, wfile = self.rfile, self.wfile
        while True:
            line = rfile.readline(2048)
            if not line:
                return
            cmd = line.decode('latin-1').strip().upper()
            verb = cmd.split(' ')[0] if cmd else ''
            if verb == 'QUIT':
                wfile.write(b'221 2.0.0 bye\r\n')
                wfile.flush()
                return
            if rejecting:
                out = '503 5.5.1 no service\r\n'
            elif verb == 'EHLO':
                if OPTS.mode == 'ehlo-reject':
                    out = '550 5.7.1 EHLO not welcome here\r\n'
                else:
                    caps = ['test.local', 'PIPELINING', 'SIZE 10240000']
                    if OPTS.mode in ('tls', 'tls-garbage') and not tls:
                        caps.append('STARTTLS')
                    caps.append('8BITMIME')
                    out = ''.join('250-%s\r\n' % c for c in caps[:-1])
                    out += '250 %s\r\n' % caps[-1]
            elif verb == 'HELO':
                out = '250 test.local\r\n'
            elif verb in ('NOOP', 'RSET'):
                out = '250 2.0.0 OK\r\n'
            elif verb == 'STARTTLS' and OPTS.mode == 'tls-garbage':
                wfile.write(b'220 2.0.0 ready to start TLS\r\n')
                wfile.flush()
                time.sleep(0.2)     # the client is in its handshake by now
                try:
                    wfile.write(b'this is not TLS at all\r\n' * 8)
                    wfile.flush()
                except OSError:
                    pass
                return
            elif verb == 'STARTTLS' and OPTS.mode == 'tls' and not tls:
                wfile.write(b'220 2.0.0 ready to start TLS\r\n')
                wfile.flush()
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                ctx.load_cert_chain(OPTS.cert, OPTS.key)
                try:
                    conn = ctx.wrap_socket(self.request, server_side=True)
                except (ssl.SSLError, OSError):
                    return
                tls = True
                rfile = conn.makefile('rb')
                wfile = conn.makefile('wb')
                continue
            else:
                out = '502 5.5.2 command not recognized\r\n'
            wfile.write(out.encode())
            wfile.flush()

    def http(self):
        while True:
            line = self.rfile.readline(8192)
            if not line or line in (b'\r\n', b'\n'):
                break
        body = reply_text().encode()
        status = OPTS.status
        head = ('HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %d\r\n'
                'Connection: close\r\n\r\n' % (status, OPTS.content_type,
                                                len(body)))
        self.wfile.write(head.encode() + body)
        self.wfile.flush()


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass    # probes hang up early on purpose: no tracebacks
    daemon_threads = True
    request_queue_size = 512


def main():
    global OPTS
    p = argparse.ArgumentParser()
    p.add_argument('--mode', default='normal',
                   choices=['normal', 'greet421', 'greet554', 'slow', 'reset',
                            'silent', 'ehlo-reject', 'tls', 'tls-garbage',
                            'agent', 'http'])
    p.add_argument('--addr', default='127.0.0.1')
    p.add_argument('--port', type=int, default=0)
    p.add_argument('--port-file')
    p.add_argument('--cert')
    p.add_argument('--key')
    p.add_argument('--delay', type=float, default=10.0)
    p.add_argument('--line')
    p.add_argument('--reply-file')
    p.add_argument('--content-type', default='text/plain')
    p.add_argument('--status', type=int, default=200)
    OPTS = p.parse_args()
    if not (OPTS.addr.startswith('127.') or OPTS.addr == '::1'):
        sys.exit('testsmtp: loopback addresses only')
    if ':' in OPTS.addr:
        Server.address_family = socket.AF_INET6
    srv = Server((OPTS.addr, OPTS.port), Handler)
    if OPTS.port_file:
        tmp = OPTS.port_file + '.tmp'
        with open(tmp, 'w') as f:
            f.write('%d\n' % srv.server_address[1])
        os.rename(tmp, OPTS.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    main()
