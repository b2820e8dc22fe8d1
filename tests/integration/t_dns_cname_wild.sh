#!/bin/sh
# CNAME (followed inside the zone, chains, out-of-zone targets) and
# wildcards (RFC 4592): synthesis, NODATA at a wildcard, names that exist
# block the wildcard, closest encloser without a wildcard gives NXDOMAIN.
. "$MXS_ROOT/tests/lib/common.sh"
. "$MXS_ROOT/tests/lib/dnstest.sh"

Z=mail.example.com
NEGSOA="$Z. 60 IN SOA ns1.$Z. hostmaster.$Z. 2026112701 3600 600 86400 60"
dns_setup
dns_start

q www.$Z A
status_is NOERROR "CNAME A"; flag_set aa "CNAME A"; count_is ANSWER 2 "CNAME A"
has_rr ANSWER "www.$Z. 900 IN CNAME mx1.$Z." "CNAME"
has_rr ANSWER "mx1.$Z. 120 IN A 192.0.2.11" "CNAME target A"
[ "$(section ANSWER | head -1 | awk '{ print $4 }')" = CNAME ] || { show; fail "CNAME not first"; }
q www.$Z AAAA
count_is ANSWER 2 "CNAME AAAA"
has_rr ANSWER "mx1.$Z. 120 IN AAAA 2001:db8::11" "CNAME target AAAA"
ok "CNAME followed in the zone"

q alias.$Z A
status_is NOERROR "chain"; count_is ANSWER 3 "chain"
has_rr ANSWER "alias.$Z. 700 IN CNAME www.$Z." "chain 1"
has_rr ANSWER "www.$Z. 900 IN CNAME mx1.$Z." "chain 2"
has_rr ANSWER "mx1.$Z. 120 IN A 192.0.2.11" "chain end"
ok "CNAME chain"

q www.$Z CNAME
count_is ANSWER 1 "qtype CNAME"
has_rr ANSWER "www.$Z. 900 IN CNAME mx1.$Z." "qtype CNAME"
q www.$Z TXT
status_is NOERROR "CNAME to NODATA"; count_is ANSWER 1 "CNAME to NODATA"
has_rr ANSWER "www.$Z. 900 IN CNAME mx1.$Z." "CNAME to NODATA"
has_rr AUTHORITY "$NEGSOA" "CNAME to NODATA: SOA"
ok "CNAME query type, CNAME then NODATA"

q ext.$Z A
status_is NOERROR "out-of-zone CNAME"; flag_set aa "out-of-zone CNAME"; count_is ANSWER 1 "out-of-zone CNAME"
has_rr ANSWER "ext.$Z. 3600 IN CNAME mail.other.org." "out-of-zone CNAME"
ok "CNAME out of the zone is not followed"

q x.wild.$Z A
status_is NOERROR "wildcard"; flag_set aa "wildcard"; count_is ANSWER 1 "wildcard"
has_rr ANSWER "x.wild.$Z. 600 IN A 192.0.2.99" "wildcard A, owner = qname"
q a.b.c.wild.$Z A
count_is ANSWER 1 "deep wildcard"
has_rr ANSWER "a.b.c.wild.$Z. 600 IN A 192.0.2.99" "deep wildcard"
q x.wild.$Z MX
has_rr ANSWER "x.wild.$Z. 600 IN MX 10 mx1.$Z." "wildcard MX"
has_rr ADDITIONAL "mx1.$Z. 120 IN A 192.0.2.11" "wildcard MX additional"
ok "wildcard synthesis"

q x.wild.$Z AAAA
status_is NOERROR "wildcard NODATA"; count_is ANSWER 0 "wildcard NODATA"
has_rr AUTHORITY "$NEGSOA" "wildcard NODATA"
ok "wildcard NODATA"

q host.wild.$Z A
count_is ANSWER 1 "existing name"
has_rr ANSWER "host.wild.$Z. 3600 IN A 192.0.2.5" "existing name beats the wildcard"
q host.wild.$Z MX
status_is NOERROR "existing name, other type"; count_is ANSWER 0 "existing name, other type"
has_rr AUTHORITY "$NEGSOA" "existing name, other type: NODATA, no wildcard"
q sub.host.wild.$Z A
status_is NXDOMAIN "closest encloser host.wild has no wildcard"
has_rr AUTHORITY "$NEGSOA" "closest encloser NXDOMAIN"
q wild.$Z A
status_is NOERROR "wildcard parent"; count_is ANSWER 0 "wildcard parent (ENT)"
q '*.wild.'$Z A
has_rr ANSWER "*.wild.$Z. 600 IN A 192.0.2.99" "the wildcard name itself"
q nothere.$Z A
status_is NXDOMAIN "no wildcard at the apex"
ok "closest encloser rules"

q tocw.$Z A
status_is NOERROR "CNAME to wildcard"; count_is ANSWER 2 "CNAME to wildcard"
has_rr ANSWER "tocw.$Z. 3600 IN CNAME foo.wild.$Z." "CNAME to wildcard"
has_rr ANSWER "foo.wild.$Z. 600 IN A 192.0.2.99" "CNAME to a wildcard-synthesized name"
ok "CNAME into a wildcard"
