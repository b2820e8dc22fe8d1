#!/usr/bin/env python3
"""status_check.py - checks on the status endpoint's JSON for the t_status_*
tests. Each command reads a document from a file (or fetches a URL) and exits
0 when the check holds, 1 with a message on stderr otherwise.

  status_check.py get URL                       print the body (timeout 5 s)
  status_check.py server FILE POOL SERVER KEY   print one field of a server
  status_check.py fields FILE                   the whole schema, field by field
  status_check.py admin FILE POOL SERVER STATE  admin state is STATE
  status_check.py down FILE POOL SERVER         server down with a reason
  status_check.py reload FILE COUNT OK          last_reload.count/ok
  status_check.py flood ADDR PORT NAME N        N MX queries over UDP, one
                                                at a time (answers needed)
  status_check.py share FILE POOL S=X,S=X TOL   observed shares within TOL
"""
import json
import random
import socket
import struct
import sys
import urllib.request


def die(msg):
    print('status_check: ' + msg, file=sys.stderr)
    sys.exit(1)


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        die('%s: %s' % (path, e))


def server(doc, pool, name):
    for p in doc.get('pools', []):
        if p.get('name') == pool:
            for s in p.get('servers', []):
                if s.get('name') == name:
                    return p, s
    die('no server %s in pool %s' % (name, pool))


def is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


def is_num(x):
    return (isinstance(x, (int, float))) and not isinstance(x, bool)


def expect(cond, msg):
    if not cond:
        die(msg)


def check_fields(doc):
    expect(isinstance(doc.get('version'), str) and doc['version'], 'version')
    for k in ('now', 'started', 'uptime', 'world_loaded', 'state_gen'):
        expect(is_int(doc.get(k)) and doc[k] >= 0, 'top-level %s: %r' % (k, doc.get(k)))
    expect(doc['now'] // 1000 >= doc['started'], 'now before started')
    expect(doc.get('healthy') is True, 'healthy: %r' % doc.get('healthy'))
    lr = doc.get('last_reload')
    expect(isinstance(lr, dict), 'last_reload')
    for k in ('count', 'time', 'ok', 'errors', 'api_requests'):
        expect(k in lr, 'last_reload.%s missing' % k)
    zones = doc.get('zones')
    expect(isinstance(zones, list) and zones, 'zones')
    for z in zones:
        expect(isinstance(z.get('origin'), str) and z['origin'].endswith('.'), 'zone origin %r' % z)
        expect(is_int(z.get('serial')), 'zone serial %r' % z)
    q = doc.get('queries')
    expect(isinstance(q, dict), 'queries')
    for k in ('total', 'udp', 'tcp', 'truncated', 'dropped'):
        expect(is_int(q.get(k)), 'queries.%s' % k)
    expect(q['total'] >= 1, 'queries.total should count the self-check')
    for k in ('A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA', 'other'):
        expect(is_int(q['by_qtype'].get(k)), 'by_qtype.%s' % k)
    for k in ('NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'other'):
        expect(is_int(q['by_rcode'].get(k)), 'by_rcode.%s' % k)
    pools = doc.get('pools')
    expect(isinstance(pools, list) and pools, 'pools')
    for p in pools:
        expect(isinstance(p.get('name'), str), 'pool name')
        expect(p.get('policy') in ('weighted', 'equal', 'failover'), 'policy %r' % p.get('policy'))
        expect(p.get('state') in ('ok', 'degraded', 'down', 'unknown'), 'state %r' % p.get('state'))
        expect(isinstance(p.get('probe'), str), 'probe')
        expect(is_int(p.get('servers_up')) and is_int(p.get('servers_total')), 'servers_up/total')
        expect(is_num(p.get('total_weight')), 'total_weight')
        shares = 0.0
        for s in p.get('servers', []):
            n = '%s/%s ' % (p['name'], s.get('name'))
            expect(isinstance(s.get('name'), str), n + 'name')
            expect(isinstance(s.get('addresses'), list) and s['addresses'], n + 'addresses')
            expect(s.get('health') in ('up', 'down', 'unknown'), n + 'health')
            expect(s.get('up') is (s['health'] == 'up'), n + 'up vs health')
            expect(s.get('admin') in ('enabled', 'drain', 'maint'), n + 'admin')
            expect(s.get('agent_admin') in ('enabled', 'drain', 'maint'), n + 'agent_admin')
            expect(is_int(s.get('weight')) and s['weight'] >= 1, n + 'weight')
            expect(is_int(s.get('tier')), n + 'tier')
            expect(s.get('load') is None or is_num(s['load']), n + 'load')
            for k in ('load_factor', 'slowstart_factor', 'eff_weight', 'target_share'):
                expect(is_num(s.get(k)), n + k)
            expect(0 <= s['load_factor'] <= 1, n + 'load_factor range')
            expect(0 < s['slowstart_factor'] <= 1, n + 'slowstart_factor range')
            expect(0 <= s['target_share'] <= 1, n + 'target_share range')
            if p['total_weight'] > 0:
                expect(abs(s['target_share'] - s['eff_weight'] / p['total_weight']) < 1e-9,
                       n + 'target_share != eff_weight/total')
            shares += s['target_share']
            if 'observed_share' in s:
                expect(s['observed_share'] is None or 0 <= s['observed_share'] <= 1, n + 'observed_share')
                expect(is_int(s.get('first_pref_answers')), n + 'first_pref_answers')
            expect(is_int(s.get('transitions')), n + 'transitions')
            expect(s.get('since') is None or is_int(s['since']), n + 'since')
            expect(s.get('cert_days') is None or is_int(s['cert_days']), n + 'cert_days')
            expect(isinstance(s.get('reason'), str), n + 'reason')
            c = s.get('checks')
            for k in ('ok', 'failed', 'skipped', 'late', 'local_errors'):
                expect(is_int(c.get(k)), n + 'checks.' + k)
            h = s.get('history')
            expect(isinstance(h, list), n + 'history')
            if p['probe'] != 'none':
                expect(h, n + 'history empty')
                expect(s.get('last_check') == {**h[-1], 'reason': s['last_check']['reason']},
                       n + 'last_check is not the last history entry')
            for e in h:
                expect(is_int(e.get('time')) and e['time'] > 0, n + 'history time')
                expect(isinstance(e.get('ok'), bool), n + 'history ok')
                expect(is_num(e.get('latency_ms')) and e['latency_ms'] >= 0, n + 'history latency')
                if not e['ok']:
                    expect(isinstance(e.get('reason'), str) and e['reason'], n + 'failed check without reason')
            times = [e['time'] for e in h]
            expect(times == sorted(times), n + 'history not oldest first')
        if p['total_weight'] > 0:
            expect(abs(shares - 1) < 1e-6, '%s: target shares sum to %f' % (p['name'], shares))
    expect('relay' in doc, 'relay key')


def flood(addr, port, name, n):
    qname = b''.join(bytes([len(l)]) + l.encode() for l in name.rstrip('.').split('.')) + b'\0'
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    got = 0
    for _ in range(n):
        qid = random.randrange(65536)
        s.sendto(struct.pack('>HHHHHH', qid, 0, 1, 0, 0, 0) + qname + struct.pack('>HH', 15, 1),
                 (addr, port))
        try:
            while True:
                r = s.recv(4096)
                if len(r) >= 12 and struct.unpack('>H', r[:2])[0] == qid:
                    got += 1
                    break
        except socket.timeout:
            pass
    expect(got >= n * 0.95, 'only %d of %d MX queries answered' % (got, n))


def main():
    a = sys.argv[1:]
    if not a:
        die(__doc__)
    cmd = a[0]
    if cmd == 'get':
        try:
            with urllib.request.urlopen(a[1], timeout=5) as r:
                sys.stdout.write(r.read().decode())
        except Exception as e:  # noqa: BLE001 - any failure is a failed check
            die('%s: %s' % (a[1], e))
        return
    if cmd == 'flood':
        flood(a[1], int(a[2]), a[3], int(a[4]))
        return
    doc = load(a[1])
    if cmd == 'fields':
        check_fields(doc)
    elif cmd == 'server':
        p, s = server(doc, a[2], a[3])
        v = s
        for k in a[4].split('.'):
            v = v.get(k) if isinstance(v, dict) else None
        print(json.dumps(v) if not isinstance(v, str) else v)
    elif cmd == 'admin':
        p, s = server(doc, a[2], a[3])
        expect(s['admin'] == a[4], 'admin of %s is %s, want %s' % (a[3], s['admin'], a[4]))
        if a[4] != 'enabled':
            expect(s['eff_weight'] == 0, '%s %s but eff_weight %r' % (a[3], a[4], s['eff_weight']))
    elif cmd == 'down':
        p, s = server(doc, a[2], a[3])
        expect(s['health'] == 'down', '%s health %s' % (a[3], s['health']))
        expect(s['reason'], '%s down without a reason' % a[3])
        expect(s['eff_weight'] == 0, '%s down with eff_weight %r' % (a[3], s['eff_weight']))
        expect(p['state'] in ('degraded', 'down'), 'pool state %s' % p['state'])
    elif cmd == 'reload':
        lr = doc['last_reload']
        expect(lr['count'] == int(a[2]), 'reload count %r, want %s' % (lr['count'], a[2]))
        want = a[3] == 'true'
        expect(lr['ok'] is want, 'reload ok %r, want %s' % (lr['ok'], a[3]))
        expect(is_int(lr['time']), 'reload time')
        if not want:
            expect(lr['errors'], 'failed reload without errors')
    elif cmd == 'share':
        tol = float(a[4])
        for kv in a[3].split(','):
            name, want = kv.split('=')
            p, s = server(doc, a[2], name)
            got = s.get('observed_share')
            expect(got is not None, '%s: no observed share (%r)' % (name, s.get('first_pref_answers')))
            expect(abs(got - float(want)) <= tol, '%s: observed share %.3f, want %s +- %s' % (name, got, want, tol))
            print('%s observed %.3f target %.3f first-pref %d' % (name, got, s['target_share'], s['first_pref_answers']))
    else:
        die('unknown command ' + cmd)


if __name__ == '__main__':
    main()
