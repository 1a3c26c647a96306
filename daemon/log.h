/* log.h: the daemon's messages to its operator.
 *
 * One line each on stderr, prefixed "irmasd: ". Under systemd (JOURNAL_STREAM
 * set) each line also carries its syslog priority ("<3>"), so journalctl
 * colours errors and filters by level. Lines are written whole in one call,
 * so threads never interleave inside a line. Never called from an audio
 * callback: those only count, and the worker reports the counts.
 */
#ifndef IRMASD_LOG_H
#define IRMASD_LOG_H

/* Debug lines are printed only after log_set_verbose(1). */
void log_set_verbose(int verbose);

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
