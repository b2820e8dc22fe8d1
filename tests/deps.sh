#!/bin/sh
# deps.sh - install the Debian packages of one dependency set, only those
# missing. Package scripts are kept from starting services (policy-rc.d),
# and a service a package started anyway is stopped, so nothing is left
# listening on port 25 or 53.
#
# usage: sh tests/deps.sh SET        install SET (as root; exit 0 if complete)
#        sh tests/deps.sh -p SET     print SET's packages, one a line
# SET:
#   run    build mxspread and run the demo (make run): compiler, pkg-config,
#          the libraries' -dev packages, dig, Postfix for smtp-sink
#   test   run + everything make test, make asan and make fuzz use (clang
#          and its sanitizer runtime, cmocka, DNS clients and servers to
#          compare with, BIND's and ldns's DNSSEC tools and dnspython to
#          check keys and signatures, Chromium, promtool, valgrind,
#          debhelper, lintian)
#   bench  run + every peer the benchmarks compare with (make bench): a
#          benchmark fails rather than skip a peer that is missing
# Sizes of each set on a fresh Debian 12: sh tests/deps-size.sh.
set -e

RUN="build-essential pkg-config
libldns-dev libevent-dev libcurl4-openssl-dev libconfig-dev liburcu-dev
libjansson-dev libssl-dev
dnsutils postfix"

TEST="$RUN clang libclang-rt-14-dev libcmocka-dev
ldnsutils knot-dnsutils nsd unbound bind9-utils
python3 python3-dnspython openssl curl procps iproute2 psmisc xxd
swaks chromium prometheus dnsperf man-db groff-base valgrind
debhelper lintian"

BENCH="$RUN knot-dnsutils python3 procps iproute2 curl
dnsperf nsd knot gdnsd pdns-server pdns-backend-bind haproxy valgrind"

print=0
if [ "${1:-}" = -p ]; then
	print=1
	shift
fi
case ${1:-} in
run)	PKGS=$RUN ;;
test)	PKGS=$TEST ;;
bench)	PKGS=$BENCH ;;
*)	echo "usage: sh tests/deps.sh [-p] run|test|bench" >&2; exit 2 ;;
esac
if [ $print = 1 ]; then
	printf '%s\n' $PKGS
	exit 0
fi

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
echo "deps ($1): installing$missing"
export DEBIAN_FRONTEND=noninteractive
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections 2>/dev/null || true
# Keep package scripts from starting daemons (postfix, unbound, nsd, ...).
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
# Where systemd runs, a unit may still have been started (a socket or a
# path trigger): stop it and keep it from starting at boot.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
	for p in $missing; do
		case $p in
		pdns-server) s=pdns ;;
		nsd|knot|gdnsd|postfix|unbound|haproxy) s=$p ;;
		*) continue ;;
		esac
		systemctl stop "$s" 2>/dev/null || true
		systemctl disable "$s" 2>/dev/null || true
	done
fi
exit $rc
