#!/bin/sh
# t_probe_status.sh - the probe engine inside the real daemon: testsmtp.py
# peers (normal, 421 greeting, EHLO rejected, STARTTLS with an expired
# certificate), an agent saying "75%" then "drain", an HTTP JSON load
# endpoint, a closed port; /status.json must show each server's health,
# reason, load factor, agent state and certificate days.
. "$MXS_ROOT/tests/lib/common.sh"

[ -x "$MXSPREAD" ] || fail "no binary $MXSPREAD"
command -v curl >/dev/null 2>&1 || skip "curl not installed"
command -v openssl >/dev/null 2>&1 || skip "openssl not installed"
PEER="python3 $MXS_ROOT/tests/lib/testsmtp.py"

sh "$MXS_ROOT/tests/lib/mkcerts.sh" "$T/certs" || fail "cannot make certificates"

# peer NAME MODE [ARGS...]: start testsmtp.py on a free port, port in P_NAME
peer() {
	_n=$1; _m=$2; shift 2
	bg $PEER --mode "$_m" --port-file "$T/port.$_n" "$@"
	_i=0
	while [ ! -s "$T/port.$_n" ] && [ $_i -lt 100 ]; do
		sleep 0.05; _i=$((_i + 1))
	done
	[ -s "$T/port.$_n" ] || fail "peer $_n did not start"
	eval "P_$_n=$(cat "$T/port.$_n")"
}
echo "75%" > "$T/agent.txt"
echo '{"stats": {"load": 80}}' > "$T/load.json"
peer normal normal
peer g421 greet421
peer ehlo ehlo-reject
peer expired tls --cert "$T/certs/expired.crt" --key "$T/certs/expired.key"
peer agent agent --reply-file "$T/agent.txt"
peer http http --reply-file "$T/load.json" --content-type application/json
CLOSED=$(free_port 127.0.0.1)
DP=$(free_port 127.0.0.1)
HP=$(free_port 127.0.0.1)
[ -n "$CLOSED" ] && [ -n "$DP" ] && [ -n "$HP" ] || fail "no free port"

fixture t_probe_status/mail.zone "$T/zone"
fixture t_probe_status/mxspread.conf "$T/conf" DIR="$T" DNS_PORT="$DP" \
    STATUS_PORT="$HP" NORMAL_PORT="$P_normal" AGENT_PORT="$P_agent" \
    G421_PORT="$P_g421" EHLO_PORT="$P_ehlo" EXPIRED_PORT="$P_expired" \
    CLOSED_PORT="$CLOSED" HTTP_PORT="$P_http"
"$MXSPREAD" check -c "$T/conf" || fail "config rejected"
bg "$MXSPREAD" -c "$T/conf"
DPID=$LASTPID
wait_tcp 127.0.0.1 "$HP" || fail "status endpoint does not listen"

# check PYTHON-EXPR...: poll /status.json (max 10 s) until every expression
# holds; S maps server name -> server object.
check() {
	python3 - "$HP" "$@" <<'PY'
import json, sys, time, urllib.request
port, exprs = sys.argv[1], sys.argv[2:]
end = time.time() + 10
bad, S = exprs, {}
while time.time() < end:
    try:
        doc = json.load(urllib.request.urlopen(
            "http://127.0.0.1:%s/status.json" % port, timeout=2))
    except Exception:
        time.sleep(0.2)
        continue
    S = {}
    for p in doc.get("pools", []):
        for s in p.get("servers", []):
            S[s["name"]] = s
    bad = []
    for e in exprs:
        try:
            if not eval(e):
                bad.append(e)
        except Exception:
            bad.append(e)
    if not bad:
        sys.exit(0)
    time.sleep(0.2)
print("failed:", bad)
print(json.dumps({k: {f: v.get(f) for f in ("up", "reason", "load",
      "load_factor", "agent_admin", "cert_days", "eff_weight")}
      for k, v in S.items()}, indent=1))
sys.exit(1)
PY
}

check 'S["normal"]["up"] and S["normal"]["reason"] == ""' \
    'S["normal"]["checks"]["ok"] >= 2' \
    'abs(S["normal"]["load_factor"] - 20.0/45) < 0.01' \
    'not S["g421"]["up"] and S["g421"]["reason"].startswith("greeting 421")' \
    'not S["ehlo"]["up"] and "EHLO rejected 550" in S["ehlo"]["reason"]' \
    'not S["expired"]["up"] and S["expired"]["reason"] == "certificate expired 3 days ago"' \
    'S["expired"]["cert_days"] == -3' \
    'not S["closed"]["up"] and S["closed"]["reason"] == "connection refused"' \
    'S["web"]["up"] and abs(S["web"]["load_factor"] - 15.0/45) < 0.01' \
    || fail "probe states in /status.json"
ok "health, reasons, loads and certificate days in /status.json"

echo "drain" > "$T/agent.txt"
check 'S["normal"]["agent_admin"] == "drain"' 'S["normal"]["eff_weight"] == 0' \
    || fail "agent drain not shown"
ok "agent drain"
echo "up" > "$T/agent.txt"
check 'S["normal"]["agent_admin"] == "enabled"' 'S["normal"]["eff_weight"] > 0' \
    || fail "agent ready not shown"
ok "agent back"
stop_pid "$DPID"
exit 0
