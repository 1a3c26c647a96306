/* service.c: see service.h. */
#include "service.h"

#include <stdarg.h>
#include <stdio.h>
#include <systemd/sd-daemon.h>

void service_notify(const char *state) { sd_notify(0, state); }

void service_status(const char *fmt, ...)
{
    char text[512] = "STATUS=";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text + 7, sizeof text - 7, fmt, ap);
    va_end(ap);
    sd_notify(0, text);
}

double service_watchdog_interval(void)
{
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0) return 0.0;
    return 0.5e-6 * (double)usec;
}
