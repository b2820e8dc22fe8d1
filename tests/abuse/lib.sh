# lib.sh - helpers for the abuse tests (sourced after tests/lib/common.sh).
# abuse_conf [EXTRA_LINES]: $T/mxs.conf + $T/abuse.zone, DNS on
#   127.0.0.1:$PORT, status on 127.0.0.1:$SP, two workers.
# abuse_start: start the daemon, wait until DNS answers; $MXS_PID.
# abuse_stop: stop it; fail on a sanitizer report or a crash in its log.
# ABUSE: the attack tool (tests/abuse/abuse.py).
PORT=$(free_port 127.0.0.1)
SP=$(free_port 127.0.0.1)
[ -n "$PORT" ] && [ -n "$SP" ] || fail "no free port"
# RSS growth allowed per attack (MB). Under ASan (make asan) freed memory
# sits in its quarantine (256 MB by default) and every block has redzones:
# there RSS says little about leaks (LeakSanitizer does), so the bound only
# catches runaway growth.
RSS_LIMIT=20
[ -n "${ASAN_OPTIONS:-}" ] && RSS_LIMIT=400
ABUSE="python3 $MXS_ROOT/tests/abuse/abuse.py --rss-limit $RSS_LIMIT"
command -v python3 >/dev/null 2>&1 || skip "python3 not installed"
command -v kdig >/dev/null 2>&1 || skip "kdig not installed"

abuse_conf() {
	cat > "$T/abuse.zone" <<'Z'
$ORIGIN mail.example.com.
$TTL 300
@     SOA   ns1 hostmaster 2026112701 3600 600 86400 60
@     NS    ns1
@     MX    10 mx1
@     MX    20 mx2
ns1   A     192.0.2.53
mx1   A     192.0.2.11
mx2   A     192.0.2.12
Z
	# About 900 bytes of TXT: large answers fill a non-reading client fast.
	i=1
	while [ $i -le 8 ]; do
		printf 'big  TXT "%s%03d"\n' "$(printf '%097d' 0 | tr 0 b)" $i \
		    >> "$T/abuse.zone"
		i=$((i + 1))
	done
	cat > "$T/mxs.conf" <<C
listen = [ "127.0.0.1:$PORT" ];
workers = 2;
status = { listen = "127.0.0.1:$SP"; };
zones = ( { origin = "mail.example.com."; template = "abuse.zone"; } );
${1:-}
C
}

abuse_start() {
	bg "$MXSPREAD" -c "$T/mxs.conf" > "$T/mxs.log" 2>&1
	MXS_PID=$LASTPID
	if ! wait_dns 127.0.0.1 "$PORT" mail.example.com; then
		cat "$T/mxs.log"
		fail "mxspread did not answer on 127.0.0.1:$PORT"
	fi
}

abuse_stop() {
	kill -0 "$MXS_PID" 2>/dev/null || { tail -20 "$T/mxs.log"; fail "mxspread died"; }
	stop_pid "$MXS_PID"
	if grep -q "ERROR: AddressSanitizer\|runtime error:\|LeakSanitizer" "$T/mxs.log"; then
		cat "$T/mxs.log"
		fail "sanitizer report from the daemon"
	fi
}
