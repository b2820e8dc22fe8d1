# fixture.sh - the one fixture expander of the shell tests (sourced by
# common.sh and postfix.sh; needs MXS_ROOT). A failure ends the calling
# shell (exit 1), as common.sh's fail does.

# fixture SRC DST [NAME=value ...]: copy tests/integration/data/SRC (e.g.
# t_pools/mxspread.conf, common/relay.zone) to DST with every @NAME@
# replaced by its value (any text, inner newlines included; trailing ones
# are dropped). Fails the test when SRC is missing or DST is left with a
# placeholder no NAME=value gave.
fixture() {
	_fx_name=$1 _fx_dst=$2
	_fx_src=$MXS_ROOT/tests/integration/data/$1
	shift 2
	if [ ! -f "$_fx_src" ]; then
		echo "FAIL: fixture: no $_fx_src"
		exit 1
	fi
	_fx_sed=$(mktemp /tmp/mxs-fixture.XXXXXX) || exit 1
	for _fx_kv in "$@"; do
		# escape \ & | for the replacement; a newline needs a \ before it
		printf 's|@%s@|%s|g\n' "${_fx_kv%%=*}" "$(printf '%s\n' \
		    "${_fx_kv#*=}" | sed -e 's/[\\&|]/\\&/g' -e '$!s/$/\\/')" \
		    >> "$_fx_sed"
	done
	if ! sed -f "$_fx_sed" "$_fx_src" > "$_fx_dst"; then
		rm -f "$_fx_sed"
		echo "FAIL: fixture: cannot write $_fx_dst"
		exit 1
	fi
	rm -f "$_fx_sed"
	if grep -n '@[A-Z][A-Z0-9_]*@' "$_fx_dst"; then
		echo "FAIL: fixture $_fx_name: placeholder left in $_fx_dst (see above)"
		exit 1
	fi
}

