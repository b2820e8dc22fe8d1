#!/bin/sh
# t_status_browser.sh - headless Chromium loads the status dashboard of a
# running daemon with servers down (smtp probes; mx1 healthy, mx2 greets
# with 554, nothing listens for mx3) and the rendered DOM must show each
# server's health and, for the down ones, the reason in words; the page's
# own fetch of /status.json must succeed (data-polls). The zone is signed
# (an active ECDSA key and a published successor of the same algorithm,
# made with ldns-keygen) next to an unsigned one: the DNSSEC panel shows the signed
# zone's key tags, algorithms, roles, expiry and signing, no warning, and
# no row for the unsigned zone; then the same page with the document
# doctored to expired signatures and a failing re-sign (a local file, its
# polls fail) must show that loudly, with the quoted error as text.
# Screenshots (laptop and phone widths) go to BUILD/test-output for humans.
. "$MXS_ROOT/tests/lib/common.sh"

[ -x "$MXSPREAD" ] || fail "no binary $MXSPREAD"
CHROME=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROME" ] || skip "chromium not installed"
command -v kdig >/dev/null 2>&1 || skip "kdig not installed"
command -v ldns-keygen >/dev/null 2>&1 || skip "ldns-keygen not installed"
OUT=$(dirname "$MXSPREAD")/test-output
mkdir -p "$OUT"

ORIGIN=mail.example.com
DP=$(free_port 127.0.0.1)
HP=$(free_port 127.0.0.1)
SP=$(free_port 127.0.0.11)
[ -n "$DP" ] && [ -n "$HP" ] && [ -n "$SP" ] || fail "no free port"
H=http://127.0.0.1:$HP

mkdir -p "$T/keys"
K1=$(cd "$T/keys" && ldns-keygen -a ECDSAP256SHA256 -k $ORIGIN.) || fail "ldns-keygen"
K2=$(cd "$T/keys" && ldns-keygen -a ECDSAP256SHA256 -k $ORIGIN.) || fail "ldns-keygen"
chmod 600 "$T/keys/$K1.private" "$T/keys/$K2.private"
TAG1=$(expr "${K1##*+}" + 0) && TAG2=$(expr "${K2##*+}" + 0) ||
    fail "no key tags in $K1 $K2"
cp "$MXS_ROOT/zones/examples/mail.example.com.zone" "$T/zone"
fixture t_status_browser/plain.zone "$T/plain.zone"
fixture t_status_browser/mxspread.conf "$T/conf" DIR="$T" ORIGIN="$ORIGIN" \
    DNS_PORT="$DP" STATUS_PORT="$HP" PROBE_PORT="$SP" \
    KEY1="$T/keys/$K1" KEY2="$T/keys/$K2"
"$MXSPREAD" check -c "$T/conf" || fail "config rejected"

bg python3 "$MXS_ROOT/tests/lib/testsmtp.py" --mode normal --addr 127.0.0.11 --port "$SP" 2>/dev/null
wait_tcp 127.0.0.11 "$SP" || fail "backend mx1 did not start"
bg python3 "$MXS_ROOT/tests/lib/testsmtp.py" --mode greet554 --addr 127.0.0.12 --port "$SP" 2>/dev/null
wait_tcp 127.0.0.12 "$SP" || fail "backend mx2 did not start"

bg "$MXSPREAD" -c "$T/conf"
wait_dns 127.0.0.1 "$DP" "$ORIGIN" || fail "daemon does not answer DNS"
wait_tcp 127.0.0.1 "$HP" || fail "status endpoint does not listen"

# wait until both are down and a few checks are in the history
i=0
while [ $i -lt 100 ]; do
	curl -sf -m 5 "$H/status.json" > "$T/s.json" &&
	    python3 - "$T/s.json" <<'PY' && break
import json, sys
d = json.load(open(sys.argv[1]))
s = {x['name']: x for x in d['pools'][0]['servers']}
ok = (s['mx2']['health'] == 'down' and s['mx3']['health'] == 'down' and
      s['mx1']['health'] == 'up' and len(s['mx1']['history']) >= 5)
sys.exit(0 if ok else 1)
PY
	sleep 0.1; i=$((i + 1))
done
[ $i -lt 100 ] || fail "servers not in the expected state: $(cat "$T/s.json")"
R2=$(python3 -c 'import json,sys; print([x for x in json.load(open(sys.argv[1]))["pools"][0]["servers"] if x["name"]=="mx2"][0]["reason"])' "$T/s.json")
R3=$(python3 -c 'import json,sys; print([x for x in json.load(open(sys.argv[1]))["pools"][0]["servers"] if x["name"]=="mx3"][0]["reason"])' "$T/s.json")
echo "mx2 reason: $R2"
echo "mx3 reason: $R3"
[ -n "$R2" ] && [ -n "$R3" ] || fail "down servers without reasons"
python3 - "$T/s.json" "$ORIGIN." "$TAG1" "$TAG2" <<'PY' || fail "status.json dnssec: $(cat "$T/s.json")"
import json, sys
d = json.load(open(sys.argv[1]))
z = {x['origin']: x for x in d['zones']}
s = z[sys.argv[2]]['dnssec']
print('dnssec:', json.dumps(s))
assert z['plain.example.net.']['dnssec'] == {'signed': False}, z
assert s['signed'] is True
assert s['keys'] == [
    {'tag': int(sys.argv[3]), 'algorithm': 13, 'role': 'active'},
    {'tag': int(sys.argv[4]), 'algorithm': 13, 'role': 'published'}], s['keys']
# default validity 14 days, refresh 7
assert s['validity'] == 14 * 86400 and s['refresh'] == 7 * 86400, s
assert s['expiration'] - s['signed_at'] == s['validity'], s
assert 14 * 86400 - 120 < s['expires_in'] <= 14 * 86400, s
assert s['signatures'] > 10 and s['sign_ms'] > 0, s
# the DYNMX and DYNA names: a set of signed variants exists
assert s['dynamic']['names'] == 2 and s['dynamic']['signatures'] > 0, s
assert s['warning'] is None and s['resign']['failing'] is False, s
assert d['dnssec']['dynamic']['builds'] >= 1, d['dnssec']
PY
curl -sf -m 5 "$H/metrics" > "$T/metrics" || fail "GET /metrics"
for l in "mxspread_dnssec_signed{zone=\"$ORIGIN.\"} 1" \
    "mxspread_dnssec_signed{zone=\"plain.example.net.\"} 0" \
    "mxspread_dnssec_key_info{zone=\"$ORIGIN.\",tag=\"$TAG1\",algorithm=\"13\",role=\"active\"} 1" \
    "mxspread_dnssec_key_info{zone=\"$ORIGIN.\",tag=\"$TAG2\",algorithm=\"13\",role=\"published\"} 1" \
    "mxspread_dnssec_signatures_expired{zone=\"$ORIGIN.\"} 0" \
    "mxspread_dnssec_resign_failing 0"; do
	grep -qxF "$l" "$T/metrics" || fail "metrics: no line $l: $(grep dnssec "$T/metrics")"
done
if command -v promtool >/dev/null 2>&1; then
	promtool check metrics < "$T/metrics" || fail "promtool check metrics"
fi
ok "status.json and /metrics show the signed zone's keys and signatures"

chrome() {
	timeout -k 5 60 "$CHROME" --headless --no-sandbox --disable-gpu \
	    --disable-quic --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync --disable-extensions \
	    --user-data-dir="$(mktemp -d "$T/chrome.XXXXXX")" "$@" 2>"$T/chrome.err"
}

# some answers, so the observed-share bars have something to show
python3 "$MXS_ROOT/tests/lib/status_check.py" flood 127.0.0.1 "$DP" "$ORIGIN" 200 ||
    fail "MX queries"
sleep 1.3

curl -sf -m 5 "$H/" > "$T/page.html" || fail "GET /"
chrome --virtual-time-budget=5000 --dump-dom "$H/" > "$T/dom.html" ||
    fail "chromium failed: $(tail -5 "$T/chrome.err")"
[ -s "$T/dom.html" ] || fail "empty DOM"
python3 - "$T/dom.html" "$R2" "$R3" "$ORIGIN." "$TAG1" "$TAG2" <<'PY' || fail "rendered DOM"
import html, re, sys
from html.parser import HTMLParser

dom = open(sys.argv[1]).read()
want = {'mx2': sys.argv[2], 'mx3': sys.argv[3]}
zone, tag1, tag2 = sys.argv[4:7]


class Rows(HTMLParser):
    """Text of each server row (tr id=srv-POOL-NAME) and DNSSEC row
    (tr id=dnssec-ZONE), with its class."""
    def __init__(self):
        super().__init__()
        self.rows, self.cur, self.depth, self.body = {}, None, 0, {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'body':
            self.body = a
        if tag == 'tr' and (a.get('id') or '').startswith(('srv-', 'dnssec-')):
            self.cur = a['id'].replace('srv-', '', 1)
            self.rows[self.cur] = {'class': a.get('class', ''), 'text': '',
                                   'state': a.get('data-state')}
        if self.cur and tag == 'tr':
            self.depth += 1

    def handle_endtag(self, tag):
        if self.cur and tag == 'tr':
            self.depth -= 1
            if self.depth == 0:
                self.cur = None

    def handle_data(self, data):
        if self.cur:
            self.rows[self.cur]['text'] += data + ' '


p = Rows()
p.feed(dom)
rows = p.rows
print('rows:', {k: (v['class'], ' '.join(v['text'].split())[:120]) for k, v in rows.items()})
assert set(rows) == {'inbound-mx1', 'inbound-mx2', 'inbound-mx3',
                     'dnssec-' + zone}, rows.keys()
assert rows['inbound-mx1']['class'] == 'up', rows['inbound-mx1']
assert 'observed: n/a' not in rows['inbound-mx1']['text'], 'no observed share for mx1'
assert "title='observed share'" in dom or 'title="observed share"' in dom, 'no observed bar'
assert '100.0%' in rows['inbound-mx1']['text'], 'mx1 alone serves: target and observed 100%'
for name, reason in want.items():
    r = rows['inbound-' + name]
    assert r['class'] == 'down', (name, r['class'])
    text = ' '.join(r['text'].split())
    assert 'down' in text, (name, text)
    assert ' '.join(reason.split()) in text, (name, reason, text)
assert 'degraded' in dom, 'pool state not shown'
assert '<svg' in dom and '<polyline' in dom, 'no sparkline'
assert int(p.body.get('data-polls', '0')) >= 1, 'the page never fetched /status.json: %r' % p.body
# DNSSEC: the signed zone alone, both keys by tag and algorithm, fine
r = rows['dnssec-' + zone]
text = ' '.join(r['text'].split())
assert r['class'] == 'up' and r['state'] == 'ok', r
for w in (tag1 + ' alg 13 ECDSAP256SHA256 · active',
          tag2 + ' alg 13 ECDSAP256SHA256 · published', 'in 13d 23h',
          'refresh 7d 0h before expiry', 'at load', 'dynamic (2 names'):
    assert w in text, (w, text)
assert 'id="dnssec-warning-' not in dom, 'a warning with fresh signatures'
assert 'plain.example.net.' in dom and 'dnssec-plain' not in dom
PY
ok "dashboard DOM shows mx2 and mx3 down with their reasons, the signed zone's keys"

# The same page with its embedded document doctored: expired signatures and
# a failing re-sign quoting markup. Loaded from a file: its polls fail (the
# banner says so) and the first render stays.
python3 - "$T/page.html" "$T/warn.html" "$ORIGIN." <<'PY' || fail "doctored page"
import json, sys
page = open(sys.argv[1]).read()
head, rest = page.split('var INIT=\n', 1)
doc, tail = rest.split(';\n(function(){', 1)
d = json.loads(doc)
z = [x for x in d['zones'] if x['origin'] == sys.argv[3]][0]['dnssec']
z['expires_in'] = -3 * 3600
z['expiration'] = d['now'] // 1000 - 3 * 3600
z['resign'].update(failing=True, failures=3, error='<img src=x onerror=alert(1)> bad')
z['warning'] = ('signatures EXPIRED 3 h ago: validators reject the zone; '
                're-signing is failing (3 failures): <img src=x onerror=alert(1)> bad')
out = json.dumps(d).replace('<', '\\u003c').replace('>', '\\u003e')
open(sys.argv[2], 'w').write(head + 'var INIT=\n' + out + ';\n(function(){' + tail)
PY
chrome --virtual-time-budget=3000 --dump-dom "file://$T/warn.html" > "$T/warn-dom.html" ||
    fail "chromium failed: $(tail -5 "$T/chrome.err")"
python3 - "$T/warn-dom.html" "$ORIGIN." <<'PY' || fail "rendered DOM with the DNSSEC warning"
import re, sys
dom = open(sys.argv[1]).read()
zone = sys.argv[2]
row = re.search(r"<tr id=\"dnssec-%s\"[^>]*>(.*?)</tr>" % re.escape(zone), dom, re.S)
assert row, 'no DNSSEC row'
assert 'class="down"' in row.group(0) and 'data-state="expired"' in row.group(0), row.group(0)[:200]
assert 'expired 3h 0m ago' in row.group(1), row.group(1)
# the warning in the overview, as the reload errors are
w = re.search(r'<span class="reason" id="dnssec-warning-%s">(.*?)</span>' % re.escape(zone), dom, re.S)
assert w, 'no warning line in the overview'
assert 'signatures EXPIRED 3 h ago' in w.group(1), w.group(1)
# quoted as text, never markup
assert '&lt;img src=x onerror=alert(1)&gt; bad' in w.group(1), w.group(1)
assert '<img' not in dom, 'markup from the document reached the DOM'
print('warning:', w.group(1))
PY
ok "dashboard shows expired signatures and the failing re-sign as a warning"
chrome --window-size=1280,900 --virtual-time-budget=1000 \
    --screenshot="$OUT/status-dashboard-dnssec-warning.png" "file://$T/warn.html" >/dev/null ||
    fail "warning screenshot failed"

chrome --window-size=1280,900 --virtual-time-budget=3000 \
    --screenshot="$OUT/status-dashboard.png" "$H/" >/dev/null ||
    fail "screenshot failed: $(tail -5 "$T/chrome.err")"
chrome --window-size=390,1100 --virtual-time-budget=3000 \
    --screenshot="$OUT/status-dashboard-phone.png" "$H/" >/dev/null ||
    fail "phone screenshot failed"
[ -s "$OUT/status-dashboard.png" ] && [ -s "$OUT/status-dashboard-phone.png" ] ||
    fail "no screenshot"
ok "screenshots: $OUT/status-dashboard.png, $OUT/status-dashboard-phone.png, $OUT/status-dashboard-dnssec-warning.png"
exit 0
