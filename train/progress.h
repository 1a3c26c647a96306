/* progress.h: how far an epoch has got, shown while it runs.
 *
 * On a terminal (stderr is a TTY) one line is redrawn in place, a few
 * times a second at most:
 *   epoch 3/50 [#####-----] 120/240  loss 1.2345  acc 0.5670  0:41 left
 * and erased when the epoch ends, so that only the trainer's one line per
 * epoch stays on screen. Anywhere else (a log file, a pipe) nothing is
 * drawn: the per-epoch lines are the progress.
 */
#ifndef IRMAS_PROGRESS_H
#define IRMAS_PROGRESS_H

typedef struct {
    int tty;             /* stderr is a terminal */
    int epoch, epochs;   /* for the label */
    int total;           /* batches in the epoch */
    double start, drawn; /* when the epoch began and the bar was last drawn */
} progress;

void progress_begin(progress *p, int epoch, int epochs, int total);

/* done of total batches finished, with the running mean loss and
 * accuracy. */
void progress_step(progress *p, int done, double loss, double accuracy);

void progress_end(progress *p);

#endif
