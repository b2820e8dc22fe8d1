# common.sh - helpers for the black-box integration tests (sourced).
# Every process a test starts is recorded and stopped by PID on exit;
# every wait is bounded in count and time; only loopback addresses are used.
set -u
: "${MXSPREAD:?run through tests/run.sh or make test}"
: "${MXS_ROOT:?}"
T=$(mktemp -d /tmp/mxs-test.XXXXXX)
PIDS=""

cleanup() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $PIDS; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -9 "$p" 2>/dev/null
	done
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "skipped: $*"; exit 77; }
ok() { echo "ok: $*"; }

. "$MXS_ROOT/tests/lib/fixture.sh"

# need_smtp_sink: Postfix's smtp-sink in $SINK (skip the test without
# it) and in $SINK_USER the option it needs as root (it refuses to run as
# root without -u).
need_smtp_sink() {
	SINK=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)
	[ -x "$SINK" ] || skip "smtp-sink (postfix) not installed"
	SINK_USER=""
	[ "$(id -u)" = 0 ] && SINK_USER="-u nobody"
}

# dnssec_key DIR ZONE [ALG]: a key pair made by ldns-keygen in DIR (ALG
# default ECDSAP256SHA256), its .private mode 0600; prints the base path.
dnssec_key() {
	_k=$(cd "$1" && ldns-keygen -a "${3:-ECDSAP256SHA256}" -k "$2") || return 1
	[ -f "$1/$_k.key" ] && [ -f "$1/$_k.private" ] || return 1
	chmod 600 "$1/$_k.private" && echo "$1/$_k"
}

# zone_ds CONF ZONE: "tag alg 2 digest" of the first key of ZONE (no final
# dot) in CONF, from `mxspread ds` (the DS to give the parent).
zone_ds() {
	"$MXSPREAD" ds -c "$1" | awk -v z="$2." \
	    '$1 == z && $4 == "DS" && $7 == 2 { print $5, $6, $7, $8; exit }'
}

# free_port [ADDR] [tcp|udp|both]: a port free for both UDP and TCP.
free_port() {
	python3 - "${1:-127.0.0.1}" <<'PY'
import socket, sys
addr = sys.argv[1]
fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
for _ in range(100):
    t = socket.socket(fam, socket.SOCK_STREAM)
    t.bind((addr, 0)); port = t.getsockname()[1]
    u = socket.socket(fam, socket.SOCK_DGRAM)
    try:
        u.bind((addr, port))
    except OSError:
        t.close(); u.close(); continue
    t.close(); u.close(); print(port); break
PY
}

# bg CMD...: start in the background, remember the PID in $LASTPID.
bg() {
	"$@" &
	LASTPID=$!
	PIDS="$PIDS $LASTPID"
}

# stop_pid PID: SIGTERM, wait up to 5 s, then SIGKILL.
stop_pid() {
	kill "$1" 2>/dev/null
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# wait_dns ADDR PORT NAME: until the server answers (max 10 s).
wait_dns() {
	i=0
	while [ $i -lt 100 ]; do
		if kdig +retry=0 +timeout=1 @"$1" -p "$2" "$3" SOA >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# wait_tcp ADDR PORT: until something accepts (max 10 s).
wait_tcp() {
	python3 - "$1" "$2" <<'PY'
import socket, sys, time
end = time.time() + 10
while time.time() < end:
    try:
        socket.create_connection((sys.argv[1], int(sys.argv[2])), 0.5).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
PY
}
