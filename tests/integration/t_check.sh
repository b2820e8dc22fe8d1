#!/bin/sh
# t_check.sh - `mxspread check` is the daemon's own load (config, templates,
# answers compiled), stopping before any socket: the example passes; a
# template whose answers cannot be compiled (300 TXT records of 250 bytes at
# one name: over 65535 bytes) and a template naming an unknown pool fail with
# exit 1 and "file:line: " naming the node; `mxspread -c` of the same
# configs refuses to start with the same messages.
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
exit 0
