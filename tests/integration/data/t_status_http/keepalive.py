"""keepalive.py PORT: on one kept-alive connection, HEAD then GET for every
path; each HEAD has no body and GET's Content-Length (exactly for fixed
replies; for pages that change between two requests, a length within 10%),
and each GET that follows is intact (its body as long as it says, JSON
where JSON is promised)."""
import http.client
import json
import sys

port = int(sys.argv[1])
c = http.client.HTTPConnection('127.0.0.1', port, timeout=5)
paths = [('/healthz', True), ('/nope', True), ('//status.json', True),
         ('/api/reload', True), ('/status.json', False), ('/metrics', False),
         ('/', False)]
fails = 0
for path, fixed in paths:
    for rounds in range(2):
        c.request('HEAD', path)
        h = c.getresponse()
        hbody = h.read()
        hlen = h.getheader('Content-Length')
        c.request('GET', path)
        g = c.getresponse()
        gbody = g.read()
        glen = g.getheader('Content-Length')
        ok = (h.status == g.status and hbody == b'' and hlen is not None and
              glen is not None and int(glen) == len(gbody) and
              (int(hlen) == int(glen) if fixed else
               abs(int(hlen) - int(glen)) * 10 <= int(glen)))
        if g.getheader('Content-Type', '').startswith('application/json'):
            json.loads(gbody)
        print('%s %-14s HEAD %d len %s, GET %d len %s (%d bytes)' % (
            'ok  ' if ok else 'FAIL', path, h.status, hlen, g.status, glen,
            len(gbody)))
        fails += not ok
sys.exit(1 if fails else 0)
