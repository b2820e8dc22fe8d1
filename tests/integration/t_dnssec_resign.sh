#!/bin/sh
# t_dnssec_resign.sh - signing failures and re-signing against a real
# daemon: `check` refuses a missing, world-readable, foreign or malformed
# key file, a published key whose algorithm is not the signing key's, and
# a validity not longer than the refresh margin, each at the
# config's file:line; a reload with a bad key is rejected and the running
# world keeps serving its signatures; background re-signing renews the
# signatures before they expire (a new expiration, still validating with
# delv), and when the templates no longer load it keeps serving the old
# ones, logs the failure and retries until they load again. Re-signing
# keeps the running configuration (no reload: the pool state stays).
. "$MXS_ROOT/tests/lib/common.sh"

[ -x "$MXSPREAD" ] || fail "no daemon at $MXSPREAD"
for c in dig delv ldns-keygen; do
	command -v $c >/dev/null 2>&1 || skip "$c not installed"
done
DP=$(free_port); HP=$(free_port)
[ -n "$DP" ] && [ -n "$HP" ] || fail "no free port"
LOG=$T/mxs.log
cd "$T" || fail "cd $T"
KEY=$(dnssec_key "$T" mail.test.) || fail "ldns-keygen"
OTHER=$(dnssec_key "$T" other.test.) || fail "ldns-keygen"

# mk KEY VALIDITY REFRESH [ZONE_EXTRA]
mk() {
	fixture t_dnssec_resign/zone "$T/zone" EXTRA="${4:-}"
	fixture t_dnssec_resign/mxspread.conf "$T/conf" DIR="$T" KEY="$1" \
	    VALIDITY="$2" REFRESH="$3" DNS_PORT="$DP" STATUS_PORT="$HP"
}
keyline=$(grep -n "keys = " "$MXS_ROOT/tests/integration/data/t_dnssec_resign/mxspread.conf" | cut -d: -f1)

# check_refuses KEY VALIDITY REFRESH PATTERN WHAT
check_refuses() {
	mk "$1" "$2" "$3"
	if "$MXSPREAD" check -c "$T/conf" > "$T/check.out" 2>&1; then
		fail "$5: check accepted it"
	fi
	grep -q "$4" "$T/check.out" || { cat "$T/check.out"; fail "$5: no '$4'"; }
	ok "check refuses $5: $(head -1 "$T/check.out")"
}
check_refuses "$T/Knothere" 3600 600 "conf:$keyline: dnssec.keys: .*Knothere" "a missing key"
check_refuses "$OTHER" 3600 600 "conf:$keyline: dnssec.keys: .*other.test" "a key of another zone"
chmod 644 "$KEY.private"
check_refuses "$KEY" 3600 600 "conf:$keyline: dnssec.keys: .*$KEY.private" "a key file others can read"
chmod 600 "$KEY.private"
cp "$KEY.key" "$T/Kbad.key"; printf 'Private-key-format: v1.3\nAlgorithm: 13 (ECDSAP256SHA256)\nPrivateKey: !!!\n' > "$T/Kbad.private"
chmod 600 "$T/Kbad.private"
check_refuses "$T/Kbad" 3600 600 "conf:$keyline: dnssec.keys: .*Kbad" "a malformed private key"
check_refuses "$KEY" 3600 3600 "conf:.*validity (3600 s) must be longer than refresh" "validity not above refresh"
ED=$(dnssec_key "$T" mail.test. ED25519) || fail "ldns-keygen ED25519"
check_refuses "$KEY\", \"$ED" 3600 600 "conf:$keyline: dnssec.keys: .*algorithm 15, but the signing key" "a published key of another algorithm"

# the daemon: signatures valid an hour, renewed 5 s after they were made
# (refresh 3595): it re-signs at every tick (5 s)
mk "$KEY" 3600 3595
"$MXSPREAD" check -c "$T/conf" > "$T/check.out" 2>&1 || { cat "$T/check.out"; fail "check of the good config"; }
bg "$MXSPREAD" -c "$T/conf" 2>>"$LOG"
MXS_PID=$LASTPID
wait_dns 127.0.0.1 "$DP" mail.test || { cat "$LOG"; fail "daemon did not answer"; }
set -- $(zone_ds "$T/conf" mail.test)
[ $# = 4 ] || fail "no DS from mxspread ds"
printf 'trust-anchors { mail.test. static-ds %s %s %s "%s"; };\n' "$1" "$2" "$3" "$4" > "$T/anchor"
validates() {
	delv @127.0.0.1 -p "$DP" -a "$T/anchor" +root=mail.test "$@" > "$T/delv.out" 2>&1
	grep -q "; fully validated" "$T/delv.out"
}
# expiry: the expiration of the SOA's RRSIG
expiry() {
	dig +dnssec +norec +time=2 +tries=1 @127.0.0.1 -p "$DP" mail.test SOA |
	    awk '$4 == "RRSIG" && $5 == "SOA" { print $9; exit }'
}
validates mail.test SOA || { cat "$T/delv.out"; fail "SOA does not validate"; }
validates mail.test MX || { cat "$T/delv.out"; fail "MX does not validate"; }
e1=$(expiry)
[ -n "$e1" ] || fail "no RRSIG on the SOA"
i=0
while [ "$(expiry)" = "$e1" ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
e2=$(expiry)
[ "$e2" != "$e1" ] || { tail "$LOG"; fail "signatures not renewed within 15 s (expiration $e1)"; }
[ "$e2" -gt "$e1" ] || fail "renewed signatures expire earlier: $e2 < $e1"
grep -q "dnssec: re-signed 1 zone" "$LOG" || fail "no re-signing line in the log"
grep -q "reloading" "$LOG" && fail "re-signing reloaded the configuration"
validates mail.test MX || { cat "$T/delv.out"; fail "MX after re-signing does not validate"; }
ok "re-signed in the background: expiration $e1 -> $e2, answers validate"

# a template that no longer loads: the old signatures stay, the failure is
# logged and retried
mk "$KEY" 3600 3595 'broken IN A not-an-address'
sleep 1
e3=$(expiry)
n0=$(grep -c "re-signing failed" "$LOG")
i=0
while [ "$(grep -c "re-signing failed" "$LOG")" -lt $((n0 + 2)) ] && [ $i -lt 150 ]; do
	sleep 0.1; i=$((i + 1))
done
[ "$(grep -c "re-signing failed" "$LOG")" -ge $((n0 + 2)) ] || { tail "$LOG"; fail "a failing re-sign was not retried"; }
[ "$(expiry)" = "$e3" ] || fail "signatures changed though the load failed"
validates mail.test SOA || { cat "$T/delv.out"; fail "old signatures no longer validate"; }
ok "a failing re-sign keeps the old signatures and is retried ($(grep -c "re-signing failed" "$LOG") attempts logged)"
mk "$KEY" 3600 3595
i=0
while [ "$(expiry)" = "$e3" ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(expiry)" != "$e3" ] || fail "re-signing did not resume after the template was fixed"
ok "re-signing resumed once the template loads"

# a reload with a key others can read is rejected; the world stays signed
chmod 644 "$KEY.private"
mk "$KEY" 3600 600
kill -HUP "$MXS_PID"
i=0
while ! grep -q "$KEY.private" "$LOG" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
grep -q "$KEY.private" "$LOG" || { tail "$LOG"; fail "the bad key of the reload was not logged"; }
validates mail.test MX || { cat "$T/delv.out"; fail "after a rejected reload the answers do not validate"; }
chmod 600 "$KEY.private"
ok "a reload with a world-readable key is rejected, answers still validate"
stop_pid "$MXS_PID"
