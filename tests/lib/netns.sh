# netns.sh - a private network namespace for the mail-path tests (sourced
# after common.sh and postfix.sh; needs root). mail_netns NAME ADDR...:
# the namespace mxs-NAME-$$ with loopback up and each 127.0.0.ADDR on it,
# its resolver at 127.0.0.53 (/etc/netns/...), and an EXIT trap that stops
# the test's Postfix instances ($T/pf and those given to mail_netns_pf),
# every process of the test and the namespace.
# Sets NS and NSX (the prefix that runs a command inside).
mail_netns() {
	_mn_name=$1
	shift
	NS="mxs-$_mn_name-$$"
	NSX="ip netns exec $NS"
	NETNS_PF="$T/pf"
	mkdir -p /etc/netns/$NS
	echo "nameserver 127.0.0.53" > /etc/netns/$NS/resolv.conf
	trap mail_netns_cleanup EXIT
	ip netns add $NS || fail "ip netns add"
	$NSX ip link set lo up
	for _mn_a in "$@"; do
		$NSX ip addr add 127.0.0.$_mn_a/32 dev lo
	done
}

# mail_netns_pf DIR...: more Postfix instances (made with pf_create) for
# the cleanup to stop.
mail_netns_pf() {
	NETNS_PF="$NETNS_PF $*"
}

# ns_pf CMD DIR: run postfix.sh's CMD (pf_start, pf_stop, pf_queue_empty)
# for the instance DIR inside the namespace, for at most 30 s (a wedged
# instance can block postfix and postqueue).
ns_pf() {
	timeout -k 1 30 $NSX sh -c ". $MXS_ROOT/tests/lib/postfix.sh; $1 $2"
}

# ns_pf_drained DIR SECONDS: until DIR's queue is empty (polled twice a
# second, at most SECONDS); false if it is not.
ns_pf_drained() {
	_mn_i=0
	until ns_pf pf_queue_empty "$1"; do
		_mn_i=$((_mn_i + 1))
		[ $_mn_i -gt $(($2 * 2)) ] && return 1
		sleep 0.5
	done
}

# What a bounded "postfix stop" leaves is killed with the namespace's other
# processes.
mail_netns_cleanup() {
	for _mn_d in $NETNS_PF; do
		ns_pf pf_stop "$_mn_d" 2>/dev/null
	done
	cleanup
	ip netns pids $NS 2>/dev/null | xargs -r kill -9 2>/dev/null
	ip netns del $NS 2>/dev/null
	rm -rf /etc/netns/$NS
}
