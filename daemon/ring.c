/* ring.c: see ring.h.
 *
 * Samples are written straight into the ring's memory through
 * jack_ringbuffer_get_write_vector, interleaving as they go, so neither
 * producer needs a scratch buffer. Every position in the sample ring is a
 * whole number of floats (the ring's size is a power of two), so the two
 * parts of a write vector split between floats, never inside one.
 */
#include "ring.h"

#include <jack/ringbuffer.h>
#include <stdatomic.h>
#include <stdlib.h>

struct ring {
    int channels;
    jack_ringbuffer_t *samples; /* floats, interleaved */
    jack_ringbuffer_t *blocks;  /* ring_block */
    int gap;                    /* producer only: a block was dropped */
    atomic_llong overruns;      /* frames dropped */
    atomic_int closed;
};

/* Blocks of 64 frames fill the sample ring before the block ring; JACK and
 * PortAudio deliver more at a time. */
#define RING_MIN_BLOCK 64

irmas_status ring_new(int channels, long capacity_frames, ring **out,
                      char *err, size_t errlen)
{
    *out = NULL;
    if (channels < 1 || capacity_frames < RING_MAX_BLOCK)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "ring: %d channels, %ld frames: need at least 1 "
                           "channel and %d frames", channels, capacity_frames,
                           RING_MAX_BLOCK);
    ring *r = calloc(1, sizeof *r);
    if (!r) return status_fail(err, errlen, IRMAS_ERR_NOMEM, "ring: out of memory");
    r->channels = channels;
    r->samples = jack_ringbuffer_create((size_t)capacity_frames * channels *
                                        sizeof(float));
    r->blocks = jack_ringbuffer_create(
        (size_t)(capacity_frames / RING_MIN_BLOCK + 1) * sizeof(ring_block));
    if (!r->samples || !r->blocks) {
        ring_free(r);
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "ring: out of memory for %ld frames",
                           capacity_frames);
    }
    /* Best effort: without the privilege the ring may page out, no more. */
    jack_ringbuffer_mlock(r->samples);
    jack_ringbuffer_mlock(r->blocks);
    *out = r;
    return IRMAS_OK;
}

void ring_free(ring *r)
{
    if (!r) return;
    if (r->samples) jack_ringbuffer_free(r->samples);
    if (r->blocks) jack_ringbuffer_free(r->blocks);
    free(r);
}

int ring_channels(const ring *r) { return r->channels; }

long ring_write_space(const ring *r)
{
    long frames = (long)(jack_ringbuffer_write_space(r->samples) /
                         (sizeof(float) * r->channels));
    long blocks = (long)(jack_ringbuffer_write_space(r->blocks) /
                         sizeof(ring_block));
    long by_blocks = blocks * RING_MAX_BLOCK;
    return frames < by_blocks ? frames : by_blocks;
}

/* Where float i of the current write goes. */
static float *write_slot(jack_ringbuffer_data_t v[2], size_t i)
{
    size_t first = v[0].len / sizeof(float);
    return i < first ? (float *)v[0].buf + i
                     : (float *)v[1].buf + (i - first);
}

/* Reserves room for b and its samples, or counts the overrun. Returns the
 * write vector to fill, with b's discontinuity decided. */
static int write_begin(ring *r, const ring_block *b,
                       jack_ringbuffer_data_t v[2])
{
    size_t bytes = (size_t)b->frames * r->channels * sizeof(float);
    if (jack_ringbuffer_write_space(r->samples) < bytes ||
        jack_ringbuffer_write_space(r->blocks) < sizeof *b) {
        atomic_fetch_add_explicit(&r->overruns, b->frames,
                                  memory_order_relaxed);
        r->gap = 1;
        return 0;
    }
    jack_ringbuffer_get_write_vector(r->samples, v);
    return 1;
}

/* Publishes the samples, then the description that points the worker at
 * them. */
static void write_end(ring *r, const ring_block *b)
{
    ring_block d = *b;
    d.discontinuous |= r->gap;
    r->gap = 0;
    /* The samples must be visible before the pointers that publish them,
     * whatever the CPU and however libjack orders its own stores. */
    atomic_thread_fence(memory_order_release);
    jack_ringbuffer_write_advance(r->samples, (size_t)b->frames * r->channels *
                                                  sizeof(float));
    atomic_thread_fence(memory_order_release);
    jack_ringbuffer_write(r->blocks, (const char *)&d, sizeof d);
}

/* The part of b starting at frame `from`, at most RING_MAX_BLOCK long. */
static ring_block block_part(const ring_block *b, int from)
{
    ring_block part = *b;
    part.frames = b->frames - from < RING_MAX_BLOCK ? b->frames - from
                                                    : RING_MAX_BLOCK;
    part.capture_time += (double)from / b->rate;
    part.discontinuous = from == 0 && b->discontinuous;
    return part;
}

/* Copies frames [from, from + frames) of the source, interleaved or one
 * buffer per channel, into the write vector. */
static void copy_in(const ring *r, jack_ringbuffer_data_t v[2], int from,
                    int frames, const float *interleaved,
                    const float *const *planar)
{
    int ch = r->channels;
    for (int i = 0; i < frames; i++)
        for (int c = 0; c < ch; c++)
            *write_slot(v, (size_t)i * ch + c) =
                interleaved ? interleaved[(size_t)(from + i) * ch + c]
                            : planar[c][from + i];
}

static int ring_write(ring *r, const ring_block *b, const float *interleaved,
                      const float *const *planar)
{
    int written = 1;
    for (int from = 0; from < b->frames; from += RING_MAX_BLOCK) {
        ring_block part = block_part(b, from);
        jack_ringbuffer_data_t v[2];
        if (!write_begin(r, &part, v)) {
            written = 0;
            continue;
        }
        copy_in(r, v, from, part.frames, interleaved, planar);
        write_end(r, &part);
    }
    return written;
}

int ring_write_interleaved(ring *r, const ring_block *b, const float *frames)
{
    return ring_write(r, b, frames, NULL);
}

int ring_write_planar(ring *r, const ring_block *b,
                      const float *const *channels)
{
    return ring_write(r, b, NULL, channels);
}

void ring_close(ring *r) { atomic_store_explicit(&r->closed, 1, memory_order_release); }

int ring_read(ring *r, ring_block *b, float *frames)
{
    if (jack_ringbuffer_read_space(r->blocks) < sizeof *b) return 0;
    atomic_thread_fence(memory_order_acquire);
    jack_ringbuffer_read(r->blocks, (char *)b, sizeof *b);
    jack_ringbuffer_read(r->samples, (char *)frames,
                         (size_t)b->frames * r->channels * sizeof(float));
    return 1;
}

int ring_drained(ring *r)
{
    return atomic_load_explicit(&r->closed, memory_order_acquire) &&
           jack_ringbuffer_read_space(r->blocks) < sizeof(ring_block);
}

long long ring_overruns(const ring *r)
{
    return atomic_load_explicit(&r->overruns, memory_order_relaxed);
}
