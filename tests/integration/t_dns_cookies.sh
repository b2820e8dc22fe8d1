#!/bin/sh
# DNS Cookies (RFC 7873, RFC 9018) against the real daemon with kdig: a
# client cookie gets a server cookie; echoing it back is valid (kept, exempt
# from RRL); a bad server cookie gets BADCOOKIE with a fresh cookie over UDP
# only (5.2.4), a normal answer over TCP; a malformed COOKIE is FORMERR; two
# daemons with the same secret accept each other's cookies, one with another
# secret does not; a rollover keeps the old secret's cookies valid; a secret
# file its group or others can read is refused by check and by the daemon
# with file:line.
. "$MXS_ROOT/tests/lib/common.sh"

ADDR=127.0.0.1
Z=mail.example.com
cp "$MXS_ROOT/tests/integration/data/t_dns_cookies/z.zone" "$T/z.zone"
umask 077
echo e5e973e5a6b2a43f48e7dc849e37bfcf > "$T/secret1"
echo 445536bcd2513298075a5d379663c962 > "$T/secret2"

# conf NAME PORT STATUSPORT COOKIES: $T/NAME.conf
conf() {
	fixture t_dns_cookies/mxs.conf "$T/$1.conf" LISTEN="$ADDR:$2" \
	    STATUS="$ADDR:$3" COOKIES="$4"
}
# start NAME PORT: the daemon of $T/NAME.conf, answering
start() {
	bg "$MXSPREAD" -c "$T/$1.conf" > "$T/$1.log" 2>&1
	eval "PID_$1=\$LASTPID"
	wait_dns $ADDR "$2" $Z || { cat "$T/$1.log"; fail "$1 did not start"; }
}
# q PORT ARGS...: kdig, output in $T/last
q() {
	p=$1; shift
	kdig @$ADDR -p "$p" +retry=0 +timeout=3 +nobadcookie "$@" > "$T/last" 2>&1 ||
	    { cat "$T/last"; fail "kdig $* failed"; }
}
show() { echo "--- kdig output:"; cat "$T/last"; echo "---"; }
status() { sed -n 's/.*status: \([A-Z]*\);.*/\1/p' "$T/last"; }
answers() { sed -n 's/^;; Flags:.* ANSWER: \([0-9]*\);.*/\1/p' "$T/last"; }
cookie() { sed -n 's/^;; COOKIE: \([0-9A-Fa-f]*\).*/\1/p' "$T/last" | tr a-f A-F; }
expect() {	# STATUS ANSWERS MSG
	[ "$(status)" = "$1" ] && [ "$(answers)" = "$2" ] ||
	    { show; fail "$3: expected $1 with $2 answer(s)"; }
}

P1=$(free_port $ADDR); S1=$(free_port $ADDR)
P2=$(free_port $ADDR); S2=$(free_port $ADDR)
P3=$(free_port $ADDR); S3=$(free_port $ADDR)
conf one "$P1" "$S1" "cookies = { secret_file = \"$T/secret1\"; };"
conf two "$P2" "$S2" "cookies = { secret_file = \"$T/secret1\"; };"
conf three "$P3" "$S3" ""
start one "$P1"
start two "$P2"
start three "$P3"

CC=2464C4ABCF10C957
# 1. a client cookie only: the normal answer and a server cookie
q "$P1" +cookie=$CC smtp.$Z A
expect NOERROR 1 "client cookie only"
C=$(cookie)
[ ${#C} = 48 ] && [ "${C%${C#????????????????}}" = $CC ] ||
    { show; fail "no client + server cookie in the answer: '$C'"; }
case $C in ${CC}01000000*) ;; *) show; fail "not an RFC 9018 version 1 cookie: $C";; esac
ok "client cookie: normal answer, server cookie $C"

# 2. echoed back: valid, kept as it is
q "$P1" +cookie=$C smtp.$Z A
expect NOERROR 1 "valid server cookie"
[ "$(cookie)" = "$C" ] || { show; fail "a fresh valid cookie was not kept"; }
ok "valid server cookie: normal answer, cookie kept"

# 3. a bad server cookie: BADCOOKIE with a fresh cookie over UDP...
last=$(printf %s "$C" | cut -c48)
[ "$last" = 0 ] && nl=1 || nl=0
BAD=$(printf %s "$C" | cut -c1-47)$nl
q "$P1" +cookie=$BAD smtp.$Z A
expect BADCOOKIE 0 "bad server cookie over UDP"
grep -q 'ext-rcode: BADCOOKIE' "$T/last" || { show; fail "BADCOOKIE not in the OPT"; }
F=$(cookie)
case $F in ${CC}01000000*) ;; *) show; fail "BADCOOKIE without a fresh cookie: $F";; esac
q "$P1" +cookie=$F smtp.$Z A
expect NOERROR 1 "the fresh cookie of BADCOOKIE"
# ... kdig's own retry on BADCOOKIE (its default) then gets the answer
kdig @$ADDR -p "$P1" +retry=0 +timeout=3 +cookie=$BAD smtp.$Z A > "$T/last" 2>&1
grep -q 'status: NOERROR' "$T/last" || { show; fail "kdig's BADCOOKIE retry failed"; }
# ... and over TCP the normal answer, with a fresh cookie
q "$P1" +tcp +cookie=$BAD smtp.$Z A
expect NOERROR 1 "bad server cookie over TCP"
case $(cookie) in ${CC}01000000*) ;; *) show; fail "TCP: no fresh cookie";; esac
ok "bad server cookie: BADCOOKIE + fresh cookie over UDP, normal answer over TCP"

# 4. malformed COOKIE options: FORMERR (kdig refuses to send them)
name=$(python3 -c "import sys; print(''.join('%02x%s' % (len(l), l.encode().hex()) for l in sys.argv[1].split('.')) + '00')" "smtp.$Z")
for opt in 000a000401020304 000a000c0102030405060708090a0b0c \
    000a0029$(printf '%082d' 0); do
	n=$(( ${#opt} / 2 ))
	RAW=$(python3 "$MXS_ROOT/tests/lib/dnsraw.py" $ADDR "$P1" --hex \
	    "123401000001000000000001${name}0001000100002904d000000000$(printf %04x $n)$opt")
	case " $RAW " in *" rcode=1 "*) ;; *) fail "malformed COOKIE ($opt): $RAW";; esac
done
ok "malformed COOKIE options (4, 12, 41 bytes): FORMERR"

# 5. the same secret elsewhere: valid there; another secret: not
q "$P2" +cookie=$C smtp.$Z A
expect NOERROR 1 "the same secret on a second daemon"
[ "$(cookie)" = "$C" ] || { show; fail "the second daemon did not keep the cookie"; }
q "$P2" +cookie=$CC smtp.$Z A
C2=$(cookie)
q "$P1" +cookie=$C2 smtp.$Z A
expect NOERROR 1 "the second daemon's cookie at the first"
q "$P3" +cookie=$C smtp.$Z A
expect BADCOOKIE 0 "another (random) secret"
ok "two daemons with one secret accept each other's cookies, a third does not"

# 6. rollover on two: new secret, the old one previous; a reload
conf two "$P2" "$S2" "cookies = { secret_file = \"$T/secret2\"; previous_secret_file = \"$T/secret1\"; };"
kill -HUP "$PID_two"
i=0
while [ $i -lt 50 ]; do
	q "$P2" +cookie=$CC smtp.$Z A
	[ "$(cookie)" != "$C2" ] && break
	sleep 0.1; i=$((i + 1))
done
N=$(cookie)
[ "$N" != "$C2" ] || fail "reload did not change the secret"
q "$P2" +cookie=$C smtp.$Z A
expect NOERROR 1 "a cookie of the previous secret"
[ "$(cookie)" != "$C" ] || { show; fail "a previous-secret cookie was not renewed"; }
q "$P1" +cookie=$N smtp.$Z A
expect BADCOOKIE 0 "the new secret's cookie at a daemon without it"
ok "rollover: previous secret accepted and renewed under the new one"

# 7. RRL (rate 5, nothing exempt): valid cookies are never limited
sent=0
for i in $(seq 1 30); do
	kdig @$ADDR -p "$P1" +retry=0 +timeout=1 +nobadcookie +cookie=$C smtp.$Z A 2>&1 |
	    grep -q 'status: NOERROR' && sent=$((sent + 1))
done
[ $sent = 30 ] || fail "valid cookies rate limited: $sent of 30 answered"
sent=0
for i in $(seq 1 30); do
	kdig @$ADDR -p "$P1" +retry=0 +timeout=1 smtp.$Z A 2>&1 |
	    grep -q 'status: NOERROR' && sent=$((sent + 1))
done
[ $sent -lt 30 ] || fail "RRL did not limit queries without a cookie"
ok "RRL: 30 of 30 with a valid cookie answered, $sent of 30 without"

# 8. counters
curl -s "http://$ADDR:$S1/metrics" > "$T/metrics" || fail "no /metrics"
for k in none valid bad; do
	v=$(sed -n "s/^mxspread_dns_cookies_total{server_cookie=\"$k\"} //p" "$T/metrics")
	[ -n "$v" ] && [ "$v" -gt 0 ] || { grep cookies "$T/metrics"; fail "cookies $k: '$v'"; }
done
curl -s "http://$ADDR:$S1/status.json" | python3 -c '
import json, sys
c = json.load(sys.stdin)["queries"]["cookies"]
assert c["seen"] >= c["valid"] + c["bad"] > 0 and c["valid"] >= 30, c
' || fail "status.json queries.cookies"
ok "counters: mxspread_dns_cookies_total and queries.cookies"

# 9. secret files its group or others can read, or malformed: refused, with
# the config file and line, by check and by the daemon
line=$(grep -n 'cookies = ' "$T/one.conf" | cut -d: -f1)
for mode in 0644 0640 0604; do
	chmod $mode "$T/secret1"
	rc=0
	"$MXSPREAD" check -c "$T/one.conf" > "$T/check.out" 2>&1 || rc=$?
	[ $rc != 0 ] || fail "check accepted a secret file of mode $mode"
	grep -q "^$T/one.conf:$line: cookies.secret_file: $T/secret1 is accessible by" "$T/check.out" ||
	    { cat "$T/check.out"; fail "check, mode $mode: no file:line refusal"; }
done
chmod 0644 "$T/secret1"
rc=0
PORTX=$(free_port $ADDR)
conf four "$PORTX" "$(free_port $ADDR)" "cookies = { secret_file = \"$T/secret1\"; };"
timeout 10 "$MXSPREAD" -c "$T/four.conf" > "$T/four.log" 2>&1 || rc=$?
[ $rc != 0 ] && [ $rc != 124 ] || fail "the daemon started with a readable secret (rc $rc)"
grep -q "$T/four.conf:$line: cookies.secret_file: $T/secret1 is accessible by others" "$T/four.log" ||
    { cat "$T/four.log"; fail "daemon: no file:line refusal"; }
chmod 0600 "$T/secret1"
echo e5e973e5a6b2a43f48e7dc849e37bf > "$T/secret1"
rc=0
"$MXSPREAD" check -c "$T/one.conf" > "$T/check.out" 2>&1 || rc=$?
[ $rc != 0 ] && grep -q "^$T/one.conf:$line: cookies.secret_file: .*32 hexadecimal digits" "$T/check.out" ||
    { cat "$T/check.out"; fail "check accepted a 30-digit secret"; }
ok "secret files readable by group/others or malformed: refused with file:line (check and daemon)"
