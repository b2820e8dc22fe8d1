#!/usr/bin/env python3
"""dyn_listen.py - live TCP "servers" for the dynamic-pool benchmark: listen on
PORT at each ADDR, accept and close every connection (enough for tcp_connect
monitors: gdnsd's tcp_connect, PowerDNS ifportup, mxspread's tcp probe).

usage: dyn_listen.py PORT ADDR...   (runs until SIGTERM/SIGINT)
"""
import selectors
import signal
import socket
import sys


def main():
    port = int(sys.argv[1])
    sel = selectors.DefaultSelector()
    for addr in sys.argv[2:]:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        s.listen(64)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    print("listening", flush=True)
    while True:
        for key, _ in sel.select(timeout=1.0):
            try:
                c, _ = key.fileobj.accept()
                c.close()
            except OSError:
                pass


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
