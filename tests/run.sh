#!/bin/sh
# Run the test suite: cmocka unit tests, then the black-box integration
# tests (each tests/integration/t_*.sh: exit 0 pass, 77 skip, else fail).
# Then the abuse suite (tests/abuse/a_*.sh, about 80 s: attacks while a
# normal client is served; run alone, `abuse`, it also prints their
# figures: tests/abuse/run.sh and make abuse do that).
# Usage: tests/run.sh BUILD_DIR [unit|integration|abuse] [PATTERN]
BUILD=${1:-build}
WHAT=${2:-all}
PATTERN=${3:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export MXSPREAD="$ROOT/$BUILD/mxspread"
export MXS_TOOLS="$ROOT/$BUILD/tools"
export MXS_ROOT="$ROOT"
OUT="$ROOT/$BUILD/test-output"
mkdir -p "$OUT"
pass=0; fail=0; skip=0; failed=""

if [ "$WHAT" = all ] || [ "$WHAT" = unit ]; then
	for t in "$ROOT/$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		case "$t" in *.d) continue;; esac
		name=$(basename "$t")
		[ -n "$PATTERN" ] && case "$name" in *$PATTERN*) ;; *) continue;; esac
		if timeout 600 "$t" > "$OUT/$name.log" 2>&1; then
			pass=$((pass + 1)); echo "PASS unit/$name"
		else
			fail=$((fail + 1)); failed="$failed unit/$name"
			echo "FAIL unit/$name"; tail -30 "$OUT/$name.log"
		fi
	done
fi

# run_scripts KIND TIMEOUT SCRIPT...: run each sh script (filtered by
# PATTERN) with a timeout, log to $OUT/<name>.log, count pass/fail/skip.
run_scripts() {
	kind=$1; tmo=$2; shift 2
	for t in "$@"; do
		[ -f "$t" ] || continue
		name=$(basename "$t" .sh)
		[ -n "$PATTERN" ] && case "$name" in *$PATTERN*) ;; *) continue;; esac
		start=$(date +%s)
		timeout -k 10 "$tmo" sh "$t" > "$OUT/$name.log" 2>&1
		rc=$?
		secs=$(( $(date +%s) - start ))
		if [ $rc = 0 ]; then
			pass=$((pass + 1)); echo "PASS $kind/$name (${secs}s)"
		elif [ $rc = 77 ]; then
			skip=$((skip + 1)); echo "SKIP $kind/$name: $(tail -1 "$OUT/$name.log")"
		else
			fail=$((fail + 1)); failed="$failed $kind/$name"
			echo "FAIL $kind/$name (rc=$rc, ${secs}s)"; tail -40 "$OUT/$name.log"
		fi
	done
}

if [ "$WHAT" = all ] || [ "$WHAT" = integration ]; then
	run_scripts integration 600 "$ROOT"/tests/integration/t_*.sh
fi

if [ "$WHAT" = all ] || [ "$WHAT" = abuse ]; then
	run_scripts abuse 300 "$ROOT"/tests/abuse/a_*.sh
fi

# The abuse suite alone (tests/abuse/run.sh, make abuse): its figures.
if [ "$WHAT" = abuse ]; then
	echo "figures:"
	for t in "$ROOT"/tests/abuse/a_*.sh; do
		name=$(basename "$t" .sh)
		[ -f "$OUT/$name.log" ] && sed -n 's/^figure: /  /p' "$OUT/$name.log"
	done
fi

[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ] && [ $pass -gt 0 ]
