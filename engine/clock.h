/* clock.h: the time every part of irmasd and its programs reads, as
 * seconds in a double: CLOCK_MONOTONIC for intervals, deadlines and
 * latency, CLOCK_REALTIME for timestamps, CLOCK_THREAD_CPUTIME_ID for the
 * CPU a thread used.
 */
#ifndef IRMAS_CLOCK_H
#define IRMAS_CLOCK_H

#include <time.h>

/* Seconds on the given POSIX clock. Any thread; safe in a real-time
 * thread: it neither allocates nor locks, and clock_gettime on Linux reads
 * the monotonic and real-time clocks without entering the kernel. */
double clock_seconds(clockid_t clock);

#endif
