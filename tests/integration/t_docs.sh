#!/bin/sh
# t_docs.sh - the documentation matches the code: every key of every key
# table of the config loader (dnsd/base/conf*.c) is documented in the right
# section of README.md (a table row) and of mxspread.conf(5) (a .TP entry),
# no documented key is unknown to the loader, every enum value it accepts
# appears in the man page, and both man pages render with groff -ww and man
# without a warning.
# DOCS_CONF (a list of files), DOCS_README, DOCS_MAN5, DOCS_MAN8 override
# the files checked.
. "$MXS_ROOT/tests/lib/common.sh"

CONF_C=${DOCS_CONF:-$(echo "$MXS_ROOT"/dnsd/base/conf*.c)}
README=${DOCS_README:-$MXS_ROOT/README.md}
MAN5=${DOCS_MAN5:-$MXS_ROOT/dnsd/mxspread.conf.5}
MAN8=${DOCS_MAN8:-$MXS_ROOT/dnsd/mxspread.8}
for f in $CONF_C "$README" "$MAN5" "$MAN8"; do
	[ -f "$f" ] || fail "missing $f"
done
command -v groff >/dev/null 2>&1 || skip "groff not installed"

# table NAME: the strings of "static const char *const NAME[] = { ... NULL };"
# (or of conf_NAME, a table the loader's files share)
table() {
	awk -v name="$1" '
	index($0, "const char *const " name "[] = {") ||
	    index($0, "const char *const conf_" name "[] = {") { on = 1 }
	on {
		s = $0
		while (match(s, /"[^"]*"/)) {
			print substr(s, RSTART + 1, RLENGTH - 2)
			s = substr(s, RSTART + RLENGTH)
		}
		if ($0 ~ /NULL/) exit
	}' $CONF_C
}

# readme_keys HEADING: first-cell `key`s of the table rows under "### HEADING"
readme_keys() {
	awk -v h="### $1" '
	/^#/ { on = ($0 == h); next }
	on && /^\| *`/ {
		split($0, cell, "|")
		s = cell[2]
		while (match(s, /`[^`]*`/)) {
			print substr(s, RSTART + 1, RLENGTH - 2)
			s = substr(s, RSTART + RLENGTH)
		}
	}' "$README"
}

# man_keys SECTION: the ".B key" lines right after ".TP" under ".SH SECTION"
man_keys() {
	awk -v h=".SH $1" '
	/^\.SH/ { on = ($0 == h); tp = 0; next }
	/^\.SS/ { on = 0 }
	on && /^\.TP/ { tp = 1; next }
	on && tp && /^\.B / { print $2 }
	{ tp = 0 }' "$MAN5"
}

nerr=0
bad() { echo "  $*"; nerr=$((nerr + 1)); }

# compare TABLE WHERE FILE-KEYS...: both directions
compare() {
	tab=$1 where=$2
	shift 2
	table "$tab" | sort -u > "$T/code"
	printf '%s\n' "$@" | sed '/^$/d' | sort -u > "$T/doc"
	[ -s "$T/code" ] || bad "conf.c: key table $tab not found (did its form change?)"
	for k in $(comm -23 "$T/code" "$T/doc"); do
		bad "$where: key '$k' ($tab in conf*.c) is not documented"
	done
	for k in $(comm -13 "$T/code" "$T/doc"); do
		bad "$where: documents key '$k', which conf*.c ($tab) does not accept"
	done
}

# tables: conf*.c array, README heading, man page section
while read -r tab head sect; do
	head=$(echo "$head" | tr '~' ' ')
	sect=$(echo "$sect" | tr '~' ' ')
	compare "$tab" "README.md \"### $head\"" $(readme_keys "$head")
	compare "$tab" "mxspread.conf.5 .SH $sect" $(man_keys "$sect")
done <<'EOF'
top_keys Top~level TOP~LEVEL
status_keys `status` STATUS
zone_keys `zones`~(each~element) ZONES
dnssec_keys `dnssec`~(in~a~zone) DNSSEC
pool_keys `pools`~(each~element) POOLS
probe_keys `probe`~and~`load` PROBES
server_keys `servers`~(each~element) SERVERS
relay_keys `relay` RELAY
rrl_keys `rrl` RRL
cookies_keys `cookies` COOKIES
EOF
ntop=$(table top_keys | wc -l)
[ "$ntop" -ge 10 ] || bad "conf*.c: only $ntop top-level keys found"
[ $nerr = 0 ] && ok "all $(for t in top_keys status_keys zone_keys dnssec_keys pool_keys \
    probe_keys server_keys relay_keys rrl_keys cookies_keys; do table $t; done | wc -l) conf*.c keys are documented in README.md and mxspread.conf.5"

# enum values: every accepted word appears in bold in the man page
for tab in policy_names probe_names load_type_names proxy_names format_names \
    alldown_names dane_names relay_policy_names level_names; do
	vals=$(table "$tab")
	[ -n "$vals" ] || { bad "conf*.c: value table $tab not found"; continue; }
	for v in $vals; do
		grep -Eq "^\.B(R|I)? .*\<$v\>|\\\\fB$v\\\\f" "$MAN5" ||
			bad "mxspread.conf.5: value '$v' ($tab) is not mentioned in bold"
		grep -q "\`$v\`" "$README" ||
			bad "README.md: value '$v' ($tab) is not mentioned as \`$v\`"
	done
done

# the man pages render without warnings
for m in "$MAN8" "$MAN5"; do
	w=$(groff -man -Tutf8 -ww -z "$m" 2>&1)
	[ -z "$w" ] || bad "groff -ww $(basename "$m"): $w"
	if command -v man >/dev/null 2>&1; then
		w=$(MANWIDTH=80 man --warnings -l "$m" 2>&1 >/dev/null)
		[ -z "$w" ] || bad "man --warnings -l $(basename "$m"): $w"
		n=$(MANWIDTH=80 man -l "$m" 2>/dev/null | wc -l)
		[ "$n" -ge 40 ] || bad "man -l $(basename "$m"): only $n lines rendered"
	fi
done
# mxspread(8) names the commands and long options main.c accepts
MAIN_C=${DOCS_MAIN:-$MXS_ROOT/dnsd/main.c}
cmds=$(grep -o 'strcmp(cmd, "[a-z]*")' "$MAIN_C" | cut -d'"' -f2)
opts=$(awk '/struct option/ { on = 1 } on && /\{ *"/ { split($0, a, "\""); print a[2] }
    on && /NULL, 0, NULL, 0/ { exit }' "$MAIN_C")
[ -n "$cmds" ] && [ -n "$opts" ] || bad "main.c: commands or options not found"
for c in $cmds; do
	grep -q "^\.B $c\$" "$MAN8" || bad "mxspread.8: command '$c' is not documented"
done
for o in $opts; do
	grep -q -- "\\\\-\\\\-$o" "$MAN8" || bad "mxspread.8: option --$o is not documented"
done
for sig in SIGHUP SIGTERM SIGINT; do
	grep -q "$sig" "$MAN8" || bad "mxspread.8: $sig is not documented"
done

[ $nerr = 0 ] || fail "$nerr documentation problem(s)"
ok "man pages render without warnings; values and commands documented"
