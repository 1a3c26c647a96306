/* history.h: the last few seconds of captured audio, down-mixed, at the
 * device's rate.
 *
 * Frames are numbered as the worker reads them (as in timeline.h). The
 * worker keeps them for two things: the silence gate measures a window's
 * level over its own frames, and a model loaded on SIGHUP is primed with
 * the recent past so it classifies its first window one hop later, not one
 * window later.
 */
#ifndef IRMASD_HISTORY_H
#define IRMASD_HISTORY_H

#include "status.h"

typedef struct history history;

/* Keeps the last capacity frames. */
irmas_status history_new(long capacity, history **out, char *err,
                         size_t errlen);
void history_free(history *h);

/* Makes room for at least capacity frames, keeping what is there; the new
 * room fills with the frames pushed from now on. */
irmas_status history_reserve(history *h, long capacity, char *err,
                             size_t errlen);

void history_push(history *h, const float *x, long n);

/* The number of frames pushed so far: the next frame's number. */
long long history_end(const history *h);

/* The first frame still kept: never one that was not pushed. */
long long history_start(const history *h);

/* Copies frames [start, end), clipped to those kept, into out; returns how
 * many it copied (from max(start, history_start)). */
long history_copy(const history *h, long long start, long long end,
                  float *out);

/* The mean of x^2 over frames [start, end) clipped to those kept; 0 when
 * none is. */
double history_mean_square(const history *h, long long start,
                           long long end);

#endif
