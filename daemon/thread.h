/* thread.h: ending a helper thread that may be stuck in a system call that
 * does not end (a write to a pipe nobody reads, a send to a peer that does
 * not read), within a deadline, so the daemon's exit always finishes. */
#ifndef IRMASD_THREAD_H
#define IRMASD_THREAD_H

#include <pthread.h>
#include <time.h>

/* The CLOCK_REALTIME moment seconds from now, as thread_join_by wants. */
struct timespec thread_deadline(int seconds);

/* Joins thread, waiting until deadline at most; a thread still running
 * then is cancelled (it must be blocked at a cancellation point, holding no
 * lock) and joined. Returns 1 if it ended by itself, 0 if cancelled. */
int thread_join_by(pthread_t thread, const struct timespec *deadline);

#endif
