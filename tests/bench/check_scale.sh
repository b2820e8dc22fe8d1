#!/bin/sh
# check_scale.sh - how `mxspread check` time grows with the number of
# servers: for each N, a generated config (N servers in N/SPP pools of SPP
# servers, each pool in the template as DYNMX and DYNA) is checked and the
# wall time printed. Figures only, never an assertion.
# usage: sh tests/bench/check_scale.sh [BINARY] [N...]   (SPP=10 by default)
set -eu
BIN=${1:-build/mxspread}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- 10000 40000 170000
SPP=${SPP:-10}
D=$(mktemp -d /tmp/mxs-check-scale.XXXXXX)
trap 'rm -rf "$D"' EXIT INT TERM
for n in "$@"; do
	python3 - "$D" "$n" "$SPP" <<'PY'
import sys
d, n, spp = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
pools = (n + spp - 1) // spp
with open(f"{d}/c.conf", "w") as f:
    f.write('listen = [ "127.0.0.1:1" ];\nworkers = 1;\n'
            'status = { enabled = false; };\n'
            'zones = ( { origin = "mail.example.test."; template = "z.zone"; } );\n'
            'pools = (\n')
    k = 0
    for p in range(pools):
        f.write('  { name = "p%d"; probe = { type = "none"; };\n    servers = (\n' % p)
        m = min(spp, n - k)
        for s in range(m):
            a = 10 << 24 | (k + 1)
            f.write('      { name = "s%d"; address = "%d.%d.%d.%d"; }%s\n'
                    % (k, a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255,
                       "," if s + 1 < m else ""))
            k += 1
        f.write('    ); }%s\n' % ("," if p + 1 < pools else ""))
    f.write(');\n')
with open(f"{d}/z.zone", "w") as f:
    f.write('$ORIGIN mail.example.test.\n$TTL 3600\n'
            '@ SOA ns1 hostmaster 1 3600 600 86400 60\n@ NS ns1\n'
            'ns1 A 127.0.0.53\n')
    for p in range(pools):
        f.write('p%d 30 DYNMX p%d\nsmtp%d 30 DYNA p%d\n' % (p, p, p, p))
PY
	t0=$(date +%s.%N)
	"$BIN" check -c "$D/c.conf" > "$D/out" 2>&1 || { cat "$D/out" | head; exit 1; }
	t1=$(date +%s.%N)
	printf '%7d servers in %6d pools: check %6.2f s  (%s)\n' "$n" \
	    $(( (n + SPP - 1) / SPP )) "$(echo "$t1 - $t0" | bc)" "$(cat "$D/out")"
done
