# netns.sh - a private network namespace for the mail-path tests (sourced
# after common.sh and postfix.sh; needs root). mail_netns NAME ADDR...:
# the namespace mxs-NAME-$$ with loopback up and each 127.0.0.ADDR on it,
# its resolver at 127.0.0.53 (/etc/netns/...), and an EXIT trap that stops
# the test's Postfix ($T/pf), every process of the test and the namespace.
# Sets NS and NSX (the prefix that runs a command inside).
mail_netns() {
	_mn_name=$1
	shift
	NS="mxs-$_mn_name-$$"
	NSX="ip netns exec $NS"
	mkdir -p /etc/netns/$NS
	echo "nameserver 127.0.0.53" > /etc/netns/$NS/resolv.conf
	trap mail_netns_cleanup EXIT
	ip netns add $NS || fail "ip netns add"
	$NSX ip link set lo up
	for _mn_a in "$@"; do
		$NSX ip addr add 127.0.0.$_mn_a/32 dev lo
	done
}

mail_netns_cleanup() {
	$NSX sh -c ". $MXS_ROOT/tests/lib/postfix.sh; pf_stop $T/pf" 2>/dev/null
	cleanup
	ip netns pids $NS 2>/dev/null | xargs -r kill -9 2>/dev/null
	ip netns del $NS 2>/dev/null
	rm -rf /etc/netns/$NS
}
