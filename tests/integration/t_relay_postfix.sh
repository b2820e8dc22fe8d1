#!/bin/sh
# Relay in front of a real Postfix smtpd with smtpd_upstream_proxy_protocol
# = haproxy: swaks sends from 127.0.0.77 through the relay with PROXY v1,
# then v2; Postfix must log 127.0.0.77 (not the relay's 127.0.0.1) as the
# client and accept the mail. The pool's first choice (127.0.0.2, weight
# 100) is dead: every session fails over to Postfix on 127.0.0.3.
. "$MXS_ROOT/tests/lib/common.sh"
. "$MXS_ROOT/tests/lib/postfix.sh"
. "$MXS_ROOT/tests/lib/relay_lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root for a private Postfix instance"
command -v postfix >/dev/null 2>&1 || skip "postfix not installed"
command -v swaks >/dev/null 2>&1 || skip "swaks not installed"
[ -x "$MXSPREAD" ] || fail "no daemon at $MXSPREAD"

DP=$(free_port); RP=$(free_port); BP=$(free_port 127.0.0.3)
PF="$T/pf"
relay_pf_cleanup() {
	pf_stop "$PF"
	cleanup
}
trap relay_pf_cleanup EXIT

pf_create "$PF" backend
pf_conf "$PF" "default_transport = discard"
pf_conf "$PF" "smtpd_peername_lookup = no"
pf_service "$PF" "127.0.0.3:$BP" -o smtpd_upstream_proxy_protocol=haproxy
chmod 755 "$T"
pf_start "$PF" || { postfix -c "$PF/etc" start; cat "$PF/maillog" 2>/dev/null; fail "postfix did not start"; }
# Wait for the listener without connecting (a direct connection would
# show up in the log as a client 127.0.0.1).
i=0
while ! ss -Hltn "sport = :$BP" | grep -q 127.0.0.3 && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
ss -Hltn "sport = :$BP" | grep -q 127.0.0.3 || fail "postfix smtpd not listening"
skip_lines=$(wc -l < "$PF/maillog")

for v in v1 v2; do
	relay_conf "$T/$v.conf" "$v" 30 0 100 1
	relay_start_mxs "$T/$v.conf" || fail "daemon with relay ($v) did not start"
	for n in 1 2 3; do
		swaks --server "127.0.0.1:$RP" --local-interface 127.0.0.77 \
		    --from "s@sender.test" --to "u$n@example.test" \
		    --header "Subject: relay $v $n" --timeout 20 \
		    > "$T/swaks.$v.$n" 2>&1 ||
			{ cat "$T/swaks.$v.$n" "$T/mxs.log"; fail "swaks $v $n failed"; }
		grep -q '<- *250 2.0.0 Ok: queued as' "$T/swaks.$v.$n" ||
			{ cat "$T/swaks.$v.$n"; fail "$v $n: not queued"; }
		grep -q '<- *220 ' "$T/swaks.$v.$n" || fail "$v $n: no banner"
	done
	ok "PROXY $v: 3 messages queued by Postfix through the relay"
	relay_stop_mxs
done

# Postfix logs what it thinks the client is; give postlogd a moment.
i=0
while [ "$(grep -c 'status=sent' "$PF/maillog" 2>/dev/null)" -lt 6 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
tail -n +$((skip_lines + 1)) "$PF/maillog" > "$T/maillog"
n77=$(grep -c 'smtpd\[[0-9]*\]: connect from [^ ]*\[127\.0\.0\.77\]' "$T/maillog")
n1=$(grep -c 'smtpd\[[0-9]*\]: connect from [^ ]*\[127\.0\.0\.1\]' "$T/maillog")
sent=$(grep -c 'to=<u[0-9]@example.test>.*status=sent' "$T/maillog")
[ "$n77" -ge 6 ] || { cat "$T/maillog"; fail "Postfix logged 127.0.0.77 $n77 times, want >= 6"; }
[ "$n1" = 0 ] || { grep 'connect from' "$T/maillog"; fail "Postfix saw the relay's address"; }
[ "$sent" = 6 ] || { cat "$T/maillog"; fail "delivered $sent/6"; }
grep -q 'client=[^ ]*\[127\.0\.0\.77\]' "$T/maillog" || fail "no client=...[127.0.0.77] line"
ok "Postfix logged the client 127.0.0.77 (never 127.0.0.1) and delivered 6/6"
