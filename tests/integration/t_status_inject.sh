#!/bin/sh
# t_status_inject.sh - text from probed servers is inert in the dashboard
# and in the log (issue 15, item 4). mx2 greets "554 x <!--<script> y",
# mx3 greets with a closing script tag, a script and a terminal escape;
# headless Chromium must render the server table (not "Loading"), show
# both greetings as text and create no element but the page's own script;
# the log carries no control character.
. "$MXS_ROOT/tests/lib/common.sh"

[ -x "$MXSPREAD" ] || fail "no binary $MXSPREAD"
CHROME=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROME" ] || skip "chromium not installed"
for c in kdig curl python3; do
	command -v $c >/dev/null 2>&1 || skip "$c not installed"
done
ORIGIN=mail.example.com
DP=$(free_port 127.0.0.1)
HP=$(free_port 127.0.0.1)
SP=$(free_port 127.0.0.11)
[ -n "$DP" ] && [ -n "$HP" ] && [ -n "$SP" ] || fail "no free port"
H=http://127.0.0.1:$HP
D=$MXS_ROOT/tests/integration/data/t_status_inject

cp "$MXS_ROOT/zones/examples/mail.example.com.zone" "$T/zone"
fixture t_status_inject/mxspread.conf "$T/conf" DIR="$T" ORIGIN="$ORIGIN" \
    DNS_PORT="$DP" STATUS_PORT="$HP" PROBE_PORT="$SP"
G2='554 x <!--<script> y'
G3='554 </script><script>alert(1)</script> & <b>bold</b>'
printf '%s\n' "$G2" > "$T/g2"
printf '%s \033[2J\033]0;owned\007 z\n' "$G3" > "$T/g3"
bg python3 "$MXS_ROOT/tests/lib/testsmtp.py" --mode normal --addr 127.0.0.11 --port "$SP" 2>/dev/null
# agent mode: one line (the greeting), then close
bg python3 "$MXS_ROOT/tests/lib/testsmtp.py" --mode agent --reply-file "$T/g2" --addr 127.0.0.12 --port "$SP" 2>/dev/null
bg python3 "$MXS_ROOT/tests/lib/testsmtp.py" --mode agent --reply-file "$T/g3" --addr 127.0.0.13 --port "$SP" 2>/dev/null
for a in 11 12 13; do
	wait_tcp 127.0.0.$a "$SP" || fail "backend 127.0.0.$a did not start"
done
bg "$MXSPREAD" -c "$T/conf" > "$T/log" 2>&1
wait_dns 127.0.0.1 "$DP" "$ORIGIN" || { cat "$T/log"; fail "daemon does not answer DNS"; }
wait_tcp 127.0.0.1 "$HP" || fail "status endpoint does not listen"

i=0
while [ $i -lt 100 ]; do
	curl -sf -m 5 "$H/status.json" > "$T/s.json" &&
	    python3 - "$T/s.json" <<'PY' && break
import json, sys
s = {x['name']: x for x in json.load(open(sys.argv[1]))['pools'][0]['servers']}
sys.exit(0 if s['mx2']['health'] == 'down' and s['mx3']['health'] == 'down'
         and '<' in (s['mx2']['reason'] or '') and 'script' in (s['mx3']['reason'] or '')
         and s['mx1']['health'] == 'up' else 1)
PY
	sleep 0.1; i=$((i + 1))
done
[ $i -lt 100 ] || fail "servers not down with the greetings: $(cat "$T/s.json")"
reason() { python3 -c 'import json,sys; print([x for x in json.load(open(sys.argv[1]))["pools"][0]["servers"] if x["name"]==sys.argv[2]][0]["reason"])' "$T/s.json" "$1"; }
R2=$(reason mx2); R3=$(reason mx3)
echo "mx2 reason: $R2"
echo "mx3 reason: $R3"

timeout -k 5 60 "$CHROME" --headless --no-sandbox --disable-gpu \
    --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --disable-extensions \
    --user-data-dir="$(mktemp -d "$T/chrome.XXXXXX")" \
    --virtual-time-budget=3000 --dump-dom "$H/" > "$T/dom.html" 2>"$T/chrome.err" ||
    fail "chromium failed: $(tail -5 "$T/chrome.err")"
python3 "$D/dom.py" "$T/dom.html" "$G2" "$G3" || fail "rendered DOM"
ok "dashboard: the table, the greetings as text, no injected element"

if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$T/log"; then
	LC_ALL=C grep -n "$(printf '[\001-\010\013-\037\177]')" "$T/log" | cat -v | head -3
	fail "a control character in the log"
fi
grep 'mx3' "$T/log" | grep -q '?\[2J' || { grep mx3 "$T/log" | cat -v; fail "mx3's greeting not in the log, sanitized"; }
ok "log: the greeting's escapes written as ?"
exit 0
