#!/bin/sh
# Run the abuse suite: each tests/abuse/a_*.sh starts a daemon on loopback,
# attacks it while a normal client keeps using it, and asserts service
# continues (exit 0 pass, 77 skip, else fail). Prints every "figure:" line
# (RSS before/after, normal-query success rate, RRL counters) at the end.
# Usage: tests/abuse/run.sh BUILD_DIR [PATTERN]
BUILD=${1:-build}
PATTERN=${2:-}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export MXSPREAD="$ROOT/$BUILD/mxspread"
export MXS_TOOLS="$ROOT/$BUILD/tools"
export MXS_ROOT="$ROOT"
OUT="$ROOT/$BUILD/test-output"
mkdir -p "$OUT"
[ -x "$MXSPREAD" ] || { echo "no $MXSPREAD: make BUILD=$BUILD all first"; exit 1; }
pass=0; fail=0; skip=0; failed=""
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
echo "figures:"
for t in "$ROOT"/tests/abuse/a_*.sh; do
	name=$(basename "$t" .sh)
	[ -f "$OUT/$name.log" ] && sed -n 's/^figure: /  /p' "$OUT/$name.log"
done
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ] && [ $pass -gt 0 ]
