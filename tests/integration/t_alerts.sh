#!/bin/sh
# t_alerts.sh - the Prometheus alert rules shipped in zones/examples:
# `promtool check rules` accepts them, `promtool test rules` passes their
# test file, and every metric either file names is one a running daemon's
# /metrics declares, every test series with the label names the daemon
# gives that metric (plus Prometheus' instance and job).
# ALERTS_DIR overrides the directory of the two files.
. "$MXS_ROOT/tests/lib/common.sh"

EX=${ALERTS_DIR:-$MXS_ROOT/zones/examples}
RULES=$EX/mxspread-alerts.yml
TESTS=$EX/mxspread-alerts.test.yml
[ -f "$RULES" ] && [ -f "$TESTS" ] || fail "missing $RULES or $TESTS"
command -v promtool >/dev/null 2>&1 || skip "promtool not installed (prometheus; make deps)"

promtool check rules "$RULES" > "$T/check.out" 2>&1 ||
    { cat "$T/check.out"; fail "promtool check rules"; }
n=$(sed -n 's/.*SUCCESS: \([0-9]*\) rules found.*/\1/p' "$T/check.out")
[ "${n:-0}" -ge 8 ] || { cat "$T/check.out"; fail "expected at least 8 rules, found ${n:-none}"; }
# promtool test rules reads rule_files relative to the test file.
(cd "$EX" && promtool test rules "$(basename "$TESTS")") > "$T/test.out" 2>&1 ||
    { cat "$T/test.out"; fail "promtool test rules"; }
grep -q SUCCESS "$T/test.out" || { cat "$T/test.out"; fail "promtool test rules: no SUCCESS"; }
ok "promtool check rules: $n rules; promtool test rules passes"

# --- the daemon's own metric names ---------------------------------------
DP=$(free_port); HP=$(free_port); RP=$(free_port); SP=$(free_port)
command -v ldns-keygen >/dev/null 2>&1 || skip "ldns-keygen not installed (ldnsutils; make deps)"
KEY=$(dnssec_key "$T" mail.test.) || fail "ldns-keygen"
fixture t_alerts/mxspread.conf "$T/mxspread.conf" DP="$DP" HP="$HP" RP="$RP" SP="$SP" KEY="$KEY"
fixture common/relay.zone "$T/relay.zone"
# a1 answers the probe, a2 (127.0.0.2) does not.
bg python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
while True:
    c, _ = s.accept(); c.close()' "$SP"
bg "$MXSPREAD" -c "$T/mxspread.conf"
wait_dns 127.0.0.1 "$DP" mail.test || fail "daemon did not start"
# One MX answer, so that the first-preference counter is declared too.
dig @127.0.0.1 -p "$DP" +norec +short mail.test MX > /dev/null 2>&1
i=0
while [ $i -lt 50 ]; do
	curl -s "http://127.0.0.1:$HP/metrics" > "$T/metrics" 2>/dev/null
	grep -q '^mxspread_server_up{pool="inbound",server="a1"} 1$' "$T/metrics" &&
	    grep -q '^mxspread_answers_first_total' "$T/metrics" && break
	sleep 0.2; i=$((i + 1))
done
grep -q '^# TYPE mxspread_relay_up ' "$T/metrics" || fail "no relay families in /metrics"

python3 - "$T/metrics" "$RULES" "$TESTS" > "$T/names.out" 2>&1 <<'PY'
import re, sys
metrics, rules, tests = sys.argv[1:4]
declared = set()
labels = {}          # metric -> set of label-name tuples seen in samples
for line in open(metrics):
    m = re.match(r'# TYPE (\S+) ', line)
    if m:
        declared.add(m.group(1))
        continue
    m = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? ', line)
    if m and not line.startswith('#'):
        keys = tuple(sorted(re.findall(r'([a-zA-Z_]\w*)="', m.group(3) or '')))
        labels.setdefault(m.group(1), set()).add(keys)
bad = []
used = set()
for path in (rules, tests):
    for no, line in enumerate(open(path), 1):
        if line.lstrip().startswith('#'):
            continue
        for name in re.findall(r'\bmxspread_[a-z0-9_]+', line):
            used.add(name)
            if name not in declared:
                bad.append('%s:%d: %s is not a metric mxspread exports' % (path, no, name))
for no, line in enumerate(open(tests), 1):
    m = re.search(r"series: '(mxspread_[a-z0-9_]+)\{([^}]*)\}'", line)
    if not m or m.group(1) not in labels:
        continue
    keys = tuple(sorted(k for k in re.findall(r'(\w+)="', m.group(2))
                        if k not in ('instance', 'job')))
    if keys not in labels[m.group(1)]:
        bad.append('%s:%d: %s with labels %s; mxspread gives it %s' % (
            tests, no, m.group(1), keys, sorted(labels[m.group(1)])))
print('\n'.join(bad))
print('%d metric names used, all among the %d declared' % (len(used), len(declared))
      if not bad else '%d problems' % len(bad))
sys.exit(1 if bad else 0)
PY
rc=$?
cat "$T/names.out"
[ $rc = 0 ] || fail "the alert rules or their tests name what /metrics does not export"
ok "every metric of the rules and their tests is in the daemon's /metrics, with its labels"
