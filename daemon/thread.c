/* thread.c: see thread.h. */
#include "thread.h"

struct timespec thread_deadline(int seconds)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += seconds;
    return deadline;
}

int thread_join_by(pthread_t thread, const struct timespec *deadline)
{
    if (pthread_timedjoin_np(thread, NULL, deadline) == 0) return 1;
    pthread_detach(thread);
    return 0;
}
