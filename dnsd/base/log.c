/* log.c - leveled logging to stderr or syslog. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "dnsd/base/log.h"

/* Set on reload (log_level applies live) while other threads log. */
static int log_level = LOG_LVL_INFO;
static int log_syslog;

void
log_init(int level, int use_syslog, const char *ident)
{
	__atomic_store_n(&log_level, level, __ATOMIC_RELAXED);
	log_syslog = use_syslog;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_setlevel(int level)
{
	__atomic_store_n(&log_level, level, __ATOMIC_RELAXED);
}

int
log_getlevel(void)
{
	return __atomic_load_n(&log_level, __ATOMIC_RELAXED);
}

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF), 0 if there is none. */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned c = s[0], min;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return n;
}

size_t
log_sanitize(char *str)
{
	unsigned char *s = (unsigned char *)str;
	size_t n, changed = 0;

	while (*s != '\0') {
		n = utf8_len(s);
		/* C0 controls, DEL and the C1 controls (U+0080..U+009F, which
		 * terminals obey too) */
		if (n == 0 || (n == 1 && (*s < 0x20 || *s == 0x7f)) ||
		    (n == 2 && s[0] == 0xc2 && s[1] < 0xa0)) {
			*s++ = '?';
			changed++;
			if (n == 2) {
				*s++ = '?';
				changed++;
			}
			continue;
		}
		s += n;
	}
	return changed;
}

static void
log_vemit(int lvl, int with_errno, const char *fmt, va_list ap)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char msg[1024], line[1200];
	int saved = errno;
	size_t n;

	if (lvl > __atomic_load_n(&log_level, __ATOMIC_RELAXED))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno) {
		n = strlen(msg);
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(saved));
	}
	/* Lines quote peers (greetings, agent replies, certificate names):
	 * none may forge a line, move the cursor or break a UTF-8 reader. */
	log_sanitize(msg);
	if (log_syslog) {
		syslog(prio[lvl], "%s", msg);
	} else {
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		n = strftime(line, sizeof(line), "%Y-%m-%d %H:%M:%S", &tm);
		snprintf(line + n, sizeof(line) - n, ".%03ld mxspread[%d] %s: %s\n",
		    ts.tv_nsec / 1000000, (int)getpid(), names[lvl], msg);
		/* One write per line so threads do not interleave. */
		if (write(STDERR_FILENO, line, strlen(line)) < 0) {
			/* nothing sensible to do */
		}
	}
	errno = saved;
}

#define LOG_FN(name, lvl, err)			\
void						\
name(const char *fmt, ...)			\
{						\
	va_list ap;				\
	va_start(ap, fmt);			\
	log_vemit(lvl, err, fmt, ap);		\
	va_end(ap);				\
}

LOG_FN(log_err, LOG_LVL_ERR, 1)
LOG_FN(log_errx, LOG_LVL_ERR, 0)
LOG_FN(log_warn, LOG_LVL_WARN, 1)
LOG_FN(log_warnx, LOG_LVL_WARN, 0)
LOG_FN(log_info, LOG_LVL_INFO, 0)
LOG_FN(log_debug, LOG_LVL_DEBUG, 0)

void
log_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LVL_ERR, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
log_fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LVL_ERR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}

/* A new second: summarise the last one's suppressed lines, start over. */
static void
log_rate_roll(struct log_rate *r, time_t now, unsigned per_sec,
    const char *what)
{
	if (r->dropped > 0)
		log_warnx("%s: %u more not logged (over %u a second)", what,
		    r->dropped, per_sec);
	r->sec = now;
	r->n = 0;
	r->dropped = 0;
}

bool
log_rate_ok(struct log_rate *r, unsigned per_sec, const char *what)
{
	/* Wall-clock seconds, as the log lines' own timestamps: "N lines a
	 * second" then holds for any second read in the log. */
	time_t now = time(NULL);

	if (now != r->sec)
		log_rate_roll(r, now, per_sec, what);
	if (r->n < per_sec) {
		r->n++;
		return true;
	}
	r->dropped++;
	return false;
}

void
log_rate_flush(struct log_rate *r, unsigned per_sec, const char *what)
{
	time_t now;

	if (r->dropped == 0)
		return;
	if ((now = time(NULL)) != r->sec)
		log_rate_roll(r, now, per_sec, what);
}
