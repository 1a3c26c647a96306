/* progress.c: the epoch's progress bar (see progress.h). */
#include "progress.h"

#include "clock.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define PROGRESS_WIDTH 10   /* characters of the bar */
#define PROGRESS_PERIOD 0.2 /* seconds between redraws */

void progress_begin(progress *p, int epoch, int epochs, int total)
{
    *p = (progress){.tty = isatty(2), .epoch = epoch, .epochs = epochs,
                    .total = total, .start = clock_seconds(CLOCK_MONOTONIC)};
}

void progress_step(progress *p, int done, double loss, double accuracy)
{
    double now = clock_seconds(CLOCK_MONOTONIC);
    if (!p->tty || (now - p->drawn < PROGRESS_PERIOD && done < p->total))
        return;
    p->drawn = now;
    char bar[PROGRESS_WIDTH + 1];
    int filled = p->total > 0 ? done * PROGRESS_WIDTH / p->total : 0;
    for (int i = 0; i < PROGRESS_WIDTH; i++) bar[i] = i < filled ? '#' : '-';
    bar[PROGRESS_WIDTH] = '\0';
    long left = done > 0 ? (long)((now - p->start) / done *
                                  (p->total - done) + 0.5)
                         : 0;
    fprintf(stderr, "\r\033[Kepoch %d/%d [%s] %d/%d  loss %.4f  acc %.4f  "
                    "%ld:%02ld left",
            p->epoch, p->epochs, bar, done, p->total, loss, accuracy,
            left / 60, left % 60);
    fflush(stderr);
}

void progress_end(progress *p)
{
    if (p->tty) fputs("\r\033[K", stderr);
}
