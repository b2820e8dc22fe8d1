# lib.sh - helpers shared by the DNS benchmarks (sourced after $D and
# $PIDS are set): every process started with start() is stopped by PID on
# exit, and $D removed unless KEEP_TMP is set.

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$p" 2>/dev/null
	done
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# free_port ADDR...: a port free for TCP and UDP on every ADDR.
free_port() {
	python3 - "$@" <<'PY'
import socket, sys
for _ in range(100):
    t = socket.socket(); t.bind((sys.argv[1], 0)); port = t.getsockname()[1]
    ok = True
    held = [t]
    for a in sys.argv[1:]:
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            if a == sys.argv[1] and kind == socket.SOCK_STREAM:
                continue
            s = socket.socket(socket.AF_INET, kind)
            held.append(s)
            try:
                s.bind((a, port))
            except OSError:
                ok = False
    for s in held:
        s.close()
    if ok:
        print(port); break
PY
}

wait_up() {	# ADDR PORT NAME: until a SOA answer (max 20 s)
	i=0
	while [ $i -lt 200 ]; do
		kdig @"$1" -p "$2" +retry=0 +timeout=1 "$3" SOA 2>/dev/null |
		    grep -q 'status: NOERROR' && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

start() {	# NAME CMD...: start pinned to CPU 0, record the PID
	name=$1; shift
	taskset -c 0 "$@" > "$D/$name.log" 2>&1 &
	eval "PID_$name=$!"
	PIDS="$PIDS $!"
}

# static_queries ZONE MXNAME DKIMNAME: the static mix (MX, A, AAAA, TXT
# (SPF, DMARC, the >255-byte DKIM), NXDOMAIN, NODATA), 550 lines.
static_queries() {
	i=0
	while [ $i -lt 50 ]; do
		echo "$2 MX"
		echo "$2 MX"
		echo "mx1.$1 A"
		echo "mx2.$1 A"
		echo "mx1.$1 AAAA"
		echo "$1 TXT"
		echo "_dmarc.$1 TXT"
		echo "$3 TXT"
		echo "nx$i.$1 A"
		echo "mx3.$1 AAAA"
		echo "$1 A"
		i=$((i + 1))
	done
}
