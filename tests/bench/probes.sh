#!/bin/sh
# probes.sh [BUILD] [SERVERS] [SECONDS] - probe engine benchmark (prints
# figures, asserts nothing): SERVERS servers on 127.1.x.y probed every
# second with tcp, then with smtp, all served by one epoll listener.
# Targets (issue 4): tcp < 0.25 core, smtp < 0.5 core, no skipped rounds.
set -eu
BUILD=${1:-build}
N=${2:-5000}
SECS=${3:-10}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
# Built by the Makefile from the same layer libraries as the daemon
# (make test builds it too, so it cannot stop linking unnoticed).
make -s BUILD="$BUILD" "$BUILD/bench/probe_bench"
B="$BUILD/bench"
for mode in tcp smtp; do
	"$B/probe_bench" "$mode" "$N" "$SECS"
done
