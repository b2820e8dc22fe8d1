#!/bin/sh
# DNS basics with real clients (kdig, dig, drill) against the real daemon:
# SOA, NS with glue, MX with addresses in additional, A/AAAA/TXT including a
# DKIM TXT over 255 bytes, AA, qname case kept, ANY (RFC 8482), IPv6, the
# shipped example config, and replies from the right address on a wildcard
# listener.
. "$MXS_ROOT/tests/lib/common.sh"
. "$MXS_ROOT/tests/lib/dnstest.sh"

Z=mail.example.com
dns_setup
dns_start

q $Z SOA
status_is NOERROR SOA; flag_set aa SOA; count_is ANSWER 1 SOA
has_rr ANSWER "$Z. 3600 IN SOA ns1.$Z. hostmaster.$Z. 2026112701 3600 600 86400 60" SOA
ok "SOA"

q $Z NS
status_is NOERROR NS; flag_set aa NS; count_is ANSWER 2 NS
has_rr ANSWER "$Z. 3600 IN NS ns1.$Z." NS
has_rr ANSWER "$Z. 3600 IN NS ns2.example.net." NS
has_rr ADDITIONAL "ns1.$Z. 3600 IN A 192.0.2.53" "NS glue A"
has_rr ADDITIONAL "ns1.$Z. 3600 IN AAAA 2001:db8::53" "NS glue AAAA"
no_rr ADDITIONAL "ns2.example.net" "out-of-zone NS target"
ok "NS with glue in additional"

q $Z MX
status_is NOERROR MX; flag_set aa MX; count_is ANSWER 2 MX
has_rr ANSWER "$Z. 300 IN MX 10 mx1.$Z." MX
has_rr ANSWER "$Z. 300 IN MX 20 mx2.$Z." MX
has_rr ADDITIONAL "mx1.$Z. 120 IN A 192.0.2.11" "MX additional"
has_rr ADDITIONAL "mx1.$Z. 120 IN AAAA 2001:db8::11" "MX additional"
has_rr ADDITIONAL "mx2.$Z. 3600 IN A 192.0.2.12" "MX additional"
count_is ADDITIONAL 3 "MX additional"
ok "MX with A/AAAA in additional"

q mx1.$Z A
status_is NOERROR A; flag_set aa A; count_is ANSWER 1 A
has_rr ANSWER "mx1.$Z. 120 IN A 192.0.2.11" A
q mx1.$Z AAAA
count_is ANSWER 1 AAAA
has_rr ANSWER "mx1.$Z. 120 IN AAAA 2001:db8::11" AAAA
ok "A and AAAA"

q $Z TXT
has_rr ANSWER "$Z. 3600 IN TXT \"v=spf1 mx -all\"" "SPF TXT"
q _dmarc.$Z TXT
has_rr ANSWER "_dmarc.$Z. 3600 IN TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@example.com\"" "DMARC TXT"
q sel._domainkey.$Z TXT
status_is NOERROR DKIM; flag_set aa DKIM; flag_unset tc DKIM; count_is ANSWER 1 DKIM
has_rr ANSWER "sel._domainkey.$Z. 1800 IN TXT \"$DKIM1\" \"$DKIM2\"" "DKIM TXT > 255 bytes"
ok "TXT: SPF, DMARC, DKIM of $(( ${#DKIM1} + ${#DKIM2} )) bytes"

# Question case is kept (dig prints the question as received).
dig @$ADDR -p $PORT +norec +tries=1 +time=3 MaIl.ExAmPlE.CoM MX > "$T/dig" 2>&1 ||
	{ cat "$T/dig"; fail "dig failed"; }
grep -q 'status: NOERROR' "$T/dig" || { cat "$T/dig"; fail "dig MX status"; }
grep -q '^;MaIl\.ExAmPlE\.CoM\.[[:space:]]*IN[[:space:]]*MX' "$T/dig" ||
	{ cat "$T/dig"; fail "question case not preserved"; }
grep -qi '^mail\.example\.com\.[[:space:]]*300[[:space:]]*IN[[:space:]]*MX[[:space:]]*10 mx1\.mail\.example\.com\.' "$T/dig" ||
	{ cat "$T/dig"; fail "MX answer for mixed-case query"; }
grep -q 'flags: qr aa;' "$T/dig" || { cat "$T/dig"; fail "dig flags (aa, no rd echoed)"; }
q MX1.mail.EXAMPLE.com A
has_rr ANSWER "mx1.$Z. 120 IN A 192.0.2.11" "mixed-case A"
ok "qname case preserved"

# RFC 8482: ANY gets a minimal answer, one RRset (or HINFO), not everything.
q $Z ANY
status_is NOERROR ANY
n=$(section ANSWER | awk '{ print $4 }' | sort -u | wc -l)
[ "$n" = 1 ] || { show; fail "ANY: $n RR types in the answer, expected 1"; }
ok "ANY minimal"

# drill too.
drill -p $PORT @$ADDR $Z SOA > "$T/drill" 2>&1 || { cat "$T/drill"; fail "drill"; }
grep -q 'rcode: NOERROR' "$T/drill" && grep -q 'flags: qr aa' "$T/drill" ||
	{ cat "$T/drill"; fail "drill SOA"; }
ok "drill"

# UDP and TCP both answer.
q +tcp mx2.$Z A
has_rr ANSWER "mx2.$Z. 3600 IN A 192.0.2.12" "TCP"
ok "TCP answer"

if [ -n "$PORT6" ]; then
	kdig @::1 -p $PORT6 +retry=0 +timeout=3 mx1.$Z AAAA > "$T/last" 2>&1 ||
		{ cat "$T/last"; fail "kdig over IPv6"; }
	has_rr ANSWER "mx1.$Z. 120 IN AAAA 2001:db8::11" "IPv6 listener"
	kdig @::1 -p $PORT6 +retry=0 +timeout=3 +tcp $Z SOA > "$T/last" 2>&1
	status_is NOERROR "IPv6 TCP"
	ok "IPv6 listener (UDP, TCP)"
fi

mxs_only || exit 0

# The shipped example config, on a free port.
EX=$MXS_ROOT/zones/examples
[ -f "$EX/mxspread.conf" ] || fail "no zones/examples/mxspread.conf"
mkdir -p "$T/ex"
cp "$EX"/* "$T/ex/"
EXPORT=$(free_port $ADDR)
SPORT=$(free_port $ADDR)
sed -e "s/^listen = .*/listen = [ \"$ADDR:$EXPORT\" ];/" \
    -e "s/listen *= *\"127\\.0\\.0\\.1:[0-9]*\"/listen = \"$ADDR:$SPORT\"/" \
    "$EX/mxspread.conf" > "$T/ex/mxspread.conf"
bg "$MXSPREAD" -c "$T/ex/mxspread.conf" > "$T/ex.log" 2>&1
EXPID=$LASTPID
wait_dns $ADDR $EXPORT $Z || { cat "$T/ex.log"; fail "example config: no answer"; }
SAVEPORT=$PORT; PORT=$EXPORT
q $Z MX
status_is NOERROR "example MX"; flag_set aa "example MX"; count_is ANSWER 3 "example MX"
for s in mx1 mx2 mx3; do
	section ANSWER | grep -qi " MX [0-9]* $s\.$Z\.\$" || { show; fail "example MX: no $s"; }
done
prefs=$(section ANSWER | awk '{ print $5 }' | sort -n | tr '\n' ' ')
[ "$prefs" = "10 20 30 " ] || { show; fail "example MX preferences: $prefs"; }
section ADDITIONAL | grep -qi "^mx3\.$Z\. [0-9]* IN A 127\.0\.0\.13\$" ||
	{ show; fail "example MX: mx3 address not in additional"; }
dk=$(awk '/_domainkey/ { print $1; exit }' "$T/ex/"*.zone)
[ -n "$dk" ] || fail "example template has no DKIM record"
case $dk in *.) ;; *) dk="$dk.$Z" ;; esac
dig @$ADDR -p $EXPORT +short +tries=1 +time=3 "$dk" TXT > "$T/dk" 2>&1
len=$(tr -d '" \n' < "$T/dk" | wc -c)
[ "$len" -gt 255 ] || { cat "$T/dk"; fail "example DKIM TXT only $len bytes"; }
ok "example config: 3 MX, additional, DKIM TXT of $len bytes"
PORT=$SAVEPORT
stop_pid $EXPID

# A wildcard listener (0.0.0.0) answers from the address the query went to:
# in a private network namespace, so nothing listens outside loopback.
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 &&
    unshare -n true 2>/dev/null; then
	sed -e "s/^listen = .*/listen = [ \"0.0.0.0:$PORT\" ];/" "$T/mxs.conf" > "$T/wild.conf"
	cat > "$T/wild.sh" <<EOS
ip link set lo up
"$MXSPREAD" -c "$T/wild.conf" > "$T/wild.log" 2>&1 &
pid=\$!
python3 - $PORT <<'PY'
import socket, struct, sys, time
port = int(sys.argv[1])
q = struct.pack('>HHHHHH', 7, 0, 1, 0, 0, 0) + b'\x04mail\x07example\x03com\x00' + struct.pack('>HH', 6, 1)
end = time.time() + 10
while time.time() < end:
    for dst in ('127.0.0.2', '127.0.0.3'):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(('127.0.0.1', 0))
        s.settimeout(0.5)
        s.sendto(q, (dst, port))
        try:
            resp, src = s.recvfrom(4096)
        except socket.timeout:
            break
        if src[0] != dst:
            print('reply to %s came from %s' % (dst, src[0])); sys.exit(1)
    else:
        print('replies came from the queried addresses'); sys.exit(0)
    time.sleep(0.2)
print('no answer on the wildcard listener'); sys.exit(1)
PY
rc=\$?
kill \$pid; wait \$pid
exit \$rc
EOS
	timeout 30 unshare -n sh "$T/wild.sh" || { cat "$T/wild.log"; fail "wildcard listener source address"; }
	ok "0.0.0.0 listener replies from the queried address (netns)"
else
	echo "note: not root or no unshare: wildcard-listener check skipped"
fi
exit 0
