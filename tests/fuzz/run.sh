#!/bin/sh
# run.sh - build the libFuzzer harnesses (clang) into build-fuzz/ and run each for FUZZ_SECONDS.
#
# Usage: sh tests/fuzz/run.sh [HARNESS ...]      (default: every tests/fuzz/fuzz_*.c)
# Environment: FUZZ_SECONDS (default 60) per harness, FUZZ_BUILD (default
# build-fuzz), FUZZ_CC (default clang), FUZZ_BUILD_ONLY=1 to only build,
# FUZZ_ARGS extra libFuzzer flags.
# New corpus entries go to $FUZZ_BUILD/corpus/<harness> (the seeds in
# tests/fuzz/corpus/<harness> are read, never written); crashes to
# $FUZZ_BUILD/artifacts/. Exit status: 0 when no harness crashed.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
SECS=${FUZZ_SECONDS:-60}
B=${FUZZ_BUILD:-build-fuzz}
CLANG=${FUZZ_CC:-clang}
MAKE=${MAKE:-make}
JOBS=$(nproc 2>/dev/null || echo 2)

if ! command -v "$CLANG" >/dev/null 2>&1; then
	echo "fuzz: $CLANG not found (make deps)" >&2
	exit 1
fi

PKGS="ldns libevent libevent_pthreads libevent_openssl libcurl libconfig liburcu jansson"
PKG_CFLAGS=$(pkg-config --cflags $PKGS)
PKG_LIBS=$(pkg-config --libs $PKGS)
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"

# The project's sources, every layer (main.c aside), instrumented for
# coverage, through the Makefile's own rule (incremental, -MMD
# dependencies). No -Werror: clang's warnings differ from gcc's, and the gcc
# build is the one that enforces them.
OBJS=""
for f in dnsd/base/*.c zones/*.c probes/*.c dnsd/*.c dnsd/relay/*.c \
    dnsd/status/*.c; do
	[ -f "$f" ] || continue
	[ "$f" = dnsd/main.c ] && continue
	OBJS="$OBJS $B/${f%.c}.o"
done
echo "fuzz: building objects in $B/"
mkdir -p "$B"
if ! MAKEFLAGS= $MAKE --no-print-directory -j"$JOBS" BUILD="$B" CC="$CLANG" \
    CFLAGS="-O1 -g $SAN -fsanitize=fuzzer-no-link" \
    WARN="-Wall -Wno-unused-parameter" $OBJS > "$B/build.log" 2>&1; then
	cat "$B/build.log"
	echo "fuzz: build failed" >&2
	exit 1
fi
rm -f "$B/build.log"

if [ $# -gt 0 ]; then
	HARNESSES="$*"
else
	HARNESSES=$(for f in tests/fuzz/fuzz_*.c; do basename "$f" .c | sed 's/^fuzz_//'; done)
fi

for h in $HARNESSES; do
	if ! $CLANG -std=gnu11 -I. -D_GNU_SOURCE $PKG_CFLAGS -O1 -g $SAN \
	    -fsanitize=fuzzer -pthread -o "$B/fuzz_$h" "tests/fuzz/fuzz_$h.c" \
	    $OBJS $PKG_LIBS -lssl -lcrypto -pthread -lm; then
		echo "fuzz: building fuzz_$h failed" >&2
		exit 1
	fi
done
[ "${FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0

# Longest input per harness: a query (TCP allows more, but nothing past a
# few hundred bytes is interesting), a template or config, a probe reply.
max_len() {
	case "$1" in
	query) echo 1024;;
	zone|conf|world) echo 8192;;
	agent) echo 600;;
	*) echo 4096;;
	esac
}

mkdir -p "$B/artifacts"
failed=""
for h in $HARNESSES; do
	mkdir -p "$B/corpus/$h"
	seeds="tests/fuzz/corpus/$h"
	[ -d "$seeds" ] || seeds=""
	dict=""
	[ -f "tests/fuzz/dict/$h.dict" ] && dict="-dict=tests/fuzz/dict/$h.dict"
	log="$B/fuzz_$h.log"
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	    timeout -k 10 $((SECS + 120)) "$B/fuzz_$h" \
	    -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
	    -max_len="$(max_len "$h")" -print_final_stats=1 \
	    -artifact_prefix="$B/artifacts/$h-" $dict ${FUZZ_ARGS:-} \
	    "$B/corpus/$h" $seeds > "$log" 2>&1 < /dev/null
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	done_line=$(grep '^Done ' "$log" | tail -1)
	if [ $rc = 0 ]; then
		echo "PASS fuzz/$h: ${done_line:-$runs runs} (${SECS}s)"
	else
		failed="$failed $h"
		echo "FAIL fuzz/$h (rc=$rc, ${runs:-?} runs), log $log:"
		grep -v '^#[0-9]' "$log" | tail -60
		ls -1 "$B/artifacts/$h-"* 2>/dev/null | sed 's/^/  artifact: /'
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz: crashed:$failed"
	exit 1
fi
echo "fuzz: no crash"
