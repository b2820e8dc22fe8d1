/* log.h - leveled logging to stderr or syslog (OpenSMTPD log.h habits).
 *
 * log_warn() appends strerror(errno); log_warnx() does not. log_fatal*()
 * exit and are for start-up and config load only: at run time failures
 * degrade, they never exit. Thread-safe: one write(2) per line.
 */
#ifndef MXS_LOG_H
#define MXS_LOG_H

#include <stdarg.h>

enum log_level { LOG_LVL_ERR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_init(int level, int use_syslog, const char *ident);
void log_setlevel(int level);
int  log_getlevel(void);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void log_fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#endif
