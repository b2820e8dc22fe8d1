#!/bin/sh
# Delegations below the apex are answered as referrals: AA=0, the child's NS
# in authority, in-zone glue in additional, whatever the name and type below.
. "$MXS_ROOT/tests/lib/common.sh"
. "$MXS_ROOT/tests/lib/dnstest.sh"

Z=mail.example.com
dns_setup
dns_start

referral() {	# referral NAME TYPE
	q "$1" "$2"
	status_is NOERROR "referral $1 $2"
	flag_unset aa "referral $1 $2"
	count_is ANSWER 0 "referral $1 $2"
	count_is AUTHORITY 2 "referral $1 $2"
	has_rr AUTHORITY "sub.$Z. 3600 IN NS ns.sub.$Z." "referral $1 $2"
	has_rr AUTHORITY "sub.$Z. 3600 IN NS ns.outside.net." "referral $1 $2"
	has_rr ADDITIONAL "ns.sub.$Z. 3600 IN A 192.0.2.77" "referral $1 $2: glue"
	no_rr ADDITIONAL "ns.outside.net" "referral $1 $2: no out-of-zone glue"
	no_rr AUTHORITY " SOA " "referral $1 $2: no SOA"
}

referral x.sub.$Z A
referral sub.$Z NS
referral sub.$Z SOA
referral deep.x.sub.$Z MX
referral ns.sub.$Z A
ok "referrals: AA=0, NS in authority, glue in additional"

q +tcp www.x.sub.$Z AAAA
flag_unset aa "referral over TCP"
has_rr AUTHORITY "sub.$Z. 3600 IN NS ns.sub.$Z." "referral over TCP"
ok "referral over TCP"

# The parent side stays authoritative next to the cut.
q $Z NS
flag_set aa "apex NS"
q mx1.$Z A
flag_set aa "sibling of the cut"
ok "authoritative around the delegation"
