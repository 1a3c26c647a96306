/* timeline.h: when each frame the worker has read was captured.
 *
 * The worker numbers the frames it reads from the ring 0, 1, 2, ... and
 * adds each block's description here under the number of its first frame.
 * When the classifier finishes a window the worker asks for the window's
 * last frame: the time it was captured, on the capture device's clock (for
 * the OSC timetag and the latency). Only the most recent blocks are kept,
 * which covers the resampler's delay many times over.
 */
#ifndef IRMASD_TIMELINE_H
#define IRMASD_TIMELINE_H

#include "ring.h"

typedef struct timeline timeline;

/* Keeps the last `blocks` blocks; NULL when out of memory. */
timeline *timeline_new(int blocks);
void timeline_free(timeline *t);

/* Records that frames [first_frame, first_frame + b->frames) came in b. */
void timeline_add(timeline *t, long long first_frame, const ring_block *b);

/* The capture time of frame (which may be fractional, as resampled
 * positions are). A frame outside the
 * blocks kept is placed by the nearest one at its rate. Returns 0 when no
 * block has been added. */
int timeline_find(const timeline *t, double frame, double *capture_time);

#endif
