# medians.awk - the CPU-per-query summary of dns_dyn.sh and dnssec.sh.
#
# Input: one line per run: NAME CPU_US_PER_Q LOST ? ROUND USR_US_PER_Q
# (the runs' results file). Variables:
#   order   the NAMEs to print, in order
#   ratios  "label|A|B|target;..." (target 0: none): median(A)/median(B)
#           and the median of the per-round ratios ("paired")
#   title   the line above the ratios
#   usr     "label|A|B;..." differences of user-CPU medians, printed on
#           one line after usr_title
function median(list,   v, n, i, j, t) {
	n = split(list, v, " ")
	for (i = 2; i <= n; i++)	# insertion sort, n is small
		for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	if (n == 0) return 0
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
{
	cpu[$1] = cpu[$1] " " $2; usr_l[$1] = usr_l[$1] " " $6; lost[$1] += $3
	c[$1, $5] = $2; rounds[$5] = 1
	if (!($1 in lo) || $2 < lo[$1]) lo[$1] = $2
	if (!($1 in hi) || $2 > hi[$1]) hi[$1] = $2
}
function ratio(label, a, b, target,   r, p, k, list, verdict) {
	if (m[a] <= 0 || m[b] <= 0) { printf "  %-40s   n/a\n", label; return }
	r = m[a] / m[b]
	list = ""
	for (k in rounds)
		if (c[a, k] > 0 && c[b, k] > 0)
			list = list " " c[a, k] / c[b, k]
	p = median(list)
	verdict = ""
	if (target > 0)
		verdict = sprintf("target <= %.2f: %s", target, r <= target ? "met" : "MISSED")
	printf "  %-40s %5.2f  (paired %5.2f)  %s\n", label, r, p, verdict
}
END {
	n = split(order, names, " ")
	for (i = 1; i <= n; i++) {
		k = names[i]
		if (!(k in cpu)) continue
		m[k] = median(cpu[k]); mu[k] = median(usr_l[k])
		printf "  %-14s %6.2f us/q  usr %5.2f  (min %.2f, max %.2f)  lost %d\n",
		    k, m[k], mu[k], lo[k], hi[k], lost[k]
	}
	print ""
	print title
	n = split(ratios, rs, ";")
	for (i = 1; i <= n; i++) {
		if (rs[i] == "") continue
		if (split(rs[i], f, "|") == 1) { print f[1]; continue }	# a heading
		ratio(f[1], f[2], f[3], f[4] + 0)
	}
	if (usr == "") exit
	line = usr_title
	n = split(usr, us, ";")
	for (i = 1; i <= n; i++) {
		if (split(us[i], f, "|") < 3) continue
		line = line sprintf("%s %s %+.2f", i > 1 ? "," : "", f[1], mu[f[2]] - mu[f[3]])
	}
	print line " us/q"
}
