/* clock.c: a POSIX clock read as seconds (clock.h). */
#include "clock.h"

double clock_seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
