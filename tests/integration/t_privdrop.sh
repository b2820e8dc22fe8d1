#!/bin/sh
# t_privdrop.sh - the two privilege models README.md "Running in production"
# documents, each in a private network namespace (its own loopback, port 53):
#  1. as the systemd unit runs it: an unprivileged user whose only
#     capability is CAP_NET_BIND_SERVICE (ambient), no_new_privs: it binds
#     port 53, answers, and writes the admin state file;
#  2. started as root with only CAP_NET_BIND_SERVICE, CAP_SETUID, CAP_SETGID
#     and CAP_DAC_READ_SEARCH, config user/group: it binds, reads the token
#     and the state file left by run 1, then runs as that user with no
#     capability left;
#  3. config user/group while already unprivileged: start-up fails (exit 1,
#     "cannot drop privileges").
. "$MXS_ROOT/tests/lib/common.sh"

[ "$(id -u)" = 0 ] || skip "needs root (unshare, setpriv)"
for c in unshare setpriv nsenter ip kdig curl; do
	command -v $c >/dev/null 2>&1 || skip "$c not installed"
done
id nobody >/dev/null 2>&1 || skip "no user nobody"
NOGROUP=$(id -gn nobody)
unshare -n true 2>/dev/null || skip "cannot create a network namespace here"

chmod 755 "$T"
cp "$MXS_ROOT/zones/examples/mail.example.com.zone" "$T/"
mkdir "$T/state"; chown nobody "$T/state"
echo "secret-token" > "$T/token"
conf() {	# conf FILE [EXTRA]
	fixture t_privdrop/mxspread.conf "$1" DIR="$T" EXTRA="${2:-}"
}
conf "$T/unit.conf"
conf "$T/drop.conf" "user = \"nobody\"; group = \"$NOGROUP\";"

# in_ns PID CMD...: run CMD in the network namespace of PID
in_ns() { p=$1; shift; nsenter -t "$p" -n "$@"; }
wait_ns_dns() {
	i=0
	while [ $i -lt 100 ]; do
		kill -0 "$1" 2>/dev/null || return 1
		in_ns "$1" kdig +retry=0 +timeout=1 @127.0.0.1 mail.example.com SOA \
		    >/dev/null 2>&1 && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
caps() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# --- 1. the systemd unit's model ------------------------------------------
chown nobody "$T/token"; chmod 600 "$T/token"
bg unshare -n sh -c "ip link set lo up && exec setpriv --reuid=nobody \
    --regid=$NOGROUP --clear-groups --inh-caps=-all,+net_bind_service \
    --ambient-caps=+net_bind_service --bounding-set=-all,+net_bind_service \
    --no-new-privs '$MXSPREAD' -c '$T/unit.conf' 2> '$T/unit.log'"
P1=$LASTPID
wait_ns_dns $P1 || { cat "$T/unit.log"; fail "unit model: no answer on port 53"; }
[ "$(stat -c %U /proc/$P1)" = nobody ] || fail "unit model: not running as nobody"
[ "$(caps $P1 CapEff)" = 0000000000000400 ] ||
	fail "unit model: CapEff $(caps $P1 CapEff), want CAP_NET_BIND_SERVICE only"
in_ns $P1 kdig +short @127.0.0.1 mail.example.com MX | grep -q 'mx1.mail.example.com' ||
	fail "unit model: MX answer"
r=$(in_ns $P1 curl -s -X POST -H "Authorization: Bearer secret-token" \
    http://127.0.0.1:8053/api/pools/inbound/servers/mx2/drain)
echo "$r" | grep -q '"persisted":true' || fail "unit model: drain not persisted: $r"
grep -q '^inbound mx2 drain$' "$T/state/state" || fail "unit model: state file"
stop_pid $P1
grep -q 'stopped' "$T/unit.log" || { cat "$T/unit.log"; fail "unit model: no clean stop"; }
ok "unprivileged + ambient CAP_NET_BIND_SERVICE + no_new_privs: binds 53, answers, persists state"

# --- 2. root start, the daemon drops privileges itself ---------------------
chown root "$T/token"; chmod 600 "$T/token"
bg unshare -n sh -c "ip link set lo up && exec setpriv --inh-caps=-all \
    --bounding-set=-all,+net_bind_service,+setuid,+setgid,+dac_read_search \
    --no-new-privs '$MXSPREAD' -c '$T/drop.conf' 2> '$T/drop.log'"
P2=$LASTPID
wait_ns_dns $P2 || { cat "$T/drop.log"; fail "self-drop: no answer on port 53"; }
[ "$(stat -c %U /proc/$P2)" = nobody ] || fail "self-drop: not running as nobody"
[ "$(caps $P2 CapEff)" = 0000000000000000 ] ||
	fail "self-drop: capabilities left after the drop: $(caps $P2 CapEff)"
grep -q 'running as nobody' "$T/drop.log" || fail "self-drop: no 'running as' line"
grep -q 'mx2: admin drain (state file)' "$T/drop.log" ||
	{ cat "$T/drop.log"; fail "self-drop: state file of run 1 not applied"; }
r=$(in_ns $P2 curl -s -X POST -H "Authorization: Bearer secret-token" \
    http://127.0.0.1:8053/api/pools/inbound/servers/mx2/enable)
echo "$r" | grep -q '"persisted":true' || fail "self-drop: enable not persisted after the drop: $r"
stop_pid $P2
ok "root with NET_BIND_SERVICE/SETUID/SETGID/DAC_READ_SEARCH + user: runs as nobody, no caps, state kept"

# --- 3. user set while already unprivileged --------------------------------
chown nobody "$T/token"
unshare -n sh -c "ip link set lo up && exec setpriv --reuid=nobody \
    --regid=$NOGROUP --clear-groups --inh-caps=-all,+net_bind_service \
    --ambient-caps=+net_bind_service --bounding-set=-all,+net_bind_service \
    timeout 20 '$MXSPREAD' -c '$T/drop.conf'" > "$T/bad.log" 2>&1
rc=$?
[ $rc = 1 ] || { cat "$T/bad.log"; fail "already unprivileged with user set: exit $rc, want 1"; }
grep -q 'cannot drop privileges' "$T/bad.log" || { cat "$T/bad.log"; fail "no 'cannot drop privileges'"; }
ok "user/group while already unprivileged: exit 1, 'cannot drop privileges'"
