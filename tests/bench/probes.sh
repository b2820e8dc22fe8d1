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
B="$BUILD/bench"
mkdir -p "$B"
OBJS="$BUILD/probes/agent.o $BUILD/probes/curlev.o $BUILD/probes/engine.o \
$BUILD/probes/http.o $BUILD/probes/pstate.o $BUILD/probes/smtp.o \
$BUILD/probes/tcp.o $BUILD/dnsd/log.o"
make -s BUILD="$BUILD" $OBJS
PKGS="libevent libevent_pthreads libevent_openssl libcurl liburcu jansson"
# shellcheck disable=SC2046
${CC:-cc} -I. -D_GNU_SOURCE -std=gnu11 -O2 -g -pthread \
    $(pkg-config --cflags $PKGS) -o "$B/probe_bench" tests/bench/probe_bench.c \
    $OBJS $(pkg-config --libs $PKGS) -lssl -lcrypto -lm
for mode in tcp smtp; do
	"$B/probe_bench" "$mode" "$N" "$SECS"
done
