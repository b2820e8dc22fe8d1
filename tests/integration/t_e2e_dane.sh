#!/bin/sh
# t_e2e_dane.sh - DANE end to end with real peers (issue 17), in a private
# network namespace: a sending Postfix with smtp_tls_security_level = dane
# and smtp_dns_support_level = dnssec; its resolver a validating Unbound
# whose only trust anchor is the test zone's DS; mxspread serving that zone
# signed, with a DYNMX pool of three Postfix receivers (weights 3:2:1), each
# with its own self-signed certificate and a 3 1 1 TLSA record for it.
#  1. 1,000 messages: all delivered, every delivery over a connection the
#     sender logged as "Verified TLS connection established" to that relay,
#     the shares within 5 points of the weights.
#  2. mid-run (600 messages a run), mx1's certificate is replaced by one
#     its TLSA does not match and mx1 reloaded; each run twice, with every
#     server in each MX answer (max_mx 10: the sender falls back to the
#     next MX, a mismatch costs a failed TLS session) and with one
#     (max_mx 1: no other MX, a mismatch defers the message):
#     - dane = "require": mx1 leaves the answers within interval x fall
#       (+10 % probe jitter) + timeout; no TLS session fails and no message
#       is deferred later than the answer TTL plus that (+ the 1 s Postfix
#       suspends a destination after a failure); none is lost;
#     - dane = "off" (the probe checks STARTTLS and PKIX only, and the new
#       certificate passes PKIX: an operator's rollover done before the
#       TLSA was updated): mx1 stays in the answers, none is lost; the
#       failed sessions and deferrals that "require" prevents are counted.
#     The figures (delivered, verified, status=deferred and their reasons,
#     longest deferral and max delay from the delay= fields, shares) are
#     printed for each run.
. "$MXS_ROOT/tests/lib/common.sh"
. "$MXS_ROOT/tests/lib/postfix.sh"
. "$MXS_ROOT/tests/lib/netns.sh"

[ "$(id -u)" = 0 ] || skip "needs root for ip netns"
for c in ip unbound unbound-checkconf smtp-source postfix postqueue kdig \
    openssl ldns-keygen python3; do
	command -v $c >/dev/null 2>&1 || [ -x /usr/sbin/$c ] || fail "missing $c"
done

Z=mail.example.com
DATA=t_e2e_dane
NMSG=${E2E_MESSAGES:-1000}		# phase 1
NSWAP=${E2E_SWAP_MESSAGES:-600}		# each swap run
SWAP_AT=$((NSWAP / 4))			# delivered before the swap
TTL=0					# the DYNMX answer TTL
INTERVAL=1 FALL=2 TIMEOUT=0.8		# the health probe
BAD=mx1					# the receiver whose certificate changes
# the detection bound: interval x fall (+10 %: the probe's jitter) + timeout
DETECT_MAX=$(python3 -c "print(round($INTERVAL * $FALL * 1.1 + $TIMEOUT, 2))")

mail_netns dane 2 11 12 13 53
mail_netns_pf "$T/rcv1" "$T/rcv2" "$T/rcv3"
chmod 711 "$T"

# ---- certificates: one per receiver, and mx1's replacement ------------------
# mkcert NAME HOST: a self-signed P-256 certificate for HOST in $T/certs
mkdir -p "$T/certs"
mkcert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/certs/$1.key" -out "$T/certs/$1.crt" -days 30 \
	    -subj "/CN=$2" -addext "subjectAltName=DNS:$2" >/dev/null 2>&1 ||
	    fail "openssl req for $1"
	chmod 600 "$T/certs/$1.key"
}
# spki NAME: SHA-256 of the certificate's SubjectPublicKeyInfo (TLSA 3 1 1)
spki() {
	openssl x509 -in "$T/certs/$1.crt" -noout -pubkey |
	    openssl pkey -pubin -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1
}
for n in 1 2 3; do
	mkcert mx$n mx$n.$Z
done
mkcert $BAD-new $BAD.$Z
# The probe's PKIX store when dane is off: every certificate, the new one
# too, so that PKIX alone passes it (what a rollover to a certificate from
# the usual CA looks like) and only the TLSA can tell.
cat "$T"/certs/*.crt > "$T/certs/bundle.pem"

# ---- the zone key, its DS, the configs ---------------------------------------
mkdir -p "$T/keys"
KEY=$(dnssec_key "$T/keys" $Z.) || fail "ldns-keygen"
fixture $DATA/mail.zone "$T/mail.zone" TTL=$TTL TLSA1="$(spki mx1)" \
    TLSA2="$(spki mx2)" TLSA3="$(spki mx3)"
[ "$(spki $BAD-new)" != "$(spki $BAD)" ] || fail "the new certificate has the old key"

# mxsconf DANE MAXMX: the config of one run in $T/DANE-MAXMX.conf; DANE
# off or require, MAXMX the pool's max_mx
mxsconf() {
	case $1 in
	require)
		tls='starttls = true; starttls_required = true;'
		pd='dane = "require";' ;;
	*)
		tls="starttls = true; starttls_required = true; ca_file = \"$T/certs/bundle.pem\";"
		pd='dane = "off";' ;;
	esac
	fixture $DATA/mxspread.conf "$T/$1-$2.conf" KEY="$KEY" INTERVAL=$INTERVAL \
	    FALL=$FALL TIMEOUT=$TIMEOUT PROBE_TLS="$tls" POOL_DANE="$pd" MAX_MX=$2
}

for d in require off; do
	for m in 10 1; do
		mxsconf $d $m
		"$MXSPREAD" check -c "$T/$d-$m.conf" > "$T/check.out" 2>&1 ||
		    { cat "$T/check.out"; fail "$d-$m.conf rejected"; }
	done
done

DS=$(zone_ds "$T/off-10.conf" $Z)
[ -n "$DS" ] || fail "no SHA-256 DS from mxspread ds"
echo "trust anchor (mxspread ds): $Z. DS $DS"

# pfset DIR "key = value": set a main.cf key of instance DIR in place. Not
# pf_conf's append: a key set twice makes every Postfix process warn at
# start, and postlogd's own warning after a reload under load can block on
# its full socket (it is the reader): the instance then stalls.
pfset() {
	postconf -c "$1/etc" -e "$2" || fail "postconf $1: $2"
}

# ---- three receivers: Postfix smtpd with STARTTLS, mail discarded ------------
for n in 1 2 3; do
	R=$T/rcv$n
	pf_create "$R" rcv$n
	pfset "$R" "inet_interfaces = 127.0.0.1$n"
	pfset "$R" "mydestination = $Z"
	pfset "$R" "local_transport = discard:"
	pfset "$R" "smtpd_tls_security_level = may"
	pfset "$R" "smtpd_tls_cert_file = $R/tls.crt"
	pfset "$R" "smtpd_tls_key_file = $R/tls.key"
	pfset "$R" "smtpd_tls_loglevel = 1"
	pf_service "$R" 127.0.0.1$n:25
	cp "$T/certs/mx$n.crt" "$R/tls.crt"
	cp "$T/certs/mx$n.key" "$R/tls.key"
	ns_pf pf_start "$R" || { cat "$R/maillog"; fail "receiver $n did not start"; }
done

# presents N NAME: until receiver N presents certificate NAME over
# STARTTLS (at most 25 tries 0.2 s apart, each at most 3 s)
presents() {
	want=$(spki "$2")
	i=0
	while [ $i -lt 25 ]; do
		got=$($NSX sh -c "timeout 3 openssl s_client -starttls smtp -connect 127.0.0.1$1:25 \
		    < /dev/null 2>/dev/null | openssl x509 -noout -pubkey 2>/dev/null |
		    openssl pkey -pubin -outform DER 2>/dev/null | openssl dgst -sha256 -r" |
		    cut -d' ' -f1)
		[ "$got" = "$want" ] && return 0
		i=$((i + 1)); sleep 0.2
	done
	return 1
}
# set_cert N NAME: receiver N gets certificate NAME and is reloaded (new
# smtpd processes present it); $T_SET the time of the reload
set_cert() {
	cp "$T/certs/$2.crt" "$T/rcv$1/tls.crt"
	cp "$T/certs/$2.key" "$T/rcv$1/tls.key"
	timeout 10 $NSX postfix -c "$T/rcv$1/etc" reload >/dev/null 2>&1 || fail "reload of receiver $1"
	T_SET=$(date +%s.%N)
}
for n in 1 2 3; do
	presents $n mx$n || fail "receiver $n does not present its certificate over STARTTLS"
done

# ---- Unbound, validating -----------------------------------------------------
mkdir -p "$T/unbound"
fixture $DATA/unbound.conf "$T/unbound/unbound.conf" DIR="$T/unbound" DS="$Z. DS $DS"
unbound-checkconf "$T/unbound/unbound.conf" > /dev/null || fail "unbound.conf rejected"

# ---- mxspread ----------------------------------------------------------------
# status.py SINCE LIMIT [--gone NAME] NAME=up|down...: until /status.json
# shows each NAME so and (with --gone) NAME is not among the MX targets
# mxspread answers (polled every 20 ms, at most LIMIT s); prints the seconds
# since SINCE (epoch) of each (status, then answers), "-" when LIMIT ran out
cat > "$T/status.py" <<'PY'
import json, subprocess, sys, time, urllib.request
since, limit, args = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
gone = None
if args[0] == '--gone':
    gone, args = args[1], args[2:]
want = dict(a.split('=') for a in args)
end = time.time() + limit
at_status = at_answers = None
while time.time() < end and (at_status is None or (gone and at_answers is None)):
    if at_status is None:
        try:
            doc = json.load(urllib.request.urlopen('http://127.0.0.1:8053/status.json', timeout=1))
            got = {s['name']: 'up' if s.get('up') else 'down'
                   for p in doc.get('pools', []) for s in p.get('servers', [])}
            if all(got.get(n) == w for n, w in want.items()):
                at_status = time.time() - since
        except (OSError, ValueError):
            pass
    if gone and at_answers is None:
        r = subprocess.run(['kdig', '+retry=0', '+timeout=1', '@127.0.0.1', '-p', '5353',
                            'mail.example.com', 'MX', '+short'],
                           capture_output=True, text=True)
        names = [l.split()[1].split('.')[0] for l in r.stdout.splitlines() if len(l.split()) == 2]
        if r.returncode == 0 and names and gone not in names:
            at_answers = time.time() - since
    time.sleep(0.02)
f = lambda t: '-' if t is None else '%.2f' % t
print(f(at_status) + (' ' + f(at_answers) if gone else ''))
PY
# status_wait LIMIT NAME=up|down...: status.py from now, inside the namespace
status_wait() {
	[ "$($NSX python3 "$T/status.py" "$(date +%s.%N)" "$@")" != - ]
}
# mxs_start CONF: mxspread with CONF; until it answers and all three are up
mxs_start() {
	cp "$1" "$T/mxspread.conf"
	bg $NSX sh -c "exec '$MXSPREAD' -c '$T/mxspread.conf' 2>> '$T/mxs.log'"
	MXS_PID=$LASTPID
	$NSX sh -c ". $MXS_ROOT/tests/lib/common.sh; wait_dns 127.0.0.1 5353 $Z" ||
	    { tail -20 "$T/mxs.log"; fail "mxspread did not answer"; }
	status_wait 10 mx1=up mx2=up mx3=up ||
	    { tail -20 "$T/mxs.log"; fail "not all three up 10 s after the start ($1)"; }
}
# with dane = "require", phase 1 also shows that self-signed certificates
# matched by their 3 1 1 records pass the probe (no ca_file there)
mxs_start "$T/require-10.conf"

bg $NSX unbound -d -c "$T/unbound/unbound.conf"
$NSX sh -c ". $MXS_ROOT/tests/lib/common.sh; wait_dns 127.0.0.53 53 $Z" ||
    { cat "$T/unbound/unbound.log"; fail "unbound did not answer"; }
for q in "$Z MX" "mx1.$Z A" "_25._tcp.mx1.$Z TLSA"; do
	$NSX kdig @127.0.0.53 +dnssec $q > "$T/kdig.out" 2>&1
	grep -q 'status: NOERROR' "$T/kdig.out" && grep -q '^;; Flags:[^;]* ad' "$T/kdig.out" ||
	    { cat "$T/kdig.out"; fail "unbound: $q not NOERROR with AD"; }
done

# ---- the sender ----------------------------------------------------------------
S=$T/pf
pf_create "$S" sender
pfset "$S" "inet_interfaces = 127.0.0.2"
pfset "$S" "smtp_host_lookup = dns"
pfset "$S" "smtp_dns_support_level = dnssec"
pfset "$S" "smtp_tls_security_level = dane"
pfset "$S" "smtp_tls_loglevel = 1"
# one connection (and one MX lookup) per delivery, as from many senders
pfset "$S" "smtp_connection_cache_on_demand = no"
pfset "$S" "default_destination_concurrency_limit = 10"
pfset "$S" "smtp_connect_timeout = 5s"
# a deferred message is tried again after 1 to 2 s (at the next queue run,
# 1 s apart), not after 5 minutes; a destination suspended after a failure
# is tried again after minimal_backoff_time. (With maximal_backoff_time =
# 1s too a message was once left in the deferred queue for minutes after a
# "skipped, still being delivered".)
pfset "$S" "queue_run_delay = 1s"
pfset "$S" "minimal_backoff_time = 1s"
pfset "$S" "maximal_backoff_time = 2s"
pf_service "$S" 127.0.0.2:2525
ns_pf pf_start "$S" || fail "sender postfix did not start"

# ---- the maillog, read by a script ----------------------------------------------
cat > "$T/maillog.py" <<'PY'
# maillog.py LOG FROM_LINE WANT [SINCE]: the sender's deliveries from line
# FROM_LINE on (WANT messages injected). Each "status=sent" must follow, in
# the same smtp process, "Verified TLS connection established" to the same
# relay. Deferrals are the smtp agent's and the error agent's (a destination
# the queue manager suspended after failures: "delivery temporarily
# suspended"). SINCE (epoch): when the certificate changed; the last failed
# TLS session and the last deferral are given in seconds after it (the log
# has whole seconds).
# Writes the figures to LOG.figures for the test.
import collections, re, sys, time

log, start, want = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
since = float(sys.argv[4]) if len(sys.argv) > 4 else None
rx_tls = re.compile(r'postfix/smtp\[(\d+)\]: (\w+) TLS connection established to ([^ :]+\[[^]]+\]:\d+)')
rx_st = re.compile(r'postfix/(smtp|error)\[(\d+)\]: ([0-9A-F]+): to=<[^>]*>, relay=([^ ,]+), '
                   r'.*delay=([0-9.]+), .*status=(\w+) \((.*)\)$')
rx_tlsfail = re.compile(r'postfix/smtp\[\d+\]: (?:warning: )?(server certificate verification failed for .*)$')
year = time.localtime().tm_year
last_tls = {}
sent, defer, bounced = {}, collections.defaultdict(list), 0
unverified, reasons, failed = [], collections.Counter(), collections.Counter()
per_relay = collections.Counter()
last_fail = last_defer = None
stamp = lambda line: time.mktime(time.strptime('%d %s' % (year, line[:15]), '%Y %b %d %H:%M:%S'))
with open(log, errors='replace') as f:
    for i, line in enumerate(f, 1):
        if i < start:
            continue
        line = line.rstrip('\n')
        m = rx_tls.search(line)
        if m:
            last_tls[m.group(1)] = (m.group(2), m.group(3))
            continue
        m = rx_st.search(line)
        if m:
            agent, pid, qid, relay, delay, st, why = m.groups()
            if st == 'sent' and agent == 'smtp':
                sent[qid] = float(delay)
                per_relay[relay.split('.')[0]] += 1
                if last_tls.get(pid) != ('Verified', relay):
                    unverified.append(line)
            elif st == 'deferred':
                defer[qid].append(float(delay))
                last_defer = stamp(line)
                reasons['%s: %s' % (relay.split('[')[0], why)] += 1
            elif st in ('bounced', 'expired'):
                bounced += 1
            continue
        m = rx_tlsfail.search(line)
        if m:
            failed[m.group(1)] += 1
            last_fail = stamp(line)
# how long each deferred message stayed deferred: from its first deferral
# (that line's delay=) to its delivery (the sent line's delay=)
held = max((sent[q] - d[0] for q, d in defer.items() if q in sent), default=0.0)
ndefer = sum(len(d) for d in defer.values())
nfailed = sum(failed.values())
rel = lambda t: '-' if since is None or t is None else '%.0f' % (t - since)
print('figure: delivered %d of %d, verified %d, unverified %d, bounced %d'
      % (len(sent), want, len(sent) - len(unverified), len(unverified), bounced))
print('figure: %d failed TLS sessions (the last %s s after the change); %d status=deferred '
      '(the last %s s after the change), %d messages; longest deferred %.1f s; max delay %.1f s'
      % (nfailed, rel(last_fail), ndefer, rel(last_defer), len(defer), held,
         max(sent.values(), default=0.0)))
print('figure: shares ' + ' '.join('%s=%d' % kv for kv in sorted(per_relay.items())))
for why, n in reasons.most_common(5):
    print('figure:   %5d deferred, relay=%s' % (n, why))
for why, n in failed.most_common(3):
    print('figure:   %5d %s' % (n, why))
for l in unverified[:5]:
    print('unverified: ' + l)
with open(log + '.figures', 'w') as out:
    out.write('%d %d %d %d %d %.1f %.1f %d %s %s %s\n' % (
        len(sent), len(unverified), bounced, ndefer, len(defer), held,
        max(sent.values(), default=0.0), nfailed, rel(last_fail), rel(last_defer),
        ' '.join('%s=%d' % (h, per_relay.get(h, 0)) for h in ('mx1', 'mx2', 'mx3'))))
PY
# figures LOG FROM_LINE WANT [SINCE]: maillog.py's figures in $sent $unver
# $bounced $ndefer $dmsgs $held $maxdelay $nfailed $lastfail $lastdefer
# $shares
figures() {
	python3 "$T/maillog.py" "$@" | sed "s/^figure: /figure: ${RUN:+$RUN: }/"
	read sent unver bounced ndefer dmsgs held maxdelay nfailed lastfail lastdefer \
	    shares < "$S/maillog.figures"
}

# inject N TAG: N messages into the sender over SMTP (in the background:
# $SRC_PID)
inject() {
	$NSX smtp-source -s 10 -m "$1" -l 300 -S "$2" -f sender@test.invalid \
	    -t user@$Z 127.0.0.2:2525 &
	SRC_PID=$!
	PIDS="$PIDS $SRC_PID"
}
# nsent FROM_LINE: deliveries logged by the sender from that line on
nsent() {
	tail -n +"$1" "$S/maillog" 2>/dev/null | grep -c 'postfix/smtp\[.*status=sent'
}
# drained N FROM_LINE SECS: the queue is empty (at most SECS) and N
# deliveries are logged (at most 2 s more)
drained() {
	ns_pf_drained "$S" "$3" || return 1
	i=0
	while [ "$(nsent "$2")" -lt "$1" ] && [ $i -lt 20 ]; do
		sleep 0.1; i=$((i + 1))
	done
	return 0
}
loglines() { wc -l < "$S/maillog" 2>/dev/null || echo 0; }
# le A B: true when the number A is at most B
le() { python3 -c "import sys; sys.exit(not $1 <= $2)"; }

# ---- 1. 1,000 messages, all verified, shares ------------------------------------
RUN=""
L0=$(($(loglines) + 1))
t0=$(date +%s)
inject $NMSG e2e-dane
wait $SRC_PID || fail "smtp-source phase 1"
drained $NMSG $L0 180 || { $NSX postqueue -c "$S/etc" -p | tail -5; fail "phase 1: queue not empty after 180 s"; }
echo "phase 1: $NMSG messages in $(($(date +%s) - t0)) s"
figures "$S/maillog" $L0 $NMSG
[ "$sent" -eq $NMSG ] || fail "phase 1 delivered $sent of $NMSG"
[ "$unver" -eq 0 ] || fail "phase 1: $unver deliveries without a Verified TLS connection"
[ "$bounced" -eq 0 ] || fail "phase 1: $bounced bounced"
[ "$ndefer" -eq 0 ] || fail "phase 1: $ndefer deferrals with every receiver matching its TLSA"
python3 - $shares <<'PY' || fail "phase 1: shares do not follow 3:2:1 within 5 points"
import sys
c = dict(a.split('=') for a in sys.argv[1:])
t = sum(int(v) for v in c.values())
ok = True
for h, w in (('mx1', 3), ('mx2', 2), ('mx3', 1)):
    share, target = int(c[h]) / t, w / 6
    print('figure: share %s %.1f %% (weight %.1f %%)' % (h, 100 * share, 100 * target))
    ok &= abs(share - target) <= 0.05
sys.exit(0 if ok else 1)
PY
ok "phase 1: $sent delivered, all over DANE-verified TLS, shares follow the weights"

# ---- 2. the certificate changes mid-run --------------------------------------------
# gone_after MAXMX: "S A": seconds from the reload ($T_SET) until /status.json
# has $BAD down (S) and until $BAD is out of the answers (A: with every
# eligible server in each answer, MAXMX 10; with one MX per answer, the
# answers follow the status: A = S), each "-" if not within 3 times the
# bound
gone_after() {
	_lim=$(python3 -c "print(3 * $DETECT_MAX)")
	if [ "$1" = 1 ]; then
		_s=$($NSX python3 "$T/status.py" $T_SET $_lim $BAD=down)
		echo "$_s $_s"
	else
		$NSX python3 "$T/status.py" $T_SET $_lim --gone $BAD $BAD=down
	fi
}

# swap_run MODE MAXMX: mxspread restarted with $T/MODE-MAXMX.conf, NSWAP
# messages; once SWAP_AT are delivered, $BAD gets its new certificate.
# Sets DETECT (gone_after), the run's figures (figures) and FIG, their
# summary. Fails unless, in the end (with $BAD's old certificate back if
# the queue had not drained in 90 s), every message was delivered
# over a verified connection.
swap_run() {
	RUN="$1 max_mx=$2"
	stop_pid $MXS_PID
	MXL=$(($(wc -l < "$T/mxs.log") + 1))
	mxs_start "$T/$1-$2.conf"
	L=$(($(loglines) + 1))
	inject $NSWAP e2e-$1-$2
	i=0
	while [ "$(nsent $L)" -lt $SWAP_AT ]; do
		i=$((i + 1))
		[ $i -gt 600 ] && fail "$RUN: fewer than $SWAP_AT delivered after 60 s"
		sleep 0.1
	done
	set_cert ${BAD#mx} $BAD-new
	SINCE=$T_SET
	g=$(gone_after $2)
	DOWN_AT=${g% *} DETECT=${g#* }
	presents ${BAD#mx} $BAD-new || fail "$RUN: $BAD does not present its new certificate after the reload"
	wait $SRC_PID || fail "$RUN: smtp-source"
	UNDRAINED=0
	if ! drained $NSWAP $L 90; then
		echo "$RUN: queue not empty 90 s after the injection:"
		$NSX postqueue -c "$S/etc" -p | tail -5
		UNDRAINED=1
	fi
	echo "figure: $RUN: $BAD down on /status.json $DOWN_AT s and out of the answers $DETECT s after its reload (bound $DETECT_MAX s)"
	figures "$S/maillog" $L $NSWAP $SINCE
	FIG="$ndefer status=deferred ($dmsgs messages, longest deferred $held s, the last deferral $lastdefer s after the change), max delay $maxdelay s, $nfailed failed TLS sessions"
	# back to the certificate its TLSA names, for the next run
	set_cert ${BAD#mx} $BAD
	presents ${BAD#mx} $BAD || fail "$RUN: $BAD does not present its old certificate again"
	if [ $UNDRAINED = 1 ]; then
		# and a flush (postqueue -f) if the sender's own retries do not
		ns_pf_drained "$S" 30 || { $NSX postqueue -c "$S/etc" -f; echo "$RUN: postqueue -f"; }
		ns_pf_drained "$S" 30 || fail "$RUN: queue not empty 60 s after $BAD got its old certificate back"
		echo "$RUN: drained after $BAD got its old certificate back"
	fi
	# none lost: every message of the run delivered
	drained $NSWAP $L 5
	python3 "$T/maillog.py" "$S/maillog" $L $NSWAP > /dev/null
	read all unver bounced _ < "$S/maillog.figures"
	[ "$all" -eq $NSWAP ] || fail "$RUN: $all of $NSWAP delivered in the end"
	[ "$unver" -eq 0 ] || fail "$RUN: $unver deliveries without a Verified TLS connection"
	[ "$bounced" -eq 0 ] || fail "$RUN: $bounced bounced"
}

# The bounds of "require". While $BAD is in the answers (the detection
# time, then the answer TTL at the resolver) a DANE sender's session to it
# fails, and the message is deferred if there is no other MX to try; with
# one MX per answer Postfix also suspends the whole destination after such
# a failure for minimal_backoff_time (1 s), deferring every message it
# meets meanwhile ("delivery temporarily suspended"). After that no message
# is deferred any more: the last deferral comes at most TTL + detection +
# 1 s after the change (+ 1 s: the log has whole seconds). How long the
# deferred messages then wait is the sender's own retry schedule and its
# throughput on the backlog (printed: "longest deferred").
# SLACK: the probe's checks and the polls here run late on a loaded
# machine (2 shared cores); the measured figures are printed either way.
SLACK=0.5
FAIL_MAX=$(python3 -c "print($DETECT_MAX + $TTL + 1)")
DEFER_MAX=$(python3 -c "print($DETECT_MAX + $TTL + 1 + 1)")

# require_run MAXMX
require_run() {
	swap_run require $1
	[ $UNDRAINED = 0 ] || fail "$RUN: messages left in the queue 90 s after the injection"
	[ "$DETECT" != - ] || fail "$RUN: $BAD still in the answers 3 x $DETECT_MAX s after its certificate changed"
	le $DETECT "$DETECT_MAX + $SLACK" ||
	    fail "$RUN: $BAD left the answers after $DETECT s, bound $DETECT_MAX s (+ $SLACK)"
	le $DETECT $DETECT_MAX || echo "$RUN: detection $DETECT s: over the bound $DETECT_MAX s by less than the slack $SLACK s"
	[ "$sent" -eq $NSWAP ] || fail "$RUN: delivered $sent of $NSWAP"
	[ "$nfailed" -eq 0 ] || le $lastfail "$FAIL_MAX + $SLACK" ||
	    fail "$RUN: a TLS session to $BAD failed $lastfail s after the change, bound $FAIL_MAX s"
	[ "$ndefer" -eq 0 ] || le $lastdefer "$DEFER_MAX + $SLACK" ||
	    fail "$RUN: a message was deferred $lastdefer s after the change, bound $DEFER_MAX s"
	tail -n +$MXL "$T/mxs.log" | grep -q "$BAD DOWN.*DANE" ||
	    { tail -n +$MXL "$T/mxs.log" | grep "$BAD" | tail -3; fail "$RUN: no DOWN with a DANE reason logged for $BAD"; }
	ok "$RUN: $BAD out of the answers in $DETECT s, $sent of $NSWAP delivered, all verified; $FIG"
	eval "REQ_$1=\"\$FIG\""
}
# off_run MAXMX
off_run() {
	swap_run off $1
	[ "$DETECT" = - ] || fail "$RUN: $BAD left the answers ($DETECT s): a probe without DANE should not see the change"
	[ "$nfailed" -gt 0 ] || fail "$RUN: the sender never saw $BAD's mismatch (the test cannot fail)"
	ok "$RUN: $BAD stays in the answers; $FIG"
	eval "OFF_$1=\"\$FIG\""
}

require_run 10
require_run 1
off_run 10
off_run 1
echo "figure: max_mx=10: require: $REQ_10; off: $OFF_10"
echo "figure: max_mx=1: require: $REQ_1; off: $OFF_1"
kill -0 $MXS_PID || fail "mxspread died"
exit 0
