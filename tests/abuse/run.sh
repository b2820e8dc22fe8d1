#!/bin/sh
# Run the abuse suite: each tests/abuse/a_*.sh starts a daemon on loopback,
# attacks it while a normal client keeps using it, and asserts service
# continues (exit 0 pass, 77 skip, else fail). Prints every "figure:" line
# (RSS before/after, normal-query success rate, RRL counters) at the end.
# The runner is tests/run.sh's (`tests/run.sh BUILD_DIR abuse PATTERN`).
# Usage: tests/abuse/run.sh BUILD_DIR [PATTERN]
BUILD=${1:-build}
PATTERN=${2:-}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
[ -x "$ROOT/$BUILD/mxspread" ] ||
    { echo "no $ROOT/$BUILD/mxspread: make BUILD=$BUILD all first"; exit 1; }
exec sh "$ROOT/tests/run.sh" "$BUILD" abuse "$PATTERN"
