#!/bin/sh
# Differential test: thousands of queries (every name of a rich zone x many
# types, EDNS sizes and options, classes, opcodes, flags, TCP, malformed and
# fuzzed packets) sent to mxspread and to NSD serving the same zone; the
# normalised answers must match except for the documented differences
# (tests/lib/dnsdiff.py known_diff, dnsd/query.h "Differences from NSD").
# Also checked on mxspread alone: no answer to QR=1, UDP answers within the
# client's limit, id echoed, no amplification beyond NSD's.
. "$MXS_ROOT/tests/lib/common.sh"

command -v nsd >/dev/null 2>&1 || skip "nsd is not installed"
DIFF="$MXS_ROOT/tests/lib/dnsdiff.py"
ADDR=127.0.0.1
P1=$(free_port $ADDR)
P2=$(free_port $ADDR)
[ -n "$P1" ] && [ -n "$P2" ] && [ "$P1" != "$P2" ] || fail "no free ports"

python3 "$DIFF" zone "$T/z.zone" || fail "cannot write the zone"

cat > "$T/mxs.conf" <<E2
listen = [ "$ADDR:$P1" ];
workers = 1;
status = { enabled = false; };
zones = ( { origin = "mail.example.com."; template = "$T/z.zone"; } );
E2
mkdir -p "$T/nsd"
fixture t_dns_vs_nsd/nsd.conf "$T/nsd/nsd.conf" DIR="$T" LISTEN="$ADDR@$P2"

bg "$MXSPREAD" -c "$T/mxs.conf" > "$T/mxs.log" 2>&1
MXS_PID=$LASTPID
bg nsd -d -c "$T/nsd/nsd.conf" > "$T/nsd.log" 2>&1
NSD_PID=$LASTPID
wait_dns $ADDR $P1 mail.example.com || { cat "$T/mxs.log"; fail "mxspread did not start"; }
wait_dns $ADDR $P2 mail.example.com || { cat "$T/nsd.log"; fail "nsd did not start"; }

python3 "$DIFF" compare --test $ADDR:$P1 --ref $ADDR:$P2 > "$T/diff.out" 2>&1
rc=$?
kill -0 $MXS_PID 2>/dev/null || { cat "$T/diff.out"; fail "mxspread died during the run"; }
grep -E '^(compared|known)' "$T/diff.out"
if [ $rc != 0 ]; then
	cat "$T/diff.out"
	fail "mxspread differs from NSD (see above)"
fi
tail -1 "$T/diff.out"
ok "mxspread answers as NSD does, but for the documented differences"
