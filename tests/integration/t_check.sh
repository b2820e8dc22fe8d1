#!/bin/sh
# t_check.sh - `mxspread check` is the daemon's own load (config, templates,
# answers compiled), stopping before any socket: the example passes; a
# template whose answers cannot be compiled (300 TXT records of 250 bytes at
# one name: over 65535 bytes) and a template naming an unknown pool fail with
# exit 1 and "file:line: " naming the node; `mxspread -c` of the same
# configs refuses to start with the same messages. What the daemon refuses
# at start is refused by check, with file:line, and by the daemon before it
# binds anything (strace shows no bind): a public status.listen without a
# token, a token file missing or readable by others, an IPv4-mapped
# status.listen, relay.listen on a DNS listen address (or a wildcard over
# it), a relay that is its own backend, an absolute @include that fails,
# numbers too large for libconfig in an absolutely @included file.
. "$MXS_ROOT/tests/lib/common.sh"

[ -x "$MXSPREAD" ] || fail "no binary $MXSPREAD"
DATA="$MXS_ROOT/tests/integration/data/t_check"

# The example config: exit 0, the ok line, nothing on stderr.
"$MXSPREAD" check -c "$MXS_ROOT/zones/examples/mxspread.conf" \
    > "$T/ex.out" 2> "$T/ex.err" ||
	{ cat "$T/ex.out" "$T/ex.err"; fail "check rejected the example"; }
grep -q '^.*mxspread.conf: ok (1 zone, 1 pool, [0-9]* names)$' "$T/ex.out" ||
	fail "check output: $(cat "$T/ex.out")"
[ -s "$T/ex.err" ] && fail "check printed on stderr: $(cat "$T/ex.err")"
ok "check accepts the example"

# 300 TXT records of 250 bytes at big.mail.example.test. (75 kB), and a CNAME
# to it: both answers are too big for a DNS message.
mkdir "$T/big"
cat > "$T/big/big.conf" <<EOC
listen = [ "127.0.0.1:1" ];
workers = 1;
status = { enabled = false; };
zones = ( { origin = "mail.example.test."; template = "big.zone"; } );
EOC
{
	printf '$ORIGIN mail.example.test.\n$TTL 3600\n'
	printf '@ SOA ns1 hostmaster 1 3600 600 86400 60\n@ NS ns1\n'
	printf 'ns1 A 127.0.0.53\n'
	i=0
	while [ $i -lt 300 ]; do
		printf 'big TXT "%03d%0247d"\n' $i 0
		i=$((i + 1))
	done
	printf 'alias CNAME big\n'
	printf 'small TXT "fits"\n'
} > "$T/big/big.zone"
lbig=$(grep -n '^big TXT' "$T/big/big.zone" | head -1 | cut -d: -f1)
lalias=$(grep -n '^alias CNAME' "$T/big/big.zone" | cut -d: -f1)
[ "$lbig" = 6 ] && [ "$lalias" = 306 ] || fail "template lines $lbig $lalias"

rc=0
"$MXSPREAD" check -c "$T/big/big.conf" > "$T/big.out" 2> "$T/big.err" || rc=$?
[ "$rc" = 1 ] || { cat "$T/big.out" "$T/big.err"; fail "check on a too-big answer exited $rc, not 1"; }
[ -s "$T/big.out" ] && fail "check printed an ok line: $(cat "$T/big.out")"
grep -q "big.zone:$lbig: big.mail.example.test.: the TXT answer does not fit a message" "$T/big.err" ||
	{ cat "$T/big.err"; fail "no file:line error naming the too-big node"; }
grep -q "big.zone:$lalias: alias.mail.example.test.: the TXT answer does not fit a message" "$T/big.err" ||
	{ cat "$T/big.err"; fail "the CNAME to the too-big node not reported"; }
ok "check compiles the answers: a too-big answer fails with file:line, exit 1"

# An unknown pool (line 7 of the fixture): still file:line, exit 1.
cp "$DATA/badpool.conf" "$DATA/badpool.zone" "$T/"
rc=0
"$MXSPREAD" check -c "$T/badpool.conf" > "$T/pool.out" 2> "$T/pool.err" || rc=$?
[ "$rc" = 1 ] || { cat "$T/pool.out" "$T/pool.err"; fail "check on an unknown pool exited $rc, not 1"; }
grep -q "badpool.zone:7: unknown pool 'inbund' (did you mean 'inbound'?)" "$T/pool.err" ||
	{ cat "$T/pool.err"; fail "no file:line error for the unknown pool"; }
ok "an unknown pool fails check with file:line"

# The daemon loads the same way: it refuses to start, with the same lines.
for c in big/big badpool; do
	rc=0
	timeout 20 "$MXSPREAD" -c "$T/$c.conf" > "$T/run.out" 2> "$T/run.err" || rc=$?
	[ "$rc" != 0 ] && [ "$rc" != 124 ] ||
		{ cat "$T/run.err"; fail "the daemon started on $c.conf (rc $rc)"; }
	case $c in
	big/big) want="big.zone:$lbig: big.mail.example.test.: the TXT answer does not fit a message";;
	*) want="badpool.zone:7: unknown pool 'inbund' (did you mean 'inbound'?)";;
	esac
	grep -qF "$want" "$T/run.err" ||
		{ cat "$T/run.err"; fail "the daemon's message for $c.conf differs from check's"; }
	# every error line of check is an error line of the daemon
	case $c in big/big) chk="$T/big.err";; *) chk="$T/pool.err";; esac
	grep -v 'configuration rejected$' "$chk" | while IFS= read -r line; do
		grep -qxF "$line" "$T/run.err" || { echo "missing: $line"; exit 1; }
	done || { cat "$T/run.err"; fail "check printed lines the daemon did not"; }
done
ok "mxspread -c refuses to start with the same messages"

# ---- what the daemon refuses, check refuses, before any socket
DNS=$(free_port 127.0.0.1 both)
SP=$(free_port 127.0.0.1 tcp)
RP=$(free_port 127.0.0.1 tcp)
mkdir "$T/r"
cp "$DATA/refuse.zone" "$T/r/"
echo "s3cret" > "$T/r/token"
chmod 604 "$T/r/token"
printf 'rrl = {\n  rate = 4294967297; };\n' > "$T/r/abs.inc"
NOSTATUS='{ enabled = false; }'
NORELAY="{ enabled = false; pool = \"inbound\"; listen = \"127.0.0.1:$RP\"; }"
STRACE=$(command -v strace || true)
if [ -n "$STRACE" ] && ! strace -qq -f -o /dev/null true 2>/dev/null; then
	STRACE=	# no ptrace here: the refusal is still checked, the bind not
fi
n=0
refused() {	# refused WHAT LINE-KEY MESSAGE STATUS RELAY INCLUDE
	what=$1 key=$2 msg=$3
	n=$((n + 1))
	c="$T/r/c$n.conf"
	fixture t_check/refuse.conf "$c" DNS="$DNS" STATUS="$4" RELAY="$5" \
	    INCLUDE="$6"
	# the file:line the message must carry
	case $key in
	abs.inc:*) where="$T/r/$key";;
	*) where="$c:$(grep -n "^$key" "$c" | cut -d: -f1)";;
	esac
	rc=0
	"$MXSPREAD" check -c "$c" > "$T/r/out" 2> "$T/r/err" || rc=$?
	[ "$rc" = 1 ] || { cat "$T/r/out" "$T/r/err"; fail "$what: check exited $rc, not 1"; }
	grep -qF "$where: $msg" "$T/r/err" ||
		{ cat "$T/r/err"; fail "$what: check did not say '$where: $msg'"; }
	rc=0
	if [ -n "$STRACE" ]; then
		timeout 20 strace -qq -f -e trace=bind,listen -e signal=none \
		    -o "$T/r/trace" "$MXSPREAD" -c "$c" > "$T/r/run" 2>&1 || rc=$?
		grep -E 'bind\(|listen\(' "$T/r/trace" &&
			fail "$what: the daemon bound a socket before refusing"
	else
		timeout 20 "$MXSPREAD" -c "$c" > "$T/r/run" 2>&1 || rc=$?
	fi
	[ "$rc" != 0 ] && [ "$rc" != 124 ] ||
		{ cat "$T/r/run"; fail "$what: the daemon started (rc $rc)"; }
	grep -qF "$where: $msg" "$T/r/run" ||
		{ cat "$T/r/run"; fail "$what: the daemon's message differs from check's"; }
	ok "$what: check exit 1, '$where: $msg'; the daemon refuses it${STRACE:+, no bind}"
}
refused "public status without token" status \
    "status.listen: '0.0.0.0:$SP' is not a loopback address" \
    "{ listen = \"0.0.0.0:$SP\"; }" "$NORELAY" ""
refused "missing token file" status \
    "status.token_file: $T/r/none: No such file or directory" \
    "{ listen = \"127.0.0.1:$SP\"; token_file = \"$T/r/none\"; }" "$NORELAY" ""
refused "token readable by others" status \
    "status.token_file: $T/r/token is accessible by others (mode 0604)" \
    "{ listen = \"127.0.0.1:$SP\"; token_file = \"$T/r/token\"; }" "$NORELAY" ""
refused "IPv4-mapped status.listen" status \
    "status.listen: '[::ffff:127.0.0.1]:$SP' is an IPv4-mapped address, which an IPv6-only socket cannot bind: write 127.0.0.1:$SP" \
    "{ listen = \"[::ffff:127.0.0.1]:$SP\"; }" "$NORELAY" ""
refused "relay.listen = a DNS listen address" relay \
    "relay.listen: '127.0.0.1:$DNS' takes the connections of the DNS listen address '127.0.0.1:$DNS'" \
    "$NOSTATUS" "{ pool = \"inbound\"; listen = \"127.0.0.1:$DNS\"; port = 2525; }" ""
refused "relay.listen wildcard over a DNS listen address" relay \
    "relay.listen: '0.0.0.0:$DNS' takes the connections of the DNS listen address '127.0.0.1:$DNS'" \
    "$NOSTATUS" "{ pool = \"inbound\"; listen = \"0.0.0.0:$DNS\"; port = 2525; }" ""
refused "a relay that is its own backend" relay \
    "relay.listen: '127.0.0.1:$RP' is a backend of the relay: server 'mx2' of pool 'inbound' (line 11) at 127.0.0.1, relay.port $RP" \
    "$NOSTATUS" "{ pool = \"inbound\"; listen = \"127.0.0.1:$RP\"; port = $RP; }" ""
refused "a failed absolute @include" @include \
    "cannot open include file $T/r/none.inc: No such file or directory" \
    "$NOSTATUS" "$NORELAY" "@include \"$T/r/none.inc\""
refused "a number too large in an absolute @include" abs.inc:2 \
    "number 4294967297 is too large" \
    "$NOSTATUS" "$NORELAY" "@include \"$T/r/abs.inc\""

# the same fixture, every case undone, is accepted (the cases are the cause)
chmod 600 "$T/r/token"
printf 'rrl = {\n  rate = 429; };\n' > "$T/r/abs.inc"
fixture t_check/refuse.conf "$T/r/good.conf" DNS="$DNS" \
    STATUS="{ listen = \"127.0.0.1:$SP\"; token_file = \"$T/r/token\"; }" \
    RELAY="{ pool = \"inbound\"; listen = \"127.0.0.1:$RP\"; port = 2525; }" \
    INCLUDE="@include \"$T/r/abs.inc\""
"$MXSPREAD" check -c "$T/r/good.conf" > "$T/r/out" 2>&1 ||
	{ cat "$T/r/out"; fail "check refused the fixture with every case undone"; }
ok "the fixture with every case undone passes check"
exit 0
