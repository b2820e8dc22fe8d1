#!/bin/sh
# t_install.sh - `make install` with DESTDIR/PREFIX puts exactly the expected
# files in place (binary, man pages, examples, systemd unit naming the
# installed binary), the installed binary runs `check` on the installed
# example, `make uninstall` removes every file, and the unit passes
# `systemd-analyze verify` when that tool works here.
. "$MXS_ROOT/tests/lib/common.sh"

[ -x "$MXSPREAD" ] || fail "no binary $MXSPREAD"
command -v make >/dev/null 2>&1 || skip "make not installed"
BUILD=$(basename "$(dirname "$MXSPREAD")")
# -o all: install what the suite is testing, never rebuild it here.
mk() { make -s --no-print-directory -C "$MXS_ROOT" -o all BUILD="$BUILD" "$@"; }

# --- PREFIX=/usr, default unit directory -------------------------------
R="$T/root"
mk install DESTDIR="$R" PREFIX=/usr > "$T/install.log" 2>&1 ||
	{ cat "$T/install.log"; fail "make install failed"; }
(cd "$R" && find . -type f | sort) > "$T/files"
fixture t_install/installed-files "$T/expect"
diff "$T/expect" "$T/files" > "$T/diff" || { cat "$T/diff"; fail "installed file list differs"; }
[ -x "$R/usr/sbin/mxspread" ] || fail "binary not executable"
[ "$(stat -c %a "$R/usr/share/man/man8/mxspread.8")" = 644 ] || fail "man page mode"
grep -q '^ExecStart=/usr/sbin/mxspread -c /etc/mxspread/mxspread.conf$' \
    "$R/usr/lib/systemd/system/mxspread.service" || fail "unit ExecStart"
"$R/usr/sbin/mxspread" check -c "$R/usr/share/doc/mxspread/examples/mxspread.conf" \
    > "$T/check.out" 2>&1 || { cat "$T/check.out"; fail "installed binary rejects the installed example"; }
ok "make install DESTDIR PREFIX=/usr: $(wc -l < "$T/files") files, check passes on the example"

# --- PREFIX=/usr/local, SYSTEMD_UNIT_DIR=/lib/systemd/system -----------
R2="$T/root2"
mk install DESTDIR="$R2" PREFIX=/usr/local SYSTEMD_UNIT_DIR=/lib/systemd/system \
    > "$T/install2.log" 2>&1 || { cat "$T/install2.log"; fail "make install (2) failed"; }
U2="$R2/lib/systemd/system/mxspread.service"
[ -f "$U2" ] || fail "unit not in SYSTEMD_UNIT_DIR"
grep -q '^ExecStart=/usr/local/sbin/mxspread ' "$U2" || fail "unit ExecStart not /usr/local/sbin"
grep -q '^ExecStartPre=/usr/local/sbin/mxspread check ' "$U2" || fail "unit ExecStartPre"
[ -x "$R2/usr/local/sbin/mxspread" ] || fail "binary not in /usr/local/sbin"
mk uninstall DESTDIR="$R2" PREFIX=/usr/local SYSTEMD_UNIT_DIR=/lib/systemd/system \
    > "$T/uninstall.log" 2>&1 || { cat "$T/uninstall.log"; fail "make uninstall failed"; }
left=$(cd "$R2" && find . -type f)
[ -z "$left" ] || fail "uninstall left: $left"
[ -d "$R2/usr/local/share/doc/mxspread" ] && fail "uninstall left the doc directory"
ok "PREFIX=/usr/local SYSTEMD_UNIT_DIR: unit names /usr/local/sbin; uninstall removes everything"

# --- the unit file -------------------------------------------------------
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir -p "$T/unit"
	sed "s|/usr/sbin/mxspread|$R/usr/sbin/mxspread|g" \
	    "$R/usr/lib/systemd/system/mxspread.service" > "$T/unit/mxspread.service"
	timeout 60 systemd-analyze verify --man=no "$T/unit/mxspread.service" \
	    > "$T/verify.out" 2>&1
	if grep -Eq 'Unknown (key|section)|Failed to parse|[Ii]nvalid|not executable|[Ii]gnoring' \
	    "$T/verify.out"; then
		cat "$T/verify.out"; fail "systemd-analyze verify complains about the unit"
	fi
	if [ -s "$T/verify.out" ]; then
		echo "note: systemd-analyze verify said (environment, not the unit):"
		sed 's/^/  /' "$T/verify.out"
	fi
	ok "systemd-analyze verify: no complaint about the unit's directives"
else
	echo "note: systemd-analyze not available, unit not verified"
fi
