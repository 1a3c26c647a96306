/* thread.h: waiting for a helper thread that may be stuck in a system call
 * that does not end (a write to a pipe nobody reads, a send to a peer that
 * does not read) no longer than a deadline, so the daemon's exit always
 * finishes. A thread still stuck then is left behind, detached (cancelling
 * it would unwind a thread inside a library that does not expect it). */
#ifndef IRMASD_THREAD_H
#define IRMASD_THREAD_H

#include <pthread.h>
#include <time.h>

/* The CLOCK_REALTIME moment seconds from now, as thread_join_by wants. */
struct timespec thread_deadline(int seconds);

/* Joins thread, waiting until deadline at most, and returns 1; a thread
 * still running then is detached and 0 returned: the caller must keep
 * alive what the thread uses and see that it touches nothing else. */
int thread_join_by(pthread_t thread, const struct timespec *deadline);

#endif
