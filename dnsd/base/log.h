/* log.h - leveled logging to stderr or syslog (OpenSMTPD log.h habits).
 *
 * log_warn() appends strerror(errno); log_warnx() does not. log_fatal*()
 * exit and are for start-up and config load only: at run time failures
 * degrade, they never exit. Thread-safe: one write(2) per line.
 *
 * Every line goes through log_sanitize() before it is written: lines quote
 * peers (SMTP greetings, agent replies, certificate fields, HTTP paths), so
 * a control character or a byte that is not UTF-8 becomes '?', as in
 * status.json, and no peer can forge a log line or drive a terminal.
 */
#ifndef MXS_LOG_H
#define MXS_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

enum log_level { LOG_LVL_ERR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_init(int level, int use_syslog, const char *ident);
void log_setlevel(int level);
int  log_getlevel(void);

/* An error the daemon survives (log_fatal* exit): log_err appends
 * strerror(errno), log_errx does not. */
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_errx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void log_fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* In place: every C0 control, DEL, C1 control (U+0080..U+009F) and byte
 * that is not part of valid UTF-8 becomes '?'. \retval bytes replaced */
size_t log_sanitize(char *s);

/*
 * Rate-limited logging (gdnsd's log_neterr habit) for lines a peer can
 * trigger at will: at most per_sec lines a second per limiter; the first
 * line of a later second is preceded by "<what>: N more not logged", or
 * that summary is written by log_rate_flush() from a timer, so that it
 * does not wait for the next line. Keep one limiter per thread (static
 * __thread) or per event source, flushed on that thread; the counters
 * that matter stay exact elsewhere (status endpoint).
 */
struct log_rate {
	time_t   sec;
	unsigned n, dropped;
};

/* \retval true   log the line now
 * \retval false  suppressed (counted, summarised later) */
bool log_rate_ok(struct log_rate *r, unsigned per_sec, const char *what);

/* Write the pending "N more not logged" summary once the second it counts
 * is over (nothing when none is pending or the second is still running).
 * Call it about once a second, with log_rate_ok's per_sec and what. */
void log_rate_flush(struct log_rate *r, unsigned per_sec, const char *what);

#endif
