#!/bin/sh
# deps-size.sh - what each dependency set of tests/deps.sh downloads and
# unpacks on a fresh Debian 12, computed on this machine without removing
# anything: apt resolves the set against a stand-in dpkg status holding only
# a minimal system (the Essential and Priority: required packages installed
# here, their dependencies, and apt: what a debian:12 minbase has), with
# --no-install-recommends as deps.sh installs. Sizes are from this machine's
# package lists (run apt-get update first for current figures).
#
# usage: sh tests/deps-size.sh [SET...]       (default: run test bench)
#   DEPS_SIZE_DOWNLOAD=DIR  also download SET into DIR and time it
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
D=$(mktemp -d /tmp/mxs-deps-size.XXXXXX)
trap 'rm -rf "$D"' EXIT
[ $# -gt 0 ] || set -- run test bench

python3 - > "$D/status" <<'PY'
# A dpkg status file of the minimal system: Essential/required + closure.
import re
stanzas = {}
provides = {}
for s in open('/var/lib/dpkg/status').read().split('\n\n'):
    f = {}
    for m in re.finditer(r'^(\S+?):[ \t]*(.*(?:\n[ \t].*)*)', s, re.M):
        f[m.group(1)] = m.group(2)
    if 'Package' not in f or 'ok installed' not in f.get('Status', ''):
        continue
    stanzas.setdefault(f['Package'], []).append((f, s.strip()))
    for p in f.get('Provides', '').split(','):
        p = p.strip().split(' ')[0]
        if p:
            provides.setdefault(p, f['Package'])
todo = [n for n, l in stanzas.items()
        if any(f.get('Priority') == 'required' or f.get('Essential') == 'yes'
               for f, _ in l)] + ['apt']
seen = set()
while todo:
    n = todo.pop().split(':')[0]
    n = n if n in stanzas else provides.get(n, '')
    if not n or n in seen:
        continue
    seen.add(n)
    for f, _ in stanzas[n]:
        deps = f.get('Depends', '') + ',' + f.get('Pre-Depends', '')
        for d in deps.split(','):
            for a in d.split('|'):
                a = a.strip().split(' ')[0].split(':')[0]
                if a in stanzas or a in provides:
                    todo.append(a)
                    break
for n in sorted(seen):
    for _, s in stanzas[n]:
        print(s + '\n')
PY
nbase=$(grep -c '^Package:' "$D/status")
mkdir -p "$D/archives/partial"
APT="-o Dir::State::status=$D/status -o Dir::Cache::archives=$D/archives -o Debug::NoLocking=1"

echo "fresh system stand-in: $nbase packages"
for set in "$@"; do
	pkgs=$(sh "$ROOT/tests/deps.sh" -p "$set")
	# shellcheck disable=SC2086
	apt-get $APT install --print-uris -qq --no-install-recommends -y $pkgs \
	    > "$D/uris"
	# 'URI' name_version_arch.deb size hash
	n=$(grep -c "^'" "$D/uris" || true)
	dl=$(awk "/^'/ { s += \$3 } END { printf \"%.0f\", s / 1e6 }" "$D/uris")
	# Unpacked: Installed-Size (KiB) of each package version to install.
	inst=$(sed -n "s/^'[^']*' \([^_]*\)_\([^_]*\)_.*/\1=\2/p" "$D/uris" |
	    sed 's/%3a/:/g' | xargs apt-cache show --no-all-versions 2>/dev/null |
	    awk '/^Installed-Size:/ { s += $2 } END { printf "%.0f", s / 1024 }')
	echo "$set: $n packages, $dl MB download, $inst MiB installed"
	if [ -n "${DEPS_SIZE_DOWNLOAD:-}" ]; then
		mkdir -p "$DEPS_SIZE_DOWNLOAD/partial"
		t0=$(date +%s.%N)
		# shellcheck disable=SC2086
		apt-get -o Dir::State::status="$D/status" \
		    -o Dir::Cache::archives="$DEPS_SIZE_DOWNLOAD" \
		    -o Debug::NoLocking=1 install -d -qq --no-install-recommends \
		    -y $pkgs > /dev/null
		t1=$(date +%s.%N)
		echo "$set: downloaded in $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s"
	fi
done
