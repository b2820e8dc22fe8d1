#!/bin/sh
# Negative answers (RFC 2308): NXDOMAIN and NODATA carry the zone's SOA in
# authority with TTL = min(SOA TTL, SOA minimum); empty non-terminals are
# NODATA, not NXDOMAIN. A second zone has SOA TTL < minimum to check "min".
. "$MXS_ROOT/tests/lib/common.sh"
. "$MXS_ROOT/tests/lib/dnstest.sh"

Z=mail.example.com
NEGSOA="$Z. 60 IN SOA ns1.$Z. hostmaster.$Z. 2026112701 3600 600 86400 60"
cat > "$T/neg.zone" <<'EOZ'
$ORIGIN neg.example.org.
@   30 SOA ns hostmaster 7 3600 600 86400 300
@      NS  ns
ns     A   192.0.2.1
EOZ
EXTRA_ZONES=', { origin = "neg.example.org."; template = "neg.zone"; }'
if [ -n "$REF" ]; then EXTRA_ZONES=""; fi
dns_setup
dns_start

neg() {	# neg NAME TYPE RCODE MSG
	q "$1" "$2"
	status_is "$3" "$4"
	flag_set aa "$4"
	count_is ANSWER 0 "$4"
	count_is AUTHORITY 1 "$4"
	has_rr AUTHORITY "$NEGSOA" "$4 (SOA, TTL 60)"
}

neg nx.$Z A NXDOMAIN "NXDOMAIN"
neg deep.nx.$Z MX NXDOMAIN "NXDOMAIN below a missing name"
neg x.mx1.$Z A NXDOMAIN "NXDOMAIN below an existing name"
ok "NXDOMAIN with SOA, TTL = min(3600, 60)"

neg mx2.$Z AAAA NOERROR "NODATA (A only)"
neg $Z A NOERROR "NODATA at the apex"
neg _dmarc.$Z MX NOERROR "NODATA TXT-only name"
ok "NODATA with SOA"

neg ent.$Z A NOERROR "empty non-terminal ent"
neg b.ent.$Z TXT NOERROR "empty non-terminal b.ent"
neg _domainkey.$Z TXT NOERROR "empty non-terminal _domainkey"
q a.b.ent.$Z A
has_rr ANSWER "a.b.ent.$Z. 3600 IN A 192.0.2.7" "name below the ENT"
ok "empty non-terminals are NODATA"

# TCP gives the same negative answers.
q +tcp nx.$Z A
status_is NXDOMAIN "NXDOMAIN over TCP"
has_rr AUTHORITY "$NEGSOA" "NXDOMAIN over TCP"
ok "negative answers over TCP"

mxs_only || exit 0
q nx.neg.example.org A
status_is NXDOMAIN "second zone"
has_rr AUTHORITY "neg.example.org. 30 IN SOA ns.neg.example.org. hostmaster.neg.example.org. 7 3600 600 86400 300" "SOA TTL 30 < minimum 300"
q neg.example.org MX
status_is NOERROR "second zone NODATA"
has_rr AUTHORITY "neg.example.org. 30 IN SOA ns.neg.example.org. hostmaster.neg.example.org. 7 3600 600 86400 300" "NODATA TTL 30"
ok "negative TTL is the SOA TTL when it is below the minimum"
