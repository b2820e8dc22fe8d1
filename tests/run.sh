#!/bin/sh
# Run the test suite: cmocka unit tests, then the black-box integration
# tests (each tests/integration/t_*.sh: exit 0 pass, 77 skip, else fail).
# Then the abuse suite (tests/abuse/a_*.sh, about 80 s: attacks while a
# normal client is served; tests/abuse/run.sh also prints their figures).
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

if [ "$WHAT" = all ] || [ "$WHAT" = integration ]; then
	for t in "$ROOT"/tests/integration/t_*.sh; do
		[ -f "$t" ] || continue
		name=$(basename "$t" .sh)
		[ -n "$PATTERN" ] && case "$name" in *$PATTERN*) ;; *) continue;; esac
		start=$(date +%s)
		timeout -k 10 600 sh "$t" > "$OUT/$name.log" 2>&1
		rc=$?
		secs=$(( $(date +%s) - start ))
		if [ $rc = 0 ]; then
			pass=$((pass + 1)); echo "PASS integration/$name (${secs}s)"
		elif [ $rc = 77 ]; then
			skip=$((skip + 1)); echo "SKIP integration/$name: $(tail -1 "$OUT/$name.log")"
		else
			fail=$((fail + 1)); failed="$failed integration/$name"
			echo "FAIL integration/$name (rc=$rc, ${secs}s)"; tail -40 "$OUT/$name.log"
		fi
	done
fi

if [ "$WHAT" = all ] || [ "$WHAT" = abuse ]; then
	for t in "$ROOT"/tests/abuse/a_*.sh; do
		[ -f "$t" ] || continue
		name=$(basename "$t" .sh)
		[ -n "$PATTERN" ] && case "$name" in *$PATTERN*) ;; *) continue;; esac
		start=$(date +%s)
		timeout -k 10 300 sh "$t" > "$OUT/$name.log" 2>&1
		rc=$?
		secs=$(( $(date +%s) - start ))
		if [ $rc = 0 ]; then
			pass=$((pass + 1)); echo "PASS abuse/$name (${secs}s)"
		elif [ $rc = 77 ]; then
			skip=$((skip + 1)); echo "SKIP abuse/$name: $(tail -1 "$OUT/$name.log")"
		else
			fail=$((fail + 1)); failed="$failed abuse/$name"
			echo "FAIL abuse/$name (rc=$rc, ${secs}s)"; tail -40 "$OUT/$name.log"
		fi
	done
fi

[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ] && [ $pass -gt 0 ]
