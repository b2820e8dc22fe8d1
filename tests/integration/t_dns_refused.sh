#!/bin/sh
# What is not answered normally: names outside every zone (REFUSED), class
# CH (REFUSED unless version.bind / id.server are configured), opcodes other
# than QUERY (NOTIMP), malformed queries (FORMERR), QDCOUNT != 1 (FORMERR),
# responses (QR=1: no answer), unreadable headers (no answer).
. "$MXS_ROOT/tests/lib/common.sh"
. "$MXS_ROOT/tests/lib/dnstest.sh"

Z=mail.example.com
dns_setup
dns_start

for n in example.org example.com www.example.com other.mail.example.net .; do
	q "$n" A
	status_is REFUSED "outside the zones: $n"
	flag_unset aa "REFUSED $n"
	count_is ANSWER 0 "REFUSED $n"
done
ok "outside every zone: REFUSED"

mxs_only || exit 0

q -c CH version.bind TXT
status_is NOERROR "version.bind"
section ANSWER | grep -qi '^version\.bind\. [0-9]* CH TXT "mxspread-test"$' ||
	{ show; fail "version.bind TXT"; }
ok "CH TXT version.bind as configured"
q -c CH id.server TXT
status_is REFUSED "id.server not configured"
q -c CH hostname.bind TXT
status_is REFUSED "hostname.bind not configured"
q -c CH $Z SOA
status_is REFUSED "class CH for a served name"
ok "other CH queries: REFUSED"

# Hand-made packets.
raw --opcode 2
raw_has "opcode STATUS" qr=1 opcode=2 rcode=4 id=4660
raw --opcode 4
raw_has "opcode NOTIFY" qr=1 opcode=4 rcode=4
raw --opcode 5 --tcp
raw_has "opcode UPDATE over TCP" qr=1 opcode=5 rcode=4
ok "other opcodes: NOTIMP"

raw --qd 2
raw_has "QDCOUNT 2" qr=1 rcode=1 id=4660
raw --qd 0
raw_has "QDCOUNT 0" qr=1 rcode=1
raw --cut 20
raw_has "question cut short" qr=1 rcode=1
raw --cut 32
raw_has "question without type/class" qr=1 rcode=1
# A compression pointer in the question pointing forward (to itself).
raw --hex 123401000001000000000000c00c00060001
raw_has "forward compression pointer" qr=1 rcode=1
# Label longer than 63 (0x40 is not a length nor a pointer).
raw --hex 1234010000010000000000004061000006000100
raw_has "bad label type" qr=1 rcode=1
raw --qd 2 --tcp
raw_has "QDCOUNT 2 over TCP" qr=1 rcode=1
ok "malformed queries: FORMERR"

raw --qr
raw_has "QR=1" noanswer
raw --hex 12340100
raw_has "4-byte packet" noanswer
raw --qr --tcp
raw_has "QR=1 over TCP" noanswer
ok "responses and unreadable headers: no answer"

# The server still answers after all that.
q $Z SOA
status_is NOERROR "after bad packets"
ok "still serving"
