#!/usr/bin/env python3
"""mkcorpus.py - write the seed corpora and dictionaries of the libFuzzer harnesses.

Usage: python3 tests/fuzz/mkcorpus.py   (rewrites tests/fuzz/corpus/* and tests/fuzz/dict/*)

Deterministic: the same files every run. Queries are DNS wire built by hand
(struct), matching the world that fuzz_query.c builds; templates and configs
match the fixed parts of fuzz_zone.c and fuzz_conf.c.
"""
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
DICT = os.path.join(HERE, "dict")


def wname(name):
    """Presentation name (no escapes) to uncompressed wire."""
    out = b""
    for lab in name.rstrip(".").split("."):
        if lab == "":
            continue
        b = lab.encode()
        out += bytes([len(b)]) + b
    return out + b"\x00"


def opt(size=1232, version=0, do=False, ext_rcode=0, options=b"", owner=b"\x00"):
    ttl = (ext_rcode << 24) | (version << 16) | (0x8000 if do else 0)
    return owner + struct.pack(">HHIH", 41, size, ttl, len(options)) + options


def query(name, qtype=1, qclass=1, qid=0x1234, flags=0x0100, edns=None,
          qd=1, an=0, ns=0, ar=None, extra=b"", rawname=None):
    if ar is None:
        ar = 1 if edns is not None else 0
    h = struct.pack(">HHHHHH", qid, flags, qd, an, ns, ar)
    q = (rawname if rawname is not None else wname(name)) + struct.pack(">HH", qtype, qclass)
    return h + q + extra + (edns if edns is not None else b"")


def write(harness, files):
    d = os.path.join(CORPUS, harness)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    for name, data in files:
        if isinstance(data, str):
            data = data.encode()
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


def write_dict(harness, words):
    os.makedirs(DICT, exist_ok=True)
    with open(os.path.join(DICT, harness + ".dict"), "w") as f:
        f.write("# %s.dict - libFuzzer dictionary, written by mkcorpus.py\n" % harness)
        for i, w in enumerate(words):
            if isinstance(w, str):
                w = w.encode()
            esc = "".join(chr(c) if 32 <= c < 127 and c not in (34, 92) else "\\x%02x" % c for c in w)
            f.write('w%d="%s"\n' % (i, esc))


# ---------------------------------------------------------------- query
TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "NULL": 10, "HINFO": 13,
         "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28, "SRV": 33, "DNAME": 39,
         "OPT": 41, "DS": 43, "RRSIG": 46, "SVCB": 64, "HTTPS": 65,
         "IXFR": 251, "AXFR": 252, "MAILA": 254, "ANY": 255, "CAA": 257,
         "T0": 0, "T65535": 65535}
Z = "mail.example.com."
NAMES = [  # (name, natural type)
    (Z, "MX"), ("MAIL.Example.COM.", "MX"), ("smtp." + Z, "A"),
    ("SMTP." + Z, "AAAA"), ("relay." + Z, "A"), ("half." + Z, "MX"),
    ("half." + Z, "AAAA"), ("fo." + Z, "MX"), ("fo." + Z, "A"),
    ("dead." + Z, "MX"), ("dead." + Z, "A"), ("open." + Z, "MX"),
    ("open." + Z, "A"), ("eq." + Z, "MX"), ("eq." + Z, "A"),
    ("big." + Z, "MX"), ("big." + Z, "AAAA"), ("www." + Z, "A"),
    ("chain." + Z, "AAAA"), ("tohalf." + Z, "MX"), ("loop1." + Z, "A"),
    ("dangling." + Z, "A"), ("ext." + Z, "A"), ("todeleg." + Z, "A"),
    ("x.wild." + Z, "TXT"), ("a.b.wild." + Z, "MX"), ("q.wc." + Z, "A"),
    ("z.dw." + Z, "MX"), ("b.c." + Z, "TXT"), ("a.b.c." + Z, "TXT"),
    ("zz.c." + Z, "TXT"), ("sub." + Z, "NS"), ("x.sub." + Z, "A"),
    ("ns.sub." + Z, "A"), ("sub." + Z, "DS"), ("_smtp._tcp." + Z, "SRV"),
    ("ptr." + Z, "PTR"), ("manymx." + Z, "MX"), ("txt." + Z, "TXT"),
    ("mx1." + Z, "A"), ("mx1." + Z, "AAAA"), ("mx2." + Z, "MX"),
    ("server-with-a-long-name-05." + Z, "A"), ("nothere." + Z, "A"),
    ("ns1." + Z, "AAAA"), ("deep." + Z, "SOA"), ("x.deep." + Z, "AAAA"),
    ("example.org.", "MX"), ("smtp.example.org.", "A"),
    ("example.com.", "A"), (".", "NS"), ("com.", "SOA"),
]


def query_corpus():
    files = []
    for t, v in sorted(TYPES.items()):
        files.append(("apex-%s" % t.lower(), query(Z, v, qid=v)))
    for i, (n, t) in enumerate(NAMES):
        files.append(("n%02d-%s" % (i, t.lower()), query(n, TYPES[t], qid=i,
                      edns=opt() if i % 2 else None)))
        if i % 3 == 0:
            files.append(("n%02d-any" % i, query(n, 255, qid=i)))
    # CHAOS and classes
    files += [
        ("ch-version", query("version.bind.", 16, 3)),
        ("ch-id", query("id.server.", 16, 3, edns=opt())),
        ("ch-hostname", query("hostname.bind.", 16, 3)),
        ("ch-other", query("authors.bind.", 16, 3)),
        ("class-any", query(Z, 15, 255)),
        ("class-none", query(Z, 15, 254)),
        ("class-hs", query(Z, 1, 4)),
    ]
    # EDNS variants
    files += [
        ("edns-512", query(Z, 15, edns=opt(512))),
        ("edns-small", query("big." + Z, 15, edns=opt(100))),
        ("edns-4096", query("big." + Z, 28, edns=opt(4096))),
        ("edns-65535-do", query("big." + Z, 15, edns=opt(65535, do=True))),
        ("edns-badvers", query(Z, 15, edns=opt(version=1))),
        ("edns-ver255", query(Z, 6, edns=opt(version=255, do=True))),
        ("edns-extrcode", query(Z, 1, edns=opt(ext_rcode=1))),
        ("edns-nsid", query(Z, 15, edns=opt(options=struct.pack(">HH", 3, 0)))),
        ("edns-cookie", query(Z, 15, edns=opt(options=struct.pack(">HH", 10, 8) + b"\x01" * 8))),
        ("edns-ecs", query(Z, 15, edns=opt(options=struct.pack(">HHHBB", 8, 7, 1, 24, 0) + b"\xc0\x00\x02"))),
        ("edns-padding", query(Z, 15, edns=opt(options=struct.pack(">HH", 12, 40) + b"\x00" * 40))),
        ("edns-optlen-bad", query(Z, 15, edns=opt(options=struct.pack(">HH", 10, 200) + b"\x01" * 4))),
        ("edns-owner", query(Z, 15, edns=opt(owner=wname("x.")))),
        ("edns-two", query(Z, 15, edns=opt() + opt(4096), ar=2)),
        ("edns-rdlen-short", query(Z, 15, edns=opt()[:-2] + b"\x00\x09")),
        ("edns-cut", query(Z, 15, edns=opt()[:7])),
        ("edns-in-answer", query(Z, 15, an=1, ar=0, extra=opt())),
        ("edns-in-auth", query(Z, 15, ns=1, ar=0, extra=opt())),
        ("edns-tcp-big", query("txt." + Z, 16, edns=opt(1232))),
    ]
    # compression pointers
    files += [
        ("ptr-self", query(None, 1, rawname=b"\xc0\x0c")),
        ("ptr-header", query(None, 1, rawname=b"\x01a\xc0\x00")),
        ("ptr-forward", query(None, 1, rawname=b"\xc0\x20")),
        ("ptr-loop2", query(None, 1, rawname=b"\x01a\xc0\x0e")),
        ("ptr-to-extra", query(None, 15, rawname=b"\x04mail\xc0\x1f", ar=1,
                               extra=wname("example.com.") + struct.pack(">HHIH", 1, 1, 0, 4) + b"\x7f\x00\x00\x01")),
        ("ptr-in-opt-owner", query(Z, 15, edns=opt(owner=b"\xc0\x0c"))),
        ("label-0x40", query(None, 1, rawname=b"\x41abc\x00")),
        ("label-0x80", query(None, 1, rawname=b"\x81abc\x00")),
    ]
    # names at the limits
    l63 = "a" * 63
    files += [
        ("name-255", query(".".join([l63, l63, l63, "b" * 61]) + ".", 1)),
        ("name-256", query(None, 1, rawname=wname(".".join([l63, l63, l63, "b" * 62])))),
        ("name-127-labels", query(".".join(["x"] * 110) + "." + Z, 1)),
        ("name-label64", query(None, 1, rawname=b"\x40" + b"a" * 64 + wname(Z))),
        ("name-nul-byte", query(None, 1, rawname=b"\x03a\x00b" + wname(Z))),
        ("name-dot-in-label", query(None, 1, rawname=b"\x03a.b" + wname(Z))),
        ("name-high-bytes", query(None, 1, rawname=b"\x03\xff\xc3\xa9" + wname(Z))),
        ("name-root-in", query(".", 6)),
    ]
    # header oddities and truncations
    full = query(Z, 15, edns=opt())
    files += [
        ("empty", b""),
        ("one-byte", b"\x12"),
        ("hdr-11", full[:11]),
        ("hdr-only", full[:12]),
        ("qname-cut", full[:17]),
        ("qtype-cut", full[:12 + len(wname(Z)) + 1]),
        ("qclass-cut", full[:12 + len(wname(Z)) + 3]),
        ("trailing", query(Z, 15) + b"garbage"),
        ("qd0", query(Z, 15, qd=0)[:12]),
        ("qd2", query(Z, 15, qd=2) + wname("smtp." + Z) + b"\x00\x01\x00\x01"),
        ("an1-bogus", query(Z, 15, an=1)),
        ("qr-set", query(Z, 15, flags=0x8100)),
        ("opcode-iquery", query(Z, 15, flags=0x0900)),
        ("opcode-status", query(Z, 15, flags=0x1100)),
        ("opcode-notify", query(Z, 6, flags=0x2400)),
        ("opcode-update", query(Z, 6, flags=0x2800)),
        ("opcode-15", query(Z, 6, flags=0x7900)),
        ("flags-tc-aa-rcode", query(Z, 15, flags=0x0733)),
        ("flags-cd-ad", query(Z, 15, flags=0x0130, edns=opt(do=True))),
        ("flags-z", query(Z, 15, flags=0x0140)),
    ]
    write("query", files)
    write_dict("query", [b"\xc0\x0c", b"\x00\x00\x29\x10\x00", b"\x00\x29", b"\x00\x01\x00\x01",
                         b"\x00\x0f\x00\x01", b"\x00\xff\x00\x01", b"\x00\x1c\x00\x01",
                         b"\x00\x10\x00\x03", wname(Z), wname("example.org."),
                         b"\x04mail", b"\x04smtp", b"\x01*", b"\x03sub", b"\x04wild",
                         b"\x03big", b"\x04half", b"\x02fo", b"\x04dead", b"\x04open",
                         b"\x07version\x04bind\x00", b"\x80\x00", b"\x01\x00\x00\x01"])


# ---------------------------------------------------------------- zone
SOA = "@ SOA ns1 hostmaster 2026112701 3600 600 86400 60\n@ NS ns1\nns1 A 192.0.2.53\n"
HEAD = "$ORIGIN mail.example.com.\n$TTL 3600\n"


def zone_corpus():
    ex = open(os.path.join(HERE, "..", "..", "zones", "examples", "mail.example.com.zone")).read()
    ex = ex.replace("inbound", "inbound")
    z = [
        ("example", ex),
        ("minimal", HEAD + SOA),
        ("dyn", HEAD + SOA + "@ 30 DYNMX inbound\nsmtp 30 DYNA inbound\nout DYNMX outpool\nouta DYNA outpool\n"),
        ("dyn-unknown-pool", HEAD + SOA + "@ DYNMX nosuch\n"),
        ("dyn-and-mx", HEAD + SOA + "@ DYNMX inbound\n@ MX 10 mx1\n"),
        ("dyn-and-cname", HEAD + SOA + "x CNAME smtp\nx DYNA inbound\n"),
        ("dyn-wild", HEAD + SOA + "*.w DYNMX inbound\n*.w DYNA outpool\n"),
        ("cname", HEAD + SOA + "www CNAME smtp\nsmtp A 192.0.2.1\nc2 CNAME www\nloop CNAME loop\next CNAME a.example.net.\n"),
        ("cname-and-data", HEAD + SOA + "www CNAME smtp\nwww A 192.0.2.1\n"),
        ("apex-cname", HEAD + "@ CNAME x.example.net.\n" + SOA),
        ("wildcard", HEAD + SOA + "*.w TXT \"w\"\n*.w MX 10 mx1\n*.c CNAME smtp\na.*.x TXT \"mid\"\n*.*.y A 192.0.2.5\n"),
        ("ent", HEAD + SOA + "a.b.c.d TXT \"deep\"\n*.b.c.d A 192.0.2.9\n"),
        ("deleg", HEAD + SOA + "sub NS ns.sub\nsub NS ns.example.net.\nns.sub A 192.0.2.54\nns.sub AAAA 2001:db8::54\nx.sub TXT \"occluded\"\nsub.sub NS ns.sub\n"),
        ("deleg-dyn", HEAD + SOA + "sub NS ns.sub\nsub DYNA inbound\nx.sub DYNMX inbound\n"),
        ("server-clash", HEAD + SOA + "mx1 A 192.0.2.200\nmx2 CNAME smtp\nrelay A 192.0.2.99\n"),
        ("types", HEAD + SOA + "t SRV 0 5 25 mx1\nt TXT \"a\" \"b\" \"c\\\"d\" \"\\065\\066\"\nt HINFO \"x\" \"y\"\nt CAA 0 issue \"ca.example\"\n"
                  "t PTR mx1\nt SSHFP 1 1 0123456789abcdef0123456789abcdef01234567\nt TLSA 3 1 1 0011\nt TYPE65534 \\# 3 010203\nt NAPTR 100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:a@b!\" .\nt DNAME example.net.\n"),
        ("generic", HEAD + SOA + "g TYPE999 \\# 0\ng A \\# 4 c0000201\ng AAAA \\# 3 0102\n"),
        ("parens", HEAD + "@ IN SOA ns1 hostmaster (\n 1 ; serial\n 1h 10m 1w\n 1d )\n@ NS ( ns1 )\nns1 A 192.0.2.53\nlong TXT ( \"a\"\n \"b\" )\n"),
        ("parens-open", HEAD + SOA + "x TXT ( \"never closed\"\n"),
        ("ttl-units", "$ORIGIN mail.example.com.\n$TTL 1w2d3h4m5s\n" + SOA + "x 1H A 192.0.2.1\nx 2147483647 A 192.0.2.2\ny 4294967295 A 192.0.2.3\n"),
        ("ttl-bad", "$TTL abc\n" + HEAD + SOA + "x -1 A 192.0.2.1\n"),
        ("origin-change", HEAD + SOA + "$ORIGIN sub.mail.example.com.\nx A 192.0.2.7\n$ORIGIN example.net.\ny A 192.0.2.8\n"),
        ("include", HEAD + SOA + "$INCLUDE inc.zone\n$INCLUDE inc.zone other.mail.example.com.\n"),
        ("include-self", HEAD + SOA + "$INCLUDE z.zone\n"),
        ("include-missing", HEAD + SOA + "$INCLUDE nosuch.zone\n"),
        ("no-soa", HEAD + "@ NS ns1\nns1 A 192.0.2.53\n"),
        ("two-soa", HEAD + SOA + "@ SOA ns2 h 2 3 4 5 6\n"),
        ("soa-below", HEAD + SOA + "x SOA ns1 h 1 2 3 4 5\n"),
        ("out-of-zone", HEAD + SOA + "example.net. A 192.0.2.1\nx.example.com. A 192.0.2.2\n"),
        ("blank-owner", HEAD + SOA + "x A 192.0.2.1\n  AAAA 2001:db8::1\n\tTXT \"same owner\"\n"),
        ("class-ch", HEAD + SOA + "x CH TXT \"chaos\"\ny IN A 192.0.2.1\nz 60 IN A 192.0.2.2\nw IN 60 A 192.0.2.3\n"),
        ("crlf", (HEAD + SOA + "x A 192.0.2.1\r\n").replace("\n", "\r\n")),
        ("nul", HEAD + SOA + "x A 192.0.2.1\x00\ny A 192.0.2.2\n"),
        ("bad-rdata", HEAD + SOA + "a A 300.1.1.1\nb AAAA ::g\nc MX x y\nd MX 70000 mx1\ne TXT \"unterminated\nf SRV 1 2\n"),
        ("long-names", HEAD + SOA + ("a" * 63 + ".") * 3 + " A 192.0.2.1\n" + "b" * 64 + " A 192.0.2.2\n"),
        ("escapes", HEAD + SOA + "a\\.b A 192.0.2.1\n\\065\\066 A 192.0.2.2\nx\\ y TXT \"space\"\n\\@ TXT \"at\"\n"),
        ("generate", HEAD + SOA + "$GENERATE 1-3 h$ A 192.0.2.$\n"),
        ("many-rr", HEAD + SOA + "".join("m MX %d h%d\nh%d A 192.0.2.%d\n" % (i, i, i, i) for i in range(30))),
        ("big-txt", HEAD + SOA + "t TXT " + " ".join('"%s"' % ("x" * 255) for _ in range(4)) + "\n"),
    ]
    write("zone", z)
    ZONE_WORDS[:] = ["$ORIGIN", "$TTL", "$INCLUDE", "$GENERATE", "DYNMX", "DYNA", "inbound",
                        "outpool", "SOA", "NS", "MX", "A", "AAAA", "CNAME", "TXT", "SRV", "PTR",
                        "DNAME", "CAA", "TYPE", "\\#", "IN", "CH", "@", "*", "(", ")", ";",
                        "mail.example.com.", "inc.zone", "mx1", "mx2", "relay", "192.0.2.1",
                        "2001:db8::1", "\\065", "\"", "1w", "1h"]
    write_dict("zone", ZONE_WORDS)


# ---------------------------------------------------------------- conf
def conf_corpus():
    ex = open(os.path.join(HERE, "..", "..", "zones", "examples", "mxspread.conf")).read()
    base = ('listen = [ "127.0.0.1:5353" ];\nzones = ( { origin = "mail.example.com."; template = "t.zone"; } );\n')

    def pool(body):
        return base + "pools = ( " + body + " );\n"
    srv = '{ name = "mx1"; address = [ "192.0.2.11", "2001:db8::11" ]; weight = 3; }, { name = "mx2"; address = [ "192.0.2.12" ]; tier = 1; }'
    c = [
        ("example", ex),
        ("minimal", base),
        ("pool", pool('{ name = "inbound"; servers = ( %s ); }' % srv)),
        ("pool-all-keys", pool('{ name = "inbound"; policy = "failover"; min_up = 2; max_mx = 3; max_addrs = 2; pref_base = 5; pref_step = 5;'
                               ' ttl_degraded = 10; relay_host = "relay"; all_down = "relay"; slowstart = 0.5; load_smoothing = 0.5; load_low = 10; load_high = 90;'
                               ' probe = { type = "smtp"; port = 25; interval = 0.5; timeout = 0.2; rise = 1; fall = 100; starttls = true; starttls_required = true;'
                               ' ca_file = "/x"; tls_hostname = "h"; helo = "me"; proxy_protocol = "v2"; };'
                               ' load = { type = "http"; url = "http://{addr}:{port}/load?n={name}"; load_format = "json"; load_key = "/a/0"; };'
                               ' servers = ( %s ); }' % srv)),
        ("pool-agent", pool('{ name = "p"; load = { type = "agent"; port = 8900; }; probe = { type = "tcp"; }; servers = ( %s ); }' % srv)),
        ("pool-prom", pool('{ name = "p"; policy = "equal"; load = { type = "http"; load_format = "prometheus"; load_key = "node_load"; url = "http://{addr}/m"; }; servers = ( %s ); }' % srv)),
        ("pool-none", pool('{ name = "p"; probe = { type = "none"; }; servers = ( { name = "a"; host = "a.example.net."; address = [ "::1" ]; } ); }')),
        ("two-pools", pool('{ name = "a"; servers = ( { name = "s1"; address = [ "192.0.2.1" ]; } ); }, { name = "b"; servers = ( { name = "s2"; address = [ "192.0.2.2" ]; weight = 1000000; } ); }')),
        ("dup-pool", pool('{ name = "a"; servers = ( { name = "s1"; address = [ "192.0.2.1" ]; } ); }, { name = "a"; servers = ( { name = "s1"; address = [ "192.0.2.1" ]; } ); }')),
        ("weights", pool('{ name = "w"; servers = ( { name = "a"; address = [ "192.0.2.1" ]; weight = 0; }, { name = "b"; address = [ "192.0.2.2" ]; weight = 1000001; }, { name = "c"; address = [ "192.0.2.3" ]; weight = -1; } ); }')),
        ("pref-overflow", pool('{ name = "w"; max_mx = 100; pref_base = 65000; pref_step = 1000; servers = ( { name = "a"; address = [ "192.0.2.1" ]; } ); }')),
        ("bad-addr", pool('{ name = "w"; servers = ( { name = "a"; address = [ "300.0.0.1", "::g", "", "192.0.2.1:25" ]; } ); }')),
        ("bad-name", pool('{ name = "W W"; servers = ( { name = "a.b"; address = [ "192.0.2.1" ]; } ); }')),
        ("no-servers", pool('{ name = "w"; servers = ( ); }')),
        ("typo-key", pool('{ name = "w"; polcy = "weighted"; servers = ( { name = "a"; adress = [ "192.0.2.1" ]; } ); }')),
        ("relay", pool('{ name = "inbound"; servers = ( %s ); }' % srv) + 'relay = { listen = [ "127.0.0.1:2525", "[::1]:2525" ]; pool = "inbound"; port = 10025; proxy_protocol = "v1"; policy = "leastconn"; retries = 3; connect_timeout = 1.5; idle_timeout = 60; max_connections = 10; max_per_source = 2; hostname = "relay.example"; };\n'),
        ("relay-bad-pool", base + 'relay = { listen = [ "127.0.0.1:2525" ]; pool = "nosuch"; };\n'),
        ("status", base + 'status = { listen = "127.0.0.1:8053"; token_file = "/etc/x"; state_file = "/var/x"; enabled = false; };\n'),
        ("top-keys", base + 'workers = 4; edns_payload = 4096; tcp_idle_timeout = 0.5; tcp_max_connections = 5; version_bind = "v"; id_server = "i"; user = "nobody"; group = "nogroup"; log_level = "debug"; syslog = true;\n'),
        ("top-bad", base + 'workers = -1; edns_payload = 100; tcp_idle_timeout = "x"; log_level = "loud";\n'),
        ("listen-forms", 'listen = [ "0.0.0.0:53", "[::]:53", "127.0.0.1", "[::1]", "localhost:53", "[fe80::1%lo]:53", "1.2.3.4:99999" ];\n'),
        ("zones-bad", 'zones = ( { origin = "Mail.Example.COM"; template = "/abs/t.zone"; serial = "auto"; }, { origin = "mail.example.com."; }, { origin = ".."; template = ""; } );\n'),
        ("zone-serial", base.replace('template = "t.zone";', 'template = "t.zone"; serial = 5;')),
        ("syntax-error", 'listen = [ "127.0.0.1:5353" \n'),
        ("syntax-string", '""'),
        ("syntax-include", '@include "nosuch.conf"\nlisten = [ "127.0.0.1:5353" ];\n'),
        ("numbers", base + 'workers = 0x10; edns_payload = 1232L; tcp_idle_timeout = 1e3;\n'),
        ("comments", "# c1\n// c2\n/* c3 */\n" + base),
        ("types-wrong", 'listen = "127.0.0.1:53"; zones = { origin = 1; }; pools = [ 1, 2 ];\n'),
        ("durations", pool('{ name = "p"; probe = { type = "smtp"; interval = 0.05; timeout = 10; rise = 0; fall = 101; }; servers = ( { name = "a"; address = [ "192.0.2.1" ]; } ); }')),
    ]
    write("conf", c)
    CONF_WORDS[:] = ["listen", "workers", "edns_payload", "zones", "origin", "template", "pools", "name",
                        "policy", "weighted", "equal", "failover", "probe", "load", "type", "smtp", "tcp",
                        "http", "agent", "none", "servers", "address", "weight", "tier", "host",
                        "relay", "relay_host", "all_down", "min_up", "max_mx", "max_addrs", "pref_base",
                        "pref_step", "ttl_degraded", "load_format", "load_key", "json", "prometheus",
                        "status", "token_file", "serial", "auto", "proxy_protocol", "v1", "v2",
                        "= ", "; ", "( ", " )", "{ ", " }", "[ ", " ]", "\"", "\"127.0.0.1:53\"",
                        "\"[::1]:53\"", "\"192.0.2.1\"", "\"2001:db8::1\"", "true", "false", "@include"]
    write_dict("conf", CONF_WORDS)


# ---------------------------------------------------------------- world
CONF_WORDS = []
ZONE_WORDS = []


def world_corpus():
    zones1 = 'zones = ( { origin = "mail.example.com."; template = "t.zone"; } );\n'
    zones2 = ('zones = ( { origin = "mail.example.com."; template = "t.zone"; },'
              ' { origin = "sub.mail.example.com."; template = "t.zone"; },'
              ' { origin = "example.org."; template = "t.zone"; serial = "auto"; } );\n')
    s2 = '{ name = "mx1"; address = [ "192.0.2.11", "2001:db8::11" ]; weight = 3; }, { name = "mx2"; address = [ "192.0.2.12" ]; tier = 1; }'
    many = ", ".join('{ name = "s%d"; address = [ "10.0.0.%d", "2001:db8::%x" ]; weight = %d; tier = %d; }' % (i, i + 1, i + 1, i * 7 % 10 + 1, i % 3) for i in range(24))
    pools = [
        ('weighted', '{ name = "inbound"; servers = ( %s ); }' % s2),
        ('relay', '{ name = "inbound"; relay_host = "relay"; servers = ( %s ); }' % s2),
        ('relay-abs', '{ name = "inbound"; relay_host = "relay.example.net."; all_down = "relay"; servers = ( %s ); }' % s2),
        ('equal', '{ name = "inbound"; policy = "equal"; max_mx = 1; max_addrs = 1; servers = ( %s ); }' % s2),
        ('failover', '{ name = "inbound"; policy = "failover"; min_up = 3; servers = ( %s ); }' % many),
        ('many', '{ name = "inbound"; max_mx = 64; max_addrs = 64; servers = ( %s ); }' % many),
        ('prefs', '{ name = "inbound"; pref_base = 0; pref_step = 0; ttl_degraded = 1; servers = ( %s ); }' % s2),
        ('prefs-top', '{ name = "inbound"; max_mx = 2; pref_base = 65533; pref_step = 1; relay_host = "r"; servers = ( %s ); }' % s2),
        ('hosts', '{ name = "inbound"; servers = ( { name = "a"; host = "smtp"; address = [ "192.0.2.1" ]; },'
                  ' { name = "b"; host = "x.sub.mail.example.com."; address = [ "::1" ]; }, { name = "c"; host = "mail.example.com."; address = [ "192.0.2.3" ]; },'
                  ' { name = "d"; host = "relay"; address = [ "192.0.2.4" ]; } ); }'),
        ('two', '{ name = "inbound"; servers = ( %s ); }, { name = "other"; servers = ( { name = "mx1"; address = [ "192.0.2.99" ]; } ); }' % s2),
    ]
    tmpls = [
        ('dyn', HEAD + SOA + "@ 30 DYNMX inbound\nsmtp 30 DYNA inbound\n"),
        ('full', HEAD + SOA + "@ 30 DYNMX inbound\nsmtp 30 DYNA inbound\nrelay A 192.0.2.99\nwww CNAME smtp\n*.wild DYNMX inbound\n"
                 "sub NS ns.sub\nns.sub A 192.0.2.54\na.b.c TXT \"ent\"\n"),
        ('two', HEAD + SOA + "@ DYNMX inbound\nother DYNMX other\nother DYNA other\n"),
        ('noorigin', "$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\n@ DYNMX inbound\n@ DYNA inbound\n"),
    ]
    files = []
    for pi, (pn, pb) in enumerate(pools):
        for ti, (tn, tb) in enumerate(tmpls):
            if (tn == "two") != (pn == "two") or ((pi + ti) % 2 and tn != "full"):
                continue
            zones = zones2 if tn == "noorigin" else zones1
            files.append(("%s-%s" % (pn, tn), 'listen = [ "127.0.0.1:5353" ];\n' + zones + "pools = ( " + pb + " );\n%%\n" + tb))
    write("world", files)
    write_dict("world", CONF_WORDS + ZONE_WORDS + ["\n%%\n"])


# ---------------------------------------------------------------- probes
def probe_corpora():
    agent = ["75%", "up", "down", "drain", "maint", "ready", "up 50%", "UP, 10%",
             "down # disk full", "fail#x", "stopped", "150%", "-1%", "nan%", "1e2%",
             "maxconn:10 up", "maxconn:", "maxconn:abc", "50% drain # draining now",
             "%", "100%", "0%", "  up  \t 99.5%  ", "up\r\nextra", "ready maint drain",
             "unknown words only", "#only comment", "", "x" * 600, "1" * 520 + "%",
             "up #" + "c" * 100, "0x10%", "inf%", "50 %"]
    write("agent", [("a%02d" % i, a) for i, a in enumerate(agent)])
    write_dict("agent", ["up", "down", "drain", "maint", "ready", "fail", "stopped", "%", "#", "maxconn:", ","])

    H = lambda fmt, key, body: bytes([fmt]) + key.encode() + b"\n" + body.encode()
    http = [
        H(1, "", "42"), H(1, "", " 42.5\n"), H(1, "", "-1"), H(1, "", "nan"), H(1, "", "1e400"),
        H(1, "", ""), H(1, "", "0x1p3"), H(1, "", "9" * 70),
        H(2, "", "75%"), H(2, "", "75"), H(2, "", "%"), H(2, "", " 10% \r\n"),
        H(3, "node_load", "# HELP node_load x\n# TYPE node_load gauge\nnode_load 0.5\n"),
        H(3, "node_load", 'node_load{cpu="0",x="a}b"} 12\n'),
        H(3, "node_load", 'node_load_other 5\nnode_load{a="\\"}"} 7 1700000000\n'),
        H(3, "load", "load{"), H(3, "load", "load"), H(3, "", " 5\n"), H(3, "m", "m +Inf\n"),
        H(4, "/load", '{"load": 12.5}'), H(4, "/a/0/b", '{"a": [{"b": "33"}]}'),
        H(4, "", "42"), H(4, "/a~1b/c~0d", '{"a/b": {"c~d": 1}}'), H(4, "/x", '{"x": -5}'),
        H(4, "/x", '{"x": "abc"}'), H(4, "/a/01", '{"a": [1, 2]}'), H(4, "/a/-", '{"a": [1]}'),
        H(4, "/x", '{"x": 1e999}'), H(4, "/x", '{"x": tru'), H(4, "/~2", '{}'), H(4, "x", '{"x":1}'),
        H(0, "", "42"),
    ]
    write("httpload", [("h%02d" % i, h) for i, h in enumerate(http)])
    write_dict("httpload", ["{", "}", "[", "]", "\"", ":", "/", "~0", "~1", "%", "\n", "# HELP",
                            "# TYPE", "node_load", "{cpu=\"0\"}", "1e308", "NaN", "+Inf", "null",
                            "true", "0.5"])

    smtp = [
        "220 mx.example.com ESMTP Postfix\r\n",
        "250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n250 8BITMIME\r\n",
        "250-mx\r\n250 STARTTLS\r\n", "250-mx\r\n250 starttls extra\r\n", "250-mx\r\n251 oops\r\n",
        "221 2.0.0 Bye\r\n", "421 4.3.2 Service not available\r\n", "554 5.7.1 no\r\n",
        "220\r\n", "220-\r\n220 \r\n", "199 x\r\n", "600 x\r\n", "22 x\r\n", "2200 x\r\n",
        "220_x\r\n", "abc\r\n", "\r\n", "250-" + "x" * 200 + "\r\n250 ok\r\n",
        "250-a\n250-b\n250-c\n" * 20 + "250 d\n", "220 ok\n250 ok\n221 bye\n",
        "250-STARTTLS\t\r\n250 ok", "250 STARTTLSX\r\n", "220 a\x00b\r\n",
    ]
    write("smtpreply", [("s%02d" % i, s) for i, s in enumerate(smtp)])
    write_dict("smtpreply", ["220 ", "250-", "250 ", "221 ", "421 ", "STARTTLS", "\r\n", "EHLO"])


if __name__ == "__main__":
    query_corpus()
    zone_corpus()
    conf_corpus()
    world_corpus()
    probe_corpora()
    for h in sorted(os.listdir(CORPUS)):
        d = os.path.join(CORPUS, h)
        print("%-10s %3d files, %6d bytes" % (h, len(os.listdir(d)),
              sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))))
