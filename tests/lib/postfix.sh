# postfix.sh - private Postfix instances for tests (sourced).
# pf_create DIR NAME: a config/queue/data tree under DIR with logging to
#   DIR/maillog (main.cf from data/common/postfix-main.cf; pf_create needs
#   tests/lib/fixture.sh, sourced here); add main.cf lines with pf_conf and services with pf_service.
# pf_start DIR / pf_stop DIR: start and stop it (stop also kills the master
#   by its PID, so nothing is left running whatever happened).
# The instance never runs chrooted and never touches /etc/postfix.
. "${MXS_ROOT:?}/tests/lib/fixture.sh"

pf_create() {
	_d=$1; _name=$2
	mkdir -p "$_d/etc" "$_d/queue" "$_d/data"
	# Postfix daemons run as user postfix: they must reach the tree.
	chmod 711 "$(dirname "$_d")" "$_d"
	chown postfix:postfix "$_d/data"
	fixture common/postfix-main.cf "$_d/etc/main.cf" DIR="$_d" NAME="$_name"
	# master.cf: the system's services without chroot and without the
	# public smtpd on port 25; tests add their listeners with pf_service.
	awk '/^smtp +inet/ { next } /^[a-z]/ && $5 == "y" { $5 = "n" } { print }' \
	    /etc/postfix/master.cf > "$_d/etc/master.cf"
}

pf_conf() {	# pf_conf DIR "key = value"
	printf '%s\n' "$2" >> "$1/etc/main.cf"
}

pf_service() {	# pf_service DIR ADDR:PORT [-o opt=value ...]
	_d=$1; _l=$2; shift 2
	printf '%s inet n - n - - smtpd' "$_l" >> "$_d/etc/master.cf"
	for _o in "$@"; do printf ' %s' "$_o" >> "$_d/etc/master.cf"; done
	printf '\n' >> "$_d/etc/master.cf"
}

pf_start() {
	postfix -c "$1/etc" check >/dev/null 2>&1
	postfix -c "$1/etc" start >/dev/null 2>&1 || return 1
	_i=0
	while [ ! -s "$1/queue/pid/master.pid" ] && [ $_i -lt 50 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	[ -s "$1/queue/pid/master.pid" ]
}

pf_master_pid() {
	tr -d ' \n' < "$1/queue/pid/master.pid" 2>/dev/null
}

pf_stop() {
	_p=$(pf_master_pid "$1")
	postfix -c "$1/etc" stop >/dev/null 2>&1
	if [ -n "$_p" ]; then
		_i=0
		while kill -0 "$_p" 2>/dev/null && [ $_i -lt 50 ]; do
			sleep 0.1; _i=$((_i + 1))
		done
		kill -9 "$_p" 2>/dev/null
	fi
	return 0
}

# pf_queue_empty DIR: true when the instance has nothing queued.
pf_queue_empty() {
	postqueue -c "$1/etc" -p 2>/dev/null | grep -q 'Mail queue is empty'
}
