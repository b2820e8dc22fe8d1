# dnstest.sh - helpers for the DNS integration tests (sourced after common.sh).
#
# dns_setup [EXTRA_CONF_LINES]  writes $T/mxs.conf + $T/test.zone (the test
#                               zone: dns_zone) for a free port on 127.0.0.1
# dns_start                     starts the daemon, waits until it answers;
#                               $MXS_PID, log in $T/mxs.log
# q ARGS...                     kdig against it; output also in $T/last
# status_is, flag_set, flag_unset, count_is, section, has_rr: assertions on $T/last
#
# DNSTEST_REFERENCE=knot runs the same zone on knotd instead: it checks the
# tests themselves against a reference server (mxspread-only checks skip).

ADDR=127.0.0.1
PORT=$(free_port $ADDR)
[ -n "$PORT" ] || fail "no free port"
REF=${DNSTEST_REFERENCE:-}
# IPv6 loopback, when the host has it: a second listener on [::1].
PORT6=""
if python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
	PORT6=$(free_port ::1)
fi
# A DKIM key over 255 bytes: two character-strings in one TXT record.
DKIM1=$(python3 -c "print('v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA' + 'x' * 190)")
DKIM2=$(python3 -c "print('y' * 150 + 'IDAQAB')")

# dns_zone FILE: the test zone (data/common/dns-test.zone, then generated
# records). TTLs are deliberately varied so answers show which record they
# come from. Negative TTL = min(SOA TTL 3600, minimum 60) = 60.
dns_zone() {
	fixture common/dns-test.zone "$1" DKIM1="$DKIM1" DKIM2="$DKIM2"
	# 8 TXT records of 100 bytes: about 900 bytes, over 512, under 1232.
	i=1
	while [ $i -le 8 ]; do
		printf 'big  TXT "%s%03d"\n' "$(printf '%097d' 0 | tr 0 b)" $i >> "$1"
		i=$((i + 1))
	done
	# 12 MX whose addresses do not all fit in 512 bytes of additional.
	i=1
	while [ $i -le 12 ]; do
		printf 'bigmx MX %d t%d.bigmx\nt%d.bigmx A 192.0.2.%d\nt%d.bigmx AAAA 2001:db8::%d\n' \
		    $((i * 10)) $i $i $((100 + i)) $i $((100 + i)) >> "$1"
		i=$((i + 1))
	done
}

dns_setup() {
	dns_zone "$T/test.zone"
	LISTEN="\"$ADDR:$PORT\""
	if [ -n "${PORT6:-}" ]; then
		LISTEN="$LISTEN, \"[::1]:$PORT6\""
	fi
	cat > "$T/mxs.conf" <<EOF
listen = [ $LISTEN ];
workers = 2;
version_bind = "mxspread-test";
status = { enabled = false; };
zones = ( { origin = "mail.example.com."; template = "test.zone"; }${EXTRA_ZONES:-} );
${1:-}
EOF
}

dns_start() {
	if [ "$REF" = knot ]; then
		mkdir -p "$T/knot"
		fixture common/knot.conf "$T/knot/knot.conf" DIR="$T" \
		    LISTEN="$ADDR@$PORT${PORT6:+, ::1@$PORT6}"
		bg knotd -c "$T/knot/knot.conf" > "$T/mxs.log" 2>&1
	else
		bg "$MXSPREAD" -c "$T/mxs.conf" > "$T/mxs.log" 2>&1
	fi
	MXS_PID=$LASTPID
	if ! wait_dns $ADDR $PORT mail.example.com; then
		cat "$T/mxs.log"; cat $T/knot/knot.conf
		fail "server did not answer on $ADDR:$PORT"
	fi
}

# mxs_only: the rest of the check is about mxspread itself.
mxs_only() { [ -z "$REF" ]; }

q() {
	kdig @$ADDR -p $PORT +retry=0 +timeout=3 "$@" > "$T/last" 2>&1
	rc=$?
	[ $rc = 0 ] || { cat "$T/last"; fail "kdig $* failed (rc $rc)"; }
}

# What kdig printed, on failure.
show() { echo "--- kdig output:"; cat "$T/last"; echo "---"; }

status_is() {
	grep -q "status: $1;" "$T/last" || { show; fail "$2: status is not $1"; }
}

# The header flags line (";; Flags: qr aa rd; QUERY: ...").
flags() { sed -n 's/^;; Flags: \([^;]*\);.*/\1/p' "$T/last"; }

flag_set() {
	flags | grep -qw "$1" || { show; fail "$2: flag $1 not set"; }
}

flag_unset() {
	! flags | grep -qw "$1" || { show; fail "$2: flag $1 set"; }
}

# count_is ANSWER|AUTHORITY|ADDITIONAL N MSG
count_is() {
	got=$(sed -n "s/^;; Flags:.* $1: \([0-9]*\).*/\1/p" "$T/last")
	[ "$got" = "$2" ] || { show; fail "$3: $1 count $got, expected $2"; }
}

# section NAME: the records of a section, one per line, tabs to spaces.
section() {
	awk -v s=";; $1 SECTION:" '
		$0 == s { on = 1; next }
		on && /^$/ { exit }
		on && /^;;/ { exit }
		on { gsub(/[ \t]+/, " "); print }' "$T/last"
}

# has_rr SECTION "owner ttl class type rdata" MSG: an exact record line.
has_rr() {
	section "$1" | grep -qixF "$2" || { show; fail "$3: no '$2' in $1"; }
}

no_rr() {
	! section "$1" | grep -qiF "$2" || { show; fail "$3: '$2' in $1"; }
}

section_lines() { section "$1" | wc -l | tr -d ' '; }

# raw ARGS...: one hand-made packet (tests/lib/dnsraw.py); result in $RAW.
raw() {
	RAW=$(python3 "$MXS_ROOT/tests/lib/dnsraw.py" $ADDR $PORT "$@" 2>&1)
}

# raw_has WORD... MSG: every word (e.g. rcode=1 qr=1) is in $RAW.
raw_has() {
	msg=$1; shift
	for wd in "$@"; do
		case " $RAW " in
		*" $wd "*) ;;
		*) fail "$msg: expected $wd, got: $RAW";;
		esac
	done
}
