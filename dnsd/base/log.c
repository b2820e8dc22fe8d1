/* log.c - leveled logging to stderr or syslog. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "dnsd/base/log.h"

static int log_level = LOG_LVL_INFO;
static int log_syslog;

void
log_init(int level, int use_syslog, const char *ident)
{
	log_level = level;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_setlevel(int level)
{
	log_level = level;
}

int
log_getlevel(void)
{
	return log_level;
}

static void
log_vemit(int lvl, int with_errno, const char *fmt, va_list ap)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char msg[1024], line[1200];
	int saved = errno;
	size_t n;

	if (lvl > log_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno) {
		n = strlen(msg);
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(saved));
	}
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
