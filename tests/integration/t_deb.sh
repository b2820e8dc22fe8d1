#!/bin/sh
# t_deb.sh - the Debian package: the version agrees in dnsd/base/version.h,
# debian/changelog and the binary; `make deb` builds a lintian-clean
# mxspread_<version>_<arch>.deb (MXS_DEB names one already built instead);
# dpkg -i installs it with no service started, the system user and the
# state directory; the installed binary checks the installed config and,
# as the mxspread user, answers MX on a loopback port; an operator's edit
# of a conffile survives a reinstall; dpkg --purge leaves no file of the
# package, no /etc/mxspread, no /var/lib/mxspread, and the user locked
# (kept, as the Debian wiki advises: its uid may still own files), and a
# new install unlocks it.
. "$MXS_ROOT/tests/lib/common.sh"

# --- one version --------------------------------------------------------
v_h=$(sed -n 's/^#define MXS_VERSION "\(.*\)"/\1/p' "$MXS_ROOT/dnsd/base/version.h")
v_ch=$(sed -n '1s/^mxspread (\([^)]*\)).*/\1/p' "$MXS_ROOT/debian/changelog")
v_bin=$("$MXSPREAD" --version | sed -n 's/^mxspread //p')
[ -n "$v_h" ] || fail "no MXS_VERSION in dnsd/base/version.h"
[ "$v_h" = "$v_ch" ] || fail "version.h says $v_h, debian/changelog says $v_ch"
[ "$v_h" = "$v_bin" ] || fail "version.h says $v_h, $MXSPREAD --version says $v_bin"
ok "version $v_h in version.h, debian/changelog and --version"

[ "$(id -u)" = 0 ] || skip "needs root to dpkg -i (run make test as root)"
command -v dpkg >/dev/null 2>&1 || skip "not a Debian system (no dpkg)"
if dpkg-query -W -f='${Status}' mxspread 2>/dev/null | grep -q 'installed'; then
	skip "a mxspread package is already installed here; not touching it"
fi
ARCH=$(dpkg --print-architecture)
DEB=${MXS_DEB:-}
if [ -z "$DEB" ]; then
	command -v dpkg-buildpackage >/dev/null 2>&1 ||
	    skip "dpkg-buildpackage not installed (dpkg-dev; make deps)"
	command -v dh >/dev/null 2>&1 || skip "debhelper not installed (make deps)"
	command -v lintian >/dev/null 2>&1 || skip "lintian not installed (make deps)"
	command -v make >/dev/null 2>&1 || skip "make not installed"
	make -s --no-print-directory -C "$MXS_ROOT" deb DEB_DIR="$T/deb" \
	    > "$T/deb.log" 2>&1 || { cat "$T/deb.log"; fail "make deb failed"; }
	# lintian ran inside make deb with --fail-on error; show what it said.
	grep -E '^[EWI]: ' "$T/deb.log" | sed 's/^/lintian: /'
	grep -q '^E: ' "$T/deb.log" && fail "lintian reports errors"
	DEB="$T/deb/mxspread_${v_h}_${ARCH}.deb"
	[ -f "$DEB" ] || fail "make deb did not leave $DEB"
	ok "make deb: $(basename "$DEB"), lintian: no error"
fi
[ -f "$DEB" ] || fail "no package $DEB"
[ "$(dpkg-deb -f "$DEB" Version)" = "$v_h" ] || fail "package version is not $v_h"

# --- install: no service may start (policy-rc.d), purge whatever happens --
had_policy=0
[ -e /usr/sbin/policy-rc.d ] && had_policy=1
if [ $had_policy = 0 ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
fi
deb_cleanup() {
	cleanup
	dpkg-query -W -f='${Status}' mxspread 2>/dev/null | grep -q 'install' &&
	    dpkg --purge mxspread > /dev/null 2>&1
	[ $had_policy = 0 ] && rm -f /usr/sbin/policy-rc.d
	return 0
}
trap deb_cleanup EXIT
export DEBIAN_FRONTEND=noninteractive

# installed_running: a process runs the installed binary (other tests'
# daemons run the build tree's, which do not count).
installed_running() {
	for e in /proc/[0-9]*/exe; do
		case $(readlink "$e" 2>/dev/null) in
		/usr/sbin/mxspread*) return 0 ;;
		esac
	done
	return 1
}

dpkg -i "$DEB" > "$T/install.log" 2>&1 || { cat "$T/install.log"; fail "dpkg -i failed"; }
dpkg-query -W -f='${Status}\n' mxspread | grep -q 'install ok installed' ||
    fail "package not installed: $(dpkg-query -W -f='${Status}' mxspread)"
dpkg -L mxspread > "$T/files"
installed_running && fail "the installed mxspread runs after install"

for f in /usr/sbin/mxspread /usr/share/man/man8/mxspread.8.gz \
    /usr/share/man/man5/mxspread.conf.5.gz /lib/systemd/system/mxspread.service \
    /etc/mxspread/mxspread.conf /etc/mxspread/mail.example.com.zone \
    /usr/share/doc/mxspread/copyright /usr/share/doc/mxspread/examples/mxspread.conf \
    /usr/share/doc/mxspread/examples/mxspread-alerts.yml; do
	[ -f "$f" ] || fail "installed package lacks $f"
done
dpkg-query -W -f='${Conffiles}\n' mxspread > "$T/conffiles"
for f in /etc/mxspread/mxspread.conf /etc/mxspread/mail.example.com.zone; do
	grep -q " $f " "$T/conffiles" || fail "$f is not a conffile"
done
grep -q '^User=mxspread$' /lib/systemd/system/mxspread.service || fail "unit User"
grep -q '^ProtectSystem=strict$' /lib/systemd/system/mxspread.service ||
    fail "unit lost its sandboxing"
pw=$(getent passwd mxspread) || fail "no user mxspread"
uid=$(echo "$pw" | cut -d: -f3)
[ "$uid" -lt 1000 ] || fail "mxspread is not a system user (uid $uid)"
case $(echo "$pw" | cut -d: -f7) in
*/nologin|*/false) ;;
*) fail "user mxspread has a login shell: $pw" ;;
esac
getent group mxspread > /dev/null || fail "no group mxspread"
[ "$(stat -c '%U:%G %a' /var/lib/mxspread)" = "mxspread:mxspread 750" ] ||
    fail "/var/lib/mxspread is $(stat -c '%U:%G %a' /var/lib/mxspread)"
ok "dpkg -i: $(wc -l < "$T/files") paths, 2 conffiles, system user $uid, no service started"

# --- the installed binary on the installed config ------------------------
/usr/sbin/mxspread check -c /etc/mxspread/mxspread.conf > "$T/check.out" 2>&1 ||
    { cat "$T/check.out"; fail "mxspread check rejects /etc/mxspread/mxspread.conf"; }
[ "$(/usr/sbin/mxspread --version)" = "mxspread $v_h" ] || fail "installed --version"
ok "installed mxspread check accepts /etc/mxspread/mxspread.conf"

# The installed config on free loopback ports, run as the mxspread user
# (as the unit does): its state file in /var/lib/mxspread.
P=$(free_port 127.0.0.1)
SP=$(free_port 127.0.0.1)
sed -e "s|^listen = .*|listen = [ \"127.0.0.1:$P\" ];|" \
    -e "s|listen = \"127.0.0.1:8053\";|listen = \"127.0.0.1:$SP\";|" \
    -e 's|template = "mail.example.com.zone";|template = "/etc/mxspread/mail.example.com.zone";|' \
    /etc/mxspread/mxspread.conf > "$T/mxspread.conf"
grep -q "127.0.0.1:$P" "$T/mxspread.conf" || fail "could not point the config at port $P"
chmod 755 "$T"
chmod 644 "$T/mxspread.conf"
bg setpriv --reuid=mxspread --regid=mxspread --init-groups \
    /usr/sbin/mxspread -c "$T/mxspread.conf"
DPID=$LASTPID
wait_dns 127.0.0.1 "$P" mail.example.com || fail "installed daemon does not answer on $P"
dig @127.0.0.1 -p "$P" +norec +noall +answer mail.example.com MX > "$T/mx" 2>&1
grep -Eq 'IN[[:space:]]+MX[[:space:]]+[0-9]+ mx[123]\.mail\.example\.com\.' "$T/mx" ||
    { cat "$T/mx"; fail "no MX answer from the installed daemon"; }
[ "$(ps -o user= -p "$DPID")" = mxspread ] || fail "daemon not running as mxspread"
stop_pid "$DPID"
ok "installed daemon as user mxspread answers MX on 127.0.0.1:$P"

# --- an operator's edit of a conffile survives a reinstall ---------------
echo "# edited by the operator" >> /etc/mxspread/mxspread.conf
dpkg -i "$DEB" > "$T/reinstall.log" 2>&1 < /dev/null ||
    { cat "$T/reinstall.log"; fail "reinstall failed"; }
grep -q '^# edited by the operator$' /etc/mxspread/mxspread.conf ||
    fail "reinstall overwrote the edited conffile"
ok "edited /etc/mxspread/mxspread.conf survives a reinstall"

# --- purge ---------------------------------------------------------------
: > /var/lib/mxspread/state
dpkg --purge mxspread > "$T/purge.log" 2>&1 || { cat "$T/purge.log"; fail "dpkg --purge failed"; }
dpkg-query -W -f='${Status}' mxspread 2>/dev/null | grep -q 'installed' &&
    fail "package still installed after purge"
left=""
while read -r f; do
	[ -d "$f" ] && continue	# shared directories (/usr, /etc, ...) stay
	[ -e "$f" ] && left="$left $f"
done < "$T/files"
[ -z "$left" ] || fail "purge left:$left"
for d in /etc/mxspread /var/lib/mxspread /usr/share/doc/mxspread; do
	[ -e "$d" ] && fail "purge left $d"
done
installed_running && fail "the installed mxspread runs after purge"
getent passwd mxspread > /dev/null || fail "purge removed the user (expected: locked)"
[ "$(getent shadow mxspread | cut -d: -f8)" = 1 ] || fail "user mxspread not locked after purge"
ok "dpkg --purge: no file, no /etc/mxspread, no /var/lib/mxspread; user mxspread kept, locked"

# --- a new install unlocks the user ---------------------------------------
dpkg -i "$DEB" > "$T/install2.log" 2>&1 || { cat "$T/install2.log"; fail "second install failed"; }
[ -z "$(getent shadow mxspread | cut -d: -f8)" ] || fail "second install did not unlock mxspread"
[ "$(getent passwd mxspread | cut -d: -f3)" = "$uid" ] || fail "second install changed the uid"
dpkg --purge mxspread > "$T/purge2.log" 2>&1 || { cat "$T/purge2.log"; fail "second purge failed"; }
ok "reinstall after purge: same uid $uid, unlocked; purged again"
