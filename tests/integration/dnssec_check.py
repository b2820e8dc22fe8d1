#!/usr/bin/python3
# dnssec_check.py - many signed DYNMX answers checked with dnspython: the
# zone's DNSKEY RRset is fetched once and checked against the DS (as the
# parent would publish it), then N MX queries (DO=1, UDP) are sent straight
# to the server; every MX RRset must validate (dns.dnssec.validate) and the
# share of answers giving each server the lowest preference must be within
# --tolerance percentage points of its weight share.
# Run with /usr/bin/python3 (Debian's python3-dnspython and its
# python3-cryptography). Exit 0 when all holds, 1 otherwise; the figures are
# printed either way.
#
# usage: dnssec_check.py --server ADDR --port PORT --zone ZONE --name NAME
#            --ds "TAG ALG 2 HEX" --weights mx1=5,mx2=3,mx3=2 [-n 10000]
#            [--tolerance 1.0]
import argparse
import socket
import sys
import time

import dns.dnssec
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rdata
import dns.rrset


def query(args, qname, qtype, sock=None):
    """One DO=1 query; the whole answer message (TCP when truncated, only
    for the DNSKEY fetch, where sock is None)."""
    q = dns.message.make_query(qname, qtype, want_dnssec=True, payload=1232)
    q.flags &= ~dns.flags.RD
    if sock is None:
        r, _ = dns.query.udp_with_fallback(q, args.server, timeout=3,
                                           port=args.port)
        return r
    return dns.query.udp(q, args.server, timeout=3, port=args.port, sock=sock)


def rrsets(msg, name, rdtype):
    """The RRset of rdtype at name in the answer section and its RRSIGs."""
    rr = sig = None
    for s in msg.answer:
        if s.name != name:
            continue
        if s.rdtype == rdtype:
            rr = s
        elif s.rdtype == dns.rdatatype.RRSIG and s.covers == rdtype:
            sig = s
    return rr, sig


def trusted_keys(args, zone):
    """The DNSKEY RRset, validated by a key whose DS is args.ds."""
    want = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.DS, args.ds)
    msg = query(args, zone, dns.rdatatype.DNSKEY)
    if msg.rcode() != dns.rcode.NOERROR:
        raise SystemExit("FAIL: DNSKEY query: %s" % dns.rcode.to_text(msg.rcode()))
    keys, sig = rrsets(msg, zone, dns.rdatatype.DNSKEY)
    if keys is None or sig is None:
        raise SystemExit("FAIL: no signed DNSKEY RRset at %s:\n%s" % (zone, msg))
    match = [k for k in keys
             if dns.dnssec.key_id(k) == want.key_tag and k.algorithm == want.algorithm
             and dns.dnssec.make_ds(zone, k, want.digest_type) == want]
    if not match:
        raise SystemExit("FAIL: no DNSKEY of %s matches the DS %s:\n%s" %
                         (zone, args.ds, keys))
    # the DNSKEY RRset must be signed by the key the DS names
    anchor = dns.rrset.from_rdata_list(zone, keys.ttl, match)
    try:
        dns.dnssec.validate(keys, sig, {zone: anchor})
    except dns.dnssec.ValidationFailure as e:
        raise SystemExit("FAIL: DNSKEY RRset not signed by the DS's key: %s\n%s\n%s"
                         % (e, keys, sig))
    return keys


def first_pref(mx, origin):
    """{server: share of this answer}: the lowest preference (ties split)."""
    low = min(r.preference for r in mx)
    firsts = [r.exchange.relativize(origin).to_text() for r in mx
              if r.preference == low]
    return {s: 1.0 / len(firsts) for s in firsts}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=53)
    ap.add_argument("--zone", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--ds", required=True, help='DS rdata, "TAG ALG 2 HEX"')
    ap.add_argument("--weights", required=True, help="mx1=5,mx2=3,mx3=2")
    ap.add_argument("-n", type=int, default=10000)
    ap.add_argument("--tolerance", type=float, default=1.0,
                    help="percentage points")
    args = ap.parse_args()
    zone = dns.name.from_text(args.zone)
    name = dns.name.from_text(args.name)
    weights = {}
    for kv in args.weights.split(","):
        k, v = kv.split("=")
        weights[k] = float(v)
    wsum = sum(weights.values())

    keys = trusted_keys(args, zone)
    kd = {zone: keys}

    sock = socket.socket(socket.AF_INET6 if ":" in args.server
                         else socket.AF_INET, socket.SOCK_DGRAM)
    counts = {s: 0.0 for s in weights}
    bad = []		# (query number, what)
    variants = set()	# distinct (MX RRset, RRSIG) pairs seen
    tampered = False
    t0 = time.time()
    for i in range(args.n):
        try:
            msg = query(args, name, dns.rdatatype.MX, sock)
        except Exception as e:	# timeout, bad packet: an answer missing
            bad.append((i, "no answer: %r" % e))
            continue
        if msg.rcode() != dns.rcode.NOERROR:
            bad.append((i, "rcode %s" % dns.rcode.to_text(msg.rcode())))
            continue
        if msg.flags & dns.flags.TC:
            bad.append((i, "truncated"))
            continue
        mx, sig = rrsets(msg, name, dns.rdatatype.MX)
        if mx is None or sig is None:
            bad.append((i, "no MX RRset with its RRSIG:\n%s" % msg))
            continue
        try:
            dns.dnssec.validate(mx, sig, kd)
        except dns.exception.DNSException as e:	# ValidationFailure, ...
            bad.append((i, "does not validate (%s):\n%s\n%s" % (e, mx, sig)))
            continue
        if not tampered:
            # the validation above can fail: a changed preference must not pass
            tampered = True
            r0 = next(iter(mx))
            t = dns.rrset.from_rdata_list(mx.name, mx.ttl, [
                r if r != r0 else dns.rdata.from_text(
                    mx.rdclass, mx.rdtype, "%d %s" % (r.preference + 1,
                                                      r.exchange))
                for r in mx])
            try:
                dns.dnssec.validate(t, sig, kd)
                print("FAIL: a tampered MX RRset validated: the check is void")
                return 1
            except dns.dnssec.ValidationFailure:
                pass
        variants.add((mx.to_text(), sig.to_text()))
        for s, share in first_pref(mx, zone).items():
            if s not in counts:
                bad.append((i, "first preference %s is not in the pool" % s))
                continue
            counts[s] += share
    secs = time.time() - t0

    good = args.n - len(bad)
    print("figure: %d MX queries for %s in %.1f s, %d validated, %d failed, "
          "%d distinct signed RRsets" % (args.n, args.name, secs, good,
                                         len(bad), len(variants)))
    ok = not bad
    for i, what in bad[:5]:
        print("FAIL: answer %d: %s" % (i, what))
    if len(bad) > 5:
        print("FAIL: ... and %d more" % (len(bad) - 5))
    for s, w in sorted(weights.items()):
        share = 100.0 * counts[s] / good if good else 0.0
        want = 100.0 * w / wsum
        # sampling alone: one standard deviation of the share, in points
        sd = 100.0 * (w / wsum * (1 - w / wsum) / good) ** 0.5 if good else 0
        inside = abs(share - want) <= args.tolerance
        print("figure: %s first %.0f times, %.2f%% (weight share %.2f%%, "
              "diff %+.2f points, sampling sd %.2f)%s" % (
                  s, counts[s], share, want, share - want, sd,
                  "" if inside else "  <- outside +-%.1f" % args.tolerance))
        ok = ok and inside
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
