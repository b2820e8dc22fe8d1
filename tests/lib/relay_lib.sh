# relay_lib.sh - helpers for the relay tests (sourced after common.sh).
# relay_conf FILE PROXY IDLE MPS W1 W2 [ADDR2]: a daemon config whose pool
#   "inbound" has mx1 = 127.0.0.2 (weight W1) and mx2 = ADDR2 (default
#   127.0.0.3, weight W2), no health probe (always eligible), and a relay on
#   127.0.0.1:$RP to backend port $BP. Needs $T, $RP, $BP, $DP set.
#   Fixtures: data/common/relay.conf, its zone data/common/relay.zone.
# relay_start_mxs CONF: start the daemon, wait for the relay to listen;
#   PID in $MXS_PID, log in $T/mxs.log.
# relay_stop_mxs: stop it, fail on a sanitizer report in its log.
# relay_send SRC [SIZE_BYTES]: send one message through the relay from
#   source address SRC with Python smtplib; prints the SHA-256 of the
#   content the sink should see; exit status 0 when the relay's backend
#   accepted it.

relay_conf() {
	fixture common/relay.zone "$T/relay.zone"
	fixture common/relay.conf "$1" DNS_PORT="$DP" RELAY_PORT="$RP" \
	    BACKEND_PORT="$BP" PROXY="$2" IDLE="$3" MAX_PER_SOURCE="$4" \
	    W1="$5" W2="$6" ADDR2="${7:-127.0.0.3}"
}

relay_start_mxs() {
	: > "$T/mxs.log"
	bg "$MXSPREAD" -c "$1" 2>>"$T/mxs.log"
	MXS_PID=$LASTPID
	_i=0
	while [ $_i -lt 100 ]; do
		grep -q "relay: listening" "$T/mxs.log" 2>/dev/null && return 0
		kill -0 "$MXS_PID" 2>/dev/null || break
		sleep 0.1; _i=$((_i + 1))
	done
	cat "$T/mxs.log"
	return 1
}

relay_send() {
	python3 - "$1" "$RP" "${2:-600}" <<'PY'
import hashlib, smtplib, sys
src, port, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
line = b"The quick brown fox jumps over the lazy dog. 0123456789 .dot\r\n"
hdr = b"From: s@sender.test\r\nTo: u@example.test\r\nSubject: relay test\r\n\r\n"
body = bytearray(hdr)
i = 0
while len(body) < size:
    body += b"%08d " % i + line
    i += 1
    if i % 7 == 0:
        body += b".leading dot line\r\n"
msg = bytes(body)
print(hashlib.sha256(msg).hexdigest())
s = smtplib.SMTP("127.0.0.1", port, source_address=(src, 0), timeout=30)
s.ehlo("client.test")
s.sendmail("s@sender.test", ["u@example.test"], msg)
s.quit()
PY
}

# relay_stop_mxs: stop the daemon; fail on a sanitizer report in its log.
relay_stop_mxs() {
	stop_pid "$MXS_PID"
	if grep -q "ERROR: AddressSanitizer\|runtime error:" "$T/mxs.log"; then
		cat "$T/mxs.log"
		fail "sanitizer report from the daemon"
	fi
}
