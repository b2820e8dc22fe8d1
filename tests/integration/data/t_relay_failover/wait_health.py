#!/usr/bin/env python3
"""wait_health.py PORT SECONDS NAME=up|down... - poll
http://127.0.0.1:PORT/status.json (every 0.2 s, at most SECONDS) until
every named server of the document has that health; exit 1 (printing
what it saw last) otherwise."""
import json
import sys
import time
import urllib.request

port, limit = sys.argv[1], float(sys.argv[2])
want = dict(a.split("=") for a in sys.argv[3:])
end = time.time() + limit
seen = {}
while time.time() < end:
    try:
        doc = json.load(urllib.request.urlopen(
            "http://127.0.0.1:%s/status.json" % port, timeout=2))
        seen = {s["name"]: ("up" if s["up"] else "down")
                for p in doc.get("pools", []) for s in p.get("servers", [])
                if s.get("checks", {}).get("ok", 0) +
                s.get("checks", {}).get("failed", 0) > 0}
        if all(seen.get(k) == v for k, v in want.items()):
            sys.exit(0)
    except (OSError, ValueError, KeyError):
        pass
    time.sleep(0.2)
print("wait_health: want %s, saw %s" % (want, seen))
sys.exit(1)
