#!/bin/sh
# t_status_browser.sh - headless Chromium loads the status dashboard of a
# running daemon with servers down (smtp probes; mx1 healthy, mx2 greets
# with 554, nothing listens for mx3) and the rendered DOM must show each
# server's health and, for the down ones, the reason in words; the page's
# own fetch of /status.json must succeed (data-polls). Screenshots (laptop
# and phone widths) go to BUILD/test-output for humans.
. "$MXS_ROOT/tests/lib/common.sh"

[ -x "$MXSPREAD" ] || fail "no binary $MXSPREAD"
CHROME=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROME" ] || skip "chromium not installed"
command -v kdig >/dev/null 2>&1 || skip "kdig not installed"
OUT=$(dirname "$MXSPREAD")/test-output
mkdir -p "$OUT"

ORIGIN=mail.example.com
DP=$(free_port 127.0.0.1)
HP=$(free_port 127.0.0.1)
SP=$(free_port 127.0.0.11)
[ -n "$DP" ] && [ -n "$HP" ] && [ -n "$SP" ] || fail "no free port"
H=http://127.0.0.1:$HP

cp "$MXS_ROOT/zones/examples/mail.example.com.zone" "$T/zone"
fixture t_status_browser/mxspread.conf "$T/conf" DIR="$T" ORIGIN="$ORIGIN" \
    DNS_PORT="$DP" STATUS_PORT="$HP" PROBE_PORT="$SP"
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

chrome --virtual-time-budget=5000 --dump-dom "$H/" > "$T/dom.html" ||
    fail "chromium failed: $(tail -5 "$T/chrome.err")"
[ -s "$T/dom.html" ] || fail "empty DOM"
python3 - "$T/dom.html" "$R2" "$R3" <<'PY' || fail "rendered DOM"
import html, re, sys
from html.parser import HTMLParser

dom = open(sys.argv[1]).read()
want = {'mx2': sys.argv[2], 'mx3': sys.argv[3]}


class Rows(HTMLParser):
    """Text of each server row (tr id=srv-POOL-NAME), with its class."""
    def __init__(self):
        super().__init__()
        self.rows, self.cur, self.depth, self.body = {}, None, 0, {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'body':
            self.body = a
        if tag == 'tr' and (a.get('id') or '').startswith('srv-'):
            self.cur = a['id'][4:]
            self.rows[self.cur] = {'class': a.get('class', ''), 'text': ''}
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
assert set(rows) == {'inbound-mx1', 'inbound-mx2', 'inbound-mx3'}, rows.keys()
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
PY
ok "dashboard DOM shows mx2 and mx3 down with their reasons"

chrome --window-size=1280,900 --virtual-time-budget=3000 \
    --screenshot="$OUT/status-dashboard.png" "$H/" >/dev/null ||
    fail "screenshot failed: $(tail -5 "$T/chrome.err")"
chrome --window-size=390,1100 --virtual-time-budget=3000 \
    --screenshot="$OUT/status-dashboard-phone.png" "$H/" >/dev/null ||
    fail "phone screenshot failed"
[ -s "$OUT/status-dashboard.png" ] && [ -s "$OUT/status-dashboard-phone.png" ] ||
    fail "no screenshot"
ok "screenshots: $OUT/status-dashboard.png, $OUT/status-dashboard-phone.png"
exit 0
