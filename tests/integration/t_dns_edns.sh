#!/bin/sh
# EDNS0 (RFC 6891): OPT echoed, payload advertised (1232 by default,
# configurable), BADVERS for version 1, unknown options ignored, DO
# accepted; without EDNS the 512-byte limit: additional records go first,
# then TC=1, and the full answer comes over TCP.
. "$MXS_ROOT/tests/lib/common.sh"
. "$MXS_ROOT/tests/lib/dnstest.sh"

Z=mail.example.com
dns_setup
dns_start

edns_line() { sed -n 's/^;; Version: \([0-9]*\); flags: \([a-z ]*\); UDP size: \([0-9]*\) B; ext-rcode: \([A-Z]*\).*/v=\1 flags=\2 size=\3 ext=\4/p' "$T/last"; }

q +edns $Z SOA
status_is NOERROR "EDNS SOA"; count_is ANSWER 1 "EDNS SOA"
e=$(edns_line)
mxs_only && { [ "$e" = "v=0 flags= size=1232 ext=NOERROR" ] || { show; fail "OPT: $e"; }; }
[ -n "$e" ] || { show; fail "no OPT in the answer"; }
q +bufsize=4096 $Z SOA
mxs_only && { [ "$(edns_line)" = "v=0 flags= size=1232 ext=NOERROR" ] || { show; fail "OPT with bufsize 4096: $(edns_line)"; }; }
ok "OPT echoed, payload 1232 advertised"

q +noedns $Z SOA
grep -q 'EDNS PSEUDOSECTION' "$T/last" && { show; fail "OPT without EDNS in the query"; }
count_is ADDITIONAL 0 "no EDNS"
ok "no OPT when the query has none"

q +edns=1 $Z SOA
status_is BADVERS "EDNS version 1"
count_is ANSWER 0 "BADVERS"
grep -q 'Version: 0' "$T/last" || { show; fail "BADVERS: OPT version 0 expected"; }
ok "BADVERS for EDNS version 1"

q +edns +ednsopt=65001:c0ffee $Z MX
status_is NOERROR "unknown option"; count_is ANSWER 2 "unknown option"
q +dnssec $Z MX
status_is NOERROR "DO bit"; count_is ANSWER 2 "DO bit"
ok "unknown options ignored, DO accepted"

# 8 TXT of 100 bytes: over 512, under 1232.
q +noedns +ignore big.$Z TXT
status_is NOERROR "big, no EDNS"; flag_set tc "big, no EDNS"; flag_set aa "big, no EDNS"
size=$(sed -n 's/^;; Received \([0-9]*\) B.*/\1/p' "$T/last")
[ "$size" -le 512 ] || { show; fail "truncated answer of $size bytes"; }
q +bufsize=512 +ignore big.$Z TXT
flag_set tc "big, EDNS 512"
q +bufsize=100 +ignore big.$Z TXT
flag_set tc "big, EDNS 100 (means 512)"
q +bufsize=1232 big.$Z TXT
flag_unset tc "big, EDNS 1232"; count_is ANSWER 8 "big, EDNS 1232"
q +noedns +tcp big.$Z TXT
flag_unset tc "big over TCP"; count_is ANSWER 8 "big over TCP"
has_rr ANSWER "big.$Z. 3600 IN TXT \"$(printf '%097d' 0 | tr 0 b)008\"" "big over TCP"
q +noedns big.$Z TXT
flag_unset tc "kdig retried over TCP"; count_is ANSWER 8 "kdig retried over TCP"
grep -q '(TCP)' "$T/last" || { show; fail "kdig did not retry over TCP"; }
ok "TC=1 over 512 bytes, full answer over TCP"

# 12 MX: the answer fits in 512, not all their addresses: additional
# records are dropped, TC stays clear.
q +noedns +ignore bigmx.$Z MX
status_is NOERROR "bigmx"; flag_unset tc "bigmx, no EDNS"; count_is ANSWER 12 "bigmx, no EDNS"
n=$(section_lines ADDITIONAL)
[ "$n" -lt 24 ] || { show; fail "bigmx: $n additional records in 512 bytes"; }
size=$(sed -n 's/^;; Received \([0-9]*\) B.*/\1/p' "$T/last")
[ "$size" -le 512 ] || { show; fail "bigmx: $size bytes"; }
q +bufsize=1232 bigmx.$Z MX
flag_unset tc "bigmx, EDNS"; count_is ANSWER 12 "bigmx, EDNS"
n=$(section_lines ADDITIONAL)
[ "$n" = 24 ] || { show; fail "bigmx with EDNS: $n additional records, expected 24"; }
ok "additional records dropped before TC"

mxs_only || exit 0

# A configured payload size, and SIGINT stops the daemon with status 0.
stop_pid $MXS_PID
dns_setup "edns_payload = 1400;"
dns_start
q +edns $Z SOA
[ "$(edns_line)" = "v=0 flags= size=1400 ext=NOERROR" ] || { show; fail "configured payload: $(edns_line)"; }
ok "edns_payload = 1400 advertised"
kill -INT $MXS_PID
i=0
while kill -0 $MXS_PID 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 $MXS_PID 2>/dev/null && fail "SIGINT did not stop the daemon"
wait $MXS_PID; rc=$?
[ $rc = 0 ] || { cat "$T/mxs.log"; fail "exit status $rc after SIGINT"; }
ok "SIGINT: clean stop, exit 0"
