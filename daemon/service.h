/* service.h: telling systemd how the daemon is doing (sd_notify), for the
 * Type=notify unit in systemd/irmasd.service.
 *
 * READY=1 once audio flows to the worker, RELOADING=1 and READY=1 around a
 * model reload, STOPPING=1 on the way out, STATUS= a line for systemctl
 * status. WATCHDOG=1 comes from the worker's loop, not from a timer thread,
 * so a worker that hangs stops the pings and systemd restarts the daemon.
 * Outside systemd every call does nothing.
 */
#ifndef IRMASD_SERVICE_H
#define IRMASD_SERVICE_H

void service_notify(const char *state);
void service_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Seconds between watchdog pings (half of WatchdogSec), or 0 when systemd
 * does not watch. */
double service_watchdog_interval(void);

#endif
