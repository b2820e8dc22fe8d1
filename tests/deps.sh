#!/bin/sh
# Install the Debian packages that the build and the test suite need, only
# when one is missing. Services that packages start on install are kept from
# starting (policy-rc.d) so nothing is left listening on port 25 or 53.
set -e

PKGS="build-essential pkg-config clang libclang-rt-14-dev
libldns-dev libevent-dev libcurl4-openssl-dev libcmocka-dev libconfig-dev
liburcu-dev libjansson-dev libssl-dev
ldnsutils knot-dnsutils dnsutils nsd
python3 openssl curl procps iproute2 psmisc
postfix swaks chromium prometheus unbound dnsperf man-db groff-base valgrind"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run make deps as root)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections 2>/dev/null || true
# Keep package scripts from starting daemons (postfix, unbound, ...).
had_policy=0
[ -e /usr/sbin/policy-rc.d ] && had_policy=1
if [ $had_policy = 0 ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
fi
rc=0
apt-get update -qq || true
apt-get install -y -q --no-install-recommends $missing || rc=$?
[ $had_policy = 0 ] && rm -f /usr/sbin/policy-rc.d
exit $rc
