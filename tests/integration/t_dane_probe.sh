#!/bin/sh
# t_dane_probe.sh - DANE-aware health against a real daemon serving a
# signed zone with TLSA records, and STARTTLS servers (testsmtp.py) with
# certificates made here: with dane = "require" the server whose key does
# not match its TLSA record goes down with "DANE mismatch: presented ...,
# published ..." and leaves the MX answers, the matched one stays; with
# dane not set (signed zone: check) a mismatch is shown and counted but the
# server stays in the answers; a server without records is off. The
# fields on /status.json and /metrics; mxspread tlsa prints the record for
# the key a server presents (the one openssl computes) and says whether it
# is published; publishing it and reloading brings the server back. The
# zone is re-signed every 5 s meanwhile (the TLSA records filled again).
. "$MXS_ROOT/tests/lib/common.sh"

[ -x "$MXSPREAD" ] || fail "no daemon at $MXSPREAD"
for c in dig curl openssl ldns-keygen python3; do
	command -v $c >/dev/null 2>&1 || skip "$c not installed"
done
DP=$(free_port); HP=$(free_port)
[ -n "$DP" ] && [ -n "$HP" ] || fail "no free port"
LOG=$T/mxs.log
cd "$T" || fail "cd $T"
KEY=$(dnssec_key "$T" mail.test.) || fail "ldns-keygen"

# three EC keys and self-signed certificates (no CA store knows them)
for n in a b c; do
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -days 30 -keyout "$n.key" -out "$n.crt" -subj "/CN=mx.mail.test" \
	    -addext subjectAltName=DNS:mx.mail.test >/dev/null 2>&1 ||
	    fail "openssl req $n"
done
# spki FILE: the data of a 3 1 1 record, computed by openssl
spki() {
	openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER |
	    openssl dgst -sha256 -hex | awk '{ print $NF }'
}
SPKI_A=$(spki a.crt); SPKI_B=$(spki b.crt); SPKI_C=$(spki c.crt)
[ ${#SPKI_A} = 64 ] && [ ${#SPKI_C} = 64 ] || fail "no SPKI digest"

# peer CERT: a STARTTLS server presenting CERT, its port in $PEER_PORT
peer() {
	rm -f "$T/port.$1"
	bg python3 "$MXS_ROOT/tests/lib/testsmtp.py" --mode tls --cert "$1.crt" \
	    --key "$1.key" --port-file "$T/port.$1"
	i=0
	while [ ! -s "$T/port.$1" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	PEER_PORT=$(cat "$T/port.$1" 2>/dev/null)
	[ -n "$PEER_PORT" ] || fail "testsmtp.py did not start"
}
peer a; P_A=$PEER_PORT
peer c; P_C=$PEER_PORT

mk() {
	fixture t_dane_probe/zone "$T/zone" P_A="$P_A" P_C="$P_C" \
	    SPKI_A="$SPKI_A" SPKI_B="$SPKI_B" SPKI_C="$SPKI_C" EXTRA="${1:-}"
	fixture t_dane_probe/mxspread.conf "$T/conf" DIR="$T" KEY="$KEY" \
	    DNS_PORT="$DP" STATUS_PORT="$HP" P_A="$P_A" P_C="$P_C"
}
mk
"$MXSPREAD" check -c "$T/conf" > "$T/check.out" 2>&1 ||
	{ cat "$T/check.out"; fail "check of the config"; }
# the usage-1 record of mx3 is valid but ignored by SMTP: a warning
grep -q "server 'mx3': 1 of the 2 TLSA records at _$P_C._tcp.mx3.mail.test. are ignored" \
    "$T/check.out" || { cat "$T/check.out"; fail "no warning for the ignored record"; }

bg "$MXSPREAD" -c "$T/conf" 2>>"$LOG"
MXS_PID=$LASTPID
wait_dns 127.0.0.1 "$DP" mail.test || { cat "$LOG"; fail "daemon did not answer"; }

status() { curl -s --max-time 2 "http://127.0.0.1:$HP/status.json"; }
# field POOL SERVER PATH: a value of /status.json (python expression on s)
field() {
	status | python3 -c '
import json, sys
d = json.load(sys.stdin)
for p in d["pools"]:
    for s in p["servers"]:
        if p["name"] == sys.argv[1] and s["name"] == sys.argv[2]:
            print(eval(sys.argv[3]))' "$1" "$2" "$3"
}
# wait_field POOL SERVER PATH VALUE: until it holds (max 10 s)
wait_field() {
	i=0
	while [ "$(field "$1" "$2" "$3")" != "$4" ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	got=$(field "$1" "$2" "$3")
	[ "$got" = "$4" ] || { tail -20 "$LOG"; status > "$T/status.json";
	    fail "$1/$2 $3 is '$got', want '$4'"; }
}
mx() { dig +short +norec +time=2 +tries=1 @127.0.0.1 -p "$DP" "$1" MX | awk '{ print $2 }' | sort | tr '\n' ' '; }

# require: mx1 matched, mx2 down with the mismatch, out of the answers
wait_field inbound mx1 's["dane"]["state"]' match
wait_field inbound mx1 's["dane"]["matched"]' "3 1 1 $(echo "$SPKI_A" | cut -c1-8)..."
wait_field inbound mx1 's["health"]' up
wait_field inbound mx2 's["health"]' down
wait_field inbound mx2 's["dane"]["state"]' mismatch
want="DANE mismatch: presented 3 1 1 $(echo "$SPKI_C" | cut -c1-8)..., published 3 1 1 $(echo "$SPKI_B" | cut -c1-8)..."
wait_field inbound mx2 's["reason"]' "$want"
[ "$(field inbound mx2 's["dane"]["mode"]')" = require ] || fail "mx2 mode"
[ "$(field inbound mx2 's["dane"]["tlsa"]')" = 1 ] || fail "mx2 tlsa count"
[ "$(mx mail.test)" = "mx1.mail.test. " ] || fail "MX answer '$(mx mail.test)', want mx1 only"
grep -q "pool inbound server mx2 DOWN: DANE mismatch" "$LOG" || fail "no DOWN line in the log"
ok "require: mx1 match, mx2 down: $want; the MX answer is mx1 only"

# dane not set, zone signed: check; a mismatch keeps mx3 in the answers
wait_field backup mx3 's["dane"]["mode"]' check
wait_field backup mx3 's["dane"]["state"]' mismatch
wait_field backup mx3 's["health"]' up
wait_field backup mx3 's["dane"]["ignored"]' 1
wait_field backup mx4 's["dane"]["mode"]' off
wait_field backup mx4 's["dane"]["state"]' off
[ "$(field backup mx3 's["reason"]')" = "" ] || fail "mx3 has a failure reason"
[ "$(field backup mx3 's["dane"]["mismatches"] > 0')" = True ] || fail "mx3 mismatches not counted"
[ "$(mx backup.mail.test)" = "mx3.mail.test. mx4.mail.test. " ] ||
	fail "backup MX answer '$(mx backup.mail.test)'"
ok "not set (signed): check, mx3 mismatched but eligible; mx4 without records: off"

curl -s --max-time 2 "http://127.0.0.1:$HP/metrics" > "$T/metrics" || fail "no /metrics"
for l in \
    'mxspread_server_dane_state{pool="inbound",server="mx1",state="match"} 1' \
    'mxspread_server_dane_state{pool="inbound",server="mx1",state="mismatch"} 0' \
    'mxspread_server_dane_state{pool="inbound",server="mx2",state="mismatch"} 1' \
    'mxspread_server_dane_state{pool="backup",server="mx3",state="mismatch"} 1' \
    'mxspread_server_dane_mismatches_total{pool="inbound",server="mx1"} 0'; do
	grep -qxF "$l" "$T/metrics" || fail "metrics: no line $l"
done
grep -q 'mxspread_server_dane_mismatches_total{pool="inbound",server="mx2"} [1-9]' "$T/metrics" ||
	fail "metrics: mx2 mismatches not counted"
if grep -q '^mxspread_server_dane_[a-z_]*{pool="backup",server="mx4"' "$T/metrics"; then
	fail "metrics: DANE samples for mx4 (off)"
fi
ok "/metrics: dane_state and dane_mismatches_total"

# the dashboard as a browser renders it: each server's DANE line
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$CHROME" ]; then
	timeout -k 5 60 "$CHROME" --headless --no-sandbox --disable-gpu \
	    --disable-quic --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync --disable-extensions \
	    --user-data-dir="$(mktemp -d "$T/chrome.XXXXXX")" \
	    --virtual-time-budget=3000 --dump-dom "http://127.0.0.1:$HP/" \
	    > "$T/dom.html" 2>"$T/chrome.err" ||
	    fail "chromium failed: $(tail -5 "$T/chrome.err")"
	python3 - "$T/dom.html" <<'PY' || fail "the dashboard's DANE lines"
import re, sys
dom = open(sys.argv[1]).read()
def row(pool, server):
    m = re.search(r"<tr id=\"srv-%s-%s\".*?</tr>" % (pool, server), dom, re.S)
    if not m:
        sys.exit("no row for %s/%s" % (pool, server))
    return m.group(0)
for pool, server, state, text in (
        ("inbound", "mx1", "match", "DANE require: match 3 1 1 "),
        ("inbound", "mx2", "mismatch", "DANE require: mismatch"),
        ("backup", "mx3", "mismatch", "DANE check: mismatch")):
    r = row(pool, server)
    if 'data-dane="%s"' % state not in r or text not in r:
        sys.exit("%s/%s: no DANE %s line: %s" % (pool, server, state, r))
if "data-dane" in row("backup", "mx4"):
    sys.exit("backup/mx4 (off) has a DANE line")
PY
	ok "dashboard: DANE lines of mx1, mx2, mx3, none for mx4"
fi

# mxspread tlsa: the record of what mx2 presents now, not published yet
"$MXSPREAD" tlsa -c "$T/conf" inbound/mx2 > "$T/tlsa.out" 2> "$T/tlsa.err" ||
	{ cat "$T/tlsa.err"; fail "mxspread tlsa inbound/mx2"; }
[ "$(cat "$T/tlsa.out")" = "_$P_C._tcp.mx2.mail.test. IN TLSA 3 1 1 $SPKI_C" ] ||
	fail "tlsa printed '$(cat "$T/tlsa.out")'"
grep -q "not published" "$T/tlsa.err" || fail "tlsa: no 'not published' for mx2"
"$MXSPREAD" tlsa -c "$T/conf" mx1 > "$T/tlsa1.out" 2> "$T/tlsa1.err" ||
	{ cat "$T/tlsa1.err"; fail "mxspread tlsa mx1"; }
[ "$(cat "$T/tlsa1.out")" = "_$P_A._tcp.mx1.mail.test. IN TLSA 3 1 1 $SPKI_A" ] ||
	fail "tlsa mx1 printed '$(cat "$T/tlsa1.out")'"
grep -q "published: this record" "$T/tlsa1.err" || fail "tlsa: mx1 not reported published"
if "$MXSPREAD" tlsa -c "$T/conf" nosuch > /dev/null 2> "$T/tlsa2.err"; then
	fail "tlsa of an unknown server succeeded"
fi
grep -q "no server nosuch" "$T/tlsa2.err" || fail "tlsa: no error for an unknown server"
ok "mxspread tlsa: $(cat "$T/tlsa.out")"

# the operator publishes it and reloads: mx2 matches and is back
mk "$(cat "$T/tlsa.out" | sed 's/ IN / /')"
kill -HUP "$MXS_PID"
wait_field inbound mx2 's["dane"]["state"]' match
wait_field inbound mx2 's["health"]' up
i=0
while [ "$(mx mail.test)" != "mx1.mail.test. mx2.mail.test. " ] && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
[ "$(mx mail.test)" = "mx1.mail.test. mx2.mail.test. " ] || fail "mx2 not back in the answers"
ok "published and reloaded: mx2 matches and is answered again"

# re-signings came and went (each refilled the TLSA records) and changed
# nothing the probes see
i=0
while [ "$(grep -c 'dnssec: re-signed' "$LOG")" -lt 2 ] && [ $i -lt 150 ]; do
	sleep 0.1; i=$((i + 1))
done
[ "$(grep -c 'dnssec: re-signed' "$LOG")" -ge 2 ] || { tail "$LOG"; fail "no re-signing"; }
kill -0 "$MXS_PID" || fail "the daemon died"
[ "$(field inbound mx1 's["dane"]["state"]')" = match ] || fail "mx1 after re-signing"
[ "$(field inbound mx2 's["dane"]["state"]')" = match ] || fail "mx2 after re-signing"
ok "$(grep -c 'dnssec: re-signed' "$LOG") re-signings while probing: states unchanged"
