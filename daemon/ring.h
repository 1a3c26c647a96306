/* ring.h: the hand-off from the audio callback to the worker thread.
 *
 * A single-producer single-consumer queue of audio blocks, lock-free as
 * JACK's jack_ringbuffer_t is, whichever backend captures (and the LV2
 * plugin's run(), for the host's worker): one ring holds the samples,
 * interleaved, a second one a ring_block per block saying how many frames
 * it holds and when they were captured. The producer writes a block's
 * samples before its description, so a worker that reads a description
 * always finds the samples behind it.
 *
 * The producer side is what audio callbacks call: it never allocates, locks,
 * logs or makes a system call. A block that does not fit is dropped whole
 * and counted (a relaxed atomic the worker reports); the next block that
 * fits is marked discontinuous so the worker never splices audio across the
 * gap. Blocks longer than RING_MAX_BLOCK frames are split.
 */
#ifndef IRMASD_RING_H
#define IRMASD_RING_H

#include "status.h"

#define RING_MAX_BLOCK 4096 /* frames */

typedef struct {
    int frames;          /* in this block */
    int rate;            /* device rate, Hz */
    int discontinuous;   /* does not follow the previous block */
    double capture_time; /* device clock, s: capture of the first frame */
} ring_block;

typedef struct ring ring;

/* A ring for channels-channel audio holding capacity_frames frames, locked
 * in memory when the system allows it. */
irmas_status ring_new(int channels, long capacity_frames, ring **out,
                      char *err, size_t errlen);
void ring_free(ring *r);

int ring_channels(const ring *r);

/* Producer side (audio callbacks). Each writes one block, described by b
 * (b->frames frames), from interleaved frames or from one buffer per
 * channel, and returns 1, or drops it, counts it and returns 0. */
int ring_write_interleaved(ring *r, const ring_block *b, const float *frames);
int ring_write_planar(ring *r, const ring_block *b,
                      const float *const *channels);

/* Producer side: frames that would fit now (the file backend, which must
 * not lose audio, waits for room instead of overrunning). */
long ring_write_space(const ring *r);

/* Producer side: no more blocks will come (the file ended). */
void ring_close(ring *r);

/* Consumer side. Reads the next block into b and its samples, interleaved,
 * into frames[RING_MAX_BLOCK * channels]; returns 1, or 0 when none is
 * waiting. */
int ring_read(ring *r, ring_block *b, float *frames);

/* 1 once ring_close was called and every block has been read. */
int ring_drained(ring *r);

/* Frames dropped because the ring was full, since ring_new. */
long long ring_overruns(const ring *r);

#endif
