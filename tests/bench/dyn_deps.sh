#!/bin/sh
# dyn_deps.sh - install the benchmark peers (Debian packages) only when one is
# missing, with no service started: a policy-rc.d guard (like tests/deps.sh)
# keeps package scripts from starting daemons, and any service a package still
# started is stopped, so nothing is left listening on port 53 or 25.
#
# usage: sh tests/bench/dyn_deps.sh PACKAGE...   (exit 0 when all installed)
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "bench: missing packages:$missing (run as root)" >&2
	exit 1
fi
echo "bench: installing$missing"
had_policy=0
[ -e /usr/sbin/policy-rc.d ] && had_policy=1
if [ $had_policy = 0 ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
fi
apt-get update -qq || true
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
rc=$?
[ $had_policy = 0 ] && rm -f /usr/sbin/policy-rc.d
# A package just installed may still have started its service: stop it,
# and keep it from starting at boot.
for p in $missing; do
	case $p in
	pdns-server) s=pdns ;;
	nsd|knot|gdnsd|postfix) s=$p ;;
	*) continue ;;
	esac
	if command -v systemctl >/dev/null 2>&1; then
		systemctl stop $s 2>/dev/null
		systemctl disable $s 2>/dev/null
	fi
done
exit $rc
