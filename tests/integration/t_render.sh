#!/bin/sh
# t_render.sh - `mxspread check` and `mxspread render` on the example config:
# check accepts it, render prints a zone ldns-read-zone accepts with the
# expected MX/A/AAAA expansion, and check on broken copies exits 1 naming
# file:line of each mistake.
. "$MXS_ROOT/tests/lib/common.sh"

[ -x "$MXSPREAD" ] || fail "no binary $MXSPREAD"
command -v ldns-read-zone >/dev/null 2>&1 || skip "ldns-read-zone (ldnsutils) not installed"

EX="$MXS_ROOT/zones/examples"
CONF="$EX/mxspread.conf"

# check: exit 0, one line on stdout, nothing on stderr
"$MXSPREAD" check -c "$CONF" > "$T/check.out" 2> "$T/check.err" ||
	{ cat "$T/check.out" "$T/check.err"; fail "check rejected the example"; }
grep -q ': ok (1 zone' "$T/check.out" || fail "check output: $(cat "$T/check.out")"
[ -s "$T/check.err" ] && fail "check printed warnings: $(cat "$T/check.err")"
ok "check accepts the example"

# render: valid master file
"$MXSPREAD" render -c "$CONF" > "$T/render.zone" 2> "$T/render.err" ||
	{ cat "$T/render.err"; fail "render failed"; }
ldns-read-zone "$T/render.zone" > "$T/canon.zone" 2> "$T/ldns.err" ||
	{ cat "$T/ldns.err" "$T/render.zone"; fail "ldns-read-zone rejected the render"; }
ok "ldns-read-zone accepts the render"

# expected records (ldns-read-zone canonical output, tab separated)
expect() {
	grep -qF "$1" "$T/canon.zone" || { cat "$T/canon.zone"; fail "missing: $1"; }
}
TAB=$(printf '\t')
expect "mail.example.com.${TAB}30${TAB}IN${TAB}MX${TAB}10 mx1.mail.example.com."
expect "mail.example.com.${TAB}30${TAB}IN${TAB}MX${TAB}20 mx2.mail.example.com."
expect "mail.example.com.${TAB}30${TAB}IN${TAB}MX${TAB}30 mx3.mail.example.com."
expect "mx1.mail.example.com.${TAB}30${TAB}IN${TAB}A${TAB}127.0.0.11"
expect "mx1.mail.example.com.${TAB}30${TAB}IN${TAB}AAAA${TAB}2001:db8::11"
expect "mx3.mail.example.com.${TAB}30${TAB}IN${TAB}A${TAB}127.0.0.13"
expect "smtp.mail.example.com.${TAB}30${TAB}IN${TAB}A${TAB}127.0.0.12"
expect "smtp.mail.example.com.${TAB}30${TAB}IN${TAB}AAAA${TAB}2001:db8::12"
expect "mail.example.com.${TAB}3600${TAB}IN${TAB}SOA${TAB}ns1.mail.example.com. hostmaster.mail.example.com. 2026112701"
expect '"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all"'
[ "$(grep -c "${TAB}MX${TAB}" "$T/canon.zone")" = 3 ] || fail "expected exactly 3 MX records"
grep -q "^mx3\.mail\.example\.com\.${TAB}.*${TAB}AAAA${TAB}" "$T/canon.zone" && fail "mx3 has no IPv6 address"
# the DKIM TXT is longer than 255 bytes: several strings
dkim=$(grep '^selector1._domainkey' "$T/canon.zone") || fail "no DKIM record"
[ "$(printf '%s' "$dkim" | tr -cd '"' | wc -c)" -ge 4 ] || fail "DKIM record is a single string"
[ "$(printf '%s' "$dkim" | wc -c)" -gt 300 ] || fail "DKIM record too short"
# the first line of the render is the SOA (after comments and $ORIGIN)
first=$(grep -v '^[;$]' "$T/render.zone" | head -1)
case "$first" in *"${TAB}SOA${TAB}"*) ;; *) fail "SOA is not first: $first";; esac
ok "render expands DYNMX/DYNA as expected"

# broken copies: exit 1, every error named file:line
mkdir -p "$T/bad"
cp "$CONF" "$T/bad/mxspread.conf"
cp "$EX/mail.example.com.zone" "$T/bad/"
sed -i -e 's/^@       30  DYNMX inbound .*$/@       30  DYNMX inbund/' \
    -e 's/^ns1         A    127.0.0.53 .*$/ns1         A    127.0.0.999/' \
    "$T/bad/mail.example.com.zone"
grep -q 'DYNMX inbund$' "$T/bad/mail.example.com.zone" || fail "sed did not break the DYNMX line"
l1=$(grep -n 'DYNMX inbund$' "$T/bad/mail.example.com.zone" | cut -d: -f1)
l2=$(grep -n '127.0.0.999' "$T/bad/mail.example.com.zone" | cut -d: -f1)
rc=0
"$MXSPREAD" check -c "$T/bad/mxspread.conf" > "$T/bad.out" 2> "$T/bad.err" || rc=$?
[ "$rc" = 1 ] || { cat "$T/bad.out" "$T/bad.err"; fail "check on a broken template exited $rc, not 1"; }
grep -q "mail.example.com.zone:$l1: unknown pool 'inbund' (did you mean 'inbound'?)" "$T/bad.err" ||
	{ cat "$T/bad.err"; fail "no file:line error for the unknown pool"; }
grep -q "mail.example.com.zone:$l2: bad A record" "$T/bad.err" ||
	{ cat "$T/bad.err"; fail "no file:line error for the bad address"; }
"$MXSPREAD" render -c "$T/bad/mxspread.conf" > /dev/null 2>&1 && fail "render accepted a broken template"
ok "check reports every template error with file:line, exit 1"

# a missing template: the config line that names it
rm "$T/bad/mail.example.com.zone"
rc=0
"$MXSPREAD" check -c "$T/bad/mxspread.conf" > /dev/null 2> "$T/missing.err" || rc=$?
[ "$rc" = 1 ] || fail "check with a missing template exited $rc"
grep -q "mxspread.conf:[0-9]*: cannot open template '.*mail.example.com.zone': No such file or directory" "$T/missing.err" ||
	{ cat "$T/missing.err"; fail "missing template not reported"; }
ok "a missing template names the config line"
exit 0
