/* log.c: see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static atomic_int log_verbose;

void log_set_verbose(int verbose) { atomic_store(&log_verbose, verbose); }

/* Formats the line into one buffer and writes it with one call. priority
 * is the syslog level journald understands; kind is what a reader on a
 * terminal sees instead ("error: "). */
static void log_line(int priority, const char *kind, const char *fmt,
                     va_list ap)
{
    char text[1024];
    vsnprintf(text, sizeof text, fmt, ap);
    if (getenv("JOURNAL_STREAM"))
        fprintf(stderr, "<%d>%s%s\n", priority, kind, text);
    else
        fprintf(stderr, "irmasd: %s%s\n", kind, text);
}

#define LOG_FUNCTION(name, priority, kind, enabled)                           \
    void name(const char *fmt, ...)                                           \
    {                                                                         \
        if (!(enabled)) return;                                               \
        va_list ap;                                                           \
        va_start(ap, fmt);                                                    \
        log_line(priority, kind, fmt, ap);                                    \
        va_end(ap);                                                           \
    }

LOG_FUNCTION(log_error, 3, "error: ", 1)
LOG_FUNCTION(log_warn, 4, "warning: ", 1)
LOG_FUNCTION(log_info, 6, "", 1)
LOG_FUNCTION(log_debug, 7, "", atomic_load(&log_verbose))
