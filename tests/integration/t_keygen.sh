#!/bin/sh
# t_keygen.sh - `mxspread keygen` writes a BIND key pair for a zone of the
# config (beside the config, or in -K DIR) and prints the line to add;
# `mxspread ds` loads every key of the config as the signer does and prints
# its DS, the same as BIND's dnssec-dsfromkey; a key that fails to load is
# reported at its config line (exit 1); usage errors exit 2.
. "$MXS_ROOT/tests/lib/common.sh"

[ -x "$MXSPREAD" ] || fail "no binary $MXSPREAD"
mkdir "$T/etc" "$T/keys"
cat > "$T/etc/mxspread.conf" <<EOC
listen = [ "127.0.0.1:1" ];
workers = 1;
status = { enabled = false; };
zones = ( { origin = "mail.example.test."; template = "mail.zone"; } );
EOC
printf '$ORIGIN mail.example.test.\n$TTL 3600\n@ SOA ns1 hostmaster 1 3600 600 86400 60\n@ NS ns1\nns1 A 127.0.0.53\n' \
    > "$T/etc/mail.zone"
CONF=$T/etc/mxspread.conf

# keygen beside the config: the base path, then the hint naming the file
"$MXSPREAD" keygen -c "$CONF" Mail.Example.Test > "$T/k1.out" 2> "$T/k1.err" ||
	{ cat "$T/k1.out" "$T/k1.err"; fail "keygen failed"; }
[ "$(wc -l < "$T/k1.out")" = 2 ] || fail "keygen printed: $(cat "$T/k1.out")"
b1=$(sed -n 1p "$T/k1.out")
n1=$(basename "$b1")
case $n1 in
Kmail.example.test.+013+[0-9][0-9][0-9][0-9][0-9]) ;;
*) fail "key base name $n1" ;;
esac
[ "$(dirname "$b1")" = "$T/etc" ] || fail "key written in $(dirname "$b1"), not beside the config"
[ "$(stat -c %a "$b1.private")" = 600 ] || fail ".private mode $(stat -c %a "$b1.private")"
[ "$(stat -c %a "$b1.key")" = 644 ] || fail ".key mode $(stat -c %a "$b1.key")"
[ "$(sed -n 2p "$T/k1.out")" = "add to zone mail.example.test.: dnssec = { keys = [ \"$n1\" ]; }" ] ||
	fail "hint: $(sed -n 2p "$T/k1.out")"
ok "keygen writes $n1 beside the config and prints the line to add"

# keygen -a ed25519 -K a relative directory: the hint has the absolute path
(cd "$T" && "$MXSPREAD" keygen mail.example.test. -c "$CONF" -a ed25519 -K keys) \
    > "$T/k2.out" 2> "$T/k2.err" || { cat "$T/k2.err"; fail "keygen -a ed25519 -K failed"; }
b2=$(sed -n 1p "$T/k2.out")
n2=$(basename "$b2")
case $n2 in
Kmail.example.test.+015+[0-9][0-9][0-9][0-9][0-9]) ;;
*) fail "ed25519 key base name $n2" ;;
esac
[ -f "$T/keys/$n2.key" ] && [ -f "$T/keys/$n2.private" ] || fail "no key pair in -K keys"
[ "$(sed -n 2p "$T/k2.out")" = "add to zone mail.example.test.: dnssec = { keys = [ \"$T/keys/$n2\" ]; }" ] ||
	fail "hint with -K: $(sed -n 2p "$T/k2.out")"
ok "keygen -a ed25519 -K DIR"

# ds: both keys, as the daemon would load them
sed -i "s|template = \"mail.zone\";|&\n    dnssec = { keys = [ \"$n1\",\n        \"$T/keys/$n2\" ]; };|" "$CONF"
"$MXSPREAD" ds -c "$CONF" > "$T/ds.out" 2> "$T/ds.err" ||
	{ cat "$T/ds.out" "$T/ds.err"; fail "ds failed"; }
[ -s "$T/ds.err" ] && fail "ds printed on stderr: $(cat "$T/ds.err")"
[ "$(wc -l < "$T/ds.out")" = 2 ] || fail "ds printed: $(cat "$T/ds.out")"
# the key tag: 5 digits in the file name, a number in the DS
tag1=$(expr "${n1##*+}" + 0)
tag2=$(expr "${n2##*+}" + 0)
grep -Eq "^mail\.example\.test\. 3600 IN DS $tag1 13 2 [0-9A-F]{64}\$" "$T/ds.out" ||
	fail "no DS of the ECDSA key: $(cat "$T/ds.out")"
grep -Eq "^mail\.example\.test\. 3600 IN DS $tag2 15 2 [0-9A-F]{64}\$" "$T/ds.out" ||
	fail "no DS of the Ed25519 key: $(cat "$T/ds.out")"
if command -v dnssec-dsfromkey >/dev/null 2>&1; then
	for b in "$b1" "$T/keys/$n2"; do
		want=$(dnssec-dsfromkey -2 "$b.key" | sed 's/ IN DS / 3600 IN DS /')
		grep -qxF "$want" "$T/ds.out" || fail "dnssec-dsfromkey says $want; ds printed $(cat "$T/ds.out")"
	done
	ok "ds prints the DS of each key, as dnssec-dsfromkey -2 does"
else
	ok "ds prints the DS of each key (dnssec-dsfromkey not installed: not compared)"
fi

# a key that does not load: its config line, the reason, exit 1; the
# other key's DS is still printed
chmod 644 "$T/keys/$n2.private"
line=$(grep -n "\"$T/keys/$n2\"" "$CONF" | cut -d: -f1)
rc=0
"$MXSPREAD" ds -c "$CONF" > "$T/ds2.out" 2> "$T/ds2.err" || rc=$?
[ $rc = 1 ] || fail "ds with an unsafe key exited $rc, not 1"
grep -qF "$CONF:$line: dnssec.keys: $T/keys/$n2.private is accessible by others (mode 0644)" "$T/ds2.err" ||
	fail "ds error: $(cat "$T/ds2.err")"
[ "$(wc -l < "$T/ds2.out")" = 1 ] || fail "ds printed: $(cat "$T/ds2.out")"
ok "ds names the config line of a key that does not load"

# errors
rc=0
"$MXSPREAD" keygen -c "$CONF" other.example.test > /dev/null 2> "$T/e1.err" || rc=$?
[ $rc = 1 ] && grep -qF "other.example.test is not a zone of $CONF (zones: mail.example.test.)" "$T/e1.err" ||
	fail "keygen of another zone: rc $rc, $(cat "$T/e1.err")"
for args in "keygen -c $CONF mail.example.test -a rsa" "keygen -c $CONF" \
    "check -c $CONF -a ed25519" "ds -c $CONF -K $T" "ds -c $CONF mail.example.test"; do
	rc=0
	# shellcheck disable=SC2086
	"$MXSPREAD" $args > /dev/null 2>&1 || rc=$?
	[ $rc = 2 ] || fail "mxspread $args exited $rc, not 2"
done
[ "$(ls "$T/etc" | grep -c '^K')" = 2 ] || fail "a failed keygen left files: $(ls "$T/etc")"
ok "usage errors exit 2, an unknown zone 1, and leave no file"
